//! Case-insensitive comparison without allocating: the reader asks "does this
//! line begin with «Beslut»" of every line, and lower-casing each line into a
//! new string cost more than the rest of the reading together.
//!
//! The patterns are given in lower case. Swedish letters (ÅÄÖ, É) fold to one
//! character, which is all protocols need; a character whose lower case is
//! several characters compares by its first.

/// One character in lower case.
#[inline]
pub fn lower_char(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

/// The rest of `text` after `prefix` (lower case), ignoring case.
#[inline]
pub fn strip_prefix<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let (t, p) = (text.as_bytes(), prefix.as_bytes());
    let (mut i, mut j) = (0, 0);
    while j < p.len() {
        let pc = p[j];
        if pc < 0x80 {
            // A byte of the text that lower-cases to ASCII is ASCII itself,
            // so `i` stays on a character boundary.
            if t.get(i)?.to_ascii_lowercase() != pc {
                return None;
            }
            i += 1;
            j += 1;
        } else {
            let want = prefix[j..].chars().next()?;
            let got = text[i..].chars().next()?;
            if lower_char(got) != want {
                return None;
            }
            i += got.len_utf8();
            j += want.len_utf8();
        }
    }
    Some(&text[i..])
}

#[inline]
pub fn starts_with(text: &str, prefix: &str) -> bool {
    strip_prefix(text, prefix).is_some()
}

/// `text` equals `word` (lower case), ignoring case.
#[inline]
pub fn eq(text: &str, word: &str) -> bool {
    strip_prefix(text, word).is_some_and(str::is_empty)
}

/// `text` equals one of `words`, ignoring case.
pub fn eq_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| eq(text, w))
}

/// `text` ends with `suffix` (lower case), ignoring case. Compared over the
/// suffix's length in bytes: a letter and its lower case have the same
/// length in UTF-8 for every letter a Swedish text uses.
pub fn ends_with(text: &str, suffix: &str) -> bool {
    let Some(at) = text.len().checked_sub(suffix.len()) else {
        return false;
    };
    text.is_char_boundary(at) && eq(&text[at..], suffix)
}

/// `text` contains `needle` (lower case), ignoring case.
pub fn contains(text: &str, needle: &str) -> bool {
    let Some(first) = needle.chars().next() else {
        return true;
    };
    text.char_indices()
        .any(|(i, c)| lower_char(c) == first && starts_with(&text[i..], needle))
}

/// The first `buf.len()` bytes of `text` in lower case, written into `buf`
/// (cut at a character boundary). Every byte offset in the result is the
/// same as in `text`: a character whose lower case is longer or shorter in
/// UTF-8 is kept as it is.
pub fn lower_into<'b>(text: &str, buf: &'b mut [u8]) -> &'b str {
    let mut n = 0;
    for c in text.chars() {
        let len = c.len_utf8();
        if n + len > buf.len() {
            break;
        }
        let l = lower_char(c);
        let l = if l.len_utf8() == len { l } else { c };
        l.encode_utf8(&mut buf[n..n + len]);
        n += len;
    }
    std::str::from_utf8(&buf[..n]).expect("whole characters were written")
}

/// The longest spelling in a table of spellings, in bytes (for buffers and
/// quick rejects sized at compile time).
pub const fn longest<T>(table: &[(&str, T)]) -> usize {
    let mut longest = 0;
    let mut i = 0;
    while i < table.len() {
        if table[i].0.len() > longest {
            longest = table[i].0.len();
        }
        i += 1;
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_swedish_and_ascii() {
        assert_eq!(
            strip_prefix("ÖVRIGA närvarande", "övriga"),
            Some(" närvarande")
        );
        assert_eq!(strip_prefix("Beslut:", "beslut"), Some(":"));
        assert_eq!(strip_prefix("Besl", "beslut"), None);
        assert_eq!(strip_prefix("Bé", "be"), None);
        assert!(eq("ÄRENDET", "ärendet"));
        assert!(!eq("Ärendet är", "ärendet"));
        assert!(ends_with("Älvby KOMMUN", " kommun"));
        assert!(!ends_with("mun", " kommun"));
        assert!(contains("Se FÖRTECKNING i bilaga", "förteckning"));
        assert!(!contains("Se bilaga", "förteckning"));
        assert!(eq_any("Intyg", &["verifikat", "intyg"]));
        let mut buf = [0u8; 8];
        assert_eq!(lower_into("ÖVRIGA Närvarande", &mut buf), "övriga ");
        assert_eq!(lower_into("ÖVRIGAÄÄ", &mut buf), "övriga");
        assert_eq!(lower_into("ÅÄÖ", &mut buf), "åäö");
    }
}

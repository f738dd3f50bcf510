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
    } else if (c as u32) < 0x100 {
        // Latin-1, without the Unicode tables: À–Þ (but ×) are the
        // capitals, 0x20 below their small letters; the rest are their own
        // lower case.
        lower_latin1(c)
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

#[inline]
fn lower_latin1(c: char) -> char {
    match c {
        'À'..='Þ' if c != '×' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
        _ => c,
    }
}

/// The second byte of a Latin-1 letter in UTF-8 (`0xC3`, `b`) in lower
/// case: the capitals À–Þ (but ×) are `0x80..=0x9E`, their small letters
/// `0x20` above.
#[inline]
fn lower_c3(b: u8) -> u8 {
    if (0x80..=0x9e).contains(&b) && b != 0x97 {
        b + 0x20
    } else {
        b
    }
}

/// The rest of `text` after `prefix` (lower case), ignoring case.
#[inline]
pub fn strip_prefix<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let (t, p) = (text.as_bytes(), prefix.as_bytes());
    // Most calls try a table of spellings against a line, and most fail at
    // the first letter: answer those from the first byte.
    if let (Some(&tc), Some(&pc)) = (t.first(), p.first())
        && (if pc < 0x80 {
            tc.to_ascii_lowercase() != pc
        } else {
            tc < 0x80
        })
    {
        return None;
    }
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
        } else if pc == 0xc3 && t.get(i) == Some(&0xc3) {
            // Å, Ä, Ö, É and the rest of Latin-1's letters: two bytes each,
            // compared as bytes.
            if lower_c3(*t.get(i + 1)?) != *p.get(j + 1)? {
                return None;
            }
            i += 2;
            j += 2;
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
    if !first.is_ascii() {
        return text
            .char_indices()
            .any(|(i, c)| lower_char(c) == first && starts_with(&text[i..], needle));
    }
    // Only an ASCII byte lower-cases to an ASCII letter: look for the
    // needle's first byte in either case, then compare there.
    let (lower, upper) = (first as u8, first.to_ascii_uppercase() as u8);
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(k) = b[from..].iter().position(|&c| c == lower || c == upper) {
        let at = from + k;
        if starts_with(&text[at..], needle) {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The first `buf.len()` bytes of `text` in lower case, written into `buf`
/// (cut at a character boundary). Every byte offset in the result is the
/// same as in `text`: a character whose lower case is longer or shorter in
/// UTF-8 is kept as it is.
pub fn lower_into<'b>(text: &str, buf: &'b mut [u8]) -> &'b str {
    let t = text.as_bytes();
    let mut n = 0;
    while n < t.len() {
        let b = t[n];
        // ASCII and Latin-1's letters (most of a Swedish text) byte by byte.
        if b < 0x80 {
            if n + 1 > buf.len() {
                break;
            }
            buf[n] = b.to_ascii_lowercase();
            n += 1;
            continue;
        }
        if b == 0xc3 {
            if n + 2 > buf.len() {
                break;
            }
            buf[n] = b;
            buf[n + 1] = lower_c3(t[n + 1]);
            n += 2;
            continue;
        }
        let Some(c) = text[n..].chars().next() else {
            break;
        };
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

/// Whether [`lower_into`]'s folding of `lower` is the one [`strip_prefix`]
/// compares by: for ASCII and Latin-1 it is; a rarer letter may fold to
/// one of another length ('\u{212b}' to 'å'), which `lower_into` keeps.
pub fn folds_alike(lower: &str) -> bool {
    lower.bytes().all(|b| b < 0xc4)
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

/// The spellings of a table (sorted by their bytes) that begin with one
/// byte: `table[lo..hi]`, the longest of them `longest` bytes.
#[derive(Clone, Copy)]
pub struct Spellings {
    pub lo: u16,
    pub hi: u16,
    pub longest: u16,
}

/// For a table of spellings sorted by their bytes: the spellings beginning
/// with each byte, to try only those of a line's first letter.
pub const fn by_first_byte<T>(table: &[(&str, T)]) -> [Spellings; 256] {
    let mut by = [Spellings {
        lo: 0,
        hi: 0,
        longest: 0,
    }; 256];
    let mut i = 0;
    while i < table.len() {
        let s = table[i].0.as_bytes();
        let b = s[0] as usize;
        if by[b].hi == 0 {
            by[b].lo = i as u16;
        }
        by[b].hi = i as u16 + 1;
        if s.len() as u16 > by[b].longest {
            by[b].longest = s.len() as u16;
        }
        i += 1;
    }
    by
}

/// The first byte of `text`'s first character in lower case (UTF-8), for
/// [`by_first_byte`].
#[inline]
pub fn first_byte_lower(text: &str) -> Option<u8> {
    let &b = text.as_bytes().first()?;
    if b < 0x80 {
        return Some(b.to_ascii_lowercase());
    }
    let c = lower_char(text.chars().next()?);
    let mut buf = [0u8; 4];
    Some(c.encode_utf8(&mut buf).as_bytes()[0])
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
        assert_eq!(lower_into("A\u{212b}É×", &mut buf), "a\u{212b}é×");
        assert!(folds_alike("åäö éß") && !folds_alike("\u{212b}"));
        assert_eq!(strip_prefix("ÅÄÖÉ×ß!", "åäöé×ß"), Some("!"));
        assert_eq!(strip_prefix("\u{212b}r", "år"), Some(""));
        assert_eq!(strip_prefix("ÅR", "är"), None);
        assert!(contains("en Kommun", " kommun"));
        assert!(contains("ekKOMMUN", "kommun"));
        assert!(!contains("\u{212a}ommun", "kommun"));
        for c in '\0'..='\u{17f}' {
            assert_eq!(lower_char(c), c.to_lowercase().next().unwrap(), "{c}");
        }
    }
}

//! What kind of document a text is. A municipality publishes protocols
//! beside other papers that look like them (a kallelse has Plats och tid and
//! the ordförande's name, a tjänsteskrivelse has Förslag till beslut and a
//! Dnr): the title at the top says which, and a protocol's own labels
//! (Beslutande, Utses att justera, Anslag/Bevis) outweigh a title word.
//! Only the first lines are read for the title, so this costs nothing on a
//! long protocol.

use super::fold;
use super::lines::{Line, cells};

/// A document that is not a protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Other {
    Tjansteskrivelse,
    Delegationsbeslut,
    Motion,
    Interpellation,
    Fraga,
    Kallelse,
    Kungorelse,
    Beslutsforslag,
    Medborgarforslag,
}

impl Other {
    /// Why it is refused, naming what it is.
    pub fn refusal(self) -> &'static str {
        match self {
            Other::Tjansteskrivelse => "det är en tjänsteskrivelse",
            Other::Delegationsbeslut => "det är ett delegationsbeslut",
            Other::Motion => "det är en motion",
            Other::Interpellation => "det är en interpellation",
            Other::Fraga => "det är en fråga (till en ordförande)",
            Other::Kallelse => "det är en kallelse (med föredragningslista)",
            Other::Kungorelse => "det är en kungörelse (kallelse till fullmäktige)",
            Other::Beslutsforslag => "det är ett beslutsförslag",
            Other::Medborgarforslag => "det är ett medborgarförslag",
        }
    }
}

/// What the title says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Title {
    Protocol,
    Other(Other),
}

/// The title word at the start of `text` (a line, or a cell of one).
fn title_word(text: &str) -> Option<Title> {
    // A page number an extractor put first: "1 KALLELSE (32)".
    let t = text
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '(' || c == ')')
        .trim_start();
    let mut words = t.split(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '.'));
    let w = words.next()?;
    let next = words.find(|w| !w.is_empty()).unwrap_or("");
    let starts = |p: &str| fold::eq(w, p);
    let title = if fold::eq_any(
        w,
        &[
            "protokoll",
            "sammanträdesprotokoll",
            "protokollsutdrag",
            "protokollutdrag",
            "justeringsprotokoll",
            "beslutsprotokoll",
            "mötesprotokoll",
            "protokollet",
        ],
    ) || (starts("utdrag") && fold::starts_with(t, "utdrag ur"))
    {
        Title::Protocol
    } else if fold::eq_any(
        w,
        &["tjänsteskrivelse", "tjänsteutlåtande", "tjänsteyttrande"],
    ) {
        Title::Other(Other::Tjansteskrivelse)
    } else if fold::eq_any(w, &["delegationsbeslut", "delegeringsbeslut"])
        || fold::starts_with(t, "beslut enligt delegation")
        || fold::starts_with(t, "beslut på delegation")
    {
        Title::Other(Other::Delegationsbeslut)
    } else if starts("motion") {
        Title::Other(Other::Motion)
    } else if starts("interpellation") {
        Title::Other(Other::Interpellation)
    } else if (starts("fråga") && fold::eq(next, "till")) || fold::starts_with(t, "enkel fråga") {
        Title::Other(Other::Fraga)
    } else if fold::eq_any(w, &["kallelse", "föredragningslista", "dagordning"]) {
        Title::Other(Other::Kallelse)
    } else if starts("kungörelse") {
        Title::Other(Other::Kungorelse)
    } else if starts("beslutsförslag") {
        Title::Other(Other::Beslutsforslag)
    } else if starts("medborgarförslag") {
        Title::Other(Other::Medborgarforslag)
    } else {
        return None;
    };
    Some(title)
}

/// The document's title: the first title word at the start of a line or a
/// cell in its first lines.
pub fn title(lines: &[Line]) -> Option<Title> {
    for l in lines.iter().filter(|l| !l.is_blank()).take(10) {
        // A paragraph has begun: its title is no document's.
        if super::paragraph::paragraph_start(&l.text).is_some() {
            return None;
        }
        if let Some(t) = title_word(&l.text) {
            return Some(t);
        }
        if l.wide {
            for c in cells(&l.raw).iter().skip(1) {
                if let Some(t) = title_word(c) {
                    return Some(t);
                }
            }
        }
    }
    None
}

/// Phrases only a protocol has, counted once each over the first lines.
pub fn protocol_evidence(lines: &[Line]) -> usize {
    const PHRASES: [&str; 10] = [
        "justeringens plats",
        "utses att justera",
        "anslag/bevis",
        "anslagsbevis",
        "protokollet är justerat",
        "justeringen har tillkännagivits",
        "beslutande",
        "justerandes sign",
        "utdragsbestyrkande",
        "närvarande ersättare",
    ];
    let mut seen = [false; PHRASES.len()];
    for l in lines.iter().take(200) {
        for (i, p) in PHRASES.iter().enumerate() {
            if !seen[i] && fold::contains(&l.text, p) {
                seen[i] = true;
            }
        }
    }
    seen.iter().filter(|s| **s).count()
}

/// A text without a title and without paragraphs: what its lines say it is.
pub fn by_content(lines: &[Line]) -> Option<Other> {
    for l in lines.iter().take(400) {
        let t = &*l.text;
        if fold::starts_with(t, "delegat")
            || fold::starts_with(t, "beslutsfattare")
            || fold::contains(t, "med stöd av delegation")
            || fold::contains(t, "enligt delegation")
            || fold::contains(t, "nämndens delegationsordning")
        {
            return Some(Other::Delegationsbeslut);
        }
        if fold::starts_with(t, "kallade")
            || fold::starts_with(t, "förhinder anmäls")
            || fold::starts_with(t, "kallelse till")
        {
            return Some(Other::Kallelse);
        }
        if fold::contains(t, "föreslår jag")
            || fold::contains(t, "föreslår vi")
            || fold::contains(t, "yrkar jag")
            || fold::contains(t, "yrkar vi")
        {
            return Some(Other::Motion);
        }
        if fold::contains(t, "vill jag fråga") || fold::contains(t, "vill jag ställa följande") {
            return Some(Other::Interpellation);
        }
        if fold::starts_with(t, "handläggare") {
            return Some(Other::Tjansteskrivelse);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_in_their_places() {
        assert_eq!(title_word("PROTOKOLL"), Some(Title::Protocol));
        assert_eq!(
            title_word("1 SAMMANTRÄDESPROTOKOLL 1 (28)"),
            Some(Title::Protocol)
        );
        assert_eq!(
            title_word("1 KALLELSE (32) Plats och tid"),
            Some(Title::Other(Other::Kallelse))
        );
        assert_eq!(
            title_word("Motion till kommunfullmäktige"),
            Some(Title::Other(Other::Motion))
        );
        assert_eq!(
            title_word("Motion om fler laddplatser"),
            Some(Title::Other(Other::Motion))
        );
        assert_eq!(
            title_word("TJÄNSTESKRIVELSE"),
            Some(Title::Other(Other::Tjansteskrivelse))
        );
        assert_eq!(title_word("Fastställande av föredragningslista"), None);
        assert_eq!(title_word("Svar på motion om ett ungdomsråd"), None);
        assert_eq!(title_word("Frågan om"), None);
    }
}

//! Limits on what may be written, declared once per kind of field.
//!
//! Every text a user, the API, the CLI or an import can write has a [`Kind`]:
//! its longest length in characters (not bytes: «å» is one), and whether it
//! may span lines. [`check`] refuses a value over its kind's limit, or with a
//! control character, with a Swedish sentence naming the field and the limit;
//! [`check_count`] does the same for the number of entries in a list field.
//! The store calls these on every write; the web layer also bounds a form's
//! size and number of fields ([`FORM_BYTES`], [`FORM_FIELDS`]); the read
//! models shorten what is stored from before the limits with [`shorten`].
//!
//! The limits are generous against real Swedish protocols: an ärendemening
//! runs to a few hundred characters at most, a paragraph's prose or a
//! section of a tjänsteskrivelse to some thousands.
//!
//! Control characters: NUL and the other C0 and C1 controls are refused
//! everywhere, except tab and line feed in multi-line fields. A carriage
//! return is refused as well: [`normalize_newlines`] turns CRLF and CR into
//! LF, and the web layer applies it to every form it receives. A line break
//! in a single-line field is refused, not joined: a browser's one-line input
//! cannot send one, so it comes from a client that should know better.

use crate::Refusal;
use std::borrow::Cow;

/// The kind of a text field, which decides its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A title: ärendemening, a document's or agenda item's rubrik, a
    /// motion's title.
    Title,
    /// A name: a person, organisation, body or party; a file name.
    Name,
    /// A short code: diarienummer, diarieserie, party abbreviation, OSL
    /// ground, a meeting's place.
    Code,
    /// One line of an address or a label: a unit, a signatory's title, a
    /// recipient of the dispatch, the protocol's förvaringsplats, the sender
    /// of a document.
    Line,
    /// One att-sats of a decision, a yrkande's text.
    Clause,
    /// Prose: Ärendet, a section of an officer's report, a proposition's,
    /// vote's or reservation's sentence, a minute note.
    FreeText,
}

impl Kind {
    /// The longest value, in characters.
    pub const fn max_chars(self) -> usize {
        match self {
            Kind::Title => 500,
            Kind::Name => 200,
            Kind::Code => 200,
            Kind::Line => 300,
            Kind::Clause => 5_000,
            Kind::FreeText => 50_000,
        }
    }

    /// Whether the value may span lines (and hold tabs).
    pub const fn multiline(self) -> bool {
        matches!(self, Kind::Clause | Kind::FreeText)
    }
}

/// The most entries a list field holds: att-satser of one decision part,
/// movers of a motion or a yrkande, agenda items, units, signatories,
/// recipients, attachments.
pub const MAX_ITEMS: usize = 200;

/// The most fields one form may send (every checkbox ticked counts).
pub const FORM_FIELDS: usize = 1_000;

/// The largest form without files, in bytes as sent (URL-encoded).
pub const FORM_BYTES: usize = 2 * 1024 * 1024;

/// A number as Swedish writes it: thousands separated by a space.
pub fn swedish_number(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn forbidden(c: char, kind: Kind) -> bool {
    match c {
        '\n' | '\t' => !kind.multiline(),
        c => c.is_control(),
    }
}

/// Checks `value` of the field called `field` (in Swedish, as the form
/// labels it) against the limits of its kind.
pub fn check(field: &str, kind: Kind, value: &str) -> Result<(), Refusal> {
    if let Some(c) = value.chars().find(|c| forbidden(*c, kind)) {
        let reason = match c {
            '\n' => "får inte innehålla radbrytningar".to_string(),
            '\r' => "innehåller en vagnretur (CR); radbrytningar skrivs som LF".to_string(),
            c => format!(
                "innehåller ett otillåtet styrtecken (U+{:04X})",
                u32::from(c)
            ),
        };
        return Err(Refusal::new(field, reason));
    }
    let max = kind.max_chars();
    // Counting stops early only when the byte length already proves the
    // value short enough (a char is at most four bytes).
    if value.len() > max {
        let n = value.chars().count();
        if n > max {
            return Err(Refusal::new(
                field,
                format!(
                    "får vara högst {} tecken (texten är {} tecken)",
                    swedish_number(max),
                    swedish_number(n)
                ),
            ));
        }
    }
    Ok(())
}

/// As [`check`], for an optional value.
pub fn check_opt(field: &str, kind: Kind, value: Option<&str>) -> Result<(), Refusal> {
    value.map_or(Ok(()), |v| check(field, kind, v))
}

/// Checks the number of entries of a list field against [`MAX_ITEMS`].
pub fn check_count(field: &str, n: usize) -> Result<(), Refusal> {
    if n > MAX_ITEMS {
        return Err(Refusal::new(
            field,
            format!(
                "får ha högst {} rader (här är {})",
                swedish_number(MAX_ITEMS),
                swedish_number(n)
            ),
        ));
    }
    Ok(())
}

/// Checks a list field: its number of entries, then each entry.
pub fn check_all<'a>(
    field: &str,
    kind: Kind,
    values: impl IntoIterator<Item = &'a str>,
) -> Result<(), Refusal> {
    let mut n = 0;
    for v in values {
        n += 1;
        check(field, kind, v)?;
    }
    check_count(field, n)
}

/// CRLF and lone CR become LF, as a multi-line field is stored.
pub fn normalize_newlines(s: &str) -> Cow<'_, str> {
    if s.contains('\r') {
        Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A stored value made fit to show under its kind's limit, whatever was
/// stored before the limits: control characters dropped (line breaks and
/// tabs become spaces in a single-line kind), and a value over the limit cut
/// to it, ending in «…».
pub fn shorten(kind: Kind, s: &str) -> Cow<'_, str> {
    let max = kind.max_chars();
    let clean = !s.chars().any(|c| forbidden(c, kind)) && s.len() <= max;
    if clean {
        return Cow::Borrowed(s);
    }
    let normalized = normalize_newlines(s);
    let mut out = String::new();
    let mut n = 0;
    let mut chars = normalized
        .chars()
        .filter_map(|c| match c {
            '\n' | '\t' if !kind.multiline() => Some(' '),
            c if forbidden(c, kind) => None,
            c => Some(c),
        })
        .peekable();
    while let Some(c) = chars.next() {
        if n + 1 == max && chars.peek().is_some() {
            out.push('…');
            break;
        }
        out.push(c);
        n += 1;
    }
    Cow::Owned(out)
}

/// `s` without the characters its kind refuses: control characters dropped,
/// line breaks and tabs in a single-line kind made spaces (a refused form
/// given back to be corrected).
pub fn strip_controls(kind: Kind, s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| forbidden(c, kind)) {
        return Cow::Borrowed(s);
    }
    normalize_newlines(s)
        .chars()
        .filter_map(|c| match c {
            '\n' | '\t' if !kind.multiline() => Some(' '),
            c if forbidden(c, kind) => None,
            c => Some(c),
        })
        .collect::<String>()
        .into()
}

/// The first `max` characters of `s`, ending in «…» when cut; for quoting
/// what was typed in a refusal.
pub fn excerpt(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((i, _)) => Cow::Owned(format!("{}…", &s[..i])),
    }
}

/// `s` cut to at most `max` characters, without marking the cut (a form
/// field given back to be corrected).
pub fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        None => s,
        Some((i, _)) => &s[..i],
    }
}

// ---- the domain types' limits -------------------------------------------------

use crate::Access;
use crate::case::{Motion, OfficerReport};
use crate::decision::Decision;
use crate::meeting::{Actor, Capacity, MeetingRecord, MeetingStatus, Paragraph};

type R = Refusal;

/// Collects refusals, to report every field over its limit at once.
#[derive(Default)]
struct Found(Vec<R>);

impl Found {
    fn add(&mut self, at: &str, r: Result<(), R>) {
        if let Err(mut r) = r {
            if !at.is_empty() {
                r.at = format!("{at}, {}", r.at);
            }
            self.0.push(r);
        }
    }

    fn done(self) -> Result<(), Vec<R>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

fn access(at: &str, a: &Access, out: &mut Found) {
    if let Access::Secret { ground } = a {
        out.add(at, check("sekretessgrund", Kind::Code, ground));
    }
}

fn actors(at: &str, field: &str, by: &[Actor], out: &mut Found) {
    out.add(at, check_count(field, by.len()));
    for a in by {
        if let Actor::Party { party } = a {
            out.add(at, check(field, Kind::Name, party));
        }
    }
}

/// The limits of a decision (or draft decision): its parts, each part's
/// att-satser and their sub-items, the chain of bodies.
pub fn check_decision(at: &str, d: &Decision) -> Result<(), Vec<R>> {
    let mut out = Found::default();
    decision(at, d, &mut out);
    out.done()
}

fn decision(at: &str, d: &Decision, out: &mut Found) {
    out.add(at, check_count("beslutets delar", d.parts.len()));
    for part in &d.parts {
        out.add(
            at,
            check_opt("beslutsformel", Kind::Clause, part.wording.as_deref()),
        );
        if let crate::decision::Formula::Proposes { chain, .. } = &part.formula {
            out.add(
                at,
                check_all("organ", Kind::Name, chain.iter().map(String::as_str)),
            );
        }
        out.add(at, check_count("att-satser", part.clauses.len()));
        for c in &part.clauses {
            out.add(at, check("att-sats", Kind::Clause, &c.text));
            out.add(
                at,
                check_all(
                    "att-satsens punkter",
                    Kind::Clause,
                    c.items.iter().map(String::as_str),
                ),
            );
        }
    }
}

fn paragraph(p: &Paragraph, out: &mut Found) {
    let at = format!("§{}", p.number);
    let at = at.as_str();
    out.add(at, check("rubrik", Kind::Title, &p.title));
    access(at, &p.access, out);
    if let Some(d) = &p.decision {
        decision(at, d, out);
    }
    if let Some(d) = &p.draft_decision {
        decision(at, d, out);
    }
    out.add(at, check("ärendet", Kind::FreeText, &p.matter));
    out.add(at, check_count("yrkanden", p.proposals.len()));
    for x in &p.proposals {
        actors(at, "yrkandets förslagsställare", &x.movers, out);
        out.add(at, check("yrkandet", Kind::Clause, &x.text));
        if let Some(d) = &x.decision {
            decision(at, d, out);
        }
    }
    out.add(at, check_count("propositioner", p.propositions.len()));
    for x in &p.propositions {
        out.add(at, check("proposition", Kind::FreeText, &x.wording));
    }
    out.add(at, check_count("omröstningar", p.votes.len()));
    for x in &p.votes {
        out.add(
            at,
            check("omröstningens resultat", Kind::FreeText, &x.wording),
        );
    }
    out.add(at, check_count("reservationer", p.reservations.len()));
    for x in &p.reservations {
        actors(at, "reservanter", &x.by, out);
        out.add(at, check("reservation", Kind::FreeText, &x.text));
        out.add(
            at,
            check_opt(
                "reservationens motivering",
                Kind::FreeText,
                x.reasons.as_deref(),
            ),
        );
    }
    out.add(
        at,
        check_count("protokollsanteckningar", p.minute_notes.len()),
    );
    for x in &p.minute_notes {
        actors(at, "protokollsanteckningens författare", &x.by, out);
        out.add(at, check("protokollsanteckning", Kind::FreeText, &x.text));
    }
    out.add(at, check_count("jäv", p.disqualifications.len()));
    for x in &p.disqualifications {
        out.add(at, check("jävsgrund", Kind::Line, &x.ground));
    }
    out.add(
        at,
        check_all(
            "beslutsunderlag",
            Kind::Title,
            p.basis.iter().map(|b| b.title.as_str()),
        ),
    );
    if let Some(d) = &p.dispatch {
        out.add(
            at,
            check_all("expedieras till", Kind::Line, d.iter().map(String::as_str)),
        );
    }
    // #20 L4: proportional elections.
    out.add(at, check_count("proportionella val", p.elections.len()));
    for e in &p.elections {
        out.add(at, check_count("valsedlar", e.lists.len()));
        out.add(at, check_count("begärande", e.requested_by.len()));
        for l in &e.lists {
            out.add(at, check("gruppbeteckning", Kind::Name, &l.group));
            out.add(at, check_count("listans namn", l.names.len()));
            out.add(
                at,
                check_all(
                    "namn på listan",
                    Kind::Name,
                    l.names.iter().map(|c| c.name.as_str()),
                ),
            );
        }
        out.add(
            at,
            check_all(
                "valets protokolltext",
                Kind::FreeText,
                e.wording.iter().map(String::as_str),
            ),
        );
    }
}

/// The limits of a whole meeting record: the meeting's own texts, the
/// agenda, attendance titles and every paragraph. Returns every field over
/// its limit.
pub fn check_meeting_record(record: &MeetingRecord) -> Result<(), Vec<R>> {
    let mut out = Found::default();
    let m = &record.meeting;
    out.add("sammanträdet", check("plats", Kind::Code, &m.place));
    out.add(
        "sammanträdet",
        check_opt(
            "justeringens plats och tid",
            Kind::Line,
            m.approval_place.as_deref(),
        ),
    );
    out.add(
        "sammanträdet",
        check_opt("källa", Kind::FreeText, m.source_note.as_deref()),
    );
    if let MeetingStatus::NoticePosted { kept_at, .. } = &m.status {
        out.add(
            "sammanträdet",
            check("protokollets förvaringsplats", Kind::Line, kept_at),
        );
    }
    out.add(
        "sammanträdet",
        check_count("föredragningslistans punkter", record.items.len()),
    );
    for (i, item) in record.items.iter().enumerate() {
        let at = format!("punkt {}", i + 1);
        out.add(&at, check("rubrik", Kind::Title, &item.title));
        access(&at, &item.access, &mut out);
        out.add(
            &at,
            check_all(
                "beslutsunderlag",
                Kind::Title,
                item.basis.iter().map(|b| b.title.as_str()),
            ),
        );
        if let Some(p) = &item.paragraph {
            paragraph(p, &mut out);
        }
    }
    for a in &record.attendance {
        if let Capacity::Other { title } = &a.capacity {
            out.add("närvaro", check("titel", Kind::Line, title));
        }
    }
    out.done()
}

impl Motion {
    /// The motion's title and its number of movers.
    pub fn check_limits(&self) -> Result<(), Refusal> {
        check("motionens rubrik", Kind::Title, &self.title)?;
        check_count("motionärer", self.movers.len())
    }
}

impl OfficerReport {
    /// Every field of the report against its kind's limit.
    pub fn check_limits(&self) -> Result<(), Vec<Refusal>> {
        let mut out = Found::default();
        let at = "beslutsförslag";
        out.add(
            at,
            check_all("enhet", Kind::Line, self.unit.iter().map(String::as_str)),
        );
        out.add(at, check("handläggare", Kind::Name, &self.author.name));
        out.add(
            at,
            check("handläggarens titel", Kind::Line, &self.author.title),
        );
        out.add(at, check("till", Kind::Name, &self.addressed_to));
        out.add(at, check("rubrik", Kind::Title, &self.title));
        decision(at, &self.draft_decision, &mut out);
        for (field, text) in [
            ("sammanfattning", &self.summary),
            ("bakgrund", &self.background),
            ("överväganden", &self.considerations),
            ("konsekvenser", &self.consequences),
            ("ekonomiska konsekvenser", &self.economic_consequences),
        ] {
            out.add(at, check(field, Kind::FreeText, text));
        }
        out.add(at, check_count("underskrifter", self.signatories.len()));
        for s in &self.signatories {
            out.add(at, check("underskrift, namn", Kind::Name, &s.name));
            out.add(at, check("underskrift, titel", Kind::Line, &s.title));
        }
        out.add(
            at,
            check_all(
                "bilagor",
                Kind::Title,
                self.attachments.iter().map(String::as_str),
            ),
        );
        out.add(
            at,
            check_all(
                "beslutet delges",
                Kind::Line,
                self.notify.iter().map(String::as_str),
            ),
        );
        out.done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_at_the_limit_passes_and_one_over_is_refused_naming_both() {
        let at = "a".repeat(500);
        assert!(check("ärendemening", Kind::Title, &at).is_ok());
        let over = "a".repeat(501);
        let r = check("ärendemening", Kind::Title, &over).unwrap_err();
        assert_eq!(r.at, "ärendemening");
        assert_eq!(r.reason, "får vara högst 500 tecken (texten är 501 tecken)");
        let huge = "a".repeat(1_000_000);
        let r = check("ärendemening", Kind::Title, &huge).unwrap_err();
        assert!(r.reason.contains("texten är 1 000 000 tecken"), "{r}");
        assert!(check("ärendet", Kind::FreeText, &"a".repeat(50_000)).is_ok());
        let r = check("ärendet", Kind::FreeText, &"a".repeat(50_001)).unwrap_err();
        assert!(r.reason.contains("högst 50 000 tecken"), "{r}");
    }

    #[test]
    fn characters_are_counted_not_bytes() {
        // 500 «å» are 1,000 bytes but 500 characters.
        let at = "å".repeat(500);
        assert_eq!(at.len(), 1000);
        assert!(check("ärendemening", Kind::Title, &at).is_ok());
        assert!(check("ärendemening", Kind::Title, &"😀".repeat(500)).is_ok());
        let r = check("ärendemening", Kind::Title, &"ö".repeat(501)).unwrap_err();
        assert!(r.reason.contains("501 tecken"), "{r}");
    }

    #[test]
    fn control_characters_are_refused_and_newlines_only_where_lines_are() {
        for bad in ["a\0b", "a\u{1b}[31m", "\u{7f}", "a\u{85}b", "a\u{9f}"] {
            for kind in [Kind::Title, Kind::FreeText] {
                let r = check("fält", kind, bad).unwrap_err();
                assert!(r.reason.contains("styrtecken (U+"), "{bad:?}: {r}");
            }
        }
        assert!(check("ärendet", Kind::FreeText, "ett\n\ntvå\tkolumn").is_ok());
        let r = check("rubrik", Kind::Title, "ett\ntvå").unwrap_err();
        assert!(r.reason.contains("radbrytningar"), "{r}");
        assert!(check("rubrik", Kind::Title, "ett\ttvå").is_err());
        let r = check("ärendet", Kind::FreeText, "ett\r\ntvå").unwrap_err();
        assert!(r.reason.contains("CR"), "{r}");
        assert_eq!(normalize_newlines("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert!(check("ärendet", Kind::FreeText, &normalize_newlines("a\r\nb")).is_ok());
        // Letters of every script, and non-breaking and other spaces, pass.
        assert!(check("namn", Kind::Name, "Ájsa Ťestović\u{a0}Ørsted – 名前").is_ok());
    }

    #[test]
    fn list_fields_count_their_entries() {
        let ok: Vec<String> = (0..MAX_ITEMS).map(|i| i.to_string()).collect();
        assert!(check_all("att-satser", Kind::Clause, ok.iter().map(String::as_str)).is_ok());
        let r = check_count("att-satser", MAX_ITEMS + 1).unwrap_err();
        assert_eq!(r.reason, "får ha högst 200 rader (här är 201)");
        let r = check_all("mottagare", Kind::Line, ["bra", "o\0k"]).unwrap_err();
        assert_eq!(r.at, "mottagare");
    }

    #[test]
    fn shortened_for_display_within_the_limit_and_clean() {
        assert!(matches!(
            shorten(Kind::Title, "kort"),
            Cow::Borrowed("kort")
        ));
        let long = "ä".repeat(2_000_000);
        let s = shorten(Kind::Title, &long);
        assert_eq!(s.chars().count(), 500);
        assert!(s.ends_with('…'));
        // Exactly at the limit: unchanged.
        let exact = "ä".repeat(500);
        assert_eq!(shorten(Kind::Title, &exact), exact);
        assert_eq!(shorten(Kind::Title, "a\0b\r\nc"), "ab c");
        assert_eq!(shorten(Kind::FreeText, "a\0b\r\nc\rd"), "ab\nc\nd");
        assert_eq!(strip_controls(Kind::Title, "a\0b\nc"), "ab c");
        assert_eq!(strip_controls(Kind::FreeText, "a\0b\nc"), "ab\nc");
        assert_eq!(excerpt("abcdef", 3), "abc…");
        assert_eq!(excerpt("abc", 3), "abc");
        assert_eq!(truncate("åäöå", 3), "åäö");
        assert_eq!(swedish_number(1_234_567), "1 234 567");
        assert_eq!(swedish_number(500), "500");
    }

    #[test]
    fn domain_values_report_every_field_over_its_limit() {
        use crate::decision::{Clause, Decision, Formula};
        let d = Decision::single(
            Formula::Decides,
            vec![Clause::new("x".repeat(5_001)), Clause::new("ok")],
        );
        let r = check_decision("§1", &d).unwrap_err();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].at, "§1, att-sats");
    }
}

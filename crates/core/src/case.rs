//! Cases (ärenden) and what is registered in them: case numbers in an
//! organisation's series, documents, motions and officer's reports.

use crate::decision::Decision;
use crate::{Access, BodyId, CaseId, Date, OrganisationId, PersonId, Refusal};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How an organisation writes case numbers (diarienummer). Configured once per
/// organisation; the sequence restarts every calendar year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case")]
pub enum CaseNumberFormat {
    /// Series, two-digit year and a zero-padded sequence, no separators:
    /// `RS231470` is series RS, 2023, number 1470 (Region Halland).
    Compact { series: String, digits: u8 },
    /// Series, a space, the year, a slash and the sequence: `KS 2023/145`.
    Slashed { series: String },
}

/// A case number, parsed into the parts that order and allocate it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CaseNumber {
    pub series: String,
    pub year: i16,
    pub sequence: u32,
}

impl CaseNumberFormat {
    pub fn series(&self) -> &str {
        match self {
            CaseNumberFormat::Compact { series, .. } | CaseNumberFormat::Slashed { series } => {
                series
            }
        }
    }

    /// Checks the configuration itself: a series of letters, and a sensible
    /// sequence width for the compact style.
    pub fn check(&self) -> Result<(), Refusal> {
        let series = self.series();
        if series.is_empty() || !series.chars().all(|c| c.is_alphabetic()) {
            return Err(Refusal::new(
                "diarieserie",
                format!("diarieserien måste bestå av bokstäver, inte «{series}»"),
            ));
        }
        if let CaseNumberFormat::Compact { digits, .. } = self
            && !(2..=7).contains(digits)
        {
            return Err(Refusal::new(
                "diarieserie",
                "löpnumret måste ha mellan 2 och 7 siffror",
            ));
        }
        Ok(())
    }

    /// Writes a number in this format. Refuses a year outside 2000–2099 for the
    /// compact style (it has only two digits for the year) and a sequence that
    /// does not fit.
    pub fn format(&self, year: i16, sequence: u32) -> Result<String, Refusal> {
        if sequence == 0 {
            return Err(Refusal::new("diarienummer", "löpnumret börjar på 1"));
        }
        match self {
            CaseNumberFormat::Compact { series, digits } => {
                if !(2000..=2099).contains(&year) {
                    return Err(Refusal::new(
                        "diarienummer",
                        format!("årtalet {year} kan inte skrivas med två siffror"),
                    ));
                }
                if sequence >= 10u32.pow(*digits as u32) {
                    return Err(Refusal::new(
                        "diarienummer",
                        format!("löpnumret {sequence} ryms inte i {digits} siffror"),
                    ));
                }
                Ok(format!(
                    "{series}{:02}{:0width$}",
                    year - 2000,
                    sequence,
                    width = *digits as usize
                ))
            }
            CaseNumberFormat::Slashed { series } => Ok(format!("{series} {year}/{sequence}")),
        }
    }

    /// Reads a number written in this format.
    pub fn parse(&self, text: &str) -> Result<CaseNumber, Refusal> {
        let text = text.trim();
        let bad = || {
            Refusal::new(
                "diarienummer",
                format!(
                    "«{text}» följer inte formatet för serien {} (t.ex. {})",
                    self.series(),
                    self.format(2023, 145).unwrap_or_default()
                ),
            )
        };
        match self {
            CaseNumberFormat::Compact { series, digits } => {
                let rest = text.strip_prefix(series.as_str()).ok_or_else(bad)?;
                if rest.len() != 2 + *digits as usize || !rest.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                let year: i16 = rest[..2].parse().map_err(|_| bad())?;
                let sequence: u32 = rest[2..].parse().map_err(|_| bad())?;
                if sequence == 0 {
                    return Err(bad());
                }
                Ok(CaseNumber {
                    series: series.clone(),
                    year: 2000 + year,
                    sequence,
                })
            }
            CaseNumberFormat::Slashed { series } => {
                let rest = text.strip_prefix(series.as_str()).ok_or_else(bad)?;
                let rest = rest.strip_prefix(' ').ok_or_else(bad)?;
                let (year, sequence) = rest.split_once('/').ok_or_else(bad)?;
                if year.len() != 4
                    || !year.bytes().all(|b| b.is_ascii_digit())
                    || sequence.is_empty()
                    || !sequence.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(bad());
                }
                let sequence: u32 = sequence.parse().map_err(|_| bad())?;
                if sequence == 0 {
                    return Err(bad());
                }
                Ok(CaseNumber {
                    series: series.clone(),
                    year: year.parse().map_err(|_| bad())?,
                    sequence,
                })
            }
        }
    }
}

/// An ärende, registered in the organisation's diarium.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub organisation: OrganisationId,
    /// The case number as the organisation writes it ("RS231470").
    pub number: String,
    pub title: String,
    pub registered: Date,
    /// Set when the case is closed (avslutat); a closed case can be archived.
    pub closed: Option<Date>,
    /// Handläggare: the official responsible for the case.
    pub officer: Option<PersonId>,
    /// Ärendetyp ("Motion", "Remiss", "Avtal").
    pub case_type: Option<String>,
    /// The code of the organisation's classification plan the case is
    /// filed under (KLASSA-style, "2.4.1").
    pub classification: Option<String>,
    pub status: CaseStatus,
    /// How the case was closed; set exactly when `closed` is.
    pub closed_how: Option<Closing>,
}

/// Where a case stands in the diarium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Öppet: being prepared.
    Open,
    /// Vilande: waiting (for an answer, a remiss, another authority),
    /// nothing to do meanwhile.
    Dormant,
    /// Avslutat: closed, with its date and how.
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 3] = [CaseStatus::Open, CaseStatus::Dormant, CaseStatus::Closed];

    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Dormant => "dormant",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            CaseStatus::Open => "Öppet",
            CaseStatus::Dormant => "Vilande",
            CaseStatus::Closed => "Avslutat",
        }
    }
}

/// How a case was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closing {
    /// Avslutat genom beslut: decided.
    Decision,
    /// Avskrivet: written off without a decision on the matter (withdrawn,
    /// lapsed, no longer relevant).
    WrittenOff,
    /// Överlämnat: handed over to another authority.
    Transferred,
}

impl Closing {
    pub const ALL: [Closing; 3] = [Closing::Decision, Closing::WrittenOff, Closing::Transferred];

    pub fn code(self) -> &'static str {
        match self {
            Closing::Decision => "decision",
            Closing::WrittenOff => "written_off",
            Closing::Transferred => "transferred",
        }
    }

    pub fn from_code(code: &str) -> Option<Closing> {
        Closing::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            Closing::Decision => "Beslut",
            Closing::WrittenOff => "Avskrivet",
            Closing::Transferred => "Överlämnat",
        }
    }
}

/// A change of a case's status, as the registrar asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// Öppnas (again): from vilande, or återupptas after being closed.
    Open,
    /// Vilandeförklaras.
    Dormant,
    /// Avslutas on a date, in a way.
    Close { date: Date, how: Closing },
}

impl Case {
    /// Checks a status change and gives the case's new (status, closed,
    /// closed_how). A case is closed on a day no earlier than it was
    /// registered and no later than today (a closing is registered when
    /// it happens, not ahead); closing a closed case again is refused (it
    /// is reopened first, so its history shows both); a closed case is
    /// reopened (återupptas) as open, not straight into vilande.
    pub fn change_status(
        &self,
        change: StatusChange,
        today: Date,
    ) -> Result<(CaseStatus, Option<Date>, Option<Closing>), Refusal> {
        let at = format!("ärende {}", self.number);
        match change {
            StatusChange::Open => {
                if self.status == CaseStatus::Open {
                    return Err(Refusal::new(at, "ärendet är redan öppet"));
                }
                Ok((CaseStatus::Open, None, None))
            }
            StatusChange::Dormant => match self.status {
                CaseStatus::Dormant => Err(Refusal::new(at, "ärendet är redan vilande")),
                CaseStatus::Closed => Err(Refusal::new(
                    at,
                    "ärendet är avslutat; öppna det igen innan det vilandeförklaras",
                )),
                CaseStatus::Open => Ok((CaseStatus::Dormant, None, None)),
            },
            StatusChange::Close { date, how } => {
                if self.status == CaseStatus::Closed {
                    return Err(Refusal::new(
                        at,
                        format!(
                            "ärendet avslutades redan {}; öppna det igen för att ändra avslutet",
                            self.closed.map(|d| d.to_string()).unwrap_or_default()
                        ),
                    ));
                }
                if date < self.registered {
                    return Err(Refusal::new(
                        at,
                        format!(
                            "avslutsdatumet {date} är före registreringsdatumet {}",
                            self.registered
                        ),
                    ));
                }
                if date > today {
                    return Err(Refusal::new(
                        at,
                        format!("avslutsdatumet {date} har inte kommit ännu (i dag är {today})"),
                    ));
                }
                Ok((CaseStatus::Closed, Some(date), Some(how)))
            }
        }
    }
}

/// One heading of an organisation's classification plan (klassificerings­
/// struktur, as KLASSA-based plans have): a code and its title. The plan
/// is the organisation's own; cases are filed under its codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    pub code: String,
    pub title: String,
}

impl Classification {
    /// A code is groups of digits or letters separated by dots ("2",
    /// "2.4", "2.4.1", "KS.1"), a title is a non-empty line.
    pub fn check(&self) -> Result<(), Refusal> {
        let code = self.code.trim();
        let at = "klassificeringskod";
        if code.is_empty() {
            return Err(Refusal::new(at, "koden saknas"));
        }
        if code.chars().count() > 20
            || code
                .split('.')
                .any(|g| g.is_empty() || !g.chars().all(|c| c.is_alphanumeric()))
        {
            return Err(Refusal::new(
                at,
                format!(
                    "«{code}» är ingen kod: skriv siffror eller bokstäver i grupper med punkt emellan, t.ex. 2.4.1 (högst 20 tecken)"
                ),
            ));
        }
        if self.title.trim().is_empty() {
            return Err(Refusal::new(at, format!("rubrik saknas för koden {code}")));
        }
        crate::limits::check(
            "klassificeringens rubrik",
            crate::limits::Kind::Title,
            &self.title,
        )
    }
}

/// A handling registered in a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: crate::DocumentId,
    pub case: CaseId,
    /// Löpnummer within the case, from 1, in the order of registration;
    /// never reused (see [`handling_number`]).
    pub number: u32,
    pub kind: DocumentKind,
    pub title: String,
    pub date: Date,
    pub direction: Direction,
    pub access: Access,
}

/// A handling's number: the case number, a hyphen and the handling's
/// löpnummer in the case ("RS231470-3", "KS 2023/145-3").
pub fn handling_number(case_number: &str, number: u32) -> String {
    format!("{case_number}-{number}")
}

/// Splits a handling number into the case number and the löpnummer
/// ("RS231470-3" → ("RS231470", 3)); `None` when the text is no
/// handling number.
pub fn split_handling_number(text: &str) -> Option<(&str, u32)> {
    let (case, n) = text.trim().rsplit_once('-')?;
    let n: u32 = n.parse().ok().filter(|n| *n > 0)?;
    (!case.is_empty()).then_some((case, n))
}

/// What the public register (diarium, postlista) shows of a registered
/// handling. By OSL 5 kap. 2 § the register holds the date the handling
/// came in or was drawn up, its number, whom it came from or went to, and
/// in short what it concerns; the last two are left out when needed so
/// that a secret uppgift is not revealed. The date, number and direction
/// are always shown; for a secret handling, or one in a case whose matter
/// is secret, the ground is shown instead of its description and its
/// sender or receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    /// The description (the handling's title, the case's ärendemening)
    /// and the sender or receiver may be shown.
    pub described: bool,
    /// The OSL ground shown instead, when they may not.
    pub ground: Option<String>,
}

/// The rule of [`RegisterEntry`]: `access` is the handling's own, and
/// `case_matter` the ground when the matter of its case is secret.
pub fn register_entry(access: &Access, case_matter: Option<&str>) -> RegisterEntry {
    match (access, case_matter) {
        (Access::Secret { ground }, _) => RegisterEntry {
            described: false,
            ground: Some(ground.clone()),
        },
        (Access::Public, Some(ground)) => RegisterEntry {
            described: false,
            ground: Some(ground.to_string()),
        },
        (Access::Public, None) => RegisterEntry {
            described: true,
            ground: None,
        },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Motion,
    OfficerReport,
    Statement,
    Letter,
    Protocol,
    Extract,
    Announcement,
    Attachment,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 9] = [
        DocumentKind::Motion,
        DocumentKind::OfficerReport,
        DocumentKind::Statement,
        DocumentKind::Letter,
        DocumentKind::Protocol,
        DocumentKind::Extract,
        DocumentKind::Announcement,
        DocumentKind::Attachment,
        DocumentKind::Other,
    ];

    pub fn label_sv(self) -> &'static str {
        match self {
            DocumentKind::Motion => "Motion",
            DocumentKind::OfficerReport => "Beslutsförslag",
            DocumentKind::Statement => "Yttrande",
            DocumentKind::Letter => "Skrivelse",
            DocumentKind::Protocol => "Protokoll",
            DocumentKind::Extract => "Protokollsutdrag",
            DocumentKind::Announcement => "Meddelande",
            DocumentKind::Attachment => "Bilaga",
            DocumentKind::Other => "Övrig handling",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Motion => "motion",
            DocumentKind::OfficerReport => "officer_report",
            DocumentKind::Statement => "statement",
            DocumentKind::Letter => "letter",
            DocumentKind::Protocol => "protocol",
            DocumentKind::Extract => "extract",
            DocumentKind::Announcement => "announcement",
            DocumentKind::Attachment => "attachment",
            DocumentKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Whether a document came in, went out, or was drawn up internally, and from
/// or to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "direction", rename_all = "snake_case")]
pub enum Direction {
    Incoming { sender: String },
    Outgoing { receiver: String },
    Internal,
}

impl Direction {
    /// The register's word for the direction: inkommande, upprättad,
    /// utgående.
    pub fn label_sv(&self) -> &'static str {
        match self {
            Direction::Incoming { .. } => "Inkommande",
            Direction::Outgoing { .. } => "Utgående",
            Direction::Internal => "Upprättad",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Direction::Incoming { .. } => "incoming",
            Direction::Outgoing { .. } => "outgoing",
            Direction::Internal => "internal",
        }
    }

    /// The sender or receiver, if any.
    pub fn counterpart(&self) -> Option<&str> {
        match self {
            Direction::Incoming { sender } => Some(sender),
            Direction::Outgoing { receiver } => Some(receiver),
            Direction::Internal => None,
        }
    }
}

/// A motion: one or more members' proposal to fullmäktige (KL 5 kap. 22 §).
///
/// It should be decided within one year of being filed, or its status reported to
/// fullmäktige (KL 5 kap. 35 §).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Motion {
    pub case: CaseId,
    pub title: String,
    pub filed: Date,
    pub movers: Vec<PersonId>,
    /// The fullmäktige it was filed in.
    pub filed_in: BodyId,
    /// The body it was referred to for preparation (beredning).
    pub referred_to: Option<BodyId>,
}

impl Motion {
    pub fn check(&self) -> Result<(), Refusal> {
        if self.movers.is_empty() {
            return Err(Refusal::new(
                "motion",
                "en motion måste ha minst en motionär",
            ));
        }
        let mut movers = self.movers.clone();
        movers.sort();
        movers.dedup();
        if movers.len() != self.movers.len() {
            return Err(Refusal::new("motion", "samma motionär står två gånger"));
        }
        if self.title.trim().is_empty() {
            return Err(Refusal::new("motion", "motionen saknar rubrik"));
        }
        Ok(())
    }
}

/// A beslutsförslag / tjänsteskrivelse: the administration's report on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerReport {
    pub case: CaseId,
    pub date: Date,
    /// The administration and unit, one line each ("Regionkontoret",
    /// "Regional utveckling").
    pub unit: Vec<String>,
    pub author: Signatory,
    /// The body the report is addressed to ("Regionstyrelsen").
    pub addressed_to: String,
    pub title: String,
    pub draft_decision: Decision,
    pub summary: String,
    pub background: String,
    pub considerations: String,
    pub consequences: String,
    pub economic_consequences: String,
    pub signatories: Vec<Signatory>,
    pub attachments: Vec<String>,
    /// Styrelsens/nämndens beslut delges: who is told of the decision.
    pub notify: Vec<String>,
}

impl OfficerReport {
    pub fn check(&self) -> Result<(), Refusal> {
        if self.title.trim().is_empty() {
            return Err(Refusal::new("beslutsförslag", "rubrik saknas"));
        }
        self.draft_decision
            .check("beslutsförslag, förslag till beslut")
    }
}

/// A name with a title, as under a signature line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    pub name: String,
    pub title: String,
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}/{}", self.series, self.year, self.sequence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs() -> CaseNumberFormat {
        CaseNumberFormat::Compact {
            series: "RS".into(),
            digits: 4,
        }
    }
    fn ks() -> CaseNumberFormat {
        CaseNumberFormat::Slashed {
            series: "KS".into(),
        }
    }

    #[test]
    fn both_styles_format_and_parse() {
        // (format, year, sequence, text)
        let cases = [
            (rs(), 2023, 1470, "RS231470"),
            (rs(), 2024, 123, "RS240123"),
            (rs(), 2025, 87, "RS250087"),
            (ks(), 2023, 145, "KS 2023/145"),
            (ks(), 2024, 1, "KS 2024/1"),
        ];
        for (format, year, sequence, text) in cases {
            assert_eq!(format.format(year, sequence).unwrap(), text);
            let parsed = format.parse(text).unwrap();
            assert_eq!((parsed.year, parsed.sequence), (year, sequence), "{text}");
        }
    }

    #[test]
    fn malformed_numbers_are_refused_with_the_text() {
        for bad in [
            "RS23147",
            "RS2314700",
            "KS231470",
            "RS23A470",
            "RS230000",
            "",
        ] {
            let err = rs().parse(bad).unwrap_err();
            assert!(err.reason.contains(&format!("«{bad}»")), "{err}");
        }
        for bad in [
            "KS 23/145",
            "KS2023/145",
            "KS 2023/",
            "KS 2023/0",
            "RS 2023/1",
        ] {
            assert!(ks().parse(bad).is_err(), "{bad}");
        }
        assert!(rs().format(1999, 1).is_err());
        assert!(rs().format(2023, 10_000).is_err());
        assert!(rs().format(2023, 0).is_err());
    }

    #[test]
    fn series_configuration_is_checked() {
        assert!(rs().check().is_ok());
        assert!(
            CaseNumberFormat::Slashed {
                series: "K S".into()
            }
            .check()
            .is_err()
        );
        assert!(
            CaseNumberFormat::Compact {
                series: "RS".into(),
                digits: 9
            }
            .check()
            .is_err()
        );
    }

    fn case(status: CaseStatus) -> Case {
        Case {
            id: CaseId(1),
            organisation: OrganisationId(1),
            number: "RS231470".into(),
            title: "Motion".into(),
            registered: jiff::civil::date(2023, 12, 4),
            closed: (status == CaseStatus::Closed).then(|| jiff::civil::date(2025, 4, 29)),
            officer: None,
            case_type: None,
            classification: None,
            status,
            closed_how: (status == CaseStatus::Closed).then_some(Closing::Decision),
        }
    }

    #[test]
    fn a_case_closes_between_its_registration_and_today() {
        let today = jiff::civil::date(2025, 5, 1);
        let open = case(CaseStatus::Open);
        let close = |date| StatusChange::Close {
            date,
            how: Closing::WrittenOff,
        };
        // The edges themselves are allowed: the day it was registered, today.
        for date in [open.registered, today] {
            assert_eq!(
                open.change_status(close(date), today).unwrap(),
                (CaseStatus::Closed, Some(date), Some(Closing::WrittenOff))
            );
        }
        let before = open
            .change_status(close(jiff::civil::date(2023, 12, 3)), today)
            .unwrap_err();
        assert!(
            before
                .reason
                .contains("före registreringsdatumet 2023-12-04"),
            "{before}"
        );
        let ahead = open
            .change_status(close(jiff::civil::date(2025, 5, 2)), today)
            .unwrap_err();
        assert!(ahead.reason.contains("har inte kommit"), "{ahead}");
        // A dormant case may be closed too.
        assert!(
            case(CaseStatus::Dormant)
                .change_status(close(today), today)
                .is_ok()
        );
    }

    #[test]
    fn status_changes_follow_the_diarium() {
        let today = jiff::civil::date(2025, 5, 1);
        let closed = case(CaseStatus::Closed);
        let again = closed
            .change_status(
                StatusChange::Close {
                    date: today,
                    how: Closing::Decision,
                },
                today,
            )
            .unwrap_err();
        assert!(
            again.reason.contains("avslutades redan 2025-04-29"),
            "{again}"
        );
        assert!(closed.change_status(StatusChange::Dormant, today).is_err());
        // Reopening clears the closing.
        assert_eq!(
            closed.change_status(StatusChange::Open, today).unwrap(),
            (CaseStatus::Open, None, None)
        );
        assert!(
            case(CaseStatus::Open)
                .change_status(StatusChange::Open, today)
                .is_err()
        );
        assert!(
            case(CaseStatus::Dormant)
                .change_status(StatusChange::Dormant, today)
                .is_err()
        );
        assert_eq!(
            case(CaseStatus::Open)
                .change_status(StatusChange::Dormant, today)
                .unwrap()
                .0,
            CaseStatus::Dormant
        );
    }

    #[test]
    fn handling_numbers_in_both_styles() {
        assert_eq!(handling_number("RS231470", 3), "RS231470-3");
        assert_eq!(handling_number("KS 2023/145", 3), "KS 2023/145-3");
        assert_eq!(
            split_handling_number("KS 2023/145-3"),
            Some(("KS 2023/145", 3))
        );
        assert_eq!(
            split_handling_number(" RS231470-12 "),
            Some(("RS231470", 12))
        );
        for bad in ["RS231470", "RS231470-0", "RS231470-", "-3", "RS231470-x"] {
            assert_eq!(split_handling_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_register_leaves_out_what_would_reveal_a_secret() {
        let secret = Access::Secret {
            ground: "21 kap. 1 § OSL".into(),
        };
        let e = register_entry(&secret, None);
        assert!(!e.described);
        assert_eq!(e.ground.as_deref(), Some("21 kap. 1 § OSL"));
        // A public handling of a case whose matter is secret is described
        // no more than a secret one; the case's ground is given.
        let e = register_entry(&Access::Public, Some("18 kap. 8 § OSL"));
        assert!(!e.described);
        assert_eq!(e.ground.as_deref(), Some("18 kap. 8 § OSL"));
        // The handling's own ground wins.
        let e = register_entry(&secret, Some("18 kap. 8 § OSL"));
        assert_eq!(e.ground.as_deref(), Some("21 kap. 1 § OSL"));
        assert_eq!(
            register_entry(&Access::Public, None),
            RegisterEntry {
                described: true,
                ground: None
            }
        );
    }

    #[test]
    fn classification_codes_are_checked() {
        let c = |code: &str, title: &str| Classification {
            code: code.into(),
            title: title.into(),
        };
        for good in ["2", "2.4", "2.4.1", "KS.1"] {
            assert!(c(good, "Styra").check().is_ok(), "{good}");
        }
        for bad in ["", "2..4", ".2", "2.", "2 4", "2/4", &"1.".repeat(11)] {
            assert!(c(bad, "Styra").check().is_err(), "{bad}");
        }
        assert!(c("2.4", " ").check().is_err());
    }
}

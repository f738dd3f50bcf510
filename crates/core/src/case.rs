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
}

/// A handling registered in a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: crate::DocumentId,
    pub case: CaseId,
    pub kind: DocumentKind,
    pub title: String,
    pub date: Date,
    pub direction: Direction,
    pub access: Access,
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
}

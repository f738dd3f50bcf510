//! The decision (beslut) and the draft decision (förslag till beslut): one or
//! more parts, each a formula followed by att-clauses.
//!
//! "Regionstyrelsens arbetsutskott föreslår regionstyrelsen besluta att föreslå
//! regionfullmäktige besluta att – fastställa policy för lokalförsörjning" is one
//! part: the formula [`Formula::Proposes`] with the chain [regionstyrelsen,
//! regionfullmäktige], and one clause.

use crate::Refusal;
use crate::text::lower_first;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Decision {
    pub parts: Vec<DecisionPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionPart {
    pub formula: Formula,
    /// The opening words as recorded, when they differ from the house style
    /// that [`Formula::intro`] writes (imported and historical protocols).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wording: Option<String>,
    pub clauses: Vec<Clause>,
}

/// The three kinds of decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Formula {
    /// The body decides the matter itself ("beslutar att").
    Decides,
    /// The body proposes that another body decide, possibly through a chain:
    /// `chain = ["regionstyrelsen", "regionfullmäktige"]` reads "föreslår
    /// regionstyrelsen besluta att föreslå regionfullmäktige besluta att".
    /// `further` marks a second proposal to the same body ("föreslår vidare").
    Proposes {
        chain: Vec<String>,
        #[serde(default)]
        further: bool,
    },
    /// An information item: the body notes that information has been given.
    NotesInformation,
}

/// One att-clause, with the sub-items some clauses list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
}

impl Clause {
    pub fn new(text: impl Into<String>) -> Clause {
        Clause {
            text: text.into(),
            items: Vec::new(),
        }
    }
}

impl Formula {
    /// The opening words in house style, for a body named `body`
    /// ("Regionstyrelsens arbetsutskott").
    pub fn intro(&self, body: &str) -> String {
        match self {
            Formula::Decides | Formula::NotesInformation => format!("{body} beslutar att"),
            Formula::Proposes { chain, further } => {
                let mut text = format!("{body} föreslår{}", if *further { " vidare" } else { "" });
                for (i, next) in chain.iter().enumerate() {
                    if i > 0 {
                        text.push_str(" att föreslå");
                    }
                    text.push(' ');
                    text.push_str(&lower_first(next));
                    text.push_str(" besluta");
                }
                text.push_str(" att");
                text
            }
        }
    }
}

impl DecisionPart {
    pub fn intro(&self, body: &str) -> String {
        self.wording
            .clone()
            .unwrap_or_else(|| self.formula.intro(body))
    }
}

impl Decision {
    pub fn single(formula: Formula, clauses: Vec<Clause>) -> Decision {
        Decision {
            parts: vec![DecisionPart {
                formula,
                wording: None,
                clauses,
            }],
        }
    }

    /// "anteckna att information har lämnats", the information item's decision.
    pub fn notes_information(text: impl Into<String>) -> Decision {
        Decision::single(Formula::NotesInformation, vec![Clause::new(text)])
    }

    /// A decision must say something: at least one part, each with a clause,
    /// and a proposal must name the body it goes to.
    pub fn check(&self, at: &str) -> Result<(), Refusal> {
        if self.parts.is_empty() {
            return Err(Refusal::new(at, "beslutet saknar innehåll"));
        }
        for (i, part) in self.parts.iter().enumerate() {
            if part.clauses.is_empty() || part.clauses.iter().any(|c| c.text.trim().is_empty()) {
                return Err(Refusal::new(
                    at,
                    format!("del {} av beslutet saknar att-sats", i + 1),
                ));
            }
            if let Formula::Proposes { chain, .. } = &part.formula
                && (chain.is_empty() || chain.iter().any(|b| b.trim().is_empty()))
            {
                return Err(Refusal::new(
                    at,
                    "ett förslag till annat organ måste ange vilket organ",
                ));
            }
        }
        Ok(())
    }

    /// The decision as plain text: each part's opening words followed by its
    /// clauses as "- " lines.
    pub fn to_text(&self, body: &str) -> String {
        let mut out = String::new();
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&part.intro(body));
            out.push('\n');
            for clause in &part.clauses {
                out.push_str("- ");
                out.push_str(&clause.text);
                out.push('\n');
                for item in &clause.items {
                    out.push_str("  - ");
                    out.push_str(item);
                    out.push('\n');
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSAU: &str = "Regionstyrelsens arbetsutskott";

    #[test]
    fn house_style_intros() {
        let cases = [
            (
                Formula::Decides,
                "Regionstyrelsens arbetsutskott beslutar att",
            ),
            (
                Formula::Proposes {
                    chain: vec!["Regionstyrelsen".into()],
                    further: false,
                },
                "Regionstyrelsens arbetsutskott föreslår regionstyrelsen besluta att",
            ),
            (
                Formula::Proposes {
                    chain: vec!["Regionstyrelsen".into(), "Regionfullmäktige".into()],
                    further: false,
                },
                "Regionstyrelsens arbetsutskott föreslår regionstyrelsen besluta att föreslå regionfullmäktige besluta att",
            ),
            (
                Formula::Proposes {
                    chain: vec!["regionstyrelsen".into()],
                    further: true,
                },
                "Regionstyrelsens arbetsutskott föreslår vidare regionstyrelsen besluta att",
            ),
        ];
        for (formula, expected) in cases {
            assert_eq!(formula.intro(RSAU), expected);
        }
    }

    #[test]
    fn empty_decisions_are_refused() {
        assert!(Decision::default().check("§1").is_err());
        assert!(
            Decision::single(Formula::Decides, vec![])
                .check("§1")
                .is_err()
        );
        assert!(
            Decision::single(
                Formula::Proposes {
                    chain: vec![],
                    further: false
                },
                vec![Clause::new("avslå motionen")]
            )
            .check("§1")
            .is_err()
        );
        assert!(
            Decision::notes_information("anteckna att information har lämnats")
                .check("§1")
                .is_ok()
        );
    }

    #[test]
    fn recorded_wording_wins_over_house_style() {
        let mut d = Decision::single(
            Formula::Decides,
            vec![Clause::new("godkänna föredragningslistan.")],
        );
        assert_eq!(
            d.to_text(RSAU),
            "Regionstyrelsens arbetsutskott beslutar att\n- godkänna föredragningslistan.\n"
        );
        d.parts[0].wording = Some("Regionstyrelsens arbetsutskott beslutar att:".into());
        assert!(
            d.to_text(RSAU)
                .starts_with("Regionstyrelsens arbetsutskott beslutar att:\n")
        );
    }
}

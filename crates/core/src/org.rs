//! Organisations, bodies, terms, parties, persons and memberships.

use crate::case::CaseNumberFormat;
use crate::{BodyId, Date, OrganisationId, PersonId, Refusal, TermId};
use serde::{Deserialize, Serialize};

/// A kommun or a region, or another public organisation that decides in bodies
/// (a joint steering group, a kommunalförbund). One installation may host many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    /// How this organisation writes its case numbers.
    pub case_number_format: CaseNumberFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Kommun,
    Region,
    /// Kommunalförbund, gemensam nämnd's host, or a joint steering group.
    Samverkan,
}

impl OrganisationKind {
    /// The stored and serialised name.
    pub fn code(self) -> &'static str {
        match self {
            OrganisationKind::Kommun => "kommun",
            OrganisationKind::Region => "region",
            OrganisationKind::Samverkan => "samverkan",
        }
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            OrganisationKind::Kommun => "Kommun",
            OrganisationKind::Region => "Region",
            OrganisationKind::Samverkan => "Samverkan",
        }
    }
}

/// A decision-making body: fullmäktige, styrelse, nämnd, utskott or another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    pub id: BodyId,
    pub organisation: OrganisationId,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: BodyKind,
    /// The body an utskott belongs to.
    pub parent: Option<BodyId>,
    /// The number of members (ledamöter, not ersättare) the body has by its
    /// rules; quorum is judged against it (KL 5 kap. 42 §, 6 kap. 27 §).
    pub seats: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    Fullmaktige,
    Styrelse,
    Namnd,
    Utskott,
    Other,
}

impl BodyKind {
    pub fn label_sv(self) -> &'static str {
        match self {
            BodyKind::Fullmaktige => "Fullmäktige",
            BodyKind::Styrelse => "Styrelse",
            BodyKind::Namnd => "Nämnd",
            BodyKind::Utskott => "Utskott",
            BodyKind::Other => "Annat organ",
        }
    }

    pub const ALL: [BodyKind; 5] = [
        BodyKind::Fullmaktige,
        BodyKind::Styrelse,
        BodyKind::Namnd,
        BodyKind::Utskott,
        BodyKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            BodyKind::Fullmaktige => "fullmaktige",
            BodyKind::Styrelse => "styrelse",
            BodyKind::Namnd => "namnd",
            BodyKind::Utskott => "utskott",
            BodyKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<BodyKind> {
        BodyKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A mandatperiod: the four-year term that memberships belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub id: TermId,
    pub organisation: OrganisationId,
    pub starts: Date,
    pub ends: Date,
}

impl Term {
    pub fn check(starts: Date, ends: Date) -> Result<(), Refusal> {
        if ends <= starts {
            return Err(Refusal::new(
                "mandatperiod",
                format!("mandatperioden slutar ({ends}) innan den börjar ({starts})"),
            ));
        }
        Ok(())
    }

    pub fn contains(&self, date: Date) -> bool {
        self.starts <= date && date <= self.ends
    }

    /// "2023–2026", as terms are named.
    pub fn label(&self) -> String {
        format!("{}–{}", self.starts.year(), self.ends.year())
    }
}

/// A political party, known by its abbreviation ("S", "M", "KD").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub abbreviation: String,
    pub name: String,
}

/// A person: an elected member, a substitute, or an official.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    /// The party abbreviation for elected persons; none for officials.
    pub party: Option<String>,
}

impl Person {
    /// "Mikaela Waltersson (M)", as protocols name members.
    pub fn display(&self) -> String {
        match &self.party {
            Some(p) => format!("{} ({p})", self.name),
            None => self.name.clone(),
        }
    }
}

/// A person's seat in a body for a term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub person: PersonId,
    pub body: BodyId,
    pub term: TermId,
    pub role: Role,
    /// The party group the seat belongs to (its "onBehalfOf"), which decides
    /// which substitutes may serve in its place.
    pub party_group: Option<String>,
}

/// The role in a body. A substitute carries its serving order, so a substitute
/// without an order, or a member with one, cannot be written down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    Chair,
    FirstViceChair,
    SecondViceChair,
    Member,
    /// An ersättare; `order` is the serving order within the party group, 1 first.
    Substitute {
        order: u16,
    },
}

impl Role {
    /// The role as a protocol writes it after the name.
    pub fn label_sv(self) -> &'static str {
        match self {
            Role::Chair => "ordförande",
            Role::FirstViceChair => "1:e vice ordförande",
            Role::SecondViceChair => "2:e vice ordförande",
            Role::Member => "ledamot",
            Role::Substitute { .. } => "ersättare",
        }
    }

    pub fn is_member(self) -> bool {
        !matches!(self, Role::Substitute { .. })
    }

    /// Ordering for lists: chair first, then vice chairs, members, substitutes
    /// in serving order.
    pub fn rank(self) -> u32 {
        match self {
            Role::Chair => 0,
            Role::FirstViceChair => 1,
            Role::SecondViceChair => 2,
            Role::Member => 3,
            Role::Substitute { order } => 10 + order as u32,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Chair => "chair",
            Role::FirstViceChair => "first_vice_chair",
            Role::SecondViceChair => "second_vice_chair",
            Role::Member => "member",
            Role::Substitute { .. } => "substitute",
        }
    }

    pub fn from_code(code: &str, order: Option<u16>) -> Result<Role, Refusal> {
        let role = match (code, order) {
            ("chair", None) => Role::Chair,
            ("first_vice_chair", None) => Role::FirstViceChair,
            ("second_vice_chair", None) => Role::SecondViceChair,
            ("member", None) => Role::Member,
            ("substitute", Some(order)) if order >= 1 => Role::Substitute { order },
            ("substitute", _) => {
                return Err(Refusal::new(
                    "uppdrag",
                    "en ersättare måste ha en tjänstgöringsordning (1 eller högre)",
                ));
            }
            (_, Some(_)) => {
                return Err(Refusal::new(
                    "uppdrag",
                    "bara ersättare har tjänstgöringsordning",
                ));
            }
            (other, None) => {
                return Err(Refusal::new("uppdrag", format!("okänd roll: {other}")));
            }
        };
        Ok(role)
    }
}

/// Checks a body's membership list for a term: one chair at most, each vice
/// chair at most once, and substitutes' orders unique within a party group.
pub fn check_memberships(memberships: &[Membership]) -> Result<(), Refusal> {
    use std::collections::HashSet;
    let mut seen_roles = HashSet::new();
    let mut persons = HashSet::new();
    let mut orders = HashSet::new();
    for m in memberships {
        if !persons.insert(m.person) {
            return Err(Refusal::new(
                "uppdrag",
                "samma person har två uppdrag i samma organ och mandatperiod",
            ));
        }
        match m.role {
            Role::Chair | Role::FirstViceChair | Role::SecondViceChair => {
                if !seen_roles.insert(m.role) {
                    return Err(Refusal::new(
                        "uppdrag",
                        format!("organet har redan en {}", m.role.label_sv()),
                    ));
                }
            }
            Role::Substitute { order } => {
                if !orders.insert((m.party_group.clone(), order)) {
                    return Err(Refusal::new(
                        "uppdrag",
                        format!(
                            "två ersättare har tjänstgöringsordning {order} i samma partigrupp"
                        ),
                    ));
                }
            }
            Role::Member => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(person: i64, role: Role, group: &str) -> Membership {
        Membership {
            person: PersonId(person),
            body: BodyId(1),
            term: TermId(1),
            role,
            party_group: Some(group.into()),
        }
    }

    #[test]
    fn role_codes_round_trip_and_refuse_nonsense() {
        for role in [
            Role::Chair,
            Role::FirstViceChair,
            Role::SecondViceChair,
            Role::Member,
            Role::Substitute { order: 2 },
        ] {
            let order = match role {
                Role::Substitute { order } => Some(order),
                _ => None,
            };
            assert_eq!(Role::from_code(role.code(), order).unwrap(), role);
        }
        assert!(Role::from_code("substitute", None).is_err());
        assert!(Role::from_code("substitute", Some(0)).is_err());
        assert!(Role::from_code("member", Some(1)).is_err());
        assert!(Role::from_code("kung", None).is_err());
    }

    #[test]
    fn memberships_refuse_two_chairs_and_clashing_substitute_orders() {
        let ok = [
            m(1, Role::Chair, "M"),
            m(2, Role::Member, "S"),
            m(3, Role::Substitute { order: 1 }, "S"),
            m(4, Role::Substitute { order: 1 }, "M"),
        ];
        assert!(check_memberships(&ok).is_ok());
        let two_chairs = [m(1, Role::Chair, "M"), m(2, Role::Chair, "S")];
        assert!(check_memberships(&two_chairs).is_err());
        let clash = [
            m(3, Role::Substitute { order: 1 }, "S"),
            m(4, Role::Substitute { order: 1 }, "S"),
        ];
        assert!(check_memberships(&clash).is_err());
        let twice = [
            m(1, Role::Member, "S"),
            m(1, Role::Substitute { order: 1 }, "S"),
        ];
        assert!(check_memberships(&twice).is_err());
    }

    #[test]
    fn term_must_end_after_it_starts() {
        let a = jiff::civil::date(2023, 1, 1);
        let b = jiff::civil::date(2026, 12, 31);
        assert!(Term::check(a, b).is_ok());
        assert!(Term::check(b, a).is_err());
    }
}

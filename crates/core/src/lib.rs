//! Kansli's domain: how a Swedish municipality or region decides.
//!
//! Plain data and pure functions; this crate does no I/O, spawns nothing and knows
//! nothing of databases or HTTP. Every other crate speaks in these types.
//!
//! - [`org`]: organisations, bodies, terms, parties, persons and memberships.
//! - [`case`]: cases and their numbers, documents, motions, officer's reports.
//! - [`meeting`]: meetings, agenda items, attendance, and the paragraph with
//!   everything recorded under it (proposals, beslutsgång, votes, decision,
//!   reservations, minute notes, disqualifications, basis, dispatch).
//! - [`decision`]: the decision formula and its att-clauses.
//! - [`limits`]: the longest text of each kind of field, the most entries of a
//!   list, control characters refused; checked by the store on every write.
//! - [`validate`]: checks of a whole meeting record against the rules that can be
//!   judged after the fact; a refusal names what and where, in Swedish.
//! - [`rules`]: the procedure rules (quorum, vote outcome), each citing its law.
//! - [`calendar`]: public holidays (lag 1989:253) and working days (lag 1930:173).
//! - [`deadlines`]: justering, anslag, appeal period and motion deadlines.
//! - [`proceedings`]: the meeting as it runs, a state machine of commands that
//!   are accepted or refused with a reason.
//! - [`floor`]: the talarlista (anförande, replik, genmäle, ordningsfråga)
//!   with the arbetsordning's limits, run by the engine.
//! - [`election`]: proportional elections (lag 2022:629), seat by seat, ties by
//!   recorded lot.
//! - [`wording`]: the sentences the rules produce, in protocol house style.
//! - [`publication`]: what the public may see of a meeting and a case, and when.
//! - [`absence`]: förhinder and the substitute to call in, by the engine's
//!   serving order.

pub mod absence;
pub mod calendar;
pub mod case;
pub mod deadlines;
pub mod decision;
pub mod election;
// #20 L1: the talarlista.
pub mod floor;
pub mod ids;
pub mod limits;
pub mod meeting;
pub mod org;
pub mod proceedings;
pub mod publication;
pub mod rules;
pub mod text;
pub mod validate;
pub mod wording;

pub use ids::*;
pub use jiff::civil::{Date, Time};

/// A refusal: what was refused and why, in Swedish, with where it happened.
///
/// `at` names the place in the input ("§14, omröstning 1"); `reason` is the
/// sentence a secretary reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{at}: {reason}")]
pub struct Refusal {
    pub at: String,
    pub reason: String,
}

impl Refusal {
    pub fn new(at: impl Into<String>, reason: impl Into<String>) -> Self {
        Refusal {
            at: at.into(),
            reason: reason.into(),
        }
    }
}

/// Whether a document, agenda item or paragraph may be shown to the public.
///
/// Documents are public (allmän handling) unless a secrecy ground in
/// offentlighets- och sekretesslagen (2009:400) applies; the ground is recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(tag = "access", rename_all = "snake_case")]
pub enum Access {
    #[default]
    Public,
    Secret {
        /// The provision that applies, e.g. "26 kap. 1 § OSL".
        ground: String,
    },
}

impl Access {
    pub fn is_public(&self) -> bool {
        matches!(self, Access::Public)
    }

    pub fn secret(ground: impl Into<String>) -> Result<Access, Refusal> {
        let ground = ground.into();
        if ground.trim().is_empty() {
            return Err(Refusal::new(
                "sekretess",
                "sekretessgrund saknas: ange vilken bestämmelse i OSL som gäller",
            ));
        }
        Ok(Access::Secret { ground })
    }
}

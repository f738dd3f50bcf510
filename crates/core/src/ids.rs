//! Typed identifiers. Ids are assigned by the store and never reused.

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )*};
}

ids! {
    OrganisationId, BodyId, TermId, PersonId, MembershipId, CaseId, DocumentId,
    MotionId, OfficerReportId, MeetingId, AgendaItemId, ParagraphId, UserId, AttachmentId,
}

//! What of a meeting and its cases the public may see, and from when.
//!
//! The rules as pure functions; `kansli_documents::view` applies them, once,
//! for every output (pages, API, OParl, feeds, exports, document files).
//!
//! - A fullmäktige meets in public (KL 5 kap. 38 §); a nämnd (styrelse,
//!   nämnd, utskott) meets behind closed doors unless it has decided to
//!   meet in public (KL 6 kap. 25 §). Only a meeting held in public may be
//!   followed live.
//! - The protocol is what the public reads of the proceedings, and it is
//!   final first when it is justerat (KL 5 kap. 69 §, 6 kap. 35 §); the
//!   justering is then announced on the anslagstavla (KL 8 kap. 12 §).
//!   Until then it is a draft, not yet an upprättad allmän handling
//!   (TF 2 kap. 10 §): the public sees that the meeting was held and which
//!   items were on its agenda, nothing of what was recorded.
//! - The kallelse with its föredragningslista, and a beslutsförslag sent with
//!   it, are expedierade when the kallelse goes out, and so allmänna
//!   handlingar (TF 2 kap. 10 §); secret content stays secret by OSL
//!   (2009:400). A beslutsförslag is also upprättat when its case officer
//!   marks it final (TF 2 kap. 10 §, the matter's part finally settled).

use crate::meeting::MeetingStatus;

/// The mark on every page of a protocol (or extract) that is not justerat;
/// the renderer prints it, the import reader skips it.
pub const PROTOCOL_DRAFT: &str = "UTKAST – protokollet är inte justerat";
use crate::org::BodyKind;

/// Whether a body's meetings are public: fullmäktige always (KL 5 kap.
/// 38 §), any other body only when it has decided to meet in public
/// (KL 6 kap. 25 §).
pub fn meets_in_public(kind: BodyKind, decided_to_meet_in_public: bool) -> bool {
    kind == BodyKind::Fullmaktige || decided_to_meet_in_public
}

/// What of one meeting the public may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disclosure {
    /// The agenda: the public items' titles, case numbers and basis. From
    /// the kallelse on (TF 2 kap. 10 §).
    pub agenda: bool,
    /// What is recorded of the proceedings: attendance, the paragraphs with
    /// their proposals, votes, decisions, reservations and notes. While a
    /// public meeting runs (KL 5 kap. 38 §, 6 kap. 25 §), and again once the
    /// protocol is justerat (KL 6 kap. 35 §, 8 kap. 12 §).
    pub proceedings: bool,
    /// The protocol as a document (PDF, HTML, text) and its extracts: only
    /// once justerat (KL 5 kap. 69 §, 6 kap. 35 §, 8 kap. 12 §).
    pub protocol: bool,
}

impl Disclosure {
    /// Everything: the audience is the secretariat, or the protocol is final.
    pub const ALL: Disclosure = Disclosure {
        agenda: true,
        proceedings: true,
        protocol: true,
    };
}

/// Whether the agenda is public: once the kallelse has been issued
/// (TF 2 kap. 10 §: expedierad). A planned meeting shows its date, not its
/// agenda; a cancelled one shows neither its agenda (it is not known here
/// whether the kallelse went out first).
pub fn agenda_public(status: &MeetingStatus) -> bool {
    !matches!(status, MeetingStatus::Planned | MeetingStatus::Cancelled)
}

/// Whether the protocol is justerat, and so public (KL 6 kap. 35 §,
/// 8 kap. 12 §). Before that every rendition of it is a draft.
pub fn protocol_public(status: &MeetingStatus) -> bool {
    status.is_sealed()
}

/// Whether a rendition of the protocol for the secretariat is a draft, to
/// be marked UTKAST on every page: until it is justerat (KL 6 kap. 35 §).
pub fn is_draft(status: &MeetingStatus) -> bool {
    !protocol_public(status)
}

/// What the public may see of a meeting with `status` of a body that
/// meets in public or not (see [`meets_in_public`]).
pub fn disclosure(status: &MeetingStatus, in_public: bool) -> Disclosure {
    let protocol = protocol_public(status);
    Disclosure {
        agenda: agenda_public(status),
        proceedings: protocol || (in_public && *status == MeetingStatus::InSession),
        protocol,
    }
}

/// Whether a version of an officer's report (beslutsförslag) is public,
/// leaving secrecy aside (OSL decides that): once its case officer has
/// marked it final, or once it has been sent with a kallelse that has the
/// case on its agenda (TF 2 kap. 10 §).
pub fn report_public(marked_final: bool, sent_with_kallelse: bool) -> bool {
    marked_final || sent_with_kallelse
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn all_statuses() -> Vec<MeetingStatus> {
        vec![
            MeetingStatus::Planned,
            MeetingStatus::NoticeIssued,
            MeetingStatus::InSession,
            MeetingStatus::Held,
            MeetingStatus::Approved {
                approved: date(2025, 2, 4),
            },
            MeetingStatus::NoticePosted {
                approved: date(2025, 2, 4),
                posted: date(2025, 2, 5),
                taken_down: date(2025, 2, 27),
                kept_at: "Regionkontoret".into(),
            },
            MeetingStatus::Cancelled,
        ]
    }

    #[test]
    fn fullmaktige_meets_in_public_and_a_namnd_only_by_decision() {
        assert!(meets_in_public(BodyKind::Fullmaktige, false));
        for kind in [
            BodyKind::Styrelse,
            BodyKind::Namnd,
            BodyKind::Utskott,
            BodyKind::Other,
        ] {
            assert!(!meets_in_public(kind, false), "{kind:?}");
            assert!(meets_in_public(kind, true), "{kind:?}");
        }
    }

    #[test]
    fn the_protocol_is_public_only_once_justerat() {
        for s in all_statuses() {
            let d = disclosure(&s, true);
            let sealed = matches!(
                s,
                MeetingStatus::Approved { .. } | MeetingStatus::NoticePosted { .. }
            );
            assert_eq!(d.protocol, sealed, "{s:?}");
            assert_eq!(is_draft(&s), !sealed, "{s:?}");
            // Closed or not, a justerat protocol shows the proceedings.
            assert_eq!(disclosure(&s, false).proceedings, sealed, "{s:?}");
        }
    }

    #[test]
    fn only_a_public_meeting_is_followed_live_and_a_held_one_waits_for_justering() {
        assert!(disclosure(&MeetingStatus::InSession, true).proceedings);
        assert!(!disclosure(&MeetingStatus::InSession, false).proceedings);
        assert!(!disclosure(&MeetingStatus::InSession, true).protocol);
        assert!(!disclosure(&MeetingStatus::Held, true).proceedings);
        assert!(!disclosure(&MeetingStatus::Held, false).proceedings);
    }

    #[test]
    fn the_agenda_is_public_from_the_kallelse() {
        assert!(!disclosure(&MeetingStatus::Planned, true).agenda);
        assert!(!disclosure(&MeetingStatus::Cancelled, true).agenda);
        for s in all_statuses().into_iter().skip(1).take(5) {
            assert!(disclosure(&s, false).agenda, "{s:?}");
        }
    }

    #[test]
    fn a_report_is_public_when_final_or_sent() {
        assert!(!report_public(false, false));
        assert!(report_public(true, false));
        assert!(report_public(false, true));
    }
}

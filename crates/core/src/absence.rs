//! Förhinder and the substitute to call in: before a meeting, members report
//! that they cannot attend (the whole meeting, or one item, e.g. for jäv),
//! and the secretary calls in the substitute who is to serve.
//!
//! Who is to serve is the serving order of KL 6 kap. 11–12 §§ (5 kap. 17 §
//! for fullmäktige) as the meeting engine applies it
//! ([`crate::proceedings`]'s `Serve`): this module does not restate it, it
//! asks the engine. The proposal is the substitute the engine would accept
//! if everyone free came: so the meeting screen and the call-in never
//! disagree.

use crate::meeting::MeetingStatus;
use crate::proceedings::{Command, Proceedings, Setting};
use crate::{PersonId, Refusal};

/// One member whose place is to be filled, and who fills it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub member: PersonId,
    /// The substitute first in the serving order among those free; `None`
    /// when no substitute is free.
    pub substitute: Option<PersonId>,
}

/// The substitutes to call in for `absent` members (in the order given,
/// usually the roster's), given who cannot come (`unavailable`: substitutes
/// with förhinder of their own) and the calls already made (`called`:
/// substitute, member), which keep their substitute. A member already
/// called for gets no proposal; a person in `absent` who is not a member
/// of the body is refused.
pub fn proposals(
    setting: &Setting,
    absent: &[PersonId],
    unavailable: &[PersonId],
    called: &[(PersonId, PersonId)],
) -> Result<Vec<Proposal>, Refusal> {
    let mut setting = setting.clone();
    // The order does not depend on how far the meeting has come; the
    // engine is asked about the planned meeting.
    setting.meeting.status = MeetingStatus::Planned;
    for item in &mut setting.items {
        item.paragraph = None;
    }
    for member in absent {
        if !setting
            .roster
            .iter()
            .any(|s| s.person.id == *member && s.role.is_member())
        {
            return Err(Refusal::new(
                "förhinder",
                format!("person {member} är inte ledamot i organet"),
            ));
        }
    }
    let substitutes: Vec<PersonId> = setting
        .roster
        .iter()
        .filter(|s| !s.role.is_member())
        .map(|s| s.person.id)
        .collect();
    let taken: Vec<PersonId> = called.iter().map(|(s, _)| *s).collect();
    let mut engine = Proceedings::new(setting)?;
    // Everyone free comes; the called-in are kept out of the pool, as they
    // serve elsewhere.
    for s in &substitutes {
        if !unavailable.contains(s) && !taken.contains(s) {
            engine.apply(Command::Arrive { person: *s })?;
        }
    }
    let mut out = Vec::new();
    for member in absent {
        if called.iter().any(|(_, m)| m == member) {
            continue;
        }
        let mut chosen = None;
        for s in &substitutes {
            let serve = Command::Serve {
                substitute: *s,
                replacing: *member,
            };
            // The engine accepts only the one first in order.
            if engine.apply(serve).is_ok() {
                chosen = Some(*s);
                break;
            }
        }
        out.push(Proposal {
            member: *member,
            substitute: chosen,
        });
    }
    Ok(out)
}

/// Whether `substitute` may be called in for `member` now: the one the
/// serving order gives ([`proposals`]). A call out of order is refused with
/// the name of the one who comes first, so that a secretary who skips
/// someone does it knowingly by recording that one's förhinder first.
pub fn check_call(
    setting: &Setting,
    member: PersonId,
    substitute: PersonId,
    absent: &[PersonId],
    unavailable: &[PersonId],
    called: &[(PersonId, PersonId)],
) -> Result<(), Refusal> {
    let at = "inkallelse";
    let name = |p: PersonId| {
        setting
            .roster
            .iter()
            .find(|s| s.person.id == p)
            .map(|s| s.person.display())
            .unwrap_or_else(|| format!("person {p}"))
    };
    if !setting
        .roster
        .iter()
        .any(|s| s.person.id == substitute && !s.role.is_member())
    {
        return Err(Refusal::new(
            at,
            format!("{} är inte ersättare i organet", name(substitute)),
        ));
    }
    if !absent.contains(&member) {
        return Err(Refusal::new(
            at,
            format!("{} har inte anmält förhinder", name(member)),
        ));
    }
    if let Some((s, _)) = called.iter().find(|(_, m)| *m == member) {
        return Err(Refusal::new(
            at,
            format!("{} är redan inkallad för {}", name(*s), name(member)),
        ));
    }
    if unavailable.contains(&substitute) {
        return Err(Refusal::new(
            at,
            format!("{} har själv anmält förhinder", name(substitute)),
        ));
    }
    let proposal = proposals(setting, absent, unavailable, called)?
        .into_iter()
        .find(|p| p.member == member)
        .and_then(|p| p.substitute);
    match proposal {
        Some(s) if s == substitute => Ok(()),
        Some(s) => Err(Refusal::new(
            at,
            format!(
                "{} står före {} i tjänstgöringsordningen för {}",
                name(s),
                name(substitute),
                name(member)
            ),
        )),
        None => Err(Refusal::new(
            at,
            format!(
                "ingen ersättare är ledig att tjänstgöra för {}",
                name(member)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::Meeting;
    use crate::org::{Body, BodyKind, Person, Role};
    use crate::proceedings::Seat;
    use crate::{BodyId, MeetingId, OrganisationId};

    /// Members 1–3 of A, 4–5 of B; substitutes 11, 12 of A and 13 of B.
    fn setting() -> Setting {
        let seat = |id: i64, group: &str, role: Role| Seat {
            person: Person {
                id: PersonId(id),
                name: format!("Person {id}"),
                party: Some(group.into()),
            },
            role,
            party_group: Some(group.into()),
        };
        Setting {
            meeting: Meeting {
                id: MeetingId(1),
                body: BodyId(1),
                date: jiff::civil::date(2026, 3, 10),
                starts: None,
                ends: None,
                place: "Sessionssalen".into(),
                status: MeetingStatus::NoticeIssued,
                secretary: None,
                chair: None,
                approvers: vec![],
                approval_place: None,
                attendance_complete: true,
                source_note: None,
            },
            items: vec![],
            body: Body {
                id: BodyId(1),
                organisation: OrganisationId(1),
                name: "Kommunstyrelsen".into(),
                short_name: None,
                kind: BodyKind::Styrelse,
                parent: None,
                seats: 5,
            },
            roster: vec![
                seat(1, "A", Role::Chair),
                seat(2, "A", Role::Member),
                seat(3, "A", Role::Member),
                seat(4, "B", Role::Member),
                seat(5, "B", Role::Member),
                seat(11, "A", Role::Substitute { order: 1 }),
                seat(12, "A", Role::Substitute { order: 2 }),
                seat(13, "B", Role::Substitute { order: 1 }),
            ],
            parties: vec![],
            first_number: 1,
            minority_used: vec![],
            floor: Default::default(),
        }
    }

    fn p(id: i64) -> PersonId {
        PersonId(id)
    }

    fn subs(proposals: &[Proposal]) -> Vec<Option<i64>> {
        proposals
            .iter()
            .map(|x| x.substitute.map(|s| s.0))
            .collect()
    }

    #[test]
    fn own_group_first_in_order_then_the_next() {
        let s = setting();
        assert_eq!(subs(&proposals(&s, &[p(2)], &[], &[]).unwrap()), [Some(11)]);
        // Two of group A away: the first and the second in A's order.
        assert_eq!(
            subs(&proposals(&s, &[p(2), p(3)], &[], &[]).unwrap()),
            [Some(11), Some(12)]
        );
        assert_eq!(subs(&proposals(&s, &[p(4)], &[], &[]).unwrap()), [Some(13)]);
    }

    #[test]
    fn another_group_only_when_none_of_the_own_is_free() {
        let s = setting();
        // B's only substitute has förhinder: A's first serves for B.
        assert_eq!(
            subs(&proposals(&s, &[p(4)], &[p(13)], &[]).unwrap()),
            [Some(11)]
        );
        // Three of A away with two A substitutes: B's substitute the third.
        assert_eq!(
            subs(&proposals(&s, &[p(1), p(2), p(3)], &[], &[]).unwrap()),
            [Some(11), Some(12), Some(13)]
        );
        // Nobody left.
        assert_eq!(
            subs(&proposals(&s, &[p(1), p(2), p(3), p(4)], &[], &[]).unwrap()),
            [Some(11), Some(12), Some(13), None]
        );
    }

    #[test]
    fn a_call_already_made_keeps_its_substitute() {
        let s = setting();
        let called = [(p(11), p(2))];
        // 2 has 11; 3 gets the next, and 2 gets no new proposal.
        let got = proposals(&s, &[p(2), p(3)], &[], &called).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].member, got[0].substitute), (p(3), Some(p(12))));
    }

    #[test]
    fn a_call_out_of_order_is_refused_with_the_one_before() {
        let s = setting();
        let err = check_call(&s, p(2), p(12), &[p(2)], &[], &[]).unwrap_err();
        assert!(
            err.reason.contains("Person 11 (A) står före Person 12 (A)"),
            "{err}"
        );
        check_call(&s, p(2), p(11), &[p(2)], &[], &[]).unwrap();
        // Skipping 11 is done by recording 11's förhinder.
        check_call(&s, p(2), p(12), &[p(2)], &[p(11)], &[]).unwrap();
        let err = check_call(&s, p(2), p(11), &[p(2)], &[p(11)], &[]).unwrap_err();
        assert!(err.reason.contains("själv anmält förhinder"), "{err}");
        let err = check_call(&s, p(3), p(11), &[p(2)], &[], &[]).unwrap_err();
        assert!(err.reason.contains("har inte anmält förhinder"), "{err}");
        let err = check_call(&s, p(2), p(4), &[p(2)], &[], &[]).unwrap_err();
        assert!(err.reason.contains("är inte ersättare"), "{err}");
        let err = check_call(&s, p(2), p(12), &[p(2)], &[], &[(p(11), p(2))]).unwrap_err();
        assert!(err.reason.contains("redan inkallad"), "{err}");
        assert!(proposals(&s, &[p(11)], &[], &[]).is_err());
    }
}

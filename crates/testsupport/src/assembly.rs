//! A meeting with a votering open (#20's crash test and load bench): a
//! body of `n` members, each with a user account linked to their person,
//! meeting in public on one day with one item, everyone present, two
//! yrkanden put and a votering requested; [`open_votering`] approves the
//! voting order (the engine's command, as the chair's button does).

use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::meeting::{Actor, AgendaItem, ItemKind, ProposalKind};
use kansli_core::org::{BodyKind, Membership, Role};
use kansli_core::proceedings::Command;
use kansli_core::{Access, BodyId, MeetingId, OrganisationId, PersonId};
use kansli_store::{Store, StoreError};

/// The item's title, as the live pages show it.
pub const ITEM: &str = "Svar på motion om nattbussar";

/// What [`prepare`] made.
pub struct Assembly {
    pub body: BodyId,
    pub meeting: MeetingId,
    /// Every member: (username, person), the chair first.
    pub members: Vec<(String, PersonId)>,
}

/// The username of member `i` (0-based), the chair being 0.
pub fn username(prefix: &str, i: usize) -> String {
    format!("{prefix}{:03}", i + 1)
}

/// Makes a body `name` of `n` members (n ≥ 2) in `organisation`, whose
/// term must cover `day`, users `{prefix}001`… with `password`, and its
/// meeting on `day` up to a votering requested (the voting order not yet
/// approved).
pub async fn prepare(
    store: &Store,
    organisation: OrganisationId,
    name: &str,
    prefix: &str,
    n: usize,
    password: &str,
    day: jiff::civil::Date,
) -> Result<Assembly, StoreError> {
    assert!(n >= 2, "a votering needs two yrkanden from two members");
    let term = store
        .terms(organisation)
        .await?
        .into_iter()
        .find(|t| t.starts <= day && day <= t.ends)
        .expect("a term that covers the day");
    let parties = ["S", "M", "SD", "C", "V", "KD", "L", "MP"];
    let mut tx = store.begin("system:test").await?;
    let seats = u16::try_from(n).expect("seats");
    let body = tx
        .add_body(organisation, name, None, BodyKind::Fullmaktige, None, seats)
        .await?;
    tx.set_meets_in_public(body, true).await?;
    let mut members = Vec::with_capacity(n);
    let mut memberships = Vec::with_capacity(n);
    for i in 0..n {
        let party = parties[i % parties.len()];
        let display = format!("Ledamot {:03}", i + 1);
        let person = tx.add_person(&display, Some(party)).await?;
        memberships.push(Membership {
            person,
            body,
            term: term.id,
            role: if i == 0 { Role::Chair } else { Role::Member },
            party_group: Some(party.into()),
        });
        let user = username(prefix, i);
        let id = tx.add_user(&user, &display, password, false).await?;
        tx.link_person(id, person).await?;
        members.push((user, person));
    }
    tx.add_memberships(&memberships).await?;
    let meeting = tx.plan_meeting(body, day, None, "Plenisalen").await?;
    tx.set_agenda(
        meeting,
        &[AgendaItem {
            title: ITEM.into(),
            case: None,
            kind: ItemKind::Decision,
            access: Access::Public,
            basis: vec![],
            paragraph: None,
            presenter: None,
        }],
    )
    .await?;
    tx.issue_notice(meeting).await?;
    tx.commit().await?;

    let decides = |text: &str| Decision::single(Formula::Decides, vec![Clause::new(text)]);
    let mover = |p: PersonId| vec![Actor::Person { person: p }];
    let mut commands: Vec<Command> = members
        .iter()
        .map(|(_, p)| Command::Arrive { person: *p })
        .collect();
    commands.extend([
        Command::Open {
            at: None,
            on: Some(day),
        },
        Command::TakeUp {
            item: 0,
            draft_decision: Some(decides("avslå motionen")),
        },
        Command::Move {
            movers: mover(members[0].1),
            kind: ProposalKind::Bifall,
            text: "bifall till motionen".into(),
            decision: Some(decides("bifalla motionen")),
        },
        Command::Move {
            movers: mover(members[1].1),
            kind: ProposalKind::Avslag,
            text: "avslag på motionen".into(),
            decision: Some(decides("avslå motionen")),
        },
        Command::Put {
            put: vec![0, 1],
            found_for: Some(1),
        },
        Command::RequestVote { by: members[0].1 },
    ]);
    let mut tx = store.begin("user:sekreterare").await?;
    for c in &commands {
        tx.record_command(meeting, c).await?;
    }
    tx.commit().await?;
    Ok(Assembly {
        body,
        meeting,
        members,
    })
}

/// The voting order approved: the votering is open.
pub async fn open_votering(store: &Store, meeting: MeetingId) -> Result<(), StoreError> {
    let mut tx = store.begin("user:sekreterare").await?;
    tx.record_command(
        meeting,
        &Command::ApproveVotingOrder {
            ja: Some(1),
            nej: Some(0),
        },
    )
    .await?;
    tx.commit().await
}

//! What the members' tests add to the demo: substitutes of Regionstyrelsen
//! with accounts, a secret item on its planned meeting of 2025-02-26, a
//! secret and a public document of a case on that agenda, and an account
//! for a member of regionfullmäktige only (Johan Lindahl).

#![allow(dead_code)]

use kansli_core::case::{Direction, DocumentKind};
use kansli_core::meeting::{AgendaItem, ItemKind};
use kansli_core::org::{Membership, Role};
use kansli_core::{Access, AttachmentId, BodyId, MeetingId, OrganisationId, PersonId};
use kansli_store::Store;

pub const SECRET_TITLE: &str = "Personalärende: uppsägning av enhetschef NN";
pub const SECRET_DOC: &str = "Utredning om arbetsbrist (hemlig)";
pub const SECRET_GROUND: &str = "OSL 39 kap. 1 §";
/// The meeting the tests run on.
pub const DATE: &str = "2025-02-26";

pub struct Fixture {
    pub rs: BodyId,
    pub meeting: MeetingId,
    /// Substitutes: Anna Andersson (S) 1, Bo Berg (S) 2, Cecilia Carlsson (M) 1.
    pub anna: PersonId,
    pub bo: PersonId,
    pub cecilia: PersonId,
    pub per: PersonId,
    pub mikaela: PersonId,
    /// The position (0-based) of the secret item.
    pub secret_item: usize,
    pub secret_file: AttachmentId,
    pub public_file: AttachmentId,
}

pub async fn prepare(store: &Store, org: OrganisationId) -> Fixture {
    let rs = store
        .bodies(org)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.name == "Regionstyrelsen")
        .unwrap()
        .id;
    let meeting = store
        .all_meetings()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.meeting.body == rs && m.meeting.date.to_string() == DATE)
        .unwrap()
        .meeting
        .id;
    let term = store.members(rs).await.unwrap()[0].term.id;
    let pw = kansli_demo::DEMO_PASSWORD;
    let mut tx = store.begin("test").await.unwrap();
    let mut substitutes = Vec::new();
    for (username, name, party, order) in [
        ("anna", "Anna Andersson", "S", 1),
        ("bo", "Bo Berg", "S", 2),
        ("cecilia", "Cecilia Carlsson", "M", 1),
    ] {
        let p = tx.add_person(name, Some(party)).await.unwrap();
        tx.add_memberships(&[Membership {
            person: p,
            body: rs,
            term,
            role: Role::Substitute { order },
            party_group: Some(party.into()),
        }])
        .await
        .unwrap();
        let u = tx.add_user(username, name, pw, false).await.unwrap();
        tx.link_person(u, p).await.unwrap();
        tx.set_email(u, Some(&format!("{username}@example.se")))
            .await
            .unwrap();
        substitutes.push(p);
    }
    let lindahl = tx.person_named("Johan Lindahl").await.unwrap().unwrap();
    let u = tx
        .add_user("lindahl", "Johan Lindahl", pw, false)
        .await
        .unwrap();
    tx.link_person(u, lindahl).await.unwrap();
    tx.set_email(u, Some("lindahl@example.se")).await.unwrap();
    let per = tx.person_named("Per Persson").await.unwrap().unwrap();
    let mikaela = tx
        .person_named("Mikaela Waltersson")
        .await
        .unwrap()
        .unwrap();
    let case = tx.case_numbered(org, "RS241274").await.unwrap().unwrap();
    let secret = tx
        .add_document(
            case,
            DocumentKind::Other,
            SECRET_DOC,
            jiff::civil::date(2025, 2, 3),
            &Direction::Internal,
            &Access::Secret {
                ground: SECRET_GROUND.into(),
            },
        )
        .await
        .unwrap();
    let secret_file = tx
        .attach_file(secret, "utredning.pdf", b"%PDF-1.4\n%HEMLIG\n")
        .await
        .unwrap();
    let public = tx
        .add_document(
            case,
            DocumentKind::Other,
            "Verksamhetsplan 2025",
            jiff::civil::date(2025, 2, 3),
            &Direction::Internal,
            &Access::Public,
        )
        .await
        .unwrap();
    let public_file = tx
        .attach_file(public, "plan.pdf", b"%PDF-1.4\n%PUBLIC\n")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut items = store.meeting_record(meeting).await.unwrap().items;
    items.push(AgendaItem {
        title: SECRET_TITLE.into(),
        case: None,
        kind: ItemKind::Decision,
        access: Access::Secret {
            ground: SECRET_GROUND.into(),
        },
        basis: vec![],
        paragraph: None,
        presenter: None,
    });
    let secret_item = items.len() - 1;
    let mut tx = store.begin("test").await.unwrap();
    tx.set_agenda(meeting, &items).await.unwrap();
    tx.commit().await.unwrap();
    Fixture {
        rs,
        meeting,
        anna: substitutes[0],
        bo: substitutes[1],
        cecilia: substitutes[2],
        per,
        mikaela,
        secret_item,
        secret_file,
        public_file,
    }
}

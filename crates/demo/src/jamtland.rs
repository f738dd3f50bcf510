//! Jämtland: the municipalities of Jämtlands län, through the steering group of
//! their joint Centrum mot våld, decide to run a KAST reception together.
//!
//! The source is the steering group's published reply to a debate article
//! (June 2021). It gives the decision, not the meeting: the date and those
//! present are unknown, which the meeting's `source_note` says.

use crate::*;
use kansli_core::case::{CaseNumberFormat, Direction, DocumentKind};
use kansli_core::meeting::{
    AgendaItem, ItemKind, Meeting, MeetingRecord, MeetingStatus, Paragraph,
};
use kansli_core::org::{BodyKind, OrganisationKind};
use kansli_core::{Access, MeetingId};

const BODY: &str = "Styrgruppen för Centrum mot våld";

pub(crate) async fn load(tx: &mut Tx) -> Result<(), StoreError> {
    let org = tx
        .add_organisation(
            "Jämtlands läns kommuner – Centrum mot våld",
            OrganisationKind::Samverkan,
            &CaseNumberFormat::Slashed {
                series: "CMV".into(),
            },
        )
        .await?;
    // One seat for each of the county's eight municipalities.
    let body = tx
        .add_body(org, BODY, None, BodyKind::Other, None, 8)
        .await?;
    tx.add_term(org, d(2019, 1, 1), d(2022, 12, 31)).await?;
    let (case, _) = tx
        .register_case(
            org,
            "Samverkan kring mottagning för köpare av sexuella tjänster (KAST-mottagning)",
            d(2021, 1, 4),
        )
        .await?;
    tx.add_document(
        case,
        DocumentKind::Statement,
        "Debattsvar om KAST-mottagning: \"Viktigt arbete på flera fronter\"",
        d(2021, 6, 11),
        &Direction::Outgoing {
            receiver: "Östersunds-Posten och Länstidningen".into(),
        },
        &Access::Public,
    )
    .await?;

    let mut p = Paragraph::new(1, "Samverkan kring KAST-mottagning inom Centrum mot våld");
    p.matter = "Länets kommuner samverkar redan i Centrum mot våld. Mottagningen för den som köper sexuella tjänster inryms i den verksamheten och öppnar hösten 2021, finansierad med medel från Länsstyrelsen. Samtalen är frivilliga och individuella och syftar till att personen ska ta ansvar för och ändra sitt beteende. Mottagningen ska kunna ta emot personer som polis och socialtjänst hänvisar efter ett sexköpsbrott och den som själv söker stöd.".into();
    let decision = decision(vec![part(
        BODY,
        Formula::Decides,
        &format!("{BODY} beslutar att"),
        clauses(&[
            "länets kommuner samverkar kring en mottagning för personer som köper sexuella tjänster (KAST-mottagning)",
            "mottagningen inryms i Centrum mot våld och öppnar hösten 2021",
            "mottagningen finansieras med medel från Länsstyrelsen",
        ]),
    )]);
    p.decision = Some(decision.clone());
    p.draft_decision = Some(decision);

    tx.add_meeting(&MeetingRecord {
        meeting: Meeting {
            id: MeetingId(0),
            body,
            date: d(2021, 6, 9),
            starts: None,
            ends: None,
            place: "Östersund".into(),
            status: MeetingStatus::Held,
            secretary: None,
            chair: None,
            approvers: vec![],
            approval_place: None,
            attendance_complete: false,
            source_note: Some(
                "Återgivet ur styrgruppens debattsvar (juni 2021), inte ur protokollet. Beslutet var fattat senast 2021-06-09, då det kritiserades i en debattartikel; sammanträdets datum, paragrafnummer och närvaro framgår inte av källan.".into(),
            ),
        },
        items: vec![AgendaItem {
            title: p.title.clone(),
            case: Some(case),
            kind: ItemKind::Decision,
            access: Access::Public,
            basis: vec![],
            paragraph: Some(p),
            presenter: None,
        }],
        attendance: vec![],
    })
    .await?;
    Ok(())
}

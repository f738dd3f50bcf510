//! Umeå kommun: individ- och familjenämnden decides to introduce a KAST
//! reception within Centrum mot våld's mansmottagning, after refusing a motion
//! for återremiss from KD, M, C and L; L, C and M reserve themselves.
//!
//! The source is the municipality's news item of August 2017, not the
//! protocol: the meeting date, the paragraph number and the attendance are not
//! in it, which the meeting's `source_note` tells readers.

use crate::*;
use kansli_core::case::{CaseNumberFormat, Direction, DocumentKind};
use kansli_core::meeting::{
    AgendaItem, Attendee, Capacity, ItemKind, Meeting, MeetingRecord, MeetingStatus, Paragraph,
    Proposal, ProposalKind, Proposition, Reservation,
};
use kansli_core::org::{BodyKind, Membership, OrganisationKind, Role};
use kansli_core::{Access, MeetingId};

const IFN: &str = "Individ- och familjenämnden";

pub(crate) async fn load(tx: &mut Tx) -> Result<(), StoreError> {
    let org = tx
        .add_organisation(
            "Umeå kommun",
            OrganisationKind::Kommun,
            &CaseNumberFormat::Slashed {
                series: "IFN".into(),
            },
        )
        .await?;
    tx.add_body(
        org,
        "Kommunfullmäktige",
        Some("KF"),
        BodyKind::Fullmaktige,
        None,
        65,
    )
    .await?;
    let ifn = tx
        .add_body(org, IFN, Some("IFN"), BodyKind::Namnd, None, 13)
        .await?;
    let term = tx.add_term(org, d(2015, 1, 1), d(2018, 12, 31)).await?;
    let lundgren = tx.add_person("Andreas Lundgren", Some("S")).await?;
    let sjölander = tx.add_person("Anna-Karin Sjölander", Some("C")).await?;
    tx.add_memberships(&[
        Membership {
            person: lundgren,
            body: ifn,
            term,
            role: Role::Chair,
            party_group: Some("S".into()),
        },
        Membership {
            person: sjölander,
            body: ifn,
            term,
            role: Role::FirstViceChair,
            party_group: Some("C".into()),
        },
    ])
    .await?;

    let decided = d(2017, 8, 16);
    let (case, _) = tx
        .register_case(
            org,
            "Insatser mot prostitution och människohandel: KAST-mottagning",
            d(2017, 3, 7),
        )
        .await?;
    tx.add_document(
        case,
        DocumentKind::Announcement,
        "Nyhet: Mottagning för sexköpare ska motarbeta sexhandel",
        decided,
        &Direction::Outgoing {
            receiver: "Allmänheten (umea.se)".into(),
        },
        &Access::Public,
    )
    .await?;

    let mut p = Paragraph::new(
        1,
        "Införande av KAST-mottagning, mottagning för köpare av sexuella tjänster",
    );
    p.matter = "Nämnden har låtit utreda stöd till personer i prostitution och människohandel och till den som köper sex. Förvaltningen föreslår att Mansmottagningen inom Centrum mot våld, inom sin befintliga verksamhet, börjar ge rådgivning och stöd till personer som köper sex. Stödet till personer som har sex mot ersättning och till dem som utsatts för människohandel återkommer förvaltningen med när pågående översyner är klara.".into();
    p.proposals = vec![
        Proposal {
            movers: vec![party("KD"), party("M"), party("C"), party("L")],
            kind: ProposalKind::Aterremiss,
            text: "att ärendet återremitteras i avvaktan på den begärda utredningen".into(),
            withdrawn: false,
            decision: None,
        },
        Proposal {
            movers: vec![party("S")],
            kind: ProposalKind::Bifall,
            text: "bifall till förvaltningens förslag".into(),
            withdrawn: false,
            decision: None,
        },
    ];
    p.propositions = vec![Proposition {
        put: vec![0],
        found_for: None,
        by_minority: false,
        wording: "Ordföranden ställer proposition på om ärendet ska avgöras i dag eller återremitteras och finner att nämnden beslutar att avgöra ärendet i dag.".into(),
    }];
    let decision = decision(vec![part(
        IFN,
        Formula::Decides,
        &format!("{IFN} beslutar att"),
        clauses(&[
            "införa KAST-mottagning, mottagning för köpare av sexuella tjänster, genom att Mansmottagningen inom Centrum mot våld inom befintlig verksamhet erbjuder rådgivning och stöd till personer som köper sex",
            "förvaltningen återkommer till nämnden om stöd till personer som har sex mot ersättning och till personer utsatta för människohandel när pågående översyner är klara",
        ]),
    )]);
    p.decision = Some(decision.clone());
    p.draft_decision = Some(decision);
    p.reservations = vec![Reservation {
        by: vec![party("L"), party("C"), party("M")],
        in_favour_of: None,
        text: "Liberalerna, Centerpartiet och Moderaterna reserverar sig mot beslutet till förmån för egna yrkanden.".into(),
        reasons: None,
    }];
    p.dispatch = Some(vec!["Socialtjänsten, Centrum mot våld".into()]);

    tx.add_meeting(&MeetingRecord {
        meeting: Meeting {
            id: MeetingId(0),
            body: ifn,
            date: decided,
            starts: None,
            ends: None,
            place: "Umeå".into(),
            status: MeetingStatus::Held,
            secretary: None,
            chair: Some(lundgren),
            approvers: vec![],
            approval_place: None,
            attendance_complete: false,
            source_note: Some(
                "Återgivet ur Umeå kommuns nyhet om beslutet (augusti 2017), inte ur protokollet. Sammanträdets datum, paragrafnummer och närvaro framgår inte av källan; datumet är nyhetens och närvarolistan är ofullständig.".into(),
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
        attendance: vec![
            Attendee {
                person: lundgren,
                capacity: Capacity::Member,
                paragraphs: vec![],
            },
            Attendee {
                person: sjölander,
                capacity: Capacity::Member,
                paragraphs: vec![],
            },
        ],
    })
    .await?;
    Ok(())
}

//! Region Halland: the meeting of Regionstyrelsens arbetsutskott on
//! 2025-01-28 and the KAST case RS231470 through its life.
//!
//! The protocol's facts (who, what was decided, the votes) are as the protocol
//! records them; the Ärendet texts are the project's own summaries. The
//! protocol's approval dates are blank in the source, so the meeting is stored
//! as held, not approved. Registration dates of cases other than RS231470 are
//! not in the sources and are set to the first working day of the number's
//! year; the dates of the planned meetings are set for the demo and say so.

use crate::*;
use kansli_core::case::{
    CaseNumberFormat, Direction, DocumentKind, Motion, OfficerReport, Signatory,
};
use kansli_core::meeting::{
    AgendaItem, Attendee, Ballot, Capacity, ItemKind, Meeting, MeetingRecord, MeetingStatus,
    Paragraph, Proposal, ProposalKind, Proposition, Reservation, Vote, VoteChoice,
};
use kansli_core::org::{BodyKind, Membership, OrganisationKind, Role};
use kansli_core::{Access, BodyId, CaseId, MeetingId};

/// The arbetsutskott whose 2025-01-28 meeting the demo holds in full.
pub const RSAU: &str = "Regionstyrelsens arbetsutskott";

pub(crate) async fn load(tx: &mut Tx) -> Result<(), StoreError> {
    let org = tx
        .add_organisation(
            MARKER_ORGANISATION,
            OrganisationKind::Region,
            &CaseNumberFormat::Compact {
                series: "RS".into(),
                digits: 4,
            },
        )
        .await?;
    let rf = tx
        .add_body(
            org,
            "Regionfullmäktige",
            Some("RF"),
            BodyKind::Fullmaktige,
            None,
            71,
        )
        .await?;
    let rs = tx
        .add_body(
            org,
            "Regionstyrelsen",
            Some("RS"),
            BodyKind::Styrelse,
            None,
            15,
        )
        .await?;
    let rsau = tx
        .add_body(org, RSAU, Some("RSAU"), BodyKind::Utskott, Some(rs), 5)
        .await?;
    let term = tx.add_term(org, d(2023, 1, 1), d(2026, 12, 31)).await?;

    // Members of the arbetsutskott, in the protocol's order.
    let waltersson = tx.add_person("Mikaela Waltersson", Some("M")).await?;
    let andersson = tx.add_person("Helene Andersson", Some("C")).await?;
    let bensköld = tx
        .add_person("Lise-Lotte Bensköld Olsson", Some("S"))
        .await?;
    let clingston = tx.add_person("My Clingston", Some("KD")).await?;
    let persson = tx.add_person("Per Persson", Some("S")).await?;
    // Movers of motions in regionfullmäktige.
    let lindahl = tx.add_person("Johan Lindahl", Some("S")).await?;
    let eksted = tx.add_person("Anna Eksted Lingvall", Some("S")).await?;
    let mkarlsson = tx.add_person("Malin Karlsson", Some("S")).await?;
    let isaksson = tx.add_person("Stina Isaksson", Some("SD")).await?;
    let strand = tx.add_person("Jonas Strand", Some("S")).await?;
    let hamnér = tx.add_person("Karolin Hamnér", None).await?;

    let presidium = [
        (waltersson, Role::Chair, "M"),
        (andersson, Role::FirstViceChair, "C"),
        (bensköld, Role::SecondViceChair, "S"),
        (clingston, Role::Member, "KD"),
        (persson, Role::Member, "S"),
    ];
    let seats = |body: BodyId, people: &[(PersonId, Role, &str)]| -> Vec<Membership> {
        people
            .iter()
            .map(|(person, role, group)| Membership {
                person: *person,
                body,
                term,
                role: *role,
                party_group: Some(group.to_string()),
            })
            .collect()
    };
    tx.add_memberships(&seats(rsau, &presidium)).await?;
    tx.add_memberships(&seats(rs, &presidium)).await?;
    let mut fullmäktige: Vec<(PersonId, Role, &str)> = presidium
        .iter()
        .map(|(p, _, g)| (*p, Role::Member, *g))
        .collect();
    fullmäktige.extend([
        (lindahl, Role::Member, "S"),
        (eksted, Role::Member, "S"),
        (mkarlsson, Role::Member, "S"),
        (isaksson, Role::Member, "SD"),
        (strand, Role::Member, "S"),
    ]);
    tx.add_memberships(&seats(rf, &fullmäktige)).await?;

    let cases = register_cases(tx, org).await?;
    let case = |number: &str| cases.iter().find(|(n, _)| *n == number).map(|(_, id)| *id);
    let kast = case("RS231470").expect("registered above");

    // The KAST motion and the officer's report.
    let kast_movers = vec![lindahl, eksted, mkarlsson];
    let motion_doc = tx
        .add_document(
            kast,
            DocumentKind::Motion,
            "Motion om mottagning för köpare av sexuella tjänster (KAST-mottagning)",
            d(2023, 12, 4),
            &Direction::Incoming {
                sender: "Johan Lindahl (S), Anna Eksted Lingvall (S), Malin Karlsson (S)".into(),
            },
            &Access::Public,
        )
        .await?;
    tx.add_motion(&Motion {
        case: kast,
        title: "Motion om mottagning för köpare av sexuella tjänster (KAST-mottagning)".into(),
        filed: d(2023, 12, 4),
        movers: kast_movers,
        filed_in: rf,
        referred_to: Some(rs),
    })
    .await?;
    let report_doc = tx
        .add_document(
            kast,
            DocumentKind::OfficerReport,
            "Beslutsförslag: Svar på motion om KAST-mottagning",
            d(2024, 12, 3),
            &Direction::Internal,
            &Access::Public,
        )
        .await?;
    tx.add_officer_report(&kast_report(kast)).await?;

    let mut officials = Vec::new();
    for (name, title, range) in OTHERS_PRESENT {
        let id = tx.add_person(name, None).await?;
        officials.push(Attendee {
            person: id,
            capacity: Capacity::Other {
                title: title.to_string(),
            },
            paragraphs: range.iter().copied().collect(),
        });
    }
    let record = rsau_meeting(
        rsau,
        &Officials {
            waltersson,
            andersson,
            bensköld,
            clingston,
            persson,
            hamnér,
            strand,
        },
        officials,
        &case,
        motion_doc,
        report_doc,
    );
    tx.add_meeting(&record).await?;

    // The case's next steps: regionstyrelsen, then regionfullmäktige.
    for (body, date, name) in [
        (rs, d(2025, 2, 26), "Regionstyrelsen"),
        (rf, d(2025, 4, 29), "Regionfullmäktige"),
    ] {
        tx.add_meeting(&planned(body, date, name, &case)).await?;
    }
    Ok(())
}

/// Others present ("Övriga") with their titles and the paragraphs they
/// attended (none: the whole meeting).
/// Name, title, and the paragraphs attended (none: the whole meeting).
type Present = (&'static str, &'static str, Option<(u32, u32)>);

const OTHERS_PRESENT: [Present; 11] = [
    ("Jan Törnell", "infrastrukturstrateg", Some((3, 3))),
    ("Bo-Josef Eriksson", "regional utvecklingsdirektör", None),
    ("Per Karlsson", "ekonomidirektör", None),
    (
        "Ola Johansson",
        "biträdande hälso- och sjukvårdsdirektör",
        None,
    ),
    ("Måns Arrrup", "it- och digitaliseringsdirektör", None),
    ("Cristine Karlsson", "biträdande regiondirektör", None),
    ("Johans Wiechel Steier", "kommunikationsdirektör", None),
    (
        "Erik Hansson",
        "verksamhetschef regional utveckling",
        Some((3, 3)),
    ),
    ("Katarina Lindh", "fastighetschef", Some((9, 9))),
    ("Henrik Lundahl", "kanslichef", None),
    (
        "Gösta Bergenheim",
        "ledamot Öresundståg AB styrelse",
        Some((5, 5)),
    ),
];

/// The cases of the meeting, with their ärendemening.
const CASES: [(&str, &str); 12] = [
    (
        "RS240123",
        "Reviderad avsiktsförklaring Halmstad C uppställningsbangård",
    ),
    (
        "RS241266",
        "Patientsäkerhetsarbete i Region Halland och nationellt",
    ),
    ("RS250087", "Ägarråd Öresundståg AB"),
    (
        "RS241274",
        "Verksamhetsplan och budget för Småland Blekinge Halland South Sweden 2025",
    ),
    ("RS250028", "STRING:s politiska forum 3-4 februari 2025"),
    ("RS240030", "Region Hallands bokslut 2024"),
    (
        "RS250067",
        "Policy för lokalförsörjning och riktlinje för fastighetsförvaltning",
    ),
    (
        "RS240886",
        "Nationell samordning, planering och ledning av hälso- och sjukvård inför höjd beredskap och krig (NSPL)",
    ),
    (
        "RS240682",
        "Motion från Sverigedemokraterna om utfasning av Region Hallands inköp av HVO100 och RME",
    ),
    (
        "RS240813",
        "Motion om att införa hjärtstartare på Hallandstrafikens bussar",
    ),
    (
        "RS231469",
        "Motion om mottagning för personer i sexuell exploatering (MIKA-mottagning)",
    ),
    (
        "RS231470",
        "Motion om mottagning för köpare av sexuella tjänster (KAST-mottagning)",
    ),
];

async fn register_cases(
    tx: &mut Tx,
    org: kansli_core::OrganisationId,
) -> Result<Vec<(&'static str, CaseId)>, StoreError> {
    let mut out = Vec::new();
    for (number, title) in CASES {
        let registered = match number {
            "RS231470" | "RS231469" => d(2023, 12, 4),
            n if n.starts_with("RS23") => d(2023, 1, 2),
            n if n.starts_with("RS24") => d(2024, 1, 2),
            _ => d(2025, 1, 2),
        };
        let id = tx
            .register_case_numbered(org, number, title, registered)
            .await?;
        out.push((number, id));
    }
    Ok(out)
}

fn kast_report(case: CaseId) -> OfficerReport {
    OfficerReport {
        case,
        date: d(2024, 12, 3),
        unit: vec!["Regionkontoret".into(), "Regional utveckling".into()],
        author: Signatory {
            name: "Amina Boulaabi".into(),
            title: "Social hållbarhetsstrateg".into(),
        },
        addressed_to: "Regionstyrelsen".into(),
        title: "Svar på motion om KAST-mottagning".into(),
        draft_decision: decision(vec![part(
            "Regionstyrelsen",
            proposes(&["regionfullmäktige"]),
            "Regionstyrelsen föreslår regionfullmäktige att",
            clauses(&["avslå motionen"]),
        )]),
        summary: "Johan Lindahl (S), Anna Eksted Lingvall (S) och Malin Karlsson (S) föreslår i en motion att regionen utreder om en eller flera KAST-mottagningar kan startas och drivas.\n\n\
                  En KAST-mottagning (köpare av sexuella tjänster) ger stöd till den som vill sluta köpa sex och drivs oftast av kommun och region tillsammans.\n\n\
                  Regionkontoret är positivt till att frågan utreds, men menar att en utredning bör börja på lokal nivå: sedan augusti 2021 ligger ansvaret för att få den som utövar våld mot närstående att ändra sitt beteende på socialtjänsten. Regionkontoret föreslår därför att motionen avslås.".into(),
        background: "Motionen anmäldes i regionfullmäktige 2023-12-04. Motionärerna vill att förutsättningarna för en gemensamt driven KAST-mottagning utreds, med dessa syften:\n\n\
                     - att färre köper sexuella tjänster, så att efterfrågan minskar\n\
                     - att lidandet minskar, både för den som köper och för den som säljer\n\
                     - att vårdbehovet på sikt minskar för båda\n\n\
                     Prostitution och människohandel för sexuella ändamål räknas i Sverige som en del av mäns våld mot kvinnor, som det sjätte jämställdhetspolitiska målet avser. Att köpa sex är straffbart; att sälja är det inte.\n\n\
                     Nationella studier av ungdomars sexualitet visar att omkring en procent av ungdomarna någon gång har sålt sex, och att den sexuella utsattheten bland unga har ökat. Brottsförebyggande rådet har beskrivit sexköp av barn som allvarliga övergrepp som sällan anmäls.\n\n\
                     KAST-mottagningarna erbjuder psykosociala stödsamtal till den som köper sex och upplever det som ett problem, stöd till anhöriga, och kunskap till andra yrkesgrupper.\n\n\
                     Sedan augusti 2021 ska socialnämnden enligt 5 kap. 11 a § socialtjänstlagen verka för att den som utsätter närstående för våld ändrar sitt beteende. Hälso- och sjukvården ska upptäcka och ge vård åt både våldsutsatta och våldsutövare. Länsstyrelsen i Hallands län samordnar länets våldsförebyggande arbete och leder en regional referensgrupp om människohandel och prostitution.".into(),
        considerations: "Hälso- och sjukvården har en viktig roll i att upptäcka våldsutövare och våldsutsatta och ge dem stöd och vård i tid, vilket också kan förebygga ohälsa längre fram.\n\n\
                         Region Halland har en organisation och rutiner för att upptäcka våldsutövare och våldsutsatta patienter och ge dem ett medicinskt och psykosocialt omhändertagande.\n\n\
                         Regionkontoret är positivt till en utredning, men den bör utgå från kommunernas lokala behov och göras i dialog med dem, eftersom ansvaret för att få våldsutövare att ändra beteende ligger på socialtjänsten.".into(),
        consequences: "Arbetet mot prostitution och människohandel är en del av målet att mäns våld mot kvinnor ska upphöra. Regionkontoret betonar att rutiner och kunskap i arbetet mot sexköp ska säkras inom den ordinarie strukturen.".into(),
        economic_consequences: "Beslutet har inga ekonomiska konsekvenser.".into(),
        signatories: vec![
            Signatory {
                name: "Krister Björkegren".into(),
                title: "Regiondirektör".into(),
            },
            Signatory {
                name: "Bo-Josef Eriksson".into(),
                title: "Regional utvecklingsdirektör".into(),
            },
        ],
        attachments: vec!["Motion om KAST-mottagning".into()],
        notify: vec!["Motionärerna".into()],
    }
}

struct Officials {
    waltersson: PersonId,
    andersson: PersonId,
    bensköld: PersonId,
    clingston: PersonId,
    persson: PersonId,
    hamnér: PersonId,
    strand: PersonId,
}

fn decides(text: &[&str]) -> Decision {
    decision(vec![part(
        RSAU,
        Formula::Decides,
        &format!("{RSAU} beslutar att"),
        clauses(text),
    )])
}

fn informed(text: &str) -> Decision {
    decision(vec![part(
        RSAU,
        Formula::NotesInformation,
        &format!("{RSAU} beslutar att"),
        clauses(&[text]),
    )])
}

fn to_rs_then_rf(recorded: &str, text: &[&str]) -> Decision {
    decision(vec![part(
        RSAU,
        proposes(&["regionstyrelsen", "regionfullmäktige"]),
        recorded,
        clauses(text),
    )])
}

fn item(
    kind: ItemKind,
    case: Option<CaseId>,
    mut paragraph: Paragraph,
    decided: Option<Decision>,
    matter: &str,
    basis_titles: &[&str],
) -> AgendaItem {
    paragraph.draft_decision = decided.clone();
    paragraph.decision = decided;
    paragraph.matter = matter.to_string();
    paragraph.basis = basis(basis_titles);
    // The protocol says «Expedieras inte» under the case items.
    paragraph.dispatch = case.map(|_| vec![]);
    AgendaItem {
        title: paragraph.title.clone(),
        case,
        kind,
        access: Access::Public,
        basis: paragraph.basis.clone(),
        paragraph: Some(paragraph),
        presenter: None,
    }
}

/// §13 and §14: the same course, a motion answered with a 3–2 vote.
fn motion_vote(p: &mut Paragraph, o: &Officials) {
    p.proposals = vec![
        Proposal {
            movers: vec![person(o.bensköld)],
            kind: ProposalKind::Bifall,
            text: "bifall till motionen".into(),
            withdrawn: false,
            decision: None,
        },
        Proposal {
            movers: vec![person(o.waltersson)],
            kind: ProposalKind::Avslag,
            text: "avslag till motionen".into(),
            withdrawn: false,
            decision: None,
        },
    ];
    p.propositions = vec![Proposition {
        put: vec![1, 0],
        found_for: Some(1),
        by_minority: false,
        wording: "Ordförande ställer de två förslagen mot varandra och finner att arbetsutskottet bifaller Mikaela Walterssons förslag till beslut, att avslå motionen.".into(),
    }];
    let ballot = |person, choice| Ballot { person, choice };
    p.votes = vec![Vote {
        ja: Some(1),
        nej: Some(0),
        ballots: vec![
            ballot(o.waltersson, VoteChoice::Ja),
            ballot(o.andersson, VoteChoice::Ja),
            ballot(o.bensköld, VoteChoice::Nej),
            ballot(o.clingston, VoteChoice::Ja),
            ballot(o.persson, VoteChoice::Nej),
        ],
        wording: "Med 3 ja-röster och 2 nej-röster bifaller arbetsutskottet Mikaela Walterssons förslag till beslut, att avslå motionen.".into(),
    }];
    p.reservations = vec![Reservation {
        by: vec![person(o.bensköld), person(o.persson)],
        in_favour_of: Some(0),
        text: "Lise-Lotte Bensköld Olsson (S) och Per Persson (S) reserverar sig mot beslutet till förmån för Lise-Lotte Bensköld Olssons förslag.".into(),
        reasons: None,
    }];
}

#[allow(clippy::vec_init_then_push)] // one push per paragraph reads like the protocol
fn rsau_meeting(
    rsau: BodyId,
    o: &Officials,
    others_present: Vec<Attendee>,
    case: &dyn Fn(&str) -> Option<CaseId>,
    motion_doc: kansli_core::DocumentId,
    report_doc: kansli_core::DocumentId,
) -> MeetingRecord {
    use ItemKind::{Decision as Dec, Information as Info};
    let mut items = Vec::new();

    items.push(item(
        Dec,
        None,
        Paragraph::new(1, "Justering"),
        Some(decides(&[
            "utse Lise-Lotte Bensköld Olsson (S) att jämte ordförande justera protokollet.",
        ])),
        "",
        &[],
    ));
    items.push(item(
        Dec,
        None,
        Paragraph::new(2, "Godkännande av föredragningslista"),
        Some(decides(&["godkänna föredragningslistan."])),
        "",
        &[],
    ));
    items.push(item(
        Info,
        case("RS240123"),
        Paragraph::new(3, "Information om reviderad avsiktsförklaring Halmstad C uppställningsbangård"),
        Some(informed("anteckna att information har lämnats i ärendet.")),
        "Utskottet informeras om arbetet med en avsiktsförklaring mellan Trafikverket och Region Halland om en ny uppställningsbangård för persontåg nära Halmstad C. Avsiktsförklaringen behövs för att åtgärden ska kunna komma med i nästa nationella plan för transportinfrastruktur 2026–2037. En spåranslutning till Halmstad hamn, som fanns med i tidigare förslag, drivs nu som ett eget projekt.\n\n\
         Åtgärden beräknas kosta omkring 290 miljoner kronor (prisnivå juni 2023). Region Halland bidrar med en mindre del ur den regionala infrastrukturplanen. Parterna avser att senare sluta avtal om finansiering och om ansvaret för anläggningen.",
        &[
            "Reviderad avsiktsförklaring Halmstad C uppställningsbangård",
            "Avsiktsförklaring Halmstad C uppställning 250117 utkast",
        ],
    ));
    items.push(item(
        Info,
        case("RS241266"),
        Paragraph::new(4, "Information om patientsäkerhetsarbete i Region Halland och nationellt (gemensam med HSU)"),
        Some(informed("anteckna att information har lämnats till utskottet.")),
        "Patientsäkerhet handlar om att undvika vårdskador och är en del av vårdens kvalitet. Utskottet informeras om hur Region Halland arbetar med patientsäkerhet och om det nationella arbetet genom Socialstyrelsen och regionernas system för kunskapsstyrning.\n\n\
         Hälso- och sjukvårdsutskottet deltar digitalt i ärendet.",
        &[
            "Information om patientsäkerhetsarbete i Region Halland och nationellt",
            "Patientsäkerhet och vården i Halland",
        ],
    ));
    items.push(item(
        Info,
        case("RS250087"),
        Paragraph::new(5, "Avstämning inför ägarråd Öresundståg AB"),
        Some(informed(
            "anteckna att avstämning har skett inför ägarråd med Öresundståg AB.",
        )),
        "Ägarrådet med Öresundståg AB hålls den 4 februari. Utskottet stämmer av inför ägarrådet.",
        &[],
    ));
    // §5 has no «Expedieras» line in the protocol.
    if let Some(p) = items.last_mut().and_then(|i| i.paragraph.as_mut()) {
        p.dispatch = None;
    }
    let sbhss = Decision {
        parts: vec![DecisionPart {
            formula: proposes(&["Regionstyrelsen"]),
            wording: Some(format!("{RSAU} föreslår Regionstyrelsen att besluta att;")),
            clauses: vec![Clause {
                text: "godkänna verksamhetsplan och budget för Småland Blekinge Halland South Sweden (SBHSS) 2025 med följande tillägg:".into(),
                items: vec![
                    "En skrivning om marin teknik läggs till under rubriken Innovation på sida 7 och i sista meningen av stycket under rubriken Innovation på sida 10 i verksamhetsplanen.".into(),
                    "Budgeten för 2026 ska inkludera en framåtblick för Brysselkontorets verksamhet.".into(),
                ],
            }],
        }],
    };
    items.push(item(
        Dec,
        case("RS241274"),
        Paragraph::new(6, "Godkännande av verksamhetsplan och budget för Småland Blekinge Halland South Sweden 2025"),
        Some(sbhss),
        "Brysselkontoret Småland Blekinge Halland South Sweden tar varje år fram en verksamhetsplan och en budget för nästa år, utifrån ägarnas prioriteringar och det som händer inom EU.\n\n\
         Styrgruppen för kontoret föreslår att varje ägare godkänner planen och budgeten för 2025 med två tillägg: en skrivning om marin teknik under rubriken Innovation, och en framåtblick för kontorets verksamhet i budgeten för 2026.",
        &[
            "Godkännande av verksamhetsplan och budget för Småland Blekinge Halland South Sweden 2025",
            "Styrgrupp för SBHSS 2024-12-13, §37, Verksamhetsplan och budget 2025",
        ],
    ));
    items.push(item(
        Info,
        case("RS250028"),
        Paragraph::new(7, "Avstämning inför STRING:s politiska forum 3-4 februari"),
        Some(informed("anteckna att avstämning har skett inför STRING:s politiska forum den 3-4 februari.")),
        "Region Halland är sedan 2018 medlem i STRING, ett politiskt samarbete längs korridoren från Oslo till Hamburg för bättre infrastruktur och grön tillväxt.\n\n\
         Nästa politiska forum hålls i Köpenhamn den 3–4 februari med Kiel som ordförande för 2025. Programmet innehåller studiebesök om stadsutveckling och Köpenhamns klimatplan. Forumet ska bland annat behandla överlämningen av ordförandeskapet, Kiels prioriteringar, samarbetets rättsliga form och ett fördjupat samarbete med OECD.",
        &[
            "Avstämning inför STRING:s politiska forum den 3-4 februari",
            "AGENDA STRING Political Forum on February 4th 2025",
        ],
    ));
    items.push(item(
        Info,
        case("RS240030"),
        Paragraph::new(8, "Information om Region Hallands preliminära bokslut 2024"),
        Some(Decision {
            parts: vec![DecisionPart {
                formula: Formula::NotesInformation,
                wording: Some(format!("{RSAU} beslutar att:")),
                clauses: clauses(&["anteckna att information om preliminärt bokslut för 2024 har lämnats till utskottet"]),
            }],
        }),
        "Det preliminära bokslutet för 2024, med resultaträkning och kommentarer, redovisas för utskottet. Den fullständiga årsredovisningen för 2024 läggs fram för regionstyrelsen i april.",
        &[
            "Beslutsförslag - Information om Region Hallands preliminära bokslut 2024",
            "Preliminärt bokslut Region Halland 2024",
        ],
    ));
    let lokal = Decision {
        parts: vec![
            DecisionPart {
                formula: proposes(&["regionstyrelsen", "regionfullmäktige"]),
                wording: Some(format!(
                    "{RSAU} föreslår regionstyrelsen besluta att föreslå regionfullmäktige besluta att:"
                )),
                clauses: clauses(&["fastställa policy för lokalförsörjning"]),
            },
            DecisionPart {
                formula: Formula::Proposes {
                    chain: vec!["regionstyrelsen".into()],
                    further: true,
                },
                wording: Some(format!(
                    "{RSAU} föreslår vidare regionstyrelsen besluta att:"
                )),
                clauses: clauses(&[
                    "fastställa riktlinje för fastighetsförvaltning i Region Halland",
                    "riktlinje för fastighetsförvaltning ersätter tidigare Riktlinjer för fastighetsprocessen som senast reviderades 2021-09-14,",
                    "fastställandet av riktlinjerna föresätter att regionfullmäktige fastställer tillhörande policy för lokalförsörjning",
                ]),
            },
        ],
    };
    items.push(item(
        Dec,
        case("RS250067"),
        Paragraph::new(9, "Beslut om policy för lokalförsörjning och Riktlinje för fastighetsförvaltning"),
        Some(lokal),
        "Regionens förvaltningar har tillsammans tagit fram en reviderad policy för lokalförsörjning och en ny riktlinje för fastighetsförvaltning. Riktlinjen ersätter riktlinjerna för fastighetsprocessen från 2020, senast reviderade av arbetsutskottet 2021-09-14. Båda dokumenten har varit på remiss hos alla förvaltningar och syftar till att förenkla, förtydliga och modernisera styrningen.",
        &[
            "Policy och riktlinjer lokalförsörjning Region Halland",
            "Policy lokalförsörjning",
            "Riktlinje fastighetsförvaltning",
        ],
    ));
    items.push(item(
        Info,
        case("RS240886"),
        Paragraph::new(10, "Information om och aktuell status för etablering av Nationell samordning, planering och ledning av hälso- och sjukvård inför höjd beredskap och krig (NSPL)"),
        Some(informed("anteckna att information har lämnats till utskottet.")),
        "Regionstyrelsen beslutade den 9 oktober 2024 (§141) att Region Halland ska delta i regionernas gemensamma arbete med nationell samordning och planering av hälso- och sjukvården inför och under höjd beredskap, och att regiondirektören ska hålla styrelsen informerad. Regiondirektören redovisar hur arbetet går.",
        &[
            "Samverkansavtal NSPL 20241219",
            "Verksamhetsplan och budget NSPL-2025 241210",
            "Regionstyrelsen §141, Beslut om deltagande i samarbetet kring NSPL (Nationell samordning och planering vid höjd beredskap och krig)",
        ],
    ));
    items.push(item(
        Dec,
        case("RS240682"),
        Paragraph::new(11, "Svar på motion från Sverigedemokraterna om utfasning av Region Hallands inköp av HVO100 och RME"),
        Some(to_rs_then_rf(
            &format!("{RSAU} föreslår regionstyrelsen besluta att föreslå Regionfullmäktige att besluta att"),
            &["avslå motionen."],
        )),
        "Sverigedemokraterna föreslår, genom Stina Isaksson, att regionstyrelsen får i uppdrag att ta fram en plan för att regionens egna och upphandlade verksamheter fasar ut inköpen av HVO100 och RME till förmån för konventionell diesel.\n\n\
         Regionen arbetar aktivt för att minska transporternas klimatpåverkan i linje med antagna policyer, planer och lagkrav. Regionkontoret föreslår att motionen avslås.",
        &[
            "Svar på motion från Sverigedemokraterna om utfasning av Region Hallands inköp av HVO100 och RME",
            "Motion från Sverigedemokraterna - Utfasning av Region Hallands inköp av HVO100 och RME",
        ],
    ));
    items.push(item(
        Dec,
        case("RS240813"),
        Paragraph::new(12, "Svar på motion om att införa hjärtstartare på Hallandstrafikens bussar"),
        Some(to_rs_then_rf(
            &format!("{RSAU} föreslår regionstyrelsen att föreslå Regionfullmäktige besluta att"),
            &["avslå motionen"],
        )),
        "Driftnämnden Kollektivtrafik yttrade sig 2024-10-03 över Sverigedemokraternas motion. Hjärtstartare i bussarna vore en stor investering som inte ryms i budgeten och skulle kunna leda till högre biljettpriser eller mindre trafik. Utifrån nämndens bedömning föreslår Regionkontoret att motionen avslås.",
        &[
            "Svar på motion om att införa hjärtstartare på Hallandstrafikens bussar",
            "Yttrande – Motion om att införa hjärtstartare på Hallandstrafikens bussar",
            "Motion från Sverigedemokraterna - Hjärtstartare på Hallandstrafikens bussar",
        ],
    ));
    let to_rf = |text: &str| {
        to_rs_then_rf(
            &format!("{RSAU} föreslår regionstyrelsen besluta att föreslå regionfullmäktige att"),
            &[text],
        )
    };
    let mut mika = item(
        Dec,
        case("RS231469"),
        Paragraph::new(
            13,
            "Svar på motion om mottagning för personer i sexuell exploatering (MIKA - mottagning)",
        ),
        Some(to_rf("avslå motionen")),
        "Johan Lindahl (S), Anna Eksted Lingvall (S) och Malin Karlsson (S) föreslår i en motion att regionen utreder om en eller flera MIKA-mottagningar kan startas, så att personer i prostitution får samlat stöd från både hälso- och sjukvården och socialtjänsten.\n\n\
         Regionkontoret vill förbättra vården för personer i prostitution och människohandel, men anser att det viktiga är att vården upptäcker utsatthet tidigt och ger rätt stöd, inte att särskilda mottagningar inrättas. Regionen har organisation och rutiner för att ta hand om sexuellt våldsutsatta patienter; arbetet bör gå ut på att stärka kompetensen och utveckla dessa rutiner. Regionkontoret föreslår att motionen avslås.",
        &[
            "Svar på motion MIKA - mottagning",
            "Motion från Socialdemokraterna avseende MIKA-mottagning",
        ],
    );
    motion_vote(mika.paragraph.as_mut().expect("set"), o);
    items.push(mika);
    let mut kast = item(
        Dec,
        case("RS231470"),
        Paragraph::new(
            14,
            "Svar på motion om mottagning för köpare av sexuella tjänster (KAST-mottagning)",
        ),
        Some(to_rf("avslå motionen")),
        "Johan Lindahl (S), Anna Eksted Lingvall (S) och Malin Karlsson (S) föreslår i en motion att regionen utreder om en eller flera regionala KAST-mottagningar kan startas och drivas.\n\n\
         En KAST-mottagning ger stöd till den som vill sluta köpa sexuella tjänster och drivs oftast gemensamt av kommun och region.\n\n\
         Regionkontoret är positivt till en utredning men anser att den bör börja på lokal nivå, eftersom socialtjänsten sedan augusti 2021 ansvarar för att den som utövar våld mot närstående ändrar sitt beteende. Regionkontoret föreslår att motionen avslås.",
        &[],
    );
    {
        let p = kast.paragraph.as_mut().expect("set");
        motion_vote(p, o);
        p.basis = vec![
            BasisItem {
                title: "Svar motion om KAST-mottagning".into(),
                document: Some(report_doc),
            },
            BasisItem {
                title: "Motion från Socialdemokraterna avseende KAST-mottagning".into(),
                document: Some(motion_doc),
            },
        ];
        kast.basis = p.basis.clone();
    }
    items.push(kast);
    let mut directors = Paragraph::new(15, "Direktörerna informerar (15 min)");
    directors.matter = "Vid sammanträdet lämnas följande information:\n\n\
        - Ola Johansson, tillförordnad hälso- och sjukvårdsdirektör: Emma Phil tillträder som hälso- och sjukvårdsdirektör den 1 februari 2025.\n\
        - Krister Björkegren, regiondirektör: HR-direktör Indre Grimpe har utsetts till ledamot i Nationella vårdkompetensrådet.\n\
        - Bo-Josef Eriksson, regional utvecklingsdirektör: om överbelastningsattacken mot Hallandstrafiken veckan innan.\n\
        - Måns Arrrup, IT- och digitaliseringsdirektör: om förberedelserna inför införandet av Cosmic."
        .into();
    items.push(AgendaItem {
        title: directors.title.clone(),
        case: None,
        kind: Info,
        access: Access::Public,
        basis: vec![],
        paragraph: Some(directors),
        presenter: None,
    });

    let member = |person| Attendee {
        person,
        capacity: Capacity::Member,
        paragraphs: vec![],
    };
    MeetingRecord {
        meeting: Meeting {
            id: MeetingId(0),
            body: rsau,
            date: d(2025, 1, 28),
            starts: Some(jiff::civil::time(14, 0, 0, 0)),
            ends: Some(jiff::civil::time(16, 0, 0, 0)),
            place: "Borgkammaren/Fataburen".into(),
            status: MeetingStatus::Held,
            secretary: Some(o.hamnér),
            chair: Some(o.waltersson),
            approvers: vec![o.bensköld],
            approval_place: None,
            attendance_complete: true,
            source_note: None,
        },
        items,
        // The protocol's order: members, the officials, then Jonas Strand.
        attendance: [
            member(o.waltersson),
            member(o.andersson),
            member(o.bensköld),
            member(o.clingston),
            Attendee {
                person: o.persson,
                capacity: Capacity::Member,
                paragraphs: vec![(5, 15)],
            },
        ]
        .into_iter()
        .chain(others_present)
        .chain([Attendee {
            person: o.strand,
            capacity: Capacity::Other {
                title: "ledamot hälso- och sjukvårdsutskottet".into(),
            },
            paragraphs: vec![(4, 4)],
        }])
        .collect(),
    }
}

/// A planned meeting of regionstyrelsen or regionfullmäktige with the
/// arbetsutskott's proposals on its agenda.
fn planned(
    body: BodyId,
    date: Date,
    name: &str,
    case: &dyn Fn(&str) -> Option<CaseId>,
) -> MeetingRecord {
    let entry = |number: &str, title: &str, basis_titles: &[&str]| AgendaItem {
        title: title.into(),
        case: case(number),
        kind: ItemKind::Decision,
        access: Access::Public,
        basis: basis(basis_titles),
        paragraph: None,
        presenter: None,
    };
    let mut items = vec![
        entry(
            "RS250067",
            "Policy för lokalförsörjning och riktlinje för fastighetsförvaltning",
            &["Regionstyrelsens arbetsutskott 2025-01-28 §9"],
        ),
        entry(
            "RS240682",
            "Svar på motion från Sverigedemokraterna om utfasning av Region Hallands inköp av HVO100 och RME",
            &["Regionstyrelsens arbetsutskott 2025-01-28 §11"],
        ),
        entry(
            "RS240813",
            "Svar på motion om att införa hjärtstartare på Hallandstrafikens bussar",
            &["Regionstyrelsens arbetsutskott 2025-01-28 §12"],
        ),
        entry(
            "RS231469",
            "Svar på motion om mottagning för personer i sexuell exploatering (MIKA-mottagning)",
            &["Regionstyrelsens arbetsutskott 2025-01-28 §13"],
        ),
        entry(
            "RS231470",
            "Svar på motion om mottagning för köpare av sexuella tjänster (KAST-mottagning)",
            &[
                "Beslutsförslag 2024-12-03: Svar på motion om KAST-mottagning",
                "Motion från Socialdemokraterna avseende KAST-mottagning",
                "Regionstyrelsens arbetsutskott 2025-01-28 §14",
            ],
        ),
    ];
    if name == "Regionstyrelsen" {
        items.insert(
            0,
            entry(
                "RS241274",
                "Godkännande av verksamhetsplan och budget för Småland Blekinge Halland South Sweden 2025",
                &["Regionstyrelsens arbetsutskott 2025-01-28 §6"],
            ),
        );
    }
    MeetingRecord {
        meeting: Meeting {
            id: MeetingId(0),
            body,
            date,
            starts: None,
            ends: None,
            place: "Regionens hus, Halmstad".into(),
            status: MeetingStatus::Planned,
            secretary: None,
            chair: None,
            approvers: vec![],
            approval_place: None,
            attendance_complete: true,
            source_note: Some(format!(
                "Planerat sammanträde i demonstrationsdata: {name}s behandling av arbetsutskottets förslag. Datum och plats är satta för demonstrationen."
            )),
        },
        items,
        attendance: vec![],
    }
}

/// The demo's classification plan for Region Halland: a small plan in the
/// style of KLASSA (codes and titles are the demo's own, not the region's).
const PLAN: [(&str, &str); 12] = [
    ("1", "Ledning och styrning"),
    ("1.1", "Politisk styrning och beslutsfattande"),
    ("1.2", "Ekonomistyrning, budget och bokslut"),
    ("1.3", "Motioner och medborgarförslag"),
    ("1.4", "Ägarstyrning av bolag"),
    ("2", "Hälso- och sjukvård"),
    ("2.1", "Patientsäkerhet och kvalitet"),
    ("2.2", "Krisberedskap och civilt försvar"),
    ("3", "Regional utveckling"),
    ("3.1", "Kollektivtrafik och infrastruktur"),
    ("3.2", "Samverkan och internationellt arbete"),
    ("4.1", "Lokalförsörjning och fastigheter"),
];

/// The diarium of the demo's cases: ärendetyp, classification and
/// handläggare, and the status each case has after the meeting of
/// 2025-01-28. The sources name only the KAST report's author; the other
/// cases have the demo's handläggare, and the statuses and the one secret
/// handling are set for the demo (a case decided by the arbetsutskott is
/// closed by beslut on the meeting's day, one waits for the state and is
/// vilande). Run after the other organisations, so that their ids stay.
pub(crate) async fn diarium(tx: &mut Tx) -> Result<(), StoreError> {
    use kansli_core::case::{Classification, Closing, StatusChange};
    use kansli_store::diarium::CaseDetails;
    let org = tx
        .organisation_named(MARKER_ORGANISATION)
        .await?
        .ok_or_else(|| StoreError::Corrupt("demoorganisationen saknas".into()))?
        .id;
    for (code, title) in PLAN {
        tx.set_classification(
            org,
            &Classification {
                code: code.into(),
                title: title.into(),
            },
        )
        .await?;
    }
    let author = tx.add_person("Amina Boulaabi", None).await?;
    let demo_officer = tx.add_person("Handläggaren (demo)", None).await?;
    // (number, ärendetyp, code, the report's author or the demo's officer)
    let cases: [(&str, &str, &str, bool); 12] = [
        ("RS240123", "Avtal", "3.1", false),
        ("RS241266", "Information", "2.1", false),
        ("RS250087", "Ägarstyrning", "1.4", false),
        ("RS241274", "Verksamhetsplan", "3.2", false),
        ("RS250028", "Information", "3.2", false),
        ("RS240030", "Bokslut", "1.2", false),
        ("RS250067", "Styrdokument", "4.1", false),
        ("RS240886", "Remiss", "2.2", false),
        ("RS240682", "Motion", "1.3", false),
        ("RS240813", "Motion", "1.3", false),
        ("RS231469", "Motion", "1.3", false),
        ("RS231470", "Motion", "1.3", true),
    ];
    let meeting_day = d(2025, 1, 28);
    for (number, case_type, code, by_author) in cases {
        let case = tx
            .case_numbered(org, number)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("demoärendet {number} saknas")))?;
        tx.set_case_details(
            case,
            &CaseDetails {
                officer: Some(if by_author { author } else { demo_officer }),
                case_type: Some(case_type.into()),
                classification: Some(code.into()),
            },
        )
        .await?;
        match number {
            // Information the arbetsutskott noted: nothing more to do.
            "RS250028" | "RS241266" => {
                tx.change_case_status(
                    case,
                    StatusChange::Close {
                        date: meeting_day,
                        how: Closing::Decision,
                    },
                    meeting_day,
                )
                .await?;
            }
            // Waiting for the state's assignment on NSPL.
            "RS240886" => {
                tx.register_document(
                    case,
                    DocumentKind::Letter,
                    "Underlag om regionens beredskapsplanering inför höjd beredskap",
                    meeting_day,
                    &Direction::Incoming {
                        sender: "Länsstyrelsen i Hallands län".into(),
                    },
                    &Access::Secret {
                        ground: "15 kap. 2 § OSL".into(),
                    },
                )
                .await?;
                tx.register_document(
                    case,
                    DocumentKind::Statement,
                    "Regionens svar på remissen om nationell samordning (NSPL)",
                    meeting_day,
                    &Direction::Outgoing {
                        receiver: "Socialdepartementet".into(),
                    },
                    &Access::Public,
                )
                .await?;
                tx.change_case_status(case, StatusChange::Dormant, meeting_day)
                    .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

//! From read models to documents: what each document says and in which
//! order. Pure functions; the layout belongs to the renderers.
//!
//! The protocol follows the standard Swedish layout (see DOMAIN.md, "Anatomy
//! of a protocol"): first page with attendance and signatures, the
//! Anslag/Bevis block, the ärendelista, then each paragraph with its sections
//! in a fixed order, and a voteringslista after each paragraph with a vote.

use crate::DocumentError;
use crate::model::*;
use crate::view::{
    AttendeeView, Block as Prose, CaseView, ChangeView, DecisionView, MeetingView, MemberView,
    OfficerReportView, OpenMotionView, ParagraphView, VoteView,
};

/// The boxes at the foot of each protocol page.
pub const FURNITURE: [&str; 3] = ["Ordförandes sign", "Justerares sign", "Utdragsbestyrkande"];

/// The sections of a paragraph, in the order the protocol prints them.
pub const SECTION_ORDER: [&str; 11] = [
    "Jäv",
    "Beslut",
    "Reservationer",
    "Ärendet",
    "Förslag till beslut",
    "Yrkanden",
    "Beslutsgång",
    "Omröstning",
    "Protokollsanteckningar",
    "Beslutsunderlag",
    "Expedieras till",
];

fn meta(kind: DocKind, title: &str, m: &MeetingView, full_title: String) -> Meta {
    Meta {
        kind,
        title: title.into(),
        organisation: m.summary.organisation.name.clone(),
        issuer: m.summary.body.name.clone(),
        issuer_lines: vec![],
        date_label: "Sammanträdesdatum".into(),
        date: m.summary.date.clone(),
        case_number: None,
        furniture: vec![],
        full_title,
        keywords: vec![
            m.summary.organisation.name.clone(),
            m.summary.body.name.clone(),
            m.summary.date.clone(),
        ],
        draft: None,
    }
}

/// "Borgkammaren/Fataburen, klockan 14:00–16:00 (svensk tid)": the times
/// are the meeting's own, local in Sweden (Europe/Stockholm), and the
/// protocol says so.
fn place_and_time(m: &MeetingView) -> String {
    let span = m.summary.time_span();
    if span.is_empty() {
        m.summary.place.clone()
    } else {
        format!("{}, klockan {span} (svensk tid)", m.summary.place)
    }
}

/// "Per Persson (S) (2:e vice ordförande) §§5-15"; an ordinary member's role
/// is left out, as protocols do.
fn attendee_line(a: &AttendeeView) -> String {
    let mut line = a.person.display.clone();
    if a.role_label != "ledamot" && !a.role_label.is_empty() {
        line.push_str(&format!(" ({})", a.role_label));
    }
    if !a.paragraphs.is_empty() {
        line.push(' ');
        line.push_str(&a.paragraphs);
    }
    line
}

fn prose(blocks: &[Prose]) -> Vec<Block> {
    blocks
        .iter()
        .map(|b| {
            if b.kind == "ul" {
                Block::list(b.lines.iter().cloned())
            } else {
                Block::text(b.lines.join(" "))
            }
        })
        .collect()
}

fn decision(d: &DecisionView) -> Vec<Block> {
    let mut out = Vec::new();
    for part in &d.parts {
        out.push(Block::text(&part.intro));
        out.push(Block::List {
            items: part
                .clauses
                .iter()
                .map(|c| ListItem {
                    text: c.text.clone(),
                    items: c.items.clone(),
                })
                .collect(),
        });
    }
    out
}

fn section(out: &mut Vec<Block>, heading: &str, blocks: Vec<Block>) {
    if !blocks.is_empty() {
        out.push(Block::heading(heading));
        out.extend(blocks);
    }
}

/// The sections of one paragraph, in [`SECTION_ORDER`].
pub fn paragraph_blocks(p: &ParagraphView, body: &str) -> Vec<Block> {
    let mut out = Vec::new();
    if !p.public {
        out.push(Block::text(format!(
            "Ärendet omfattas av sekretess{}. Innehållet visas inte i denna version av protokollet.",
            p.secrecy_ground
                .as_ref()
                .map(|g| format!(" ({g})"))
                .unwrap_or_default()
        )));
        return out;
    }
    if let Some(ground) = &p.secrecy_ground {
        // Only the official original shows a secret paragraph at all.
        out.push(Block::text(format!(
            "Paragrafen omfattas av sekretess ({ground}) och lämnas inte ut i den offentliga versionen av protokollet."
        )));
    }
    section(
        &mut out,
        "Jäv",
        p.disqualifications
            .iter()
            .map(|j| {
                Block::text(format!(
                    "{} anmäler jäv och deltar inte i handläggningen ({}).",
                    j.person.display, j.ground
                ))
            })
            .collect(),
    );
    section(
        &mut out,
        "Beslut",
        p.decision.as_ref().map(decision).unwrap_or_default(),
    );
    section(
        &mut out,
        "Reservationer",
        p.reservations
            .iter()
            .flat_map(|r| {
                std::iter::once(Block::text(&r.text)).chain(r.reasons.iter().map(Block::text))
            })
            .collect(),
    );
    section(&mut out, "Ärendet", prose(&p.matter));
    section(
        &mut out,
        "Förslag till beslut",
        p.draft_decision.as_ref().map(decision).unwrap_or_default(),
    );
    section(
        &mut out,
        "Yrkanden",
        p.proposals
            .iter()
            .map(|y| Block::text(&y.sentence))
            .collect(),
    );
    section(
        &mut out,
        "Beslutsgång",
        p.propositions.iter().map(Block::text).collect(),
    );
    section(
        &mut out,
        "Omröstning",
        p.votes.iter().flat_map(|v| vote_blocks(v, body)).collect(),
    );
    // #20 L4: each proportional election under its own heading
    // ("Proportionellt val av ledamöter", "… av ersättare"), after the
    // Omröstning.
    for e in &p.elections {
        section(
            &mut out,
            &e.heading,
            e.sentences.iter().map(Block::text).collect(),
        );
    }
    section(
        &mut out,
        "Protokollsanteckningar",
        p.minute_notes
            .iter()
            .map(|n| Block::text(format!("{}: {}", n.by, n.text)))
            .collect(),
    );
    if !p.basis.is_empty() {
        section(
            &mut out,
            "Beslutsunderlag",
            vec![Block::list(p.basis.iter().map(|b| b.title.clone()))],
        );
    }
    if let Some(d) = &p.dispatch {
        section(
            &mut out,
            "Expedieras till",
            vec![if d.is_empty() {
                Block::text("Expedieras inte.")
            } else {
                Block::list(d.iter().cloned())
            }],
        );
    }
    out
}

fn vote_blocks(v: &VoteView, body: &str) -> Vec<Block> {
    vec![
        Block::text("Omröstning begärs."),
        Block::text(format!("{body} godkänner följande beslutsgång:")),
        Block::list([v.ja_means.clone(), v.nej_means.clone()]),
        Block::text(&v.result),
    ]
}

fn voting_list(p: &ParagraphView, v: &VoteView, n: usize, of: usize) -> Part {
    let mark = |b: bool| if b { "X".to_string() } else { String::new() };
    let heading = if of > 1 {
        format!("Voteringslista {n}: §{}", p.number)
    } else {
        format!("Voteringslista: §{}", p.number)
    };
    Part {
        id: Some(format!("p{}-votering{n}", p.number)),
        heading: Some(heading),
        blocks: vec![
            Block::text(match &p.case_number {
                Some(c) => format!("Ärende: {}, {c}", p.title),
                None => format!("Ärende: {}", p.title),
            }),
            Block::Table {
                table: Table {
                    caption: format!("Voteringslista §{}: {}", p.number, p.title),
                    columns: vec!["Ledamot".into(), "Ja".into(), "Nej".into(), "Avstår".into()],
                    rows: v
                        .ballots
                        .iter()
                        .map(|b| {
                            vec![
                                b.label.clone(),
                                mark(b.choice == "ja"),
                                mark(b.choice == "nej"),
                                mark(b.choice == "avstar"),
                            ]
                        })
                        .collect(),
                    footer: Some(vec![
                        "Resultat".into(),
                        v.ja.to_string(),
                        v.nej.to_string(),
                        v.avstar.to_string(),
                    ]),
                },
            },
        ],
        ..Default::default()
    }
}

/// The paragraph and its voteringslistor, as parts.
fn paragraph_parts(p: &ParagraphView, body: &str, new_page: bool) -> Vec<Part> {
    let mut parts = vec![Part {
        id: Some(format!("p{}", p.number)),
        heading: Some(format!("§{} {}", p.number, p.title)),
        subheading: p.case_number.clone(),
        new_page,
        framed: false,
        blocks: paragraph_blocks(p, body),
    }];
    let of = p.votes.len();
    for (i, v) in p.votes.iter().enumerate() {
        parts.push(voting_list(p, v, i + 1, of));
    }
    parts
}

fn attendance_fields(m: &MeetingView) -> Vec<Field> {
    let mut fields = vec![Field::one("Plats och tid", place_and_time(m))];
    let lines = |v: &[AttendeeView]| v.iter().map(attendee_line).collect::<Vec<_>>();
    if !m.members.is_empty() {
        fields.push(Field::new("Ledamöter", lines(&m.members)));
    }
    let serving: Vec<AttendeeView> = m
        .substitutes
        .iter()
        .filter(|a| a.capacity == "serving_substitute")
        .cloned()
        .collect();
    let present: Vec<AttendeeView> = m
        .substitutes
        .iter()
        .filter(|a| a.capacity != "serving_substitute")
        .cloned()
        .collect();
    if !serving.is_empty() {
        fields.push(Field::new("Tjänstgörande ersättare", lines(&serving)));
    }
    if !present.is_empty() {
        fields.push(Field::new("Närvarande ersättare", lines(&present)));
    }
    if !m.others.is_empty() {
        fields.push(Field::new("Övriga närvarande", lines(&m.others)));
    }
    if !m.attendance_complete {
        fields.push(Field::one(
            "Närvaro",
            "Närvarolistan är ofullständig i underlaget.",
        ));
    }
    if let Some(i) = &m.summary.imported {
        fields.push(Field::one("Källa", imported_text(i)));
    }
    fields
}

/// What the protocol says of a meeting read from an existing protocol.
pub fn imported_text(i: &crate::view::ImportedView) -> String {
    format!(
        "Inläst från ett befintligt protokoll: {} (inläst {}, SHA-256 {})",
        i.file_name, i.imported, i.sha256
    )
}

fn approval_place_and_time(m: &MeetingView) -> String {
    let place = m.approval_place.clone().unwrap_or_default();
    let time = match (&m.approval.approved, &m.approval.approval_due) {
        (Some(d), _) => d.clone(),
        (None, Some(due)) => format!("senast {due}"),
        (None, None) => String::new(),
    };
    match (place.is_empty(), time.is_empty()) {
        (false, false) => format!("{place}, {time}"),
        (false, true) => place,
        (true, _) => time,
    }
}

/// Who is to sign: the chair and the approvers, who justera the protocol
/// (KL 5 kap. 69 §, 6 kap. 35 §). The secretary keeps the protocol and does
/// not justera it, so is named among the fields instead. No "Justerat"
/// under the names: the signatures themselves are in the PDF (see the
/// Intyg page).
fn signatures(m: &MeetingView) -> Vec<Signature> {
    let mut out = Vec::new();
    out.push(Signature {
        role: "Ordförande".into(),
        name: m
            .chair
            .as_ref()
            .map(|c| c.display.clone())
            .unwrap_or_default(),
        signed: None,
    });
    for a in &m.approvers {
        out.push(Signature {
            role: "Justerare".into(),
            name: a.display.clone(),
            signed: None,
        });
    }
    out
}

/// The Anslag/Bevis fields: empty until the protocol is approved and posted.
fn notice_fields(m: &MeetingView) -> Vec<Field> {
    let v = |x: &Option<String>| x.iter().cloned().collect::<Vec<_>>();
    vec![
        Field::one("Organ", &m.summary.body.name),
        Field::one("Sammanträdesdatum", &m.summary.date),
        Field::one("Paragrafer", &m.paragraph_span),
        Field::new("Justeringsdatum", v(&m.approval.approved)),
        Field::new(
            "Datum för anslagets uppsättande",
            v(&m.approval.notice_posted),
        ),
        Field::new(
            "Datum för anslagets nedtagande",
            v(&m.approval.notice_taken_down),
        ),
        Field::new("Sista dag för överklagande", v(&m.approval.appeal_ends)),
        Field::new("Protokollets förvaringsplats", v(&m.approval.kept_at)),
    ]
}

fn notice_status(m: &MeetingView) -> &'static str {
    if m.approval.notice_posted.is_some() {
        "Protokollet är justerat. Justeringen har tillkännagivits genom anslag."
    } else if m.approval.approved.is_some() {
        "Protokollet är justerat. Anslaget har ännu inte satts upp."
    } else {
        "Protokollet är inte justerat. Uppgifterna fylls i när protokollet har justerats och anslagits."
    }
}

/// The whole protocol; refused while nothing has been recorded.
pub fn protocol(m: &MeetingView) -> Result<Doc, DocumentError> {
    if m.paragraphs.is_empty() {
        return Err(DocumentError::NoProtocol {
            meeting: m.summary.id,
        });
    }
    let body = &m.summary.body.name;
    let mut meta = meta(
        DocKind::Protocol,
        "Protokoll",
        m,
        format!("Protokoll {body} {}", m.summary.date),
    );
    meta.furniture = FURNITURE.iter().map(|s| s.to_string()).collect();
    let mut first = attendance_fields(m);
    if !m.paragraph_span.is_empty() {
        first.push(Field::one("Paragrafer", &m.paragraph_span));
    }
    if !m.approvers.is_empty() {
        first.push(Field::new(
            "Utses att justera",
            m.approvers.iter().map(|a| a.display.clone()).collect(),
        ));
    }
    first.push(Field::one(
        "Justeringens plats och tid",
        approval_place_and_time(m),
    ));
    if let Some(secretary) = &m.secretary {
        first.push(Field::one("Sekreterare", &secretary.name));
    }
    let mut parts = vec![
        Part {
            id: Some("forsta-sidan".into()),
            blocks: vec![
                Block::fields(first),
                Block::heading("Underskrifter"),
                Block::Signatures {
                    signatures: signatures(m),
                },
            ],
            ..Default::default()
        },
        Part {
            id: Some("anslag".into()),
            heading: Some("Anslag/Bevis".into()),
            framed: true,
            blocks: vec![
                Block::text(notice_status(m)),
                Block::fields(notice_fields(m)),
                Block::fields(vec![Field::new("Underskrift", vec![])]),
            ],
            ..Default::default()
        },
    ];
    let agenda: Vec<String> = m
        .paragraphs
        .iter()
        .map(|p| {
            // The item's föredragande, where one was named (issue #18).
            let presenter = m
                .agenda
                .iter()
                .find(|i| i.paragraph == Some(p.number))
                .and_then(|i| i.presenter.as_ref());
            match presenter {
                Some(x) => format!("§{} {} (föredragande: {})", p.number, p.title, x.name),
                None => format!("§{} {}", p.number, p.title),
            }
        })
        .collect();
    if !agenda.is_empty() {
        parts.push(Part {
            id: Some("arendelista".into()),
            heading: Some("Ärendelista".into()),
            new_page: true,
            blocks: vec![Block::list(agenda)],
            ..Default::default()
        });
    }
    for p in &m.paragraphs {
        parts.extend(paragraph_parts(p, body, true));
    }
    Ok(Doc { meta, parts })
}

/// One who is to sign the protocol sent for justering, as the Intyg page
/// names them: role (`ordförande`, `justerare`) and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub role: String,
    pub name: String,
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The protocol as sent for justering: [`protocol`] with an Intyg page at
/// the end that names who signs it electronically and says where the full
/// information on each signature is and how to verify it (`verify_url`,
/// Kansli's `/verifiera`). The signatures are PAdES signatures in the PDF;
/// their fields are invisible, so the signing times are shown on the
/// verification and justering pages, not on this page.
pub fn protocol_for_signing(
    m: &MeetingView,
    signers: &[Signer],
    verify_url: &str,
) -> Result<Doc, DocumentError> {
    let mut doc = protocol(m)?;
    let organisation = &m.summary.organisation.name;
    let mut blocks = vec![
        Block::text(format!(
            "Detta protokoll är justerat genom elektroniska underskrifter av personerna nedan. Varje underskrift är en elektronisk signatur i PDF-filen, gjord med ett certifikat som {organisation} har utfärdat till den som signerade, efter att personen har loggat in och bekräftat med sitt lösenord."
        )),
        Block::fields(
            signers
                .iter()
                .map(|s| Field::one(capitalised(&s.role), &s.name))
                .collect(),
        ),
        Block::text(
            "Den fullständiga informationen om varje underskrift – vem som signerade, när, och att protokollet inte har ändrats efteråt – finns i signaturernas certifikat. Den visas av program som läser elektroniska underskrifter i PDF, till exempel Adobe Acrobat Reader (panelen Underskrifter).",
        ),
        Block::text(format!(
            "Så kontrollerar du protokollet: ladda upp PDF-filen på {verify_url}. Där finns också {organisation}s rotcertifikat, som du kan lita på i Adobe Acrobat Reader eller kontrollera filen med i ett eget verktyg."
        )),
    ];
    if signers.is_empty() {
        blocks.remove(1);
    }
    doc.parts.push(Part {
        id: Some("intyg".into()),
        heading: Some("Intyg".into()),
        new_page: true,
        blocks,
        ..Default::default()
    });
    Ok(doc)
}

/// SHA-256 (hex) of what the signatories approve in a protocol: the
/// meeting's body, date, times, place, chair, secretary, approvers and
/// approval place, its agenda with every paragraph (decisions, proposals,
/// votes, reservations, prose) and its attendance. Not the status or the
/// dates of justering and anslag, which legitimately change later. Stored
/// with each version sent for justering, so that a later change of the rows
/// (a database edited by hand) is found.
pub fn content_digest(record: &kansli_core::meeting::MeetingRecord) -> String {
    // Computed by the store, which checks it again when the protocol is
    // sent, in the sending's transaction.
    kansli_store::protocols::content_digest(record)
}

/// A protokollsutdrag: the protocol's head, one paragraph, and the
/// certification that it is a true copy.
pub fn extract(m: &MeetingView, number: u32) -> Result<Doc, DocumentError> {
    let p = m
        .paragraphs
        .iter()
        .find(|p| p.number == number)
        .ok_or_else(|| DocumentError::NoParagraph {
            meeting: m.summary.id,
            number,
        })?;
    if !p.public {
        return Err(DocumentError::Secret(format!(
            "§{number} omfattas av sekretess och lämnas inte ut som utdrag"
        )));
    }
    let body = &m.summary.body.name;
    let mut meta = meta(
        DocKind::Extract,
        "Protokollsutdrag",
        m,
        format!(
            "Protokollsutdrag {body} {} §{number} {}",
            m.summary.date, p.title
        ),
    );
    meta.case_number = p.case_number.clone();
    let mut head = vec![
        Field::one("Plats och tid", place_and_time(m)),
        Field::one("Paragraf", format!("§{number}")),
    ];
    if let Some(c) = &p.case_number {
        head.push(Field::one("Diarienummer", c));
    }
    if let Some(i) = &m.summary.imported {
        head.push(Field::one("Källa", imported_text(i)));
    }
    let mut parts = vec![Part {
        id: Some("huvud".into()),
        blocks: vec![Block::fields(head)],
        ..Default::default()
    }];
    parts.extend(paragraph_parts(p, body, false));
    let certification = match &m.approval.approved {
        Some(d) => format!(
            "Utdraget överensstämmer med originalprotokollet, justerat {d}."
        ),
        None => "Protokollet är ännu inte justerat. Utdraget är ett utkast och gäller inte som bestyrkt utdrag.".into(),
    };
    let mut fields = Vec::new();
    if let Some(p) = &m.approval.notice_posted {
        fields.push(Field::one("Anslaget uppsatt", p));
    }
    if let Some(a) = &m.approval.appeal_ends {
        fields.push(Field::one("Sista dag för överklagande", a));
    }
    let mut blocks = vec![Block::text(certification)];
    if !fields.is_empty() {
        blocks.push(Block::fields(fields));
    }
    blocks.push(Block::Signatures {
        signatures: vec![Signature {
            role: "Sekreterare".into(),
            name: m
                .secretary
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            signed: None,
        }],
    });
    parts.push(Part {
        id: Some("utdragsbestyrkande".into()),
        heading: Some("Utdragsbestyrkande".into()),
        framed: true,
        blocks,
        ..Default::default()
    });
    Ok(Doc { meta, parts })
}

/// How to appeal the decisions of a posted protocol (laglighetsprövning,
/// KL 13 kap. 1 och 5 §§): the one text that the anslag document and the
/// anslagstavla both show.
pub fn appeal_text(organisation: &str, appeal_ends: &str) -> String {
    format!(
        "Den som är medlem i {organisation} kan överklaga besluten genom laglighetsprövning hos förvaltningsrätten (13 kap. kommunallagen). Överklagandet ska ha kommit in till förvaltningsrätten senast {appeal_ends}, tre veckor från den dag då anslaget sattes upp."
    )
}

/// The anslag on the anslagstavla: the protocol is approved, where it is
/// kept, and until when its decisions can be appealed (KL 8 kap. 12 §,
/// 13 kap. 5 §); naming the SHA-256 of the signed protocol when it is
/// justerat by electronic signatures, so that anyone can check that the
/// file they have is the one the anslag is about.
pub fn notice(m: &MeetingView, signed_sha256: Option<&str>) -> Result<Doc, DocumentError> {
    let (Some(_), Some(posted), Some(appeal_ends)) = (
        &m.approval.approved,
        &m.approval.notice_posted,
        &m.approval.appeal_ends,
    ) else {
        return Err(DocumentError::NotPosted);
    };
    let body = &m.summary.body.name;
    let mut meta = meta(
        DocKind::Notice,
        "Anslag",
        m,
        format!("Anslag om justerat protokoll, {body} {}", m.summary.date),
    );
    meta.date_label = "Anslaget uppsatt".into();
    meta.date = posted.clone();
    let blocks: Vec<Block> = vec![
        Block::text(format!(
            "Protokollet från sammanträdet med {body} {} är justerat.",
            m.summary.date
        )),
        Block::fields(notice_fields(m)),
    ];
    let mut blocks = blocks;
    if let Some(sha) = signed_sha256 {
        blocks.push(Block::fields(vec![Field::one(
            "Det signerade protokollets SHA-256",
            sha,
        )]));
    }
    blocks.extend([
        Block::heading("Överklagande"),
        Block::text(appeal_text(&m.summary.organisation.name, appeal_ends)),
    ]);
    Ok(Doc {
        meta,
        parts: vec![Part {
            id: Some("anslag".into()),
            heading: Some("Tillkännagivande av justerat protokoll".into()),
            framed: true,
            blocks,
            ..Default::default()
        }],
    })
}

/// The ersättare in their calling order: per party group (the substitutes
/// serve for members of their own group first, KL 6 kap. 11–12 §§), each
/// group in its serving order, the order the engine calls them in
/// (`kansli_core::proceedings`, by `Role::rank`). One field per group:
/// "Ersättare (S)" with "1. Anna Andersson (S)".
fn substitutes_in_calling_order(roster: &[MemberView]) -> Vec<Field> {
    let mut subs: Vec<&MemberView> = roster
        .iter()
        .filter(|x| x.substitute_order.is_some())
        .collect();
    // Groups by name, a substitute of no group last; within a group by
    // serving order, then as the roster lists them (a stable sort).
    subs.sort_by(|a, b| {
        (a.party_group.is_none(), &a.party_group, a.substitute_order).cmp(&(
            b.party_group.is_none(),
            &b.party_group,
            b.substitute_order,
        ))
    });
    let mut fields: Vec<Field> = Vec::new();
    let mut current: Option<&Option<String>> = None;
    for x in subs {
        if current != Some(&x.party_group) {
            let label = match &x.party_group {
                Some(g) => format!("Ersättare ({g})"),
                None => "Ersättare".to_string(),
            };
            fields.push(Field::new(label, vec![]));
            current = Some(&x.party_group);
        }
        let line = format!(
            "{}. {}",
            x.substitute_order.unwrap_or_default(),
            x.person.display
        );
        if let Some(f) = fields.last_mut() {
            f.lines.push(line);
        }
    }
    fields
}

/// The kallelse with its föredragningslista: when and where, who is called
/// (the ersättare in their calling order), and the items with their
/// föredragande and basis documents. With changes after the kallelse
/// went out (`changes` as `view::planning_changes` gives them), it is a
/// tilläggskallelse and lists what changed.
pub fn agenda(m: &MeetingView, roster: &[MemberView], changes: &[ChangeView]) -> Doc {
    let body = &m.summary.body.name;
    let changed: Vec<&ChangeView> = changes.iter().filter(|c| c.after_notice).collect();
    let supplement = !changed.is_empty();
    let title = if supplement {
        "Tilläggskallelse"
    } else {
        "Kallelse"
    };
    let meta = meta(
        DocKind::Agenda,
        title,
        m,
        format!("{title} {body} {}", m.summary.date),
    );
    let time = match &m.summary.starts {
        Some(t) => format!("{} klockan {t}", m.summary.date),
        None => m.summary.date.clone(),
    };
    let mut fields = vec![
        Field::one("Tid", time),
        Field::one("Plats", &m.summary.place),
    ];
    let members: Vec<String> = roster
        .iter()
        .filter(|x| x.substitute_order.is_none())
        .map(|x| {
            if x.role == "member" {
                x.person.display.clone()
            } else {
                format!("{} ({})", x.person.display, x.role_label)
            }
        })
        .collect();
    if !members.is_empty() {
        fields.push(Field::new("Ledamöter", members));
    }
    fields.extend(substitutes_in_calling_order(roster));
    if let Some(s) = &m.secretary {
        fields.push(Field::one("Sekreterare", &s.name));
    }
    let items: Vec<ListItem> = m
        .agenda
        .iter()
        .map(|i| {
            let mut text = format!("{}. {}", i.position, i.title);
            if let Some(c) = &i.case_number
                && i.public
            {
                text.push_str(&format!(" ({c})"));
            }
            if i.kind == "information" {
                text.push_str(" – information");
            }
            let mut lines: Vec<String> = i
                .presenter
                .iter()
                .map(|p| format!("Föredragande: {}", p.name))
                .collect();
            lines.extend(i.basis.iter().map(|b| format!("Underlag: {}", b.title)));
            ListItem { text, items: lines }
        })
        .collect();
    let mut first = vec![Block::fields(fields)];
    if supplement {
        first.push(Block::text(
            "Detta är en tilläggskallelse. Föredragningslistan nedan gäller i stället för den i den tidigare kallelsen; ändringarna står sist.",
        ));
    }
    first.push(Block::text(
        "Ledamot som har förhinder ska snarast anmäla det till sekreteraren, som kallar ersättare. Ersättare som inte tjänstgör har rätt att närvara och yttra sig.",
    ));
    let mut parts = vec![Part {
        id: Some("kallelse".into()),
        heading: Some(format!("{title} till sammanträde med {body}")),
        blocks: first,
        ..Default::default()
    }];
    parts.push(Part {
        id: Some("foredragningslista".into()),
        heading: Some("Föredragningslista".into()),
        blocks: if items.is_empty() {
            vec![Block::text("Föredragningslistan är ännu inte upprättad.")]
        } else {
            vec![Block::List { items }]
        },
        ..Default::default()
    });
    if supplement {
        parts.push(Part {
            id: Some("andringar".into()),
            heading: Some("Ändringar sedan kallelsen".into()),
            blocks: vec![Block::list(
                changed
                    .iter()
                    .map(|c| format!("{}: {}", c.date, c.text))
                    .collect::<Vec<_>>(),
            )],
            ..Default::default()
        });
    }
    Doc { meta, parts }
}

/// The officer's report (beslutsförslag / tjänsteskrivelse) in the layout of
/// the fixture: office and author in the head, the draft decision first,
/// then the reasoning, signatures, attachments and who is to be notified.
pub fn officer_report(c: &CaseView, index: usize) -> Result<Doc, DocumentError> {
    let r: &OfficerReportView =
        c.officer_reports
            .get(index)
            .ok_or_else(|| DocumentError::NoReport {
                case: c.number.clone(),
            })?;
    let issuer = r.unit.first().cloned().unwrap_or_default();
    let mut issuer_lines: Vec<String> = r.unit.iter().skip(1).cloned().collect();
    issuer_lines.push(r.author.name.clone());
    issuer_lines.push(r.author.title.clone());
    let meta = Meta {
        kind: DocKind::OfficerReport,
        title: "Beslutsförslag".into(),
        organisation: c.organisation.name.clone(),
        issuer,
        issuer_lines,
        date_label: "Datum".into(),
        date: r.date.clone(),
        case_number: Some(c.number.clone()),
        furniture: vec![],
        full_title: format!("Beslutsförslag {} {}", c.number, r.title),
        keywords: vec![c.organisation.name.clone(), c.number.clone()],
        draft: None,
    };
    let mut blocks = Vec::new();
    section(
        &mut blocks,
        "Förslag till beslut",
        decision(&r.draft_decision),
    );
    section(&mut blocks, "Sammanfattning", prose(&r.summary));
    section(&mut blocks, "Bakgrund", prose(&r.background));
    section(&mut blocks, "Övervägande", prose(&r.considerations));
    section(&mut blocks, "Konsekvensbeskrivning", prose(&r.consequences));
    section(
        &mut blocks,
        "Ekonomiska konsekvenser av beslutet",
        prose(&r.economic_consequences),
    );
    let mut parts = vec![
        Part {
            id: Some("huvud".into()),
            blocks: vec![Block::fields(vec![Field::one("Till", &r.addressed_to)])],
            ..Default::default()
        },
        Part {
            id: Some("forslag".into()),
            heading: Some(r.title.clone()),
            blocks,
            ..Default::default()
        },
    ];
    let mut end = Vec::new();
    if !r.signatories.is_empty() {
        end.push(Block::Signatures {
            signatures: r
                .signatories
                .iter()
                .map(|s| Signature {
                    role: s.title.clone(),
                    name: s.name.clone(),
                    signed: None,
                })
                .collect(),
        });
    }
    section(
        &mut end,
        "Bilagor",
        if r.attachments.is_empty() {
            vec![]
        } else {
            vec![Block::list(r.attachments.iter().cloned())]
        },
    );
    section(
        &mut end,
        "Styrelsens/nämndens beslut delges",
        if r.notify.is_empty() {
            vec![]
        } else {
            vec![Block::list(r.notify.iter().cloned())]
        },
    );
    if !end.is_empty() {
        parts.push(Part {
            id: Some("forvaltning".into()),
            heading: Some("Förvaltning".into()),
            blocks: end,
            ..Default::default()
        });
    }
    Ok(Doc { meta, parts })
}

/// The report to fullmäktige of the motions whose preparation was not
/// finished within a year of their filing (KL 5 kap. 35 §: what has come
/// out of the preparation is to be reported to fullmäktige within the
/// year, and fullmäktige may then strike the motion off). `motions` are
/// the open motions ([`crate::view::open_motions`]); those past their year
/// are listed, filed in `assembly`, as on `date`.
pub fn motions_report(
    organisation: &str,
    assembly: &str,
    date: &str,
    motions: &[OpenMotionView],
) -> Doc {
    let overdue: Vec<&OpenMotionView> = motions
        .iter()
        .filter(|m| m.standing == "overdue" && m.filed_in == assembly)
        .collect();
    let title = "Motioner som inte har beretts färdigt inom ett år";
    let meta = Meta {
        kind: DocKind::MotionReport,
        title: "Redovisning".into(),
        organisation: organisation.into(),
        issuer: assembly.into(),
        issuer_lines: vec![],
        date_label: "Datum".into(),
        date: date.into(),
        case_number: None,
        furniture: vec![],
        full_title: format!("{title}, {assembly} {date}"),
        keywords: vec![organisation.into(), assembly.into(), "motioner".into()],
        draft: None,
    };
    let mut blocks = vec![
        Block::fields(vec![
            Field::one("Till", assembly),
            Field::one(
                "Redovisningen avser",
                format!("motioner väckta senast ett år före {date}"),
            ),
        ]),
        Block::text(
            "En motion bör beredas så att fullmäktige kan fatta beslut inom ett år från det att motionen väcktes. Om beredningen inte kan avslutas inom denna tid, ska detta och vad som har kommit fram vid beredningen anmälas till fullmäktige inom samma tid. Fullmäktige får då avskriva motionen från vidare handläggning (5 kap. 35 § kommunallagen).",
        ),
    ];
    if overdue.is_empty() {
        blocks.push(Block::text(format!(
            "Alla motioner som väcktes i {assembly} för mer än ett år sedan har beretts färdigt och beslutats. Det finns inga motioner att redovisa."
        )));
    } else {
        blocks.push(Block::text(format!(
            "Följande {} har inte beretts färdigt inom ett år. Beredningen pågår hos det organ som anges.",
            if overdue.len() == 1 {
                "motion".to_string()
            } else {
                format!("{} motioner", overdue.len())
            }
        )));
        blocks.push(Block::Table {
            table: Table {
                caption: format!("{title} ({date})"),
                columns: vec![
                    "Diarienummer".into(),
                    "Motion".into(),
                    "Motionärer".into(),
                    "Väckt".into(),
                    "Ett år".into(),
                    "Bereds av".into(),
                ],
                rows: overdue
                    .iter()
                    .map(|m| {
                        vec![
                            m.number.clone(),
                            m.title.clone(),
                            m.movers.clone(),
                            m.filed.clone(),
                            m.deadline.clone(),
                            m.referred_to
                                .clone()
                                .unwrap_or_else(|| "ej remitterad".into()),
                        ]
                    })
                    .collect(),
                footer: None,
            },
        });
    }
    let mut parts = vec![Part {
        id: Some("redovisning".into()),
        heading: Some(title.into()),
        blocks,
        ..Default::default()
    }];
    parts.push(Part {
        id: Some("forslag".into()),
        heading: Some("Förslag till beslut".into()),
        blocks: vec![
            Block::text(format!("{assembly} beslutar att")),
            Block::list([
                "lägga redovisningen av motioner som inte har beretts färdigt inom ett år till handlingarna.".to_string(),
            ]),
        ],
        ..Default::default()
    });
    Doc { meta, parts }
}

//! Storing an imported protocol: the organisation, body and persons are
//! matched by name or created, the paragraphs' case numbers are linked to
//! the cases (registered when new), and the meeting is written as one
//! record through the store's checks — all in one transaction, so a refusal
//! leaves nothing behind.
//!
//! What the text says but the domain cannot hold as structure (a proposal by
//! someone who does not take part, a vote whose sides cannot be told) is
//! kept as text where it has a place, and reported; nothing is dropped
//! silently.

use super::{ImportedDecision, ImportedParagraph, ImportedProtocol};
use kansli_core::case::CaseNumberFormat;
use kansli_core::decision::{Clause, Decision, DecisionPart, Formula};
use kansli_core::meeting::{
    Actor, AgendaItem, Attendee, Ballot, BasisItem, Capacity, Disqualification, ItemKind, Meeting,
    MeetingRecord, MeetingStatus, MinuteNote, Paragraph, Proposal, ProposalKind, Proposition,
    Reservation, Vote, VoteChoice,
};
use kansli_core::org::{BodyKind, OrganisationKind, Party};
use kansli_core::{Access, Date, MeetingId, PersonId, Time};
use kansli_store::{Store, StoreError};
use std::collections::{HashMap, HashSet};

/// What the caller may add to what the protocol says.
#[derive(Debug, Clone, Default)]
pub struct SaveOptions {
    /// The organisation, when the protocol does not name it (or to override).
    pub organisation: Option<String>,
    /// The file the protocol was read from, kept with the meeting (by its
    /// SHA-256) with the reader's warnings; a file already imported is
    /// refused ([`SaveError::AlreadyImported`]).
    pub source: Option<SourceFile>,
}

/// The file a protocol was read from.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The stored meeting, and what could not be stored as structure.
#[derive(Debug, Clone)]
pub struct Saved {
    pub meeting: MeetingId,
    pub created_persons: usize,
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("protokollet kan inte lagras: {0}")]
    Missing(String),
    #[error(
        "sammanträdet {date} i {body} finns redan (id {existing}); ett protokoll läses bara in en gång"
    )]
    Duplicate {
        body: String,
        date: String,
        existing: i64,
    },
    #[error("filen är redan inläst (sammanträde {meeting})")]
    AlreadyImported { meeting: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores `p` as a meeting. Nothing is written unless everything is.
pub async fn save(
    store: &Store,
    p: &ImportedProtocol,
    options: &SaveOptions,
) -> Result<Saved, SaveError> {
    let org_name = options
        .organisation
        .clone()
        .or_else(|| p.organisation.clone())
        .ok_or_else(|| {
            SaveError::Missing(
                "organisationen framgår inte av protokollet; ange den med --organisation".into(),
            )
        })?;
    let organ = p
        .organ
        .clone()
        .ok_or_else(|| SaveError::Missing("organet framgår inte av protokollet".into()))?;
    let date: Date = p
        .meeting_date
        .as_deref()
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| SaveError::Missing("sammanträdesdatum saknas".into()))?;
    let mut notes: Vec<String> = Vec::new();
    let mut tx = store.begin("import").await?;
    if let Some(source) = &options.source {
        let sha = kansli_store::access::sha256_hex(&source.bytes);
        if let Some(existing) = tx.import_by_sha256(&sha).await? {
            return Err(SaveError::AlreadyImported {
                meeting: existing.0,
            });
        }
    }

    let organisation = match tx.organisation_named(&org_name).await? {
        Some(o) => o.id,
        None => {
            let kind = if org_name.to_lowercase().starts_with("region") {
                OrganisationKind::Region
            } else if org_name.to_lowercase().contains("kommun") {
                OrganisationKind::Kommun
            } else {
                OrganisationKind::Samverkan
            };
            let format = case_format(p);
            notes.push(format!("ny organisation: {org_name}"));
            tx.add_organisation(&org_name, kind, &format).await?
        }
    };

    // Persons: matched by name, created once.
    let mut created_persons = 0;
    let mut ids: HashMap<String, PersonId> = HashMap::new();
    let mut parties: HashMap<String, Option<String>> = HashMap::new();
    let mut wanted: Vec<String> = Vec::new();
    for a in p.members.iter().chain(&p.substitutes).chain(&p.others) {
        parties
            .entry(a.name.clone())
            .or_insert_with(|| a.party.clone());
        wanted.push(a.name.clone());
        wanted.extend(a.replacing.clone());
    }
    wanted.extend(p.chair.clone());
    wanted.extend(p.secretary.clone());
    wanted.extend(p.approvers.iter().cloned());
    for name in wanted {
        if name.trim().is_empty() || ids.contains_key(&name) {
            continue;
        }
        let id = match tx.person_named(&name).await? {
            Some(id) => id,
            None => {
                created_persons += 1;
                let party = parties.get(&name).cloned().flatten();
                if let Some(abbreviation) = &party
                    && !tx.has_party(abbreviation).await?
                {
                    tx.add_party(&Party {
                        abbreviation: abbreviation.clone(),
                        name: party_name(abbreviation).to_string(),
                    })
                    .await?;
                }
                tx.add_person(&name, party.as_deref()).await?
            }
        };
        ids.insert(name, id);
    }

    // Attendance. When the members are listed elsewhere (an appendix the
    // text did not carry), the chair and approvers are known members, and
    // the list is marked incomplete so quorum is not judged.
    let mut attendance: Vec<Attendee> = Vec::new();
    for a in &p.members {
        attendance.push(Attendee {
            person: ids[&a.name],
            capacity: Capacity::Member,
            paragraphs: a.paragraphs.clone(),
        });
    }
    let attendance_complete = !p.members.is_empty();
    if !attendance_complete {
        notes.push("ledamöterna står inte i protokollets text; närvaron är ofullständig".into());
        for name in p.chair.iter().chain(&p.approvers) {
            if !attendance.iter().any(|a| a.person == ids[name]) {
                attendance.push(Attendee {
                    person: ids[name],
                    capacity: Capacity::Member,
                    paragraphs: vec![],
                });
            }
        }
    }
    for a in &p.substitutes {
        let capacity = match &a.replacing {
            Some(r) => Capacity::ServingSubstitute { replacing: ids[r] },
            None => Capacity::Substitute,
        };
        attendance.push(Attendee {
            person: ids[&a.name],
            capacity,
            paragraphs: a.paragraphs.clone(),
        });
    }
    for a in &p.others {
        let person = ids[&a.name];
        if attendance
            .iter()
            .any(|b| b.person == person && b.paragraphs.is_empty())
        {
            continue;
        }
        attendance.push(Attendee {
            person,
            capacity: Capacity::Other {
                title: a.role.clone().unwrap_or_default(),
            },
            paragraphs: a.paragraphs.clone(),
        });
    }
    for name in p.chair.iter().chain(&p.approvers) {
        if !attendance.iter().any(|a| a.person == ids[name]) {
            attendance.push(Attendee {
                person: ids[name],
                capacity: Capacity::Member,
                paragraphs: vec![],
            });
        }
    }

    // The body, with as many seats as took part when it is new.
    let seats = attendance
        .iter()
        .filter(|a| {
            matches!(a.capacity, Capacity::Member)
                || matches!(a.capacity, Capacity::ServingSubstitute { replacing }
                    if !attendance.iter().any(|m| m.person == replacing && matches!(m.capacity, Capacity::Member)))
        })
        .count()
        .max(1) as u16;
    let body = match tx.body_named(organisation, &organ).await? {
        Some(b) => b,
        None => {
            notes.push(format!(
                "nytt organ: {organ}, med {seats} platser (så många tjänstgjorde; rätta vid behov)"
            ));
            let id = tx
                .add_body(organisation, &organ, None, body_kind(&organ), None, seats)
                .await?;
            tx.body_named(organisation, &organ)
                .await?
                .filter(|b| b.id == id)
                .ok_or_else(|| SaveError::Missing("organet kunde inte läsas tillbaka".into()))?
        }
    };
    if let Some(existing) = tx.meeting_on(body.id, date).await? {
        return Err(SaveError::Duplicate {
            body: organ,
            date: date.to_string(),
            existing: existing.0,
        });
    }

    let status = status(p, date, &mut notes);
    let (starts, ends) = (time(&p.starts), time(&p.ends));
    let mut record = MeetingRecord {
        meeting: Meeting {
            id: MeetingId(0),
            body: body.id,
            date,
            starts,
            ends: ends.filter(|e| starts.is_none_or(|s| e > &s)),
            place: p.place.clone().unwrap_or_default(),
            status,
            secretary: p.secretary.as_ref().map(|n| ids[n]),
            chair: p.chair.as_ref().map(|n| ids[n]),
            approvers: p.approvers.iter().map(|n| ids[n]).collect(),
            approval_place: None,
            attendance_complete,
            source_note: None,
        },
        items: vec![],
        attendance,
    };
    for ip in &p.paragraphs {
        let case = match &ip.case_number {
            Some(number) => {
                case_for(&mut tx, organisation, number, &ip.title, date, &mut notes).await?
            }
            None => None,
        };
        let paragraph = paragraph(ip, &record, &ids, &mut notes);
        record.items.push(AgendaItem {
            title: ip.title.clone(),
            case,
            kind: if paragraph.decision.is_some() {
                ItemKind::Decision
            } else {
                ItemKind::Information
            },
            access: paragraph.access.clone(),
            basis: vec![],
            paragraph: Some(paragraph),
            presenter: None,
        });
    }
    let meeting = tx.add_meeting(&record).await?;
    if let Some(source) = &options.source {
        let warnings = p
            .warnings
            .iter()
            .map(|w| kansli_store::imports::ImportWarning {
                line: w.line,
                message: w.message.clone(),
            })
            .collect();
        tx.record_import(
            meeting,
            &kansli_store::imports::ImportSource {
                file_name: source.file_name.clone(),
                bytes: source.bytes.clone(),
                warnings,
                notes: notes.clone(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Saved {
        meeting,
        created_persons,
        notes,
    })
}

/// The parties' names, for a party first met in an imported protocol.
fn party_name(abbreviation: &str) -> &str {
    match abbreviation {
        "S" => "Socialdemokraterna",
        "M" => "Moderaterna",
        "SD" => "Sverigedemokraterna",
        "C" => "Centerpartiet",
        "V" => "Vänsterpartiet",
        "KD" => "Kristdemokraterna",
        "L" => "Liberalerna",
        "MP" => "Miljöpartiet de gröna",
        "FP" => "Folkpartiet liberalerna",
        other => other,
    }
}

/// The series of a new organisation, from the first case number it writes.
fn case_format(p: &ImportedProtocol) -> CaseNumberFormat {
    let first = p.paragraphs.iter().find_map(|x| x.case_number.clone());
    if let Some(n) = first {
        let series: String = n.chars().take_while(|c| c.is_uppercase()).collect();
        let rest = n[series.len()..].trim();
        if !series.is_empty() {
            if rest.contains('/') {
                return CaseNumberFormat::Slashed { series };
            }
            if rest.len() > 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
                return CaseNumberFormat::Compact {
                    series,
                    digits: (rest.len() - 2) as u8,
                };
            }
        }
    }
    CaseNumberFormat::Slashed {
        series: "KS".into(),
    }
}

/// The first kind whose word stands in `text` (lower-cased), else `default`:
/// the order of the table decides when several do.
fn kind_by_word<T: Copy>(text: &str, table: &[(&str, T)], default: T) -> T {
    let lower = text.to_lowercase();
    table
        .iter()
        .find(|(word, _)| lower.contains(word))
        .map_or(default, |&(_, kind)| kind)
}

fn body_kind(name: &str) -> BodyKind {
    kind_by_word(
        name,
        &[
            ("utskott", BodyKind::Utskott),
            ("fullmäktige", BodyKind::Fullmaktige),
            ("styrelse", BodyKind::Styrelse),
            ("nämnd", BodyKind::Namnd),
        ],
        BodyKind::Other,
    )
}

fn time(t: &Option<String>) -> Option<Time> {
    t.as_deref().and_then(|t| t.parse().ok())
}

/// The protocol's stage: posted when the notice's dates are there, approved
/// when the approval date is, held otherwise. Dates that break the rules
/// (a notice taken down before the appeal period ended) are reported and
/// the stage before is kept.
fn status(p: &ImportedProtocol, date: Date, notes: &mut Vec<String>) -> MeetingStatus {
    let d = |s: &Option<String>| s.as_deref().and_then(|s| s.parse::<Date>().ok());
    let Some(approved) = d(&p.approved) else {
        return MeetingStatus::Held;
    };
    let approved_status = MeetingStatus::Approved { approved };
    if approved_status.check_dates(date).is_err() {
        notes.push(format!(
            "justeringsdatumet {approved} ligger före sammanträdet; protokollet lagras som ej justerat"
        ));
        return MeetingStatus::Held;
    }
    if let (Some(posted), Some(taken_down)) = (d(&p.notice_posted), d(&p.notice_taken_down)) {
        let posted_status = MeetingStatus::NoticePosted {
            approved,
            posted,
            taken_down,
            kept_at: p.kept_at.clone().unwrap_or_else(|| "okänd".into()),
        };
        match posted_status.check_dates(date) {
            Ok(()) => return posted_status,
            Err(r) => notes.push(format!("anslagets datum lagras inte: {}", r.reason)),
        }
    }
    approved_status
}

/// The case a paragraph is about: found by its number, or registered.
async fn case_for(
    tx: &mut kansli_store::Tx,
    organisation: kansli_core::OrganisationId,
    number: &str,
    title: &str,
    date: Date,
    notes: &mut Vec<String>,
) -> Result<Option<kansli_core::CaseId>, SaveError> {
    if let Some(id) = tx.case_numbered(organisation, number).await? {
        return Ok(Some(id));
    }
    match tx
        .register_case_numbered(organisation, number, title, date)
        .await
    {
        Ok(id) => Ok(Some(id)),
        Err(StoreError::Refused(r)) => {
            notes.push(format!(
                "ärendet {number} registreras inte: {}",
                r.iter()
                    .map(|x| x.reason.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

fn decision(d: &ImportedDecision) -> Option<Decision> {
    let parts: Vec<DecisionPart> = d
        .parts
        .iter()
        .filter(|part| !part.clauses.is_empty())
        .map(|part| DecisionPart {
            formula: formula(&part.intro),
            wording: Some(part.intro.clone()),
            clauses: part
                .clauses
                .iter()
                .map(|c| Clause {
                    text: c.text.clone(),
                    items: c.items.clone(),
                })
                .collect(),
        })
        .collect();
    (!parts.is_empty()).then_some(Decision { parts })
}

/// "… föreslår regionstyrelsen besluta att föreslå regionfullmäktige att"
/// -> the chain of bodies; "… beslutar att" -> the body decides.
fn formula(intro: &str) -> Formula {
    let lower = intro.to_lowercase();
    let Some(at) = lower.find(" föreslår ") else {
        return Formula::Decides;
    };
    let rest = &lower[at + " föreslår ".len()..];
    let further = rest.starts_with("vidare ");
    let rest = rest.trim_start_matches("vidare ");
    let chain: Vec<String> = rest
        .split("att föreslå")
        .map(|s| {
            s.trim()
                .trim_end_matches("att")
                .trim()
                .trim_end_matches("besluta")
                .trim()
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .collect();
    if chain.is_empty() {
        Formula::Decides
    } else {
        Formula::Proposes { chain, further }
    }
}

fn proposal_kind(text: &str) -> ProposalKind {
    kind_by_word(
        text,
        &[
            ("återremi", ProposalKind::Aterremiss),
            ("bordlägg", ProposalKind::Bordlaggning),
            ("avslag", ProposalKind::Avslag),
            ("ändring", ProposalKind::Andring),
            ("tillägg", ProposalKind::Tillagg),
        ],
        ProposalKind::Bifall,
    )
}

/// Whether `text` refers to the proposal moved by `names` ("Karin Eks
/// yrkande", "Mikaela Walterssons förslag").
fn mentions(text: &str, names: &[String]) -> bool {
    names.iter().any(|n| {
        let surname = n.split_whitespace().last().unwrap_or(n);
        text.contains(n.as_str()) || text.contains(&format!("{surname}s "))
    })
}

fn paragraph(
    ip: &ImportedParagraph,
    record: &MeetingRecord,
    ids: &HashMap<String, PersonId>,
    notes: &mut Vec<String>,
) -> Paragraph {
    let at = format!("§{}", ip.number);
    let mut p = Paragraph::new(ip.number, ip.title.clone());
    if ip.secret {
        p.access = Access::Secret {
            ground: "sekretess enligt protokollet".into(),
        };
    }
    p.decision = ip.decision.as_ref().and_then(decision);
    p.draft_decision = ip.draft_decision.as_ref().and_then(decision);
    if ip.decision.is_some() && p.decision.is_none() {
        notes.push(format!(
            "{at}: beslutet saknar att-satser och lagras som text under Ärendet"
        ));
    }
    let mut matter = ip.matter.clone();
    if p.decision.is_none()
        && let Some(d) = &ip.decision
    {
        matter.extend(d.parts.iter().map(|x| x.intro.clone()));
    }
    p.matter = matter.join("\n\n");

    // Who may act at this paragraph: members and serving substitutes
    // present, less the disqualified.
    let disqualified: HashSet<PersonId> = ip
        .disqualifications
        .iter()
        .flat_map(|t| named_in(t, record, ids))
        .collect();
    let deciding: HashSet<PersonId> = record
        .attendance
        .iter()
        .filter(|a| a.capacity.decides() && a.present_at(ip.number))
        .map(|a| a.person)
        .filter(|x| !disqualified.contains(x))
        .collect();
    let actor = |name: &String| {
        ids.get(name)
            .filter(|id| deciding.contains(id))
            .map(|&person| Actor::Person { person })
    };

    let mut kept: Vec<usize> = Vec::new();
    for (i, prop) in ip.proposals.iter().enumerate() {
        let movers: Vec<Actor> = prop.movers.iter().filter_map(actor).collect();
        if movers.is_empty() || movers.len() != prop.movers.len() || prop.text.trim().is_empty() {
            notes.push(format!(
                "{at}: yrkandet «{}» lagras som text: förslagsställaren deltar inte i beslutet",
                prop.sentence
            ));
            p.minute_notes.push(MinuteNote {
                by: movers,
                text: prop.sentence.clone(),
            });
            continue;
        }
        kept.push(i);
        p.proposals.push(Proposal {
            movers,
            kind: proposal_kind(&prop.text),
            text: prop.text.clone(),
            withdrawn: false,
            decision: None,
        });
    }
    let movers_of = |j: usize| ip.proposals[kept[j]].movers.clone();
    let procedural = p.proposals.iter().position(|x| x.kind.is_procedural());
    let main: Vec<usize> = (0..p.proposals.len())
        .filter(|&j| !p.proposals[j].kind.is_procedural())
        .collect();

    for sentence in &ip.propositions {
        let lower = sentence.to_lowercase();
        let step = if let Some(proc) = procedural.filter(|_| {
            lower.contains("avgöras i dag")
                || lower.contains("återremi")
                || lower.contains("bordlägg")
        }) {
            let sent_back = lower.contains("finner att ärendet ska återremitteras")
                || lower.contains("finner att ärendet ska bordläggas");
            Some(Proposition {
                put: vec![proc],
                found_for: sent_back.then_some(proc),
                by_minority: false,
                wording: sentence.clone(),
            })
        } else if !main.is_empty() {
            let after = tail_from(sentence, "finner").unwrap_or(sentence);
            let found = main
                .iter()
                .copied()
                .find(|&j| mentions(after, &movers_of(j)))
                .unwrap_or(main[0]);
            Some(Proposition {
                put: main.clone(),
                found_for: Some(found),
                by_minority: false,
                wording: sentence.clone(),
            })
        } else {
            None
        };
        match step {
            Some(s) => p.propositions.push(s),
            None => {
                notes.push(format!(
                    "{at}: beslutsgången lagras som text (inga yrkanden att ställa)"
                ));
                p.matter.push_str(&format!("\n\n{sentence}"));
            }
        }
    }

    for v in &ip.votes {
        let wording = v.wording.join("\n");
        let lower = wording.to_lowercase();
        // The sides: named in the wording ("Ja-röst för Karin Eks yrkande"),
        // or today against a procedural proposal.
        let ja_at = lower.find("ja");
        let nej_at = lower.find("nej");
        let side = |from: Option<usize>| -> Option<usize> {
            let window = window(&wording, from?, 120);
            main.iter()
                .copied()
                .find(|&j| mentions(window, &movers_of(j)))
        };
        let (ja, nej) = match (procedural, side(ja_at), side(nej_at)) {
            (_, Some(a), Some(b)) if a != b => (Some(a), Some(b)),
            (Some(proc), _, _) if lower.contains("avgöras i dag") => {
                let today_is_ja = lower
                    .find("avgöras i dag")
                    .zip(nej_at)
                    .is_some_and(|(d, n)| d < n);
                if today_is_ja {
                    (None, Some(proc))
                } else {
                    (Some(proc), None)
                }
            }
            _ if main.len() == 2 => {
                let winner = p
                    .propositions
                    .last()
                    .and_then(|s| s.found_for)
                    .unwrap_or(main[0]);
                let other = if winner == main[0] { main[1] } else { main[0] };
                (Some(winner), Some(other))
            }
            _ => (None, None),
        };
        let ballots: Vec<Ballot> = v
            .roll
            .iter()
            .filter_map(|r| {
                let person = *ids.get(&r.name).filter(|id| deciding.contains(id))?;
                let choice = VoteChoice::from_code(&r.vote)?;
                Some(Ballot { person, choice })
            })
            .collect();
        if (ja, nej) == (None, None) || ballots.len() != v.roll.len() || ballots.is_empty() {
            notes.push(format!(
                "{at}: omröstningen lagras som text (sidorna eller de röstande kunde inte bestämmas)"
            ));
            let mut text = wording.clone();
            for r in &v.roll {
                text.push_str(&format!("\n{}: {}", r.name, r.vote));
            }
            p.matter.push_str(&format!("\n\n{text}"));
            continue;
        }
        p.votes.push(Vote {
            ja,
            nej,
            ballots,
            wording,
        });
    }

    for r in &ip.reservations {
        let by: Vec<Actor> = r.names.iter().filter_map(actor).collect();
        if by.is_empty() || by.len() != r.names.len() || p.decision.is_none() {
            notes.push(format!(
                "{at}: reservationen «{}» lagras som protokollsanteckning",
                r.text
            ));
            p.minute_notes.push(MinuteNote {
                by,
                text: r.text.clone(),
            });
            continue;
        }
        let favour = tail_from(&r.text, "till förmån för");
        let in_favour_of = favour.and_then(|f| {
            if f.contains("eget") || f.contains("egna") {
                (0..p.proposals.len()).find(|&j| mentions(&r.text, &movers_of(j)))
            } else {
                (0..p.proposals.len()).find(|&j| mentions(f, &movers_of(j)))
            }
        });
        p.reservations.push(Reservation {
            by,
            in_favour_of,
            text: r.text.clone(),
            reasons: None,
        });
    }
    for text in &ip.minute_notes {
        let by = named_in(text, record, ids)
            .into_iter()
            .map(|person| Actor::Person { person })
            .collect();
        p.minute_notes.push(MinuteNote {
            by,
            text: text.clone(),
        });
    }
    for text in &ip.disqualifications {
        for person in named_in(text, record, ids) {
            p.disqualifications.push(Disqualification {
                person,
                ground: text.clone(),
            });
        }
    }
    p.basis = ip.basis.iter().map(BasisItem::titled).collect();
    p.dispatch = ip.dispatch.clone();
    p
}

/// `text` from the first `needle` (ignoring case) on.
fn tail_from<'a>(text: &'a str, needle: &str) -> Option<&'a str> {
    let at = text.to_lowercase().find(needle)?;
    text.get(at..).or(Some(text))
}

/// Up to `len` bytes of `text` from `from`, cut at character boundaries.
fn window(text: &str, from: usize, len: usize) -> &str {
    let start = text.floor_char_boundary(from.min(text.len()));
    let end = text.floor_char_boundary((start + len).min(text.len()));
    &text[start..end]
}

/// The attendees whose names appear in `text`.
fn named_in(text: &str, record: &MeetingRecord, ids: &HashMap<String, PersonId>) -> Vec<PersonId> {
    let mut out: Vec<PersonId> = Vec::new();
    for (name, id) in ids {
        if text.contains(name.as_str())
            && record.attendance.iter().any(|a| a.person == *id)
            && !out.contains(id)
        {
            out.push(*id);
        }
    }
    out.sort();
    out
}

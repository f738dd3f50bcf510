//! The meeting screen: one form per step, each a `proceedings::Command`
//! sent through `Tx::record_command`, the state from the engine's snapshot.
//! Only what the engine would accept now is offered (`Snapshot::may_put`,
//! `may_move`, `may_decide`, the voting order's two sides); choices that
//! point at a yrkande start empty; steps that cannot be undone at the
//! screen (closing the meeting, finishing the item, counting the votes,
//! reopening a decided item) need their confirm box ticked.

use super::*;
use kansli_core::meeting::Proposal;

struct SeatLine {
    id: i64,
    name: String,
    role: &'static str,
    present: Option<String>,
    deciding: bool,
}

struct ProposalLine {
    /// The engine's position; people see `number`, counted from 1.
    index: usize,
    number: usize,
    mover_ids: Vec<String>,
    text: String,
    kind: &'static str,
    /// "Yrkande 1 (Anna Andersson (S)): bifall till förslaget".
    label: String,
    withdrawn: bool,
    /// Neither put nor withdrawn: it may still be withdrawn or corrected.
    open: bool,
    /// Återremiss or bordläggning: what a minority in fullmäktige may
    /// demand (KL 5 kap. 50 §).
    procedural: bool,
    /// The att-clauses it carries, one per line, for the correction form.
    clauses: String,
}

impl ProposalLine {
    fn moved_by(&self, id: &str) -> bool {
        self.mover_ids.iter().any(|x| x == id)
    }
}

/// One proposition the chair may put now.
struct PutForm {
    put: Vec<usize>,
    /// The proposals put, as people read them.
    listed: Vec<String>,
    /// What the chair may find for: the proposals, and for a procedural
    /// question "avgörs i dag" (value `idag`).
    options: Vec<Choice>,
    procedural: bool,
    key: String,
}

struct RollLine {
    id: i64,
    name: String,
    /// The ballot recorded so far, as shown.
    ballot: Option<&'static str>,
    /// Its code ("ja", "nej", "avstar"), or empty.
    code: &'static str,
    /// The next to vote in the roll call: their Ja button has the focus.
    next: bool,
}

struct ItemChoice {
    index: usize,
    title: String,
    done: Option<u32>,
    open: bool,
}

/// A decided paragraph where reservations and notes may be recorded.
struct ReserveForm {
    number: u32,
    title: String,
    /// Those who took part in the decision.
    deciding: Vec<Choice>,
    /// The yrkanden a reservation may favour.
    proposals: Vec<Choice>,
    current: bool,
    /// Decided: reservations may be made (else only notes).
    decided: bool,
}

#[derive(Template)]
#[template(path = "staff_screen.html")]
struct ScreenPage {
    flash: Option<Flash>,
    csrf: String,
    id: i64,
    title: String,
    action: String,
    phase: &'static str,
    not_opened: bool,
    open: bool,
    adjourned: bool,
    closed: bool,
    seats: Vec<SeatLine>,
    /// Members and substitutes not in the room.
    any_absent_member: bool,
    present: Vec<Choice>,
    absent_members: Vec<Choice>,
    substitutes: Vec<Choice>,
    items: Vec<ItemChoice>,
    current: Option<String>,
    /// The förslag till beslut of the open item, as it would be decided.
    draft: Vec<String>,
    proposals: Vec<ProposalLine>,
    texts: Vec<String>,
    step: &'static str,
    found: bool,
    vote_requested: bool,
    voting: bool,
    decided: bool,
    may_move: bool,
    may_decide: bool,
    /// Jäv may still be declared (no proposition yet).
    may_disqualify: bool,
    put_forms: Vec<PutForm>,
    /// The two ways round the voting order may put the sides.
    orders: Vec<Choice>,
    /// "Ja-röst för …, nej-röst för …" of the vote under way.
    ja_nej: String,
    roll: Vec<RollLine>,
    all_voted: bool,
    kinds: Vec<Choice>,
    reserve_forms: Vec<ReserveForm>,
    presiding: String,
    /// Fullmäktige: the minority rule on återremiss and bordläggning
    /// applies.
    fullmaktige: bool,
    /// Members taking part in decisions now, for the minority's demand.
    deciding: Vec<Choice>,
    /// Officials and guests present: name and title.
    others: Vec<(String, String)>,
    /// The open item is an election: a tie is settled by lot.
    election: bool,
    /// #18 N: förhinder and called-in substitutes, in the attendance part.
    absences: Option<crate::member::AbsenceBlock>,
    /// #20 L3: the live part (the hub's secretary fragment), kept current
    /// by live.js over `…/mote/handelser`.
    live: String,
    /// #20 L4: the proportional election of the open election item
    /// (`sitting/election.rs`, template `staff_election.html`).
    proportional: Option<super::election::ElectionForm>,
    /// #20 L1: members who checked in on their own device and are not
    /// recorded present yet: id, name, "14:02".
    checked_in: Vec<(i64, String, String)>,
    /// #20 L1: written yrkanden waiting for the chair or the secretary.
    written: Vec<crate::live::chair::PendingWritten>,
}

impl KeptFields for ScreenPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

fn phase_label(p: MeetingPhase) -> &'static str {
    match p {
        MeetingPhase::NotOpened => "inte öppnat",
        MeetingPhase::Open => "pågår",
        MeetingPhase::Adjourned => "ajournerat",
        MeetingPhase::Closed => "avslutat",
    }
}

pub async fn screen(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let m = app.store.meeting(id).await?;
    let body = app.store.body(m.body).await?;
    let p = match m.status {
        MeetingStatus::Planned
        | MeetingStatus::NoticeIssued
        | MeetingStatus::InSession
        | MeetingStatus::Held => app.store.proceedings(id).await?,
        _ => {
            return after(
                &app,
                jar,
                &meeting_href(id),
                Err(StoreError::Sealed(
                    "sammanträdet är avslutat och protokollet justerat".into(),
                )),
            );
        }
    };
    let (jar, flash) = take_flash(&app, &s, jar);
    let mut page = screen_page(
        &p,
        flash,
        s.csrf.clone(),
        id,
        format!("{} {}", body.name, m.date),
    );
    page.absences = Some(crate::member::absence_block(&app, id, &s.csrf, true).await?);
    // #20 L3: what the members do themselves, as it arrives.
    page.live = app.live.current(id).await?.secretary.clone();
    // #20 L4: the proportional election form, with what a refusal kept.
    page.proportional = super::election::form(&p, id, page.flash.as_ref());
    // #20 L1: check-ins to confirm with the engine's `Arrive`, and the
    // written yrkanden handed in.
    let snap = p.snapshot();
    page.checked_in = app
        .store
        .check_ins(id)
        .await?
        .into_iter()
        .filter(|c| !snap.present.iter().any(|(x, _)| *x == c.person))
        .map(|c| {
            (
                c.person.0,
                crate::live::member::name(&p, c.person),
                crate::live::member::clock_hm(&c.at.to_string()),
            )
        })
        .collect();
    page.written = crate::live::chair::pending_written(&app, id, &p).await?;
    Ok((jar, Html(page.render()?)).into_response())
}

/// A decision as the protocol words it: the intro, then each att-clause.
fn decision_lines(d: &Decision, body: &str) -> Vec<String> {
    d.parts
        .iter()
        .flat_map(|part| {
            std::iter::once(part.intro(body))
                .chain(part.clauses.iter().map(|c| format!("– att {}", c.text)))
        })
        .collect()
}

/// "Yrkande 1 (Anna Andersson (S))": how people tell the proposals apart.
fn proposal_label(names: &kansli_core::wording::Names, i: usize, p: &Proposal) -> String {
    format!(
        "Yrkande {} ({}): {}",
        i + 1,
        names.actors(&p.movers),
        p.text
    )
}

/// What a side of a vote is for: a yrkande, or deciding the matter today.
fn side_label(
    names: &kansli_core::wording::Names,
    proposals: &[Proposal],
    side: Option<usize>,
) -> String {
    match side.and_then(|i| proposals.get(i).map(|p| (i, p))) {
        Some((i, p)) => proposal_label(names, i, p),
        None => "att ärendet avgörs i dag".into(),
    }
}

fn side_code(side: Option<usize>) -> String {
    side.map_or_else(|| "-".into(), |i| i.to_string())
}

fn screen_page(
    p: &Proceedings,
    flash: Option<Flash>,
    csrf: String,
    id: MeetingId,
    title: String,
) -> ScreenPage {
    let snap = p.snapshot();
    let setting = p.setting();
    let names = p.names();
    let name = |person: PersonId| {
        names
            .persons
            .get(&person)
            .map(|x| x.display())
            .unwrap_or_else(|| format!("person {person}"))
    };
    let seats: Vec<SeatLine> = setting
        .roster
        .iter()
        .map(|seat| {
            let pid = seat.person.id;
            let present = snap
                .present
                .iter()
                .find(|(x, _)| *x == pid)
                .map(|(_, c)| match c {
                    Capacity::Member => "närvarande".to_string(),
                    Capacity::ServingSubstitute { replacing } => {
                        format!("tjänstgör för {}", name(*replacing))
                    }
                    Capacity::Substitute => "närvarande ersättare".to_string(),
                    Capacity::Other { title } => title.clone(),
                });
            SeatLine {
                id: pid.0,
                name: seat.person.display(),
                role: seat.role.label_sv(),
                present,
                deciding: snap.deciding.contains(&pid),
            }
        })
        .collect();
    let choice = |pid: PersonId| Choice {
        value: pid.0.to_string(),
        label: name(pid),
    };
    // Members and substitutes present: officials and guests neither move,
    // vote nor reserve.
    let present: Vec<Choice> = snap
        .present
        .iter()
        .filter(|(_, c)| !matches!(c, Capacity::Other { .. }))
        .map(|(x, _)| choice(*x))
        .collect();
    let absent_members = setting
        .roster
        .iter()
        .filter(|s| s.role.is_member() && !snap.deciding.contains(&s.person.id))
        .map(|s| choice(s.person.id))
        .collect();
    let any_absent_member = setting
        .roster
        .iter()
        .any(|s| s.role.is_member() && !snap.present.iter().any(|(x, _)| *x == s.person.id));
    let substitutes = snap
        .present
        .iter()
        .filter(|(_, c)| matches!(c, Capacity::Substitute))
        .map(|(x, _)| choice(*x))
        .collect();
    let items = setting
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| ItemChoice {
            index: i,
            title: item.title.clone(),
            done: snap.done.iter().find(|(x, _)| *x == i).map(|(_, n)| *n),
            open: snap.open_item == Some(i),
        })
        .collect();
    let empty: Vec<Proposal> = Vec::new();
    let proposals_now = snap.paragraph.as_ref().map_or(&empty, |x| &x.proposals);
    let put_before: Vec<usize> = snap
        .paragraph
        .iter()
        .flat_map(|x| x.propositions.iter().flat_map(|s| s.put.iter().copied()))
        .chain(snap.put.iter().copied())
        .collect();
    let (current, draft, texts) = match &snap.paragraph {
        Some(par) => {
            let mut texts = Vec::new();
            for pr in &par.propositions {
                texts.push(pr.wording.clone());
            }
            for v in &par.votes {
                texts.push(v.wording.clone());
            }
            if let Some(d) = &par.decision {
                texts.push(format!(
                    "Beslut: {}",
                    decision_lines(d, &setting.body.name).join(" ")
                ));
            }
            for r in &par.reservations {
                texts.push(r.text.clone());
            }
            (
                Some(format!("§{} {}", par.number, par.title)),
                par.draft_decision
                    .as_ref()
                    .map(|d| decision_lines(d, &setting.body.name))
                    .unwrap_or_default(),
                texts,
            )
        }
        None => (None, vec![], vec![]),
    };
    let proposals: Vec<ProposalLine> = proposals_now
        .iter()
        .enumerate()
        .map(|(i, x)| ProposalLine {
            index: i,
            number: i + 1,
            mover_ids: x
                .movers
                .iter()
                .filter_map(|a| match a {
                    Actor::Person { person } => Some(person.0.to_string()),
                    Actor::Party { .. } => None,
                })
                .collect(),
            text: x.text.clone(),
            kind: x.kind.label_sv(),
            label: proposal_label(names, i, x),
            withdrawn: x.withdrawn,
            open: !x.withdrawn && !put_before.contains(&i) && !snap.decided,
            procedural: x.kind.is_procedural(),
            clauses: x
                .decision
                .as_ref()
                .filter(|d| {
                    Some(*d)
                        != snap
                            .paragraph
                            .as_ref()
                            .and_then(|p| p.draft_decision.as_ref())
                })
                .map(|d| {
                    d.parts
                        .iter()
                        .flat_map(|part| part.clauses.iter().map(|c| c.text.clone()))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
        })
        .collect();
    let put_forms = snap
        .may_put
        .iter()
        .map(|set| {
            let procedural = set.len() == 1
                && proposals_now
                    .get(set[0])
                    .is_some_and(|x| x.kind.is_procedural());
            let mut options: Vec<Choice> = set
                .iter()
                .filter_map(|i| proposals_now.get(*i).map(|x| (i, x)))
                .map(|(i, x)| Choice {
                    value: i.to_string(),
                    label: proposal_label(names, *i, x),
                })
                .collect();
            if procedural {
                options.push(Choice {
                    value: "idag".into(),
                    label: "att ärendet avgörs i dag (avslag på yrkandet)".into(),
                });
            }
            PutForm {
                key: set
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join("-"),
                listed: set
                    .iter()
                    .filter_map(|i| proposals_now.get(*i).map(|x| proposal_label(names, *i, x)))
                    .collect(),
                put: set.clone(),
                options,
                procedural,
            }
        })
        .collect();
    let orders = snap
        .sides
        .map(|[a, b]| {
            [(a, b), (b, a)]
                .into_iter()
                .map(|(ja, nej)| Choice {
                    value: format!("{}:{}", side_code(ja), side_code(nej)),
                    label: format!(
                        "Ja-röst för {}; nej-röst för {}",
                        side_label(names, proposals_now, ja),
                        side_label(names, proposals_now, nej)
                    ),
                })
                .collect()
        })
        .unwrap_or_default();
    let ja_nej = snap
        .ja_nej
        .map(|(ja, nej)| {
            format!(
                "Ja-röst för {}; nej-röst för {}.",
                side_label(names, proposals_now, ja),
                side_label(names, proposals_now, nej)
            )
        })
        .unwrap_or_default();
    let mut roll: Vec<RollLine> = if snap.step == Step::Voting {
        // The roll call follows the roster; everyone taking part now.
        let mut order: Vec<PersonId> = setting
            .roster
            .iter()
            .map(|s| s.person.id)
            .filter(|x| snap.deciding.contains(x))
            .collect();
        // Anyone who voted and has left since still has their ballot.
        for b in &snap.ballots {
            if !order.contains(&b.person) {
                order.push(b.person);
            }
        }
        order
            .into_iter()
            .map(|x| {
                let ballot = snap.ballots.iter().find(|b| b.person == x);
                RollLine {
                    id: x.0,
                    name: name(x),
                    ballot: ballot.map(|b| b.choice.label_sv()),
                    code: ballot.map_or("", |b| b.choice.code()),
                    next: false,
                }
            })
            .collect()
    } else {
        vec![]
    };
    if let Some(r) = roll.iter_mut().find(|r| r.ballot.is_none()) {
        r.next = true;
    }
    let all_voted = !roll.is_empty() && roll.iter().all(|r| r.ballot.is_some());
    let record = p.record();
    // Reservations and notes: the decided paragraphs, the open one first.
    let mut reserve_forms: Vec<ReserveForm> = Vec::new();
    if let Some(par) = snap.paragraph.as_ref().filter(|_| !snap.decided) {
        reserve_forms.push(ReserveForm {
            number: par.number,
            title: par.title.clone(),
            deciding: snap
                .present
                .iter()
                .filter(|(_, c)| !matches!(c, Capacity::Other { .. }))
                .map(|(x, _)| choice(*x))
                .collect(),
            proposals: vec![],
            current: true,
            decided: false,
        });
    }
    let mut numbers: Vec<u32> = snap.done.iter().map(|(_, n)| *n).collect();
    numbers.sort_by_key(|n| (Some(*n) != snap.paragraph.as_ref().map(|x| x.number), *n));
    for n in numbers {
        let Some(par) = record.paragraph(n) else {
            continue;
        };
        reserve_forms.push(ReserveForm {
            number: n,
            title: par.title.clone(),
            deciding: record.deciding_at(n).into_iter().map(&choice).collect(),
            proposals: par
                .proposals
                .iter()
                .enumerate()
                .filter(|(_, x)| !x.withdrawn)
                .map(|(i, x)| Choice {
                    value: i.to_string(),
                    label: proposal_label(names, i, x),
                })
                .collect(),
            current: snap.paragraph.as_ref().is_some_and(|x| x.number == n),
            decided: true,
        });
    }
    ScreenPage {
        flash,
        csrf,
        id: id.0,
        title,
        action: format!("/sekretariat/sammantraden/{}/mote", id.0),
        phase: phase_label(snap.phase),
        not_opened: snap.phase == MeetingPhase::NotOpened,
        open: snap.phase == MeetingPhase::Open,
        adjourned: snap.phase == MeetingPhase::Adjourned,
        closed: snap.phase == MeetingPhase::Closed,
        seats,
        any_absent_member,
        present,
        absent_members,
        substitutes,
        items,
        current,
        draft,
        proposals,
        texts,
        step: match snap.step {
            Step::Idle => "yrkanden",
            Step::Found => "ordföranden har funnit",
            Step::VoteRequested => "votering begärd",
            Step::Voting => "omröstning pågår",
        },
        found: snap.step == Step::Found && !snap.decided,
        vote_requested: snap.step == Step::VoteRequested,
        voting: snap.step == Step::Voting,
        decided: snap.decided,
        may_move: snap.may_move,
        may_decide: snap.may_decide,
        may_disqualify: snap.phase == MeetingPhase::Open
            && !snap.decided
            && snap.step == Step::Idle
            && snap
                .paragraph
                .as_ref()
                .is_some_and(|x| x.propositions.is_empty()),
        put_forms,
        orders,
        ja_nej,
        roll,
        all_voted,
        kinds: ProposalKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: k.label_sv().into(),
            })
            .collect(),
        reserve_forms,
        presiding: snap.presiding.map(name).unwrap_or_else(|| "ingen".into()),
        fullmaktige: setting.body.kind == kansli_core::org::BodyKind::Fullmaktige,
        deciding: snap.deciding.iter().map(|x| choice(*x)).collect(),
        election: snap
            .open_item
            .is_some_and(|i| setting.items[i].kind == ItemKind::Election),
        others: snap
            .present
            .iter()
            .filter_map(|(x, c)| match c {
                Capacity::Other { title } => Some((name(*x), title.clone())),
                _ => None,
            })
            .collect(),
        absences: None,
        live: String::new(),
        proportional: None, // #20 L4: set in `screen`
        checked_in: vec![],
        written: vec![],
    }
}

/// One step of the meeting, as the screen's forms send it.
#[derive(Deserialize, Default)]
pub struct CommandForm {
    #[serde(default)]
    command: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    replacing: String,
    #[serde(default)]
    ground: String,
    #[serde(default)]
    item: String,
    /// People chosen (movers, supporters, reserving); `alla` stands for
    /// everyone taking part in decisions now.
    #[serde(default)]
    movers: Vec<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    clauses: String,
    #[serde(default)]
    proposal: String,
    #[serde(default)]
    put: Vec<String>,
    /// A proposal's position, `idag` (a procedural question found against:
    /// the matter is decided today), or empty (nothing chosen).
    #[serde(default)]
    found_for: String,
    /// The voting order: "ja:nej", each a proposal's position or `-`.
    #[serde(default)]
    order: String,
    #[serde(default)]
    choice: String,
    /// The roll call in one form: "person:choice" per member, empty where
    /// nothing was chosen.
    #[serde(default)]
    votes: Vec<String>,
    /// One member's vote from the roll call's own button: "person:choice".
    #[serde(default)]
    quick: String,
    #[serde(default)]
    paragraph: String,
    #[serde(default)]
    in_favour_of: String,
    #[serde(default)]
    at: String,
    /// An official's or guest's name and title ("övriga närvarande").
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    /// How the lot fell on a tie in an election: ja or nej.
    #[serde(default)]
    lot: String,
    /// The confirm box of a step that cannot be undone here: `ja`.
    #[serde(default)]
    confirm: String,
}

fn opt_index(at: &str, s: &str) -> Result<Option<usize>, StoreError> {
    match s.trim() {
        "" | "-" => Ok(None),
        x => form_number(at, x).map(Some),
    }
}

fn person(at: &str, s: &str) -> Result<PersonId, StoreError> {
    if s.trim().is_empty() {
        return Err(refused(at, "välj en person"));
    }
    form_number::<i64>(at, s).map(PersonId)
}

/// The people chosen; `alla` is everyone taking part in decisions now.
fn people(at: &str, ids: &[String], everyone: &[PersonId]) -> Result<Vec<PersonId>, StoreError> {
    let mut out: Vec<PersonId> = Vec::new();
    for x in ids {
        let chosen = if x == "alla" {
            everyone.to_vec()
        } else {
            vec![person(at, x)?]
        };
        for c in chosen {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    Ok(out)
}

fn actors(at: &str, ids: &[String], everyone: &[PersonId]) -> Result<Vec<Actor>, StoreError> {
    let chosen = people(at, ids, everyone)?;
    if chosen.is_empty() {
        return Err(refused(at, "välj minst en person"));
    }
    Ok(chosen
        .into_iter()
        .map(|p| Actor::Person { person: p })
        .collect())
}

fn time(s: &str) -> Result<Option<jiff::civil::Time>, StoreError> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| refused("klockslag", format!("«{t}» är ingen tid (TT:MM)"))),
    }
}

fn vote_choice(at: &str, s: &str) -> Result<VoteChoice, StoreError> {
    VoteChoice::from_code(s).ok_or_else(|| refused(at, "välj ja, nej eller avstår"))
}

/// "person:choice" as the roll call sends it.
fn ballot(s: &str) -> Result<(PersonId, VoteChoice), StoreError> {
    let (who, what) = s
        .split_once(':')
        .ok_or_else(|| refused("röst", "välj ja, nej eller avstår"))?;
    Ok((person("röst", who)?, vote_choice("röst", what)?))
}

/// A cast, or a correction when the person has voted already.
fn cast(
    snap: &kansli_core::proceedings::Snapshot,
    person: PersonId,
    choice: VoteChoice,
) -> Option<Command> {
    match snap.ballots.iter().find(|b| b.person == person) {
        None => Some(Command::CastVote { person, choice }),
        Some(b) if b.choice != choice => Some(Command::CorrectVote { person, choice }),
        Some(_) => None,
    }
}

/// The confirm box of a step that cannot be undone at the screen.
fn confirmed(f: &CommandForm, at: &str, what: &str) -> Result<(), StoreError> {
    if f.confirm == "ja" {
        Ok(())
    } else {
        Err(refused(
            at,
            format!("kryssa i rutan för att bekräfta att {what}"),
        ))
    }
}

/// The decision a proposal or the body's decision carries: the written
/// att-clauses in the draft decision's form, or the draft itself.
fn decision_from(clauses: &str, draft: Option<&Decision>) -> Option<Decision> {
    let clauses: Vec<Clause> = lines(clauses).into_iter().map(Clause::new).collect();
    if clauses.is_empty() {
        return None;
    }
    let formula = draft
        .and_then(|d| d.parts.first())
        .map(|p| p.formula.clone())
        .unwrap_or(Formula::Decides);
    Some(Decision::single(formula, clauses))
}

/// What a yrkande of `kind` decides: its own att-clauses, else the draft
/// for bifall or avslag (the draft says what is decided), none for a
/// procedural one.
fn proposal_decision(
    kind: ProposalKind,
    clauses: &str,
    draft: Option<&Decision>,
) -> Option<Decision> {
    if kind.is_procedural() {
        return None;
    }
    decision_from(clauses, draft).or_else(|| match kind {
        ProposalKind::Bifall | ProposalKind::Avslag => draft.cloned(),
        _ => None,
    })
}

fn yrkande_text(f: &CommandForm) -> Result<String, StoreError> {
    let text = f.text.trim();
    if text.is_empty() {
        return Err(refused(
            "yrkande",
            "skriv vad som yrkas, t.ex. ”bifall till motionen”",
        ));
    }
    Ok(text.into())
}

/// The form's commands, read against the meeting as it stands; most forms
/// give one, "alla ledamöter närvarande" and the roll call one per person.
async fn commands_from(
    app: &AppState,
    p: &Proceedings,
    f: &CommandForm,
) -> Result<Vec<Command>, StoreError> {
    let snap = p.snapshot();
    let draft = snap
        .paragraph
        .as_ref()
        .and_then(|x| x.draft_decision.clone());
    let one = |c: Command| Ok(vec![c]);
    match f.command.as_str() {
        "open" => one(Command::Open {
            at: time(&f.at)?,
            on: Some(app.config.today()),
        }),
        "arrive" => one(Command::Arrive {
            person: person("ankommer", &f.person)?,
        }),
        // Every member not in the room arrives; substitutes are marked one
        // by one, as they come.
        "arrive_all" => {
            let arriving: Vec<Command> = p
                .setting()
                .roster
                .iter()
                .filter(|s| s.role.is_member())
                .filter(|s| !snap.present.iter().any(|(x, _)| *x == s.person.id))
                .map(|s| Command::Arrive {
                    person: s.person.id,
                })
                .collect();
            if arriving.is_empty() {
                return Err(refused("närvaro", "alla ledamöter är redan närvarande"));
            }
            Ok(arriving)
        }
        "leave" => one(Command::Leave {
            person: person("lämnar", &f.person)?,
        }),
        // The person is registered in the same transaction as the arrival
        // (see `record`); until then the id is a placeholder.
        "arrive_other" => one(Command::ArriveOther {
            person: PersonId(0),
            name: f.name.trim().into(),
            title: f.title.trim().into(),
        }),
        "serve" => one(Command::Serve {
            substitute: person("ersättare", &f.person)?,
            replacing: person("ersätter", &f.replacing)?,
        }),
        "disqualify" => one(Command::Disqualify {
            person: person("jäv", &f.person)?,
            ground: f.ground.trim().into(),
        }),
        "take_up" => {
            let item: usize = form_number("punkt", &f.item)?;
            let agenda = p
                .setting()
                .items
                .get(item)
                .ok_or_else(|| refused("punkt", "punkten finns inte"))?;
            let draft_decision = match (agenda.kind, agenda.case) {
                (ItemKind::Information, _) => Some(Decision::notes_information(
                    "anteckna att information har lämnats i ärendet.",
                )),
                (_, Some(case)) => app
                    .store
                    .officer_reports(case)
                    .await?
                    .last()
                    .map(|r| r.draft_decision.clone()),
                _ => None,
            };
            one(Command::TakeUp {
                item,
                draft_decision,
            })
        }
        "move" => {
            let kind = ProposalKind::ALL
                .into_iter()
                .find(|k| k.code() == f.kind)
                .ok_or_else(|| refused("yrkande", "välj typ av yrkande"))?;
            let text = yrkande_text(f)?;
            one(Command::Move {
                movers: actors("yrkande", &f.movers, &snap.deciding)?,
                kind,
                text,
                decision: proposal_decision(kind, &f.clauses, draft.as_ref()),
            })
        }
        "amend" => {
            let proposal: usize = form_number("yrkande", &f.proposal)?;
            let kind = snap
                .paragraph
                .as_ref()
                .and_then(|x| x.proposals.get(proposal))
                .map(|x| x.kind)
                .ok_or_else(|| refused("yrkande", "yrkandet finns inte"))?;
            let text = yrkande_text(f)?;
            one(Command::AmendProposal {
                proposal,
                movers: actors("yrkande", &f.movers, &snap.deciding)?,
                text,
                decision: proposal_decision(kind, &f.clauses, draft.as_ref()),
            })
        }
        "withdraw" => one(Command::Withdraw {
            proposal: form_number("yrkande", &f.proposal)?,
        }),
        "minority" => one(Command::MinorityReferral {
            proposal: form_number("minoritetsåterremiss", &f.proposal)?,
            supporters: people("minoritetsåterremiss", &f.movers, &snap.deciding)?,
        }),
        "put" => {
            let found_for = match f.found_for.trim() {
                "" => {
                    return Err(refused(
                        "proposition",
                        "välj vad ordföranden finner att organet bifaller",
                    ));
                }
                "idag" => None,
                x => Some(form_number("ordföranden finner", x)?),
            };
            one(Command::Put {
                put: f
                    .put
                    .iter()
                    .map(|x| form_number("proposition", x))
                    .collect::<Result<_, _>>()?,
                found_for,
            })
        }
        "request_vote" => one(Command::RequestVote {
            by: person("votering begärd av", &f.person)?,
        }),
        "voting_order" => {
            let (ja, nej) = f.order.split_once(':').ok_or_else(|| {
                refused(
                    "voteringsproposition",
                    "välj vad en ja-röst och en nej-röst står för",
                )
            })?;
            one(Command::ApproveVotingOrder {
                ja: opt_index("ja", ja)?,
                nej: opt_index("nej", nej)?,
            })
        }
        // One member's vote; a second for the same member corrects it.
        "cast" => {
            let who = person("röst", &f.person)?;
            let choice = vote_choice("röst", &f.choice)?;
            Ok(cast(&snap, who, choice).into_iter().collect())
        }
        // The roll call in one form; a button of its own sends one vote.
        "roll_call" => {
            if !f.quick.is_empty() {
                let (who, choice) = ballot(&f.quick)?;
                return Ok(cast(&snap, who, choice).into_iter().collect());
            }
            let mut out = Vec::new();
            for v in f.votes.iter().filter(|v| !v.trim().is_empty()) {
                let (who, choice) = ballot(v)?;
                out.extend(cast(&snap, who, choice));
            }
            if out.is_empty() {
                return Err(refused(
                    "upprop",
                    "inga nya eller ändrade röster; välj ja, nej eller avstår för ledamöterna",
                ));
            }
            Ok(out)
        }
        "count" => {
            confirmed(
                f,
                "omröstning",
                "rösterna ska räknas; därefter kan de inte rättas",
            )?;
            one(Command::CountVotes {
                lot: match f.lot.as_str() {
                    "" => None,
                    "ja" => Some(VoteChoice::Ja),
                    "nej" => Some(VoteChoice::Nej),
                    _ => return Err(refused("lottning", "lotten faller på ja eller nej")),
                },
            })
        }
        "decide" => one(Command::Decide {
            decision: decision_from(&f.clauses, draft.as_ref()),
        }),
        "reserve" => {
            let number: u32 = form_number("paragraf", &f.paragraph)?;
            let record = p.record();
            let everyone = record.deciding_at(number);
            one(Command::Reserve {
                paragraph: number,
                by: actors("reservation", &f.movers, &everyone)?,
                in_favour_of: opt_index("till förmån för", &f.in_favour_of)?,
                reasons: Some(f.text.trim().to_string()).filter(|t| !t.is_empty()),
            })
        }
        "note" => {
            let number: u32 = form_number("paragraf", &f.paragraph)?;
            one(Command::MinuteNote {
                paragraph: number,
                by: if f.movers.is_empty() {
                    vec![]
                } else {
                    actors("protokollsanteckning", &f.movers, &snap.deciding)?
                },
                text: f.text.trim().into(),
            })
        }
        "finish" => {
            confirmed(f, "punkten", "punkten är klar")?;
            one(Command::FinishItem)
        }
        "reopen" => {
            confirmed(
                f,
                "punkten",
                "beslutet, propositionerna, omröstningarna och reservationerna i paragrafen tas bort och punkten behandlas på nytt",
            )?;
            one(Command::Reopen {
                paragraph: form_number("paragraf", &f.paragraph)?,
            })
        }
        "adjourn" => one(Command::Adjourn),
        "resume" => one(Command::Resume),
        "close" => {
            confirmed(
                f,
                "sammanträdet",
                "sammanträdet ska avslutas; därefter kan inget mer antecknas",
            )?;
            one(Command::Close { at: time(&f.at)? })
        }
        other => Err(refused("sammanträdet", format!("okänd åtgärd «{other}»"))),
    }
}

/// Records one step (or the few commands of one form, all or none); the
/// engine accepts it or the screen shows why not.
pub async fn record(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<CommandForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        // #20 L1: a written yrkande accepted into the record or declined.
        if let c @ ("accept_written" | "decline_written") = f.command.as_str() {
            return crate::live::chair::decide_written(
                &app,
                &s,
                id,
                &f.proposal,
                c == "accept_written",
            )
            .await;
        }
        let p = app.store.proceedings(id).await?;
        let commands = commands_from(&app, &p, &f).await?;
        let mut tx = app.store.begin(&who).await?;
        let n = commands.len();
        for command in commands {
            let command = match command {
                Command::ArriveOther { name, title, .. } => {
                    // The engine checks name and title; its refusal rolls
                    // the new person back with the arrival.
                    let person = tx.add_person(&name, None).await?;
                    Command::ArriveOther {
                        person,
                        name,
                        title,
                    }
                }
                c => c,
            };
            tx.record_command(id, &command).await?;
        }
        tx.commit().await?;
        Ok(match (f.command.as_str(), n) {
            (_, 0) => "Ingen ändring: rösten var redan antecknad.".to_string(),
            ("roll_call" | "arrive_all", n) if n > 1 => format!("Antecknat ({n} st)."),
            _ => "Antecknat.".to_string(),
        })
    }
    .await;
    // #20 L3: the live views follow at once.
    app.live.changed(id);
    let outcome = logged(&app, &who, id, "sammanträdet", outcome).await;
    // During the roll call the next vote has the focus (autofocus), which
    // a fragment in the address would cancel; otherwise the page scrolls to
    // the open item.
    let to = if matches!(f.command.as_str(), "voting_order" | "cast" | "roll_call") {
        format!("/sekretariat/sammantraden/{}/mote", id.0)
    } else {
        format!("/sekretariat/sammantraden/{}/mote#aktuellt", id.0)
    };
    // What was typed comes back with a refusal, for the form of this command.
    let kept = [
        ("text", Kind::FreeText, f.text.as_str()),
        ("clauses", Kind::FreeText, f.clauses.as_str()),
        ("kind", Kind::Code, f.kind.as_str()),
        ("in_favour_of", Kind::Code, f.in_favour_of.as_str()),
        ("name", Kind::Name, f.name.as_str()),
        ("title", Kind::Line, f.title.as_str()),
        ("ground", Kind::Line, f.ground.as_str()),
        ("proposal", Kind::Code, f.proposal.as_str()),
    ];
    after_keeping(&app, &s, jar, &to, outcome, &f.command, &kept)
}

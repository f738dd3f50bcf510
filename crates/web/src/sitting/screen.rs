//! The meeting screen: one form per step, each a `proceedings::Command`
//! sent through `Tx::record_command`, the state from the engine's snapshot.

use super::*;

struct SeatLine {
    id: i64,
    name: String,
    role: &'static str,
    present: Option<String>,
    deciding: bool,
    ballot: Option<&'static str>,
    /// The next to vote in the roll call: their Ja button has the focus.
    next: bool,
}

struct ProposalLine {
    index: usize,
    text: String,
    withdrawn: bool,
    /// Återremiss or bordläggning: what a minority in fullmäktige may
    /// demand (KL 5 kap. 50 §).
    procedural: bool,
}

struct ItemChoice {
    index: usize,
    title: String,
    done: Option<u32>,
    open: bool,
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
    present: Vec<Choice>,
    absent_members: Vec<Choice>,
    substitutes: Vec<Choice>,
    items: Vec<ItemChoice>,
    current: Option<String>,
    number: u32,
    proposals: Vec<ProposalLine>,
    texts: Vec<String>,
    step: &'static str,
    idle: bool,
    found: bool,
    vote_requested: bool,
    voting: bool,
    decided: bool,
    kinds: Vec<Choice>,
    finished: Vec<Choice>,
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
    Ok((jar, Html(page.render()?)).into_response())
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
    let name = |person: PersonId| {
        p.names()
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
                ballot: snap
                    .ballots
                    .iter()
                    .find(|b| b.person == pid)
                    .map(|b| b.choice.label_sv()),
                next: false,
            }
        })
        .collect();
    let mut seats: Vec<SeatLine> = seats;
    if snap.step == Step::Voting
        && let Some(s) = seats.iter_mut().find(|s| s.deciding && s.ballot.is_none())
    {
        s.next = true;
    }
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
    let (current, number, proposals, texts) = match &snap.paragraph {
        Some(par) => {
            let mut texts = Vec::new();
            for pr in &par.propositions {
                texts.push(pr.wording.clone());
            }
            for v in &par.votes {
                texts.push(v.wording.clone());
            }
            if let Some(d) = &par.decision {
                for part in &d.parts {
                    let clauses: Vec<String> =
                        part.clauses.iter().map(|c| c.text.clone()).collect();
                    texts.push(format!(
                        "Beslut: {} {}",
                        part.intro(&setting.body.name),
                        clauses.join("; ")
                    ));
                }
            }
            for r in &par.reservations {
                texts.push(r.text.clone());
            }
            (
                Some(format!("§{} {}", par.number, par.title)),
                par.number,
                par.proposals
                    .iter()
                    .enumerate()
                    .map(|(i, x)| ProposalLine {
                        index: i,
                        text: format!(
                            "{}: {} ({})",
                            x.movers
                                .iter()
                                .map(|a| match a {
                                    Actor::Person { person } => name(*person),
                                    Actor::Party { party } => party.clone(),
                                })
                                .collect::<Vec<_>>()
                                .join(", "),
                            x.text,
                            x.kind.label_sv()
                        ),
                        withdrawn: x.withdrawn,
                        procedural: x.kind.is_procedural(),
                    })
                    .collect(),
                texts,
            )
        }
        None => (None, 0, vec![], vec![]),
    };
    let finished = snap
        .done
        .iter()
        .map(|(i, n)| Choice {
            value: n.to_string(),
            label: format!("§{n} {}", setting.items[*i].title),
        })
        .collect();
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
        present,
        absent_members,
        substitutes,
        items,
        current,
        number,
        proposals,
        texts,
        step: match snap.step {
            Step::Idle => "yrkanden",
            Step::Found => "ordförande har funnit",
            Step::VoteRequested => "votering begärd",
            Step::Voting => "omröstning pågår",
        },
        idle: snap.step == Step::Idle,
        found: snap.step == Step::Found,
        vote_requested: snap.step == Step::VoteRequested,
        voting: snap.step == Step::Voting,
        decided: snap.decided,
        kinds: ProposalKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: k.label_sv().into(),
            })
            .collect(),
        finished,
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
    #[serde(default)]
    found_for: String,
    #[serde(default)]
    ja: String,
    #[serde(default)]
    nej: String,
    #[serde(default)]
    choice: String,
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
}

fn opt_index(at: &str, s: &str) -> Result<Option<usize>, StoreError> {
    match s.trim() {
        "" => Ok(None),
        x => form_number(at, x).map(Some),
    }
}

fn person(at: &str, s: &str) -> Result<PersonId, StoreError> {
    if s.trim().is_empty() {
        return Err(refused(at, "välj en person"));
    }
    form_number::<i64>(at, s).map(PersonId)
}

fn actors(at: &str, ids: &[String]) -> Result<Vec<Actor>, StoreError> {
    if ids.is_empty() {
        return Err(refused(at, "välj minst en person"));
    }
    ids.iter()
        .map(|x| person(at, x).map(|p| Actor::Person { person: p }))
        .collect()
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

/// The form's command, read against the meeting as it stands.
async fn command_from(
    app: &AppState,
    p: &Proceedings,
    f: &CommandForm,
) -> Result<Command, StoreError> {
    let snap = p.snapshot();
    let draft = snap
        .paragraph
        .as_ref()
        .and_then(|x| x.draft_decision.clone());
    Ok(match f.command.as_str() {
        "open" => Command::Open { at: time(&f.at)? },
        "arrive" => Command::Arrive {
            person: person("ankommer", &f.person)?,
        },
        "leave" => Command::Leave {
            person: person("lämnar", &f.person)?,
        },
        // The person is registered in the same transaction as the arrival
        // (see `record`); until then the id is a placeholder.
        "arrive_other" => Command::ArriveOther {
            person: PersonId(0),
            name: f.name.trim().into(),
            title: f.title.trim().into(),
        },
        "serve" => Command::Serve {
            substitute: person("ersättare", &f.person)?,
            replacing: person("ersätter", &f.replacing)?,
        },
        "disqualify" => Command::Disqualify {
            person: person("jäv", &f.person)?,
            ground: f.ground.trim().into(),
        },
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
            Command::TakeUp {
                item,
                draft_decision,
            }
        }
        "move" => {
            let kind = ProposalKind::ALL
                .into_iter()
                .find(|k| k.code() == f.kind)
                .ok_or_else(|| refused("yrkande", "välj typ av yrkande"))?;
            let decision = if kind.is_procedural() {
                None
            } else {
                decision_from(&f.clauses, draft.as_ref()).or_else(|| match kind {
                    // Bifall to the draft, or avslag to a motion whose draft
                    // is to reject it: the draft says what is decided.
                    ProposalKind::Bifall | ProposalKind::Avslag => draft.clone(),
                    _ => None,
                })
            };
            let text = f.text.trim();
            if text.is_empty() {
                return Err(refused(
                    "yrkande",
                    "skriv vad som yrkas, t.ex. ”bifall till motionen”",
                ));
            }
            Command::Move {
                movers: actors("yrkande", &f.movers)?,
                kind,
                text: text.into(),
                decision,
            }
        }
        "withdraw" => Command::Withdraw {
            proposal: form_number("yrkande", &f.proposal)?,
        },
        "minority" => Command::MinorityReferral {
            proposal: form_number("minoritetsåterremiss", &f.proposal)?,
            supporters: f
                .movers
                .iter()
                .map(|x| person("minoritetsåterremiss", x))
                .collect::<Result<_, _>>()?,
        },
        "put" => Command::Put {
            put: f
                .put
                .iter()
                .map(|x| form_number("proposition", x))
                .collect::<Result<_, _>>()?,
            found_for: opt_index("ordförande finner", &f.found_for)?,
        },
        "request_vote" => Command::RequestVote {
            by: person("votering begärd av", &f.person)?,
        },
        "voting_order" => Command::ApproveVotingOrder {
            ja: opt_index("ja", &f.ja)?,
            nej: opt_index("nej", &f.nej)?,
        },
        "cast" => Command::CastVote {
            person: person("röst", &f.person)?,
            choice: match f.choice.as_str() {
                "ja" => VoteChoice::Ja,
                "nej" => VoteChoice::Nej,
                "avstar" => VoteChoice::Avstar,
                _ => return Err(refused("röst", "välj ja, nej eller avstår")),
            },
        },
        "count" => Command::CountVotes {
            lot: match f.lot.as_str() {
                "" => None,
                "ja" => Some(VoteChoice::Ja),
                "nej" => Some(VoteChoice::Nej),
                _ => return Err(refused("lottning", "lotten faller på ja eller nej")),
            },
        },
        "decide" => Command::Decide {
            decision: decision_from(&f.clauses, draft.as_ref()),
        },
        "reserve" => Command::Reserve {
            paragraph: form_number("paragraf", &f.paragraph)?,
            by: actors("reservation", &f.movers)?,
            in_favour_of: opt_index("till förmån för", &f.in_favour_of)?,
            reasons: Some(f.text.trim().to_string()).filter(|t| !t.is_empty()),
        },
        "note" => Command::MinuteNote {
            paragraph: form_number("paragraf", &f.paragraph)?,
            by: if f.movers.is_empty() {
                vec![]
            } else {
                actors("protokollsanteckning", &f.movers)?
            },
            text: f.text.trim().into(),
        },
        "finish" => Command::FinishItem,
        "adjourn" => Command::Adjourn,
        "resume" => Command::Resume,
        "close" => Command::Close { at: time(&f.at)? },
        other => return Err(refused("sammanträdet", format!("okänd åtgärd «{other}»"))),
    })
}

/// Records one step; the engine accepts it or the screen shows why not.
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
        let p = app.store.proceedings(id).await?;
        let command = command_from(&app, &p, &f).await?;
        let mut tx = app.store.begin(&who).await?;
        let command = match command {
            Command::ArriveOther { name, title, .. } => {
                // The engine checks name and title; its refusal rolls the
                // new person back with the arrival.
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
        tx.commit().await?;
        Ok("Antecknat.".to_string())
    }
    .await;
    let outcome = logged(&app, &who, id, "sammanträdet", outcome).await;
    // During the roll call the next vote has the focus (autofocus), which
    // a fragment in the address would cancel; otherwise the page scrolls to
    // the open item.
    let to = if matches!(f.command.as_str(), "voting_order" | "cast") {
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
    ];
    after_keeping(&app, &s, jar, &to, outcome, &f.command, &kept)
}

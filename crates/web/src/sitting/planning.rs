//! Before the meeting: the agenda item by item (added, edited, moved,
//! removed after a confirmation), the föredragande, the meeting moved to
//! another day, time or place or cancelled, each with its reason. A change
//! after the kallelse goes out as a tilläggskallelse, and the members are
//! told ([`members_told`]).

use super::{logged, meeting_href};
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::pages::parse_id;
use crate::secretariat::{actor, after_keeping, form_date, form_number, refused};
use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::{CookieJar, Form};
use kansli_core::limits::Kind;
use kansli_core::meeting::{AgendaItem, BasisItem, ItemKind, MeetingStatus};
use kansli_core::{Access, CaseId, MeetingId, PersonId};
use kansli_store::StoreError;
use kansli_store::planning::ItemEdit;
use serde::Deserialize;

/// Tells the members and substitutes called to a meeting what changed in
/// it: moved, cancelled, or an agenda changed after the kallelse (a
/// tilläggskallelse). `what` is the Swedish sentence of the change. Called
/// after the change is committed; sending never undoes it.
pub async fn members_told(app: &AppState, meeting: MeetingId, what: &str) {
    crate::mail::meeting_changed(app, meeting, what).await;
}

/// The name of the form that edits (or removes) item `index`.
pub(super) fn item_form(index: usize) -> String {
    format!("item:{index}")
}

fn item_kind(code: &str) -> ItemKind {
    match code {
        "information" => ItemKind::Information,
        "election" => ItemKind::Election,
        _ => ItemKind::Decision,
    }
}

fn presenter(raw: &str) -> Result<Option<PersonId>, StoreError> {
    match raw.trim() {
        "" => Ok(None),
        p => Ok(Some(PersonId(form_number("föredragande", p)?))),
    }
}

#[derive(Deserialize)]
pub struct AgendaForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    index: String,
    /// The item's title as the page showed it: a list changed meanwhile
    /// is refused rather than the wrong item changed.
    #[serde(default)]
    expected: String,
    #[serde(default)]
    case: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    ground: String,
    #[serde(default)]
    presenter: String,
    /// "ja" when the removal is confirmed.
    #[serde(default)]
    confirm: String,
}

/// Adds an item (from a case, with the case's public documents as its
/// basis), edits one, moves one up or down, or removes one once the
/// removal is confirmed.
pub async fn agenda(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<AgendaForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        let status = app.store.meeting(id).await?.status;
        let mut tx = app.store.begin(&who).await?;
        let message = match f.action.as_str() {
            "add" => {
                let case: Option<CaseId> = match f.case.trim() {
                    "" => None,
                    c => Some(CaseId(form_number("ärende", c)?)),
                };
                let mut title = f.title.trim().to_string();
                let mut basis = Vec::new();
                if let Some(c) = case {
                    let found = app.store.case(c).await?;
                    if title.is_empty() {
                        title = found.title;
                    }
                    // Public documents only: the basis is printed in the
                    // kallelse and on public pages.
                    for d in app.store.documents(c).await? {
                        if d.access.is_public() {
                            basis.push(BasisItem {
                                title: d.title,
                                document: Some(d.id),
                            });
                        }
                    }
                }
                // A case whose matter is secret comes onto the agenda secret,
                // with its ground, unless another ground is given.
                let case_ground = match case {
                    Some(c) => app.store.case_secrecy(c).await?,
                    None => None,
                };
                let access = match (f.ground.trim(), case_ground) {
                    ("", None) => Access::Public,
                    ("", Some(g)) => Access::Secret { ground: g },
                    (g, _) => Access::Secret { ground: g.into() },
                };
                let n = tx
                    .add_agenda_item(
                        id,
                        AgendaItem {
                            title: title.clone(),
                            case,
                            kind: item_kind(&f.kind),
                            access,
                            basis,
                            paragraph: None,
                            presenter: presenter(&f.presenter)?,
                        },
                    )
                    .await?;
                format!(
                    "«{title}» är tillagd i föredragningslistan som punkt {}.",
                    n + 1
                )
            }
            "edit" => {
                let i: usize = form_number("punkt", &f.index)?;
                let access = match f.ground.trim() {
                    "" => Access::Public,
                    g => Access::Secret { ground: g.into() },
                };
                let edit = ItemEdit {
                    title: f.title.clone(),
                    kind: item_kind(&f.kind),
                    access,
                    presenter: presenter(&f.presenter)?,
                };
                if tx.edit_agenda_item(id, i, &f.expected, edit).await? {
                    format!("Punkt {} är ändrad.", i + 1)
                } else {
                    format!("Punkt {} var redan så; inget ändrades.", i + 1)
                }
            }
            "up" | "down" => {
                let i: usize = form_number("punkt", &f.index)?;
                let to = match f.action.as_str() {
                    "up" => i.saturating_sub(1),
                    _ => i + 1,
                };
                if tx.move_agenda_item(id, i, &f.expected, to).await? {
                    "Föredragningslistan är ändrad.".to_string()
                } else {
                    "Punkten står redan där; inget ändrades.".to_string()
                }
            }
            "remove" => {
                let i: usize = form_number("punkt", &f.index)?;
                if f.confirm != "ja" {
                    return Err(refused(
                        &format!("punkt {}", i + 1),
                        "bekräfta att punkten ska tas bort genom att kryssa i rutan",
                    ));
                }
                let removed = tx.remove_agenda_item(id, i, &f.expected).await?;
                format!("«{}» är borttagen ur föredragningslistan.", removed.title)
            }
            _ => return Err(refused("föredragningslistan", "okänd åtgärd")),
        };
        tx.commit().await?;
        Ok((message, status))
    }
    .await;
    let outcome = match outcome {
        Ok((message, status)) => {
            if status.changes_are_supplement() {
                members_told(
                    &app,
                    id,
                    &format!("Tilläggskallelse: föredragningslistan är ändrad. {message}"),
                )
                .await;
            }
            Ok(message)
        }
        Err(e) => Err(e),
    };
    let outcome = logged(&app, &who, id, "föredragningslistan", outcome).await;
    let form = match f.action.as_str() {
        "add" => "agenda".to_string(),
        _ => item_form(f.index.trim().parse().unwrap_or(usize::MAX)),
    };
    let kept: &[(&str, Kind, &str)] = match f.action.as_str() {
        "add" | "edit" => &[
            ("case", Kind::Code, &f.case),
            ("title", Kind::Title, &f.title),
            ("kind", Kind::Code, &f.kind),
            ("ground", Kind::Code, &f.ground),
            ("presenter", Kind::Code, &f.presenter),
            ("action", Kind::Code, &f.action),
        ],
        _ => &[("action", Kind::Code, &f.action)],
    };
    let to = match f.action.as_str() {
        "add" => meeting_href(id),
        _ => format!("{}#punkt-{}", meeting_href(id), f.index.trim()),
    };
    after_keeping(&app, &s, jar, &to, outcome, &form, kept)
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    reason: String,
}

/// Moves the meeting to another day, time or place, with the reason
/// (logged). Before it begins only; a meeting to be held earlier than
/// planned is moved first.
pub async fn move_meeting(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<MoveForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        let date = form_date("datum", &f.date)?;
        let starts = match f.starts.trim() {
            "" => None,
            t => Some(
                t.parse::<jiff::civil::Time>()
                    .map_err(|_| refused("tid", format!("«{t}» är ingen tid (TT:MM)")))?,
            ),
        };
        let mut tx = app.store.begin(&who).await?;
        let moved = tx
            .move_meeting(id, date, starts, &f.place, &f.reason)
            .await?;
        tx.commit().await?;
        if !moved {
            return Ok("Sammanträdet är redan planerat så; inget ändrades.".to_string());
        }
        let m = app.store.meeting(id).await?;
        let when = match m.starts {
            Some(t) => format!("{} klockan {}", m.date, t.strftime("%H:%M")),
            None => m.date.to_string(),
        };
        let message = format!("Sammanträdet är flyttat till {when}, {}.", m.place);
        members_told(&app, id, &message).await;
        Ok(message)
    }
    .await;
    let outcome = logged(&app, &who, id, "flytt av sammanträdet", outcome).await;
    after_keeping(
        &app,
        &s,
        jar,
        &format!("{}#planering", meeting_href(id)),
        outcome,
        "move",
        &[
            ("date", Kind::Code, &f.date),
            ("starts", Kind::Code, &f.starts),
            ("place", Kind::Line, &f.place),
            ("reason", Kind::Line, &f.reason),
        ],
    )
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

/// Cancels the meeting (inställt), with the reason, once confirmed.
pub async fn cancel_meeting(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<CancelForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        if f.confirm != "ja" {
            return Err(refused(
                "inställt sammanträde",
                "bekräfta att sammanträdet ska ställas in genom att kryssa i rutan",
            ));
        }
        let mut tx = app.store.begin(&who).await?;
        let cancelled = tx.cancel_meeting(id, &f.reason).await?;
        tx.commit().await?;
        if !cancelled {
            return Ok("Sammanträdet är redan inställt.".to_string());
        }
        let m = app.store.meeting(id).await?;
        let message = format!("Sammanträdet {} är inställt.", m.date);
        members_told(&app, id, &message).await;
        Ok(message)
    }
    .await;
    let outcome = logged(&app, &who, id, "inställt sammanträde", outcome).await;
    after_keeping(
        &app,
        &s,
        jar,
        &meeting_href(id),
        outcome,
        "cancel",
        &[("reason", Kind::Line, &f.reason)],
    )
}

/// Whether a meeting's planning may still change (its page shows the
/// forms): before it begins and not cancelled.
pub(super) fn replannable(status: &MeetingStatus, started: bool) -> bool {
    !started && status.check_replanning("").is_ok()
}

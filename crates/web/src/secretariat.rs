//! The pages behind sign-in: signing in and out, and the start page of the
//! secretariat, which shows each user what their roles let them do.

use crate::AppState;
use crate::auth::{self, DEVICE_COOKIE, SIGN_IN_COOKIE, SignedIn};
use crate::error::{PageError, WebError};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use kansli_store::access::Role;
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Instant;

type Page = Result<Html<String>, PageError>;

fn render(t: impl Template) -> Page {
    Ok(Html(t.render()?))
}

/// Where to go after signing in: a plain path on this site, else the start
/// page. Browsers read `//host` and `/\\host` as another site, and drop tabs
/// and newlines from a URL first (`/%09/host`), so only visible ASCII is
/// taken, starting with one `/` not followed by `/` or `\\`; that also keeps
/// the `Location` header always writable.
fn local_path(till: Option<&str>) -> String {
    const START: &str = "/sekretariat";
    match till {
        Some(p)
            if p.len() <= 2000
                && p.starts_with('/')
                && !matches!(p.as_bytes().get(1), Some(b'/' | b'\\'))
                && !p.contains('\\')
                && p.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            p.into()
        }
        _ => START.into(),
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    token: String,
    till: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct Till {
    till: Option<String>,
}

pub async fn sign_in_form(
    State(app): State<AppState>,
    Query(q): Query<Till>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let token = kansli_store::access::random_token();
    let page = render(SignInPage {
        token: token.clone(),
        till: local_path(q.till.as_deref()),
        username: String::new(),
        error: None,
    })?;
    let jar = jar.add(auth::sign_in_cookie(token, app.config.secure_cookies));
    Ok((jar, page).into_response())
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    token: String,
    till: Option<String>,
}

pub async fn sign_in(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    // Checked before anything is written: the redirect cannot fail later.
    let till = local_path(form.till.as_deref());
    let location =
        HeaderValue::from_str(&till).unwrap_or_else(|_| HeaderValue::from_static("/sekretariat"));
    let again = |jar: CookieJar, error: &str, status: axum::http::StatusCode| {
        let token = kansli_store::access::random_token();
        let page = render(SignInPage {
            token: token.clone(),
            till: till.clone(),
            username: form.username.clone(),
            error: Some(error.into()),
        });
        let jar = jar.add(auth::sign_in_cookie(token, app.config.secure_cookies));
        page.map(|p| (status, jar, p).into_response())
    };
    let expected = jar.get(SIGN_IN_COOKIE).map(|c| c.value().to_string());
    if expected.is_none_or(|e| !auth::constant_time_eq(&e, &form.token)) {
        return again(
            jar,
            "Inloggningsformuläret hade gått ut. Försök igen.",
            axum::http::StatusCode::FORBIDDEN,
        );
    }
    let addr = auth::client_address(peer.ip(), &headers, &app.config.trusted_proxies);
    let device = jar.get(DEVICE_COOKIE).map(|c| c.value().to_string());
    let known = match &device {
        Some(token) => {
            app.store
                .device_known(token, form.username.trim(), jiff::Timestamp::now())
                .await?
        }
        None => false,
    };
    // Slowed down after failures, never refused: nobody can lock a user out.
    let attempt = app.sign_in.attempt(
        &form.username,
        addr,
        device.as_deref().filter(|_| known),
        Instant::now(),
    );
    let slowed = !attempt.delay.is_zero();
    if slowed {
        tokio::time::sleep(attempt.delay).await;
    }
    let user = auth::verify_password(&app, form.username.trim(), &form.password).await?;
    let Some(user) = user else {
        app.sign_in.failed(attempt);
        tracing::info!(username = %form.username, %addr, "sign-in failed");
        log_failure(&app, &form.username, addr, slowed).await;
        return again(
            jar,
            "Fel användarnamn eller lösenord.",
            axum::http::StatusCode::UNAUTHORIZED,
        );
    };
    app.sign_in.succeeded(attempt);
    let now = jiff::Timestamp::now();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(auth::SESSION_HOURS))
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let device_expires = now
        .checked_add(jiff::SignedDuration::from_hours(24 * auth::DEVICE_DAYS))
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    // A token this server issued is kept (one browser, several users);
    // anything else is replaced.
    let device = match device {
        Some(token) if known || app.store.device_issued(&token, now).await? => token,
        _ => kansli_store::access::random_token(),
    };
    let mut tx = app.store.begin(&format!("user:{}", user.username)).await?;
    let session = tx.start_session(user.id, expires).await?;
    if !known {
        tx.remember_device(user.id, &device, device_expires).await?;
    }
    tx.commit().await?;
    let jar = jar
        .remove(Cookie::build(SIGN_IN_COOKIE).path("/logga-in"))
        .add(auth::session_cookie(
            session.token,
            app.config.secure_cookies,
        ))
        .add(auth::device_cookie(device, app.config.secure_cookies));
    Ok((
        StatusCode::SEE_OTHER,
        jar,
        [(axum::http::header::LOCATION, location)],
    )
        .into_response())
}

/// Keeps a failed sign-in in the administrators' log. A failure to write it
/// is logged, not shown: the answer to the attempt stays the same.
async fn log_failure(app: &AppState, username: &str, addr: std::net::IpAddr, slowed: bool) {
    use kansli_store::sign_in::Failure;
    let result = async {
        let reason = match app.store.user_named(username.trim()).await? {
            Some(_) => Failure::WrongPassword,
            None => Failure::UnknownUser,
        };
        let mut tx = app.store.begin("system:sign-in").await?;
        tx.record_failed_sign_in(username, &addr.to_string(), reason, slowed)
            .await?;
        tx.commit_unpublished().await
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "failed sign-in could not be logged");
    }
}

pub async fn sign_out(
    State(app): State<AppState>,
    SignedIn(session): SignedIn,
    jar: CookieJar,
) -> Result<Response, PageError> {
    if let Some(token) = jar.get(auth::SESSION_COOKIE).map(|c| c.value().to_string()) {
        let mut tx = app
            .store
            .begin(&format!("user:{}", session.user.username))
            .await?;
        tx.end_session(&token).await?;
        tx.commit().await?;
    }
    let jar = jar.remove(Cookie::build(auth::SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/")).into_response())
}

/// A role as the start page lists it.
struct RoleLine {
    role: &'static str,
    organisation: String,
    body: Option<String>,
}

/// A body the user works with, and their relation to it.
struct BodyLine {
    name: String,
    organisation: String,
    href: String,
    /// The terms of the seats, "2023-01-01–2026-12-31".
    terms: String,
}

/// A link to work waiting on the start page.
struct WorkLink {
    href: String,
    text: String,
}

/// A line of the secretary's work: what, when by, and whether it is late
/// or near.
struct Due {
    href: String,
    text: String,
    /// "senast 2025-02-11".
    when: String,
    /// "late", "near" or "".
    mark: &'static str,
}

/// Delegationsbeslut waiting to be reported to one body.
struct DelegationLine {
    body: String,
    href: String,
    pending: usize,
}

/// The motions of one organisation near or past their year, and the link
/// to the report for fullmäktige.
struct MotionsLine {
    organisation: String,
    report: String,
    motions: Vec<Due>,
}

#[derive(Template)]
#[template(path = "staff_start.html")]
struct StaffStart {
    name: String,
    today: String,
    flash: Option<Flash>,
    roles: Vec<RoleLine>,
    member_of: Vec<BodyLine>,
    registry: Vec<WorkLink>,
    meetings: Vec<WorkLink>,
    approvals: Vec<WorkLink>,
    notices: Vec<WorkLink>,
    /// The secretary's work: coming meetings, protocols to justera,
    /// notices to post or take down, motions, delegationsbeslut.
    secretary: bool,
    coming: Vec<Due>,
    justering: Vec<Due>,
    anslag: Vec<Due>,
    motions: Vec<MotionsLine>,
    delegation: Vec<DelegationLine>,
    /// The administrator's pages (API tokens) per organisation.
    administration: Vec<WorkLink>,
    /// An administrator (of an organisation, or of the system).
    administrator: bool,
}

/// How many days ahead the start page warns of a motion's year running out.
pub const MOTION_WARN_DAYS: i32 = 60;
/// How many days ahead (and after) the start page lists a notice to take down.
const TAKE_DOWN_DAYS: i64 = 7;

fn days(from: jiff::civil::Date, to: jiff::civil::Date) -> i64 {
    (to - from).get_days() as i64
}

pub async fn start(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    jar: CookieJar,
) -> Result<Response, PageError> {
    use kansli_core::meeting::MeetingStatus;
    let store = &app.store;
    let today = app.config.today();
    let mut roles = Vec::new();
    let mut registry = Vec::new();
    let mut meetings = Vec::new();
    let mut administration = Vec::new();
    let organisations = if s.user.is_admin {
        store.organisations().await?
    } else {
        Vec::new()
    };
    let mut grants = s.grants.clone();
    for o in &organisations {
        if !grants
            .iter()
            .any(|g| g.organisation == o.id && g.role == Role::Administrator)
        {
            grants.push(kansli_store::access::Grant {
                role: Role::Administrator,
                organisation: o.id,
                body: None,
            });
        }
    }
    // The bodies and organisations whose meetings the user keeps.
    let mut kept_bodies: Vec<kansli_core::org::Body> = Vec::new();
    let mut kept_organisations: Vec<kansli_core::org::Organisation> = Vec::new();
    for g in &grants {
        let organisation = store.organisation(g.organisation).await?;
        let body = match g.body {
            Some(b) => Some(store.body(b).await?.name),
            None => None,
        };
        // A system administrator's implied grants are shown once, below.
        if s.grants.contains(g) {
            roles.push(RoleLine {
                role: g.role.label(),
                organisation: organisation.name.clone(),
                body,
            });
        }
        let href = format!("/sekretariat/organisationer/{}/arenden", g.organisation.0);
        if !registry.iter().any(|l: &WorkLink| l.href == href) {
            registry.push(WorkLink {
                href,
                text: format!("Ärenden i {}", organisation.name),
            });
        }
        if g.role == Role::Administrator {
            administration.push(WorkLink {
                href: format!(
                    "/sekretariat/organisationer/{}/api-nycklar",
                    g.organisation.0
                ),
                text: format!("API-nycklar i {}", organisation.name),
            });
        }
        if matches!(g.role, Role::Secretary | Role::Administrator) {
            if !kept_organisations.iter().any(|o| o.id == organisation.id) {
                kept_organisations.push(organisation.clone());
            }
            for b in store.bodies(g.organisation).await? {
                if g.body.is_some_and(|x| x != b.id) {
                    continue;
                }
                let href = format!("/sekretariat/organ/{}/sammantraden", b.id.0);
                if !meetings.iter().any(|l: &WorkLink| l.href == href) {
                    meetings.push(WorkLink {
                        href,
                        text: format!("Sammanträden i {}", b.name),
                    });
                    kept_bodies.push(b);
                }
            }
        }
    }
    if s.user.is_admin {
        roles.push(RoleLine {
            role: "systemadministratör",
            organisation: "alla organisationer".into(),
            body: None,
        });
    }

    // The secretary's work, body by body.
    let mut coming = Vec::new();
    let mut justering = Vec::new();
    let mut anslag = Vec::new();
    let mut delegation = Vec::new();
    for b in &kept_bodies {
        let mut ms = store.meetings(b.id).await?;
        ms.reverse();
        for m in ms {
            let href = format!("/sekretariat/sammantraden/{}", m.id.0);
            let title = format!("{} {}", b.name, m.date);
            match &m.status {
                MeetingStatus::Planned | MeetingStatus::NoticeIssued | MeetingStatus::InSession
                    if m.date >= today || m.status == MeetingStatus::InSession =>
                {
                    let time = m
                        .starts
                        .map(|t| format!(" klockan {}", t.strftime("%H:%M")))
                        .unwrap_or_default();
                    coming.push((
                        m.date,
                        Due {
                            href,
                            text: format!(
                                "{title}{time}, {} – {}",
                                kansli_core::limits::shorten(
                                    kansli_core::limits::Kind::Code,
                                    &m.place
                                ),
                                m.status.label_sv()
                            ),
                            when: String::new(),
                            mark: if m.status == MeetingStatus::Planned && days(today, m.date) <= 14
                            {
                                "near"
                            } else {
                                ""
                            },
                        },
                    ));
                }
                MeetingStatus::Held => {
                    let Ok(due) = kansli_core::deadlines::approval_deadline(m.date) else {
                        continue;
                    };
                    let a = store.approvals(m.id).await?;
                    let state = if a.sent {
                        format!(
                            "utskickat för justering, {} av {} har signerat",
                            a.confirmed.len(),
                            a.signatories.len()
                        )
                    } else {
                        "inte utskickat för justering".to_string()
                    };
                    justering.push((
                        due,
                        Due {
                            href,
                            text: format!("{title}: {state}"),
                            when: format!("justeras senast {due}"),
                            mark: if due < today {
                                "late"
                            } else if days(today, due) <= 3 {
                                "near"
                            } else {
                                ""
                            },
                        },
                    ));
                }
                MeetingStatus::Approved { approved } => {
                    let Ok(due) = kansli_core::deadlines::notice_deadline(*approved) else {
                        continue;
                    };
                    anslag.push((
                        due,
                        Due {
                            href,
                            text: format!("{title}: justerat {approved}, anslaget är inte uppsatt"),
                            when: format!("sätts upp senast {due}"),
                            mark: if due < today { "late" } else { "near" },
                        },
                    ));
                }
                MeetingStatus::NoticePosted { taken_down, .. }
                    if days(today, *taken_down) <= TAKE_DOWN_DAYS
                        && days(*taken_down, today) <= TAKE_DOWN_DAYS =>
                {
                    anslag.push((
                        *taken_down,
                        Due {
                            href,
                            text: format!("{title}: anslaget tas ned"),
                            when: if *taken_down <= today {
                                format!("tas ned från {taken_down} (överklagandetiden har gått ut)")
                            } else {
                                format!("tas ned {taken_down}")
                            },
                            mark: if *taken_down <= today { "near" } else { "" },
                        },
                    ));
                }
                _ => {}
            }
        }
        let pending = store
            .delegation_decisions(b.organisation)
            .await?
            .into_iter()
            .filter(|d| d.body == b.id && d.reported_at.is_none())
            .count();
        delegation.push(DelegationLine {
            body: b.name.clone(),
            href: format!("/sekretariat/organ/{}/delegationsbeslut", b.id.0),
            pending,
        });
    }
    let sorted = |mut v: Vec<(jiff::civil::Date, Due)>| {
        v.sort_by_key(|(d, _)| *d);
        v.into_iter().map(|(_, l)| l).collect::<Vec<_>>()
    };
    let coming = sorted(coming);
    let justering = sorted(justering);
    let anslag = sorted(anslag);
    let mut motions = Vec::new();
    for o in &kept_organisations {
        let open = crate::view::open_motions(store, o.id, today, MOTION_WARN_DAYS).await?;
        motions.push(MotionsLine {
            organisation: o.name.clone(),
            report: format!(
                "/sekretariat/organisationer/{}/motioner/motionsredovisning",
                o.id.0
            ),
            motions: open
                .into_iter()
                .filter(|m| m.standing != "in_time")
                .map(|m| Due {
                    href: format!("/sekretariat/arenden/{}", m.case_id),
                    text: format!("{} {} ({}), väckt {}", m.number, m.title, m.movers, m.filed),
                    when: format!("ett år {}: {}", m.deadline, m.standing_label),
                    mark: if m.standing == "overdue" {
                        "late"
                    } else {
                        "near"
                    },
                })
                .collect(),
        });
    }

    let mut member_of = Vec::new();
    let mut approvals = Vec::new();
    let mut notices = Vec::new();
    for b in s.bodies() {
        let body = store.body(b).await?;
        let organisation = store.organisation(body.organisation).await?.name;
        for m in store.meetings(b).await? {
            // Only meetings within a term the person sat in the body.
            if !s.member_on(b, m.date) {
                continue;
            }
            let title = format!("{} {}", body.name, m.date);
            match &m.status {
                MeetingStatus::NoticeIssued => notices.push(WorkLink {
                    href: format!("/sammantraden/{}", m.id.0),
                    text: format!("Kallelse: {title}"),
                }),
                MeetingStatus::Held => {
                    let a = store.approvals(m.id).await?;
                    // Once the secretary has sent it for justering.
                    if let Some(p) = s.person
                        && a.sent
                        && a.signatories.contains(&p)
                        && !a.has_confirmed(p)
                    {
                        let due = kansli_core::deadlines::approval_deadline(m.date)
                            .map(|d| format!(" (senast {d})"))
                            .unwrap_or_default();
                        approvals.push(WorkLink {
                            href: format!("/sekretariat/sammantraden/{}/justering", m.id.0),
                            text: format!("Justera protokollet: {title}{due}"),
                        });
                    }
                }
                _ => {}
            }
        }
        let terms: Vec<String> = s
            .member_of
            .iter()
            .filter(|seat| seat.body == b)
            .map(|seat| format!("{}–{}", seat.from, seat.to))
            .collect();
        member_of.push(BodyLine {
            name: body.name,
            organisation,
            href: format!("/organ/{}", b.0),
            terms: terms.join(", "),
        });
    }
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = render(StaffStart {
        name: s.user.display_name.clone(),
        today: today.to_string(),
        flash,
        roles,
        member_of,
        registry,
        secretary: !kept_bodies.is_empty(),
        meetings,
        approvals,
        notices,
        coming,
        justering,
        anslag,
        motions,
        delegation,
        administration,
        administrator: s.user.is_admin || s.grants.iter().any(|g| g.role == Role::Administrator),
    })?;
    Ok((jar, page).into_response())
}

/// `/sekretariat/organisationer/{organisation}/motioner/motionsredovisning.{html,pdf,txt}`:
/// the report to the organisation's fullmäktige of the motions not
/// prepared within a year (KL 5 kap. 35 §), as of today.
pub async fn motions_report(
    State(app): State<AppState>,
    axum::extract::Path((raw, file)): axum::extract::Path<(String, String)>,
) -> Result<Response, PageError> {
    use kansli_documents::Format;
    let id: kansli_core::OrganisationId = crate::pages::parse_id(&raw, "Organisationen")?;
    let format = match file.as_str() {
        "motionsredovisning.html" => Format::Html,
        "motionsredovisning.pdf" => Format::Pdf,
        "motionsredovisning.txt" => Format::Text,
        _ => {
            return Err(WebError::NotFound(format!("dokumentet «{file}» finns inte")).into());
        }
    };
    let organisation = app.store.organisation(id).await?;
    let today = app.config.today();
    let Some(assembly) = app
        .store
        .bodies(id)
        .await?
        .into_iter()
        .find(|b| b.kind == kansli_core::org::BodyKind::Fullmaktige)
    else {
        return Err(WebError::NotFound(format!(
            "{} har inget fullmäktige i Kansli",
            organisation.name
        ))
        .into());
    };
    let open = crate::view::open_motions(&app.store, id, today, MOTION_WARN_DAYS).await?;
    let doc = kansli_documents::compose::motions_report(
        &kansli_core::limits::shorten(kansli_core::limits::Kind::Name, &organisation.name),
        &kansli_core::limits::shorten(kansli_core::limits::Kind::Name, &assembly.name),
        &today.to_string(),
        &open,
    );
    let name = kansli_documents::file_name(&doc, format);
    let bytes = if format == Format::Pdf {
        let _permit =
            app.typesetting.clone().acquire_owned().await.map_err(|e| {
                WebError::Document(kansli_documents::DocumentError::Pdf(e.to_string()))
            })?;
        tokio::task::spawn_blocking(move || kansli_documents::render(&doc, format))
            .await
            .map_err(|e| {
                WebError::Document(kansli_documents::DocumentError::Pdf(e.to_string()))
            })??
    } else {
        kansli_documents::render(&doc, format)?
    };
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                format.media_type().to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// One registered delegationsbeslut as the register page lists it.
struct DelegationRow {
    decided: String,
    decided_by: String,
    subject: String,
    point: String,
    case: String,
    /// Where it was reported, or empty.
    reported: Option<WorkLink>,
}

#[derive(Template)]
#[template(path = "staff_delegation.html")]
struct DelegationPage {
    body: String,
    body_id: i64,
    organisation: String,
    csrf: String,
    flash: Option<Flash>,
    today: String,
    pending: Vec<DelegationRow>,
    reported: Vec<DelegationRow>,
}

impl KeptFields for DelegationPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

/// `/sekretariat/organ/{body}/delegationsbeslut`: the register of the
/// body's delegationsbeslut, those waiting to be reported first, with the
/// forms to register one and to place them on the next agenda.
pub async fn delegation_page(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    axum::extract::Path(raw): axum::extract::Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: kansli_core::BodyId = crate::pages::parse_id(&raw, "Organet")?;
    let body = app.store.body(id).await?;
    let organisation = app.store.organisation(body.organisation).await?;
    let mut pending = Vec::new();
    let mut reported = Vec::new();
    for d in app.store.delegation_decisions(body.organisation).await? {
        if d.body != id {
            continue;
        }
        let case = match d.case {
            Some(c) => app.store.case(c).await?.number,
            None => String::new(),
        };
        let reported_at = match d.reported_at {
            Some(m) => {
                let meeting = app.store.meeting(m).await?;
                Some(WorkLink {
                    href: format!("/sekretariat/sammantraden/{}", m.0),
                    text: format!("{} {}", body.name, meeting.date),
                })
            }
            None => None,
        };
        let row = DelegationRow {
            decided: d.decided.to_string(),
            decided_by: d.decided_by,
            subject: d.subject,
            point: d.delegation_point.unwrap_or_default(),
            case,
            reported: reported_at,
        };
        if row.reported.is_some() {
            reported.push(row);
        } else {
            pending.push(row);
        }
    }
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = render(DelegationPage {
        body: body.name,
        body_id: id.0,
        organisation: organisation.name,
        csrf: s.csrf.clone(),
        flash,
        today: app.config.today().to_string(),
        pending,
        reported,
    })?;
    Ok((jar, page).into_response())
}

#[derive(Deserialize)]
pub struct DelegationForm {
    #[serde(default)]
    decided: String,
    #[serde(default)]
    decided_by: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    point: String,
    #[serde(default)]
    case: String,
}

/// Registers a delegationsbeslut of the body.
pub async fn register_delegation(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    axum::extract::Path(raw): axum::extract::Path<String>,
    jar: CookieJar,
    axum::Form(f): axum::Form<DelegationForm>,
) -> Result<Response, PageError> {
    let id: kansli_core::BodyId = crate::pages::parse_id(&raw, "Organet")?;
    let back = format!("/sekretariat/organ/{}/delegationsbeslut", id.0);
    let outcome = async {
        let body = app.store.body(id).await?;
        let decided = form_date("delegationsbeslut, beslutsdatum", &f.decided)?;
        if decided > app.config.today() {
            return Err(refused(
                "delegationsbeslut, beslutsdatum",
                format!("{decided} har inte varit än; ett beslut anmäls när det är fattat"),
            ));
        }
        let case = match f.case.trim() {
            "" => None,
            number => Some(
                app.store
                    .case_by_number(body.organisation, number)
                    .await?
                    .ok_or_else(|| {
                        refused(
                            "delegationsbeslut, ärende",
                            format!(
                                "det finns inget ärende med diarienummer «{}»",
                                kansli_core::limits::excerpt(number, 40)
                            ),
                        )
                    })?
                    .id,
            ),
        };
        let mut tx = app.store.begin(&actor(&s)).await?;
        tx.register_delegation_decision(&kansli_store::delegation::NewDelegationDecision {
            body: id,
            decided,
            decided_by: &f.decided_by,
            subject: &f.subject,
            delegation_point: Some(f.point.as_str()),
            case,
        })
        .await?;
        tx.commit().await?;
        Ok("Delegationsbeslutet är registrerat och väntar på att anmälas.".to_string())
    }
    .await;
    use kansli_core::limits::Kind;
    after_keeping(
        &app,
        &s,
        jar,
        &back,
        outcome,
        "delegation",
        &[
            ("decided", Kind::Code, f.decided.as_str()),
            ("decided_by", Kind::Line, f.decided_by.as_str()),
            ("subject", Kind::Title, f.subject.as_str()),
            ("point", Kind::Code, f.point.as_str()),
            ("case", Kind::Code, f.case.as_str()),
        ],
    )
}

/// Places the body's delegationsbeslut not yet reported on its next
/// agenda, as the item «Anmälan av delegationsbeslut».
pub async fn report_delegation(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    axum::extract::Path(raw): axum::extract::Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: kansli_core::BodyId = crate::pages::parse_id(&raw, "Organet")?;
    let back = format!("/sekretariat/organ/{}/delegationsbeslut", id.0);
    let outcome = async {
        let mut tx = app.store.begin(&actor(&s)).await?;
        let (meeting, n) = tx
            .report_delegation_decisions(id, app.config.today())
            .await?;
        tx.commit().await?;
        let m = app.store.meeting(meeting).await?;
        Ok(format!(
            "{} förs upp under «{}» på föredragningslistan till sammanträdet {}.",
            if n == 1 {
                "Ett delegationsbeslut".to_string()
            } else {
                format!("{n} delegationsbeslut")
            },
            kansli_store::delegation::ITEM_TITLE,
            m.date
        ))
    }
    .await;
    after(&app, jar, &back, outcome)
}

#[derive(Deserialize)]
pub struct SecretaryForm {
    #[serde(default)]
    name: String,
}

/// Sets the meeting's secretary, shown on the protocol's first page: the
/// person named (registered as a person when not yet known), or, with
/// the name left empty, the signed-in user's own person.
pub async fn set_secretary(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    axum::extract::Path(raw): axum::extract::Path<String>,
    jar: CookieJar,
    axum::Form(f): axum::Form<SecretaryForm>,
) -> Result<Response, PageError> {
    let id: kansli_core::MeetingId = crate::pages::parse_id(&raw, "Sammanträdet")?;
    let back = format!("/sekretariat/sammantraden/{}", id.0);
    let name = f.name.trim().to_string();
    let outcome = async {
        kansli_core::limits::check("sekreterare", kansli_core::limits::Kind::Name, &name)?;
        let mut tx = app.store.begin(&actor(&s)).await?;
        let person = if name.is_empty() {
            match s.person {
                Some(p) => p,
                None => {
                    return Err(refused(
                        "sekreterare",
                        "ange sekreterarens namn (ditt konto är inte kopplat till en person)",
                    ));
                }
            }
        } else {
            match app.store.person_by_name(&name).await? {
                Some(p) => p.id,
                None => tx.add_person(&name, None).await?,
            }
        };
        tx.set_secretary(id, Some(person)).await?;
        tx.commit().await?;
        let p = app.store.person(person).await?;
        Ok(format!("{} är sekreterare vid sammanträdet.", p.name))
    }
    .await;
    after_keeping(
        &app,
        &s,
        jar,
        &back,
        outcome,
        "secretary",
        &[("name", kansli_core::limits::Kind::Name, f.name.as_str())],
    )
}

/// One line of the log of failed sign-ins, as the page shows it.
struct AttemptLine {
    username: String,
    address: String,
    hour: String,
    reason: &'static str,
    attempts: i64,
    slowed: i64,
    last_at: String,
}

#[derive(Template)]
#[template(path = "staff_sign_ins.html")]
struct SignInsPage {
    scope: String,
    lines: Vec<AttemptLine>,
    limit: i64,
}

/// How many rows of the log the page shows.
const ATTEMPTS_SHOWN: i64 = 500;

/// The log of failed sign-ins: `/sekretariat/inloggningsforsok`. A system
/// administrator sees all of it; an organisation's administrator the
/// attempts against the usernames of that organisation's users.
pub async fn sign_in_attempts(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
) -> Result<Response, PageError> {
    let store = &app.store;
    let (scope, mut rows) = if s.user.is_admin {
        (
            "alla användarnamn".to_string(),
            store.failed_sign_ins(None, ATTEMPTS_SHOWN).await?,
        )
    } else {
        let mut names = Vec::new();
        let mut rows = Vec::new();
        let mut organisations: Vec<_> = s
            .grants
            .iter()
            .filter(|g| g.role == Role::Administrator)
            .map(|g| g.organisation)
            .collect();
        organisations.sort();
        organisations.dedup();
        for o in organisations {
            names.push(store.organisation(o).await?.name);
            rows.extend(store.failed_sign_ins(Some(o), ATTEMPTS_SHOWN).await?);
        }
        (
            format!("användarna i {}", kansli_core::text::join_sv(&names)),
            rows,
        )
    };
    rows.sort_by(|a, b| b.last_at.cmp(&a.last_at));
    rows.dedup();
    rows.truncate(ATTEMPTS_SHOWN as usize);
    let lines = rows
        .into_iter()
        .map(|r| AttemptLine {
            username: r.username,
            address: r.address,
            // Swedish local time, as every time a user reads.
            hour: crate::view::swedish_time(&r.hour),
            reason: r.reason.label(),
            attempts: r.attempts,
            slowed: r.slowed,
            last_at: crate::view::swedish_time(&r.last_at),
        })
        .collect();
    let page = render(SignInsPage {
        scope,
        lines,
        limit: ATTEMPTS_SHOWN,
    })?;
    Ok(page.into_response())
}

/// The message a page shows once after a form was sent (post, redirect,
/// get): kept in a short cookie so that no link can put words on our page.
pub const FLASH_COOKIE: &str = "kansli_flash";

/// A message after a form: done, or refused with the reason.
#[derive(Debug, Clone, Default)]
pub struct Flash {
    pub ok: bool,
    pub text: String,
    /// Which form was refused (a name the handler gives it; on the meeting
    /// screen the command).
    pub form: String,
    /// What the refused form held, field by field (a list field once per
    /// value), so that the page can offer it again instead of losing what
    /// was typed.
    pub kept: Vec<(String, String)>,
}

impl Flash {
    /// The refused form's field `field`, if the refused form was `form`.
    pub fn kept(&self, form: &str, field: &str) -> &str {
        if self.form != form {
            return "";
        }
        self.kept
            .iter()
            .find(|(k, _)| k == field)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Whether the refused form `form` had `value` among its `field`s (a
    /// ticked checkbox).
    pub fn kept_has(&self, form: &str, field: &str, value: &str) -> bool {
        self.form == form && self.kept.iter().any(|(k, v)| k == field && v == value)
    }
}

/// A page that shows a [`Flash`] and may fill its forms again from it.
pub trait KeptFields {
    fn flash_ref(&self) -> Option<&Flash>;

    /// What the refused form `form` held in `field`.
    fn kept(&self, form: &str, field: &str) -> &str {
        self.flash_ref().map_or("", |f| f.kept(form, field))
    }

    /// Whether the last refused form was `form`.
    fn refused_form(&self, form: &str) -> bool {
        self.flash_ref().is_some_and(|f| !f.ok && f.form == form)
    }

    /// The kept value of `field`, or `default` when `form` was not refused.
    fn kept_or<'a>(&'a self, form: &str, field: &str, default: &'a str) -> &'a str {
        if self.refused_form(form) {
            self.kept(form, field)
        } else {
            default
        }
    }

    /// A checkbox of `field` with `value`: as the refused form had it, or
    /// `default`.
    fn kept_checked(
        &self,
        form: &str,
        field: &str,
        value: &str,
        default: impl std::borrow::Borrow<bool>,
    ) -> bool {
        match self.flash_ref() {
            Some(f) if !f.ok && f.form == form => f.kept_has(form, field, value),
            _ => *default.borrow(),
        }
    }
}

/// The longest message carried in the cookie itself (browsers keep cookies
/// of about 4 KB, and a Swedish letter takes six bytes URL-encoded).
const FLASH_TEXT_MAX: usize = 400;

/// Refused forms waiting for the page that shows them again, in memory:
/// only an id travels in the cookie, so a form of any size the limits let
/// through comes back whole. An entry belongs to the session that sent it,
/// is taken (removed) when shown, and is dropped after [`KEPT_FOR`] or when
/// the total passes [`KEPT_BYTES`] (oldest first).
#[derive(Default)]
pub struct KeptForms {
    inner: std::sync::Mutex<KeptInner>,
}

#[derive(Default)]
struct KeptInner {
    forms: std::collections::HashMap<String, KeptForm>,
    bytes: usize,
}

struct KeptForm {
    owner: String,
    at: Instant,
    size: usize,
    flash: Flash,
}

/// How long a refused form waits to be shown.
pub const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 60);
/// The most memory all kept forms take together.
pub const KEPT_BYTES: usize = 64 * 1024 * 1024;

fn owner(s: &kansli_store::access::Session) -> String {
    format!("{}:{}", s.user.id.0, s.csrf)
}

impl KeptForms {
    /// Keeps `flash` for the session `s`; returns its id.
    pub fn put(&self, s: &kansli_store::access::Session, flash: Flash, now: Instant) -> String {
        let size = flash.text.len()
            + flash.form.len()
            + flash
                .kept
                .iter()
                .map(|(k, v)| k.len() + v.len() + 16)
                .sum::<usize>()
            + 64;
        let id = kansli_store::access::random_token();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let inner = &mut *inner;
        let before = inner.forms.len();
        inner
            .forms
            .retain(|_, f| now.saturating_duration_since(f.at) < KEPT_FOR);
        if inner.forms.len() != before {
            inner.bytes = inner.forms.values().map(|f| f.size).sum();
        }
        while inner.bytes + size > KEPT_BYTES {
            let Some(oldest) = inner
                .forms
                .iter()
                .min_by_key(|(_, f)| f.at)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(f) = inner.forms.remove(&oldest) {
                inner.bytes -= f.size;
            }
        }
        if size <= KEPT_BYTES {
            inner.bytes += size;
            inner.forms.insert(
                id.clone(),
                KeptForm {
                    owner: owner(s),
                    at: now,
                    size,
                    flash,
                },
            );
        }
        id
    }

    /// Takes the kept form `id` if it is the session's and still fresh.
    pub fn take(&self, s: &kansli_store::access::Session, id: &str, now: Instant) -> Option<Flash> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let f = inner.forms.get(id)?;
        if f.owner != owner(s) {
            return None;
        }
        let f = inner.forms.remove(id)?;
        inner.bytes -= f.size;
        (now.saturating_duration_since(f.at) < KEPT_FOR).then_some(f.flash)
    }

    /// How many forms are waiting (tests).
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.forms.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Takes the message the last form left, if any, with the refused form's
/// fields when they were kept.
pub fn take_flash(
    app: &AppState,
    s: &kansli_store::access::Session,
    jar: CookieJar,
) -> (CookieJar, Option<Flash>) {
    let Some(c) = jar.get(FLASH_COOKIE) else {
        return (jar, None);
    };
    let raw = c.value().to_string();
    let flash = serde_urlencoded::from_str::<Vec<(String, String)>>(&raw)
        .ok()
        .and_then(|v| {
            let mut v = v.into_iter();
            let (k, text) = v.next()?;
            let short = Flash {
                ok: k == "ok",
                text,
                ..Flash::default()
            };
            Some(match v.find(|(k, _)| k == "kept") {
                Some((_, id)) => app.kept.take(s, &id, Instant::now()).unwrap_or(short),
                None => short,
            })
        });
    (jar.remove(Cookie::build(FLASH_COOKIE).path("/")), flash)
}

/// Where a form goes after it was handled: back to `to`, with the outcome.
/// What the rules refused is shown on the page; failures of ours are errors.
pub fn after(
    app: &AppState,
    jar: CookieJar,
    to: &str,
    outcome: Result<String, kansli_store::StoreError>,
) -> Result<Response, PageError> {
    let (key, text) = shown(outcome)?;
    Ok((flash_cookie(app, jar, key, &text, None), Redirect::to(to)).into_response())
}

/// The outcome as the flash shows it: "ok" or "fel" with the sentence.
fn shown(
    outcome: Result<String, kansli_store::StoreError>,
) -> Result<(&'static str, String), PageError> {
    use kansli_store::StoreError as E;
    match outcome {
        Ok(text) => Ok(("ok", text)),
        Err(e @ (E::Refused(_) | E::Conflict(_) | E::Sealed(_) | E::NotFound { .. })) => {
            Ok(("fel", e.to_string()))
        }
        Err(e) => Err(PageError(WebError::Store(e))),
    }
}

fn flash_cookie(
    app: &AppState,
    jar: CookieJar,
    key: &str,
    text: &str,
    kept: Option<&str>,
) -> CookieJar {
    let short = kansli_core::limits::excerpt(text, FLASH_TEXT_MAX);
    let mut pairs = vec![(key, short.as_ref())];
    if let Some(id) = kept {
        pairs.push(("kept", id));
    }
    let value = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let cookie = Cookie::build((FLASH_COOKIE, value))
        .http_only(true)
        .secure(app.config.secure_cookies)
        .same_site(axum_extra::extract::cookie::SameSite::Strict)
        .path("/")
        .build();
    jar.add(cookie)
}

/// As [`after`]; when the form is refused, what it held comes back with the
/// reason: `form` names the form, `kept` its fields (name, kind, value as
/// sent; a list field once per value). A value over its kind's limit comes
/// back cut to the limit, and the message says so.
pub fn after_keeping(
    app: &AppState,
    s: &kansli_store::access::Session,
    jar: CookieJar,
    to: &str,
    outcome: Result<String, kansli_store::StoreError>,
    form: &str,
    kept: &[(&str, kansli_core::limits::Kind, &str)],
) -> Result<Response, PageError> {
    let (key, mut text) = shown(outcome)?;
    if key == "ok" || kept.is_empty() {
        return Ok((flash_cookie(app, jar, key, &text, None), Redirect::to(to)).into_response());
    }
    let mut cut = None;
    let fields = kept
        .iter()
        .filter(|(_, _, v)| !v.is_empty())
        .map(|(name, kind, value)| {
            // A one-line field over its limit comes back cut to it; prose
            // comes back whole (the form's size bounds it).
            // Control characters are not shown again (they were refused).
            let max = kind.max_chars();
            let clean = kansli_core::limits::strip_controls(*kind, value);
            let short = if kind.multiline() {
                &clean
            } else {
                kansli_core::limits::truncate(&clean, max)
            };
            if short.len() < clean.len() {
                cut = Some(cut.map_or(max, |c: usize| c.min(max)));
            }
            (name.to_string(), short.to_string())
        })
        .collect();
    if let Some(max) = cut {
        text.push_str(&format!(
            " Det du skrev visas igen, förkortat till {} tecken där det var för långt.",
            kansli_core::limits::swedish_number(max)
        ));
    }
    let id = app.kept.put(
        s,
        Flash {
            ok: false,
            text: text.clone(),
            form: form.to_string(),
            kept: fields,
        },
        Instant::now(),
    );
    Ok((
        flash_cookie(app, jar, key, &text, Some(&id)),
        Redirect::to(to),
    )
        .into_response())
}

/// The actor a signed-in user's writes are logged as.
pub fn actor(s: &kansli_store::access::Session) -> String {
    format!("user:{}", s.user.username)
}

/// Swedish form input that is not what it should be.
pub fn refused(at: &str, reason: impl Into<String>) -> kansli_store::StoreError {
    kansli_core::Refusal::new(at, reason).into()
}

/// A date from a form field.
pub fn form_date(at: &str, s: &str) -> Result<jiff::civil::Date, kansli_store::StoreError> {
    s.trim().parse().map_err(|_| {
        let s = kansli_core::limits::strip_controls(kansli_core::limits::Kind::Code, s.trim());
        let s = kansli_core::limits::excerpt(&s, 40);
        refused(at, format!("«{s}» är inget datum (ÅÅÅÅ-MM-DD)"))
    })
}

/// A number from a form field.
pub fn form_number<T: std::str::FromStr>(at: &str, s: &str) -> Result<T, kansli_store::StoreError> {
    s.trim().parse().map_err(|_| {
        let s = kansli_core::limits::strip_controls(kansli_core::limits::Kind::Code, s.trim());
        let s = kansli_core::limits::excerpt(&s, 40);
        refused(at, format!("«{s}» är inget giltigt val"))
    })
}

/// Lines of a text area, trimmed, empty ones dropped.
pub fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(|l| l.trim().trim_start_matches("- ").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kansli_store::access::Session;

    fn session(id: i64, csrf: &str) -> Session {
        Session {
            user: kansli_store::User {
                id: kansli_core::UserId(id),
                username: format!("u{id}"),
                display_name: String::new(),
                is_admin: false,
            },
            csrf: csrf.into(),
            grants: vec![],
            person: None,
            member_of: vec![],
            expires: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    fn flash(text: &str) -> Flash {
        Flash {
            ok: false,
            text: text.into(),
            form: "case".into(),
            kept: vec![("title".into(), "x".repeat(1000))],
        }
    }

    #[test]
    fn kept_forms_are_the_sessions_taken_once_and_bounded_in_age_and_size() {
        let kept = KeptForms::default();
        let (a, b) = (session(1, "a"), session(2, "b"));
        let now = Instant::now();
        let id = kept.put(&a, flash("ett"), now);
        // Another session cannot take it, and does not remove it.
        assert!(kept.take(&b, &id, now).is_none());
        let f = kept.take(&a, &id, now).unwrap();
        assert_eq!(f.kept("case", "title").len(), 1000);
        assert_eq!(f.kept("motion", "title"), "");
        assert!(kept.take(&a, &id, now).is_none(), "taken once");
        // Too old: gone.
        let id = kept.put(&a, flash("två"), now);
        assert!(kept.take(&a, &id, now + KEPT_FOR).is_none());
        // Pruned when others are kept later.
        kept.put(&a, flash("tre"), now);
        kept.put(&a, flash("fyra"), now + KEPT_FOR + KEPT_FOR);
        assert_eq!(kept.len(), 1);
        // The total is bounded: the oldest go first.
        let big = |n: usize| Flash {
            kept: vec![("text".into(), "y".repeat(n))],
            ..flash("stor")
        };
        let first = kept.put(&a, big(KEPT_BYTES / 2), now);
        let second = kept.put(
            &a,
            big(KEPT_BYTES / 2),
            now + std::time::Duration::from_secs(1),
        );
        assert!(kept.take(&a, &first, now).is_none());
        assert!(kept.take(&a, &second, now).is_some());
        assert_eq!(kept.len(), 1, "the newest small one stays");
    }

    #[test]
    fn only_a_plain_local_path_is_followed_after_sign_in() {
        for ok in [
            "/sekretariat",
            "/sekretariat/sammantraden/12/justering",
            "/organ/3?visa=alla",
            "/",
        ] {
            assert_eq!(local_path(Some(ok)), ok);
        }
        for bad in [
            "//other.example",
            "/\\other.example",
            "/\t/other.example",
            "/\n/other.example",
            "\t//other.example",
            "/a\\b",
            "https://other.example/",
            "other.example",
            "javascript:alert(1)",
            "/a b",
            "/sekretariat\u{0}",
            "/sekretariat\r\nSet-Cookie: x=y",
            "/å",
            "",
        ] {
            assert_eq!(local_path(Some(bad)), "/sekretariat", "{bad:?}");
        }
        assert_eq!(local_path(None), "/sekretariat");
        assert_eq!(
            local_path(Some(&format!("/{}", "a".repeat(3000)))),
            "/sekretariat"
        );
    }
}

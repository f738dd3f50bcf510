//! Kansli's HTTP layer: the public HTML pages, the secretariat's pages behind
//! sign-in, and the JSON API with its OpenAPI document, over one [`Store`].
//!
//! - [`view`]: read models shared by pages and API; secrecy is applied there.
//! - [`pages`]: server-rendered Swedish HTML (askama templates in
//!   `templates/`), usable without JavaScript.
//! - [`secretariat`]: sign-in and the staff's and members' pages.
//! - [`auth`]: sessions, roles, the guard in front of every route.
//! - [`api`]: `/api/v1/…` and `/api/openapi.json`.
//!
//! Every route is added through [`Routes`] with the [`Need`] it has; the
//! table of all routes ([`app`]) is what the role-matrix test walks.

pub mod api;
pub mod auth;
pub mod cache;
mod clean;
pub mod demo_signing;
mod documents;
mod error;
pub mod export;
pub mod feeds;
pub mod headers;
pub mod imports;
// #20 L3: the live meeting (hub, streams, public live page, storbild).
pub mod live;
pub mod mail;
pub mod member;
pub mod menu;
pub mod once;
pub mod oparl;
pub mod pages;
pub mod registry;
pub mod seal;
pub mod secretariat;
pub mod sitting;
pub mod tokens;
pub mod verification;
pub use kansli_documents::view;

pub use auth::Need;
pub use error::WebError;

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::MethodRouter;
use kansli_store::Store;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// The web layer's configuration, in one place.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Mark cookies `Secure`: on when the server is reached over HTTPS
    /// (behind a TLS-terminating proxy), off for the local demo over HTTP.
    pub secure_cookies: bool,
    /// The date the server takes as today (tests and demonstrations of a
    /// past meeting); `None`: today in Sweden.
    pub today: Option<jiff::civil::Date>,
    /// Render every answer afresh, bypassing the cache of anonymous
    /// answers ([`cache`]): for measuring the uncached path.
    pub no_page_cache: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed for the address
    /// a sign-in came from (the per-address delay); empty: the peer's own
    /// address counts, and behind a proxy everyone shares it.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The site's public base URL (`https://kansli.example.se`, checked by
    /// [`parse_public_url`]), from which every absolute URL in OParl, Atom,
    /// iCalendar and the exports is built — never from the request's
    /// `Host`, which a client chooses and the cache would keep. `None`:
    /// the listening address ([`serve`] fills it in), or
    /// [`DEFAULT_PUBLIC_URL`] for an app built without a listener.
    pub public_url: Option<String>,
    /// The directory of the organisations' signing keys: one directory per
    /// organisation id holding the files of
    /// [`kansli_sign::OrganisationPki::write_to_dir`]. Outside the
    /// database, owner-only. `None`: nothing can be signed.
    pub keys_dir: Option<std::path::PathBuf>,
    /// The SMTP server e-mail is sent through ([`mail`]); `None`: nothing
    /// is sent (the outbox keeps it), and the log says so once.
    pub smtp: Option<mail::Smtp>,
}

/// The public base URL of an app built without a listener and without
/// [`Config::public_url`].
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// Checks a public base URL: `http://` or `https://`, a host, an optional
/// port, no path (Kansli's pages link from the root), no query or
/// fragment. Gives it without a trailing slash, or a Swedish refusal.
pub fn parse_public_url(raw: &str) -> Result<String, String> {
    let url = raw.trim().trim_end_matches('/');
    let authority = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("Den publika adressen «{raw}» måste börja med https:// eller http://.")
        })?;
    let (host, port) = match authority.strip_prefix('[') {
        // An IPv6 address: [::1] or [::1]:8080.
        Some(v6) => {
            let (ip, after) = v6.split_once(']').unwrap_or((v6, "!"));
            if ip.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(format!(
                    "Den publika adressen «{raw}» har en ogiltig IPv6-adress."
                ));
            }
            match after {
                "" => (ip, None),
                p => (ip, Some(p.strip_prefix(':').unwrap_or("!"))),
            }
        }
        None => match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | ':'));
    if !host_ok {
        return Err(format!(
            "Den publika adressen «{raw}» får bara ha schema, värdnamn och port, som https://kansli.example.se (ingen sökväg: Kansli betjänar sidorna från roten)."
        ));
    }
    if let Some(p) = port
        && p.parse::<u16>().is_err()
    {
        return Err(format!(
            "Den publika adressen «{raw}» har ett ogiltigt portnummer «{p}»."
        ));
    }
    Ok(url.to_string())
}

impl Config {
    /// The public base URL, without a trailing slash.
    pub fn public_url(&self) -> &str {
        self.public_url.as_deref().unwrap_or(DEFAULT_PUBLIC_URL)
    }

    /// `path` (starting with `/`) as an absolute URL under the public
    /// base URL; an absolute URL is left as it is.
    pub fn absolute(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{path}", self.public_url())
        }
    }

    /// Today's date in Sweden, or the configured one.
    pub fn today(&self) -> jiff::civil::Date {
        self.today.unwrap_or_else(|| {
            let now = jiff::Timestamp::now();
            jiff::tz::TimeZone::get("Europe/Stockholm")
                .map(|tz| now.to_zoned(tz).date())
                .unwrap_or_else(|_| jiff::Zoned::now().date())
        })
    }
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// Bounds concurrent PDF typesetting to the number of cores.
    pub typesetting: Arc<tokio::sync::Semaphore>,
    pub sign_in: Arc<auth::SignInLimiter>,
    /// Bounds the password checks (argon2) that requests cause.
    pub passwords: Arc<auth::PasswordChecks>,
    pub cache: Arc<cache::PageCache>,
    /// Refused forms waiting to be shown again ([`secretariat::KeptForms`]).
    pub kept: Arc<secretariat::KeptForms>,
    /// #20 L3: the live meetings' states, pushed to their watchers.
    pub live: Arc<live::Hub>,
}

impl AppState {
    /// The state of a new app (what [`app`] serves; also for calling the
    /// web layer's functions directly, as tests do).
    pub fn new(store: Store, config: Config) -> AppState {
        let live = Arc::new(live::Hub::new(store.clone()));
        // Every commit that changes a meeting's live state reaches its
        // watchers, whoever wrote it (this process or, on PostgreSQL,
        // another). Outside a runtime (a test calling functions directly)
        // writers' own `Hub::changed` calls remain.
        if tokio::runtime::Handle::try_current().is_ok() {
            live.follow(store.live_changes(), |c| c.meeting);
        }
        AppState {
            live,
            store,
            config: Arc::new(config),
            typesetting: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
            sign_in: Arc::default(),
            passwords: Arc::default(),
            cache: Arc::default(),
            kept: Arc::default(),
        }
    }
}

/// One route as the guard sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub need: Need,
}

/// Routes under construction: each added with its need and guarded.
struct Routes {
    state: AppState,
    paths: Vec<(&'static str, MethodRouter<AppState>)>,
    table: Vec<RouteInfo>,
}

impl Routes {
    fn add(
        &mut self,
        method: Method,
        path: &'static str,
        need: Need,
        route: MethodRouter<AppState>,
    ) {
        self.add_limited(method, path, need, route, auth::FORM_LIMIT);
    }

    /// As [`Self::add`], with the largest body the guard reads.
    fn add_limited(
        &mut self,
        method: Method,
        path: &'static str,
        need: Need,
        route: MethodRouter<AppState>,
        body_limit: usize,
    ) {
        let guard = auth::Guard {
            app: self.state.clone(),
            need,
            body_limit,
        };
        // #18 P: the menu sees the session the guard found.
        let route = route
            .route_layer(axum::middleware::from_fn(menu::layer))
            .route_layer(axum::middleware::from_fn_with_state(guard, auth::guard));
        match self.paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, existing)) => {
                let merged = std::mem::take(existing).merge(route);
                *existing = merged;
            }
            None => self.paths.push((path, route)),
        }
        self.table.push(RouteInfo { method, path, need });
    }

    fn get<H, T>(&mut self, path: &'static str, need: Need, handler: H)
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, need, axum::routing::get(handler));
    }

    /// A POST that carries files (multipart, up to the largest file the
    /// registry takes).
    fn upload<H, T>(&mut self, path: &'static str, need: Need, handler: H)
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let limit = kansli_store::files::MAX_FILE_BYTES + 1024 * 1024;
        self.add_limited(
            Method::POST,
            path,
            need,
            axum::routing::post(handler).layer(axum::extract::DefaultBodyLimit::max(limit)),
            limit,
        );
    }

    fn post<H, T>(&mut self, path: &'static str, need: Need, handler: H)
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        // The guard reads a signed-in form up to the same limit.
        let limit = axum::extract::DefaultBodyLimit::max(kansli_core::limits::FORM_BYTES);
        self.add(
            Method::POST,
            path,
            need,
            axum::routing::post(handler).layer(limit),
        );
    }
}

/// The application and the table of its routes.
pub fn app(store: Store, config: Config) -> (Router, Vec<RouteInfo>) {
    use Need::*;
    let state = AppState::new(store, config);
    mail::start(&state);
    let mut r = Routes {
        state: state.clone(),
        paths: vec![],
        table: vec![],
    };
    // The public site.
    r.get("/", Public, pages::start);
    r.get("/sammantraden", Public, pages::meetings);
    r.get("/sammantraden/{id}", Public, pages::meeting);
    r.get(
        "/sammantraden/{id}/paragrafer/{number}",
        Public,
        pages::paragraph,
    );
    r.get(
        "/sammantraden/{id}/dokument/{file}",
        Public,
        documents::meeting_document,
    );
    r.get(
        "/sammantraden/{id}/paragrafer/{number}/{file}",
        Public,
        documents::extract,
    );
    r.get("/arenden/{id}/{file}", Public, documents::officer_report);
    r.get("/organisationer/{id}", Public, pages::organisation);
    r.get("/organ/{id}", Public, pages::body);
    r.get("/organ/{id}/omrostningar", Public, pages::party_votes);
    r.get("/personer/{id}", Public, pages::person);
    r.get("/arenden/{id}", Public, pages::case);
    r.get("/static/kansli.css", Public, pages::stylesheet);
    r.get("/healthz", Public, || async { "ok" });
    // Signatures: the roots, the CRL, and verification by anyone.
    r.get(
        "/organisationer/{organisation}/signering/rot.pem",
        Public,
        verification::root_pem,
    );
    r.get(
        "/organisationer/{organisation}/signering/rot.cer",
        Public,
        verification::root_cer,
    );
    r.get(
        "/organisationer/{organisation}/signering/ca.crl",
        Public,
        verification::crl,
    );
    r.get("/verifiera", Public, verification::form);
    r.add_limited(
        Method::POST,
        "/verifiera",
        Public,
        axum::routing::post(verification::check).layer(axum::extract::DefaultBodyLimit::max(
            verification::VERIFY_BODY_LIMIT,
        )),
        verification::VERIFY_BODY_LIMIT,
    );
    // The open API.
    r.get("/api/openapi.json", Public, api::openapi);
    r.get("/api/v1/organisations", Public, api::organisations);
    r.get("/api/v1/organisations/{id}", Public, api::organisation);
    // `{organisation}`, not `{id}`: the guard scopes the write's token by it.
    r.get(
        "/api/v1/organisations/{organisation}/cases",
        Public,
        api::organisation_cases,
    );
    r.post(
        "/api/v1/organisations/{organisation}/cases",
        ApiCaseOfficer,
        api::register_case,
    );
    r.get("/api/v1/bodies/{id}", Public, api::body);
    r.get(
        "/api/v1/bodies/{id}/votes-by-party",
        Public,
        api::party_votes,
    );
    r.get("/api/v1/persons/{id}", Public, api::person);
    r.get(
        "/api/v1/bodies/{id}/decisions.json",
        Public,
        export::decisions_json,
    );
    r.get(
        "/api/v1/bodies/{id}/decisions.csv",
        Public,
        export::decisions_csv,
    );
    r.get("/api/v1/bodies/{id}/votes.json", Public, export::votes_json);
    r.get("/api/v1/bodies/{id}/votes.csv", Public, export::votes_csv);
    r.get("/api/v1/meetings", Public, api::meetings);
    r.get("/api/v1/meetings/{id}", Public, api::meeting);
    r.get(
        "/api/v1/meetings/{id}/paragraphs/{number}",
        Public,
        api::paragraph,
    );
    r.get("/api/v1/cases/{id}", Public, api::case);
    r.get("/api/oparl/v1/system", Public, oparl::system);
    r.get("/api/oparl/v1/bodies", Public, oparl::bodies);
    r.get("/api/oparl/v1/bodies/{id}", Public, oparl::body);
    r.get(
        "/api/oparl/v1/bodies/{id}/organizations",
        Public,
        oparl::body_organizations,
    );
    r.get(
        "/api/oparl/v1/bodies/{id}/people",
        Public,
        oparl::body_people,
    );
    r.get(
        "/api/oparl/v1/bodies/{id}/meetings",
        Public,
        oparl::body_meetings,
    );
    r.get(
        "/api/oparl/v1/bodies/{id}/papers",
        Public,
        oparl::body_papers,
    );
    r.get(
        "/api/oparl/v1/organizations/{id}",
        Public,
        oparl::organization,
    );
    r.get(
        "/api/oparl/v1/organizations/{id}/meetings",
        Public,
        oparl::organization_meetings,
    );
    r.get("/api/oparl/v1/people/{id}", Public, oparl::person);
    r.get(
        "/api/oparl/v1/memberships/{id}",
        Public,
        oparl::membership_one,
    );
    r.get("/api/oparl/v1/meetings/{id}", Public, oparl::meeting);
    r.get(
        "/api/oparl/v1/meetings/{id}/agenda-items/{number}",
        Public,
        oparl::agenda_item_one,
    );
    r.get("/api/oparl/v1/papers/{id}", Public, oparl::paper);
    r.get("/api/oparl/v1/files/{id}", Public, oparl::file);
    r.get(
        "/api/oparl/v1/bodies/{id}/terms/{term}",
        Public,
        oparl::term,
    );
    r.get(
        "/api/oparl/v1/meetings/{id}/location",
        Public,
        oparl::location,
    );
    r.get(
        "/api/oparl/v1/meetings/{id}/files/{name}",
        Public,
        oparl::meeting_file,
    );
    r.get(
        "/api/oparl/v1/papers/{id}/consultations/{number}",
        Public,
        oparl::consultation,
    );
    r.get("/api/v1/{*rest}", Public, api::not_found);
    r.get("/api/oparl/v1/{*rest}", Public, api::not_found);
    // Sign-in and the secretariat.
    r.get("/logga-in", Public, secretariat::sign_in_form);
    r.post("/logga-in", Public, secretariat::sign_in);
    r.post("/logga-ut", SignedIn, secretariat::sign_out);
    r.get("/sekretariat", SignedIn, secretariat::start);
    r.get(
        "/sekretariat/inloggningsforsok",
        Administrator,
        secretariat::sign_in_attempts,
    );
    r.get("/anslagstavla", Public, sitting::notice_board);
    r.get("/anslagstavla.atom", Public, feeds::notices_atom);
    r.get("/organ/{id}/sammantraden.ics", Public, feeds::meetings_ical);
    // #18 P: one anslagstavla per organisation, with its feed.
    r.get(
        "/organisationer/{id}/anslagstavla",
        Public,
        sitting::organisation_board,
    );
    r.get(
        "/organisationer/{id}/anslagstavla.atom",
        Public,
        feeds::organisation_notices_atom,
    );
    r.get("/filer/{file}", Public, registry::public_file);
    // #18 D: the postlista, public (page, API, feed).
    r.get(
        "/api/v1/organisations/{id}/postlista",
        Public,
        api::postlista,
    );
    r.get(
        "/organisationer/{id}/postlista",
        Public,
        registry::postlista,
    );
    r.get(
        "/organisationer/{id}/postlista.atom",
        Public,
        feeds::postlista_atom,
    );
    // The registry.
    r.get(
        "/sekretariat/organisationer/{organisation}/arenden",
        CaseOfficer,
        registry::cases,
    );
    r.post(
        "/sekretariat/organisationer/{organisation}/arenden",
        CaseOfficer,
        registry::register_case,
    );
    r.get(
        "/sekretariat/organisationer/{organisation}/api-nycklar",
        Administrator,
        tokens::page,
    );
    r.post(
        "/sekretariat/organisationer/{organisation}/api-nycklar",
        Administrator,
        tokens::create,
    );
    r.post(
        "/sekretariat/organisationer/{organisation}/api-nycklar/aterkalla",
        Administrator,
        tokens::revoke,
    );
    r.get("/sekretariat/arenden/{case}", CaseOfficer, registry::case);
    r.upload(
        "/sekretariat/arenden/{case}/handlingar",
        CaseOfficer,
        registry::add_document,
    );
    r.post(
        "/sekretariat/arenden/{case}/motion",
        CaseOfficer,
        registry::file_motion,
    );
    r.get(
        "/sekretariat/arenden/{case}/beslutsforslag",
        CaseOfficer,
        registry::report_form,
    );
    r.post(
        "/sekretariat/arenden/{case}/beslutsforslag",
        CaseOfficer,
        registry::save_report,
    );
    r.get(
        "/sekretariat/arenden/{case}/beslutsforslag/{file}",
        CaseOfficer,
        documents::staff_officer_report,
    );
    r.post(
        "/sekretariat/arenden/{case}/beslutsforslag/fardigt",
        CaseOfficer,
        registry::mark_report_final,
    );
    r.get(
        "/sekretariat/arenden/{case}/filer/{file}",
        CaseOfficer,
        registry::staff_file,
    );
    // #18 D: the diarium for staff.
    r.get(
        "/sekretariat/organisationer/{organisation}/handlingar",
        CaseOfficer,
        registry::documents,
    );
    r.get(
        "/sekretariat/organisationer/{organisation}/klassificering",
        Administrator,
        registry::classification_plan,
    );
    r.post(
        "/sekretariat/organisationer/{organisation}/klassificering",
        Administrator,
        registry::set_classification,
    );
    r.post(
        "/sekretariat/organisationer/{organisation}/klassificering/ta-bort",
        Administrator,
        registry::remove_classification,
    );
    r.post(
        "/sekretariat/arenden/{case}/uppgifter",
        CaseOfficer,
        registry::set_details,
    );
    r.post(
        "/sekretariat/arenden/{case}/status",
        CaseOfficer,
        registry::change_status,
    );
    // Meetings.
    r.get(
        "/sekretariat/organ/{body}/sammantraden",
        Secretary,
        sitting::meetings,
    );
    r.post(
        "/sekretariat/organ/{body}/sammantraden",
        Secretary,
        sitting::plan,
    );
    r.post(
        "/sekretariat/organ/{body}/offentlighet",
        Secretary,
        sitting::set_meets_in_public,
    );
    r.get(
        "/sekretariat/sammantraden/{meeting}",
        Secretary,
        sitting::meeting,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/dagordning",
        Secretary,
        sitting::agenda,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/kallelse",
        Secretary,
        sitting::issue_notice,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/justerare",
        Secretary,
        sitting::set_approvers,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/text",
        Secretary,
        sitting::edit_prose,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/anslag",
        Secretary,
        sitting::post_notice,
    );
    r.get(
        "/sekretariat/sammantraden/{meeting}/protokoll/{file}",
        Member,
        sitting::draft_protocol,
    );
    r.get(
        "/sekretariat/sammantraden/{meeting}/mote",
        Secretary,
        sitting::screen,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/mote",
        Secretary,
        sitting::record,
    );
    // #20 L4: a proportional election entered on the meeting screen.
    r.post(
        "/sekretariat/sammantraden/{meeting}/mote/val",
        Secretary,
        sitting::record_election,
    );
    r.get(
        "/sekretariat/sammantraden/{meeting}/utdrag",
        Secretary,
        seal::extracts_page,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/utdrag",
        Secretary,
        seal::certify,
    );
    r.get(
        "/sekretariat/sammantraden/{meeting}/justering",
        Member,
        sitting::approval,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/justering",
        Member,
        sitting::confirm,
    );
    r.get(
        "/sekretariat/sammantraden/{meeting}/justering/protokoll.pdf",
        Member,
        sitting::approval_pdf,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/skicka",
        Secretary,
        sitting::send_for_justering,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/aterkalla",
        Secretary,
        sitting::withdraw_sending,
    );
    // #18 P: the secretary's start page work — the meeting's secretary,
    // the motions report, delegationsbeslut.
    r.post(
        "/sekretariat/sammantraden/{meeting}/sekreterare",
        Secretary,
        secretariat::set_secretary,
    );
    r.get(
        "/sekretariat/organisationer/{organisation}/motioner/{file}",
        Secretary,
        secretariat::motions_report,
    );
    r.get(
        "/sekretariat/organ/{body}/delegationsbeslut",
        Secretary,
        secretariat::delegation_page,
    );
    r.post(
        "/sekretariat/organ/{body}/delegationsbeslut",
        Secretary,
        secretariat::register_delegation,
    );
    r.post(
        "/sekretariat/organ/{body}/delegationsbeslut/anmal",
        Secretary,
        secretariat::report_delegation,
    );
    // #18 N: förhinder, substitutes, e-mail, the member's start page.
    r.get("/sekretariat/ledamot", SignedIn, member::start);
    r.get("/sekretariat/aviseringar", SignedIn, member::notices);
    r.post("/sekretariat/aviseringar", SignedIn, member::save_notices);
    r.get(
        "/sekretariat/sammantraden/{meeting}/handlingar/{file}",
        Member,
        member::file,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/forhinder",
        Member,
        member::report,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/forhinder/aterkalla",
        Member,
        member::withdraw,
    );
    r.get(
        "/sekretariat/sammantraden/{meeting}/forhinder",
        Secretary,
        member::absences,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/forhinder/kalla",
        Secretary,
        member::call,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/forhinder/tjanstgor",
        Secretary,
        member::serve,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/e-post",
        Secretary,
        member::retry_mail,
    );
    // #18 M: before the meeting: moved, cancelled (the agenda's item
    // edits go through /dagordning).
    r.post(
        "/sekretariat/sammantraden/{meeting}/flytta",
        Secretary,
        sitting::move_meeting,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/installa",
        Secretary,
        sitting::cancel_meeting,
    );
    // #20 L1: the member's own device and the chair's view. The chair's
    // page lets in only the one presiding and the secretary (checked in
    // `live::chair`, behind the guard's Member).
    r.get(
        "/sekretariat/sammantraden/{meeting}/ledamot",
        Member,
        live::member::page,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/ledamot/ordet",
        Member,
        live::member::request_floor,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/ledamot/ordet/aterta",
        Member,
        live::member::withdraw_floor,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/ledamot/rost",
        Member,
        live::member::vote,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/ledamot/reservation",
        Member,
        live::member::reserve,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/ledamot/incheckning",
        Member,
        live::member::check_in,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/ledamot/yrkande",
        Member,
        live::member::submit_written,
    );
    r.get(
        "/sekretariat/sammantraden/{meeting}/ordforande",
        Member,
        live::chair::page,
    );
    r.post(
        "/sekretariat/sammantraden/{meeting}/ordforande",
        Member,
        live::chair::step,
    );
    // #19 imports: the original file of an imported meeting (public by the
    // protocol's rule), and the secretariat's review and corrections.
    r.get("/sammantraden/{id}/original", Public, imports::original);
    r.get("/sekretariat/importer", Secretary, imports::list);
    r.get(
        "/sekretariat/importer/{meeting}",
        Secretary,
        imports::review,
    );
    r.post(
        "/sekretariat/importer/{meeting}",
        Secretary,
        imports::correct,
    );
    r.post(
        "/sekretariat/importer/{meeting}/granskad",
        Secretary,
        imports::mark_reviewed,
    );
    r.get(
        "/sekretariat/importer/{meeting}/original",
        Secretary,
        imports::staff_original,
    );
    // #20 L3: the live meeting: the public live page and the big screen,
    // live.js, and the server-sent events of every live view.
    r.get("/static/live.js", Public, live::script);
    r.get("/sammantraden/{id}/direkt", Public, live::public::page);
    r.get(
        "/sammantraden/{id}/direkt/handelser",
        Public,
        live::stream::public_events,
    );
    r.get(
        "/sammantraden/{id}/storbild",
        Public,
        live::public::storbild,
    );
    r.get(
        "/sammantraden/{id}/storbild/handelser",
        Public,
        live::stream::storbild_events,
    );
    r.get(
        "/sekretariat/sammantraden/{meeting}/ledamot/handelser",
        Member,
        live::stream::member_events,
    );
    r.get(
        "/sekretariat/sammantraden/{meeting}/ordforande/handelser",
        Member,
        live::stream::chair_events,
    );
    r.get(
        "/sekretariat/sammantraden/{meeting}/mote/handelser",
        Secretary,
        live::stream::secretary_events,
    );

    let table = r.table;
    let mut router = Router::new();
    for (path, route) in r.paths {
        router = router.route(path, route);
    }
    let router = router
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(clean::layer))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache::layer,
        ))
        .layer(axum::middleware::from_fn(error::api_problems))
        // Outside the cache: cached answers get the same headers.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::layer,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state);
    (router, table)
}

/// The URL of a listening address, for a server run without a public
/// base URL: an unspecified address (`0.0.0.0`) is reached as loopback.
pub fn listening_url(addr: SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr.ip() {
            std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("http://{addr}")
}

/// All routes, with the default configuration.
pub fn router(store: Store) -> Router {
    app(store, Config::default()).0
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    store: Store,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut config = config;
    if config.public_url.is_none() {
        config.public_url = Some(listening_url(listener.local_addr()?));
    }
    // #20: the keys a server that died left reserved, freed before the
    // first request (see `Tx::release_orphaned_keys`).
    let released = async {
        let mut tx = store.begin("system:serve").await?;
        let n = tx.release_orphaned_keys().await?;
        tx.commit().await.map(|()| n)
    }
    .await
    .map_err(std::io::Error::other)?;
    if released > 0 {
        tracing::warn!(
            released,
            "released the one-time keys a server that died left reserved"
        );
    }
    let (router, _) = app(store, config);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

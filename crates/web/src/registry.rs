//! The registry (diarium) in the browser: cases with their numbers,
//! documents with direction and secrecy, files with their hash, motions with
//! their movers and referral, the officer's report written in a form, and
//! each case's history.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError};
use crate::pages::parse_id;
use crate::secretariat::{
    Flash, KeptFields, actor, after, after_keeping, form_date, form_number, lines, refused,
    take_flash,
};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::Form;
use kansli_core::case::{CaseStatus, Classification, Closing, StatusChange};
use kansli_core::case::{Direction, DocumentKind, Motion, OfficerReport, Signatory};
use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::limits::Kind;
use kansli_core::org::BodyKind;
use kansli_core::{Access, AttachmentId, CaseId, DocumentId, OrganisationId, PersonId};
use kansli_store::diarium::{CaseDetails, Hits, Search, SortBy};
use kansli_store::{AuditRecord, StoreError};
use serde::Deserialize;

/// A choice in a select or a list of checkboxes.
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// An audit record as a log table shows it: in Swedish, with the actor's
/// name and the time in Swedish local time.
pub struct LogLine {
    /// "2026-12-01 15:04", Europe/Stockholm.
    pub at: String,
    pub actor: String,
    /// What was done, as a sentence.
    pub action: String,
    /// The details as Swedish fields (label, value).
    pub fields: Vec<(String, String)>,
}

/// A time as the log shows it: Swedish local time to the minute.
pub fn local_time(at: &str) -> String {
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap_or(jiff::tz::TimeZone::UTC);
    match at.parse::<jiff::Timestamp>() {
        Ok(t) => t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => at.get(..16).unwrap_or(at).replace('T', " "),
    }
}

/// Who did it: the user's name, or what the system part is called.
fn actor_label(actor: &str, name: Option<&str>) -> String {
    if let Some(rest) = actor.strip_prefix(crate::demo_signing::DEMO_ACTOR_PREFIX) {
        let who = name.unwrap_or(rest.trim_start_matches("user:"));
        return format!("Demodata (som {who})");
    }
    if let Some(n) = name {
        return n.to_string();
    }
    match actor.split_once(':') {
        Some(("user", u)) => format!("Användaren {u}"),
        Some(("token", id)) => format!("API-nyckel {id}"),
        Some(("system", "demo")) => "Demodata".into(),
        Some(("system", "cli")) => "Kommandoraden".into(),
        Some(("system", "sigill")) => "Kansli (sigill)".into(),
        Some(("system", "sign-in")) => "Kansli (inloggning)".into(),
        _ if actor == "kansli" => "Kansli".into(),
        _ => actor.to_string(),
    }
}

/// What an audit action says, as a sentence, by entity and action.
fn action_sentence(entity: &str, action: &str) -> &'static str {
    match (entity, action) {
        ("case", "register") => "Registrerade ärendet",
        ("case", "details") => "Ändrade ärendets handläggare, ärendetyp eller klassificering",
        ("case", "case_status") => "Ändrade ärendets status",
        ("document", "register") => "Registrerade en handling",
        ("document" | "meeting", "attach") => "Bifogade en fil",
        ("motion", "add") => "Registrerade motionen",
        ("officer_report", "add") => "Sparade en version av beslutsförslaget",
        ("officer_report", "mark_final") => "Markerade beslutsförslaget som färdigt",
        ("meeting", "add") => "Lade till sammanträdet",
        ("meeting", "agenda") => "Ändrade föredragningslistan",
        ("meeting", "approvers") => "Utsåg justerare",
        ("meeting", "command") => "Antecknade under sammanträdet",
        ("meeting", "edit") => "Redigerade protokollets text",
        ("meeting", "approve") => "Justerade protokollet",
        ("meeting", "send") => "Skickade protokollet för justering",
        ("meeting", "withdraw") => "Återkallade utskicket för justering",
        ("meeting", "sign") => "Signerade protokollet",
        ("meeting", "status") => "Ändrade sammanträdets status",
        ("meeting", "import") => "Läste in sammanträdet från ett befintligt protokoll",
        ("meeting", "import_correction") => "Rättade det inlästa protokollets uppgifter",
        ("meeting", "import_reviewed") => "Markerade inläsningen som granskad",
        (_, "integrity") => "AVVIKELSE: en kontroll av lagrade uppgifter slog fel",
        (_, "refused") => "NEKAT försök: det godtogs inte",
        (_, "register") => "Registrerade",
        (_, "add") => "Lade till",
        (_, "edit") => "Redigerade",
        _ => "Ändrade uppgifter",
    }
}

/// A detail's field name in Swedish.
fn field_label(key: &str) -> String {
    match key {
        "number" => "Nummer",
        "title" => "Rubrik",
        "kind" => "Typ",
        "direction" => "Riktning",
        "secret" => "Sekretess",
        "officer" => "Handläggare",
        "case_type" => "Ärendetyp",
        "classification" => "Klassificering",
        "status" => "Status",
        "closed" => "Avslutat",
        "how" => "Hur",
        "file" | "file_name" | "name" => "Fil",
        "sha256" => "SHA-256",
        "size" => "Storlek",
        "reason" => "Skäl",
        "detail" => "Uppgift",
        "date" => "Datum",
        "filed" => "Väckt",
        "type" | "command" => "Åtgärd",
        "person" => "Person",
        "vote" => "Röst",
        "text" => "Text",
        "section" => "Avsnitt",
        "paragraph" => "Paragraf",
        "version" => "Version",
        "role" => "Roll",
        "approvers" => "Justerare",
        "items" => "Punkter",
        "organ" => "Organ",
        "chair" => "Ordförande",
        "titles" => "Rubriker",
        "warnings" => "Varningar",
        "from" => "Från",
        "to" => "Till",
        other => return other.replace('_', " "),
    }
    .to_string()
}

/// A detail's value in Swedish: codes as their labels, yes/no as ja/nej,
/// lists joined, nested values as "fält: värde".
fn field_value(key: &str, v: &serde_json::Value) -> String {
    use kansli_core::case::{CaseStatus, Closing};
    use serde_json::Value;
    match v {
        Value::Null => "–".into(),
        Value::Bool(b) => if *b { "ja" } else { "nej" }.into(),
        Value::Number(n) => n.to_string(),
        Value::String(t) => {
            let label = match key {
                "kind" => DocumentKind::from_code(t).map(|k| k.label_sv()),
                "status" => CaseStatus::from_code(t).map(|k| k.label_sv()),
                "how" => Closing::from_code(t).map(|k| k.label_sv()),
                "direction" => match t.as_str() {
                    "incoming" => Some("Inkommande"),
                    "outgoing" => Some("Utgående"),
                    "internal" => Some("Upprättad"),
                    _ => None,
                },
                _ => None,
            };
            label.map(str::to_string).unwrap_or_else(|| t.clone())
        }
        Value::Array(items) => items
            .iter()
            .map(|i| field_value(key, i))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{}: {}", field_label(k).to_lowercase(), field_value(k, v)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The details of an audit record as fields, ids of the entity itself
/// left out (the page is about it), each value shortened to a line.
fn detail_fields(detail: &serde_json::Value) -> Vec<(String, String)> {
    let short = |s: String| {
        if s.chars().count() > 200 {
            format!("{}…", s.chars().take(200).collect::<String>())
        } else {
            s
        }
    };
    match detail {
        serde_json::Value::Object(m) => m
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "case" | "meeting" | "id"))
            .map(|(k, v)| (field_label(k), short(field_value(k, v))))
            .collect(),
        serde_json::Value::Null => vec![],
        other => vec![("Uppgift".into(), short(field_value("", other)))],
    }
}

pub fn log_lines(records: Vec<AuditRecord>) -> Vec<LogLine> {
    records
        .into_iter()
        .map(|r| LogLine {
            at: local_time(&r.at),
            actor: actor_label(&r.actor, r.actor_name.as_deref()),
            action: action_sentence(&r.entity, &r.action).to_string(),
            fields: detail_fields(&r.detail),
        })
        .collect()
}

// ---- searching the diarium ----------------------------------------------------

/// The search form of the staff lists, as typed (a GET form: every link
/// of the list keeps it).
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    handlaggare: String,
    #[serde(default)]
    fran: String,
    #[serde(default)]
    till: String,
    #[serde(default)]
    sortera: String,
    #[serde(default)]
    ordning: String,
    #[serde(default)]
    sida: String,
}

const PER_PAGE: u32 = 25;

impl ListQuery {
    /// The search, and what of the form could not be read (in Swedish,
    /// naming the field); an unreadable field does not narrow the search.
    fn search(&self) -> (Search, Vec<String>) {
        let mut problems = Vec::new();
        let mut date = |label: &str, raw: &str| -> Option<kansli_core::Date> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            match form_date(label, raw) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(e.to_string());
                    None
                }
            }
        };
        let from = date("från och med", &self.fran);
        let to = date("till och med", &self.till);
        let status = match self.status.trim() {
            "" => None,
            s => {
                let found = CaseStatus::from_code(s);
                if found.is_none() {
                    problems.push(format!("Status: «{}» är inget val.", excerpt(s)));
                }
                found
            }
        };
        let officer = match self.handlaggare.trim() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(n) => Some(PersonId(n)),
                Err(_) => {
                    problems.push(format!("Handläggare: «{}» är inget val.", excerpt(s)));
                    None
                }
            },
        };
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            problems.push(format!(
                "Datumen: från och med {f} är efter till och med {t}, så inget kan hittas."
            ));
        }
        let sort = SortBy::from_code(self.sortera.trim()).unwrap_or_default();
        let page = self.sida.trim().parse::<u32>().unwrap_or(1).max(1);
        (
            Search {
                text: kansli_core::limits::shorten(Kind::Line, self.q.trim()).into_owned(),
                status,
                officer,
                from,
                to,
                sort,
                descending: match self.ordning.as_str() {
                    "stigande" => false,
                    "fallande" => true,
                    // Dates newest first, the rest in reading order.
                    _ => sort == SortBy::Date,
                },
                page,
                per_page: PER_PAGE,
            },
            problems,
        )
    }

    /// The query string of this search with some fields changed, for the
    /// list's links (sorting, paging).
    fn with(&self, changes: &[(&str, &str)]) -> String {
        let mut fields: Vec<(&str, String)> = vec![
            ("q", self.q.clone()),
            ("status", self.status.clone()),
            ("handlaggare", self.handlaggare.clone()),
            ("fran", self.fran.clone()),
            ("till", self.till.clone()),
            ("sortera", self.sortera.clone()),
            ("ordning", self.ordning.clone()),
            ("sida", self.sida.clone()),
        ];
        for (k, v) in changes {
            if let Some(f) = fields.iter_mut().find(|f| f.0 == *k) {
                f.1 = v.to_string();
            }
        }
        fields.retain(|f| !f.1.trim().is_empty());
        let q = serde_urlencoded::to_string(&fields).unwrap_or_default();
        if q.is_empty() {
            String::new()
        } else {
            format!("?{q}")
        }
    }
}

fn excerpt(s: &str) -> String {
    kansli_core::limits::excerpt(&kansli_core::limits::strip_controls(Kind::Code, s), 40)
        .to_string()
}

/// A column heading that sorts the list: its link, and whether (and how)
/// the list is sorted by it now.
pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    /// "ascending", "descending" or "none", for `aria-sort`.
    pub aria: &'static str,
}

fn sort_links(
    base: &str,
    query: &ListQuery,
    search: &Search,
    columns: &[(SortBy, &'static str)],
) -> Vec<SortLink> {
    columns
        .iter()
        .map(|(by, label)| {
            let current = search.sort == *by;
            // A click on the current column turns the order around.
            let order = if current && !search.descending {
                "fallande"
            } else {
                "stigande"
            };
            SortLink {
                label,
                href: format!(
                    "{base}{}",
                    query.with(&[("sortera", by.code()), ("ordning", order), ("sida", "")])
                ),
                aria: match (current, search.descending) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
            }
        })
        .collect()
}

/// Links to the other pages of a list.
pub struct Paging {
    pub page: u32,
    pub pages: u32,
    pub total: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub first_shown: usize,
    pub last_shown: usize,
}

fn paging<T>(base: &str, query: &ListQuery, hits: &Hits<T>) -> Paging {
    let link = |p: u32| format!("{base}{}", query.with(&[("sida", &p.to_string())]));
    let first = (hits.page as usize - 1) * PER_PAGE as usize;
    Paging {
        page: hits.page,
        pages: hits.pages,
        total: hits.total,
        previous: (hits.page > 1).then(|| link(hits.page - 1)),
        next: (hits.page < hits.pages).then(|| link(hits.page + 1)),
        first_shown: if hits.total == 0 { 0 } else { first + 1 },
        last_shown: first + hits.items.len(),
    }
}

/// The choices of the search form and the registration forms.
fn status_choices() -> Vec<Choice> {
    CaseStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.code().into(),
            label: s.label_sv().into(),
        })
        .collect()
}

async fn officer_choices(app: &AppState, org: OrganisationId) -> Result<Vec<Choice>, StoreError> {
    Ok(app
        .store
        .case_officers(org)
        .await?
        .into_iter()
        .map(|p| Choice {
            value: p.id.0.to_string(),
            label: p.name,
        })
        .collect())
}

// ---- the organisation's cases ---------------------------------------------

struct CaseLine {
    href: String,
    number: String,
    title: String,
    registered: String,
    status: &'static str,
    officer: String,
    classification: String,
}

#[derive(Template)]
#[template(path = "staff_cases.html")]
struct CasesPage {
    flash: Option<Flash>,
    csrf: String,
    organisation: String,
    action: String,
    documents_href: String,
    plan_href: String,
    postlista_href: String,
    today: String,
    cases: Vec<CaseLine>,
    query: ListQuery,
    problems: Vec<String>,
    statuses: Vec<Choice>,
    officers: Vec<Choice>,
    columns: Vec<SortLink>,
    paging: Paging,
}

impl KeptFields for CasesPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

/// The names of persons, for list lines.
async fn names(
    app: &AppState,
    ids: impl Iterator<Item = PersonId>,
) -> Result<std::collections::HashMap<PersonId, String>, StoreError> {
    let ids: Vec<PersonId> = ids.collect();
    Ok(app
        .store
        .persons(&ids)
        .await?
        .into_iter()
        .map(|(id, p)| (id, p.name))
        .collect())
}

pub async fn cases(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    Query(query): Query<ListQuery>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let org: OrganisationId = parse_id(&raw, "Organisationen")?;
    let organisation = app.store.organisation(org).await?;
    let (search, problems) = query.search();
    let hits = app.store.search_cases(org, &search).await?;
    let officer_names = names(&app, hits.items.iter().filter_map(|c| c.officer)).await?;
    let base = format!("/sekretariat/organisationer/{}/arenden", org.0);
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = CasesPage {
        flash,
        csrf: s.csrf.clone(),
        organisation: organisation.name,
        action: base.clone(),
        documents_href: format!("/sekretariat/organisationer/{}/handlingar", org.0),
        plan_href: format!("/sekretariat/organisationer/{}/klassificering", org.0),
        postlista_href: format!("/organisationer/{}/postlista", org.0),
        today: app.config.today().to_string(),
        columns: sort_links(
            &base,
            &query,
            &search,
            &[
                (SortBy::Number, "Diarienummer"),
                (SortBy::Title, "Ärendemening"),
                (SortBy::Date, "Registrerat"),
            ],
        ),
        paging: paging(&base, &query, &hits),
        cases: hits
            .items
            .into_iter()
            .map(|c| CaseLine {
                href: format!("/sekretariat/arenden/{}", c.id.0),
                // Stored before the limits, a title could be any size.
                title: kansli_core::limits::shorten(Kind::Title, &c.title).into_owned(),
                registered: c.registered.to_string(),
                status: c.status.label_sv(),
                officer: c
                    .officer
                    .and_then(|p| officer_names.get(&p).cloned())
                    .unwrap_or_default(),
                classification: c.classification.unwrap_or_default(),
                number: c.number,
            })
            .collect(),
        query,
        problems,
        statuses: status_choices(),
        officers: officer_choices(&app, org).await?,
    };
    Ok((jar, Html(page.render()?)).into_response())
}

// ---- the organisation's handlingar ----------------------------------------------

struct HandlingLine {
    number: String,
    case_href: String,
    date: String,
    kind: &'static str,
    title: String,
    direction: &'static str,
    counterpart: String,
    secret: Option<String>,
}

#[derive(Template)]
#[template(path = "staff_documents.html")]
struct DocumentsPage {
    organisation: String,
    cases_href: String,
    documents: Vec<HandlingLine>,
    query: ListQuery,
    problems: Vec<String>,
    statuses: Vec<Choice>,
    officers: Vec<Choice>,
    columns: Vec<SortLink>,
    paging: Paging,
}

/// `/sekretariat/organisationer/{id}/handlingar`: every handling of the
/// organisation, searched and sorted like the cases (staff see secret
/// ones in full).
pub async fn documents(
    State(app): State<AppState>,
    SignedIn(_s): SignedIn,
    Path(raw): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let org: OrganisationId = parse_id(&raw, "Organisationen")?;
    let organisation = app.store.organisation(org).await?;
    let (search, problems) = query.search();
    let hits = app.store.search_documents(org, &search).await?;
    let base = format!("/sekretariat/organisationer/{}/handlingar", org.0);
    let page = DocumentsPage {
        organisation: organisation.name,
        cases_href: format!("/sekretariat/organisationer/{}/arenden", org.0),
        columns: sort_links(
            &base,
            &query,
            &search,
            &[
                (SortBy::Number, "Nummer"),
                (SortBy::Date, "Datum"),
                (SortBy::Title, "Handling"),
            ],
        ),
        paging: paging(&base, &query, &hits),
        documents: hits
            .items
            .iter()
            .map(|r| HandlingLine {
                number: r.number(),
                case_href: format!("/sekretariat/arenden/{}", r.case.id.0),
                date: r.document.date.to_string(),
                kind: r.document.kind.label_sv(),
                title: kansli_core::limits::shorten(Kind::Title, &r.document.title).into_owned(),
                direction: r.document.direction.label_sv(),
                counterpart: r.document.direction.counterpart().unwrap_or("").to_string(),
                secret: match &r.document.access {
                    Access::Public => None,
                    Access::Secret { ground } => Some(ground.clone()),
                },
            })
            .collect(),
        query,
        problems,
        statuses: status_choices(),
        officers: officer_choices(&app, org).await?,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize)]
pub struct NewCase {
    #[serde(default)]
    title: String,
    #[serde(default)]
    registered: String,
}

pub async fn register_case(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(form): Form<NewCase>,
) -> Result<Response, PageError> {
    let org: OrganisationId = parse_id(&raw, "Organisationen")?;
    let outcome = async {
        let date = form_date("registreringsdatum", &form.registered)?;
        let mut tx = app.store.begin(&actor(&s)).await?;
        let (id, number) = tx.register_case(org, &form.title, date).await?;
        tx.commit().await?;
        Ok::<_, StoreError>((id, number))
    }
    .await;
    match outcome {
        Ok((id, number)) => after(
            &app,
            jar,
            &format!("/sekretariat/arenden/{}", id.0),
            Ok(format!("Ärendet är registrerat med diarienummer {number}.")),
        ),
        Err(e) => after_keeping(
            &app,
            &s,
            jar,
            &format!("/sekretariat/organisationer/{}/arenden", org.0),
            Err(e),
            "case",
            &[
                ("title", Kind::Title, &form.title),
                ("registered", Kind::Code, &form.registered),
            ],
        ),
    }
}

// ---- one case ---------------------------------------------------------------

struct FileLine {
    href: String,
    name: String,
    size: String,
    sha256: String,
}

struct DocumentLine {
    number: String,
    date: String,
    kind: &'static str,
    title: String,
    direction: String,
    secret: Option<String>,
    files: Vec<FileLine>,
}

struct MotionLine {
    title: String,
    filed: String,
    movers: String,
    referred_to: String,
    deadline: String,
}

struct StepLine {
    href: String,
    text: String,
}

#[derive(Template)]
#[template(path = "staff_case.html")]
struct CasePage {
    flash: Option<Flash>,
    csrf: String,
    id: i64,
    number: String,
    title: String,
    registered: String,
    organisation_href: String,
    documents: Vec<DocumentLine>,
    kinds: Vec<Choice>,
    today: String,
    motion: Option<MotionLine>,
    can_file_motion: bool,
    movers: Vec<Choice>,
    bodies: Vec<Choice>,
    reports: Vec<String>,
    /// Why the case's matter is secret, when it is: it has no public page.
    secret_matter: Option<String>,
    /// The upload's `accept` attribute and what the form says it takes.
    accept: String,
    accepted: String,
    steps: Vec<StepLine>,
    log: Vec<crate::registry::LogLine>,
    /// The diarium's fields of the case.
    status: &'static str,
    status_code: &'static str,
    closed: Option<String>,
    officer: Option<String>,
    officer_id: String,
    case_type: String,
    classification: Option<String>,
    classification_code: String,
    officers: Vec<Choice>,
    case_types: Vec<String>,
    plan: Vec<Choice>,
    closings: Vec<Choice>,
    plan_href: String,
}

impl KeptFields for CasePage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0).replace('.', ",")
    } else {
        format!("{} kB", (bytes + 1023) / 1024)
    }
}

pub async fn case(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: CaseId = parse_id(&raw, "Ärendet")?;
    let store = &app.store;
    let case = store.case(id).await?;
    let mut documents = Vec::new();
    for d in store.documents(id).await? {
        let files = store
            .attachments(d.id)
            .await?
            .into_iter()
            .map(|a| FileLine {
                href: format!("/sekretariat/arenden/{}/filer/{}", id.0, a.id.0),
                name: a.file_name,
                size: size_label(a.size),
                sha256: a.sha256,
            })
            .collect();
        documents.push(DocumentLine {
            number: kansli_core::case::handling_number(&case.number, d.number),
            date: d.date.to_string(),
            kind: d.kind.label_sv(),
            title: d.title,
            direction: match d.direction {
                Direction::Incoming { sender } => format!("Inkommande från {sender}"),
                Direction::Outgoing { receiver } => format!("Utgående till {receiver}"),
                Direction::Internal => "Upprättad".into(),
            },
            secret: match d.access {
                Access::Public => None,
                Access::Secret { ground } => Some(ground),
            },
            files,
        });
    }
    let bodies = store.bodies(case.organisation).await?;
    let today = app.config.today();
    let motion = match store.motion(id).await? {
        Some(m) => {
            let persons = store.persons(&m.movers).await?;
            let names: Vec<String> = m
                .movers
                .iter()
                .filter_map(|p| persons.get(p).map(|x| x.display()))
                .collect();
            let referred = match m.referred_to {
                Some(b) => store.body(b).await?.name,
                None => "ej remitterad".into(),
            };
            Some(MotionLine {
                title: m.title,
                filed: m.filed.to_string(),
                movers: kansli_core::text::join_sv(&names),
                referred_to: referred,
                deadline: kansli_core::deadlines::motion_deadline(m.filed)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            })
        }
        None => None,
    };
    let mut movers = Vec::new();
    for b in bodies.iter().filter(|b| b.kind == BodyKind::Fullmaktige) {
        for m in store.members(b.id).await? {
            if m.term.contains(today)
                && !movers
                    .iter()
                    .any(|c: &Choice| c.value == m.person.id.0.to_string())
            {
                movers.push(Choice {
                    value: m.person.id.0.to_string(),
                    label: m.person.display(),
                });
            }
        }
    }
    let reports = store
        .officer_reports(id)
        .await?
        .into_iter()
        .map(|r| format!("{} – {}", r.date, r.title))
        .collect();
    let steps = store
        .case_steps(id)
        .await?
        .into_iter()
        .map(|st| StepLine {
            href: format!("/sekretariat/sammantraden/{}", st.meeting.id.0),
            text: format!(
                "{} {}{}: {}",
                st.body.name,
                st.meeting.date,
                st.paragraph.map(|n| format!(" §{n}")).unwrap_or_default(),
                st.item_title
            ),
        })
        .collect();
    let plan = store.classification_plan(case.organisation).await?;
    let officer = match case.officer {
        Some(p) => Some(store.person(p).await?.name),
        None => None,
    };
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = CasePage {
        status: case.status.label_sv(),
        status_code: case.status.code(),
        closed: case.closed.map(|d| {
            format!(
                "{d} ({})",
                case.closed_how
                    .map(|h| h.label_sv())
                    .unwrap_or("Avslutat")
                    .to_lowercase()
            )
        }),
        officer,
        officer_id: case.officer.map(|p| p.0.to_string()).unwrap_or_default(),
        case_type: case.case_type.clone().unwrap_or_default(),
        classification: case.classification.as_ref().map(|c| {
            match plan.iter().find(|x| &x.code == c) {
                Some(x) => format!("{} {}", x.code, x.title),
                None => c.clone(),
            }
        }),
        classification_code: case.classification.clone().unwrap_or_default(),
        officers: officer_choices(&app, case.organisation).await?,
        case_types: store.case_types(case.organisation).await?,
        plan: plan
            .iter()
            .map(|x| Choice {
                value: x.code.clone(),
                label: format!("{} {}", x.code, x.title),
            })
            .collect(),
        closings: Closing::ALL
            .iter()
            .map(|c| Choice {
                value: c.code().into(),
                label: c.label_sv().into(),
            })
            .collect(),
        plan_href: format!(
            "/sekretariat/organisationer/{}/klassificering",
            case.organisation.0
        ),
        flash,
        csrf: s.csrf.clone(),
        id: id.0,
        number: case.number,
        title: case.title,
        registered: case.registered.to_string(),
        organisation_href: format!(
            "/sekretariat/organisationer/{}/arenden",
            case.organisation.0
        ),
        documents,
        kinds: DocumentKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: k.label_sv().into(),
            })
            .collect(),
        today: today.to_string(),
        can_file_motion: motion.is_none() && !movers.is_empty(),
        motion,
        movers,
        bodies: bodies
            .iter()
            .filter(|b| b.kind != BodyKind::Fullmaktige)
            .map(|b| Choice {
                value: b.id.0.to_string(),
                label: b.name.clone(),
            })
            .collect(),
        reports,
        secret_matter: store.case_secrecy(id).await?,
        accept: kansli_store::files::accept_attribute(),
        accepted: kansli_store::files::accepted_kinds_sv(),
        steps,
        log: log_lines(store.case_history(id).await?),
    };
    Ok((jar, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
pub struct DetailsForm {
    #[serde(default)]
    handlaggare: String,
    /// A handläggare not yet chosen before: their name, made a person.
    #[serde(default)]
    ny_handlaggare: String,
    #[serde(default)]
    arendetyp: String,
    #[serde(default)]
    klassificering: String,
}

/// Sets the case's handläggare, ärendetyp and classification.
pub async fn set_details(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(form): Form<DetailsForm>,
) -> Result<Response, PageError> {
    let id: CaseId = parse_id(&raw, "Ärendet")?;
    let outcome = async {
        let mut tx = app.store.begin(&actor(&s)).await?;
        let new_name = form.ny_handlaggare.trim();
        let officer = if !new_name.is_empty() {
            kansli_core::limits::check("ny handläggare", Kind::Name, new_name)?;
            // The same name again is the same person, so a second submit
            // makes no second one.
            match tx.person_named(new_name).await? {
                Some(p) => Some(p),
                None => Some(tx.add_person(new_name, None).await?),
            }
        } else {
            match form.handlaggare.trim() {
                "" => None,
                p => Some(PersonId(form_number("handläggare", p)?)),
            }
        };
        let changed = tx
            .set_case_details(
                id,
                &CaseDetails {
                    officer,
                    case_type: Some(form.arendetyp.clone()),
                    classification: Some(form.klassificering.clone()),
                },
            )
            .await?;
        tx.commit().await?;
        Ok::<_, StoreError>(if changed {
            "Ärendets uppgifter är sparade.".to_string()
        } else {
            "Inget ändrades: uppgifterna var redan desamma.".to_string()
        })
    }
    .await;
    after_keeping(
        &app,
        &s,
        jar,
        &format!("/sekretariat/arenden/{}", id.0),
        outcome,
        "details",
        &[
            ("handlaggare", Kind::Code, &form.handlaggare),
            ("ny_handlaggare", Kind::Name, &form.ny_handlaggare),
            ("arendetyp", Kind::Line, &form.arendetyp),
            ("klassificering", Kind::Code, &form.klassificering),
        ],
    )
}

#[derive(Deserialize)]
pub struct StatusForm {
    /// oppna, vilande or avsluta.
    #[serde(default)]
    atgard: String,
    #[serde(default)]
    datum: String,
    #[serde(default)]
    hur: String,
}

/// Opens, makes vilande or closes the case
/// ([`kansli_core::case::Case::change_status`]).
pub async fn change_status(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    let id: CaseId = parse_id(&raw, "Ärendet")?;
    let today = app.config.today();
    let outcome = async {
        let change = match form.atgard.as_str() {
            "oppna" => StatusChange::Open,
            "vilande" => StatusChange::Dormant,
            "avsluta" => StatusChange::Close {
                date: form_date("avslutsdatum", &form.datum)?,
                how: Closing::from_code(&form.hur).ok_or_else(|| {
                    refused(
                        "avslut",
                        "välj hur ärendet avslutas: beslut, avskrivet eller överlämnat",
                    )
                })?,
            },
            _ => return Err(refused("status", "välj öppna, vilande eller avsluta")),
        };
        let mut tx = app.store.begin(&actor(&s)).await?;
        let status = tx.change_case_status(id, change, today).await?;
        tx.commit().await?;
        Ok(format!(
            "Ärendet är nu {}.",
            status.label_sv().to_lowercase()
        ))
    }
    .await;
    after_keeping(
        &app,
        &s,
        jar,
        &format!("/sekretariat/arenden/{}", id.0),
        outcome,
        "status",
        &[
            ("atgard", Kind::Code, &form.atgard),
            ("datum", Kind::Code, &form.datum),
            ("hur", Kind::Code, &form.hur),
        ],
    )
}

/// A document with an optional file, sent as multipart (the CSRF token in
/// the query string, as the guard expects for file uploads).
pub async fn add_document(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let id: CaseId = parse_id(&raw, "Ärendet")?;
    let back = format!("/sekretariat/arenden/{}", id.0);
    let mut fields = std::collections::HashMap::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return after(
                    &app,
                    jar,
                    &back,
                    Err(refused("formuläret", format!("kom inte fram helt: {e}"))),
                );
            }
        };
        if fields.len() >= kansli_core::limits::FORM_FIELDS {
            return Err(WebError::TooLarge(format!(
                "Formuläret har för många fält: högst {} kan skickas på en gång.",
                kansli_core::limits::swedish_number(kansli_core::limits::FORM_FIELDS)
            ))
            .into());
        }
        let name = field.name().unwrap_or("").to_string();
        if name == "fil" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = match field.bytes().await {
                Ok(b) => b,
                Err(e) => {
                    return after(
                        &app,
                        jar,
                        &back,
                        Err(refused("filen", format!("kom inte fram helt: {e}"))),
                    );
                }
            };
            if !file_name.is_empty() || !bytes.is_empty() {
                file = Some((file_name, bytes.to_vec()));
            }
        } else {
            let text = field.text().await.unwrap_or_default();
            fields.insert(name, text);
        }
    }
    let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    let outcome = async {
        let kind = DocumentKind::ALL
            .into_iter()
            .find(|k| k.code() == get("kind"))
            .ok_or_else(|| refused("handlingstyp", "välj en handlingstyp"))?;
        let date = form_date("datum", get("date"))?;
        let counterpart = get("counterpart").trim().to_string();
        let direction = match get("direction") {
            "incoming" if !counterpart.is_empty() => Direction::Incoming {
                sender: counterpart,
            },
            "outgoing" if !counterpart.is_empty() => Direction::Outgoing {
                receiver: counterpart,
            },
            "internal" => Direction::Internal,
            "incoming" | "outgoing" => {
                return Err(refused(
                    "avsändare eller mottagare",
                    "ange vem handlingen kommer från eller går till",
                ));
            }
            _ => {
                return Err(refused(
                    "riktning",
                    "välj inkommen, utgående eller upprättad",
                ));
            }
        };
        let access = form_access(get("secret"), get("ground"))?;
        let mut tx = app.store.begin(&actor(&s)).await?;
        let (doc, number) = tx
            .register_document(id, kind, get("title").trim(), date, &direction, &access)
            .await?;
        if let Some((name, bytes)) = &file {
            tx.attach_file(doc, name, bytes).await?;
        }
        tx.commit().await?;
        Ok(match &file {
            Some((name, _)) => format!("Handlingen är registrerad som {number} med filen {name}."),
            None => format!("Handlingen är registrerad som {number}."),
        })
    }
    .await;
    let kept: Vec<(&str, Kind, &str)> = [
        ("title", Kind::Title),
        ("kind", Kind::Code),
        ("date", Kind::Code),
        ("direction", Kind::Code),
        ("counterpart", Kind::Line),
        ("secret", Kind::Code),
        ("ground", Kind::Code),
    ]
    .into_iter()
    .map(|(k, kind)| (k, kind, get(k)))
    .collect();
    after_keeping(&app, &s, jar, &back, outcome, "document", &kept)
}

#[derive(Deserialize)]
pub struct NewMotion {
    #[serde(default)]
    title: String,
    #[serde(default)]
    filed: String,
    #[serde(default)]
    movers: Vec<String>,
    #[serde(default)]
    referred_to: String,
}

/// Registers the case's motion: its movers among fullmäktige's members, the
/// filing date, and the body it is referred to; the motion itself becomes a
/// document of the case.
pub async fn file_motion(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(form): Form<NewMotion>,
) -> Result<Response, PageError> {
    let id: CaseId = parse_id(&raw, "Ärendet")?;
    let outcome = async {
        let case = app.store.case(id).await?;
        let filed = form_date("inlämnad", &form.filed)?;
        let movers: Vec<PersonId> = form
            .movers
            .iter()
            .map(|m| form_number("motionärer", m))
            .collect::<Result<_, _>>()?;
        let bodies = app.store.bodies(case.organisation).await?;
        let filed_in = bodies
            .iter()
            .find(|b| b.kind == BodyKind::Fullmaktige)
            .ok_or_else(|| refused("motion", "organisationen har inget fullmäktige"))?;
        let members = app.store.members(filed_in.id).await?;
        for m in &movers {
            if !members
                .iter()
                .any(|x| x.person.id == *m && x.term.contains(filed))
            {
                return Err(refused(
                    "motionärer",
                    format!("person {m} är inte ledamot i {} den dagen", filed_in.name),
                ));
            }
        }
        let referred_to = match form.referred_to.trim() {
            "" => None,
            r => {
                let b = kansli_core::BodyId(form_number("remitteras till", r)?);
                if !bodies.iter().any(|x| x.id == b) {
                    return Err(refused(
                        "remitteras till",
                        "organet hör inte till organisationen",
                    ));
                }
                Some(b)
            }
        };
        let persons = app.store.persons(&movers).await?;
        let names: Vec<String> = movers
            .iter()
            .filter_map(|p| persons.get(p).map(|x| x.display()))
            .collect();
        let mut tx = app.store.begin(&actor(&s)).await?;
        tx.add_motion(&Motion {
            case: id,
            title: form.title.trim().into(),
            filed,
            movers: movers.clone(),
            filed_in: filed_in.id,
            referred_to,
        })
        .await?;
        tx.add_document(
            id,
            DocumentKind::Motion,
            form.title.trim(),
            filed,
            &Direction::Incoming {
                sender: kansli_core::text::join_sv(&names),
            },
            &Access::Public,
        )
        .await?;
        tx.commit().await?;
        Ok(format!(
            "Motionen är registrerad. Den ska beredas så att fullmäktige kan besluta senast {}.",
            kansli_core::deadlines::motion_deadline(filed)
                .map(|d| d.to_string())
                .unwrap_or_default()
        ))
    }
    .await;
    let mut kept = vec![
        ("title", Kind::Title, form.title.as_str()),
        ("filed", Kind::Code, form.filed.as_str()),
        ("referred_to", Kind::Code, form.referred_to.as_str()),
    ];
    kept.extend(
        form.movers
            .iter()
            .map(|m| ("movers", Kind::Code, m.as_str())),
    );
    after_keeping(
        &app,
        &s,
        jar,
        &format!("/sekretariat/arenden/{}", id.0),
        outcome,
        "motion",
        &kept,
    )
}

// ---- the officer's report ---------------------------------------------------

#[derive(Template)]
#[template(path = "staff_report.html")]
struct ReportPage {
    flash: Option<Flash>,
    csrf: String,
    case_href: String,
    number: String,
    action: String,
    f: ReportForm,
    has_report: bool,
    pdf_href: String,
    /// The latest version is a draft: neither marked final nor sent with a
    /// kallelse, so not public (`kansli_core::publication::report_public`).
    draft: bool,
}

/// The officer's report as the form holds it: the fixture's sections.
#[derive(Deserialize, Default, Clone)]
pub struct ReportForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    author_name: String,
    #[serde(default)]
    author_title: String,
    #[serde(default)]
    addressed_to: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    chain: String,
    #[serde(default)]
    clauses: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    background: String,
    #[serde(default)]
    considerations: String,
    #[serde(default)]
    consequences: String,
    #[serde(default)]
    economic_consequences: String,
    #[serde(default)]
    signatories: String,
    #[serde(default)]
    attachments: String,
    #[serde(default)]
    notify: String,
    /// "ja" when the report is secret (then `ground` is required).
    #[serde(default)]
    secret: String,
    /// The secrecy ground in OSL, for a secret report.
    #[serde(default)]
    ground: String,
}

impl ReportForm {
    fn is_secret(&self) -> bool {
        self.secret == "ja"
    }
}

/// Public, or secret with its ground in offentlighets- och sekretesslagen
/// (2009:400), from a form's `secret` and `ground` fields.
fn form_access(secret: &str, ground: &str) -> Result<Access, StoreError> {
    if secret != "ja" {
        return Ok(Access::Public);
    }
    let ground = ground.trim();
    if ground.is_empty() {
        return Err(refused(
            "sekretess",
            "ange sekretessgrund (lagrum i offentlighets- och sekretesslagen)",
        ));
    }
    Ok(Access::Secret {
        ground: ground.into(),
    })
}

fn report_to_form(r: &OfficerReport, access: &Access) -> ReportForm {
    let part = r.draft_decision.parts.first();
    let (secret, ground) = match access {
        Access::Public => ("nej", String::new()),
        Access::Secret { ground } => ("ja", ground.clone()),
    };
    ReportForm {
        secret: secret.into(),
        ground,
        date: r.date.to_string(),
        unit: r.unit.join("\n"),
        author_name: r.author.name.clone(),
        author_title: r.author.title.clone(),
        addressed_to: r.addressed_to.clone(),
        title: r.title.clone(),
        chain: match part.map(|p| &p.formula) {
            Some(Formula::Proposes { chain, .. }) => chain.join(", "),
            _ => String::new(),
        },
        clauses: part
            .map(|p| {
                p.clauses
                    .iter()
                    .map(|c| c.text.clone())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default(),
        summary: r.summary.clone(),
        background: r.background.clone(),
        considerations: r.considerations.clone(),
        consequences: r.consequences.clone(),
        economic_consequences: r.economic_consequences.clone(),
        signatories: r
            .signatories
            .iter()
            .map(|s| format!("{}, {}", s.name, s.title))
            .collect::<Vec<_>>()
            .join("\n"),
        attachments: r.attachments.join("\n"),
        notify: r.notify.join("\n"),
    }
}

fn form_to_report(case: CaseId, f: &ReportForm) -> Result<OfficerReport, StoreError> {
    let clauses: Vec<Clause> = lines(&f.clauses).into_iter().map(Clause::new).collect();
    if clauses.is_empty() {
        return Err(refused("förslag till beslut", "skriv minst en att-sats"));
    }
    let chain: Vec<String> = f
        .chain
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let formula = if chain.is_empty() {
        Formula::Decides
    } else {
        Formula::Proposes {
            chain,
            further: false,
        }
    };
    let signatory = |line: &str| -> Signatory {
        match line.split_once(',') {
            Some((n, t)) => Signatory {
                name: n.trim().into(),
                title: t.trim().into(),
            },
            None => Signatory {
                name: line.trim().into(),
                title: String::new(),
            },
        }
    };
    if f.author_name.trim().is_empty() {
        return Err(refused("handläggare", "ange handläggarens namn"));
    }
    Ok(OfficerReport {
        case,
        date: form_date("datum", &f.date)?,
        unit: lines(&f.unit),
        author: Signatory {
            name: f.author_name.trim().into(),
            title: f.author_title.trim().into(),
        },
        addressed_to: f.addressed_to.trim().into(),
        title: f.title.trim().into(),
        draft_decision: Decision::single(formula, clauses),
        summary: f.summary.trim().replace("\r\n", "\n"),
        background: f.background.trim().replace("\r\n", "\n"),
        considerations: f.considerations.trim().replace("\r\n", "\n"),
        consequences: f.consequences.trim().replace("\r\n", "\n"),
        economic_consequences: f.economic_consequences.trim().replace("\r\n", "\n"),
        signatories: lines(&f.signatories).iter().map(|l| signatory(l)).collect(),
        attachments: lines(&f.attachments),
        notify: lines(&f.notify),
    })
}

#[derive(Deserialize)]
pub struct MarkFinalForm {}

/// Marks the latest version of the officer's report final: from now on it
/// is an allmän handling, public unless secret (TF 2 kap. 10 §,
/// `kansli_core::publication::report_public`). Sent twice, the second time
/// changes nothing.
pub async fn mark_report_final(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(_): Form<MarkFinalForm>,
) -> Result<Response, PageError> {
    let id: CaseId = parse_id(&raw, "Ärendet")?;
    let outcome = async {
        let mut tx = app.store.begin(&actor(&s)).await?;
        let changed = tx.mark_report_final(id).await?;
        tx.commit().await?;
        Ok(if changed {
            "Beslutsförslaget är markerat som färdigt. Det är nu en allmän handling och visas för allmänheten om det inte har sekretess.".to_string()
        } else {
            "Beslutsförslaget var redan markerat som färdigt.".to_string()
        })
    }
    .await;
    after(
        &app,
        jar,
        &format!("/sekretariat/arenden/{}/beslutsforslag", id.0),
        outcome,
    )
}

pub async fn report_form(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: CaseId = parse_id(&raw, "Ärendet")?;
    let case = app.store.case(id).await?;
    let reports = app.store.officer_reports_with_access(id).await?;
    let f = match reports.last() {
        Some((r, access)) => report_to_form(r, access),
        None => ReportForm {
            date: app.config.today().to_string(),
            title: case.title.clone(),
            author_name: s.user.display_name.clone(),
            ..ReportForm::default()
        },
    };
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = ReportPage {
        flash,
        csrf: s.csrf.clone(),
        case_href: format!("/sekretariat/arenden/{}", id.0),
        number: case.number,
        action: format!("/sekretariat/arenden/{}/beslutsforslag", id.0),
        f,
        has_report: !reports.is_empty(),
        pdf_href: format!(
            "/sekretariat/arenden/{}/beslutsforslag/beslutsforslag.pdf",
            id.0
        ),
        draft: crate::view::report_is_draft(&app.store, id).await?,
    };
    Ok((jar, Html(page.render()?)).into_response())
}

/// Saves the report as a new version (earlier versions stay in the case).
/// A refused report is shown again with what was written, and the reason.
pub async fn save_report(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<ReportForm>,
) -> Result<Response, PageError> {
    let id: CaseId = parse_id(&raw, "Ärendet")?;
    let outcome = async {
        let report = form_to_report(id, &f)?;
        let access = form_access(&f.secret, &f.ground)?;
        let mut tx = app.store.begin(&actor(&s)).await?;
        tx.add_officer_report_with(&report, &access).await?;
        // The report's entry in the case's documents has the same access.
        tx.add_document(
            id,
            DocumentKind::OfficerReport,
            &format!("Beslutsförslag: {}", report.title),
            report.date,
            &Direction::Internal,
            &access,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    }
    .await;
    match outcome {
        Ok(()) => after(
            &app,
            jar,
            &format!("/sekretariat/arenden/{}/beslutsforslag", id.0),
            Ok("Beslutsförslaget är sparat. PDF:en är klar att hämta.".into()),
        ),
        Err(e @ (StoreError::Refused(_) | StoreError::NotFound { .. })) => {
            let case = app.store.case(id).await?;
            let page = ReportPage {
                flash: Some(Flash {
                    ok: false,
                    text: e.to_string(),
                    ..Flash::default()
                }),
                csrf: s.csrf.clone(),
                case_href: format!("/sekretariat/arenden/{}", id.0),
                number: case.number,
                action: format!("/sekretariat/arenden/{}/beslutsforslag", id.0),
                f,
                has_report: !app.store.officer_reports(id).await?.is_empty(),
                pdf_href: format!(
                    "/sekretariat/arenden/{}/beslutsforslag/beslutsforslag.pdf",
                    id.0
                ),
                draft: crate::view::report_is_draft(&app.store, id).await?,
            };
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Html(page.render()?),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---- files --------------------------------------------------------------------

fn file_response(a: kansli_store::files::Attachment, bytes: Vec<u8>) -> Response {
    let safe: String = a
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, a.media_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (
                header::HeaderName::from_static("x-content-type-options"),
                "nosniff".into(),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A file for staff of the case's organisation. A secret document's file
/// only for those whose work includes the case ([`reads_secret_files`]).
pub async fn staff_file(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path((raw, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let case: CaseId = parse_id(&raw, "Ärendet")?;
    let file: AttachmentId = parse_id(&file, "Filen")?;
    let (a, bytes) = app.store.attachment(file).await?;
    let docs = app.store.documents(case).await?;
    let Some(doc) = docs.iter().find(|d| d.id == a.document) else {
        return Err(WebError::NotFound(format!("filen {file} hör inte till ärendet")).into());
    };
    if !doc.access.is_public() {
        let organisation = app.store.case(case).await?.organisation;
        let bodies = app.store.case_bodies(case).await?;
        if !reads_secret_files(&s, organisation, &bodies, app.config.today()) {
            return Err(WebError::Forbidden(
                "Handlingen omfattas av sekretess, och ärendet hör inte till de organ du är sekreterare för. Du har inte behörighet till filen.".into(),
            )
            .into());
        }
    }
    Ok(file_response(a, bytes))
}

/// Least privilege for secret files: an administrator of the
/// organisation, one of its case officers (who keep the registry) or a
/// secretary of all its bodies may read them; a secretary of some bodies
/// only in cases that belong to one of them — a case belongs to a body when
/// it is on the agenda of one of the body's meetings, or its motion was
/// filed in or referred to the body ([`kansli_store::Store::case_bodies`]).
/// A ledamot or ersättare reads them in cases of a body they sit in on
/// `day` (the meeting's date), for the work of that body.
pub fn reads_secret_files(
    session: &kansli_store::access::Session,
    organisation: OrganisationId,
    case_bodies: &[kansli_core::BodyId],
    day: jiff::civil::Date,
) -> bool {
    use kansli_store::access::Role;
    session.user.is_admin
        || case_bodies.iter().any(|b| session.member_on(*b, day))
        || session.grants.iter().any(|g| {
            g.organisation == organisation
                && match (g.role, g.body) {
                    (Role::Administrator | Role::CaseOfficer, _) => true,
                    (Role::Secretary, None) => true,
                    (Role::Secretary, Some(b)) => case_bodies.contains(&b),
                }
        })
}

/// A file of a public document, for anyone. A secret document's file is
/// refused, whoever asks: staff fetch it through the case.
pub async fn public_file(
    State(app): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let file: AttachmentId = parse_id(&file, "Filen")?;
    let (a, bytes) = app.store.attachment(file).await?;
    let secret = document_access(&app, a.document).await?;
    if let Access::Secret { ground } = secret {
        return Err(WebError::Forbidden(format!(
            "Handlingen omfattas av sekretess ({ground}) och lämnas inte ut här. Begär ut den hos registraturen, som prövar begäran."
        ))
        .into());
    }
    Ok(file_response(a, bytes))
}

async fn document_access(app: &AppState, document: DocumentId) -> Result<Access, WebError> {
    Ok(crate::view::document_access(&app.store, document).await?)
}

// ---- the classification plan --------------------------------------------------

#[derive(Template)]
#[template(path = "staff_classification.html")]
struct PlanPage {
    flash: Option<Flash>,
    csrf: String,
    organisation: String,
    action: String,
    remove_action: String,
    cases_href: String,
    plan: Vec<Classification>,
}

impl KeptFields for PlanPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

/// `/sekretariat/organisationer/{id}/klassificering`: the organisation's
/// own classification plan (codes and titles, as KLASSA-based plans have),
/// which cases are filed under.
pub async fn classification_plan(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let org: OrganisationId = parse_id(&raw, "Organisationen")?;
    let organisation = app.store.organisation(org).await?;
    let (jar, flash) = take_flash(&app, &s, jar);
    let base = format!("/sekretariat/organisationer/{}/klassificering", org.0);
    let page = PlanPage {
        flash,
        csrf: s.csrf.clone(),
        organisation: organisation.name,
        remove_action: format!("{base}/ta-bort"),
        action: base,
        cases_href: format!("/sekretariat/organisationer/{}/arenden", org.0),
        plan: app.store.classification_plan(org).await?,
    };
    Ok((jar, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
}

/// Adds a code to the plan, or renames one (the same code and title again
/// change nothing but the log).
pub async fn set_classification(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    let org: OrganisationId = parse_id(&raw, "Organisationen")?;
    let outcome = async {
        let entry = Classification {
            code: form.code.trim().into(),
            title: form.title.trim().into(),
        };
        let mut tx = app.store.begin(&actor(&s)).await?;
        tx.set_classification(org, &entry).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(format!(
            "Koden {} {} finns nu i klassificeringsstrukturen.",
            entry.code, entry.title
        ))
    }
    .await;
    after_keeping(
        &app,
        &s,
        jar,
        &format!("/sekretariat/organisationer/{}/klassificering", org.0),
        outcome,
        "plan",
        &[
            ("code", Kind::Code, &form.code),
            ("title", Kind::Title, &form.title),
        ],
    )
}

/// Removes a code no case is filed under.
pub async fn remove_classification(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    let org: OrganisationId = parse_id(&raw, "Organisationen")?;
    let outcome = async {
        let mut tx = app.store.begin(&actor(&s)).await?;
        let removed = tx.remove_classification(org, &form.code).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(if removed {
            format!("Koden {} är borttagen.", form.code.trim())
        } else {
            format!("Koden {} fanns inte (redan borttagen).", form.code.trim())
        })
    }
    .await;
    after(
        &app,
        jar,
        &format!("/sekretariat/organisationer/{}/klassificering", org.0),
        outcome,
    )
}

// ---- the postlista ----------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct PostlistaQuery {
    #[serde(default)]
    datum: String,
}

#[derive(Template)]
#[template(path = "postlista.html")]
struct PostlistaPage {
    p: crate::view::PostlistaView,
    previous: String,
    next: String,
    problem: Option<String>,
    typed: String,
}

/// The day a postlista is asked for: `datum`, or today when it is left
/// out; a day that is no date is said so, naming what was typed.
fn postlista_day(app: &AppState, raw: &str) -> (kansli_core::Date, Option<String>) {
    let raw = raw.trim();
    if raw.is_empty() {
        return (app.config.today(), None);
    }
    match form_date("datum", raw) {
        Ok(d) => (d, None),
        Err(e) => (
            app.config.today(),
            Some(format!("{e}. Postlistan för i dag visas.")),
        ),
    }
}

/// `/organisationer/{id}/postlista?datum=YYYY-MM-DD`: the handlingar
/// registered on a day, secret ones by their ground only
/// (`kansli_documents::view::postlista`).
pub async fn postlista(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    Query(q): Query<PostlistaQuery>,
) -> Result<Response, PageError> {
    let org: OrganisationId = parse_id(&raw, "Organisationen")?;
    let (day, problem) = postlista_day(&app, &q.datum);
    let p = crate::view::postlista(&app.store, org, day).await?;
    let around = |d: Option<kansli_core::Date>| {
        d.map(|d| format!("/organisationer/{}/postlista?datum={d}", org.0))
            .unwrap_or_default()
    };
    let (before, after) = app.store.postlista_neighbours(org, day).await?;
    let page = PostlistaPage {
        previous: around(before),
        next: around(after),
        typed: if problem.is_some() {
            q.datum.clone()
        } else {
            day.to_string()
        },
        problem,
        p,
    };
    let status = if page.problem.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

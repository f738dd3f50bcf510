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
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::Form;
use kansli_core::case::{Direction, DocumentKind, Motion, OfficerReport, Signatory};
use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::limits::Kind;
use kansli_core::org::BodyKind;
use kansli_core::{Access, AttachmentId, CaseId, DocumentId, OrganisationId, PersonId};
use kansli_store::{AuditRecord, StoreError};
use serde::Deserialize;

/// A choice in a select or a list of checkboxes.
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// An audit record as a log table shows it.
pub struct LogLine {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub detail: String,
}

/// What an audit action is called in Swedish.
fn action_label(action: &str) -> &'static str {
    match action {
        "register" => "registrerat",
        "add" => "lagt till",
        "attach" => "bifogat fil",
        "agenda" => "ändrat föredragningslistan",
        "approvers" => "utsett justerare",
        "command" => "antecknat under sammanträdet",
        "edit" => "redigerat text",
        "approve" => "justerat",
        "send" => "skickat för justering",
        "withdraw" => "återkallat utskicket",
        "sign" => "signerat protokollet",
        "integrity" => "AVVIKELSE upptäckt",
        "status" => "ändrat status",
        "refused" => "NEKAT försök",
        _ => "ändrat",
    }
}

pub fn log_lines(records: Vec<AuditRecord>) -> Vec<LogLine> {
    records
        .into_iter()
        .map(|r| LogLine {
            at: r.at.get(..19).unwrap_or(&r.at).replace('T', " "),
            actor: r.actor.trim_start_matches("user:").to_string(),
            action: action_label(&r.action),
            detail: {
                let d = r.detail.to_string();
                if d.chars().count() > 160 {
                    format!("{}…", d.chars().take(160).collect::<String>())
                } else {
                    d
                }
            },
        })
        .collect()
}

// ---- the organisation's cases ---------------------------------------------

struct CaseLine {
    href: String,
    number: String,
    title: String,
    registered: String,
}

#[derive(Template)]
#[template(path = "staff_cases.html")]
struct CasesPage {
    flash: Option<Flash>,
    csrf: String,
    organisation: String,
    action: String,
    today: String,
    cases: Vec<CaseLine>,
}

impl KeptFields for CasesPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

pub async fn cases(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let org: OrganisationId = parse_id(&raw, "Organisationen")?;
    let organisation = app.store.organisation(org).await?;
    let mut cases = app.store.cases(org).await?;
    cases.sort_by(|a, b| b.registered.cmp(&a.registered).then(b.id.0.cmp(&a.id.0)));
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = CasesPage {
        flash,
        csrf: s.csrf.clone(),
        organisation: organisation.name,
        action: format!("/sekretariat/organisationer/{}/arenden", org.0),
        today: app.config.today().to_string(),
        cases: cases
            .into_iter()
            .map(|c| CaseLine {
                href: format!("/sekretariat/arenden/{}", c.id.0),
                number: c.number,
                // Stored before the limits, a title could be any size.
                title: kansli_core::limits::shorten(Kind::Title, &c.title).into_owned(),
                registered: c.registered.to_string(),
            })
            .collect(),
    };
    Ok((jar, Html(page.render()?)).into_response())
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
            date: d.date.to_string(),
            kind: d.kind.label_sv(),
            title: d.title,
            direction: match d.direction {
                Direction::Incoming { sender } => format!("Inkommen från {sender}"),
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
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = CasePage {
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
        log: log_lines(store.case_log(id).await?),
    };
    Ok((jar, Html(page.render()?)).into_response())
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
        let doc = tx
            .add_document(id, kind, get("title").trim(), date, &direction, &access)
            .await?;
        if let Some((name, bytes)) = &file {
            tx.attach_file(doc, name, bytes).await?;
        }
        tx.commit().await?;
        Ok(match &file {
            Some((name, _)) => format!("Handlingen är registrerad med filen {name}."),
            None => "Handlingen är registrerad.".into(),
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

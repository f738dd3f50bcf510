//! Signed documents made from a justerat protocol, besides the protocol
//! itself:
//!
//! - a **bestyrkt protokollsutdrag** (certified extract) of one paragraph,
//!   signed by the meeting's secretary in the role `sekreterare` after
//!   giving the password again;
//! - a **public copy** of the justerat protocol with the secret paragraphs
//!   left out (OSL 5 kap. 1 §, TF 2 kap.: what is secret is not handed out),
//!   which cannot carry the chair's and approvers' signatures (they cover
//!   the whole original), so it is sealed by the organisation (role
//!   `sigill`, name = the organisation) and names the original's SHA-256.
//!
//! Both are stored in `protocol_documents` (`extract`, `public_copy`), so
//! `/verifiera` recognises them, and are never rendered again.

use crate::AppState;
use crate::error::WebError;
use kansli_core::meeting::MeetingStatus;
use kansli_core::{MeetingId, PersonId};
use kansli_documents::model::{Block, Part};
use kansli_documents::view::Audience;
use kansli_documents::{Doc, Format, Request};
use kansli_store::User;

/// The seal's signatory: the organisation itself, person id 0.
pub fn seal_signatory(organisation: &str) -> kansli_sign::Signatory {
    kansli_sign::Signatory {
        name: organisation.to_string(),
        person_id: 0,
        role: "sigill".into(),
    }
}

fn is_justerat(status: &MeetingStatus) -> bool {
    matches!(
        status,
        MeetingStatus::Approved { .. } | MeetingStatus::NoticePosted { .. }
    )
}

/// Renders `doc` as PDF/A, prepares one signature field for `signatory`,
/// and signs it with `issuer` now; CPU work, off the async threads and
/// within the typesetting bound.
async fn render_and_sign(
    app: &AppState,
    doc: Doc,
    issuer: kansli_sign::Issuer,
    signatory: kansli_sign::Signatory,
) -> Result<Vec<u8>, WebError> {
    let failed = |e: String| WebError::Document(kansli_documents::DocumentError::Pdf(e));
    let _permit = app
        .typesetting
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| failed(e.to_string()))?;
    tokio::task::spawn_blocking(move || -> Result<Vec<u8>, WebError> {
        let pdf = kansli_documents::render(&doc, Format::Pdf)?;
        let prepared = kansli_sign::prepare(&pdf, std::slice::from_ref(&signatory))
            .map_err(|e| failed(e.to_string()))?;
        kansli_sign::sign(&prepared, &issuer, &signatory, jiff::Timestamp::now())
            .map_err(|e| failed(e.to_string()))
    })
    .await
    .map_err(|e| failed(e.to_string()))?
}

/// Makes, signs and stores the certified extract of `paragraph`, or gives
/// the one already stored (so a form sent twice makes one). `secretary`
/// is the person the signed-in `user` is; it must be the meeting's
/// secretary, and `password_verified` must say that the user gave the
/// password again in this very request. The protocol must be justerat:
/// an extract is certified against the justerat original (KL 8 kap. 12 §;
/// utdragsbestyrkande). Secret paragraphs are refused (the public version
/// is what is certified).
pub async fn certify_extract(
    app: &AppState,
    meeting: MeetingId,
    paragraph: u32,
    secretary: PersonId,
    user: &User,
    password_verified: bool,
) -> Result<Vec<u8>, WebError> {
    if !password_verified {
        return Err(WebError::Forbidden(
            "Ange ditt lösenord igen för att bestyrka utdraget.".into(),
        ));
    }
    let m = app.store.meeting(meeting).await?;
    if !is_justerat(&m.status) {
        return Err(WebError::Store(
            kansli_core::Refusal::new(
                "utdraget",
                "protokollet är inte justerat; ett utdrag kan bestyrkas först när protokollet är justerat",
            )
            .into(),
        ));
    }
    if m.secretary != Some(secretary) {
        return Err(WebError::Forbidden(
            "Bara sammanträdets sekreterare kan bestyrka ett utdrag ur protokollet.".into(),
        ));
    }
    if let Some((_, bytes)) = app
        .store
        .latest_protocol_document(meeting, "extract", Some(i64::from(paragraph)))
        .await?
    {
        return Ok(bytes);
    }
    let body = app.store.body(m.body).await?;
    let person = app.store.person(secretary).await?;
    let issuer = crate::verification::signing_issuer(app, body.organisation)?;
    let mut doc = kansli_documents::load(
        &app.store,
        &Request::Extract { meeting, paragraph },
        Audience::Public,
    )
    .await?;
    let line = format!(
        "Utdraget är bestyrkt elektroniskt av sekreteraren {}. Underskriften kan prövas på {}.",
        person.name,
        app.config.absolute("/verifiera")
    );
    match doc
        .parts
        .iter_mut()
        .find(|p| p.id.as_deref() == Some("utdragsbestyrkande"))
    {
        Some(part) => part.blocks.push(Block::text(line)),
        None => doc.parts.push(Part {
            blocks: vec![Block::text(line)],
            ..Default::default()
        }),
    }
    let signatory = kansli_sign::Signatory {
        name: person.name.clone(),
        person_id: secretary.0,
        role: "sekreterare".into(),
    };
    let bytes = render_and_sign(app, doc, issuer, signatory).await?;
    let mut tx = app.store.begin(&format!("user:{}", user.id.0)).await?;
    tx.store_protocol_document(meeting, "extract", Some(i64::from(paragraph)), None, &bytes)
        .await?;
    tx.commit().await?;
    Ok(bytes)
}

/// The certified extract of a paragraph, if one is stored.
pub async fn certified_extract(
    app: &AppState,
    meeting: MeetingId,
    paragraph: u32,
) -> Result<Option<Vec<u8>>, WebError> {
    Ok(app
        .store
        .latest_protocol_document(meeting, "extract", Some(i64::from(paragraph)))
        .await?
        .map(|(_, bytes)| bytes))
}

/// Makes, seals and stores the public copy of the justerat protocol whose
/// signed original has SHA-256 `original_sha256` (a `signed` document of
/// this meeting), or gives the one already stored for it (a public copy
/// made after that original). The copy is the public version (secret
/// paragraphs left out, as on the pages) with the line "Offentlig kopia av
/// det justerade protokollet; originalets SHA-256: …", signed in one
/// `sigill` field by the organisation.
pub async fn public_copy(
    app: &AppState,
    meeting: MeetingId,
    original_sha256: &str,
) -> Result<Vec<u8>, WebError> {
    let original = app
        .store
        .find_protocol_document(original_sha256)
        .await?
        .filter(|d| d.meeting == meeting && d.kind == "signed")
        .ok_or_else(|| {
            WebError::NotFound(format!(
                "Det justerade protokollet med SHA-256 {original_sha256} finns inte för sammanträdet."
            ))
        })?;
    let m = app.store.meeting(meeting).await?;
    if !is_justerat(&m.status) {
        return Err(WebError::Store(
            kansli_core::Refusal::new("den offentliga kopian", "protokollet är inte justerat")
                .into(),
        ));
    }
    if let Some((copy, bytes)) = app
        .store
        .latest_protocol_document(meeting, "public_copy", None)
        .await?
        && copy.created_at >= original.created_at
    {
        return Ok(bytes);
    }
    let body = app.store.body(m.body).await?;
    let organisation = app.store.organisation(body.organisation).await?;
    let issuer = crate::verification::signing_issuer(app, body.organisation)?;
    let mut doc =
        kansli_documents::load(&app.store, &Request::Protocol { meeting }, Audience::Public)
            .await?;
    doc.parts.push(Part {
        id: Some("offentlig-kopia".into()),
        heading: Some("Offentlig kopia".into()),
        framed: true,
        blocks: vec![
            Block::text(format!(
                "Offentlig kopia av det justerade protokollet; originalets SHA-256: {}",
                original.sha256
            )),
            Block::text(format!(
                "Paragrafer som omfattas av sekretess är utelämnade. Kopian är försedd med {}s elektroniska sigill; originalet är undertecknat av ordföranden och justerarna. Båda kan prövas på {}.",
                organisation.name,
                app.config.absolute("/verifiera")
            )),
        ],
        ..Default::default()
    });
    let bytes = render_and_sign(app, doc, issuer, seal_signatory(&organisation.name)).await?;
    let mut tx = app.store.begin("system:sigill").await?;
    tx.store_protocol_document(meeting, "public_copy", None, original.version, &bytes)
        .await?;
    tx.commit().await?;
    Ok(bytes)
}

/// A paragraph on the staff page "Bestyrk utdrag".
pub struct ExtractLine {
    pub number: u32,
    pub title: String,
    /// The stored certified extract's SHA-256, when there is one.
    pub certified: Option<String>,
    /// The public PDF of the extract.
    pub link: String,
}

#[derive(askama::Template)]
#[template(path = "staff_extracts.html")]
struct ExtractsPage {
    flash: Option<crate::secretariat::Flash>,
    csrf: String,
    meeting: i64,
    title: String,
    justerat: bool,
    /// The signed-in user is the meeting's secretary.
    is_secretary: bool,
    has_keys: bool,
    lines: Vec<ExtractLine>,
}

fn extracts_path(meeting: MeetingId) -> String {
    format!("/sekretariat/sammantraden/{}/utdrag", meeting.0)
}

/// `GET /sekretariat/sammantraden/{meeting}/utdrag`: the public paragraphs
/// of a justerat meeting, each with its certified extract or a form to
/// certify it (the password again).
pub async fn extracts_page(
    axum::extract::State(app): axum::extract::State<AppState>,
    crate::auth::SignedIn(s): crate::auth::SignedIn,
    axum::extract::Path(raw): axum::extract::Path<String>,
    jar: axum_extra::extract::CookieJar,
) -> Result<axum::response::Response, crate::error::PageError> {
    use askama::Template;
    use axum::response::IntoResponse;
    let meeting: MeetingId = crate::pages::parse_id(&raw, "Sammanträdet")?;
    let (jar, flash) = crate::secretariat::take_flash(&app, &s, jar);
    let m = app.store.meeting(meeting).await?;
    let body = app.store.body(m.body).await?;
    let view = kansli_documents::view::meeting_for(&app.store, meeting, Audience::Public).await?;
    let mut lines = Vec::new();
    for p in view.paragraphs.iter().filter(|p| p.public) {
        let certified = app
            .store
            .latest_protocol_document(meeting, "extract", Some(i64::from(p.number)))
            .await?
            .map(|(d, _)| d.sha256);
        lines.push(ExtractLine {
            number: p.number,
            title: p.title.clone(),
            certified,
            link: format!(
                "/sammantraden/{}/paragrafer/{}/utdrag.pdf",
                meeting.0, p.number
            ),
        });
    }
    let has_keys = app
        .config
        .keys_dir
        .as_deref()
        .is_some_and(|d| kansli_sign::keys::has_keys(d, body.organisation.0));
    let page = ExtractsPage {
        flash,
        csrf: s.csrf.clone(),
        meeting: meeting.0,
        title: format!("{} {}", body.name, m.date),
        justerat: is_justerat(&m.status),
        is_secretary: s.person.is_some() && s.person == m.secretary,
        has_keys,
        lines,
    };
    Ok((jar, axum::response::Html(page.render()?)).into_response())
}

/// The form "Bestyrk utdrag".
#[derive(serde::Deserialize)]
pub struct CertifyForm {
    #[serde(default)]
    paragraph: String,
    #[serde(default)]
    password: String,
}

/// `POST /sekretariat/sammantraden/{meeting}/utdrag`: checks the password
/// (fresh authentication in this request), certifies the paragraph's
/// extract and says so; a second submission finds it made.
pub async fn certify(
    axum::extract::State(app): axum::extract::State<AppState>,
    crate::auth::SignedIn(s): crate::auth::SignedIn,
    axum::extract::Path(raw): axum::extract::Path<String>,
    jar: axum_extra::extract::CookieJar,
    axum_extra::extract::Form(form): axum_extra::extract::Form<CertifyForm>,
) -> Result<axum::response::Response, crate::error::PageError> {
    use crate::secretariat::refused;
    let meeting: MeetingId = crate::pages::parse_id(&raw, "Sammanträdet")?;
    let back = extracts_path(meeting);
    let outcome = async {
        let paragraph: u32 = form
            .paragraph
            .trim()
            .parse()
            .map_err(|_| refused("paragraf", "välj en paragraf"))?;
        let secretary = s.person.ok_or_else(|| {
            refused(
                "bestyrkande",
                "ditt konto är inte kopplat till en person; bara sammanträdets sekreterare kan bestyrka",
            )
        })?;
        let verified = crate::auth::verify_password(&app, &s.user.username, &form.password)
            .await
            .map_err(|e| refused("lösenord", e.to_string()))?
            .is_some_and(|u| u.id == s.user.id);
        if !verified {
            return Err(refused("lösenord", "lösenordet stämmer inte; inget bestyrktes"));
        }
        let bytes = certify_extract(&app, meeting, paragraph, secretary, &s.user, true)
            .await
            .map_err(|e| match e {
                WebError::Store(e) => e,
                other => refused("bestyrkande", other.to_string()),
            })?;
        Ok(format!(
            "Utdraget ur §{paragraph} är bestyrkt och underskrivet (SHA-256 {}).",
            kansli_sign::sha256_hex(&bytes)
        ))
    }
    .await;
    crate::secretariat::after(&app, jar, &back, outcome)
}

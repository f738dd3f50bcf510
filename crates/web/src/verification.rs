//! Verification of signed protocols by anyone: each organisation's root
//! certificate (PEM and DER) and its signing CA's revocation list, and the
//! page `/verifiera`, where a PDF is uploaded and its signatures checked
//! against the roots of this site's organisations, without sign-in and
//! without JavaScript. An upload is read, checked and forgotten: nothing is
//! written (which is why the anonymous POST needs no CSRF token).
//!
//! Electronic signatures of protocols: KL 8 kap. 12 § (the protocol is
//! justerat), lag (2016:561) / eIDAS art. 25–26 (an advanced electronic
//! signature is linked to and identifies the signer and detects later
//! change), see `shared/reference/signatures.md`.

use crate::AppState;
use crate::error::{PageError, WebError};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use kansli_core::{MeetingId, OrganisationId};

/// The largest file `/verifiera` takes (a protocol is a few MB).
pub const VERIFY_LIMIT: usize = 20 * 1024 * 1024;
/// The body limit of the upload: the file and the multipart framing.
pub const VERIFY_BODY_LIMIT: usize = VERIFY_LIMIT + 64 * 1024;

/// `/organisationer/{organisation}/signering/rot.pem`
pub fn root_pem_path(organisation: OrganisationId) -> String {
    format!("/organisationer/{}/signering/rot.pem", organisation.0)
}

/// `/organisationer/{organisation}/signering/rot.cer`
pub fn root_cer_path(organisation: OrganisationId) -> String {
    format!("/organisationer/{}/signering/rot.cer", organisation.0)
}

/// `/organisationer/{organisation}/signering/ca.crl`
pub fn crl_path(organisation: OrganisationId) -> String {
    format!("/organisationer/{}/signering/ca.crl", organisation.0)
}

fn no_keys(name: &str) -> WebError {
    WebError::NotFound(format!(
        "{name} har inga nycklar för elektroniska underskrifter i Kansli."
    ))
}

fn keys_dir(app: &AppState) -> Option<&std::path::Path> {
    app.config.keys_dir.as_deref()
}

/// The organisation's signing CA, with the public address of its CRL set
/// (so every leaf names it): what the justering and the seal sign with.
/// The keys module refuses key files others could read (0600, 0700). No
/// keys: a Swedish reason that names the command that makes them.
pub fn signing_authority(
    app: &AppState,
    organisation: OrganisationId,
) -> Result<kansli_sign::Issuer, String> {
    let missing = || {
        format!(
            "organisationen har inga nycklar för elektroniska underskrifter; \
             en administratör skapar dem med «kansli signing init --organisation {}» \
             (och startar servern med --keys KATALOG)",
            organisation.0
        )
    };
    let dir = keys_dir(app).ok_or_else(missing)?;
    let issuer = kansli_sign::keys::load_issuer(dir, organisation.0)
        .map_err(|e| {
            tracing::error!(error = %e, organisation = organisation.0, "signing CA could not be read");
            format!("underskriftsnycklarna kunde inte läsas: {e}")
        })?
        .ok_or_else(missing)?;
    issuer
        .with_crl_url(&app.config.absolute(&crl_path(organisation)))
        .map_err(|e| format!("spärrlistans adress: {e}"))
}

/// [`signing_authority`] for a page: the reason as a refusal (403).
pub fn signing_issuer(
    app: &AppState,
    organisation: OrganisationId,
) -> Result<kansli_sign::Issuer, WebError> {
    signing_authority(app, organisation).map_err(|reason| {
        let mut chars = reason.chars();
        WebError::Forbidden(
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>() + ".")
                .unwrap_or_default(),
        )
    })
}

async fn organisation_root(
    app: &AppState,
    raw: &str,
) -> Result<
    (
        kansli_core::org::Organisation,
        kansli_sign::pki::Certificate,
    ),
    WebError,
> {
    let id: OrganisationId = crate::pages::parse_id(raw, "Organisationen")?;
    let organisation = app.store.organisation(id).await?;
    let dir = keys_dir(app).ok_or_else(|| no_keys(&organisation.name))?;
    let root = kansli_sign::keys::load_root(dir, id.0)
        .map_err(|e| {
            tracing::error!(error = %e, organisation = id.0, "root certificate could not be read");
            WebError::NotFound(format!(
                "Rotcertifikatet för {} kunde inte läsas.",
                organisation.name
            ))
        })?
        .ok_or_else(|| no_keys(&organisation.name))?;
    Ok((organisation, root))
}

fn download(bytes: Vec<u8>, media_type: &'static str, file_name: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /organisationer/{organisation}/signering/rot.pem`
pub async fn root_pem(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let (org, root) = organisation_root(&app, &raw).await?;
    let pem = kansli_sign::pki::certificate_pem_of(&root)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    Ok(download(
        pem.into_bytes(),
        "application/x-pem-file",
        format!("rot-{}.pem", org.id.0),
    ))
}

/// `GET /organisationer/{organisation}/signering/rot.cer` (DER, what Adobe
/// Acrobat Reader imports).
pub async fn root_cer(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let (org, root) = organisation_root(&app, &raw).await?;
    let der = kansli_sign::keys::certificate_der(&root)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    Ok(download(
        der,
        "application/pkix-cert",
        format!("rot-{}.cer", org.id.0),
    ))
}

/// `GET /organisationer/{organisation}/signering/ca.crl`: the signing CA's
/// revocation list, made now and valid a week (no certificate is revoked:
/// each leaf key is destroyed right after its one signature). Every leaf
/// names this address.
pub async fn crl(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id: OrganisationId = crate::pages::parse_id(&raw, "Organisationen")?;
    let organisation = app.store.organisation(id).await?;
    let dir = keys_dir(&app).ok_or_else(|| no_keys(&organisation.name))?;
    let issuer = kansli_sign::keys::load_issuer(dir, id.0)
        .map_err(|e| {
            tracing::error!(error = %e, organisation = id.0, "signing CA could not be read");
            WebError::NotFound(format!(
                "Spärrlistan för {} kan inte göras just nu.",
                organisation.name
            ))
        })?
        .ok_or_else(|| no_keys(&organisation.name))?;
    let now = jiff::Timestamp::now();
    let next = now + jiff::SignedDuration::from_hours(7 * 24);
    let number = u64::try_from(now.as_second()).unwrap_or(1);
    let der = issuer.crl(number, now, next, &[]).map_err(|e| {
        tracing::error!(error = %e, "CRL could not be made");
        WebError::NotFound("Spärrlistan kunde inte göras.".into())
    })?;
    Ok(download(
        der,
        "application/pkix-crl",
        format!("ca-{}.crl", id.0),
    ))
}

/// One organisation's root on the page.
pub struct RootView {
    pub name: String,
    pub pem: String,
    pub cer: String,
    pub fingerprint: String,
}

/// One signature in the answer.
pub struct SignatureView {
    pub number: usize,
    pub field: String,
    pub signer: String,
    pub person_id: String,
    pub organisation: String,
    pub role: String,
    pub time: String,
    pub intact: bool,
    pub trusted: bool,
    pub modified_after: bool,
    pub covers_whole: bool,
    pub valid: bool,
    pub problems: Vec<String>,
}

/// Which stored protocol document the file (or one of its signed
/// revisions) is.
pub struct FoundView {
    pub what: String,
    pub meeting: String,
    pub link: String,
    /// The whole file is the stored document (not only a revision of it).
    pub whole: bool,
    pub paragraph: Option<i64>,
}

/// The answer to an upload.
pub struct ResultView {
    pub file_name: String,
    pub sha256: String,
    pub size: String,
    /// The verdict in one sentence.
    pub verdict: String,
    pub valid: bool,
    /// Which organisation's root the signatures lead to, if any.
    pub root: Option<String>,
    pub signatures: Vec<SignatureView>,
    pub found: Vec<FoundView>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    roots: Vec<RootView>,
    limit_mb: usize,
    result: Option<ResultView>,
    /// A refusal (no file, not a PDF, too big).
    problem: Option<String>,
}

/// The roots of every organisation with keys, with the name each goes by.
async fn roots(
    app: &AppState,
) -> Result<
    Vec<(
        kansli_core::org::Organisation,
        kansli_sign::pki::Certificate,
    )>,
    WebError,
> {
    let Some(dir) = keys_dir(app) else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    for org in app.store.organisations().await? {
        match kansli_sign::keys::load_root(dir, org.id.0) {
            Ok(Some(root)) => out.push((org, root)),
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, organisation = org.id.0, "root certificate could not be read")
            }
        }
    }
    Ok(out)
}

fn root_views(
    roots: &[(
        kansli_core::org::Organisation,
        kansli_sign::pki::Certificate,
    )],
) -> Vec<RootView> {
    roots
        .iter()
        .map(|(org, root)| RootView {
            name: org.name.clone(),
            pem: root_pem_path(org.id),
            cer: root_cer_path(org.id),
            fingerprint: kansli_sign::keys::fingerprint(root),
        })
        .collect()
}

fn page(
    status: StatusCode,
    roots: Vec<RootView>,
    result: Option<ResultView>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let html = VerifyPage {
        roots,
        limit_mb: VERIFY_LIMIT >> 20,
        result,
        problem,
    }
    .render()?;
    Ok((status, Html(html)).into_response())
}

/// `GET /verifiera`: what the page is for, the roots to trust and how.
pub async fn form(State(app): State<AppState>) -> Result<Response, PageError> {
    let roots = roots(&app).await?;
    page(StatusCode::OK, root_views(&roots), None, None)
}

fn too_large() -> WebError {
    WebError::TooLarge(format!(
        "Filen är för stor: högst {} MB kan prövas här. Ett protokoll är oftast mycket mindre; \
         kontrollera att det är rätt fil, eller verifiera den på din egen dator med `kansli verify`.",
        VERIFY_LIMIT >> 20
    ))
}

/// `POST /verifiera` (multipart, field `fil`): checks the file and answers
/// on the same page. Nothing is stored or logged but the outcome.
pub async fn check(
    State(app): State<AppState>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    let roots = roots(&app).await?;
    let views = root_views(&roots);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > VERIFY_BODY_LIMIT) {
        return Err(too_large().into());
    }
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(_) => {
            return page(
                StatusCode::BAD_REQUEST,
                views,
                None,
                Some(
                    "Skicka filen med formuläret nedan (som multipart/form-data, fältet «fil»)."
                        .into(),
                ),
            );
        }
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut fields = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large().into());
            }
            Err(_) => {
                return page(
                    StatusCode::BAD_REQUEST,
                    views,
                    None,
                    Some("Formuläret kom inte fram helt. Försök igen.".into()),
                );
            }
        };
        fields += 1;
        if fields > 8 {
            return page(
                StatusCode::BAD_REQUEST,
                views,
                None,
                Some("Formuläret har för många fält.".into()),
            );
        }
        if field.name() != Some("fil") {
            continue;
        }
        let name = field
            .file_name()
            .unwrap_or("")
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect::<String>();
        match field.bytes().await {
            Ok(b) => file = Some((name, b.to_vec())),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large().into());
            }
            Err(_) => {
                return page(
                    StatusCode::BAD_REQUEST,
                    views,
                    None,
                    Some("Filen kom inte fram helt. Försök igen.".into()),
                );
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return page(
            StatusCode::BAD_REQUEST,
            views,
            None,
            Some("Välj en PDF-fil att verifiera (fältet var tomt).".into()),
        );
    };
    if bytes.len() > VERIFY_LIMIT {
        return Err(too_large().into());
    }
    let name = if name.is_empty() {
        "filen".to_string()
    } else {
        name
    };
    if !bytes.starts_with(b"%PDF-") {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            views,
            None,
            Some(format!(
                "«{name}» är ingen PDF-fil (den börjar inte med %PDF-). Bara PDF-filer med elektroniska underskrifter kan verifieras här."
            )),
        );
    }
    if roots.is_empty() {
        return page(
            StatusCode::OK,
            views,
            None,
            Some(
                "Ingen organisation på den här webbplatsen har nycklar för elektroniska underskrifter ännu, så underskrifter kan inte prövas här."
                    .into(),
            ),
        );
    }
    // Verification is CPU work on untrusted input: off the async threads.
    let certs: Vec<kansli_sign::pki::Certificate> = roots.iter().map(|(_, r)| r.clone()).collect();
    let data = std::sync::Arc::new(bytes);
    let job = data.clone();
    let outcome =
        tokio::task::spawn_blocking(move || kansli_sign::keys::verify_against(&job, certs.iter()))
            .await;
    let (report, root_index) = match outcome {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                views,
                None,
                Some(format!("«{name}» kunde inte prövas: {e}.")),
            );
        }
        Err(_) => {
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                views,
                None,
                Some(format!("«{name}» kunde inte läsas som PDF.")),
            );
        }
    };
    let found = lookup(&app, &data, &report).await?;
    let result = result_view(name, data.len(), &report, &roots[root_index].0, found);
    tracing::info!(sha256 = %report.sha256, valid = result.valid, "verified an uploaded file");
    page(StatusCode::OK, views, Some(result), None)
}

/// The stored protocol documents the file is, or whose signed revisions
/// it contains (the first `signed_length` bytes of each signature).
async fn lookup(
    app: &AppState,
    bytes: &[u8],
    report: &kansli_sign::Report,
) -> Result<Vec<FoundView>, WebError> {
    let mut hashes = vec![(report.sha256.clone(), true)];
    for s in &report.signatures {
        if s.signed_length > 0 && s.signed_length <= bytes.len() {
            let h = kansli_sign::sha256_hex(&bytes[..s.signed_length]);
            if !hashes.iter().any(|(x, _)| *x == h) {
                hashes.push((h, false));
            }
        }
    }
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (hash, whole) in hashes {
        let Some(doc) = app.store.find_protocol_document(&hash).await? else {
            continue;
        };
        if !seen.insert((doc.meeting, doc.kind.clone(), doc.paragraph)) {
            continue;
        }
        found.push(FoundView {
            what: doc.kind_sv().to_string(),
            meeting: meeting_name(app, doc.meeting).await?,
            link: format!("/sammantraden/{}", doc.meeting.0),
            whole,
            paragraph: doc.paragraph,
        });
    }
    Ok(found)
}

async fn meeting_name(app: &AppState, id: MeetingId) -> Result<String, WebError> {
    let meeting = app.store.meeting(id).await?;
    let body = app.store.body(meeting.body).await?;
    Ok(format!("{} {}", body.name, meeting.date))
}

fn result_view(
    file_name: String,
    size: usize,
    report: &kansli_sign::Report,
    root_org: &kansli_core::org::Organisation,
    found: Vec<FoundView>,
) -> ResultView {
    let signatures: Vec<SignatureView> = report
        .signatures
        .iter()
        .enumerate()
        .map(|(i, s)| SignatureView {
            number: i + 1,
            field: s.field.clone(),
            signer: s.signer_name.clone().unwrap_or_else(|| "okänd".into()),
            person_id: s.person_id.clone().unwrap_or_else(|| "saknas".into()),
            organisation: s.organisation.clone().unwrap_or_else(|| "saknas".into()),
            role: kansli_sign::role_of_field(&s.field)
                .unwrap_or("okänd")
                .to_string(),
            time: s
                .time
                .map(kansli_sign::keys::swedish_time)
                .unwrap_or_else(|| "saknas".into()),
            intact: s.intact,
            trusted: s.trusted,
            modified_after: s.modified_after,
            covers_whole: s.covers_whole_document,
            valid: s.is_valid(),
            problems: s.problems.clone(),
        })
        .collect();
    let valid = report.all_valid();
    let any_trusted = report.signatures.iter().any(|s| s.trusted);
    let count = signatures.len();
    let verdict = if count == 0 {
        "Filen har inga elektroniska underskrifter. Den kan inte visas vara ett justerat protokoll från Kansli.".to_string()
    } else if valid {
        format!(
            "Giltig: alla {count} underskrifter är gjorda med Kansli under {}s rotcertifikat, och filen är inte ändrad efter den sista underskriften.",
            root_org.name
        )
    } else if !report.signatures.iter().all(|s| s.intact) {
        "Inte giltig: filen är ändrad efter att den skrevs under (minst en underskrift stämmer inte med innehållet).".to_string()
    } else if !any_trusted {
        "Inte giltig: underskrifterna är inte gjorda under rotcertifikatet för någon organisation på den här webbplatsen.".to_string()
    } else if report.signatures.iter().any(|s| s.modified_after) {
        "Inte giltig: något annat än underskrifter har lagts till i filen efter en underskrift."
            .to_string()
    } else {
        format!(
            "Inte giltig: {} av {count} underskrifter håller inte.",
            signatures.iter().filter(|s| !s.valid).count()
        )
    };
    ResultView {
        file_name,
        sha256: report.sha256.clone(),
        size: kansli_core::limits::swedish_number(size),
        verdict,
        valid,
        root: any_trusted.then(|| root_org.name.clone()),
        signatures,
        found,
    }
}

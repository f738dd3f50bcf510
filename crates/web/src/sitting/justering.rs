//! Sending the protocol for justering, withdrawing it, and signing it.

use super::*;

/// The organisation's signing CA ([`crate::verification::signing_authority`])
/// for the justering's forms: its reason as the rules' refusal.
pub(crate) fn signing_ca(
    app: &AppState,
    organisation: &kansli_core::org::Organisation,
) -> Result<kansli_sign::Issuer, StoreError> {
    crate::verification::signing_authority(app, organisation.id)
        .map_err(|reason| refused("signeringen", reason))
}

fn short_time(at: &str) -> String {
    at.get(..16).unwrap_or(at).replace('T', " ")
}

/// Whether the rows of a meeting still give the content the signatories
/// signed; a difference is written to the meeting's log once.
pub(crate) async fn content_changed(
    app: &AppState,
    meeting: MeetingId,
) -> Result<Option<String>, StoreError> {
    // The versions without their bytes: this runs on every view.
    let Some(active) = app
        .store
        .protocol_versions(meeting)
        .await?
        .into_iter()
        .find(|v| v.is_active())
    else {
        return Ok(None);
    };
    let record = app.store.meeting_record(meeting).await?;
    let now = kansli_documents::content_digest(&record);
    if now == active.content_sha256 {
        return Ok(None);
    }
    let logged = app
        .store
        .audit_log("meeting", meeting.0)
        .await?
        .iter()
        .any(|r| r.action == "integrity" && r.detail.to_string().contains(&now));
    if !logged {
        let mut tx = app.store.begin("kansli").await?;
        tx.log_integrity(
            meeting,
            serde_json::json!({
                "what": "content",
                "version": active.version,
                "signed_content_sha256": active.content_sha256,
                "content_sha256": now,
            }),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(Some(format!(
        "Varning: protokollets uppgifter i databasen stämmer inte längre med det som skickades för justering (version {}). Innehållets SHA-256 var {} och är nu {}. Någon har ändrat uppgifterna utanför Kansli; protokollet visas inte som justerat.",
        active.version, active.content_sha256, now
    )))
}

/// What the public sees of a protocol whose rows no longer give the content
/// that was signed.
pub(crate) const CANNOT_SHOW_AS_JUSTERAT: &str = kansli_documents::view::CANNOT_SHOW_AS_JUSTERAT;

/// One sent version as the meeting and justering pages list it.
pub(crate) struct VersionLine {
    pub(crate) version: u32,
    pub(crate) sha256: String,
    pub(crate) latest_sha256: String,
    pub(crate) state: String,
    pub(crate) sent: String,
    pub(crate) signatures: Vec<String>,
    pub(crate) void: bool,
}

pub(crate) async fn version_lines(
    app: &AppState,
    meeting: MeetingId,
) -> Result<Vec<VersionLine>, StoreError> {
    let versions = app.store.protocol_versions(meeting).await?;
    let mut out = Vec::new();
    for v in versions {
        let name = |p: PersonId| {
            v.signatories
                .iter()
                .find(|s| s.person == p.0)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| format!("person {p}"))
        };
        let state = match (&v.withdrawn_at, v.complete()) {
            (Some(at), _) => format!(
                "återkallad {}{}; underskrifterna är ogiltiga",
                short_time(at),
                v.withdrawn_reason
                    .as_ref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
            (None, true) => "justerad: alla har signerat".into(),
            (None, false) => format!(
                "skickad för justering; {} av {} har signerat",
                v.signatures.len(),
                v.signatories.len()
            ),
        };
        out.push(VersionLine {
            version: v.version,
            sha256: v.sent_sha256.clone(),
            latest_sha256: v.latest_sha256().to_string(),
            state,
            sent: short_time(&v.sent_at),
            signatures: v
                .signatures
                .iter()
                .map(|s| {
                    format!(
                        "{}, {}, signerade {} UTC",
                        name(s.person),
                        s.role,
                        short_time(&s.signed_at)
                    )
                })
                .collect(),
            void: !v.is_active(),
        });
    }
    Ok(out)
}

/// The protocol as it is sent for justering: rendered once (with its Intyg
/// page naming the signatories), with an empty signature field per
/// signatory, together with the digest of the content it shows and the
/// signatories. Refused when the organisation has no signing keys (a
/// protocol nobody can sign is not sent). What the "Skicka för justering"
/// handler and the demo loader (`crate::demo_signing`) store with
/// `Tx::send_for_justering`.
pub async fn render_for_signing(app: &AppState, id: MeetingId) -> Result<ForSigning, StoreError> {
    let m = app.store.meeting(id).await?;
    let body = app.store.body(m.body).await?;
    let organisation = app.store.organisation(body.organisation).await?;
    // Keys first: a protocol nobody can sign is not sent.
    signing_ca(app, &organisation)?;
    let signatories = app.store.protocol_signatories(id).await?;
    let record = app.store.meeting_record(id).await?;
    let content_sha256 = kansli_documents::content_digest(&record);
    let view = kansli_documents::view::meeting_for(
        &app.store,
        id,
        kansli_documents::view::Audience::Official,
    )
    .await
    .map_err(|e| refused("protokollet", e.to_string()))?;
    let signers: Vec<kansli_documents::compose::Signer> = signatories
        .iter()
        .map(|x| kansli_documents::compose::Signer {
            role: x.role.clone(),
            name: x.name.clone(),
        })
        .collect();
    let doc = kansli_documents::compose::protocol_for_signing(
        &view,
        &signers,
        &app.config.absolute("/verifiera"),
    )
    .map_err(|e| refused("protokollet", e.to_string()))?;
    let fields: Vec<kansli_sign::Signatory> = signatories
        .iter()
        .map(|x| kansli_sign::Signatory {
            name: x.name.clone(),
            person_id: x.person,
            role: x.role.clone(),
        })
        .collect();
    let _permit = app
        .typesetting
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let pdf = tokio::task::spawn_blocking(move || {
        let pdf = kansli_documents::render(&doc, kansli_documents::Format::Pdf)
            .map_err(|e| e.to_string())?;
        kansli_sign::prepare(&pdf, &fields).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| StoreError::Corrupt(e.to_string()))?
    .map_err(|e| refused("protokollet", format!("PDF-filen kunde inte göras: {e}")))?;
    Ok(ForSigning {
        pdf,
        content_sha256,
        signatories,
    })
}

/// What [`render_for_signing`] gives: the arguments of
/// `Tx::send_for_justering`.
pub struct ForSigning {
    /// The prepared PDF (Intyg page, empty signature fields).
    pub pdf: Vec<u8>,
    /// `kansli_documents::content_digest` of the rows it was rendered from.
    pub content_sha256: String,
    /// The chair, then the approvers.
    pub signatories: Vec<kansli_store::protocols::ProtocolSignatory>,
}

/// "Skicka för justering": the protocol is rendered once (with its Intyg
/// page), gets an empty signature field per signatory, and those bytes are
/// stored; from then on the protocol is frozen.
pub async fn send_for_justering(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        let sending = render_for_signing(&app, id).await?;
        let mut tx = app.store.begin(&who).await?;
        let v = tx
            .send_for_justering(
                id,
                &sending.pdf,
                &sending.content_sha256,
                &sending.signatories,
                &s.user,
            )
            .await?;
        tx.commit().await?;
        crate::mail::sent_for_justering(&app, id).await;
        Ok(format!(
            "Protokollet är skickat för justering (version {}, SHA-256 {}). Det kan inte längre ändras utan att utskicket återkallas.",
            v.version, v.sent_sha256
        ))
    }
    .await;
    let outcome = logged(&app, &who, id, "skicka för justering", outcome).await;
    after(
        &app,
        jar,
        &format!("{}#justering", meeting_href(id)),
        outcome,
    )
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

/// "Återkalla utskicket": the sent version is withdrawn, its signatures
/// become void, and the protocol can be corrected and sent again.
pub async fn withdraw_sending(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<WithdrawForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        if f.confirm != "ja" {
            return Err(refused(
                "återkallelsen",
                "bekräfta att de underskrifter som redan finns blir ogiltiga",
            ));
        }
        let mut tx = app.store.begin(&who).await?;
        let v = tx.withdraw_sending(id, &f.reason, &s.user).await?;
        tx.commit().await?;
        Ok(format!(
            "Utskicket av version {} är återkallat; {} underskrift(er) är ogiltiga. Rätta protokollet och skicka det igen.",
            v.version,
            v.signatures.len()
        ))
    }
    .await;
    let outcome = logged(&app, &who, id, "återkalla utskicket", outcome).await;
    after_keeping(
        &app,
        &s,
        jar,
        &format!("{}#justering", meeting_href(id)),
        outcome,
        "withdraw",
        &[("reason", Kind::Line, &f.reason)],
    )
}

#[derive(Template)]
#[template(path = "staff_approval.html")]
struct ApprovalPage {
    flash: Option<Flash>,
    csrf: String,
    id: i64,
    title: String,
    status: &'static str,
    signatories: Vec<SignLine>,
    can_confirm: bool,
    why_not: Option<String>,
    deadline: String,
    /// The active version: number, SHA-256 of the bytes as they are now.
    version: Option<(u32, String)>,
    versions: Vec<VersionLine>,
    warning: Option<String>,
}

pub async fn approval(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let m = app.store.meeting(id).await?;
    let body = app.store.body(m.body).await?;
    let signing = app.store.protocol_signing(id).await?;
    let expected = app.store.protocol_signatories(id).await?;
    let listed = signing
        .as_ref()
        .map(|x| x.version.signatories.clone())
        .unwrap_or(expected);
    let signatories = listed
        .iter()
        .map(|p| SignLine {
            name: format!("{} ({})", p.name, p.role),
            confirmed: signing.as_ref().and_then(|x| {
                x.version
                    .signature_of(PersonId(p.person))
                    .map(|sg| format!("{} UTC", short_time(&sg.signed_at)))
            }),
        })
        .collect();
    let why_not = match (s.person, &signing) {
        (None, _) => Some("Ditt konto är inte kopplat till en ledamot.".to_string()),
        _ if m.status.is_sealed() => Some(format!("Protokollet är {}.", m.status.label_sv())),
        (_, None) => Some(
            "Protokollet är inte skickat för justering än; sekreteraren skickar det när det är klart."
                .into(),
        ),
        (Some(p), Some(x)) if !x.version.signatories.iter().any(|y| y.person == p.0) => {
            Some("Du är varken ordförande eller justerare vid sammanträdet.".into())
        }
        (Some(p), Some(x)) if x.version.signature_of(p).is_some() => {
            Some("Du har signerat protokollet.".into())
        }
        // The same day rule for the chair and every justerare, as
        // `Tx::sign_protocol` applies it.
        _ => kansli_core::meeting::check_justering_day(m.date, app.config.today())
            .err()
            .map(|r| {
                let mut c = r.reason.chars();
                c.next().map_or_else(String::new, |f| {
                    format!("{}{}.", f.to_uppercase(), c.as_str())
                })
            }),
    };
    let warning = content_changed(&app, id).await?;
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = ApprovalPage {
        flash,
        csrf: s.csrf.clone(),
        id: id.0,
        title: format!("{} {}", body.name, m.date),
        status: m.status.label_sv(),
        signatories,
        can_confirm: why_not.is_none() && warning.is_none(),
        why_not,
        deadline: kansli_core::deadlines::approval_deadline(m.date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        version: signing
            .as_ref()
            .map(|x| (x.version.version, x.sha256.clone())),
        versions: version_lines(&app, id).await?,
        warning,
    };
    Ok((jar, Html(page.render()?)).into_response())
}

/// The frozen PDF of the active version as it is now (after the latest
/// signature): `/sekretariat/sammantraden/{meeting}/justering/protokoll.pdf`.
pub async fn approval_pdf(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let signing =
        app.store.protocol_signing(id).await?.ok_or_else(|| {
            WebError::NotFound("protokollet är inte skickat för justering".into())
        })?;
    let m = app.store.meeting(id).await?;
    let name = format!(
        "protokoll-{}-version-{}.pdf",
        m.date, signing.version.version
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        signing.bytes,
    )
        .into_response())
}

/// One signature on the active version, by `person` signed in as `user`
/// and authenticated again at `authenticated_at`: a fresh key and a
/// certificate naming the person under the organisation's signing CA
/// ([`signing_ca`]), appended to the bytes as they are now and stored by
/// `Tx::sign_protocol` in a transaction of `who` (which re-checks
/// everything). What the "Signera" handler does after the password, and
/// what the demo loader (`crate::demo_signing`) does for the demo's chair
/// and justerare.
pub async fn sign_as(
    app: &AppState,
    who: &str,
    id: MeetingId,
    version: u32,
    person: PersonId,
    user: &kansli_store::User,
    authenticated_at: jiff::Timestamp,
) -> Result<kansli_store::protocols::SignOutcome, StoreError> {
    let signing = app
        .store
        .protocol_signing(id)
        .await?
        .ok_or_else(|| refused("justeringen", "protokollet är inte skickat för justering"))?;
    if signing.version.version != version {
        return Err(refused(
            "justeringen",
            format!(
                "version {version} av protokollet är återkallad; läs version {} och signera den",
                signing.version.version
            ),
        ));
    }
    let me = signing
        .version
        .signatories
        .iter()
        .find(|x| x.person == person.0)
        .cloned()
        .ok_or_else(|| {
            refused(
                "justeringen",
                "du är varken ordförande eller justerare vid sammanträdet",
            )
        })?;
    if signing.version.signature_of(person).is_some() {
        return Err(refused("justeringen", "du har redan signerat protokollet"));
    }
    let m = app.store.meeting(id).await?;
    let body = app.store.body(m.body).await?;
    let organisation = app.store.organisation(body.organisation).await?;
    let ca = signing_ca(app, &organisation)?;
    let signatory = kansli_sign::Signatory {
        name: me.name.clone(),
        person_id: me.person,
        role: me.role.clone(),
    };
    let now = jiff::Timestamp::now();
    let previous = signing.sha256.clone();
    let bytes = signing.bytes;
    let signed =
        tokio::task::spawn_blocking(move || kansli_sign::sign(&bytes, &ca, &signatory, now))
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .map_err(|e| refused("signeringen", e.to_string()))?;
    let mut tx = app.store.begin(who).await?;
    let done = tx
        .sign_protocol(
            id,
            version,
            person,
            &me.role,
            user,
            authenticated_at,
            now,
            &signed,
            &previous,
            app.config.today(),
        )
        .await?;
    tx.commit().await?;
    Ok(done)
}

#[derive(Deserialize)]
pub struct SignForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    version: String,
}

/// "Signera": the password again (a fresh authentication, in this very
/// request), then a PAdES signature with a fresh key under a certificate
/// naming the signed-in person, appended to the bytes as they are now; the
/// last signature makes the protocol justerat (KL 5 kap. 69 §, 6 kap.
/// 35 §). Every refusal writes nothing.
pub async fn confirm(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
    Form(f): Form<SignForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        let person = s.person.ok_or_else(|| {
            refused("justeringen", "ditt konto är inte kopplat till en ledamot")
        })?;
        if f.password.is_empty() {
            return Err(refused("lösenord", "skriv ditt lösenord för att signera"));
        }
        // Guessing the password here is slowed down like at sign-in.
        let addr = crate::auth::client_address(peer.ip(), &headers, &app.config.trusted_proxies);
        let attempt = app
            .sign_in
            .attempt(&s.user.username, addr, None, std::time::Instant::now());
        if !attempt.delay.is_zero() {
            tokio::time::sleep(attempt.delay).await;
        }
        let verified = crate::auth::verify_password(&app, &s.user.username, &f.password)
            .await
            .map_err(|e| refused("lösenord", e.to_string()))?;
        if verified.map(|u| u.id) != Some(s.user.id) {
            app.sign_in.failed(attempt);
            return Err(refused(
                "lösenord",
                "fel lösenord; protokollet är inte signerat",
            ));
        }
        app.sign_in.succeeded(attempt);
        let authenticated_at = jiff::Timestamp::now();
        let version: u32 = form_number("version", &f.version)?;
        let done = sign_as(&app, &who, id, version, person, &s.user, authenticated_at).await?;
        Ok(if done.complete {
            "Du har signerat protokollet. Alla har signerat; protokollet är nu justerat och kan anslås.".to_string()
        } else {
            "Du har signerat protokollet. Övriga justerare kan nu signera.".to_string()
        })
    }
    .await;
    let outcome = logged(&app, &who, id, "justering", outcome).await;
    after(
        &app,
        jar,
        &format!("/sekretariat/sammantraden/{}/justering", id.0),
        outcome,
    )
}

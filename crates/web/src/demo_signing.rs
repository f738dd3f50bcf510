//! The demo's signed protocol: `kansli demo` leaves one protocol sent for
//! justering, signed by its chair and its justerare and posted on the
//! anslagstavla, so that a visitor can download a signed protocol from the
//! public meeting page and check it with any tool.
//!
//! Nothing here has its own way of rendering, signing or storing: the
//! protocol is rendered by [`sitting::render_for_signing`] (what
//! "Skicka för justering" renders), each signature is made by
//! [`sitting::sign_as`] (what "Signera" does after the password) with the
//! CA of `verification::signing_issuer`, and everything is stored through
//! `Tx::send_for_justering`, `Tx::sign_protocol` and `Tx::post_notice`, with
//! the same checks as for a person at the screen. Each demo user is
//! authenticated with their password right before acting, and every audit
//! record names the demo loader ([`DEMO_ACTOR_PREFIX`]) and the user it
//! acted as.

use crate::AppState;
use crate::secretariat::refused;
use crate::sitting;
use kansli_core::MeetingId;
use kansli_core::meeting::MeetingStatus;
use kansli_store::StoreError;
use kansli_store::User;

/// How the audit records of the demo loader's steps begin; the rest names
/// the demo user it acted as: `system:demo som user:sekreterare`.
pub const DEMO_ACTOR_PREFIX: &str = "system:demo som ";

/// What [`sign_and_post`] did: one entry per step taken, in order, in
/// Swedish (empty when everything was already done).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSigned {
    pub steps: Vec<String>,
}

/// The demo users the loader acts as.
pub struct DemoUsers<'a> {
    /// The secretary who sends the protocol and posts the notice.
    pub secretary: &'a str,
    /// The users of the signatories (the chair and the justerare), in any
    /// order; each is matched to a signatory by the person linked to it.
    pub signers: &'a [&'a str],
    /// The demo's shared password.
    pub password: &'a str,
}

fn actor_for(user: &User) -> String {
    format!("{DEMO_ACTOR_PREFIX}user:{}", user.username)
}

/// The user `username`, authenticated now with `password` (the same check
/// as at sign-in, so a signature's re-authentication is a real one).
async fn authenticated(
    app: &AppState,
    username: &str,
    password: &str,
) -> Result<(User, jiff::Timestamp), StoreError> {
    let user = crate::auth::verify_password(app, username, password)
        .await
        .map_err(|e| refused("demodata", e.to_string()))?
        .ok_or_else(|| {
            refused(
                "demodata",
                format!("demoanvändaren {username} finns inte eller har ett annat lösenord"),
            )
        })?;
    Ok((user, jiff::Timestamp::now()))
}

/// Takes `meeting` as far as a visitor needs: sent for justering (if no
/// version is active), signed by each signatory who has not signed yet,
/// and the notice posted on the anslagstavla today (`kept_at`: where the
/// protocol is kept). Each step is its own transaction and is skipped when
/// already done, so a second call (a second `kansli demo` on the same data
/// directory) changes nothing, and a call after an interrupted one goes on
/// where it stopped. A meeting that is not held yet, or whose protocol was
/// withdrawn and not sent again by someone else, is left to the store's
/// refusals.
///
/// The signatures' certificates name the CRL at the app's public URL
/// (`Config::public_url`); they are made once and keep that address, even
/// when the demo is later served elsewhere.
pub async fn sign_and_post(
    app: &AppState,
    meeting: MeetingId,
    users: &DemoUsers<'_>,
    kept_at: &str,
) -> Result<DemoSigned, StoreError> {
    let mut steps = Vec::new();
    let m = app.store.meeting(meeting).await?;
    if matches!(m.status, MeetingStatus::NoticePosted { .. }) {
        return Ok(DemoSigned { steps });
    }
    if !m.status.is_sealed() {
        if app.store.protocol_signing(meeting).await?.is_none() {
            let (secretary, _) = authenticated(app, users.secretary, users.password).await?;
            let sending = sitting::render_for_signing(app, meeting).await?;
            let mut tx = app.store.begin(&actor_for(&secretary)).await?;
            let v = tx
                .send_for_justering(
                    meeting,
                    &sending.pdf,
                    &sending.content_sha256,
                    &sending.signatories,
                    &secretary,
                )
                .await?;
            tx.commit().await?;
            steps.push(format!(
                "skickat för justering av {} (version {}, SHA-256 {})",
                secretary.username, v.version, v.sent_sha256
            ));
        }
        let signing = app
            .store
            .protocol_signing(meeting)
            .await?
            .ok_or_else(|| StoreError::Corrupt("det skickade protokollet saknas".into()))?;
        for signatory in &signing.version.signatories {
            let person = kansli_core::PersonId(signatory.person);
            let current = app
                .store
                .protocol_signing(meeting)
                .await?
                .ok_or_else(|| StoreError::Corrupt("det skickade protokollet saknas".into()))?;
            if current.version.signature_of(person).is_some() {
                continue;
            }
            let mut found = None;
            for username in users.signers {
                let Some(u) = app.store.user_named(username).await? else {
                    continue;
                };
                if app.store.user_person(u.id).await? == Some(person) {
                    found = Some(*username);
                    break;
                }
            }
            let username = found.ok_or_else(|| {
                refused(
                    "demodata",
                    format!(
                        "ingen demoanvändare är {} ({}), som ska signera protokollet",
                        signatory.name, signatory.role
                    ),
                )
            })?;
            let (user, authenticated_at) = authenticated(app, username, users.password).await?;
            let done = sitting::sign_as(
                app,
                &actor_for(&user),
                meeting,
                current.version.version,
                person,
                &user,
                authenticated_at,
            )
            .await?;
            steps.push(format!(
                "signerat av {} ({}){}",
                signatory.name,
                signatory.role,
                if done.complete { "; justerat" } else { "" }
            ));
        }
    }
    let m = app.store.meeting(meeting).await?;
    if matches!(m.status, MeetingStatus::Approved { .. }) {
        let (secretary, _) = authenticated(app, users.secretary, users.password).await?;
        let mut tx = app.store.begin(&actor_for(&secretary)).await?;
        let dates = tx.post_notice(meeting, app.config.today(), kept_at).await?;
        tx.commit().await?;
        steps.push(format!(
            "anslaget uppsatt {} (överklagandetiden går ut {})",
            dates.posted, dates.appeal_ends
        ));
    }
    Ok(DemoSigned { steps })
}

//! The public anslagstavla.

use super::*;

struct NoticeLine {
    body: String,
    organisation: String,
    date: String,
    approved: String,
    posted: String,
    appeal_ends: String,
    taken_down: String,
    kept_at: String,
    protocol_href: String,
    notice_href: String,
    /// SHA-256 of the signed protocol, when justerat by signatures.
    sha256: Option<String>,
}

#[derive(Template)]
#[template(path = "notice_board.html")]
struct NoticeBoard {
    today: String,
    current: Vec<NoticeLine>,
    earlier: Vec<NoticeLine>,
}

/// The digital anslagstavla (KL 8 kap. 9–12 §§): notices of approved
/// protocols while the appeal period runs; afterwards they leave the board
/// by themselves and are listed as earlier notices.
pub async fn notice_board(State(app): State<AppState>) -> Result<Html<String>, PageError> {
    let today = app.config.today();
    let mut current = Vec::new();
    let mut earlier = Vec::new();
    let mut all = app.store.all_meetings().await?;
    all.sort_by_key(|s| std::cmp::Reverse(s.meeting.date));
    for s in all {
        let MeetingStatus::NoticePosted {
            approved,
            posted,
            taken_down,
            kept_at,
        } = &s.meeting.status
        else {
            continue;
        };
        let line = NoticeLine {
            body: s.body.name.clone(),
            organisation: s.organisation.name.clone(),
            date: s.meeting.date.to_string(),
            approved: approved.to_string(),
            posted: posted.to_string(),
            appeal_ends: kansli_core::deadlines::appeal_deadline(*posted)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            taken_down: taken_down.to_string(),
            kept_at: kept_at.clone(),
            protocol_href: format!("/sammantraden/{}", s.meeting.id.0),
            notice_href: format!("/sammantraden/{}/dokument/anslag.pdf", s.meeting.id.0),
            sha256: app
                .store
                .signed_protocol(s.meeting.id)
                .await
                .ok()
                .flatten()
                .map(|x| x.sha256),
        };
        if *posted <= today && today < *taken_down {
            current.push(line);
        } else {
            earlier.push(line);
        }
    }
    Ok(Html(
        NoticeBoard {
            today: today.to_string(),
            current,
            earlier,
        }
        .render()?,
    ))
}

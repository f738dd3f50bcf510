//! A meeting's life around the session itself: planning it, its agenda, the
//! approvers, the secretary's edits of the prose, the approval (justering)
//! by each signatory, and the notice on the anslagstavla. After approval
//! nothing here writes: every method refuses a sealed protocol with
//! [`StoreError::Sealed`], and the refusal is logged by [`Store::log_refusal`].

use crate::{Store, StoreError, Tx};
use kansli_core::limits::{self, Kind};
use kansli_core::meeting::{AgendaItem, Meeting, MeetingRecord, MeetingStatus, Paragraph};
use kansli_core::proceedings::{Proceedings, Setting};
use kansli_core::*;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// A paragraph section the secretary may rewrite: the matter (Ärendet), a
/// proposition's, a vote's or a reservation's sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Prose {
    Matter,
    Proposition(usize),
    Vote(usize),
    Reservation(usize),
    /// Expedieras till: one recipient per line.
    Dispatch,
}

impl Prose {
    pub fn code(self) -> String {
        match self {
            Prose::Matter => "matter".into(),
            Prose::Proposition(i) => format!("proposition:{i}"),
            Prose::Vote(i) => format!("vote:{i}"),
            Prose::Reservation(i) => format!("reservation:{i}"),
            Prose::Dispatch => "dispatch".into(),
        }
    }

    pub fn from_code(code: &str) -> Option<Prose> {
        match code {
            "matter" => return Some(Prose::Matter),
            "dispatch" => return Some(Prose::Dispatch),
            _ => {}
        }
        let (kind, i) = code.split_once(':')?;
        let i = i.parse().ok()?;
        match kind {
            "proposition" => Some(Prose::Proposition(i)),
            "vote" => Some(Prose::Vote(i)),
            "reservation" => Some(Prose::Reservation(i)),
            _ => None,
        }
    }

    /// Puts `text` in its place in `p`; false when the section is not there.
    fn apply(self, p: &mut Paragraph, text: &str) -> bool {
        if self == Prose::Dispatch {
            p.dispatch = Some(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect(),
            );
            return true;
        }
        let slot = match self {
            Prose::Matter => Some(&mut p.matter),
            Prose::Proposition(i) => p.propositions.get_mut(i).map(|x| &mut x.wording),
            Prose::Vote(i) => p.votes.get_mut(i).map(|x| &mut x.wording),
            Prose::Reservation(i) => p.reservations.get_mut(i).map(|x| &mut x.text),
            Prose::Dispatch => None,
        };
        match slot {
            Some(s) => {
                *s = text.to_string();
                true
            }
            None => false,
        }
    }
}

/// Who must approve a protocol and who has.
#[derive(Debug, Clone, Serialize)]
pub struct Approvals {
    /// The chair, then the appointed approvers.
    pub signatories: Vec<PersonId>,
    /// Those who have signed the version sent for justering, with when.
    pub confirmed: Vec<(PersonId, String)>,
    /// A version is sent for justering (and not withdrawn).
    pub sent: bool,
}

impl Approvals {
    pub fn has_confirmed(&self, person: PersonId) -> bool {
        self.confirmed.iter().any(|(p, _)| *p == person)
    }

    pub fn complete(&self) -> bool {
        !self.signatories.is_empty() && self.signatories.iter().all(|p| self.has_confirmed(*p))
    }
}

fn signatories(m: &Meeting) -> Vec<PersonId> {
    let mut out: Vec<PersonId> = m.chair.into_iter().collect();
    for a in &m.approvers {
        if !out.contains(a) {
            out.push(*a);
        }
    }
    out
}

fn sealed(m: &Meeting) -> Result<(), StoreError> {
    if m.status.is_sealed() {
        return Err(StoreError::Sealed(format!(
            "sammanträdet {} är justerat",
            m.date
        )));
    }
    Ok(())
}

impl Tx {
    /// Plans a meeting of `body`: date, time and place, no agenda yet. The
    /// date must fall within one of the organisation's terms.
    pub async fn plan_meeting(
        &mut self,
        body: BodyId,
        date: Date,
        starts: Option<Time>,
        place: &str,
    ) -> Result<MeetingId, StoreError> {
        let b = crate::read::body_in(&mut self.tx, body).await?;
        let terms: Vec<(String, String)> =
            sqlx::query_as("SELECT starts, ends FROM terms WHERE organisation_id = $1")
                .bind(b.organisation.0)
                .fetch_all(&mut *self.tx)
                .await?;
        let in_term = terms.iter().any(|(s, e)| {
            s.as_str() <= date.to_string().as_str() && date.to_string().as_str() <= e.as_str()
        });
        if !in_term {
            return Err(Refusal::new(
                "sammanträdet",
                format!("ingen mandatperiod omfattar {date}"),
            )
            .into());
        }
        if place.trim().is_empty() {
            return Err(Refusal::new("sammanträdet", "plats saknas").into());
        }
        let record = MeetingRecord {
            meeting: Meeting {
                id: MeetingId(0),
                body,
                date,
                starts,
                ends: None,
                place: place.trim().into(),
                status: MeetingStatus::Planned,
                secretary: None,
                chair: None,
                approvers: vec![],
                approval_place: None,
                attendance_complete: true,
                source_note: None,
            },
            items: vec![],
            attendance: vec![],
        };
        self.add_meeting(&record).await
    }

    /// Replaces the agenda of a meeting that has not begun. Items carry no
    /// paragraphs; a case on the agenda must be the organisation's.
    pub async fn set_agenda(
        &mut self,
        meeting: MeetingId,
        items: &[AgendaItem],
    ) -> Result<(), StoreError> {
        self.write_agenda(meeting, items).await?;
        self.audit(
            "agenda",
            "meeting",
            Some(meeting.0),
            json!({"items": items.iter().map(|i| &i.title).collect::<Vec<_>>()}),
        )
        .await
    }

    /// [`Tx::set_agenda`] without its audit record, for the writes that
    /// keep their own (`planning`).
    pub(crate) async fn write_agenda(
        &mut self,
        meeting: MeetingId,
        items: &[AgendaItem],
    ) -> Result<(), StoreError> {
        let mut record = crate::read::meeting_record_in(&mut self.tx, meeting).await?;
        sealed(&record.meeting)?;
        crate::protocols::frozen(&mut self.tx, meeting).await?;
        let started: Option<i64> =
            sqlx::query_scalar("SELECT meeting_id FROM meeting_sessions WHERE meeting_id = $1")
                .bind(meeting.0)
                .fetch_optional(&mut *self.tx)
                .await?;
        if record.meeting.status == MeetingStatus::Cancelled {
            return Err(Refusal::new("föredragningslistan", "sammanträdet är inställt").into());
        }
        if started.is_some() || record.meeting.status.is_held() {
            return Err(Refusal::new(
                "föredragningslistan",
                "sammanträdet har börjat; föredragningslistan ändras under sammanträdet",
            )
            .into());
        }
        let body = crate::read::body_in(&mut self.tx, record.meeting.body).await?;
        for (i, item) in items.iter().enumerate() {
            let at = format!("punkt {}", i + 1);
            if item.title.trim().is_empty() {
                return Err(Refusal::new(at, "rubrik saknas").into());
            }
            if item.paragraph.is_some() {
                return Err(Refusal::new(at, "en punkt får sin paragraf vid sammanträdet").into());
            }
            if let Some(case) = item.case {
                let org: Option<i64> =
                    sqlx::query_scalar("SELECT organisation_id FROM cases WHERE id = $1")
                        .bind(case.0)
                        .fetch_optional(&mut *self.tx)
                        .await?;
                if org != Some(body.organisation.0) {
                    return Err(Refusal::new(
                        at,
                        format!("ärende {case} hör inte till organisationen"),
                    )
                    .into());
                }
            }
        }
        record.items = items.to_vec();
        limits::check_meeting_record(&record).map_err(StoreError::Refused)?;
        self.clear_content(meeting.0).await?;
        self.write_content(meeting.0, &body, &record).await
    }

    /// Appoints the members who approve the protocol with the chair, and
    /// where and when that happens. Not once approval has begun.
    pub async fn set_approvers(
        &mut self,
        meeting: MeetingId,
        approvers: &[PersonId],
        approval_place: Option<&str>,
    ) -> Result<(), StoreError> {
        let record = crate::read::meeting_record_in(&mut self.tx, meeting).await?;
        let m = &record.meeting;
        sealed(m)?;
        crate::protocols::frozen(&mut self.tx, meeting).await?;
        if !m.status.is_held() {
            return Err(Refusal::new(
                "justerare",
                "justerare utses vid sammanträdet, när närvaron är antecknad",
            )
            .into());
        }
        if approvers.is_empty() {
            return Err(Refusal::new("justerare", "minst en justerare ska utses").into());
        }
        limits::check_count("justerare", approvers.len())?;
        limits::check_opt(
            "justeringens plats och tid",
            Kind::Line,
            approval_place.map(str::trim),
        )?;
        for a in approvers {
            if !record
                .attendance
                .iter()
                .any(|x| x.person == *a && x.capacity.decides())
            {
                return Err(Refusal::new(
                    "justerare",
                    format!("person {a} är inte tjänstgörande ledamot vid sammanträdet"),
                )
                .into());
            }
        }
        sqlx::query("DELETE FROM meeting_approvers WHERE meeting_id = $1")
            .bind(meeting.0)
            .execute(&mut *self.tx)
            .await?;
        for (i, person) in approvers.iter().enumerate() {
            sqlx::query("INSERT INTO meeting_approvers (meeting_id, position, person_id) VALUES ($1, $2, $3)")
                .bind(meeting.0)
                .bind(i as i64)
                .bind(person.0)
                .execute(&mut *self.tx)
                .await?;
        }
        let place = approval_place.map(str::trim).filter(|p| !p.is_empty());
        sqlx::query("UPDATE meetings SET approval_place = $2 WHERE id = $1")
            .bind(meeting.0)
            .bind(place)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "approvers",
            "meeting",
            Some(meeting.0),
            json!({"approvers": approvers, "place": place}),
        )
        .await
    }

    /// Issues the kallelse: the agenda goes out to the members.
    pub async fn issue_notice(&mut self, meeting: MeetingId) -> Result<(), StoreError> {
        let record = crate::read::meeting_record_in(&mut self.tx, meeting).await?;
        if record.items.is_empty() {
            return Err(Refusal::new("kallelsen", "föredragningslistan är tom").into());
        }
        self.set_meeting_status(meeting, &MeetingStatus::NoticeIssued)
            .await?;
        self.note_change(
            meeting,
            &record.meeting.status,
            crate::planning::ChangeKind::Notice,
            None,
            None,
            None,
            None,
        )
        .await
    }

    /// Rewrites one prose section of a paragraph. The edit is kept, so the
    /// engine's later writes of the paragraph keep it too.
    pub async fn edit_prose(
        &mut self,
        meeting: MeetingId,
        number: u32,
        section: Prose,
        text: &str,
    ) -> Result<(), StoreError> {
        let m = crate::read::meeting_in(&mut self.tx, meeting).await?;
        sealed(&m)?;
        crate::protocols::frozen(&mut self.tx, meeting).await?;
        // The kept meeting's rows as written are no longer these.
        self.live.stale(meeting);
        let row =
            sqlx::query("SELECT id, content FROM paragraphs WHERE meeting_id = $1 AND number = $2")
                .bind(meeting.0)
                .bind(number as i64)
                .fetch_optional(&mut *self.tx)
                .await?
                .ok_or(StoreError::NotFound {
                    what: "paragrafen",
                    id: format!("§{number}"),
                })?;
        let id: i64 = row.try_get("id")?;
        let mut p: Paragraph = serde_json::from_str(&row.try_get::<String, _>("content")?)?;
        let text = limits::normalize_newlines(text.trim()).trim().to_string();
        let label = match section {
            Prose::Matter => "ärendet",
            Prose::Proposition(_) => "proposition",
            Prose::Vote(_) => "omröstningens resultat",
            Prose::Reservation(_) => "reservation",
            Prose::Dispatch => "expedieras till",
        };
        let at = format!("§{number}, {label}");
        if section == Prose::Dispatch {
            limits::check_all(&at, Kind::Line, text.lines().map(str::trim))?;
        } else {
            limits::check(&at, Kind::FreeText, &text)?;
        }
        if !section.apply(&mut p, &text) {
            return Err(
                Refusal::new(format!("§{number}"), "avsnittet finns inte i paragrafen").into(),
            );
        }
        if !matches!(section, Prose::Matter | Prose::Dispatch) && text.is_empty() {
            return Err(Refusal::new(format!("§{number}"), "texten får inte vara tom").into());
        }
        sqlx::query("UPDATE paragraphs SET content = $2 WHERE id = $1")
            .bind(id)
            .bind(serde_json::to_string(&p)?)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "DELETE FROM prose_edits WHERE meeting_id = $1 AND number = $2 AND section = $3",
        )
        .bind(meeting.0)
        .bind(number as i64)
        .bind(section.code())
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "INSERT INTO prose_edits (meeting_id, number, section, text) VALUES ($1, $2, $3, $4)",
        )
        .bind(meeting.0)
        .bind(number as i64)
        .bind(section.code())
        .bind(&text)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "edit",
            "meeting",
            Some(meeting.0),
            json!({"paragraph": number, "section": section.code(), "text": text}),
        )
        .await
    }

    /// Completes a record the engine wrote with what is already known, so
    /// that the protocol needs no retyping: Ärendet from the officer's
    /// report ([`Tx::matter_from_reports`]), then the secretary's edits
    /// over it, the justerare the meeting chose
    /// ([`Tx::appoint_chosen_approvers`]) and the meeting's secretary
    /// ([`Tx::secretary_by_default`]). `only`: the agenda positions whose
    /// paragraphs are new from the engine (the others are as written, with
    /// their prose); `None`: all.
    pub(crate) async fn overlay_prose(
        &mut self,
        meeting: MeetingId,
        record: &mut MeetingRecord,
        only: Option<&[usize]>,
    ) -> Result<(), StoreError> {
        self.matter_from_reports(record, only).await?;
        self.overlay_edits(meeting, record, only).await?;
        self.appoint_chosen_approvers(meeting, record).await?;
        self.secretary_by_default(meeting, record).await
    }

    /// Ärendet of each paragraph that has none, from the summary
    /// (Sammanfattning) of its case's latest officer's report dated by the
    /// meeting, when that report is public: the prose the secretary edits
    /// like any other ([`Prose::Matter`]; an edit, even an empty one, wins).
    /// A secret report's text never enters a paragraph this way. The item
    /// reporting delegationsbeslut gets the list of them.
    async fn matter_from_reports(
        &mut self,
        record: &mut MeetingRecord,
        only: Option<&[usize]>,
    ) -> Result<(), StoreError> {
        let date = record.meeting.date.to_string();
        for (i, item) in record.items.iter_mut().enumerate() {
            if only.is_some_and(|only| !only.contains(&i)) {
                continue;
            }
            // The reported delegationsbeslut, one line each, as the item's
            // beslutsunderlag lists them (crate::delegation).
            if item.title == crate::delegation::ITEM_TITLE
                && !item.basis.is_empty()
                && let Some(p) = item.paragraph.as_mut()
                && p.matter.trim().is_empty()
            {
                let mut text = String::from(
                    "Följande beslut som fattats med stöd av delegation anmäls (6 kap. 40 § kommunallagen):\n",
                );
                for b in &item.basis {
                    text.push_str(&format!("\n- {}", b.title));
                }
                if limits::check("ärendet", Kind::FreeText, &text).is_ok() {
                    p.matter = text;
                }
                continue;
            }
            let (Some(case), Some(p)) = (item.case, item.paragraph.as_mut()) else {
                continue;
            };
            if !p.matter.trim().is_empty() {
                continue;
            }
            let latest: Option<(String, Option<String>)> = sqlx::query_as(
                "SELECT content, secrecy_ground FROM officer_reports \
                 WHERE case_id = $1 AND date <= $2 ORDER BY date DESC, id DESC LIMIT 1",
            )
            .bind(case.0)
            .bind(&date)
            .fetch_optional(&mut *self.tx)
            .await?;
            let Some((content, None)) = latest else {
                continue;
            };
            let report: kansli_core::case::OfficerReport = serde_json::from_str(&content)?;
            let summary = limits::normalize_newlines(report.summary.trim());
            if !summary.trim().is_empty()
                && limits::check("ärendet", Kind::FreeText, summary.trim()).is_ok()
            {
                p.matter = summary.trim().to_string();
            }
        }
        Ok(())
    }

    /// The justerare chosen at the meeting's item on justering ("Val av
    /// justerare", "Justering"), appointed as if the secretary had chosen
    /// them, once that item is decided and while nobody is appointed yet:
    /// the deciding members present whom the decision names, in the order
    /// named, the chair left out (the chair signs anyway, KL 5 kap. 69 §,
    /// 6 kap. 35 §). Changed later on the meeting page like any appointment.
    async fn appoint_chosen_approvers(
        &mut self,
        meeting: MeetingId,
        record: &mut MeetingRecord,
    ) -> Result<(), StoreError> {
        if !record.meeting.approvers.is_empty() || justering_text(record).is_none() {
            return Ok(());
        }
        let mut names = Vec::new();
        for a in record.attendance.iter().filter(|a| a.capacity.decides()) {
            if Some(a.person) == record.meeting.chair {
                continue;
            }
            let name: Option<String> = sqlx::query_scalar("SELECT name FROM persons WHERE id = $1")
                .bind(a.person.0)
                .fetch_optional(&mut *self.tx)
                .await?;
            if let Some(name) = name {
                names.push((a.person, name));
            }
        }
        let Some((number, chosen)) = chosen_approvers(record, &names) else {
            return Ok(());
        };
        record.meeting.approvers = chosen.clone();
        self.audit(
            "approvers",
            "meeting",
            Some(meeting.0),
            json!({"approvers": chosen, "paragraph": number}),
        )
        .await
    }

    /// The meeting's secretary, when none is set: the person of the user
    /// who records the meeting (the secretary at the screen). Set on the
    /// meeting page otherwise ([`Tx::set_secretary`]).
    async fn secretary_by_default(
        &mut self,
        meeting: MeetingId,
        record: &mut MeetingRecord,
    ) -> Result<(), StoreError> {
        let current: Option<i64> =
            sqlx::query_scalar("SELECT secretary_id FROM meetings WHERE id = $1")
                .bind(meeting.0)
                .fetch_one(&mut *self.tx)
                .await?;
        if let Some(p) = current {
            record.meeting.secretary = Some(PersonId(p));
            return Ok(());
        }
        let Some(username) = self.actor().strip_prefix("user:").map(str::to_string) else {
            return Ok(());
        };
        let person: Option<Option<i64>> =
            sqlx::query_scalar("SELECT person_id FROM users WHERE username = $1")
                .bind(&username)
                .fetch_optional(&mut *self.tx)
                .await?;
        let Some(Some(person)) = person else {
            return Ok(());
        };
        self.write_secretary(meeting, Some(PersonId(person)), "default")
            .await?;
        record.meeting.secretary = Some(PersonId(person));
        Ok(())
    }

    async fn write_secretary(
        &mut self,
        meeting: MeetingId,
        person: Option<PersonId>,
        how: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE meetings SET secretary_id = $2 WHERE id = $1")
            .bind(meeting.0)
            .bind(person.map(|p| p.0))
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "secretary",
            "meeting",
            Some(meeting.0),
            json!({"secretary": person, "how": how}),
        )
        .await
    }

    /// Sets who is the meeting's secretary, named on the protocol's first
    /// page (Sekreterare) and under its extracts; `None` clears it. Not once
    /// the protocol is sent for justering or justerat.
    pub async fn set_secretary(
        &mut self,
        meeting: MeetingId,
        person: Option<PersonId>,
    ) -> Result<(), StoreError> {
        let m = crate::read::meeting_in(&mut self.tx, meeting).await?;
        sealed(&m)?;
        crate::protocols::frozen(&mut self.tx, meeting).await?;
        if m.status == MeetingStatus::Cancelled {
            return Err(Refusal::new("sekreterare", "sammanträdet är inställt").into());
        }
        if let Some(p) = person {
            let known: Option<i64> = sqlx::query_scalar("SELECT id FROM persons WHERE id = $1")
                .bind(p.0)
                .fetch_optional(&mut *self.tx)
                .await?;
            if known.is_none() {
                return Err(Refusal::new("sekreterare", format!("person {p} finns inte")).into());
            }
        }
        self.write_secretary(meeting, person, "set").await
    }

    /// Lays the secretary's edits over a record the engine wrote.
    async fn overlay_edits(
        &mut self,
        meeting: MeetingId,
        record: &mut MeetingRecord,
        only: Option<&[usize]>,
    ) -> Result<(), StoreError> {
        if only.is_some_and(|only| only.is_empty()) {
            return Ok(());
        }
        let edits: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT number, section, text FROM prose_edits WHERE meeting_id = $1")
                .bind(meeting.0)
                .fetch_all(&mut *self.tx)
                .await?;
        for (number, section, text) in edits {
            let Some(section) = Prose::from_code(&section) else {
                continue;
            };
            for (_, p) in record
                .items
                .iter_mut()
                .enumerate()
                .filter(|(i, _)| only.is_none_or(|only| only.contains(i)))
                .filter_map(|(i, item)| item.paragraph.as_mut().map(|p| (i, p)))
            {
                if p.number as i64 == number {
                    section.apply(p, &text);
                }
            }
        }
        Ok(())
    }

    /// Posts the notice of the approval on the anslagstavla on `posted`;
    /// the appeal period and the take-down date follow by the rules
    /// ([`kansli_core::deadlines::notice_dates`], KL 8 kap. 12 §, 13 kap. 5 §).
    pub async fn post_notice(
        &mut self,
        meeting: MeetingId,
        posted: Date,
        kept_at: &str,
    ) -> Result<kansli_core::deadlines::NoticeDates, StoreError> {
        let m = crate::read::meeting_in(&mut self.tx, meeting).await?;
        let MeetingStatus::Approved { approved } = m.status else {
            return Err(Refusal::new(
                "anslaget",
                "protokollet är inte justerat, eller anslaget är redan uppsatt",
            )
            .into());
        };
        if kept_at.trim().is_empty() {
            return Err(Refusal::new("anslaget", "förvaringsplats saknas").into());
        }
        limits::check("protokollets förvaringsplats", Kind::Line, kept_at.trim())?;
        let dates = kansli_core::deadlines::notice_dates(approved, posted)?;
        self.set_meeting_status(
            meeting,
            &MeetingStatus::NoticePosted {
                approved,
                posted: dates.posted,
                taken_down: dates.take_down,
                kept_at: kept_at.trim().into(),
            },
        )
        .await?;
        Ok(dates)
    }

    /// The engine over a meeting as it stands: the frozen setting and the
    /// log when it has begun, else the setting it would begin with.
    pub async fn proceedings(&mut self, meeting: MeetingId) -> Result<Proceedings, StoreError> {
        let stored: Option<String> =
            sqlx::query_scalar("SELECT setting FROM meeting_sessions WHERE meeting_id = $1")
                .bind(meeting.0)
                .fetch_optional(&mut *self.tx)
                .await?;
        let setting: Setting = match stored {
            Some(json) => serde_json::from_str(&json)?,
            None => self.setting_for(meeting).await?,
        };
        let log = crate::read::meeting_events_in(&mut self.tx, meeting).await?;
        Ok(Proceedings::replay(setting, &log)?)
    }
}

/// The justerare a meeting chose, from its decided item on justering: the
/// paragraph whose title speaks of justering ("Val av justerare",
/// "Justering", "Val av protokollsjusterare") and whose decision says
/// "justera", and the persons of `names` (deciding members present, not the
/// chair) its decision names, in the order named. `None` when there is no
/// such decided paragraph or it names nobody.
pub fn chosen_approvers(
    record: &MeetingRecord,
    names: &[(PersonId, String)],
) -> Option<(u32, Vec<PersonId>)> {
    let (p, text) = justering_text(record)?;
    let mut found: Vec<(usize, PersonId)> = names
        .iter()
        .filter(|(_, n)| !n.trim().is_empty())
        .filter_map(|(id, n)| text.find(n.trim()).map(|at| (at, *id)))
        .collect();
    found.sort();
    let mut chosen: Vec<PersonId> = Vec::new();
    for (_, id) in found {
        if !chosen.contains(&id) {
            chosen.push(id);
        }
    }
    (!chosen.is_empty()).then_some((p.number, chosen))
}

/// The decided paragraph on justering and its decision's text, when the
/// decision speaks of "justera" ([`chosen_approvers`]).
fn justering_text(record: &MeetingRecord) -> Option<(&kansli_core::meeting::Paragraph, String)> {
    let p = record.paragraphs().find(|p| {
        let t = p.title.to_lowercase();
        t.contains("justera") || t.contains("justering")
    })?;
    let decision = p.decision.as_ref()?;
    let text: String = decision
        .parts
        .iter()
        .flat_map(|d| d.clauses.iter())
        .flat_map(|c| std::iter::once(c.text.as_str()).chain(c.items.iter().map(String::as_str)))
        .collect::<Vec<_>>()
        .join(" ");
    if !text.to_lowercase().contains("justera") {
        return None;
    }
    Some((p, text))
}

/// Who is to approve, and who has: the signatures on the active version
/// of the protocol sent for justering (see [`crate::protocols`]).
async fn approvals_in(
    conn: &mut sqlx::AnyConnection,
    meeting: MeetingId,
    signatories: Vec<PersonId>,
) -> Result<Approvals, StoreError> {
    let active = crate::protocols::active_in(conn, meeting).await?;
    let sent = active.is_some();
    let confirmed = match active {
        Some(v) => v
            .signatures
            .into_iter()
            .map(|s| (s.person, s.signed_at))
            .collect(),
        None => vec![],
    };
    Ok(Approvals {
        signatories,
        confirmed,
        sent,
    })
}

impl Store {
    /// Who must approve the meeting's protocol, and who has.
    pub async fn approvals(&self, meeting: MeetingId) -> Result<Approvals, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let m = crate::read::meeting_in(&mut conn, meeting).await?;
        approvals_in(&mut conn, meeting, signatories(&m)).await
    }

    /// The engine over a meeting, read only (see [`Tx::proceedings`]).
    pub async fn proceedings(&self, meeting: MeetingId) -> Result<Proceedings, StoreError> {
        // Kept at the log's last seq: no log to read or replay.
        if let Some(p) = self.kept_proceedings(meeting).await? {
            return Ok(p);
        }
        // A transaction that is never committed: nothing is written.
        let mut tx = self.begin("read").await?;
        let p = tx.proceedings(meeting).await?;
        self.keep_read(meeting, &p);
        Ok(p)
    }

    /// Records an attempt that was refused (a change to an approved
    /// protocol, a write without the role for it) in the audit log, in its
    /// own transaction: the attempt wrote nothing, the log keeps that it
    /// was made.
    pub async fn log_refusal(
        &self,
        actor: &str,
        entity: &str,
        id: Option<i64>,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(actor).await?;
        tx.audit("refused", entity, id, detail).await?;
        tx.commit().await
    }

    /// A case's history: the case, its documents and files, its motion and
    /// its officer's reports, oldest first.
    pub async fn case_log(&self, case: CaseId) -> Result<Vec<crate::AuditRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM audit_log WHERE (entity = 'case' AND entity_id = $1) \
             OR (entity = 'document' AND entity_id IN (SELECT id FROM documents WHERE case_id = $1)) \
             OR (entity = 'motion' AND entity_id IN (SELECT id FROM motions WHERE case_id = $1)) \
             OR (entity = 'officer_report' AND entity_id IN (SELECT id FROM officer_reports WHERE case_id = $1)) \
             ORDER BY id",
        )
        .bind(case.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(crate::read::audit_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kansli_core::decision::{Clause, Decision, Formula};
    use kansli_core::meeting::ItemKind;

    fn record(title: &str, decision: Option<&str>) -> MeetingRecord {
        let mut p = Paragraph::new(1, title);
        p.decision = decision.map(|t| Decision::single(Formula::Decides, vec![Clause::new(t)]));
        MeetingRecord {
            meeting: Meeting {
                id: MeetingId(1),
                body: BodyId(1),
                date: jiff::civil::date(2025, 3, 4),
                starts: None,
                ends: None,
                place: "Sal".into(),
                status: MeetingStatus::InSession,
                secretary: None,
                chair: None,
                approvers: vec![],
                approval_place: None,
                attendance_complete: true,
                source_note: None,
            },
            items: vec![AgendaItem {
                title: title.into(),
                case: None,
                kind: ItemKind::Decision,
                access: Access::Public,
                basis: vec![],
                paragraph: Some(p),
                presenter: None,
            }],
            attendance: vec![],
        }
    }

    #[test]
    fn the_justerare_are_those_the_decision_on_justering_names_in_order() {
        let names = [
            (PersonId(1), "Per Persson".to_string()),
            (PersonId(2), "Lise-Lotte Bensköld Olsson".to_string()),
            (PersonId(3), "My Clingston".to_string()),
        ];
        let r = record(
            "Val av justerare",
            Some(
                "utse Lise-Lotte Bensköld Olsson (S) och Per Persson (S) att jämte ordföranden justera protokollet.",
            ),
        );
        assert_eq!(
            chosen_approvers(&r, &names),
            Some((1, vec![PersonId(2), PersonId(1)]))
        );
        // "Justering" as the title, as in the demo's source protocol.
        let r = record(
            "Justering",
            Some("utse My Clingston (KD) att justera protokollet."),
        );
        assert_eq!(chosen_approvers(&r, &names), Some((1, vec![PersonId(3)])));
        // Not decided yet, another item, a decision about something else,
        // or nobody present named: nobody is appointed.
        assert_eq!(
            chosen_approvers(&record("Val av justerare", None), &names),
            None
        );
        let other = record(
            "Godkännande av föredragningslista",
            Some("godkänna föredragningslistan, Per Persson"),
        );
        assert_eq!(chosen_approvers(&other, &names), None);
        let r = record(
            "Val av justerare",
            Some("utse Anna Ek att justera protokollet."),
        );
        assert_eq!(chosen_approvers(&r, &names), None);
        let r = record(
            "Justering",
            Some("fastställa tid för justering till fredag; Per Persson"),
        );
        assert_eq!(
            chosen_approvers(&r, &names),
            None,
            "the decision does not say «justera»"
        );
    }
}

//! Planning a meeting before it is held: its agenda item by item (added,
//! edited, moved, removed), the föredragande of each item, the meeting
//! moved to another day, time or place, or cancelled (inställt). Each
//! change is kept in `meeting_changes`; one made after the kallelse goes
//! out as a tilläggskallelse, which lists it
//! ([`MeetingStatus::changes_are_supplement`]).

use crate::read::secrecy_column;
use crate::{Store, StoreError, Tx};
use kansli_core::limits::{self, Kind};
use kansli_core::meeting::{AgendaItem, ItemKind, MeetingStatus};
use kansli_core::org::Person;
use kansli_core::*;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// What a planning change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The kallelse went out.
    Notice,
    /// The meeting moved to another day, time or place.
    Moved,
    /// The meeting was cancelled (inställt).
    Cancelled,
    ItemAdded,
    ItemEdited,
    ItemMoved,
    ItemRemoved,
}

impl ChangeKind {
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Notice => "notice",
            ChangeKind::Moved => "moved",
            ChangeKind::Cancelled => "cancelled",
            ChangeKind::ItemAdded => "item_added",
            ChangeKind::ItemEdited => "item_edited",
            ChangeKind::ItemMoved => "item_moved",
            ChangeKind::ItemRemoved => "item_removed",
        }
    }

    fn from_code(code: &str) -> Option<ChangeKind> {
        [
            ChangeKind::Notice,
            ChangeKind::Moved,
            ChangeKind::Cancelled,
            ChangeKind::ItemAdded,
            ChangeKind::ItemEdited,
            ChangeKind::ItemMoved,
            ChangeKind::ItemRemoved,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// One change in a meeting's planning, as stored. The item is named as it
/// was; `kansli_documents::view` decides what of it an audience sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingChange {
    pub made_on: Date,
    pub kind: ChangeKind,
    /// Made after the kallelse: part of the tilläggskallelse.
    pub after_notice: bool,
    /// The item's number after the change (before it, for a removal).
    pub item_position: Option<u32>,
    pub item_title: Option<String>,
    pub item_access: Access,
    /// What the change replaced: the item's former title, or the former
    /// date, time and place.
    pub previous: Option<String>,
    /// The new date, time and place; what else was edited; the former
    /// number of a moved item.
    pub detail: Option<String>,
    pub reason: Option<String>,
}

/// What an edit of an agenda item sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemEdit {
    pub title: String,
    pub kind: ItemKind,
    pub access: Access,
    pub presenter: Option<PersonId>,
}

/// "2026-12-15 klockan 13:00, Sessionssalen".
fn when_and_where(date: Date, starts: Option<Time>, place: &str) -> String {
    match starts {
        Some(t) => format!("{date} klockan {}, {place}", t.strftime("%H:%M")),
        None => format!("{date}, {place}"),
    }
}

fn kind_label(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Decision => "beslutsärende",
        ItemKind::Information => "informationsärende",
        ItemKind::Election => "val",
    }
}

/// The date of a transaction's time in Swedish local time.
fn local_date(now: &str) -> Date {
    let ts: jiff::Timestamp = now.parse().unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap_or(jiff::tz::TimeZone::UTC);
    ts.to_zoned(tz).date()
}

/// A refusal when the list has changed since the page was shown: the form
/// names the item it acts on by number and title.
fn check_item(items: &[AgendaItem], index: usize, title: &str) -> Result<(), Refusal> {
    match items.get(index) {
        Some(i) if i.title == title.trim() || title.trim().is_empty() => Ok(()),
        _ => Err(Refusal::new(
            "föredragningslistan",
            "listan har ändrats sedan sidan visades; ladda om sidan och försök igen",
        )),
    }
}

impl Tx {
    /// The meeting's status and record, checked to be planned still: not
    /// begun, not cancelled, not frozen.
    async fn replannable(
        &mut self,
        meeting: MeetingId,
        what: &str,
    ) -> Result<kansli_core::meeting::MeetingRecord, StoreError> {
        let record = crate::read::meeting_record_in(&mut self.tx, meeting).await?;
        if record.meeting.status.is_sealed() {
            return Err(StoreError::Sealed(format!(
                "sammanträdet {} är justerat",
                record.meeting.date
            )));
        }
        crate::protocols::frozen(&mut self.tx, meeting).await?;
        let started: Option<i64> =
            sqlx::query_scalar("SELECT meeting_id FROM meeting_sessions WHERE meeting_id = $1")
                .bind(meeting.0)
                .fetch_optional(&mut *self.tx)
                .await?;
        if started.is_some() {
            return Err(Refusal::new(
                what,
                "sammanträdet har börjat; det som händer nu antecknas i protokollet",
            )
            .into());
        }
        record.meeting.status.check_replanning(what)?;
        Ok(record)
    }

    /// Keeps one change of the planning, after the kallelse or not.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn note_change(
        &mut self,
        meeting: MeetingId,
        status: &MeetingStatus,
        kind: ChangeKind,
        item: Option<(usize, &AgendaItem)>,
        previous: Option<&str>,
        detail: Option<&str>,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let position: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM meeting_changes WHERE meeting_id = $1",
        )
        .bind(meeting.0)
        .fetch_one(&mut *self.tx)
        .await?;
        let after_notice = kind != ChangeKind::Notice && status.changes_are_supplement();
        sqlx::query(
            "INSERT INTO meeting_changes (meeting_id, position, made_on, kind, after_notice, item_position, \
             item_title, item_secrecy_ground, previous, detail, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(meeting.0)
        .bind(position)
        .bind(local_date(&self.now).to_string())
        .bind(kind.code())
        .bind(after_notice as i64)
        .bind(item.map(|(i, _)| i as i64 + 1))
        .bind(item.map(|(_, x)| x.title.clone()))
        .bind(item.and_then(|(_, x)| secrecy_column(&x.access).map(String::from)))
        .bind(previous)
        .bind(detail)
        .bind(reason)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn check_presenter(&mut self, presenter: Option<PersonId>) -> Result<(), StoreError> {
        if let Some(p) = presenter {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM persons WHERE id = $1")
                .bind(p.0)
                .fetch_optional(&mut *self.tx)
                .await?;
            if found.is_none() {
                return Err(Refusal::new("föredragande", format!("person {p} finns inte")).into());
            }
        }
        Ok(())
    }

    /// Adds an item at the end of the agenda of a meeting not yet begun.
    pub async fn add_agenda_item(
        &mut self,
        meeting: MeetingId,
        item: AgendaItem,
    ) -> Result<usize, StoreError> {
        let record = self.replannable(meeting, "föredragningslistan").await?;
        self.check_presenter(item.presenter).await?;
        let mut items = record.items;
        items.push(item);
        let index = items.len() - 1;
        self.write_agenda(meeting, &items).await?;
        let item = &items[index];
        self.note_change(
            meeting,
            &record.meeting.status,
            ChangeKind::ItemAdded,
            Some((index, item)),
            None,
            None,
            None,
        )
        .await?;
        self.audit(
            "agenda_add",
            "meeting",
            Some(meeting.0),
            json!({"position": index + 1, "title": item.title, "case": item.case,
                   "presenter": item.presenter}),
        )
        .await?;
        Ok(index)
    }

    /// Edits an item's title, kind, secrecy and föredragande. `expected`
    /// is the title the form was shown with. Nothing changed: nothing
    /// written, `false`.
    pub async fn edit_agenda_item(
        &mut self,
        meeting: MeetingId,
        index: usize,
        expected: &str,
        edit: ItemEdit,
    ) -> Result<bool, StoreError> {
        let record = self.replannable(meeting, "föredragningslistan").await?;
        check_item(&record.items, index, expected)?;
        self.check_presenter(edit.presenter).await?;
        let at = format!("punkt {}", index + 1);
        let title = edit.title.trim().to_string();
        if title.is_empty() {
            return Err(Refusal::new(at, "rubrik saknas").into());
        }
        if let Access::Secret { ground } = &edit.access {
            limits::check(&format!("{at}, sekretessgrund"), Kind::Line, ground)?;
        }
        let mut items = record.items;
        let old = items[index].clone();
        let mut what = Vec::new();
        if old.title != title {
            what.push("rubriken".to_string());
        }
        if old.kind != edit.kind {
            what.push(format!("typen (nu {})", kind_label(edit.kind)));
        }
        if old.access != edit.access {
            what.push(match &edit.access {
                Access::Public => "sekretessen (nu offentlig)".to_string(),
                Access::Secret { .. } => "sekretessen".to_string(),
            });
        }
        if old.presenter != edit.presenter {
            what.push("föredragande".to_string());
        }
        if what.is_empty() {
            return Ok(false);
        }
        let item = &mut items[index];
        item.title = title;
        item.kind = edit.kind;
        item.access = edit.access;
        item.presenter = edit.presenter;
        self.write_agenda(meeting, &items).await?;
        let detail = format!("ändrat: {}", kansli_core::text::join_sv(&what));
        // A secret item before or after: the former title is not kept for
        // the change list, so no audience reads it from there.
        let previous = (old.title != items[index].title && old.access.is_public())
            .then_some(old.title.as_str());
        self.note_change(
            meeting,
            &record.meeting.status,
            ChangeKind::ItemEdited,
            Some((index, &items[index])),
            previous,
            Some(&detail),
            None,
        )
        .await?;
        self.audit(
            "agenda_edit",
            "meeting",
            Some(meeting.0),
            json!({"position": index + 1, "title": items[index].title, "was": old.title,
                   "kind": items[index].kind, "secret": !items[index].access.is_public(),
                   "presenter": items[index].presenter}),
        )
        .await?;
        Ok(true)
    }

    /// Moves an item to another place in the agenda (`to`, counted from 0).
    pub async fn move_agenda_item(
        &mut self,
        meeting: MeetingId,
        index: usize,
        expected: &str,
        to: usize,
    ) -> Result<bool, StoreError> {
        let record = self.replannable(meeting, "föredragningslistan").await?;
        check_item(&record.items, index, expected)?;
        let mut items = record.items;
        let to = to.min(items.len() - 1);
        if to == index {
            return Ok(false);
        }
        let item = items.remove(index);
        items.insert(to, item);
        self.write_agenda(meeting, &items).await?;
        let from = format!("från punkt {}", index + 1);
        self.note_change(
            meeting,
            &record.meeting.status,
            ChangeKind::ItemMoved,
            Some((to, &items[to])),
            None,
            Some(&from),
            None,
        )
        .await?;
        self.audit(
            "agenda_move",
            "meeting",
            Some(meeting.0),
            json!({"title": items[to].title, "from": index + 1, "to": to + 1}),
        )
        .await?;
        Ok(true)
    }

    /// Removes an item from the agenda ("utgår").
    pub async fn remove_agenda_item(
        &mut self,
        meeting: MeetingId,
        index: usize,
        expected: &str,
    ) -> Result<AgendaItem, StoreError> {
        let record = self.replannable(meeting, "föredragningslistan").await?;
        check_item(&record.items, index, expected)?;
        let mut items = record.items;
        let removed = items.remove(index);
        self.write_agenda(meeting, &items).await?;
        self.note_change(
            meeting,
            &record.meeting.status,
            ChangeKind::ItemRemoved,
            Some((index, &removed)),
            None,
            None,
            None,
        )
        .await?;
        self.audit(
            "agenda_remove",
            "meeting",
            Some(meeting.0),
            json!({"position": index + 1, "title": removed.title}),
        )
        .await?;
        Ok(removed)
    }

    /// Moves the meeting to another day, time or place, with the reason.
    /// Only before it begins; the date must fall within a term. The same
    /// day, time and place again: nothing written, `false`.
    pub async fn move_meeting(
        &mut self,
        meeting: MeetingId,
        date: Date,
        starts: Option<Time>,
        place: &str,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let at = "flytt av sammanträdet";
        let record = self.replannable(meeting, at).await?;
        let m = &record.meeting;
        let place = place.trim();
        let reason = reason.trim();
        if place.is_empty() {
            return Err(Refusal::new(at, "plats saknas").into());
        }
        limits::check("plats", Kind::Line, place)?;
        if m.date == date && m.starts == starts && m.place == place {
            return Ok(false);
        }
        if reason.is_empty() {
            return Err(Refusal::new(at, "skäl saknas: ange varför sammanträdet flyttas").into());
        }
        limits::check("skäl", Kind::Line, reason)?;
        let b = crate::read::body_in(&mut self.tx, m.body).await?;
        let terms: Vec<(String, String)> =
            sqlx::query_as("SELECT starts, ends FROM terms WHERE organisation_id = $1")
                .bind(b.organisation.0)
                .fetch_all(&mut *self.tx)
                .await?;
        let day = date.to_string();
        if !terms
            .iter()
            .any(|(s, e)| s.as_str() <= day.as_str() && day.as_str() <= e.as_str())
        {
            return Err(Refusal::new(at, format!("ingen mandatperiod omfattar {date}")).into());
        }
        let previous = when_and_where(m.date, m.starts, &m.place);
        let next = when_and_where(date, starts, place);
        sqlx::query("UPDATE meetings SET date = $2, starts = $3, place = $4 WHERE id = $1")
            .bind(meeting.0)
            .bind(&day)
            .bind(starts.map(|t| t.strftime("%H:%M").to_string()))
            .bind(place)
            .execute(&mut *self.tx)
            .await?;
        self.note_change(
            meeting,
            &m.status,
            ChangeKind::Moved,
            None,
            Some(&previous),
            Some(&next),
            Some(reason),
        )
        .await?;
        self.audit(
            "move",
            "meeting",
            Some(meeting.0),
            json!({"from": previous, "to": next, "reason": reason}),
        )
        .await?;
        Ok(true)
    }

    /// Cancels the meeting (inställt), with the reason. Only before it
    /// begins. Already cancelled: nothing written, `false`.
    pub async fn cancel_meeting(
        &mut self,
        meeting: MeetingId,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let at = "inställt sammanträde";
        let current = crate::read::meeting_in(&mut self.tx, meeting).await?;
        if current.status == MeetingStatus::Cancelled {
            return Ok(false);
        }
        let record = self.replannable(meeting, at).await?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Refusal::new(at, "skäl saknas: ange varför sammanträdet ställs in").into());
        }
        limits::check("skäl", Kind::Line, reason)?;
        let status = record.meeting.status.clone();
        self.set_meeting_status(meeting, &MeetingStatus::Cancelled)
            .await?;
        self.note_change(
            meeting,
            &status,
            ChangeKind::Cancelled,
            None,
            None,
            None,
            Some(reason),
        )
        .await?;
        self.audit(
            "cancel",
            "meeting",
            Some(meeting.0),
            json!({"reason": reason}),
        )
        .await?;
        Ok(true)
    }
}

impl Store {
    /// The changes of a meeting's planning, in the order made.
    pub async fn meeting_changes(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<MeetingChange>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM meeting_changes WHERE meeting_id = $1 ORDER BY position")
                .bind(meeting.0)
                .fetch_all(self.pool())
                .await?;
        let mut out = Vec::new();
        for r in &rows {
            let kind: String = r.try_get("kind")?;
            let made_on: String = r.try_get("made_on")?;
            out.push(MeetingChange {
                made_on: made_on
                    .parse()
                    .map_err(|e| StoreError::Corrupt(format!("ändringsdatum «{made_on}»: {e}")))?,
                kind: ChangeKind::from_code(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("ändring «{kind}»")))?,
                after_notice: r.try_get::<i64, _>("after_notice")? != 0,
                item_position: r
                    .try_get::<Option<i64>, _>("item_position")?
                    .map(|n| n as u32),
                item_title: r.try_get("item_title")?,
                item_access: crate::read::access_from_column(r.try_get("item_secrecy_ground")?),
                previous: r.try_get("previous")?,
                detail: r.try_get("detail")?,
                reason: r.try_get("reason")?,
            });
        }
        Ok(out)
    }

    /// Who may be named föredragande for a meeting of the organisation:
    /// its members and substitutes, the persons of its users, and those
    /// who have attended its meetings as officials, by name.
    pub async fn presenter_choices(
        &self,
        organisation: OrganisationId,
    ) -> Result<Vec<Person>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT ms.person_id FROM memberships ms JOIN bodies b ON b.id = ms.body_id \
             WHERE b.organisation_id = $1 \
             UNION SELECT u.person_id FROM users u JOIN user_roles r ON r.user_id = u.id \
             WHERE r.organisation_id = $1 AND u.person_id IS NOT NULL \
             UNION SELECT a.person_id FROM attendance a JOIN meetings m ON m.id = a.meeting_id \
             JOIN bodies b ON b.id = m.body_id WHERE b.organisation_id = $1 AND a.capacity = 'other'",
        )
        .bind(organisation.0)
        .fetch_all(self.pool())
        .await?;
        let ids: Vec<PersonId> = ids.into_iter().map(PersonId).collect();
        let mut persons: Vec<Person> = self.persons(&ids).await?.into_values().collect();
        persons.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(persons)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_kinds_read_back_by_their_codes() {
        for k in [
            ChangeKind::Notice,
            ChangeKind::Moved,
            ChangeKind::Cancelled,
            ChangeKind::ItemAdded,
            ChangeKind::ItemEdited,
            ChangeKind::ItemMoved,
            ChangeKind::ItemRemoved,
        ] {
            assert_eq!(ChangeKind::from_code(k.code()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.code());
        }
        assert_eq!(ChangeKind::from_code("x"), None);
    }

    #[test]
    fn when_and_where_reads_as_a_kallelse_writes_it() {
        let d: Date = "2026-12-15".parse().unwrap();
        let t: Time = "13:00".parse().unwrap();
        assert_eq!(
            when_and_where(d, Some(t), "Sessionssalen"),
            "2026-12-15 klockan 13:00, Sessionssalen"
        );
        assert_eq!(when_and_where(d, None, "Rum 1"), "2026-12-15, Rum 1");
    }
}

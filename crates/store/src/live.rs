//! The live meeting (#20): the meetings run with the engine kept replayed
//! between commands, the one rule of which commands change no public
//! output, the per-meeting change number and its broadcast, and what
//! members do on their own devices — ballots with receipts, check-ins and
//! written yrkanden (migration 0018).
//!
//! The event log (`meeting_events`) stays the truth. A kept meeting is
//! the engine replayed up to a seq of the log; it is used only when the
//! log's last seq, read in the writing transaction, is that seq (or later:
//! the missing events, written by another process, are replayed onto it),
//! and it is given back to the store only after the transaction commits.

use crate::{Backend, Store, StoreError, Tx};
use kansli_core::limits::{self, Kind};
use kansli_core::meeting::{Actor, Ballot, MeetingRecord, MeetingStatus, ProposalKind, VoteChoice};
use kansli_core::proceedings::{Command, Proceedings, Step};
use kansli_core::{MeetingId, PersonId, Refusal};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::Weak;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// Whether a command accepted by the engine leaves every public output as
/// it was: the one place that says so. Public outputs (pages, API,
/// documents) are read from the meeting's stored rows, which are the
/// engine's record ([`Proceedings::record`]); the log itself is shown only
/// to staff.
///
/// - `CastVote` and `CorrectVote`: the engine keeps a ballot in the vote
///   under way, which the record leaves out until `CountVotes` puts the
///   vote with every ballot into the paragraph (and the voter is already
///   present and deciding, so attendance does not change either). The
///   count is public, and empties the caches.
///
/// The store checks this against what it writes: a command listed here
/// that changed a row after all is committed as public.
pub fn leaves_public_unchanged(command: &Command) -> bool {
    match command {
        Command::CastVote { .. } | Command::CorrectVote { .. } => true,
        // The talarlista is not in the record (nor in the protocol).
        Command::RequestFloor { .. }
        | Command::WithdrawFloorRequest { .. }
        | Command::GiveFloor { .. }
        | Command::EndSpeech => true,
        _ => false,
    }
}

/// A change of a live meeting, announced after its commit: `seq` is the
/// meeting's change number ([`Store::live_seq`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LiveChange {
    pub meeting: MeetingId,
    pub seq: i64,
}

/// A meeting kept replayed up to `seq` of its log.
#[derive(Clone)]
pub(crate) struct Kept {
    pub(crate) seq: i64,
    pub(crate) proceedings: Proceedings,
    /// The engine's record at `seq`, as the rows were last written from it
    /// (`None`: compute it from `proceedings`).
    pub(crate) raw: Option<MeetingRecord>,
    /// The record as stored at `seq`, prose included (`None`: read the
    /// rows).
    pub(crate) stored: Option<MeetingRecord>,
    /// Whether the next command rewrites every row: kept by a read or
    /// replayed from scratch in this process, so the rows are made the
    /// projection of this code once.
    pub(crate) full_write: bool,
    used: std::time::Instant,
}

impl Kept {
    pub(crate) fn new(seq: i64, proceedings: Proceedings) -> Kept {
        Kept {
            seq,
            proceedings,
            raw: None,
            stored: None,
            full_write: true,
            used: std::time::Instant::now(),
        }
    }
}

/// How many meetings a store keeps replayed.
const KEPT: usize = 32;

/// The store's live state, shared by its clones.
pub(crate) struct Live {
    pub(crate) url: String,
    enabled: bool,
    kept: Mutex<HashMap<MeetingId, Kept>>,
    sender: broadcast::Sender<LiveChange>,
    /// The last change number announced per meeting.
    known: Mutex<HashMap<MeetingId, i64>>,
    watching: AtomicBool,
    /// Dropped with the store: the watching tasks end.
    _shutdown: tokio::sync::watch::Sender<()>,
    shutdown: tokio::sync::watch::Receiver<()>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Live {
    pub(crate) fn new(url: String, enabled: bool) -> Live {
        let (tx, rx) = tokio::sync::watch::channel(());
        Live {
            url,
            enabled,
            kept: Mutex::default(),
            sender: broadcast::channel(1024).0,
            known: Mutex::default(),
            watching: AtomicBool::new(false),
            _shutdown: tx,
            shutdown: rx,
        }
    }

    fn take(&self, meeting: MeetingId) -> Option<Kept> {
        lock(&self.kept).remove(&meeting)
    }

    /// A copy of the meeting's engine when kept at `seq`.
    fn peek(&self, meeting: MeetingId, seq: i64) -> Option<Proceedings> {
        let mut kept = lock(&self.kept);
        let k = kept.get_mut(&meeting).filter(|k| k.seq == seq)?;
        k.used = std::time::Instant::now();
        Some(k.proceedings.clone())
    }

    /// Keeps a meeting, unless a later state of it is kept already.
    fn put(&self, meeting: MeetingId, mut k: Kept) {
        if !self.enabled {
            return;
        }
        k.used = std::time::Instant::now();
        let mut kept = lock(&self.kept);
        match kept.get(&meeting) {
            Some(e) if e.seq > k.seq || (e.seq == k.seq && k.full_write) => {}
            _ => {
                kept.insert(meeting, k);
            }
        }
        while kept.len() > KEPT {
            let Some(oldest) = kept.iter().min_by_key(|(_, k)| k.used).map(|(m, _)| *m) else {
                break;
            };
            kept.remove(&oldest);
        }
    }

    fn clear_stored(&self, meeting: MeetingId) {
        if let Some(k) = lock(&self.kept).get_mut(&meeting) {
            k.stored = None;
        }
    }

    /// Announces a change unless one as late was announced.
    fn announce(&self, meeting: MeetingId, seq: i64) {
        let mut known = lock(&self.known);
        let last = known.entry(meeting).or_insert(0);
        if seq > *last {
            *last = seq;
            // No receiver is no error: nobody follows the meeting.
            let _ = self.sender.send(LiveChange { meeting, seq });
        }
    }
}

/// A transaction's share of the live state: the meetings it read or ran
/// (`written`: ahead of the database until the commit), the meetings whose
/// rows it changed outside the engine, the change numbers it took.
pub(crate) struct TxLive {
    shared: Arc<Live>,
    kept: HashMap<MeetingId, (Kept, bool)>,
    stale: Vec<MeetingId>,
    touched: BTreeMap<MeetingId, i64>,
}

impl TxLive {
    pub(crate) fn new(shared: Arc<Live>) -> TxLive {
        TxLive {
            shared,
            kept: HashMap::new(),
            stale: Vec::new(),
            touched: BTreeMap::new(),
        }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.shared.enabled
    }

    pub(crate) fn get(&self, meeting: MeetingId) -> Option<&Kept> {
        self.kept.get(&meeting).map(|(k, _)| k)
    }

    pub(crate) fn get_mut(&mut self, meeting: MeetingId) -> Option<&mut Kept> {
        self.kept.get_mut(&meeting).map(|(k, _)| k)
    }

    /// The kept meeting is ahead of the database from now on.
    pub(crate) fn mark_written(&mut self, meeting: MeetingId) {
        if let Some((_, written)) = self.kept.get_mut(&meeting) {
            *written = true;
        }
    }

    /// The meeting's rows were changed outside the engine (a prose edit):
    /// what was kept of them as written is read again.
    pub(crate) fn stale(&mut self, meeting: MeetingId) {
        if let Some((k, _)) = self.kept.get_mut(&meeting) {
            k.stored = None;
        }
        self.stale.push(meeting);
    }

    /// After the commit: the meetings kept, the changes announced.
    pub(crate) fn committed(mut self) {
        for (meeting, (k, _)) in std::mem::take(&mut self.kept) {
            self.shared.put(meeting, k);
        }
        for meeting in std::mem::take(&mut self.stale) {
            self.shared.clear_stored(meeting);
        }
        for (meeting, seq) in std::mem::take(&mut self.touched) {
            self.shared.announce(meeting, seq);
        }
    }
}

impl Drop for TxLive {
    /// Rolled back (or committed, when nothing is left): a meeting only
    /// read is as true as when it was taken and goes back; one run ahead
    /// of the database is dropped.
    fn drop(&mut self) {
        for (meeting, (k, written)) in std::mem::take(&mut self.kept) {
            if !written {
                self.shared.put(meeting, k);
            }
        }
    }
}

impl Tx {
    /// Takes the meeting's next change number, once per transaction, and
    /// with it the lock on the meeting's row of `meeting_live`, which puts
    /// the meeting's writers in line on PostgreSQL (SQLite has one writer).
    /// On PostgreSQL the change is notified to other processes at commit.
    pub(crate) async fn touch_live(&mut self, meeting: MeetingId) -> Result<i64, StoreError> {
        if let Some(seq) = self.live.touched.get(&meeting) {
            return Ok(*seq);
        }
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO meeting_live (meeting_id, live_seq) VALUES ($1, 1) \
             ON CONFLICT (meeting_id) DO UPDATE SET live_seq = meeting_live.live_seq + 1 \
             RETURNING live_seq",
        )
        .bind(meeting.0)
        .fetch_one(&mut *self.tx)
        .await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify('kansli_live', $1)")
                .bind(format!("{}:{seq}", meeting.0))
                .execute(&mut *self.tx)
                .await?;
        }
        self.live.touched.insert(meeting, seq);
        Ok(seq)
    }

    /// The log's last seq for the meeting, as this transaction sees it.
    async fn last_seq(&mut self, meeting: MeetingId) -> Result<i64, StoreError> {
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM meeting_events WHERE meeting_id = $1")
                .bind(meeting.0)
                .fetch_one(&mut *self.tx)
                .await?;
        Ok(seq.unwrap_or(0))
    }

    /// Makes the meeting's engine, up to the log's last seq, this
    /// transaction's: kept already, or the store's kept one (with any
    /// events another process appended replayed onto it), or replayed
    /// from the whole log (`fresh`: always so). Freezes the setting if no
    /// command was recorded yet.
    pub(crate) async fn load_kept(
        &mut self,
        meeting: MeetingId,
        fresh: bool,
    ) -> Result<(), StoreError> {
        let last = self.last_seq(meeting).await?;
        if !fresh && self.live.get(meeting).is_some_and(|k| k.seq == last) {
            return Ok(());
        }
        self.live.kept.remove(&meeting);
        let shared = if fresh {
            None
        } else {
            self.live.shared.take(meeting)
        };
        let corrupt = |r: Refusal| {
            StoreError::Corrupt(format!("sammanträdets logg går inte att spela upp: {r}"))
        };
        let mut kept = match shared {
            Some(k) if k.seq == last => k,
            Some(mut k) if k.seq < last => {
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT seq, command FROM meeting_events WHERE meeting_id = $1 AND seq > $2 ORDER BY seq",
                )
                .bind(meeting.0)
                .bind(k.seq)
                .fetch_all(&mut *self.tx)
                .await?;
                for (seq, command) in rows {
                    if seq != k.seq + 1 {
                        return Err(StoreError::Corrupt(format!(
                            "sammanträdets logg saknar händelse {}",
                            k.seq + 1
                        )));
                    }
                    let command: Command = serde_json::from_str(&command)?;
                    k.proceedings.apply(command).map_err(|r| {
                        corrupt(Refusal {
                            at: format!("händelse {seq}: {}", r.at),
                            reason: r.reason,
                        })
                    })?;
                    k.seq = seq;
                }
                // Written by the other process from the same log.
                k.raw = None;
                k.stored = None;
                k
            }
            _ => {
                let setting = self.frozen_setting(meeting).await?;
                let log = crate::read::meeting_events_in(&mut self.tx, meeting).await?;
                if log.len() as i64 != last {
                    return Err(StoreError::Corrupt(format!(
                        "sammanträdets logg har {} händelser men slutar på nummer {last}",
                        log.len()
                    )));
                }
                Kept::new(last, Proceedings::replay(setting, &log).map_err(corrupt)?)
            }
        };
        if self.live.stale.contains(&meeting) {
            kept.stored = None;
        }
        self.live.kept.insert(meeting, (kept, false));
        Ok(())
    }
}

impl Store {
    /// The engine over a meeting begun, as kept at the log's last seq: a
    /// copy without reading or replaying the log. `None` when not kept.
    pub(crate) async fn kept_proceedings(
        &self,
        meeting: MeetingId,
    ) -> Result<Option<Proceedings>, StoreError> {
        if !self.live.enabled {
            return Ok(None);
        }
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM meeting_events WHERE meeting_id = $1")
                .bind(meeting.0)
                .fetch_one(self.pool())
                .await?;
        Ok(last.and_then(|last| self.live.peek(meeting, last)))
    }

    /// Keeps a meeting's engine read from its whole log.
    pub(crate) fn keep_read(&self, meeting: MeetingId, proceedings: &Proceedings) {
        if self.live.enabled && !proceedings.log().is_empty() {
            self.live.put(
                meeting,
                Kept::new(proceedings.log().len() as i64, proceedings.clone()),
            );
        }
    }
}

/// The answer to a member's ballot, given only after it is committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub choice: VoteChoice,
    /// When the ballot now counted was received.
    pub at: jiff::Timestamp,
    /// The answer given before to the same form (the same key), or to a
    /// ballot already so: nothing was recorded now.
    pub replayed: bool,
}

/// A member who checked in on their own device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckIn {
    pub person: PersonId,
    pub at: jiff::Timestamp,
}

/// What became of a yrkande handed in in writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ProposalStatus {
    Pending,
    /// Entered into the record by the engine's `Move` at this event.
    Accepted {
        event_seq: i64,
    },
    Declined,
}

/// A yrkande handed in in writing by a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenProposal {
    pub id: i64,
    pub meeting: MeetingId,
    /// The agenda position (of the setting) open when it was handed in.
    pub item: usize,
    pub person: PersonId,
    pub kind: ProposalKind,
    pub text: String,
    pub at: jiff::Timestamp,
    pub status: ProposalStatus,
}

/// The votering of the item now open: who has voted, and how only once
/// the votes are counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BallotStatus {
    /// The seq of the event that opened the votering.
    pub vote_seq: i64,
    pub counted: bool,
    /// Who takes part in decisions now (may vote).
    pub deciding: Vec<PersonId>,
    /// Who has voted, in the order the ballots came.
    pub voted: Vec<PersonId>,
    /// Every ballot, once counted; empty until then.
    pub ballots: Vec<Ballot>,
}

fn timestamp(s: &str) -> Result<jiff::Timestamp, StoreError> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("tidpunkt «{s}»: {e}")))
}

/// The seq of the event that opened the last votering in the log (0: none).
fn vote_seq(log: &[Command]) -> i64 {
    log.iter()
        .rposition(|c| matches!(c, Command::ApproveVotingOrder { .. }))
        .map_or(0, |i| i as i64 + 1)
}

impl Tx {
    /// A member's own ballot (Ja, Nej, Avstår) in the votering under way:
    /// the engine's `CastVote`, or its `CorrectVote` when the member has
    /// voted otherwise before, recorded with the receipt in this
    /// transaction. The same `key` (the form's one-time key) again is
    /// answered with the first receipt; a ballot as already given with
    /// the receipt again. A ballot the engine refuses (no votering, the
    /// votes counted, not serving, jäv) is refused with its reason and
    /// writes nothing.
    pub async fn cast_ballot(
        &mut self,
        meeting: MeetingId,
        person: PersonId,
        choice: VoteChoice,
        key: &str,
    ) -> Result<Receipt, StoreError> {
        let key = key.trim();
        if key.is_empty() {
            return Err(Refusal::new("rösten", "formuläret saknar sin engångsnyckel").into());
        }
        limits::check("engångsnyckel", Kind::Code, key)?;
        crate::read::meeting_in(&mut self.tx, meeting).await?;
        // In line with the meeting's other writers from here on.
        self.touch_live(meeting).await?;
        let first: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT person_id, choice, received_at FROM ballot_receipts WHERE meeting_id = $1 AND once_key = $2",
        )
        .bind(meeting.0)
        .bind(key)
        .fetch_optional(&mut *self.tx)
        .await?;
        if let Some((who, given, at)) = first {
            if who != person.0 {
                return Err(Refusal::new("rösten", "engångsnyckeln hör till en annan röst").into());
            }
            let choice = VoteChoice::from_code(&given)
                .ok_or_else(|| StoreError::Corrupt(format!("röst «{given}»")))?;
            return Ok(Receipt {
                choice,
                at: timestamp(&at)?,
                replayed: true,
            });
        }
        self.load_kept(meeting, false).await?;
        let kept = self.live.get(meeting).expect("just loaded");
        let open = vote_seq(kept.proceedings.log());
        let snapshot = kept.proceedings.snapshot();
        let earlier = (snapshot.step == Step::Voting)
            .then(|| snapshot.ballots.iter().find(|b| b.person == person))
            .flatten()
            .map(|b| b.choice);
        let command = match earlier {
            Some(c) if c == choice => {
                // Already so: the receipt again, kept for this key too.
                let at: Option<String> = sqlx::query_scalar(
                    "SELECT received_at FROM live_ballots WHERE meeting_id = $1 AND vote_seq = $2 AND person_id = $3",
                )
                .bind(meeting.0)
                .bind(open)
                .bind(person.0)
                .fetch_optional(&mut *self.tx)
                .await?;
                let at = at.unwrap_or_else(|| self.now.clone());
                self.keep_receipt(meeting, key, open, person, choice, &at)
                    .await?;
                self.audit_quiet(
                    "ballot",
                    "meeting",
                    Some(meeting.0),
                    json!({"person": person, "choice": choice.code(), "again": true}),
                )
                .await?;
                return Ok(Receipt {
                    choice,
                    at: timestamp(&at)?,
                    replayed: true,
                });
            }
            Some(_) => Command::CorrectVote { person, choice },
            None => Command::CastVote { person, choice },
        };
        self.record(meeting, &command, false).await?;
        let event_seq = self.live.get(meeting).map_or(0, |k| k.seq);
        let now = self.now.clone();
        sqlx::query(
            "INSERT INTO live_ballots (meeting_id, vote_seq, person_id, choice, once_key, event_seq, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (meeting_id, vote_seq, person_id) DO UPDATE SET choice = excluded.choice, \
             once_key = excluded.once_key, event_seq = excluded.event_seq, received_at = excluded.received_at",
        )
        .bind(meeting.0)
        .bind(open)
        .bind(person.0)
        .bind(choice.code())
        .bind(key)
        .bind(event_seq)
        .bind(&now)
        .execute(&mut *self.tx)
        .await?;
        self.keep_receipt(meeting, key, open, person, choice, &now)
            .await?;
        Ok(Receipt {
            choice,
            at: timestamp(&now)?,
            replayed: false,
        })
    }

    async fn keep_receipt(
        &mut self,
        meeting: MeetingId,
        key: &str,
        vote_seq: i64,
        person: PersonId,
        choice: VoteChoice,
        at: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO ballot_receipts (meeting_id, once_key, vote_seq, person_id, choice, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(meeting.0)
        .bind(key)
        .bind(vote_seq)
        .bind(person.0)
        .bind(choice.code())
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// A member or substitute of the body checks in on their own device.
    /// Attendance is still the engine's (the secretary confirms it with
    /// `Arrive`). A second check-in keeps the first time.
    pub async fn check_in(
        &mut self,
        meeting: MeetingId,
        person: PersonId,
    ) -> Result<CheckIn, StoreError> {
        let m = crate::read::meeting_in(&mut self.tx, meeting).await?;
        let at = "incheckningen";
        match m.status {
            MeetingStatus::Planned | MeetingStatus::NoticeIssued | MeetingStatus::InSession => {}
            MeetingStatus::Cancelled => {
                return Err(Refusal::new(at, "sammanträdet är inställt").into());
            }
            _ => return Err(Refusal::new(at, "sammanträdet är avslutat").into()),
        }
        let begun: Option<i64> =
            sqlx::query_scalar("SELECT meeting_id FROM meeting_sessions WHERE meeting_id = $1")
                .bind(meeting.0)
                .fetch_optional(&mut *self.tx)
                .await?;
        self.touch_live(meeting).await?;
        let seated = if begun.is_some() {
            // The roster frozen when the meeting began.
            self.load_kept(meeting, false).await?;
            let kept = self.live.get(meeting).expect("just loaded");
            kept.proceedings
                .setting()
                .roster
                .iter()
                .any(|s| s.person.id == person)
        } else {
            let seats: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM memberships s JOIN terms t ON t.id = s.term_id \
                 WHERE s.body_id = $1 AND s.person_id = $2 AND t.starts <= $3 AND t.ends >= $3",
            )
            .bind(m.body.0)
            .bind(person.0)
            .bind(m.date.to_string())
            .fetch_one(&mut *self.tx)
            .await?;
            seats > 0
        };
        if !seated {
            return Err(Refusal::new(
                at,
                format!(
                    "person {person} är varken ledamot eller ersättare i organet vid sammanträdet"
                ),
            )
            .into());
        }
        let before: Option<String> = sqlx::query_scalar(
            "SELECT checked_in_at FROM meeting_check_ins WHERE meeting_id = $1 AND person_id = $2",
        )
        .bind(meeting.0)
        .bind(person.0)
        .fetch_optional(&mut *self.tx)
        .await?;
        if let Some(t) = before {
            return Ok(CheckIn {
                person,
                at: timestamp(&t)?,
            });
        }
        sqlx::query(
            "INSERT INTO meeting_check_ins (meeting_id, person_id, checked_in_at) VALUES ($1, $2, $3)",
        )
        .bind(meeting.0)
        .bind(person.0)
        .bind(&self.now)
        .execute(&mut *self.tx)
        .await?;
        self.audit_quiet(
            "check_in",
            "meeting",
            Some(meeting.0),
            json!({"person": person}),
        )
        .await?;
        Ok(CheckIn {
            person,
            at: timestamp(&self.now)?,
        })
    }

    /// A yrkande handed in in writing on the item now open. The engine
    /// is asked first whether the member may move it now (its reason
    /// refuses); it enters the record only when accepted
    /// ([`Tx::accept_proposal`]).
    pub async fn submit_proposal(
        &mut self,
        meeting: MeetingId,
        person: PersonId,
        kind: ProposalKind,
        text: &str,
    ) -> Result<i64, StoreError> {
        let text = limits::normalize_newlines(text.trim());
        let text = text.trim();
        if text.is_empty() {
            return Err(Refusal::new("yrkandet", "texten saknas").into());
        }
        limits::check("yrkandet", Kind::FreeText, text)?;
        crate::read::meeting_in(&mut self.tx, meeting).await?;
        self.touch_live(meeting).await?;
        if self.last_seq_of(meeting).await? == 0 {
            return Err(Refusal::new("yrkandet", "sammanträdet har inte börjat").into());
        }
        self.load_kept(meeting, false).await?;
        let kept = self.live.get(meeting).expect("just loaded");
        let Some(item) = kept.proceedings.snapshot().open_item else {
            return Err(Refusal::new("yrkandet", "ingen punkt är uppe").into());
        };
        let mut probe = kept.proceedings.clone();
        probe.apply(written_move(person, kind, text))?;
        let id = self.next_id("written_proposals").await?;
        sqlx::query(
            "INSERT INTO written_proposals (id, meeting_id, item, person_id, kind, text, submitted_at, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending')",
        )
        .bind(id)
        .bind(meeting.0)
        .bind(item as i64)
        .bind(person.0)
        .bind(kind.code())
        .bind(text)
        .bind(&self.now)
        .execute(&mut *self.tx)
        .await?;
        self.audit_quiet(
            "submit_proposal",
            "meeting",
            Some(meeting.0),
            json!({"proposal": id, "person": person, "kind": kind.code(), "text": text}),
        )
        .await?;
        Ok(id)
    }

    async fn pending_proposal(
        &mut self,
        id: i64,
    ) -> Result<(MeetingId, usize, PersonId, ProposalKind, String), StoreError> {
        let row: Option<(i64, i64, i64, String, String, String)> = sqlx::query_as(
            "SELECT meeting_id, item, person_id, kind, text, status FROM written_proposals WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        let (meeting, item, person, kind, text, status) = row.ok_or(StoreError::NotFound {
            what: "yrkandet",
            id: id.to_string(),
        })?;
        match status.as_str() {
            "pending" => {}
            "accepted" => return Err(Refusal::new("yrkandet", "yrkandet är redan infört").into()),
            _ => return Err(Refusal::new("yrkandet", "yrkandet är redan avböjt").into()),
        }
        let kind = ProposalKind::ALL
            .into_iter()
            .find(|k| k.code() == kind)
            .ok_or_else(|| StoreError::Corrupt(format!("yrkandets slag «{kind}»")))?;
        Ok((
            MeetingId(meeting),
            item as usize,
            PersonId(person),
            kind,
            text,
        ))
    }

    /// Enters a written yrkande into the record: the engine's `Move` with
    /// the member as mover, on the item it was handed in on. Gives the
    /// record as stored.
    pub async fn accept_proposal(&mut self, id: i64) -> Result<MeetingRecord, StoreError> {
        let (meeting, item, person, kind, text) = self.pending_proposal(id).await?;
        self.touch_live(meeting).await?;
        self.load_kept(meeting, false).await?;
        let kept = self.live.get(meeting).expect("just loaded");
        if kept.proceedings.snapshot().open_item != Some(item) {
            return Err(Refusal::new(
                "yrkandet",
                "yrkandet lämnades på en annan punkt än den som är uppe",
            )
            .into());
        }
        let record = self
            .record_command(meeting, &written_move(person, kind, &text))
            .await?;
        let seq = self.live.get(meeting).map_or(0, |k| k.seq);
        sqlx::query(
            "UPDATE written_proposals SET status = 'accepted', event_seq = $2, decided_at = $3, decided_by = $4 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(seq)
        .bind(&self.now)
        .bind(self.actor().to_string())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "accept_proposal",
            "meeting",
            Some(meeting.0),
            json!({"proposal": id, "event": seq}),
        )
        .await?;
        Ok(record)
    }

    /// Declines a written yrkande (it was moved otherwise, or withdrawn
    /// orally): it stays in the list as declined.
    pub async fn decline_proposal(&mut self, id: i64) -> Result<(), StoreError> {
        let (meeting, ..) = self.pending_proposal(id).await?;
        self.touch_live(meeting).await?;
        sqlx::query(
            "UPDATE written_proposals SET status = 'declined', decided_at = $2, decided_by = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(&self.now)
        .bind(self.actor().to_string())
        .execute(&mut *self.tx)
        .await?;
        self.audit_quiet(
            "decline_proposal",
            "meeting",
            Some(meeting.0),
            json!({"proposal": id}),
        )
        .await
    }

    async fn last_seq_of(&mut self, meeting: MeetingId) -> Result<i64, StoreError> {
        self.last_seq(meeting).await
    }
}

fn written_move(person: PersonId, kind: ProposalKind, text: &str) -> Command {
    Command::Move {
        movers: vec![Actor::Person { person }],
        kind,
        text: text.to_string(),
        decision: None,
    }
}

impl Store {
    /// The meeting's last change number (0: none yet): the id of the live
    /// screens' events.
    pub async fn live_seq(&self, meeting: MeetingId) -> Result<i64, StoreError> {
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT live_seq FROM meeting_live WHERE meeting_id = $1")
                .bind(meeting.0)
                .fetch_optional(self.pool())
                .await?;
        Ok(seq.unwrap_or(0))
    }

    /// The live changes, each after its commit: those through this store
    /// at once; another process's by PostgreSQL's notification
    /// (`kansli_live`) and, on both databases, by a look at every meeting's
    /// change number each second (notifications are lost while the
    /// listener reconnects). A receiver that falls behind skips ahead
    /// (`RecvError::Lagged`) and should read the state again.
    pub fn live_changes(&self) -> broadcast::Receiver<LiveChange> {
        let rx = self.live.sender.subscribe();
        if !self.live.watching.swap(true, Ordering::AcqRel) {
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    let weak = Arc::downgrade(&self.live);
                    handle.spawn(poll(
                        self.pool().clone(),
                        weak.clone(),
                        self.live.shutdown.clone(),
                    ));
                    if self.backend() == Backend::Postgres {
                        handle.spawn(listen(
                            self.live.url.clone(),
                            weak,
                            self.live.shutdown.clone(),
                        ));
                    }
                }
                Err(_) => self.live.watching.store(false, Ordering::Release),
            }
        }
        rx
    }

    /// Who checked in on their own device, in order.
    pub async fn check_ins(&self, meeting: MeetingId) -> Result<Vec<CheckIn>, StoreError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT person_id, checked_in_at FROM meeting_check_ins WHERE meeting_id = $1 \
             ORDER BY checked_in_at, person_id",
        )
        .bind(meeting.0)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(p, at)| {
                Ok(CheckIn {
                    person: PersonId(p),
                    at: timestamp(&at)?,
                })
            })
            .collect()
    }

    /// The yrkanden handed in in writing, in order.
    pub async fn written_proposals(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<WrittenProposal>, StoreError> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, i64, i64, String, String, String, String, Option<i64>)> =
            sqlx::query_as(
                "SELECT id, item, person_id, kind, text, submitted_at, status, event_seq \
                 FROM written_proposals WHERE meeting_id = $1 ORDER BY id",
            )
            .bind(meeting.0)
            .fetch_all(self.pool())
            .await?;
        rows.into_iter()
            .map(|(id, item, person, kind, text, at, status, event_seq)| {
                Ok(WrittenProposal {
                    id,
                    meeting,
                    item: item as usize,
                    person: PersonId(person),
                    kind: ProposalKind::ALL
                        .into_iter()
                        .find(|k| k.code() == kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("yrkandets slag «{kind}»")))?,
                    text,
                    at: timestamp(&at)?,
                    status: match (status.as_str(), event_seq) {
                        ("pending", _) => ProposalStatus::Pending,
                        ("accepted", Some(event_seq)) => ProposalStatus::Accepted { event_seq },
                        ("declined", _) => ProposalStatus::Declined,
                        (other, _) => {
                            return Err(StoreError::Corrupt(format!("yrkandets status «{other}»")));
                        }
                    },
                })
            })
            .collect()
    }

    /// The votering on the item now open, from the engine: who has voted
    /// (not how) while it is open; every ballot once counted. `None` when
    /// the open item has had no votering (or no item is open).
    pub async fn ballot_status(
        &self,
        meeting: MeetingId,
    ) -> Result<Option<BallotStatus>, StoreError> {
        let p = self.proceedings(meeting).await?;
        let log = p.log();
        let opened = vote_seq(log);
        let taken_up = log
            .iter()
            .rposition(|c| matches!(c, Command::TakeUp { .. } | Command::Reopen { .. }))
            .map_or(0, |i| i as i64 + 1);
        if opened == 0 || opened < taken_up {
            return Ok(None);
        }
        let s = p.snapshot();
        if s.step == Step::Voting {
            return Ok(Some(BallotStatus {
                vote_seq: opened,
                counted: false,
                deciding: s.deciding,
                voted: s.ballots.iter().map(|b| b.person).collect(),
                ballots: vec![],
            }));
        }
        let Some(vote) = s.paragraph.as_ref().and_then(|x| x.votes.last()) else {
            return Ok(None);
        };
        Ok(Some(BallotStatus {
            vote_seq: opened,
            counted: true,
            deciding: s.deciding,
            voted: vote.ballots.iter().map(|b| b.person).collect(),
            ballots: vote.ballots.clone(),
        }))
    }
}

/// The safety net: every second, the change number of every meeting not
/// yet justerat, announced when it moved (another process wrote).
async fn poll(
    pool: sqlx::AnyPool,
    live: Weak<Live>,
    mut shutdown: tokio::sync::watch::Receiver<()>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut first = true;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        if pool.is_closed() {
            return;
        }
        let rows: Result<Vec<(i64, i64)>, _> = sqlx::query_as(
            "SELECT l.meeting_id, l.live_seq FROM meeting_live l JOIN meetings m ON m.id = l.meeting_id \
             WHERE m.status NOT IN ('approved', 'notice_posted', 'cancelled')",
        )
        .fetch_all(&pool)
        .await;
        let Some(live) = live.upgrade() else { return };
        match rows {
            Ok(rows) => {
                for (meeting, seq) in rows {
                    if first {
                        // Where things stand when watching begins.
                        let mut known = lock(&live.known);
                        let last = known.entry(MeetingId(meeting)).or_insert(0);
                        *last = (*last).max(seq);
                    } else {
                        live.announce(MeetingId(meeting), seq);
                    }
                }
                first = false;
            }
            Err(e) => tracing::warn!(error = %e, "live changes could not be read"),
        }
    }
}

/// PostgreSQL's notifications of other processes' commits.
async fn listen(url: String, live: Weak<Live>, mut shutdown: tokio::sync::watch::Receiver<()>) {
    use sqlx::postgres::PgListener;
    loop {
        let listener = async {
            let mut l = PgListener::connect(&url).await?;
            l.listen("kansli_live").await?;
            Ok::<_, sqlx::Error>(l)
        };
        let listener = tokio::select! {
            l = listener => l,
            _ = shutdown.changed() => return,
        };
        let mut listener = match listener {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "live notifications: no listener");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(5)) => continue,
                    _ = shutdown.changed() => return,
                }
            }
        };
        loop {
            let next = tokio::select! {
                n = listener.try_recv() => n,
                _ = shutdown.changed() => return,
            };
            match next {
                Ok(Some(n)) => {
                    let Some(live) = live.upgrade() else { return };
                    if let Some((m, seq)) = n.payload().split_once(':')
                        && let (Ok(m), Ok(seq)) = (m.parse(), seq.parse())
                    {
                        live.announce(MeetingId(m), seq);
                    }
                }
                // The connection was lost and is made again at the next
                // call; the poll covers what was missed.
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "live notifications lost");
                    break;
                }
            }
        }
    }
}

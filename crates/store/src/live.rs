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
use kansli_core::meeting::MeetingRecord;
use kansli_core::proceedings::{Command, Proceedings};
use kansli_core::{MeetingId, Refusal};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
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
        // #20 L1: the talarlista commands (RequestFloor,
        // WithdrawFloorRequest, GiveFloor, EndSpeech) belong here, one arm
        // each, once they exist: the floor is not in the record.
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
    #[allow(dead_code)]
    watching: AtomicBool,
    /// Dropped with the store: the watching tasks end.
    _shutdown: tokio::sync::watch::Sender<()>,
    #[allow(dead_code)]
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

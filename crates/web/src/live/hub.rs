//! The hub: per watched meeting one `watch` of [`LiveState`] and one task
//! that rebuilds it when the meeting changes.
//!
//! A change is told by [`Hub::changed`] (the web's own writes, at once) and
//! found by a safety net that looks at `Store::data_version` every
//! [`POLL`] (writes by another process, a protocol justerat). Each build
//! reads the meeting once ([`LiveData::load`]) and renders every audience's
//! fragment once; builds are at least [`MIN_GAP`] apart, so a burst of
//! ballots costs at most [`RENDERS_PER_SECOND`] builds a second. A meeting
//! nobody has watched for [`IDLE`] is forgotten.

use super::{LiveData, Shown};
use crate::error::WebError;
use crate::view::LiveShown;
use askama::Template;
use kansli_core::MeetingId;
use kansli_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};

pub const RENDERS_PER_SECOND: u32 = 4;
/// The least time between two builds of one meeting.
pub const MIN_GAP: Duration = Duration::from_millis(1000 / RENDERS_PER_SECOND as u64);
/// How often the safety net looks for changes not told.
pub const POLL: Duration = Duration::from_secs(1);
/// How long a page waits for the hub to catch up with a commit.
pub const CATCH_UP: Duration = Duration::from_secs(2);
/// How long a meeting nobody watches stays in the hub.
pub const IDLE: Duration = Duration::from_secs(60);

/// One build of a meeting's live state: every audience's fragment,
/// rendered once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveState {
    pub meeting: MeetingId,
    /// The meeting's live sequence: the SSE event id.
    pub seq: i64,
    /// "Regionstyrelsen 2025-05-06".
    pub title: String,
    /// The public live page's fragment: `None` when the public may see
    /// nothing of the proceedings now ([`LiveShown::Nothing`]).
    pub public: Option<String>,
    /// The big screen's fragment, by the same rule.
    pub storbild: Option<String>,
    /// What the public is told instead when `public` is `None`.
    pub notice: String,
    pub member: String,
    pub chair: String,
    pub secretary: String,
}

impl LiveState {
    /// The public's fragment, or the notice in its place.
    pub fn public_or_notice(&self) -> &str {
        self.public.as_deref().unwrap_or(&self.notice)
    }

    pub fn storbild_or_notice(&self) -> &str {
        self.storbild.as_deref().unwrap_or(&self.notice)
    }
}

struct Watched {
    tx: watch::Sender<Arc<LiveState>>,
    poke: Notify,
}

/// The live meetings being watched; one per app ([`crate::AppState::live`]).
pub struct Hub {
    store: Store,
    meetings: Mutex<HashMap<MeetingId, Arc<Watched>>>,
    /// Builds so far (for tests and the load bench).
    builds: std::sync::atomic::AtomicU64,
}

impl Hub {
    pub fn new(store: Store) -> Hub {
        Hub {
            store,
            meetings: Mutex::default(),
            builds: Default::default(),
        }
    }

    /// How many states have been built since the start.
    pub fn builds(&self) -> u64 {
        self.builds.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A receiver of the meeting's live state, the current state in it;
    /// the first watcher of a meeting builds it. `NotFound` for a meeting
    /// that does not exist.
    pub async fn subscribe(
        self: &Arc<Self>,
        meeting: MeetingId,
    ) -> Result<watch::Receiver<Arc<LiveState>>, WebError> {
        if let Some(w) = self.lock().get(&meeting) {
            return Ok(w.tx.subscribe());
        }
        let version = self.store.data_version(crate::cache::MAX_AGE).await?;
        let first = Arc::new(build(&self.store, meeting, &mut Timer::default()).await?);
        self.builds
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut map = self.lock();
        if let Some(w) = map.get(&meeting) {
            // Another watcher came first while this one built.
            return Ok(w.tx.subscribe());
        }
        let (tx, rx) = watch::channel(first);
        let w = Arc::new(Watched {
            tx,
            poke: Notify::new(),
        });
        map.insert(meeting, w.clone());
        drop(map);
        tokio::spawn(run(Arc::downgrade(self), meeting, w, version));
        Ok(rx)
    }

    /// The meeting's current live state (watching it from now on), at
    /// least as new as what was committed when asked: a page loaded just
    /// after a change shows it. A state behind the store's change number
    /// waits for the hub's next build (one build however many ask) for
    /// at most [`CATCH_UP`], then is served as it is.
    pub async fn current(self: &Arc<Self>, meeting: MeetingId) -> Result<Arc<LiveState>, WebError> {
        let mut rx = self.subscribe(meeting).await?;
        let committed = self.store.live_seq(meeting).await?;
        if rx.borrow().seq < committed {
            self.changed(meeting);
            let caught_up = async {
                while rx.borrow_and_update().seq < committed {
                    if rx.changed().await.is_err() {
                        return;
                    }
                }
            };
            let _ = tokio::time::timeout(CATCH_UP, caught_up).await;
        }
        Ok(rx.borrow().clone())
    }

    /// Follows a stream of changes (#20 L2: `Store::live_changes()`, with
    /// `|c| c.meeting`): each one is [`Hub::changed`]; after a lag every
    /// watched meeting is rebuilt. Ends when the sender is gone.
    pub fn follow<T: Clone + Send + 'static>(
        self: &Arc<Self>,
        mut changes: tokio::sync::broadcast::Receiver<T>,
        meeting_of: fn(&T) -> MeetingId,
    ) {
        use tokio::sync::broadcast::error::RecvError;
        let hub = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let change = changes.recv().await;
                let Some(hub) = hub.upgrade() else {
                    return;
                };
                match change {
                    Ok(c) => hub.changed(meeting_of(&c)),
                    Err(RecvError::Lagged(_)) => {
                        for w in hub.lock().values() {
                            w.poke.notify_one();
                        }
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    /// Tells the hub the meeting has changed (after the commit): its
    /// watchers get the new state within [`MIN_GAP`] and one build.
    pub fn changed(&self, meeting: MeetingId) {
        if let Some(w) = self.lock().get(&meeting) {
            w.poke.notify_one();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<MeetingId, Arc<Watched>>> {
        self.meetings.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// When each speech began, as the hub first saw it (the engine's log
/// says which command gave the floor, not the time).
#[derive(Default)]
pub(crate) struct Timer {
    speech: Option<(usize, jiff::Timestamp)>,
}

impl Timer {
    /// The start of the speech given by the log's command `since`.
    pub(crate) fn started(&mut self, since: Option<usize>) -> Option<jiff::Timestamp> {
        match (since, self.speech) {
            (None, _) => {
                self.speech = None;
                None
            }
            (Some(i), Some((j, at))) if i == j => Some(at),
            (Some(i), _) => {
                let at = jiff::Timestamp::now();
                self.speech = Some((i, at));
                Some(at)
            }
        }
    }
}

/// The meeting's task: waits for a change (told, or found by the safety
/// net), keeps builds [`MIN_GAP`] apart, sends what changed; ends when the
/// hub is gone or nobody has watched for [`IDLE`].
async fn run(hub: Weak<Hub>, meeting: MeetingId, w: Arc<Watched>, mut version: u64) {
    let mut last_build = Instant::now();
    let mut idle_since: Option<Instant> = None;
    let mut timer = Timer::default();
    loop {
        let told = tokio::select! {
            _ = w.poke.notified() => true,
            _ = tokio::time::sleep(POLL) => false,
        };
        let Some(hub) = hub.upgrade() else {
            return;
        };
        if w.tx.receiver_count() == 0 {
            let since = *idle_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= IDLE {
                let mut map = hub.lock();
                // A watcher may have come while the lock was not held.
                if w.tx.receiver_count() == 0 {
                    map.remove(&meeting);
                    return;
                }
            }
        } else {
            idle_since = None;
        }
        let now = match hub.store.data_version(crate::cache::MAX_AGE).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(meeting = meeting.0, error = %e, "live: data version not read");
                continue;
            }
        };
        if !told && now == version {
            continue;
        }
        let wait = (last_build + MIN_GAP).saturating_duration_since(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        last_build = Instant::now();
        version = now;
        match build(&hub.store, meeting, &mut timer).await {
            Ok(state) => {
                hub.builds
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                w.tx.send_if_modified(|old| {
                    if **old == state {
                        false
                    } else {
                        *old = Arc::new(state);
                        true
                    }
                });
            }
            Err(e) => tracing::error!(meeting = meeting.0, error = %e, "live: state not built"),
        }
    }
}

/// The state of the meeting: the public's (and the big screen's) with
/// secrecy applied, or everything for those in the meeting.
#[derive(Template)]
#[template(path = "live_public_fragment.html")]
struct StateFragment<'a> {
    s: &'a Shown,
}

#[derive(Template)]
#[template(path = "live_protocol_fragment.html")]
struct ProtocolFragment<'a> {
    m: &'a crate::view::MeetingView,
}

#[derive(Template)]
#[template(path = "live_notice_fragment.html")]
struct NoticeFragment<'a> {
    notice: &'a str,
}

/// The members' fragment: the item, the talarlista and, while a votering
/// is open, the ballot form (its csrf and key filled in by live.js, or by
/// the page when it is rendered for one member).
#[derive(Template)]
#[template(path = "live_member_fragment.html")]
pub(crate) struct MemberFragment<'a> {
    pub s: &'a Shown,
    pub meeting: i64,
    pub csrf: &'a str,
    pub once: &'a str,
    /// The ballot form: false where the page has its own.
    pub form: bool,
}

#[derive(Template)]
#[template(path = "live_secretary_fragment.html")]
struct SecretaryFragment<'a> {
    s: &'a Shown,
    /// Checked in, attendance not recorded: "Per Persson (S), 13:02".
    waiting: Vec<String>,
    /// Written yrkanden not yet accepted or declined.
    pending: Vec<String>,
}

/// Builds the meeting's live state: one read, each fragment once.
async fn build(
    store: &Store,
    meeting: MeetingId,
    timer: &mut Timer,
) -> Result<LiveState, WebError> {
    let mut data = LiveData::load(store, meeting).await?;
    let since = data
        .snapshot
        .as_ref()
        .and_then(|s| s.floor.speaking.as_ref())
        .map(|s| s.since);
    // The time the store wrote the command that gave the floor; the
    // hub's own first sight when the store has none.
    let written = match since {
        Some(i) => store
            .meeting_event_at(meeting, i)
            .await?
            .and_then(|t| t.parse::<jiff::Timestamp>().ok()),
        None => None,
    };
    let seen = timer.started(since);
    data.speaking_since = written.or(seen);
    Ok(render(&data)?)
}

/// Every audience's fragment of `data`.
pub fn render(data: &LiveData) -> Result<LiveState, askama::Error> {
    let official = Shown::of(data, true);
    let (public, storbild) = match data.shown() {
        LiveShown::Nothing => (None, None),
        LiveShown::Live => {
            let f = StateFragment {
                s: &Shown::of(data, false),
            }
            .render()?;
            (Some(f.clone()), Some(f))
        }
        LiveShown::Protocol => match &data.protocol {
            Some(m) => {
                let f = ProtocolFragment { m }.render()?;
                (Some(f.clone()), Some(f))
            }
            None => (None, None),
        },
    };
    let notice = {
        use kansli_core::meeting::MeetingStatus as S;
        let text = match &data.meeting.status {
            S::Cancelled => "Sammanträdet är inställt.",
            S::Planned | S::NoticeIssued => {
                "Sammanträdet har inte börjat. Är det offentligt visas här vad som händer när det har öppnats."
            }
            _ => {
                "Här visas bara det som är offentligt: vad som händer på ett sammanträde inför öppna dörrar medan det pågår, annars protokollet när det har justerats."
            }
        };
        NoticeFragment { notice: text }.render()?
    };
    let member = MemberFragment {
        s: &official,
        meeting: data.meeting.id.0,
        csrf: "",
        once: "",
        form: true,
    }
    .render()?;
    let chair = StateFragment { s: &official }.render()?;
    let present = |x: kansli_core::PersonId| {
        data.snapshot
            .as_ref()
            .is_some_and(|s| s.present.iter().any(|(p, _)| *p == x))
    };
    let secretary = SecretaryFragment {
        s: &official,
        waiting: data
            .check_ins
            .iter()
            .filter(|c| !present(c.person))
            .map(|c| {
                format!(
                    "{}, kl. {}",
                    data.name(c.person),
                    super::member::clock_hm(&c.at.to_string())
                )
            })
            .collect(),
        pending: data
            .written
            .iter()
            .filter(|w| w.status == kansli_store::live::ProposalStatus::Pending)
            .map(|w| {
                format!(
                    "{}: {} – {}",
                    data.name(w.person),
                    w.kind.label_sv(),
                    w.text
                )
            })
            .collect(),
    }
    .render()?;
    Ok(LiveState {
        meeting: data.meeting.id,
        seq: data.seq,
        title: data.title.clone(),
        public,
        storbild,
        notice,
        member,
        chair,
        secretary,
    })
}

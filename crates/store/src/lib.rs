//! Kansli's persistence: one schema on SQLite (the embedded default) and
//! PostgreSQL, through sqlx's Any driver.
//!
//! Writes go through a [`Tx`]: one database transaction that also appends one
//! audit record per change, committed together or not at all. Everything that
//! comes in is checked by the rules in `kansli-core` before it is written; a
//! refusal leaves the database as it was.
//!
//! Reads return `kansli-core` types, or the small read models in [`read`].

pub mod access;
pub mod delegation;
pub mod diarium;
mod error;
pub mod files;
// #20 L1: the body's rules of debate.
pub mod floor_rules;
pub mod follow;
pub mod idempotency;
pub mod imports;
pub mod lifecycle;
pub mod live;
pub mod members;
pub mod planning;
pub mod protocol_documents;
pub mod protocols;
pub mod publication;
pub mod read;
mod secrecy;
pub mod sign_in;
pub mod tokens;
mod write;

pub use error::StoreError;
pub use live::{LiveChange, Receipt};
pub use protocol_documents::ProtocolDocument;
pub use read::*;
pub use write::Tx;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Connection, Executor};
use std::sync::Arc;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time; taking this lock before a write
    /// transaction turns "database is locked" into waiting in line.
    write_lock: Option<Arc<tokio::sync::Mutex<()>>>,
    version: Arc<Version>,
    /// The meetings run with the engine, kept replayed between commands,
    /// and the live changes' broadcast (`live.rs`).
    live: Arc<live::Live>,
}

/// How far the data has come, for caches of what is read from it: bumped by
/// every commit through this store (and its clones), and when writes by
/// another process show up as new audit records (every write appends one).
#[derive(Debug, Default)]
pub(crate) struct Version {
    pub(crate) local: std::sync::atomic::AtomicU64,
    audit_max: std::sync::atomic::AtomicI64,
    checked: std::sync::Mutex<Option<std::time::Instant>>,
}

/// Turns what a user types into a database URL: a URL is kept, a plain path
/// becomes a SQLite file that is created when missing.
pub fn database_url(input: &str) -> String {
    if input.starts_with("postgres://") || input.starts_with("postgresql://") {
        input.to_string()
    } else if let Some(rest) = input.strip_prefix("sqlite:") {
        let rest = rest.trim_start_matches("//");
        if rest.contains('?') {
            format!("sqlite://{rest}")
        } else {
            format!("sqlite://{rest}?mode=rwc")
        }
    } else {
        format!("sqlite://{input}?mode=rwc")
    }
}

impl Store {
    /// Connects and brings the schema up to date. `url` is a PostgreSQL URL,
    /// a `sqlite:` URL, or a path to a SQLite file.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        install_default_drivers();
        let url = database_url(url);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        // One direct connection first: a pool retries until its timeout and
        // then reports only that it timed out, hiding why (refused, wrong
        // password, no such database).
        let probe =
            tokio::time::timeout(Duration::from_secs(15), sqlx::AnyConnection::connect(&url))
                .await
                .map_err(|_| {
                    StoreError::Connect(format!("{}: ingen kontakt inom 15 sekunder", redact(&url)))
                })?
                .map_err(|e| StoreError::Connect(format!("{}: {e}", redact(&url))))?;
        probe.close().await.ok();
        let options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .acquire_timeout(Duration::from_secs(30));
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // First, so that the others wait for a lock instead of
                    // failing ("database is locked") while another
                    // connection writes.
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    // WAL: readers do not block the writer. FULL: a committed
                    // transaction survives a crash or power loss.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options
            .connect(&url)
            .await
            .map_err(|e| StoreError::Connect(format!("{}: {e}", redact(&url))))?;
        MIGRATOR.run(&pool).await?;
        Ok(Store {
            pool,
            backend,
            write_lock: (backend == Backend::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(()))),
            version: Arc::default(),
            live: Arc::new(live::Live::new(url, true)),
        })
    }

    /// The same database without the kept meetings: every command reads and
    /// replays the meeting's whole log and rewrites all of its rows, as
    /// before the cache (the benchmark's baseline, and a check that both
    /// ways write the same rows). A store of its own: its clones share
    /// this choice, the original keeps its cache.
    pub fn without_live_cache(&self) -> Store {
        let mut store = self.clone();
        store.live = Arc::new(live::Live::new(self.live.url.clone(), false));
        store
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction on behalf of `actor` ("user:anna",
    /// "system:demo"), who is named in every audit record it writes.
    pub async fn begin(&self, actor: &str) -> Result<Tx, StoreError> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.backend {
            // The database's write lock at once (waiting for it as the
            // busy timeout says): a deferred transaction that read first
            // fails at its first write, without waiting, when another
            // connection wrote since ("database is locked").
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx::new(
            tx,
            actor.to_string(),
            guard,
            self.version.clone(),
            self.live.clone(),
            self.backend,
        ))
    }

    /// A number that changes whenever the stored data may have: at once for
    /// writes through this store, and within `max_age` for writes by
    /// another process (found by looking at the audit log at most that
    /// often).
    pub async fn data_version(&self, max_age: Duration) -> Result<u64, StoreError> {
        use std::sync::atomic::Ordering;
        let due = {
            let mut checked = self
                .version
                .checked
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let now = std::time::Instant::now();
            let due = checked.is_none_or(|t| now.duration_since(t) >= max_age);
            if due {
                *checked = Some(now);
            }
            due
        };
        if due {
            // Quiet records (a ballot while the votering is open) change
            // nothing a cache holds.
            let max: Option<i64> =
                sqlx::query_scalar("SELECT MAX(id) FROM audit_log WHERE quiet = 0")
                    .fetch_one(&self.pool)
                    .await?;
            let max = max.unwrap_or(0);
            if self.version.audit_max.swap(max, Ordering::AcqRel) != max {
                self.version.local.fetch_add(1, Ordering::AcqRel);
            }
        }
        Ok(self.version.local.load(Ordering::Acquire))
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Hides a password in a URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_from_paths_and_urls() {
        assert_eq!(
            database_url("data/kansli.db"),
            "sqlite://data/kansli.db?mode=rwc"
        );
        assert_eq!(database_url("sqlite:x.db"), "sqlite://x.db?mode=rwc");
        assert_eq!(
            database_url("sqlite://x.db?mode=ro"),
            "sqlite://x.db?mode=ro"
        );
        assert_eq!(database_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
    }
}

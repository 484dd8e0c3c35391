//! Is the database usable right now? A background check answers this every half second, so
//! requests can fail fast (503) while the database is down instead of each waiting for the
//! pool's checkout timeout, and readiness can be answered without touching the database.
//!
//! - PostgreSQL: a connection of its own (not from the pool, so a busy pool never reads as
//!   an outage) runs `SELECT 1`; it reconnects after a failure.
//! - SQLite: the file must still be the one the server started with (same device and inode:
//!   a removed or replaced file is an outage, never a reason to write elsewhere), writable,
//!   in a writable folder, and a fresh connection must be able to take the write lock.
//!
//! Recovery is automatic: the next check that passes marks the database up again.

use crate::conn::{open_sqlite, with_connect_timeout, DbFile, Pool, PooledConnection};
use crate::{DatabaseUrl, StoreError, StoreResult};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// How often the monitor checks.
pub const CHECK_INTERVAL: Duration = Duration::from_millis(500);
/// A check that has not passed for this long (one hangs) counts as down.
pub const STALE_AFTER: Duration = Duration::from_secs(5);
/// A checkout waits in slices this long, giving up between them once the database is down.
const CHECKOUT_SLICE: Duration = Duration::from_millis(100);

pub struct Health {
    url: DatabaseUrl,
    file: Option<DbFile>,
    monitored: bool,
    state: Mutex<State>,
}

struct State {
    /// Why the database is down; `None` while up.
    down: Option<String>,
    last_ok: Instant,
}

impl Health {
    /// Health without a background check: always up, except that a SQLite file must still
    /// be the one it was at this call. For tests and one-off commands.
    pub fn unmonitored(url: &DatabaseUrl) -> StoreResult<Arc<Self>> {
        Self::new(url, false).map(Arc::new)
    }

    /// Checks once now, then every [`CHECK_INTERVAL`] on a thread of its own, which ends when
    /// the last `Arc` is dropped.
    pub fn monitored(url: &DatabaseUrl) -> StoreResult<Arc<Self>> {
        Self::monitored_every(url, CHECK_INTERVAL)
    }

    pub fn monitored_every(url: &DatabaseUrl, interval: Duration) -> StoreResult<Arc<Self>> {
        let health = Arc::new(Self::new(url, true)?);
        let mut probe = Probe::default();
        health.record(health.probe(&mut probe));
        let weak: Weak<Self> = Arc::downgrade(&health);
        std::thread::Builder::new()
            .name("rops-db-health".into())
            .spawn(move || loop {
                std::thread::sleep(interval);
                let Some(health) = weak.upgrade() else { break };
                let result = health.probe(&mut probe);
                health.record(result);
            })
            .map_err(|e| {
                StoreError::Setup(format!("cannot start the database health check: {e}"))
            })?;
        Ok(health)
    }

    fn new(url: &DatabaseUrl, monitored: bool) -> StoreResult<Self> {
        let file = match url {
            DatabaseUrl::Sqlite(path) => Some(DbFile::at(path)?),
            DatabaseUrl::Postgres(_) => None,
        };
        Ok(Self {
            url: url.clone(),
            file,
            monitored,
            state: Mutex::new(State {
                down: None,
                last_ok: Instant::now(),
            }),
        })
    }

    pub fn is_monitored(&self) -> bool {
        self.monitored
    }

    /// Ok when the last check passed (recently) and a SQLite file is still the right one.
    /// Never touches the database: a request may call it first thing.
    pub fn ready(&self) -> Result<(), String> {
        {
            let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(why) = &state.down {
                return Err(why.clone());
            }
            let quiet = state.last_ok.elapsed();
            if self.monitored && quiet > STALE_AFTER {
                return Err(format!(
                    "the database has not answered a health check for {} s",
                    quiet.as_secs()
                ));
            }
        }
        self.check_file()
    }

    /// SQLite: the file is still the one the server started with, and it and its folder
    /// are writable. PostgreSQL: always Ok.
    pub fn check_file(&self) -> Result<(), String> {
        self.file.as_ref().map_or(Ok(()), DbFile::check)
    }

    /// SQLite: the file is still the one the server started with (only that; it may have
    /// turned read-only after a write). A result is returned only after this passes, so a
    /// write is acknowledged only once it is in that file. PostgreSQL: always Ok.
    pub fn confirm_file(&self) -> Result<(), String> {
        self.file
            .as_ref()
            .map_or(Ok(()), |f| f.check_identity().map(drop))
    }

    /// A pooled connection, waiting up to the pool's timeout, but giving up at once while
    /// the database is down, and as soon as the monitor sees it go down.
    pub fn checkout(&self, pool: &Pool) -> StoreResult<PooledConnection> {
        self.ready().map_err(StoreError::Unavailable)?;
        let deadline = Instant::now() + pool.connection_timeout();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match pool.get_timeout(left.min(CHECKOUT_SLICE)) {
                Ok(conn) => return Ok(conn),
                Err(e) => {
                    self.ready().map_err(StoreError::Unavailable)?;
                    if Instant::now() >= deadline {
                        return Err(StoreError::Pool(e));
                    }
                }
            }
        }
    }

    /// What an error of work done on the database means now: a database error while the
    /// SQLite file is gone or read-only is that outage.
    pub fn explain(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Database(_) => match self.check_file() {
                Err(why) => StoreError::Unavailable(why),
                Ok(()) => e,
            },
            e => e,
        }
    }

    fn record(&self, result: Result<(), String>) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(()) => {
                if let Some(why) = state.down.take() {
                    tracing::info!(was = %why, "the database is available again");
                }
                state.last_ok = Instant::now();
            }
            Err(why) => {
                if state.down.as_deref() != Some(why.as_str()) {
                    tracing::error!(reason = %why, "the database is unavailable");
                }
                state.down = Some(why);
            }
        }
    }

    fn probe(&self, probe: &mut Probe) -> Result<(), String> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                let conn = match &mut probe.pg {
                    Some(conn) => conn,
                    None => probe.pg.insert(
                        diesel::PgConnection::establish(&with_connect_timeout(url, 2))
                            .map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?,
                    ),
                };
                let answered = conn.batch_execute("SELECT 1");
                answered.map_err(|e| {
                    // Connect afresh next time.
                    probe.pg = None;
                    format!("PostgreSQL does not answer: {e}")
                })
            }
            DatabaseUrl::Sqlite(path) => {
                let Some(file) = &self.file else {
                    return Ok(());
                };
                file.check()?;
                // A fresh connection each time: one opened earlier keeps writing to its file
                // even after the file became read-only or was removed.
                let mut conn = open_sqlite(path, "rw")
                    .map_err(|e| format!("cannot open the database file: {e}"))?;
                file.check_identity()?;
                conn.batch_execute("PRAGMA busy_timeout = 0")
                    .map_err(|e| format!("the database file does not answer: {e}"))?;
                match conn.batch_execute("BEGIN IMMEDIATE") {
                    Ok(()) => conn
                        .batch_execute("ROLLBACK")
                        .map_err(|e| format!("the database file does not answer: {e}")),
                    // Another connection is writing: the file takes writes.
                    Err(e) if e.to_string().contains("database is locked") => Ok(()),
                    Err(e) => Err(format!("the database file takes no writes: {e}")),
                }
            }
        }
    }
}

/// What the monitor keeps between checks.
#[derive(Default)]
struct Probe {
    pg: Option<diesel::PgConnection>,
}

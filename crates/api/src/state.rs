//! What every handler shares, and the one way handlers reach the database.

use crate::auth::session::SessionSettings;
use crate::auth::Keys;
use crate::error::ApiError;
use crate::oidc::Oidc;
use crate::rollup_cache::RollupCache;
use crate::shared_reads::SharedReads;
use actix_web::web;
use rops_store::rollups::Versions;
use rops_store::{Clock, DbConnection, Health, Pool, StoreError, StoreResult, WriteMode};
use std::sync::Arc;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// How many bytes of computed rollups a server keeps unless told otherwise (64 MiB).
pub const DEFAULT_ROLLUP_CACHE_BYTES: u64 = 64 << 20;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    /// Whether the database is usable now (see [`Health`]); checked before every request
    /// reaches the pool, so an outage answers 503 at once.
    pub health: Arc<Health>,
    pub keys: Arc<Keys>,
    /// Days after a quarter's end by which an OWES report is on time.
    pub deadline_days: i64,
    /// When a reported value is unusual enough to be confirmed before submitting.
    pub plausibility: rops_domain::plausibility::Thresholds,
    /// What time it is: the system clock, or a fixed moment in tests.
    pub clock: Clock,
    /// How long browser sessions last and how their cookie is sent.
    pub sessions: SessionSettings,
    /// The address people reach the service at (`ROPS_PUBLIC_URL`), for the links the service
    /// hands out; `None`: the address the request came to.
    pub public_url: Option<String>,
    /// Single sign-on, when configured.
    pub oidc: Option<Arc<Oidc>>,
    /// Computed rollups, until a write changes them.
    pub rollups: Arc<RollupCache>,
    /// The reads of a rollup scope's region and versions, shared by the requests waiting for
    /// them at once.
    pub versions: Arc<SharedReads<(String, Versions)>>,
    /// Turns to build a spreadsheet (as many as there are cores).
    pub spreadsheets: Arc<tokio::sync::Semaphore>,
    /// Turns to read or compute rollups (twice as many as there are cores): more at once only
    /// queue for the same cores, each on a thread of its own that keeps its memory.
    pub rollup_turns: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(pool: Pool, health: Arc<Health>, keys: Arc<Keys>, deadline_days: i64) -> Self {
        Self {
            pool,
            health,
            keys,
            deadline_days,
            plausibility: rops_domain::plausibility::Thresholds::default(),
            clock: Clock::System,
            sessions: SessionSettings::default(),
            public_url: None,
            oidc: None,
            rollups: Arc::new(RollupCache::new(DEFAULT_ROLLUP_CACHE_BYTES)),
            versions: Arc::new(SharedReads::new(4096)),
            spreadsheets: Arc::new(tokio::sync::Semaphore::new(cores())),
            rollup_turns: Arc::new(tokio::sync::Semaphore::new(2 * cores())),
        }
    }

    /// The same state keeping at most `bytes` of computed rollups.
    pub fn with_rollup_cache(self, bytes: u64) -> Self {
        Self {
            rollups: Arc::new(RollupCache::new(bytes)),
            ..self
        }
    }

    /// The same state with these plausibility thresholds.
    pub fn with_plausibility(self, plausibility: rops_domain::plausibility::Thresholds) -> Self {
        Self {
            plausibility,
            ..self
        }
    }

    /// The same state with these session settings.
    pub fn with_sessions(self, sessions: SessionSettings) -> Self {
        Self { sessions, ..self }
    }

    /// The same state handing out links under `public_url`.
    pub fn with_public_url(self, public_url: Option<String>) -> Self {
        Self { public_url, ..self }
    }

    /// The same state with single sign-on through `oidc`.
    pub fn with_oidc(self, oidc: Option<Arc<Oidc>>) -> Self {
        Self { oidc, ..self }
    }

    /// The same state with `clock` telling the time.
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    /// Runs `f` with a pooled connection on the blocking thread pool, never on the async
    /// executor's threads.
    ///
    /// While the database is down this answers 503 without waiting. A result, a write's
    /// acknowledgement above all, is returned only if the SQLite file is still the one the
    /// server started with once `f` is done; otherwise 503.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.health
            .ready()
            .map_err(|why| ApiError::from(StoreError::Unavailable(why)))?;
        let pool = self.pool.clone();
        let health = self.health.clone();
        web::block(move || {
            let mut conn = health.checkout(&pool)?;
            let result = f(&mut conn);
            if matches!(
                result,
                Err(StoreError::Database(_) | StoreError::Unavailable(_))
            ) {
                conn.distrust();
            }
            drop(conn);
            match result {
                Ok(value) => {
                    health.confirm_file().map_err(StoreError::Unavailable)?;
                    Ok(value)
                }
                Err(e) => Err(health.explain(e)),
            }
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
    }

    /// Runs `f` as one unit of work in a write transaction, as [`AppState::db`] does: every
    /// store write `f` makes is committed together when it returns `Ok`, and none when it
    /// returns `Err`. This is where a request's transaction begins; the store never begins
    /// one of its own.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.write_as(WriteMode::Commit, f).await
    }

    /// [`AppState::write`], or with [`WriteMode::DryRun`] a rehearsal: `f` runs in full and
    /// its answer is returned, but its writes are rolled back.
    pub async fn write_as<T, F>(&self, mode: WriteMode, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.db(move |conn| rops_store::write_transaction_as(conn, mode, f))
            .await
    }
}

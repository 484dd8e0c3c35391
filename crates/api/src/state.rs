//! What every handler shares, and the one way handlers reach the database.

use crate::auth::Keys;
use crate::error::ApiError;
use actix_web::web;
use rops_store::{DbConnection, Health, Pool, StoreError, StoreResult};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    /// Whether the database is usable now (see [`Health`]); checked before every request
    /// reaches the pool, so an outage answers 503 at once.
    pub health: Arc<Health>,
    pub keys: Arc<Keys>,
    /// Days after a quarter's end by which an OWES report is on time.
    pub deadline_days: i64,
}

impl AppState {
    pub fn new(pool: Pool, health: Arc<Health>, keys: Arc<Keys>, deadline_days: i64) -> Self {
        Self {
            pool,
            health,
            keys,
            deadline_days,
        }
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
}

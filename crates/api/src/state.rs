//! What every handler shares, and the one way handlers reach the database.

use crate::auth::Keys;
use crate::error::ApiError;
use actix_web::web;
use rops_store::{DbConnection, Pool, StoreResult};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub keys: Arc<Keys>,
    /// Days after a quarter's end by which an OWES report is on time.
    pub deadline_days: i64,
}

impl AppState {
    /// Runs `f` with a pooled connection on the blocking thread pool, never on the async
    /// executor's threads.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
    }
}

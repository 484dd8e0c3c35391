//! Migrations, one tree per backend (`migrations/sqlite`, `migrations/postgres`, same folder
//! names), embedded into the binary and run at start and by `rops-hub migrate`.

use crate::{DbConnection, StoreError};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Applies every pending migration; returns the versions applied.
pub fn run(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE),
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES),
    }
    .map_err(|e| StoreError::Setup(format!("migrations failed: {e}")))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

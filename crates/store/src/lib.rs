//! Storage for rops-hub: diesel over SQLite (embedded default) and PostgreSQL.
//!
//! Error layering: query functions return [`StoreError`]; a database failure stays a
//! `Database` error all the way up (the API answers 500 and logs it), input problems found
//! against stored data are `Invalid` with the fields named, missing things are `NotFound`.

pub mod conn;
pub mod events;
pub mod lpres;
pub mod migrations;
pub mod queries;
pub mod reference;
pub mod reports;
pub mod rollups;
mod rows;
pub mod schema;
#[cfg(feature = "testing")]
pub mod testing;
pub mod views;
pub mod writes;

pub use conn::{pool, write_transaction, DatabaseUrl, DbConnection, Pool};
use rops_domain::validation::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist; the text says what.
    #[error("{0}")]
    NotFound(String),
    /// The input contradicts stored data; each field says how.
    #[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The request contradicts the resource's state (e.g. a locked report); the text says how.
    #[error("{0}")]
    Conflict(String),
    /// The caller's If-Match revision is not the current one.
    #[error("{0}")]
    PreconditionFailed(String),
    /// A reference file that does not fit together.
    #[error(transparent)]
    Reference(#[from] rops_domain::reference::ReferenceProblems),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("database unavailable: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// Opening or migrating the database failed.
    #[error("{0}")]
    Setup(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

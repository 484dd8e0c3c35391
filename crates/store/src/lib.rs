//! Storage for rops-hub: diesel over SQLite (embedded default) and PostgreSQL.
//!
//! Error layering: query functions return [`StoreError`]; a database failure stays a
//! `Database` error all the way up (the API answers 500 and logs it), input problems found
//! against stored data are `Invalid` with the fields named, missing things are `NotFound`.
//! A failure that says the database cannot be used right now (connection lost, SQLite file
//! read-only, missing or failing) is `Unavailable` instead (the API answers 503).

pub mod conn;
pub mod events;
pub mod health;
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
pub use health::Health;
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
    Database(diesel::result::Error),
    #[error("database unavailable: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// The database cannot be used right now (connection lost, SQLite file read-only,
    /// missing, replaced or failing); the text says what. Worth retrying later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Opening or migrating the database failed.
    #[error("{0}")]
    Setup(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The revisions a writer's `If-Match` accepts (RFC 9110: one ETag or a list, any of which
/// matches); no header, or `*`, accepts whatever is current. At most [`IfMatch::MAX`] listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IfMatch {
    revisions: [i32; IfMatch::MAX],
    len: usize,
}

impl IfMatch {
    pub const MAX: usize = 8;
    pub const ANY: Self = Self {
        revisions: [0; Self::MAX],
        len: 0,
    };

    /// Exactly these revisions; `None` when there are more than [`IfMatch::MAX`].
    pub fn of(revisions: &[i32]) -> Option<Self> {
        let mut out = Self::ANY;
        if revisions.is_empty() || revisions.len() > Self::MAX {
            return None;
        }
        out.revisions[..revisions.len()].copy_from_slice(revisions);
        out.len = revisions.len();
        Some(out)
    }

    /// One revision.
    pub fn revision(revision: i32) -> Self {
        let mut out = Self::ANY;
        out.revisions[0] = revision;
        out.len = 1;
        out
    }

    pub fn is_any(&self) -> bool {
        self.len == 0
    }

    /// What was asked for (`3`, or `3 or 4`) when `current` is not among it.
    pub fn rejects(&self, current: i32) -> Option<String> {
        let listed = &self.revisions[..self.len];
        (!listed.is_empty() && !listed.contains(&current)).then(|| {
            listed
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" or ")
        })
    }
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        match unavailable(&e) {
            Some(why) => Self::Unavailable(format!("{why} ({e})")),
            None => Self::Database(e),
        }
    }
}

/// Why `e` means the database cannot be used now, rather than a fault of this query.
///
/// PostgreSQL: the connection was lost or the server is read-only (a standby). SQLite
/// (diesel reports these as `Unknown` with SQLite's message): SQLITE_READONLY,
/// SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_FULL, and SQLITE_BUSY after the busy timeout.
pub fn unavailable(e: &diesel::result::Error) -> Option<&'static str> {
    use diesel::result::{DatabaseErrorKind as Kind, Error};
    match e {
        Error::DatabaseError(Kind::ClosedConnection | Kind::UnableToSendCommand, _) => {
            Some("the connection to the database was lost")
        }
        Error::DatabaseError(Kind::ReadOnlyTransaction, _) => {
            Some("the database accepts no writes (read-only)")
        }
        Error::BrokenTransactionManager => Some("the database connection broke mid-transaction"),
        Error::DatabaseError(Kind::Unknown, info) => {
            let message = info.message().to_ascii_lowercase();
            [
                ("readonly database", "the database file is read-only"),
                (
                    "unable to open database file",
                    "the database file cannot be opened",
                ),
                (
                    "disk i/o error",
                    "the database file cannot be read or written",
                ),
                (
                    "database or disk is full",
                    "the disk holding the database is full",
                ),
                (
                    "database is locked",
                    "the database stayed locked by another writer",
                ),
            ]
            .into_iter()
            .find(|(needle, _)| message.contains(needle))
            .map(|(_, why)| why)
        }
        _ => None,
    }
}

#[cfg(test)]
mod if_match_tests {
    use super::IfMatch;

    #[test]
    fn any_listed_revision_matches() {
        assert_eq!(IfMatch::ANY.rejects(7), None);
        assert_eq!(IfMatch::revision(7).rejects(7), None);
        assert_eq!(IfMatch::revision(6).rejects(7).as_deref(), Some("6"));
        let list = IfMatch::of(&[1, 2]).unwrap();
        assert_eq!(list.rejects(2), None);
        assert_eq!(list.rejects(3).as_deref(), Some("1 or 2"));
        assert!(IfMatch::of(&[0; 9]).is_none());
    }
}

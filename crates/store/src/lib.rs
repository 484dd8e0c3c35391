//! Storage for rops-hub: diesel over SQLite (embedded default) and PostgreSQL.
//!
//! Error layering: query functions return [`StoreError`]; a database failure stays a
//! `Database` error all the way up (the API answers 500 and logs it), input problems found
//! against stored data are `Invalid` with the fields named, missing things are `NotFound`.
//! A failure that says the database cannot be used right now (connection lost, SQLite file
//! read-only, missing or failing) is `Unavailable` instead (the API answers 503). What a
//! caller must tell apart carries data, not a sentence: a stale revision (`StaleRevision`:
//! the current one and what was asked), a report whose status forbids the change (`Locked`,
//! `NotApplicable`), stored data that does not parse (`Corrupt`: what and where), an import
//! refused period by period (`ImportRefused`). The API maps each to one status, in
//! `rops_api::error`.
//!
//! Transactions: store functions never begin one. A write runs inside the caller's
//! [`write_transaction`] (the API's `AppState::write`), which nests as a savepoint.

pub mod accounts;
pub mod boundaries;
pub mod clock;
pub mod conn;
pub mod demo;
pub mod entities;
pub mod events;
pub mod health;
pub mod lpres;
pub mod migrations;
pub mod queries;
pub mod reference;
pub mod reports;
pub mod rollups;
mod rows;
/// The tables, as `diesel print-schema` prints them for the migrated SQLite database (CI
/// diffs the two). One schema serves both backends: every column has a type SQLite and
/// PostgreSQL map alike, and `tests/store` checks that both migration trees make these tables.
pub mod schema;
#[cfg(feature = "testing")]
pub mod testing;
pub mod views;
pub mod writes;

pub use clock::Clock;
pub use conn::{
    in_transaction, pool, write_transaction, write_transaction_as, Abort, DatabaseUrl,
    DbConnection, Pool, Pooled, WriteMode,
};
pub use health::Health;
use rops_domain::report::{ReportPeriod, ReportStatus, Transition};
use rops_domain::validation::FieldError;

/// What a refused write was about, for its message and for callers that act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Report(reports::ReportKey),
    /// A gmina's LPRES status, by TERYT.
    Lpres(String),
    /// An event of the register, by id.
    Event(String),
    /// A reintegration entity, by code.
    Entity(String),
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Report(key) => key.fmt(f),
            Self::Lpres(teryt) => write!(f, "the LPRES status of gmina {teryt}"),
            Self::Event(id) => write!(f, "event {id}"),
            Self::Entity(code) => write!(f, "entity {code}"),
        }
    }
}

/// One problem of an import, by period and, when it is about one value, indicator. Where
/// that stood in a file (line, column) is the importer's business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub period: ReportPeriod,
    pub indicator: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.indicator {
            Some(code) => write!(f, "{}, {code}: {}", self.period, self.message),
            None => write!(f, "{}: {}", self.period, self.message),
        }
    }
}

fn stale_message(subject: &Subject, current: Option<i32>, asked: &IfMatch) -> String {
    // A resource that does not exist is at no revision: any listed one fails.
    let want = asked
        .rejects(current.unwrap_or(i32::MIN))
        .unwrap_or_default();
    match current {
        Some(have) => format!(
            "{subject} is at revision {have}, not {want}: it changed since you read it; read it again and reapply your change"
        ),
        None => format!("{subject} does not exist, so it is not at revision {want}"),
    }
}

fn locked_message(subject: &Subject, status: ReportStatus) -> String {
    match status {
        ReportStatus::Approved => {
            format!("{subject} is approved and locked; an analyst must reopen it first")
        }
        ReportStatus::Submitted => format!(
            "{subject} is submitted and under review; an analyst must return it before it can change"
        ),
        other => format!("{subject} is {} and cannot change", other.as_str()),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist; the text says what.
    #[error("{0}")]
    NotFound(String),
    /// The input contradicts stored data; each field says how.
    #[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The request contradicts the resource's state in a way no variant below names; the
    /// text says how.
    #[error("{0}")]
    Conflict(String),
    /// The caller's If-Match lists revisions of which none is current (`current` is `None`
    /// when the subject does not exist).
    #[error("{}", stale_message(.subject, *.current, .asked))]
    StaleRevision {
        subject: Subject,
        current: Option<i32>,
        asked: IfMatch,
    },
    /// Another request changed the subject between this one's read and its write.
    #[error("{0} was changed by another request while this one ran; read it again and retry")]
    ChangedMeanwhile(Subject),
    /// The report's status forbids changing its values (submitted: under review; approved:
    /// locked).
    #[error("{}", locked_message(.subject, *.status))]
    Locked {
        subject: Subject,
        status: ReportStatus,
    },
    /// A lifecycle transition that does not apply to the report's status.
    #[error("cannot {} a report that is {}: {subject} is {}", .transition.as_str(), .status.as_str(), .status.as_str())]
    NotApplicable {
        subject: Subject,
        status: ReportStatus,
        transition: Transition,
    },
    /// An import refused: every problem found, by period and indicator; nothing was stored.
    #[error("the import is refused: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    ImportRefused(Vec<ImportProblem>),
    /// Stored data that does not parse: what is wrong, and where it was read.
    #[error("stored data is damaged in {at}: {what}")]
    Corrupt { what: String, at: String },
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

impl StoreError {
    /// Stored data found damaged at `at`.
    pub fn corrupt(at: impl Into<String>, what: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            what: what.to_string(),
            at: at.into(),
        }
    }
}

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

//! Connections: one code base over SQLite and PostgreSQL, the backend chosen from the URL.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use std::path::PathBuf;
use std::time::Duration;

/// A connection to either backend. Queries written once run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `postgres://…` or `postgresql://…`.
    Postgres(String),
    /// A file path, optionally written `sqlite://path`.
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres(url.to_owned())
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            Self::Sqlite(PathBuf::from(path))
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgres",
            Self::Sqlite(_) => "sqlite",
        }
    }

    /// The URL with any password hidden, for logs.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(p) => p.display().to_string(),
            Self::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if u[s + 3..at].contains(':') => {
                    let user_end = s + 3 + u[s + 3..at].find(':').unwrap_or(0);
                    format!("{}:***{}", &u[..user_end], &u[at..])
                }
                _ => u.clone(),
            },
        }
    }
}

/// Opens connections for the pool, with SQLite set up for a multi-threaded server.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => diesel::PgConnection::establish(url)
                .map(DbConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| {
                    r2d2::Error::ConnectionError(ConnectionError::BadConnection(format!(
                        "the SQLite path {} is not valid UTF-8",
                        path.display()
                    )))
                })?;
                let mut conn = diesel::SqliteConnection::establish(path)
                    .map_err(r2d2::Error::ConnectionError)?;
                // The busy timeout makes a writer wait for another instead of failing at
                // once. (WAL is set once per file, in `pool`.)
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// Builds a pool. For SQLite the folder of the file is created first.
pub fn pool(url: &DatabaseUrl, max_size: u32) -> Result<Pool, crate::StoreError> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                crate::StoreError::Setup(format!(
                    "cannot create the database folder {}: {e}",
                    dir.display()
                ))
            })?;
        }
    }
    r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .build(Manager { url: url.clone() })
        .map_err(|e| {
            crate::StoreError::Setup(format!("cannot open the database {}: {e}", url.redacted()))
        })
}

/// Runs `f` in a transaction that holds the write lock from its first statement.
///
/// On SQLite a plain (deferred) transaction that reads and then writes fails at once with
/// "database is locked" when another connection wrote in between; `BEGIN IMMEDIATE` makes
/// it wait (busy timeout) instead. On PostgreSQL this is an ordinary transaction.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    if !matches!(conn, DbConnection::Sqlite(_)) {
        return conn.transaction(f);
    }
    if let DbConnection::Sqlite(inner) = conn {
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    let DbConnection::Sqlite(inner) = conn else {
        unreachable!("the variant was checked above")
    };
    match result {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(inner)?;
            Ok(value)
        }
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(inner)?;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_backend_from_the_url() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").backend(),
            "postgres"
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db").backend(),
            "postgres"
        );
        assert_eq!(
            DatabaseUrl::parse("./data/x.db"),
            DatabaseUrl::Sqlite("./data/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db"),
            DatabaseUrl::Sqlite("/tmp/x.db".into())
        );
    }

    #[test]
    fn hides_passwords() {
        let u = DatabaseUrl::parse("postgres://rops:secret@db:5432/rops");
        assert_eq!(u.redacted(), "postgres://rops:***@db:5432/rops");
        assert!(!DatabaseUrl::parse("postgres://rops@db/rops")
            .redacted()
            .contains("***"));
    }
}

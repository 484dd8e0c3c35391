//! Fresh databases for tests, one per test, on both backends.
//!
//! SQLite: a file in a temporary folder, removed with it. PostgreSQL: a new database on the
//! server named by `ROPS_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`),
//! dropped when the test ends. Without a reachable server the PostgreSQL variant of a test
//! says so on stderr and passes — except with `CI=true`, where it fails.

use crate::conn::{pool, DatabaseUrl, Pool, PooledConnection};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use rand::Rng;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub struct TestDb {
    pool: Option<Pool>,
    url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
    drop_from: Option<(String, String)>,
}

impl TestDb {
    /// A migrated, empty SQLite database in a temporary folder.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder for the test database");
        let url = DatabaseUrl::Sqlite(dir.path().join("test.db"));
        Self::open(url, Some(dir), None)
    }

    /// A migrated, empty PostgreSQL database, or `None` when no server is reachable and this
    /// is not CI.
    pub fn postgres() -> Option<Self> {
        let admin_url = std::env::var("ROPS_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let mut admin = match PgConnection::establish(&admin_url) {
            Ok(c) => c,
            Err(e) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("CI=true needs PostgreSQL at {admin_url}: {e}");
                }
                eprintln!("skipping the PostgreSQL variant: no server at {admin_url} ({e})");
                return None;
            }
        };
        let name = format!(
            "rops_test_{}_{:08x}",
            std::process::id(),
            rand::rng().random::<u32>()
        );
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let url = replace_database(&admin_url, &name);
        Some(Self::open(
            DatabaseUrl::Postgres(url),
            None,
            Some((admin_url, name)),
        ))
    }

    fn open(
        url: DatabaseUrl,
        dir: Option<tempfile::TempDir>,
        drop_from: Option<(String, String)>,
    ) -> Self {
        let pool = pool(&url, 8).expect("test database pool");
        let mut conn = pool.get().expect("a test database connection");
        crate::migrations::run(&mut conn).expect("migrations apply to a fresh database");
        drop(conn);
        Self {
            pool: Some(pool),
            url,
            _dir: dir,
            drop_from,
        }
    }

    /// The same database with the sample region loaded.
    pub fn with_sample(self) -> Self {
        let mut conn = self.conn();
        crate::write_transaction(&mut conn, crate::reference::seed_sample_if_empty)
            .expect("the sample region loads");
        drop(conn);
        self
    }

    pub fn pool(&self) -> &Pool {
        self.pool.as_ref().expect("the pool lives until drop")
    }

    pub fn conn(&self) -> PooledConnection {
        self.pool().get().expect("a test database connection")
    }

    /// Runs SQL statements on the test database (data no API writes, e.g. a second region).
    pub fn execute(&self, sql: &str) {
        use diesel::connection::SimpleConnection;
        self.conn().batch_execute(sql).expect("the test's SQL runs");
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The URL as `DATABASE_URL` would carry it.
    pub fn url_string(&self) -> String {
        match &self.url {
            DatabaseUrl::Postgres(u) => u.clone(),
            DatabaseUrl::Sqlite(p) => p.display().to_string(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.pool.take();
        if let Some((admin_url, name)) = self.drop_from.take() {
            if let Ok(mut admin) = PgConnection::establish(&admin_url) {
                if let Err(e) =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                {
                    eprintln!("could not drop test database {name}: {e}");
                }
            }
        }
    }
}

/// `postgres://u@h:5432/postgres?x=y` with the database `name` instead.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Declares each test twice, `NAME::sqlite` and `NAME::postgres`, each on a fresh database.
///
/// ```text
/// backend_tests! {
///     fn loads_sample(db) { let mut conn = db.conn(); /* … */ }
///     async fn serves(db) { /* an async body, run by actix */ }
/// }
/// ```
#[macro_export]
macro_rules! backend_tests {
    () => {};
    (fn $name:ident($db:ident) $body:block $($rest:tt)*) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[test]
            fn sqlite() {
                let $db = $crate::testing::TestDb::sqlite();
                $body
            }
            #[test]
            fn postgres() {
                let Some($db) = $crate::testing::TestDb::postgres() else { return };
                $body
            }
        }
        $crate::backend_tests! { $($rest)* }
    };
    (async fn $name:ident($db:ident) $body:block $($rest:tt)*) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[actix_web::test]
            async fn sqlite() {
                let $db = $crate::testing::TestDb::sqlite();
                $body
            }
            #[actix_web::test]
            async fn postgres() {
                let Some($db) = $crate::testing::TestDb::postgres() else { return };
                $body
            }
        }
        $crate::backend_tests! { $($rest)* }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            super::replace_database("postgres://p@h:5432/postgres", "x"),
            "postgres://p@h:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://p@h/postgres?sslmode=disable", "x"),
            "postgres://p@h/x?sslmode=disable"
        );
        assert_eq!(
            super::replace_database("postgres://p@h", "x"),
            "postgres://p@h/x"
        );
    }
}

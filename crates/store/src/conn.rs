//! Connections: one code base over SQLite and PostgreSQL, the backend chosen from the URL.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The row a write is about to change, or `None`: `$query` (a table's `find`) selecting
/// `$row`. On PostgreSQL it is read with `SELECT … FOR UPDATE`, which locks it until the
/// transaction ends, so a concurrent write waits for this one and then reads what it wrote,
/// instead of failing its compare-and-set (lock and read are one statement: a row created
/// between a separate lock and read would be written unlocked). SQLite needs no lock: the
/// write transaction's `BEGIN IMMEDIATE` holds the whole database.
macro_rules! row_for_write {
    ($conn:expr, $query:expr, $row:ty) => {
        match $conn {
            $crate::DbConnection::Postgres(pg) => $query
                .select(<$row>::as_select())
                .for_update()
                .first(pg)
                .optional(),
            $crate::DbConnection::Sqlite(sqlite) => {
                $query.select(<$row>::as_select()).first(sqlite).optional()
            }
        }
    };
}
pub(crate) use row_for_write;

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

/// The SQLite file a server works on: the path and the file it named when the pool was
/// built (device and inode). Every connection is opened on that same file, never on a new or
/// replacement one, so a write is only ever acknowledged once it is in that file.
#[derive(Debug)]
pub struct DbFile {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl DbFile {
    /// The file now at `path`.
    pub fn at(path: &Path) -> Result<Self, crate::StoreError> {
        let meta = std::fs::metadata(path).map_err(|e| {
            crate::StoreError::Setup(format!(
                "cannot read the database file {}: {e}",
                path.display()
            ))
        })?;
        Ok(Self {
            path: path.to_owned(),
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Ok while the path still names the file opened at start.
    pub fn check_identity(&self) -> Result<std::fs::Metadata, String> {
        let meta = std::fs::metadata(&self.path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "the database file {} is gone (removed, or its folder removed or unmounted)",
                self.path.display()
            ),
            _ => format!("cannot read the database file {}: {e}", self.path.display()),
        })?;
        if (meta.dev(), meta.ino()) != (self.dev, self.ino) {
            return Err(format!(
                "the database file {} was replaced by another file; only the one the server started with is used",
                self.path.display()
            ));
        }
        Ok(meta)
    }

    /// Ok while the path names the file opened at start and neither it nor its folder
    /// (where SQLite keeps its write-ahead log) is read-only.
    pub fn check(&self) -> Result<(), String> {
        let meta = self.check_identity()?;
        if meta.permissions().readonly() {
            return Err(format!(
                "the database file {} is read-only",
                self.path.display()
            ));
        }
        let dir = folder(&self.path);
        let dir_meta = std::fs::metadata(dir)
            .map_err(|e| format!("cannot read the folder {}: {e}", dir.display()))?;
        if dir_meta.permissions().readonly() {
            return Err(format!(
                "the folder {} of the database is read-only; SQLite writes its log there",
                dir.display()
            ));
        }
        Ok(())
    }
}

fn folder(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The marker written beside a SQLite database when it is created: `<file>.rops-marker`.
/// While it exists, a missing database file is an error, never a reason to start afresh.
pub fn marker_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".rops-marker");
    db.with_file_name(name)
}

/// Opens a SQLite connection on `path` as a URI, `mode` being `rw` (the file must exist) or
/// `rwc` (created when missing).
pub(crate) fn open_sqlite(
    path: &Path,
    mode: &str,
) -> Result<diesel::SqliteConnection, ConnectionError> {
    let text = path.to_str().ok_or_else(|| {
        ConnectionError::BadConnection(format!(
            "the SQLite path {} is not valid UTF-8",
            path.display()
        ))
    })?;
    let mut uri = String::from(if text.starts_with('/') {
        "file://"
    } else {
        "file:"
    });
    for c in text.chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=");
    uri.push_str(mode);
    diesel::SqliteConnection::establish(&uri)
}

/// A PostgreSQL URL with `connect_timeout` (seconds) added unless it names one, so that
/// connecting to an unreachable server fails instead of hanging.
pub(crate) fn with_connect_timeout(url: &str, seconds: u32) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}connect_timeout={seconds}")
}

/// Opens connections for the pool, with SQLite set up for a multi-threaded server.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
    /// SQLite: the file every connection must be opened on.
    file: Option<Arc<DbFile>>,
}

/// A pooled connection, with when it was last known to work.
pub struct Pooled {
    conn: DbConnection,
    checked: Option<Instant>,
}

/// How long a connection that answered is handed out again without asking it once more: a
/// round trip to PostgreSQL saved on nearly every checkout under load, while a connection
/// idle for longer (across a restart of the database) is always tried first.
const TRUSTED_FOR: Duration = Duration::from_millis(100);

impl Pooled {
    /// The next checkout tries this connection before handing it out (a request on it failed).
    pub fn distrust(&mut self) {
        self.checked = None;
    }
}

impl std::ops::Deref for Pooled {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Pooled, r2d2::Error> {
        self.open().map(|conn| Pooled {
            conn,
            checked: Some(Instant::now()),
        })
    }

    fn is_valid(&self, conn: &mut Pooled) -> Result<(), r2d2::Error> {
        if let Some(file) = &self.file {
            file.check()
                .map_err(|why| r2d2::Error::ConnectionError(ConnectionError::BadConnection(why)))?;
        }
        if conn.checked.is_some_and(|at| at.elapsed() < TRUSTED_FOR) {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)?;
        conn.checked = Some(Instant::now());
        Ok(())
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        std::thread::panicking()
            || diesel::r2d2::R2D2Connection::is_broken(&mut conn.conn)
            || self
                .file
                .as_ref()
                .is_some_and(|f| f.check_identity().is_err())
    }
}

impl Manager {
    fn open(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                diesel::PgConnection::establish(&with_connect_timeout(url, 5))
                    .map(DbConnection::Postgres)
                    .map_err(r2d2::Error::ConnectionError)
            }
            DatabaseUrl::Sqlite(path) => {
                let unavailable =
                    |why: String| r2d2::Error::ConnectionError(ConnectionError::BadConnection(why));
                // Never create the file here (`rw`): a missing database is an outage, not a
                // reason to start an empty one; and never open a replacement file.
                if let Some(file) = &self.file {
                    file.check_identity().map_err(unavailable)?;
                }
                let mut conn = open_sqlite(path, "rw").map_err(r2d2::Error::ConnectionError)?;
                if let Some(file) = &self.file {
                    file.check_identity().map_err(unavailable)?;
                }
                // The busy timeout makes a writer wait for another instead of failing at
                // once. WAL is set once per file, in `pool`; with WAL, synchronous=NORMAL
                // keeps every commit across a crash of the process (not of the machine).
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// How long a checkout waits for a connection before giving up.
pub const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);

/// Builds a pool.
///
/// SQLite: the folder is created; a missing file is created (with its marker, see
/// [`marker_path`]) unless the marker says a database was created there before, which is
/// refused; the file is put in WAL mode.
pub fn pool(url: &DatabaseUrl, max_size: u32) -> Result<Pool, crate::StoreError> {
    let file = match url {
        DatabaseUrl::Sqlite(path) => Some(Arc::new(prepare_sqlite(path)?)),
        DatabaseUrl::Postgres(_) => None,
    };
    r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(CHECKOUT_TIMEOUT)
        .test_on_check_out(true)
        .build(Manager {
            url: url.clone(),
            file,
        })
        .map_err(|e| {
            crate::StoreError::Setup(format!("cannot open the database {}: {e}", url.redacted()))
        })
}

/// Creates the folder, the file and its marker as needed, refuses a file that is missing
/// where one existed, sets WAL, and returns the file.
fn prepare_sqlite(path: &Path) -> Result<DbFile, crate::StoreError> {
    let setup = crate::StoreError::Setup;
    let dir = folder(path);
    std::fs::create_dir_all(dir).map_err(|e| {
        setup(format!(
            "cannot create the database folder {}: {e}",
            dir.display()
        ))
    })?;
    let marker = marker_path(path);
    let exists = path
        .try_exists()
        .map_err(|e| setup(format!("cannot look for {}: {e}", path.display())))?;
    if !exists && marker.exists() {
        return Err(setup(format!(
            "the database file {} is missing, but {} says a database was created there: it was removed, moved or is not mounted. \
             Restore the file (from a backup), or delete the marker to start over with an empty database",
            path.display(),
            marker.display()
        )));
    }
    let mut conn = open_sqlite(path, if exists { "rw" } else { "rwc" })
        .map_err(|e| setup(format!("cannot open the database {}: {e}", path.display())))?;
    // WAL is a property of the file: set once, kept by every later connection.
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    let mode: Vec<Mode> = conn
        .batch_execute("PRAGMA busy_timeout = 10000")
        .and_then(|()| diesel::sql_query("PRAGMA journal_mode = WAL").load(&mut conn))
        .map_err(|e| {
            setup(format!(
                "cannot put the database {} in WAL mode: {e}",
                path.display()
            ))
        })?;
    if !mode
        .iter()
        .any(|m| m.journal_mode.eq_ignore_ascii_case("wal"))
    {
        return Err(setup(format!(
            "the database {} refused WAL mode",
            path.display()
        )));
    }
    let file = DbFile::at(path)?;
    drop(conn);
    if !marker.exists() {
        std::fs::write(
            &marker,
            format!(
                "rops-hub keeps its database in {}.\n\
                 While this marker exists, the server refuses to start when that file is missing,\n\
                 instead of starting an empty database. Restore the file, or delete this marker to\n\
                 start over with an empty database.\n",
                path.file_name().unwrap_or_default().to_string_lossy()
            ),
        )
        .map_err(|e| setup(format!("cannot write {}: {e}", marker.display())))?;
    }
    Ok(file)
}

/// Why a caller's transaction stopped: the store refused, or the caller had its own reason
/// to roll back (`Caller`), e.g. something the person must confirm first. With
/// [`write_transaction`], either leaves nothing written.
#[derive(Debug)]
pub enum Abort<E> {
    Store(crate::StoreError),
    Caller(E),
}

impl<E> From<diesel::result::Error> for Abort<E> {
    fn from(e: diesel::result::Error) -> Self {
        Self::Store(e.into())
    }
}

impl<E> From<crate::StoreError> for Abort<E> {
    fn from(e: crate::StoreError) -> Self {
        Self::Store(e)
    }
}

/// Runs `f` as one unit of work: committed when it returns `Ok`, undone when it returns
/// `Err`. This is the one place a write transaction begins; store functions never begin
/// their own, so the caller (an API request, a CLI command, a test) decides what one unit is.
///
/// Outside a transaction it opens one that holds the write lock from its first statement:
/// on SQLite a plain (deferred) transaction that reads and then writes fails at once with
/// "database is locked" when another connection wrote in between, `BEGIN IMMEDIATE` makes
/// it wait (busy timeout) instead; on PostgreSQL it is an ordinary transaction, and the
/// store's writes lock the rows they change (`SELECT … FOR UPDATE`). Inside an open
/// transaction it is a savepoint on both backends: its failure undoes only its own writes,
/// and the outer transaction goes on.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let DbConnection::Sqlite(inner) = conn else {
        return conn.transaction(f);
    };
    if in_transaction_sqlite(inner)? {
        return conn.transaction(f);
    }
    // Writers of this file in this process take turns here, in order, before SQLite's lock:
    // waiting in SQLite's busy handler means sleeping in steps of up to 100 ms.
    let queue = writers_of(inner)?;
    let _turn = queue
        .as_deref()
        .and_then(|q| q.try_lock_for(WRITER_TURN_WAIT));
    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
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

/// How long a writer waits for its turn in the process's queue of a SQLite file's writers.
/// After that (a writer holding its turn too long, or a caller writing through two
/// connections on one thread) it goes on to SQLite's own busy wait, as without the queue.
const WRITER_TURN_WAIT: Duration = Duration::from_secs(10);

type WriterQueue = Arc<parking_lot::Mutex<()>>;

/// The queue of the writers of `conn`'s file in this process (`None` for a database in
/// memory, which has no other connection). parking_lot's mutex hands over fairly under
/// contention, so a writer is not overtaken again and again.
fn writers_of(
    conn: &mut diesel::SqliteConnection,
) -> Result<Option<WriterQueue>, diesel::result::Error> {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex, Weak};
    static QUEUES: LazyLock<Mutex<HashMap<String, Weak<parking_lot::Mutex<()>>>>> =
        LazyLock::new(Default::default);
    #[derive(QueryableByName)]
    struct Attached {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        file: String,
    }
    let attached: Vec<Attached> = diesel::sql_query("PRAGMA database_list").load(conn)?;
    let Some(file) = attached
        .into_iter()
        .find(|a| a.name == "main" && !a.file.is_empty())
        .map(|a| a.file)
    else {
        return Ok(None);
    };
    let mut queues = QUEUES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(queue) = queues.get(&file).and_then(Weak::upgrade) {
        return Ok(Some(queue));
    }
    // A queue lives while a writer holds it; forget the ones nobody holds.
    queues.retain(|_, q| q.strong_count() > 0);
    let queue = Arc::new(parking_lot::Mutex::new(()));
    queues.insert(file, Arc::downgrade(&queue));
    Ok(Some(queue))
}

fn in_transaction_sqlite(
    conn: &mut diesel::SqliteConnection,
) -> Result<bool, diesel::result::Error> {
    Ok(AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_some())
}

/// Whether `conn` is inside a transaction (or a savepoint of one).
pub fn in_transaction(conn: &mut DbConnection) -> Result<bool, diesel::result::Error> {
    match conn {
        DbConnection::Sqlite(inner) => in_transaction_sqlite(inner),
        DbConnection::Postgres(inner) => Ok(
            AnsiTransactionManager::transaction_manager_status_mut(inner)
                .transaction_depth()?
                .is_some(),
        ),
    }
}

/// Refuses to write outside a transaction: a store write reads, checks and then writes, and
/// is only correct when all of that is one unit (and on PostgreSQL, its row locks last only
/// as long as a transaction). Forgetting [`write_transaction`] is a fault of the caller.
pub(crate) fn require_transaction(conn: &mut DbConnection) -> crate::StoreResult<()> {
    if in_transaction(conn)? {
        Ok(())
    } else {
        Err(crate::StoreError::Setup(
            "a store write was called outside a write transaction; open one with write_transaction"
                .into(),
        ))
    }
}

/// Whether a unit of work is kept or only tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriteMode {
    /// Committed when it succeeds.
    #[default]
    Commit,
    /// Validated and answered as if stored, then undone even when it succeeded.
    DryRun,
}

impl WriteMode {
    /// `DryRun` when `dry_run`, else `Commit`.
    pub fn dry_run(dry_run: bool) -> Self {
        if dry_run {
            Self::DryRun
        } else {
            Self::Commit
        }
    }
}

/// [`write_transaction`], undone at the end in [`WriteMode::DryRun`] even when it succeeded
/// (inside an open transaction: its savepoint is rolled back, the rest goes on).
pub fn write_transaction_as<T, F>(
    conn: &mut DbConnection,
    mode: WriteMode,
    f: F,
) -> crate::StoreResult<T>
where
    F: FnOnce(&mut DbConnection) -> crate::StoreResult<T>,
{
    enum Outcome<T> {
        Failed(crate::StoreError),
        Tried(T),
    }
    impl<T> From<diesel::result::Error> for Outcome<T> {
        fn from(e: diesel::result::Error) -> Self {
            Self::Failed(e.into())
        }
    }
    let result = write_transaction(conn, |conn| match f(conn) {
        Ok(v) if mode == WriteMode::DryRun => Err(Outcome::Tried(v)),
        Ok(v) => Ok(v),
        Err(e) => Err(Outcome::Failed(e)),
    });
    match result {
        Ok(v) | Err(Outcome::Tried(v)) => Ok(v),
        Err(Outcome::Failed(e)) => Err(e),
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
    fn adds_a_connect_timeout_unless_one_is_named() {
        assert_eq!(
            with_connect_timeout("postgres://u@h/db", 5),
            "postgres://u@h/db?connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://u@h/db?sslmode=disable", 5),
            "postgres://u@h/db?sslmode=disable&connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://u@h/db?connect_timeout=30", 5),
            "postgres://u@h/db?connect_timeout=30"
        );
    }

    #[test]
    fn opens_odd_file_names_and_never_creates_with_rw() {
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join("a?b#c%d.db");
        assert!(open_sqlite(&odd, "rw").is_err(), "rw does not create");
        assert!(!odd.exists());
        open_sqlite(&odd, "rwc").unwrap();
        assert!(
            odd.exists(),
            "the name was passed through the URI unchanged"
        );
        assert_eq!(marker_path(&odd), dir.path().join("a?b#c%d.db.rops-marker"));
    }

    /// A writer that finds another writer of the same file at work waits for its turn in the
    /// process, not in SQLite: with SQLite's busy wait switched off (`busy_timeout = 0`) it
    /// would fail at once with "database is locked".
    #[test]
    fn writers_of_one_file_take_turns_in_the_process() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("turns.db");
        let open = || {
            let mut conn = open_sqlite(&path, "rwc").unwrap();
            conn.batch_execute("PRAGMA busy_timeout = 0").unwrap();
            DbConnection::Sqlite(conn)
        };
        open()
            .batch_execute("PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER NOT NULL)")
            .unwrap();
        let (started, writing) = std::sync::mpsc::channel();
        let first = std::thread::spawn({
            let mut conn = open();
            move || {
                let wrote = write_transaction(&mut conn, |conn| {
                    conn.batch_execute("INSERT INTO t VALUES (1)")?;
                    started.send(()).unwrap();
                    std::thread::sleep(Duration::from_millis(300));
                    Ok::<_, diesel::result::Error>(())
                });
                (wrote, conn)
            }
        });
        writing.recv().unwrap();
        let mut conn = open();
        write_transaction(&mut conn, |conn| {
            conn.batch_execute("INSERT INTO t VALUES (2)")
        })
        .expect("the second writer waited for the first");
        let (wrote, _first) = first.join().unwrap();
        wrote.unwrap();
        let other = dir.path().join("other.db");
        let mut elsewhere = DbConnection::Sqlite(open_sqlite(&other, "rwc").unwrap());
        let (DbConnection::Sqlite(a), DbConnection::Sqlite(b)) = (&mut conn, &mut elsewhere) else {
            unreachable!()
        };
        let (a, b) = (writers_of(a).unwrap(), writers_of(b).unwrap());
        assert!(
            !Arc::ptr_eq(a.as_ref().unwrap(), b.as_ref().unwrap()),
            "writers of another file never wait in this queue"
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

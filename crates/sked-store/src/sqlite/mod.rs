//! [`SqliteStore`]: the store in one SQLite file, in WAL mode.

mod codec;
mod history;
mod runs;
mod schema;
mod tasks;

use std::{
    fmt, fs,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use schema::SCHEMA_VERSION;

use crate::{
    Applied, ChangeSet, Deleted, HistoryPage, HistoryQuery, MissReason, Occurrence, Pruned, Result,
    Retention, RunEnd, RunId, RunRecord, RunStart, Scope, SourceRef, Store, TaskDef, TaskFilter, TaskId,
    TaskRecord, TaskState, error::Repr,
};

/// How much a committed transaction survives.
///
/// In WAL mode SQLite appends each commit to the write-ahead log. With either setting a commit
/// is in the log, in the kernel's page cache, before it returns, so a `kill -9` of sked at any
/// moment loses nothing committed: the kernel writes the cache out whatever the process does.
/// They differ when the machine itself stops.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Durability {
    /// `synchronous=FULL`: the log is flushed to the disk (fsync) at every commit, so a
    /// commit also survives a power loss or a kernel crash. The default: a claim that ran and
    /// was then lost to a power cut would let the time run again after the reboot.
    #[default]
    PowerLoss,
    /// `synchronous=NORMAL`: the log is flushed only at checkpoints. Survives any crash of
    /// the process, but a power loss may roll back the last commits. Faster by one fsync per
    /// commit.
    ProcessCrash,
}

impl Durability {
    fn pragma(self) -> &'static str {
        match self {
            Durability::PowerLoss => "FULL",
            Durability::ProcessCrash => "NORMAL",
        }
    }
}

type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// How to open a [`SqliteStore`].
#[derive(Clone)]
pub struct OpenOptions {
    durability: Durability,
    busy_timeout: Duration,
    clock: Clock,
}

impl fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenOptions")
            .field("durability", &self.durability)
            .field("busy_timeout", &self.busy_timeout)
            .finish_non_exhaustive()
    }
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            durability: Durability::default(),
            busy_timeout: Duration::from_secs(5),
            clock: Arc::new(Timestamp::now),
        }
    }
}

impl OpenOptions {
    /// The defaults: [`Durability::PowerLoss`], a 5 s busy timeout, the system clock.
    pub fn new() -> Self {
        OpenOptions::default()
    }

    /// How much a commit survives.
    pub fn durability(mut self, durability: Durability) -> Self {
        self.durability = durability;
        self
    }

    /// How long to wait for another connection's write lock before failing with
    /// [`Busy`](crate::ErrorKind::Busy).
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// The clock that stamps creation, update, claim and record times: the daemon's own, so
    /// that tests with paused time see their times in the store.
    pub fn clock(mut self, clock: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Open the store at `path`, creating the file and its missing parent directories
    /// (mode 0700; the file 0600) and bringing the schema up to date.
    pub fn open(&self, path: impl AsRef<Path>) -> Result<SqliteStore> {
        let path = path.as_ref();
        prepare_file(path)?;
        let open = || -> Result<Connection> {
            let mut conn = Connection::open(path)?;
            self.configure(&conn)?;
            let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Repr::NoWal { path: path.to_owned(), mode }.into());
            }
            schema::migrate(&mut conn, path)?;
            Ok(conn)
        };
        let writer = open().map_err(|e| e.opening(path))?;
        Ok(self.store(writer, Some(path.to_owned())))
    }

    /// Open a new store that lives in memory and goes with it.
    pub fn open_in_memory(&self) -> Result<SqliteStore> {
        let mut conn = Connection::open_in_memory()?;
        self.configure(&conn)?;
        schema::migrate(&mut conn, Path::new(":memory:"))?;
        Ok(self.store(conn, None))
    }

    fn configure(&self, conn: &Connection) -> Result<()> {
        conn.busy_timeout(self.busy_timeout)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", self.durability.pragma())?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(())
    }

    fn store(&self, writer: Connection, path: Option<PathBuf>) -> SqliteStore {
        SqliteStore {
            path,
            options: self.clone(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        }
    }
}

/// Create the missing parent directories (0700: the store holds every user's tasks) and the
/// file itself (0600), so that SQLite, which would create them with the umask, does not.
fn prepare_file(path: &Path) -> Result<()> {
    fn io<'p>(action: &'static str, path: &'p Path) -> impl FnOnce(std::io::Error) -> Repr + 'p {
        move |source| Repr::Io { action, path: path.to_owned(), source }
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(io("create the store directory", dir))?;
    }
    let mut file = fs::OpenOptions::new();
    file.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    file.open(path).map_err(io("open the store file", path))?;
    Ok(())
}

/// The most idle read connections kept open.
const MAX_IDLE_READERS: usize = 4;

/// The store in one SQLite database file, in WAL mode; see the crate docs for the schema and
/// the durability it gives.
///
/// Writes go through one connection, one `BEGIN IMMEDIATE` transaction per call, so they
/// never fail on a lock upgrade; reads go through a small pool of read-only connections, which
/// WAL lets read while a write is under way. Several `SqliteStore`s (processes) may open one
/// file: SQLite's locks and the busy timeout order their writes.
pub struct SqliteStore {
    /// `None` in memory.
    path: Option<PathBuf>,
    options: OpenOptions,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Open the store at `path` with the default [`OpenOptions`].
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
        OpenOptions::new().open(path)
    }

    /// A new store in memory with the default [`OpenOptions`].
    pub fn open_in_memory() -> Result<SqliteStore> {
        OpenOptions::new().open_in_memory()
    }

    /// The database file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn now(&self) -> Timestamp {
        codec::truncate((self.options.clock)())
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a transaction rolled it back when the transaction dropped: the
        // connection is still good.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Run `f` in one `BEGIN IMMEDIATE` transaction and commit it.
    fn write<T>(&self, f: impl FnOnce(&Connection, Timestamp) -> Result<T>) -> Result<T> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx, self.now())?;
        tx.commit()?;
        Ok(out)
    }

    /// Run `f` in one read transaction, a consistent snapshot.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let Some(path) = &self.path else {
            // One in-memory database is one connection.
            let mut conn = self.writer();
            let tx = conn.transaction()?;
            return f(&tx);
        };
        let idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => {
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let conn = Connection::open_with_flags(path, flags)
                    .map_err(|e| crate::Error::from(e).opening(path))?;
                self.options.configure(&conn)?;
                conn
            }
        };
        let out = {
            let tx = conn.transaction()?;
            f(&tx)
        };
        let mut idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }
}

impl Store for SqliteStore {
    fn create(&self, owner_uid: u32, def: &TaskDef, source: Option<&SourceRef>) -> Result<TaskRecord> {
        self.write(|c, now| tasks::create(c, owner_uid, def, source, now))
    }

    fn get(&self, scope: Scope, id: TaskId) -> Result<TaskRecord> {
        self.read(|c| tasks::get(c, scope, id))
    }

    fn get_by_name(&self, owner_uid: u32, name: &str) -> Result<TaskRecord> {
        self.read(|c| tasks::get_by_name(c, owner_uid, name))
    }

    fn list(&self, filter: &TaskFilter) -> Result<Vec<TaskRecord>> {
        self.read(|c| tasks::list(c, filter))
    }

    fn replace(
        &self,
        scope: Scope,
        id: TaskId,
        expected_version: Option<u64>,
        def: &TaskDef,
        source: Option<&SourceRef>,
    ) -> Result<TaskRecord> {
        self.write(|c, now| tasks::replace(c, scope, id, expected_version, def, source, now))
    }

    fn set_enabled(
        &self,
        scope: Scope,
        id: TaskId,
        expected_version: Option<u64>,
        enabled: bool,
    ) -> Result<TaskRecord> {
        self.write(|c, now| tasks::set_enabled(c, scope, id, expected_version, enabled, now))
    }

    fn delete(&self, scope: Scope, id: TaskId, expected_version: Option<u64>) -> Result<Deleted> {
        self.write(|c, _| tasks::delete(c, scope, id, expected_version))
    }

    fn apply(&self, scope: Scope, changes: &ChangeSet) -> Result<Applied> {
        self.write(|c, now| tasks::apply(c, scope, changes, now))
    }

    fn claim(&self, task: TaskId, occurrence: Option<Occurrence>, node: &str) -> Result<Option<RunId>> {
        self.write(|c, now| runs::claim(c, task, occurrence, node, now))
    }

    fn claim_startup(&self, task: TaskId, trigger: u32, boot_id: &str, node: &str) -> Result<Option<RunId>> {
        self.write(|c, now| runs::claim_startup(c, task, trigger, boot_id, node, now))
    }

    fn start_run(&self, run: RunId, node: &str, start: &RunStart) -> Result<RunRecord> {
        self.write(|c, _| runs::start(c, run, node, start))
    }

    fn finish_run(&self, run: RunId, node: &str, end: &RunEnd) -> Result<RunRecord> {
        self.write(|c, _| runs::finish(c, run, node, end))
    }

    fn get_run(&self, run: RunId) -> Result<RunRecord> {
        self.read(|c| runs::get(c, run))
    }

    fn active_runs(&self, scope: Scope) -> Result<Vec<RunRecord>> {
        self.read(|c| runs::active(c, scope))
    }

    fn interrupt_orphans(&self, node: &str) -> Result<Vec<RunRecord>> {
        self.write(|c, _| runs::interrupt_orphans(c, node))
    }

    fn record_missed(&self, task: TaskId, reason: MissReason, times: &[Occurrence]) -> Result<usize> {
        self.write(|c, now| runs::record_missed(c, task, reason, times, now))
    }

    fn history(&self, query: &HistoryQuery) -> Result<HistoryPage> {
        self.read(|c| history::page(c, query))
    }

    fn prune_history(&self, retention: &Retention) -> Result<Pruned> {
        self.write(|c, _| history::prune(c, retention))
    }

    fn task_state(&self, task: TaskId) -> Result<TaskState> {
        self.read(|c| runs::state(c, task))
    }

    fn task_states(&self, scope: Scope) -> Result<Vec<TaskState>> {
        self.read(|c| runs::states(c, scope))
    }
}

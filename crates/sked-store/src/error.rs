//! The error of this crate: [`Error`], with an [`ErrorKind`] to branch on.

use std::{fmt, io, path::PathBuf};

use crate::{Outcome, RunId, Scope, TaskId};

/// The result of store operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the store. Messages name the task or run at fault.
#[derive(thiserror::Error)]
#[error(transparent)]
pub struct Error(Box<Repr>);

/// The sorts of error, for callers that need to branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The task or run does not exist, or is outside the caller's scope.
    NotFound,
    /// A task is not at the expected version, its name is taken, or it came from another
    /// source than the change set's.
    Conflict,
    /// The run is claimed by another node.
    AlreadyClaimed,
    /// The run is not in a state that allows the step: starting a run that is not claimed,
    /// finishing a run that has ended.
    InvalidState,
    /// The caller passed something the store cannot keep: an empty name, a non-final outcome
    /// to finish a run with, a value out of range.
    InvalidInput,
    /// The caller's scope does not cover the owner it tried to act for.
    Forbidden,
    /// The database holds something the store cannot read, or is not a sked store.
    Corrupt,
    /// The database was written by a newer sked.
    Incompatible,
    /// Another connection held the database's write lock for longer than the busy timeout.
    Busy,
    /// The file system failed: the data directory, the database file, a full disk.
    Io,
    /// SQLite failed in a way none of the above covers: a bug in the store.
    Database,
}

impl Error {
    /// What sort of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind()
    }

    pub(crate) fn new(repr: Repr) -> Self {
        Error(Box::new(repr))
    }

    /// This error, naming the store file `path` if it came from SQLite without saying where.
    pub(crate) fn opening(self, path: &std::path::Path) -> Self {
        match *self.0 {
            Repr::Sqlite { source } => Error::new(Repr::Open { path: path.to_owned(), source }),
            repr => Error::new(repr),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The message is the useful part of a failed test's `unwrap`.
        write!(f, "{} ({:?})", self, self.kind())
    }
}

impl From<Repr> for Error {
    fn from(repr: Repr) -> Self {
        Error::new(repr)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(source: rusqlite::Error) -> Self {
        if let rusqlite::Error::FromSqlConversionFailure(_, _, inner) = &source
            && let Some(bad) = inner.downcast_ref::<BadValue>()
        {
            return Error::new(Repr::BadValue(bad.clone()));
        }
        Error::new(Repr::Sqlite { source })
    }
}

/// A value in the database that the store cannot read back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{row}: column `{column}` holds `{value}`, expected {expected}")]
pub(crate) struct BadValue {
    /// The row, as `task 7` or `run 12`.
    pub row: String,
    /// The column.
    pub column: &'static str,
    /// What the column holds.
    pub value: String,
    /// What it should hold.
    pub expected: &'static str,
}

/// The precise errors behind [`Error`].
#[derive(Debug, thiserror::Error)]
pub(crate) enum Repr {
    #[error("task {id} not found")]
    TaskNotFound { id: TaskId },
    #[error("task `{name}` of uid {owner} not found")]
    TaskNameNotFound { owner: u32, name: String },
    #[error("run {id} not found")]
    RunNotFound { id: RunId },
    #[error("history entry {id} of task {task} is a missed time, not a run")]
    NotARun { id: RunId, task: TaskId },
    #[error("task `{name}` of uid {owner} already exists (task {id})")]
    NameTaken { owner: u32, name: String, id: TaskId },
    #[error("task `{name}` (task {id}) is at version {actual}, but version {expected} was expected")]
    VersionMismatch { id: TaskId, name: String, expected: u64, actual: u64 },
    #[error("task `{name}` of uid {owner} does not exist, but version {expected} was expected")]
    ExpectedMissing { owner: u32, name: String, expected: u64 },
    #[error(
        "task `{name}` (task {id}) was {}, not {}; \
         replace it with an expected version to take it over",
        describe_source(existing.as_deref()),
        describe_source(applying.as_deref())
    )]
    SourceMismatch { id: TaskId, name: String, existing: Option<String>, applying: Option<String> },
    #[error("task `{name}` is owned by uid {owner}, outside the caller's scope ({scope})")]
    OutOfScope { owner: u32, name: String, scope: Scope },
    #[error("run {run} of task {task} is claimed by node `{by}`, not by node `{node}`")]
    ClaimedByOther { run: RunId, task: TaskId, by: String, node: String },
    #[error("cannot start run {run} of task {task}: it is {state}, and only a claimed run can start")]
    NotClaimed { run: RunId, task: TaskId, state: Outcome },
    #[error("cannot finish run {run} of task {task}: it has already ended ({outcome})")]
    AlreadyEnded { run: RunId, task: TaskId, outcome: Outcome },
    #[error("a task name must not be empty")]
    EmptyName,
    #[error(
        "cannot finish run {run} as `{outcome}`: expected one of succeeded, failed, \
         killed_at_max_run_time, stopped_at_duration_end, ended_by_user, interrupted, \
         stopped_on_idle_end, stopped_on_batteries"
    )]
    NotFinal { run: RunId, outcome: Outcome },
    #[error("the change set names task `{name}` of uid {owner} twice")]
    DuplicateUpsert { owner: u32, name: String },
    #[error("the change set prunes a source with an empty id")]
    PruneEmptySource,
    #[error("{field} {value} is out of range: at most {max}")]
    OutOfRange { field: &'static str, value: u64, max: u64 },
    #[error(transparent)]
    BadValue(BadValue),
    #[error("`{path}` is not a sked store: {reason}")]
    NotAStore { path: PathBuf, reason: String },
    #[error("store `{path}` has schema version {found}, but this sked knows versions up to {known}")]
    SchemaTooNew { path: PathBuf, found: i64, known: usize },
    #[error("store `{path}` cannot use write-ahead logging: its journal mode stays `{mode}`")]
    NoWal { path: PathBuf, mode: String },
    #[error("cannot {action} `{path}`: {source}")]
    Io { action: &'static str, path: PathBuf, source: io::Error },
    #[error("cannot open store `{path}`: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("sqlite: {source}")]
    Sqlite { source: rusqlite::Error },
}

fn describe_source(source: Option<&str>) -> String {
    match source {
        Some(id) => format!("defined by `{id}`"),
        None => "created by hand".to_owned(),
    }
}

impl Repr {
    fn kind(&self) -> ErrorKind {
        use ErrorKind as K;
        match self {
            Repr::TaskNotFound { .. }
            | Repr::TaskNameNotFound { .. }
            | Repr::RunNotFound { .. }
            | Repr::NotARun { .. } => K::NotFound,
            Repr::NameTaken { .. }
            | Repr::VersionMismatch { .. }
            | Repr::ExpectedMissing { .. }
            | Repr::SourceMismatch { .. } => K::Conflict,
            Repr::OutOfScope { .. } => K::Forbidden,
            Repr::ClaimedByOther { .. } => K::AlreadyClaimed,
            Repr::NotClaimed { .. } | Repr::AlreadyEnded { .. } => K::InvalidState,
            Repr::EmptyName
            | Repr::NotFinal { .. }
            | Repr::DuplicateUpsert { .. }
            | Repr::PruneEmptySource
            | Repr::OutOfRange { .. } => K::InvalidInput,
            Repr::BadValue(_) | Repr::NotAStore { .. } => K::Corrupt,
            Repr::SchemaTooNew { .. } => K::Incompatible,
            Repr::NoWal { .. } | Repr::Io { .. } => K::Io,
            Repr::Open { source, .. } | Repr::Sqlite { source } => sqlite_kind(source),
        }
    }
}

fn sqlite_kind(e: &rusqlite::Error) -> ErrorKind {
    use rusqlite::ErrorCode as C;
    match e {
        rusqlite::Error::SqliteFailure(f, _) => match f.code {
            C::DatabaseBusy | C::DatabaseLocked => ErrorKind::Busy,
            C::DatabaseCorrupt | C::NotADatabase => ErrorKind::Corrupt,
            C::DiskFull
            | C::SystemIoFailure
            | C::CannotOpen
            | C::PermissionDenied
            | C::ReadOnly
            | C::NoLargeFileSupport
            | C::FileLockingProtocolFailed => ErrorKind::Io,
            _ => ErrorKind::Database,
        },
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::InvalidColumnType(..) => ErrorKind::Corrupt,
        _ => ErrorKind::Database,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_task_and_run() {
        let e = Error::new(Repr::VersionMismatch {
            id: TaskId(7),
            name: "backup".into(),
            expected: 4,
            actual: 5,
        });
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert_eq!(e.to_string(), "task `backup` (task 7) is at version 5, but version 4 was expected");

        let e = Error::new(Repr::SourceMismatch {
            id: TaskId(7),
            name: "backup".into(),
            existing: None,
            applying: Some("/etc/sked/a.toml".into()),
        });
        assert_eq!(
            e.to_string(),
            "task `backup` (task 7) was created by hand, not defined by `/etc/sked/a.toml`; \
             replace it with an expected version to take it over"
        );

        let e = Error::new(Repr::ClaimedByOther {
            run: RunId(12),
            task: TaskId(7),
            by: "a".into(),
            node: "b".into(),
        });
        assert_eq!(e.kind(), ErrorKind::AlreadyClaimed);
        assert_eq!(e.to_string(), "run 12 of task 7 is claimed by node `a`, not by node `b`");
    }

    #[test]
    fn sqlite_errors_are_sorted_by_code() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        );
        assert_eq!(Error::from(busy).kind(), ErrorKind::Busy);
        let full =
            rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL), None);
        assert_eq!(Error::from(full).kind(), ErrorKind::Io);
        let notadb =
            rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB), None);
        assert_eq!(Error::from(notadb).kind(), ErrorKind::Corrupt);
    }

    #[test]
    fn bad_values_are_corrupt_and_say_where() {
        let bad = BadValue {
            row: "run 12".into(),
            column: "state",
            value: "bogus".into(),
            expected: "a run state",
        };
        let e = Error::from(rusqlite::Error::FromSqlConversionFailure(
            4,
            rusqlite::types::Type::Text,
            Box::new(bad),
        ));
        assert_eq!(e.kind(), ErrorKind::Corrupt);
        assert_eq!(e.to_string(), "run 12: column `state` holds `bogus`, expected a run state");
    }
}

//! The sked store: tasks, runs and missed times, behind the [`Store`] trait.
//!
//! The daemon keeps everything it must not forget here: the tasks (their definitions as
//! opaque bytes, with the columns it queries), every run from its claim to its end, every
//! scheduled time that did not run and why, and per task the state it resumes from after a
//! restart. [`SqliteStore`] keeps them in one SQLite file; [`MemoryStore`] in memory, for tests.
//!
//! ```
//! use jiff::Timestamp;
//! use sked_store::{
//!     HistoryQuery, MemoryStore, Occurrence, Outcome, RunEnd, RunStart, Scope, Store, TaskDef,
//! };
//!
//! let store = MemoryStore::new();
//! let task = store.create(1000, &TaskDef::new("backup", b"command = 'rsync'".to_vec()), None)?;
//!
//! // A scheduled time is claimed before it runs, and only once.
//! let at: Timestamp = "2026-03-29T06:00:00Z".parse()?;
//! let time = Occurrence::new(at, 0);
//! let run = store.claim(task.id, Some(time), "node-a")?.expect("the first claim wins");
//! assert_eq!(store.claim(task.id, Some(time), "node-b")?, None);
//!
//! let start = RunStart { started_at: at, pid: Some(4242), log_path: None };
//! store.start_run(run, "node-a", &start)?;
//! let end = RunEnd { exit_code: Some(0), ..RunEnd::new(Outcome::Succeeded, at) };
//! store.finish_run(run, "node-a", &end)?;
//!
//! // The owner sees the run; another user does not see the task.
//! let page = store.history(&HistoryQuery::new(Scope::for_uid(1000), 10))?;
//! assert_eq!(page.entries.len(), 1);
//! assert!(store.get(Scope::for_uid(1001), task.id).is_err());
//! assert_eq!(store.task_state(task.id)?.last_accounted, Some(at));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Blocking, not async
//!
//! The trait is synchronous. SQLite runs in the calling thread and a call takes tens of
//! microseconds, or a few milliseconds when it flushes to the disk, so an async SQLite store
//! could only wrap the same blocking code in `spawn_blocking`. Doing that once, in the daemon,
//! keeps the trait dyn-compatible (`Arc<dyn Store>`, the backend chosen by `--store` at
//! startup), free of any runtime and testable without tokio. A PostgreSQL store fits the same
//! shape with a blocking client and a connection pool: every method is one transaction, one
//! round trip, with no handle or lock held between calls.
//!
//! # Exactly once, across crashes and daemons
//!
//! Runs and missed times share one table whose unique key is (task, scheduled time): a
//! scheduled time is claimed for a run, or recorded missed, once, by one node, ever
//! ([`Store::claim`], [`Store::record_missed`]). The claim is committed before the run starts,
//! so a crash after it can never run that time again: at restart the daemon calls
//! [`Store::interrupt_orphans`], which marks its claimed and running runs
//! [`Outcome::Interrupted`]. Against several daemons on one PostgreSQL database, the same
//! `INSERT .. ON CONFLICT DO NOTHING` is the exactly-once point; runs carry the node that
//! claimed them, and only that node may start, finish or interrupt them.
//!
//! # Durability
//!
//! The database is in WAL mode: a commit is in the log, in the kernel's page cache, before the
//! call returns, so a `kill -9` at any moment loses no committed record, and an uncommitted
//! transaction leaves no trace (`synchronous=NORMAL` is enough for that). Surviving a power
//! loss needs a flush (`synchronous=FULL`), which costs a disk round trip on every commit. The
//! default, [`Durability::Claims`], flushes the commits that decide whether a scheduled time
//! runs (claims and missed times), so that even a power cut never makes a time run twice, and
//! not the rest, so that creating a task stays far under a millisecond.
//! [`Durability::Full`] flushes every commit; [`Durability::Normal`] none.
//!
//! # Schema
//!
//! Three tables: `tasks`, `runs` (runs and missed times) and `task_state`; the SQL is in
//! `src/sqlite/v1.sql`. Timestamps are integer microseconds since the Unix epoch: compact,
//! compared as integers in indexes, exact at the precision of PostgreSQL's `timestamptz`.
//! The schema version is SQLite's `user_version`; each migration runs once, in a
//! transaction, and a database from a newer sked is refused
//! ([`ErrorKind::Incompatible`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod change_set;
mod error;
mod history;
mod memory;
mod missed;
mod run;
mod scope;
mod sqlite;
mod state;
mod store;
mod task;

pub use change_set::{Applied, ChangeSet, Delete, Deleted, Upsert};
pub use error::{Error, ErrorKind, Result};
pub use history::{Cursor, HistoryEntry, HistoryPage, HistoryQuery, Pruned, Retention};
pub use memory::MemoryStore;
pub use missed::{MissReason, Missed};
pub use run::{Occurrence, Outcome, RunEnd, RunId, RunRecord, RunStart, RunUpdate};
pub use scope::Scope;
pub use sqlite::{Durability, OpenOptions, SCHEMA_VERSION, SqliteStore};
pub use state::{LastRun, TaskState};
pub use store::Store;
pub use task::{SourceRef, TaskDef, TaskFilter, TaskId, TaskRecord};

//! The history of runs and missed times: [`HistoryQuery`], [`HistoryPage`], [`Retention`].

use std::path::PathBuf;

use jiff::Timestamp;

use crate::{Missed, RunId, RunRecord, Scope, TaskId};

/// One entry of a task's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryEntry {
    /// A run, ended or not.
    Run(RunRecord),
    /// A scheduled time that did not run.
    Missed(Missed),
}

impl HistoryEntry {
    /// The entry's id.
    pub fn id(&self) -> RunId {
        match self {
            HistoryEntry::Run(r) => r.id,
            HistoryEntry::Missed(m) => m.id,
        }
    }

    /// The task of the entry.
    pub fn task_id(&self) -> TaskId {
        match self {
            HistoryEntry::Run(r) => r.task_id,
            HistoryEntry::Missed(m) => m.task_id,
        }
    }

    /// The instant the history is ordered by: the scheduled time, or for a run without one,
    /// the time it was claimed.
    pub fn at(&self) -> Timestamp {
        match self {
            HistoryEntry::Run(r) => r.scheduled_for.unwrap_or(r.claimed_at),
            HistoryEntry::Missed(m) => m.scheduled_for,
        }
    }

    /// Where the next page starts, if this is the last entry of a page.
    pub fn cursor(&self) -> Cursor {
        Cursor { at: self.at(), id: self.id() }
    }
}

/// A position in the history: page on from the entries strictly older than it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cursor {
    /// The [`HistoryEntry::at`] of the last entry seen.
    pub at: Timestamp,
    /// Its id, which breaks ties between entries at the same instant.
    pub id: RunId,
}

/// Which history entries [`Store::history`](crate::Store::history) returns: newest first (by
/// [`HistoryEntry::at`], then id), at most `limit` of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Whose tasks.
    pub scope: Scope,
    /// Only this task's entries; it must be in `scope`.
    pub task: Option<TaskId>,
    /// Only entries older than this: the previous page's [`HistoryPage::next`].
    pub before: Option<Cursor>,
    /// The size of a page.
    pub limit: u32,
}

impl HistoryQuery {
    /// The first page of `limit` entries of every task in `scope`.
    pub fn new(scope: Scope, limit: u32) -> Self {
        HistoryQuery { scope, task: None, before: None, limit }
    }

    /// Only the entries of `task`.
    pub fn for_task(mut self, task: TaskId) -> Self {
        self.task = Some(task);
        self
    }

    /// The page after the one that ended at `cursor`.
    pub fn after_page(mut self, cursor: Cursor) -> Self {
        self.before = Some(cursor);
        self
    }
}

/// One page of history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryPage {
    /// Newest first.
    pub entries: Vec<HistoryEntry>,
    /// Where the next page starts; `None` when there are no older entries.
    pub next: Option<Cursor>,
}

/// Which history entries [`Store::prune_history`](crate::Store::prune_history) deletes.
/// Claimed and running runs are never deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// Delete entries older than this (by [`HistoryEntry::at`]).
    pub before: Option<Timestamp>,
    /// Per task, keep only this many newest runs and this many newest missed times.
    pub keep_per_task: Option<u32>,
}

/// What [`Store::prune_history`](crate::Store::prune_history) deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// How many run records went.
    pub runs: u64,
    /// How many missed times went.
    pub missed: u64,
    /// The log files of the deleted runs: the caller deletes the files.
    pub log_paths: Vec<PathBuf>,
}

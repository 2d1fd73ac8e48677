//! [`ChangeSet`]: a set of task changes applied as a unit.

use std::path::PathBuf;

use crate::{SourceRef, TaskDef, TaskId, TaskRecord};

/// Task changes that [`Store::apply`](crate::Store::apply) makes all together or not at all.
///
/// `apply FILE...` is one change set: an upsert for every task the files define, each with
/// its file as source, and every file's id in `prune_sources` so the tasks a file no longer
/// defines go. `remove FILE...` is a change set with no upserts and the files' ids in
/// `prune_sources`. Several files in one set go in together or not at all.
///
/// Deletes are made first, then the prune, then upserts: a task that one file of the set no
/// longer defines and another now does moves from the first to the second (it is deleted and
/// created again) rather than conflicting.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Tasks to create or replace, by owner and name. No two may name the same task.
    pub upserts: Vec<Upsert>,
    /// Tasks to delete, by id.
    pub deletes: Vec<Delete>,
    /// Source ids to prune: every task in scope that came from one of them and that no upsert
    /// from that same source names is deleted.
    pub prune_sources: Vec<String>,
}

/// Create a task, or replace the task of the same owner and name.
///
/// Without an expected version, an upsert replaces only a task that came from the same source
/// (the same [`SourceRef::id`], or no source on both sides): applying a file never silently
/// takes over a task made by hand or by another file. With an expected version, the task must
/// exist at that version, whatever its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upsert {
    /// The owner of the task.
    pub owner_uid: u32,
    /// The task.
    pub def: TaskDef,
    /// Where the task comes from; stamped on it. `None` for a task made by hand.
    pub source: Option<SourceRef>,
    /// The version the existing task must be at.
    pub expected_version: Option<u64>,
}

/// Delete a task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delete {
    /// The task.
    pub id: TaskId,
    /// The version the task must be at; `None` deletes whatever version it is at.
    pub expected_version: Option<u64>,
}

/// What [`Store::apply`](crate::Store::apply) did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Tasks created by upserts.
    pub created: Vec<TaskRecord>,
    /// Tasks replaced by upserts, as they are now.
    pub replaced: Vec<TaskRecord>,
    /// Tasks that upserts named but did not change: same definition, enabled flag and source.
    /// Their version stays.
    pub unchanged: Vec<TaskRecord>,
    /// Tasks deleted by deletes and by the prune.
    pub deleted: Vec<Deleted>,
}

/// A deleted task and the run logs it leaves behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deleted {
    /// The task as it was.
    pub task: TaskRecord,
    /// The log files of its runs, whose records went with it: the caller deletes the files.
    pub log_paths: Vec<PathBuf>,
}

//! Tasks as the store keeps them: [`TaskRecord`] and what it is made from.

use std::fmt;

use jiff::Timestamp;

use crate::Scope;

/// The store's id of a task. Ids are never reused, even after the task is deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub i64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The applied file a task came from: `apply FILE` stamps it on every task the file defines,
/// and `remove FILE` deletes the tasks that carry it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceRef {
    /// What names the source, such as the absolute path of the applied file. Compared exactly.
    pub id: String,
    /// A hash of the source's content when it was applied, as the daemon computes it (the
    /// store only keeps and compares it).
    pub hash: String,
}

impl SourceRef {
    /// A source named `id` whose content hashes to `hash`.
    pub fn new(id: impl Into<String>, hash: impl Into<String>) -> Self {
        SourceRef { id: id.into(), hash: hash.into() }
    }
}

/// What a caller gives to create or replace a task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskDef {
    /// The task's name, unique per owner. Must not be empty; other rules are the model's.
    pub name: String,
    /// The task, serialized by the daemon. The store never reads it: it knows no formats.
    pub definition: Vec<u8>,
    /// Whether the task's triggers fire.
    pub enabled: bool,
}

impl TaskDef {
    /// An enabled task named `name` with this serialized definition.
    pub fn new(name: impl Into<String>, definition: impl Into<Vec<u8>>) -> Self {
        TaskDef { name: name.into(), definition: definition.into(), enabled: true }
    }
}

/// A task as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskRecord {
    /// The store's id.
    pub id: TaskId,
    /// The uid that owns the task; it never changes.
    pub owner_uid: u32,
    /// Unique among the tasks of `owner_uid`.
    pub name: String,
    /// The serialized task, opaque to the store.
    pub definition: Vec<u8>,
    /// Whether the task's triggers fire.
    pub enabled: bool,
    /// The applied file the task came from, if any.
    pub source: Option<SourceRef>,
    /// Starts at 1 and grows by one with every change: the token of optimistic concurrency.
    pub version: u64,
    /// When the task was created (microsecond precision).
    pub created: Timestamp,
    /// When the task last changed (microsecond precision).
    pub updated: Timestamp,
}

/// Which tasks [`Store::list`](crate::Store::list) returns. Tasks come in name order, then
/// owner order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskFilter {
    /// Whose tasks.
    pub scope: Scope,
    /// Only tasks whose name starts with this (compared byte for byte, case-sensitive).
    pub name_prefix: Option<String>,
    /// Only tasks that came from the source with this id.
    pub source_id: Option<String>,
    /// Whether the records carry their definitions; without, `definition` is empty, and a
    /// list of every task costs a fraction of the memory.
    pub definitions: bool,
}

impl TaskFilter {
    /// Every task in `scope`.
    pub fn new(scope: Scope) -> Self {
        TaskFilter { scope, name_prefix: None, source_id: None, definitions: true }
    }

    /// Only tasks whose name starts with `prefix`.
    pub fn with_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.name_prefix = Some(prefix.into());
        self
    }

    /// Only tasks that came from the source with id `id`.
    pub fn with_source(mut self, id: impl Into<String>) -> Self {
        self.source_id = Some(id.into());
        self
    }

    /// Records without their definitions (an empty `definition`).
    pub fn without_definitions(mut self) -> Self {
        self.definitions = false;
        self
    }
}

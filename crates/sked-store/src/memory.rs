//! [`MemoryStore`]: a store that lives in memory, for tests of the daemon.

use crate::RunUpdate;
use crate::{
    Applied, ChangeSet, Deleted, HistoryPage, HistoryQuery, MissReason, Occurrence, OpenOptions, Pruned,
    Result, Retention, RunEnd, RunId, RunRecord, RunStart, Scope, SourceRef, SqliteStore, Store, TaskDef,
    TaskFilter, TaskId, TaskRecord, TaskState,
};

/// A store in memory that goes when it drops: an SQLite `:memory:` database, so it behaves
/// exactly as [`SqliteStore`] does, constraints and all, without a file.
#[derive(Debug)]
pub struct MemoryStore(SqliteStore);

impl MemoryStore {
    /// A new, empty store on the system clock.
    pub fn new() -> Self {
        MemoryStore::with_options(&OpenOptions::new())
    }

    /// A new, empty store with `options` (its clock, mostly).
    pub fn with_options(options: &OpenOptions) -> Self {
        // Opening an in-memory database fails only if SQLite cannot allocate it.
        MemoryStore(options.open_in_memory().expect("an in-memory SQLite database opens"))
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl Store for MemoryStore {
    fn create(&self, owner_uid: u32, def: &TaskDef, source: Option<&SourceRef>) -> Result<TaskRecord> {
        self.0.create(owner_uid, def, source)
    }

    fn get(&self, scope: Scope, id: TaskId) -> Result<TaskRecord> {
        self.0.get(scope, id)
    }

    fn get_by_name(&self, owner_uid: u32, name: &str) -> Result<TaskRecord> {
        self.0.get_by_name(owner_uid, name)
    }

    fn list(&self, filter: &TaskFilter) -> Result<Vec<TaskRecord>> {
        self.0.list(filter)
    }

    fn replace(
        &self,
        scope: Scope,
        id: TaskId,
        expected_version: Option<u64>,
        def: &TaskDef,
        source: Option<&SourceRef>,
    ) -> Result<TaskRecord> {
        self.0.replace(scope, id, expected_version, def, source)
    }

    fn set_enabled(
        &self,
        scope: Scope,
        id: TaskId,
        expected_version: Option<u64>,
        enabled: bool,
    ) -> Result<TaskRecord> {
        self.0.set_enabled(scope, id, expected_version, enabled)
    }

    fn delete(&self, scope: Scope, id: TaskId, expected_version: Option<u64>) -> Result<Deleted> {
        self.0.delete(scope, id, expected_version)
    }

    fn apply(&self, scope: Scope, changes: &ChangeSet) -> Result<Applied> {
        self.0.apply(scope, changes)
    }

    fn claim(&self, task: TaskId, occurrence: Option<Occurrence>, node: &str) -> Result<Option<RunId>> {
        self.0.claim(task, occurrence, node)
    }

    fn claim_many(&self, claims: &[(TaskId, Option<Occurrence>)], node: &str) -> Result<Vec<Option<RunId>>> {
        self.0.claim_many(claims, node)
    }

    fn claim_startup(&self, task: TaskId, trigger: u32, boot_id: &str, node: &str) -> Result<Option<RunId>> {
        self.0.claim_startup(task, trigger, boot_id, node)
    }

    fn claim_event(&self, task: TaskId, trigger: u32, node: &str) -> Result<Option<RunId>> {
        self.0.claim_event(task, trigger, node)
    }

    fn start_run(&self, run: RunId, node: &str, start: &RunStart) -> Result<RunRecord> {
        self.0.start_run(run, node, start)
    }

    fn finish_run(&self, run: RunId, node: &str, end: &RunEnd) -> Result<RunRecord> {
        self.0.finish_run(run, node, end)
    }

    fn record_runs(&self, node: &str, updates: &[RunUpdate]) -> Result<Vec<Result<()>>> {
        self.0.record_runs(node, updates)
    }

    fn get_run(&self, run: RunId) -> Result<RunRecord> {
        self.0.get_run(run)
    }

    fn active_runs(&self, scope: Scope) -> Result<Vec<RunRecord>> {
        self.0.active_runs(scope)
    }

    fn interrupt_orphans(&self, node: &str) -> Result<Vec<RunRecord>> {
        self.0.interrupt_orphans(node)
    }

    fn record_missed(&self, task: TaskId, reason: MissReason, times: &[Occurrence]) -> Result<usize> {
        self.0.record_missed(task, reason, times)
    }

    fn history(&self, query: &HistoryQuery) -> Result<HistoryPage> {
        self.0.history(query)
    }

    fn prune_history(&self, retention: &Retention) -> Result<Pruned> {
        self.0.prune_history(retention)
    }

    fn task_state(&self, task: TaskId) -> Result<TaskState> {
        self.0.task_state(task)
    }

    fn task_states(&self, scope: Scope) -> Result<Vec<TaskState>> {
        self.0.task_states(scope)
    }
}

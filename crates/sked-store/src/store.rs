//! The [`Store`] trait: the boundary between the daemon and where its records live.

use crate::{
    Applied, ChangeSet, Deleted, HistoryPage, HistoryQuery, MissReason, Occurrence, Pruned, Result,
    Retention, RunEnd, RunId, RunRecord, RunStart, RunUpdate, Scope, SourceRef, TaskDef, TaskFilter, TaskId,
    TaskRecord, TaskState,
};

/// Where sked keeps its tasks, runs and missed times.
///
/// Every method is one transaction: it happens wholly or not at all, and once it returns `Ok`
/// it survives a `kill -9` of the process. No method hands out a connection, a transaction or
/// a lock, and no state is kept between calls, so an implementation shared by several daemons
/// (PostgreSQL) has the same shape: each call is a round trip, optimistic concurrency (task
/// versions) instead of held locks, and [`claim`](Store::claim) as the one point where
/// exactly-once is decided.
///
/// Methods that act on behalf of a user take a [`Scope`]: out of scope, a task is not found.
/// Methods the daemon alone calls (claims, run steps, state) take none.
///
/// The trait is blocking (see the crate docs for why); the daemon calls it from
/// `tokio::task::spawn_blocking` or a thread of its own. It is dyn-compatible, so the daemon
/// can hold an `Arc<dyn Store>` chosen at startup.
pub trait Store: Send + Sync {
    // ---- tasks ----

    /// Create a task owned by `owner_uid`.
    ///
    /// Fails with [`Conflict`](crate::ErrorKind::Conflict) if the owner has a task of that name.
    fn create(&self, owner_uid: u32, def: &TaskDef, source: Option<&SourceRef>) -> Result<TaskRecord>;

    /// The task `id`.
    fn get(&self, scope: Scope, id: TaskId) -> Result<TaskRecord>;

    /// The task of `owner_uid` named `name`.
    fn get_by_name(&self, owner_uid: u32, name: &str) -> Result<TaskRecord>;

    /// The tasks that pass `filter`, in name order, then owner order.
    fn list(&self, filter: &TaskFilter) -> Result<Vec<TaskRecord>>;

    /// Replace the name, definition, enabled flag and source of task `id`; its owner stays.
    /// The version grows by one.
    ///
    /// With `expected_version`, fails with [`Conflict`](crate::ErrorKind::Conflict) unless the
    /// task is at that version; also if the new name is taken.
    fn replace(
        &self,
        scope: Scope,
        id: TaskId,
        expected_version: Option<u64>,
        def: &TaskDef,
        source: Option<&SourceRef>,
    ) -> Result<TaskRecord>;

    /// Enable or disable task `id`. The version grows by one if the flag changes.
    fn set_enabled(
        &self,
        scope: Scope,
        id: TaskId,
        expected_version: Option<u64>,
        enabled: bool,
    ) -> Result<TaskRecord>;

    /// Delete task `id` with its history and state. Its runs that are still going keep going,
    /// but can no longer be recorded.
    fn delete(&self, scope: Scope, id: TaskId, expected_version: Option<u64>) -> Result<Deleted>;

    /// Make every change of `changes` in one transaction, or none: any conflict, missing task
    /// or out-of-scope owner fails the whole set and leaves the store as it was.
    fn apply(&self, scope: Scope, changes: &ChangeSet) -> Result<Applied>;

    // ---- runs ----

    /// Claim a run of task `task` for `node`, before starting it.
    ///
    /// With an occurrence, the claim is exactly-once: a task's scheduled time is claimed or
    /// recorded missed once, by one node, ever; later claims of it return `Ok(None)`. Without
    /// one (a run now), the claim always succeeds. A successful claim accounts for the
    /// scheduled time ([`TaskState::last_accounted`]) in the same transaction.
    fn claim(&self, task: TaskId, occurrence: Option<Occurrence>, node: &str) -> Result<Option<RunId>>;

    /// Claims several runs at once, each answered as [`Store::claim`] would answer it, and
    /// a task deleted meanwhile as `None`. A store that can commits them together (one
    /// transaction, one sync to disk), so a burst of runs due at the same instant costs
    /// one commit, not one each.
    fn claim_many(&self, claims: &[(TaskId, Option<Occurrence>)], node: &str) -> Result<Vec<Option<RunId>>> {
        claims
            .iter()
            .map(|(task, occurrence)| match self.claim(*task, *occurrence, node) {
                Err(e) if e.kind() == crate::ErrorKind::NotFound => Ok(None),
                other => other,
            })
            .collect()
    }

    /// Claim the at-startup run of trigger `trigger` for boot `boot_id`: at most once per boot
    /// and task, however often the daemon restarts. Returns `Ok(None)` if this boot already
    /// fired it.
    fn claim_startup(&self, task: TaskId, trigger: u32, boot_id: &str, node: &str) -> Result<Option<RunId>>;

    /// Claim a run fired by event trigger `trigger` (at logon, on idle) for `node`. Like a
    /// run now it has no scheduled time and always succeeds, but the history says which
    /// trigger asked for it. Events are not replayed, so there is nothing to claim once.
    fn claim_event(&self, task: TaskId, trigger: u32, node: &str) -> Result<Option<RunId>>;

    /// Mark claimed run `run` as running. Only `node`, which claimed it, may.
    fn start_run(&self, run: RunId, node: &str, start: &RunStart) -> Result<RunRecord>;

    /// Record the end of claimed or running run `run`. Only `node`, which claimed it, may.
    fn finish_run(&self, run: RunId, node: &str, end: &RunEnd) -> Result<RunRecord>;

    /// Record several starts and ends of runs claimed by `node`, in order; one commit where
    /// the store can, so a burst of runs does not cost a commit each. Each update succeeds or
    /// fails on its own (the run of a task deleted meanwhile has no record left to update):
    /// the result holds one entry per update. The `Err` of the whole call means none was
    /// recorded.
    fn record_runs(&self, node: &str, updates: &[RunUpdate]) -> Result<Vec<Result<()>>> {
        Ok(updates
            .iter()
            .map(|u| match u {
                RunUpdate::Start(run, start) => self.start_run(*run, node, start).map(drop),
                RunUpdate::Finish(run, end) => self.finish_run(*run, node, end).map(drop),
            })
            .collect())
    }

    /// The run `run`.
    fn get_run(&self, run: RunId) -> Result<RunRecord>;

    /// The runs in `scope` that are claimed or running, oldest first.
    fn active_runs(&self, scope: Scope) -> Result<Vec<RunRecord>>;

    /// At startup: mark every run that `node` claimed or started and never finished as
    /// [`Interrupted`](crate::Outcome::Interrupted), and return them (their pids may name
    /// processes to reap). Other nodes' runs are left alone.
    fn interrupt_orphans(&self, node: &str) -> Result<Vec<RunRecord>>;

    /// Record scheduled times of task `task` that did not run, and why. Times already
    /// accounted for (claimed or recorded) are skipped. Returns how many were recorded.
    fn record_missed(&self, task: TaskId, reason: MissReason, times: &[Occurrence]) -> Result<usize>;

    // ---- history ----

    /// A page of history, newest first.
    fn history(&self, query: &HistoryQuery) -> Result<HistoryPage>;

    /// Delete the history entries `retention` lets go, and return the log files to delete.
    fn prune_history(&self, retention: &Retention) -> Result<Pruned>;

    // ---- state ----

    /// The state of task `task`.
    fn task_state(&self, task: TaskId) -> Result<TaskState>;

    /// The states of every task in `scope`, in task id order: what the daemon loads at startup.
    fn task_states(&self, scope: Scope) -> Result<Vec<TaskState>>;
}

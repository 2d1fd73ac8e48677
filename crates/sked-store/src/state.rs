//! [`TaskState`]: what the daemon remembers about a task between restarts.

use jiff::Timestamp;

use crate::{Outcome, RunId, TaskId};

/// What the daemon needs to resume a task after a restart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskState {
    /// The task.
    pub task_id: TaskId,
    /// The latest scheduled time accounted for: claimed for a run or recorded as missed. After
    /// a restart the daemon looks for the times missed after it (start when available).
    pub last_accounted: Option<Timestamp>,
    /// The newest run (by id).
    pub last_run: Option<LastRun>,
    /// The boot id of the last at-startup firing: at-startup triggers fire once per boot, not
    /// once per daemon start.
    pub startup_boot_id: Option<String>,
}

/// The newest run of a task, as [`TaskState`] keeps it. It outlives the run's record when
/// retention deletes that.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastRun {
    /// The run.
    pub id: RunId,
    /// Where it is, or how it ended.
    pub outcome: Outcome,
    /// When it started.
    pub started_at: Option<Timestamp>,
    /// When it ended.
    pub ended_at: Option<Timestamp>,
    /// Its exit status.
    pub exit_code: Option<i32>,
    /// The signal that killed it.
    pub signal: Option<i32>,
}

//! What the API asks of the scheduler: the scheduler owns the running state, and this
//! handle is how everything else talks to it (an actor behind a channel: no shared locks).

use std::collections::HashMap;

use jiff::Timestamp;
use sked_store::{RunId, TaskId};
use tokio::sync::{mpsc, oneshot};

/// Why the scheduler could not do what was asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// The task is not (or no longer) known to the scheduler.
    #[error("task {0} is not scheduled")]
    NoSuchTask(i64),
    /// The task could not be started.
    #[error("cannot start task {task}: {message}")]
    StartFailed {
        /// The task.
        task: i64,
        /// Why, from the runner or the store.
        message: String,
    },
    /// A run is already going and the task's policy forbids another.
    #[error("task {0} is already running and its policy is `ignore-new`")]
    AlreadyRunning(i64),
    /// The scheduler has stopped (the service is shutting down).
    #[error("the scheduler has stopped")]
    Stopped,
}

/// What the scheduler knows of a task beyond the store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskStatus {
    /// Runs in progress, oldest first.
    pub running: Vec<RunId>,
    /// Runs waiting for the running one to end (the `queue` policy).
    pub queued: usize,
    /// The next scheduled run.
    pub next_run: Option<Timestamp>,
}

/// A request to the scheduler.
#[derive(Debug)]
pub enum Command {
    /// The task was created or changed in the store: reload and replan it.
    Changed(TaskId),
    /// The task was deleted from the store: forget it (runs in progress go on).
    Removed(TaskId),
    /// Run the task now, outside its schedule.
    RunNow(TaskId, oneshot::Sender<Result<RunId, ControlError>>),
    /// End every run of the task in progress.
    End(TaskId, oneshot::Sender<Result<usize, ControlError>>),
    /// Report the task's running state and next run.
    Status(TaskId, oneshot::Sender<Result<TaskStatus, ControlError>>),
    /// Report the status of these tasks (`None`: of every task), in one message: listing
    /// 100,000 tasks must not cost 100,000 round trips. Tasks the scheduler does not know
    /// are left out of the answer.
    Statuses(Option<Vec<TaskId>>, oneshot::Sender<HashMap<TaskId, TaskStatus>>),
}

/// A cheap, cloneable handle to the scheduler.
#[derive(Clone, Debug)]
pub struct Control {
    tx: mpsc::Sender<Command>,
}

impl Control {
    /// A handle sending on `tx`, and the receiver the scheduler reads.
    pub fn channel(capacity: usize) -> (Control, mpsc::Receiver<Command>) {
        let (tx, rx) = mpsc::channel(capacity);
        (Control { tx }, rx)
    }

    /// Tells the scheduler a task was created or changed.
    pub async fn task_changed(&self, id: TaskId) {
        let _ = self.tx.send(Command::Changed(id)).await;
    }

    /// Tells the scheduler a task was deleted.
    pub async fn task_removed(&self, id: TaskId) {
        let _ = self.tx.send(Command::Removed(id)).await;
    }

    /// Runs a task now; returns the run once it is claimed and started.
    pub async fn run_now(&self, id: TaskId) -> Result<RunId, ControlError> {
        self.ask(|reply| Command::RunNow(id, reply)).await
    }

    /// Ends every run of a task in progress; returns how many were asked to stop.
    pub async fn end(&self, id: TaskId) -> Result<usize, ControlError> {
        self.ask(|reply| Command::End(id, reply)).await
    }

    /// The task's running state and next run.
    pub async fn status(&self, id: TaskId) -> Result<TaskStatus, ControlError> {
        self.ask(|reply| Command::Status(id, reply)).await
    }

    /// The status of `ids` (`None`: of every task the scheduler holds), by task.
    pub async fn statuses(
        &self,
        ids: Option<Vec<TaskId>>,
    ) -> Result<HashMap<TaskId, TaskStatus>, ControlError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(Command::Statuses(ids, reply)).await.map_err(|_| ControlError::Stopped)?;
        answer.await.map_err(|_| ControlError::Stopped)
    }

    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, ControlError>>) -> Command,
    ) -> Result<T, ControlError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(make(reply)).await.map_err(|_| ControlError::Stopped)?;
        answer.await.map_err(|_| ControlError::Stopped)?
    }
}

//! A started run: [`RunHandle`] to stop it and wait for it, [`RunExit`] for how it ended.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::{oneshot, watch};

use crate::error::{Error, Inner};
use crate::log::LogSummary;

/// Why the runner ended a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// Someone asked (`sked stop`, or "end" in the UI).
    User,
    /// The task's maximum run time passed.
    MaxRunTime,
    /// The trigger's repetition duration ended ("stop all running tasks at end of
    /// repetition duration").
    DurationEnd,
    /// The daemon is shutting down.
    Shutdown,
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopReason::User => "ended by user",
            StopReason::MaxRunTime => "killed at max run time",
            StopReason::DurationEnd => "stopped at duration end",
            StopReason::Shutdown => "interrupted",
        })
    }
}

/// How the program ended, as `waitid` reported it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExitStatus {
    /// It exited with this code.
    Exited(i32),
    /// A signal ended it.
    Signaled(i32),
}

impl ExitStatus {
    /// Exited with code 0.
    pub fn success(self) -> bool {
        self == ExitStatus::Exited(0)
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ExitStatus::Exited(code) => write!(f, "exit code {code}"),
            ExitStatus::Signaled(sig) => match nix::sys::signal::Signal::try_from(sig) {
                Ok(s) => write!(f, "signal {sig} ({})", s.as_str()),
                Err(_) => write!(f, "signal {sig}"),
            },
        }
    }
}

/// The outcome the daemon records for a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Exit code 0.
    Succeeded,
    /// A non-zero exit code, a signal nobody asked for, or (for [`Runner::start`] errors,
    /// which the daemon maps here) a program that could not be started.
    ///
    /// [`Runner::start`]: crate::Runner::start
    Failed,
    /// Stopped because it ran past its maximum run time.
    KilledAtMaxRunTime,
    /// Stopped at the end of its trigger's repetition duration.
    StoppedAtDurationEnd,
    /// Stopped by a user.
    EndedByUser,
    /// Stopped because the daemon shut down. (A run the daemon finds unfinished after a
    /// crash is also interrupted; that one the daemon records itself.)
    Interrupted,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunExit {
    /// The program's exit code or signal.
    pub status: ExitStatus,
    /// Why the runner stopped it, if it did. A program that exits on its own before any
    /// stop has `None`, whatever its status.
    pub stopped: Option<StopReason>,
    /// Whether the grace period after `SIGTERM` ran out and `SIGKILL` was sent.
    pub escalated: bool,
    /// When the program was started.
    pub started: SystemTime,
    /// When its exit was seen.
    pub ended: SystemTime,
    /// How long it ran, on the monotonic clock.
    pub run_time: Duration,
    /// What happened to its output.
    pub log: LogSummary,
}

impl RunExit {
    /// The outcome to record: the stop reason when the runner stopped the run, else
    /// succeeded for exit code 0 and failed for anything else.
    pub fn outcome(&self) -> Outcome {
        match self.stopped {
            Some(StopReason::User) => Outcome::EndedByUser,
            Some(StopReason::MaxRunTime) => Outcome::KilledAtMaxRunTime,
            Some(StopReason::DurationEnd) => Outcome::StoppedAtDurationEnd,
            Some(StopReason::Shutdown) => Outcome::Interrupted,
            None if self.status.success() => Outcome::Succeeded,
            None => Outcome::Failed,
        }
    }
}

/// Asks a run to stop. Cheap to clone; the daemon can keep one per running task while
/// another task waits on the [`RunHandle`].
#[derive(Clone, Debug)]
pub struct Stopper(Arc<watch::Sender<Option<StopReason>>>);

impl Stopper {
    /// Asks the run to stop for `reason`: `SIGTERM` to its process group now, `SIGKILL` after
    /// the grace period. Only the first request counts; returns whether this was it. A
    /// request after the program has exited has no effect.
    pub fn stop(&self, reason: StopReason) -> bool {
        self.0.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(reason);
                true
            } else {
                false
            }
        })
    }
}

/// A started run.
///
/// Dropping the handle does not stop the run: it goes on, its output is still logged and its
/// process is still reaped.
#[derive(Debug)]
pub struct RunHandle {
    pid: u32,
    stopper: Stopper,
    exit: Option<oneshot::Receiver<Result<RunExit, Error>>>,
    done: Option<RunExit>,
}

impl RunHandle {
    /// A handle for a run of process `pid`, and the other end that the [`Runner`] keeps to
    /// hear stop requests and deliver the exit. This is how a runner makes handles,
    /// including fake runners in the daemon's tests.
    ///
    /// [`Runner`]: crate::Runner
    pub fn new(pid: u32) -> (RunHandle, RunControl) {
        let (stop_tx, stop_rx) = watch::channel(None);
        let (exit_tx, exit_rx) = oneshot::channel();
        let handle = RunHandle { pid, stopper: Stopper(Arc::new(stop_tx)), exit: Some(exit_rx), done: None };
        (handle, RunControl { pid, stop: stop_rx, exit: exit_tx })
    }

    /// The program's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Its process group id: the same, since it leads a new process group.
    pub fn pgid(&self) -> u32 {
        self.pid
    }

    /// A [`Stopper`] for this run.
    pub fn stopper(&self) -> Stopper {
        self.stopper.clone()
    }

    /// Asks the run to stop; see [`Stopper::stop`].
    pub fn stop(&self, reason: StopReason) -> bool {
        self.stopper.stop(reason)
    }

    /// Waits for the run to end: the program has exited, its output is logged and it has
    /// been reaped.
    ///
    /// Cancel-safe: it can be raced in `select!` (say, against a shutdown that then calls
    /// [`RunHandle::stop`]) and called again; once it has returned the exit it returns the
    /// same exit again.
    pub async fn wait(&mut self) -> Result<RunExit, Error> {
        if let Some(done) = &self.done {
            return Ok(done.clone());
        }
        let Some(rx) = self.exit.as_mut() else {
            return Err(self.lost("its result was already taken"));
        };
        let result = rx.await;
        self.exit = None;
        match result {
            Ok(Ok(exit)) => {
                self.done = Some(exit.clone());
                Ok(exit)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(self.lost("its supervisor ended (was the runtime shut down?)")),
        }
    }

    fn lost(&self, why: &str) -> Error {
        Error::new(Inner::Lost { pid: self.pid, why: why.into() })
    }
}

/// The runner's end of a [`RunHandle`]: hears stop requests, delivers the exit.
#[derive(Debug)]
pub struct RunControl {
    pid: u32,
    stop: watch::Receiver<Option<StopReason>>,
    exit: oneshot::Sender<Result<RunExit, Error>>,
}

impl RunControl {
    /// The process id the handle reports.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The stop reason, once one is asked for. Pends forever when no one can ask any more
    /// (the handle and every [`Stopper`] were dropped). Cancel-safe.
    pub async fn stop_requested(&mut self) -> StopReason {
        // Copy the reason out at once: the borrow `wait_for` returns must not live across
        // the `pending` below.
        let reason = self.stop.wait_for(Option::is_some).await.ok().and_then(|r| *r);
        match reason {
            Some(reason) => reason,
            None => std::future::pending().await,
        }
    }

    /// Delivers the run's end to the handle (if it still exists).
    pub fn finish(self, exit: Result<RunExit, Error>) {
        let _ = self.exit.send(exit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exit(status: ExitStatus, stopped: Option<StopReason>) -> RunExit {
        RunExit {
            status,
            stopped,
            escalated: false,
            started: SystemTime::UNIX_EPOCH,
            ended: SystemTime::UNIX_EPOCH,
            run_time: Duration::ZERO,
            log: LogSummary::default(),
        }
    }

    #[test]
    fn outcomes() {
        assert_eq!(exit(ExitStatus::Exited(0), None).outcome(), Outcome::Succeeded);
        assert_eq!(exit(ExitStatus::Exited(3), None).outcome(), Outcome::Failed);
        assert_eq!(exit(ExitStatus::Signaled(9), None).outcome(), Outcome::Failed);
        let s = ExitStatus::Signaled(15);
        assert_eq!(exit(s, Some(StopReason::User)).outcome(), Outcome::EndedByUser);
        assert_eq!(exit(s, Some(StopReason::MaxRunTime)).outcome(), Outcome::KilledAtMaxRunTime);
        assert_eq!(exit(s, Some(StopReason::DurationEnd)).outcome(), Outcome::StoppedAtDurationEnd);
        assert_eq!(exit(ExitStatus::Exited(0), Some(StopReason::Shutdown)).outcome(), Outcome::Interrupted);
    }

    #[test]
    fn statuses_display_signal_names() {
        assert_eq!(ExitStatus::Exited(2).to_string(), "exit code 2");
        assert_eq!(ExitStatus::Signaled(9).to_string(), "signal 9 (SIGKILL)");
        assert_eq!(ExitStatus::Signaled(64).to_string(), "signal 64");
    }

    #[tokio::test]
    async fn a_fake_runner_drives_a_handle() {
        let (mut handle, mut control) = RunHandle::new(42);
        let stopper = handle.stopper();
        assert!(stopper.stop(StopReason::User));
        assert!(!handle.stop(StopReason::MaxRunTime), "only the first request counts");
        assert_eq!(control.stop_requested().await, StopReason::User);
        control.finish(Ok(exit(ExitStatus::Signaled(15), Some(StopReason::User))));
        let first = handle.wait().await.unwrap();
        assert_eq!(first.outcome(), Outcome::EndedByUser);
        assert_eq!(handle.wait().await.unwrap(), first, "wait again returns the same exit");
    }

    #[tokio::test]
    async fn a_dropped_control_is_a_lost_run() {
        let (mut handle, control) = RunHandle::new(7);
        drop(control);
        let err = handle.wait().await.unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Lost);
        assert_eq!(
            err.to_string(),
            "the run of pid 7 ended without a result: its supervisor ended (was the runtime shut down?)"
        );
    }

    #[tokio::test]
    async fn stop_requests_pend_when_no_one_can_ask() {
        let (handle, mut control) = RunHandle::new(1);
        drop(handle);
        let waited = tokio::time::timeout(Duration::from_millis(10), control.stop_requested()).await;
        assert!(waited.is_err());
    }
}

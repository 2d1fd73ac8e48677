//! Runs: [`RunRecord`], its [`Outcome`], and what the runner reports.

use std::{fmt, path::PathBuf};

use jiff::Timestamp;

use crate::TaskId;

/// The store's id of a history entry: a run or a missed time (they share one sequence).
/// Ids are never reused, so they may name log files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RunId(pub i64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One scheduled time of a task: when, and which trigger asked for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Occurrence {
    /// The scheduled instant. Stored at microsecond precision.
    pub scheduled_for: Timestamp,
    /// The index of the trigger in the task, from 0.
    pub trigger: u32,
}

impl Occurrence {
    /// Trigger `trigger`'s time `scheduled_for`.
    pub fn new(scheduled_for: Timestamp, trigger: u32) -> Self {
        Occurrence { scheduled_for, trigger }
    }
}

/// Where a run is in its life, and how it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Claimed by a node, not started yet.
    Claimed,
    /// Started and not ended.
    Running,
    /// Exited with status 0.
    Succeeded,
    /// Exited with a non-zero status, died of a signal, or could not start.
    Failed,
    /// Killed because it ran longer than the task's maximum run time.
    KilledAtMaxRunTime,
    /// Stopped because its trigger's repetition duration ended (stop at duration end).
    StoppedAtDurationEnd,
    /// Ended by a user (`sked stop`).
    EndedByUser,
    /// Cut off by a crash or stop of sked: found claimed or running at restart.
    Interrupted,
    /// Stopped because the machine stopped being idle (the task's `stop-on-idle-end`).
    StoppedOnIdleEnd,
    /// Stopped because the machine switched to battery power (`stop-on-batteries`).
    StoppedOnBatteries,
}

impl Outcome {
    /// Every outcome, in lifecycle order.
    pub const ALL: [Outcome; 10] = [
        Outcome::Claimed,
        Outcome::Running,
        Outcome::Succeeded,
        Outcome::Failed,
        Outcome::KilledAtMaxRunTime,
        Outcome::StoppedAtDurationEnd,
        Outcome::EndedByUser,
        Outcome::Interrupted,
        Outcome::StoppedOnIdleEnd,
        Outcome::StoppedOnBatteries,
    ];

    /// Whether the run has ended: everything but [`Claimed`](Outcome::Claimed) and
    /// [`Running`](Outcome::Running).
    pub fn is_final(self) -> bool {
        !matches!(self, Outcome::Claimed | Outcome::Running)
    }

    /// The outcome's name in snake case, as stored: `killed_at_max_run_time`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Claimed => "claimed",
            Outcome::Running => "running",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::KilledAtMaxRunTime => "killed_at_max_run_time",
            Outcome::StoppedAtDurationEnd => "stopped_at_duration_end",
            Outcome::EndedByUser => "ended_by_user",
            Outcome::Interrupted => "interrupted",
            Outcome::StoppedOnIdleEnd => "stopped_on_idle_end",
            Outcome::StoppedOnBatteries => "stopped_on_batteries",
        }
    }

    /// The outcome named `s` by [`as_str`](Outcome::as_str).
    pub fn from_name(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One run of a task, from its claim to its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRecord {
    /// The store's id.
    pub id: RunId,
    /// The task run.
    pub task_id: TaskId,
    /// The scheduled time, or `None` for a run not due to a scheduled time (run now, at
    /// startup). At most one run or missed time exists per task and scheduled time.
    pub scheduled_for: Option<Timestamp>,
    /// The trigger that asked for the run, from 0; `None` for a run asked by a user.
    pub trigger: Option<u32>,
    /// The node (daemon) that claimed the run and alone may start and finish it.
    pub claimed_by: String,
    /// When the claim was made.
    pub claimed_at: Timestamp,
    /// When the process started.
    pub started_at: Option<Timestamp>,
    /// When the process ended. `None` for an interrupted run: its end was not seen.
    pub ended_at: Option<Timestamp>,
    /// The process id, once started.
    pub pid: Option<u32>,
    /// Where the run is, or how it ended.
    pub outcome: Outcome,
    /// The exit status, if the process exited.
    pub exit_code: Option<i32>,
    /// The signal that killed the process, if one did.
    pub signal: Option<i32>,
    /// The run's log file, written by the runner.
    pub log_path: Option<PathBuf>,
    /// The size of the log file when the run ended.
    pub log_bytes: Option<u64>,
    /// Why the run ended as it did, in one lowercase sentence, when the outcome does not say.
    pub message: Option<String>,
}

/// What the runner reports when a claimed run's process starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunStart {
    /// When the process started.
    pub started_at: Timestamp,
    /// Its process id.
    pub pid: Option<u32>,
    /// Its log file.
    pub log_path: Option<PathBuf>,
}

/// What the runner reports when a run ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunEnd {
    /// How it ended; must be final.
    pub outcome: Outcome,
    /// When it ended.
    pub ended_at: Timestamp,
    /// The exit status, if the process exited.
    pub exit_code: Option<i32>,
    /// The signal that killed the process, if one did.
    pub signal: Option<i32>,
    /// The size of its log file.
    pub log_bytes: Option<u64>,
    /// Why it ended so, when the outcome does not say (a start failure, say).
    pub message: Option<String>,
}

impl RunEnd {
    /// A run that ended as `outcome` at `ended_at`, with nothing else to say.
    pub fn new(outcome: Outcome, ended_at: Timestamp) -> Self {
        RunEnd { outcome, ended_at, exit_code: None, signal: None, log_bytes: None, message: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_names_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_name(o.as_str()), Some(o));
        }
        assert_eq!(Outcome::from_name("missed"), None);
        assert_eq!(Outcome::KilledAtMaxRunTime.to_string(), "killed_at_max_run_time");
    }

    #[test]
    fn only_ended_outcomes_are_final() {
        let finals: Vec<Outcome> = Outcome::ALL.into_iter().filter(|o| o.is_final()).collect();
        assert_eq!(finals.len(), 8);
        assert!(!Outcome::Claimed.is_final());
        assert!(!Outcome::Running.is_final());
    }
}

/// A start or an end of a claimed run, for [`Store::record_runs`](crate::Store::record_runs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunUpdate {
    /// The run started.
    Start(RunId, RunStart),
    /// The run ended.
    Finish(RunId, RunEnd),
}

//! Scheduled times that did not run: [`Missed`] and its [`MissReason`].

use std::fmt;

use jiff::Timestamp;

use crate::{RunId, TaskId};

/// Why a scheduled time did not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MissReason {
    /// An instance was still running and the task's multiple-instances policy ignores new ones.
    PreviousStillRunning,
    /// sked was not running at the time (and the task does not start when available, or a
    /// later missed time ran in its place).
    Down,
    /// The task was disabled.
    Disabled,
    /// A condition (idle, power) did not hold.
    ConditionNotMet,
    /// The task starts only when the machine is idle (`start-only-if-idle`), and it was
    /// not idle for long enough before the time given to wait for it (`wait-up-to`) ran out.
    NotIdle,
    /// The task does not start on battery power (`no-start-on-batteries`), and the machine
    /// was on batteries.
    OnBatteries,
}

impl MissReason {
    /// Every reason.
    pub const ALL: [MissReason; 6] = [
        MissReason::PreviousStillRunning,
        MissReason::Down,
        MissReason::Disabled,
        MissReason::ConditionNotMet,
        MissReason::NotIdle,
        MissReason::OnBatteries,
    ];

    /// The reason's name in snake case, as stored: `previous_still_running`.
    pub fn as_str(self) -> &'static str {
        match self {
            MissReason::PreviousStillRunning => "previous_still_running",
            MissReason::Down => "down",
            MissReason::Disabled => "disabled",
            MissReason::ConditionNotMet => "condition_not_met",
            MissReason::NotIdle => "not_idle",
            MissReason::OnBatteries => "on_batteries",
        }
    }

    /// The reason named `s` by [`as_str`](MissReason::as_str).
    pub fn from_name(s: &str) -> Option<MissReason> {
        MissReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for MissReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scheduled time that did not run, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missed {
    /// The store's id, from the same sequence as runs.
    pub id: RunId,
    /// The task.
    pub task_id: TaskId,
    /// The scheduled time that did not run.
    pub scheduled_for: Timestamp,
    /// The trigger that asked for it, from 0.
    pub trigger: u32,
    /// Why it did not run.
    pub reason: MissReason,
    /// When the store recorded it.
    pub recorded_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_names_round_trip() {
        for r in MissReason::ALL {
            assert_eq!(MissReason::from_name(r.as_str()), Some(r));
        }
        assert_eq!(MissReason::from_name("asleep"), None);
        // Stored names never change: a store written by this version reads in the next.
        let names: Vec<&str> = MissReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            names,
            ["previous_still_running", "down", "disabled", "condition_not_met", "not_idle", "on_batteries"]
        );
    }
}

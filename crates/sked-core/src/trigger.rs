//! Triggers: when a task runs (task-file.md "Trigger kinds", semantics.md §2–§5).

use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;

use crate::cron::CronExpr;
use crate::duration::Duration;
use crate::month::MonthSet;
use crate::month_day::MonthDays;
use crate::week::WeekSet;
use crate::weekday::WeekdaySet;

/// One trigger of a task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    /// What kind of trigger it is and its kind-specific settings.
    pub kind: TriggerKind,
    /// The begin date and start time. Required by the calendar kinds; a lower bound for
    /// `cron`; unused by the event kinds.
    pub start: Option<Start>,
    /// The last date or instant the trigger fires (inclusive).
    pub end: Option<End>,
    /// Repeat each occurrence.
    pub repeat: Option<Repetition>,
    /// Each run is moved to a uniformly random instant in `[t, t + random_delay]` when executed.
    pub random_delay: Option<Duration>,
    /// A disabled trigger has no runs.
    pub enabled: bool,
    /// What happens when the start time falls in a spring-forward gap.
    pub dst_gap: GapPolicy,
    /// What happens when the start time occurs twice in a fall-back fold.
    pub dst_fold: FoldPolicy,
}

impl Trigger {
    /// A trigger of `kind` with every other setting at its default.
    pub fn new(kind: TriggerKind) -> Self {
        Trigger {
            kind,
            start: None,
            end: None,
            repeat: None,
            random_delay: None,
            enabled: true,
            dst_gap: GapPolicy::default(),
            dst_fold: FoldPolicy::default(),
        }
    }

    /// The same trigger with `start` set.
    #[must_use]
    pub fn starting(mut self, start: Start) -> Self {
        self.start = Some(start);
        self
    }
}

/// The kinds of trigger, each with its own settings.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TriggerKind {
    /// Once, at the start.
    Once,
    /// Every `every` days from the begin date.
    Daily {
        /// Days between runs, at least 1.
        every: u32,
    },
    /// Every `every` weeks, on the chosen weekdays; weeks start on Sunday.
    Weekly {
        /// Weeks between runs, at least 1.
        every: u32,
        /// The weekdays; never empty.
        days: WeekdaySet,
    },
    /// On chosen days of chosen months, every `every` months from the begin month.
    Monthly {
        /// Months between runs, at least 1.
        every: u32,
        /// Days 1..=31 and/or the last day; never empty.
        days: MonthDays,
        /// The months; never empty.
        months: MonthSet,
    },
    /// On chosen weekdays of chosen weeks of chosen months.
    MonthlyWeekday {
        /// First .. fourth and/or last; never empty.
        weeks: WeekSet,
        /// The weekdays; never empty.
        days: WeekdaySet,
        /// The months; never empty.
        months: MonthSet,
    },
    /// A five-field cron expression on the civil time of the task's zone.
    Cron(CronExpr),
    /// When the service starts at boot.
    AtStartup {
        /// Wait this long after boot.
        delay: Duration,
    },
    /// When a user logs on.
    AtLogon {
        /// Only this user; `None` for any user.
        user: Option<String>,
        /// Wait this long after the logon.
        delay: Duration,
    },
    /// When the machine becomes idle.
    OnIdle,
}

impl TriggerKind {
    /// The task-file key of the kind (`monthly-weekday`).
    pub fn key(&self) -> &'static str {
        match self {
            TriggerKind::Once => "once",
            TriggerKind::Daily { .. } => "daily",
            TriggerKind::Weekly { .. } => "weekly",
            TriggerKind::Monthly { .. } => "monthly",
            TriggerKind::MonthlyWeekday { .. } => "monthly-weekday",
            TriggerKind::Cron(_) => "cron",
            TriggerKind::AtStartup { .. } => "at-startup",
            TriggerKind::AtLogon { .. } => "at-logon",
            TriggerKind::OnIdle => "on-idle",
        }
    }

    /// True for the kinds that run at calendar times (and so have runs `sked next` can list).
    pub fn is_calendar(&self) -> bool {
        !self.is_event()
    }

    /// True for at-startup, at-logon and on-idle: events, not times.
    pub fn is_event(&self) -> bool {
        matches!(self, TriggerKind::AtStartup { .. } | TriggerKind::AtLogon { .. } | TriggerKind::OnIdle)
    }

    /// True for the kinds that cannot run without a `start`.
    pub fn needs_start(&self) -> bool {
        !self.is_event() && !matches!(self, TriggerKind::Cron(_))
    }
}

/// The begin date and start time of a trigger.
///
/// Without an offset it is civil time in the task's zone and follows that zone's DST. With
/// an offset (or `Z`) the trigger is pinned to that fixed offset and fires at the same UTC
/// instant every time (semantics.md §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Start {
    /// The civil begin date and start time.
    pub datetime: DateTime,
    /// The fixed offset the trigger is pinned to, if any.
    pub offset: Option<Offset>,
}

impl Start {
    /// A civil start in the task's zone.
    pub fn civil(datetime: DateTime) -> Self {
        Start { datetime, offset: None }
    }

    /// A start pinned to a fixed offset.
    pub fn pinned(datetime: DateTime, offset: Offset) -> Self {
        Start { datetime, offset: Some(offset) }
    }
}

/// The inclusive end of a trigger (semantics.md §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum End {
    /// No run at an instant whose civil date, in the trigger's zone, is after this date.
    Date(Date),
    /// No run at an instant after this one. Without an offset, civil time in the trigger's zone.
    At {
        /// The civil end time.
        datetime: DateTime,
        /// Its offset, if given.
        offset: Option<Offset>,
    },
}

/// Repetition of each occurrence: every `every` for `duration` (semantics.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Repetition {
    /// The interval: at least a minute.
    pub every: Duration,
    /// The length of the window, longer than `every`; `None` repeats until the trigger ends.
    pub duration: Option<Duration>,
    /// End instances still running at the end of the window.
    pub stop_at_end: bool,
}

/// The policy for a start time that falls in a spring-forward gap (semantics.md §3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum GapPolicy {
    /// Fire at the first instant after the gap.
    #[default]
    GapEnd,
    /// Fire at the civil time moved forward by the length of the gap.
    Shift,
    /// Do not fire that day.
    Skip,
}

impl GapPolicy {
    /// Every policy, in task-file order.
    pub const ALL: [GapPolicy; 3] = [GapPolicy::GapEnd, GapPolicy::Shift, GapPolicy::Skip];

    /// The task-file name.
    pub fn name(self) -> &'static str {
        match self {
            GapPolicy::GapEnd => "gap-end",
            GapPolicy::Shift => "shift",
            GapPolicy::Skip => "skip",
        }
    }

    /// Reads a task-file name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// The policy for a start time that occurs twice in a fall-back fold (semantics.md §3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FoldPolicy {
    /// Fire at the earlier instant.
    #[default]
    First,
    /// Fire at the later instant.
    Second,
}

impl FoldPolicy {
    /// Every policy, in task-file order.
    pub const ALL: [FoldPolicy; 2] = [FoldPolicy::First, FoldPolicy::Second];

    /// The task-file name.
    pub fn name(self) -> &'static str {
        match self {
            FoldPolicy::First => "first",
            FoldPolicy::Second => "second",
        }
    }

    /// Reads a task-file name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == s)
    }
}

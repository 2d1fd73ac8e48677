//! The scheduled task: what runs, as whom, under which limits, and its triggers.

use std::collections::BTreeMap;

use crate::duration::Duration;
use crate::error::{Error, ErrorKind, FieldPath, Problem};
use crate::trigger::{End, Repetition, Trigger, TriggerKind};

/// A scheduled task: the model every format reads into and writes from (task-file.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// The task's name; folders are separated by `/`.
    pub name: String,
    /// The program, run directly, never through a shell.
    pub command: String,
    /// Its arguments, one per element.
    pub args: Vec<String>,
    /// The working directory.
    pub working_dir: Option<String>,
    /// A description.
    pub comment: Option<String>,
    /// Who wrote the task.
    pub author: Option<String>,
    /// A disabled task has no runs.
    pub enabled: bool,
    /// An IANA zone name or `UTC`; `None` for the machine's zone.
    pub time_zone: Option<String>,
    /// The user to run as; `None` for the task's owner.
    pub run_as: Option<String>,
    /// The longest a run may last; `None` for no limit.
    pub max_run_time: Option<Duration>,
    /// What to do when a run is due while another is still going.
    pub multiple_instances: MultipleInstances,
    /// Run once, late, for runs missed while sked was down.
    pub start_when_available: bool,
    /// Delete the task when it has no runs left.
    pub delete_when_done: bool,
    /// The process priority.
    pub priority: Priority,
    /// Wake the machine to run.
    pub wake_to_run: bool,
    /// Variables added to the program's environment.
    pub environment: BTreeMap<String, String>,
    /// Idle conditions.
    pub idle: Option<IdleSettings>,
    /// Power conditions.
    pub power: Option<PowerSettings>,
    /// When the task runs: the union of its triggers.
    pub triggers: Vec<Trigger>,
}

/// Task Scheduler's default maximum run time: 72 hours.
pub const DEFAULT_MAX_RUN_TIME: Duration = Duration::from_hours(72);

/// The longest task name schtasks accepts.
pub const MAX_NAME_LEN: usize = 238;

impl Task {
    /// A task named `name` running `command`, with every other setting at its default.
    pub fn new(name: impl Into<String>, command: impl Into<String>) -> Self {
        Task {
            name: name.into(),
            command: command.into(),
            args: Vec::new(),
            working_dir: None,
            comment: None,
            author: None,
            enabled: true,
            time_zone: None,
            run_as: None,
            max_run_time: Some(DEFAULT_MAX_RUN_TIME),
            multiple_instances: MultipleInstances::default(),
            start_when_available: false,
            delete_when_done: false,
            priority: Priority::default(),
            wake_to_run: false,
            environment: BTreeMap::new(),
            idle: None,
            power: None,
            triggers: Vec::new(),
        }
    }

    /// Checks every rule that needs nothing but the task itself, and reports all problems at
    /// once, each naming its field, the bad value and what is allowed.
    ///
    /// Zone names are checked for form here; whether the zone exists, and whether a trigger
    /// can ever fire, is checked by [`crate::Schedule::new`].
    pub fn validate(&self) -> Result<(), Error> {
        let mut problems = Vec::new();
        let mut p = |field: FieldPath, kind: ErrorKind, message: String| {
            problems.push(Problem { field, kind, message });
        };
        if let Err(why) = check_name(&self.name) {
            p(FieldPath::key("name"), ErrorKind::InvalidValue, why);
        }
        if self.command.trim().is_empty() {
            p(
                FieldPath::key("command"),
                ErrorKind::MissingField,
                "`command` is empty; expected the program to run".into(),
            );
        } else if self.command.contains('\0') {
            p(
                FieldPath::key("command"),
                ErrorKind::InvalidValue,
                "`command` contains a NUL character".into(),
            );
        }
        if self.args.iter().any(|a| a.contains('\0')) {
            p(FieldPath::key("args"), ErrorKind::InvalidValue, "an argument contains a NUL character".into());
        }
        if let Some(zone) = &self.time_zone
            && (zone.is_empty() || zone.contains(['\0', ' ']) || zone.starts_with('/') || zone.contains(".."))
        {
            p(
                FieldPath::key("time-zone"),
                ErrorKind::UnknownTimeZone,
                format!(
                    "`{zone}` is not a time zone name; expected an IANA name such as `Europe/Paris`, or `UTC`"
                ),
            );
        }
        if let Some(user) = &self.run_as
            && user.trim().is_empty()
        {
            p(
                FieldPath::key("run-as"),
                ErrorKind::InvalidValue,
                "`run-as` is empty; expected a user name".into(),
            );
        }
        if self.max_run_time == Some(Duration::ZERO) {
            p(
                FieldPath::key("max-run-time"),
                ErrorKind::InvalidValue,
                "`0s` leaves no time to run; expected a positive length or `none` for no limit".into(),
            );
        }
        for k in self.environment.keys() {
            if k.is_empty() || k.contains(['=', '\0']) {
                p(
                    FieldPath::keys(&["environment"]),
                    ErrorKind::InvalidValue,
                    format!("`{k}` is not a variable name; names are not empty and hold no `=`"),
                );
            }
        }
        if let Some(idle) = &self.idle
            && idle.start_only_if_idle
            && idle.idle_for.is_zero()
        {
            p(
                FieldPath::keys(&["idle", "idle-for"]),
                ErrorKind::InvalidValue,
                "`0s` of idle time cannot be waited for; expected a positive length".into(),
            );
        }
        for (i, t) in self.triggers.iter().enumerate() {
            validate_trigger(i, t, &mut p);
        }
        if problems.is_empty() { Ok(()) } else { Err(Error::new(self.name.clone(), problems)) }
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("`name` is empty; expected a name such as `nightly/backup`".into());
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(format!(
            "`name` is {} characters long; at most {MAX_NAME_LEN} are allowed",
            name.chars().count()
        ));
    }
    if let Some(c) = name.chars().find(|c| c.is_control() || *c == '\\') {
        return Err(format!(
            "`{name}` contains {c:?}; names hold no control characters or backslashes (folders are separated by `/`)"
        ));
    }
    if name.split('/').any(|seg| seg.is_empty() || seg == "." || seg == ".." || seg.trim() != seg) {
        return Err(format!(
            "`{name}` has an empty, `.`, `..` or space-padded folder; expected names such as `nightly/backup`"
        ));
    }
    Ok(())
}

fn validate_trigger(i: usize, t: &Trigger, p: &mut impl FnMut(FieldPath, ErrorKind, String)) {
    let at = |rest: &[&'static str]| FieldPath::trigger(i, rest);
    let key = t.kind.key();
    match &t.kind {
        TriggerKind::Daily { every }
        | TriggerKind::Weekly { every, .. }
        | TriggerKind::Monthly { every, .. }
            if *every < 1 =>
        {
            p(
                at(&[key, "every"]),
                ErrorKind::InvalidValue,
                format!("`every = {every}`; expected a whole number of at least 1"),
            );
        }
        _ => {}
    }
    match &t.kind {
        TriggerKind::Weekly { days, .. } if days.is_empty() => {
            p(
                at(&[key, "days"]),
                ErrorKind::InvalidValue,
                "no weekday given; expected at least one of sun mon tue wed thu fri sat".into(),
            );
        }
        TriggerKind::Monthly { days, months, .. } => {
            if days.is_empty() {
                p(
                    at(&[key, "days"]),
                    ErrorKind::InvalidValue,
                    "no day given; expected days 1..31 and/or \"last\"".into(),
                );
            }
            if months.is_empty() {
                p(
                    at(&[key, "months"]),
                    ErrorKind::InvalidValue,
                    "no month given; expected at least one of jan .. dec (omit `months` for all)".into(),
                );
            }
        }
        TriggerKind::MonthlyWeekday { weeks, days, months } => {
            if weeks.is_empty() {
                p(
                    at(&[key, "weeks"]),
                    ErrorKind::InvalidValue,
                    "no week given; expected at least one of first second third fourth last".into(),
                );
            }
            if days.is_empty() {
                p(
                    at(&[key, "days"]),
                    ErrorKind::InvalidValue,
                    "no weekday given; expected at least one of sun mon tue wed thu fri sat".into(),
                );
            }
            if months.is_empty() {
                p(
                    at(&[key, "months"]),
                    ErrorKind::InvalidValue,
                    "no month given; expected at least one of jan .. dec (omit `months` for all)".into(),
                );
            }
        }
        TriggerKind::AtLogon { user: Some(u), .. } if u.trim().is_empty() => {
            p(
                at(&[key, "user"]),
                ErrorKind::InvalidValue,
                "`user` is empty; expected a user name, or no `user` for any user".into(),
            );
        }
        _ => {}
    }
    if t.kind.needs_start() && t.start.is_none() {
        p(
            at(&["start"]),
            ErrorKind::MissingField,
            format!(
                "a `{key}` trigger needs `start`, the begin date and start time, such as \"2026-01-07T06:00:00\""
            ),
        );
    }
    // The store keeps instants to the microsecond and Windows' SYSTEMTIME to the
    // millisecond: sked schedules to the millisecond. (An end is a bound, compared exactly.)
    let fine = |d: &jiff::civil::DateTime| d.subsec_nanosecond() % 1_000_000 != 0;
    if let Some(s) = &t.start
        && fine(&s.datetime)
    {
        p(
            at(&["start"]),
            ErrorKind::InvalidValue,
            format!(
                "`{}` has a fraction finer than a millisecond; sked schedules to the millisecond, such as \"06:00:00.250\"",
                s.datetime
            ),
        );
    }

    if t.kind.is_event() {
        for (field, present) in [("end", t.end.is_some()), ("repeat", t.repeat.is_some())] {
            if present {
                p(
                    at(&[field]),
                    ErrorKind::Conflict,
                    format!(
                        "a `{key}` trigger is an event, not a time; `{field}` is only for calendar triggers"
                    ),
                );
            }
        }
    }
    if let (Some(start), Some(end)) = (&t.start, &t.end) {
        let before = match end {
            End::Date(d) => *d < start.datetime.date(),
            End::At { datetime, offset } => match (offset, start.offset) {
                (Some(eo), Some(so)) => {
                    eo.to_timestamp(*datetime).ok() < so.to_timestamp(start.datetime).ok()
                }
                _ => *datetime < start.datetime,
            },
        };
        if before {
            p(
                at(&["end"]),
                ErrorKind::Conflict,
                "the end is before the start; expected an end at or after the start".into(),
            );
        }
    }
    if let Some(r) = &t.repeat {
        validate_repeat(r, &at, p);
        if matches!(t.kind, TriggerKind::Cron(_)) && r.duration.is_none() {
            p(
                at(&["repeat", "for"]),
                ErrorKind::MissingField,
                "a `cron` trigger repeats only within a window: give `for`, or put the repetition in the cron expression".into(),
            );
        }
    }
}

fn validate_repeat(
    r: &Repetition,
    at: &dyn Fn(&[&'static str]) -> FieldPath,
    p: &mut impl FnMut(FieldPath, ErrorKind, String),
) {
    if r.every < Duration::from_mins(1) {
        p(
            at(&["repeat", "every"]),
            ErrorKind::InvalidValue,
            format!("`every = \"{}\"` is shorter than a minute; expected at least `1m`", r.every),
        );
    } else if !r.every.as_millis().is_multiple_of(1000) {
        p(
            at(&["repeat", "every"]),
            ErrorKind::InvalidValue,
            format!("`every = \"{}\"` is not whole seconds", r.every),
        );
    }
    if let Some(len) = r.duration {
        if len <= r.every {
            p(
                at(&["repeat", "for"]),
                ErrorKind::Conflict,
                format!(
                    "`for = \"{len}\"` is not longer than `every = \"{}\"`; expected a duration longer than the interval, or no `for` to repeat indefinitely",
                    r.every
                ),
            );
        }
    } else if r.stop_at_end {
        p(
            at(&["repeat", "stop-at-end"]),
            ErrorKind::Conflict,
            "`stop-at-end` needs `for`: without a duration there is no end to stop at".into(),
        );
    }
}

/// What to do when a run is due while an earlier one is still going.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MultipleInstances {
    /// Do not start the new run (the default, as in Task Scheduler).
    #[default]
    IgnoreNew,
    /// Start the new run when the running one ends.
    Queue,
    /// Start the new run alongside.
    Parallel,
    /// End the running one, then start the new one.
    StopExisting,
}

impl MultipleInstances {
    /// Every policy, in task-file order.
    pub const ALL: [MultipleInstances; 4] =
        [Self::IgnoreNew, Self::Queue, Self::Parallel, Self::StopExisting];

    /// The task-file name.
    pub fn name(self) -> &'static str {
        match self {
            Self::IgnoreNew => "ignore-new",
            Self::Queue => "queue",
            Self::Parallel => "parallel",
            Self::StopExisting => "stop-existing",
        }
    }

    /// Reads a task-file name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// The priority the program runs at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    /// The Windows REALTIME class.
    Realtime,
    /// The Windows HIGH class.
    High,
    /// The Windows ABOVE_NORMAL class.
    AboveNormal,
    /// The default.
    #[default]
    Normal,
    /// The Windows BELOW_NORMAL class.
    BelowNormal,
    /// The Windows IDLE class.
    Idle,
}

impl Priority {
    /// Every priority, highest first.
    pub const ALL: [Priority; 6] =
        [Self::Realtime, Self::High, Self::AboveNormal, Self::Normal, Self::BelowNormal, Self::Idle];

    /// The task-file name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Realtime => "realtime",
            Self::High => "high",
            Self::AboveNormal => "above-normal",
            Self::Normal => "normal",
            Self::BelowNormal => "below-normal",
            Self::Idle => "idle",
        }
    }

    /// Reads a task-file name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == s)
    }

    /// The Unix nice value the runner uses for this priority.
    pub fn nice(self) -> i32 {
        match self {
            Self::Realtime => -20,
            Self::High => -10,
            Self::AboveNormal => -5,
            Self::Normal => 0,
            Self::BelowNormal => 5,
            Self::Idle => 19,
        }
    }
}

/// Idle conditions of a task (task-file.md `[task.idle]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IdleSettings {
    /// Start only when the machine has been idle for `idle_for`.
    pub start_only_if_idle: bool,
    /// Idle time required before starting (Windows' idle wait, default 10 minutes).
    pub idle_for: Duration,
    /// How long to wait for idleness past the scheduled time (Windows' idle deadline, default 1 hour).
    pub wait_up_to: Duration,
    /// End the run when the machine stops being idle.
    pub stop_on_idle_end: bool,
    /// Start again when idleness resumes.
    pub restart_on_idle_resume: bool,
}

impl Default for IdleSettings {
    fn default() -> Self {
        IdleSettings {
            start_only_if_idle: false,
            idle_for: Duration::from_mins(10),
            wait_up_to: Duration::from_hours(1),
            stop_on_idle_end: false,
            restart_on_idle_resume: false,
        }
    }
}

/// Power conditions of a task (task-file.md `[task.power]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PowerSettings {
    /// Do not start while on battery power.
    pub no_start_on_batteries: bool,
    /// Stop when the machine switches to battery power.
    pub stop_on_batteries: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trigger::Start;
    use crate::weekday::WeekdaySet;
    use jiff::civil::date;

    fn fields(t: &Task) -> Vec<String> {
        match t.validate() {
            Ok(()) => vec![],
            Err(e) => e.problems().iter().map(|p| format!("{}: {}", p.field, p.message)).collect(),
        }
    }

    #[test]
    fn a_plain_task_is_valid() {
        let mut t = Task::new("nightly/backup", "/usr/local/bin/backup");
        t.triggers.push(
            Trigger::new(TriggerKind::Daily { every: 1 })
                .starting(Start::civil(date(2026, 1, 7).at(6, 0, 0, 0))),
        );
        assert_eq!(fields(&t), Vec::<String>::new());
    }

    #[test]
    fn names_are_checked() {
        for bad in ["", "/x", "x/", "a//b", "a/../b", "a\\b", "tab\there"] {
            let t = Task::new(bad, "/bin/true");
            assert!(!fields(&t).is_empty(), "{bad:?}");
        }
        assert!(fields(&Task::new("SillySchedule1 - Runs simple CMD.EXE task", "x")).is_empty());
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut t = Task::new("t", "");
        t.triggers.push(Trigger::new(TriggerKind::Once));
        t.triggers.push(Trigger {
            repeat: Some(Repetition {
                every: Duration::from_secs(30),
                duration: Some(Duration::from_secs(20)),
                stop_at_end: false,
            }),
            ..Trigger::new(TriggerKind::Weekly { every: 0, days: WeekdaySet::EMPTY })
                .starting(Start::civil(date(2026, 1, 1).at(0, 0, 0, 0)))
        });
        let f = fields(&t);
        let joined = f.join("\n");
        assert!(joined.contains("command: `command` is empty"), "{joined}");
        assert!(joined.contains("trigger[1].start: a `once` trigger needs `start`"), "{joined}");
        assert!(joined.contains("trigger[2].weekly.every: `every = 0`"), "{joined}");
        assert!(joined.contains("trigger[2].weekly.days: no weekday given"), "{joined}");
        assert!(
            joined.contains("trigger[2].repeat.every: `every = \"30s\"` is shorter than a minute"),
            "{joined}"
        );
        assert!(joined.contains("trigger[2].repeat.for: `for = \"20s\"` is not longer"), "{joined}");
    }
}

//! The task that the flags of `sked create` and `sked change` describe.
//!
//! Everything here is checked before anything is sent, so that a wrong flag is reported
//! in the command line's terms (`--at`, `--every`) rather than the task file's.

use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use sked_core::{Duration, End, MonthSet, Repetition, Schedule, Start, Task, Trigger, TriggerKind, Zones};

use crate::args::TaskFlags;
use crate::exit::Usage;

/// What building a task needs from outside: the clock and the machine's zone.
#[derive(Clone, Debug)]
pub struct Context {
    /// Now: `--start` defaults to today in the task's zone.
    pub now: Timestamp,
    /// The zone of a task that names none.
    pub machine_zone: TimeZone,
}

impl Context {
    /// The real clock and zone.
    pub fn system() -> Context {
        Context { now: Timestamp::now(), machine_zone: TimeZone::system() }
    }
}

/// The task `name` the flags describe, checked as the service would check it.
pub fn create(name: &str, flags: &TaskFlags, ctx: &Context) -> Result<Task, Usage> {
    let Some(command) = &flags.command else {
        return Err(Usage(format!(
            "`sked create {name}` needs `--command PROGRAM`: the program the task runs"
        )));
    };
    let mut task = Task::new(name, command.clone());
    change(&mut task, flags, ctx)?;
    Ok(task)
}

/// Changes `task` by the flags given: each setting flag replaces its setting, a schedule
/// flag replaces every trigger. The result is checked as the service would check it.
pub fn change(task: &mut Task, flags: &TaskFlags, ctx: &Context) -> Result<(), Usage> {
    if let Some(command) = &flags.command {
        task.command = command.clone();
    }
    if !flags.args.is_empty() {
        task.args = flags.args.clone();
    }
    if let Some(dir) = &flags.workdir {
        task.working_dir = Some(dir.clone());
    }
    if let Some(comment) = &flags.comment {
        task.comment = Some(comment.clone());
    }
    if let Some(user) = &flags.run_as {
        task.run_as = Some(user.clone());
    }
    if flags.disabled {
        task.enabled = false;
    }
    if let Some(d) = flags.max_run_time {
        // `0s` is how the task file and Task Scheduler say "no limit".
        task.max_run_time = (!d.is_zero()).then_some(d);
    }
    if let Some(p) = flags.multiple_instances {
        task.multiple_instances = p;
    }
    if let Some(zone) = &flags.tz {
        task.time_zone = Some(zone.clone());
    }
    let tz = match &task.time_zone {
        Some(name) if name == "UTC" => TimeZone::UTC,
        Some(name) => jiff::tz::db().get(name).unwrap_or(TimeZone::UTC),
        None => ctx.machine_zone.clone(),
    };
    if let Some(trigger) = trigger(flags, &tz, ctx.now)? {
        task.triggers = vec![trigger];
    }
    check(task, ctx)
}

/// The checks of [`Task::validate`] and of compiling the schedule (a zone that exists, a
/// trigger that can fire), each problem on its own line.
fn check(task: &Task, ctx: &Context) -> Result<(), Usage> {
    task.validate().map_err(|e| Usage(e.to_string()))?;
    let zones = Zones::new(jiff::tz::db().clone(), ctx.machine_zone.clone());
    Schedule::new(task, &zones).map(drop).map_err(|e| Usage(e.to_string()))
}

/// The flag that chose the schedule, for messages.
fn kind_flag(flags: &TaskFlags) -> Option<&'static str> {
    [
        (flags.once, "--once"),
        (flags.daily, "--daily"),
        (flags.weekly.is_some(), "--weekly"),
        (flags.monthly.is_some(), "--monthly"),
        (flags.monthly_week.is_some(), "--monthly-week"),
        (flags.cron.is_some(), "--cron"),
        (flags.at_startup, "--at-startup"),
        (flags.at_logon, "--at-logon"),
        (flags.on_idle, "--on-idle"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

/// The schedule settings given, by flag.
fn settings_given(flags: &TaskFlags) -> Vec<&'static str> {
    [
        (flags.at.is_some(), "--at"),
        (flags.every.is_some(), "--every"),
        (flags.start.is_some(), "--start"),
        (flags.end.is_some(), "--end"),
        (flags.repeat.is_some(), "--repeat"),
        (flags.random_delay.is_some(), "--random-delay"),
        (flags.days.is_some(), "--days"),
    ]
    .into_iter()
    .filter_map(|(given, flag)| given.then_some(flag))
    .collect()
}

const SCHEDULES: &str = "`--once`, `--daily`, `--weekly`, `--monthly`, `--monthly-week`, `--cron`, `--at-startup`, `--at-logon` or `--on-idle`";

/// The trigger the schedule flags describe; none when no schedule flag is given.
fn trigger(flags: &TaskFlags, tz: &TimeZone, now: Timestamp) -> Result<Option<Trigger>, Usage> {
    let settings = settings_given(flags);
    let Some(flag) = kind_flag(flags) else {
        if let Some(first) = settings.first() {
            return Err(Usage(format!(
                "`{first}` needs a schedule: one of {SCHEDULES} (a schedule flag replaces the triggers, so give the whole schedule)"
            )));
        }
        return Ok(None);
    };
    let every = flags.every.unwrap_or(1);
    let kind = if flags.once {
        TriggerKind::Once
    } else if flags.daily {
        TriggerKind::Daily { every }
    } else if let Some(days) = flags.weekly {
        TriggerKind::Weekly { every, days }
    } else if let Some(days) = flags.monthly {
        TriggerKind::Monthly { every, days, months: MonthSet::ALL }
    } else if let Some(weeks) = flags.monthly_week {
        let Some(days) = flags.days else {
            return Err(Usage(
                "`--monthly-week` needs `--days`: the weekdays it runs on, such as `fri`".into(),
            ));
        };
        TriggerKind::MonthlyWeekday { weeks, days, months: MonthSet::ALL }
    } else if let Some(cron) = &flags.cron {
        TriggerKind::Cron(cron.clone())
    } else if flags.at_startup {
        TriggerKind::AtStartup { delay: Duration::ZERO }
    } else if flags.at_logon {
        TriggerKind::AtLogon { user: None, delay: Duration::ZERO }
    } else {
        TriggerKind::OnIdle
    };
    if flags.every.is_some() && !matches!(flag, "--daily" | "--weekly" | "--monthly") {
        return Err(Usage(format!(
            "`--every` does not apply to `{flag}`; it is the interval of `--daily`, `--weekly` and `--monthly`"
        )));
    }
    let not_for = |setting: &str, why: &str| Usage(format!("`{setting}` does not apply to `{flag}`: {why}"));
    if kind.is_event() {
        for setting in ["--at", "--start"] {
            if settings.contains(&setting) {
                return Err(not_for(setting, "it runs at an event, not at a time"));
            }
        }
    }
    let mut trigger = Trigger::new(kind);
    let today = || now.to_zoned(tz.clone()).date();
    if trigger.kind.needs_start() {
        let Some(at) = flags.at else {
            return Err(Usage(format!("`{flag}` needs `--at HH:MM`: the time of day it runs")));
        };
        let date = flags.start.unwrap_or_else(today);
        trigger.start = Some(Start::civil(date.to_datetime(at)));
    } else if flags.cron.is_some() {
        if flags.at.is_some() {
            return Err(not_for("--at", "the expression gives the times; `--start` sets the first day"));
        }
        trigger.start = flags.start.map(|d| Start::civil(d.to_datetime(Time::midnight())));
    }
    trigger.end = flags.end.map(End::Date);
    trigger.repeat = flags.repeat.map(|every| Repetition {
        every,
        duration: flags.repeat_for,
        stop_at_end: flags.stop_at_end,
    });
    trigger.random_delay = flags.random_delay;
    Ok(Some(trigger))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{Cli, Command};
    use clap::Parser;
    use jiff::civil::date;
    use sked_core::{MultipleInstances, WeekOfMonth, Weekday};

    fn ctx() -> Context {
        Context { now: "2026-03-10T12:00:00Z".parse().unwrap(), machine_zone: TimeZone::UTC }
    }

    fn flags(line: &[&str]) -> TaskFlags {
        let mut argv = vec!["sked", "create", "t", "--command", "/bin/true"];
        argv.extend(line);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Create(a) => a.task,
            other => panic!("{other:?}"),
        }
    }

    fn built(line: &[&str]) -> Task {
        create("t", &flags(line), &ctx()).unwrap()
    }

    fn error(line: &[&str]) -> String {
        create("t", &flags(line), &ctx()).unwrap_err().0
    }

    fn start(y: i16, m: i8, d: i8, h: i8, min: i8) -> Option<Start> {
        Some(Start::civil(date(y, m, d).at(h, min, 0, 0)))
    }

    #[test]
    fn settings_become_the_task() {
        let task = built(&[
            "--arg",
            "-v",
            "--arg",
            "x y",
            "--workdir",
            "/srv",
            "--comment",
            "hello",
            "--run-as",
            "backup",
            "--disabled",
            "--max-run-time",
            "2h",
            "--multiple-instances",
            "queue",
            "--tz",
            "Europe/Paris",
        ]);
        assert_eq!(task.command, "/bin/true");
        assert_eq!(task.args, ["-v", "x y"]);
        assert_eq!(task.working_dir.as_deref(), Some("/srv"));
        assert_eq!(task.comment.as_deref(), Some("hello"));
        assert_eq!(task.run_as.as_deref(), Some("backup"));
        assert!(!task.enabled);
        assert_eq!(task.max_run_time, Some(Duration::from_hours(2)));
        assert_eq!(task.multiple_instances, MultipleInstances::Queue);
        assert_eq!(task.time_zone.as_deref(), Some("Europe/Paris"));
        assert!(task.triggers.is_empty());
        assert_eq!(built(&["--max-run-time", "0s"]).max_run_time, None);
    }

    #[test]
    fn daily_starts_today_in_the_tasks_zone() {
        let task = built(&["--daily", "--at", "06:30"]);
        assert_eq!(
            task.triggers,
            [Trigger::new(TriggerKind::Daily { every: 1 }).starting(start(2026, 3, 10, 6, 30).unwrap())]
        );
        // 12:00 UTC on the 10th is already the 11th in Kiritimati (UTC+14).
        let task = built(&["--daily", "--at", "06:30", "--tz", "Pacific/Kiritimati"]);
        assert_eq!(task.triggers[0].start, start(2026, 3, 11, 6, 30));
    }

    #[test]
    fn every_kind_of_schedule() {
        let t = &built(&["--once", "--at", "09:00", "--start", "2026-04-01"]).triggers[0];
        assert_eq!((&t.kind, t.start), (&TriggerKind::Once, start(2026, 4, 1, 9, 0)));

        let t = &built(&["--weekly", "mon,Wednesday", "--every", "2", "--at", "08:00"]).triggers[0];
        let days = [Weekday::Monday, Weekday::Wednesday].into_iter().collect();
        assert_eq!(t.kind, TriggerKind::Weekly { every: 2, days });

        let t = &built(&["--monthly", "1,15,last", "--at", "08:00"]).triggers[0];
        let TriggerKind::Monthly { every: 1, days, months } = t.kind else { panic!("{t:?}") };
        assert_eq!(days.days().collect::<Vec<_>>(), [1, 15]);
        assert!(days.has_last() && months.is_all());

        let t = &built(&["--monthly-week", "first,last", "--days", "fri", "--at", "08:00"]).triggers[0];
        let TriggerKind::MonthlyWeekday { weeks, days, .. } = t.kind else { panic!("{t:?}") };
        assert_eq!(weeks.iter().collect::<Vec<_>>(), [WeekOfMonth::First, WeekOfMonth::Last]);
        assert_eq!(days.iter().collect::<Vec<_>>(), [Weekday::Friday]);

        let t = &built(&["--cron", "*/5 9-17 * * mon-fri"]).triggers[0];
        assert!(matches!(t.kind, TriggerKind::Cron(_)) && t.start.is_none());
        let t = &built(&["--cron", "@daily", "--start", "2026-05-01"]).triggers[0];
        assert_eq!(t.start, start(2026, 5, 1, 0, 0));

        assert_eq!(
            built(&["--at-startup"]).triggers[0].kind,
            TriggerKind::AtStartup { delay: Duration::ZERO }
        );
        assert!(matches!(built(&["--at-logon"]).triggers[0].kind, TriggerKind::AtLogon { user: None, .. }));
        assert_eq!(built(&["--on-idle"]).triggers[0].kind, TriggerKind::OnIdle);
    }

    #[test]
    fn end_repetition_and_delay() {
        let t = &built(&[
            "--daily",
            "--at",
            "08:00",
            "--end",
            "2026-12-31",
            "--repeat",
            "15m",
            "--for",
            "8h",
            "--stop-at-end",
            "--random-delay",
            "PT5M",
        ])
        .triggers[0];
        assert_eq!(t.end, Some(End::Date(date(2026, 12, 31))));
        let repeat = Repetition {
            every: Duration::from_mins(15),
            duration: Some(Duration::from_hours(8)),
            stop_at_end: true,
        };
        assert_eq!(t.repeat, Some(repeat));
        assert_eq!(t.random_delay, Some(Duration::from_mins(5)));
    }

    #[test]
    fn wrong_combinations_name_the_flags() {
        assert_eq!(error(&["--daily"]), "`--daily` needs `--at HH:MM`: the time of day it runs");
        assert!(error(&["--at", "08:00"]).starts_with("`--at` needs a schedule: one of `--once`"));
        assert!(
            error(&["--once", "--at", "08:00", "--every", "2"])
                .starts_with("`--every` does not apply to `--once`")
        );
        assert_eq!(
            error(&["--at-startup", "--at", "08:00"]),
            "`--at` does not apply to `--at-startup`: it runs at an event, not at a time"
        );
        assert!(
            error(&["--cron", "@daily", "--at", "08:00"]).starts_with("`--at` does not apply to `--cron`")
        );
        let e = create("t", &TaskFlags::default(), &ctx()).unwrap_err().0;
        assert_eq!(e, "`sked create t` needs `--command PROGRAM`: the program the task runs");
    }

    #[test]
    fn the_models_own_checks_run_before_sending() {
        let e = error(&["--daily", "--at", "08:00", "--repeat", "1h", "--for", "30m"]);
        assert!(e.contains("task `t`"), "{e}");
        let e = create("bad\u{0}name", &flags(&[]), &ctx()).unwrap_err().0;
        assert!(e.contains("name"), "{e}");
    }

    #[test]
    fn flag_values_are_checked_by_the_parser() {
        let parse = |extra: &[&str]| {
            let mut argv = vec!["sked", "create", "t", "--command", "x"];
            argv.extend(extra);
            Cli::try_parse_from(argv).unwrap_err().to_string()
        };
        assert!(parse(&["--weekly", "mon,funday"]).contains("`funday` is not a weekday"));
        assert!(
            parse(&["--monthly", "0"]).contains("`0` is not a day of the month; expected 1 to 31 or `last`")
        );
        assert!(
            parse(&["--monthly-week", "fifth", "--days", "fri"])
                .contains("`fifth` is not a week of the month")
        );
        assert!(parse(&["--daily", "--at", "25:00"]).contains("`25:00` is not a time of day"));
        assert!(parse(&["--daily", "--at", "8am"]).contains("expected `HH:MM`"));
        assert!(parse(&["--max-run-time", "soon"]).contains("invalid duration `soon`"));
        assert!(parse(&["--multiple-instances", "many"]).contains("expected one of `ignore-new`, `queue`"));
        assert!(parse(&["--tz", "Mars/Base"]).contains("not in the time zone database"));
        assert!(parse(&["--daily", "--weekly", "mon"]).contains("cannot be used with"));
        assert!(parse(&["--monthly-week", "first"]).contains("--days"));
    }

    #[test]
    fn change_keeps_what_is_not_given() {
        let mut task = built(&["--daily", "--at", "06:30", "--comment", "c", "--arg", "a"]);
        let before = task.triggers.clone();
        let mut f = TaskFlags { comment: Some("new".into()), ..TaskFlags::default() };
        change(&mut task, &f, &ctx()).unwrap();
        assert_eq!(
            (task.comment.as_deref(), &task.args, &task.triggers),
            (Some("new"), &vec!["a".to_string()], &before)
        );
        f.weekly = Some([Weekday::Friday].into_iter().collect());
        f.at = Some(Time::constant(7, 0, 0, 0));
        change(&mut task, &f, &ctx()).unwrap();
        assert_eq!(task.triggers.len(), 1);
        assert!(matches!(task.triggers[0].kind, TriggerKind::Weekly { every: 1, .. }));
    }
}

//! From a `<Task>` element to the model and its extras.

use jiff::civil::Weekday;
use sked_core::{
    Duration, End, IdleSettings, MonthDays, MonthSet, MultipleInstances, PowerSettings, Priority, Repetition,
    Start, Task, Trigger, TriggerKind, WeekOfMonth, WeekSet, WeekdaySet,
};

use super::tree::El;
use super::values::{Stamp, parse_bool, parse_datetime, parse_duration};
use super::{Kept, RestartOnFailure, TriggerExtras, XmlExtras};
use crate::diagnostic::Diagnostic;
use crate::winargs;

type R<T> = Result<T, Diagnostic>;

/// The weekday elements of `DaysOfWeek`, Sunday first.
pub(crate) const WEEKDAYS: [(&str, Weekday); 7] = [
    ("Sunday", Weekday::Sunday),
    ("Monday", Weekday::Monday),
    ("Tuesday", Weekday::Tuesday),
    ("Wednesday", Weekday::Wednesday),
    ("Thursday", Weekday::Thursday),
    ("Friday", Weekday::Friday),
    ("Saturday", Weekday::Saturday),
];

/// Reads one `<Task>` element (standalone or embedded in a GPP item) into a task and its
/// extras, pushing warnings for what is kept but not used.
///
/// `name`: the name given from outside (a GPP item's `name`); then a `URI` is kept as it is.
/// Without it the task is named by its `URI`, else `fallback`.
pub fn read_task(
    root: El<'_, '_>,
    name: Option<&str>,
    fallback: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(Task, XmlExtras), Diagnostic> {
    let mut x = XmlExtras::default();
    if let Some(v) = root.attr("version")?
        && v != "1.2"
    {
        x.version = Some(v.into_owned());
    }
    let mut task = Task::new(String::new(), String::new());
    let mut uri = None;
    let mut triggers = None;
    let mut settings = None;
    let mut principals = None;
    let mut actions = None;
    let mut registration = None;
    for c in root.children() {
        let slot = match c.name() {
            "RegistrationInfo" => &mut registration,
            "Triggers" => &mut triggers,
            "Settings" => &mut settings,
            "Principals" => &mut principals,
            "Actions" => &mut actions,
            "Data" => {
                x.data = Some(c.raw().to_string());
                continue;
            }
            _ => {
                keep_unknown(c, "Task", &mut x.other, warnings);
                continue;
            }
        };
        if slot.is_some() {
            return Err(c.error(format!("`<{}>` appears twice in `<Task>`; expected it once", c.name())));
        }
        *slot = Some(c);
    }
    if let Some(r) = registration {
        read_registration(r, &mut task, &mut x, &mut uri, warnings)?;
    }
    match (name, uri) {
        (Some(n), uri) => {
            task.name = n.to_string();
            x.registration.uri = uri;
        }
        (None, Some(u)) => {
            let derived = name_from_uri(&u);
            if derived.is_empty() {
                task.name = fallback.to_string();
                x.registration.uri = Some(u);
            } else {
                if uri_from_name(&derived) != u {
                    x.registration.uri = Some(u);
                }
                task.name = derived;
            }
        }
        (None, None) => {
            task.name = fallback.to_string();
            x.registration.no_uri = true;
        }
    }
    match principals {
        Some(p) => read_principals(p, &mut task, &mut x, warnings)?,
        None => x.principal.absent = true,
    }
    if let Some(t) = triggers {
        read_triggers(t, &mut task, &mut x, warnings)?;
    }
    read_settings(settings, &mut task, &mut x, warnings)?;
    match actions {
        Some(a) => read_actions(a, &mut task, &mut x, warnings)?,
        None => {
            return Err(root
                .error("a `<Task>` needs `<Actions>`; expected an `<Actions>` element holding an `<Exec>`"));
        }
    }
    Ok((task, x))
}

/// The task name a `URI` gives: `\Folder\Name` is `Folder/Name`.
pub(crate) fn name_from_uri(uri: &str) -> String {
    uri.strip_prefix('\\').unwrap_or(uri).replace('\\', "/")
}

/// The `URI` sked writes for a task name.
pub(crate) fn uri_from_name(name: &str) -> String {
    format!("\\{}", name.replace('/', "\\"))
}

fn keep_unknown(el: El<'_, '_>, parent: &str, into: &mut Vec<String>, w: &mut Vec<Diagnostic>) {
    w.push(Diagnostic::warning(
        el.location(),
        format!("unknown element `<{}>` in `<{parent}>` kept as it is; sked does not use it", el.name()),
    ));
    into.push(el.raw().to_string());
}

fn unexpected(el: El<'_, '_>, parent: &str, expected: &str) -> Diagnostic {
    el.error(format!("unexpected element `<{}>` in `<{parent}>`; expected {expected}", el.name()))
}

fn text<'t>(el: El<'t, '_>) -> R<&'t str> {
    if let Some(c) = el.children().next() {
        return Err(c.error(format!(
            "expected text in `<{}>`, but found the element `<{}>`",
            el.name(),
            c.name()
        )));
    }
    Ok(el.text())
}

fn opt_string(el: El<'_, '_>) -> R<Option<String>> {
    let t = text(el)?;
    Ok(if t.is_empty() { None } else { Some(t.to_string()) })
}

fn boolean(el: El<'_, '_>) -> R<bool> {
    let t = text(el)?;
    parse_bool(t).ok_or_else(|| {
        el.text_error(format!("expected `true` or `false` in `<{}>`, but found `{}`", el.name(), t.trim()))
    })
}

fn duration(el: El<'_, '_>) -> R<Duration> {
    let t = text(el)?;
    parse_duration(t).map_err(|_| {
        el.text_error(format!(
            "expected an ISO 8601 duration such as `PT10M` or `P1D` in `<{}>`, but found `{}`",
            el.name(),
            t.trim()
        ))
    })
}

fn number(el: El<'_, '_>, min: u32, max: u32) -> R<u32> {
    let t = text(el)?;
    match t.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => {
            let range =
                if max == u32::MAX { format!("of at least {min}") } else { format!("from {min} to {max}") };
            Err(el.text_error(format!(
                "expected a whole number {range} in `<{}>`, but found `{}`",
                el.name(),
                t.trim()
            )))
        }
    }
}

fn stamp(el: El<'_, '_>, w: &mut Vec<Diagnostic>) -> R<Stamp> {
    let t = text(el)?;
    let s = parse_datetime(t).map_err(|_| {
        el.text_error(format!(
            "expected a date and time such as `2026-01-07T06:00:00` in `<{}>`, but found `{}`",
            el.name(),
            t.trim()
        ))
    })?;
    if s.cut_fraction {
        w.push(Diagnostic::warning(
            el.text_location(),
            format!(
                "the fraction of a second in `<{}>` is cut to milliseconds; sked schedules to the millisecond",
                el.name()
            ),
        ));
    }
    Ok(s)
}

fn read_registration(
    r: El<'_, '_>,
    task: &mut Task,
    x: &mut XmlExtras,
    uri: &mut Option<String>,
    w: &mut Vec<Diagnostic>,
) -> R<()> {
    for c in r.children() {
        let reg = &mut x.registration;
        match c.name() {
            "URI" => *uri = opt_string(c)?,
            "Author" => task.author = opt_string(c)?,
            "Description" => task.comment = opt_string(c)?,
            "Date" => reg.date = opt_string(c)?,
            "Version" => reg.version = opt_string(c)?,
            "Source" => reg.source = opt_string(c)?,
            "Documentation" => reg.documentation = opt_string(c)?,
            "SecurityDescriptor" => reg.security_descriptor = opt_string(c)?,
            _ => keep_unknown(c, "RegistrationInfo", &mut reg.other, w),
        }
    }
    Ok(())
}

fn read_principals(p: El<'_, '_>, task: &mut Task, x: &mut XmlExtras, w: &mut Vec<Diagnostic>) -> R<()> {
    let mut found = false;
    for principal in p.children() {
        if principal.name() != "Principal" {
            return Err(unexpected(principal, "Principals", "`<Principal>`"));
        }
        if found {
            return Err(principal
                .error("a second `<Principal>`; Task Scheduler takes exactly one principal per task"));
        }
        found = true;
        let px = &mut x.principal;
        if let Some(id) = principal.attr("id")?
            && id != "Author"
        {
            px.id = Some(id.into_owned());
        }
        for c in principal.children() {
            match c.name() {
                "UserId" => task.run_as = opt_string(c)?,
                "LogonType" => px.logon_type = opt_string(c)?,
                "GroupId" => px.group_id = opt_string(c)?,
                "DisplayName" => px.display_name = opt_string(c)?,
                "RunLevel" => px.run_level = opt_string(c)?,
                "ProcessTokenSidType" => px.process_token_sid_type = opt_string(c)?,
                "RequiredPrivileges" => {
                    for privilege in c.children() {
                        if privilege.name() != "Privilege" {
                            return Err(unexpected(privilege, "RequiredPrivileges", "`<Privilege>`"));
                        }
                        px.required_privileges.push(text(privilege)?.trim().to_string());
                    }
                }
                _ => keep_unknown(c, "Principal", &mut px.other, w),
            }
        }
    }
    if !found {
        x.principal.absent = true;
    }
    Ok(())
}

fn read_actions(a: El<'_, '_>, task: &mut Task, x: &mut XmlExtras, w: &mut Vec<Diagnostic>) -> R<()> {
    match a.attr("Context")? {
        None => x.no_actions_context = true,
        Some(ctx) => {
            if ctx != x.principal.id.as_deref().unwrap_or("Author") {
                x.actions_context = Some(ctx.into_owned());
            }
        }
    }
    let mut have_exec = false;
    for (i, c) in a.children().enumerate() {
        if c.name() == "Exec" && !have_exec {
            have_exec = true;
            read_exec(c, task, x, w)?;
            continue;
        }
        let why = match c.name() {
            "Exec" => {
                "a second `<Exec>` action is kept but not run: sked runs one program per task".to_string()
            }
            "ComHandler" | "SendEmail" | "ShowMessage" => {
                format!("the `<{}>` action is kept but not run: sked runs only `<Exec>` actions", c.name())
            }
            other => {
                format!("unknown action `<{other}>` kept as it is; sked runs only `<Exec>` actions")
            }
        };
        w.push(Diagnostic::warning(c.location(), why));
        x.other_actions.push(Kept { index: i, xml: c.raw().to_string() });
    }
    if !have_exec {
        w.push(Diagnostic::warning(
            a.location(),
            "no `<Exec>` action: sked has no program to run for this task",
        ));
    }
    Ok(())
}

fn read_exec(e: El<'_, '_>, task: &mut Task, x: &mut XmlExtras, w: &mut Vec<Diagnostic>) -> R<()> {
    let ex = &mut x.exec;
    ex.id = e.attr("id")?.map(|s| s.into_owned());
    let mut command = None;
    for c in e.children() {
        match c.name() {
            "Command" => command = Some(text(c)?.to_string()),
            "Arguments" => {
                let raw = text(c)?;
                task.args = winargs::split(raw);
                if winargs::join(&task.args) != raw {
                    ex.arguments = Some(raw.to_string());
                }
            }
            "WorkingDirectory" => task.working_dir = opt_string(c)?,
            _ => keep_unknown(c, "Exec", &mut ex.other, w),
        }
    }
    let Some(mut command) = command else {
        return Err(e.error("an `<Exec>` action needs `<Command>`, the program to run"));
    };
    if command.len() >= 2 && command.starts_with('"') && command.ends_with('"') {
        command = command[1..command.len() - 1].to_string();
        ex.command_quoted = true;
    }
    task.command = command;
    Ok(())
}

fn read_triggers(t: El<'_, '_>, task: &mut Task, x: &mut XmlExtras, w: &mut Vec<Diagnostic>) -> R<()> {
    let mut extras = Vec::new();
    for (i, c) in t.children().enumerate() {
        match c.name() {
            "TimeTrigger" | "CalendarTrigger" | "BootTrigger" | "LogonTrigger" | "IdleTrigger" => {
                let (trigger, te) = read_trigger(c, w)?;
                task.triggers.push(trigger);
                extras.push(te);
            }
            name => {
                let why = match name {
                    "EventTrigger" | "RegistrationTrigger" | "SessionStateChangeTrigger" => {
                        format!(
                            "`<{name}>` is kept but never fires: sked cannot fire event, registration or session-state triggers"
                        )
                    }
                    _ => format!("unknown trigger `<{name}>` is kept but never fires"),
                };
                w.push(Diagnostic::warning(c.location(), why));
                x.other_triggers.push(Kept { index: i, xml: c.raw().to_string() });
            }
        }
    }
    if extras.iter().any(|e| *e != TriggerExtras::default()) {
        x.triggers = extras;
    }
    Ok(())
}

fn read_trigger(c: El<'_, '_>, w: &mut Vec<Diagnostic>) -> R<(Trigger, TriggerExtras)> {
    let kind_name = c.name();
    let event = matches!(kind_name, "BootTrigger" | "LogonTrigger" | "IdleTrigger");
    let mut t = Trigger::new(TriggerKind::Once);
    let mut te = TriggerExtras { id: c.attr("id")?.map(|s| s.into_owned()), ..TriggerExtras::default() };
    let mut delay = Duration::ZERO;
    let mut user = None;
    let mut schedule: Option<El<'_, '_>> = None;
    for ch in c.children() {
        match (kind_name, ch.name()) {
            (_, "Enabled") => t.enabled = boolean(ch)?,
            (_, "StartBoundary") => {
                let s = text(ch)?;
                if s.contains('%') {
                    te.start_text = Some(s.to_string());
                } else {
                    let st = stamp(ch, w)?;
                    t.start = Some(Start { datetime: st.datetime, offset: st.offset });
                }
            }
            (_, "EndBoundary") => {
                let s = text(ch)?;
                if s.contains('%') || event {
                    if event {
                        stamp(ch, w)?;
                        w.push(Diagnostic::warning(
                            ch.location(),
                            format!("the `<EndBoundary>` of a `<{kind_name}>` is kept but not applied: sked bounds calendar triggers only"),
                        ));
                    }
                    te.end_text = Some(s.to_string());
                } else {
                    let st = stamp(ch, w)?;
                    t.end = Some(End::At { datetime: st.datetime, offset: st.offset });
                }
            }
            (_, "Repetition") => {
                let r = read_repetition(ch)?;
                if event {
                    w.push(Diagnostic::warning(
                        ch.location(),
                        format!("the `<Repetition>` of a `<{kind_name}>` is kept but not applied: sked repeats calendar triggers only"),
                    ));
                    te.repetition = Some(ch.raw().to_string());
                } else {
                    t.repeat = Some(r);
                }
            }
            (_, "ExecutionTimeLimit") => te.execution_time_limit = Some(duration(ch)?),
            ("TimeTrigger" | "CalendarTrigger", "RandomDelay") => {
                let d = duration(ch)?;
                t.random_delay = (!d.is_zero()).then_some(d);
            }
            ("BootTrigger" | "LogonTrigger", "Delay") => delay = duration(ch)?,
            ("LogonTrigger", "UserId") => user = opt_string(ch)?,
            (
                "CalendarTrigger",
                "ScheduleByDay" | "ScheduleByWeek" | "ScheduleByMonth" | "ScheduleByMonthDayOfWeek",
            ) => {
                if let Some(first) = schedule {
                    return Err(ch.error(format!(
                        "a `<CalendarTrigger>` takes one schedule, but found `<{}>` after `<{}>`",
                        ch.name(),
                        first.name()
                    )));
                }
                schedule = Some(ch);
            }
            _ => keep_unknown(ch, kind_name, &mut te.other, w),
        }
    }
    t.kind = match kind_name {
        "TimeTrigger" => TriggerKind::Once,
        "CalendarTrigger" => match schedule {
            Some(s) => read_schedule(s)?,
            None => {
                return Err(c.error(
                    "a `<CalendarTrigger>` needs a schedule; expected one of `<ScheduleByDay>`, `<ScheduleByWeek>`, `<ScheduleByMonth>`, `<ScheduleByMonthDayOfWeek>`",
                ));
            }
        },
        "BootTrigger" => TriggerKind::AtStartup { delay },
        "LogonTrigger" => TriggerKind::AtLogon { user, delay },
        _ => TriggerKind::OnIdle,
    };
    if !event && t.start.is_none() && te.start_text.is_none() {
        return Err(
            c.error(format!("a `<{kind_name}>` needs `<StartBoundary>`, the date and time it first fires"))
        );
    }
    Ok((t, te))
}

fn read_repetition(r: El<'_, '_>) -> R<Repetition> {
    let mut every = None;
    let mut length = None;
    let mut stop_at_end = false;
    for c in r.children() {
        match c.name() {
            "Interval" => every = Some(duration(c)?),
            "Duration" => length = Some(duration(c)?),
            "StopAtDurationEnd" => stop_at_end = boolean(c)?,
            _ => {
                return Err(unexpected(
                    c,
                    "Repetition",
                    "`<Interval>`, `<Duration>` or `<StopAtDurationEnd>`",
                ));
            }
        }
    }
    let every = every.ok_or_else(|| r.error("a `<Repetition>` needs `<Interval>`, the time between runs"))?;
    Ok(Repetition { every, duration: length.filter(|d| !d.is_zero()), stop_at_end })
}

fn read_schedule(s: El<'_, '_>) -> R<TriggerKind> {
    let name = s.name();
    let mut interval = 1;
    let mut days_of_week = None;
    let mut days_of_month = None;
    let mut weeks = None;
    let mut months = MonthSet::ALL;
    for c in s.children() {
        match (name, c.name()) {
            ("ScheduleByDay", "DaysInterval") => interval = number(c, 1, u32::MAX)?,
            ("ScheduleByWeek", "WeeksInterval") => interval = number(c, 1, u32::MAX)?,
            ("ScheduleByWeek" | "ScheduleByMonthDayOfWeek", "DaysOfWeek") => {
                days_of_week = Some(read_days_of_week(c)?);
            }
            ("ScheduleByMonth" | "ScheduleByMonthDayOfWeek", "Months") => {
                months = read_months(c)?;
            }
            ("ScheduleByMonth", "DaysOfMonth") => days_of_month = Some(read_days_of_month(c)?),
            ("ScheduleByMonthDayOfWeek", "Weeks") => weeks = Some(read_weeks(c)?),
            _ => {
                let expected = match name {
                    "ScheduleByDay" => "`<DaysInterval>`",
                    "ScheduleByWeek" => "`<WeeksInterval>` or `<DaysOfWeek>`",
                    "ScheduleByMonth" => "`<DaysOfMonth>` or `<Months>`",
                    _ => "`<Weeks>`, `<DaysOfWeek>` or `<Months>`",
                };
                return Err(unexpected(c, name, expected));
            }
        }
    }
    let need = |what: &str| s.error(format!("`<{name}>` needs `<{what}>`"));
    Ok(match name {
        "ScheduleByDay" => TriggerKind::Daily { every: interval },
        "ScheduleByWeek" => {
            TriggerKind::Weekly { every: interval, days: days_of_week.ok_or_else(|| need("DaysOfWeek"))? }
        }
        "ScheduleByMonth" => {
            TriggerKind::Monthly { every: 1, days: days_of_month.ok_or_else(|| need("DaysOfMonth"))?, months }
        }
        _ => TriggerKind::MonthlyWeekday {
            weeks: weeks.ok_or_else(|| need("Weeks"))?,
            days: days_of_week.ok_or_else(|| need("DaysOfWeek"))?,
            months,
        },
    })
}

fn read_days_of_week(d: El<'_, '_>) -> R<WeekdaySet> {
    let mut set = WeekdaySet::EMPTY;
    for c in d.children() {
        let day = WEEKDAYS
            .iter()
            .find(|(n, _)| *n == c.name())
            .ok_or_else(|| unexpected(c, "DaysOfWeek", "one of `<Sunday />` .. `<Saturday />`"))?;
        set = set.with(day.1);
    }
    if set.is_empty() {
        return Err(
            d.error("`<DaysOfWeek>` names no day; expected at least one of `<Sunday />` .. `<Saturday />`")
        );
    }
    Ok(set)
}

fn read_months(m: El<'_, '_>) -> R<MonthSet> {
    let mut set = MonthSet::EMPTY;
    for c in m.children() {
        let i = sked_core::MONTH_ENGLISH
            .iter()
            .position(|n| *n == c.name())
            .ok_or_else(|| unexpected(c, "Months", "one of `<January />` .. `<December />`"))?;
        set = set.with(i as i8 + 1);
    }
    if set.is_empty() {
        return Err(m.error(
            "`<Months>` names no month; expected at least one of `<January />` .. `<December />`, or no `<Months>` for all",
        ));
    }
    Ok(set)
}

fn read_days_of_month(d: El<'_, '_>) -> R<MonthDays> {
    let mut set = MonthDays::EMPTY;
    for c in d.children() {
        if c.name() != "Day" {
            return Err(unexpected(c, "DaysOfMonth", "`<Day>`"));
        }
        let t = text(c)?.trim();
        set = match t {
            "Last" => set.with_last(),
            _ => match t.parse::<u8>() {
                Ok(n @ 1..=31) => set.with_day(n),
                _ => {
                    return Err(c.text_error(format!(
                        "expected a day from 1 to 31 or `Last` in `<Day>`, but found `{t}`"
                    )));
                }
            },
        };
    }
    if set.is_empty() {
        return Err(
            d.error("`<DaysOfMonth>` names no day; expected at least one `<Day>` (1 to 31 or `Last`)")
        );
    }
    Ok(set)
}

fn read_weeks(d: El<'_, '_>) -> R<WeekSet> {
    let mut set = WeekSet::EMPTY;
    for c in d.children() {
        if c.name() != "Week" {
            return Err(unexpected(c, "Weeks", "`<Week>`"));
        }
        let t = text(c)?.trim();
        let week = match t {
            "1" => WeekOfMonth::First,
            "2" => WeekOfMonth::Second,
            "3" => WeekOfMonth::Third,
            "4" => WeekOfMonth::Fourth,
            "Last" => WeekOfMonth::Last,
            _ => {
                return Err(c.text_error(format!(
                    "expected `1`, `2`, `3`, `4` or `Last` in `<Week>`, but found `{t}`"
                )));
            }
        };
        set = set.with(week);
    }
    if set.is_empty() {
        return Err(d.error("`<Weeks>` names no week; expected at least one `<Week>` (1 to 4 or `Last`)"));
    }
    Ok(set)
}

/// The model priority of a Task Scheduler 2.0 `Priority` (W32 `taskschedulerschema-priority`).
pub(crate) fn priority_class(n: u8) -> Priority {
    match n {
        0 => Priority::Realtime,
        1 => Priority::High,
        2 | 3 => Priority::AboveNormal,
        4..=6 => Priority::Normal,
        7 | 8 => Priority::BelowNormal,
        _ => Priority::Idle,
    }
}

/// The `Priority` sked writes for a model priority: the first number of its class.
pub(crate) fn priority_number(p: Priority) -> u8 {
    match p {
        Priority::Realtime => 0,
        Priority::High => 1,
        Priority::AboveNormal => 2,
        Priority::Normal => 4,
        Priority::BelowNormal => 7,
        Priority::Idle => 9,
    }
}

fn read_settings(
    s: Option<El<'_, '_>>,
    task: &mut Task,
    x: &mut XmlExtras,
    w: &mut Vec<Diagnostic>,
) -> R<()> {
    // Windows' defaults (W32 XSD), for a missing element or a missing `<Settings>`.
    let mut no_start_on_batteries = true;
    let mut stop_on_batteries = true;
    let mut run_only_if_idle = false;
    let mut limit = Some(Duration::from_hours(72));
    let mut priority = 7u8;
    let mut idle_el = None;
    let mut delete_after = None;
    task.multiple_instances = MultipleInstances::IgnoreNew;
    task.enabled = true;
    task.start_when_available = false;
    task.wake_to_run = false;
    let sx = &mut x.settings;
    for c in s.iter().flat_map(|s| s.children()) {
        match c.name() {
            "MultipleInstancesPolicy" => {
                let t = text(c)?.trim();
                task.multiple_instances = match t {
                    "Parallel" => MultipleInstances::Parallel,
                    "Queue" => MultipleInstances::Queue,
                    "IgnoreNew" => MultipleInstances::IgnoreNew,
                    "StopExisting" => MultipleInstances::StopExisting,
                    _ => {
                        return Err(c.text_error(format!(
                            "expected `Parallel`, `Queue`, `IgnoreNew` or `StopExisting` in `<MultipleInstancesPolicy>`, but found `{t}`"
                        )));
                    }
                };
            }
            "DisallowStartIfOnBatteries" => no_start_on_batteries = boolean(c)?,
            "StopIfGoingOnBatteries" => stop_on_batteries = boolean(c)?,
            "StartWhenAvailable" => task.start_when_available = boolean(c)?,
            "WakeToRun" => task.wake_to_run = boolean(c)?,
            "Enabled" => task.enabled = boolean(c)?,
            "RunOnlyIfIdle" => run_only_if_idle = boolean(c)?,
            "ExecutionTimeLimit" => {
                let d = duration(c)?;
                limit = (!d.is_zero()).then_some(d);
            }
            "Priority" => priority = number(c, 0, 10)? as u8,
            "IdleSettings" => idle_el = Some(c),
            "DeleteExpiredTaskAfter" => delete_after = Some(duration(c)?),
            "AllowStartOnDemand" => sx.allow_start_on_demand = Some(boolean(c)?),
            "AllowHardTerminate" => sx.allow_hard_terminate = Some(boolean(c)?),
            "Hidden" => sx.hidden = Some(boolean(c)?),
            "RunOnlyIfNetworkAvailable" => sx.run_only_if_network_available = Some(boolean(c)?),
            "NetworkSettings" => sx.network_settings = Some(c.raw().to_string()),
            "RestartOnFailure" => sx.restart_on_failure = Some(read_restart(c)?),
            // Known Windows settings sked has no use for: kept without a warning.
            "UseUnifiedSchedulingEngine"
            | "DisallowStartOnRemoteAppSession"
            | "MaintenanceSettings"
            | "Volatile" => sx.other.push(c.raw().to_string()),
            _ => keep_unknown(c, "Settings", &mut sx.other, w),
        }
    }
    task.power = (no_start_on_batteries || stop_on_batteries)
        .then_some(PowerSettings { no_start_on_batteries, stop_on_batteries });
    task.max_run_time = limit;
    task.priority = priority_class(priority);
    if priority != priority_number(task.priority) {
        sx.priority = Some(priority);
    }
    task.delete_when_done = delete_after.is_some();
    sx.delete_expired_after = delete_after.filter(|d| !d.is_zero());
    let idle = match idle_el {
        Some(el) => read_idle(el)?,
        None => IdleSettings { stop_on_idle_end: true, ..IdleSettings::default() },
    };
    let has_idle_trigger = task.triggers.iter().any(|t| matches!(t.kind, TriggerKind::OnIdle));
    if run_only_if_idle || has_idle_trigger {
        task.idle = Some(IdleSettings { start_only_if_idle: run_only_if_idle, ..idle });
    } else if let Some(el) = idle_el {
        sx.idle_settings = Some(el.raw().to_string());
    }
    Ok(())
}

fn read_idle(el: El<'_, '_>) -> R<IdleSettings> {
    let mut idle = IdleSettings { stop_on_idle_end: true, ..IdleSettings::default() };
    for c in el.children() {
        match c.name() {
            "Duration" => idle.idle_for = duration(c)?,
            "WaitTimeout" => idle.wait_up_to = duration(c)?,
            "StopOnIdleEnd" => idle.stop_on_idle_end = boolean(c)?,
            "RestartOnIdle" => idle.restart_on_idle_resume = boolean(c)?,
            _ => {
                return Err(unexpected(
                    c,
                    "IdleSettings",
                    "`<Duration>`, `<WaitTimeout>`, `<StopOnIdleEnd>` or `<RestartOnIdle>`",
                ));
            }
        }
    }
    Ok(idle)
}

fn read_restart(el: El<'_, '_>) -> R<RestartOnFailure> {
    let mut interval = None;
    let mut count = None;
    for c in el.children() {
        match c.name() {
            "Interval" => interval = Some(duration(c)?),
            "Count" => count = Some(number(c, 1, u32::MAX)?),
            _ => {
                return Err(unexpected(c, "RestartOnFailure", "`<Interval>` or `<Count>`"));
            }
        }
    }
    match (interval, count) {
        (Some(interval), Some(count)) => Ok(RestartOnFailure { interval, count }),
        (None, _) => Err(el.error("`<RestartOnFailure>` needs `<Interval>`")),
        (_, None) => Err(el.error("`<RestartOnFailure>` needs `<Count>`")),
    }
}

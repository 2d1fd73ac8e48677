//! From tasks to a JT.EXE command stream.

use sked_core::{
    DEFAULT_MAX_RUN_TIME, Duration, End, FoldPolicy, GapPolicy, MonthSet, MultipleInstances, Priority,
    Trigger, TriggerKind, WeekdaySet,
};

use super::{INFINITE_MS, JtExtras};
use crate::schtasks::{SYSTEM, format_date, format_time};
use crate::{Action, DateOrder, Diagnostic, Document, Entry, Error, Location};

/// Writes a JT.EXE command stream, one command a line. Each task is
///
/// ```text
/// /SNJ "name"
/// /SC "" NULL
/// /SJ ApplicationName=... Parameters=... MaxRunTime=...
/// /CTJ Type=WEEKLY TypeArguments=1,.M.W.F. StartDate=03/02/2026 StartTime=06:00 ...
/// /SAJ "name.job"
/// ```
///
/// (`/SNJ` starts a fresh active job, so one task's triggers do not carry over to the
/// next; `/SC` only when the task names an account, with the password `NULL`: it is never
/// stored). A deleting entry is `/SD "name.job"`. Dates are `MM/DD/YYYY`. Fails with every
/// loss of every task when any task has one (see [`losses`]).
pub fn write(doc: &Document) -> Result<Vec<u8>, Error> {
    write_in(doc, DateOrder::Mdy)
}

/// [`write`] with dates in `order`.
pub fn write_in(doc: &Document, order: DateOrder) -> Result<Vec<u8>, Error> {
    write_with(doc, order, false)
}

/// [`write_in`], but writing what JT can say of each task and dropping the rest (the
/// losses [`losses`] lists); fails only for a task no JT command can carry (a line break
/// in a value).
pub fn write_lossy(doc: &Document, order: DateOrder) -> Result<Vec<u8>, Error> {
    write_with(doc, order, true)
}

fn write_with(doc: &Document, order: DateOrder, lossy: bool) -> Result<Vec<u8>, Error> {
    let mut out = String::new();
    let mut errors = Vec::new();
    for entry in &doc.entries {
        match lines(entry, order) {
            Ok(l) => out.push_str(&l),
            Err((Some(l), _)) if lossy => out.push_str(&l),
            Err((_, losses)) => errors.extend(losses.into_iter().map(|l| {
                Diagnostic::error(
                    Location::None,
                    format!("task `{}`: JT.EXE commands cannot hold {l}", entry.task.name),
                )
            })),
        }
    }
    if errors.is_empty() { Ok(out.into_bytes()) } else { Err(Error::new(errors)) }
}

/// What of `entry` a JT command stream cannot hold, one phrase per loss. Empty when
/// [`write`] reproduces the task exactly.
pub fn losses(entry: &Entry) -> Vec<String> {
    lines(entry, DateOrder::Mdy).err().map(|(_, l)| l).unwrap_or_default()
}

/// The commands of one entry, or the losses with the commands that still say the rest
/// (none when a line break would split a command).
type Lines = Result<String, (Option<String>, Vec<String>)>;

/// Quotes a value or argument so the reader gives it back.
fn q(arg: &str) -> String {
    if arg.starts_with(";;") || arg == "^" { format!("\"{arg}\"") } else { crate::winargs::quote(arg) }
}

fn whole_minutes(d: Duration) -> Option<u64> {
    d.as_millis().is_multiple_of(60_000).then(|| d.as_mins())
}

fn dow(days: WeekdaySet) -> String {
    (0..7).map(|i| if days.mask() & (1 << i) != 0 { b"SMTWTFS"[i] as char } else { '.' }).collect()
}

fn month_string(m: MonthSet) -> String {
    (0..12).map(|i| if m.mask() & (1 << i) != 0 { b"JFMAMJJASOND"[i] as char } else { '.' }).collect()
}

fn lines(entry: &Entry, order: DateOrder) -> Lines {
    let task = &entry.task;
    let mut losses: Vec<String> = Vec::new();
    let file = format!("{}.job", task.name);
    if task.name.contains('/') {
        losses.push("a folder in the task name (JT saves into the one Tasks folder)".into());
    }
    if entry.action == Action::Delete {
        let l = format!("/SD {}\n", q(&file));
        if l.trim_end().contains(['\n', '\r']) {
            losses.push("a line break in the name".into());
            return Err((None, losses));
        }
        return if losses.is_empty() { Ok(l) } else { Err((Some(l), losses)) };
    }
    let default = JtExtras::default();
    let extras = entry.extras.jt.as_ref().unwrap_or(&default);
    let mut out = format!("/SNJ {}\n", q(&task.name));
    if let Some(user) = &task.run_as {
        let user = if user == SYSTEM { "" } else { user.as_str() };
        out.push_str(&format!("/SC {} NULL\n", q(user)));
    }

    let mut props: Vec<String> = Vec::new();
    let mut prop = |k: &str, v: &str| props.push(format!("{k}={}", q(v)));
    if task.command.is_empty() {
        losses.push("an empty command".into());
    }
    prop("ApplicationName", &task.command);
    let params = match &extras.parameters {
        Some(raw) if crate::winargs::split(raw) == task.args => Some(raw.clone()),
        _ if task.args.is_empty() => None,
        _ => Some(crate::winargs::join(&task.args)),
    };
    if let Some(p) = params {
        prop("Parameters", &p);
    }
    if let Some(w) = &task.working_dir {
        prop("WorkingDirectory", w);
    }
    if let Some(c) = &task.comment {
        prop("Comment", c);
    }
    if let Some(a) = &task.author {
        prop("Creator", a);
    }
    match task.max_run_time {
        m if m == Some(DEFAULT_MAX_RUN_TIME) => {}
        None => prop("MaxRunTime", &INFINITE_MS.to_string()),
        Some(d) if d.as_millis() < INFINITE_MS => prop("MaxRunTime", &d.as_millis().to_string()),
        Some(d) => losses.push(format!("the maximum run time {d} (a .job holds less than 4294967295 ms)")),
    }
    let bit = |b: bool| if b { "1" } else { "0" };
    if let Some(p) = task.power {
        prop("DontStartIfOnBatteries", bit(p.no_start_on_batteries));
        prop("KillIfGoingOnBatteries", bit(p.stop_on_batteries));
    }
    if extras.run_only_if_logged_on {
        prop("RunOnlyIfLoggedOn", "1");
    }
    if task.delete_when_done {
        prop("DeleteWhenDone", "1");
    }
    if task.wake_to_run {
        prop("SystemRequired", "1");
    }
    match task.priority {
        Priority::Normal => {}
        Priority::Idle => prop("Priority", "IDLE"),
        Priority::High => prop("Priority", "HIGH"),
        Priority::Realtime => prop("Priority", "REALTIME"),
        other => losses
            .push(format!("the priority `{}` (a .job has normal, idle, high and realtime)", other.name())),
    }
    if let Some(i) = task.idle {
        match (whole_minutes(i.idle_for), whole_minutes(i.wait_up_to)) {
            (Some(w @ 0..=65535), Some(d @ 0..=65535)) => {
                prop("IdleWait", &w.to_string());
                prop("IdleDeadline", &d.to_string());
            }
            _ => losses.push(format!(
                "the idle times {} and {} (a .job holds whole minutes up to 65535)",
                i.idle_for, i.wait_up_to
            )),
        }
        prop("StartOnlyIfIdle", bit(i.start_only_if_idle));
        prop("KillOnIdleEnd", bit(i.stop_on_idle_end));
        if i.restart_on_idle_resume {
            losses.push("restart-on-idle-resume".into());
        }
    }
    if extras.hidden {
        prop("Hidden", "1");
    }
    if !task.enabled {
        prop("Disabled", "1");
    }
    out.push_str(&format!("/SJ {}\n", props.join(" ")));

    if let Some(z) = &task.time_zone {
        losses.push(format!("the time zone `{z}` (.job times are local time)"));
    }
    if task.multiple_instances != MultipleInstances::IgnoreNew {
        losses.push(format!("the multiple-instances policy `{}`", task.multiple_instances.name()));
    }
    if task.start_when_available {
        losses.push("start-when-available".into());
    }
    if !task.environment.is_empty() {
        losses.push("the environment variables".into());
    }
    match entry.action {
        Action::Create => losses.push("the action `create` (JT /SAJ replaces an existing task)".into()),
        Action::Update => losses.push("the action `update` (JT /SAJ replaces the whole task)".into()),
        _ => {}
    }

    for (i, t) in task.triggers.iter().enumerate() {
        let mut tl = |s: String| losses.push(format!("{s} (trigger {})", i + 1));
        out.push_str(&format!("/CTJ {}\n", trigger_props(t, order, &mut tl).join(" ")));
    }
    out.push_str(&format!("/SAJ {}\n", q(&file)));
    // Every command is one line: a value with a line break would split it.
    let expected_lines = 3 + usize::from(task.run_as.is_some()) + task.triggers.len();
    let broken = out.lines().count() != expected_lines || out.contains('\r');
    if broken {
        losses.push("a line break in a value".into());
    }
    if losses.is_empty() {
        Ok(out)
    } else {
        losses.dedup();
        Err(((!broken).then_some(out), losses))
    }
}

fn trigger_props(t: &Trigger, order: DateOrder, loss: &mut impl FnMut(String)) -> Vec<String> {
    let mut p: Vec<String> = Vec::new();
    let mut push = |k: &str, v: String| p.push(format!("{k}={v}"));
    let interval = |n: u32, what: &str, loss: &mut dyn FnMut(String)| {
        if n > 65535 {
            loss(format!("an interval of {n} {what} (a .job holds up to 65535)"));
        }
    };
    match &t.kind {
        TriggerKind::Once => push("Type", "ONCE".into()),
        TriggerKind::Daily { every } => {
            interval(*every, "days", loss);
            push("Type", "DAILY".into());
            push("TypeArguments", every.to_string());
        }
        TriggerKind::Weekly { every, days } => {
            interval(*every, "weeks", loss);
            push("Type", "WEEKLY".into());
            push("TypeArguments", format!("{every},{}", dow(*days)));
        }
        TriggerKind::Monthly { every, days, months } => {
            if *every != 1 {
                loss(format!("a monthly trigger every {every} months (a .job has no month interval)"));
            }
            if days.has_last() {
                loss("the last day of the month (a .job cannot say it)".into());
            }
            let list: Vec<String> = days.days().map(|d| d.to_string()).collect();
            push("Type", "MONTHLYDATE".into());
            push("TypeArguments", format!("{},{}", list.join(","), month_string(*months)));
        }
        TriggerKind::MonthlyWeekday { weeks, days, months } => {
            let ws: Vec<_> = weeks.iter().collect();
            if ws.len() != 1 {
                loss("several weeks of the month in one trigger (a .job holds one)".into());
            }
            let w = ws.first().map_or(1, |w| w.windows_number());
            push("Type", "MONTHLYDOW".into());
            push("TypeArguments", format!("{w},{},{}", dow(*days), month_string(*months)));
        }
        TriggerKind::Cron(c) => loss(format!("the cron trigger `{}`", c.as_str())),
        TriggerKind::AtStartup { delay } => {
            push("Type", "ATSTARTUP".into());
            if !delay.is_zero() {
                loss(format!("the startup delay {delay}"));
            }
        }
        TriggerKind::AtLogon { user, delay } => {
            push("Type", "ATLOGON".into());
            if let Some(u) = user {
                loss(format!("a logon trigger for the user `{u}` (a .job fires for any user)"));
            }
            if !delay.is_zero() {
                loss(format!("the logon delay {delay}"));
            }
        }
        TriggerKind::OnIdle => push("Type", "ONIDLE".into()),
        other => loss(format!("a `{}` trigger", other.key())),
    }
    match (&t.start, t.kind.is_event()) {
        (Some(_), true) => loss("the start of an event trigger".into()),
        (Some(s), false) => {
            if let Some(o) = s.offset {
                loss(format!("a start pinned to the UTC offset {o}"));
            }
            if s.datetime.second() != 0 || s.datetime.subsec_nanosecond() != 0 {
                loss("a start time with seconds (StartTime is HH:MM)".into());
            }
            push("StartDate", format_date(s.datetime.date(), order));
            push("StartTime", format_time(s.datetime.time()));
        }
        (None, _) => {}
    }
    match t.end {
        Some(End::Date(d)) => {
            push("EndDate", format_date(d, order));
            push("HasEndDate", "1".into());
        }
        Some(End::At { .. }) => loss("an end date-time (EndDate is a date)".into()),
        None => {}
    }
    if let Some(r) = &t.repeat {
        match (whole_minutes(r.every), r.duration.map(whole_minutes)) {
            (Some(i), Some(Some(d))) if i <= u64::from(u32::MAX) && d <= u64::from(u32::MAX) => {
                push("MinutesDuration", d.to_string());
                push("MinutesInterval", i.to_string());
                if r.stop_at_end {
                    push("KillAtDuration", "1".into());
                }
            }
            (_, None) => loss("repetition without a duration (a .job repeats within MinutesDuration)".into()),
            _ => loss(format!("a repetition every {} (a .job counts whole minutes)", r.every)),
        }
    }
    if t.random_delay.is_some() {
        loss("a random delay".into());
    }
    if !t.enabled {
        push("Disabled", "1".into());
    }
    if t.dst_gap != GapPolicy::GapEnd {
        loss(format!("the dst-gap policy `{}`", t.dst_gap.name()));
    }
    if t.dst_fold != FoldPolicy::First {
        loss(format!("the dst-fold policy `{}`", t.dst_fold.name()));
    }
    p
}

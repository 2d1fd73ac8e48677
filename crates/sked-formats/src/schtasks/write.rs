//! From a task to the `schtasks /Create` line that recreates it.

use jiff::civil::Time;
use sked_core::{
    DEFAULT_MAX_RUN_TIME, Duration, End, FoldPolicy, GapPolicy, IdleSettings, MultipleInstances,
    PowerSettings, Priority, Task, Trigger, TriggerKind, WeekdaySet, weekday_name,
};

use super::civil::{format_date, format_time};
use super::create::{MAX_TASK_RUN, SYSTEM};
use super::{ScheduleKind, SchtasksExtras};
use crate::{Action, DateOrder, Diagnostic, Document, Entry, Error, Location};

const MONTH_UPPER: [&str; 12] =
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/// Writes one `schtasks` line per entry: `/Create` (with `/F` when the action is replace)
/// or `/Delete /TN name /F`. Dates are written `MM/DD/YYYY`. Fails, naming each task and
/// what it holds that a schtasks line cannot say, when any entry has a loss (see
/// [`losses`]).
pub fn write(doc: &Document) -> Result<Vec<u8>, Error> {
    write_in(doc, DateOrder::Mdy)
}

/// [`write`] with dates in `order` (`DD/MM/YYYY` for a day-first Windows locale).
pub fn write_in(doc: &Document, order: DateOrder) -> Result<Vec<u8>, Error> {
    write_with(doc, order, false)
}

/// [`write_in`], but writing the line that says what schtasks can of each task and
/// dropping the rest (the losses [`losses`] lists; of several triggers, the first is
/// kept). Fails only for a task no line can carry: one without triggers, or with a line
/// break in a value.
pub fn write_lossy(doc: &Document, order: DateOrder) -> Result<Vec<u8>, Error> {
    write_with(doc, order, true)
}

fn write_with(doc: &Document, order: DateOrder, lossy: bool) -> Result<Vec<u8>, Error> {
    let mut out = String::new();
    let mut errors = Vec::new();
    for entry in &doc.entries {
        match render(entry, order, lossy) {
            (Some(l), losses) if losses.is_empty() || lossy => {
                out.push_str(&l);
                out.push('\n');
            }
            (_, losses) => errors.extend(losses.into_iter().map(|l| {
                Diagnostic::error(
                    Location::None,
                    format!("task `{}`: a schtasks line cannot hold {l}", entry.task.name),
                )
            })),
        }
    }
    if errors.is_empty() { Ok(out.into_bytes()) } else { Err(Error::new(errors)) }
}

/// What of `entry` a `schtasks /Create` line cannot hold, one phrase per loss (`the
/// comment`, `2 triggers (...)`). Empty when [`write`] reproduces the task exactly.
pub fn losses(entry: &Entry) -> Vec<String> {
    line(entry, DateOrder::Mdy).err().unwrap_or_default()
}

/// Quotes an argument so the reader gives it back: [`crate::winargs::quote`], and quotes
/// too where the reader would take the argument for a comment or a continuation.
fn q(arg: &str) -> String {
    if arg.starts_with(";;") || arg == "^" { format!("\"{arg}\"") } else { crate::winargs::quote(arg) }
}

fn whole_minutes(d: Duration) -> Option<u64> {
    d.as_millis().is_multiple_of(60_000).then(|| d.as_mins())
}

fn weekdays(days: WeekdaySet) -> String {
    if days == WeekdaySet::ALL {
        return "*".into();
    }
    days.iter().map(|d| weekday_name(d).to_ascii_uppercase()).collect::<Vec<_>>().join(",")
}

fn months(m: sked_core::MonthSet) -> String {
    if m.is_all() {
        return "*".into();
    }
    m.iter().map(|m| MONTH_UPPER[m as usize - 1]).collect::<Vec<_>>().join(",")
}

fn max_days(m: i8) -> u8 {
    match m {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The line for `entry`, or every loss.
fn line(entry: &Entry, order: DateOrder) -> Result<String, Vec<String>> {
    match render(entry, order, false) {
        (Some(l), losses) if losses.is_empty() => Ok(l),
        (_, losses) => Err(losses),
    }
}

/// The line for `entry` (none if no line can carry it) and what it loses. `lossy` keeps
/// the first of several triggers rather than none.
fn render(entry: &Entry, order: DateOrder, lossy: bool) -> (Option<String>, Vec<String>) {
    let task = &entry.task;
    let tn = task.name.replace('/', "\\");
    if entry.action == Action::Delete {
        let l = format!("schtasks /Delete /TN {} /F", q(&tn));
        return if l.contains(['\n', '\r']) {
            (None, vec!["a line break in the name".into()])
        } else {
            (Some(l), Vec::new())
        };
    }
    let default = SchtasksExtras::default();
    let extras = entry.extras.schtasks.as_ref().unwrap_or(&default);
    let mut losses: Vec<String> = Vec::new();
    let mut loss = |s: String| losses.push(s);
    let mut args: Vec<String> = Vec::new();

    // What runs.
    args.push("/TN".into());
    args.push(q(&tn));
    if task.command.is_empty() {
        loss("an empty command".into());
    }
    let mut all = vec![task.command.clone()];
    all.extend(task.args.iter().cloned());
    let tr = match &extras.task_run {
        Some(raw) if crate::winargs::split(raw) == all => raw.clone(),
        _ => crate::winargs::join(&all),
    };
    if tr.chars().count() > MAX_TASK_RUN {
        loss(format!(
            "a command line of {} characters (schtasks /TR takes at most {MAX_TASK_RUN})",
            tr.chars().count()
        ));
    }
    args.push("/TR".into());
    args.push(q(&tr));

    // The task's settings that schtasks has no switch for.
    if task.working_dir.is_some() {
        loss("the working directory".into());
    }
    if task.comment.is_some() {
        loss("the comment".into());
    }
    if task.author.is_some() {
        loss("the author".into());
    }
    if !task.enabled {
        loss("a disabled task (schtasks /Create makes enabled tasks)".into());
    }
    if let Some(z) = &task.time_zone {
        loss(format!("the time zone `{z}` (schtasks times are the machine's local time)"));
    }
    if task.max_run_time != Some(DEFAULT_MAX_RUN_TIME) {
        loss(match task.max_run_time {
            Some(d) => format!("the maximum run time {d} (schtasks keeps the default 72h)"),
            None => "no maximum run time (schtasks keeps the default 72h)".into(),
        });
    }
    if task.multiple_instances != MultipleInstances::IgnoreNew {
        loss(format!("the multiple-instances policy `{}`", task.multiple_instances.name()));
    }
    if task.start_when_available {
        loss("start-when-available".into());
    }
    if task.priority != Priority::Normal {
        loss(format!("the priority `{}`", task.priority.name()));
    }
    if task.wake_to_run {
        loss("wake-to-run".into());
    }
    if !task.environment.is_empty() {
        loss("the environment variables".into());
    }
    if task.power.is_some_and(|p| p != PowerSettings::default()) {
        loss("the power conditions".into());
    }
    if entry.action == Action::Update {
        loss("the action `update` (schtasks /Create creates or, with /F, replaces)".into());
    }

    // The trigger.
    let trigger = match task.triggers.as_slice() {
        [t] => Some(t),
        [] => {
            loss("a task without triggers (schtasks /Create needs /SC)".into());
            None
        }
        many => {
            loss(format!(
                "{} triggers (a schtasks line holds one; Task Scheduler XML, the `xml` format, holds them all for `schtasks /Create /XML`)",
                many.len()
            ));
            if lossy { many.first() } else { None }
        }
    };
    let idle_is_default = |i: &Option<IdleSettings>| {
        i.is_none_or(|i| {
            let d = IdleSettings::default();
            i.start_only_if_idle == d.start_only_if_idle
                && i.wait_up_to == d.wait_up_to
                && i.stop_on_idle_end == d.stop_on_idle_end
                && i.restart_on_idle_resume == d.restart_on_idle_resume
        })
    };
    if !matches!(trigger.map(|t| &t.kind), Some(TriggerKind::OnIdle))
        && !task.idle.is_none_or(|i| i == IdleSettings::default())
    {
        loss("the idle conditions".into());
    }
    if let Some(t) = trigger {
        trigger_args(t, task, extras, order, &mut args, &mut loss, &idle_is_default);
    }

    // Account and flags.
    if let Some(user) = &task.run_as {
        let written = match &extras.run_as {
            Some(spelling) if user == SYSTEM && super::is_system(spelling) => spelling.clone(),
            _ => user.clone(),
        };
        args.push("/RU".into());
        args.push(q(&written));
    }
    if extras.interactive {
        args.push("/IT".into());
    }
    if extras.no_password {
        args.push("/NP".into());
    }
    if task.delete_when_done {
        args.push("/Z".into());
    }
    if let Some(l) = extras.run_level {
        args.push("/RL".into());
        args.push(l.name().into());
    }
    if extras.v1 {
        args.push("/V1".into());
    }
    if entry.action == Action::Replace {
        args.push("/F".into());
    }
    if extras.hresult {
        args.push("/HRESULT".into());
    }

    let l = format!("schtasks /Create {}", args.join(" "));
    if l.contains(['\n', '\r']) {
        losses.push("a line break in a name, command or argument".into());
        return (None, losses);
    }
    (trigger.is_some().then_some(l), losses)
}

fn trigger_args(
    t: &Trigger,
    task: &Task,
    extras: &SchtasksExtras,
    order: DateOrder,
    args: &mut Vec<String>,
    loss: &mut impl FnMut(String),
    idle_is_default: &dyn Fn(&Option<IdleSettings>) -> bool,
) {
    let mut push = |a: &str, b: Option<String>| {
        args.push(a.to_string());
        if let Some(b) = b {
            args.push(b);
        }
    };
    if t.random_delay.is_some() {
        loss("a random delay".into());
    }
    if !t.enabled {
        loss("a disabled trigger".into());
    }
    if t.dst_gap != GapPolicy::GapEnd {
        loss(format!("the dst-gap policy `{}`", t.dst_gap.name()));
    }
    if t.dst_fold != FoldPolicy::First {
        loss(format!("the dst-fold policy `{}`", t.dst_fold.name()));
    }
    if let Some(s) = &t.start
        && let Some(o) = s.offset
    {
        loss(format!("a start pinned to the UTC offset {o}"));
    }
    if let Some(End::At { .. }) = t.end {
        loss("an end date-time (schtasks /ED takes a date)".into());
    }

    // MINUTE and HOURLY: a daily trigger repeating within a window.
    let minute_form = match (&t.kind, &t.repeat) {
        (TriggerKind::Daily { every: 1 }, Some(r)) if r.duration.is_some() => {
            match (extras.schedule, whole_minutes(r.every)) {
                (ScheduleKind::Minute, Some(m @ 1..=1439)) => Some((ScheduleKind::Minute, m)),
                (ScheduleKind::Hourly, Some(m)) if m % 60 == 0 && (1..=23).contains(&(m / 60)) => {
                    Some((ScheduleKind::Hourly, m / 60))
                }
                _ => None,
            }
        }
        _ => None,
    };
    let is_event = t.kind.is_event();
    match (&t.kind, minute_form) {
        (_, Some((kind, mo))) => {
            push("/SC", Some(kind.name().into()));
            if mo != 1 {
                push("/MO", Some(mo.to_string()));
            }
        }
        (TriggerKind::Once, _) => push("/SC", Some("ONCE".into())),
        (TriggerKind::Daily { every }, _) => {
            push("/SC", Some("DAILY".into()));
            if !(1..=365).contains(every) {
                loss(format!("a daily trigger every {every} days (schtasks: 1 to 365)"));
            } else if *every != 1 {
                push("/MO", Some(every.to_string()));
            }
        }
        (TriggerKind::Weekly { every, days }, _) => {
            push("/SC", Some("WEEKLY".into()));
            if !(1..=52).contains(every) {
                loss(format!("a weekly trigger every {every} weeks (schtasks: 1 to 52)"));
            } else if *every != 1 {
                push("/MO", Some(every.to_string()));
            }
            push("/D", Some(weekdays(*days)));
        }
        (TriggerKind::Monthly { every, days, months: m }, _) => {
            push("/SC", Some("MONTHLY".into()));
            let numbered: Vec<u8> = days.days().collect();
            if days.has_last() && numbered.is_empty() {
                if *every != 1 {
                    loss(format!("the last day of every {every} months (schtasks LASTDAY is every month)"));
                }
                push("/MO", Some("LASTDAY".into()));
                push("/M", Some(months(*m)));
            } else if let ([d], false) = (numbered.as_slice(), days.has_last()) {
                if !(1..=12).contains(every) {
                    loss(format!("a monthly trigger every {every} months (schtasks: 1 to 12)"));
                } else if *every != 1 {
                    push("/MO", Some(every.to_string()));
                }
                push("/D", Some(d.to_string()));
                if !m.is_all() {
                    if let Some(short) = m.iter().find(|&mm| *d > max_days(mm)) {
                        loss(format!(
                            "day {d} with {} among the months (schtasks refuses a day a chosen month lacks)",
                            MONTH_UPPER[short as usize - 1]
                        ));
                    }
                    push("/M", Some(months(*m)));
                }
            } else {
                loss(
                    "several days of the month in one trigger (schtasks /D takes one day, or /MO LASTDAY alone)"
                        .into(),
                );
            }
        }
        (TriggerKind::MonthlyWeekday { weeks, days, months: m }, _) => {
            push("/SC", Some("MONTHLY".into()));
            match (weeks.iter().collect::<Vec<_>>().as_slice(), days.len()) {
                ([w], 1) => {
                    push("/MO", Some(w.name().to_ascii_uppercase()));
                    push("/D", Some(weekdays(*days)));
                    if !m.is_all() {
                        push("/M", Some(months(*m)));
                    }
                }
                _ => loss(
                    "several weeks or weekdays in a monthly-weekday trigger (schtasks takes one week and one weekday)"
                        .into(),
                ),
            }
        }
        (TriggerKind::Cron(c), _) => loss(format!("the cron trigger `{}`", c.as_str())),
        (TriggerKind::AtStartup { delay }, _) => {
            push("/SC", Some("ONSTART".into()));
            delay_arg(*delay, &mut push, loss);
        }
        (TriggerKind::AtLogon { user, delay }, _) => {
            push("/SC", Some("ONLOGON".into()));
            if let Some(u) = user {
                loss(format!("a logon trigger for the user `{u}` (schtasks ONLOGON fires for any user)"));
            }
            delay_arg(*delay, &mut push, loss);
        }
        (TriggerKind::OnIdle, _) => {
            push("/SC", Some("ONIDLE".into()));
            let idle = task.idle.unwrap_or_default();
            match whole_minutes(idle.idle_for) {
                Some(m @ 1..=999) => push("/I", Some(m.to_string())),
                _ => loss(format!("the idle time {} (schtasks /I takes 1 to 999 minutes)", idle.idle_for)),
            }
            if !idle_is_default(&task.idle) {
                loss("idle conditions other than the idle time".into());
            }
        }
        (_, None) => loss(format!("a `{}` trigger", t.kind.key())),
    }

    // The start: /ST and /SD.
    if let Some(s) = &t.start {
        if is_event {
            if s.datetime.time() != Time::midnight() {
                loss(format!(
                    "the start time {} of a `{}` trigger (schtasks takes only /SD)",
                    format_time(s.datetime.time()),
                    t.kind.key()
                ));
            }
        } else {
            if s.datetime.subsec_nanosecond() != 0 {
                loss(format!(
                    "the fraction of a second of the start {} (schtasks /ST takes whole seconds)",
                    s.datetime
                ));
            }
            push("/ST", Some(format_time(s.datetime.time())));
        }
    }

    // Repetition.
    if let Some(r) = &t.repeat {
        let every = whole_minutes(r.every);
        let duration = r.duration.map(|d| (d, whole_minutes(d)));
        match minute_form {
            Some(_) => {
                if let Some((d, _)) = duration
                    && (d != Duration::from_hours(24) || r.stop_at_end)
                {
                    duration_arg(d, &mut push, loss);
                }
            }
            None => {
                match every {
                    Some(m @ 1..=599_940) => push("/RI", Some(m.to_string())),
                    _ => loss(format!(
                        "a repetition every {} (schtasks /RI takes 1 to 599940 minutes)",
                        r.every
                    )),
                }
                match duration {
                    Some((d, _)) => duration_arg(d, &mut push, loss),
                    None if extras.v1 => loss(
                        "repetition without an end together with /V1 (it would repeat for 1 hour)".into(),
                    ),
                    None => {}
                }
            }
        }
        if r.stop_at_end {
            push("/K", None);
        }
    }

    // Dates.
    if let Some(s) = &t.start {
        push("/SD", Some(format_date(s.datetime.date(), order)));
    }
    if let Some(End::Date(d)) = t.end {
        if matches!(t.kind, TriggerKind::Once) || is_event {
            loss(format!("an end date on a `{}` trigger (schtasks /ED is not valid with it)", t.kind.key()));
        } else {
            push("/ED", Some(format_date(d, order)));
        }
    }
}

fn delay_arg(delay: Duration, push: &mut impl FnMut(&str, Option<String>), loss: &mut impl FnMut(String)) {
    if delay.is_zero() {
        return;
    }
    let secs = delay.as_secs();
    if !delay.as_millis().is_multiple_of(1000) || secs / 60 > 9999 {
        loss(format!("the delay {delay} (schtasks /DELAY is mmmm:ss)"));
        return;
    }
    push("/DELAY", Some(format!("{:04}:{:02}", secs / 60, secs % 60)));
}

fn duration_arg(d: Duration, push: &mut impl FnMut(&str, Option<String>), loss: &mut impl FnMut(String)) {
    match whole_minutes(d) {
        Some(m) if m / 60 <= 9999 => push("/DU", Some(format!("{:04}:{:02}", m / 60, m % 60))),
        _ => loss(format!("a repetition window of {d} (schtasks /DU is HHHH:mm, whole minutes)")),
    }
}

//! The `.job` writer, and what of a task it cannot hold.
//!
//! Both rest on one [`Plan`]: the task turned into the values a `.job` stores, with one
//! [`Loss`] per thing that does not fit. A loss is either approximated (the file is still
//! written, and [`losses`] lists it so the caller can refuse) or fatal (nothing sensible
//! can be written, and [`write()`] fails listing it).

use std::borrow::Cow;
use std::fmt;

use jiff::civil::{Date, DateTime};
use sked_core::{
    Duration, End, FoldPolicy, GapPolicy, MonthSet, MultipleInstances, Priority, Task, Trigger, TriggerKind,
};

use super::bytes::Put;
use super::extras::{Guid, JobExtras, JobTriggerExtras};
use super::trigger_type::{self as tt, used_bits};
use super::{
    FIXED_LEN, NO_TIME_LIMIT, TRIGGER_LEN, default_event_start, flags, priority, status, trigger_flags,
};
use crate::{Diagnostic, Document, Entry, Error, Location, winargs};

/// Writes a document of exactly one task as a `.job` file.
///
/// The values of the task come from the model; everything else from the entry's
/// [`JobExtras`] when it has them (so a task read from a file and left unchanged writes
/// back byte for byte), or else from the defaults of a new task: product version `0x0601`
/// (Windows 7), a UUID derived from the task name ([`Guid::from_name`]), status "has not
/// run" or "not scheduled" as it has triggers or not (MS-TSCH <12>), the AN flag when the
/// application name is not empty, and an all-zero reserved block, as Windows 7 writes.
///
/// What the file cannot hold is approximated and listed by [`losses`]; the caller decides
/// whether to write anyway.
///
/// # Errors
///
/// When the document does not hold exactly one task, and for what a `.job` cannot encode
/// at all: values too large for their fields, dates before 1601, calendar triggers
/// without a start, empty day masks. The error lists every such problem.
pub fn write(doc: &Document) -> Result<Vec<u8>, Error> {
    let [entry] = doc.entries.as_slice() else {
        return Err(Error::one(Diagnostic::error(
            Location::None,
            format!("a .job file holds exactly one task, but the document holds {}", doc.entries.len()),
        )));
    };
    let extras = extras_of(entry);
    let plan = Plan::new(&entry.task, &extras);
    let fatal: Vec<Diagnostic> = plan
        .losses
        .iter()
        .filter(|l| l.fatal)
        .map(|l| Diagnostic::error(Location::None, format!("cannot write a .job: {}", l.message)))
        .collect();
    if !fatal.is_empty() {
        return Err(Error::new(fatal));
    }
    let mut status = extras.status;
    if entry.extras.job.is_none() && !plan.triggers.is_empty() {
        status = status::HAS_NOT_RUN;
    }
    Ok(plan.encode(&extras, status))
}

/// What of `entry`'s task a `.job` file cannot hold, one line each: what is dropped or
/// approximated by [`write()`], and what stops it from writing at all.
pub fn losses(entry: &Entry) -> Vec<String> {
    Plan::new(&entry.task, &extras_of(entry)).losses.into_iter().map(|l| l.message).collect()
}

/// The entry's extras, or those of a new task when it was not read from a `.job` file.
fn extras_of(entry: &Entry) -> Cow<'_, JobExtras> {
    match &entry.extras.job {
        Some(x) => Cow::Borrowed(x),
        None => Cow::Owned(new_task_extras(&entry.task)),
    }
}

/// The extras of a task that was not read from a `.job` file.
fn new_task_extras(task: &Task) -> JobExtras {
    JobExtras {
        uuid: Guid::from_name(&task.name),
        other_flags: if task.command.is_empty() { 0 } else { flags::APPLICATION_NAME },
        ..JobExtras::default()
    }
}

/// The most a Max Run Time can be: 0xFFFFFFFF means no limit.
const MAX_RUN_TIME_MS: u64 = NO_TIME_LIMIT as u64 - 1;

/// The longest counted string: its count, including the NUL, is a `u16`.
const MAX_STRING_UNITS: usize = u16::MAX as usize - 1;

/// One thing of the task that the file does not hold as it is.
struct Loss {
    /// Nothing sensible can be written.
    fatal: bool,
    message: String,
}

/// Names a trigger in a loss: `trigger 2 (`weekly`)`. Formatted only when a loss is.
#[derive(Clone, Copy)]
struct Label {
    /// 1-based.
    n: usize,
    key: &'static str,
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "trigger {} (`{}`)", self.n, self.key)
    }
}

/// A trigger as it will be written.
#[derive(Clone, Copy)]
struct PlannedTrigger {
    ty: u32,
    specific: [u16; 3],
    /// The begin date and start time; for an event trigger, only when the model gave one.
    start: Option<DateTime>,
    end: Option<Date>,
    /// MinutesInterval, MinutesDuration, KILL_AT_DURATION_END.
    repeat: Option<(u32, u32, bool)>,
    enabled: bool,
}

/// A task turned into what a `.job` stores.
struct Plan<'a> {
    task: &'a Task,
    parameters: String,
    priority: u32,
    max_run_time: u32,
    idle_wait: u16,
    idle_deadline: u16,
    flags: u32,
    triggers: Vec<PlannedTrigger>,
    losses: Vec<Loss>,
}

impl<'a> Plan<'a> {
    fn new(task: &'a Task, extras: &JobExtras) -> Self {
        let mut plan = Plan {
            task,
            parameters: String::new(),
            priority: priority::NORMAL,
            max_run_time: NO_TIME_LIMIT,
            idle_wait: 10,
            idle_deadline: 60,
            flags: 0,
            triggers: Vec::new(),
            losses: Vec::new(),
        };
        plan.settings(extras);
        for (i, t) in task.triggers.iter().enumerate() {
            plan.trigger(i, t);
        }
        if plan.triggers.len() > usize::from(u16::MAX) {
            plan.fatal(format!("{} triggers; a .job holds at most 65535", plan.triggers.len()));
        }
        plan
    }

    fn lossy(&mut self, message: String) {
        self.losses.push(Loss { fatal: false, message });
    }

    fn fatal(&mut self, message: String) {
        self.losses.push(Loss { fatal: true, message });
    }

    /// Everything but the triggers.
    fn settings(&mut self, extras: &JobExtras) {
        let task = self.task;
        let parameters = match &extras.parameters {
            Some(p) if winargs::split(p) == task.args => p.clone(),
            _ => winargs::join(&task.args),
        };
        let strings = [
            ("command", Some(task.command.as_str()), extras.application_name_nul),
            ("args", Some(parameters.as_str()), extras.parameters_nul),
            ("working-dir", task.working_dir.as_deref(), true),
            ("author", task.author.as_deref(), true),
            ("comment", task.comment.as_deref(), true),
        ];
        let mut variable = 0usize;
        for (key, s, empty_as_nul) in strings {
            let units = s.map_or(0, |s| s.encode_utf16().count());
            // What `put_string` writes: a count, then the text and its NUL unless absent.
            variable += match s {
                None => 2,
                Some("") if !empty_as_nul => 2,
                Some(_) => 2 + 2 * (units + 1),
            };
            if units > MAX_STRING_UNITS {
                self.fatal(format!(
                    "`{key}` is {units} UTF-16 characters long; a .job string holds at most {MAX_STRING_UNITS}"
                ));
            }
        }
        self.parameters = parameters;
        if extras.user_data.len() > usize::from(u16::MAX) {
            self.fatal(format!(
                "the user data is {} bytes long; a .job holds at most 65535",
                extras.user_data.len()
            ));
        }
        variable += 2 + extras.user_data.len() + 2 + extras.reserved.map_or(0, |_| 8);
        if FIXED_LEN + 2 + variable > usize::from(u16::MAX) {
            self.fatal(format!(
                "the strings and user data take {variable} bytes; a .job must hold its trigger count within the first 65535 bytes"
            ));
        }

        if let Some(zone) = &task.time_zone {
            self.lossy(format!(
                "time-zone `{zone}`: a .job names no zone; its times are civil times in the zone of the machine that runs it"
            ));
        }
        if let Some(user) = &task.run_as {
            self.lossy(format!(
                "run-as `{user}`: a .job holds no account; Task Scheduler keeps the account and its credentials outside the file"
            ));
        }
        if !task.environment.is_empty() {
            let names: Vec<&str> = task.environment.keys().map(String::as_str).collect();
            self.lossy(format!("environment `{}`: a .job has no environment variables", names.join("`, `")));
        }
        if task.multiple_instances != MultipleInstances::IgnoreNew {
            self.lossy(format!(
                "multiple-instances `{}`: a .job task never starts while it is running (`ignore-new`)",
                task.multiple_instances.name()
            ));
        }
        if task.start_when_available {
            self.lossy("start-when-available: a .job cannot start missed runs late".to_string());
        }
        self.priority = match task.priority {
            Priority::Realtime => priority::REALTIME,
            Priority::High => priority::HIGH,
            Priority::Normal => priority::NORMAL,
            Priority::Idle => priority::IDLE,
            other @ (Priority::AboveNormal | Priority::BelowNormal) => {
                self.lossy(format!(
                    "priority `{}`: a .job holds only realtime, high, normal and idle; written as `normal`",
                    other.name()
                ));
                priority::NORMAL
            }
        };
        self.max_run_time = match task.max_run_time {
            None => NO_TIME_LIMIT,
            Some(d) if d.as_millis() > MAX_RUN_TIME_MS => {
                self.fatal(format!(
                    "max-run-time `{d}` is longer than a .job holds ({MAX_RUN_TIME_MS} ms, about 49.7 days); give a shorter limit, or `none` for no limit"
                ));
                NO_TIME_LIMIT
            }
            // At most MAX_RUN_TIME_MS, checked above.
            Some(d) => d.as_millis() as u32,
        };
        let idle = task.idle.unwrap_or_default();
        self.idle_wait = self.minutes_u16("idle.idle-for", idle.idle_for);
        self.idle_deadline = self.minutes_u16("idle.wait-up-to", idle.wait_up_to);
        let power = task.power.unwrap_or_default();
        for (on, bit) in [
            (task.delete_when_done, flags::DELETE_WHEN_DONE),
            (!task.enabled, flags::DISABLED),
            (idle.start_only_if_idle, flags::START_ONLY_IF_IDLE),
            (idle.stop_on_idle_end, flags::KILL_ON_IDLE_END),
            (idle.restart_on_idle_resume, flags::RESTART_ON_IDLE_RESUME),
            (power.no_start_on_batteries, flags::DONT_START_IF_ON_BATTERIES),
            (power.stop_on_batteries, flags::KILL_IF_GOING_ON_BATTERIES),
            (task.wake_to_run, flags::SYSTEM_REQUIRED),
        ] {
            if on {
                self.flags |= bit;
            }
        }
    }

    /// Whole minutes of `d` for a `u16` field.
    fn minutes_u16(&mut self, key: &str, d: Duration) -> u16 {
        let mins = self.whole_minutes(format_args!("`{key}`"), d);
        u16::try_from(mins).unwrap_or_else(|_| {
            self.fatal(format!("`{key}` is {mins} minutes; a .job holds at most 65535"));
            0
        })
    }

    /// Whole minutes of `d`, noting a loss when it is not a whole number of minutes.
    fn whole_minutes(&mut self, what: fmt::Arguments<'_>, d: Duration) -> u64 {
        let mins = d.as_mins();
        if !d.as_millis().is_multiple_of(60_000) {
            self.lossy(format!(
                "{what} `{d}`: a .job holds whole minutes; written as `{}`",
                Duration::from_mins(mins)
            ));
        }
        mins
    }

    fn trigger(&mut self, i: usize, t: &Trigger) {
        let n = i + 1;
        let key = t.kind.key();
        let label = Label { n, key };
        let mut extra_weeks = Vec::new();
        let (ty, specific) = match &t.kind {
            TriggerKind::Once => (tt::ONCE, [0; 3]),
            TriggerKind::Daily { every } => {
                let every = self.interval_u16(label, "days", *every);
                (tt::DAILY, [every, 0, 0])
            }
            TriggerKind::Weekly { every, days } => {
                let every = self.interval_u16(label, "weeks", *every);
                if days.is_empty() {
                    self.fatal(format!("{label} has no weekday; a .job needs at least one"));
                }
                (tt::WEEKLY, [every, u16::from(days.mask()), 0])
            }
            TriggerKind::Monthly { every, days, months } => {
                let mut months = *months;
                if *every != 1 {
                    let Some(m) = self.month_step(label, t, *every, months) else {
                        return;
                    };
                    months = m;
                }
                let mask = days.mask() & 0x7FFF_FFFF;
                if days.has_last() {
                    if mask == 0 {
                        self.lossy(format!(
                            "{label}: a .job cannot say the last day of the month; the trigger is not written"
                        ));
                        return;
                    }
                    self.lossy(format!(
                        "{label}: a .job cannot say the last day of the month; written without `last`"
                    ));
                }
                if mask == 0 {
                    self.fatal(format!("{label} has no day; a .job needs at least one"));
                }
                if months.is_empty() {
                    self.fatal(format!("{label} has no month; a .job needs at least one"));
                }
                (tt::MONTHLY_DATE, [mask as u16, (mask >> 16) as u16, months.mask()])
            }
            TriggerKind::MonthlyWeekday { weeks, days, months } => {
                if days.is_empty() {
                    self.fatal(format!("{label} has no weekday; a .job needs at least one"));
                }
                if months.is_empty() {
                    self.fatal(format!("{label} has no month; a .job needs at least one"));
                }
                let mut all = weeks.iter();
                let Some(first) = all.next() else {
                    self.fatal(format!("{label} has no week; a .job needs one"));
                    return;
                };
                extra_weeks.extend(all);
                if !extra_weeks.is_empty() {
                    let names: Vec<&str> = weeks.iter().map(|w| w.name()).collect();
                    self.lossy(format!(
                        "{label}: a .job trigger holds one week, not `{}`; written as {} triggers, one per week",
                        names.join("`, `"),
                        weeks.len()
                    ));
                }
                (tt::MONTHLY_DOW, [first.windows_number(), u16::from(days.mask()), months.mask()])
            }
            TriggerKind::OnIdle => (tt::ON_IDLE, [0; 3]),
            TriggerKind::AtStartup { delay } => {
                if !delay.is_zero() {
                    self.lossy(format!("{label}: delay `{delay}`: a .job startup trigger has no delay"));
                }
                (tt::AT_SYSTEM_START, [0; 3])
            }
            TriggerKind::AtLogon { user, delay } => {
                if let Some(user) = user {
                    self.lossy(format!("{label}: user `{user}`: a .job logon trigger fires for any user"));
                }
                if !delay.is_zero() {
                    self.lossy(format!("{label}: delay `{delay}`: a .job logon trigger has no delay"));
                }
                (tt::AT_LOGON, [0; 3])
            }
            TriggerKind::Cron(expr) => {
                self.lossy(format!(
                    "{label}: cron `{expr}`: a .job has no cron trigger; the trigger is not written"
                ));
                return;
            }
            _ => {
                self.lossy(format!("{label}: a .job has no such trigger; the trigger is not written"));
                return;
            }
        };
        let event = tt::is_event(ty);
        let start = self.start(label, t, event);
        let (end, repeat) = if event {
            if t.end.is_some() || t.repeat.is_some() {
                self.lossy(format!("{label}: the end and repetition of an event trigger are not written"));
            }
            (None, None)
        } else {
            (self.end(label, t), self.repeat(label, t))
        };
        if let Some(delay) = t.random_delay {
            self.lossy(format!("{label}: random-delay `{delay}`: a .job has no random delay"));
        }
        if t.dst_gap != GapPolicy::default() || t.dst_fold != FoldPolicy::default() {
            self.lossy(format!(
                "{label}: dst-gap `{}` and dst-fold `{}`: a .job follows the defaults (`gap-end`, `first`)",
                t.dst_gap.name(),
                t.dst_fold.name()
            ));
        }
        let planned = PlannedTrigger { ty, specific, start, end, repeat, enabled: t.enabled };
        self.triggers.push(planned);
        for week in extra_weeks {
            self.triggers.push(PlannedTrigger {
                specific: [week.windows_number(), specific[1], specific[2]],
                ..planned
            });
        }
    }

    fn interval_u16(&mut self, label: Label, unit: &str, every: u32) -> u16 {
        match u16::try_from(every) {
            Ok(0) => {
                self.fatal(format!("{label}: every 0 {unit}; a .job needs at least 1"));
                0
            }
            Ok(v) => v,
            Err(_) => {
                self.fatal(format!("{label}: every {every} {unit}; a .job holds at most 65535"));
                0
            }
        }
    }

    /// The months of a monthly trigger that runs every `every` months, as a month mask,
    /// when that is exact (`every` divides 12); `None` when the trigger is dropped.
    fn month_step(&mut self, label: Label, t: &Trigger, every: u32, months: MonthSet) -> Option<MonthSet> {
        let begin_month = t.start.map(|s| s.datetime.month());
        match (every, begin_month) {
            (0, _) => {
                self.fatal(format!("{label}: every 0 months; a .job needs at least 1"));
                None
            }
            (k @ (2 | 3 | 4 | 6 | 12), Some(m0)) => {
                let k = k as i8;
                let stepped = months
                    .iter()
                    .filter(|m| (m - m0).rem_euclid(k) == 0)
                    .fold(MonthSet::EMPTY, MonthSet::with);
                if stepped.is_empty() {
                    self.lossy(format!(
                        "{label}: every {k} months: none of its months is a multiple of {k} months after the start; the trigger is not written"
                    ));
                    return None;
                }
                let names: Vec<&str> =
                    stepped.iter().map(|m| sked_core::MONTH_NAMES[m as usize - 1]).collect();
                self.lossy(format!(
                    "{label}: a .job has no month interval; every {k} months is written as the months `{}`",
                    names.join("`, `")
                ));
                Some(stepped)
            }
            _ => {
                self.lossy(format!(
                    "{label}: every {every} months: a .job has no month interval; the trigger is not written"
                ));
                None
            }
        }
    }

    fn start(&mut self, label: Label, t: &Trigger, event: bool) -> Option<DateTime> {
        let Some(s) = t.start else {
            if !event {
                self.fatal(format!("{label} has no start; a .job trigger needs a begin date and start time"));
            }
            return None;
        };
        let dt = s.datetime;
        if event {
            self.lossy(format!(
                "{label}: start `{dt}`: sked's event triggers have no start; written as the .job begin date, which reads back as no start"
            ));
        }
        if let Some(offset) = s.offset {
            self.lossy(format!(
                "{label}: start `{dt}` is pinned to offset `{offset}`; a .job holds civil time, so it follows the zone of the machine"
            ));
        }
        if dt.second() != 0 || dt.subsec_nanosecond() != 0 {
            self.lossy(format!(
                "{label}: start `{dt}`: a .job holds hours and minutes; written as `{:02}:{:02}`",
                dt.hour(),
                dt.minute()
            ));
        }
        if dt.year() < 1601 {
            self.fatal(format!("{label}: start `{dt}` is before 1601, the first year a .job holds"));
        }
        Some(dt)
    }

    fn end(&mut self, label: Label, t: &Trigger) -> Option<Date> {
        let date = match t.end? {
            End::Date(d) => d,
            End::At { datetime, offset } => {
                let shown = match offset {
                    Some(o) => format!("{datetime}{o}"),
                    None => datetime.to_string(),
                };
                self.lossy(format!(
                    "{label}: end `{shown}`: a .job holds an end date, not a time; written as the inclusive end date `{}`",
                    datetime.date()
                ));
                datetime.date()
            }
        };
        if date.year() < 1601 {
            self.fatal(format!("{label}: end `{date}` is before 1601, the first year a .job holds"));
        }
        Some(date)
    }

    fn repeat(&mut self, label: Label, t: &Trigger) -> Option<(u32, u32, bool)> {
        let r = t.repeat?;
        if r.every < Duration::from_mins(1) {
            self.lossy(format!(
                "{label}: repeat every `{}`: a .job repeats every minute at most often; the repetition is not written",
                r.every
            ));
            return None;
        }
        let every = self.whole_minutes(format_args!("{label}: repeat every"), r.every);
        let duration = match r.duration {
            Some(d) => self.whole_minutes(format_args!("{label}: repeat for"), d),
            None => {
                self.lossy(format!(
                    "{label}: a repetition without `for` (indefinitely): a .job needs a duration; written as the longest, {} minutes",
                    u32::MAX
                ));
                u64::from(u32::MAX)
            }
        };
        let (Ok(every), Ok(mut duration)) = (u32::try_from(every), u32::try_from(duration)) else {
            self.fatal(format!(
                "{label}: the repetition does not fit a .job, which holds at most {} minutes",
                u32::MAX
            ));
            return None;
        };
        if duration <= every {
            duration = every.saturating_add(1);
            self.lossy(format!(
                "{label}: a .job repetition lasts longer than its interval; written as `for` {duration} minutes"
            ));
        }
        Some((every, duration, r.stop_at_end))
    }

    /// The file.
    fn encode(&self, x: &JobExtras, status: u32) -> Vec<u8> {
        let task = self.task;
        let mut out =
            Vec::with_capacity(FIXED_LEN + 256 + x.user_data.len() + self.triggers.len() * TRIGGER_LEN);
        out.put_u16(x.product_version);
        out.put_u16(1);
        out.extend_from_slice(&x.uuid.0);
        out.put_u16((FIXED_LEN + 2) as u16);
        let trigger_offset_at = out.len();
        out.put_u16(0); // patched below
        out.put_u16(x.error_retry_count);
        out.put_u16(x.error_retry_interval);
        out.put_u16(self.idle_deadline);
        out.put_u16(self.idle_wait);
        out.put_u32(self.priority);
        out.put_u32(self.max_run_time);
        out.put_u32(x.exit_code);
        out.put_u32(status);
        out.put_u32(self.flags | (x.other_flags & !flags::MODEL));
        let lr = x.last_run;
        for w in [lr.year, lr.month, lr.weekday, lr.day, lr.hour, lr.minute, lr.second, lr.milliseconds] {
            out.put_u16(w);
        }
        out.put_u16(x.running_instances);
        put_string(&mut out, Some(&task.command), x.application_name_nul);
        put_string(&mut out, Some(&self.parameters), x.parameters_nul);
        put_string(&mut out, task.working_dir.as_deref(), true);
        put_string(&mut out, task.author.as_deref(), true);
        put_string(&mut out, task.comment.as_deref(), true);
        out.put_u16(x.user_data.len() as u16);
        out.extend_from_slice(&x.user_data);
        match x.reserved {
            None => out.put_u16(0),
            Some(r) => {
                out.put_u16(8);
                out.put_u32(r.start_error);
                out.put_u32(r.task_flags);
            }
        }
        let trigger_offset = out.len() as u16;
        out[trigger_offset_at..trigger_offset_at + 2].copy_from_slice(&trigger_offset.to_le_bytes());
        out.put_u16(self.triggers.len() as u16);
        for (i, t) in self.triggers.iter().enumerate() {
            let tx = x.triggers.get(i).copied().unwrap_or_default();
            encode_trigger(&mut out, t, &tx);
        }
        if let Some(sig) = &x.signature {
            out.put_u16(1);
            out.put_u16(1);
            out.extend_from_slice(sig);
        }
        out
    }
}

/// A counted string: absent (count 0) for `None`, and for an empty string unless
/// `empty_as_nul`.
fn put_string(out: &mut Vec<u8>, s: Option<&str>, empty_as_nul: bool) {
    match s {
        None => out.put_u16(0),
        Some("") if !empty_as_nul => out.put_u16(0),
        Some(s) => {
            let at = out.len();
            out.put_u16(0);
            let mut count: u16 = 1;
            for unit in s.encode_utf16() {
                out.put_u16(unit);
                count = count.wrapping_add(1);
            }
            out.put_u16(0);
            out[at..at + 2].copy_from_slice(&count.to_le_bytes());
        }
    }
}

fn encode_trigger(out: &mut Vec<u8>, t: &PlannedTrigger, x: &JobTriggerExtras) {
    let event = tt::is_event(t.ty);
    // The plan refuses model starts before 1601; an extras start that old is not from a
    // file, and is replaced rather than written as a date no reader accepts.
    let begin =
        t.start.or(x.event_start.filter(|d| event && d.year() >= 1601)).unwrap_or_else(default_event_start);
    let mut held = trigger_flags::DISABLED;
    let mut rg = 0;
    if !t.enabled {
        rg |= trigger_flags::DISABLED;
    }
    let end = match t.end {
        Some(d) => [d.year() as u16, d.month() as u16, d.day() as u16],
        None => x.end_date,
    };
    let (duration, interval) = match t.repeat {
        Some((every, duration, kill)) => {
            held |= trigger_flags::KILL_AT_DURATION_END;
            if kill {
                rg |= trigger_flags::KILL_AT_DURATION_END;
            }
            (duration, every)
        }
        None if event => (x.minutes_duration, x.minutes_interval),
        None => (x.minutes_duration, 0),
    };
    if !event {
        held |= trigger_flags::HAS_END_DATE;
        if t.end.is_some() {
            rg |= trigger_flags::HAS_END_DATE;
        }
    }
    rg |= x.flags & !held;
    let used = used_bits(t.ty);
    out.put_u16(TRIGGER_LEN as u16);
    out.put_u16(x.reserved1);
    out.put_u16(begin.year() as u16);
    out.put_u16(begin.month() as u16);
    out.put_u16(begin.day() as u16);
    for w in end {
        out.put_u16(w);
    }
    out.put_u16(begin.hour() as u16);
    out.put_u16(begin.minute() as u16);
    out.put_u32(duration);
    out.put_u32(interval);
    out.put_u32(rg);
    out.put_u32(t.ty);
    for ((planned, used), kept) in t.specific.iter().zip(used).zip(x.specific) {
        out.put_u16((planned & used) | (kept & !used));
    }
    out.put_u16(x.padding);
    out.put_u16(x.reserved2);
    out.put_u16(x.random_minutes);
}

//! From the model and its extras to a `<Task>` element.

use sked_core::{End, FoldPolicy, GapPolicy, Task, Trigger, TriggerKind, WeekOfMonth};

use super::read::{WEEKDAYS, name_from_uri, priority_class, priority_number, uri_from_name};
use super::values::{bool_text, datetime_text, is_xml_char, push_attr, push_text};
use super::{Kept, NAMESPACE, TriggerExtras, XmlExtras};
use crate::diagnostic::{Diagnostic, Location};
use crate::{Error, winargs};

/// How a `<Task>` element is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// Declare the task namespace on `<Task>` (a standalone file does; GPP does not).
    pub namespace: bool,
    /// Written before each element but the first: `"\r\n"` for a file, `""` for one line.
    pub newline: &'static str,
    /// One level of indentation.
    pub indent: &'static str,
    /// Embedded in a GPP item: no `URI` unless one was read.
    pub embedded: bool,
}

impl Style {
    /// A standalone file, as Windows exports it: two-space indentation, CRLF.
    pub const FILE: Style = Style { namespace: true, newline: "\r\n", indent: "  ", embedded: false };
    /// Inside a GPP item, on one line, without the namespace, as GPMC writes it.
    pub const EMBEDDED: Style = Style { namespace: false, newline: "", indent: "", embedded: true };
}

struct W<'o> {
    out: &'o mut String,
    style: Style,
    depth: usize,
    first: bool,
}

impl W<'_> {
    fn line(&mut self) {
        if self.first {
            self.first = false;
            return;
        }
        self.out.push_str(self.style.newline);
        for _ in 0..self.depth {
            self.out.push_str(self.style.indent);
        }
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.line();
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            push_attr(self.out, v);
            self.out.push('"');
        }
        self.out.push('>');
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.line();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn empty(&mut self, name: &str) {
        self.line();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(" />");
    }

    fn leaf(&mut self, name: &str, text: &str) {
        if text.is_empty() {
            return self.empty(name);
        }
        self.line();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        push_text(self.out, text);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.leaf(name, t);
        }
    }

    fn raw(&mut self, xml: &str) {
        self.line();
        self.out.push_str(xml);
    }
}

/// Checks that every text of the task can be carried by XML 1.0.
pub(crate) fn check_chars(task: &Task) -> Result<(), Error> {
    match bad_chars(task).into_iter().next() {
        None => Ok(()),
        Some(msg) => Err(Error::one(Diagnostic::error(Location::None, msg))),
    }
}

fn bad_chars(task: &Task) -> Vec<String> {
    let mut fields: Vec<(&str, &str)> = vec![("name", &task.name), ("command", &task.command)];
    fields.extend(task.args.iter().map(|a| ("args", a.as_str())));
    for (k, v) in [
        ("working-dir", &task.working_dir),
        ("comment", &task.comment),
        ("author", &task.author),
        ("run-as", &task.run_as),
    ] {
        if let Some(v) = v {
            fields.push((k, v));
        }
    }
    for t in &task.triggers {
        if let TriggerKind::AtLogon { user: Some(u), .. } = &t.kind {
            fields.push(("trigger user", u));
        }
    }
    fields
        .into_iter()
        .filter_map(|(k, v)| {
            v.chars()
                .find(|c| !is_xml_char(*c))
                .map(|c| format!("`{k}` holds the character U+{:04X}, which XML 1.0 cannot carry", c as u32))
        })
        .collect()
}

/// Writes one `<Task>` element for `task` and its extras into `out`.
pub fn write_task(out: &mut String, task: &Task, x: &XmlExtras, style: &Style) -> Result<(), Error> {
    check_chars(task)?;
    let mut w = W { out, style: *style, depth: 0, first: true };
    let version = x.version.as_deref().unwrap_or("1.2");
    if style.namespace {
        w.open("Task", &[("version", version), ("xmlns", NAMESPACE)]);
    } else {
        w.open("Task", &[("version", version)]);
    }
    write_registration(&mut w, task, x);
    write_triggers(&mut w, task, x);
    write_principals(&mut w, task, x);
    write_settings(&mut w, task, x);
    write_actions(&mut w, task, x);
    if let Some(d) = &x.data {
        w.raw(d);
    }
    for o in &x.other {
        w.raw(o);
    }
    w.close("Task");
    Ok(())
}

fn write_registration(w: &mut W<'_>, task: &Task, x: &XmlExtras) {
    let r = &x.registration;
    let uri = if w.style.embedded || r.no_uri {
        r.uri.clone()
    } else {
        match &r.uri {
            Some(u) if name_from_uri(u) == task.name => Some(u.clone()),
            _ => Some(uri_from_name(&task.name)),
        }
    };
    let any = uri.is_some()
        || task.author.is_some()
        || task.comment.is_some()
        || r.date.is_some()
        || r.version.is_some()
        || r.source.is_some()
        || r.documentation.is_some()
        || r.security_descriptor.is_some()
        || !r.other.is_empty();
    if !any {
        return;
    }
    w.open("RegistrationInfo", &[]);
    w.opt("Date", r.date.as_deref());
    w.opt("Author", task.author.as_deref());
    w.opt("Version", r.version.as_deref());
    w.opt("Source", r.source.as_deref());
    w.opt("Description", task.comment.as_deref());
    w.opt("Documentation", r.documentation.as_deref());
    w.opt("URI", uri.as_deref());
    w.opt("SecurityDescriptor", r.security_descriptor.as_deref());
    for o in &r.other {
        w.raw(o);
    }
    w.close("RegistrationInfo");
}

/// Interleaves the model's items with kept ones at their recorded positions.
fn interleave<T>(model: Vec<T>, kept: &[Kept]) -> Vec<Result<T, &str>> {
    let mut kept: Vec<&Kept> = kept.iter().collect();
    kept.sort_by_key(|k| k.index);
    let mut kept = kept.into_iter().peekable();
    let mut model = model.into_iter().peekable();
    let mut out = Vec::new();
    loop {
        let at = out.len();
        match kept.peek() {
            Some(k) if k.index <= at || model.peek().is_none() => {
                out.push(Err(k.xml.as_str()));
                kept.next();
            }
            _ => match model.next() {
                Some(m) => out.push(Ok(m)),
                None => break,
            },
        }
    }
    out
}

fn write_triggers(w: &mut W<'_>, task: &Task, x: &XmlExtras) {
    let none = TriggerExtras::default();
    let model: Vec<(&Trigger, &TriggerExtras)> = task
        .triggers
        .iter()
        .enumerate()
        .filter(|(_, t)| writable(t))
        .map(|(i, t)| (t, x.triggers.get(i).unwrap_or(&none)))
        .collect();
    let items = interleave(model, &x.other_triggers);
    if items.is_empty() {
        w.empty("Triggers");
        return;
    }
    w.open("Triggers", &[]);
    for item in items {
        match item {
            Ok((t, te)) => write_trigger(w, t, te),
            Err(raw) => w.raw(raw),
        }
    }
    w.close("Triggers");
}

fn writable(t: &Trigger) -> bool {
    matches!(
        t.kind,
        TriggerKind::Once
            | TriggerKind::Daily { .. }
            | TriggerKind::Weekly { .. }
            | TriggerKind::Monthly { .. }
            | TriggerKind::MonthlyWeekday { .. }
            | TriggerKind::AtStartup { .. }
            | TriggerKind::AtLogon { .. }
            | TriggerKind::OnIdle
    )
}

fn write_trigger(w: &mut W<'_>, t: &Trigger, te: &TriggerExtras) {
    let name = match t.kind {
        TriggerKind::Once => "TimeTrigger",
        TriggerKind::AtStartup { .. } => "BootTrigger",
        TriggerKind::AtLogon { .. } => "LogonTrigger",
        TriggerKind::OnIdle => "IdleTrigger",
        _ => "CalendarTrigger",
    };
    match &te.id {
        Some(id) => w.open(name, &[("id", id)]),
        None => w.open(name, &[]),
    }
    if let Some(r) = &t.repeat {
        w.open("Repetition", &[]);
        w.leaf("Interval", &r.every.to_iso8601());
        if let Some(d) = r.duration {
            w.leaf("Duration", &d.to_iso8601());
        }
        w.leaf("StopAtDurationEnd", bool_text(r.stop_at_end));
        w.close("Repetition");
    } else if let Some(raw) = &te.repetition {
        w.raw(raw);
    }
    match (&t.start, &te.start_text) {
        (Some(s), _) => w.leaf("StartBoundary", &datetime_text(s.datetime, s.offset)),
        (None, Some(raw)) => w.leaf("StartBoundary", raw),
        (None, None) => {}
    }
    match (&t.end, &te.end_text) {
        (Some(End::At { datetime, offset }), _) => {
            w.leaf("EndBoundary", &datetime_text(*datetime, *offset));
        }
        (Some(End::Date(d)), _) => {
            let offset = t.start.and_then(|s| s.offset);
            w.leaf("EndBoundary", &datetime_text(d.at(23, 59, 59, 0), offset));
        }
        (None, Some(raw)) => w.leaf("EndBoundary", raw),
        (None, None) => {}
    }
    if let Some(limit) = te.execution_time_limit {
        w.leaf("ExecutionTimeLimit", &limit.to_iso8601());
    }
    w.leaf("Enabled", bool_text(t.enabled));
    if matches!(name, "TimeTrigger" | "CalendarTrigger")
        && let Some(d) = t.random_delay
    {
        w.leaf("RandomDelay", &d.to_iso8601());
    }
    match &t.kind {
        TriggerKind::Daily { every } => {
            w.open("ScheduleByDay", &[]);
            w.leaf("DaysInterval", &every.to_string());
            w.close("ScheduleByDay");
        }
        TriggerKind::Weekly { every, days } => {
            w.open("ScheduleByWeek", &[]);
            write_days_of_week(w, *days);
            w.leaf("WeeksInterval", &every.to_string());
            w.close("ScheduleByWeek");
        }
        TriggerKind::Monthly { every, days, months } => {
            w.open("ScheduleByMonth", &[]);
            w.open("DaysOfMonth", &[]);
            for d in days.days() {
                w.leaf("Day", &d.to_string());
            }
            if days.has_last() {
                w.leaf("Day", "Last");
            }
            w.close("DaysOfMonth");
            let start_month = t.start.map_or(1, |s| s.datetime.month());
            write_months(w, fold_months(*months, *every, start_month));
            w.close("ScheduleByMonth");
        }
        TriggerKind::MonthlyWeekday { weeks, days, months } => {
            w.open("ScheduleByMonthDayOfWeek", &[]);
            w.open("Weeks", &[]);
            for week in weeks.iter() {
                let n = match week {
                    WeekOfMonth::Last => "Last".to_string(),
                    other => other.windows_number().to_string(),
                };
                w.leaf("Week", &n);
            }
            w.close("Weeks");
            write_days_of_week(w, *days);
            write_months(w, *months);
            w.close("ScheduleByMonthDayOfWeek");
        }
        TriggerKind::AtStartup { delay } if !delay.is_zero() => {
            w.leaf("Delay", &delay.to_iso8601());
        }
        TriggerKind::AtLogon { user, delay } => {
            w.opt("UserId", user.as_deref());
            if !delay.is_zero() {
                w.leaf("Delay", &delay.to_iso8601());
            }
        }
        _ => {}
    }
    for o in &te.other {
        w.raw(o);
    }
    w.close(name);
}

/// The months of an every-`every`-months trigger begun in `start_month`, as a plain month
/// set: exact when `every` divides 12 (the months repeat each year).
pub(crate) fn fold_months(months: sked_core::MonthSet, every: u32, start_month: i8) -> sked_core::MonthSet {
    if every <= 1 || 12 % every != 0 {
        return months;
    }
    let mut out = sked_core::MonthSet::EMPTY;
    for m in months.iter() {
        if (i32::from(m) - i32::from(start_month)).rem_euclid(every as i32) == 0 {
            out = out.with(m);
        }
    }
    out
}

fn write_days_of_week(w: &mut W<'_>, days: sked_core::WeekdaySet) {
    w.open("DaysOfWeek", &[]);
    for (name, day) in WEEKDAYS {
        if days.contains(day) {
            w.empty(name);
        }
    }
    w.close("DaysOfWeek");
}

fn write_months(w: &mut W<'_>, months: sked_core::MonthSet) {
    w.open("Months", &[]);
    for m in months.iter() {
        w.empty(sked_core::MONTH_ENGLISH[m as usize - 1]);
    }
    w.close("Months");
}

fn write_principals(w: &mut W<'_>, task: &Task, x: &XmlExtras) {
    let p = &x.principal;
    if p.absent {
        return;
    }
    w.open("Principals", &[]);
    let id = p.id.as_deref().unwrap_or("Author");
    let user = p.user_id.as_deref().or(task.run_as.as_deref());
    let any = user.is_some()
        || p.logon_type.is_some()
        || p.group_id.is_some()
        || p.display_name.is_some()
        || p.run_level.is_some()
        || p.process_token_sid_type.is_some()
        || !p.required_privileges.is_empty()
        || !p.other.is_empty();
    if any {
        w.open("Principal", &[("id", id)]);
        w.opt("UserId", user);
        w.opt("LogonType", p.logon_type.as_deref());
        w.opt("GroupId", p.group_id.as_deref());
        w.opt("DisplayName", p.display_name.as_deref());
        w.opt("RunLevel", p.run_level.as_deref());
        w.opt("ProcessTokenSidType", p.process_token_sid_type.as_deref());
        if !p.required_privileges.is_empty() {
            w.open("RequiredPrivileges", &[]);
            for privilege in &p.required_privileges {
                w.leaf("Privilege", privilege);
            }
            w.close("RequiredPrivileges");
        }
        for o in &p.other {
            w.raw(o);
        }
        w.close("Principal");
    } else {
        w.line();
        w.out.push_str("<Principal id=\"");
        push_attr(w.out, id);
        w.out.push_str("\" />");
    }
    w.close("Principals");
}

fn write_settings(w: &mut W<'_>, task: &Task, x: &XmlExtras) {
    let s = &x.settings;
    w.open("Settings", &[]);
    let policy = match task.multiple_instances {
        sked_core::MultipleInstances::Parallel => "Parallel",
        sked_core::MultipleInstances::Queue => "Queue",
        sked_core::MultipleInstances::IgnoreNew => "IgnoreNew",
        sked_core::MultipleInstances::StopExisting => "StopExisting",
    };
    w.leaf("MultipleInstancesPolicy", policy);
    let power = task.power.unwrap_or_default();
    w.leaf("DisallowStartIfOnBatteries", bool_text(power.no_start_on_batteries));
    w.leaf("StopIfGoingOnBatteries", bool_text(power.stop_on_batteries));
    if let Some(b) = s.allow_hard_terminate {
        w.leaf("AllowHardTerminate", bool_text(b));
    }
    w.leaf("StartWhenAvailable", bool_text(task.start_when_available));
    if let Some(b) = s.run_only_if_network_available {
        w.leaf("RunOnlyIfNetworkAvailable", bool_text(b));
    }
    if let Some(n) = &s.network_settings {
        w.raw(n);
    }
    match (&task.idle, &s.idle_settings) {
        (Some(idle), _) => {
            w.open("IdleSettings", &[]);
            w.leaf("Duration", &idle.idle_for.to_iso8601());
            w.leaf("WaitTimeout", &idle.wait_up_to.to_iso8601());
            w.leaf("StopOnIdleEnd", bool_text(idle.stop_on_idle_end));
            w.leaf("RestartOnIdle", bool_text(idle.restart_on_idle_resume));
            w.close("IdleSettings");
        }
        (None, Some(raw)) => w.raw(raw),
        (None, None) => {}
    }
    if let Some(b) = s.allow_start_on_demand {
        w.leaf("AllowStartOnDemand", bool_text(b));
    }
    w.leaf("Enabled", bool_text(task.enabled));
    if let Some(b) = s.hidden {
        w.leaf("Hidden", bool_text(b));
    }
    let run_only_if_idle = task.idle.is_some_and(|i| i.start_only_if_idle);
    w.leaf("RunOnlyIfIdle", bool_text(run_only_if_idle));
    w.leaf("WakeToRun", bool_text(task.wake_to_run));
    let limit = task.max_run_time.map_or_else(|| "PT0S".to_string(), |d| d.to_iso8601());
    w.leaf("ExecutionTimeLimit", &limit);
    if task.delete_when_done {
        let after = s.delete_expired_after.map_or_else(|| "PT0S".to_string(), |d| d.to_iso8601());
        w.leaf("DeleteExpiredTaskAfter", &after);
    }
    let priority = match s.priority {
        Some(n) if priority_class(n) == task.priority => n,
        _ => priority_number(task.priority),
    };
    w.leaf("Priority", &priority.to_string());
    if let Some(r) = &s.restart_on_failure {
        w.open("RestartOnFailure", &[]);
        w.leaf("Interval", &r.interval.to_iso8601());
        w.leaf("Count", &r.count.to_string());
        w.close("RestartOnFailure");
    }
    for o in &s.other {
        w.raw(o);
    }
    w.close("Settings");
}

fn write_actions(w: &mut W<'_>, task: &Task, x: &XmlExtras) {
    let context = x.actions_context.as_deref().or(x.principal.id.as_deref()).unwrap_or("Author");
    if x.no_actions_context {
        w.open("Actions", &[]);
    } else {
        w.open("Actions", &[("Context", context)]);
    }
    // Kept actions record their position counting the Exec, so the Exec falls back into
    // its own place. A task whose only actions sked does not run has no command.
    let have_exec = !task.command.is_empty() || x.other_actions.is_empty();
    let model: Vec<()> = if have_exec { vec![()] } else { vec![] };
    let items = interleave(model, &x.other_actions);
    for item in items {
        match item {
            Ok(()) => write_exec(w, task, x),
            Err(raw) => w.raw(raw),
        }
    }
    w.close("Actions");
}

fn write_exec(w: &mut W<'_>, task: &Task, x: &XmlExtras) {
    let e = &x.exec;
    match &e.id {
        Some(id) => w.open("Exec", &[("id", id)]),
        None => w.open("Exec", &[]),
    }
    if e.command_quoted {
        w.leaf("Command", &format!("\"{}\"", task.command));
    } else {
        w.leaf("Command", &task.command);
    }
    let args = match &e.arguments {
        Some(raw) if winargs::split(raw) == task.args => raw.clone(),
        _ => winargs::join(&task.args),
    };
    if !args.is_empty() {
        w.leaf("Arguments", &args);
    }
    w.opt("WorkingDirectory", task.working_dir.as_deref());
    for o in &e.other {
        w.raw(o);
    }
    w.close("Exec");
}

/// What of `task` Task Scheduler 2.0 XML cannot hold.
pub(crate) fn losses(task: &Task) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(zone) = &task.time_zone {
        out.push(format!(
            "time zone `{zone}`: Task Scheduler XML has no time zones; civil times follow the machine's zone"
        ));
    }
    if !task.environment.is_empty() {
        out.push(format!(
            "environment ({} variables): Task Scheduler XML sets no environment",
            task.environment.len()
        ));
    }
    for (i, t) in task.triggers.iter().enumerate() {
        let n = i + 1;
        if !writable(t) {
            out.push(format!(
                "trigger {n} (`{}`): Task Scheduler XML has no such trigger; it is left out",
                t.kind.key()
            ));
            continue;
        }
        if let TriggerKind::Monthly { every, .. } = t.kind
            && every > 1
            && 12 % every != 0
        {
            out.push(format!(
                    "trigger {n}: `every = {every}` months: Task Scheduler XML has no month interval; written as every chosen month"
                ));
        }
        if t.kind.is_event() && t.random_delay.is_some() {
            out.push(format!(
                "trigger {n}: random delay: Task Scheduler XML has none for a `{}` trigger",
                t.kind.key()
            ));
        }
        if t.dst_gap != GapPolicy::default() || t.dst_fold != FoldPolicy::default() {
            out.push(format!(
                "trigger {n}: DST policy (`dst-gap = \"{}\"`, `dst-fold = \"{}\"`): Task Scheduler XML has none",
                t.dst_gap.name(),
                t.dst_fold.name()
            ));
        }
        let odd_offset = |o: Option<jiff::tz::Offset>| o.is_some_and(|o| o.seconds() % 60 != 0);
        let end_offset = match t.end {
            Some(End::At { offset, .. }) => offset,
            _ => None,
        };
        if odd_offset(t.start.and_then(|s| s.offset)) || odd_offset(end_offset) {
            out.push(format!(
                "trigger {n}: an offset with seconds: Task Scheduler XML writes hours and minutes"
            ));
        }
    }
    if task.delete_when_done && !task.triggers.iter().any(|t| t.end.is_some()) {
        out.push(
            "`delete-when-done` without a trigger end: Windows refuses `DeleteExpiredTaskAfter` unless a trigger has an `EndBoundary`".into(),
        );
    }
    out.extend(bad_chars(task));
    out
}

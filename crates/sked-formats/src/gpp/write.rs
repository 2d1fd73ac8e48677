//! Writing `ScheduledTasks.xml` as GPMC does: one item per line, CRLF.

use sked_core::{
    DEFAULT_MAX_RUN_TIME, End, FoldPolicy, GapPolicy, MultipleInstances, Priority, Task, Trigger,
    TriggerKind, WeekOfMonth,
};

use super::{
    COLLECTION_CLSID, GppExtras, ItemKind, TriggerExtras, action_letter, default_image, derived_uid,
};
use crate::xml::values::push_attr;
use crate::xml::{Style, XmlExtras};
use crate::{Action, Document, Entry, Error, winargs};

pub(super) fn write(doc: &Document) -> Result<Vec<u8>, Error> {
    let mut out = String::with_capacity(1024 * doc.entries.len() + 128);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n");
    let collection = doc
        .entries
        .first()
        .and_then(|e| e.extras.gpp.as_ref())
        .map(|g| g.collection.clone())
        .unwrap_or_default();
    out.push_str("<ScheduledTasks");
    attr(&mut out, "clsid", collection.clsid.as_deref().unwrap_or(COLLECTION_CLSID));
    if let Some(d) = collection.disabled {
        attr(&mut out, "disabled", flag(d));
    }
    if doc.entries.is_empty() {
        out.push_str("/>\r\n");
        return Ok(out.into_bytes());
    }
    out.push('>');
    for (i, entry) in doc.entries.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n\t");
        }
        write_item(&mut out, entry)?;
    }
    out.push_str("\r\n</ScheduledTasks>\r\n");
    Ok(out.into_bytes())
}

fn attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    push_attr(out, value);
    out.push('"');
}

fn flag(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

fn write_item(out: &mut String, entry: &Entry) -> Result<(), Error> {
    crate::xml::write::check_chars(&entry.task)?;
    let default = GppExtras::default();
    let g = entry.extras.gpp.as_ref().unwrap_or(&default);
    let task = &entry.task;
    let kind = g.kind;
    out.push('<');
    out.push_str(kind.element());
    attr(out, "clsid", g.clsid.as_deref().unwrap_or(kind.clsid()));
    attr(out, "name", g.item_name.as_deref().unwrap_or(&task.name));
    if let Some(s) = &g.status {
        attr(out, "status", s);
    }
    if let Some(image) = g.image.as_deref().or(default_image(kind, entry.action)) {
        attr(out, "image", image);
    }
    if let Some(c) = &g.changed {
        attr(out, "changed", c);
    }
    let uid = g.uid.clone().unwrap_or_else(|| derived_uid(kind, &task.name));
    attr(out, "uid", &uid);
    for (name, value) in [
        ("bypassErrors", g.bypass_errors),
        ("userContext", g.user_context),
        ("removePolicy", g.remove_policy),
    ] {
        if let Some(v) = value {
            attr(out, name, flag(v));
        }
    }
    if let Some(d) = &g.desc {
        attr(out, "desc", d);
    }
    if let Some(d) = g.disabled {
        attr(out, "disabled", flag(d));
    }
    for (k, v) in &g.other_attributes {
        attr(out, k, v);
    }
    out.push('>');
    if g.filters_first
        && let Some(f) = &g.filters
    {
        out.push_str(f);
    }
    if kind.is_v2() {
        write_v2(out, entry, g)?;
    } else {
        write_v1(out, entry, g);
    }
    if !g.filters_first
        && let Some(f) = &g.filters
    {
        out.push_str(f);
    }
    for c in &g.other_children {
        out.push_str(c);
    }
    out.push_str("</");
    out.push_str(kind.element());
    out.push('>');
    Ok(())
}

fn write_v2(out: &mut String, entry: &Entry, g: &GppExtras) -> Result<(), Error> {
    let task = &entry.task;
    out.push_str("<Properties");
    attr(out, "action", action_letter(entry.action));
    attr(out, "name", &task.name);
    if let Some(r) = &task.run_as {
        attr(out, "runAs", r);
    }
    if let Some(l) = &g.logon_type {
        attr(out, "logonType", l);
    }
    for (k, v) in &g.other_properties {
        attr(out, k, v);
    }
    out.push('>');
    let default = XmlExtras::default();
    let x = entry.extras.xml.as_ref().unwrap_or(&default);
    crate::xml::write_task(out, task, x, &Style::EMBEDDED)?;
    out.push_str("</Properties>");
    Ok(())
}

fn write_v1(out: &mut String, entry: &Entry, g: &GppExtras) {
    let task = &entry.task;
    let kind = g.kind;
    out.push_str("<Properties");
    if kind != ItemKind::ImmediateTask || entry.action != Action::Update {
        attr(out, "action", action_letter(entry.action));
    }
    attr(out, "name", &task.name);
    attr(out, "appName", &task.command);
    let args = match &g.arguments {
        Some(raw) if winargs::split(raw) == task.args => raw.clone(),
        _ => winargs::join(&task.args),
    };
    attr(out, "args", &args);
    attr(out, "startIn", task.working_dir.as_deref().unwrap_or(""));
    attr(out, "comment", task.comment.as_deref().unwrap_or(""));
    if let Some(r) = &task.run_as {
        attr(out, "runAs", r);
    }
    if let Some(l) = &g.logon_type {
        attr(out, "logonType", l);
    }
    if kind == ItemKind::Task || !task.enabled {
        attr(out, "enabled", flag(task.enabled));
    }
    if task.delete_when_done {
        attr(out, "deleteWhenDone", "1");
    }
    if task.max_run_time != Some(DEFAULT_MAX_RUN_TIME) {
        let ms =
            task.max_run_time.map_or(u64::from(u32::MAX), |d| d.as_millis().min(u64::from(u32::MAX) - 1));
        attr(out, "maxRunTime", &ms.to_string());
    }
    if let Some(idle) = &task.idle {
        attr(out, "startOnlyIfIdle", flag(idle.start_only_if_idle));
        attr(out, "idleMinutes", &idle.idle_for.as_mins().to_string());
        attr(out, "deadlineMinutes", &idle.wait_up_to.as_mins().to_string());
        attr(out, "stopOnIdleEnd", flag(idle.stop_on_idle_end));
    }
    let power = task.power.unwrap_or_default();
    if power.no_start_on_batteries {
        attr(out, "noStartIfOnBatteries", "1");
    }
    if power.stop_on_batteries {
        attr(out, "stopIfGoingOnBatteries", "1");
    }
    if task.wake_to_run {
        attr(out, "systemRequired", "1");
    }
    for (k, v) in &g.other_properties {
        attr(out, k, v);
    }
    let none = TriggerExtras::default();
    let mut triggers = String::new();
    if kind == ItemKind::Task {
        for (i, t) in task.triggers.iter().enumerate() {
            let te = g.triggers.get(i).unwrap_or(&none);
            for attrs in v1_triggers(t) {
                triggers.push_str("<Trigger");
                for (k, v) in attrs.iter().chain(&te.other) {
                    attr(&mut triggers, k, v);
                }
                triggers.push_str("/>");
            }
        }
    }
    if triggers.is_empty() {
        out.push_str("/>");
    } else {
        out.push_str("><Triggers>");
        out.push_str(&triggers);
        out.push_str("</Triggers></Properties>");
    }
}

/// The v1 `<Trigger>` attribute lists for one model trigger: none for a kind v1 cannot hold,
/// one per week for a monthly-weekday trigger of several weeks.
fn v1_triggers(t: &Trigger) -> Vec<Vec<(String, String)>> {
    let ty = match t.kind {
        TriggerKind::Once => "ONCE",
        TriggerKind::Daily { .. } => "DAILY",
        TriggerKind::Weekly { .. } => "WEEKLY",
        TriggerKind::Monthly { .. } | TriggerKind::MonthlyWeekday { .. } => "MONTHLY",
        TriggerKind::AtStartup { .. } => "STARTUP",
        TriggerKind::AtLogon { .. } => "LOGON",
        TriggerKind::OnIdle => "IDLE",
        _ => return Vec::new(),
    };
    let mut a: Vec<(String, String)> = vec![("type".into(), ty.into())];
    let mut push = |k: &str, v: String| a.push((k.to_string(), v));
    if let Some(s) = &t.start {
        let d = s.datetime;
        push("startHour", format!("{:02}", d.hour()));
        push("startMinutes", format!("{:02}", d.minute()));
        push("beginYear", d.year().to_string());
        push("beginMonth", d.month().to_string());
        push("beginDay", d.day().to_string());
    }
    if !t.kind.is_event() {
        let end = match t.end {
            Some(End::Date(d)) => Some(d),
            Some(End::At { datetime, .. }) => Some(datetime.date()),
            None => None,
        };
        push("hasEndDate", flag(end.is_some()).into());
        if let Some(e) = end {
            push("endYear", e.year().to_string());
            push("endMonth", e.month().to_string());
            push("endDay", e.day().to_string());
        }
        push("repeatTask", flag(t.repeat.is_some()).into());
        if let Some(r) = &t.repeat {
            push("minutesInterval", r.every.as_mins().to_string());
            let length = r.duration.map_or(1440, |d| d.as_mins());
            push("minutesDuration", length.to_string());
            push("killAtDurationEnd", flag(r.stop_at_end).into());
        }
    }
    match &t.kind {
        TriggerKind::Daily { every } => push("interval", every.to_string()),
        TriggerKind::Weekly { every, days } => {
            push("interval", every.to_string());
            push("days", days.mask().to_string());
        }
        TriggerKind::Monthly { every, days, months } => {
            let start_month = t.start.map_or(1, |s| s.datetime.month());
            let months = crate::xml::write::fold_months(*months, *every, start_month);
            push("days", days.mask().to_string());
            push("months", months.mask().to_string());
        }
        TriggerKind::MonthlyWeekday { weeks, days, months } => {
            return weeks
                .iter()
                .map(|w| {
                    let mut one = a.clone();
                    one.push(("days".into(), days.mask().to_string()));
                    one.push(("months".into(), months.mask().to_string()));
                    one.push(("week".into(), week_name(w).into()));
                    one
                })
                .collect();
        }
        _ => {}
    }
    vec![a]
}

fn week_name(w: WeekOfMonth) -> &'static str {
    match w {
        WeekOfMonth::First => "FIRST",
        WeekOfMonth::Second => "SECOND",
        WeekOfMonth::Third => "THIRD",
        WeekOfMonth::Fourth => "FOURTH",
        WeekOfMonth::Last => "LAST",
    }
}

/// What of `task` an item of `kind` cannot hold.
pub(super) fn losses(task: &Task, kind: ItemKind) -> Vec<String> {
    if kind.is_v2() {
        return crate::xml::write::losses(task);
    }
    let mut out = Vec::new();
    let what = kind.element();
    if let Some(zone) = &task.time_zone {
        out.push(format!(
            "time zone `{zone}`: a GPP `{what}` has no time zones; times are the machine's local time"
        ));
    }
    if !task.environment.is_empty() {
        out.push(format!(
            "environment ({} variables): a GPP `{what}` sets no environment",
            task.environment.len()
        ));
    }
    if task.multiple_instances != MultipleInstances::IgnoreNew {
        out.push(format!(
            "`multiple-instances = \"{}\"`: a v1 task always ignores a new run while one is going",
            task.multiple_instances.name()
        ));
    }
    if task.start_when_available {
        out.push(format!("`start-when-available`: a GPP `{what}` cannot run missed runs late"));
    }
    if task.priority != Priority::Normal {
        out.push(format!("`priority = \"{}\"`: a GPP `{what}` has no priority", task.priority.name()));
    }
    if let Some(idle) = &task.idle {
        if idle.restart_on_idle_resume {
            out.push(format!("`restart-on-idle-resume`: a GPP `{what}` has no such setting"));
        }
        if idle.idle_for.as_millis() % 60_000 != 0 || idle.wait_up_to.as_millis() % 60_000 != 0 {
            out.push("idle times are written in whole minutes".to_string());
        }
    }
    if task.max_run_time.is_some_and(|d| d.as_millis() >= u64::from(u32::MAX)) {
        out.push("`max-run-time` longer than 49 days: v1 counts it in 32-bit milliseconds".into());
    }
    if kind == ItemKind::ImmediateTask && !task.triggers.is_empty() {
        out.push(format!(
            "triggers ({}): an `ImmediateTask` runs once when the policy applies; they are left out",
            task.triggers.len()
        ));
    } else {
        for (i, t) in task.triggers.iter().enumerate() {
            trigger_losses(i + 1, t, &mut out);
        }
    }
    out.extend(crate::xml::write::losses(task).into_iter().filter(|l| l.contains("XML 1.0")));
    out
}

fn trigger_losses(n: usize, t: &Trigger, out: &mut Vec<String>) {
    let mut loss = |what: String| out.push(format!("trigger {n}: {what}"));
    if v1_triggers(t).is_empty() {
        loss(format!("a `{}` trigger has no v1 form; it is left out", t.kind.key()));
        return;
    }
    if let Some(s) = &t.start {
        if s.offset.is_some() {
            loss("its start is pinned to an offset; v1 writes civil local time".into());
        }
        if s.datetime.second() != 0 || s.datetime.subsec_nanosecond() != 0 {
            loss("its start has seconds; v1 starts on whole minutes".into());
        }
    }
    if let Some(End::At { .. }) = t.end {
        loss("its end has a time; v1 ends on a date (inclusive)".into());
    }
    if let Some(r) = &t.repeat {
        if r.duration.is_none() {
            loss("it repeats without `for`; v1 repeats within a window, written as 24 hours".into());
        }
        if r.every.as_millis() % 60_000 != 0 || r.duration.is_some_and(|d| d.as_millis() % 60_000 != 0) {
            loss("its repetition is written in whole minutes".into());
        }
    }
    if t.random_delay.is_some() {
        loss("random delay: v1 has none".into());
    }
    if !t.enabled {
        loss("it is disabled; a GPP v1 trigger cannot say so".into());
    }
    if t.dst_gap != GapPolicy::default() || t.dst_fold != FoldPolicy::default() {
        loss("DST policy: v1 has none".into());
    }
    match &t.kind {
        TriggerKind::AtStartup { delay } | TriggerKind::AtLogon { delay, .. } if !delay.is_zero() => {
            loss(format!("delay `{delay}`: v1 has none"));
        }
        _ => {}
    }
    match &t.kind {
        TriggerKind::AtLogon { user: Some(u), .. } => {
            loss(format!("user `{u}`: a v1 logon trigger fires for any user"));
        }
        TriggerKind::Monthly { every, days, .. } => {
            if *every > 1 && 12 % every != 0 {
                loss(format!("`every = {every}` months: v1 has no month interval"));
            }
            if days.has_last() {
                loss("the `last` day of the month: v1 has no such day".into());
            }
        }
        TriggerKind::MonthlyWeekday { weeks, .. } if weeks.len() > 1 => {
            loss("several weeks: v1 holds one; written as one trigger per week".into());
        }
        _ => {}
    }
}

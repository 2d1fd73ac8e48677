//! Reading `ScheduledTasks.xml`.

use std::borrow::Cow;

use jiff::civil::Date;
use sked_core::{
    Duration, End, IdleSettings, MonthDays, MonthSet, PowerSettings, Repetition, Start, Task, Trigger,
    TriggerKind, WeekOfMonth, WeekdaySet,
};

use super::{
    COLLECTION_CLSID, CollectionExtras, GppExtras, ItemKind, TriggerExtras, default_image, is_derived_uid,
};
use crate::diagnostic::{Diagnostic, Location};
use crate::xml::tree::{Attr, El, Tree};
use crate::xml::values::parse_bool;
use crate::{Action, Document, Entry, Error, Extras, winargs};

type R<T> = Result<T, Diagnostic>;

/// The MS14-025 warning for a `cpassword`.
pub(crate) const CPASSWORD_WARNING: &str = "`cpassword` dropped: sked never decrypts, stores or writes GPP passwords, because their AES key is public and anyone who can read the file can read the password (MS14-025, KB2962486); give the account its credential on the machine instead";

pub(super) fn read(input: &[u8]) -> Result<Document, Error> {
    let (text, _) = crate::xml::decode(input)?;
    let tree = Tree::parse(&text)?;
    let root = tree.root();
    if root.name() != "ScheduledTasks" {
        return Err(Error::one(
            root.error(format!("expected a `<ScheduledTasks>` root element, but found `<{}>`", root.name())),
        ));
    }
    let mut warnings = Vec::new();
    let mut collection = CollectionExtras::default();
    for a in root.attrs()? {
        match a.name {
            "clsid" => {
                if a.value != COLLECTION_CLSID {
                    collection.clsid = Some(a.value.into_owned());
                }
            }
            "disabled" => collection.disabled = Some(flag(root, &a)?),
            _ => warnings.push(Diagnostic::warning(
                attr_location(root, &a),
                format!("unknown attribute `{}` of `<ScheduledTasks>` is left out", a.name),
            )),
        }
    }
    let mut entries = Vec::new();
    for item in root.children() {
        let Some(kind) = ItemKind::from_element(item.name()) else {
            return Err(Error::one(item.error(format!(
                "unexpected element `<{}>` in `<ScheduledTasks>`; expected `<Task>`, `<ImmediateTask>`, `<TaskV2>` or `<ImmediateTaskV2>`",
                item.name()
            ))));
        };
        entries.push(read_item(item, kind, &collection, &mut warnings)?);
    }
    Ok(Document { entries, warnings })
}

fn attr_location(el: El<'_, '_>, a: &Attr<'_>) -> Location {
    el.locate(a.at, a.at + a.name.len())
}

fn attr_error(el: El<'_, '_>, a: &Attr<'_>, message: String) -> Diagnostic {
    Diagnostic::error(attr_location(el, a), message)
}

fn flag(el: El<'_, '_>, a: &Attr<'_>) -> R<bool> {
    parse_bool(&a.value).ok_or_else(|| {
        attr_error(el, a, format!("expected `0` or `1` in `{}`, but found `{}`", a.name, a.value))
    })
}

fn int(el: El<'_, '_>, a: &Attr<'_>, min: u64, max: u64) -> R<u64> {
    match a.value.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(attr_error(
            el,
            a,
            format!("expected a whole number from {min} to {max} in `{}`, but found `{}`", a.name, a.value),
        )),
    }
}

fn non_empty(v: Cow<'_, str>) -> Option<String> {
    (!v.is_empty()).then(|| v.into_owned())
}

fn owned(a: &Attr<'_>) -> (String, String) {
    (a.name.to_string(), a.value.to_string())
}

fn read_item(
    item: El<'_, '_>,
    kind: ItemKind,
    collection: &CollectionExtras,
    w: &mut Vec<Diagnostic>,
) -> Result<Entry, Error> {
    let mut g = GppExtras { kind, collection: collection.clone(), ..GppExtras::default() };
    let mut item_name = None;
    let mut image = None;
    let mut uid = None;
    for a in item.attrs()? {
        match a.name {
            "clsid" => {
                if a.value != kind.clsid() {
                    g.clsid = Some(a.value.into_owned());
                }
            }
            "name" => item_name = Some(a.value.into_owned()),
            "status" => g.status = Some(a.value.into_owned()),
            "image" => image = Some(a.value.into_owned()),
            "changed" => g.changed = Some(a.value.into_owned()),
            "uid" => uid = Some(a.value.into_owned()),
            "desc" => g.desc = Some(a.value.into_owned()),
            "bypassErrors" => g.bypass_errors = Some(flag(item, &a)?),
            "userContext" => g.user_context = Some(flag(item, &a)?),
            "removePolicy" => g.remove_policy = Some(flag(item, &a)?),
            "disabled" => g.disabled = Some(flag(item, &a)?),
            _ => {
                w.push(Diagnostic::warning(
                    attr_location(item, &a),
                    format!("unknown attribute `{}` of `<{}>` kept as it is", a.name, kind.element()),
                ));
                g.other_attributes.push(owned(&a));
            }
        }
    }
    let mut properties = None;
    for c in item.children() {
        match c.name() {
            "Properties" | "Filters" => {
                let twice = if c.name() == "Properties" {
                    properties.replace(c).is_some()
                } else {
                    g.filters_first = properties.is_none();
                    g.filters.replace(c.raw().to_string()).is_some()
                };
                if twice {
                    return Err(Error::one(c.error(format!(
                        "`<{}>` appears twice in `<{}>`; expected it once",
                        c.name(),
                        kind.element()
                    ))));
                }
            }
            _ => {
                w.push(Diagnostic::warning(
                    c.location(),
                    format!(
                        "unknown element `<{}>` in `<{}>` kept as it is; sked does not use it",
                        c.name(),
                        kind.element()
                    ),
                ));
                g.other_children.push(c.raw().to_string());
            }
        }
    }
    if g.filters.is_none() {
        g.filters_first = false;
    }
    let props = properties.ok_or_else(|| {
        Error::one(item.error(format!("a `<{}>` item needs `<Properties>`", kind.element())))
    })?;
    let attrs = props.attrs()?;
    let action = match attrs.iter().find(|a| a.name == "action") {
        None => Action::Update,
        Some(a) => match a.value.trim() {
            "C" => Action::Create,
            "R" => Action::Replace,
            "U" => Action::Update,
            "D" => Action::Delete,
            other => {
                return Err(Error::one(attr_error(
                    props,
                    a,
                    format!("expected `C`, `R`, `U` or `D` in `action`, but found `{other}`"),
                )));
            }
        },
    };
    let name = attrs
        .iter()
        .find(|a| a.name == "name")
        .map(|a| a.value.to_string())
        .or_else(|| item_name.clone())
        .ok_or_else(|| {
            Error::one(props.error(format!("a `<{}>` item needs a `name`, the task's name", kind.element())))
        })?;
    let mut extras = Extras::default();
    let task = if kind.is_v2() {
        let (task, x) = read_v2(props, &attrs, &name, &mut g, w)?;
        if !x.is_default() {
            extras.xml = Some(x);
        }
        task
    } else {
        read_v1(props, &attrs, &name, kind, &mut g, w)?
    };
    if item_name.as_deref() != Some(task.name.as_str()) {
        g.item_name = item_name;
    }
    if image.as_deref() != default_image(kind, action) {
        g.image = image;
    }
    if !uid.as_deref().is_some_and(|u| is_derived_uid(kind, &task.name, u)) {
        g.uid = uid;
    }
    if !g.is_default() {
        extras.gpp = Some(g);
    }
    Ok(Entry { task, action, extras })
}

fn read_v2(
    props: El<'_, '_>,
    attrs: &[Attr<'_>],
    name: &str,
    g: &mut GppExtras,
    w: &mut Vec<Diagnostic>,
) -> Result<(Task, crate::xml::XmlExtras), Error> {
    let mut run_as = None;
    for a in attrs {
        match a.name {
            "action" | "name" => {}
            "runAs" => run_as = non_empty(a.value.clone()),
            "logonType" => g.logon_type = Some(a.value.to_string()),
            "cpassword" => {
                if !a.value.is_empty() {
                    w.push(Diagnostic::warning(attr_location(props, a), CPASSWORD_WARNING));
                }
            }
            _ => unknown_property(props, a, g, w),
        }
    }
    let mut task_el = None;
    for c in props.children() {
        if c.name() != "Task" || task_el.is_some() {
            return Err(Error::one(c.error(format!(
                "unexpected element `<{}>` in `<Properties>`; expected one `<Task>`",
                c.name()
            ))));
        }
        task_el = Some(c);
    }
    let task_el = task_el.ok_or_else(|| {
        Error::one(
            props.error(format!("a `<{}>` item needs a `<Task>` in its `<Properties>`", g.kind.element())),
        )
    })?;
    let (mut task, mut x) = crate::xml::read_task(task_el, Some(name), name, w)?;
    if let Some(r) = run_as {
        if task.run_as.as_deref() != Some(r.as_str()) {
            x.principal.user_id = task.run_as.take();
        }
        task.run_as = Some(r);
    }
    Ok((task, x))
}

fn unknown_property(props: El<'_, '_>, a: &Attr<'_>, g: &mut GppExtras, w: &mut Vec<Diagnostic>) {
    w.push(Diagnostic::warning(
        attr_location(props, a),
        format!("unknown attribute `{}` of `<Properties>` kept as it is", a.name),
    ));
    g.other_properties.push(owned(a));
}

fn read_v1(
    props: El<'_, '_>,
    attrs: &[Attr<'_>],
    name: &str,
    kind: ItemKind,
    g: &mut GppExtras,
    w: &mut Vec<Diagnostic>,
) -> Result<Task, Error> {
    let mut task = Task::new(name, "");
    let mut idle_minutes = None;
    let mut deadline_minutes = None;
    let (mut start_only, mut stop_on_idle_end) = (false, false);
    let (mut no_start_batt, mut stop_batt) = (false, false);
    for a in attrs {
        match a.name {
            "action" | "name" => {}
            "appName" => task.command = a.value.to_string(),
            "args" => {
                task.args = winargs::split(&a.value);
                if winargs::join(&task.args) != a.value {
                    g.arguments = Some(a.value.to_string());
                }
            }
            "startIn" => task.working_dir = non_empty(a.value.clone()),
            "comment" => task.comment = non_empty(a.value.clone()),
            "runAs" => task.run_as = non_empty(a.value.clone()),
            "logonType" => g.logon_type = Some(a.value.to_string()),
            "cpassword" => {
                if !a.value.is_empty() {
                    w.push(Diagnostic::warning(attr_location(props, a), CPASSWORD_WARNING));
                }
            }
            "enabled" => task.enabled = flag(props, a)?,
            "deleteWhenDone" => task.delete_when_done = flag(props, a)?,
            "maxRunTime" => {
                let ms = int(props, a, 0, u64::from(u32::MAX))?;
                task.max_run_time = (ms != u64::from(u32::MAX)).then_some(Duration::from_millis(ms));
            }
            "startOnlyIfIdle" => start_only = flag(props, a)?,
            "idleMinutes" => idle_minutes = Some((int(props, a, 0, 65_535)?, owned(a))),
            "deadlineMinutes" => deadline_minutes = Some((int(props, a, 0, 65_535)?, owned(a))),
            "stopOnIdleEnd" => stop_on_idle_end = flag(props, a)?,
            "noStartIfOnBatteries" => no_start_batt = flag(props, a)?,
            "stopIfGoingOnBatteries" => stop_batt = flag(props, a)?,
            "systemRequired" => task.wake_to_run = flag(props, a)?,
            _ => unknown_property(props, a, g, w),
        }
    }
    task.power = (no_start_batt || stop_batt)
        .then_some(PowerSettings { no_start_on_batteries: no_start_batt, stop_on_batteries: stop_batt });
    for c in props.children() {
        if c.name() != "Triggers" || kind != ItemKind::Task {
            let expected = if kind == ItemKind::Task {
                "`<Triggers>`"
            } else {
                "no element (an immediate task has no triggers)"
            };
            return Err(Error::one(c.error(format!(
                "unexpected element `<{}>` in `<Properties>`; expected {expected}",
                c.name()
            ))));
        }
        for t in c.children() {
            if t.name() != "Trigger" {
                return Err(Error::one(t.error(format!(
                    "unexpected element `<{}>` in `<Triggers>`; expected `<Trigger>`",
                    t.name()
                ))));
            }
            let (trigger, te) = read_trigger(t, w)?;
            task.triggers.push(trigger);
            g.triggers.push(te);
        }
    }
    if g.triggers.iter().all(|t| *t == TriggerExtras::default()) {
        g.triggers.clear();
    }
    let has_idle_trigger = task.triggers.iter().any(|t| t.kind == TriggerKind::OnIdle);
    if start_only || stop_on_idle_end || has_idle_trigger {
        task.idle = Some(IdleSettings {
            start_only_if_idle: start_only,
            idle_for: Duration::from_mins(idle_minutes.as_ref().map_or(10, |m| m.0)),
            wait_up_to: Duration::from_mins(deadline_minutes.as_ref().map_or(60, |m| m.0)),
            stop_on_idle_end,
            restart_on_idle_resume: false,
        });
    } else {
        // Inert without an idle condition: kept so the item writes back the same.
        g.other_properties.extend(idle_minutes.into_iter().chain(deadline_minutes).map(|m| m.1));
    }
    Ok(task)
}

fn read_trigger(t: El<'_, '_>, w: &mut Vec<Diagnostic>) -> R<(Trigger, TriggerExtras)> {
    let attrs = t.attrs()?;
    let mut te = TriggerExtras::default();
    let mut ty = None;
    let (mut hour, mut minute) = (0, 0);
    let (mut by, mut bm, mut bd) = (None, None, None);
    let mut has_end = false;
    let (mut ey, mut em, mut ed) = (None, None, None);
    let mut end_attrs = Vec::new();
    let mut repeat = false;
    let mut repeat_attrs = Vec::new();
    let (mut every_min, mut for_min, mut kill) = (None, None, false);
    let mut interval = None;
    let mut days = None;
    let mut months = None;
    let mut week = None;
    for a in &attrs {
        match a.name {
            "type" => ty = Some(a),
            "startHour" => hour = int(t, a, 0, 23)?,
            "startMinutes" => minute = int(t, a, 0, 59)?,
            "beginYear" => by = Some(int(t, a, 1601, 9999)?),
            "beginMonth" => bm = Some(int(t, a, 1, 12)?),
            "beginDay" => bd = Some(int(t, a, 1, 31)?),
            "hasEndDate" => {
                has_end = flag(t, a)?;
                end_attrs.push(owned(a));
            }
            "endYear" | "endMonth" | "endDay" => {
                let v = match a.name {
                    "endYear" => int(t, a, 1601, 9999)?,
                    "endMonth" => int(t, a, 1, 12)?,
                    _ => int(t, a, 1, 31)?,
                };
                *match a.name {
                    "endYear" => &mut ey,
                    "endMonth" => &mut em,
                    _ => &mut ed,
                } = Some(v);
                end_attrs.push(owned(a));
            }
            "repeatTask" => {
                repeat = flag(t, a)?;
                repeat_attrs.push(owned(a));
            }
            "minutesInterval" => {
                every_min = Some(int(t, a, 0, u64::from(u32::MAX))?);
                repeat_attrs.push(owned(a));
            }
            "minutesDuration" => {
                for_min = Some(int(t, a, 0, u64::from(u32::MAX))?);
                repeat_attrs.push(owned(a));
            }
            "killAtDurationEnd" => {
                kill = flag(t, a)?;
                repeat_attrs.push(owned(a));
            }
            "interval" => interval = Some((int(t, a, 1, u64::from(u32::MAX))? as u32, a)),
            "days" => days = Some((int(t, a, 1, u64::from(u32::MAX))? as u32, a)),
            "months" => months = Some(int(t, a, 1, 0xFFF)? as u16),
            "week" => {
                week = Some(match a.value.trim().to_ascii_uppercase().as_str() {
                    "FIRST" => WeekOfMonth::First,
                    "SECOND" => WeekOfMonth::Second,
                    "THIRD" => WeekOfMonth::Third,
                    "FOURTH" => WeekOfMonth::Fourth,
                    "LAST" => WeekOfMonth::Last,
                    _ => {
                        return Err(attr_error(
                            t,
                            a,
                            format!(
                                "expected `FIRST`, `SECOND`, `THIRD`, `FOURTH` or `LAST` in `week`, but found `{}`",
                                a.value
                            ),
                        ));
                    }
                });
            }
            "idleMinute" => te.other.push(owned(a)),
            _ => {
                w.push(Diagnostic::warning(
                    attr_location(t, a),
                    format!("unknown attribute `{}` of `<Trigger>` kept as it is", a.name),
                ));
                te.other.push(owned(a));
            }
        }
    }
    let ty_attr = ty.ok_or_else(|| {
        t.error("a `<Trigger>` needs `type`: IDLE, ONCE, STARTUP, LOGON, DAILY, WEEKLY or MONTHLY")
    })?;
    let ty = ty_attr.value.trim().to_ascii_uppercase();
    let event = matches!(ty.as_str(), "IDLE" | "STARTUP" | "LOGON");
    let date = |y: Option<u64>, m: Option<u64>, d: Option<u64>, what: &str| -> R<Option<Date>> {
        match (y, m, d) {
            (Some(y), Some(m), Some(d)) => Date::new(y as i16, m as i8, d as i8).map(Some).map_err(|_| {
                t.error(format!("{y:04}-{m:02}-{d:02} is not a date; expected a real {what} date"))
            }),
            (None, None, None) => Ok(None),
            _ => {
                Err(t
                    .error(format!("a {what} date needs all of `{what}Year`, `{what}Month` and `{what}Day`")))
            }
        }
    };
    let begin = date(by, bm, bd, "begin")?;
    let mut trigger = Trigger::new(TriggerKind::Once);
    trigger.start = begin.map(|d| Start::civil(d.at(hour as i8, minute as i8, 0, 0)));
    if !event && trigger.start.is_none() {
        return Err(t.error(format!("a `{ty}` trigger needs `beginYear`, `beginMonth` and `beginDay`")));
    }
    if event {
        if has_end || repeat {
            w.push(Diagnostic::warning(
                t.location(),
                format!("the end date and repetition of a `{ty}` trigger are kept but not applied: sked bounds and repeats calendar triggers only"),
            ));
            if has_end {
                te.other.extend(end_attrs);
            }
            if repeat {
                te.other.extend(repeat_attrs);
            }
        }
    } else {
        if has_end {
            let end = date(ey, em, ed, "end")?
                .ok_or_else(|| t.error("`hasEndDate=\"1\"` needs `endYear`, `endMonth` and `endDay`"))?;
            trigger.end = Some(End::Date(end));
        }
        if repeat {
            let every = every_min.filter(|m| *m > 0).ok_or_else(|| {
                t.error("`repeatTask=\"1\"` needs `minutesInterval`, the minutes between runs")
            })?;
            trigger.repeat = Some(Repetition {
                every: Duration::from_mins(every),
                duration: for_min.filter(|m| *m > 0).map(Duration::from_mins),
                stop_at_end: kill,
            });
        }
    }
    let months = match months {
        Some(m) => MonthSet::from_mask(m),
        None => MonthSet::ALL,
    };
    let every = interval.map_or(1, |i| i.0);
    let need_days = || t.error(format!("a `{ty}` trigger needs `days`, the bit mask of the days it runs on"));
    trigger.kind = match ty.as_str() {
        "ONCE" => TriggerKind::Once,
        "DAILY" => TriggerKind::Daily { every },
        "WEEKLY" => TriggerKind::Weekly { every, days: weekdays(t, days)?.ok_or_else(need_days)? },
        "MONTHLY" => {
            if let Some((i, a)) = interval {
                if i != 1 {
                    w.push(Diagnostic::warning(
                        attr_location(t, a),
                        format!("`interval=\"{i}\"` of a `MONTHLY` trigger is kept but ignored: v1 triggers have no month interval"),
                    ));
                }
                te.other.push(owned(a));
            }
            match week {
                Some(week) => TriggerKind::MonthlyWeekday {
                    weeks: sked_core::WeekSet::EMPTY.with(week),
                    days: weekdays(t, days)?.ok_or_else(need_days)?,
                    months,
                },
                None => TriggerKind::Monthly {
                    every: 1,
                    days: MonthDays::from_mask(days.ok_or_else(need_days)?.0),
                    months,
                },
            }
        }
        "IDLE" => TriggerKind::OnIdle,
        "STARTUP" => TriggerKind::AtStartup { delay: Duration::ZERO },
        "LOGON" => TriggerKind::AtLogon { user: None, delay: Duration::ZERO },
        _ => {
            return Err(attr_error(
                t,
                ty_attr,
                format!(
                    "expected `IDLE`, `ONCE`, `STARTUP`, `LOGON`, `DAILY`, `WEEKLY` or `MONTHLY` in `type`, but found `{}`",
                    ty_attr.value
                ),
            ));
        }
    };
    Ok((trigger, te))
}

fn weekdays(t: El<'_, '_>, days: Option<(u32, &Attr<'_>)>) -> R<Option<WeekdaySet>> {
    match days {
        None => Ok(None),
        Some((mask, a)) if mask > 0x7F => Err(attr_error(
            t,
            a,
            format!(
                "expected a weekday mask from 1 to 127 (1 = Sunday .. 64 = Saturday) in `days`, but found `{}`",
                a.value
            ),
        )),
        Some((mask, _)) => Ok(Some(WeekdaySet::from_mask(mask as u8))),
    }
}

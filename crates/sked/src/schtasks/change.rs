//! `schtasks /Change`: its switches applied to a task of the model.
//!
//! schtasks changes the first trigger of a task (the only one a schtasks-made task has);
//! sked does the same. The arguments have already been checked by
//! `sked_formats::schtasks::parse_command` (known switches, each once, values present), so
//! this reads them again only to apply them.

use jiff::civil::{Date, Time};
use sked_core::{Duration, End, Repetition, Task, Trigger, TriggerKind};
use sked_formats::schtasks::{RunLevel, SYSTEM, is_system, parse_date, parse_pair, parse_time};
use sked_formats::{DateOrder, winargs};

/// What applying `/Change` did beyond the task itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Switches accepted but not kept, or doubtful.
    pub warnings: Vec<String>,
    /// `/ENABLE` (`Some(true)`) or `/DISABLE` (`Some(false)`): the service keeps the
    /// enabled state apart from the definition, so the caller also asks for it.
    pub enable: Option<bool>,
}

/// The switches of `/Change` that take a value; `P` and `RP` take one only when the next
/// argument is not a switch.
const VALUE: [&str; 13] = ["S", "U", "TN", "RU", "TR", "ST", "RI", "ET", "DU", "SD", "ED", "RL", "DELAY"];
const OPTIONAL: [&str; 2] = ["P", "RP"];
/// The switches that change something (the others name the task or the machine).
const CHANGES: [&str; 16] = [
    "RU", "RP", "TR", "ST", "RI", "ET", "DU", "K", "SD", "ED", "ENABLE", "DISABLE", "IT", "Z", "RL", "DELAY",
];

fn switch_name(arg: &str) -> Option<String> {
    let rest = arg.strip_prefix(['/', '-'])?;
    (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric())).then(|| rest.to_ascii_uppercase())
}

/// The switches as (NAME, value), in order.
fn switches(args: &[String]) -> Result<Vec<(String, Option<String>)>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let Some(name) = switch_name(&args[i]) else {
            return Err(format!("unexpected `{}`; expected a switch of `schtasks /Change`", args[i]));
        };
        i += 1;
        let value = if VALUE.contains(&name.as_str()) {
            let v = args.get(i).cloned();
            i += 1;
            v
        } else if OPTIONAL.contains(&name.as_str()) && args.get(i).is_some_and(|a| switch_name(a).is_none()) {
            i += 1;
            args.get(i - 1).cloned()
        } else {
            None
        };
        out.push((name, value));
    }
    Ok(out)
}

/// Applies the `/Change` arguments (everything after the verb, `/TN` included) to `task`.
/// Errors are messages, one per problem; dates are read in `order`; `today` is used for a
/// start time given to a trigger with no start date.
pub fn apply(
    task: &mut Task,
    args: &[String],
    order: DateOrder,
    today: Date,
) -> Result<Applied, Vec<String>> {
    let sw = switches(args).map_err(|e| vec![e])?;
    let get = |n: &str| sw.iter().find(|(name, _)| name == n).map(|(_, v)| v.clone().unwrap_or_default());
    let has = |n: &str| sw.iter().any(|(name, _)| name == n);
    let mut errors = Vec::new();
    let mut applied = Applied::default();
    if !CHANGES.iter().any(|c| has(c)) {
        let all: Vec<String> = CHANGES.iter().map(|c| format!("/{c}")).collect();
        return Err(vec![format!("nothing to change; expected at least one of {}", all.join(" "))]);
    }

    if let Some(tr) = get("TR") {
        let mut parts = winargs::split(&tr).into_iter();
        match parts.next() {
            Some(cmd) if !cmd.is_empty() => {
                task.command = cmd;
                task.args = parts.collect();
            }
            _ => errors.push("`/TR` names no program; expected the program to run and its arguments".into()),
        }
    }
    if let Some(ru) = get("RU") {
        task.run_as = Some(if is_system(&ru) { SYSTEM.to_string() } else { ru });
    }
    if has("RP") {
        applied.warnings.push(
            "the password given with `/RP` is not stored: sked starts tasks as their user without one".into(),
        );
    }
    if has("ENABLE") {
        task.enabled = true;
        applied.enable = Some(true);
    }
    if has("DISABLE") {
        task.enabled = false;
        applied.enable = Some(false);
    }
    if has("Z") {
        task.delete_when_done = true;
    }
    if has("IT") {
        applied
            .warnings
            .push("`/IT` is not kept: sked runs the task whether or not its user is logged on".into());
    }
    if let Some(rl) = get("RL") {
        match RunLevel::parse(&rl) {
            Some(RunLevel::Highest) => applied
                .warnings
                .push("`/RL HIGHEST` is not kept: sked runs the task with the rights of its account".into()),
            Some(RunLevel::Limited) => {}
            None => errors.push(format!("`{rl}` is not a run level; expected LIMITED or HIGHEST")),
        }
    }

    let trigger_switches = ["ST", "SD", "ED", "ET", "DU", "RI", "K", "DELAY"];
    if trigger_switches.iter().any(|s| has(s)) {
        match task.triggers.first_mut() {
            None => errors.push(format!(
                "`{}` changes the task's schedule, but the task has no trigger",
                trigger_switches.iter().find(|s| has(s)).map_or(String::new(), |s| format!("/{s}"))
            )),
            Some(t) => change_trigger(t, &get, &has, order, today, &mut errors),
        }
    }

    if errors.is_empty()
        && let Err(e) = task.validate()
    {
        errors.extend(e.problems().iter().map(|p| p.message.clone()));
    }
    if errors.is_empty() { Ok(applied) } else { Err(errors) }
}

fn change_trigger(
    t: &mut Trigger,
    get: &dyn Fn(&str) -> Option<String>,
    has: &dyn Fn(&str) -> bool,
    order: DateOrder,
    today: Date,
    errors: &mut Vec<String>,
) {
    let is_event = t.kind.is_event();
    let kind = t.kind.key();
    let date = |n: &str, errors: &mut Vec<String>| -> Option<Date> {
        let v = get(n)?;
        parse_date(&v, order).map_err(|why| errors.push(format!("`{v}` is not a date: {why}"))).ok()
    };
    let time = |n: &str, errors: &mut Vec<String>| -> Option<Time> {
        let v = get(n)?;
        parse_time(&v).map_err(|why| errors.push(format!("`{v}` is not a time: {why}"))).ok()
    };
    let sd = date("SD", errors);
    let ed = date("ED", errors);
    let st = time("ST", errors);
    let et = time("ET", errors);

    if let Some(st) = st {
        if is_event {
            errors.push(format!("`/ST` is not valid with a `{kind}` trigger: an event has no start time"));
        } else {
            let day = t.start.map_or(today, |s| s.datetime.date());
            let mut start = t.start.unwrap_or(sked_core::Start::civil(day.to_datetime(st)));
            start.datetime = day.to_datetime(st);
            t.start = Some(start);
        }
    }
    if let Some(sd) = sd {
        let at = t.start.map_or(Time::midnight(), |s| s.datetime.time());
        let mut start = t.start.unwrap_or(sked_core::Start::civil(sd.to_datetime(at)));
        start.datetime = sd.to_datetime(at);
        t.start = Some(start);
    }
    if let Some(ed) = ed {
        if is_event || t.kind == TriggerKind::Once {
            errors.push(format!("`/ED` is not valid with a `{kind}` trigger: it has no later runs to end"));
        } else {
            t.end = Some(End::Date(ed));
        }
    }

    if let Some(delay) = get("DELAY") {
        let d = match parse_pair(&delay) {
            Some((m, s)) => Duration::from_secs(m * 60 + s),
            None => {
                errors.push(format!(
                    "`{delay}` is not a delay; expected mmmm:ss (minutes, then seconds 00-59)"
                ));
                Duration::ZERO
            }
        };
        match &mut t.kind {
            TriggerKind::AtStartup { delay } | TriggerKind::AtLogon { delay, .. } => *delay = d,
            _ => errors.push(format!(
                "`/DELAY` is only for at-startup and at-logon triggers, not a `{kind}` trigger"
            )),
        }
    }

    let repeats = ["RI", "ET", "DU", "K"];
    if !repeats.iter().any(|s| has(s)) {
        return;
    }
    if is_event {
        errors.push(format!(
            "`/RI`, `/ET`, `/DU` and `/K` are not valid with a `{kind}` trigger: an event does not repeat"
        ));
        return;
    }
    if has("ET") && has("DU") {
        errors.push("`/ET` and `/DU` cannot be combined; give the end time or the duration".into());
        return;
    }
    let old = t.repeat;
    let every = match get("RI") {
        Some(v) => match v.parse::<u64>() {
            Ok(n @ 1..=599_940) => Duration::from_mins(n),
            _ => {
                errors.push(format!("`/RI {v}` is out of range; expected 1 to 599940 minutes"));
                return;
            }
        },
        None => old.map_or(Duration::from_mins(10), |r| r.every),
    };
    let duration = if let Some(du) = get("DU") {
        match parse_pair(&du) {
            Some((h, m)) if h * 60 + m > 0 => Some(Duration::from_mins(h * 60 + m)),
            _ => {
                errors.push(format!(
                    "`/DU {du}` is not a duration; expected HHHH:mm, hours then minutes 00-59, longer than zero"
                ));
                return;
            }
        }
    } else if let Some(et) = et {
        let Some(start) = t.start else {
            errors.push("`/ET` needs a start time to count from; give `/ST` too".into());
            return;
        };
        let from = start.datetime.time().duration_since(Time::midnight()).as_secs();
        let to = et.duration_since(Time::midnight()).as_secs();
        let secs = (to - from).rem_euclid(86_400);
        if secs == 0 {
            errors.push("`/ET` equals the start time: the repetition window would be empty".into());
            return;
        }
        Some(Duration::from_secs(secs as u64))
    } else {
        old.and_then(|r| r.duration)
    };
    let stop_at_end = has("K") || old.is_some_and(|r| r.stop_at_end);
    if has("K") && duration.is_none() {
        errors
            .push("`/K` needs `/ET` or `/DU`: without a repetition window there is no end to stop at".into());
        return;
    }
    if let Some(len) = duration
        && len <= every
    {
        errors.push(format!(
            "the repetition window ({len}) is not longer than the interval ({every}); expected a window longer than the interval"
        ));
        return;
    }
    t.repeat = Some(Repetition { every, duration, stop_at_end });
}

//! `sked next`: each task's next runs, as text or as the JSON of semantics.md §6.

use std::io::Write;

use jiff::{Timestamp, Zoned};
use serde::Serialize;
use sked_core::{Run, Schedule, Task, TriggerKind, Zones};

use crate::load::Source;
use crate::validate;

/// What `sked next` was asked for, beyond the source.
#[derive(Clone, Debug)]
pub struct Options {
    /// Only the tasks with this name.
    pub task: Option<String>,
    /// Runs at or after this instant.
    pub from: Timestamp,
    /// Runs per task.
    pub count: usize,
    /// JSON instead of text.
    pub json: bool,
}

/// One line of the JSON output. `task` and `time` are the contract of semantics.md §6;
/// fields after them may be added.
#[derive(Debug, Serialize)]
struct Entry<'a> {
    task: &'a str,
    /// RFC 3339 with the UTC offset the task's zone has at that instant.
    time: String,
    /// The trigger that fires the run, from 1 (the lowest when several fire at once).
    trigger: usize,
}

/// Prints the next runs of the selected tasks of `source` to `out`.
pub fn run(source: &Source, zones: &Zones, opts: &Options, out: &mut dyn Write) -> anyhow::Result<()> {
    let indexes = source.select(opts.task.as_deref())?;
    let schedules = validate::compile_all(source, &indexes, zones)?;
    let tasks = source.tasks();
    let listed: Vec<(&Task, &Schedule, Vec<Run>)> = indexes
        .iter()
        .zip(&schedules)
        .map(|(&i, s)| (tasks[i], s, s.runs(opts.from).take(opts.count).collect()))
        .collect();
    if opts.json {
        let mut entries = Vec::new();
        for (task, schedule, runs) in &listed {
            for run in runs {
                entries.push(Entry {
                    task: &task.name,
                    time: rfc3339(&run.at.to_zoned(schedule.time_zone().clone())),
                    trigger: run.trigger + 1,
                });
            }
        }
        write_json(&entries, out)?;
    } else {
        for (n, (task, schedule, runs)) in listed.iter().enumerate() {
            if n > 0 {
                writeln!(out)?;
            }
            write_text(task, schedule, runs, opts, out)?;
        }
    }
    Ok(())
}

/// `2026-03-29T03:00:00+02:00`: the instant with the offset it has in its zone.
pub fn rfc3339(z: &Zoned) -> String {
    z.timestamp().display_with_offset(z.offset()).to_string()
}

/// One array, one object per line, so the output reads and diffs well.
fn write_json(entries: &[Entry<'_>], out: &mut dyn Write) -> anyhow::Result<()> {
    if entries.is_empty() {
        writeln!(out, "[]")?;
        return Ok(());
    }
    writeln!(out, "[")?;
    for (i, e) in entries.iter().enumerate() {
        let comma = if i + 1 < entries.len() { "," } else { "" };
        writeln!(out, "  {}{comma}", serde_json::to_string(e)?)?;
    }
    writeln!(out, "]")?;
    Ok(())
}

fn write_text(
    task: &Task,
    schedule: &Schedule,
    runs: &[Run],
    opts: &Options,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let tz = schedule.time_zone();
    writeln!(out, "{} ({})", task.name, crate::args::zone_name(tz))?;
    if runs.is_empty() {
        writeln!(out, "  {}", why_no_runs(task, schedule, opts.from))?;
        return Ok(());
    }
    let several = task.triggers.len() > 1;
    for run in runs {
        let z = run.at.to_zoned(tz.clone());
        let when = crate::render::run_time(&z);
        if several {
            writeln!(out, "  {when}  trigger {}", run.trigger + 1)?;
        } else {
            writeln!(out, "  {when}")?;
        }
    }
    if runs.len() < opts.count {
        writeln!(out, "  no more runs")?;
    }
    Ok(())
}

/// Why a task has no run to list, in a sentence.
pub fn why_no_runs(task: &Task, schedule: &Schedule, from: Timestamp) -> String {
    if !task.enabled {
        return "disabled: no runs".into();
    }
    if task.triggers.is_empty() {
        return "no triggers: it runs only when started by hand".into();
    }
    if schedule.has_calendar_triggers() {
        let from = rfc3339(&from.to_zoned(schedule.time_zone().clone()));
        return format!("no runs at or after {from}");
    }
    let events: Vec<String> = task
        .triggers
        .iter()
        .filter(|t| t.enabled)
        .filter_map(|t| match &t.kind {
            TriggerKind::AtStartup { .. } => Some("at startup".to_string()),
            TriggerKind::AtLogon { user: Some(u), .. } => Some(format!("when {u} logs on")),
            TriggerKind::AtLogon { user: None, .. } => Some("when a user logs on".to_string()),
            TriggerKind::OnIdle => Some("when the machine is idle".to_string()),
            _ => None,
        })
        .collect();
    if events.is_empty() {
        return "no runs: every trigger is disabled".into();
    }
    format!("no calendar runs: it runs {}", join_or(&events))
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

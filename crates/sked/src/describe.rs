//! `sked describe`: each task and trigger in plain English, with an optional calendar.

use std::io::Write;

use jiff::Timestamp;
use sked_core::{Zones, describe_task};
use sked_formats::Diagnostic;

use crate::calendar::{Calendar, Marker, count_words};
use crate::exit::Reported;
use crate::load::Source;
use crate::next::why_no_runs;
use crate::validate;

/// What `sked describe` was asked for, beyond the source.
#[derive(Clone, Debug)]
pub struct Options {
    /// Only the tasks with this name.
    pub task: Option<String>,
    /// The name of the zone of tasks that name none.
    pub default_zone: String,
    /// Show calendars.
    pub calendar: Option<CalendarOptions>,
}

/// What the calendar shows.
#[derive(Clone, Copy, Debug)]
pub struct CalendarOptions {
    /// Runs at or after this instant are marked.
    pub from: Timestamp,
    /// Months shown, from the month of `from`.
    pub months: u32,
    /// How marked days look.
    pub marker: Marker,
}

/// Describes the selected tasks of `source` on `out`. A task that does not compile (an
/// unknown zone, a trigger that never fires) is still described; its problems are printed
/// on standard error afterwards and the command fails with [`Reported`].
pub fn run(source: &Source, zones: &Zones, opts: &Options, out: &mut dyn Write) -> anyhow::Result<()> {
    let indexes = source.select(opts.task.as_deref())?;
    let tasks = source.tasks();
    let mut problems: Vec<Diagnostic> = Vec::new();
    for (n, &i) in indexes.iter().enumerate() {
        let task = tasks[i];
        if n > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{}", describe_task(task, &opts.default_zone))?;
        let schedule = match validate::compile(source, i, zones) {
            Ok(s) => Some(s),
            Err(d) => {
                problems.extend(d);
                None
            }
        };
        let Some(cal) = &opts.calendar else {
            continue;
        };
        writeln!(out)?;
        let Some(schedule) = schedule else {
            writeln!(out, "no calendar: the task has errors (below)")?;
            continue;
        };
        if !schedule.has_calendar_triggers() {
            writeln!(out, "{}", why_no_runs(task, &schedule, cal.from))?;
            continue;
        }
        let tz = schedule.time_zone();
        let from = cal.from.to_zoned(tz.clone());
        let mark = match cal.marker {
            Marker::Brackets => "[ 7]",
            Marker::Reverse => "reverse video",
        };
        writeln!(
            out,
            "Runs from {} ({}); weeks start on Sunday; {mark} marks a day with runs.",
            crate::render::run_time(&from),
            crate::args::zone_name(tz),
        )?;
        writeln!(out)?;
        let calendar = Calendar::new(&schedule, cal.from, cal.months);
        calendar.render(cal.marker, out)?;
        if cal.months > 1 {
            writeln!(out)?;
            writeln!(out, "in all: {}", count_words(calendar.total(), calendar.days.len() as u32))?;
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    out.flush()?;
    let rendered: Vec<String> = problems.iter().map(Diagnostic::to_string).collect();
    eprintln!("{}", rendered.join("\n\n"));
    Err(Reported.into())
}

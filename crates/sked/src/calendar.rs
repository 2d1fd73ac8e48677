//! Month calendars with the days that have runs marked, for `sked describe --calendar`.
//!
//! Weeks start on Sunday, as sked counts weeks for `weekly` triggers (semantics.md §2), so
//! the rows are the weeks an `every 2 weeks` trigger skips or keeps.

use std::collections::BTreeMap;
use std::io::{self, Write};

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use sked_core::{MONTH_ENGLISH, Schedule};

/// How a day with runs is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// `[ 7]`: plain text, for files, pipes and tests.
    Brackets,
    /// The day in reverse video, for a terminal.
    Reverse,
}

/// Width of one day: two digits and a character either side.
const CELL: usize = 4;
const HEADER: [&str; 7] = ["Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"];

/// The runs of `schedule` at or after `from` until the end of the `months`-th month
/// (counting the month of `from` as the first), counted per civil day of the task's zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    /// The first day of the first month shown.
    pub first: Date,
    /// How many months are shown.
    pub months: u32,
    /// Runs per day, for days with at least one.
    pub days: BTreeMap<Date, u32>,
}

impl Calendar {
    /// Counts the runs of `schedule` from `from` through `months` months.
    pub fn new(schedule: &Schedule, from: Timestamp, months: u32) -> Calendar {
        let tz = schedule.time_zone();
        let first = from.to_zoned(tz.clone()).date().first_of_month();
        let end = first
            .checked_add(i64::from(months).months())
            .ok()
            .and_then(|d| d.to_zoned(tz.clone()).ok())
            .map_or(Timestamp::MAX, |z| z.timestamp());
        let mut days = BTreeMap::new();
        for run in schedule.runs(from).take_while(|r| r.at < end) {
            *days.entry(run.at.to_zoned(tz.clone()).date()).or_insert(0) += 1;
        }
        Calendar { first, months, days }
    }

    /// Every run counted.
    pub fn total(&self) -> u32 {
        self.days.values().sum()
    }

    /// Writes the grids, one month after another, each with its run count.
    pub fn render(&self, marker: Marker, out: &mut dyn Write) -> io::Result<()> {
        for i in 0..self.months {
            let Ok(month) = self.first.checked_add(i64::from(i).months()) else {
                break;
            };
            if i > 0 {
                writeln!(out)?;
            }
            self.month(month, marker, out)?;
        }
        Ok(())
    }

    fn month(&self, first: Date, marker: Marker, out: &mut dyn Write) -> io::Result<()> {
        let title = format!("{} {}", MONTH_ENGLISH[first.month() as usize - 1], first.year());
        let width = CELL * 7;
        writeln!(out, "{}", format!("{title:^width$}").trim_end())?;
        let header: String = HEADER.iter().map(|d| format!(" {d} ")).collect();
        writeln!(out, "{}", header.trim_end())?;
        let lead = first.weekday().to_sunday_zero_offset() as usize;
        let mut row = " ".repeat(CELL * lead);
        let (mut runs, mut days) = (0, 0);
        for day in 1..=first.days_in_month() {
            let date = first.with().day(day).build().unwrap_or(first);
            let count = self.days.get(&date).copied().unwrap_or(0);
            if count > 0 {
                runs += count;
                days += 1;
                row.push_str(&match marker {
                    Marker::Brackets => format!("[{day:>2}]"),
                    Marker::Reverse => format!(" \x1b[7m{day:>2}\x1b[0m "),
                });
            } else {
                row.push_str(&format!(" {day:>2} "));
            }
            if date.weekday().to_sunday_zero_offset() == 6 {
                writeln!(out, "{}", row.trim_end())?;
                row.clear();
            }
        }
        if !row.is_empty() {
            writeln!(out, "{}", row.trim_end())?;
        }
        writeln!(out, "{}", count_words(runs, days))
    }
}

/// `13 runs on 13 days`, `1 run on 1 day`, `no runs`.
pub fn count_words(runs: u32, days: u32) -> String {
    match (runs, days) {
        (0, _) => "no runs".into(),
        (r, d) => {
            format!("{r} run{} on {d} day{}", if r == 1 { "" } else { "s" }, if d == 1 { "" } else { "s" })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use jiff::tz::TimeZone;
    use sked_core::{Start, Task, Trigger, TriggerKind, Zones};

    fn render(task: &Task, from: &str, months: u32, marker: Marker) -> String {
        let zones = Zones::new(jiff::tz::db().clone(), TimeZone::UTC);
        let schedule = Schedule::new(task, &zones).unwrap();
        let cal = Calendar::new(&schedule, from.parse().unwrap(), months);
        let mut out = Vec::new();
        cal.render(marker, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn days_with_runs_are_bracketed() {
        let mut task = Task::new("t", "/bin/true");
        task.time_zone = Some("Europe/Paris".into());
        task.triggers.push(
            Trigger::new(TriggerKind::Daily { every: 10 })
                .starting(Start::civil(date(2026, 3, 1).at(6, 0, 0, 0))),
        );
        let text = render(&task, "2026-03-05T00:00:00Z", 2, Marker::Brackets);
        let expected = [
            "         March 2026",
            " Su  Mo  Tu  We  Th  Fr  Sa",
            "  1   2   3   4   5   6   7",
            "  8   9  10 [11] 12  13  14",
            " 15  16  17  18  19  20 [21]",
            " 22  23  24  25  26  27  28",
            " 29  30 [31]",
            "3 runs on 3 days",
            "",
            "         April 2026",
            " Su  Mo  Tu  We  Th  Fr  Sa",
            "              1   2   3   4",
            "  5   6   7   8   9 [10] 11",
            " 12  13  14  15  16  17  18",
            " 19 [20] 21  22  23  24  25",
            " 26  27  28  29 [30]",
            "3 runs on 3 days",
            "",
        ];
        assert_eq!(text, expected.join("\n"));
    }

    #[test]
    fn reverse_video_keeps_the_columns() {
        let mut task = Task::new("t", "/bin/true");
        task.time_zone = Some("UTC".into());
        task.triggers
            .push(Trigger::new(TriggerKind::Once).starting(Start::civil(date(2026, 2, 4).at(0, 0, 0, 0))));
        let text = render(&task, "2026-02-01T00:00:00Z", 1, Marker::Reverse);
        assert!(text.contains("  3  \x1b[7m 4\x1b[0m   5 "), "{text:?}");
        assert!(text.ends_with("1 run on 1 day\n"), "{text:?}");
    }
}

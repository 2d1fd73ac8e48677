//! Builders and checks shared by the rule and property tests.

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use sked_core::{Duration, End, Repetition, Schedule, Start, Task, Trigger, TriggerKind, Zones};

use crate::reference;

/// Zones from the bundled database, UTC for tasks that name none.
pub fn zones() -> Zones {
    Zones::new(jiff::tz::db().clone(), TimeZone::UTC)
}

/// A task in `zone` (`None`: the default zone) with `triggers`.
pub fn task(zone: Option<&str>, triggers: Vec<Trigger>) -> Task {
    let mut task = Task::new("test/task", "/bin/true");
    task.time_zone = zone.map(str::to_string);
    task.triggers = triggers;
    task
}

/// A civil date-time such as `2026-03-08T02:30`.
pub fn civil(s: &str) -> DateTime {
    s.parse().unwrap_or_else(|e| panic!("`{s}`: {e}"))
}

/// An instant with its offset, such as `2026-03-08T03:00-04:00`.
pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap_or_else(|e| panic!("`{s}`: {e}"))
}

/// A fixed offset of `h` hours and `m` minutes (`m` has the sign of `h`).
pub fn offset(h: i32, m: i32) -> Offset {
    Offset::from_seconds(h * 3600 + m * 60).expect("offset in range")
}

/// A trigger of `kind` starting at the civil time `start`.
pub fn at(kind: TriggerKind, start: &str) -> Trigger {
    Trigger::new(kind).starting(Start::civil(civil(start)))
}

/// A repetition every `every` minutes for `for_mins` minutes (`None`: indefinitely).
pub fn repeat(every: u64, for_mins: Option<u64>) -> Repetition {
    Repetition {
        every: Duration::from_mins(every),
        duration: for_mins.map(Duration::from_mins),
        stop_at_end: false,
    }
}

/// An end date.
pub fn end_date(s: &str) -> End {
    End::Date(s.parse().unwrap_or_else(|e| panic!("`{s}`: {e}")))
}

/// A civil end boundary in the trigger's zone.
pub fn end_at(s: &str) -> End {
    End::At { datetime: civil(s), offset: None }
}

/// The engine's first `n` runs at or after `from`.
pub fn engine_runs(task: &Task, from: Timestamp, n: usize) -> Vec<Timestamp> {
    let schedule = Schedule::new(task, &zones()).unwrap_or_else(|e| panic!("{e}"));
    schedule.runs(from).take(n).map(|r| r.at).collect()
}

/// The reference's first `n` runs at or after `from`, looking ten years ahead.
pub fn reference_runs(task: &Task, from: Timestamp, n: usize) -> Vec<Timestamp> {
    let horizon = from + SignedDuration::from_hours(24 * 366 * 10);
    reference::task_runs(task, &TimeZone::UTC, from, horizon, n).into_iter().map(|(t, _)| t).collect()
}

/// Checks that the engine and the reference both give `expected` as their first runs from
/// `from`. `expected` are RFC 3339 instants with their offsets, computed by hand from the
/// rules.
#[track_caller]
pub fn check(task: &Task, from: &str, expected: &[&str]) {
    compare(task, from, expected, expected.len());
}

/// Like [`check`], and there is no run after `expected` (within ten years for the
/// reference).
#[track_caller]
pub fn check_exact(task: &Task, from: &str, expected: &[&str]) {
    compare(task, from, expected, expected.len() + 1);
}

#[track_caller]
fn compare(task: &Task, from: &str, expected: &[&str], n: usize) {
    let from = ts(from);
    let expected: Vec<Timestamp> = expected.iter().map(|s| ts(s)).collect();
    let zone = reference::task_zone(task, &TimeZone::UTC);
    let shown =
        |v: &[Timestamp]| -> Vec<String> { v.iter().map(|t| t.to_zoned(zone.clone()).to_string()).collect() };
    let reference = reference_runs(task, from, n);
    assert_eq!(shown(&reference), shown(&expected), "the REFERENCE disagrees with the hand-computed runs");
    let engine = engine_runs(task, from, n);
    assert_eq!(shown(&engine), shown(&expected), "the ENGINE disagrees with the hand-computed runs");
    let schedule = Schedule::new(task, &zones()).expect("valid");
    assert_eq!(
        shown(&schedule.next_run(from).map(|r| r.at).into_iter().collect::<Vec<_>>()),
        shown(&expected[..expected.len().min(1)]),
        "the ENGINE's next_run disagrees with its first run"
    );
}

//! A slow, literal reading of semantics.md §1–§5, written from the rules alone, used as an
//! oracle for the engine.
//!
//! Nothing here is clever on purpose. It walks the calendar one day at a time from the
//! trigger's begin date, asks of each day "does the trigger fire on it?" in the words of §2,
//! turns the day and start time into an instant with jiff's own gap and fold answers (§3),
//! lays out the repetitions by elapsed time (§4), filters by the start, the end and the
//! `from` bound (§5), and merges the triggers. Cron is matched minute by minute against its
//! five fields, parsed here again from the expression's text, not through the engine's masks.
//!
//! Where semantics.md is silent the choice made here is written next to the code (look for
//! "Not in the rules"), so a discrepancy on one of those is reported as a question for the
//! rules, not as an engine bug.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp, Unit};
use sked_core::{End, FoldPolicy, GapPolicy, Task, Trigger, TriggerKind, WeekOfMonth, WeekdaySet};

const DAY: SignedDuration = SignedDuration::from_hours(24);

/// The zone a trigger's civil times are read in: its pinned offset when its start has one
/// (§1), else the task's zone.
pub fn trigger_zone(trigger: &Trigger, task_zone: &TimeZone) -> TimeZone {
    match trigger.start.and_then(|s| s.offset) {
        Some(offset) => TimeZone::fixed(offset),
        None => task_zone.clone(),
    }
}

/// The task's zone: its own name, or `default` when it names none (§1).
pub fn task_zone(task: &Task, default: &TimeZone) -> TimeZone {
    match task.time_zone.as_deref() {
        None => default.clone(),
        Some("UTC") => TimeZone::UTC,
        Some(name) => jiff::tz::db().get(name).unwrap_or_else(|e| panic!("zone `{name}`: {e}")),
    }
}

/// The first instant after the gap that `dt` falls in: the instant of the transition that
/// opens it. `dt` read with the offset after the gap is before the transition, read with the
/// offset before it is after it, so the transition is the first one after the former.
pub fn gap_end(zone: &TimeZone, dt: DateTime) -> Timestamp {
    let AmbiguousOffset::Gap { before, after } = zone.to_ambiguous_timestamp(dt).offset() else {
        panic!("{dt} is not in a gap");
    };
    let early = after.to_timestamp(dt).expect("in range");
    let late = before.to_timestamp(dt).expect("in range");
    let transition = zone.following(early).next().expect("a gap has a transition").timestamp();
    assert!(early < transition && transition <= late, "{dt}: {transition}");
    transition
}

/// §3: the instant for the civil time `dt` in `zone`, `None` when the gap policy skips it.
pub fn resolve(zone: &TimeZone, dt: DateTime, gap: GapPolicy, fold: FoldPolicy) -> Option<Timestamp> {
    match zone.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => Some(offset.to_timestamp(dt).expect("in range")),
        AmbiguousOffset::Gap { before, after } => match gap {
            GapPolicy::GapEnd => Some(gap_end(zone, dt)),
            GapPolicy::Shift => {
                // "the civil time moved forward by the length of the gap".
                let length = SignedDuration::from_secs(i64::from(after.seconds() - before.seconds()));
                let moved = dt.checked_add(length).expect("in range");
                Some(after.to_timestamp(moved).expect("in range"))
            }
            GapPolicy::Skip => None,
        },
        AmbiguousOffset::Fold { before, after } => {
            let a = before.to_timestamp(dt).expect("in range");
            let b = after.to_timestamp(dt).expect("in range");
            Some(match fold {
                FoldPolicy::First => a.min(b),
                FoldPolicy::Second => a.max(b),
            })
        }
    }
}

/// The instant a civil bound (a cron start, a civil end boundary) stands for.
///
/// Not in the rules: §5 speaks of "the trigger's start instant" and of an end boundary as an
/// instant, but says nothing of a civil bound in a gap or a fold. Here it is the instant
/// the trigger itself would fire at for that civil time (its own §3 policies), with `skip`
/// read as `gap-end` (there is no instant to skip to). The property tests keep civil end
/// boundaries out of gaps and folds so that this choice does not decide a comparison.
pub fn bound_instant(zone: &TimeZone, dt: DateTime, gap: GapPolicy, fold: FoldPolicy) -> Timestamp {
    let gap = if gap == GapPolicy::Skip { GapPolicy::GapEnd } else { gap };
    resolve(zone, dt, gap, fold).expect("gap-end and shift always resolve")
}

fn days_between(a: Date, b: Date) -> i64 {
    i64::from(b.since((Unit::Day, a)).expect("in range").get_days())
}

fn sunday_on_or_before(d: Date) -> Date {
    let back = d.weekday().to_sunday_zero_offset();
    d.checked_sub(jiff::Span::new().days(back)).expect("in range")
}

fn months_between(a: Date, b: Date) -> i64 {
    (i64::from(b.year()) * 12 + i64::from(b.month())) - (i64::from(a.year()) * 12 + i64::from(a.month()))
}

fn weekday_in(set: WeekdaySet, d: Date) -> bool {
    set.contains(d.weekday())
}

/// §2 "monthly on weekdays": the weeks of the month a day is in.
fn in_week(week: WeekOfMonth, d: Date) -> bool {
    let day = d.day();
    match week {
        WeekOfMonth::First => (1..=7).contains(&day),
        WeekOfMonth::Second => (8..=14).contains(&day),
        WeekOfMonth::Third => (15..=21).contains(&day),
        WeekOfMonth::Fourth => (22..=28).contains(&day),
        WeekOfMonth::Last => day > d.days_in_month() - 7,
    }
}

/// §2: does a calendar trigger (not cron) fire on day `d`, its begin date being `d0`?
pub fn fires_on(kind: &TriggerKind, d0: Date, d: Date) -> bool {
    if d < d0 {
        return false;
    }
    match kind {
        TriggerKind::Once => d == d0,
        TriggerKind::Daily { every } => days_between(d0, d) % i64::from(*every) == 0,
        TriggerKind::Weekly { every, days } => {
            let weeks = days_between(sunday_on_or_before(d0), sunday_on_or_before(d)) / 7;
            weekday_in(*days, d) && weeks % i64::from(*every) == 0
        }
        TriggerKind::Monthly { every, days, months } => {
            let day_ok = (1..=31).any(|n| days.contains_day(n) && i32::from(d.day()) == i32::from(n))
                || (days.has_last() && d.day() == d.days_in_month());
            months.contains(d.month()) && months_between(d0, d) % i64::from(*every) == 0 && day_ok
        }
        TriggerKind::MonthlyWeekday { weeks, days, months } => {
            months.contains(d.month())
                && weekday_in(*days, d)
                && WeekOfMonth::ALL.into_iter().any(|w| weeks.contains(w) && in_week(w, d))
        }
        TriggerKind::Cron(_) => panic!("cron days are matched by RefCron"),
        _ => false,
    }
}

/// A cron expression read again from its text: each field kept as written and matched value
/// by value.
#[derive(Clone, Debug)]
pub struct RefCron {
    fields: Vec<String>,
}

fn cron_value(text: &str, names: &[&str], base: u32) -> u32 {
    text.parse::<u32>().unwrap_or_else(|_| {
        let lower = text.to_ascii_lowercase();
        let i = names.iter().position(|n| *n == lower).unwrap_or_else(|| panic!("reference cron: `{text}`"));
        i as u32 + base
    })
}

/// Does `value` match one cron field (`*`, `a`, `a-b`, each with an optional `/step`,
/// separated by commas)?
fn cron_field_matches(field: &str, value: u32, min: u32, max: u32, names: &[&str], base: u32) -> bool {
    field.split(',').any(|part| {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s.parse::<u32>().expect("step"))),
            None => (part, None),
        };
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (cron_value(a, names, base), cron_value(b, names, base))
        } else {
            let a = cron_value(range, names, base);
            (a, if step.is_some() { max } else { a })
        };
        let step = step.unwrap_or(1);
        (lo..=hi).step_by(step as usize).any(|v| v == value)
    })
}

const MONTHS: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl RefCron {
    /// Reads the five fields (or a macro).
    pub fn new(text: &str) -> RefCron {
        let text = match text.trim() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            t => t,
        };
        let fields: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        assert_eq!(fields.len(), 5, "reference cron: `{text}`");
        RefCron { fields }
    }

    /// Does the day `d` match (month, and day of month / day of week with the either rule)?
    pub fn day_matches(&self, d: Date) -> bool {
        let month = cron_field_matches(&self.fields[3], d.month() as u32, 1, 12, &MONTHS, 1);
        let dom = cron_field_matches(&self.fields[2], d.day() as u32, 1, 31, &[], 0);
        let wd = d.weekday().to_sunday_zero_offset() as u32;
        // 7 is Sunday too.
        let dow = cron_field_matches(&self.fields[4], wd, 0, 7, &DAYS, 0)
            || (wd == 0 && cron_field_matches(&self.fields[4], 7, 0, 7, &DAYS, 0));
        // "when both day fields are restricted a day matching either fires"; restricted
        // means the field does not start with `*`.
        let either = !self.fields[2].starts_with('*') && !self.fields[4].starts_with('*');
        month && if either { dom || dow } else { dom && dow }
    }

    /// Does the civil time of day `t` match (minute and hour)?
    pub fn time_matches(&self, t: Time) -> bool {
        cron_field_matches(&self.fields[0], t.minute() as u32, 0, 59, &[], 0)
            && cron_field_matches(&self.fields[1], t.hour() as u32, 0, 23, &[], 0)
    }
}

impl RefCron {
    /// The minutes of a day that match, walked one minute at a time.
    pub fn times(&self) -> Vec<Time> {
        let mut times = Vec::new();
        let mut t = Time::midnight();
        loop {
            if self.time_matches(t) {
                times.push(t);
            }
            if t == Time::constant(23, 59, 0, 0) {
                break;
            }
            t = t.checked_add(SignedDuration::from_mins(1)).expect("same day");
        }
        times
    }
}

/// The civil times of day at which `trigger` fires on day `d` (§2): the start time on the
/// days its rule picks; for cron every matching minute (`cron_times`) on matching days.
fn times_on(trigger: &Trigger, cron: Option<&(RefCron, Vec<Time>)>, d: Date) -> Vec<Time> {
    if let Some((cron, cron_times)) = cron {
        if !cron.day_matches(d) {
            return Vec::new();
        }
        return cron_times.clone();
    }
    let start = trigger.start.expect("calendar triggers have a start").datetime;
    if fires_on(&trigger.kind, start.date(), d) { vec![start.time()] } else { Vec::new() }
}

/// A whole-UTC-day floor under every instant of a civil day anywhere (offsets are within
/// ±26 hours of it).
fn day_floor(d: Date) -> Timestamp {
    d.to_datetime(Time::midnight()).to_zoned(TimeZone::UTC).expect("in range").timestamp()
        - SignedDuration::from_hours(26)
}

/// The runs of one trigger in `[from, horizon]`, the first `limit` of them, in order.
/// `task_zone` is the task's zone; the trigger's own zone is derived from it (§1).
pub fn trigger_runs(
    trigger: &Trigger,
    task_zone: &TimeZone,
    from: Timestamp,
    horizon: Timestamp,
    limit: usize,
) -> Vec<Timestamp> {
    if !trigger.enabled || trigger.kind.is_event() || limit == 0 {
        return Vec::new();
    }
    let zone = trigger_zone(trigger, task_zone);
    let cron = match &trigger.kind {
        TriggerKind::Cron(c) => {
            let cron = RefCron::new(c.as_str());
            let times = cron.times();
            Some((cron, times))
        }
        _ => None,
    };
    let (gap, fold) = (trigger.dst_gap, trigger.dst_fold);
    // §5 "No run happens before the trigger's start instant."
    let start_instant = trigger.start.map(|s| bound_instant(&zone, s.datetime, gap, fold));
    let every = trigger.repeat.map(|r| SignedDuration::from_millis(r.every.as_millis() as i64));
    let window =
        trigger.repeat.and_then(|r| r.duration).map(|d| SignedDuration::from_millis(d.as_millis() as i64));
    // End: the test for one instant, and an instant past which nothing can pass it.
    let end_ok = |t: Timestamp| match trigger.end {
        None => true,
        // "no run at an instant whose civil date in the trigger's zone is after it".
        Some(End::Date(e)) => zone.to_datetime(t).date() <= e,
        Some(End::At { datetime, offset }) => t <= end_at(&zone, datetime, offset, gap, fold),
    };
    let beyond_end = |t: Timestamp| match trigger.end {
        None => false,
        Some(End::Date(e)) => t > day_floor(e) + DAY * 4,
        Some(End::At { datetime, offset }) => t > end_at(&zone, datetime, offset, gap, fold),
    };

    let first_day = match trigger.start {
        Some(s) => s.datetime.date(),
        // A cron trigger without a start: its occurrences that matter begin no earlier than
        // a repetition window before `from`.
        None => {
            let back = window.unwrap_or(SignedDuration::ZERO) + DAY * 2;
            zone.to_datetime(from - back).date()
        }
    };
    let last_day = zone.to_datetime(horizon).date().tomorrow().expect("in range");

    let mut found = BTreeSet::new();
    let mut d = first_day;
    while d <= last_day {
        // Every occurrence from here on is after the `limit`-th run found, or after the
        // end: done.
        if found.len() >= limit && *found.iter().nth(limit - 1).expect("len") < day_floor(d) {
            break;
        }
        if beyond_end(day_floor(d)) {
            break;
        }
        for time in times_on(trigger, cron.as_ref(), d) {
            let Some(s) = resolve(&zone, d.to_datetime(time), gap, fold) else {
                continue;
            };
            // Not in the rules: §5 says "no run happens before the trigger's start instant",
            // a filter on runs, but not whether an occurrence before the start (only cron
            // has them) still repeats past it. Here it does not: the trigger does not exist
            // before its start, so neither do its occurrences nor their repetitions.
            if start_instant.is_some_and(|b| s < b) {
                continue;
            }
            // §4: s, s+I, s+2I, ... while k·I ≤ L.
            let mut k: i64 = 0;
            if let (Some(i), None) = (every, window) {
                // Indefinitely: start at the first repetition at or after `from`.
                let behind = from.duration_since(s);
                if behind > SignedDuration::ZERO {
                    let (b, i) = (behind.as_nanos(), i.as_nanos());
                    k = ((b + i - 1) / i) as i64;
                }
            }
            let mut taken = 0;
            loop {
                let offset =
                    every.map_or(SignedDuration::ZERO, |i| SignedDuration::from_secs(i.as_secs() * k));
                if window.is_some_and(|l| offset > l) {
                    break;
                }
                let t = s + offset;
                if t > horizon || beyond_end(t) {
                    break;
                }
                if t >= from && start_instant.is_none_or(|b| t >= b) && end_ok(t) {
                    found.insert(t);
                    taken += 1;
                    if taken >= limit {
                        break;
                    }
                }
                if every.is_none() {
                    break;
                }
                k += 1;
            }
        }
        d = d.tomorrow().expect("in range");
    }
    found.into_iter().take(limit).collect()
}

/// The instant of an end boundary: with an offset, that instant; without, civil time in the
/// trigger's zone (see [`bound_instant`] for gaps and folds).
pub fn end_at(
    zone: &TimeZone,
    datetime: DateTime,
    offset: Option<jiff::tz::Offset>,
    gap: GapPolicy,
    fold: FoldPolicy,
) -> Timestamp {
    match offset {
        Some(o) => o.to_timestamp(datetime).expect("in range"),
        None => bound_instant(zone, datetime, gap, fold),
    }
}

/// The runs of a task in `[from, horizon]`, the first `limit`, each with the lowest index of
/// the triggers that fire at it (§5: the union, each instant once).
pub fn task_runs(
    task: &Task,
    default_zone: &TimeZone,
    from: Timestamp,
    horizon: Timestamp,
    limit: usize,
) -> Vec<(Timestamp, usize)> {
    if !task.enabled {
        return Vec::new();
    }
    let zone = task_zone(task, default_zone);
    let mut all: BTreeMap<Timestamp, usize> = BTreeMap::new();
    for (i, trigger) in task.triggers.iter().enumerate() {
        for t in trigger_runs(trigger, &zone, from, horizon, limit) {
            all.entry(t).or_insert(i);
        }
    }
    all.into_iter().take(limit).collect()
}

/// True when some day in the `years` after the begin date matches the trigger's day rule
/// (its end, time and DST aside): the reference's side of "can never fire".
pub fn some_day_matches(trigger: &Trigger, years: i64) -> bool {
    let d0 = trigger.start.map_or(jiff::civil::date(2026, 1, 1), |s| s.datetime.date());
    let cron = match &trigger.kind {
        TriggerKind::Cron(c) => Some(RefCron::new(c.as_str())),
        _ => None,
    };
    let mut d = d0;
    for _ in 0..years * 366 {
        let hit = match &cron {
            Some(c) => c.day_matches(d),
            None => fires_on(&trigger.kind, d0, d),
        };
        if hit {
            return true;
        }
        d = d.tomorrow().expect("in range");
    }
    false
}

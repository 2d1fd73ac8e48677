//! A task's schedule: the union of its triggers' runs (semantics.md §5).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::{SignedDuration, Timestamp};

use crate::engine::plan::{Plan, PlanRun};
use crate::engine::zone::Zone;
use crate::error::{Error, ErrorKind, FieldPath, Problem, Segment};
use crate::task::Task;

/// Resolves zone names to prepared zones and remembers them, so a thousand tasks in
/// `Europe/Paris` share one.
///
/// The database and the default zone are given by the caller: the engine never reads the
/// system's configuration itself.
#[derive(Debug)]
pub struct Zones {
    db: TimeZoneDatabase,
    default: Arc<Zone>,
    cache: Mutex<HashMap<String, Arc<Zone>>>,
}

impl Zones {
    /// Zones from `db`, with `default` for tasks that name none.
    pub fn new(db: TimeZoneDatabase, default: TimeZone) -> Self {
        Zones { db, default: Arc::new(Zone::new(default)), cache: Mutex::new(HashMap::new()) }
    }

    /// The zone for tasks that name none.
    pub fn default_zone(&self) -> &Arc<Zone> {
        &self.default
    }

    /// The zone called `name` (`UTC` always exists).
    pub fn get(&self, name: &str) -> Result<Arc<Zone>, jiff::Error> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(z) = cache.get(name) {
            return Ok(z.clone());
        }
        let tz = if name == "UTC" { TimeZone::UTC } else { self.db.get(name)? };
        let zone = Arc::new(Zone::new(tz));
        cache.insert(name.to_string(), zone.clone());
        Ok(zone)
    }
}

/// A task's triggers compiled for computing runs. Build it once per task (and again when
/// the task changes); computing a run then takes a few hundred nanoseconds.
#[derive(Clone, Debug)]
pub struct Schedule {
    zone: Arc<Zone>,
    /// Shared: a schedule is cloned into the daemon's timetable for each of its tasks.
    plans: Arc<[Plan]>,
}

/// One run of a schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// The nominal instant of the run (before any random delay).
    pub at: Timestamp,
    /// The index of the trigger that fires it; the lowest when several fire at once.
    pub trigger: usize,
    /// When the trigger's repetition window ends: a `stop-at-end` trigger ends the run then.
    pub window_end: Option<Timestamp>,
}

impl Schedule {
    /// Validates `task` and compiles its enabled calendar triggers. Fails with every problem
    /// found: invalid fields, an unknown zone, a trigger that can never fire.
    pub fn new(task: &Task, zones: &Zones) -> Result<Schedule, Error> {
        let mut problems = match task.validate() {
            Ok(()) => Vec::new(),
            Err(e) => e.problems().to_vec(),
        };
        let zone = match &task.time_zone {
            None => zones.default_zone().clone(),
            Some(name) => match zones.get(name) {
                Ok(z) => z,
                Err(_) => {
                    if !problems.iter().any(|p| p.kind == ErrorKind::UnknownTimeZone) {
                        problems.push(Problem {
                            field: FieldPath::key("time-zone"),
                            kind: ErrorKind::UnknownTimeZone,
                            message: format!("`{name}` is not in the time zone database; expected an IANA name such as `Europe/Paris`, or `UTC`"),
                        });
                    }
                    zones.default_zone().clone()
                }
            },
        };
        // Compile the triggers validation found nothing wrong with, so a trigger that can
        // never fire is reported in the same pass as the other problems.
        let faulty = |i: usize| {
            problems.iter().any(
                |p| matches!(p.field.segments(), [Segment::Key("trigger"), Segment::Index(j), ..] if *j == i),
            )
        };
        let faulty: Vec<bool> = (0..task.triggers.len()).map(faulty).collect();
        let mut plans = Vec::new();
        if task.enabled {
            for (i, trigger) in task.triggers.iter().enumerate().filter(|(i, _)| !faulty[*i]) {
                match Plan::compile(i, trigger, &zone) {
                    Ok(Some(plan)) => plans.push(plan),
                    Ok(None) => {}
                    Err(p) => problems.push(p),
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::new(task.name.clone(), problems));
        }
        Ok(Schedule { zone, plans: plans.into() })
    }

    /// The task's zone.
    pub fn time_zone(&self) -> &TimeZone {
        self.zone.time_zone()
    }

    /// True when the schedule has calendar runs at all (an enabled task with an enabled
    /// time-based trigger).
    pub fn has_calendar_triggers(&self) -> bool {
        !self.plans.is_empty()
    }

    /// The first run at or after `t`.
    pub fn next_run(&self, t: Timestamp) -> Option<Run> {
        let mut best: Option<(PlanRun, usize)> = None;
        for plan in self.plans.iter() {
            if let Some(run) = plan_next(plan, t) {
                best = Some(merge(best, run, plan.index));
            }
        }
        best.and_then(to_run)
    }

    /// The runs at or after `t`, in order, each instant once.
    pub fn runs(&self, t: Timestamp) -> Runs<'_> {
        Runs { schedule: self, heads: self.plans.iter().map(|p| plan_next(p, t)).collect() }
    }
}

/// The first run of `plan` at or after `t`.
///
/// Plans compute on whole seconds, their runs landing `frac` after them: the first whole
/// second to ask for is the one at or after `t - frac`. A run at the end of a DST gap has
/// no fraction and may then still be before `t`; the next one is not.
#[inline]
fn plan_next(plan: &Plan, t: Timestamp) -> Option<PlanRun> {
    let want = (t.as_second(), t.subsec_nanosecond() as u32);
    let mut s = if plan.frac() == 0 {
        want.0 + i64::from(want.1 > 0)
    } else {
        let shifted = t.checked_sub(SignedDuration::from_nanos(i64::from(plan.frac()))).unwrap_or(t);
        shifted.as_second() + i64::from(shifted.subsec_nanosecond() > 0)
    };
    loop {
        let run = plan.next(s)?;
        if run.key() >= want {
            return Some(run);
        }
        s = run.at + 1;
    }
}

fn merge(best: Option<(PlanRun, usize)>, run: PlanRun, index: usize) -> (PlanRun, usize) {
    match best {
        Some((b, bi)) if b.key() < run.key() => (b, bi),
        Some((b, bi)) if b.key() == run.key() => {
            (PlanRun { window_end: b.window_end.max(run.window_end), ..b }, bi.min(index))
        }
        _ => (run, index),
    }
}

fn ts(secs: i64, nanos: u32) -> Option<Timestamp> {
    if nanos == 0 { Timestamp::from_second(secs).ok() } else { Timestamp::new(secs, nanos as i32).ok() }
}

fn to_run((run, trigger): (PlanRun, usize)) -> Option<Run> {
    Some(Run {
        at: ts(run.at, run.nanos)?,
        trigger,
        window_end: run.window_end.and_then(|w| ts(w, run.nanos)),
    })
}

/// The runs of a schedule from an instant on. Each trigger's next run is kept, so a step
/// recomputes only the triggers that fired.
#[derive(Debug)]
pub struct Runs<'a> {
    schedule: &'a Schedule,
    heads: Vec<Option<PlanRun>>,
}

impl Iterator for Runs<'_> {
    type Item = Run;

    fn next(&mut self) -> Option<Run> {
        let mut best: Option<(PlanRun, usize)> = None;
        for (plan, head) in self.schedule.plans.iter().zip(&self.heads) {
            if let Some(run) = head {
                best = Some(merge(best, *run, plan.index));
            }
        }
        let (run, _) = best?;
        for (plan, head) in self.schedule.plans.iter().zip(self.heads.iter_mut()) {
            if head.is_some_and(|h| h.key() == run.key()) {
                *head = plan.next(run.at + 1);
            }
        }
        best.and_then(to_run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MonthDays, MonthSet, Start, Trigger, TriggerKind, WeekdaySet};
    use jiff::civil::date;

    #[test]
    fn a_fold_just_after_the_query_is_seen() {
        // Found by the property tests: London falls back at 01:00Z on 25 October 2026;
        // `once` at 01:00 with `second` fires at 01:00 GMT, which a query a minute before
        // (01:59 BST) must find although 01:00 civil is before 01:59 civil.
        let mut task = Task::new("t", "/bin/true");
        task.time_zone = Some("Europe/London".into());
        let mut trigger =
            Trigger::new(TriggerKind::Once).starting(Start::civil(date(2026, 10, 25).at(1, 0, 0, 0)));
        trigger.dst_fold = crate::FoldPolicy::Second;
        task.triggers.push(trigger);
        let zones = Zones::new(jiff::tz::db().clone(), TimeZone::UTC);
        let schedule = Schedule::new(&task, &zones).unwrap();
        let from: Timestamp = "2026-10-25T00:59:00Z".parse().unwrap();
        assert_eq!(
            schedule.next_run(from).map(|r| r.at.to_string()),
            Some("2026-10-25T01:00:00Z".to_string())
        );
    }

    #[test]
    fn every_problem_in_one_pass() {
        let mut task = Task::new("t", "/bin/true");
        task.time_zone = Some("Mars/Olympus".into());
        let start = Start::civil(date(2026, 1, 1).at(0, 0, 0, 0));
        task.triggers
            .push(Trigger::new(TriggerKind::Weekly { every: 1, days: WeekdaySet::EMPTY }).starting(start));
        task.triggers.push(
            Trigger::new(TriggerKind::Monthly {
                every: 1,
                days: MonthDays::EMPTY.with_day(31),
                months: MonthSet::EMPTY.with(2),
            })
            .starting(start),
        );
        let zones = Zones::new(jiff::tz::db().clone(), TimeZone::UTC);
        let err = Schedule::new(&task, &zones).unwrap_err();
        let kinds: Vec<_> = err.problems().iter().map(|p| (p.field.to_string(), p.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("trigger[1].weekly.days".to_string(), ErrorKind::InvalidValue),
                ("time-zone".to_string(), ErrorKind::UnknownTimeZone),
                ("trigger[2].monthly".to_string(), ErrorKind::NeverFires),
            ]
        );
    }

    fn runs_of(task: &Task, from: &str, n: usize) -> Vec<String> {
        let zones = Zones::new(jiff::tz::db().clone(), TimeZone::UTC);
        let schedule = Schedule::new(task, &zones).unwrap();
        schedule.runs(from.parse().unwrap()).take(n).map(|r| r.at.to_string()).collect()
    }

    #[test]
    fn a_start_with_milliseconds_fires_at_them_but_a_gap_ends_on_the_second() {
        let mut task = Task::new("t", "/bin/true");
        task.time_zone = Some("Europe/London".into());
        let mut trigger = Trigger::new(TriggerKind::Daily { every: 1 })
            .starting(Start::civil(date(2026, 3, 28).at(1, 30, 0, 250_000_000)));
        trigger.repeat = Some(crate::Repetition {
            every: crate::Duration::from_mins(30),
            duration: Some(crate::Duration::from_mins(40)),
            stop_at_end: true,
        });
        trigger.end = Some(crate::End::At { datetime: date(2026, 3, 29).at(2, 0, 0, 0), offset: None });
        task.triggers.push(trigger);
        assert_eq!(
            runs_of(&task, "2026-03-28T01:30:00.25Z", 10),
            [
                "2026-03-28T01:30:00.25Z",
                "2026-03-28T02:00:00.25Z",
                // 01:30:00.250 on 29 March is in London's gap: the gap's end, 01:00Z, with
                // no fraction; its repetition 01:30:00Z is past the end, 02:00 BST = 01:00Z.
                "2026-03-29T01:00:00Z",
            ]
        );
        // Just after a run, the next one; a query in the same second but after the
        // fraction does not return the run already gone.
        assert_eq!(runs_of(&task, "2026-03-28T01:30:00.26Z", 1), ["2026-03-28T02:00:00.25Z"]);
        assert_eq!(runs_of(&task, "2026-03-28T01:30:00Z", 1), ["2026-03-28T01:30:00.25Z"]);
    }

    #[test]
    fn an_end_instant_with_milliseconds_is_inclusive_to_the_millisecond() {
        let mut task = Task::new("t", "/bin/true");
        let mut trigger = Trigger::new(TriggerKind::Daily { every: 1 })
            .starting(Start::civil(date(2026, 1, 1).at(6, 0, 0, 500_000_000)));
        trigger.end =
            Some(crate::End::At { datetime: date(2026, 1, 2).at(6, 0, 0, 499_000_000), offset: None });
        task.triggers.push(trigger.clone());
        assert_eq!(runs_of(&task, "2026-01-01T00:00:00Z", 5), ["2026-01-01T06:00:00.5Z"]);
        task.triggers[0].end =
            Some(crate::End::At { datetime: date(2026, 1, 2).at(6, 0, 0, 500_000_000), offset: None });
        assert_eq!(
            runs_of(&task, "2026-01-01T00:00:00Z", 5),
            ["2026-01-01T06:00:00.5Z", "2026-01-02T06:00:00.5Z"]
        );
    }

    #[test]
    fn a_fraction_finer_than_a_millisecond_is_refused() {
        let mut task = Task::new("t", "/bin/true");
        task.triggers.push(
            Trigger::new(TriggerKind::Once).starting(Start::civil(date(2026, 1, 1).at(6, 0, 0, 1_500_000))),
        );
        let zones = Zones::new(jiff::tz::db().clone(), TimeZone::UTC);
        let err = Schedule::new(&task, &zones).unwrap_err();
        assert_eq!(err.problems()[0].field.to_string(), "trigger[1].start");
        assert!(err.problems()[0].message.contains("millisecond"), "{}", err.problems()[0].message);
    }
}

//! One trigger compiled for the engine: its civil sequence, its zone and DST policies, its
//! repetition and its bounds (semantics.md §3–§5).

use std::sync::Arc;

use jiff::tz::TimeZone;

use super::civil::{self, DAY};
use super::day_rule::{DayRule, InMonth, cron_days, weekday_table};
use super::sequence::Sequence;
use super::zone::{Local, Zone};
use crate::error::{ErrorKind, FieldPath, Problem};
use crate::trigger::{End, FoldPolicy, GapPolicy, Trigger, TriggerKind};

/// Offsets around an instant are looked up this far either side. Real offset changes are
/// under a day, so a civil time can only land within this distance of its naive instant.
const NEAR: i64 = 2 * DAY;

/// The inclusive end of a trigger as instants.
#[derive(Clone, Copy, Debug)]
struct EndBound {
    /// Runs before this instant are inside the end.
    soft: i64,
    /// Runs at or after this instant are past the end.
    hard: i64,
    /// Between the two (a fold across midnight), a run is inside when its civil date is not
    /// after this epoch day.
    date: Option<i32>,
    /// For an end instant (not a date): that instant, as the second before `soft` and its
    /// fraction. A run in that second is inside only when its fraction is not later.
    last_nanos: Option<u32>,
}

/// A trigger ready to compute runs.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// The trigger's index in its task.
    pub(crate) index: usize,
    zone: Arc<Zone>,
    seq: Sequence,
    gap: GapPolicy,
    fold: FoldPolicy,
    /// No run before this instant.
    lower: i64,
    end: Option<EndBound>,
    /// Repetition interval and window length, in seconds.
    every: Option<i64>,
    window: Option<i64>,
    /// The civil time of the first occurrence: the walk back over occurrences stops there.
    first: i64,
    /// The fraction of a second of the start time, in nanoseconds. The plan computes on
    /// whole seconds and its occurrences land this far after them, except at the end of a
    /// DST gap, which is an instant of its own (semantics.md §3).
    frac: u32,
}

/// One run a plan computed: the instant, and when its repetition window ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PlanRun {
    /// The whole second of the run.
    pub(crate) at: i64,
    /// The fraction of a second of the run, and of its window end.
    pub(crate) nanos: u32,
    /// The end of the repetition window the run belongs to (for `stop-at-end`).
    pub(crate) window_end: Option<i64>,
}

impl PlanRun {
    /// The run's instant as a comparable pair.
    #[inline]
    pub(crate) fn key(&self) -> (i64, u32) {
        (self.at, self.nanos)
    }
}

impl Plan {
    /// Compiles `trigger`; `Ok(None)` for triggers without calendar runs (disabled, or
    /// events).
    pub(crate) fn compile(
        index: usize,
        trigger: &Trigger,
        task_zone: &Arc<Zone>,
    ) -> Result<Option<Plan>, Problem> {
        if !trigger.enabled || trigger.kind.is_event() {
            return Ok(None);
        }
        let zone = match trigger.start.and_then(|s| s.offset) {
            Some(offset) => Arc::new(Zone::new(TimeZone::fixed(offset))),
            None => task_zone.clone(),
        };
        let start = trigger.start.map(|s| civil::from_jiff(s.datetime));
        let start_frac = trigger.start.map_or(0, |s| s.datetime.subsec_nanosecond() as u32);
        let (d0, time) = match start {
            Some(c) => {
                let (d, t) = civil::split(c);
                (d, t)
            }
            // Only cron may lack a start (validation); it then begins with the calendar.
            None => (civil::days_from_civil(1, 1, 1), 0),
        };
        let seq = match &trigger.kind {
            TriggerKind::Once => Sequence::Days { rule: DayRule::Once { day: d0 }, time },
            TriggerKind::Daily { every } => {
                Sequence::Days { rule: DayRule::Daily { d0, every: (*every).max(1) as i32 }, time }
            }
            TriggerKind::Weekly { every, days } => {
                Sequence::Days { rule: DayRule::weekly(d0, *every, days.mask()), time }
            }
            TriggerKind::Monthly { every, days, months } => Sequence::Days {
                rule: DayRule::months(d0, *every, months.mask(), InMonth::Days(days.mask())),
                time,
            },
            TriggerKind::MonthlyWeekday { weeks, days, months } => Sequence::Days {
                rule: DayRule::months(
                    d0,
                    1,
                    months.mask(),
                    InMonth::Weekdays { weeks: *weeks, by_first: weekday_table(days.mask()) },
                ),
                time,
            },
            TriggerKind::Cron(cron) => Sequence::Cron {
                days: cron_days(d0, cron),
                hours: cron.hour_mask(),
                minutes: cron.minute_mask(),
            },
            _ => return Ok(None),
        };
        let Some(first) = seq.next(start.unwrap_or(i64::from(d0) * DAY)) else {
            return Err(Problem {
                field: FieldPath::trigger(index, &[trigger.kind.key()]),
                kind: ErrorKind::NeverFires,
                message: "this trigger can never fire: no date matches it in 400 years (a day that the chosen months never have?)".into(),
            });
        };
        let mut plan = Plan {
            index,
            zone,
            seq,
            gap: trigger.dst_gap,
            fold: trigger.dst_fold,
            lower: i64::MIN / 4,
            end: None,
            every: trigger.repeat.map(|r| (r.every.as_millis() / 1000) as i64),
            window: trigger.repeat.and_then(|r| r.duration).map(|d| (d.as_millis() / 1000) as i64),
            first,
            frac: start_frac,
        };
        if let (TriggerKind::Cron(_), Some(c)) = (&trigger.kind, start) {
            // A cron start is a lower bound on the instant, resolved as any start time is,
            // by the trigger's DST policies (semantics.md §3, §5). `skip` leaves a start in a
            // gap without an instant of its own: the bound is then the end of the gap. Cron
            // runs are on whole minutes: a start with a fraction bounds from the next second.
            plan.lower = match plan.resolve(c) {
                Some((s, nanos)) => s + i64::from(nanos > 0),
                None => plan.bound_instant(c, false),
            };
            plan.frac = 0;
        }
        plan.end = trigger.end.map(|end| match end {
            End::Date(d) => {
                let next_day = civil::day_of(d) + 1;
                let soft = plan.bound_instant(i64::from(next_day) * DAY, false);
                EndBound { soft, hard: soft + NEAR, date: Some(next_day - 1), last_nanos: None }
            }
            End::At { datetime, offset } => {
                let c = civil::from_jiff(datetime);
                let at = match offset {
                    Some(o) => c - i64::from(o.seconds()),
                    None => plan.bound_instant(c, true),
                };
                // In a gap the bound is the gap's end itself, without the fraction.
                let nanos = match (offset, plan.zone.local(c)) {
                    (None, Some(Local::Gap { .. })) => 0,
                    _ => datetime.subsec_nanosecond() as u32,
                };
                EndBound { soft: at + 1, hard: at + 1, date: None, last_nanos: Some(nanos) }
            }
        });
        Ok(Some(plan))
    }

    /// The instant of a civil bound: in a gap, the end of the gap; in a fold, the earlier
    /// instant, or the later one when `late` (an inclusive end covers both passes).
    fn bound_instant(&self, c: i64, late: bool) -> i64 {
        match self.zone.local(c) {
            Some(Local::Unique(s)) => s,
            Some(Local::Gap { transition, .. }) => transition,
            Some(Local::Fold { before, after }) => c - i64::from(if late { after } else { before }),
            None => c,
        }
    }

    /// The instant civil time `c` (plus the start's fraction) fires at under the DST
    /// policies, as a whole second and its fraction, or `None` when skipped. The end of a
    /// gap is the first instant after it, with no fraction.
    fn resolve(&self, c: i64) -> Option<(i64, u32)> {
        match self.zone.local(c)? {
            Local::Unique(s) => Some((s, self.frac)),
            Local::Gap { before, transition, .. } => match self.gap {
                GapPolicy::GapEnd => Some((transition, 0)),
                GapPolicy::Shift => Some((c - i64::from(before), self.frac)),
                GapPolicy::Skip => None,
            },
            Local::Fold { before, after } => Some((
                c - i64::from(match self.fold {
                    FoldPolicy::First => before,
                    FoldPolicy::Second => after,
                }),
                self.frac,
            )),
        }
    }

    /// The smallest occurrence instant at or after `t` (repetitions aside).
    ///
    /// Civil order and instant order differ only near an offset change, and only by the
    /// size of the change: so the scan starts at the earliest civil time that could land at
    /// `t` and stops once no later civil time could land before the best instant found.
    fn first_occurrence(&self, t: i64) -> Option<(i64, u32)> {
        let t = t.max(self.lower);
        if let Some((off, from, until)) = self.zone.steady(t) {
            let off = i64::from(off);
            if from <= t - NEAR && t + NEAR < until {
                // No offset change within two days of t: a civil time before t + off lands
                // before t (a fold just after t could carry it later, a gap just before t
                // could shift it later), so the first civil time from t + off is the
                // candidate.
                let c = self.seq.next(t + off)?;
                if c - off + NEAR < until {
                    return Some((c - off, self.frac));
                }
                // Past an offset change: the candidate stands if its own offset is steady
                // around it, for then no later civil time can land before it.
                if let Some((off2, from2, until2)) = self.zone.steady(c - off) {
                    let s = c - i64::from(off2);
                    if from2 + NEAR <= s && s + NEAR < until2 {
                        return Some((s, self.frac));
                    }
                }
            }
        }
        let (lo, _) = self.zone.offset_range(t - NEAR, t + NEAR);
        let mut c = self.seq.next(t + i64::from(lo))?;
        let mut best: Option<((i64, u32), i32)> = None;
        loop {
            if let Some((b, hi)) = best
                && c - i64::from(hi) >= b.0
            {
                return Some(b);
            }
            if let Some(s) = self.resolve(c)
                && s.0 >= t
                && best.is_none_or(|(b, _)| s < b)
            {
                let (_, hi) = self.zone.offset_range(s.0 - NEAR, s.0 + NEAR);
                best = Some((s, hi));
            }
            match c.checked_add(1).and_then(|n| self.seq.next(n)) {
                Some(n) => c = n,
                None => return best.map(|(b, _)| b),
            }
        }
    }

    /// The earliest run at or after `t`, ignoring the end bound.
    fn next_unbounded(&self, t: i64) -> Option<PlanRun> {
        let first = self.first_occurrence(t);
        let Some(every) = self.every else {
            return first.map(|(at, nanos)| PlanRun { at, nanos, window_end: None });
        };
        let mut best =
            first.map(|(at, nanos)| PlanRun { at, nanos, window_end: self.window.map(|w| at + w) });
        // Repetitions of occurrences that began at or before t. Walk back over occurrences
        // until their windows close before t (all of them when the window is unbounded).
        let reach = self.window.unwrap_or(i64::MAX / 4);
        let from = t.saturating_sub(reach).max(self.first - NEAR).max(self.lower) - NEAR;
        let (lo, hi) = self.zone.offset_range(from.min(t - NEAR), t + NEAR);
        let mut c = self.seq.prev(t + i64::from(hi));
        while let Some(ci) = c {
            // Any occurrence at civil ci or earlier began no later than ci - lo.
            if ci - i64::from(lo) < self.lower || ci - i64::from(lo) + reach < t {
                break;
            }
            if let Some((s, nanos)) = self.resolve(ci).filter(|&(s, _)| s <= t && s >= self.lower) {
                let k = (t - s + every - 1) / every;
                let offset = k * every;
                if self.window.is_none_or(|w| offset <= w) {
                    let run = PlanRun { at: s + offset, nanos, window_end: self.window.map(|w| s + w) };
                    best = Some(match best {
                        Some(b) if b.key() < run.key() => b,
                        // Same instant in two windows: it opens (or continues) the later one.
                        Some(b) if b.key() == run.key() => {
                            PlanRun { window_end: b.window_end.max(run.window_end), ..b }
                        }
                        _ => run,
                    });
                    if best.is_some_and(|b| b.at == t) && self.window.is_none() {
                        break;
                    }
                }
            }
            c = ci.checked_sub(1).and_then(|p| self.seq.prev(p));
        }
        best
    }

    /// The fraction of a second the plan's runs land after their whole second.
    #[inline]
    pub(crate) fn frac(&self) -> u32 {
        self.frac
    }

    /// The earliest run at or after `t`.
    pub(crate) fn next(&self, mut t: i64) -> Option<PlanRun> {
        loop {
            let run = self.next_unbounded(t)?;
            let Some(end) = self.end else {
                return Some(run);
            };
            if end.last_nanos.is_some_and(|n| run.at == end.soft - 1 && run.nanos > n) {
                return None;
            }
            if run.at < end.soft {
                return Some(run);
            }
            if run.at >= end.hard {
                return None;
            }
            let day = civil::split(self.zone.to_civil(run.at)).0;
            if end.date.is_some_and(|d| day <= d) {
                return Some(run);
            }
            t = run.at + 1;
        }
    }
}

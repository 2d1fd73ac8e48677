//! The civil times at which a trigger occurs, before any time zone is applied.
//!
//! Civil times are "civil seconds": seconds since 1970-01-01T00:00 on the wall clock.

use super::civil::{DAY, split};
use super::day_rule::DayRule;

/// An increasing sequence of civil times.
#[derive(Clone, Debug)]
pub(crate) enum Sequence {
    /// At `time` (seconds into the day) on each day of `rule`.
    Days { rule: DayRule, time: i64 },
    /// At every minute matching the masks on each day of `days`.
    Cron { days: DayRule, hours: u32, minutes: u64 },
}

impl Sequence {
    /// The first civil time at or after `c`.
    pub(crate) fn next(&self, c: i64) -> Option<i64> {
        match self {
            Sequence::Days { rule, time } => {
                let (day, secs) = split(c);
                let day = if secs <= *time { day } else { day.checked_add(1)? };
                rule.next_day(day).map(|d| i64::from(d) * DAY + time)
            }
            Sequence::Cron { days, hours, minutes } => {
                let c = c.checked_add(59)?.div_euclid(60) * 60;
                let (mut day, secs) = split(c);
                let (mut h, mut m) = ((secs / 3600) as u32, (secs / 60 % 60) as u32);
                for _ in 0..3 {
                    let d = days.next_day(day)?;
                    if d != day {
                        (h, m) = (0, 0);
                    }
                    if let Some((h, m)) = next_time(*hours, *minutes, h, m) {
                        return Some(i64::from(d) * DAY + i64::from(h) * 3600 + i64::from(m) * 60);
                    }
                    day = d + 1;
                    (h, m) = (0, 0);
                }
                None
            }
        }
    }

    /// The last civil time at or before `c`.
    pub(crate) fn prev(&self, c: i64) -> Option<i64> {
        match self {
            Sequence::Days { rule, time } => {
                let (day, secs) = split(c);
                let day = if secs >= *time { day } else { day.checked_sub(1)? };
                rule.prev_day(day).map(|d| i64::from(d) * DAY + time)
            }
            Sequence::Cron { days, hours, minutes } => {
                let (mut day, secs) = split(c.div_euclid(60) * 60);
                let (mut h, mut m) = ((secs / 3600) as u32, (secs / 60 % 60) as u32);
                for _ in 0..3 {
                    let d = days.prev_day(day)?;
                    if d != day {
                        (h, m) = (23, 59);
                    }
                    if let Some((h, m)) = prev_time(*hours, *minutes, h, m) {
                        return Some(i64::from(d) * DAY + i64::from(h) * 3600 + i64::from(m) * 60);
                    }
                    day = d - 1;
                    (h, m) = (23, 59);
                }
                None
            }
        }
    }
}

/// The first (hour, minute) at or after (h, m) in the masks, the same day.
fn next_time(hours: u32, minutes: u64, h: u32, m: u32) -> Option<(u32, u32)> {
    if hours & (1 << h) != 0 {
        let later = minutes >> m;
        if later != 0 {
            return Some((h, m + later.trailing_zeros()));
        }
    }
    let later_hours = if h >= 23 { 0 } else { hours >> (h + 1) };
    (later_hours != 0).then(|| (h + 1 + later_hours.trailing_zeros(), minutes.trailing_zeros()))
}

/// The last (hour, minute) at or before (h, m) in the masks, the same day.
fn prev_time(hours: u32, minutes: u64, h: u32, m: u32) -> Option<(u32, u32)> {
    if hours & (1 << h) != 0 {
        let earlier = minutes & ((2u64 << m) - 1);
        if earlier != 0 {
            return Some((h, 63 - earlier.leading_zeros()));
        }
    }
    let earlier_hours = hours & ((1u32 << h) - 1);
    (earlier_hours != 0).then(|| (31 - earlier_hours.leading_zeros(), 63 - minutes.leading_zeros()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::civil::{days_from_civil, from_jiff, to_jiff};

    fn at(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
        from_jiff(jiff::civil::date(y, mo, d).at(h, mi, 0, 0))
    }

    #[test]
    fn cron_next_and_prev_agree() {
        let cron: crate::CronExpr = "*/20 9-10 * * mon-fri".parse().unwrap();
        let seq = Sequence::Cron {
            days: crate::engine::day_rule::cron_days(days_from_civil(1, 1, 1), &cron),
            hours: cron.hour_mask(),
            minutes: cron.minute_mask(),
        };
        // Friday 2026-01-09 10:41 -> Monday 09:00.
        let c = at(2026, 1, 9, 10, 41);
        let n = seq.next(c).unwrap();
        assert_eq!(to_jiff(n).unwrap(), jiff::civil::date(2026, 1, 12).at(9, 0, 0, 0));
        assert_eq!(
            to_jiff(seq.prev(n - 1).unwrap()).unwrap(),
            jiff::civil::date(2026, 1, 9).at(10, 40, 0, 0)
        );
        assert_eq!(seq.next(at(2026, 1, 9, 10, 40)), Some(at(2026, 1, 9, 10, 40)));
        assert_eq!(seq.next(at(2026, 1, 9, 10, 40) + 1), Some(n));
        // A walk forward and back over a month visits the same times.
        let mut fwd = vec![];
        let mut c = at(2026, 2, 1, 0, 0);
        while let Some(n) = seq.next(c) {
            if n >= at(2026, 3, 1, 0, 0) {
                break;
            }
            fwd.push(n);
            c = n + 1;
        }
        let mut back = vec![];
        let mut c = at(2026, 3, 1, 0, 0) - 1;
        while let Some(p) = seq.prev(c) {
            if p < at(2026, 2, 1, 0, 0) {
                break;
            }
            back.push(p);
            c = p - 1;
        }
        back.reverse();
        assert_eq!(fwd.len(), 20 * 6);
        assert_eq!(fwd, back);
    }

    #[test]
    fn days_at_a_time() {
        let d0 = days_from_civil(2026, 1, 1);
        let seq = Sequence::Days { rule: DayRule::Daily { d0, every: 1 }, time: 6 * 3600 };
        assert_eq!(seq.next(at(2026, 1, 1, 6, 0)), Some(at(2026, 1, 1, 6, 0)));
        assert_eq!(seq.next(at(2026, 1, 1, 6, 0) + 1), Some(at(2026, 1, 2, 6, 0)));
        assert_eq!(seq.prev(at(2026, 1, 2, 5, 59)), Some(at(2026, 1, 1, 6, 0)));
        assert_eq!(seq.prev(at(2026, 1, 1, 5, 59)), None);
    }
}

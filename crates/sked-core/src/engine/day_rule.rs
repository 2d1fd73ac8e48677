//! Which days a trigger fires on (semantics.md §2), as epoch days.
//!
//! Every rule answers "the first firing day on or after x" and "the last firing day on or
//! before x" directly, with bit masks per month and arithmetic per week; no rule walks day
//! by day. Month walks are bounded by [`MONTH_LIMIT`]: the Gregorian calendar repeats every
//! 400 years (4,800 months), so a rule that has not fired in that many steps never will.

use super::civil::{self, days_in_month, first_of_month, from_month_index, month_index, weekday};
use crate::week::WeekSet;

/// Steps a month walk takes before concluding the rule never fires again.
pub(crate) const MONTH_LIMIT: u32 = 4_800;

/// Bits 0, 7, 14, 21 and 28: one day in each week of a month.
const EVERY_SEVENTH: u32 = 1 | 1 << 7 | 1 << 14 | 1 << 21 | 1 << 28;

/// For each weekday of the 1st (0 = Sunday), the days of a 31-day month whose weekday is
/// in `dow`.
pub(crate) fn weekday_table(dow: u8) -> [u32; 7] {
    let mut table = [0; 7];
    for (first, bits) in table.iter_mut().enumerate() {
        *bits = weekday_bits(first as u8, dow, 31);
    }
    table
}

/// Bits 0..len: the days a month of `len` days has.
fn month_bits(len: u8) -> u32 {
    if len >= 32 { u32::MAX } else { (1u32 << len) - 1 }
}

/// The days (bit N-1 = day N) of a month of `len` days starting on weekday `first` whose
/// weekday is in `dow` (bit 0 = Sunday).
fn weekday_bits(first: u8, dow: u8, len: u8) -> u32 {
    let mut bits = 0;
    for w in 0..7u8 {
        if dow & (1 << w) != 0 {
            let offset = (w + 7 - first) % 7;
            bits |= EVERY_SEVENTH << offset;
        }
    }
    bits & month_bits(len)
}

/// What picks days inside a month.
#[derive(Clone, Debug)]
pub(crate) enum InMonth {
    /// Days of the month: bit N-1 = day N, bit 31 = last day.
    Days(u32),
    /// Chosen weekdays in chosen weeks of the month; `by_first` is [`weekday_table`].
    Weekdays { weeks: WeekSet, by_first: [u32; 7] },
    /// A cron pair with both fields restricted: a day matching either fires.
    Either { dom: u32, by_first: [u32; 7] },
    /// A cron pair where one field is `*`-led: a day must match both (Vixie cron).
    Both { dom: u32, by_first: [u32; 7] },
}

impl InMonth {
    /// The selected days of month `m` of year `y`, bit N-1 = day N.
    fn mask(&self, y: i32, m: u8) -> u32 {
        self.mask_at(days_in_month(y, m), civil::days_from_civil(y, m, 1))
    }

    /// The selected days of a month of `len` days whose first day is epoch day `first`.
    #[inline]
    fn mask_at(&self, len: u8, first: i32) -> u32 {
        match *self {
            InMonth::Days(days) => {
                let mut bits = days & month_bits(len) & !(1 << 31);
                if days & (1 << 31) != 0 {
                    bits |= 1 << (len - 1);
                }
                bits
            }
            InMonth::Weekdays { weeks, ref by_first } => {
                let mut window = 0u32;
                for (i, w) in crate::week::WeekOfMonth::ALL.into_iter().enumerate() {
                    if weeks.contains(w) {
                        window |= if i < 4 { 0x7f << (7 * i) } else { 0x7f << (len - 7) };
                    }
                }
                window & by_first[weekday(first) as usize] & month_bits(len)
            }
            InMonth::Either { dom, ref by_first } => {
                (dom | by_first[weekday(first) as usize]) & month_bits(len)
            }
            InMonth::Both { dom, ref by_first } => dom & by_first[weekday(first) as usize] & month_bits(len),
        }
    }
}

/// The simplest rule choosing the days of a cron expression from day `d0` on.
///
/// When both day fields are restricted (neither begins with `*`), a day matching either
/// fires; otherwise a day must match both, as in Vixie cron (semantics.md §2). Cron's day
/// fields are often `*`, and a daily or weekly rule is cheaper than a month walk.
pub(crate) fn cron_days(d0: i32, cron: &crate::CronExpr) -> DayRule {
    let months = cron.month_mask();
    let all_months = months == 0xfff;
    let dom = cron.day_of_month_mask();
    let dow = cron.day_of_week_mask();
    let (dom_star, dow_star) = (cron.day_of_month_is_star(), cron.day_of_week_is_star());
    let every_dom = dom == 0x7fff_ffff;
    let every_dow = dow == 0x7f;
    if !dom_star && !dow_star {
        return DayRule::months(d0, 1, months, InMonth::Either { dom, by_first: weekday_table(dow) });
    }
    // One field is `*`-led: a day must match both fields.
    if every_dom && all_months {
        return if every_dow { DayRule::Daily { d0, every: 1 } } else { DayRule::weekly(d0, 1, dow) };
    }
    let pick =
        if every_dow { InMonth::Days(dom) } else { InMonth::Both { dom, by_first: weekday_table(dow) } };
    DayRule::months(d0, 1, months, pick)
}

/// A rule choosing days. `d0` is the begin date: no day before it fires.
#[derive(Clone, Debug)]
pub(crate) enum DayRule {
    /// One day.
    Once { day: i32 },
    /// d0, d0 + every, ...
    Daily { d0: i32, every: i32 },
    /// Chosen weekdays in every `every`-th week, weeks counted from the Sunday `w0` on or
    /// before d0.
    Weekly { d0: i32, w0: i32, every: i32, dow: u8 },
    /// Chosen days in chosen months, every `every` months from month index `mi0`.
    Months { d0: i32, mi0: i32, every: i32, months: u16, pick: InMonth },
}

impl DayRule {
    /// A weekly rule; `dow` bit 0 = Sunday.
    pub(crate) fn weekly(d0: i32, every: u32, dow: u8) -> Self {
        DayRule::Weekly { d0, w0: d0 - i32::from(weekday(d0)), every: every.max(1) as i32, dow }
    }

    /// A month-based rule beginning on d0.
    pub(crate) fn months(d0: i32, every: u32, months: u16, pick: InMonth) -> Self {
        let (y, m, _) = civil::civil_from_days(d0);
        DayRule::Months { d0, mi0: month_index(y, m), every: every.max(1) as i32, months, pick }
    }

    /// The first firing day on or after `x`.
    pub(crate) fn next_day(&self, x: i32) -> Option<i32> {
        match *self {
            DayRule::Once { day } => (x <= day).then_some(day),
            DayRule::Daily { d0, every } => {
                let x = x.max(d0);
                let k = (x - d0 + every - 1) / every;
                d0.checked_add(k.checked_mul(every)?)
            }
            DayRule::Weekly { d0, w0, every, dow } => {
                let mut x = x.max(d0);
                // At most: realign to a chosen week, then one more week.
                for _ in 0..3 {
                    let wi = (x - w0) / 7;
                    let r = wi % every;
                    if r != 0 {
                        x = w0 + (wi + every - r) * 7;
                        continue;
                    }
                    let wd = (x - w0) % 7;
                    let later = u32::from(dow) >> wd;
                    if later != 0 {
                        return Some(x + later.trailing_zeros() as i32);
                    }
                    x = w0 + (wi + every) * 7;
                }
                None
            }
            DayRule::Months { d0, mi0, every, months, ref pick } => {
                let x = x.max(d0);
                let (y, m, d) = civil::civil_from_days(x);
                if every == 1 {
                    // Month by month, carrying the first day instead of recomputing it.
                    let (mut y, mut m, mut first, mut from) = (y, m, x - (i32::from(d) - 1), u32::from(d));
                    for _ in 0..MONTH_LIMIT {
                        let len = days_in_month(y, m);
                        if months & (1 << (m - 1)) != 0 {
                            let later = pick.mask_at(len, first) >> (from - 1);
                            if later != 0 {
                                return Some(first + (from - 1) as i32 + later.trailing_zeros() as i32);
                            }
                        }
                        first += i32::from(len);
                        from = 1;
                        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                    }
                    return None;
                }
                let mut mi = month_index(y, m);
                let mut from = u32::from(d);
                for _ in 0..MONTH_LIMIT {
                    let r = (mi - mi0).rem_euclid(every);
                    if r != 0 {
                        mi += every - r;
                        from = 1;
                        continue;
                    }
                    let (y, m) = from_month_index(mi);
                    if months & (1 << (m - 1)) != 0 {
                        let later = pick.mask(y, m) >> (from - 1);
                        if later != 0 {
                            return Some(
                                first_of_month(mi) + (from - 1) as i32 + later.trailing_zeros() as i32,
                            );
                        }
                    }
                    mi += every;
                    from = 1;
                }
                None
            }
        }
    }

    /// The last firing day on or before `x`.
    pub(crate) fn prev_day(&self, x: i32) -> Option<i32> {
        match *self {
            DayRule::Once { day } => (x >= day).then_some(day),
            DayRule::Daily { d0, every } => (x >= d0).then(|| d0 + (x - d0) / every * every),
            DayRule::Weekly { d0, w0, every, dow } => {
                if x < d0 {
                    return None;
                }
                let mut x = x;
                for _ in 0..3 {
                    let wi = (x - w0) / 7;
                    let r = wi % every;
                    if r != 0 {
                        x = w0 + (wi - r) * 7 + 6;
                        continue;
                    }
                    let wd = (x - w0) % 7;
                    let earlier = u32::from(dow) & ((2u32 << wd) - 1);
                    if earlier != 0 {
                        let day = w0 + wi * 7 + (31 - earlier.leading_zeros()) as i32;
                        return (day >= d0).then_some(day);
                    }
                    if wi < every {
                        return None;
                    }
                    x = w0 + (wi - every) * 7 + 6;
                }
                None
            }
            DayRule::Months { d0, mi0, every, months, ref pick } => {
                if x < d0 {
                    return None;
                }
                let (y, m, d) = civil::civil_from_days(x);
                let mut mi = month_index(y, m);
                let mut to = u32::from(d);
                for _ in 0..MONTH_LIMIT {
                    let r = (mi - mi0).rem_euclid(every);
                    if r != 0 {
                        mi -= r;
                        to = 31;
                    }
                    if mi < mi0 {
                        return None;
                    }
                    let (y, m) = from_month_index(mi);
                    if months & (1 << (m - 1)) != 0 {
                        let upto = if to >= 32 { u32::MAX } else { (1u32 << to) - 1 };
                        let earlier = pick.mask(y, m) & upto;
                        if earlier != 0 {
                            let day = first_of_month(mi) + (31 - earlier.leading_zeros()) as i32;
                            return (day >= d0).then_some(day);
                        }
                    }
                    mi -= every;
                    to = 31;
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::week::WeekOfMonth;

    fn day(y: i32, m: u8, d: u8) -> i32 {
        civil::days_from_civil(y, m, d)
    }

    fn ymd(z: i32) -> (i32, u8, u8) {
        civil::civil_from_days(z)
    }

    /// All firing days in `from..=to`, found with next_day, checked against prev_day.
    fn days(rule: &DayRule, from: i32, to: i32) -> Vec<(i32, u8, u8)> {
        let mut out = Vec::new();
        let mut x = from;
        while let Some(d) = rule.next_day(x) {
            if d > to {
                break;
            }
            assert_eq!(rule.prev_day(d), Some(d));
            if let Some(&(py, pm, pd)) = out.last() {
                assert_eq!(rule.prev_day(d - 1), Some(day(py, pm, pd)));
            }
            out.push(ymd(d));
            x = d + 1;
        }
        out
    }

    #[test]
    fn every_two_weeks_from_a_wednesday() {
        // semantics.md §2: D0 a Wednesday fires that Wednesday and Friday, skips a week.
        let d0 = day(2026, 1, 7);
        assert_eq!(weekday(d0), 3);
        let rule = DayRule::weekly(d0, 2, 0b10_1010);
        assert_eq!(
            days(&rule, d0 - 10, d0 + 20),
            [(2026, 1, 7), (2026, 1, 9), (2026, 1, 19), (2026, 1, 21), (2026, 1, 23)]
        );
        assert_eq!(rule.prev_day(d0 - 1), None);
    }

    #[test]
    fn month_days_skip_short_months() {
        let d0 = day(2026, 1, 1);
        let rule = DayRule::months(d0, 1, 0xfff, InMonth::Days(1 << 30));
        let got = days(&rule, d0, day(2026, 12, 31));
        assert_eq!(got.len(), 7);
        assert!(got.iter().all(|&(_, _, d)| d == 31));
        let last = DayRule::months(d0, 1, 0b10, InMonth::Days(1 << 31));
        assert_eq!(days(&last, d0, day(2028, 12, 31)), [(2026, 2, 28), (2027, 2, 28), (2028, 2, 29)]);
    }

    #[test]
    fn every_k_months_counts_from_the_begin_month() {
        let d0 = day(2002, 7, 1);
        let rule = DayRule::months(d0, 2, 0xfff, InMonth::Days(1 << 20));
        assert_eq!(days(&rule, d0, day(2002, 12, 31)), [(2002, 7, 21), (2002, 9, 21), (2002, 11, 21)]);
    }

    #[test]
    fn never_is_found_and_bounded() {
        let d0 = day(2026, 1, 1);
        let feb31 = DayRule::months(d0, 1, 0b10, InMonth::Days(1 << 30));
        assert_eq!(feb31.next_day(d0), None);
        assert_eq!(feb31.prev_day(d0 + 10_000), None);
        // The 29th of February, stepping 48 months from a non-leap February: never.
        let feb29 = DayRule::months(day(2025, 2, 1), 48, 0xfff, InMonth::Days(1 << 28));
        assert_eq!(feb29.next_day(day(2025, 2, 1)), None);
    }

    #[test]
    fn last_friday_and_second_sunday() {
        let d0 = day(2026, 1, 1);
        let weeks = WeekSet::EMPTY.with(WeekOfMonth::Last);
        let rule =
            DayRule::months(d0, 1, 0xfff, InMonth::Weekdays { weeks, by_first: weekday_table(1 << 5) });
        assert_eq!(days(&rule, d0, day(2026, 3, 31)), [(2026, 1, 30), (2026, 2, 27), (2026, 3, 27)]);
        let weeks = WeekSet::EMPTY.with(WeekOfMonth::Second);
        let rule = DayRule::months(d0, 1, 0xfff, InMonth::Weekdays { weeks, by_first: weekday_table(1) });
        assert_eq!(days(&rule, d0, day(2026, 2, 28)), [(2026, 1, 11), (2026, 2, 8)]);
    }

    #[test]
    fn daily_and_once() {
        let d0 = day(2026, 3, 1);
        let rule = DayRule::Daily { d0, every: 3 };
        assert_eq!(days(&rule, d0 - 5, d0 + 7), [(2026, 3, 1), (2026, 3, 4), (2026, 3, 7)]);
        let once = DayRule::Once { day: d0 };
        assert_eq!(once.next_day(d0 + 1), None);
        assert_eq!(once.prev_day(d0 - 1), None);
        assert_eq!(once.next_day(d0 - 9), Some(d0));
    }
}

#[cfg(test)]
mod cron_tests {
    use super::*;

    fn days_of(expr: &str, y: i32, m: u8) -> Vec<u8> {
        let cron: crate::CronExpr = expr.parse().unwrap();
        let rule = cron_days(civil::days_from_civil(2000, 1, 1), &cron);
        let first = civil::days_from_civil(y, m, 1);
        let mut out = vec![];
        let mut x = first;
        while let Some(d) = rule.next_day(x) {
            if d >= first + i32::from(days_in_month(y, m)) {
                break;
            }
            out.push((d - first + 1) as u8);
            x = d + 1;
        }
        out
    }

    #[test]
    fn day_fields() {
        // January 2026 starts on a Thursday.
        assert_eq!(days_of("0 0 * * *", 2026, 1).len(), 31);
        assert_eq!(days_of("0 0 * * mon", 2026, 1), [5, 12, 19, 26]);
        assert_eq!(days_of("0 0 13 * *", 2026, 1), [13]);
        // Both restricted: either fires.
        assert_eq!(days_of("0 0 13 * fri", 2026, 2), [6, 13, 20, 27]);
        assert_eq!(days_of("0 0 1,13 * mon", 2026, 1), [1, 5, 12, 13, 19, 26]);
        // A `*`-led field is unrestricted: both must match.
        assert_eq!(days_of("0 0 */10 * mon", 2026, 1), Vec::<u8>::new());
        assert_eq!(days_of("0 0 */2 * thu", 2026, 1), [1, 15, 29]);
        assert_eq!(days_of("0 0 1-7 * */2", 2026, 1), [1, 3, 4, 6]);
        assert_eq!(days_of("0 0 * feb *", 2026, 1), Vec::<u8>::new());
        assert_eq!(days_of("0 0 31 * *", 2026, 4), Vec::<u8>::new());
    }
}

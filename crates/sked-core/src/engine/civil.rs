//! Calendar arithmetic on epoch days (days since 1970-01-01).
//!
//! The engine computes on plain integers in its inner loops; jiff is used at the edges to
//! parse, print and read the time zone database. These are Howard Hinnant's well-known
//! `days_from_civil` / `civil_from_days` algorithms.

/// Seconds in a civil day.
pub(crate) const DAY: i64 = 86_400;

/// The epoch day of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i32, m: u8, d: u8) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i32::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i32::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of an epoch day.
pub(crate) fn civil_from_days(z: i32) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The weekday of an epoch day, 0 = Sunday (1970-01-01 was a Thursday).
pub(crate) fn weekday(z: i32) -> u8 {
    (z + 4).rem_euclid(7) as u8
}

/// True in a Gregorian leap year.
pub(crate) fn is_leap(y: i32) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// The number of days in month `m` of year `y`.
pub(crate) fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A month counted from year 0: `y * 12 + (m - 1)`.
pub(crate) fn month_index(y: i32, m: u8) -> i32 {
    y * 12 + i32::from(m) - 1
}

/// The year and month (1..=12) of a month index.
pub(crate) fn from_month_index(mi: i32) -> (i32, u8) {
    (mi.div_euclid(12), (mi.rem_euclid(12) + 1) as u8)
}

/// The epoch day of the first of the month with index `mi`.
pub(crate) fn first_of_month(mi: i32) -> i32 {
    let (y, m) = from_month_index(mi);
    days_from_civil(y, m, 1)
}

/// Splits civil seconds (seconds since 1970-01-01T00:00 civil) into an epoch day and the
/// seconds into that day.
pub(crate) fn split(c: i64) -> (i32, i64) {
    (c.div_euclid(DAY) as i32, c.rem_euclid(DAY))
}

/// Civil seconds of a jiff civil datetime (whole seconds).
pub(crate) fn from_jiff(dt: jiff::civil::DateTime) -> i64 {
    let day = days_from_civil(i32::from(dt.year()), dt.month() as u8, dt.day() as u8);
    i64::from(day) * DAY + i64::from(dt.hour()) * 3600 + i64::from(dt.minute()) * 60 + i64::from(dt.second())
}

/// The jiff civil datetime of civil seconds, or `None` outside jiff's range.
pub(crate) fn to_jiff(c: i64) -> Option<jiff::civil::DateTime> {
    let (day, secs) = split(c);
    let (y, m, d) = civil_from_days(day);
    let y = i16::try_from(y).ok()?;
    jiff::civil::DateTime::new(
        y,
        m as i8,
        d as i8,
        (secs / 3600) as i8,
        (secs / 60 % 60) as i8,
        (secs % 60) as i8,
        0,
    )
    .ok()
}

/// The epoch day of a jiff date.
pub(crate) fn day_of(d: jiff::civil::Date) -> i32 {
    days_from_civil(i32::from(d.year()), d.month() as u8, d.day() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_agree_with_jiff() {
        let mut d = jiff::civil::date(1600, 1, 1);
        let end = jiff::civil::date(2500, 12, 31);
        let mut z = day_of(d);
        while d <= end {
            assert_eq!(days_from_civil(i32::from(d.year()), d.month() as u8, d.day() as u8), z);
            assert_eq!(civil_from_days(z), (i32::from(d.year()), d.month() as u8, d.day() as u8));
            assert_eq!(weekday(z), d.weekday().to_sunday_zero_offset() as u8);
            assert_eq!(days_in_month(i32::from(d.year()), d.month() as u8), d.days_in_month() as u8);
            d = d.tomorrow().unwrap();
            z += 1;
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }

    #[test]
    fn months() {
        let mi = month_index(2026, 1);
        assert_eq!(from_month_index(mi - 1), (2025, 12));
        assert_eq!(first_of_month(month_index(1970, 2)), 31);
        let dt = jiff::civil::date(2026, 3, 29).at(2, 30, 5, 0);
        assert_eq!(to_jiff(from_jiff(dt)), Some(dt));
        assert_eq!(split(-1), (-1, DAY - 1));
    }
}

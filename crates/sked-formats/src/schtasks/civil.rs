//! Dates, times and lengths as schtasks and JT write them. Shared by both readers.

use jiff::civil::{Date, Time};

use crate::DateOrder;

fn order_name(order: DateOrder) -> &'static str {
    match order {
        DateOrder::Mdy => "month/day/year",
        DateOrder::Dmy => "day/month/year",
        DateOrder::Ymd => "year/month/day",
    }
}

/// Reads a slash date (`03/15/2001`, `15/03/2001`, `2001/03/15`) in `order`; `-` and `.`
/// also separate. A first field of four digits is always the year (semantics.md §7). The
/// error is a phrase that follows "`VALUE` is not a date: ".
pub fn parse_date(s: &str, order: DateOrder) -> Result<Date, String> {
    let sep = s.chars().find(|c| matches!(c, '/' | '-' | '.'));
    let fields: Vec<&str> = match sep {
        Some(c) => s.split(c).collect(),
        None => vec![s],
    };
    let expected = match order {
        DateOrder::Mdy => "MM/DD/YYYY",
        DateOrder::Dmy => "DD/MM/YYYY",
        DateOrder::Ymd => "YYYY/MM/DD",
    };
    if fields.len() != 3
        || fields.iter().any(|f| f.is_empty() || f.len() > 4 || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("expected {expected} (or YYYY/MM/DD), three numbers separated by `/`"));
    }
    let num = |f: &str| f.parse::<i32>().unwrap_or(0);
    let (order, (y, m, d)) = if fields[0].len() == 4 {
        (DateOrder::Ymd, (fields[0], fields[1], fields[2]))
    } else {
        (
            order,
            match order {
                DateOrder::Mdy => (fields[2], fields[0], fields[1]),
                DateOrder::Dmy => (fields[2], fields[1], fields[0]),
                DateOrder::Ymd => (fields[0], fields[1], fields[2]),
            },
        )
    };
    if y.len() != 4 {
        return Err(format!("the year `{y}` does not have four digits (reading {expected})"));
    }
    let (yv, mv, dv) = (num(y), num(m), num(d));
    if !(1..=12).contains(&mv) {
        let hint = match order {
            DateOrder::Mdy if (1..=12).contains(&dv) => "; for day/month/year dates use `--date-order dmy`",
            _ => "",
        };
        return Err(format!("month {mv} does not exist (reading {}){hint}", order_name(order)));
    }
    // Four digits and a checked month: the casts cannot truncate.
    Date::new(yv as i16, mv as i8, dv.clamp(0, 99) as i8)
        .map_err(|_| format!("day {dv} does not exist in {}/{yv} (reading {})", mv, order_name(order)))
}

/// Writes a date in `order` (`03/15/2001`).
pub(crate) fn format_date(d: Date, order: DateOrder) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match order {
        DateOrder::Mdy => format!("{m:02}/{day:02}/{y:04}"),
        DateOrder::Dmy => format!("{day:02}/{m:02}/{y:04}"),
        DateOrder::Ymd => format!("{y:04}/{m:02}/{day:02}"),
    }
}

/// Reads a 24-hour time `HH:mm` or `HH:mm:ss` (Windows XP's schtasks wanted seconds).
pub fn parse_time(s: &str) -> Result<Time, String> {
    let parts: Vec<&str> = s.split(':').collect();
    let ok = (2..=3).contains(&parts.len())
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
        && parts[1..].iter().all(|p| p.len() == 2);
    if !ok {
        return Err("expected a 24-hour time HH:mm (or HH:mm:ss)".into());
    }
    let n = |i: usize| parts.get(i).map_or(0, |p| p.parse::<i8>().unwrap_or(99));
    let (h, m, sec) = (n(0), n(1), n(2));
    if h > 23 || m > 59 || sec > 59 {
        return Err("expected a 24-hour time HH:mm with hours 0-23 and minutes 0-59".into());
    }
    Time::new(h, m, sec, 0).map_err(|_| "expected a 24-hour time HH:mm".into())
}

/// Writes a time as `HH:mm`, or `HH:mm:ss` when it has seconds.
pub(crate) fn format_time(t: Time) -> String {
    if t.second() == 0 {
        format!("{:02}:{:02}", t.hour(), t.minute())
    } else {
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
    }
}

/// Reads `A:BB` where A has one to four digits and BB is 00..59: schtasks `/DU HHHH:mm`
/// (hours and minutes) and `/DELAY mmmm:ss` (minutes and seconds). Returns (A, BB).
pub fn parse_pair(s: &str) -> Option<(u64, u64)> {
    let (a, b) = s.split_once(':')?;
    let digits =
        |x: &str, max: usize| !x.is_empty() && x.len() <= max && x.bytes().all(|c| c.is_ascii_digit());
    if !digits(a, 4) || b.len() != 2 || !digits(b, 2) {
        return None;
    }
    let (a, b) = (a.parse().ok()?, b.parse().ok()?);
    (b < 60).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn dates_in_every_order() {
        assert_eq!(parse_date("03/15/2001", DateOrder::Mdy), Ok(date(2001, 3, 15)));
        assert_eq!(parse_date("31/12/2021", DateOrder::Dmy), Ok(date(2021, 12, 31)));
        assert_eq!(parse_date("2002/07/01", DateOrder::Mdy), Ok(date(2002, 7, 1)));
        assert_eq!(parse_date("2002-07-01", DateOrder::Dmy), Ok(date(2002, 7, 1)));
        assert_eq!(parse_date("2001/03/15", DateOrder::Ymd), Ok(date(2001, 3, 15)));
        assert_eq!(parse_date("1.2.2003", DateOrder::Dmy), Ok(date(2003, 2, 1)));
        assert_eq!(
            parse_date("31/12/2021", DateOrder::Mdy).unwrap_err(),
            "month 31 does not exist (reading month/day/year); for day/month/year dates use `--date-order dmy`"
        );
        assert_eq!(
            parse_date("13/12/2021", DateOrder::Mdy).unwrap_err(),
            "month 13 does not exist (reading month/day/year); for day/month/year dates use `--date-order dmy`"
        );
        assert_eq!(
            parse_date("31/13/2021", DateOrder::Mdy).unwrap_err(),
            "month 31 does not exist (reading month/day/year)"
        );
        assert_eq!(
            parse_date("02/30/2021", DateOrder::Mdy).unwrap_err(),
            "day 30 does not exist in 2/2021 (reading month/day/year)"
        );
        assert_eq!(
            parse_date("1/2/03", DateOrder::Mdy).unwrap_err(),
            "the year `03` does not have four digits (reading MM/DD/YYYY)"
        );
        for bad in ["", "2021", "1/2", "a/b/c", "1/2/3/4", "00/00/0000", "12345/1/1"] {
            assert!(parse_date(bad, DateOrder::Mdy).is_err(), "{bad}");
        }
        assert_eq!(format_date(date(2001, 3, 5), DateOrder::Mdy), "03/05/2001");
        assert_eq!(format_date(date(2001, 3, 5), DateOrder::Dmy), "05/03/2001");
        assert_eq!(format_date(date(2001, 3, 5), DateOrder::Ymd), "2001/03/05");
    }

    #[test]
    fn times_and_pairs() {
        assert_eq!(parse_time("06:00"), Ok(time(6, 0, 0, 0)));
        assert_eq!(parse_time("6:05:09"), Ok(time(6, 5, 9, 0)));
        for bad in ["24:00", "12:60", "12", "12:5", "1:2:3:4", "", "ab:cd", "123:00"] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
        assert_eq!(format_time(time(6, 0, 0, 0)), "06:00");
        assert_eq!(format_time(time(6, 0, 7, 0)), "06:00:07");
        assert_eq!(parse_pair("0010:00"), Some((10, 0)));
        assert_eq!(parse_pair("1:30"), Some((1, 30)));
        for bad in ["10", "10:60", "12345:00", ":00", "1:0", "a:00"] {
            assert_eq!(parse_pair(bad), None, "{bad}");
        }
    }
}

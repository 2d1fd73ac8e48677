//! Five-field cron expressions: `minute hour day-of-month month day-of-week`.
//!
//! The matcher works on civil time only; the engine turns the civil times into instants
//! with the trigger's zone and DST policies (semantics.md §2, §3).

use std::fmt;
use std::str::FromStr;

use crate::month::parse_month;
use crate::weekday::parse_weekday;

/// A parsed cron expression, kept with its source text so it is written back as given.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CronExpr {
    source: String,
    minutes: u64,
    hours: u32,
    /// Bit N-1 = day N.
    days_of_month: u32,
    /// Bit N-1 = month N.
    months: u16,
    /// Bit 0 = Sunday.
    days_of_week: u8,
    /// The day-of-month field begins with `*` (Vixie cron's rule for "unrestricted").
    dom_star: bool,
    /// The day-of-week field begins with `*`.
    dow_star: bool,
}

/// Why a text is not a cron expression.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid cron expression `{input}`: {reason}")]
pub struct CronParseError {
    input: String,
    reason: String,
}

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: fn(&str) -> Option<u32>,
}

fn no_names(_: &str) -> Option<u32> {
    None
}

fn month_names(s: &str) -> Option<u32> {
    parse_month(s).map(|m| m as u32)
}

fn weekday_names(s: &str) -> Option<u32> {
    parse_weekday(s).map(|d| d.to_sunday_zero_offset() as u32)
}

const FIELDS: [Field; 5] = [
    Field { name: "minute", min: 0, max: 59, names: no_names },
    Field { name: "hour", min: 0, max: 23, names: no_names },
    Field { name: "day of month", min: 1, max: 31, names: no_names },
    Field { name: "month", min: 1, max: 12, names: month_names },
    // 7 is Sunday too, as in every cron.
    Field { name: "day of week", min: 0, max: 7, names: weekday_names },
];

impl Field {
    fn value(&self, s: &str) -> Result<u32, String> {
        let v = match s.parse::<u32>() {
            Ok(v) => v,
            Err(_) => (self.names)(s).ok_or_else(|| format!("`{s}` is not a valid {}", self.name))?,
        };
        if v < self.min || v > self.max {
            return Err(format!("{} `{s}` is out of range {}..={}", self.name, self.min, self.max));
        }
        Ok(v)
    }

    /// Parses one field into a bit set over `min..=max` (bit v for value v).
    fn parse(&self, text: &str) -> Result<u64, String> {
        let mut bits = 0u64;
        for part in text.split(',') {
            if part.is_empty() {
                return Err(format!("empty item in the {} field `{text}`", self.name));
            }
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => {
                    let step: u32 = s.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                        format!("step `{s}` in the {} field must be a number of at least 1", self.name)
                    })?;
                    (r, Some(step))
                }
                None => (part, None),
            };
            let (lo, hi) = if range == "*" {
                (self.min, self.max)
            } else if let Some((a, b)) = range.split_once('-') {
                let (a, b) = (self.value(a)?, self.value(b)?);
                if a > b {
                    return Err(format!("range `{range}` in the {} field runs backwards", self.name));
                }
                (a, b)
            } else {
                let a = self.value(range)?;
                // `a/s` means from a to the end of the field, stepping by s.
                (a, if step.is_some() { self.max } else { a })
            };
            let step = step.unwrap_or(1);
            let mut v = lo;
            while v <= hi {
                bits |= 1 << v;
                v += step;
            }
        }
        Ok(bits)
    }
}

impl CronExpr {
    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when day-of-month and day-of-week are both restricted, so a day matching either
    /// fires (semantics.md §2).
    pub fn days_either(&self) -> bool {
        !self.dom_star && !self.dow_star
    }

    /// The minutes (bit N = minute N).
    pub fn minute_mask(&self) -> u64 {
        self.minutes
    }

    /// The hours (bit N = hour N).
    pub fn hour_mask(&self) -> u32 {
        self.hours
    }

    /// The days of the month (bit N-1 = day N).
    pub fn day_of_month_mask(&self) -> u32 {
        self.days_of_month
    }

    /// The months (bit N-1 = month N).
    pub fn month_mask(&self) -> u16 {
        self.months
    }

    /// The days of the week (bit 0 = Sunday).
    pub fn day_of_week_mask(&self) -> u8 {
        self.days_of_week
    }

    /// True when the day-of-month field is `*`-led (unrestricted).
    pub fn day_of_month_is_star(&self) -> bool {
        self.dom_star
    }

    /// True when the day-of-week field is `*`-led (unrestricted).
    pub fn day_of_week_is_star(&self) -> bool {
        self.dow_star
    }
}

impl FromStr for CronExpr {
    type Err = CronParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| CronParseError { input: input.to_string(), reason };
        let expanded = match input.trim() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other if other.starts_with('@') => {
                return Err(err(
                    "unknown macro; expected @yearly, @monthly, @weekly, @daily or @hourly".into()
                ));
            }
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(err(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), but found {}",
                fields.len()
            )));
        }
        let mut bits = [0u64; 5];
        for (i, (field, text)) in FIELDS.iter().zip(&fields).enumerate() {
            bits[i] = field.parse(text).map_err(err)?;
        }
        let mut dow = bits[4];
        if dow & (1 << 7) != 0 {
            dow = (dow | 1) & 0x7f;
        }
        Ok(CronExpr {
            source: input.trim().to_string(),
            minutes: bits[0],
            hours: bits[1] as u32,
            days_of_month: (bits[2] >> 1) as u32,
            months: (bits[3] >> 1) as u16,
            days_of_week: dow as u8,
            dom_star: fields[2].starts_with('*'),
            dow_star: fields[4].starts_with('*'),
        })
    }
}

impl fmt::Display for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl fmt::Debug for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CronExpr({:?})", self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields() {
        let c: CronExpr = "*/15 6-8 1,15 jan-mar mon-fri".parse().unwrap();
        assert_eq!(c.minute_mask(), (1 << 0) | (1 << 15) | (1 << 30) | (1 << 45));
        assert_eq!(c.hour_mask(), 0b1_1100_0000);
        assert_eq!(c.day_of_month_mask(), 1 | (1 << 14));
        assert_eq!(c.month_mask(), 0b111);
        assert_eq!(c.day_of_week_mask(), 0b011_1110);
        assert!(c.days_either());
    }

    #[test]
    fn sunday_is_0_and_7() {
        let c: CronExpr = "0 0 * * 7".parse().unwrap();
        assert_eq!(c.day_of_week_mask(), 1);
        assert!(!c.days_either());
        let c: CronExpr = "0 0 */2 * 5-7".parse().unwrap();
        assert_eq!(c.day_of_week_mask(), 0b110_0001);
        assert!(!c.days_either(), "a `*`-led field counts as unrestricted");
    }

    #[test]
    fn macros_and_steps() {
        assert_eq!("@daily".parse::<CronExpr>().unwrap().hour_mask(), 1);
        let c: CronExpr = "5/20 * * * *".parse().unwrap();
        assert_eq!(c.minute_mask(), (1 << 5) | (1 << 25) | (1 << 45));
    }

    #[test]
    fn errors_say_why() {
        let e = "61 * * * *".parse::<CronExpr>().unwrap_err().to_string();
        assert!(e.contains("minute `61` is out of range 0..=59"), "{e}");
        let e = "* * * *".parse::<CronExpr>().unwrap_err().to_string();
        assert!(e.contains("expected 5 fields"), "{e}");
        for bad in [
            "*/0 * * * *",
            "5-1 * * * *",
            "* * 0 * *",
            "* * * 13 *",
            "* * * * 8",
            ", * * * *",
            "@often",
            "x * * * *",
        ] {
            assert!(bad.parse::<CronExpr>().is_err(), "{bad}");
        }
    }
}

//! Lengths of time as the task file and the Windows formats write them.

use std::fmt;
use std::str::FromStr;

/// An elapsed length of time, exact to the millisecond.
///
/// Milliseconds because `.job` files count the maximum run time in them; every other source
/// counts whole seconds or minutes. Durations are elapsed time, never civil time (semantics.md
/// §4): a day is 86,400 seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    millis: u64,
}

/// Why a text is not a [`Duration`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid duration `{input}`: {reason}; expected a length such as `90s`, `10m`, `1h30m`, `2d` or ISO 8601 `PT1H30M`, `P1D`"
)]
pub struct DurationParseError {
    input: String,
    reason: &'static str,
}

impl DurationParseError {
    fn new(input: &str, reason: &'static str) -> Self {
        DurationParseError { input: input.to_string(), reason }
    }
}

const SECOND: u64 = 1_000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;

impl Duration {
    /// No time at all.
    pub const ZERO: Duration = Duration { millis: 0 };

    /// A duration of `millis` milliseconds.
    pub const fn from_millis(millis: u64) -> Self {
        Duration { millis }
    }

    /// A duration of `secs` seconds.
    pub const fn from_secs(secs: u64) -> Self {
        Duration { millis: secs.saturating_mul(SECOND) }
    }

    /// A duration of `mins` minutes.
    pub const fn from_mins(mins: u64) -> Self {
        Duration { millis: mins.saturating_mul(MINUTE) }
    }

    /// A duration of `hours` hours.
    pub const fn from_hours(hours: u64) -> Self {
        Duration { millis: hours.saturating_mul(HOUR) }
    }

    /// The length in milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.millis
    }

    /// The length in whole seconds, rounded down.
    pub const fn as_secs(self) -> u64 {
        self.millis / SECOND
    }

    /// The length in whole minutes, rounded down.
    pub const fn as_mins(self) -> u64 {
        self.millis / MINUTE
    }

    /// True for a zero length.
    pub const fn is_zero(self) -> bool {
        self.millis == 0
    }

    /// The ISO 8601 form (`PT1H30M`, `P2D`, `PT0S`), as Task Scheduler 2.0 XML writes it.
    pub fn to_iso8601(self) -> String {
        if self.millis == 0 {
            return "PT0S".to_string();
        }
        let mut out = String::from("P");
        let days = self.millis / DAY;
        let rest = self.millis % DAY;
        if days > 0 {
            out.push_str(&format!("{days}D"));
        }
        if rest > 0 {
            out.push('T');
            let (h, m, ms) = (rest / HOUR, rest % HOUR / MINUTE, rest % MINUTE);
            if h > 0 {
                out.push_str(&format!("{h}H"));
            }
            if m > 0 {
                out.push_str(&format!("{m}M"));
            }
            if ms > 0 {
                push_seconds(&mut out, ms);
                out.push('S');
            }
        }
        out
    }

    fn parse_compact(s: &str) -> Result<Self, DurationParseError> {
        // `1h30m`, `90s`, `2d`, `500ms`, `1w`: number-unit pairs, largest unit first is not
        // required, but each unit may appear once.
        let mut total: u64 = 0;
        let mut rest = s;
        let mut seen = Vec::new();
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(DurationParseError::new(s, "expected a number"));
            }
            let n: u64 =
                rest[..digits].parse().map_err(|_| DurationParseError::new(s, "number too large"))?;
            rest = &rest[digits..];
            let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            let unit = &rest[..unit_len];
            rest = &rest[unit_len..];
            let scale = match unit.to_ascii_lowercase().as_str() {
                "ms" => 1,
                "s" | "sec" | "secs" => SECOND,
                "m" | "min" | "mins" => MINUTE,
                "h" | "hr" | "hrs" => HOUR,
                "d" | "day" | "days" => DAY,
                "w" | "week" | "weeks" => WEEK,
                "" => return Err(DurationParseError::new(s, "a number needs a unit")),
                _ => return Err(DurationParseError::new(s, "unknown unit")),
            };
            if seen.contains(&scale) {
                return Err(DurationParseError::new(s, "a unit is repeated"));
            }
            seen.push(scale);
            total = n
                .checked_mul(scale)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(|| DurationParseError::new(s, "too long"))?;
        }
        Ok(Duration { millis: total })
    }

    fn parse_iso(s: &str) -> Result<Self, DurationParseError> {
        let upper = s.to_ascii_uppercase();
        let body = &upper[1..];
        if body.is_empty() {
            return Err(DurationParseError::new(s, "`P` alone has no length"));
        }
        let mut total: u64 = 0;
        let mut in_time = false;
        let mut rest = body;
        let mut any = false;
        let mut last_rank = 0u8;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('T') {
                if in_time {
                    return Err(DurationParseError::new(s, "`T` appears twice"));
                }
                in_time = true;
                rest = r;
                continue;
            }
            let len = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.' || *b == b',').count();
            if len == 0 {
                return Err(DurationParseError::new(s, "expected a number"));
            }
            let num = rest[..len].replace(',', ".");
            let unit = rest[len..]
                .chars()
                .next()
                .ok_or_else(|| DurationParseError::new(s, "a number needs a unit"))?;
            rest = &rest[len + unit.len_utf8()..];
            let (scale, rank) = match (in_time, unit) {
                (false, 'Y') | (false, 'M') => {
                    return Err(DurationParseError::new(s, "years and months have no fixed length"));
                }
                (false, 'W') => (WEEK, 1),
                (false, 'D') => (DAY, 2),
                // Windows' own documentation writes `PT7D`; accept it (windows-formats.md §6).
                (true, 'D') => (DAY, 3),
                (true, 'H') => (HOUR, 4),
                (true, 'M') => (MINUTE, 5),
                (true, 'S') => (SECOND, 6),
                _ => return Err(DurationParseError::new(s, "unknown unit")),
            };
            if rank <= last_rank {
                return Err(DurationParseError::new(s, "units out of order"));
            }
            last_rank = rank;
            let millis = scaled(&num, scale).ok_or_else(|| DurationParseError::new(s, "bad number"))?;
            total = total.checked_add(millis).ok_or_else(|| DurationParseError::new(s, "too long"))?;
            any = true;
        }
        if !any {
            return Err(DurationParseError::new(s, "no length given"));
        }
        Ok(Duration { millis: total })
    }
}

/// `num` (decimal, maybe with a fraction) times `scale` milliseconds, exact to the millisecond.
fn scaled(num: &str, scale: u64) -> Option<u64> {
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let int: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut value = int.checked_mul(scale)?;
    if !frac.is_empty() {
        if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
            return None;
        }
        let digits: u64 = frac.parse().ok()?;
        let denom = 10u64.pow(frac.len() as u32);
        let part = (u128::from(digits) * u128::from(scale)) / u128::from(denom);
        if (u128::from(digits) * u128::from(scale)) % u128::from(denom) != 0 {
            return None;
        }
        value = value.checked_add(part as u64)?;
    }
    Some(value)
}

fn push_seconds(out: &mut String, ms: u64) {
    if ms.is_multiple_of(SECOND) {
        out.push_str(&format!("{}", ms / SECOND));
    } else {
        let frac = format!("{:03}", ms % SECOND);
        out.push_str(&format!("{}.{}", ms / SECOND, frac.trim_end_matches('0')));
    }
}

impl FromStr for Duration {
    type Err = DurationParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.is_empty() {
            return Err(DurationParseError::new(s, "it is empty"));
        }
        if t.starts_with(['P', 'p']) { Duration::parse_iso(t) } else { Duration::parse_compact(t) }
    }
}

impl fmt::Display for Duration {
    /// The compact form of the task file: `1h30m`, `2d`, `90s` shown as `1m30s`. A length
    /// that is not whole seconds is shown in ISO 8601 (`PT4294967.294S`), which the parser
    /// also reads, so display and parse round-trip.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.millis == 0 {
            return f.write_str("0s");
        }
        if !self.millis.is_multiple_of(SECOND) {
            let mut out = String::from("PT");
            push_seconds(&mut out, self.millis);
            out.push('S');
            return f.write_str(&out);
        }
        let mut rest = self.millis;
        for (unit, scale) in [("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", SECOND)] {
            let n = rest / scale;
            rest %= scale;
            if n > 0 {
                write!(f, "{n}{unit}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Duration {
        s.parse().unwrap()
    }

    #[test]
    fn compact_forms() {
        assert_eq!(p("90s"), Duration::from_secs(90));
        assert_eq!(p("10m"), Duration::from_mins(10));
        assert_eq!(p("1h30m"), Duration::from_mins(90));
        assert_eq!(p("2d"), Duration::from_hours(48));
        assert_eq!(p("0s"), Duration::ZERO);
        assert_eq!(p("1w"), Duration::from_hours(168));
        assert_eq!(p("250ms"), Duration::from_millis(250));
    }

    #[test]
    fn iso_forms() {
        assert_eq!(p("PT1H30M"), Duration::from_mins(90));
        assert_eq!(p("P1D"), Duration::from_hours(24));
        assert_eq!(p("PT72H"), Duration::from_hours(72));
        assert_eq!(p("PT0S"), Duration::ZERO);
        assert_eq!(p("PT7D"), Duration::from_hours(168));
        assert_eq!(p("P1DT2H"), Duration::from_hours(26));
        assert_eq!(p("PT1.5S"), Duration::from_millis(1500));
        assert_eq!(p("PT4294967.294S"), Duration::from_millis(4_294_967_294));
    }

    #[test]
    fn rejects_nonsense() {
        for bad in
            ["", "h", "10", "10x", "1h1h", "P", "PT", "P1M", "P1Y", "PT1H1H", "PTM", "-5m", "PT0.0001S"]
        {
            assert!(bad.parse::<Duration>().is_err(), "{bad:?} should fail");
        }
        let e = "10x".parse::<Duration>().unwrap_err().to_string();
        assert!(e.contains("`10x`") && e.contains("unknown unit"), "{e}");
    }

    #[test]
    fn display_round_trips() {
        for ms in
            [0, 1, 999, 1000, 90_000, 5_400_000, 86_400_000, 93_784_000, 4_294_967_294, u64::from(u32::MAX)]
        {
            let d = Duration::from_millis(ms);
            assert_eq!(d.to_string().parse::<Duration>().unwrap(), d, "{d}");
            assert_eq!(d.to_iso8601().parse::<Duration>().unwrap(), d, "{}", d.to_iso8601());
        }
        assert_eq!(Duration::from_mins(90).to_string(), "1h30m");
        assert_eq!(Duration::from_mins(90).to_iso8601(), "PT1H30M");
        assert_eq!(Duration::from_hours(72).to_iso8601(), "P3D");
    }
}

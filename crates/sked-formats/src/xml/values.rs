//! Reading and writing the leaf values of Task Scheduler 2.0 XML: `xs:boolean`,
//! `xs:duration`, `xs:dateTime`, and text escaping.

use jiff::civil::DateTime;
use jiff::tz::Offset;
use sked_core::Duration;

/// Reads an `xs:boolean`: `true`, `false`, `1` or `0`, surrounding spaces allowed.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// The `xs:boolean` form Task Scheduler writes.
pub fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// Reads an ISO 8601 duration (`PT1H`, `P3D`, and the non-standard `PT7D`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    // Non-ASCII text is never a duration, and `sked_core::Duration`'s ISO parser slices
    // after a unit assuming it is one byte (it panics on `PT1½M`).
    if !t.starts_with(['P', 'p']) || !t.is_ascii() {
        return Err(format!(
            "`{t}` is not an ISO 8601 duration; expected a length such as `PT10M`, `PT1H` or `P3D`"
        ));
    }
    t.parse::<Duration>().map_err(|e| e.to_string())
}

/// A date and time as `xs:dateTime` holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// The civil date and time, whole seconds.
    pub datetime: DateTime,
    /// The offset written after it, if any (`Z` is zero).
    pub offset: Option<Offset>,
    /// True when digits of the fraction of a second finer than a millisecond were cut.
    pub cut_fraction: bool,
}

/// Reads an `xs:dateTime`: `2005-10-11T13:21:17`, with an optional fraction of a second and
/// an optional `Z` or `±hh:mm`.
pub fn parse_datetime(s: &str) -> Result<Stamp, String> {
    let t = s.trim();
    let bad = || {
        format!(
            "`{t}` is not a date and time; expected one such as `2026-01-07T06:00:00`, optionally followed by `Z` or an offset such as `+01:00`"
        )
    };
    let time_at = t.find(['T', 't', ' ']).ok_or_else(bad)?;
    let (civil, offset) = if let Some(rest) = t.strip_suffix(['Z', 'z']) {
        (rest, Some(Offset::UTC))
    } else if let Some(sign_at) = t[time_at..].rfind(['+', '-']).map(|i| i + time_at) {
        let (civil, off) = t.split_at(sign_at);
        (civil, Some(parse_offset(off).ok_or_else(bad)?))
    } else {
        (t, None)
    };
    let dt: DateTime = civil.parse().map_err(|_| bad())?;
    let nanos = dt.subsec_nanosecond();
    let cut_fraction = nanos % 1_000_000 != 0;
    let datetime = dt.with().subsec_nanosecond(nanos - nanos % 1_000_000).build().map_err(|_| bad())?;
    Ok(Stamp { datetime, offset, cut_fraction })
}

fn parse_offset(s: &str) -> Option<Offset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !(digits.len() == 2 || digits.len() == 4) {
        return None;
    }
    if rest.contains(':') && rest.len() != 5 {
        return None;
    }
    let h: i32 = digits.get(0..2)?.parse().ok()?;
    let m: i32 = if digits.len() == 4 { digits.get(2..4)?.parse().ok()? } else { 0 };
    if h > 14 || m > 59 {
        return None;
    }
    Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

/// Writes an `xs:dateTime`, with milliseconds when the time has a fraction and `Z` for a
/// zero offset.
pub fn datetime_text(dt: DateTime, offset: Option<Offset>) -> String {
    let mut out =
        if dt.year() < 0 { format!("-{:04}", -i32::from(dt.year())) } else { format!("{:04}", dt.year()) };
    out.push_str(&format!(
        "-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    ));
    if dt.subsec_nanosecond() != 0 {
        out.push_str(&format!(".{:03}", dt.subsec_nanosecond() / 1_000_000));
    }
    if let Some(o) = offset {
        let secs = o.seconds();
        if secs == 0 {
            out.push('Z');
        } else {
            let sign = if secs < 0 { '-' } else { '+' };
            let a = secs.unsigned_abs();
            out.push_str(&format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60));
        }
    }
    out
}

/// True when `c` can appear in an XML 1.0 document (§2.2).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes character data. Carriage returns are written as `&#13;` so they survive the
/// line-end normalization of the reader.
pub fn push_text(out: &mut String, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\r' => "&#13;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// Escapes an attribute value for double quotes. Tabs and line ends are written as
/// character references so attribute normalization keeps them.
pub fn push_attr(out: &mut String, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\t' => "&#9;",
            b'\n' => "&#10;",
            b'\r' => "&#13;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn datetimes() {
        let s = parse_datetime("2005-10-11T13:21:17-08:00").unwrap();
        assert_eq!(s.datetime, date(2005, 10, 11).at(13, 21, 17, 0));
        assert_eq!(s.offset, Some(Offset::from_hours(-8).unwrap()));
        let s = parse_datetime("2026-03-01T06:00:00Z").unwrap();
        assert_eq!(s.offset, Some(Offset::UTC));
        let s = parse_datetime(" 2019-08-30T13:13:29.9736591 ").unwrap();
        assert!(s.cut_fraction && s.offset.is_none());
        assert_eq!(s.datetime, date(2019, 8, 30).at(13, 13, 29, 973_000_000));
        let s = parse_datetime("2026-06-01T06:00:00.5170000Z").unwrap();
        assert!(!s.cut_fraction);
        assert_eq!(datetime_text(s.datetime, s.offset), "2026-06-01T06:00:00.517Z");
        for bad in ["", "2026-01-01", "yesterday", "2026-01-01T10:00:00+1", "2026-13-01T00:00:00"] {
            assert!(parse_datetime(bad).is_err(), "{bad}");
        }
        assert_eq!(
            datetime_text(date(2026, 1, 7).at(6, 0, 0, 0), Some(Offset::from_seconds(19800).unwrap())),
            "2026-01-07T06:00:00+05:30"
        );
    }

    #[test]
    fn durations_and_bools() {
        assert_eq!(parse_duration("PT7D").unwrap(), Duration::from_hours(168));
        assert!(parse_duration("10m").unwrap_err().contains("not an ISO 8601 duration"));
        assert_eq!(parse_bool(" 1 "), Some(true));
        assert_eq!(parse_bool("yes"), None);
    }

    #[test]
    fn escaping() {
        let mut s = String::new();
        push_text(&mut s, "a<b>&c\r\n");
        assert_eq!(s, "a&lt;b&gt;&amp;c&#13;\n");
        let mut s = String::new();
        push_attr(&mut s, "\"x\"\t\n");
        assert_eq!(s, "&quot;x&quot;&#9;&#10;");
    }
}

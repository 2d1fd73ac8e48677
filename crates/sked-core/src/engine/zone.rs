//! A time zone prepared for the engine: offsets and DST gaps and folds found by a binary
//! search over a table of transitions.
//!
//! jiff and its time zone database stay the source of truth: the table is filled from
//! [`TimeZone::following`] once per zone, and any instant outside the table's range is
//! answered by jiff directly. The table exists because the engine converts between civil
//! time and instants several times per run it computes, and the budget per run is a few
//! hundred nanoseconds.

use jiff::Timestamp;
use jiff::tz::{AmbiguousOffset, TimeZone};

use super::civil::{self, DAY};

/// First instant covered by the table: 1900-01-01T00:00:00Z.
const TABLE_FROM: i64 = -2_208_988_800;
/// First instant past the table: 2200-01-01T00:00:00Z.
const TABLE_UNTIL: i64 = 7_258_118_400;
/// Instants are bucketed by `t >> BUCKET_SHIFT` (about 48 days) to find a transition
/// without a binary search.
const BUCKET_SHIFT: u32 = 22;
/// Civil times this close to the table's edges are resolved by jiff: no real offset is
/// anywhere near a day and a half.
const EDGE: i64 = 2 * DAY;

/// One change of UTC offset.
#[derive(Clone, Copy, Debug)]
struct Transition {
    /// The instant of the change.
    at: i64,
    /// The offset in effect before `at`, in seconds.
    before: i32,
    /// The offset in effect from `at`, in seconds.
    after: i32,
}

impl Transition {
    /// The civil times from `civil_lo` to `civil_hi` (exclusive) are a gap or a fold.
    fn civil_lo(&self) -> i64 {
        self.at + i64::from(self.before.min(self.after))
    }

    fn civil_hi(&self) -> i64 {
        self.at + i64::from(self.before.max(self.after))
    }
}

/// How a civil time maps to instants in a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Local {
    /// Exactly one instant.
    Unique(i64),
    /// The civil time was skipped by a transition at instant `transition`.
    Gap { before: i32, after: i32, transition: i64 },
    /// The civil time happened twice: under the offset `before` and then `after`.
    Fold { before: i32, after: i32 },
}

/// A time zone prepared for fast conversions. Build it once per zone and share it.
#[derive(Clone, Debug)]
pub struct Zone {
    tz: TimeZone,
    fixed: Option<i32>,
    /// The offset in effect at `TABLE_FROM`.
    initial: i32,
    /// Offset changes in `TABLE_FROM..TABLE_UNTIL`, in order. Empty with `usable == false`
    /// when the zone's transitions are too close together for the civil-time search.
    transitions: Vec<Transition>,
    /// For each bucket from `TABLE_FROM`, the number of transitions before the bucket.
    buckets: Vec<u32>,
    usable: bool,
}

impl Zone {
    /// Prepares `tz`.
    pub fn new(tz: TimeZone) -> Zone {
        let from = Timestamp::from_second(TABLE_FROM).expect("1900 is in range");
        let initial = tz.to_offset(from).seconds();
        let mut transitions = Vec::new();
        let mut prev = initial;
        for tr in tz.following(from) {
            let at = tr.timestamp().as_second();
            if at >= TABLE_UNTIL {
                break;
            }
            let after = tr.offset().seconds();
            if after != prev {
                transitions.push(Transition { at, before: prev, after });
            }
            prev = after;
        }
        let fixed = if transitions.is_empty()
            && tz.following(from).next().is_none()
            && tz.preceding(from).next().is_none()
        {
            Some(initial)
        } else {
            None
        };
        // The civil search needs the ambiguous ranges in order and apart. Every real zone
        // has that; if one does not, answer everything through jiff.
        let usable = transitions.windows(2).all(|w| w[0].civil_hi() <= w[1].civil_lo() && w[0].at < w[1].at);
        if !usable {
            transitions.clear();
        }
        let count = ((TABLE_UNTIL - TABLE_FROM) >> BUCKET_SHIFT) as usize + 1;
        let buckets = if usable {
            (0..count)
                .map(|b| {
                    let start = TABLE_FROM + ((b as i64) << BUCKET_SHIFT);
                    transitions.partition_point(|tr| tr.at < start) as u32
                })
                .collect()
        } else {
            Vec::new()
        };
        Zone { tz, fixed, initial, transitions, buckets, usable }
    }

    /// The jiff time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    fn in_table(&self, t: i64) -> bool {
        self.usable && (TABLE_FROM..TABLE_UNTIL).contains(&t)
    }

    /// The number of transitions at or before `t`, which must be in the table.
    #[inline]
    fn count_upto(&self, t: i64) -> usize {
        let mut i = self.buckets[((t - TABLE_FROM) >> BUCKET_SHIFT) as usize] as usize;
        while self.transitions.get(i).is_some_and(|tr| tr.at <= t) {
            i += 1;
        }
        i
    }

    /// The number of transitions whose ambiguous civil range starts at or before civil `c`,
    /// which must be in the table at least `EDGE` from its ends.
    #[inline]
    fn count_civil_upto(&self, c: i64) -> usize {
        // Every transition before the bucket of c - EDGE starts its civil range before c.
        let mut i = self.buckets[((c - EDGE - TABLE_FROM) >> BUCKET_SHIFT) as usize] as usize;
        while self.transitions.get(i).is_some_and(|tr| tr.civil_lo() <= c) {
            i += 1;
        }
        i
    }

    /// The UTC offset, in seconds, at instant `t`.
    pub(crate) fn offset_at(&self, t: i64) -> i32 {
        if let Some(off) = self.fixed {
            return off;
        }
        if self.in_table(t) {
            let i = self.count_upto(t);
            return if i == 0 { self.initial } else { self.transitions[i - 1].after };
        }
        match Timestamp::from_second(t) {
            Ok(ts) => self.tz.to_offset(ts).seconds(),
            Err(_) => self.initial,
        }
    }

    /// The offset at `t` and the span of instants around `t` over which it holds
    /// (`from..until`), or `None` when the table cannot say.
    ///
    /// Most instants are months from a transition; there, civil time and instants differ
    /// by one constant, and the engine works by plain arithmetic.
    #[inline]
    pub(crate) fn steady(&self, t: i64) -> Option<(i32, i64, i64)> {
        if let Some(off) = self.fixed {
            return Some((off, i64::MIN / 4, i64::MAX / 4));
        }
        if !self.in_table(t) {
            return None;
        }
        let i = self.count_upto(t);
        let (off, from) = match i {
            0 => (self.initial, TABLE_FROM),
            _ => (self.transitions[i - 1].after, self.transitions[i - 1].at),
        };
        let until = self.transitions.get(i).map_or(TABLE_UNTIL, |tr| tr.at);
        Some((off, from, until))
    }

    /// The civil time (civil seconds) at instant `t`.
    pub(crate) fn to_civil(&self, t: i64) -> i64 {
        t + i64::from(self.offset_at(t))
    }

    /// The smallest and largest offsets in effect at any instant in `from..=to`.
    pub(crate) fn offset_range(&self, from: i64, to: i64) -> (i32, i32) {
        let first = self.offset_at(from);
        if self.fixed.is_some() {
            return (first, first);
        }
        let (mut lo, mut hi) = (first, first);
        if self.in_table(from) && self.in_table(to) {
            let i = self.count_upto(from);
            for tr in self.transitions[i..].iter().take_while(|tr| tr.at <= to) {
                lo = lo.min(tr.after);
                hi = hi.max(tr.after);
            }
        } else if let Ok(ts) = Timestamp::from_second(from) {
            for tr in self.tz.following(ts) {
                if tr.timestamp().as_second() > to {
                    break;
                }
                lo = lo.min(tr.offset().seconds());
                hi = hi.max(tr.offset().seconds());
            }
        }
        (lo, hi)
    }

    /// How civil time `c` maps to instants. `None` outside the range jiff supports.
    pub(crate) fn local(&self, c: i64) -> Option<Local> {
        if let Some(off) = self.fixed {
            return Some(Local::Unique(c - i64::from(off)));
        }
        if self.usable && (TABLE_FROM + EDGE..TABLE_UNTIL - EDGE).contains(&c) {
            let i = self.count_civil_upto(c);
            if i > 0 {
                let tr = self.transitions[i - 1];
                if c < tr.civil_hi() {
                    return Some(if tr.after > tr.before {
                        Local::Gap { before: tr.before, after: tr.after, transition: tr.at }
                    } else {
                        Local::Fold { before: tr.before, after: tr.after }
                    });
                }
                return Some(Local::Unique(c - i64::from(tr.after)));
            }
            return Some(Local::Unique(c - i64::from(self.initial)));
        }
        self.local_slow(c)
    }

    /// [`Zone::local`] answered by jiff alone. Used outside the table, and by tests to check
    /// the table.
    pub(crate) fn local_slow(&self, c: i64) -> Option<Local> {
        let dt = civil::to_jiff(c)?;
        Some(match self.tz.to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => Local::Unique(c - i64::from(offset.seconds())),
            AmbiguousOffset::Gap { before, after } => {
                // The transition is the last one at or before `c` read with the old offset.
                let probe = Timestamp::from_second(c - i64::from(before.seconds()) + 1).ok()?;
                let transition = self.tz.preceding(probe).next()?.timestamp().as_second();
                Local::Gap { before: before.seconds(), after: after.seconds(), transition }
            }
            AmbiguousOffset::Fold { before, after } => {
                Local::Fold { before: before.seconds(), after: after.seconds() }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> Zone {
        Zone::new(TimeZone::get(name).unwrap())
    }

    #[test]
    fn table_agrees_with_jiff() {
        for name in [
            "America/New_York",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
            "America/Santiago",
            "Europe/London",
            "Asia/Kolkata",
            "Pacific/Apia",
            "UTC",
        ] {
            let z = zone(name);
            // Every 20 minutes plus a prime, across five years, and near every transition.
            let mut c = civil::from_jiff(jiff::civil::date(2010, 1, 1).at(0, 0, 0, 0));
            let end = civil::from_jiff(jiff::civil::date(2015, 1, 1).at(0, 0, 0, 0));
            while c < end {
                assert_eq!(z.local(c), z.local_slow(c), "{name} at {:?}", civil::to_jiff(c));
                let t = c - 3600;
                let ts = Timestamp::from_second(t).unwrap();
                assert_eq!(z.offset_at(t), z.tz.to_offset(ts).seconds(), "{name} offset at {ts}");
                c += 1207;
            }
            for tr in &z.transitions {
                for d in [-3601, -1800, -1, 0, 1, 1799, 3600] {
                    let c = tr.at + i64::from(tr.before) + d;
                    assert_eq!(z.local(c), z.local_slow(c), "{name} near {}", tr.at);
                }
            }
        }
    }

    #[test]
    fn gaps_and_folds() {
        let z = zone("America/New_York");
        let c = civil::from_jiff(jiff::civil::date(2026, 3, 8).at(2, 30, 0, 0));
        let tr = jiff::civil::date(2026, 3, 8).at(7, 0, 0, 0);
        assert_eq!(
            z.local(c),
            Some(Local::Gap { before: -5 * 3600, after: -4 * 3600, transition: civil::from_jiff(tr) })
        );
        let c = civil::from_jiff(jiff::civil::date(2026, 11, 1).at(1, 30, 0, 0));
        assert_eq!(z.local(c), Some(Local::Fold { before: -4 * 3600, after: -5 * 3600 }));
        assert_eq!(z.offset_range(c - 5 * DAY, c + 5 * DAY), (-5 * 3600, -4 * 3600));
    }

    #[test]
    fn beyond_the_table() {
        let z = zone("Europe/Paris");
        let c = civil::from_jiff(jiff::civil::date(2300, 7, 1).at(12, 0, 0, 0));
        assert_eq!(z.local(c), z.local_slow(c));
        assert_eq!(z.local(c), Some(Local::Unique(c - 7200)));
    }
}

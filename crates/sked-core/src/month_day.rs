//! Sets of days of the month, with "the last day".

use std::fmt;

/// A set of days of the month: 1..=31 and, optionally, the last day of each month.
///
/// Bit N-1 is day N and bit 31 is "last": the layout of Task Scheduler 2.0 `DaysOfMonth`,
/// whose bits 0..30 are also the `.job` `rgfDays` mask (windows-formats.md §1.5).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MonthDays(u32);

const LAST: u32 = 1 << 31;

impl MonthDays {
    /// No day.
    pub const EMPTY: MonthDays = MonthDays(0);

    /// The set from a mask: bit N-1 = day N, bit 31 = last day.
    pub const fn from_mask(mask: u32) -> Self {
        MonthDays(mask)
    }

    /// The mask: bit N-1 = day N, bit 31 = last day.
    pub const fn mask(self) -> u32 {
        self.0
    }

    /// The set with day `n` (1..=31) added; other values leave it unchanged.
    #[must_use]
    pub const fn with_day(self, n: u8) -> Self {
        if n >= 1 && n <= 31 { MonthDays(self.0 | (1 << (n - 1))) } else { self }
    }

    /// The set with "the last day of the month" added.
    #[must_use]
    pub const fn with_last(self) -> Self {
        MonthDays(self.0 | LAST)
    }

    /// True when day `n` itself (not through "last") is in the set.
    pub const fn contains_day(self, n: u8) -> bool {
        n >= 1 && n <= 31 && self.0 & (1 << (n - 1)) != 0
    }

    /// True when "last" is in the set.
    pub const fn has_last(self) -> bool {
        self.0 & LAST != 0
    }

    /// True when the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The numbered days in the set, ascending.
    pub fn days(self) -> impl Iterator<Item = u8> {
        (1..=31).filter(move |d| self.contains_day(*d))
    }

    /// True when day `day` of a month of `month_len` days is selected (directly or as the
    /// last day).
    pub const fn matches(self, day: u8, month_len: u8) -> bool {
        self.contains_day(day) || (self.has_last() && day == month_len)
    }

    /// The smallest numbered day in the set, or 32 when only "last" is selected.
    pub const fn first_day(self) -> u8 {
        let days = self.0 & !LAST;
        if days == 0 { 32 } else { days.trailing_zeros() as u8 + 1 }
    }
}

impl fmt::Debug for MonthDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        l.entries(self.days());
        if self.has_last() {
            l.entry(&"last");
        }
        l.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits() {
        let s = MonthDays::EMPTY.with_day(1).with_day(15).with_day(31).with_last();
        assert_eq!(s.mask(), 1 | (1 << 14) | (1 << 30) | (1 << 31));
        assert!(s.matches(15, 30));
        assert!(s.matches(28, 28));
        assert!(!s.matches(30, 31));
        assert_eq!(s.days().collect::<Vec<_>>(), [1, 15, 31]);
        assert_eq!(s.first_day(), 1);
        assert_eq!(MonthDays::EMPTY.with_last().first_day(), 32);
        assert_eq!(MonthDays::EMPTY.with_day(0).with_day(32), MonthDays::EMPTY);
    }
}

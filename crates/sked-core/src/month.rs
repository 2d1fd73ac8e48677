//! Months of the year and sets of them.

use std::fmt;

/// A set of months of the year.
///
/// Bit 0 is January through bit 11 December: the Windows months mask (`.job` `rgfMonths`,
/// GPP `months`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MonthSet(u16);

/// The short names the task file writes.
pub const MONTH_NAMES: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const FULL_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
/// English month names, January first.
pub const MONTH_ENGLISH: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl MonthSet {
    /// No month.
    pub const EMPTY: MonthSet = MonthSet(0);
    /// All twelve months: the default.
    pub const ALL: MonthSet = MonthSet(0xfff);

    /// The set from a Windows months mask; bits above December are dropped.
    pub const fn from_mask(mask: u16) -> Self {
        MonthSet(mask & 0xfff)
    }

    /// The Windows months mask.
    pub const fn mask(self) -> u16 {
        self.0
    }

    /// True when month `m` (1 = January) is in the set.
    pub const fn contains(self, m: i8) -> bool {
        m >= 1 && m <= 12 && self.0 & (1 << (m - 1)) != 0
    }

    /// The set with month `m` (1..=12) added.
    #[must_use]
    pub const fn with(self, m: i8) -> Self {
        if m >= 1 && m <= 12 { MonthSet(self.0 | (1 << (m - 1))) } else { self }
    }

    /// True when no month is in the set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when every month is in the set.
    pub const fn is_all(self) -> bool {
        self.0 == 0xfff
    }

    /// The months in the set (1 = January), in order.
    pub fn iter(self) -> impl Iterator<Item = i8> {
        (1..=12).filter(move |m| self.contains(*m))
    }
}

impl Default for MonthSet {
    fn default() -> Self {
        MonthSet::ALL
    }
}

impl fmt::Debug for MonthSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(|m| MONTH_NAMES[m as usize - 1])).finish()
    }
}

/// Reads a month name: `jan` or `january`, any case. Returns 1..=12.
pub fn parse_month(s: &str) -> Option<i8> {
    let lower = s.trim().to_ascii_lowercase();
    (0..12).find(|&i| lower == MONTH_NAMES[i] || lower == FULL_NAMES[i]).map(|i| i as i8 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_and_names() {
        let s = MonthSet::EMPTY.with(1).with(4).with(7).with(10);
        assert_eq!(s.mask(), 0x001 | 0x008 | 0x040 | 0x200);
        assert_eq!(s.iter().collect::<Vec<_>>(), [1, 4, 7, 10]);
        assert_eq!(parse_month("Feb"), Some(2));
        assert_eq!(parse_month("december"), Some(12));
        assert_eq!(parse_month("13"), None);
        assert!(MonthSet::default().is_all());
    }
}

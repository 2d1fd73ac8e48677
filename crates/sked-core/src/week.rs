//! Weeks of the month (first .. fourth, last) and sets of them.

use std::fmt;

/// One week of the month, as `monthly-weekday` triggers name them (semantics.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WeekOfMonth {
    /// Days 1–7.
    First,
    /// Days 8–14.
    Second,
    /// Days 15–21.
    Third,
    /// Days 22–28.
    Fourth,
    /// The last seven days of the month.
    Last,
}

impl WeekOfMonth {
    /// All five, in order.
    pub const ALL: [WeekOfMonth; 5] = [Self::First, Self::Second, Self::Third, Self::Fourth, Self::Last];

    /// The task-file name (`first`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::First => "first",
            Self::Second => "second",
            Self::Third => "third",
            Self::Fourth => "fourth",
            Self::Last => "last",
        }
    }

    /// Reads a task-file name, any case.
    pub fn parse(s: &str) -> Option<Self> {
        let lower = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|w| w.name() == lower)
    }

    /// The Windows `wWhichWeek` number: 1..=4, and 5 for last.
    pub const fn windows_number(self) -> u16 {
        self as u16 + 1
    }

    /// The week for a Windows `wWhichWeek` number (1..=5).
    pub const fn from_windows_number(n: u16) -> Option<Self> {
        match n {
            1 => Some(Self::First),
            2 => Some(Self::Second),
            3 => Some(Self::Third),
            4 => Some(Self::Fourth),
            5 => Some(Self::Last),
            _ => None,
        }
    }
}

/// A set of weeks of the month. Bit 0 is the first week, bit 4 the last.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct WeekSet(u8);

impl WeekSet {
    /// No week.
    pub const EMPTY: WeekSet = WeekSet(0);

    /// The set with `w` added.
    #[must_use]
    pub const fn with(self, w: WeekOfMonth) -> Self {
        WeekSet(self.0 | (1 << w as u8))
    }

    /// True when `w` is in the set.
    pub const fn contains(self, w: WeekOfMonth) -> bool {
        self.0 & (1 << w as u8) != 0
    }

    /// True when no week is in the set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many weeks are in the set.
    pub const fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// The weeks in the set, in order.
    pub fn iter(self) -> impl Iterator<Item = WeekOfMonth> {
        WeekOfMonth::ALL.into_iter().filter(move |w| self.contains(*w))
    }

    /// True when day `day` of a month of `month_len` days lies in a selected week.
    pub const fn matches(self, day: u8, month_len: u8) -> bool {
        let numbered = (day - 1) / 7; // 0..=4; 4 (days 29..31) belongs to no numbered week
        (numbered < 4 && self.0 & (1 << numbered) != 0) || (self.0 & 0x10 != 0 && day + 7 > month_len)
    }
}

impl FromIterator<WeekOfMonth> for WeekSet {
    fn from_iter<I: IntoIterator<Item = WeekOfMonth>>(iter: I) -> Self {
        iter.into_iter().fold(WeekSet::EMPTY, WeekSet::with)
    }
}

impl fmt::Debug for WeekSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(WeekOfMonth::name)).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        let s: WeekSet = [WeekOfMonth::First, WeekOfMonth::Last].into_iter().collect();
        assert!(s.matches(1, 30) && s.matches(7, 30));
        assert!(!s.matches(8, 30));
        assert!(s.matches(24, 30) && !s.matches(23, 30));
        assert!(s.matches(22, 28));
        let fourth = WeekSet::EMPTY.with(WeekOfMonth::Fourth);
        assert!(fourth.matches(28, 31) && !fourth.matches(29, 31));
        assert_eq!(WeekOfMonth::Last.windows_number(), 5);
        assert_eq!(WeekOfMonth::from_windows_number(3), Some(WeekOfMonth::Third));
    }
}

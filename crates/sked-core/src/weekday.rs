//! Days of the week and sets of them.

use std::fmt;

pub use jiff::civil::Weekday;

/// A set of weekdays.
///
/// Bit 0 is Sunday through bit 6 Saturday: the layout of the Windows DOW masks (`.job`
/// `rgfDaysOfTheWeek`, GPP `days`), so converting is a copy.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct WeekdaySet(u8);

/// Sunday first, as Windows and semantics.md §2 count weeks.
const ORDER: [Weekday; 7] = [
    Weekday::Sunday,
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
];

/// The short names the task file writes, Sunday first.
pub const WEEKDAY_NAMES: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const FULL_NAMES: [&str; 7] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

impl WeekdaySet {
    /// No day.
    pub const EMPTY: WeekdaySet = WeekdaySet(0);
    /// Every day of the week.
    pub const ALL: WeekdaySet = WeekdaySet(0x7f);

    /// The set from a Windows DOW mask (Sunday = 0x01 .. Saturday = 0x40); higher bits are dropped.
    pub const fn from_mask(mask: u8) -> Self {
        WeekdaySet(mask & 0x7f)
    }

    /// The Windows DOW mask of the set.
    pub const fn mask(self) -> u8 {
        self.0
    }

    /// The bit of one weekday.
    pub fn bit(day: Weekday) -> u8 {
        1 << day.to_sunday_zero_offset()
    }

    /// True when `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & Self::bit(day) != 0
    }

    /// The set with `day` added.
    #[must_use]
    pub fn with(self, day: Weekday) -> Self {
        WeekdaySet(self.0 | Self::bit(day))
    }

    /// True when no day is in the set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many days are in the set.
    pub const fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// The days in the set, Sunday first.
    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        ORDER.into_iter().filter(move |d| self.contains(*d))
    }
}

impl FromIterator<Weekday> for WeekdaySet {
    fn from_iter<I: IntoIterator<Item = Weekday>>(iter: I) -> Self {
        iter.into_iter().fold(WeekdaySet::EMPTY, WeekdaySet::with)
    }
}

impl fmt::Debug for WeekdaySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(weekday_name)).finish()
    }
}

/// The short name of a weekday (`mon`).
pub fn weekday_name(day: Weekday) -> &'static str {
    WEEKDAY_NAMES[day.to_sunday_zero_offset() as usize]
}

/// The English name of a weekday (`Monday`).
pub fn weekday_english(day: Weekday) -> &'static str {
    ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        [day.to_sunday_zero_offset() as usize]
}

/// Reads a weekday name: `mon` or `monday`, any case.
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let lower = s.trim().to_ascii_lowercase();
    (0..7).find(|&i| lower == WEEKDAY_NAMES[i] || lower == FULL_NAMES[i]).map(|i| ORDER[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_matches_windows() {
        let s: WeekdaySet = [Weekday::Monday, Weekday::Wednesday, Weekday::Friday].into_iter().collect();
        assert_eq!(s.mask(), 0x02 | 0x08 | 0x20);
        assert!(s.contains(Weekday::Wednesday));
        assert!(!s.contains(Weekday::Sunday));
        assert_eq!(s.iter().map(weekday_name).collect::<Vec<_>>(), ["mon", "wed", "fri"]);
    }

    #[test]
    fn names() {
        assert_eq!(parse_weekday("MON"), Some(Weekday::Monday));
        assert_eq!(parse_weekday("Sunday"), Some(Weekday::Sunday));
        assert_eq!(parse_weekday("mo"), None);
    }
}

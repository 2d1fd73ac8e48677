//! One or more named tests per rule of semantics.md, with the expected instants computed by
//! hand (each test checks the engine and the reference against them).
//!
//! The 2026 transitions used below (from the bundled tzdb):
//! - America/New_York: 03-08 02:00 EST -> 03:00 EDT; 11-01 02:00 EDT -> 01:00 EST.
//! - Europe/London: 03-29 01:00 GMT -> 02:00 BST; 10-25 02:00 BST -> 01:00 GMT.
//! - Australia/Lord_Howe (+10:30 / +11): 04-05 02:00 -> 01:30; 10-04 02:00 -> 02:30.
//! - Pacific/Chatham (+12:45 / +13:45): 04-05 03:45 -> 02:45; 09-27 02:45 -> 03:45.
//! - America/Santiago (-04 / -03): 04-05 00:00 -> 04-04 23:00 (a fold 23:00–24:00 on
//!   Saturday 04-04); 09-06 00:00 -> 01:00 (a gap at midnight).
//! - Asia/Kolkata: +05:30, no DST.
//!
//! Weekdays: 2026-01-01 is a Thursday; 2026-02-01 and 2026-03-01 are Sundays.

use jiff::civil::Weekday::{self, Friday, Monday, Saturday, Sunday, Wednesday};
use sked_core::{
    End, ErrorKind, FoldPolicy, GapPolicy, MonthDays, MonthSet, Schedule, Start, Trigger, TriggerKind,
    WeekOfMonth, WeekSet, WeekdaySet, Zones,
};

use crate::support::{at, check, check_exact, civil, end_at, end_date, offset, repeat, task, ts, zones};

fn daily(every: u32) -> TriggerKind {
    TriggerKind::Daily { every }
}

fn weekly(every: u32, days: &[Weekday]) -> TriggerKind {
    TriggerKind::Weekly { every, days: days.iter().copied().collect() }
}

fn month_set(months: &[i8]) -> MonthSet {
    if months.is_empty() {
        return MonthSet::ALL;
    }
    months.iter().fold(MonthSet::EMPTY, |s, m| s.with(*m))
}

/// Monthly on `days` (and the last day when `last`), in `months` (empty: all).
fn monthly(every: u32, days: &[u8], last: bool, months: &[i8]) -> TriggerKind {
    let mut set = days.iter().fold(MonthDays::EMPTY, |s, d| s.with_day(*d));
    if last {
        set = set.with_last();
    }
    TriggerKind::Monthly { every, days: set, months: month_set(months) }
}

fn monthly_weekday(weeks: &[WeekOfMonth], days: &[Weekday], months: &[i8]) -> TriggerKind {
    TriggerKind::MonthlyWeekday {
        weeks: weeks.iter().copied().collect::<WeekSet>(),
        days: days.iter().copied().collect::<WeekdaySet>(),
        months: month_set(months),
    }
}

fn cron(expr: &str) -> TriggerKind {
    TriggerKind::Cron(expr.parse().unwrap_or_else(|e| panic!("{e}")))
}

fn with_gap(mut t: Trigger, gap: GapPolicy) -> Trigger {
    t.dst_gap = gap;
    t
}

fn with_fold(mut t: Trigger, fold: FoldPolicy) -> Trigger {
    t.dst_fold = fold;
    t
}

// §1 Time zones ---------------------------------------------------------------------------

#[test]
fn s1_civil_start_follows_the_zone_across_dst() {
    let t = task(Some("Europe/London"), vec![at(daily(1), "2026-03-27T06:00")]);
    check(
        &t,
        "2026-03-27T00:00Z",
        &[
            "2026-03-27T06:00+00:00",
            "2026-03-28T06:00+00:00",
            "2026-03-29T06:00+01:00",
            "2026-03-30T06:00+01:00",
        ],
    );
}

#[test]
fn s1_pinned_start_fires_at_the_same_utc_instant_across_dst() {
    let trigger = Trigger::new(daily(1)).starting(Start::pinned(civil("2026-03-07T01:00"), offset(-5, 0)));
    let t = task(Some("America/New_York"), vec![trigger]);
    check(
        &t,
        "2026-03-07T00:00Z",
        &["2026-03-07T06:00Z", "2026-03-08T06:00Z", "2026-03-09T06:00Z", "2026-03-10T06:00Z"],
    );
}

#[test]
fn s1_pinned_utc_start_in_london_keeps_its_utc_time() {
    let trigger = Trigger::new(daily(1)).starting(Start::pinned(civil("2026-10-24T06:00"), offset(0, 0)));
    let t = task(Some("Europe/London"), vec![trigger]);
    check(&t, "2026-10-24T00:00Z", &["2026-10-24T06:00Z", "2026-10-25T06:00Z", "2026-10-26T06:00Z"]);
}

#[test]
fn s1_task_without_a_zone_uses_the_default_zone() {
    let t = task(None, vec![at(daily(1), "2026-01-01T09:00")]);
    let zones = Zones::new(jiff::tz::db().clone(), jiff::tz::db().get("Asia/Kolkata").unwrap());
    let schedule = Schedule::new(&t, &zones).unwrap();
    let runs: Vec<_> = schedule.runs(ts("2026-01-01T00:00Z")).take(2).map(|r| r.at).collect();
    assert_eq!(runs, [ts("2026-01-01T03:30Z"), ts("2026-01-02T03:30Z")]);
}

#[test]
fn s1_utc_and_kolkata() {
    let t = task(Some("UTC"), vec![at(daily(1), "2026-01-01T09:00")]);
    check(&t, "2026-01-01T09:00Z", &["2026-01-01T09:00Z", "2026-01-02T09:00Z"]);
    let t = task(Some("Asia/Kolkata"), vec![at(daily(1), "2026-01-01T02:30")]);
    check(&t, "2025-12-31T00:00Z", &["2025-12-31T21:00Z", "2026-01-01T21:00Z"]);
}

// §2 Which days ---------------------------------------------------------------------------

#[test]
fn s2_once_fires_on_its_begin_date_only() {
    let t = task(Some("UTC"), vec![at(TriggerKind::Once, "2026-05-01T10:00")]);
    check_exact(&t, "2026-01-01T00:00Z", &["2026-05-01T10:00Z"]);
    check_exact(&t, "2026-05-01T10:00:01Z", &[]);
}

#[test]
fn s2_daily_every_three_days() {
    let t = task(Some("UTC"), vec![at(daily(3), "2026-01-30T10:00")]);
    check(
        &t,
        "2026-01-01T00:00Z",
        &["2026-01-30T10:00Z", "2026-02-02T10:00Z", "2026-02-05T10:00Z", "2026-02-08T10:00Z"],
    );
}

#[test]
fn s2_weekly_every_two_weeks_mon_wed_fri_from_a_wednesday() {
    // D0 = Wed 2026-01-07; the week of D0 begins Sun 01-04 (index 0): Wed 7, Fri 9;
    // the week of 01-11 (index 1) is skipped; the week of 01-18 (index 2): Mon 19, Wed 21,
    // Fri 23; then the week of 02-01. Mon 01-05 is before D0.
    let t = task(Some("UTC"), vec![at(weekly(2, &[Monday, Wednesday, Friday]), "2026-01-07T06:00")]);
    check(
        &t,
        "2026-01-01T00:00Z",
        &[
            "2026-01-07T06:00Z",
            "2026-01-09T06:00Z",
            "2026-01-19T06:00Z",
            "2026-01-21T06:00Z",
            "2026-01-23T06:00Z",
            "2026-02-02T06:00Z",
            "2026-02-04T06:00Z",
            "2026-02-06T06:00Z",
        ],
    );
}

#[test]
fn s2_weekly_weeks_start_on_sunday() {
    // D0 = Sat 2026-01-10, last day of week 0 (01-04..01-10). Sun 01-11 opens week 1,
    // skipped; Sun 01-18 opens week 2.
    let t = task(Some("UTC"), vec![at(weekly(2, &[Sunday, Saturday]), "2026-01-10T06:00")]);
    check(
        &t,
        "2026-01-01T00:00Z",
        &["2026-01-10T06:00Z", "2026-01-18T06:00Z", "2026-01-24T06:00Z", "2026-02-01T06:00Z"],
    );
}

#[test]
fn s2_monthly_day_31_is_skipped_in_short_months() {
    let t = task(Some("UTC"), vec![at(monthly(1, &[31], false, &[]), "2026-01-01T08:00")]);
    check(
        &t,
        "2026-01-01T00:00Z",
        &[
            "2026-01-31T08:00Z",
            "2026-03-31T08:00Z",
            "2026-05-31T08:00Z",
            "2026-07-31T08:00Z",
            "2026-08-31T08:00Z",
            "2026-10-31T08:00Z",
            "2026-12-31T08:00Z",
        ],
    );
}

#[test]
fn s2_monthly_last_day() {
    let t = task(Some("UTC"), vec![at(monthly(1, &[], true, &[]), "2027-12-15T08:00")]);
    check(
        &t,
        "2027-12-01T00:00Z",
        &[
            "2027-12-31T08:00Z",
            "2028-01-31T08:00Z",
            "2028-02-29T08:00Z",
            "2028-03-31T08:00Z",
            "2028-04-30T08:00Z",
        ],
    );
}

#[test]
fn s2_monthly_day_30_and_last_never_twice_a_day() {
    let t = task(Some("UTC"), vec![at(monthly(1, &[30], true, &[]), "2026-01-01T08:00")]);
    check(
        &t,
        "2026-01-01T00:00Z",
        &[
            "2026-01-30T08:00Z",
            "2026-01-31T08:00Z",
            "2026-02-28T08:00Z",
            "2026-03-30T08:00Z",
            "2026-03-31T08:00Z",
            "2026-04-30T08:00Z",
            "2026-05-30T08:00Z",
        ],
    );
}

#[test]
fn s2_monthly_every_k_months_counts_from_the_begin_month() {
    // Every 3 months from February: Feb (15 < D0's 20th: no), May, Aug, Nov, Feb.
    let t = task(Some("UTC"), vec![at(monthly(3, &[15], false, &[]), "2026-02-20T08:00")]);
    check(
        &t,
        "2026-01-01T00:00Z",
        &["2026-05-15T08:00Z", "2026-08-15T08:00Z", "2026-11-15T08:00Z", "2027-02-15T08:00Z"],
    );
}

#[test]
fn s2_monthly_every_k_months_and_a_month_set() {
    // Every 2 months from January (Jan, Mar, May, ...) and only in Jan, Mar, Apr.
    let t = task(Some("UTC"), vec![at(monthly(2, &[1], false, &[1, 3, 4]), "2026-01-01T08:00")]);
    check(
        &t,
        "2026-01-01T00:00Z",
        &["2026-01-01T08:00Z", "2026-03-01T08:00Z", "2027-01-01T08:00Z", "2027-03-01T08:00Z"],
    );
}

#[test]
fn s2_feb_29_fires_in_leap_years() {
    let t = task(Some("UTC"), vec![at(monthly(1, &[29], false, &[2]), "2026-01-01T08:00")]);
    check(&t, "2026-01-01T00:00Z", &["2028-02-29T08:00Z", "2032-02-29T08:00Z"]);
}

#[test]
fn s2_monthly_day_31_in_february_is_rejected_as_never_firing() {
    let t = task(Some("UTC"), vec![at(monthly(1, &[31], false, &[2]), "2026-01-01T08:00")]);
    let err = Schedule::new(&t, &zones()).expect_err("day 31 of February never comes");
    assert_eq!(err.kind(), ErrorKind::NeverFires, "{err}");
    assert!(!crate::reference::some_day_matches(&t.triggers[0], 9));
}

#[test]
fn s2_monthly_weekday_first_to_fourth() {
    use WeekOfMonth::*;
    for (week, expected) in [
        (First, ["2026-01-05T08:00Z", "2026-02-02T08:00Z", "2026-03-02T08:00Z"]),
        (Second, ["2026-01-12T08:00Z", "2026-02-09T08:00Z", "2026-03-09T08:00Z"]),
        (Third, ["2026-01-19T08:00Z", "2026-02-16T08:00Z", "2026-03-16T08:00Z"]),
        (Fourth, ["2026-01-26T08:00Z", "2026-02-23T08:00Z", "2026-03-23T08:00Z"]),
    ] {
        let t = task(Some("UTC"), vec![at(monthly_weekday(&[week], &[Monday], &[]), "2026-01-01T08:00")]);
        check(&t, "2026-01-01T00:00Z", &expected);
    }
}

#[test]
fn s2_monthly_weekday_last_friday() {
    let t = task(
        Some("UTC"),
        vec![at(monthly_weekday(&[WeekOfMonth::Last], &[Friday], &[]), "2026-01-01T08:00")],
    );
    check(
        &t,
        "2026-01-01T00:00Z",
        &["2026-01-30T08:00Z", "2026-02-27T08:00Z", "2026-03-27T08:00Z", "2026-04-24T08:00Z"],
    );
}

#[test]
fn s2_monthly_weekday_several_weeks_fourth_and_last_overlap_once() {
    // Mondays: Jan 5 12 19 26; Feb 2 9 16 23; Mar 2 9 16 23 30. In February 2026 the fourth
    // and the last week are the same days (22–28): Feb 23 fires once.
    let t = task(
        Some("UTC"),
        vec![at(
            monthly_weekday(&[WeekOfMonth::First, WeekOfMonth::Fourth, WeekOfMonth::Last], &[Monday], &[]),
            "2026-01-01T08:00",
        )],
    );
    check(
        &t,
        "2026-01-01T00:00Z",
        &[
            "2026-01-05T08:00Z",
            "2026-01-26T08:00Z",
            "2026-02-02T08:00Z",
            "2026-02-23T08:00Z",
            "2026-03-02T08:00Z",
            "2026-03-23T08:00Z",
            "2026-03-30T08:00Z",
        ],
    );
}

#[test]
fn s2_monthly_weekday_in_chosen_months() {
    // The last Sunday of March and October: the EU's DST days.
    let t = task(
        Some("Europe/London"),
        vec![at(monthly_weekday(&[WeekOfMonth::Last], &[Sunday], &[3, 10]), "2026-01-01T12:00")],
    );
    check(
        &t,
        "2026-01-01T00:00Z",
        &["2026-03-29T12:00+01:00", "2026-10-25T12:00+00:00", "2027-03-28T12:00+01:00"],
    );
}

#[test]
fn s2_cron_both_day_fields_restricted_fire_on_either() {
    // The 13th or any Friday.
    let t = task(Some("UTC"), vec![Trigger::new(cron("0 12 13 * fri"))]);
    check(
        &t,
        "2026-01-01T00:00Z",
        &[
            "2026-01-02T12:00Z",
            "2026-01-09T12:00Z",
            "2026-01-13T12:00Z",
            "2026-01-16T12:00Z",
            "2026-01-23T12:00Z",
            "2026-01-30T12:00Z",
            "2026-02-06T12:00Z",
            "2026-02-13T12:00Z",
        ],
    );
}

#[test]
fn s2_cron_star_led_day_field_is_unrestricted_so_both_must_match() {
    // `*/2` begins with `*`: odd days that are Fridays.
    let t = task(Some("UTC"), vec![Trigger::new(cron("0 12 */2 * 5"))]);
    check(
        &t,
        "2026-01-01T00:00Z",
        &["2026-01-09T12:00Z", "2026-01-23T12:00Z", "2026-02-13T12:00Z", "2026-02-27T12:00Z"],
    );
}

#[test]
fn s2_cron_stepped_day_of_month_alone_filters() {
    // `*/10` in day-of-month is 1, 11, 21, 31; with `*` in day-of-week both must match,
    // and `*` matches every day.
    let t = task(Some("UTC"), vec![Trigger::new(cron("0 12 */10 * *"))]);
    check(
        &t,
        "2026-01-01T00:00Z",
        &[
            "2026-01-01T12:00Z",
            "2026-01-11T12:00Z",
            "2026-01-21T12:00Z",
            "2026-01-31T12:00Z",
            "2026-02-01T12:00Z",
            "2026-02-11T12:00Z",
        ],
    );
}

#[test]
fn s2_cron_star_led_day_of_week_with_a_step_still_filters() {
    // `*/2` in day-of-week is Sun, Tue, Thu, Sat and begins with `*`: the 13th when it is one
    // of those days (Tue 01-13, Sat 06-13, Thu 08-13), not every 13th.
    let t = task(Some("UTC"), vec![Trigger::new(cron("0 12 13 * */2"))]);
    check(&t, "2026-01-01T00:00Z", &["2026-01-13T12:00Z", "2026-06-13T12:00Z", "2026-08-13T12:00Z"]);
}

#[test]
fn s2_cron_only_day_of_month_or_only_day_of_week() {
    let t = task(Some("UTC"), vec![Trigger::new(cron("30 6 13 * *"))]);
    check(&t, "2026-01-01T00:00Z", &["2026-01-13T06:30Z", "2026-02-13T06:30Z"]);
    // 7 is Sunday.
    let t = task(Some("UTC"), vec![Trigger::new(cron("30 6 * * 7"))]);
    check(&t, "2026-01-01T00:00Z", &["2026-01-04T06:30Z", "2026-01-11T06:30Z"]);
}

#[test]
fn s2_cron_start_is_a_lower_bound() {
    let t = task(Some("UTC"), vec![at(cron("0 * * * *"), "2026-01-01T10:30")]);
    check(&t, "2026-01-01T00:00Z", &["2026-01-01T11:00Z", "2026-01-01T12:00Z"]);
}

#[test]
fn s2_cron_start_in_a_fold_with_second_is_the_later_instant() {
    // Lord Howe, 2026-04-05: 01:30–02:00 happens twice. With `dst-fold = second` the start
    // 01:45 is the instant 01:45+10:30 (§3), and no run happens before it (§5); the cron's
    // 01:30..01:40 (second pass, +10:30) are before it.
    let t = task(
        Some("Australia/Lord_Howe"),
        vec![with_fold(at(cron("*/5 1 * * *"), "2026-04-05T01:45"), FoldPolicy::Second)],
    );
    check(
        &t,
        "2026-04-04T00:00Z",
        &[
            "2026-04-05T01:45+10:30",
            "2026-04-05T01:50+10:30",
            "2026-04-05T01:55+10:30",
            "2026-04-06T01:00+10:30",
        ],
    );
}

#[test]
fn s2_cron_start_in_a_gap_with_shift_is_the_shifted_instant() {
    // New York, 2026-03-08: with `dst-gap = shift` the start 02:30 is 03:30 EDT (§3); the
    // cron's 03:00 and 03:15 that day are before it (§5).
    let t = task(
        Some("America/New_York"),
        vec![with_gap(at(cron("*/15 3 * * *"), "2026-03-08T02:30"), GapPolicy::Shift)],
    );
    check(
        &t,
        "2026-03-08T00:00Z",
        &["2026-03-08T03:30-04:00", "2026-03-08T03:45-04:00", "2026-03-09T03:00-04:00"],
    );
}

#[test]
fn s2_cron_uses_civil_time_of_the_zone() {
    let t = task(Some("America/New_York"), vec![Trigger::new(cron("0 9 * * mon-fri"))]);
    check(
        &t,
        "2026-03-06T00:00Z",
        &["2026-03-06T09:00-05:00", "2026-03-09T09:00-04:00", "2026-03-10T09:00-04:00"],
    );
}

#[test]
fn s2_event_triggers_have_no_calendar_runs() {
    let t =
        task(Some("UTC"), vec![Trigger::new(TriggerKind::AtStartup { delay: sked_core::Duration::ZERO })]);
    let schedule = Schedule::new(&t, &zones()).unwrap();
    assert!(!schedule.has_calendar_triggers());
    check_exact(&t, "2026-01-01T00:00Z", &[]);
}

// §3 DST ----------------------------------------------------------------------------------

fn gap_case(zone: &str, start: &str, gap: GapPolicy, from: &str, expected: &[&str]) {
    let t = task(Some(zone), vec![with_gap(at(daily(1), start), gap)]);
    check(&t, from, expected);
}

fn fold_case(zone: &str, start: &str, fold: FoldPolicy, from: &str, expected: &[&str]) {
    let t = task(Some(zone), vec![with_fold(at(daily(1), start), fold)]);
    check(&t, from, expected);
}

#[test]
fn s3_new_york_gap_0230() {
    let from = "2026-03-07T00:00Z";
    let start = "2026-03-07T02:30";
    let z = "America/New_York";
    gap_case(
        z,
        start,
        GapPolicy::GapEnd,
        from,
        &["2026-03-07T02:30-05:00", "2026-03-08T03:00-04:00", "2026-03-09T02:30-04:00"],
    );
    gap_case(
        z,
        start,
        GapPolicy::Shift,
        from,
        &["2026-03-07T02:30-05:00", "2026-03-08T03:30-04:00", "2026-03-09T02:30-04:00"],
    );
    gap_case(z, start, GapPolicy::Skip, from, &["2026-03-07T02:30-05:00", "2026-03-09T02:30-04:00"]);
}

#[test]
fn s3_new_york_fold_0130() {
    let from = "2026-10-31T00:00Z";
    let start = "2026-10-31T01:30";
    let z = "America/New_York";
    fold_case(
        z,
        start,
        FoldPolicy::First,
        from,
        &["2026-10-31T01:30-04:00", "2026-11-01T01:30-04:00", "2026-11-02T01:30-05:00"],
    );
    fold_case(
        z,
        start,
        FoldPolicy::Second,
        from,
        &["2026-10-31T01:30-04:00", "2026-11-01T01:30-05:00", "2026-11-02T01:30-05:00"],
    );
}

#[test]
fn s3_london_gap_and_fold() {
    let z = "Europe/London";
    gap_case(z, "2026-03-29T01:30", GapPolicy::GapEnd, "2026-03-29T00:00Z", &["2026-03-29T02:00+01:00"]);
    gap_case(z, "2026-03-29T01:30", GapPolicy::Shift, "2026-03-29T00:00Z", &["2026-03-29T02:30+01:00"]);
    gap_case(z, "2026-03-29T01:30", GapPolicy::Skip, "2026-03-29T00:00Z", &["2026-03-30T01:30+01:00"]);
    fold_case(z, "2026-10-25T01:00", FoldPolicy::First, "2026-10-25T00:00Z", &["2026-10-25T01:00+01:00"]);
    fold_case(z, "2026-10-25T01:00", FoldPolicy::Second, "2026-10-25T00:00Z", &["2026-10-25T01:00+00:00"]);
}

#[test]
fn s3_lord_howe_half_hour_gap() {
    // Gap 02:00–02:30 on 2026-10-04.
    let z = "Australia/Lord_Howe";
    let (start, from) = ("2026-10-04T02:15", "2026-10-03T00:00Z");
    gap_case(z, start, GapPolicy::GapEnd, from, &["2026-10-04T02:30+11:00", "2026-10-05T02:15+11:00"]);
    gap_case(z, start, GapPolicy::Shift, from, &["2026-10-04T02:45+11:00", "2026-10-05T02:15+11:00"]);
    gap_case(z, start, GapPolicy::Skip, from, &["2026-10-05T02:15+11:00"]);
}

#[test]
fn s3_lord_howe_half_hour_fold() {
    // Fold 01:30–02:00 on 2026-04-05.
    let z = "Australia/Lord_Howe";
    let (start, from) = ("2026-04-05T01:45", "2026-04-04T00:00Z");
    fold_case(z, start, FoldPolicy::First, from, &["2026-04-05T01:45+11:00", "2026-04-06T01:45+10:30"]);
    fold_case(z, start, FoldPolicy::Second, from, &["2026-04-05T01:45+10:30", "2026-04-06T01:45+10:30"]);
}

#[test]
fn s3_chatham_gap_and_fold() {
    let z = "Pacific/Chatham";
    // Gap 02:45–03:45 on 2026-09-27.
    let from = "2026-09-26T00:00Z";
    gap_case(z, "2026-09-27T03:00", GapPolicy::GapEnd, from, &["2026-09-27T03:45+13:45"]);
    gap_case(z, "2026-09-27T03:00", GapPolicy::Shift, from, &["2026-09-27T04:00+13:45"]);
    gap_case(z, "2026-09-27T03:00", GapPolicy::Skip, from, &["2026-09-28T03:00+13:45"]);
    // Fold 02:45–03:45 on 2026-04-05.
    let from = "2026-04-04T00:00Z";
    fold_case(z, "2026-04-05T03:00", FoldPolicy::First, from, &["2026-04-05T03:00+13:45"]);
    fold_case(z, "2026-04-05T03:00", FoldPolicy::Second, from, &["2026-04-05T03:00+12:45"]);
}

#[test]
fn s3_santiago_gap_at_midnight() {
    // 2026-09-06 00:00 -> 01:00.
    let z = "America/Santiago";
    let (start, from) = ("2026-09-05T00:30", "2026-09-05T00:00Z");
    gap_case(
        z,
        start,
        GapPolicy::GapEnd,
        from,
        &["2026-09-05T00:30-04:00", "2026-09-06T01:00-03:00", "2026-09-07T00:30-03:00"],
    );
    gap_case(
        z,
        start,
        GapPolicy::Shift,
        from,
        &["2026-09-05T00:30-04:00", "2026-09-06T01:30-03:00", "2026-09-07T00:30-03:00"],
    );
    gap_case(z, start, GapPolicy::Skip, from, &["2026-09-05T00:30-04:00", "2026-09-07T00:30-03:00"]);
    // Midnight itself is in the gap.
    gap_case(
        z,
        "2026-09-06T00:00",
        GapPolicy::GapEnd,
        from,
        &["2026-09-06T01:00-03:00", "2026-09-07T00:00-03:00"],
    );
}

#[test]
fn s3_santiago_fold_before_midnight() {
    // Saturday 2026-04-04 23:00–24:00 happens twice.
    let z = "America/Santiago";
    let (start, from) = ("2026-04-03T23:30", "2026-04-03T00:00Z");
    fold_case(
        z,
        start,
        FoldPolicy::First,
        from,
        &["2026-04-03T23:30-03:00", "2026-04-04T23:30-03:00", "2026-04-05T23:30-04:00"],
    );
    fold_case(
        z,
        start,
        FoldPolicy::Second,
        from,
        &["2026-04-03T23:30-03:00", "2026-04-04T23:30-04:00", "2026-04-05T23:30-04:00"],
    );
}

#[test]
fn s3_cron_in_a_gap_follows_the_gap_policy() {
    // 02:00..02:45 do not exist on 2026-03-08 in New York.
    let t = task(Some("America/New_York"), vec![at(cron("*/15 2 * * *"), "2026-03-07T00:00")]);
    check(&t, "2026-03-08T00:00Z", &["2026-03-08T03:00-04:00", "2026-03-09T02:00-04:00"]);
    let t = task(
        Some("America/New_York"),
        vec![with_gap(at(cron("*/15 2 * * *"), "2026-03-07T00:00"), GapPolicy::Shift)],
    );
    check(
        &t,
        "2026-03-08T00:00Z",
        &[
            "2026-03-08T03:00-04:00",
            "2026-03-08T03:15-04:00",
            "2026-03-08T03:30-04:00",
            "2026-03-08T03:45-04:00",
            "2026-03-09T02:00-04:00",
        ],
    );
    let t = task(
        Some("America/New_York"),
        vec![with_gap(at(cron("*/15 2 * * *"), "2026-03-07T00:00"), GapPolicy::Skip)],
    );
    check(&t, "2026-03-08T00:00Z", &["2026-03-09T02:00-04:00"]);
}

#[test]
fn s3_cron_in_a_fold_fires_once_per_civil_time() {
    let t = task(Some("America/New_York"), vec![Trigger::new(cron("0,30 1 * * *"))]);
    check(
        &t,
        "2026-11-01T00:00Z",
        &["2026-11-01T01:00-04:00", "2026-11-01T01:30-04:00", "2026-11-02T01:00-05:00"],
    );
    let t = task(
        Some("America/New_York"),
        vec![with_fold(Trigger::new(cron("0,30 1 * * *")), FoldPolicy::Second)],
    );
    check(
        &t,
        "2026-11-01T00:00Z",
        &["2026-11-01T01:00-05:00", "2026-11-01T01:30-05:00", "2026-11-02T01:00-05:00"],
    );
}

// §4 Repetition ---------------------------------------------------------------------------

#[test]
fn s4_window_end_is_included() {
    let mut trigger = at(TriggerKind::Once, "2026-01-10T01:00");
    trigger.repeat = Some(repeat(15, Some(60)));
    let t = task(Some("UTC"), vec![trigger]);
    check_exact(
        &t,
        "2026-01-01T00:00Z",
        &[
            "2026-01-10T01:00Z",
            "2026-01-10T01:15Z",
            "2026-01-10T01:30Z",
            "2026-01-10T01:45Z",
            "2026-01-10T02:00Z",
        ],
    );
}

#[test]
fn s4_window_not_a_multiple_of_the_interval() {
    let mut trigger = at(TriggerKind::Once, "2026-01-10T01:00");
    trigger.repeat = Some(repeat(25, Some(60)));
    let t = task(Some("Asia/Kolkata"), vec![trigger]);
    check_exact(
        &t,
        "2026-01-01T00:00Z",
        &["2026-01-10T01:00+05:30", "2026-01-10T01:25+05:30", "2026-01-10T01:50+05:30"],
    );
}

#[test]
fn s4_repetition_crosses_a_gap_by_elapsed_time() {
    // 01:00 EST every 30 minutes for 3 hours: 7 runs, 06:00Z..09:00Z.
    let mut trigger = at(TriggerKind::Once, "2026-03-08T01:00");
    trigger.repeat = Some(repeat(30, Some(180)));
    let t = task(Some("America/New_York"), vec![trigger]);
    check_exact(
        &t,
        "2026-03-08T00:00Z",
        &[
            "2026-03-08T01:00-05:00",
            "2026-03-08T01:30-05:00",
            "2026-03-08T03:00-04:00",
            "2026-03-08T03:30-04:00",
            "2026-03-08T04:00-04:00",
            "2026-03-08T04:30-04:00",
            "2026-03-08T05:00-04:00",
        ],
    );
}

#[test]
fn s4_repetition_crosses_a_fold_by_elapsed_time() {
    let mut trigger = at(TriggerKind::Once, "2026-11-01T00:30");
    trigger.repeat = Some(repeat(30, Some(120)));
    let t = task(Some("America/New_York"), vec![trigger]);
    check_exact(
        &t,
        "2026-11-01T00:00Z",
        &[
            "2026-11-01T00:30-04:00",
            "2026-11-01T01:00-04:00",
            "2026-11-01T01:30-04:00",
            "2026-11-01T01:00-05:00",
            "2026-11-01T01:30-05:00",
        ],
    );
}

#[test]
fn s4_repetition_crosses_lord_howe_half_hour_gap() {
    // 01:00 +10:30 every 45 minutes for 3 hours on 2026-10-04 (gap 02:00–02:30).
    let mut trigger = at(TriggerKind::Once, "2026-10-04T01:00");
    trigger.repeat = Some(repeat(45, Some(180)));
    let t = task(Some("Australia/Lord_Howe"), vec![trigger]);
    check_exact(
        &t,
        "2026-10-03T00:00Z",
        &[
            "2026-10-04T01:00+10:30",
            "2026-10-04T01:45+10:30",
            "2026-10-04T03:00+11:00",
            "2026-10-04T03:45+11:00",
            "2026-10-04T04:30+11:00",
        ],
    );
}

#[test]
fn s4_indefinite_repetition_runs_until_the_end_date() {
    let mut trigger = at(TriggerKind::Once, "2026-01-01T10:00");
    trigger.repeat = Some(repeat(6 * 60, None));
    trigger.end = Some(end_date("2026-01-02"));
    let t = task(Some("UTC"), vec![trigger]);
    check_exact(
        &t,
        "2026-01-01T00:00Z",
        &[
            "2026-01-01T10:00Z",
            "2026-01-01T16:00Z",
            "2026-01-01T22:00Z",
            "2026-01-02T04:00Z",
            "2026-01-02T10:00Z",
            "2026-01-02T16:00Z",
            "2026-01-02T22:00Z",
        ],
    );
}

#[test]
fn s4_overlapping_windows_give_each_instant_once() {
    // Each day's window ends at the next day's start.
    let mut trigger = at(daily(1), "2026-01-01T00:00");
    trigger.repeat = Some(repeat(8 * 60, Some(24 * 60)));
    let t = task(Some("UTC"), vec![trigger]);
    check(
        &t,
        "2026-01-01T00:00Z",
        &[
            "2026-01-01T00:00Z",
            "2026-01-01T08:00Z",
            "2026-01-01T16:00Z",
            "2026-01-02T00:00Z",
            "2026-01-02T08:00Z",
        ],
    );
}

#[test]
fn s4_repetitions_from_before_from_still_count() {
    let mut trigger = at(daily(1), "2026-01-01T22:00");
    trigger.repeat = Some(repeat(60, Some(4 * 60)));
    let t = task(Some("UTC"), vec![trigger]);
    check(&t, "2026-01-02T00:30Z", &["2026-01-02T01:00Z", "2026-01-02T02:00Z", "2026-01-02T22:00Z"]);
}

#[test]
fn s4_stop_at_end_window_end_is_start_plus_duration() {
    let mut trigger = at(TriggerKind::Once, "2026-01-10T01:00");
    trigger.repeat = Some(sked_core::Repetition { stop_at_end: true, ..repeat(15, Some(60)) });
    let t = task(Some("UTC"), vec![trigger]);
    let schedule = Schedule::new(&t, &zones()).unwrap();
    let runs: Vec<_> = schedule.runs(ts("2026-01-01T00:00Z")).collect();
    assert_eq!(runs.len(), 5);
    for r in runs {
        assert_eq!(r.window_end, Some(ts("2026-01-10T02:00Z")), "{r:?}");
    }
}

// §5 Bounds, merging ----------------------------------------------------------------------

#[test]
fn s5_no_run_before_the_start() {
    let t = task(Some("UTC"), vec![at(daily(1), "2026-01-10T06:00")]);
    check(&t, "2026-01-01T00:00Z", &["2026-01-10T06:00Z", "2026-01-11T06:00Z"]);
}

#[test]
fn s5_from_is_inclusive_to_the_second() {
    let t = task(Some("UTC"), vec![at(daily(1), "2026-01-10T06:00")]);
    check(&t, "2026-01-10T06:00Z", &["2026-01-10T06:00Z"]);
    check(&t, "2026-01-10T06:00:00.5Z", &["2026-01-11T06:00Z"]);
}

#[test]
fn s5_end_date_is_inclusive_with_repetitions() {
    let mut trigger = at(daily(1), "2026-01-01T22:00");
    trigger.repeat = Some(repeat(60, Some(4 * 60)));
    trigger.end = Some(end_date("2026-01-02"));
    let t = task(Some("Europe/London"), vec![trigger]);
    check_exact(
        &t,
        "2026-01-01T00:00Z",
        &[
            "2026-01-01T22:00Z",
            "2026-01-01T23:00Z",
            "2026-01-02T00:00Z",
            "2026-01-02T01:00Z",
            "2026-01-02T02:00Z",
            "2026-01-02T22:00Z",
            "2026-01-02T23:00Z",
        ],
    );
}

#[test]
fn s5_end_date_is_read_in_the_trigger_zone() {
    // 20:00 in New York is 01:00Z the next day; the end date is New York's.
    let mut trigger = at(daily(1), "2026-01-01T20:00");
    trigger.end = Some(end_date("2026-01-02"));
    let t = task(Some("America/New_York"), vec![trigger]);
    check_exact(&t, "2026-01-01T00:00Z", &["2026-01-01T20:00-05:00", "2026-01-02T20:00-05:00"]);
}

#[test]
fn s5_end_date_covers_the_second_pass_of_a_fold_before_midnight() {
    // Santiago, Saturday 2026-04-04: 23:00–24:00 twice, both passes dated the 4th.
    let mut trigger = at(TriggerKind::Once, "2026-04-04T22:00");
    trigger.repeat = Some(repeat(30, Some(180)));
    trigger.end = Some(end_date("2026-04-04"));
    let t = task(Some("America/Santiago"), vec![trigger]);
    check_exact(
        &t,
        "2026-04-04T00:00Z",
        &[
            "2026-04-04T22:00-03:00",
            "2026-04-04T22:30-03:00",
            "2026-04-04T23:00-03:00",
            "2026-04-04T23:30-03:00",
            "2026-04-04T23:00-04:00",
            "2026-04-04T23:30-04:00",
        ],
    );
}

#[test]
fn s5_end_date_before_a_gap_at_midnight() {
    // Santiago, 2026-09-06 starts at 01:00: 23:00 + 1 h is 01:00 on the 6th, after the end.
    let mut trigger = at(TriggerKind::Once, "2026-09-05T23:00");
    trigger.repeat = Some(repeat(30, Some(120)));
    trigger.end = Some(end_date("2026-09-05"));
    let t = task(Some("America/Santiago"), vec![trigger]);
    check_exact(&t, "2026-09-05T00:00Z", &["2026-09-05T23:00-04:00", "2026-09-05T23:30-04:00"]);
}

#[test]
fn s5_end_date_of_a_pinned_trigger_is_read_in_its_offset() {
    // Pinned to +05:30 in a New York task: 20:00+05:30 is 14:30Z, 09:30 or 10:30 in New
    // York; the end date 01-02 is the pinned offset's date.
    let mut trigger =
        Trigger::new(daily(1)).starting(Start::pinned(civil("2026-01-01T20:00"), offset(5, 30)));
    trigger.end = Some(end_date("2026-01-02"));
    let t = task(Some("America/New_York"), vec![trigger]);
    check_exact(&t, "2026-01-01T00:00Z", &["2026-01-01T14:30Z", "2026-01-02T14:30Z"]);
}

#[test]
fn s5_end_boundary_instant_is_inclusive() {
    let mut trigger = at(daily(1), "2026-01-01T06:00");
    trigger.end = Some(end_at("2026-01-03T06:00"));
    let t = task(Some("UTC"), vec![trigger.clone()]);
    check_exact(&t, "2026-01-01T00:00Z", &["2026-01-01T06:00Z", "2026-01-02T06:00Z", "2026-01-03T06:00Z"]);
    trigger.end = Some(end_at("2026-01-03T05:59:59"));
    let t = task(Some("UTC"), vec![trigger.clone()]);
    check_exact(&t, "2026-01-01T00:00Z", &["2026-01-01T06:00Z", "2026-01-02T06:00Z"]);
    // With an offset: 07:00+01:00 is 06:00Z.
    trigger.end = Some(End::At { datetime: civil("2026-01-03T07:00"), offset: Some(offset(1, 0)) });
    let t = task(Some("UTC"), vec![trigger]);
    check_exact(&t, "2026-01-01T00:00Z", &["2026-01-01T06:00Z", "2026-01-02T06:00Z", "2026-01-03T06:00Z"]);
}

#[test]
fn s5_end_boundary_cuts_repetitions() {
    let mut trigger = at(TriggerKind::Once, "2026-01-01T06:00");
    trigger.repeat = Some(repeat(10, None));
    trigger.end = Some(end_at("2026-01-01T06:30"));
    let t = task(Some("UTC"), vec![trigger]);
    check_exact(
        &t,
        "2026-01-01T00:00Z",
        &["2026-01-01T06:00Z", "2026-01-01T06:10Z", "2026-01-01T06:20Z", "2026-01-01T06:30Z"],
    );
}

#[test]
fn s5_disabled_trigger_and_task_have_no_runs() {
    let mut off = at(daily(1), "2026-01-01T06:00");
    off.enabled = false;
    let t = task(Some("UTC"), vec![off.clone()]);
    check_exact(&t, "2026-01-01T00:00Z", &[]);
    let on = at(daily(1), "2026-01-01T07:00");
    let t = task(Some("UTC"), vec![off, on.clone()]);
    check(&t, "2026-01-01T00:00Z", &["2026-01-01T07:00Z", "2026-01-02T07:00Z"]);
    let mut t = task(Some("UTC"), vec![on]);
    t.enabled = false;
    check_exact(&t, "2026-01-01T00:00Z", &[]);
}

#[test]
fn s5_two_triggers_at_the_same_instant_give_one_run() {
    let t = task(
        Some("UTC"),
        vec![at(weekly(1, &[Monday]), "2026-01-01T06:00"), at(daily(1), "2026-01-01T06:00")],
    );
    check(&t, "2026-01-04T00:00Z", &["2026-01-04T06:00Z", "2026-01-05T06:00Z", "2026-01-06T06:00Z"]);
    let schedule = Schedule::new(&t, &zones()).unwrap();
    let triggers: Vec<usize> = schedule.runs(ts("2026-01-04T00:00Z")).take(3).map(|r| r.trigger).collect();
    // The lowest index of the triggers that fire at the instant.
    assert_eq!(triggers, [1, 0, 1]);
}

#[test]
fn s5_civil_and_pinned_triggers_meeting_give_one_run() {
    // 06:00 London in winter is 06:00Z: both fire at the same instant until BST.
    let pinned = Trigger::new(daily(1)).starting(Start::pinned(civil("2026-03-28T06:00"), offset(0, 0)));
    let t = task(Some("Europe/London"), vec![at(daily(1), "2026-03-28T06:00"), pinned]);
    check(&t, "2026-03-28T00:00Z", &["2026-03-28T06:00Z", "2026-03-29T05:00Z", "2026-03-29T06:00Z"]);
}

#[test]
fn reference_resolve_agrees_with_jiff_compatible_outside_gap_end() {
    // A sanity check of the reference itself: `shift` and `first` are jiff's `compatible`.
    let tz = jiff::tz::db().get("America/New_York").unwrap();
    for s in ["2026-03-08T02:30", "2026-11-01T01:30", "2026-06-01T12:00"] {
        let dt = civil(s);
        let compatible = dt.to_zoned(tz.clone()).unwrap().timestamp();
        let ours = crate::reference::resolve(&tz, dt, GapPolicy::Shift, FoldPolicy::First).unwrap();
        assert_eq!(ours, compatible, "{s}");
    }
}

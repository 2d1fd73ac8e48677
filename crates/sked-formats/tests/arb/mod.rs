//! proptest strategies for the whole task model, valid per `Task::validate`, for the
//! round-trip properties of every format.
//!
//! Each format's tests narrow these to what the format holds; the task file holds all of it.
// Shared by every format's tests; a given test file uses only some of the strategies.
#![allow(dead_code)]

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use sked_core::{
    CronExpr, Duration, End, FoldPolicy, GapPolicy, IdleSettings, MAX_NAME_LEN, MonthDays, MonthSet,
    MultipleInstances, PowerSettings, Priority, Repetition, Start, Task, Trigger, TriggerKind, WeekOfMonth,
    WeekSet, WeekdaySet,
};
use sked_formats::Document;

/// Any string without NUL: the text fields of real tasks, with quotes, backslashes, control
/// characters and non-ASCII letters.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ./_-]{0,20}",
        "[^\\x00]{0,20}",
        Just(r"C:\Windows\System32\cmd.exe".to_string()),
        Just("it's \"quoted\"".to_string()),
    ]
}

/// A string with at least one character that is not white space, and no NUL.
pub fn non_blank() -> impl Strategy<Value = String> {
    text().prop_filter("not blank", |s| !s.trim().is_empty())
}

/// A valid task name: `/`-separated folders, none empty, `.`, `..` or space-padded.
pub fn name() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        "[a-zA-Z0-9_-][a-zA-Z0-9 ._-]{0,10}[a-zA-Z0-9_-]",
        "[a-zA-Z0-9_-]",
        "[\u{e0}-\u{ff}\u{4e00}-\u{4e10}]{1,4}",
    ];
    vec(segment, 1..4).prop_map(|segs| segs.join("/")).prop_filter("valid name", |n| {
        n.chars().count() <= MAX_NAME_LEN && n.split('/').all(|s| s != "." && s != "..")
    })
}

/// Any duration, including fractions of a second and very long ones.
pub fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (0u64..=200_000).prop_map(Duration::from_secs),
        (0u64..=1_000_000_000_000).prop_map(Duration::from_millis),
        select(vec![
            Duration::ZERO,
            Duration::from_mins(10),
            Duration::from_hours(1),
            Duration::from_hours(72),
        ]),
    ]
}

/// A duration longer than zero.
pub fn positive_duration() -> impl Strategy<Value = Duration> {
    duration().prop_filter("positive", |d| !d.is_zero())
}

/// A zone name of a valid form.
pub fn zone() -> impl Strategy<Value = String> {
    select(vec![
        "UTC",
        "Europe/Paris",
        "America/New_York",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Etc/GMT+5",
    ])
    .prop_map(String::from)
}

/// A date in years 0000..=9999, the range RFC 3339 writes.
pub fn date() -> impl Strategy<Value = Date> {
    prop_oneof![
        4 => (1970i16..=2100, 1i8..=12, 1i8..=31),
        1 => (0i16..=9999, 1i8..=12, 1i8..=31),
    ]
    .prop_map(|(y, m, d)| {
        let last = Date::new(y, m, 1).map(|first| first.days_in_month()).unwrap_or(28);
        Date::new(y, m, d.min(last)).unwrap_or(Date::MIN)
    })
}

/// A civil date-time in whole seconds.
pub fn datetime() -> impl Strategy<Value = DateTime> {
    (date(), 0i8..24, 0i8..60, 0i8..60).prop_map(|(d, h, m, s)| d.at(h, m, s, 0))
}

/// Any offset jiff holds, mostly whole quarter hours as real zones use.
pub fn offset() -> impl Strategy<Value = Offset> {
    prop_oneof![
        4 => (-56i32..=56).prop_map(|q| q * 15 * 60),
        1 => -93_599i32..=93_599,
    ]
    .prop_map(|s| Offset::from_seconds(s).unwrap_or(Offset::UTC))
}

/// A civil or pinned start, sometimes with milliseconds.
pub fn start() -> impl Strategy<Value = Start> {
    (datetime(), option::of(offset()), prop_oneof![3 => Just(0i32), 1 => 1i32..1000])
        .prop_map(|(datetime, offset, ms)| Start { datetime: with_nanos(datetime, ms * 1_000_000), offset })
}

/// An end at or after `start` (or anywhere, without a start): a date or a date-time, with
/// or without an offset, sometimes with a fraction of a second.
pub fn end_after(start: Option<Start>) -> BoxedStrategy<End> {
    let Some(start) = start else {
        return prop_oneof![
            date().prop_map(End::Date),
            (datetime(), option::of(offset()), 0i32..1_000_000_000)
                .prop_map(|(dt, offset, ns)| { End::At { datetime: with_nanos(dt, ns), offset } }),
        ]
        .boxed();
    };
    // A pinned start compares by instant against an end with an offset: give the end the
    // same offset (or none, compared as civil time) so "after" is plain.
    let offsets = match start.offset {
        Some(o) => prop_oneof![Just(None), Just(Some(o))].boxed(),
        None => option::of(offset()).boxed(),
    };
    (0i64..=3 * 366 * 86_400, offsets, 0i32..1_000_000_000, any::<bool>())
        .prop_map(move |(secs, offset, ns, as_date)| {
            let dt =
                start.datetime.checked_add(jiff::SignedDuration::from_secs(secs)).unwrap_or(start.datetime);
            if as_date {
                End::Date(dt.date())
            } else {
                let datetime = if ns % 4 == 0 { with_nanos(dt, ns) } else { dt };
                End::At { datetime, offset }
            }
        })
        .boxed()
}

fn with_nanos(dt: DateTime, ns: i32) -> DateTime {
    dt.with().subsec_nanosecond(ns).build().unwrap_or(dt)
}

/// A valid repetition; `needs_for` for `cron`, which repeats only within a window.
pub fn repetition(needs_for: bool) -> impl Strategy<Value = Repetition> {
    (60u64..=2 * 86_400, 1u64..=86_400, any::<bool>(), any::<bool>()).prop_map(
        move |(every, extra, has_for, stop)| {
            let has_for = has_for || needs_for;
            let every = Duration::from_secs(every);
            let duration = has_for.then(|| Duration::from_millis(every.as_millis() + extra * 1000));
            Repetition { every, duration, stop_at_end: has_for && stop }
        },
    )
}

fn every() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 1u32..=12, 1 => 1u32..=u32::MAX]
}

fn weekdays() -> impl Strategy<Value = WeekdaySet> {
    (1u8..=0x7f).prop_map(WeekdaySet::from_mask)
}

fn months() -> impl Strategy<Value = MonthSet> {
    prop_oneof![Just(MonthSet::ALL), (1u16..=0xfff).prop_map(MonthSet::from_mask)]
}

fn month_days() -> impl Strategy<Value = MonthDays> {
    (1u32..=u32::MAX).prop_map(MonthDays::from_mask)
}

fn weeks() -> impl Strategy<Value = WeekSet> {
    (1u8..32).prop_map(|mask| {
        WeekOfMonth::ALL
            .into_iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, w)| w)
            .collect()
    })
}

/// A valid cron expression: common ones, and random simple fields.
pub fn cron() -> impl Strategy<Value = CronExpr> {
    let fixed = select(vec![
        "0 6 * * mon-fri",
        "*/15 * * * *",
        "30 2 1,15 * *",
        "@daily",
        "0 0 29 2 *",
        "5 4 * * sun",
        "0 22 * * 1-5",
        "0 0 1 jan,jul *",
        "0 12 * * 0,6",
    ])
    .prop_map(String::from);
    let random = (
        0u8..60,
        0u8..24,
        select(vec!["*", "1", "1-15", "*/2", "13"]),
        select(vec!["*", "1", "jun-aug", "*/3"]),
        select(vec!["*", "0", "mon-fri", "sat,sun", "7"]),
    )
        .prop_map(|(m, h, dom, mon, dow)| format!("{m} {h} {dom} {mon} {dow}"));
    prop_oneof![fixed, random].prop_map(|s| s.parse().unwrap_or_else(|_| "@daily".parse().unwrap()))
}

/// Every trigger kind, with valid settings.
pub fn kind() -> impl Strategy<Value = TriggerKind> {
    prop_oneof![
        Just(TriggerKind::Once),
        every().prop_map(|every| TriggerKind::Daily { every }),
        (every(), weekdays()).prop_map(|(every, days)| TriggerKind::Weekly { every, days }),
        (every(), month_days(), months())
            .prop_map(|(every, days, months)| { TriggerKind::Monthly { every, days, months } }),
        (weeks(), weekdays(), months())
            .prop_map(|(weeks, days, months)| { TriggerKind::MonthlyWeekday { weeks, days, months } }),
        cron().prop_map(TriggerKind::Cron),
        duration().prop_map(|delay| TriggerKind::AtStartup { delay }),
        (option::of(non_blank()), duration()).prop_map(|(user, delay)| TriggerKind::AtLogon { user, delay }),
        Just(TriggerKind::OnIdle),
    ]
}

/// A valid trigger of any kind: a start where the kind needs one, end and repetition only
/// on calendar kinds, every DST policy.
pub fn trigger() -> impl Strategy<Value = Trigger> {
    let policies = (
        option::of(duration()),
        any::<bool>(),
        select(GapPolicy::ALL.to_vec()),
        select(FoldPolicy::ALL.to_vec()),
    );
    (kind(), start(), any::<bool>(), policies).prop_flat_map(
        |(kind, start, keep, (random_delay, enabled, dst_gap, dst_fold))| {
            let start = (keep || kind.needs_start()).then_some(start);
            let calendar = kind.is_calendar();
            let is_cron = matches!(kind, TriggerKind::Cron(_));
            let end = if calendar { option::of(end_after(start)).boxed() } else { Just(None).boxed() };
            let repeat = if calendar { option::of(repetition(is_cron)).boxed() } else { Just(None).boxed() };
            (end, repeat).prop_map(move |(end, repeat)| Trigger {
                kind: kind.clone(),
                start,
                end,
                repeat,
                random_delay,
                enabled,
                dst_gap,
                dst_fold,
            })
        },
    )
}

/// Valid idle settings: a positive idle time when starting only if idle.
pub fn idle() -> impl Strategy<Value = IdleSettings> {
    (any::<bool>(), positive_duration(), duration(), any::<bool>(), any::<bool>()).prop_map(
        |(start_only_if_idle, idle_for, wait_up_to, stop, restart)| IdleSettings {
            start_only_if_idle,
            idle_for,
            wait_up_to,
            stop_on_idle_end: stop,
            restart_on_idle_resume: restart,
        },
    )
}

/// Any power settings.
pub fn power() -> impl Strategy<Value = PowerSettings> {
    (any::<bool>(), any::<bool>()).prop_map(|(no_start, stop)| PowerSettings {
        no_start_on_batteries: no_start,
        stop_on_batteries: stop,
    })
}

/// Variables: names not empty and without `=`, values anything but NUL.
pub fn environment() -> impl Strategy<Value = BTreeMap<String, String>> {
    let key = prop_oneof!["[A-Z_][A-Z0-9_]{0,8}", "[^=\\x00]{1,8}"];
    btree_map(key, text(), 0..4)
}

/// A valid task with every field drawn.
pub fn task() -> impl Strategy<Value = Task> {
    let what =
        (name(), non_blank(), vec(text(), 0..4), option::of(text()), option::of(text()), option::of(text()));
    let how = (
        any::<bool>(),
        option::of(zone()),
        option::of(non_blank()),
        option::of(positive_duration()),
        select(MultipleInstances::ALL.to_vec()),
        any::<bool>(),
        any::<bool>(),
        select(Priority::ALL.to_vec()),
        any::<bool>(),
    );
    let conditions = (environment(), option::of(idle()), option::of(power()), vec(trigger(), 0..4));
    (what, how, conditions).prop_map(
        |(
            (name, command, args, working_dir, comment, author),
            (
                enabled,
                time_zone,
                run_as,
                max_run_time,
                multiple_instances,
                start_when_available,
                delete_when_done,
                priority,
                wake_to_run,
            ),
            (environment, idle, power, triggers),
        )| Task {
            name,
            command,
            args,
            working_dir,
            comment,
            author,
            enabled,
            time_zone,
            run_as,
            max_run_time,
            multiple_instances,
            start_when_available,
            delete_when_done,
            priority,
            wake_to_run,
            environment,
            idle,
            power,
            triggers,
        },
    )
}

/// A document of one to four valid tasks.
pub fn document() -> impl Strategy<Value = Document> {
    vec(task(), 1..5).prop_map(Document::from_tasks)
}

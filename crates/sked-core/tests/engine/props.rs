//! The engine against the reference on random tasks.
//!
//! Triggers of every calendar kind, starts biased toward DST transition days and the times
//! around them, random repetitions, ends, DST policies, pinned offsets and several triggers
//! per task, in zones with odd DST. For each: the engine's first runs from a random `from`
//! (near the start or a DST change) up to a bounded horizon equal the reference's, with the
//! same trigger index; `next_run` agrees with `runs`; runs strictly increase.
//!
//! Knobs for local runs (CI uses none of them):
//! - `PROPTEST_CASES=20000`: more cases (512 by default, a few seconds in a debug build);
//! - `SKED_PROPS_RUNS=100`: compare more runs per case (30 by default);
//! - `SKED_SKIP_KNOWN_BUGS=1`: reject the cases that hit the engine bugs already pinned in
//!   `rules.rs` (see [`known_bug`]), to look for new ones;
//! - `SKED_PROPS_STATS=1`: one `STAT` line per case on stderr, to see what was covered.
//!
//! Shrunk failures are kept in `props.proptest-regressions` beside this file and replayed
//! first.

use std::sync::OnceLock;

use jiff::civil::{Date, DateTime, Time, date};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use sked_core::{
    CronExpr, Duration, End, ErrorKind, FoldPolicy, GapPolicy, MonthDays, MonthSet, Repetition, Schedule,
    Start, Task, Trigger, TriggerKind, WeekOfMonth, WeekSet, WeekdaySet, Zones,
};

use crate::reference;

/// How many runs are compared per case (`SKED_PROPS_RUNS` for more in long runs).
fn runs_compared() -> usize {
    std::env::var("SKED_PROPS_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(30)
}
/// How far past `from` runs are compared.
const HORIZON: SignedDuration = SignedDuration::from_hours(24 * 800);

const ZONES: [&str; 7] = [
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Santiago",
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "UTC",
];

fn zone(i: usize) -> TimeZone {
    match ZONES[i] {
        "UTC" => TimeZone::UTC,
        name => jiff::tz::db().get(name).expect("bundled"),
    }
}

/// The transitions of each zone in 2024–2029: (instant, civil time before, civil time after).
fn transitions() -> &'static Vec<Vec<(Timestamp, DateTime, DateTime)>> {
    static T: OnceLock<Vec<Vec<(Timestamp, DateTime, DateTime)>>> = OnceLock::new();
    T.get_or_init(|| {
        (0..ZONES.len())
            .map(|i| {
                let tz = zone(i);
                let from: Timestamp = "2024-01-01T00:00Z".parse().unwrap();
                let until: Timestamp = "2030-01-01T00:00Z".parse().unwrap();
                tz.following(from)
                    .take_while(|t| t.timestamp() < until)
                    .map(|t| {
                        let at = t.timestamp();
                        let before = tz.to_offset(at - SignedDuration::from_secs(1));
                        (at, before.to_datetime(at), t.offset().to_datetime(at))
                    })
                    .collect()
            })
            .collect()
    })
}

/// A day and time picked with a bias toward DST changes.
#[derive(Clone, Debug)]
enum When {
    /// Near transition `i` (modulo the zone's count): its civil date before (or after) the
    /// change, plus `days`.
    NearTransition { i: usize, after: bool, days: i64 },
    /// Any day of 2024–2028 (days after 2024-01-01).
    Any { days: i64 },
}

const TIMES: [(i8, i8); 15] = [
    (0, 0),
    (0, 30),
    (1, 0),
    (1, 30),
    (1, 45),
    (2, 0),
    (2, 15),
    (2, 30),
    (2, 45),
    (3, 0),
    (3, 30),
    (3, 45),
    (23, 0),
    (23, 30),
    (12, 0),
];

fn when() -> impl Strategy<Value = When> {
    prop_oneof![
        6 => (0..20usize, any::<bool>(), prop_oneof![3 => Just(0i64), 2 => -3..=1i64])
            .prop_map(|(i, after, days)| When::NearTransition { i, after, days }),
        4 => (0..365 * 5i64).prop_map(|days| When::Any { days }),
    ]
}

fn time() -> impl Strategy<Value = Time> {
    prop_oneof![
        5 => (0..TIMES.len()).prop_map(|i| Time::constant(TIMES[i].0, TIMES[i].1, 0, 0)),
        4 => (0..24i8, 0..60i8).prop_map(|(h, m)| Time::constant(h, m, 0, 0)),
        1 => (0..24i8, 0..60i8, 0..60i8).prop_map(|(h, m, s)| Time::constant(h, m, s, 0)),
        // Milliseconds: the plans compute on whole seconds and add the fraction back.
        1 => (0..24i8, 0..60i8, prop_oneof![Just(0i8), 0..60i8], prop_oneof![Just(500i32), 1..1000i32])
            .prop_map(|(h, m, s, ms)| Time::constant(h, m, s, ms * 1_000_000)),
    ]
}

fn pick_date(zone_index: usize, w: &When) -> Date {
    match *w {
        When::NearTransition { i, after, days } => {
            let list = &transitions()[zone_index];
            if list.is_empty() {
                return date(2026, 3, 8) + SignedDuration::from_hours(24 * days);
            }
            let (_, before_dt, after_dt) = list[i % list.len()];
            let d = if after { after_dt.date() } else { before_dt.date() };
            d + SignedDuration::from_hours(24 * days)
        }
        When::Any { days } => date(2024, 1, 1) + SignedDuration::from_hours(24 * days),
    }
}

fn mask_set<T>(mask: u32, all: &[T]) -> Vec<T>
where
    T: Copy,
{
    all.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, v)| *v).collect()
}

fn weekdays() -> impl Strategy<Value = WeekdaySet> {
    (1..128u8).prop_map(WeekdaySet::from_mask)
}

fn months() -> impl Strategy<Value = MonthSet> {
    prop_oneof![
        1 => Just(MonthSet::ALL),
        1 => (1..0x1000u16).prop_map(MonthSet::from_mask),
        1 => (1..=12i8).prop_map(|m| MonthSet::EMPTY.with(m)),
    ]
}

fn month_days() -> impl Strategy<Value = MonthDays> {
    let day = prop_oneof![
        2 => prop::sample::select(vec![1u8, 15, 28, 29, 30, 31]),
        1 => 1..=31u8,
    ];
    (prop::collection::vec(day, 0..3), any::<bool>()).prop_map(|(days, last)| {
        let mut set = days.into_iter().fold(MonthDays::EMPTY, |s, d| s.with_day(d));
        if last || set.is_empty() {
            set = set.with_last();
        }
        set
    })
}

fn weeks() -> impl Strategy<Value = WeekSet> {
    (1..32u32).prop_map(|mask| mask_set(mask, &WeekOfMonth::ALL).into_iter().collect())
}

/// One cron field: `*`, `*/k`, `a`, `a,b`, `a-b`, `a-b/k`, `a/k` over `lo..=hi`, with
/// values drawn from `favourites` half the time.
fn cron_field(lo: u32, hi: u32, favourites: Vec<u32>) -> BoxedStrategy<String> {
    let value = prop_oneof![1 => prop::sample::select(favourites), 1 => lo..=hi];
    let step = 1..=((hi - lo) / 2).max(1);
    prop_oneof![
        3 => Just("*".to_string()),
        2 => step.clone().prop_map(|k| format!("*/{k}")),
        3 => value.clone().prop_map(|a| a.to_string()),
        2 => (value.clone(), value.clone()).prop_map(|(a, b)| format!("{a},{b}")),
        2 => (value.clone(), value.clone()).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b))),
        1 => (value.clone(), value.clone(), step.clone())
            .prop_map(|(a, b, k)| format!("{}-{}/{k}", a.min(b), a.max(b))),
        1 => (value, step).prop_map(|(a, k)| format!("{a}/{k}")),
    ]
    .boxed()
}

fn cron() -> BoxedStrategy<CronExpr> {
    let names = prop::sample::select(vec!["*", "mon-fri", "sat,sun", "fri", "7", "Mon-FRI/2", "sun-sat"])
        .prop_map(str::to_string);
    let month_names =
        prop::sample::select(vec!["feb", "mar-apr", "oct,nov", "JAN-mar/2", "Sep"]).prop_map(str::to_string);
    let fields = (
        cron_field(0, 59, vec![0, 15, 30, 45, 59]),
        cron_field(0, 23, vec![0, 1, 2, 3, 23]),
        cron_field(1, 31, vec![1, 13, 28, 29, 30, 31]),
        prop_oneof![3 => cron_field(1, 12, vec![2, 3, 4, 9, 10, 11]), 1 => month_names],
        prop_oneof![3 => cron_field(0, 7, vec![0, 5, 6, 7]), 1 => names],
    )
        .prop_map(|(m, h, dom, mon, dow)| format!("{m} {h} {dom} {mon} {dow}"));
    let macros = prop::sample::select(vec!["@daily", "@hourly", "@weekly", "@monthly", "@yearly"])
        .prop_map(str::to_string);
    prop_oneof![12 => fields, 1 => macros]
        .prop_map(|text| text.parse().unwrap_or_else(|e| panic!("generated `{text}`: {e}")))
        .boxed()
}

fn kind() -> BoxedStrategy<TriggerKind> {
    prop_oneof![
        1 => Just(TriggerKind::Once),
        2 => prop_oneof![6 => 1..=10u32, 1 => 11..=400u32].prop_map(|every| TriggerKind::Daily { every }),
        2 => (prop_oneof![6 => 1..=4u32, 1 => 5..=60u32], weekdays())
            .prop_map(|(every, days)| TriggerKind::Weekly { every, days }),
        2 => (prop_oneof![6 => 1..=4u32, 1 => 5..=24u32], month_days(), months())
            .prop_map(|(every, days, months)| TriggerKind::Monthly { every, days, months }),
        2 => (weeks(), weekdays(), months())
            .prop_map(|(weeks, days, months)| TriggerKind::MonthlyWeekday { weeks, days, months }),
        2 => cron().prop_map(TriggerKind::Cron),
    ]
    .boxed()
}

/// Repetition: every 1..180 minutes, for up to 30 hours (often a multiple of the interval,
/// to hit the inclusive end) or indefinitely; now and then an interval in whole seconds, or
/// a long one (up to 3 days, for up to 10 days) so that windows of several days overlap.
#[derive(Clone, Debug)]
struct RepeatSpec {
    /// Seconds.
    every: u64,
    /// Seconds.
    length: Option<u64>,
    multiple: bool,
    stop_at_end: bool,
}

fn repeat_spec() -> BoxedStrategy<Option<RepeatSpec>> {
    let minutes = prop_oneof![
        2 => prop::sample::select(vec![1u64, 5, 10, 15, 30, 45, 60, 90, 120, 180]),
        1 => 1..=180u64,
    ];
    let usual = (minutes, prop_oneof![1 => Just(None), 3 => (60..=1800u64).prop_map(Some)])
        .prop_map(|(every, length)| (every * 60, length.map(|l| l * 60)));
    let seconds = (60..=7200u64, prop_oneof![1 => Just(None), 3 => (3600..=30 * 3600u64).prop_map(Some)]);
    let long = (181..=3 * 1440u64, prop_oneof![1 => Just(None), 3 => (1440..=10 * 1440u64).prop_map(Some)])
        .prop_map(|(every, length)| (every * 60, length.map(|l| l * 60)));
    let interval = prop_oneof![8 => usual, 1 => seconds, 1 => long];
    prop_oneof![
        1 => Just(None),
        1 => (interval, any::<bool>(), any::<bool>()).prop_map(|((every, length), multiple, stop)| {
            Some(RepeatSpec { every, length, multiple, stop_at_end: stop })
        }),
    ]
    .boxed()
}

fn repetition(spec: &RepeatSpec, cron: bool) -> Repetition {
    let mut length = spec.length;
    if length.is_none() && cron {
        length = Some(24 * 3600);
    }
    let length = length.map(|l| {
        let l = if spec.multiple { l - l % spec.every } else { l };
        l.max(spec.every + 1)
    });
    Repetition {
        every: Duration::from_secs(spec.every),
        duration: length.map(Duration::from_secs),
        stop_at_end: spec.stop_at_end && length.is_some(),
    }
}

#[derive(Clone, Debug)]
enum EndSpec {
    None,
    Date { days: i64 },
    At { minutes: i64, with_offset: bool },
}

fn end_spec() -> BoxedStrategy<EndSpec> {
    let days = prop_oneof![1 => 0..=3i64, 2 => 0..=60i64];
    prop_oneof![
        2 => Just(EndSpec::None),
        1 => days.prop_map(|days| EndSpec::Date { days }),
        1 => (prop_oneof![1 => 0..=3 * 1440i64, 2 => 0..=60 * 1440i64], any::<bool>())
            .prop_map(|(minutes, with_offset)| EndSpec::At { minutes, with_offset }),
    ]
    .boxed()
}

const OFFSETS: [i32; 12] = [
    -12 * 3600,
    14 * 3600,
    -5 * 3600,
    -4 * 3600,
    -3 * 3600,
    0,
    3600,
    5 * 3600 + 1800,
    10 * 3600 + 1800,
    11 * 3600,
    12 * 3600 + 2700,
    13 * 3600 + 2700,
];

#[derive(Clone, Debug)]
struct TriggerSpec {
    kind: TriggerKind,
    when: When,
    time: Time,
    /// Cron only: whether the start is given.
    has_start: bool,
    pinned: Option<usize>,
    repeat: Option<RepeatSpec>,
    end: EndSpec,
    gap: GapPolicy,
    fold: FoldPolicy,
    enabled: bool,
    /// Use the first trigger's start instead of this one's.
    share_start: bool,
}

fn trigger_spec() -> BoxedStrategy<TriggerSpec> {
    (
        kind(),
        when(),
        time(),
        prop_oneof![3 => Just(true), 2 => Just(false)],
        prop_oneof![6 => Just(None), 1 => (0..=OFFSETS.len()).prop_map(Some)],
        repeat_spec(),
        end_spec(),
        prop::sample::select(GapPolicy::ALL.to_vec()),
        prop::sample::select(FoldPolicy::ALL.to_vec()),
        prop_oneof![19 => Just(true), 1 => Just(false)],
        any::<bool>(),
    )
        .prop_map(|(kind, when, time, has_start, pinned, repeat, end, gap, fold, enabled, share_start)| {
            TriggerSpec { kind, when, time, has_start, pinned, repeat, end, gap, fold, enabled, share_start }
        })
        .boxed()
}

/// Where `from` is put.
#[derive(Clone, Debug)]
enum FromSpec {
    /// The first trigger's start, plus minutes.
    NearStart { minutes: i64 },
    /// The zone's transition nearest after the first trigger's start, plus minutes.
    NearTransition { minutes: i64 },
    /// Up to 60 days after the start.
    Later { seconds: i64 },
    /// At one of the reference's first runs from a day before the start, plus seconds.
    AtRun { index: usize, seconds: i64 },
    /// Long before the start.
    Before { days: i64 },
    /// Long after the start.
    Long { seconds: i64 },
}

fn from_spec() -> impl Strategy<Value = (FromSpec, bool)> {
    (
        prop_oneof![
            4 => prop_oneof![2 => Just(0i64), 3 => -120..=120i64, 1 => -3000..=3000i64]
                .prop_map(|minutes| FromSpec::NearStart { minutes }),
            3 => prop_oneof![1 => Just(0i64), 3 => -180..=180i64]
                .prop_map(|minutes| FromSpec::NearTransition { minutes }),
            2 => (0..60 * 86400i64).prop_map(|seconds| FromSpec::Later { seconds }),
            4 => (0..40usize, prop_oneof![2 => Just(0i64), 1 => Just(1), 1 => Just(-1), 2 => -7200..=7200i64])
                .prop_map(|(index, seconds)| FromSpec::AtRun { index, seconds }),
            1 => (1..=2000i64).prop_map(|days| FromSpec::Before { days }),
            1 => (0..3 * 366 * 86400i64).prop_map(|seconds| FromSpec::Long { seconds }),
        ],
        prop_oneof![9 => Just(false), 1 => Just(true)],
    )
}

#[derive(Clone, Debug)]
struct CaseSpec {
    zone: usize,
    named_zone: bool,
    task_enabled: bool,
    triggers: Vec<TriggerSpec>,
    from: (FromSpec, bool),
}

fn case_spec(max_triggers: usize) -> impl Strategy<Value = CaseSpec> {
    (
        0..ZONES.len(),
        prop_oneof![6 => Just(true), 1 => Just(false)],
        prop_oneof![30 => Just(true), 1 => Just(false)],
        prop::collection::vec(trigger_spec(), 1..=max_triggers),
        from_spec(),
    )
        .prop_map(|(zone, named_zone, task_enabled, triggers, from)| CaseSpec {
            zone,
            named_zone,
            task_enabled,
            triggers,
            from,
        })
}

/// A built case: the task, the zones to compile it with, the default zone, and `from`.
struct Case {
    task: Task,
    default: TimeZone,
    from: Timestamp,
}

fn is_ambiguous(tz: &TimeZone, dt: DateTime) -> bool {
    !matches!(tz.to_ambiguous_timestamp(dt).offset(), AmbiguousOffset::Unambiguous { .. })
}

fn build(spec: &CaseSpec) -> Case {
    let tz = zone(spec.zone);
    let mut task = Task::new("prop/task", "/bin/true");
    task.enabled = spec.task_enabled;
    task.time_zone = spec.named_zone.then(|| ZONES[spec.zone].to_string());
    let first = &spec.triggers[0];
    let first_start = pick_date(spec.zone, &first.when).to_datetime(first.time);
    for t in &spec.triggers {
        let base =
            if t.share_start { first_start } else { pick_date(spec.zone, &t.when).to_datetime(t.time) };
        let is_cron = matches!(t.kind, TriggerKind::Cron(_));
        let mut trigger = Trigger::new(t.kind.clone());
        let pinned = t.pinned.map(|i| match OFFSETS.get(i) {
            Some(s) => Offset::from_seconds(*s).unwrap(),
            // The zone's own offset at the start.
            None => tz.to_offset(tz.to_ambiguous_timestamp(base).compatible().unwrap()),
        });
        if !is_cron || t.has_start {
            trigger.start = Some(match pinned {
                Some(o) => Start::pinned(base, o),
                None => Start::civil(base),
            });
        }
        let trigger_tz = pinned.map_or(tz.clone(), TimeZone::fixed);
        trigger.end = match t.end {
            EndSpec::None => None,
            EndSpec::Date { days } => Some(End::Date(base.date() + SignedDuration::from_hours(24 * days))),
            EndSpec::At { minutes, with_offset } => {
                let mut dt = base + SignedDuration::from_mins(minutes);
                if with_offset || pinned.is_some() {
                    // An instant: the offset of the start (pinned) or of the zone there.
                    let o = pinned
                        .unwrap_or_else(|| tz.to_offset(tz.to_ambiguous_timestamp(dt).compatible().unwrap()));
                    Some(End::At { datetime: dt, offset: Some(o) })
                } else {
                    // Keep civil end boundaries out of gaps and folds (the rules do not say
                    // what they mean there; see `reference::bound_instant`).
                    while is_ambiguous(&trigger_tz, dt) {
                        dt += SignedDuration::from_mins(30);
                    }
                    Some(End::At { datetime: dt, offset: None })
                }
            }
        };
        trigger.repeat = t.repeat.as_ref().map(|r| repetition(r, is_cron));
        trigger.dst_gap = t.gap;
        trigger.dst_fold = t.fold;
        trigger.enabled = t.enabled;
        task.triggers.push(trigger);
    }
    let start_instant = tz.to_ambiguous_timestamp(first_start).compatible().unwrap();
    let (from_spec, subsecond) = &spec.from;
    let mut from = match *from_spec {
        FromSpec::NearStart { minutes } => start_instant + SignedDuration::from_mins(minutes),
        FromSpec::NearTransition { minutes } => {
            let near = transitions()[spec.zone]
                .iter()
                .map(|(t, _, _)| *t)
                .find(|t| *t >= start_instant - SignedDuration::from_hours(48))
                .unwrap_or(start_instant);
            near + SignedDuration::from_mins(minutes)
        }
        FromSpec::Later { seconds } => start_instant + SignedDuration::from_secs(seconds),
        FromSpec::Before { days } => start_instant - SignedDuration::from_hours(24 * days),
        FromSpec::Long { seconds } => start_instant + SignedDuration::from_secs(seconds),
        FromSpec::AtRun { index, seconds } => {
            let early = start_instant - SignedDuration::from_hours(24);
            let runs = reference::task_runs(&task, &tz, early, early + HORIZON, 40);
            let at = if runs.is_empty() { start_instant } else { runs[index % runs.len()].0 };
            at + SignedDuration::from_secs(seconds)
        }
    };
    if *subsecond {
        from += SignedDuration::from_millis(500);
    }
    Case { task, default: tz, from }
}

fn show(tz: &TimeZone, runs: &[(Timestamp, usize)]) -> Vec<String> {
    runs.iter().map(|(t, i)| format!("{} #{i}", t.to_zoned(tz.clone()))).collect()
}

/// Engine bugs already found, described, and pinned by failing tests in `rules.rs`. The
/// property tests skip the cases that hit them only when `SKED_SKIP_KNOWN_BUGS` is set (to
/// look for further bugs in long local runs); CI runs without it, so they fail until fixed.
fn known_bug(task: &Task, default: &TimeZone) -> Option<&'static str> {
    let tz = reference::task_zone(task, default);
    for t in &task.triggers {
        if let (TriggerKind::Cron(_), Some(start)) = (&t.kind, t.start) {
            let zone = reference::trigger_zone(t, &tz);
            let policy_matters = match zone.to_ambiguous_timestamp(start.datetime).offset() {
                AmbiguousOffset::Unambiguous { .. } => false,
                AmbiguousOffset::Gap { .. } => t.dst_gap == GapPolicy::Shift,
                AmbiguousOffset::Fold { .. } => t.dst_fold == FoldPolicy::Second,
            };
            if policy_matters {
                // rules::s2_cron_start_in_a_fold_with_second_is_the_later_instant and
                // rules::s2_cron_start_in_a_gap_with_shift_is_the_shifted_instant.
                return Some("cron: the start bound ignores the fold/gap policy");
            }
        }
        if let TriggerKind::Cron(c) = &t.kind {
            let fields: Vec<&str> = c.as_str().split_whitespace().collect();
            if fields.len() == 5 && [fields[2], fields[4]].iter().any(|f| f.starts_with("*/") && *f != "*/1")
            {
                // rules::s2_cron_stepped_day_of_month_alone_filters and neighbours.
                return Some("cron: a `*/k` day field is ignored");
            }
        }
    }
    None
}

fn skip_known_bugs() -> bool {
    std::env::var_os("SKED_SKIP_KNOWN_BUGS").is_some()
}

/// With `SKED_PROPS_STATS` set, one line per case on stderr (`STAT ...`), to measure what
/// the generators cover.
fn stat(line: impl FnOnce() -> String) {
    if std::env::var_os("SKED_PROPS_STATS").is_some() {
        eprintln!("STAT {}", line());
    }
}

/// The property: the engine agrees with the reference on `case`.
fn agree(case: &Case) -> Result<(), TestCaseError> {
    if let Some(why) = skip_known_bugs().then(|| known_bug(&case.task, &case.default)).flatten() {
        stat(|| format!("rejected: {why}"));
        return Err(TestCaseError::reject(why));
    }
    let zones = Zones::new(jiff::tz::db().clone(), case.default.clone());
    let task = &case.task;
    let never: Vec<usize> = task
        .triggers
        .iter()
        .enumerate()
        .filter(|(_, t)| task.enabled && t.enabled && !reference::some_day_matches(t, 50))
        .map(|(i, _)| i)
        .collect();
    let schedule = match Schedule::new(task, &zones) {
        Ok(s) => {
            prop_assert!(
                never.is_empty(),
                "the engine accepts triggers {never:?} that match no day in 50 years"
            );
            s
        }
        Err(e) => {
            prop_assert!(
                e.problems().iter().all(|p| p.kind == ErrorKind::NeverFires),
                "generated an invalid task: {e}"
            );
            prop_assert!(!never.is_empty(), "the engine rejects a trigger that fires: {e}");
            stat(|| "never".into());
            return Ok(());
        }
    };
    let horizon = case.from + HORIZON;
    let n = runs_compared();
    let expected = reference::task_runs(task, &case.default, case.from, horizon, n);
    let actual: Vec<(Timestamp, usize)> =
        schedule.runs(case.from).take_while(|r| r.at <= horizon).take(n).map(|r| (r.at, r.trigger)).collect();
    let tz = reference::task_zone(task, &case.default);
    prop_assert_eq!(
        show(&tz, &actual),
        show(&tz, &expected),
        "engine (left) vs reference (right) from {} for {:#?}",
        case.from.to_zoned(tz.clone()),
        task.triggers
    );
    stat(|| {
        let kinds: Vec<&str> = task.triggers.iter().map(|t| t.kind.key()).collect();
        format!("{} runs={}", kinds.join("+"), actual.len())
    });
    prop_assert!(actual.windows(2).all(|w| w[0].0 < w[1].0), "not increasing");
    let next = schedule.next_run(case.from).map(|r| r.at);
    match actual.first() {
        Some((first, _)) => prop_assert_eq!(next, Some(*first), "next_run(from)"),
        None => prop_assert!(next.is_none_or(|t| t > horizon), "next_run(from) = {next:?}"),
    }
    for (i, (t, _)) in actual.iter().enumerate().take(5) {
        prop_assert_eq!(schedule.next_run(*t).map(|r| r.at), Some(*t), "next_run at a run");
        if let Some((after, _)) = actual.get(i + 1) {
            let just_after = *t + SignedDuration::from_nanos(1);
            prop_assert_eq!(
                schedule.next_run(just_after).map(|r| r.at),
                Some(*after),
                "next_run just after a run"
            );
        }
    }
    Ok(())
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(512);
    ProptestConfig {
        cases,
        max_global_rejects: cases.saturating_mul(4),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// One trigger of any calendar kind.
    #[test]
    fn engine_matches_reference_one_trigger(spec in case_spec(1)) {
        agree(&build(&spec))?;
    }

    /// Several triggers in one task: the union, each instant once, lowest trigger index.
    #[test]
    fn engine_matches_reference_several_triggers(spec in case_spec(3)) {
        agree(&build(&spec))?;
    }
}

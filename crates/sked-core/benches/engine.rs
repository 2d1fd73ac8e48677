//! The calendar engine against the `cron` and `croner` crates, on the schedules all of them
//! can express, in one run: the next run after an instant, and the next 1,000 runs.
//!
//! Run with `cargo bench -p sked-core --bench engine`. Targets (issue 2): at least 5× faster
//! than `cron` and 2× faster than `croner` for the next run; under 200 ns per next run for
//! plain daily and weekly triggers.

use std::hint::black_box;
use std::str::FromStr;

use chrono::TimeZone as _;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use jiff::civil::date;
use jiff::tz::TimeZone;
use sked_core::{
    CronExpr, MonthDays, MonthSet, Repetition, Schedule, Start, Task, Trigger, TriggerKind, WeekOfMonth,
    WeekSet, Weekday, WeekdaySet, Zones,
};

/// The query instants: spread over two years so no answer is cached anywhere, and so DST
/// changes are crossed.
fn instants() -> Vec<Timestamp> {
    let start: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    (0..512).map(|i| start + jiff::SignedDuration::from_secs(i * 123_457)).collect()
}

fn schedule(zone: &str, trigger: Trigger) -> Schedule {
    let mut task = Task::new("bench", "/bin/true");
    task.time_zone = Some(zone.into());
    task.triggers.push(trigger);
    let zones = Zones::new(jiff::tz::db().clone(), TimeZone::UTC);
    Schedule::new(&task, &zones).unwrap()
}

fn at(h: i8, m: i8) -> Start {
    Start::civil(date(2025, 12, 1).at(h, m, 0, 0))
}

fn weekdays() -> WeekdaySet {
    [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday]
        .into_iter()
        .collect()
}

/// One schedule, expressed for each engine that can express it.
struct Case {
    name: &'static str,
    sked: Vec<(&'static str, Schedule)>,
    /// Six-field expression (with seconds) for the `cron` crate.
    cron: Option<&'static str>,
    /// Five-field expression for `croner`.
    croner: Option<&'static str>,
    zone: chrono_tz::Tz,
}

fn cases() -> Vec<Case> {
    let ny = "America/New_York";
    let london = "Europe/London";
    vec![
        Case {
            name: "daily 06:00",
            sked: vec![(
                "daily",
                schedule(ny, Trigger::new(TriggerKind::Daily { every: 1 }).starting(at(6, 0))),
            )],
            cron: Some("0 0 6 * * *"),
            croner: Some("0 6 * * *"),
            zone: chrono_tz::America::New_York,
        },
        Case {
            name: "weekdays 06:00",
            sked: vec![
                (
                    "weekly",
                    schedule(
                        ny,
                        Trigger::new(TriggerKind::Weekly { every: 1, days: weekdays() }).starting(at(6, 0)),
                    ),
                ),
                (
                    "cron",
                    schedule(ny, Trigger::new(TriggerKind::Cron(CronExpr::from_str("0 6 * * 1-5").unwrap()))),
                ),
            ],
            cron: Some("0 0 6 * * Mon-Fri"),
            croner: Some("0 6 * * 1-5"),
            zone: chrono_tz::America::New_York,
        },
        Case {
            name: "every 15 minutes",
            sked: vec![
                (
                    "cron",
                    schedule(
                        ny,
                        Trigger::new(TriggerKind::Cron(CronExpr::from_str("*/15 * * * *").unwrap())),
                    ),
                ),
                (
                    "daily+repeat",
                    schedule(
                        ny,
                        Trigger {
                            repeat: Some(Repetition {
                                every: sked_core::Duration::from_mins(15),
                                duration: Some(sked_core::Duration::from_mins(23 * 60 + 45)),
                                stop_at_end: false,
                            }),
                            ..Trigger::new(TriggerKind::Daily { every: 1 }).starting(at(0, 0))
                        },
                    ),
                ),
            ],
            cron: Some("0 */15 * * * *"),
            croner: Some("*/15 * * * *"),
            zone: chrono_tz::America::New_York,
        },
        Case {
            name: "1st and 15th 02:30 London",
            sked: vec![(
                "monthly",
                schedule(
                    london,
                    Trigger::new(TriggerKind::Monthly {
                        every: 1,
                        days: MonthDays::EMPTY.with_day(1).with_day(15),
                        months: MonthSet::ALL,
                    })
                    .starting(at(2, 30)),
                ),
            )],
            cron: Some("0 30 2 1,15 * *"),
            croner: Some("30 2 1,15 * *"),
            zone: chrono_tz::Europe::London,
        },
        Case {
            name: "last Friday",
            sked: vec![(
                "monthly-weekday",
                schedule(
                    ny,
                    Trigger::new(TriggerKind::MonthlyWeekday {
                        weeks: WeekSet::EMPTY.with(WeekOfMonth::Last),
                        days: WeekdaySet::EMPTY.with(Weekday::Friday),
                        months: MonthSet::ALL,
                    })
                    .starting(at(6, 0)),
                ),
            )],
            // The `cron` crate has no "last weekday of the month".
            cron: None,
            croner: Some("0 6 * * FRI#L"),
            zone: chrono_tz::America::New_York,
        },
    ]
}

fn next_run(c: &mut Criterion) {
    let instants = instants();
    for case in cases() {
        let mut group = c.benchmark_group(format!("next run/{}", case.name));
        for (label, schedule) in &case.sked {
            group.bench_function(BenchmarkId::new("sked", label), |b| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) % instants.len();
                    black_box(schedule.next_run(black_box(instants[i])))
                })
            });
        }
        let chrono_instants: Vec<_> =
            instants.iter().map(|t| case.zone.timestamp_opt(t.as_second(), 0).unwrap()).collect();
        if let Some(expr) = case.cron {
            let s = cron::Schedule::from_str(expr).unwrap();
            group.bench_function("cron", |b| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) % chrono_instants.len();
                    black_box(s.after(black_box(&chrono_instants[i])).next())
                })
            });
        }
        if let Some(expr) = case.croner {
            let s = croner::Cron::from_str(expr).unwrap();
            group.bench_function("croner", |b| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) % chrono_instants.len();
                    black_box(s.find_next_occurrence(black_box(&chrono_instants[i]), true).ok())
                })
            });
        }
        group.finish();
    }
}

fn next_1000(c: &mut Criterion) {
    let from: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    for case in cases() {
        let mut group = c.benchmark_group(format!("next 1000/{}", case.name));
        group.sample_size(20);
        for (label, schedule) in &case.sked {
            group.bench_function(BenchmarkId::new("sked", label), |b| {
                b.iter(|| black_box(schedule.runs(black_box(from)).take(1000).count()))
            });
        }
        let chrono_from = case.zone.timestamp_opt(from.as_second(), 0).unwrap();
        if let Some(expr) = case.cron {
            let s = cron::Schedule::from_str(expr).unwrap();
            group.bench_function("cron", |b| {
                b.iter(|| black_box(s.after(black_box(&chrono_from)).take(1000).count()))
            });
        }
        if let Some(expr) = case.croner {
            let s = croner::Cron::from_str(expr).unwrap();
            group.bench_function("croner", |b| {
                b.iter(|| {
                    black_box(
                        s.iter_from(black_box(chrono_from), croner::Direction::Forward).take(1000).count(),
                    )
                })
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(std::time::Duration::from_millis(300)).measurement_time(std::time::Duration::from_secs(1));
    targets = next_run, next_1000
}
criterion_main!(benches);

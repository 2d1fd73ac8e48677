//! Read and write throughput of the `.job` format, on the real Windows 7 sample and on a
//! synthetic file with many triggers.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiff::civil::date;
use sked_core::{Duration, Repetition, Start, Task, Trigger, TriggerKind, WeekdaySet};
use sked_formats::{Document, ReadOptions, job};

const WINTASK: &[u8] = include_bytes!("../testdata/job/wintask.job");

/// A task with 1000 triggers of every calendar and event type: about 48 KB.
fn many_triggers() -> Vec<u8> {
    let mut task = Task::new("bench/many", r"C:\Windows\System32\cmd.exe");
    task.args = vec!["/c".into(), r"C:\scripts\run all.cmd".into()];
    task.comment = Some("A synthetic task with many triggers.".into());
    for i in 0..1000u32 {
        let kind = match i % 4 {
            0 => TriggerKind::Daily { every: 1 + i % 7 },
            1 => TriggerKind::Weekly { every: 1 + i % 3, days: WeekdaySet::from_mask((i % 127 + 1) as u8) },
            2 => TriggerKind::Once,
            _ => TriggerKind::AtStartup { delay: Duration::ZERO },
        };
        let mut t = Trigger::new(kind);
        if !t.kind.is_event() {
            let day = date(2026, 1, 1).checked_add(jiff::Span::new().days(i64::from(i))).unwrap();
            t.start = Some(Start::civil(day.at((i % 24) as i8, (i % 60) as i8, 0, 0)));
            t.repeat = Some(Repetition {
                every: Duration::from_mins(15),
                duration: Some(Duration::from_mins(60)),
                stop_at_end: i % 2 == 0,
            });
        }
        task.triggers.push(t);
    }
    job::write(&Document::from_tasks([task])).unwrap()
}

fn bench(c: &mut Criterion) {
    let opts = ReadOptions::default();
    let many = many_triggers();
    for (name, bytes) in [("wintask.job", WINTASK), ("1000-triggers.job", &many[..])] {
        let doc = job::read(bytes, &opts).unwrap();
        assert_eq!(job::write(&doc).unwrap(), bytes);
        let mut g = c.benchmark_group(format!("job/{name}"));
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function("read", |b| b.iter(|| job::read(black_box(bytes), &opts)));
        g.bench_function("write", |b| b.iter(|| job::write(black_box(&doc))));
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

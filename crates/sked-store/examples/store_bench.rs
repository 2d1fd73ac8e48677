//! Measures the store at the size the service must handle: 100,000 tasks inserted in one
//! transaction, the daemon's startup load, `list`, and the round trips of a create and a claim
//! with each durability.
//!
//! `cargo run -p sked-store --release --example store_bench [TASKS] [DIR]`; DIR defaults to a
//! temporary directory (on the disk that holds it: fsync costs what that disk costs).

use std::{
    env,
    time::{Duration, Instant},
};

use jiff::{SignedDuration, Timestamp};
use sked_store::{
    ChangeSet, Durability, HistoryQuery, Occurrence, OpenOptions, Outcome, RunEnd, RunStart, Scope, Store,
    TaskDef, TaskFilter, Upsert,
};

fn definition(i: usize) -> Vec<u8> {
    format!(
        "name = \"load/{i:06}\"\ncommand = \"/usr/local/bin/report\"\narguments = [\"--daily\", \"{i}\"]\n\
         working_directory = \"/srv/reports\"\nmax_run_time = \"PT72H\"\n\n[[trigger]]\nkind = \"daily\"\n\
         every = 1\nstart = \"2026-03-23T06:00:00\"\n"
    )
    .into_bytes()
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

/// The mean and the 99th percentile of `n` calls of `f`.
fn latency(n: usize, mut f: impl FnMut(usize)) -> (Duration, Duration) {
    let mut all: Vec<Duration> = (0..n).map(|i| time(|| f(i)).1).collect();
    all.sort();
    (all.iter().sum::<Duration>() / n as u32, all[n * 99 / 100])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(100_000);
    let tmp = tempfile::tempdir()?;
    let dir = env::args().nth(2).map(Into::into).unwrap_or_else(|| tmp.path().to_owned());
    let path = dir.join("bench.db");
    let _ = std::fs::remove_file(&path);
    let defs = definition(0).len();
    println!("{n} tasks of ~{defs} bytes each, store {}", path.display());

    let store = OpenOptions::new().open(&path)?;
    let changes = ChangeSet {
        upserts: (0..n)
            .map(|i| Upsert {
                owner_uid: 1000 + (i % 10) as u32,
                def: TaskDef::new(format!("load/{i:06}"), definition(i)),
                source: None,
                expected_version: None,
            })
            .collect(),
        ..ChangeSet::default()
    };
    let (applied, insert) = time(|| store.apply(Scope::All, &changes));
    assert_eq!(applied?.created.len(), n);
    println!("insert {n} in one transaction (apply):      {insert:>10.1?}");
    drop(store);

    let ((store, tasks, states), ready) = time(|| {
        let store = OpenOptions::new().open(&path).unwrap();
        let tasks = store.list(&TaskFilter::new(Scope::All)).unwrap();
        let states = store.task_states(Scope::All).unwrap();
        (store, tasks, states)
    });
    assert_eq!((tasks.len(), states.len()), (n, n));
    println!("daemon ready: open + list all + all states: {ready:>10.1?}");
    let (all, list) = time(|| store.list(&TaskFilter::new(Scope::All)).unwrap().len());
    println!("list all ({all}):                          {list:>10.1?}");
    let (mine, list_owner) = time(|| store.list(&TaskFilter::new(Scope::Owner(1003))).unwrap().len());
    println!("list one owner ({mine}):                    {list_owner:>10.1?}");
    let (prefixed, list_prefix) =
        time(|| store.list(&TaskFilter::new(Scope::All).with_name_prefix("load/0999")).unwrap().len());
    println!("list by name prefix ({prefixed}):               {list_prefix:>10.1?}");
    let (mean, p99) = latency(1000, |i| {
        store
            .get_by_name(1000 + (i % 10) as u32, &format!("load/{:06}", i * 7 % n - i * 7 % n % 10 + i % 10))
            .unwrap();
    });
    println!("get_by_name, mean / p99:                    {mean:>10.1?} / {p99:.1?}");
    drop(store);

    for durability in [Durability::Full, Durability::Claims, Durability::Normal] {
        let store = OpenOptions::new().durability(durability).open(&path)?;
        let tag = format!("{durability:?}");
        let (mean, p99) = latency(300, |i| {
            store.create(2000, &TaskDef::new(format!("{tag}/{i}"), definition(i)), None).unwrap();
        });
        println!("{tag:>12}: create, mean / p99:          {mean:>10.1?} / {p99:.1?}");
        let task = store.get_by_name(2000, &format!("{tag}/0"))?.id;
        let base: Timestamp = "2026-01-01T00:00:00Z".parse()?;
        let at = |i: usize| Occurrence::new(base + SignedDuration::from_mins(i as i64), 0);
        let (mean, p99) = latency(300, |i| {
            store.claim(task, Some(at(i)), "bench").unwrap().unwrap();
        });
        println!("{tag:>12}: claim, mean / p99:           {mean:>10.1?} / {p99:.1?}");
        let (mean, p99) = latency(300, |i| {
            assert!(store.claim(task, Some(at(i)), "bench").unwrap().is_none());
        });
        println!("{tag:>12}: claim lost, mean / p99:      {mean:>10.1?} / {p99:.1?}");
        let (mean, p99) = latency(300, |i| {
            let run = store.claim(task, Some(at(1000 + i)), "bench").unwrap().unwrap();
            let start = RunStart { started_at: base, pid: Some(1), log_path: Some("/var/log/sked/x".into()) };
            store.start_run(run, "bench", &start).unwrap();
            store.finish_run(run, "bench", &RunEnd::new(Outcome::Succeeded, base)).unwrap();
        });
        println!("{tag:>12}: claim+start+finish, mean / p99: {mean:>7.1?} / {p99:.1?}");
        let (page, history) =
            time(|| store.history(&HistoryQuery::new(Scope::All, 50).for_task(task)).unwrap());
        assert_eq!(page.entries.len(), 50);
        println!("{tag:>12}: history page of 50:          {history:>10.1?}");
    }
    Ok(())
}

//! The service's benchmarks, run in one go; prints its figures.
//!
//! `cargo run --release -p sked-daemon --example service_bench [burst|lateness|load|all]`
//!
//! - burst: 2,000 tasks due at the same instant running `/bin/true`: the time from that
//!   instant until all have started, against a plain loop spawning the same 2,000 processes
//!   in the same run (target: at least 80% of the raw rate).
//! - lateness: 10,000 tasks due over 60 s: start minus scheduled time, p50 and p99, with the
//!   default store durability (claims flushed to disk) and with `normal`. sked
//!   schedules whole seconds, so 10,000 runs over 60 s are about 167 due in each second;
//!   the figures are given for all runs and for the first run of each second (the wake-up).
//! - load: 100,000 tasks in the store, the service (`service::run`, as `sked daemon` runs
//!   it, with the same allocator) in a process of its own (this program, run as
//!   `service_bench serve DIR`): time from its start until its socket answers, its resident
//!   memory, listing every task through the client, its context switches over 12 idle
//!   seconds (no wake-ups while nothing is due), and the round trip of a `create` through
//!   the client; with the `sked` binary built next to this program, also `sked list --json`
//!   and `sked create` as a user runs them.
//!
//! The store is a real SQLite file in a temporary directory; the programs are real.

use std::sync::Arc;

/// The allocator of the `sked` binary, so the daemon measured here is the one that runs.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use std::time::{Duration, Instant};

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use sked_api::Client;
use sked_core::{Start, Task, Trigger, TriggerKind, Zones};
use sked_daemon::clock::SystemClock;
use sked_daemon::codec;
use sked_daemon::config::{Config, Overrides};
use sked_daemon::control::Control;
use sked_daemon::scheduler::{Scheduler, SchedulerConfig};
use sked_daemon::service;
use sked_runner::ProcessRunner;
use sked_store::{
    ChangeSet, Durability, HistoryEntry, HistoryQuery, OpenOptions, Scope, SqliteStore, Store, TaskDef,
    Upsert,
};

fn once_at(name: &str, at: Timestamp) -> Task {
    let mut t = Task::new(name, "/bin/true");
    t.time_zone = Some("UTC".into());
    let civil: DateTime = at.to_zoned(TimeZone::UTC).datetime();
    t.triggers.push(Trigger::new(TriggerKind::Once).starting(Start::civil(civil)));
    t
}

fn insert(store: &dyn Store, tasks: &[Task]) {
    let upserts = tasks
        .iter()
        .map(|t| Upsert {
            owner_uid: 0,
            def: TaskDef::new(t.name.clone(), codec::encode(t)),
            source: None,
            expected_version: None,
        })
        .collect();
    store.apply(Scope::All, &ChangeSet { upserts, ..ChangeSet::default() }).unwrap();
}

fn zones() -> Arc<Zones> {
    Arc::new(Zones::new(jiff::tz::db().clone(), TimeZone::UTC))
}

/// A scheduler on the real clock over `store`, running until the returned sender is dropped.
async fn start(
    store: Arc<dyn Store>,
    logs: &std::path::Path,
) -> (Control, tokio::sync::oneshot::Sender<()>, Duration) {
    let t0 = Instant::now();
    let mut cfg = SchedulerConfig::new("bench", logs);
    cfg.boot_id = Some("bench".into());
    let mut s = Scheduler::new(store, Arc::new(ProcessRunner::new()), zones(), Arc::new(SystemClock), cfg);
    s.start().await.unwrap();
    let ready = t0.elapsed();
    let (control, rx) = Control::channel(1024);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(s.run(rx, async move {
        let _ = stopped.await;
    }));
    (control, stop, ready)
}

fn runs(store: &dyn Store) -> Vec<sked_store::RunRecord> {
    let mut out = Vec::new();
    let mut q = HistoryQuery::new(Scope::All, 5000);
    loop {
        let page = store.history(&q).unwrap();
        out.extend(page.entries.into_iter().filter_map(|e| match e {
            HistoryEntry::Run(r) => Some(r),
            HistoryEntry::Missed(_) => None,
        }));
        match page.next {
            Some(c) => q.before = Some(c),
            None => return out,
        }
    }
}

async fn wait_started(store: &Arc<dyn Store>, n: usize, limit: Duration) -> Vec<sked_store::RunRecord> {
    let t0 = Instant::now();
    loop {
        let s = store.clone();
        let r = tokio::task::spawn_blocking(move || runs(s.as_ref())).await.unwrap();
        if r.iter().filter(|r| r.started_at.is_some()).count() >= n || t0.elapsed() > limit {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Rounds of the burst benchmark: this machine's spread from one run to the next is wide,
/// so each round measures the raw loop and sked back to back, and the median ratio is the
/// figure.
const BURST_ROUNDS: usize = 5;

async fn burst() {
    const N: usize = 2000;
    println!("burst: {N} tasks due at one instant running /bin/true, {BURST_ROUNDS} rounds");
    let mut ratios = Vec::new();
    for round in 1..=BURST_ROUNDS {
        // The raw rate: a plain loop spawning the same processes.
        let t0 = Instant::now();
        let mut children: Vec<_> = (0..N)
            .map(|_| std::process::Command::new("/bin/true").spawn().expect("spawn /bin/true"))
            .collect();
        let raw = t0.elapsed();
        for c in &mut children {
            let _ = c.wait();
        }
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("sked.db")).unwrap());
        let due = Timestamp::now().round(jiff::Unit::Second).unwrap() + SignedDuration::from_secs(4);
        let tasks: Vec<Task> = (0..N).map(|i| once_at(&format!("burst/{i}"), due)).collect();
        insert(store.as_ref(), &tasks);
        let (_control, stop, _) = start(store.clone(), &dir.path().join("logs")).await;
        // Reading the history while the burst goes on would take CPU from it: look only
        // once it is surely over (the start times come from the store, not from when they
        // are read).
        let over = due + SignedDuration::try_from(raw * 3).unwrap();
        tokio::time::sleep(over.duration_since(Timestamp::now()).unsigned_abs()).await;
        let records = wait_started(&store, N, Duration::from_secs(60)).await;
        let started: Vec<Timestamp> = records.iter().filter_map(|r| r.started_at).collect();
        let last = started.iter().max().copied().unwrap_or(due);
        let first = started.iter().min().copied().unwrap_or(due);
        let took = last.duration_since(due).as_secs_f64();
        let ratio = raw.as_secs_f64() / took;
        ratios.push(ratio);
        println!(
            "  round {round}: raw spawn loop {:>7.1} ms ({:.0} /s); sked, due -> all started {:>7.1} ms ({:.0} /s, {} of {N}, first after {:.1} ms); ratio {:>3.0} %",
            raw.as_secs_f64() * 1e3,
            N as f64 / raw.as_secs_f64(),
            took * 1e3,
            N as f64 / took,
            started.len(),
            first.duration_since(due).as_secs_f64() * 1e3,
            ratio * 100.0
        );
        drop(stop);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "  sked rate / raw rate: median {:.0} % (min {:.0} %, max {:.0} %)   (target >= 80 %)",
        percentile(&ratios, 0.5) * 100.0,
        ratios[0] * 100.0,
        ratios[ratios.len() - 1] * 100.0
    );
}

async fn lateness(durability: Durability) {
    const N: usize = 10_000;
    const SPAN: i64 = 60;
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(OpenOptions::new().durability(durability).open(dir.path().join("sked.db")).unwrap());
    let first = Timestamp::now().round(jiff::Unit::Second).unwrap() + SignedDuration::from_secs(5);
    // Distinct instants: one every 6 ms (sked schedules to the millisecond).
    let step_ms = SPAN * 1000 / N as i64;
    let tasks: Vec<Task> = (0..N)
        .map(|i| once_at(&format!("late/{i}"), first + SignedDuration::from_millis(i as i64 * step_ms)))
        .collect();
    insert(store.as_ref(), &tasks);
    let (_control, stop, _) = start(store.clone(), &dir.path().join("logs")).await;
    tokio::time::sleep(Duration::from_secs(SPAN as u64 + 5)).await;
    let records = wait_started(&store, N, Duration::from_secs(60)).await;
    let mut all = Vec::new();
    for r in &records {
        let (Some(s), Some(at)) = (r.scheduled_for, r.started_at) else { continue };
        all.push(at.duration_since(s).as_secs_f64() * 1e3);
    }
    all.sort_by(f64::total_cmp);
    let distinct: std::collections::BTreeSet<_> = records.iter().filter_map(|r| r.scheduled_for).collect();
    println!(
        "lateness: {N} tasks due at {} distinct instants over {SPAN} s, one every {step_ms} ms ({} started), store durability {durability:?}",
        distinct.len(),
        all.len()
    );
    println!(
        "  start - scheduled: p50 {:>6.3} ms   p99 {:>6.3} ms   max {:>7.2} ms   (targets: p50 <= 1 ms, p99 <= 5 ms)",
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        all.last().copied().unwrap_or(f64::NAN)
    );
    drop(stop);
    tokio::time::sleep(Duration::from_millis(500)).await;
}

/// A process's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The context switches of each thread of a process, by thread id: a wake-up of any of
/// them is one.
fn context_switches(pid: u32) -> std::collections::HashMap<String, u64> {
    let mut counts = std::collections::HashMap::new();
    if let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for t in dir.flatten() {
            if let Ok(s) = std::fs::read_to_string(t.path().join("status")) {
                let n = s
                    .lines()
                    .filter(|l| l.contains("ctxt_switches"))
                    .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                    .sum();
                counts.insert(t.file_name().to_string_lossy().into_owned(), n);
            }
        }
    }
    counts
}

/// The context switches between two readings, over the threads alive at the second.
fn switches_between(
    before: &std::collections::HashMap<String, u64>,
    after: &std::collections::HashMap<String, u64>,
) -> u64 {
    after.iter().map(|(tid, n)| n.saturating_sub(before.get(tid).copied().unwrap_or(0))).sum()
}

/// The configuration of the service the load benchmark starts in `dir`.
fn load_config(dir: &std::path::Path) -> Config {
    let overrides = Overrides {
        config: Some("/dev/null".into()),
        data_dir: Some(dir.join("data")),
        socket: Some(dir.join("sked.sock")),
        time_zone: Some("UTC".into()),
        ..Overrides::default()
    };
    Config::resolve(nix::unistd::geteuid().as_raw(), &overrides).unwrap()
}

/// `service_bench serve DIR`: the service alone, as `sked daemon` runs it (same code, same
/// allocator), until SIGTERM; the load benchmark measures it from outside.
async fn serve(dir: &std::path::Path) {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).unwrap();
    service::run(load_config(dir), async move {
        term.recv().await;
    })
    .await
    .unwrap();
}

async fn load() {
    const N: usize = 100_000;
    const CREATES: usize = 1000;
    let dir = tempfile::tempdir().unwrap();
    let t0 = Instant::now();
    {
        let store = SqliteStore::open(dir.path().join("data/sked.db")).unwrap();
        let far = Timestamp::now().round(jiff::Unit::Second).unwrap() + SignedDuration::from_hours(24 * 30);
        let tasks: Vec<Task> = (0..N)
            .map(|i| {
                let mut t = once_at(&format!("load/{i:06}"), far + SignedDuration::from_secs(i as i64));
                t.triggers.push(
                    Trigger::new(TriggerKind::Weekly { every: 1, days: sked_core::WeekdaySet::ALL })
                        .starting(Start::civil(far.to_zoned(TimeZone::UTC).datetime())),
                );
                t
            })
            .collect();
        insert(&store, &tasks);
    }
    let inserted = t0.elapsed();
    let client = Client::new(load_config(dir.path()).socket);
    // (a) From the start of the daemon process until its socket answers a request.
    let t0 = Instant::now();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("serve")
        .arg(dir.path())
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    let pid = child.id();
    while client.status().await.is_err() {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let ready = t0.elapsed();
    // (b) The daemon's resident memory, once ready and after the allocator has returned
    // what loading freed (jemalloc's decay is 10 s).
    let rss_ready = rss_kib(pid);
    // Let the loading settle: the runtime's spare blocking threads exit after 10 s idle,
    // and jemalloc returns freed pages over its 10 s decay.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let rss_settled = rss_kib(pid);
    // (c) Idle: nothing is due for a month. Every thread's context switches over 5 s; a
    // scheduler that polled would switch at least once per poll.
    let cs0 = context_switches(pid);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let cs1 = context_switches(pid);
    // (d) The list of every task through the client: the request, the JSON, the parse.
    let mut lists = Vec::new();
    let mut listed = 0;
    for _ in 0..3 {
        let t = Instant::now();
        listed = client.list(None).await.unwrap().tasks.len();
        lists.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let rss_listed = rss_kib(pid);
    // The same through the real command line, when it is built next to this program
    // (`cargo build --release -p sked`): `sked list --json`, its output thrown away.
    let cli = std::env::current_exe().unwrap().parent().and_then(|d| d.parent()).map(|d| d.join("sked"));
    let cli_list = cli.filter(|p| p.exists()).map(|sked| {
        let t = Instant::now();
        let out = std::process::Command::new(sked)
            .args(["list", "--json"])
            .env("SKED_SOCKET", client.socket())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(out.success());
        t.elapsed().as_secs_f64() * 1e3
    });
    // And once the allocator has given back what the lists used.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let rss_after_lists = rss_kib(pid);
    // (e) Creates, one request each, through the client.
    let mut creates = Vec::with_capacity(CREATES);
    for i in 0..CREATES {
        let far = Timestamp::now().round(jiff::Unit::Second).unwrap() + SignedDuration::from_hours(24 * 30);
        let task = once_at(&format!("new/{i:04}"), far);
        let t = Instant::now();
        client.create(&task).await.unwrap();
        creates.push(t.elapsed().as_secs_f64() * 1e3);
    }
    creates.sort_by(f64::total_cmp);
    // The same through the real command line: `sked create NAME --command ... --once ...`,
    // a process per create, as a user would type it.
    let cli = std::env::current_exe().unwrap().parent().and_then(|d| d.parent()).map(|d| d.join("sked"));
    let mut cli_creates = Vec::new();
    if let Some(sked) = cli.filter(|p| p.exists()) {
        for i in 0..200 {
            let t = Instant::now();
            let out = std::process::Command::new(&sked)
                .args([
                    "create",
                    &format!("cli/{i:03}"),
                    "--command",
                    "/bin/true",
                    "--daily",
                    "--at",
                    "06:00",
                ])
                .env("SKED_SOCKET", client.socket())
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            cli_creates.push(t.elapsed().as_secs_f64() * 1e3);
            assert!(out.success());
        }
        cli_creates.sort_by(f64::total_cmp);
    }
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), nix::sys::signal::Signal::SIGTERM)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "the service stopped with {status}");
    println!(
        "load: {N} tasks in the store (inserted in {:.2} s), the service in its own process",
        inserted.as_secs_f64()
    );
    println!(
        "  ready (process start until the socket answers): {:>7.0} ms   (target <= 2000 ms)",
        ready.as_secs_f64() * 1e3
    );
    println!(
        "  resident memory: {:.1} MiB once ready, {:.1} MiB 12 s later, {:.1} MiB just after the lists, {:.1} MiB 12 s after them  (target <= 150 MiB)",
        rss_ready as f64 / 1024.0,
        rss_settled as f64 / 1024.0,
        rss_listed as f64 / 1024.0,
        rss_after_lists as f64 / 1024.0
    );
    println!(
        "  list of all {listed} tasks through the client: {:.0} ms, {:.0} ms, {:.0} ms   (target <= 1000 ms)",
        lists[0], lists[1], lists[2]
    );
    match cli_list {
        Some(ms) => println!("  `sked list --json` of all tasks: {ms:.0} ms   (target <= 1000 ms)"),
        None => println!("  `sked list --json`: not measured (build the sked binary first)"),
    }
    println!(
        "  context switches over 5 idle s: {} (every thread of the daemon; nothing due)",
        switches_between(&cs0, &cs1)
    );
    println!(
        "  create round trip through the client ({CREATES}): p50 {:.2} ms   p99 {:.2} ms   (target p50 <= 10 ms)",
        percentile(&creates, 0.5),
        percentile(&creates, 0.99)
    );
    if !cli_creates.is_empty() {
        println!(
            "  `sked create` round trip ({}): p50 {:.2} ms   p99 {:.2} ms   (target p50 <= 10 ms)",
            cli_creates.len(),
            percentile(&cli_creates, 0.5),
            percentile(&cli_creates, 0.99)
        );
    }
}

#[tokio::main]
async fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    if which == "serve" {
        let dir = std::env::args().nth(2).expect("serve DIR");
        serve(std::path::Path::new(&dir)).await;
        return;
    }
    if matches!(which.as_str(), "burst" | "all") {
        burst().await;
    }
    if matches!(which.as_str(), "lateness" | "all") {
        lateness(Durability::Claims).await;
        lateness(Durability::Normal).await;
    }
    if matches!(which.as_str(), "load" | "all") {
        load().await;
    }
}

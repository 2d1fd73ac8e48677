//! Spawns N (default 2,000) `/bin/true` at once through the runner, and the same N with a
//! plain `std::process::Command` loop, in the same process, and prints how long each took
//! until all had started and until all had finished, and the ratio of the rates.
//!
//! The service's target: the scheduler starts 2,000 due tasks at 80% or more of the raw
//! spawn rate.
//!
//! ```text
//! cargo run --release -p sked-runner --example spawn_bench [N] [ROUNDS] [LOG_DIR]
//! ```
//!
//! The runner's logs go to a temporary directory under `LOG_DIR` (default `/tmp`).
//!
//! Both sides run the same program with the same arguments. The raw loop sends output to
//! `/dev/null` and leaves std free to use `posix_spawn`; the runner does all it does for a
//! task (a passwd lookup, a clean environment, the program's existence check, a log file, a
//! pipe, a pidfd, `clone(CLONE_VM | CLONE_VFORK)` with the set-up before `exec`, a supervisor
//! task per run).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sked_runner::{LogSpec, ProcessRunner, RunIdentity, RunSpec, Runner};

struct Figures {
    started: Duration,
    finished: Duration,
}

fn raw(n: usize) -> Figures {
    let t0 = Instant::now();
    let children: Vec<_> = (0..n)
        .map(|_| {
            Command::new("/bin/true")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn /bin/true")
        })
        .collect();
    let started = t0.elapsed();
    for mut c in children {
        assert!(c.wait().expect("wait").success());
    }
    Figures { started, finished: t0.elapsed() }
}

fn spec(dir: &Path, round: usize, i: usize) -> RunSpec {
    RunSpec::new("/bin/true", LogSpec::new(dir.join(format!("r{round}-{i}.log")))).identity(RunIdentity {
        task: "bench".into(),
        run_id: format!("{round}-{i}"),
        scheduled_time: None,
    })
}

/// All starts from one task, one after the other, as a scheduler loop would issue them;
/// then every run awaited.
async fn runner_loop(runner: Arc<ProcessRunner>, dir: &Path, n: usize, round: usize) -> Figures {
    let t0 = Instant::now();
    let handles: Vec<_> = (0..n).map(|i| runner.start(spec(dir, round, i)).expect("start")).collect();
    let started = t0.elapsed();
    for mut h in handles {
        assert!(h.wait().await.expect("wait").status.success());
    }
    Figures { started, finished: t0.elapsed() }
}

/// One tokio task per run, each starting and awaiting its run, spread over the workers.
async fn runner_tasks(runner: Arc<ProcessRunner>, dir: &Path, n: usize, round: usize) -> Figures {
    let path = Arc::new(dir.to_path_buf());
    let t0 = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let (runner, path) = (runner.clone(), path.clone());
        set.spawn(async move {
            let mut h = runner.start(spec(&path, round, i)).expect("start");
            let started = t0.elapsed();
            assert!(h.wait().await.expect("wait").status.success());
            started
        });
    }
    let mut started = Duration::ZERO;
    while let Some(s) = set.join_next().await {
        started = started.max(s.expect("task"));
    }
    Figures { started, finished: t0.elapsed() }
}

fn log_dir() -> PathBuf {
    std::env::args().nth(3).unwrap_or_else(|| "/tmp".into()).into()
}

fn ms(d: Duration) -> String {
    format!("{:8.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(2000, |a| a.parse().expect("N is a number"));
    let rounds: usize = args.next().map_or(3, |a| a.parse().expect("ROUNDS is a number"));
    // Each live run holds three descriptors; 2,000 at once need more than the usual 1,024.
    let (_, hard) =
        nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE).expect("getrlimit");
    nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE, hard, hard)
        .expect("setrlimit");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let runner = Arc::new(ProcessRunner::new());
    // One directory for every round, removed at the end: removing thousands of logs between
    // rounds would slow the next round's creations on ext4, which skips recently freed inodes
    // for a while, and that is not what a scheduler does between two starts.
    let dir = tempfile::tempdir_in(log_dir()).expect("tempdir");

    // Warm up both paths (page cache, passwd lookups, allocator).
    raw(50);
    rt.block_on(runner_loop(runner.clone(), dir.path(), 50, usize::MAX));

    println!(
        "{n} x /bin/true, {rounds} rounds, {} worker threads, logs under {}",
        rt.metrics().num_workers(),
        log_dir().display()
    );
    println!("{:<28} {:>11} {:>11} {:>14}", "", "all started", "all ended", "start rate");
    let mut secs: [Vec<f64>; 3] = Default::default();
    for round in 0..rounds {
        let figures = [
            ("std::process::Command loop", raw(n)),
            ("runner, starts in a loop", rt.block_on(runner_loop(runner.clone(), dir.path(), n, round))),
            (
                "runner, one task per run",
                rt.block_on(runner_tasks(runner.clone(), dir.path(), n, 1000 + round)),
            ),
        ];
        for (i, (name, f)) in figures.iter().enumerate() {
            let rate = n as f64 / f.started.as_secs_f64();
            secs[i].push(f.started.as_secs_f64());
            println!("{name:<28} {} {} {:>9.0} /s", ms(f.started), ms(f.finished), rate);
        }
    }
    for s in &mut secs {
        s.sort_by(f64::total_cmp);
    }
    for (label, pick) in [("best", 0), ("median", rounds / 2)] {
        let raw_rate = n as f64 / secs[0][pick];
        for (i, name) in [(1, "runner, starts in a loop"), (2, "runner, one task per run")] {
            let rate = n as f64 / secs[i][pick];
            println!(
                "{label} start rate, {name}: {rate:.0} /s = {:.0}% of raw ({raw_rate:.0} /s)",
                100.0 * rate / raw_rate
            );
        }
    }
}

//! The runner against real processes.
//!
//! Tests wait on events (the run's end, a line appearing in its log), never for a fixed
//! time, except where time is what is tested (maximum run time, duration end, grace).

use std::collections::BTreeSet;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sked_runner::{
    ErrorKind, ExitStatus, LogSpec, LogSummary, Outcome, ProcessRunner, RunExit, RunHandle, RunIdentity,
    RunSpec, Runner, StopReason, UserSpec,
};
use tempfile::TempDir;

/// Longer than any run here should take; only reached when something is broken.
const PATIENCE: Duration = Duration::from_secs(30);

struct Fixture {
    dir: TempDir,
    runner: ProcessRunner,
    n: std::cell::Cell<u32>,
}

impl Fixture {
    fn new() -> Self {
        Fixture { dir: tempfile::tempdir().unwrap(), runner: ProcessRunner::new(), n: 0.into() }
    }

    /// A fresh log path in the fixture's directory.
    fn log(&self) -> LogSpec {
        self.n.set(self.n.get() + 1);
        LogSpec::new(self.dir.path().join(format!("run{}.log", self.n.get())))
    }

    fn spec(&self, program: &str, args: &[&str]) -> RunSpec {
        RunSpec::new(program, self.log()).args(args.iter().copied())
    }

    fn start(&self, spec: RunSpec) -> (RunHandle, PathBuf) {
        let path = spec.log.path.clone();
        (self.runner.start(spec).expect("start"), path)
    }

    /// Starts `spec`, waits for its end, returns the exit and the log's text.
    async fn run(&self, spec: RunSpec) -> (RunExit, String) {
        let (mut handle, path) = self.start(spec);
        let exit = wait(&mut handle).await;
        (exit, read(&path))
    }
}

async fn wait(handle: &mut RunHandle) -> RunExit {
    tokio::time::timeout(PATIENCE, handle.wait()).await.expect("the run ended in time").expect("wait")
}

/// The log's text; a run that has written nothing (yet) has no file, which reads as empty.
fn read(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}

/// Waits until the log holds a complete line; returns the log's first line.
async fn first_line(path: &Path) -> String {
    let started = Instant::now();
    loop {
        let text = read(path);
        if let Some((line, _)) = text.split_once('\n') {
            return line.to_owned();
        }
        assert!(started.elapsed() < PATIENCE, "no line in {}", path.display());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Whether `pid` is gone (or a zombie waiting for whoever adopted it).
fn dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

async fn until_dead(pid: u32) -> bool {
    let started = Instant::now();
    while !dead(pid) {
        if started.elapsed() > PATIENCE {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

#[tokio::test]
async fn exit_codes_are_recorded() {
    let f = Fixture::new();
    let (exit, _) = f.run(f.spec("/bin/true", &[])).await;
    assert_eq!(exit.status, ExitStatus::Exited(0));
    assert_eq!(exit.outcome(), Outcome::Succeeded);
    assert_eq!(exit.stopped, None);
    let (exit, _) = f.run(f.spec("/bin/sh", &["-c", "exit 3"])).await;
    assert_eq!(exit.status, ExitStatus::Exited(3));
    assert_eq!(exit.outcome(), Outcome::Failed);
    assert!(exit.ended >= exit.started);
}

#[tokio::test]
async fn a_quiet_run_leaves_no_log_file_and_a_talkative_one_gets_its_file_on_the_first_byte() {
    let f = Fixture::new();
    let spec = f.spec("/bin/true", &[]);
    let path = spec.log.path.clone();
    let (exit, _) = f.run(spec).await;
    assert_eq!(exit.log, LogSummary::default());
    assert!(!path.exists(), "no output, no file");

    let mut spec = f.spec("/bin/sh", &["-c", "sleep 0.3; echo late"]);
    spec.log = LogSpec::new(f.dir.path().join("t.log")).mode(0o640);
    let path = spec.log.path.clone();
    let mut handle = f.runner.start(spec).unwrap();
    assert!(!path.exists(), "created when the program first writes");
    let exit = wait(&mut handle).await;
    assert_eq!(read(&path), "late\n");
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    assert_eq!(exit.log.bytes, 5);
}

#[tokio::test]
async fn signals_are_recorded() {
    let f = Fixture::new();
    let (exit, _) = f.run(f.spec("/bin/sh", &["-c", "kill -USR1 $$"])).await;
    assert_eq!(exit.status, ExitStatus::Signaled(libc::SIGUSR1));
    assert_eq!(exit.outcome(), Outcome::Failed, "a signal nobody asked for is a failure");
    assert_eq!(exit.status.to_string(), "signal 10 (SIGUSR1)");
}

#[tokio::test]
async fn arguments_arrive_exactly_without_a_shell() {
    let f = Fixture::new();
    let args = ["[%s]\n", "a;b", "$HOME", "\"quoted\"", "'single'", "two  words", "", "*", "`id`", "x\\ny"];
    let (exit, log) = f.run(f.spec("printf", &args)).await;
    assert!(exit.status.success());
    assert_eq!(log, "[a;b]\n[$HOME]\n[\"quoted\"]\n['single']\n[two  words]\n[]\n[*]\n[`id`]\n[x\\ny]\n");
}

#[tokio::test]
async fn the_working_directory_is_the_given_one_or_home() {
    let f = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let (_, log) = f.run(f.spec("/bin/pwd", &[]).working_dir(dir.path())).await;
    assert_eq!(log.trim_end(), dir.path().canonicalize().unwrap().to_str().unwrap());
    let (_, log) = f.run(f.spec("/bin/sh", &["-c", "pwd; echo \"$HOME\""])).await;
    let (pwd, home) = log.trim_end().split_once('\n').unwrap();
    if Path::new(home).is_dir() {
        assert_eq!(pwd, home);
    } else {
        assert_eq!(pwd, "/");
    }
}

#[tokio::test]
async fn the_environment_is_the_clean_base_plus_the_task_variables() {
    let f = Fixture::new();
    let identity = RunIdentity {
        task: "reports/weekly".into(),
        run_id: "run-7".into(),
        scheduled_time: Some("2026-03-27T05:00:00Z".into()),
    };
    let spec =
        f.spec("env", &[]).identity(identity).env("GREETING", "hello world").env("LANG", "fr_FR.UTF-8");
    let (exit, log) = f.run(spec).await;
    assert!(exit.status.success());
    let vars: Vec<(&str, &str)> = log.lines().map(|l| l.split_once('=').unwrap()).collect();
    let keys: BTreeSet<&str> = vars.iter().map(|(k, _)| *k).collect();
    let expected: BTreeSet<&str> = [
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "LANG",
        "SKED_TASK",
        "SKED_RUN_ID",
        "SKED_SCHEDULED_TIME",
        "GREETING",
    ]
    .into();
    assert_eq!(keys, expected, "exactly the base and the task's variables");
    assert!(
        std::env::vars_os().any(|(k, _)| !expected.contains(k.to_str().unwrap_or("?"))),
        "the test process has variables of its own that must not leak"
    );
    let get = |k: &str| vars.iter().find(|(key, _)| *key == k).unwrap().1;
    assert_eq!(get("PATH"), sked_runner::CLEAN_PATH);
    assert_eq!(get("LANG"), "fr_FR.UTF-8", "the task's variables win");
    assert_eq!(get("GREETING"), "hello world");
    assert_eq!(get("SKED_TASK"), "reports/weekly");
    assert_eq!(get("SKED_RUN_ID"), "run-7");
    assert_eq!(get("SKED_SCHEDULED_TIME"), "2026-03-27T05:00:00Z");
    let me = nix::unistd::User::from_uid(nix::unistd::geteuid()).unwrap().unwrap();
    assert_eq!(get("USER"), me.name);
    assert_eq!(get("LOGNAME"), me.name);
    assert_eq!(get("HOME"), me.dir.to_str().unwrap());
}

#[tokio::test]
async fn stdout_and_stderr_share_the_log_in_order() {
    let f = Fixture::new();
    let script = "echo out1; echo err1 >&2; echo out2; printf 'err2' >&2";
    let (exit, log) = f.run(f.spec("/bin/sh", &["-c", script])).await;
    assert!(exit.status.success());
    assert_eq!(log, "out1\nerr1\nout2\nerr2");
    assert_eq!(exit.log.bytes, log.len() as u64);
    assert!(!exit.log.truncated());
}

#[tokio::test]
async fn the_log_is_capped_and_the_child_still_finishes() {
    let f = Fixture::new();
    // 4 MiB, far past both the cap and a pipe's 64 KiB: a child whose output was not read
    // would block forever.
    let spec = RunSpec::new("/bin/sh", f.log().max_bytes(1000).mode(0o640))
        .args(["-c", "head -c 4194304 /dev/zero | tr '\\0' x; echo; echo done"]);
    let path = spec.log.path.clone();
    let (exit, log) = f.run(spec).await;
    assert_eq!(exit.status, ExitStatus::Exited(0));
    assert_eq!(exit.log.bytes, 1000);
    assert_eq!(exit.log.dropped, 4_194_304 + 1 + 5 - 1000);
    assert!(exit.log.truncated());
    let (kept, marker) = log.split_at(1000);
    assert!(kept.bytes().all(|b| b == b'x'));
    assert_eq!(marker, "\n[sked: output truncated: 4193310 bytes dropped after the first 1000 bytes]\n");
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
}

#[tokio::test]
async fn max_run_time_kills_the_run() {
    let f = Fixture::new();
    let t0 = Instant::now();
    let (exit, _) = f.run(f.spec("sleep", &["60"]).max_run_time(Duration::from_millis(300))).await;
    let took = t0.elapsed();
    assert_eq!(exit.outcome(), Outcome::KilledAtMaxRunTime);
    assert_eq!(exit.stopped, Some(StopReason::MaxRunTime));
    assert_eq!(exit.status, ExitStatus::Signaled(libc::SIGTERM));
    assert!(!exit.escalated, "sleep obeys SIGTERM");
    assert!(exit.run_time >= Duration::from_millis(300), "not before the limit: {:?}", exit.run_time);
    assert!(took < Duration::from_secs(20), "well before 60 s: {took:?}");
}

#[tokio::test]
async fn duration_end_stops_the_run() {
    let f = Fixture::new();
    let at = tokio::time::Instant::now() + Duration::from_millis(200);
    let spec = f.spec("sleep", &["60"]).stop_at(at).max_run_time(Duration::from_secs(3600));
    let (exit, _) = f.run(spec).await;
    assert_eq!(exit.outcome(), Outcome::StoppedAtDurationEnd);
    assert_eq!(exit.status, ExitStatus::Signaled(libc::SIGTERM));
    assert!(tokio::time::Instant::now() >= at);
}

#[tokio::test]
async fn a_child_ignoring_sigterm_is_killed_after_the_grace_period() {
    let f = Fixture::new();
    let spec = f
        .spec("/bin/sh", &["-c", "trap '' TERM; echo ready; sleep 60"])
        .grace(Duration::from_millis(300))
        .max_run_time(Duration::from_secs(3600));
    let (mut handle, path) = f.start(spec);
    assert_eq!(first_line(&path).await, "ready");
    let t0 = Instant::now();
    assert!(handle.stop(StopReason::User));
    let exit = wait(&mut handle).await;
    assert_eq!(exit.status, ExitStatus::Signaled(libc::SIGKILL));
    assert!(exit.escalated);
    assert_eq!(exit.outcome(), Outcome::EndedByUser);
    assert!(t0.elapsed() >= Duration::from_millis(300), "SIGKILL only after the grace period");
}

#[tokio::test]
async fn a_stop_ends_the_whole_process_group() {
    let f = Fixture::new();
    // The grandchild ignores SIGTERM and holds the log pipe after its parent died of it. It
    // prints its pid once its trap is set (`exec` keeps the pid).
    let script = "sh -c 'trap \"\" TERM; echo $$; exec sleep 60' & wait";
    let spec = f.spec("/bin/sh", &["-c", script]).grace(Duration::from_millis(300));
    let (mut handle, path) = f.start(spec);
    let grandchild: u32 = first_line(&path).await.parse().unwrap();
    assert!(!dead(grandchild));
    handle.stop(StopReason::User);
    let exit = wait(&mut handle).await;
    assert_eq!(exit.status, ExitStatus::Signaled(libc::SIGTERM), "the shell obeys SIGTERM");
    assert!(exit.escalated, "the grandchild needed SIGKILL");
    assert!(until_dead(grandchild).await, "grandchild {grandchild} survived");

    // A grandchild that obeys SIGTERM dies with the first signal.
    let (mut handle, path) = f.start(f.spec("/bin/sh", &["-c", "sleep 60 & echo $!; wait"]));
    let grandchild: u32 = first_line(&path).await.parse().unwrap();
    handle.stop(StopReason::User);
    let exit = wait(&mut handle).await;
    assert!(!exit.escalated);
    assert!(until_dead(grandchild).await, "grandchild {grandchild} survived");
}

#[tokio::test]
async fn stop_by_user_and_by_shutdown() {
    let f = Fixture::new();
    let (mut handle, _) = f.start(f.spec("sleep", &["60"]));
    let stopper = handle.stopper();
    assert!(stopper.stop(StopReason::User));
    assert!(!stopper.stop(StopReason::Shutdown), "the first reason wins");
    let exit = wait(&mut handle).await;
    assert_eq!(exit.outcome(), Outcome::EndedByUser);
    assert_eq!(exit.status, ExitStatus::Signaled(libc::SIGTERM));

    let (mut handle, _) = f.start(f.spec("sleep", &["60"]));
    // Wait in a select, as the daemon does, and stop on "shutdown".
    tokio::select! {
        _ = handle.wait() => panic!("sleep 60 ended by itself"),
        () = std::future::ready(()) => { handle.stop(StopReason::Shutdown); }
    }
    assert_eq!(wait(&mut handle).await.outcome(), Outcome::Interrupted);
}

#[tokio::test]
async fn children_left_behind_do_not_hold_the_run() {
    let f = Fixture::new();
    // The background sleep keeps the output pipe open after the shell exits.
    let spec = RunSpec::new("/bin/sh", f.log().drain(Duration::from_millis(200)))
        .args(["-c", "sleep 60 & echo $!"])
        .max_run_time(Duration::from_secs(3600));
    let (exit, log) = f.run(spec).await;
    assert_eq!(exit.outcome(), Outcome::Succeeded);
    let leftover: u32 = log.trim_end().parse().unwrap();
    assert!(!dead(leftover), "a program's children are not killed when it exits");
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(leftover as i32), nix::sys::signal::Signal::SIGKILL)
        .unwrap();
}

#[tokio::test]
async fn runs_as_another_user_when_root() {
    if !is_root() {
        eprintln!("skipped: switching users needs root");
        return;
    }
    let f = Fixture::new();
    let script = "id -u; id -g; id -G; echo \"$USER $LOGNAME $HOME\"; pwd";
    let spec = RunSpec::new("/bin/sh", f.log()).args(["-c", script]).user(UserSpec::Name("nobody".into()));
    let path = spec.log.path.clone();
    let (exit, log) = f.run(spec).await;
    assert!(exit.status.success(), "{log}");
    let nobody = nix::unistd::User::from_name("nobody").unwrap().unwrap();
    let (uid, gid) = (nobody.uid.as_raw(), nobody.gid.as_raw());
    let home = nobody.dir.display().to_string();
    let pwd = if nobody.dir.is_dir() { home.clone() } else { "/".into() };
    assert_eq!(log, format!("{uid}\n{gid}\n{gid}\nnobody nobody {home}\n{pwd}\n"));
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (uid, gid), "the log belongs to the run's user");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);

    // By uid too.
    let (exit, log) = f.run(f.spec("id", &["-u"]).user(UserSpec::Uid(uid))).await;
    assert!(exit.status.success());
    assert_eq!(log, format!("{uid}\n"));
}

#[tokio::test]
async fn a_refused_switch_step_fails_the_start_and_runs_nothing() {
    if !is_root() {
        eprintln!("skipped: switching users needs root");
        return;
    }
    let f = Fixture::new();
    // A directory only root may enter: the switch happens first, so `chdir` is refused.
    let private = tempfile::tempdir().unwrap();
    std::fs::set_permissions(private.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let spec = f.spec("/bin/true", &[]).user(UserSpec::Name("nobody".into())).working_dir(private.path());
    let log = spec.log.path.clone();
    let err = f.runner.start(spec).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WorkingDir);
    assert_eq!(err.raw_os_error(), Some(libc::EACCES));
    assert_eq!(
        err.to_string(),
        format!(
            "could not start `/bin/true`: could not enter working directory `{}` as `nobody`: \
             Permission denied (os error 13)",
            private.path().display()
        )
    );
    assert!(!log.exists(), "no log for a run that never started");
}

#[tokio::test]
async fn the_nice_value_is_applied() {
    let f = Fixture::new();
    let (exit, log) = f.run(f.spec("nice", &[]).nice(7)).await;
    assert!(exit.status.success());
    assert_eq!(log, "7\n");
    let (mut handle, _) = f.start(f.spec("sleep", &["60"]).nice(5));
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", handle.pid())).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    // Fields after the command name start at field 3 (state); nice is field 19.
    assert_eq!(fields[19 - 3], "5");
    handle.stop(StopReason::User);
    wait(&mut handle).await;
    if is_root() {
        let (exit, log) = f.run(f.spec("nice", &[]).nice(-5)).await;
        assert!(exit.status.success());
        assert_eq!(log, "-5\n");
    }
}

#[tokio::test]
async fn the_process_leads_its_own_process_group() {
    let f = Fixture::new();
    let (mut handle, _) = f.start(f.spec("sleep", &["60"]));
    let pid = handle.pid();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    // pgrp is field 5, session field 6.
    assert_eq!(fields[5 - 3], pid.to_string());
    let own = std::fs::read_to_string("/proc/self/stat").unwrap();
    let own: Vec<&str> = own.rsplit_once(')').unwrap().1.split_whitespace().collect();
    assert_eq!(fields[6 - 3], own[6 - 3], "it stays in the daemon's session");
    assert_eq!(handle.pgid(), pid);
    handle.stop(StopReason::User);
    wait(&mut handle).await;
}

#[tokio::test]
async fn start_errors_are_clear() {
    let f = Fixture::new();
    let err = f.runner.start(f.spec("no-such-program-sked", &[])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ProgramNotFound);
    assert_eq!(
        err.to_string(),
        format!("program `no-such-program-sked` was not found in PATH `{}`", sked_runner::CLEAN_PATH)
    );

    let err = f.runner.start(f.spec("/no/such/program", &[])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ProgramNotFound);
    assert_eq!(err.to_string(), "program `/no/such/program` does not exist");

    let err = f.runner.start(f.spec("/bin/true", &[]).working_dir("/no/such/dir")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WorkingDir);
    assert_eq!(err.to_string(), "working directory `/no/such/dir` does not exist");

    // A file that is not executable: `exec` itself refuses it.
    let script = f.dir.path().join("not-executable.sh");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).unwrap();
    let spec = RunSpec::new(&script, f.log());
    let log = spec.log.path.clone();
    let err = f.runner.start(spec).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Start);
    assert_eq!(err.raw_os_error(), Some(libc::EACCES));
    assert_eq!(
        err.to_string(),
        format!(
            "could not start `{}`: could not execute the program: Permission denied (os error 13)",
            script.display()
        )
    );
    assert!(!log.exists(), "no log for a run that never started");

    let err = f
        .runner
        .start(f.spec("/bin/true", &[]).user(UserSpec::Name("no-such-user-sked".into())))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownUser);

    let err = f.runner.start(f.spec("/bin/true", &["a\0b"])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidSpec);

    // An existing log is never overwritten, and nothing runs.
    let spec = f.spec("/bin/true", &[]);
    std::fs::write(&spec.log.path, "earlier").unwrap();
    let err = f.runner.start(spec.clone()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Log);
    assert_eq!(read(&spec.log.path), "earlier");
}

#[test]
fn start_outside_a_runtime_is_an_error() {
    let f = Fixture::new();
    let err = f.runner.start(f.spec("/bin/true", &[])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Os);
    assert_eq!(err.to_string(), "the process runner needs a tokio runtime with I/O and time enabled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_runs_at_once() {
    let f = Fixture::new();
    let runner: std::sync::Arc<dyn Runner> = std::sync::Arc::new(ProcessRunner::new());
    let mut handles = Vec::new();
    for i in 0..200 {
        let spec = f.spec("/bin/sh", &["-c", "echo $SKED_RUN_ID"]).identity(RunIdentity {
            task: "many".into(),
            run_id: i.to_string(),
            scheduled_time: None,
        });
        let path = spec.log.path.clone();
        handles.push((runner.start(spec).unwrap(), path, i));
    }
    for (mut handle, path, i) in handles {
        let exit = wait(&mut handle).await;
        assert!(exit.status.success());
        assert_eq!(read(&path), format!("{i}\n"));
    }
}

#[tokio::test]
async fn no_signal_is_ignored_or_blocked_in_the_child() {
    let f = Fixture::new();
    let status = |pid: &str, key: &str| {
        let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = text.lines().find(|l| l.starts_with(key)).unwrap().to_owned();
        u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
    };
    // Rust ignores SIGPIPE in every program it starts, so the test process has something to
    // leak.
    assert_ne!(status("self", "SigIgn:") & (1 << (libc::SIGPIPE - 1)), 0);
    let (mut handle, _) = f.start(f.spec("sleep", &["60"]));
    let pid = handle.pid().to_string();
    assert_eq!(status(&pid, "SigIgn:"), 0);
    assert_eq!(status(&pid, "SigBlk:"), 0);
    handle.stop(StopReason::User);
    wait(&mut handle).await;
}

#[tokio::test]
async fn output_buffered_at_exit_is_kept_even_without_a_drain_period() {
    let f = Fixture::new();
    // 60,000 bytes fit in the pipe: `head` has written them all and exited before the log
    // has read them.
    let spec = RunSpec::new("head", f.log().drain(Duration::ZERO)).args(["-c", "60000", "/dev/zero"]);
    let (exit, log) = f.run(spec).await;
    assert!(exit.status.success());
    assert_eq!(exit.log.bytes, 60_000);
    assert_eq!(log.len(), 60_000);
}

#[tokio::test]
async fn a_daemon_that_is_not_root_runs_only_as_itself() {
    if is_root() {
        eprintln!("skipped: this checks a daemon that is not root (run the tests as another user)");
        return;
    }
    let f = Fixture::new();
    let me = nix::unistd::geteuid().as_raw();
    let err = f.runner.start(f.spec("/bin/true", &[]).user(UserSpec::Uid(0))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let root = nix::unistd::User::from_uid(0.into()).unwrap().unwrap().name;
    assert_eq!(
        err.to_string(),
        format!("cannot run as `{root}` (uid 0): the daemon runs as uid {me}, not root")
    );
    let (exit, log) = f.run(f.spec("id", &["-u"]).user(UserSpec::Uid(me))).await;
    assert!(exit.status.success());
    assert_eq!(log, format!("{me}\n"));
    let err = f.runner.start(f.spec("/bin/true", &[]).nice(-5)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert_eq!(err.raw_os_error(), Some(libc::EACCES));
}

//! The real `sked daemon`, driven by the real `sked` CLI: real processes run, their files
//! and exit codes are checked, and the daemon is stopped, killed and restarted.
//!
//! Readiness is the socket accepting a connection; waits for runs poll the daemon's
//! history (bounded by generous deadlines), never fixed sleeps standing in for a check.

mod daemon;

use std::time::Duration;

use daemon::Daemon;
use jiff::{SignedDuration, Timestamp};
use sked_api::types::RunView;

/// An instant `secs` seconds from now, on a whole second, as a pinned task-file start.
fn soon(secs: i64) -> (Timestamp, String) {
    let t = Timestamp::now().checked_add(SignedDuration::from_secs(secs)).unwrap();
    let t = Timestamp::from_second(t.as_second() + 1).unwrap();
    (t, t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// A task that leaves one new file in `out` per run: `mktemp` never reuses a name, so the
/// files count the runs.
fn counting_task(name: &str, out: &std::path::Path, extra: &str, trigger: &str) -> String {
    format!(
        "[[task]]\nname = \"{name}\"\ncommand = \"/usr/bin/mktemp\"\nargs = [\"-p\", \"{}\", \"{name}.XXXXXX\"]\n{extra}\n{trigger}",
        out.display()
    )
}

fn once_at(start: &str) -> String {
    format!("[[task.trigger]]\nonce = {{}}\nstart = \"{start}\"\n")
}

fn is_final(r: &RunView) -> bool {
    !matches!(r.outcome.as_str(), "claimed" | "running")
}

#[test]
fn runs_a_task_now_and_records_its_output() {
    let d = Daemon::start();
    let file = d.file(
        "hello.toml",
        "[[task]]\nname = \"hello\"\ncommand = \"/bin/echo\"\nargs = [\"hi\", \"there\"]\n",
    );
    d.ok(["create", "--file", file.to_str().unwrap()]);
    d.ok(["run", "hello", "--wait"]);
    let h = d.history("hello");
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].outcome, "succeeded");
    assert_eq!(h[0].exit_code, Some(0));
    assert_eq!(d.ok(["logs", "hello"]), "hi there\n");

    // A failing program: its exit code is recorded and `run --wait` passes it on.
    let fail = d.file("fail.toml", "[[task]]\nname = \"fail\"\ncommand = \"/bin/false\"\n");
    d.ok(["create", "--file", fail.to_str().unwrap()]);
    let out = d.sked(["run", "fail", "--wait"]);
    assert_eq!(out.status.code(), Some(1));
    let h = d.history("fail");
    assert_eq!((h[0].outcome.as_str(), h[0].exit_code), ("failed", Some(1)));
    // It printed nothing: no log file was made, and its log reads as empty, not as gone.
    assert_eq!(d.ok(["logs", "fail"]), "");
    assert_eq!(h[0].log_bytes, Some(0));

    let list: sked_api::types::TaskList = d.json(&["list"]);
    let names: Vec<&str> = list.tasks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["fail", "hello"]);
}

#[test]
fn fires_on_time_and_stops_cleanly() {
    let mut d = Daemon::start();
    let (at, start) = soon(2);
    let file = d.file("t.toml", &counting_task("tick", &d.out(), "", &once_at(&start)));
    d.ok(["create", "--file", file.to_str().unwrap()]);
    let next: sked_api::types::NextRuns = d.json(&["next", "tick"]);
    assert_eq!(next.runs.iter().map(|r| r.time).collect::<Vec<_>>(), [at]);
    d.wait_for("the run", 20, || d.history("tick").iter().any(is_final));
    let h = d.history("tick");
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].outcome, "succeeded");
    assert_eq!(h[0].scheduled_for, Some(at));
    let late = h[0].started_at.unwrap().duration_since(at);
    assert!(late >= SignedDuration::ZERO && late < SignedDuration::from_secs(1), "started {late:?} late");
    assert_eq!(d.outputs("tick."), 1);
    d.stop();
}

#[test]
fn kills_a_run_at_its_maximum_run_time() {
    let d = Daemon::start();
    let file = d.file(
        "slow.toml",
        "[[task]]\nname = \"slow\"\ncommand = \"/bin/sleep\"\nargs = [\"30\"]\nmax-run-time = \"1s\"\n",
    );
    d.ok(["create", "--file", file.to_str().unwrap()]);
    let started = std::time::Instant::now();
    let _ = d.sked(["run", "slow", "--wait"]);
    assert!(started.elapsed() < Duration::from_secs(20), "the run was not stopped");
    let h = d.history("slow");
    assert_eq!(h[0].outcome, "killed-at-max-run-time", "{h:?}");
    assert_eq!(h[0].signal, Some(15), "SIGTERM ends a `sleep` at once");
}

#[test]
fn each_overlap_policy() {
    let d = Daemon::start();
    for policy in ["ignore-new", "queue", "parallel", "stop-existing"] {
        let file = d.file(
            &format!("{policy}.toml"),
            &format!(
                "[[task]]\nname = \"{policy}\"\ncommand = \"/bin/sleep\"\nargs = [\"1\"]\nmultiple-instances = \"{policy}\"\n"
            ),
        );
        d.ok(["create", "--file", file.to_str().unwrap()]);
        d.ok(["run", policy]);
        let second = d.sked(["run", policy]);
        assert_eq!(second.status.success(), policy != "ignore-new", "{policy}: {second:?}");
        let expected = if policy == "ignore-new" { 1 } else { 2 };
        let mut h = Vec::new();
        d.wait_for(policy, 20, || {
            h = d.history(policy);
            h.len() == expected && h.iter().all(is_final)
        });
        let outcomes: Vec<&str> = h.iter().map(|r| r.outcome.as_str()).collect();
        match policy {
            "ignore-new" => assert_eq!(outcomes, ["succeeded"]),
            "queue" => {
                assert_eq!(outcomes, ["succeeded", "succeeded"]);
                assert!(h[1].started_at.unwrap() >= h[0].ended_at.unwrap(), "queued run overlapped: {h:?}");
            }
            "parallel" => {
                assert_eq!(outcomes, ["succeeded", "succeeded"]);
                assert!(
                    h[1].started_at.unwrap() < h[0].ended_at.unwrap(),
                    "parallel runs did not overlap: {h:?}"
                );
            }
            _ => {
                assert_eq!(outcomes[1], "succeeded");
                assert_ne!(outcomes[0], "succeeded", "the existing run was not stopped: {h:?}");
                assert_eq!(h[0].signal, Some(15));
            }
        }
    }
}

#[test]
fn catches_up_after_a_stop_once_and_only_when_asked() {
    let mut d = Daemon::start();
    let (at, start) = soon(2);
    let out = d.out();
    let late =
        d.file("late.toml", &counting_task("late", &out, "start-when-available = true", &once_at(&start)));
    let skip = d.file("skip.toml", &counting_task("skip", &out, "", &once_at(&start)));
    d.ok(["create", "--file", late.to_str().unwrap()]);
    d.ok(["create", "--file", skip.to_str().unwrap()]);
    d.stop();
    while Timestamp::now() < at.checked_add(SignedDuration::from_millis(1500)).unwrap() {
        std::thread::sleep(Duration::from_millis(100));
    }
    d.restart();
    d.wait_for("the late run", 20, || d.history("late").iter().any(is_final));
    let h = d.history("late");
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!((h[0].outcome.as_str(), h[0].scheduled_for), ("succeeded", Some(at)));
    assert_eq!(d.outputs("late."), 1);
    let h = d.history("skip");
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!((h[0].outcome.as_str(), h[0].missed_reason.as_deref()), ("missed", Some("down")));
    assert_eq!(d.outputs("skip."), 0);
}

/// `kill -9` in the middle of a burst, then a restart: every scheduled time is accounted
/// for exactly once, and no program ever runs twice for one time.
#[test]
fn kill_9_in_a_burst_loses_nothing_and_runs_nothing_twice() {
    const TASKS: usize = 120;
    let mut d = Daemon::start();
    let (at, start) = soon(3);
    let mut file = String::new();
    for i in 0..TASKS {
        file.push_str(&counting_task(
            &format!("b{i:03}"),
            &d.out(),
            "start-when-available = true",
            &once_at(&start),
        ));
        file.push('\n');
    }
    let path = d.file("burst.toml", &file);
    d.ok(["create", "--file", path.to_str().unwrap()]);
    // Kill once the burst has begun: some runs started, some claimed, some not reached.
    d.wait_for("the burst to begin", 20, || d.outputs("b") > 0);
    d.kill();
    let before = d.outputs("b");
    d.restart();
    d.wait_for("every time to be accounted for", 60, || {
        let h: sked_api::types::History = d.json(&["history", "--limit", "1000"]);
        h.entries.len() >= TASKS && h.entries.iter().all(is_final)
    });
    // Programs started just before the kill may still be finishing: give them a moment to
    // write (mktemp takes milliseconds).
    std::thread::sleep(Duration::from_millis(300));
    let h: sked_api::types::History = d.json(&["history", "--limit", "1000"]);
    assert_eq!(h.entries.len(), TASKS, "one entry per scheduled time: {h:?}");
    let mut ran_after_restart = 0;
    for i in 0..TASKS {
        let name = format!("b{i:03}");
        let entries: Vec<&RunView> = h.entries.iter().filter(|r| r.task.as_deref() == Some(&name)).collect();
        assert_eq!(entries.len(), 1, "{name}: {entries:?}");
        let e = entries[0];
        assert_eq!(e.scheduled_for, Some(at), "{name}: {e:?}");
        let files = d.outputs(&format!("{name}."));
        assert!(files <= 1, "{name} ran {files} times");
        match e.outcome.as_str() {
            "succeeded" => assert_eq!(files, 1, "{name} succeeded without running"),
            "interrupted" => {}
            other => panic!("{name}: unexpected outcome {other}"),
        }
        if e.outcome == "succeeded"
            && e.started_at.unwrap() > at.checked_add(SignedDuration::from_secs(1)).unwrap()
        {
            ran_after_restart += 1;
        }
    }
    assert!(before <= TASKS);
    eprintln!("{before} programs ran before the kill, {ran_after_restart} caught up after the restart");
}

#[test]
fn apply_and_remove_install_files_as_a_unit() {
    let d = Daemon::start();
    let two = d.file(
        "app.toml",
        "[[task]]\nname = \"app/a\"\ncommand = \"/bin/true\"\n\n[[task]]\nname = \"app/b\"\ncommand = \"(*BIN*)/true\"\n",
    );
    // An undefined symbol fails the whole file before anything changes.
    let out = d.sked(["apply", two.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("BIN"), "{out:?}");
    let list: sked_api::types::TaskList = d.json(&["list"]);
    assert!(list.tasks.is_empty(), "{list:?}");

    d.ok(["apply", two.to_str().unwrap(), "--define", "BIN=/bin"]);
    let list: sked_api::types::TaskList = d.json(&["list"]);
    assert_eq!(list.tasks.len(), 2);

    // One bad task in a second file: nothing of that file is installed.
    let bad = d.file(
        "bad.toml",
        "[[task]]\nname = \"other/ok\"\ncommand = \"/bin/true\"\n\n[[task]]\nname = \"other/bad\"\ncommand = \"/bin/true\"\n\n[[task.trigger]]\ndaily = { every = 0 }\nstart = \"2026-01-01T00:00:00\"\n",
    );
    assert!(!d.sked(["apply", bad.to_str().unwrap()]).status.success());
    let list: sked_api::types::TaskList = d.json(&["list"]);
    assert_eq!(list.tasks.len(), 2, "{list:?}");

    let dry = d.ok(["remove", two.to_str().unwrap(), "--dry-run"]);
    assert!(dry.contains("app/a"), "{dry}");
    assert_eq!(d.json::<sked_api::types::TaskList>(&["list"]).tasks.len(), 2);
    d.ok(["remove", two.to_str().unwrap()]);
    assert!(d.json::<sked_api::types::TaskList>(&["list"]).tasks.is_empty());
}

/// Root's daemon and an ordinary user: the user sees and changes only their own tasks,
/// their tasks run as them, and only root may make a task run as another account.
#[test]
fn a_user_sees_and_runs_only_their_own_tasks() {
    const NOBODY: u32 = 65534;
    if !nix::unistd::geteuid().is_root() || !std::path::Path::new("/usr/bin/setpriv").exists() {
        eprintln!("skipped: needs root and setpriv to act as another user");
        return;
    }
    let d = Daemon::start();
    d.ok(["create", "rootjob", "--command", "/usr/bin/id", "--arg", "-u"]);
    let user = |args: &[&str]| {
        let out = d.sked_as(NOBODY, args);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, _, err) = user(&["create", "mine", "--command", "/usr/bin/id", "--arg", "-u"]);
    assert!(ok, "{err}\n{}", d.log());
    let (ok, _, err) = user(&["run", "mine", "--wait"]);
    assert!(ok, "{err}");
    assert_eq!(user(&["logs", "mine"]).1, format!("{NOBODY}\n"), "the run is the user's");
    let (ok, out, _) = user(&["list", "--json"]);
    let list: sked_api::types::TaskList = serde_json::from_str(&out).unwrap();
    assert!(ok);
    assert_eq!(list.tasks.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["mine"]);
    let (ok, _, err) = user(&["show", "rootjob"]);
    assert!(!ok && err.contains("no task named `rootjob`"), "{err}");
    let (ok, _, err) = user(&["delete", "rootjob"]);
    assert!(!ok && err.contains("no task named `rootjob`"), "{err}");
    let (ok, _, err) = user(&["create", "evil", "--command", "/usr/bin/id", "--run-as", "root"]);
    assert!(!ok && err.contains("only root may"), "{err}");
    // Root sees both, with their owners.
    let all: sked_api::types::TaskList = d.json(&["list"]);
    let owners: Vec<(&str, u32)> = all.tasks.iter().map(|t| (t.name.as_str(), t.owner_uid)).collect();
    assert_eq!(owners, [("mine", NOBODY), ("rootjob", 0)]);
    assert!(d.ok(["list"]).contains("OWNER"));
}

/// A logon is a new `USER_PROCESS` record in utmp: the daemon, watching the file the
/// config names, runs the at-logon task at once; the session that was there when it
/// started is not a logon.
#[test]
fn an_at_logon_task_runs_when_a_user_logs_on() {
    use std::io::Write;

    use sked_daemon::utmp::Record;

    let d = Daemon::start_with_config(|dir| {
        let utmp = dir.join("utmp");
        std::fs::write(&utmp, Record::user_process("pts/0", 1, "earlier", Timestamp::now()).encode())
            .unwrap();
        Some(format!("utmp = \"{}\"\n", utmp.display()))
    });
    let greeted = d.out().join("greeted");
    d.ok([
        "create",
        "greet",
        "--command",
        "/usr/bin/touch",
        "--arg",
        greeted.to_str().unwrap(),
        "--at-logon",
    ]);
    assert!(d.history("greet").is_empty(), "the session present at the start is not a logon");

    let uid = nix::unistd::geteuid();
    let me = nix::unistd::User::from_uid(uid).unwrap().map_or_else(|| uid.to_string(), |u| u.name);
    let mut utmp = std::fs::OpenOptions::new().append(true).open(d.dir.join("utmp")).unwrap();
    utmp.write_all(&Record::user_process("pts/1", std::process::id() as i32, &me, Timestamp::now()).encode())
        .unwrap();
    drop(utmp);
    d.wait_for("the at-logon run", 20, || d.history("greet").iter().any(is_final));
    assert!(greeted.exists(), "the program ran");
    let h = d.history("greet");
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(
        (h[0].outcome.as_str(), h[0].scheduled_for, h[0].trigger),
        ("succeeded", None, Some(0)),
        "an event run: no scheduled time, its trigger"
    );
    let text = d.ok(["history", "greet"]);
    assert!(text.contains("event (trigger 1)") && text.contains("succeeded"), "{text}");
}

//! The service commands end to end: a real service (`sked_daemon::service::run`, in this
//! process, on a socket in a temporary directory) and the real `sked` binary talking to
//! it through `SKED_SOCKET`, running real programs that write files.
//!
//! When `sked daemon` exists, these can start it as a child process instead; the service
//! is the same code.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sked_daemon::config::{Config, Overrides};

/// A service on a socket of its own; stopped when dropped.
struct Service {
    dir: tempfile::TempDir,
    socket: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Service {
    fn start() -> Service {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("s.sock");
        let config_file = dir.path().join("sked.conf");
        std::fs::write(&config_file, "").unwrap();
        let overrides = Overrides {
            config: Some(config_file),
            store: Some(dir.path().join("s.db")),
            socket: Some(socket.clone()),
            data_dir: Some(dir.path().to_path_buf()),
            time_zone: Some("UTC".into()),
        };
        let config = Config::resolve(nix_uid(), &overrides).unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                sked_daemon::service::run(config, async move {
                    let _ = rx.await;
                })
                .await
                .unwrap();
            });
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::os::unix::net::UnixStream::connect(&socket).is_err() {
            assert!(Instant::now() < deadline, "the service did not open {}", socket.display());
            std::thread::sleep(Duration::from_millis(20));
        }
        Service { dir, socket, stop: Some(tx), thread: Some(thread) }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `sked ARGS` against this service; returns (exit code, stdout, stderr).
    fn sked(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_sked"))
            .args(args)
            .current_dir(self.dir.path())
            .env("SKED_SOCKET", &self.socket)
            .env("TZ", "UTC")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs `sked ARGS` and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.sked(args);
        assert_eq!(code, 0, "sked {args:?}\n--- stdout\n{out}--- stderr\n{err}");
        out
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The test runs as whoever runs it; the service is that user's.
fn nix_uid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
        assert!(Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn create_list_run_wait_history_logs_show_change_export_delete() {
    let s = Service::start();
    let marker = s.path("marker");
    let script = format!("echo hello from sked; echo done > {}; exit 3", marker.display());
    let out = s.ok(&[
        "create",
        "hello",
        "--command",
        "/bin/sh",
        "--arg",
        "-c",
        "--arg",
        &script,
        "--daily",
        "--at",
        "06:00",
        "--tz",
        "UTC",
    ]);
    assert!(out.starts_with("created hello\nnext run: "), "{out}");

    let list = s.ok(&["list"]);
    assert!(list.starts_with("NAME "), "{list}");
    assert!(list.lines().any(|l| l.starts_with("hello ") && l.contains("ready")), "{list}");
    let json: serde_json::Value = serde_json::from_str(&s.ok(&["list", "--json"])).unwrap();
    assert_eq!(json["tasks"][0]["name"], "hello");

    let (code, out, err) = s.sked(&["run", "hello", "--wait"]);
    assert_eq!(code, 3, "{out}{err}");
    let run: i64 = out.trim().parse().unwrap();
    assert!(err.contains("failed (exit 3)"), "{err}");
    assert_eq!(wait_for_file(&marker), "done\n");

    let log = s.ok(&["logs", "hello"]);
    assert_eq!(log, "hello from sked\n");
    assert_eq!(s.ok(&["logs", "hello", "--run", &run.to_string(), "--follow"]), log);

    let history = s.ok(&["history", "hello"]);
    assert!(history.starts_with("RUN "), "{history}");
    assert!(history.lines().any(|l| l.starts_with(&run.to_string()) && l.contains("by hand")), "{history}");

    let show = s.ok(&["show", "hello"]);
    assert!(show.contains("every day at 06:00"), "{show}");
    assert!(show.contains(&format!("run {run}")), "{show}");

    let next = s.ok(&["next", "hello", "--count", "2"]);
    assert_eq!(next.lines().count(), 3, "{next}");
    assert!(next.starts_with("hello (UTC)\n"), "{next}");

    assert!(s.ok(&["change", "hello", "--comment", "changed"]).starts_with("changed hello (version "));
    let (code, _, err) = s.sked(&["change", "hello"]);
    assert_eq!(code, 2, "{err}");
    assert!(s.ok(&["disable", "hello"]).contains("disabled hello"));
    assert!(s.ok(&["list"]).contains("disabled"));
    assert!(s.ok(&["enable", "hello"]).contains("enabled hello"));

    let toml = s.ok(&["export", "hello", "--to", "toml"]);
    assert!(toml.contains("comment = \"changed\""), "{toml}");

    assert_eq!(s.ok(&["delete", "hello"]), "deleted hello\n");
    let (code, _, err) = s.sked(&["show", "hello"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: "), "{err}");
}

#[test]
fn apply_of_several_files_is_all_or_nothing() {
    let s = Service::start();
    std::fs::write(s.path("one.toml"), "[[task]]\nname = \"one\"\ncommand = \"/bin/true\"\n").unwrap();
    std::fs::write(s.path("two.toml"), "[[task]]\nname = \"taken\"\ncommand = \"/bin/true\"\n").unwrap();
    s.ok(&["create", "taken", "--command", "/bin/false"]);

    // The second file would take over a task made by hand: the first is not applied either.
    let (code, _, err) = s.sked(&["apply", "one.toml", "two.toml"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("none of them was applied") && err.contains("taken"), "{err}");
    let listed = s.ok(&["list"]);
    assert!(!listed.contains("one"), "{listed}");
    assert!(s.ok(&["show", "taken"]).contains("/bin/false"));

    // Without the conflict, both go in, in one request, and leave in one.
    s.ok(&["delete", "taken"]);
    assert_eq!(
        s.ok(&["apply", "one.toml", "two.toml"]),
        "one.toml:\ncreated       one\n\ntwo.toml:\ncreated       taken\n"
    );
    assert_eq!(
        s.ok(&["remove", "one.toml", "two.toml"]),
        "one.toml:\ndeleted       one\n\ntwo.toml:\ndeleted       taken\n"
    );
    assert!(s.ok(&["list"]).contains("no tasks"));
}

#[test]
fn apply_dry_run_and_remove() {
    let s = Service::start();
    let file = s.path("tasks.toml");
    let text = "[[task]]\nname = \"a\"\ncommand = \"/bin/echo\"\nargs = [\"(*WHO*)\"]\n\n\
                [[task]]\nname = \"b\"\ncommand = \"/bin/true\"\n";
    std::fs::write(&file, text).unwrap();

    let (code, _, err) = s.sked(&["apply", "tasks.toml"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("WHO"), "{err}");
    assert!(s.ok(&["list"]).contains("no tasks"));

    let dry = s.ok(&["apply", "tasks.toml", "--define", "WHO=x", "--dry-run"]);
    assert_eq!(dry, "would create  a\nwould create  b\n");
    assert!(s.ok(&["list"]).contains("no tasks"));

    assert_eq!(s.ok(&["apply", "tasks.toml", "--define", "WHO=x"]), "created       a\ncreated       b\n");
    assert_eq!(s.ok(&["apply", "tasks.toml", "--define", "WHO=x"]), "unchanged     a\nunchanged     b\n");

    // Dropping `b` from the file deletes it; changing `a` replaces it.
    std::fs::write(&file, "[[task]]\nname = \"a\"\ncommand = \"/bin/echo\"\nargs = [\"y\"]\n").unwrap();
    assert_eq!(s.ok(&["apply", "tasks.toml"]), "replaced      a\ndeleted       b\n");
    let (code, out, _) = s.sked(&["run", "a", "--wait"]);
    assert_eq!(code, 0);
    let run = out.trim();
    assert_eq!(s.ok(&["logs", "a", "--run", run]), "y\n");

    assert_eq!(s.ok(&["remove", "tasks.toml", "--dry-run"]), "would delete  a\n");
    assert_eq!(s.ok(&["remove", "tasks.toml"]), "deleted       a\n");
    assert!(s.ok(&["list"]).contains("no tasks"));

    // `create --file` creates every task, and refuses if one exists.
    assert_eq!(s.ok(&["create", "--file", "tasks.toml"]), "created       a\n");
    let (code, _, err) = s.sked(&["create", "--file", "tasks.toml"]);
    assert_eq!(code, 1);
    assert!(err.contains("`a` already exist"), "{err}");
}

#[test]
fn an_absent_service_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sked"))
        .args(["list", "--socket"])
        .arg(dir.path().join("none.sock"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: cannot reach the sked service at "), "{err}");
    assert!(err.contains("or run `sked daemon`"), "{err}");
}

#[test]
fn logs_follow_a_run_in_progress_and_end_stops_one() {
    let s = Service::start();
    s.ok(&["create", "slow", "--command", "/bin/sh", "--arg", "-c", "--arg", "echo a; sleep 1; echo b"]);
    let run = s.ok(&["run", "slow"]);
    assert_eq!(s.ok(&["logs", "slow", "--run", run.trim(), "--follow"]), "a\nb\n");

    s.ok(&["create", "forever", "--command", "/bin/sleep", "--arg", "600"]);
    let run = s.ok(&["run", "forever"]);
    assert_eq!(s.ok(&["end", "forever"]), "ended 1 run of forever\n");
    // The run ends shortly after the signal; `logs --follow` returns once it has.
    s.ok(&["logs", "forever", "--run", run.trim(), "--follow"]);
    let history: serde_json::Value = serde_json::from_str(&s.ok(&["history", "forever", "--json"])).unwrap();
    let entry = &history["entries"][0];
    assert_eq!(entry["id"].to_string(), run.trim(), "{history}");
    assert_eq!(entry["outcome"], "ended-by-user", "{history}");
}

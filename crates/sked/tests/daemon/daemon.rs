//! A real `sked daemon` on a temporary socket and store, and the real `sked` CLI against it.

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A daemon's directory: its store, socket and logs, kept between restarts.
pub struct Daemon {
    /// The temporary directory holding everything.
    pub dir: PathBuf,
    child: Option<Child>,
    /// The config file the daemon reads, if the test wrote one.
    config: Option<PathBuf>,
}

impl Daemon {
    /// Starts a daemon in a fresh directory and waits until its socket accepts.
    pub fn start() -> Daemon {
        Daemon::start_with_config(|_| None)
    }

    /// Starts a daemon in a fresh directory with the config file that `config` writes for
    /// that directory (`None`: no config file).
    pub fn start_with_config(config: impl FnOnce(&Path) -> Option<String>) -> Daemon {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sked-svc-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("out")).unwrap();
        let config = config(&dir).map(|text| {
            let path = dir.join("sked.toml");
            std::fs::write(&path, text).unwrap();
            path
        });
        let mut d = Daemon { dir, child: None, config };
        d.restart();
        d
    }

    /// The socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("sked.sock")
    }

    /// Where the tasks of a test write their files.
    pub fn out(&self) -> PathBuf {
        self.dir.join("out")
    }

    /// Starts the daemon (again) on the same store, and waits until the socket accepts a
    /// connection: the service binds it only once it is ready.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "the daemon is already running");
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join("daemon.log")).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_sked"));
        if let Some(config) = &self.config {
            command.arg("daemon").arg("--config").arg(config);
        } else {
            command.arg("daemon");
        }
        let child = command
            .arg("--socket")
            .arg(self.socket())
            .arg("--store")
            .arg(self.dir.join("sked.db"))
            .arg("--data-dir")
            .arg(&self.dir)
            .arg("--tz")
            .arg("UTC")
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("cannot start sked daemon");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if UnixStream::connect(self.socket()).is_ok() {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("the daemon exited with {status}:\n{}", self.log());
            }
            assert!(Instant::now() < deadline, "the daemon is not ready after 30 s:\n{}", self.log());
            // Polling the socket is the readiness check; the pause only spaces the attempts.
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `kill -9` the daemon, as a crash would.
    pub fn kill(&mut self) {
        let mut child = self.child.take().expect("the daemon is not running");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Stops the daemon with SIGTERM and waits for it to exit; it must exit cleanly.
    pub fn stop(&mut self) {
        let mut child = self.child.take().expect("the daemon is not running");
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "the daemon stopped with {status}:\n{}", self.log());
        assert!(!self.socket().exists(), "the daemon left its socket behind");
    }

    /// What the daemon logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("daemon.log")).unwrap_or_default()
    }

    /// Runs `sked ARGS` against this daemon.
    pub fn sked<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Command::new(env!("CARGO_BIN_EXE_sked"))
            .args(args)
            .env("SKED_SOCKET", self.socket())
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs `sked ARGS` against this daemon as user `uid` (through `setpriv`, so the
    /// daemon knows the caller by the socket's peer credentials).
    pub fn sked_as(&self, uid: u32, args: &[&str]) -> Output {
        Command::new("setpriv")
            .arg(format!("--reuid={uid}"))
            .arg(format!("--regid={uid}"))
            .arg("--clear-groups")
            .arg(env!("CARGO_BIN_EXE_sked"))
            .args(args)
            .env("SKED_SOCKET", self.socket())
            .env("HOME", "/")
            .current_dir("/")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs `sked ARGS`, which must succeed; returns its standard output.
    pub fn ok<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.sked(&args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "sked {:?} failed ({}):\n--- stdout\n{stdout}--- stderr\n{stderr}--- daemon\n{}",
            args,
            out.status,
            self.log()
        );
        stdout
    }

    /// `sked ARGS --json`, parsed.
    pub fn json<T: serde::de::DeserializeOwned>(&self, args: &[&str]) -> T {
        let mut all: Vec<&str> = args.to_vec();
        all.push("--json");
        let out = self.ok(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("sked {all:?}: {e}:\n{out}"))
    }

    /// Writes `contents` to `name` in the daemon's directory; returns its path.
    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// The history of task `name`, oldest first.
    pub fn history(&self, name: &str) -> Vec<sked_api::types::RunView> {
        let h: sked_api::types::History = self.json(&["history", name, "--limit", "1000"]);
        let mut entries = h.entries;
        entries.reverse();
        entries
    }

    /// Waits until `check` holds, up to `secs` seconds, polling the daemon's state.
    pub fn wait_for(&self, what: &str, secs: u64, mut check: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !check() {
            if Instant::now() >= deadline {
                let h = self.sked(["history", "--limit", "50"]);
                panic!(
                    "timed out waiting for {what}\n--- history\n{}--- daemon\n{}",
                    String::from_utf8_lossy(&h.stdout),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The files in the output directory whose names start with `prefix`.
    pub fn outputs(&self, prefix: &str) -> usize {
        std::fs::read_dir(self.out())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(prefix))
            .count()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

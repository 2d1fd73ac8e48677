//! When the machine is idle, on Linux.
//!
//! Task Scheduler calls a machine idle when nobody has used the keyboard or mouse for a
//! while and the processors are not busy. sked measures the same on Linux:
//!
//! - **User input** is read from the terminals of the sessions in utmp: the kernel sets
//!   the access time of `/dev/<line>` when a user types there, which is the IDLE column
//!   of `w`. The newest of them is the last input. A session without a terminal device
//!   (a graphical session on `:0`) cannot be measured that way: it counts from its logon.
//! - **No session at all**: the machine is idle since the last session ended, or since the
//!   daemon started, whichever is later.
//! - A logon or a logoff is input too, and so is anything the daemon saw before it started:
//!   idleness never counts from before the daemon's start.
//! - **Busy processors**: a one-minute load average (`/proc/loadavg`) above the number of
//!   processors counts as activity for becoming idle. The load is read when the machine
//!   would become idle (and a minute later again while it is busy); once idle, only user
//!   input ends idleness, so the load of the very task that waited for idleness does not
//!   stop it.
//!
//! The machine has been idle for `d` at `now` when `now - idle_since >= d`, where
//! `idle_since` ([`idle_since`]) is the latest of these moments. The sources are files,
//! so tests point [`IdleSources`] at their own.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use jiff::Timestamp;
use nix::sys::inotify::{AddWatchFlags, WatchDescriptor};

use crate::utmp::Sessions;
use crate::watch::Watch;

/// Where idleness is read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdleSources {
    /// The devices directory: a session's terminal is `<dev>/<ut_line>`.
    pub dev: PathBuf,
    /// The load averages (`/proc/loadavg`).
    pub loadavg: PathBuf,
    /// The number of processors: a load above it is busy.
    pub cpus: usize,
}

impl IdleSources {
    /// This machine's.
    pub fn system() -> IdleSources {
        IdleSources {
            dev: PathBuf::from("/dev"),
            loadavg: PathBuf::from("/proc/loadavg"),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }

    /// The device of terminal `line`, if the name is a plain relative path (it comes from
    /// a file other programs write: `../etc/shadow` is not a terminal).
    pub fn tty(&self, line: &str) -> Option<PathBuf> {
        let rel = Path::new(line);
        let plain = !line.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
        plain.then(|| self.dev.join(rel))
    }

    /// The last user input in `sessions`: the newest access time of their terminals, a
    /// session whose terminal cannot be read counting from its logon.
    pub fn last_input(&self, sessions: &Sessions) -> Option<Timestamp> {
        sessions
            .iter()
            .filter_map(|(key, session)| {
                let atime = self
                    .tty(&key.line)
                    .and_then(|p| std::fs::metadata(p).ok())
                    .and_then(|m| m.accessed().ok())
                    .and_then(|t| Timestamp::try_from(t).ok());
                atime.or(session.since)
            })
            .max()
    }

    /// Whether the processors are busy: the one-minute load average above their number.
    /// A load that cannot be read is not busy (idleness then rests on input alone).
    pub fn load_busy(&self) -> bool {
        match std::fs::read_to_string(&self.loadavg) {
            Ok(text) => parse_loadavg(&text).is_some_and(|load| load > self.cpus as f64),
            Err(e) => {
                tracing::debug!(path = %self.loadavg.display(), "cannot read the load: {e}");
                false
            }
        }
    }
}

/// The one-minute load average of a `/proc/loadavg` text (`0.52 0.58 0.59 1/467 12345`).
pub fn parse_loadavg(text: &str) -> Option<f64> {
    text.split_whitespace().next()?.parse().ok().filter(|l: &f64| l.is_finite())
}

/// The instant the machine has been idle since: the latest of the last activity the
/// daemon saw (its start, a logon or logoff, input on a watched terminal, a busy load)
/// and the last input read from the terminals.
pub fn idle_since(activity: Timestamp, last_input: Option<Timestamp>) -> Timestamp {
    last_input.map_or(activity, |input| input.max(activity))
}

/// Inotify watches on the sessions' terminals: a read of a terminal (a user typing) is
/// input, known at once. Only held while a task needs to know when idleness ends, so the
/// daemon is not woken at each keystroke for nothing.
pub struct TtyWatch {
    watch: Option<Watch>,
    watched: HashMap<PathBuf, WatchDescriptor>,
}

impl Default for TtyWatch {
    fn default() -> Self {
        TtyWatch::new()
    }
}

impl TtyWatch {
    /// No watches yet. Must be called on the runtime.
    pub fn new() -> TtyWatch {
        let watch = Watch::new()
            .map_err(|e| tracing::warn!("cannot watch terminals for input (inotify: {e}); idleness ends only when the daemon looks"))
            .ok();
        TtyWatch { watch, watched: HashMap::new() }
    }

    /// Watches exactly `ttys` (none: no watch, no wake-up).
    pub fn set(&mut self, ttys: &BTreeSet<PathBuf>) {
        let Some(watch) = &self.watch else { return };
        self.watched.retain(|path, wd| {
            let keep = ttys.contains(path);
            if !keep {
                watch.remove(*wd);
            }
            keep
        });
        for path in ttys {
            if !self.watched.contains_key(path) {
                // A terminal without a device (`:0`) or gone already: nothing to watch.
                if let Ok(wd) = watch.add(path, AddWatchFlags::IN_ACCESS) {
                    self.watched.insert(path.clone(), wd);
                }
            }
        }
    }

    /// Whether any terminal is watched.
    pub fn is_watching(&self) -> bool {
        !self.watched.is_empty()
    }

    /// Waits for input on a watched terminal; pending forever while none is watched.
    pub async fn input(&self) {
        match &self.watch {
            Some(watch) if !self.watched.is_empty() => {
                if let Err(e) = watch.events().await {
                    tracing::warn!("cannot read terminal events: {e}");
                    std::future::pending::<()>().await;
                }
            }
            _ => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs::FileTimes;
    use std::time::SystemTime;

    use super::*;
    use crate::utmp::{Record, sessions};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn touch(path: &Path, atime: Timestamp) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        // Some content: reading an empty file is no access for inotify.
        std::fs::write(path, b"x").unwrap();
        let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        f.set_times(FileTimes::new().set_accessed(SystemTime::from(atime))).unwrap();
    }

    fn sources(dir: &Path) -> IdleSources {
        IdleSources { dev: dir.join("dev"), loadavg: dir.join("loadavg"), cpus: 2 }
    }

    #[test]
    fn the_last_input_is_the_newest_terminal_access() {
        let dir = tempfile::tempdir().unwrap();
        let src = sources(dir.path());
        let logon = ts("2030-01-01T08:00:00Z");
        touch(&dir.path().join("dev/pts/0"), ts("2030-01-01T09:00:00Z"));
        touch(&dir.path().join("dev/pts/1"), ts("2030-01-01T09:30:00Z"));
        let s = sessions(&[
            Record::user_process("pts/0", 10, "alice", logon),
            Record::user_process("pts/1", 11, "bob", logon),
        ]);
        assert_eq!(src.last_input(&s), Some(ts("2030-01-01T09:30:00Z")));
        // A graphical session has no device: it counts from its logon.
        let x = sessions(&[Record::user_process(":0", 12, "carol", ts("2030-01-01T10:00:00Z"))]);
        assert_eq!(src.last_input(&x), Some(ts("2030-01-01T10:00:00Z")));
        assert_eq!(src.last_input(&Sessions::new()), None, "no session, no input");
        // A line that climbs out of the device directory is not read.
        touch(&dir.path().join("secret"), ts("2030-01-01T11:00:00Z"));
        let evil = sessions(&[Record::user_process("../secret", 13, "eve", logon)]);
        assert_eq!(src.last_input(&evil), Some(logon));
        assert_eq!(src.tty("/etc/shadow"), None);
        assert_eq!(src.tty(""), None);
        assert_eq!(src.tty("pts/3"), Some(dir.path().join("dev/pts/3")));
    }

    #[test]
    fn idle_since_is_the_latest_activity() {
        let start = ts("2030-01-01T08:00:00Z");
        assert_eq!(idle_since(start, None), start, "no session: since the daemon started");
        assert_eq!(idle_since(start, Some(ts("2030-01-01T07:00:00Z"))), start, "never before the start");
        assert_eq!(idle_since(start, Some(ts("2030-01-01T09:00:00Z"))), ts("2030-01-01T09:00:00Z"));
    }

    #[test]
    fn a_load_above_the_processors_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let src = sources(dir.path());
        assert!(!src.load_busy(), "an unreadable load is not busy");
        std::fs::write(&src.loadavg, "1.99 0.50 0.10 2/300 4242\n").unwrap();
        assert!(!src.load_busy());
        std::fs::write(&src.loadavg, "2.01 0.50 0.10 2/300 4242\n").unwrap();
        assert!(src.load_busy());
        assert_eq!(parse_loadavg("0.52 0.58 0.59 1/467 12345"), Some(0.52));
        assert_eq!(parse_loadavg(""), None);
        assert_eq!(parse_loadavg("NaN 1 1"), None);
        assert_eq!(parse_loadavg("garbage"), None);
    }

    #[tokio::test]
    async fn reading_a_watched_terminal_is_input() {
        let dir = tempfile::tempdir().unwrap();
        let tty = dir.path().join("dev/pts/0");
        touch(&tty, ts("2030-01-01T08:00:00Z"));
        let mut w = TtyWatch::new();
        w.set(&BTreeSet::from([tty.clone(), dir.path().join("dev/:0")]));
        assert!(w.is_watching());
        std::fs::read(&tty).unwrap();
        w.input().await;
        w.set(&BTreeSet::new());
        assert!(!w.is_watching());
    }
}

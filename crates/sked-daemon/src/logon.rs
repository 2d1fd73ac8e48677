//! Logons: the utmp file watched for new sessions, and whose logon fires which task.
//!
//! A logon is a `USER_PROCESS` record with a (terminal, process) pair the daemon has not
//! seen before ([`crate::utmp::diff`]). The sessions present when the daemon starts are the
//! baseline, not logons, and logons that happened while it was down are not replayed: a
//! trigger fires for what the daemon sees happen.

use std::path::{Path, PathBuf};

use nix::sys::inotify::{AddWatchFlags, WatchDescriptor};

use crate::utmp::{self, Change, Sessions};
use crate::watch::Watch;

/// Where utmp lives: the first of these that exists (`/var/run` is a link to `/run` on
/// current systems, a directory of its own on old ones).
pub const UTMP_PATHS: [&str; 2] = ["/run/utmp", "/var/run/utmp"];

/// The utmp file of this machine: the first of [`UTMP_PATHS`] that exists, else the first
/// (watched until it appears).
pub fn default_utmp() -> PathBuf {
    UTMP_PATHS.iter().map(PathBuf::from).find(|p| p.exists()).unwrap_or_else(|| PathBuf::from(UTMP_PATHS[0]))
}

/// A user name without its Windows domain: `CONTOSO\alice` is `alice`.
fn bare(name: &str) -> &str {
    let name = name.trim();
    name.rsplit_once('\\').map_or(name, |(_, user)| user)
}

/// Whether a logon of `user` is one an at-logon trigger for `wanted` fires on (`None`:
/// any user). Names from Windows files may carry a domain (`CONTOSO\alice`) and another
/// case than the Linux account, so the comparison drops the domain and ignores case.
pub fn user_matches(wanted: Option<&str>, user: &str) -> bool {
    wanted.is_none_or(|w| bare(w).eq_ignore_ascii_case(bare(user)))
}

/// Whether a task owned by uid `owner`, whose account is named `owner_name`, may fire
/// for a logon of `user`. Root's tasks fire for anyone; another user's only for their own
/// logons, exactly by name: otherwise a user could learn when others log on (and act on
/// it) by making an at-logon task for them.
pub fn owner_may_see(owner: u32, owner_name: Option<&str>, user: &str) -> bool {
    owner == 0 || owner_name == Some(user)
}

/// The account name of `uid`, if it has one.
pub fn user_name(uid: u32) -> Option<String> {
    match nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)) {
        Ok(user) => user.map(|u| u.name),
        Err(e) => {
            tracing::warn!(uid, "cannot look up the account: {e}");
            None
        }
    }
}

/// Events on the file itself: a write, or the file going away (a rename over it, or an
/// unlink, changes its link count: `IN_ATTRIB`).
const FILE_EVENTS: AddWatchFlags = AddWatchFlags::IN_MODIFY
    .union(AddWatchFlags::IN_CLOSE_WRITE)
    .union(AddWatchFlags::IN_ATTRIB)
    .union(AddWatchFlags::IN_DELETE_SELF)
    .union(AddWatchFlags::IN_MOVE_SELF);

/// Events on its directory, watched only while the file is missing: its creation.
const DIR_EVENTS: AddWatchFlags = AddWatchFlags::IN_CREATE.union(AddWatchFlags::IN_MOVED_TO);

/// The utmp file, its current sessions, and an inotify watch on it.
pub struct UtmpWatch {
    path: PathBuf,
    watch: Option<Watch>,
    file: Option<WatchDescriptor>,
    dir: Option<WatchDescriptor>,
    sessions: Sessions,
}

impl UtmpWatch {
    /// Reads the sessions of `path` (the baseline: they are not logons) and watches it.
    /// Must be called on the runtime. Without inotify the daemon still runs, but sees no
    /// logon: that is logged.
    pub fn open(path: PathBuf) -> UtmpWatch {
        let watch = Watch::new()
            .map_err(|e| {
                tracing::warn!("cannot watch for logons (inotify: {e}); at-logon triggers will not fire")
            })
            .ok();
        let mut w = UtmpWatch { path, watch, file: None, dir: None, sessions: Sessions::new() };
        w.arm();
        w.sessions = read(&w.path);
        tracing::debug!(utmp = %w.path.display(), sessions = w.sessions.len(), "watching for logons");
        w
    }

    /// The sessions at the last reading.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// Waits until the sessions change, and returns the logons and logoffs. Pending
    /// forever without inotify.
    pub async fn changed(&mut self) -> Change {
        loop {
            let Some(watch) = &self.watch else { return std::future::pending().await };
            let events = match watch.events().await {
                Ok(events) => events,
                Err(e) => {
                    tracing::error!(utmp = %self.path.display(), "cannot read inotify events ({e}); logons are no longer seen");
                    self.watch = None;
                    continue;
                }
            };
            let name = self.path.file_name();
            // The file's events, and its creation in the directory (not its neighbours').
            let relevant = events
                .iter()
                .any(|e| Some(e.wd) == self.file || (Some(e.wd) == self.dir && e.name.as_deref() == name));
            if !relevant {
                continue;
            }
            self.arm();
            let sessions = read(&self.path);
            let change = utmp::diff(&self.sessions, &sessions);
            self.sessions = sessions;
            if !change.is_empty() {
                return change;
            }
        }
    }

    /// Watches the file now at the path (a file replaced by another is a new inode, and
    /// a new watch), else its directory until the file appears.
    fn arm(&mut self) {
        let Some(watch) = &self.watch else { return };
        match watch.add(&self.path, FILE_EVENTS) {
            Ok(wd) => {
                if let Some(old) = self.file.replace(wd).filter(|old| *old != wd) {
                    watch.remove(old);
                }
                if let Some(dir) = self.dir.take() {
                    watch.remove(dir);
                }
            }
            Err(e) => {
                tracing::debug!(utmp = %self.path.display(), "not watched yet: {e}");
                if let Some(old) = self.file.take() {
                    watch.remove(old);
                }
                if self.dir.is_none() {
                    let dir =
                        self.path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
                    match watch.add(dir, DIR_EVENTS) {
                        Ok(wd) => self.dir = Some(wd),
                        Err(e) => tracing::warn!(
                            utmp = %self.path.display(),
                            "cannot watch for logons: {e}; at-logon triggers will not fire"
                        ),
                    }
                }
            }
        }
    }
}

/// The sessions of the file at `path`; none when it cannot be read.
fn read(path: &Path) -> Sessions {
    match std::fs::read(path) {
        Ok(bytes) => {
            let u = utmp::parse(&bytes);
            if let Some(e) = &u.error {
                // A writer caught mid-record, or not a utmp file: the whole records count.
                tracing::debug!(utmp = %path.display(), "{e}");
            }
            utmp::sessions(&u.records)
        }
        Err(e) => {
            tracing::debug!(utmp = %path.display(), "cannot read: {e}");
            Sessions::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use jiff::Timestamp;

    use super::*;
    use crate::utmp::Record;

    #[test]
    fn users_match_by_name_without_domain_or_case() {
        assert!(user_matches(None, "anyone"));
        assert!(user_matches(Some("alice"), "alice"));
        assert!(user_matches(Some("Alice"), "alice"));
        assert!(user_matches(Some("CONTOSO\\alice"), "alice"));
        assert!(user_matches(Some(" contoso\\ALICE "), "alice"));
        assert!(!user_matches(Some("alice"), "bob"));
        assert!(!user_matches(Some("alice"), "alice2"));
        assert!(!user_matches(Some("CONTOSO\\alice"), "bob"));
    }

    #[test]
    fn only_root_tasks_see_other_users_logons() {
        assert!(owner_may_see(0, Some("root"), "alice"));
        assert!(owner_may_see(0, None, "alice"));
        assert!(owner_may_see(1000, Some("alice"), "alice"));
        assert!(!owner_may_see(1000, Some("alice"), "bob"));
        assert!(!owner_may_see(1000, Some("alice"), "Alice"), "the owner's own name, exactly");
        assert!(!owner_may_see(1000, None, "alice"), "an owner without an account sees nothing");
    }

    #[tokio::test]
    async fn logons_are_new_sessions_seen_after_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("utmp");
        let t: Timestamp = "2026-01-01T08:00:00Z".parse().unwrap();
        std::fs::write(&path, Record::user_process("pts/0", 10, "early", t).encode()).unwrap();
        let mut w = UtmpWatch::open(path.clone());
        assert_eq!(w.sessions().len(), 1, "the sessions at start are the baseline");
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&Record::user_process("pts/1", 11, "alice", t).encode()).unwrap();
        let c = w.changed().await;
        assert_eq!(c.logons.iter().map(|(_, s)| s.user.as_str()).collect::<Vec<_>>(), ["alice"]);
        assert!(c.logoffs.is_empty());

        // The file replaced (rename over it, as some tools write it): still watched.
        let tmp = dir.path().join("utmp.new");
        std::fs::write(&tmp, Record::user_process("pts/2", 12, "bob", t).encode()).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        let c = w.changed().await;
        assert_eq!(c.logons.iter().map(|(_, s)| s.user.as_str()).collect::<Vec<_>>(), ["bob"]);
        assert_eq!(c.logoffs.len(), 2);
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&Record::user_process("pts/3", 13, "carol", t).encode()).unwrap();
        assert_eq!(w.changed().await.logons[0].1.user, "carol");
    }

    #[tokio::test]
    async fn a_file_created_later_is_watched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("utmp");
        let mut w = UtmpWatch::open(path.clone());
        assert!(w.sessions().is_empty());
        std::fs::write(dir.path().join("other"), b"x").unwrap();
        let t: Timestamp = "2026-01-01T08:00:00Z".parse().unwrap();
        std::fs::write(&path, Record::user_process("tty1", 5, "alice", t).encode()).unwrap();
        assert_eq!(w.changed().await.logons[0].1.user, "alice");
    }
}

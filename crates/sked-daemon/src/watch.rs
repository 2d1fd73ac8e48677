//! Waiting for files to change: an inotify instance on the async runtime.
//!
//! The daemon watches the utmp file for logons and, only while a task needs to know when
//! the machine stops being idle, the terminals of the sessions for input. Either way the
//! kernel wakes the daemon when something happens, and never otherwise: no polling.
//! (nix's inotify is the same system call interface as the `inotify` crate, without
//! another dependency.)

use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::path::Path;

use nix::errno::Errno;
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, InotifyEvent, WatchDescriptor};
use tokio::io::unix::AsyncFd;

/// The instance, as `AsyncFd` takes it (nix's `Inotify` has `AsFd`, not `AsRawFd`).
struct Fd(Inotify);

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_fd().as_raw_fd()
    }
}

/// An inotify instance whose events are awaited on the runtime.
pub struct Watch {
    fd: AsyncFd<Fd>,
}

impl Watch {
    /// A new instance with no watches. Must be called on the runtime.
    pub fn new() -> std::io::Result<Watch> {
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)?;
        // The safe constructor is deprecated because a borrowed fd could be closed behind
        // tokio's back; `Inotify` owns its fd and the `AsyncFd` owns the `Inotify` until it
        // is dropped, which is the sound case (as in `clock.rs`).
        #[allow(deprecated)]
        let fd = AsyncFd::new(Fd(inotify))?;
        Ok(Watch { fd })
    }

    /// Watches `path` for `events`.
    pub fn add(&self, path: &Path, events: AddWatchFlags) -> nix::Result<WatchDescriptor> {
        self.fd.get_ref().0.add_watch(path, events)
    }

    /// Stops watching `wd`. A watch the kernel already dropped (its file is gone) is not
    /// an error.
    pub fn remove(&self, wd: WatchDescriptor) {
        match self.fd.get_ref().0.rm_watch(wd) {
            Ok(()) | Err(Errno::EINVAL) => {}
            Err(e) => tracing::debug!("cannot remove an inotify watch: {e}"),
        }
    }

    /// Waits for events and returns every one queued, so that a burst of writes (a logon
    /// writes its record in a few) is handled once.
    pub async fn events(&self) -> std::io::Result<Vec<InotifyEvent>> {
        loop {
            let mut guard = self.fd.readable().await?;
            let mut all = Vec::new();
            loop {
                match guard.get_inner().0.read_events() {
                    Ok(events) if !events.is_empty() => all.extend(events),
                    Ok(_) | Err(Errno::EAGAIN) => break,
                    Err(Errno::EINTR) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            if all.is_empty() {
                guard.clear_ready();
                continue;
            }
            return Ok(all);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_write_wakes_the_watch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"a").unwrap();
        let w = Watch::new().unwrap();
        let wd = w.add(&path, AddWatchFlags::IN_MODIFY).unwrap();
        std::fs::write(&path, b"b").unwrap();
        let events = w.events().await.unwrap();
        assert!(events.iter().any(|e| e.wd == wd && e.mask.contains(AddWatchFlags::IN_MODIFY)));
        w.remove(wd);
        w.remove(wd);
    }
}

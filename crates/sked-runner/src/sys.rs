//! The one module of the crate that holds `unsafe` code: what the child does between `fork`
//! and `exec`, and `pidfd_open`, which nix does not wrap.
//!
//! Everything else in the crate uses safe wrappers (std, nix, tokio). Each `unsafe` block
//! below says why it is sound.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::Command;

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// The step of the child's set-up that failed, carried back to the parent inside the error
/// code (see [`encode`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// `execve` itself: the program could not be run.
    Exec,
    /// `setsid`: the new session and process group.
    Session,
    /// `setpriority`: the nice value.
    Priority,
    /// Resetting signal dispositions to their defaults.
    Signals,
    /// `setgid`.
    SetGid,
    /// `setgroups`: the user's supplementary groups.
    SetGroups,
    /// `setuid`.
    SetUid,
    /// The check that the ids really changed.
    VerifyIds,
    /// `chdir` to the working directory.
    Chdir,
}

impl Stage {
    const ALL: [Stage; 9] = [
        Stage::Exec,
        Stage::Session,
        Stage::Priority,
        Stage::Signals,
        Stage::SetGid,
        Stage::SetGroups,
        Stage::SetUid,
        Stage::VerifyIds,
        Stage::Chdir,
    ];

    fn code(self) -> i32 {
        self as i32
    }
}

/// std sends the child's error back to the parent as one `i32` (the errno of a failed `exec`,
/// or whatever raw OS error a `pre_exec` hook returned). Errno values are small (< 4096 on
/// Linux), so the hook puts the failing [`Stage`] in the bits above 16; `exec` failures come
/// back as plain errno, stage 0. This tells "`chdir` was refused" from "`exec` was refused"
/// without a second pipe per spawn.
const STAGE_SHIFT: u32 = 16;

fn encode(stage: Stage, err: io::Error) -> io::Error {
    let errno = err.raw_os_error().unwrap_or(libc::EIO);
    io::Error::from_raw_os_error((stage.code() << STAGE_SHIFT) | (errno & 0xffff))
}

/// Splits an error from `Command::spawn` into the stage that failed and the plain OS error.
pub(crate) fn decode(err: io::Error) -> (Stage, io::Error) {
    match err.raw_os_error() {
        Some(raw) if raw >> STAGE_SHIFT != 0 => {
            let stage =
                Stage::ALL.into_iter().find(|s| s.code() == raw >> STAGE_SHIFT).unwrap_or(Stage::Exec);
            (stage, io::Error::from_raw_os_error(raw & 0xffff))
        }
        _ => (Stage::Exec, err),
    }
}

/// The user the child switches to. All of it is looked up in the parent: the passwd and
/// group databases go through NSS, which allocates and takes locks, so it must not run
/// between `fork` and `exec`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Switch {
    pub uid: libc::uid_t,
    pub gid: libc::gid_t,
    /// The supplementary groups, as `initgroups` would compute them (`getgrouplist`).
    pub groups: Vec<libc::gid_t>,
}

/// What the child does before `exec`, in this order (each step needs the privileges the
/// previous ones still have):
///
/// 1. `setsid()`: a new session and process group led by the child, so that a stop reaches
///    the whole tree and the child has no controlling terminal;
/// 2. `setpriority()`: while still root, so a negative nice value is allowed;
/// 3. every catchable signal back to its default disposition (std already clears the mask
///    and `SIGPIPE`; an ignored signal would otherwise survive `exec`);
/// 4. `setgid`, `setgroups`, `setuid`, then a check with `getresuid`/`getresgid` that all
///    three ids changed: a failed switch fails the start and never runs the program as root;
/// 5. `chdir()`, as the task's user, so a directory the user may not enter is refused.
pub(crate) struct ChildSetup {
    pub nice: Option<i32>,
    pub switch: Option<Switch>,
    pub cwd: CString,
}

impl ChildSetup {
    /// Installs the set-up as the command's `pre_exec` hook.
    pub(crate) fn install(self, cmd: &mut Command) {
        // SAFETY: the hook runs in the child between `fork` and `exec`, where only
        // async-signal-safe functions may be called. `apply` calls only raw system calls
        // (setsid, setpriority, signal, setgid, setgroups, setuid, getresuid, getresgid,
        // chdir) and builds errors with `io::Error::from_raw_os_error`, which does not
        // allocate. Every buffer it reads (the group list, the directory) was built in the
        // parent and is owned by the closure, so nothing is allocated or locked in the child.
        unsafe {
            cmd.pre_exec(move || self.apply());
        }
    }

    fn apply(&self) -> io::Result<()> {
        // SAFETY: setsid takes no arguments and only affects the calling (child) process.
        if unsafe { libc::setsid() } == -1 {
            return Err(encode(Stage::Session, io::Error::last_os_error()));
        }
        if let Some(nice) = self.nice {
            // SAFETY: plain system call on the calling process (`who` 0); no pointers.
            if unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, nice) } == -1 {
                return Err(encode(Stage::Priority, io::Error::last_os_error()));
            }
        }
        // The standard signals, 1 to 31; real-time signals are left as they are.
        for sig in 1..32 {
            if sig == libc::SIGKILL || sig == libc::SIGSTOP {
                continue;
            }
            // SAFETY: `signal` with SIG_DFL installs no handler and is async-signal-safe;
            // a failure leaves the disposition as it was, which is harmless, so it is ignored.
            unsafe { libc::signal(sig, libc::SIG_DFL) };
        }
        if let Some(sw) = &self.switch {
            // SAFETY: plain system call with an integer argument.
            if unsafe { libc::setgid(sw.gid) } == -1 {
                return Err(encode(Stage::SetGid, io::Error::last_os_error()));
            }
            // SAFETY: the pointer and length describe `sw.groups`, a live Vec owned by the
            // closure; the kernel only reads it.
            if unsafe { libc::setgroups(sw.groups.len(), sw.groups.as_ptr()) } == -1 {
                return Err(encode(Stage::SetGroups, io::Error::last_os_error()));
            }
            // SAFETY: plain system call with an integer argument.
            if unsafe { libc::setuid(sw.uid) } == -1 {
                return Err(encode(Stage::SetUid, io::Error::last_os_error()));
            }
            let (mut r, mut e, mut s) = (0, 0, 0);
            // SAFETY: the three pointers are to locals that outlive the call.
            let uid_ok = unsafe { libc::getresuid(&mut r, &mut e, &mut s) } == 0
                && [r, e, s].iter().all(|&u| u == sw.uid);
            let (mut rg, mut eg, mut sg) = (0, 0, 0);
            // SAFETY: as above.
            let gid_ok = unsafe { libc::getresgid(&mut rg, &mut eg, &mut sg) } == 0
                && [rg, eg, sg].iter().all(|&g| g == sw.gid);
            if !(uid_ok && gid_ok) {
                return Err(encode(Stage::VerifyIds, io::Error::from_raw_os_error(libc::EPERM)));
            }
        }
        // SAFETY: `cwd` is a NUL-terminated string owned by the closure.
        if unsafe { libc::chdir(self.cwd.as_ptr()) } == -1 {
            return Err(encode(Stage::Chdir, io::Error::last_os_error()));
        }
        Ok(())
    }
}

/// Registers a pidfd with the tokio reactor, for readability (the process has exited).
pub(crate) fn watch_pidfd(pidfd: OwnedFd) -> io::Result<AsyncFd<OwnedFd>> {
    // SAFETY: an `OwnedFd` owns its descriptor: it stays open and refers to the same
    // description until the `OwnedFd`, and so the `AsyncFd`, is dropped, and `as_raw_fd`
    // always returns that same descriptor.
    unsafe { AsyncFd::register_with_interest(pidfd, Interest::READABLE) }.map_err(|e| e.into_parts().1)
}

/// Opens a pidfd for `pid` (Linux 5.3 and later). The pidfd becomes readable when the
/// process exits, which lets one task wait for one child without `SIGCHLD`.
pub(crate) fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    let pid = libc::pid_t::try_from(pid).map_err(|_| io::Error::from_raw_os_error(libc::ESRCH))?;
    // SAFETY: pidfd_open takes a pid and flags (none; the fd is always close-on-exec) and
    // returns a new file descriptor or -1; no memory is passed.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd = i32::try_from(fd).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
    // SAFETY: `fd` was just returned by the kernel, is open, and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_round_trips_through_the_error_code() {
        for stage in Stage::ALL.into_iter().skip(1) {
            let (back, err) = decode(encode(stage, io::Error::from_raw_os_error(libc::EACCES)));
            assert_eq!(back, stage);
            assert_eq!(err.raw_os_error(), Some(libc::EACCES));
        }
        let (stage, err) = decode(io::Error::from_raw_os_error(libc::ENOENT));
        assert_eq!(stage, Stage::Exec);
        assert_eq!(err.raw_os_error(), Some(libc::ENOENT));
    }
}

//! The sked runner: starts a task's program and enforces its limits.
//!
//! ```
//! use std::time::Duration;
//! use sked_runner::{LogSpec, Outcome, ProcessRunner, RunIdentity, RunSpec, Runner};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # let log_path = dir.path().join("42.log");
//! // The daemon would log to /var/log/sked/<task>/<run id>.log.
//! let spec = RunSpec::new("echo", LogSpec::new(&log_path))
//!     .args(["hello", "$HOME; stays literal"])
//!     .env("BACKUP_TARGET", "/srv/backup")
//!     .identity(RunIdentity { task: "backup".into(), run_id: "42".into(), scheduled_time: None })
//!     .max_run_time(Duration::from_secs(3600));
//! let mut run = ProcessRunner::new().start(spec)?;
//! println!("started pid {}", run.pid());
//! let exit = run.wait().await?;
//! assert_eq!(exit.outcome(), Outcome::Succeeded);
//! assert_eq!(std::fs::read_to_string(&log_path)?, "hello $HOME; stays literal\n");
//! println!("{} after {:?}, {} bytes logged", exit.status, exit.run_time, exit.log.bytes);
//! # Ok(())
//! # }
//! ```
//!
//! [`Runner`] is the daemon's boundary: [`ProcessRunner`] runs real processes, and a fake
//! built on [`RunHandle::new`] stands in for it in the daemon's tests.
//!
//! # How a program is run
//!
//! - **No shell.** The program is executed directly with its arguments exactly as given:
//!   `;`, `$HOME`, quotes and spaces reach it literally. A program holding a `/` is used as
//!   given (relative to the working directory); a bare name is looked up in the `PATH` of
//!   the *child's* environment (below), never the daemon's. A task that wants a shell names
//!   one as its program (`/bin/sh` with `-c` and a script).
//! - **User.** With [`RunSpec::user`] set and the daemon running as root, the user is looked
//!   up in the passwd database (by name or uid) and the child calls `setgid`, `setgroups`
//!   with the groups `initgroups` would set, then `setuid`, in that order, and checks that
//!   all real, effective and saved ids changed. If any step fails the start fails with an
//!   error naming the step: a program is never run as root because a switch failed. A
//!   daemon that is not root may only name its own user. Passwords are never read or kept.
//! - **Working directory.** [`RunSpec::working_dir`] must be an existing directory, and is
//!   entered after the user switch, as the user. Without one: the user's home directory if
//!   it exists, else `/`.
//! - **Process group.** The child calls `setpgid(0, 0)`: it leads a new process group (its
//!   pgid is its pid). Stops signal the whole group, so the program's children and
//!   grandchildren end with it (unless they moved to a group of their own). It stays in the
//!   daemon's session: a new session per run (`setsid`) would, with the kernel's scheduler
//!   autogroups, put each run in its own CPU group where its nice value no longer counts
//!   against other processes.
//! - **Priority.** [`RunSpec::nice`] is applied with `setpriority` before the user switch,
//!   so a root daemon may set negative values. A value the daemon is not allowed to set
//!   fails the start ([`ErrorKind::PermissionDenied`]); a daemon that is not root should
//!   pass `nice.max(0)`.
//! - **Signals.** Every signal (1 to 64) is reset to its default disposition and the signal
//!   mask is cleared, so nothing the daemon ignores or blocks is inherited.
//! - **Input** is `/dev/null`.
//! - **Creation.** The child is created the way `posix_spawn` creates one,
//!   `clone(CLONE_VM | CLONE_VFORK)`, not with `fork`, which made every start about three
//!   times as expensive in a busy multi-threaded daemon (`examples/spawn_bench.rs`). All
//!   `unsafe` code of the crate is in its private `sys` module, which explains the rules the
//!   child follows.
//!
//! # Environment
//!
//! Nothing of the daemon's environment reaches the program. It gets this clean base:
//!
//! | variable | value |
//! | --- | --- |
//! | `PATH` | [`CLEAN_PATH`]: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` |
//! | `HOME` | the user's home directory, from the passwd database |
//! | `USER`, `LOGNAME` | the user's name |
//! | `SHELL` | the user's login shell, or `/bin/sh` when the entry has none |
//! | `LANG` | [`CLEAN_LANG`]: `C.UTF-8` |
//! | `SKED_TASK` | the task's name ([`RunIdentity::task`]) |
//! | `SKED_RUN_ID` | the run's id ([`RunIdentity::run_id`]) |
//! | `SKED_SCHEDULED_TIME` | when the run was due, RFC 3339; unset for a run started by hand |
//!
//! then the task's own variables ([`RunSpec::env`]), which override any of the above
//! (a task may set its own `PATH`, `LANG` or `TZ`). "The user" is [`RunSpec::user`], or
//! the daemon's own user when none is given.
//!
//! # Output
//!
//! Standard output and standard error go to one pipe, so they reach the per-run log
//! ([`LogSpec`]) interleaved in the order they were written, as raw bytes. Each chunk is
//! written and flushed as it arrives, so the log can be followed while the run goes on.
//! Past [`LogSpec::max_bytes`] the pipe is still read, so the program never blocks, but the
//! bytes are only counted; one last line `[sked: output truncated: N bytes dropped after the
//! first M bytes]` says how many. The file is created new with mode [`LogSpec::mode`] and
//! belongs to the run's user. [`LogRetention`] prunes old logs.
//!
//! # Stopping and limits
//!
//! [`RunSpec::max_run_time`], [`RunSpec::stop_at`] and [`RunHandle::stop`] all end a run
//! the same way: `SIGTERM` to the process group, then `SIGKILL` to the group after
//! [`RunSpec::grace`] if the program, or anything still holding its output, is still there.
//! When the program has exited and nothing holds its output any more, what may be left of
//! the group is sent `SIGKILL` at once instead. The program is reaped only at the very end,
//! so its pid, which is the group's id, cannot be reused by another process meanwhile.
//! [`RunExit::outcome`] then reports why it ended, whatever the exit status.
//!
//! A program that exits on its own ends the run; children it left behind keep running (as
//! with Task Scheduler), and their output is read for [`LogSpec::drain`] more.
#![deny(missing_docs)]
// Also denied workspace-wide; only the `sys` module allows it.
#![deny(unsafe_code)]

mod account;
mod environment;
mod error;
mod log;
mod process;
mod program;
mod run;
mod spec;
mod sys;

pub use environment::{CLEAN_LANG, CLEAN_PATH};
pub use error::{Error, ErrorKind};
pub use log::{LogRetention, LogSummary};
pub use process::ProcessRunner;
pub use run::{ExitStatus, Outcome, RunControl, RunExit, RunHandle, StopReason, Stopper};
pub use spec::{
    DEFAULT_DRAIN, DEFAULT_GRACE, DEFAULT_LOG_MAX_BYTES, LogSpec, RunIdentity, RunSpec, UserSpec,
};

/// Starts runs. The daemon's boundary to processes: [`ProcessRunner`] in production, a fake
/// (built with [`RunHandle::new`]) in the daemon's tests.
pub trait Runner: Send + Sync {
    /// Starts `spec` and returns a handle to stop and wait for it.
    ///
    /// Returns once the program is executing (`exec` succeeded). Every reason it could not
    /// get there (a missing program or directory, an unknown user, a refused switch, an OS
    /// error in the child) is an [`Error`] with the OS message, and no process is left
    /// behind; the daemon records it as [`Outcome::Failed`].
    ///
    /// # Panics
    ///
    /// [`ProcessRunner`] must be called inside a tokio runtime with I/O and time enabled;
    /// without one it returns an error, and with one whose I/O driver is disabled it panics.
    fn start(&self, spec: RunSpec) -> Result<RunHandle, Error>;
}

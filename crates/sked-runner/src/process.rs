//! [`ProcessRunner`]: runs real processes.

use std::ffi::{CString, OsStr};
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid};
use nix::unistd::Pid;
use tokio::io::unix::AsyncFd;
use tokio::net::unix::pipe;
use tokio::time::{Instant, sleep_until};

use crate::Runner;
use crate::account::{self, Account};
use crate::environment;
use crate::error::{Error, Inner};
use crate::log::{self, LogWriter};
use crate::program;
use crate::run::{ExitStatus, RunControl, RunExit, RunHandle, StopReason};
use crate::spec::RunSpec;
use crate::sys::{self, CStringArray, SpawnError, Stage};

/// The [`Runner`] that starts real processes.
///
/// Each run costs the daemon one tokio task and three file descriptors (a pidfd, the read
/// end of the output pipe, the log file) until it ends; no thread. A daemon running
/// thousands of tasks at once needs `RLIMIT_NOFILE` to match.
///
/// Requirements: Linux 5.3 or later (pidfds) on x86_64, aarch64 or riscv64; calls from
/// inside a tokio runtime with I/O and time enabled; the daemon must not set `SIGCHLD` to
/// `SIG_IGN` (that would let the kernel reap children before their exit status is read).
///
/// [`Runner::start`] blocks its thread until the child has called `exec` (about a
/// millisecond on a small machine), as `std::process::Command::spawn` does.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessRunner {
    _private: (),
}

impl ProcessRunner {
    /// A runner.
    pub fn new() -> Self {
        ProcessRunner { _private: () }
    }
}

impl Runner for ProcessRunner {
    fn start(&self, spec: RunSpec) -> Result<RunHandle, Error> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| Error::new(Inner::NoRuntime))?;
        let prepared = Prepared::new(&spec)?;
        // The log is created when the program first writes (see `LogWriter`); a file already
        // in its place stops the run here, before anything starts, as creating it would.
        log::check_free(&spec.log)?;
        let _guard = runtime.enter();
        let started = spawn(&spec, &prepared)?;
        let (log_spec, owner) = (spec.log.clone(), prepared.switch.as_ref().map(|s| (s.uid, s.gid)));
        let open: log::Opener<tokio::fs::File> = Box::new(move || {
            Box::pin(async move {
                let created = tokio::task::spawn_blocking(move || log::create(&log_spec, owner))
                    .await
                    .map_err(|e| e.to_string())?;
                created.map(tokio::fs::File::from_std).map_err(|e| e.to_string())
            })
        });
        let (handle, control) = RunHandle::new(started.pid);
        let now = Instant::now();
        let sup = Supervisor {
            pid: started.pid,
            pidfd: started.pidfd,
            output: started.output,
            log: LogWriter::lazy(open, spec.log.max_bytes),
            control,
            deadline: spec.max_run_time.map(|d| now + d),
            stop_at: spec.stop_at,
            grace: spec.grace,
            drain: spec.log.drain,
            started_wall: started.at,
            started: now,
        };
        runtime.spawn(sup.run());
        Ok(handle)
    }
}

/// What is worked out in the daemon before the child is created.
struct Prepared {
    program: PathBuf,
    account: Account,
    switch: Option<sys::Switch>,
    cwd: PathBuf,
    env: std::collections::BTreeMap<std::ffi::OsString, std::ffi::OsString>,
}

impl Prepared {
    fn new(spec: &RunSpec) -> Result<Self, Error> {
        if let Some(a) = spec.args.iter().find(|a| a.as_bytes().contains(&0)) {
            return Err(Error::invalid("args", format!("argument `{}` contains a NUL byte", a.display())));
        }
        if let Some(nice) = spec.nice
            && !(-20..=19).contains(&nice)
        {
            return Err(Error::invalid("nice", format!("`{nice}` is out of range; expected -20 to 19")));
        }
        let (account, switch) = account::resolve(spec.user.as_ref())?;
        let cwd = working_dir(spec.working_dir.as_deref(), &account)?;
        let env = environment::build(&account, &spec.identity, &spec.env)?;
        let path = env.get(OsStr::new("PATH")).map(|p| p.as_os_str());
        let program = program::resolve(&spec.program, path, &cwd)?;
        Ok(Prepared { program, account, switch, cwd, env })
    }
}

/// The working directory: the spec's, which must be an existing directory, or the user's
/// home when it is one, else `/`.
fn working_dir(dir: Option<&Path>, account: &Account) -> Result<PathBuf, Error> {
    let Some(dir) = dir else {
        return Ok(if account.home.is_absolute() && account.home.is_dir() {
            account.home.clone()
        } else {
            PathBuf::from("/")
        });
    };
    let problem = |problem: String| Error::new(Inner::WorkingDir { dir: dir.to_path_buf(), problem });
    if dir.as_os_str().as_bytes().contains(&0) {
        return Err(problem("contains a NUL byte".into()));
    }
    if !dir.is_absolute() {
        return Err(problem("is relative; expected an absolute path".into()));
    }
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(dir.to_path_buf()),
        Ok(_) => Err(problem("is not a directory".into())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(problem("does not exist".into())),
        Err(e) => Err(problem(format!("cannot be read: {e}"))),
    }
}

struct Started {
    pid: u32,
    pidfd: AsyncFd<OwnedFd>,
    output: pipe::Receiver,
    at: SystemTime,
}

/// Standard input of every run: `/dev/null`, opened once.
fn dev_null() -> io::Result<&'static OwnedFd> {
    static NULL: OnceLock<OwnedFd> = OnceLock::new();
    if let Some(fd) = NULL.get() {
        return Ok(fd);
    }
    let fd = at_least_3(std::fs::File::open("/dev/null")?.into())?;
    Ok(NULL.get_or_init(|| fd))
}

/// `fd`, or a copy of it numbered 3 or above: the child puts its standard descriptors at 0, 1
/// and 2, which must not be where its sources are (only possible in a daemon that closed its
/// own standard descriptors).
fn at_least_3(fd: OwnedFd) -> io::Result<OwnedFd> {
    // `try_clone` duplicates with F_DUPFD_CLOEXEC from 3 upwards.
    if fd.as_raw_fd() < 3 { fd.try_clone() } else { Ok(fd) }
}

/// Must be called inside the runtime: the pidfd and the pipe are registered with it.
fn spawn(spec: &RunSpec, prepared: &Prepared) -> Result<Started, Error> {
    let program = &prepared.program;
    let os = |what: &'static str| move |e: io::Error| os_error(program, what, e);
    let stdin = dev_null().map_err(os("could not open /dev/null"))?;
    // One pipe for stdout and stderr: the two arrive in the order they were written.
    let (read, write) =
        nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| os("could not create a pipe")(e.into()))?;
    let write = at_least_3(write).map_err(os("could not create a pipe"))?;

    // Checked for NUL bytes in `Prepared::new`, so none of these fail.
    let c = |bytes: &[u8]| CString::new(bytes).map_err(|_| Error::invalid("program", "contains a NUL byte"));
    let path = c(program.as_os_str().as_bytes())?;
    let mut argv = vec![c(spec.program.as_os_str().as_bytes())?];
    for a in &spec.args {
        argv.push(c(a.as_bytes())?);
    }
    let mut envp = Vec::with_capacity(prepared.env.len());
    for (k, v) in &prepared.env {
        envp.push(c(&[k.as_bytes(), b"=", v.as_bytes()].concat())?);
    }
    let (argv, envp) = (CStringArray::new(argv), CStringArray::new(envp));
    let cwd = c(prepared.cwd.as_os_str().as_bytes())?;
    let exec = sys::Exec {
        program: &path,
        argv: &argv,
        envp: &envp,
        stdin: stdin.as_fd(),
        output: write.as_fd(),
        nice: spec.nice,
        switch: prepared.switch.as_ref(),
        cwd: &cwd,
    };
    let at = SystemTime::now();
    let pid = sys::spawn(&exec).map_err(|e| match e {
        SpawnError::Parent(e) => os_error(program, "could not create the process", e),
        SpawnError::Child(stage, e) => start_error(stage, e, spec, prepared),
    })?;
    // The child has its copies; the daemon's write end must go, or the log never sees EOF.
    drop(write);
    let watched = sys::pidfd_open(pid)
        .and_then(sys::watch_pidfd)
        .and_then(|pidfd| Ok((pidfd, pipe::Receiver::from_owned_fd(read)?)));
    match watched {
        Ok((pidfd, output)) => Ok(Started { pid, pidfd, output, at }),
        Err(e) => {
            abandon(pid);
            Err(os_error(program, "could not watch the process", e))
        }
    }
}

fn start_error(stage: Stage, source: io::Error, spec: &RunSpec, prepared: &Prepared) -> Error {
    let user = &prepared.account.name;
    let uid = prepared.account.uid;
    let what = match stage {
        Stage::Exec => "could not execute the program".to_string(),
        Stage::ProcessGroup => "could not create a process group".to_string(),
        Stage::Priority => format!("could not set nice value {}", spec.nice.unwrap_or(0)),
        Stage::Stdio => "could not set up standard input and output".to_string(),
        Stage::SetGid => format!("could not switch to the group of `{user}` (gid {})", prepared.account.gid),
        Stage::SetGroups => format!("could not set the supplementary groups of `{user}`"),
        Stage::SetUid => format!("could not switch to user `{user}` (uid {uid})"),
        Stage::VerifyIds => format!("the switch to user `{user}` (uid {uid}) did not take"),
        Stage::Chdir => {
            format!("could not enter working directory `{}` as `{user}`", prepared.cwd.display())
        }
    };
    Error::new(Inner::Start { program: prepared.program.clone(), what, stage, source })
}

fn os_error(program: &Path, what: &'static str, source: io::Error) -> Error {
    Error::new(Inner::Os { program: program.to_path_buf(), what, source })
}

/// Kills and reaps a child the runner cannot supervise.
fn abandon(pid: u32) {
    let pid = Pid::from_raw(pid as i32);
    let _ = killpg(pid, Signal::SIGKILL);
    // Blocks only until the kernel has delivered SIGKILL.
    let _ = nix::sys::wait::waitpid(pid, None);
}

/// Where a run is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Running, or exited on its own.
    Running,
    /// `SIGTERM` sent to the group; `SIGKILL` due at `kill_at`.
    Terminating { reason: StopReason, kill_at: Instant },
    /// `SIGKILL` sent to the group.
    Killed { reason: StopReason },
}

/// What the one timer of a run is set for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Alarm {
    Limit(StopReason),
    Kill,
    EndDrain,
}

/// The tokio task that owns one run: it reads the output into the log, watches the pidfd,
/// enforces the time limits and hears stop requests, all in one `select!` loop.
///
/// The program is not reaped until the run is over: its zombie keeps its pid, which is also
/// its process group id, from being reused, so signalling the group after the program has
/// exited can never reach an unrelated process.
struct Supervisor {
    pid: u32,
    pidfd: AsyncFd<OwnedFd>,
    output: pipe::Receiver,
    log: LogWriter<tokio::fs::File>,
    control: RunControl,
    deadline: Option<Instant>,
    stop_at: Option<Instant>,
    grace: Duration,
    drain: Duration,
    started_wall: SystemTime,
    started: Instant,
}

/// The first read buffer; it grows to [`MAX_BUF`] for programs that write a lot, so that
/// thousands of quiet runs do not hold 64 KiB each.
const MIN_BUF: usize = 4096;
const MAX_BUF: usize = 64 * 1024;

impl Supervisor {
    async fn run(mut self) {
        let result = self.supervise().await;
        let Supervisor { pidfd, log, control, started_wall, started, .. } = self;
        let summary = log.finish().await;
        let result = match result {
            Ok((status, stopped, escalated, ended_wall, ended)) => {
                // The program has exited (seen through the pidfd): reaping does not block.
                let _ = waitid(Id::PIDFd(pidfd.get_ref().as_fd()), WaitPidFlag::WEXITED);
                Ok(RunExit {
                    status,
                    stopped,
                    escalated,
                    started: started_wall,
                    ended: ended_wall,
                    run_time: ended.saturating_duration_since(started),
                    log: summary,
                })
            }
            Err(e) => Err(e),
        };
        control.finish(result);
    }

    #[allow(clippy::type_complexity)]
    async fn supervise(
        &mut self,
    ) -> Result<(ExitStatus, Option<StopReason>, bool, SystemTime, Instant), Error> {
        let pid = self.pid;
        let pgid = Pid::from_raw(pid as i32);
        let mut phase = Phase::Running;
        let mut exited: Option<(ExitStatus, SystemTime, Instant)> = None;
        let mut output_open = true;
        let mut drain_until: Option<Instant> = None;
        let mut escalated = false;
        let mut buf: Vec<u8> = Vec::new();
        let timer = sleep_until(Instant::now());
        tokio::pin!(timer);

        loop {
            if let Some((_, _, at)) = exited {
                match phase {
                    Phase::Running if !output_open => break,
                    Phase::Running => {
                        drain_until.get_or_insert(at + self.drain);
                    }
                    // The program is gone and so is everyone holding its output. Whatever may
                    // be left of the group got SIGTERM with it and no longer writes to the
                    // log: end it now rather than wait out the grace period. (The zombie
                    // still holds the group id, so this reaches no one else.)
                    Phase::Terminating { reason, .. } if !output_open => {
                        let _ = killpg(pgid, Signal::SIGKILL);
                        phase = Phase::Killed { reason };
                        break;
                    }
                    Phase::Terminating { .. } => {}
                    Phase::Killed { .. } if !output_open => break,
                    Phase::Killed { .. } => {
                        drain_until.get_or_insert(Instant::now() + self.drain);
                    }
                }
            }
            let alarm = self.next_alarm(phase, exited.is_some(), drain_until);
            if let Some((when, _)) = alarm
                && timer.deadline() != when
            {
                timer.as_mut().reset(when);
            }

            tokio::select! {
                biased;
                status = exit_status(&self.pidfd, pid), if exited.is_none() => {
                    exited = Some((status?, SystemTime::now(), Instant::now()));
                }
                reason = self.control.stop_requested(), if phase == Phase::Running && exited.is_none() => {
                    phase = terminate(pgid, reason, self.grace);
                }
                () = &mut timer, if alarm.is_some() => match alarm.map(|(_, a)| a) {
                    Some(Alarm::Limit(reason)) => phase = terminate(pgid, reason, self.grace),
                    Some(Alarm::Kill) => {
                        if let Phase::Terminating { reason, .. } = phase {
                            let _ = killpg(pgid, Signal::SIGKILL);
                            escalated = true;
                            phase = Phase::Killed { reason };
                        }
                    }
                    Some(Alarm::EndDrain) | None => {
                        self.read_what_is_there(&mut buf).await;
                        break;
                    }
                },
                read = read_some(&self.output, &mut buf), if output_open => match read {
                    Ok(0) | Err(_) => output_open = false,
                    Ok(n) => {
                        self.log.write(&buf[..n]).await;
                        if n == buf.len() && buf.len() < MAX_BUF {
                            buf.resize(buf.len() * 2, 0);
                        }
                    }
                },
            }
        }
        let (status, ended_wall, ended) = exited.expect("the loop ends only after the exit is seen");
        let stopped = match phase {
            Phase::Running => None,
            Phase::Terminating { reason, .. } | Phase::Killed { reason } => Some(reason),
        };
        Ok((status, stopped, escalated, ended_wall, ended))
    }

    /// Reads what the pipe already holds, without waiting for more: the drain period ends,
    /// but nothing written before it ends is lost. Bounded, since whoever still holds the
    /// pipe may be writing as fast as it is read.
    async fn read_what_is_there(&mut self, buf: &mut Vec<u8>) {
        const LIMIT: usize = 1024 * 1024;
        let mut read = 0;
        if buf.is_empty() {
            buf.resize(MIN_BUF, 0);
        }
        while read < LIMIT {
            match self.output.try_read(buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    self.log.write(&buf[..n]).await;
                    read += n;
                }
            }
        }
    }

    /// The next thing the timer must wake the run for, if any.
    fn next_alarm(
        &self,
        phase: Phase,
        exited: bool,
        drain_until: Option<Instant>,
    ) -> Option<(Instant, Alarm)> {
        match phase {
            Phase::Running if exited => drain_until.map(|at| (at, Alarm::EndDrain)),
            Phase::Running => {
                let limit = self.deadline.map(|at| (at, Alarm::Limit(StopReason::MaxRunTime)));
                let end = self.stop_at.map(|at| (at, Alarm::Limit(StopReason::DurationEnd)));
                match (limit, end) {
                    (Some(l), Some(e)) => Some(if e.0 < l.0 { e } else { l }),
                    (l, e) => l.or(e),
                }
            }
            Phase::Terminating { kill_at, .. } => Some((kill_at, Alarm::Kill)),
            Phase::Killed { .. } => drain_until.map(|at| (at, Alarm::EndDrain)),
        }
    }
}

/// Sends `SIGTERM` to the group and schedules `SIGKILL`.
fn terminate(pgid: Pid, reason: StopReason, grace: Duration) -> Phase {
    let _ = killpg(pgid, Signal::SIGTERM);
    Phase::Terminating { reason, kill_at: Instant::now() + grace }
}

/// Waits until the program has exited and returns its status without reaping it.
async fn exit_status(pidfd: &AsyncFd<OwnedFd>, pid: u32) -> Result<ExitStatus, Error> {
    let lost =
        |e: Errno| Error::new(Inner::Lost { pid, why: format!("could not read its exit status: {e}") });
    loop {
        let mut ready =
            pidfd.readable().await.map_err(|e| lost(Errno::from_raw(e.raw_os_error().unwrap_or(0))))?;
        let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT | WaitPidFlag::WNOHANG;
        match waitid(Id::PIDFd(pidfd.get_ref().as_fd()), flags) {
            Ok(WaitStatus::Exited(_, code)) => return Ok(ExitStatus::Exited(code)),
            Ok(WaitStatus::Signaled(_, sig, _)) => return Ok(ExitStatus::Signaled(sig as i32)),
            Ok(_) => ready.clear_ready(),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(lost(e)),
        }
    }
}

/// Reads what the pipe has, growing `buf` to its first size on the first read.
async fn read_some(output: &pipe::Receiver, buf: &mut Vec<u8>) -> io::Result<usize> {
    loop {
        output.readable().await?;
        if buf.is_empty() {
            buf.resize(MIN_BUF, 0);
        }
        match output.try_read(buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_dir_defaults_to_an_existing_home_else_root() {
        let mut acct = Account {
            name: "nobody".into(),
            uid: 65534,
            gid: 65534,
            home: "/nonexistent".into(),
            shell: "/bin/sh".into(),
        };
        assert_eq!(working_dir(None, &acct).unwrap(), PathBuf::from("/"));
        acct.home = "/tmp".into();
        assert_eq!(working_dir(None, &acct).unwrap(), PathBuf::from("/tmp"));
        acct.home = "relative".into();
        assert_eq!(working_dir(None, &acct).unwrap(), PathBuf::from("/"));
    }

    #[test]
    fn working_dir_errors_name_the_directory() {
        let acct = Account::current();
        let err = working_dir(Some(Path::new("/no/such/dir")), &acct).unwrap_err();
        assert_eq!(err.to_string(), "working directory `/no/such/dir` does not exist");
        let err = working_dir(Some(Path::new("/etc/passwd")), &acct).unwrap_err();
        assert_eq!(err.to_string(), "working directory `/etc/passwd` is not a directory");
        let err = working_dir(Some(Path::new("tmp")), &acct).unwrap_err();
        assert_eq!(err.to_string(), "working directory `tmp` is relative; expected an absolute path");
        assert_eq!(err.kind(), crate::ErrorKind::WorkingDir);
    }
}

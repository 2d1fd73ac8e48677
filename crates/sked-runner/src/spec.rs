//! What to run: [`RunSpec`] and its parts.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// How long a stopped run has between `SIGTERM` and `SIGKILL`, unless the spec says otherwise.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(10);

/// How much output a run's log keeps, unless the spec says otherwise: 16 MiB.
pub const DEFAULT_LOG_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// How long output is still read after the program has exited, unless the spec says
/// otherwise (see [`LogSpec::drain`]).
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(1);

/// Everything the runner needs to start one run of a task.
///
/// Build it with [`RunSpec::new`] and the setters, or fill the public fields directly.
#[derive(Clone, Debug)]
pub struct RunSpec {
    /// The program. It is run directly, never through a shell. A path holding a `/` is used
    /// as given (a relative one is relative to the working directory); a bare name is looked
    /// up in the `PATH` of the child's environment (the clean base's, or the task's own if it
    /// sets one).
    pub program: PathBuf,
    /// The arguments, passed exactly as given: no splitting, quoting or expansion.
    pub args: Vec<OsString>,
    /// The working directory. `None` is the user's home directory when it exists, else `/`.
    pub working_dir: Option<PathBuf>,
    /// The task's variables, added over the clean base environment (see the crate docs).
    pub env: BTreeMap<OsString, OsString>,
    /// The user to run as. `None` runs as the daemon's own user.
    pub user: Option<UserSpec>,
    /// The nice value (-20 to 19). `None` keeps the daemon's.
    pub nice: Option<i32>,
    /// Which task and run this is; fills the `SKED_*` variables.
    pub identity: RunIdentity,
    /// Where the output goes.
    pub log: LogSpec,
    /// The longest the run may last, counted from its start; then it is stopped with
    /// [`StopReason::MaxRunTime`](crate::StopReason::MaxRunTime). `None` for no limit.
    pub max_run_time: Option<Duration>,
    /// When the run must end because its trigger's duration ends; then it is stopped with
    /// [`StopReason::DurationEnd`](crate::StopReason::DurationEnd). A tokio instant, so a
    /// daemon under paused time controls it.
    pub stop_at: Option<tokio::time::Instant>,
    /// Time between `SIGTERM` and `SIGKILL` when the run is stopped.
    pub grace: Duration,
}

impl RunSpec {
    /// A spec for `program` with no arguments, no extra variables, the daemon's user and
    /// priority, no time limit, [`DEFAULT_GRACE`], logging to `log`.
    pub fn new(program: impl Into<PathBuf>, log: LogSpec) -> Self {
        RunSpec {
            program: program.into(),
            args: Vec::new(),
            working_dir: None,
            env: BTreeMap::new(),
            user: None,
            nice: None,
            identity: RunIdentity::default(),
            log,
            max_run_time: None,
            stop_at: None,
            grace: DEFAULT_GRACE,
        }
    }

    /// A spec for one run of `task`: its command, arguments, working directory, user
    /// (`run_as`), maximum run time, priority and variables.
    ///
    /// A task without `run_as` runs as its owner; who that is, is the daemon's to decide, so
    /// [`RunSpec::user`] is then left `None` for the daemon to fill in.
    pub fn for_task(task: &sked_core::Task, identity: RunIdentity, log: LogSpec) -> Self {
        let mut spec = RunSpec::new(&task.command, log);
        spec.args = task.args.iter().map(OsString::from).collect();
        spec.working_dir = task.working_dir.as_ref().map(PathBuf::from);
        spec.env = task.environment.iter().map(|(k, v)| (k.into(), v.into())).collect();
        spec.user = task.run_as.as_deref().map(UserSpec::parse);
        spec.nice = Some(task.priority.nice());
        spec.max_run_time = task.max_run_time.map(|d| Duration::from_millis(d.as_millis()));
        spec.identity = RunIdentity { task: task.name.clone(), ..identity };
        spec
    }

    /// Adds one argument.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets one of the task's variables.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.insert(key.into(), value.into());
        self
    }

    /// Sets the working directory.
    pub fn working_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.working_dir = Some(dir.into());
        self
    }

    /// Sets the user to run as.
    pub fn user(mut self, user: UserSpec) -> Self {
        self.user = Some(user);
        self
    }

    /// Sets the nice value.
    pub fn nice(mut self, nice: i32) -> Self {
        self.nice = Some(nice);
        self
    }

    /// Sets the task and run identity.
    pub fn identity(mut self, identity: RunIdentity) -> Self {
        self.identity = identity;
        self
    }

    /// Sets the maximum run time.
    pub fn max_run_time(mut self, limit: Duration) -> Self {
        self.max_run_time = Some(limit);
        self
    }

    /// Sets the instant the run must end (its trigger's duration end).
    pub fn stop_at(mut self, at: tokio::time::Instant) -> Self {
        self.stop_at = Some(at);
        self
    }

    /// Sets the time between `SIGTERM` and `SIGKILL`.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }
}

/// Which task and which run: the values of `SKED_TASK`, `SKED_RUN_ID` and
/// `SKED_SCHEDULED_TIME`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunIdentity {
    /// The task's name, such as `nightly/backup`.
    pub task: String,
    /// The run's id, unique for the daemon.
    pub run_id: String,
    /// When the run was due, as RFC 3339 text (`2026-03-27T05:00:00Z`); `None` for a run
    /// started by hand, and then `SKED_SCHEDULED_TIME` is not set.
    pub scheduled_time: Option<String>,
}

/// Where a run's output goes and how much of it is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSpec {
    /// The per-run log file. It must not exist yet: it is created when the program first
    /// writes (never followed through a symbolic link, never overwritten), in a directory
    /// that must exist. A run that writes nothing leaves no file.
    pub path: PathBuf,
    /// The most bytes of output kept. Output past it is read and counted but dropped, and
    /// one marker line saying how many bytes were dropped ends the file.
    pub max_bytes: u64,
    /// The file's permission bits, exactly (the umask does not apply). The file belongs to
    /// the task's user and their primary group when the run switches user, else to the
    /// daemon's user.
    pub mode: u32,
    /// How long output is still read after the program exits, for children it left behind
    /// that still hold its output open. After that the log is closed; such a child then gets
    /// `SIGPIPE` (or `EPIPE`) on its next write.
    pub drain: Duration,
}

impl LogSpec {
    /// A log at `path` keeping [`DEFAULT_LOG_MAX_BYTES`], mode `0600`, draining for
    /// [`DEFAULT_DRAIN`].
    pub fn new(path: impl Into<PathBuf>) -> Self {
        LogSpec { path: path.into(), max_bytes: DEFAULT_LOG_MAX_BYTES, mode: 0o600, drain: DEFAULT_DRAIN }
    }

    /// Sets the most bytes of output kept.
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Sets the file's permission bits.
    pub fn mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }

    /// Sets how long output is read after the program exits.
    pub fn drain(mut self, drain: Duration) -> Self {
        self.drain = drain;
        self
    }
}

/// A user to run as, by name or by uid. Either is resolved through the passwd database.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UserSpec {
    /// A user name, such as `backup`.
    Name(String),
    /// A numeric user id.
    Uid(u32),
}

impl UserSpec {
    /// A uid when `s` is all digits, else a name.
    pub fn parse(s: &str) -> Self {
        match s.parse::<u32>() {
            Ok(uid) if s.bytes().all(|b| b.is_ascii_digit()) => UserSpec::Uid(uid),
            _ => UserSpec::Name(s.to_owned()),
        }
    }
}

impl FromStr for UserSpec {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(UserSpec::parse(s))
    }
}

impl fmt::Display for UserSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserSpec::Name(name) => f.write_str(name),
            UserSpec::Uid(uid) => write!(f, "{uid}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_spec_parses_uids_and_names() {
        assert_eq!(UserSpec::parse("65534"), UserSpec::Uid(65534));
        assert_eq!(UserSpec::parse("nobody"), UserSpec::Name("nobody".into()));
        assert_eq!(UserSpec::parse("+1"), UserSpec::Name("+1".into()));
        assert_eq!(UserSpec::parse("99999999999"), UserSpec::Name("99999999999".into()));
    }

    #[test]
    fn for_task_maps_the_model() {
        let mut task = sked_core::Task::new("nightly/backup", "backup");
        task.args = vec!["--all".into(), "two words".into()];
        task.working_dir = Some("/srv".into());
        task.run_as = Some("nobody".into());
        task.priority = sked_core::Priority::BelowNormal;
        task.environment.insert("A".into(), "1".into());
        let id = RunIdentity { task: String::new(), run_id: "r1".into(), scheduled_time: None };
        let spec = RunSpec::for_task(&task, id, LogSpec::new("/tmp/x.log"));
        assert_eq!(spec.program, PathBuf::from("backup"));
        assert_eq!(spec.args, [OsString::from("--all"), OsString::from("two words")]);
        assert_eq!(spec.working_dir, Some(PathBuf::from("/srv")));
        assert_eq!(spec.user, Some(UserSpec::Name("nobody".into())));
        assert_eq!(spec.nice, Some(5));
        assert_eq!(spec.max_run_time, Some(Duration::from_secs(72 * 3600)));
        assert_eq!(spec.identity.task, "nightly/backup");
        assert_eq!(spec.identity.run_id, "r1");
        assert_eq!(spec.env.get(&OsString::from("A")), Some(&OsString::from("1")));
    }
}

//! The crate's one error type.

use std::io;
use std::path::PathBuf;

use crate::sys::Stage;

/// Why a run could not be started, or why its end could not be observed.
///
/// Messages are lowercase, name the input in backticks and include the OS message.
/// [`Error::kind`] is for callers that branch; the daemon records every start error as a
/// failed run.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error(Box<Inner>);

/// The broad class of an [`Error`], for callers that need to branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The [`RunSpec`](crate::RunSpec) itself is unusable: a NUL byte, an empty program, a
    /// bad variable name.
    InvalidSpec,
    /// The program does not exist, or no `PATH` directory holds it.
    ProgramNotFound,
    /// The working directory does not exist, is not a directory, or could not be entered.
    WorkingDir,
    /// The user to run as is not in the passwd database, or the lookup failed.
    UnknownUser,
    /// The daemon may not do what the spec asks: run as another user without being root,
    /// or set a nice value it is not allowed to.
    PermissionDenied,
    /// The OS refused a step of the start in the child: `exec`, or the switch to the user.
    Start,
    /// The per-run log file could not be created, or pruning old logs failed.
    Log,
    /// A resource of the daemon ran out or failed: pipes, pidfds, `clone`, no tokio runtime.
    Os,
    /// The run's exit could not be observed: its supervisor ended without a result, or the
    /// exit status was taken by someone else.
    Lost,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum Inner {
    #[error("invalid run spec: {field} {message}")]
    InvalidSpec { field: &'static str, message: String },
    #[error("program `{program}` was not found in PATH `{path}`")]
    NotInPath { program: String, path: String },
    #[error("program `{}` does not exist", program.display())]
    NoProgram { program: PathBuf },
    #[error("working directory `{}` {problem}", dir.display())]
    WorkingDir { dir: PathBuf, problem: String },
    #[error("user `{user}` does not exist")]
    UnknownUser { user: String },
    #[error("could not look up user `{user}`: {source}")]
    UserLookup { user: String, source: io::Error },
    #[error("cannot run as `{user}` (uid {uid}): the daemon runs as uid {daemon_uid}, not root")]
    NotRoot { user: String, uid: u32, daemon_uid: u32 },
    #[error("could not start `{}`: {what}: {source}", program.display())]
    Start { program: PathBuf, what: String, stage: Stage, source: io::Error },
    #[error("could not create log file `{}`: {source}", path.display())]
    LogCreate { path: PathBuf, source: io::Error },
    #[error("could not prune logs in `{}`: {source}", dir.display())]
    LogPrune { dir: PathBuf, source: io::Error },
    #[error("could not start `{}`: {what}: {source}", program.display())]
    Os { program: PathBuf, what: &'static str, source: io::Error },
    #[error("the process runner needs a tokio runtime with I/O and time enabled")]
    NoRuntime,
    #[error("the run of pid {pid} ended without a result: {why}")]
    Lost { pid: u32, why: String },
}

impl Error {
    pub(crate) fn new(inner: Inner) -> Self {
        Error(Box::new(inner))
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::new(Inner::InvalidSpec { field, message: message.into() })
    }

    /// The broad class of this error.
    pub fn kind(&self) -> ErrorKind {
        match &*self.0 {
            Inner::InvalidSpec { .. } => ErrorKind::InvalidSpec,
            Inner::NotInPath { .. } | Inner::NoProgram { .. } => ErrorKind::ProgramNotFound,
            Inner::WorkingDir { .. } => ErrorKind::WorkingDir,
            Inner::UnknownUser { .. } | Inner::UserLookup { .. } => ErrorKind::UnknownUser,
            Inner::NotRoot { .. } => ErrorKind::PermissionDenied,
            Inner::Start { stage: Stage::Priority, .. } => ErrorKind::PermissionDenied,
            Inner::Start { stage: Stage::Chdir, .. } => ErrorKind::WorkingDir,
            Inner::Start { stage: Stage::Exec, source, .. } if source.kind() == io::ErrorKind::NotFound => {
                ErrorKind::ProgramNotFound
            }
            Inner::Start { .. } => ErrorKind::Start,
            Inner::LogCreate { .. } | Inner::LogPrune { .. } => ErrorKind::Log,
            Inner::Os { .. } | Inner::NoRuntime => ErrorKind::Os,
            Inner::Lost { .. } => ErrorKind::Lost,
        }
    }

    /// The OS error number behind this error, if there is one (`ENOENT`, `EACCES`, ...).
    pub fn raw_os_error(&self) -> Option<i32> {
        match &*self.0 {
            Inner::UserLookup { source, .. }
            | Inner::Start { source, .. }
            | Inner::LogCreate { source, .. }
            | Inner::LogPrune { source, .. }
            | Inner::Os { source, .. } => source.raw_os_error(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_input_and_the_os_error() {
        let e = Error::new(Inner::Start {
            program: "/bin/x".into(),
            what: "could not enter working directory `/root` as `nobody`".into(),
            stage: Stage::Chdir,
            source: io::Error::from_raw_os_error(libc::EACCES),
        });
        assert_eq!(e.kind(), ErrorKind::WorkingDir);
        assert_eq!(e.raw_os_error(), Some(libc::EACCES));
        assert_eq!(
            e.to_string(),
            "could not start `/bin/x`: could not enter working directory `/root` as `nobody`: \
             Permission denied (os error 13)"
        );
        let e = Error::new(Inner::NotInPath { program: "nope".into(), path: "/bin".into() });
        assert_eq!(e.kind(), ErrorKind::ProgramNotFound);
        assert_eq!(e.to_string(), "program `nope` was not found in PATH `/bin`");
    }
}

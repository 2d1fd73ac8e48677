//! How a command ends: its exit code, and how an error is shown.
//!
//! - 0: done.
//! - 1: the input is wrong (a file that does not read or validate) or the work failed.
//! - 2: the command line is wrong (also what clap uses for its own usage errors).
//! - `sked run --wait`: the program's own exit code (see [`Status`]).

use std::fmt;
use std::process::ExitCode;

/// The command line asks for something that does not exist (an unknown `--task` name):
/// exit code 2, like a usage error.
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Diagnostics already printed to standard error: nothing more to say, exit code 1.
#[derive(Debug)]
pub struct Reported;

impl fmt::Display for Reported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("errors were reported")
    }
}

impl std::error::Error for Reported {}

/// End with this exit code and print nothing more: `sked run --wait` passes on the
/// program's exit code.
#[derive(Debug)]
pub struct Status(pub u8);

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit code {}", self.0)
    }
}

impl std::error::Error for Status {}

/// The message for `err`, ready for standard error: rendered diagnostics as they are (they
/// carry their own `error:` labels, file, line and caret), anything else as one
/// `error: ...` line with its causes.
pub fn message(err: &anyhow::Error) -> String {
    if let Some(e) = err.downcast_ref::<sked_formats::Error>() {
        return e.to_string();
    }
    format!("error: {err:#}")
}

/// The exit code for a command's result, after printing its error if any.
pub fn finish(result: anyhow::Result<()>) -> ExitCode {
    let Err(err) = result else {
        return ExitCode::SUCCESS;
    };
    if is_broken_pipe(&err) {
        // `sked next ... | head`: the reader has what it wanted.
        return ExitCode::SUCCESS;
    }
    if err.downcast_ref::<Reported>().is_some() {
        return ExitCode::from(1);
    }
    if let Some(Status(code)) = err.downcast_ref::<Status>() {
        return ExitCode::from(*code);
    }
    eprintln!("{}", message(&err));
    if err.downcast_ref::<Usage>().is_some() { ExitCode::from(2) } else { ExitCode::from(1) }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

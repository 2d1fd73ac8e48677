//! The `sked` binary, run for real: exit codes, output formats and messages.

mod convert;
mod describe;
mod harness;
mod next;
mod schtasks;
mod validate;

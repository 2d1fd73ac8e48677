//! The task file: the contract's example, golden files, pinned error messages and
//! round-trip properties.

mod errors;
mod example;
mod golden;
mod locate;
mod round_trip;

use sked_formats::{Error, task_file};

/// Reads `text`, rendering the error as the CLI would for a file named `name`.
fn read_rendered(name: &str, input: &[u8]) -> Result<sked_formats::Document, String> {
    task_file::read(input).map_err(|e: Error| e.in_file(name).to_string())
}

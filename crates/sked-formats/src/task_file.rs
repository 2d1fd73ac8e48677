//! sked's own task file (TOML), exactly as `task-file.md` says.

use crate::{Document, Entry, Error};

/// Reads a task file.
pub fn read(input: &[u8]) -> Result<Document, Error> {
    let _ = input;
    Err(Error::one(crate::Diagnostic::error(
        crate::Location::None,
        "the task file reader is not written yet",
    )))
}

/// Writes a task file that reads back to the same tasks.
pub fn write(doc: &Document) -> Result<Vec<u8>, Error> {
    let _ = doc;
    Err(Error::one(crate::Diagnostic::error(
        crate::Location::None,
        "the task file writer is not written yet",
    )))
}

/// What of `entry` a task file cannot hold.
pub fn losses(entry: &Entry) -> Vec<String> {
    let _ = entry;
    Vec::new()
}

//! Group Policy Preferences ScheduledTasks.xml (MS-GPPREF 2.2.1.18).

use crate::{Document, Entry, Error, ReadOptions};

/// What a Gpp source holds beyond the task model, kept so it writes back unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GppExtras {}

/// Reads Group Policy Preferences ScheduledTasks.xml (MS-GPPREF 2.2.1.18).
pub fn read(input: &[u8], opts: &ReadOptions) -> Result<Document, Error> {
    let _ = (input, opts);
    Err(Error::one(crate::Diagnostic::error(
        crate::Location::None,
        "not written yet",
    )))
}

/// Writes Group Policy Preferences ScheduledTasks.xml (MS-GPPREF 2.2.1.18).
pub fn write(doc: &Document) -> Result<Vec<u8>, Error> {
    let _ = doc;
    Err(Error::one(crate::Diagnostic::error(
        crate::Location::None,
        "not written yet",
    )))
}

/// What of `entry` this format cannot hold, one line per loss.
pub fn losses(entry: &Entry) -> Vec<String> {
    let _ = entry;
    Vec::new()
}

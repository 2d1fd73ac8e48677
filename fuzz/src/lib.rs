//! What every fuzz target does: read the input in one format and, when that succeeds,
//! write the document and read the output again. None of it may panic.

use sked_formats::{Document, Format, ReadOptions};

/// Reads `data` as `format`; on success writes it and reads the result again. Returns
/// the first reading, the written bytes and the second reading when all three succeed.
pub fn round_trip(format: Format, data: &[u8]) -> Option<(Document, Vec<u8>, Document)> {
    let opts = ReadOptions::default();
    let first = format.read(data, &opts).ok()?;
    let written = format.write(&first).ok()?;
    let second = format.read(&written, &opts).ok()?;
    Some((first, written, second))
}

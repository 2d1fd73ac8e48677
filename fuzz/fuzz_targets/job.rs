#![no_main]
//! Reads arbitrary bytes as a .job file. Whatever reads must write back to the very same
//! bytes, and the second reading must equal the first.

use libfuzzer_sys::fuzz_target;
use sked_formats::{Format, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(first) = Format::Job.read(data, &ReadOptions::default()) else {
        return;
    };
    let written = Format::Job
        .write(&first)
        .expect("a document read from a .job file writes back");
    assert_eq!(written, data, "a .job file that reads writes back byte for byte");
    let second = Format::Job
        .read(&written, &ReadOptions::default())
        .expect("what the writer wrote reads back");
    assert_eq!(second, first, "the second reading equals the first");
    let _ = sked_fuzz::round_trip(Format::Job, data);
});

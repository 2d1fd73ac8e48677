#![no_main]
//! Reads arbitrary bytes with the task_file reader; what reads is written and read again.

use libfuzzer_sys::fuzz_target;
use sked_formats::Format;

fuzz_target!(|data: &[u8]| {
    let _ = sked_fuzz::round_trip(Format::TaskFile, data);
});

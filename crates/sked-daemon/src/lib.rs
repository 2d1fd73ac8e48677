//! The sked service: fires every run of every task on time, runs the program, records the
//! result.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod timetable;

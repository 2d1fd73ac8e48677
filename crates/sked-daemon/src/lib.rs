//! The sked service: fires every run of every task on time, runs the program, records the
//! result, and answers the local API.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod api;
pub mod clock;
pub mod codec;
pub mod conditions;
pub mod config;
pub mod control;
pub mod idle;
pub mod logon;
pub mod power;
pub mod scheduler;
pub mod service;
pub mod timetable;
pub mod utmp;
pub mod watch;

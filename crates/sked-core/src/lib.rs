//! The sked task model and calendar engine.
//!
//! A [`Task`] is what Task Scheduler 1.0 calls a work item: a program with its arguments,
//! account, limits and conditions, and any number of [`Trigger`]s. A [`Schedule`] compiles
//! a task's triggers and says when it runs, in any time zone, across DST changes, exactly as
//! sked's `semantics.md` rules say. Nothing here reads a clock or a file: the current
//! instant and the time zone database are arguments.
//!
//! ```
//! use jiff::{Timestamp, civil::date, tz::TimeZone};
//! use sked_core::{Schedule, Start, Task, Trigger, TriggerKind, WeekdaySet, Weekday, Zones};
//!
//! // Every Monday, Wednesday and Friday at 06:00 in Paris.
//! let mut task = Task::new("reports/weekly", "/usr/local/bin/report");
//! task.time_zone = Some("Europe/Paris".into());
//! let days: WeekdaySet = [Weekday::Monday, Weekday::Wednesday, Weekday::Friday].into_iter().collect();
//! task.triggers.push(
//!     Trigger::new(TriggerKind::Weekly { every: 1, days })
//!         .starting(Start::civil(date(2026, 3, 23).at(6, 0, 0, 0))),
//! );
//!
//! let zones = Zones::new(jiff::tz::db().clone(), TimeZone::UTC);
//! let schedule = Schedule::new(&task, &zones)?;
//! let from: Timestamp = "2026-03-27T00:00:00Z".parse()?;
//! let runs: Vec<String> = schedule.runs(from).take(2).map(|r| r.at.to_string()).collect();
//! // Friday before the change to summer time, then Monday after it.
//! assert_eq!(runs, ["2026-03-27T05:00:00Z", "2026-03-30T04:00:00Z"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cron;
mod describe;
mod duration;
mod engine;
mod error;
mod month;
mod month_day;
mod schedule;
mod task;
mod trigger;
mod week;
mod weekday;

pub use cron::{CronExpr, CronParseError};
pub use describe::{
    Fact, TaskDescription, describe_cron, describe_duration, describe_task, describe_trigger,
};
pub use duration::{Duration, DurationParseError};
pub use engine::zone::Zone;
pub use error::{Error, ErrorKind, FieldPath, Problem, Segment};
pub use month::{MONTH_ENGLISH, MONTH_NAMES, MonthSet, parse_month};
pub use month_day::MonthDays;
pub use schedule::{Run, Runs, Schedule, Zones};
pub use task::{
    DEFAULT_MAX_RUN_TIME, IdleSettings, MAX_NAME_LEN, MultipleInstances, PowerSettings, Priority, Task,
};
pub use trigger::{End, FoldPolicy, GapPolicy, Repetition, Start, Trigger, TriggerKind};
pub use week::{WeekOfMonth, WeekSet};
pub use weekday::{WEEKDAY_NAMES, Weekday, WeekdaySet, parse_weekday, weekday_english, weekday_name};

//! The local API of the sked service: its JSON types ([`types`]) and a typed client
//! ([`Client`], and [`blocking::Client`] for programs without an async runtime).
//!
//! The service answers HTTP/1.1 with JSON bodies on a Unix socket (root's service:
//! `/run/sked/sked.sock`; a user's: `$XDG_RUNTIME_DIR/sked.sock`); every path starts with
//! `/v1`, and `docs/openapi.yaml` in the repository describes them. The service knows the
//! caller from the socket's peer credentials: a user sees and changes only their own tasks,
//! root sees all of them.
//!
//! What Task Scheduler's COM interface did from code (the project's first seed creates a
//! daily task through `ITaskScheduler::NewWorkItem`, saves it and runs it at once), this
//! client does against sked:
//!
//! ```no_run
//! use jiff::civil::date;
//! use sked_api::blocking::Client;
//! use sked_core::{Start, Task, Trigger, TriggerKind};
//!
//! let client = Client::new("/run/sked/sked.sock")?;
//!
//! // NewWorkItem, SetApplicationName, SetParameters, SetPriority
//! let mut task = Task::new("nightly-report", "/usr/local/bin/report");
//! task.args = vec!["--daily".into()];
//! task.priority = sked_core::Priority::High;
//!
//! // CreateTrigger: TASK_TIME_TRIGGER_DAILY, from today at 06:30, every day
//! let daily = TriggerKind::Daily { every: 1 };
//! task.triggers.push(Trigger::new(daily).starting(Start::civil(date(2026, 12, 6).at(6, 30, 0, 0))));
//!
//! // AddWorkItem + IPersistFile::Save: the service stores and schedules it
//! if client.list(Some("nightly-report"))?.tasks.iter().any(|t| t.name == "nightly-report") {
//!     return Err("nightly-report already exists".into());
//! }
//! let created = client.create(&task)?;
//! println!("next run: {:?}", created.summary.next_run);
//!
//! // ITask::Run, then GetExitCode once it ends
//! let run = client.run("nightly-report")?;
//! let view = client.get_run(run)?;
//! println!("run {run}: {} (exit code {:?})", view.outcome, view.exit_code);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Enumerate is [`Client::list`], open is [`Client::open`] (the task as the model), change
//! is [`Client::replace`] or [`Client::change`], delete is [`Client::delete`], end is
//! [`Client::end`]; status, last run time, exit code and next run time are in the
//! [`TaskSummary`](types::TaskSummary) that [`Client::get`] and [`Client::list`] return.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod blocking;
mod client;
pub mod types;

pub use client::{Client, Error, Result, decode, encode};

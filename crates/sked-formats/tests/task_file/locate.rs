//! `locate` places the problems only `Schedule::new` finds (it needs the time zone
//! database) in the file, as the CLI does.

use jiff::tz::TimeZone;
use sked_core::{Schedule, Zones};
use sked_formats::{Diagnostic, task_file};

/// Reads `text`, compiles each task's schedule and renders the problems as the CLI would.
fn schedule_errors(text: &str) -> String {
    let doc = task_file::read(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let zones = Zones::new(jiff::tz::db().clone(), TimeZone::UTC);
    let mut out = Vec::new();
    for (index, task) in doc.tasks().enumerate() {
        if let Err(e) = Schedule::new(task, &zones) {
            for problem in e.problems() {
                let location = task_file::locate(text.as_bytes(), index, &problem.field);
                out.push(
                    Diagnostic::error(location, problem.message.clone()).in_file("tasks.toml").to_string(),
                );
            }
        }
    }
    out.join("\n\n")
}

#[test]
fn an_unknown_zone_and_a_trigger_that_never_fires_are_placed() {
    let text = r#"[[task]]
name = "ok"
command = "/bin/true"

[[task]]
name = "mars"
command = "/bin/true"
time-zone = "Mars/Olympus_Mons"

[[task]]
name = "never"
command = "/bin/true"

[[task.trigger]]
daily = {}
start = "2026-01-07T06:00:00"

[[task.trigger]]
monthly = { days = [30, 31], months = ["feb"] }
start = "2026-01-07T06:00:00"
"#;
    insta::with_settings!({ snapshot_path => "../snapshots", omit_expression => true }, {
        insta::assert_snapshot!("schedule_errors_located", schedule_errors(text));
    });
}

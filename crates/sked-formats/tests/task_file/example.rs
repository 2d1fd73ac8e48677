//! The full example of `task-file.md` reads to exactly the task it describes.

use std::collections::BTreeMap;

use jiff::civil::date;
use sked_core::{
    Duration, End, FoldPolicy, GapPolicy, IdleSettings, MultipleInstances, PowerSettings, Priority,
    Repetition, Start, Task, Trigger, TriggerKind, Weekday, WeekdaySet,
};
use sked_formats::{Document, task_file};

/// The example of `task-file.md`, word for word.
pub const EXAMPLE: &str = r#"# One file holds one or more tasks.
[[task]]
name = "nightly/backup"              # required; folders separated by '/'
command = "/usr/local/bin/backup"    # required; run directly, never through a shell
args = ["--full", "/srv"]            # optional
working-dir = "/srv"
comment = "Full backup of /srv"
author = "ops"
enabled = true                       # default true
time-zone = "Europe/Paris"           # IANA name or "UTC"; default: the machine's zone
run-as = "backup"                    # a user name; default: the owner of the task
max-run-time = "72h"                 # default "72h" as in Task Scheduler; "none" = no limit
multiple-instances = "ignore-new"    # ignore-new (default) | queue | parallel | stop-existing
start-when-available = false         # run once, late, for runs missed while sked was down
delete-when-done = false             # delete the task when it has no runs left
priority = "normal"                  # realtime | high | above-normal | normal | below-normal | idle
wake-to-run = false
environment = { LANG = "C.UTF-8" }

[task.idle]                          # optional
start-only-if-idle = true
idle-for = "10m"                     # idle time required before starting
wait-up-to = "1h"                    # how long to wait for it past the scheduled time
stop-on-idle-end = true
restart-on-idle-resume = false

[task.power]                         # optional
no-start-on-batteries = false
stop-on-batteries = false

[[task.trigger]]
weekly = { every = 2, days = ["mon", "wed", "fri"] }
start = "2026-01-07T06:00:00"        # civil time in the task's zone; with Z or +hh:mm: pinned
end = "2026-12-31"                   # optional; a date (inclusive) or a date-time (inclusive)
repeat = { every = "1h", for = "10h", stop-at-end = true }   # `for` omitted: indefinitely
random-delay = "5m"                  # optional
enabled = true                       # default true
dst-gap = "gap-end"                  # gap-end (default) | shift | skip
dst-fold = "first"                   # first (default) | second
"#;

fn expected() -> Task {
    let days: WeekdaySet = [Weekday::Monday, Weekday::Wednesday, Weekday::Friday].into_iter().collect();
    Task {
        name: "nightly/backup".into(),
        command: "/usr/local/bin/backup".into(),
        args: vec!["--full".into(), "/srv".into()],
        working_dir: Some("/srv".into()),
        comment: Some("Full backup of /srv".into()),
        author: Some("ops".into()),
        enabled: true,
        time_zone: Some("Europe/Paris".into()),
        run_as: Some("backup".into()),
        max_run_time: Some(Duration::from_hours(72)),
        multiple_instances: MultipleInstances::IgnoreNew,
        start_when_available: false,
        delete_when_done: false,
        priority: Priority::Normal,
        wake_to_run: false,
        environment: BTreeMap::from([("LANG".into(), "C.UTF-8".into())]),
        idle: Some(IdleSettings {
            start_only_if_idle: true,
            idle_for: Duration::from_mins(10),
            wait_up_to: Duration::from_hours(1),
            stop_on_idle_end: true,
            restart_on_idle_resume: false,
        }),
        power: Some(PowerSettings { no_start_on_batteries: false, stop_on_batteries: false }),
        triggers: vec![Trigger {
            kind: TriggerKind::Weekly { every: 2, days },
            start: Some(Start::civil(date(2026, 1, 7).at(6, 0, 0, 0))),
            end: Some(End::Date(date(2026, 12, 31))),
            repeat: Some(Repetition {
                every: Duration::from_hours(1),
                duration: Some(Duration::from_hours(10)),
                stop_at_end: true,
            }),
            random_delay: Some(Duration::from_mins(5)),
            enabled: true,
            dst_gap: GapPolicy::GapEnd,
            dst_fold: FoldPolicy::First,
        }],
    }
}

#[test]
fn the_contract_example_reads_to_the_task_it_describes() {
    let doc = task_file::read(EXAMPLE.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc, Document::from_tasks([expected()]));
}

#[test]
fn the_contract_example_is_written_canonically() {
    let doc = Document::from_tasks([expected()]);
    let written = task_file::write(&doc).unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8(written).expect("the writer writes UTF-8");
    insta::with_settings!({ snapshot_path => "../snapshots" }, {
        insta::assert_snapshot!("example_written", text);
    });
    assert_eq!(task_file::read(text.as_bytes()), Ok(doc));
}

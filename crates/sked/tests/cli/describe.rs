//! `sked describe`: plain-English descriptions and the calendar grid.

use crate::harness::{Test, golden, repo_root};

#[test]
fn the_shipped_example_in_words() {
    Test::new()
        .arg("describe")
        .arg("tasks.toml")
        .file("tasks.toml", std::fs::read_to_string(repo_root().join("examples/tasks.toml")).unwrap())
        .args(["--tz", "Europe/Paris"])
        .stdout_golden("describe/example.txt")
        .run();
}

#[test]
fn one_task_with_its_calendar() {
    // The seed schedule: Monday, Wednesday and Friday at 06:00 in New York, every hour for
    // 10 hours. From Thursday 26 February 2026 at noon, through April: the days before the
    // 26th are not marked, Friday 27 February is; each marked day has 11 runs (06:00 to
    // 16:00 inclusive).
    Test::new()
        .file("tasks.toml", std::fs::read_to_string(repo_root().join("examples/tasks.toml")).unwrap())
        .args(["describe", "tasks.toml", "--task", "silly/schedule1", "--calendar"])
        .args(["--from", "2026-02-26T12:00:00-05:00", "--months", "3"])
        .stdout_golden("describe/calendar.txt")
        .run();
}

#[test]
fn a_calendar_of_a_task_without_calendar_runs() {
    Test::new()
        .file("tasks.toml", golden("next/utc.toml"))
        .args(["describe", "tasks.toml", "--task", "event/startup", "--calendar"])
        .args(["--tz", "UTC", "--from", "2026-01-01T00:00:00Z"])
        .stdout(
            "event/startup\n\
             \x20 command    /bin/true\n\
             \x20 run as     the owner of the task\n\
             \x20 time zone  UTC (the task names none)\n\
             \x20 limits     stopped after 3 days (the default); a run due while one is going is skipped\n\
             \x20 trigger 1  at startup\n\
             \n\
             no calendar runs: it runs at startup\n",
        )
        .run();
}

#[test]
fn unknown_task_is_a_usage_error() {
    Test::new()
        .file("tasks.toml", golden("next/utc.toml"))
        .args(["describe", "tasks.toml", "--task", "nope"])
        .status(2)
        .stderr_contains("error: no task named `nope` in `tasks.toml`")
        .run();
}

#[test]
fn an_invalid_task_is_described_then_reported() {
    Test::new()
        .file("tasks.toml", "[[task]]\nname = \"a\"\ncommand = \"/bin/true\"\ntime-zone = \"Mars/Olympus\"\n")
        .args(["describe", "tasks.toml", "--calendar"])
        .status(1)
        .stdout(
            "a\n\
             \x20 command    /bin/true\n\
             \x20 run as     the owner of the task\n\
             \x20 time zone  Mars/Olympus\n\
             \x20 limits     stopped after 3 days (the default); a run due while one is going is skipped\n\
             \x20 triggers   none: the task runs only when started by hand\n\
             \n\
             no calendar: the task has errors (below)\n",
        )
        .stderr_contains("error: task `a`, `time-zone`: `Mars/Olympus` is not in the time zone database")
        .stderr_contains(" --> tasks.toml:4:13\n")
        .run();
}

//! `sked validate`: "ok" lines, every problem rendered with file, line, column and caret,
//! and exit codes.

use crate::harness::{Test, repo_root};

#[test]
fn the_shipped_example_is_valid() {
    Test::new()
        .arg("validate")
        .arg(repo_root().join("examples/tasks.toml").to_str().unwrap())
        .stdout_contains("ok: ")
        .stdout_contains("examples/tasks.toml (5 tasks)\n")
        .run();
}

#[test]
fn each_file_gets_a_line() {
    Test::new()
        .file("a.toml", ONE)
        .file("b.toml", format!("{ONE}\n{}", ONE.replace("\"a\"", "\"b\"")))
        .args(["validate", "a.toml", "b.toml"])
        .stdout("ok: a.toml (1 task)\nok: b.toml (2 tasks)\n")
        .run();
}

const ONE: &str = "[[task]]\nname = \"a\"\ncommand = \"/bin/true\"\n\n\
                   [[task.trigger]]\ndaily = {}\nstart = \"2026-01-01T00:00:00\"\n";

#[test]
fn reader_errors_are_rendered_with_a_caret() {
    Test::new()
        .file("broken.toml", BROKEN)
        .args(["validate", "broken.toml"])
        .status(1)
        .stderr_golden("validate/broken.stderr")
        .run();
}

const BROKEN: &str = r#"[[task]]
name = "reports/weekly"
comand = "/usr/local/bin/report"

[[task.trigger]]
weekly = { every = 0, days = ["mon", "wed", "fry"] }
start = "2026-01-07T06:00:00"
repeat = { every = "30s", for = "10h" }
"#;

#[test]
fn schedule_errors_point_into_the_file() {
    // Problems only the time zone database and the calendar can find: an unknown zone, a
    // trigger that can never fire. `sked validate` places them with `task_file::locate`.
    Test::new()
        .file("never.toml", NEVER)
        .args(["validate", "never.toml"])
        .status(1)
        .stderr_golden("validate/never.stderr")
        .run();
}

const NEVER: &str = r#"[[task]]
name = "leap/feb-30"
command = "/bin/true"
time-zone = "UTC"

[[task.trigger]]
monthly = { days = [30, 31], months = ["feb"] }
start = "2026-01-01T00:00:00"

[[task]]
name = "moon/base"
command = "/bin/true"
time-zone = "Moon/Tranquility_Base"

[[task.trigger]]
daily = {}
start = "2026-01-01T00:00:00"
"#;

#[test]
fn a_bad_file_does_not_stop_the_others() {
    Test::new()
        .file("never.toml", NEVER)
        .file("good.toml", ONE)
        .args(["validate", "never.toml", "nowhere.toml", "good.toml"])
        .status(1)
        .stdout("ok: good.toml (1 task)\n")
        .stderr_contains("error: `never.toml` is not valid: 2 problems\n")
        .stderr_contains("error: cannot read `nowhere.toml`: No such file or directory")
        .run();
}

#[test]
fn stdin_is_named_in_messages() {
    Test::new().stdin(ONE).args(["validate", "-"]).stdout("ok: <stdin> (1 task)\n").run();
    Test::new()
        .stdin("[[task]]\nname = \"x\"\n")
        .args(["validate", "-"])
        .status(1)
        .stderr_contains(" --> <stdin>:1:1\n")
        .run();
}

#[test]
fn no_file_is_a_usage_error() {
    Test::new()
        .arg("validate")
        .status(2)
        .stderr_contains("the following required arguments were not provided")
        .run();
    Test::new().status(2).stderr_contains("Usage: sked <COMMAND>").run();
}

#[test]
fn the_format_is_told_by_name_content_or_flag() {
    // No `.toml` name: the content says it is a task file.
    Test::new()
        .file("tasks.conf", ONE)
        .args(["validate", "tasks.conf"])
        .stdout("ok: tasks.conf (1 task)\n")
        .run();
    // A `.toml` name settles it, so a first line that is not TOML gets the task file's errors.
    Test::new()
        .file("tasks.toml", "name \"x\"\n")
        .args(["validate", "tasks.toml"])
        .status(1)
        .stderr_contains("error: invalid TOML")
        .stderr_contains(" --> tasks.toml:1:")
        .run();
    Test::new().stdin(ONE).args(["validate", "--format", "toml", "-"]).stdout("ok: <stdin> (1 task)\n").run();
    Test::new()
        .args(["validate", "--format", "ini", "x"])
        .status(2)
        .stderr_contains(
            "`ini` is not a format; expected one of `toml`, `job`, `xml`, `gpp`, `schtasks`, `jt`",
        )
        .run();
}

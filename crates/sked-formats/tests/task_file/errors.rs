//! Error messages, pinned: each names the file, line and column, shows the line with a
//! caret under the fault, the value found and what is allowed.

use super::read_rendered;

/// A task that reads cleanly, for the cases below to break one thing in.
const HEAD: &str = "[[task]]\nname = \"nightly/backup\"\ncommand = \"/usr/local/bin/backup\"\n";

fn rendered(input: &[u8]) -> String {
    match read_rendered("tasks.toml", input) {
        Ok(doc) => panic!("expected an error, read {doc:?}"),
        Err(e) => e,
    }
}

fn with_head(rest: &str) -> String {
    rendered(format!("{HEAD}{rest}").as_bytes())
}

macro_rules! pin {
    ($name:literal, $text:expr) => {
        insta::with_settings!({ snapshot_path => "../snapshots", omit_expression => true }, {
            insta::assert_snapshot!($name, $text);
        })
    };
}

#[test]
fn unknown_key_lists_the_known_keys() {
    let e = rendered(b"[[task]]\nname = \"nightly/backup\"\ncomand = \"/usr/local/bin/backup\"\n");
    pin!("unknown_key", e);
}

#[test]
fn unknown_key_in_a_trigger() {
    pin!(
        "unknown_trigger_key",
        with_head("\n[[task.trigger]]\ndaily = {}\nstart = \"2026-01-07T06:00:00\"\nrandom_delay = \"5m\"\n")
    );
}

#[test]
fn bad_duration() {
    pin!("bad_duration", with_head("max-run-time = \"3 hours\"\n"));
}

#[test]
fn bad_weekday() {
    pin!(
        "bad_weekday",
        with_head(
            "\n[[task.trigger]]\nweekly = { days = [\"mon\", \"thurs\"] }\nstart = \"2026-01-07T06:00:00\"\n"
        )
    );
}

#[test]
fn bad_month() {
    pin!(
        "bad_month",
        with_head(
            "\n[[task.trigger]]\nmonthly = { days = [1], months = [\"jan\", \"juli\"] }\nstart = \"2026-01-07T06:00:00\"\n"
        )
    );
}

#[test]
fn day_32() {
    pin!(
        "day_32",
        with_head("\n[[task.trigger]]\nmonthly = { days = [1, 32] }\nstart = \"2026-01-07T06:00:00\"\n")
    );
}

#[test]
fn two_kinds_in_one_trigger() {
    pin!(
        "two_kinds",
        with_head(
            "\n[[task.trigger]]\ndaily = {}\nweekly = { days = [\"mon\"] }\nstart = \"2026-01-07T06:00:00\"\n"
        )
    );
}

#[test]
fn no_kind() {
    pin!("no_kind", with_head("\n[[task.trigger]]\nstart = \"2026-01-07T06:00:00\"\n"));
}

#[test]
fn once_without_start() {
    pin!("once_without_start", with_head("\n[[task.trigger]]\nonce = {}\n"));
}

#[test]
fn repeat_every_not_shorter_than_for() {
    pin!(
        "repeat_every_for",
        with_head(
            "\n[[task.trigger]]\ndaily = {}\nstart = \"2026-01-07T06:00:00\"\nrepeat = { every = \"1h\", for = \"1h\" }\n"
        )
    );
}

#[test]
fn every_zero() {
    pin!(
        "every_zero",
        with_head("\n[[task.trigger]]\ndaily = { every = 0 }\nstart = \"2026-01-07T06:00:00\"\n")
    );
}

#[test]
fn empty_weekday_list() {
    pin!(
        "empty_weekdays",
        with_head("\n[[task.trigger]]\nweekly = { days = [] }\nstart = \"2026-01-07T06:00:00\"\n")
    );
}

#[test]
fn bad_time_zone_form() {
    pin!("bad_time_zone", with_head("time-zone = \"Europe Paris\"\n"));
}

#[test]
fn bad_dst_gap() {
    pin!(
        "bad_dst_gap",
        with_head("\n[[task.trigger]]\ndaily = {}\nstart = \"2026-01-07T06:00:00\"\ndst-gap = \"later\"\n")
    );
}

#[test]
fn not_utf8() {
    let mut input = HEAD.as_bytes().to_vec();
    input.extend_from_slice(b"comment = \"caf\xe9\"\n");
    pin!("not_utf8", rendered(&input));
}

#[test]
fn toml_syntax_error() {
    pin!("syntax_error", with_head("comment = \"unterminated\nauthor = \"ops\"\n"));
}

#[test]
fn wrong_type() {
    pin!("wrong_type", with_head("enabled = \"yes\"\n"));
}

#[test]
fn missing_name_and_command() {
    pin!("missing_name_and_command", rendered(b"[[task]]\ncomment = \"x\"\n"));
}

#[test]
fn bad_start() {
    pin!("bad_start", with_head("\n[[task.trigger]]\nonce = {}\nstart = \"2026-01-07\"\n"));
}

#[test]
fn end_before_start() {
    pin!(
        "end_before_start",
        with_head("\n[[task.trigger]]\nonce = {}\nstart = \"2026-01-07T06:00:00\"\nend = \"2026-01-06\"\n")
    );
}

#[test]
fn bad_cron() {
    pin!("bad_cron", with_head("\n[[task.trigger]]\ncron = \"0 25 * * *\"\n"));
}

#[test]
fn no_task() {
    pin!("no_task", rendered(b"# nothing here\n"));
}

#[test]
fn every_error_in_one_pass_in_file_order() {
    let text = "[[task]]\nname = \"a//b\"\ncommand = \"/bin/true\"\npriority = \"urgent\"\n\n\
                [[task.trigger]]\nweekly = { days = [\"mon\", \"someday\"] }\n\n\
                [[task.trigger]]\nonce = {}\nrepeat = { every = \"30s\" }\n\n\
                [[task]]\nname = \"b\"\ncommand = \"\"\n\n[task.idle]\nidle-for = \"soon\"\n";
    pin!("many_errors", rendered(text.as_bytes()));
}

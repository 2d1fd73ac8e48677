//! `sked next`: the JSON contract of semantics.md §6 against schedules worked out by hand,
//! the text output, filtering and errors.

use serde_json::{Map, Value};

use crate::harness::{Test, golden, repo_root};

/// Runs `sked next` on golden input `name`.toml and compares with `name`.json, written by
/// hand from semantics.md. Each expected object lists the fields it checks (`task` and
/// `time` always); other fields of the output are left out of the comparison.
fn next_json(name: &str, extra: &[&str]) {
    let out = Test::new()
        .file("tasks.toml", golden(&format!("next/{name}.toml")))
        .args(["next", "tasks.toml", "--json"])
        .args(extra.iter().copied())
        .any_stdout()
        .run();
    let actual: Vec<Map<String, Value>> = serde_json::from_str(&out.stdout).unwrap();
    let expected: Vec<Map<String, Value>> =
        serde_json::from_str(&golden(&format!("next/{name}.json"))).unwrap();
    let projected: Vec<Map<String, Value>> = actual
        .iter()
        .zip(expected.iter().chain(std::iter::repeat(&expected[0])))
        .map(|(a, e)| e.keys().map(|k| (k.clone(), a.get(k).cloned().unwrap_or(Value::Null))).collect())
        .collect();
    assert_eq!(
        Value::from(projected),
        Value::from(expected),
        "sked next {name}.toml --json {}",
        extra.join(" ")
    );
}

#[test]
fn new_york_gaps_folds_repetition_and_pinning() {
    next_json("new_york", &["--from", "2026-03-06T00:00:00Z", "--count", "4", "--tz", "UTC"]);
}

#[test]
fn lord_howe_half_hour_changes() {
    next_json("lord_howe", &["--from", "2026-04-01T00:00:00Z", "--count", "5", "--tz", "UTC"]);
}

#[test]
fn santiago_changes_at_midnight() {
    next_json("santiago", &["--from", "2026-04-01T00:00:00Z", "--count", "4", "--tz", "UTC"]);
}

#[test]
fn utc_day_rules_merging_ends_and_the_default_zone() {
    next_json("utc", &["--from", "2026-01-01T00:00:00Z", "--count", "6", "--tz", "America/New_York"]);
}

#[test]
fn tz_sets_the_zone_of_tasks_that_name_none() {
    Test::new()
        .file("tasks.toml", golden("next/utc.toml"))
        .args(["next", "tasks.toml", "--json", "--task", "local/no-zone"])
        .args(["--from", "2025-12-31T22:00:00Z", "--count", "2"])
        .args(["--tz", "Australia/Lord_Howe"])
        // January is summer on Lord Howe Island: +11:00, so the first run, 1 January 09:00
        // there, is 22:00 UTC the day before: `--from` is inclusive.
        .stdout(
            "[\n  \
             {\"task\":\"local/no-zone\",\"time\":\"2026-01-01T09:00:00+11:00\",\"trigger\":1},\n  \
             {\"task\":\"local/no-zone\",\"time\":\"2026-01-02T09:00:00+11:00\",\"trigger\":1}\n]\n",
        )
        .run();
}

#[test]
fn without_tz_the_machine_zone_is_used() {
    // `TZ` is how the machine's zone is set for one process.
    Test::new()
        .file("tasks.toml", golden("next/utc.toml"))
        .env("TZ", "Asia/Kolkata")
        .args(["next", "tasks.toml", "--json", "--task", "local/no-zone"])
        .args(["--from", "2026-01-01T00:00:00Z", "--count", "1"])
        .stdout("[\n  {\"task\":\"local/no-zone\",\"time\":\"2026-01-01T09:00:00+05:30\",\"trigger\":1}\n]\n")
        .run();
}

#[test]
fn from_is_inclusive_and_rounds_up_to_the_second() {
    let run = |from: &str, first: &str| {
        let out = Test::new()
            .file("tasks.toml", golden("next/utc.toml"))
            .args(["next", "tasks.toml", "--json", "--task", "utc/cron-either"])
            .args(["--count", "1", "--from", from])
            .any_stdout()
            .run();
        let v: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(v[0]["time"], first, "--from {from}");
    };
    run("2026-01-05T12:00:00Z", "2026-01-05T12:00:00+00:00");
    run("2026-01-05T12:00:00.5Z", "2026-01-12T12:00:00+00:00");
    run("2026-01-05T07:00:00-05:00", "2026-01-05T12:00:00+00:00");
}

#[test]
fn json_is_one_array_with_task_then_time_first() {
    Test::new()
        .file("tasks.toml", golden("next/utc.toml"))
        .args(["next", "tasks.toml", "--json", "--task", "utc/merge"])
        .args(["--from", "2026-01-03T00:00:00Z", "--count", "3"])
        .stdout(
            "[\n  \
             {\"task\":\"utc/merge\",\"time\":\"2026-01-03T08:00:00+00:00\",\"trigger\":3},\n  \
             {\"task\":\"utc/merge\",\"time\":\"2026-01-03T12:00:00+00:00\",\"trigger\":1},\n  \
             {\"task\":\"utc/merge\",\"time\":\"2026-01-04T12:00:00+00:00\",\"trigger\":1}\n]\n",
        )
        .run();
}

#[test]
fn tasks_without_runs_have_no_json_entries() {
    for task in ["event/startup", "off/disabled"] {
        Test::new()
            .file("tasks.toml", golden("next/utc.toml"))
            .args(["next", "tasks.toml", "--json", "--task", task, "--tz", "UTC"])
            .stdout("[]\n")
            .run();
    }
}

#[test]
fn text_output() {
    Test::new()
        .file("tasks.toml", golden("next/new_york.toml"))
        .args(["next", "tasks.toml", "--task", "ny/gap-end"])
        .args(["--from", "2026-03-06T00:00:00Z", "--count", "3"])
        .stdout(
            "ny/gap-end (America/New_York)\n\
             \x20 Fri 2026-03-06 02:30:00 -05:00\n\
             \x20 Sat 2026-03-07 02:30:00 -05:00\n\
             \x20 Sun 2026-03-08 03:00:00 -04:00\n",
        )
        .run();
}

#[test]
fn text_output_says_why_a_task_has_no_runs() {
    Test::new()
        .file("tasks.toml", golden("next/utc.toml"))
        .args(["next", "tasks.toml", "--tz", "UTC", "--count", "2"])
        .args(["--from", "2026-01-01T00:00:00Z"])
        .stdout_contains(
            "utc/merge (UTC)\n\
             \x20 Sat 2026-01-03 08:00:00 +00:00  trigger 3\n\
             \x20 Sat 2026-01-03 12:00:00 +00:00  trigger 1\n\n",
        )
        .stdout_contains("event/startup (UTC)\n  no calendar runs: it runs at startup\n")
        .stdout_contains("off/disabled (UTC)\n  disabled: no runs\n")
        .run();
    Test::new()
        .file("tasks.toml", golden("next/utc.toml"))
        .args(["next", "tasks.toml", "--task", "utc/end-inclusive", "--count", "7"])
        .args(["--from", "2026-01-02T23:00:00Z"])
        .stdout("utc/end-inclusive (UTC)\n  Fri 2026-01-02 23:00:00 +00:00\n  no more runs\n")
        .run();
    Test::new()
        .file("tasks.toml", golden("next/utc.toml"))
        .args(["next", "tasks.toml", "--task", "utc/end-inclusive"])
        .args(["--from", "2026-06-01T00:00:00+02:00"])
        .stdout("utc/end-inclusive (UTC)\n  no runs at or after 2026-05-31T22:00:00+00:00\n")
        .run();
}

#[test]
fn count_defaults_to_ten() {
    let out = Test::new()
        .file("tasks.toml", golden("next/utc.toml"))
        .args(["next", "tasks.toml", "--json", "--task", "utc/day-30"])
        .args(["--from", "2026-01-01T00:00:00Z"])
        .any_stdout()
        .run();
    let v: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v.len(), 10);
}

#[test]
fn stdin_is_read_with_a_dash() {
    Test::new()
        .stdin(golden("next/utc.toml"))
        .args(["next", "-", "--json", "--task", "utc/day-30", "--count", "1"])
        .args(["--from", "2026-02-01T00:00:00Z"])
        .stdout("[\n  {\"task\":\"utc/day-30\",\"time\":\"2026-03-30T09:00:00+00:00\",\"trigger\":1}\n]\n")
        .run();
}

#[test]
fn from_defaults_to_now() {
    // The shipped example starts in 2026 and never ends: whatever today is, its first task
    // has ten runs from now on.
    let out = Test::new()
        .arg("next")
        .arg(repo_root().join("examples/tasks.toml").to_str().unwrap())
        .args(["--json", "--task", "nightly/backup"])
        .any_stdout()
        .run();
    let v: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v.len(), 10);
    for run in &v {
        let time = run["time"].as_str().unwrap();
        assert!(time.ends_with(":00+01:00") || time.ends_with(":00+02:00"), "{time}");
    }
}

#[test]
fn unknown_task_is_a_usage_error() {
    Test::new()
        .file("tasks.toml", golden("next/santiago.toml"))
        .args(["next", "tasks.toml", "--task", "cl/nope"])
        .status(2)
        .stderr(
            "error: no task named `cl/nope` in `tasks.toml`; expected one of `cl/fold-first`, \
             `cl/fold-second`, `cl/midnight-gap`, `cl/midnight-gap-skip`, `cl/sunday-midnight`\n",
        )
        .run();
}

#[test]
fn bad_from_and_zone_are_usage_errors() {
    Test::new()
        .args(["next", "tasks.toml", "--from", "2026-03-06 09:00"])
        .status(2)
        .stderr(
            "error: invalid value '2026-03-06 09:00' for '--from <TIME>': `2026-03-06 09:00` is \
             not an instant; expected RFC 3339 with an offset or `Z`, such as \
             `2026-03-29T00:00:00Z` or `2026-03-29T02:00:00+02:00`\n\n\
             For more information, try '--help'.\n",
        )
        .run();
    Test::new()
        .args(["next", "tasks.toml", "--tz", "Europe/Atlantis"])
        .status(2)
        .stderr_contains(
            "error: invalid value 'Europe/Atlantis' for '--tz <ZONE>': `Europe/Atlantis` is not \
             in the time zone database; expected an IANA name such as `Europe/Paris`, or `UTC`",
        )
        .run();
    Test::new()
        .args(["next", "tasks.toml", "--since", "yesterday"])
        .status(2)
        .stderr_contains("error: unexpected argument '--since' found")
        .run();
    Test::new()
        .args(["next", "tasks.toml", "--count", "0"])
        .status(2)
        .stderr_contains("invalid value '0' for '--count <N>'")
        .run();
}

#[test]
fn a_missing_file_fails() {
    Test::new()
        .args(["next", "nowhere.toml"])
        .status(1)
        .stderr("error: cannot read `nowhere.toml`: No such file or directory (os error 2)\n")
        .run();
}

#[test]
fn an_invalid_task_stops_next_with_its_location() {
    Test::new()
        .file(
            "tasks.toml",
            "[[task]]\nname = \"a\"\ncommand = \"/bin/true\"\ntime-zone = \"Mars/Olympus\"\n\n\
             [[task.trigger]]\ndaily = {}\nstart = \"2026-01-01T00:00:00\"\n",
        )
        .args(["next", "tasks.toml"])
        .status(1)
        .stderr(
            "error: task `a`, `time-zone`: `Mars/Olympus` is not in the time zone database; \
             expected an IANA name such as `Europe/Paris`, or `UTC`\n \
             --> tasks.toml:4:13\n  |\n4 | time-zone = \"Mars/Olympus\"\n  |             \
             ^^^^^^^^^^^^^^\n",
        )
        .run();
}

#[test]
fn milliseconds_in_a_start_are_kept_and_shown() {
    Test::new()
        .file(
            "tasks.toml",
            "[[task]]\nname = \"ms\"\ncommand = \"/bin/true\"\ntime-zone = \"UTC\"\n\n\
             [[task.trigger]]\ndaily = {}\nstart = \"2026-01-01T06:00:00.250\"\n",
        )
        .args(["next", "tasks.toml", "--from", "2026-01-01T06:00:00.1Z", "--count", "2"])
        .stdout("ms (UTC)\n  Thu 2026-01-01 06:00:00.250 +00:00\n  Fri 2026-01-02 06:00:00.250 +00:00\n")
        .run();
}

#[test]
fn a_start_finer_than_a_millisecond_is_refused() {
    Test::new()
        .file(
            "tasks.toml",
            "[[task]]\nname = \"us\"\ncommand = \"/bin/true\"\n\n\
             [[task.trigger]]\nonce = {}\nstart = \"2026-01-01T06:00:00.0005\"\n",
        )
        .args(["next", "tasks.toml"])
        .status(1)
        .stderr_contains("finer than a millisecond")
        .run();
}

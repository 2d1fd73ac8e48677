//! `sked convert`: every format to every other, losses refused unless `--lossy`,
//! install-time symbols, and the same runs whatever the format.

use crate::harness::{Test, repo_root};

const DAILY: &str = "[[task]]\nname = \"backup\"\ncommand = \"/usr/bin/rsync\"\nargs = [\"-a\", \"/src\", \"/dst\"]\n\
                     time-zone = \"Europe/London\"\n\n\
                     [[task.trigger]]\ndaily = { every = 2 }\nstart = \"2026-03-20T01:30:00\"\n";

fn next_json(file: &str, contents: &str) -> String {
    Test::new()
        .file(file, contents)
        .args(["next", file, "--json", "--count", "8", "--from", "2026-03-20T00:00:00Z"])
        .any_stdout()
        .run()
        .stdout
}

/// The same schedule in every text format gives the same runs, across the March change.
#[test]
fn every_text_format_keeps_the_runs() {
    let expected = next_json("a.toml", DAILY);
    assert!(expected.contains("2026-03-30T01:30:00+01:00"), "{expected}");
    for to in ["xml", "gpp", "schtasks", "jt"] {
        let converted = Test::new()
            .file("a.toml", DAILY)
            .args(["convert", "a.toml", "--to", to, "--lossy"])
            .any_stdout()
            .any_stderr()
            .run()
            .stdout;
        let back = Test::new()
            .file("in", converted.clone())
            .args(["convert", "in", "--to", "toml", "--lossy", "--name", "backup"])
            .any_stdout()
            .any_stderr()
            .run()
            .stdout;
        // The task file back is the same task: same runs, same zone-less civil times
        // (formats without zones carry the zone through sked's own extras or the
        // machine's, so compare in the task's zone by naming it).
        let back = if back.contains("time-zone") {
            back
        } else {
            back.replacen("[[task]]\n", "[[task]]\ntime-zone = \"Europe/London\"\n", 1)
        };
        assert_eq!(next_json("b.toml", &back), expected, "via {to}:\n{converted}\n{back}");
    }
}

#[test]
fn a_loss_fails_and_lists_what_would_be_lost() {
    let task = "[[task]]\nname = \"t\"\ncommand = \"/bin/true\"\ncomment = \"hello\"\nauthor = \"me\"\n\n\
                [[task.trigger]]\ndaily = {}\nstart = \"2026-01-01T06:00:00\"\n\n\
                [[task.trigger]]\nweekly = { days = [\"mon\"] }\nstart = \"2026-01-01T07:00:00\"\n";
    let out = Test::new()
        .file("t.toml", task)
        .args(["convert", "t.toml", "--to", "schtasks", "-o", "out.txt"])
        .status(1)
        .stderr_contains("error: converting `t.toml` to schtasks would lose:\n")
        .stderr_contains("  - task `t`: the comment\n")
        .stderr_contains("nothing was written; pass `--lossy` to convert anyway")
        .run();
    assert!(!out.dir.join("out.txt").exists(), "a refused conversion wrote a file");
}

#[test]
fn lossy_writes_and_warns() {
    let task = "[[task]]\nname = \"t\"\ncommand = \"/bin/true\"\ncomment = \"hello\"\n\n\
                [[task.trigger]]\ndaily = {}\nstart = \"2026-01-01T06:00:00\"\n";
    let out = Test::new()
        .file("t.toml", task)
        .args(["convert", "t.toml", "--to", "schtasks", "--lossy"])
        .stdout_contains("/SC DAILY")
        .stdout_contains("/ST 06:00")
        .stderr_contains("warning: lost in schtasks: task `t`: the comment")
        .run();
    assert!(out.stdout.contains("/TN t") || out.stdout.contains("/TN \"t\""), "{}", out.stdout);
}

#[test]
fn a_job_round_trips_byte_for_byte() {
    let job = repo_root().join("crates/sked-formats/testdata/job/wintask.job");
    let out = Test::new().args(["convert", job.to_str().unwrap(), "--to", "job", "-o", "copy.job"]).run();
    let written = std::fs::read(out.dir.join("copy.job")).unwrap();
    assert_eq!(written, std::fs::read(&job).unwrap());
}

#[test]
fn a_file_of_several_tasks_needs_a_pick_for_a_job() {
    let two = format!("{DAILY}\n{}", DAILY.replace("\"backup\"", "\"other\""));
    Test::new()
        .file("two.toml", two.clone())
        .args(["convert", "two.toml", "--to", "job", "-o", "x.job"])
        .status(2)
        .stderr_contains(
            "a .job file holds one task and `two.toml` has 2: `backup`, `other`; pick one with `--task NAME`",
        )
        .run();
    let out = Test::new()
        .file("two.toml", two)
        .args(["convert", "two.toml", "--to", "job", "--task", "other", "-o", "other.job", "--lossy"])
        .any_stdout()
        .stderr_contains("warning: lost in job")
        .run();
    let back = Test::new()
        .args(["convert", out.dir.join("other.job").to_str().unwrap(), "--to", "toml", "--lossy"])
        .any_stdout()
        .run();
    assert!(back.stdout.contains("name = \"other\""), "{}", back.stdout);
    assert!(back.stdout.contains("command = \"/usr/bin/rsync\""), "{}", back.stdout);
}

#[test]
fn symbols_are_replaced_before_reading() {
    let line = "schtasks /Create /TN (*NAME*) /TR \"(*DIR*)\\run.exe\" /SC DAILY /ST 06:00 /SD 01/02/2026\n";
    Test::new()
        .file("install.txt", line)
        .args(["convert", "install.txt", "--to", "toml", "--define", "NAME=nightly", "--define"])
        .arg("DIR=C:\\App")
        .stdout_contains("name = \"nightly\"")
        .stdout_contains("command = 'C:\\App\\run.exe'")
        .stdout_contains("start = \"2026-01-02T06:00:00\"")
        .run();
    Test::new()
        .file("install.txt", line)
        .file("app.defines", "NAME=nightly\n")
        .args(["validate", "install.txt", "--defines", "app.defines"])
        .status(1)
        .stderr_contains("DIR")
        .run();
}

#[test]
fn date_order_reads_day_first() {
    let line = "schtasks /Create /TN x /TR run.exe /SC ONCE /ST 06:00 /SD 01/02/2036\n";
    Test::new()
        .file("x.txt", line)
        .args(["convert", "x.txt", "--to", "toml", "--date-order", "dmy"])
        .stdout_contains("start = \"2036-02-01T06:00:00\"")
        .run();
    Test::new()
        .file("x.txt", line)
        .args(["convert", "x.txt", "--to", "toml", "--date-order", "ydm"])
        .status(2)
        .stderr_contains("`ydm` is not a date order; expected `mdy`")
        .run();
}

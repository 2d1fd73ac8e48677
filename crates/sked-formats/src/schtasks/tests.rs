use super::*;
use crate::{Action, DateOrder, Entry, Extras, symbols};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use proptest::prelude::*;
use sked_core::{
    Duration, End, IdleSettings, MonthDays, MonthSet, Repetition, Schedule, Start, Task, Trigger,
    TriggerKind, WeekOfMonth, WeekSet, Weekday, WeekdaySet, Zones,
};

fn testdata(name: &str) -> String {
    let path = format!("{}/testdata/schtasks/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn runs(task: &Task, from: Timestamp, n: usize) -> Vec<String> {
    let zones = Zones::new(jiff::tz::db().clone(), TimeZone::UTC);
    let s = Schedule::new(task, &zones).unwrap();
    s.runs(from).take(n).map(|r| r.at.to_string()).collect()
}

fn now() -> DateTime {
    date(2026, 3, 2).at(10, 0, 0, 0) // a Monday
}

fn at(d: Date, h: i8, m: i8) -> Option<Start> {
    Some(Start::civil(d.at(h, m, 0, 0)))
}

fn days(list: &[Weekday]) -> WeekdaySet {
    list.iter().copied().collect()
}

/// The model each documented example must read to.
fn expected_example(file: &str) -> Entry {
    let today = date(2026, 3, 2);
    let (name, command, args): (&str, &str, &[&str]) = match &file[..2] {
        "01" => ("Security Script", r"\\central\data\scripts\sec.vbs", &[]),
        "02" => ("Night Watch", r"C:\tools\watch.exe", &["--quiet"]),
        "03" => ("MyApp", r"C:\apps\myapp.exe", &[]),
        "05" | "06" | "07" | "08" => ("My App", r"c:\apps\myapp.exe", &[]),
        "17" => ("Start Web Site", r"c:\myiis\webstart.bat", &[]),
        "18" => ("Backup Data", r"c:\apps\backup.exe", &[]),
        "19" => ("Check Disk", "chkdsk.exe", &[]),
        "20" => ("accountant", "calc.exe", &[]),
        "21" => ("gaming", "freecell", &[]),
        _ => ("My App", "myapp.exe", &[]),
    };
    let mut task = Task::new(name, command);
    task.args = args.iter().map(|s| s.to_string()).collect();
    let mut extras = SchtasksExtras::default();
    let repeat = |every: u64, mins: u64, stop: bool| {
        Some(Repetition {
            every: Duration::from_mins(every),
            duration: Some(Duration::from_mins(mins)),
            stop_at_end: stop,
        })
    };
    let mut t = match &file[..2] {
        "01" => {
            extras.schedule = ScheduleKind::Minute;
            let mut t = Trigger::new(TriggerKind::Daily { every: 1 });
            t.start = at(today, 10, 20);
            t.repeat = repeat(20, 24 * 60, false);
            t
        }
        "02" => {
            extras.schedule = ScheduleKind::Minute;
            let mut t = Trigger::new(TriggerKind::Daily { every: 1 });
            t.start = at(today, 17, 0);
            t.repeat = repeat(100, 15 * 60, true);
            t
        }
        "03" => {
            extras.schedule = ScheduleKind::Hourly;
            let mut t = Trigger::new(TriggerKind::Daily { every: 1 });
            t.start = at(today, 0, 0);
            t.repeat = repeat(180, 600, false);
            t
        }
        "04" => {
            let mut t = Trigger::new(TriggerKind::Daily { every: 1 });
            t.start = at(date(2021, 12, 29), 8, 0);
            t.end = Some(End::Date(date(2021, 12, 31)));
            t
        }
        "05" => {
            extras.interactive = true;
            Trigger::new(TriggerKind::Daily { every: 70 })
        }
        "06" => {
            extras.schedule = ScheduleKind::Weekly;
            Trigger::new(TriggerKind::Weekly { every: 6, days: days(&[Weekday::Monday]) })
        }
        "07" => {
            extras.schedule = ScheduleKind::Weekly;
            Trigger::new(TriggerKind::Weekly { every: 2, days: days(&[Weekday::Friday]) })
        }
        "08" => {
            extras.schedule = ScheduleKind::Weekly;
            Trigger::new(TriggerKind::Weekly { every: 8, days: days(&[Weekday::Monday, Weekday::Friday]) })
        }
        "09" | "10" | "13" | "14" | "19" => {
            extras.schedule = ScheduleKind::Monthly;
            let (every, d, months) = match &file[..2] {
                "09" => (1, MonthDays::EMPTY.with_day(1), MonthSet::ALL),
                "10" => (2, MonthDays::EMPTY.with_day(21), MonthSet::ALL),
                "13" => (1, MonthDays::EMPTY.with_day(15), MonthSet::EMPTY.with(5).with(6)),
                "14" => (1, MonthDays::EMPTY.with_last(), MonthSet::ALL),
                _ => (1, MonthDays::EMPTY.with_day(15), MonthSet::ALL),
            };
            Trigger::new(TriggerKind::Monthly { every, days: d, months })
        }
        "11" | "12" => {
            extras.schedule = ScheduleKind::Monthly;
            let (w, d, months) = if &file[..2] == "11" {
                (WeekOfMonth::Second, Weekday::Sunday, MonthSet::ALL)
            } else {
                (WeekOfMonth::First, Weekday::Monday, MonthSet::EMPTY.with(3).with(9))
            };
            Trigger::new(TriggerKind::MonthlyWeekday {
                weeks: WeekSet::EMPTY.with(w),
                days: days(&[d]),
                months,
            })
        }
        "15" => {
            extras.schedule = ScheduleKind::Once;
            let mut t = Trigger::new(TriggerKind::Once);
            t.start = at(date(2003, 1, 1), 0, 0);
            t
        }
        "16" => {
            extras.schedule = ScheduleKind::OnStart;
            let mut t = Trigger::new(TriggerKind::AtStartup { delay: Duration::ZERO });
            t.start = at(date(2001, 3, 15), 0, 0);
            t
        }
        "17" => {
            extras.schedule = ScheduleKind::OnLogon;
            Trigger::new(TriggerKind::AtLogon { user: None, delay: Duration::ZERO })
        }
        "18" => {
            extras.schedule = ScheduleKind::OnIdle;
            task.idle = Some(IdleSettings { idle_for: Duration::from_mins(10), ..IdleSettings::default() });
            Trigger::new(TriggerKind::OnIdle)
        }
        "20" => {
            extras.schedule = ScheduleKind::Minute;
            let mut t = Trigger::new(TriggerKind::Daily { every: 1 });
            t.start = at(date(2006, 6, 6), 12, 0);
            t.end = Some(End::Date(date(2006, 6, 6)));
            t.repeat = repeat(5, 120, false);
            t
        }
        "21" => {
            let mut t = Trigger::new(TriggerKind::Daily { every: 1 });
            t.start = at(today, 12, 0);
            t.repeat = repeat(10, 120, true);
            t
        }
        other => panic!("no expected model for example {other}"),
    };
    if &file[..2] == "10" {
        t.start = at(date(2002, 7, 1), 0, 0);
        t.end = Some(End::Date(date(2003, 6, 30)));
    }
    if &file[..2] == "13" {
        t.start = at(today, 15, 0);
    }
    if t.start.is_none() && t.kind.is_calendar() {
        t.start = at(today, 10, 0);
    }
    if &file[..2] == "19" {
        task.run_as = Some("SYSTEM".into());
        extras.run_as = Some("System".into());
    }
    task.triggers.push(t);
    Entry { task, action: Action::Create, extras: Extras { schtasks: Some(extras), ..Extras::default() } }
}

/// The `# key: value` lines of a golden file.
fn header<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    let prefix = format!("# {key}:");
    text.lines().filter_map(|l| l.strip_prefix(&prefix)).map(str::trim).collect()
}

#[test]
fn documented_examples() {
    let dir = format!("{}/testdata/schtasks/examples", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".schtasks"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 21, "every example of windows-formats.md §3.3 but ONEVENT");
    for file in files {
        let text = testdata(&format!("examples/{file}"));
        let now: DateTime = header(&text, "now")[0].parse().unwrap();
        let date_order = match header(&text, "date-order").first().copied() {
            Some("dmy") => DateOrder::Dmy,
            Some("ymd") => DateOrder::Ymd,
            _ => DateOrder::Mdy,
        };
        let opts = ReadOptions { date_order, name: None, now: None };
        let doc = read_at(text.as_bytes(), &opts, Some(now)).unwrap_or_else(|e| panic!("{file}:\n{e}"));
        let warnings: usize = header(&text, "warnings").first().map_or(0, |w| w.parse().unwrap());
        assert_eq!(doc.warnings.len(), warnings, "{file}: {:?}", doc.warnings);
        assert_eq!(doc.entries, [expected_example(&file)], "{file}");

        let from: Timestamp = header(&text, "from")[0].parse().unwrap();
        let want: Vec<String> =
            header(&text, "runs").iter().flat_map(|l| l.split_whitespace()).map(String::from).collect();
        let then_none = header(&text, "then") == ["none"];
        let n = want.len() + usize::from(then_none);
        assert_eq!(runs(&doc.entries[0].task, from, n), want, "{file}");

        // The written line reads back to the same entry, without a clock.
        let written = write_in(&doc, date_order).unwrap();
        let back = read(&written, &opts)
            .unwrap_or_else(|e| panic!("{file}: {}\n{e}", String::from_utf8_lossy(&written)));
        assert_eq!(back.entries, doc.entries, "{file}");
    }
}

#[test]
fn written_lines() {
    let line = |file: &str| {
        let text = testdata(&format!("examples/{file}"));
        let now: DateTime = header(&text, "now")[0].parse().unwrap();
        let doc = read_at(text.as_bytes(), &ReadOptions::default(), Some(now)).unwrap();
        String::from_utf8(write(&doc).unwrap()).unwrap()
    };
    assert_eq!(
        line("01-minute-20.schtasks"),
        "schtasks /Create /TN \"Security Script\" /TR \\\\central\\data\\scripts\\sec.vbs /SC MINUTE /MO 20 /ST 10:20 /SD 03/02/2026\n"
    );
    assert_eq!(
        line("02-minute-100-et-k.schtasks"),
        "schtasks /Create /TN \"Night Watch\" /TR \"C:\\tools\\watch.exe --quiet\" /SC MINUTE /MO 100 /ST 17:00 /DU 0015:00 /K /SD 03/02/2026\n"
    );
    assert_eq!(
        line("14-monthly-lastday.schtasks"),
        "schtasks /Create /TN \"My App\" /TR myapp.exe /SC MONTHLY /MO LASTDAY /M * /ST 10:00 /SD 03/02/2026\n"
    );
    assert_eq!(
        line("18-onidle-10.schtasks"),
        "schtasks /Create /TN \"Backup Data\" /TR c:\\apps\\backup.exe /SC ONIDLE /I 10\n"
    );
    assert_eq!(
        line("19-monthly-15-system.schtasks"),
        "schtasks /Create /TN \"Check Disk\" /TR chkdsk.exe /SC MONTHLY /D 15 /ST 10:00 /SD 03/02/2026 /RU System\n"
    );
}

/// Seed 001's schtasks schedule: one switch a line, `;;` comments, no `/TN` (the installer
/// names the task), `/RU system`, `/ST` with seconds as XP's schtasks wanted.
#[test]
fn seed_schedule_built_with_schtasks() {
    let defines: symbols::Defines = [("Fred", "FredsValue")].into_iter().collect();
    let name = symbols::substitute("SillyScheduleBuiltWithSCHTASKS - TryMe - (*Fred*)", &defines).unwrap();
    let text = testdata("seed-001-sillyschedulebuiltwithschtasks.schtasks");
    let opts = ReadOptions { name: Some(name), ..ReadOptions::default() };
    let doc = read_at(text.as_bytes(), &opts, Some(now())).unwrap();
    assert_eq!(doc.warnings, []);
    let mut task = Task::new("SillyScheduleBuiltWithSCHTASKS - TryMe - FredsValue", "%COMSPEC%");
    task.args = [
        "/C",
        "echo",
        "%DATE%",
        "%TIME%:",
        "SillyScheduleBuiltWithSCHTASKS",
        ">>",
        r"c:\SillyScheduleBuiltWithSCHTASKS.log",
        "2>&1",
    ]
    .map(String::from)
    .to_vec();
    task.run_as = Some("SYSTEM".into());
    task.triggers.push(
        Trigger::new(TriggerKind::Weekly {
            every: 1,
            days: days(&[Weekday::Monday, Weekday::Wednesday, Weekday::Friday]),
        })
        .starting(Start::civil(date(2026, 3, 2).at(6, 0, 0, 0))),
    );
    let extras = SchtasksExtras {
        schedule: ScheduleKind::Weekly,
        run_as: Some("system".into()),
        ..SchtasksExtras::default()
    };
    assert_eq!(doc.entries[0].task, task);
    assert_eq!(doc.entries[0].extras.schtasks, Some(extras));
    assert_eq!(doc.entries[0].action, Action::Create);
    assert_eq!(
        runs(&task, "2026-03-02T07:00:00Z".parse().unwrap(), 3),
        ["2026-03-04T06:00:00Z", "2026-03-06T06:00:00Z", "2026-03-09T06:00:00Z"]
    );
    // Without a clock, the missing /SD cannot be filled in.
    assert_eq!(
        read(text.as_bytes(), &opts).unwrap_err().diagnostics()[0].message,
        "`/SD` is not given and today's date is unknown here; give `/SD` (schtasks starts today)"
    );
}

fn create_error(cmd: &str) -> Vec<String> {
    let full = format!("schtasks /create /tn t /tr x.exe {cmd}");
    match read_at(full.as_bytes(), &ReadOptions::default(), Some(now())) {
        Ok(doc) => panic!("`{cmd}` was accepted: {:?}", doc.entries),
        Err(e) => e.diagnostics().iter().map(|d| d.message.clone()).collect(),
    }
}

#[test]
fn refusals_are_pinned() {
    let cases: &[(&str, &str)] = &[
        ("/sc minute /mo 1440", "`/mo 1440` is out of range for `/SC MINUTE`; expected 1 to 1439"),
        ("/sc hourly /mo 24", "`/mo 24` is out of range for `/SC HOURLY`; expected 1 to 23"),
        ("/sc daily /mo 366", "`/mo 366` is out of range for `/SC DAILY`; expected 1 to 365"),
        ("/sc weekly /mo 53", "`/mo 53` is out of range for `/SC WEEKLY`; expected 1 to 52"),
        ("/sc monthly /mo 13", "`/mo 13` is out of range for `/SC MONTHLY`; expected 1 to 12"),
        (
            "/sc monthly /mo fifth /d MON",
            "`fifth` is not a valid `/MO` for `/SC MONTHLY`; expected 1 to 12, FIRST, SECOND, THIRD, FOURTH, LAST or LASTDAY",
        ),
        ("/sc daily /mo x", "`x` is not a valid `/MO` for `/SC DAILY`; expected a number from 1 to 365"),
        ("/sc once /st 10:00 /mo 2", "`/MO` is not valid with `/SC ONCE`, which takes no modifier"),
        ("/sc daily /d MON", "`/D` is not valid with `/SC DAILY`; it is only for WEEKLY and MONTHLY"),
        (
            "/sc weekly /d MONDAYS",
            "`MONDAYS` is not a day of the week; expected MON, TUE, WED, THU, FRI, SAT, SUN, a list such as MON,FRI, or *",
        ),
        (
            "/sc monthly /mo 2 /d MON",
            "`MON` is not a day of the month; with `/MO 2` /D is one day from 1 to 31",
        ),
        ("/sc monthly /d 1,15", "`1,15` is not a day of the month; with `/MO 1` /D is one day from 1 to 31"),
        ("/sc monthly /mo FIRST", "`/MO FIRST` needs `/D`, one day of the week (MON..SUN)"),
        (
            "/sc monthly /mo LAST /d MON,FRI",
            "`MON,FRI` is not one day of the week; with `/MO LAST` /D is exactly one of MON..SUN",
        ),
        ("/sc monthly /mo LASTDAY", "`/MO LASTDAY` needs `/M`, the months (`/M *` for every month)"),
        (
            "/sc monthly /mo LASTDAY /m * /d 1",
            "`/MO LASTDAY` takes no `/D`: it runs on the last day of each month of `/M`",
        ),
        (
            "/sc monthly /d 31 /m FEB",
            "day 31 does not exist in FEB (`/m FEB`); schtasks refuses a day that a chosen month lacks",
        ),
        (
            "/sc monthly /d 30 /m JAN,FEB",
            "day 30 does not exist in FEB (`/m JAN,FEB`); schtasks refuses a day that a chosen month lacks",
        ),
        ("/sc monthly /m FOO", "`FOO` is not a month; expected JAN..DEC, a list such as MAR,SEP, or *"),
        ("/sc weekly /m JAN", "`/M` is only for `/SC MONTHLY`, not `/SC WEEKLY`"),
        ("/sc daily /i 10", "`/I` is only for `/SC ONIDLE`, not `/SC DAILY`"),
        ("/sc onidle", "`/SC ONIDLE` needs `/I`, the idle minutes (1 to 999)"),
        ("/sc onidle /i 1000", "`/i 1000` is out of range; expected 1 to 999 idle minutes"),
        (
            "/sc daily /et 12:00 /du 0001:00",
            "`/ET` and `/DU` cannot be combined; give the end time or the duration",
        ),
        ("/sc daily /k", "`/K` needs `/ET` or `/DU`: without a repetition window there is no end to stop at"),
        (
            "/sc minute /ri 5",
            "`/RI` is not valid with `/SC MINUTE`: MINUTE and HOURLY repeat every `/MO` minutes or hours",
        ),
        (
            "/sc hourly /ri 5",
            "`/RI` is not valid with `/SC HOURLY`: MINUTE and HOURLY repeat every `/MO` minutes or hours",
        ),
        ("/sc onstart /ri 5", "`/RI` is not valid with `/SC ONSTART`: an event trigger does not repeat"),
        (
            "/sc onlogon /du 0001:00",
            "`/DU` is not valid with `/SC ONLOGON`: an event trigger does not repeat",
        ),
        ("/sc daily /ri 0", "`/ri 0` is out of range; expected 1 to 599940 minutes"),
        (
            "/sc daily /ri 60 /du 0001:00",
            "the repetition window (1h) is not longer than the interval (1h); expected a window longer than the interval",
        ),
        (
            "/sc hourly /mo 3 /du 0001:00",
            "the repetition window (1h) is not longer than the interval (3h); expected a window longer than the interval",
        ),
        (
            "/sc daily /ri 120 /v1",
            "the repetition window (1h) is not longer than the interval (2h); expected a window longer than the interval",
        ),
        (
            "/sc daily /st 10:00 /et 10:00",
            "`/ET` equals the start time: the repetition window would be empty",
        ),
        (
            "/sc daily /du 10",
            "`/du 10` is not a duration; expected HHHH:mm, hours then minutes 00-59, longer than zero",
        ),
        (
            "/sc once /st 10:00 /ed 12/31/2026",
            "`/ED` is not valid with `/SC ONCE`: it has no later runs to end",
        ),
        ("/sc onstart /ed 12/31/2026", "`/ED` is not valid with `/SC ONSTART`: it has no later runs to end"),
        ("/sc onlogon /st 10:00", "`/ST` is not valid with `/SC ONLOGON`: an event has no start time"),
        ("/sc once", "`/SC ONCE` needs `/ST`, the time to run"),
        (
            "/sc daily /sd 2026/03/02 /ed 2026/03/01",
            "`/ED` is before the start date 2026-03-02; expected a date on or after it",
        ),
        (
            "/sc daily /sd 31/12/2026",
            "`31/12/2026` is not a date: month 31 does not exist (reading month/day/year); for day/month/year dates use `--date-order dmy`",
        ),
        (
            "/sc daily /sd 2/30/2026",
            "`2/30/2026` is not a date: day 30 does not exist in 2/2026 (reading month/day/year)",
        ),
        (
            "/sc daily /st 25:00",
            "`25:00` is not a time: expected a 24-hour time HH:mm with hours 0-23 and minutes 0-59",
        ),
        ("/sc daily /delay 0001:00", "`/DELAY` is only for `/SC ONSTART` and `/SC ONLOGON`, not `/SC DAILY`"),
        (
            "/sc onstart /delay 90",
            "`/delay 90` is not a delay; expected mmmm:ss (minutes, then seconds 00-59)",
        ),
        (
            "/sc onevent /ec System /mo *[System/EventID=101]",
            "`/sc onevent` fires on Windows event-log entries, which sked cannot watch (Linux has no Windows event log); this task cannot be created",
        ),
        (
            "/sc yearly",
            "`yearly` is not a schedule type; expected MINUTE, HOURLY, DAILY, WEEKLY, MONTHLY, ONCE, ONSTART, ONLOGON or ONIDLE",
        ),
        (
            "/sc daily /xml task.xml",
            "`/xml task.xml` creates the task from a Task Scheduler 2.0 XML file; read that file with the `xml` format instead",
        ),
        (
            "/sc daily /u admin",
            "`/U` is valid only with `/S`: it is the account that runs schtasks on a remote machine",
        ),
        ("/sc daily /rp secret", "`/RP` is valid only with `/RU`: it is the password of that account"),
        (
            "/sc daily /ru bob /it /np",
            "`/IT` and `/NP` cannot be combined: choose run-only-when-logged-on or no stored password",
        ),
        ("/sc daily /rl TOP", "`TOP` is not a run level; expected LIMITED or HIGHEST"),
        (
            "/sc daily /zz",
            "unknown switch `/zz` for `schtasks /Create`; expected one of /S /U /P /RU /RP /SC /MO /D /M /I /TN /TR /ST /RI /ET /DU /K /SD /ED /EC /IT /NP /Z /XML /V1 /F /RL /DELAY /HRESULT",
        ),
        (
            "/sc daily now",
            "unexpected `now`; expected a switch of `schtasks /Create` such as /S, /U, /P (a value with spaces needs double quotes)",
        ),
        ("/sc daily /sc weekly", "`/SC` is given twice (first as `/sc`); give it once"),
        ("/sc daily /st", "`/st` needs a value"),
    ];
    for (cmd, want) in cases {
        assert_eq!(create_error(cmd), [*want], "{cmd}");
    }
    let missing = |text: &str| -> Vec<String> {
        read_at(text.as_bytes(), &ReadOptions::default(), Some(now()))
            .unwrap_err()
            .diagnostics()
            .iter()
            .map(|d| d.message.clone())
            .collect()
    };
    assert_eq!(
        missing("schtasks /create /sc daily"),
        [
            "`/TN` is missing; expected the task name (`/TN \"Folder\\Name\"`)",
            "`/TR` is missing; expected the program to run and its arguments (`/TR \"C:\\app.exe -x\"`)",
        ]
    );
    assert_eq!(
        missing("schtasks /create /tn t /tr x"),
        [
            "`/SC` is missing; expected the schedule type: MINUTE, HOURLY, DAILY, WEEKLY, MONTHLY, ONCE, ONSTART, ONLOGON or ONIDLE"
        ]
    );
    assert_eq!(
        missing("schtasks /create /tn t /tr \"\" /sc daily"),
        ["`/TR` names no program; expected the program to run and its arguments"]
    );
    assert_eq!(
        missing("schtasks /query /tn t"),
        [
            "`schtasks /Query` does not describe a task; a schtasks file holds `/Create` and `/Delete /TN NAME` commands"
        ]
    );
    assert_eq!(
        missing("schtasks /create /tn a\\b\\..\\c /tr x /sc daily"),
        [
            "`a/b/../c` has an empty, `.`, `..` or space-padded folder; expected names such as `nightly/backup`"
        ]
    );
    assert_eq!(
        missing(""),
        ["no schtasks command found; expected `schtasks /Create /TN ... /TR ... /SC ...`"]
    );
}

#[test]
fn refusals_point_at_the_switch() {
    let text = "schtasks /create /tn t /tr x.exe\nschtasks /create /tn u /tr y.exe /sc hourly /mo 24\n";
    let e = read_at(text.as_bytes(), &ReadOptions::default(), Some(now())).unwrap_err();
    assert_eq!(
        e.in_file("install.cmd").to_string(),
        "error: `/SC` is missing; expected the schedule type: MINUTE, HOURLY, DAILY, WEEKLY, MONTHLY, ONCE, ONSTART, ONLOGON or ONIDLE\n --> install.cmd:1:10\n  |\n1 | schtasks /create /tn t /tr x.exe\n  |          ^^^^^^^^^^^^^^^^^^^^^^^\n\n\
         error: `/mo 24` is out of range for `/SC HOURLY`; expected 1 to 23\n --> install.cmd:2:45\n  |\n2 | schtasks /create /tn u /tr y.exe /sc hourly /mo 24\n  |                                             ^^^^^^"
    );
    // The seed form: one switch a line; the fault is on its own line.
    let seed = "   /SC WEEKLY   ;;Weekly\n   /MO 60       ;;Every 60 weeks\n   /TR x\n";
    let opts = ReadOptions { name: Some("s".into()), ..ReadOptions::default() };
    let e = read_at(seed.as_bytes(), &opts, Some(now())).unwrap_err();
    assert_eq!(
        e.to_string(),
        "error: `/MO 60` is out of range for `/SC WEEKLY`; expected 1 to 52\n --> <input>:2:4\n  |\n2 |    /MO 60       ;;Every 60 weeks\n  |    ^^^^^^"
    );
}

#[test]
fn switches_and_defaults() {
    let read1 = |cmd: &str| {
        read_at(cmd.as_bytes(), &ReadOptions::default(), Some(now())).unwrap_or_else(|e| panic!("{cmd}\n{e}"))
    };
    // `-` switches, any case, `schtasks.exe` with a path, /F, /Z, /RL, /V1, /HRESULT, /RP.
    let doc = read1(
        r#"C:\Windows\System32\SCHTASKS.EXE -CREATE -TN "\Ops\Nightly Backup" -TR "'C:\x.exe' \"a b\"" -SC DAILY -ST 02:30:15 -SD 2026-03-05 -F -Z -RL highest -V1 -HRESULT -RU "NT AUTHORITY\SYSTEM" -RP x"#,
    );
    let e = &doc.entries[0];
    assert_eq!(e.task.name, "Ops/Nightly Backup");
    assert_eq!(e.task.command, "'C:\\x.exe'");
    assert_eq!(e.task.args, ["a b"]);
    assert_eq!(e.action, Action::Replace);
    assert!(e.task.delete_when_done);
    assert_eq!(e.task.run_as.as_deref(), Some("SYSTEM"));
    assert_eq!(e.task.triggers[0].start, Some(Start::civil(date(2026, 3, 5).at(2, 30, 15, 0))));
    let x = e.extras.schtasks.as_ref().unwrap();
    assert_eq!(x.run_level, Some(RunLevel::Highest));
    assert!(x.v1 && x.hresult);
    assert_eq!(x.run_as.as_deref(), Some("NT AUTHORITY\\SYSTEM"));
    assert_eq!(doc.warnings.len(), 1, "the /RP password is dropped with a warning");
    let written = String::from_utf8(write(&doc).unwrap()).unwrap();
    assert_eq!(
        written,
        "schtasks /Create /TN \"Ops\\Nightly Backup\" /TR \"'C:\\x.exe' \\\"a b\\\"\" /SC DAILY /ST 02:30:15 /SD 03/05/2026 /RU \"NT AUTHORITY\\SYSTEM\" /Z /RL HIGHEST /V1 /F /HRESULT\n"
    );
    assert_eq!(read(written.as_bytes(), &ReadOptions::default()).unwrap().entries, doc.entries);

    // /RI alone repeats indefinitely; with /V1 for one hour; /DU alone every 10 minutes.
    let rep = |cmd: &str| read1(cmd).entries[0].task.triggers[0].repeat;
    assert_eq!(
        rep("schtasks /create /tn t /tr x /sc daily /st 08:00 /ri 15"),
        Some(Repetition { every: Duration::from_mins(15), duration: None, stop_at_end: false })
    );
    assert_eq!(
        rep("schtasks /create /tn t /tr x /sc daily /st 08:00 /ri 15 /v1").and_then(|r| r.duration),
        Some(Duration::from_hours(1))
    );
    assert_eq!(
        rep("schtasks /create /tn t /tr x /sc weekly /st 08:00 /du 0002:00").map(|r| r.every),
        Some(Duration::from_mins(10))
    );
    // /ONSTART and /ONLOGON delays; /D * on WEEKLY; several commands, comments, a /Delete.
    let doc = read1(
        "# install\nschtasks /create /tn a /tr x /sc onstart /delay 0001:30\n\
         ; makemsi comment\nschtasks /create /tn b /tr x /sc weekly /d * /st 09:00 ^\n  /sd 03/02/2026\n\
         schtasks /delete /tn a /f\n",
    );
    assert_eq!(
        doc.entries[0].task.triggers[0].kind,
        TriggerKind::AtStartup { delay: Duration::from_secs(90) }
    );
    assert_eq!(doc.entries[1].task.triggers[0].kind, TriggerKind::Weekly { every: 1, days: WeekdaySet::ALL });
    assert_eq!(doc.entries[2].action, Action::Delete);
    assert_eq!(doc.entries[2].task.name, "a");
    let back = read(&write(&doc).unwrap(), &ReadOptions::default()).unwrap();
    assert_eq!(back.entries, doc.entries);
    // Without /ST a MINUTE task starts one interval from now, even across midnight.
    let late = date(2026, 3, 2).at(23, 50, 30, 0);
    let doc = read_at(b"schtasks /create /tn t /tr x /sc minute /mo 15", &ReadOptions::default(), Some(late))
        .unwrap();
    assert_eq!(doc.entries[0].task.triggers[0].start, Some(Start::civil(date(2026, 3, 3).at(0, 5, 0, 0))));
    // /TN wins over --name.
    let opts = ReadOptions { name: Some("option".into()), ..ReadOptions::default() };
    let doc = read_at(b"schtasks /create /tn given /tr x /sc onlogon", &opts, None).unwrap();
    assert_eq!(doc.entries[0].task.name, "given");
}

#[test]
fn other_verbs() {
    let parse = |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse_command(&args, &ReadOptions::default(), Some(now()))
    };
    assert_eq!(parse(&[]).unwrap().command, Command::Query(Query::default()));
    assert_eq!(
        parse(&["/Query", "/FO", "csv", "/NH", "/V", "/TN", "\\a\\b"]).unwrap().command,
        Command::Query(Query {
            name: Some("a/b".into()),
            format: QueryFormat::Csv,
            no_header: true,
            verbose: true,
            xml: None,
        })
    );
    assert_eq!(
        parse(&["/query", "/xml", "ONE"]).unwrap().command,
        Command::Query(Query { xml: Some(true), ..Query::default() })
    );
    assert_eq!(
        parse(&["schtasks", "/Delete", "/TN", "*", "/F"]).unwrap().command,
        Command::Delete { name: None, force: true }
    );
    assert_eq!(
        parse(&["/run", "/tn", "x", "/i"]).unwrap().command,
        Command::Run { name: "x".into(), ignore_constraints: true }
    );
    assert_eq!(parse(&["/end", "/tn", "x"]).unwrap().command, Command::End { name: "x".into() });
    assert_eq!(
        parse(&["/change", "/tn", "x", "/disable"]).unwrap().command,
        Command::Change { name: "x".into(), args: vec!["/tn".into(), "x".into(), "/disable".into()] }
    );
    let create =
        parse(&["/create", "/tn", "x", "/tr", "/usr/bin/true", "/sc", "onlogon", "/s", "host"]).unwrap();
    assert_eq!(create.warnings.len(), 1);
    match create.command {
        Command::Create(e) => assert_eq!(e.task.command, "/usr/bin/true"),
        other => panic!("{other:?}"),
    }
    let err = |args: &[&str]| -> Vec<String> {
        parse(args).unwrap_err().diagnostics().iter().map(|d| d.message.clone()).collect()
    };
    assert_eq!(
        err(&["/tn", "x"]),
        ["expected a verb first: /Create, /Delete, /Query, /Change, /Run or /End"]
    );
    assert_eq!(err(&["/run"]), ["`schtasks /Run` needs `/TN`, the task name"]);
    assert_eq!(err(&["/query", "/fo", "list", "/nh"]), ["`/NH` is only for `/FO TABLE` and `/FO CSV`"]);
    assert_eq!(
        err(&["/change", "/tn", "x", "/enable", "/disable"]),
        ["`/ENABLE` and `/DISABLE` cannot be combined"]
    );
    assert_eq!(
        err(&["/create", "/tn", "x", "/tr", "y", "/sc", "daily", "/mo", "0"]),
        ["`/mo 0` is out of range for `/SC DAILY`; expected 1 to 365"]
    );
}

#[test]
fn writer_losses() {
    let mut task = Task::new("t", "x");
    task.working_dir = Some("/srv".into());
    task.comment = Some("c".into());
    task.max_run_time = Some(Duration::from_hours(1));
    for _ in 0..2 {
        task.triggers.push(
            Trigger::new(TriggerKind::Daily { every: 1 })
                .starting(Start::civil(date(2026, 1, 1).at(0, 0, 0, 0))),
        );
    }
    let entry = Entry::new(task.clone());
    assert_eq!(
        losses(&entry),
        [
            "the working directory",
            "the comment",
            "the maximum run time 1h (schtasks keeps the default 72h)",
            "2 triggers (a schtasks line holds one; Task Scheduler XML, the `xml` format, holds them all for `schtasks /Create /XML`)",
        ]
    );
    let e = write(&Document::from_tasks([task])).unwrap_err();
    assert_eq!(
        e.diagnostics()[3].message,
        "task `t`: a schtasks line cannot hold 2 triggers (a schtasks line holds one; Task Scheduler XML, the `xml` format, holds them all for `schtasks /Create /XML`)"
    );
    let mut task = Task::new("t", "x");
    let mut t = Trigger::new(TriggerKind::Cron("0 * * * *".parse().unwrap()));
    t.random_delay = Some(Duration::from_mins(5));
    task.triggers.push(t);
    let mut t2 = Trigger::new(TriggerKind::MonthlyWeekday {
        weeks: WeekSet::EMPTY.with(WeekOfMonth::First).with(WeekOfMonth::Last),
        days: WeekdaySet::ALL,
        months: MonthSet::ALL,
    });
    t2.start = Some(Start::pinned(date(2026, 1, 1).at(0, 0, 0, 0), jiff::tz::offset(2)));
    t2.end = Some(End::At { datetime: date(2026, 2, 1).at(0, 0, 0, 0), offset: None });
    let mut task2 = task.clone();
    task2.triggers = vec![t2];
    task2.environment.insert("A".into(), "b".into());
    assert_eq!(losses(&Entry::new(task)), ["a random delay", "the cron trigger `0 * * * *`"]);
    assert_eq!(
        losses(&Entry::new(task2)),
        [
            "the environment variables",
            "a start pinned to the UTC offset +02",
            "an end date-time (schtasks /ED takes a date)",
            "several weeks or weekdays in a monthly-weekday trigger (schtasks takes one week and one weekday)",
        ]
    );
}

fn arb_weekdays() -> impl Strategy<Value = WeekdaySet> {
    (1u8..128).prop_map(WeekdaySet::from_mask)
}

fn arb_months() -> impl Strategy<Value = MonthSet> {
    (1u16..4096).prop_map(MonthSet::from_mask)
}

/// Tasks a schtasks line can express.
fn arb_entry() -> impl Strategy<Value = Entry> {
    let weekday = (0u8..7).prop_map(|i| WeekdaySet::from_mask(1 << i));
    let kind = prop_oneof![
        Just(TriggerKind::Once),
        (1u32..=365).prop_map(|every| TriggerKind::Daily { every }),
        (1u32..=52, arb_weekdays()).prop_map(|(every, days)| TriggerKind::Weekly { every, days }),
        (1u32..=12, 1u8..=28, arb_months()).prop_map(|(every, d, months)| TriggerKind::Monthly {
            every,
            days: MonthDays::EMPTY.with_day(d),
            months
        }),
        (1u32..=12, 29u8..=31).prop_map(|(every, d)| TriggerKind::Monthly {
            every,
            days: MonthDays::EMPTY.with_day(d),
            months: MonthSet::ALL
        }),
        arb_months().prop_map(|months| TriggerKind::Monthly {
            every: 1,
            days: MonthDays::EMPTY.with_last(),
            months
        }),
        (1u16..=5, weekday, arb_months()).prop_map(|(w, days, months)| {
            TriggerKind::MonthlyWeekday {
                weeks: WeekSet::EMPTY.with(WeekOfMonth::from_windows_number(w).unwrap_or(WeekOfMonth::First)),
                days,
                months,
            }
        }),
        (0u64..600_000).prop_map(|s| TriggerKind::AtStartup { delay: Duration::from_secs(s) }),
        (0u64..600_000).prop_map(|s| TriggerKind::AtLogon { user: None, delay: Duration::from_secs(s) }),
        Just(TriggerKind::OnIdle),
    ];
    let when = (2000i16..2100, 1i8..=12, 1i8..=28, 0i8..24, 0i8..60, 0i8..60);
    let repeat = proptest::option::of((1u64..=1439, proptest::option::of((1u64..3000, any::<bool>()))));
    (
        kind,
        when,
        proptest::option::of(0i64..800),
        repeat,
        any::<bool>(),
        (
            "[A-Za-z0-9_][A-Za-z0-9 _.-]{0,10}[A-Za-z0-9_]",
            proptest::option::of("[A-Za-z0-9_][A-Za-z0-9 _.-]{0,10}[A-Za-z0-9_]"),
        ),
        "[A-Za-z0-9:\\\\/._%-][A-Za-z0-9 :\\\\/._%-]{0,20}",
        proptest::collection::vec("[ -~]{0,8}", 0..4),
        proptest::option::of(prop_oneof![
            Just("SYSTEM".to_string()),
            "[a-z]{1,8}",
            "[A-Z]{2,6}\\\\[a-z]{1,6}"
        ]),
        (
            any::<bool>(),
            any::<bool>(),
            1u64..=999,
            prop_oneof![Just(ScheduleKind::Minute), Just(ScheduleKind::Hourly), Just(ScheduleKind::Daily)],
        ),
    )
        .prop_map(
            |(
                kind,
                (y, mo, d, h, mi, s),
                end,
                repeat,
                event_start,
                (folder, leaf),
                command,
                args,
                run_as,
                (replace, z, idle, hint),
            )| {
                let name = match leaf {
                    Some(l) => format!("{folder}/{l}"),
                    None => folder,
                };
                let mut task = Task::new(name, command.trim());
                task.args = args;
                task.run_as = run_as;
                task.delete_when_done = z;
                let event = kind.is_event();
                let once = kind == TriggerKind::Once;
                if kind == TriggerKind::OnIdle {
                    task.idle =
                        Some(IdleSettings { idle_for: Duration::from_mins(idle), ..IdleSettings::default() });
                }
                let mut t = Trigger::new(kind);
                let start = date(y, mo, d).at(h, mi, s, 0);
                if event {
                    if event_start {
                        t.start = Some(Start::civil(start.date().to_datetime(jiff::civil::Time::midnight())));
                    }
                } else {
                    t.start = Some(Start::civil(start));
                    if !once {
                        t.end = end
                            .and_then(|n| start.date().checked_add(jiff::Span::new().days(n)).ok())
                            .map(End::Date);
                    }
                    t.repeat = repeat.map(|(every, window)| Repetition {
                        every: Duration::from_mins(every),
                        duration: window.map(|(extra, _)| Duration::from_mins(every + extra)),
                        stop_at_end: window.is_some_and(|(_, stop)| stop),
                    });
                }
                task.triggers.push(t);
                Entry {
                    task,
                    action: if replace { Action::Replace } else { Action::Create },
                    extras: Extras {
                        schtasks: Some(SchtasksExtras { schedule: hint, ..SchtasksExtras::default() }),
                        ..Extras::default()
                    },
                }
            },
        )
}

#[test]
fn lossy_writing_keeps_what_a_line_can_say() {
    let line = "schtasks /Create /TN t /TR run.exe /SC DAILY /ST 06:00 /SD 01/02/2026 /F\n";
    let mut doc = read(line.as_bytes(), &ReadOptions::default()).unwrap();
    let first = doc.entries[0].task.triggers[0].clone();
    let mut second = first.clone();
    second.kind = sked_core::TriggerKind::Once;
    doc.entries[0].task.triggers.push(second);
    doc.entries[0].task.comment = Some("hello".into());
    let strict = write_in(&doc, DateOrder::Mdy).unwrap_err().to_string();
    assert!(strict.contains("the comment") && strict.contains("2 triggers"), "{strict}");
    let lossy = String::from_utf8(write_lossy(&doc, DateOrder::Mdy).unwrap()).unwrap();
    assert_eq!(lossy, line);
    doc.entries[0].task.triggers.clear();
    assert!(write_lossy(&doc, DateOrder::Mdy).is_err(), "a line needs a trigger");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn round_trip(entry in arb_entry(), order in prop_oneof![Just(DateOrder::Mdy), Just(DateOrder::Dmy), Just(DateOrder::Ymd)]) {
        prop_assert_eq!(losses(&entry), Vec::<String>::new());
        let doc = Document { entries: vec![entry.clone()], warnings: vec![] };
        let written = write_in(&doc, order).unwrap();
        let opts = ReadOptions { date_order: order, name: None, now: None };
        let back = match read(&written, &opts) {
            Ok(b) => b,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&written)))),
        };
        prop_assert_eq!(&back.entries[0].task, &entry.task);
        prop_assert_eq!(back.entries[0].action, entry.action);
        // A document read from schtasks writes and reads back whole, extras included.
        let again = read(&write_in(&back, order).unwrap(), &opts).unwrap();
        prop_assert_eq!(again.entries, back.entries);
    }

    #[test]
    fn never_panics(s in "(schtasks|/create|/sc|/mo|/d|/m|/st|/et|/du|/ri|/sd|/ed|/tn|/tr|/k|/i|[ \"a-z0-9:/*,\n;^]){0,30}") {
        let _ = read_at(s.as_bytes(), &ReadOptions::default(), Some(now()));
        let _ = read(s.as_bytes(), &ReadOptions::default());
    }

    #[test]
    fn never_panics_on_any_text(s in "\\PC{0,60}") {
        let _ = read_at(s.as_bytes(), &ReadOptions::default(), Some(now()));
        let args: Vec<String> = s.split(' ').map(String::from).collect();
        let _ = parse_command(&args, &ReadOptions::default(), None);
    }
}

use super::*;
use crate::symbols;
use jiff::Timestamp;
use jiff::civil::date;
use jiff::tz::TimeZone;
use proptest::prelude::*;
use sked_core::{Schedule, Weekday, Zones};

fn testdata(name: &str) -> String {
    let path = format!("{}/testdata/jt/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn now() -> DateTime {
    date(2026, 3, 2).at(9, 41, 0, 0) // a Monday
}

fn runs(task: &Task, from: &str, n: usize) -> Vec<String> {
    let zones = Zones::new(jiff::tz::db().clone(), TimeZone::UTC);
    let s = Schedule::new(task, &zones).unwrap();
    let from: Timestamp = from.parse().unwrap();
    s.runs(from).take(n).map(|r| r.at.to_string()).collect()
}

fn messages(e: &Error) -> Vec<String> {
    e.diagnostics().iter().map(|d| d.message.clone()).collect()
}

fn read_now(text: &str) -> Result<Document, Error> {
    read_at(text.as_bytes(), &ReadOptions::default(), Some(now()))
}

/// Seed 001's SillySchedule1: the installer substitutes its symbols, names the task, and
/// hands the property lines to JT.
#[test]
fn seed_sillyschedule1() {
    let defines = symbols::parse_defines_file(&testdata("seed-001.defines")).unwrap();
    let text = symbols::substitute(&testdata("seed-001-sillyschedule1.jt"), &defines).unwrap();
    let name = symbols::substitute("SillySchedule1 - (*Schedule1Comment*)", &defines).unwrap();
    let opts = ReadOptions { name: Some(name), ..ReadOptions::default() };
    let doc = read_at(text.as_bytes(), &opts, Some(now())).unwrap();
    assert_eq!(doc.warnings, []);

    let mut task = Task::new("SillySchedule1 - Runs simple CMD.EXE task", "%COMSPEC%");
    task.args = [
        "/C",
        "echo",
        "%DATE%",
        "%TIME%:",
        "SillySchedule1",
        "says",
        "hello...",
        ">>",
        "\\SillySchedule1.log",
        "2>&1",
    ]
    .map(String::from)
    .to_vec();
    task.working_dir = Some("[INSTALLDIR]".into());
    task.comment = Some("This is a comment for the schedule (INSTALLDIR = '[INSTALLDIR]')".into());
    task.max_run_time = Some(Duration::from_hours(1));
    task.power = Some(PowerSettings::default());
    task.wake_to_run = true;
    task.run_as = Some("SYSTEM".into());
    let mut t = Trigger::new(TriggerKind::Weekly {
        every: 1,
        days: [Weekday::Monday, Weekday::Wednesday, Weekday::Friday].into_iter().collect(),
    });
    // No StartDate: ITask::CreateTrigger's default, today.
    t.start = Some(Start::civil(date(2026, 3, 2).at(6, 0, 0, 0)));
    t.repeat = Some(Repetition {
        every: Duration::from_mins(60),
        duration: Some(Duration::from_mins(600)),
        stop_at_end: true,
    });
    task.triggers.push(t);
    let expected = Entry {
        task,
        action: Action::Replace,
        extras: Extras { jt: Some(JtExtras::default()), ..Extras::default() },
    };
    assert_eq!(doc.entries, [expected]);

    // By hand: Monday 06:00 every hour to 16:00 (the end of the 10-hour window included,
    // semantics.md §4), then Wednesday.
    let task = &doc.entries[0].task;
    let mut want: Vec<String> = (6..=16).map(|h| format!("2026-03-02T{h:02}:00:00Z")).collect();
    want.push("2026-03-04T06:00:00Z".into());
    assert_eq!(runs(task, "2026-03-02T00:00:00Z", 12), want);
    assert_eq!(
        runs(task, "2026-03-06T15:30:00Z", 3),
        ["2026-03-06T16:00:00Z", "2026-03-09T06:00:00Z", "2026-03-09T07:00:00Z"]
    );

    // Without today's date the missing StartDate cannot be filled in.
    let e = read(text.as_bytes(), &opts).unwrap_err();
    assert_eq!(
        messages(&e),
        ["the trigger has no `StartDate` and today's date is unknown here; give `StartDate = MM/DD/YYYY`"]
    );
    let rendered = e.to_string();
    assert!(rendered.contains("-->") && rendered.contains("Type = Weekly"), "{rendered}");

    // Written and read back: the same entry.
    let written = write(&doc).unwrap();
    assert_eq!(read(&written, &ReadOptions::default()).unwrap().entries, doc.entries);
}

/// The SambaEdu wpkg installer's stream, its lines broken after `/SJ`.
#[test]
fn wpkg_stream() {
    let doc = read(testdata("wpkg.jt").as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(doc.entries.len(), 2);
    assert_eq!(doc.entries[0].action, Action::Delete);
    assert_eq!(doc.entries[0].task.name, "wpkg");
    let e = &doc.entries[1];
    assert_eq!(e.action, Action::Replace);
    let mut task = Task::new("wpkg", "%ComSpec%");
    task.args =
        ["/C", "start", "/LOW", "%Windir%\\system32\\cscript.exe", "//B", "%Windir%\\wpkg-client.vbs"]
            .map(String::from)
            .to_vec();
    task.working_dir = Some("%WinDir%".into());
    task.comment = Some("Client wpkg - Installation automatique d'applications".into());
    task.author = Some("admin".into());
    task.max_run_time = None;
    task.power = Some(PowerSettings::default());
    task.run_as = Some("adminse3".into());
    task.triggers.push(Trigger::new(TriggerKind::AtStartup { delay: Duration::ZERO }));
    assert_eq!(e.task, task);
    assert_eq!(
        doc.warnings.iter().map(|d| d.message.as_str()).collect::<Vec<_>>(),
        [
            "the password given with `/SC` is not stored: sked starts tasks as their user without one",
            "`MaxRunTime=9999999999` is more than a .job holds (4294967295 = no limit); read as no limit",
        ]
    );
    assert_eq!(runs(&e.task, "2026-03-02T00:00:00Z", 1), Vec::<String>::new());
    let back = read(&write(&doc).unwrap(), &ReadOptions::default()).unwrap();
    assert_eq!(back.entries, doc.entries);
}

#[test]
fn every_trigger_type() {
    let doc = read_now(
        "/SJ ApplicationName=x\n\
         /CTJ Type=once StartDate=2026/04/01 StartTime=23:59\n\
         /CTJ Type=DAILY TypeArguments=3 StartDate=03/02/2026 StartTime=NOW EndDate=03/31/2026\n\
         /CTJ Type=MONTHLYDATE TypeArguments=1,15,J..A..J..O.. StartDate=TODAY StartTime=00:00\n\
         /CTJ Type=MONTHLYDOW TypeArguments=LAST,S.....S StartDate=TODAY StartTime=12:00 Disabled=1\n\
         /CTJ Type=ONIDLE\n/CTJ Type=ATLOGON\n/SAJ all.job",
    )
    .unwrap();
    let t = &doc.entries[0].task.triggers;
    assert_eq!(t.len(), 6);
    assert_eq!(t[0].kind, TriggerKind::Once);
    assert_eq!(t[0].start, Some(Start::civil(date(2026, 4, 1).at(23, 59, 0, 0))));
    assert_eq!(t[1].kind, TriggerKind::Daily { every: 3 });
    assert_eq!(t[1].start, Some(Start::civil(now())));
    assert_eq!(t[1].end, Some(End::Date(date(2026, 3, 31))));
    assert_eq!(
        t[2].kind,
        TriggerKind::Monthly {
            every: 1,
            days: MonthDays::EMPTY.with_day(1).with_day(15),
            months: MonthSet::from_mask(0b0010_0100_1001),
        }
    );
    assert_eq!(
        t[3].kind,
        TriggerKind::MonthlyWeekday {
            weeks: WeekSet::EMPTY.with(WeekOfMonth::Last),
            days: WeekdaySet::from_mask(0x41),
            months: MonthSet::ALL,
        }
    );
    assert!(!t[3].enabled);
    assert_eq!(t[4].kind, TriggerKind::OnIdle);
    assert_eq!(t[5].kind, TriggerKind::AtLogon { user: None, delay: Duration::ZERO });
    let back = read(&write(&doc).unwrap(), &ReadOptions::default()).unwrap();
    assert_eq!(back.entries, doc.entries);
    // By hand: the daily trigger from Monday 09:41 every 3 days to 31 March; the monthly
    // one on the 1st and 15th of April, July, October, January.
    let mut daily = doc.entries[0].task.clone();
    daily.triggers = vec![t[1].clone()];
    assert_eq!(runs(&daily, "2026-03-25T00:00:00Z", 5), ["2026-03-26T09:41:00Z", "2026-03-29T09:41:00Z"]);
    let mut monthly = doc.entries[0].task.clone();
    monthly.triggers = vec![t[2].clone()];
    assert_eq!(
        runs(&monthly, "2026-03-02T00:00:00Z", 3),
        ["2026-04-01T00:00:00Z", "2026-04-15T00:00:00Z", "2026-07-01T00:00:00Z"]
    );
}

#[test]
fn job_properties() {
    let doc = read_now(
        "/SNJ app\n/SJ ApplicationName=\"C:\\Program Files\\App\\app.exe\" Parameters=\"-a  \\\"b c\\\"\" \
         Priority=high IdleWait=5 IdleDeadline=30 StartOnlyIfIdle=1 KillOnIdleEnd=1 \
         DeleteWhenDone=1 RunOnlyIfLoggedOn=1 Hidden=1 Disabled=1 DontStartIfOnBatteries=1 MaxRunTime=4294967295\n\
         /SC alice NULL",
    )
    .unwrap();
    let e = &doc.entries[0];
    assert_eq!(e.task.name, "app");
    assert_eq!(e.task.command, "C:\\Program Files\\App\\app.exe");
    assert_eq!(e.task.args, ["-a", "b c"]);
    assert_eq!(e.task.priority, Priority::High);
    assert_eq!(
        e.task.idle,
        Some(IdleSettings {
            start_only_if_idle: true,
            idle_for: Duration::from_mins(5),
            wait_up_to: Duration::from_mins(30),
            stop_on_idle_end: true,
            restart_on_idle_resume: false,
        })
    );
    assert!(e.task.delete_when_done && !e.task.enabled);
    assert_eq!(e.task.max_run_time, None);
    assert_eq!(e.task.run_as.as_deref(), Some("alice"));
    assert_eq!(e.task.power, Some(PowerSettings { no_start_on_batteries: true, stop_on_batteries: false }));
    assert_eq!(
        e.extras.jt,
        Some(JtExtras { parameters: Some("-a  \"b c\"".into()), run_only_if_logged_on: true, hidden: true })
    );
    assert_eq!(doc.warnings, []);
    let written = String::from_utf8(write(&doc).unwrap()).unwrap();
    assert_eq!(
        written,
        "/SNJ app\n/SC alice NULL\n/SJ ApplicationName=\"C:\\Program Files\\App\\app.exe\" Parameters=\"-a  \\\"b c\\\"\" \
         MaxRunTime=4294967295 DontStartIfOnBatteries=1 KillIfGoingOnBatteries=0 RunOnlyIfLoggedOn=1 DeleteWhenDone=1 \
         Priority=HIGH IdleWait=5 IdleDeadline=30 StartOnlyIfIdle=1 KillOnIdleEnd=1 Hidden=1 Disabled=1\n/SAJ app.job\n"
    );
    assert_eq!(read(written.as_bytes(), &ReadOptions::default()).unwrap().entries, doc.entries);
}

#[test]
fn property_line_values() {
    let doc = read(
        b"ApplicationName = \"%COMSPEC%\"\nWorkingDirectory = \"C:\\Program Files\\TryMe\\\"   ;;an MSI directory\nParameters = \"\"C:\\a b\\x.cmd\" /q\"\nComment = plain words ;; and a comment",
        &ReadOptions {
            name: Some("t".into()),
            ..ReadOptions::default()
        },
    )
    .unwrap();
    let t = &doc.entries[0].task;
    assert_eq!(t.working_dir.as_deref(), Some("C:\\Program Files\\TryMe\\"));
    assert_eq!(t.args, ["C:\\a b\\x.cmd", "/q"]);
    assert_eq!(t.comment.as_deref(), Some("plain words"));
}

#[test]
fn active_job_rules() {
    // /SAJ keeps the job loaded: the second save holds both triggers.
    let doc =
        read_now("/SJ ApplicationName=x\n/CTJ Type=ATSTARTUP\n/SAJ a.job\n/CTJ Type=ONIDLE\n/SAJ b.job")
            .unwrap();
    let counts: Vec<_> = doc.entries.iter().map(|e| (e.task.name.as_str(), e.task.triggers.len())).collect();
    assert_eq!(counts, [("a", 1), ("b", 2)]);
    // Changes after the last save are dropped with a warning.
    let doc = read_now("/SJ ApplicationName=x\n/SAJ a.job\n/SJ Comment=late").unwrap();
    assert_eq!(doc.entries.len(), 1);
    assert_eq!(doc.entries[0].task.comment, None);
    assert_eq!(doc.warnings.len(), 1);
    // An unsaved job takes the --name.
    let opts = ReadOptions { name: Some("from-option".into()), ..ReadOptions::default() };
    let doc = read(b"ApplicationName = x", &opts).unwrap();
    assert_eq!(doc.entries[0].task.name, "from-option");
    // /SNJ starts a new job.
    let doc =
        read_now("/SNJ a\n/SJ ApplicationName=x\n/CTJ Type=ONIDLE\n/SNJ b\n/SJ ApplicationName=y").unwrap();
    let got: Vec<_> = doc
        .entries
        .iter()
        .map(|e| (e.task.name.as_str(), e.task.command.as_str(), e.task.triggers.len()))
        .collect();
    assert_eq!(got, [("a", "x", 1), ("b", "y", 0)]);
}

#[test]
fn refusals_are_pinned() {
    let cases: &[(&str, &str)] = &[
        (
            "/SJ ApplicationName=x\n/LJ a.job",
            "`/LJ` loads a .job file, which a text cannot carry; read the file with the `job` format instead",
        ),
        (
            "@cmds.txt",
            "`@cmds.txt` reads JT arguments from a file, which a text cannot do; paste that file's lines here instead",
        ),
        (
            "/SJ ApplicationName=x\n/XYZ",
            "unknown JT command `/XYZ`; expected /SJ, /CTJ, /SC, /SAJ, /SNJ, /SD, /LJ, /PJ or /PTJ",
        ),
        (
            "/SJ ApplicationName=x StartTime=06:00 /SAJ a",
            "unknown job property `StartTime`; it is a trigger property, for /CTJ; expected one of ApplicationName, Parameters, WorkingDirectory, Comment, Creator, MaxRunTime, DontStartIfOnBatteries, KillIfGoingOnBatteries, RunOnlyIfLoggedOn, DeleteWhenDone, SystemRequired, Priority, IdleWait, IdleDeadline, Hidden, Disabled, StartOnlyIfIdle, KillOnIdleEnd",
        ),
        (
            "/SJ ApplicationName=x\n/CTJ Type=WEEKLY TypeArguments=1,MTWTFSS\n/SAJ a",
            "`TypeArguments=1,MTWTFSS`: `MTWTFSS` has `M` at position 1 where `.` or `S` belongs; positions run Sunday to Saturday (`SMTWTFS`)",
        ),
        (
            "/SJ ApplicationName=x\n/CTJ Type=WEEKLY\n/SAJ a",
            "`Type=WEEKLY` needs `TypeArguments = weeks,DOW (as in 1,.M.W.F.)`",
        ),
        (
            "/SJ ApplicationName=x\n/CTJ Type=MONTHLYDATE TypeArguments=32\n/SAJ a",
            "`TypeArguments=32`: `32` is not a day of the month from 1 to 31",
        ),
        (
            "/SJ ApplicationName=x\n/CTJ Type=MONTHLYDOW TypeArguments=6,.M.....\n/SAJ a",
            "`TypeArguments=6,.M.....`: `6` is not a week; expected 1 to 5 (5 = last) or FIRST..LAST",
        ),
        (
            "/SJ ApplicationName=x\n/CTJ Type=HOURLY\n/SAJ a",
            "`Type=HOURLY` is not a trigger type; expected ONCE, DAILY, WEEKLY, MONTHLYDATE, MONTHLYDOW, ONIDLE, ATSTARTUP or ATLOGON",
        ),
        (
            "/SJ ApplicationName=x\n/CTJ Type=DAILY StartDate=03/02/2026 StartTime=06:00 MinutesInterval=60 MinutesDuration=60\n/SAJ a",
            "`MinutesDuration=60` is not longer than `MinutesInterval=60`; a .job trigger repeats within a longer duration",
        ),
        (
            "/SJ ApplicationName=x\n/CTJ Type=ATSTARTUP MinutesInterval=5 MinutesDuration=60\n/SAJ a",
            "`MinutesInterval` is not valid on an event trigger, which has no times to repeat or end",
        ),
        (
            "/SJ ApplicationName=x\n/CTJ Type=DAILY StartDate=31/12/2026 StartTime=06:00\n/SAJ a",
            "`StartDate=31/12/2026` is not a date: month 31 does not exist (reading month/day/year); for day/month/year dates use `--date-order dmy`",
        ),
        (
            "/SJ ApplicationName=x\n/CTJ Type=DAILY StartDate=03/02/2026 StartTime=6pm\n/SAJ a",
            "`StartTime=6pm` is not a time: expected a 24-hour time HH:mm (or HH:mm:ss)",
        ),
        (
            "/SJ ApplicationName=x\n/CTJ Type=DAILY StartDate=03/02/2026 StartTime=06:00 HasEndDate=1\n/SAJ a",
            "`HasEndDate=1` needs `EndDate`",
        ),
        (
            "/SJ ApplicationName=x MaxRunTime=0\n/SAJ a",
            "`MaxRunTime=0` leaves no time to run; expected milliseconds, or 4294967295 for no limit",
        ),
        ("/SJ ApplicationName=x Hidden=yes\n/SAJ a", "`Hidden=yes`: expected 0 or 1"),
        ("/SJ Comment=x\n/SAJ a", "the job has no `ApplicationName`; expected the program to run"),
        (
            "ApplicationName = x",
            "the job is never named; save it with `/SAJ name.job`, name it with `/SNJ name`, or give the name with `--name`",
        ),
        (
            "StartTime = 06:00",
            "`StartTime` is a trigger property, but no trigger has started; a trigger starts with `Type =`",
        ),
        (
            "Colour = blue",
            "unknown property `Colour`; expected a job property (ApplicationName, Parameters, WorkingDirectory, Comment, Creator, MaxRunTime, DontStartIfOnBatteries, KillIfGoingOnBatteries, RunOnlyIfLoggedOn, DeleteWhenDone, SystemRequired, Priority, IdleWait, IdleDeadline, Hidden, Disabled, StartOnlyIfIdle, KillOnIdleEnd) or a trigger property (Type, TypeArguments, StartDate, StartTime, EndDate, HasEndDate, MinutesDuration, MinutesInterval, KillAtDuration, Disabled)",
        ),
        (
            "just words",
            "`just words` is not a property line; expected `Key = Value` or a JT command such as `/SC \"\" NULL`",
        ),
        ("/SAJ", "`/SAJ` needs 1 argument"),
        (
            "",
            "no JT job found; expected `/SJ ApplicationName=...` or property lines such as `ApplicationName = \"...\"`",
        ),
    ];
    for (text, want) in cases {
        let e = read_now(text).unwrap_err();
        assert_eq!(messages(&e), [*want], "{text}");
    }
    // Places: the value of a property line, with its line and column.
    let e = read_now("ApplicationName = x\nType = DAILY\n  StartTime = 25:00\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "error: `StartTime=25:00` is not a time: expected a 24-hour time HH:mm with hours 0-23 and minutes 0-59\n --> <input>:3:15\n  |\n3 |   StartTime = 25:00\n  |               ^^^^^"
    );
}

#[test]
fn writer_losses() {
    let mut task = Task::new("dir/t", "x");
    task.time_zone = Some("Europe/Paris".into());
    task.priority = Priority::AboveNormal;
    let mut t = Trigger::new(TriggerKind::Monthly {
        every: 2,
        days: MonthDays::EMPTY.with_last(),
        months: MonthSet::ALL,
    });
    t.start = Some(Start::civil(date(2026, 1, 1).at(6, 0, 30, 0)));
    t.random_delay = Some(Duration::from_mins(5));
    task.triggers.push(t);
    task.triggers.push(Trigger::new(TriggerKind::AtLogon {
        user: Some("bob".into()),
        delay: Duration::from_secs(30),
    }));
    let entry = Entry::new(task);
    assert_eq!(
        losses(&entry),
        [
            "a folder in the task name (JT saves into the one Tasks folder)",
            "the priority `above-normal` (a .job has normal, idle, high and realtime)",
            "the time zone `Europe/Paris` (.job times are local time)",
            "a monthly trigger every 2 months (a .job has no month interval) (trigger 1)",
            "the last day of the month (a .job cannot say it) (trigger 1)",
            "a start time with seconds (StartTime is HH:MM) (trigger 1)",
            "a random delay (trigger 1)",
            "a logon trigger for the user `bob` (a .job fires for any user) (trigger 2)",
            "the logon delay 30s (trigger 2)",
        ]
    );
    let e = write(&Document::from_tasks([entry.task.clone()])).unwrap_err();
    assert_eq!(
        e.diagnostics()[0].message,
        "task `dir/t`: JT.EXE commands cannot hold a folder in the task name (JT saves into the one Tasks folder)"
    );
}

fn arb_weekdays() -> impl Strategy<Value = WeekdaySet> {
    (1u8..128).prop_map(WeekdaySet::from_mask)
}

fn arb_months() -> impl Strategy<Value = MonthSet> {
    (1u16..4096).prop_map(MonthSet::from_mask)
}

/// Tasks JT can express.
fn arb_task() -> impl Strategy<Value = Task> {
    let kind = prop_oneof![
        Just(TriggerKind::Once),
        (1u32..400).prop_map(|every| TriggerKind::Daily { every }),
        (1u32..60, arb_weekdays()).prop_map(|(every, days)| TriggerKind::Weekly { every, days }),
        (1u32..(1 << 31), arb_months()).prop_map(|(mask, months)| TriggerKind::Monthly {
            every: 1,
            days: MonthDays::from_mask(mask),
            months
        }),
        (1u16..=5, arb_weekdays(), arb_months()).prop_map(|(w, days, months)| {
            TriggerKind::MonthlyWeekday {
                weeks: WeekSet::EMPTY.with(WeekOfMonth::from_windows_number(w).unwrap_or(WeekOfMonth::First)),
                days,
                months,
            }
        }),
        Just(TriggerKind::OnIdle),
        Just(TriggerKind::AtStartup { delay: Duration::ZERO }),
        Just(TriggerKind::AtLogon { user: None, delay: Duration::ZERO }),
    ];
    let trigger = (
        kind,
        (2000i16..2100, 1i8..=12, 1i8..=28, 0i8..24, 0i8..60),
        proptest::option::of(0i64..400),
        proptest::option::of((1u64..200, 1u64..500, any::<bool>())),
        any::<bool>(),
    )
        .prop_map(|(kind, (y, mo, d, h, mi), end, rep, enabled)| {
            let event = kind.is_event();
            let mut t = Trigger::new(kind);
            t.enabled = enabled;
            if !event {
                let start = date(y, mo, d).at(h, mi, 0, 0);
                t.start = Some(Start::civil(start));
                t.end =
                    end.and_then(|n| start.date().checked_add(jiff::Span::new().days(n)).ok()).map(End::Date);
                t.repeat = rep.map(|(every, extra, stop)| Repetition {
                    every: Duration::from_mins(every),
                    duration: Some(Duration::from_mins(every + extra)),
                    stop_at_end: stop,
                });
            }
            t
        });
    (
        "[A-Za-z][A-Za-z0-9 _-]{0,12}[A-Za-z0-9]",
        "[A-Za-z:\\\\ .%]{1,20}",
        proptest::collection::vec("[ -~]{0,8}", 0..4),
        proptest::option::of("[ -~]{1,20}"),
        proptest::option::of(prop_oneof![Just("SYSTEM".to_string()), "[a-z]{1,8}"]),
        proptest::option::of(1u64..4_000_000_000),
        (any::<bool>(), any::<bool>(), any::<bool>(), 0usize..4),
        proptest::collection::vec(trigger, 0..4),
    )
        .prop_filter("no leading or trailing blanks in the program", |(_, c, ..)| c.trim() == c.as_str())
        .prop_map(|(name, command, args, comment, run_as, max, (del, wake, enabled, prio), triggers)| {
            let mut t = Task::new(name.trim(), command);
            t.args = args;
            t.comment = comment;
            t.run_as = run_as;
            t.max_run_time = max.map(Duration::from_millis);
            t.delete_when_done = del;
            t.wake_to_run = wake;
            t.enabled = enabled;
            t.priority = [Priority::Normal, Priority::Idle, Priority::High, Priority::Realtime][prio];
            t.triggers = triggers;
            t
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn round_trip(task in arb_task()) {
        let doc = Document::from_tasks([task.clone()]);
        prop_assert_eq!(losses(&doc.entries[0]), Vec::<String>::new());
        let written = write(&doc).unwrap();
        let back = read(&written, &ReadOptions::default());
        let back = match back {
            Ok(b) => b,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&written)))),
        };
        prop_assert_eq!(&back.entries[0].task, &task);
        // And a document read from JT writes and reads back whole, extras included.
        let again = read(&write(&back).unwrap(), &ReadOptions::default()).unwrap();
        prop_assert_eq!(again.entries, back.entries);
    }

    #[test]
    fn never_panics(s in "[/=\" a-zA-Z0-9,.;:@\n]{0,80}") {
        let _ = read_at(s.as_bytes(), &ReadOptions::default(), Some(now()));
        let _ = read(s.as_bytes(), &ReadOptions::default());
    }

    #[test]
    fn never_panics_on_bytes(b in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = read_at(&b, &ReadOptions::default(), Some(now()));
    }
}

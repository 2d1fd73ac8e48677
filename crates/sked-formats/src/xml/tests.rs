//! Unit, golden and property tests of the Task Scheduler 2.0 XML reader and writer.

use super::*;
use crate::{Action, Severity};
use jiff::civil::{DateTime, date};
use jiff::tz::Offset;
use proptest::prelude::*;
use sked_core::{
    End, IdleSettings, MonthDays, MonthSet, MultipleInstances, PowerSettings, Priority, Repetition, Start,
    Task, Trigger, TriggerKind, WeekOfMonth, WeekSet, Weekday, WeekdaySet,
};

const EVERY_TRIGGER: &[u8] = include_bytes!("../../testdata/xml/every-trigger.xml");
const WITH_OFFSETS: &[u8] = include_bytes!("../../testdata/xml/with-offsets.xml");
const MINIMAL: &[u8] = include_bytes!("../../testdata/xml/minimal.xml");

fn opts() -> ReadOptions {
    ReadOptions::default()
}

fn read_one(input: &[u8]) -> (Task, XmlExtras, Vec<Diagnostic>) {
    let doc = read(input, &opts()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.entries.len(), 1);
    let e = doc.entries.into_iter().next().unwrap();
    assert_eq!(e.action, Action::Replace);
    (e.task, e.extras.xml.unwrap_or_default(), doc.warnings)
}

fn at(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> DateTime {
    date(y, mo, d).at(h, mi, 0, 0)
}

fn days(list: &[Weekday]) -> WeekdaySet {
    list.iter().copied().collect()
}

fn err(input: &str) -> String {
    read(input.as_bytes(), &opts()).unwrap_err().to_string()
}

/// Reading, writing and reading again gives the same entries.
fn assert_rewrites_to_same(input: &[u8]) -> Vec<u8> {
    let first = read(input, &opts()).unwrap();
    let written = write(&first).unwrap();
    let second = read(&written, &opts()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(second.entries, first.entries);
    assert_eq!(write(&second).unwrap(), written, "writing is stable");
    written
}

#[test]
fn golden_every_trigger_utf16() {
    let (task, x, warnings) = read_one(EVERY_TRIGGER);
    assert_eq!(task.name, "Contoso/Inventory Upload");
    assert_eq!(task.author.as_deref(), Some(r"CONTOSO\jdoe"));
    assert_eq!(task.comment.as_deref(), Some(r"Collects the inventory & uploads it to \\fs01\inventory."));
    assert_eq!(task.command, r"C:\Program Files\Contoso\inventory.exe");
    assert_eq!(task.args, ["/upload", r"\\fs01\inventory", "/quiet"]);
    assert_eq!(task.working_dir.as_deref(), Some(r"C:\ProgramData\Contoso"));
    assert_eq!(task.run_as.as_deref(), Some("S-1-5-21-3623811015-3361044348-30300820-1013"));
    assert!(task.enabled);
    assert_eq!(task.multiple_instances, MultipleInstances::Queue);
    assert_eq!(task.power, Some(PowerSettings { no_start_on_batteries: false, stop_on_batteries: true }));
    assert!(task.start_when_available && task.wake_to_run && !task.delete_when_done);
    assert_eq!(task.max_run_time, Some(Duration::from_hours(2)));
    assert_eq!(task.priority, Priority::Normal);
    assert_eq!(
        task.idle,
        Some(IdleSettings {
            start_only_if_idle: false,
            idle_for: Duration::from_mins(5),
            wait_up_to: Duration::from_mins(30),
            stop_on_idle_end: true,
            restart_on_idle_resume: false,
        })
    );
    let t = &task.triggers;
    assert_eq!(t.len(), 8);
    assert_eq!(t[0].kind, TriggerKind::Once);
    assert_eq!(t[0].start, Some(Start::civil(at(2024, 3, 5, 8, 0))));
    assert_eq!(t[0].random_delay, Some(Duration::from_mins(15)));
    assert_eq!(t[1].kind, TriggerKind::Daily { every: 2 });
    assert_eq!(
        t[1].repeat,
        Some(Repetition {
            every: Duration::from_hours(1),
            duration: Some(Duration::from_hours(12)),
            stop_at_end: true
        })
    );
    assert_eq!(t[1].end, Some(End::At { datetime: at(2025, 3, 4, 6, 0), offset: None }));
    assert_eq!(
        t[2].kind,
        TriggerKind::Weekly { every: 2, days: days(&[Weekday::Monday, Weekday::Wednesday, Weekday::Friday]) }
    );
    assert!(!t[2].enabled);
    assert_eq!(
        t[2].repeat,
        Some(Repetition { every: Duration::from_mins(15), duration: None, stop_at_end: false }),
        "no Duration repeats indefinitely"
    );
    assert_eq!(
        t[3].kind,
        TriggerKind::Monthly {
            every: 1,
            days: MonthDays::EMPTY.with_day(1).with_day(15).with_last(),
            months: MonthSet::EMPTY.with(1).with(4).with(7).with(10),
        }
    );
    assert_eq!(
        t[4].kind,
        TriggerKind::MonthlyWeekday {
            weeks: [WeekOfMonth::First, WeekOfMonth::Third, WeekOfMonth::Last].into_iter().collect(),
            days: days(&[Weekday::Tuesday]),
            months: MonthSet::ALL,
        }
    );
    assert_eq!(t[5].kind, TriggerKind::AtStartup { delay: Duration::from_mins(5) });
    assert_eq!(
        t[6].kind,
        TriggerKind::AtLogon { user: Some(r"CONTOSO\jdoe".into()), delay: Duration::from_secs(30) }
    );
    assert_eq!(t[7].kind, TriggerKind::OnIdle);

    assert!(x.utf16);
    assert_eq!(x.version.as_deref(), Some("1.4"));
    assert_eq!(x.registration.date.as_deref(), Some("2024-03-04T09:12:45.1234567"));
    assert_eq!(x.registration.uri, None, "the URI follows from the name");
    assert_eq!(x.principal.logon_type.as_deref(), Some("Password"));
    assert_eq!(x.principal.run_level.as_deref(), Some("HighestAvailable"));
    assert_eq!(x.settings.priority, Some(6));
    assert_eq!(x.settings.hidden, Some(false));
    assert_eq!(x.settings.run_only_if_network_available, Some(true));
    assert_eq!(
        x.settings.restart_on_failure,
        Some(RestartOnFailure { interval: Duration::from_mins(5), count: 3 })
    );
    assert_eq!(x.settings.other.len(), 2);
    assert!(x.exec.command_quoted);
    assert_eq!(x.exec.arguments.as_deref(), Some(r#"/upload "\\fs01\inventory" /quiet"#));
    assert_eq!(x.triggers.len(), 8);
    assert_eq!(x.triggers[0].id.as_deref(), Some("once"));
    assert_eq!(x.triggers[1].execution_time_limit, Some(Duration::from_mins(30)));
    let kept: Vec<_> = x.other_triggers.iter().map(|k| k.index).collect();
    assert_eq!(kept, [8, 9, 10]);
    assert!(x.other_triggers[0].xml.starts_with("<EventTrigger>"));
    assert!(x.other_triggers[0].xml.contains("&lt;QueryList&gt;"));
    assert_eq!(x.other_actions.len(), 1);
    assert_eq!(x.other_actions[0].index, 1);
    assert!(x.other_actions[0].xml.contains("<![CDATA[NGC]]>"));

    let messages: Vec<_> = warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`<EventTrigger>` is kept but never fires: sked cannot fire event, registration or session-state triggers",
            "`<RegistrationTrigger>` is kept but never fires: sked cannot fire event, registration or session-state triggers",
            "`<SessionStateChangeTrigger>` is kept but never fires: sked cannot fire event, registration or session-state triggers",
            "the `<ComHandler>` action is kept but not run: sked runs only `<Exec>` actions",
        ]
    );
    assert!(warnings.iter().all(|w| w.severity == Severity::Warning));
    let Location::Text { line, .. } = &warnings[0].location else { panic!("{:?}", warnings[0].location) };
    assert_eq!(*line, 102);
}

#[test]
fn every_trigger_writes_back_utf16_and_same() {
    let written = assert_rewrites_to_same(EVERY_TRIGGER);
    assert_eq!(&written[..2], &[0xFF, 0xFE], "UTF-16LE with a BOM, like the input");
    let text = String::from_utf16(
        &written[2..].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Task version=\"1.4\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\r\n  <RegistrationInfo>"));
    // Kept elements come back in their places.
    let event = text.find("<EventTrigger>").unwrap();
    let idle = text.find("<IdleTrigger>").unwrap();
    let session = text.find("<SessionStateChangeTrigger>").unwrap();
    assert!(idle < event && event < session);
    let exec = text.find("<Exec>").unwrap();
    let com = text.find("<ComHandler>").unwrap();
    assert!(exec < com);
    assert!(text.contains("<Command>\"C:\\Program Files\\Contoso\\inventory.exe\"</Command>"));
    assert!(text.contains("<Arguments>/upload \"\\\\fs01\\inventory\" /quiet</Arguments>"));
    assert!(text.contains("<Priority>6</Priority>"));
}

#[test]
fn golden_offsets_pin_triggers() {
    let (task, x, warnings) = read_one(WITH_OFFSETS);
    assert_eq!(task.name, "Backup Nightly");
    assert_eq!(task.run_as.as_deref(), Some(r"NT AUTHORITY\SYSTEM"));
    assert_eq!(task.args, ["C:\\Data", "D:\\Backup", "/MIR", "/R:2"]);
    let plus1 = Offset::from_hours(1).unwrap();
    assert_eq!(task.triggers[0].start, Some(Start::pinned(at(2026, 3, 1, 2, 30), plus1)));
    assert_eq!(
        task.triggers[0].end,
        Some(End::At { datetime: date(2026, 12, 31).at(23, 59, 59, 0), offset: Some(plus1) })
    );
    assert_eq!(
        task.triggers[1].start,
        Some(Start::pinned(date(2026, 6, 1).at(6, 0, 0, 517_000_000), Offset::UTC)),
        "milliseconds are kept"
    );
    assert_eq!(
        task.triggers[2].start,
        Some(Start::pinned(at(2026, 1, 5, 9, 0), Offset::from_hours(-5).unwrap()))
    );
    // Windows' defaults: power conditions on, priority 7 = below normal, 72 h limit.
    assert_eq!(task.power, Some(PowerSettings { no_start_on_batteries: true, stop_on_batteries: true }));
    assert_eq!(task.priority, Priority::BelowNormal);
    assert_eq!(task.max_run_time, Some(Duration::from_hours(72)));
    assert_eq!(task.idle, None, "no idle condition: IdleSettings kept as is");
    assert!(x.settings.idle_settings.is_some());
    assert_eq!(x.settings.priority, None);
    assert!(!x.utf16);
    assert!(warnings.is_empty(), "{warnings:?}");
    let written = String::from_utf8(assert_rewrites_to_same(WITH_OFFSETS)).unwrap();
    assert!(written.contains("<StartBoundary>2026-03-01T02:30:00+01:00</StartBoundary>"));
    assert!(written.contains("<StartBoundary>2026-06-01T06:00:00.517Z</StartBoundary>"));
    assert!(written.contains("<StartBoundary>2026-01-05T09:00:00-05:00</StartBoundary>"));
}

#[test]
fn golden_minimal_gets_windows_defaults() {
    let (task, x, warnings) = read_one(MINIMAL);
    let mut expected = Task::new("untitled", r"C:\Tools\cleanup.cmd");
    expected.power = Some(PowerSettings { no_start_on_batteries: true, stop_on_batteries: true });
    expected.priority = Priority::BelowNormal;
    assert_eq!(task, expected);
    assert!(warnings.is_empty());
    assert!(x.registration.no_uri && x.principal.absent && x.no_actions_context);
    let named =
        read(MINIMAL, &ReadOptions { name: Some("cleanup".into()), ..ReadOptions::default() }).unwrap();
    assert_eq!(named.entries[0].task.name, "cleanup");
    let written = String::from_utf8(assert_rewrites_to_same(MINIMAL)).unwrap();
    assert!(!written.contains("<URI>") && !written.contains("<Principals>"));
}

#[test]
fn a_new_task_is_written_for_schtasks() {
    let mut task = Task::new("reports/weekly", "C:\\Tools\\report.exe");
    task.args = vec!["--out".into(), "C:\\Reports\\Q 1".into()];
    task.triggers.push(
        Trigger::new(TriggerKind::Weekly { every: 1, days: days(&[Weekday::Monday]) })
            .starting(Start::civil(at(2026, 1, 5, 6, 0))),
    );
    let doc = Document::from_tasks([task]);
    let written = String::from_utf8(write(&doc).unwrap()).unwrap();
    assert_eq!(
        written,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r
<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\r
  <RegistrationInfo>\r
    <URI>\\reports\\weekly</URI>\r
  </RegistrationInfo>\r
  <Triggers>\r
    <CalendarTrigger>\r
      <StartBoundary>2026-01-05T06:00:00</StartBoundary>\r
      <Enabled>true</Enabled>\r
      <ScheduleByWeek>\r
        <DaysOfWeek>\r
          <Monday />\r
        </DaysOfWeek>\r
        <WeeksInterval>1</WeeksInterval>\r
      </ScheduleByWeek>\r
    </CalendarTrigger>\r
  </Triggers>\r
  <Principals>\r
    <Principal id=\"Author\" />\r
  </Principals>\r
  <Settings>\r
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\r
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\r
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\r
    <StartWhenAvailable>false</StartWhenAvailable>\r
    <Enabled>true</Enabled>\r
    <RunOnlyIfIdle>false</RunOnlyIfIdle>\r
    <WakeToRun>false</WakeToRun>\r
    <ExecutionTimeLimit>P3D</ExecutionTimeLimit>\r
    <Priority>4</Priority>\r
  </Settings>\r
  <Actions Context=\"Author\">\r
    <Exec>\r
      <Command>C:\\Tools\\report.exe</Command>\r
      <Arguments>--out \"C:\\Reports\\Q 1\"</Arguments>\r
    </Exec>\r
  </Actions>\r
</Task>\r
"
    );
    let back = read(written.as_bytes(), &opts()).unwrap();
    assert_eq!(back.entries, doc.entries, "no extras for a task sked wrote");
}

#[test]
fn utf16_be_and_utf8_bom_are_read() {
    let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><Task><Actions><Exec><Command>é.exe</Command></Exec></Actions></Task>";
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        be.extend_from_slice(&u.to_be_bytes());
    }
    let (task, x, _) = read_one(&be);
    assert_eq!(task.command, "é.exe");
    assert!(x.utf16);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.replace("UTF-16", "UTF-8").as_bytes());
    let (task, x, _) = read_one(&bom);
    assert_eq!(task.command, "é.exe");
    assert!(!x.utf16);
}

#[test]
fn names_come_from_the_uri() {
    let doc = |uri: &str| {
        format!(
            "<Task><RegistrationInfo><URI>{uri}</URI></RegistrationInfo><Actions><Exec><Command>x</Command></Exec></Actions></Task>"
        )
    };
    let (t, x, _) = read_one(doc(r"\Microsoft\Windows\Defrag\ScheduledDefrag").as_bytes());
    assert_eq!(t.name, "Microsoft/Windows/Defrag/ScheduledDefrag");
    assert_eq!(x.registration.uri, None);
    let (t, x, _) = read_one(doc("NoSlash").as_bytes());
    assert_eq!(t.name, "NoSlash");
    assert_eq!(x.registration.uri.as_deref(), Some("NoSlash"));
    let (t, _, _) = read_one(doc(r"\").as_bytes());
    assert_eq!(t.name, "untitled");
}

#[test]
fn settings_map_to_the_model() {
    let doc = |settings: &str| {
        format!(
            "<Task><Settings>{settings}</Settings><Actions><Exec><Command>x</Command></Exec></Actions></Task>"
        )
    };
    let (t, x, _) = read_one(doc("<ExecutionTimeLimit>PT0S</ExecutionTimeLimit><DeleteExpiredTaskAfter>P30D</DeleteExpiredTaskAfter><Priority>10</Priority><MultipleInstancesPolicy>StopExisting</MultipleInstancesPolicy><DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries><StopIfGoingOnBatteries>false</StopIfGoingOnBatteries><RunOnlyIfIdle>true</RunOnlyIfIdle><Enabled>false</Enabled>").as_bytes());
    assert_eq!(t.max_run_time, None);
    assert!(t.delete_when_done && !t.enabled);
    assert_eq!(x.settings.delete_expired_after, Some(Duration::from_hours(720)));
    assert_eq!(t.priority, Priority::Idle);
    assert_eq!(x.settings.priority, Some(10));
    assert_eq!(t.multiple_instances, MultipleInstances::StopExisting);
    assert_eq!(t.power, None);
    assert_eq!(
        t.idle,
        Some(IdleSettings { start_only_if_idle: true, stop_on_idle_end: true, ..IdleSettings::default() })
    );
    let (t, x, _) =
        read_one(doc("<DeleteExpiredTaskAfter>PT0S</DeleteExpiredTaskAfter><ExecutionTimeLimit>PT7D</ExecutionTimeLimit>").as_bytes());
    assert!(t.delete_when_done);
    assert_eq!(x.settings.delete_expired_after, None);
    assert_eq!(t.max_run_time, Some(Duration::from_hours(168)), "PT7D");
}

#[test]
fn unknown_elements_are_kept_with_a_warning() {
    let input = "<Task><Fancy a=\"1\"/><Settings><Turbo>true</Turbo></Settings><Actions><Exec><Command>x</Command><Shell>bash</Shell></Exec></Actions></Task>";
    let doc = read(input.as_bytes(), &opts()).unwrap();
    let msgs: Vec<_> = doc.warnings.iter().map(|w| w.message.clone()).collect();
    assert_eq!(
        msgs,
        [
            "unknown element `<Fancy>` in `<Task>` kept as it is; sked does not use it",
            "unknown element `<Turbo>` in `<Settings>` kept as it is; sked does not use it",
            "unknown element `<Shell>` in `<Exec>` kept as it is; sked does not use it",
        ]
    );
    let x = doc.entries[0].extras.xml.as_ref().unwrap();
    assert_eq!(x.other, ["<Fancy a=\"1\"/>"]);
    assert_eq!(x.settings.other, ["<Turbo>true</Turbo>"]);
    assert_eq!(x.exec.other, ["<Shell>bash</Shell>"]);
    assert_rewrites_to_same(input.as_bytes());
}

#[test]
fn a_com_only_task_has_no_command() {
    let input =
        "<Task><Actions Context=\"Author\"><ComHandler><ClassId>{X}</ClassId></ComHandler></Actions></Task>";
    let doc = read(input.as_bytes(), &opts()).unwrap();
    assert_eq!(doc.entries[0].task.command, "");
    assert_eq!(doc.warnings[1].message, "no `<Exec>` action: sked has no program to run for this task");
    let written = String::from_utf8(assert_rewrites_to_same(input.as_bytes())).unwrap();
    assert!(!written.contains("<Exec>"));
}

#[test]
fn error_messages_are_pinned() {
    assert_eq!(
        err("<Task>\n  <Settings>\n    <Enabled>yes</Enabled>\n  </Settings>\n</Task>"),
        "error: expected `true` or `false` in `<Enabled>`, but found `yes`\n --> <input>:3:14\n  |\n3 |     <Enabled>yes</Enabled>\n  |              ^^^"
    );
    assert_eq!(
        err(
            "<Task>\n<Triggers>\n<CalendarTrigger><StartBoundary>2026-01-01T00:00:00</StartBoundary>\n<ScheduleByWeek><DaysOfWeek><Funday/></DaysOfWeek></ScheduleByWeek>\n</CalendarTrigger></Triggers></Task>"
        ),
        "error: unexpected element `<Funday>` in `<DaysOfWeek>`; expected one of `<Sunday />` .. `<Saturday />`\n --> <input>:4:29\n  |\n4 | <ScheduleByWeek><DaysOfWeek><Funday/></DaysOfWeek></ScheduleByWeek>\n  |                             ^^^^^^^^^"
    );
    assert_eq!(
        err("<Job/>"),
        "error: expected a `<Task>` root element, but found `<Job>`\n --> <input>:1:1\n  |\n1 | <Job/>\n  | ^^^^^^"
    );
    assert_eq!(
        err("<Task xmlns=\"urn:other\"/>"),
        "error: expected the namespace `http://schemas.microsoft.com/windows/2004/02/mit/task` or none, but found `urn:other`\n --> <input>:1:7\n  |\n1 | <Task xmlns=\"urn:other\"/>\n  |       ^^^^^"
    );
    assert_eq!(
        err(
            "<Task><Triggers><TimeTrigger><StartBoundary>soon</StartBoundary></TimeTrigger></Triggers></Task>"
        ),
        "error: expected a date and time such as `2026-01-07T06:00:00` in `<StartBoundary>`, but found `soon`\n --> <input>:1:45\n  |\n1 | <Task><Triggers><TimeTrigger><StartBoundary>soon</StartBoundary></TimeTrigger></Triggers></Task>\n  |                                             ^^^^"
    );
    let e =
        err("<Task><Triggers><TimeTrigger><Enabled>true</Enabled></TimeTrigger></Triggers><Actions/></Task>");
    assert!(e.starts_with("error: a `<TimeTrigger>` needs `<StartBoundary>`, the date and time it first fires\n --> <input>:1:17"), "{e}");
    let e = err("<Task><Settings><Priority>11</Priority></Settings></Task>");
    assert!(
        e.starts_with("error: expected a whole number from 0 to 10 in `<Priority>`, but found `11`"),
        "{e}"
    );
    let e = err("<Task><Settings></Settings></Task>");
    assert!(e.starts_with("error: a `<Task>` needs `<Actions>`"), "{e}");
    let e = err(
        "<Task><Triggers><CalendarTrigger><StartBoundary>2026-01-01T00:00:00</StartBoundary><Repetition><Duration>PT1H</Duration></Repetition><ScheduleByDay/></CalendarTrigger></Triggers></Task>",
    );
    assert!(e.starts_with("error: a `<Repetition>` needs `<Interval>`"), "{e}");
    let e = err("<Task><Settings><ExecutionTimeLimit>72h</ExecutionTimeLimit></Settings></Task>");
    assert!(e.starts_with("error: expected an ISO 8601 duration such as `PT10M` or `P1D` in `<ExecutionTimeLimit>`, but found `72h`"), "{e}");
    let e = read(&[0x3C, 0xFF, 0x3E], &opts()).unwrap_err().to_string();
    assert_eq!(
        e,
        "error: byte 0xFF is not UTF-8; expected UTF-8, or UTF-16 with a byte-order mark\n  --> <input>: byte 1 (0x1), field `text`"
    );
    let e = err("<Task><Actions></Task>");
    assert!(e.starts_with("error: the XML is not well-formed:"), "{e}");
}

#[test]
fn several_tasks_do_not_fit_one_document() {
    let doc = Document::from_tasks([Task::new("a", "x"), Task::new("b", "y")]);
    assert_eq!(
        write(&doc).unwrap_err().to_string(),
        "error: a Task Scheduler XML document holds exactly one task, but 2 were given; write each task to its own file"
    );
}

#[test]
fn losses_are_listed() {
    let mut task = Task::new("t", "x");
    task.time_zone = Some("Europe/Paris".into());
    task.environment.insert("LANG".into(), "C".into());
    task.triggers.push(Trigger::new(TriggerKind::Cron("0 6 * * 1".parse().unwrap())));
    task.triggers.push(
        Trigger::new(TriggerKind::Monthly {
            every: 5,
            days: MonthDays::EMPTY.with_day(1),
            months: MonthSet::ALL,
        })
        .starting(Start::civil(at(2026, 1, 1, 0, 0))),
    );
    task.comment = Some("bell \u{7}".into());
    let l = losses(&Entry::new(task.clone()));
    assert_eq!(l.len(), 5, "{l:#?}");
    assert!(l[0].starts_with("time zone `Europe/Paris`"));
    assert!(l[2].starts_with("trigger 1 (`cron`)"));
    assert!(l[4].contains("U+0007"));
    assert!(write(&Document::from_tasks([task])).is_err());
    assert!(losses(&Entry::new(Task::new("t", "x"))).is_empty());
    let mut expiring = Task::new("t", "x");
    expiring.delete_when_done = true;
    assert!(losses(&Entry::new(expiring))[0].contains("`EndBoundary`"));
}

#[test]
fn every_few_months_folds_into_months() {
    let mut task = Task::new("t", "x");
    task.triggers.push(
        Trigger::new(TriggerKind::Monthly {
            every: 3,
            days: MonthDays::EMPTY.with_day(1),
            months: MonthSet::ALL,
        })
        .starting(Start::civil(at(2026, 2, 1, 0, 0))),
    );
    let back = read(&write(&Document::from_tasks([task])).unwrap(), &opts()).unwrap();
    let TriggerKind::Monthly { every, months, .. } = back.entries[0].task.triggers[0].kind else { panic!() };
    assert_eq!(every, 1);
    assert_eq!(months.iter().collect::<Vec<_>>(), [2, 5, 8, 11]);
}

#[test]
fn gpp_variables_in_boundaries_are_kept() {
    let input = "<Task version=\"1.3\"><Triggers><TimeTrigger><StartBoundary>%LocalTimeXmlEx%</StartBoundary><EndBoundary>%LocalTimeXmlEx%</EndBoundary><Enabled>true</Enabled></TimeTrigger></Triggers><Actions><Exec><Command>x</Command></Exec></Actions></Task>";
    let (t, x, _) = read_one(input.as_bytes());
    assert_eq!(t.triggers[0].start, None);
    assert_eq!(x.triggers[0].start_text.as_deref(), Some("%LocalTimeXmlEx%"));
    assert_eq!(x.triggers[0].end_text.as_deref(), Some("%LocalTimeXmlEx%"));
    assert_rewrites_to_same(input.as_bytes());
}

// ---- properties -------------------------------------------------------------------------

fn duration_mins(max: u64) -> impl Strategy<Value = Duration> {
    (1..=max).prop_map(Duration::from_mins)
}

fn datetime() -> impl Strategy<Value = DateTime> {
    (1601i16..=9999, 1i8..=12, 1i8..=28, 0i8..24, 0i8..60, 0i8..60)
        .prop_map(|(y, mo, d, h, mi, s)| date(y, mo, d).at(h, mi, s, 0))
}

fn offset() -> impl Strategy<Value = Option<Offset>> {
    prop_oneof![Just(None), (-14 * 4i32..=14 * 4).prop_map(|q| Some(Offset::from_seconds(q * 900).unwrap())),]
}

fn weekdays() -> impl Strategy<Value = WeekdaySet> {
    (1u8..128).prop_map(WeekdaySet::from_mask)
}

fn months() -> impl Strategy<Value = MonthSet> {
    (1u16..4096).prop_map(MonthSet::from_mask)
}

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-zA-Z0-9 &<>\"'\\\\é\u{1F600}\r\n\t%.-]{{1,{max}}}")).unwrap()
}

fn kind() -> impl Strategy<Value = TriggerKind> {
    prop_oneof![
        Just(TriggerKind::Once),
        (1u32..400).prop_map(|every| TriggerKind::Daily { every }),
        (1u32..60, weekdays()).prop_map(|(every, days)| TriggerKind::Weekly { every, days }),
        (1u32..u32::MAX, months()).prop_map(|(m, months)| TriggerKind::Monthly {
            every: 1,
            days: MonthDays::from_mask(m),
            months
        }),
        (1u8..32, weekdays(), months()).prop_map(|(w, days, months)| {
            let weeks = WeekOfMonth::ALL
                .into_iter()
                .enumerate()
                .filter(|(i, _)| w & (1 << i) != 0)
                .map(|(_, w)| w)
                .collect::<WeekSet>();
            TriggerKind::MonthlyWeekday { weeks, days, months }
        }),
        (0u64..100).prop_map(|s| TriggerKind::AtStartup { delay: Duration::from_secs(s) }),
        (proptest::option::of("[A-Z]{1,5}\\\\[a-z]{1,8}"), 0u64..100)
            .prop_map(|(user, s)| { TriggerKind::AtLogon { user, delay: Duration::from_secs(s) } }),
        Just(TriggerKind::OnIdle),
    ]
}

fn trigger() -> impl Strategy<Value = Trigger> {
    (
        kind(),
        (datetime(), offset()),
        proptest::option::of((datetime(), offset())),
        proptest::option::of((duration_mins(1000), proptest::option::of(duration_mins(5000)), any::<bool>())),
        proptest::option::of(duration_mins(600)),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(kind, start, end, repeat, delay, enabled, event_start)| {
            let event = kind.is_event();
            let mut t = Trigger::new(kind);
            if !event || event_start {
                t.start = Some(Start { datetime: start.0, offset: start.1 });
            }
            if !event {
                t.end = end.map(|(datetime, offset)| End::At { datetime, offset });
                t.repeat =
                    repeat.map(|(every, duration, stop_at_end)| Repetition { every, duration, stop_at_end });
                t.random_delay = delay;
            }
            t.enabled = enabled;
            t
        })
}

/// Tasks Task Scheduler 2.0 XML can express, in the form the reader gives them.
pub(crate) fn xml_task() -> impl Strategy<Value = Task> {
    (
        (
            "[A-Za-z][A-Za-z0-9 _.-]{0,10}(/[A-Za-z][A-Za-z0-9_-]{0,8}){0,2}",
            "[A-Za-z0-9:\\\\._ -]{1,20}",
            proptest::collection::vec("[ a-z\\\\\"%]{0,6}", 0..4),
            proptest::option::of("[A-Za-z:\\\\ ]{1,12}"),
            proptest::option::of(text(40)),
            proptest::option::of(text(12)),
            proptest::option::of("[A-Z]{1,6}\\\\[a-z]{1,8}|S-1-5-18"),
        ),
        (
            any::<bool>(),
            proptest::option::of(duration_mins(10_000)),
            proptest::sample::select(MultipleInstances::ALL.to_vec()),
            any::<bool>(),
            any::<bool>(),
            proptest::sample::select(Priority::ALL.to_vec()),
            any::<bool>(),
        ),
        proptest::option::of((
            any::<bool>(),
            duration_mins(100),
            duration_mins(100),
            any::<bool>(),
            any::<bool>(),
        )),
        proptest::option::of((any::<bool>(), any::<bool>())),
        proptest::collection::vec(trigger(), 0..5),
    )
        .prop_map(
            |(
                (name, command, args, working_dir, comment, author, run_as),
                (enabled, max_run_time, multiple, swa, dwd, priority, wake),
                idle,
                power,
                triggers,
            )| {
                let mut t = Task::new(name, command);
                t.args = args;
                t.working_dir = working_dir;
                t.comment = comment;
                t.author = author;
                t.run_as = run_as;
                t.enabled = enabled;
                t.max_run_time = max_run_time;
                t.multiple_instances = multiple;
                t.start_when_available = swa;
                t.delete_when_done = dwd;
                t.priority = priority;
                t.wake_to_run = wake;
                let has_idle_trigger = triggers.iter().any(|t| t.kind == TriggerKind::OnIdle);
                t.idle = idle.and_then(|(start, idle_for, wait_up_to, stop, restart)| {
                    (start || has_idle_trigger).then_some(IdleSettings {
                        start_only_if_idle: start,
                        idle_for,
                        wait_up_to,
                        stop_on_idle_end: stop,
                        restart_on_idle_resume: restart,
                    })
                });
                if has_idle_trigger && t.idle.is_none() {
                    t.idle = Some(IdleSettings { stop_on_idle_end: true, ..IdleSettings::default() });
                }
                t.power = power
                    .filter(|(a, b)| *a || *b)
                    .map(|(a, b)| PowerSettings { no_start_on_batteries: a, stop_on_batteries: b });
                t.triggers = triggers;
                t
            },
        )
}

/// Random damage to a valid input: flipped, dropped and doubled bytes.
pub(crate) fn mutate(input: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut out = input.to_vec();
    for &(at, op, byte) in edits {
        if out.is_empty() {
            break;
        }
        let i = at % out.len();
        match op % 3 {
            0 => out[i] = byte,
            1 => {
                out.remove(i);
            }
            _ => out.insert(i, out[i]),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn write_then_read_gives_the_task_back(task in xml_task(), utf16 in any::<bool>()) {
        let mut doc = Document::from_tasks([task]);
        if utf16 {
            doc.entries[0].extras.xml = Some(XmlExtras { utf16: true, ..XmlExtras::default() });
        }
        let bytes = write(&doc).unwrap();
        let back = read(&bytes, &opts()).unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&bytes)));
        prop_assert_eq!(&back.entries, &doc.entries);
        prop_assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    }

    #[test]
    fn read_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = read(&bytes, &opts());
    }

    #[test]
    fn read_never_panics_on_text(s in "(<[A-Za-z]{1,12}( [a-z]{1,3}=\"[^\"]{0,5}\")?/?>|</[A-Za-z]{1,12}>|[^<]{0,8}|&[a-z#0-9]{0,5};?){0,40}") {
        let _ = read(s.as_bytes(), &opts());
        let _ = read(format!("<Task>{s}</Task>").as_bytes(), &opts());
    }

    #[test]
    fn read_never_panics_on_mutated_fixtures(
        which in 0usize..3,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6),
    ) {
        let fixture = [EVERY_TRIGGER, WITH_OFFSETS, MINIMAL][which];
        let damaged = mutate(fixture, &edits);
        if let Ok(doc) = read(&damaged, &opts()) {
            // Whatever reads also writes, and reads back the same.
            if let Ok(bytes) = write(&doc) {
                let again = read(&bytes, &opts()).unwrap_or_else(|e| panic!("{e}"));
                prop_assert_eq!(again.entries, doc.entries);
            }
        }
    }
}

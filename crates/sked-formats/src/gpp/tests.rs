//! Unit, golden and property tests of the GPP reader and writer.

use super::*;
use crate::xml::XmlExtras;
use crate::xml::tests::{mutate, xml_task};
use crate::{Action, Diagnostic, Document, Location};
use jiff::civil::{DateTime, date};
use proptest::prelude::*;
use sked_core::{
    Duration, End, IdleSettings, MonthDays, MonthSet, PowerSettings, Priority, Repetition, Start, Task,
    Trigger, TriggerKind, WeekOfMonth, WeekSet, Weekday, WeekdaySet,
};

const GPPREF: &[u8] = include_bytes!("../../testdata/gpp/gppref-example.xml");
const SAMADCON: &[u8] = include_bytes!("../../testdata/gpp/samadcon-gpmc.xml");
const METASPLOIT: &[u8] = include_bytes!("../../testdata/gpp/metasploit-2013.xml");

fn opts() -> ReadOptions {
    ReadOptions::default()
}

fn at(y: i16, mo: i8, d: i8, h: i8, mi: i8, s: i8) -> DateTime {
    date(y, mo, d).at(h, mi, s, 0)
}

fn gpp(e: &Entry) -> GppExtras {
    e.extras.gpp.clone().unwrap_or_default()
}

fn xml(e: &Entry) -> XmlExtras {
    e.extras.xml.clone().unwrap_or_default()
}

fn messages(w: &[Diagnostic]) -> Vec<&str> {
    w.iter().map(|d| d.message.as_str()).collect()
}

/// Reading, writing and reading again gives the same entries, and writing is stable.
fn assert_rewrites_to_same(input: &[u8]) -> String {
    let first = read(input, &opts()).unwrap_or_else(|e| panic!("{e}"));
    let written = write(&first).unwrap();
    let second = read(&written, &opts()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(second.entries, first.entries);
    assert_eq!(write(&second).unwrap(), written, "writing is stable");
    String::from_utf8(written).unwrap()
}

fn daily(every: u32, start: DateTime) -> Trigger {
    Trigger::new(TriggerKind::Daily { every }).starting(Start::civil(start))
}

#[test]
fn golden_gppref_example() {
    let doc = read(GPPREF, &opts()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.entries.len(), 4);
    let [cleanup, ping, demo, imd] = &doc.entries[..] else { unreachable!() };

    // Task "Cleanup": DAILY 10:00 from 2007-07-06, the cpassword dropped.
    let mut expected = Task::new("Cleanup", r"\\scratch\filecleanup.exe");
    expected.args = vec!["-all".into()];
    expected.working_dir = Some(r"c:\".into());
    expected.comment = Some("Runs for almost 4 hours".into());
    expected.power = Some(PowerSettings { no_start_on_batteries: true, stop_on_batteries: true });
    expected.triggers = vec![daily(1, at(2007, 7, 6, 10, 0, 0))];
    assert_eq!(cleanup.task, expected);
    assert_eq!(cleanup.action, Action::Update);
    let g = gpp(cleanup);
    assert_eq!(g.kind, ItemKind::Task);
    assert_eq!(g.image, None, "image 2 is the icon of U");
    assert_eq!(g.changed.as_deref(), Some("2007-07-06 20:54:40"));
    assert_eq!(g.uid.as_deref(), Some("{96C2DBEF-ECAE-4BD4-B1C7-0CD71116595C}"));
    assert!(g.filters.as_deref().unwrap().contains("version=\"VISTA\""));
    assert!(g.filters_first);
    assert_eq!(g.collection.disabled, Some(true));
    assert!(g.other_properties.is_empty(), "{:?}", g.other_properties);

    // ImmediateTask "PingCorporate".
    assert_eq!(ping.action, Action::Update);
    assert_eq!(gpp(ping).kind, ItemKind::ImmediateTask);
    assert_eq!(ping.task.command, r"c:\ping.exe");
    assert_eq!(ping.task.args, ["-ip", "10.10.10.10"]);
    assert_eq!(ping.task.max_run_time, Some(Duration::from_hours(72)));
    assert_eq!(
        ping.task.idle,
        Some(IdleSettings {
            start_only_if_idle: true,
            idle_for: Duration::from_mins(10),
            wait_up_to: Duration::from_mins(60),
            stop_on_idle_end: false,
            restart_on_idle_resume: false,
        })
    );
    assert!(ping.task.triggers.is_empty());

    // TaskV2 "Demo": one trigger of every kind; the run-as user from `runAs`.
    assert_eq!(demo.task.name, "Demo");
    assert_eq!(demo.task.run_as.as_deref(), Some(r"%LogonDomain%\%LogonUser%"));
    assert_eq!(
        xml(demo).principal.user_id.as_deref(),
        Some(r"%LogonDomain%\%LogonUser"),
        "the embedded UserId, typo and all, is kept"
    );
    let g = gpp(demo);
    assert_eq!(g.kind, ItemKind::TaskV2);
    assert_eq!(g.logon_type.as_deref(), Some("InteractiveToken"));
    assert_eq!(g.desc.as_deref(), Some("This is a test of the system."));
    assert_eq!((g.bypass_errors, g.user_context, g.remove_policy), (Some(false), Some(false), Some(false)));
    let kinds: Vec<_> = demo.task.triggers.iter().map(|t| t.kind.key()).collect();
    assert_eq!(kinds, ["once", "daily", "weekly", "monthly", "at-logon", "at-startup", "on-idle"]);
    assert_eq!(
        demo.task.triggers[2].kind,
        TriggerKind::Weekly { every: 1, days: [Weekday::Sunday, Weekday::Thursday].into_iter().collect() }
    );
    assert_eq!(
        demo.task.triggers[3].kind,
        TriggerKind::Monthly {
            every: 1,
            days: MonthDays::EMPTY.with_day(1),
            months: MonthSet::EMPTY.with(1)
        }
    );
    assert_eq!(xml(demo).other_triggers.len(), 5);
    assert_eq!(xml(demo).other_actions.len(), 2);
    assert_eq!(
        (demo.task.command.as_str(), demo.task.args.clone(), demo.task.working_dir.as_deref()),
        ("a", vec!["b".to_string()], Some("c"))
    );
    assert_eq!(
        demo.task.idle,
        Some(IdleSettings {
            start_only_if_idle: true,
            idle_for: Duration::from_mins(10),
            wait_up_to: Duration::from_hours(1),
            stop_on_idle_end: true,
            restart_on_idle_resume: true,
        })
    );
    assert!(demo.task.start_when_available && demo.task.wake_to_run);
    assert_eq!(demo.task.priority, Priority::BelowNormal);

    // ImmediateTaskV2 "ImdTask".
    assert_eq!(gpp(imd).kind, ItemKind::ImmediateTaskV2);
    assert_eq!(imd.task.command, "calc.exe");
    assert_eq!(imd.task.comment.as_deref(), Some("Demo ImdTask "));
    assert_eq!(xml(imd).principal.run_level.as_deref(), Some("HighestAvailable"));

    let m = messages(&doc.warnings);
    assert_eq!(m.len(), 8, "{m:#?}");
    assert_eq!(m[0], read::CPASSWORD_WARNING);
    assert!(m[0].contains("MS14-025") && m[0].contains("KB2962486"));
    let Location::Text { line, .. } = &doc.warnings[0].location else { panic!() };
    assert_eq!(*line, 31, "the warning points at the cpassword");
    assert!(m[1].starts_with("`<RegistrationTrigger>` is kept but never fires"));
    assert!(m[7].starts_with("the `<ShowMessage>` action is kept but not run"));

    let written = assert_rewrites_to_same(GPPREF);
    assert!(!written.contains("cpassword"), "the credential is never written");
    assert!(written.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<ScheduledTasks clsid=\"{CC63F200-7309-4ba0-B154-A71CD118DBCC}\" disabled=\"1\"><Task clsid=\"{2DEECB1C-261F-4e13-9B21-16FB83BC03BD}\" name=\"Cleanup\" image=\"2\" changed=\"2007-07-06 20:54:40\" uid=\"{96C2DBEF-ECAE-4BD4-B1C7-0CD71116595C}\"><Filters>"));
    assert!(written.contains("<Properties action=\"U\" name=\"Cleanup\" appName=\"\\\\scratch\\filecleanup.exe\" args=\"-all\" startIn=\"c:\\\" comment=\"Runs for almost 4 hours\" enabled=\"1\" noStartIfOnBatteries=\"1\" stopIfGoingOnBatteries=\"1\"><Triggers><Trigger type=\"DAILY\" startHour=\"10\" startMinutes=\"00\" beginYear=\"2007\" beginMonth=\"7\" beginDay=\"6\" hasEndDate=\"0\" repeatTask=\"0\" interval=\"1\"/></Triggers></Properties>"));
    assert!(written.contains("<Properties name=\"PingCorporate\" appName=\"c:\\ping.exe\" args=\"-ip 10.10.10.10\" startIn=\"\" comment=\"\" startOnlyIfIdle=\"1\" idleMinutes=\"10\" deadlineMinutes=\"60\" stopOnIdleEnd=\"0\" noStartIfOnBatteries=\"1\" stopIfGoingOnBatteries=\"1\"/>"));
}

#[test]
fn golden_samadcon_gpmc_file() {
    let doc = read(SAMADCON, &opts()).unwrap_or_else(|e| panic!("{e}"));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let [v2, v1, immediate] = &doc.entries[..] else { panic!("{:?}", doc.entries) };
    assert_eq!(v2.action, Action::Create);
    assert_eq!(v2.task.name, "SAMCON-Task");
    assert_eq!(v2.task.run_as.as_deref(), Some(r"EXAMPLE\Administrator"));
    assert_eq!(v2.task.author.as_deref(), Some(r"EXAMPLE\admin"));
    assert_eq!(v2.task.comment, None);
    assert_eq!(v2.task.command, r"C:\Windows\System32\notepad.exe");
    assert_eq!(v2.task.triggers, [daily(1, at(2026, 8, 16, 18, 15, 25))]);
    let g = gpp(v2);
    assert_eq!((g.kind, g.image.clone()), (ItemKind::TaskV2, None));
    assert_eq!(g.logon_type.as_deref(), Some("InteractiveToken"));
    assert!(xml(v2).principal.absent);

    let mut expected = Task::new("SAMCON-Alt", r"C:\Windows\System32\notepad.exe");
    expected.triggers = vec![daily(1, at(2026, 8, 16, 7, 0, 0))];
    assert_eq!(v1.task, expected, "startHour=\"07\" startMinutes=\"00\"");
    assert_eq!(v1.action, Action::Create);
    assert_eq!(gpp(v1).kind, ItemKind::Task);

    assert_eq!(immediate.action, Action::Update, "no action attribute: U");
    let g = gpp(immediate);
    assert_eq!(g.kind, ItemKind::ImmediateTask);
    assert!(g.filters_first, "GPMC writes an immediate task's filters first");
    assert!(g.filters.as_deref().unwrap().starts_with("<Filters><FilterCollection"));
    assert_eq!(g.image, None);

    let written = assert_rewrites_to_same(SAMADCON);
    let lines: Vec<_> = written.split("\r\n").collect();
    assert_eq!(lines.len(), 6, "{written}");
    assert_eq!(lines[5], "");
    assert!(lines[1].starts_with("<ScheduledTasks clsid=\"{CC63F200-7309-4ba0-B154-A71CD118DBCC}\"><TaskV2 clsid=\"{D8896631-B747-47a7-84A6-C155337F3BC8}\" name=\"SAMCON-Task\" image=\"0\" changed=\"2026-08-16 16:15:35\" uid=\"{E80AD78F-1137-4A92-A435-ECB09900E9E3}\"><Properties action=\"C\" name=\"SAMCON-Task\" runAs=\"EXAMPLE\\Administrator\" logonType=\"InteractiveToken\"><Task version=\"1.2\"><RegistrationInfo><Author>EXAMPLE\\admin</Author></RegistrationInfo><Triggers><CalendarTrigger><StartBoundary>2026-08-16T18:15:25</StartBoundary><Enabled>true</Enabled><ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay></CalendarTrigger></Triggers><Settings>"), "{}", lines[1]);
    assert_eq!(
        lines[2],
        "\t<Task clsid=\"{2DEECB1C-261F-4e13-9B21-16FB83BC03BD}\" name=\"SAMCON-Alt\" image=\"0\" changed=\"2026-08-16 16:17:38\" uid=\"{7FAD7564-33CC-4577-8398-CB38A5F0D631}\"><Properties action=\"C\" name=\"SAMCON-Alt\" appName=\"C:\\Windows\\System32\\notepad.exe\" args=\"\" startIn=\"\" comment=\"\" enabled=\"1\"><Triggers><Trigger type=\"DAILY\" startHour=\"07\" startMinutes=\"00\" beginYear=\"2026\" beginMonth=\"8\" beginDay=\"16\" hasEndDate=\"0\" repeatTask=\"0\" interval=\"1\"/></Triggers></Properties></Task>",
        "a v1 task comes back byte for byte as GPMC wrote it"
    );
    assert!(lines[3].starts_with("\t<ImmediateTask clsid=\"{9F030D12-DDA3-4C26-8548-B7CE9151166A}\" name=\"SAMCON-SofortAlt\" changed=\"2026-08-16 16:19:52\" uid=\"{5B360D0A-E07B-4D67-9692-C894825198C3}\"><Filters><FilterCollection"));
    assert!(lines[3].ends_with("<Properties name=\"SAMCON-SofortAlt\" appName=\"C:\\Windows\\System32\\notepad.exe\" args=\"\" startIn=\"\" comment=\"\"/></ImmediateTask>"));
    assert_eq!(lines[4], "</ScheduledTasks>");
}

#[test]
fn golden_metasploit_2013_file() {
    let doc = read(METASPLOIT, &opts()).unwrap_or_else(|e| panic!("{e}"));
    let e = &doc.entries[0];
    let mut expected = Task::new("test1", "notepad.exe");
    expected.run_as = Some("test1".into());
    expected.enabled = false;
    expected.triggers = vec![daily(1, at(2013, 4, 25, 8, 0, 0))];
    assert_eq!(e.task, expected, "startHour=\"8\" startMinutes=\"0\"");
    assert_eq!(e.action, Action::Update);
    assert_eq!(messages(&doc.warnings), [read::CPASSWORD_WARNING]);
    let written = assert_rewrites_to_same(METASPLOIT);
    assert!(!written.contains("cpassword") && !written.contains("DdGgLn"));
    assert!(written.contains("runAs=\"test1\" enabled=\"0\""));
}

#[test]
fn v1_triggers_follow_the_errata() {
    let doc = |triggers: &str, props: &str| {
        format!(
            "<ScheduledTasks clsid=\"{COLLECTION_CLSID}\"><Task clsid=\"{}\" name=\"t\"><Properties action=\"R\" name=\"t\" appName=\"x.exe\" {props}><Triggers>{triggers}</Triggers></Properties></Task></ScheduledTasks>",
            ItemKind::Task.clsid()
        )
    };
    let one = |trigger: &str, props: &str| {
        let d = read(doc(trigger, props).as_bytes(), &opts()).unwrap_or_else(|e| panic!("{e}"));
        (d.entries[0].task.clone(), d.warnings)
    };
    // repeatTask="1" repeats; endYear is the end year; hasEndDate="1" bounds it.
    let (t, _) = one(
        "<Trigger type=\"DAILY\" startHour=\"9\" startMinutes=\"30\" beginYear=\"2026\" beginMonth=\"1\" beginDay=\"2\" hasEndDate=\"1\" endYear=\"2027\" endMonth=\"2\" endDay=\"3\" repeatTask=\"1\" minutesInterval=\"15\" minutesDuration=\"60\" killAtDurationEnd=\"1\" interval=\"2\"/>",
        "deleteWhenDone=\"1\" maxRunTime=\"3600000\" systemRequired=\"1\"",
    );
    let tr = &t.triggers[0];
    assert_eq!(tr.kind, TriggerKind::Daily { every: 2 });
    assert_eq!(tr.start, Some(Start::civil(at(2026, 1, 2, 9, 30, 0))));
    assert_eq!(tr.end, Some(End::Date(date(2027, 2, 3))));
    assert_eq!(
        tr.repeat,
        Some(Repetition {
            every: Duration::from_mins(15),
            duration: Some(Duration::from_hours(1)),
            stop_at_end: true
        })
    );
    assert!(t.delete_when_done && t.wake_to_run);
    assert_eq!(t.max_run_time, Some(Duration::from_hours(1)), "milliseconds");
    // repeatTask="0": the minutes are not used.
    let (t, _) = one(
        "<Trigger type=\"ONCE\" beginYear=\"2026\" beginMonth=\"1\" beginDay=\"2\" repeatTask=\"0\" minutesInterval=\"15\" minutesDuration=\"60\"/>",
        "maxRunTime=\"4294967295\"",
    );
    assert_eq!(t.triggers[0].repeat, None);
    assert_eq!(t.max_run_time, None, "INFINITE");
    // MONTHLY with week: weekday mask; without: day-of-month mask.
    let (t, _) = one(
        "<Trigger type=\"MONTHLY\" beginYear=\"2026\" beginMonth=\"1\" beginDay=\"1\" week=\"LAST\" days=\"34\" months=\"4095\"/><Trigger type=\"MONTHLY\" beginYear=\"2026\" beginMonth=\"1\" beginDay=\"1\" days=\"16385\" months=\"585\"/><Trigger type=\"WEEKLY\" beginYear=\"2026\" beginMonth=\"1\" beginDay=\"1\" interval=\"2\" days=\"42\"/>",
        "",
    );
    assert_eq!(
        t.triggers[0].kind,
        TriggerKind::MonthlyWeekday {
            weeks: WeekSet::EMPTY.with(WeekOfMonth::Last),
            days: WeekdaySet::from_mask(34),
            months: MonthSet::ALL
        }
    );
    assert_eq!(
        t.triggers[1].kind,
        TriggerKind::Monthly {
            every: 1,
            days: MonthDays::EMPTY.with_day(1).with_day(15),
            months: MonthSet::EMPTY.with(1).with(4).with(7).with(10)
        }
    );
    assert_eq!(
        t.triggers[2].kind,
        TriggerKind::Weekly {
            every: 2,
            days: [Weekday::Monday, Weekday::Wednesday, Weekday::Friday].into_iter().collect()
        }
    );
    // Event triggers, and a MONTHLY interval that v1 cannot hold.
    let (t, w) = one(
        "<Trigger type=\"STARTUP\"/><Trigger type=\"LOGON\" beginYear=\"2026\" beginMonth=\"1\" beginDay=\"1\"/><Trigger type=\"IDLE\" idleMinute=\"20\"/><Trigger type=\"MONTHLY\" beginYear=\"2026\" beginMonth=\"1\" beginDay=\"1\" days=\"1\" interval=\"3\"/>",
        "",
    );
    assert_eq!(t.triggers[0].kind, TriggerKind::AtStartup { delay: Duration::ZERO });
    assert_eq!(t.triggers[1].start, Some(Start::civil(at(2026, 1, 1, 0, 0, 0))));
    assert_eq!(t.triggers[2].kind, TriggerKind::OnIdle);
    assert!(t.idle.is_some(), "an idle trigger gives the task idle settings");
    assert_eq!(
        messages(&w),
        ["`interval=\"3\"` of a `MONTHLY` trigger is kept but ignored: v1 triggers have no month interval"]
    );
    assert_rewrites_to_same(doc("<Trigger type=\"IDLE\" idleMinute=\"20\"/><Trigger type=\"MONTHLY\" beginYear=\"2026\" beginMonth=\"1\" beginDay=\"1\" days=\"1\" interval=\"3\"/>", "").as_bytes());
}

#[test]
fn a_new_task_becomes_a_task_v2_item() {
    let mut task = Task::new("Backup", r"C:\Tools\backup.exe");
    task.triggers.push(daily(1, at(2026, 1, 7, 6, 0, 0)));
    let mut doc = Document::from_tasks([task]);
    doc.entries[0].action = Action::Create;
    let written = String::from_utf8(write(&doc).unwrap()).unwrap();
    let uid = derived_uid(ItemKind::TaskV2, "Backup");
    assert_eq!(
        written,
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<ScheduledTasks clsid=\"{{CC63F200-7309-4ba0-B154-A71CD118DBCC}}\"><TaskV2 clsid=\"{{D8896631-B747-47a7-84A6-C155337F3BC8}}\" name=\"Backup\" image=\"0\" uid=\"{uid}\"><Properties action=\"C\" name=\"Backup\"><Task version=\"1.2\"><Triggers><CalendarTrigger><StartBoundary>2026-01-07T06:00:00</StartBoundary><Enabled>true</Enabled><ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay></CalendarTrigger></Triggers><Principals><Principal id=\"Author\" /></Principals><Settings><MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy><DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries><StopIfGoingOnBatteries>false</StopIfGoingOnBatteries><StartWhenAvailable>false</StartWhenAvailable><Enabled>true</Enabled><RunOnlyIfIdle>false</RunOnlyIfIdle><WakeToRun>false</WakeToRun><ExecutionTimeLimit>P3D</ExecutionTimeLimit><Priority>4</Priority></Settings><Actions Context=\"Author\"><Exec><Command>C:\\Tools\\backup.exe</Command></Exec></Actions></Task></Properties></TaskV2>\r\n</ScheduledTasks>\r\n"
        )
    );
    assert_eq!(uid, derived_uid(ItemKind::TaskV2, "Backup"), "stable");
    assert_ne!(uid, derived_uid(ItemKind::ImmediateTaskV2, "Backup"));
    let back = read(written.as_bytes(), &opts()).unwrap();
    assert_eq!(back.entries, doc.entries, "no extras for an item sked wrote");
    assert_eq!(
        write(&Document::default()).unwrap(),
        b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<ScheduledTasks clsid=\"{CC63F200-7309-4ba0-B154-A71CD118DBCC}\"/>\r\n"
    );
}

#[test]
fn error_messages_are_pinned() {
    let err = |s: &str| read(s.as_bytes(), &opts()).unwrap_err().to_string();
    assert_eq!(
        err("<ScheduledTasks>\n<Task name=\"a\"><Properties action=\"X\"/></Task>\n</ScheduledTasks>"),
        "error: expected `C`, `R`, `U` or `D` in `action`, but found `X`\n --> <input>:2:28\n  |\n2 | <Task name=\"a\"><Properties action=\"X\"/></Task>\n  |                            ^^^^^^"
    );
    assert_eq!(
        err("<ScheduledTasks><Printer/></ScheduledTasks>"),
        "error: unexpected element `<Printer>` in `<ScheduledTasks>`; expected `<Task>`, `<ImmediateTask>`, `<TaskV2>` or `<ImmediateTaskV2>`\n --> <input>:1:17\n  |\n1 | <ScheduledTasks><Printer/></ScheduledTasks>\n  |                 ^^^^^^^^^^"
    );
    let e = err(
        "<ScheduledTasks><Task name=\"a\"><Properties><Triggers><Trigger type=\"DAILY\" startHour=\"25\" beginYear=\"2026\" beginMonth=\"1\" beginDay=\"1\"/></Triggers></Properties></Task></ScheduledTasks>",
    );
    assert!(
        e.starts_with("error: expected a whole number from 0 to 23 in `startHour`, but found `25`"),
        "{e}"
    );
    let e = err(
        "<ScheduledTasks><Task name=\"a\"><Properties><Triggers><Trigger type=\"HOURLY\" beginYear=\"2026\" beginMonth=\"1\" beginDay=\"1\"/></Triggers></Properties></Task></ScheduledTasks>",
    );
    assert!(e.starts_with("error: expected `IDLE`, `ONCE`, `STARTUP`, `LOGON`, `DAILY`, `WEEKLY` or `MONTHLY` in `type`, but found `HOURLY`"), "{e}");
    let e = err(
        "<ScheduledTasks><Task name=\"a\"><Properties><Triggers><Trigger type=\"DAILY\" beginYear=\"2026\" beginMonth=\"2\" beginDay=\"30\"/></Triggers></Properties></Task></ScheduledTasks>",
    );
    assert!(e.starts_with("error: 2026-02-30 is not a date; expected a real begin date"), "{e}");
    let e = err(
        "<ScheduledTasks><Task name=\"a\"><Properties><Triggers><Trigger type=\"WEEKLY\" beginYear=\"2026\" beginMonth=\"1\" beginDay=\"1\"/></Triggers></Properties></Task></ScheduledTasks>",
    );
    assert!(e.starts_with("error: a `WEEKLY` trigger needs `days`"), "{e}");
    let e = err("<ScheduledTasks><TaskV2 name=\"a\"><Properties/></TaskV2></ScheduledTasks>");
    assert!(e.starts_with("error: a `<TaskV2>` item needs a `<Task>` in its `<Properties>`"), "{e}");
    let e = err("<Groups/>");
    assert!(e.starts_with("error: expected a `<ScheduledTasks>` root element, but found `<Groups>`"), "{e}");
}

#[test]
fn losses_depend_on_the_kind() {
    let mut task = Task::new("t", "x");
    task.priority = Priority::High;
    task.triggers.push(
        Trigger::new(TriggerKind::MonthlyWeekday {
            weeks: WeekSet::EMPTY.with(WeekOfMonth::First).with(WeekOfMonth::Third),
            days: WeekdaySet::from_mask(2),
            months: MonthSet::ALL,
        })
        .starting(Start::civil(at(2026, 1, 1, 6, 0, 30))),
    );
    let mut entry = Entry::new(task);
    assert!(losses(&entry).is_empty(), "a TaskV2 holds all of it");
    entry.extras.gpp = Some(GppExtras { kind: ItemKind::Task, ..GppExtras::default() });
    let l = losses(&entry);
    assert_eq!(l.len(), 3, "{l:#?}");
    assert!(l[0].starts_with("`priority = \"high\"`"));
    assert!(l[1].contains("whole minutes"));
    assert!(l[2].contains("one trigger per week"));
    // Written as one trigger per week.
    let back = read(&write(&Document { entries: vec![entry], warnings: vec![] }).unwrap(), &opts()).unwrap();
    assert_eq!(back.entries[0].task.triggers.len(), 2);
    let mut immediate = Entry::new(Task::new("i", "x"));
    immediate.task.triggers.push(daily(1, at(2026, 1, 1, 0, 0, 0)));
    immediate.extras.gpp = Some(GppExtras { kind: ItemKind::ImmediateTask, ..GppExtras::default() });
    assert!(losses(&immediate)[0].starts_with("triggers (1): an `ImmediateTask` runs once"));
    let foldered = Entry::new(Task::new("ops/backup", "x"));
    assert_eq!(
        losses(&foldered),
        ["the folder in `ops/backup`: GPP creates tasks in the root folder, and the name keeps the `/`"]
    );
}

// ---- properties -------------------------------------------------------------------------

fn minutes(max: u64) -> impl Strategy<Value = Duration> {
    (1..=max).prop_map(Duration::from_mins)
}

fn civil_minute() -> impl Strategy<Value = DateTime> {
    (1601i16..=9999, 1i8..=12, 1i8..=28, 0i8..24, 0i8..60)
        .prop_map(|(y, mo, d, h, mi)| date(y, mo, d).at(h, mi, 0, 0))
}

fn v1_kind() -> impl Strategy<Value = TriggerKind> {
    prop_oneof![
        Just(TriggerKind::Once),
        (1u32..400).prop_map(|every| TriggerKind::Daily { every }),
        (1u32..60, 1u8..128)
            .prop_map(|(every, m)| TriggerKind::Weekly { every, days: WeekdaySet::from_mask(m) }),
        (1u32..=u32::MAX, 1u16..4096).prop_map(|(d, m)| TriggerKind::Monthly {
            every: 1,
            days: MonthDays::from_mask(d),
            months: MonthSet::from_mask(m)
        }),
        (0usize..5, 1u8..128, 1u16..4096).prop_map(|(w, d, m)| TriggerKind::MonthlyWeekday {
            weeks: WeekSet::EMPTY.with(WeekOfMonth::ALL[w]),
            days: WeekdaySet::from_mask(d),
            months: MonthSet::from_mask(m)
        }),
        Just(TriggerKind::AtStartup { delay: Duration::ZERO }),
        Just(TriggerKind::AtLogon { user: None, delay: Duration::ZERO }),
        Just(TriggerKind::OnIdle),
    ]
}

fn v1_trigger() -> impl Strategy<Value = Trigger> {
    (
        v1_kind(),
        civil_minute(),
        any::<bool>(),
        proptest::option::of(civil_minute()),
        proptest::option::of((minutes(1000), minutes(5000), any::<bool>())),
    )
        .prop_map(|(kind, start, event_start, end, repeat)| {
            let event = kind.is_event();
            let mut t = Trigger::new(kind);
            if !event || event_start {
                t.start = Some(Start::civil(start));
            }
            if !event {
                t.end = end.map(|e| End::Date(e.date()));
                t.repeat = repeat.map(|(every, d, stop_at_end)| Repetition {
                    every,
                    duration: Some(d),
                    stop_at_end,
                });
            }
            t
        })
}

fn v1_task(immediate: bool) -> impl Strategy<Value = Task> {
    (
        (
            "[A-Za-z][A-Za-z0-9 _.-]{0,12}",
            "[A-Za-z0-9:\\\\._ -]{0,20}",
            proptest::collection::vec("[ a-z\\\\\"%]{0,6}", 0..4),
            proptest::option::of("[A-Za-z:\\\\ &<>\"'\t\r\n]{1,12}"),
            proptest::option::of("[A-Za-z é&<>\"'\t\r\n]{1,30}"),
            proptest::option::of("[A-Z]{1,6}\\\\[a-z]{1,8}"),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(1u64..u64::from(u32::MAX)),
            proptest::option::of((any::<bool>(), minutes(500), minutes(500), any::<bool>())),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        proptest::collection::vec(v1_trigger(), 0..4),
    )
        .prop_map(
            move |(
                (name, command, args, working_dir, comment, run_as),
                (enabled, delete, max_ms, idle, no_start, stop, wake),
                triggers,
            )| {
                let mut t = Task::new(name, command);
                t.args = args;
                t.working_dir = working_dir;
                t.comment = comment;
                t.run_as = run_as;
                t.enabled = enabled;
                t.delete_when_done = delete;
                t.max_run_time = max_ms.map(Duration::from_millis);
                t.wake_to_run = wake;
                t.power = (no_start || stop)
                    .then_some(PowerSettings { no_start_on_batteries: no_start, stop_on_batteries: stop });
                if !immediate {
                    t.triggers = triggers;
                }
                let has_idle_trigger = t.triggers.iter().any(|t| t.kind == TriggerKind::OnIdle);
                t.idle = idle.and_then(|(start, idle_for, wait_up_to, stop)| {
                    (start || stop || has_idle_trigger).then_some(IdleSettings {
                        start_only_if_idle: start,
                        idle_for,
                        wait_up_to,
                        stop_on_idle_end: stop,
                        restart_on_idle_resume: false,
                    })
                });
                if has_idle_trigger && t.idle.is_none() {
                    t.idle = Some(IdleSettings::default());
                }
                t
            },
        )
}

fn entry() -> impl Strategy<Value = Entry> {
    let action =
        proptest::sample::select(vec![Action::Create, Action::Replace, Action::Update, Action::Delete]);
    let kinded = prop_oneof![
        xml_task().prop_map(|t| (ItemKind::TaskV2, t)),
        xml_task().prop_map(|t| (ItemKind::ImmediateTaskV2, t)),
        v1_task(false).prop_map(|t| (ItemKind::Task, t)),
        v1_task(true).prop_map(|t| (ItemKind::ImmediateTask, t)),
    ];
    (kinded, action).prop_map(|((kind, task), action)| {
        let mut e = Entry::new(task);
        e.action = action;
        if kind != ItemKind::default() {
            e.extras.gpp = Some(GppExtras { kind, ..GppExtras::default() });
        }
        e
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn write_then_read_gives_the_items_back(entries in proptest::collection::vec(entry(), 0..4)) {
        let doc = Document { entries, warnings: Vec::new() };
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
    fn read_never_panics_on_mutated_fixtures(
        which in 0usize..3,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6),
    ) {
        let fixture = [GPPREF, SAMADCON, METASPLOIT][which];
        let damaged = mutate(fixture, &edits);
        if let Ok(doc) = read(&damaged, &opts())
            && let Ok(bytes) = write(&doc) {
                let again = read(&bytes, &opts()).unwrap_or_else(|e| panic!("{e}"));
                prop_assert_eq!(again.entries, doc.entries);
            }
    }
}

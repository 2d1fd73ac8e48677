//! Tests of the `.job` reader and writer: the real Windows 7 sample, hand-built files for
//! every trigger type, every error message, the losses, and round-trip properties.

use jiff::civil::{Date, date};
use proptest::prelude::*;
use sked_core::{
    Duration, End, IdleSettings, MonthDays, MonthSet, MultipleInstances, PowerSettings, Priority, Repetition,
    Start, Task, Trigger, TriggerKind, WeekOfMonth, WeekSet, Weekday, WeekdaySet,
};

use super::*;
use crate::{Document, Entry, Extras, Location, ReadOptions, Severity, winargs};

const WINTASK: &[u8] = include_bytes!("../../testdata/job/wintask.job");

fn opts(name: &str) -> ReadOptions {
    ReadOptions { name: Some(name.to_string()), ..ReadOptions::default() }
}

fn read_one(bytes: &[u8]) -> (Task, JobExtras) {
    let doc = read(bytes, &opts("t")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.entries.len(), 1);
    let e = doc.entries.into_iter().next().unwrap();
    (e.task, e.extras.job.expect("job extras"))
}

/// The one error of reading `bytes`, as (offset, field, message).
fn read_error(bytes: &[u8]) -> (usize, String, String) {
    let err = read(bytes, &opts("t")).expect_err("the file should be rejected");
    let [d] = err.diagnostics() else { panic!("one diagnostic expected: {err}") };
    assert_eq!(d.severity, Severity::Error);
    match &d.location {
        Location::Bytes { offset, field } => (*offset, field.clone(), d.message.clone()),
        other => panic!("a byte location expected, found {other:?}"),
    }
}

fn write_errors(doc: &Document) -> Vec<String> {
    write(doc)
        .expect_err("write should refuse")
        .diagnostics()
        .iter()
        .map(|d| {
            assert_eq!(d.location, Location::None);
            d.message.clone()
        })
        .collect()
}

fn set_u16(bytes: &mut [u8], at: usize, v: u16) {
    bytes[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn set_u32(bytes: &mut [u8], at: usize, v: u32) {
    bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn civil(y: i16, m: i8, d: i8, h: i8, mi: i8) -> Option<Start> {
    Some(Start::civil(date(y, m, d).at(h, mi, 0, 0)))
}

// ---------------------------------------------------------------------------------------
// The real sample: every field /work/shared/testdata/README.md lists.

#[test]
fn wintask_reads_every_field() {
    let doc = read(WINTASK, &opts("GoogleUpdateTaskMachineCore")).unwrap();
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let [entry] = doc.entries.as_slice() else { panic!("one task") };
    let (t, x) = (&entry.task, entry.extras.job.as_ref().unwrap());
    assert_eq!(entry.action, crate::Action::Replace);

    // Fixed section.
    assert_eq!(x.product_version, 0x0601);
    assert_eq!(x.uuid.to_string(), "{0DF2CFEB-5293-41E9-A45E-733720C2E1FA}");
    assert_eq!(u16::from_le_bytes([WINTASK[20], WINTASK[21]]), 0x46);
    assert_eq!(u16::from_le_bytes([WINTASK[22], WINTASK[23]]), 0x34E);
    assert_eq!((x.error_retry_count, x.error_retry_interval), (0, 0));
    assert_eq!(t.idle, None, "idle deadline 60 and wait 10 are the defaults");
    assert_eq!(IdleSettings::default().wait_up_to, Duration::from_mins(60));
    assert_eq!(IdleSettings::default().idle_for, Duration::from_mins(10));
    assert_eq!(t.priority, Priority::Normal);
    assert_eq!(t.max_run_time, Some(Duration::from_millis(0xFFFF_FFFE)));
    assert_eq!(x.exit_code, 0);
    assert_eq!(x.status, status::READY);
    assert_eq!(x.status, 0x0004_1300);
    assert_eq!(x.other_flags, 0x2180_0000);
    assert!(x.has_flag(flags::APPLICATION_NAME));
    assert!(t.enabled && !t.delete_when_done && !t.wake_to_run);
    assert_eq!(t.power, None);
    assert_eq!(
        x.last_run,
        SystemTime {
            year: 2013,
            month: 8,
            weekday: 6,
            day: 24,
            hour: 12,
            minute: 42,
            second: 0,
            milliseconds: 112,
        }
    );
    assert_eq!(x.last_run.to_datetime().unwrap().to_string(), "2013-08-24T12:42:00.112");
    assert_eq!(x.running_instances, 0);

    // Variable section.
    assert_eq!(t.name, "GoogleUpdateTaskMachineCore");
    assert_eq!(t.command, r"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe");
    assert_eq!(t.args, ["/ua", "/installsource", "scheduler"]);
    assert_eq!(x.parameters, None, "the parameters join back exactly");
    assert_eq!(t.working_dir, None);
    assert_eq!(t.author.as_deref(), Some("Brian"));
    assert_eq!(
        t.comment.as_deref(),
        Some(
            "Keeps your Google software up to date. If this task is disabled or stopped, your \
             Google software will not be kept up to date, meaning security vulnerabilities that \
             may arise cannot be fixed and features may not work. This task uninstalls itself \
             when there is no Google software using it."
        )
    );
    assert_eq!(t.comment.as_ref().unwrap().encode_utf16().count() + 1, 288);
    assert!(x.user_data.is_empty());
    assert_eq!(x.reserved, Some(TaskReserved::default()));
    assert_eq!(x.signature, None);

    // The trigger: daily, every hour for a day, from 2013-07-12 15:42 (civil time).
    assert_eq!(
        t.triggers,
        [Trigger {
            repeat: Some(Repetition {
                every: Duration::from_mins(60),
                duration: Some(Duration::from_mins(1440)),
                stop_at_end: false,
            }),
            ..Trigger::new(TriggerKind::Daily { every: 1 })
                .starting(Start::civil(date(2013, 7, 12).at(15, 42, 0, 0)))
        }]
    );
    assert_eq!(x.triggers, [JobTriggerExtras::default()]);
    assert_eq!(t.validate().map_err(|e| e.to_string()), Ok(()), "the model is valid");
}

#[test]
fn wintask_writes_back_byte_for_byte() {
    let doc = read(WINTASK, &opts("x")).unwrap();
    assert_eq!(write(&doc).unwrap(), WINTASK);
    assert!(losses(&doc.entries[0]).is_empty());
    // The name is not in the file: any name writes the same bytes.
    let other = read(WINTASK, &ReadOptions::default()).unwrap();
    assert_eq!(other.entries[0].task.name, "untitled");
    assert_eq!(write(&other).unwrap(), WINTASK);
}

#[test]
fn editing_a_read_task_keeps_the_rest_of_the_file() {
    let mut doc = read(WINTASK, &opts("x")).unwrap();
    doc.entries[0].task.args = vec!["/c".into()];
    doc.entries[0].task.triggers[0].start = civil(2020, 1, 2, 3, 4);
    let bytes = write(&doc).unwrap();
    let (t, x) = read_one(&bytes);
    assert_eq!(t.args, ["/c"]);
    assert_eq!(t.triggers[0].start, civil(2020, 1, 2, 3, 4));
    let orig = doc.entries[0].extras.job.as_ref().unwrap();
    assert_eq!(&x, orig, "UUID, status, flags, last run... are kept");
}

// ---------------------------------------------------------------------------------------
// Hand-built files, from the tables of MS-TSCH 2.4 (windows-formats.md §1.2–1.5), written
// here independently of the writer.

/// One TASK_TRIGGER, field by field.
#[derive(Clone, Copy)]
struct T {
    reserved1: u16,
    begin: [u16; 3],
    end: [u16; 3],
    start: [u16; 2],
    duration: u32,
    interval: u32,
    flags: u32,
    ty: u32,
    specific: [u16; 3],
    tail: [u16; 3],
}

impl T {
    fn new(ty: u32, specific: [u16; 3]) -> T {
        T {
            reserved1: 0,
            begin: [2026, 3, 1],
            end: [0; 3],
            start: [6, 30],
            duration: 0,
            interval: 0,
            flags: 0,
            ty,
            specific,
            tail: [0; 3],
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        let w = |b: &mut Vec<u8>, v: u16| b.extend_from_slice(&v.to_le_bytes());
        w(&mut b, 0x30);
        w(&mut b, self.reserved1);
        self.begin.iter().for_each(|&v| w(&mut b, v));
        self.end.iter().for_each(|&v| w(&mut b, v));
        self.start.iter().for_each(|&v| w(&mut b, v));
        for v in [self.duration, self.interval, self.flags, self.ty] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        self.specific.iter().for_each(|&v| w(&mut b, v));
        self.tail.iter().for_each(|&v| w(&mut b, v));
        assert_eq!(b.len(), 48);
        b
    }
}

/// A whole file: fixed section, strings, no user data, 8 reserved bytes, triggers.
fn job_file(flags: u32, strings: [Option<&str>; 5], triggers: &[T]) -> Vec<u8> {
    let mut var = Vec::new();
    var.extend_from_slice(&0u16.to_le_bytes()); // running instances
    for s in strings {
        match s {
            None => var.extend_from_slice(&0u16.to_le_bytes()),
            Some(s) => {
                let units: Vec<u16> = s.encode_utf16().chain([0]).collect();
                var.extend_from_slice(&(units.len() as u16).to_le_bytes());
                units.iter().for_each(|u| var.extend_from_slice(&u.to_le_bytes()));
            }
        }
    }
    var.extend_from_slice(&0u16.to_le_bytes()); // user data
    var.extend_from_slice(&8u16.to_le_bytes());
    var.extend_from_slice(&[0; 8]);
    let trigger_offset = 68 + var.len();
    let mut b = Vec::new();
    b.extend_from_slice(&0x0501u16.to_le_bytes()); // XP
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&[0x11; 16]);
    b.extend_from_slice(&0x46u16.to_le_bytes());
    b.extend_from_slice(&(trigger_offset as u16).to_le_bytes());
    b.extend_from_slice(&[0; 4]); // retry
    b.extend_from_slice(&60u16.to_le_bytes());
    b.extend_from_slice(&10u16.to_le_bytes());
    b.extend_from_slice(&0x20u32.to_le_bytes());
    b.extend_from_slice(&259_200_000u32.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&status::HAS_NOT_RUN.to_le_bytes());
    b.extend_from_slice(&flags.to_le_bytes());
    b.extend_from_slice(&[0; 16]);
    assert_eq!(b.len(), 68);
    b.extend_from_slice(&var);
    b.extend_from_slice(&(triggers.len() as u16).to_le_bytes());
    for t in triggers {
        b.extend_from_slice(&t.bytes());
    }
    b
}

fn one_trigger(t: T) -> (Trigger, JobTriggerExtras) {
    let bytes = job_file(0, [Some("c.exe"), None, None, None, None], &[t]);
    let (task, x) = read_one(&bytes);
    let doc = read(&bytes, &opts("t")).unwrap();
    assert_eq!(write(&doc).unwrap(), bytes, "writes back byte for byte");
    assert!(losses(&doc.entries[0]).is_empty());
    assert_eq!(task.validate().map_err(|e| e.to_string()), Ok(()));
    (task.triggers[0].clone(), x.triggers[0])
}

#[test]
fn once() {
    let (t, x) = one_trigger(T::new(0, [0; 3]));
    assert_eq!(t, Trigger::new(TriggerKind::Once).starting(Start::civil(date(2026, 3, 1).at(6, 30, 0, 0))));
    assert_eq!(x, JobTriggerExtras::default());
}

#[test]
fn daily_with_end_date_and_repetition() {
    let mut raw = T::new(1, [3, 0, 0]);
    raw.end = [2026, 12, 31];
    raw.flags = trigger_flags::HAS_END_DATE | trigger_flags::KILL_AT_DURATION_END;
    raw.duration = 60;
    raw.interval = 15;
    let (t, _) = one_trigger(raw);
    assert_eq!(t.kind, TriggerKind::Daily { every: 3 });
    assert_eq!(t.end, Some(End::Date(date(2026, 12, 31))));
    assert_eq!(
        t.repeat,
        Some(Repetition {
            every: Duration::from_mins(15),
            duration: Some(Duration::from_mins(60)),
            stop_at_end: true,
        })
    );
}

#[test]
fn daily_keeps_what_the_model_does_not_hold() {
    // No HAS_END_DATE: the end words are stored as they are, even invalid; a duration
    // without an interval; KILL_AT_DURATION_END without repetition; unused words.
    let mut raw = T::new(1, [1, 7, 9]);
    raw.reserved1 = 5;
    raw.end = [0, 13, 40];
    raw.duration = 30;
    raw.flags = trigger_flags::KILL_AT_DURATION_END | 0x100;
    raw.tail = [1, 2, 3];
    let (t, x) = one_trigger(raw);
    assert_eq!((t.end, t.repeat), (None, None));
    assert_eq!(
        x,
        JobTriggerExtras {
            reserved1: 5,
            event_start: None,
            end_date: [0, 13, 40],
            minutes_duration: 30,
            minutes_interval: 0,
            flags: 0x102,
            specific: [0, 7, 9],
            padding: 1,
            reserved2: 2,
            random_minutes: 3,
        }
    );
}

#[test]
fn weekly_every_other_sunday_wednesday_friday() {
    // The SDK's example: WeeksInterval 2 with SUN|WED|FRI.
    let (t, x) = one_trigger(T::new(2, [2, 0x01 | 0x08 | 0x20, 0]));
    let days: WeekdaySet = [Weekday::Sunday, Weekday::Wednesday, Weekday::Friday].into_iter().collect();
    assert_eq!(t.kind, TriggerKind::Weekly { every: 2, days });
    assert_eq!(x, JobTriggerExtras::default());
    let (_, x) = one_trigger(T::new(2, [1, 0x8002, 0]));
    assert_eq!(x.specific, [0, 0x8000, 0], "unused weekday bits are kept");
}

#[test]
fn monthly_date_quarterly_on_the_first() {
    // The SDK's example: rgfDays 1 with JAN|APR|JUL|OCT.
    let (t, _) = one_trigger(T::new(3, [1, 0, 0x001 | 0x008 | 0x040 | 0x200]));
    let months = MonthSet::EMPTY.with(1).with(4).with(7).with(10);
    assert_eq!(t.kind, TriggerKind::Monthly { every: 1, days: MonthDays::EMPTY.with_day(1), months });
    // Day 31 is bit 30, in the high word; bit 31 is unused in a .job (not "last").
    let (t, x) = one_trigger(T::new(3, [0, 0x8000 | 0x4000, 0xFFFF]));
    let TriggerKind::Monthly { days, months, .. } = t.kind else { panic!() };
    assert_eq!(days.days().collect::<Vec<_>>(), [31]);
    assert!(!days.has_last());
    assert!(months.is_all());
    assert_eq!(x.specific, [0, 0x8000, 0xF000]);
    let (t, _) = one_trigger(T::new(3, [0x8000, 0x0001, 0x0800]));
    let TriggerKind::Monthly { days, months, .. } = t.kind else { panic!() };
    assert_eq!(days.days().collect::<Vec<_>>(), [16, 17]);
    assert_eq!(months.iter().collect::<Vec<_>>(), [12]);
}

#[test]
fn monthly_dow_second_sunday_and_last_friday() {
    let (t, _) = one_trigger(T::new(4, [2, 0x01, 0x0FFF]));
    assert_eq!(
        t.kind,
        TriggerKind::MonthlyWeekday {
            weeks: WeekSet::EMPTY.with(WeekOfMonth::Second),
            days: WeekdaySet::EMPTY.with(Weekday::Sunday),
            months: MonthSet::ALL,
        }
    );
    // The first Monday of March and September; the last Friday of December.
    let (t, _) = one_trigger(T::new(4, [1, 0x02, 0x004 | 0x100]));
    assert!(matches!(t.kind, TriggerKind::MonthlyWeekday { weeks, months, .. }
        if weeks.iter().eq([WeekOfMonth::First]) && months.iter().eq([3, 9])));
    let (t, _) = one_trigger(T::new(4, [5, 0x20, 0x800]));
    assert!(matches!(t.kind, TriggerKind::MonthlyWeekday { weeks, days, .. }
        if weeks.iter().eq([WeekOfMonth::Last]) && days.iter().eq([Weekday::Friday])));
}

#[test]
fn event_triggers() {
    for (ty, kind) in [
        (5, TriggerKind::OnIdle),
        (6, TriggerKind::AtStartup { delay: Duration::ZERO }),
        (7, TriggerKind::AtLogon { user: None, delay: Duration::ZERO }),
    ] {
        // Every boot from 15 Mar 2001 (`schtasks /sc onstart /sd 03/15/2001`); what the model
        // holds no place for stays in the extras, even HAS_END_DATE and a repetition.
        let mut raw = T::new(ty, [4, 5, 6]);
        raw.begin = [2001, 3, 15];
        raw.start = [0, 0];
        raw.end = [2002, 1, 1];
        raw.flags = trigger_flags::HAS_END_DATE | trigger_flags::DISABLED;
        raw.duration = 10;
        raw.interval = 20;
        let (t, x) = one_trigger(raw);
        assert_eq!(t.kind, kind);
        assert_eq!((t.start, t.end, t.repeat), (None, None, None));
        assert!(!t.enabled);
        assert_eq!(
            x,
            JobTriggerExtras {
                event_start: Some(date(2001, 3, 15).at(0, 0, 0, 0)),
                end_date: [2002, 1, 1],
                minutes_duration: 10,
                minutes_interval: 20,
                flags: trigger_flags::HAS_END_DATE,
                specific: [4, 5, 6],
                ..JobTriggerExtras::default()
            }
        );
    }
}

#[test]
fn extras_apply_only_where_the_model_holds_nothing() {
    // A daily trigger with unused words and a raw duration, edited into a weekly one with
    // repetition: the words Weekly uses and the duration now come from the model.
    let mut raw = T::new(1, [1, 0x0107, 9]);
    raw.duration = 30;
    let b = job_file(0, [Some("x"), None, None, None, None], &[raw]);
    let mut doc = read(&b, &opts("t")).unwrap();
    let t = &mut doc.entries[0].task.triggers[0];
    t.kind = TriggerKind::Weekly { every: 2, days: WeekdaySet::from_mask(0x41) };
    t.repeat = Some(Repetition {
        every: Duration::from_mins(5),
        duration: Some(Duration::from_mins(50)),
        stop_at_end: true,
    });
    let (t, x) = read_one(&write(&doc).unwrap());
    assert_eq!(t.triggers[0].kind, TriggerKind::Weekly { every: 2, days: WeekdaySet::from_mask(0x41) });
    assert_eq!(t.triggers[0].repeat.unwrap().duration, Some(Duration::from_mins(50)));
    assert_eq!(x.triggers[0].specific, [0, 0x0100, 9]);
    assert_eq!(x.triggers[0].minutes_duration, 0);

    // An event trigger's begin date comes from the extras, unless they hold one no file
    // can; then it is the first day a SYSTEMTIME holds.
    let mut task = Task::new("x", "x");
    task.triggers.push(Trigger::new(TriggerKind::OnIdle));
    let mut e = Entry::new(task);
    let mut x = JobExtras::default();
    x.triggers.push(JobTriggerExtras {
        event_start: Some(date(2001, 3, 15).at(8, 0, 0, 0)),
        ..JobTriggerExtras::default()
    });
    e.extras.job = Some(x.clone());
    let doc = Document { entries: vec![e.clone()], warnings: vec![] };
    let (_, back) = read_one(&write(&doc).unwrap());
    assert_eq!(back.triggers, x.triggers);
    x.triggers[0].event_start = Some(date(1000, 1, 1).at(0, 0, 0, 0));
    e.extras.job = Some(x);
    let (_, back) = read_one(&write(&Document { entries: vec![e], warnings: vec![] }).unwrap());
    assert_eq!(back.triggers[0].event_start, Some(date(1601, 1, 1).at(0, 0, 0, 0)));
}

#[test]
fn task_settings_from_flags_and_fixed_fields() {
    let mut b = job_file(
        flags::DISABLED
            | flags::DELETE_WHEN_DONE
            | flags::START_ONLY_IF_IDLE
            | flags::KILL_ON_IDLE_END
            | flags::RESTART_ON_IDLE_RESUME
            | flags::DONT_START_IF_ON_BATTERIES
            | flags::KILL_IF_GOING_ON_BATTERIES
            | flags::SYSTEM_REQUIRED
            | flags::HIDDEN
            | flags::INTERACTIVE
            | flags::RUN_ONLY_IF_LOGGED_ON
            | 0x8000_0000,
        [Some("a.exe"), Some(""), Some(""), Some("me"), None],
        &[],
    );
    set_u16(&mut b, 28, 90); // idle deadline
    set_u16(&mut b, 30, 5); // idle wait
    set_u32(&mut b, 36, NO_TIME_LIMIT);
    for (class, p) in [
        (0x20, Priority::Normal),
        (0x40, Priority::Idle),
        (0x80, Priority::High),
        (0x100, Priority::Realtime),
    ] {
        set_u32(&mut b, 32, class);
        let (t, x) = read_one(&b);
        assert_eq!(t.priority, p);
        assert!(!t.enabled && t.delete_when_done && t.wake_to_run);
        assert_eq!(
            t.idle,
            Some(IdleSettings {
                start_only_if_idle: true,
                idle_for: Duration::from_mins(5),
                wait_up_to: Duration::from_mins(90),
                stop_on_idle_end: true,
                restart_on_idle_resume: true,
            })
        );
        assert_eq!(t.power, Some(PowerSettings { no_start_on_batteries: true, stop_on_batteries: true }));
        assert_eq!(t.max_run_time, None);
        assert_eq!(
            x.other_flags,
            flags::HIDDEN | flags::INTERACTIVE | flags::RUN_ONLY_IF_LOGGED_ON | 0x8000_0000
        );
        // A lone NUL: empty, not absent.
        assert!(t.args.is_empty() && x.parameters_nul);
        assert_eq!(t.working_dir.as_deref(), Some(""));
        assert_eq!(t.comment, None);
        assert_eq!(x.status, status::HAS_NOT_RUN);
        assert!(t.triggers.is_empty());
        let doc = read(&b, &opts("t")).unwrap();
        assert_eq!(write(&doc).unwrap(), b);
    }
}

#[test]
fn strings_absent_empty_odd_parameters_and_signature() {
    let mut b =
        job_file(0, [Some(""), Some("  a   \"b\"  "), None, None, Some("é 😀")], &[T::new(0, [0; 3])]);
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend((0..64).map(|i| i as u8));
    let (t, x) = read_one(&b);
    assert_eq!(t.command, "");
    assert!(x.application_name_nul);
    assert_eq!(t.args, ["a", "b"]);
    assert_eq!(x.parameters.as_deref(), Some("  a   \"b\"  "));
    assert_eq!(t.comment.as_deref(), Some("é 😀"));
    assert_eq!(x.signature.map(|s| s[63]), Some(63));
    let doc = read(&b, &opts("t")).unwrap();
    assert_eq!(write(&doc).unwrap(), b);

    // Once the arguments change, the odd form is dropped and they are joined.
    let mut doc = doc;
    doc.entries[0].task.args = vec!["a b".into()];
    let (t, x) = read_one(&write(&doc).unwrap());
    assert_eq!(t.args, ["a b"]);
    assert_eq!(x.parameters, None);
}

#[test]
fn user_data_and_no_reserved_data() {
    let mut b = job_file(0, [Some("x"), None, None, None, None], &[]);
    // Replace "user data 0, reserved 8 + 8 zero bytes" with "user data 3, reserved 0".
    let tail = b.len() - 2 - 12;
    b.truncate(tail);
    b.extend_from_slice(&[3, 0, 0xAA, 0xBB, 0xCC, 0, 0, 0, 0]);
    let count_at = (b.len() - 2) as u16;
    set_u16(&mut b, 22, count_at);
    let (_, x) = read_one(&b);
    assert_eq!(x.user_data, [0xAA, 0xBB, 0xCC]);
    assert_eq!(x.reserved, None);
    assert_eq!(write(&read(&b, &opts("t")).unwrap()).unwrap(), b);
}

#[test]
fn an_end_date_before_the_begin_date_is_read_with_a_warning() {
    let mut raw = T::new(1, [1, 0, 0]);
    raw.end = [2020, 1, 1];
    raw.flags = trigger_flags::HAS_END_DATE;
    let b = job_file(0, [Some("x"), None, None, None, None], &[raw]);
    let doc = read(&b, &opts("t")).unwrap();
    let [w] = doc.warnings.as_slice() else { panic!("one warning") };
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(
        w.to_string(),
        "warning: the end date `2020-01-01` is before the begin date `2026-03-01`: Windows accepts it, but the trigger never fires\n  --> <input>: byte 108 (0x6C), field `trigger 1: End Year`"
    );
    assert_eq!(write(&doc).unwrap(), b);
}

// ---------------------------------------------------------------------------------------
// Every error of the reader, pinned: offset, field and message.

/// wintask.job's trigger starts here.
const T0: usize = 0x350;

fn wintask_with(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut b = WINTASK.to_vec();
    f(&mut b);
    b
}

#[test]
fn reader_errors_are_pinned() {
    let cases: Vec<(&str, Vec<u8>, usize, &str, &str)> = vec![
        (
            "too short",
            WINTASK[..40].to_vec(),
            40,
            "FIXDLEN_DATA",
            "the file is 40 bytes long; expected at least the 68-byte fixed section of a .job file",
        ),
        (
            "file version",
            wintask_with(|b| set_u16(b, 2, 2)),
            2,
            "File Version",
            "expected file version `1`, but found `2`",
        ),
        (
            "app name offset",
            wintask_with(|b| set_u16(b, 20, 0x48)),
            20,
            "App Name Len Offset",
            "expected `0x0046` (the application name follows the running instance count), but found `0x0048`",
        ),
        (
            "trigger offset",
            wintask_with(|b| set_u16(b, 22, 0x350)),
            22,
            "Trigger Offset",
            "expected `0x034E` (the trigger count follows the reserved data), but found `0x0350`",
        ),
        (
            "priority",
            wintask_with(|b| set_u32(b, 32, 0x8000)),
            32,
            "Priority",
            "expected one of `0x20` (normal), `0x40` (idle), `0x80` (high) or `0x100` (realtime), but found `0x8000`",
        ),
        (
            "fixed section ends in the running instance count",
            WINTASK[..69].to_vec(),
            68,
            "Running Instance Count",
            "unexpected end of file: expected 2 bytes, but found 1",
        ),
        (
            "string past the end",
            wintask_with(|b| set_u16(b, 0x46, 0x7FFF)),
            0x48,
            "Application Name",
            "the string runs past the end of the file: its count `32767` needs 65534 bytes, but 824 remain",
        ),
        (
            "string without its NUL",
            wintask_with(|b| set_u16(b, 0xEE, 0x41)),
            0xEE,
            "Parameters",
            "expected the string to end with a NUL character, but found `0x0041`",
        ),
        (
            "unpaired surrogate",
            wintask_with(|b| set_u16(b, 0xF6, 0xD800)),
            0xF4,
            "Author",
            "expected UTF-16 text, but found the unpaired surrogate `0xD800`",
        ),
        (
            "reserved data size",
            wintask_with(|b| set_u16(b, 0x344, 4)),
            0x344,
            "Reserved Data Size",
            "expected `0` or `8` (MS-TSCH <14>), but found `4`",
        ),
        (
            "truncated user data",
            wintask_with(|b| set_u16(b, 0x342, 0x100)),
            0x344,
            "User Data",
            "unexpected end of file: expected 256 bytes, but found 60",
        ),
        (
            "missing trigger count",
            WINTASK[..0x34F].to_vec(),
            0x34E,
            "Trigger Count",
            "unexpected end of file: expected 2 bytes, but found 1",
        ),
        (
            "truncated trigger",
            WINTASK[..0x370].to_vec(),
            0x370,
            "trigger 1: TriggerType",
            "unexpected end of file: expected 4 bytes, but found 0",
        ),
        (
            "more triggers than bytes",
            wintask_with(|b| set_u16(b, 0x34E, 2)),
            0x380,
            "trigger 2: cbTriggerSize",
            "unexpected end of file: expected 2 bytes, but found 0",
        ),
        (
            "trigger size",
            wintask_with(|b| set_u16(b, T0, 47)),
            T0,
            "trigger 1: cbTriggerSize",
            "expected `48`, but found `47`",
        ),
        (
            "begin year",
            wintask_with(|b| set_u16(b, T0 + 4, 1600)),
            T0 + 4,
            "trigger 1: Begin Year",
            "expected a year from `1601` to `9999`, but found `1600`",
        ),
        (
            "begin year past jiff",
            wintask_with(|b| set_u16(b, T0 + 4, 30827)),
            T0 + 4,
            "trigger 1: Begin Year",
            "expected a year from `1601` to `9999`, but found `30827`",
        ),
        (
            "begin month",
            wintask_with(|b| set_u16(b, T0 + 6, 13)),
            T0 + 6,
            "trigger 1: Begin Month",
            "expected a month from `1` to `12`, but found `13`",
        ),
        (
            "begin day: February 30",
            wintask_with(|b| {
                set_u16(b, T0 + 6, 2);
                set_u16(b, T0 + 8, 30);
            }),
            T0 + 8,
            "trigger 1: Begin Day",
            "expected a day of 2013-02 from `1` to `28`, but found `30`",
        ),
        (
            "end date with HAS_END_DATE",
            wintask_with(|b| {
                set_u32(b, T0 + 28, trigger_flags::HAS_END_DATE);
                set_u16(b, T0 + 10, 2014);
                set_u16(b, T0 + 12, 4);
                set_u16(b, T0 + 14, 31);
            }),
            T0 + 14,
            "trigger 1: End Day",
            "expected a day of 2014-04 from `1` to `30`, but found `31`",
        ),
        (
            "end year with HAS_END_DATE",
            wintask_with(|b| set_u32(b, T0 + 28, trigger_flags::HAS_END_DATE)),
            T0 + 10,
            "trigger 1: End Year",
            "expected a year from `1601` to `9999`, but found `0`",
        ),
        (
            "start hour",
            wintask_with(|b| set_u16(b, T0 + 16, 24)),
            T0 + 16,
            "trigger 1: Start Hour",
            "expected an hour from `0` to `23`, but found `24`",
        ),
        (
            "start minute",
            wintask_with(|b| set_u16(b, T0 + 18, 60)),
            T0 + 18,
            "trigger 1: Start Minute",
            "expected a minute from `0` to `59`, but found `60`",
        ),
        (
            "duration not longer than the interval",
            wintask_with(|b| set_u32(b, T0 + 20, 60)),
            T0 + 20,
            "trigger 1: MinutesDuration",
            "expected more than MinutesInterval (`60`) since the trigger repeats, but found `60`",
        ),
        (
            "trigger type",
            wintask_with(|b| set_u32(b, T0 + 32, 8)),
            T0 + 32,
            "trigger 1: TriggerType",
            "expected a trigger type from `0` (once) to `7` (at logon), but found `8`",
        ),
        (
            "days interval",
            wintask_with(|b| set_u16(b, T0 + 36, 0)),
            T0 + 36,
            "trigger 1: Specific0",
            "expected a DaysInterval of at least `1`, but found `0`",
        ),
        (
            "weeks interval",
            wintask_with(|b| {
                set_u32(b, T0 + 32, 2);
                set_u16(b, T0 + 36, 0);
            }),
            T0 + 36,
            "trigger 1: Specific0",
            "expected a WeeksInterval of at least `1`, but found `0`",
        ),
        (
            "weekday mask",
            wintask_with(|b| {
                set_u32(b, T0 + 32, 2);
                set_u16(b, T0 + 38, 0x80);
            }),
            T0 + 38,
            "trigger 1: Specific1",
            "expected a weekday mask with at least one day (`0x01` Sunday .. `0x40` Saturday), but found `0x0080`",
        ),
        (
            "day mask",
            wintask_with(|b| {
                set_u32(b, T0 + 32, 3);
                set_u16(b, T0 + 36, 0);
                set_u16(b, T0 + 38, 0x8000);
            }),
            T0 + 36,
            "trigger 1: Specific0",
            "expected a day mask with at least one of days 1..31 (bits 0..30), but found `0x80000000`",
        ),
        (
            "month mask",
            wintask_with(|b| set_u32(b, T0 + 32, 3)),
            T0 + 40,
            "trigger 1: Specific2",
            "expected a month mask with at least one month (`0x001` January .. `0x800` December), but found `0x0000`",
        ),
        (
            "which week",
            wintask_with(|b| {
                set_u32(b, T0 + 32, 4);
                set_u16(b, T0 + 36, 6);
            }),
            T0 + 36,
            "trigger 1: Specific0",
            "expected a week from `1` (first) to `5` (last), but found `6`",
        ),
        (
            "bytes left over",
            wintask_with(|b| b.extend_from_slice(&[0; 5])),
            0x380,
            "Job Signature",
            "expected the end of the file or a 68-byte signature block after the triggers, but found 5 more bytes",
        ),
        (
            "signature versions",
            wintask_with(|b| {
                b.extend_from_slice(&[2, 0, 1, 0]);
                b.extend_from_slice(&[0; 64]);
            }),
            0x380,
            "Job Signature",
            "expected a signature block of version `1` and minimum client version `1`, but found `2` and `1`",
        ),
    ];
    for (what, bytes, offset, field, message) in cases {
        assert_eq!(read_error(&bytes), (offset, field.to_string(), message.to_string()), "{what}");
    }
}

#[test]
fn reader_errors_render_with_offset_and_field() {
    let err = read(&wintask_with(|b| set_u16(b, 2, 2)), &opts("t")).unwrap_err();
    assert_eq!(
        err.in_file("a.job").to_string(),
        "error: expected file version `1`, but found `2`\n  --> a.job: byte 2 (0x2), field `File Version`"
    );
}

// ---------------------------------------------------------------------------------------
// Writing new tasks, losses and refusals.

fn new_task() -> Task {
    let mut t = Task::new("backup", r"C:\bin\backup.exe");
    t.args = vec!["--full".into(), r"C:\Program Files".into()];
    t.triggers.push(
        Trigger::new(TriggerKind::Weekly { every: 1, days: WeekdaySet::from_mask(0x2A) })
            .starting(Start::civil(date(2026, 1, 7).at(6, 0, 0, 0))),
    );
    t
}

#[test]
fn a_new_task_gets_the_defaults() {
    let task = new_task();
    let doc = Document::from_tasks([task.clone()]);
    assert!(losses(&doc.entries[0]).is_empty());
    let b = write(&doc).unwrap();
    assert_eq!(&b[0..4], &[0x01, 0x06, 0x01, 0x00], "product 0x0601, file 1");
    assert_eq!(&b[20..22], &[0x46, 0]);
    let (t, x) = read_one(&b);
    assert_eq!(Task { name: task.name.clone(), ..t }, task);
    assert_eq!(x.uuid, Guid::from_name("backup"));
    assert_eq!(x.status, status::HAS_NOT_RUN);
    assert_eq!(x.other_flags, flags::APPLICATION_NAME);
    assert_eq!(x.reserved, Some(TaskReserved::default()));
    assert_eq!(x.parameters, None);
    assert_eq!(u32::from_le_bytes([b[36], b[37], b[38], b[39]]), 259_200_000, "72 hours");
    assert_eq!(&b[28..32], &[60, 0, 10, 0], "idle deadline 60, wait 10");
    assert_eq!(b.len(), 68 + 2 + (2 + 2 * 18) + (2 + 2 * 26) + 3 * 2 + 2 + 10 + 2 + 48);

    // No triggers: "not scheduled"; no command: no AN bit.
    let (_, x) = read_one(&write(&Document::from_tasks([Task::new("x", "")])).unwrap());
    assert_eq!(x.status, status::NOT_SCHEDULED);
    assert_eq!(x.other_flags, 0);
}

#[test]
fn write_needs_exactly_one_task() {
    for n in [0, 2] {
        let doc = Document::from_tasks((0..n).map(|_| new_task()));
        assert_eq!(
            write_errors(&doc),
            [format!("a .job file holds exactly one task, but the document holds {n}")]
        );
    }
}

fn entry(task: Task) -> Entry {
    Entry::new(task)
}

#[test]
fn losses_name_everything_a_job_cannot_hold() {
    let mut t = new_task();
    t.time_zone = Some("Europe/Paris".into());
    t.run_as = Some("backup".into());
    t.environment.insert("LANG".into(), "C".into());
    t.environment.insert("TZ".into(), "UTC".into());
    t.multiple_instances = MultipleInstances::Parallel;
    t.start_when_available = true;
    t.priority = Priority::BelowNormal;
    t.idle = Some(IdleSettings { idle_for: Duration::from_secs(90), ..IdleSettings::default() });
    let start = date(2026, 1, 7).at(6, 0, 0, 0);
    let cal = |kind| Trigger::new(kind).starting(Start::civil(start));
    let cron = "0 6 * * 1".parse().unwrap();
    t.triggers = vec![
        cal(TriggerKind::Cron(cron)),
        cal(TriggerKind::MonthlyWeekday {
            weeks: WeekSet::EMPTY.with(WeekOfMonth::First).with(WeekOfMonth::Last),
            days: WeekdaySet::EMPTY.with(Weekday::Monday),
            months: MonthSet::ALL,
        }),
        cal(TriggerKind::Monthly {
            every: 1,
            days: MonthDays::EMPTY.with_day(15).with_last(),
            months: MonthSet::ALL,
        }),
        cal(TriggerKind::Monthly { every: 1, days: MonthDays::EMPTY.with_last(), months: MonthSet::ALL }),
        cal(TriggerKind::Monthly { every: 3, days: MonthDays::EMPTY.with_day(1), months: MonthSet::ALL }),
        cal(TriggerKind::Monthly { every: 5, days: MonthDays::EMPTY.with_day(1), months: MonthSet::ALL }),
        Trigger {
            random_delay: Some(Duration::from_mins(5)),
            dst_gap: sked_core::GapPolicy::Skip,
            start: Some(Start::pinned(date(2026, 1, 7).at(6, 0, 30, 0), jiff::tz::offset(2))),
            end: Some(End::At { datetime: date(2026, 6, 30).at(18, 0, 0, 0), offset: None }),
            repeat: Some(Repetition { every: Duration::from_secs(90), duration: None, stop_at_end: false }),
            ..cal(TriggerKind::Once)
        },
        Trigger::new(TriggerKind::AtStartup { delay: Duration::from_secs(30) }),
        Trigger {
            start: Some(Start::civil(start)),
            ..Trigger::new(TriggerKind::AtLogon { user: Some("alice".into()), delay: Duration::from_mins(1) })
        },
        Trigger {
            repeat: Some(Repetition {
                every: Duration::from_mins(10),
                duration: Some(Duration::from_mins(10)),
                stop_at_end: false,
            }),
            ..cal(TriggerKind::Daily { every: 1 })
        },
    ];
    let e = entry(t);
    let expected = [
        "time-zone `Europe/Paris`: a .job names no zone; its times are civil times in the zone of the machine that runs it",
        "run-as `backup`: a .job holds no account; Task Scheduler keeps the account and its credentials outside the file",
        "environment `LANG`, `TZ`: a .job has no environment variables",
        "multiple-instances `parallel`: a .job task never starts while it is running (`ignore-new`)",
        "start-when-available: a .job cannot start missed runs late",
        "priority `below-normal`: a .job holds only realtime, high, normal and idle; written as `normal`",
        "`idle.idle-for` `1m30s`: a .job holds whole minutes; written as `1m`",
        "trigger 1 (`cron`): cron `0 6 * * 1`: a .job has no cron trigger; the trigger is not written",
        "trigger 2 (`monthly-weekday`): a .job trigger holds one week, not `first`, `last`; written as 2 triggers, one per week",
        "trigger 3 (`monthly`): a .job cannot say the last day of the month; written without `last`",
        "trigger 4 (`monthly`): a .job cannot say the last day of the month; the trigger is not written",
        "trigger 5 (`monthly`): a .job has no month interval; every 3 months is written as the months `jan`, `apr`, `jul`, `oct`",
        "trigger 6 (`monthly`): every 5 months: a .job has no month interval; the trigger is not written",
        "trigger 7 (`once`): start `2026-01-07T06:00:30` is pinned to offset `+02`; a .job holds civil time, so it follows the zone of the machine",
        "trigger 7 (`once`): start `2026-01-07T06:00:30`: a .job holds hours and minutes; written as `06:00`",
        "trigger 7 (`once`): end `2026-06-30T18:00:00`: a .job holds an end date, not a time; written as the inclusive end date `2026-06-30`",
        "trigger 7 (`once`): repeat every `1m30s`: a .job holds whole minutes; written as `1m`",
        "trigger 7 (`once`): a repetition without `for` (indefinitely): a .job needs a duration; written as the longest, 4294967295 minutes",
        "trigger 7 (`once`): random-delay `5m`: a .job has no random delay",
        "trigger 7 (`once`): dst-gap `skip` and dst-fold `first`: a .job follows the defaults (`gap-end`, `first`)",
        "trigger 8 (`at-startup`): delay `30s`: a .job startup trigger has no delay",
        "trigger 9 (`at-logon`): user `alice`: a .job logon trigger fires for any user",
        "trigger 9 (`at-logon`): delay `1m`: a .job logon trigger has no delay",
        "trigger 9 (`at-logon`): start `2026-01-07T06:00:00`: sked's event triggers have no start; written as the .job begin date, which reads back as no start",
        "trigger 10 (`daily`): a .job repetition lasts longer than its interval; written as `for` 11 minutes",
    ];
    assert_eq!(losses(&e), expected);

    // None of them is fatal: the file is written, approximated.
    let b = write(&Document { entries: vec![e], warnings: vec![] }).unwrap();
    let (t, _) = read_one(&b);
    assert_eq!(t.priority, Priority::Normal);
    assert_eq!(t.idle.map(|i| i.idle_for), Some(Duration::from_mins(1)));
    let kinds: Vec<&str> = t.triggers.iter().map(|t| t.kind.key()).collect();
    assert_eq!(
        kinds,
        [
            "monthly-weekday",
            "monthly-weekday",
            "monthly",
            "monthly",
            "once",
            "at-startup",
            "at-logon",
            "daily"
        ]
    );
    assert!(
        matches!(&t.triggers[4], Trigger { start: Some(s), end: Some(End::Date(d)), repeat: Some(r), random_delay: None, .. }
        if s.datetime == date(2026, 1, 7).at(6, 0, 0, 0) && s.offset.is_none()
            && *d == date(2026, 6, 30) && r.every == Duration::from_mins(1)
            && r.duration == Some(Duration::from_mins(u64::from(u32::MAX))))
    );
    let TriggerKind::Monthly { months, .. } = t.triggers[3].kind else { panic!() };
    assert_eq!(months.iter().collect::<Vec<_>>(), [1, 4, 7, 10]);
}

#[test]
fn more_losses() {
    let start = Start::civil(date(2026, 2, 10).at(6, 0, 0, 0));
    let mut t = Task::new("x", "x");
    t.triggers = vec![
        // Every 6 months from February, but only in January and March: never.
        Trigger::new(TriggerKind::Monthly {
            every: 6,
            days: MonthDays::EMPTY.with_day(1),
            months: MonthSet::EMPTY.with(1).with(3),
        })
        .starting(start),
        Trigger {
            repeat: Some(Repetition {
                every: Duration::from_secs(30),
                duration: Some(Duration::from_secs(150)),
                stop_at_end: false,
            }),
            ..Trigger::new(TriggerKind::Once).starting(start)
        },
        Trigger {
            repeat: Some(Repetition {
                every: Duration::from_mins(2),
                duration: Some(Duration::from_secs(150)),
                stop_at_end: false,
            }),
            ..Trigger::new(TriggerKind::Once).starting(start)
        },
        Trigger { end: Some(End::Date(date(2027, 1, 1))), ..Trigger::new(TriggerKind::OnIdle) },
        Trigger {
            end: Some(End::At {
                datetime: date(2027, 1, 1).at(12, 0, 0, 0),
                offset: Some(jiff::tz::offset(-5)),
            }),
            ..Trigger::new(TriggerKind::Once).starting(start)
        },
    ];
    assert_eq!(
        losses(&entry(t.clone())),
        [
            "trigger 1 (`monthly`): every 6 months: none of its months is a multiple of 6 months after the start; the trigger is not written",
            "trigger 2 (`once`): repeat every `30s`: a .job repeats every minute at most often; the repetition is not written",
            "trigger 3 (`once`): repeat for `2m30s`: a .job holds whole minutes; written as `2m`",
            "trigger 3 (`once`): a .job repetition lasts longer than its interval; written as `for` 3 minutes",
            "trigger 4 (`on-idle`): the end and repetition of an event trigger are not written",
            "trigger 5 (`once`): end `2027-01-01T12:00:00-05`: a .job holds an end date, not a time; written as the inclusive end date `2027-01-01`",
        ]
    );
    let (back, _) = read_one(&write(&Document::from_tasks([t])).unwrap());
    let kinds: Vec<_> = back.triggers.iter().map(|t| (t.kind.key(), t.repeat, t.end)).collect();
    let rep = Repetition {
        every: Duration::from_mins(2),
        duration: Some(Duration::from_mins(3)),
        stop_at_end: false,
    };
    assert_eq!(
        kinds,
        [
            ("once", None, None),
            ("once", Some(rep), None),
            ("on-idle", None, None),
            ("once", None, Some(End::Date(date(2027, 1, 1)))),
        ]
    );
}

#[test]
fn at_most_65535_triggers() {
    let mut t = Task::new("x", "x");
    t.triggers = vec![Trigger::new(TriggerKind::OnIdle); 65_536];
    assert_eq!(
        write_errors(&Document::from_tasks([t.clone()])),
        ["cannot write a .job: 65536 triggers; a .job holds at most 65535"]
    );
    t.triggers.pop();
    let b = write(&Document::from_tasks([t])).unwrap();
    assert_eq!(read_one(&b).0.triggers.len(), 65_535);
}

#[test]
fn write_refuses_what_a_job_cannot_encode() {
    let mut t = Task::new("x", "a".repeat(70_000));
    t.max_run_time = Some(Duration::from_hours(24 * 50));
    t.idle = Some(IdleSettings { wait_up_to: Duration::from_mins(70_000), ..IdleSettings::default() });
    t.triggers = vec![
        Trigger::new(TriggerKind::Daily { every: 0 })
            .starting(Start::civil(date(1600, 12, 31).at(0, 0, 0, 0))),
        Trigger::new(TriggerKind::Weekly { every: 70_000, days: WeekdaySet::EMPTY }),
        Trigger {
            end: Some(End::Date(date(1500, 1, 1))),
            repeat: Some(Repetition {
                every: Duration::from_mins(1 << 33),
                duration: None,
                stop_at_end: false,
            }),
            ..Trigger::new(TriggerKind::Monthly { every: 0, days: MonthDays::EMPTY, months: MonthSet::EMPTY })
                .starting(Start::civil(date(2026, 1, 1).at(0, 0, 0, 0)))
        },
        Trigger::new(TriggerKind::Monthly { every: 1, days: MonthDays::EMPTY, months: MonthSet::EMPTY })
            .starting(Start::civil(date(2026, 1, 1).at(0, 0, 0, 0))),
        Trigger::new(TriggerKind::MonthlyWeekday {
            weeks: WeekSet::EMPTY,
            days: WeekdaySet::EMPTY,
            months: MonthSet::EMPTY,
        })
        .starting(Start::civil(date(2026, 1, 1).at(0, 0, 0, 0))),
    ];
    let expected = [
        "`command` is 70000 UTF-16 characters long; a .job string holds at most 65534",
        "the strings and user data take 140024 bytes; a .job must hold its trigger count within the first 65535 bytes",
        "max-run-time `50d` is longer than a .job holds (4294967294 ms, about 49.7 days); give a shorter limit, or `none` for no limit",
        "`idle.wait-up-to` is 70000 minutes; a .job holds at most 65535",
        "trigger 1 (`daily`): every 0 days; a .job needs at least 1",
        "trigger 1 (`daily`): start `1600-12-31T00:00:00` is before 1601, the first year a .job holds",
        "trigger 2 (`weekly`): every 70000 weeks; a .job holds at most 65535",
        "trigger 2 (`weekly`) has no weekday; a .job needs at least one",
        "trigger 2 (`weekly`) has no start; a .job trigger needs a begin date and start time",
        "trigger 3 (`monthly`): every 0 months; a .job needs at least 1",
        "trigger 4 (`monthly`) has no day; a .job needs at least one",
        "trigger 4 (`monthly`) has no month; a .job needs at least one",
        "trigger 5 (`monthly-weekday`) has no weekday; a .job needs at least one",
        "trigger 5 (`monthly-weekday`) has no month; a .job needs at least one",
        "trigger 5 (`monthly-weekday`) has no week; a .job needs one",
    ];
    let e = entry(t.clone());
    assert_eq!(losses(&e), expected);
    let doc = Document::from_tasks([t]);
    let errors = write_errors(&doc);
    let want: Vec<String> = expected.iter().map(|m| format!("cannot write a .job: {m}")).collect();
    assert_eq!(errors, want);

    // A repetition or end that does not fit, and too much user data.
    let mut t = new_task();
    t.triggers[0].end = Some(End::Date(date(1500, 1, 1)));
    t.triggers[0].repeat = Some(Repetition {
        every: Duration::from_mins(1 << 33),
        duration: Some(Duration::from_mins(1 << 34)),
        stop_at_end: false,
    });
    let mut e = entry(t);
    e.extras.job = Some(JobExtras { user_data: vec![0; 70_000], ..JobExtras::default() });
    assert_eq!(
        losses(&e),
        [
            "the user data is 70000 bytes long; a .job holds at most 65535",
            "the strings and user data take 70110 bytes; a .job must hold its trigger count within the first 65535 bytes",
            "trigger 1 (`weekly`): end `1500-01-01` is before 1601, the first year a .job holds",
            "trigger 1 (`weekly`): the repetition does not fit a .job, which holds at most 4294967295 minutes",
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Properties.

fn valid_date() -> impl Strategy<Value = Date> {
    (1601i16..=9999, 1i8..=12, 1i8..=31).prop_map(|(y, m, d)| {
        let first = date(y, m, 1);
        date(y, m, d.min(first.days_in_month()))
    })
}

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("\\PC{{0,{max}}}")).unwrap()
}

/// A calendar or event trigger a .job holds exactly, with extras the reader would give.
fn trigger() -> impl Strategy<Value = (Trigger, JobTriggerExtras)> {
    let kind = prop_oneof![
        Just(TriggerKind::Once),
        (1u32..=65535).prop_map(|every| TriggerKind::Daily { every }),
        (1u32..=65535, 1u8..=0x7F)
            .prop_map(|(every, d)| TriggerKind::Weekly { every, days: WeekdaySet::from_mask(d) }),
        (1u32..=0x7FFF_FFFF, 1u16..=0xFFF).prop_map(|(d, m)| TriggerKind::Monthly {
            every: 1,
            days: MonthDays::from_mask(d),
            months: MonthSet::from_mask(m)
        }),
        (1u16..=5, 1u8..=0x7F, 1u16..=0xFFF).prop_map(|(w, d, m)| {
            TriggerKind::MonthlyWeekday {
                weeks: WeekSet::EMPTY.with(WeekOfMonth::from_windows_number(w).unwrap()),
                days: WeekdaySet::from_mask(d),
                months: MonthSet::from_mask(m),
            }
        }),
        Just(TriggerKind::OnIdle),
        Just(TriggerKind::AtStartup { delay: Duration::ZERO }),
        Just(TriggerKind::AtLogon { user: None, delay: Duration::ZERO }),
    ];
    let repeat =
        prop::option::of((1u32..u32::MAX, any::<u32>(), any::<bool>()).prop_map(|(every, extra, stop)| {
            let duration = u64::from(every) + 1 + u64::from(extra) % u64::from(u32::MAX - every);
            Repetition {
                every: Duration::from_mins(every.into()),
                duration: Some(Duration::from_mins(duration)),
                stop_at_end: stop,
            }
        }));
    (
        kind,
        valid_date(),
        0i8..24,
        0i8..60,
        prop::option::of(0i32..5000),
        repeat,
        any::<bool>(),
        (any::<[u16; 6]>(), any::<[u32; 3]>(), any::<[u16; 3]>()),
    )
        .prop_map(|(kind, day, h, mi, end, repeat, enabled, (w, l, tail))| {
            let begin = day.at(h, mi, 0, 0);
            let event = kind.is_event();
            let used = trigger_type::used_bits(match &kind {
                TriggerKind::Once => 0,
                TriggerKind::Daily { .. } => 1,
                TriggerKind::Weekly { .. } => 2,
                TriggerKind::Monthly { .. } => 3,
                TriggerKind::MonthlyWeekday { .. } => 4,
                _ => 5,
            });
            let mut t = Trigger::new(kind);
            t.enabled = enabled;
            let mut x = JobTriggerExtras {
                reserved1: w[0],
                specific: [w[1] & !used[0], w[2] & !used[1], w[3] & !used[2]],
                padding: tail[0],
                reserved2: tail[1],
                random_minutes: tail[2],
                ..JobTriggerExtras::default()
            };
            let raw_end = [w[4], w[5], w[0]];
            if event {
                x.event_start = Some(begin);
                x.end_date = raw_end;
                x.minutes_duration = l[0];
                x.minutes_interval = l[1];
                // HAS_END_DATE would need a valid end date; DISABLED is the model's.
                x.flags = l[2] & !(trigger_flags::HAS_END_DATE | trigger_flags::DISABLED);
            } else {
                t.start = Some(Start::civil(begin));
                t.end = end.and_then(|n| day.checked_add(jiff::Span::new().days(n)).ok()).map(End::Date);
                if t.end.is_none() {
                    x.end_date = raw_end;
                }
                let mut held = trigger_flags::HAS_END_DATE | trigger_flags::DISABLED;
                match repeat {
                    Some(r) => {
                        t.repeat = Some(r);
                        held |= trigger_flags::KILL_AT_DURATION_END;
                    }
                    None => x.minutes_duration = l[0],
                }
                x.flags = l[2] & !held;
            }
            (t, x)
        })
}

/// A task a .job holds exactly, with or without extras as the reader gives them.
fn job_entry() -> impl Strategy<Value = Entry> {
    let idle = prop::option::of((any::<[bool; 3]>(), any::<u16>(), any::<u16>()).prop_map(|(f, w, d)| {
        IdleSettings {
            start_only_if_idle: f[0],
            idle_for: Duration::from_mins(w.into()),
            wait_up_to: Duration::from_mins(d.into()),
            stop_on_idle_end: f[1],
            restart_on_idle_resume: f[2],
        }
    }))
    .prop_map(|i| i.filter(|i| *i != IdleSettings::default()));
    let power = prop::option::of(
        any::<[bool; 2]>()
            .prop_map(|p| PowerSettings { no_start_on_batteries: p[0], stop_on_batteries: p[1] }),
    )
    .prop_map(|p| p.filter(|p| *p != PowerSettings::default()));
    let task = (
        ("[a-z]{1,8}", text(30), prop::collection::vec(text(6), 0..4)),
        (prop::option::of(text(10)), prop::option::of(text(10)), prop::option::of(text(40))),
        (
            any::<[bool; 3]>(),
            prop_oneof![
                Just(Priority::Normal),
                Just(Priority::Idle),
                Just(Priority::High),
                Just(Priority::Realtime)
            ],
            prop::option::of(0u64..=0xFFFF_FFFE),
        ),
        idle,
        power,
        prop::collection::vec(trigger(), 0..4),
    );
    let extras = (
        any::<(u16, [u8; 16], u16, u16, u32, u32, u32, [u16; 8], u16)>(),
        any::<(bool, bool, bool)>(),
        prop::collection::vec(any::<u8>(), 0..16),
        prop::option::of(any::<(u32, u32)>()),
        prop::option::of(prop::collection::vec(any::<u8>(), 64)),
        any::<bool>(),
    );
    (task, extras).prop_map(
        |(
            ((name, command, args), (wd, author, comment), (b, priority, max), idle, power, trig),
            ((pv, uuid, rc, ri, exit, st, fl, lr, inst), (an, pn, odd), ud, res, sig, with),
        )| {
            let mut t = Task::new(name, command);
            t.args = args;
            t.working_dir = wd;
            t.author = author;
            t.comment = comment;
            t.enabled = b[0];
            t.delete_when_done = b[1];
            t.wake_to_run = b[2];
            t.priority = priority;
            t.max_run_time = max.map(Duration::from_millis);
            t.idle = idle;
            t.power = power;
            let (triggers, tx): (Vec<_>, Vec<_>) = trig.into_iter().unzip();
            t.triggers = triggers;
            let joined = winargs::join(&t.args);
            let x = JobExtras {
                product_version: pv,
                uuid: Guid(uuid),
                error_retry_count: rc,
                error_retry_interval: ri,
                exit_code: exit,
                status: st,
                other_flags: fl & !flags::MODEL,
                last_run: SystemTime {
                    year: lr[0],
                    month: lr[1],
                    weekday: lr[2],
                    day: lr[3],
                    hour: lr[4],
                    minute: lr[5],
                    second: lr[6],
                    milliseconds: lr[7],
                },
                running_instances: inst,
                application_name_nul: an && t.command.is_empty(),
                parameters_nul: pn && joined.is_empty() && !odd,
                parameters: odd.then(|| format!(" {joined}  ")),
                user_data: ud,
                reserved: res.map(|(start_error, task_flags)| TaskReserved { start_error, task_flags }),
                triggers: tx,
                signature: sig.map(|s| s.try_into().unwrap()),
            };
            Entry {
                task: t,
                action: crate::Action::Replace,
                extras: Extras { job: with.then_some(x), ..Extras::default() },
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// read(write(doc)) == doc for every task a .job holds, and a file written from a task
    /// without extras reads back to the same task and then round-trips exactly.
    #[test]
    fn round_trip(e in job_entry()) {
        prop_assert_eq!(losses(&e), Vec::<String>::new());
        let name = e.task.name.clone();
        let doc = Document { entries: vec![e], warnings: vec![] };
        let bytes = write(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = read(&bytes, &opts(&name)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if doc.entries[0].extras.job.is_some() {
            prop_assert_eq!(&back, &doc);
        } else {
            prop_assert_eq!(&back.entries[0].task, &doc.entries[0].task);
            prop_assert!(back.warnings.is_empty());
        }
        prop_assert_eq!(write(&back).unwrap(), bytes);
    }

    /// Arbitrary bytes never panic; anything accepted writes back byte for byte.
    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_read(&bytes)?;
    }

    /// Mutations of valid files (byte changes, truncations, insertions) never panic, and
    /// whatever still reads writes back byte for byte.
    #[test]
    fn mutated_files(
        e in job_entry(),
        use_wintask in any::<bool>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..8), 1..6),
    ) {
        let mut bytes = if use_wintask {
            WINTASK.to_vec()
        } else {
            write(&Document { entries: vec![e], warnings: vec![] }).unwrap()
        };
        for (at, value, how) in edits {
            let i = at.index(bytes.len().max(1));
            match how {
                0 if !bytes.is_empty() => bytes.truncate(i),
                1 => bytes.insert(i.min(bytes.len()), value),
                2 if !bytes.is_empty() => { bytes.remove(i.min(bytes.len() - 1)); }
                _ if !bytes.is_empty() => {
                    let last = bytes.len() - 1;
                    bytes[i.min(last)] = value;
                }
                _ => {}
            }
        }
        check_read(&bytes)?;
    }
}

fn check_read(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(doc) = read(bytes, &ReadOptions::default()) {
        let again = write(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&again[..], bytes);
        prop_assert_eq!(read(&again, &ReadOptions::default()).unwrap(), doc);
    }
    Ok(())
}

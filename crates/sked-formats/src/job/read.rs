//! The `.job` reader.

use jiff::civil::Date;
use sked_core::{
    Duration, End, IdleSettings, MonthDays, MonthSet, PowerSettings, Priority, Repetition, Start, Task,
    Trigger, TriggerKind, WeekOfMonth, WeekSet, WeekdaySet,
};

use super::bytes::{Field, Reader, error_at};
use super::extras::{Guid, JobExtras, JobTriggerExtras, SystemTime, TaskReserved};
use super::trigger_type::{self as tt, used_bits};
use super::{FIXED_LEN, NO_TIME_LIMIT, SIGNATURE_LEN, TRIGGER_LEN, flags, priority, trigger_flags};
use crate::{Diagnostic, Document, Entry, Error, Extras, Location, ReadOptions, winargs};

/// Reads a Task Scheduler 1.0 `.job` file (MS-TSCH 2.4) into a document of one task.
///
/// The task is named `opts.name`, or `untitled`: a `.job` file holds no name (Windows names
/// the task after the file). Everything the model cannot hold is kept in the entry's
/// [`JobExtras`], so that [`super::write()`] gives back the same bytes.
///
/// # Errors
///
/// An error at the byte offset of the faulty field, naming the field and what was
/// expected, for every file MS-TSCH 3.2.5.3.1 has a server reject and every value the
/// model cannot hold as read (see the [module documentation](super)).
pub fn read(input: &[u8], opts: &ReadOptions) -> Result<Document, Error> {
    if input.len() < FIXED_LEN {
        return Err(error_at(
            input.len(),
            Field::job("FIXDLEN_DATA"),
            format!(
                "the file is {} bytes long; expected at least the {FIXED_LEN}-byte fixed section of a .job file",
                input.len()
            ),
        ));
    }
    let mut r = Reader::new(input);
    let mut warnings = Vec::new();

    // Fixed-length section (MS-TSCH 2.4.1).
    let product_version = r.u16(Field::job("Product Version"))?;
    let at = r.pos();
    let file_version = r.u16(Field::job("File Version"))?;
    if file_version != 1 {
        return Err(error_at(
            at,
            Field::job("File Version"),
            format!("expected file version `1`, but found `{file_version}`"),
        ));
    }
    let uuid = Guid(r.array(Field::job("Job UUID"))?);
    let app_name_offset_at = r.pos();
    let app_name_offset = r.u16(Field::job("App Name Len Offset"))?;
    let trigger_offset_at = r.pos();
    let trigger_offset = r.u16(Field::job("Trigger Offset"))?;
    let error_retry_count = r.u16(Field::job("Error Retry Count"))?;
    let error_retry_interval = r.u16(Field::job("Error Retry Interval"))?;
    let idle_deadline = r.u16(Field::job("Idle Deadline"))?;
    let idle_wait = r.u16(Field::job("Idle Wait"))?;
    let at = r.pos();
    let priority = read_priority(r.u32(Field::job("Priority"))?, at)?;
    let max_run_time = r.u32(Field::job("Maximum Run Time"))?;
    let exit_code = r.u32(Field::job("Exit Code"))?;
    let status = r.u32(Field::job("Status"))?;
    let job_flags = r.u32(Field::job("Flags"))?;
    let mut lr = [0u16; 8];
    for w in &mut lr {
        *w = r.u16(Field::job("Last Run Time"))?;
    }
    let last_run = SystemTime {
        year: lr[0],
        month: lr[1],
        weekday: lr[2],
        day: lr[3],
        hour: lr[4],
        minute: lr[5],
        second: lr[6],
        milliseconds: lr[7],
    };

    // Variable-length section (MS-TSCH 2.4.2).
    let running_instances = r.u16(Field::job("Running Instance Count"))?;
    if usize::from(app_name_offset) != r.pos() {
        return Err(error_at(
            app_name_offset_at,
            Field::job("App Name Len Offset"),
            format!(
                "expected `0x{:04X}` (the application name follows the running instance count), but found `0x{app_name_offset:04X}`",
                r.pos()
            ),
        ));
    }
    let application = counted_string(&mut r, Field::job("Application Name"))?;
    let parameters = counted_string(&mut r, Field::job("Parameters"))?;
    let working_dir = counted_string(&mut r, Field::job("Working Directory"))?;
    let author = counted_string(&mut r, Field::job("Author"))?;
    let comment = counted_string(&mut r, Field::job("Comment"))?;
    let size = r.u16(Field::job("User Data Size"))?;
    let user_data = r.bytes(usize::from(size), Field::job("User Data"))?.to_vec();
    let at = r.pos();
    let reserved = match r.u16(Field::job("Reserved Data Size"))? {
        0 => None,
        8 => Some(TaskReserved {
            start_error: r.u32(Field::job("Reserved Data: Start Error"))?,
            task_flags: r.u32(Field::job("Reserved Data: Task Flags"))?,
        }),
        n => {
            return Err(error_at(
                at,
                Field::job("Reserved Data Size"),
                format!("expected `0` or `8` (MS-TSCH <14>), but found `{n}`"),
            ));
        }
    };
    if usize::from(trigger_offset) != r.pos() {
        return Err(error_at(
            trigger_offset_at,
            Field::job("Trigger Offset"),
            format!(
                "expected `0x{:04X}` (the trigger count follows the reserved data), but found `0x{trigger_offset:04X}`",
                r.pos()
            ),
        ));
    }
    let count = r.u16(Field::job("Trigger Count"))?;
    let mut triggers = Vec::with_capacity(usize::from(count).min(r.remaining() / TRIGGER_LEN));
    let mut trigger_extras = Vec::with_capacity(triggers.capacity());
    for i in 0..usize::from(count) {
        let (t, x) = read_trigger(&mut r, i, &mut warnings)?;
        triggers.push(t);
        trigger_extras.push(x);
    }
    let signature = read_signature(&mut r)?;

    // The model.
    let parameters_text = parameters.as_deref().unwrap_or("");
    let args = winargs::split(parameters_text);
    let parameters_kept = (winargs::join(&args) != parameters_text).then(|| parameters_text.to_string());
    let idle = IdleSettings {
        start_only_if_idle: job_flags & flags::START_ONLY_IF_IDLE != 0,
        idle_for: Duration::from_mins(idle_wait.into()),
        wait_up_to: Duration::from_mins(idle_deadline.into()),
        stop_on_idle_end: job_flags & flags::KILL_ON_IDLE_END != 0,
        restart_on_idle_resume: job_flags & flags::RESTART_ON_IDLE_RESUME != 0,
    };
    let power = PowerSettings {
        no_start_on_batteries: job_flags & flags::DONT_START_IF_ON_BATTERIES != 0,
        stop_on_batteries: job_flags & flags::KILL_IF_GOING_ON_BATTERIES != 0,
    };
    let mut task = Task::new(
        opts.name.clone().unwrap_or_else(|| "untitled".to_string()),
        application.clone().unwrap_or_default(),
    );
    task.args = args;
    task.working_dir = working_dir;
    task.author = author;
    task.comment = comment;
    task.enabled = job_flags & flags::DISABLED == 0;
    task.priority = priority;
    task.max_run_time = (max_run_time != NO_TIME_LIMIT).then(|| Duration::from_millis(max_run_time.into()));
    task.delete_when_done = job_flags & flags::DELETE_WHEN_DONE != 0;
    task.wake_to_run = job_flags & flags::SYSTEM_REQUIRED != 0;
    task.idle = (idle != IdleSettings::default()).then_some(idle);
    task.power = (power != PowerSettings::default()).then_some(power);
    task.triggers = triggers;

    let extras = JobExtras {
        product_version,
        uuid,
        error_retry_count,
        error_retry_interval,
        exit_code,
        status,
        other_flags: job_flags & !flags::MODEL,
        last_run,
        running_instances,
        application_name_nul: application.as_deref() == Some(""),
        parameters_nul: parameters.as_deref() == Some(""),
        parameters: parameters_kept,
        user_data,
        reserved,
        triggers: trigger_extras,
        signature,
    };
    Ok(Document {
        entries: vec![Entry {
            task,
            action: crate::Action::Replace,
            extras: Extras { job: Some(extras), ..Extras::default() },
        }],
        warnings,
    })
}

fn read_priority(value: u32, at: usize) -> Result<Priority, Error> {
    Ok(match value {
        priority::NORMAL => Priority::Normal,
        priority::IDLE => Priority::Idle,
        priority::HIGH => Priority::High,
        priority::REALTIME => Priority::Realtime,
        other => {
            return Err(error_at(
                at,
                Field::job("Priority"),
                format!(
                    "expected one of `0x20` (normal), `0x40` (idle), `0x80` (high) or `0x100` (realtime), but found `0x{other:X}`"
                ),
            ));
        }
    })
}

/// A counted string (MS-TSCH 2.4.2.1): a character count including the terminating NUL,
/// then UTF-16LE text. `None` when the count is 0 (absent), `Some("")` for a lone NUL.
fn counted_string(r: &mut Reader<'_>, field: Field) -> Result<Option<String>, Error> {
    let count = r.u16(field)?;
    if count == 0 {
        return Ok(None);
    }
    let at = r.pos();
    let len = usize::from(count) * 2;
    if len > r.remaining() {
        return Err(error_at(
            at,
            field,
            format!(
                "the string runs past the end of the file: its count `{count}` needs {len} bytes, but {} remain",
                r.remaining()
            ),
        ));
    }
    let raw = r.bytes(len, field)?;
    let mut units = raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
    let last = usize::from(count) - 1;
    let text: Result<String, _> = char::decode_utf16(units.by_ref().take(last)).collect();
    let text = text.map_err(|e| {
        error_at(
            at,
            field,
            format!(
                "expected UTF-16 text, but found the unpaired surrogate `0x{:04X}`",
                e.unpaired_surrogate()
            ),
        )
    })?;
    match units.next() {
        Some(0) => Ok(Some(text)),
        other => Err(error_at(
            at + last * 2,
            field,
            format!(
                "expected the string to end with a NUL character, but found `0x{:04X}`",
                other.unwrap_or_default()
            ),
        )),
    }
}

/// The optional Job Signature (MS-TSCH 2.4.2.12): the only bytes allowed after the
/// triggers.
fn read_signature(r: &mut Reader<'_>) -> Result<Option<[u8; 64]>, Error> {
    let at = r.pos();
    let field = Field::job("Job Signature");
    match r.remaining() {
        0 => Ok(None),
        SIGNATURE_LEN => {
            let version = r.u16(field)?;
            let min_client = r.u16(field)?;
            if (version, min_client) != (1, 1) {
                return Err(error_at(
                    at,
                    field,
                    format!(
                        "expected a signature block of version `1` and minimum client version `1`, but found `{version}` and `{min_client}`"
                    ),
                ));
            }
            Ok(Some(r.array(field)?))
        }
        n => Err(error_at(
            at,
            field,
            format!(
                "expected the end of the file or a {SIGNATURE_LEN}-byte signature block after the triggers, but found {n} more bytes"
            ),
        )),
    }
}

/// The raw words of one trigger (MS-TSCH 2.4.2.11), in file order.
struct RawTrigger {
    base: usize,
    reserved1: u16,
    begin: [u16; 3],
    end: [u16; 3],
    hour: u16,
    minute: u16,
    duration: u32,
    interval: u32,
    flags: u32,
    ty: u32,
    specific: [u16; 3],
    padding: u16,
    reserved2: u16,
    random_minutes: u16,
}

/// Offsets of the fields inside a trigger, for error locations.
mod off {
    pub const BEGIN: usize = 4;
    pub const END: usize = 10;
    pub const HOUR: usize = 16;
    pub const MINUTE: usize = 18;
    pub const DURATION: usize = 20;
    pub const TYPE: usize = 32;
    pub const SPECIFIC: usize = 36;
}

fn raw_trigger(r: &mut Reader<'_>, i: usize) -> Result<RawTrigger, Error> {
    let f = |name| Field::trigger(i, name);
    let base = r.pos();
    let size = r.u16(f("cbTriggerSize"))?;
    if usize::from(size) != TRIGGER_LEN {
        return Err(error_at(
            base,
            f("cbTriggerSize"),
            format!("expected `{TRIGGER_LEN}`, but found `{size}`"),
        ));
    }
    Ok(RawTrigger {
        base,
        reserved1: r.u16(f("Reserved1"))?,
        begin: [r.u16(f("Begin Year"))?, r.u16(f("Begin Month"))?, r.u16(f("Begin Day"))?],
        end: [r.u16(f("End Year"))?, r.u16(f("End Month"))?, r.u16(f("End Day"))?],
        hour: r.u16(f("Start Hour"))?,
        minute: r.u16(f("Start Minute"))?,
        duration: r.u32(f("MinutesDuration"))?,
        interval: r.u32(f("MinutesInterval"))?,
        flags: r.u32(f("rgFlags"))?,
        ty: r.u32(f("TriggerType"))?,
        specific: [r.u16(f("Specific0"))?, r.u16(f("Specific1"))?, r.u16(f("Specific2"))?],
        padding: r.u16(f("Padding"))?,
        reserved2: r.u16(f("Reserved2"))?,
        random_minutes: r.u16(f("wRandomMinutesInterval"))?,
    })
}

fn read_trigger(
    r: &mut Reader<'_>,
    i: usize,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(Trigger, JobTriggerExtras), Error> {
    let raw = raw_trigger(r, i)?;
    let f = |name| Field::trigger(i, name);
    let at = |o: usize| raw.base + o;
    let [s0, s1, s2] = raw.specific;

    let begin = date(raw.begin, at(off::BEGIN), i, BEGIN)?;
    let begin = begin.at(
        time_part(raw.hour, 23, at(off::HOUR), f("Start Hour"), "an hour")?,
        time_part(raw.minute, 59, at(off::MINUTE), f("Start Minute"), "a minute")?,
        0,
        0,
    );
    let has_end = raw.flags & trigger_flags::HAS_END_DATE != 0;
    let end = if has_end { Some(date(raw.end, at(off::END), i, END)?) } else { None };

    let positive = |v: u16, o: usize, name, what| {
        if v == 0 {
            Err(error_at(at(o), f(name), format!("expected {what} of at least `1`, but found `0`")))
        } else {
            Ok(u32::from(v))
        }
    };
    let weekdays = |v: u16| {
        let days = WeekdaySet::from_mask((v & 0x7F) as u8);
        if days.is_empty() {
            Err(error_at(
                at(off::SPECIFIC + 2),
                f("Specific1"),
                format!(
                    "expected a weekday mask with at least one day (`0x01` Sunday .. `0x40` Saturday), but found `0x{v:04X}`"
                ),
            ))
        } else {
            Ok(days)
        }
    };
    let months = |v: u16| {
        let months = MonthSet::from_mask(v & 0x0FFF);
        if months.is_empty() {
            Err(error_at(
                at(off::SPECIFIC + 4),
                f("Specific2"),
                format!(
                    "expected a month mask with at least one month (`0x001` January .. `0x800` December), but found `0x{v:04X}`"
                ),
            ))
        } else {
            Ok(months)
        }
    };
    let kind = match raw.ty {
        tt::ONCE => TriggerKind::Once,
        tt::DAILY => {
            TriggerKind::Daily { every: positive(s0, off::SPECIFIC, "Specific0", "a DaysInterval")? }
        }
        tt::WEEKLY => TriggerKind::Weekly {
            every: positive(s0, off::SPECIFIC, "Specific0", "a WeeksInterval")?,
            days: weekdays(s1)?,
        },
        tt::MONTHLY_DATE => {
            let mask = (u32::from(s1) << 16 | u32::from(s0)) & 0x7FFF_FFFF;
            if mask == 0 {
                return Err(error_at(
                    at(off::SPECIFIC),
                    f("Specific0"),
                    format!(
                        "expected a day mask with at least one of days 1..31 (bits 0..30), but found `0x{:08X}`",
                        u32::from(s1) << 16 | u32::from(s0)
                    ),
                ));
            }
            TriggerKind::Monthly { every: 1, days: MonthDays::from_mask(mask), months: months(s2)? }
        }
        tt::MONTHLY_DOW => {
            let week = WeekOfMonth::from_windows_number(s0).ok_or_else(|| {
                error_at(
                    at(off::SPECIFIC),
                    f("Specific0"),
                    format!("expected a week from `1` (first) to `5` (last), but found `{s0}`"),
                )
            })?;
            TriggerKind::MonthlyWeekday {
                weeks: WeekSet::EMPTY.with(week),
                days: weekdays(s1)?,
                months: months(s2)?,
            }
        }
        tt::ON_IDLE => TriggerKind::OnIdle,
        tt::AT_SYSTEM_START => TriggerKind::AtStartup { delay: Duration::ZERO },
        tt::AT_LOGON => TriggerKind::AtLogon { user: None, delay: Duration::ZERO },
        other => {
            return Err(error_at(
                at(off::TYPE),
                f("TriggerType"),
                format!("expected a trigger type from `0` (once) to `7` (at logon), but found `{other}`"),
            ));
        }
    };

    let used = used_bits(raw.ty);
    let mut x = JobTriggerExtras {
        reserved1: raw.reserved1,
        event_start: None,
        end_date: [0; 3],
        minutes_duration: 0,
        minutes_interval: 0,
        flags: 0,
        specific: [s0 & !used[0], s1 & !used[1], s2 & !used[2]],
        padding: raw.padding,
        reserved2: raw.reserved2,
        random_minutes: raw.random_minutes,
    };
    let mut trigger = Trigger::new(kind);
    trigger.enabled = raw.flags & trigger_flags::DISABLED == 0;
    let mut held = trigger_flags::DISABLED;
    if tt::is_event(raw.ty) {
        x.event_start = Some(begin);
        x.end_date = raw.end;
        x.minutes_duration = raw.duration;
        x.minutes_interval = raw.interval;
    } else {
        trigger.start = Some(Start::civil(begin));
        held |= trigger_flags::HAS_END_DATE;
        match end {
            Some(end) => {
                if end < begin.date() {
                    warnings.push(Diagnostic::warning(
                        Location::Bytes {
                            offset: at(off::END),
                            field: f("End Year").to_string(),
                        },
                        format!(
                            "the end date `{end}` is before the begin date `{}`: Windows accepts it, but the trigger never fires",
                            begin.date()
                        ),
                    ));
                }
                trigger.end = Some(End::Date(end));
            }
            None => x.end_date = raw.end,
        }
        if raw.interval > 0 {
            if raw.duration <= raw.interval {
                return Err(error_at(
                    at(off::DURATION),
                    f("MinutesDuration"),
                    format!(
                        "expected more than MinutesInterval (`{}`) since the trigger repeats, but found `{}`",
                        raw.interval, raw.duration
                    ),
                ));
            }
            held |= trigger_flags::KILL_AT_DURATION_END;
            trigger.repeat = Some(Repetition {
                every: Duration::from_mins(raw.interval.into()),
                duration: Some(Duration::from_mins(raw.duration.into())),
                stop_at_end: raw.flags & trigger_flags::KILL_AT_DURATION_END != 0,
            });
        } else {
            x.minutes_duration = raw.duration;
        }
    }
    x.flags = raw.flags & !held;
    Ok((trigger, x))
}

/// The names of the Begin and End date words.
const BEGIN: [&str; 3] = ["Begin Year", "Begin Month", "Begin Day"];
const END: [&str; 3] = ["End Year", "End Month", "End Day"];

/// A date from three words at `at` (year, month, day, named by `names`), checked.
fn date(words: [u16; 3], at: usize, i: usize, names: [&'static str; 3]) -> Result<Date, Error> {
    let [y, m, d] = words;
    let err = |k: usize, message: String| error_at(at + 2 * k, Field::trigger(i, names[k]), message);
    if !(1601..=9999).contains(&y) {
        return Err(err(0, format!("expected a year from `1601` to `9999`, but found `{y}`")));
    }
    if !(1..=12).contains(&m) {
        return Err(err(1, format!("expected a month from `1` to `12`, but found `{m}`")));
    }
    // Both in range, checked above.
    let (y, m) = (y as i16, m as i8);
    if let Some(date) = i8::try_from(d).ok().and_then(|d| Date::new(y, m, d).ok()) {
        return Ok(date);
    }
    let last = Date::new(y, m, 1).map_or(28, |first| first.days_in_month());
    Err(err(2, format!("expected a day of {y:04}-{m:02} from `1` to `{last}`, but found `{d}`")))
}

fn time_part(v: u16, max: u16, at: usize, field: Field, what: &str) -> Result<i8, Error> {
    if v > max {
        return Err(error_at(at, field, format!("expected {what} from `0` to `{max}`, but found `{v}`")));
    }
    Ok(v as i8)
}

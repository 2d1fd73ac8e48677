//! JT.EXE command streams and property lines (windows-formats.md §4).
//!
//! JT.EXE (Windows 2000 Resource Kit) edits an in-memory "active job" with commands read
//! left to right: `/SJ prop=val ...` sets job properties, `/CTJ prop=val ...` adds a
//! trigger, `/SC user password` sets the account, `/SAJ name.job` saves the job as a task.
//! The MAKEMSI installer (seed 001) writes the same properties one a line,
//! `Key = Value ;;comment`, the job's first and then each trigger starting at `Type =`.
//! [`read`] takes both, mixed freely; [`write`] writes the command stream.
//!
//! ```
//! use sked_formats::{ReadOptions, jt};
//!
//! let text = r#"/SJ ApplicationName="C:\backup.exe" Parameters="--full D:\data"
//! /CTJ Type=DAILY TypeArguments=2 StartDate=03/02/2026 StartTime=06:00
//! /SAJ backup.job"#;
//! let doc = jt::read(text.as_bytes(), &ReadOptions::default())?;
//! let task = &doc.entries[0].task;
//! assert_eq!(task.name, "backup");
//! assert_eq!(task.args, ["--full", "D:\\data"]);
//! # Ok::<(), sked_formats::Error>(())
//! ```
//!
//! # The text
//! - A line whose first character is `/` or `@` holds commands. `;;` at the start of an
//!   argument begins a comment; lines starting with `;` or `#` are comments. A line of
//!   `Key=Value` arguments right after a `/SJ` or `/CTJ` line continues it.
//! - Any other line is a property line, `Key = Value`: the value is the rest of the line
//!   before a `;;` comment, trimmed; a value wrapped in double quotes loses them and nothing
//!   inside is special (decision: install-time values such as an MSI `[INSTALLDIR]` end with
//!   a backslash, which Windows quoting would read as an escaped quote). `Type =` starts a new trigger; the trigger
//!   properties that follow belong to it; job properties go to the job wherever they are;
//!   `Disabled` belongs to the current trigger once one has started, to the job before.
//! - Commands: `/SJ`, `/CTJ`, `/SC user password` (the password is never stored; `/SC ""
//!   NULL` is the LocalSystem account), `/SAJ name.job` (saves a task named `name`; the
//!   active job stays loaded, as in JT), `/SNJ name` (names the active job; decision: it is
//!   saved at the end of the text under that name), `/SD name.job` (an entry that deletes
//!   the task), `/PJ` and `/PTJ` (print; ignored). `/LJ file.job` and `@file` are refused:
//!   a text cannot load a file (read the `.job` with the `job` format, or paste the file).
//! - An active job changed and never saved is saved at the end under its `/SNJ` name, or
//!   [`ReadOptions::name`] (the installer names the task itself); changes made after the
//!   last `/SAJ` are dropped with a warning, as JT would drop them.
//!
//! # Properties
//! Job (the first ten were seen in use; the rest follow the API's names and are plausible
//! but unverified): `ApplicationName`, `Parameters` (a Windows parameter string, split into
//! the arguments), `WorkingDirectory`, `Comment`, `Creator`, `MaxRunTime` (milliseconds;
//! 4294967295 and more is no limit), `DontStartIfOnBatteries`, `KillIfGoingOnBatteries`,
//! `RunOnlyIfLoggedOn`, `DeleteWhenDone`, `SystemRequired` (wake to run), `Priority`
//! (`NORMAL`, `IDLE`, `HIGH`, `REALTIME`), `IdleWait` and `IdleDeadline` (minutes), `Hidden`,
//! `Disabled`, `StartOnlyIfIdle`, `KillOnIdleEnd`. Flags are `0` or `1`.
//!
//! Trigger: `Type` (`ONCE`, `DAILY`, `WEEKLY`, `MONTHLYDATE`, `MONTHLYDOW`, `ONIDLE`,
//! `ATSTARTUP`, `ATLOGON`, any case), `TypeArguments`, `StartDate` (in
//! [`ReadOptions::date_order`], or `TODAY`), `StartTime` (`HH:MM` or `NOW`), `EndDate`,
//! `HasEndDate`, `MinutesDuration`, `MinutesInterval`, `KillAtDuration`, `Disabled`.
//! `TypeArguments` by type (decisions: the digest leaves the day and month forms open):
//! - `DAILY`: `days` (default 1).
//! - `WEEKLY`: `weeks,DOW`, where DOW is seven positions from Sunday, each `.` (off) or the
//!   day's letter `SMTWTFS`, any case: `1,.M.W.F.` is every week on Monday, Wednesday and
//!   Friday.
//! - `MONTHLYDATE`: `day,day,...,MONTHS`: days 1 to 31, then twelve positions from
//!   January, each `.` or the month's letter `JFMAMJJASOND` (`1,15,J..A..J..O..` is the
//!   1st and 15th of January, April, July and October). Without the month string, every
//!   month.
//! - `MONTHLYDOW`: `week,DOW,MONTHS`, week `1`..`5` (5 = last) or `FIRST`..`FOURTH`,
//!   `LAST`; without the month string, every month.
//! - The others take none.
//!
//! Defaults follow `ITask::CreateTrigger`: no `StartDate` is today and no `StartTime` is
//! now, so [`read`] refuses a calendar trigger without them (there is no clock in a pure
//! reader) and [`read_at`] takes the current civil time. Decision: a trigger without
//! `Disabled` is enabled (the API's "new trigger is disabled" is the state before
//! `SetTrigger`, and every known use writes `Disabled=0`). `StartDate` and `StartTime` of
//! `ONIDLE`, `ATSTARTUP` and `ATLOGON` are checked and then ignored: events have no start.
//! `MinutesInterval` needs a `MinutesDuration` longer than it (§1.6).

mod write;

use jiff::civil::{Date, DateTime, Time};
use sked_core::{
    Duration, End, IdleSettings, MonthDays, MonthSet, PowerSettings, Priority, Repetition, Start, Task,
    Trigger, TriggerKind, WeekOfMonth, WeekSet, WeekdaySet,
};

pub use write::{losses, write, write_in, write_lossy};

use crate::schtasks::lex::{self, Line, Src, Tok};
use crate::schtasks::{SYSTEM, parse_date, parse_time};
use crate::{Action, Diagnostic, Document, Entry, Error, Extras, Location, ReadOptions};

/// What a JT source holds beyond the task model, kept so it writes back unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JtExtras {
    /// `Parameters` as written, when joining the task's arguments again would not give it
    /// back byte for byte.
    pub parameters: Option<String>,
    /// `RunOnlyIfLoggedOn=1` (TASK_FLAG_RUN_ONLY_IF_LOGGED_ON).
    pub run_only_if_logged_on: bool,
    /// `Hidden=1` (TASK_FLAG_HIDDEN).
    pub hidden: bool,
}

/// The 31-bit limit of a `.job` MaxRunTime: this many milliseconds and more mean no limit
/// (0xFFFFFFFF is INFINITE, §1.2).
pub const INFINITE_MS: u64 = 0xFFFF_FFFF;

/// Reads JT.EXE commands and property lines. A calendar trigger without `StartDate` or
/// `StartTime` is refused: use [`read_at`] to supply today and now.
pub fn read(input: &[u8], opts: &ReadOptions) -> Result<Document, Error> {
    read_at(input, opts, None)
}

/// Reads JT.EXE commands and property lines; `now` is the current civil time, used for
/// `TODAY`, `NOW` and absent start dates and times.
pub fn read_at(input: &[u8], opts: &ReadOptions, now: Option<DateTime>) -> Result<Document, Error> {
    let text = lex::decode(input, "JT")?;
    let index = lex::line_index(&text);
    let mut r = Reader {
        src: Src::text(&text, &index),
        opts,
        now,
        doc: Document::default(),
        errors: Vec::new(),
        job: Job::default(),
        target: Target::None,
        props_line: false,
    };
    for line in lex::lines(&text) {
        let body = &text[line.start..line.end];
        if lex::is_comment_line(body) || body.trim().is_empty() {
            continue;
        }
        let toks = lex::split_line(&text, line);
        let first = body.trim_start();
        let continues =
            r.props_line && !toks.is_empty() && toks.iter().all(|t| prop_token(&t.text).is_some());
        if first.starts_with('/') || first.starts_with('@') || continues {
            r.commands(&toks);
        } else {
            r.props_line = false;
            r.property_line(&text, line);
        }
    }
    r.finish();
    if r.errors.is_empty() { Ok(r.doc) } else { Err(Error::new(r.errors)) }
}

/// `Key=Value` as one argument: the key is letters only.
fn prop_token(s: &str) -> Option<(&str, &str)> {
    let (k, v) = s.split_once('=')?;
    (!k.is_empty() && k.bytes().all(|b| b.is_ascii_alphabetic())).then_some((k, v))
}

/// Where `Key=Value` arguments go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// Outside `/SJ` and `/CTJ`.
    None,
    /// After `/SJ`.
    Job,
    /// After `/CTJ`.
    Trigger,
}

/// A property as given: its canonical name, value, and where it is.
#[derive(Clone, Debug)]
struct Prop {
    key: &'static str,
    value: String,
    at: Location,
}

/// The active job.
#[derive(Clone, Debug, Default)]
struct Job {
    /// `/SNJ`.
    name: Option<String>,
    props: Vec<Prop>,
    triggers: Vec<Vec<Prop>>,
    run_as: Option<String>,
    /// Changed since the last `/SAJ`.
    dirty: bool,
    saved: bool,
}

const JOB_KEYS: [&str; 18] = [
    "ApplicationName",
    "Parameters",
    "WorkingDirectory",
    "Comment",
    "Creator",
    "MaxRunTime",
    "DontStartIfOnBatteries",
    "KillIfGoingOnBatteries",
    "RunOnlyIfLoggedOn",
    "DeleteWhenDone",
    "SystemRequired",
    "Priority",
    "IdleWait",
    "IdleDeadline",
    "Hidden",
    "Disabled",
    "StartOnlyIfIdle",
    "KillOnIdleEnd",
];

const TRIGGER_KEYS: [&str; 10] = [
    "Type",
    "TypeArguments",
    "StartDate",
    "StartTime",
    "EndDate",
    "HasEndDate",
    "MinutesDuration",
    "MinutesInterval",
    "KillAtDuration",
    "Disabled",
];

fn canonical(keys: &[&'static str], k: &str) -> Option<&'static str> {
    keys.iter().copied().find(|c| c.eq_ignore_ascii_case(k))
}

struct Reader<'a> {
    src: Src<'a>,
    opts: &'a ReadOptions,
    now: Option<DateTime>,
    doc: Document,
    errors: Vec<Diagnostic>,
    job: Job,
    target: Target,
    /// The last line was `/SJ` or `/CTJ` properties, which a `Key=Value` line continues.
    props_line: bool,
}

impl Reader<'_> {
    fn error(&mut self, at: Location, msg: impl Into<String>) {
        self.errors.push(Diagnostic::error(at, msg));
    }

    fn warn(&mut self, at: Location, msg: impl Into<String>) {
        self.doc.warnings.push(Diagnostic::warning(at, msg));
    }

    /// One line of commands.
    fn commands(&mut self, toks: &[Tok]) {
        let mut i = 0;
        while i < toks.len() {
            let tok = &toks[i];
            i += 1;
            let at = self.src.at(tok);
            if tok.text.starts_with('@') {
                self.error(
                    at,
                    format!(
                        "`{}` reads JT arguments from a file, which a text cannot do; paste that file's lines here instead",
                        tok.text
                    ),
                );
                continue;
            }
            let Some(cmd) = crate::schtasks::lex_switch(&tok.text) else {
                match prop_token(&tok.text) {
                    Some((k, v)) => self.stream_prop(k, v, at),
                    None => self.error(
                        at,
                        format!(
                            "unexpected `{}`; expected a JT command (/SJ, /CTJ, /SC, /SAJ, ...) or `Property=Value`",
                            tok.text
                        ),
                    ),
                }
                continue;
            };
            self.props_line = false;
            let mut arg = |n: usize, this: &mut Self| -> Option<Vec<Tok>> {
                let got: Vec<Tok> = toks[i..].iter().take(n).cloned().collect();
                if got.len() < n {
                    this.error(
                        this.src.at(tok),
                        format!("`{}` needs {n} argument{}", tok.text, if n == 1 { "" } else { "s" }),
                    );
                    i = toks.len();
                    return None;
                }
                i += n;
                Some(got)
            };
            match cmd.as_str() {
                "SJ" => {
                    self.target = Target::Job;
                    self.props_line = true;
                }
                "CTJ" => {
                    self.job.triggers.push(Vec::new());
                    self.job.dirty = true;
                    self.target = Target::Trigger;
                    self.props_line = true;
                }
                "SC" => {
                    self.target = Target::None;
                    if let Some(a) = arg(2, self) {
                        let (user, pwd) = (&a[0], &a[1]);
                        self.job.run_as = Some(if crate::schtasks::is_system(&user.text) {
                            SYSTEM.to_string()
                        } else {
                            user.text.clone()
                        });
                        self.job.dirty = true;
                        if !pwd.text.is_empty() && !pwd.text.eq_ignore_ascii_case("NULL") {
                            self.warn(
                                self.src.at(pwd),
                                "the password given with `/SC` is not stored: sked starts tasks as their user without one",
                            );
                        }
                    }
                }
                "SAJ" => {
                    self.target = Target::None;
                    if let Some(a) = arg(1, self) {
                        let name = job_name(&a[0].text);
                        let at = self.src.span(tok, &a[0]);
                        self.save(name, at);
                    }
                }
                "SNJ" => {
                    self.target = Target::None;
                    if let Some(a) = arg(1, self) {
                        self.flush();
                        self.job = Job { name: Some(job_name(&a[0].text)), ..Job::default() };
                    }
                }
                "SD" => {
                    self.target = Target::None;
                    if let Some(a) = arg(1, self) {
                        let mut e = Entry::new(Task::new(job_name(&a[0].text), ""));
                        e.action = Action::Delete;
                        self.doc.entries.push(e);
                    }
                }
                "LJ" => {
                    self.target = Target::None;
                    let _ = arg(1, self);
                    self.error(
                        at,
                        "`/LJ` loads a .job file, which a text cannot carry; read the file with the `job` format instead",
                    );
                }
                "PJ" | "PTJ" => self.target = Target::None,
                other => {
                    self.target = Target::None;
                    self.error(
                        at,
                        format!(
                            "unknown JT command `/{other}`; expected /SJ, /CTJ, /SC, /SAJ, /SNJ, /SD, /LJ, /PJ or /PTJ"
                        ),
                    );
                }
            }
        }
    }

    /// `Key=Value` after `/SJ` or `/CTJ`.
    fn stream_prop(&mut self, k: &str, v: &str, at: Location) {
        match self.target {
            Target::Job => match canonical(&JOB_KEYS, k) {
                Some(key) => self.job_prop(key, v, at),
                None => {
                    let hint = if canonical(&TRIGGER_KEYS, k).is_some() {
                        "; it is a trigger property, for /CTJ"
                    } else {
                        ""
                    };
                    self.error(
                        at,
                        format!("unknown job property `{k}`{hint}; expected one of {}", JOB_KEYS.join(", ")),
                    );
                }
            },
            Target::Trigger => match canonical(&TRIGGER_KEYS, k) {
                Some(key) => self.trigger_prop(key, v, at),
                None => {
                    let hint = if canonical(&JOB_KEYS, k).is_some() {
                        "; it is a job property, for /SJ"
                    } else {
                        ""
                    };
                    self.error(
                        at,
                        format!(
                            "unknown trigger property `{k}`{hint}; expected one of {}",
                            TRIGGER_KEYS.join(", ")
                        ),
                    );
                }
            },
            Target::None => {
                self.error(at, format!("`{k}={v}` is outside /SJ and /CTJ; put it after one of them"))
            }
        }
    }

    /// A property line `Key = Value ;;comment`.
    fn property_line(&mut self, text: &str, line: Line) {
        let body = &text[line.start..line.end];
        let lead = body.len() - body.trim_start().len();
        let Some(eq) = body.find('=') else {
            self.error(
                self.src.range(line.start + lead, line.end),
                format!(
                    "`{}` is not a property line; expected `Key = Value` or a JT command such as `/SC \"\" NULL`",
                    body.trim()
                ),
            );
            return;
        };
        let key = body[..eq].trim();
        let key_at = self.src.range(line.start + lead, line.start + lead + key.len());
        // The value runs to a `;;` outside quotes.
        let rest = &body[eq + 1..];
        let mut quoted = false;
        let mut end = rest.len();
        let rb = rest.as_bytes();
        let mut j = 0;
        while j < rb.len() {
            match rb[j] {
                b'"' => quoted = !quoted,
                b';' if !quoted && rb.get(j + 1) == Some(&b';') => {
                    end = j;
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        let raw = rest[..end].trim();
        let value_start = line.start + eq + 1 + (rest.len() - rest.trim_start().len());
        let value_at = self.src.range(value_start, value_start + raw.len());
        // The outer quotes go; nothing inside is special, so an MSI directory such as
        // `"C:\Program Files\App\"` keeps its final backslash.
        let value = if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
            raw[1..raw.len() - 1].to_string()
        } else {
            raw.to_string()
        };
        let on_trigger = !self.job.triggers.is_empty();
        if key.eq_ignore_ascii_case("Type") {
            self.job.triggers.push(Vec::new());
            self.job.dirty = true;
            self.trigger_prop("Type", &value, value_at);
        } else if key.eq_ignore_ascii_case("Disabled") && on_trigger {
            self.trigger_prop("Disabled", &value, value_at);
        } else if let Some(k) = canonical(&JOB_KEYS, key) {
            self.job_prop(k, &value, value_at);
        } else if let Some(k) = canonical(&TRIGGER_KEYS, key) {
            if on_trigger {
                self.trigger_prop(k, &value, value_at);
            } else {
                self.error(
                    key_at,
                    format!("`{key}` is a trigger property, but no trigger has started; a trigger starts with `Type =`"),
                );
            }
        } else {
            self.error(
                key_at,
                format!(
                    "unknown property `{key}`; expected a job property ({}) or a trigger property ({})",
                    JOB_KEYS.join(", "),
                    TRIGGER_KEYS.join(", ")
                ),
            );
        }
    }

    fn job_prop(&mut self, key: &'static str, value: &str, at: Location) {
        self.job.dirty = true;
        self.job.props.retain(|p| p.key != key);
        self.job.props.push(Prop { key, value: value.to_string(), at });
    }

    fn trigger_prop(&mut self, key: &'static str, value: &str, at: Location) {
        self.job.dirty = true;
        if let Some(t) = self.job.triggers.last_mut() {
            t.retain(|p| p.key != key);
            t.push(Prop { key, value: value.to_string(), at });
        }
    }

    /// `/SAJ`: the active job becomes a task named `name`.
    fn save(&mut self, name: String, at: Location) {
        match build(&self.job, name, self.opts, self.now, &at) {
            Ok((entry, warnings)) => {
                self.doc.entries.push(entry);
                self.doc.warnings.extend(warnings);
            }
            Err(e) => self.errors.extend(e),
        }
        self.job.dirty = false;
        self.job.saved = true;
    }

    fn finish(&mut self) {
        self.flush();
        if self.doc.entries.is_empty() && self.errors.is_empty() {
            self.error(
                Location::None,
                "no JT job found; expected `/SJ ApplicationName=...` or property lines such as `ApplicationName = \"...\"`",
            );
        }
    }

    /// Saves the active job if it changed since the last `/SAJ` and is named, at the end of
    /// the text or when `/SNJ` starts another job.
    fn flush(&mut self) {
        if !self.job.dirty {
            return;
        }
        if self.job.saved {
            self.warn(
                Location::None,
                "changes made after the last `/SAJ` are not saved by another `/SAJ`; JT would drop them, and so does sked",
            );
            return;
        }
        match self.job.name.clone().or_else(|| self.opts.name.clone()) {
            Some(name) => self.save(name, Location::None),
            None => {
                // Check the job anyway, so its own faults are reported with the name's.
                if let Err(e) = build(&self.job, "unnamed".into(), self.opts, self.now, &Location::None) {
                    self.errors.extend(e);
                }
                if !self.errors.is_empty() {
                    return;
                }
                self.error(
                Location::None,
                "the job is never named; save it with `/SAJ name.job`, name it with `/SNJ name`, or give the name with `--name`",
                );
            }
        }
    }
}

/// `name.job` → `name`.
fn job_name(s: &str) -> String {
    let base = s.rsplit(['\\', '/']).next().unwrap_or(s);
    match base.len().checked_sub(4) {
        Some(i) if base.is_char_boundary(i) && base[i..].eq_ignore_ascii_case(".job") => {
            base[..i].to_string()
        }
        _ => base.to_string(),
    }
}

fn flag(p: &Prop) -> Result<bool, Diagnostic> {
    match p.value.trim() {
        "0" => Ok(false),
        "1" => Ok(true),
        v => Err(Diagnostic::error(p.at.clone(), format!("`{}={v}`: expected 0 or 1", p.key))),
    }
}

fn uint(p: &Prop, max: u64) -> Result<u64, Diagnostic> {
    let v = p.value.trim();
    match v.parse::<u64>() {
        Ok(n) if n <= max && !v.starts_with('+') => Ok(n),
        _ => Err(Diagnostic::error(
            p.at.clone(),
            format!("`{}={v}`: expected a whole number from 0 to {max}", p.key),
        )),
    }
}

/// Seven positions from Sunday, each `.` or that day's letter.
pub(crate) fn parse_dow(s: &str) -> Result<WeekdaySet, String> {
    const LETTERS: &[u8; 7] = b"SMTWTFS";
    let b = s.as_bytes();
    if b.len() != 7 {
        return Err(format!(
            "`{s}` is not a day string; expected seven positions from Sunday, `.` or the day's letter, as in `.M.W.F.`"
        ));
    }
    let mut mask = 0u8;
    for (i, c) in b.iter().enumerate() {
        match c.to_ascii_uppercase() {
            b'.' => {}
            x if x == LETTERS[i] => mask |= 1 << i,
            _ => {
                return Err(format!(
                    "`{s}` has `{}` at position {} where `.` or `{}` belongs; positions run Sunday to Saturday (`SMTWTFS`)",
                    *c as char,
                    i + 1,
                    LETTERS[i] as char
                ));
            }
        }
    }
    if mask == 0 {
        return Err(format!("`{s}` selects no day"));
    }
    Ok(WeekdaySet::from_mask(mask))
}

/// Twelve positions from January, each `.` or that month's letter.
pub(crate) fn parse_month_string(s: &str) -> Result<MonthSet, String> {
    const LETTERS: &[u8; 12] = b"JFMAMJJASOND";
    let b = s.as_bytes();
    if b.len() != 12 {
        return Err(format!(
            "`{s}` is not a month string; expected twelve positions from January, `.` or the month's letter, as in `JFMAMJJASOND`"
        ));
    }
    let mut mask = 0u16;
    for (i, c) in b.iter().enumerate() {
        match c.to_ascii_uppercase() {
            b'.' => {}
            x if x == LETTERS[i] => mask |= 1 << i,
            _ => {
                return Err(format!(
                    "`{s}` has `{}` at position {} where `.` or `{}` belongs; positions run January to December (`JFMAMJJASOND`)",
                    *c as char,
                    i + 1,
                    LETTERS[i] as char
                ));
            }
        }
    }
    if mask == 0 {
        return Err(format!("`{s}` selects no month"));
    }
    Ok(MonthSet::from_mask(mask))
}

fn type_kind(p: &Prop, args: Option<&Prop>) -> Result<TriggerKind, Diagnostic> {
    let ty = p.value.trim().to_ascii_uppercase();
    let bad = |a: &Prop, why: String| {
        Diagnostic::error(a.at.clone(), format!("`TypeArguments={}`: {why}", a.value))
    };
    let fields: Vec<&str> =
        args.map_or(Vec::new(), |a| a.value.split(',').map(str::trim).collect::<Vec<_>>());
    let need = |what: &str| {
        Diagnostic::error(p.at.clone(), format!("`Type={}` needs `TypeArguments = {what}`", p.value.trim()))
    };
    let interval = |a: &Prop, s: &str, what: &str| -> Result<u32, Diagnostic> {
        match s.parse::<u32>() {
            Ok(n @ 1..=65535) => Ok(n),
            _ => Err(bad(a, format!("`{s}` is not a number of {what} from 1 to 65535"))),
        }
    };
    match ty.as_str() {
        "ONCE" | "ONIDLE" | "ATSTARTUP" | "ATLOGON" => {
            if let Some(a) = args.filter(|a| !a.value.trim().is_empty()) {
                return Err(bad(a, format!("`Type={}` takes no TypeArguments", p.value.trim())));
            }
            Ok(match ty.as_str() {
                "ONCE" => TriggerKind::Once,
                "ONIDLE" => TriggerKind::OnIdle,
                "ATSTARTUP" => TriggerKind::AtStartup { delay: Duration::ZERO },
                _ => TriggerKind::AtLogon { user: None, delay: Duration::ZERO },
            })
        }
        "DAILY" => match (args, fields.as_slice()) {
            (None, _) => Ok(TriggerKind::Daily { every: 1 }),
            (Some(a), [d]) => Ok(TriggerKind::Daily { every: interval(a, d, "days")? }),
            (Some(a), _) => Err(bad(a, "expected `days`, as in `1`".into())),
        },
        "WEEKLY" => match (args, fields.as_slice()) {
            (Some(a), [w, dow]) => Ok(TriggerKind::Weekly {
                every: interval(a, w, "weeks")?,
                days: parse_dow(dow).map_err(|e| bad(a, e))?,
            }),
            (Some(a), _) => Err(bad(a, "expected `weeks,DOW`, as in `1,.M.W.F.`".into())),
            (None, _) => Err(need("weeks,DOW (as in 1,.M.W.F.)")),
        },
        "MONTHLYDATE" => {
            let Some(a) = args else {
                return Err(need("day,...,MONTHS (as in 1,15,JFMAMJJASOND)"));
            };
            let (day_fields, months) = match fields.split_last() {
                Some((last, rest)) if last.parse::<u32>().is_err() => {
                    (rest, parse_month_string(last).map_err(|e| bad(a, e))?)
                }
                _ => (fields.as_slice(), MonthSet::ALL),
            };
            let mut days = MonthDays::EMPTY;
            for d in day_fields {
                match d.parse::<u8>() {
                    Ok(n @ 1..=31) => days = days.with_day(n),
                    _ => {
                        return Err(bad(a, format!("`{d}` is not a day of the month from 1 to 31")));
                    }
                }
            }
            if days.is_empty() {
                return Err(bad(a, "no day given; expected days 1 to 31, then the month string".into()));
            }
            Ok(TriggerKind::Monthly { every: 1, days, months })
        }
        "MONTHLYDOW" => {
            let Some(a) = args else {
                return Err(need("week,DOW,MONTHS (as in 2,S......,JFMAMJJASOND)"));
            };
            let (week, dow, months) = match fields.as_slice() {
                [w, d] => (*w, *d, MonthSet::ALL),
                [w, d, m] => (*w, *d, parse_month_string(m).map_err(|e| bad(a, e))?),
                _ => {
                    return Err(bad(a, "expected `week,DOW,MONTHS`, as in `2,S......,JFMAMJJASOND`".into()));
                }
            };
            let week = week
                .parse::<u16>()
                .ok()
                .and_then(WeekOfMonth::from_windows_number)
                .or_else(|| WeekOfMonth::parse(week))
                .ok_or_else(|| {
                    bad(a, format!("`{week}` is not a week; expected 1 to 5 (5 = last) or FIRST..LAST"))
                })?;
            Ok(TriggerKind::MonthlyWeekday {
                weeks: WeekSet::EMPTY.with(week),
                days: parse_dow(dow).map_err(|e| bad(a, e))?,
                months,
            })
        }
        _ => Err(Diagnostic::error(
            p.at.clone(),
            format!(
                "`Type={}` is not a trigger type; expected ONCE, DAILY, WEEKLY, MONTHLYDATE, MONTHLYDOW, ONIDLE, ATSTARTUP or ATLOGON",
                p.value.trim()
            ),
        )),
    }
}

/// Builds a trigger from its properties.
fn build_trigger(
    props: &[Prop],
    opts: &ReadOptions,
    now: Option<DateTime>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Trigger, Vec<Diagnostic>> {
    let get = |k: &str| props.iter().find(|p| p.key == k);
    let mut errs = Vec::new();
    let kind = match get("Type") {
        Some(t) => match type_kind(t, get("TypeArguments")) {
            Ok(k) => Some(k),
            Err(e) => {
                errs.push(e);
                None
            }
        },
        // ITask::CreateTrigger's default type (§1.6).
        None => match get("TypeArguments") {
            None => Some(TriggerKind::Daily { every: 1 }),
            Some(a) => {
                errs.push(Diagnostic::error(
                    a.at.clone(),
                    "`TypeArguments` without `Type`; give the trigger type first".to_string(),
                ));
                None
            }
        },
    };
    // Events have no start: their StartDate and StartTime (even TODAY and NOW) are ignored.
    let event = kind.as_ref().is_some_and(TriggerKind::is_event);
    let flag_of = |k: &str, errs: &mut Vec<Diagnostic>| -> bool {
        match get(k).map(flag) {
            Some(Ok(b)) => b,
            Some(Err(e)) => {
                errs.push(e);
                false
            }
            None => false,
        }
    };
    let disabled = flag_of("Disabled", &mut errs);
    let kill = flag_of("KillAtDuration", &mut errs);
    let has_end = get("HasEndDate").map(flag);
    let num = |k: &str, errs: &mut Vec<Diagnostic>| -> u64 {
        match get(k).map(|p| uint(p, u64::from(u32::MAX))) {
            Some(Ok(n)) => n,
            Some(Err(e)) => {
                errs.push(e);
                0
            }
            None => 0,
        }
    };
    let duration = num("MinutesDuration", &mut errs);
    let interval = num("MinutesInterval", &mut errs);

    let date = |p: &Prop, errs: &mut Vec<Diagnostic>| -> Option<Date> {
        let v = p.value.trim();
        if v.eq_ignore_ascii_case("TODAY") {
            return match now {
                Some(n) => Some(n.date()),
                None if event => None,
                None => {
                    errs.push(Diagnostic::error(
                        p.at.clone(),
                        "`StartDate=TODAY` needs today's date, which is unknown here; give the date"
                            .to_string(),
                    ));
                    None
                }
            };
        }
        match parse_date(v, opts.date_order) {
            Ok(d) => Some(d),
            Err(why) => {
                errs.push(Diagnostic::error(p.at.clone(), format!("`{}={v}` is not a date: {why}", p.key)));
                None
            }
        }
    };
    let start_date = get("StartDate").map(|p| (p, date(p, &mut errs)));
    let start_time = get("StartTime").map(|p| {
        let v = p.value.trim();
        if v.eq_ignore_ascii_case("NOW") {
            return match now {
                Some(n) => Some(Time::new(n.hour(), n.minute(), 0, 0).unwrap_or(Time::midnight())),
                None if event => None,
                None => {
                    errs.push(Diagnostic::error(
                        p.at.clone(),
                        "`StartTime=NOW` needs the current time, which is unknown here; give the time"
                            .to_string(),
                    ));
                    None
                }
            };
        }
        match parse_time(v) {
            Ok(t) if t.second() == 0 => Some(t),
            Ok(_) => {
                errs.push(Diagnostic::error(
                    p.at.clone(),
                    format!("`StartTime={v}`: a .job trigger starts on a whole minute; expected HH:MM"),
                ));
                None
            }
            Err(why) => {
                errs.push(Diagnostic::error(p.at.clone(), format!("`StartTime={v}` is not a time: {why}")));
                None
            }
        }
    });
    let end_date = match (has_end, get("EndDate")) {
        (Some(Err(e)), _) => {
            errs.push(e);
            None
        }
        (Some(Ok(true)), Some(p)) => date(p, &mut errs),
        (Some(Ok(true)), None) => {
            if let Some(p) = get("HasEndDate") {
                errs.push(Diagnostic::error(p.at.clone(), "`HasEndDate=1` needs `EndDate`".to_string()));
            }
            None
        }
        (Some(Ok(false)), Some(p)) => {
            if parse_date(p.value.trim(), opts.date_order).is_ok() {
                warnings.push(Diagnostic::warning(
                    p.at.clone(),
                    format!("`EndDate={}` is ignored because `HasEndDate=0`", p.value.trim()),
                ));
            }
            None
        }
        (None, Some(p)) => date(p, &mut errs),
        (_, None) => None,
    };

    let Some(kind) = kind else {
        return Err(errs);
    };
    let mut trigger = Trigger::new(kind);
    trigger.enabled = !disabled;
    if event {
        for k in ["MinutesInterval", "EndDate"] {
            let given = match k {
                "MinutesInterval" => interval > 0,
                _ => end_date.is_some(),
            };
            if let (true, Some(p)) = (given, get(k)) {
                errs.push(Diagnostic::error(
                    p.at.clone(),
                    format!("`{k}` is not valid on an event trigger, which has no times to repeat or end"),
                ));
            }
        }
    } else {
        let d = match start_date {
            Some((_, d)) => d,
            None => match now {
                Some(n) => Some(n.date()),
                None => {
                    errs.push(Diagnostic::error(
                        get("Type").map_or(Location::None, |p| p.at.clone()),
                        "the trigger has no `StartDate` and today's date is unknown here; give `StartDate = MM/DD/YYYY`".to_string(),
                    ));
                    None
                }
            },
        };
        let t = match start_time {
            Some(t) => t,
            None => match now {
                Some(n) => Some(Time::new(n.hour(), n.minute(), 0, 0).unwrap_or(Time::midnight())),
                None => {
                    errs.push(Diagnostic::error(
                        get("Type").map_or(Location::None, |p| p.at.clone()),
                        "the trigger has no `StartTime` and the current time is unknown here; give `StartTime = HH:MM`".to_string(),
                    ));
                    None
                }
            },
        };
        if let (Some(d), Some(t)) = (d, t) {
            trigger.start = Some(Start::civil(d.to_datetime(t)));
            if let Some(e) = end_date
                && e < d
                && let Some(p) = get("EndDate")
            {
                errs.push(Diagnostic::error(p.at.clone(), format!("`EndDate` is before the start date {d}")));
            }
        }
        trigger.end = end_date.map(End::Date);
        if interval > 0 {
            if duration <= interval
                && let Some(p) = get("MinutesDuration").or(get("MinutesInterval"))
            {
                errs.push(Diagnostic::error(
                        p.at.clone(),
                        format!(
                            "`MinutesDuration={duration}` is not longer than `MinutesInterval={interval}`; a .job trigger repeats within a longer duration"
                        ),
                    ));
            }
            trigger.repeat = Some(Repetition {
                every: Duration::from_mins(interval),
                duration: Some(Duration::from_mins(duration)),
                stop_at_end: kill,
            });
        } else if (duration > 0 || kill)
            && let Some(p) = get("MinutesDuration").or(get("KillAtDuration"))
        {
            warnings.push(Diagnostic::warning(
                p.at.clone(),
                "`MinutesDuration` and `KillAtDuration` do nothing without `MinutesInterval`; ignored",
            ));
        }
    }
    if errs.is_empty() { Ok(trigger) } else { Err(errs) }
}

/// The active job as a task named `name`.
fn build(
    job: &Job,
    name: String,
    opts: &ReadOptions,
    now: Option<DateTime>,
    at: &Location,
) -> Result<(Entry, Vec<Diagnostic>), Vec<Diagnostic>> {
    let get = |k: &str| job.props.iter().find(|p| p.key == k);
    let mut errs: Vec<Diagnostic> = Vec::new();
    let mut warnings = Vec::new();
    let mut extras = JtExtras::default();
    let command = match get("ApplicationName") {
        Some(p) if !p.value.trim().is_empty() => p.value.clone(),
        Some(p) => {
            errs.push(Diagnostic::error(
                p.at.clone(),
                "`ApplicationName` is empty; expected the program to run".to_string(),
            ));
            String::new()
        }
        None => {
            errs.push(Diagnostic::error(
                at.clone(),
                "the job has no `ApplicationName`; expected the program to run".to_string(),
            ));
            String::new()
        }
    };
    let mut task = Task::new(name, command);
    if let Some(p) = get("Parameters") {
        task.args = crate::winargs::split(&p.value);
        if crate::winargs::join(&task.args) != p.value {
            extras.parameters = Some(p.value.clone());
        }
    }
    let text = |k: &str| get(k).map(|p| p.value.clone()).filter(|v| !v.is_empty());
    task.working_dir = text("WorkingDirectory");
    task.comment = text("Comment");
    task.author = text("Creator");
    let mut flag_of = |k: &str| -> Option<bool> {
        match get(k).map(flag) {
            Some(Ok(b)) => Some(b),
            Some(Err(e)) => {
                errs.push(e);
                None
            }
            None => None,
        }
    };
    let dont_start = flag_of("DontStartIfOnBatteries");
    let kill_batt = flag_of("KillIfGoingOnBatteries");
    if dont_start.is_some() || kill_batt.is_some() {
        task.power = Some(PowerSettings {
            no_start_on_batteries: dont_start.unwrap_or(false),
            stop_on_batteries: kill_batt.unwrap_or(false),
        });
    }
    extras.run_only_if_logged_on = flag_of("RunOnlyIfLoggedOn").unwrap_or(false);
    extras.hidden = flag_of("Hidden").unwrap_or(false);
    task.delete_when_done = flag_of("DeleteWhenDone").unwrap_or(false);
    task.wake_to_run = flag_of("SystemRequired").unwrap_or(false);
    task.enabled = !flag_of("Disabled").unwrap_or(false);
    let start_idle = flag_of("StartOnlyIfIdle");
    let kill_idle = flag_of("KillOnIdleEnd");
    let mut minutes = |k: &str| -> Option<u64> {
        match get(k).map(|p| uint(p, 65535)) {
            Some(Ok(n)) => Some(n),
            Some(Err(e)) => {
                errs.push(e);
                None
            }
            None => None,
        }
    };
    let idle_wait = minutes("IdleWait");
    let idle_deadline = minutes("IdleDeadline");
    if start_idle.is_some() || kill_idle.is_some() || idle_wait.is_some() || idle_deadline.is_some() {
        let d = IdleSettings::default();
        task.idle = Some(IdleSettings {
            start_only_if_idle: start_idle.unwrap_or(false),
            idle_for: idle_wait.map_or(d.idle_for, Duration::from_mins),
            wait_up_to: idle_deadline.map_or(d.wait_up_to, Duration::from_mins),
            stop_on_idle_end: kill_idle.unwrap_or(false),
            restart_on_idle_resume: false,
        });
    }
    if let Some(p) = get("MaxRunTime") {
        match p.value.trim().parse::<u64>() {
            Ok(0) => errs.push(Diagnostic::error(
                p.at.clone(),
                "`MaxRunTime=0` leaves no time to run; expected milliseconds, or 4294967295 for no limit"
                    .to_string(),
            )),
            Ok(ms) if ms >= INFINITE_MS => {
                if ms > INFINITE_MS {
                    warnings.push(Diagnostic::warning(
                        p.at.clone(),
                        format!("`MaxRunTime={ms}` is more than a .job holds (4294967295 = no limit); read as no limit"),
                    ));
                }
                task.max_run_time = None;
            }
            Ok(ms) => task.max_run_time = Some(Duration::from_millis(ms)),
            Err(_) => errs.push(Diagnostic::error(
                p.at.clone(),
                format!("`MaxRunTime={}`: expected milliseconds, a whole number", p.value.trim()),
            )),
        }
    }
    if let Some(p) = get("Priority") {
        task.priority = match p.value.trim().to_ascii_uppercase().as_str() {
            "NORMAL" => Priority::Normal,
            "IDLE" => Priority::Idle,
            "HIGH" => Priority::High,
            "REALTIME" => Priority::Realtime,
            v => {
                errs.push(Diagnostic::error(
                    p.at.clone(),
                    format!("`Priority={v}`: expected NORMAL, IDLE, HIGH or REALTIME"),
                ));
                Priority::Normal
            }
        };
    }
    task.run_as = job.run_as.clone();
    for props in &job.triggers {
        match build_trigger(props, opts, now, &mut warnings) {
            Ok(t) => task.triggers.push(t),
            Err(e) => errs.extend(e),
        }
    }
    if errs.is_empty()
        && let Err(e) = task.validate()
    {
        errs.extend(
            e.problems().iter().map(|p| Diagnostic::error(at.clone(), format!("{}: {}", p.field, p.message))),
        );
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let entry =
        Entry { task, action: Action::Replace, extras: Extras { jt: Some(extras), ..Extras::default() } };
    Ok((entry, warnings))
}

#[cfg(test)]
mod tests;

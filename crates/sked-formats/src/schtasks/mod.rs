//! `schtasks.exe` command lines (windows-formats.md §3).
//!
//! [`read`] takes text holding one or more `schtasks /Create ...` commands and gives one
//! entry per task; [`write`] gives back the `schtasks /Create` line that recreates each
//! task, or an error naming what a schtasks line cannot say; [`parse_command`] reads one
//! already-split argv (`sked schtasks /Create ...`), every verb included.
//!
//! ```
//! use sked_formats::{ReadOptions, schtasks};
//!
//! let text = r#"schtasks /Create /TN \Reports\Weekly /TR "C:\report.exe --all" /SC WEEKLY /D MON,FRI /ST 06:00 /SD 03/02/2026"#;
//! let doc = schtasks::read(text.as_bytes(), &ReadOptions::default())?;
//! let task = &doc.entries[0].task;
//! assert_eq!(task.name, "Reports/Weekly");
//! assert_eq!((task.command.as_str(), task.args.as_slice()), ("C:\\report.exe", &["--all".to_string()][..]));
//! let line = String::from_utf8(schtasks::write(&doc)?).unwrap();
//! assert_eq!(line, "schtasks /Create /TN Reports\\Weekly /TR \"C:\\report.exe --all\" /SC WEEKLY /D MON,FRI /ST 06:00 /SD 03/02/2026\n");
//! # Ok::<(), sked_formats::Error>(())
//! ```
//!
//! # The text
//! - A command is `schtasks` (or `schtasks.exe`, with or without a path) and its switches;
//!   a line that starts with `schtasks` or with a verb (`/Create`, `/Delete`, ...) starts a
//!   new command, and any other line continues the current one. So the seed's form (one
//!   switch a line, no `schtasks`, no verb) is one `/Create`.
//! - Switches start with `/` or `-`, in any case. Arguments are split by the Windows rules
//!   of [`crate::winargs::split`]. `;;` at the start of an argument begins a comment to the
//!   end of the line; a line whose first character is `;` or `#` is a comment; a trailing
//!   `^` (cmd.exe's continuation) is dropped.
//! - Only `/Create` and `/Delete` describe tasks; other verbs are refused by [`read`] and
//!   returned by [`parse_command`].
//!
//! # Decisions where the sources are silent or disagree
//! - **`/SD` is accepted with every schedule** (the documented examples use it with ONCE
//!   and ONSTART); on ONSTART, ONLOGON and ONIDLE it becomes the trigger's start date at
//!   00:00. **`/ED` is refused** with ONCE, ONSTART, ONLOGON and ONIDLE (§3.2).
//! - **`/ET`, `/DU` and `/K` are accepted with MINUTE, HOURLY, DAILY, WEEKLY, MONTHLY and
//!   ONCE** (the help text and its own `DAILY /ET 14:00 /K` example), not with the events.
//! - **MINUTE and HOURLY** become a daily trigger at `/ST` repeating every `/MO` minutes (or
//!   hours) for `/DU`, until `/ET` (an `/ET` earlier than `/ST` is the next day), or else for
//!   24 hours. Without `/ST` the first run is one interval after now (WSD's `/sc minute /mo
//!   20` example).
//! - **`/RI` without `/ET` or `/DU`** repeats indefinitely, except with `/V1`, where the
//!   duration defaults to 1 hour (§2). `/ET` or `/DU` without `/RI` repeat every 10 minutes.
//! - **`/D` with MONTHLY FIRST..LAST** is exactly one weekday; with MONTHLY 1..12 it is one
//!   day 1..31 (default 1); a day that a month named in `/M` lacks (`/D 31 /M FEB`, February
//!   counting 29 days) is refused.
//! - **ONEVENT** is refused: sked cannot watch a Windows event log.
//! - **`/RU`**: `""`, `SYSTEM` and `NT AUTHORITY\SYSTEM` read as the account
//!   [`SYSTEM`](create::SYSTEM); the spelling used is kept in [`SchtasksExtras::run_as`].
//! - **`/F`** makes the entry's action [`Action::Replace`]; without it the action is
//!   [`Action::Create`] (schtasks asks before replacing).
//! - **No `/TN`**: the task is named by [`ReadOptions::name`] (the seed's `Schedule`
//!   command names the task itself); `/TN` wins when both are given.
//! - **Today and now**: schtasks defaults `/SD` to today and `/ST` to now. A pure reader has
//!   no clock, so [`read`] refuses a command that needs them; [`read_at`] and
//!   [`parse_command`] take the current civil time from the caller.
//! - Dates are read in [`ReadOptions::date_order`]; [`write`] writes `MM/DD/YYYY`
//!   ([`write_in`] takes another order).

mod civil;
mod create;
pub(crate) mod lex;
mod switches;
mod verbs;
mod write;

use jiff::civil::DateTime;

pub use create::SYSTEM;
pub use verbs::{Command, Parsed, Query, QueryFormat};
pub use write::{losses, write, write_in, write_lossy};

pub(crate) use civil::{format_date, format_time};
pub use civil::{parse_date, parse_pair, parse_time};
pub use create::{is_system, name_from_windows};

use crate::{Diagnostic, Document, Error, Location, ReadOptions};
use lex::{Src, Tok};

/// The `/SC` schedule types sked reads (ONEVENT is refused).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ScheduleKind {
    /// Every n minutes.
    Minute,
    /// Every n hours.
    Hourly,
    /// Every n days.
    #[default]
    Daily,
    /// Every n weeks.
    Weekly,
    /// Monthly, by day number, by weekday, or on the last day.
    Monthly,
    /// Once.
    Once,
    /// At boot.
    OnStart,
    /// At logon.
    OnLogon,
    /// When idle.
    OnIdle,
}

impl ScheduleKind {
    /// Every kind, in the order schtasks lists them.
    pub const ALL: [ScheduleKind; 9] = [
        Self::Minute,
        Self::Hourly,
        Self::Daily,
        Self::Weekly,
        Self::Monthly,
        Self::Once,
        Self::OnStart,
        Self::OnLogon,
        Self::OnIdle,
    ];

    /// The `/SC` value (`MINUTE`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Minute => "MINUTE",
            Self::Hourly => "HOURLY",
            Self::Daily => "DAILY",
            Self::Weekly => "WEEKLY",
            Self::Monthly => "MONTHLY",
            Self::Once => "ONCE",
            Self::OnStart => "ONSTART",
            Self::OnLogon => "ONLOGON",
            Self::OnIdle => "ONIDLE",
        }
    }

    /// Reads an `/SC` value, any case.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// The `/RL` run level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunLevel {
    /// `LIMITED`, the default.
    Limited,
    /// `HIGHEST`.
    Highest,
}

impl RunLevel {
    /// The `/RL` value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Limited => "LIMITED",
            Self::Highest => "HIGHEST",
        }
    }

    /// Reads an `/RL` value, any case.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Limited, Self::Highest].into_iter().find(|l| l.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// What a schtasks line holds beyond the task model, kept so it writes back unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchtasksExtras {
    /// The `/SC` given. MINUTE and HOURLY read as a repeating daily trigger, so this tells
    /// the writer to write them back as MINUTE or HOURLY.
    pub schedule: ScheduleKind,
    /// `/RU` as written when it is a spelling of LocalSystem other than `SYSTEM` (`""`,
    /// `system`, `NT AUTHORITY\SYSTEM`); the model holds [`SYSTEM`].
    pub run_as: Option<String>,
    /// `/TR` as written, when joining the task's command and arguments again would not give
    /// it back byte for byte (extra spaces, needless quotes).
    pub task_run: Option<String>,
    /// `/IT`: run only while the `/RU` user is logged on (TASK_FLAG_RUN_ONLY_IF_LOGGED_ON).
    pub interactive: bool,
    /// `/NP`: store no password.
    pub no_password: bool,
    /// `/RL`.
    pub run_level: Option<RunLevel>,
    /// `/V1`: a task visible to pre-Vista systems.
    pub v1: bool,
    /// `/HRESULT`: exit codes in HRESULT form.
    pub hresult: bool,
}

/// Reads schtasks command lines. A command that needs today's date or the current time
/// (no `/SD` or no `/ST`) is refused: use [`read_at`] to supply them.
pub fn read(input: &[u8], opts: &ReadOptions) -> Result<Document, Error> {
    read_at(input, opts, None)
}

/// Reads schtasks command lines; `now` is the current civil time in the task's zone, used
/// where schtasks would use today's date and the current time.
pub fn read_at(input: &[u8], opts: &ReadOptions, now: Option<DateTime>) -> Result<Document, Error> {
    let text = lex::decode(input, "schtasks")?;
    let index = lex::line_index(&text);
    let src = Src::text(&text, &index);
    let mut commands: Vec<Vec<Tok>> = Vec::new();
    for line in lex::lines(&text) {
        if lex::is_comment_line(&text[line.start..line.end]) {
            continue;
        }
        let toks = lex::split_line(&text, line);
        let Some(first) = toks.first() else { continue };
        if commands.is_empty() || is_program(&first.text) || verbs::Verb::parse(&first.text).is_some() {
            commands.push(toks);
        } else if let Some(last) = commands.last_mut() {
            last.extend(toks);
        }
    }
    let mut doc = Document::default();
    let mut errors: Vec<Diagnostic> = Vec::new();
    if commands.is_empty() {
        return Err(Error::one(Diagnostic::error(
            Location::None,
            "no schtasks command found; expected `schtasks /Create /TN ... /TR ... /SC ...`",
        )));
    }
    for mut toks in commands {
        if toks.first().is_some_and(|t| is_program(&t.text)) {
            toks.remove(0);
        }
        let whole = match (toks.first(), toks.last()) {
            (Some(a), Some(b)) => src.span(a, b),
            _ => Location::None,
        };
        match verbs::parse(src, &toks, opts, now, &whole, true) {
            Ok(parsed) => match parsed.command {
                Command::Create(entry) => {
                    doc.entries.push(*entry);
                    doc.warnings.extend(parsed.warnings);
                }
                Command::Delete {
                    name: Some(name), ..
                } => {
                    let mut entry = crate::Entry::new(sked_core::Task::new(name, ""));
                    entry.action = crate::Action::Delete;
                    doc.entries.push(entry);
                    doc.warnings.extend(parsed.warnings);
                }
                other => errors.push(Diagnostic::error(
                    whole,
                    format!(
                        "`schtasks {}` does not describe a task; a schtasks file holds `/Create` and `/Delete /TN NAME` commands",
                        other.verb()
                    ),
                )),
            },
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() { Ok(doc) } else { Err(Error::new(errors)) }
}

/// Reads one schtasks command given as arguments (`["/Create", "/TN", "x", ...]`), with or
/// without a leading `schtasks`. No arguments is `/Query`, as for schtasks itself. `now` is
/// the current civil time, for a `/Create` without `/SD` or `/ST`. Diagnostics have no
/// place but name the switch at fault.
pub fn parse_command(args: &[String], opts: &ReadOptions, now: Option<DateTime>) -> Result<Parsed, Error> {
    let mut toks: Vec<Tok> = args.iter().map(|a| Tok::bare(a.clone())).collect();
    if toks.first().is_some_and(|t| is_program(&t.text)) {
        toks.remove(0);
    }
    verbs::parse(Src::argv(), &toks, opts, now, &Location::None, false).map_err(Error::new)
}

/// The upper-case name of a `/NAME` or `-NAME` argument (`/saj` → `SAJ`).
pub(crate) fn lex_switch(arg: &str) -> Option<String> {
    switches::switch_name(arg)
}

/// True for `schtasks`, `schtasks.exe` and paths ending in them, any case.
fn is_program(arg: &str) -> bool {
    let base = arg.rsplit(['\\', '/']).next().unwrap_or(arg);
    base.eq_ignore_ascii_case("schtasks") || base.eq_ignore_ascii_case("schtasks.exe")
}

#[cfg(test)]
mod tests;

//! Task Scheduler 2.0 task XML (windows-formats.md §6, W32 `task-scheduler-schema.md`).
//!
//! [`read()`] takes what Windows exports (UTF-16LE with a byte-order mark), UTF-16BE, and
//! UTF-8 with or without a BOM or declaration, in the task namespace or in none (as GPP
//! embeds it). [`write()`] produces a document `schtasks /Create /XML` takes: the namespace,
//! `version="1.2"` (or the version read), `Principals` with an id, `Actions Context`, and the
//! settings Windows exports, in Windows' element order.
//!
//! What the model cannot hold is kept in [`XmlExtras`], so a file read and written back is
//! the same task: the elements sked does not model (event triggers, COM actions, unknown
//! settings) verbatim, and the values of the ones it models only approximately (the exact
//! `Priority` number). Extras hold only what differs from what the writer would produce on
//! its own, so a task written from scratch reads back with no extras at all.
//!
//! Unknown elements: inside `Task`, `RegistrationInfo`, `Principal`, `Settings`, a trigger or
//! the `Exec` action they are kept verbatim and reported as warnings. Inside the value
//! structures that decide when a task runs (`Repetition`, `ScheduleBy*`, `DaysOfWeek`,
//! `Months`, `Weeks`, `DaysOfMonth`, `IdleSettings`, `RestartOnFailure`) they are errors:
//! guessing there would change the schedule.
//!
//! ```
//! use sked_formats::{ReadOptions, xml};
//!
//! let text = r#"<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
//!   <RegistrationInfo><URI>\Backups\Nightly</URI></RegistrationInfo>
//!   <Triggers><CalendarTrigger>
//!     <StartBoundary>2026-01-07T06:00:00</StartBoundary>
//!     <ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay>
//!   </CalendarTrigger></Triggers>
//!   <Actions Context="Author"><Exec><Command>backup.exe</Command><Arguments>--full "C:\Data"</Arguments></Exec></Actions>
//! </Task>"#;
//! let doc = xml::read(text.as_bytes(), &ReadOptions::default())?;
//! let task = &doc.entries[0].task;
//! assert_eq!(task.name, "Backups/Nightly");
//! assert_eq!(task.args, ["--full", r"C:\Data"]);
//! let again = xml::read(&xml::write(&doc)?, &ReadOptions::default())?;
//! assert_eq!(again.entries, doc.entries);
//! # Ok::<(), sked_formats::Error>(())
//! ```

mod read;
pub mod tree;
pub mod values;
pub(crate) mod write;

use sked_core::Duration;

use crate::diagnostic::{Diagnostic, Location};
use crate::{Document, Entry, Error, ReadOptions};

pub use read::read_task;
pub use write::{Style, write_task};

/// The Task Scheduler 2.0 namespace.
pub const NAMESPACE: &str = "http://schemas.microsoft.com/windows/2004/02/mit/task";

/// What a Task Scheduler 2.0 document holds beyond the task model, kept so it writes back
/// as the same task. Every field is at its default for a task the writer produced itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XmlExtras {
    /// The input was UTF-16: write UTF-16LE with a byte-order mark, as Windows exports.
    pub utf16: bool,
    /// `Task@version` when it is not `1.2`.
    pub version: Option<String>,
    /// `RegistrationInfo`.
    pub registration: RegistrationExtras,
    /// `Principals/Principal`.
    pub principal: PrincipalExtras,
    /// `Settings` beyond the model.
    pub settings: SettingsExtras,
    /// The `Exec` action beyond the model.
    pub exec: ExecExtras,
    /// `Actions@Context` when it differs from the principal's id.
    pub actions_context: Option<String>,
    /// The source's `Actions` had no `Context`.
    pub no_actions_context: bool,
    /// Actions sked does not run (a second `Exec`, `ComHandler`, `SendEmail`,
    /// `ShowMessage`), verbatim, with their position among the actions.
    pub other_actions: Vec<Kept>,
    /// Per model trigger, in order: what the trigger holds beyond the model.
    pub triggers: Vec<TriggerExtras>,
    /// Triggers sked cannot fire (`EventTrigger`, `RegistrationTrigger`,
    /// `SessionStateChangeTrigger`, unknown ones), verbatim, with their position among the
    /// triggers.
    pub other_triggers: Vec<Kept>,
    /// The `Data` element, verbatim.
    pub data: Option<String>,
    /// Unknown children of `Task`, verbatim.
    pub other: Vec<String>,
}

/// An element kept verbatim, and where it stood among its siblings of the same list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    /// Its 0-based position in the list (`Triggers` or `Actions`) it came from.
    pub index: usize,
    /// Its source text, from `<` to the end of its end tag.
    pub xml: String,
}

/// `RegistrationInfo` beyond `Author` (the task's author) and `Description` (its comment).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistrationExtras {
    /// `URI` as written, when it is not `\` followed by the task name with `/` as `\`.
    pub uri: Option<String>,
    /// The source had no `URI`; the name came from the read options.
    pub no_uri: bool,
    /// `Date`, verbatim.
    pub date: Option<String>,
    /// `Version`, verbatim.
    pub version: Option<String>,
    /// `Source`, verbatim.
    pub source: Option<String>,
    /// `Documentation`, verbatim.
    pub documentation: Option<String>,
    /// `SecurityDescriptor` (SDDL), verbatim.
    pub security_descriptor: Option<String>,
    /// Unknown children, verbatim.
    pub other: Vec<String>,
}

/// `Principals/Principal` beyond `UserId` (the task's run-as user).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrincipalExtras {
    /// The source had no `Principals`.
    pub absent: bool,
    /// `Principal@id` when it is not `Author`.
    pub id: Option<String>,
    /// `UserId` when it differs from the task's run-as user (a GPP item's `runAs` wins).
    pub user_id: Option<String>,
    /// `LogonType`: `S4U`, `Password`, `InteractiveToken`, `InteractiveTokenOrPassword`,
    /// `Group`, `ServiceAccount`.
    pub logon_type: Option<String>,
    /// `GroupId`.
    pub group_id: Option<String>,
    /// `DisplayName`.
    pub display_name: Option<String>,
    /// `RunLevel`: `LeastPrivilege` or `HighestAvailable`.
    pub run_level: Option<String>,
    /// `ProcessTokenSidType`.
    pub process_token_sid_type: Option<String>,
    /// `RequiredPrivileges/Privilege`, in order.
    pub required_privileges: Vec<String>,
    /// Unknown children, verbatim.
    pub other: Vec<String>,
}

/// `Settings` that the model does not hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingsExtras {
    /// `Priority` (0–10) when it is not the number sked writes for the model's priority class
    /// (0 realtime, 1 high, 2 above normal, 4 normal, 7 below normal, 9 idle).
    pub priority: Option<u8>,
    /// `DeleteExpiredTaskAfter` when the task is deleted when done and the delay is not `PT0S`.
    pub delete_expired_after: Option<Duration>,
    /// `AllowStartOnDemand`, when present.
    pub allow_start_on_demand: Option<bool>,
    /// `AllowHardTerminate`, when present.
    pub allow_hard_terminate: Option<bool>,
    /// `Hidden`, when present.
    pub hidden: Option<bool>,
    /// `RunOnlyIfNetworkAvailable`, when present.
    pub run_only_if_network_available: Option<bool>,
    /// `NetworkSettings`, verbatim.
    pub network_settings: Option<String>,
    /// `RestartOnFailure`.
    pub restart_on_failure: Option<RestartOnFailure>,
    /// `IdleSettings`, verbatim, when the task has no idle condition (no `RunOnlyIfIdle` and
    /// no idle trigger), so the values mean nothing to sked but write back unchanged.
    pub idle_settings: Option<String>,
    /// Unknown or unmodelled children (`UseUnifiedSchedulingEngine`, `MaintenanceSettings`,
    /// `Volatile`, `DisallowStartOnRemoteAppSession`, ...), verbatim.
    pub other: Vec<String>,
}

/// `Settings/RestartOnFailure`: restart a failed run up to `count` times, `interval` apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestartOnFailure {
    /// `Interval`.
    pub interval: Duration,
    /// `Count`.
    pub count: u32,
}

/// The `Exec` action beyond command, arguments and working directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecExtras {
    /// `Exec@id`.
    pub id: Option<String>,
    /// `Command` was wrapped in double quotes, which sked removes.
    pub command_quoted: bool,
    /// `Arguments` as written, when joining the split arguments does not give it back.
    pub arguments: Option<String>,
    /// Unknown children, verbatim.
    pub other: Vec<String>,
}

/// What one trigger holds beyond the model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TriggerExtras {
    /// The `id` attribute.
    pub id: Option<String>,
    /// The trigger's `ExecutionTimeLimit`.
    pub execution_time_limit: Option<Duration>,
    /// `StartBoundary` as written when it is not a date and time (a GPP variable such as
    /// `%LocalTimeXmlEx%`, expanded by the client when the item applies).
    pub start_text: Option<String>,
    /// `EndBoundary` as written when the model cannot hold it: a GPP variable, or any end of
    /// an event trigger (sked does not bound those).
    pub end_text: Option<String>,
    /// `Repetition` of an event trigger, verbatim (sked repeats calendar triggers only).
    pub repetition: Option<String>,
    /// Unknown children, verbatim.
    pub other: Vec<String>,
}

impl XmlExtras {
    /// True when nothing differs from what the writer produces by itself.
    pub fn is_default(&self) -> bool {
        *self == XmlExtras::default()
    }
}

/// The text of the input, decoded, and whether it was UTF-16.
pub(crate) fn decode(input: &[u8]) -> Result<(std::borrow::Cow<'_, str>, bool), Error> {
    let utf16 = |bytes: &[u8], le: bool, skip: usize| -> Result<String, Error> {
        let body = &bytes[skip..];
        if !body.len().is_multiple_of(2) {
            return Err(Error::one(Diagnostic::error(
                Location::Bytes { offset: bytes.len() - 1, field: "UTF-16 text".into() },
                format!(
                    "UTF-16 text of {} bytes ends in half a character; expected an even number of bytes",
                    body.len()
                ),
            )));
        }
        let units = body
            .chunks_exact(2)
            .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
        let mut out = String::with_capacity(body.len() / 2);
        for (i, c) in char::decode_utf16(units).enumerate() {
            match c {
                Ok(c) => out.push(c),
                Err(e) => {
                    return Err(Error::one(Diagnostic::error(
                        Location::Bytes { offset: skip + 2 * i, field: "UTF-16 text".into() },
                        format!(
                            "unpaired surrogate 0x{:04X} in UTF-16 text; expected a valid character",
                            e.unpaired_surrogate()
                        ),
                    )));
                }
            }
        }
        Ok(out)
    };
    match input {
        [0xFF, 0xFE, ..] => Ok((utf16(input, true, 2)?.into(), true)),
        [0xFE, 0xFF, ..] => Ok((utf16(input, false, 2)?.into(), true)),
        [b'<', 0, ..] => Ok((utf16(input, true, 0)?.into(), true)),
        [0, b'<', ..] => Ok((utf16(input, false, 0)?.into(), true)),
        _ => {
            let body = input.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(input);
            match std::str::from_utf8(body) {
                Ok(s) => Ok((s.into(), false)),
                Err(e) => {
                    let offset = input.len() - body.len() + e.valid_up_to();
                    Err(Error::one(Diagnostic::error(
                        Location::Bytes { offset, field: "text".into() },
                        format!(
                            "byte 0x{:02X} is not UTF-8; expected UTF-8, or UTF-16 with a byte-order mark",
                            input.get(offset).copied().unwrap_or(0)
                        ),
                    )))
                }
            }
        }
    }
}

/// Reads Task Scheduler 2.0 task XML: one document, one task.
///
/// The task is named by `RegistrationInfo/URI` (the leading `\` dropped, `\` folders turned
/// into `/`), else by `opts.name`, else `untitled`.
pub fn read(input: &[u8], opts: &ReadOptions) -> Result<Document, Error> {
    let (text, utf16) = decode(input)?;
    let tree = tree::Tree::parse(&text)?;
    let root = tree.root();
    if root.name() != "Task" {
        return Err(Error::one(
            root.error(format!("expected a `<Task>` root element, but found `<{}>`", root.name())),
        ));
    }
    check_namespace(root)?;
    let mut warnings = Vec::new();
    let fallback = opts.name.as_deref().unwrap_or("untitled");
    let (task, mut extras) = read_task(root, None, fallback, &mut warnings)?;
    extras.utf16 = utf16;
    let mut entry = Entry::new(task);
    if !extras.is_default() {
        entry.extras.xml = Some(extras);
    }
    Ok(Document { entries: vec![entry], warnings })
}

fn check_namespace(root: tree::El<'_, '_>) -> Result<(), Error> {
    for a in root.attrs()? {
        let is_default_ns = a.name == "xmlns";
        let is_own_prefix = a.name.strip_prefix("xmlns:").is_some_and(|p| root_prefix(root) == Some(p));
        if (is_default_ns || is_own_prefix) && a.value != NAMESPACE {
            return Err(Error::one(Diagnostic::error(
                root.locate(a.at, a.at + a.name.len()),
                format!("expected the namespace `{NAMESPACE}` or none, but found `{}`", a.value),
            )));
        }
    }
    Ok(())
}

fn root_prefix<'a>(root: tree::El<'_, 'a>) -> Option<&'a str> {
    let raw = root.raw();
    let tag = raw.get(1..)?;
    let name_end = tag.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
    tag[..name_end].split_once(':').map(|(p, _)| p)
}

/// Writes Task Scheduler 2.0 task XML. A document holds one task: writing a document of
/// several is an error (write each to its own file).
pub fn write(doc: &Document) -> Result<Vec<u8>, Error> {
    let entry = match doc.entries.as_slice() {
        [one] => one,
        other => {
            return Err(Error::one(Diagnostic::error(
                Location::None,
                format!(
                    "a Task Scheduler XML document holds exactly one task, but {} were given; write each task to its own file",
                    other.len()
                ),
            )));
        }
    };
    let default = XmlExtras::default();
    let extras = entry.extras.xml.as_ref().unwrap_or(&default);
    let mut out = String::with_capacity(4096);
    let decl = if extras.utf16 { "UTF-16" } else { "UTF-8" };
    out.push_str(&format!("<?xml version=\"1.0\" encoding=\"{decl}\"?>\r\n"));
    write_task(&mut out, &entry.task, extras, &Style::FILE)?;
    out.push_str("\r\n");
    if extras.utf16 {
        let mut bytes = Vec::with_capacity(2 + out.len() * 2);
        bytes.extend_from_slice(&[0xFF, 0xFE]);
        for unit in out.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        Ok(bytes)
    } else {
        Ok(out.into_bytes())
    }
}

/// What of `entry` Task Scheduler 2.0 XML cannot hold, one line per loss.
pub fn losses(entry: &Entry) -> Vec<String> {
    write::losses(&entry.task)
}

#[cfg(test)]
pub(crate) mod tests;

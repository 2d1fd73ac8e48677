//! Readers and writers for every task format sked speaks.
//!
//! Each format is one module with a symmetric pair: `read` turns bytes or text into a
//! [`Document`], `write` turns a document back. The model they meet in is
//! [`sked_core::Task`]; what a format holds beyond the model (a `.job` file's UUID, a GPP
//! item's `uid`) rides along in [`Extras`] so that reading and writing the same format
//! gives the same file, and a conversion to a format that cannot hold it is reported as a
//! loss.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod diagnostic;
pub mod gpp;
pub mod job;
pub mod jt;
pub mod schtasks;
pub mod symbols;
pub mod task_file;
pub mod winargs;
pub mod xml;

pub use diagnostic::{Diagnostic, Error, Location, Severity};

use sked_core::Task;

/// What an installation does with a task (GPP's C/R/U/D; every other format creates or
/// replaces).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Action {
    /// Create the task; fail if it exists.
    Create,
    /// Delete and recreate; create if absent. What every format but GPP means.
    #[default]
    Replace,
    /// Change only the settings the item defines; create if absent.
    Update,
    /// Remove the task.
    Delete,
}

/// Format-specific data a task carries beyond the model, kept so a file reads and writes
/// back unchanged. Each format fills only its own part.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extras {
    /// From a `.job` file.
    pub job: Option<job::JobExtras>,
    /// From Task Scheduler 2.0 XML.
    pub xml: Option<xml::XmlExtras>,
    /// From a GPP item.
    pub gpp: Option<gpp::GppExtras>,
    /// From a schtasks command line.
    pub schtasks: Option<schtasks::SchtasksExtras>,
    /// From JT.EXE lines.
    pub jt: Option<jt::JtExtras>,
}

/// The order of day, month and year in a date written with slashes (schtasks `/SD`, JT
/// `StartDate`). A date whose first field has four digits is always year-first
/// (semantics.md §7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DateOrder {
    /// `MM/DD/YYYY`, the documented form and the default.
    #[default]
    Mdy,
    /// `DD/MM/YYYY`.
    Dmy,
    /// `YYYY/MM/DD`.
    Ymd,
}

/// What a reader needs beyond the bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The order of slash-separated dates.
    pub date_order: DateOrder,
    /// The task name for a source that holds none (a `.job` file is named by its file).
    pub name: Option<String>,
    /// The civil date and time "now" in the default zone, for the sources that default to
    /// it (schtasks without `/SD` or `/ST`, JT `TODAY` and `NOW`). A reader has no clock:
    /// without it, such a source is refused with a message saying why.
    pub now: Option<jiff::civil::DateTime>,
}

/// One task as a format holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The task.
    pub task: Task,
    /// What installing the entry does.
    pub action: Action,
    /// What the format holds beyond the model.
    pub extras: Extras,
}

impl Entry {
    /// An entry that creates or replaces `task`, with no extras.
    pub fn new(task: Task) -> Self {
        Entry { task, action: Action::Replace, extras: Extras::default() }
    }
}

/// The tasks of one file or command line, with the warnings raised reading it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    /// The tasks, in input order.
    pub entries: Vec<Entry>,
    /// Things dropped or doubtful while reading.
    pub warnings: Vec<Diagnostic>,
}

impl Document {
    /// A document of plain tasks.
    pub fn from_tasks(tasks: impl IntoIterator<Item = Task>) -> Self {
        Document { entries: tasks.into_iter().map(Entry::new).collect(), warnings: Vec::new() }
    }

    /// The tasks, in input order.
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.entries.iter().map(|e| &e.task)
    }
}

/// The formats sked reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// sked's task file (TOML).
    TaskFile,
    /// A Task Scheduler 1.0 `.job` file.
    Job,
    /// Task Scheduler 2.0 task XML.
    Xml,
    /// Group Policy Preferences `ScheduledTasks.xml`.
    Gpp,
    /// `schtasks /Create` command lines.
    Schtasks,
    /// JT.EXE command streams and property lines.
    Jt,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 6] =
        [Format::TaskFile, Format::Job, Format::Xml, Format::Gpp, Format::Schtasks, Format::Jt];

    /// The name used on the command line (`toml`, `job`, `xml`, `gpp`, `schtasks`, `jt`).
    pub fn name(self) -> &'static str {
        match self {
            Format::TaskFile => "toml",
            Format::Job => "job",
            Format::Xml => "xml",
            Format::Gpp => "gpp",
            Format::Schtasks => "schtasks",
            Format::Jt => "jt",
        }
    }

    /// The format called `name` on the command line.
    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name.to_ascii_lowercase())
    }

    /// Guesses the format of `input` from its content.
    ///
    /// XML is told apart by its root element (`<ScheduledTasks>` is GPP, `<Task>` is Task
    /// Scheduler 2.0), a `.job` by its fixed header (file version 1 and an application-name
    /// offset inside the file), and text by its first meaningful line: `[[task]]` or a
    /// kebab-case key is sked's task file, a `schtasks` command or its switches is schtasks,
    /// JT commands (`/SJ`, `/CTJ`, `/SAJ`, ...) or JT property names (`ApplicationName =`,
    /// `Type =`) are JT.
    pub fn detect(input: &[u8]) -> Option<Format> {
        if let Some(root) = xml_root(input) {
            return match root.as_str() {
                "ScheduledTasks" => Some(Format::Gpp),
                "Task" => Some(Format::Xml),
                _ => None,
            };
        }
        if looks_like_job(input) {
            return Some(Format::Job);
        }
        let text = std::str::from_utf8(input).ok()?;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            let lower = line.to_ascii_lowercase();
            let first = lower.split_whitespace().next().unwrap_or("");
            if first == "schtasks" || first == "schtasks.exe" || first.ends_with("\\schtasks.exe") {
                return Some(Format::Schtasks);
            }
            if first == "jt" || first == "jt.exe" || first.ends_with("\\jt.exe") {
                return Some(Format::Jt);
            }
            if line.starts_with('[') {
                return Some(Format::TaskFile);
            }
            if let Some(switch) = first.strip_prefix('/') {
                const JT: [&str; 12] =
                    ["sj", "ctj", "saj", "sc", "lj", "pj", "ptj", "sd", "snj", "sm", "stj", "@"];
                const SCHTASKS: [&str; 8] = ["create", "tn", "tr", "sc", "mo", "st", "ru", "d"];
                if JT.contains(&switch) && !["sc", "sd"].contains(&switch) {
                    return Some(Format::Jt);
                }
                if SCHTASKS.contains(&switch) || switch.starts_with("create") {
                    return Some(Format::Schtasks);
                }
                return Some(if switch == "sd" || switch == "sc" { Format::Schtasks } else { Format::Jt });
            }
            if let Some((key, _)) = line.split_once('=') {
                let key = key.trim();
                if key.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                    return Some(Format::Jt);
                }
                return Some(Format::TaskFile);
            }
            return None;
        }
        None
    }

    /// Reads `input` in this format.
    pub fn read(self, input: &[u8], opts: &ReadOptions) -> Result<Document, Error> {
        match self {
            Format::TaskFile => task_file::read(input),
            Format::Job => job::read(input, opts),
            Format::Xml => xml::read(input, opts),
            Format::Gpp => gpp::read(input, opts),
            Format::Schtasks => schtasks::read_at(input, opts, opts.now),
            Format::Jt => jt::read_at(input, opts, opts.now),
        }
    }

    /// Writes `doc` in this format.
    pub fn write(self, doc: &Document) -> Result<Vec<u8>, Error> {
        match self {
            Format::TaskFile => task_file::write(doc),
            Format::Job => job::write(doc),
            Format::Xml => xml::write(doc),
            Format::Gpp => gpp::write(doc),
            Format::Schtasks => schtasks::write(doc),
            Format::Jt => jt::write(doc),
        }
    }

    /// Writes `doc` in this format, dropping what the format cannot hold (what
    /// [`Format::losses`] lists) rather than failing. Fails only for a task the format
    /// cannot carry at all (a schtasks line for a task without triggers, a line break in a
    /// JT value).
    pub fn write_lossy(self, doc: &Document) -> Result<Vec<u8>, Error> {
        match self {
            Format::Schtasks => schtasks::write_lossy(doc, DateOrder::Mdy),
            Format::Jt => jt::write_lossy(doc, DateOrder::Mdy),
            // The other writers write what they can and never refuse a loss.
            other => other.write(doc),
        }
    }

    /// What of `entry` this format cannot hold, one line per loss.
    pub fn losses(self, entry: &Entry) -> Vec<String> {
        match self {
            Format::TaskFile => task_file::losses(entry),
            Format::Job => job::losses(entry),
            Format::Xml => xml::losses(entry),
            Format::Gpp => gpp::losses(entry),
            Format::Schtasks => schtasks::losses(entry),
            Format::Jt => jt::losses(entry),
        }
    }
}

/// The name of the root element of an XML document (UTF-8 or UTF-16 with a BOM), if
/// `input` looks like XML.
fn xml_root(input: &[u8]) -> Option<String> {
    let text: String = match input {
        [0xFF, 0xFE, rest @ ..] => {
            char::decode_utf16(rest.chunks_exact(2).take(2048).map(|c| u16::from_le_bytes([c[0], c[1]])))
                .map(|c| c.unwrap_or('\u{FFFD}'))
                .collect()
        }
        [0xFE, 0xFF, rest @ ..] => {
            char::decode_utf16(rest.chunks_exact(2).take(2048).map(|c| u16::from_be_bytes([c[0], c[1]])))
                .map(|c| c.unwrap_or('\u{FFFD}'))
                .collect()
        }
        _ => {
            let head = &input[..input.len().min(4096)];
            let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
            String::from_utf8_lossy(head).into_owned()
        }
    };
    let mut rest = text.trim_start();
    if !rest.starts_with('<') {
        return None;
    }
    // Skip the declaration, comments and processing instructions to the first element.
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if let Some(r) = rest.strip_prefix("<!") {
            rest = &r[r.find('>')? + 1..];
        } else if let Some(r) = rest.strip_prefix('<') {
            let name: String =
                r.chars().take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/').collect();
            let local = name.rsplit(':').next().unwrap_or(&name).to_string();
            return Some(local);
        } else {
            return None;
        }
    }
}

/// True when `input` has the fixed header of a `.job` file: file version 1 and an
/// application-name offset inside the file, and NUL bytes, which no text has.
fn looks_like_job(input: &[u8]) -> bool {
    if input.len() < 70 {
        return false;
    }
    let word = |at: usize| u16::from_le_bytes([input[at], input[at + 1]]);
    let app_offset = usize::from(word(20));
    let trigger_offset = usize::from(word(22));
    word(2) == 1
        && (68..input.len()).contains(&app_offset)
        && trigger_offset < input.len() + 1
        && input[..68].contains(&0)
}

/// Reads a file's bytes in `format`, or in the format detected from its content.
///
/// A `.job` file is named after the file (its stem), as Windows names it; every error and
/// warning names `path`.
pub fn read_file(
    path: &str,
    input: &[u8],
    format: Option<Format>,
    opts: &ReadOptions,
) -> Result<(Format, Document), Error> {
    let format = match format.or_else(|| Format::detect(input)) {
        Some(f) => f,
        None => {
            return Err(Error::one(
                Diagnostic::error(
                    Location::None,
                    "cannot tell the format of this input; expected a task file (toml), a .job file, Task Scheduler XML, GPP ScheduledTasks.xml, schtasks or JT lines; name the format explicitly",
                )
                .in_file(path),
            ));
        }
    };
    let mut opts = opts.clone();
    if opts.name.is_none() && format == Format::Job {
        let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
        if !stem.is_empty() && stem != "-" {
            opts.name = Some(stem.to_string());
        }
    }
    let mut doc = format.read(input, &opts).map_err(|e| e.in_file(path))?;
    for w in &mut doc.warnings {
        w.file.get_or_insert_with(|| path.to_string());
    }
    Ok((format, doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Task version=\"1.2\">"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        assert_eq!(Format::detect(&utf16), Some(Format::Xml));
        assert_eq!(
            Format::detect(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<ScheduledTasks clsid=\"{CC63F200-7309-4ba0-B154-A71CD118DBCC}\">"),
            Some(Format::Gpp)
        );
        assert_eq!(Format::detect(b"# tasks\n[[task]]\nname = \"x\"\n"), Some(Format::TaskFile));
        assert_eq!(Format::detect(b"schtasks /Create /TN x /TR y /SC DAILY\n"), Some(Format::Schtasks));
        assert_eq!(Format::detect(b"   /SC WEEKLY   ;;Weekly\n   /MO 1\n"), Some(Format::Schtasks));
        assert_eq!(Format::detect(b"/SJ ApplicationName=\"x\" /CTJ Type=DAILY /SAJ a.job"), Some(Format::Jt));
        assert_eq!(
            Format::detect(
                b";--- Task ---\nWorkingDirectory = \"c:\\\\x\"\nApplicationName = \"%COMSPEC%\"\n"
            ),
            Some(Format::Jt)
        );
        let mut job = vec![0u8; 100];
        job[0] = 0x01;
        job[1] = 0x06;
        job[2] = 1;
        job[4] = 0xEB;
        job[20] = 0x46;
        job[22] = 0x60;
        assert_eq!(Format::detect(&job), Some(Format::Job));
        assert_eq!(Format::detect(b"hello"), None);
        assert_eq!(Format::detect(b""), None);
    }

    #[test]
    fn job_files_are_named_after_the_file() {
        let err =
            read_file("C:\\Windows\\Tasks\\nightly.job", b"", Some(Format::Job), &ReadOptions::default());
        assert!(err.is_err());
        let e = read_file("x.bin", b"??", None, &ReadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("cannot tell the format") && e.contains("x.bin"), "{e}");
    }
}

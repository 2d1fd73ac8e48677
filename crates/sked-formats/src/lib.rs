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

    /// Reads `input` in this format.
    pub fn read(self, input: &[u8], opts: &ReadOptions) -> Result<Document, Error> {
        match self {
            Format::TaskFile => task_file::read(input),
            Format::Job => job::read(input, opts),
            Format::Xml => xml::read(input, opts),
            Format::Gpp => gpp::read(input, opts),
            Format::Schtasks => schtasks::read(input, opts),
            Format::Jt => jt::read(input, opts),
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

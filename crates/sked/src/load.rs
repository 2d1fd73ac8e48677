//! Reading a task source: a file (or `-` for standard input) in any format sked reads.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use sked_core::{FieldPath, Task};
use sked_formats::{Document, Format, Location, ReadOptions, task_file};

use crate::exit::Usage;

/// A source read and parsed: its name for messages, its bytes (to point into them) and its
/// tasks.
#[derive(Debug)]
pub struct Source {
    /// The path as given, or `<stdin>`.
    pub name: String,
    /// The raw input.
    pub bytes: Vec<u8>,
    /// The format it was read as.
    pub format: Format,
    /// What the reader made of it.
    pub document: Document,
}

/// Reads `path` (`-` for standard input) as `format`, or as the format its name and content
/// suggest. Errors name the file; format errors keep their line, column and caret.
pub fn load(path: &str, format: Option<Format>) -> anyhow::Result<Source> {
    let (name, bytes) = if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        (display_name(path), bytes)
    } else {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read `{path}`"))?;
        (path.to_string(), bytes)
    };
    let format = format.unwrap_or_else(|| detect(path, &bytes));
    let opts = ReadOptions {
        // A `.job` file holds no name: the file is the name, as in Task Scheduler.
        name: Path::new(path)
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|_| path != "-")
            .map(str::to_string),
        ..ReadOptions::default()
    };
    let document = format.read(&bytes, &opts).map_err(|e| e.in_file(&name))?;
    Ok(Source {
        name,
        bytes,
        format,
        document,
    })
}

/// How messages name the source at `path`: the path as given, `<stdin>` for `-`.
pub fn display_name(path: &str) -> String {
    if path == "-" {
        "<stdin>".to_string()
    } else {
        path.to_string()
    }
}

/// The format of a source from its extension and, for XML, its root element. Anything
/// else is a task file: the only format a person writes by hand.
fn detect(path: &str, bytes: &[u8]) -> Format {
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("job") => Format::Job,
        Some("xml") => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
            if head.contains("<ScheduledTasks") {
                Format::Gpp
            } else {
                Format::Xml
            }
        }
        _ => Format::TaskFile,
    }
}

impl Source {
    /// The tasks, in source order.
    pub fn tasks(&self) -> Vec<&Task> {
        self.document.tasks().collect()
    }

    /// The indexes of the tasks to work on: all of them, or those named `name`.
    pub fn select(&self, name: Option<&str>) -> Result<Vec<usize>, Usage> {
        let tasks = self.tasks();
        let Some(name) = name else {
            return Ok((0..tasks.len()).collect());
        };
        let picked: Vec<usize> = (0..tasks.len())
            .filter(|&i| tasks[i].name == name)
            .collect();
        if picked.is_empty() {
            let known: Vec<String> = tasks.iter().map(|t| format!("`{}`", t.name)).collect();
            let known = if known.is_empty() {
                "it holds no task".to_string()
            } else {
                format!("expected one of {}", known.join(", "))
            };
            return Err(Usage(format!(
                "no task named `{name}` in `{}`; {known}",
                self.name
            )));
        }
        Ok(picked)
    }

    /// Where field `field` of task `index` is in the source, for pointing a diagnostic at it.
    pub fn locate(&self, index: usize, field: &FieldPath) -> Location {
        match self.format {
            Format::TaskFile => task_file::locate(&self.bytes, index, field),
            _ => Location::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_detected_by_name_and_root() {
        assert_eq!(detect("a.toml", b""), Format::TaskFile);
        assert_eq!(detect("-", b"[[task]]"), Format::TaskFile);
        assert_eq!(detect("Backup.JOB", b""), Format::Job);
        assert_eq!(
            detect(
                "t.xml",
                b"<?xml version=\"1.0\"?><ScheduledTasks clsid=\"x\">"
            ),
            Format::Gpp
        );
        assert_eq!(detect("t.xml", b"<Task version=\"1.2\">"), Format::Xml);
    }
}

//! Reading a task source: a file (or `-` for standard input) in any format sked reads.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use sked_core::{FieldPath, Task};
use sked_formats::{Document, Format, Location, ReadOptions, read_file, task_file};

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
        std::io::stdin().lock().read_to_end(&mut bytes).context("cannot read standard input")?;
        (display_name(path), bytes)
    } else {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read `{path}`"))?;
        (path.to_string(), bytes)
    };
    // A `.toml` name settles it, so that a task file with a syntax error on its first line
    // gets the task file's own diagnostics; anything else is told by its content.
    let format = format.or_else(|| is_toml(path).then_some(Format::TaskFile));
    let opts = ReadOptions {
        // A `.job` is named after its file; standard input has none.
        name: (path == "-").then(|| "stdin".to_string()),
        // schtasks and JT default dates and times to "now": the machine's civil time.
        now: Some(jiff::Zoned::now().datetime()),
        ..ReadOptions::default()
    };
    let (format, document) = read_file(&name, &bytes, format, &opts)?;
    Ok(Source { name, bytes, format, document })
}

/// How messages name the source at `path`: the path as given, `<stdin>` for `-`.
pub fn display_name(path: &str) -> String {
    if path == "-" { "<stdin>".to_string() } else { path.to_string() }
}

fn is_toml(path: &str) -> bool {
    Path::new(path).extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"))
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
        let picked: Vec<usize> = (0..tasks.len()).filter(|&i| tasks[i].name == name).collect();
        if picked.is_empty() {
            let known: Vec<String> = tasks.iter().map(|t| format!("`{}`", t.name)).collect();
            let known = if known.is_empty() {
                "it holds no task".to_string()
            } else {
                format!("expected one of {}", known.join(", "))
            };
            return Err(Usage(format!("no task named `{name}` in `{}`; {known}", self.name)));
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
    fn a_toml_name_means_a_task_file() {
        assert!(is_toml("a.toml"));
        assert!(is_toml("dir.d/A.TOML"));
        assert!(!is_toml("-"));
        assert!(!is_toml("toml"));
        assert!(!is_toml("Backup.job"));
    }
}

//! Reading a task source: a file (or `-` for standard input) in any format sked reads.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use sked_core::{FieldPath, Task};
use sked_formats::symbols::{self, Defines};
use sked_formats::{DateOrder, Document, Format, Location, ReadOptions, read_file, task_file};

use crate::args::InputArgs;
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

/// How to read a source, beyond its path.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// The format, when the user names it.
    pub format: Option<Format>,
    /// The order of slash-separated dates in schtasks and JT lines.
    pub date_order: DateOrder,
    /// The task's name, for formats whose content has none (a `.job` is named after its
    /// file; standard input has no file name).
    pub name: Option<String>,
    /// Install-time symbols: every `(*NAME*)` in a text source is replaced before reading.
    pub defines: Defines,
}

impl LoadOptions {
    /// The options the command line gives: `--format`, `--date-order`, `--name`, and the
    /// symbols of `--defines FILE` overridden by each `--define`.
    pub fn from_args(args: &InputArgs) -> anyhow::Result<LoadOptions> {
        let mut defines = Defines::new();
        let read = &args.read;
        if let Some(file) = &read.defines_file {
            let text = std::fs::read_to_string(file).with_context(|| format!("cannot read `{file}`"))?;
            defines = symbols::parse_defines_file(&text).map_err(|e| e.in_file(file))?;
        }
        for (name, value) in &read.defines {
            defines.insert(name.clone(), value.clone());
        }
        Ok(LoadOptions { format: args.format, date_order: read.date_order, name: args.name.clone(), defines })
    }
}

/// Reads `path` (`-` for standard input) as `opts.format`, or as the format its name and
/// content suggest. Errors name the file; format errors keep their line, column and caret.
///
/// Install-time symbols are replaced in every text source, whatever its format, before it
/// is read: an undefined `(*NAME*)` is an error pointing at it, so a file meant for an
/// installer is never taken with its placeholders as values. A binary `.job` is read as it
/// is.
pub fn load_with(path: &str, opts: &LoadOptions) -> anyhow::Result<Source> {
    let bytes = if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes).context("cannot read standard input")?;
        bytes
    } else {
        std::fs::read(path).with_context(|| format!("cannot read `{path}`"))?
    };
    parse(path, bytes, opts)
}

/// Reads the `bytes` of the source at `path` as [`load_with`] does, once they are read.
pub fn parse(path: &str, bytes: Vec<u8>, opts: &LoadOptions) -> anyhow::Result<Source> {
    let name = display_name(path);
    let format = opts.format;
    // A `.toml` name settles it, so that a task file with a syntax error on its first line
    // gets the task file's own diagnostics; anything else is told by its content.
    let format = format.or_else(|| is_toml(path).then_some(Format::TaskFile));
    let bytes = substitute(&name, bytes, format, &opts.defines)?;
    let read_opts = ReadOptions {
        // A `.job` is named after its file; standard input has none.
        name: opts.name.clone().or_else(|| (path == "-").then(|| "stdin".to_string())),
        // schtasks and JT default dates and times to "now": the machine's civil time.
        now: Some(jiff::Zoned::now().datetime()),
        date_order: opts.date_order,
    };
    let (format, document) = read_file(&name, &bytes, format, &read_opts)?;
    Ok(Source { name, bytes, format, document })
}

/// How messages name the source at `path`: the path as given, `<stdin>` for `-`.
pub fn display_name(path: &str) -> String {
    if path == "-" { "<stdin>".to_string() } else { path.to_string() }
}

/// Replaces the install-time symbols of a text source; binary and UTF-16 sources (a `.job`,
/// XML as Windows exports it) pass unchanged, since symbols are an installer's text.
fn substitute(
    name: &str,
    bytes: Vec<u8>,
    format: Option<Format>,
    defines: &Defines,
) -> anyhow::Result<Vec<u8>> {
    if format == Some(Format::Job) || (format.is_none() && Format::detect(&bytes) == Some(Format::Job)) {
        return Ok(bytes);
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(bytes);
    };
    if !text.contains("(*") {
        return Ok(bytes);
    }
    let text = symbols::substitute(text, defines).map_err(|e| e.in_file(name))?;
    Ok(text.into_bytes())
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

    #[test]
    fn symbols_are_replaced_in_text_only() {
        let mut defines = Defines::new();
        defines.insert("DIR", "/opt/app");
        let text = b"schtasks /Create /TN x /TR \"(*DIR*)/run\" /SC DAILY".to_vec();
        let out = substitute("in.txt", text, None, &defines).unwrap();
        assert_eq!(out, b"schtasks /Create /TN x /TR \"/opt/app/run\" /SC DAILY");
        let e = substitute("in.txt", b"a (*NOPE*) b".to_vec(), None, &defines).unwrap_err().to_string();
        assert!(e.contains("NOPE") && e.contains("in.txt"), "{e}");
        let binary = vec![0xFF, 0xFE, b'(', 0, b'*', 0];
        assert_eq!(substitute("x.xml", binary.clone(), None, &defines).unwrap(), binary);
    }
}

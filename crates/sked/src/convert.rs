//! `sked convert`: read tasks in one format, write them in another, refusing to drop
//! anything silently.

use std::io::{IsTerminal, Write};

use anyhow::Context;
use sked_core::Zones;
use sked_formats::{Document, Format};

use crate::exit::Usage;
use crate::load::Source;
use crate::validate::compile_all;

/// What `sked convert` was asked.
#[derive(Debug)]
pub struct Options {
    /// The format to write.
    pub to: Format,
    /// Only the task with this name.
    pub task: Option<String>,
    /// Write even if something is lost, with the losses as warnings.
    pub lossy: bool,
    /// The output file; standard output when `None` or `-`.
    pub output: Option<String>,
}

/// Converts `source` as `opts` says, writing to `-o` or `out`.
///
/// Every task is checked first (as `sked validate` would), then every loss of the target
/// format is gathered: any loss fails the conversion with the whole list unless
/// `--lossy`. Nothing is written unless everything converts.
pub fn run(source: &Source, opts: &Options, out: &mut dyn Write) -> anyhow::Result<()> {
    let picked = source.select(opts.task.as_deref())?;
    if picked.is_empty() {
        return Err(Usage(format!("`{}` holds no task to convert", source.name)).into());
    }
    // Zones only matter for checking that every zone exists and every trigger can fire.
    let zones = Zones::new(jiff::tz::db().clone(), jiff::tz::TimeZone::UTC);
    compile_all(source, &picked, &zones)?;
    let doc = Document {
        entries: picked.iter().map(|&i| source.document.entries[i].clone()).collect(),
        warnings: Vec::new(),
    };
    if opts.to == Format::Job && doc.entries.len() > 1 {
        let names: Vec<String> = doc.entries.iter().map(|e| format!("`{}`", e.task.name)).collect();
        return Err(Usage(format!(
            "a .job file holds one task and `{}` has {}: {}; pick one with `--task NAME`",
            source.name,
            doc.entries.len(),
            names.join(", ")
        ))
        .into());
    }
    let losses = losses(&doc, opts.to);
    if !losses.is_empty() {
        if !opts.lossy {
            anyhow::bail!(
                "converting `{}` to {} would lose:\n{}\nnothing was written; pass `--lossy` to convert anyway",
                source.name,
                opts.to.name(),
                losses.join("\n")
            );
        }
        for l in &losses {
            eprintln!("warning: lost in {}: {}", opts.to.name(), l.trim_start_matches("  - "));
        }
    }
    let bytes = if opts.lossy { opts.to.write_lossy(&doc) } else { opts.to.write(&doc) };
    let bytes = bytes.map_err(|e| e.in_file(&source.name))?;
    match opts.output.as_deref() {
        None | Some("-") => {
            if opts.to == Format::Job && std::io::stdout().is_terminal() {
                return Err(Usage(
                    "a .job file is binary; write it to a file with `-o FILE.job`, or redirect standard output"
                        .into(),
                )
                .into());
            }
            out.write_all(&bytes)?;
        }
        Some(path) => write_atomically(path, &bytes)?,
    }
    Ok(())
}

/// Every loss of every task, as `  - task `NAME`: what` lines.
fn losses(doc: &Document, to: Format) -> Vec<String> {
    doc.entries
        .iter()
        .flat_map(|e| to.losses(e).into_iter().map(move |l| format!("  - task `{}`: {l}", e.task.name)))
        .collect()
}

/// Writes `bytes` to `path` through a temporary file renamed over it, so that a failed
/// conversion never leaves half a file.
fn write_atomically(path: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let target = std::path::Path::new(path);
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let file_name = target.file_name().with_context(|| format!("`{path}` names no file"))?;
    let tmp = dir.join(format!(".{}.sked-tmp", file_name.to_string_lossy()));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write `{}`", tmp.display()))?;
    std::fs::rename(&tmp, target).with_context(|| format!("cannot write `{path}`"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sked_core::Task;

    #[test]
    fn losses_name_their_task() {
        let mut task = Task::new("t", "/bin/true");
        task.environment.insert("A".into(), "1".into());
        let doc = Document::from_tasks([task]);
        let l = losses(&doc, Format::Job);
        assert!(!l.is_empty());
        assert!(l.iter().all(|l| l.starts_with("  - task `t`: ")), "{l:?}");
        assert!(losses(&doc, Format::TaskFile).is_empty());
    }
}

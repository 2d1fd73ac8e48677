//! `sked validate`: read each file and compile every task, reporting every problem with
//! its file, line and column.

use std::io::Write;

use sked_core::{Schedule, Zones};
use sked_formats::Diagnostic;

use crate::exit::{self, Reported};
use crate::load::{LoadOptions, Source, display_name, load_with};

/// Validates each of `files`: "ok" lines on `out`, diagnostics on standard error. Fails
/// with [`Reported`] when any file has a problem.
pub fn run(files: &[String], opts: &LoadOptions, zones: &Zones, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut bad = 0;
    for file in files {
        let source = match load_with(file, opts) {
            Ok(source) => source,
            Err(err) => {
                eprintln!("{}", exit::message(&err));
                if let Some(e) = err.downcast_ref::<sked_formats::Error>() {
                    eprintln!();
                    not_valid(&display_name(file), e.diagnostics().len());
                }
                bad += 1;
                continue;
            }
        };
        print_warnings(&source);
        let problems: Vec<Diagnostic> = (0..source.document.entries.len())
            .filter_map(|i| compile(&source, i, zones).err())
            .flatten()
            .collect();
        if problems.is_empty() {
            let n = source.document.entries.len();
            let tasks = if n == 1 { "task" } else { "tasks" };
            writeln!(out, "ok: {} ({n} {tasks})", source.name)?;
            out.flush()?;
        } else {
            for d in &problems {
                eprintln!("{d}\n");
            }
            not_valid(&source.name, problems.len());
            bad += 1;
        }
    }
    if bad > 0 {
        return Err(Reported.into());
    }
    Ok(())
}

fn not_valid(name: &str, problems: usize) {
    let s = if problems == 1 { "" } else { "s" };
    eprintln!("error: `{name}` is not valid: {problems} problem{s}");
}

/// Compiles task `index` of `source`. Its problems (an unknown zone, a trigger that can
/// never fire, anything [`sked_core::Task::validate`] finds) become diagnostics pointing
/// at the field in the source, each naming the task.
pub fn compile(source: &Source, index: usize, zones: &Zones) -> Result<Schedule, Vec<Diagnostic>> {
    let task = &source.document.entries[index].task;
    Schedule::new(task, zones).map_err(|e| {
        e.problems()
            .iter()
            .map(|p| {
                Diagnostic::error(
                    source.locate(index, &p.field),
                    format!("task `{}`, `{}`: {}", task.name, p.field, p.message),
                )
                .in_file(&source.name)
            })
            .collect()
    })
}

/// Compiles the tasks `indexes` of `source`, or prints every problem and fails with
/// [`Reported`].
pub fn compile_all(source: &Source, indexes: &[usize], zones: &Zones) -> anyhow::Result<Vec<Schedule>> {
    let mut schedules = Vec::new();
    let mut problems = Vec::new();
    for &i in indexes {
        match compile(source, i, zones) {
            Ok(s) => schedules.push(s),
            Err(d) => problems.extend(d),
        }
    }
    if problems.is_empty() {
        return Ok(schedules);
    }
    let rendered: Vec<String> = problems.iter().map(Diagnostic::to_string).collect();
    eprintln!("{}", rendered.join("\n\n"));
    Err(Reported.into())
}

/// Prints what the reader dropped or doubted, on standard error.
pub fn print_warnings(source: &Source) {
    for w in &source.document.warnings {
        eprintln!("{}\n", w.clone().in_file(&source.name));
    }
}

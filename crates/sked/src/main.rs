//! The `sked` command line: parse the arguments, read the clock and the machine's zone,
//! call the command, map its result to an exit code (see [`exit`]).
#![forbid(unsafe_code)]

mod apply;
mod args;
mod build;
mod calendar;
mod convert;
mod daemon;
mod describe;
mod exit;
mod load;
mod next;
mod render;
mod schtasks;
mod service;
mod validate;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use jiff::Timestamp;
use sked_core::Zones;

use crate::args::{Cli, Command, default_zone, zone_name};
use crate::calendar::Marker;
use crate::load::{LoadOptions, load_with};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = run(cli, &mut out).and_then(|()| Ok(out.flush()?));
    exit::finish(result)
}

fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    match cli.command {
        Command::Next(a) if !is_file(&a.source) => {
            service::next(&a.source, a.count, a.from, a.json, a.socket, out)
        }
        Command::Next(a) => {
            let zones = Zones::new(jiff::tz::db().clone(), default_zone(a.tz));
            let source = load_with(&a.source, &LoadOptions::from_args(&a.input)?)?;
            validate::print_warnings(&source);
            let opts = next::Options {
                task: a.task,
                from: a.from.unwrap_or_else(Timestamp::now),
                count: a.count as usize,
                json: a.json,
            };
            next::run(&source, &zones, &opts, out)
        }
        Command::Validate(a) => {
            let zones = Zones::new(jiff::tz::db().clone(), default_zone(None));
            validate::run(&a.files, &LoadOptions::from_args(&a.input)?, &zones, out)
        }
        Command::Describe(a) => {
            let tz = default_zone(a.tz);
            let default_zone = zone_name(&tz);
            let zones = Zones::new(jiff::tz::db().clone(), tz);
            let source = load_with(&a.file, &LoadOptions::from_args(&a.input)?)?;
            validate::print_warnings(&source);
            let marker = if io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
                Marker::Reverse
            } else {
                Marker::Brackets
            };
            let opts = describe::Options {
                task: a.task,
                default_zone,
                calendar: a.calendar.then(|| describe::CalendarOptions {
                    from: a.from.unwrap_or_else(Timestamp::now),
                    months: a.months,
                    marker,
                }),
            };
            describe::run(&source, &zones, &opts, out)
        }
        Command::Convert(a) => {
            let source = load_with(&a.input_path, &LoadOptions::from_args(&a.input())?)?;
            validate::print_warnings(&source);
            let opts = convert::Options { to: a.to, task: a.task, lossy: a.lossy, output: a.output };
            convert::run(&source, &opts, out)
        }
        Command::Daemon(a) => daemon::run(a),
        Command::Schtasks { args } => schtasks::run(&args, out),
        Command::Create(a) => service::create(a, out),
        Command::List(a) => service::list(a, out),
        Command::Show(a) => service::show(a, out),
        Command::Change(a) => service::change(a, out),
        Command::Enable(a) => service::set_enabled(a, true, out),
        Command::Disable(a) => service::set_enabled(a, false, out),
        Command::Delete(a) => service::delete(a, out),
        Command::Run(a) => service::run(a, out),
        Command::End(a) => service::end(a, out),
        Command::History(a) => service::history(a, out),
        Command::Logs(a) => service::logs(a, out),
        Command::Apply(a) => service::apply(a, out),
        Command::Remove(a) => service::remove(a, out),
        Command::Export(a) => service::export(a, out),
    }
}

/// `sked next SOURCE`: `-`, existing paths and names with a task file's extension are
/// files (so a mistyped file name says the file is missing, not that the service is
/// down); anything else names a task in the service.
fn is_file(source: &str) -> bool {
    const EXTENSIONS: [&str; 7] = ["toml", "job", "xml", "txt", "bat", "cmd", "jt"];
    let path = std::path::Path::new(source);
    source == "-"
        || path.exists()
        || path.extension().is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// jemalloc rather than the C library's allocator: the daemon's memory peaks while it loads
/// every task and while it answers a list of them all, and jemalloc hands freed memory
/// back to the system (glibc keeps it in per-thread arenas for the life of the process).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

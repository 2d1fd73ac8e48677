//! `sked schtasks /Create|/Delete|/Query|/Change|/Run|/End ...`: Windows' schtasks
//! command line against the sked service, so install scripts written for schtasks work
//! unchanged.
//!
//! `sked_formats::schtasks::parse_command` reads the switches; [`execute`] turns the
//! command into calls of a [`Service`] and prints what schtasks prints (`SUCCESS: ...`,
//! `ERROR: ...`), exit code 0 or 1. The service is a trait so every verb is tested
//! without a running daemon; the real one is [`sked_api::blocking::Client`].

pub mod change;
pub mod query;

use std::io::{BufRead, Write};

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use sked_api::types::{TaskSummary, TaskView};
use sked_core::Task;
use sked_formats::schtasks::{Command, Query, parse_command};
use sked_formats::{Action, Document, ReadOptions, Severity};

use self::query::{Layout, Row};

/// The calls of the sked service that schtasks needs.
pub trait Service {
    /// Every task the caller may see.
    fn list(&self) -> sked_api::Result<Vec<TaskSummary>>;
    /// One task, with its definition.
    fn get(&self, name: &str) -> sked_api::Result<TaskView>;
    /// Creates a task; fails with `conflict` if its name is taken.
    fn create(&self, task: &Task) -> sked_api::Result<()>;
    /// Replaces the definition of task `name`.
    fn replace(&self, name: &str, task: &Task) -> sked_api::Result<()>;
    /// Deletes a task.
    fn delete(&self, name: &str) -> sked_api::Result<()>;
    /// Enables or disables a task.
    fn set_enabled(&self, name: &str, enabled: bool) -> sked_api::Result<()>;
    /// Starts a run now.
    fn run(&self, name: &str) -> sked_api::Result<()>;
    /// Ends the runs in progress.
    fn end(&self, name: &str) -> sked_api::Result<()>;
}

impl Service for sked_api::blocking::Client {
    fn list(&self) -> sked_api::Result<Vec<TaskSummary>> {
        Ok(sked_api::blocking::Client::list(self, None)?.tasks)
    }
    fn get(&self, name: &str) -> sked_api::Result<TaskView> {
        sked_api::blocking::Client::get(self, name)
    }
    fn create(&self, task: &Task) -> sked_api::Result<()> {
        sked_api::blocking::Client::create(self, task).map(drop)
    }
    fn replace(&self, name: &str, task: &Task) -> sked_api::Result<()> {
        sked_api::blocking::Client::replace(self, name, task, None).map(drop)
    }
    fn delete(&self, name: &str) -> sked_api::Result<()> {
        sked_api::blocking::Client::delete(self, name)
    }
    fn set_enabled(&self, name: &str, enabled: bool) -> sked_api::Result<()> {
        if enabled { self.enable(name).map(drop) } else { self.disable(name).map(drop) }
    }
    fn run(&self, name: &str) -> sked_api::Result<()> {
        sked_api::blocking::Client::run(self, name).map(drop)
    }
    fn end(&self, name: &str) -> sked_api::Result<()> {
        sked_api::blocking::Client::end(self, name).map(drop)
    }
}

/// What the commands need from the machine, passed in so that they stay testable.
#[derive(Clone, Debug)]
pub struct Env {
    /// The civil time now, in `zone`: schtasks' default `/SD` and `/ST`.
    pub now: DateTime,
    /// The zone times are shown in.
    pub zone: TimeZone,
    /// The machine's name (the HostName column).
    pub host: String,
    /// The caller's uid: `/Delete /TN *` deletes only the caller's tasks.
    pub uid: u32,
    /// The user name of a uid.
    pub user_name: fn(u32) -> String,
}

/// Where a command reads and writes.
pub struct Io<'a> {
    /// `SUCCESS:` lines and query output.
    pub out: &'a mut dyn Write,
    /// `ERROR:` and `WARNING:` lines.
    pub err: &'a mut dyn Write,
    /// Answers to the `(Y/N)` prompt of `/Delete` without `/F`.
    pub input: &'a mut dyn BufRead,
}

/// Windows' message for a task that does not exist (ERROR_FILE_NOT_FOUND).
const NOT_FOUND: &str = "ERROR: The system cannot find the file specified.";
/// Windows' message for `/Create` of an existing task without `/F` (ERROR_ALREADY_EXISTS).
const EXISTS: &str = "ERROR: Cannot create a file when that file already exists.";

/// Runs one schtasks command (the arguments after `schtasks`) against `svc`; returns the
/// exit code: 0 for success, 1 for an error (already printed).
pub fn execute(args: &[String], svc: &dyn Service, env: &Env, io: &mut Io<'_>) -> std::io::Result<u8> {
    if args.iter().any(|a| a == "/?" || a == "-?") {
        io.out.write_all(USAGE.as_bytes())?;
        return Ok(0);
    }
    let opts = ReadOptions { now: Some(env.now), ..ReadOptions::default() };
    let parsed = match parse_command(args, &opts, Some(env.now)) {
        Ok(p) => p,
        Err(e) => {
            for d in e.diagnostics().iter().filter(|d| d.severity == Severity::Error) {
                writeln!(io.err, "ERROR: Invalid syntax. {}", sentence(&d.message))?;
            }
            writeln!(io.err, "Type \"SCHTASKS {}/?\" for usage.", usage_verb(args))?;
            return Ok(1);
        }
    };
    for w in &parsed.warnings {
        writeln!(io.err, "WARNING: {}", sentence(&w.message))?;
    }
    let shown = shown_name(args);
    match parsed.command {
        Command::Create(entry) => {
            let task = entry.task;
            let shown = shown.unwrap_or_else(|| task.name.clone());
            let exists = match exists(svc, &task.name) {
                Ok(e) => e,
                Err(e) => return fail(io, &e),
            };
            let result = match (exists, entry.action) {
                (true, Action::Replace) => svc.replace(&task.name, &task),
                (true, _) => {
                    writeln!(io.err, "{EXISTS}")?;
                    return Ok(1);
                }
                (false, _) => svc.create(&task),
            };
            match result {
                Ok(()) => {
                    writeln!(
                        io.out,
                        "SUCCESS: The scheduled task \"{shown}\" has successfully been created."
                    )?;
                    Ok(0)
                }
                Err(e) if e.code() == Some("conflict") => {
                    writeln!(io.err, "{EXISTS}")?;
                    Ok(1)
                }
                Err(e) => fail(io, &e),
            }
        }
        Command::Delete { name: Some(name), force } => {
            let shown = shown.unwrap_or_else(|| name.clone());
            match exists(svc, &name) {
                Ok(true) => {}
                Ok(false) => {
                    writeln!(io.err, "{NOT_FOUND}")?;
                    return Ok(1);
                }
                Err(e) => return fail(io, &e),
            }
            let prompt = format!("WARNING: Are you sure you want to remove the task \"{shown}\" (Y/N)? ");
            if !force && !confirm(io, &prompt)? {
                writeln!(io.out, "INFO: The scheduled task \"{shown}\" was not deleted.")?;
                return Ok(0);
            }
            match svc.delete(&name) {
                Ok(()) => {
                    writeln!(io.out, "SUCCESS: The scheduled task \"{shown}\" was successfully deleted.")?;
                    Ok(0)
                }
                Err(e) => fail(io, &e),
            }
        }
        Command::Delete { name: None, force } => {
            let mine: Vec<String> = match svc.list() {
                Ok(list) => list.into_iter().filter(|t| t.owner_uid == env.uid).map(|t| t.name).collect(),
                Err(e) => return fail(io, &e),
            };
            if mine.is_empty() {
                writeln!(io.out, "{}", query::NO_TASKS)?;
                return Ok(0);
            }
            let prompt = "WARNING: Are you sure you want to remove all the tasks (Y/N)? ";
            if !force && !confirm(io, prompt)? {
                writeln!(io.out, "INFO: No scheduled task was deleted.")?;
                return Ok(0);
            }
            let mut code = 0;
            for name in mine {
                match svc.delete(&name) {
                    Ok(()) => writeln!(
                        io.out,
                        "SUCCESS: The scheduled task \"{}\" was successfully deleted.",
                        query::windows_name(&name)
                    )?,
                    Err(e) => code = fail(io, &e)?,
                }
            }
            Ok(code)
        }
        Command::Query(q) => run_query(&q, svc, env, io),
        Command::Change { name, args: rest } => {
            let shown = shown.unwrap_or_else(|| name.clone());
            let view = match svc.get(&name) {
                Ok(v) => v,
                Err(e) => return fail(io, &e),
            };
            let mut task = match sked_api::decode(&view.definition) {
                Ok(t) => t,
                Err(e) => return fail(io, &e),
            };
            task.enabled = view.summary.enabled;
            let applied = match change::apply(&mut task, &rest, opts.date_order, env.now.date()) {
                Ok(a) => a,
                Err(errors) => {
                    for e in errors {
                        writeln!(io.err, "ERROR: {}", sentence(&e))?;
                    }
                    return Ok(1);
                }
            };
            for w in &applied.warnings {
                writeln!(io.err, "WARNING: {}", sentence(w))?;
            }
            let mut result = svc.replace(&name, &task);
            if let (Ok(()), Some(on)) = (&result, applied.enable) {
                result = svc.set_enabled(&name, on);
            }
            match result {
                Ok(()) => {
                    writeln!(
                        io.out,
                        "SUCCESS: The parameters of scheduled task \"{shown}\" have been changed."
                    )?;
                    Ok(0)
                }
                Err(e) => fail(io, &e),
            }
        }
        Command::Run { name, .. } => match svc.run(&name) {
            Ok(()) => {
                let shown = shown.unwrap_or(name);
                writeln!(io.out, "SUCCESS: Attempted to run the scheduled task \"{shown}\".")?;
                Ok(0)
            }
            Err(e) => fail(io, &e),
        },
        Command::End { name } => match svc.end(&name) {
            Ok(()) => {
                let shown = shown.unwrap_or(name);
                writeln!(
                    io.out,
                    "SUCCESS: The scheduled task \"{shown}\" has been terminated successfully."
                )?;
                Ok(0)
            }
            Err(e) => fail(io, &e),
        },
    }
}

fn run_query(q: &Query, svc: &dyn Service, env: &Env, io: &mut Io<'_>) -> std::io::Result<u8> {
    let wants_definition = q.verbose || q.xml.is_some();
    let views: Vec<(TaskSummary, Option<String>)> = match &q.name {
        Some(name) => match svc.get(name) {
            Ok(v) => vec![(v.summary, Some(v.definition))],
            Err(e) => return fail(io, &e),
        },
        None => match svc.list() {
            Ok(list) => {
                let mut out = Vec::new();
                for s in list {
                    let definition = if wants_definition {
                        match svc.get(&s.name) {
                            Ok(v) => Some(v.definition),
                            // Deleted since the list was taken: not worth an error.
                            Err(e) if e.is_not_found() => continue,
                            Err(e) => return fail(io, &e),
                        }
                    } else {
                        None
                    };
                    out.push((s, definition));
                }
                out
            }
            Err(e) => return fail(io, &e),
        },
    };
    let mut rows = Vec::new();
    for (s, definition) in views {
        let task = match definition.as_deref().map(sked_api::decode).transpose() {
            Ok(t) => t,
            Err(e) => return fail(io, &e),
        };
        rows.push(Row {
            name: s.name,
            next_run: s.next_run,
            state: s.state,
            last_run: s.last_run,
            task,
            owner: (env.user_name)(s.owner_uid),
        });
    }
    if q.xml.is_some() {
        return write_xml(&rows, io);
    }
    let layout = Layout {
        format: q.format,
        verbose: q.verbose,
        no_header: q.no_header,
        host: env.host.clone(),
        zone: env.zone.clone(),
    };
    io.out.write_all(query::render(&rows, &layout).as_bytes())?;
    Ok(0)
}

/// `/Query /XML`: each task as Task Scheduler 2.0 XML, preceded by a comment naming it,
/// as schtasks does.
fn write_xml(rows: &[Row], io: &mut Io<'_>) -> std::io::Result<u8> {
    for row in rows {
        let Some(task) = &row.task else { continue };
        match sked_formats::xml::write(&Document::from_tasks([task.clone()])) {
            Ok(bytes) => {
                writeln!(io.out, "<!-- {} -->", query::windows_name(&row.name))?;
                io.out.write_all(&bytes)?;
            }
            Err(e) => {
                for d in e.diagnostics() {
                    writeln!(io.err, "ERROR: {}", sentence(&d.message))?;
                }
                return Ok(1);
            }
        }
    }
    Ok(0)
}

fn exists(svc: &dyn Service, name: &str) -> sked_api::Result<bool> {
    match svc.get(name) {
        Ok(_) => Ok(true),
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(e),
    }
}

fn fail(io: &mut Io<'_>, e: &sked_api::Error) -> std::io::Result<u8> {
    if e.is_not_found() {
        writeln!(io.err, "{NOT_FOUND}")?;
    } else if let sked_api::Error::Connect { path, source } = e {
        // The client's own hint names `--socket`, which schtasks does not have.
        writeln!(
            io.err,
            "ERROR: Cannot reach the sked service at `{}`: {source} (is `sked daemon` running? \
             SKED_SOCKET names another socket).",
            path.display()
        )?;
    } else {
        writeln!(io.err, "ERROR: {}", sentence(&e.to_string()))?;
    }
    Ok(1)
}

/// Asks `prompt` and reads a line: `y` or `Y` confirms; anything else, or no input, does not.
fn confirm(io: &mut Io<'_>, prompt: &str) -> std::io::Result<bool> {
    write!(io.out, "{prompt}")?;
    // The answer is read from the terminal the prompt must already be on.
    io.out.flush()?;
    let mut line = String::new();
    io.input.read_line(&mut line)?;
    Ok(line.trim().eq_ignore_ascii_case("y"))
}

/// The `/TN` value as typed, for messages (schtasks echoes the name it was given).
fn shown_name(args: &[String]) -> Option<String> {
    let i = args.iter().position(|a| a.eq_ignore_ascii_case("/TN") || a.eq_ignore_ascii_case("-TN"))?;
    args.get(i + 1).cloned()
}

/// `/CREATE ` for `Type "SCHTASKS /CREATE /?" for usage.`, or nothing without a verb.
fn usage_verb(args: &[String]) -> String {
    const VERBS: [&str; 6] = ["CREATE", "DELETE", "QUERY", "CHANGE", "RUN", "END"];
    let verb = args.iter().find_map(|a| {
        a.strip_prefix(['/', '-']).map(str::to_ascii_uppercase).filter(|v| VERBS.contains(&v.as_str()))
    });
    verb.map_or(String::new(), |v| format!("/{v} "))
}

/// A diagnostic as a sentence: a capital first letter and a final period.
fn sentence(msg: &str) -> String {
    let mut s = String::with_capacity(msg.len() + 1);
    let mut chars = msg.chars();
    if let Some(c) = chars.next() {
        s.extend(c.to_uppercase());
    }
    s.push_str(chars.as_str());
    if !s.ends_with(['.', '?', '!']) {
        s.push('.');
    }
    s
}

const USAGE: &str = "\
SCHTASKS /parameter [arguments]

Description:
    Manages the tasks of the sked service, as Windows' schtasks manages scheduled tasks.

Parameter List:
    /Create  /SC schedule /TN name /TR command [/ST HH:mm] [/SD date] [/F] ...
    /Delete  /TN name|* [/F]
    /Query   [/TN name] [/FO TABLE|LIST|CSV] [/NH] [/V] [/XML [ONE]]
    /Change  /TN name [/TR ...] [/ST ...] [/SD ...] [/ED ...] [/RI ...] [/ET ...|/DU ...] [/K]
             [/RU ...] [/ENABLE|/DISABLE] [/Z] [/DELAY mmmm:ss]
    /Run     /TN name
    /End     /TN name

The service's socket is $SKED_SOCKET, or the caller's default socket.
";

/// `sked schtasks ...`: connects to the service and runs the command. Exit code 1 comes
/// back as [`crate::exit::Reported`], its message already printed.
pub fn run(args: &[String], out: &mut dyn Write) -> anyhow::Result<()> {
    let uid = nix::unistd::geteuid().as_raw();
    let socket = std::env::var_os("SKED_SOCKET")
        .filter(|s| !s.is_empty())
        .map_or_else(|| sked_daemon::config::default_socket(uid), std::path::PathBuf::from);
    let client = sked_api::blocking::Client::new(socket)?;
    let zone = TimeZone::system();
    let env = Env {
        now: jiff::Timestamp::now().to_zoned(zone.clone()).datetime(),
        zone,
        host: host_name(),
        uid,
        user_name,
    };
    let stderr = std::io::stderr();
    let stdin = std::io::stdin();
    let mut io = Io { out, err: &mut stderr.lock(), input: &mut stdin.lock() };
    match execute(args, &client, &env, &mut io)? {
        0 => Ok(()),
        _ => Err(crate::exit::Reported.into()),
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

fn user_name(uid: u32) -> String {
    match nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)) {
        Ok(Some(u)) => u.name,
        _ => uid.to_string(),
    }
}

#[cfg(test)]
mod tests;

//! The commands that talk to the sked service: create, list, show, change, enable,
//! disable, delete, run, end, history, logs, next (of a task in the service), apply,
//! remove and export.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration as StdDuration;

use anyhow::{Context as _, anyhow};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use sked_api::blocking::Client;
use sked_api::types::{ApplyAction, ApplyRequest, NextRuns, Plan, RemoveRequest, RunId, RunView};
use sked_core::Zones;
use sked_formats::{Document, Format};

use crate::apply::{self, Prepared};
use crate::args::{
    ApplyArgs, ChangeArgs, CreateArgs, ExportArgs, HistoryArgs, InputArgs, ListArgs, LogsArgs, NameArgs,
    RemoveArgs, RunArgs, ServiceArgs,
};
use crate::build;
use crate::exit::{Status, Usage};
use crate::load::LoadOptions;
use crate::render;

/// The socket to use: `--socket` (or `SKED_SOCKET`), else the caller's service.
pub fn socket(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| sked_daemon::config::default_socket(nix::unistd::geteuid().as_raw()))
}

/// A client of the service `args` names.
pub fn connect(args: &ServiceArgs) -> anyhow::Result<Client> {
    connect_to(args.socket.clone())
}

fn connect_to(socket_path: Option<PathBuf>) -> anyhow::Result<Client> {
    Client::new(socket(socket_path)).context("cannot start the client's runtime")
}

/// An API error as the command line tells it: a service that cannot be reached gets the
/// ways to start it.
pub fn api(err: sked_api::Error) -> anyhow::Error {
    match &err {
        sked_api::Error::Connect { .. } => {
            let root = nix::unistd::geteuid().is_root();
            let how = if root {
                "`systemctl start sked` (contrib/sked.service)"
            } else {
                "`systemctl --user start sked` (contrib/sked-user.service)"
            };
            anyhow!("{err}\nstart the service with {how}, or run `sked daemon` in another terminal")
        }
        _ => anyhow::Error::new(err),
    }
}

/// Prints `value` as pretty JSON, one trailing newline.
fn json<T: Serialize>(value: &T, out: &mut dyn Write) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// The zone times are shown in: the machine's.
fn local() -> TimeZone {
    TimeZone::system()
}

/// `sked create`.
pub fn create(a: CreateArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    if let Some(file) = &a.file {
        return create_from_file(file, &a, out);
    }
    let name = a.name.as_deref().unwrap_or_default();
    let task = build::create(name, &a.task, &build::Context::system())?;
    let client = connect(&a.service)?;
    let view = client.create(&task).map_err(api)?;
    if a.service.json {
        return json(&view, out);
    }
    writeln!(out, "created {}", view.summary.name)?;
    if let Some(next) = view.summary.next_run {
        writeln!(out, "next run: {}", render::time(Some(next), &local()))?;
    }
    Ok(())
}

/// `sked create --file`: every task of the file in one apply that only creates, so that
/// all of them are created or none; an existing task of the same name is an error.
fn create_from_file(file: &str, a: &CreateArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let input = InputArgs { format: a.format, read: a.read.clone(), name: None };
    let zones = Zones::new(jiff::tz::db().clone(), TimeZone::system());
    let mut prepared = apply::prepare_all(
        std::slice::from_ref(&file.to_string()),
        &LoadOptions::from_args(&input)?,
        &zones,
    )?;
    let Some(Prepared { file: mut tasks, .. }) = prepared.pop() else {
        return Ok(());
    };
    if let Some(item) = tasks.items.iter().find(|i| i.action == ApplyAction::Delete) {
        return Err(Usage(format!(
            "`{file}` deletes task `{}`; `sked create --file` only creates: use `sked apply {file}`",
            item.name
        ))
        .into());
    }
    let client = connect(&a.service)?;
    let me = nix::unistd::geteuid().as_raw();
    let existing = client.list(None).map_err(api)?;
    let taken: Vec<String> = tasks
        .items
        .iter()
        .filter(|i| existing.tasks.iter().any(|t| t.name == i.name && t.owner_uid == me))
        .map(|i| format!("`{}`", i.name))
        .collect();
    if !taken.is_empty() {
        return Err(anyhow!(
            "{} already exist(s); nothing was created (`sked apply {file}` creates or replaces)",
            taken.join(", ")
        ));
    }
    for item in &mut tasks.items {
        item.action = ApplyAction::Create;
    }
    // Creating never deletes: other tasks an earlier apply of this file made stay.
    tasks.prune = false;
    let plan = client.apply(&ApplyRequest { files: vec![tasks], dry_run: false }).map_err(api)?;
    if a.service.json {
        return json(&plan, out);
    }
    write!(out, "{}", render::plan(&plan))?;
    Ok(())
}

/// `sked list`.
pub fn list(a: ListArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let list = connect(&a.service)?.list(a.prefix.as_deref()).map_err(api)?;
    if a.service.json {
        return json(&list, out);
    }
    write!(out, "{}", render::task_table(&list.tasks, &local()))?;
    Ok(())
}

/// `sked show`.
pub fn show(a: NameArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let client = connect(&a.service)?;
    let (view, task) = client.open(&a.name).map_err(api)?;
    if a.service.json {
        return json(&view, out);
    }
    let next = client.next(&a.name, 5, None).map_err(api)?;
    write!(out, "{}", render::show(&view, &task, &next.runs, &local()))?;
    Ok(())
}

/// `sked change`: open, change the model, replace if nobody changed it in between.
pub fn change(a: ChangeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let client = connect(&a.service)?;
    let (view, mut task) = client.open(&a.name).map_err(api)?;
    let before = task.clone();
    build::change(&mut task, &a.task, &build::Context::system())?;
    if task == before {
        return Err(Usage(format!("nothing to change: give the settings of `{}` to change", a.name)).into());
    }
    let view = client.replace(&a.name, &task, Some(view.summary.version)).map_err(|e| {
        if e.code() == Some("conflict") {
            anyhow!("{e}\n`{}` changed while this change was being made; run the command again", a.name)
        } else {
            api(e)
        }
    })?;
    if a.service.json {
        return json(&view, out);
    }
    writeln!(out, "changed {} (version {})", view.summary.name, view.summary.version)?;
    Ok(())
}

/// `sked enable` and `sked disable`.
pub fn set_enabled(a: NameArgs, enabled: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let client = connect(&a.service)?;
    let view = if enabled { client.enable(&a.name) } else { client.disable(&a.name) }.map_err(api)?;
    if a.service.json {
        return json(&view, out);
    }
    let state = if enabled { "enabled" } else { "disabled" };
    writeln!(out, "{state} {}", view.summary.name)?;
    Ok(())
}

/// `sked delete`.
pub fn delete(a: NameArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    connect(&a.service)?.delete(&a.name).map_err(api)?;
    if a.service.json {
        return json(&serde_json::json!({ "deleted": a.name }), out);
    }
    writeln!(out, "deleted {}", a.name)?;
    Ok(())
}

/// `sked end`.
pub fn end(a: NameArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let ended = connect(&a.service)?.end(&a.name).map_err(api)?;
    if a.service.json {
        return json(&sked_api::types::Ended { ended }, out);
    }
    match ended {
        0 => writeln!(out, "{} has no run in progress", a.name)?,
        1 => writeln!(out, "ended 1 run of {}", a.name)?,
        n => writeln!(out, "ended {n} runs of {}", a.name)?,
    }
    Ok(())
}

/// True once a run has an end (or never had a start, for a missed time).
fn finished(run: &RunView) -> bool {
    run.ended_at.is_some() || !matches!(run.outcome.as_str(), "claimed" | "running")
}

/// Polls `run` until it ends: every 50 ms at first, backing off to a second, so that short
/// runs return at once and long ones cost the service little.
fn wait_for(client: &Client, run: RunId) -> anyhow::Result<RunView> {
    let mut pause = StdDuration::from_millis(50);
    loop {
        let view = client.get_run(run).map_err(api)?;
        if finished(&view) {
            return Ok(view);
        }
        std::thread::sleep(pause);
        pause = (pause * 3 / 2).min(StdDuration::from_secs(1));
    }
}

/// The exit code `sked run --wait` ends with: the program's, 128 + a killing signal as a
/// shell reports it, 1 when the program did not start.
pub fn exit_code(run: &RunView) -> u8 {
    match (run.exit_code, run.signal) {
        // Exit codes are a byte on Unix; the service keeps the int it was given.
        (Some(code), _) => (code & 0xff) as u8,
        (None, Some(sig)) => (128 + (sig & 0x7f)) as u8,
        _ => 1,
    }
}

/// `sked run [--wait]`.
pub fn run(a: RunArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let client = connect(&a.service)?;
    let run = client.run(&a.name).map_err(api)?;
    if !a.wait {
        if a.service.json {
            return json(&sked_api::types::Started { run }, out);
        }
        writeln!(out, "{run}")?;
        return Ok(());
    }
    if !a.service.json {
        writeln!(out, "{run}")?;
        out.flush()?;
    }
    let view = wait_for(&client, run)?;
    if a.service.json {
        json(&view, out)?;
    } else {
        let result = render::result(&view.outcome, view.exit_code, view.signal);
        match &view.message {
            Some(m) => eprintln!("run {run} of {}: {result}: {m}", a.name),
            None => eprintln!("run {run} of {}: {result}", a.name),
        }
    }
    out.flush()?;
    match exit_code(&view) {
        0 => Ok(()),
        code => Err(Status(code).into()),
    }
}

/// `sked history`.
pub fn history(a: HistoryArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let client = connect(&a.service)?;
    let mut entries = Vec::new();
    let mut before: Option<String> = None;
    // The service may cap a page; follow `next` until the limit is reached.
    while entries.len() < a.limit as usize {
        let want = a.limit - entries.len() as u32;
        let page = client.history(a.name.as_deref(), want, before.as_deref()).map_err(api)?;
        let got = page.entries.len();
        entries.extend(page.entries);
        match page.next {
            Some(next) if got > 0 => before = Some(next),
            _ => break,
        }
    }
    entries.truncate(a.limit as usize);
    if a.service.json {
        return json(&sked_api::types::History { entries, next: before }, out);
    }
    write!(out, "{}", render::run_table(&entries, &local()))?;
    Ok(())
}

/// `sked logs [--run ID] [--follow]`.
pub fn logs(a: LogsArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let client = connect(&a.service)?;
    let run = match a.run {
        Some(id) => {
            let view = client.get_run(id).map_err(api)?;
            if view.task.as_deref() != Some(a.name.as_str()) {
                let of = view.task.map_or_else(|| "a deleted task".to_string(), |t| format!("`{t}`"));
                return Err(Usage(format!("run {id} is a run of {of}, not of `{}`", a.name)).into());
            }
            id
        }
        None => {
            let view = client.get(&a.name).map_err(api)?;
            let Some(last) = view.summary.last_run else {
                return Err(anyhow!("`{}` has not run yet: there is no log", a.name));
            };
            last.id
        }
    };
    if a.service.json {
        let bytes = client.log(run, 0).map_err(api)?;
        let log = String::from_utf8_lossy(&bytes);
        return json(&serde_json::json!({ "run": run, "log": log }), out);
    }
    let mut offset = 0u64;
    loop {
        let bytes = client.log(run, offset).map_err(api)?;
        out.write_all(&bytes)?;
        out.flush()?;
        offset += bytes.len() as u64;
        if !a.follow {
            return Ok(());
        }
        if bytes.is_empty() {
            // Read the run's state before the last read of the log, so nothing written
            // between the two is lost.
            if finished(&client.get_run(run).map_err(api)?) {
                let rest = client.log(run, offset).map_err(api)?;
                out.write_all(&rest)?;
                out.flush()?;
                return Ok(());
            }
            std::thread::sleep(StdDuration::from_millis(200));
        }
    }
}

/// `sked next NAME` for a task in the service, as `sked next FILE` prints a file's.
pub fn next(
    name: &str,
    count: u32,
    from: Option<Timestamp>,
    json_out: bool,
    socket_path: Option<PathBuf>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let client = connect_to(socket_path)?;
    let runs = client.next(name, count, from).map_err(api)?;
    if json_out {
        return json(&runs, out);
    }
    let (_, task) = client.open(name).map_err(api)?;
    write!(out, "{}", next_text(name, task.time_zone.as_deref(), task.triggers.len(), &runs, count))?;
    Ok(())
}

/// The text of `sked next NAME`: the task, its zone, one run a line.
pub fn next_text(name: &str, zone: Option<&str>, triggers: usize, runs: &NextRuns, count: u32) -> String {
    let tz = zone.and_then(|z| crate::args::parse_zone(z).ok()).unwrap_or_else(local);
    let mut text = format!("{name} ({})\n", crate::args::zone_name(&tz));
    if runs.runs.is_empty() {
        text.push_str("  no runs\n");
        return text;
    }
    for run in &runs.runs {
        let at = crate::render::run_time(&run.time.to_zoned(tz.clone()));
        if triggers > 1 {
            text.push_str(&format!("  {at}  trigger {}\n", run.trigger + 1));
        } else {
            text.push_str(&format!("  {at}\n"));
        }
    }
    if runs.runs.len() < count as usize {
        text.push_str("  no more runs\n");
    }
    text
}

/// `sked apply`: every file read and checked first, then one request of all the files.
pub fn apply(a: ApplyArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let zones = Zones::new(jiff::tz::db().clone(), TimeZone::system());
    let prepared = apply::prepare_all(&a.files, &LoadOptions::from_args(&a.input)?, &zones)?;
    let client = connect(&a.service)?;
    let names: Vec<String> = prepared.iter().map(|p| p.name.clone()).collect();
    let request = ApplyRequest { files: prepared.into_iter().map(|p| p.file).collect(), dry_run: a.dry_run };
    let plan = client.apply(&request).map_err(|e| {
        let files: Vec<String> = names.iter().map(|f| format!("`{f}`")).collect();
        let what = if files.len() > 1 { "none of them was applied" } else { "it changed nothing" };
        api(e).context(format!("cannot apply {}; {what}", files.join(", ")))
    })?;
    print_plans(&names, plan, a.service.json, out)
}

/// `sked remove`: one request of all the files.
pub fn remove(a: RemoveArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let ids: Vec<String> = a
        .files
        .iter()
        .map(|f| apply::source_id(f).map(|p| p.display().to_string()))
        .collect::<Result<_, _>>()?;
    let client = connect(&a.service)?;
    let request = RemoveRequest { source_ids: ids, dry_run: a.dry_run };
    let plan = client.remove(&request).map_err(|e| {
        let files: Vec<String> = a.files.iter().map(|f| format!("`{f}`")).collect();
        api(e).context(format!("cannot remove {}", files.join(", ")))
    })?;
    print_plans(&a.files, plan, a.service.json, out)
}

/// Prints a plan file by file (`names` as the files were given, in request order); as JSON, a
/// list of `{file, plan}` with each file's source id and plan.
fn print_plans(names: &[String], plan: Plan, json_out: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let dry_run = plan.dry_run;
    let plans: Vec<(String, Plan)> = plan
        .files
        .into_iter()
        .map(|f| {
            let plan = Plan {
                dry_run,
                created: f.created,
                replaced: f.replaced,
                unchanged: f.unchanged,
                deleted: f.deleted,
                files: Vec::new(),
            };
            (f.source_id, plan)
        })
        .collect();
    if json_out {
        let all: Vec<serde_json::Value> =
            plans.iter().map(|(id, plan)| serde_json::json!({ "file": id, "plan": plan })).collect();
        return json(&all, out);
    }
    let several = plans.len() > 1;
    for (n, ((_, plan), name)) in plans.iter().zip(names).enumerate() {
        if several {
            if n > 0 {
                writeln!(out)?;
            }
            writeln!(out, "{name}:")?;
        }
        write!(out, "{}", render::plan(plan))?;
    }
    Ok(())
}

/// `sked export`.
pub fn export(a: ExportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (_, task) = connect(&a.service)?.open(&a.name).map_err(api)?;
    let bytes = export_bytes(task, a.to, a.lossy)?;
    match &a.output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("cannot write `{}`", path.display()))?
        }
        None => out.write_all(&bytes)?,
    }
    Ok(())
}

/// The task written in `format`; refused, with what would be lost, unless `lossy`.
pub fn export_bytes(task: sked_core::Task, format: Format, lossy: bool) -> anyhow::Result<Vec<u8>> {
    let doc = Document::from_tasks([task]);
    let losses = format.losses(&doc.entries[0]);
    if !losses.is_empty() {
        let list: Vec<String> = losses.iter().map(|l| format!("  - {l}")).collect();
        if !lossy {
            return Err(anyhow!(
                "{} cannot hold all of task `{}`; `--lossy` writes it anyway, without:\n{}",
                format.name(),
                doc.entries[0].task.name,
                list.join("\n")
            ));
        }
        eprintln!("warning: written without:\n{}", list.join("\n"));
    }
    Ok(format.write(&doc)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sked_api::types::NextRun;
    use sked_core::{Start, Task, Trigger, TriggerKind};

    fn run_view(exit: Option<i32>, signal: Option<i32>) -> RunView {
        RunView {
            id: 1,
            task_id: 1,
            task: Some("t".into()),
            scheduled_for: None,
            trigger: None,
            outcome: "failed".into(),
            missed_reason: None,
            node: None,
            started_at: None,
            ended_at: None,
            pid: None,
            exit_code: exit,
            signal,
            has_log: false,
            log_bytes: None,
            message: None,
        }
    }

    #[test]
    fn exit_codes_follow_the_shell() {
        assert_eq!(exit_code(&run_view(Some(0), None)), 0);
        assert_eq!(exit_code(&run_view(Some(3), None)), 3);
        assert_eq!(exit_code(&run_view(None, Some(9))), 137);
        assert_eq!(exit_code(&run_view(None, None)), 1);
    }

    #[test]
    fn runs_in_progress_are_not_finished() {
        let mut v = run_view(None, None);
        v.outcome = "running".into();
        assert!(!finished(&v));
        v.outcome = "claimed".into();
        assert!(!finished(&v));
        v.outcome = "missed".into();
        assert!(finished(&v));
        v.outcome = "running".into();
        v.ended_at = Some("2026-01-01T00:00:00Z".parse().unwrap());
        assert!(finished(&v));
    }

    #[test]
    fn next_in_the_tasks_zone() {
        let runs =
            NextRuns { runs: vec![NextRun { time: "2026-03-29T01:00:00Z".parse().unwrap(), trigger: 1 }] };
        assert_eq!(
            next_text("t", Some("Europe/Paris"), 2, &runs, 2),
            "t (Europe/Paris)\n  Sun 2026-03-29 03:00:00 +02:00  trigger 2\n  no more runs\n"
        );
        assert_eq!(next_text("t", Some("UTC"), 1, &NextRuns { runs: vec![] }, 2), "t (UTC)\n  no runs\n");
    }

    #[test]
    fn export_refuses_losses_unless_asked() {
        let mut task = Task::new("t", "/bin/true");
        task.triggers.push(
            Trigger::new(TriggerKind::Cron("*/5 * * * *".parse().unwrap()))
                .starting(Start::civil(jiff::civil::date(2026, 1, 1).at(0, 0, 0, 0))),
        );
        let toml = export_bytes(task.clone(), Format::TaskFile, false).unwrap();
        assert_eq!(sked_api::decode(std::str::from_utf8(&toml).unwrap()).unwrap(), task);
        let e = export_bytes(task.clone(), Format::Job, false).unwrap_err().to_string();
        assert!(e.contains("cannot hold all of task `t`; `--lossy` writes it anyway"), "{e}");
        assert!(export_bytes(task, Format::Job, true).is_ok());
    }

    #[test]
    fn an_absent_service_says_how_to_start_it() {
        let dir = tempfile::tempdir().unwrap();
        let client = connect_to(Some(dir.path().join("none.sock"))).unwrap();
        let e = api(client.list(None).unwrap_err()).to_string();
        assert!(e.contains("cannot reach the sked service"), "{e}");
        assert!(e.contains("start the service with `systemctl"), "{e}");
        assert!(e.contains("or run `sked daemon`"), "{e}");
    }
}

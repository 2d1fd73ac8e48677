//! The text the service commands print: tables of tasks and runs, plans, a task's page.
//!
//! Every function takes the zone to show times in, so that tests do not depend on the
//! machine's zone; the commands pass the machine's zone.

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use sked_api::types::{NextRun, Plan, RunView, TaskSummary, TaskView};
use sked_core::{Task, describe_task};

/// Columns padded to their widest cell, two spaces apart; no trailing spaces.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = w - cell.chars().count();
            line.push_str(cell);
            line.push_str(&" ".repeat(pad));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `2026-03-29 03:00:00` in `tz`, or `-`.
pub fn time(t: Option<Timestamp>, tz: &TimeZone) -> String {
    t.map_or_else(|| "-".into(), |t| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string())
}

/// How a run ended, in one cell: `succeeded`, `failed (exit 2)`, `ended-by-user (signal 15)`.
pub fn result(outcome: &str, exit_code: Option<i32>, signal: Option<i32>) -> String {
    match (exit_code, signal) {
        (Some(code), _) => format!("{outcome} (exit {code})"),
        (None, Some(sig)) => format!("{outcome} (signal {sig})"),
        _ => outcome.to_string(),
    }
}

/// The `sked list` table. When the tasks have several owners (root sees every user's),
/// an OWNER column says whose each is, since names are unique only per owner.
pub fn task_table(tasks: &[TaskSummary], tz: &TimeZone) -> String {
    if tasks.is_empty() {
        return "no tasks\n".into();
    }
    let owners = tasks.iter().any(|t| t.owner_uid != tasks[0].owner_uid);
    let rows: Vec<Vec<String>> = tasks
        .iter()
        .map(|t| {
            let last = t.last_run.as_ref();
            let mut row = vec![t.name.clone()];
            if owners {
                row.push(owner_name(t.owner_uid));
            }
            row.extend([
                t.state.name().to_string(),
                time(t.next_run, tz),
                time(last.and_then(|r| r.started_at), tz),
                last.map_or_else(|| "-".into(), |r| result(&r.outcome, r.exit_code, r.signal)),
            ]);
            row
        })
        .collect();
    let headers: &[&str] = if owners {
        &["NAME", "OWNER", "STATE", "NEXT RUN", "LAST RUN", "LAST RESULT"]
    } else {
        &["NAME", "STATE", "NEXT RUN", "LAST RUN", "LAST RESULT"]
    };
    table(headers, &rows)
}

/// The account name of `uid`, or the number when the machine has no such account.
fn owner_name(uid: u32) -> String {
    match nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)) {
        Ok(Some(user)) => user.name,
        _ => uid.to_string(),
    }
}

/// The `sked history` table.
pub fn run_table(runs: &[RunView], tz: &TimeZone) -> String {
    if runs.is_empty() {
        return "no runs\n".into();
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            let outcome = match &r.missed_reason {
                Some(why) => format!("{} ({why})", r.outcome),
                None => r.outcome.clone(),
            };
            let exit = match (r.exit_code, r.signal) {
                (Some(code), _) => code.to_string(),
                (None, Some(sig)) => format!("signal {sig}"),
                _ => "-".into(),
            };
            vec![
                r.id.to_string(),
                r.task.clone().unwrap_or_else(|| format!("(deleted task {})", r.task_id)),
                match (r.scheduled_for, r.trigger) {
                    (Some(t), _) => time(Some(t), tz),
                    // At startup, at logon, on idle: an event, not a time.
                    (None, Some(trigger)) => format!("event (trigger {})", trigger + 1),
                    (None, None) => "by hand".into(),
                },
                time(r.started_at, tz),
                time(r.ended_at, tz),
                outcome,
                exit,
            ]
        })
        .collect();
    table(&["RUN", "TASK", "SCHEDULED", "STARTED", "ENDED", "OUTCOME", "EXIT"], &rows)
}

/// What an apply or remove did, one task a line: `created  backup`. A dry run says
/// `would create`.
pub fn plan(plan: &Plan) -> String {
    let groups = [
        ("created", "would create", &plan.created),
        ("replaced", "would replace", &plan.replaced),
        ("unchanged", "unchanged", &plan.unchanged),
        ("deleted", "would delete", &plan.deleted),
    ];
    let mut out = String::new();
    for (done, planned, names) in groups {
        let verb = if plan.dry_run { planned } else { done };
        for name in names {
            let _ = writeln!(out, "{verb:<13} {name}");
        }
    }
    if out.is_empty() {
        out.push_str("nothing to do\n");
    }
    out
}

/// The `sked show` page: the definition in plain English, then what the service knows.
pub fn show(view: &TaskView, task: &Task, next: &[NextRun], tz: &TimeZone) -> String {
    let zone_name = crate::args::zone_name(tz);
    // The service's facts in a block of their own: the description aligns its own labels.
    let mut out = describe_task(task, &zone_name).to_string();
    out.push_str("\n\n");
    let s = &view.summary;
    let mut fact = |label: &str, text: String| {
        let _ = writeln!(out, "  {label:<12}  {text}");
    };
    let running = match view.running.as_slice() {
        [] => String::new(),
        ids => format!(" (run {})", ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")),
    };
    fact("state", format!("{}{running}", s.state.name()));
    if view.queued > 0 {
        fact("queued", format!("{} run(s) waiting", view.queued));
    }
    match &s.last_run {
        Some(r) => fact(
            "last run",
            format!(
                "run {}, started {}, {}",
                r.id,
                time(r.started_at, tz),
                result(&r.outcome, r.exit_code, r.signal)
            ),
        ),
        None => fact("last run", "never".into()),
    }
    let task_zone = match &task.time_zone {
        Some(name) => crate::args::parse_zone(name).unwrap_or_else(|_| tz.clone()),
        None => tz.clone(),
    };
    if next.is_empty() {
        fact("next runs", "none scheduled".into());
    }
    for (i, run) in next.iter().enumerate() {
        let at = run_time(&run.time.to_zoned(task_zone.clone()));
        let several = task.triggers.len() > 1;
        let trigger = if several { format!("  trigger {}", run.trigger + 1) } else { String::new() };
        fact(if i == 0 { "next runs" } else { "" }, format!("{at}{trigger}"));
    }
    if let Some(src) = &s.source {
        fact("applied from", src.id.clone());
    }
    fact("version", format!("{}, changed {}", s.version, time(Some(view.updated), tz)));
    out
}

/// A run's instant for people: `Mon 2026-01-05 06:00:00 +01:00`, with milliseconds only when
/// the schedule has them.
pub(crate) fn run_time(z: &jiff::Zoned) -> String {
    if z.subsec_nanosecond() == 0 {
        z.strftime("%a %Y-%m-%d %H:%M:%S %:z").to_string()
    } else {
        z.strftime("%a %Y-%m-%d %H:%M:%S%.3f %:z").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use sked_api::types::{LastRun, Source, State};
    use sked_core::{Start, Trigger, TriggerKind};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn summary(name: &str) -> TaskSummary {
        TaskSummary {
            id: 1,
            name: name.into(),
            owner_uid: 1000,
            enabled: true,
            version: 3,
            state: State::Ready,
            next_run: Some(ts("2026-03-11T06:30:00Z")),
            last_run: Some(LastRun {
                id: 7,
                outcome: "failed".into(),
                started_at: Some(ts("2026-03-10T06:30:00Z")),
                ended_at: Some(ts("2026-03-10T06:30:02Z")),
                exit_code: Some(2),
                signal: None,
            }),
            source: None,
        }
    }

    fn run(id: i64) -> RunView {
        RunView {
            id,
            task_id: 1,
            task: Some("backup".into()),
            scheduled_for: Some(ts("2026-03-10T06:30:00Z")),
            trigger: Some(0),
            outcome: "succeeded".into(),
            missed_reason: None,
            node: None,
            started_at: Some(ts("2026-03-10T06:30:00.2Z")),
            ended_at: Some(ts("2026-03-10T06:31:00Z")),
            pid: Some(42),
            exit_code: Some(0),
            signal: None,
            has_log: true,
            log_bytes: Some(10),
            message: None,
        }
    }

    #[test]
    fn list_table() {
        let mut idle = summary("reports/weekly-long-name");
        idle.state = State::Disabled;
        idle.next_run = None;
        idle.last_run = None;
        let paris = crate::args::parse_zone("Europe/Paris").unwrap();
        let expected = "\
NAME                      STATE     NEXT RUN             LAST RUN             LAST RESULT
backup                    ready     2026-03-11 07:30:00  2026-03-10 07:30:00  failed (exit 2)
reports/weekly-long-name  disabled  -                    -                    -
";
        assert_eq!(task_table(&[summary("backup"), idle.clone()], &paris), expected);
        assert_eq!(task_table(&[], &paris), "no tasks\n");
        // Root's list of several users' tasks names the owners.
        let mut other = summary("backup");
        other.owner_uid = 4_000_000_001;
        let mine = summary("backup");
        let table = task_table(&[mine.clone(), other], &paris);
        let owner = owner_name(mine.owner_uid);
        assert!(table.starts_with("NAME    OWNER"), "{table}");
        assert!(table.contains(&format!("backup  {owner}")), "{table}");
        assert!(table.contains("backup  4000000001"), "{table}");
    }

    #[test]
    fn history_table() {
        let mut by_hand = run(9);
        by_hand.scheduled_for = None;
        by_hand.trigger = None;
        by_hand.outcome = "ended-by-user".into();
        by_hand.exit_code = None;
        by_hand.signal = Some(15);
        let mut missed = run(8);
        missed.task = None;
        missed.outcome = "missed".into();
        missed.missed_reason = Some("down".into());
        missed.started_at = None;
        missed.ended_at = None;
        missed.exit_code = None;
        let expected = "\
RUN  TASK              SCHEDULED            STARTED              ENDED                OUTCOME        EXIT
9    backup            by hand              2026-03-10 06:30:00  2026-03-10 06:31:00  ended-by-user  signal 15
8    (deleted task 1)  2026-03-10 06:30:00  -                    -                    missed (down)  -
7    backup            2026-03-10 06:30:00  2026-03-10 06:30:00  2026-03-10 06:31:00  succeeded      0
";
        assert_eq!(run_table(&[by_hand, missed, run(7)], &TimeZone::UTC), expected);
        assert_eq!(run_table(&[], &TimeZone::UTC), "no runs\n");
    }

    #[test]
    fn plans() {
        let p = Plan {
            dry_run: true,
            created: vec!["a".into()],
            replaced: vec!["b".into()],
            unchanged: vec!["c".into()],
            deleted: vec!["d".into()],
            files: vec![],
        };
        assert_eq!(plan(&p), "would create  a\nwould replace b\nunchanged     c\nwould delete  d\n");
        let done = Plan { dry_run: false, ..p };
        assert_eq!(plan(&done), "created       a\nreplaced      b\nunchanged     c\ndeleted       d\n");
        assert_eq!(plan(&Plan::default()), "nothing to do\n");
    }

    #[test]
    fn show_page() {
        let mut task = Task::new("backup", "/usr/bin/rsync");
        task.args = vec!["-a".into(), "/srv".into()];
        task.time_zone = Some("Europe/Paris".into());
        task.triggers.push(
            Trigger::new(TriggerKind::Daily { every: 1 })
                .starting(Start::civil(date(2026, 3, 1).at(7, 30, 0, 0))),
        );
        let mut s = summary("backup");
        s.source = Some(Source { id: "/etc/sked/backup.toml".into(), hash: "x".into() });
        let view = TaskView {
            summary: s,
            definition: String::new(),
            running: vec![],
            queued: 0,
            created: ts("2026-03-01T00:00:00Z"),
            updated: ts("2026-03-02T00:00:00Z"),
        };
        let next = [
            NextRun { time: ts("2026-03-11T06:30:00Z"), trigger: 0 },
            NextRun { time: ts("2026-03-12T06:30:00Z"), trigger: 0 },
        ];
        let page = show(&view, &task, &next, &TimeZone::UTC);
        let tail = "\
  trigger 1  every day at 07:30 from 1 March 2026

  state         ready
  last run      run 7, started 2026-03-10 06:30:00, failed (exit 2)
  next runs     Wed 2026-03-11 07:30:00 +01:00
                Thu 2026-03-12 07:30:00 +01:00
  applied from  /etc/sked/backup.toml
  version       3, changed 2026-03-02 00:00:00
";
        assert!(page.starts_with("backup\n  command"), "{page}");
        assert!(page.ends_with(tail), "{page}");
    }
}

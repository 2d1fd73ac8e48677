//! Run, missed-time and task-state operations inside one transaction.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::codec::{
    MISSED, RUN_COLS, STATE_COLS, entry_from_row, micros, path_bytes, state_from_row, to_i64,
};
use crate::{
    HistoryEntry, MissReason, Occurrence, Outcome, Result, RunEnd, RunId, RunRecord, RunStart, Scope, TaskId,
    TaskState, error::Repr,
};

/// The owner of task `task`, which must exist.
fn task_owner(conn: &Connection, task: TaskId) -> Result<u32> {
    let mut stmt = conn.prepare_cached("SELECT owner_uid FROM tasks WHERE id = ?1")?;
    stmt.query_row([task.0], |r| r.get(0)).optional()?.ok_or_else(|| Repr::TaskNotFound { id: task }.into())
}

/// Insert a claimed run; `None` if its scheduled time is already accounted for.
fn insert_claim(
    conn: &Connection,
    task: TaskId,
    owner: u32,
    occurrence: Option<Occurrence>,
    trigger: Option<u32>,
    node: &str,
    now: Timestamp,
) -> Result<Option<RunId>> {
    // The unique key (task_id, scheduled_for) is the exactly-once guard; NULL scheduled times
    // (run now, at startup) are distinct from each other, so they never conflict.
    let mut stmt = conn.prepare_cached(
        "INSERT INTO runs (task_id, owner_uid, scheduled_for, trigger_index, sort_at, state, claimed_by, claimed_at)
         VALUES (?1, ?2, ?3, ?4, coalesce(?3, ?6), 'claimed', ?5, ?6)
         ON CONFLICT (task_id, scheduled_for) DO NOTHING
         RETURNING id",
    )?;
    let at = occurrence.map(|o| micros(o.scheduled_for));
    let id =
        stmt.query_row(params![task.0, owner, at, trigger, node, micros(now)], |r| r.get(0)).optional()?;
    let Some(id) = id.map(RunId) else { return Ok(None) };
    if let Some(o) = occurrence {
        account(conn, task, o.scheduled_for)?;
    }
    refresh_last_run(conn, id)?;
    Ok(Some(id))
}

/// Claims a run in two statements: the INSERT reads the owner itself, and one upsert moves
/// the task's state (the last accounted time, the newest run) as [`account`] and
/// [`refresh_last_run`] would. `None` for a task that does not exist (any more) or a time
/// already accounted for; [`claim`] tells the two apart.
pub(super) fn claim_quickly(
    conn: &Connection,
    task: TaskId,
    occurrence: Option<Occurrence>,
    node: &str,
    now: Timestamp,
) -> Result<Option<RunId>> {
    let at = occurrence.map(|o| micros(o.scheduled_for));
    let trigger = occurrence.map(|o| o.trigger);
    let id: Option<i64> = conn
        .prepare_cached(
            "INSERT INTO runs (task_id, owner_uid, scheduled_for, trigger_index, sort_at, state, claimed_by, claimed_at)
             SELECT id, owner_uid, ?2, ?3, coalesce(?2, ?5), 'claimed', ?4, ?5 FROM tasks WHERE id = ?1
             ON CONFLICT (task_id, scheduled_for) DO NOTHING
             RETURNING id",
        )?
        .query_row(params![task.0, at, trigger, node, micros(now)], |r| r.get(0))
        .optional()?;
    let Some(id) = id else { return Ok(None) };
    conn.prepare_cached(
        "INSERT INTO task_state (task_id, last_accounted, last_run_id, last_run_state) VALUES (?1, ?2, ?3, 'claimed')
         ON CONFLICT (task_id) DO UPDATE SET
           last_accounted = CASE WHEN excluded.last_accounted IS NULL THEN task_state.last_accounted
             ELSE max(coalesce(task_state.last_accounted, excluded.last_accounted), excluded.last_accounted) END,
           last_run_id = CASE WHEN task_state.last_run_id IS NULL OR task_state.last_run_id <= ?3
             THEN ?3 ELSE task_state.last_run_id END,
           last_run_state = CASE WHEN task_state.last_run_id IS NULL OR task_state.last_run_id <= ?3
             THEN 'claimed' ELSE task_state.last_run_state END,
           last_started = CASE WHEN task_state.last_run_id IS NULL OR task_state.last_run_id <= ?3
             THEN NULL ELSE task_state.last_started END,
           last_ended = CASE WHEN task_state.last_run_id IS NULL OR task_state.last_run_id <= ?3
             THEN NULL ELSE task_state.last_ended END,
           last_exit_code = CASE WHEN task_state.last_run_id IS NULL OR task_state.last_run_id <= ?3
             THEN NULL ELSE task_state.last_exit_code END,
           last_signal = CASE WHEN task_state.last_run_id IS NULL OR task_state.last_run_id <= ?3
             THEN NULL ELSE task_state.last_signal END",
    )?
    .execute(params![task.0, at, id])?;
    Ok(Some(RunId(id)))
}

/// Move the task's last accounted scheduled time forward to `at`, never back.
fn account(conn: &Connection, task: TaskId, at: Timestamp) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO task_state (task_id, last_accounted) VALUES (?1, ?2)
         ON CONFLICT (task_id) DO UPDATE
         SET last_accounted = max(coalesce(task_state.last_accounted, excluded.last_accounted), excluded.last_accounted)",
    )?
    .execute(params![task.0, micros(at)])?;
    Ok(())
}

/// Copy run `run` into its task's state if it is the task's newest run.
fn refresh_last_run(conn: &Connection, run: RunId) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO task_state (task_id, last_run_id, last_run_state, last_started, last_ended, last_exit_code, last_signal)
         SELECT task_id, id, state, started_at, ended_at, exit_code, signal FROM runs WHERE id = ?1
         ON CONFLICT (task_id) DO UPDATE
         SET last_run_id = excluded.last_run_id, last_run_state = excluded.last_run_state,
             last_started = excluded.last_started, last_ended = excluded.last_ended,
             last_exit_code = excluded.last_exit_code, last_signal = excluded.last_signal
         WHERE task_state.last_run_id IS NULL OR task_state.last_run_id <= excluded.last_run_id",
    )?
    .execute([run.0])?;
    Ok(())
}

pub(super) fn claim(
    conn: &Connection,
    task: TaskId,
    occurrence: Option<Occurrence>,
    node: &str,
    now: Timestamp,
) -> Result<Option<RunId>> {
    match claim_quickly(conn, task, occurrence, node, now)? {
        Some(run) => Ok(Some(run)),
        // Nothing inserted: the time is taken, or there is no such task (an error here).
        None => task_owner(conn, task).map(|_| None),
    }
}

pub(super) fn claim_startup(
    conn: &Connection,
    task: TaskId,
    trigger: u32,
    boot_id: &str,
    node: &str,
    now: Timestamp,
) -> Result<Option<RunId>> {
    let owner = task_owner(conn, task)?;
    let fired: Option<Option<String>> = conn
        .prepare_cached("SELECT startup_boot_id FROM task_state WHERE task_id = ?1")?
        .query_row([task.0], |r| r.get(0))
        .optional()?;
    if fired.flatten().as_deref() == Some(boot_id) {
        return Ok(None);
    }
    conn.prepare_cached(
        "INSERT INTO task_state (task_id, startup_boot_id) VALUES (?1, ?2)
         ON CONFLICT (task_id) DO UPDATE SET startup_boot_id = excluded.startup_boot_id",
    )?
    .execute(params![task.0, boot_id])?;
    insert_claim(conn, task, owner, None, Some(trigger), node, now)
}

pub(super) fn claim_event(
    conn: &Connection,
    task: TaskId,
    trigger: u32,
    node: &str,
    now: Timestamp,
) -> Result<Option<RunId>> {
    let owner = task_owner(conn, task)?;
    insert_claim(conn, task, owner, None, Some(trigger), node, now)
}

fn find_entry(conn: &Connection, id: RunId) -> Result<Option<HistoryEntry>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {RUN_COLS} FROM runs WHERE id = ?1"))?;
    Ok(stmt.query_row([id.0], entry_from_row).optional()?)
}

pub(super) fn get(conn: &Connection, id: RunId) -> Result<RunRecord> {
    match find_entry(conn, id)? {
        Some(HistoryEntry::Run(r)) => Ok(r),
        Some(HistoryEntry::Missed(m)) => Err(Repr::NotARun { id, task: m.task_id }.into()),
        None => Err(Repr::RunNotFound { id }.into()),
    }
}

/// Run `id`, which `node` must have claimed.
fn get_claimed_by(conn: &Connection, id: RunId, node: &str) -> Result<RunRecord> {
    let run = get(conn, id)?;
    if run.claimed_by != node {
        return Err(Repr::ClaimedByOther {
            run: id,
            task: run.task_id,
            by: run.claimed_by,
            node: node.to_owned(),
        }
        .into());
    }
    Ok(run)
}

fn update_returning(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<RunRecord> {
    let mut stmt = conn.prepare_cached(sql)?;
    match stmt.query_row(args, entry_from_row)? {
        HistoryEntry::Run(r) => {
            refresh_last_run(conn, r.id)?;
            Ok(r)
        }
        HistoryEntry::Missed(m) => Err(Repr::NotARun { id: m.id, task: m.task_id }.into()),
    }
}

pub(super) fn start(conn: &Connection, id: RunId, node: &str, start: &RunStart) -> Result<RunRecord> {
    let run = get_claimed_by(conn, id, node)?;
    if run.outcome != Outcome::Claimed {
        return Err(Repr::NotClaimed { run: id, task: run.task_id, state: run.outcome }.into());
    }
    update_returning(
        conn,
        &format!(
            "UPDATE runs SET state = 'running', started_at = ?2, pid = ?3, log_path = ?4 WHERE id = ?1
             RETURNING {RUN_COLS}"
        ),
        params![id.0, micros(start.started_at), start.pid, start.log_path.as_deref().map(path_bytes)],
    )
}

pub(super) fn finish(conn: &Connection, id: RunId, node: &str, end: &RunEnd) -> Result<RunRecord> {
    if !end.outcome.is_final() {
        return Err(Repr::NotFinal { run: id, outcome: end.outcome }.into());
    }
    let run = get_claimed_by(conn, id, node)?;
    if run.outcome.is_final() {
        return Err(Repr::AlreadyEnded { run: id, task: run.task_id, outcome: run.outcome }.into());
    }
    let log_bytes = end.log_bytes.map(|b| to_i64("log_bytes", b)).transpose()?;
    update_returning(
        conn,
        &format!(
            "UPDATE runs SET state = ?2, ended_at = ?3, exit_code = ?4, signal = ?5, log_bytes = ?6, message = ?7
             WHERE id = ?1
             RETURNING {RUN_COLS}"
        ),
        params![
            id.0,
            end.outcome.as_str(),
            micros(end.ended_at),
            end.exit_code,
            end.signal,
            log_bytes,
            end.message
        ],
    )
}

/// [`start`] without reading the run back, for batches: one UPDATE when the run is this
/// node's claimed run; otherwise [`start`]'s checks say what is wrong. The caller copies the
/// run into its task's state with [`refresh_last_runs`] once the batch is done.
pub(super) fn start_quietly(conn: &Connection, id: RunId, node: &str, s: &RunStart) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE runs SET state = 'running', started_at = ?2, pid = ?3, log_path = ?4
             WHERE id = ?1 AND claimed_by = ?5 AND state = 'claimed'",
        )?
        .execute(params![id.0, micros(s.started_at), s.pid, s.log_path.as_deref().map(path_bytes), node])?;
    if changed == 0 {
        return start(conn, id, node, s).map(drop);
    }
    Ok(())
}

/// [`finish`] without reading the run back, for batches.
pub(super) fn finish_quietly(conn: &Connection, id: RunId, node: &str, end: &RunEnd) -> Result<()> {
    if !end.outcome.is_final() {
        return Err(Repr::NotFinal { run: id, outcome: end.outcome }.into());
    }
    let log_bytes = end.log_bytes.map(|b| to_i64("log_bytes", b)).transpose()?;
    let changed = conn
        .prepare_cached(
            "UPDATE runs SET state = ?2, ended_at = ?3, exit_code = ?4, signal = ?5, log_bytes = ?6, message = ?7
             WHERE id = ?1 AND claimed_by = ?8 AND state IN ('claimed', 'running')",
        )?
        .execute(params![
            id.0,
            end.outcome.as_str(),
            micros(end.ended_at),
            end.exit_code,
            end.signal,
            log_bytes,
            end.message,
            node
        ])?;
    if changed == 0 {
        return finish(conn, id, node, end).map(drop);
    }
    Ok(())
}

/// Copies each of `runs` into its task's state if it is the task's newest run: once per run,
/// however many updates of it a batch made.
pub(super) fn refresh_last_runs(conn: &Connection, runs: impl IntoIterator<Item = RunId>) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for run in runs {
        if seen.insert(run) {
            refresh_last_run(conn, run)?;
        }
    }
    Ok(())
}

fn collect_runs(rows: impl Iterator<Item = rusqlite::Result<HistoryEntry>>) -> Result<Vec<RunRecord>> {
    let mut runs = Vec::new();
    for entry in rows {
        match entry? {
            HistoryEntry::Run(r) => runs.push(r),
            HistoryEntry::Missed(m) => return Err(Repr::NotARun { id: m.id, task: m.task_id }.into()),
        }
    }
    Ok(runs)
}

pub(super) fn active(conn: &Connection, scope: Scope) -> Result<Vec<RunRecord>> {
    let (sql, owner) = match scope.owner() {
        None => {
            (format!("SELECT {RUN_COLS} FROM runs WHERE state IN ('claimed', 'running') ORDER BY id"), None)
        }
        Some(uid) => (
            format!(
                "SELECT {RUN_COLS} FROM runs WHERE state IN ('claimed', 'running') AND owner_uid = ?1 ORDER BY id"
            ),
            Some(uid),
        ),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    match owner {
        None => collect_runs(stmt.query_map([], entry_from_row)?),
        Some(uid) => collect_runs(stmt.query_map([uid], entry_from_row)?),
    }
}

pub(super) fn interrupt_orphans(conn: &Connection, node: &str) -> Result<Vec<RunRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "UPDATE runs SET state = 'interrupted', message = CASE state
             WHEN 'claimed' THEN 'sked stopped after claiming the run and before starting it'
             ELSE 'sked stopped while the run was running; its end was not seen' END
         WHERE claimed_by = ?1 AND state IN ('claimed', 'running')
         RETURNING {RUN_COLS}"
    ))?;
    let mut runs = collect_runs(stmt.query_map([node], entry_from_row)?)?;
    runs.sort_by_key(|r| r.id);
    for r in &runs {
        refresh_last_run(conn, r.id)?;
    }
    Ok(runs)
}

pub(super) fn record_missed(
    conn: &Connection,
    task: TaskId,
    reason: MissReason,
    times: &[Occurrence],
    now: Timestamp,
) -> Result<usize> {
    let owner = task_owner(conn, task)?;
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO runs (task_id, owner_uid, scheduled_for, trigger_index, sort_at, state, miss_reason, claimed_at)
         VALUES (?1, ?2, ?3, ?4, ?3, '{MISSED}', ?5, ?6)
         ON CONFLICT (task_id, scheduled_for) DO NOTHING"
    ))?;
    let mut recorded = 0;
    for o in times {
        recorded += stmt.execute(params![
            task.0,
            owner,
            micros(o.scheduled_for),
            o.trigger,
            reason.as_str(),
            micros(now)
        ])?;
    }
    if let Some(latest) = times.iter().map(|o| o.scheduled_for).max() {
        account(conn, task, latest)?;
    }
    Ok(recorded)
}

pub(super) fn state(conn: &Connection, task: TaskId) -> Result<TaskState> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {STATE_COLS} FROM tasks t LEFT JOIN task_state s ON s.task_id = t.id WHERE t.id = ?1"
    ))?;
    stmt.query_row([task.0], state_from_row).optional()?.ok_or_else(|| Repr::TaskNotFound { id: task }.into())
}

pub(super) fn states(conn: &Connection, scope: Scope) -> Result<Vec<TaskState>> {
    let base = format!("SELECT {STATE_COLS} FROM tasks t LEFT JOIN task_state s ON s.task_id = t.id");
    let rows = match scope.owner() {
        None => {
            let mut stmt = conn.prepare_cached(&format!("{base} ORDER BY t.id"))?;
            stmt.query_map([], state_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?
        }
        Some(uid) => {
            let mut stmt = conn.prepare_cached(&format!("{base} WHERE t.owner_uid = ?1 ORDER BY t.id"))?;
            stmt.query_map([uid], state_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?
        }
    };
    Ok(rows)
}

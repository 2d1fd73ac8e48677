//! History pages and retention inside one transaction.

use rusqlite::{Connection, params, params_from_iter, types::Value};

use super::codec::{MISSED, RUN_COLS, entry_from_row, micros, path_from_bytes};
use super::tasks;
use crate::{HistoryPage, HistoryQuery, Pruned, Result, Retention};

pub(super) fn page(conn: &Connection, q: &HistoryQuery) -> Result<HistoryPage> {
    let mut sql = format!("SELECT {RUN_COLS} FROM runs WHERE true");
    let mut args: Vec<Value> = Vec::new();
    if let Some(task) = q.task {
        tasks::get(conn, q.scope, task)?;
        sql.push_str(" AND task_id = ?");
        args.push(Value::Integer(task.0));
    } else if let Some(owner) = q.scope.owner() {
        sql.push_str(" AND owner_uid = ?");
        args.push(Value::Integer(owner.into()));
    }
    if let Some(c) = q.before {
        sql.push_str(" AND (sort_at, id) < (?, ?)");
        args.push(Value::Integer(micros(c.at)));
        args.push(Value::Integer(c.id.0));
    }
    // One more than asked, to know whether there is a next page.
    sql.push_str(" ORDER BY sort_at DESC, id DESC LIMIT ?");
    args.push(Value::Integer(i64::from(q.limit) + 1));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut entries =
        stmt.query_map(params_from_iter(args), entry_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    let next = if entries.len() > q.limit as usize {
        entries.truncate(q.limit as usize);
        entries.last().map(|e| e.cursor())
    } else {
        None
    };
    Ok(HistoryPage { entries, next })
}

pub(super) fn prune(conn: &Connection, retention: &Retention) -> Result<Pruned> {
    let before = retention.before.map(micros);
    let sql = match retention.keep_per_task {
        None if before.is_none() => return Ok(Pruned::default()),
        None => "DELETE FROM runs WHERE sort_at < ?1 AND state NOT IN ('claimed', 'running')
                 RETURNING state, log_path"
            .to_owned(),
        // Runs and missed times are ranked apart, so frequent misses do not push out the runs.
        Some(_) => "DELETE FROM runs WHERE id IN (
                        SELECT id FROM (
                            SELECT id, state, sort_at, row_number() OVER (
                                PARTITION BY task_id, state = 'missed' ORDER BY sort_at DESC, id DESC) AS rank
                            FROM runs)
                        WHERE state NOT IN ('claimed', 'running') AND (sort_at < ?1 OR rank > ?2))
                    RETURNING state, log_path"
            .to_owned(),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut pruned = Pruned::default();
    let mut rows = match retention.keep_per_task {
        None => stmt.query(params![before])?,
        Some(keep) => stmt.query(params![before, keep])?,
    };
    while let Some(row) = rows.next()? {
        let state: String = row.get(0)?;
        if state == MISSED {
            pruned.missed += 1;
        } else {
            pruned.runs += 1;
        }
        if let Some(path) = row.get::<_, Option<Vec<u8>>>(1)? {
            pruned.log_paths.push(path_from_bytes(path));
        }
    }
    Ok(pruned)
}

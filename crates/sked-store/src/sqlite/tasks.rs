//! Task operations inside one transaction.

use std::collections::HashSet;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter, types::Value};

use super::codec::{TASK_COLS, micros, task_from_row, to_i64};
use crate::{
    Applied, ChangeSet, Deleted, Result, Scope, SourceRef, TaskDef, TaskFilter, TaskId, TaskRecord,
    error::Repr,
};

/// The task `id`, if it exists.
pub(super) fn find(conn: &Connection, id: TaskId) -> Result<Option<TaskRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {TASK_COLS} FROM tasks WHERE id = ?1"))?;
    Ok(stmt.query_row([id.0], task_from_row).optional()?)
}

/// The task of `owner` named `name`, if it exists.
pub(super) fn find_by_name(conn: &Connection, owner: u32, name: &str) -> Result<Option<TaskRecord>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {TASK_COLS} FROM tasks WHERE owner_uid = ?1 AND name = ?2"))?;
    Ok(stmt.query_row(params![owner, name], task_from_row).optional()?)
}

/// The task `id`, which must exist in `scope`.
pub(super) fn get(conn: &Connection, scope: Scope, id: TaskId) -> Result<TaskRecord> {
    match find(conn, id)? {
        Some(t) if scope.contains(t.owner_uid) => Ok(t),
        _ => Err(Repr::TaskNotFound { id }.into()),
    }
}

/// The task of `owner` named `name`, which must exist.
pub(super) fn get_by_name(conn: &Connection, owner: u32, name: &str) -> Result<TaskRecord> {
    find_by_name(conn, owner, name)?
        .ok_or_else(|| Repr::TaskNameNotFound { owner, name: name.to_owned() }.into())
}

fn check_name(def: &TaskDef) -> Result<()> {
    if def.name.is_empty() { Err(Repr::EmptyName.into()) } else { Ok(()) }
}

fn check_version(task: &TaskRecord, expected: Option<u64>) -> Result<()> {
    match expected {
        Some(v) if v != task.version => Err(Repr::VersionMismatch {
            id: task.id,
            name: task.name.clone(),
            expected: v,
            actual: task.version,
        }
        .into()),
        _ => Ok(()),
    }
}

fn check_name_free(conn: &Connection, owner: u32, name: &str) -> Result<()> {
    match find_by_name(conn, owner, name)? {
        Some(t) => Err(Repr::NameTaken { owner, name: name.to_owned(), id: t.id }.into()),
        None => Ok(()),
    }
}

fn insert(
    conn: &Connection,
    owner: u32,
    def: &TaskDef,
    source: Option<&SourceRef>,
    now: Timestamp,
) -> Result<TaskRecord> {
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO tasks (owner_uid, name, definition, enabled, source_id, source_hash, version, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7)
         RETURNING {TASK_COLS}"
    ))?;
    let row = params![
        owner,
        def.name,
        def.definition,
        def.enabled,
        source.map(|s| &s.id),
        source.map(|s| &s.hash),
        micros(now)
    ];
    Ok(stmt.query_row(row, task_from_row)?)
}

fn update(
    conn: &Connection,
    task: &TaskRecord,
    def: &TaskDef,
    source: Option<&SourceRef>,
    now: Timestamp,
) -> Result<TaskRecord> {
    let mut stmt = conn.prepare_cached(&format!(
        "UPDATE tasks SET name = ?2, definition = ?3, enabled = ?4, source_id = ?5, source_hash = ?6,
                          version = ?7, updated = ?8
         WHERE id = ?1
         RETURNING {TASK_COLS}"
    ))?;
    let row = params![
        task.id.0,
        def.name,
        def.definition,
        def.enabled,
        source.map(|s| &s.id),
        source.map(|s| &s.hash),
        to_i64("version", task.version + 1)?,
        micros(now)
    ];
    Ok(stmt.query_row(row, task_from_row)?)
}

/// Delete `task`, cascading to its runs and state; return the log files its runs leave.
fn remove(conn: &Connection, task: TaskRecord) -> Result<Deleted> {
    let mut logs = conn.prepare_cached(
        "SELECT log_path FROM runs WHERE task_id = ?1 AND log_path IS NOT NULL ORDER BY id",
    )?;
    let log_paths = logs
        .query_map([task.id.0], |r| r.get::<_, Vec<u8>>(0))?
        .map(|b| b.map(super::codec::path_from_bytes))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    conn.prepare_cached("DELETE FROM tasks WHERE id = ?1")?.execute([task.id.0])?;
    Ok(Deleted { task, log_paths })
}

pub(super) fn create(
    conn: &Connection,
    owner: u32,
    def: &TaskDef,
    source: Option<&SourceRef>,
    now: Timestamp,
) -> Result<TaskRecord> {
    check_name(def)?;
    check_name_free(conn, owner, &def.name)?;
    insert(conn, owner, def, source, now)
}

pub(super) fn replace(
    conn: &Connection,
    scope: Scope,
    id: TaskId,
    expected: Option<u64>,
    def: &TaskDef,
    source: Option<&SourceRef>,
    now: Timestamp,
) -> Result<TaskRecord> {
    let task = get(conn, scope, id)?;
    check_version(&task, expected)?;
    check_name(def)?;
    if def.name != task.name {
        check_name_free(conn, task.owner_uid, &def.name)?;
    }
    update(conn, &task, def, source, now)
}

pub(super) fn set_enabled(
    conn: &Connection,
    scope: Scope,
    id: TaskId,
    expected: Option<u64>,
    enabled: bool,
    now: Timestamp,
) -> Result<TaskRecord> {
    let task = get(conn, scope, id)?;
    check_version(&task, expected)?;
    if task.enabled == enabled {
        return Ok(task);
    }
    let def = TaskDef { name: task.name.clone(), definition: task.definition.clone(), enabled };
    update(conn, &task, &def, task.source.as_ref(), now)
}

pub(super) fn delete(conn: &Connection, scope: Scope, id: TaskId, expected: Option<u64>) -> Result<Deleted> {
    let task = get(conn, scope, id)?;
    check_version(&task, expected)?;
    remove(conn, task)
}

pub(super) fn list(conn: &Connection, filter: &TaskFilter) -> Result<Vec<TaskRecord>> {
    let cols = if filter.definitions { TASK_COLS.to_owned() } else { TASK_COLS.replace("definition", "x''") };
    let mut sql = format!("SELECT {cols} FROM tasks WHERE true");
    let mut args: Vec<Value> = Vec::new();
    if let Some(owner) = filter.scope.owner() {
        sql.push_str(" AND owner_uid = ?");
        args.push(Value::Integer(owner.into()));
    }
    if let Some(prefix) = filter.name_prefix.as_deref().filter(|p| !p.is_empty()) {
        // A range rather than LIKE: exact, case-sensitive, and it uses the name indexes.
        sql.push_str(" AND name >= ?");
        args.push(Value::Text(prefix.to_owned()));
        if let Some(end) = prefix_end(prefix) {
            sql.push_str(" AND name < ?");
            args.push(Value::Text(end));
        }
    }
    if let Some(source) = &filter.source_id {
        sql.push_str(" AND source_id = ?");
        args.push(Value::Text(source.clone()));
    }
    sql.push_str(" ORDER BY name, owner_uid");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), task_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The least string greater than every string that starts with `prefix`, if there is one.
/// UTF-8 orders as code points do, and SQLite compares text byte by byte.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match u32::from(last) + 1 {
            0xD800 => Some('\u{E000}'), // skip the surrogates, which are not chars
            n => char::from_u32(n),
        };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

pub(super) fn apply(conn: &Connection, scope: Scope, changes: &ChangeSet, now: Timestamp) -> Result<Applied> {
    if changes.prune_sources.iter().any(String::is_empty) {
        return Err(Repr::PruneEmptySource.into());
    }
    let mut named = HashSet::new();
    for u in &changes.upserts {
        if !named.insert((u.owner_uid, u.def.name.as_str())) {
            return Err(Repr::DuplicateUpsert { owner: u.owner_uid, name: u.def.name.clone() }.into());
        }
    }
    let mut applied = Applied::default();
    for d in &changes.deletes {
        applied.deleted.push(delete(conn, scope, d.id, d.expected_version)?);
    }
    // Only an upsert from the same source spares a task from its source's prune: a task named
    // by another file of the set is deleted here and created again below, from that file.
    let spared: HashSet<_> = changes
        .upserts
        .iter()
        .filter_map(|u| u.source.as_ref().map(|s| (s.id.as_str(), u.owner_uid, u.def.name.as_str())))
        .collect();
    for id in &changes.prune_sources {
        let filter = TaskFilter::new(scope).with_source(id.clone());
        for task in list(conn, &filter)? {
            if !spared.contains(&(id.as_str(), task.owner_uid, task.name.as_str())) {
                applied.deleted.push(remove(conn, task)?);
            }
        }
    }
    for u in &changes.upserts {
        if !scope.contains(u.owner_uid) {
            return Err(Repr::OutOfScope { owner: u.owner_uid, name: u.def.name.clone(), scope }.into());
        }
        check_name(&u.def)?;
        let source = u.source.as_ref();
        let Some(task) = find_by_name(conn, u.owner_uid, &u.def.name)? else {
            if let Some(expected) = u.expected_version {
                return Err(
                    Repr::ExpectedMissing { owner: u.owner_uid, name: u.def.name.clone(), expected }.into()
                );
            }
            applied.created.push(insert(conn, u.owner_uid, &u.def, source, now)?);
            continue;
        };
        if u.expected_version.is_some() {
            check_version(&task, u.expected_version)?;
        } else if task.source.as_ref().map(|s| &s.id) != source.map(|s| &s.id) {
            return Err(Repr::SourceMismatch {
                id: task.id,
                name: task.name,
                existing: task.source.map(|s| s.id),
                applying: source.map(|s| s.id.clone()),
            }
            .into());
        }
        if task.definition == u.def.definition
            && task.enabled == u.def.enabled
            && task.source.as_ref() == source
        {
            applied.unchanged.push(task);
        } else {
            applied.replaced.push(update(conn, &task, &u.def, source, now)?);
        }
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_bounds_exactly_the_names_with_the_prefix() {
        assert_eq!(prefix_end("reports/").as_deref(), Some("reports0"));
        assert_eq!(prefix_end("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{10FFFF}\u{10FFFF}"), None);
        let end = prefix_end("ré").unwrap();
        for name in ["ré", "réa", "ré\u{10FFFF}x", "ré/z"] {
            assert!(name >= "ré" && name < end.as_str(), "{name}");
        }
        for name in ["rf", "rê", "r"] {
            assert!(!(name >= "ré" && name < end.as_str()), "{name}");
        }
    }
}

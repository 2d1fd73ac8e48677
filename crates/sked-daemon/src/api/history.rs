//! History: pages of runs and missed times, one run, a run's log.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use sked_api::types::{History, RunView};
use sked_store::{Cursor, HistoryEntry, HistoryQuery, RunId, Scope, TaskId};

use super::{Api, ApiError, ApiResult, MAX_HISTORY, blocking, kebab, owner_for, scope_of};

/// The query of `GET /v1/history`.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct HistoryParams {
    /// Only this task's entries.
    pub task: Option<String>,
    /// Only this owner's tasks.
    pub owner: Option<u32>,
    /// The size of the page.
    pub limit: Option<u32>,
    /// The `next` of the previous page.
    pub before: Option<String>,
}

/// The opaque cursor of a history page: `<microseconds since the epoch>.<entry id>`.
pub fn encode_cursor(c: Cursor) -> String {
    format!("{}.{}", c.at.as_microsecond(), c.id.0)
}

/// Reads a cursor made by [`encode_cursor`].
pub fn decode_cursor(s: &str) -> ApiResult<Cursor> {
    let bad = || ApiError::bad_request(format!("`before` is `{s}`; expected the `next` of a history page"));
    let (at, id) = s.split_once('.').ok_or_else(bad)?;
    let at =
        at.parse::<i64>().ok().and_then(|m| jiff::Timestamp::from_microsecond(m).ok()).ok_or_else(bad)?;
    let id = id.parse::<i64>().map_err(|_| bad())?;
    Ok(Cursor { at, id: RunId(id) })
}

fn view(entry: HistoryEntry, names: &HashMap<TaskId, String>) -> RunView {
    match entry {
        HistoryEntry::Run(r) => RunView {
            id: r.id.0,
            task_id: r.task_id.0,
            task: names.get(&r.task_id).cloned(),
            scheduled_for: r.scheduled_for,
            trigger: r.trigger,
            outcome: kebab(r.outcome.as_str()),
            missed_reason: None,
            node: Some(r.claimed_by),
            started_at: r.started_at,
            ended_at: r.ended_at,
            pid: r.pid,
            exit_code: r.exit_code,
            signal: r.signal,
            has_log: r.log_path.is_some(),
            log_bytes: r.log_bytes,
            message: r.message,
        },
        HistoryEntry::Missed(m) => RunView {
            id: m.id.0,
            task_id: m.task_id.0,
            task: names.get(&m.task_id).cloned(),
            scheduled_for: Some(m.scheduled_for),
            trigger: Some(m.trigger),
            outcome: "missed".into(),
            missed_reason: Some(kebab(m.reason.as_str())),
            node: None,
            started_at: None,
            ended_at: None,
            pid: None,
            exit_code: None,
            signal: None,
            has_log: false,
            log_bytes: None,
            message: None,
        },
    }
}

/// The names of the tasks of `entries`.
fn names(store: &dyn sked_store::Store, entries: &[HistoryEntry]) -> HashMap<TaskId, String> {
    let mut out = HashMap::new();
    for e in entries {
        let id = e.task_id();
        if !out.contains_key(&id)
            && let Ok(r) = store.get(Scope::All, id)
        {
            out.insert(id, r.name);
        }
    }
    out
}

impl Api {
    /// `GET /v1/history`.
    pub async fn history(&self, caller: u32, p: HistoryParams) -> ApiResult<History> {
        let limit = p.limit.unwrap_or(50);
        if limit == 0 || limit > MAX_HISTORY {
            return Err(ApiError::bad_request(format!("`limit` is {limit}; expected 1 to {MAX_HISTORY}")));
        }
        let scope = match (caller, p.owner) {
            (0, None) => Scope::All,
            _ => Scope::Owner(owner_for(caller, p.owner)?),
        };
        let mut query = HistoryQuery::new(scope, limit);
        if let Some(name) = &p.task {
            query = query.for_task(self.task_id(caller, name, p.owner).await?);
        }
        if let Some(b) = &p.before {
            query = query.after_page(decode_cursor(b)?);
        }
        blocking(&self.store, move |s| {
            let page = s.history(&query)?;
            let names = names(s, &page.entries);
            Ok(History {
                entries: page.entries.into_iter().map(|e| view(e, &names)).collect(),
                next: page.next.map(encode_cursor),
            })
        })
        .await
    }

    /// The run `id`, if its task is in the caller's scope.
    async fn run_record(&self, caller: u32, id: i64) -> ApiResult<sked_store::RunRecord> {
        let scope = scope_of(caller);
        blocking(&self.store, move |s| {
            let not_found = || ApiError::not_found(format!("no run {id}"));
            let run = s.get_run(RunId(id)).map_err(|e| match e.kind() {
                sked_store::ErrorKind::NotFound | sked_store::ErrorKind::InvalidInput => not_found(),
                _ => e.into(),
            })?;
            // Another user's run is "not found", like their task.
            s.get(scope, run.task_id).map_err(|_| not_found())?;
            Ok(run)
        })
        .await
    }

    /// `GET /v1/runs/{id}`.
    pub async fn get_run(&self, caller: u32, id: i64) -> ApiResult<RunView> {
        let run = self.run_record(caller, id).await?;
        let task = run.task_id;
        let names = blocking(&self.store, move |s| {
            Ok(s.get(Scope::All, task).map(|r| HashMap::from([(task, r.name)])).unwrap_or_default())
        })
        .await?;
        Ok(view(HistoryEntry::Run(run), &names))
    }

    /// `GET /v1/runs/{id}/log`: the log's bytes from `offset` on.
    pub async fn log(&self, caller: u32, id: i64, offset: u64) -> ApiResult<Vec<u8>> {
        let run = self.run_record(caller, id).await?;
        let path = run.log_path.ok_or_else(|| ApiError::not_found(format!("run {id} has no log")))?;
        // The file is made when the program first writes: a run still going, or one that
        // ended having written nothing, has no file and an empty log.
        let empty = run.ended_at.is_none() || run.log_bytes.unwrap_or(0) == 0;
        tokio::task::spawn_blocking(move || {
            let mut f = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && empty => return Ok(Vec::new()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(ApiError::not_found(format!("the log of run {id} is gone")));
                }
                Err(e) => {
                    return Err(ApiError::internal(format!("cannot read the log `{}`: {e}", path.display())));
                }
            };
            let mut out = Vec::new();
            f.seek(SeekFrom::Start(offset))
                .and_then(|_| f.read_to_end(&mut out))
                .map_err(|e| ApiError::internal(format!("cannot read the log `{}`: {e}", path.display())))?;
            Ok(out)
        })
        .await
        .map_err(|e| ApiError::internal(format!("reading a log failed: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_bad_ones_are_named() {
        let c = Cursor { at: "2030-01-01T06:00:00.123456Z".parse().unwrap(), id: RunId(42) };
        assert_eq!(decode_cursor(&encode_cursor(c)).unwrap(), c);
        let e = decode_cursor("yesterday").unwrap_err();
        assert_eq!(e.code, "bad-request");
        assert!(e.message.contains("`yesterday`"), "{}", e.message);
    }
}

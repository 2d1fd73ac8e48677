//! The local API: HTTP/1.1 with JSON bodies on a Unix socket, version 1 (the shapes are
//! `sked_api::types`; `docs/openapi.yaml` describes the routes).
//!
//! [`Api`] holds the operations, each taking the caller's uid, so that they can be tested
//! for any user without switching users; [`routes`] maps the paths onto them and takes the
//! uid from the socket's peer credentials.
//!
//! Who may do what: a user sees and changes only their own tasks (other users' tasks are
//! "not found"), may not act for another owner, and may not make a task run as another
//! account. Root sees every task and may do all of it.

mod apply;
mod error;
mod history;
pub mod routes;
mod tasks;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use sked_api::types::{LastRun, State, TaskSummary, TaskView};
use sked_core::{Schedule, Task, Zones};
use sked_store::{Scope, Store, TaskFilter, TaskRecord, TaskState};

pub use error::{ApiError, ApiResult};

use crate::codec;
use crate::control::{Control, TaskStatus};

/// The most tasks `next` lists at once.
pub const MAX_NEXT: u32 = 1000;
/// The most entries a history page holds.
pub const MAX_HISTORY: u32 = 1000;

/// The API's operations over the store and the scheduler.
#[derive(Clone)]
pub struct Api {
    store: Arc<dyn Store>,
    control: Control,
    zones: Arc<Zones>,
    node: String,
    store_path: String,
    started: Timestamp,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("node", &self.node).field("store", &self.store_path).finish()
    }
}

/// Runs a blocking store call off the async threads.
async fn blocking<T: Send + 'static>(
    store: &Arc<dyn Store>,
    f: impl FnOnce(&dyn Store) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .map_err(|e| ApiError::internal(format!("a store call failed: {e}")))?
}

/// The scope of a caller: root sees all, a user their own tasks.
fn scope_of(caller: u32) -> Scope {
    Scope::for_uid(caller)
}

/// The owner a caller addresses: `owner` if given and allowed, else the caller.
fn owner_for(caller: u32, owner: Option<u32>) -> ApiResult<u32> {
    match owner {
        Some(o) if o != caller && caller != 0 => Err(ApiError::forbidden(format!(
            "uid {caller} may not act for the tasks of uid {o}: only root may name another owner"
        ))),
        Some(o) => Ok(o),
        None => Ok(caller),
    }
}

/// The uid an account named in `run-as` stands for, if it exists.
fn account_uid(user: &str) -> ApiResult<Option<u32>> {
    if crate::scheduler::is_system_account(user) {
        return Ok(Some(0));
    }
    if !user.is_empty() && user.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(user.parse::<u32>().ok());
    }
    nix::unistd::User::from_name(user)
        .map(|u| u.map(|u| u.uid.as_raw()))
        .map_err(|e| ApiError::internal(format!("cannot look up the account `{user}`: {e}")))
}

/// Refuses a task that would run as another account than its owner's, unless root asks.
fn check_run_as(caller: u32, owner: u32, task: &Task) -> ApiResult<()> {
    let Some(user) = task.run_as.as_deref() else { return Ok(()) };
    if caller == 0 {
        return Ok(());
    }
    match account_uid(user)? {
        Some(uid) if uid == owner => Ok(()),
        Some(uid) => Err(ApiError::forbidden(format!(
            "task `{}`: `run-as = \"{user}\"` is uid {uid}; only root may make a task run as \
             another account than its owner (uid {owner})",
            task.name
        ))),
        None => Err(ApiError::invalid(format!(
            "task `{}`: `run-as = \"{user}\"` names no account on this machine; expected your own \
             user name, or no `run-as`",
            task.name
        ))),
    }
}

/// The one task a definition (task file text) holds, validated and schedulable.
fn parse_definition(definition: &str, zones: &Zones) -> ApiResult<Task> {
    let doc =
        sked_formats::task_file::read(definition.as_bytes()).map_err(|e| ApiError::invalid(e.to_string()))?;
    let mut entries = doc.entries.into_iter();
    let task = match (entries.next(), entries.next()) {
        (Some(e), None) => e.task,
        (None, _) => return Err(ApiError::invalid("the definition holds no task; expected one `[[task]]`")),
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "the definition holds several tasks; expected exactly one `[[task]]`",
            ));
        }
    };
    // `Schedule::new` validates the fields too, and also the zone and every trigger.
    Schedule::new(&task, zones).map_err(|e| ApiError::invalid(e.to_string()))?;
    Ok(task)
}

/// A store error with the task's name instead of its id when it is "not found".
fn no_task(name: &str, owner: Option<u32>) -> ApiError {
    match owner {
        Some(o) => ApiError::not_found(format!("no task named `{name}` of uid {o}")),
        None => ApiError::not_found(format!("no task named `{name}`")),
    }
}

/// A run's outcome as the API names it: kebab-case.
fn kebab(s: &str) -> String {
    s.replace('_', "-")
}

fn last_run(state: Option<&TaskState>) -> Option<LastRun> {
    state.and_then(|s| s.last_run.as_ref()).map(|r| LastRun {
        id: r.id.0,
        outcome: kebab(r.outcome.as_str()),
        started_at: r.started_at,
        ended_at: r.ended_at,
        exit_code: r.exit_code,
        signal: r.signal,
    })
}

fn summary(record: &TaskRecord, state: Option<&TaskState>, status: Option<&TaskStatus>) -> TaskSummary {
    let running = status.is_some_and(|s| !s.running.is_empty());
    TaskSummary {
        id: record.id.0,
        name: record.name.clone(),
        owner_uid: record.owner_uid,
        enabled: record.enabled,
        version: record.version,
        state: if running {
            State::Running
        } else if record.enabled {
            State::Ready
        } else {
            State::Disabled
        },
        next_run: status.and_then(|s| s.next_run),
        last_run: last_run(state),
        source: record
            .source
            .as_ref()
            .map(|s| sked_api::types::Source { id: s.id.clone(), hash: s.hash.clone() }),
    }
}

impl Api {
    /// The API over `store`, asking the scheduler through `control`; `node` and
    /// `store_path` are what `status` reports.
    pub fn new(
        store: Arc<dyn Store>,
        control: Control,
        zones: Arc<Zones>,
        node: impl Into<String>,
        store_path: impl Into<String>,
    ) -> Self {
        Api {
            store,
            control,
            zones,
            node: node.into(),
            store_path: store_path.into(),
            started: Timestamp::now(),
        }
    }

    /// The task `name` as `caller` addresses it, with `owner` when given (see the module
    /// docs for how root's names resolve).
    async fn resolve(&self, caller: u32, name: &str, owner: Option<u32>) -> ApiResult<TaskRecord> {
        let owner = match (caller, owner) {
            (0, None) => None,
            _ => Some(owner_for(caller, owner)?),
        };
        let name = name.to_string();
        blocking(&self.store, move |s| {
            if let Some(o) = owner {
                return s.get_by_name(o, &name).map_err(|e| match e.kind() {
                    sked_store::ErrorKind::NotFound => no_task(&name, Some(o)),
                    _ => e.into(),
                });
            }
            // Root without an owner: its own task, else the one task of that name.
            match s.get_by_name(0, &name) {
                Ok(r) => return Ok(r),
                Err(e) if e.kind() != sked_store::ErrorKind::NotFound => return Err(e.into()),
                Err(_) => {}
            }
            let mut found: Vec<TaskRecord> = s
                .list(&TaskFilter::new(Scope::All).with_name_prefix(name.clone()))?
                .into_iter()
                .filter(|r| r.name == name)
                .collect();
            match found.len() {
                0 => Err(no_task(&name, None)),
                1 => Ok(found.remove(0)),
                _ => {
                    let owners: Vec<String> = found.iter().map(|r| r.owner_uid.to_string()).collect();
                    Err(ApiError::conflict(format!(
                        "several users have a task named `{name}` (uids {}); name the owner with `owner`",
                        owners.join(", ")
                    )))
                }
            }
        })
        .await
    }

    /// The full view of a task, as it stands in the store and the scheduler.
    async fn view(&self, record: TaskRecord) -> ApiResult<TaskView> {
        let id = record.id;
        let state = blocking(&self.store, move |s| match s.task_state(id) {
            Ok(st) => Ok(Some(st)),
            Err(e) if e.kind() == sked_store::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        })
        .await?;
        // A stopping scheduler still lets the store's view be read.
        let status = self.control.status(id).await.ok();
        Ok(TaskView {
            summary: summary(&record, state.as_ref(), status.as_ref()),
            definition: String::from_utf8_lossy(&record.definition).into_owned(),
            running: status.as_ref().map(|s| s.running.iter().map(|r| r.0).collect()).unwrap_or_default(),
            queued: status.as_ref().map_or(0, |s| s.queued),
            created: record.created,
            updated: record.updated,
        })
    }

    /// The summaries of `records`: one store read of the states and one scheduler message.
    async fn summaries(
        &self,
        scope: Scope,
        records: Vec<TaskRecord>,
        all: bool,
    ) -> ApiResult<Vec<TaskSummary>> {
        let ids = (!all).then(|| records.iter().map(|r| r.id).collect());
        let statuses = self.control.statuses(ids).await.unwrap_or_default();
        let states: HashMap<_, _> = blocking(&self.store, move |s| Ok(s.task_states(scope)?))
            .await?
            .into_iter()
            .map(|s| (s.task_id, s))
            .collect();
        Ok(records.iter().map(|r| summary(r, states.get(&r.id), statuses.get(&r.id))).collect())
    }

    /// The stored definition of `task`, canonical (as sked writes it).
    fn stored(task: &Task) -> sked_store::TaskDef {
        sked_store::TaskDef {
            name: task.name.clone(),
            definition: codec::encode(task),
            enabled: task.enabled,
        }
    }

    /// Deletes the log files a deleted task or pruned history leaves behind.
    async fn delete_logs(&self, paths: Vec<PathBuf>) {
        if paths.is_empty() {
            return;
        }
        let _ = tokio::task::spawn_blocking(move || {
            for p in paths {
                if let Err(e) = std::fs::remove_file(&p)
                    && e.kind() != std::io::ErrorKind::NotFound
                {
                    tracing::warn!("cannot delete the log `{}`: {e}", p.display());
                }
            }
        })
        .await;
    }
}

#[cfg(test)]
mod tests;

//! The operations on tasks: list, create, get, replace, change, delete, enable, disable,
//! run, end, next runs; and the service's status.

use jiff::Timestamp;
use sked_api::types::{
    ChangeTask, CreateTask, Ended, NextRun, NextRuns, ReplaceTask, ServiceStatus, Started, TaskList, TaskView,
};
use sked_core::Schedule;
use sked_store::{Scope, TaskFilter, TaskId};

use super::{
    Api, ApiError, ApiResult, MAX_NEXT, blocking, check_run_as, owner_for, parse_definition, scope_of,
};
use crate::codec;

/// The query of `GET /v1/tasks`.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    /// Only names starting with this.
    pub prefix: Option<String>,
    /// Only this owner's tasks.
    pub owner: Option<u32>,
}

impl Api {
    /// `GET /v1/status`.
    pub fn status(&self, caller: u32) -> ServiceStatus {
        ServiceStatus {
            version: env!("CARGO_PKG_VERSION").to_string(),
            node: self.node.clone(),
            store: self.store_path.clone(),
            started: self.started,
            caller_uid: caller,
        }
    }

    /// `GET /v1/tasks`.
    pub async fn list(&self, caller: u32, q: ListQuery) -> ApiResult<TaskList> {
        let scope = match (caller, q.owner) {
            (0, None) => Scope::All,
            _ => Scope::Owner(owner_for(caller, q.owner)?),
        };
        // A summary needs no definition: 100,000 of them would be tens of megabytes.
        let mut filter = TaskFilter::new(scope).without_definitions();
        if let Some(p) = q.prefix.as_ref().filter(|p| !p.is_empty()) {
            filter = filter.with_name_prefix(p.clone());
        }
        let everything = scope == Scope::All && filter.name_prefix.is_none();
        let records = blocking(&self.store, move |s| Ok(s.list(&filter)?)).await?;
        let tasks = self.summaries(scope, records, everything).await?;
        Ok(TaskList { tasks })
    }

    /// `POST /v1/tasks`.
    pub async fn create(&self, caller: u32, body: CreateTask) -> ApiResult<TaskView> {
        let owner = owner_for(caller, body.owner_uid)?;
        let task = parse_definition(&body.definition, &self.zones)?;
        check_run_as(caller, owner, &task)?;
        let def = Self::stored(&task);
        let record = blocking(&self.store, move |s| Ok(s.create(owner, &def, None)?)).await?;
        self.control.task_changed(record.id).await;
        self.view(record).await
    }

    /// `GET /v1/tasks/{name}`.
    pub async fn get(&self, caller: u32, name: &str, owner: Option<u32>) -> ApiResult<TaskView> {
        let record = self.resolve(caller, name, owner).await?;
        self.view(record).await
    }

    /// `PUT /v1/tasks/{name}`.
    pub async fn replace(
        &self,
        caller: u32,
        name: &str,
        owner: Option<u32>,
        body: ReplaceTask,
    ) -> ApiResult<TaskView> {
        let record = self.resolve(caller, name, owner).await?;
        let task = parse_definition(&body.definition, &self.zones)?;
        self.store_replacement(caller, record, task, body.expected_version).await
    }

    /// Replaces `record`'s task with `task`, keeping its source, and tells the scheduler.
    async fn store_replacement(
        &self,
        caller: u32,
        record: sked_store::TaskRecord,
        task: sked_core::Task,
        expected_version: Option<u64>,
    ) -> ApiResult<TaskView> {
        check_run_as(caller, record.owner_uid, &task)?;
        let def = Self::stored(&task);
        let scope = scope_of(caller);
        let updated = blocking(&self.store, move |s| {
            Ok(s.replace(scope, record.id, expected_version, &def, record.source.as_ref())?)
        })
        .await?;
        self.control.task_changed(updated.id).await;
        self.view(updated).await
    }

    /// `PATCH /v1/tasks/{name}`: the patch's top-level keys replace the task's, `unset`
    /// keys go, and the result must be a valid task.
    pub async fn change(
        &self,
        caller: u32,
        name: &str,
        owner: Option<u32>,
        body: ChangeTask,
    ) -> ApiResult<TaskView> {
        let record = self.resolve(caller, name, owner).await?;
        let current = String::from_utf8_lossy(&record.definition).into_owned();
        let merged = merge_patch(&current, &body.patch, &body.unset)?;
        let task = parse_definition(&merged, &self.zones)?;
        self.store_replacement(caller, record, task, body.expected_version).await
    }

    /// `DELETE /v1/tasks/{name}`.
    pub async fn delete(&self, caller: u32, name: &str, owner: Option<u32>) -> ApiResult<()> {
        let record = self.resolve(caller, name, owner).await?;
        let scope = scope_of(caller);
        let deleted = blocking(&self.store, move |s| Ok(s.delete(scope, record.id, None)?)).await?;
        self.control.task_removed(deleted.task.id).await;
        self.delete_logs(deleted.log_paths).await;
        Ok(())
    }

    /// `POST /v1/tasks/{name}/enable` and `.../disable`. The flag is written in the
    /// definition too, so that the stored task file says what the task does.
    pub async fn set_enabled(
        &self,
        caller: u32,
        name: &str,
        owner: Option<u32>,
        enabled: bool,
    ) -> ApiResult<TaskView> {
        let record = self.resolve(caller, name, owner).await?;
        let mut task = codec::decode(&record.definition).map_err(|e| {
            ApiError::internal(format!("the stored task `{}` does not read: {e}", record.name))
        })?;
        if task.enabled == enabled && record.enabled == enabled {
            return self.view(record).await;
        }
        task.enabled = enabled;
        let version = record.version;
        self.store_replacement(caller, record, task, Some(version)).await
    }

    /// `POST /v1/tasks/{name}/run`.
    pub async fn run_now(&self, caller: u32, name: &str, owner: Option<u32>) -> ApiResult<Started> {
        let record = self.resolve(caller, name, owner).await?;
        let run = self.control.run_now(record.id).await?;
        Ok(Started { run: run.0 })
    }

    /// `POST /v1/tasks/{name}/end`.
    pub async fn end(&self, caller: u32, name: &str, owner: Option<u32>) -> ApiResult<Ended> {
        let record = self.resolve(caller, name, owner).await?;
        match self.control.end(record.id).await {
            Ok(ended) => Ok(Ended { ended }),
            // Not scheduled (it could not be loaded): nothing of it runs.
            Err(crate::control::ControlError::NoSuchTask(_)) => Ok(Ended { ended: 0 }),
            Err(e) => Err(e.into()),
        }
    }

    /// `GET /v1/tasks/{name}/next`.
    pub async fn next(
        &self,
        caller: u32,
        name: &str,
        owner: Option<u32>,
        count: Option<u32>,
        from: Option<Timestamp>,
    ) -> ApiResult<NextRuns> {
        let count = count.unwrap_or(10);
        if count == 0 || count > MAX_NEXT {
            return Err(ApiError::bad_request(format!("`count` is {count}; expected 1 to {MAX_NEXT}")));
        }
        let record = self.resolve(caller, name, owner).await?;
        let task = codec::decode(&record.definition).map_err(|e| {
            ApiError::internal(format!("the stored task `{}` does not read: {e}", record.name))
        })?;
        let schedule = Schedule::new(&task, &self.zones).map_err(|e| ApiError::invalid(e.to_string()))?;
        let runs = schedule
            .runs(from.unwrap_or_else(Timestamp::now))
            .take(count as usize)
            .map(|r| NextRun { time: r.at, trigger: r.trigger as u32 })
            .collect();
        Ok(NextRuns { runs })
    }

    /// The id of task `name`, as `caller` addresses it.
    pub(super) async fn task_id(&self, caller: u32, name: &str, owner: Option<u32>) -> ApiResult<TaskId> {
        Ok(self.resolve(caller, name, owner).await?.id)
    }
}

/// The task table of a one-task definition, patched: each top-level key of `patch` replaces
/// the task's (a patch may also be a whole `[[task]]`), and `unset` keys are removed.
pub fn merge_patch(definition: &str, patch: &str, unset: &[String]) -> ApiResult<String> {
    let mut doc: toml::Table = definition
        .parse()
        .map_err(|e| ApiError::internal(format!("the stored definition does not read as TOML: {e}")))?;
    let mut patch: toml::Table =
        patch.parse().map_err(|e| ApiError::invalid(format!("the patch is not valid TOML: {e}")))?;
    // A patch written as a task file (`[[task]]` with one table) patches with that table.
    if patch.len() == 1
        && let Some(toml::Value::Array(tasks)) = patch.get("task")
        && let [toml::Value::Table(t)] = tasks.as_slice()
    {
        patch = t.clone();
    }
    let Some(toml::Value::Array(tasks)) = doc.get_mut("task") else {
        return Err(ApiError::internal("the stored definition holds no `[[task]]`"));
    };
    let Some(toml::Value::Table(task)) = tasks.first_mut() else {
        return Err(ApiError::internal("the stored definition holds no `[[task]]` table"));
    };
    for key in unset {
        if key == "name" || key == "command" {
            return Err(ApiError::invalid(format!("`{key}` cannot be unset: every task has one")));
        }
        task.remove(key);
    }
    for (k, v) in patch {
        task.insert(k, v);
    }
    toml::to_string(&doc).map_err(|e| ApiError::internal(format!("cannot write the patched task: {e}")))
}

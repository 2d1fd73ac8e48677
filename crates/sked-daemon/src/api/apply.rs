//! `apply` and `remove`: the tasks of a file installed, or removed, as one unit.

use std::collections::HashSet;

use sked_api::types::{ApplyAction, ApplyRequest, Plan, RemoveRequest};
use sked_store::{ChangeSet, Delete, Scope, SourceRef, TaskDef, TaskFilter, TaskRecord, Upsert};

use super::{Api, ApiError, ApiResult, blocking, check_run_as, parse_definition};

/// One item of an apply, checked.
struct Checked {
    action: ApplyAction,
    name: String,
    def: Option<TaskDef>,
}

/// What an item does to the store.
enum Step {
    Create(TaskDef),
    Replace(TaskDef),
    Unchanged(TaskDef),
    /// A `create` of a task that exists: left alone (kept by the prune if the file made it).
    Kept(TaskRecord),
    Delete(TaskRecord),
    Absent,
}

/// Names a problem with the task it is about.
fn about(name: &str, e: ApiError) -> ApiError {
    ApiError { message: format!("task `{name}`: {}", e.message), ..e }
}

impl Api {
    /// `POST /v1/apply`: every item is checked first; any problem fails the whole request
    /// and changes nothing. Then one change set goes to the store.
    pub async fn apply(&self, caller: u32, req: ApplyRequest) -> ApiResult<Plan> {
        let owner = caller;
        let mut seen = HashSet::new();
        let mut checked = Vec::with_capacity(req.items.len());
        for item in req.items {
            if !seen.insert(item.name.clone()) {
                return Err(ApiError::invalid(format!(
                    "task `{}` is named twice in the request; each task may appear once",
                    item.name
                )));
            }
            let def = match (item.action, &item.definition) {
                (ApplyAction::Delete, _) => None,
                (_, None) => {
                    return Err(ApiError::invalid(format!(
                        "task `{}`: a `{}` needs a `definition`",
                        item.name,
                        if item.action == ApplyAction::Create { "create" } else { "replace" }
                    )));
                }
                (_, Some(text)) => {
                    let task = parse_definition(text, &self.zones).map_err(|e| about(&item.name, e))?;
                    if task.name != item.name {
                        return Err(ApiError::invalid(format!(
                            "task `{}`: its definition names it `{}`; the two must agree",
                            item.name, task.name
                        )));
                    }
                    check_run_as(caller, owner, &task)?;
                    Some(Self::stored(&task))
                }
            };
            checked.push(Checked { action: item.action, name: item.name, def });
        }
        let source = SourceRef::new(req.source.id.clone(), req.source.hash.clone());
        let (prune, dry_run) = (req.prune, req.dry_run);
        let (mut plan, applied) = blocking(&self.store, move |s| {
            let mut plan = Plan { dry_run, ..Plan::default() };
            let prune_sources = if prune { vec![source.id.clone()] } else { Vec::new() };
            let mut change = ChangeSet { prune_sources, ..ChangeSet::default() };
            let mut upserted = HashSet::new();
            for c in checked {
                let existing = match s.get_by_name(owner, &c.name) {
                    Ok(r) => Some(r),
                    Err(e) if e.kind() == sked_store::ErrorKind::NotFound => None,
                    Err(e) => return Err(e.into()),
                };
                let name = c.name;
                let upsert = |def| Upsert {
                    owner_uid: owner,
                    def,
                    source: Some(source.clone()),
                    expected_version: None,
                };
                match classify(c.action, c.def, existing, &source)? {
                    Step::Create(def) => {
                        plan.created.push(name.clone());
                        upserted.insert(name);
                        change.upserts.push(upsert(def));
                    }
                    Step::Replace(def) => {
                        plan.replaced.push(name.clone());
                        upserted.insert(name);
                        change.upserts.push(upsert(def));
                    }
                    Step::Unchanged(def) => {
                        plan.unchanged.push(name.clone());
                        upserted.insert(name);
                        change.upserts.push(upsert(def));
                    }
                    Step::Kept(r) => {
                        plan.unchanged.push(name.clone());
                        // A task this file made stays, as it is: the prune must not take it.
                        if r.source.as_ref().is_some_and(|s| s.id == source.id) {
                            upserted.insert(name);
                            let def = TaskDef { name: r.name, definition: r.definition, enabled: r.enabled };
                            change.upserts.push(Upsert {
                                owner_uid: owner,
                                def,
                                source: Some(source.clone()),
                                expected_version: Some(r.version),
                            });
                        }
                    }
                    Step::Delete(r) => {
                        plan.deleted.push(name);
                        change.deletes.push(Delete { id: r.id, expected_version: None });
                    }
                    Step::Absent => plan.unchanged.push(name),
                }
            }
            if dry_run {
                if prune {
                    let from_file =
                        s.list(&TaskFilter::new(Scope::Owner(owner)).with_source(source.id.clone()))?;
                    let deleting: HashSet<_> = change.deletes.iter().map(|d| d.id).collect();
                    plan.deleted.extend(
                        from_file
                            .into_iter()
                            .filter(|r| !upserted.contains(&r.name) && !deleting.contains(&r.id))
                            .map(|r| r.name),
                    );
                }
                return Ok((plan, None));
            }
            let applied = s.apply(Scope::Owner(owner), &change)?;
            Ok((plan, Some(applied)))
        })
        .await?;
        if let Some(applied) = applied {
            plan.deleted = applied.deleted.iter().map(|d| d.task.name.clone()).collect();
            self.notify(applied).await;
        }
        Ok(plan)
    }

    /// `POST /v1/remove`: deletes every task of the caller applied from a file.
    pub async fn remove(&self, caller: u32, req: RemoveRequest) -> ApiResult<Plan> {
        if req.source_id.is_empty() {
            return Err(ApiError::bad_request(
                "`source_id` is empty; expected the id the file was applied with",
            ));
        }
        let scope = Scope::Owner(caller);
        let id = req.source_id.clone();
        if req.dry_run {
            let names = blocking(&self.store, move |s| {
                Ok(s.list(&TaskFilter::new(scope).with_source(id))?.into_iter().map(|r| r.name).collect())
            })
            .await?;
            return Ok(Plan { dry_run: true, deleted: names, ..Plan::default() });
        }
        let change = ChangeSet { prune_sources: vec![id], ..ChangeSet::default() };
        let applied = blocking(&self.store, move |s| Ok(s.apply(scope, &change)?)).await?;
        let deleted = applied.deleted.iter().map(|d| d.task.name.clone()).collect();
        self.notify(applied).await;
        Ok(Plan { dry_run: false, deleted, ..Plan::default() })
    }

    /// Tells the scheduler what a change set did, and deletes the logs it left.
    async fn notify(&self, applied: sked_store::Applied) {
        for r in applied.created.iter().chain(&applied.replaced) {
            self.control.task_changed(r.id).await;
        }
        let mut logs = Vec::new();
        for d in applied.deleted {
            self.control.task_removed(d.task.id).await;
            logs.extend(d.log_paths);
        }
        self.delete_logs(logs).await;
    }
}

/// What `action` does given the task that exists under its name.
fn classify(
    action: ApplyAction,
    def: Option<TaskDef>,
    existing: Option<TaskRecord>,
    source: &SourceRef,
) -> ApiResult<Step> {
    Ok(match (action, def, existing) {
        (ApplyAction::Delete, _, Some(r)) => Step::Delete(r),
        (ApplyAction::Delete, _, None) => Step::Absent,
        (_, None, _) => return Err(ApiError::internal("an apply item lost its definition")),
        (ApplyAction::Create, Some(_), Some(r)) => Step::Kept(r),
        (_, Some(def), None) => Step::Create(def),
        (ApplyAction::Replace, Some(def), Some(r)) => {
            if r.source.as_ref().map(|s| &s.id) != Some(&source.id) {
                let was = match &r.source {
                    Some(s) => format!("applied from `{}`", s.id),
                    None => "made by hand".to_string(),
                };
                return Err(ApiError::conflict(format!(
                    "task `{}` was {was}, not applied from `{}`; delete it or replace it by name first",
                    r.name, source.id
                )));
            }
            if r.definition == def.definition && r.enabled == def.enabled && r.source.as_ref() == Some(source)
            {
                Step::Unchanged(def)
            } else {
                Step::Replace(def)
            }
        }
    })
}

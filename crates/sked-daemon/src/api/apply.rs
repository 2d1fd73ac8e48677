//! `apply` and `remove`: the tasks of one or more files installed, or removed, as one unit.

use std::collections::{HashMap, HashSet};

use sked_api::types::{ApplyAction, ApplyRequest, FilePlan, Plan, RemoveRequest};
use sked_store::{
    Applied, ChangeSet, Delete, Scope, SourceRef, TaskDef, TaskFilter, TaskId, TaskRecord, Upsert,
};

use super::{Api, ApiError, ApiResult, blocking, check_run_as, parse_definition};

/// One item of an apply, checked.
struct Checked {
    action: ApplyAction,
    name: String,
    def: Option<TaskDef>,
}

/// One file of an apply, checked.
struct CheckedFile {
    source: SourceRef,
    prune: bool,
    items: Vec<Checked>,
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
    /// `POST /v1/apply`: every item of every file is checked first; any problem fails the
    /// whole request and changes nothing. Then one change set, of all the files, goes to the
    /// store, which makes all of it or none.
    pub async fn apply(&self, caller: u32, req: ApplyRequest) -> ApiResult<Plan> {
        let owner = caller;
        if req.files.is_empty() {
            return Err(ApiError::invalid("`files` is empty; an apply names at least one file"));
        }
        let mut files = Vec::with_capacity(req.files.len());
        // Task name -> the id of the file that names it: a task may come from one file only.
        let mut named: HashMap<String, String> = HashMap::new();
        for file in req.files {
            let id = file.source.id;
            if id.is_empty() {
                return Err(ApiError::bad_request("a file's `source.id` is empty; expected the file's path"));
            }
            if files.iter().any(|f: &CheckedFile| f.source.id == id) {
                return Err(ApiError::invalid(format!(
                    "file `{id}` is in the request twice; each file may appear once"
                )));
            }
            let mut checked = Vec::with_capacity(file.items.len());
            for item in file.items {
                match named.insert(item.name.clone(), id.clone()) {
                    Some(other) if other == id => {
                        return Err(ApiError::invalid(format!(
                            "task `{}` is named twice in the request; each task may appear once",
                            item.name
                        )));
                    }
                    Some(other) => {
                        return Err(ApiError::invalid(format!(
                            "task `{}` is in both `{other}` and `{id}`; a task can come from one file only",
                            item.name
                        )));
                    }
                    None => {}
                }
                checked.push(self.check_item(caller, owner, item)?);
            }
            files.push(CheckedFile {
                source: SourceRef::new(id, file.source.hash),
                prune: file.prune,
                items: checked,
            });
        }
        let dry_run = req.dry_run;
        let (plan, applied) = blocking(&self.store, move |s| {
            let (mut plans, change) = plan_files(s, owner, &files)?;
            if dry_run {
                let deleting: HashSet<_> = change.deletes.iter().map(|d| d.id).collect();
                for (plan, file) in plans.iter_mut().zip(&files) {
                    if file.prune {
                        let from_file = s.list(
                            &TaskFilter::new(Scope::Owner(owner)).with_source(file.source.id.clone()),
                        )?;
                        let upserted: HashSet<_> = change
                            .upserts
                            .iter()
                            .filter(|u| u.source.as_ref() == Some(&file.source))
                            .map(|u| u.def.name.as_str())
                            .collect();
                        plan.plan.deleted.extend(
                            from_file
                                .into_iter()
                                .filter(|r| !upserted.contains(r.name.as_str()) && !deleting.contains(&r.id))
                                .map(|r| r.name),
                        );
                    }
                }
                return Ok((total(true, plans), None));
            }
            let applied = s.apply(Scope::Owner(owner), &change)?;
            // Each file's deletes as they happened: its own deletes, and the prune of its tasks.
            let deleted_by: HashMap<TaskId, usize> = plans
                .iter()
                .enumerate()
                .flat_map(|(i, p)| p.deleted_ids.iter().map(move |id| (*id, i)))
                .collect();
            for plan in &mut plans {
                plan.plan.deleted.clear();
            }
            for d in &applied.deleted {
                let by_source = || {
                    let id = d.task.source.as_ref().map(|s| s.id.as_str());
                    files.iter().position(|f| Some(f.source.id.as_str()) == id)
                };
                if let Some(i) = deleted_by.get(&d.task.id).copied().or_else(by_source) {
                    plans[i].plan.deleted.push(d.task.name.clone());
                }
            }
            Ok((total(false, plans), Some(applied)))
        })
        .await?;
        if let Some(applied) = applied {
            self.notify(applied).await;
        }
        Ok(plan)
    }

    /// One item, checked: its definition parses, names it, and may run as it says.
    fn check_item(&self, caller: u32, owner: u32, item: sked_api::types::ApplyItem) -> ApiResult<Checked> {
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
        Ok(Checked { action: item.action, name: item.name, def })
    }

    /// `POST /v1/remove`: deletes every task of the caller applied from the files, as one unit.
    pub async fn remove(&self, caller: u32, req: RemoveRequest) -> ApiResult<Plan> {
        if req.source_ids.is_empty() {
            return Err(ApiError::invalid("`source_ids` is empty; a remove names at least one file"));
        }
        if req.source_ids.iter().any(String::is_empty) {
            return Err(ApiError::bad_request(
                "a source id is empty; expected the id the file was applied with",
            ));
        }
        let mut ids = req.source_ids;
        let mut seen = HashSet::new();
        ids.retain(|id| seen.insert(id.clone()));
        let scope = Scope::Owner(caller);
        if req.dry_run {
            let plans = blocking(&self.store, move |s| {
                let mut plans = Vec::new();
                for id in ids {
                    let tasks = s.list(&TaskFilter::new(scope).with_source(id.clone()))?;
                    let deleted = tasks.into_iter().map(|r| r.name).collect();
                    plans.push(FilePlan { source_id: id, deleted, ..FilePlan::default() });
                }
                Ok(plans)
            })
            .await?;
            return Ok(total(true, plans.into_iter().map(Planned::from).collect()));
        }
        let change = ChangeSet { prune_sources: ids.clone(), ..ChangeSet::default() };
        let applied = blocking(&self.store, move |s| Ok(s.apply(scope, &change)?)).await?;
        let mut plans: Vec<Planned> = ids
            .into_iter()
            .map(|id| Planned::from(FilePlan { source_id: id, ..FilePlan::default() }))
            .collect();
        for d in &applied.deleted {
            let id = d.task.source.as_ref().map(|s| s.id.as_str());
            if let Some(p) = plans.iter_mut().find(|p| Some(p.plan.source_id.as_str()) == id) {
                p.plan.deleted.push(d.task.name.clone());
            }
        }
        self.notify(applied).await;
        Ok(total(false, plans))
    }

    /// Tells the scheduler what a change set did, and deletes the logs it left.
    async fn notify(&self, applied: Applied) {
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

/// One file's plan, and the tasks its own deletes name.
struct Planned {
    plan: FilePlan,
    deleted_ids: Vec<TaskId>,
}

impl From<FilePlan> for Planned {
    fn from(plan: FilePlan) -> Self {
        Planned { plan, deleted_ids: Vec::new() }
    }
}

/// The plan of every file, and the change set that makes them all.
fn plan_files(
    s: &dyn sked_store::Store,
    owner: u32,
    files: &[CheckedFile],
) -> ApiResult<(Vec<Planned>, ChangeSet)> {
    let pruned: HashSet<&str> = files.iter().filter(|f| f.prune).map(|f| f.source.id.as_str()).collect();
    let mut change = ChangeSet {
        prune_sources: files.iter().filter(|f| f.prune).map(|f| f.source.id.clone()).collect(),
        ..ChangeSet::default()
    };
    let mut plans = Vec::with_capacity(files.len());
    for file in files {
        let source = &file.source;
        let mut planned = Planned::from(FilePlan { source_id: source.id.clone(), ..FilePlan::default() });
        let plan = &mut planned.plan;
        for c in &file.items {
            let existing = match s.get_by_name(owner, &c.name) {
                Ok(r) => Some(r),
                Err(e) if e.kind() == sked_store::ErrorKind::NotFound => None,
                Err(e) => return Err(e.into()),
            };
            // A task of another file of this request that prunes it (no name is in two files)
            // is gone before the upserts: for this file, it moves here rather than conflicting.
            let existing = existing.filter(|r| {
                !r.source.as_ref().is_some_and(|s| s.id != source.id && pruned.contains(s.id.as_str()))
            });
            let name = c.name.clone();
            let upsert =
                |def| Upsert { owner_uid: owner, def, source: Some(source.clone()), expected_version: None };
            match classify(c.action, c.def.clone(), existing, source)? {
                Step::Create(def) => {
                    plan.created.push(name);
                    change.upserts.push(upsert(def));
                }
                Step::Replace(def) => {
                    plan.replaced.push(name);
                    change.upserts.push(upsert(def));
                }
                Step::Unchanged(def) => {
                    plan.unchanged.push(name);
                    change.upserts.push(upsert(def));
                }
                Step::Kept(r) => {
                    plan.unchanged.push(name);
                    // A task this file made stays, as it is: the prune must not take it.
                    if r.source.as_ref().is_some_and(|s| s.id == source.id) {
                        let def = TaskDef { name: r.name, definition: r.definition, enabled: r.enabled };
                        change.upserts.push(Upsert { expected_version: Some(r.version), ..upsert(def) });
                    }
                }
                Step::Delete(r) => {
                    plan.deleted.push(name);
                    planned.deleted_ids.push(r.id);
                    change.deletes.push(Delete { id: r.id, expected_version: None });
                }
                Step::Absent => plan.unchanged.push(name),
            }
        }
        plans.push(planned);
    }
    Ok((plans, change))
}

/// The plan of a whole request: the files' plans, and all their tasks together.
fn total(dry_run: bool, files: Vec<Planned>) -> Plan {
    let mut plan = Plan { dry_run, ..Plan::default() };
    for f in files {
        let f = f.plan;
        plan.created.extend(f.created.iter().cloned());
        plan.replaced.extend(f.replaced.iter().cloned());
        plan.unchanged.extend(f.unchanged.iter().cloned());
        plan.deleted.extend(f.deleted.iter().cloned());
        plan.files.push(f);
    }
    plan
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

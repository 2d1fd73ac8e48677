//! The JSON bodies of the API, version 1. `docs/openapi.yaml` describes the same shapes;
//! both change together.
//!
//! A task travels as its definition in sked's task file (task-file.md): one task, as
//! `sked_formats::task_file` writes it. The task file is sked's contract for a task, so the
//! API needs no second description of the model.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The API version this crate speaks: every path starts with `/v1`.
pub const VERSION: &str = "v1";

/// A task's identity in the store.
pub type TaskId = i64;
/// A run's (or missed time's) identity in the store.
pub type RunId = i64;

/// `POST /v1/tasks`: create a task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTask {
    /// The task in the task file format; its `name` is the task's name.
    pub definition: String,
    /// Create it for this user (root only; default: the caller).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_uid: Option<u32>,
}

/// `PUT /v1/tasks/{name}`: replace a task's definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplaceTask {
    /// The new definition (task file format). A different `name` renames the task.
    pub definition: String,
    /// Fail with `409 conflict` unless the task is at this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<u64>,
}

/// `PATCH /v1/tasks/{name}`: change some fields of a task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeTask {
    /// A fragment of a task file: each top-level key given replaces the task's key
    /// (`trigger` replaces every trigger); the result must be a valid task.
    #[serde(default)]
    pub patch: String,
    /// Keys to remove from the task (back to their defaults), such as `"comment"`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unset: Vec<String>,
    /// Fail with `409 conflict` unless the task is at this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<u64>,
}

/// Where a task came from: the file `apply` installed it from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The file's absolute path (or another id the client chose).
    pub id: String,
    /// A hash of the file's content when it was applied.
    pub hash: String,
}

/// How a task stands now, like Task Scheduler's status column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Enabled and not running.
    Ready,
    /// At least one run in progress.
    Running,
    /// Disabled: its triggers do not fire (it can still be run by hand).
    Disabled,
}

impl State {
    /// The state's name, as the JSON has it.
    pub fn name(self) -> &'static str {
        match self {
            State::Ready => "ready",
            State::Running => "running",
            State::Disabled => "disabled",
        }
    }
}

/// The end of a task's last run (or the state of the one in progress).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRun {
    /// The run.
    pub id: RunId,
    /// `running`, `succeeded`, `failed`, ... (see [`RunView::outcome`]).
    pub outcome: String,
    /// When it started.
    pub started_at: Option<Timestamp>,
    /// When it ended.
    pub ended_at: Option<Timestamp>,
    /// Its exit code, if it exited.
    pub exit_code: Option<i32>,
    /// The signal that killed it, if one did.
    pub signal: Option<i32>,
}

/// A task as `GET /v1/tasks` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSummary {
    /// The task's id.
    pub id: TaskId,
    /// Its name (unique per owner).
    pub name: String,
    /// The uid of its owner.
    pub owner_uid: u32,
    /// Whether its triggers fire.
    pub enabled: bool,
    /// Grows by one with every change.
    pub version: u64,
    /// Ready, running or disabled.
    pub state: State,
    /// The next scheduled run, if any.
    pub next_run: Option<Timestamp>,
    /// The last run, if any.
    pub last_run: Option<LastRun>,
    /// The file it was applied from.
    pub source: Option<Source>,
}

/// A task as `GET /v1/tasks/{name}` shows it: the summary, the definition and its status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    /// What the list shows.
    #[serde(flatten)]
    pub summary: TaskSummary,
    /// The definition, in the task file format.
    pub definition: String,
    /// Runs in progress, oldest first.
    pub running: Vec<RunId>,
    /// Runs waiting for the running one to end (the `queue` policy).
    pub queued: usize,
    /// When it was created.
    pub created: Timestamp,
    /// When it last changed.
    pub updated: Timestamp,
}

/// `GET /v1/tasks`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskList {
    /// The tasks the caller may see, by name then owner.
    pub tasks: Vec<TaskSummary>,
}

/// `POST /v1/tasks/{name}/run`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Started {
    /// The run that started.
    pub run: RunId,
}

/// `POST /v1/tasks/{name}/end`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ended {
    /// How many runs were asked to stop.
    pub ended: usize,
}

/// One upcoming run, as `GET /v1/tasks/{name}/next` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextRun {
    /// The instant.
    pub time: Timestamp,
    /// The index of the trigger that fires it, from 0.
    pub trigger: u32,
}

/// `GET /v1/tasks/{name}/next`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextRuns {
    /// The runs, in time order.
    pub runs: Vec<NextRun>,
}

/// A run, or a scheduled time that did not run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunView {
    /// The run's id (runs and missed times share them).
    pub id: RunId,
    /// The task.
    pub task_id: TaskId,
    /// The task's name, if the task still exists.
    pub task: Option<String>,
    /// The scheduled time; none for a run started by hand.
    pub scheduled_for: Option<Timestamp>,
    /// The trigger that scheduled it.
    pub trigger: Option<u32>,
    /// `claimed`, `running`, `succeeded`, `failed`, `killed-at-max-run-time`,
    /// `stopped-at-duration-end`, `ended-by-user`, `interrupted`, `stopped-on-idle-end`,
    /// `stopped-on-batteries`, or `missed`.
    pub outcome: String,
    /// For a missed time, why: `previous-still-running`, `down`, `disabled`,
    /// `condition-not-met`, `not-idle`, `on-batteries`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_reason: Option<String>,
    /// The node that claimed the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// When it started.
    pub started_at: Option<Timestamp>,
    /// When it ended.
    pub ended_at: Option<Timestamp>,
    /// The program's process id.
    pub pid: Option<u32>,
    /// Its exit code, if it exited.
    pub exit_code: Option<i32>,
    /// The signal that killed it, if one did.
    pub signal: Option<i32>,
    /// Whether the run has a log.
    pub has_log: bool,
    /// The size of the log, once the run ended.
    pub log_bytes: Option<u64>,
    /// Why it failed to start, or other notes.
    pub message: Option<String>,
}

/// `GET /v1/history`: a page, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// The entries.
    pub entries: Vec<RunView>,
    /// Pass as `before` for the next (older) page; none at the end.
    pub next: Option<String>,
}

/// What an apply does with one task of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApplyAction {
    /// Create it if no task has its name; leave an existing one alone (GPP `C`).
    Create,
    /// Create it, or replace the task of that name (GPP `R` and `U`, and every other format).
    Replace,
    /// Delete the task of that name, if there is one (GPP `D`).
    Delete,
}

/// One task of an apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyItem {
    /// What to do.
    pub action: ApplyAction,
    /// The task's name.
    pub name: String,
    /// The definition (task file format); none for a delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
}

/// One file of an apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyFile {
    /// The file the tasks come from; the store stamps it on each task.
    pub source: Source,
    /// The tasks, in file order.
    pub items: Vec<ApplyItem>,
    /// Also delete the tasks an earlier apply of this file made that it no longer defines.
    #[serde(default)]
    pub prune: bool,
}

/// `POST /v1/apply`: install the tasks of one or more files as a unit: all of them, or
/// (on any problem with any file) none.
///
/// The body lists its files in `files`. A body with one file's `source`, `items` and `prune`
/// at the top level instead, the shape from before `files`, is still taken, as that one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "wire::ApplyBody")]
pub struct ApplyRequest {
    /// The files; each task may be in one of them only, and each file appears once.
    pub files: Vec<ApplyFile>,
    /// Report what would change and change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// `POST /v1/remove`: delete every task applied from one or more files, as a unit.
///
/// A body with one `source_id` instead of `source_ids`, the shape from before
/// `source_ids`, is still taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "wire::RemoveBody")]
pub struct RemoveRequest {
    /// The files' [`Source::id`]s.
    pub source_ids: Vec<String>,
    /// Report what would change and change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// The request bodies as they arrive, in either shape, before they are checked.
mod wire {
    use serde::Deserialize;

    use super::{ApplyFile, ApplyItem, ApplyRequest, RemoveRequest, Source};

    /// An apply body: `files`, or one file's fields at the top level.
    #[derive(Deserialize)]
    pub struct ApplyBody {
        files: Option<Vec<ApplyFile>>,
        source: Option<Source>,
        items: Option<Vec<ApplyItem>>,
        prune: Option<bool>,
        #[serde(default)]
        dry_run: bool,
    }

    impl TryFrom<ApplyBody> for ApplyRequest {
        type Error = String;

        fn try_from(b: ApplyBody) -> Result<Self, String> {
            let files = match (b.files, b.source, b.items) {
                (Some(files), None, None) if b.prune.is_none() => files,
                (Some(_), _, _) => {
                    return Err("a body has `files` or a single file's `source`, `items` and `prune`, \
                                not both"
                        .into());
                }
                (None, Some(source), Some(items)) => {
                    vec![ApplyFile { source, items, prune: b.prune.unwrap_or(false) }]
                }
                (None, None, _) => return Err("missing field `files`".into()),
                (None, Some(_), None) => return Err("missing field `items`".into()),
            };
            Ok(ApplyRequest { files, dry_run: b.dry_run })
        }
    }

    /// A remove body: `source_ids`, or one `source_id`.
    #[derive(Deserialize)]
    pub struct RemoveBody {
        source_ids: Option<Vec<String>>,
        source_id: Option<String>,
        #[serde(default)]
        dry_run: bool,
    }

    impl TryFrom<RemoveBody> for RemoveRequest {
        type Error = String;

        fn try_from(b: RemoveBody) -> Result<Self, String> {
            let source_ids = match (b.source_ids, b.source_id) {
                (Some(ids), None) => ids,
                (None, Some(id)) => vec![id],
                (Some(_), Some(_)) => return Err("a body has `source_ids` or `source_id`, not both".into()),
                (None, None) => return Err("missing field `source_ids`".into()),
            };
            Ok(RemoveRequest { source_ids, dry_run: b.dry_run })
        }
    }
}

/// What an apply or remove did (or, for a dry run, would do), by task name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Tasks created, from every file of the request.
    pub created: Vec<String>,
    /// Tasks replaced.
    pub replaced: Vec<String>,
    /// Tasks named but unchanged.
    pub unchanged: Vec<String>,
    /// Tasks deleted.
    pub deleted: Vec<String>,
    /// The same, file by file, in request order (the service always fills it in).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FilePlan>,
}

/// What an apply or remove did to the tasks of one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePlan {
    /// The file's [`Source::id`].
    pub source_id: String,
    /// Tasks created from this file.
    pub created: Vec<String>,
    /// Tasks replaced.
    pub replaced: Vec<String>,
    /// Tasks named but unchanged.
    pub unchanged: Vec<String>,
    /// Tasks deleted: by the file's deletes, and those it no longer defines (or, for a remove,
    /// all of its tasks).
    pub deleted: Vec<String>,
}

/// `GET /v1/status`: the service itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    /// sked's version.
    pub version: String,
    /// This daemon's node name.
    pub node: String,
    /// The store's location.
    pub store: String,
    /// When the service started.
    pub started: Timestamp,
    /// The caller's uid, as the service sees it.
    pub caller_uid: u32,
}

/// What went wrong, in every non-2xx answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The error of an [`ErrorBody`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// A stable code: `bad-request`, `invalid`, `not-found`, `conflict`, `forbidden`,
    /// `unavailable`, `internal`.
    pub code: String,
    /// A message for people: what, where, and what is allowed.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(id: &str) -> ApplyFile {
        ApplyFile { source: Source { id: id.into(), hash: "h".into() }, items: Vec::new(), prune: true }
    }

    #[test]
    fn an_apply_body_of_one_file_at_the_top_level_is_still_taken() {
        let old = r#"{"source":{"id":"/f","hash":"h"},"items":[],"prune":true,"dry_run":true}"#;
        let req: ApplyRequest = serde_json::from_str(old).unwrap();
        assert_eq!(req, ApplyRequest { files: vec![file("/f")], dry_run: true });

        let new = ApplyRequest { files: vec![file("/f"), file("/g")], dry_run: false };
        let text = serde_json::to_string(&new).unwrap();
        assert!(text.starts_with(r#"{"files":[{"source""#), "{text}");
        assert_eq!(serde_json::from_str::<ApplyRequest>(&text).unwrap(), new);

        for (body, error) in [
            (r#"{"files":[],"source":{"id":"/f","hash":"h"},"items":[]}"#, "not both"),
            (r#"{"files":[],"prune":true}"#, "not both"),
            (r#"{"dry_run":true}"#, "missing field `files`"),
            (r#"{"source":{"id":"/f","hash":"h"}}"#, "missing field `items`"),
        ] {
            let e = serde_json::from_str::<ApplyRequest>(body).unwrap_err().to_string();
            assert!(e.contains(error), "{body}: {e}");
        }
    }

    #[test]
    fn a_remove_body_of_one_source_id_is_still_taken() {
        let req: RemoveRequest = serde_json::from_str(r#"{"source_id":"/f"}"#).unwrap();
        assert_eq!(req, RemoveRequest { source_ids: vec!["/f".into()], dry_run: false });
        let new = RemoveRequest { source_ids: vec!["/f".into(), "/g".into()], dry_run: true };
        let text = serde_json::to_string(&new).unwrap();
        assert_eq!(serde_json::from_str::<RemoveRequest>(&text).unwrap(), new);
        let e = serde_json::from_str::<RemoveRequest>(r#"{"source_id":"/f","source_ids":[]}"#).unwrap_err();
        assert!(e.to_string().contains("not both"), "{e}");
    }
}

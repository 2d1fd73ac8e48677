//! [`Client`]: the typed, async client of the API on a Unix socket.

use std::path::{Path, PathBuf};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sked_core::Task;
use tokio::net::UnixStream;

use crate::types::*;

/// What a call of the API can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The socket could not be reached: the service is not running, or runs elsewhere.
    #[error("cannot reach the sked service at `{}`: {source} (is `sked daemon` running? `--socket` names another socket)", path.display())]
    Connect {
        /// The socket.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The connection failed during the call.
    #[error("the sked service at `{}` did not answer: {message}", path.display())]
    Transport {
        /// The socket.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The service answered with an error.
    #[error("{message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The error's stable code (see [`ErrorDetail::code`]).
        code: String,
        /// The service's message.
        message: String,
    },
    /// The service's answer is not what this client understands (a different version?).
    #[error("the sked service sent an answer this client cannot read: {0}")]
    Decode(String),
    /// A task given to the client cannot be written as a task file.
    #[error("cannot write the task: {0}")]
    Encode(String),
}

impl Error {
    /// The API error code, if the service answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the service answered `not-found`.
    pub fn is_not_found(&self) -> bool {
        self.code() == Some("not-found")
    }
}

/// What a call returns.
pub type Result<T> = std::result::Result<T, Error>;

/// A client of the sked service on a Unix socket. Cheap to clone; each call is one request.
#[derive(Clone, Debug)]
pub struct Client {
    socket: PathBuf,
    owner: Option<u32>,
}

/// Characters kept as they are in a path segment; everything else is percent-encoded,
/// `/` and `\` included, so that a task named `nightly/backup` is one segment.
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Builds a query string from the pairs whose value is present.
fn query(pairs: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> =
        pairs.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", encode_segment(v)))).collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

impl Client {
    /// A client of the service listening on `socket`. Nothing is connected until a call.
    pub fn new(socket: impl Into<PathBuf>) -> Client {
        Client { socket: socket.into(), owner: None }
    }

    /// Address the tasks of user `uid` (for root, who sees every user's tasks; names are
    /// unique per owner). Without it, a name means the caller's task, or for root the one
    /// task of that name if no root task has it.
    pub fn with_owner(mut self, uid: Option<u32>) -> Client {
        self.owner = uid;
        self
    }

    /// The socket this client talks to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    fn task_path(&self, name: &str, rest: &str) -> String {
        format!(
            "/v1/tasks/{}{rest}{}",
            encode_segment(name),
            query(&[("owner", self.owner.map(|u| u.to_string()))])
        )
    }

    /// Sends one request; returns the status and body of a success, or the API error.
    async fn send(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> Result<(StatusCode, Bytes)> {
        let transport = |e: &dyn std::fmt::Display| Error::Transport {
            path: self.socket.clone(),
            message: e.to_string(),
        };
        let stream = UnixStream::connect(&self.socket)
            .await
            .map_err(|source| Error::Connect { path: self.socket.clone(), source })?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| transport(&e))?;
        let conn = tokio::spawn(conn);
        let mut req = Request::builder().method(method).uri(path).header("host", "sked");
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req.body(Full::new(Bytes::from(body.unwrap_or_default()))).map_err(|e| transport(&e))?;
        let resp = sender.send_request(req).await.map_err(|e| transport(&e))?;
        let status = resp.status();
        let bytes = resp.into_body().collect().await.map_err(|e| transport(&e))?.to_bytes();
        drop(sender);
        let _ = conn.await;
        if status.is_success() {
            return Ok((status, bytes));
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(b) => {
                Err(Error::Api { status: status.as_u16(), code: b.error.code, message: b.error.message })
            }
            Err(_) => Err(Error::Api {
                status: status.as_u16(),
                code: "internal".into(),
                message: format!("the service answered {status}: {}", String::from_utf8_lossy(&bytes)),
            }),
        }
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T> {
        let body = match body {
            Some(b) => Some(serde_json::to_vec(b).map_err(|e| Error::Encode(e.to_string()))?),
            None => None,
        };
        let (_, bytes) = self.send(method, path, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Decode(e.to_string()))
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.call::<(), T>(Method::GET, path, None).await
    }

    /// The service's version, node and store, and the caller's uid as it sees it.
    pub async fn status(&self) -> Result<ServiceStatus> {
        self.get_json("/v1/status").await
    }

    /// The tasks the caller may see (root: every user's), by name, optionally only those
    /// whose name starts with `prefix`.
    pub async fn list(&self, prefix: Option<&str>) -> Result<TaskList> {
        let q =
            query(&[("prefix", prefix.map(str::to_string)), ("owner", self.owner.map(|u| u.to_string()))]);
        self.get_json(&format!("/v1/tasks{q}")).await
    }

    /// Creates `task`, owned by the caller.
    pub async fn create(&self, task: &Task) -> Result<TaskView> {
        self.create_definition(&encode(task)?, None).await
    }

    /// Creates the task a task-file definition holds, owned by `owner_uid` (root only) or
    /// the caller.
    pub async fn create_definition(&self, definition: &str, owner_uid: Option<u32>) -> Result<TaskView> {
        let body = CreateTask { definition: definition.to_string(), owner_uid: owner_uid.or(self.owner) };
        self.call(Method::POST, "/v1/tasks", Some(&body)).await
    }

    /// The task named `name`.
    pub async fn get(&self, name: &str) -> Result<TaskView> {
        self.get_json(&self.task_path(name, "")).await
    }

    /// The task named `name`, as the model.
    pub async fn open(&self, name: &str) -> Result<(TaskView, Task)> {
        let view = self.get(name).await?;
        let task = decode(&view.definition)?;
        Ok((view, task))
    }

    /// Replaces the task named `name` with `task` (which may rename it), if it is still at
    /// `expected_version` when one is given.
    pub async fn replace(&self, name: &str, task: &Task, expected_version: Option<u64>) -> Result<TaskView> {
        let body = ReplaceTask { definition: encode(task)?, expected_version };
        self.call(Method::PUT, &self.task_path(name, ""), Some(&body)).await
    }

    /// Changes some keys of the task named `name` (see [`ChangeTask`]).
    pub async fn change(&self, name: &str, change: &ChangeTask) -> Result<TaskView> {
        self.call(Method::PATCH, &self.task_path(name, ""), Some(change)).await
    }

    /// Deletes the task named `name` with its history.
    pub async fn delete(&self, name: &str) -> Result<()> {
        self.send(Method::DELETE, &self.task_path(name, ""), None).await.map(drop)
    }

    /// Enables the task named `name`.
    pub async fn enable(&self, name: &str) -> Result<TaskView> {
        self.call::<(), _>(Method::POST, &self.task_path(name, "/enable"), None).await
    }

    /// Disables the task named `name`: its triggers stop firing.
    pub async fn disable(&self, name: &str) -> Result<TaskView> {
        self.call::<(), _>(Method::POST, &self.task_path(name, "/disable"), None).await
    }

    /// Runs the task named `name` now; returns the run once it has started.
    pub async fn run(&self, name: &str) -> Result<RunId> {
        let s: Started = self.call::<(), _>(Method::POST, &self.task_path(name, "/run"), None).await?;
        Ok(s.run)
    }

    /// Ends the runs of the task named `name` in progress; returns how many.
    pub async fn end(&self, name: &str) -> Result<usize> {
        let e: Ended = self.call::<(), _>(Method::POST, &self.task_path(name, "/end"), None).await?;
        Ok(e.ended)
    }

    /// The next `count` runs of the task named `name`, at or after `from` (default: now).
    pub async fn next(&self, name: &str, count: u32, from: Option<Timestamp>) -> Result<NextRuns> {
        let q = query(&[("count", Some(count.to_string())), ("from", from.map(|t| t.to_string()))]);
        let path = self.task_path(name, "/next");
        let sep = if path.contains('?') { q.replacen('?', "&", 1) } else { q };
        self.get_json(&format!("{path}{sep}")).await
    }

    /// A page of history, newest first: of the task named `task`, or of every task the
    /// caller sees; `before` is the [`History::next`] of the previous page.
    pub async fn history(&self, task: Option<&str>, limit: u32, before: Option<&str>) -> Result<History> {
        let q = query(&[
            ("task", task.map(str::to_string)),
            ("owner", self.owner.map(|u| u.to_string())),
            ("limit", Some(limit.to_string())),
            ("before", before.map(str::to_string)),
        ]);
        self.get_json(&format!("/v1/history{q}")).await
    }

    /// The run `run`.
    pub async fn get_run(&self, run: RunId) -> Result<RunView> {
        self.get_json(&format!("/v1/runs/{run}")).await
    }

    /// The log of run `run` from byte `offset` on (empty when there is nothing more yet).
    pub async fn log(&self, run: RunId, offset: u64) -> Result<Vec<u8>> {
        let (_, bytes) = self.send(Method::GET, &format!("/v1/runs/{run}/log?offset={offset}"), None).await?;
        Ok(bytes.to_vec())
    }

    /// Installs the tasks of the request's files as one unit: all of them or none.
    pub async fn apply(&self, request: &ApplyRequest) -> Result<Plan> {
        self.call(Method::POST, "/v1/apply", Some(request)).await
    }

    /// Deletes every task applied from the request's files, as one unit.
    pub async fn remove(&self, request: &RemoveRequest) -> Result<Plan> {
        self.call(Method::POST, "/v1/remove", Some(request)).await
    }
}

/// The task file text of one task.
pub fn encode(task: &Task) -> Result<String> {
    let bytes = sked_formats::task_file::write(&sked_formats::Document::from_tasks([task.clone()]))
        .map_err(|e| Error::Encode(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Encode(e.to_string()))
}

/// The task a task-file definition holds.
pub fn decode(definition: &str) -> Result<Task> {
    let doc =
        sked_formats::task_file::read(definition.as_bytes()).map_err(|e| Error::Decode(e.to_string()))?;
    doc.entries
        .into_iter()
        .next()
        .map(|e| e.task)
        .ok_or_else(|| Error::Decode("the definition holds no task".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_segment() {
        assert_eq!(encode_segment("nightly/backup 2"), "nightly%2Fbackup%202");
        assert_eq!(encode_segment(r"a\b"), "a%5Cb");
        assert_eq!(encode_segment("é"), "%C3%A9");
        let c = Client::new("/x").with_owner(Some(1000));
        assert_eq!(c.task_path("a/b", "/run"), "/v1/tasks/a%2Fb/run?owner=1000");
    }

    #[test]
    fn queries_skip_absent_values() {
        assert_eq!(query(&[("a", None), ("b", Some("x y".into()))]), "?b=x%20y");
        assert_eq!(query(&[("a", None)]), "");
    }

    #[test]
    fn tasks_travel_as_task_files() {
        let task = Task::new("backup", "/usr/bin/rsync");
        assert_eq!(decode(&encode(&task).unwrap()).unwrap(), task);
    }
}

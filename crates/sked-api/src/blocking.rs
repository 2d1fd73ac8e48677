//! [`blocking::Client`](Client): the same calls as [`crate::Client`], for programs without
//! an async runtime (the `sked` command line is one).

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use sked_core::Task;

use crate::client::Result;
use crate::types::*;

/// A blocking client of the sked service: each call runs the async one to completion on a
/// small runtime of its own.
#[derive(Debug)]
pub struct Client {
    inner: crate::Client,
    rt: tokio::runtime::Runtime,
}

macro_rules! forward {
    ($( $(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        $(
            $(#[$doc])*
            pub fn $name(&self $(, $arg: $ty)*) -> $ret {
                self.rt.block_on(self.inner.$name($($arg),*))
            }
        )*
    };
}

impl Client {
    /// A client of the service listening on `socket`.
    pub fn new(socket: impl Into<PathBuf>) -> std::io::Result<Client> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        Ok(Client { inner: crate::Client::new(socket), rt })
    }

    /// Address the tasks of user `uid` (see [`crate::Client::with_owner`]).
    pub fn with_owner(mut self, uid: Option<u32>) -> Client {
        self.inner = self.inner.with_owner(uid);
        self
    }

    /// The socket this client talks to.
    pub fn socket(&self) -> &Path {
        self.inner.socket()
    }

    /// The async client underneath.
    pub fn inner(&self) -> &crate::Client {
        &self.inner
    }

    forward! {
        /// See [`crate::Client::status`].
        fn status(&self) -> Result<ServiceStatus>;
        /// See [`crate::Client::list`].
        fn list(&self, prefix: Option<&str>) -> Result<TaskList>;
        /// See [`crate::Client::create`].
        fn create(&self, task: &Task) -> Result<TaskView>;
        /// See [`crate::Client::create_definition`].
        fn create_definition(&self, definition: &str, owner_uid: Option<u32>) -> Result<TaskView>;
        /// See [`crate::Client::get`].
        fn get(&self, name: &str) -> Result<TaskView>;
        /// See [`crate::Client::open`].
        fn open(&self, name: &str) -> Result<(TaskView, Task)>;
        /// See [`crate::Client::replace`].
        fn replace(&self, name: &str, task: &Task, expected_version: Option<u64>) -> Result<TaskView>;
        /// See [`crate::Client::change`].
        fn change(&self, name: &str, change: &ChangeTask) -> Result<TaskView>;
        /// See [`crate::Client::delete`].
        fn delete(&self, name: &str) -> Result<()>;
        /// See [`crate::Client::enable`].
        fn enable(&self, name: &str) -> Result<TaskView>;
        /// See [`crate::Client::disable`].
        fn disable(&self, name: &str) -> Result<TaskView>;
        /// See [`crate::Client::run`].
        fn run(&self, name: &str) -> Result<RunId>;
        /// See [`crate::Client::end`].
        fn end(&self, name: &str) -> Result<usize>;
        /// See [`crate::Client::next`].
        fn next(&self, name: &str, count: u32, from: Option<Timestamp>) -> Result<NextRuns>;
        /// See [`crate::Client::history`].
        fn history(&self, task: Option<&str>, limit: u32, before: Option<&str>) -> Result<History>;
        /// See [`crate::Client::get_run`].
        fn get_run(&self, run: RunId) -> Result<RunView>;
        /// See [`crate::Client::log`].
        fn log(&self, run: RunId, offset: u64) -> Result<Vec<u8>>;
        /// See [`crate::Client::apply`].
        fn apply(&self, request: &ApplyRequest) -> Result<Plan>;
        /// See [`crate::Client::remove`].
        fn remove(&self, request: &RemoveRequest) -> Result<Plan>;
    }
}

//! The operations called with a chosen caller uid: scoping and authorization without
//! switching users.

use std::sync::Arc;

use jiff::tz::TimeZone;
use sked_api::types::{ApplyAction, ApplyFile, ApplyItem, ApplyRequest, ChangeTask, CreateTask, Source};
use sked_core::Zones;
use sked_runner::ProcessRunner;
use sked_store::{MemoryStore, Store};

use super::tasks::{ListQuery, merge_patch};
use super::*;
use crate::clock::SystemClock;
use crate::scheduler::{Scheduler, SchedulerConfig};

const ALICE: u32 = 1000;
const BOB: u32 = 1001;

struct Fixture {
    api: Api,
    _stop: tokio::sync::oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let zones = Arc::new(Zones::new(jiff::tz::db().clone(), TimeZone::UTC));
    let mut cfg = SchedulerConfig::new("test", dir.path().join("logs"));
    cfg.boot_id = Some("test".into());
    let mut s = Scheduler::new(
        store.clone(),
        Arc::new(ProcessRunner::new()),
        zones.clone(),
        Arc::new(SystemClock),
        cfg,
    );
    s.start().await.unwrap();
    let (control, rx) = Control::channel(16);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(s.run(rx, async move {
        let _ = stopped.await;
    }));
    Fixture { api: Api::new(store, control, zones, "test", ":memory:"), _stop: stop, _dir: dir }
}

fn def(name: &str, extra: &str) -> String {
    format!("[[task]]\nname = \"{name}\"\ncommand = \"/bin/true\"\ntime-zone = \"UTC\"\n{extra}")
}

fn create(definition: String, owner_uid: Option<u32>) -> CreateTask {
    CreateTask { definition, owner_uid }
}

#[tokio::test]
async fn users_see_only_their_own_tasks() {
    let f = fixture().await;
    f.api.create(ALICE, create(def("backup", ""), None)).await.unwrap();
    f.api.create(BOB, create(def("backup", ""), None)).await.unwrap();
    f.api.create(BOB, create(def("bobs", ""), None)).await.unwrap();
    let alice = f.api.list(ALICE, ListQuery::default()).await.unwrap();
    assert_eq!(
        alice.tasks.iter().map(|t| (t.name.as_str(), t.owner_uid)).collect::<Vec<_>>(),
        [("backup", ALICE)]
    );
    assert_eq!(f.api.get(ALICE, "bobs", None).await.unwrap_err().code, "not-found");
    assert_eq!(f.api.delete(ALICE, "bobs", None).await.unwrap_err().code, "not-found");
    // Naming another owner is root's alone.
    assert_eq!(f.api.get(ALICE, "bobs", Some(BOB)).await.unwrap_err().code, "forbidden");
    let q = ListQuery { owner: Some(BOB), ..ListQuery::default() };
    assert_eq!(f.api.list(ALICE, q).await.unwrap_err().code, "forbidden");
    assert_eq!(f.api.create(ALICE, create(def("x", ""), Some(BOB))).await.unwrap_err().code, "forbidden");
    // Root sees all, and must choose between two owners of one name.
    assert_eq!(f.api.list(0, ListQuery::default()).await.unwrap().tasks.len(), 3);
    let e = f.api.get(0, "backup", None).await.unwrap_err();
    assert_eq!(e.code, "conflict");
    assert!(e.message.contains("1000") && e.message.contains("1001"), "{}", e.message);
    assert_eq!(f.api.get(0, "backup", Some(BOB)).await.unwrap().summary.owner_uid, BOB);
    assert_eq!(f.api.get(0, "bobs", None).await.unwrap().summary.owner_uid, BOB);
    let q = ListQuery { owner: Some(ALICE), ..ListQuery::default() };
    assert_eq!(f.api.list(0, q).await.unwrap().tasks.len(), 1);
    // Root creates for a user.
    let v = f.api.create(0, create(def("for-alice", ""), Some(ALICE))).await.unwrap();
    assert_eq!(v.summary.owner_uid, ALICE);
}

#[tokio::test]
async fn only_root_makes_a_task_run_as_another_account() {
    let f = fixture().await;
    let e = f.api.create(ALICE, create(def("r", "run-as = \"root\"\n"), None)).await.unwrap_err();
    assert_eq!(e.code, "forbidden");
    assert!(e.message.contains("run-as"), "{}", e.message);
    let e = f.api.create(ALICE, create(def("s", "run-as = \"SYSTEM\"\n"), None)).await.unwrap_err();
    assert_eq!(e.code, "forbidden");
    // Naming oneself is fine.
    f.api.create(ALICE, create(def("me", &format!("run-as = \"{ALICE}\"\n")), None)).await.unwrap();
    f.api.create(0, create(def("sys", "run-as = \"SYSTEM\"\n"), Some(ALICE))).await.unwrap();
    // Nor through a change, nor an apply.
    let patch = ChangeTask { patch: "run-as = \"root\"".into(), unset: vec![], expected_version: None };
    assert_eq!(f.api.change(ALICE, "me", None, patch).await.unwrap_err().code, "forbidden");
    let req = ApplyRequest {
        files: vec![ApplyFile {
            source: Source { id: "/f.toml".into(), hash: "h".into() },
            items: vec![ApplyItem {
                action: ApplyAction::Replace,
                name: "a".into(),
                definition: Some(def("a", "run-as = \"root\"\n")),
            }],
            prune: false,
        }],
        dry_run: false,
    };
    assert_eq!(f.api.apply(ALICE, req).await.unwrap_err().code, "forbidden");
    // A user's history and runs are theirs too.
    let h = f.api.history(ALICE, history::HistoryParams { owner: Some(BOB), ..Default::default() }).await;
    assert_eq!(h.unwrap_err().code, "forbidden");
}

#[test]
fn patches_replace_top_level_keys_and_unset_removes() {
    let current = def("p", "comment = \"old\"\nauthor = \"me\"\n");
    let merged = merge_patch(
        &current,
        "comment = \"new\"\n[[trigger]]\ndaily = {}\nstart = \"2030-01-01T06:00:00\"\n",
        &["author".into()],
    )
    .unwrap();
    let task = crate::codec::decode(merged.as_bytes()).unwrap();
    assert_eq!(task.comment.as_deref(), Some("new"));
    assert_eq!(task.author, None);
    assert_eq!(task.triggers.len(), 1);
    // A patch written as a whole task works the same.
    let merged = merge_patch(&current, "[[task]]\ncomment = \"x\"\n", &[]).unwrap();
    assert_eq!(crate::codec::decode(merged.as_bytes()).unwrap().comment.as_deref(), Some("x"));
    assert_eq!(merge_patch(&current, "= x", &[]).unwrap_err().code, "invalid");
    assert_eq!(merge_patch(&current, "", &["name".into()]).unwrap_err().code, "invalid");
}

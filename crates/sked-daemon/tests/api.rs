//! The service end to end: `service::run` on a temporary directory, driven through the
//! client over its socket.

use std::path::Path;
use std::time::Duration;

use sked_api::Client;
use sked_api::types::{
    ApplyAction, ApplyFile, ApplyItem, ApplyRequest, ChangeTask, RemoveRequest, Source, State,
};
use sked_core::Task;
use sked_daemon::config::{Config, Overrides};
use sked_daemon::service;
use tokio::sync::oneshot;

struct Service {
    client: Client,
    stop: Option<oneshot::Sender<()>>,
    join: tokio::task::JoinHandle<Result<(), service::ServiceError>>,
    _dir: tempfile::TempDir,
}

fn config(dir: &Path) -> Config {
    let o = Overrides {
        config: Some("/dev/null".into()),
        data_dir: Some(dir.join("data")),
        socket: Some(dir.join("run/sked.sock")),
        time_zone: Some("UTC".into()),
        ..Overrides::default()
    };
    Config::resolve(nix::unistd::geteuid().as_raw(), &o).unwrap()
}

/// Waits until the service answers on its socket.
async fn ready(client: &Client) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match client.status().await {
            Ok(_) => return,
            Err(e) => assert!(tokio::time::Instant::now() < deadline, "the service never answered: {e}"),
        }
        tokio::task::yield_now().await;
    }
}

async fn start() -> Service {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let client = Client::new(&cfg.socket);
    let (stop, stopped) = oneshot::channel::<()>();
    let join = tokio::spawn(service::run(cfg, async move {
        let _ = stopped.await;
    }));
    ready(&client).await;
    Service { client, stop: Some(stop), join, _dir: dir }
}

impl Service {
    async fn stop(mut self) {
        let _ = self.stop.take().map(|s| s.send(()));
        (&mut self.join).await.unwrap().unwrap();
        assert!(!self.client.socket().exists(), "the socket is removed at stop");
    }
}

fn echo(name: &str) -> Task {
    let mut t = Task::new(name, "/bin/echo");
    t.args = vec!["hi".into()];
    t.time_zone = Some("UTC".into());
    t
}

fn daily(name: &str) -> String {
    format!(
        "[[task]]\nname = \"{name}\"\ncommand = \"/bin/true\"\ntime-zone = \"UTC\"\n\n\
         [[task.trigger]]\ndaily = {{ every = 1 }}\nstart = \"2030-01-01T06:00:00\"\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_from_create_to_delete() {
    let s = start().await;
    let c = &s.client;
    let status = c.status().await.unwrap();
    assert_eq!(status.caller_uid, nix::unistd::geteuid().as_raw());

    let created = c.create_definition(&daily("nightly/report"), None).await.unwrap();
    assert_eq!(created.summary.name, "nightly/report");
    assert_eq!(created.summary.state, State::Ready);
    assert_eq!(created.summary.version, 1);
    assert_eq!(created.summary.next_run, Some("2030-01-01T06:00:00Z".parse().unwrap()));
    let e = c.create_definition(&daily("nightly/report"), None).await.unwrap_err();
    assert_eq!(e.code(), Some("conflict"), "{e}");

    let got = c.get("nightly/report").await.unwrap();
    assert_eq!(got.definition, created.definition);
    let list = c.list(Some("nightly/")).await.unwrap();
    assert_eq!(list.tasks.len(), 1);
    assert_eq!(list.tasks[0].next_run, created.summary.next_run);

    let (_, mut task) = c.open("nightly/report").await.unwrap();
    task.comment = Some("replaced".into());
    let e = c.replace("nightly/report", &task, Some(7)).await.unwrap_err();
    assert_eq!(e.code(), Some("conflict"), "{e}");
    let replaced = c.replace("nightly/report", &task, Some(1)).await.unwrap();
    assert_eq!(replaced.summary.version, 2);
    assert!(replaced.definition.contains("replaced"));

    let change =
        ChangeTask { patch: "comment = \"patched\"".into(), unset: vec![], expected_version: Some(2) };
    let patched = c.change("nightly/report", &change).await.unwrap();
    assert!(patched.definition.contains("patched"), "{}", patched.definition);
    let change = ChangeTask { patch: String::new(), unset: vec!["comment".into()], expected_version: None };
    assert!(!c.change("nightly/report", &change).await.unwrap().definition.contains("comment"));
    let bad = ChangeTask { patch: "max-run-time = \"0s\"".into(), unset: vec![], expected_version: None };
    assert_eq!(c.change("nightly/report", &bad).await.unwrap_err().code(), Some("invalid"));

    let disabled = c.disable("nightly/report").await.unwrap();
    assert_eq!((disabled.summary.state, disabled.summary.enabled), (State::Disabled, false));
    assert_eq!(disabled.summary.next_run, None);
    let enabled = c.enable("nightly/report").await.unwrap();
    assert_eq!(enabled.summary.state, State::Ready);
    assert_eq!(enabled.summary.next_run, created.summary.next_run);

    let next = c.next("nightly/report", 3, Some("2030-01-01T00:00:00Z".parse().unwrap())).await.unwrap();
    let times: Vec<String> = next.runs.iter().map(|r| r.time.to_string()).collect();
    assert_eq!(times, ["2030-01-01T06:00:00Z", "2030-01-02T06:00:00Z", "2030-01-03T06:00:00Z"]);
    assert_eq!(c.next("nightly/report", 5000, None).await.unwrap_err().code(), Some("bad-request"));

    c.delete("nightly/report").await.unwrap();
    assert!(c.get("nightly/report").await.unwrap_err().is_not_found());
    assert!(c.delete("nightly/report").await.unwrap_err().is_not_found());
    assert!(c.run("no-such-task").await.unwrap_err().is_not_found());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_definitions_are_invalid_with_the_place() {
    let s = start().await;
    let c = &s.client;
    let e = c.create_definition("[[task]]\nname = \"x\"\ncomand = \"/bin/true\"\n", None).await.unwrap_err();
    assert_eq!(e.code(), Some("invalid"));
    let msg = e.to_string();
    assert!(msg.contains("comand") && msg.contains(":3:1"), "{msg}");
    let e = c.create_definition(
        "[[task]]\nname = \"x\"\ncommand = \"/bin/true\"\ntime-zone = \"Mars/Base\"\n",
        None,
    );
    assert_eq!(e.await.unwrap_err().code(), Some("invalid"));
    let two = format!("{}\n{}", daily("a"), daily("b"));
    assert_eq!(c.create_definition(&two, None).await.unwrap_err().code(), Some("invalid"));
    assert!(c.list(None).await.unwrap().tasks.is_empty());
    assert!(c.get_run(12345).await.unwrap_err().is_not_found());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_now_records_the_run_and_its_log() {
    let s = start().await;
    let c = &s.client;
    c.create(&echo("hello")).await.unwrap();
    let run = c.run("hello").await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let view = loop {
        let v = c.get_run(run).await.unwrap();
        if v.ended_at.is_some() {
            break v;
        }
        assert!(tokio::time::Instant::now() < deadline, "the run never ended: {v:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(view.outcome, "succeeded");
    assert_eq!(view.exit_code, Some(0));
    assert_eq!(view.task.as_deref(), Some("hello"));
    assert!(view.has_log);
    assert_eq!(c.log(run, 0).await.unwrap(), b"hi\n");
    assert_eq!(c.log(run, 1).await.unwrap(), b"i\n");
    let history = c.history(Some("hello"), 10, None).await.unwrap();
    assert_eq!(history.entries.len(), 1);
    assert_eq!((history.entries[0].id, history.entries[0].exit_code), (run, Some(0)));
    assert_eq!(history.next, None);
    let listed = c.list(None).await.unwrap();
    let last = listed.tasks[0].last_run.as_ref().unwrap();
    assert_eq!((last.id, last.outcome.as_str(), last.exit_code), (run, "succeeded", Some(0)));
    assert_eq!(c.end("hello").await.unwrap(), 0);
    assert_eq!(c.history(None, 0, None).await.unwrap_err().code(), Some("bad-request"));
    assert_eq!(c.history(None, 10, Some("soon")).await.unwrap_err().code(), Some("bad-request"));
    s.stop().await;
}

fn item(action: ApplyAction, name: &str, definition: Option<String>) -> ApplyItem {
    ApplyItem { action, name: name.into(), definition }
}

fn file(id: &str, items: Vec<ApplyItem>, prune: bool) -> ApplyFile {
    ApplyFile { source: Source { id: id.into(), hash: "h1".into() }, items, prune }
}

fn request(items: Vec<ApplyItem>, prune: bool, dry_run: bool) -> ApplyRequest {
    ApplyRequest { files: vec![file("/etc/sked/tasks.toml", items, prune)], dry_run }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_is_all_or_nothing_and_remove_takes_the_file() {
    let s = start().await;
    let c = &s.client;
    // One bad item: nothing is created.
    let bad = request(
        vec![
            item(ApplyAction::Replace, "a", Some(daily("a"))),
            item(ApplyAction::Replace, "b", Some("[[task]]\nname = \"b\"\n".into())),
        ],
        true,
        false,
    );
    let e = c.apply(&bad).await.unwrap_err();
    assert_eq!(e.code(), Some("invalid"));
    assert!(e.to_string().contains("task `b`"), "{e}");
    assert!(c.list(None).await.unwrap().tasks.is_empty());

    let good = || {
        request(
            vec![
                item(ApplyAction::Replace, "a", Some(daily("a"))),
                item(ApplyAction::Replace, "b", Some(daily("b"))),
            ],
            true,
            false,
        )
    };
    let dry = c.apply(&ApplyRequest { dry_run: true, ..good() }).await.unwrap();
    assert_eq!((dry.dry_run, dry.created.clone()), (true, vec!["a".to_string(), "b".to_string()]));
    assert!(c.list(None).await.unwrap().tasks.is_empty(), "a dry run changes nothing");
    let plan = c.apply(&good()).await.unwrap();
    assert_eq!(plan.created, ["a", "b"]);
    assert_eq!(c.list(None).await.unwrap().tasks.len(), 2);
    assert_eq!(c.get("a").await.unwrap().summary.source.unwrap().id, "/etc/sked/tasks.toml");
    let again = c.apply(&good()).await.unwrap();
    assert_eq!((again.unchanged.len(), again.created.len(), again.replaced.len()), (2, 0, 0));

    // A create leaves an existing task alone (GPP `C`); the prune takes what the file dropped.
    let changed = daily("a").replacen("\ncommand", "\ncomment = \"other\"\ncommand", 1);
    let next = request(vec![item(ApplyAction::Create, "a", Some(changed))], true, false);
    let dry = c.apply(&ApplyRequest { dry_run: true, ..next.clone() }).await.unwrap();
    assert_eq!((dry.unchanged.clone(), dry.deleted.clone()), (vec!["a".to_string()], vec!["b".to_string()]));
    let plan = c.apply(&next).await.unwrap();
    assert_eq!((plan.unchanged, plan.deleted), (vec!["a".to_string()], vec!["b".to_string()]));
    assert!(!c.get("a").await.unwrap().definition.contains("other"));
    assert!(c.get("b").await.unwrap_err().is_not_found());

    // A delete item, and a task made by hand that a file may not take over.
    c.create_definition(&daily("by-hand"), None).await.unwrap();
    let take = request(vec![item(ApplyAction::Replace, "by-hand", Some(daily("by-hand")))], false, false);
    assert_eq!(c.apply(&take).await.unwrap_err().code(), Some("conflict"));
    let del = request(vec![item(ApplyAction::Delete, "by-hand", None)], false, false);
    assert_eq!(c.apply(&del).await.unwrap().deleted, ["by-hand"]);

    let remove = RemoveRequest { source_ids: vec!["/etc/sked/tasks.toml".into()], dry_run: true };
    assert_eq!(c.remove(&remove).await.unwrap().deleted, ["a"]);
    assert_eq!(c.list(None).await.unwrap().tasks.len(), 1);
    let plan = c.remove(&RemoveRequest { dry_run: false, ..remove }).await.unwrap();
    assert_eq!(plan.deleted, ["a"]);
    assert!(c.list(None).await.unwrap().tasks.is_empty());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_files_apply_and_remove_together_or_not_at_all() {
    let s = start().await;
    let c = &s.client;
    let replace = |name: &str| item(ApplyAction::Replace, name, Some(daily(name)));
    let names = |v: &[String]| v.join(" ");
    c.create_definition(&daily("by-hand"), None).await.unwrap();

    // The second file takes over a task made by hand: a conflict, and the first file's
    // tasks are not applied either.
    let both = |second: Vec<ApplyItem>, dry_run| ApplyRequest {
        files: vec![file("/f.toml", vec![replace("f1"), replace("f2")], true), file("/g.toml", second, true)],
        dry_run,
    };
    let e = c.apply(&both(vec![replace("g1"), replace("by-hand")], false)).await.unwrap_err();
    assert_eq!(e.code(), Some("conflict"), "{e}");
    assert!(e.to_string().contains("by-hand"), "{e}");
    let listed = c.list(None).await.unwrap().tasks;
    assert_eq!(listed.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["by-hand"]);

    // Nor may one task come from two files of a request.
    let e = c.apply(&both(vec![replace("f1")], false)).await.unwrap_err();
    assert_eq!(e.code(), Some("invalid"), "{e}");
    assert!(e.to_string().contains("both `/f.toml` and `/g.toml`"), "{e}");

    // A dry run plans both files; the real one applies both, and says which file did what.
    let dry = c.apply(&both(vec![replace("g1")], true)).await.unwrap();
    assert_eq!(names(&dry.created), "f1 f2 g1");
    assert_eq!(c.list(None).await.unwrap().tasks.len(), 1, "a dry run changes nothing");
    let plan = c.apply(&both(vec![replace("g1")], false)).await.unwrap();
    assert_eq!(names(&plan.created), "f1 f2 g1");
    assert_eq!(plan.files.iter().map(|f| f.source_id.as_str()).collect::<Vec<_>>(), ["/f.toml", "/g.toml"]);
    assert_eq!((names(&plan.files[0].created), names(&plan.files[1].created)), ("f1 f2".into(), "g1".into()));
    assert_eq!(c.get("g1").await.unwrap().summary.source.unwrap().id, "/g.toml");

    // `f2` moves from one file to the other in one apply: no conflict, planned as it happens.
    let moved = ApplyRequest {
        files: vec![
            file("/f.toml", vec![replace("f1")], true),
            file("/g.toml", vec![replace("g1"), replace("f2")], true),
        ],
        dry_run: true,
    };
    let dry = c.apply(&moved).await.unwrap();
    assert_eq!((names(&dry.files[0].deleted), names(&dry.files[1].created)), ("f2".into(), "f2".into()));
    let plan = c.apply(&ApplyRequest { dry_run: false, ..moved }).await.unwrap();
    assert_eq!((names(&plan.files[0].deleted), names(&plan.files[1].created)), ("f2".into(), "f2".into()));
    assert_eq!(c.get("f2").await.unwrap().summary.source.unwrap().id, "/g.toml");

    // Removing both files takes every task of both, file by file.
    let remove = RemoveRequest { source_ids: vec!["/f.toml".into(), "/g.toml".into()], dry_run: false };
    let plan = c.remove(&remove).await.unwrap();
    assert_eq!((names(&plan.files[0].deleted), names(&plan.files[1].deleted)), ("f1".into(), "f2 g1".into()));
    let listed = c.list(None).await.unwrap().tasks;
    assert_eq!(listed.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["by-hand"]);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_service_on_the_same_socket_is_refused() {
    let s = start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.socket = s.client.socket().to_path_buf();
    let e = service::run(cfg, std::future::pending()).await.unwrap_err();
    assert!(matches!(e, service::ServiceError::SocketInUse { .. }), "{e}");
    s.stop().await;
}

//! `sked schtasks` against a real sked service, started in this process on a socket in a
//! temporary directory: the sequence of schtasks commands an installer script runs.

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sked_daemon::config::{Config, Overrides};

/// A service running on its own runtime until dropped.
struct Service {
    socket: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Service {
    fn start(dir: &Path) -> Service {
        let config_file = dir.join("sked.toml");
        std::fs::write(&config_file, "").unwrap();
        let overrides = Overrides {
            config: Some(config_file),
            store: Some(dir.join("store/sked.db")),
            socket: Some(dir.join("sked.sock")),
            data_dir: Some(dir.join("data")),
            ..Overrides::default()
        };
        let config = Config::resolve(nix::unistd::geteuid().as_raw(), &overrides).unwrap();
        let socket = config.socket.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(sked_daemon::service::run(config, async {
                let _ = stopped.await;
            }))
            .unwrap();
        });
        let service = Service { socket, stop: Some(stop), thread: Some(thread) };
        let ready = until(|| UnixStream::connect(&service.socket).is_ok());
        assert!(ready, "the service did not accept on {}", service.socket.display());
        service
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Waits up to 20 seconds for `done`, checking again as soon as the other threads let us.
fn until(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::yield_now();
    }
    done()
}

/// Runs `sked schtasks ARGS` against the service: exit code, stdout, stderr.
fn schtasks(service: &Service, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sked"))
        .arg("schtasks")
        .args(args)
        .env("SKED_SOCKET", &service.socket)
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

#[test]
fn an_installer_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path());
    let marker = dir.path().join("ran");
    let tr = format!("/bin/touch {}", marker.display());
    let create = ["/Create", "/SC", "DAILY", "/TN", r"\Installer\Job", "/TR", &tr, "/ST", "06:00"];

    let (code, out, err) = schtasks(&service, &[&create[..], &["/F"]].concat());
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_eq!(out, "SUCCESS: The scheduled task \"\\Installer\\Job\" has successfully been created.\n");

    let (code, out, err) = schtasks(&service, &create);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(err, "ERROR: Cannot create a file when that file already exists.\n");

    let (code, out, _) = schtasks(&service, &["/Query", "/FO", "CSV", "/NH"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("\"\\Installer\\Job\",\"") && out.ends_with(" 06:00:00\",\"Ready\"\n"), "{out}");

    let (code, out, err) = schtasks(&service, &["/Run", "/TN", r"\Installer\Job"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_eq!(out, "SUCCESS: Attempted to run the scheduled task \"\\Installer\\Job\".\n");
    assert!(until(|| marker.exists()), "the task did not run: {} is missing", marker.display());

    let (code, out, err) = schtasks(&service, &["/Change", "/TN", r"\Installer\Job", "/DISABLE"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_eq!(out, "SUCCESS: The parameters of scheduled task \"\\Installer\\Job\" have been changed.\n");
    let (_, out, _) = schtasks(&service, &["/Query", "/TN", r"\Installer\Job", "/FO", "LIST", "/V"]);
    assert!(out.contains("Status:                               Disabled\n"), "{out}");
    assert!(out.contains(&format!("Task To Run:                          {tr}\n")), "{out}");

    let (code, out, err) = schtasks(&service, &["/Delete", "/TN", r"\Installer\Job", "/F"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_eq!(out, "SUCCESS: The scheduled task \"\\Installer\\Job\" was successfully deleted.\n");
    let (code, _, err) = schtasks(&service, &["/Delete", "/TN", r"\Installer\Job", "/F"]);
    assert_eq!((code, err.as_str()), (1, "ERROR: The system cannot find the file specified.\n"));
}

//! The whole service: the store, the scheduler and the API on its socket, from start to
//! stop ([`run`]).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sked_core::Zones;
use sked_runner::ProcessRunner;
use sked_store::{OpenOptions, Retention, Store};
use tokio::net::UnixListener;
use tokio::sync::watch;

use crate::api::{Api, routes};
use crate::clock::SystemClock;
use crate::config::Config;
use crate::control::Control;
use crate::scheduler::{Scheduler, SchedulerConfig};

/// How often old history and logs are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Why the service could not start, or stopped badly.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A directory could not be created.
    #[error("cannot create the directory `{}`: {source}", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The store could not be opened or read.
    #[error("cannot open the store `{}`: {source}", path.display())]
    Store {
        /// The store file.
        path: PathBuf,
        /// Why.
        source: sked_store::Error,
    },
    /// Another daemon answers on the socket.
    #[error("another sked service is already answering on `{}`; stop it, or give this one another `--socket`", path.display())]
    SocketInUse {
        /// The socket.
        path: PathBuf,
    },
    /// The socket could not be bound or served.
    #[error("cannot serve on the socket `{}`: {source}", path.display())]
    Socket {
        /// The socket.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

fn mkdir(path: &Path) -> Result<(), ServiceError> {
    std::fs::create_dir_all(path).map_err(|source| ServiceError::Dir { path: path.to_path_buf(), source })
}

/// Raises the soft limit of open files to the hard limit: every running task holds its
/// log and a pipe, and a burst of thousands of runs would exhaust the usual soft 1024.
fn raise_file_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => {
            if let Err(e) = setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
                tracing::warn!("cannot raise the open files limit from {soft} to {hard}: {e}");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("cannot read the open files limit: {e}"),
    }
}

/// Binds the API socket: removes a stale socket file, but refuses to take over one that
/// a live daemon answers on.
fn bind(path: &Path, daemon_uid: u32) -> Result<UnixListener, ServiceError> {
    let socket_err = |source| ServiceError::Socket { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        mkdir(dir)?;
    }
    if std::fs::symlink_metadata(path).is_ok() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(ServiceError::SocketInUse { path: path.to_path_buf() });
        }
        std::fs::remove_file(path).map_err(socket_err)?;
    }
    let listener = UnixListener::bind(path).map_err(socket_err)?;
    // Root's socket is open to every user: what each may do is decided by their uid
    // (peer credentials), not by the socket's mode. A user's socket is theirs alone.
    let mode = if daemon_uid == 0 { 0o666 } else { 0o600 };
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(socket_err)?;
    Ok(listener)
}

/// Tells systemd (`Type=notify`) that the service is ready, if it asked.
fn notify_ready() {
    let Some(addr) = std::env::var_os("NOTIFY_SOCKET") else { return };
    let sent = (|| -> std::io::Result<()> {
        let sock = std::os::unix::net::UnixDatagram::unbound()?;
        let bytes = addr.as_encoded_bytes();
        if let Some(name) = bytes.strip_prefix(b"@") {
            use std::os::linux::net::SocketAddrExt;
            let a = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
            sock.send_to_addr(b"READY=1", &a)?;
        } else {
            sock.send_to(b"READY=1", &addr)?;
        }
        Ok(())
    })();
    if let Err(e) = sent {
        tracing::warn!("cannot notify systemd at `{}`: {e}", addr.to_string_lossy());
    }
}

/// Deletes the history that retention lets go, and its logs.
async fn prune(store: &Arc<dyn Store>, config: &Config) {
    let retention = Retention {
        before: config.log_max_age.and_then(|age| {
            let age = jiff::SignedDuration::try_from(age).ok()?;
            jiff::Timestamp::now().checked_sub(age).ok()
        }),
        keep_per_task: config.log_keep_runs,
    };
    if retention.before.is_none() && retention.keep_per_task.is_none() {
        return;
    }
    let store = store.clone();
    let done = tokio::task::spawn_blocking(move || {
        let pruned = store.prune_history(&retention)?;
        for p in &pruned.log_paths {
            let _ = std::fs::remove_file(p);
        }
        Ok::<_, sked_store::Error>(pruned)
    })
    .await;
    match done {
        Ok(Ok(p)) if p.runs + p.missed > 0 => {
            tracing::info!(runs = p.runs, missed = p.missed, "old history pruned")
        }
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::error!("cannot prune the history: {e}"),
        Err(e) => tracing::error!("pruning the history failed: {e}"),
    }
}

/// Waits until the service is told to stop.
async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Runs the service with `config` until `shutdown` resolves: opens the store, starts the
/// scheduler, answers the API on the socket (and tells systemd it is ready), then stops
/// every run, closes the socket and returns.
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> Result<(), ServiceError> {
    mkdir(&config.data_dir)?;
    mkdir(&config.logs)?;
    if let Some(dir) = config.store.parent().filter(|d| !d.as_os_str().is_empty()) {
        mkdir(dir)?;
    }
    raise_file_limit();
    let path = config.store.clone();
    let durability = config.durability;
    let store: Arc<dyn Store> = tokio::task::spawn_blocking(move || {
        OpenOptions::new().durability(durability).open(&path).map(|s| Arc::new(s) as Arc<dyn Store>)
    })
    .await
    .map_err(|e| ServiceError::Socket { path: config.socket.clone(), source: std::io::Error::other(e) })?
    .map_err(|source| ServiceError::Store { path: config.store.clone(), source })?;
    // Bind before loading the tasks, so that a second daemon is refused before it touches
    // anything; clients connecting meanwhile wait in the backlog.
    let listener = bind(&config.socket, config.uid)?;
    let zones = Arc::new(Zones::new(jiff::tz::db().clone(), config.time_zone.clone()));
    let mut cfg = SchedulerConfig::new(config.node.clone(), config.logs.clone());
    cfg.log_max_bytes = config.log_max_bytes;
    cfg.grace = config.kill_grace;
    cfg.daemon_uid = config.uid;
    cfg.host.utmp = config.utmp.clone();
    let mut scheduler = Scheduler::new(
        store.clone(),
        Arc::new(ProcessRunner::new()),
        zones.clone(),
        Arc::new(SystemClock),
        cfg,
    );
    if let Err(source) = scheduler.start().await {
        let _ = std::fs::remove_file(&config.socket);
        return Err(ServiceError::Store { path: config.store.clone(), source });
    }
    let (control, commands) = Control::channel(1024);
    let (stop_tx, stop_rx) = watch::channel(false);
    let sched = tokio::spawn(scheduler.run(commands, stopped(stop_rx.clone())));
    let api =
        Api::new(store.clone(), control, zones, config.node.clone(), config.store.display().to_string());
    let server = tokio::spawn(routes::serve(listener, api, stopped(stop_rx.clone())));
    tracing::info!(socket = %config.socket.display(), store = %config.store.display(), "sked service ready");
    notify_ready();
    let pruner = {
        let (store, config, mut rx) = (store.clone(), config.clone(), stop_rx.clone());
        tokio::spawn(async move {
            loop {
                prune(&store, &config).await;
                tokio::select! {
                    _ = rx.wait_for(|stop| *stop) => break,
                    () = tokio::time::sleep(PRUNE_EVERY) => {}
                }
            }
        })
    };
    shutdown.await;
    tracing::info!("stopping");
    let _ = stop_tx.send(true);
    let served = server.await;
    let _ = sched.await;
    let _ = pruner.await;
    let _ = std::fs::remove_file(&config.socket);
    match served {
        Ok(Ok(())) => Ok(()),
        Ok(Err(source)) => Err(ServiceError::Socket { path: config.socket.clone(), source }),
        Err(e) => Err(ServiceError::Socket { path: config.socket.clone(), source: std::io::Error::other(e) }),
    }
}

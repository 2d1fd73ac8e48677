//! `sked daemon`: runs the service in the foreground until SIGTERM or SIGINT.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use sked_daemon::config::{Config, Overrides};

/// `sked daemon`.
#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// The store file [default: `<data-dir>/sked.db`].
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// The API socket [default: `/run/sked/sked.sock` for root, else
    /// `$XDG_RUNTIME_DIR/sked.sock`].
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// The config file [default: `/etc/sked/sked.toml` for root, else
    /// `$XDG_CONFIG_HOME/sked/sked.toml`, if it exists].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The data directory [default: `/var/lib/sked` for root, else `$XDG_DATA_HOME/sked`].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The zone of tasks that name none [default: the machine's zone].
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
}

/// Resolves the configuration, then serves until a stop signal.
pub fn run(a: DaemonArgs) -> anyhow::Result<()> {
    let overrides = Overrides {
        config: a.config,
        store: a.store,
        socket: a.socket,
        data_dir: a.data_dir,
        time_zone: a.tz,
    };
    let config = Config::resolve(nix::unistd::geteuid().as_raw(), &overrides)?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Another subscriber (a test harness) may be set already: then it logs.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let stop = stop_signal().context("cannot listen for SIGTERM and SIGINT")?;
        sked_daemon::service::run(config, stop).await?;
        Ok(())
    })
}

/// Resolves at the first SIGTERM (systemd's stop) or SIGINT (Ctrl-C).
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM"),
            _ = int.recv() => tracing::info!("SIGINT"),
        }
    })
}

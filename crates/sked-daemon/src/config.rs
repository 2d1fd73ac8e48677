//! Where the service keeps things and how it behaves: defaults by who runs it, a config
//! file, and command-line overrides, in that order of precedence (lowest first).
//!
//! | | root | any other user |
//! | --- | --- | --- |
//! | config file | `/etc/sked/sked.toml` | `$XDG_CONFIG_HOME/sked/sked.toml` |
//! | data directory | `/var/lib/sked` | `$XDG_DATA_HOME/sked` (`~/.local/share/sked`) |
//! | store | `<data>/sked.db` | `<data>/sked.db` |
//! | run logs | `<data>/logs` | `<data>/logs` |
//! | socket | `/run/sked/sked.sock` | `$XDG_RUNTIME_DIR/sked.sock` (`/run/user/<uid>/sked.sock`) |
//!
//! The config file is TOML with kebab-case keys, unknown keys refused:
//!
//! ```toml
//! data-dir = "/var/lib/sked"
//! store = "/var/lib/sked/sked.db"
//! socket = "/run/sked/sked.sock"
//! time-zone = "Europe/Paris"   # for tasks that name none; default: the machine's zone
//! node = "host-a"              # this daemon's name in the store; default: the host name
//! log-max-bytes = 16777216     # per run
//! log-keep-runs = 100          # per task; older run records and their logs are deleted
//! log-max-age = "30d"          # and records older than this
//! kill-grace = "10s"           # between SIGTERM and SIGKILL
//! durability = "claims"        # claims | normal | full (see below)
//! utmp = "/run/utmp"           # where logons are read (default: /run/utmp, else /var/run/utmp)
//! ```
//!
//! `durability`: every store commit survives a crash of the service (`kill -9`). Whether it
//! also survives a power cut costs a disk flush (a few milliseconds): `claims` (the default)
//! flushes the commits that decide whether a scheduled time runs, so even a power cut never
//! runs a time twice; `normal` flushes none (the lowest latency: a power cut may lose the
//! last claims and rerun those times); `full` flushes every commit.

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::tz::TimeZone;
use serde::Deserialize;

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the config file `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("invalid config file `{path}`: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line and column.
        message: String,
    },
    /// A value is not valid.
    #[error("invalid `{key}` value `{value}`: {message}")]
    Value {
        /// The key.
        key: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        message: String,
    },
}

/// The config file's keys.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConfigFile {
    /// The data directory.
    pub data_dir: Option<PathBuf>,
    /// The store file.
    pub store: Option<PathBuf>,
    /// The API socket.
    pub socket: Option<PathBuf>,
    /// The zone of tasks that name none.
    pub time_zone: Option<String>,
    /// This daemon's name in the store.
    pub node: Option<String>,
    /// The most output one run's log keeps.
    pub log_max_bytes: Option<u64>,
    /// How many run records (and logs) each task keeps.
    pub log_keep_runs: Option<u32>,
    /// How old a run record (and log) may get.
    pub log_max_age: Option<String>,
    /// Time between SIGTERM and SIGKILL.
    pub kill_grace: Option<String>,
    /// `claims`, `normal` or `full`.
    pub durability: Option<String>,
    /// The utmp file logons are read from.
    pub utmp: Option<PathBuf>,
}

/// What the command line may override.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// `--store FILE`.
    pub store: Option<PathBuf>,
    /// `--socket PATH`.
    pub socket: Option<PathBuf>,
    /// `--data-dir DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--tz ZONE`.
    pub time_zone: Option<String>,
}

/// The resolved configuration of a daemon.
#[derive(Clone, Debug)]
pub struct Config {
    /// The data directory.
    pub data_dir: PathBuf,
    /// The store file.
    pub store: PathBuf,
    /// The API socket.
    pub socket: PathBuf,
    /// Run logs: `<logs>/<run id>.log`.
    pub logs: PathBuf,
    /// The zone of tasks that name none.
    pub time_zone: TimeZone,
    /// This daemon's name in the store.
    pub node: String,
    /// The most output one run's log keeps.
    pub log_max_bytes: u64,
    /// How many run records (and logs) each task keeps.
    pub log_keep_runs: Option<u32>,
    /// How old a run record (and log) may get.
    pub log_max_age: Option<Duration>,
    /// Time between SIGTERM and SIGKILL.
    pub kill_grace: Duration,
    /// Which store commits are flushed to disk.
    pub durability: sked_store::Durability,
    /// The uid the daemon runs as.
    pub uid: u32,
    /// The utmp file at-logon triggers and idleness read the sessions from.
    pub utmp: PathBuf,
}

/// The default config file for `uid`.
pub fn default_config_file(uid: u32) -> PathBuf {
    if uid == 0 {
        PathBuf::from("/etc/sked/sked.toml")
    } else {
        xdg("XDG_CONFIG_HOME", ".config").join("sked/sked.toml")
    }
}

/// The default data directory for `uid`.
pub fn default_data_dir(uid: u32) -> PathBuf {
    if uid == 0 { PathBuf::from("/var/lib/sked") } else { xdg("XDG_DATA_HOME", ".local/share").join("sked") }
}

/// The default API socket for `uid` (the client's default is the same).
pub fn default_socket(uid: u32) -> PathBuf {
    if uid == 0 {
        return PathBuf::from("/run/sked/sked.sock");
    }
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("sked.sock"),
        None => PathBuf::from(format!("/run/user/{uid}/sked.sock")),
    }
}

fn xdg(var: &str, fallback: &str) -> PathBuf {
    match std::env::var_os(var).filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/"), PathBuf::from);
            home.join(fallback)
        }
    }
}

fn duration(key: &'static str, value: &str) -> Result<Duration, ConfigError> {
    value
        .parse::<sked_core::Duration>()
        .map(|d| Duration::from_millis(d.as_millis()))
        .map_err(|e| ConfigError::Value { key, value: value.to_string(), message: e.to_string() })
}

impl Config {
    /// Resolves the configuration of a daemon running as `uid`: defaults, then the config
    /// file (the one named, or the default one if it exists), then the overrides.
    pub fn resolve(uid: u32, overrides: &Overrides) -> Result<Config, ConfigError> {
        let file = match &overrides.config {
            Some(path) => Some(Self::read(path)?),
            None => {
                let path = default_config_file(uid);
                if path.exists() { Some(Self::read(&path)?) } else { None }
            }
        }
        .unwrap_or_default();
        let data_dir = overrides.data_dir.clone().or(file.data_dir).unwrap_or_else(|| default_data_dir(uid));
        let store = overrides.store.clone().or(file.store).unwrap_or_else(|| data_dir.join("sked.db"));
        let socket = overrides.socket.clone().or(file.socket).unwrap_or_else(|| default_socket(uid));
        let time_zone = match overrides.time_zone.clone().or(file.time_zone) {
            Some(name) if name == "UTC" => TimeZone::UTC,
            Some(name) => TimeZone::get(&name).map_err(|e| ConfigError::Value {
                key: "time-zone",
                value: name.clone(),
                message: format!("{e}; expected an IANA name such as `Europe/Paris`, or `UTC`"),
            })?,
            None => TimeZone::system(),
        };
        let node = file.node.unwrap_or_else(|| {
            nix::unistd::gethostname()
                .ok()
                .and_then(|h| h.into_string().ok())
                .unwrap_or_else(|| "localhost".into())
        });
        Ok(Config {
            logs: data_dir.join("logs"),
            data_dir,
            store,
            socket,
            time_zone,
            node,
            log_max_bytes: file.log_max_bytes.unwrap_or(sked_runner::DEFAULT_LOG_MAX_BYTES),
            log_keep_runs: Some(file.log_keep_runs.unwrap_or(100)),
            log_max_age: file.log_max_age.as_deref().map(|v| duration("log-max-age", v)).transpose()?,
            kill_grace: match file.kill_grace.as_deref() {
                Some(v) => duration("kill-grace", v)?,
                None => sked_runner::DEFAULT_GRACE,
            },
            durability: match file.durability.as_deref() {
                None | Some("claims") => sked_store::Durability::Claims,
                Some("normal") => sked_store::Durability::Normal,
                Some("full") => sked_store::Durability::Full,
                Some(other) => {
                    return Err(ConfigError::Value {
                        key: "durability",
                        value: other.to_string(),
                        message: "expected `claims`, `normal` or `full`".into(),
                    });
                }
            },
            uid,
            utmp: file.utmp.unwrap_or_else(crate::logon::default_utmp),
        })
    }

    fn read(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        toml::from_str(&text)
            .map_err(|e| ConfigError::Invalid { path: path.to_path_buf(), message: e.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_by_user() {
        assert_eq!(default_data_dir(0), PathBuf::from("/var/lib/sked"));
        assert_eq!(default_socket(0), PathBuf::from("/run/sked/sked.sock"));
        assert_eq!(default_config_file(0), PathBuf::from("/etc/sked/sked.toml"));
    }

    #[test]
    fn file_then_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sked.toml");
        std::fs::write(&file, "data-dir = \"/srv/sked\"\ntime-zone = \"Europe/Paris\"\nkill-grace = \"3s\"\nlog-max-age = \"30d\"\nutmp = \"/tmp/utmp\"\n")
            .unwrap();
        let o = Overrides {
            config: Some(file.clone()),
            socket: Some("/tmp/s.sock".into()),
            ..Overrides::default()
        };
        let c = Config::resolve(1000, &o).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/srv/sked"));
        assert_eq!(c.store, PathBuf::from("/srv/sked/sked.db"));
        assert_eq!(c.logs, PathBuf::from("/srv/sked/logs"));
        assert_eq!(c.socket, PathBuf::from("/tmp/s.sock"));
        assert_eq!(c.time_zone.iana_name(), Some("Europe/Paris"));
        assert_eq!(c.kill_grace, Duration::from_secs(3));
        assert_eq!(c.log_max_age, Some(Duration::from_secs(30 * 86400)));
        assert_eq!(c.utmp, PathBuf::from("/tmp/utmp"));
    }

    #[test]
    fn errors_name_the_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sked.toml");
        std::fs::write(&file, "sokcet = \"/x\"\n").unwrap();
        let e = Config::resolve(0, &Overrides { config: Some(file), ..Overrides::default() })
            .unwrap_err()
            .to_string();
        assert!(e.contains("sked.toml") && e.contains("sokcet"), "{e}");
        let e = Config::resolve(
            0,
            &Overrides { config: Some(dir.path().join("none.toml")), ..Overrides::default() },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("cannot read the config file"), "{e}");
        let o = Overrides {
            time_zone: Some("Mars/Base".into()),
            config: Some("/dev/null".into()),
            ..Overrides::default()
        };
        assert!(Config::resolve(0, &o).unwrap_err().to_string().contains("Mars/Base"));
    }
}

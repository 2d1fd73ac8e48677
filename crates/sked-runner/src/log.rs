//! The per-run log: creating it, writing output to it under a size cap, and pruning old ones.

use std::fs::{self, File, OpenOptions, Permissions};
use std::future::Future;
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::error::{Error, Inner};
use crate::spec::LogSpec;

/// What happened to a run's output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogSummary {
    /// Bytes of output written to the log (the marker line not included).
    pub bytes: u64,
    /// Bytes of output read but not written: past the size cap, or after a write error.
    pub dropped: u64,
    /// The first error writing the log, if any; output after it was dropped.
    pub error: Option<String>,
}

impl LogSummary {
    /// Whether some output is missing from the log.
    pub fn truncated(&self) -> bool {
        self.dropped > 0
    }
}

/// Creates the log file of `spec`: new (`O_EXCL`, so never through a symbolic link nor over
/// an existing file), close-on-exec, with exactly `spec.mode`, owned by `owner` when given.
pub(crate) fn create(spec: &LogSpec, owner: Option<(u32, u32)>) -> Result<File, Error> {
    let err = |source| Error::new(Inner::LogCreate { path: spec.path.clone(), source });
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(spec.mode & 0o777)
        .open(&spec.path)
        .map_err(err)?;
    let setup = || -> io::Result<()> {
        // The umask may have taken bits away; the spec's mode is the one wanted.
        file.set_permissions(Permissions::from_mode(spec.mode & 0o777))?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::fchown(&file, Some(uid), Some(gid))?;
        }
        Ok(())
    };
    if let Err(e) = setup() {
        // Best effort: a half-made log is worse than none. The start fails either way.
        let _ = fs::remove_file(&spec.path);
        return Err(err(e));
    }
    Ok(file)
}

/// Opens the log the first time output arrives, with the message to record if it cannot.
pub(crate) type Opener<W> =
    Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = Result<W, String>> + Send>> + Send>;

/// Where the log's bytes go: not opened yet, or open.
enum Sink<W> {
    Closed(Option<Opener<W>>),
    Open(W),
}

/// Fails as [`create`] would when something is already at the log's path (not following a
/// symbolic link), without creating anything.
pub(crate) fn check_free(spec: &LogSpec) -> Result<(), Error> {
    match fs::symlink_metadata(&spec.path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::new(Inner::LogCreate { path: spec.path.clone(), source: e })),
        Ok(_) => Err(Error::new(Inner::LogCreate {
            path: spec.path.clone(),
            source: io::Error::from_raw_os_error(libc::EEXIST),
        })),
    }
}

/// Writes output to a log, keeping at most `max` bytes and counting the rest.
///
/// Every chunk is written and flushed as it arrives, so a reader following the file sees
/// output as the program produces it. A lazy log is created only when there is something to
/// write: a run that prints nothing costs no file (on a journalling file system, creating
/// files is most of what a burst of quiet runs would cost beyond the processes themselves).
pub(crate) struct LogWriter<W> {
    out: Sink<W>,
    max: u64,
    summary: LogSummary,
    last: Option<u8>,
}

impl<W: AsyncWrite + Unpin> LogWriter<W> {
    /// A log writing to `out`, open already.
    #[cfg(test)]
    pub(crate) fn new(out: W, max: u64) -> Self {
        LogWriter { out: Sink::Open(out), max, summary: LogSummary::default(), last: None }
    }

    /// A log that `open` creates when the first byte is to be written.
    pub(crate) fn lazy(open: Opener<W>, max: u64) -> Self {
        LogWriter { out: Sink::Closed(Some(open)), max, summary: LogSummary::default(), last: None }
    }

    /// The open log, opening it now if it is not; `None` when it could not be opened (the
    /// error is in the summary).
    async fn sink(&mut self) -> Option<&mut W> {
        if let Sink::Closed(open) = &mut self.out {
            let open = open.take()?;
            match open().await {
                Ok(w) => self.out = Sink::Open(w),
                Err(e) => {
                    self.summary.error = Some(e);
                    return None;
                }
            }
        }
        match &mut self.out {
            Sink::Open(w) => Some(w),
            Sink::Closed(_) => None,
        }
    }

    /// Writes what fits under the cap, counts the rest as dropped.
    pub(crate) async fn write(&mut self, chunk: &[u8]) {
        let room = self.max.saturating_sub(self.summary.bytes);
        let keep = if self.summary.error.is_some() {
            0
        } else {
            chunk.len().min(usize::try_from(room).unwrap_or(usize::MAX))
        };
        if keep > 0 {
            let kept = &chunk[..keep];
            // `Err(None)`: the log could not be opened, and the summary says why already.
            let written = match self.sink().await {
                Some(out) => write_flushed(out, kept).await.map_err(|e| Some(e.to_string())),
                None => Err(None),
            };
            match written {
                Ok(()) => {
                    self.summary.bytes += keep as u64;
                    self.last = kept.last().copied();
                }
                Err(e) => {
                    if let Some(e) = e {
                        self.summary.error = Some(e);
                    }
                    self.summary.dropped += keep as u64;
                }
            }
        }
        self.summary.dropped += (chunk.len() - keep) as u64;
    }

    /// Ends the log: when output was dropped past the cap, appends one marker line saying how
    /// much, starting on a line of its own.
    pub(crate) async fn finish(mut self) -> LogSummary {
        if self.summary.dropped > 0 && self.summary.error.is_none() {
            let newline = if matches!(self.last, Some(b'\n') | None) { "" } else { "\n" };
            let marker = format!(
                "{newline}[sked: output truncated: {} bytes dropped after the first {} bytes]\n",
                self.summary.dropped, self.summary.bytes
            );
            let written = match self.sink().await {
                Some(out) => write_flushed(out, marker.as_bytes()).await.map_err(|e| e.to_string()),
                None => Ok(()),
            };
            if let Err(e) = written {
                self.summary.error = Some(e);
            }
        }
        if let Sink::Open(out) = &mut self.out {
            let _ = out.shutdown().await;
        }
        self.summary
    }
}

async fn write_flushed<W: AsyncWrite + Unpin>(out: &mut W, bytes: &[u8]) -> io::Result<()> {
    out.write_all(bytes).await?;
    out.flush().await
}

/// How many per-run logs to keep in a directory.
///
/// The daemon calls [`LogRetention::prune`] on a task's log directory after a run ends.
/// Logs of runs still going are the most recently modified, so they are kept by
/// `keep_last` as long as it is at least the number of runs that can overlap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogRetention {
    /// Keep at most this many logs, the most recently modified. `None` for no count limit.
    pub keep_last: Option<usize>,
    /// Remove logs last modified longer ago than this. `None` for no age limit.
    pub max_age: Option<Duration>,
}

impl LogRetention {
    /// Removes the logs of `dir` that this policy does not keep, and returns their paths,
    /// oldest first. Only regular files whose name ends in `.log` are considered; nothing
    /// else in `dir` is touched. `now` is an argument so that tests control the clock.
    pub fn prune(&self, dir: &Path, now: SystemTime) -> Result<Vec<PathBuf>, Error> {
        let err = |source| Error::new(Inner::LogPrune { dir: dir.to_path_buf(), source });
        let mut logs = Vec::new();
        for entry in fs::read_dir(dir).map_err(err)? {
            let entry = entry.map_err(err)?;
            let path = entry.path();
            let is_log = path.extension().is_some_and(|e| e == "log");
            // `DirEntry::metadata` does not follow symbolic links: a link is never a log.
            let meta = match entry.metadata() {
                Ok(m) => m,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(err(e)),
            };
            if is_log && meta.is_file() {
                logs.push((meta.modified().map_err(err)?, path));
            }
        }
        // Newest first; the name breaks ties so the order is stable.
        logs.sort_by(|a, b| b.cmp(a));
        let mut removed = Vec::new();
        for (i, (modified, path)) in logs.into_iter().enumerate() {
            let too_many = self.keep_last.is_some_and(|k| i >= k);
            let too_old =
                self.max_age.is_some_and(|max| now.duration_since(modified).is_ok_and(|age| age > max));
            if too_many || too_old {
                match fs::remove_file(&path) {
                    Ok(()) => removed.push(path),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(err(e)),
                }
            }
        }
        removed.reverse();
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn output(max: u64, chunks: &[&[u8]]) -> (String, LogSummary) {
        let mut buf = Vec::new();
        let mut w = LogWriter::new(&mut buf, max);
        for c in chunks {
            w.write(c).await;
        }
        let summary = w.finish().await;
        (String::from_utf8(buf).unwrap(), summary)
    }

    #[tokio::test]
    async fn under_the_cap_everything_is_kept_without_marker() {
        let (text, s) = output(100, &[b"hello\n", b"world\n"]).await;
        assert_eq!(text, "hello\nworld\n");
        assert_eq!(s, LogSummary { bytes: 12, dropped: 0, error: None });
        assert!(!s.truncated());
        let (_, s) = output(0, &[]).await;
        assert_eq!(s, LogSummary::default());
    }

    #[tokio::test]
    async fn past_the_cap_output_is_counted_and_one_marker_ends_the_log() {
        let (text, s) = output(8, &[b"hello\n", b"world\n", b"again\n"]).await;
        assert_eq!(text, "hello\nwo\n[sked: output truncated: 10 bytes dropped after the first 8 bytes]\n");
        assert_eq!(s, LogSummary { bytes: 8, dropped: 10, error: None });
        assert!(s.truncated());
        let (text, _) = output(6, &[b"hello\n", b"world\n"]).await;
        assert_eq!(text, "hello\n[sked: output truncated: 6 bytes dropped after the first 6 bytes]\n");
        let (text, _) = output(0, &[b"x"]).await;
        assert_eq!(text, "[sked: output truncated: 1 bytes dropped after the first 0 bytes]\n");
    }

    #[tokio::test]
    async fn a_lazy_log_is_opened_by_the_first_byte_and_an_open_failure_is_counted() {
        let never: Opener<Vec<u8>> = Box::new(|| panic!("nothing to write: never opened"));
        assert_eq!(LogWriter::lazy(never, 10).finish().await, LogSummary::default());

        let failing: Opener<Vec<u8>> =
            Box::new(|| Box::pin(async { Err("could not create log file".to_string()) }));
        let mut w = LogWriter::lazy(failing, 10);
        w.write(b"hello").await;
        w.write(b"again").await;
        let s = w.finish().await;
        assert_eq!(s, LogSummary { bytes: 0, dropped: 10, error: Some("could not create log file".into()) });

        let opening: Opener<Vec<u8>> = Box::new(|| Box::pin(async { Ok(Vec::new()) }));
        let mut w = LogWriter::lazy(opening, 3);
        w.write(b"hello").await;
        let s = w.finish().await;
        assert_eq!(s, LogSummary { bytes: 3, dropped: 2, error: None });
    }

    #[test]
    fn check_free_refuses_anything_in_the_way() {
        let dir = tempfile::tempdir().unwrap();
        let spec = LogSpec::new(dir.path().join("r.log"));
        check_free(&spec).unwrap();
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &spec.path).unwrap();
        let err = check_free(&spec).unwrap_err();
        assert!(err.to_string().contains("File exists"), "{err}");
    }

    #[test]
    fn create_sets_the_mode_exactly_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let spec = LogSpec::new(dir.path().join("r.log")).mode(0o640);
        let f = create(&spec, None).unwrap();
        assert_eq!(f.metadata().unwrap().permissions().mode() & 0o777, 0o640);
        let err = create(&spec, None).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Log);
        assert!(err.to_string().starts_with("could not create log file `"), "{err}");
        let link = dir.path().join("link.log");
        std::os::unix::fs::symlink(dir.path().join("target"), &link).unwrap();
        assert!(create(&LogSpec::new(&link), None).is_err());
        assert!(!dir.path().join("target").exists());
    }

    #[test]
    fn prune_keeps_the_newest_and_the_young() {
        let dir = tempfile::tempdir().unwrap();
        let base = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        for i in 0..5u64 {
            let p = dir.path().join(format!("run{i}.log"));
            let f = File::create(&p).unwrap();
            f.set_modified(base + Duration::from_secs(i * 60)).unwrap();
        }
        fs::write(dir.path().join("notes.txt"), "keep me").unwrap();
        let now = base + Duration::from_secs(4 * 60);
        let keep3 = LogRetention { keep_last: Some(3), max_age: None };
        let removed = keep3.prune(dir.path(), now).unwrap();
        let names: Vec<_> = removed.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
        assert_eq!(names, ["run0.log", "run1.log"]);
        let young = LogRetention { keep_last: None, max_age: Some(Duration::from_secs(90)) };
        let removed = young.prune(dir.path(), now).unwrap();
        let names: Vec<_> = removed.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
        assert_eq!(names, ["run2.log"]);
        assert!(dir.path().join("notes.txt").exists());
        assert!(LogRetention::default().prune(dir.path(), now).unwrap().is_empty());
        let err = keep3.prune(&dir.path().join("missing"), now).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Log);
    }
}

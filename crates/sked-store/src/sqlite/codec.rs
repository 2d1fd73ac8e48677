//! Values to and from columns, and rows to records.
//!
//! Timestamps are stored as integer microseconds since the Unix epoch: 8 bytes, compared and
//! indexed as integers (history order, retention cut-offs, the claim's unique key), exact in
//! both directions at microsecond precision, and the precision of PostgreSQL's `timestamptz`,
//! so a PostgreSQL store keeps the same values. An i64 of microseconds covers jiff's whole
//! range (years -9999 to 9999). Finer parts of a timestamp are truncated.

use std::{
    fmt::Display,
    path::{Path, PathBuf},
};

use jiff::Timestamp;
use rusqlite::{Row, types::Type};

use crate::{
    HistoryEntry, LastRun, MissReason, Missed, Outcome, RunId, RunRecord, SourceRef, TaskId, TaskRecord,
    TaskState,
    error::{BadValue, Repr},
};

/// The stored state of a missed time, beside the [`Outcome`] names of runs.
pub(crate) const MISSED: &str = "missed";

/// The columns [`task_from_row`] reads, in order.
pub(crate) const TASK_COLS: &str =
    "id, owner_uid, name, definition, enabled, source_id, source_hash, version, created, updated";

/// The columns [`entry_from_row`] reads, in order.
pub(crate) const RUN_COLS: &str = "id, task_id, scheduled_for, trigger_index, state, miss_reason, \
     claimed_by, claimed_at, started_at, ended_at, pid, exit_code, signal, log_path, log_bytes, message";

/// The columns [`state_from_row`] reads, in order, from `tasks t LEFT JOIN task_state s`.
pub(crate) const STATE_COLS: &str = "t.id, s.last_accounted, s.last_run_id, s.last_run_state, \
     s.last_started, s.last_ended, s.last_exit_code, s.last_signal, s.startup_boot_id";

/// A timestamp as stored: its microseconds, truncated. jiff's extreme instants have sub-second
/// parts beyond the last whole microsecond it accepts back; they are cut to the whole second.
pub(crate) fn micros(t: Timestamp) -> i64 {
    let m = t.as_microsecond();
    if Timestamp::from_microsecond(m).is_ok() { m } else { t.as_second() * 1_000_000 }
}

/// `t` truncated to what the store keeps.
pub(crate) fn truncate(t: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(micros(t)).expect("a timestamp truncated to whole seconds is in range")
}

/// A count or size as stored: SQLite integers are signed.
pub(crate) fn to_i64(field: &'static str, value: u64) -> crate::Result<i64> {
    i64::try_from(value).map_err(|_| Repr::OutOfRange { field, value, max: i64::MAX as u64 }.into())
}

/// A path as stored: its bytes, exactly, since Unix paths need not be UTF-8.
#[cfg(unix)]
pub(crate) fn path_bytes(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
pub(crate) fn path_bytes(p: &Path) -> Vec<u8> {
    p.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
pub(crate) fn path_from_bytes(b: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    std::ffi::OsString::from_vec(b).into()
}

#[cfg(not(unix))]
pub(crate) fn path_from_bytes(b: Vec<u8>) -> PathBuf {
    String::from_utf8_lossy(&b).into_owned().into()
}

fn bad(
    row: &dyn Display,
    index: usize,
    column: &'static str,
    value: impl Display,
    expected: &'static str,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        index,
        Type::Integer,
        Box::new(BadValue { row: row.to_string(), column, value: value.to_string(), expected }),
    )
}

/// Reads typed columns of one row, naming the row in errors.
struct Reader<'r, 'a> {
    row: &'r Row<'a>,
    name: String,
}

impl Reader<'_, '_> {
    fn ts(&self, i: usize, column: &'static str) -> rusqlite::Result<Timestamp> {
        let v: i64 = self.row.get(i)?;
        Timestamp::from_microsecond(v)
            .map_err(|_| bad(&self.name, i, column, v, "microseconds within years -9999 to 9999"))
    }

    fn opt_ts(&self, i: usize, column: &'static str) -> rusqlite::Result<Option<Timestamp>> {
        match self.row.get::<_, Option<i64>>(i)? {
            None => Ok(None),
            Some(_) => self.ts(i, column).map(Some),
        }
    }

    fn u32(&self, i: usize, column: &'static str) -> rusqlite::Result<u32> {
        let v: i64 = self.row.get(i)?;
        u32::try_from(v).map_err(|_| bad(&self.name, i, column, v, "an integer from 0 to 4294967295"))
    }

    fn opt_u32(&self, i: usize, column: &'static str) -> rusqlite::Result<Option<u32>> {
        match self.row.get::<_, Option<i64>>(i)? {
            None => Ok(None),
            Some(_) => self.u32(i, column).map(Some),
        }
    }

    fn opt_i32(&self, i: usize, column: &'static str) -> rusqlite::Result<Option<i32>> {
        match self.row.get::<_, Option<i64>>(i)? {
            None => Ok(None),
            Some(v) => i32::try_from(v)
                .map(Some)
                .map_err(|_| bad(&self.name, i, column, v, "a 32-bit signed integer")),
        }
    }

    fn opt_u64(&self, i: usize, column: &'static str) -> rusqlite::Result<Option<u64>> {
        match self.row.get::<_, Option<i64>>(i)? {
            None => Ok(None),
            Some(v) => u64::try_from(v)
                .map(Some)
                .map_err(|_| bad(&self.name, i, column, v, "a non-negative integer")),
        }
    }

    fn outcome(&self, i: usize, column: &'static str, s: &str) -> rusqlite::Result<Outcome> {
        Outcome::from_name(s).ok_or_else(|| bad(&self.name, i, column, s, "a run state"))
    }
}

/// A [`TaskRecord`] from the columns [`TASK_COLS`].
pub(crate) fn task_from_row(row: &Row<'_>) -> rusqlite::Result<TaskRecord> {
    let id: i64 = row.get(0)?;
    let r = Reader { row, name: format!("task {id}") };
    let source = match (row.get::<_, Option<String>>(5)?, row.get::<_, Option<String>>(6)?) {
        (Some(id), Some(hash)) => Some(SourceRef { id, hash }),
        (None, None) => None,
        (Some(_), None) => return Err(bad(&r.name, 6, "source_hash", "NULL", "a hash beside the source id")),
        (None, Some(_)) => return Err(bad(&r.name, 5, "source_id", "NULL", "a source id beside the hash")),
    };
    let version: i64 = row.get(7)?;
    let version = u64::try_from(version)
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| bad(&r.name, 7, "version", version, "a version from 1"))?;
    Ok(TaskRecord {
        id: TaskId(id),
        owner_uid: r.u32(1, "owner_uid")?,
        name: row.get(2)?,
        definition: row.get(3)?,
        enabled: row.get(4)?,
        source,
        version,
        created: r.ts(8, "created")?,
        updated: r.ts(9, "updated")?,
    })
}

/// A [`HistoryEntry`] from the columns [`RUN_COLS`].
pub(crate) fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<HistoryEntry> {
    let id: i64 = row.get(0)?;
    let r = Reader { row, name: format!("run {id}") };
    let state: String = row.get(4)?;
    if state == MISSED {
        let reason: Option<String> = row.get(5)?;
        let reason = reason.as_deref().and_then(MissReason::from_name).ok_or_else(|| {
            bad(&r.name, 5, "miss_reason", reason.as_deref().unwrap_or("NULL"), "a miss reason")
        })?;
        let Some(scheduled_for) = r.opt_ts(2, "scheduled_for")? else {
            return Err(bad(&r.name, 2, "scheduled_for", "NULL", "the missed time"));
        };
        let Some(trigger) = r.opt_u32(3, "trigger_index")? else {
            return Err(bad(&r.name, 3, "trigger_index", "NULL", "the trigger of the missed time"));
        };
        return Ok(HistoryEntry::Missed(Missed {
            id: RunId(id),
            task_id: TaskId(row.get(1)?),
            scheduled_for,
            trigger,
            reason,
            recorded_at: r.ts(7, "claimed_at")?,
        }));
    }
    let claimed_by: Option<String> = row.get(6)?;
    let Some(claimed_by) = claimed_by else {
        return Err(bad(&r.name, 6, "claimed_by", "NULL", "the node that claimed the run"));
    };
    Ok(HistoryEntry::Run(RunRecord {
        id: RunId(id),
        task_id: TaskId(row.get(1)?),
        scheduled_for: r.opt_ts(2, "scheduled_for")?,
        trigger: r.opt_u32(3, "trigger_index")?,
        claimed_by,
        claimed_at: r.ts(7, "claimed_at")?,
        started_at: r.opt_ts(8, "started_at")?,
        ended_at: r.opt_ts(9, "ended_at")?,
        pid: r.opt_u32(10, "pid")?,
        outcome: r.outcome(4, "state", &state)?,
        exit_code: r.opt_i32(11, "exit_code")?,
        signal: r.opt_i32(12, "signal")?,
        log_path: row.get::<_, Option<Vec<u8>>>(13)?.map(path_from_bytes),
        log_bytes: r.opt_u64(14, "log_bytes")?,
        message: row.get(15)?,
    }))
}

/// A [`TaskState`] from the columns [`STATE_COLS`].
pub(crate) fn state_from_row(row: &Row<'_>) -> rusqlite::Result<TaskState> {
    let id: i64 = row.get(0)?;
    let r = Reader { row, name: format!("state of task {id}") };
    let last_run = match row.get::<_, Option<i64>>(2)? {
        None => None,
        Some(run) => {
            let state: String = row.get(3)?;
            Some(LastRun {
                id: RunId(run),
                outcome: r.outcome(3, "last_run_state", &state)?,
                started_at: r.opt_ts(4, "last_started")?,
                ended_at: r.opt_ts(5, "last_ended")?,
                exit_code: r.opt_i32(6, "last_exit_code")?,
                signal: r.opt_i32(7, "last_signal")?,
            })
        }
    };
    Ok(TaskState {
        task_id: TaskId(id),
        last_accounted: r.opt_ts(1, "last_accounted")?,
        last_run,
        startup_boot_id: row.get(8)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_keep_microseconds() {
        let t: Timestamp = "2026-03-29T01:30:00.123456789Z".parse().unwrap();
        assert_eq!(micros(t), 1_774_747_800_123_456);
        assert_eq!(truncate(t).to_string(), "2026-03-29T01:30:00.123456Z");
        for extreme in [Timestamp::MAX, Timestamp::MIN] {
            assert_eq!(Timestamp::from_microsecond(micros(extreme)).unwrap(), truncate(extreme));
            assert_eq!(truncate(extreme).as_second(), extreme.as_second());
        }
    }

    #[cfg(unix)]
    #[test]
    fn paths_keep_non_utf8_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let p = Path::new(std::ffi::OsStr::from_bytes(b"/var/log/sked/\xff.log"));
        assert_eq!(path_from_bytes(path_bytes(p)), p);
    }

    #[test]
    fn counts_beyond_i64_are_refused() {
        assert_eq!(to_i64("log_bytes", 5).unwrap(), 5);
        let e = to_i64("log_bytes", u64::MAX).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert_eq!(
            e.to_string(),
            "log_bytes 18446744073709551615 is out of range: at most 9223372036854775807"
        );
    }
}

//! The utmp file (`/run/utmp`): who is logged on, read from glibc's `struct utmp` records.
//!
//! Logons are what at-logon triggers fire on, and the sessions' terminals are where the
//! idle time is read ([`crate::idle`]). The file is a plain array of fixed-size records,
//! written by `login`, `sshd`, terminal emulators and `systemd-logind`'s helpers; a
//! logon adds or reuses a slot with a `USER_PROCESS` record, a logoff turns it into
//! `DEAD_PROCESS`. Nothing here trusts the bytes: every field is read through a
//! bounds-checked helper that names it, a trailing partial record is reported and
//! ignored, and garbage never panics.
//!
//! The layout is glibc's on x86_64 and aarch64 (both little-endian, 384 bytes a record,
//! `ut_tv` as two 32-bit fields for compatibility with 32-bit programs):
//!
//! | offset | field | type |
//! | --- | --- | --- |
//! | 0 | `ut_type` | `i16` (+ 2 bytes of padding) |
//! | 4 | `ut_pid` | `i32` |
//! | 8 | `ut_line` | `[u8; 32]`, the terminal without `/dev/` |
//! | 40 | `ut_id` | `[u8; 4]` |
//! | 44 | `ut_user` | `[u8; 32]` |
//! | 76 | `ut_host` | `[u8; 256]` |
//! | 332 | `ut_exit` | `i16` termination, `i16` exit |
//! | 336 | `ut_session` | `i32` |
//! | 340 | `ut_tv` | `i32` seconds, `i32` microseconds |
//! | 348 | `ut_addr_v6` | `[i32; 4]` |
//! | 364 | reserved | `[u8; 20]` |

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;

/// The size of one record.
pub const RECORD_SIZE: usize = 384;

/// `ut_type` of a logged-on user's session.
pub const USER_PROCESS: i16 = 7;
/// `ut_type` of a session that ended.
pub const DEAD_PROCESS: i16 = 8;

const LINE: (usize, usize) = (8, 32);
const ID: (usize, usize) = (40, 4);
const USER: (usize, usize) = (44, 32);
const HOST: (usize, usize) = (76, 256);
const SESSION: usize = 336;
const TV_SEC: usize = 340;
const TV_USEC: usize = 344;

/// One record of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// `ut_type`: [`USER_PROCESS`], [`DEAD_PROCESS`], or another kind sked ignores.
    pub kind: i16,
    /// `ut_pid`: the session's process (the login shell, `sshd`'s child...).
    pub pid: i32,
    /// `ut_line`: the terminal, relative to `/dev` (`pts/3`, `tty1`, or `:0` for a
    /// graphical session, which has no device).
    pub line: String,
    /// `ut_id`: the terminal's short id (`ts/3`).
    pub id: String,
    /// `ut_user`: the user name.
    pub user: String,
    /// `ut_host`: where the user came from, for a remote session.
    pub host: String,
    /// `ut_session`: the session id.
    pub session: i32,
    /// `ut_tv`: when the record was written (the logon, for a session), if it is a
    /// valid instant.
    pub time: Option<Timestamp>,
}

impl Record {
    /// A `USER_PROCESS` record: user `user` logged on at terminal `line`, session process
    /// `pid`, at `time`.
    pub fn user_process(line: &str, pid: i32, user: &str, time: Timestamp) -> Record {
        Record {
            kind: USER_PROCESS,
            pid,
            line: line.into(),
            // glibc's `ut_id` is the line's last four characters (`pts/3` -> `ts/3`).
            id: line.chars().skip(line.chars().count().saturating_sub(4)).collect(),
            user: user.into(),
            host: String::new(),
            session: 0,
            time: Some(time),
        }
    }

    /// The record as glibc writes it. Text longer than its field is cut (as glibc's
    /// `strncpy` does); the time is written only if it fits in 32 bits.
    pub fn encode(&self) -> [u8; RECORD_SIZE] {
        let mut b = [0u8; RECORD_SIZE];
        b[0..2].copy_from_slice(&self.kind.to_le_bytes());
        b[4..8].copy_from_slice(&self.pid.to_le_bytes());
        for ((at, len), text) in [(LINE, &self.line), (ID, &self.id), (USER, &self.user), (HOST, &self.host)]
        {
            let bytes = text.as_bytes();
            let n = bytes.len().min(len);
            b[at..at + n].copy_from_slice(&bytes[..n]);
        }
        b[SESSION..SESSION + 4].copy_from_slice(&self.session.to_le_bytes());
        if let Some(t) = self.time {
            let (sec, usec) = (i32::try_from(t.as_second()).unwrap_or(0), t.subsec_microsecond());
            b[TV_SEC..TV_SEC + 4].copy_from_slice(&sec.to_le_bytes());
            b[TV_USEC..TV_USEC + 4].copy_from_slice(&usec.to_le_bytes());
        }
        b
    }
}

/// Why part of a utmp file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("utmp: cannot read `{field}` at byte {offset}: expected {expected} bytes, but found {found}")]
pub struct UtmpError {
    /// The offset in the file of the field.
    pub offset: usize,
    /// The field being read (`ut_type`, `ut_user`...).
    pub field: &'static str,
    /// How many bytes the field needs.
    pub expected: usize,
    /// How many were left.
    pub found: usize,
}

/// What a utmp file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Utmp {
    /// Every whole record, in file order.
    pub records: Vec<Record>,
    /// Why the end of the file was not read: a partial last record (a writer caught in
    /// the middle of a write, or not a utmp file at all).
    pub error: Option<UtmpError>,
}

/// Reads the fields of one record through bounds checks that name the field.
struct Fields<'a> {
    bytes: &'a [u8],
    /// The record's offset in the file, for errors.
    base: usize,
}

impl Fields<'_> {
    fn take<const N: usize>(&self, at: usize, field: &'static str) -> Result<[u8; N], UtmpError> {
        let found = self.bytes.len().saturating_sub(at).min(N);
        self.bytes.get(at..at + N).and_then(|s| <[u8; N]>::try_from(s).ok()).ok_or(UtmpError {
            offset: self.base + at,
            field,
            expected: N,
            found,
        })
    }

    fn i16(&self, at: usize, field: &'static str) -> Result<i16, UtmpError> {
        self.take::<2>(at, field).map(i16::from_le_bytes)
    }

    fn i32(&self, at: usize, field: &'static str) -> Result<i32, UtmpError> {
        self.take::<4>(at, field).map(i32::from_le_bytes)
    }

    /// A NUL-padded text field (not NUL-terminated when it fills the field). Bytes that
    /// are not UTF-8 are replaced: such a name never equals a real one.
    fn text(&self, (at, len): (usize, usize), field: &'static str) -> Result<String, UtmpError> {
        let found = self.bytes.len().saturating_sub(at).min(len);
        let raw = self.bytes.get(at..at + len).ok_or(UtmpError {
            offset: self.base + at,
            field,
            expected: len,
            found,
        })?;
        let end = raw.iter().position(|&c| c == 0).unwrap_or(raw.len());
        Ok(String::from_utf8_lossy(&raw[..end]).into_owned())
    }
}

fn record(bytes: &[u8], base: usize) -> Result<Record, UtmpError> {
    let f = Fields { bytes, base };
    let kind = f.i16(0, "ut_type")?;
    let pid = f.i32(4, "ut_pid")?;
    let line = f.text(LINE, "ut_line")?;
    let id = f.text(ID, "ut_id")?;
    let user = f.text(USER, "ut_user")?;
    let host = f.text(HOST, "ut_host")?;
    let session = f.i32(SESSION, "ut_session")?;
    let sec = f.i32(TV_SEC, "ut_tv.tv_sec")?;
    let usec = f.i32(TV_USEC, "ut_tv.tv_usec")?;
    // The reserved tail must be there too: a record is whole or it is not read.
    f.take::<20>(RECORD_SIZE - 20, "__glibc_reserved")?;
    let time =
        (0..1_000_000).contains(&usec).then(|| Timestamp::new(i64::from(sec), usec * 1000).ok()).flatten();
    Ok(Record { kind, pid, line, id, user, host, session, time })
}

/// Reads every whole record of `bytes`. Never fails and never panics: a partial last
/// record is reported in [`Utmp::error`], and records of any kind or content are
/// returned as they are.
pub fn parse(bytes: &[u8]) -> Utmp {
    let mut utmp = Utmp::default();
    let mut base = 0;
    while base < bytes.len() {
        let end = (base + RECORD_SIZE).min(bytes.len());
        match record(&bytes[base..end], base) {
            Ok(r) => utmp.records.push(r),
            Err(e) => {
                utmp.error = Some(e);
                break;
            }
        }
        base = end;
    }
    utmp
}

/// A user's session: a `USER_PROCESS` record, known by its terminal and process.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionKey {
    /// The terminal (`pts/3`).
    pub line: String,
    /// The session's process.
    pub pid: i32,
}

impl fmt::Display for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (pid {})", self.line, self.pid)
    }
}

/// A logged-on user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The user name.
    pub user: String,
    /// When the session began, as the record says.
    pub since: Option<Timestamp>,
}

/// The sessions of a utmp file, by terminal and process.
pub type Sessions = BTreeMap<SessionKey, Session>;

/// The user sessions among `records`: the `USER_PROCESS` records that name a user. A slot
/// reused for a new session is a new session (a new process on the same terminal).
pub fn sessions(records: &[Record]) -> Sessions {
    records
        .iter()
        .filter(|r| r.kind == USER_PROCESS && !r.user.is_empty())
        .map(|r| {
            (SessionKey { line: r.line.clone(), pid: r.pid }, Session { user: r.user.clone(), since: r.time })
        })
        .collect()
}

/// What changed between two readings of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    /// Sessions in the new reading and not in the old one: logons.
    pub logons: Vec<(SessionKey, Session)>,
    /// Sessions in the old reading and not in the new one: logoffs.
    pub logoffs: Vec<(SessionKey, Session)>,
}

impl Change {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.logons.is_empty() && self.logoffs.is_empty()
    }
}

/// The logons and logoffs from `old` to `new`.
pub fn diff(old: &Sessions, new: &Sessions) -> Change {
    let mut change = Change::default();
    for (k, s) in new {
        if old.get(k).is_none_or(|o| o.user != s.user) {
            change.logons.push((k.clone(), s.clone()));
        }
    }
    for (k, s) in old {
        if new.get(k).is_none_or(|n| n.user != s.user) {
            change.logoffs.push((k.clone(), s.clone()));
        }
    }
    change
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn file(records: &[Record]) -> Vec<u8> {
        records.iter().flat_map(|r| r.encode()).collect()
    }

    /// A record as glibc lays it out, byte by byte, independent of [`Record::encode`].
    fn glibc_record() -> Vec<u8> {
        let mut b = vec![0u8; RECORD_SIZE];
        b[0] = 7; // USER_PROCESS
        b[4..8].copy_from_slice(&4242i32.to_le_bytes());
        b[8..14].copy_from_slice(b"pts/17");
        b[40..44].copy_from_slice(b"s/17");
        // A user name that fills its field: no terminating NUL.
        b[44..76].copy_from_slice(b"abcdefghijklmnopqrstuvwxyz012345");
        b[76..87].copy_from_slice(b"10.0.0.1:22");
        b[336..340].copy_from_slice(&99i32.to_le_bytes());
        b[340..344].copy_from_slice(&1_767_225_600i32.to_le_bytes());
        b[344..348].copy_from_slice(&250_000i32.to_le_bytes());
        b
    }

    #[test]
    fn reads_the_glibc_layout() {
        let u = parse(&glibc_record());
        assert_eq!(u.error, None);
        assert_eq!(
            u.records,
            [Record {
                kind: USER_PROCESS,
                pid: 4242,
                line: "pts/17".into(),
                id: "s/17".into(),
                user: "abcdefghijklmnopqrstuvwxyz012345".into(),
                host: "10.0.0.1:22".into(),
                session: 99,
                time: Some(ts("2026-01-01T00:00:00.25Z")),
            }]
        );
        assert_eq!(u.records[0].encode().as_slice(), glibc_record().as_slice(), "encode is its inverse");
    }

    #[test]
    fn a_truncated_file_keeps_its_whole_records_and_names_the_field() {
        let t = ts("2026-01-01T00:00:00Z");
        let mut bytes = file(&[Record::user_process("pts/0", 1, "alice", t)]);
        let whole = bytes.len();
        bytes.extend_from_slice(&Record::user_process("pts/1", 2, "bob", t).encode()[..50]);
        let u = parse(&bytes);
        assert_eq!(u.records.len(), 1);
        assert_eq!(u.records[0].user, "alice");
        let e = u.error.unwrap();
        assert_eq!((e.offset, e.field, e.expected, e.found), (whole + 44, "ut_user", 32, 6));
        assert_eq!(e.to_string(), "utmp: cannot read `ut_user` at byte 428: expected 32 bytes, but found 6");
        // Cut inside the first field, and in the reserved tail.
        assert_eq!(parse(&[7]).error.unwrap().field, "ut_type");
        assert_eq!(parse(&bytes[..whole - 1]).error.unwrap().field, "__glibc_reserved");
        assert_eq!(parse(&[]), Utmp::default());
    }

    #[test]
    fn garbage_never_panics() {
        // Every length around a record's, filled with every byte pattern that matters:
        // NULs, 0xff (negative numbers, invalid UTF-8, an invalid time), and noise.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut noise = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        };
        for len in [0, 1, 2, 383, 384, 385, 767, 768, 1000] {
            for fill in [0u8, 0xff, 7] {
                let _ = parse(&vec![fill; len]);
            }
            let bytes: Vec<u8> = (0..len).map(|_| noise()).collect();
            let u = parse(&bytes);
            assert_eq!(u.records.len(), len / RECORD_SIZE);
            assert_eq!(u.error.is_some(), len % RECORD_SIZE != 0);
        }
        let u = parse(&[0xff; RECORD_SIZE]);
        assert_eq!((u.records[0].kind, u.records[0].pid, u.records[0].time), (-1, -1, None));
        assert!(u.records[0].user.chars().all(|c| c == char::REPLACEMENT_CHARACTER));
    }

    #[test]
    fn sessions_are_the_user_process_records() {
        let t = ts("2026-01-01T08:00:00Z");
        let mut dead = Record::user_process("pts/1", 11, "bob", t);
        dead.kind = DEAD_PROCESS;
        let nameless = Record::user_process("tty2", 12, "", t);
        let mut boot = Record::user_process("~", 0, "reboot", t);
        boot.kind = 2;
        let records = [Record::user_process("pts/0", 10, "alice", t), dead, nameless, boot];
        let s = sessions(&parse(&file(&records)).records);
        assert_eq!(s.len(), 1);
        let (k, v) = s.iter().next().unwrap();
        assert_eq!((k.line.as_str(), k.pid, v.user.as_str(), v.since), ("pts/0", 10, "alice", Some(t)));
    }

    #[test]
    fn diffing_finds_logons_and_logoffs() {
        let t = ts("2026-01-01T08:00:00Z");
        let read = |records: &[Record]| sessions(&parse(&file(records)).records);
        let before = read(&[
            Record::user_process("pts/0", 10, "alice", t),
            Record::user_process("pts/1", 11, "bob", t),
        ]);
        let mut bob_gone = Record::user_process("pts/1", 11, "bob", t);
        bob_gone.kind = DEAD_PROCESS;
        let after = read(&[
            Record::user_process("pts/0", 10, "alice", t),
            bob_gone,
            Record::user_process("pts/2", 12, "carol", t),
        ]);
        let c = diff(&before, &after);
        let names = |v: &[(SessionKey, Session)]| v.iter().map(|(_, s)| s.user.clone()).collect::<Vec<_>>();
        assert_eq!(names(&c.logons), ["carol"]);
        assert_eq!(names(&c.logoffs), ["bob"]);
        assert!(diff(&after, &after).is_empty(), "the same reading changes nothing");
        // bob's slot reused by a new session of bob's: a new process is a new logon.
        let again = read(&[Record::user_process("pts/1", 13, "bob", t)]);
        let c = diff(&before, &again);
        assert_eq!(names(&c.logons), ["bob"]);
        assert_eq!(c.logons[0].0.to_string(), "pts/1 (pid 13)");
        assert_eq!(names(&c.logoffs), ["alice", "bob"]);
    }
}

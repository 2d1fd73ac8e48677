//! What a `.job` file holds beyond sked's task model.

use std::fmt;

use jiff::civil::DateTime;

use super::status;

/// What a `.job` file holds beyond the task model, kept so that an unchanged task writes
/// back byte for byte.
///
/// Every field holds only what the model cannot: a field the model holds (the command, the
/// idle minutes, a trigger's start) is read from the [`sked_core::Task`] when writing, so
/// editing the task and writing it keeps everything else of the original file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobExtras {
    /// Product Version (offset 0): the Task Scheduler that wrote the file, `(major << 8) |
    /// minor`, e.g. `0x0601` for Windows 7 (MS-TSCH <11>). The File Version that follows it
    /// is always 1: any other value is rejected when reading.
    pub product_version: u16,
    /// Job UUID (offset 4).
    pub uuid: Guid,
    /// Error Retry Count (offset 24); never implemented by Windows, normally 0.
    pub error_retry_count: u16,
    /// Error Retry Interval in minutes (offset 26); never implemented, normally 0.
    pub error_retry_interval: u16,
    /// Exit Code (offset 40) of the last run, written by the service.
    pub exit_code: u32,
    /// Status (offset 44): an HRESULT such as [`status::READY`](super::status::READY).
    pub status: u32,
    /// The bits of Flags (offset 48) that the model does not hold: interactive, hidden,
    /// run-only-if-docked, run-if-connected-to-internet, run-only-if-logged-on, the
    /// application-name bit (AN) and undocumented high bits. Never holds a bit of
    /// [`flags::MODEL`](super::flags::MODEL); see [`flags`](super::flags) for the names.
    pub other_flags: u32,
    /// Most Recent Run Time (offset 52), exactly as stored.
    pub last_run: SystemTime,
    /// Running Instance Count (offset 68).
    pub running_instances: u16,
    /// The application name is empty and was stored as a lone NUL (count 1), not absent
    /// (count 0). Used only when the command is empty.
    pub application_name_nul: bool,
    /// The parameters are empty and were stored as a lone NUL (count 1), not absent (count
    /// 0). Used only when there are no arguments.
    pub parameters_nul: bool,
    /// The Parameters string exactly as stored, when joining the arguments it splits into
    /// does not give it back (extra spaces, needless quotes). Used only while it still
    /// splits into the task's arguments.
    pub parameters: Option<String>,
    /// User Data (`SetWorkItemData`), at most 65535 bytes.
    pub user_data: Vec<u8>,
    /// Reserved Data: `None` when its size is 0, else the 8-byte TASKRESERVED1.
    pub reserved: Option<TaskReserved>,
    /// What each trigger holds beyond the model, in file order.
    pub triggers: Vec<JobTriggerExtras>,
    /// The 64 signature bytes of a Job Signature block (version 1, minimum client version
    /// 1) that followed the triggers, if any.
    pub signature: Option<[u8; 64]>,
}

impl Default for JobExtras {
    /// The extras of a new task: Windows 7's product version, an all-zero UUID, status
    /// "not scheduled" (right for a task without triggers, MS-TSCH <12>), never run, and an
    /// all-zero reserved block as Windows 7 writes it.
    fn default() -> Self {
        JobExtras {
            product_version: 0x0601,
            uuid: Guid([0; 16]),
            error_retry_count: 0,
            error_retry_interval: 0,
            exit_code: 0,
            status: status::NOT_SCHEDULED,
            other_flags: 0,
            last_run: SystemTime::default(),
            running_instances: 0,
            application_name_nul: false,
            parameters_nul: false,
            parameters: None,
            user_data: Vec::new(),
            reserved: Some(TaskReserved::default()),
            triggers: Vec::new(),
            signature: None,
        }
    }
}

impl JobExtras {
    /// Is `bit` (one of [`flags`](super::flags)) set in [`JobExtras::other_flags`]?
    pub fn has_flag(&self, bit: u32) -> bool {
        self.other_flags & bit == bit
    }
}

/// The TASKRESERVED1 structure of the Reserved Data field (MS-TSCH 2.4.2.9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TaskReserved {
    /// Start Error: the HRESULT of the last attempt to start the task.
    pub start_error: u32,
    /// Task Flags: unused, normally 0.
    pub task_flags: u32,
}

/// What a trigger holds beyond the model (MS-TSCH 2.4.2.11). Each field is used only
/// while the model does not hold the same bytes, so a trigger edited to another type
/// drops what no longer applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct JobTriggerExtras {
    /// Reserved1 (offset 2).
    pub reserved1: u16,
    /// The begin date and start time of an event trigger (on idle, at startup, at logon),
    /// which sked's events do not have; `None` for the calendar types.
    pub event_start: Option<DateTime>,
    /// End Year, Month and Day as stored (offsets 10..16) when the model holds no end:
    /// HAS_END_DATE unset (the words may then be anything), or an event trigger. Zero when
    /// the model holds the end date.
    pub end_date: [u16; 3],
    /// MinutesDuration when the model holds no repetition (MinutesInterval is 0, or an
    /// event trigger); 0 otherwise.
    pub minutes_duration: u32,
    /// MinutesInterval of an event trigger; 0 otherwise.
    pub minutes_interval: u32,
    /// The rgFlags bits the model does not hold: unknown bits, KILL_AT_DURATION_END
    /// without repetition, and HAS_END_DATE and KILL_AT_DURATION_END of event triggers.
    pub flags: u32,
    /// The bits of Specific0, Specific1 and Specific2 (offsets 36..42) that the trigger
    /// type does not use, such as the unused top bit of a MONTHLYDATE day mask.
    pub specific: [u16; 3],
    /// Padding (offset 42).
    pub padding: u16,
    /// Reserved2 (offset 44).
    pub reserved2: u16,
    /// wRandomMinutesInterval (offset 46), "not currently used" by Windows.
    pub random_minutes: u16,
}

/// A SYSTEMTIME as stored: eight words, unchecked. All zero means the task never ran.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SystemTime {
    /// wYear.
    pub year: u16,
    /// wMonth, 1..=12.
    pub month: u16,
    /// wDayOfWeek, 0 = Sunday.
    pub weekday: u16,
    /// wDay.
    pub day: u16,
    /// wHour.
    pub hour: u16,
    /// wMinute.
    pub minute: u16,
    /// wSecond.
    pub second: u16,
    /// wMilliseconds.
    pub milliseconds: u16,
}

impl SystemTime {
    /// All zero: the task never ran.
    pub fn is_never(&self) -> bool {
        *self == SystemTime::default()
    }

    /// The civil date and time it holds (local time of the machine that ran the task), or
    /// `None` if it is not a valid date and time. The weekday word is not checked.
    pub fn to_datetime(&self) -> Option<DateTime> {
        let nanos = i32::from(self.milliseconds).checked_mul(1_000_000)?;
        DateTime::new(
            i16::try_from(self.year).ok()?,
            i8::try_from(self.month).ok()?,
            i8::try_from(self.day).ok()?,
            i8::try_from(self.hour).ok()?,
            i8::try_from(self.minute).ok()?,
            i8::try_from(self.second).ok()?,
            nanos,
        )
        .ok()
    }
}

/// A GUID in Windows byte order: Data1 (u32), Data2 and Data3 (u16) little-endian, then
/// eight bytes as they are. Displays as `{0DF2CFEB-5293-41E9-A45E-733720C2E1FA}`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// A UUID derived from `name` alone, for a new task: RFC 9562 version 8 (custom) whose
    /// other 122 bits are the 128-bit FNV-1a hash of the UTF-8 name. Windows makes random
    /// ones; sked's writer is a pure function, so the same task always gets the same UUID.
    pub fn from_name(name: &str) -> Guid {
        const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
        const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
        let mut h = OFFSET;
        for b in name.bytes() {
            h ^= u128::from(b);
            h = h.wrapping_mul(PRIME);
        }
        // Big-endian RFC layout: version in the high nibble of byte 6, variant 0b10 in byte 8.
        let mut rfc = h.to_be_bytes();
        rfc[6] = (rfc[6] & 0x0f) | 0x80;
        rfc[8] = (rfc[8] & 0x3f) | 0x80;
        let mut win = rfc;
        win[0..4].reverse();
        win[4..6].reverse();
        win[6..8].reverse();
        Guid(win)
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        let d1 = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let d2 = u16::from_le_bytes([b[4], b[5]]);
        let d3 = u16::from_le_bytes([b[6], b[7]]);
        write!(f, "{{{d1:08X}-{d2:04X}-{d3:04X}-{:02X}{:02X}-", b[8], b[9])?;
        for x in &b[10..] {
            write!(f, "{x:02X}")?;
        }
        f.write_str("}")
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::super::flags;
    use super::*;

    #[test]
    fn guid_displays_in_windows_order() {
        let g = Guid([
            0xeb, 0xcf, 0xf2, 0x0d, 0x93, 0x52, 0xe9, 0x41, 0xa4, 0x5e, 0x73, 0x37, 0x20, 0xc2, 0xe1, 0xfa,
        ]);
        assert_eq!(g.to_string(), "{0DF2CFEB-5293-41E9-A45E-733720C2E1FA}");
    }

    #[test]
    fn name_guids_are_stable_version_8() {
        let g = Guid::from_name("nightly/backup");
        assert_eq!(g, Guid::from_name("nightly/backup"));
        assert_ne!(g, Guid::from_name("nightly/backup2"));
        let s = g.to_string();
        // {xxxxxxxx-xxxx-8xxx-[89AB]xxx-xxxxxxxxxxxx}
        assert_eq!(&s[15..16], "8", "{s}");
        assert!("89AB".contains(&s[20..21]), "{s}");
        assert_eq!(Guid::from_name("").to_string(), "{6C62272E-07BB-8142-A2B8-21756295C58D}");
    }

    #[test]
    fn flags_helpers() {
        let x = JobExtras { other_flags: flags::HIDDEN | flags::APPLICATION_NAME, ..JobExtras::default() };
        assert!(x.has_flag(flags::HIDDEN));
        assert!(!x.has_flag(flags::INTERACTIVE));
    }

    #[test]
    fn system_time() {
        let t = SystemTime {
            year: 2013,
            month: 8,
            weekday: 6,
            day: 24,
            hour: 12,
            minute: 42,
            second: 0,
            milliseconds: 112,
        };
        assert_eq!(t.to_datetime().map(|d| d.to_string()).as_deref(), Some("2013-08-24T12:42:00.112"));
        assert!(SystemTime::default().is_never());
        assert_eq!(SystemTime::default().to_datetime(), None);
    }
}

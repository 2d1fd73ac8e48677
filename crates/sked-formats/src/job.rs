//! Task Scheduler 1.0 binary `.job` files (MS-TSCH 2.4).
//!
//! A `.job` file holds one task: a 68-byte fixed section, counted UTF-16 strings, user and
//! reserved data, 48-byte triggers and an optional signature block. [`read`] maps
//! everything the model can hold into a [`sked_core::Task`] and keeps the rest in
//! [`JobExtras`], so that [`write()`] gives back the very same bytes for an unchanged task.
//! Times in the file are civil times in the task's zone (sked's `semantics.md` §1).
//!
//! ```
//! use sked_formats::{ReadOptions, job};
//! use sked_core::TriggerKind;
//!
//! let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/job/wintask.job"));
//! let opts = ReadOptions { name: Some("GoogleUpdate".into()), ..ReadOptions::default() };
//! let doc = job::read(bytes, &opts)?;
//! let task = &doc.entries[0].task;
//! assert_eq!(task.args, ["/ua", "/installsource", "scheduler"]);
//! assert_eq!(task.triggers[0].kind, TriggerKind::Daily { every: 1 });
//! assert_eq!(job::write(&doc)?, bytes);
//! # Ok::<(), sked_formats::Error>(())
//! ```
//!
//! A file is rejected, with the byte offset and the field, where MS-TSCH 3.2.5.3.1 has the
//! server reject it: shorter than the fixed section, a file version other than 1, offsets
//! that do not match the layout, strings or triggers running past the end, a trigger size
//! other than 48, invalid dates or times in a trigger, bytes left over that are not a
//! signature block. Values sked's model cannot hold as read (a priority that is not one
//! of the four classes, a day interval of 0, an empty weekday, day or month mask, text
//! that is not UTF-16, a year after 9999) are rejected too.

mod bytes;
mod extras;
mod read;
mod write;

pub use extras::{Guid, JobExtras, JobTriggerExtras, SystemTime, TaskReserved};
pub use read::read;
pub use write::{losses, write};

/// The length of the fixed section (FIXDLEN_DATA).
pub const FIXED_LEN: usize = 68;

/// The length of one trigger (TASK_TRIGGER).
pub const TRIGGER_LEN: usize = 48;

/// The length of a signature block: two version words and 64 bytes.
pub const SIGNATURE_LEN: usize = 68;

/// Task flags (offset 48; MS-TSCH 2.3.7, the SDK's `SetFlags`).
pub mod flags {
    /// TASK_FLAG_INTERACTIVE: may interact with the logged-on user.
    pub const INTERACTIVE: u32 = 0x0001;
    /// TASK_FLAG_DELETE_WHEN_DONE (the model's `delete_when_done`).
    pub const DELETE_WHEN_DONE: u32 = 0x0002;
    /// TASK_FLAG_DISABLED (the model's `enabled`, inverted).
    pub const DISABLED: u32 = 0x0004;
    /// TASK_FLAG_START_ONLY_IF_IDLE (the model's `idle.start_only_if_idle`).
    pub const START_ONLY_IF_IDLE: u32 = 0x0010;
    /// TASK_FLAG_KILL_ON_IDLE_END (the model's `idle.stop_on_idle_end`).
    pub const KILL_ON_IDLE_END: u32 = 0x0020;
    /// TASK_FLAG_DONT_START_IF_ON_BATTERIES (the model's `power.no_start_on_batteries`).
    pub const DONT_START_IF_ON_BATTERIES: u32 = 0x0040;
    /// TASK_FLAG_KILL_IF_GOING_ON_BATTERIES (the model's `power.stop_on_batteries`).
    pub const KILL_IF_GOING_ON_BATTERIES: u32 = 0x0080;
    /// TASK_FLAG_RUN_ONLY_IF_DOCKED: unused by Windows.
    pub const RUN_ONLY_IF_DOCKED: u32 = 0x0100;
    /// TASK_FLAG_HIDDEN.
    pub const HIDDEN: u32 = 0x0200;
    /// TASK_FLAG_RUN_IF_CONNECTED_TO_INTERNET: not implemented by Windows.
    pub const RUN_IF_CONNECTED_TO_INTERNET: u32 = 0x0400;
    /// TASK_FLAG_RESTART_ON_IDLE_RESUME (the model's `idle.restart_on_idle_resume`).
    pub const RESTART_ON_IDLE_RESUME: u32 = 0x0800;
    /// TASK_FLAG_SYSTEM_REQUIRED (the model's `wake_to_run`).
    pub const SYSTEM_REQUIRED: u32 = 0x1000;
    /// TASK_FLAG_RUN_ONLY_IF_LOGGED_ON.
    pub const RUN_ONLY_IF_LOGGED_ON: u32 = 0x2000;
    /// TASK_APPLICATION_NAME ("AN"): set when the application name is not empty (MS-TSCH <13>).
    pub const APPLICATION_NAME: u32 = 0x0100_0000;
    /// The bits the task model holds; the others go to [`super::JobExtras::other_flags`].
    pub const MODEL: u32 = DELETE_WHEN_DONE
        | DISABLED
        | START_ONLY_IF_IDLE
        | KILL_ON_IDLE_END
        | DONT_START_IF_ON_BATTERIES
        | KILL_IF_GOING_ON_BATTERIES
        | RESTART_ON_IDLE_RESUME
        | SYSTEM_REQUIRED;
}

/// Trigger flags (rgFlags, trigger offset 28).
pub mod trigger_flags {
    /// TASK_TRIGGER_FLAG_HAS_END_DATE.
    pub const HAS_END_DATE: u32 = 0x1;
    /// TASK_TRIGGER_FLAG_KILL_AT_DURATION_END.
    pub const KILL_AT_DURATION_END: u32 = 0x2;
    /// TASK_TRIGGER_FLAG_DISABLED.
    pub const DISABLED: u32 = 0x4;
}

/// Status values (offset 44; MS-TSCH <10>).
pub mod status {
    /// SCHED_S_TASK_READY.
    pub const READY: u32 = 0x0004_1300;
    /// SCHED_S_TASK_RUNNING.
    pub const RUNNING: u32 = 0x0004_1301;
    /// SCHED_S_TASK_DISABLED.
    pub const DISABLED: u32 = 0x0004_1302;
    /// SCHED_S_TASK_HAS_NOT_RUN: what a new task with triggers gets (MS-TSCH <12>).
    pub const HAS_NOT_RUN: u32 = 0x0004_1303;
    /// SCHED_S_TASK_NO_MORE_RUNS.
    pub const NO_MORE_RUNS: u32 = 0x0004_1304;
    /// SCHED_S_TASK_NOT_SCHEDULED: what a new task without triggers gets (MS-TSCH <12>).
    pub const NOT_SCHEDULED: u32 = 0x0004_1305;
    /// SCHED_S_TASK_TERMINATED.
    pub const TERMINATED: u32 = 0x0004_1306;
    /// SCHED_S_TASK_NO_VALID_TRIGGERS.
    pub const NO_VALID_TRIGGERS: u32 = 0x0004_1307;
    /// SCHED_S_EVENT_TRIGGER.
    pub const EVENT_TRIGGER: u32 = 0x0004_1308;
}

/// Process priority classes (offset 32; winbase.h). ⚠ libyal's DTF swaps IDLE and HIGH.
pub mod priority {
    /// NORMAL_PRIORITY_CLASS.
    pub const NORMAL: u32 = 0x20;
    /// IDLE_PRIORITY_CLASS.
    pub const IDLE: u32 = 0x40;
    /// HIGH_PRIORITY_CLASS.
    pub const HIGH: u32 = 0x80;
    /// REALTIME_PRIORITY_CLASS.
    pub const REALTIME: u32 = 0x100;
}

/// Max Run Time meaning no limit (INFINITE).
pub const NO_TIME_LIMIT: u32 = 0xFFFF_FFFF;

/// Trigger types (TriggerType, trigger offset 32).
mod trigger_type {
    pub const ONCE: u32 = 0;
    pub const DAILY: u32 = 1;
    pub const WEEKLY: u32 = 2;
    pub const MONTHLY_DATE: u32 = 3;
    pub const MONTHLY_DOW: u32 = 4;
    pub const ON_IDLE: u32 = 5;
    pub const AT_SYSTEM_START: u32 = 6;
    pub const AT_LOGON: u32 = 7;

    /// The bits of Specific0..2 that a trigger type uses; the rest are kept as extras.
    pub fn used_bits(ty: u32) -> [u16; 3] {
        match ty {
            DAILY => [0xFFFF, 0, 0],
            WEEKLY => [0xFFFF, 0x7F, 0],
            // Days 1..31 in bits 0..30; bit 31 is unused in a .job (MS-TSCH 2.4.2.11.2).
            MONTHLY_DATE => [0xFFFF, 0x7FFF, 0x0FFF],
            MONTHLY_DOW => [0xFFFF, 0x7F, 0x0FFF],
            _ => [0, 0, 0],
        }
    }

    /// Is it one of the event types?
    pub fn is_event(ty: u32) -> bool {
        matches!(ty, ON_IDLE | AT_SYSTEM_START | AT_LOGON)
    }
}

/// The begin date and time written for an event trigger that has none: the earliest a
/// SYSTEMTIME holds, so the trigger is in force from the start.
fn default_event_start() -> jiff::civil::DateTime {
    jiff::civil::date(1601, 1, 1).at(0, 0, 0, 0)
}

#[cfg(test)]
mod tests;

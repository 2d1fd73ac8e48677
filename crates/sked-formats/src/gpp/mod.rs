//! Group Policy Preferences `ScheduledTasks.xml` (MS-GPPREF 2.2.1.18; windows-formats.md §5).
//!
//! A file holds items of four kinds ([`ItemKind`]): the v1 `Task` and `ImmediateTask`, whose
//! `<Properties>` attributes mirror a `.job` file, and the Vista+ `TaskV2` and
//! `ImmediateTaskV2`, which embed a Task Scheduler 2.0 `<Task>` read and written by
//! [`crate::xml`]. Each item becomes one [`Entry`]; its `action` (C, R, U, D; default U)
//! becomes [`Entry::action`].
//!
//! The v1 attributes are read by the errata of semantics.md §7, not by the published text:
//! `repeatTask="1"` repeats, `deleteWhenDone="1"` deletes, `maxRunTime` is in milliseconds,
//! `systemRequired` wakes the machine, `endYear` is the end year, `startHour` and
//! `startMinutes` are civil local time (written `"07"` or `"7"`), and `MONTHLY` with `week`
//! is monthly on weekdays (`days` a weekday mask), without it monthly on days (`days` a
//! day-of-month mask).
//!
//! A `cpassword` is never decrypted, stored or written: its key is public (MS14-025). The
//! item is read without it and a warning says why.
//!
//! The writer produces what GPMC writes: UTF-8 with a declaration, one item per line, CRLF.
//!
//! Where the sources are silent, sked decides:
//! - A v1 item without `enabled` is enabled (GPMC leaves it out of immediate tasks, which
//!   run); the other v1 booleans default to `0`, as GPPREF says.
//! - An item without `image` or `uid` gets the action's icon and a uid derived from its kind
//!   and name ([`derived_uid`]); the writer never invents a `changed` time (it has no clock).
//! - `<Filters>` and unknown item children and attributes are kept verbatim, in place.
//!   An element other than the four item kinds in `<ScheduledTasks>` is an error, so that a
//!   file from a newer GPMC is not silently cut down when written back.
//! - An idle condition exists when `startOnlyIfIdle` or `stopOnIdleEnd` is `1` or the task
//!   has an `IDLE` trigger; otherwise `idleMinutes`/`deadlineMinutes` are kept verbatim.
//! - A `MONTHLY` trigger's `interval` is kept but ignored (v1 has no month interval); the
//!   end date and repetition of an event trigger are kept but not applied.

mod read;
mod write;

use crate::{Document, Entry, Error, ReadOptions};

/// The clsid of the `ScheduledTasks` collection.
pub const COLLECTION_CLSID: &str = "{CC63F200-7309-4ba0-B154-A71CD118DBCC}";

/// The four kinds of item in `ScheduledTasks.xml` (GPPREF 2.2.1.18).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// `Task`: a v1 scheduled task with `<Triggers>`.
    Task,
    /// `ImmediateTask`: a v1 task that runs once when the policy applies.
    ImmediateTask,
    /// `TaskV2`: a Vista+ task embedding Task Scheduler 2.0 XML. What sked writes for a new
    /// task, since it holds the most of the model.
    #[default]
    TaskV2,
    /// `ImmediateTaskV2`: a Vista+ task that runs once when the policy applies.
    ImmediateTaskV2,
}

impl ItemKind {
    /// Every kind.
    pub const ALL: [ItemKind; 4] =
        [ItemKind::Task, ItemKind::ImmediateTask, ItemKind::TaskV2, ItemKind::ImmediateTaskV2];

    /// The element name.
    pub fn element(self) -> &'static str {
        match self {
            ItemKind::Task => "Task",
            ItemKind::ImmediateTask => "ImmediateTask",
            ItemKind::TaskV2 => "TaskV2",
            ItemKind::ImmediateTaskV2 => "ImmediateTaskV2",
        }
    }

    /// The clsid GPMC writes for the kind.
    pub fn clsid(self) -> &'static str {
        match self {
            ItemKind::Task => "{2DEECB1C-261F-4e13-9B21-16FB83BC03BD}",
            ItemKind::ImmediateTask => "{9F030D12-DDA3-4C26-8548-B7CE9151166A}",
            ItemKind::TaskV2 => "{D8896631-B747-47a7-84A6-C155337F3BC8}",
            ItemKind::ImmediateTaskV2 => "{9756B581-76EC-4169-9AFC-0CA8D43ADB5F}",
        }
    }

    /// The kind of an element name.
    pub fn from_element(name: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.element() == name)
    }

    /// True for the kinds that embed Task Scheduler 2.0 XML.
    pub fn is_v2(self) -> bool {
        matches!(self, ItemKind::TaskV2 | ItemKind::ImmediateTaskV2)
    }

    /// True for the kinds that run once when the policy applies.
    pub fn is_immediate(self) -> bool {
        matches!(self, ItemKind::ImmediateTask | ItemKind::ImmediateTaskV2)
    }
}

/// What a GPP item holds beyond the task model (and, for the v2 kinds, beyond the embedded
/// XML, which is in [`crate::Extras::xml`]). Every field is at its default for an item the
/// writer produced itself from a task.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GppExtras {
    /// The kind of item.
    pub kind: ItemKind,
    /// The item's `clsid` when it is not the kind's.
    pub clsid: Option<String>,
    /// The item's `name` when it is not the task's name (`Properties@name`).
    pub item_name: Option<String>,
    /// `status`.
    pub status: Option<String>,
    /// `image` (the icon) when it is not the one GPMC gives the action (0 C, 1 R, 2 U,
    /// 3 D; none for an `ImmediateTask`).
    pub image: Option<String>,
    /// `changed`, the UTC time of the last edit (`2007-07-06 20:54:40`).
    pub changed: Option<String>,
    /// `uid` when it is not the one sked derives from the kind and name.
    pub uid: Option<String>,
    /// `desc`.
    pub desc: Option<String>,
    /// `bypassErrors`.
    pub bypass_errors: Option<bool>,
    /// `userContext` (run in the logged-on user's security context).
    pub user_context: Option<bool>,
    /// `removePolicy` (remove the item when the policy no longer applies).
    pub remove_policy: Option<bool>,
    /// `disabled`: the item itself is switched off in GPMC.
    pub disabled: Option<bool>,
    /// Other attributes of the item, verbatim, in order.
    pub other_attributes: Vec<(String, String)>,
    /// `<Filters>` (item-level targeting), verbatim.
    pub filters: Option<String>,
    /// `<Filters>` comes before `<Properties>` (as GPMC writes immediate tasks).
    pub filters_first: bool,
    /// Unknown child elements of the item, verbatim.
    pub other_children: Vec<String>,
    /// `Properties@logonType` (`InteractiveToken`, `S4U`, `Password`, ...).
    pub logon_type: Option<String>,
    /// `Properties@args` of a v1 item as written, when joining the split arguments does not
    /// give it back.
    pub arguments: Option<String>,
    /// Other `<Properties>` attributes, verbatim, in order: unknown ones, and the idle
    /// minutes of a task without an idle condition.
    pub other_properties: Vec<(String, String)>,
    /// Per model trigger of a v1 `Task`: its attributes beyond the model.
    pub triggers: Vec<TriggerExtras>,
    /// The `<ScheduledTasks>` element around the items.
    pub collection: CollectionExtras,
}

/// The `<ScheduledTasks>` element, kept on each entry read from it; the writer takes it from
/// the first entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CollectionExtras {
    /// Its `clsid` when it is not [`COLLECTION_CLSID`].
    pub clsid: Option<String>,
    /// Its `disabled`.
    pub disabled: Option<bool>,
}

/// A v1 `<Trigger>`'s attributes beyond the model, verbatim, in order: unknown ones and
/// those the model cannot hold (the end date or repetition of an event trigger, the
/// `interval` of a `MONTHLY` trigger, an `IDLE` trigger's `idleMinute`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TriggerExtras {
    /// The attributes.
    pub other: Vec<(String, String)>,
}

impl GppExtras {
    /// True when nothing differs from what the writer produces by itself.
    pub fn is_default(&self) -> bool {
        *self == GppExtras::default()
    }
}

/// Reads a `ScheduledTasks.xml`: one entry per item, in file order.
pub fn read(input: &[u8], opts: &ReadOptions) -> Result<Document, Error> {
    let _ = opts;
    read::read(input)
}

/// Writes a `ScheduledTasks.xml` as GPMC does. Entries without GPP extras become `TaskV2`
/// items with action `U` for [`crate::Action::Update`], `R` for replace, and so on.
pub fn write(doc: &Document) -> Result<Vec<u8>, Error> {
    write::write(doc)
}

/// What of `entry` a GPP item of its kind (`TaskV2` for an entry without GPP extras) cannot
/// hold, one line per loss.
pub fn losses(entry: &Entry) -> Vec<String> {
    let kind = entry.extras.gpp.as_ref().map(|g| g.kind).unwrap_or_default();
    let mut out = write::losses(&entry.task, kind);
    if entry.task.name.contains('/') {
        out.push(format!(
            "the folder in `{}`: GPP creates tasks in the root folder, and the name keeps the `/`",
            entry.task.name
        ));
    }
    out
}

/// The `uid` sked gives an item that has none: a GUID derived from its kind and name, so
/// writing the same task twice gives the same file.
pub fn derived_uid(kind: ItemKind, name: &str) -> String {
    String::from_utf8_lossy(&uid_bytes(kind, name)).into_owned()
}

/// True when `uid` is the one [`derived_uid`] gives (compared without allocating: every item
/// read asks).
pub(crate) fn is_derived_uid(kind: ItemKind, name: &str, uid: &str) -> bool {
    uid.as_bytes() == uid_bytes(kind, name)
}

fn uid_bytes(kind: ItemKind, name: &str) -> [u8; 38] {
    let hash = |seed: u64| {
        kind.element()
            .bytes()
            .chain([0])
            .chain(name.bytes())
            .fold(seed, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3))
    };
    let value = (u128::from(hash(0xCBF2_9CE4_8422_2325)) << 64) | u128::from(hash(0x8422_2325_CBF2_9CE4));
    let mut out = [0u8; 38];
    out[0] = b'{';
    out[37] = b'}';
    let mut nibble = 0;
    for (i, slot) in out.iter_mut().enumerate().take(37).skip(1) {
        if matches!(i, 9 | 14 | 19 | 24) {
            *slot = b'-';
            continue;
        }
        let digit = ((value >> (124 - 4 * nibble)) & 0xF) as u8;
        *slot = if digit < 10 { b'0' + digit } else { b'A' + digit - 10 };
        nibble += 1;
    }
    out
}

/// The icon GPMC gives an action: 0 create, 1 replace, 2 update, 3 delete.
fn action_image(action: crate::Action) -> &'static str {
    match action {
        crate::Action::Create => "0",
        crate::Action::Replace => "1",
        crate::Action::Update => "2",
        crate::Action::Delete => "3",
    }
}

fn action_letter(action: crate::Action) -> &'static str {
    match action {
        crate::Action::Create => "C",
        crate::Action::Replace => "R",
        crate::Action::Update => "U",
        crate::Action::Delete => "D",
    }
}

/// The `image` the writer gives an item without one: the action's icon, none for an
/// `ImmediateTask` (GPMC writes none there).
fn default_image(kind: ItemKind, action: crate::Action) -> Option<&'static str> {
    (kind != ItemKind::ImmediateTask).then(|| action_image(action))
}

#[cfg(test)]
mod tests;

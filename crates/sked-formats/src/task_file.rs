//! sked's own task file (TOML), exactly as `task-file.md` says.
//!
//! [`read()`] parses the TOML with spans kept, walks every table in file order, turns each
//! `[[task]]` into a [`Task`] and runs [`Task::validate`] on it. Every problem, from a TOML
//! syntax error to a repetition that is not longer than its interval, becomes a
//! [`Diagnostic`] pointing at the key or value at fault; all of them are reported at once, in
//! file order. [`write()`] produces the canonical file: the key order of `task-file.md`,
//! defaults left out, kinds and `repeat` as inline tables.
//!
//! ```
//! use sked_formats::task_file;
//!
//! let text = r#"
//! [[task]]
//! name = "nightly/backup"
//! command = "/usr/local/bin/backup"
//!
//! [[task.trigger]]
//! daily = {}
//! start = "2026-01-07T06:00:00"
//! "#;
//! let doc = task_file::read(text.as_bytes())?;
//! let written = task_file::write(&doc)?;
//! assert_eq!(task_file::read(&written)?, doc);
//! # Ok::<(), sked_formats::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;
use sked_core::{
    CronExpr, Duration, End, ErrorKind, FieldPath, FoldPolicy, GapPolicy, IdleSettings, MONTH_NAMES,
    MonthDays, MonthSet, MultipleInstances, PowerSettings, Priority, Repetition, Segment, Start, Task,
    Trigger, TriggerKind, WEEKDAY_NAMES, WeekOfMonth, WeekSet, WeekdaySet, parse_month, parse_weekday,
    weekday_name,
};
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::gpp::GppExtras;
use crate::job::JobExtras;
use crate::jt::JtExtras;
use crate::schtasks::SchtasksExtras;
use crate::xml::XmlExtras;
use crate::{Action, Diagnostic, Document, Entry, Error, Extras, Location};

type Span = Range<usize>;
type Value<'i> = Spanned<DeValue<'i>>;
type Key<'i> = Spanned<DeString<'i>>;

/// The keys of a task, in the order `task-file.md` lists them (and [`write()`] writes them).
const TASK_KEYS: [&str; 19] = [
    "name",
    "command",
    "args",
    "working-dir",
    "comment",
    "author",
    "enabled",
    "time-zone",
    "run-as",
    "max-run-time",
    "multiple-instances",
    "start-when-available",
    "delete-when-done",
    "priority",
    "wake-to-run",
    "environment",
    "idle",
    "power",
    "trigger",
];

/// The keys of `[task.idle]`.
const IDLE_KEYS: [&str; 5] =
    ["start-only-if-idle", "idle-for", "wait-up-to", "stop-on-idle-end", "restart-on-idle-resume"];

/// The keys of `[task.power]`.
const POWER_KEYS: [&str; 2] = ["no-start-on-batteries", "stop-on-batteries"];

/// The trigger kinds; a trigger has exactly one of these keys.
const KIND_KEYS: [&str; 9] =
    ["once", "daily", "weekly", "monthly", "monthly-weekday", "cron", "at-startup", "at-logon", "on-idle"];

/// The keys of a trigger besides its kind.
const TRIGGER_KEYS: [&str; 7] = ["start", "end", "repeat", "random-delay", "enabled", "dst-gap", "dst-fold"];

/// The keys of `repeat`.
const REPEAT_KEYS: [&str; 3] = ["every", "for", "stop-at-end"];

/// The word for "no limit" in `max-run-time`.
const NO_LIMIT: &str = "none";

/// The weeks of the month, as `monthly-weekday` names them.
const WEEK_NAMES: [&str; 5] = ["first", "second", "third", "fourth", "last"];

/// Reads a task file: one or more `[[task]]` tables.
///
/// Fails with every problem found, each a [`Diagnostic`] with the line and column of the key
/// or value at fault, in file order: bytes that are not UTF-8, TOML syntax, unknown keys,
/// values of the wrong type or out of range, and every problem [`Task::validate`] finds.
/// Whether a time zone exists, and whether a trigger can ever fire, needs the time zone
/// database and is left to [`sked_core::Schedule::new`]; [`locate`] places its problems.
pub fn read(input: &[u8]) -> Result<Document, Error> {
    let text = match std::str::from_utf8(input) {
        Ok(text) => strip_bom(text),
        Err(e) => return Err(Error::one(not_utf8(input, &e))),
    };
    let (root, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        let mut diags: Vec<(usize, Diagnostic)> = syntax
            .iter()
            .map(|e| {
                let span = e.span().unwrap_or(0..0);
                let message = format!("invalid TOML: {}", e.message());
                (span.start, Diagnostic::error(at(text, &span), message))
            })
            .collect();
        diags.sort_by_key(|(offset, _)| *offset);
        return Err(Error::new(diags.into_iter().map(|(_, d)| d).collect()));
    }
    let mut reader = Reader { text, diags: Vec::new() };
    let root = root.get_ref();
    let tasks = reader.document(root);
    for (index, (task, failed)) in tasks.iter().enumerate() {
        if let Err(e) = task.validate() {
            for problem in e.problems() {
                if failed.covers(&problem.field, problem.kind) {
                    continue;
                }
                let span = find_span(root, index, &problem.field).unwrap_or(0..0);
                reader.error(&span, problem.message.clone());
            }
        }
    }
    if reader.diags.is_empty() {
        Ok(Document::from_tasks(tasks.into_iter().map(|(t, _)| t)))
    } else {
        reader.diags.sort_by_key(|(offset, _)| *offset);
        Err(Error::new(reader.diags.into_iter().map(|(_, d)| d).collect()))
    }
}

/// Where the field `field` of task `task_index` (from 0, in file order) is in `input`.
///
/// Points at the value at that path, or, when the file does not hold it (a missing `start`,
/// a default left out), at the nearest enclosing key or table header that it does hold. The
/// CLI uses it to place the problems that need the time zone database, such as an unknown
/// zone or a trigger that can never fire, which [`sked_core::Schedule::new`] reports.
/// Returns [`Location::None`] when the input is not a readable task file or has no such task.
pub fn locate(input: &[u8], task_index: usize, field: &FieldPath) -> Location {
    let Ok(text) = std::str::from_utf8(input) else {
        return Location::None;
    };
    let text = strip_bom(text);
    let (root, _) = DeTable::parse_recoverable(text);
    match find_span(root.get_ref(), task_index, field) {
        Some(span) => at(text, &span),
        None => Location::None,
    }
}

/// Writes a task file that reads back to the same tasks: the key order of `task-file.md`,
/// defaults left out, durations in their compact form, times as RFC 3339 strings.
///
/// Fails for an empty document (a task file holds at least one task) and for a time whose
/// year is outside 0000..=9999, which RFC 3339 cannot write. A task that fails
/// [`Task::validate`] is written as it is; reading it back reports the same problems.
pub fn write(doc: &Document) -> Result<Vec<u8>, Error> {
    if doc.entries.is_empty() {
        return Err(Error::one(Diagnostic::error(
            Location::None,
            "no task to write; a task file holds at least one task",
        )));
    }
    let mut out = String::new();
    let mut problems = Vec::new();
    for (i, entry) in doc.entries.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        write_task(&mut out, &entry.task, &mut problems);
    }
    if problems.is_empty() {
        Ok(out.into_bytes())
    } else {
        Err(Error::new(problems.into_iter().map(|m| Diagnostic::error(Location::None, m)).collect()))
    }
}

/// What a task file cannot hold of `entry`, one line per loss.
///
/// The task file holds the whole model; what it cannot hold is what a Windows format keeps
/// beside the model: an installation action other than create-or-replace, and the format's
/// [`Extras`].
pub fn losses(entry: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    // The action is data only in GPP, where each item says what to do; elsewhere (a
    // schtasks line without `/F`) it is how the line installs, which `sked apply` decides.
    if entry.extras.gpp.is_some() {
        action_loss(entry.action, &mut out);
    }
    extras_losses(&entry.extras, &mut out);
    out
}

fn action_loss(action: Action, out: &mut Vec<String>) {
    let (name, what) = match action {
        Action::Replace => return,
        Action::Create => ("Create", "create the task and fail if it exists"),
        Action::Update => ("Update", "change only the settings the item defines"),
        Action::Delete => ("Delete", "remove the task"),
    };
    out.push(format!("GPP action `{name}` ({what}): a task file always creates or replaces its tasks"));
}

/// One function per format, each destructuring its extras so that a field added to them
/// fails to compile here until its loss is described.
fn extras_losses(extras: &Extras, out: &mut Vec<String>) {
    let Extras { job, xml, gpp, schtasks, jt } = extras;
    if let Some(x) = job {
        job_losses(x, out);
    }
    if let Some(x) = xml {
        xml_losses(x, out);
    }
    if let Some(x) = gpp {
        gpp_losses(x, out);
    }
    if let Some(x) = schtasks {
        schtasks_losses(x, out);
    }
    if let Some(x) = jt {
        jt_losses(x, out);
    }
}

fn job_losses(extras: &JobExtras, out: &mut Vec<String>) {
    use crate::job::flags;
    // The UUID, versions, retry words, NUL-vs-absent strings, parameter quoting, reserved
    // words and unused union bits are how one .job file spells the task: the task itself
    // is whole without them.
    let JobExtras {
        product_version: _,
        uuid: _,
        error_retry_count: _,
        error_retry_interval: _,
        exit_code,
        status: _,
        other_flags,
        last_run,
        running_instances: _,
        application_name_nul: _,
        parameters_nul: _,
        parameters: _,
        user_data,
        reserved: _,
        triggers,
        signature,
    } = extras;
    if last_run.year != 0 {
        out.push(format!(
            ".job run state: last run {:04}-{:02}-{:02} {:02}:{:02} with exit code {exit_code}",
            last_run.year, last_run.month, last_run.day, last_run.hour, last_run.minute
        ));
    }
    for (bit, what) in [
        (flags::INTERACTIVE, "interactive (may interact with the logged-on user)"),
        (flags::HIDDEN, "hidden"),
        (flags::RUN_ONLY_IF_LOGGED_ON, "run only if the user is logged on"),
        (flags::RUN_ONLY_IF_DOCKED, "run only if docked"),
        (flags::RUN_IF_CONNECTED_TO_INTERNET, "run if connected to the internet"),
    ] {
        if other_flags & bit != 0 {
            out.push(format!(".job flag: {what}"));
        }
    }
    if !user_data.is_empty() {
        out.push(format!(".job user data ({} bytes)", user_data.len()));
    }
    if signature.is_some() {
        out.push(".job signature block".into());
    }
    for (i, t) in triggers.iter().enumerate() {
        if t.random_minutes != 0 {
            out.push(format!(".job trigger {}: random minutes interval {}", i + 1, t.random_minutes));
        }
    }
}

fn xml_losses(extras: &XmlExtras, out: &mut Vec<String>) {
    // Encoding, version, element layout, ids, the registration date and raw spellings are
    // how one XML file writes the task; the rest below changes what Windows would do.
    let XmlExtras {
        utf16: _,
        version: _,
        registration,
        principal,
        settings,
        exec,
        actions_context: _,
        no_actions_context: _,
        other_actions,
        triggers,
        other_triggers,
        data,
        other,
    } = extras;
    for (what, value) in [
        ("RegistrationInfo/Source", &registration.source),
        ("RegistrationInfo/Documentation", &registration.documentation),
        ("RegistrationInfo/SecurityDescriptor", &registration.security_descriptor),
        ("Principal/LogonType", &principal.logon_type),
        ("Principal/GroupId", &principal.group_id),
        ("Principal/RunLevel", &principal.run_level),
        ("Principal/ProcessTokenSidType", &principal.process_token_sid_type),
    ] {
        if let Some(v) = value {
            out.push(format!("Task Scheduler XML {what} `{v}`"));
        }
    }
    if !principal.required_privileges.is_empty() {
        out.push(format!(
            "Task Scheduler XML Principal/RequiredPrivileges ({})",
            principal.required_privileges.join(", ")
        ));
    }
    if let Some(p) = settings.priority {
        out.push(format!("Task Scheduler XML Settings/Priority {p} (kept as the nearest priority class)"));
    }
    if let Some(d) = settings.delete_expired_after {
        out.push(format!("Task Scheduler XML Settings/DeleteExpiredTaskAfter {d}"));
    }
    for (what, value) in [
        ("AllowStartOnDemand", settings.allow_start_on_demand),
        ("AllowHardTerminate", settings.allow_hard_terminate),
        ("Hidden", settings.hidden),
        ("RunOnlyIfNetworkAvailable", settings.run_only_if_network_available),
    ] {
        if let Some(v) = value {
            out.push(format!("Task Scheduler XML Settings/{what} {v}"));
        }
    }
    if settings.network_settings.is_some() {
        out.push("Task Scheduler XML Settings/NetworkSettings".into());
    }
    if let Some(r) = &settings.restart_on_failure {
        out.push(format!(
            "Task Scheduler XML Settings/RestartOnFailure every {} ({} times)",
            r.interval, r.count
        ));
    }
    if settings.idle_settings.is_some() {
        out.push("Task Scheduler XML Settings/IdleSettings of a task that does not wait for idleness".into());
    }
    for element in settings
        .other
        .iter()
        .chain(&registration.other)
        .chain(&principal.other)
        .chain(&exec.other)
        .chain(other)
    {
        out.push(format!("Task Scheduler XML element {}", first_tag(element)));
    }
    for (i, t) in triggers.iter().enumerate() {
        if let Some(limit) = t.execution_time_limit {
            out.push(format!("trigger {}: Task Scheduler XML ExecutionTimeLimit {limit}", i + 1));
        }
        if t.repetition.is_some() {
            out.push(format!("trigger {}: a repetition on an event trigger", i + 1));
        }
        for element in &t.other {
            out.push(format!("trigger {}: Task Scheduler XML element {}", i + 1, first_tag(element)));
        }
    }
    for kept in other_triggers {
        out.push(format!("a trigger sked cannot fire: {}", first_tag(&kept.xml)));
    }
    for kept in other_actions {
        out.push(format!("an action other than the first program: {}", first_tag(&kept.xml)));
    }
    if data.is_some() {
        out.push("Task Scheduler XML Data".into());
    }
}

/// The first tag of an XML fragment, for naming it in a loss.
fn first_tag(xml: &str) -> String {
    let name: String = xml
        .trim_start()
        .trim_start_matches('<')
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        .collect();
    format!("<{name}>")
}

fn gpp_losses(extras: &GppExtras, out: &mut Vec<String>) {
    use crate::gpp::ItemKind;
    // The clsid, uid, image, status and change stamp identify one item in one GPO; the
    // quoted arguments and layout are spelling.
    let GppExtras {
        kind,
        clsid: _,
        item_name: _,
        status: _,
        image: _,
        changed: _,
        uid: _,
        desc,
        bypass_errors,
        user_context,
        remove_policy,
        disabled,
        other_attributes,
        filters,
        filters_first: _,
        other_children,
        logon_type,
        arguments: _,
        other_properties,
        triggers,
        collection: _,
    } = extras;
    if matches!(kind, ItemKind::ImmediateTask | ItemKind::ImmediateTaskV2) {
        out.push("GPP immediate task (runs once when the policy applies)".into());
    }
    if let Some(d) = desc {
        out.push(format!("GPP item description `{d}`"));
    }
    for (what, value) in [
        ("bypassErrors", bypass_errors),
        ("userContext", user_context),
        ("removePolicy", remove_policy),
        ("disabled", disabled),
    ] {
        if *value == Some(true) {
            out.push(format!("GPP item attribute {what}=\"1\""));
        }
    }
    if filters.is_some() {
        out.push("GPP item filters (targeting)".into());
    }
    if let Some(l) = logon_type {
        out.push(format!("GPP logonType `{l}`"));
    }
    for (k, v) in other_attributes.iter().chain(other_properties) {
        out.push(format!("GPP attribute {k}=\"{v}\""));
    }
    for child in other_children {
        out.push(format!("GPP element {}", first_tag(child)));
    }
    for (i, t) in triggers.iter().enumerate() {
        for (k, v) in &t.other {
            out.push(format!("trigger {}: GPP attribute {k}=\"{v}\"", i + 1));
        }
    }
}

fn schtasks_losses(extras: &SchtasksExtras, out: &mut Vec<String>) {
    // `schedule` and `run_as` only choose how schtasks spells what the model holds (MINUTE
    // and HOURLY are repeating daily triggers; `SYSTEM` is `run-as = "SYSTEM"`), and
    // `task_run` only how /TR quoted the arguments the model holds: nothing is lost.
    let SchtasksExtras {
        schedule: _,
        run_as: _,
        task_run: _,
        interactive,
        no_password,
        run_level,
        v1,
        hresult,
    } = extras;
    if *interactive {
        out.push("schtasks /IT (run only while the user is logged on)".into());
    }
    if *no_password {
        out.push("schtasks /NP (run without storing a password: S4U)".into());
    }
    if let Some(level) = run_level
        && *level == crate::schtasks::RunLevel::Highest
    {
        out.push("schtasks /RL HIGHEST (run with the highest privileges)".into());
    }
    if *v1 {
        out.push("schtasks /V1 (a task visible to Windows versions before Vista)".into());
    }
    if *hresult {
        out.push("schtasks /HRESULT (exit codes as HRESULTs)".into());
    }
}

fn jt_losses(extras: &JtExtras, out: &mut Vec<String>) {
    // `parameters` only keeps how the arguments the model holds were quoted.
    let JtExtras { parameters: _, run_only_if_logged_on, hidden } = extras;
    if *run_only_if_logged_on {
        out.push("JT RunOnlyIfLoggedOn (run only while the user is logged on)".into());
    }
    if *hidden {
        out.push("JT Hidden (the task is hidden)".into());
    }
}

// ---------------------------------------------------------------------------------------
// Reading

/// A UTF-8 byte order mark is not part of the TOML (Windows editors write one).
fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn at(text: &str, span: &Span) -> Location {
    Location::in_text(text, span.start, span.end)
}

fn not_utf8(input: &[u8], e: &std::str::Utf8Error) -> Diagnostic {
    let offset = e.valid_up_to();
    // The lossy text is the same as the input up to the bad byte, so offsets agree.
    let lossy = String::from_utf8_lossy(input);
    let byte = input.get(offset).copied().unwrap_or(0);
    Diagnostic::error(
        Location::in_text(&lossy, offset, offset + 1),
        format!("expected UTF-8 text, but found byte `0x{byte:02X}`, which is not UTF-8"),
    )
}

/// Where reading one task failed, so that validation does not report the same fault again
/// (a bad `start` is read as none, and validation would add "needs `start`").
#[derive(Debug, Default)]
struct Failed {
    /// Fields whose value was reported and replaced by a default.
    paths: Vec<FieldPath>,
    /// Triggers whose kind is missing or unreadable: checks that depend on the kind are moot.
    kinds: Vec<usize>,
}

impl Failed {
    fn covers(&self, field: &FieldPath, kind: ErrorKind) -> bool {
        let overlaps = |p: &FieldPath| {
            let (a, b) = (p.segments(), field.segments());
            a.starts_with(b) || b.starts_with(a)
        };
        if self.paths.iter().any(overlaps) {
            return true;
        }
        match field.segments() {
            [Segment::Key("trigger"), Segment::Index(i), ..] => {
                self.kinds.contains(i) && matches!(kind, ErrorKind::MissingField | ErrorKind::Conflict)
            }
            _ => false,
        }
    }
}

/// Walks the parsed TOML, collecting diagnostics with their byte offsets.
struct Reader<'t> {
    text: &'t str,
    diags: Vec<(usize, Diagnostic)>,
}

/// The entries of a table in file order (the TOML map is sorted by key).
fn entries<'a, 'i>(table: &'a DeTable<'i>) -> Vec<(&'a Key<'i>, &'a Value<'i>)> {
    let mut v: Vec<_> = table.iter().collect();
    v.sort_by_key(|(k, _)| k.span().start);
    v
}

/// `a`, `b` and `c` as "`a`, `b` or `c`".
fn one_of(names: &[&str]) -> String {
    let mut out = String::new();
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == names.len() { " or " } else { ", " });
        }
        let _ = write!(out, "`{n}`");
    }
    out
}

/// The known name closest to `found`, when it is close enough to be a typo.
fn suggestion<'k>(found: &str, known: &[&'k str]) -> Option<&'k str> {
    let found = found.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&found, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4) && *d < k.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Sets `$target` from an `Option`, or records `$path` as failed.
macro_rules! set {
    ($failed:expr, $path:expr, $target:expr, $value:expr) => {
        match $value {
            Some(v) => $target = v,
            None => $failed.paths.push($path),
        }
    };
}

impl Reader<'_> {
    fn error(&mut self, span: &Span, message: String) {
        self.diags.push((span.start, Diagnostic::error(at(self.text, span), message)));
    }

    /// The source text of a value, shortened to one line of at most 40 characters.
    fn snippet(&self, span: &Span) -> String {
        let raw = self.text.get(span.clone()).unwrap_or("");
        let line = raw.lines().next().unwrap_or("");
        let mut out: String = line.chars().take(40).collect();
        if out.len() < raw.len() {
            out.push('…');
        }
        out
    }

    fn type_error(&mut self, key: &str, v: &Value<'_>, expected: &str) {
        let message = format!(
            "expected {expected} for `{key}`, but found {} `{}`",
            type_name(v.get_ref()),
            self.snippet(&v.span())
        );
        self.error(&v.span(), message);
    }

    /// Reports an unknown key; returns the known key it is likely a typo of.
    fn unknown_key<'k>(&mut self, key: &Key<'_>, place: &str, known: &[&'k str]) -> Option<&'k str> {
        let name = key.get_ref();
        let mut message = format!("unknown key `{name}` in {place}; expected one of {}", one_of(known));
        let suggested = suggestion(name, known);
        if let Some(s) = suggested {
            let _ = write!(message, " (did you mean `{s}`?)");
        }
        self.error(&key.span(), message);
        suggested
    }

    fn bad_value(&mut self, key: &str, v: &Value<'_>, expected: &str) {
        let message = format!("expected {expected} for `{key}`, but found `{}`", self.snippet(&v.span()));
        self.error(&v.span(), message);
    }

    fn document(&mut self, root: &DeTable<'_>) -> Vec<(Task, Failed)> {
        let mut tasks = Vec::new();
        for (key, value) in entries(root) {
            if key.get_ref() != "task" {
                self.unknown_key(key, "the file", &["task"]);
                continue;
            }
            let DeValue::Array(array) = value.get_ref() else {
                self.type_error("task", value, "`[[task]]` tables");
                continue;
            };
            for element in array.iter() {
                match element.get_ref() {
                    DeValue::Table(table) => tasks.push(self.task(table, &element.span())),
                    _ => self.type_error("task", element, "a `[[task]]` table"),
                }
            }
        }
        if tasks.is_empty() && self.diags.is_empty() {
            self.error(&(0..0), "expected at least one `[[task]]` table, but found none".into());
        }
        tasks
    }

    fn task(&mut self, table: &DeTable<'_>, span: &Span) -> (Task, Failed) {
        let mut task = Task::new("", "");
        let mut failed = Failed::default();
        let mut name = None;
        let mut command = None;
        let mut trigger_count = 0;
        // Known keys that an unknown key was taken for: not reported missing as well.
        let mut typos = Vec::new();
        for (key, v) in entries(table) {
            let k = key.get_ref().as_ref();
            let path = |k: &'static str| FieldPath::key(k);
            match k {
                "name" => set!(failed, path("name"), name, self.string(k, v).map(Some)),
                "command" => set!(failed, path("command"), command, self.string(k, v).map(Some)),
                "args" => set!(failed, path("args"), task.args, self.strings(k, v)),
                "working-dir" => {
                    set!(failed, path("working-dir"), task.working_dir, self.string(k, v).map(Some))
                }
                "comment" => set!(failed, path("comment"), task.comment, self.string(k, v).map(Some)),
                "author" => set!(failed, path("author"), task.author, self.string(k, v).map(Some)),
                "enabled" => set!(failed, path("enabled"), task.enabled, self.boolean(k, v)),
                "time-zone" => set!(failed, path("time-zone"), task.time_zone, self.string(k, v).map(Some)),
                "run-as" => set!(failed, path("run-as"), task.run_as, self.string(k, v).map(Some)),
                "max-run-time" => {
                    set!(failed, path("max-run-time"), task.max_run_time, self.max_run_time(k, v))
                }
                "multiple-instances" => set!(
                    failed,
                    path("multiple-instances"),
                    task.multiple_instances,
                    self.choice(
                        k,
                        v,
                        &MultipleInstances::ALL.map(MultipleInstances::name),
                        MultipleInstances::parse
                    )
                ),
                "start-when-available" => {
                    set!(failed, path("start-when-available"), task.start_when_available, self.boolean(k, v))
                }
                "delete-when-done" => {
                    set!(failed, path("delete-when-done"), task.delete_when_done, self.boolean(k, v))
                }
                "priority" => set!(
                    failed,
                    path("priority"),
                    task.priority,
                    self.choice(k, v, &Priority::ALL.map(Priority::name), Priority::parse)
                ),
                "wake-to-run" => set!(failed, path("wake-to-run"), task.wake_to_run, self.boolean(k, v)),
                "environment" => set!(failed, path("environment"), task.environment, self.environment(k, v)),
                "idle" => set!(failed, path("idle"), task.idle, self.idle(v, &mut failed).map(Some)),
                "power" => set!(failed, path("power"), task.power, self.power(v, &mut failed).map(Some)),
                "trigger" => {
                    let DeValue::Array(array) = v.get_ref() else {
                        self.type_error(k, v, "`[[task.trigger]]` tables");
                        failed.paths.push(path("trigger"));
                        continue;
                    };
                    for element in array.iter() {
                        let index = trigger_count;
                        trigger_count += 1;
                        task.triggers.push(self.trigger(index, element, &mut failed));
                    }
                }
                _ => {
                    if let Some(meant) = self.unknown_key(key, "`[[task]]`", &TASK_KEYS) {
                        typos.push(meant);
                    }
                }
            }
        }
        match name {
            Some(name) => task.name = name,
            None if failed.paths.contains(&FieldPath::key("name")) => {}
            None if typos.contains(&"name") => failed.paths.push(FieldPath::key("name")),
            None => {
                failed.paths.push(FieldPath::key("name"));
                self.missing_in_task(span, "`name`, such as `name = \"nightly/backup\"`");
            }
        }
        match command {
            Some(command) => task.command = command,
            None if failed.paths.contains(&FieldPath::key("command")) => {}
            None if typos.contains(&"command") => failed.paths.push(FieldPath::key("command")),
            None => {
                failed.paths.push(FieldPath::key("command"));
                self.missing_in_task(
                    span,
                    "`command`, the program to run, such as `command = \"/usr/local/bin/backup\"`",
                );
            }
        }
        (task, failed)
    }

    /// A missing required task key, pointed at the task's `[[task]]` header.
    fn missing_in_task(&mut self, span: &Span, what: &str) {
        self.error(span, format!("a task needs {what}, but found none"));
    }

    fn string(&mut self, key: &str, v: &Value<'_>) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.type_error(key, v, "a string");
                None
            }
        }
    }

    fn strings(&mut self, key: &str, v: &Value<'_>) -> Option<Vec<String>> {
        let DeValue::Array(array) = v.get_ref() else {
            self.type_error(key, v, "an array of strings");
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for element in array.iter() {
            match self.string(key, element) {
                Some(s) => out.push(s),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn boolean(&mut self, key: &str, v: &Value<'_>) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.type_error(key, v, "`true` or `false`");
                None
            }
        }
    }

    /// A whole number for `every`: 0 passes, for [`Task::validate`] to explain.
    fn count(&mut self, key: &str, v: &Value<'_>) -> Option<u32> {
        let DeValue::Integer(i) = v.get_ref() else {
            self.type_error(key, v, "a whole number of at least 1");
            return None;
        };
        match u32::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Some(n),
            Err(_) => {
                self.bad_value(key, v, "a whole number of at least 1");
                None
            }
        }
    }

    fn duration(&mut self, key: &str, v: &Value<'_>) -> Option<Duration> {
        let DeValue::String(s) = v.get_ref() else {
            self.type_error(key, v, "a duration such as \"90s\", \"10m\" or \"1h30m\"");
            return None;
        };
        match s.parse::<Duration>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(&v.span(), e.to_string());
                None
            }
        }
    }

    fn max_run_time(&mut self, key: &str, v: &Value<'_>) -> Option<Option<Duration>> {
        if let DeValue::String(s) = v.get_ref()
            && s.trim().eq_ignore_ascii_case(NO_LIMIT)
        {
            return Some(None);
        }
        self.duration(key, v).map(Some)
    }

    /// One of `names`, read with `parse`.
    fn choice<T>(
        &mut self,
        key: &str,
        v: &Value<'_>,
        names: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let expected = format!("one of {}", one_of(names));
        let DeValue::String(s) = v.get_ref() else {
            self.type_error(key, v, &expected);
            return None;
        };
        let found = parse(s).or_else(|| parse(&s.trim().to_ascii_lowercase()));
        if found.is_none() {
            self.bad_value(key, v, &expected);
        }
        found
    }

    fn environment(&mut self, key: &str, v: &Value<'_>) -> Option<BTreeMap<String, String>> {
        let DeValue::Table(table) = v.get_ref() else {
            self.type_error(key, v, "a table of variables such as `{ LANG = \"C.UTF-8\" }`");
            return None;
        };
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (name, value) in entries(table) {
            match self.string(name.get_ref(), value) {
                Some(s) => {
                    out.insert(name.get_ref().to_string(), s);
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn idle(&mut self, v: &Value<'_>, failed: &mut Failed) -> Option<IdleSettings> {
        let DeValue::Table(table) = v.get_ref() else {
            self.type_error("idle", v, "a `[task.idle]` table");
            return None;
        };
        let mut idle = IdleSettings::default();
        for (key, v) in entries(table) {
            let k = key.get_ref().as_ref();
            let path = |k: &'static str| FieldPath::keys(&["idle", k]);
            match k {
                "start-only-if-idle" => {
                    set!(failed, path("start-only-if-idle"), idle.start_only_if_idle, self.boolean(k, v))
                }
                "idle-for" => set!(failed, path("idle-for"), idle.idle_for, self.duration(k, v)),
                "wait-up-to" => set!(failed, path("wait-up-to"), idle.wait_up_to, self.duration(k, v)),
                "stop-on-idle-end" => {
                    set!(failed, path("stop-on-idle-end"), idle.stop_on_idle_end, self.boolean(k, v))
                }
                "restart-on-idle-resume" => set!(
                    failed,
                    path("restart-on-idle-resume"),
                    idle.restart_on_idle_resume,
                    self.boolean(k, v)
                ),
                _ => {
                    self.unknown_key(key, "`[task.idle]`", &IDLE_KEYS);
                }
            }
        }
        Some(idle)
    }

    fn power(&mut self, v: &Value<'_>, failed: &mut Failed) -> Option<PowerSettings> {
        let DeValue::Table(table) = v.get_ref() else {
            self.type_error("power", v, "a `[task.power]` table");
            return None;
        };
        let mut power = PowerSettings::default();
        for (key, v) in entries(table) {
            let k = key.get_ref().as_ref();
            let path = |k: &'static str| FieldPath::keys(&["power", k]);
            match k {
                "no-start-on-batteries" => set!(
                    failed,
                    path("no-start-on-batteries"),
                    power.no_start_on_batteries,
                    self.boolean(k, v)
                ),
                "stop-on-batteries" => {
                    set!(failed, path("stop-on-batteries"), power.stop_on_batteries, self.boolean(k, v))
                }
                _ => {
                    self.unknown_key(key, "`[task.power]`", &POWER_KEYS);
                }
            }
        }
        Some(power)
    }

    fn trigger(&mut self, index: usize, v: &Value<'_>, failed: &mut Failed) -> Trigger {
        let mut trigger = Trigger::new(TriggerKind::Once);
        let DeValue::Table(table) = v.get_ref() else {
            self.type_error("trigger", v, "a `[[task.trigger]]` table");
            failed.paths.push(FieldPath::trigger(index, &[]));
            return trigger;
        };
        let path = |k: &'static str| FieldPath::trigger(index, &[k]);
        // The first kind key, and whether it was read.
        let mut kind: Option<(&str, bool)> = None;
        // An unknown key taken for a kind (`dayly`): the missing kind is not reported again.
        let mut kind_typo = false;
        for (key, v) in entries(table) {
            let k = key.get_ref().as_ref();
            if let Some(&kind_key) = KIND_KEYS.iter().find(|n| **n == k) {
                if let Some((first, _)) = kind {
                    self.error(
                        &key.span(),
                        format!(
                            "expected exactly one kind in a trigger, but found `{first}` and `{k}`; put each in its own `[[task.trigger]]`"
                        ),
                    );
                    // Its own faults are reported too; the first kind is the one validated.
                    self.kind(index, kind_key, v, &mut Failed::default());
                    continue;
                }
                let read = self.kind(index, kind_key, v, failed);
                if let Some(read) = &read {
                    trigger.kind = read.clone();
                }
                kind = Some((kind_key, read.is_some()));
                continue;
            }
            match k {
                "start" => set!(failed, path("start"), trigger.start, self.start(k, v).map(Some)),
                "end" => set!(failed, path("end"), trigger.end, self.end(k, v).map(Some)),
                "repeat" => set!(failed, path("repeat"), trigger.repeat, self.repeat(v).map(Some)),
                "random-delay" => {
                    set!(failed, path("random-delay"), trigger.random_delay, self.duration(k, v).map(Some))
                }
                "enabled" => set!(failed, path("enabled"), trigger.enabled, self.boolean(k, v)),
                "dst-gap" => set!(
                    failed,
                    path("dst-gap"),
                    trigger.dst_gap,
                    self.choice(k, v, &GapPolicy::ALL.map(GapPolicy::name), GapPolicy::parse)
                ),
                "dst-fold" => set!(
                    failed,
                    path("dst-fold"),
                    trigger.dst_fold,
                    self.choice(k, v, &FoldPolicy::ALL.map(FoldPolicy::name), FoldPolicy::parse)
                ),
                _ => {
                    let known: Vec<&str> = KIND_KEYS.iter().chain(&TRIGGER_KEYS).copied().collect();
                    let meant = self.unknown_key(key, "`[[task.trigger]]`", &known);
                    kind_typo |= meant.is_some_and(|m| KIND_KEYS.contains(&m));
                }
            }
        }
        match kind {
            Some((_, true)) => {}
            Some((_, false)) => failed.kinds.push(index),
            None if kind_typo => failed.kinds.push(index),
            None => {
                failed.kinds.push(index);
                self.error(
                    &v.span(),
                    format!("expected a trigger kind, one of {}, but found none", one_of(&KIND_KEYS)),
                );
            }
        }
        trigger
    }

    /// The settings of a kind, with its keys checked against `known`, and the known keys
    /// that unknown ones were taken for.
    fn kind_table<'a, 'i, 'k>(
        &mut self,
        kind: &str,
        v: &'a Value<'i>,
        known: &[&'k str],
        example: &str,
    ) -> Option<KindSettings<'a, 'i, 'k>> {
        let DeValue::Table(table) = v.get_ref() else {
            self.type_error(kind, v, &format!("a table such as `{kind} = {example}`"));
            return None;
        };
        let mut out = Vec::new();
        let mut typos = Vec::new();
        for (key, value) in entries(table) {
            if known.contains(&key.get_ref().as_ref()) {
                out.push((key, value));
            } else if known.is_empty() {
                let message = format!(
                    "unknown key `{}` in `{kind}`; `{kind}` takes no settings: write `{kind} = {{}}`",
                    key.get_ref()
                );
                self.error(&key.span(), message);
            } else {
                typos.extend(self.unknown_key(key, &format!("`{kind}`"), known));
            }
        }
        Some((out, typos))
    }

    fn kind(
        &mut self,
        index: usize,
        kind: &'static str,
        v: &Value<'_>,
        failed: &mut Failed,
    ) -> Option<TriggerKind> {
        let path = |k: &'static str| FieldPath::trigger(index, &[kind, k]);
        if kind == "cron" {
            let DeValue::String(s) = v.get_ref() else {
                self.type_error(
                    kind,
                    v,
                    "a cron expression such as \"30 6 * * mon-fri\" (minute hour day-of-month month day-of-week)",
                );
                return None;
            };
            return match s.parse::<CronExpr>() {
                Ok(c) => Some(TriggerKind::Cron(c)),
                Err(e) => {
                    self.error(&v.span(), e.to_string());
                    None
                }
            };
        }
        let (known, example): (&[&str], &str) = match kind {
            "once" | "on-idle" => (&[], "{}"),
            "daily" => (&["every"], "{ every = 1 }"),
            "weekly" => (&["every", "days"], "{ every = 1, days = [\"mon\"] }"),
            "monthly" => (&["every", "days", "months"], "{ days = [1, \"last\"] }"),
            "monthly-weekday" => (&["weeks", "days", "months"], "{ weeks = [\"first\"], days = [\"mon\"] }"),
            "at-startup" => (&["delay"], "{ delay = \"30s\" }"),
            _ => (&["user", "delay"], "{ user = \"alice\" }"),
        };
        let (entries, typos) = self.kind_table(kind, v, known, example)?;
        let mut every = 1;
        let mut weekdays = None;
        let mut month_days = None;
        let mut weeks = None;
        let mut months = MonthSet::ALL;
        let mut delay = Duration::ZERO;
        let mut user = None;
        for (key, value) in entries {
            let k = key.get_ref().as_ref();
            match k {
                "every" => set!(failed, path("every"), every, self.count(k, value)),
                "days" if kind == "monthly" => {
                    set!(failed, path("days"), month_days, self.month_days(k, value).map(Some))
                }
                "days" => set!(failed, path("days"), weekdays, self.weekdays(k, value).map(Some)),
                "weeks" => set!(failed, path("weeks"), weeks, self.weeks(k, value).map(Some)),
                "months" => set!(failed, path("months"), months, self.months(k, value)),
                "delay" => set!(failed, path("delay"), delay, self.duration(k, value)),
                _ => set!(failed, path("user"), user, self.string(k, value).map(Some)),
            }
        }
        // A required list that is absent is reported here; one that failed was reported
        // where it failed. Either way the kind is built with an empty list and the path is
        // marked, so validation's "no day given" is not added.
        let mut required = |present: bool, name: &'static str, example: &str| {
            let p = path(name);
            if !present && typos.contains(&name) {
                failed.paths.push(p);
            } else if !present && !failed.paths.contains(&p) {
                failed.paths.push(p);
                self.error(
                    &v.span(),
                    format!("a `{kind}` trigger needs `{name}`, such as `{example}`, but found none"),
                );
            }
        };
        Some(match kind {
            "once" => TriggerKind::Once,
            "on-idle" => TriggerKind::OnIdle,
            "daily" => TriggerKind::Daily { every },
            "weekly" => {
                required(weekdays.is_some(), "days", "days = [\"mon\", \"fri\"]");
                TriggerKind::Weekly { every, days: weekdays.unwrap_or(WeekdaySet::EMPTY) }
            }
            "monthly" => {
                required(month_days.is_some(), "days", "days = [1, 15, \"last\"]");
                TriggerKind::Monthly { every, days: month_days.unwrap_or(MonthDays::EMPTY), months }
            }
            "monthly-weekday" => {
                required(weeks.is_some(), "weeks", "weeks = [\"first\", \"last\"]");
                required(weekdays.is_some(), "days", "days = [\"mon\"]");
                TriggerKind::MonthlyWeekday {
                    weeks: weeks.unwrap_or(WeekSet::EMPTY),
                    days: weekdays.unwrap_or(WeekdaySet::EMPTY),
                    months,
                }
            }
            "at-startup" => TriggerKind::AtStartup { delay },
            _ => TriggerKind::AtLogon { user, delay },
        })
    }

    /// The elements of a list, each read by `item`; `None` when anything failed (all
    /// failures reported).
    fn list<T>(
        &mut self,
        key: &str,
        v: &Value<'_>,
        what: &str,
        mut item: impl FnMut(&mut Self, &Value<'_>) -> Option<T>,
    ) -> Option<Vec<T>> {
        let DeValue::Array(array) = v.get_ref() else {
            self.type_error(key, v, &format!("an array of {what}"));
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for element in array.iter() {
            match item(self, element) {
                Some(x) => out.push(x),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A name read by `parse`, or an error naming what is allowed.
    fn name<T>(
        &mut self,
        key: &str,
        v: &Value<'_>,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let DeValue::String(s) = v.get_ref() else {
            self.type_error(key, v, expected);
            return None;
        };
        let found = parse(s);
        if found.is_none() {
            self.bad_value(key, v, expected);
        }
        found
    }

    fn weekdays(&mut self, key: &str, v: &Value<'_>) -> Option<WeekdaySet> {
        let expected = format!("a weekday, one of {} (or full names)", one_of(&WEEKDAY_NAMES));
        let days = self.list(key, v, "weekdays", |r, e| r.name(key, e, &expected, parse_weekday))?;
        Some(days.into_iter().collect())
    }

    fn months(&mut self, key: &str, v: &Value<'_>) -> Option<MonthSet> {
        let expected = format!("a month, one of {} (or full names)", one_of(&MONTH_NAMES));
        let months = self.list(key, v, "months", |r, e| r.name(key, e, &expected, parse_month))?;
        Some(months.into_iter().fold(MonthSet::EMPTY, |set, m| set.with(m)))
    }

    fn weeks(&mut self, key: &str, v: &Value<'_>) -> Option<WeekSet> {
        let expected = format!("a week of the month, one of {}", one_of(&WEEK_NAMES));
        let weeks =
            self.list(key, v, "weeks of the month", |r, e| r.name(key, e, &expected, WeekOfMonth::parse))?;
        Some(weeks.into_iter().collect())
    }

    fn month_days(&mut self, key: &str, v: &Value<'_>) -> Option<MonthDays> {
        const EXPECTED: &str = "a day of the month (1 to 31, or \"last\")";
        let days = self.list(key, v, "days of the month", |r, e| match e.get_ref() {
            DeValue::Integer(i) => match u8::from_str_radix(i.as_str(), i.radix()) {
                Ok(n @ 1..=31) => Some(Some(n)),
                _ => {
                    r.bad_value(key, e, EXPECTED);
                    None
                }
            },
            DeValue::String(s) if s.trim().eq_ignore_ascii_case("last") => Some(None),
            DeValue::String(_) => {
                r.bad_value(key, e, EXPECTED);
                None
            }
            _ => {
                r.type_error(key, e, EXPECTED);
                None
            }
        })?;
        Some(days.into_iter().fold(MonthDays::EMPTY, |set, d| match d {
            Some(n) => set.with_day(n),
            None => set.with_last(),
        }))
    }

    fn repeat(&mut self, v: &Value<'_>) -> Option<Repetition> {
        const EXAMPLE: &str = "{ every = \"1h\", for = \"10h\" }";
        let DeValue::Table(table) = v.get_ref() else {
            self.type_error("repeat", v, &format!("a table such as `repeat = {EXAMPLE}`"));
            return None;
        };
        let mut every = None;
        let mut duration = None;
        let mut stop_at_end = false;
        // Any value that failed was reported; the repetition is then left out.
        let mut ok = true;
        let mut saw_every = false;
        for (key, value) in entries(table) {
            let k = key.get_ref().as_ref();
            match k {
                "every" => {
                    saw_every = true;
                    every = self.duration(k, value);
                    ok &= every.is_some();
                }
                "for" => {
                    duration = self.duration(k, value);
                    ok &= duration.is_some();
                }
                "stop-at-end" => match self.boolean(k, value) {
                    Some(b) => stop_at_end = b,
                    None => ok = false,
                },
                _ => {
                    // Taken for `every` (`evry`): not reported missing as well.
                    saw_every |= self.unknown_key(key, "`repeat`", &REPEAT_KEYS) == Some("every");
                    ok = false;
                }
            }
        }
        if !saw_every {
            self.error(
                &v.span(),
                format!("`repeat` needs `every`, the interval, such as `repeat = {EXAMPLE}`, but found none"),
            );
        }
        let every = every.filter(|_| ok)?;
        Some(Repetition { every, duration, stop_at_end })
    }

    fn start(&mut self, key: &str, v: &Value<'_>) -> Option<Start> {
        const EXPECTED: &str =
            "a date and time such as \"2026-01-07T06:00:00\" (with `Z` or `+hh:mm` to pin it to an offset)";
        match self.stamp(key, v, EXPECTED)? {
            Stamp::DateTime(datetime, offset) => Some(Start { datetime, offset }),
            Stamp::Date(_) => {
                self.bad_value(key, v, EXPECTED);
                None
            }
        }
    }

    fn end(&mut self, key: &str, v: &Value<'_>) -> Option<End> {
        const EXPECTED: &str =
            "a date such as \"2026-12-31\" or a date and time such as \"2026-12-31T23:59:59\"";
        Some(match self.stamp(key, v, EXPECTED)? {
            Stamp::Date(d) => End::Date(d),
            Stamp::DateTime(datetime, offset) => End::At { datetime, offset },
        })
    }

    /// A date or date-time, as an RFC 3339 string or a TOML date-time value.
    fn stamp(&mut self, key: &str, v: &Value<'_>, expected: &str) -> Option<Stamp> {
        let parsed = match v.get_ref() {
            DeValue::String(s) => parse_stamp(s),
            DeValue::Datetime(d) => from_toml_datetime(d),
            _ => {
                self.type_error(key, v, expected);
                return None;
            }
        };
        match parsed {
            Ok(stamp) => Some(stamp),
            Err(why) => {
                let message = format!(
                    "expected {expected} for `{key}`, but found `{}` ({why})",
                    self.snippet(&v.span())
                );
                self.error(&v.span(), message);
                None
            }
        }
    }
}

/// The span of the value at `field` in task `task_index`, or of the nearest enclosing
/// value the file holds.
fn find_span(root: &DeTable<'_>, task_index: usize, field: &FieldPath) -> Option<Span> {
    let DeValue::Array(tasks) = root.get("task")?.get_ref() else {
        return None;
    };
    let mut current = tasks.get(task_index)?;
    let mut best = current.span();
    for segment in field.segments() {
        let next = match (segment, current.get_ref()) {
            (Segment::Key(k), DeValue::Table(t)) => t.get(*k),
            (Segment::Index(i), DeValue::Array(a)) => a.get(*i),
            _ => None,
        };
        let Some(next) = next else { break };
        current = next;
        best = next.span();
    }
    Some(best)
}

/// The settings of a trigger kind, in file order, and the known keys that unknown ones
/// were taken for.
type KindSettings<'a, 'i, 'k> = (Vec<(&'a Key<'i>, &'a Value<'i>)>, Vec<&'k str>);

/// A date, or a civil date-time with an optional offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stamp {
    Date(Date),
    DateTime(DateTime, Option<Offset>),
}

/// Reads `YYYY-MM-DD`, or `YYYY-MM-DDThh:mm[:ss[.fff]]` with an optional `Z` or `±hh:mm`
/// (RFC 3339, with the seconds optional as ISO 8601 allows). `T` may be a space.
fn parse_stamp(s: &str) -> Result<Stamp, &'static str> {
    let mut p = Cursor { bytes: s.trim().as_bytes(), at: 0 };
    let year = p.digits(4).ok_or("the year has four digits")?;
    p.expect(b'-').ok_or("expected `YYYY-MM-DD`")?;
    let month = p.digits(2).ok_or("the month has two digits")?;
    p.expect(b'-').ok_or("expected `YYYY-MM-DD`")?;
    let day = p.digits(2).ok_or("the day has two digits")?;
    let date = Date::new(year as i16, month as i8, day as i8).map_err(|_| "no such date")?;
    if p.done() {
        return Ok(Stamp::Date(date));
    }
    match p.next() {
        Some(b'T' | b't' | b' ') => {}
        _ => return Err("expected `T` between the date and the time"),
    }
    let hour = p.digits(2).ok_or("the hour has two digits")?;
    p.expect(b':').ok_or("expected `hh:mm` or `hh:mm:ss`")?;
    let minute = p.digits(2).ok_or("the minute has two digits")?;
    let mut second = 0;
    let mut nanos = 0;
    if p.peek() == Some(b':') {
        p.next();
        second = p.digits(2).ok_or("the second has two digits")?;
        if p.peek() == Some(b'.') {
            p.next();
            let start = p.at;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.next();
            }
            let frac = &p.bytes[start..p.at];
            if frac.is_empty() || frac.len() > 9 {
                return Err("a fraction of a second has 1 to 9 digits");
            }
            nanos = frac
                .iter()
                .chain(std::iter::repeat_n(&b'0', 9 - frac.len()))
                .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        }
    }
    let time =
        Time::new(hour as i8, minute as i8, second as i8, nanos as i32).map_err(|_| "no such time of day")?;
    let datetime = DateTime::from_parts(date, time);
    let offset = match p.next() {
        None => None,
        Some(b'Z' | b'z') => Some(Offset::UTC),
        Some(sign @ (b'+' | b'-')) => {
            let h = p.digits(2).ok_or("an offset is `+hh:mm` or `-hh:mm`")?;
            p.expect(b':').ok_or("an offset is `+hh:mm` or `-hh:mm`")?;
            let m = p.digits(2).ok_or("an offset is `+hh:mm` or `-hh:mm`")?;
            let mut s = 0;
            if p.peek() == Some(b':') {
                p.next();
                s = p.digits(2).ok_or("an offset is `+hh:mm` or `-hh:mm`")?;
            }
            if m > 59 || s > 59 {
                return Err("an offset's minutes and seconds are below 60");
            }
            let secs = (h * 3600 + m * 60 + s) as i32;
            let secs = if sign == b'-' { -secs } else { secs };
            Some(Offset::from_seconds(secs).map_err(|_| "the offset is out of range")?)
        }
        Some(_) => return Err("expected `Z`, `+hh:mm` or `-hh:mm` after the time"),
    };
    if !p.done() {
        return Err("unexpected text after the date-time");
    }
    Ok(Stamp::DateTime(datetime, offset))
}

/// A TOML date-time value (`start = 2026-01-07T06:00:00`, unquoted).
fn from_toml_datetime(d: &toml::value::Datetime) -> Result<Stamp, &'static str> {
    let Some(td) = d.date else {
        return Err("a time alone has no date");
    };
    let date = Date::new(td.year as i16, td.month as i8, td.day as i8).map_err(|_| "no such date")?;
    let Some(tt) = d.time else {
        return Ok(Stamp::Date(date));
    };
    let time = Time::new(
        tt.hour as i8,
        tt.minute as i8,
        tt.second.unwrap_or(0) as i8,
        tt.nanosecond.unwrap_or(0) as i32,
    )
    .map_err(|_| "no such time of day")?;
    let offset = match d.offset {
        None => None,
        Some(toml::value::Offset::Z) => Some(Offset::UTC),
        Some(toml::value::Offset::Custom { minutes }) => {
            Some(Offset::from_seconds(i32::from(minutes) * 60).map_err(|_| "the offset is out of range")?)
        }
    };
    Ok(Stamp::DateTime(DateTime::from_parts(date, time), offset))
}

/// A byte cursor over an ASCII date-time.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// Exactly `n` ASCII digits as a number.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let digits = self.bytes.get(self.at..self.at + n)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.at += n;
        Some(digits.iter().fold(0u32, |v, d| v * 10 + u32::from(d - b'0')))
    }
}

// ---------------------------------------------------------------------------------------
// Writing

fn write_task(out: &mut String, task: &Task, problems: &mut Vec<String>) {
    out.push_str("[[task]]\n");
    line(out, "name", &string(&task.name));
    line(out, "command", &string(&task.command));
    if !task.args.is_empty() {
        line(out, "args", &strings(&task.args));
    }
    let optional = [("working-dir", &task.working_dir), ("comment", &task.comment), ("author", &task.author)];
    for (key, value) in optional {
        if let Some(v) = value {
            line(out, key, &string(v));
        }
    }
    if !task.enabled {
        line(out, "enabled", "false");
    }
    if let Some(zone) = &task.time_zone {
        line(out, "time-zone", &string(zone));
    }
    if let Some(user) = &task.run_as {
        line(out, "run-as", &string(user));
    }
    match task.max_run_time {
        Some(d) if d == sked_core::DEFAULT_MAX_RUN_TIME => {}
        Some(d) => line(out, "max-run-time", &string(&d.to_string())),
        None => line(out, "max-run-time", &string(NO_LIMIT)),
    }
    if task.multiple_instances != MultipleInstances::default() {
        line(out, "multiple-instances", &string(task.multiple_instances.name()));
    }
    if task.start_when_available {
        line(out, "start-when-available", "true");
    }
    if task.delete_when_done {
        line(out, "delete-when-done", "true");
    }
    if task.priority != Priority::default() {
        line(out, "priority", &string(task.priority.name()));
    }
    if task.wake_to_run {
        line(out, "wake-to-run", "true");
    }
    if !task.environment.is_empty() {
        let pairs = task.environment.iter().map(|(k, v)| (key(k), string(v))).collect::<Vec<_>>();
        line(out, "environment", &inline(&pairs));
    }
    if let Some(idle) = &task.idle {
        write_idle(out, idle);
    }
    if let Some(power) = &task.power {
        out.push_str("\n[task.power]\n");
        let defaults = PowerSettings::default();
        if power.no_start_on_batteries != defaults.no_start_on_batteries {
            line(out, "no-start-on-batteries", &power.no_start_on_batteries.to_string());
        }
        if power.stop_on_batteries != defaults.stop_on_batteries {
            line(out, "stop-on-batteries", &power.stop_on_batteries.to_string());
        }
    }
    for (i, trigger) in task.triggers.iter().enumerate() {
        write_trigger(out, trigger, &mut |m: String| {
            problems.push(format!("task `{}`: trigger {}: {m}", task.name, i + 1));
        });
    }
}

fn write_idle(out: &mut String, idle: &IdleSettings) {
    out.push_str("\n[task.idle]\n");
    let d = IdleSettings::default();
    let bools = [
        ("start-only-if-idle", idle.start_only_if_idle, d.start_only_if_idle),
        ("stop-on-idle-end", idle.stop_on_idle_end, d.stop_on_idle_end),
        ("restart-on-idle-resume", idle.restart_on_idle_resume, d.restart_on_idle_resume),
    ];
    let (start_only, rest) = bools.split_at(1);
    for (k, v, default) in start_only {
        if v != default {
            line(out, k, &v.to_string());
        }
    }
    if idle.idle_for != d.idle_for {
        line(out, "idle-for", &string(&idle.idle_for.to_string()));
    }
    if idle.wait_up_to != d.wait_up_to {
        line(out, "wait-up-to", &string(&idle.wait_up_to.to_string()));
    }
    for (k, v, default) in rest {
        if v != default {
            line(out, k, &v.to_string());
        }
    }
}

fn write_trigger(out: &mut String, t: &Trigger, problem: &mut dyn FnMut(String)) {
    out.push_str("\n[[task.trigger]]\n");
    let kind = t.kind.key();
    let every = |n: u32| (n != 1).then(|| ("every".to_string(), n.to_string()));
    let months = |m: MonthSet| {
        (!m.is_all()).then(|| {
            let names: Vec<String> = m.iter().map(|m| string(MONTH_NAMES[(m - 1) as usize])).collect();
            ("months".to_string(), array(&names))
        })
    };
    let weekdays = |d: WeekdaySet| {
        let names: Vec<String> = d.iter().map(|d| string(weekday_name(d))).collect();
        ("days".to_string(), array(&names))
    };
    let delay = |d: Duration| (!d.is_zero()).then(|| ("delay".to_string(), string(&d.to_string())));
    let value = match &t.kind {
        TriggerKind::Once | TriggerKind::OnIdle => "{}".to_string(),
        TriggerKind::Daily { every: n } => inline_opt(&[every(*n)]),
        TriggerKind::Weekly { every: n, days } => inline_opt(&[every(*n), Some(weekdays(*days))]),
        TriggerKind::Monthly { every: n, days, months: m } => {
            let mut items: Vec<String> = days.days().map(|d| d.to_string()).collect();
            if days.has_last() {
                items.push(string("last"));
            }
            inline_opt(&[every(*n), Some(("days".into(), array(&items))), months(*m)])
        }
        TriggerKind::MonthlyWeekday { weeks, days, months: m } => {
            let names: Vec<String> = weeks.iter().map(|w| string(w.name())).collect();
            inline_opt(&[Some(("weeks".into(), array(&names))), Some(weekdays(*days)), months(*m)])
        }
        TriggerKind::Cron(c) => string(c.as_str()),
        TriggerKind::AtStartup { delay: d } => inline_opt(&[delay(*d)]),
        TriggerKind::AtLogon { user, delay: d } => {
            inline_opt(&[user.as_ref().map(|u| ("user".to_string(), string(u))), delay(*d)])
        }
        // `TriggerKind` is non-exhaustive: a kind added to the model must be added here;
        // until it is, writing it fails rather than writing something else.
        _ => {
            problem(format!("the `{kind}` trigger kind is not known to the task file writer"));
            "{}".to_string()
        }
    };
    line(out, kind, &value);
    if let Some(s) = &t.start {
        match format_datetime(s.datetime, s.offset) {
            Ok(text) => line(out, "start", &string(&text)),
            Err(m) => problem(format!("`start`: {m}")),
        }
    }
    if let Some(e) = &t.end {
        let text = match e {
            End::Date(d) => format_date(*d),
            End::At { datetime, offset } => format_datetime(*datetime, *offset),
        };
        match text {
            Ok(text) => line(out, "end", &string(&text)),
            Err(m) => problem(format!("`end`: {m}")),
        }
    }
    if let Some(r) = &t.repeat {
        let items = [
            Some(("every".to_string(), string(&r.every.to_string()))),
            r.duration.map(|d| ("for".to_string(), string(&d.to_string()))),
            r.stop_at_end.then(|| ("stop-at-end".to_string(), "true".to_string())),
        ];
        line(out, "repeat", &inline_opt(&items));
    }
    if let Some(d) = t.random_delay {
        line(out, "random-delay", &string(&d.to_string()));
    }
    if !t.enabled {
        line(out, "enabled", "false");
    }
    if t.dst_gap != GapPolicy::default() {
        line(out, "dst-gap", &string(t.dst_gap.name()));
    }
    if t.dst_fold != FoldPolicy::default() {
        line(out, "dst-fold", &string(t.dst_fold.name()));
    }
}

fn line(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key} = {value}");
}

fn array(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

fn strings(items: &[String]) -> String {
    array(&items.iter().map(|s| string(s)).collect::<Vec<_>>())
}

fn inline(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return "{}".to_string();
    }
    let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    format!("{{ {} }}", body.join(", "))
}

fn inline_opt(pairs: &[Option<(String, String)>]) -> String {
    inline(&pairs.iter().flatten().cloned().collect::<Vec<_>>())
}

/// A key, bare when TOML allows it, quoted otherwise.
fn key(k: &str) -> String {
    let bare = !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if bare { k.to_string() } else { basic(k) }
}

/// A string value: a literal string (`'C:\Windows'`) when it holds backslashes or quotes
/// and nothing a literal string cannot hold, a basic string with escapes otherwise.
fn string(s: &str) -> String {
    let literal_ok = !s.contains('\'') && !s.chars().any(|c| c.is_control());
    if literal_ok && s.contains(['\\', '"']) { format!("'{s}'") } else { basic(s) }
}

/// A TOML basic string, escaping quotes, backslashes and every control character.
fn basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn check_year(year: i16) -> Result<(), String> {
    if (0..=9999).contains(&year) {
        Ok(())
    } else {
        Err(format!("the year {year} is outside 0000..=9999, which a task file cannot write"))
    }
}

fn format_date(d: Date) -> Result<String, String> {
    check_year(d.year())?;
    Ok(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
}

/// RFC 3339: whole seconds unless the time has a fraction, `Z` for a zero offset.
fn format_datetime(dt: DateTime, offset: Option<Offset>) -> Result<String, String> {
    let mut out = format_date(dt.date())?;
    let _ = write!(out, "T{:02}:{:02}:{:02}", dt.hour(), dt.minute(), dt.second());
    let nanos = dt.subsec_nanosecond();
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        let _ = write!(out, ".{}", frac.trim_end_matches('0'));
    }
    if let Some(o) = offset {
        let secs = o.seconds();
        if secs == 0 {
            out.push('Z');
        } else {
            let sign = if secs < 0 { '-' } else { '+' };
            let abs = secs.unsigned_abs();
            let _ = write!(out, "{sign}{:02}:{:02}", abs / 3600, abs / 60 % 60);
            if abs % 60 != 0 {
                let _ = write!(out, ":{:02}", abs % 60);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use sked_core::Weekday;

    fn read_str(s: &str) -> Result<Vec<Task>, String> {
        read(s.as_bytes()).map(|d| d.entries.into_iter().map(|e| e.task).collect()).map_err(|e| e.to_string())
    }

    fn one(s: &str) -> Task {
        let mut tasks = read_str(s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tasks.len(), 1);
        tasks.remove(0)
    }

    fn err(s: &str) -> String {
        match read_str(s) {
            Ok(t) => panic!("expected an error, got {t:?}"),
            Err(e) => e,
        }
    }

    const HEAD: &str = "[[task]]\nname = \"t\"\ncommand = \"/bin/true\"\n";

    #[test]
    fn minimal_task_has_defaults() {
        let t = one(HEAD);
        assert_eq!(t, Task::new("t", "/bin/true"));
    }

    #[test]
    fn stamps() {
        let d = date(2026, 1, 7);
        assert_eq!(parse_stamp("2026-01-07"), Ok(Stamp::Date(d)));
        assert_eq!(parse_stamp("2026-01-07T06:00"), Ok(Stamp::DateTime(d.at(6, 0, 0, 0), None)));
        assert_eq!(
            parse_stamp("2026-01-07 06:00:05.5Z"),
            Ok(Stamp::DateTime(d.at(6, 0, 5, 500_000_000), Some(Offset::UTC)))
        );
        assert_eq!(
            parse_stamp("2026-01-07T06:00:00-05:30"),
            Ok(Stamp::DateTime(d.at(6, 0, 0, 0), Some(Offset::from_seconds(-(5 * 3600 + 1800)).unwrap())))
        );
        for bad in [
            "",
            "2026-1-07",
            "2026-02-30",
            "2026-01-07T24:00",
            "2026-01-07T06",
            "2026-01-07T06:00+5",
            "2026-01-07T06:00:00.",
            "2026-01-07T06:00:00.1234567890",
            "2026-01-07T06:00Zx",
            "2026-01-07T06:00+01:60",
            "2026-01-07x",
            "２０２６-01-07",
        ] {
            assert!(parse_stamp(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn datetime_format_round_trips() {
        let dt = date(2026, 3, 1).at(6, 0, 0, 0);
        let cases = [
            (None, "2026-03-01T06:00:00"),
            (Some(Offset::UTC), "2026-03-01T06:00:00Z"),
            (Some(Offset::from_seconds(3600).unwrap()), "2026-03-01T06:00:00+01:00"),
            (Some(Offset::from_seconds(-(9 * 3600 + 30 * 60 + 15)).unwrap()), "2026-03-01T06:00:00-09:30:15"),
        ];
        for (offset, text) in cases {
            assert_eq!(format_datetime(dt, offset).unwrap(), text);
            assert_eq!(parse_stamp(text), Ok(Stamp::DateTime(dt, offset)));
        }
        assert!(format_datetime(date(-1, 1, 1).at(0, 0, 0, 0), None).is_err());
    }

    #[test]
    fn strings_escape() {
        assert_eq!(string("plain"), "\"plain\"");
        assert_eq!(string("C:\\Windows"), "'C:\\Windows'");
        assert_eq!(string("it's \"x\""), "\"it's \\\"x\\\"\"");
        assert_eq!(string("a\nb\u{7f}"), "\"a\\nb\\u007F\"");
        assert_eq!(key("LANG"), "LANG");
        assert_eq!(key("a.b"), "\"a.b\"");
        assert_eq!(key(""), "\"\"");
    }

    #[test]
    fn native_toml_datetimes() {
        let t = one(&format!(
            "{HEAD}[[task.trigger]]\nonce = {{}}\nstart = 2026-01-07T06:00:00+01:00\nend = 2026-12-31\n"
        ));
        let trigger = &t.triggers[0];
        assert_eq!(
            trigger.start,
            Some(Start::pinned(date(2026, 1, 7).at(6, 0, 0, 0), Offset::from_seconds(3600).unwrap()))
        );
        assert_eq!(trigger.end, Some(End::Date(date(2026, 12, 31))));
        let e = err(&format!("{HEAD}[[task.trigger]]\nonce = {{}}\nstart = 06:00:00\n"));
        assert!(e.contains("a time alone has no date"), "{e}");
    }

    #[test]
    fn names_are_any_case() {
        let t = one(&format!(
            "{HEAD}[[task.trigger]]\nweekly = {{ days = [\"MON\", \"Friday\"] }}\nstart = \"2026-01-07T06:00\"\n"
        ));
        let days: WeekdaySet = [Weekday::Monday, Weekday::Friday].into_iter().collect();
        assert_eq!(t.triggers[0].kind, TriggerKind::Weekly { every: 1, days });
    }

    #[test]
    fn max_run_time_none_is_no_limit() {
        let t = one(&format!("{HEAD}max-run-time = \"none\"\n"));
        assert_eq!(t.max_run_time, None);
        let t = one(&format!("{HEAD}max-run-time = \"PT1H\"\n"));
        assert_eq!(t.max_run_time, Some(Duration::from_hours(1)));
    }

    #[test]
    fn unknown_keys_list_the_known_ones_and_suggest() {
        let e = err("[[task]]\nname = \"t\"\ncomand = \"x\"\n");
        assert!(e.contains("unknown key `comand` in `[[task]]`; expected one of `name`, `command`"), "{e}");
        assert!(e.contains("did you mean `command`?"), "{e}");
        assert!(e.contains("<input>:3:1"), "{e}");
        // A key that is no typo of a missing one leaves it reported, at the task header.
        let e = err("[[task]]\nname = \"t\"\nprogram = \"x\"\n");
        assert!(e.contains("a task needs `command`"), "{e}");
        assert!(e.contains("<input>:1:1"), "{e}");
    }

    #[test]
    fn a_typo_is_not_also_reported_missing() {
        let e = err("[[task]]\nname = \"t\"\ncomand = \"x\"\n");
        assert_eq!(e.matches("error:").count(), 1, "{e}");
        let e = err(&format!("{HEAD}[[task.trigger]]\ndayly = {{}}\nstart = \"2026-01-07T06:00\"\n"));
        assert_eq!(e.matches("error:").count(), 1, "{e}");
        assert!(e.contains("did you mean `daily`?"), "{e}");
        let e = err(&format!(
            "{HEAD}[[task.trigger]]\nweekly = {{ dayz = [\"mon\"] }}\nstart = \"2026-01-07T06:00\"\n"
        ));
        assert_eq!(e.matches("error:").count(), 1, "{e}");
        let e = err(&format!(
            "{HEAD}[[task.trigger]]\ndaily = {{}}\nstart = \"2026-01-07T06:00\"\nrepeat = {{ evry = \"1h\" }}\n"
        ));
        assert_eq!(e.matches("error:").count(), 1, "{e}");
        // Something that is no typo of `command` leaves it missing.
        let e = err("[[task]]\nname = \"t\"\nprogram = \"x\"\n");
        assert_eq!(e.matches("error:").count(), 2, "{e}");
    }

    #[test]
    fn errors_come_in_file_order() {
        let e = err(&format!(
            "{HEAD}priority = \"urgent\"\n[[task.trigger]]\ndaily = {{ every = 0 }}\nstart = \"2026-01-07T06:00\"\nrepeat = {{ every = \"30s\" }}\n"
        ));
        let lines: Vec<&str> = e.lines().filter(|l| l.contains("-->")).collect();
        assert_eq!(lines, [" --> <input>:4:12", " --> <input>:6:19", " --> <input>:8:20"], "{e}");
    }

    #[test]
    fn failed_fields_are_not_reported_twice() {
        let e = err(&format!("{HEAD}[[task.trigger]]\nonce = {{}}\nstart = \"yesterday\"\n"));
        assert_eq!(e.matches("error:").count(), 1, "{e}");
        let e = err(&format!(
            "{HEAD}[[task.trigger]]\nweekly = {{ days = [\"mo\"] }}\nstart = \"2026-01-07T06:00\"\n"
        ));
        assert_eq!(e.matches("error:").count(), 1, "{e}");
        let e = err(&format!("{HEAD}[[task.trigger]]\nstart = \"2026-01-07T06:00\"\nend = \"2025-01-01\"\n"));
        assert_eq!(e.matches("error:").count(), 1, "{e}");
        // Two kinds: the second is reported, and so is the fault inside it.
        let e = err(&format!(
            "{HEAD}[[task.trigger]]\ndaily = {{}}\nweekly = {{ days = [\"mo\"] }}\nstart = \"2026-01-07T06:00\"\n"
        ));
        assert_eq!(e.matches("error:").count(), 2, "{e}");
        assert!(e.contains("`daily` and `weekly`") && e.contains("`\"mo\"`"), "{e}");
    }

    #[test]
    fn locate_falls_back_to_the_parent() {
        let text = format!("{HEAD}[[task.trigger]]\nonce = {{}}\n");
        let loc = locate(text.as_bytes(), 0, &FieldPath::trigger(0, &["start"]));
        assert!(matches!(&loc, Location::Text { line: 4, column: 1, width: 16, .. }), "{loc:?}");
        let loc = locate(text.as_bytes(), 0, &FieldPath::key("command"));
        assert!(matches!(&loc, Location::Text { line: 3, column: 11, .. }), "{loc:?}");
        assert_eq!(locate(text.as_bytes(), 1, &FieldPath::key("name")), Location::None);
        assert_eq!(locate(b"\xff", 0, &FieldPath::key("name")), Location::None);
    }

    #[test]
    fn losses_name_the_action() {
        let mut entry = Entry::new(Task::new("t", "x"));
        assert!(losses(&entry).is_empty());
        entry.action = Action::Delete;
        assert!(losses(&entry).is_empty(), "a non-GPP action is not the task's data");
        entry.extras.gpp = Some(Default::default());
        let l = losses(&entry);
        assert!(!l.is_empty());
        assert!(l[0].starts_with("GPP action `Delete`"), "{l:?}");
    }

    #[test]
    fn write_then_read() {
        let mut t = Task::new("a/b", "C:\\x.exe");
        t.environment.insert("A B".into(), "\"q\"".into());
        t.max_run_time = None;
        t.idle = Some(IdleSettings::default());
        t.triggers.push(
            Trigger::new(TriggerKind::Monthly {
                every: 2,
                days: MonthDays::EMPTY.with_day(1).with_last(),
                months: MonthSet::EMPTY.with(1).with(7),
            })
            .starting(Start::civil(date(2026, 1, 1).at(0, 0, 0, 0))),
        );
        let doc = Document::from_tasks([t]);
        let text = String::from_utf8(write(&doc).unwrap()).unwrap();
        assert!(
            text.contains("monthly = { every = 2, days = [1, \"last\"], months = [\"jan\", \"jul\"] }"),
            "{text}"
        );
        assert!(text.contains("[task.idle]\n"), "{text}");
        assert_eq!(read(text.as_bytes()).unwrap(), doc);
        assert!(write(&Document::default()).is_err());
    }

    #[test]
    fn empty_and_odd_files() {
        assert!(err("").contains("expected at least one `[[task]]` table"));
        assert!(err("task = 5").contains("expected `[[task]]` tables for `task`"));
        assert!(err("[task]\nname = \"x\"").contains("expected `[[task]]` tables"));
        let bom = format!("\u{feff}{HEAD}");
        assert_eq!(read_str(&bom).unwrap().len(), 1);
    }
}

//! `schtasks /Query`: the task list in schtasks' TABLE, LIST and CSV layouts.
//!
//! Rendering is a pure function of the rows, so the layouts are tested without a service.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use sked_api::types::{LastRun, State};
use sked_core::{Duration, End, MONTH_NAMES, Task, Trigger, TriggerKind, weekday_name};
use sked_formats::schtasks::QueryFormat;

/// One task as `/Query` shows it.
#[derive(Clone, Debug)]
pub struct Row {
    /// The sked name (`Folder/Name`).
    pub name: String,
    /// The next scheduled run.
    pub next_run: Option<Timestamp>,
    /// Ready, running or disabled.
    pub state: State,
    /// The last run, if any.
    pub last_run: Option<LastRun>,
    /// The definition: only `/V` needs it, so it is fetched only then.
    pub task: Option<Task>,
    /// The owner's user name, shown as "Run As User" when the task names none.
    pub owner: String,
}

/// How to render the rows.
#[derive(Clone, Debug)]
pub struct Layout {
    /// `/FO`.
    pub format: QueryFormat,
    /// `/V`.
    pub verbose: bool,
    /// `/NH`.
    pub no_header: bool,
    /// The machine's name, for the HostName column.
    pub host: String,
    /// The zone times are shown in.
    pub zone: TimeZone,
}

const BRIEF: [&str; 3] = ["TaskName", "Next Run Time", "Status"];
const BRIEF_WIDTHS: [usize; 3] = [40, 22, 15];

/// The columns of `/V`, in schtasks' order and spelling.
pub const VERBOSE: [&str; 28] = [
    "HostName",
    "TaskName",
    "Next Run Time",
    "Status",
    "Logon Mode",
    "Last Run Time",
    "Last Result",
    "Author",
    "Task To Run",
    "Start In",
    "Comment",
    "Scheduled Task State",
    "Idle Time",
    "Power Management",
    "Run As User",
    "Delete Task If Not Rescheduled",
    "Stop Task If Runs X Hours and X Mins",
    "Schedule",
    "Schedule Type",
    "Start Time",
    "Start Date",
    "End Date",
    "Days",
    "Months",
    "Repeat: Every",
    "Repeat: Until: Time",
    "Repeat: Until: Duration",
    "Repeat: Stop If Still Running",
];

const NA: &str = "N/A";

/// What schtasks prints when there is nothing to list.
pub const NO_TASKS: &str = "INFO: There are no scheduled tasks presently available at your access level.";

/// The Windows spelling of a sked name: `Folder/Name` → `\Folder\Name`.
pub fn windows_name(name: &str) -> String {
    format!("\\{}", name.replace('/', "\\"))
}

/// The folder (`\Folder`, or `\` for the root) and the leaf name of a sked name.
fn split_folder(name: &str) -> (String, &str) {
    match name.rsplit_once('/') {
        Some((dir, leaf)) => (windows_name(dir), leaf),
        None => ("\\".to_string(), name),
    }
}

/// Time as the US locale of schtasks writes it, in 24-hour form.
pub fn us_time(t: Timestamp, zone: &TimeZone) -> String {
    t.to_zoned(zone.clone()).strftime("%m/%d/%Y %H:%M:%S").to_string()
}

fn status(state: State) -> &'static str {
    match state {
        State::Ready => "Ready",
        State::Running => "Running",
        State::Disabled => "Disabled",
    }
}

/// Renders the rows as `schtasks /Query` would.
pub fn render(rows: &[Row], layout: &Layout) -> String {
    if rows.is_empty() {
        return format!("{NO_TASKS}\n");
    }
    let mut out = String::new();
    for (folder, group) in by_folder(rows) {
        let records: Vec<Vec<(&str, String)>> = group.iter().flat_map(|r| records(r, layout)).collect();
        match layout.format {
            QueryFormat::Table => {
                out.push_str(&format!("\nFolder: {folder}\n"));
                table(&mut out, &records, layout);
            }
            QueryFormat::List => {
                out.push_str(&format!("\nFolder: {folder}\n"));
                let width = records
                    .first()
                    .map_or(0, |r| r.iter().map(|(label, _)| label.len() + 1).max().unwrap_or(0));
                for record in &records {
                    for (label, value) in record {
                        out.push_str(&format!("{:<w$} {value}\n", format!("{label}:"), w = width));
                    }
                    out.push('\n');
                }
            }
            QueryFormat::Csv => {
                // schtasks repeats the header for each folder.
                if !layout.no_header
                    && let Some(first) = records.first()
                {
                    let labels: Vec<String> = first.iter().map(|(l, _)| csv_field(l)).collect();
                    out.push_str(&labels.join(","));
                    out.push('\n');
                }
                for record in &records {
                    let values: Vec<String> = record.iter().map(|(_, v)| csv_field(v)).collect();
                    out.push_str(&values.join(","));
                    out.push('\n');
                }
            }
        }
    }
    out
}

fn table(out: &mut String, records: &[Vec<(&str, String)>], layout: &Layout) {
    let Some(first) = records.first() else { return };
    let widths: Vec<usize> = if layout.verbose {
        (0..first.len())
            .map(|i| {
                records.iter().map(|r| r[i].1.chars().count()).chain([first[i].0.len()]).max().unwrap_or(0)
            })
            .collect()
    } else {
        BRIEF_WIDTHS.to_vec()
    };
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> =
            cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}", w = *w)).collect();
        padded.join(" ")
    };
    if !layout.no_header {
        out.push_str(&line(first.iter().map(|(l, _)| *l).collect()));
        out.push('\n');
        let rules: Vec<String> = widths.iter().map(|w| "=".repeat(*w)).collect();
        out.push_str(&rules.join(" "));
        out.push('\n');
    }
    for record in records {
        out.push_str(&line(record.iter().map(|(_, v)| v.as_str()).collect()));
        out.push('\n');
    }
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The rows grouped by folder: the root first, then folders by name; tasks by name.
fn by_folder(rows: &[Row]) -> Vec<(String, Vec<&Row>)> {
    let mut sorted: Vec<&Row> = rows.iter().collect();
    let key = |r: &Row| {
        let (folder, leaf) = split_folder(&r.name);
        (folder != "\\", folder.to_lowercase(), leaf.to_lowercase())
    };
    sorted.sort_by_key(|r| key(r));
    let mut groups: Vec<(String, Vec<&Row>)> = Vec::new();
    for row in sorted {
        let (folder, _) = split_folder(&row.name);
        match groups.last_mut() {
            Some((f, g)) if *f == folder => g.push(row),
            _ => groups.push((folder, vec![row])),
        }
    }
    groups
}

/// The records of one row: one for the brief layouts; for `/V`, one per trigger (as
/// schtasks repeats a task for each of its triggers).
fn records(row: &Row, layout: &Layout) -> Vec<Vec<(&'static str, String)>> {
    let next = row.next_run.map_or_else(|| NA.to_string(), |t| us_time(t, &layout.zone));
    let status = status(row.state).to_string();
    if !layout.verbose {
        let shown = match layout.format {
            // TABLE shows the leaf under its `Folder:` line; LIST and CSV the full path.
            QueryFormat::Table => split_folder(&row.name).1.to_string(),
            _ => windows_name(&row.name),
        };
        let mut rec = vec![(BRIEF[0], shown), (BRIEF[1], next), (BRIEF[2], status)];
        if layout.format == QueryFormat::List {
            rec.insert(0, ("HostName", layout.host.clone()));
            rec.push(("Logon Mode", logon_mode(row.task.as_ref()).to_string()));
        }
        return vec![rec];
    }
    let task = row.task.as_ref();
    let last_run_time = row
        .last_run
        .as_ref()
        .and_then(|l| l.started_at)
        .map_or_else(|| NA.to_string(), |t| us_time(t, &layout.zone));
    let common: Vec<(&'static str, String)> = vec![
        ("HostName", layout.host.clone()),
        ("TaskName", windows_name(&row.name)),
        ("Next Run Time", next),
        ("Status", status),
        ("Logon Mode", logon_mode(task).to_string()),
        ("Last Run Time", last_run_time),
        ("Last Result", last_result(row.last_run.as_ref())),
        ("Author", opt(task.and_then(|t| t.author.clone()))),
        ("Task To Run", task.map_or_else(|| NA.to_string(), task_to_run)),
        ("Start In", opt(task.and_then(|t| t.working_dir.clone()))),
        ("Comment", opt(task.and_then(|t| t.comment.clone()))),
        ("Scheduled Task State", enabled(task.is_none_or(|t| t.enabled))),
        ("Idle Time", task.map_or_else(|| NA.to_string(), idle_time)),
        ("Power Management", task.map_or_else(|| NA.to_string(), power)),
        ("Run As User", task.and_then(|t| t.run_as.clone()).unwrap_or_else(|| row.owner.clone())),
        ("Delete Task If Not Rescheduled", enabled(task.is_some_and(|t| t.delete_when_done))),
        (
            "Stop Task If Runs X Hours and X Mins",
            task.map_or_else(|| NA.to_string(), |t| t.max_run_time.map_or("Disabled".into(), hms)),
        ),
    ];
    let triggers: Vec<Option<&Trigger>> = match task.map(|t| &t.triggers) {
        Some(ts) if !ts.is_empty() => ts.iter().map(Some).collect(),
        _ => vec![None],
    };
    triggers
        .into_iter()
        .map(|t| {
            let mut rec = common.clone();
            rec.extend(trigger_fields(t));
            debug_assert_eq!(rec.len(), VERBOSE.len());
            rec
        })
        .collect()
}

fn opt(v: Option<String>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or_else(|| NA.to_string())
}

fn enabled(on: bool) -> String {
    (if on { "Enabled" } else { "Disabled" }).to_string()
}

fn logon_mode(task: Option<&Task>) -> &'static str {
    // A task running as SYSTEM never needs a session; any other account may have one.
    match task.and_then(|t| t.run_as.as_deref()) {
        Some(u) if sked_formats::schtasks::is_system(u) => "Background only",
        _ => "Interactive/Background",
    }
}

/// Task Scheduler's result codes for a task that never ran (SCHED_S_TASK_HAS_NOT_RUN) and
/// one running now (SCHED_S_TASK_RUNNING), as schtasks prints them.
fn last_result(last: Option<&LastRun>) -> String {
    match last {
        None => "267011".into(),
        Some(l) if l.outcome == "running" => "267009".into(),
        Some(l) => match (l.exit_code, l.signal) {
            (Some(code), _) => code.to_string(),
            // The shell's convention for a process killed by a signal.
            (None, Some(sig)) => (128 + sig).to_string(),
            (None, None) => "1".into(),
        },
    }
}

fn task_to_run(task: &Task) -> String {
    let mut all = vec![task.command.clone()];
    all.extend(task.args.iter().cloned());
    sked_formats::winargs::join(&all)
}

fn idle_time(task: &Task) -> String {
    match &task.idle {
        Some(i) if i.start_only_if_idle => {
            let mut s = format!(
                "Only Start If Idle for {} minutes, If Not Idle Retry For {} minutes",
                i.idle_for.as_mins(),
                i.wait_up_to.as_mins()
            );
            if i.stop_on_idle_end {
                s.push_str(", Stop the task if Idle State end");
            }
            s
        }
        _ => "Disabled".into(),
    }
}

fn power(task: &Task) -> String {
    let p = task.power.unwrap_or_default();
    let mut parts = Vec::new();
    if p.stop_on_batteries {
        parts.push("Stop On Battery Mode");
    }
    if p.no_start_on_batteries {
        parts.push("No Start On Batteries");
    }
    if parts.is_empty() { NA.to_string() } else { parts.join(", ") }
}

/// `72:00:00`: hours, minutes and seconds.
fn hms(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// `1 Hour(s), 30 Minute(s)`.
fn hours_minutes(d: Duration) -> String {
    let m = d.as_mins();
    format!("{} Hour(s), {} Minute(s)", m / 60, m % 60)
}

fn weekdays(days: sked_core::WeekdaySet) -> String {
    days.iter().map(|d| weekday_name(d).to_ascii_uppercase()).collect::<Vec<_>>().join(", ")
}

fn months(m: sked_core::MonthSet) -> String {
    m.iter().map(|i| MONTH_NAMES[(i - 1) as usize].to_ascii_uppercase()).collect::<Vec<_>>().join(", ")
}

fn trigger_fields(t: Option<&Trigger>) -> Vec<(&'static str, String)> {
    let Some(t) = t else {
        let mut v = vec![("Schedule", "Scheduling data is not available in this format.".to_string())];
        v.extend(VERBOSE[18..].iter().map(|l| (*l, NA.to_string())));
        return v;
    };
    let kind = match &t.kind {
        TriggerKind::Once => "One Time Only",
        TriggerKind::Daily { .. } => "Daily",
        TriggerKind::Weekly { .. } => "Weekly",
        TriggerKind::Monthly { .. } | TriggerKind::MonthlyWeekday { .. } => "Monthly",
        TriggerKind::AtStartup { .. } => "At system start up",
        TriggerKind::AtLogon { .. } => "At logon time",
        TriggerKind::OnIdle => "At idle time",
        _ => "Cron",
    };
    let (days, month_list) = match &t.kind {
        TriggerKind::Daily { every } => (format!("Every {every} day(s)"), NA.to_string()),
        TriggerKind::Weekly { days, .. } => (weekdays(*days), NA.to_string()),
        TriggerKind::Monthly { days, months: m, .. } => {
            let mut list: Vec<String> = days.days().map(|d| d.to_string()).collect();
            if days.has_last() {
                list.push("Last".into());
            }
            (list.join(", "), months(*m))
        }
        TriggerKind::MonthlyWeekday { weeks, days, months: m } => {
            let w: Vec<String> = weeks.iter().map(|w| w.name().to_ascii_uppercase()).collect();
            (format!("{} {}", w.join(", "), weekdays(*days)), months(*m))
        }
        _ => (NA.to_string(), NA.to_string()),
    };
    let start = t.start.map(|s| s.datetime);
    let end = match t.end {
        Some(End::Date(d)) => d.strftime("%m/%d/%Y").to_string(),
        Some(End::At { datetime, .. }) => datetime.strftime("%m/%d/%Y").to_string(),
        None => NA.to_string(),
    };
    let disabled = || "Disabled".to_string();
    let (every, until_time, until_duration, stop) = match &t.repeat {
        None => (disabled(), disabled(), disabled(), disabled()),
        Some(r) => (
            hours_minutes(r.every),
            "None".to_string(),
            r.duration.map_or_else(|| "Indefinitely".to_string(), hours_minutes),
            enabled(r.stop_at_end),
        ),
    };
    vec![
        ("Schedule", sked_core::describe_trigger(t)),
        ("Schedule Type", kind.to_string()),
        ("Start Time", start.map_or_else(|| NA.to_string(), |s| s.strftime("%H:%M:%S").to_string())),
        ("Start Date", start.map_or_else(|| NA.to_string(), |s| s.strftime("%m/%d/%Y").to_string())),
        ("End Date", end),
        ("Days", days),
        ("Months", month_list),
        ("Repeat: Every", every),
        ("Repeat: Until: Time", until_time),
        ("Repeat: Until: Duration", until_duration),
        ("Repeat: Stop If Still Running", stop),
    ]
}

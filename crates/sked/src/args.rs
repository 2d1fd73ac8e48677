//! The command line: subcommands, flags and the parsers of their values.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use sked_api::types::RunId;
use sked_core::{
    CronExpr, Duration, MonthDays, MultipleInstances, WeekOfMonth, WeekSet, WeekdaySet, parse_weekday,
};
use sked_formats::{DateOrder, Format};

/// sked: the Windows Task Scheduler model, on Linux. Reads task files and tells when
/// their tasks run; creates, runs and watches tasks in the sked service.
#[derive(Debug, Parser)]
#[command(name = "sked", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the next runs of each task in a file, or of a task in the service.
    Next(NextArgs),
    /// Check task files: every field, every zone, every trigger.
    Validate(ValidateArgs),
    /// Describe each task and trigger in plain English, with an optional calendar.
    Describe(DescribeArgs),
    /// Convert tasks from one format to another (toml, job, xml, gpp, schtasks, jt).
    Convert(ConvertArgs),
    /// Run the sked service: the scheduler and its API on a Unix socket.
    Daemon(crate::daemon::DaemonArgs),
    /// Windows' schtasks against the sked service: `sked schtasks /Create /TN x ...`.
    Schtasks {
        /// The schtasks arguments, as Windows takes them (`/Query /FO CSV`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "ARGS")]
        args: Vec<String>,
    },
    /// Create a task in the service, from flags or from every task of a file.
    Create(CreateArgs),
    /// List the tasks in the service.
    List(ListArgs),
    /// Show a task: its definition in plain English, state, last run and next runs.
    Show(NameArgs),
    /// Change a task: the flags given replace its settings; a schedule flag replaces its triggers.
    Change(ChangeArgs),
    /// Enable a task: its triggers fire again.
    Enable(NameArgs),
    /// Disable a task: its triggers stop firing (it can still be run by hand).
    Disable(NameArgs),
    /// Delete a task and its history.
    Delete(NameArgs),
    /// Run a task now.
    Run(RunArgs),
    /// End the runs of a task in progress.
    End(NameArgs),
    /// The runs of one task or of every task, newest first.
    History(HistoryArgs),
    /// Print the log of a run (default: the task's last run).
    Logs(LogsArgs),
    /// Install the tasks of files: create or replace them, delete those the files no longer
    /// define.
    ///
    /// Every file is read and every task checked (symbols substituted) before anything is
    /// sent, so a bad file changes nothing. The service then applies all the files in one
    /// transaction, all or nothing across the files: if it refuses any file, none of them
    /// is applied.
    Apply(ApplyArgs),
    /// Delete the tasks an earlier `sked apply` of each file installed, all the files in one
    /// transaction.
    Remove(RemoveArgs),
    /// Write a task of the service in another format.
    Export(ExportArgs),
}

/// How a source is read: shared by every command that reads task files.
#[derive(Clone, Debug, Default, Args)]
pub struct InputArgs {
    /// The format of the source [default: told from its name and content].
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub format: Option<Format>,
    /// Symbols and date order.
    #[command(flatten)]
    pub read: ReadArgs,
    /// The task's name, for sources that hold none (a `.job` on standard input).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

/// What reading a source needs beyond its format and name: shared by `--format` commands,
/// by `convert`, which names the format `--from`, and by `create --file`.
#[derive(Clone, Debug, Default, Args)]
pub struct ReadArgs {
    /// Replace the install-time symbol `(*NAME*)` with VALUE (repeatable).
    #[arg(long = "define", value_name = "NAME=VALUE", value_parser = parse_define)]
    pub defines: Vec<(String, String)>,
    /// Read install-time symbols from FILE (`NAME=VALUE` or `"NAME" "VALUE"` lines).
    #[arg(long = "defines", value_name = "FILE")]
    pub defines_file: Option<String>,
    /// The order of slash-separated dates in schtasks and JT lines (`/SD 03/04/2026`).
    #[arg(long, value_name = "ORDER", default_value = "mdy", value_parser = parse_date_order)]
    pub date_order: DateOrder,
}

/// `sked convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The source (`-` for standard input).
    #[arg(value_name = "IN")]
    pub input_path: String,
    /// The format of the source [default: told from its name and content].
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub from: Option<Format>,
    /// The format to write.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub to: Format,
    /// Write here instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<String>,
    /// Only the task with this name.
    #[arg(long, value_name = "NAME")]
    pub task: Option<String>,
    /// Convert even when the target format cannot hold everything; what is lost is
    /// printed as warnings.
    #[arg(long)]
    pub lossy: bool,
    /// Symbols and date order.
    #[command(flatten)]
    pub read: ReadArgs,
    /// The task's name, for sources that hold none (a `.job` on standard input).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

impl ConvertArgs {
    /// The reading options of `convert`, as the other commands have them.
    pub fn input(&self) -> InputArgs {
        InputArgs { format: self.from, read: self.read.clone(), name: self.name.clone() }
    }
}

/// Reads `--define NAME=VALUE`.
pub fn parse_define(s: &str) -> Result<(String, String), String> {
    sked_formats::symbols::parse_define(s)
        .map_err(|e| e.to_string().trim_start_matches("error: ").to_string())
}

/// Reads `--date-order`.
pub fn parse_date_order(s: &str) -> Result<DateOrder, String> {
    match s.to_ascii_lowercase().as_str() {
        "mdy" => Ok(DateOrder::Mdy),
        "dmy" => Ok(DateOrder::Dmy),
        "ymd" => Ok(DateOrder::Ymd),
        _ => {
            Err(format!("`{s}` is not a date order; expected `mdy` (03/04/2026 is 4 March), `dmy` or `ymd`"))
        }
    }
}

/// How to reach the service, and how to print its answers.
#[derive(Debug, Clone, Args)]
pub struct ServiceArgs {
    /// The service's socket [default: `/run/sked/sked.sock` for root,
    /// `$XDG_RUNTIME_DIR/sked.sock` for a user].
    #[arg(long, value_name = "PATH", env = "SKED_SOCKET")]
    pub socket: Option<PathBuf>,
    /// Print the API's JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The settings of a task that `create` and `change` take as flags.
#[derive(Debug, Clone, Default, Args)]
#[command(group(ArgGroup::new("schedule").multiple(false).args([
    "once", "daily", "weekly", "monthly", "monthly_week", "cron", "at_startup", "at_logon", "on_idle",
])))]
pub struct TaskFlags {
    /// The program, run directly (never through a shell).
    #[arg(long, value_name = "PROGRAM")]
    pub command: Option<String>,
    /// One argument of the program (repeatable, in order); for `change`, replaces them all.
    #[arg(long = "arg", value_name = "ARG", allow_hyphen_values = true)]
    pub args: Vec<String>,
    /// The working directory.
    #[arg(long, value_name = "DIR")]
    pub workdir: Option<String>,
    /// A description.
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
    /// The user to run as [default: the task's owner].
    #[arg(long, value_name = "USER")]
    pub run_as: Option<String>,
    /// Create (or leave) the task disabled: its triggers do not fire.
    #[arg(long)]
    pub disabled: bool,
    /// The longest a run may last (`2h`, `PT30M`, `0s` for no limit) [default: 72h].
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub max_run_time: Option<Duration>,
    /// What to do when a run is due while another is still going [default: ignore-new].
    #[arg(long, value_name = "POLICY", value_parser = parse_instances)]
    pub multiple_instances: Option<MultipleInstances>,
    /// The task's zone: an IANA name or `UTC` [default: the machine's zone].
    #[arg(long, value_name = "ZONE", value_parser = parse_zone_name)]
    pub tz: Option<String>,

    /// Run once, at `--start` `--at`.
    #[arg(long, help_heading = "Schedule (one of)")]
    pub once: bool,
    /// Run every day (every `--every` days) at `--at`.
    #[arg(long, help_heading = "Schedule (one of)")]
    pub daily: bool,
    /// Run on these weekdays (`mon,wed`) every week (every `--every` weeks) at `--at`.
    #[arg(long, value_name = "DAYS", value_parser = parse_weekdays, help_heading = "Schedule (one of)")]
    pub weekly: Option<WeekdaySet>,
    /// Run on these days of the month (`1,15,last`) every month (every `--every` months)
    /// at `--at`.
    #[arg(long, value_name = "DAYS", value_parser = parse_month_days, help_heading = "Schedule (one of)")]
    pub monthly: Option<MonthDays>,
    /// Run in these weeks of the month (`first,third,last`) on the weekdays of `--days`,
    /// at `--at`.
    #[arg(long, value_name = "WEEKS", value_parser = parse_weeks, requires = "days", help_heading = "Schedule (one of)")]
    pub monthly_week: Option<WeekSet>,
    /// Run at the times of a five-field cron expression, in the task's zone.
    #[arg(long, value_name = "EXPR", value_parser = parse_cron, help_heading = "Schedule (one of)")]
    pub cron: Option<CronExpr>,
    /// Run when the service starts at boot.
    #[arg(long, help_heading = "Schedule (one of)")]
    pub at_startup: bool,
    /// Run when a user logs on.
    #[arg(long, help_heading = "Schedule (one of)")]
    pub at_logon: bool,
    /// Run when the machine becomes idle.
    #[arg(long, help_heading = "Schedule (one of)")]
    pub on_idle: bool,

    /// The weekdays of `--monthly-week` (`fri`, `mon,thu`).
    #[arg(long, value_name = "DAYS", value_parser = parse_weekdays, requires = "monthly_week", help_heading = "Schedule settings")]
    pub days: Option<WeekdaySet>,
    /// The time of day (`HH:MM` or `HH:MM:SS`), civil time in the task's zone.
    #[arg(long, value_name = "HH:MM", value_parser = parse_time_of_day, help_heading = "Schedule settings")]
    pub at: Option<Time>,
    /// The interval of `--daily`, `--weekly` or `--monthly`: days, weeks or months [default: 1].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=999), help_heading = "Schedule settings")]
    pub every: Option<u32>,
    /// The first day (`YYYY-MM-DD`) [default: today, in the task's zone].
    #[arg(long, value_name = "DATE", value_parser = parse_date, help_heading = "Schedule settings")]
    pub start: Option<Date>,
    /// The last day it runs (`YYYY-MM-DD`, inclusive).
    #[arg(long, value_name = "DATE", value_parser = parse_date, help_heading = "Schedule settings")]
    pub end: Option<Date>,
    /// Repeat each run every DUR (`15m`, `1h`).
    #[arg(long, value_name = "DUR", value_parser = parse_duration, help_heading = "Schedule settings")]
    pub repeat: Option<Duration>,
    /// Repeat for this long after each run [default: until the trigger ends].
    #[arg(long = "for", value_name = "DUR", value_parser = parse_duration, requires = "repeat", help_heading = "Schedule settings")]
    pub repeat_for: Option<Duration>,
    /// End the runs still going when the `--for` window ends.
    #[arg(long, requires = "repeat_for", help_heading = "Schedule settings")]
    pub stop_at_end: bool,
    /// Delay each run by a random time up to DUR.
    #[arg(long, value_name = "DUR", value_parser = parse_duration, help_heading = "Schedule settings")]
    pub random_delay: Option<Duration>,
}

/// `sked create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The new task's name (folders separated by `/`).
    #[arg(value_name = "NAME", required_unless_present = "file", conflicts_with = "file")]
    pub name: Option<String>,
    /// The settings.
    #[command(flatten)]
    pub task: TaskFlags,
    /// Create every task of this file instead (any format; all or nothing). The tasks are
    /// marked as applied from the file, so `sked remove FILE` deletes them.
    #[arg(long, value_name = "FILE")]
    pub file: Option<String>,
    /// The format of `--file` [default: told from its name and content].
    #[arg(long, value_name = "FORMAT", value_parser = parse_format, requires = "file")]
    pub format: Option<Format>,
    /// Symbols, date order and name for `--file`.
    #[command(flatten)]
    pub read: ReadArgs,
    /// The service.
    #[command(flatten)]
    pub service: ServiceArgs,
}

/// `sked change`.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// The task.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// What to change.
    #[command(flatten)]
    pub task: TaskFlags,
    /// The service.
    #[command(flatten)]
    pub service: ServiceArgs,
}

/// The commands that take a task name and nothing else.
#[derive(Debug, Args)]
pub struct NameArgs {
    /// The task.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The service.
    #[command(flatten)]
    pub service: ServiceArgs,
}

/// `sked list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only the tasks whose name starts with this (a folder: `reports/`).
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// The service.
    #[command(flatten)]
    pub service: ServiceArgs,
}

/// `sked run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The task.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Wait for the run to end and exit with the program's exit code (128 + the signal
    /// if one killed it).
    #[arg(long)]
    pub wait: bool,
    /// The service.
    #[command(flatten)]
    pub service: ServiceArgs,
}

/// `sked history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this task's runs.
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// How many runs to show.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,
    /// The service.
    #[command(flatten)]
    pub service: ServiceArgs,
}

/// `sked logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The task.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// This run of the task [default: its last run].
    #[arg(long, value_name = "ID")]
    pub run: Option<RunId>,
    /// Keep printing the log as it grows, until the run ends.
    #[arg(long, conflicts_with = "json")]
    pub follow: bool,
    /// The service.
    #[command(flatten)]
    pub service: ServiceArgs,
}

/// `sked apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The files (any format sked reads); each path is the source `sked remove` names.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
    /// How the files are read: `--format` [default: told from each name and content],
    /// symbols, date order.
    #[command(flatten)]
    pub input: InputArgs,
    /// Print what would change and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The service.
    #[command(flatten)]
    pub service: ServiceArgs,
}

/// `sked remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The files an earlier `sked apply` installed (they need not exist any more).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
    /// Print what would be deleted and delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The service.
    #[command(flatten)]
    pub service: ServiceArgs,
}

/// `sked export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The task.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The format to write.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub to: Format,
    /// Write to this file [default: standard output].
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Write even when the format cannot hold every setting of the task.
    #[arg(long)]
    pub lossy: bool,
    /// The service.
    #[command(flatten)]
    pub service: ServiceArgs,
}

/// `sked next`.
#[derive(Debug, Args)]
pub struct NextArgs {
    /// A task file (`-` for standard input), or the name of a task in the service: `-`, an
    /// existing file, or a name ending in `.toml`, `.job`, `.xml`, `.txt`, `.bat`, `.cmd`
    /// or `.jt` is a file; anything else names a task.
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// Only the task with this name.
    #[arg(long, value_name = "NAME")]
    pub task: Option<String>,
    /// How to read the source.
    #[command(flatten)]
    pub input: InputArgs,
    /// List runs at or after this instant (RFC 3339 with an offset or `Z`) [default: now].
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub from: Option<Timestamp>,
    /// How many runs to list per task.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub count: u32,
    /// The zone of tasks that name none [default: the machine's zone].
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    pub tz: Option<TimeZone>,
    /// Print one JSON array of `{"task", "time", "trigger"}` objects (for a task in the
    /// service: the API's JSON).
    #[arg(long)]
    pub json: bool,
    /// The service's socket, for a task in the service [default: `/run/sked/sked.sock` for
    /// root, `$XDG_RUNTIME_DIR/sked.sock` for a user].
    #[arg(long, value_name = "PATH", env = "SKED_SOCKET")]
    pub socket: Option<PathBuf>,
}

/// `sked validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The task files (`-` for standard input).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
    /// How to read the source.
    #[command(flatten)]
    pub input: InputArgs,
}

/// `sked describe`.
#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The task file (`-` for standard input).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Only the task with this name.
    #[arg(long, value_name = "NAME")]
    pub task: Option<String>,
    /// How to read the source.
    #[command(flatten)]
    pub input: InputArgs,
    /// Show a month calendar with the days that have runs marked.
    #[arg(long)]
    pub calendar: bool,
    /// How many months the calendar shows, from the month of `--from`.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=24))]
    pub months: u32,
    /// The calendar marks runs at or after this instant (RFC 3339 with an offset or `Z`)
    /// [default: now].
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub from: Option<Timestamp>,
    /// The zone of tasks that name none [default: the machine's zone].
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    pub tz: Option<TimeZone>,
}

/// Reads `--from`: RFC 3339 with an offset or `Z` (semantics.md §6).
pub fn parse_time(s: &str) -> Result<Timestamp, String> {
    s.parse::<Timestamp>().map_err(|_| {
        format!(
            "`{s}` is not an instant; expected RFC 3339 with an offset or `Z`, such as \
             `2026-03-29T00:00:00Z` or `2026-03-29T02:00:00+02:00`"
        )
    })
}

/// Reads `--format`: a format's command-line name.
pub fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| {
        let names: Vec<String> = Format::ALL.iter().map(|f| format!("`{}`", f.name())).collect();
        format!("`{s}` is not a format; expected one of {}", names.join(", "))
    })
}

/// Reads `--tz`: an IANA zone name or `UTC`.
pub fn parse_zone(s: &str) -> Result<TimeZone, String> {
    if s == "UTC" {
        return Ok(TimeZone::UTC);
    }
    jiff::tz::db().get(s).map_err(|_| {
        format!(
            "`{s}` is not in the time zone database; expected an IANA name such as \
             `Europe/Paris`, or `UTC`"
        )
    })
}

/// Reads `--tz` of a task: an IANA zone name or `UTC`, kept as the name.
pub fn parse_zone_name(s: &str) -> Result<String, String> {
    parse_zone(s).map(|_| s.to_string())
}

/// Reads a duration: `90s`, `10m`, `1h30m`, `2d` or ISO 8601 `PT1H30M`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    s.parse::<Duration>().map_err(|e| e.to_string())
}

/// Reads `--multiple-instances`.
pub fn parse_instances(s: &str) -> Result<MultipleInstances, String> {
    MultipleInstances::parse(s).ok_or_else(|| {
        let names: Vec<String> = MultipleInstances::ALL.iter().map(|p| format!("`{}`", p.name())).collect();
        format!("`{s}` is not a policy; expected one of {}", names.join(", "))
    })
}

/// Reads a comma-separated list of weekdays: `mon,wed`, `friday`.
pub fn parse_weekdays(s: &str) -> Result<WeekdaySet, String> {
    let mut set = WeekdaySet::EMPTY;
    for part in s.split(',') {
        let day = parse_weekday(part).ok_or_else(|| {
            format!("`{}` is not a weekday; expected `sun`, `mon`, `tue`, `wed`, `thu`, `fri` or `sat` (or the full name)", part.trim())
        })?;
        set = set.with(day);
    }
    Ok(set)
}

/// Reads a comma-separated list of days of the month: `1,15,last`.
pub fn parse_month_days(s: &str) -> Result<MonthDays, String> {
    let mut set = MonthDays::EMPTY;
    for part in s.split(',').map(str::trim) {
        if part.eq_ignore_ascii_case("last") {
            set = set.with_last();
            continue;
        }
        match part.parse::<u8>() {
            Ok(n @ 1..=31) => set = set.with_day(n),
            _ => return Err(format!("`{part}` is not a day of the month; expected 1 to 31 or `last`")),
        }
    }
    Ok(set)
}

/// Reads a comma-separated list of weeks of the month: `first,last`.
pub fn parse_weeks(s: &str) -> Result<WeekSet, String> {
    let mut set = WeekSet::EMPTY;
    for part in s.split(',') {
        let week = WeekOfMonth::parse(part).ok_or_else(|| {
            format!(
                "`{}` is not a week of the month; expected `first`, `second`, `third`, `fourth` or `last`",
                part.trim()
            )
        })?;
        set = set.with(week);
    }
    Ok(set)
}

/// Reads `--cron`: five fields, or a macro such as `@daily`.
pub fn parse_cron(s: &str) -> Result<CronExpr, String> {
    s.parse::<CronExpr>().map_err(|e| e.to_string())
}

/// Reads `--at`: `HH:MM` or `HH:MM:SS`.
pub fn parse_time_of_day(s: &str) -> Result<Time, String> {
    let ok = s.len() >= 4 && s.bytes().all(|b| b.is_ascii_digit() || b == b':');
    ok.then(|| s.parse::<Time>().ok())
        .flatten()
        .ok_or_else(|| format!("`{s}` is not a time of day; expected `HH:MM` or `HH:MM:SS`, such as `06:30`"))
}

/// Reads `--start` and `--end`: `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<Date, String> {
    s.parse::<Date>().map_err(|_| format!("`{s}` is not a date; expected `YYYY-MM-DD`, such as `2026-03-29`"))
}

/// The zone for tasks that name none: `--tz`, else the machine's zone.
pub fn default_zone(tz: Option<TimeZone>) -> TimeZone {
    tz.unwrap_or_else(TimeZone::system)
}

/// A name for a zone in messages: its IANA name, or `local` for an unnamed system zone.
pub fn zone_name(tz: &TimeZone) -> String {
    tz.iana_name().unwrap_or("local").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn times_need_an_offset() {
        assert_eq!(
            parse_time("2026-03-29T02:00:00+02:00").unwrap(),
            "2026-03-29T00:00:00Z".parse::<Timestamp>().unwrap()
        );
        let e = parse_time("2026-03-29T02:00:00").unwrap_err();
        assert!(e.contains("expected RFC 3339 with an offset or `Z`"), "{e}");
    }

    #[test]
    fn zones_come_from_the_database() {
        assert_eq!(parse_zone("Australia/Lord_Howe").unwrap().iana_name(), Some("Australia/Lord_Howe"));
        assert_eq!(zone_name(&parse_zone("UTC").unwrap()), "UTC");
        assert!(parse_zone("Mars/Olympus_Mons").is_err());
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(parse_format("toml"), Ok(Format::TaskFile));
        assert_eq!(parse_format("JOB"), Ok(Format::Job));
        let e = parse_format("ini").unwrap_err();
        assert!(e.starts_with("`ini` is not a format; expected one of `toml`, `job`"), "{e}");
    }
}

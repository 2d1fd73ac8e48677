//! The command line: subcommands, flags and the parsers of their values.

use clap::{Args, Parser, Subcommand};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sked_formats::{DateOrder, Format};

/// sked: the Windows Task Scheduler model, on Linux. Reads task files and tells when
/// their tasks run.
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
    /// Print the next runs of each task in a file.
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
}

/// How a source is read: shared by every command that reads task files.
#[derive(Clone, Debug, Default, Args)]
pub struct InputArgs {
    /// The format of the source [default: told from its name and content].
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub format: Option<Format>,
    /// Replace the install-time symbol `(*NAME*)` with VALUE (repeatable).
    #[arg(long = "define", value_name = "NAME=VALUE", value_parser = parse_define)]
    pub defines: Vec<(String, String)>,
    /// Read install-time symbols from FILE (`NAME=VALUE` or `"NAME" "VALUE"` lines).
    #[arg(long = "defines", value_name = "FILE")]
    pub defines_file: Option<String>,
    /// The order of slash-separated dates in schtasks and JT lines (`/SD 03/04/2026`).
    #[arg(long, value_name = "ORDER", default_value = "mdy", value_parser = parse_date_order)]
    pub date_order: DateOrder,
    /// The task's name, for sources that hold none (a `.job` on standard input).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
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
    /// Replace the install-time symbol `(*NAME*)` with VALUE (repeatable).
    #[arg(long = "define", value_name = "NAME=VALUE", value_parser = parse_define)]
    pub defines: Vec<(String, String)>,
    /// Read install-time symbols from FILE (`NAME=VALUE` or `"NAME" "VALUE"` lines).
    #[arg(long = "defines", value_name = "FILE")]
    pub defines_file: Option<String>,
    /// The order of slash-separated dates in schtasks and JT lines (`/SD 03/04/2026`).
    #[arg(long, value_name = "ORDER", default_value = "mdy", value_parser = parse_date_order)]
    pub date_order: DateOrder,
    /// The task's name, for sources that hold none (a `.job` on standard input).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

impl ConvertArgs {
    /// The reading options of `convert`, as the other commands have them.
    pub fn input(&self) -> InputArgs {
        InputArgs {
            format: self.from,
            defines: self.defines.clone(),
            defines_file: self.defines_file.clone(),
            date_order: self.date_order,
            name: self.name.clone(),
        }
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

/// `sked next`.
#[derive(Debug, Args)]
pub struct NextArgs {
    /// The task file (`-` for standard input).
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
    /// Print one JSON array of `{"task", "time", "trigger"}` objects.
    #[arg(long)]
    pub json: bool,
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

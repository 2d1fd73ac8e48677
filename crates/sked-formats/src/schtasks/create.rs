//! `schtasks /Create`: from switches to a task (windows-formats.md §3.1–§3.3).

use jiff::civil::{Date, DateTime, Time};
use sked_core::{
    Duration, End, IdleSettings, MonthDays, MonthSet, Repetition, Start, Task, Trigger, TriggerKind,
    WeekOfMonth, Weekday, WeekdaySet, parse_month, parse_weekday,
};

use super::civil::{parse_date, parse_pair, parse_time};
use super::lex::{Src, Tok};
use super::switches::{Arity, Given, Switches, Table};
use super::{RunLevel, ScheduleKind, SchtasksExtras};
use crate::{Action, Diagnostic, Entry, Extras, Location, ReadOptions};

/// The switches of `/Create` (windows-formats.md §3.1).
pub(crate) const CREATE: Table = &[
    ("S", Arity::Value),
    ("U", Arity::Value),
    ("P", Arity::Optional),
    ("RU", Arity::Value),
    ("RP", Arity::Optional),
    ("SC", Arity::Value),
    ("MO", Arity::Value),
    ("D", Arity::Value),
    ("M", Arity::Value),
    ("I", Arity::Value),
    ("TN", Arity::Value),
    ("TR", Arity::Value),
    ("ST", Arity::Value),
    ("RI", Arity::Value),
    ("ET", Arity::Value),
    ("DU", Arity::Value),
    ("K", Arity::Flag),
    ("SD", Arity::Value),
    ("ED", Arity::Value),
    ("EC", Arity::Value),
    ("IT", Arity::Flag),
    ("NP", Arity::Flag),
    ("Z", Arity::Flag),
    ("XML", Arity::Value),
    ("V1", Arity::Flag),
    ("F", Arity::Flag),
    ("RL", Arity::Value),
    ("DELAY", Arity::Value),
    ("HRESULT", Arity::Flag),
];

/// The longest `/TR` schtasks accepts (WSD).
pub(crate) const MAX_TASK_RUN: usize = 262;

/// What a command is read with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctx<'a> {
    pub src: Src<'a>,
    pub opts: &'a ReadOptions,
    pub now: Option<DateTime>,
    /// Where the whole command is, for problems no single switch causes.
    pub whole: &'a Location,
}

/// The `/MO` of a schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Modifier {
    Every(u32),
    Week(WeekOfMonth),
    LastDay,
}

/// The canonical model name of the LocalSystem account: `/RU ""`, `/RU SYSTEM` and
/// `/RU "NT AUTHORITY\SYSTEM"` all read as this, and JT's `/SC "" NULL` too.
pub const SYSTEM: &str = "SYSTEM";

/// True for the spellings schtasks takes as LocalSystem.
pub fn is_system(user: &str) -> bool {
    let u = user.trim();
    u.is_empty() || u.eq_ignore_ascii_case("system") || u.eq_ignore_ascii_case(r"NT AUTHORITY\SYSTEM")
}

/// The model name of a task for a schtasks `/TN` (`\Folder\Name` → `Folder/Name`).
pub fn name_from_windows(tn: &str) -> String {
    tn.trim_start_matches(['\\', '/']).replace('\\', "/")
}

fn range_list(kind: ScheduleKind) -> Option<(u32, u32)> {
    match kind {
        ScheduleKind::Minute => Some((1, 1439)),
        ScheduleKind::Hourly => Some((1, 23)),
        ScheduleKind::Daily => Some((1, 365)),
        ScheduleKind::Weekly => Some((1, 52)),
        ScheduleKind::Monthly => Some((1, 12)),
        _ => None,
    }
}

fn number(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// Splits a list written with commas and/or spaces (`MON,FRI`, `"MON WED FRI"`).
fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split([',', ' ', '\t']).filter(|x| !x.is_empty())
}

fn parse_weekdays(s: &str) -> Result<WeekdaySet, String> {
    if s.trim() == "*" {
        return Ok(WeekdaySet::ALL);
    }
    let mut set = WeekdaySet::EMPTY;
    for item in list(s) {
        match parse_weekday(item) {
            Some(d) => set = set.with(d),
            None => {
                return Err(format!(
                    "`{item}` is not a day of the week; expected MON, TUE, WED, THU, FRI, SAT, SUN, a list such as MON,FRI, or *"
                ));
            }
        }
    }
    if set.is_empty() {
        return Err("no day given; expected MON..SUN or *".into());
    }
    Ok(set)
}

fn parse_months(s: &str) -> Result<MonthSet, String> {
    if s.trim() == "*" {
        return Ok(MonthSet::ALL);
    }
    let mut set = MonthSet::EMPTY;
    for item in list(s) {
        match parse_month(item) {
            Some(m) => set = set.with(m),
            None => {
                return Err(format!(
                    "`{item}` is not a month; expected JAN..DEC, a list such as MAR,SEP, or *"
                ));
            }
        }
    }
    if set.is_empty() {
        return Err("no month given; expected JAN..DEC or *".into());
    }
    Ok(set)
}

/// The most days month `m` ever has (February: 29).
fn max_days(m: i8) -> u8 {
    match m {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const MONTH_UPPER: [&str; 12] =
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/// Reads the switches of one `/Create` into an entry and its warnings.
pub(crate) fn create(ctx: &Ctx<'_>, toks: &[Tok]) -> Result<(Entry, Vec<Diagnostic>), Vec<Diagnostic>> {
    let src = ctx.src;
    let sw = Switches::parse(src, toks, CREATE, "/Create")?;
    let mut errs: Vec<Diagnostic> = Vec::new();
    let mut warns: Vec<Diagnostic> = Vec::new();
    let error = |g: Given<'_>, msg: String| Diagnostic::error(g.at(src), msg);
    let warning = |g: Given<'_>, msg: String| Diagnostic::warning(g.at(src), msg);

    if let Some(g) = sw.get("XML") {
        return Err(vec![error(
            g,
            format!(
                "`{}` creates the task from a Task Scheduler 2.0 XML file; read that file with the `xml` format instead",
                g.written()
            ),
        )]);
    }

    // Remote machines (§3.1: /U and /P are valid only with /S).
    match sw.get("S") {
        Some(g) => warns.push(warning(
            g,
            format!("`{}` is ignored: sked creates tasks on the machine it runs on", g.written()),
        )),
        None => {
            for name in ["U", "P"] {
                if let Some(g) = sw.get(name) {
                    errs.push(error(
                        g,
                        format!(
                            "`/{name}` is valid only with `/S`: it is the account that runs schtasks on a remote machine"
                        ),
                    ));
                }
            }
        }
    }
    if sw.has("S") {
        for name in ["U", "P"] {
            if let Some(g) = sw.get(name) {
                warns.push(warning(
                    g,
                    format!("`/{name}` is ignored with `/S`: remote machines do not apply"),
                ));
            }
        }
    }

    // /SC: the kind of schedule.
    let kind = match sw.get("SC") {
        None => {
            errs.push(Diagnostic::error(
                ctx.whole.clone(),
                "`/SC` is missing; expected the schedule type: MINUTE, HOURLY, DAILY, WEEKLY, MONTHLY, ONCE, ONSTART, ONLOGON or ONIDLE".to_string(),
            ));
            None
        }
        Some(g) => {
            let v = g.value.map_or("", |v| v.text.as_str());
            if v.eq_ignore_ascii_case("ONEVENT") {
                errs.push(error(
                    g,
                    format!(
                        "`{}` fires on Windows event-log entries, which sked cannot watch (Linux has no Windows event log); this task cannot be created",
                        g.written()
                    ),
                ));
                None
            } else {
                match ScheduleKind::parse(v) {
                    Some(k) => Some(k),
                    None => {
                        errs.push(error(
                            g,
                            format!(
                                "`{v}` is not a schedule type; expected MINUTE, HOURLY, DAILY, WEEKLY, MONTHLY, ONCE, ONSTART, ONLOGON or ONIDLE"
                            ),
                        ));
                        None
                    }
                }
            }
        }
    };
    let onevent = sw.value("SC").is_some_and(|v| v.text.eq_ignore_ascii_case("ONEVENT"));
    if let (Some(g), false) = (sw.get("EC"), onevent) {
        errs.push(error(
            g,
            "`/EC` (an event channel) is only for `/SC ONEVENT`, which sked cannot create".into(),
        ));
    }

    // /TN and /TR.
    let name = match sw.value("TN") {
        Some(v) => {
            let n = name_from_windows(&v.text);
            if n.is_empty() {
                errs.push(Diagnostic::error(
                    src.at(v),
                    "`/TN` is empty; expected a task name such as `Folder\\Name`".to_string(),
                ));
            }
            Some(n)
        }
        None => match &ctx.opts.name {
            Some(n) => Some(n.clone()),
            None => {
                errs.push(Diagnostic::error(
                    ctx.whole.clone(),
                    "`/TN` is missing; expected the task name (`/TN \"Folder\\Name\"`)".to_string(),
                ));
                None
            }
        },
    };
    let (command, args, raw_tr) = match sw.get("TR") {
        None => {
            errs.push(Diagnostic::error(
                ctx.whole.clone(),
                "`/TR` is missing; expected the program to run and its arguments (`/TR \"C:\\app.exe -x\"`)"
                    .to_string(),
            ));
            (String::new(), Vec::new(), None)
        }
        Some(g) => {
            let tr = g.value.map_or("", |v| v.text.as_str());
            let mut parts = crate::winargs::split(tr).into_iter();
            match parts.next() {
                Some(cmd) if !cmd.is_empty() => {
                    if tr.chars().count() > MAX_TASK_RUN {
                        warns.push(warning(
                            g,
                            format!(
                                "`/TR` is {} characters long; schtasks accepts at most {MAX_TASK_RUN}",
                                tr.chars().count()
                            ),
                        ));
                    }
                    let args: Vec<String> = parts.collect();
                    let mut all = vec![cmd.clone()];
                    all.extend(args.iter().cloned());
                    let raw = (crate::winargs::join(&all) != tr).then(|| tr.to_string());
                    (cmd, args, raw)
                }
                _ => {
                    errs.push(error(
                        g,
                        "`/TR` names no program; expected the program to run and its arguments".into(),
                    ));
                    (String::new(), Vec::new(), None)
                }
            }
        }
    };

    // /RU, /RP, /RL, /IT, /NP.
    let mut extras = SchtasksExtras {
        interactive: sw.has("IT"),
        no_password: sw.has("NP"),
        v1: sw.has("V1"),
        hresult: sw.has("HRESULT"),
        ..SchtasksExtras::default()
    };
    let run_as = sw.value("RU").map(|v| {
        if is_system(&v.text) {
            if v.text != SYSTEM {
                extras.run_as = Some(v.text.clone());
            }
            SYSTEM.to_string()
        } else {
            v.text.clone()
        }
    });
    if let Some(g) = sw.get("RU")
        && run_as.as_deref().is_some_and(|u| u.trim().is_empty())
    {
        errs.push(error(g, "`/RU` is blank; expected a user name".into()));
    }
    if let Some(g) = sw.get("RP") {
        if sw.has("RU") {
            warns.push(warning(
                g,
                "the password given with `/RP` is not stored: sked starts tasks as their user without one"
                    .into(),
            ));
        } else {
            errs.push(error(g, "`/RP` is valid only with `/RU`: it is the password of that account".into()));
        }
    }
    if let (Some(_), Some(g)) = (sw.get("IT"), sw.get("NP")) {
        errs.push(error(
            g,
            "`/IT` and `/NP` cannot be combined: choose run-only-when-logged-on or no stored password".into(),
        ));
    }
    if let Some(g) = sw.get("RL") {
        let v = g.value.map_or("", |v| v.text.as_str());
        match RunLevel::parse(v) {
            Some(l) => extras.run_level = Some(l),
            None => errs.push(error(g, format!("`{v}` is not a run level; expected LIMITED or HIGHEST"))),
        }
    }

    let Some(kind) = kind else {
        return Err(errs);
    };
    extras.schedule = kind;
    let kname = kind.name();
    let is_event = matches!(kind, ScheduleKind::OnStart | ScheduleKind::OnLogon | ScheduleKind::OnIdle);

    // /MO.
    let modifier = match (sw.get("MO"), range_list(kind)) {
        (Some(g), None) => {
            errs.push(error(g, format!("`/MO` is not valid with `/SC {kname}`, which takes no modifier")));
            None
        }
        (None, _) => Some(Modifier::Every(1)),
        (Some(g), Some((lo, hi))) => {
            let v = g.value.map_or("", |v| v.text.as_str());
            let upper = v.to_ascii_uppercase();
            if let Some(n) = number(v) {
                if (lo..=hi).contains(&n) {
                    Some(Modifier::Every(n))
                } else {
                    errs.push(error(
                        g,
                        format!("`{}` is out of range for `/SC {kname}`; expected {lo} to {hi}", g.written()),
                    ));
                    None
                }
            } else if kind == ScheduleKind::Monthly && upper == "LASTDAY" {
                Some(Modifier::LastDay)
            } else if let Some(w) = WeekOfMonth::parse(v).filter(|_| kind == ScheduleKind::Monthly) {
                Some(Modifier::Week(w))
            } else {
                let expected = if kind == ScheduleKind::Monthly {
                    "1 to 12, FIRST, SECOND, THIRD, FOURTH, LAST or LASTDAY".to_string()
                } else {
                    format!("a number from {lo} to {hi}")
                };
                errs.push(error(
                    g,
                    format!("`{v}` is not a valid `/MO` for `/SC {kname}`; expected {expected}"),
                ));
                None
            }
        }
    };

    // /M: MONTHLY only; required with LASTDAY.
    let months = match sw.get("M") {
        Some(g) if kind != ScheduleKind::Monthly => {
            errs.push(error(g, format!("`/M` is only for `/SC MONTHLY`, not `/SC {kname}`")));
            None
        }
        Some(g) => match parse_months(g.value.map_or("", |v| v.text.as_str())) {
            Ok(m) => Some(m),
            Err(why) => {
                errs.push(error(g, why));
                None
            }
        },
        None => {
            if modifier == Some(Modifier::LastDay)
                && let Some(g) = sw.get("MO")
            {
                errs.push(error(g, "`/MO LASTDAY` needs `/M`, the months (`/M *` for every month)".into()));
            }
            None
        }
    };

    // /D: weekdays for WEEKLY and MONTHLY FIRST..LAST, a day number for MONTHLY n.
    let d = sw.get("D");
    let dval = d.and_then(|g| g.value).map_or("", |v| v.text.as_str());
    let kind_trigger: Option<TriggerKind> = match (kind, modifier) {
        (_, None) => None,
        (ScheduleKind::Weekly, Some(Modifier::Every(every))) => {
            let days = match d {
                None => Some(WeekdaySet::EMPTY.with(Weekday::Monday)),
                Some(g) => match parse_weekdays(dval) {
                    Ok(s) => Some(s),
                    Err(why) => {
                        errs.push(error(g, why));
                        None
                    }
                },
            };
            days.map(|days| TriggerKind::Weekly { every, days })
        }
        (ScheduleKind::Monthly, Some(Modifier::Every(every))) => {
            let day = match d {
                None => Some(1),
                Some(g) => match number(dval.trim()) {
                    Some(n @ 1..=31) => Some(n as u8),
                    _ => {
                        errs.push(error(
                            g,
                            format!(
                                "`{dval}` is not a day of the month; with `/MO {every}` /D is one day from 1 to 31"
                            ),
                        ));
                        None
                    }
                },
            };
            let months = months.unwrap_or(MonthSet::ALL);
            if let (Some(day), Some(g)) = (day, sw.get("M"))
                && let Some(m) = months.iter().find(|&m| day > max_days(m))
            {
                errs.push(error(
                        g,
                        format!(
                            "day {day} does not exist in {} (`{}`); schtasks refuses a day that a chosen month lacks",
                            MONTH_UPPER[m as usize - 1],
                            g.written()
                        ),
                    ));
            }
            day.map(|day| TriggerKind::Monthly { every, days: MonthDays::EMPTY.with_day(day), months })
        }
        (ScheduleKind::Monthly, Some(Modifier::Week(w))) => {
            let day = match d {
                None => {
                    errs.push(Diagnostic::error(
                        sw.get("MO").map_or(ctx.whole.clone(), |g| g.at(src)),
                        format!(
                            "`/MO {}` needs `/D`, one day of the week (MON..SUN)",
                            w.name().to_ascii_uppercase()
                        ),
                    ));
                    None
                }
                Some(g) => match parse_weekday(dval.trim()) {
                    Some(day) => Some(day),
                    None => {
                        errs.push(error(
                            g,
                            format!(
                                "`{dval}` is not one day of the week; with `/MO {}` /D is exactly one of MON..SUN",
                                w.name().to_ascii_uppercase()
                            ),
                        ));
                        None
                    }
                },
            };
            day.map(|day| TriggerKind::MonthlyWeekday {
                weeks: sked_core::WeekSet::EMPTY.with(w),
                days: WeekdaySet::EMPTY.with(day),
                months: months.unwrap_or(MonthSet::ALL),
            })
        }
        (ScheduleKind::Monthly, Some(Modifier::LastDay)) => {
            if let Some(g) = d {
                errs.push(error(
                    g,
                    "`/MO LASTDAY` takes no `/D`: it runs on the last day of each month of `/M`".into(),
                ));
            }
            Some(TriggerKind::Monthly {
                every: 1,
                days: MonthDays::EMPTY.with_last(),
                months: months.unwrap_or(MonthSet::ALL),
            })
        }
        (other, Some(m)) => {
            if let Some(g) = d {
                errs.push(error(
                    g,
                    format!("`/D` is not valid with `/SC {kname}`; it is only for WEEKLY and MONTHLY"),
                ));
            }
            match (other, m) {
                (ScheduleKind::Minute | ScheduleKind::Hourly, _) => Some(TriggerKind::Daily { every: 1 }),
                (ScheduleKind::Daily, Modifier::Every(every)) => Some(TriggerKind::Daily { every }),
                (ScheduleKind::Once, _) => Some(TriggerKind::Once),
                (ScheduleKind::OnStart, _) => Some(TriggerKind::AtStartup { delay: Duration::ZERO }),
                (ScheduleKind::OnLogon, _) => {
                    Some(TriggerKind::AtLogon { user: None, delay: Duration::ZERO })
                }
                (ScheduleKind::OnIdle, _) => Some(TriggerKind::OnIdle),
                _ => None,
            }
        }
    };

    // /I: ONIDLE only, and required there.
    let idle_minutes = match (sw.get("I"), kind) {
        (Some(g), ScheduleKind::OnIdle) => {
            let v = g.value.map_or("", |v| v.text.as_str());
            match number(v) {
                Some(n @ 1..=999) => Some(n),
                _ => {
                    errs.push(error(
                        g,
                        format!("`{}` is out of range; expected 1 to 999 idle minutes", g.written()),
                    ));
                    None
                }
            }
        }
        (Some(g), _) => {
            errs.push(error(g, format!("`/I` is only for `/SC ONIDLE`, not `/SC {kname}`")));
            None
        }
        (None, ScheduleKind::OnIdle) => {
            errs.push(Diagnostic::error(
                sw.get("SC").map_or(ctx.whole.clone(), |g| g.at(src)),
                "`/SC ONIDLE` needs `/I`, the idle minutes (1 to 999)".to_string(),
            ));
            None
        }
        (None, _) => None,
    };

    // /DELAY: ONSTART and ONLOGON.
    let delay = match sw.get("DELAY") {
        None => Duration::ZERO,
        Some(g) if !matches!(kind, ScheduleKind::OnStart | ScheduleKind::OnLogon) => {
            errs.push(error(
                g,
                format!("`/DELAY` is only for `/SC ONSTART` and `/SC ONLOGON`, not `/SC {kname}`"),
            ));
            Duration::ZERO
        }
        Some(g) => match g.value.and_then(|v| parse_pair(&v.text)) {
            Some((m, s)) => Duration::from_secs(m * 60 + s),
            None => {
                errs.push(error(
                    g,
                    format!(
                        "`{}` is not a delay; expected mmmm:ss (minutes, then seconds 00-59)",
                        g.written()
                    ),
                ));
                Duration::ZERO
            }
        },
    };
    let kind_trigger = kind_trigger.map(|k| match k {
        TriggerKind::AtStartup { .. } => TriggerKind::AtStartup { delay },
        TriggerKind::AtLogon { user, .. } => TriggerKind::AtLogon { user, delay },
        other => other,
    });

    // Dates and times.
    let parse_date_switch = |name: &str, errs: &mut Vec<Diagnostic>| -> Option<Date> {
        let g = sw.get(name)?;
        let v = g.value?;
        match parse_date(&v.text, ctx.opts.date_order) {
            Ok(d) => Some(d),
            Err(why) => {
                errs.push(error(g, format!("`{}` is not a date: {why}", v.text)));
                None
            }
        }
    };
    let sd = parse_date_switch("SD", &mut errs);
    let ed = parse_date_switch("ED", &mut errs);
    let parse_time_switch = |name: &str, errs: &mut Vec<Diagnostic>| -> Option<Time> {
        let g = sw.get(name)?;
        let v = g.value?;
        match parse_time(&v.text) {
            Ok(t) => Some(t),
            Err(why) => {
                errs.push(error(g, format!("`{}` is not a time: {why}", v.text)));
                None
            }
        }
    };
    let st = parse_time_switch("ST", &mut errs);
    let et = parse_time_switch("ET", &mut errs);

    if let Some(g) = sw.get("ED")
        && (matches!(kind, ScheduleKind::Once) || is_event)
    {
        errs.push(error(g, format!("`/ED` is not valid with `/SC {kname}`: it has no later runs to end")));
    }
    if is_event && let Some(g) = sw.get("ST") {
        errs.push(error(g, format!("`/ST` is not valid with `/SC {kname}`: an event has no start time")));
    }
    if kind == ScheduleKind::Once && !sw.has("ST") {
        errs.push(Diagnostic::error(
            sw.get("SC").map_or(ctx.whole.clone(), |g| g.at(src)),
            "`/SC ONCE` needs `/ST`, the time to run".to_string(),
        ));
    }

    // Repetition: /RI /ET /DU /K (and the built-in one of MINUTE and HOURLY).
    for name in ["RI", "ET", "DU", "K"] {
        if let Some(g) = sw.get(name) {
            let minute_kind = matches!(kind, ScheduleKind::Minute | ScheduleKind::Hourly);
            if is_event || (name == "RI" && minute_kind) {
                let why = if is_event {
                    "an event trigger does not repeat"
                } else {
                    "MINUTE and HOURLY repeat every `/MO` minutes or hours"
                };
                errs.push(error(g, format!("`/{name}` is not valid with `/SC {kname}`: {why}")));
            }
        }
    }
    if let (Some(_), Some(g)) = (sw.get("ET"), sw.get("DU")) {
        errs.push(error(g, "`/ET` and `/DU` cannot be combined; give the end time or the duration".into()));
    }
    if let Some(g) = sw.get("K")
        && !sw.has("ET")
        && !sw.has("DU")
    {
        errs.push(error(
            g,
            "`/K` needs `/ET` or `/DU`: without a repetition window there is no end to stop at".into(),
        ));
    }
    let ri = sw.get("RI").and_then(|g| {
        let v = g.value.map_or("", |v| v.text.as_str());
        match number(v) {
            Some(n @ 1..=599_940) => Some(n),
            _ => {
                errs.push(error(
                    g,
                    format!("`{}` is out of range; expected 1 to 599940 minutes", g.written()),
                ));
                None
            }
        }
    });
    let du = sw.get("DU").and_then(|g| match g.value.and_then(|v| parse_pair(&v.text)) {
        Some((h, m)) if h * 60 + m > 0 => Some(Duration::from_mins(h * 60 + m)),
        _ => {
            errs.push(error(
                g,
                format!(
                    "`{}` is not a duration; expected HHHH:mm, hours then minutes 00-59, longer than zero",
                    g.written()
                ),
            ));
            None
        }
    });

    // The start: /SD and /ST, or today and now.
    let interval_mins: Option<u64> = match (kind, modifier) {
        (ScheduleKind::Minute, Some(Modifier::Every(n))) => Some(u64::from(n)),
        (ScheduleKind::Hourly, Some(Modifier::Every(n))) => Some(60 * u64::from(n)),
        _ => None,
    };
    let start: Option<DateTime> = if is_event {
        sd.map(|d| d.to_datetime(Time::midnight()))
    } else if kind == ScheduleKind::Once && st.is_none() {
        None
    } else {
        let now = ctx.now.map(|n| n.with().second(0).subsec_nanosecond(0).build().unwrap_or(n));
        // MINUTE and HOURLY without /ST first run one interval after creation (WSD: "the
        // task starts 20 minutes after the command completes").
        let derived = now.map(|n| match interval_mins {
            Some(m) if st.is_none() => n.checked_add(jiff::SignedDuration::from_mins(m as i64)).unwrap_or(n),
            _ => n,
        });
        let time = st.or(derived.map(|d| d.time()));
        let date = sd.or(derived.map(|d| d.date()));
        if time.is_none() {
            errs.push(Diagnostic::error(
                sw.get("SC").map_or(ctx.whole.clone(), |g| g.at(src)),
                "`/ST` is not given and the current time is unknown here; give `/ST HH:mm` (schtasks starts at the current time)".to_string(),
            ));
        }
        if date.is_none() && sd.is_none() && !sw.has("SD") {
            errs.push(Diagnostic::error(
                sw.get("SC").map_or(ctx.whole.clone(), |g| g.at(src)),
                "`/SD` is not given and today's date is unknown here; give `/SD` (schtasks starts today)"
                    .to_string(),
            ));
        }
        match (date, time) {
            (Some(d), Some(t)) => Some(d.to_datetime(t)),
            _ => None,
        }
    };

    let repeat: Option<Repetition> = if is_event {
        None
    } else {
        let window = match (et, start) {
            (Some(et), Some(s)) => {
                let from = s.time().duration_since(Time::midnight()).as_secs();
                let to = et.duration_since(Time::midnight()).as_secs();
                let secs = (to - from).rem_euclid(86_400);
                if secs == 0 {
                    if let Some(g) = sw.get("ET") {
                        errs.push(error(
                            g,
                            "`/ET` equals the start time: the repetition window would be empty".into(),
                        ));
                    }
                    None
                } else {
                    Some(Duration::from_secs(secs as u64))
                }
            }
            _ => None,
        };
        let window = window.or(du);
        let any = sw.has("RI") || sw.has("ET") || sw.has("DU");
        let every = match interval_mins {
            Some(m) => Some(m),
            None if any => Some(u64::from(ri.unwrap_or(10))),
            None => None,
        };
        match every {
            None => None,
            Some(every) => {
                let every = Duration::from_mins(every);
                let duration = match (window, interval_mins) {
                    (Some(w), _) => Some(w),
                    (None, Some(_)) => Some(Duration::from_hours(24)),
                    // §2: with /V1 and /RI the duration defaults to 1 hour; otherwise an
                    // absent duration repeats indefinitely (W32).
                    (None, None) if extras.v1 => Some(Duration::from_hours(1)),
                    (None, None) => None,
                };
                if let Some(len) = duration
                    && len <= every
                {
                    let at = sw
                        .get("DU")
                        .or(sw.get("ET"))
                        .or(sw.get("RI"))
                        .or(sw.get("MO"))
                        .map_or(ctx.whole.clone(), |g| g.at(src));
                    errs.push(Diagnostic::error(
                            at,
                            format!(
                                "the repetition window ({len}) is not longer than the interval ({every}); expected a window longer than the interval"
                            ),
                        ));
                }
                Some(Repetition { every, duration, stop_at_end: sw.has("K") })
            }
        }
    };

    if let (Some(end), Some(s)) = (ed, start)
        && end < s.date()
        && let Some(g) = sw.get("ED")
    {
        errs.push(error(
            g,
            format!("`/ED` is before the start date {}; expected a date on or after it", s.date()),
        ));
    }

    if let (Some(now), Some(s), ScheduleKind::Once) = (ctx.now, start, kind)
        && s < now
    {
        warns.push(Diagnostic::warning(
            sw.get("ST").map_or(ctx.whole.clone(), |g| g.at(src)),
            format!("the run at {s} is in the past: this task will never run"),
        ));
    }

    if !errs.is_empty() {
        return Err(errs);
    }
    let (Some(name), Some(kind_trigger)) = (name, kind_trigger) else {
        return Err(vec![Diagnostic::error(
            ctx.whole.clone(),
            "this command does not describe a task".to_string(),
        )]);
    };

    let mut task = Task::new(name, command);
    task.args = args;
    task.run_as = run_as;
    task.delete_when_done = sw.has("Z");
    if let Some(m) = idle_minutes {
        task.idle =
            Some(IdleSettings { idle_for: Duration::from_mins(u64::from(m)), ..IdleSettings::default() });
    }
    let mut trigger = Trigger::new(kind_trigger);
    trigger.start = start.map(Start::civil);
    trigger.end = ed.map(End::Date);
    trigger.repeat = repeat;
    task.triggers.push(trigger);
    extras.task_run = raw_tr;

    if let Err(e) = task.validate() {
        return Err(e
            .problems()
            .iter()
            .map(|p| {
                let at = match p.field.to_string().as_str() {
                    "name" => sw.get("TN").map(|g| g.at(src)),
                    "command" | "args" => sw.get("TR").map(|g| g.at(src)),
                    "run-as" => sw.get("RU").map(|g| g.at(src)),
                    _ => None,
                };
                Diagnostic::error(at.unwrap_or_else(|| ctx.whole.clone()), p.message.clone())
            })
            .collect());
    }

    let entry = Entry {
        task,
        action: if sw.has("F") { Action::Replace } else { Action::Create },
        extras: Extras { schtasks: Some(extras), ..Extras::default() },
    };
    Ok((entry, warns))
}

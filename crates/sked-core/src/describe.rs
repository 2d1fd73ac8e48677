//! Tasks and triggers in plain English, for `sked describe`.
//!
//! Pure functions over the model: the words follow semantics.md, so a reader who knows the
//! rules can check a task without knowing the task file. Dates are written `7 January 2026`,
//! times `06:00` (seconds only when not zero), lists `a, b and c`.

use std::fmt;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;

use crate::cron::CronExpr;
use crate::duration::Duration;
use crate::month::MONTH_ENGLISH;
use crate::month_day::MonthDays;
use crate::task::{DEFAULT_MAX_RUN_TIME, MultipleInstances, Priority, Task};
use crate::trigger::{End, FoldPolicy, GapPolicy, Start, Trigger, TriggerKind};
use crate::week::WeekOfMonth;
use crate::weekday::{WeekdaySet, weekday_english};

/// A task in plain English: labelled facts, then one sentence per trigger.
///
/// Its [`Display`](fmt::Display) lays them out in two aligned columns:
///
/// ```text
/// nightly/backup
///   command      /usr/local/bin/backup --full /srv
///   time zone    Europe/Paris
///   trigger 1    every day at 02:30 from 1 January 2026
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskDescription {
    /// The task's name.
    pub name: String,
    /// What runs, how and under which conditions, in reading order.
    pub facts: Vec<Fact>,
    /// One sentence per trigger, in the task's order (trigger 1 first).
    pub triggers: Vec<String>,
}

/// One labelled line of a [`TaskDescription`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    /// A short lowercase label (`command`, `run as`).
    pub label: &'static str,
    /// The fact, in words.
    pub text: String,
}

impl fmt::Display for TaskDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let trigger_labels: Vec<String> = if self.triggers.is_empty() {
            vec!["triggers".to_string()]
        } else {
            (1..=self.triggers.len()).map(|i| format!("trigger {i}")).collect()
        };
        let width = self
            .facts
            .iter()
            .map(|fact| fact.label.len())
            .chain(trigger_labels.iter().map(String::len))
            .max()
            .unwrap_or(0);
        write!(f, "{}", self.name)?;
        for fact in &self.facts {
            write!(f, "\n  {:width$}  {}", fact.label, fact.text)?;
        }
        if self.triggers.is_empty() {
            write!(f, "\n  {:width$}  none: the task runs only when started by hand", trigger_labels[0])?;
        }
        for (label, text) in trigger_labels.iter().zip(&self.triggers) {
            write!(f, "\n  {label:width$}  {text}")?;
        }
        Ok(())
    }
}

/// Describes `task`. `default_zone` names the zone the task runs in when it names none
/// (the machine's zone, or `sked --tz`).
pub fn describe_task(task: &Task, default_zone: &str) -> TaskDescription {
    let mut facts = Vec::new();
    let mut fact = |label: &'static str, text: String| facts.push(Fact { label, text });
    if !task.enabled {
        fact("status", "disabled: the task has no runs".into());
    }
    fact("command", command_line(&task.command, &task.args));
    if let Some(dir) = &task.working_dir {
        fact("working dir", quote(dir));
    }
    fact(
        "run as",
        match &task.run_as {
            Some(user) => user.clone(),
            None => "the owner of the task".into(),
        },
    );
    fact(
        "time zone",
        match &task.time_zone {
            Some(zone) => zone.clone(),
            None => format!("{default_zone} (the task names none)"),
        },
    );
    if let Some(comment) = &task.comment {
        fact("comment", comment.clone());
    }
    if let Some(author) = &task.author {
        fact("author", author.clone());
    }
    if !task.environment.is_empty() {
        let vars: Vec<String> = task.environment.iter().map(|(k, v)| format!("{k}={}", quote(v))).collect();
        fact("environment", vars.join(" "));
    }
    fact("limits", limits(task));
    let conditions = conditions(task);
    if !conditions.is_empty() {
        fact("conditions", conditions.join("; "));
    }
    TaskDescription {
        name: task.name.clone(),
        facts,
        triggers: task.triggers.iter().map(describe_trigger).collect(),
    }
}

fn limits(task: &Task) -> String {
    let mut parts = Vec::new();
    parts.push(match task.max_run_time {
        None => "no time limit".to_string(),
        Some(d) if d == DEFAULT_MAX_RUN_TIME => {
            format!("stopped after {} (the default)", describe_duration(d))
        }
        Some(d) => format!("stopped after {}", describe_duration(d)),
    });
    parts.push(
        match task.multiple_instances {
            MultipleInstances::IgnoreNew => "a run due while one is going is skipped",
            MultipleInstances::Queue => "a run due while one is going waits for it to end",
            MultipleInstances::Parallel => "a run due while one is going starts alongside it",
            MultipleInstances::StopExisting => "a run due while one is going stops it first",
        }
        .to_string(),
    );
    if task.priority != Priority::Normal {
        parts.push(format!("priority {} (nice {})", task.priority.name(), task.priority.nice()));
    }
    parts.join("; ")
}

fn conditions(task: &Task) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(idle) = &task.idle {
        if idle.start_only_if_idle {
            out.push(format!(
                "starts only after the machine has been idle for {}, waiting up to {} for it",
                describe_duration(idle.idle_for),
                describe_duration(idle.wait_up_to)
            ));
        }
        if idle.stop_on_idle_end {
            out.push("stopped when the machine stops being idle".into());
        }
        if idle.restart_on_idle_resume {
            out.push("started again when the machine is idle again".into());
        }
    }
    if let Some(power) = &task.power {
        if power.no_start_on_batteries {
            out.push("does not start on battery power".into());
        }
        if power.stop_on_batteries {
            out.push("stopped when the machine switches to battery power".into());
        }
    }
    if task.wake_to_run {
        out.push("wakes the machine to run".into());
    }
    if task.start_when_available {
        out.push("runs once, late, for runs missed while sked was down".into());
    }
    if task.delete_when_done {
        out.push("deleted when it has no runs left".into());
    }
    out
}

/// Describes one trigger in a sentence, such as "every 2 weeks on Monday, Wednesday and
/// Friday at 06:00 from 7 January 2026, repeating every hour for 10 hours".
pub fn describe_trigger(trigger: &Trigger) -> String {
    let mut s = match &trigger.kind {
        TriggerKind::Once => match &trigger.start {
            Some(start) => format!(
                "once at {} on {}",
                time_words(start.datetime.time()),
                date_words(start.datetime.date())
            ),
            None => "once (no start given)".into(),
        },
        TriggerKind::Daily { every } => {
            let days = match every {
                1 => "every day".to_string(),
                n => format!("every {n} days"),
            };
            calendar(days, trigger.start)
        }
        TriggerKind::Weekly { every, days } => {
            let phrase = match (every, *days == WeekdaySet::ALL) {
                (1, true) => "every day".to_string(),
                (n, true) => format!("every day, every {n} weeks"),
                (1, false) => format!("every {}", weekday_list(*days)),
                (n, false) => format!("every {n} weeks on {}", weekday_list(*days)),
            };
            calendar(phrase, trigger.start)
        }
        TriggerKind::Monthly { every, days, months } => {
            let mut phrase = format!("on {} of ", month_days(*days));
            match (*every, months.is_all()) {
                (1, true) => phrase.push_str("every month"),
                (1, false) => phrase.push_str(&join_and(&month_list(months.iter()))),
                (k, true) => phrase.push_str(&format!("every {} month", ordinal(k))),
                (k, false) => phrase.push_str(&format!(
                    "every {} month, only in {}",
                    ordinal(k),
                    join_and(&month_list(months.iter()))
                )),
            }
            if days.days().any(|d| d > 28) {
                phrase.push_str(" (a day a month lacks is skipped)");
            }
            calendar(phrase, trigger.start)
        }
        TriggerKind::MonthlyWeekday { weeks, days, months } => {
            let weeks: Vec<String> = weeks.iter().map(|w| week_word(w).to_string()).collect();
            let months = if months.is_all() {
                "every month".to_string()
            } else {
                join_and(&month_list(months.iter()))
            };
            let phrase = if *days == WeekdaySet::ALL {
                let noun = if weeks.len() == 1 { "week" } else { "weeks" };
                format!("on every day of the {} {noun} of {months}", join_and(&weeks))
            } else {
                format!("on the {} {} of {months}", join_and(&weeks), weekday_list(*days))
            };
            calendar(phrase, trigger.start)
        }
        TriggerKind::Cron(cron) => {
            let mut phrase = format!("{} (cron `{}`)", describe_cron(cron), cron.as_str());
            if let Some(start) = &trigger.start {
                phrase.push_str(&format!(
                    ", from {} on {}",
                    time_words(start.datetime.time()),
                    date_words(start.datetime.date())
                ));
            }
            phrase
        }
        TriggerKind::AtStartup { delay } => after("at startup", *delay),
        TriggerKind::AtLogon { user, delay } => {
            let who = match user {
                Some(u) => format!("when {u} logs on"),
                None => "when any user logs on".into(),
            };
            after(&who, *delay)
        }
        TriggerKind::OnIdle => "when the machine is idle".into(),
    };
    if let Some(end) = &trigger.end {
        match end {
            End::Date(d) => s.push_str(&format!(" until {}", date_words(*d))),
            End::At { datetime, offset } => {
                s.push_str(&format!(" until {}", datetime_words(*datetime)));
                if let Some(o) = offset {
                    s.push_str(&format!(" {}", offset_words(*o)));
                }
            }
        }
    }
    if let Some(r) = &trigger.repeat {
        s.push_str(&format!(", repeating every {}", interval_words(r.every)));
        match r.duration {
            Some(d) => s.push_str(&format!(" for {}", describe_duration(d))),
            None => s.push_str(" until the trigger ends"),
        }
        if r.stop_at_end {
            s.push_str(", stopping a run still going at the end of the window");
        }
    }
    if let Some(Start { offset: Some(offset), .. }) = &trigger.start {
        s.push_str(&format!(", pinned to {}", offset_words(*offset)));
    }
    if trigger.kind.is_calendar() {
        let at = if matches!(trigger.kind, TriggerKind::Cron(_)) { "a time" } else { "its time" };
        match trigger.dst_gap {
            GapPolicy::GapEnd => {}
            GapPolicy::Shift => s.push_str(&format!(
                "; when a change to summer time skips {at}, it runs later by the length of the gap"
            )),
            GapPolicy::Skip => {
                s.push_str(&format!("; when a change to summer time skips {at}, it does not run that day"))
            }
        }
        match trigger.dst_fold {
            FoldPolicy::First => {}
            FoldPolicy::Second => s.push_str(&format!(
                "; when the change back from summer time repeats {at}, it runs the second time"
            )),
        }
    }
    if let Some(delay) = trigger.random_delay.filter(|d| !d.is_zero()) {
        s.push_str(&format!("; each run delayed at random by up to {}", describe_duration(delay)));
    }
    if !trigger.enabled {
        s.insert_str(0, "disabled: ");
    }
    s
}

/// A calendar phrase completed with its start time and begin date.
fn calendar(phrase: String, start: Option<Start>) -> String {
    match start {
        Some(start) => format!(
            "{phrase} at {} from {}",
            time_words(start.datetime.time()),
            date_words(start.datetime.date())
        ),
        None => format!("{phrase} (no start given)"),
    }
}

fn after(event: &str, delay: Duration) -> String {
    if delay.is_zero() { event.to_string() } else { format!("{event}, after {}", describe_duration(delay)) }
}

/// A cron expression in words, as semantics.md §2 reads it: "at minute 0 past hour 6 on
/// Monday through Friday". The expression itself is not repeated.
pub fn describe_cron(cron: &CronExpr) -> String {
    let minutes = Field::from_mask(cron.minute_mask(), 0, 59);
    let hours = Field::from_mask(u64::from(cron.hour_mask()), 0, 23);
    let mut s = match &minutes {
        Field::All => "every minute".to_string(),
        Field::Step { start: 0, step } => format!("every {step} minutes"),
        Field::Step { start, step } => format!("every {step} minutes from minute {start}"),
        Field::Values(v) if v.len() == 1 => format!("at minute {}", v[0]),
        Field::Values(v) => format!("at minutes {}", numbers(v)),
    };
    match &hours {
        Field::All if matches!(minutes, Field::Values(_)) => s.push_str(" of every hour"),
        Field::All => {}
        Field::Step { start: 0, step } => s.push_str(&format!(" past every {} hour", ordinal(*step))),
        Field::Step { start, step } => {
            s.push_str(&format!(" past every {} hour from hour {start}", ordinal(*step)))
        }
        Field::Values(v) if v.len() == 1 => s.push_str(&format!(" past hour {}", v[0])),
        Field::Values(v) => s.push_str(&format!(" past hours {}", numbers(v))),
    }
    let dom = Field::from_mask(u64::from(cron.day_of_month_mask()) << 1, 1, 31);
    let dom_words = match &dom {
        Field::All => None,
        Field::Step { start: 1, step } => Some(format!("every {} day of the month", ordinal(*step))),
        Field::Step { start, step } => {
            Some(format!("every {} day of the month from day {start}", ordinal(*step)))
        }
        Field::Values(v) if v.len() == 1 => Some(format!("day {} of the month", v[0])),
        Field::Values(v) => Some(format!("days {} of the month", numbers(v))),
    };
    let dow = WeekdaySet::from_mask(cron.day_of_week_mask());
    let dow_words = (dow != WeekdaySet::ALL).then(|| weekday_list(dow));
    match (dom_words, dow_words) {
        (None, None) => {}
        (Some(d), None) => s.push_str(&format!(" on {d}")),
        (None, Some(w)) => s.push_str(&format!(" on {w}")),
        // Both fields restricted: a day matching either fires (semantics.md §2).
        (Some(d), Some(w)) if cron.days_either() => s.push_str(&format!(" on {d} or on {w}")),
        // One field is `*`-led, such as `*/2`: it narrows the other, as in Vixie cron.
        (Some(d), Some(w)) => s.push_str(&format!(" on {d} if it is a {w}")),
    }
    let months: Vec<u32> = (1..=12u32).filter(|m| cron.month_mask() & (1 << (m - 1)) != 0).collect();
    if months.len() < 12 {
        let names: Vec<&str> = months.iter().map(|m| MONTH_ENGLISH[*m as usize - 1]).collect();
        s.push_str(&format!(" in {}", runs_through(&months, &names)));
    }
    s
}

/// The values of one numeric cron field, in the shape that reads best.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Field {
    /// Every value of the field.
    All,
    /// `start`, `start + step`, ... up to the end of the field (at least three values).
    Step { start: u32, step: u32 },
    /// Any other set: the values, ascending (never empty for a parsed expression).
    Values(Vec<u32>),
}

impl Field {
    /// Reads bits `min..=max` of `mask` (bit v = value v).
    fn from_mask(mask: u64, min: u32, max: u32) -> Field {
        let values: Vec<u32> = (min..=max).filter(|v| mask & (1 << v) != 0).collect();
        if values.len() as u32 == max - min + 1 {
            return Field::All;
        }
        if values.len() >= 3 {
            let step = values[1] - values[0];
            let regular = values.windows(2).all(|w| w[1] - w[0] == step);
            let last = *values.last().unwrap_or(&0);
            if step > 1 && regular && last + step > max && values[0] < min + step {
                return Field::Step { start: values[0], step };
            }
        }
        Field::Values(values)
    }
}

/// Numbers with runs of three or more joined: `1 through 5, 10 and 12`.
fn numbers(values: &[u32]) -> String {
    let names: Vec<String> = values.iter().map(u32::to_string).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    runs_through(values, &names)
}

/// `names[i]` names `values[i]`; consecutive runs of three or more become `a through b`.
fn runs_through(values: &[u32], names: &[&str]) -> String {
    let mut items = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let mut j = i;
        while j + 1 < values.len() && values[j + 1] == values[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            items.push(format!("{} through {}", names[i], names[j]));
        } else {
            items.extend(names[i..=j].iter().map(|n| n.to_string()));
        }
        i = j + 1;
    }
    join_and(&items)
}

/// Weekdays, Sunday first (sked's weeks start on Sunday), runs of three or more joined:
/// `Monday through Friday`, `Monday, Wednesday and Friday`.
fn weekday_list(days: WeekdaySet) -> String {
    let values: Vec<u32> = days.iter().map(|d| d.to_sunday_zero_offset() as u32).collect();
    let names: Vec<&str> = days.iter().map(weekday_english).collect();
    runs_through(&values, &names)
}

fn month_list(months: impl Iterator<Item = i8>) -> Vec<String> {
    months.map(|m| MONTH_ENGLISH[m as usize - 1].to_string()).collect()
}

fn month_days(days: MonthDays) -> String {
    let numbered: Vec<u32> = days.days().map(u32::from).collect();
    let mut s = match numbered.len() {
        0 => String::new(),
        1 => format!("day {}", numbered[0]),
        _ => format!("days {}", join_and(&numbered.iter().map(u32::to_string).collect::<Vec<_>>())),
    };
    if days.has_last() {
        if s.is_empty() {
            s.push_str("the last day");
        } else {
            s.push_str(" and the last day");
        }
    }
    s
}

fn week_word(w: WeekOfMonth) -> &'static str {
    w.name()
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `1st`, `2nd`, `3rd`, `11th`, `22nd`.
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `06:00`, or `06:00:30` when the seconds are not zero, or `06:00:30.250` with a fraction.
fn time_words(t: Time) -> String {
    if t.subsec_nanosecond() != 0 {
        t.strftime("%H:%M:%S%.3f").to_string()
    } else if t.second() == 0 {
        format!("{:02}:{:02}", t.hour(), t.minute())
    } else {
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
    }
}

/// `7 January 2026`.
fn date_words(d: Date) -> String {
    format!("{} {} {}", d.day(), MONTH_ENGLISH[d.month() as usize - 1], d.year())
}

/// `18:00 on 31 December 2026`.
fn datetime_words(dt: DateTime) -> String {
    format!("{} on {}", time_words(dt.time()), date_words(dt.date()))
}

/// `UTC+01:00`, `UTC-03:30`, `UTC`.
fn offset_words(o: Offset) -> String {
    let secs = o.seconds();
    if secs == 0 {
        return "UTC".into();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, a % 3600 / 60, a % 60);
    if s == 0 { format!("UTC{sign}{h:02}:{m:02}") } else { format!("UTC{sign}{h:02}:{m:02}:{s:02}") }
}

/// A length in words: `30 seconds`, `1 hour`, `1 hour 30 minutes`, `2 days`.
pub fn describe_duration(d: Duration) -> String {
    let millis = d.as_millis();
    if millis == 0 {
        return "no time".into();
    }
    if !millis.is_multiple_of(1000) {
        return format!("{} milliseconds", millis);
    }
    let mut rest = d.as_secs();
    let mut parts = Vec::new();
    for (unit, scale) in [("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1)] {
        let n = rest / scale;
        rest %= scale;
        match n {
            0 => {}
            1 => parts.push(format!("1 {unit}")),
            n => parts.push(format!("{n} {unit}s")),
        }
    }
    parts.join(" ")
}

/// An interval after "every": `hour`, `15 minutes`, `1 hour 30 minutes`.
fn interval_words(d: Duration) -> String {
    let words = describe_duration(d);
    match words.strip_prefix("1 ") {
        Some(unit) if !unit.contains(' ') => unit.to_string(),
        _ => words,
    }
}

/// A command line as a POSIX shell would read it, for display only: sked runs the program
/// directly, never through a shell.
fn command_line(command: &str, args: &[String]) -> String {
    std::iter::once(command).chain(args.iter().map(String::as_str)).map(quote).collect::<Vec<_>>().join(" ")
}

/// `word` unchanged when it needs no quoting, else in single quotes.
fn quote(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_alphanumeric() || "_@%+=:,./-".contains(c));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::month::MonthSet;
    use crate::task::{IdleSettings, PowerSettings};
    use crate::trigger::Repetition;
    use crate::week::WeekSet;
    use crate::weekday::Weekday;
    use jiff::civil::date;

    fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> Start {
        Start::civil(date(y, m, d).at(h, min, 0, 0))
    }

    fn days(ds: &[Weekday]) -> WeekdaySet {
        ds.iter().copied().collect()
    }

    fn cron(expr: &str) -> String {
        describe_cron(&expr.parse().unwrap())
    }

    fn words(kind: TriggerKind, start: Start) -> String {
        describe_trigger(&Trigger::new(kind).starting(start))
    }

    use Weekday::*;

    #[test]
    fn the_seed_schedule() {
        let t = Trigger {
            repeat: Some(Repetition {
                every: Duration::from_hours(1),
                duration: Some(Duration::from_hours(10)),
                stop_at_end: false,
            }),
            ..Trigger::new(TriggerKind::Weekly { every: 2, days: days(&[Monday, Wednesday, Friday]) })
                .starting(at(2026, 1, 7, 6, 0))
        };
        assert_eq!(
            describe_trigger(&t),
            "every 2 weeks on Monday, Wednesday and Friday at 06:00 from 7 January 2026, \
             repeating every hour for 10 hours"
        );
    }

    #[test]
    fn once_daily_weekly() {
        let s = at(2026, 1, 7, 6, 0);
        assert_eq!(words(TriggerKind::Once, s), "once at 06:00 on 7 January 2026");
        assert_eq!(
            words(TriggerKind::Daily { every: 1 }, at(2026, 1, 7, 15, 42)),
            "every day at 15:42 from 7 January 2026"
        );
        assert_eq!(words(TriggerKind::Daily { every: 3 }, s), "every 3 days at 06:00 from 7 January 2026");
        assert_eq!(
            words(
                TriggerKind::Weekly { every: 1, days: days(&[Monday, Tuesday, Wednesday, Thursday, Friday]) },
                s
            ),
            "every Monday through Friday at 06:00 from 7 January 2026"
        );
        assert_eq!(
            words(TriggerKind::Weekly { every: 1, days: days(&[Sunday]) }, s),
            "every Sunday at 06:00 from 7 January 2026"
        );
        assert_eq!(
            words(TriggerKind::Weekly { every: 1, days: WeekdaySet::ALL }, s),
            "every day at 06:00 from 7 January 2026"
        );
        assert_eq!(
            words(TriggerKind::Weekly { every: 3, days: WeekdaySet::ALL }, s),
            "every day, every 3 weeks at 06:00 from 7 January 2026"
        );
        assert_eq!(
            words(TriggerKind::Weekly { every: 1, days: days(&[Saturday, Sunday]) }, s),
            "every Sunday and Saturday at 06:00 from 7 January 2026"
        );
    }

    #[test]
    fn seconds_show_only_when_set() {
        let s = Start::civil(date(2026, 3, 1).at(23, 59, 30, 0));
        assert_eq!(words(TriggerKind::Once, s), "once at 23:59:30 on 1 March 2026");
    }

    #[test]
    fn monthly_on_days() {
        let s = at(2026, 1, 1, 6, 0);
        let d = MonthDays::EMPTY.with_day(1).with_day(15).with_last();
        assert_eq!(
            words(TriggerKind::Monthly { every: 1, days: d, months: MonthSet::ALL }, s),
            "on days 1 and 15 and the last day of every month at 06:00 from 1 January 2026"
        );
        assert_eq!(
            words(
                TriggerKind::Monthly { every: 1, days: MonthDays::EMPTY.with_last(), months: MonthSet::ALL },
                s
            ),
            "on the last day of every month at 06:00 from 1 January 2026"
        );
        let quarters = MonthSet::EMPTY.with(1).with(4).with(7).with(10);
        assert_eq!(
            words(TriggerKind::Monthly { every: 1, days: MonthDays::EMPTY.with_day(1), months: quarters }, s),
            "on day 1 of January, April, July and October at 06:00 from 1 January 2026"
        );
        assert_eq!(
            words(
                TriggerKind::Monthly { every: 2, days: MonthDays::EMPTY.with_day(31), months: MonthSet::ALL },
                s
            ),
            "on day 31 of every 2nd month (a day a month lacks is skipped) at 06:00 from 1 January 2026"
        );
        assert_eq!(
            words(
                TriggerKind::Monthly {
                    every: 3,
                    days: MonthDays::EMPTY.with_day(5).with_day(6).with_day(7),
                    months: quarters
                },
                s
            ),
            "on days 5, 6 and 7 of every 3rd month, only in January, April, July and October \
             at 06:00 from 1 January 2026"
        );
    }

    #[test]
    fn monthly_on_weekdays() {
        let s = at(2026, 1, 1, 9, 0);
        let last = WeekSet::EMPTY.with(WeekOfMonth::Last);
        assert_eq!(
            words(
                TriggerKind::MonthlyWeekday {
                    weeks: last,
                    days: days(&[Friday]),
                    months: MonthSet::EMPTY.with(3).with(9),
                },
                s
            ),
            "on the last Friday of March and September at 09:00 from 1 January 2026"
        );
        assert_eq!(
            words(
                TriggerKind::MonthlyWeekday {
                    weeks: WeekSet::EMPTY.with(WeekOfMonth::First).with(WeekOfMonth::Third),
                    days: days(&[Monday]),
                    months: MonthSet::ALL,
                },
                s
            ),
            "on the first and third Monday of every month at 09:00 from 1 January 2026"
        );
        assert_eq!(
            words(
                TriggerKind::MonthlyWeekday { weeks: last, days: WeekdaySet::ALL, months: MonthSet::ALL },
                s
            ),
            "on every day of the last week of every month at 09:00 from 1 January 2026"
        );
    }

    #[test]
    fn cron_in_words() {
        assert_eq!(cron("0 6 * * 1-5"), "at minute 0 past hour 6 on Monday through Friday");
        assert_eq!(cron("* * * * *"), "every minute");
        assert_eq!(cron("*/15 * * * *"), "every 15 minutes");
        assert_eq!(cron("5/20 * * * *"), "every 20 minutes from minute 5");
        assert_eq!(cron("0 * * * *"), "at minute 0 of every hour");
        assert_eq!(cron("0,30 9-17 * * *"), "at minutes 0 and 30 past hours 9 through 17");
        assert_eq!(cron("0 */2 * * *"), "at minute 0 past every 2nd hour");
        assert_eq!(cron("0 0 1,15 * *"), "at minute 0 past hour 0 on days 1 and 15 of the month");
        assert_eq!(cron("0 0 1 * mon"), "at minute 0 past hour 0 on day 1 of the month or on Monday");
        assert_eq!(cron("0 0 */2 * *"), "at minute 0 past hour 0 on every 2nd day of the month");
        assert_eq!(
            cron("30 4 * jan-mar,dec sun"),
            "at minute 30 past hour 4 on Sunday in January through March and December"
        );
        assert_eq!(cron("@daily"), "at minute 0 past hour 0");
        assert_eq!(cron("0 12 * * 0,7"), "at minute 0 past hour 12 on Sunday");
        assert_eq!(cron("0 12 * * mon,wed,fri"), "at minute 0 past hour 12 on Monday, Wednesday and Friday");
    }

    #[test]
    fn cron_triggers_show_the_expression() {
        let t = Trigger::new(TriggerKind::Cron("0 6 * * 1-5".parse().unwrap()));
        assert_eq!(
            describe_trigger(&t),
            "at minute 0 past hour 6 on Monday through Friday (cron `0 6 * * 1-5`)"
        );
        let t = t.starting(at(2026, 2, 1, 0, 0));
        assert_eq!(
            describe_trigger(&t),
            "at minute 0 past hour 6 on Monday through Friday (cron `0 6 * * 1-5`), \
             from 00:00 on 1 February 2026"
        );
    }

    #[test]
    fn events() {
        let t = Trigger::new(TriggerKind::AtStartup { delay: Duration::from_secs(30) });
        assert_eq!(describe_trigger(&t), "at startup, after 30 seconds");
        let t = Trigger::new(TriggerKind::AtStartup { delay: Duration::ZERO });
        assert_eq!(describe_trigger(&t), "at startup");
        let t = Trigger::new(TriggerKind::AtLogon { user: Some("alice".into()), delay: Duration::ZERO });
        assert_eq!(describe_trigger(&t), "when alice logs on");
        let t = Trigger::new(TriggerKind::AtLogon { user: None, delay: Duration::from_mins(5) });
        assert_eq!(describe_trigger(&t), "when any user logs on, after 5 minutes");
        assert_eq!(describe_trigger(&Trigger::new(TriggerKind::OnIdle)), "when the machine is idle");
    }

    #[test]
    fn bounds_pinning_policies_and_delays() {
        let offset = Offset::from_hours(1).unwrap();
        let t = Trigger {
            end: Some(End::Date(date(2026, 12, 31))),
            random_delay: Some(Duration::from_mins(5)),
            dst_gap: GapPolicy::Skip,
            dst_fold: FoldPolicy::Second,
            ..Trigger::new(TriggerKind::Daily { every: 1 })
                .starting(Start::pinned(date(2026, 1, 1).at(6, 0, 0, 0), offset))
        };
        assert_eq!(
            describe_trigger(&t),
            "every day at 06:00 from 1 January 2026 until 31 December 2026, pinned to UTC+01:00; \
             when a change to summer time skips its time, it does not run that day; \
             when the change back from summer time repeats its time, it runs the second time; \
             each run delayed at random by up to 5 minutes"
        );
        let t = Trigger {
            end: Some(End::At {
                datetime: date(2026, 6, 30).at(18, 0, 0, 0),
                offset: Some(Offset::from_seconds(-(3 * 3600 + 1800)).unwrap()),
            }),
            dst_gap: GapPolicy::Shift,
            repeat: Some(Repetition { every: Duration::from_mins(15), duration: None, stop_at_end: false }),
            enabled: false,
            ..Trigger::new(TriggerKind::Once).starting(at(2026, 6, 1, 8, 0))
        };
        assert_eq!(
            describe_trigger(&t),
            "disabled: once at 08:00 on 1 June 2026 until 18:00 on 30 June 2026 UTC-03:30, \
             repeating every 15 minutes until the trigger ends; \
             when a change to summer time skips its time, it runs later by the length of the gap"
        );
        let t = Trigger {
            repeat: Some(Repetition {
                every: Duration::from_mins(90),
                duration: Some(Duration::from_hours(12)),
                stop_at_end: true,
            }),
            ..Trigger::new(TriggerKind::Daily { every: 1 })
                .starting(Start::pinned(date(2026, 1, 1).at(6, 0, 0, 0), Offset::UTC))
        };
        assert_eq!(
            describe_trigger(&t),
            "every day at 06:00 from 1 January 2026, repeating every 1 hour 30 minutes \
             for 12 hours, stopping a run still going at the end of the window, pinned to UTC"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(describe_duration(Duration::from_secs(30)), "30 seconds");
        assert_eq!(describe_duration(Duration::from_secs(1)), "1 second");
        assert_eq!(describe_duration(Duration::from_secs(90)), "1 minute 30 seconds");
        assert_eq!(describe_duration(Duration::from_hours(72)), "3 days");
        assert_eq!(describe_duration(Duration::from_mins(150)), "2 hours 30 minutes");
        assert_eq!(describe_duration(Duration::from_millis(1500)), "1500 milliseconds");
        assert_eq!(describe_duration(Duration::ZERO), "no time");
        assert_eq!(interval_words(Duration::from_hours(1)), "hour");
        assert_eq!(interval_words(Duration::from_hours(2)), "2 hours");
    }

    #[test]
    fn helpers() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(4), "4th");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(numbers(&[1, 2, 3, 5, 7, 8]), "1 through 3, 5, 7 and 8");
        assert_eq!(quote("/srv"), "/srv");
        assert_eq!(quote("two words"), "'two words'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(offset_words(Offset::from_seconds(5 * 3600 + 1800).unwrap()), "UTC+05:30");
    }

    #[test]
    fn a_whole_task() {
        let mut task = Task::new("nightly/backup", "/usr/local/bin/backup");
        task.args = vec!["--full".into(), "/srv/my data".into()];
        task.working_dir = Some("/srv".into());
        task.comment = Some("Full backup of /srv".into());
        task.time_zone = Some("Europe/Paris".into());
        task.run_as = Some("backup".into());
        task.environment.insert("LANG".into(), "C.UTF-8".into());
        task.triggers.push(Trigger::new(TriggerKind::Daily { every: 1 }).starting(at(2026, 1, 1, 2, 30)));
        task.triggers.push(Trigger::new(TriggerKind::AtStartup { delay: Duration::from_secs(30) }));
        assert_eq!(
            describe_task(&task, "UTC").to_string(),
            "nightly/backup\n\
             \x20 command      /usr/local/bin/backup --full '/srv/my data'\n\
             \x20 working dir  /srv\n\
             \x20 run as       backup\n\
             \x20 time zone    Europe/Paris\n\
             \x20 comment      Full backup of /srv\n\
             \x20 environment  LANG=C.UTF-8\n\
             \x20 limits       stopped after 3 days (the default); a run due while one is going is skipped\n\
             \x20 trigger 1    every day at 02:30 from 1 January 2026\n\
             \x20 trigger 2    at startup, after 30 seconds"
        );
    }

    #[test]
    fn limits_and_conditions() {
        let mut task = Task::new("t", "/bin/true");
        task.enabled = false;
        task.max_run_time = None;
        task.multiple_instances = MultipleInstances::Queue;
        task.priority = Priority::Idle;
        task.idle = Some(IdleSettings {
            start_only_if_idle: true,
            stop_on_idle_end: true,
            restart_on_idle_resume: true,
            ..IdleSettings::default()
        });
        task.power = Some(PowerSettings { no_start_on_batteries: true, stop_on_batteries: true });
        task.wake_to_run = true;
        task.start_when_available = true;
        task.delete_when_done = true;
        assert_eq!(
            describe_task(&task, "America/New_York").to_string(),
            "t\n\
             \x20 status      disabled: the task has no runs\n\
             \x20 command     /bin/true\n\
             \x20 run as      the owner of the task\n\
             \x20 time zone   America/New_York (the task names none)\n\
             \x20 limits      no time limit; a run due while one is going waits for it to end; priority idle (nice 19)\n\
             \x20 conditions  starts only after the machine has been idle for 10 minutes, waiting up to 1 hour for it; \
             stopped when the machine stops being idle; started again when the machine is idle again; \
             does not start on battery power; stopped when the machine switches to battery power; \
             wakes the machine to run; runs once, late, for runs missed while sked was down; \
             deleted when it has no runs left\n\
             \x20 triggers    none: the task runs only when started by hand"
        );
    }
}

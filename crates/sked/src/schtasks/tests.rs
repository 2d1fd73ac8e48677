use std::cell::RefCell;

use jiff::Timestamp;
use jiff::civil::date;
use sked_api::types::{LastRun, State, TaskSummary, TaskView};
use sked_core::{Duration, End, Repetition, Start, Task, Trigger, TriggerKind};
use sked_formats::DateOrder;
use sked_formats::schtasks::QueryFormat;

use super::query::{Layout, Row, render};
use super::*;

/// An in-memory service that records the calls made to it.
#[derive(Default)]
struct Fake {
    tasks: RefCell<Vec<(Task, bool)>>,
    calls: RefCell<Vec<String>>,
}

fn not_found() -> sked_api::Error {
    sked_api::Error::Api { status: 404, code: "not-found".into(), message: "no such task".into() }
}

impl Fake {
    fn with(tasks: &[&str]) -> Fake {
        let fake = Fake::default();
        for name in tasks {
            fake.tasks.borrow_mut().push((Task::new(*name, "/bin/true"), true));
        }
        fake
    }

    fn task(&self, name: &str) -> Option<(Task, bool)> {
        self.tasks.borrow().iter().find(|(t, _)| t.name == name).cloned()
    }

    fn summary(task: &Task, enabled: bool) -> TaskSummary {
        TaskSummary {
            id: 1,
            name: task.name.clone(),
            owner_uid: 1000,
            enabled,
            version: 1,
            state: if enabled { State::Ready } else { State::Disabled },
            next_run: None,
            last_run: None,
            source: None,
        }
    }

    fn log(&self, call: String) {
        self.calls.borrow_mut().push(call);
    }
}

impl Service for Fake {
    fn list(&self) -> sked_api::Result<Vec<TaskSummary>> {
        Ok(self.tasks.borrow().iter().map(|(t, e)| Fake::summary(t, *e)).collect())
    }
    fn get(&self, name: &str) -> sked_api::Result<TaskView> {
        let (task, enabled) = self.task(name).ok_or_else(not_found)?;
        Ok(TaskView {
            summary: Fake::summary(&task, enabled),
            definition: sked_api::encode(&task)?,
            running: vec![],
            queued: 0,
            created: Timestamp::UNIX_EPOCH,
            updated: Timestamp::UNIX_EPOCH,
        })
    }
    fn create(&self, task: &Task) -> sked_api::Result<()> {
        self.log(format!("create {}", task.name));
        self.tasks.borrow_mut().push((task.clone(), task.enabled));
        Ok(())
    }
    fn replace(&self, name: &str, task: &Task) -> sked_api::Result<()> {
        self.log(format!("replace {name}"));
        let mut tasks = self.tasks.borrow_mut();
        let slot = tasks.iter_mut().find(|(t, _)| t.name == name).ok_or_else(not_found)?;
        slot.0 = task.clone();
        Ok(())
    }
    fn delete(&self, name: &str) -> sked_api::Result<()> {
        self.log(format!("delete {name}"));
        let mut tasks = self.tasks.borrow_mut();
        let before = tasks.len();
        tasks.retain(|(t, _)| t.name != name);
        if tasks.len() == before { Err(not_found()) } else { Ok(()) }
    }
    fn set_enabled(&self, name: &str, enabled: bool) -> sked_api::Result<()> {
        self.log(format!("set-enabled {name} {enabled}"));
        let mut tasks = self.tasks.borrow_mut();
        let slot = tasks.iter_mut().find(|(t, _)| t.name == name).ok_or_else(not_found)?;
        slot.1 = enabled;
        Ok(())
    }
    fn run(&self, name: &str) -> sked_api::Result<()> {
        self.task(name).ok_or_else(not_found)?;
        self.log(format!("run {name}"));
        Ok(())
    }
    fn end(&self, name: &str) -> sked_api::Result<()> {
        self.task(name).ok_or_else(not_found)?;
        self.log(format!("end {name}"));
        Ok(())
    }
}

fn env() -> Env {
    Env {
        now: date(2026, 3, 2).at(10, 15, 0, 0),
        zone: TimeZone::UTC,
        host: "HOST".into(),
        uid: 1000,
        user_name: |_| "alice".into(),
    }
}

/// Runs a schtasks command line (split by the Windows rules) against `fake`, with `input`
/// as standard input; gives the exit code, standard output and standard error.
fn sh(fake: &Fake, line: &str, input: &str) -> (u8, String, String) {
    let args = sked_formats::winargs::split(line);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut input = input.as_bytes();
    let mut io = Io { out: &mut out, err: &mut err, input: &mut input };
    let code = execute(&args, fake, &env(), &mut io).unwrap();
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

fn calls(fake: &Fake) -> Vec<String> {
    fake.calls.borrow().clone()
}

#[test]
fn create_makes_the_task_and_says_so() {
    let fake = Fake::default();
    let (code, out, err) =
        sh(&fake, r#"/Create /SC DAILY /TN \Backup\Nightly /TR "/usr/bin/backup --all" /ST 06:00"#, "");
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, "SUCCESS: The scheduled task \"\\Backup\\Nightly\" has successfully been created.\n");
    assert_eq!(calls(&fake), ["create Backup/Nightly"]);
    let (task, _) = fake.task("Backup/Nightly").unwrap();
    assert_eq!(
        (task.command.as_str(), task.args.as_slice()),
        ("/usr/bin/backup", &["--all".to_string()][..])
    );
    // No /SD: today, from the environment's clock.
    assert_eq!(task.triggers[0].start, Some(Start::civil(date(2026, 3, 2).at(6, 0, 0, 0))));
}

#[test]
fn create_of_an_existing_task_needs_f() {
    let fake = Fake::with(&["x"]);
    let line = "/Create /SC ONCE /TN x /TR /bin/date /ST 23:00";
    let (code, out, err) = sh(&fake, line, "");
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(err, "ERROR: Cannot create a file when that file already exists.\n");
    assert!(calls(&fake).is_empty());

    let (code, out, _) = sh(&fake, &format!("{line} /F"), "");
    assert_eq!(code, 0);
    assert_eq!(out, "SUCCESS: The scheduled task \"x\" has successfully been created.\n");
    assert_eq!(calls(&fake), ["replace x"]);
    assert_eq!(fake.task("x").unwrap().0.command, "/bin/date");
}

#[test]
fn create_f_of_a_new_task_creates_it() {
    let fake = Fake::default();
    let (code, _, _) = sh(&fake, "/Create /SC ONSTART /TN boot /TR /bin/true /F", "");
    assert_eq!(code, 0);
    assert_eq!(calls(&fake), ["create boot"]);
}

#[test]
fn syntax_errors_are_reported_as_schtasks_does() {
    let fake = Fake::default();
    let (code, out, err) = sh(&fake, "/Create /TN x /TR /bin/true /SC SOMETIMES", "");
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "ERROR: Invalid syntax. `SOMETIMES` is not a schedule type; expected MINUTE, HOURLY, DAILY, WEEKLY, \
         MONTHLY, ONCE, ONSTART, ONLOGON or ONIDLE.\nType \"SCHTASKS /CREATE /?\" for usage.\n"
    );
    let (code, _, err) = sh(&fake, "/Frobnicate", "");
    assert_eq!(code, 1);
    assert!(err.ends_with("Type \"SCHTASKS /?\" for usage.\n"), "{err}");
}

#[test]
fn remote_switches_warn() {
    let fake = Fake::with(&["x"]);
    let (code, out, err) = sh(&fake, "/Run /S otherhost /TN x", "");
    assert_eq!(code, 0);
    assert_eq!(out, "SUCCESS: Attempted to run the scheduled task \"x\".\n");
    assert!(err.starts_with("WARNING: `/S otherhost` is ignored"), "{err}");
}

#[test]
fn delete_with_f() {
    let fake = Fake::with(&["x", "y"]);
    let (code, out, _) = sh(&fake, "/Delete /TN x /F", "");
    assert_eq!(code, 0);
    assert_eq!(out, "SUCCESS: The scheduled task \"x\" was successfully deleted.\n");
    assert_eq!(calls(&fake), ["delete x"]);
    let (code, out, err) = sh(&fake, "/Delete /TN x /F", "");
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(err, "ERROR: The system cannot find the file specified.\n");
}

#[test]
fn delete_without_f_asks() {
    let fake = Fake::with(&["x"]);
    let (code, out, _) = sh(&fake, "/Delete /TN x", "n\n");
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "WARNING: Are you sure you want to remove the task \"x\" (Y/N)? \
         INFO: The scheduled task \"x\" was not deleted.\n"
    );
    // No answer at all (standard input closed) is no too.
    let (_, _, _) = sh(&fake, "/Delete /TN x", "");
    assert!(calls(&fake).is_empty());
    let (code, out, _) = sh(&fake, "/Delete /TN x", "Y\n");
    assert_eq!(code, 0);
    assert!(out.ends_with("SUCCESS: The scheduled task \"x\" was successfully deleted.\n"), "{out}");
    assert_eq!(calls(&fake), ["delete x"]);
}

#[test]
fn delete_star_removes_every_task_of_the_caller() {
    let fake = Fake::with(&["a", "dir/b"]);
    let (code, out, _) = sh(&fake, "/Delete /TN * /F", "");
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "SUCCESS: The scheduled task \"\\a\" was successfully deleted.\n\
         SUCCESS: The scheduled task \"\\dir\\b\" was successfully deleted.\n"
    );
    assert_eq!(calls(&fake), ["delete a", "delete dir/b"]);
}

#[test]
fn run_and_end() {
    let fake = Fake::with(&["Folder/x"]);
    let (code, out, _) = sh(&fake, r"/Run /TN \Folder\x", "");
    assert_eq!(code, 0);
    assert_eq!(out, "SUCCESS: Attempted to run the scheduled task \"\\Folder\\x\".\n");
    let (code, out, _) = sh(&fake, r"/End /TN Folder\x", "");
    assert_eq!(code, 0);
    assert_eq!(out, "SUCCESS: The scheduled task \"Folder\\x\" has been terminated successfully.\n");
    assert_eq!(calls(&fake), ["run Folder/x", "end Folder/x"]);
    let (code, _, err) = sh(&fake, "/Run /TN nope", "");
    assert_eq!((code, err.as_str()), (1, "ERROR: The system cannot find the file specified.\n"));
}

#[test]
fn change_replaces_the_definition_and_toggles_enabled() {
    let fake = Fake::with(&["x"]);
    let (code, out, err) = sh(&fake, r#"/Change /TN x /TR "/bin/echo hi" /DISABLE /RP secret"#, "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "SUCCESS: The parameters of scheduled task \"x\" have been changed.\n");
    assert_eq!(
        err,
        "WARNING: The password given with `/RP` is not stored: sked starts tasks as their user without one.\n"
    );
    assert_eq!(calls(&fake), ["replace x", "set-enabled x false"]);
    let (task, enabled) = fake.task("x").unwrap();
    assert_eq!(
        (task.command.as_str(), task.args.as_slice(), enabled),
        ("/bin/echo", &["hi".to_string()][..], false)
    );
}

#[test]
fn change_errors_change_nothing() {
    let fake = Fake::with(&["x"]);
    let (code, _, err) = sh(&fake, "/Change /TN x /ST 06:00", "");
    assert_eq!(code, 1);
    assert_eq!(err, "ERROR: `/ST` changes the task's schedule, but the task has no trigger.\n");
    let (code, _, err) = sh(&fake, "/Change /TN nope /Z", "");
    assert_eq!((code, err.as_str()), (1, "ERROR: The system cannot find the file specified.\n"));
    let (code, _, err) = sh(&fake, "/Change /TN x /ENABLE /DISABLE", "");
    assert_eq!(code, 1);
    assert!(err.starts_with("ERROR: Invalid syntax. `/ENABLE` and `/DISABLE` cannot be combined."), "{err}");
    assert!(calls(&fake).is_empty());
}

fn daily() -> Task {
    let mut t = Task::new("x", "/bin/true");
    t.triggers.push(
        Trigger::new(TriggerKind::Daily { every: 1 }).starting(Start::civil(date(2026, 3, 2).at(6, 0, 0, 0))),
    );
    t
}

fn change(task: &mut Task, line: &str) -> Result<change::Applied, Vec<String>> {
    change::apply(task, &sked_formats::winargs::split(line), DateOrder::Mdy, date(2026, 3, 2))
}

#[test]
fn change_moves_the_start_and_end() {
    let mut t = daily();
    change(&mut t, "/TN x /ST 07:30 /SD 04/01/2026 /ED 12/31/2026").unwrap();
    let trig = &t.triggers[0];
    assert_eq!(trig.start, Some(Start::civil(date(2026, 4, 1).at(7, 30, 0, 0))));
    assert_eq!(trig.end, Some(End::Date(date(2026, 12, 31))));
    let e = change(&mut t, "/TN x /ED 01/01/2026").unwrap_err();
    assert_eq!(e, ["the end is before the start; expected an end at or after the start"]);
}

#[test]
fn change_sets_the_repetition() {
    let mut t = daily();
    change(&mut t, "/TN x /RI 15 /DU 02:00 /K").unwrap();
    let want = Repetition {
        every: Duration::from_mins(15),
        duration: Some(Duration::from_hours(2)),
        stop_at_end: true,
    };
    assert_eq!(t.triggers[0].repeat, Some(want));
    // /ET counts from the start time; /RI alone keeps the window.
    change(&mut t, "/TN x /ET 09:00").unwrap();
    assert_eq!(t.triggers[0].repeat.unwrap().duration, Some(Duration::from_hours(3)));
    change(&mut t, "/TN x /RI 30").unwrap();
    let r = t.triggers[0].repeat.unwrap();
    assert_eq!((r.every, r.duration), (Duration::from_mins(30), Some(Duration::from_hours(3))));
    // /DU without /RI repeats every 10 minutes, as for /Create.
    let mut t = daily();
    change(&mut t, "/TN x /DU 01:00").unwrap();
    assert_eq!(t.triggers[0].repeat.unwrap().every, Duration::from_mins(10));
    let e = change(&mut daily(), "/TN x /K").unwrap_err();
    assert!(e[0].starts_with("`/K` needs `/ET` or `/DU`"), "{e:?}");
    let e = change(&mut daily(), "/TN x /RI 60 /DU 00:30").unwrap_err();
    assert!(e[0].starts_with("the repetition window (30m) is not longer than the interval (1h)"), "{e:?}");
}

#[test]
fn change_account_and_flags() {
    let mut t = daily();
    let applied = change(&mut t, r#"/TN x /RU "NT AUTHORITY\SYSTEM" /Z /IT /RL HIGHEST /ENABLE"#).unwrap();
    assert_eq!(t.run_as.as_deref(), Some("SYSTEM"));
    assert!(t.delete_when_done && t.enabled);
    assert_eq!(applied.enable, Some(true));
    assert_eq!(applied.warnings.len(), 2, "{:?}", applied.warnings);
    change(&mut t, "/TN x /RU backup").unwrap();
    assert_eq!(t.run_as.as_deref(), Some("backup"));
    let e = change(&mut t, "/TN x /RL SUPREME").unwrap_err();
    assert_eq!(e, ["`SUPREME` is not a run level; expected LIMITED or HIGHEST"]);
    let e = change(&mut t, "/TN x").unwrap_err();
    assert!(e[0].starts_with("nothing to change"), "{e:?}");
}

#[test]
fn change_of_event_triggers() {
    let mut t = Task::new("boot", "/bin/true");
    t.triggers.push(Trigger::new(TriggerKind::AtStartup { delay: Duration::ZERO }));
    change(&mut t, "/TN boot /DELAY 0002:30").unwrap();
    assert_eq!(t.triggers[0].kind, TriggerKind::AtStartup { delay: Duration::from_secs(150) });
    let e = change(&mut t, "/TN boot /ST 06:00").unwrap_err();
    assert!(e[0].starts_with("`/ST` is not valid with a `at-startup` trigger"), "{e:?}");
    let e = change(&mut t, "/TN boot /RI 5").unwrap_err();
    assert!(e[0].contains("an event does not repeat"), "{e:?}");
    let e = change(&mut daily(), "/TN x /DELAY 0001:00").unwrap_err();
    assert!(e[0].starts_with("`/DELAY` is only for at-startup and at-logon triggers"), "{e:?}");
}

fn rows() -> Vec<Row> {
    let mut t = daily();
    t.name = "Reports/Weekly".into();
    t.command = "/usr/bin/report".into();
    t.args = vec!["--all".into(), "two words".into()];
    t.author = Some("alice".into());
    t.triggers[0].repeat = Some(Repetition {
        every: Duration::from_mins(30),
        duration: Some(Duration::from_hours(2)),
        stop_at_end: false,
    });
    let next: Timestamp = "2026-03-03T06:00:00Z".parse().unwrap();
    vec![
        Row {
            name: "Reports/Weekly".into(),
            next_run: Some(next),
            state: State::Ready,
            last_run: Some(LastRun {
                id: 7,
                outcome: "succeeded".into(),
                started_at: Some("2026-03-02T06:00:00Z".parse().unwrap()),
                ended_at: Some("2026-03-02T06:00:05Z".parse().unwrap()),
                exit_code: Some(0),
                signal: None,
            }),
            task: Some(t),
            owner: "alice".into(),
        },
        Row {
            name: "backup".into(),
            next_run: None,
            state: State::Disabled,
            last_run: None,
            task: Some(Task::new("backup", "/bin/true")),
            owner: "alice".into(),
        },
    ]
}

fn layout(format: QueryFormat, verbose: bool, no_header: bool) -> Layout {
    Layout { format, verbose, no_header, host: "HOST".into(), zone: TimeZone::UTC }
}

#[test]
fn query_table() {
    let got = render(&rows(), &layout(QueryFormat::Table, false, false));
    let want = "
Folder: \\
TaskName                                 Next Run Time          Status         
======================================== ====================== ===============
backup                                   N/A                    Disabled       

Folder: \\Reports
TaskName                                 Next Run Time          Status         
======================================== ====================== ===============
Weekly                                   03/03/2026 06:00:00    Ready          
";
    assert_eq!(got, want);
    let got = render(&rows(), &layout(QueryFormat::Table, false, true));
    let want = "
Folder: \\
backup                                   N/A                    Disabled       

Folder: \\Reports
Weekly                                   03/03/2026 06:00:00    Ready          
";
    assert_eq!(got, want);
}

#[test]
fn query_list() {
    let got = render(&rows(), &layout(QueryFormat::List, false, false));
    let want = "
Folder: \\
HostName:      HOST
TaskName:      \\backup
Next Run Time: N/A
Status:        Disabled
Logon Mode:    Interactive/Background


Folder: \\Reports
HostName:      HOST
TaskName:      \\Reports\\Weekly
Next Run Time: 03/03/2026 06:00:00
Status:        Ready
Logon Mode:    Interactive/Background

";
    assert_eq!(got, want);
}

#[test]
fn query_csv() {
    let got = render(&rows(), &layout(QueryFormat::Csv, false, false));
    let want = "\"TaskName\",\"Next Run Time\",\"Status\"
\"\\backup\",\"N/A\",\"Disabled\"
\"TaskName\",\"Next Run Time\",\"Status\"
\"\\Reports\\Weekly\",\"03/03/2026 06:00:00\",\"Ready\"
";
    assert_eq!(got, want);
    let got = render(&rows(), &layout(QueryFormat::Csv, false, true));
    assert_eq!(
        got,
        "\"\\backup\",\"N/A\",\"Disabled\"\n\"\\Reports\\Weekly\",\"03/03/2026 06:00:00\",\"Ready\"\n"
    );
}

#[test]
fn query_list_verbose() {
    let got = render(&rows()[..1], &layout(QueryFormat::List, true, false));
    let want = "
Folder: \\Reports
HostName:                             HOST
TaskName:                             \\Reports\\Weekly
Next Run Time:                        03/03/2026 06:00:00
Status:                               Ready
Logon Mode:                           Interactive/Background
Last Run Time:                        03/02/2026 06:00:00
Last Result:                          0
Author:                               alice
Task To Run:                          /usr/bin/report --all \"two words\"
Start In:                             N/A
Comment:                              N/A
Scheduled Task State:                 Enabled
Idle Time:                            Disabled
Power Management:                     N/A
Run As User:                          alice
Delete Task If Not Rescheduled:       Disabled
Stop Task If Runs X Hours and X Mins: 72:00:00
Schedule:                             every day at 06:00 from 2 March 2026, repeating every 30 minutes for 2 hours
Schedule Type:                        Daily
Start Time:                           06:00:00
Start Date:                           03/02/2026
End Date:                             N/A
Days:                                 Every 1 day(s)
Months:                               N/A
Repeat: Every:                        0 Hour(s), 30 Minute(s)
Repeat: Until: Time:                  None
Repeat: Until: Duration:              2 Hour(s), 0 Minute(s)
Repeat: Stop If Still Running:        Disabled

";
    assert_eq!(got, want);
}

#[test]
fn query_csv_verbose() {
    let got = render(&rows()[1..], &layout(QueryFormat::Csv, true, false));
    let header: Vec<String> = VERBOSE_HEADER.iter().map(|l| format!("\"{l}\"")).collect();
    let want = format!(
        "{}\n\"HOST\",\"\\backup\",\"N/A\",\"Disabled\",\"Interactive/Background\",\"N/A\",\"267011\",\"N/A\",\
         \"/bin/true\",\"N/A\",\"N/A\",\"Enabled\",\"Disabled\",\"N/A\",\"alice\",\"Disabled\",\"72:00:00\",\
         \"Scheduling data is not available in this format.\",\"N/A\",\"N/A\",\"N/A\",\"N/A\",\"N/A\",\"N/A\",\
         \"N/A\",\"N/A\",\"N/A\",\"N/A\"\n",
        header.join(",")
    );
    assert_eq!(got, want);
    let got = render(&rows()[1..], &layout(QueryFormat::Csv, true, true));
    assert!(got.starts_with("\"HOST\",\"\\backup\""), "{got}");
}

const VERBOSE_HEADER: [&str; 28] = super::query::VERBOSE;

#[test]
fn query_table_verbose_has_every_column() {
    let got = render(&rows(), &layout(QueryFormat::Table, true, false));
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(lines[1], "Folder: \\");
    for label in VERBOSE_HEADER {
        assert!(lines[2].contains(label), "{label} missing from {}", lines[2]);
    }
    assert!(lines[3].starts_with("========"));
    assert!(lines[4].starts_with("HOST     \\backup "), "{}", lines[4]);
    assert_eq!(lines[2].len(), lines[3].len());
}

#[test]
fn query_through_the_service() {
    let fake = Fake::with(&["x"]);
    let (code, out, _) = sh(&fake, "/Query /FO CSV /NH", "");
    assert_eq!((code, out.as_str()), (0, "\"\\x\",\"N/A\",\"Ready\"\n"));
    let (code, out, _) = sh(&fake, "", "");
    assert_eq!(code, 0);
    assert!(out.contains("\nx                                        N/A"), "{out}");
    let (code, _, err) = sh(&fake, "/Query /TN y", "");
    assert_eq!((code, err.as_str()), (1, "ERROR: The system cannot find the file specified.\n"));
    let (code, out, _) = sh(&Fake::default(), "/Query", "");
    assert_eq!(
        (code, out.as_str()),
        (0, "INFO: There are no scheduled tasks presently available at your access level.\n")
    );
    let (code, out, _) = sh(&fake, "/Query /TN x /XML", "");
    assert_eq!(code, 0);
    assert!(out.starts_with("<!-- \\x -->\n<?xml"), "{out}");
}

#[test]
fn times_are_shown_in_the_local_zone() {
    let zone = jiff::tz::db().get("America/New_York").unwrap();
    let t: Timestamp = "2026-07-04T16:05:09Z".parse().unwrap();
    assert_eq!(super::query::us_time(t, &zone), "07/04/2026 12:05:09");
}

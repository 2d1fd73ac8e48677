//! The scheduler's side of the machine: at-logon and on-idle triggers, and the idle and
//! power conditions of tasks ([`crate::conditions`]).
//!
//! Kept apart from the scheduler's run path: a task with none of these costs one
//! `Option` in its head, and with no such task at all the loop does not look at the
//! machine, holds no terminal watch and arms no timer: zero wake-ups. With some:
//!
//! - logons come from the utmp watch ([`crate::logon`]), when the kernel says the file
//!   changed;
//! - idleness ([`crate::idle`]) is read when something needs it: a run due that waits for
//!   it, an on-idle trigger, a run to stop when idleness ends, a run to restart when it
//!   resumes. A timer is armed at the moment idleness could next be reached (the last
//!   input plus `idle-for`), and the sessions' terminals are watched for input only while
//!   a task needs to know at once that idleness ended;
//! - the power supply is read when a run is due that must not start on batteries, and
//!   every [`POWER_CHECK`] while a run that stops on batteries is alive.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use sked_core::MultipleInstances;
use sked_runner::StopReason;
use sked_store::{MissReason, Occurrence, Outcome, RunId, TaskId};

use super::{Pending, Scheduler, blocking};
use crate::conditions::{Conditions, Gate};
use crate::idle::{self, IdleSources, TtyWatch};
use crate::logon::{self, UtmpWatch};
use crate::power::{self, Power};
use crate::timetable::Due;
use crate::utmp::Change;

/// How often the power supply is read while a run that stops on batteries is alive. The
/// kernel tells of a change only through udev's netlink events, which would wake the
/// daemon for every device event of the machine; a minute is the resolution asked of
/// `stop-on-batteries`, and only such a run keeps this timer.
pub const POWER_CHECK: SignedDuration = SignedDuration::from_secs(60);

/// How soon the load is read again when it kept the machine from becoming idle while
/// something waits for idleness. The load average has no change notification, and it is
/// a one-minute average: reading it more often says nothing new.
pub const LOAD_RECHECK: SignedDuration = SignedDuration::from_secs(60);

/// Where the daemon reads logons, idleness and power from. Tests point them at files of
/// their own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostConfig {
    /// The utmp file (config key `utmp`; default `/run/utmp`, else `/var/run/utmp`).
    pub utmp: PathBuf,
    /// The terminals and the load.
    pub idle: IdleSources,
    /// The power supply class (`/sys/class/power_supply`).
    pub power_supply: PathBuf,
}

impl HostConfig {
    /// This machine's.
    pub fn system() -> HostConfig {
        HostConfig {
            utmp: logon::default_utmp(),
            idle: IdleSources::system(),
            power_supply: PathBuf::from(power::SYSFS_POWER_SUPPLY),
        }
    }
}

/// How a run held by a condition, or fired by an event, starts once it may.
#[derive(Clone, Copy, Debug)]
enum Fire {
    /// A scheduled time.
    Scheduled { occurrence: Occurrence, window_end: Option<Timestamp> },
    /// An event trigger (at logon, on idle), at instant `at`, starting after `delay`.
    Event { trigger: u32, at: Timestamp, delay: Duration },
}

impl Fire {
    /// The time a missed run is recorded at: its scheduled time, or the event's instant.
    fn occurrence(self) -> Occurrence {
        match self {
            Fire::Scheduled { occurrence, .. } => occurrence,
            Fire::Event { trigger, at, .. } => Occurrence { scheduled_for: at, trigger },
        }
    }
}

/// A run waiting for the machine to be idle (`start-only-if-idle`).
#[derive(Clone, Copy, Debug)]
struct Waiting {
    task: TaskId,
    fire: Fire,
    /// When it stops waiting and is missed.
    until: Timestamp,
}

/// What the scheduler knows of the machine, and the runs and triggers that depend on it.
pub(super) struct Host {
    cfg: HostConfig,
    /// Opened by [`Scheduler::host_open`], on the runtime.
    utmp: Option<UtmpWatch>,
    ttys: Option<TtyWatch>,
    /// The latest activity the daemon saw itself: its start, a logon or logoff, input on a
    /// watched terminal, a busy load. Idleness never counts from before it.
    activity: Timestamp,
    /// When the load was last seen busy: idleness does not begin before it, but it does
    /// not end idleness either.
    busy_at: Option<Timestamp>,
    /// Tasks that have conditions or event triggers ([`Conditions`]).
    tasks: HashSet<TaskId>,
    /// Of those, the ones whose due runs a condition may hold or refuse.
    gating: HashSet<TaskId>,
    /// Of those, the ones whose runs a condition may stop.
    stopping: HashSet<TaskId>,
    waiting: Vec<Waiting>,
    /// Per on-idle trigger, the idle period (its start) it last fired in: it fires once
    /// per period.
    fired: HashMap<(TaskId, u32), Timestamp>,
    /// Alive runs of `stop-on-idle-end` tasks, and when the daemon first saw them alive.
    idle_runs: HashMap<RunId, (TaskId, Timestamp)>,
    /// Alive runs of `stop-on-batteries` tasks.
    power_runs: HashMap<RunId, TaskId>,
    /// The power at the last reading, while there are `power_runs`: a switch to
    /// batteries is a reading of batteries after one of AC.
    power: Option<Power>,
    /// Tasks stopped when idleness ended that restart when it resumes.
    restarts: HashSet<TaskId>,
    /// Runs refused by a condition, to be recorded as missed.
    misses: Vec<(TaskId, Occurrence, MissReason)>,
    /// Runs this module stopped, and the outcome to record for them.
    stopped: HashMap<RunId, Outcome>,
    /// When to look at the machine next, if anything waits on it.
    wake: Option<Timestamp>,
    /// Something changed that the next look must account for.
    dirty: bool,
}

/// What the machine did.
pub(super) enum HostEvent {
    /// Users logged on or off.
    Sessions(Change),
    /// Input on a watched terminal.
    Input,
}

impl Host {
    pub(super) fn new(cfg: HostConfig, now: Timestamp) -> Host {
        Host {
            cfg,
            utmp: None,
            ttys: None,
            activity: now,
            busy_at: None,
            tasks: HashSet::new(),
            gating: HashSet::new(),
            stopping: HashSet::new(),
            waiting: Vec::new(),
            fired: HashMap::new(),
            idle_runs: HashMap::new(),
            power_runs: HashMap::new(),
            power: None,
            restarts: HashSet::new(),
            misses: Vec::new(),
            stopped: HashMap::new(),
            wake: None,
            dirty: false,
        }
    }

    /// Waits for a logon, a logoff or input on a watched terminal.
    pub(super) async fn next(&mut self) -> HostEvent {
        let (Some(utmp), Some(ttys)) = (self.utmp.as_mut(), self.ttys.as_ref()) else {
            return std::future::pending().await;
        };
        tokio::select! {
            change = utmp.changed() => HostEvent::Sessions(change),
            () = ttys.input() => HostEvent::Input,
        }
    }

    /// The outcome to record for run `run`, which ended as `outcome`: a run this module
    /// stopped ended for its condition, not by a user's hand.
    pub(super) fn outcome(&mut self, run: RunId, outcome: Outcome) -> Outcome {
        match self.stopped.remove(&run) {
            Some(o) if outcome == Outcome::EndedByUser => o,
            _ => outcome,
        }
    }

    /// The start of the current idle period, as read now.
    fn idle_since(&self) -> Timestamp {
        let last_input = self.utmp.as_ref().and_then(|u| self.cfg.idle.last_input(u.sessions()));
        idle::idle_since(self.activity, last_input)
    }

    fn on_batteries(&self) -> bool {
        power::read(&self.cfg.power_supply) == Power::Batteries
    }
}

impl Scheduler {
    /// Opens the utmp and terminal watches (the sessions now are the baseline: not
    /// logons), and takes note of every loaded task's conditions. Called by `start`.
    pub(super) fn host_open(&mut self) {
        self.host.utmp = Some(UtmpWatch::open(self.host.cfg.utmp.clone()));
        self.host.ttys = Some(TtyWatch::new());
        self.host.activity = self.clock.now();
        let ids: Vec<TaskId> = self.tasks.keys().copied().collect();
        for id in ids {
            self.host_track(id);
        }
    }

    /// Takes note of task `id`'s conditions after it was loaded or changed, or forgets
    /// them when it is gone.
    pub(super) fn host_track(&mut self, id: TaskId) {
        let c = self.tasks.get(&id).and_then(|l| l.head.conditions.as_deref());
        let h = &mut self.host;
        for (set, member) in [
            (&mut h.tasks, c.is_some()),
            (&mut h.gating, c.is_some_and(Conditions::gates)),
            (&mut h.stopping, c.is_some_and(Conditions::stops)),
        ] {
            if member {
                set.insert(id);
            } else {
                set.remove(&id);
            }
        }
        h.fired.retain(|(t, trigger), _| *t != id || c.is_some_and(|c| c.on_idle.contains(trigger)));
        h.restarts.remove(&id);
        if c.is_none() {
            h.waiting.retain(|w| w.task != id);
        }
        h.dirty = true;
    }

    /// Called at the top of each turn of the loop: notes the runs that started since,
    /// looks at the machine if something changed, and says when to look next (`None`:
    /// nothing waits on the machine).
    pub(super) async fn host_prepare(&mut self) -> Option<Timestamp> {
        let h = &mut self.host;
        if h.tasks.is_empty() && h.waiting.is_empty() && h.idle_runs.is_empty() && h.power_runs.is_empty() {
            if let Some(t) = h.ttys.as_mut().filter(|t| t.is_watching()) {
                t.set(&BTreeSet::new());
            }
            return None;
        }
        if !h.stopping.is_empty() {
            let now = self.clock.now();
            for id in &h.stopping {
                let (Some(list), Some(c)) =
                    (self.running.get(id), self.tasks.get(id).and_then(|l| l.head.conditions.as_deref()))
                else {
                    continue;
                };
                for i in list {
                    if c.idle.stop_on_idle_end && !h.idle_runs.contains_key(&i.run) {
                        h.idle_runs.insert(i.run, (*id, now));
                        h.dirty = true;
                    }
                    if c.power.stop_on_batteries && !h.power_runs.contains_key(&i.run) {
                        h.power_runs.insert(i.run, *id);
                        h.dirty = true;
                    }
                }
            }
        }
        let alive = |running: &HashMap<TaskId, Vec<super::Instance>>, task: &TaskId, run: &RunId| {
            running.get(task).is_some_and(|l| l.iter().any(|i| i.run == *run))
        };
        let before = h.idle_runs.len() + h.power_runs.len();
        h.idle_runs.retain(|run, (task, _)| alive(&self.running, task, run));
        h.power_runs.retain(|run, task| alive(&self.running, task, run));
        if h.idle_runs.len() + h.power_runs.len() != before {
            h.dirty = true;
        }
        if self.host.dirty {
            self.host_check().await;
        }
        self.host.wake
    }

    /// The machine did something.
    pub(super) async fn on_host_event(&mut self, event: HostEvent) {
        let now = self.clock.now();
        self.host.activity = self.host.activity.max(now);
        if let HostEvent::Sessions(change) = event {
            for (key, session) in &change.logons {
                tracing::info!(user = %session.user, session = %key, "logon");
                self.fire_logon(&session.user, now).await;
            }
            for (key, session) in &change.logoffs {
                tracing::debug!(user = %session.user, session = %key, "logoff");
            }
        }
        self.host_check().await;
    }

    /// The time to look at the machine came.
    pub(super) async fn on_host_wake(&mut self) {
        self.host_check().await;
    }

    /// Fires the at-logon triggers that a logon of `user` concerns.
    async fn fire_logon(&mut self, user: &str, now: Timestamp) {
        let mut names: HashMap<u32, Option<String>> = HashMap::new();
        let mut fires = Vec::new();
        for id in &self.host.tasks {
            let Some(l) = self.tasks.get(id) else { continue };
            let Some(c) = l.head.conditions.as_deref().filter(|c| !c.at_logon.is_empty()) else { continue };
            if !l.head.enabled {
                continue;
            }
            let owner = names
                .entry(l.owner)
                .or_insert_with(|| if l.owner == 0 { None } else { logon::user_name(l.owner) });
            if !logon::owner_may_see(l.owner, owner.as_deref(), user) {
                continue;
            }
            for t in c.at_logon.iter().filter(|t| logon::user_matches(t.user.as_deref(), user)) {
                fires.push((*id, Fire::Event { trigger: t.trigger, at: now, delay: t.delay }));
            }
        }
        for (id, fire) in fires {
            self.gate_and_fire(id, fire, now).await;
        }
    }

    /// Holds back the due runs that a condition holds or refuses, and returns the others
    /// for [`Scheduler::fire`]. Free when no task has such a condition.
    pub(super) async fn host_hold(&mut self, due: Vec<Due<TaskId>>, now: Timestamp) -> Vec<Due<TaskId>> {
        if self.host.gating.is_empty() {
            return due;
        }
        let mut go = Vec::with_capacity(due.len());
        for d in due {
            // A run found late is the scheduler's to record (the service was down).
            let late = now.duration_since(d.run.at) > self.cfg.late_after;
            if late || !self.host.gating.contains(&d.task) {
                go.push(d);
                continue;
            }
            let occurrence = Occurrence { scheduled_for: d.run.at, trigger: d.run.trigger as u32 };
            let fire = Fire::Scheduled { occurrence, window_end: d.run.window_end };
            if self.gate(d.task, fire, now) == Some(Gate::Go) {
                go.push(d);
            }
        }
        if self.host.dirty {
            self.host_check().await;
        }
        self.record_held_misses().await;
        go
    }

    /// Decides a run of `task` now; a run held is put to wait, a run refused is queued to
    /// be recorded missed. Returns the decision, `None` when the task is gone.
    fn gate(&mut self, task: TaskId, fire: Fire, now: Timestamp) -> Option<Gate> {
        let c = self.tasks.get(&task)?.head.conditions.as_deref()?;
        let due = fire.occurrence().scheduled_for;
        let idle = if c.idle.start_only_if_idle {
            let input = self.host.idle_since();
            let idle = now.duration_since(self.host.busy_at.map_or(input, |busy| input.max(busy)));
            // Quiet for long enough: unless the processors are busy.
            if idle >= c.idle_for() && self.host.cfg.idle.load_busy() {
                self.host.busy_at = Some(now);
                self.host.dirty = true;
                SignedDuration::ZERO
            } else {
                idle
            }
        } else {
            SignedDuration::ZERO
        };
        let gate = c.gate(due, now, || self.host.on_batteries(), idle);
        match gate {
            Gate::Go => {}
            Gate::Wait { until } => {
                tracing::info!(task = task.0, until = %until, "waiting for the machine to be idle");
                self.host.waiting.push(Waiting { task, fire, until });
                self.host.dirty = true;
            }
            Gate::Miss(reason) => self.host.misses.push((task, fire.occurrence(), reason)),
        }
        Some(gate)
    }

    /// Records the runs refused by conditions since the last call.
    async fn record_held_misses(&mut self) {
        for (task, occurrence, reason) in std::mem::take(&mut self.host.misses) {
            tracing::info!(task = task.0, at = %occurrence.scheduled_for, %reason, "missed");
            if let Err(e) = blocking(&self.store, move |s| s.record_missed(task, reason, &[occurrence])).await
            {
                tracing::error!(task = task.0, "cannot record a missed run: {e}");
            }
        }
    }

    /// Applies the task's conditions to a run the machine fired (or released), and
    /// starts it if they hold.
    async fn gate_and_fire(&mut self, task: TaskId, fire: Fire, now: Timestamp) {
        let gate = match self.tasks.get(&task).and_then(|l| l.head.conditions.as_deref()) {
            Some(c) if c.gates() => self.gate(task, fire, now),
            Some(_) => Some(Gate::Go),
            None => None,
        };
        if gate == Some(Gate::Go) {
            self.start_fired(task, fire).await;
        }
        self.record_held_misses().await;
    }

    /// Claims and starts a run whose conditions hold, by the task's policy for a run
    /// already going.
    async fn start_fired(&mut self, task: TaskId, fire: Fire) {
        let Some(l) = self.tasks.get(&task) else { return };
        match fire {
            Fire::Scheduled { occurrence, window_end } => {
                let busy = self.running.get(&task).is_some_and(|r| !r.is_empty());
                if busy && l.head.multiple_instances == MultipleInstances::IgnoreNew {
                    // As a time due while a run is going is recorded, in `fire`.
                    self.host.misses.push((task, occurrence, MissReason::PreviousStillRunning));
                    return;
                }
                let _ = self.claim_and_start(task, Some(occurrence), window_end).await;
            }
            Fire::Event { trigger, delay, .. } => {
                let node = self.cfg.node.clone();
                match blocking(&self.store, move |s| s.claim_event(task, trigger, &node)).await {
                    Ok(Some(run)) => {
                        self.start_after(task, Pending { run, occurrence: None, window_end: None }, delay)
                    }
                    Ok(None) => {}
                    Err(e) => tracing::error!(task = task.0, "cannot claim an event run: {e}"),
                }
            }
        }
    }

    /// Looks at the machine: stops the runs whose condition ended, starts the runs and
    /// fires the triggers whose condition is met, misses the runs that waited too long,
    /// and sets when to look next and which terminals to watch.
    async fn host_check(&mut self) {
        self.host.dirty = false;
        let now = self.clock.now();
        let mut wake: Vec<Timestamp> = Vec::new();

        // Power: a switch to batteries stops the runs that ask for it.
        if self.host.power_runs.is_empty() {
            self.host.power = None;
        } else {
            let power = power::read(&self.host.cfg.power_supply);
            if self.host.power == Some(Power::Ac) && power == Power::Batteries {
                self.stop_for(self.host.power_runs.keys().copied().collect(), Outcome::StoppedOnBatteries);
            }
            self.host.power = Some(power);
            wake.push(now + POWER_CHECK);
        }

        let on_idle: Vec<(TaskId, u32, SignedDuration)> = self
            .host
            .tasks
            .iter()
            .filter_map(|id| {
                let l = self.tasks.get(id).filter(|l| l.head.enabled)?;
                let c = l.head.conditions.as_deref()?;
                Some(c.on_idle.iter().map(move |t| (*id, *t, c.idle_for())))
            })
            .flatten()
            .collect();
        let needed = !on_idle.is_empty()
            || !self.host.waiting.is_empty()
            || !self.host.idle_runs.is_empty()
            || !self.host.restarts.is_empty();
        if !needed {
            self.watch_ttys(false);
            self.host.wake = wake.into_iter().min();
            return;
        }

        let idle_for = |tasks: &HashMap<TaskId, super::Loaded>, id: &TaskId| {
            tasks
                .get(id)
                .and_then(|l| l.head.conditions.as_deref())
                .map_or(SignedDuration::ZERO, Conditions::idle_for)
        };
        // Input since a run of a stop-on-idle-end task was seen: idleness ended. (Input
        // only: the load such a run makes itself must not end it.)
        let input_since = self.host.idle_since();
        let ended: Vec<RunId> = self
            .host
            .idle_runs
            .iter()
            .filter(|(_, (_, seen))| input_since > *seen)
            .map(|(r, _)| *r)
            .collect();
        for run in &ended {
            let (task, _) = self.host.idle_runs[run];
            let restart = self.tasks.get(&task).and_then(|l| l.head.conditions.as_deref());
            if restart.is_some_and(|c| c.idle.restart_on_idle_resume) {
                self.host.restarts.insert(task);
            }
            self.host.idle_runs.remove(run);
        }
        self.stop_for(ended, Outcome::StoppedOnIdleEnd);
        let mut since = self.host.busy_at.map_or(input_since, |busy| input_since.max(busy));

        // The load is read only when some wait would end now: a busy machine does not
        // become idle, and is looked at again a little later.
        let would_end = on_idle.iter().any(|(t, i, d)| {
            self.host.fired.get(&(*t, *i)) != Some(&since) && now.duration_since(since) >= *d
        }) || self
            .host
            .waiting
            .iter()
            .any(|w| now.duration_since(since) >= idle_for(&self.tasks, &w.task))
            || self.host.restarts.iter().any(|t| now.duration_since(since) >= idle_for(&self.tasks, t));
        if would_end && self.host.cfg.idle.load_busy() {
            tracing::debug!("the load keeps the machine from being idle");
            self.host.busy_at = Some(now);
            since = now;
            wake.push(now + LOAD_RECHECK);
        }
        let idle = now.duration_since(since);

        // On-idle triggers: once per idle period.
        let mut fires: Vec<(TaskId, Fire)> = Vec::new();
        for (task, trigger, d) in on_idle {
            if self.host.fired.get(&(task, trigger)) == Some(&since) {
                continue;
            }
            if idle >= d {
                self.host.fired.insert((task, trigger), since);
                fires.push((task, Fire::Event { trigger, at: now, delay: Duration::ZERO }));
            } else {
                wake.push(since + d);
            }
        }

        // Runs waiting for idleness: started, missed, or still waiting.
        let mut released = Vec::new();
        let mut still = Vec::new();
        for w in std::mem::take(&mut self.host.waiting) {
            let d = idle_for(&self.tasks, &w.task);
            if idle >= d {
                released.push(w);
            } else if now >= w.until {
                self.host.misses.push((w.task, w.fire.occurrence(), MissReason::NotIdle));
            } else {
                wake.push((since + d).min(w.until));
                still.push(w);
            }
        }
        self.host.waiting = still;

        // Tasks stopped when idleness ended, restarted when it resumes: the input that
        // ended it began the period, so idle for `idle-for` since then is resumed.
        let mut restarts = Vec::new();
        for task in self.host.restarts.clone() {
            let d = idle_for(&self.tasks, &task);
            if idle >= d {
                self.host.restarts.remove(&task);
                restarts.push(task);
            } else {
                wake.push(since + d);
            }
        }

        // Input matters at once only to a run that idleness ending stops, and to a trigger
        // that fired in this period (it fires again only after input). Everything else
        // waits for a time, checked again when it comes.
        let input_matters = !self.host.idle_runs.is_empty() || self.host.fired.values().any(|s| *s == since);
        self.watch_ttys(input_matters);
        self.host.wake = wake.into_iter().filter(|t| *t > now).min();

        for (task, fire) in fires {
            tracing::info!(task = task.0, "the machine is idle: firing its on-idle trigger");
            self.gate_and_fire(task, fire, now).await;
        }
        for w in released {
            tracing::info!(
                task = task_name(self, w.task),
                "the machine is idle: starting the run that waited"
            );
            let ok = self.tasks.get(&w.task).is_some_and(|l| l.head.enabled);
            if !ok {
                self.host.misses.push((w.task, w.fire.occurrence(), MissReason::Disabled));
                continue;
            }
            if self
                .tasks
                .get(&w.task)
                .and_then(|l| l.head.conditions.as_deref())
                .is_some_and(|c| c.power.no_start_on_batteries)
                && self.host.on_batteries()
            {
                self.host.misses.push((w.task, w.fire.occurrence(), MissReason::OnBatteries));
                continue;
            }
            self.start_fired(w.task, w.fire).await;
        }
        for task in restarts {
            if self.tasks.get(&task).is_some_and(|l| l.head.enabled) {
                tracing::info!(task = task.0, "idleness resumed: restarting the run it ended");
                let _ = self.claim_and_start(task, None, None).await;
            }
        }
        self.record_held_misses().await;
    }

    /// Stops `runs` for a condition, to be recorded as `outcome`.
    fn stop_for(&mut self, runs: Vec<RunId>, outcome: Outcome) {
        for list in self.running.values() {
            for i in list.iter().filter(|i| runs.contains(&i.run)) {
                if i.stopper.stop(StopReason::User) {
                    tracing::info!(run = i.run.0, %outcome, "stopping a run: its condition ended");
                    self.host.stopped.insert(i.run, outcome);
                }
            }
        }
    }

    /// Watches the sessions' terminals for input, or stops watching them.
    fn watch_ttys(&mut self, on: bool) {
        let ttys: BTreeSet<PathBuf> = match (on, &self.host.utmp) {
            (true, Some(u)) => u.sessions().keys().filter_map(|k| self.host.cfg.idle.tty(&k.line)).collect(),
            _ => BTreeSet::new(),
        };
        if let Some(t) = self.host.ttys.as_mut() {
            t.set(&ttys);
        }
    }
}

fn task_name(s: &Scheduler, id: TaskId) -> String {
    super::l_name(&s.tasks, id)
}

#[cfg(test)]
mod tests {
    use std::fs::FileTimes;
    use std::io::Write;
    use std::sync::Arc;
    use std::time::{Duration as StdDuration, SystemTime};

    use jiff::civil::date;
    use sked_core::{IdleSettings, PowerSettings, Start, Task, Trigger, TriggerKind};
    use sked_store::{HistoryEntry, HistoryQuery, MemoryStore, Scope, Store, TaskDef};

    use super::*;
    use crate::codec;
    use crate::idle::IdleSources;
    use crate::scheduler::tests::{Harness, harness_with, shell as task, ts};
    use crate::utmp::Record;

    /// A machine made of files: utmp, terminals, the load and the power supplies.
    struct Machine {
        _dir: tempfile::TempDir,
        cfg: HostConfig,
    }

    impl Machine {
        fn new() -> Machine {
            let dir = tempfile::tempdir().unwrap();
            let cfg = HostConfig {
                utmp: dir.path().join("utmp"),
                idle: IdleSources {
                    dev: dir.path().join("dev"),
                    loadavg: dir.path().join("loadavg"),
                    cpus: 2,
                },
                power_supply: dir.path().join("power_supply"),
            };
            std::fs::write(&cfg.utmp, b"").unwrap();
            std::fs::create_dir_all(cfg.idle.dev.join("pts")).unwrap();
            std::fs::write(&cfg.idle.loadavg, "0.10 0.10 0.10 1/100 1\n").unwrap();
            std::fs::create_dir_all(&cfg.power_supply).unwrap();
            Machine { _dir: dir, cfg }
        }

        /// `user` logs on at terminal `line` (whose last input is `input`).
        fn logon(&self, line: &str, pid: i32, user: &str, input: Timestamp) {
            self.input_at(line, input);
            let mut f = std::fs::OpenOptions::new().append(true).open(&self.cfg.utmp).unwrap();
            f.write_all(&Record::user_process(line, pid, user, input).encode()).unwrap();
        }

        /// Sets the last input of terminal `line` to `at`, without reading it.
        fn input_at(&self, line: &str, at: Timestamp) {
            let path = self.cfg.idle.dev.join(line);
            std::fs::write(&path, b"keys").unwrap();
            let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
            f.set_times(FileTimes::new().set_accessed(SystemTime::from(at))).unwrap();
        }

        /// Someone types on `line` at `at`: the terminal is read, and its access time set.
        fn typing(&self, line: &str, at: Timestamp) {
            std::fs::read(self.cfg.idle.dev.join(line)).unwrap();
            self.input_at(line, at);
        }

        fn power(&self, batteries: bool) {
            for (name, kind, attr, value) in [
                ("AC", "Mains", "online", if batteries { "0" } else { "1" }),
                ("BAT0", "Battery", "status", if batteries { "Discharging" } else { "Charging" }),
            ] {
                let dir = self.cfg.power_supply.join(name);
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join("type"), format!("{kind}\n")).unwrap();
                std::fs::write(dir.join(attr), format!("{value}\n")).unwrap();
            }
        }
    }

    async fn harness(store: Arc<dyn Store>, now: Timestamp, machine: &Machine) -> Harness {
        harness_with(store, now, "n1", |cfg| cfg.host = machine.cfg.clone()).await
    }

    fn at_logon(user: Option<&str>) -> Trigger {
        Trigger::new(TriggerKind::AtLogon { user: user.map(Into::into), delay: sked_core::Duration::ZERO })
    }

    fn daily_at_6() -> Trigger {
        Trigger::new(TriggerKind::Daily { every: 1 }).starting(Start::civil(date(2030, 1, 1).at(6, 0, 0, 0)))
    }

    fn idle(idle_for: u64, wait_up_to: u64) -> IdleSettings {
        IdleSettings {
            start_only_if_idle: true,
            idle_for: sked_core::Duration::from_mins(idle_for),
            wait_up_to: sked_core::Duration::from_mins(wait_up_to),
            ..IdleSettings::default()
        }
    }

    fn add(store: &Arc<dyn Store>, owner: u32, task: &Task) -> TaskId {
        store.create(owner, &TaskDef::new(task.name.clone(), codec::encode(task)), None).unwrap().id
    }

    /// The task's history, oldest first: (scheduled time, trigger, outcome or missed reason).
    fn history(store: &Arc<dyn Store>, id: TaskId) -> Vec<(Option<Timestamp>, Option<u32>, String)> {
        let mut h = store.history(&HistoryQuery::new(Scope::All, 1000).for_task(id)).unwrap().entries;
        h.reverse();
        h.into_iter()
            .map(|e| match e {
                HistoryEntry::Run(r) => (r.scheduled_for, r.trigger, r.outcome.to_string()),
                HistoryEntry::Missed(m) => {
                    (Some(m.scheduled_for), Some(m.trigger), format!("missed: {}", m.reason))
                }
            })
            .collect()
    }

    type Entries = Vec<(Option<Timestamp>, Option<u32>, String)>;

    /// Waits (in real time, bounded) until `pred` holds for the task's history, doing
    /// `poke` before each look.
    async fn until(
        store: &Arc<dyn Store>,
        id: TaskId,
        what: &str,
        mut poke: impl FnMut(),
        pred: impl Fn(&Entries) -> bool,
    ) -> Entries {
        let deadline = tokio::time::Instant::now() + StdDuration::from_secs(20);
        loop {
            poke();
            let h = history(store, id);
            if pred(&h) {
                return h;
            }
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}: {h:?}");
            tokio::time::sleep(StdDuration::from_millis(20)).await;
        }
    }

    fn ended(h: &Entries) -> usize {
        h.iter().filter(|e| !matches!(e.2.as_str(), "claimed" | "running")).count()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_logon_fires_for_new_sessions_of_the_right_user() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let machine = Machine::new();
        let t0 = ts("2030-01-01T08:00:00Z");
        // Logged on before the daemon started: not a logon.
        machine.logon("pts/0", 100, "alice", t0);
        let mut any = task("any", "true");
        any.triggers
            .push(Trigger::new(TriggerKind::Once).starting(Start::civil(date(2031, 1, 1).at(0, 0, 0, 0))));
        any.triggers.push(at_logon(None));
        let any = add(&store, 0, &any);
        let mut alice = task("alice", "true");
        alice.triggers.push(at_logon(Some("CONTOSO\\Alice")));
        let alice = add(&store, 0, &alice);
        let mut off = task("off", "true");
        off.enabled = false;
        off.triggers.push(at_logon(None));
        let off = add(&store, 0, &off);
        let mut disabled_trigger = task("disabled-trigger", "true");
        disabled_trigger.triggers.push(Trigger { enabled: false, ..at_logon(None) });
        let disabled_trigger = add(&store, 0, &disabled_trigger);
        // Owned by `nobody`: fires for nobody's logons only, whatever its trigger says.
        let mut nobodys = task("nobodys", "true");
        nobodys.triggers.push(at_logon(None));
        let nobodys = add(&store, 65534, &nobodys);
        let named_nobody = logon::user_name(65534).as_deref() == Some("nobody");

        let h = harness(store.clone(), t0, &machine).await;
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        assert!(history(&store, any).is_empty(), "sessions at the start are not logons");

        machine.logon("pts/1", 101, "alice", t0);
        let a = until(&store, alice, "alice's logon", || {}, |h| ended(h) == 1).await;
        assert_eq!(a, [(None, Some(0), "succeeded".to_string())], "no scheduled time; the trigger");
        let a = until(&store, any, "alice's logon", || {}, |h| ended(h) == 1).await;
        assert_eq!(a, [(None, Some(1), "succeeded".to_string())]);

        machine.logon("pts/2", 102, "nobody", t0);
        until(&store, any, "nobody's logon", || {}, |h| ended(h) == 2).await;
        if named_nobody {
            let n = until(&store, nobodys, "nobody's own logon", || {}, |h| ended(h) == 1).await;
            assert_eq!(n.len(), 1, "not for alice's logon: {n:?}");
        }
        assert_eq!(history(&store, alice).len(), 1, "not for nobody");
        assert!(history(&store, off).is_empty(), "a disabled task does not fire");
        assert!(history(&store, disabled_trigger).is_empty(), "a disabled trigger does not fire");
        h.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_logon_respects_ignore_new_and_delete_when_done_leaves_event_tasks() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let machine = Machine::new();
        let t0 = ts("2030-01-01T08:00:00Z");
        let mut slow = task("slow", "sleep 30");
        slow.delete_when_done = true;
        slow.triggers.push(at_logon(None));
        let slow = add(&store, 0, &slow);
        let h = harness(store.clone(), t0, &machine).await;
        machine.logon("pts/1", 101, "alice", t0);
        until(&store, slow, "the first run", || {}, |h| h.iter().any(|e| e.2 == "running")).await;
        machine.logon("pts/2", 102, "bob", t0);
        let s = until(&store, slow, "the second logon", || {}, |h| ended(h) == 1).await;
        assert_eq!(s[1].2, "failed", "ignore-new: the second run does not start ({s:?})");
        assert_eq!(h.control.end(slow).await.unwrap(), 1);
        until(&store, slow, "the end", || {}, |h| ended(h) == 2).await;
        assert!(store.get(Scope::All, slow).is_ok(), "an at-logon task can fire again: not deleted");
        h.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_idle_fires_once_per_idle_period() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let machine = Machine::new();
        let t0 = ts("2030-01-01T08:00:00Z");
        machine.logon("pts/0", 100, "alice", t0);
        let mut idler = task("idler", "true");
        idler.triggers.push(Trigger::new(TriggerKind::OnIdle));
        let idler = add(&store, 0, &idler);
        // A logon serves as a marker: once its run is claimed, the daemon has seen the
        // logon (which is input) and looked at the machine.
        let mut marker = task("marker", "true");
        marker.triggers.push(at_logon(None));
        let marker = add(&store, 0, &marker);

        let h = harness(store.clone(), t0 + SignedDuration::from_mins(1), &machine).await;
        h.clock.advance_to(t0 + SignedDuration::from_secs(10 * 60 + 59));
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        assert!(history(&store, idler).is_empty(), "idle for 10 min counts from the daemon's start");
        h.clock.advance_to(t0 + SignedDuration::from_mins(11));
        let i = until(&store, idler, "the idle run", || {}, |h| ended(h) == 1).await;
        assert_eq!(i, [(None, Some(0), "succeeded".to_string())]);
        h.clock.advance_to(t0 + SignedDuration::from_mins(60));
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        assert_eq!(history(&store, idler).len(), 1, "once per idle period");

        // Activity (a logon), then ten quiet minutes: it fires again.
        machine.logon("pts/1", 101, "bob", t0 + SignedDuration::from_mins(61));
        h.clock.advance_to(t0 + SignedDuration::from_mins(61));
        until(&store, marker, "the logon", || {}, |h| !h.is_empty()).await;
        h.clock.advance_to(t0 + SignedDuration::from_mins(71));
        until(&store, idler, "the second idle run", || {}, |h| ended(h) == 2).await;
        h.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn start_only_if_idle_waits_then_runs_or_is_missed() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let machine = Machine::new();
        machine.logon("pts/0", 100, "alice", ts("2030-01-01T05:00:00Z"));
        machine.input_at("pts/0", ts("2030-01-01T05:58:00Z"));
        let mut patient = task("patient", "true");
        patient.idle = Some(idle(5, 30));
        patient.triggers.push(daily_at_6());
        let patient = add(&store, 0, &patient);
        let mut hopeless = task("hopeless", "true");
        hopeless.idle = Some(idle(60, 10));
        hopeless.triggers.push(daily_at_6());
        let hopeless = add(&store, 0, &hopeless);

        let h = harness(store.clone(), ts("2030-01-01T05:59:00Z"), &machine).await;
        h.clock.advance_to(ts("2030-01-01T06:00:00Z"));
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        assert!(history(&store, patient).is_empty(), "not idle yet: it waits");
        // Idle for 5 minutes since the daemon started at 05:59 (the last input is older).
        h.clock.advance_to(ts("2030-01-01T06:04:00Z"));
        let p = until(&store, patient, "the run that waited", || {}, |h| ended(h) == 1).await;
        assert_eq!(p, [(Some(ts("2030-01-01T06:00:00Z")), Some(0), "succeeded".to_string())]);
        h.clock.advance_to(ts("2030-01-01T06:10:00Z"));
        let m = until(&store, hopeless, "the miss", || {}, |h| !h.is_empty()).await;
        assert_eq!(m, [(Some(ts("2030-01-01T06:00:00Z")), Some(0), "missed: not_idle".to_string())]);
        h.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_busy_load_keeps_the_machine_from_becoming_idle() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let machine = Machine::new();
        std::fs::write(&machine.cfg.idle.loadavg, "5.00 3.00 1.00 9/300 4242\n").unwrap();
        let mut t = task("patient", "true");
        t.idle = Some(idle(5, 30));
        t.triggers.push(daily_at_6());
        let id = add(&store, 0, &t);
        // No session: idle since the start at 05:50, by input.
        let h = harness(store.clone(), ts("2030-01-01T05:50:00Z"), &machine).await;
        h.clock.advance_to(ts("2030-01-01T06:00:00Z"));
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        assert!(history(&store, id).is_empty(), "busy processors: not idle");
        std::fs::write(&machine.cfg.idle.loadavg, "0.10 3.00 1.00 1/300 4242\n").unwrap();
        h.clock.advance_to(ts("2030-01-01T06:04:59Z"));
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        assert!(history(&store, id).is_empty(), "idle for 5 minutes counts from the busy load");
        h.clock.advance_to(ts("2030-01-01T06:05:00Z"));
        let p = until(&store, id, "the run", || {}, |h| ended(h) == 1).await;
        assert_eq!(p, [(Some(ts("2030-01-01T06:00:00Z")), Some(0), "succeeded".to_string())]);
        h.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn batteries_refuse_starts_and_stop_runs() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let machine = Machine::new();
        machine.power(false);
        let mut frugal = task("frugal", "true");
        frugal.power = Some(PowerSettings { no_start_on_batteries: true, ..PowerSettings::default() });
        frugal.triggers.push(daily_at_6());
        let frugal = add(&store, 0, &frugal);
        let mut mains = task("mains", "sleep 30");
        mains.power = Some(PowerSettings { stop_on_batteries: true, ..PowerSettings::default() });
        let mains = add(&store, 0, &mains);

        let h = harness(store.clone(), ts("2030-01-01T05:59:30Z"), &machine).await;
        h.control.run_now(mains).await.unwrap();
        // Answered on a later turn of the loop than the run's start: the daemon has seen
        // the run and read the power (AC) by now.
        h.control.status(mains).await.unwrap();
        machine.power(true);
        h.clock.advance_to(ts("2030-01-01T06:00:00Z"));
        let f = until(&store, frugal, "the miss", || {}, |h| !h.is_empty()).await;
        assert_eq!(f, [(Some(ts("2030-01-01T06:00:00Z")), Some(0), "missed: on_batteries".to_string())]);
        let m = history(&store, mains);
        assert_eq!(ended(&m), 0, "checked each minute: {m:?}");
        h.clock.advance_to(ts("2030-01-01T06:00:30Z"));
        let m = until(&store, mains, "the stop", || {}, |h| ended(h) == 1).await;
        assert_eq!(m, [(None, None, "stopped_on_batteries".to_string())]);
        h.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn idle_end_stops_a_run_and_idle_resume_restarts_it() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let machine = Machine::new();
        let t0 = ts("2030-01-01T08:00:00Z");
        machine.logon("pts/0", 100, "alice", t0);
        let mut t = task("idle-only", "sleep 30");
        t.idle = Some(IdleSettings {
            idle_for: sked_core::Duration::from_mins(5),
            stop_on_idle_end: true,
            restart_on_idle_resume: true,
            ..IdleSettings::default()
        });
        let id = add(&store, 0, &t);
        let h = harness(store.clone(), t0, &machine).await;
        h.control.run_now(id).await.unwrap();
        h.control.status(id).await.unwrap();
        let typed = t0 + SignedDuration::from_mins(1);
        h.clock.advance_to(typed);
        let s = until(&store, id, "the stop", || machine.typing("pts/0", typed), |h| ended(h) == 1).await;
        assert_eq!(s, [(None, None, "stopped_on_idle_end".to_string())]);
        h.clock.advance_to(typed + SignedDuration::from_mins(5));
        until(&store, id, "the restart", || {}, |h| h.len() == 2 && h[1].2 == "running").await;
        h.stop().await;
    }
}

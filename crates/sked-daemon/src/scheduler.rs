//! The scheduler: one task (an actor) that owns the timetable and the runs in progress,
//! sleeps until the next due run, a command, a run's end or shutdown, and fires every run
//! the engine computes.
//!
//! Exactly once: every scheduled time is claimed in the store before its run starts (or
//! recorded there as missed, with why), and the store lets each (task, time) be claimed
//! once. After a crash, runs claimed but unfinished are marked interrupted, never run again;
//! scheduled times that passed while the service was down are recorded as missed, and a
//! task with `start-when-available` runs once, late, for the latest of them.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use jiff::{SignedDuration, Timestamp};
use sked_core::{MultipleInstances, Schedule, Task, TriggerKind, Zones};
use sked_runner::{LogSpec, RunExit, RunIdentity, RunSpec, Runner, StopReason, Stopper, UserSpec};
use sked_store::{
    MissReason, Occurrence, Outcome, RunEnd, RunId, RunStart, RunUpdate, Scope, Store, TaskFilter, TaskId,
    TaskRecord,
};
use tokio::sync::mpsc;

use crate::clock::Clock;
use crate::codec;
use crate::conditions::Conditions;
use crate::control::{Command, ControlError, TaskStatus};
use crate::timetable::Timetable;

mod host;

pub use host::HostConfig;

/// How the scheduler runs.
#[derive(Clone, Debug)]
pub struct SchedulerConfig {
    /// This daemon's name in the store (who claimed a run).
    pub node: String,
    /// Where run logs go: `<logs_dir>/<run id>.log`.
    pub logs_dir: PathBuf,
    /// The most output one run's log keeps.
    pub log_max_bytes: u64,
    /// Time between `SIGTERM` and `SIGKILL` when a run is stopped.
    pub grace: Duration,
    /// The daemon's own uid: when it is root, tasks run as their owner unless they say
    /// otherwise.
    pub daemon_uid: u32,
    /// This boot's id (`/proc/sys/kernel/random/boot_id`): at-startup triggers fire once per
    /// boot, not once per daemon start.
    pub boot_id: Option<String>,
    /// A run found due later than this after its time (the machine slept, the clock jumped,
    /// the service was down) counts as missed, not as on time.
    pub late_after: SignedDuration,
    /// At most this many missed times are recorded per task when catching up; older ones
    /// are only counted in the log.
    pub max_missed_recorded: usize,
    /// Where logons, idleness and power are read from.
    pub host: HostConfig,
}

impl SchedulerConfig {
    /// Defaults for a daemon named `node` keeping logs in `logs_dir`.
    pub fn new(node: impl Into<String>, logs_dir: impl Into<PathBuf>) -> Self {
        SchedulerConfig {
            node: node.into(),
            logs_dir: logs_dir.into(),
            log_max_bytes: sked_runner::DEFAULT_LOG_MAX_BYTES,
            grace: sked_runner::DEFAULT_GRACE,
            daemon_uid: nix::unistd::geteuid().as_raw(),
            boot_id: std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
                .ok()
                .map(|s| s.trim().to_string()),
            late_after: SignedDuration::from_secs(60),
            max_missed_recorded: 1000,
            host: HostConfig::system(),
        }
    }
}

/// How long before a run's instant its claim is committed, so that the program starts at
/// the instant itself rather than a disk flush later.
const CLAIM_AHEAD: SignedDuration = SignedDuration::from_millis(50);

/// A task as the scheduler holds it.
struct Loaded {
    head: Head,
    owner: u32,
    schedule: Schedule,
}

/// What the scheduler reads of a task between its runs, and the stored definition the rest
/// is decoded from when a run starts. A decoded [`Task`] costs about 800 bytes of heap (its
/// strings, triggers, environment...); with 100,000 tasks loaded that was most of the
/// daemon's memory, for fields only a starting run needs.
struct Head {
    name: Box<str>,
    /// The task as stored ([`codec::encode`]): decoded again for each run.
    definition: Box<[u8]>,
    /// Per trigger, in the task's order, what the scheduler needs of it; empty when no
    /// trigger has anything to say (the common case), which costs no allocation.
    triggers: Box<[TriggerHead]>,
    multiple_instances: MultipleInstances,
    enabled: bool,
    start_when_available: bool,
    delete_when_done: bool,
    /// Whether an event trigger (at startup, at logon...) could still fire the task.
    has_event_trigger: bool,
    /// Its at-logon and on-idle triggers and its idle and power conditions; `None` (no
    /// allocation) for a task without any.
    conditions: Option<Box<Conditions>>,
}

/// What the scheduler reads of one trigger between runs.
#[derive(Clone, Copy, Debug, Default)]
struct TriggerHead {
    /// The delay of an enabled at-startup trigger.
    at_startup: Option<Duration>,
    /// The most a run of this trigger is delayed at random.
    random_delay: Option<sked_core::Duration>,
}

impl Head {
    /// The head of `task`, stored as `definition`.
    fn new(task: &Task, definition: Box<[u8]>) -> Self {
        let mut triggers: Vec<TriggerHead> = task
            .triggers
            .iter()
            .map(|t| TriggerHead {
                at_startup: match (t.enabled, &t.kind) {
                    (true, TriggerKind::AtStartup { delay }) => {
                        Some(Duration::from_millis(delay.as_millis()))
                    }
                    _ => None,
                },
                random_delay: t.random_delay,
            })
            .collect();
        if triggers.iter().all(|t| t.at_startup.is_none() && t.random_delay.is_none()) {
            triggers.clear();
        }
        Head {
            name: task.name.as_str().into(),
            definition,
            triggers: triggers.into_boxed_slice(),
            multiple_instances: task.multiple_instances,
            enabled: task.enabled,
            start_when_available: task.start_when_available,
            delete_when_done: task.delete_when_done,
            has_event_trigger: task.triggers.iter().any(|t| t.kind.is_event()),
            conditions: Conditions::of(task),
        }
    }

    /// What the scheduler needs of trigger `i` (nothing for a plain one).
    fn trigger(&self, i: usize) -> TriggerHead {
        self.triggers.get(i).copied().unwrap_or_default()
    }

    /// The whole task, for a run that starts.
    fn task(&self) -> Result<Task, String> {
        codec::decode(&self.definition)
            .map_err(|e| format!("cannot read the stored definition of task `{}`: {e}", self.name))
    }
}

/// A run in progress.
struct Instance {
    run: RunId,
    stopper: Stopper,
}

/// A claimed run waiting to start (queued behind a running one, or in its random delay).
#[derive(Clone, Copy, Debug)]
struct Pending {
    run: RunId,
    occurrence: Option<Occurrence>,
    window_end: Option<Timestamp>,
}

/// Writes run starts and ends to the store, in the order they happened, off the
/// scheduler's path: the scheduler starts the next program while the last start is being
/// written. (The claim, the write that makes a run happen exactly once, is made before the
/// program starts and waited for.)
fn spawn_recorder(
    store: Arc<dyn Store>,
    node: String,
) -> (mpsc::UnboundedSender<RunUpdate>, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<RunUpdate>();
    let task = tokio::spawn(async move {
        let mut batch = Vec::new();
        while rx.recv_many(&mut batch, 4096).await > 0 {
            // What piled up while the last batch was written goes in one commit: a burst
            // of runs costs a few commits, not two per run.
            let updates = std::mem::take(&mut batch);
            let (store, node) = (store.clone(), node.clone());
            let written = tokio::task::spawn_blocking(move || {
                let results = match store.record_runs(&node, &updates) {
                    Ok(results) => results,
                    Err(e) => {
                        // The batch failed as a whole (a busy or full disk, say): try each
                        // on its own, so one bad moment does not lose a burst of records.
                        tracing::warn!(records = updates.len(), "cannot record runs together: {e}");
                        updates
                            .iter()
                            .map(|u| {
                                store
                                    .record_runs(&node, std::slice::from_ref(u))
                                    .and_then(|mut r| r.pop().unwrap_or(Ok(())))
                            })
                            .collect()
                    }
                };
                for (update, result) in updates.iter().zip(results) {
                    if let Err(e) = result {
                        // A run of a task deleted meanwhile has no record left to update.
                        let (RunUpdate::Start(run, _) | RunUpdate::Finish(run, _)) = update;
                        tracing::debug!(run = run.0, "cannot record a run: {e}");
                    }
                }
            })
            .await;
            if let Err(e) = written {
                tracing::error!("the run recorder failed: {e}");
            }
        }
    });
    (tx, task)
}

/// What a task's policy says of a claimed run that is due.
enum Admission {
    /// Start it.
    Start,
    /// Settled without starting it: queued, refused, or its task is gone.
    Decided(Result<RunId, ControlError>),
}

/// A claimed run about to start (its spec goes to the runner).
struct Launch {
    task: TaskId,
    pending: Pending,
    log_path: PathBuf,
}

/// Runs due at one instant are started from several threads from this many on; fewer start
/// one after another on the scheduler's own thread.
const PARALLEL_STARTS_FROM: usize = 8;

/// The most threads starting runs at once.
const MAX_STARTERS: usize = 4;

/// How many runs the starting threads take at a time.
const START_SLICE: usize = 64;

/// A run handed to the runner: what came of it, and when.
type Started = (Launch, Result<sked_runner::RunHandle, String>, Timestamp);

/// What the scheduler hears from the runs it started.
enum Event {
    /// A run ended.
    Ended { task: TaskId, run: RunId, result: Result<RunExit, sked_runner::Error> },
    /// A claimed run's delay (random delay, at-startup delay) is over: start it.
    Start { task: TaskId, pending: Pending },
}

/// The scheduler actor. Build it with [`Scheduler::new`], then drive it with
/// [`Scheduler::run`]; talk to it through [`crate::control::Control`].
pub struct Scheduler {
    store: Arc<dyn Store>,
    runner: Arc<dyn Runner>,
    zones: Arc<Zones>,
    clock: Arc<dyn Clock>,
    cfg: SchedulerConfig,
    timetable: Timetable<TaskId>,
    tasks: HashMap<TaskId, Loaded>,
    running: HashMap<TaskId, Vec<Instance>>,
    queued: HashMap<TaskId, VecDeque<Pending>>,
    events_tx: mpsc::UnboundedSender<Event>,
    events_rx: mpsc::UnboundedReceiver<Event>,
    recorder: mpsc::UnboundedSender<RunUpdate>,
    recorder_task: tokio::task::JoinHandle<()>,
    host: host::Host,
    /// The runs going, each awaiting its end. Polled by the scheduler itself rather than a
    /// task per run: a burst of runs does not pay a task and a wake-up each to hear of ends.
    exits: FuturesUnordered<Exit>,
}

/// A run's end, as the scheduler hears it.
type Exit = Pin<Box<dyn Future<Output = (TaskId, RunId, Result<RunExit, sked_runner::Error>)> + Send + Sync>>;

/// Runs a blocking store call off the async threads.
async fn blocking<T: Send + 'static>(
    store: &Arc<dyn Store>,
    f: impl FnOnce(&dyn Store) -> sked_store::Result<T> + Send + 'static,
) -> sked_store::Result<T> {
    let store = store.clone();
    match tokio::task::spawn_blocking(move || f(store.as_ref())).await {
        Ok(r) => r,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

fn store_outcome(o: sked_runner::Outcome) -> Outcome {
    match o {
        sked_runner::Outcome::Succeeded => Outcome::Succeeded,
        sked_runner::Outcome::Failed => Outcome::Failed,
        sked_runner::Outcome::KilledAtMaxRunTime => Outcome::KilledAtMaxRunTime,
        sked_runner::Outcome::StoppedAtDurationEnd => Outcome::StoppedAtDurationEnd,
        sked_runner::Outcome::EndedByUser => Outcome::EndedByUser,
        sked_runner::Outcome::Interrupted => Outcome::Interrupted,
    }
}

impl Scheduler {
    /// A scheduler over `store`, starting programs with `runner`, on `clock`.
    pub fn new(
        store: Arc<dyn Store>,
        runner: Arc<dyn Runner>,
        zones: Arc<Zones>,
        clock: Arc<dyn Clock>,
        cfg: SchedulerConfig,
    ) -> Self {
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (recorder, recorder_task) = spawn_recorder(store.clone(), cfg.node.clone());
        let host = host::Host::new(cfg.host.clone(), clock.now());
        Scheduler {
            store,
            runner,
            zones,
            clock,
            cfg,
            timetable: Timetable::new(),
            tasks: HashMap::new(),
            running: HashMap::new(),
            queued: HashMap::new(),
            events_tx,
            events_rx,
            recorder,
            recorder_task,
            host,
            exits: FuturesUnordered::new(),
        }
    }

    /// Loads every task, accounts for the time the service was down, and fires at-startup
    /// triggers. Call once before [`Scheduler::run`]; the service is ready after it.
    pub async fn start(&mut self) -> sked_store::Result<()> {
        if let Err(e) = std::fs::create_dir_all(&self.cfg.logs_dir) {
            tracing::error!(dir = %self.cfg.logs_dir.display(), "cannot create the log directory: {e}");
        }
        let node = self.cfg.node.clone();
        let orphans = blocking(&self.store, move |s| s.interrupt_orphans(&node)).await?;
        if !orphans.is_empty() {
            tracing::warn!(
                runs = orphans.len(),
                "runs cut off when the service stopped are marked interrupted"
            );
        }
        let (records, states) = blocking(&self.store, |s| {
            let records = s.list(&TaskFilter::new(Scope::All))?;
            let states = s.task_states(Scope::All)?;
            Ok((records, states))
        })
        .await?;
        let last_accounted: HashMap<TaskId, Timestamp> =
            states.into_iter().filter_map(|s| s.last_accounted.map(|t| (s.task_id, t))).collect();
        let now = self.clock.now();
        let loaded = load_all(records, &self.zones);
        let mut late_runs = Vec::new();
        for (record, result) in loaded {
            let (head, schedule) = match result {
                Ok(x) => x,
                Err(message) => {
                    tracing::error!(task = %record.name, id = record.id.0, "cannot schedule a stored task: {message}");
                    continue;
                }
            };
            let id = record.id;
            let active = record.enabled && head.enabled;
            if active {
                let since = last_accounted.get(&id).copied().unwrap_or(record.created);
                if let Some(late) = self.account_missed(id, &head, &schedule, since, now).await {
                    late_runs.push((id, late));
                }
                self.timetable.insert(id, schedule.clone(), now);
            }
            self.tasks.insert(id, Loaded { head, owner: record.owner_uid, schedule });
        }
        for (id, occurrence) in late_runs {
            self.claim_and_start(id, Some(occurrence), None).await.ok();
        }
        self.host_open();
        self.fire_startup_triggers().await;
        tracing::info!(tasks = self.tasks.len(), "scheduler ready");
        Ok(())
    }

    /// Records the scheduled times of `task` in `(since, now)` as missed (the service was
    /// down), and returns the latest of them when the task runs missed runs late.
    async fn account_missed(
        &self,
        id: TaskId,
        task: &Head,
        schedule: &Schedule,
        since: Timestamp,
        now: Timestamp,
    ) -> Option<Occurrence> {
        let mut missed: VecDeque<Occurrence> = VecDeque::new();
        let mut dropped = 0usize;
        for run in schedule.runs(since + SignedDuration::from_nanos(1)) {
            if run.at >= now {
                break;
            }
            if missed.len() == self.cfg.max_missed_recorded.max(1) {
                missed.pop_front();
                dropped += 1;
            }
            missed.push_back(Occurrence { scheduled_for: run.at, trigger: run.trigger as u32 });
        }
        if missed.is_empty() {
            return None;
        }
        let late = if task.start_when_available { missed.pop_back() } else { None };
        if dropped > 0 {
            tracing::warn!(task = %task.name, dropped, "more missed times than are recorded; the oldest are only counted here");
        }
        let times: Vec<Occurrence> = missed.into_iter().collect();
        if let Err(e) = blocking(&self.store, move |s| s.record_missed(id, MissReason::Down, &times)).await {
            tracing::error!(task = %task.name, "cannot record missed runs: {e}");
        }
        late
    }

    /// Fires the at-startup triggers that have not fired in this boot.
    async fn fire_startup_triggers(&mut self) {
        let Some(boot) = self.cfg.boot_id.clone() else {
            tracing::warn!(
                "no boot id: at-startup triggers cannot tell a boot from a restart and do not fire"
            );
            return;
        };
        let mut starts = Vec::new();
        for (id, l) in &self.tasks {
            if !l.head.enabled {
                continue;
            }
            for (i, t) in l.head.triggers.iter().enumerate() {
                if let Some(delay) = t.at_startup {
                    starts.push((*id, i as u32, delay));
                }
            }
        }
        for (id, trigger, delay) in starts {
            let (node, boot) = (self.cfg.node.clone(), boot.clone());
            match blocking(&self.store, move |s| s.claim_startup(id, trigger, &boot, &node)).await {
                Ok(Some(run)) => {
                    self.start_after(id, Pending { run, occurrence: None, window_end: None }, delay)
                }
                Ok(None) => {}
                Err(e) => tracing::error!(task = id.0, "cannot claim an at-startup run: {e}"),
            }
        }
    }

    /// Runs the scheduler until `shutdown` resolves, answering `commands`.
    pub async fn run(mut self, mut commands: mpsc::Receiver<Command>, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            // Wake a little early: the claims are committed before the instant, and the
            // programs start at the instant itself.
            let next = self.timetable.next_due();
            let sleep = self.clock.sleep_until(next.map(|t| t - CLAIM_AHEAD));
            // Only while something waits on the machine (idleness, power): else no timer.
            let host_sleep = self.host_prepare().await.map(|t| self.clock.sleep_until(Some(t)));
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(event) = self.events_rx.recv() => self.on_event(event).await,
                Some((task, run, result)) = self.exits.next(), if !self.exits.is_empty() => {
                    self.on_event(Event::Ended { task, run, result }).await
                }
                Some(command) = commands.recv() => self.on_command(command).await,
                _ = sleep => {
                    let now = self.clock.now();
                    let due = self.timetable.take_due(now + CLAIM_AHEAD);
                    let due = self.host_hold(due, now).await;
                    self.fire(due, now).await;
                }
                event = self.host.next() => self.on_host_event(event).await,
                Some(_) = async { match host_sleep { Some(s) => Some(s.await), None => None } } => {
                    self.on_host_wake().await
                }
            }
        }
        self.stop_all().await;
        let Scheduler { recorder, recorder_task, .. } = self;
        drop(recorder);
        let _ = recorder_task.await;
    }

    /// Fires every due run: the ones to start are claimed together, in one store commit.
    async fn fire(&mut self, due: Vec<crate::timetable::Due<TaskId>>, now: Timestamp) {
        let mut missed: HashMap<TaskId, (Vec<Occurrence>, MissReason)> = HashMap::new();
        // (task, occurrence, window end, delay before starting)
        let mut batch: Vec<(TaskId, Occurrence, Option<Timestamp>, Duration)> = Vec::new();
        for d in due {
            let Some(l) = self.tasks.get(&d.task) else { continue };
            let occurrence = Occurrence { scheduled_for: d.run.at, trigger: d.run.trigger as u32 };
            if now.duration_since(d.run.at) > self.cfg.late_after {
                // The machine slept or the clock jumped: this time passed unnoticed. Like a
                // time missed while the service was down, it runs late only for
                // start-when-available, and only the latest of a series.
                let next_is_past = self.timetable.next_of(&d.task).is_some_and(|r| r.at <= now);
                if l.head.start_when_available && !next_is_past {
                    batch.push((d.task, occurrence, d.run.window_end, Duration::ZERO));
                } else {
                    missed.entry(d.task).or_insert_with(|| (Vec::new(), MissReason::Down)).0.push(occurrence);
                }
                continue;
            }
            let busy = self.running.get(&d.task).is_some_and(|r| !r.is_empty());
            if busy && l.head.multiple_instances == MultipleInstances::IgnoreNew {
                missed
                    .entry(d.task)
                    .or_insert_with(|| (Vec::new(), MissReason::PreviousStillRunning))
                    .0
                    .push(occurrence);
                continue;
            }
            let delay = l
                .head
                .trigger(d.run.trigger)
                .random_delay
                .map_or(Duration::ZERO, |max| Duration::from_millis(fastrand::u64(0..=max.as_millis())));
            batch.push((d.task, occurrence, d.run.window_end, delay));
        }
        if !batch.is_empty() {
            let claims: Vec<(TaskId, Option<Occurrence>)> = batch.iter().map(|b| (b.0, Some(b.1))).collect();
            let node = self.cfg.node.clone();
            match blocking(&self.store, move |s| s.claim_many(&claims, &node)).await {
                Ok(runs) => {
                    let mut now_runs = Vec::new();
                    for ((task, occurrence, window_end, delay), run) in batch.into_iter().zip(runs) {
                        // None: another node (or an earlier life of this one) has it.
                        let Some(run) = run else { continue };
                        let pending = Pending { run, occurrence: Some(occurrence), window_end };
                        if delay.is_zero() {
                            now_runs.push((occurrence.scheduled_for, task, pending));
                        } else {
                            let early =
                                occurrence.scheduled_for.duration_since(now).max(SignedDuration::ZERO);
                            self.start_after(task, pending, delay + early.unsigned_abs());
                        }
                    }
                    // Claimed ahead: start each at its instant, on the wall-clock timer,
                    // the runs due at the same instant together.
                    now_runs.sort_by_key(|r| r.0);
                    let mut runs = now_runs.into_iter().peekable();
                    while let Some((at, task, pending)) = runs.next() {
                        let mut group = vec![(task, pending)];
                        while let Some((_, task, pending)) = runs.next_if(|r| r.0 == at) {
                            group.push((task, pending));
                        }
                        if at > self.clock.now() {
                            self.clock.sleep_until(Some(at)).await;
                        }
                        self.start_together(group).await;
                    }
                }
                Err(e) => tracing::error!(runs = batch.len(), "cannot claim due runs: {e}"),
            }
        }
        for (task, (times, reason)) in missed {
            if let Err(e) = blocking(&self.store, move |s| s.record_missed(task, reason, &times)).await {
                tracing::error!(task = task.0, "cannot record missed runs: {e}");
            }
        }
    }

    /// Starts `pending` after `wait`, through the event channel.
    fn start_after(&self, task: TaskId, pending: Pending, wait: Duration) {
        if wait.is_zero() {
            let _ = self.events_tx.send(Event::Start { task, pending });
            return;
        }
        let tx = self.events_tx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            let _ = tx.send(Event::Start { task, pending });
        });
    }

    /// Claims a run of `task` in the store and starts it, honouring the task's policy for
    /// a run already going.
    async fn claim_and_start(
        &mut self,
        task: TaskId,
        occurrence: Option<Occurrence>,
        window_end: Option<Timestamp>,
    ) -> Result<RunId, ControlError> {
        let node = self.cfg.node.clone();
        let run = match blocking(&self.store, move |s| s.claim(task, occurrence, &node)).await {
            Ok(Some(run)) => run,
            // Another node (or an earlier life of this one) has it: exactly once.
            Ok(None) => {
                return Err(ControlError::StartFailed { task: task.0, message: "already claimed".into() });
            }
            Err(e) => return Err(ControlError::StartFailed { task: task.0, message: e.to_string() }),
        };
        self.begin(task, Pending { run, occurrence, window_end }).await
    }

    /// Starts a claimed run now, queues it, or stops the running one first, by policy.
    async fn begin(&mut self, task: TaskId, pending: Pending) -> Result<RunId, ControlError> {
        match self.admit(task, &pending) {
            Admission::Start => self.spawn(task, pending).await,
            Admission::Decided(result) => result,
        }
    }

    /// The task's policy for a claimed run that is due: start it, or queue it, refuse it, or
    /// fail it for a task deleted meanwhile (each recorded here). With `stop-existing`, the
    /// running instances are asked to stop and the run starts.
    fn admit(&mut self, task: TaskId, pending: &Pending) -> Admission {
        let Some(l) = self.tasks.get(&task) else {
            self.finish(
                pending.run,
                Outcome::Failed,
                None,
                None,
                None,
                Some("the task was deleted before its run started".into()),
            );
            return Admission::Decided(Err(ControlError::NoSuchTask(task.0)));
        };
        let running: Vec<Stopper> = self
            .running
            .get(&task)
            .map(|r| r.iter().map(|i| i.stopper.clone()).collect())
            .unwrap_or_default();
        if !running.is_empty() {
            match l.head.multiple_instances {
                MultipleInstances::Parallel => {}
                MultipleInstances::Queue => {
                    self.queued.entry(task).or_default().push_back(*pending);
                    return Admission::Decided(Ok(pending.run));
                }
                MultipleInstances::StopExisting => {
                    for s in running {
                        s.stop(StopReason::User);
                    }
                }
                MultipleInstances::IgnoreNew => {
                    self.finish(
                        pending.run,
                        Outcome::Failed,
                        None,
                        None,
                        None,
                        Some("not started: the previous run is still going (ignore-new)".into()),
                    );
                    return Admission::Decided(Err(ControlError::AlreadyRunning(task.0)));
                }
            }
        }
        Admission::Start
    }

    /// Starts the program of a claimed run.
    async fn spawn(&mut self, task: TaskId, pending: Pending) -> Result<RunId, ControlError> {
        let (launch, spec) = match self.launch(task, pending) {
            Ok(ready) => ready,
            Err(e) => return e,
        };
        let started = self.runner.start(spec).map_err(|e| e.to_string());
        let at = self.clock.now();
        self.launched(launch, started, at)
    }

    /// Starts the claimed runs `runs`, due at the same instant, each by its task's policy.
    ///
    /// Starting a program blocks its thread until the program has called `exec`; meanwhile
    /// the machine's other processors can start others. So a crowd of runs is started from
    /// as many threads as there are processors, slice by slice: while the threads start one
    /// slice, the scheduler prepares the next (policy, definition, spec).
    async fn start_together(&mut self, runs: Vec<(TaskId, Pending)>) {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_STARTERS);
        if runs.len() < PARALLEL_STARTS_FROM || workers < 2 {
            for (task, pending) in runs {
                let _ = self.begin(task, pending).await;
            }
            return;
        }
        let mut runs = runs.into_iter().peekable();
        let mut starting: Vec<tokio::task::JoinHandle<Vec<Started>>> = Vec::new();
        while runs.peek().is_some() || !starting.is_empty() {
            let mut shares: Vec<Vec<(Launch, RunSpec)>> = (0..workers).map(|_| Vec::new()).collect();
            let mut n = 0;
            for (task, pending) in runs.by_ref() {
                if let Admission::Start = self.admit(task, &pending)
                    && let Ok(ready) = self.launch(task, pending)
                {
                    shares[n % workers].push(ready);
                    n += 1;
                    if n == START_SLICE {
                        break;
                    }
                }
            }
            for starter in std::mem::take(&mut starting) {
                match starter.await {
                    Ok(started) => {
                        for (launch, started, at) in started {
                            let _ = self.launched(launch, started, at);
                        }
                    }
                    // Starting does not panic; if it did, the claimed runs of that share
                    // are left claimed, and marked interrupted when the service next starts.
                    Err(e) => tracing::error!("a thread starting runs failed: {e}"),
                }
            }
            for share in shares.into_iter().filter(|s| !s.is_empty()) {
                let (runner, clock) = (self.runner.clone(), self.clock.clone());
                starting.push(tokio::task::spawn_blocking(move || {
                    share
                        .into_iter()
                        .map(|(launch, spec)| {
                            let started = runner.start(spec).map_err(|e| e.to_string());
                            (launch, started, clock.now())
                        })
                        .collect()
                }));
            }
        }
    }

    /// What the runner needs for a claimed run of `task`; a run that cannot have it is
    /// recorded as failed, and the result `begin` gives then is the error.
    fn launch(
        &mut self,
        task: TaskId,
        pending: Pending,
    ) -> Result<(Launch, RunSpec), Result<RunId, ControlError>> {
        let Some(l) = self.tasks.get(&task) else { return Err(Err(ControlError::NoSuchTask(task.0))) };
        // One directory for every log, named by run id (unique across tasks): a directory
        // per task would cost a directory creation on the path of each task's first run,
        // which is most of the runs of a burst.
        let dir = &self.cfg.logs_dir;
        let log_path = dir.join(format!("{}.log", pending.run.0));
        // The definition is decoded here, not kept decoded: a definition that no longer
        // reads fails this run, and the scheduler goes on.
        let spec = self.spec(l, &pending, log_path.clone()).and_then(|spec| {
            // The directory was removed under the running service: make it again. (The
            // runner creates the log itself only when the program first writes.)
            if !dir.is_dir() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create the log directory `{}`: {e}", dir.display()))?;
            }
            Ok(spec)
        });
        match spec {
            Ok(spec) => Ok((Launch { task, pending, log_path }, spec)),
            Err(message) => Err(self.failed_to_start(task, pending, message)),
        }
    }

    /// Records what starting `launch` gave, at `at`: the run is going, or it failed.
    fn launched(
        &mut self,
        launch: Launch,
        started: Result<sked_runner::RunHandle, String>,
        at: Timestamp,
    ) -> Result<RunId, ControlError> {
        let Launch { task, pending, log_path } = launch;
        match started {
            Ok(mut handle) => {
                let start = RunStart { started_at: at, pid: Some(handle.pid()), log_path: Some(log_path) };
                let run = pending.run;
                let _ = self.recorder.send(RunUpdate::Start(run, start));
                self.running
                    .entry(task)
                    .or_default()
                    .push(Instance { run: pending.run, stopper: handle.stopper() });
                self.exits.push(Box::pin(async move {
                    let result = handle.wait().await;
                    (task, run, result)
                }));
                Ok(pending.run)
            }
            Err(message) => self.failed_to_start(task, pending, message),
        }
    }

    fn failed_to_start(
        &self,
        task: TaskId,
        pending: Pending,
        message: String,
    ) -> Result<RunId, ControlError> {
        tracing::warn!(task = task.0, run = pending.run.0, "cannot start: {message}");
        self.finish(pending.run, Outcome::Failed, None, None, None, Some(message.clone()));
        Err(ControlError::StartFailed { task: task.0, message })
    }

    /// What the runner needs for one run of `l`, or why its stored definition cannot say.
    fn spec(&self, l: &Loaded, pending: &Pending, log_path: PathBuf) -> Result<RunSpec, String> {
        let task = l.head.task()?;
        let identity = RunIdentity {
            task: task.name.clone(),
            run_id: pending.run.0.to_string(),
            scheduled_time: pending.occurrence.map(|o| o.scheduled_for.to_string()),
        };
        let mut log = LogSpec::new(log_path);
        log.max_bytes = self.cfg.log_max_bytes;
        let mut spec = RunSpec::for_task(&task, identity, log);
        spec.grace = self.cfg.grace;
        if task.run_as.as_deref().is_some_and(is_system_account) {
            // Task Scheduler's `SYSTEM` (`NT AUTHORITY\SYSTEM`) is the machine's own account:
            // root here. Only root may have stored such a task for another owner.
            spec.user = Some(UserSpec::Uid(0));
        }
        if self.cfg.daemon_uid == 0 {
            // Root runs a task as its owner unless the task names a user (which only root
            // may have set for another user's task: the API checks).
            if spec.user.is_none() && l.owner != 0 {
                spec.user = Some(UserSpec::Uid(l.owner));
            }
        } else {
            // A user's daemon cannot raise priority; it keeps its own unless lowering it.
            spec.nice = spec.nice.filter(|n| *n > 0);
        }
        let stop_at_end = pending
            .occurrence
            .and_then(|o| task.triggers.get(o.trigger as usize))
            .and_then(|t| t.repeat)
            .is_some_and(|r| r.stop_at_end);
        if let (true, Some(end)) = (stop_at_end, pending.window_end) {
            let left = end.duration_since(self.clock.now()).max(SignedDuration::ZERO).unsigned_abs();
            spec.stop_at = Some(tokio::time::Instant::now() + left);
        }
        Ok(spec)
    }

    /// Records the end of a run in the store (through the recorder, after its start).
    fn finish(
        &self,
        run: RunId,
        outcome: Outcome,
        exit_code: Option<i32>,
        signal: Option<i32>,
        log_bytes: Option<u64>,
        message: Option<String>,
    ) {
        let end = RunEnd { outcome, ended_at: self.clock.now(), exit_code, signal, log_bytes, message };
        let _ = self.recorder.send(RunUpdate::Finish(run, end));
    }

    async fn on_event(&mut self, event: Event) {
        match event {
            Event::Start { task, pending } => {
                let _ = self.begin(task, pending).await;
            }
            Event::Ended { task, run, result } => {
                if let Some(list) = self.running.get_mut(&task) {
                    list.retain(|i| i.run != run);
                    if list.is_empty() {
                        self.running.remove(&task);
                    }
                }
                let (outcome, code, signal, bytes, message) = match result {
                    Ok(exit) => {
                        let (code, signal) = match exit.status {
                            sked_runner::ExitStatus::Exited(c) => (Some(c), None),
                            sked_runner::ExitStatus::Signaled(s) => (None, Some(s)),
                        };
                        let mut notes = Vec::new();
                        if exit.log.truncated() {
                            notes.push(format!("output truncated: {} bytes dropped", exit.log.dropped));
                        }
                        if let Some(e) = &exit.log.error {
                            notes.push(format!("log: {e}"));
                        }
                        let message = (!notes.is_empty()).then(|| notes.join("; "));
                        (store_outcome(exit.outcome()), code, signal, Some(exit.log.bytes), message)
                    }
                    Err(e) => (Outcome::Failed, None, None, None, Some(e.to_string())),
                };
                let outcome = self.host.outcome(run, outcome);
                self.finish(run, outcome, code, signal, bytes, message);
                if let Some(next) = self.queued.get_mut(&task).and_then(VecDeque::pop_front) {
                    let _ = self.spawn(task, next).await;
                }
                self.delete_if_done(task).await;
            }
        }
    }

    /// Deletes a `delete-when-done` task that has no runs left: no more scheduled times,
    /// no event trigger that could fire again, nothing running or queued.
    async fn delete_if_done(&mut self, task: TaskId) {
        let Some(l) = self.tasks.get(&task) else { return };
        let done = l.head.delete_when_done
            && l.schedule.has_calendar_triggers()
            && !l.head.has_event_trigger
            && self.timetable.next_of(&task).is_none()
            && !self.running.contains_key(&task)
            && self.queued.get(&task).is_none_or(VecDeque::is_empty);
        if done {
            match blocking(&self.store, move |s| s.delete(Scope::All, task, None)).await {
                Ok(_) => {
                    tracing::info!(task = %l_name(&self.tasks, task), "deleted: it has no runs left (delete-when-done)");
                    self.forget(task);
                }
                Err(e) => tracing::error!(task = task.0, "cannot delete a finished task: {e}"),
            }
        }
    }

    fn forget(&mut self, task: TaskId) {
        self.tasks.remove(&task);
        self.timetable.remove(&task);
        self.queued.remove(&task);
        self.host_track(task);
    }

    async fn on_command(&mut self, command: Command) {
        match command {
            Command::Changed(id) => self.reload(id).await,
            Command::Removed(id) => self.forget(id),
            Command::RunNow(id, reply) => {
                let busy = self.running.get(&id).is_some_and(|r| !r.is_empty());
                let result = match self.tasks.get(&id) {
                    None => Err(ControlError::NoSuchTask(id.0)),
                    // Refused before any claim: a run by hand that never starts leaves no
                    // record (a scheduled time in the same case is recorded as missed).
                    Some(l) if busy && l.head.multiple_instances == MultipleInstances::IgnoreNew => {
                        Err(ControlError::AlreadyRunning(id.0))
                    }
                    Some(_) => self.claim_and_start(id, None, None).await,
                };
                let _ = reply.send(result);
            }
            Command::End(id, reply) => {
                let mut n = 0;
                if let Some(list) = self.running.get(&id) {
                    for i in list {
                        if i.stopper.stop(StopReason::User) {
                            n += 1;
                        }
                    }
                }
                let queued: Vec<Pending> = self.queued.remove(&id).map(Vec::from).unwrap_or_default();
                for p in queued {
                    self.finish(
                        p.run,
                        Outcome::EndedByUser,
                        None,
                        None,
                        None,
                        Some("ended while queued".into()),
                    );
                    n += 1;
                }
                let _ = reply.send(if self.tasks.contains_key(&id) || n > 0 {
                    Ok(n)
                } else {
                    Err(ControlError::NoSuchTask(id.0))
                });
            }
            Command::Status(id, reply) => {
                let _ = reply.send(self.status_of(id).ok_or(ControlError::NoSuchTask(id.0)));
            }
            Command::Statuses(ids, reply) => {
                let statuses = match ids {
                    Some(ids) => ids.into_iter().filter_map(|id| Some((id, self.status_of(id)?))).collect(),
                    None => self.tasks.keys().filter_map(|&id| Some((id, self.status_of(id)?))).collect(),
                };
                let _ = reply.send(statuses);
            }
        }
    }

    /// What the scheduler knows of task `id`, if it holds it.
    fn status_of(&self, id: TaskId) -> Option<TaskStatus> {
        if !self.tasks.contains_key(&id) {
            return None;
        }
        Some(TaskStatus {
            running: self.running.get(&id).map(|l| l.iter().map(|i| i.run).collect()).unwrap_or_default(),
            queued: self.queued.get(&id).map_or(0, VecDeque::len),
            next_run: self.timetable.next_of(&id).map(|r| r.at),
        })
    }

    /// Loads task `id` again from the store and replans it from now.
    async fn reload(&mut self, id: TaskId) {
        let record = match blocking(&self.store, move |s| s.get(Scope::All, id)).await {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(task = id.0, "reload: {e}");
                self.forget(id);
                return;
            }
        };
        let (name, enabled, owner) = (record.name.clone(), record.enabled, record.owner_uid);
        match load_one(record.definition, &self.zones) {
            Ok((head, schedule)) => {
                let now = self.clock.now();
                if enabled && head.enabled {
                    self.timetable.insert(id, schedule.clone(), now);
                } else {
                    self.timetable.remove(&id);
                }
                self.tasks.insert(id, Loaded { head, owner, schedule });
                self.host_track(id);
            }
            Err(message) => {
                tracing::error!(task = %name, "cannot schedule: {message}");
                self.forget(id);
            }
        }
    }

    /// Stops every run at shutdown and records them as interrupted.
    async fn stop_all(&mut self) {
        let mut left: usize = 0;
        for list in self.running.values() {
            for i in list {
                i.stopper.stop(StopReason::Shutdown);
                left += 1;
            }
        }
        let deadline = tokio::time::Instant::now() + self.cfg.grace + Duration::from_secs(2);
        while left > 0 {
            let next = async {
                tokio::select! {
                    Some((task, run, result)) = self.exits.next(), if !self.exits.is_empty() => {
                        Some(Event::Ended { task, run, result })
                    }
                    event = self.events_rx.recv() => event,
                }
            };
            match tokio::time::timeout_at(deadline, next).await {
                Ok(Some(Event::Ended { task, run, result })) => {
                    left -= 1;
                    self.on_event(Event::Ended { task, run, result }).await;
                }
                Ok(Some(Event::Start { pending, .. })) => {
                    self.finish(
                        pending.run,
                        Outcome::Interrupted,
                        None,
                        None,
                        None,
                        Some("the service stopped before the run started".into()),
                    );
                }
                Ok(None) | Err(_) => break,
            }
        }
        for (_, queue) in std::mem::take(&mut self.queued) {
            for p in queue {
                self.finish(
                    p.run,
                    Outcome::Interrupted,
                    None,
                    None,
                    None,
                    Some("the service stopped while the run was queued".into()),
                );
            }
        }
    }
}

/// Whether `run-as` names Windows' `SYSTEM` account (as `SYSTEM`, `NT AUTHORITY\SYSTEM`
/// or `S-1-5-18`, in any case), which is root on Linux.
pub fn is_system_account(user: &str) -> bool {
    let u = user.trim();
    u.eq_ignore_ascii_case("system") || u.eq_ignore_ascii_case("nt authority\\system") || u == "S-1-5-18"
}

fn l_name(tasks: &HashMap<TaskId, Loaded>, id: TaskId) -> String {
    tasks.get(&id).map_or_else(|| id.0.to_string(), |l| l.head.name.to_string())
}

/// A stored task's head and compiled schedule, or why it could not be loaded.
type Compiled = Result<(Head, Schedule), String>;

/// Decodes and compiles one stored task, keeping its head and its `definition`. The
/// decoded task is dropped here: a run decodes the definition again when it starts.
fn load_one(definition: Vec<u8>, zones: &Zones) -> Compiled {
    let task = codec::decode(&definition).map_err(|e| e.to_string())?;
    let schedule = Schedule::new(&task, zones).map_err(|e| e.to_string())?;
    Ok((Head::new(&task, definition.into_boxed_slice()), schedule))
}

/// Decodes and compiles every stored task, on every core: a daemon with 100,000 tasks must
/// be ready in a second or two. Each record's definition moves into its task's head, so the
/// definitions of every task are never held twice.
fn load_all(records: Vec<TaskRecord>, zones: &Zones) -> Vec<(TaskRecord, Compiled)> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let chunk = records.len().div_ceil(threads).max(1);
    let mut parts: Vec<Vec<TaskRecord>> = Vec::with_capacity(threads);
    let mut records = records.into_iter();
    loop {
        let part: Vec<TaskRecord> = records.by_ref().take(chunk).collect();
        if part.is_empty() {
            break;
        }
        parts.push(part);
    }
    let mut out = Vec::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    part.into_iter()
                        .map(|mut r| {
                            let compiled = load_one(std::mem::take(&mut r.definition), zones);
                            (r, compiled)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            match h.join() {
                Ok(part) => out.extend(part),
                Err(e) => std::panic::resume_unwind(e),
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration as StdDuration;

    use jiff::civil::date;
    use jiff::tz::TimeZone;
    use sked_core::{Repetition, Start, Trigger};
    use sked_runner::ProcessRunner;
    use sked_store::{HistoryEntry, HistoryQuery, MemoryStore, TaskDef};
    use tokio::sync::oneshot;

    use super::*;
    use crate::clock::ManualClock;
    use crate::control::Control;

    /// A scheduler over an in-memory store and real processes, on a clock the test moves.
    pub(super) struct Harness {
        pub(super) clock: ManualClock,
        pub(super) control: Control,
        stop: Option<oneshot::Sender<()>>,
        join: tokio::task::JoinHandle<()>,
        _dir: tempfile::TempDir,
        logs: PathBuf,
    }

    pub(super) fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// A task running `script` with `/bin/sh -c`, in UTC.
    pub(super) fn shell(name: &str, script: &str) -> Task {
        let mut t = Task::new(name, "/bin/sh");
        t.args = vec!["-c".into(), script.into()];
        t.time_zone = Some("UTC".into());
        t
    }

    /// Daily at h:m from the tests' day, 2030-01-01 (tasks are created at the real now,
    /// so a trigger starting earlier would have years of missed runs to account for).
    fn daily_at(h: i8, m: i8) -> Trigger {
        Trigger::new(TriggerKind::Daily { every: 1 }).starting(Start::civil(date(2030, 1, 1).at(h, m, 0, 0)))
    }

    /// Every minute from 10:00 on the tests' day.
    fn every_minute() -> Trigger {
        Trigger {
            repeat: Some(Repetition {
                every: sked_core::Duration::from_mins(1),
                duration: Some(sked_core::Duration::from_mins(12 * 60)),
                stop_at_end: false,
            }),
            ..daily_at(10, 0)
        }
    }

    async fn harness(store: Arc<dyn Store>, now: Timestamp, node: &str) -> Harness {
        harness_with(store, now, node, |_| {}).await
    }

    /// [`harness`] with the configuration changed by `configure` first.
    pub(super) async fn harness_with(
        store: Arc<dyn Store>,
        now: Timestamp,
        node: &str,
        configure: impl FnOnce(&mut SchedulerConfig),
    ) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let clock = ManualClock::new(now);
        let mut cfg = SchedulerConfig::new(node, &logs);
        cfg.grace = StdDuration::from_millis(500);
        cfg.boot_id = Some("test-boot".into());
        configure(&mut cfg);
        let zones = Arc::new(Zones::new(jiff::tz::db().clone(), TimeZone::UTC));
        let mut scheduler = Scheduler::new(
            store.clone(),
            Arc::new(ProcessRunner::new()),
            zones,
            Arc::new(clock.clone()),
            cfg,
        );
        scheduler.start().await.unwrap();
        let (control, rx) = Control::channel(64);
        let (stop, stopped) = oneshot::channel::<()>();
        let join = tokio::spawn(scheduler.run(rx, async move {
            let _ = stopped.await;
        }));
        Harness { clock, control, stop: Some(stop), join, _dir: dir, logs }
    }

    fn add(store: &Arc<dyn Store>, task: &Task) -> TaskId {
        store.create(1000, &TaskDef::new(task.name.clone(), codec::encode(task)), None).unwrap().id
    }

    fn history(store: &Arc<dyn Store>, id: TaskId) -> Vec<HistoryEntry> {
        let mut h = store.history(&HistoryQuery::new(Scope::All, 1000).for_task(id)).unwrap().entries;
        h.reverse();
        h
    }

    /// Waits (in real time) until `pred` holds for the task's history.
    async fn until(
        store: &Arc<dyn Store>,
        id: TaskId,
        what: &str,
        pred: impl Fn(&[HistoryEntry]) -> bool,
    ) -> Vec<HistoryEntry> {
        let deadline = tokio::time::Instant::now() + StdDuration::from_secs(20);
        loop {
            let h = history(store, id);
            if pred(&h) {
                return h;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}; {} runs {:?}, {} missed (first {:?})",
                runs(&h).len(),
                runs(&h).iter().take(5).collect::<Vec<_>>(),
                missed(&h).len(),
                missed(&h).first()
            );
            tokio::time::sleep(StdDuration::from_millis(20)).await;
        }
    }

    fn runs(h: &[HistoryEntry]) -> Vec<(Option<Timestamp>, Outcome)> {
        h.iter()
            .filter_map(|e| match e {
                HistoryEntry::Run(r) => Some((r.scheduled_for, r.outcome)),
                HistoryEntry::Missed(_) => None,
            })
            .collect()
    }

    fn missed(h: &[HistoryEntry]) -> Vec<(Timestamp, MissReason)> {
        h.iter()
            .filter_map(|e| match e {
                HistoryEntry::Missed(m) => Some((m.scheduled_for, m.reason)),
                HistoryEntry::Run(_) => None,
            })
            .collect()
    }

    impl Harness {
        pub(super) async fn stop(mut self) {
            if let Some(s) = self.stop.take() {
                let _ = s.send(());
            }
            let _ = (&mut self.join).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fires_on_time_runs_the_program_and_records_it() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let mut task = shell("hello", "echo \"hello from $SKED_TASK\"; exit 3");
        task.triggers.push(daily_at(6, 0));
        let id = add(&store, &task);
        let h = harness(store.clone(), ts("2030-01-01T05:59:59Z"), "n1").await;
        tokio::time::sleep(StdDuration::from_millis(50)).await;
        assert!(runs(&history(&store, id)).is_empty(), "nothing before its time");
        h.clock.advance_to(ts("2030-01-01T06:00:00Z"));
        let hist =
            until(&store, id, "the 06:00 run to end", |h| runs(h).iter().any(|r| r.1.is_final())).await;
        assert_eq!(runs(&hist), [(Some(ts("2030-01-01T06:00:00Z")), Outcome::Failed)]);
        let HistoryEntry::Run(run) = &hist[0] else { panic!("a run") };
        assert_eq!(run.exit_code, Some(3));
        let log = std::fs::read_to_string(run.log_path.as_ref().unwrap()).unwrap();
        assert_eq!(log, "hello from hello\n");
        assert!(run.log_path.as_ref().unwrap().starts_with(&h.logs));
        let status = h.control.status(id).await.unwrap();
        assert_eq!(status.next_run, Some(ts("2030-01-02T06:00:00Z")));
        h.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_crowd_due_at_one_instant_all_start_once_each() {
        // More than a few slices of runs at one instant: started from several threads (on a
        // machine with several processors), each once, each recorded with its own start.
        const N: usize = 3 * START_SLICE + 5;
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let out = tempfile::tempdir().unwrap();
        // The tasks belong to uid 1000, and run as that user when the tests run as root.
        std::fs::set_permissions(out.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
        let ids: Vec<TaskId> = (0..N)
            .map(|i| {
                let script = format!("echo $SKED_RUN_ID >> {}/$SKED_TASK", out.path().display());
                let mut task = shell(&format!("crowd{i}"), &script);
                task.triggers.push(daily_at(6, 0));
                add(&store, &task)
            })
            .collect();
        let h = harness(store.clone(), ts("2030-01-01T05:59:59Z"), "n1").await;
        h.clock.advance_to(ts("2030-01-01T06:00:00Z"));
        for (i, id) in ids.iter().enumerate() {
            let hist =
                until(&store, *id, "the crowd's runs to end", |h| runs(h).iter().any(|r| r.1.is_final()))
                    .await;
            assert_eq!(
                runs(&hist),
                [(Some(ts("2030-01-01T06:00:00Z")), Outcome::Succeeded)],
                "crowd{i}: {hist:?}"
            );
            let HistoryEntry::Run(run) = &hist[0] else { panic!("a run") };
            assert!(run.started_at.is_some() && run.pid.is_some());
            let written = std::fs::read_to_string(out.path().join(format!("crowd{i}"))).unwrap();
            assert_eq!(written, format!("{}\n", run.id.0), "crowd{i} ran once, as its run");
        }
        h.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn times_missed_while_down_are_recorded_and_one_runs_late_when_asked() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let early = Trigger::new(TriggerKind::Daily { every: 1 })
            .starting(Start::civil(date(2026, 1, 1).at(6, 0, 0, 0)));
        let mut quiet = shell("quiet", "true");
        quiet.triggers.push(early.clone());
        let quiet_id = add(&store, &quiet);
        let mut eager = shell("eager", "true");
        eager.start_when_available = true;
        eager.triggers.push(early);
        let eager_id = add(&store, &eager);
        // The tasks were created "now" (the store's clock); the service comes back three
        // and a half days later.
        let created = store.get(Scope::All, quiet_id).unwrap().created;
        let back = created + SignedDuration::from_hours(24 * 3 + 12);
        let h = harness(store.clone(), back, "n1").await;
        let q = history(&store, quiet_id);
        assert!(runs(&q).is_empty());
        let m = missed(&q);
        assert!((3..=4).contains(&m.len()), "{m:?}");
        assert!(m.iter().all(|(_, r)| *r == MissReason::Down));
        let e = until(&store, eager_id, "the late run", |h| runs(h).iter().any(|r| r.1.is_final())).await;
        assert_eq!(missed(&e).len(), m.len() - 1, "all but the latest are missed");
        let late = runs(&e);
        assert_eq!(late.len(), 1);
        assert_eq!(late[0].0, m.last().map(|x| x.0), "the latest missed time runs, late");
        h.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ignore_new_records_the_overlap_and_queue_waits() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let mut ignore = shell("ignore", "sleep 2");
        ignore.triggers.push(every_minute());
        let ignore_id = add(&store, &ignore);
        let mut queue = shell("queue", "sleep 1");
        queue.multiple_instances = MultipleInstances::Queue;
        queue.triggers.push(every_minute());
        let queue_id = add(&store, &queue);
        let h = harness(store.clone(), ts("2030-01-01T09:59:30Z"), "n1").await;
        h.clock.advance_to(ts("2030-01-01T10:00:00Z"));
        until(&store, ignore_id, "the first run to start", |h| runs(h).len() == 1).await;
        until(&store, queue_id, "the first run to start", |h| runs(h).len() == 1).await;
        h.clock.advance_to(ts("2030-01-01T10:01:00Z"));
        let i = until(&store, ignore_id, "the overlap to be recorded", |h| !missed(h).is_empty()).await;
        assert_eq!(missed(&i), [(ts("2030-01-01T10:01:00Z"), MissReason::PreviousStillRunning)]);
        let q = until(&store, queue_id, "both queued runs to end", |h| {
            runs(h).len() == 2 && runs(h).iter().all(|r| r.1.is_final())
        })
        .await;
        assert_eq!(
            runs(&q),
            [
                (Some(ts("2030-01-01T10:00:00Z")), Outcome::Succeeded),
                (Some(ts("2030-01-01T10:01:00Z")), Outcome::Succeeded)
            ]
        );
        // The queued run started only when the first had ended.
        let (HistoryEntry::Run(a), HistoryEntry::Run(b)) = (&q[0], &q[1]) else { panic!("two runs") };
        assert!(b.started_at >= a.ended_at, "{a:?} {b:?}");
        h.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_crash_leaves_one_interrupted_run_and_no_rerun() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let mut task = shell("long", "sleep 30");
        task.triggers.push(daily_at(6, 0));
        let id = add(&store, &task);
        let h = harness(store.clone(), ts("2030-01-01T05:59:59Z"), "n1").await;
        h.clock.advance_to(ts("2030-01-01T06:00:00Z"));
        let hist =
            until(&store, id, "the run to start", |h| runs(h).iter().any(|r| r.1 == Outcome::Running)).await;
        let HistoryEntry::Run(run) = &hist[0] else { panic!("a run") };
        let pid = run.pid.unwrap();
        // The daemon dies without a word: its actor is gone, its child lives on.
        h.join.abort();
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
        // It comes back a minute later on the same node.
        let again = harness(store.clone(), ts("2030-01-01T06:01:00Z"), "n1").await;
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        let hist = history(&store, id);
        assert_eq!(runs(&hist), [(Some(ts("2030-01-01T06:00:00Z")), Outcome::Interrupted)]);
        assert!(missed(&hist).is_empty());
        again.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn run_now_end_and_max_run_time() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let task = shell("manual", "sleep 30");
        let id = add(&store, &task);
        let mut limited = shell("limited", "sleep 30");
        limited.max_run_time = Some(sked_core::Duration::from_secs(1));
        let limited_id = add(&store, &limited);
        let h = harness(store.clone(), ts("2030-01-01T00:00:00Z"), "n1").await;
        let run = h.control.run_now(id).await.unwrap();
        assert_eq!(h.control.status(id).await.unwrap().running, [run]);
        assert_eq!(h.control.end(id).await.unwrap(), 1);
        let hist = until(&store, id, "the run to end", |h| runs(h).iter().any(|r| r.1.is_final())).await;
        assert_eq!(runs(&hist), [(None, Outcome::EndedByUser)]);
        h.control.run_now(limited_id).await.unwrap();
        let hist = until(&store, limited_id, "the limit", |h| runs(h).iter().any(|r| r.1.is_final())).await;
        assert_eq!(runs(&hist), [(None, Outcome::KilledAtMaxRunTime)]);
        assert_eq!(h.control.run_now(TaskId(999)).await, Err(ControlError::NoSuchTask(999)));
        h.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn delete_when_done_and_at_startup_once_per_boot() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let mut once = shell("once", "true");
        once.delete_when_done = true;
        once.triggers
            .push(Trigger::new(TriggerKind::Once).starting(Start::civil(date(2030, 1, 1).at(6, 0, 0, 0))));
        let once_id = add(&store, &once);
        let mut boot = shell("boot", "true");
        boot.triggers.push(Trigger::new(TriggerKind::AtStartup { delay: sked_core::Duration::ZERO }));
        let boot_id = add(&store, &boot);
        let h = harness(store.clone(), ts("2030-01-01T05:59:59Z"), "n1").await;
        until(&store, boot_id, "the at-startup run", |h| runs(h).iter().any(|r| r.1.is_final())).await;
        h.clock.advance_to(ts("2030-01-01T06:00:00Z"));
        let deadline = tokio::time::Instant::now() + StdDuration::from_secs(20);
        while store.get(Scope::All, once_id).is_ok() {
            assert!(tokio::time::Instant::now() < deadline, "the once task was not deleted");
            tokio::time::sleep(StdDuration::from_millis(20)).await;
        }
        h.stop().await;
        // A restart in the same boot does not fire at-startup again.
        let again = harness(store.clone(), ts("2030-01-01T07:00:00Z"), "n1").await;
        tokio::time::sleep(StdDuration::from_millis(200)).await;
        assert_eq!(runs(&history(&store, boot_id)).len(), 1);
        again.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn changes_replan_and_a_clock_jump_is_noticed() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let mut task = shell("moving", "true");
        task.triggers.push(daily_at(6, 0));
        let id = add(&store, &task);
        let h = harness(store.clone(), ts("2030-01-01T05:00:00Z"), "n1").await;
        assert_eq!(h.control.status(id).await.unwrap().next_run, Some(ts("2030-01-01T06:00:00Z")));
        let mut moved = task.clone();
        moved.triggers = vec![daily_at(5, 30)];
        let record = store.get(Scope::All, id).unwrap();
        store
            .replace(
                Scope::All,
                id,
                Some(record.version),
                &TaskDef::new("moving", codec::encode(&moved)),
                None,
            )
            .unwrap();
        h.control.task_changed(id).await;
        assert_eq!(h.control.status(id).await.unwrap().next_run, Some(ts("2030-01-01T05:30:00Z")));
        // Someone sets the clock an hour ahead: the 05:30 run is past, found late, and
        // recorded as missed rather than run an hour late.
        h.clock.jump(ts("2030-01-01T06:45:00Z"));
        let hist = until(&store, id, "the jump to be noticed", |h| !missed(h).is_empty()).await;
        assert_eq!(missed(&hist), [(ts("2030-01-01T05:30:00Z"), MissReason::Down)]);
        assert!(runs(&hist).is_empty());
        h.stop().await;
    }

    /// The definition is decoded again when a run starts. It decoded at load, so it only
    /// fails if the bytes held changed: the run then fails with why, and nothing panics.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_definition_that_no_longer_decodes_fails_its_run() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let mut task = shell("broken", "true");
        task.triggers.push(daily_at(6, 0));
        let id = add(&store, &task);
        let dir = tempfile::tempdir().unwrap();
        let zones = Arc::new(Zones::new(jiff::tz::db().clone(), TimeZone::UTC));
        let clock = ManualClock::new(ts("2030-01-01T05:00:00Z"));
        let mut cfg = SchedulerConfig::new("n1", dir.path().join("logs"));
        cfg.boot_id = Some("test-boot".into());
        let mut scheduler =
            Scheduler::new(store.clone(), Arc::new(ProcessRunner::new()), zones, Arc::new(clock), cfg);
        scheduler.start().await.unwrap();
        scheduler.tasks.get_mut(&id).unwrap().head.definition = b"[[task]]\nname = ".to_vec().into();
        let Err(ControlError::StartFailed { message, .. }) = scheduler.claim_and_start(id, None, None).await
        else {
            panic!("the run must fail to start");
        };
        assert!(message.contains("cannot read the stored definition of task `broken`"), "{message}");
        let hist = until(&store, id, "the failed run", |h| runs(h).iter().any(|r| r.1.is_final())).await;
        assert_eq!(runs(&hist), [(None, Outcome::Failed)]);
        let HistoryEntry::Run(run) = &hist[0] else { panic!("a run") };
        assert_eq!(run.message.as_deref(), Some(message.as_str()));
        assert!(run.log_path.is_none(), "no program started");
    }

    #[test]
    fn heads_keep_only_what_is_read_between_runs() {
        let mut plain = shell("plain", "true");
        plain.triggers.push(daily_at(6, 0));
        plain.delete_when_done = true;
        let head = Head::new(&plain, codec::encode(&plain).into_boxed_slice());
        assert!(head.triggers.is_empty(), "plain triggers cost no allocation");
        assert!(head.delete_when_done && !head.has_event_trigger);
        assert_eq!(head.trigger(0).random_delay, None);
        assert_eq!(head.task().unwrap(), plain);

        let mut busy = shell("busy", "true");
        let delay = sked_core::Duration::from_mins(2);
        busy.triggers.push(Trigger { random_delay: Some(delay), ..daily_at(6, 0) });
        busy.triggers.push(Trigger::new(TriggerKind::AtStartup { delay: sked_core::Duration::from_mins(1) }));
        busy.triggers.push(Trigger {
            enabled: false,
            ..Trigger::new(TriggerKind::AtStartup { delay: sked_core::Duration::ZERO })
        });
        let head = Head::new(&busy, codec::encode(&busy).into_boxed_slice());
        assert!(head.has_event_trigger);
        assert_eq!(head.trigger(0).random_delay, Some(delay));
        assert_eq!(head.trigger(1).at_startup, Some(Duration::from_secs(60)));
        assert_eq!(head.trigger(2).at_startup, None, "a disabled trigger never fires");
    }
}

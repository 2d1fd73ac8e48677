//! What a task asks of the machine before and while it runs (task-file.md `[task.idle]`,
//! `[task.power]`), its event triggers (`at-logon`, `on-idle`), and the decision taken
//! when one of its runs is due ([`Conditions::gate`]). Pure: the daemon passes the
//! state of the machine in.

use jiff::{SignedDuration, Timestamp};
use sked_core::{IdleSettings, PowerSettings, Task, TriggerKind};
use sked_store::MissReason;

/// An enabled at-logon trigger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogonTrigger {
    /// Its index in the task, from 0.
    pub trigger: u32,
    /// The user it waits for; `None` for any user.
    pub user: Option<String>,
    /// How long after the logon the run starts.
    pub delay: std::time::Duration,
}

/// The event triggers and conditions of a task: what the scheduler keeps of them between
/// runs. Only tasks that have any get one, so that the others cost nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conditions {
    /// Its enabled at-logon triggers.
    pub at_logon: Vec<LogonTrigger>,
    /// The indexes of its enabled on-idle triggers.
    pub on_idle: Vec<u32>,
    /// Its idle settings (the defaults when it has none: `idle-for` is still how long an
    /// on-idle trigger waits).
    pub idle: IdleSettings,
    /// Its power settings.
    pub power: PowerSettings,
}

/// What to do with a run that is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Start it now.
    Go,
    /// Hold it until the machine has been idle long enough, at the latest until `until`.
    Wait {
        /// When waiting ends and the run is missed (its time plus `wait-up-to`).
        until: Timestamp,
    },
    /// Do not run it: record it as missed, for this reason.
    Miss(MissReason),
}

impl Conditions {
    /// The conditions of `task`, or `None` when it has no event trigger the daemon fires
    /// through them and no condition that holds a run or stops one.
    pub fn of(task: &Task) -> Option<Box<Conditions>> {
        let mut at_logon = Vec::new();
        let mut on_idle = Vec::new();
        for (i, t) in task.triggers.iter().enumerate().filter(|(_, t)| t.enabled) {
            match &t.kind {
                TriggerKind::AtLogon { user, delay } => at_logon.push(LogonTrigger {
                    trigger: i as u32,
                    user: user.clone().filter(|u| !u.trim().is_empty()),
                    delay: std::time::Duration::from_millis(delay.as_millis()),
                }),
                TriggerKind::OnIdle => on_idle.push(i as u32),
                _ => {}
            }
        }
        let idle = task.idle.unwrap_or_default();
        let power = task.power.unwrap_or_default();
        let conditioned = idle.start_only_if_idle
            || idle.stop_on_idle_end
            || power.no_start_on_batteries
            || power.stop_on_batteries;
        (conditioned || !at_logon.is_empty() || !on_idle.is_empty())
            .then(|| Box::new(Conditions { at_logon, on_idle, idle, power }))
    }

    /// How long the machine must have been idle: `idle-for`.
    pub fn idle_for(&self) -> SignedDuration {
        SignedDuration::from_millis(i64::try_from(self.idle.idle_for.as_millis()).unwrap_or(i64::MAX))
    }

    /// Whether a run due now could be held or refused by a condition.
    pub fn gates(&self) -> bool {
        self.idle.start_only_if_idle || self.power.no_start_on_batteries
    }

    /// Whether a running instance may be stopped by a condition.
    pub fn stops(&self) -> bool {
        self.idle.stop_on_idle_end || self.power.stop_on_batteries
    }

    /// What to do with a run due at `due`, at `now`: on batteries (asked only if it
    /// matters) it is missed for `no-start-on-batteries`; with `start-only-if-idle` it
    /// waits until the machine has been idle for `idle-for` (it has been for `idle`),
    /// up to `wait-up-to` past `due`, and is missed after that.
    pub fn gate(
        &self,
        due: Timestamp,
        now: Timestamp,
        on_batteries: impl FnOnce() -> bool,
        idle: SignedDuration,
    ) -> Gate {
        if self.power.no_start_on_batteries && on_batteries() {
            return Gate::Miss(MissReason::OnBatteries);
        }
        if self.idle.start_only_if_idle && idle < self.idle_for() {
            let wait = SignedDuration::from_millis(
                i64::try_from(self.idle.wait_up_to.as_millis()).unwrap_or(i64::MAX),
            );
            let until = due.checked_add(wait).unwrap_or(Timestamp::MAX);
            return if now < until { Gate::Wait { until } } else { Gate::Miss(MissReason::NotIdle) };
        }
        Gate::Go
    }
}

#[cfg(test)]
mod tests {
    use sked_core::{Duration, Trigger};

    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn only_tasks_with_events_or_conditions_have_some() {
        let mut task = Task::new("plain", "/bin/true");
        task.triggers.push(Trigger::new(TriggerKind::AtStartup { delay: Duration::ZERO }));
        assert_eq!(Conditions::of(&task), None);
        // Settings present but all off hold nothing.
        task.idle = Some(IdleSettings::default());
        task.power = Some(PowerSettings::default());
        assert_eq!(Conditions::of(&task), None);

        task.triggers.push(Trigger::new(TriggerKind::AtLogon {
            user: Some("CONTOSO\\alice".into()),
            delay: Duration::from_secs(30),
        }));
        task.triggers.push(Trigger { enabled: false, ..Trigger::new(TriggerKind::OnIdle) });
        task.triggers.push(Trigger::new(TriggerKind::OnIdle));
        task.triggers
            .push(Trigger::new(TriggerKind::AtLogon { user: Some(" ".into()), delay: Duration::ZERO }));
        let c = Conditions::of(&task).unwrap();
        assert_eq!(
            c.at_logon,
            [
                LogonTrigger {
                    trigger: 1,
                    user: Some("CONTOSO\\alice".into()),
                    delay: std::time::Duration::from_secs(30)
                },
                LogonTrigger { trigger: 4, user: None, delay: std::time::Duration::ZERO },
            ]
        );
        assert_eq!(c.on_idle, [3], "a disabled trigger never fires");
        assert_eq!(c.idle_for(), SignedDuration::from_mins(10), "task-file.md's default");
        assert!(!c.gates() && !c.stops());

        let mut stopper = Task::new("stopper", "/bin/true");
        stopper.power = Some(PowerSettings { stop_on_batteries: true, ..PowerSettings::default() });
        let c = Conditions::of(&stopper).unwrap();
        assert!(c.stops() && !c.gates());
    }

    #[test]
    fn the_gate_misses_on_batteries_and_holds_for_idleness() {
        let mut task = Task::new("t", "/bin/true");
        task.idle = Some(IdleSettings {
            start_only_if_idle: true,
            idle_for: Duration::from_mins(5),
            wait_up_to: Duration::from_mins(30),
            ..IdleSettings::default()
        });
        task.power = Some(PowerSettings { no_start_on_batteries: true, ..PowerSettings::default() });
        let c = Conditions::of(&task).unwrap();
        let due = ts("2030-01-01T06:00:00Z");
        let idle = |m| SignedDuration::from_mins(m);
        assert_eq!(c.gate(due, due, || true, idle(60)), Gate::Miss(MissReason::OnBatteries));
        assert_eq!(c.gate(due, due, || false, idle(5)), Gate::Go, "idle for exactly long enough");
        assert_eq!(c.gate(due, due, || false, idle(4)), Gate::Wait { until: ts("2030-01-01T06:30:00Z") });
        let late = ts("2030-01-01T06:30:00Z");
        assert_eq!(c.gate(due, late, || false, idle(4)), Gate::Miss(MissReason::NotIdle));
        assert_eq!(c.gate(due, late, || false, idle(5)), Gate::Go, "idle at the last moment");

        // Without no-start-on-batteries, the power is not even read.
        task.power = None;
        let c = Conditions::of(&task).unwrap();
        assert_eq!(c.gate(due, due, || panic!("read"), idle(9)), Gate::Go);
    }
}

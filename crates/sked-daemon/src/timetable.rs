//! Which task is due next: every task's next run in one heap.
//!
//! Pure: the caller passes `now`. The scheduler loop sleeps until [`Timetable::next_due`],
//! takes what is due with [`Timetable::take_due`], and tells the timetable about changes.
//! Changing or removing a task does not search the heap: entries carry the generation of
//! the task they were computed for, and stale ones are dropped when they surface.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::Hash;

use jiff::Timestamp;
use sked_core::{Run, Schedule};

/// One run that is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due<K> {
    /// The task.
    pub task: K,
    /// The run, at its nominal (scheduled) time.
    pub run: Run,
}

struct Slot {
    schedule: Schedule,
    generation: u64,
    next: Option<Run>,
}

/// Every task's next run, ordered by time.
pub struct Timetable<K> {
    heap: BinaryHeap<Reverse<(Timestamp, u64, K)>>,
    slots: HashMap<K, Slot>,
    generation: u64,
}

impl<K: Clone + Eq + Hash + Ord> Default for Timetable<K> {
    fn default() -> Self {
        Timetable { heap: BinaryHeap::new(), slots: HashMap::new(), generation: 0 }
    }
}

impl<K: Clone + Eq + Hash + Ord> Timetable<K> {
    /// An empty timetable.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces `task`, due next at its first run at or after `from`.
    pub fn insert(&mut self, task: K, schedule: Schedule, from: Timestamp) {
        self.generation += 1;
        let next = schedule.next_run(from);
        if let Some(run) = next {
            self.heap.push(Reverse((run.at, self.generation, task.clone())));
        }
        self.slots.insert(task, Slot { schedule, generation: self.generation, next });
    }

    /// Forgets `task`.
    pub fn remove(&mut self, task: &K) {
        self.slots.remove(task);
    }

    /// The number of tasks.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when there are no tasks.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The next run of `task`, if it has one.
    pub fn next_of(&self, task: &K) -> Option<Run> {
        self.slots.get(task).and_then(|s| s.next)
    }

    /// The instant of the earliest run of any task.
    pub fn next_due(&mut self) -> Option<Timestamp> {
        self.drop_stale();
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Takes every run due at or before `now`, in time order, and moves each task on to its
    /// next run after the one taken. A task late by several runs yields each of them: the
    /// caller decides what a late run means (catch-up, or record it as missed).
    pub fn take_due(&mut self, now: Timestamp) -> Vec<Due<K>> {
        let mut out = Vec::new();
        loop {
            self.drop_stale();
            let Some(Reverse((at, _, _))) = self.heap.peek() else { break };
            if *at > now {
                break;
            }
            let Some(Reverse((_, _, task))) = self.heap.pop() else { break };
            let Some(slot) = self.slots.get_mut(&task) else { continue };
            let Some(run) = slot.next else { continue };
            out.push(Due { task: task.clone(), run });
            self.generation += 1;
            slot.generation = self.generation;
            // Runs may be a fraction of a second apart (two triggers at .100 and .600).
            slot.next = slot.schedule.next_run(run.at + jiff::SignedDuration::from_nanos(1));
            if let Some(next) = slot.next {
                self.heap.push(Reverse((next.at, self.generation, task)));
            }
        }
        out
    }

    /// Moves every task to its first run at or after `from`: after the wall clock jumped,
    /// or after the service was down.
    pub fn replan(&mut self, from: Timestamp) {
        self.heap.clear();
        for (task, slot) in &mut self.slots {
            self.generation += 1;
            slot.generation = self.generation;
            slot.next = slot.schedule.next_run(from);
            if let Some(run) = slot.next {
                self.heap.push(Reverse((run.at, self.generation, task.clone())));
            }
        }
    }

    /// Pops heap entries whose task was removed or recomputed since.
    fn drop_stale(&mut self) {
        while let Some(Reverse((_, generation, task))) = self.heap.peek() {
            match self.slots.get(task) {
                Some(slot) if slot.generation == *generation => break,
                _ => {
                    self.heap.pop();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use jiff::tz::TimeZone;
    use sked_core::{Start, Task, Trigger, TriggerKind, Zones};

    fn daily(h: i8, m: i8) -> Schedule {
        let mut t = Task::new("t", "/bin/true");
        t.time_zone = Some("UTC".into());
        t.triggers.push(
            Trigger::new(TriggerKind::Daily { every: 1 })
                .starting(Start::civil(date(2026, 1, 1).at(h, m, 0, 0))),
        );
        Schedule::new(&t, &Zones::new(jiff::tz::db().clone(), TimeZone::UTC)).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn takes_due_runs_in_order_and_moves_on() {
        let mut tt = Timetable::new();
        tt.insert("b", daily(6, 0), ts("2026-03-01T00:00:00Z"));
        tt.insert("a", daily(5, 0), ts("2026-03-01T00:00:00Z"));
        assert_eq!(tt.next_due(), Some(ts("2026-03-01T05:00:00Z")));
        assert!(tt.take_due(ts("2026-03-01T04:59:59Z")).is_empty());
        let due = tt.take_due(ts("2026-03-01T06:00:00Z"));
        assert_eq!(
            due.iter().map(|d| (d.task, d.run.at.to_string())).collect::<Vec<_>>(),
            [("a", "2026-03-01T05:00:00Z".to_string()), ("b", "2026-03-01T06:00:00Z".to_string())]
        );
        assert_eq!(tt.next_due(), Some(ts("2026-03-02T05:00:00Z")));
    }

    #[test]
    fn a_late_task_yields_every_missed_run() {
        let mut tt = Timetable::new();
        tt.insert(1, daily(5, 0), ts("2026-03-01T00:00:00Z"));
        assert_eq!(tt.take_due(ts("2026-03-03T12:00:00Z")).len(), 3);
    }

    #[test]
    fn changes_and_removals_leave_no_stale_entries() {
        let mut tt = Timetable::new();
        tt.insert("x", daily(5, 0), ts("2026-03-01T00:00:00Z"));
        tt.insert("x", daily(7, 0), ts("2026-03-01T00:00:00Z"));
        assert_eq!(tt.next_due(), Some(ts("2026-03-01T07:00:00Z")));
        tt.insert("y", daily(6, 0), ts("2026-03-01T00:00:00Z"));
        tt.remove(&"y");
        assert_eq!(tt.take_due(ts("2026-03-01T23:00:00Z")).len(), 1);
        tt.remove(&"x");
        assert_eq!(tt.next_due(), None);
        assert!(tt.is_empty());
    }

    #[test]
    fn replan_after_a_clock_jump() {
        let mut tt = Timetable::new();
        tt.insert("x", daily(5, 0), ts("2026-03-01T00:00:00Z"));
        tt.replan(ts("2026-06-01T06:00:00Z"));
        assert_eq!(tt.next_due(), Some(ts("2026-06-02T05:00:00Z")));
        assert_eq!(tt.next_of(&"x").map(|r| r.at), Some(ts("2026-06-02T05:00:00Z")));
    }

    #[test]
    fn runs_a_fraction_of_a_second_apart_are_each_taken() {
        let mut t = Task::new("t", "/bin/true");
        t.time_zone = Some("UTC".into());
        for ms in [600, 100] {
            t.triggers.push(Trigger::new(TriggerKind::Once).starting(Start::civil(date(2026, 1, 1).at(
                6,
                0,
                0,
                ms * 1_000_000,
            ))));
        }
        let schedule = Schedule::new(&t, &Zones::new(jiff::tz::db().clone(), TimeZone::UTC)).unwrap();
        let mut tt = Timetable::new();
        tt.insert("t", schedule, ts("2026-01-01T00:00:00Z"));
        assert_eq!(tt.next_due(), Some(ts("2026-01-01T06:00:00.1Z")));
        let due = tt.take_due(ts("2026-01-01T06:00:00.5Z"));
        assert_eq!(due.iter().map(|d| d.run.trigger).collect::<Vec<_>>(), [1]);
        let due = tt.take_due(ts("2026-01-01T06:00:01Z"));
        assert_eq!(
            due.iter().map(|d| (d.run.trigger, d.run.at.to_string())).collect::<Vec<_>>(),
            [(0, "2026-01-01T06:00:00.6Z".to_string())]
        );
        assert_eq!(tt.next_due(), None);
    }
}

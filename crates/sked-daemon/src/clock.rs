//! The service's clock: the wall-clock time, and a sleep that ends at a wall-clock instant
//! or as soon as someone sets the clock.
//!
//! [`SystemClock`] sleeps on a `CLOCK_REALTIME` timerfd armed with `TFD_TIMER_ABSTIME |
//! TFD_TIMER_CANCEL_ON_SET`: the kernel wakes it at the instant itself (a monotonic sleep
//! computed in advance would drift when NTP steps the clock or an administrator sets it),
//! and reports `ECANCELED` when the clock is set, so the scheduler re-plans at once. There
//! is no polling and no periodic wake-up. [`ManualClock`] is the same contract under the
//! tests' control.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::watch;

/// Why a sleep ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// The instant was reached.
    Due,
    /// The wall clock was set (or the sleep could not be armed): look at the time again.
    ClockChanged,
}

/// A sleep in progress.
pub type Sleep = Pin<Box<dyn Future<Output = Wake> + Send>>;

/// The wall clock, as the scheduler sees it.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Timestamp;

    /// Sleeps until `at` (forever when `None`), or until the wall clock is set.
    fn sleep_until(&self, at: Option<Timestamp>) -> Sleep;
}

/// The real wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }

    fn sleep_until(&self, at: Option<Timestamp>) -> Sleep {
        Box::pin(async move {
            let Some(at) = at else { return std::future::pending().await };
            match realtime::sleep_until(at).await {
                Ok(wake) => wake,
                Err(e) => {
                    // Without a timerfd, fall back to a monotonic sleep (and say so once per
                    // sleep: this should not happen on Linux).
                    tracing::warn!("cannot arm a wall-clock timer ({e}); sleeping on the monotonic clock");
                    let wait = at.duration_since(Timestamp::now()).unsigned_abs();
                    tokio::time::sleep(wait).await;
                    Wake::Due
                }
            }
        })
    }
}

mod realtime {
    use std::os::fd::{AsFd, OwnedFd};

    use jiff::Timestamp;
    use nix::errno::Errno;
    use nix::sys::time::{TimeSpec, TimeValLike};
    use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};
    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    use super::Wake;

    /// Sleeps on a one-shot absolute `CLOCK_REALTIME` timer that is cancelled when the clock
    /// is set.
    pub(super) async fn sleep_until(at: Timestamp) -> std::io::Result<Wake> {
        let fd = TimerFd::new(ClockId::CLOCK_REALTIME, TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC)?;
        let nanos = at.as_nanosecond().max(1);
        let spec = TimeSpec::nanoseconds(i64::try_from(nanos).unwrap_or(i64::MAX));
        fd.set(
            Expiration::OneShot(spec),
            TimerSetTimeFlags::TFD_TIMER_ABSTIME | TimerSetTimeFlags::TFD_TIMER_CANCEL_ON_SET,
        )?;
        // Armed: from here on only its readiness and its reads matter. The safe constructor
        // is deprecated because a borrowed fd could be closed behind tokio's back; this one
        // is an `OwnedFd` the `AsyncFd` owns until it is dropped, which is the sound case.
        #[allow(deprecated)]
        let fd = AsyncFd::with_interest(OwnedFd::from(fd), Interest::READABLE)?;
        loop {
            let mut guard = fd.readable().await?;
            let mut buf = [0u8; 8];
            match nix::unistd::read(guard.get_inner().as_fd(), &mut buf) {
                Ok(_) => return Ok(Wake::Due),
                Err(Errno::ECANCELED) => return Ok(Wake::ClockChanged),
                Err(Errno::EAGAIN) => guard.clear_ready(),
                Err(Errno::EINTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// A clock the tests move by hand. Sleeps end when the time set reaches their instant;
/// [`ManualClock::jump`] also wakes them with [`Wake::ClockChanged`], as setting the real
/// clock does.
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<watch::Sender<(Timestamp, u64)>>,
}

impl ManualClock {
    /// A clock showing `now`.
    pub fn new(now: Timestamp) -> Self {
        ManualClock { now: Arc::new(watch::Sender::new((now, 0))) }
    }

    /// Moves the time forward to `t` (a tick: sleeps due by then end as [`Wake::Due`]).
    pub fn advance_to(&self, t: Timestamp) {
        self.now.send_modify(|(now, _)| *now = t);
    }

    /// Sets the time to `t`, as an administrator setting the clock does.
    pub fn jump(&self, t: Timestamp) {
        self.now.send_modify(|(now, jumps)| {
            *now = t;
            *jumps += 1;
        });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.now.borrow().0
    }

    fn sleep_until(&self, at: Option<Timestamp>) -> Sleep {
        let mut rx = self.now.subscribe();
        Box::pin(async move {
            let jumps = rx.borrow().1;
            loop {
                {
                    let (now, j) = *rx.borrow_and_update();
                    if j != jumps {
                        return Wake::ClockChanged;
                    }
                    if at.is_some_and(|at| now >= at) {
                        return Wake::Due;
                    }
                }
                if rx.changed().await.is_err() {
                    return std::future::pending().await;
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_system_clock_wakes_at_the_instant() {
        let at = Timestamp::now() + jiff::SignedDuration::from_millis(30);
        let wake = SystemClock.sleep_until(Some(at)).await;
        assert_eq!(wake, Wake::Due);
        assert!(Timestamp::now() >= at);
    }

    #[tokio::test]
    async fn a_past_instant_is_due_at_once() {
        let at = Timestamp::now() - jiff::SignedDuration::from_secs(5);
        assert_eq!(SystemClock.sleep_until(Some(at)).await, Wake::Due);
    }

    #[tokio::test]
    async fn the_manual_clock_wakes_on_ticks_and_jumps() {
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let clock = ManualClock::new(t0);
        let sleep = clock.sleep_until(Some(t0 + jiff::SignedDuration::from_secs(60)));
        let c = clock.clone();
        let handle = tokio::spawn(sleep);
        c.advance_to(t0 + jiff::SignedDuration::from_secs(30));
        tokio::task::yield_now().await;
        c.advance_to(t0 + jiff::SignedDuration::from_secs(60));
        assert_eq!(handle.await.unwrap(), Wake::Due);
        let sleep = clock.sleep_until(None);
        let handle = tokio::spawn(sleep);
        tokio::task::yield_now().await;
        clock.jump(t0);
        assert_eq!(handle.await.unwrap(), Wake::ClockChanged);
    }
}

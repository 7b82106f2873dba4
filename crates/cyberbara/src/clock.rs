//! Time that tests can move: the client's polling and retry waits and the sandbox's task
//! schedule read the time and sleep through a [`Clock`].
//!
//! [`Clock::system`] (the default everywhere) is real time. A [`ManualClock`] stands still
//! until a test calls [`ManualClock::advance`], and tells the test when something is
//! waiting on it, so a test can wait for "the client is backing off" and then move time
//! by exactly the backoff instead of sleeping and hoping. tokio's paused time cannot do
//! this here: with real sockets in play it jumps ahead whenever the runtime is idle
//! (firing read timeouts), and it does not move the wall-clock time the sandbox stamps on
//! tasks.
//!
//! ```
//! use cyberbara::clock::ManualClock;
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let manual = ManualClock::starting_now();
//! let clock = manual.clock();
//! let start = clock.now();
//! let waiting = tokio::spawn(async move { clock.sleep(Duration::from_secs(5)).await });
//! manual.wait_for_sleepers(1).await;
//! assert_eq!(manual.advance_to_next_wake().await, Duration::from_secs(5));
//! waiting.await.unwrap();
//! assert_eq!(manual.now().duration_since(start).unwrap(), Duration::from_secs(5));
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// Where "now" and "wait" come from: real time, or a [`ManualClock`]. Cheap to clone.
#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<Arc<Shared>>,
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.manual {
            None => f.write_str("Clock::System"),
            Some(shared) => write!(f, "Clock::Manual({:?})", shared.lock().now),
        }
    }
}

impl Clock {
    /// Real time: `SystemTime::now()` and `tokio::time::sleep`.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        match &self.manual {
            None => SystemTime::now(),
            Some(shared) => shared.lock().now,
        }
    }

    /// The current time in milliseconds since the Unix epoch (negative before 1970).
    pub fn now_ms(&self) -> i64 {
        match self.now().duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
        }
    }

    /// Waits `duration` on this clock.
    pub async fn sleep(&self, duration: Duration) {
        match &self.manual {
            None => tokio::time::sleep(duration).await,
            Some(shared) => {
                let at = shared.lock().now.checked_add(duration);
                match at {
                    Some(at) => shared.sleep_until(at).await,
                    // Further than a SystemTime reaches: never.
                    None => std::future::pending().await,
                }
            }
        }
    }

    /// Waits until this clock reads `at` (returns at once if it already does).
    pub async fn sleep_until(&self, at: SystemTime) {
        match &self.manual {
            None => {
                if let Ok(wait) = at.duration_since(SystemTime::now()) {
                    tokio::time::sleep(wait).await;
                }
            }
            Some(shared) => shared.sleep_until(at).await,
        }
    }

    /// Waits until this clock reads `at_ms` milliseconds after the Unix epoch.
    pub async fn sleep_until_ms(&self, at_ms: i64) {
        self.sleep_until(system_time_from_ms(at_ms)).await;
    }
}

/// The `SystemTime` `ms` milliseconds after the Unix epoch (before it when negative).
pub fn system_time_from_ms(ms: i64) -> SystemTime {
    let magnitude = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        UNIX_EPOCH + magnitude
    } else {
        UNIX_EPOCH - magnitude
    }
}

/// A clock for tests: it moves only when told to, and shows who is waiting on it.
///
/// Give [`ManualClock::clock`] to the code under test (`ClientOptions::clock`, the
/// sandbox's `SandboxConfig::clock`), then move time with [`ManualClock::advance`] or
/// [`ManualClock::advance_to_next_wake`].
#[derive(Clone)]
pub struct ManualClock {
    shared: Arc<Shared>,
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("ManualClock")
            .field("now", &state.now)
            .field("sleepers", &state.sleepers.len())
            .finish()
    }
}

impl ManualClock {
    /// A clock that reads `start` until it is moved.
    pub fn new(start: SystemTime) -> ManualClock {
        let (changed, _) = watch::channel(0);
        ManualClock {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    now: start,
                    sleepers: BTreeMap::new(),
                    next_id: 0,
                }),
                changed,
            }),
        }
    }

    /// A clock that starts at the real current time (so timestamps look ordinary).
    pub fn starting_now() -> ManualClock {
        ManualClock::new(SystemTime::now())
    }

    /// The [`Clock`] to hand to the code under test.
    pub fn clock(&self) -> Clock {
        Clock {
            manual: Some(self.shared.clone()),
        }
    }

    pub fn now(&self) -> SystemTime {
        self.shared.lock().now
    }

    /// Moves time forward by `by`, waking every sleep whose time has come.
    pub fn advance(&self, by: Duration) {
        self.shared.lock().now += by;
        self.shared.notify();
    }

    /// How many sleeps are waiting for a time still ahead.
    pub fn sleepers(&self) -> usize {
        let state = self.shared.lock();
        state
            .sleepers
            .values()
            .filter(|at| **at > state.now)
            .count()
    }

    /// The earliest time a waiting sleep is due, if any sleep is waiting.
    pub fn next_wake(&self) -> Option<SystemTime> {
        let state = self.shared.lock();
        state
            .sleepers
            .values()
            .filter(|at| **at > state.now)
            .min()
            .copied()
    }

    /// Resolves once at least `count` sleeps are waiting on this clock.
    pub async fn wait_for_sleepers(&self, count: usize) {
        let mut changed = self.shared.changed.subscribe();
        while self.sleepers() < count {
            // The sender lives as long as `self`, so this only returns Ok.
            let _ = changed.changed().await;
        }
    }

    /// Waits until something sleeps on this clock, then moves time to the earliest wake-up
    /// and returns how far it moved.
    pub async fn advance_to_next_wake(&self) -> Duration {
        self.wait_for_sleepers(1).await;
        let Some(at) = self.next_wake() else {
            return Duration::ZERO;
        };
        let now = self.now();
        let by = at.duration_since(now).unwrap_or_default();
        self.advance(by);
        by
    }
}

struct State {
    now: SystemTime,
    /// Every sleep in progress and its wake-up time.
    sleepers: BTreeMap<u64, SystemTime>,
    next_id: u64,
}

struct Shared {
    state: Mutex<State>,
    /// Bumped on every change of time or of the sleepers, to wake whoever waits on either.
    changed: watch::Sender<u64>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every update is one field.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn notify(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    async fn sleep_until(self: &Arc<Self>, at: SystemTime) {
        let mut changed = self.changed.subscribe();
        let id = {
            let mut state = self.lock();
            let id = state.next_id;
            state.next_id += 1;
            state.sleepers.insert(id, at);
            id
        };
        let _registered = Registered {
            shared: self.clone(),
            id,
        };
        self.notify();
        while self.lock().now < at {
            let _ = changed.changed().await;
        }
    }
}

/// Removes a sleep from the list when it ends or is dropped (a cancelled wait).
struct Registered {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.shared.lock().sleepers.remove(&self.id);
        self.shared.notify();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_time_moves_only_when_advanced() {
        let manual = ManualClock::new(UNIX_EPOCH + Duration::from_secs(100));
        let clock = manual.clock();
        assert_eq!(clock.now_ms(), 100_000);
        let sleeper = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep(Duration::from_millis(250)).await })
        };
        manual.wait_for_sleepers(1).await;
        assert_eq!(
            manual.next_wake(),
            Some(UNIX_EPOCH + Duration::from_millis(100_250))
        );
        manual.advance(Duration::from_millis(249));
        assert_eq!(manual.sleepers(), 1, "not due yet");
        assert!(!sleeper.is_finished());
        manual.advance(Duration::from_millis(1));
        assert_eq!(
            manual.sleepers(),
            0,
            "due sleeps no longer count as waiting"
        );
        sleeper.await.unwrap();
        assert_eq!(clock.now_ms(), 100_250);
    }

    #[tokio::test]
    async fn a_dropped_sleep_stops_waiting() {
        let manual = ManualClock::starting_now();
        let clock = manual.clock();
        let sleeper = tokio::spawn(async move { clock.sleep(Duration::from_secs(9)).await });
        manual.wait_for_sleepers(1).await;
        sleeper.abort();
        let _ = sleeper.await;
        assert_eq!(manual.sleepers(), 0);
        assert_eq!(manual.next_wake(), None);
    }

    #[tokio::test]
    async fn sleeping_until_the_past_returns_at_once() {
        let manual = ManualClock::new(UNIX_EPOCH + Duration::from_secs(10));
        manual.clock().sleep_until_ms(5_000).await;
        manual.clock().sleep(Duration::ZERO).await;
        Clock::system().sleep_until_ms(0).await;
        assert_eq!(
            system_time_from_ms(-1_500),
            UNIX_EPOCH - Duration::from_millis(1_500)
        );
    }
}

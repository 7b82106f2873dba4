//! Waiting for a task: a stream of polled states that ends with a final one.
//!
//! A child of the client that knows nothing of it: the client hands over how to fetch
//! the task once and the clock to wait on, so the dependency runs one way
//! (`client` → `client::poll`).

use crate::clock::Clock;
use crate::error::Error;
use crate::types::{Task, TaskStatus};
use futures_util::Stream;
use std::future::Future;
use std::time::Duration;

/// How often [`Client::wait_for_task`](crate::Client::wait_for_task) polls (waiting on `ClientOptions::clock`).
///
/// The first poll comes after `initial`; each poll that sees the same status waits
/// `factor` times longer, up to `max`; a change of status starts again at `initial`,
/// since a task that just moved is likely to move again soon.
#[derive(Debug, Clone, PartialEq)]
pub struct PollPolicy {
    pub initial: Duration,
    pub factor: f64,
    pub max: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            initial: Duration::from_millis(250),
            factor: 1.5,
            max: Duration::from_secs(5),
        }
    }
}

impl PollPolicy {
    /// `Duration::mul_f64` panics on overflow, and the factor is caller-supplied
    /// configuration, so the product is computed in seconds and clamped instead.
    fn next(&self, current: Duration) -> Duration {
        let secs = current.as_secs_f64() * self.factor.max(1.0);
        Duration::try_from_secs_f64(secs)
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// The wait before the poll after one that saw `seen`, given the previous status:
    /// longer while nothing changes, back to `initial` when the status moved.
    fn after(
        &self,
        current: Duration,
        previous: Option<&TaskStatus>,
        seen: &TaskStatus,
    ) -> Duration {
        if previous == Some(seen) {
            self.next(current)
        } else {
            self.initial
        }
    }
}

struct PollState<F> {
    fetch: F,
    clock: Clock,
    policy: PollPolicy,
    delay: Duration,
    last: Option<TaskStatus>,
    done: bool,
}

/// Yields the task after every poll (`fetch` reads it once, waiting on `clock` between
/// polls) and ends after yielding a final status (success, failed, canceled). Dropping
/// the stream stops polling.
///
/// Transient failures (network, 429, 5xx) are first retried by the client's GET retry
/// policy; if they persist the error is yielded and polling goes on at the longest
/// interval. Any other error (unknown task, rejected key) is yielded and ends the stream.
pub(crate) fn wait_for_task<F, Fut>(
    fetch: F,
    clock: Clock,
    policy: PollPolicy,
) -> impl Stream<Item = Result<Task, Error>> + Send + 'static
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<Task, Error>> + Send + 'static,
{
    let state = PollState {
        fetch,
        clock,
        delay: policy.initial,
        policy,
        last: None,
        done: false,
    };
    futures_util::stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        st.clock.sleep(st.delay).await;
        match (st.fetch)().await {
            Ok(task) => {
                st.delay = st.policy.after(st.delay, st.last.as_ref(), &task.status);
                st.last = Some(task.status.clone());
                st.done = task.status.is_final();
                Some((Ok(task), st))
            }
            Err(err) => {
                if err.is_transient() {
                    st.delay = st.policy.max;
                } else {
                    st.done = true;
                }
                Some((Err(err), st))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_grow_to_the_cap() {
        let p = PollPolicy::default();
        let mut d = p.initial;
        let mut seen = vec![d];
        for _ in 0..10 {
            d = p.next(d);
            seen.push(d);
        }
        assert_eq!(seen[1], Duration::from_millis(375));
        assert_eq!(*seen.last().unwrap(), Duration::from_secs(5));
        assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn a_status_change_resets_the_interval() {
        let p = PollPolicy::default();
        let grown = Duration::from_secs(3);
        // First poll ever: nothing to compare with, so the next one comes soon.
        assert_eq!(p.after(grown, None, &TaskStatus::Pending), p.initial);
        assert_eq!(
            p.after(grown, Some(&TaskStatus::Pending), &TaskStatus::Pending),
            Duration::from_millis(4500)
        );
        assert_eq!(
            p.after(grown, Some(&TaskStatus::Pending), &TaskStatus::Processing),
            p.initial
        );
    }

    #[test]
    fn an_absurd_factor_is_capped_not_a_panic() {
        for factor in [1e300, f64::INFINITY, f64::NAN, -3.0] {
            let p = PollPolicy {
                factor,
                ..PollPolicy::default()
            };
            let d = p.next(Duration::from_secs(1));
            assert!(d <= p.max, "{factor}: {d:?}");
            assert!(d >= Duration::from_secs(1), "{factor}: {d:?}");
        }
    }
}

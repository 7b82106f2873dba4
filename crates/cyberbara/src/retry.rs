//! Which failed requests are tried again, and after how long — for the whole workspace.
//!
//! The rule: GETs and `POST /credits/quote` (which creates and charges nothing) are
//! retried after broken connections, timeouts, 429 (after its `Retry-After`), 502, 503
//! and 504. Requests that create tasks or store uploads are retried only when the
//! connection could not be opened, so provably no byte reached the server.
//!
//! [`Backoff`] (capped exponential, optionally jittered) and [`retry_after`] (the one
//! `Retry-After` parser, delta-seconds and HTTP-date) are also what the app's downloads
//! and task tracker wait with, so the three retry loops share one policy and one parser.
//!
//! Kept hand-written rather than built on `backon`: the decision reads the *reply*
//! (status, and a `Retry-After` that, when too long, ends retrying with that very reply
//! as the answer) and depends on whether the request can charge. With `backon` every
//! reply would have to be turned into an error and back again to fit its error-driven
//! loop; the tracker's backoff is a pause shared by every poll of a deployment, not a
//! loop around one future; and `backon`'s jitter adds up to a whole delay on top
//! (`[d, 2d)`, past the cap), where ours stays in `[d/2, d]`. The policy is a dozen
//! lines; the date parsing, the part worth a library, is `httpdate`'s.

use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use std::time::{Duration, SystemTime};

/// Capped exponential backoff: `base` before the first retry, doubling per retry, never
/// more than `cap`. With `jitter`, each wait is drawn from `[d/2, d]`, so clients that
/// failed together do not retry together (and the cap still holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait before the first retry.
    pub base: Duration,
    /// The longest wait, however many retries.
    pub cap: Duration,
    /// Spread each wait over `[d/2, d]`.
    pub jitter: bool,
}

impl Backoff {
    /// The wait before retry number `retry` (0-based).
    pub fn delay(&self, retry: u32) -> Duration {
        let full = self
            .base
            .saturating_mul(2u32.saturating_pow(retry.min(30)))
            .min(self.cap);
        if !self.jitter {
            return full;
        }
        let half = full / 2;
        let jitter = rand::thread_rng().gen_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter)
    }

    /// The wait before retry number `retry` when the server may have said how long to
    /// wait: its `Retry-After` (at most `cap`), or else [`delay`](Backoff::delay).
    pub fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(wait) => wait.min(self.cap),
            None => self.delay(retry),
        }
    }
}

/// When and how often idempotent requests are retried.
///
/// Applies to GETs and to `POST /credits/quote`, which only computes a price (it
/// creates nothing and charges nothing, so repeating it is harmless). Requests that
/// create tasks or upload files are retried only after a connect failure, when
/// provably no byte reached the server. Waits run on `ClientOptions::clock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The wait between attempts when the server did not say (jittered by default).
    pub backoff: Backoff,
    /// A `Retry-After` longer than this is not waited out; the error is returned so the
    /// app can tell the person instead of hanging.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            backoff: Backoff {
                base: Duration::from_millis(200),
                cap: Duration::from_secs(5),
                jitter: true,
            },
            max_retry_after: Duration::from_secs(30),
        }
    }
}

/// Which failures a request may be repeated after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Harmless to repeat: transport errors, 429, 502/503/504.
    Idempotent,
    /// Creates something: only a failed connect (nothing sent) is retried.
    ConnectOnly,
    /// The caller handles every failure itself (the app's tracker backs off for all its
    /// polls together).
    Never,
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// After a reply with `status`: how long to wait before trying again, or `None` to
    /// return this reply. `retries` is how many retries were already made. A
    /// `Retry-After` is waited out exactly (not capped like the backoff) up to
    /// `max_retry_after`; a longer one is the answer.
    pub(crate) fn after_reply(
        &self,
        kind: Retry,
        retries: u32,
        status: StatusCode,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if kind != Retry::Idempotent || retries >= self.max_retries || !is_transient_status(status)
        {
            return None;
        }
        match retry_after {
            // Too long to wait out: the reply (with its Retry-After) is the answer.
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff.delay(retries)),
        }
    }

    /// After a request that got no reply: how long to wait before trying again, or
    /// `None` to report `err`.
    pub(crate) fn after_transport_error(
        &self,
        kind: Retry,
        retries: u32,
        err: &reqwest::Error,
    ) -> Option<Duration> {
        if retries >= self.max_retries || is_tls(err) {
            return None;
        }
        let retryable = match kind {
            Retry::Idempotent => err.is_connect() || err.is_timeout() || err.is_request(),
            // A connect error (even a connect timeout) means the request itself was never
            // written.
            Retry::ConnectOnly => err.is_connect(),
            Retry::Never => false,
        };
        retryable.then(|| self.backoff.delay(retries))
    }
}

/// Statuses that mean "try again later" and never that the server acted: 429 and the
/// gateway errors. A 500 may have come after the server did something, so it is final.
pub(crate) fn is_transient_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// The wait a reply's `Retry-After` asks for, measured from `now`: delta-seconds
/// (`120`) or an HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`; one in the past means
/// "now", zero). `None` when there is no such header or it is neither form.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    parse_retry_after(headers.get(RETRY_AFTER)?.to_str().ok()?, now)
}

/// [`retry_after`] for the header's text.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// reqwest has no TLS predicate; the rustls error is somewhere in the source chain.
/// Without a direct rustls dependency to downcast to, its variant names are matched;
/// an `InvalidData` I/O error while connecting can only come from the handshake too.
pub(crate) fn is_tls(err: &reqwest::Error) -> bool {
    const MARKERS: &[&str] = &[
        "certificate",
        "tls",
        "handshake",
        "invalidmessage",
        "peerincompatible",
        "peermisbehaved",
        "alertreceived",
        "decrypterror",
        "inappropriatemessage",
    ];
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
    while let Some(e) = source {
        if err.is_connect() {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::InvalidData {
                    return true;
                }
            }
        }
        let text = format!("{e:?}").to_ascii_lowercase();
        if MARKERS.iter().any(|m| text.contains(m)) {
            return true;
        }
        source = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sandbox can only inject 429 and 503, so the rest of the retry list is pinned
    /// here: 502 and 504 retried, a 500 (the server may have acted) never.
    #[test]
    fn gateway_statuses_are_transient_and_server_errors_are_not() {
        for code in [429, 502, 503, 504] {
            assert!(
                is_transient_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
        for code in [400, 401, 402, 404, 409, 500, 501] {
            assert!(
                !is_transient_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
    }

    #[test]
    fn replies_are_retried_only_for_idempotent_requests_within_the_limits() {
        let p = RetryPolicy {
            max_retries: 2,
            backoff: Backoff {
                base: Duration::from_millis(100),
                cap: Duration::from_millis(100),
                jitter: true,
            },
            max_retry_after: Duration::from_secs(10),
        };
        let unavailable = StatusCode::SERVICE_UNAVAILABLE;
        let backoff = p.after_reply(Retry::Idempotent, 0, unavailable, None);
        assert!(backoff.is_some_and(|d| d <= Duration::from_millis(100)));
        assert_eq!(
            p.after_reply(Retry::ConnectOnly, 0, unavailable, None),
            None
        );
        assert_eq!(p.after_reply(Retry::Idempotent, 2, unavailable, None), None);
        assert_eq!(
            p.after_reply(
                Retry::Idempotent,
                0,
                StatusCode::INTERNAL_SERVER_ERROR,
                None
            ),
            None
        );
        let wait = Some(Duration::from_secs(7));
        assert_eq!(
            p.after_reply(Retry::Idempotent, 0, StatusCode::TOO_MANY_REQUESTS, wait),
            wait,
            "Retry-After is waited out exactly"
        );
        let too_long = Some(Duration::from_secs(11));
        assert_eq!(
            p.after_reply(
                Retry::Idempotent,
                0,
                StatusCode::TOO_MANY_REQUESTS,
                too_long
            ),
            None
        );
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
            jitter: true,
        };
        for retry in 0..12 {
            let full = (100u64 << retry.min(20)).min(1000);
            let d = p.delay(retry).as_millis() as u64;
            assert!(
                d >= full / 2 && d <= full,
                "retry {retry}: {d} not in [{}, {full}]",
                full / 2
            );
        }
    }

    /// Without jitter (the downloads and the tracker) the waits are exact: 1, 2, 4, 8 s,
    /// then the cap, for any number of retries; a `Retry-After` replaces the step but
    /// not the cap.
    #[test]
    fn plain_backoff_doubles_to_the_cap_and_retry_after_replaces_a_step() {
        let p = Backoff {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(10),
            jitter: false,
        };
        let waits: Vec<u64> = (0..6).map(|r| p.delay(r).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 10, 10]);
        assert_eq!(p.delay(u32::MAX), Duration::from_secs(10));
        assert_eq!(
            p.wait(0, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            p.wait(0, Some(Duration::from_secs(70))),
            Duration::from_secs(10)
        );
        assert_eq!(p.wait(0, Some(Duration::ZERO)), Duration::ZERO);
        assert_eq!(p.wait(2, None), Duration::from_secs(4));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Dec 2026 10:00:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Dec 2026 10:01:30 GMT", now),
            Some(Duration::from_secs(90))
        );
        // A date already past: retry now.
        assert_eq!(
            parse_retry_after("Sun, 06 Dec 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        for junk in ["", "soon", "-5", "1.5", "Sunday"] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk:?}");
        }
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, now), None);
        headers.insert(RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(3)));
    }
}

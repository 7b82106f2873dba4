//! Which failed requests are tried again, and after how long.
//!
//! The rule: GETs and `POST /credits/quote` (which creates and charges nothing) are
//! retried after broken connections, timeouts, 429 (after its `Retry-After`), 502, 503
//! and 504. Requests that create tasks or store uploads are retried only when the
//! connection could not be opened, so provably no byte reached the server.
//!
//! Kept hand-written rather than built on `backon`: the decision reads the *reply*
//! (status, and a `Retry-After` that, when too long, ends retrying with that very reply
//! as the answer) and depends on whether the request can charge. With `backon` every
//! reply would have to be turned into an error and back again to fit its
//! error-driven loop; the two functions below state the rule as it is, and the loop in
//! the client that calls them is a dozen lines.

use rand::Rng;
use reqwest::header::RETRY_AFTER;
use reqwest::{Response, StatusCode};
use std::time::Duration;

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
    /// First backoff; doubles per retry.
    pub base: Duration,
    /// Longest backoff.
    pub cap: Duration,
    /// A `Retry-After` longer than this is not waited out; the error is returned so the
    /// app can tell the person instead of hanging.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(5),
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

    /// Backoff before retry number `retry` (0-based): capped exponential with jitter
    /// in `[d/2, d]`, so clients that failed together do not retry together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(2u32.saturating_pow(retry.min(30)))
            .min(self.cap);
        let half = exp / 2;
        let jitter = rand::thread_rng().gen_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter)
    }

    /// After a reply with `status`: how long to wait before trying again, or `None` to
    /// return this reply. `retries` is how many retries were already made.
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
            None => Some(self.backoff(retries)),
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
        retryable.then(|| self.backoff(retries))
    }
}

/// Statuses that mean "try again later" and never that the server acted: 429 and the
/// gateway errors. A 500 may have come after the server did something, so it is final.
pub(crate) fn is_transient_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// `Retry-After` in seconds (the HTTP-date form is not used by this API).
pub(crate) fn retry_after(response: &Response) -> Option<Duration> {
    let text = response.headers().get(RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
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
            base: Duration::from_millis(100),
            cap: Duration::from_millis(100),
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
        let p = RetryPolicy {
            max_retries: 10,
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
            max_retry_after: Duration::from_secs(1),
        };
        for retry in 0..12 {
            let full = (100u64 << retry.min(20)).min(1000);
            let d = p.backoff(retry).as_millis() as u64;
            assert!(
                d >= full / 2 && d <= full,
                "retry {retry}: {d} not in [{}, {full}]",
                full / 2
            );
        }
    }
}

//! Reply bodies read with a ceiling, and the transfer-rate floor that turns a trickle
//! into an error.
//!
//! reqwest inflates gzip transparently, so the chunks counted here are the inflated
//! bytes: a small compressed reply that would inflate to gigabytes is cut at the
//! ceiling, never held whole. Hand-written because reqwest has no body limit of its own.

use reqwest::Response;
use std::time::Duration;

/// Largest successful JSON reply read, after decompression. The biggest real reply (a
/// model listing, a page of usage) is a few hundred KiB.
pub const JSON_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Largest error body read: enough for any error envelope and an HTML error page's start.
/// A longer one is cut there (its start is all a message shows).
pub const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Why a body was not read whole.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The reply went past `limit` bytes.
    TooLarge {
        limit: usize,
    },
    Transport(reqwest::Error),
}

/// Reads `response`'s body chunk by chunk up to `limit` bytes. With `cut` the body is
/// truncated at the limit (an error page: its start suffices); otherwise going past the
/// limit is an error and nothing more is read.
pub(crate) async fn read_limited(
    mut response: Response,
    limit: usize,
    cut: bool,
) -> Result<Vec<u8>, BodyError> {
    if !cut && response.content_length().is_some_and(|l| l > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        let room = limit - body.len();
        if chunk.len() > room {
            if cut {
                body.extend_from_slice(&chunk[..room]);
                return Ok(body);
            }
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The slowest transfer that is still progress: fewer than `min_bytes` in any `window`
/// is a stall. Downloads and uploads use it, since a server that sends (or accepts) a
/// byte now and then never trips a read timeout.
#[derive(Debug, Clone, Copy)]
pub struct RateFloor {
    pub min_bytes: u64,
    pub window: Duration,
}

impl Default for RateFloor {
    /// Under 1 KiB/s for 30 s is a stall.
    fn default() -> Self {
        RateFloor {
            min_bytes: 30 * 1024,
            window: Duration::from_secs(30),
        }
    }
}

/// Counts bytes against a [`RateFloor`], window by window.
#[derive(Debug)]
pub struct RateWatch {
    floor: RateFloor,
    window_start: tokio::time::Instant,
    in_window: u64,
}

impl RateWatch {
    pub fn new(floor: RateFloor) -> RateWatch {
        RateWatch {
            floor,
            window_start: tokio::time::Instant::now(),
            in_window: 0,
        }
    }

    /// Records `n` bytes moved.
    pub fn record(&mut self, n: u64) {
        self.in_window += n;
    }

    /// When the current window ends: sleep until then, then call [`stalled`](Self::stalled).
    pub fn window_end(&self) -> tokio::time::Instant {
        self.window_start + self.floor.window
    }

    /// True when the window that just ended moved less than the floor. Starts a new
    /// window either way.
    pub fn stalled(&mut self) -> bool {
        if tokio::time::Instant::now() < self.window_end() {
            return false;
        }
        let slow = self.in_window < self.floor.min_bytes;
        self.window_start = tokio::time::Instant::now();
        self.in_window = 0;
        slow
    }
}

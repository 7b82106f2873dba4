//! One download attempt of one output: resumed with `Range` (and `If-Range`, so a file
//! that changed on the server starts over instead of being spliced) when a partial file
//! exists, streamed to that partial file, then checked: the length the server announced,
//! and bytes that really are the media type the task produced. A reply past its media
//! type's ceiling, one the disk has no room for, or one slower than the rate floor is
//! given up while it streams, whatever it announced.

use super::media_info::family;
use super::Inner;
use crate::error::AppError;
use crate::library::Item;
use crate::library_folder::io_error;
use futures_util::StreamExt;
use reqwest::header;
use reqwest::StatusCode;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

/// Why an attempt did not produce a checked file.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Worth another attempt (network trouble, 429/5xx, a reply cut short); the partial
    /// file is kept for a `Range` request. `after` is the server's `Retry-After`.
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    /// The URL no longer serves the file (expired: 403/404/410).
    Gone(String),
    /// Another attempt would fail the same way (bytes of the wrong type, a full disk).
    Fatal(AppError),
    /// The download was paused or the app is stopping; the partial file stays.
    Canceled,
}

fn retry(reason: impl Into<String>) -> Failure {
    Failure::Retry {
        reason: reason.into(),
        after: None,
    }
}

/// Downloads `item` into `partial` and checks it. Returns the sniffed media type.
pub(super) async fn attempt(
    inner: &Inner,
    item: &Item,
    partial: &Path,
    cancel: &CancellationToken,
) -> Result<&'static str, Failure> {
    let folder = partial
        .parent()
        .and_then(Path::parent)
        .unwrap_or(partial)
        .to_path_buf();
    let write_failed = |err: std::io::Error| {
        let _ = std::fs::remove_file(partial);
        Failure::Fatal(io_error("save the download", &folder, &err))
    };
    let write_failed_room = |err: AppError| {
        let _ = std::fs::remove_file(partial);
        Failure::Fatal(err)
    };
    if let Some(dir) = partial.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(write_failed)?;
    }
    let have = match tokio::fs::metadata(partial).await {
        Ok(meta) => meta.len(),
        Err(_) => 0,
    };
    let (http, url) = inner.client_for(item).await?;
    let max = inner.config.max_bytes.for_media(&item.media_type);
    let mut request = http.get(url);
    if have > 0 {
        request = request.header(header::RANGE, format!("bytes={have}-"));
        if let Some(validator) = &item.validator {
            request = request.header(header::IF_RANGE, validator);
        }
        inner.stats.ranged.fetch_add(1, Ordering::Relaxed);
    }
    inner.stats.requests.fetch_add(1, Ordering::Relaxed);
    let response = tokio::select! {
        _ = cancel.cancelled() => return Err(Failure::Canceled),
        sent = request.send() => sent.map_err(|e| match cyberbara::egress::refusal_in(&e) {
            Some(why) => Failure::Fatal(AppError::new(crate::error::ErrorKind::Network, why.to_string())),
            None => retry(describe(&e)),
        })?,
    };
    let status = response.status();
    let (append, total) = match status {
        StatusCode::PARTIAL_CONTENT => match content_range(response.headers()) {
            Some((start, total)) if start == have => (true, total),
            _ => {
                // Not the bytes asked for: start over.
                let _ = tokio::fs::remove_file(partial).await;
                return Err(Failure::Retry {
                    reason: "the server resumed at another place".into(),
                    after: Some(Duration::ZERO),
                });
            }
        },
        StatusCode::OK => (false, response.content_length()),
        StatusCode::RANGE_NOT_SATISFIABLE => {
            let _ = tokio::fs::remove_file(partial).await;
            return Err(Failure::Retry {
                reason: "the partial file did not match the server's".into(),
                after: Some(Duration::ZERO),
            });
        }
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::GONE => {
            return Err(Failure::Gone(format!("HTTP {}", status.as_u16())))
        }
        StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS => {
            return Err(Failure::Retry {
                reason: format!("HTTP {}", status.as_u16()),
                after: retry_after(response.headers()),
            })
        }
        s if s.is_server_error() => {
            return Err(Failure::Retry {
                reason: format!("HTTP {}", s.as_u16()),
                after: retry_after(response.headers()),
            })
        }
        s => {
            return Err(Failure::Fatal(AppError::new(
                crate::error::ErrorKind::Network,
                format!(
                    "The server refused to send this output (HTTP {}). Try again later.",
                    s.as_u16()
                ),
            )))
        }
    };
    let claimed = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let validator = response
        .headers()
        .get(header::ETAG)
        .or_else(|| response.headers().get(header::LAST_MODIFIED))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if !append {
        // A fresh reply: what a later Range request must match.
        if let Err(err) = inner
            .library
            .set_item_source(item.id, total, validator.as_deref())
        {
            tracing::warn!(error = %err, "could not record a download's size");
        }
    }

    let too_large = |size: u64| {
        let _ = std::fs::remove_file(partial);
        Failure::Fatal(AppError::new(
            crate::error::ErrorKind::Network,
            format!(
                "The server sent {} larger than {} (the most an {} output may be), so it was not kept.",
                if size == u64::MAX { "a file".to_string() } else { format!("a file of {}", human_bytes(size)) },
                human_bytes(max),
                item.media_type
            ),
        ))
    };
    if let Some(total) = total {
        if total > max {
            return Err(too_large(total));
        }
        check_room(
            inner,
            &folder,
            total.saturating_sub(if append { have } else { 0 }),
        )
        .map_err(&write_failed_room)?;
    }

    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(partial)
        .await
        .map_err(write_failed)?;
    let mut received = if append { have } else { 0 };
    let mut stream = response.bytes_stream();
    let mut last_progress = Instant::now() - inner.config.progress_every;
    let mut rate = cyberbara::client::RateWatch::new(inner.config.rate_floor);
    let mut since_room_check = 0u64;
    loop {
        let chunk = tokio::select! {
            _ = cancel.cancelled() => {
                let _ = file.flush().await;
                return Err(Failure::Canceled);
            }
            _ = tokio::time::sleep_until(rate.window_end()) => {
                if rate.stalled() {
                    let _ = file.flush().await;
                    return Err(retry("the server became too slow"));
                }
                continue;
            }
            chunk = stream.next() => chunk,
        };
        let Some(chunk) = chunk else { break };
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(err) => {
                let _ = file.flush().await;
                return Err(retry(describe(&err)));
            }
        };
        if received + chunk.len() as u64 > max {
            drop(file);
            return Err(too_large(u64::MAX));
        }
        file.write_all(&chunk).await.map_err(write_failed)?;
        received += chunk.len() as u64;
        rate.record(chunk.len() as u64);
        since_room_check += chunk.len() as u64;
        // A reply without a length (or with a lying one) is checked as it grows.
        if since_room_check >= ROOM_CHECK_EVERY {
            since_room_check = 0;
            if let Err(err) = check_room(inner, &folder, 0) {
                drop(file);
                return Err(write_failed_room(err));
            }
        }
        if last_progress.elapsed() >= inner.config.progress_every {
            last_progress = Instant::now();
            inner.announce_progress(item, received, total);
        }
    }
    file.flush().await.map_err(write_failed)?;
    file.sync_all().await.map_err(write_failed)?;
    drop(file);
    inner.announce_progress(item, received, total);
    if let Some(total) = total {
        if received < total {
            return Err(retry(format!(
                "the reply ended after {received} of {total} bytes"
            )));
        }
        if received > total {
            let _ = tokio::fs::remove_file(partial).await;
            return Err(retry("the reply was longer than announced"));
        }
    }
    check_media(item, partial, claimed.as_deref()).await
}

/// Bytes written between free-space checks of a download.
const ROOM_CHECK_EVERY: u64 = 64 * 1024 * 1024;

/// The library's disk must have room for `needed` more bytes and still keep
/// [`keep_free`](super::DownloadConfig::keep_free) free.
fn check_room(inner: &Inner, folder: &Path, needed: u64) -> Result<(), AppError> {
    let Ok(available) = fs4::available_space(folder) else {
        return Ok(());
    };
    if available < needed.saturating_add(inner.config.keep_free) {
        return Err(AppError::new(
            crate::error::ErrorKind::Storage,
            format!(
                "The disk of the library folder has {} free, too little for this output ({}). Free some space, then press Retry.",
                human_bytes(available),
                human_bytes(needed)
            ),
        ));
    }
    Ok(())
}

fn human_bytes(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= 1024 * MB {
        format!("{:.1} GB", bytes as f64 / (1024 * MB) as f64)
    } else if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// The bytes must be a media type, of the family the task produced (an image task's
/// output is an image), and agree with the family the server's `Content-Type` claims.
async fn check_media(
    item: &Item,
    partial: &Path,
    claimed: Option<&str>,
) -> Result<&'static str, Failure> {
    let path = partial.to_path_buf();
    let sniffed = tokio::task::spawn_blocking(move || super::media_info::sniff_file(&path))
        .await
        .map_err(|e| Failure::Fatal(AppError::internal(format!("a check stopped: {e}"))))?
        .map_err(|e| retry(format!("the downloaded file could not be read: {e}")))?;
    let refuse = |message: String| {
        let _ = std::fs::remove_file(partial);
        Failure::Fatal(AppError::new(crate::error::ErrorKind::Network, message))
    };
    let expected = family(&format!("{}/", item.media_type));
    let Some(mime) = sniffed.filter(|m| family(m).is_some()) else {
        return Err(refuse(format!(
            "The server sent something that is not {} file, so it was not kept{}.",
            a_media(expected),
            claimed
                .map(|c| format!(" (it said {c})"))
                .unwrap_or_default()
        )));
    };
    if let Some(expected) = expected {
        if family(mime) != Some(expected) {
            return Err(refuse(format!(
                "The server sent {mime} bytes for {} output, so the file was not kept.",
                a_media(Some(expected))
            )));
        }
    }
    if let Some(claimed_family) = claimed.and_then(family) {
        if Some(claimed_family) != family(mime) {
            return Err(refuse(format!(
                "The server said the file is {} but its bytes are {mime}, so it was not kept.",
                claimed.unwrap_or_default()
            )));
        }
    }
    Ok(mime)
}

fn a_media(family: Option<&str>) -> &'static str {
    match family {
        Some("image") => "an image",
        Some("video") => "a video",
        Some("audio") => "an audio",
        _ => "a media",
    }
}

/// `bytes START-END/TOTAL` → (START, TOTAL).
fn content_range(headers: &header::HeaderMap) -> Option<(u64, Option<u64>)> {
    let value = headers.get(header::CONTENT_RANGE)?.to_str().ok()?;
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, _) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()))
}

/// The server's `Retry-After`, by the client's parser (seconds or an HTTP-date).
fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    cyberbara::retry::retry_after(headers, std::time::SystemTime::now())
}

fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "the server stopped sending".into()
    } else if err.is_connect() {
        "the server could not be reached".into()
    } else {
        "the connection was lost".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_are_read() {
        let mut headers = header::HeaderMap::new();
        headers.insert(header::CONTENT_RANGE, "bytes 100-199/200".parse().unwrap());
        assert_eq!(content_range(&headers), Some((100, Some(200))));
        headers.insert(header::CONTENT_RANGE, "bytes 5-9/*".parse().unwrap());
        assert_eq!(content_range(&headers), Some((5, None)));
        headers.insert(header::CONTENT_RANGE, "items 1-2/3".parse().unwrap());
        assert_eq!(content_range(&headers), None);
    }
}

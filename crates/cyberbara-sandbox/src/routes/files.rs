//! `GET`/`HEAD /uploads/{key}`: stored files, public like CDN URLs, with Range support.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use cyberbara::types::ErrorCode;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::reply::ApiError;
use crate::state::Shared;

/// An inclusive byte range of a `total`-byte file, from a `Range` header. `Ok(None)`
/// serves the whole file (no header, another unit, or several ranges); `Err` is 416.
fn parse_range(value: &str, total: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let (start, end) = spec.split_once('-').ok_or(())?;
    let (start, end) = (start.trim(), end.trim());
    let range = if start.is_empty() {
        let suffix: u64 = end.parse().map_err(|_| ())?;
        if suffix == 0 || total == 0 {
            return Err(());
        }
        (total.saturating_sub(suffix), total - 1)
    } else {
        let start: u64 = start.parse().map_err(|_| ())?;
        let end: u64 = if end.is_empty() {
            total.saturating_sub(1)
        } else {
            end.parse::<u64>()
                .map_err(|_| ())?
                .min(total.saturating_sub(1))
        };
        if start >= total || start > end {
            return Err(());
        }
        (start, end)
    };
    Ok(Some(range))
}

fn blob_not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::Other("not_found".into()),
        "No file is stored at this URL.",
    )
    .into_response()
}

/// `GET /uploads/{key}`: public like a CDN URL, no API key needed.
pub(super) async fn serve_blob(
    State(state): State<Shared>,
    Path(key): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    if key.split('/').any(|part| part.is_empty() || part == "..") {
        return blob_not_found();
    }
    let meta = match state.store.blob_meta(&key) {
        Ok(Some(meta)) => meta,
        Ok(None) => return blob_not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let total = meta.size;
    let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        None => None,
        Some(value) => match parse_range(value, total) {
            Ok(r) => r,
            Err(()) => {
                let mut resp = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                    resp.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return resp;
            }
        },
    };
    let (start, end) = range.unwrap_or((0, total.saturating_sub(1)));
    let len = if total == 0 { 0 } else { end - start + 1 };
    let body = if method == Method::HEAD || len == 0 {
        Body::empty()
    } else if let Some(path) = state.store.blob_path(&key) {
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) => {
                return ApiError::internal(format!("could not open a stored file: {e}"))
                    .into_response()
            }
        };
        if let Err(e) = file.seek(std::io::SeekFrom::Start(start)).await {
            return ApiError::internal(format!("could not seek a stored file: {e}"))
                .into_response();
        }
        Body::from_stream(tokio_util::io::ReaderStream::new(file.take(len)))
    } else {
        match state.store.memory_blob(&key) {
            Some(bytes) => Body::from(bytes.slice(start as usize..=end as usize)),
            None => return blob_not_found(),
        }
    };
    let status = if range.is_some() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&meta.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if range.is_some() {
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{total}")) {
            h.insert(header::CONTENT_RANGE, v);
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_like_rfc_9110() {
        assert_eq!(parse_range("bytes=0-9", 100), Ok(Some((0, 9))));
        assert_eq!(parse_range("bytes=90-", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=-10", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=50-500", 100), Ok(Some((50, 99))));
        assert_eq!(parse_range("bytes=100-", 100), Err(()));
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Ok(None));
        assert_eq!(parse_range("items=0-1", 100), Ok(None));
    }
}

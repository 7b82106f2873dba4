//! `GET`/`HEAD /uploads/{key}`: stored files, public like CDN URLs, with Range support.
//!
//! Ranges are `axum-range`'s (RFC 9110 §14) over the blob on disk or in memory. Where it
//! answers differently from the hand-written code it replaced, it is still within the
//! RFC, and the tests follow it: several ranges get the first one as a 206, and a suffix
//! longer than the file (which a server may ignore) gets the whole file as a 200. A
//! malformed `Range` or another unit is ignored, as RFC 9110 asks.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::headers::{Header, Range};
use axum_range::{KnownSize, Ranged};
use cyberbara::types::ErrorCode;

use crate::reply::ApiError;
use crate::state::Shared;

fn blob_not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::Other("not_found".into()),
        "No file is stored at this URL.",
    )
    .into_response()
}

/// `GET /uploads/{key}`: public like a CDN URL, no API key needed. HEAD shares it; hyper
/// sends a HEAD reply's headers without the body.
pub(super) async fn serve_blob(
    State(state): State<Shared>,
    Path(key): Path<String>,
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
    let range = Range::decode(&mut headers.get_all(header::RANGE).iter()).ok();
    let mut resp = if meta.size == 0 {
        // axum-range answers 416 for an empty body; an empty file is simply empty.
        StatusCode::OK.into_response()
    } else if let Some(path) = state.store.blob_path(&key) {
        match tokio::fs::File::open(&path).await {
            Ok(file) => Ranged::new(range, KnownSize::sized(file, meta.size)).into_response(),
            Err(e) => {
                return ApiError::internal(format!("could not open a stored file: {e}"))
                    .into_response()
            }
        }
    } else {
        match state.store.memory_blob(&key) {
            Some(bytes) => Ranged::new(
                range,
                KnownSize::sized(std::io::Cursor::new(bytes), meta.size),
            )
            .into_response(),
            None => return blob_not_found(),
        }
    };
    if resp.status().is_success() {
        let h = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&meta.content_type) {
            h.insert(header::CONTENT_TYPE, v);
        }
        h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    resp
}

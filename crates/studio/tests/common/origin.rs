//! A stand-in for a deployment's CDN on 127.0.0.1, for what the sandbox never does on its
//! own: serve bytes that are not what they claim, answer under hostile names, or stop in
//! the middle of a reply. Files it does not hold itself are fetched from the real
//! sandbox (`upstream`), passing `Range` through, so resumed downloads are answered by
//! the sandbox's own range support. Every request's `Range` header is logged.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct OriginState {
    /// path → (bytes, content type) served as they are.
    files: Mutex<HashMap<String, (Vec<u8>, String)>>,
    /// path → upstream URL, proxied with the request's `Range`.
    proxied: Mutex<HashMap<String, String>>,
    /// When set, the next proxied reply sends this many bytes and then nothing, forever.
    cut_next_after: Mutex<Option<usize>>,
    /// (path, Range header) of every request.
    log: Mutex<Vec<(String, Option<String>)>>,
}

#[derive(Clone)]
pub struct Origin {
    pub base: String,
    state: Arc<OriginState>,
}

#[allow(dead_code)]
impl Origin {
    pub async fn start() -> Origin {
        let state = Arc::new(OriginState::default());
        let router = Router::new().fallback(serve).with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Origin { base, state }
    }

    /// Serves `bytes` as `content_type` at `path` (as the request spells it, encoded).
    pub fn put(&self, path: &str, bytes: Vec<u8>, content_type: &str) -> String {
        self.state
            .files
            .lock()
            .unwrap()
            .insert(path.to_string(), (bytes, content_type.to_string()));
        format!("{}{path}", self.base)
    }

    pub fn remove(&self, path: &str) {
        self.state.files.lock().unwrap().remove(path);
        self.state.proxied.lock().unwrap().remove(path);
    }

    /// Serves the sandbox's `upstream` at `path`.
    pub fn proxy(&self, path: &str, upstream: &str) -> String {
        self.state
            .proxied
            .lock()
            .unwrap()
            .insert(path.to_string(), upstream.to_string());
        format!("{}{path}", self.base)
    }

    pub fn cut_next_after(&self, bytes: usize) {
        *self.state.cut_next_after.lock().unwrap() = Some(bytes);
    }

    pub fn log(&self) -> Vec<(String, Option<String>)> {
        self.state.log.lock().unwrap().clone()
    }
}

async fn serve(State(state): State<Arc<OriginState>>, request: Request) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let range = request
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    state
        .log
        .lock()
        .unwrap()
        .push((path.clone(), range.clone()));
    let file = state.files.lock().unwrap().get(&path).cloned();
    if let Some((bytes, content_type)) = file {
        return Response::builder()
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CONTENT_LENGTH, bytes.len())
            .body(Body::from(bytes))
            .unwrap();
    }
    let upstream = state.proxied.lock().unwrap().get(&path).cloned();
    let Some(upstream) = upstream else {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Body::from("not here"))
            .unwrap();
    };
    let mut forwarded = reqwest::Client::new().get(&upstream);
    if let Some(range) = &range {
        forwarded = forwarded.header(header::RANGE, range);
    }
    if let Some(if_range) = request.headers().get(header::IF_RANGE) {
        forwarded = forwarded.header(header::IF_RANGE, if_range.clone());
    }
    let reply = forwarded.send().await.unwrap();
    let mut builder = Response::builder().status(reply.status().as_u16());
    for name in [
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
        header::CONTENT_RANGE,
        header::ACCEPT_RANGES,
        header::ETAG,
        header::LAST_MODIFIED,
    ] {
        if let Some(value) = reply.headers().get(&name) {
            builder = builder.header(name, HeaderValue::from_bytes(value.as_bytes()).unwrap());
        }
    }
    let body = reply.bytes().await.unwrap().to_vec();
    let cut = state.cut_next_after.lock().unwrap().take();
    match cut {
        Some(n) => {
            let first = bytes::Bytes::copy_from_slice(&body[..n.min(body.len())]);
            let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) })
                .chain(futures_util::stream::pending());
            builder.body(Body::from_stream(stream)).unwrap()
        }
        None => builder.body(Body::from(body)).unwrap(),
    }
}

use futures_util::StreamExt;

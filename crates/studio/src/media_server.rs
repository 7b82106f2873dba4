//! A loopback HTTP server for the app's own media: the webview shows previews, and later
//! library files, by URL (never as bytes over IPC).
//!
//! Why a server rather than Tauri's asset protocol: on Linux a `<video>` does not play
//! from a `tauri://` URL (WebKitGTK), while it plays from `http://127.0.0.1` with `Range`
//! support. What keeps it private: it binds 127.0.0.1 on a random port, every URL carries
//! a per-launch random token (requests without it get 404), and it serves only files under
//! its named roots. `Range`, conditional requests and content types come from
//! `tower-http`'s `ServeDir`, which also refuses paths that climb out of a root. CORS
//! headers name the app's own origins, so the webview may draw a video frame to a canvas.
//! The token is compared in constant time (`subtle`); a path that passes through a
//! symbolic link inside a root is not served (a link in the library could point
//! anywhere); a root can be narrowed to some of its folders ([`MediaServer::limit_root`]:
//! of the cache, only thumbnails and previews).

use axum::body::Body;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rand::distributions::{Alphanumeric, DistString};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// Origins the app's webview loads from (Linux/macOS, and Windows/Android).
pub const APP_ORIGINS: &[&str] = &["tauri://localhost", "http://tauri.localhost"];

struct Shared {
    token: String,
    roots: RwLock<HashMap<String, PathBuf>>,
    /// Root → the only top-level folders of it that are served.
    limits: RwLock<HashMap<String, Vec<String>>>,
}

/// The running server. Dropping it stops the server.
pub struct MediaServer {
    base: String,
    shared: Arc<Shared>,
    stop: CancellationToken,
}

impl std::fmt::Debug for MediaServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaServer").finish_non_exhaustive()
    }
}

impl Drop for MediaServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl MediaServer {
    /// Starts serving `roots` (name → folder) on 127.0.0.1 with a fresh token.
    pub async fn start(roots: HashMap<String, PathBuf>) -> std::io::Result<MediaServer> {
        let token = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
        let shared = Arc::new(Shared {
            token,
            roots: RwLock::new(roots),
            limits: RwLock::new(HashMap::new()),
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let router = Router::new()
            .route("/{token}/{root}/{*path}", get(serve).head(serve))
            .fallback(not_found)
            .with_state(Arc::clone(&shared));
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async move { stopped.cancelled().await })
                .await;
            if let Err(err) = served {
                tracing::error!(error = %err, "the media server stopped");
            }
        });
        let base = format!("http://127.0.0.1:{port}/{}", shared.token);
        Ok(MediaServer { base, shared, stop })
    }

    /// `http://127.0.0.1:PORT/TOKEN`: a file `f` of root `r` is at `{base}/r/f`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The URL of `relative` (slash-separated) under root `root`.
    pub fn url(&self, root: &str, relative: &str) -> String {
        let encoded: Vec<String> = relative
            .split('/')
            .map(|segment| {
                url::form_urlencoded::byte_serialize(segment.as_bytes())
                    .collect::<String>()
                    .replace('+', "%20")
            })
            .collect();
        format!("{}/{root}/{}", self.base, encoded.join("/"))
    }

    /// Serves only the folders `only` (top level) of `root`: the rest of it is 404.
    pub fn limit_root(&self, root: &str, only: &[&str]) {
        if let Ok(mut limits) = self.shared.limits.write() {
            limits.insert(
                root.to_string(),
                only.iter().map(|s| s.to_string()).collect(),
            );
        }
    }

    /// Serves `folder` as `root` from now on (the library folder can move).
    pub fn set_root(&self, root: &str, folder: &Path) {
        if let Ok(mut roots) = self.shared.roots.write() {
            roots.insert(root.to_string(), folder.to_path_buf());
        }
    }
}

async fn not_found() -> StatusCode {
    StatusCode::NOT_FOUND
}

async fn serve(
    State(shared): State<Arc<Shared>>,
    UrlPath((token, root, _path)): UrlPath<(String, String, String)>,
    request: Request,
) -> Response {
    // In constant time: the token keeps other local programs and web pages out, and
    // its length is no secret.
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        token.as_bytes(),
        shared.token.as_bytes(),
    )) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(folder) = shared.roots.read().ok().and_then(|r| r.get(&root).cloned()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .filter(|o| APP_ORIGINS.contains(o))
        .map(str::to_string);
    // ServeDir sees only the path inside the root, still percent-encoded as sent (it
    // decodes, and refuses `..`, itself).
    let (mut parts, body) = request.into_parts();
    let prefix = format!("/{token}/{root}/");
    let Some(inner) = parts.uri.path().strip_prefix(&prefix) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let segments: Vec<String> = inner
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .to_string()
        })
        .collect();
    let limit = shared
        .limits
        .read()
        .ok()
        .and_then(|l| l.get(&root).cloned());
    if let Some(only) = limit {
        if !segments.first().is_some_and(|first| only.contains(first)) {
            return StatusCode::NOT_FOUND.into_response();
        }
    }
    if passes_a_link(&folder, &segments) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match format!("/{inner}").parse() {
        Ok(uri) => parts.uri = uri,
        Err(_) => return StatusCode::NOT_FOUND.into_response(),
    }
    if parts.method != Method::GET && parts.method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let request = Request::from_parts(parts, body);
    let served = ServeDir::new(folder)
        .append_index_html_on_directories(false)
        .oneshot(request)
        .await;
    let mut response = match served {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(origin) = origin.and_then(|o| HeaderValue::from_str(&o).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// Whether the path of `segments` under `folder` goes through a symbolic link (the
/// root folder itself may be one: a library moved to another disk by a link).
fn passes_a_link(folder: &Path, segments: &[String]) -> bool {
    let mut path = folder.to_path_buf();
    for segment in segments {
        if segment.is_empty() || segment == "." || segment == ".." {
            continue;
        }
        path.push(segment);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => return true,
            Ok(_) => {}
            // Not there: ServeDir answers 404.
            Err(_) => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn server_with_file() -> (tempfile::TempDir, MediaServer) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("served/sub")).unwrap();
        std::fs::write(dir.path().join("served/sub/a b.txt"), b"0123456789").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"outside").unwrap();
        let server = MediaServer::start(HashMap::from([(
            "cache".to_string(),
            dir.path().join("served"),
        )]))
        .await
        .unwrap();
        (dir, server)
    }

    #[tokio::test]
    async fn files_need_the_token_and_stay_inside_their_root() {
        let (_dir, server) = server_with_file().await;
        let http = reqwest::Client::new();
        let url = server.url("cache", "sub/a b.txt");
        let ok = http.get(&url).send().await.unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(
            ok.headers()[header::CONTENT_TYPE].to_str().unwrap(),
            "text/plain"
        );
        assert_eq!(ok.bytes().await.unwrap().as_ref(), b"0123456789");

        let port_and_rest = url.strip_prefix("http://127.0.0.1:").unwrap();
        let port = port_and_rest.split('/').next().unwrap();
        for bad in [
            format!("http://127.0.0.1:{port}/wrongtoken/cache/sub/a%20b.txt"),
            format!("http://127.0.0.1:{port}/cache/sub/a%20b.txt"),
            format!("{}/cache/..%2Fsecret.txt", server.base()),
            format!("{}/cache/../secret.txt", server.base()),
            format!("{}/other/sub/a%20b.txt", server.base()),
        ] {
            let response = http.get(&bad).send().await.unwrap();
            assert_eq!(response.status(), 404, "{bad}");
        }
    }

    #[tokio::test]
    async fn ranges_conditional_requests_and_cors_for_the_app() {
        let (_dir, server) = server_with_file().await;
        let http = reqwest::Client::new();
        let url = server.url("cache", "sub/a b.txt");
        let partial = http
            .get(&url)
            .header(header::RANGE, "bytes=2-5")
            .header(header::ORIGIN, "tauri://localhost")
            .send()
            .await
            .unwrap();
        assert_eq!(partial.status(), 206);
        assert_eq!(
            partial.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "tauri://localhost"
        );
        assert_eq!(partial.bytes().await.unwrap().as_ref(), b"2345");

        let full = http.get(&url).send().await.unwrap();
        let modified = full.headers()[header::LAST_MODIFIED].clone();
        assert!(full
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none());
        let again = http
            .get(&url)
            .header(header::IF_MODIFIED_SINCE, modified)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);

        let foreign = http
            .get(&url)
            .header(header::ORIGIN, "https://evil.example")
            .send()
            .await
            .unwrap();
        assert!(foreign
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn links_inside_a_root_are_not_followed() {
        let (dir, server) = server_with_file().await;
        std::os::unix::fs::symlink(
            dir.path().join("secret.txt"),
            dir.path().join("served/link.txt"),
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
        std::fs::write(dir.path().join("elsewhere/b.txt"), b"outside too").unwrap();
        std::os::unix::fs::symlink(
            dir.path().join("elsewhere"),
            dir.path().join("served/sub/hop"),
        )
        .unwrap();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        for relative in ["link.txt", "sub/hop/b.txt"] {
            let response = http
                .get(server.url("cache", relative))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 404, "{relative}");
        }
        // The real file beside them is still served.
        let ok = http
            .get(server.url("cache", "sub/a b.txt"))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
    }

    #[tokio::test]
    async fn a_limited_root_serves_only_its_named_folders() {
        let (dir, server) = server_with_file().await;
        std::fs::create_dir_all(dir.path().join("served/thumbs")).unwrap();
        std::fs::write(dir.path().join("served/thumbs/1.jpg"), b"jpeg").unwrap();
        std::fs::write(dir.path().join("served/state.db"), b"private").unwrap();
        server.limit_root("cache", &["thumbs", "previews"]);
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let thumb = http
            .get(server.url("cache", "thumbs/1.jpg"))
            .send()
            .await
            .unwrap();
        assert_eq!(thumb.status(), 200);
        for relative in ["state.db", "sub/a b.txt"] {
            let response = http
                .get(server.url("cache", relative))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 404, "{relative}");
        }
        let encoded = format!("{}/cache/%74humbs/1.jpg", server.base());
        assert_eq!(http.get(&encoded).send().await.unwrap().status(), 200);
        let climbing = format!("{}/cache/thumbs/..%2Fstate.db", server.base());
        assert_eq!(http.get(&climbing).send().await.unwrap().status(), 404);
    }
}

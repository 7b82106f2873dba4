//! The typed async client: one method per endpoint, retries that never double-charge.

pub mod poll;

use crate::catalogue::Catalogue;
use crate::clock::Clock;
use crate::error::{credits_in_details, Error};
use crate::quote_memory::QuoteMemory;
pub use crate::retry::RetryPolicy;
use crate::retry::{is_tls, retry_after, Retry};
use crate::secret::ApiKey;
use crate::types::{
    Balance, DataEnvelope, ErrorEnvelope, GenerationRequest, MediaType, ModelList, Quote,
    QuoteRequest, Task, TaskCreated, TaskEnvelope, UploadResult, Usage, UsageQuery,
};
use crate::upload::{check_files, streaming_form, UploadKind, UploadProgress};
use poll::PollPolicy;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

mod body;
use body::{read_limited, BodyError};
pub use body::{RateFloor, RateWatch, ERROR_BODY_LIMIT, JSON_BODY_LIMIT};

/// Settings of a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub retry: RetryPolicy,
    pub poll: PollPolicy,
    /// Time to open a connection (TCP + TLS).
    pub connect_timeout: Duration,
    /// Longest silence while waiting for a reply or reading it.
    pub read_timeout: Duration,
    /// Total deadline of a JSON request, retries included: a server that sends a byte
    /// now and then never trips `read_timeout`, and must not hold a poll forever.
    pub json_timeout: Duration,
    /// Uploads have no total deadline (50 MB on a slow line may take long and is fine);
    /// they have this floor instead: slower is a stall.
    pub transfer_floor: RateFloor,
    pub user_agent: String,
    /// What retry backoffs and task polling wait on; tests pass a
    /// [`ManualClock`](crate::clock::ManualClock)'s clock to move time themselves.
    pub clock: Clock,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            retry: RetryPolicy::default(),
            poll: PollPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            json_timeout: Duration::from_secs(30),
            transfer_floor: RateFloor::default(),
            user_agent: concat!("cyberbara-rs/", env!("CARGO_PKG_VERSION")).to_string(),
            clock: Clock::system(),
        }
    }
}

/// A CyberBara API client. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Always ends in `/api/v1/`.
    api_root: Url,
    host: Arc<str>,
    key: ApiKey,
    options: ClientOptions,
    /// Recent quotes by request fingerprint, to say what a refused request would cost.
    quotes: QuoteMemory,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api_root", &self.inner.api_root.as_str())
            .field("key", &self.inner.key)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `base_url` (`https://host`, `https://host/`, `https://host/api/v1`
    /// all work) with default options. The URL must pass
    /// [`base_url::normalise`](crate::base_url::normalise): https, or http only for this
    /// computer, and no credentials, query or fragment.
    pub fn new(base_url: &str, api_key: ApiKey) -> Result<Client, Error> {
        Client::with_options(base_url, api_key, ClientOptions::default())
    }

    pub fn with_options(
        base_url: &str,
        api_key: ApiKey,
        options: ClientOptions,
    ) -> Result<Client, Error> {
        let (api_root, host) = api_root(base_url)?;
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", api_key.expose_secret()))
            .map_err(|_| Error::UnsendableApiKey)?;
        // Keeps the value out of hyper's debug output and HTTP/2 header compression.
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(options.user_agent.clone())
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .pool_idle_timeout(Duration::from_secs(90));
        // A deployment on this computer never goes through a proxy: the system proxy
        // would otherwise see the key in clear text (`HTTP_PROXY` without `NO_PROXY`).
        // Remote deployments keep the system proxy, as users expect.
        if crate::base_url::is_loopback_url(&api_root) {
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|e| Error::Setup(e.to_string()))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                api_root,
                host: Arc::from(host),
                key: api_key,
                options,
                quotes: QuoteMemory::default(),
            }),
        })
    }

    /// The API root every request goes to, e.g. `https://host/api/v1/`.
    pub fn api_root(&self) -> &Url {
        &self.inner.api_root
    }

    /// The key's hint (`sk-…a4f2`), for showing which key is in use.
    pub fn key_hint(&self) -> String {
        self.inner.key.hint()
    }

    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    /// `GET /models`, optionally only those of one media type.
    pub async fn list_models(&self, media_type: Option<&MediaType>) -> Result<ModelList, Error> {
        let mut url = self.url("models");
        if let Some(m) = media_type {
            url.query_pairs_mut().append_pair("media_type", m.as_str());
        }
        self.send(Method::GET, url, None, Retry::Idempotent, false)
            .await
    }

    /// `GET /credits/balance`.
    pub async fn balance(&self) -> Result<Balance, Error> {
        let url = self.url("credits/balance");
        self.send(Method::GET, url, None, Retry::Idempotent, false)
            .await
    }

    /// `POST /credits/quote`. Retried like a GET: it creates and charges nothing. The
    /// price is remembered so that a later `insufficient_credits` for the same request
    /// can say what it needs.
    pub async fn quote(&self, request: &QuoteRequest) -> Result<Quote, Error> {
        let url = self.url("credits/quote");
        let body = to_json(request)?;
        let quote: Quote = self
            .send(Method::POST, url, Some(body), Retry::Idempotent, false)
            .await?;
        self.inner.quotes.remember(
            &request.model,
            request.scene.as_ref(),
            &request.options,
            quote.estimated_credits,
        );
        Ok(quote)
    }

    /// `GET /credits/usage`.
    pub async fn usage(&self, query: &UsageQuery) -> Result<Usage, Error> {
        let mut url = self.url("credits/usage");
        {
            let mut q = url.query_pairs_mut();
            if let Some(page) = query.page {
                q.append_pair("page", &page.to_string());
            }
            if let Some(limit) = query.limit {
                q.append_pair("limit", &limit.to_string());
            }
            if let Some(from) = &query.from {
                q.append_pair("from", from);
            }
            if let Some(to) = &query.to {
                q.append_pair("to", to);
            }
        }
        // An empty query_pairs_mut leaves a bare `?`.
        if url.query() == Some("") {
            url.set_query(None);
        }
        self.send(Method::GET, url, None, Retry::Idempotent, false)
            .await
    }

    /// `POST /images/generations`.
    pub async fn generate_image(&self, request: &GenerationRequest) -> Result<TaskCreated, Error> {
        self.generate(&MediaType::Image, request).await
    }

    /// `POST /videos/generations`.
    pub async fn generate_video(&self, request: &GenerationRequest) -> Result<TaskCreated, Error> {
        self.generate(&MediaType::Video, request).await
    }

    /// Creates a task on the generation route of `route`: `images/`, `videos/`, and the
    /// live API's `audio/` and `music/generations` (an unknown media type `x` goes to
    /// `x/generations`).
    ///
    /// A model the built-in catalogue knows is validated first, so a mistake costs
    /// nothing ([`Error::Validation`]); other models are sent as they are and the server
    /// decides. The request is sent as given either way. Never retried once it may have
    /// reached the server.
    pub async fn generate(
        &self,
        route: &MediaType,
        request: &GenerationRequest,
    ) -> Result<TaskCreated, Error> {
        self.generate_checked(Catalogue::builtin(), route, request)
            .await
    }

    /// [`generate`](Client::generate), validating against `catalogue` instead of the
    /// built-in one: typically the built-in one merged with the deployment's own listing
    /// ([`Catalogue::with_listed`]), so a scene the server added for a known model is
    /// not refused locally.
    pub async fn generate_checked(
        &self,
        catalogue: &Catalogue,
        route: &MediaType,
        request: &GenerationRequest,
    ) -> Result<TaskCreated, Error> {
        if catalogue.model(&request.model).is_some_and(|m| m.known) {
            catalogue
                .validate(request, route)
                .map_err(Error::Validation)?;
        }
        let url = self.url(&route.generation_path());
        let body = to_json(request)?;
        let result = self
            .send::<TaskCreated>(Method::POST, url, Some(body), Retry::ConnectOnly, true)
            .await;
        result.map_err(|err| self.with_quoted_price(err, request))
    }

    /// The spec's `insufficient_credits` carries no details, so the price a person
    /// needs to see comes from an earlier [`quote`](Client::quote) of the same request
    /// when the server did not say it.
    fn with_quoted_price(&self, mut err: Error, request: &GenerationRequest) -> Error {
        if let Error::Api {
            code: crate::types::ErrorCode::InsufficientCredits,
            required_credits: required @ None,
            ..
        } = &mut err
        {
            *required =
                self.inner
                    .quotes
                    .recall(&request.model, request.scene.as_ref(), &request.options);
        }
        err
    }

    /// `GET /tasks/{id}`.
    pub async fn task(&self, id: &str) -> Result<Task, Error> {
        self.get_task(id, Retry::Idempotent).await
    }

    /// `GET /tasks/{id}`, sent once: a failure (429 and 5xx included) is returned at once.
    /// For a caller that schedules many polls and backs off for all of them together
    /// (the app's task tracker), where per-request retries would multiply a storm.
    pub async fn task_once(&self, id: &str) -> Result<Task, Error> {
        self.get_task(id, Retry::Never).await
    }

    async fn get_task(&self, id: &str, retry: Retry) -> Result<Task, Error> {
        let mut url = self.url("tasks");
        if let Ok(mut segments) = url.path_segments_mut() {
            // Pushed as one segment, so an id can never walk to another path.
            segments.push(id);
        }
        let envelope: TaskEnvelope = self.send(Method::GET, url, None, retry, false).await?;
        Ok(envelope.task)
    }

    /// `POST /uploads/images` with 1–10 files, streamed from disk. Count, size and
    /// type (sniffed from content) are checked before anything is sent; `progress` is
    /// called per chunk of each file.
    pub async fn upload_images<P>(
        &self,
        paths: &[PathBuf],
        progress: P,
    ) -> Result<UploadResult, Error>
    where
        P: Fn(UploadProgress) + Send + Sync + 'static,
    {
        self.upload(UploadKind::Image, paths, Arc::new(progress))
            .await
    }

    /// `POST /uploads/videos` with one MP4 or MOV file, streamed from disk.
    pub async fn upload_video<P>(&self, path: &Path, progress: P) -> Result<UploadResult, Error>
    where
        P: Fn(UploadProgress) + Send + Sync + 'static,
    {
        self.upload(UploadKind::Video, &[path.to_path_buf()], Arc::new(progress))
            .await
    }

    async fn upload(
        &self,
        kind: UploadKind,
        paths: &[PathBuf],
        progress: Arc<dyn Fn(UploadProgress) + Send + Sync>,
    ) -> Result<UploadResult, Error> {
        let files = check_files(kind, paths).await?;
        let url = self.url(kind.path());
        let http = &self.inner.http;
        // Bytes handed to the connection, counted from the progress callbacks: what the
        // rate floor watches while the body goes out.
        let moved = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counted: Arc<dyn Fn(UploadProgress) + Send + Sync> = {
            let moved = moved.clone();
            let last = Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
            Arc::new(move |p: UploadProgress| {
                if let Ok(mut last) = last.lock() {
                    let before: u64 = last.insert(p.index, p.sent).unwrap_or(0);
                    moved.fetch_add(
                        p.sent.saturating_sub(before),
                        std::sync::atomic::Ordering::Relaxed,
                    );
                }
                progress(p)
            })
        };
        let total: u64 = files.iter().map(|f| f.size).sum();
        let upload = self.execute(
            || {
                let url = url.clone();
                let files = &files;
                let progress = counted.clone();
                async move {
                    let form = streaming_form(files, progress).await?;
                    Ok(http.post(url).multipart(form))
                }
            },
            Retry::ConnectOnly,
            false,
        );
        let watch = self.upload_watch(moved, total);
        tokio::select! {
            result = upload => result,
            what = watch => Err(Error::Stalled {
                host: self.inner.host.to_string(),
                what,
                creating: false,
            }),
        }
    }

    /// Completes (with what stalled) when an upload falls under the rate floor while
    /// its body goes out, or when the reply takes longer than the JSON deadline once
    /// the body is out.
    async fn upload_watch(&self, moved: Arc<std::sync::atomic::AtomicU64>, total: u64) -> String {
        use std::sync::atomic::Ordering;
        let options = &self.inner.options;
        let mut watch = RateWatch::new(options.transfer_floor);
        let mut seen = 0u64;
        loop {
            tokio::time::sleep_until(watch.window_end()).await;
            let now = moved.load(Ordering::Relaxed);
            watch.record(now.saturating_sub(seen));
            seen = now;
            if now >= total {
                break;
            }
            if watch.stalled() {
                return "the upload went under 1 KiB/s".into();
            }
        }
        tokio::time::sleep(options.json_timeout).await;
        "no reply after the upload".into()
    }

    /// Polls a task until it is final; see [`poll`].
    pub fn wait_for_task(
        &self,
        id: impl Into<String>,
    ) -> impl futures_util::Stream<Item = Result<Task, Error>> + Send + 'static {
        let client = self.clone();
        let id: Arc<str> = Arc::from(id.into());
        let options = &self.inner.options;
        poll::wait_for_task(
            move || {
                let client = client.clone();
                let id = Arc::clone(&id);
                async move { client.task(&id).await }
            },
            options.clock.clone(),
            options.poll.clone(),
        )
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.inner.api_root.clone();
        // api_root ends in '/', so appending keeps any base path prefix.
        let joined = format!("{}{}", url.path(), path);
        url.set_path(&joined);
        url
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
        retry: Retry,
        creating: bool,
    ) -> Result<T, Error> {
        let http = &self.inner.http;
        let deadline = tokio::time::Instant::now() + self.inner.options.json_timeout;
        self.execute(
            || {
                // What is left of the total deadline bounds each attempt, body included
                // (reqwest's per-request timeout covers reading the body).
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                let mut req = http
                    .request(method.clone(), url.clone())
                    .timeout(left.max(Duration::from_millis(1)));
                if let Some(body) = &body {
                    req = req.json(body);
                }
                std::future::ready(Ok(req))
            },
            retry,
            creating,
        )
        .await
    }

    /// Sends what `build` makes, retrying as `retry` allows, and decodes the envelope.
    async fn execute<T, F, Fut>(
        &self,
        mut build: F,
        kind: Retry,
        creating: bool,
    ) -> Result<T, Error>
    where
        T: DeserializeOwned,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<RequestBuilder, Error>>,
    {
        let options = &self.inner.options;
        let mut retries = 0u32;
        loop {
            let request = build().await?;
            let wait = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let asked = retry_after(response.headers(), options.clock.now());
                    match options.retry.after_reply(kind, retries, status, asked) {
                        Some(wait) => {
                            tracing::debug!(%status, ?wait, retries, "retrying idempotent request");
                            wait
                        }
                        None => return self.decode(response, creating).await,
                    }
                }
                Err(err) => match options.retry.after_transport_error(kind, retries, &err) {
                    Some(wait) => {
                        tracing::debug!(?wait, retries, "retrying after transport error");
                        wait
                    }
                    None => return Err(self.transport_error(err, creating)),
                },
            };
            options.clock.sleep(wait).await;
            retries += 1;
        }
    }

    async fn decode<T: DeserializeOwned>(
        &self,
        response: Response,
        creating: bool,
    ) -> Result<T, Error> {
        let status = response.status();
        let retry_after_secs = retry_after(response.headers(), self.inner.options.clock.now())
            .map(|d| d.as_secs().min(u32::MAX as u64) as u32);
        let bytes = if status.is_success() {
            read_limited(response, JSON_BODY_LIMIT, false).await
        } else {
            read_limited(response, ERROR_BODY_LIMIT, true).await
        };
        let bytes = bytes.map_err(|e| match e {
            BodyError::TooLarge { limit } => Error::ResponseTooLarge {
                host: self.inner.host.to_string(),
                limit,
            },
            BodyError::Transport(e) => self.transport_error(e, creating),
        })?;
        if status.is_success() {
            if let Ok(envelope) = serde_json::from_slice::<DataEnvelope<T>>(&bytes) {
                return Ok(envelope.data);
            }
        }
        match serde_json::from_slice::<ErrorEnvelope>(&bytes) {
            Ok(envelope) => {
                let e = envelope.error;
                Err(Error::Api {
                    status: status.as_u16(),
                    required_credits: credits_in_details(e.details.as_ref()),
                    code: e.code,
                    message: self.inner.key.redact(&e.message),
                    details: e.details.map(|d| self.inner.key.redact_json(d)),
                    host: self.inner.host.clone(),
                    retry_after_secs,
                })
            }
            Err(_) => Err(Error::InvalidResponse {
                host: self.inner.host.to_string(),
                status: status.as_u16(),
                // Redacted before the cut: a key echoed across the cut would otherwise
                // survive in part.
                snippet: snippet(&self.inner.key.redact(&String::from_utf8_lossy(&bytes))),
            }),
        }
    }

    fn transport_error(&self, err: reqwest::Error, creating: bool) -> Error {
        let host = self.inner.host.to_string();
        // reqwest puts the URL in its errors; ours never carries the key (it travels in a
        // header), but strip it anyway so nothing of the request leaks into messages.
        let err = err.without_url();
        if is_tls(&err) {
            Error::Tls { host, source: err }
        } else if err.is_timeout() {
            Error::Timeout {
                host,
                creating,
                source: err,
            }
        } else if err.is_connect() {
            Error::Connect { host, source: err }
        } else {
            Error::Network {
                host,
                creating,
                source: err,
            }
        }
    }
}

/// The API root (`…/api/v1/`) and `host[:port]` for messages, from a base URL that passes
/// [`crate::base_url::normalise`], the same rule the app applies to its profiles.
fn api_root(base_url: &str) -> Result<(Url, String), Error> {
    let base = crate::base_url::normalise(base_url)?;
    let url = Url::parse(&format!("{base}/api/v1/"))
        .map_err(|e| Error::Setup(format!("the normalised base URL {base} did not parse: {e}")))?;
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => return Err(crate::base_url::BaseUrlError::NoHost.into()),
    };
    Ok((url, host))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|e| Error::Setup(format!("request not serialisable: {e}")))
}

fn snippet(text: &str) -> String {
    let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = collapsed.chars().take(120).collect();
    if collapsed.chars().count() > 120 {
        cut.push('…');
    }
    if cut.is_empty() {
        cut.push_str("empty body");
    }
    cut
}

#[cfg(test)]
mod tests;

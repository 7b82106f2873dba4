//! Test controls outside `/api/v1`: request counts, injected faults, account balances and
//! scripted task outcomes; and the accept loop, which owns connections so that a `drop`
//! fault can close one without replying.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use bytes::Bytes;
use cyberbara::types::ErrorCode;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

use crate::api::{data, ApiError, Shared};
use crate::tasks::Scripted;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FaultKind {
    #[serde(rename = "status_503")]
    Status503,
    #[serde(rename = "status_429")]
    Status429,
    Drop,
    Stall,
    Latency,
}

#[derive(Debug, Clone, Deserialize)]
struct FaultSpec {
    kind: FaultKind,
    next: Option<u64>,
    rate: Option<f64>,
    ms: Option<u64>,
    retry_after_secs: Option<u64>,
    path_prefix: Option<String>,
}

#[derive(Debug, Clone)]
struct Fault {
    spec: FaultSpec,
    /// Matching requests still to hit, when `next` was given.
    remaining: Option<u64>,
}

#[derive(Default)]
pub(crate) struct Controls {
    faults: Mutex<Vec<Fault>>,
    stats: Mutex<BTreeMap<String, u64>>,
    next_tasks: Mutex<HashMap<String, VecDeque<Scripted>>>,
}

impl Controls {
    /// The next scripted outcome for an account's new task, if one is queued.
    pub(crate) fn take_next_task(&self, account_id: &str) -> Option<Scripted> {
        self.next_tasks
            .lock()
            .ok()?
            .get_mut(account_id)
            .and_then(VecDeque::pop_front)
    }

    /// Puts back a decision taken for a task that was then not created (e.g. 402), so it
    /// applies to the account's next task that really is.
    pub(crate) fn give_back_next_task(&self, account_id: &str, scripted: Scripted) {
        if let Ok(mut queues) = self.next_tasks.lock() {
            queues
                .entry(account_id.to_string())
                .or_default()
                .push_front(scripted);
        }
    }

    fn count(&self, key: String) {
        if let Ok(mut stats) = self.stats.lock() {
            *stats.entry(key).or_insert(0) += 1;
        }
    }

    /// The first fault that applies to `path`, consuming one of its `next` uses.
    fn pick(&self, path: &str) -> Option<FaultSpec> {
        let mut faults = self.faults.lock().ok()?;
        faults.retain(|f| f.remaining != Some(0));
        for fault in faults.iter_mut() {
            let prefix = fault.spec.path_prefix.as_deref().unwrap_or("/api/v1");
            if !path.starts_with(prefix) {
                continue;
            }
            if let Some(left) = fault.remaining.as_mut() {
                *left -= 1;
                return Some(fault.spec.clone());
            }
            match fault.spec.rate {
                Some(rate) if rand::random::<f64>() >= rate => continue,
                _ => return Some(fault.spec.clone()),
            }
        }
        None
    }
}

/// "METHOD path-template", with task ids and blob keys replaced by placeholders.
fn template(method: &str, path: &str) -> String {
    if let Some(rest) = path.strip_prefix("/api/v1/tasks/") {
        if !rest.is_empty() && !rest.contains('/') {
            return format!("{method} /api/v1/tasks/{{id}}");
        }
    }
    if path.starts_with("/uploads/") {
        return format!("{method} /uploads/{{key}}");
    }
    format!("{method} {path}")
}

/// Closes the request's connection when notified (the `drop` fault).
#[derive(Clone)]
struct DropConnection(Arc<Notify>);

pub(crate) async fn apply_faults(
    State(state): State<Shared>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    state.controls.count(template(req.method().as_str(), &path));
    let Some(fault) = state.controls.pick(&path) else {
        return next.run(req).await;
    };
    match fault.kind {
        FaultKind::Status503 => {
            let mut err = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServiceUnavailable,
                "The service is temporarily unavailable; try again shortly.",
            );
            err.retry_after = fault.retry_after_secs;
            err.into_response()
        }
        FaultKind::Status429 => {
            let secs = fault.retry_after_secs.unwrap_or(1);
            let mut err = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyRequests,
                format!("Too many requests; retry after {secs} second(s)."),
            )
            .with_details(json!({ "retry_after_secs": secs }));
            err.retry_after = Some(secs);
            err.into_response()
        }
        FaultKind::Drop => {
            if let Some(handle) = req.extensions().get::<DropConnection>() {
                handle.0.notify_one();
            }
            // The connection task drops this future together with the connection.
            std::future::pending::<Response>().await
        }
        FaultKind::Stall => {
            tokio::time::sleep(Duration::from_millis(fault.ms.unwrap_or(30_000))).await;
            next.run(req).await
        }
        FaultKind::Latency => {
            tokio::time::sleep(Duration::from_millis(fault.ms.unwrap_or(250))).await;
            next.run(req).await
        }
    }
}

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/_sandbox/stats", get(stats).delete(reset_stats))
        .route(
            "/_sandbox/faults",
            post(add_fault).delete(clear_faults).get(list_faults),
        )
        .route("/_sandbox/accounts/{api_key}", put(set_account))
        .route("/_sandbox/next-task", post(next_task))
}

fn body_json<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad(
            ErrorCode::InvalidJson,
            format!("The test-control body is not valid: {e}."),
        )
    })
}

async fn stats(State(state): State<Shared>) -> Response {
    let requests = state
        .controls
        .stats
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    Json(json!({ "requests": requests })).into_response()
}

async fn reset_stats(State(state): State<Shared>) -> Response {
    if let Ok(mut s) = state.controls.stats.lock() {
        s.clear();
    }
    data(json!({ "cleared": true }))
}

async fn add_fault(State(state): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let spec: FaultSpec = body_json(&body)?;
    if let Some(rate) = spec.rate {
        if !(0.0..=1.0).contains(&rate) {
            return Err(ApiError::bad(
                ErrorCode::InvalidRequest,
                "rate must be between 0 and 1.",
            ));
        }
    }
    let mut faults = state
        .controls
        .faults
        .lock()
        .map_err(|_| ApiError::internal("fault list lock poisoned"))?;
    faults.push(Fault {
        remaining: spec.next,
        spec,
    });
    Ok(data(json!({ "active": faults.len() })))
}

async fn clear_faults(State(state): State<Shared>) -> Response {
    let cleared = state
        .controls
        .faults
        .lock()
        .map(|mut f| std::mem::take(&mut *f).len())
        .unwrap_or(0);
    data(json!({ "cleared": cleared }))
}

async fn list_faults(State(state): State<Shared>) -> Response {
    let faults: Vec<Value> = state
        .controls
        .faults
        .lock()
        .map(|f| {
            f.iter()
                .map(|f| {
                    json!({
                        "kind": format!("{:?}", f.spec.kind),
                        "remaining": f.remaining,
                        "rate": f.spec.rate,
                        "path_prefix": f.spec.path_prefix,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    data(json!({ "faults": faults }))
}

#[derive(Deserialize)]
struct AccountBody {
    credits: i64,
}

async fn set_account(
    State(state): State<Shared>,
    Path(api_key): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: AccountBody = body_json(&body)?;
    let account = state.store.set_account(&api_key, body.credits)?;
    Ok(data(json!({
        "user_id": account.id,
        "remaining_credits": account.credits,
    })))
}

#[derive(Deserialize)]
struct NextTaskBody {
    api_key: String,
    outcome: String,
    duration_ms: Option<i64>,
}

async fn next_task(State(state): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let body: NextTaskBody = body_json(&body)?;
    let fail = match body.outcome.as_str() {
        "success" => false,
        "failed" => true,
        other => {
            return Err(ApiError::bad(
                ErrorCode::InvalidRequest,
                format!("outcome must be \"success\" or \"failed\", not \"{other}\"."),
            ))
        }
    };
    state
        .store
        .ensure_account(&body.api_key, state.default_credits)?;
    let account = state
        .store
        .account_by_key(&body.api_key)?
        .ok_or_else(|| ApiError::internal("account vanished after creation"))?;
    let mut queues = state
        .controls
        .next_tasks
        .lock()
        .map_err(|_| ApiError::internal("next-task queue lock poisoned"))?;
    let queue = queues.entry(account.id).or_default();
    queue.push_back(Scripted {
        fail,
        run_ms: body.duration_ms.map(|ms| ms.max(0)),
    });
    Ok(data(json!({ "queued": queue.len() })))
}

/// Accepts connections until shutdown. Each connection runs in its own task, which ends
/// (closing the socket) on shutdown or when a `drop` fault fires.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let router = router.clone();
        let mut conn_shutdown = shutdown.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let handle = DropConnection(kill.clone());
            let service = hyper::service::service_fn(
                move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(handle.clone());
                    router.clone().oneshot(req.map(axum::body::Body::new))
                },
            );
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = kill.notified() => {}
                _ = conn_shutdown.wait_for(|stop| *stop) => {}
            }
        });
    }
}

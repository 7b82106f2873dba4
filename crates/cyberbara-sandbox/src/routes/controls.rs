//! The test controls under `/_sandbox/` (only routed when enabled) and the middleware
//! that counts requests and injects faults.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use bytes::Bytes;
use cyberbara::types::ErrorCode;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

use crate::reply::{data, ApiError};
use crate::server::DropConnection;
use crate::state::Shared;
use crate::test_controls::{template, Fault, FaultKind, FaultSpec, Scripted};

pub(super) async fn apply_faults(
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
                handle.close();
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

pub(super) fn router() -> Router<Shared> {
    Router::new()
        .route("/_sandbox/stats", get(stats).delete(reset_stats))
        .route(
            "/_sandbox/faults",
            post(add_fault).delete(clear_faults).get(list_faults),
        )
        .route("/_sandbox/accounts", put(set_account))
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

/// The key travels in the body, never in the URL, where logs and histories keep it.
#[derive(Deserialize)]
struct AccountBody {
    api_key: String,
    credits: i64,
}

async fn set_account(State(state): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let body: AccountBody = body_json(&body)?;
    if body.api_key.trim().is_empty() {
        return Err(ApiError::bad(
            ErrorCode::InvalidRequest,
            "api_key must be a non-empty string.",
        ));
    }
    let account = state.store.set_account(&body.api_key, body.credits)?;
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

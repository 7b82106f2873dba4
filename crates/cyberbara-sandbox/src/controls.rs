//! A typed client for the Sandbox's test controls (`/_sandbox/…`, routed only when
//! [`SandboxConfig::test_controls`](crate::SandboxConfig) is on), so the tests and
//! benchmarks of every crate count requests, inject faults and script outcomes through
//! one set of calls instead of spelling the routes and bodies by hand.
//!
//! ```
//! use cyberbara_sandbox::controls::{FaultKind, FaultSpec, SandboxControls};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = cyberbara_sandbox::Sandbox::start(cyberbara_sandbox::SandboxConfig {
//!     test_controls: true,
//!     ..Default::default()
//! })
//! .await?;
//! let controls = SandboxControls::new(&sandbox.base_url());
//! controls
//!     .add_fault(&FaultSpec {
//!         next: Some(1),
//!         ..FaultSpec::new(FaultKind::Status503)
//!     })
//!     .await?;
//! assert_eq!(controls.count("GET /api/v1/credits/balance").await?, 0);
//! # sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What an injected fault does to a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// `503 service_unavailable`, with `retry_after_secs` as `Retry-After` when given.
    #[serde(rename = "status_503")]
    Status503,
    /// `429 too_many_requests` with `Retry-After` (`retry_after_secs`, default 1).
    #[serde(rename = "status_429")]
    Status429,
    /// The connection is closed without a reply.
    Drop,
    /// The reply waits `ms` (default 30 s) before it starts.
    Stall,
    /// The reply waits `ms` (default 250 ms), then comes normally.
    Latency,
}

/// A fault for `POST /_sandbox/faults`: which requests it hits (those whose path starts
/// with `path_prefix`, default `/api/v1`), and how often (the `next` n of them, or each
/// with probability `rate`, or all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultSpec {
    pub kind: FaultKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
}

impl FaultSpec {
    /// A fault of `kind` on every API request; narrow it with struct update syntax.
    pub fn new(kind: FaultKind) -> FaultSpec {
        FaultSpec {
            kind,
            next: None,
            rate: None,
            ms: None,
            retry_after_secs: None,
            path_prefix: None,
        }
    }
}

/// How a scripted next task ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NextOutcome {
    Success,
    Failed,
}

/// The test controls of one running sandbox. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SandboxControls {
    http: reqwest::Client,
    base: String,
}

impl SandboxControls {
    /// Controls of the sandbox at `base_url` (`http://127.0.0.1:PORT`).
    pub fn new(base_url: &str) -> SandboxControls {
        SandboxControls {
            http: reqwest::Client::new(),
            base: base_url.trim_end_matches('/').to_string(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/_sandbox/{path}", self.base)
    }

    /// Requests served since the start or the last [`reset_stats`](Self::reset_stats),
    /// by `"METHOD path-template"` (e.g. `GET /api/v1/tasks/{id}`).
    pub async fn stats(&self) -> reqwest::Result<BTreeMap<String, u64>> {
        let reply: Value = self
            .http
            .get(self.url("stats"))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(reply["requests"]
            .as_object()
            .map(|routes| {
                routes
                    .iter()
                    .filter_map(|(route, n)| Some((route.clone(), n.as_u64()?)))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Requests served on one route (`"GET /api/v1/credits/balance"`).
    pub async fn count(&self, route: &str) -> reqwest::Result<u64> {
        Ok(self.stats().await?.get(route).copied().unwrap_or(0))
    }

    /// Requests served on every route together.
    pub async fn total(&self) -> reqwest::Result<u64> {
        Ok(self.stats().await?.values().sum())
    }

    /// Starts counting from zero.
    pub async fn reset_stats(&self) -> reqwest::Result<()> {
        self.send(self.http.delete(self.url("stats"))).await
    }

    /// Adds a fault; the sandbox refuses an invalid one (e.g. a `rate` outside 0–1).
    pub async fn add_fault(&self, fault: &FaultSpec) -> reqwest::Result<()> {
        self.send(self.http.post(self.url("faults")).json(fault))
            .await
    }

    /// Removes every fault.
    pub async fn clear_faults(&self) -> reqwest::Result<()> {
        self.send(self.http.delete(self.url("faults"))).await
    }

    /// Creates the account of `api_key` or sets its balance to `credits`.
    pub async fn set_credits(&self, api_key: &str, credits: i64) -> reqwest::Result<()> {
        let body = json!({ "api_key": api_key, "credits": credits });
        self.send(self.http.put(self.url("accounts")).json(&body))
            .await
    }

    /// Decides how the next task of `api_key` ends and how long it runs.
    pub async fn next_task(
        &self,
        api_key: &str,
        outcome: NextOutcome,
        duration_ms: u64,
    ) -> reqwest::Result<()> {
        let body = json!({ "api_key": api_key, "outcome": outcome, "duration_ms": duration_ms });
        self.send(self.http.post(self.url("next-task")).json(&body))
            .await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> reqwest::Result<()> {
        request.send().await?.error_for_status()?;
        Ok(())
    }
}

//! Shared setup for the client tests: a real sandbox on 127.0.0.1:0, a client with
//! short retry and poll intervals, and the sandbox's test controls over HTTP.
#![allow(dead_code)]

use cyberbara::types::ModelInfo;
use cyberbara::{ApiKey, Backoff, Client, ClientOptions, PollPolicy, RetryPolicy};
use cyberbara_sandbox::controls::{FaultSpec, NextOutcome, SandboxControls};
use cyberbara_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const KEY: &str = "sk-client-test-0123456789abcdef";

/// A 1×1 PNG, valid down to its CRCs.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x04, 0x00, 0x00, 0x00, 0xb5, 0x1c, 0x0c,
    0x02, 0x00, 0x00, 0x00, 0x0b, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0x60, 0x00, 0x00,
    0x00, 0x06, 0x00, 0x02, 0x30, 0x81, 0xd0, 0x2f, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
    0xae, 0x42, 0x60, 0x82,
];

/// The start of an MP4: an `ftyp` box (isom, compatible isom/iso2/mp41).
pub const MP4_HEAD: &[u8] =
    b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2mp41\x00\x00\x00\x08free";

pub struct Env {
    pub sandbox: Sandbox,
    pub base: String,
    pub client: Client,
    pub raw: reqwest::Client,
    pub controls: SandboxControls,
}

pub fn fast_options() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            max_retries: 3,
            backoff: Backoff {
                base: Duration::from_millis(10),
                cap: Duration::from_millis(50),
                jitter: true,
            },
            max_retry_after: Duration::from_secs(5),
        },
        poll: PollPolicy {
            initial: Duration::from_millis(20),
            factor: 1.5,
            max: Duration::from_millis(200),
        },
        ..ClientOptions::default()
    }
}

pub async fn start() -> Env {
    start_with(SandboxConfig::default()).await
}

/// A sandbox with the test key and the test controls on (stats, faults and scripted
/// outcomes are how these tests see what the client sent).
pub async fn start_with(mut config: SandboxConfig) -> Env {
    config.api_keys.push(KEY.to_string());
    config.test_controls = true;
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let base = sandbox.base_url();
    let client = Client::with_options(&base, ApiKey::new(KEY), fast_options()).unwrap();
    Env {
        sandbox,
        controls: SandboxControls::new(&base),
        base,
        client,
        raw: reqwest::Client::new(),
    }
}

/// A model only the server knows, to see the server's own refusals through the client.
pub fn server_only_model() -> ModelInfo {
    serde_json::from_value(json!({
        "model": "future-image-model",
        "media_type": "image",
        "supported_scenes": ["text-to-image"]
    }))
    .unwrap()
}

impl Env {
    pub fn client_with(&self, key: &str, options: ClientOptions) -> Client {
        Client::with_options(&self.base, ApiKey::new(key), options).unwrap()
    }

    /// A client with the test key and no retries, pointed at another server.
    pub fn client_with_base(&self, base: &str) -> Client {
        Client::with_options(
            base,
            ApiKey::new(KEY),
            ClientOptions {
                retry: RetryPolicy::none(),
                ..fast_options()
            },
        )
        .unwrap()
    }

    pub async fn stats(&self) -> BTreeMap<String, u64> {
        self.controls.stats().await.unwrap()
    }

    pub async fn count(&self, template: &str) -> u64 {
        self.controls.count(template).await.unwrap()
    }

    /// Adds a fault written as the control's JSON (checked against [`FaultSpec`]).
    pub async fn fault(&self, spec: Value) {
        let spec: FaultSpec = serde_json::from_value(spec).expect("a valid fault");
        self.controls
            .add_fault(&spec)
            .await
            .expect("fault accepted");
    }

    pub async fn set_credits(&self, key: &str, credits: i64) {
        self.controls.set_credits(key, credits).await.unwrap();
    }

    pub async fn next_task(&self, outcome: NextOutcome, duration_ms: u64) {
        self.controls
            .next_task(KEY, outcome, duration_ms)
            .await
            .unwrap();
    }

    /// A request with the key but without the client, for what the client refuses to send.
    pub fn raw_authed(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.raw
            .request(method, format!("{}/api/v1/{path}", self.base))
            .bearer_auth(KEY)
    }
}

/// The `error.code` of a raw reply, asserting it is the envelope.
pub async fn raw_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error envelope: {body}"))
        .to_string();
    (status, code)
}

/// A directory removed on drop (a `tempfile` directory), with helpers to fill it.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        TempDir(
            tempfile::Builder::new()
                .prefix(&format!("cyberbara-client-{label}-"))
                .tempdir()
                .unwrap(),
        )
    }

    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// `head` followed by zeros up to `size` bytes, written sparsely.
    pub fn sized_file(&self, name: &str, head: &[u8], size: u64) -> PathBuf {
        let path = self.path().join(name);
        let mut f = std::fs::File::create(&path).unwrap();
        std::io::Write::write_all(&mut f, head).unwrap();
        f.set_len(size).unwrap();
        path
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

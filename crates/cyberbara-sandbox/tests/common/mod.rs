//! Shared test plumbing: a real sandbox on 127.0.0.1:0 and raw HTTP calls.
#![allow(dead_code)]

use cyberbara_sandbox::{Sandbox, SandboxConfig};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;

pub struct Env {
    pub sandbox: Sandbox,
    pub base: String,
    pub http: reqwest::Client,
}

/// Task run times divided by 50: an image takes 120 ms, a 10 s video 0.9 s.
pub const SPEED: f64 = 50.0;

/// A sandbox with the test controls on (as every suite here uses some) and `keys`.
pub async fn start(keys: &[&str]) -> Env {
    start_with(SandboxConfig {
        api_keys: keys.iter().map(|k| k.to_string()).collect(),
        speed: SPEED,
        test_controls: true,
        ..Default::default()
    })
    .await
}

pub async fn start_with(config: SandboxConfig) -> Env {
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let base = sandbox.base_url();
    Env {
        sandbox,
        base,
        http: reqwest::Client::new(),
    }
}

pub async fn body(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("reply is not JSON ({e}): {text:?}"));
    (status, value)
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, key: &str, path: &str) -> (StatusCode, Value) {
        body(
            self.http
                .get(self.url(path))
                .bearer_auth(key)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, key: &str, path: &str, json: Value) -> (StatusCode, Value) {
        body(
            self.http
                .post(self.url(path))
                .header("x-api-key", key)
                .json(&json)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn set_credits(&self, key: &str, credits: i64) {
        cyberbara_sandbox::controls::SandboxControls::new(&self.base)
            .set_credits(key, credits)
            .await
            .unwrap();
    }

    pub async fn balance(&self, key: &str) -> i64 {
        let (status, v) = self.get(key, "/api/v1/credits/balance").await;
        assert_eq!(status, StatusCode::OK, "{v}");
        v["data"]["remaining_credits"].as_i64().unwrap()
    }

    /// Reads the task until it is final; returns the final task and every status seen.
    /// Between reads it awaits the sandbox's next finished task rather than sleeping (a
    /// minute without one fails the test).
    pub async fn wait_final(&self, key: &str, task_id: &str) -> (Value, Vec<String>) {
        let mut finished = self.sandbox.finished_tasks();
        let mut seen: Vec<String> = Vec::new();
        loop {
            let (status, v) = self.get(key, &format!("/api/v1/tasks/{task_id}")).await;
            assert_eq!(status, StatusCode::OK, "{v}");
            let task = v["data"]["task"].clone();
            let s = task["status"].as_str().unwrap().to_string();
            if seen.last() != Some(&s) {
                seen.push(s.clone());
            }
            if ["success", "failed", "canceled"].contains(&s.as_str()) {
                return (task, seen);
            }
            tokio::time::timeout(Duration::from_secs(60), finished.changed())
                .await
                .unwrap_or_else(|_| panic!("task never finished: {seen:?}"))
                .unwrap();
        }
    }

    pub async fn fetch(&self, url: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let resp = self.http.get(url).send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        (status, headers, resp.bytes().await.unwrap().to_vec())
    }
}

pub fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<no error code>")
}

/// A real PNG of the given size.
pub fn png(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb([shade, 100, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The first bytes of an MP4 (`ftyp` box) followed by filler: enough to be typed as video/mp4.
pub fn mp4_like(len: usize) -> Vec<u8> {
    let mut v = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2".to_vec();
    v.resize(len.max(v.len()), 0);
    v
}

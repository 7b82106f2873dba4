//! Every rule of every model, accepted once and refused once, checked twice: against
//! `Catalogue::validate` and against the real sandbox over HTTP, which must answer the same.

#[path = "matrix/cases.rs"]
mod cases;
#[path = "matrix/local.rs"]
mod local;

use cases::Expect;
use cyberbara::types::{ErrorCode, MediaType};
use cyberbara_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

/// Uploads a real H.264 MP4 lasting `secs` seconds and returns its URL.
async fn upload_video(http: &reqwest::Client, base: &str, secs: f64) -> String {
    let (width, height) = cyberbara_sandbox::media::video_dimensions(Some("16:9"));
    let bytes = cyberbara_sandbox::media::render_video(&cyberbara_sandbox::media::VideoSpec {
        width,
        height,
        duration_secs: secs,
        fps: 4,
        prompt: "a reference video",
        seed: 1,
        reference: None,
    })
    .unwrap();
    let form = reqwest::multipart::Form::new().part(
        "files",
        reqwest::multipart::Part::bytes(bytes).file_name("reference.mp4"),
    );
    let reply: Value = http
        .post(format!("{base}/api/v1/uploads/videos"))
        .bearer_auth(KEY)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["data"]["files"][0]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("upload refused: {reply}"))
        .to_string()
}

#[test]
fn every_case_matches_the_local_validator() {
    let cases = cases::all();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            local::check(c)
                .err()
                .map(|why| format!("{}: {why}", c.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_matrix_covers_every_option_scene_and_rule() {
    let gaps = local::coverage_gaps(&cases::all());
    assert!(gaps.is_empty(), "uncovered:\n{}", gaps.join("\n"));
}

const KEY: &str = "matrix-test-key";

/// The HTTP half: the sandbox validates with the same catalogue, so any difference here
/// is a bug in how the sandbox wires validation into its routes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_matches_the_sandbox_over_http() {
    let sandbox = Sandbox::start(SandboxConfig {
        api_keys: vec![KEY.to_string()],
        credits: 1_000_000,
        speed: 1000.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let mut failures = Vec::new();
    let cases = cases::all();
    // Rules about the length of a reference video see real files over HTTP: each
    // length a case states becomes an uploaded video of that length.
    let mut uploaded: HashMap<String, String> = HashMap::new();
    for case in &cases {
        for (_, secs) in &case.lengths {
            if let Entry::Vacant(slot) = uploaded.entry(secs.to_string()) {
                slot.insert(upload_video(&http, &sandbox.base_url(), *secs).await);
            }
        }
    }
    for case in &cases {
        let path = match local::route(case) {
            MediaType::Image => "images",
            MediaType::Video => "videos",
            MediaType::Audio => "audio",
            MediaType::Music => "music",
            other => panic!("no route for {other}"),
        };
        let mut body = case.body.to_string();
        for (url, secs) in &case.lengths {
            body = body.replace(url, &uploaded[&secs.to_string()]);
        }
        let reply = http
            .post(format!("{}/api/v1/{path}/generations", sandbox.base_url()))
            .bearer_auth(KEY)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = reply.status().as_u16();
        let body: Value = reply.json().await.unwrap_or(Value::Null);
        let verdict = match &case.expect {
            Expect::Accept(_) => {
                let local_scene = local::run(case).map(|n| n.scene.as_str().to_string()).ok();
                let ok = matches!(status, 200 | 201)
                    && body["data"]["task_id"]
                        .as_str()
                        .is_some_and(|id| !id.is_empty())
                    && body["data"]["scene"].as_str() == local_scene.as_deref();
                ok.then_some(())
                    .ok_or_else(|| format!("expected acceptance, got {status} {body}"))
            }
            Expect::Refuse(code, _) => {
                let got = body["error"]["code"].as_str().map(ErrorCode::parse);
                let ok = status == 400 && got.as_ref() == Some(code);
                ok.then_some(())
                    .ok_or_else(|| format!("expected 400 {code}, got {status} {body}"))
            }
        };
        if let Err(why) = verdict {
            failures.push(format!("{}: {why}", case.name));
        }
    }
    sandbox.shutdown().await;
    assert!(
        failures.is_empty(),
        "{} of {} cases differ over HTTP:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

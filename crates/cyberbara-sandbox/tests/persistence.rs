//! With a data directory, accounts, ledgers, uploads and tasks survive a restart.

mod common;

use common::{png, start_with};
use cyberbara::clock::ManualClock;
use cyberbara_sandbox::SandboxConfig;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

fn config(dir: &std::path::Path) -> SandboxConfig {
    SandboxConfig {
        api_keys: vec!["k-disk".into()],
        data_dir: Some(dir.to_path_buf()),
        speed: 50.0,
        ..Default::default()
    }
}

/// The same, on a clock the test moves (one clock across both runs, like wall time).
fn config_at(dir: &std::path::Path, time: &ManualClock) -> SandboxConfig {
    SandboxConfig {
        clock: time.clock(),
        ..config(dir)
    }
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let time = ManualClock::starting_now();
    let env = start_with(config_at(dir.path(), &time)).await;
    let bytes = png(40, 30, 77);
    let resp = env
        .http
        .post(env.url("/api/v1/uploads/images"))
        .bearer_auth("k-disk")
        .multipart(Form::new().part("files", Part::bytes(bytes.clone()).file_name("ref.png")))
        .send()
        .await
        .unwrap();
    let (_, up) = common::body(resp).await;
    let key = up["data"]["files"][0]["key"].as_str().unwrap().to_string();
    let (_, done) = env
        .post(
            "k-disk",
            "/api/v1/images/generations",
            json!({"model": "nano-banana-pro", "prompt": "kept"}),
        )
        .await;
    let done_id = done["data"]["task_id"].as_str().unwrap().to_string();
    let mut finished = env.sandbox.finished_tasks();
    time.advance(Duration::from_millis(120));
    finished.changed().await.unwrap();
    // A task still running at shutdown finishes after the restart.
    let (_, open) = env
        .post(
            "k-disk",
            "/api/v1/videos/generations",
            json!({"model": "kling-2.6", "prompt": "later [sandbox:ms=4000]"}),
        )
        .await;
    let open_id = open["data"]["task_id"].as_str().unwrap().to_string();
    let (_, still) = env.get("k-disk", &format!("/api/v1/tasks/{open_id}")).await;
    let (_, usage_before) = env.get("k-disk", "/api/v1/credits/usage").await;
    let balance_before = env.balance("k-disk").await;
    assert_eq!(balance_before, 500 - 8 - 25);
    // Its clock has not moved, so it is unfinished for certain when the sandbox stops.
    assert_eq!(still["data"]["task"]["status"], "pending", "{still}");
    env.sandbox.shutdown().await;

    // Restart with a different port; the key's account is not reset by its config credits.
    let env = start_with(config_at(dir.path(), &time)).await;
    assert_eq!(env.balance("k-disk").await, balance_before);
    let (_, usage_after) = env.get("k-disk", "/api/v1/credits/usage").await;
    assert_eq!(usage_after["data"]["items"], usage_before["data"]["items"]);

    let (status, task) = env.get("k-disk", &format!("/api/v1/tasks/{done_id}")).await;
    assert_eq!(status, StatusCode::OK);
    let url = task["data"]["task"]["output"]["images"][0]
        .as_str()
        .unwrap();
    assert!(
        url.starts_with(&env.base),
        "output URLs follow the new address: {url}"
    );
    let (status, _, image) = env.fetch(url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(image::load_from_memory(&image).is_ok());

    let (served_status, _, served) = env.fetch(&format!("{}/uploads/{key}", env.base)).await;
    assert_eq!(served_status, StatusCode::OK);
    assert_eq!(served, bytes);
    let resp = env
        .http
        .post(env.url("/api/v1/uploads/images"))
        .bearer_auth("k-disk")
        .multipart(Form::new().part("files", Part::bytes(bytes.clone()).file_name("again.png")))
        .send()
        .await
        .unwrap();
    let (_, again) = common::body(resp).await;
    assert_eq!(again["data"]["files"][0]["deduped"], true);

    // The resumed task finishes once its time comes.
    time.advance(Duration::from_millis(4_000));
    let (task, _) = env.wait_final("k-disk", &open_id).await;
    assert_eq!(task["status"], "success");
    assert_eq!(task["output"]["videos"].as_array().unwrap().len(), 1);

    // Nothing on disk carries the API key.
    for entry in walk(dir.path()) {
        let content = std::fs::read(&entry).unwrap();
        assert!(
            !content.windows(6).any(|w| w == b"k-disk"),
            "{} contains the API key",
            entry.display()
        );
    }
    env.sandbox.shutdown().await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn without_a_data_dir_nothing_is_kept() {
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-mem".into()],
        test_controls: true,
        ..Default::default()
    })
    .await;
    env.set_credits("k-mem", 7).await;
    env.sandbox.shutdown().await;
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-mem".into()],
        ..Default::default()
    })
    .await;
    assert_eq!(env.balance("k-mem").await, 500);
}

#[tokio::test]
async fn oversized_uploads_leave_nothing_behind_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let env = start_with(config(dir.path())).await;
    let resp = env
        .http
        .post(env.url("/api/v1/uploads/videos"))
        .bearer_auth("k-disk")
        .multipart(Form::new().part(
            "files",
            Part::bytes(common::mp4_like(50 * 1024 * 1024 + 1)).file_name("huge.mp4"),
        ))
        .send()
        .await
        .unwrap();
    let (status, v) = common::body(resp).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(common::code(&v), "file_too_large");
    let (status, ok) = {
        let resp = env
            .http
            .post(env.url("/api/v1/uploads/videos"))
            .bearer_auth("k-disk")
            .multipart(Form::new().part(
                "file",
                Part::bytes(common::mp4_like(2_000_000)).file_name("ok.mp4"),
            ))
            .send()
            .await
            .unwrap();
        common::body(resp).await
    };
    assert_eq!(status, StatusCode::OK, "{ok}");
    let stored: Vec<_> = walk(dir.path())
        .into_iter()
        .filter(|p| std::fs::metadata(p).unwrap().len() > 1_000_000)
        .collect();
    assert_eq!(
        stored.len(),
        1,
        "only the accepted video is on disk: {stored:?}"
    );
    assert!(stored[0].to_string_lossy().ends_with(".mp4"));
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn storage_failures_are_500_internal_error() {
    let dir = tempfile::tempdir().unwrap();
    let env = start_with(config(dir.path())).await;
    // Make the upload staging area unusable underneath the running server.
    std::fs::remove_dir_all(dir.path().join("incoming")).unwrap();
    std::fs::write(dir.path().join("incoming"), b"not a directory").unwrap();
    let resp = env
        .http
        .post(env.url("/api/v1/uploads/images"))
        .bearer_auth("k-disk")
        .multipart(Form::new().part("files", Part::bytes(png(4, 4, 4)).file_name("a.png")))
        .send()
        .await
        .unwrap();
    let (status, v) = common::body(resp).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(common::code(&v), "internal_error");
    assert!(v["error"]["message"].as_str().unwrap().len() > 10);
    env.sandbox.shutdown().await;
}

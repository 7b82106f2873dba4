//! A refused upload request stores nothing: files it sent before the one that was refused
//! do not linger in storage without a key pointing at them, while blobs that existed
//! before the request (dedupe) stay served.

mod common;

use common::{code, mp4_like, png, start_with, Env};
use cyberbara_sandbox::SandboxConfig;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const KEY: &str = "k-refused";

fn part(bytes: Vec<u8>, name: &str, mime: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(mime)
        .unwrap()
}

async fn upload(env: &Env, route: &str, parts: Vec<Part>) -> (StatusCode, Value) {
    let mut form = Form::new();
    for p in parts {
        form = form.part("files", p);
    }
    let resp = env
        .http
        .post(env.url(&format!("/api/v1/uploads/{route}")))
        .bearer_auth(KEY)
        .multipart(form)
        .send()
        .await
        .unwrap();
    common::body(resp).await
}

/// Uploads one image alone and says whether the sandbox already had those bytes.
async fn deduped_alone(env: &Env, bytes: Vec<u8>) -> bool {
    let (status, v) = upload(env, "images", vec![part(bytes, "again.png", "image/png")]).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["data"]["files"][0]["deduped"].as_bool().unwrap()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Runs every refusal against `env`; returns the URL of the blob that existed before.
async fn refusals_store_nothing(env: &Env) -> String {
    // A blob that exists before the refused requests, and is sent again inside them.
    let existing = png(9, 9, 1);
    let (status, v) = upload(
        env,
        "images",
        vec![part(existing.clone(), "existing.png", "image/png")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let existing_url = v["data"]["urls"][0].as_str().unwrap().to_string();

    // invalid_file_type on the third file, after a new and an existing image.
    let fresh = png(9, 9, 2);
    let (status, v) = upload(
        env,
        "images",
        vec![
            part(fresh.clone(), "fresh.png", "image/png"),
            part(existing.clone(), "existing.png", "image/png"),
            part(
                b"%PDF-1.7 not an image".to_vec(),
                "sample.pdf",
                "application/pdf",
            ),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        v,
        json!({"error": {
            "code": "invalid_file_type",
            "message": "Unsupported image type for file \"sample.pdf\".",
            "details": {"index": 2, "filename": "sample.pdf"}
        }})
    );

    // too_many_files: eleven images, every one new.
    let eleven: Vec<Vec<u8>> = (0..11).map(|i| png(9, 9, 10 + i)).collect();
    let parts = eleven
        .iter()
        .enumerate()
        .map(|(i, b)| part(b.clone(), &format!("{i}.png"), "image/png"))
        .collect();
    let (status, v) = upload(env, "images", parts).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v), "too_many_files");

    // file_too_large on the second image.
    let before_big = png(9, 9, 3);
    let mut big = png(9, 9, 4);
    big.resize(10 * 1024 * 1024 + 1, 0);
    let (status, v) = upload(
        env,
        "images",
        vec![
            part(before_big.clone(), "small.png", "image/png"),
            part(big, "big.png", "image/png"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code(&v), "file_too_large");

    // Two videos where one is allowed: nothing of the first is kept either.
    let (status, v) = upload(
        env,
        "videos",
        vec![
            part(mp4_like(300_000), "a.mp4", "video/mp4"),
            part(mp4_like(300_001), "b.mp4", "video/mp4"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v), "too_many_files");

    // None of the refused requests' new files were kept...
    assert!(!deduped_alone(env, fresh).await, "fresh.png was kept");
    assert!(
        !deduped_alone(env, eleven[0].clone()).await,
        "0.png was kept"
    );
    assert!(
        !deduped_alone(env, eleven[9].clone()).await,
        "9.png was kept"
    );
    assert!(!deduped_alone(env, before_big).await, "small.png was kept");
    // ...and the blob that existed before is still there and served.
    assert!(deduped_alone(env, existing.clone()).await);
    let (status, _, body) = env.fetch(&existing_url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, existing);
    existing_url
}

#[tokio::test]
async fn refused_uploads_keep_nothing_in_memory() {
    let env = start_with(SandboxConfig {
        api_keys: vec![KEY.into()],
        ..Default::default()
    })
    .await;
    refusals_store_nothing(&env).await;
}

#[tokio::test]
async fn refused_uploads_keep_nothing_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let env = start_with(SandboxConfig {
        api_keys: vec![KEY.into()],
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    refusals_store_nothing(&env).await;
    // Exactly the five images uploaded alone are stored; no half-received file is left.
    let blobs = files_under(&dir.path().join("blobs"));
    assert_eq!(blobs.len(), 5, "{blobs:?}");
    assert!(blobs.iter().all(|p| p.extension().unwrap() == "png"));
    let incoming = files_under(&dir.path().join("incoming"));
    assert!(incoming.is_empty(), "{incoming:?}");
    env.sandbox.shutdown().await;
}

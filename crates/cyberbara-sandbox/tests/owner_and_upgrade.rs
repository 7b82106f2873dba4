//! The owner account across restarts (new key, same account), upload URLs from an earlier
//! port, and a data directory written before the schema was versioned.

mod common;

use common::{png, start_with, Env};
use cyberbara_sandbox::SandboxConfig;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn owner_config(dir: &std::path::Path, key: &str) -> SandboxConfig {
    SandboxConfig {
        owner_key: Some(key.into()),
        credits: 300,
        data_dir: Some(dir.to_path_buf()),
        speed: 50.0,
        extra_models: serde_json::from_value(json!([
            {"model": "seeded-image", "media_type": "image", "supported_scenes": ["text-to-image", "image-to-image"]}
        ]))
        .unwrap(),
        ..Default::default()
    }
}

async fn upload_png(env: &Env, key: &str) -> String {
    let form = Form::new().part("files", Part::bytes(png(48, 32, 200)).file_name("ref.png"));
    let resp = env
        .http
        .post(env.url("/api/v1/uploads/images"))
        .bearer_auth(key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, v) = common::body(resp).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["data"]["urls"][0].as_str().unwrap().to_string()
}

/// An image from a model that takes a seed, so that equal bytes mean equal inputs: without
/// a seed each task draws its own picture.
async fn image_from(env: &Env, key: &str, mut options: Value) -> Vec<u8> {
    options["seed"] = json!(11);
    let (status, v) = env
        .post(
            key,
            "/api/v1/images/generations",
            json!({"model": "seeded-image", "prompt": "the same harbour", "options": options}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (task, _) = env
        .wait_final(key, v["data"]["task_id"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "success", "{task}");
    env.fetch(task["output"]["images"][0].as_str().unwrap())
        .await
        .2
}

#[tokio::test]
async fn the_owner_account_keeps_everything_under_a_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let env = start_with(owner_config(dir.path(), "sk-owner-first-run")).await;
    let (_, before) = env
        .get("sk-owner-first-run", "/api/v1/credits/balance")
        .await;
    assert_eq!(before["data"]["remaining_credits"], 300);
    let upload = upload_png(&env, "sk-owner-first-run").await;
    let (_, created) = env
        .post(
            "sk-owner-first-run",
            "/api/v1/images/generations",
            json!({"model": "nano-banana-pro", "prompt": "kept"}),
        )
        .await;
    let task_id = created["data"]["task_id"].as_str().unwrap().to_string();
    env.wait_final("sk-owner-first-run", &task_id).await;
    let (_, usage) = env.get("sk-owner-first-run", "/api/v1/credits/usage").await;
    let old_base = env.base.clone();
    env.sandbox.shutdown().await;

    // Next launch: the keychain was locked, so the app brings a different key.
    let env = start_with(owner_config(dir.path(), "sk-owner-second-run")).await;
    assert_ne!(env.base, old_base, "a new port");
    let (status, v) = env
        .get("sk-owner-first-run", "/api/v1/credits/balance")
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the old key stopped working: {v}"
    );
    let key = "sk-owner-second-run";
    let (_, after) = env.get(key, "/api/v1/credits/balance").await;
    assert_eq!(after["data"]["user_id"], before["data"]["user_id"]);
    assert_eq!(
        after["data"]["remaining_credits"],
        300 - 8,
        "not reset to credits"
    );
    let (_, usage_after) = env.get(key, "/api/v1/credits/usage").await;
    assert_eq!(usage_after["data"]["items"], usage["data"]["items"]);
    let (status, task) = env.get(key, &format!("/api/v1/tasks/{task_id}")).await;
    assert_eq!(status, StatusCode::OK, "{task}");
    assert_eq!(task["data"]["task"]["status"], "success");

    // The upload, named by the URL of the previous port, is still this sandbox's file.
    let moved = upload.replace(&old_base, &env.base);
    let (status, _, _) = env.fetch(&moved).await;
    assert_eq!(status, StatusCode::OK);
    let from_old_url = image_from(&env, key, json!({"image_input": [upload]})).await;
    let from_new_url = image_from(&env, key, json!({"image_input": [moved]})).await;
    let elsewhere = image_from(
        &env,
        key,
        json!({"image_input": ["https://images.example.com/ref.png"]}),
    )
    .await;
    assert_eq!(from_old_url, from_new_url, "both URLs find the same upload");
    assert_ne!(from_old_url, elsewhere, "a foreign URL is not read");
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn without_a_data_dir_the_owner_is_simply_created() {
    let env = start_with(SandboxConfig {
        owner_key: Some("sk-owner-mem".into()),
        credits: 42,
        ..Default::default()
    })
    .await;
    assert_eq!(env.balance("sk-owner-mem").await, 42);
}

/// The schema every sandbox wrote before versioning (user_version 0), keys as bare SHA-256.
const UNVERSIONED_SCHEMA: &str = "
CREATE TABLE accounts (key_hash TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, credits INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
CREATE TABLE ledger (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, transaction_no TEXT NOT NULL, credits INTEGER NOT NULL, scene TEXT, description TEXT NOT NULL, media_type TEXT, task_id TEXT, created_ms INTEGER NOT NULL);
CREATE INDEX ledger_by_account ON ledger(account_id, created_ms);
CREATE TABLE tasks (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, media_type TEXT NOT NULL, model TEXT NOT NULL, scene TEXT NOT NULL, prompt TEXT, options TEXT NOT NULL, cost INTEGER NOT NULL, created_ms INTEGER NOT NULL, pending_until_ms INTEGER NOT NULL, finish_ms INTEGER NOT NULL, outcome TEXT NOT NULL, status TEXT NOT NULL, output TEXT NOT NULL, updated_ms INTEGER NOT NULL);
CREATE TABLE blobs (key TEXT PRIMARY KEY, content_type TEXT NOT NULL, size INTEGER NOT NULL, created_ms INTEGER NOT NULL);
";

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[tokio::test]
async fn an_unversioned_database_is_upgraded_and_its_keys_rehashed() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = rusqlite::Connection::open(dir.path().join("sandbox.db")).unwrap();
        db.execute_batch(UNVERSIONED_SCHEMA).unwrap();
        for (key, id, credits) in [
            ("k-configured", "acct-1", 321),
            ("k-by-controls", "acct-2", 55),
        ] {
            db.execute(
                "INSERT INTO accounts VALUES (?1, ?2, ?3, 1700000000000)",
                rusqlite::params![sha256_hex(key), id, credits],
            )
            .unwrap();
        }
        db.execute(
            "INSERT INTO ledger VALUES ('l-1', 'acct-1', '17000000000000000', 9, 'text-to-image', 'generate image', 'image', NULL, 1700000000000)",
            [],
        )
        .unwrap();
    }
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-configured".into()],
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    let db = rusqlite::Connection::open(dir.path().join("sandbox.db")).unwrap();
    let version: i64 = db
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2);
    let scheme_of = |id: &str| -> (String, String) {
        db.query_row(
            "SELECT key_hash, key_scheme FROM accounts WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    // The configured key was re-hashed at start, keeping its balance and ledger.
    let (hash, scheme) = scheme_of("acct-1");
    assert_eq!(scheme, "hmac-sha256");
    assert_ne!(hash, sha256_hex("k-configured"));
    assert_eq!(env.balance("k-configured").await, 321);
    let (_, usage) = env.get("k-configured", "/api/v1/credits/usage").await;
    assert_eq!(usage["data"]["summary"]["total_credits_consumed"], 9);
    // An account the old test controls made still works and is re-hashed on first use.
    assert_eq!(scheme_of("acct-2").1, "sha256");
    assert_eq!(env.balance("k-by-controls").await, 55);
    assert_eq!(scheme_of("acct-2").1, "hmac-sha256");
    assert!(dir.path().join("key-secret").is_file());
    env.sandbox.shutdown().await;

    // A restart reads the same secret: the re-hashed keys keep working.
    let env = start_with(SandboxConfig {
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    assert_eq!(env.balance("k-by-controls").await, 55);
    assert_eq!(env.balance("k-configured").await, 321);
}

//! Auth, models, balance, quote and task lookup, checked against the v1 reference's text.

mod common;

use common::{code, start, start_with};
use cyberbara_sandbox::SandboxConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn missing_and_unknown_keys_are_401_with_distinct_codes() {
    let env = start(&["k-auth"]).await;
    let resp = env
        .http
        .get(env.url("/api/v1/credits/balance"))
        .send()
        .await
        .unwrap();
    let (status, v) = common::body(resp).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&v), "api_key_required");

    let (status, v) = env.get("nope", "/api/v1/credits/balance").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        v,
        json!({"error": {"code": "invalid_api_key", "message": "Invalid API key."}})
    );

    // Both documented header forms authenticate.
    let resp = env
        .http
        .get(env.url("/api/v1/credits/balance"))
        .header("x-api-key", "k-auth")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(env.balance("k-auth").await, 500);
}

#[tokio::test]
async fn balance_has_the_documented_fields() {
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-bal".into()],
        credits: 44,
        ..Default::default()
    })
    .await;
    let (status, v) = env.get("k-bal", "/api/v1/credits/balance").await;
    assert_eq!(status, StatusCode::OK);
    let d = &v["data"];
    assert_eq!(d["remaining_credits"], 44);
    assert!(uuid::Uuid::parse_str(d["user_id"].as_str().unwrap()).is_ok());
    let updated = d["updated_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(updated).is_ok(),
        "{updated}"
    );
    assert!(
        updated.ends_with('Z') && updated.len() == 24,
        "millisecond UTC: {updated}"
    );
}

#[tokio::test]
async fn models_list_filters_by_media_type() {
    let extra: cyberbara::types::ModelInfo = serde_json::from_value(json!({
        "model": "suno-music-v5", "media_type": "music", "supported_scenes": ["text-to-music"]
    }))
    .unwrap();
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-models".into()],
        extra_models: vec![extra],
        ..Default::default()
    })
    .await;
    let (status, all) = env.get("k-models", "/api/v1/models").await;
    assert_eq!(status, StatusCode::OK);
    let models = all["data"]["models"].as_array().unwrap();
    assert_eq!(all["data"]["total"], models.len());
    let names: Vec<&str> = models
        .iter()
        .map(|m| m["model"].as_str().unwrap())
        .collect();
    for expected in [
        "nano-banana-pro",
        "nano-banana-2",
        "sora-2",
        "kling-2.6",
        "veo-3.1-fast",
        "suno-music-v5",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }

    let (_, video) = env.get("k-models", "/api/v1/models?media_type=video").await;
    let video = video["data"]["models"].as_array().unwrap();
    assert!(!video.is_empty());
    assert!(video.iter().all(|m| m["media_type"] == "video"));
    let sora = video.iter().find(|m| m["model"] == "sora-2").unwrap();
    assert_eq!(
        sora["supported_scenes"],
        json!(["text-to-video", "image-to-video"])
    );

    let (_, music) = env.get("k-models", "/api/v1/models?media_type=music").await;
    assert_eq!(music["data"]["total"], 1);
    assert_eq!(music["data"]["models"][0]["model"], "suno-music-v5");

    let (status, bad) = env
        .get("k-models", "/api/v1/models?media_type=hologram")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&bad), "invalid_media_type");
    assert_eq!(
        bad["error"]["message"],
        "media_type must be \"image\", \"video\", \"audio\" or \"music\"."
    );
}

#[tokio::test]
async fn quote_matches_the_spec_example_and_reports_affordability() {
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-quote".into()],
        credits: 44,
        extra_models: vec![serde_json::from_value(json!({
            "model": "future-image-v1", "media_type": "image",
            "supported_scenes": ["text-to-image", "image-to-image"]
        }))
        .unwrap()],
        ..Default::default()
    })
    .await;
    let (status, v) = env
        .post(
            "k-quote",
            "/api/v1/credits/quote",
            json!({"model": "nano-banana-pro", "media_type": "image", "scene": "text-to-image", "options": {"resolution": "1k"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        v["data"],
        json!({"model": "nano-banana-pro", "media_type": "image", "scene": "text-to-image",
               "estimated_credits": 8, "remaining_credits": 44, "can_afford": true,
               "pricing_rule": "nano-banana-pro", "fallback_pricing": false})
    );

    // media_type inferred from the model; duration moves the price.
    let (_, ten) = env
        .post(
            "k-quote",
            "/api/v1/credits/quote",
            json!({"model": "sora-2", "options": {"duration": "10"}}),
        )
        .await;
    assert_eq!(ten["data"]["media_type"], "video");
    assert_eq!(ten["data"]["estimated_credits"], 20);
    let (_, fifteen) = env
        .post(
            "k-quote",
            "/api/v1/credits/quote",
            json!({"model": "sora-2", "options": {"duration": 15}}),
        )
        .await;
    assert!(fifteen["data"]["estimated_credits"].as_i64().unwrap() > 20);
    assert_eq!(fifteen["data"]["can_afford"], true);

    let (_, pro) = env
        .post(
            "k-quote",
            "/api/v1/credits/quote",
            json!({"model": "sora-2-pro", "options": {"duration": 15, "resolution": "high"}}),
        )
        .await;
    assert!(pro["data"]["estimated_credits"].as_i64().unwrap() > 44);
    assert_eq!(pro["data"]["can_afford"], false);

    let (_, fallback) = env
        .post(
            "k-quote",
            "/api/v1/credits/quote",
            json!({"model": "future-image-v1"}),
        )
        .await;
    assert_eq!(fallback["data"]["fallback_pricing"], true);
    assert!(fallback["data"]["estimated_credits"].as_i64().unwrap() > 0);

    let (status, v) = env
        .post(
            "k-quote",
            "/api/v1/credits/quote",
            json!({"model": "dall-e-9"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v), "unsupported_model");
    assert_eq!(v["error"]["message"], "Model is not supported.");
    // Quote refuses model and scene through the same check as generation: same reply.
    for (body, route) in [
        (json!({"model": "dall-e-9"}), "images"),
        (json!({"model": "sora-2", "media_type": "image"}), "images"),
        (
            json!({"model": "sora-2", "scene": "video-to-video"}),
            "videos",
        ),
        (json!({"model": "sora-2", "scene": "sideways"}), "videos"),
        (json!({}), "images"),
    ] {
        let (_, quoted) = env
            .post("k-quote", "/api/v1/credits/quote", body.clone())
            .await;
        let mut generation = body.clone();
        generation["prompt"] = json!("a prompt");
        let (status, generated) = env
            .post(
                "k-quote",
                &format!("/api/v1/{route}/generations"),
                generation,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{generated}");
        assert_eq!(quoted, generated, "{body}");
    }

    let (_, v) = env
        .post(
            "k-quote",
            "/api/v1/credits/quote",
            json!({"model": "sora-2", "media_type": "image"}),
        )
        .await;
    assert_eq!(code(&v), "invalid_model_for_media_type");
    let (_, v) = env
        .post(
            "k-quote",
            "/api/v1/credits/quote",
            json!({"model": "sora-2", "media_type": "hologram"}),
        )
        .await;
    assert_eq!(code(&v), "invalid_media_type");
    let (_, v) = env
        .post(
            "k-quote",
            "/api/v1/credits/quote",
            json!({"model": "sora-2", "scene": "video-to-video"}),
        )
        .await;
    assert_eq!(code(&v), "scene_not_supported");
    let (_, v) = env
        .post(
            "k-quote",
            "/api/v1/credits/quote",
            json!({"model": "sora-2", "scene": "sideways"}),
        )
        .await;
    assert_eq!(code(&v), "invalid_scene");
    let (_, v) = env
        .post("k-quote", "/api/v1/credits/quote", json!({}))
        .await;
    assert_eq!(code(&v), "invalid_model");
}

#[tokio::test]
async fn bodies_that_are_not_json_are_invalid_json() {
    let env = start(&["k-json"]).await;
    for path in [
        "/api/v1/credits/quote",
        "/api/v1/images/generations",
        "/api/v1/videos/generations",
    ] {
        let resp = env
            .http
            .post(env.url(path))
            .bearer_auth("k-json")
            .header("content-type", "application/json")
            .body("{\"model\": ")
            .send()
            .await
            .unwrap();
        let (status, v) = common::body(resp).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(code(&v), "invalid_json", "{path}");
    }
    // An oversized body is refused in the envelope, not with a bare text reply.
    let resp = env
        .http
        .post(env.url("/api/v1/images/generations"))
        .bearer_auth("k-json")
        .body(format!(
            "{{\"model\": \"{}\"}}",
            "x".repeat(3 * 1024 * 1024)
        ))
        .send()
        .await
        .unwrap();
    let (status, v) = common::body(resp).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code(&v), "invalid_request");
    // Authentication comes first: a bad body without a key is still a 401.
    let resp = env
        .http
        .post(env.url("/api/v1/credits/quote"))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn task_lookup_distinguishes_bad_ids_from_unknown_ones() {
    let env = start(&["k-task"]).await;
    let (status, v) = env.get("k-task", "/api/v1/tasks/not-a-uuid").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v), "invalid_task_id");
    let (status, v) = env
        .get(
            "k-task",
            "/api/v1/tasks/2fa99a50-fb96-407b-a562-82de8265f48e",
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        v,
        json!({"error": {"code": "task_not_found", "message": "Task not found."}})
    );
}

#[tokio::test]
async fn accounts_are_isolated() {
    let env = start(&["k-alice", "k-bob"]).await;
    let (status, created) = env
        .post(
            "k-alice",
            "/api/v1/images/generations",
            json!({"model": "nano-banana-pro", "prompt": "alice's cat"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["data"]["task_id"].as_str().unwrap();
    let (status, v) = env.get("k-bob", &format!("/api/v1/tasks/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(code(&v), "task_not_found");
    assert_eq!(env.balance("k-bob").await, 500);
    assert_eq!(env.balance("k-alice").await, 492);
    let (_, usage) = env.get("k-bob", "/api/v1/credits/usage").await;
    assert_eq!(usage["data"]["summary"]["total"], 0);
    let (_, a) = env.get("k-alice", "/api/v1/credits/balance").await;
    let (_, b) = env.get("k-bob", "/api/v1/credits/balance").await;
    assert_ne!(a["data"]["user_id"], b["data"]["user_id"]);
}

#[tokio::test]
async fn unknown_routes_use_the_error_envelope() {
    let env = start(&["k-404"]).await;
    let (status, v) = env.get("k-404", "/api/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(v["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    let resp = env
        .http
        .delete(env.url("/api/v1/credits/balance"))
        .bearer_auth("k-404")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    let v: Value = resp.json().await.unwrap();
    assert!(v["error"]["code"].is_string());
}

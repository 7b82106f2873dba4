//! The test controls other suites rely on (TEAM-CONTEXT.md): stats, faults, accounts.

mod common;

use common::{code, start};
use cyberbara::clock::ManualClock;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn add_fault(env: &common::Env, fault: Value) {
    let resp = env
        .http
        .post(env.url("/_sandbox/faults"))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
}

#[tokio::test]
async fn stats_count_requests_per_route_template() {
    let env = start(&["k-stats"]).await;
    for _ in 0..3 {
        env.post(
            "k-stats",
            "/api/v1/images/generations",
            json!({"model": "nano-banana-pro", "prompt": "x"}),
        )
        .await;
    }
    env.get(
        "k-stats",
        "/api/v1/tasks/2fa99a50-fb96-407b-a562-82de8265f48e",
    )
    .await;
    env.get(
        "k-stats",
        "/api/v1/tasks/341ab8cd-1296-4a5d-968a-cccf60c9caab",
    )
    .await;
    env.get("nobody", "/api/v1/credits/balance").await;
    let v: Value = env
        .http
        .get(env.url("/_sandbox/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = &v["requests"];
    assert_eq!(r["POST /api/v1/images/generations"], 3);
    assert_eq!(r["GET /api/v1/tasks/{id}"], 2);
    assert_eq!(
        r["GET /api/v1/credits/balance"], 1,
        "refused requests count too"
    );
    assert!(r
        .as_object()
        .unwrap()
        .keys()
        .all(|k| !k.contains("/_sandbox")));
}

#[tokio::test]
async fn next_n_faults_answer_503_and_429_then_stop() {
    let env = start(&["k-fault"]).await;
    add_fault(
        &env,
        json!({"kind": "status_503", "next": 2, "path_prefix": "/api/v1/credits"}),
    )
    .await;
    for _ in 0..2 {
        let (status, v) = env.get("k-fault", "/api/v1/credits/balance").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(code(&v), "service_unavailable");
    }
    let (status, _) = env.get("k-fault", "/api/v1/credits/balance").await;
    assert_eq!(status, StatusCode::OK);
    // The prefix keeps other routes untouched.
    add_fault(&env, json!({"kind": "status_429", "next": 1, "retry_after_secs": 7, "path_prefix": "/api/v1/models"})).await;
    let (status, _) = env.get("k-fault", "/api/v1/credits/balance").await;
    assert_eq!(status, StatusCode::OK);
    let resp = env
        .http
        .get(env.url("/api/v1/models"))
        .bearer_auth("k-fault")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "7");
    let v: Value = resp.json().await.unwrap();
    assert_eq!(code(&v), "too_many_requests");
    let v: Value = env
        .http
        .get(env.url("/_sandbox/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["requests"]["GET /api/v1/credits/balance"], 4,
        "faulted requests are counted"
    );
}

#[tokio::test]
async fn faults_by_rate_and_clearing() {
    let env = start(&["k-rate"]).await;
    add_fault(&env, json!({"kind": "status_503", "rate": 1.0})).await;
    let (status, _) = env.get("k-rate", "/api/v1/models").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let (status, _) = env.get("k-rate", "/api/v1/models").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let resp = env
        .http
        .delete(env.url("/_sandbox/faults"))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let (status, _) = env.get("k-rate", "/api/v1/models").await;
    assert_eq!(status, StatusCode::OK);
    add_fault(&env, json!({"kind": "status_503", "rate": 0.0})).await;
    let (status, _) = env.get("k-rate", "/api/v1/models").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn drop_closes_the_connection_and_latency_delays_the_reply() {
    let env = start(&["k-drop"]).await;
    add_fault(&env, json!({"kind": "drop", "next": 1})).await;
    let result = env
        .http
        .get(env.url("/api/v1/credits/balance"))
        .bearer_auth("k-drop")
        .send()
        .await;
    assert!(
        result.is_err(),
        "a dropped connection gives no HTTP reply: {result:?}"
    );
    let (status, _) = env.get("k-drop", "/api/v1/credits/balance").await;
    assert_eq!(status, StatusCode::OK, "only the next request was dropped");

    add_fault(&env, json!({"kind": "latency", "next": 1, "ms": 300})).await;
    let started = Instant::now();
    let (status, _) = env.get("k-drop", "/api/v1/credits/balance").await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // A stall holds the reply back by its time (lower bound only: a loaded machine may
    // add to it), and a client with a shorter timeout gives up first.
    add_fault(&env, json!({"kind": "stall", "next": 1, "ms": 1000})).await;
    let started = Instant::now();
    let (status, _) = env.get("k-drop", "/api/v1/credits/balance").await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(1000));
    add_fault(&env, json!({"kind": "stall", "next": 1, "ms": 60_000})).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let result = client
        .get(env.url("/api/v1/credits/balance"))
        .bearer_auth("k-drop")
        .send()
        .await;
    assert!(result.unwrap_err().is_timeout());
}

#[tokio::test]
async fn accounts_can_be_created_and_topped_up() {
    let env = start(&[]).await;
    let (status, v) = env.get("k-new", "/api/v1/credits/balance").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&v), "invalid_api_key");
    let resp = env
        .http
        .put(env.url("/_sandbox/accounts"))
        .json(&json!({"api_key": "k-new", "credits": 12}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let text = resp.text().await.unwrap();
    assert!(!text.contains("k-new"), "the key is never echoed: {text}");
    assert_eq!(env.balance("k-new").await, 12);
    let (_, before) = env.get("k-new", "/api/v1/credits/balance").await;
    env.set_credits("k-new", 300).await;
    let (_, after) = env.get("k-new", "/api/v1/credits/balance").await;
    assert_eq!(after["data"]["remaining_credits"], 300);
    assert_eq!(
        before["data"]["user_id"], after["data"]["user_id"],
        "same account"
    );
    let resp = env
        .http
        .put(env.url("/_sandbox/accounts"))
        .body("credits please")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn prompt_directive_sets_the_run_time() {
    // At speed 0.01 an image would take 600 s; the directive makes it 1.5 s, to the
    // millisecond on the sandbox's manual clock.
    let time = ManualClock::starting_now();
    let env = common::start_with(cyberbara_sandbox::SandboxConfig {
        api_keys: vec!["k-ms".into()],
        speed: 0.01,
        clock: time.clock(),
        ..Default::default()
    })
    .await;
    let (_, v) = env
        .post(
            "k-ms",
            "/api/v1/images/generations",
            json!({"model": "nano-banana-pro", "prompt": "quick [sandbox:ms=1500]"}),
        )
        .await;
    let path = format!("/api/v1/tasks/{}", v["data"]["task_id"].as_str().unwrap());
    let mut finished = env.sandbox.finished_tasks();
    time.advance(Duration::from_millis(1_499));
    let (_, v) = env.get("k-ms", &path).await;
    assert_eq!(v["data"]["task"]["status"], "processing");
    time.advance(Duration::from_millis(1));
    finished.changed().await.unwrap();
    let (_, v) = env.get("k-ms", &path).await;
    let task = &v["data"]["task"];
    assert_eq!(task["status"], "success");
    let at = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(task[field].as_str().unwrap())
            .unwrap()
            .timestamp_millis()
    };
    assert_eq!(at("updated_at") - at("created_at"), 1500, "{task}");
}

#[tokio::test]
async fn controls_are_absent_unless_enabled() {
    let env = common::start_with(cyberbara_sandbox::SandboxConfig {
        api_keys: vec!["k-off".into()],
        ..Default::default()
    })
    .await;
    let get = env
        .http
        .get(env.url("/_sandbox/stats"))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::NOT_FOUND);
    let fault = env
        .http
        .post(env.url("/_sandbox/faults"))
        .json(&json!({"kind": "status_503", "next": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(fault.status(), StatusCode::NOT_FOUND);
    let account = env
        .http
        .put(env.url("/_sandbox/accounts"))
        .json(&json!({"api_key": "k-intruder", "credits": 1_000_000}))
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), StatusCode::NOT_FOUND);
    let (status, v) = env.get("k-intruder", "/api/v1/credits/balance").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no account was made: {v}");
    // The API itself is unaffected (and no fault was installed).
    assert_eq!(env.balance("k-off").await, 500);
}

#[tokio::test]
async fn an_account_key_is_never_taken_from_the_url() {
    let env = start(&[]).await;
    let resp = env
        .http
        .put(env.url("/_sandbox/accounts/k-in-url"))
        .json(&json!({"credits": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let (status, _) = env.get("k-in-url", "/api/v1/credits/balance").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let resp = env
        .http
        .put(env.url("/_sandbox/accounts"))
        .json(&json!({"api_key": " ", "credits": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

//! Retries: GETs (and the harmless quote) are retried on 429/5xx and broken
//! connections; requests that create tasks or store uploads never are once they may
//! have reached the server. Counted by the sandbox itself (`GET /_sandbox/stats`).

mod client_harness;

use client_harness::*;
use cyberbara::clock::ManualClock;
use cyberbara::types::{ErrorCode, GenerationRequest, QuoteRequest, Scene};
use cyberbara::{Backoff, ClientOptions, Error, ErrorKind, RetryPolicy};
use serde_json::json;
use std::time::Duration;

const BALANCE: &str = "GET /api/v1/credits/balance";
const IMAGES: &str = "POST /api/v1/images/generations";

fn image_request() -> GenerationRequest {
    GenerationRequest {
        model: "nano-banana-pro".into(),
        prompt: Some("a lighthouse in fog".into()),
        scene: Some(Scene::TextToImage),
        options: Default::default(),
    }
}

#[tokio::test]
async fn get_is_retried_on_503_until_it_succeeds() {
    let env = start().await;
    env.fault(json!({ "kind": "status_503", "next": 2, "path_prefix": "/api/v1/credits/balance" }))
        .await;
    let balance = env.client.balance().await.unwrap();
    assert_eq!(balance.remaining_credits, 500);
    assert_eq!(env.count(BALANCE).await, 3);
}

#[tokio::test]
async fn get_is_retried_on_429_after_retry_after() {
    let env = start().await;
    let time = ManualClock::starting_now();
    let client = env.client_with(
        KEY,
        ClientOptions {
            clock: time.clock(),
            ..fast_options()
        },
    );
    env.fault(json!({ "kind": "status_429", "next": 1, "retry_after_secs": 1 }))
        .await;
    let balance = tokio::spawn(async move { client.balance().await });
    // The client waits exactly the server's Retry-After, on its clock.
    assert_eq!(time.advance_to_next_wake().await, Duration::from_secs(1));
    balance.await.unwrap().unwrap();
    assert_eq!(env.count(BALANCE).await, 2);
}

#[tokio::test]
async fn get_gives_up_after_max_retries() {
    let env = start().await;
    let client = env.client_with(
        KEY,
        ClientOptions {
            retry: RetryPolicy {
                max_retries: 2,
                ..fast_options().retry
            },
            ..fast_options()
        },
    );
    env.fault(json!({ "kind": "status_503", "next": 10 })).await;
    let err = client.balance().await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ServiceUnavailable));
    assert_eq!(env.count(BALANCE).await, 3);
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_is_reported_not_waited_out() {
    let env = start().await;
    env.fault(json!({ "kind": "status_429", "next": 1, "retry_after_secs": 120 }))
        .await;
    // Waiting out 120 s would blow this generous bound; a tight wall-clock bound
    // would flake on a loaded 2-core machine. The request count below is the proof.
    let err = tokio::time::timeout(Duration::from_secs(60), env.client.balance())
        .await
        .expect("a 120 s Retry-After is reported, not waited out")
        .unwrap_err();
    match &err {
        Error::Api {
            code,
            retry_after_secs,
            ..
        } => {
            assert_eq!(*code, ErrorCode::TooManyRequests);
            assert_eq!(*retry_after_secs, Some(120));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("Wait 120 seconds"), "{err}");
    assert_eq!(env.count(BALANCE).await, 1);
}

#[tokio::test]
async fn get_is_retried_after_a_dropped_connection() {
    let env = start().await;
    env.fault(json!({ "kind": "drop", "next": 1, "path_prefix": "/api/v1/credits/balance" }))
        .await;
    env.client.balance().await.unwrap();
    assert_eq!(env.count(BALANCE).await, 2);
}

#[tokio::test]
async fn task_creation_is_not_retried_on_503() {
    let env = start().await;
    env.fault(
        json!({ "kind": "status_503", "next": 1, "path_prefix": "/api/v1/images/generations" }),
    )
    .await;
    let err = env
        .client
        .generate_image(&image_request())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ServiceUnavailable));
    assert_eq!(env.count(IMAGES).await, 1, "exactly one request");
    // The fault is used up: the app may retry deliberately, and that one succeeds.
    env.client.generate_image(&image_request()).await.unwrap();
    assert_eq!(env.count(IMAGES).await, 2);
}

#[tokio::test]
async fn task_creation_is_not_retried_on_a_dropped_connection() {
    let env = start().await;
    env.fault(json!({ "kind": "drop", "next": 1, "path_prefix": "/api/v1/images/generations" }))
        .await;
    let err = env
        .client
        .generate_image(&image_request())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err:?}");
    assert!(matches!(err, Error::Network { creating: true, .. }));
    assert!(!err.is_transient(), "must not invite a blind retry");
    assert!(
        err.to_string().contains("may or may not have been created"),
        "{err}"
    );
    assert_eq!(env.count(IMAGES).await, 1, "exactly one request");
}

#[tokio::test]
async fn task_creation_is_not_retried_on_timeout() {
    let env = start().await;
    let client = env.client_with(
        KEY,
        ClientOptions {
            read_timeout: Duration::from_millis(300),
            ..fast_options()
        },
    );
    env.fault(json!({ "kind": "stall", "ms": 2000, "next": 1, "path_prefix": "/api/v1/images/generations" }))
        .await;
    let err = client.generate_image(&image_request()).await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { creating: true, .. }),
        "{err:?}"
    );
    assert_eq!(env.count(IMAGES).await, 1);
}

#[tokio::test]
async fn uploads_are_not_retried_on_503() {
    let env = start().await;
    let dir = TempDir::new("retry");
    let png = dir.file("ref.png", PNG);
    env.fault(json!({ "kind": "status_503", "next": 1, "path_prefix": "/api/v1/uploads" }))
        .await;
    let err = env.client.upload_images(&[png], |_| {}).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ServiceUnavailable));
    assert_eq!(env.count("POST /api/v1/uploads/images").await, 1);
}

/// Quote is a POST but only computes a price: nothing is created or charged, so it is
/// retried like a GET.
#[tokio::test]
async fn quote_is_retried_like_a_get() {
    let env = start().await;
    env.fault(json!({ "kind": "status_503", "next": 1, "path_prefix": "/api/v1/credits/quote" }))
        .await;
    let quote = env
        .client
        .quote(&QuoteRequest {
            model: "nano-banana-pro".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(quote.estimated_credits > 0);
    assert_eq!(env.count("POST /api/v1/credits/quote").await, 2);
}

/// A refused connection means nothing was sent, so even task creation is retried: the
/// server comes up on the port while the client backs off, and gets exactly one request.
/// The client's clock is manual, so "while it backs off" is an event, not a time window.
#[tokio::test]
async fn task_creation_is_retried_when_the_connection_was_refused() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let time = ManualClock::starting_now();
    let client = cyberbara::Client::with_options(
        &base,
        cyberbara::ApiKey::new(KEY),
        ClientOptions {
            retry: RetryPolicy {
                max_retries: 1,
                backoff: Backoff {
                    base: Duration::from_millis(200),
                    cap: Duration::from_millis(400),
                    jitter: true,
                },
                max_retry_after: Duration::from_secs(1),
            },
            clock: time.clock(),
            ..fast_options()
        },
    )
    .unwrap();
    let creating = tokio::spawn(async move { client.generate_image(&image_request()).await });
    // The first attempt was refused (nothing listens yet) and the client is backing off.
    time.wait_for_sleepers(1).await;
    let sandbox = cyberbara_sandbox::Sandbox::start(cyberbara_sandbox::SandboxConfig {
        addr: ([127, 0, 0, 1], port).into(),
        api_keys: vec![KEY.to_string()],
        test_controls: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let waited = time.advance_to_next_wake().await;
    assert!(waited <= Duration::from_millis(200), "backoff {waited:?}");
    let created = creating.await.unwrap().unwrap();
    assert_eq!(created.model, "nano-banana-pro");
    let controls = cyberbara_sandbox::controls::SandboxControls::new(&base);
    assert_eq!(controls.count(IMAGES).await.unwrap(), 1);
    sandbox.shutdown().await;
}

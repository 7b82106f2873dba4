//! `wait_for_task`: polls until a final status, then ends; stops when dropped.

mod client_harness;

use client_harness::*;
use cyberbara::types::{ErrorCode, GenerationRequest, Scene, TaskStatus};
use cyberbara::{ClientOptions, PollPolicy};
use futures_util::StreamExt;
use std::time::Duration;

const TASK_GETS: &str = "GET /api/v1/tasks/{id}";

fn request(prompt: &str) -> GenerationRequest {
    GenerationRequest {
        model: "nano-banana-pro".into(),
        prompt: Some(prompt.into()),
        scene: Some(Scene::TextToImage),
        options: Default::default(),
    }
}

#[tokio::test]
async fn polls_to_success_and_ends() {
    let env = start().await;
    // Long enough that even a test thread stalled by a loaded machine polls before the
    // end; the stream only yields what it saw, so "seen before it ends" needs margin.
    env.next_task("success", 1_500).await;
    let created = env
        .client
        .generate_image(&request("a red kite"))
        .await
        .unwrap();
    let seen: Vec<_> = env
        .client
        .wait_for_task(&created.task_id)
        .map(|r| r.unwrap())
        .collect()
        .await;
    let last = seen.last().unwrap();
    assert_eq!(last.status, TaskStatus::Success);
    assert!(!last.output.all_urls().is_empty());
    assert!(seen[..seen.len() - 1].iter().all(|t| !t.status.is_final()));
    assert!(
        seen.len() >= 2,
        "a 1.5 s task is seen before it ends: {seen:?}"
    );
    assert_eq!(env.count(TASK_GETS).await, seen.len() as u64);
}

#[tokio::test]
async fn polls_to_failure_by_control_and_by_prompt() {
    let env = start().await;
    env.next_task("failed", 100).await;
    let scripted = env
        .client
        .generate_image(&request("a blue kite"))
        .await
        .unwrap();
    let directive = env
        .client
        .generate_image(&request("a green kite [sandbox:fail] [sandbox:ms=100]"))
        .await
        .unwrap();
    for id in [scripted.task_id, directive.task_id] {
        let last = env
            .client
            .wait_for_task(&id)
            .collect::<Vec<_>>()
            .await
            .pop()
            .unwrap()
            .unwrap();
        assert_eq!(last.status, TaskStatus::Failed, "{id}");
    }
}

#[tokio::test]
async fn dropping_the_stream_stops_polling() {
    let env = start().await;
    env.next_task("success", 5_000).await;
    let created = env
        .client
        .generate_image(&request("a slow kite"))
        .await
        .unwrap();
    let mut stream = Box::pin(env.client.wait_for_task(&created.task_id));
    let first = stream.next().await.unwrap().unwrap();
    assert!(!first.status.is_final());
    drop(stream);
    let after_drop = env.count(TASK_GETS).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(env.count(TASK_GETS).await, after_drop);
}

#[tokio::test]
async fn intervals_grow_while_nothing_changes() {
    let env = start().await;
    let client = env.client_with(
        KEY,
        ClientOptions {
            poll: PollPolicy {
                initial: Duration::from_millis(20),
                factor: 2.0,
                max: Duration::from_millis(320),
            },
            ..fast_options()
        },
    );
    env.next_task("success", 1_500).await;
    let created = client
        .generate_image(&request("a patient kite"))
        .await
        .unwrap();
    let seen = client
        .wait_for_task(&created.task_id)
        .collect::<Vec<_>>()
        .await;
    // A fixed 20 ms interval would poll ~75 times in 1.5 s; doubling to a 320 ms cap
    // needs about 8-12 polls (plus one after each status change).
    assert!(seen.len() <= 16, "{} polls", seen.len());
    assert!(seen.len() >= 4, "{} polls", seen.len());
    assert_eq!(
        seen.last().unwrap().as_ref().unwrap().status,
        TaskStatus::Success
    );
}

#[tokio::test]
async fn an_unknown_task_ends_the_stream_with_its_error() {
    let env = start().await;
    let seen = env
        .client
        .wait_for_task("2fa99a50-fb96-407b-a562-82de8265f48e")
        .collect::<Vec<_>>()
        .await;
    assert_eq!(seen.len(), 1);
    let err = seen.into_iter().next().unwrap().unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::TaskNotFound));
}

#[tokio::test]
async fn transient_errors_while_polling_are_retried() {
    let env = start().await;
    env.next_task("success", 300).await;
    let created = env
        .client
        .generate_image(&request("a windy kite"))
        .await
        .unwrap();
    env.fault(
        serde_json::json!({ "kind": "status_503", "next": 2, "path_prefix": "/api/v1/tasks/" }),
    )
    .await;
    let seen = env
        .client
        .wait_for_task(&created.task_id)
        .collect::<Vec<_>>()
        .await;
    assert!(seen.iter().all(|r| r.is_ok()), "{seen:?}");
    assert_eq!(
        seen.last().unwrap().as_ref().unwrap().status,
        TaskStatus::Success
    );
    assert_eq!(env.count(TASK_GETS).await, seen.len() as u64 + 2);
}

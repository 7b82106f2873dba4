//! `wait_for_task`: polls until a final status, then ends; stops when dropped.

mod client_harness;

use client_harness::*;
use cyberbara::clock::ManualClock;
use cyberbara::types::{ErrorCode, GenerationRequest, Scene, TaskStatus};
use cyberbara::{ClientOptions, PollPolicy};
use cyberbara_sandbox::controls::NextOutcome;
use cyberbara_sandbox::SandboxConfig;
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

/// Sandbox and client each run on a manual clock: the test moves the task through its
/// phases and lets the client poll once per phase, so every status is seen for certain.
#[tokio::test]
async fn polls_to_success_and_ends() {
    let server_time = ManualClock::starting_now();
    let env = start_with(SandboxConfig {
        clock: server_time.clock(),
        ..Default::default()
    })
    .await;
    let client_time = ManualClock::starting_now();
    let client = env.client_with(
        KEY,
        ClientOptions {
            clock: client_time.clock(),
            ..fast_options()
        },
    );
    // 1.5 s: pending for the first fifth (300 ms), then processing.
    env.next_task(NextOutcome::Success, 1_500).await;
    let created = client.generate_image(&request("a red kite")).await.unwrap();
    let mut finished = env.sandbox.finished_tasks();
    let mut stream = Box::pin(client.wait_for_task(&created.task_id));
    let mut seen = Vec::new();
    for phase in 0..3 {
        match phase {
            1 => server_time.advance(Duration::from_millis(300)),
            2 => {
                server_time.advance(Duration::from_millis(1_200));
                finished.changed().await.unwrap();
            }
            _ => {}
        }
        let (item, _) = tokio::join!(stream.next(), client_time.advance_to_next_wake());
        seen.push(item.unwrap().unwrap());
    }
    let statuses: Vec<_> = seen.iter().map(|t| t.status.clone()).collect();
    assert_eq!(
        statuses,
        [
            TaskStatus::Pending,
            TaskStatus::Processing,
            TaskStatus::Success
        ]
    );
    assert!(!seen[2].output.all_urls().is_empty());
    assert!(
        stream.next().await.is_none(),
        "the stream ends after success"
    );
    assert_eq!(env.count(TASK_GETS).await, 3);
}

#[tokio::test]
async fn polls_to_failure_by_control_and_by_prompt() {
    let env = start().await;
    env.next_task(NextOutcome::Failed, 100).await;
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
    // The task never moves: its sandbox clock stands still.
    let env = start_with(SandboxConfig {
        clock: ManualClock::starting_now().clock(),
        ..Default::default()
    })
    .await;
    let time = ManualClock::starting_now();
    let client = env.client_with(
        KEY,
        ClientOptions {
            clock: time.clock(),
            ..fast_options()
        },
    );
    let created = client
        .generate_image(&request("a slow kite"))
        .await
        .unwrap();
    let mut stream = Box::pin(client.wait_for_task(&created.task_id));
    let (first, _) = tokio::join!(stream.next(), time.advance_to_next_wake());
    assert!(!first.unwrap().unwrap().status.is_final());
    drop(stream);
    // Every poll is preceded by a wait on the clock; after the drop nothing waits.
    assert_eq!(time.sleepers(), 0);
    let after_drop = env.count(TASK_GETS).await;
    time.advance(Duration::from_secs(60));
    assert_eq!(env.count(TASK_GETS).await, after_drop);
    assert_eq!(after_drop, 1);
}

#[tokio::test]
async fn intervals_grow_while_nothing_changes() {
    let env = start_with(SandboxConfig {
        clock: ManualClock::starting_now().clock(),
        ..Default::default()
    })
    .await;
    let time = ManualClock::starting_now();
    let client = env.client_with(
        KEY,
        ClientOptions {
            poll: PollPolicy {
                initial: Duration::from_millis(20),
                factor: 2.0,
                max: Duration::from_millis(320),
            },
            clock: time.clock(),
            ..fast_options()
        },
    );
    let created = client
        .generate_image(&request("a patient kite"))
        .await
        .unwrap();
    let mut stream = Box::pin(client.wait_for_task(&created.task_id));
    let mut waits = Vec::new();
    for _ in 0..8 {
        let (item, waited) = tokio::join!(stream.next(), time.advance_to_next_wake());
        assert_eq!(item.unwrap().unwrap().status, TaskStatus::Pending);
        waits.push(waited.as_millis());
    }
    // The first poll sets the baseline, then each unchanged status doubles the wait
    // up to the cap.
    assert_eq!(waits, [20, 20, 40, 80, 160, 320, 320, 320]);
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
    env.next_task(NextOutcome::Success, 300).await;
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

//! The task tracker against a real sandbox on 127.0.0.1: many tasks followed to the end,
//! every change recorded once and in order, nothing lost when the tracker or the sandbox
//! restarts, backing off in a 429 storm, refunds seen in the usage history.

mod common;

use common::{sandbox_config, TestConnections};
use cyberbara::types::{GenerationRequest, MediaType};
use cyberbara::Backoff;
use cyberbara::{ApiKey, Client};
use cyberbara_sandbox::controls::{FaultKind, FaultSpec, SandboxControls};
use cyberbara_sandbox::{Sandbox, SandboxConfig};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use studio::library::{Library, TaskChange, TaskKey, TaskState};
use studio::tracker::{new_task_from, TaskTracker, TrackerConfig, TrackerEvent};

const KEY: &str = "sk-tracker-test-0123456789abcdef";
const PROFILE: &str = "p";

fn fast_config() -> TrackerConfig {
    TrackerConfig {
        max_in_flight: 8,
        first_poll: Duration::from_millis(40),
        growth: 1.5,
        max_interval: Duration::from_millis(250),
        backoff: Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(2),
            jitter: false,
        },
        refund_checks: vec![Duration::from_millis(100), Duration::from_millis(500)],
    }
}

async fn start_sandbox(config: SandboxConfig) -> (Sandbox, Client) {
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = Client::new(&sandbox.base_url(), ApiKey::new(KEY)).unwrap();
    (sandbox, client)
}

/// Creates a task on the server and records it through the tracker.
async fn create(tracker: &TaskTracker, client: &Client, prompt: &str) -> String {
    let created = client
        .generate_image(&GenerationRequest {
            model: "nano-banana-pro".into(),
            prompt: Some(prompt.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let task = client.task(&created.task_id).await.unwrap();
    let mut new = new_task_from(PROFILE, &task);
    new.status = created.status.as_str().to_string();
    tracker.add_created(new).unwrap();
    created.task_id
}

/// Rank of a status in the lifecycle, to check histories only move forward.
fn rank(status: &str) -> u8 {
    match status {
        "pending" => 0,
        "processing" => 1,
        _ => 2,
    }
}

fn assert_history_in_order(library: &Library, id: &str, last: &str) {
    let history = library.task_history(&TaskKey::new(PROFILE, id)).unwrap();
    let statuses: Vec<&str> = history.iter().map(|e| e.status.as_str()).collect();
    assert_eq!(statuses.last().copied(), Some(last), "{id}: {statuses:?}");
    for pair in statuses.windows(2) {
        assert!(
            rank(pair[0]) < rank(pair[1]),
            "{id}: each status once and in order, got {statuses:?}"
        );
    }
    let seqs: Vec<i64> = history.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
}

/// Waits for the events of `ids` until each is final; returns the events per task.
async fn until_final(
    events: &mut (impl futures_util::Stream<Item = TrackerEvent> + Unpin),
    ids: &[String],
    limit: Duration,
) -> HashMap<String, Vec<(TaskChange, i64)>> {
    let mut seen: HashMap<String, Vec<(TaskChange, i64)>> = HashMap::new();
    let mut open: std::collections::HashSet<&String> = ids.iter().collect();
    let deadline = tokio::time::Instant::now() + limit;
    while !open.is_empty() {
        let event = tokio::time::timeout_at(deadline, events.next())
            .await
            .unwrap_or_else(|_| panic!("{} tasks still not final", open.len()))
            .expect("the tracker stopped");
        match event {
            TrackerEvent::Snapshot { tasks, .. } => {
                for task in tasks {
                    if task.state.is_final() {
                        open.remove(&task.id);
                    }
                }
            }
            TrackerEvent::Task { change, task } => {
                seen.entry(task.id.clone())
                    .or_default()
                    .push((change, task.revision));
                if task.state.is_final() {
                    open.remove(&task.id);
                }
            }
            _ => {}
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_tasks_reach_their_end_each_change_recorded_once_in_order() {
    let (sandbox, client) = start_sandbox(SandboxConfig {
        api_keys: vec![KEY.into()],
        credits: 100_000,
        speed: 10.0,
        ..sandbox_config()
    })
    .await;
    let library = Library::open_in_memory().unwrap();
    let connections = TestConnections::new(PROFILE, client.clone());
    let tracker = TaskTracker::start(library.clone(), connections, fast_config()).unwrap();
    let mut events = Box::pin(tracker.subscribe(PROFILE));
    let TrackerEvent::Snapshot { tasks, .. } = events.next().await.unwrap() else {
        panic!("a subscription starts with a snapshot");
    };
    assert!(tasks.is_empty());

    let mut ids = Vec::new();
    for i in 0..100 {
        ids.push(create(&tracker, &client, &format!("a lighthouse {i}")).await);
    }
    let seen = until_final(&mut events, &ids, Duration::from_secs(120)).await;

    for id in &ids {
        let record = library.task(&TaskKey::new(PROFILE, id)).unwrap().unwrap();
        assert_eq!(record.state, TaskState::Succeeded, "{id}");
        assert!(
            !record.outputs.is_empty(),
            "{id}: a success carries its outputs"
        );
        assert!(!record.tracking);
        assert_history_in_order(&library, id, "success");
        // Events arrive in order: revisions only grow, and the last one is the success.
        let events = &seen[id];
        assert!(
            events.windows(2).all(|w| w[0].1 < w[1].1),
            "{id}: {events:?}"
        );
        assert_eq!(events.first().map(|e| e.0), Some(TaskChange::Created));
        assert_eq!(events.last().map(|e| e.0), Some(TaskChange::Succeeded));
    }
    assert_eq!(tracker.following(), 0);
    // The budget: what the poll schedule allows in the time each task was followed (from
    // recorded to finished, as the library saw it). A fixed 0.6 s per task would fail on a
    // busy machine, where the Sandbox renders slower and tasks really last longer; a poller
    // that stopped growing its wait still blows this budget several times over.
    let config = fast_config();
    let budget: u64 = ids
        .iter()
        .map(|id| {
            let record = library.task(&TaskKey::new(PROFILE, id)).unwrap().unwrap();
            let finished = record
                .finished_ms
                .expect("a final task has its finish time");
            let followed = Duration::from_millis((finished - record.recorded_ms).max(0) as u64);
            polls_within(&config, followed + Duration::from_millis(100))
        })
        .sum();
    let polls = tracker.stats().polls;
    assert!(
        polls <= budget,
        "{polls} polls for 100 short tasks; the schedule allows {budget}"
    );
    sandbox.shutdown().await;
}

/// How many polls `config`'s schedule makes in `window`: the first after `first_poll`, then
/// each wait `growth` times the last (up to `max_interval`), every wait at its shortest jitter.
fn polls_within(config: &TrackerConfig, window: Duration) -> u64 {
    let (mut elapsed, mut wait, mut polls) = (Duration::ZERO, config.first_poll, 0);
    loop {
        elapsed += wait.mul_f64(0.9);
        if elapsed > window {
            return polls.max(1);
        }
        polls += 1;
        wait = wait.mul_f64(config.growth).min(config.max_interval);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_tracker_and_a_restarted_sandbox_lose_no_task() {
    let data = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        api_keys: vec![KEY.into()],
        credits: 10_000,
        data_dir: Some(data.path().join("sandbox")),
        ..sandbox_config()
    };
    let (sandbox, client) = start_sandbox(config.clone()).await;
    let addr = sandbox.base_url();
    let library = Library::open(&data.path().join("library.db")).unwrap();
    let connections = TestConnections::new(PROFILE, client.clone());

    let tracker = TaskTracker::start(library.clone(), connections.clone(), fast_config()).unwrap();
    let mut ids = Vec::new();
    for i in 0..20 {
        // Each runs 1.5 s on the sandbox's clock, so all are unfinished at the restart.
        ids.push(create(&tracker, &client, &format!("[sandbox:ms=1500] harbour {i}")).await);
    }
    // Wait until the tracker has seen at least one task processing, then drop everything.
    let mut events = Box::pin(tracker.subscribe(PROFILE));
    loop {
        match tokio::time::timeout(Duration::from_secs(20), events.next()).await {
            Ok(Some(TrackerEvent::Task { task, .. })) if task.state == TaskState::Processing => {
                break
            }
            Ok(Some(_)) => {}
            other => panic!("no task started processing: {other:?}"),
        }
    }
    drop(events);
    drop(tracker);
    sandbox.shutdown().await;

    // The sandbox comes back on the same address and data; a new tracker resumes.
    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
    common::wait_until_free(port).await;
    let (sandbox, _) = start_sandbox(SandboxConfig {
        addr: ([127, 0, 0, 1], port).into(),
        ..config
    })
    .await;
    let library = Library::open(&data.path().join("library.db")).unwrap();
    let unfinished = library.unfinished_tasks().unwrap().len();
    assert!(
        unfinished > 0,
        "some tasks were still running at the restart"
    );
    let tracker = TaskTracker::start(library.clone(), connections, fast_config()).unwrap();
    assert_eq!(tracker.following(), unfinished);
    let mut events = Box::pin(tracker.subscribe(PROFILE));
    until_final(&mut events, &ids, Duration::from_secs(60)).await;
    for id in &ids {
        assert_history_in_order(&library, id, "success");
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_makes_the_tracker_back_off_and_it_recovers() {
    let (sandbox, client) = start_sandbox(SandboxConfig {
        api_keys: vec![KEY.into()],
        credits: 10_000,
        speed: 10.0,
        ..sandbox_config()
    })
    .await;
    let base = sandbox.base_url();
    let library = Library::open_in_memory().unwrap();
    let tracker = TaskTracker::start(
        library.clone(),
        TestConnections::new(PROFILE, client.clone()),
        fast_config(),
    )
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(create(&tracker, &client, &format!("storm {i}")).await);
    }
    // Every task poll is refused with 429 and Retry-After: 1 for the next two seconds.
    let controls = SandboxControls::new(&base);
    controls.reset_stats().await.unwrap();
    controls
        .add_fault(&FaultSpec {
            retry_after_secs: Some(1),
            path_prefix: Some("/api/v1/tasks".into()),
            ..FaultSpec::new(FaultKind::Status429)
        })
        .await
        .unwrap();
    let mut events = Box::pin(tracker.subscribe(PROFILE));
    // The profile's problem is announced.
    loop {
        match tokio::time::timeout(Duration::from_secs(10), events.next()).await {
            Ok(Some(TrackerEvent::Connection {
                problem: Some(p), ..
            })) => {
                assert_eq!(p.code.as_deref(), Some("too_many_requests"));
                break;
            }
            Ok(Some(_)) => {}
            other => panic!("no connection problem announced: {other:?}"),
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let storm_polls = controls.count("GET /api/v1/tasks/{id}").await.unwrap();
    // Without backing off, 10 tasks polled every 40–250 ms would send well over 100
    // requests in 2 s; with a shared pause of Retry-After (1 s) per 429 round, at most one
    // round of in-flight polls (8) goes out per second, plus the first round.
    assert!(
        storm_polls <= 3 * 8 + 10,
        "{storm_polls} polls during the storm"
    );
    controls.clear_faults().await.unwrap();
    until_final(&mut events, &ids, Duration::from_secs(60)).await;
    for id in &ids {
        assert_history_in_order(&library, id, "success");
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_task_is_marked_refunded_once_the_usage_history_shows_it() {
    let (sandbox, client) = start_sandbox(SandboxConfig {
        api_keys: vec![KEY.into()],
        speed: 20.0,
        ..sandbox_config()
    })
    .await;
    let library = Library::open_in_memory().unwrap();
    let tracker = TaskTracker::start(
        library.clone(),
        TestConnections::new(PROFILE, client.clone()),
        fast_config(),
    )
    .unwrap();
    let mut events = Box::pin(tracker.subscribe(PROFILE));
    let id = create(&tracker, &client, "[sandbox:fail] a doomed castle").await;
    let mut changes = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(30), events.next()).await {
            Ok(Some(TrackerEvent::Task { change, task })) => {
                changes.push(change);
                if change == TaskChange::Refunded {
                    assert!(task.refunded);
                    assert_eq!(task.state, TaskState::Failed);
                    break;
                }
            }
            Ok(Some(_)) => {}
            other => panic!("no refund seen (changes so far {changes:?}): {other:?}"),
        }
    }
    assert!(changes.contains(&TaskChange::Failed), "{changes:?}");
    assert!(tracker.stats().refund_checks >= 1);
    assert_history_in_order(&library, &id, "failed");
    assert_eq!(client.balance().await.unwrap().remaining_credits, 500);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_a_task_made_elsewhere_follows_it_and_a_reload_replays_it() {
    let (sandbox, client) = start_sandbox(SandboxConfig {
        api_keys: vec![KEY.into()],
        speed: 20.0,
        ..sandbox_config()
    })
    .await;
    let created = client
        .generate(
            &MediaType::Image,
            &GenerationRequest {
                model: "nano-banana-2".into(),
                prompt: Some("made by another client".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let library = Library::open_in_memory().unwrap();
    let tracker = Arc::new(
        TaskTracker::start(
            library.clone(),
            TestConnections::new(PROFILE, client.clone()),
            fast_config(),
        )
        .unwrap(),
    );
    let record = tracker.import(PROFILE, &created.task_id).await.unwrap();
    assert_eq!(record.model, "nano-banana-2");
    assert_eq!(record.prompt.as_deref(), Some("made by another client"));
    let mut events = Box::pin(tracker.subscribe(PROFILE));
    until_final(
        &mut events,
        std::slice::from_ref(&created.task_id),
        Duration::from_secs(30),
    )
    .await;

    // A page that subscribes again gets the current state first, from the library.
    let mut again = Box::pin(tracker.subscribe(PROFILE));
    let Some(TrackerEvent::Snapshot { tasks, .. }) = again.next().await else {
        panic!("a subscription starts with a snapshot");
    };
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].state, TaskState::Succeeded);

    let err = tracker.import(PROFILE, "not-a-task").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("invalid_task_id"));
    let err = tracker
        .import(PROFILE, "00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("task_not_found"));
    sandbox.shutdown().await;
}

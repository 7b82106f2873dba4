//! The core against a hostile deployment (crates/hostile) beside a healthy one: what
//! one bad deployment does must stay with it.

mod common;

use common::sandbox_config;
use cyberbara::client::RateFloor;
use cyberbara::egress::Lookup;
use cyberbara::types::{GenerationRequest, Task};
use cyberbara::{ApiKey, Client, ClientOptions, RetryPolicy};
use cyberbara_hostile::{Hostile, Reply};
use cyberbara_sandbox::{Sandbox, SandboxConfig};
use futures_util::future::BoxFuture;
use futures_util::StreamExt;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde_json::{json, Map};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use studio::downloads::{DownloadConfig, MaxBytes};
use studio::error::AppError;
use studio::gallery_workers::{Gallery, GalleryConfig, TrashFn};
use studio::library::{Item, ItemState, Library, NewTask, TaskKey, TaskOrigin};
use studio::library_folder::LibraryFolder;
use studio::tracker::{new_task_from, Connections, TaskTracker, TrackerConfig, TrackerEvent};

const KEY: &str = "sk-hostile-core-0123456789abcdef";

/// One client per profile.
struct Profiles(HashMap<String, Client>);

impl Connections for Profiles {
    fn client(&self, profile_id: &str) -> BoxFuture<'_, Result<Client, AppError>> {
        let found = self
            .0
            .get(profile_id)
            .cloned()
            .ok_or_else(|| AppError::not_found(format!("no profile {profile_id}")));
        Box::pin(async move { found })
    }
}

fn task_json(id: &str, status: &str) -> String {
    format!(
        r#"{{"data":{{"task":{{"id":"{id}","status":"{status}","media_type":"image","model":"nano-banana-pro","prompt":"p","output":{{}},"created_at":"2026-03-03T04:31:55.116Z"}}}}}}"#
    )
}

fn task(id: &str) -> Task {
    let envelope: serde_json::Value = serde_json::from_str(&task_json(id, "processing")).unwrap();
    serde_json::from_value(envelope["data"]["task"].clone()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_whose_polls_hang_does_not_starve_another_profiles_polls() {
    // Every poll of the sick deployment trickles a byte a second: each holds a permit
    // until the client's total deadline (30 s).
    let sick = Hostile::start(|_| Reply::Trickle {
        content_type: "application/json".into(),
        every: Duration::from_secs(1),
        body: task_json("t", "processing").into_bytes(),
    })
    .await;
    let sandbox = Sandbox::start(SandboxConfig {
        api_keys: vec![KEY.into()],
        speed: 10.0,
        ..sandbox_config()
    })
    .await
    .unwrap();
    let healthy = Client::new(&sandbox.base_url(), ApiKey::new(KEY)).unwrap();
    let sick_client = Client::with_options(
        &sick.url(),
        ApiKey::new(KEY),
        ClientOptions {
            retry: RetryPolicy::none(),
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let profiles = Profiles(HashMap::from([
        ("sick".to_string(), sick_client),
        ("ok".to_string(), healthy.clone()),
    ]));
    let library = Library::open_in_memory().unwrap();
    let config = TrackerConfig {
        max_in_flight: 8,
        first_poll: Duration::from_millis(20),
        max_interval: Duration::from_millis(200),
        ..TrackerConfig::default()
    };
    let tracker = TaskTracker::start(library, Arc::new(profiles), config).unwrap();
    // More hanging tasks than there are permits.
    for i in 0..12 {
        tracker
            .add_created(new_task_from("sick", &task(&format!("sick-{i}"))))
            .unwrap();
    }
    // Let the sick polls take their permits first.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut events = Box::pin(tracker.subscribe("ok"));
    let created = healthy
        .generate_image(&GenerationRequest {
            model: "nano-banana-pro".into(),
            prompt: Some("a lighthouse".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let first = healthy.task(&created.task_id).await.unwrap();
    tracker.add_created(new_task_from("ok", &first)).unwrap();
    let finished = tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(event) = events.next().await {
            if let TrackerEvent::Task { task, .. } = event {
                if task.id == created.task_id && task.state.is_final() {
                    return task;
                }
            }
        }
        panic!("the tracker stopped");
    })
    .await
    .expect("the healthy profile's task was polled to its end while the sick one hung");
    assert_eq!(finished.status, "success");
    assert!(
        sick.seen().len() >= 8,
        "the sick deployment held its permits: {} polls",
        sick.seen().len()
    );
}

/// Answers names from a table and records every lookup: the LAN and link-local cases
/// of the output rule are decided on these answers, and no connection is ever opened
/// to them (the rule refuses them in the resolver, before connecting).
#[derive(Default)]
struct StubResolver {
    table: HashMap<String, Vec<SocketAddr>>,
    asked: Mutex<Vec<String>>,
}

impl Resolve for StubResolver {
    fn resolve(&self, name: Name) -> Resolving {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(name.as_str().to_string());
        }
        let found = self.table.get(name.as_str()).cloned();
        Box::pin(async move {
            match found {
                Some(addrs) => Ok(Box::new(addrs.into_iter()) as Addrs),
                None => Err("no such host in the stub".into()),
            }
        })
    }
}

/// A library, a tracker and a gallery whose one profile `h` is the hostile deployment.
struct HostileLibrary {
    _dir: tempfile::TempDir,
    library: Library,
    tracker: TaskTracker,
    _gallery: Gallery,
}

async fn hostile_library(server: &Hostile, downloads: DownloadConfig) -> HostileLibrary {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new(&server.url(), ApiKey::new(KEY)).unwrap();
    let library = Library::open(&dir.path().join("data/library.db")).unwrap();
    let tracker = TaskTracker::start(
        library.clone(),
        Arc::new(Profiles(HashMap::from([("h".to_string(), client)]))),
        TrackerConfig::default(),
    )
    .unwrap();
    let folder = Arc::new(LibraryFolder::open(
        &library,
        dir.path().join("data/library"),
    ));
    let trash: TrashFn =
        Arc::new(|path: &std::path::Path| std::fs::remove_file(path).map_err(|e| e.to_string()));
    let gallery = Gallery::start(
        library.clone(),
        &tracker,
        folder,
        &dir.path().join("cache"),
        GalleryConfig {
            downloads,
            thumbnail_workers: Some(2),
            undo_window: Duration::from_millis(300),
            trash_grace: Duration::from_millis(100),
        },
        trash,
    )
    .unwrap();
    HostileLibrary {
        _dir: dir,
        library,
        tracker,
        _gallery: gallery,
    }
}

impl HostileLibrary {
    fn succeeded(&self, id: &str, outputs: Vec<String>) {
        self.tracker
            .add_created(NewTask {
                key: TaskKey::new("h", id),
                model: "nano-banana-pro".into(),
                media_type: "image".into(),
                scene: None,
                prompt: Some("p".into()),
                request: json!({"model": "nano-banana-pro", "prompt": "p"}),
                status: "success".into(),
                cost: Some(8),
                outputs,
                extra: Map::new(),
                origin: TaskOrigin::Imported,
                batch_id: None,
                batch_index: None,
                created_at: "2026-11-30T10:00:00.000Z".into(),
                updated_at: None,
            })
            .unwrap();
    }

    /// Waits until all `count` items of `task` are failed or ready.
    async fn settled(&self, task: &str, count: usize) -> Vec<Item> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let items = self.library.task_items("h", task).unwrap();
            if items.len() == count
                && items
                    .iter()
                    .all(|i| matches!(i.state, ItemState::Failed | ItemState::Ready))
            {
                return items;
            }
            assert!(
                Instant::now() < deadline,
                "items did not settle: {items:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn quick_downloads(lookup: Arc<dyn Resolve>) -> DownloadConfig {
    DownloadConfig {
        attempts: 1,
        backoff: cyberbara::Backoff {
            base: Duration::from_millis(20),
            cap: Duration::from_millis(50),
            jitter: false,
        },
        stall_timeout: Duration::from_secs(5),
        lookup: Lookup(lookup),
        ..DownloadConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outputs_outside_the_rule_are_refused_with_a_sentence_and_never_requested() {
    let other = Hostile::recorder().await;
    let other_url = other.url();
    let server = Hostile::start(move |seen| match seen.path() {
        "/redirect.png" => Reply::Redirect {
            status: 302,
            location: format!("{other_url}/stolen.png"),
        },
        _ => Reply::status(404, "text/plain", "no"),
    })
    .await;
    let lookup = Arc::new(StubResolver {
        table: HashMap::from([
            (
                "lan.test".to_string(),
                vec!["192.168.1.5:443".parse().unwrap()],
            ),
            (
                "metadata.test".to_string(),
                vec!["169.254.169.254:443".parse().unwrap()],
            ),
            (
                "mixed.test".to_string(),
                vec![
                    "93.184.216.34:443".parse().unwrap(),
                    "10.0.0.7:443".parse().unwrap(),
                ],
            ),
        ]),
        ..StubResolver::default()
    });
    let setup = hostile_library(&server, quick_downloads(lookup.clone())).await;
    let outputs = vec![
        format!("{}/x.png", other.url()),
        "file:///etc/passwd".to_string(),
        "javascript:alert(1)".to_string(),
        "https://lan.test/x.png".to_string(),
        "https://metadata.test/latest/meta-data".to_string(),
        "https://mixed.test/x.png".to_string(),
        "http://cdn.example.com/x.png".to_string(),
        format!("{}/redirect.png", server.url()),
    ];
    setup.succeeded("t1", outputs.clone());
    let items = setup.settled("t1", outputs.len()).await;
    for item in &items {
        assert_eq!(item.state, ItemState::Failed, "{item:?}");
        let error = item.error.as_deref().unwrap_or_default();
        assert!(
            error.starts_with("An output was not downloaded: "),
            "{}: {error}",
            item.url
        );
    }
    assert!(
        error_of(&items, &outputs[0]).contains("another port"),
        "{}",
        error_of(&items, &outputs[0])
    );
    assert!(error_of(&items, &outputs[1]).contains("file: address"));
    assert!(
        error_of(&items, &outputs[3]).contains("192.168.1.5"),
        "{}",
        error_of(&items, &outputs[3])
    );
    assert!(error_of(&items, &outputs[4]).contains("169.254.169.254"));
    assert!(
        error_of(&items, &outputs[5]).contains("10.0.0.7"),
        "one private address is enough"
    );
    assert!(error_of(&items, &outputs[6]).contains("plain http"));
    assert!(
        error_of(&items, &outputs[7]).contains("another port"),
        "{}",
        error_of(&items, &outputs[7])
    );
    // Not one request reached the other port; the deployment saw only the redirect.
    assert!(other.seen().is_empty(), "{:?}", other.seen());
    let seen: Vec<String> = server.seen().iter().map(|s| s.target.clone()).collect();
    assert_eq!(seen, vec!["/redirect.png".to_string()]);
    // The names were looked up (the decision is on their addresses), nothing else.
    let mut asked = lookup.asked.lock().unwrap().clone();
    asked.sort();
    assert_eq!(asked, vec!["lan.test", "metadata.test", "mixed.test"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_past_its_ceiling_or_too_slow_is_given_up_with_a_sentence() {
    let server = Hostile::start(|seen| match seen.path() {
        // A 10 GB promise.
        "/huge.png" => Reply::Endless {
            content_type: "image/png".into(),
            content_length: Some(10 * 1024 * 1024 * 1024),
            head: b"\x89PNG\r\n\x1a\n".to_vec(),
        },
        // No length at all, and no end.
        "/endless.png" => Reply::Endless {
            content_type: "image/png".into(),
            content_length: None,
            head: b"\x89PNG\r\n\x1a\n".to_vec(),
        },
        // A byte every 300 ms.
        "/trickle.png" => Reply::Trickle {
            content_type: "image/png".into(),
            every: Duration::from_millis(300),
            body: vec![0; 200],
        },
        _ => Reply::status(404, "text/plain", "no"),
    })
    .await;
    let config = DownloadConfig {
        max_bytes: MaxBytes {
            image: 4 * 1024 * 1024,
            ..MaxBytes::default()
        },
        rate_floor: RateFloor {
            min_bytes: 1024,
            window: Duration::from_secs(1),
        },
        ..quick_downloads(Arc::new(StubResolver::default()))
    };
    let setup = hostile_library(&server, config).await;
    let base = server.url();
    let outputs = vec![
        format!("{base}/huge.png"),
        format!("{base}/endless.png"),
        format!("{base}/trickle.png"),
    ];
    let started = Instant::now();
    setup.succeeded("t2", outputs.clone());
    let items = setup.settled("t2", 3).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        error_of(&items, &outputs[0]).contains("larger than 4 MB"),
        "{}",
        error_of(&items, &outputs[0])
    );
    assert!(
        error_of(&items, &outputs[0]).contains("10.0 GB"),
        "{}",
        error_of(&items, &outputs[0])
    );
    assert!(
        error_of(&items, &outputs[1]).contains("larger than 4 MB"),
        "{}",
        error_of(&items, &outputs[1])
    );
    assert!(
        error_of(&items, &outputs[2]).contains("too slow"),
        "{}",
        error_of(&items, &outputs[2])
    );
    assert!(items
        .iter()
        .all(|i| i.state == ItemState::Failed && i.file.is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_bomb_on_a_poll_after_start_becomes_a_sentence_on_the_profile() {
    // What used to abort the process at every launch: the tracker resumes the task and
    // polls it right after start.
    let server = Hostile::start(|_| Reply::GzipBomb {
        inflated: 1024 * 1024 * 1024,
    })
    .await;
    let client = Client::with_options(
        &server.url(),
        ApiKey::new(KEY),
        ClientOptions {
            retry: RetryPolicy::none(),
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let library = Library::open_in_memory().unwrap();
    let config = TrackerConfig {
        first_poll: Duration::from_millis(20),
        ..TrackerConfig::default()
    };
    let profiles = || {
        Arc::new(Profiles(HashMap::from([(
            "bomb".to_string(),
            client.clone(),
        )])))
    };
    // A first run records the task; the tracker of the next start resumes it.
    {
        let first = TaskTracker::start(
            library.clone(),
            profiles(),
            TrackerConfig {
                first_poll: Duration::from_secs(3600),
                ..TrackerConfig::default()
            },
        )
        .unwrap();
        first
            .add_created(new_task_from("bomb", &task("bomb-1")))
            .unwrap();
    }
    let tracker = TaskTracker::start(library, profiles(), config).unwrap();
    let mut events = Box::pin(tracker.subscribe("bomb"));
    let problem = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(event) = events.next().await {
            if let TrackerEvent::Connection {
                problem: Some(problem),
                ..
            } = event
            {
                return problem;
            }
        }
        panic!("the tracker stopped");
    })
    .await
    .expect("the bomb became a problem on the profile");
    assert!(
        problem.message.contains("larger than 8 MB"),
        "{}",
        problem.message
    );
    assert!(!problem.message.contains("0123456789abcdef"));
    assert!(
        tracker.following() >= 1,
        "the task is still followed, not dropped"
    );
}

/// The sentence recorded on the item downloaded from `url` ("" when there is none).
fn error_of(items: &[Item], url: &str) -> String {
    items
        .iter()
        .find(|i| i.url == url)
        .and_then(|i| i.error.clone())
        .unwrap_or_default()
}

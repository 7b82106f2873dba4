//! Checks shared by the app's integration tests.

pub mod origin;

use std::path::Path;

/// Every byte of every file under `dir`, for "the key is not on disk" checks.
#[allow(dead_code)]
pub fn all_bytes_under(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(all_bytes_under(&path));
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.extend(bytes);
            }
        }
    }
    out
}

#[allow(dead_code)]
pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Waits until nothing listens on `port` of 127.0.0.1 any more (a dropped server closes
/// its listener on its own task), so a test can bind it or expect it to be reused.
#[allow(dead_code)]
pub async fn wait_until_free(port: u16) {
    for _ in 0..500 {
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("port {port} was still taken after 5 s");
}

/// A sandbox configuration for tests (in memory, free port, test controls on).
#[allow(dead_code)]
pub fn sandbox_config() -> cyberbara_sandbox::SandboxConfig {
    cyberbara_sandbox::SandboxConfig {
        test_controls: true,
        ..Default::default()
    }
}

/// Gives the tracker one client for one profile.
#[allow(dead_code)]
pub struct TestConnections {
    profile_id: String,
    client: cyberbara::Client,
}

#[allow(dead_code)]
impl TestConnections {
    pub fn new(profile_id: &str, client: cyberbara::Client) -> std::sync::Arc<TestConnections> {
        std::sync::Arc::new(TestConnections {
            profile_id: profile_id.to_string(),
            client,
        })
    }
}

impl studio::tracker::Connections for TestConnections {
    fn client(
        &self,
        profile_id: &str,
    ) -> futures_util::future::BoxFuture<'_, Result<cyberbara::Client, studio::error::AppError>>
    {
        let result = if profile_id == self.profile_id {
            Ok(self.client.clone())
        } else {
            Err(studio::error::AppError::not_found(format!(
                "no profile {profile_id}"
            )))
        };
        Box::pin(async move { result })
    }
}

/// Waits, on the tracker's events, until task `id` of the active profile is final.
#[allow(dead_code)]
pub async fn wait_for_task(
    studio: &studio::services::Studio,
    id: &str,
    limit: std::time::Duration,
) -> studio::library::TaskRecord {
    use futures_util::StreamExt;
    let profile = studio.active_id().unwrap();
    let tracker = studio.tracker().await.unwrap();
    let mut events = Box::pin(tracker.subscribe(&profile));
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let event = tokio::time::timeout_at(deadline, events.next())
            .await
            .unwrap_or_else(|_| panic!("task {id} did not finish in {limit:?}"))
            .expect("the tracker stopped");
        let found = match event {
            studio::tracker::TrackerEvent::Snapshot { tasks, .. } => {
                tasks.into_iter().find(|t| t.id == id)
            }
            studio::tracker::TrackerEvent::Task { task, .. } if task.id == id => Some(*task),
            _ => None,
        };
        if let Some(task) = found.filter(|t| t.state.is_final()) {
            return task;
        }
    }
}

/// The tracker of the app's integration tests: polls every 40–200 ms, backs off 100 ms
/// to 2 s after trouble, and checks no refunds unless a test asks for them.
#[allow(dead_code)]
pub fn fast_tracker() -> studio::tracker::TrackerConfig {
    use std::time::Duration;
    studio::tracker::TrackerConfig {
        first_poll: Duration::from_millis(40),
        max_interval: Duration::from_millis(200),
        backoff: cyberbara::Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(2),
            jitter: false,
        },
        refund_checks: vec![],
        ..studio::tracker::TrackerConfig::default()
    }
}

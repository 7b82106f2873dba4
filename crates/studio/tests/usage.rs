//! The usage history against a real sandbox on 127.0.0.1 (test controls on): paging at
//! its edges, UTC days around midnight, refunds as rows of their own, a cache that reads
//! only what is new, a row that arrives while pages are read, the CSV of a known ledger,
//! and tasks made by another client brought back from the usage rows.

mod common;

use common::{fast_tracker, sandbox_config, TestConnections};
use cyberbara::clock::ManualClock;
use cyberbara::types::{GenerationRequest, UsageItem, UsageQuery};
use cyberbara::{ApiKey, Client};
use cyberbara_sandbox::controls::{FaultKind, FaultSpec, SandboxControls};
use cyberbara_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use studio::library::{Library, TaskState, UsageRange};
use studio::tracker::{new_task_from, TaskTracker, TrackerConfig, TrackerEvent};
use studio::usage::{self, UsageProgress};

/// The shared fast tracker, with this file's refund checks.
fn with_refund_checks() -> TrackerConfig {
    TrackerConfig {
        refund_checks: vec![Duration::from_millis(100), Duration::from_millis(400)],
        ..fast_tracker()
    }
}

const KEY: &str = "sk-usage-test-0123456789abcdef";
const PROFILE: &str = "p";
/// Fails without rendering anything, ten days after it was made: a charge that stays the
/// only row of its task for as long as the test's clock does not move that far.
const QUIET: &str = "[sandbox:fail] [sandbox:ms=864000000]";

fn at(iso: &str) -> SystemTime {
    let ms = chrono::DateTime::parse_from_rfc3339(iso)
        .unwrap()
        .timestamp_millis();
    UNIX_EPOCH + Duration::from_millis(ms as u64)
}

async fn sandbox(config: SandboxConfig) -> (Sandbox, Client) {
    let sandbox = Sandbox::start(SandboxConfig {
        api_keys: vec![KEY.into()],
        credits: 1_000_000,
        ..config
    })
    .await
    .unwrap();
    let client = Client::new(&sandbox.base_url(), ApiKey::new(KEY)).unwrap();
    (sandbox, client)
}

/// A sandbox whose time stands still at `start` until the test moves it.
async fn sandbox_at(start: &str) -> (Sandbox, Client, ManualClock) {
    let manual = ManualClock::new(at(start));
    let (sandbox, client) = sandbox(SandboxConfig {
        clock: manual.clock(),
        ..sandbox_config()
    })
    .await;
    (sandbox, client, manual)
}

async fn charge(client: &Client, prompt: &str) -> String {
    client
        .generate_image(&GenerationRequest {
            model: "nano-banana-pro".into(),
            prompt: Some(prompt.into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .task_id
}

async fn charges(client: &Client, n: usize, label: &str) {
    for i in 0..n {
        charge(client, &format!("{QUIET} {label} {i}")).await;
    }
}

fn range(from: Option<&str>, to: Option<&str>) -> UsageRange {
    UsageRange::new(from, to)
}

async fn sync(library: &Library, client: &Client, r: &UsageRange) -> studio::library::UsageLedger {
    usage::sync(library, client, PROFILE, r, &usage::no_progress)
        .await
        .unwrap()
}

/// Every row of a range as the API pages it, read one page after another.
async fn raw_rows(client: &Client, r: &UsageRange) -> Vec<UsageItem> {
    let mut rows = Vec::new();
    for page in 1.. {
        let usage = client.usage(&usage::fetch::query(r, page)).await.unwrap();
        if usage.items.is_empty() {
            break;
        }
        rows.extend(usage.items);
    }
    rows
}

fn ids<'a>(rows: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    rows.into_iter().collect()
}

async fn usage_requests(base: &str) -> u64 {
    SandboxControls::new(base)
        .count("GET /api/v1/credits/usage")
        .await
        .unwrap()
}

async fn reset_stats(base: &str) {
    SandboxControls::new(base).reset_stats().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_at_their_edges_and_a_full_read_that_matches_them() {
    let (sandbox, client, manual) = sandbox_at("2026-03-02T10:00:00.000Z").await;
    charges(&client, 100, "monday").await;
    manual.advance(Duration::from_secs(86_400));
    charges(&client, 101, "tuesday").await;
    let base = sandbox.base_url();

    // Exactly one full page.
    let monday = range(Some("2026-03-02"), Some("2026-03-02"));
    let page = client
        .usage(&usage::fetch::query(&monday, 1))
        .await
        .unwrap();
    assert_eq!((page.summary.total, page.summary.total_pages), (100, 1));
    assert_eq!(page.items.len(), 100);
    let past = client
        .usage(&usage::fetch::query(&monday, 2))
        .await
        .unwrap();
    assert!(past.items.is_empty(), "a page past the last is empty");
    assert_eq!(past.summary.total, 100, "and still carries the summary");

    // A last page holding one row; a limit above 100 is read as 100.
    let both = range(Some("2026-03-02"), Some("2026-03-03"));
    let clamped = client
        .usage(&UsageQuery {
            page: Some(1),
            limit: Some(250),
            from: both.from.clone(),
            to: both.to.clone(),
        })
        .await
        .unwrap();
    assert_eq!(clamped.summary.limit, 100);
    assert_eq!(clamped.items.len(), 100);
    assert_eq!(clamped.summary.total_pages, 3);
    let last = client.usage(&usage::fetch::query(&both, 3)).await.unwrap();
    assert_eq!(last.items.len(), 1);
    let raw = raw_rows(&client, &both).await;
    assert_eq!(raw.len(), 201);
    let sum: i64 = raw.iter().map(|r| r.credits_consumed).sum();
    assert_eq!(
        sum, clamped.summary.total_credits_consumed,
        "the summary is the sum of all pages"
    );

    // The app's read: every page once, a few at a time, in the server's order.
    let library = Library::open_in_memory().unwrap();
    reset_stats(&base).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let events = Arc::clone(&seen);
    let ledger = usage::sync(&library, &client, PROFILE, &both, &move |e| {
        events.lock().unwrap().push(e)
    })
    .await
    .unwrap();
    assert_eq!(usage_requests(&base).await, 3);
    assert!(ledger.complete);
    assert_eq!(ledger.total, 201);
    assert_eq!(ledger.total_credits_consumed, sum);
    assert_eq!(ledger.rows.iter().map(|r| r.credits).sum::<i64>(), sum);
    assert_eq!(
        ids(ledger.rows.iter().map(|r| r.id.as_str())),
        ids(raw.iter().map(|r| r.id.as_str()))
    );
    let progress = seen.lock().unwrap().clone();
    assert_eq!(
        progress.first(),
        Some(&UsageProgress::Pages { done: 1, total: 3 })
    );
    assert_eq!(
        progress.last(),
        Some(&UsageProgress::Pages { done: 3, total: 3 })
    );

    // One page exactly, and an empty range.
    let ledger = sync(&library, &client, &monday).await;
    assert_eq!((ledger.rows.len(), ledger.total), (100, 100));
    let empty = sync(
        &library,
        &client,
        &range(Some("2026-01-01"), Some("2026-01-31")),
    )
    .await;
    assert!(empty.complete && empty.rows.is_empty() && empty.total == 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dates_are_utc_days_and_date_times_are_exact_around_midnight() {
    let (_sandbox, client, manual) = sandbox_at("2026-03-03T23:59:59.500Z").await;
    let before = charge(&client, &format!("{QUIET} before midnight")).await;
    manual.advance(Duration::from_millis(700));
    let after = charge(&client, &format!("{QUIET} after midnight")).await;
    let library = Library::open_in_memory().unwrap();
    let tasks = |ledger: &studio::library::UsageLedger| -> Vec<String> {
        ledger
            .rows
            .iter()
            .filter_map(|r| r.task_id.clone())
            .collect()
    };

    let tuesday = sync(
        &library,
        &client,
        &range(Some("2026-03-03"), Some("2026-03-03")),
    )
    .await;
    assert_eq!(tasks(&tuesday), std::slice::from_ref(&before));
    assert_eq!(tuesday.from.as_deref(), Some("2026-03-03T00:00:00.000Z"));
    assert_eq!(tuesday.to.as_deref(), Some("2026-03-03T23:59:59.999Z"));
    let wednesday = sync(&library, &client, &range(Some("2026-03-04"), None)).await;
    assert_eq!(tasks(&wednesday), std::slice::from_ref(&after));

    let between = range(
        Some("2026-03-03T23:59:59.600Z"),
        Some("2026-03-04T00:00:00.100Z"),
    );
    assert!(sync(&library, &client, &between).await.rows.is_empty());
    // An offset moves the bound: 00:00 in UTC+1 is 23:00 UTC the day before.
    let both = range(
        Some("2026-03-04T00:00:00+01:00"),
        Some("2026-03-04T00:00:00.200Z"),
    );
    assert_eq!(
        tasks(&sync(&library, &client, &both).await),
        [after, before]
    );

    let refused = |r: UsageRange| {
        let (library, client) = (library.clone(), client.clone());
        async move {
            usage::sync(&library, &client, PROFILE, &r, &usage::no_progress)
                .await
                .unwrap_err()
        }
    };
    let bad_date = refused(range(Some("03/04/2026"), None)).await;
    assert_eq!(bad_date.code.as_deref(), Some("invalid_date"));
    assert!(
        bad_date.message.contains("YYYY-MM-DD"),
        "{}",
        bad_date.message
    );
    let backwards = refused(range(Some("2026-03-04"), Some("2026-03-03"))).await;
    assert_eq!(backwards.code.as_deref(), Some("invalid_date_range"));
    assert!(library
        .usage_ledger(PROFILE, &range(Some("03/04/2026"), None))
        .unwrap()
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_reads_only_the_rows_that_arrived_since() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("library.db");
    let (sandbox, client, _manual) = sandbox_at("2026-03-05T08:00:00.000Z").await;
    let base = sandbox.base_url();
    let today = range(Some("2026-03-05"), Some("2026-03-05"));
    charges(&client, 150, "first").await;
    {
        let library = Library::open(&db).unwrap();
        reset_stats(&base).await;
        let ledger = sync(&library, &client, &today).await;
        assert_eq!((ledger.rows.len(), usage_requests(&base).await), (150, 2));
    }

    // Another launch: the ledger is there before anything is asked of the server.
    let library = Library::open(&db).unwrap();
    let cached = library.usage_ledger(PROFILE, &today).unwrap().unwrap();
    assert_eq!(cached.rows.len(), 150);

    charges(&client, 3, "second").await;
    reset_stats(&base).await;
    let ledger = sync(&library, &client, &today).await;
    assert_eq!(
        usage_requests(&base).await,
        1,
        "three new rows fit on the first page"
    );
    assert_eq!(ledger.rows.len(), 153);
    let raw = raw_rows(&client, &today).await;
    assert_eq!(
        ids(ledger.rows.iter().map(|r| r.id.as_str())),
        ids(raw.iter().map(|r| r.id.as_str())),
        "the new rows went in front, in the server's order"
    );

    charges(&client, 120, "third").await;
    reset_stats(&base).await;
    let ledger = sync(&library, &client, &today).await;
    assert_eq!(
        usage_requests(&base).await,
        2,
        "120 new rows: page 1, and page 2 where the cached rows begin"
    );
    assert_eq!(ledger.rows.len(), 273);
    assert!(ledger.complete);

    reset_stats(&base).await;
    sync(&library, &client, &today).await;
    assert_eq!(usage_requests(&base).await, 1, "nothing new: one request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_that_arrives_while_pages_are_read_is_not_lost() {
    let (sandbox, client) = sandbox(sandbox_config()).await;
    let base = sandbox.base_url();
    charges(&client, 250, "early").await;
    let library = Library::open_in_memory().unwrap();
    // Every usage request waits a second before the server reads the ledger: page 1 reads
    // it at about 1 s, the other pages at about 2 s, and a charge lands in between.
    SandboxControls::new(&base)
        .add_fault(&FaultSpec {
            ms: Some(1000),
            path_prefix: Some("/api/v1/credits/usage".into()),
            ..FaultSpec::new(FaultKind::Latency)
        })
        .await
        .unwrap();
    reset_stats(&base).await;
    let reading = {
        let (library, client) = (library.clone(), client.clone());
        tokio::spawn(async move { sync(&library, &client, &range(None, None)).await })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let late = charge(&client, &format!("{QUIET} late")).await;
    let ledger = reading.await.unwrap();
    assert!(
        usage_requests(&base).await > 3,
        "the pages moved, so the range was read again"
    );
    assert!(ledger.complete);
    assert_eq!(ledger.total, 251);
    assert_eq!(ledger.rows.len(), 251);
    assert_eq!(ledger.rows[0].task_id.as_deref(), Some(late.as_str()));
    let distinct: HashSet<&str> = ledger.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(distinct.len(), 251);
}

/// Creates a task the way another program would: plain HTTP with the key.
async fn create_elsewhere(base: &str, prompt: &str) -> String {
    let reply: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/images/generations"))
        .bearer_auth(KEY)
        .json(&json!({"model": "nano-banana-pro", "prompt": prompt}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["data"]["task_id"].as_str().unwrap().to_string()
}

/// Waits until a task is final, reading it with plain HTTP.
async fn wait_elsewhere(base: &str, id: &str) -> Value {
    for _ in 0..400 {
        let reply: Value = reqwest::Client::new()
            .get(format!("{base}/api/v1/tasks/{id}"))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let task = reply["data"]["task"].clone();
        if matches!(task["status"].as_str(), Some("success" | "failed")) {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("task {id} did not finish");
}

/// Waits until the usage history shows the refund of `task_id`.
async fn wait_for_refund(client: &Client, task_id: &str) {
    for _ in 0..200 {
        let rows = raw_rows(client, &range(None, None)).await;
        if rows
            .iter()
            .any(|r| r.task_id.as_deref() == Some(task_id) && r.credits_consumed < 0)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no refund for {task_id}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_made_by_another_client_come_back_from_the_usage_rows_with_their_outputs() {
    let (sandbox, client) = sandbox(SandboxConfig {
        speed: 20.0,
        ..sandbox_config()
    })
    .await;
    let base = sandbox.base_url();
    let library = Library::open_in_memory().unwrap();
    let tracker = TaskTracker::start(
        library.clone(),
        TestConnections::new(PROFILE, client.clone()),
        with_refund_checks(),
    )
    .unwrap();

    // One task the app made and knows…
    let mine = charge(&client, "[sandbox:ms=100] A task of this app").await;
    let task = client.task(&mine).await.unwrap();
    tracker.add_created(new_task_from(PROFILE, &task)).unwrap();
    // …and two made elsewhere: one succeeds, one fails and is refunded.
    let drawn = create_elsewhere(
        &base,
        "[sandbox:ms=200] A lighthouse, from another computer",
    )
    .await;
    let broken =
        create_elsewhere(&base, "[sandbox:fail] [sandbox:ms=200] A castle that fails").await;
    let drawn_task = wait_elsewhere(&base, &drawn).await;
    assert_eq!(drawn_task["status"], "success");
    wait_elsewhere(&base, &broken).await;
    wait_for_refund(&client, &broken).await;

    let everything = range(None, None);
    let ledger = sync(&library, &client, &everything).await;
    assert_eq!(ledger.rows.len(), 4, "three charges and one refund");
    assert_eq!(ledger.unknown_tasks, 2);
    let model_of = |ledger: &studio::library::UsageLedger, id: &str| {
        ledger
            .rows
            .iter()
            .find(|r| r.task_id.as_deref() == Some(id))
            .map(|r| r.model.clone())
    };
    assert_eq!(
        model_of(&ledger, &mine),
        Some(Some("nano-banana-pro".into()))
    );
    assert_eq!(
        model_of(&ledger, &drawn),
        Some(None),
        "the app does not know it yet"
    );

    let mut events = tracker.subscribe_all();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let progress = Arc::clone(&seen);
    let report = usage::import_missing(&library, &tracker, PROFILE, &everything, &move |e| {
        progress.lock().unwrap().push(e)
    })
    .await
    .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let imported: HashSet<&str> = report.imported.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(imported, HashSet::from([drawn.as_str(), broken.as_str()]));
    assert_eq!(
        seen.lock().unwrap().last(),
        Some(&UsageProgress::Tasks { done: 2, total: 2 })
    );

    let drawn_record = report.imported.iter().find(|t| t.id == drawn).unwrap();
    assert_eq!(drawn_record.state, TaskState::Succeeded);
    assert_eq!(
        drawn_record.prompt.as_deref(),
        Some("[sandbox:ms=200] A lighthouse, from another computer")
    );
    assert!(!drawn_record.outputs.is_empty());
    for url in &drawn_record.outputs {
        let response = reqwest::get(url).await.unwrap();
        assert!(response.status().is_success(), "{url}");
        assert!(response.bytes().await.unwrap().len() > 1000, "{url}");
    }
    let broken_record = report.imported.iter().find(|t| t.id == broken).unwrap();
    assert_eq!(broken_record.state, TaskState::Failed);
    assert!(
        broken_record.refunded,
        "its refund row is in the usage history"
    );

    assert_eq!(report.ledger.unknown_tasks, 0);
    assert_eq!(
        model_of(&report.ledger, &drawn),
        Some(Some("nano-banana-pro".into()))
    );
    let mut announced = HashSet::new();
    while let Ok(event) = events.try_recv() {
        if let TrackerEvent::Task { task, .. } = event {
            announced.insert(task.id);
        }
    }
    assert!(announced.contains(&drawn) && announced.contains(&broken));
    assert!(library
        .tasks(PROFILE, 10)
        .unwrap()
        .iter()
        .any(|t| t.id == drawn));

    let again = usage::import_missing(
        &library,
        &tracker,
        PROFILE,
        &everything,
        &usage::no_progress,
    )
    .await
    .unwrap();
    assert!(
        again.imported.is_empty() && again.failed.is_empty(),
        "nothing is missing now"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_of_a_known_ledger_has_one_line_per_row() {
    let (_sandbox, client, manual) = sandbox_at("2026-03-06T12:00:00.000Z").await;
    let library = Library::open_in_memory().unwrap();
    let kept = charge(&client, "[sandbox:ms=1000] kept").await;
    let task = client.task(&kept).await.unwrap();
    library.insert_task(new_task_from(PROFILE, &task)).unwrap();
    manual.advance(Duration::from_millis(10));
    let failing = charge(&client, "[sandbox:fail] [sandbox:ms=1000] refunded").await;
    // The refund is written when the failing task ends, a second after it was made.
    manual.wait_for_sleepers(2).await;
    manual.advance(Duration::from_secs(2));
    for _ in 0..200 {
        if raw_rows(&client, &range(None, None)).await.len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ledger = sync(
        &library,
        &client,
        &range(Some("2026-03-06"), Some("2026-03-06")),
    )
    .await;
    assert_eq!(ledger.rows.len(), 3);
    assert_eq!(ledger.total_credits_consumed, 8);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usage.csv");
    usage::csv_file::save_csv(&ledger.rows, &path).unwrap();
    let mut reader = csv::Reader::from_path(&path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        usage::CSV_COLUMNS
    );
    let lines: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let columns = |line: &Vec<String>| [2, 3, 4, 5, 6, 7, 8].map(|i| line[i].clone());
    assert_eq!(
        lines.iter().map(columns).collect::<Vec<_>>(),
        [
            [
                "refund",
                "-8",
                "image",
                "text-to-image",
                "",
                &failing,
                "refund: image task failed"
            ],
            [
                "charge",
                "8",
                "image",
                "text-to-image",
                "",
                &failing,
                "generate image"
            ],
            [
                "charge",
                "8",
                "image",
                "text-to-image",
                "nano-banana-pro",
                &kept,
                "generate image"
            ],
        ]
        .map(|line| line.map(str::to_string))
    );
    assert_eq!(lines[2][0], "2026-03-06T12:00:00.000Z");
    for (line, row) in lines.iter().zip(&ledger.rows) {
        assert_eq!((&line[1], &line[9]), (&row.transaction_no, &row.id));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_studio_reads_the_active_profiles_usage_and_keeps_the_low_balance_threshold() {
    use studio::compose::Draft;
    use studio::keychain::Keychain;
    use studio::services::{AppPaths, BalanceSettings, Studio, DEFAULT_LOW_BALANCE};

    let dir = tempfile::tempdir().unwrap();
    let paths = AppPaths::under(dir.path());
    let keychain = Keychain::new(format!("cyberbara-studio-test-{}", uuid::Uuid::new_v4()));
    let studio =
        Studio::open_with(paths.clone(), keychain.clone(), None, with_refund_checks()).unwrap();
    studio.start().await;

    let threshold = studio.balance_settings().unwrap().low_balance_threshold;
    assert_eq!(threshold, DEFAULT_LOW_BALANCE);
    let set = studio
        .set_balance_settings(BalanceSettings {
            low_balance_threshold: 120,
        })
        .unwrap();
    assert_eq!(set.low_balance_threshold, 120);
    let refused = studio
        .set_balance_settings(BalanceSettings {
            low_balance_threshold: -1,
        })
        .unwrap_err();
    assert_eq!(refused.kind, studio::error::ErrorKind::InvalidInput);

    // A generation on the built-in Sandbox, then its usage.
    let draft = Draft {
        model: "nano-banana-pro".into(),
        prompt: "[sandbox:ms=100] A lighthouse at dusk".into(),
        batch: 1,
        ..Default::default()
    };
    let report = studio.generate(&draft).await.unwrap();
    assert_eq!(report.created.len(), 1);
    let all = UsageRange::default();
    assert!(studio.cached_usage(&all).unwrap().is_none());
    let ledger = studio.sync_usage(&all, &usage::no_progress).await.unwrap();
    assert_eq!(ledger.rows.len(), 1);
    assert_eq!(
        ledger.rows[0].task_id.as_deref(),
        Some(report.created[0].id.as_str())
    );
    assert_eq!(ledger.rows[0].model.as_deref(), Some("nano-banana-pro"));
    assert_eq!(studio.cached_usage(&all).unwrap(), Some(ledger.clone()));

    let csv_path = dir.path().join("exported.csv");
    let export = studio
        .export_usage_csv(&all, &csv_path, &usage::no_progress)
        .await
        .unwrap();
    assert_eq!((export.rows, export.total_credits_consumed), (1, 8));
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert_eq!(text.lines().count(), 2);
    assert!(text.contains(&report.created[0].id));
    drop(studio);

    let reopened = Studio::open(paths, keychain, None).unwrap();
    assert_eq!(
        reopened.balance_settings().unwrap().low_balance_threshold,
        120
    );
}

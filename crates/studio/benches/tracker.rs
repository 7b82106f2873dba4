//! The task tracker under load: 1,000 tasks in flight against a sandbox, each finishing
//! 60 s after it was created (`[sandbox:ms=60000]`). Measures HTTP requests per task, the
//! CPU time of this process (the tracker, its client and the library; the sandbox runs in
//! a child process so its work is not counted) while all tasks are in flight, and the
//! delay from a task's success on the server (its `updated_at`) to the tracker's event.
//!
//! Targets (issue 7): ≤ 15 requests per task, ≤ 5 % of one core, median delay ≤ 3 s.
//!
//! ```sh
//! cargo bench -p cyberbara-studio-core --bench tracker            # 1,000 tasks, ~75 s
//! TRACKER_BENCH_TASKS=200 cargo bench -p cyberbara-studio-core --bench tracker
//! TRACKER_BENCH_TASK_MS=20000 cargo bench -p cyberbara-studio-core --bench tracker  # ~35 s
//! ```
//! `TRACKER_BENCH_JSON=path` also writes the figures as JSON (scripts/bench.sh reads it).
//! Results are recorded in docs/BENCHMARKS.md.

use cyberbara::types::GenerationRequest;
use cyberbara::{ApiKey, Client};
use futures_util::StreamExt;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use studio::library::{Library, TaskChange, TaskKey};
use studio::tracker::{new_task_from, TaskTracker, TrackerConfig, TrackerEvent};

const KEY: &str = "sk-tracker-bench-0123456789abcdef";
const PROFILE: &str = "bench";
/// How long each task runs on the sandbox, unless `TRACKER_BENCH_TASK_MS` says otherwise.
const TASK_MS: u64 = 60_000;

/// Runs the sandbox in this process when started as the child.
fn sandbox_child() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the sandbox");
    runtime.block_on(async {
        let sandbox = cyberbara_sandbox::Sandbox::start(cyberbara_sandbox::SandboxConfig {
            api_keys: vec![KEY.into()],
            credits: 10_000_000,
            ..Default::default()
        })
        .await
        .expect("the sandbox starts");
        println!("listening on {}", sandbox.base_url());
        // Until the parent closes our stdin.
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        sandbox.shutdown().await;
    });
}

/// User + system CPU time of this process.
fn cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete rusage into the pointer it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

fn main() {
    if std::env::var_os("TRACKER_BENCH_CHILD").is_some() {
        sandbox_child();
        return;
    }
    // `cargo bench` passes `--bench`; nothing else is expected.
    let tasks: usize = std::env::var("TRACKER_BENCH_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let mut child = Command::new(std::env::current_exe().expect("the bench's own path"))
        .env("TRACKER_BENCH_CHILD", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sandbox child starts");
    let mut reader = BufReader::new(child.stdout.take().expect("child stdout"));
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .expect("the child prints its address");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening on ADDR")
        .to_string();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let task_ms: u64 = std::env::var("TRACKER_BENCH_TASK_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(TASK_MS);
    runtime.block_on(run(&base, tasks, task_ms));
    drop(child.stdin.take());
    let _ = child.wait();
}

async fn run(base: &str, tasks: usize, task_ms: u64) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let library = Library::open(&dir.path().join("library.db")).expect("the library");
    let client = Client::new(base, ApiKey::new(KEY)).expect("a client");
    let connections = std::sync::Arc::new(Connection(client.clone()));
    let tracker = TaskTracker::start(library.clone(), connections, TrackerConfig::default())
        .expect("the tracker");
    let mut events = Box::pin(tracker.subscribe(PROFILE));

    eprintln!(
        "creating {tasks} tasks of {} s each…",
        task_ms as f64 / 1000.0
    );
    let mut ids = Vec::with_capacity(tasks);
    for i in 0..tasks {
        let created = client
            .generate_image(&GenerationRequest {
                model: "nano-banana-pro".into(),
                prompt: Some(format!("[sandbox:ms={task_ms}] bench task {i}")),
                ..Default::default()
            })
            .await
            .expect("a task is created");
        let task = cyberbara::types::Task {
            id: created.task_id.clone(),
            status: created.status.clone(),
            media_type: created.media_type.clone(),
            model: created.model.clone(),
            scene: created.scene.clone(),
            prompt: None,
            credits: Default::default(),
            output: Default::default(),
            created_at: created.created_at.clone(),
            updated_at: None,
            extra: Default::default(),
        };
        tracker
            .add_created(new_task_from(PROFILE, &task))
            .expect("recorded");
        ids.push(created.task_id);
    }
    let polls_at_start = tracker.stats().polls;
    let cpu_at_start = cpu_time();
    let wall_at_start = Instant::now();
    eprintln!("all created; following them…");

    let mut delays = Vec::with_capacity(tasks);
    let mut open = tasks;
    let mut first_done: Option<(Duration, Duration)> = None;
    while open > 0 {
        let event = tokio::time::timeout(Duration::from_secs(300), events.next())
            .await
            .expect("tasks finish within 5 minutes")
            .expect("the tracker runs");
        if let TrackerEvent::Task { change, task } = event {
            if change == TaskChange::Succeeded || change == TaskChange::Failed {
                let seen = chrono::Utc::now();
                if first_done.is_none() {
                    first_done = Some((wall_at_start.elapsed(), cpu_time() - cpu_at_start));
                }
                if let Some(done) = task
                    .updated_at
                    .as_deref()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                {
                    let delay = seen.signed_duration_since(done.with_timezone(&chrono::Utc));
                    delays.push(delay.num_milliseconds() as f64 / 1000.0);
                }
                open -= 1;
            }
        }
    }
    let wall = wall_at_start.elapsed();
    let cpu = cpu_time() - cpu_at_start;
    let polls = tracker.stats().polls - polls_at_start;
    let (in_flight_wall, in_flight_cpu) = first_done.unwrap_or((wall, cpu));
    for id in ids.iter().take(3) {
        let history = library
            .task_history(&TaskKey::new(PROFILE, id))
            .expect("history");
        assert_eq!(history.last().map(|e| e.status.as_str()), Some("success"));
    }
    delays.sort_by(f64::total_cmp);

    let requests_per_task = polls as f64 / tasks as f64;
    let core_share = 100.0 * in_flight_cpu.as_secs_f64() / in_flight_wall.as_secs_f64();
    let overall_share = 100.0 * cpu.as_secs_f64() / wall.as_secs_f64();
    println!("| figure | value | target |");
    println!("| --- | --- | --- |");
    println!(
        "| tasks | {tasks} × {} s | 1,000 × 60 s |",
        task_ms as f64 / 1000.0
    );
    println!("| HTTP requests per task (polls) | {requests_per_task:.1} | ≤ 15 |");
    println!(
        "| CPU of the tracker process while all tasks are in flight | {core_share:.1} % of one core ({:.2} s CPU over {:.1} s) | ≤ 5 % |",
        in_flight_cpu.as_secs_f64(),
        in_flight_wall.as_secs_f64()
    );
    println!(
        "| CPU over the whole run, completions included | {overall_share:.1} % of one core | — |"
    );
    println!(
        "| delay from success on the server to the event: median / p95 / max | {:.2} s / {:.2} s / {:.2} s | median ≤ 3 s |",
        percentile(&delays, 0.5),
        percentile(&delays, 0.95),
        delays.last().copied().unwrap_or(f64::NAN)
    );
    if let Some(path) = std::env::var_os("TRACKER_BENCH_JSON") {
        let report = serde_json::json!({
            "tasks": tasks,
            "task_ms": task_ms,
            "requests_per_task": requests_per_task,
            "core_percent_in_flight": core_share,
            "cpu_s_in_flight": in_flight_cpu.as_secs_f64(),
            "wall_s_in_flight": in_flight_wall.as_secs_f64(),
            "core_percent_overall": overall_share,
            "delay_median_s": percentile(&delays, 0.5),
            "delay_p95_s": percentile(&delays, 0.95),
            "delay_max_s": delays.last().copied().unwrap_or(f64::NAN),
        });
        std::fs::write(path, report.to_string()).expect("the JSON report");
    }
}

struct Connection(Client);

impl studio::tracker::Connections for Connection {
    fn client(
        &self,
        _profile_id: &str,
    ) -> futures_util::future::BoxFuture<'_, Result<Client, studio::error::AppError>> {
        let client = self.0.clone();
        Box::pin(async move { Ok(client) })
    }
}

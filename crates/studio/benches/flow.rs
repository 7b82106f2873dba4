//! The app's core end to end against one sandbox, each beside the baseline a person would
//! use without the app:
//!
//! - **throughput**: 20 image tasks submitted, tracked and downloaded by the core
//!   (`Studio::generate` in batches, the tracker, the downloads) against the API's
//!   suggested sequential flow (submit, poll every 5 s, download, next);
//! - **latency**: 20 tasks of 60 s through the core with the default polling: from a task's
//!   success on the server (its `updated_at`) to its file in the library, and the requests
//!   the sandbox received per task;
//! - **upload**: a 50 MB video reference through the core (`Studio::upload_reference`:
//!   checks, content hash, streamed multipart) against `curl -F`, with the growth of this
//!   process's peak RSS during the core's upload.
//!
//! The sandbox runs in another process (the `cyberbara-sandbox` binary named by
//! `FLOW_BENCH_SANDBOX`, else this bench restarted as one), so its CPU and memory are not
//! the core's. Targets and results: docs/BENCHMARKS.md (written by scripts/bench.sh).
//!
//! ```sh
//! cargo bench -p cyberbara-studio-core --bench flow                 # ~25 minutes
//! FLOW_BENCH_RUNS=1 FLOW_BENCH_PARTS=upload cargo bench -p cyberbara-studio-core --bench flow
//! ```
//! `FLOW_BENCH_JSON=path` also writes every sample as JSON.

use cyberbara::ApiKey;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use studio::compose::Draft;
use studio::forms::ReferenceMedia;
use studio::keychain::Keychain;
use studio::library::TileState;
use studio::profiles::EnvKey;
use studio::services::{AppPaths, Studio};
use studio::tracker::TrackerEvent;

const KEY: &str = "sk-flow-bench-0123456789abcdef";
const PROFILE: &str = "bench";
const MODEL: &str = "nano-banana-pro";
const TASKS: usize = 20;
/// The sequential flow's wait between polls, as the API's documentation suggests.
const SEQUENTIAL_POLL: Duration = Duration::from_secs(5);
const UPLOAD_BYTES: usize = 50_000_000;

/// The sandbox in a process of its own.
struct Sandbox {
    child: Child,
    base: String,
}

impl Sandbox {
    fn start() -> Sandbox {
        let mut command = match std::env::var_os("FLOW_BENCH_SANDBOX") {
            Some(binary) => {
                let mut c = Command::new(binary);
                c.args([
                    "--addr",
                    "127.0.0.1:0",
                    "--credits",
                    "100000000",
                    "--test-controls",
                ])
                .env("CYBERBARA_SANDBOX_API_KEY", KEY);
                c
            }
            None => {
                let mut c = Command::new(std::env::current_exe().expect("the bench's own path"));
                c.env("FLOW_BENCH_CHILD", "1");
                c
            }
        };
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the sandbox starts");
        let mut reader = BufReader::new(child.stdout.take().expect("its stdout"));
        let mut line = String::new();
        while !line.contains("listening on ") {
            line.clear();
            if reader.read_line(&mut line).expect("the sandbox's output") == 0 {
                panic!("the sandbox stopped before it listened");
            }
        }
        let base = line
            .trim()
            .rsplit("listening on ")
            .next()
            .expect("listening on ADDR")
            .to_string();
        Sandbox { child, base }
    }

    async fn requests(&self) -> HashMap<String, u64> {
        cyberbara_sandbox::controls::SandboxControls::new(&self.base)
            .stats()
            .await
            .expect("the sandbox's stats")
            .into_iter()
            .collect()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// This bench restarted as the sandbox (when no binary is named).
fn sandbox_child() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the sandbox");
    runtime.block_on(async {
        let sandbox = cyberbara_sandbox::Sandbox::start(cyberbara_sandbox::SandboxConfig {
            api_keys: vec![KEY.into()],
            credits: 100_000_000,
            test_controls: true,
            ..Default::default()
        })
        .await
        .expect("the sandbox starts");
        println!("listening on {}", sandbox.base_url());
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        sandbox.shutdown().await;
    });
}

/// A Studio whose active profile is the sandbox, its key from the environment as on a
/// headless machine (so no keychain is involved).
fn open_studio(root: &Path, base: &str) -> Studio {
    let paths = AppPaths::under(root);
    std::fs::create_dir_all(&paths.data_dir).expect("the data folder");
    let profiles = json!({
        "version": 1,
        "active": PROFILE,
        "profiles": [{"id": PROFILE, "name": "Bench", "base_url": base, "use_env_key": true}],
    });
    std::fs::write(paths.profiles_file(), profiles.to_string()).expect("profiles.json");
    let env = EnvKey {
        key: ApiKey::new(KEY),
        base_url: Some(base.to_string()),
    };
    Studio::open(
        paths,
        Keychain::new(format!("cyberbara-flow-bench-{}", uuid::Uuid::new_v4())),
        Some(env),
    )
    .expect("the studio opens")
}

fn draft(prompt: &str, batch: u32) -> Draft {
    Draft {
        model: MODEL.into(),
        prompt: prompt.into(),
        batch,
        ..Draft::default()
    }
}

fn millis_since(rfc3339: &str) -> Option<f64> {
    let at = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    let delay = chrono::Utc::now().signed_duration_since(at.with_timezone(&chrono::Utc));
    Some(delay.num_microseconds()? as f64 / 1000.0)
}

/// What one run of the core did.
struct CoreRun {
    wall: Duration,
    /// Per task: from `updated_at` of its success on the server to its file being ready.
    delays_ms: Vec<f64>,
    polls: u64,
}

/// `TASKS` tasks with `prompt` through the core, until every output is a file.
async fn core_run(base: &str, prompt: &str) -> CoreRun {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let studio = Arc::new(open_studio(dir.path(), base));
    // What the app has running before any Generate: the tracker and the downloads.
    let _gallery = studio.gallery().await.expect("the gallery starts");
    let tracker = studio.tracker().await.expect("the tracker");
    let mut events = tracker.subscribe_all();
    let polls_before = tracker.stats().polls;

    let started = Instant::now();
    let mut left = TASKS as u32;
    while left > 0 {
        let batch = left.min(8);
        let report = studio
            .generate(&draft(prompt, batch))
            .await
            .expect("generate");
        assert!(report.error.is_none(), "refused: {:?}", report.error);
        left -= report.created.len() as u32;
    }
    let mut succeeded_at: HashMap<String, String> = HashMap::new();
    let mut delays_ms = Vec::new();
    while delays_ms.len() < TASKS {
        let event = tokio::time::timeout(Duration::from_secs(600), events.recv())
            .await
            .expect("every output is downloaded within 10 minutes")
            .expect("the tracker runs");
        match event {
            TrackerEvent::Task { task, .. } if task.state.is_final() => {
                if let Some(at) = &task.updated_at {
                    succeeded_at.insert(task.id.clone(), at.clone());
                }
            }
            TrackerEvent::Item { task_id, tile, .. } if tile.state == TileState::Ready => {
                let at = succeeded_at
                    .get(&task_id)
                    .expect("a task succeeds before its file is ready");
                delays_ms.push(millis_since(at).expect("updated_at is RFC 3339"));
            }
            _ => {}
        }
    }
    let wall = started.elapsed();
    let polls = tracker.stats().polls - polls_before;
    CoreRun {
        wall,
        delays_ms,
        polls,
    }
}

/// The API's suggested flow, one task at a time: create, poll every 5 s, download.
async fn sequential_run(base: &str, out: &Path) -> Duration {
    let http = reqwest::Client::new();
    let auth = format!("Bearer {KEY}");
    let started = Instant::now();
    for i in 0..TASKS {
        let created: Value = http
            .post(format!("{base}/api/v1/images/generations"))
            .header("Authorization", &auth)
            .json(&json!({"model": MODEL, "prompt": format!("sequential flow task {i}")}))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("created")
            .json()
            .await
            .expect("JSON");
        let id = created["data"]["task_id"]
            .as_str()
            .expect("a task id")
            .to_string();
        let task = loop {
            tokio::time::sleep(SEQUENTIAL_POLL).await;
            let task: Value = http
                .get(format!("{base}/api/v1/tasks/{id}"))
                .header("Authorization", &auth)
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .expect("the task")
                .json()
                .await
                .expect("JSON");
            // `GET /tasks/{id}` answers `{"data": {"task": {...}}}` (the spec's examples).
            let status = task["data"]["task"]["status"].as_str().unwrap_or_default();
            if ["success", "failed", "canceled"].contains(&status) {
                break task;
            }
        };
        for (n, url) in task["data"]["task"]["output"]["images"]
            .as_array()
            .expect("outputs")
            .iter()
            .enumerate()
        {
            let bytes = http
                .get(url.as_str().expect("a URL"))
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .expect("the output")
                .bytes()
                .await
                .expect("its bytes");
            std::fs::write(out.join(format!("{id}-{n}")), bytes).expect("written");
        }
    }
    started.elapsed()
}

/// A file the sandbox takes as an MP4 (an `ftyp` box, then an `mdat` box of noise that
/// neither side can compress), different each round so nothing is deduplicated.
fn video_file(path: &Path, round: u64) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("the video"));
    let ftyp = [
        &[0, 0, 0, 0x18][..],
        b"ftypisom",
        &[0, 0, 2, 0],
        b"isomiso2",
    ]
    .concat();
    file.write_all(&ftyp).expect("written");
    let mdat = (UPLOAD_BYTES - ftyp.len()) as u32;
    file.write_all(&mdat.to_be_bytes()).expect("written");
    file.write_all(b"mdat").expect("written");
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ (round + 1).wrapping_mul(0xff51_afd7_ed55_8ccd);
    let mut left = UPLOAD_BYTES - ftyp.len() - 8;
    let mut chunk = vec![0u8; 1 << 16];
    while left > 0 {
        for word in chunk.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes()[..word.len()]);
        }
        let n = left.min(chunk.len());
        file.write_all(&chunk[..n]).expect("written");
        left -= n;
    }
    file.flush().expect("flushed");
}

/// `VmRSS` and `VmHWM` of this process, in bytes.
fn rss_and_peak() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map(|kb| kb * 1024)
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets `VmHWM` to the current RSS (Linux: `5` into `clear_refs`).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn curl_upload(base: &str, file: &Path) -> Duration {
    let started = Instant::now();
    let output = Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H"])
        .arg(format!("Authorization: Bearer {KEY}"))
        .arg("-F")
        .arg(format!("files=@{};type=video/mp4", file.display()))
        .arg(format!("{base}/api/v1/uploads/videos"))
        .output()
        .expect("curl runs");
    let elapsed = started.elapsed();
    let code = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        code.trim(),
        "200",
        "curl's upload: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

async fn core_upload(studio: &Studio, file: &Path, round: u64) -> (Duration, u64) {
    let (before, _) = rss_and_peak();
    assert!(reset_peak(), "this kernel cannot reset VmHWM");
    let started = Instant::now();
    studio
        .upload_reference(
            &format!("bench-{round}"),
            file,
            "video_input",
            ReferenceMedia::Video,
            Arc::new(|_| {}),
        )
        .await
        .expect("the core's upload");
    let elapsed = started.elapsed();
    let (_, peak) = rss_and_peak();
    (elapsed, peak.saturating_sub(before))
}

fn median(values: &[f64]) -> f64 {
    percentile(values, 0.5)
}

fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn spread(values: &[f64]) -> String {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{min:.2}–{max:.2}")
}

fn main() {
    if std::env::var_os("FLOW_BENCH_CHILD").is_some() {
        sandbox_child();
        return;
    }
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        // `cargo test --benches` builds this; a run takes minutes, so it stops here.
        return;
    }
    let runs: usize = std::env::var("FLOW_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let parts = std::env::var("FLOW_BENCH_PARTS").unwrap_or("throughput,latency,upload".into());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let sandbox = Sandbox::start();
    let mut report = serde_json::Map::new();
    runtime.block_on(async {
        if parts.contains("throughput") {
            report.insert("throughput".into(), throughput(&sandbox, runs).await);
        }
        if parts.contains("latency") {
            report.insert("latency".into(), latency(&sandbox, runs).await);
        }
        if parts.contains("upload") {
            report.insert("upload".into(), upload(&sandbox, runs).await);
        }
    });
    if let Some(path) = std::env::var_os("FLOW_BENCH_JSON") {
        std::fs::write(
            PathBuf::from(path),
            serde_json::to_string_pretty(&report).expect("JSON"),
        )
        .expect("the JSON report");
    }
}

async fn throughput(sandbox: &Sandbox, runs: usize) -> Value {
    let (mut core, mut sequential) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let scratch = tempfile::tempdir().expect("a scratch folder");
        let seq = sequential_run(&sandbox.base, scratch.path()).await;
        let app = core_run(&sandbox.base, &format!("throughput run {run}")).await;
        eprintln!(
            "throughput #{}: core {:.1} s, sequential flow {:.1} s",
            run + 1,
            app.wall.as_secs_f64(),
            seq.as_secs_f64()
        );
        core.push(app.wall.as_secs_f64());
        sequential.push(seq.as_secs_f64());
    }
    let ratios: Vec<f64> = sequential.iter().zip(&core).map(|(s, c)| s / c).collect();
    println!("{TASKS} image tasks submitted, tracked and downloaded ({runs} runs):");
    println!("| flow | median | spread |");
    println!("| --- | --- | --- |");
    println!(
        "| the core | {:.1} s | {} s |",
        median(&core),
        spread(&core)
    );
    println!(
        "| sequential (poll every 5 s) | {:.1} s | {} s |",
        median(&sequential),
        spread(&sequential)
    );
    println!(
        "| speed-up | {:.1}× | {}× |",
        median(&ratios),
        spread(&ratios)
    );
    json!({"tasks": TASKS, "core_s": core, "sequential_s": sequential, "speedup": ratios})
}

async fn latency(sandbox: &Sandbox, runs: usize) -> Value {
    let mut delays = Vec::new();
    let mut medians = Vec::new();
    let mut p95s = Vec::new();
    let mut polls_per_task = Vec::new();
    let mut requests_per_task = Vec::new();
    for run in 0..runs {
        let before = sandbox.requests().await;
        let result = core_run(
            &sandbox.base,
            &format!("[sandbox:ms=60000] latency run {run}"),
        )
        .await;
        let after = sandbox.requests().await;
        let sent: u64 = after
            .iter()
            .map(|(route, n)| n - before.get(route).copied().unwrap_or(0))
            .sum();
        // The catalogue's one `GET /models` and the balance are not per task.
        let per_task = sent as f64 / TASKS as f64;
        eprintln!(
            "latency #{}: median {:.2} s, p95 {:.2} s, {:.1} polls and {per_task:.1} requests per task",
            run + 1,
            median(&result.delays_ms) / 1000.0,
            percentile(&result.delays_ms, 0.95) / 1000.0,
            result.polls as f64 / TASKS as f64
        );
        medians.push(median(&result.delays_ms) / 1000.0);
        p95s.push(percentile(&result.delays_ms, 0.95) / 1000.0);
        polls_per_task.push(result.polls as f64 / TASKS as f64);
        requests_per_task.push(per_task);
        delays.extend(result.delays_ms.iter().map(|ms| ms / 1000.0));
    }
    println!(
        "\nfrom a 60 s task's success on the server to its file in the library ({runs} runs × {TASKS} tasks):"
    );
    println!("| figure | all tasks | per-run spread |");
    println!("| --- | --- | --- |");
    println!(
        "| median | {:.2} s | {} s |",
        median(&delays),
        spread(&medians)
    );
    println!(
        "| p95 | {:.2} s | {} s |",
        percentile(&delays, 0.95),
        spread(&p95s)
    );
    println!(
        "| max | {:.2} s | |",
        delays.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    );
    println!(
        "| polls per task | {:.1} | {} |",
        median(&polls_per_task),
        spread(&polls_per_task)
    );
    println!(
        "| requests per task (all routes) | {:.1} | {} |",
        median(&requests_per_task),
        spread(&requests_per_task)
    );
    json!({
        "tasks": TASKS,
        "task_s": 60,
        "delays_s": delays,
        "run_median_s": medians,
        "run_p95_s": p95s,
        "polls_per_task": polls_per_task,
        "requests_per_task": requests_per_task,
    })
}

async fn upload(sandbox: &Sandbox, runs: usize) -> Value {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let studio = open_studio(&dir.path().join("studio"), &sandbox.base);
    // The client and its connection pool exist before the first upload, as in the app.
    studio.active_balance().await.expect("the balance");
    let (mut curl, mut core, mut growth) = (Vec::new(), Vec::new(), Vec::new());
    let mb = UPLOAD_BYTES as f64 / 1e6;
    for round in 0..runs as u64 {
        let file = dir.path().join(format!("reference-{round}.mp4"));
        video_file(&file, round);
        // Alternate which goes first, so neither always meets a warmer server.
        let (c, (a, g)) = if round % 2 == 0 {
            let c = curl_upload(&sandbox.base, &file);
            (c, core_upload(&studio, &file, round).await)
        } else {
            let a = core_upload(&studio, &file, round).await;
            (curl_upload(&sandbox.base, &file), a)
        };
        eprintln!(
            "upload #{}: curl {:.0} MB/s, core {:.0} MB/s, peak RSS +{:.1} MB",
            round + 1,
            mb / c.as_secs_f64(),
            mb / a.as_secs_f64(),
            g as f64 / 1e6
        );
        curl.push(mb / c.as_secs_f64());
        core.push(mb / a.as_secs_f64());
        growth.push(g as f64 / (1024.0 * 1024.0));
        std::fs::remove_file(&file).ok();
    }
    let ratios: Vec<f64> = core.iter().zip(&curl).map(|(a, c)| a / c).collect();
    println!("\n50 MB video upload ({runs} runs):");
    println!("| figure | median | spread |");
    println!("| --- | --- | --- |");
    println!("| curl | {:.0} MB/s | {} |", median(&curl), spread(&curl));
    println!(
        "| the core | {:.0} MB/s | {} |",
        median(&core),
        spread(&core)
    );
    println!(
        "| the core ÷ curl | {:.2}× | {} |",
        median(&ratios),
        spread(&ratios)
    );
    println!(
        "| peak RSS growth of the core's process | {:.1} MiB | {} |",
        median(&growth),
        spread(&growth)
    );
    json!({
        "bytes": UPLOAD_BYTES,
        "curl_mb_s": curl,
        "core_mb_s": core,
        "ratio": ratios,
        "rss_growth_mib": growth,
    })
}

//! Proves that uploads stream: sending a 50 MB video raises this process's peak RSS by
//! at most 16 MB. The sandbox runs in a child process (this test executable re-run as
//! `child_sandbox`), so the server's buffers are not counted.

mod client_harness;

use client_harness::*;
use cyberbara::{ApiKey, Client};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const CHILD_ENV: &str = "CYBERBARA_CLIENT_CHILD_SANDBOX";
const VIDEO_BYTES: u64 = 50 * 1000 * 1000;
const BOUND: u64 = 16 * 1024 * 1024;

/// The server half: runs only when the memory test starts it.
#[test]
#[ignore = "started by upload_of_50_mb_keeps_peak_rss_bounded"]
fn child_sandbox() {
    let Some(data_dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let sandbox = cyberbara_sandbox::Sandbox::start(cyberbara_sandbox::SandboxConfig {
            api_keys: vec![KEY.to_string()],
            data_dir: Some(data_dir.into()),
            ..Default::default()
        })
        .await
        .unwrap();
        println!("SANDBOX_URL={}", sandbox.base_url());
        std::io::stdout().flush().unwrap();
        // Serve until the parent closes our stdin.
        tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            while std::io::stdin()
                .read_line(&mut line)
                .map(|n| n > 0)
                .unwrap_or(false)
            {}
        })
        .await
        .unwrap();
        sandbox.shutdown().await;
    });
}

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("{field} missing from /proc/self/status"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn upload_of_50_mb_keeps_peak_rss_bounded() {
    let dir = TempDir::new("memory");
    let data_dir = dir.path().join("sandbox-data");
    std::fs::create_dir_all(&data_dir).unwrap();

    // The file is written in 1 MB chunks: the test itself must not hold it either.
    let video = dir.path().join("big.mp4");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&video).unwrap());
        f.write_all(MP4_HEAD).unwrap();
        let mut written = MP4_HEAD.len() as u64;
        let chunk: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
        while written < VIDEO_BYTES {
            let n = chunk.len().min((VIDEO_BYTES - written) as usize);
            f.write_all(&chunk[..n]).unwrap();
            written += n as u64;
        }
        f.flush().unwrap();
    }
    assert_eq!(std::fs::metadata(&video).unwrap().len(), VIDEO_BYTES);

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_sandbox",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        // libtest prints "test child_sandbox ... " on the same line first.
        .find_map(|l| {
            l.split_once("SANDBOX_URL=")
                .map(|(_, url)| url.trim().to_string())
        })
        .expect("the child sandbox prints its URL");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let outcome = runtime.block_on(async {
        let client = Client::new(&base, ApiKey::new(KEY)).unwrap();
        // Warm up: connection pool, TLS-free HTTP stack, allocator arenas.
        let small = dir.file("warm.mp4", &[MP4_HEAD, &[0u8; 64 * 1024][..]].concat());
        client.upload_video(&small, |_| {}).await.unwrap();

        std::fs::write("/proc/self/clear_refs", "5").expect("reset peak RSS");
        let before_hwm = status_kb("VmHWM:") * 1024;
        let last_sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let seen = last_sent.clone();
        let result = client
            .upload_video(&video, move |p| {
                seen.store(p.sent, std::sync::atomic::Ordering::Relaxed);
            })
            .await;
        let after_hwm = status_kb("VmHWM:") * 1024;

        // Control: the probe must see memory this process really touches, or the bound
        // above could never fail. Holding a file's worth of bytes must show up.
        std::fs::write("/proc/self/clear_refs", "5").expect("reset peak RSS");
        let control_before = status_kb("VmHWM:") * 1024;
        let held = std::hint::black_box(vec![1u8; 2 * BOUND as usize]);
        let control_growth = (status_kb("VmHWM:") * 1024).saturating_sub(control_before);
        drop(held);
        assert!(
            control_growth >= BOUND,
            "the peak-RSS probe missed {} bytes held in memory (saw {control_growth})",
            2 * BOUND
        );
        (
            result,
            before_hwm,
            after_hwm,
            last_sent.load(std::sync::atomic::Ordering::Relaxed),
        )
    });
    drop(child.stdin.take());
    let _ = child.wait();

    let (result, before, after, last_sent) = outcome;
    let uploaded = result.expect("the 50 MB upload succeeds");
    assert_eq!(uploaded.files[0].size, VIDEO_BYTES);
    assert_eq!(last_sent, VIDEO_BYTES);
    let growth = after.saturating_sub(before);
    eprintln!(
        "peak RSS before {} KB, after {} KB, growth {} KB",
        before / 1024,
        after / 1024,
        growth / 1024
    );
    assert!(
        growth <= BOUND,
        "uploading {VIDEO_BYTES} bytes raised peak RSS by {growth} bytes (bound {BOUND})"
    );
}

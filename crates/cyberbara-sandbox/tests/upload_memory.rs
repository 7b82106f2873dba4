//! A 50 MB video uploaded to a sandbox with a data directory is streamed to disk, never
//! held whole in memory. Measured on a separate sandbox process (its peak resident set,
//! VmHWM), with an in-memory sandbox as the control that shows the measure can see 50 MB.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const MB: u64 = 1024 * 1024;

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cyberbara-sandbox"))
        .args(["--addr", "127.0.0.1:0", "--api-key", "k-rss"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut base = None;
    for line in BufReader::new(stdout).lines() {
        if let Some(rest) = line.unwrap().strip_prefix("listening on ") {
            base = Some(rest.to_string());
            break;
        }
    }
    (
        Child(child),
        base.expect("the sandbox never printed its address"),
    )
}

/// Peak resident set of a process so far, in bytes (Linux `/proc`).
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/PID/status");
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kb * 1024
}

/// Uploads a 50 MB MP4 and returns how much the sandbox's peak RSS grew meanwhile.
async fn peak_growth_of_a_50_mb_upload(extra: &[&str]) -> u64 {
    let (child, base) = spawn(extra);
    let pid = child.0.id();
    let http = reqwest::Client::new();
    // Warm up the server's code paths (a small upload) so the baseline is honest.
    let mut small = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2".to_vec();
    let mut big = small.clone();
    small.resize(4096, 1);
    big.resize(50 * MB as usize, 0);
    for (bytes, name) in [(small, "warm.mp4"), (big, "big.mp4")] {
        let before = peak_rss(pid);
        let form = reqwest::multipart::Form::new().part(
            "files",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name)
                .mime_str("video/mp4")
                .unwrap(),
        );
        let resp = http
            .post(format!("{base}/api/v1/uploads/videos"))
            .bearer_auth("k-rss")
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let v: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(status, reqwest::StatusCode::OK, "{v}");
        if name == "big.mp4" {
            assert_eq!(v["data"]["files"][0]["size"], 50 * MB);
            return peak_rss(pid).saturating_sub(before);
        }
    }
    unreachable!()
}

#[tokio::test]
async fn a_50_mb_video_upload_with_a_data_dir_is_not_held_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let on_disk = peak_growth_of_a_50_mb_upload(&["--data-dir", data_dir]).await;
    assert!(
        on_disk < 20 * MB,
        "peak RSS grew by {} MB during a 50 MB upload to disk",
        on_disk / MB
    );
    // Control: without a data dir the sandbox keeps blobs in memory by design, and the
    // same measure sees it.
    let in_memory = peak_growth_of_a_50_mb_upload(&[]).await;
    assert!(
        in_memory > 45 * MB,
        "the measure should see an in-memory 50 MB blob, saw {} MB",
        in_memory / MB
    );
    eprintln!(
        "peak RSS growth: {} KB to disk, {} KB in memory",
        on_disk / 1024,
        in_memory / 1024
    );
}

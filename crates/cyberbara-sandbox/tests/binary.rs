//! The `cyberbara-sandbox` binary: flags, the `listening on` line, the generated key.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cyberbara-sandbox"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.starts_with("listening on ");
        lines.push(line);
        if done {
            break;
        }
    }
    (Child(child), lines)
}

#[tokio::test]
async fn prints_the_real_address_and_serves_the_given_key() {
    let (_child, lines) = spawn(&[
        "--addr",
        "127.0.0.1:0",
        "--api-key",
        "k-bin",
        "--credits",
        "77",
        "--speed",
        "10",
    ]);
    let base = lines
        .last()
        .unwrap()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    assert!(
        base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"),
        "{base}"
    );
    let resp = reqwest::Client::new()
        .get(format!("{base}/api/v1/credits/balance"))
        .bearer_auth("k-bin")
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["data"]["remaining_credits"], 77);
}

#[tokio::test]
async fn without_keys_it_creates_and_prints_one() {
    let (_child, lines) = spawn(&["--addr", "127.0.0.1:0"]);
    let key = lines
        .iter()
        .find_map(|l| l.strip_prefix("api key: "))
        .expect("a generated key is printed")
        .to_string();
    let base = lines
        .last()
        .unwrap()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    let resp = reqwest::Client::new()
        .get(format!("{base}/api/v1/credits/balance"))
        .header("x-api-key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
}

#[test]
fn help_and_bad_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_cyberbara-sandbox"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--addr",
        "--api-key",
        "--credits",
        "--data-dir",
        "--speed",
        "--fail-rate",
    ] {
        assert!(text.contains(flag), "{flag} missing from help");
    }
    // The promises a person relies on when running it by hand.
    for promise in [
        "127.0.0.1:8787",
        "500",
        "listening on http://ADDR",
        "/_sandbox/",
    ] {
        assert!(
            text.contains(promise),
            "{promise:?} missing from help:\n{text}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cyberbara-sandbox"))
        .args(["--speed", "fast"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--speed"));
    let out = Command::new(env!("CARGO_BIN_EXE_cyberbara-sandbox"))
        .args(["--addr", "127.0.0.1:0", "--fail-rate", "2"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--fail-rate must be a number between 0 and 1"));
    let out = Command::new(env!("CARGO_BIN_EXE_cyberbara-sandbox"))
        .args(["--addr", "127.0.0.1:0", "--speed", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--speed must be a number above 0"));
    let out = Command::new(env!("CARGO_BIN_EXE_cyberbara-sandbox"))
        .args(["--addr", "127.0.0.1:0", "--colour"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown argument \"--colour\""));
}

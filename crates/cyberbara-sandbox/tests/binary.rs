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
    spawn_with_env(args, &[])
}

fn spawn_with_env(args: &[&str], env: &[(&str, &str)]) -> (Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cyberbara-sandbox"))
        .args(args)
        .env_remove("CYBERBARA_SANDBOX_API_KEY")
        .envs(env.iter().copied())
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
        "--api-key-file",
        "CYBERBARA_SANDBOX_API_KEY",
        "--test-controls",
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
    // clap's wording for an unknown flag.
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected argument '--colour'"));
    let out = Command::new(env!("CARGO_BIN_EXE_cyberbara-sandbox"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--api-key-file",
            "/nonexistent/key",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--api-key-file /nonexistent/key"));
}

fn base_of(lines: &[String]) -> String {
    lines
        .last()
        .and_then(|l| l.strip_prefix("listening on "))
        .expect("a listening line")
        .to_string()
}

async fn balance_status(base: &str, key: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .get(format!("{base}/api/v1/credits/balance"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .status()
}

/// Keys that need not appear in `ps`: from a file, or from the environment.
#[tokio::test]
async fn keys_from_a_file_and_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys");
    std::fs::write(&file, "k-file-1\n\n  k-file-2  \n").unwrap();
    let (_child, lines) = spawn(&[
        "--addr",
        "127.0.0.1:0",
        "--api-key-file",
        file.to_str().unwrap(),
    ]);
    assert!(
        !lines.iter().any(|l| l.starts_with("api key: ")),
        "no key is generated when the file gives some: {lines:?}"
    );
    let base = base_of(&lines);
    for key in ["k-file-1", "k-file-2"] {
        assert_eq!(
            balance_status(&base, key).await,
            reqwest::StatusCode::OK,
            "{key}"
        );
    }

    let (_child, lines) = spawn_with_env(
        &["--addr", "127.0.0.1:0"],
        &[("CYBERBARA_SANDBOX_API_KEY", "k-from-env")],
    );
    let base = base_of(&lines);
    assert_eq!(
        balance_status(&base, "k-from-env").await,
        reqwest::StatusCode::OK
    );
    assert_eq!(
        balance_status(&base, "k-file-1").await,
        reqwest::StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn test_controls_only_with_the_flag() {
    for (flag, expected) in [
        (None, reqwest::StatusCode::NOT_FOUND),
        (Some("--test-controls"), reqwest::StatusCode::OK),
    ] {
        let mut args = vec!["--addr", "127.0.0.1:0", "--api-key", "k-ctl"];
        args.extend(flag);
        let (_child, lines) = spawn(&args);
        let base = base_of(&lines);
        let status = reqwest::get(format!("{base}/_sandbox/stats"))
            .await
            .unwrap()
            .status();
        assert_eq!(status, expected, "{flag:?}");
    }
}

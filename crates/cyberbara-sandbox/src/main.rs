//! `cyberbara-sandbox`: run the local CyberBara-compatible server by hand.

use clap::Parser;
use cyberbara_sandbox::{generate_api_key, Sandbox, SandboxConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// cyberbara-sandbox: a local CyberBara-compatible API server (API v1 under /api/v1)
#[derive(Debug, Parser)]
#[command(
    name = "cyberbara-sandbox",
    version,
    after_help = "Prints \"listening on http://ADDR\" (with the real port) once it accepts connections.\n\
                  Test controls (faults, balances, scripted task outcomes) live under /_sandbox/\n\
                  when started with --test-controls; see the crate README."
)]
struct Args {
    /// Address to listen on (port 0 picks a free one)
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8787", value_parser = parse_addr)]
    addr: SocketAddr,

    /// An account that exists from the start; repeat for more accounts. Prefer
    /// --api-key-file or CYBERBARA_SANDBOX_API_KEY, which keep the key out of `ps`.
    /// Without any key, one is generated and printed as "api key: KEY".
    #[arg(
        long = "api-key",
        value_name = "KEY",
        env = "CYBERBARA_SANDBOX_API_KEY",
        hide_env_values = true
    )]
    api_keys: Vec<String>,

    /// Read account keys from PATH, one per line
    #[arg(long = "api-key-file", value_name = "PATH")]
    api_key_files: Vec<PathBuf>,

    /// Starting credits of each account given a key
    #[arg(
        long,
        value_name = "N",
        default_value_t = 500,
        allow_negative_numbers = true
    )]
    credits: i64,

    /// Keep accounts, ledgers, uploads and tasks in DIR (SQLite) across restarts (default:
    /// everything in memory, gone at exit)
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Run tasks FACTOR times faster than the realistic schedule of 1 (images ~6 s, videos
    /// 20-60 s); e.g. 10
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0, value_parser = parse_speed)]
    speed: f64,

    /// Fraction of tasks, 0 to 1, that fail at random and are refunded
    #[arg(long, value_name = "R", default_value_t = 0.0, value_parser = parse_fail_rate)]
    fail_rate: f64,

    /// Serve the test controls under /_sandbox/ (off by default: any program on this
    /// computer could use them)
    #[arg(long)]
    test_controls: bool,
}

fn parse_addr(v: &str) -> Result<SocketAddr, String> {
    v.parse()
        .map_err(|_| format!("--addr must be IP:PORT like 127.0.0.1:8787, got {v:?}"))
}

fn parse_speed(v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && *f > 0.0)
        .ok_or_else(|| format!("--speed must be a number above 0, got {v:?}"))
}

fn parse_fail_rate(v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|r| (0.0..=1.0).contains(r))
        .ok_or_else(|| format!("--fail-rate must be a number between 0 and 1, got {v:?}"))
}

/// Every non-empty line of each key file, trimmed.
fn keys_from_files(paths: &[PathBuf]) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--api-key-file {} could not be read: {e}", path.display()))?;
        let before = keys.len();
        keys.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        );
        if keys.len() == before {
            return Err(format!(
                "--api-key-file {} holds no key; put one key per line",
                path.display()
            ));
        }
    }
    Ok(keys)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut api_keys = args.api_keys;
    match keys_from_files(&args.api_key_files) {
        Ok(keys) => api_keys.extend(keys),
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    }
    if api_keys.is_empty() {
        let key = generate_api_key();
        // Printed once so a person can copy it; it is never logged.
        println!("api key: {key}");
        api_keys.push(key);
    }
    let config = SandboxConfig {
        addr: args.addr,
        api_keys,
        credits: args.credits,
        data_dir: args.data_dir,
        speed: args.speed,
        fail_rate: args.fail_rate,
        test_controls: args.test_controls,
        ..SandboxConfig::default()
    };
    let sandbox = match Sandbox::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {}", sandbox.base_url());
    if tokio::signal::ctrl_c().await.is_err() {
        eprintln!("error: could not wait for Ctrl-C; stopping");
    }
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

//! `cyberbara-sandbox`: run the local CyberBara-compatible server by hand.

use cyberbara_sandbox::{Sandbox, SandboxConfig};
use std::process::ExitCode;

const USAGE: &str = "\
cyberbara-sandbox: a local CyberBara-compatible API server (API v1 under /api/v1)

USAGE:
    cyberbara-sandbox [OPTIONS]

OPTIONS:
    --addr IP:PORT     Address to listen on (default 127.0.0.1:8787; port 0 picks a free one)
    --api-key KEY      An account that exists from the start; repeat for more accounts.
                       Without any, one key is generated and printed as \"api key: KEY\".
    --credits N        Starting credits of each --api-key account (default 500)
    --data-dir DIR     Keep accounts, ledgers, uploads and tasks in DIR (SQLite) across
                       restarts (default: everything in memory, gone at exit)
    --speed FACTOR     Run tasks FACTOR times faster than the realistic schedule of 1
                       (images ~6 s, videos 20-60 s); e.g. 10 (default 1)
    --fail-rate R      Fraction of tasks, 0 to 1, that fail at random and are refunded
                       (default 0)
    -h, --help         Show this help

Prints \"listening on http://ADDR\" (with the real port) once it accepts connections.
Test controls (faults, balances, scripted task outcomes) live under /_sandbox/;
see the crate README.
";

fn parse_args(args: Vec<String>) -> Result<Option<SandboxConfig>, String> {
    let mut config = SandboxConfig {
        addr: "127.0.0.1:8787".parse().map_err(|e| format!("{e}"))?,
        ..SandboxConfig::default()
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--addr" => {
                let v = value()?;
                config.addr = v.parse().map_err(|_| {
                    format!("--addr must be IP:PORT like 127.0.0.1:8787, got {v:?}")
                })?;
            }
            "--api-key" => config.api_keys.push(value()?),
            "--credits" => {
                let v = value()?;
                config.credits = v
                    .parse()
                    .map_err(|_| format!("--credits must be a whole number, got {v:?}"))?;
            }
            "--data-dir" => config.data_dir = Some(value()?.into()),
            "--speed" => {
                let v = value()?;
                config.speed = v
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite() && *f > 0.0)
                    .ok_or_else(|| format!("--speed must be a number above 0, got {v:?}"))?;
            }
            "--fail-rate" => {
                let v = value()?;
                config.fail_rate = v
                    .parse::<f64>()
                    .ok()
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or_else(|| {
                        format!("--fail-rate must be a number between 0 and 1, got {v:?}")
                    })?;
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(config))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut config = match parse_args(std::env::args().skip(1).collect()) {
        Ok(Some(config)) => config,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if config.api_keys.is_empty() {
        let key = format!("sk-sandbox-{}", uuid::Uuid::new_v4().simple());
        // Printed once so a person can copy it; it is never logged.
        println!("api key: {key}");
        config.api_keys.push(key);
    }
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

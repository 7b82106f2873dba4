//! How a sandbox is configured.

use cyberbara::clock::Clock;
use cyberbara::types::ModelInfo;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// How to run a sandbox. `Debug` never shows the API keys.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Keys that exist from the start, each its own account with `credits`.
    pub api_keys: Vec<String>,
    /// Starting balance of every configured key.
    pub credits: i64,
    /// With a directory, accounts, ledgers, uploads and tasks survive a restart.
    pub data_dir: Option<PathBuf>,
    /// Task run times are divided by this (10.0 makes a 6 s image take 0.6 s).
    pub speed: f64,
    /// Fraction of tasks (0.0–1.0) that end `failed` at random.
    pub fail_rate: f64,
    /// Models listed and accepted on top of the built-in catalogue.
    pub extra_models: Vec<ModelInfo>,
    /// The key of the *owner account* (the desktop app's own). With a data dir it is
    /// created with `credits` on the first start and re-keyed to whatever key is given on
    /// every later start: the previous key stops working, while its id, balance, ledger,
    /// uploads and tasks stay. Without a data dir it is simply created.
    pub owner_key: Option<String>,
    /// Serve the test controls under `/_sandbox/` (faults, balances, scripted outcomes,
    /// request counts). Off by default: anything on this computer could use them.
    pub test_controls: bool,
    /// What task schedules and timestamps follow; tests pass a
    /// [`ManualClock`](cyberbara::clock::ManualClock)'s clock to move time themselves.
    pub clock: Clock,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_keys: Vec::new(),
            credits: 500,
            data_dir: None,
            speed: 1.0,
            fail_rate: 0.0,
            extra_models: Vec::new(),
            owner_key: None,
            test_controls: false,
            clock: Clock::system(),
        }
    }
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("addr", &self.addr)
            .field(
                "api_keys",
                &format_args!("[{} key(s) redacted]", self.api_keys.len()),
            )
            .field("credits", &self.credits)
            .field("data_dir", &self.data_dir)
            .field("speed", &self.speed)
            .field("fail_rate", &self.fail_rate)
            .field("extra_models", &self.extra_models.len())
            .field("owner_key", &self.owner_key.as_ref().map(|_| "redacted"))
            .field("test_controls", &self.test_controls)
            .field("clock", &self.clock)
            .finish()
    }
}

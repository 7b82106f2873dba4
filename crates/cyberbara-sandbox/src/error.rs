//! Why a sandbox could not start.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why [`Sandbox::start`](crate::Sandbox::start) failed; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("The sandbox could not listen on {addr}: {source}. Choose another address or free the port.")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("The data directory {path} could not be used: {source}. Check that it is writable.")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("The sandbox database could not be opened or updated: {0}. Remove or repair the data directory's sandbox.db.")]
    Database(#[from] rusqlite::Error),
    #[error("The sandbox database could not be brought up to the current schema: {0}. Move the data directory's sandbox.db aside to start afresh.")]
    Schema(#[from] rusqlite_migration::Error),
    #[error(
        "The sandbox storage failed: {0}. Check the data directory's permissions and free space."
    )]
    Storage(String),
    #[error("Invalid sandbox configuration: {0}")]
    Config(String),
}

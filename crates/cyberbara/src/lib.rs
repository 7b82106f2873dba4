//! (crate docs come later)

pub mod client;
pub mod error;
pub mod poll;
pub mod secret;
pub mod upload;

pub use client::{Client, ClientOptions, RetryPolicy};
pub use error::{Error, ErrorKind, ErrorReport};
pub use poll::PollPolicy;
pub use secret::ApiKey;
pub use upload::{UploadKind, UploadProgress};
pub mod catalogue;
pub mod types;
pub mod validate;

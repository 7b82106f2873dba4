//! Everything a program needs to talk to a CyberBara API v1 deployment, without a UI: a
//! typed async [`Client`] (one method per endpoint, uploads streamed from disk after the
//! server's own pre-checks, polling until a task is final), the built-in model
//! [`catalogue`] and the [`validate`] rules that refuse a request before it costs money,
//! and the workspace's one retry policy ([`retry`]: backoff and the `Retry-After`
//! parser, also used by the app's downloads and task tracker). Errors are one type whose
//! `Display` is a sentence a person can act on, and the API key never leaves [`ApiKey`].
//!
//! # The suggested flow
//!
//! Models → upload → quote → generate → wait → usage. This example runs against the
//! local sandbox (`cyberbara-sandbox`); against the real service only the base URL and
//! key differ.
//!
//! ```
//! use cyberbara::types::{GenerationRequest, MediaType, QuoteRequest, Scene, UsageQuery};
//! use cyberbara::{ApiKey, Client};
//! use futures_util::StreamExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sandbox = cyberbara_sandbox::Sandbox::start(cyberbara_sandbox::SandboxConfig {
//! #     api_keys: vec!["sk-doc-0123456789abcdef".into()],
//! #     speed: 20.0,
//! #     ..Default::default()
//! # })
//! # .await?;
//! # let base_url = sandbox.base_url();
//! # let dir = tempfile::tempdir()?;
//! # let reference = dir.path().join("reference.png");
//! # std::fs::write(&reference, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x04\0\0\0\xb5\x1c\x0c\x02\0\0\0\x0bIDATx\xdacd`\0\0\0\x06\0\x020\x81\xd0/\0\0\0\0IEND\xaeB`\x82")?;
//! // e.g. "https://cyberbara.example.com"; `/api/v1` and a trailing slash are optional.
//! let client = Client::new(&base_url, ApiKey::new("sk-doc-0123456789abcdef"))?;
//!
//! // 1. Which image models are there?
//! let models = client.list_models(Some(&MediaType::Image)).await?;
//! assert!(models.models.iter().any(|m| m.model == "nano-banana-pro"));
//!
//! // 2. Upload a reference image (streamed from disk, checked first).
//! let uploaded = client
//!     .upload_images(&[reference], |p| println!("{} / {} bytes", p.sent, p.total))
//!     .await?;
//!
//! // 3. What will it cost?
//! let mut options = serde_json::Map::new();
//! options.insert("image_input".into(), serde_json::json!(uploaded.urls));
//! let quote = client
//!     .quote(&QuoteRequest {
//!         model: "nano-banana-pro".into(),
//!         media_type: Some(MediaType::Image),
//!         scene: Some(Scene::ImageToImage),
//!         options: options.clone(),
//!     })
//!     .await?;
//! assert!(quote.can_afford);
//!
//! // 4. Create the task.
//! let created = client
//!     .generate_image(&GenerationRequest {
//!         model: "nano-banana-pro".into(),
//!         prompt: Some("Keep composition, make it cinematic at night".into()),
//!         scene: Some(Scene::ImageToImage),
//!         options,
//!     })
//!     .await?;
//!
//! // 5. Wait for it: the stream ends after a final status.
//! let mut updates = std::pin::pin!(client.wait_for_task(&created.task_id));
//! let mut task = None;
//! while let Some(update) = updates.next().await {
//!     task = Some(update?);
//! }
//! let task = task.expect("the stream yields at least once");
//! println!("{}: {:?}", task.status, task.output.all_urls());
//!
//! // 6. What did it cost?
//! let usage = client.usage(&UsageQuery::default()).await?;
//! assert_eq!(usage.summary.total_credits_consumed, created.credits.cost);
//! # sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # What the client does
//!
//! The [`Client`] has one method per endpoint, sends the key as `Authorization: Bearer`,
//! validates generation requests against the built-in [`catalogue`] before spending
//! money, streams uploads from disk after checking them like the server does, retries
//! only what cannot be charged twice, and turns every failure into an [`Error`] whose
//! `Display` is a sentence a person can act on. [`catalogue::Catalogue::validate`] is the
//! same check for a UI form (run it on every edit; it takes microseconds), and
//! [`catalogue::Catalogue::with_listed`] adds the models only the server lists.
//!
//! # Errors
//!
//! Show `error.to_string()` to people; branch on [`Error::kind`] and [`Error::code`];
//! send [`Error::report`] (`{kind, code, message}`) over IPC. Local refusals carry the
//! code the server would have used (`Validation` → e.g. `scene_not_supported`, upload
//! pre-checks → `too_many_files`, `file_too_large`, `invalid_file_type`), so both paths
//! are handled alike. The API key never appears in an error, in `Debug` output or in
//! a report: [`ApiKey`] prints a mask and can only be read with
//! [`ApiKey::expose_secret`].
//!
//! # Retries and money
//!
//! GETs and `POST /credits/quote` (which creates and charges nothing) are retried on
//! broken connections, timeouts, 429 (after `Retry-After`), 502, 503 and 504, with
//! capped exponential backoff and jitter ([`RetryPolicy`]). Requests that create tasks
//! or store uploads are retried only when the connection could not be opened, so no
//! byte reached the server; any later failure is returned, and for task creation
//! ([`Error::Network`]/[`Error::Timeout`] with `creating: true`) it says the task may
//! exist, so the app can check before trying again.

pub mod base_url;
pub mod client;
pub mod clock;
pub mod egress;
pub mod error;
pub mod option_value;
mod quote_memory;
pub mod retry;
pub mod secret;
pub mod upload;
pub mod upload_limits;

pub use client::poll::PollPolicy;
pub use client::{Client, ClientOptions};
pub use error::{Error, ErrorKind, ErrorReport};
pub use retry::{Backoff, RetryPolicy};
pub use secret::ApiKey;
pub use upload::UploadProgress;
pub use upload_limits::UploadKind;
pub mod catalogue;
pub mod types;
pub mod validate;

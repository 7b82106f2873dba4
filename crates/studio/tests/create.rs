//! The Create page's work through the app's core, against the built-in Sandbox and a
//! second sandbox on 127.0.0.1: drafts, checks, quotes, batches, uploads deduplicated by
//! content, and creations that are never sent twice.

mod common;

use common::{fast_tracker, sandbox_config, wait_for_task};
use cyberbara_sandbox::controls::{FaultKind, FaultSpec, SandboxControls};
use cyberbara_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use studio::compose::Draft;
use studio::error::ErrorKind;
use studio::forms::ReferenceMedia;
use studio::keychain::Keychain;
use studio::library::{now_ms, RememberedUpload, TaskState};
use studio::profiles::{KeyInput, NewProfile};
use studio::references::UploadEvent;
use studio::services::{AppPaths, Studio};
use studio::tracker::TrackerConfig;

/// The shared fast tracker, with this file's refund checks.
fn with_refund_checks() -> TrackerConfig {
    TrackerConfig {
        refund_checks: vec![Duration::from_millis(100), Duration::from_millis(500)],
        ..fast_tracker()
    }
}

const KEY: &str = "sk-create-test-0123456789abcdef";

/// A studio whose active profile is a second sandbox (with test controls), so requests
/// can be counted and faults injected.
async fn studio_on_second_sandbox(credits: i64) -> (tempfile::TempDir, Studio, Sandbox, String) {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        api_keys: vec![KEY.into()],
        credits,
        speed: 20.0,
        ..sandbox_config()
    })
    .await
    .unwrap();
    let base = sandbox.base_url();
    let keychain = Keychain::new(format!("cyberbara-studio-test-{}", uuid::Uuid::new_v4()));
    let studio = Studio::open_with(
        AppPaths::under(dir.path()),
        keychain,
        None,
        with_refund_checks(),
    )
    .unwrap();
    let view = studio
        .add_profile(NewProfile {
            name: "Second".into(),
            base_url: base.clone(),
            api_key: KeyInput::new(KEY),
        })
        .await
        .unwrap();
    studio.switch_profile(view.id).await.unwrap();
    (dir, studio, sandbox, base)
}

async fn stats(base: &str) -> BTreeMap<String, u64> {
    SandboxControls::new(base).stats().await.unwrap()
}

fn count(stats: &BTreeMap<String, u64>, route: &str) -> u64 {
    stats.get(route).copied().unwrap_or(0)
}

async fn reset_stats(base: &str) {
    SandboxControls::new(base).reset_stats().await.unwrap();
}

fn image_draft(prompt: &str, batch: u32) -> Draft {
    Draft {
        model: "veo-3.1-fast".into(),
        prompt: prompt.into(),
        batch,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_is_kept_per_profile_checked_quoted_and_generated_as_a_batch() {
    let (_dir, studio, sandbox, _) = studio_on_second_sandbox(500).await;

    // The draft survives a restart of the services and belongs to its profile.
    let mut draft = image_draft("A calm drone shot over snowy mountains", 3);
    draft.options.insert("duration".into(), json!(12));
    studio.save_draft(&draft).unwrap();
    assert_eq!(studio.draft().unwrap(), draft);

    let check = studio.check_draft(&draft).await.unwrap();
    assert_eq!(check.scene.as_deref(), Some("text-to-video"));
    assert!(check.inferred);
    assert!(
        check.problems.is_empty(),
        "veo ignores duration: {:?}",
        check.problems
    );
    assert_eq!(check.ignored, vec!["duration".to_string()]);

    draft.options.remove("duration");
    draft.options.insert("aspect_ratio".into(), json!("square"));
    let check = studio.check_draft(&draft).await.unwrap();
    assert_eq!(check.problems[0].field, "options.aspect_ratio");
    let refused = studio.quote(&draft).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    draft.options.remove("aspect_ratio");

    let quote = studio.quote(&draft).await.unwrap();
    assert_eq!(quote.batch, 3);
    assert_eq!(quote.total, quote.per_task * 3);
    assert_eq!(quote.remaining, 500);
    assert_eq!(quote.after, 500 - quote.total);
    assert!(quote.affordable);

    let report = studio.generate(&draft).await.unwrap();
    assert_eq!(report.requested, 3);
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(report.created.len(), 3);
    assert_eq!(report.remaining_credits, Some(500 - quote.total));
    let seeds: Vec<i64> = report
        .created
        .iter()
        .map(|t| t.request["options"]["seed"].as_i64().unwrap())
        .collect();
    assert!(
        seeds.windows(2).all(|w| w[0] != w[1]),
        "each task of a batch has its own seed: {seeds:?}"
    );
    let batch = report.created[0].batch_id.clone().unwrap();
    assert!(report
        .created
        .iter()
        .all(|t| t.batch_id.as_deref() == Some(batch.as_str())));
    assert_eq!(
        studio.recent_prompts(5).unwrap()[0].prompt,
        "A calm drone shot over snowy mountains"
    );

    // The tracker follows them to the end.
    for task in &report.created {
        let done = wait_for_task(&studio, &task.id, Duration::from_secs(60)).await;
        assert_eq!(done.state, TaskState::Succeeded);
        assert!(!done.outputs.is_empty());
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_task_stops_the_batch_and_says_how_many_were_created() {
    // Room for two 8-credit images, not three.
    let (_dir, studio, sandbox, base) = studio_on_second_sandbox(20).await;
    let draft = Draft {
        model: "nano-banana-pro".into(),
        prompt: "three lighthouses".into(),
        batch: 4,
        ..Default::default()
    };
    let quote = studio.quote(&draft).await.unwrap();
    assert!(!quote.affordable);
    reset_stats(&base).await;
    let report = studio.generate(&draft).await.unwrap();
    assert_eq!(report.created.len(), 2);
    let error = report.error.expect("the third was refused");
    assert_eq!(error.code.as_deref(), Some("insufficient_credits"));
    assert!(error.message.contains("needs 8"), "{}", error.message);
    assert_eq!(
        count(&stats(&base).await, "POST /api/v1/images/generations"),
        3,
        "the fourth was never sent"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_during_creation_is_reported_and_not_sent_again() {
    let (_dir, studio, sandbox, base) = studio_on_second_sandbox(500).await;
    let controls = SandboxControls::new(&base);
    controls.reset_stats().await.unwrap();
    controls
        .add_fault(&FaultSpec {
            next: Some(1),
            path_prefix: Some("/api/v1/images/generations".into()),
            ..FaultSpec::new(FaultKind::Drop)
        })
        .await
        .unwrap();
    let draft = Draft {
        model: "nano-banana-pro".into(),
        prompt: "a dropped connection".into(),
        batch: 2,
        ..Default::default()
    };
    let report = studio.generate(&draft).await.unwrap();
    assert!(report.created.is_empty());
    let error = report.error.expect("the drop is reported");
    assert_eq!(error.kind, ErrorKind::Network);
    assert!(error.message.ends_with('.'), "{}", error.message);
    let stats = stats(&base).await;
    assert_eq!(
        count(&stats, "POST /api/v1/images/generations"),
        1,
        "exactly one creation request: not retried, and the batch stopped"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_file_is_uploaded_once_and_an_old_url_is_checked_with_one_head() {
    let (dir, studio, sandbox, base) = studio_on_second_sandbox(500).await;
    let file = dir.path().join("reference.png");
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 120]))
        .save(&file)
        .unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let events = Arc::clone(&events);
        Arc::new(move |event: UploadEvent| events.lock().unwrap().push(event))
    };
    reset_stats(&base).await;

    let first = studio
        .upload_reference(
            "u1",
            &file,
            "image_input",
            ReferenceMedia::Image,
            sink.clone(),
        )
        .await
        .unwrap();
    let url = first.url.clone().unwrap();
    assert!(url.starts_with(&base), "{url}");
    assert!(first.preview.is_some(), "an image reference gets a preview");
    {
        let events = events.lock().unwrap();
        assert!(matches!(events.first(), Some(UploadEvent::Started { .. })));
        assert!(events
            .iter()
            .any(|e| matches!(e, UploadEvent::Progress { sent, total, .. } if sent == total)));
        assert!(matches!(
            events.last(),
            Some(UploadEvent::Done { reused: false, .. })
        ));
    }
    let second = studio
        .upload_reference(
            "u2",
            &file,
            "image_input",
            ReferenceMedia::Image,
            sink.clone(),
        )
        .await
        .unwrap();
    assert_eq!(second.url.as_deref(), Some(url.as_str()));
    assert!(matches!(
        events.lock().unwrap().last(),
        Some(UploadEvent::Done { reused: true, .. })
    ));
    let after_two = stats(&base).await;
    assert_eq!(count(&after_two, "POST /api/v1/uploads/images"), 1);
    assert_eq!(count(&after_two, "HEAD /uploads/{key}"), 0);

    // A day later the remembered URL is checked once before it is used again.
    let profile = studio.active_id().unwrap();
    let sha = first.sha256.clone().unwrap();
    let mut old = studio
        .library()
        .remembered_upload(&profile, &sha)
        .unwrap()
        .unwrap();
    old.checked_ms = now_ms() - 25 * 60 * 60 * 1000;
    studio.library().remember_upload(&old).unwrap();
    let third = studio
        .upload_reference(
            "u3",
            &file,
            "image_input",
            ReferenceMedia::Image,
            sink.clone(),
        )
        .await
        .unwrap();
    assert_eq!(third.url.as_deref(), Some(url.as_str()));
    let after_three = stats(&base).await;
    assert_eq!(count(&after_three, "HEAD /uploads/{key}"), 1);
    assert_eq!(count(&after_three, "POST /api/v1/uploads/images"), 1);

    // A remembered URL that no longer resolves is uploaded again.
    studio
        .library()
        .remember_upload(&RememberedUpload {
            url: format!("{base}/uploads/gone/missing.png"),
            checked_ms: now_ms() - 25 * 60 * 60 * 1000,
            ..old
        })
        .unwrap();
    let fourth = studio
        .upload_reference("u4", &file, "image_input", ReferenceMedia::Image, sink)
        .await
        .unwrap();
    assert_eq!(
        fourth.url.as_deref(),
        Some(url.as_str()),
        "same bytes, same URL"
    );
    assert_eq!(count(&stats(&base).await, "POST /api/v1/uploads/images"), 2);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_the_api_refuses_is_named_before_anything_is_sent() {
    let (dir, studio, sandbox, base) = studio_on_second_sandbox(500).await;
    let fake = dir.path().join("notes.png");
    std::fs::write(&fake, b"%PDF-1.7 this is a document").unwrap();
    let big = dir.path().join("huge.png");
    {
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(11 * 1024 * 1024).unwrap();
    }
    reset_stats(&base).await;
    let failures = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let failures = Arc::clone(&failures);
        Arc::new(move |event: UploadEvent| {
            if let UploadEvent::Failed { error, .. } = event {
                failures.lock().unwrap().push(error);
            }
        })
    };
    let err = studio
        .upload_reference(
            "f1",
            &fake,
            "image_input",
            ReferenceMedia::Image,
            sink.clone(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("invalid_file_type"));
    assert!(err.message.contains("notes.png"), "{}", err.message);
    let err = studio
        .upload_reference("f2", &big, "image_input", ReferenceMedia::Image, sink)
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("file_too_large"));
    assert!(err.message.contains("huge.png"), "{}", err.message);
    assert_eq!(
        failures.lock().unwrap().len(),
        2,
        "each failure reaches the page"
    );
    let stats = stats(&base).await;
    assert_eq!(count(&stats, "POST /api/v1/uploads/images"), 0);
    sandbox.shutdown().await;
}

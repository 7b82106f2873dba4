//! Task creation, charging, the pending → processing → success lifecycle, refunds, and the
//! generated files themselves (decoded, not trusted by name).

mod common;

use common::{code, png, start, start_with, Env};
use cyberbara::clock::ManualClock;
use cyberbara_sandbox::controls::{NextOutcome, SandboxControls};
use cyberbara_sandbox::SandboxConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

async fn create(env: &Env, key: &str, route: &str, body: Value) -> Value {
    let (status, v) = env
        .post(key, &format!("/api/v1/{route}/generations"), body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["data"].clone()
}

#[tokio::test]
async fn image_task_charges_then_runs_to_a_decodable_image_of_the_requested_size() {
    // The sandbox's clock is moved by hand: the task is pending until 1.2 s, processing
    // until 6 s, and each phase is seen for certain however loaded the machine is.
    let time = ManualClock::starting_now();
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-img".into()],
        credits: 44,
        speed: 1.0,
        clock: time.clock(),
        ..Default::default()
    })
    .await;
    let created = create(
        &env,
        "k-img",
        "images",
        json!({"model": "nano-banana-pro", "prompt": "A cinematic portrait under neon rain",
               "scene": "text-to-image", "options": {"resolution": "1k", "aspect_ratio": "16:9"}}),
    )
    .await;
    assert_eq!(created["status"], "pending");
    assert_eq!(created["media_type"], "image");
    assert_eq!(created["model"], "nano-banana-pro");
    assert_eq!(created["scene"], "text-to-image");
    assert_eq!(created["credits"], json!({"cost": 8, "remaining": 36}));
    assert_eq!(env.balance("k-img").await, 36);
    let id = created["task_id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());

    let status = |v: &Value| v["data"]["task"]["status"].as_str().unwrap().to_string();
    let path = format!("/api/v1/tasks/{id}");
    assert_eq!(status(&env.get("k-img", &path).await.1), "pending");
    time.advance(Duration::from_millis(1_199));
    assert_eq!(status(&env.get("k-img", &path).await.1), "pending");
    time.advance(Duration::from_millis(1));
    assert_eq!(status(&env.get("k-img", &path).await.1), "processing");
    let mut finished = env.sandbox.finished_tasks();
    time.advance(Duration::from_millis(4_800));
    finished.changed().await.unwrap();
    let (_, v) = env.get("k-img", &path).await;
    let task = v["data"]["task"].clone();
    assert_eq!(task["status"], "success");
    let at = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(task[field].as_str().unwrap())
            .unwrap()
            .timestamp_millis()
    };
    assert_eq!(at("updated_at") - at("created_at"), 6_000, "{task}");
    assert_eq!(task["credits"], json!({"cost": 8}));
    assert_eq!(task["prompt"], "A cinematic portrait under neon rain");
    assert_eq!(task["output"]["videos"], json!([]));
    let url = task["output"]["images"][0].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/", env.base)), "{url}");

    // Public like a CDN: no key.
    let (status, headers, bytes) = env.fetch(url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["content-length"], bytes.len().to_string().as_str());
    let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png).unwrap();
    // 1K is a 1024-pixel long side; 16:9 sets the short side.
    assert_eq!((img.width(), img.height()), (1024, 576));
}

#[tokio::test]
async fn output_format_and_resolution_change_the_file() {
    let env = start(&["k-fmt"]).await;
    let created = create(
        &env,
        "k-fmt",
        "images",
        json!({"model": "nano-banana-2", "prompt": "square jpeg", "options": {"resolution": "2k", "output_format": "jpeg"}}),
    )
    .await;
    assert_eq!(
        created["scene"], "text-to-image",
        "inferred without image_input"
    );
    let (task, _) = env
        .wait_final("k-fmt", created["task_id"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "success");
    let (_, headers, bytes) = env
        .fetch(task["output"]["images"][0].as_str().unwrap())
        .await;
    assert_eq!(headers["content-type"], "image/jpeg");
    let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).unwrap();
    assert_eq!((img.width(), img.height()), (2048, 2048));
}

fn mp4_facts(bytes: &[u8]) -> (f64, Vec<(mp4::MediaType, u16, u16)>) {
    let reader =
        mp4::Mp4Reader::read_header(std::io::Cursor::new(bytes), bytes.len() as u64).unwrap();
    let tracks = reader
        .tracks()
        .values()
        .map(|t| (t.media_type().unwrap(), t.width(), t.height()))
        .collect();
    (reader.duration().as_secs_f64(), tracks)
}

#[tokio::test]
async fn video_task_produces_an_h264_mp4_of_the_requested_duration() {
    let env = start(&["k-vid"]).await;
    let created = create(
        &env,
        "k-vid",
        "videos",
        json!({"model": "sora-2", "prompt": "A calm drone shot over snowy mountains at sunrise",
               "scene": "text-to-video", "options": {"duration": "10", "resolution": "standard"}}),
    )
    .await;
    assert_eq!(created["credits"]["cost"], 20);
    assert_eq!(created["credits"]["remaining"], 480);
    let (task, seen) = env
        .wait_final("k-vid", created["task_id"].as_str().unwrap())
        .await;
    assert_eq!(seen.last().map(String::as_str), Some("success"));
    assert_eq!(task["output"]["images"], json!([]));
    let url = task["output"]["videos"][0].as_str().unwrap();
    let (status, headers, bytes) = env.fetch(url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "video/mp4");
    let (duration, tracks) = mp4_facts(&bytes);
    assert!((duration - 10.0).abs() < 0.5, "duration {duration}");
    let (kind, w, h) = tracks[0];
    assert_eq!(kind, mp4::MediaType::H264);
    assert!(w > h, "landscape default: {w}x{h}");

    let created = create(
        &env,
        "k-vid",
        "videos",
        json!({"model": "kling-2.6", "prompt": "portrait clip", "options": {"duration": 5, "aspect_ratio": "9:16"}}),
    )
    .await;
    let (task, _) = env
        .wait_final("k-vid", created["task_id"].as_str().unwrap())
        .await;
    let (_, _, bytes) = env
        .fetch(task["output"]["videos"][0].as_str().unwrap())
        .await;
    let (duration, tracks) = mp4_facts(&bytes);
    assert!((duration - 5.0).abs() < 0.5, "duration {duration}");
    assert!(tracks[0].2 > tracks[0].1, "9:16 is taller than wide");
}

#[tokio::test]
async fn validation_errors_use_the_documented_codes() {
    let env = start(&["k-val"]).await;
    let cases = [
        ("images", json!({"prompt": "no model"}), "invalid_model"),
        (
            "images",
            json!({"model": "dall-e-9", "prompt": "x"}),
            "unsupported_model",
        ),
        (
            "images",
            json!({"model": "sora-2", "prompt": "x"}),
            "invalid_model_for_media_type",
        ),
        (
            "videos",
            json!({"model": "nano-banana-pro", "prompt": "x"}),
            "invalid_model_for_media_type",
        ),
        (
            "images",
            json!({"model": "nano-banana-pro", "prompt": "x", "scene": "sideways"}),
            "invalid_scene",
        ),
        (
            "videos",
            json!({"model": "sora-2", "prompt": "x", "scene": "video-to-video"}),
            "scene_not_supported",
        ),
        (
            "videos",
            json!({"model": "kling-2.6", "prompt": "x", "options": {"duration": 7}}),
            "invalid_request",
        ),
        (
            "images",
            json!({"model": "nano-banana-pro"}),
            "invalid_request",
        ),
        (
            "videos",
            json!({"model": "veo-3.1-fast", "prompt": "x", "options": {"seed": 5}}),
            "invalid_request",
        ),
    ];
    for (route, body, expected) in cases {
        let (status, v) = env
            .post(
                "k-val",
                &format!("/api/v1/{route}/generations"),
                body.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(code(&v), expected, "{body}: {v}");
        let errors = v["error"]["details"]["errors"].as_array().unwrap();
        assert_eq!(errors[0]["code"], expected);
        if expected == "unsupported_model" {
            // The reference's example message, verbatim.
            assert_eq!(v["error"]["message"], "Model is not supported.");
        } else {
            assert_eq!(errors[0]["message"], v["error"]["message"]);
        }
    }
    assert_eq!(
        env.balance("k-val").await,
        500,
        "refused requests cost nothing"
    );
    let (_, usage) = env.get("k-val", "/api/v1/credits/usage").await;
    assert_eq!(usage["data"]["summary"]["total"], 0);
}

#[tokio::test]
async fn short_balance_is_402_with_required_and_remaining() {
    let env = start(&["k-poor"]).await;
    env.set_credits("k-poor", 19).await;
    let (status, v) = env
        .post(
            "k-poor",
            "/api/v1/videos/generations",
            json!({"model": "sora-2", "prompt": "x", "options": {"duration": "10"}}),
        )
        .await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(code(&v), "insufficient_credits");
    assert_eq!(v["error"]["message"], "Insufficient credits.");
    assert_eq!(
        v["error"]["details"],
        json!({"required": 20, "remaining": 19})
    );
    assert_eq!(env.balance("k-poor").await, 19);
    // Exactly enough is enough.
    env.set_credits("k-poor", 20).await;
    let created = create(
        &env,
        "k-poor",
        "videos",
        json!({"model": "sora-2", "prompt": "x"}),
    )
    .await;
    assert_eq!(created["credits"]["remaining"], 0);
}

#[tokio::test]
async fn a_failed_task_refunds_its_credits_with_a_negative_usage_line() {
    let env = start(&["k-fail"]).await;
    let created = create(
        &env,
        "k-fail",
        "images",
        json!({"model": "nano-banana-pro", "prompt": "doomed [sandbox:fail] [sandbox:ms=50]"}),
    )
    .await;
    assert_eq!(env.balance("k-fail").await, 492);
    let id = created["task_id"].as_str().unwrap();
    let (task, _) = env.wait_final("k-fail", id).await;
    assert_eq!(task["status"], "failed");
    assert_eq!(task["output"], json!({"images": [], "videos": []}));
    assert_eq!(env.balance("k-fail").await, 500);
    let (_, usage) = env.get("k-fail", "/api/v1/credits/usage").await;
    let items = usage["data"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["credits_consumed"], -8, "refund is newest");
    assert_eq!(items[0]["task_id"], id);
    assert_eq!(items[1]["credits_consumed"], 8);
    assert_eq!(usage["data"]["summary"]["total_credits_consumed"], 0);
}

#[tokio::test]
async fn next_task_control_scripts_outcome_and_duration_in_order() {
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-next".into()],
        test_controls: true,
        // Unscripted, these tasks would take 75 min and 10 min at this speed; wait_final
        // gives up after 60 s, so finishing proves the script without a tight bound.
        speed: 0.01,
        ..Default::default()
    })
    .await;
    let controls = SandboxControls::new(&env.base);
    for (outcome, ms) in [(NextOutcome::Failed, 100), (NextOutcome::Success, 150)] {
        controls.next_task("k-next", outcome, ms).await.unwrap();
    }
    let first = create(
        &env,
        "k-next",
        "videos",
        json!({"model": "sora-2", "prompt": "one"}),
    )
    .await;
    let second = create(
        &env,
        "k-next",
        "images",
        json!({"model": "nano-banana-pro", "prompt": "two"}),
    )
    .await;
    let (a, _) = env
        .wait_final("k-next", first["task_id"].as_str().unwrap())
        .await;
    let (b, _) = env
        .wait_final("k-next", second["task_id"].as_str().unwrap())
        .await;
    assert_eq!(a["status"], "failed");
    assert_eq!(b["status"], "success");
    assert_eq!(env.balance("k-next").await, 500 - 8);
}

#[tokio::test]
async fn fail_rate_one_fails_every_task() {
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-rate".into()],
        speed: 50.0,
        fail_rate: 1.0,
        ..Default::default()
    })
    .await;
    let created = create(
        &env,
        "k-rate",
        "images",
        json!({"model": "nano-banana-2", "prompt": "x"}),
    )
    .await;
    let (task, _) = env
        .wait_final("k-rate", created["task_id"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "failed");
    assert_eq!(env.balance("k-rate").await, 500);
}

#[tokio::test]
async fn image_to_image_uses_an_uploaded_reference() {
    let env = start(&["k-i2i"]).await;
    let form = reqwest::multipart::Form::new().part(
        "files",
        reqwest::multipart::Part::bytes(png(64, 64, 250)).file_name("reference.png"),
    );
    let resp = env
        .http
        .post(env.url("/api/v1/uploads/images"))
        .bearer_auth("k-i2i")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (_, up) = common::body(resp).await;
    let url = up["data"]["urls"][0].as_str().unwrap();
    let created = create(
        &env,
        "k-i2i",
        "images",
        json!({"model": "nano-banana-pro", "prompt": "Keep composition, make it cinematic at night",
               "options": {"image_input": [url]}}),
    )
    .await;
    assert_eq!(
        created["scene"], "image-to-image",
        "inferred from image_input"
    );
    let (task, _) = env
        .wait_final("k-i2i", created["task_id"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "success");
    let (_, _, with_reference) = env
        .fetch(task["output"]["images"][0].as_str().unwrap())
        .await;
    assert!(image::load_from_memory(&with_reference).is_ok());
    // The same prompt without the reference draws something else: the upload was used.
    let plain = create(
        &env,
        "k-i2i",
        "images",
        json!({"model": "nano-banana-pro", "prompt": "Keep composition, make it cinematic at night"}),
    )
    .await;
    let (plain, _) = env
        .wait_final("k-i2i", plain["task_id"].as_str().unwrap())
        .await;
    let (_, _, without) = env
        .fetch(plain["output"]["images"][0].as_str().unwrap())
        .await;
    // Each seedless task draws its own picture, so unequal bytes alone would prove nothing.
    // The upload is one flat colour, (250, 100, 200): tinted, it covers the picture, whose
    // top half (the word rows are at the bottom) is then that one colour; the plain
    // picture's gradient never is.
    let tinted = flat_top_half(&with_reference).expect("the flat reference shows");
    let range = |value: u8, upload: u8| (upload / 2..=upload / 2 + 90).contains(&value);
    assert!(
        range(tinted[0], 250) && range(tinted[1], 100) && range(tinted[2], 200),
        "{tinted:?} is the upload's colour, tinted"
    );
    assert_eq!(
        flat_top_half(&without),
        None,
        "the plain picture is not flat"
    );

    let created = create(
        &env,
        "k-i2i",
        "videos",
        json!({"model": "kling-2.6", "prompt": "make it move", "options": {"image_input": [url]}}),
    )
    .await;
    assert_eq!(created["scene"], "image-to-video");
    let (task, _) = env
        .wait_final("k-i2i", created["task_id"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "success");
}

/// The one colour of a picture's top half, if it has only one.
fn flat_top_half(bytes: &[u8]) -> Option<[u8; 3]> {
    let picture = image::load_from_memory(bytes).unwrap().to_rgb8();
    let first = picture.get_pixel(0, 0).0;
    let top = picture.rows().take(picture.height() as usize / 2);
    top.flatten().all(|pixel| pixel.0 == first).then_some(first)
}

#[tokio::test]
async fn audio_and_music_routes_serve_models_of_those_types() {
    let env = start(&["k-audio"]).await;
    for route in ["audio", "audios"] {
        let created = create(
            &env,
            "k-audio",
            route,
            json!({"model": "suno-sound-v5", "prompt": "rain", "options": {"loop": false}}),
        )
        .await;
        assert_eq!(created["media_type"], "audio");
        assert_eq!(created["credits"]["cost"], 4);
        let (task, _) = env
            .wait_final("k-audio", created["task_id"].as_str().unwrap())
            .await;
        assert_eq!(task["status"], "success");
        let url = task["output"]["audios"][0].as_str().unwrap();
        let (status, headers, bytes) = env.fetch(url).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "audio/wav");
        let wav = hound::WavReader::new(std::io::Cursor::new(&bytes)).unwrap();
        let rate = cyberbara_sandbox::media::AUDIO_SAMPLE_RATE;
        assert_eq!((wav.spec().channels, wav.spec().sample_rate), (1, rate));
        assert_eq!(wav.duration(), 5 * rate, "the catalogue's default 5 s");
    }
    let created = create(
        &env,
        "k-audio",
        "music",
        json!({"model": "suno-music-v5", "prompt": "lofi", "options": {"instrumental": true}}),
    )
    .await;
    assert_eq!(created["media_type"], "music");
    assert_eq!(created["scene"], "text-to-music");
    let (status, v) = env
        .post(
            "k-audio",
            "/api/v1/music/generations",
            json!({"model": "suno-sound-v5", "prompt": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v), "invalid_model_for_media_type");
}

#[tokio::test]
async fn video_to_video_takes_an_uploaded_video() {
    let env = start(&["k-v2v"]).await;
    let form = reqwest::multipart::Form::new().part(
        "files",
        reqwest::multipart::Part::bytes(common::mp4_like(4096)).file_name("input.mp4"),
    );
    let resp = env
        .http
        .post(env.url("/api/v1/uploads/videos"))
        .bearer_auth("k-v2v")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (_, up) = common::body(resp).await;
    let url = up["data"]["urls"][0].as_str().unwrap();
    let created = create(
        &env,
        "k-v2v",
        "videos",
        json!({"model": "seedance-2-preview", "prompt": "make it snow", "options": {"video_input": [url]}}),
    )
    .await;
    assert_eq!(
        created["scene"], "video-to-video",
        "inferred from video_input"
    );
    let (task, _) = env
        .wait_final("k-v2v", created["task_id"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "success");
    let (_, _, bytes) = env
        .fetch(task["output"]["videos"][0].as_str().unwrap())
        .await;
    assert_eq!(mp4_facts(&bytes).1[0].0, mp4::MediaType::H264);

    let created = create(
        &env,
        "k-v2v",
        "videos",
        json!({"model": "seedance-2-watermark-remover", "scene": "video-to-video", "options": {"video_url": url}}),
    )
    .await;
    assert_eq!(created["credits"]["cost"], 10);
    let (task, _) = env
        .wait_final("k-v2v", created["task_id"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "success");
}

#[tokio::test]
async fn strict_models_ignore_unknown_options_and_video_scene_is_inferred() {
    let env = start(&["k-strict"]).await;
    // "Unknown options for strict-validated models are ignored": accepted, priced and
    // rendered as if they were absent (2K, JPEG as normalised from "jpeg").
    let created = create(
        &env,
        "k-strict",
        "images",
        json!({"model": "nano-banana-pro", "prompt": "a lighthouse",
               "options": {"resolution": "2k", "output_format": "jpeg", "not_an_option": 7, "style": "noir"}}),
    )
    .await;
    assert_eq!(created["credits"]["cost"], 12);
    assert_eq!(created["scene"], "text-to-image");
    let (task, _) = env
        .wait_final("k-strict", created["task_id"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "success");
    let (_, headers, bytes) = env
        .fetch(task["output"]["images"][0].as_str().unwrap())
        .await;
    assert_eq!(headers["content-type"], "image/jpeg");
    let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).unwrap();
    assert_eq!(img.width().max(img.height()), 2048);

    // Video route without image_input or video_input: text-to-video.
    let created = create(
        &env,
        "k-strict",
        "videos",
        json!({"model": "kling-2.6", "prompt": "waves", "options": {"unknown": true}}),
    )
    .await;
    assert_eq!(created["scene"], "text-to-video");
    assert_eq!(created["credits"]["cost"], 25);
}

#[tokio::test]
async fn a_scripted_outcome_survives_a_refused_creation() {
    // At speed 0.01 an unscripted image takes 10 min; wait_final gives up after 60 s.
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-keep".into()],
        credits: 5,
        test_controls: true,
        speed: 0.01,
        ..Default::default()
    })
    .await;
    SandboxControls::new(&env.base)
        .next_task("k-keep", NextOutcome::Failed, 100)
        .await
        .unwrap();
    // 402: no task was created, so the queued decision is still for the next one.
    let (status, v) = env
        .post(
            "k-keep",
            "/api/v1/images/generations",
            json!({"model": "nano-banana-pro", "prompt": "too poor"}),
        )
        .await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{v}");
    env.set_credits("k-keep", 8).await;
    let created = create(
        &env,
        "k-keep",
        "images",
        json!({"model": "nano-banana-pro", "prompt": "now affordable"}),
    )
    .await;
    let (task, _) = env
        .wait_final("k-keep", created["task_id"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "failed");
    assert_eq!(
        env.balance("k-keep").await,
        8,
        "the failed task was refunded"
    );
}

/// The output bytes of one successful task.
async fn output_of(env: &Env, key: &str, route: &str, body: Value) -> Vec<u8> {
    let created = create(env, key, route, body).await;
    let (task, _) = env
        .wait_final(key, created["task_id"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "success", "{task}");
    let list = if route == "images" {
        "images"
    } else {
        "videos"
    };
    env.fetch(task["output"][list][0].as_str().unwrap()).await.2
}

#[tokio::test]
async fn outputs_are_deterministic_from_prompt_and_seed_over_http() {
    // No built-in image model takes a seed, and without one each task draws its own picture
    // (tests/seeds.rs); a pass-through extra model stands for one that does.
    let extra: Vec<cyberbara::types::ModelInfo> = serde_json::from_value(json!([
        {"model": "seeded-image", "media_type": "image", "supported_scenes": ["text-to-image"]}
    ]))
    .unwrap();
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-det".into()],
        speed: 50.0,
        extra_models: extra,
        ..Default::default()
    })
    .await;
    let image =
        |prompt: &str| json!({"model": "seeded-image", "prompt": prompt, "options": {"seed": 3}});
    let kite = output_of(&env, "k-det", "images", image("a red kite")).await;
    let kite_again = output_of(&env, "k-det", "images", image("a red kite")).await;
    let whale = output_of(&env, "k-det", "images", image("a blue whale")).await;
    assert!(kite == kite_again, "same prompt and seed, same picture");
    assert!(kite != whale, "another prompt, another picture");

    // seedance-1-lite documents a seed: same prompt, another seed, another video.
    let video = |seed: i64| json!({"model": "seedance-1-lite", "prompt": "a paper boat", "options": {"seed": seed, "duration": 5}});
    let one = output_of(&env, "k-det", "videos", video(1)).await;
    let one_again = output_of(&env, "k-det", "videos", video(1)).await;
    let two = output_of(&env, "k-det", "videos", video(2)).await;
    assert!(one == one_again, "same prompt and seed, same video");
    assert!(one != two, "another seed, another video");
}

#[tokio::test]
async fn concurrent_creations_never_overdraw_an_account() {
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-race".into()],
        credits: 20,
        speed: common::SPEED,
        ..Default::default()
    })
    .await;
    let attempts = (0..6).map(|i| {
        env.post(
            "k-race",
            "/api/v1/images/generations",
            json!({"model": "nano-banana-pro", "prompt": format!("race {i}")}),
        )
    });
    let results = futures_util::future::join_all(attempts).await;
    let created = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let refused = results
        .iter()
        .filter(|(s, v)| *s == StatusCode::PAYMENT_REQUIRED && code(v) == "insufficient_credits")
        .count();
    // 20 credits buy two 8-credit images, whatever the interleaving.
    assert_eq!((created, refused), (2, 4), "{results:?}");
    assert_eq!(env.balance("k-race").await, 4);
    let (_, usage) = env.get("k-race", "/api/v1/credits/usage").await;
    assert_eq!(usage["data"]["summary"]["total"], 2);
    assert_eq!(usage["data"]["summary"]["total_credits_consumed"], 16);
}

//! Which outputs repeat (issue 27): a request with an explicit seed renders the same bytes
//! every time; without one (or with Seedance's `-1`, "random") each task gets its own output,
//! for images, videos, sounds and music alike, so a Batch of N is N different files.

mod common;

use common::{start_with, Env, SPEED};
use cyberbara_sandbox::SandboxConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};

const KEY: &str = "k-seeds";

/// The built-in catalogue declares a seed only on video models (Seedance 1, Veo);
/// `seeded-image` stands for an image model that takes one. Extra models, like the built-in
/// suno models, are pass-through, so their `seed` reaches the renderer as sent.
async fn sandbox() -> Env {
    let extra: Vec<cyberbara::types::ModelInfo> = serde_json::from_value(json!([
        {"model": "seeded-image", "media_type": "image", "supported_scenes": ["text-to-image"]},
        {"model": "suno-sound-v5", "media_type": "audio", "supported_scenes": ["text-to-audio"]},
        {"model": "suno-music-v5", "media_type": "music", "supported_scenes": ["text-to-music"]}
    ]))
    .unwrap();
    start_with(SandboxConfig {
        api_keys: vec![KEY.into()],
        credits: 100_000,
        speed: SPEED,
        extra_models: extra,
        ..Default::default()
    })
    .await
}

/// Creates one task from `body` on `route`, waits for it and returns its output file.
async fn output(env: &Env, route: &str, body: &Value) -> Vec<u8> {
    let (status, created) = env
        .post(KEY, &format!("/api/v1/{route}/generations"), body.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let (task, _) = env
        .wait_final(KEY, created["data"]["task_id"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "success", "{task}");
    let list = match route {
        "images" => "images",
        "videos" => "videos",
        _ => "audios",
    };
    let (status, _, bytes) = env.fetch(task["output"][list][0].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!bytes.is_empty());
    bytes
}

/// Two tasks of the same request: their outputs.
async fn twice(env: &Env, route: &str, body: Value) -> (Vec<u8>, Vec<u8>) {
    (
        output(env, route, &body).await,
        output(env, route, &body).await,
    )
}

/// Mean per-pixel distance (0..=441) between two same-sized encoded pictures.
fn mean_distance(a: &[u8], b: &[u8]) -> f64 {
    cyberbara_sandbox::media::mean_distance(
        &image::load_from_memory(a).unwrap().to_rgb8(),
        &image::load_from_memory(b).unwrap().to_rgb8(),
    )
}

#[tokio::test]
async fn images_differ_per_task_unless_a_seed_pins_them() {
    let env = sandbox().await;
    // nano-banana-2 has no seed option: the case of issue 27, Batch 2 of one prompt.
    let (first, second) = twice(
        &env,
        "images",
        json!({"model": "nano-banana-2", "prompt": "a red kite"}),
    )
    .await;
    assert_ne!(first, second, "two seedless tasks, two files");
    let distance = mean_distance(&first, &second);
    assert!(distance > 25.0, "visibly different pictures: {distance}");

    let seeded = |seed: i64| json!({"model": "seeded-image", "prompt": "a red kite", "options": {"seed": seed}});
    let (first, second) = twice(&env, "images", seeded(42)).await;
    assert!(first == second, "same request and seed, same picture");
    let other = output(&env, "images", &seeded(43)).await;
    assert!(first != other, "another seed, another picture");
    let aliased = output(
        &env,
        "images",
        &json!({"model": "seeded-image", "prompt": "a red kite", "options": {"seeds": 42}}),
    )
    .await;
    assert!(first == aliased, "`seeds` is the same option");
}

#[tokio::test]
async fn videos_differ_per_task_unless_a_seed_pins_them() {
    let env = sandbox().await;
    let (first, second) = twice(
        &env,
        "videos",
        json!({"model": "kling-2.6", "prompt": "a paper boat", "options": {"duration": 5}}),
    )
    .await;
    assert_ne!(first, second, "two seedless tasks, two videos");

    // seedance-1-lite documents `seed`, with -1 meaning random.
    let seeded = |seed: i64| json!({"model": "seedance-1-lite", "prompt": "a paper boat", "options": {"seed": seed, "duration": 5}});
    let (first, second) = twice(&env, "videos", seeded(42)).await;
    assert!(first == second, "same request and seed, same video");
    let (random, random_again) = twice(&env, "videos", seeded(-1)).await;
    assert!(random != random_again, "seed -1 is random: two videos");
    assert!(random != first);
}

#[tokio::test]
async fn sounds_and_music_differ_per_task_unless_a_seed_pins_them() {
    let env = sandbox().await;
    for (route, model) in [("audio", "suno-sound-v5"), ("music", "suno-music-v5")] {
        let (first, second) = twice(&env, route, json!({"model": model, "prompt": "rain"})).await;
        assert_ne!(first, second, "{model}: two seedless tasks, two files");
        let seeded =
            |seed: i64| json!({"model": model, "prompt": "rain", "options": {"seed": seed}});
        let (first, second) = twice(&env, route, seeded(42)).await;
        assert!(first == second, "{model}: same request and seed, same file");
        let other = output(&env, route, &seeded(43)).await;
        assert!(first != other, "{model}: another seed, another file");
    }
}

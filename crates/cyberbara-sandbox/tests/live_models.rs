//! The live API's newer models (api-evolution.md) as the sandbox offers them: listed under
//! their media types, priced as the README says, and finished with real files that decode.

mod common;

use common::{start, Env};
use cyberbara_sandbox::media;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NEW_MODELS: [(&str, &str); 8] = [
    ("midjourney-v7", "image"),
    ("seedance-2", "video"),
    ("seedance-2-fast", "video"),
    ("kling-3.0", "video"),
    ("kling-3.0-motion-control", "video"),
    ("suno-sound-v5", "audio"),
    ("suno-sound-v5-5", "audio"),
    ("suno-music-v5", "music"),
];

fn route_of(media_type: &str) -> &'static str {
    match media_type {
        "image" => "images",
        "video" => "videos",
        "audio" => "audio",
        _ => "music",
    }
}

async fn create(env: &Env, key: &str, media_type: &str, body: Value) -> Value {
    let path = format!("/api/v1/{}/generations", route_of(media_type));
    let (status, v) = env.post(key, &path, body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["data"].clone()
}

async fn quote(env: &Env, key: &str, body: Value) -> i64 {
    let (status, v) = env.post(key, "/api/v1/credits/quote", body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["fallback_pricing"], false, "{v}");
    v["data"]["estimated_credits"].as_i64().unwrap()
}

/// Creates the task, checks it cost what the quote said, waits for it and returns the
/// bytes of its one output.
async fn run(env: &Env, key: &str, media_type: &str, body: Value, credits: i64) -> Vec<u8> {
    let quoted = quote(env, key, body.clone()).await;
    assert_eq!(quoted, credits, "quote for {body}");
    let created = create(env, key, media_type, body.clone()).await;
    assert_eq!(created["credits"]["cost"], credits, "charge for {body}");
    let (task, _) = env
        .wait_final(key, created["task_id"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "success", "{task}");
    let list = match media_type {
        "image" => "images",
        "video" => "videos",
        _ => "audios",
    };
    let url = task["output"][list][0].as_str().unwrap();
    let (status, _, bytes) = env.fetch(url).await;
    assert_eq!(status, StatusCode::OK);
    bytes
}

async fn upload_video(env: &Env, key: &str, secs: f64) -> String {
    let (width, height) = media::video_dimensions(Some("16:9"));
    let bytes = media::render_video(&media::VideoSpec {
        width,
        height,
        duration_secs: secs,
        fps: 4,
        prompt: "a dancer",
        seed: 3,
        reference: None,
    })
    .unwrap();
    upload(env, key, "videos", bytes, "dance.mp4").await
}

async fn upload(env: &Env, key: &str, kind: &str, bytes: Vec<u8>, name: &str) -> String {
    let form = reqwest::multipart::Form::new().part(
        "files",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let resp = env
        .http
        .post(env.url(&format!("/api/v1/uploads/{kind}")))
        .bearer_auth(key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, v) = common::body(resp).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["data"]["files"][0]["url"].as_str().unwrap().to_string()
}

fn wav_secs(bytes: &[u8]) -> f64 {
    let wav = hound::WavReader::new(std::io::Cursor::new(bytes)).unwrap();
    f64::from(wav.duration()) / f64::from(wav.spec().sample_rate)
}

#[tokio::test]
async fn each_new_model_is_listed_under_its_media_type() {
    let env = start(&["k-list"]).await;
    for (model, media_type) in NEW_MODELS {
        let (status, v) = env
            .get("k-list", &format!("/api/v1/models?media_type={media_type}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let listed = v["data"]["models"].as_array().unwrap();
        let entry = listed
            .iter()
            .find(|m| m["model"] == model)
            .unwrap_or_else(|| panic!("{model} is not listed under {media_type}"));
        assert_eq!(entry["media_type"], media_type);
        let scenes = entry["supported_scenes"].as_array().unwrap();
        assert!(!scenes.is_empty(), "{model}");
        // And under no other media type.
        for other in ["image", "video", "audio", "music"] {
            if other == media_type {
                continue;
            }
            let (_, v) = env
                .get("k-list", &format!("/api/v1/models?media_type={other}"))
                .await;
            assert!(
                !v["data"]["models"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m["model"] == model),
                "{model} listed under {other}"
            );
        }
    }
    let (_, audio) = env.get("k-list", "/api/v1/models?media_type=audio").await;
    assert_eq!(
        audio["data"]["models"][0]["supported_scenes"],
        json!(["text-to-audio"])
    );
    let (_, video) = env.get("k-list", "/api/v1/models?media_type=video").await;
    let v2v: Vec<&str> = video["data"]["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["supported_scenes"]
                .as_array()
                .unwrap()
                .contains(&json!("video-to-video"))
        })
        .map(|m| m["model"].as_str().unwrap())
        .collect();
    assert_eq!(v2v.len(), 7, "{v2v:?}");
}

#[tokio::test]
async fn sounds_and_songs_are_playable_wavs_and_songs_are_longer() {
    let env = start(&["k-sound"]).await;
    env.set_credits("k-sound", 1_000).await;
    let sound = run(
        &env,
        "k-sound",
        "audio",
        json!({"model": "suno-sound-v5", "prompt": "a door creaks open"}),
        4,
    )
    .await;
    let newer = run(
        &env,
        "k-sound",
        "audio",
        json!({"model": "suno-sound-v5-5", "prompt": "a door creaks open", "options": {"duration": 2.5, "loop": true}}),
        5,
    )
    .await;
    let song = run(
        &env,
        "k-sound",
        "music",
        json!({"model": "suno-music-v5", "prompt": "a slow waltz for a rainy evening"}),
        12,
    )
    .await;
    let custom = run(
        &env,
        "k-sound",
        "music",
        json!({"model": "suno-music-v5", "options": {"custom_mode": true, "title": "Rain", "style": "ambient", "instrumental": true, "duration": 12}}),
        12,
    )
    .await;
    assert_eq!(wav_secs(&sound), 5.0, "a sound's default length");
    assert_eq!(wav_secs(&newer), 2.5);
    assert_eq!(wav_secs(&song), 30.0, "a song's default length");
    assert_eq!(wav_secs(&custom), 12.0);
    assert!(wav_secs(&song) > wav_secs(&sound));
    for bytes in [&sound, &newer, &song, &custom] {
        let mut wav = hound::WavReader::new(std::io::Cursor::new(bytes.as_slice())).unwrap();
        let peak = wav
            .samples::<i16>()
            .map(|s| s.unwrap().unsigned_abs())
            .max()
            .unwrap();
        assert!(peak > 5_000, "audible, not silence: peak {peak}");
    }

    // Same prompt and explicit seed: the same sound; another seed: another.
    let seeded = |seed: u64| json!({"model": "suno-sound-v5", "prompt": "thunder", "options": {"seed": seed, "duration": 2}});
    let a = run(&env, "k-sound", "audio", seeded(11), 4).await;
    let b = run(&env, "k-sound", "audio", seeded(11), 4).await;
    let c = run(&env, "k-sound", "audio", seeded(12), 4).await;
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[tokio::test]
async fn image_and_video_models_price_as_the_readme_says_and_render() {
    let env = start(&["k-new"]).await;
    env.set_credits("k-new", 10_000).await;

    let picture = run(
        &env,
        "k-new",
        "image",
        json!({"model": "midjourney-v7", "prompt": "a lighthouse", "options": {"aspect_ratio": "2:3"}}),
        10,
    )
    .await;
    let decoded = image::load_from_memory(&picture).unwrap();
    assert_eq!(
        (decoded.width(), decoded.height()),
        media::image_dimensions(Some("2:3"), None)
    );
    let square = run(
        &env,
        "k-new",
        "image",
        json!({"model": "midjourney-v7", "prompt": "a lighthouse", "options": {"aspect_ratio": "wide", "omni_reference_input": ["https://cdn.example.com/o.png"]}}),
        20,
    )
    .await;
    let decoded = image::load_from_memory(&square).unwrap();
    assert_eq!(
        decoded.width(),
        decoded.height(),
        "an invalid ratio became 1:1"
    );

    let video_secs = |bytes: &[u8]| media::video_length_secs(bytes).unwrap();
    let clip = run(
        &env,
        "k-new",
        "video",
        json!({"model": "seedance-2", "prompt": "waves", "options": {"duration": 4, "aspect_ratio": "21:9"}}),
        20,
    )
    .await;
    assert!((video_secs(&clip) - 4.0).abs() < 0.3);
    let fast = run(
        &env,
        "k-new",
        "video",
        json!({"model": "seedance-2-fast", "prompt": "waves", "options": {"duration": 6}}),
        18,
    )
    .await;
    assert!((video_secs(&fast) - 6.0).abs() < 0.3);

    // Video-to-video is billed on the measured input (6 s) plus the output (5 s).
    let reference = upload_video(&env, "k-new", 6.0).await;
    let edit = run(
        &env,
        "k-new",
        "video",
        json!({"model": "seedance-2", "prompt": "make it snow", "options": {"video_input": [reference]}}),
        5 * (6 + 5),
    )
    .await;
    assert!(
        (video_secs(&edit) - 5.0).abs() < 0.3,
        "output length = duration"
    );

    let kling = run(
        &env,
        "k-new",
        "video",
        json!({"model": "kling-3.0", "prompt": "a fox", "options": {"duration": 3.4, "mode": "pro", "sound": true}}),
        12 * 3,
    )
    .await;
    assert!(
        (video_secs(&kling) - 3.0).abs() < 0.3,
        "3.4 s rounds to 3 s"
    );
    let std_price = quote(
        &env,
        "k-new",
        json!({"model": "kling-3.0", "options": {"duration": 10}}),
    )
    .await;
    assert_eq!(std_price, 60);

    // Motion control: 20 or 27 credits per second of the (measured) reference video.
    let character = upload(&env, "k-new", "images", common::png(64, 64, 90), "c.png").await;
    let motion = run(
        &env,
        "k-new",
        "video",
        json!({"model": "kling-3.0-motion-control", "options": {"video_input": [reference], "image_input": [character], "mode": "1080p"}}),
        27 * 6,
    )
    .await;
    assert!(
        (video_secs(&motion) - 6.0).abs() < 0.3,
        "as long as the motion"
    );
    let declared = quote(
        &env,
        "k-new",
        json!({"model": "kling-3.0-motion-control", "options": {"video_input": ["https://cdn.example.com/m.mp4"], "image_input": ["https://cdn.example.com/c.png"], "input_video_duration": 8.5}}),
    )
    .await;
    assert_eq!(declared, 20 * 9);
}

#[tokio::test]
async fn reference_video_lengths_are_measured_before_charging() {
    let env = start(&["k-len"]).await;
    env.set_credits("k-len", 10_000).await;
    let long = upload_video(&env, "k-len", 12.0).await;
    let character = upload(&env, "k-len", "images", common::png(64, 64, 30), "c.png").await;
    let (status, v) = env
        .post(
            "k-len",
            "/api/v1/videos/generations",
            json!({"model": "kling-3.0-motion-control", "options": {"video_input": [long], "image_input": [character], "character_orientation": "image"}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["code"], "invalid_request");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 10 s"),
        "{v}"
    );
    assert_eq!(env.balance("k-len").await, 10_000, "nothing charged");
    let longer = upload_video(&env, "k-len", 16.0).await;
    let (status, v) = env
        .post(
            "k-len",
            "/api/v1/videos/generations",
            json!({"model": "seedance-2", "prompt": "p", "options": {"video_input": [longer]}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 15.4 s"),
        "{v}"
    );
}

//! Models only the server lists (the live API keeps adding them) must be usable: the
//! catalogue gives them a generic pass-through entry that never refuses their options.

use cyberbara::catalogue::Catalogue;
use cyberbara::types::{ErrorCode, GenerationRequest, MediaType, ModelInfo, Scene};
use cyberbara_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

fn listed() -> Vec<ModelInfo> {
    serde_json::from_value(json!([
        {"model": "vidu-motion-next", "media_type": "video",
         "supported_scenes": ["video-to-video"], "label": "Vidu Motion Next"},
        {"model": "future-sound-v1", "media_type": "audio", "supported_scenes": ["text-to-audio"]}
    ]))
    .unwrap()
}

fn arbitrary_options() -> Value {
    json!({
        "video_input": ["https://cdn.example.com/v.mp4"],
        "image_input": ["https://cdn.example.com/a.png"],
        "mode": "1080p",
        "character_orientation": "image",
        "input_video_duration": 12.5,
        "duration": "anything at all",
        "nested": {"deep": [1, 2, 3]},
        "image_url": "https://cdn.example.com/provider-style.png"
    })
}

fn motion_request() -> GenerationRequest {
    serde_json::from_value(json!({
        "model": "vidu-motion-next",
        "options": arbitrary_options()
    }))
    .unwrap()
}

#[test]
fn unlisted_models_are_unsupported_until_listed() {
    let errors = Catalogue::builtin()
        .validate(&motion_request(), &MediaType::Video)
        .unwrap_err();
    assert_eq!(errors[0].code, ErrorCode::UnsupportedModel);

    let catalogue = Catalogue::builtin().with_listed(&listed());
    let done = catalogue
        .validate(&motion_request(), &MediaType::Video)
        .unwrap();
    assert_eq!(done.scene, Scene::VideoToVideo);
    assert_eq!(Value::Object(done.options), arbitrary_options());
    assert!(done.dropped.is_empty());
    assert_eq!(
        catalogue.model("vidu-motion-next").unwrap().label,
        "Vidu Motion Next"
    );
}

#[test]
fn listed_models_keep_media_type_and_scene_rules() {
    let catalogue = Catalogue::builtin().with_listed(&listed());
    let on_image_route = catalogue
        .validate(&motion_request(), &MediaType::Image)
        .unwrap_err();
    assert_eq!(on_image_route[0].code, ErrorCode::InvalidModelForMediaType);

    let no_video: GenerationRequest = serde_json::from_value(json!({
        "model": "vidu-motion-next", "prompt": "dance", "options": {"mode": "720p"}
    }))
    .unwrap();
    let errors = catalogue
        .validate(&no_video, &MediaType::Video)
        .unwrap_err();
    assert_eq!(errors[0].code, ErrorCode::SceneNotSupported);
    assert!(
        errors[0].message.contains("explicitly"),
        "{}",
        errors[0].message
    );

    let audio: GenerationRequest = serde_json::from_value(json!({
        "model": "future-sound-v1", "prompt": "rain on a tin roof", "options": {"loop": false}
    }))
    .unwrap();
    let done = catalogue.validate(&audio, &MediaType::Audio).unwrap();
    assert_eq!(done.scene, Scene::TextToAudio);
    assert_eq!(done.options["loop"], false);
}

const KEY: &str = "listed-test-key";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_extra_models_accept_arbitrary_options_over_http() {
    let sandbox = Sandbox::start(SandboxConfig {
        api_keys: vec![KEY.to_string()],
        credits: 1_000_000,
        speed: 1000.0,
        extra_models: listed(),
        ..Default::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        http.post(format!("{}/api/v1/{path}", sandbox.base_url()))
            .bearer_auth(KEY)
            .json(&body)
            .send()
    };

    let reply = post(
        "videos/generations",
        json!({"model": "vidu-motion-next", "options": arbitrary_options()}),
    )
    .await
    .unwrap();
    let status = reply.status().as_u16();
    let body: Value = reply.json().await.unwrap();
    assert!(matches!(status, 200 | 201), "{status} {body}");
    assert!(body["data"]["task_id"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
    assert_eq!(body["data"]["scene"], "video-to-video");

    let reply = post(
        "audio/generations",
        json!({"model": "future-sound-v1", "prompt": "rain", "options": {"loop": false}}),
    )
    .await
    .unwrap();
    let status = reply.status().as_u16();
    let body: Value = reply.json().await.unwrap();
    assert!(matches!(status, 200 | 201), "{status} {body}");
    assert_eq!(body["data"]["media_type"], "audio");

    // A model neither the catalogue nor the sandbox lists is still refused.
    let reply = post(
        "videos/generations",
        json!({"model": "kling-9.0", "prompt": "p", "options": arbitrary_options()}),
    )
    .await
    .unwrap();
    assert_eq!(reply.status().as_u16(), 400);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unsupported_model");
    sandbox.shutdown().await;
}

//! Every endpoint's happy path through the typed client, against the real sandbox.

mod client_harness;

use client_harness::*;
use cyberbara::types::{GenerationRequest, MediaType, QuoteRequest, Scene, TaskStatus, UsageQuery};
use cyberbara::{ApiKey, Client};
use cyberbara_sandbox::controls::NextOutcome;
use futures_util::StreamExt;
use serde_json::json;

fn image_request(prompt: &str) -> GenerationRequest {
    GenerationRequest {
        model: "nano-banana-pro".into(),
        prompt: Some(prompt.into()),
        scene: Some(Scene::TextToImage),
        options: json!({ "resolution": "1k" }).as_object().unwrap().clone(),
    }
}

#[tokio::test]
async fn models_list_and_filter() {
    let env = start().await;
    let all = env.client.list_models(None).await.unwrap();
    assert!(all.models.iter().any(|m| m.model == "nano-banana-pro"));
    assert!(all.models.iter().any(|m| m.model == "sora-2"));
    assert_eq!(all.total, all.models.len());

    let videos = env
        .client
        .list_models(Some(&MediaType::Video))
        .await
        .unwrap();
    assert!(!videos.models.is_empty());
    assert!(videos
        .models
        .iter()
        .all(|m| m.media_type == MediaType::Video));
    assert!(videos.models.len() < all.models.len());
}

#[tokio::test]
async fn base_url_spellings_all_reach_the_api() {
    let env = start().await;
    for base in [
        env.base.clone(),
        format!("{}/", env.base),
        format!("{}/api/v1", env.base),
        format!("{}/api/v1/", env.base),
    ] {
        let client = Client::new(&base, ApiKey::new(KEY)).unwrap();
        let balance = client
            .balance()
            .await
            .unwrap_or_else(|e| panic!("{base}: {e}"));
        assert_eq!(balance.remaining_credits, 500, "{base}");
    }
}

#[tokio::test]
async fn quote_generate_task_usage_flow() {
    let env = start().await;
    let before = env.client.balance().await.unwrap();
    assert_eq!(before.remaining_credits, 500);

    let quote = env
        .client
        .quote(&QuoteRequest {
            model: "nano-banana-pro".into(),
            media_type: Some(MediaType::Image),
            scene: Some(Scene::TextToImage),
            options: json!({ "resolution": "1k" }).as_object().unwrap().clone(),
        })
        .await
        .unwrap();
    assert!(quote.estimated_credits > 0);
    assert!(quote.can_afford);
    assert_eq!(quote.remaining_credits, 500);

    env.next_task(NextOutcome::Success, 100).await;
    let created = env
        .client
        .generate_image(&image_request("A cinematic portrait under neon rain"))
        .await
        .unwrap();
    assert_eq!(created.media_type, MediaType::Image);
    assert_eq!(created.credits.cost, quote.estimated_credits);
    assert_eq!(created.credits.remaining, 500 - quote.estimated_credits);

    let task = env.client.task(&created.task_id).await.unwrap();
    assert_eq!(task.id, created.task_id);
    assert_eq!(task.model, "nano-banana-pro");

    let last = env
        .client
        .wait_for_task(&created.task_id)
        .collect::<Vec<_>>()
        .await
        .pop()
        .unwrap()
        .unwrap();
    assert_eq!(last.status, TaskStatus::Success);
    assert!(!last.output.images.is_empty());

    let after = env.client.balance().await.unwrap();
    assert_eq!(after.remaining_credits, 500 - quote.estimated_credits);

    let usage = env.client.usage(&UsageQuery::default()).await.unwrap();
    assert_eq!(
        usage.summary.total_credits_consumed,
        quote.estimated_credits
    );
    assert!(usage
        .items
        .iter()
        .any(|i| i.task_id.as_deref() == Some(created.task_id.as_str())));

    let paged = env
        .client
        .usage(&UsageQuery {
            page: Some(1),
            limit: Some(5),
            from: Some("2020-01-01".into()),
            to: Some("2999-12-31".into()),
        })
        .await
        .unwrap();
    assert_eq!(paged.summary.limit, 5);
    assert_eq!(paged.items.len(), usage.items.len());
}

#[tokio::test]
async fn video_audio_and_music_routes_create_tasks() {
    // The sandbox lists the live API's audio and music models (suno-*) itself.
    let env = start().await;
    let video = env
        .client
        .generate_video(&GenerationRequest {
            model: "sora-2".into(),
            prompt: Some("A calm drone shot over snowy mountains at sunrise".into()),
            scene: Some(Scene::TextToVideo),
            options: json!({ "duration": "10" }).as_object().unwrap().clone(),
        })
        .await
        .unwrap();
    assert_eq!(video.media_type, MediaType::Video);
    assert_eq!(video.model, "sora-2");

    for (route, scene) in [
        (MediaType::Audio, Scene::TextToAudio),
        (MediaType::Music, Scene::TextToMusic),
    ] {
        let listed = env.client.list_models(Some(&route)).await.unwrap();
        let model = listed
            .models
            .first()
            .unwrap_or_else(|| panic!("the sandbox lists no {route} model"))
            .model
            .clone();
        let created = env
            .client
            .generate(
                &route,
                &GenerationRequest {
                    model,
                    prompt: Some("rain on a tin roof".into()),
                    scene: Some(scene),
                    options: Default::default(),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{route}: {e}"));
        assert_eq!(created.media_type, route);
        let stats = env.stats().await;
        let path = format!("POST /api/v1/{}/generations", route.as_str());
        assert_eq!(stats.get(&path), Some(&1), "{stats:?}");
    }
}

/// The spec accepts `Authorization: Bearer` and `x-api-key`; the server honours both,
/// and the client always uses the first.
#[tokio::test]
async fn both_auth_styles_are_accepted_and_the_client_sends_bearer() {
    let env = start().await;
    env.set_credits(KEY, 321).await;
    for request in [
        env.raw
            .get(format!("{}/api/v1/credits/balance", env.base))
            .header("x-api-key", KEY),
        env.raw
            .get(format!("{}/api/v1/credits/balance", env.base))
            .bearer_auth(KEY),
    ] {
        let body: serde_json::Value = request.send().await.unwrap().json().await.unwrap();
        assert_eq!(body["data"]["remaining_credits"], 321, "{body}");
    }
    assert_eq!(env.client.balance().await.unwrap().remaining_credits, 321);

    // What the client writes on the wire: read its request head from a plain socket
    // (no HTTP is answered; the client's error afterwards is expected).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let capture = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&head).to_ascii_lowercase()
    });
    let client = env.client_with_base(&base);
    let _ = client.balance().await;
    let head = capture.await.unwrap();
    assert!(
        head.contains(&format!(
            "authorization: bearer {}",
            KEY.to_ascii_lowercase()
        )),
        "{head}"
    );
    assert!(!head.contains("x-api-key"), "{head}");
}

/// Issue point 7 end to end through the client: a video model only the server lists
/// (the live API adds them) is found by `list_models`, accepted by the catalogue built
/// from that list with options it has never heard of, created and polled to success.
#[tokio::test]
async fn a_model_only_the_server_lists_is_usable_end_to_end() {
    let extra: Vec<cyberbara::types::ModelInfo> = serde_json::from_value(json!([
        { "model": "kling-4.0", "media_type": "video",
          "supported_scenes": ["text-to-video", "image-to-video"] }
    ]))
    .unwrap();
    let env = start_with(cyberbara_sandbox::SandboxConfig {
        extra_models: extra,
        ..Default::default()
    })
    .await;
    assert!(cyberbara::catalogue::Catalogue::builtin()
        .model("kling-4.0")
        .is_none());

    let listed = env
        .client
        .list_models(Some(&MediaType::Video))
        .await
        .unwrap();
    assert!(listed.models.iter().any(|m| m.model == "kling-4.0"));
    let catalogue = cyberbara::catalogue::Catalogue::builtin().with_listed(&listed.models);
    let request = GenerationRequest {
        model: "kling-4.0".into(),
        prompt: None,
        scene: None,
        options: json!({ "duration": 7, "mode": "pro", "sound": true })
            .as_object()
            .unwrap()
            .clone(),
    };
    let normalized = catalogue.validate(&request, &MediaType::Video).unwrap();
    assert_eq!(normalized.scene, Scene::TextToVideo);
    assert_eq!(
        normalized.options, request.options,
        "passed through untouched"
    );
    assert!(normalized.dropped.is_empty());

    env.next_task(NextOutcome::Success, 50).await;
    let created = env.client.generate_video(&request).await.unwrap();
    assert_eq!(created.model, "kling-4.0");
    let last = env
        .client
        .wait_for_task(&created.task_id)
        .collect::<Vec<_>>()
        .await
        .pop()
        .unwrap()
        .unwrap();
    assert_eq!(last.status, TaskStatus::Success);
}

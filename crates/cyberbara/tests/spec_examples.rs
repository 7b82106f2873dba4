//! The spec's own JSON examples, verbatim, through the wire types. The sandbox builds
//! its replies from these same types, so the HTTP tests cannot notice a field that is
//! misspelt or missing on both sides; these can. Each example must parse and serialise
//! back to exactly the JSON the spec shows.

use cyberbara::types::{
    Balance, DataEnvelope, ErrorCode, ErrorEnvelope, GenerationRequest, ModelList, Quote,
    QuoteRequest, TaskCreated, TaskEnvelope, UploadResult, Usage,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// Parses `{"data": ...}` as `T` and asserts it serialises back to the same `data`.
fn round_trip<T: DeserializeOwned + Serialize>(reply: Value) -> T {
    let data = reply["data"].clone();
    let parsed: DataEnvelope<T> = serde_json::from_value(reply).expect("the spec example parses");
    let back = serde_json::to_value(&parsed.data).unwrap();
    assert_eq!(back, data, "a field was lost or renamed");
    parsed.data
}

#[test]
fn models_example() {
    let list: ModelList = round_trip(json!({"data": {"models": [
        {"model": "sora-2", "media_type": "video", "supported_scenes": ["text-to-video", "image-to-video"]},
        {"model": "kling-2.6", "media_type": "video", "supported_scenes": ["text-to-video", "image-to-video"]}
    ], "total": 2}}));
    assert_eq!(list.total, 2);
}

#[test]
fn upload_examples() {
    for (name, ct, size, url) in [
        ("reference.png", "image/png", 245123, "https://cdn.example.com/uploads/api/v1/uploads/3e7e48e6/7f2f25f8d6c26f11b2a5bb6b3f7f4a28.png"),
        ("reference.mp4", "video/mp4", 1245123, "https://cdn.example.com/uploads/api/v1/uploads/3e7e48e6/2d9b18f0b5a0a9b4c65b7f6c3b2f7c32.mp4"),
    ] {
        let key = url.trim_start_matches("https://cdn.example.com/uploads/");
        let result: UploadResult = round_trip(json!({"data": {
            "files": [{"url": url, "key": key, "filename": name, "content_type": ct, "size": size, "deduped": false}],
            "urls": [url],
            "count": 1
        }}));
        assert_eq!(result.files[0].size, size);
    }
}

#[test]
fn credits_examples() {
    let balance: Balance = round_trip(json!({"data": {
        "user_id": "3e7e48e6-f2fa-4f66-abf8-db7a40eaf517",
        "remaining_credits": 44,
        "updated_at": "2026-03-03T04:08:19.320Z"
    }}));
    assert_eq!(balance.remaining_credits, 44);

    let quote: Quote = round_trip(json!({"data": {
        "model": "nano-banana-pro", "media_type": "image", "scene": "text-to-image",
        "estimated_credits": 8, "remaining_credits": 44, "can_afford": true,
        "pricing_rule": "nano-banana-pro", "fallback_pricing": false
    }}));
    assert_eq!(quote.estimated_credits, 8);

    let usage: Usage = round_trip(json!({"data": {
        "summary": {"page": 1, "limit": 20, "total": 2, "total_pages": 1, "total_credits_consumed": 28,
                    "from": "2026-03-03T00:00:00.000Z", "to": "2026-03-03T23:59:59.999Z"},
        "items": [{"id": "0a961844-e042-4a17-bf23-2a5f2680d375", "transaction_no": "79739092304928500",
                   "credits_consumed": 20, "scene": "text-to-video", "description": "generate video",
                   "media_type": "video", "task_id": "2fa99a50-fb96-407b-a562-82de8265f48e",
                   "created_at": "2026-03-03T04:31:55.116Z"}]
    }}));
    assert_eq!(usage.summary.total_credits_consumed, 28);
}

#[test]
fn generation_examples() {
    for (media, model, scene, cost, remaining) in [
        ("image", "nano-banana-pro", "text-to-image", 8, 36),
        ("video", "sora-2", "text-to-video", 20, 16),
    ] {
        let created: TaskCreated = round_trip(json!({"data": {
            "task_id": "2fa99a50-fb96-407b-a562-82de8265f48e", "status": "pending",
            "media_type": media, "model": model, "scene": scene,
            "credits": {"cost": cost, "remaining": remaining},
            "created_at": "2026-03-03T04:31:55.116Z"
        }}));
        assert_eq!(created.credits.cost, cost);
    }
}

#[test]
fn task_examples() {
    for (status, images, videos) in [
        ("pending", json!([]), json!([])),
        ("success", json!(["https://static.nanobananaproprompts.com/cyberbara_uploads/kie/image/21075dc0-7968-46fd-93fe-e366f558325b.png"]), json!([])),
        ("success", json!([]), json!(["https://static.nanobananaproprompts.com/cyberbara_uploads/kie/video/b55bf86d-e3a3-4b81-ae28-a1cff40a71db.mp4"])),
        ("failed", json!([]), json!([])),
    ] {
        let envelope: TaskEnvelope = round_trip(json!({"data": {"task": {
            "id": "2fa99a50-fb96-407b-a562-82de8265f48e", "status": status,
            "media_type": "video", "model": "sora-2", "scene": "text-to-video",
            "prompt": "A cinematic wide shot of waves hitting black volcanic beach at sunrise",
            "credits": {"cost": 20},
            "output": {"images": images, "videos": videos},
            "created_at": "2026-03-03T04:31:55.116Z", "updated_at": "2026-03-03T04:32:08.511Z"
        }}}));
        assert_eq!(envelope.task.status.as_str(), status);
    }
}

#[test]
fn error_examples_keep_code_message_and_details() {
    let e: ErrorEnvelope = serde_json::from_value(json!({"error": {
        "code": "invalid_file_type",
        "message": "Unsupported image type for file \"sample.pdf\".",
        "details": {"index": 0, "filename": "sample.pdf"}
    }}))
    .unwrap();
    assert_eq!(e.error.code, ErrorCode::InvalidFileType);
    assert_eq!(
        e.error.message,
        "Unsupported image type for file \"sample.pdf\"."
    );
    assert_eq!(
        e.error.details,
        Some(json!({"index": 0, "filename": "sample.pdf"}))
    );

    for code in [
        "invalid_media_type",
        "invalid_api_key",
        "unsupported_model",
        "invalid_date",
        "invalid_date_range",
        "insufficient_credits",
        "task_not_found",
    ] {
        let e: ErrorEnvelope =
            serde_json::from_value(json!({"error": {"code": code, "message": "m"}})).unwrap();
        assert!(e.error.code.is_known(), "{code} is a named variant");
        assert_eq!(e.error.code.as_str(), code);
    }
}

#[test]
fn request_examples_serialise_as_the_spec_sends_them() {
    for body in [
        json!({"model": "nano-banana-pro", "prompt": "A cinematic portrait under neon rain",
               "scene": "text-to-image", "options": {"resolution": "1k"}}),
        json!({"model": "sora-2", "prompt": "A calm drone shot over snowy mountains at sunrise",
               "scene": "text-to-video", "options": {"duration": "10", "resolution": "standard"}}),
        json!({"model": "nano-banana-pro", "scene": "image-to-image",
               "prompt": "Keep composition, make it cinematic at night",
               "options": {"image_input": ["https://cdn.example.com/uploads/api/v1/uploads/...png"]}}),
    ] {
        let request: GenerationRequest = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(serde_json::to_value(&request).unwrap(), body);
    }
    let quote = json!({"model": "nano-banana-pro", "media_type": "image",
                       "scene": "text-to-image", "options": {"resolution": "1k"}});
    let request: QuoteRequest = serde_json::from_value(quote.clone()).unwrap();
    assert_eq!(serde_json::to_value(&request).unwrap(), quote);
}

/// The live API grows: new fields in any reply are ignored, and a task keeps extra
/// media lists (audio) in its output.
#[test]
fn unknown_fields_are_tolerated() {
    let balance: DataEnvelope<Balance> = serde_json::from_value(json!({"data": {
        "user_id": "u", "remaining_credits": 5, "updated_at": null, "plan": "pro", "bonus": {"x": 1}
    }, "meta": {"request_id": "r"}}))
    .unwrap();
    assert_eq!(balance.data.remaining_credits, 5);

    let quote: DataEnvelope<Quote> = serde_json::from_value(json!({"data": {
        "model": "suno-sound-v5", "media_type": "audio", "scene": "text-to-audio",
        "estimated_credits": 3, "remaining_credits": 5, "can_afford": true, "currency": "credits"
    }}))
    .unwrap();
    assert_eq!(quote.data.media_type.as_str(), "audio");

    let task: DataEnvelope<TaskEnvelope> = serde_json::from_value(json!({"data": {"task": {
        "id": "t", "status": "success", "media_type": "audio", "model": "suno-sound-v5",
        "credits": {"cost": 3}, "progress": 100,
        "output": {"images": [], "videos": [], "audios": ["https://cdn.example.com/a.mp3"]},
        "created_at": "2026-03-03T04:31:55.116Z"
    }}}))
    .unwrap();
    assert_eq!(
        task.data.task.output.all_urls(),
        vec!["https://cdn.example.com/a.mp3".to_string()]
    );
    assert_eq!(task.data.task.extra["progress"], 100);
}

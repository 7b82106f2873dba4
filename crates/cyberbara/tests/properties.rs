//! Property tests: whatever a server sends, parsing the task, usage and model replies
//! ends in a value or an error, never a panic; so do the catalogue validator on any
//! request and the upload sniffer on any bytes. Failures proptest shrinks are kept in
//! `properties.proptest-regressions` beside this file and replayed first.

use cyberbara::catalogue::Catalogue;
use cyberbara::types::{
    DataEnvelope, GenerationRequest, MediaType, ModelList, Scene, TaskEnvelope, Usage,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        "[a-z_:/.0-9-]{0,24}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::hash_map("[a-z_]{1,12}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A task-shaped object whose fields are sometimes right and sometimes anything.
fn task_like() -> impl Strategy<Value = Value> {
    let field = |good: Value| prop_oneof![3 => Just(good), 1 => any_json()];
    (
        field(json!("2fa99a50")),
        field(json!("success")),
        field(json!("image")),
        field(json!("nano-banana-pro")),
        field(json!({"images": ["https://x/1.png"], "image": "https://x/1.png"})),
        field(json!({"cost": 8})),
        field(json!("2026-03-03T04:31:55.116Z")),
        any_json(),
    )
        .prop_map(
            |(id, status, media, model, output, credits, created, extra)| {
                json!({"data": {"task": {
                    "id": id, "status": status, "media_type": media, "model": model,
                    "output": output, "credits": credits, "created_at": created, "extra": extra
                }}})
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn task_replies_parse_or_fail_without_panic(body in task_like()) {
        let text = body.to_string();
        if let Ok(envelope) = serde_json::from_str::<DataEnvelope<TaskEnvelope>>(&text) {
            let urls = envelope.data.task.output.all_urls();
            prop_assert!(urls.len() <= cyberbara::egress::MAX_OUTPUTS);
            let mut unique = urls.clone();
            unique.sort();
            unique.dedup();
            prop_assert_eq!(unique.len(), urls.len());
        }
    }

    #[test]
    fn any_json_as_a_task_usage_or_model_reply_never_panics(body in any_json()) {
        let text = json!({"data": body}).to_string();
        let _ = serde_json::from_str::<DataEnvelope<TaskEnvelope>>(&text);
        let _ = serde_json::from_str::<DataEnvelope<Usage>>(&text);
        if let Ok(list) = serde_json::from_str::<DataEnvelope<ModelList>>(&text) {
            let mut names: Vec<&str> = list.data.models.iter().map(|m| m.model.as_str()).collect();
            let count = names.len();
            names.sort();
            names.dedup();
            prop_assert_eq!(names.len(), count);
        }
    }

    #[test]
    fn model_listings_with_repeats_parse_to_unique_models_and_scenes(
        models in prop::collection::vec(("[a-c]", prop::collection::vec(
            prop_oneof![Just("text-to-image"), Just("image-to-image"), Just("text-to-video"), Just("x")], 0..6)), 0..10)
    ) {
        let body = json!({"data": {"models": models.iter().map(|(m, s)| json!({
            "model": m, "media_type": "image", "supported_scenes": s
        })).collect::<Vec<_>>(), "total": models.len()}});
        let list = serde_json::from_value::<DataEnvelope<ModelList>>(body).unwrap().data;
        for model in &list.models {
            let mut scenes: Vec<&Scene> = model.supported_scenes.iter().collect();
            let count = scenes.len();
            scenes.dedup_by(|a, b| a == b);
            scenes.sort_by_key(|s| s.as_str().to_string());
            scenes.dedup();
            prop_assert_eq!(scenes.len(), count);
        }
        // The catalogue merged with such a listing still validates without panic.
        let merged = Catalogue::builtin().with_listed(&list.models);
        for model in &list.models {
            let _ = merged.validate(
                &GenerationRequest { model: model.model.clone(), ..Default::default() },
                &MediaType::Image,
            );
        }
    }

    #[test]
    fn the_validator_answers_any_request_without_panic(
        model in prop_oneof![
            3 => prop::sample::select(Catalogue::builtin().models.iter().map(|m| m.model.clone()).collect::<Vec<_>>()),
            1 => any::<String>(),
        ],
        prompt in prop::option::of(any::<String>()),
        scene in prop::option::of(prop_oneof![
            Just(Scene::TextToImage), Just(Scene::ImageToImage), Just(Scene::TextToVideo),
            any::<String>().prop_map(Scene::Other),
        ]),
        options in prop::collection::hash_map(
            prop_oneof![Just("duration".to_string()), Just("aspect_ratio".to_string()),
                        Just("image_input".to_string()), Just("resolution".to_string()), "[a-z_]{1,10}"],
            any_json(), 0..6),
        route in prop_oneof![Just(MediaType::Image), Just(MediaType::Video)],
    ) {
        let request = GenerationRequest {
            model,
            prompt,
            scene,
            options: options.into_iter().collect::<Map<String, Value>>(),
        };
        if let Err(errors) = Catalogue::builtin().validate(&request, &route) {
            prop_assert!(!errors.is_empty());
            for error in errors {
                prop_assert!(!error.message.is_empty());
            }
        }
    }

    #[test]
    fn the_upload_sniffer_answers_any_bytes_without_panic(
        head in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            prop::collection::vec(any::<u8>(), 0..64).prop_map(|mut tail| {
                let mut b = b"\x00\x00\x00\x18ftyp".to_vec();
                b.append(&mut tail);
                b
            }),
            prop::collection::vec(any::<u8>(), 0..5000),
        ]
    ) {
        let _ = cyberbara::upload::sniff(&head);
    }
}

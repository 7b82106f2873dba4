//! `Catalogue::validate` runs on every edit of a generation form in the app, so it must
//! stay far below a frame (16 ms). Run with `cargo bench -p cyberbara --bench validate`;
//! results are recorded in docs/BENCHMARKS.md.

use cyberbara::catalogue::Catalogue;
use cyberbara::types::{GenerationRequest, MediaType, ModelInfo};
use serde_json::{json, Value};

fn main() {
    divan::main();
}

fn request(body: Value) -> GenerationRequest {
    serde_json::from_value(body).expect("bench requests are valid JSON requests")
}

/// Typical form states: a plain prompt, normalised options, a rule-heavy model, a
/// refused request (the error path builds messages), pass-through and a listed model.
fn cases() -> Vec<(&'static str, MediaType, GenerationRequest)> {
    vec![
        (
            "image_text_normalised",
            MediaType::Image,
            request(json!({
                "model": "nano-banana-2",
                "prompt": "A cinematic portrait under neon rain",
                "options": { "resolution": "2k", "output_format": "jpeg", "aspect_ratio": "16:9", "google_search": true }
            })),
        ),
        (
            "video_sora_aliases",
            MediaType::Video,
            request(json!({
                "model": "sora-2-pro",
                "prompt": "A calm drone shot over snowy mountains at sunrise",
                "options": { "n_frames": 15, "size": "high", "aspect_ratio": "portrait" }
            })),
        ),
        (
            "video_veo_reference_rules",
            MediaType::Video,
            request(json!({
                "model": "veo-3.1-fast",
                "prompt": "The same character walks through three cities",
                "options": {
                    "generationType": "REFERENCE_2_VIDEO",
                    "aspect_ratio": "landscape",
                    "image_input": ["https://cdn.example.com/a.png", "https://cdn.example.com/b.png"],
                    "seed": 12345
                }
            })),
        ),
        (
            "video_refused_many_errors",
            MediaType::Video,
            request(json!({
                "model": "seedance-2-preview",
                "prompt": "",
                "scene": "video-to-video",
                "options": { "duration": 7, "aspect_ratio": "2:1", "image_url": "https://cdn.example.com/a.png" }
            })),
        ),
        (
            "video_pass_through",
            MediaType::Video,
            request(json!({
                "model": "kling-video-o1",
                "prompt": "Make it rain",
                "options": { "video_input": ["https://cdn.example.com/v.mp4"], "cfg_scale": 0.5, "mode": "pro" }
            })),
        ),
    ]
}

#[divan::bench(args = ["image_text_normalised", "video_sora_aliases", "video_veo_reference_rules", "video_refused_many_errors", "video_pass_through"])]
fn builtin(bencher: divan::Bencher, name: &str) {
    let catalogue = Catalogue::builtin();
    let (_, route, req) = cases()
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .expect("every arg names a case");
    // A bench of the wrong path would mislead: refused cases must be refused and the
    // others accepted, or the numbers mean nothing.
    let refused = name.contains("refused");
    assert_eq!(
        catalogue.validate(&req, &route).is_err(),
        refused,
        "{name}: {:?}",
        catalogue.validate(&req, &route)
    );
    bencher.bench(|| catalogue.validate(divan::black_box(&req), &route));
}

/// A model only the server lists, through the catalogue the app builds from GET /models.
#[divan::bench]
fn listed_generic_model(bencher: divan::Bencher) {
    let listed: Vec<ModelInfo> = serde_json::from_value(json!([
        { "model": "kling-4.0", "media_type": "video", "supported_scenes": ["text-to-video", "image-to-video"] }
    ]))
    .expect("listed models parse");
    let catalogue = Catalogue::builtin().with_listed(&listed);
    let req = request(json!({
        "model": "kling-4.0",
        "prompt": "A fox in the snow",
        "options": { "duration": 7, "mode": "pro", "sound": true }
    }));
    assert!(catalogue.validate(&req, &MediaType::Video).is_ok());
    bencher.bench(|| catalogue.validate(divan::black_box(&req), &MediaType::Video));
}

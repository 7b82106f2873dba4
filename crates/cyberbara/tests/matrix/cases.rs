//! The request matrix: for every rule of every model in the spec's "Complete Matrix", at
//! least one request the server accepts and one it refuses. `tests/matrix.rs` runs each
//! case against `Catalogue::validate` and against the real sandbox over HTTP.

use cyberbara::types::ErrorCode;
use serde_json::{json, Value};

/// What must hold for an accepted request's normalised form.
#[derive(Debug, Clone)]
pub enum Check {
    /// `options[key] == value` after aliases, normalisation and rules.
    Has(&'static str, Value),
    /// `key` is not sent.
    Absent(&'static str),
    /// `key` is listed in `dropped`.
    Dropped(&'static str),
    /// The decided scene.
    Scene(&'static str),
}

#[derive(Debug, Clone)]
pub enum Expect {
    Accept(Vec<Check>),
    /// The first error's code and field.
    Refuse(ErrorCode, &'static str),
}

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    /// `image`, `video`, `audio` or `music`: the generation route.
    pub route: &'static str,
    pub body: Value,
    pub expect: Expect,
    /// Lengths of referenced videos, by the URL the body names: given to
    /// `Catalogue::validate_with` as `InputFacts`, and over HTTP made real by uploading a
    /// video of that length and sending its URL instead.
    pub lengths: Vec<(&'static str, f64)>,
}

impl Case {
    fn lasting(mut self, url: &'static str, secs: f64) -> Case {
        self.lengths.push((url, secs));
        self
    }
}

fn ok(name: impl Into<String>, route: &'static str, body: Value, checks: Vec<Check>) -> Case {
    Case {
        name: name.into(),
        route,
        body,
        expect: Expect::Accept(checks),
        lengths: Vec::new(),
    }
}

fn bad(
    name: impl Into<String>,
    route: &'static str,
    body: Value,
    code: ErrorCode,
    field: &'static str,
) -> Case {
    Case {
        name: name.into(),
        route,
        body,
        expect: Expect::Refuse(code, field),
        lengths: Vec::new(),
    }
}

use Check::{Absent, Dropped, Has, Scene};
use ErrorCode::{
    InvalidModel, InvalidModelForMediaType, InvalidRequest, InvalidScene, SceneNotSupported,
    UnsupportedModel,
};

const IMG: &str = "https://cdn.example.com/a.png";
const IMG2: &str = "https://cdn.example.com/b.png";
const IMG3: &str = "https://cdn.example.com/c.png";
const VID: &str = "https://cdn.example.com/v.mp4";

fn images(n: usize) -> Value {
    json!((0..n)
        .map(|i| format!("https://cdn.example.com/{i}.png"))
        .collect::<Vec<_>>())
}

fn model_level() -> Vec<Case> {
    vec![
        ok(
            "known image model on the image route",
            "image",
            json!({"model": "nano-banana-pro", "prompt": "p"}),
            vec![Scene("text-to-image")],
        ),
        bad(
            "model missing",
            "image",
            json!({"prompt": "p"}),
            InvalidModel,
            "model",
        ),
        bad(
            "model empty",
            "video",
            json!({"model": "  ", "prompt": "p"}),
            InvalidModel,
            "model",
        ),
        bad(
            "model unknown",
            "video",
            json!({"model": "sora-9", "prompt": "p"}),
            UnsupportedModel,
            "model",
        ),
        bad(
            "video model on the image route",
            "image",
            json!({"model": "sora-2", "prompt": "p"}),
            InvalidModelForMediaType,
            "model",
        ),
        bad(
            "image model on the video route",
            "video",
            json!({"model": "nano-banana-pro", "prompt": "p"}),
            InvalidModelForMediaType,
            "model",
        ),
        bad(
            "scene nobody knows",
            "video",
            json!({"model": "sora-2", "prompt": "p", "scene": "text-to-hologram"}),
            InvalidScene,
            "scene",
        ),
        bad(
            "model error comes before scene error",
            "video",
            json!({"model": "sora-9", "prompt": "p", "scene": "text-to-hologram"}),
            UnsupportedModel,
            "model",
        ),
        bad(
            "explicit scene of another media type",
            "image",
            json!({"model": "nano-banana-2", "prompt": "p", "scene": "text-to-video"}),
            SceneNotSupported,
            "scene",
        ),
        bad(
            "prompt and options both empty",
            "video",
            json!({"model": "sora-2-pro"}),
            InvalidRequest,
            "prompt",
        ),
        bad(
            "whitespace prompt and no options",
            "video",
            json!({"model": "sora-2-pro", "prompt": "   ", "options": {}}),
            InvalidRequest,
            "prompt",
        ),
    ]
}

fn nano_banana(model: &'static str, google: bool) -> Vec<Case> {
    let n = |s: &str| format!("{model}: {s}");
    let mut cases = vec![
        ok(
            n("text-to-image inferred"),
            "image",
            json!({"model": model, "prompt": "p"}),
            vec![Scene("text-to-image")],
        ),
        ok(
            n("image-to-image inferred from image_input"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG]}}),
            vec![Scene("image-to-image"), Has("image_input", json!([IMG]))],
        ),
        bad(
            n("prompt required"),
            "image",
            json!({"model": model, "options": {"resolution": "1K"}}),
            InvalidRequest,
            "prompt",
        ),
        bad(
            n("image-to-image requires image_input"),
            "image",
            json!({"model": model, "prompt": "p", "scene": "image-to-image"}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("image_input must be a list"),
            "image",
            json!({"model": model, "prompt": "p", "scene": "image-to-image", "options": {"image_input": IMG}}),
            InvalidRequest,
            "options.image_input",
        ),
        ok(
            n("image_input ignored for explicit text-to-image"),
            "image",
            json!({"model": model, "prompt": "p", "scene": "text-to-image", "options": {"image_input": [IMG]}}),
            vec![
                Scene("text-to-image"),
                Absent("image_input"),
                Dropped("image_input"),
            ],
        ),
        ok(
            n("aspect_ratio passed through as written"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "21:9"}}),
            vec![Has("aspect_ratio", json!("21:9"))],
        ),
        bad(
            n("aspect_ratio must be non-empty"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": ""}}),
            InvalidRequest,
            "options.aspect_ratio",
        ),
        ok(
            n("resolution 1k normalised"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"resolution": "4k"}}),
            vec![Has("resolution", json!("4K"))],
        ),
        ok(
            n("unlisted resolution passed through"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"resolution": "8K"}}),
            vec![Has("resolution", json!("8K"))],
        ),
        bad(
            n("resolution must be a string"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"resolution": 4}}),
            InvalidRequest,
            "options.resolution",
        ),
        ok(
            n("output_format jpeg becomes jpg"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"output_format": "jpeg"}}),
            vec![Has("output_format", json!("jpg"))],
        ),
        bad(
            n("output_format must be a string"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"output_format": true}}),
            InvalidRequest,
            "options.output_format",
        ),
        ok(
            n("unknown option dropped"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"style": "noir"}}),
            vec![Absent("style"), Dropped("style")],
        ),
        bad(
            n("provider key image_urls refused"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"image_urls": [IMG]}}),
            InvalidRequest,
            "options.image_urls",
        ),
        bad(
            n("provider key imageUrls refused"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"imageUrls": [IMG]}}),
            InvalidRequest,
            "options.imageUrls",
        ),
        bad(
            n("scene video-to-video not supported"),
            "image",
            json!({"model": model, "prompt": "p", "scene": "video-to-video"}),
            SceneNotSupported,
            "scene",
        ),
    ];
    if google {
        cases.push(ok(
            n("google_search boolean"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"google_search": true}}),
            vec![Has("google_search", json!(true))],
        ));
        cases.push(bad(
            n("google_search must be boolean"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"google_search": "yes"}}),
            InvalidRequest,
            "options.google_search",
        ));
    } else {
        cases.push(ok(
            n("google_search is unknown here and dropped"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"google_search": true}}),
            vec![Absent("google_search"), Dropped("google_search")],
        ));
        cases.push(bad(
            n("provider key input_images refused"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"input_images": [IMG]}}),
            InvalidRequest,
            "options.input_images",
        ));
    }
    cases
}

fn sora(model: &'static str, pro: bool) -> Vec<Case> {
    let n = |s: &str| format!("{model}: {s}");
    let mut cases = vec![
        ok(
            n("text-to-video"),
            "video",
            json!({"model": model, "prompt": "p"}),
            vec![Scene("text-to-video")],
        ),
        ok(
            n("image-to-video inferred"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG]}}),
            vec![Scene("image-to-video")],
        ),
        bad(
            n("image-to-video requires image_input"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "image-to-video", "options": {"image_input": []}}),
            InvalidRequest,
            "options.image_input",
        ),
        ok(
            n("image_input ignored for explicit text-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "text-to-video", "options": {"image_input": [IMG]}}),
            vec![Dropped("image_input"), Absent("image_input")],
        ),
        ok(
            n("aspect_ratio portrait"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "portrait"}}),
            vec![Has("aspect_ratio", json!("portrait"))],
        ),
        bad(
            n("aspect_ratio only landscape/portrait"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "16:9"}}),
            InvalidRequest,
            "options.aspect_ratio",
        ),
        ok(
            n("duration as string"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": "15"}}),
            vec![Has("duration", json!("15"))],
        ),
        ok(
            n("duration as number"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": 10}}),
            vec![Has("duration", json!(10))],
        ),
        bad(
            n("duration 12 refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": 12}}),
            InvalidRequest,
            "options.duration",
        ),
        ok(
            n("n_frames alias becomes duration"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"n_frames": "15"}}),
            vec![Has("duration", json!("15")), Absent("n_frames")],
        ),
        bad(
            n("n_frames alias is checked like duration"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"n_frames": 20}}),
            InvalidRequest,
            "options.duration",
        ),
        bad(
            n("duration and n_frames together"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": 10, "n_frames": 10}}),
            InvalidRequest,
            "options.duration",
        ),
        bad(
            n("video-to-video inferred but unsupported"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID]}}),
            SceneNotSupported,
            "scene",
        ),
        bad(
            n("provider key image_url refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_url": IMG}}),
            InvalidRequest,
            "options.image_url",
        ),
        bad(
            n("provider key video_url refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_url": VID}}),
            InvalidRequest,
            "options.video_url",
        ),
    ];
    if pro {
        cases.extend([
            ok(
                n("prompt optional"),
                "video",
                json!({"model": model, "options": {"duration": 10}}),
                vec![Has("duration", json!(10))],
            ),
            ok(
                n("size alias becomes resolution"),
                "video",
                json!({"model": model, "prompt": "p", "options": {"size": "high"}}),
                vec![Has("resolution", json!("high")), Absent("size")],
            ),
            bad(
                n("resolution only standard/high"),
                "video",
                json!({"model": model, "prompt": "p", "options": {"resolution": "4k"}}),
                InvalidRequest,
                "options.resolution",
            ),
            bad(
                n("size alias checked like resolution"),
                "video",
                json!({"model": model, "prompt": "p", "options": {"size": "ultra"}}),
                InvalidRequest,
                "options.resolution",
            ),
            ok(
                n("remove_watermark is unknown here and dropped"),
                "video",
                json!({"model": model, "prompt": "p", "options": {"remove_watermark": false}}),
                vec![Dropped("remove_watermark")],
            ),
        ]);
    } else {
        cases.extend([
            bad(
                n("prompt required"),
                "video",
                json!({"model": model, "options": {"duration": 10}}),
                InvalidRequest,
                "prompt",
            ),
            ok(
                n("remove_watermark boolean"),
                "video",
                json!({"model": model, "prompt": "p", "options": {"remove_watermark": false}}),
                vec![Has("remove_watermark", json!(false))],
            ),
            bad(
                n("remove_watermark must be boolean"),
                "video",
                json!({"model": model, "prompt": "p", "options": {"remove_watermark": "false"}}),
                InvalidRequest,
                "options.remove_watermark",
            ),
            ok(
                n("upload_method oss"),
                "video",
                json!({"model": model, "prompt": "p", "options": {"upload_method": "oss"}}),
                vec![Has("upload_method", json!("oss"))],
            ),
            bad(
                n("upload_method only s3/oss"),
                "video",
                json!({"model": model, "prompt": "p", "options": {"upload_method": "gcs"}}),
                InvalidRequest,
                "options.upload_method",
            ),
            ok(
                n("resolution is unknown here and dropped"),
                "video",
                json!({"model": model, "prompt": "p", "options": {"resolution": "standard"}}),
                vec![Dropped("resolution"), Absent("resolution")],
            ),
        ]);
    }
    cases
}

fn seedance_2(model: &'static str) -> Vec<Case> {
    let n = |s: &str| format!("{model}: {s}");
    vec![
        ok(
            n("text-to-video"),
            "video",
            json!({"model": model, "prompt": "p"}),
            vec![Scene("text-to-video")],
        ),
        bad(
            n("prompt required"),
            "video",
            json!({"model": model, "options": {"duration": 5}}),
            InvalidRequest,
            "prompt",
        ),
        ok(
            n("nine images"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": images(9)}}),
            vec![Scene("image-to-video")],
        ),
        bad(
            n("ten images"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": images(10)}}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("image-to-video requires image_input"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "image-to-video"}),
            InvalidRequest,
            "options.image_input",
        ),
        ok(
            n("video-to-video with one video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID]}}),
            vec![Scene("video-to-video"), Has("video_input", json!([VID]))],
        ),
        bad(
            n("video-to-video with two videos"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID, VID]}}),
            InvalidRequest,
            "options.video_input",
        ),
        bad(
            n("video-to-video requires video_input"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "video-to-video"}),
            InvalidRequest,
            "options.video_input",
        ),
        ok(
            n("image_input ignored for explicit text-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "text-to-video", "options": {"image_input": [IMG]}}),
            vec![Dropped("image_input"), Absent("image_input")],
        ),
        ok(
            n("video_input ignored for explicit image-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "image-to-video", "options": {"image_input": [IMG], "video_input": [VID]}}),
            vec![Dropped("video_input"), Has("image_input", json!([IMG]))],
        ),
        ok(
            n("reference images kept for video-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "video_input": [VID]}}),
            vec![Scene("video-to-video"), Has("image_input", json!([IMG]))],
        ),
        ok(
            n("duration ignored for video-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID], "duration": 7}}),
            vec![Dropped("duration"), Absent("duration")],
        ),
        ok(
            n("duration 15"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": "15"}}),
            vec![Has("duration", json!("15"))],
        ),
        bad(
            n("duration 20 refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": 20}}),
            InvalidRequest,
            "options.duration",
        ),
        ok(
            n("aspect_ratio 3:4"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "3:4"}}),
            vec![Has("aspect_ratio", json!("3:4"))],
        ),
        bad(
            n("aspect_ratio 1:1 refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "1:1"}}),
            InvalidRequest,
            "options.aspect_ratio",
        ),
        ok(
            n("parent_task_id"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"parent_task_id": "2fa99a50"}}),
            vec![Has("parent_task_id", json!("2fa99a50"))],
        ),
        bad(
            n("parent_task_id must be a string"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"parent_task_id": 123}}),
            InvalidRequest,
            "options.parent_task_id",
        ),
        ok(
            n("unknown option dropped"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"camera_fixed": true}}),
            vec![Dropped("camera_fixed")],
        ),
        bad(
            n("provider key video_url refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_url": VID}}),
            InvalidRequest,
            "options.video_url",
        ),
        bad(
            n("video model on the image route"),
            "image",
            json!({"model": model, "prompt": "p"}),
            InvalidModelForMediaType,
            "model",
        ),
    ]
}

fn watermark_remover() -> Vec<Case> {
    let model = "seedance-2-watermark-remover";
    let n = |s: &str| format!("{model}: {s}");
    vec![
        ok(
            n("video_input without prompt"),
            "video",
            json!({"model": model, "options": {"video_input": [VID]}}),
            vec![Scene("video-to-video")],
        ),
        ok(
            n("video_url is its own option here"),
            "video",
            json!({"model": model, "scene": "video-to-video", "options": {"video_url": VID}}),
            vec![Has("video_url", json!(VID))],
        ),
        bad(
            n("video_input or video_url required"),
            "video",
            json!({"model": model, "scene": "video-to-video", "options": {"duration": 8}}),
            InvalidRequest,
            "options.video_input",
        ),
        bad(
            n("only one video"),
            "video",
            json!({"model": model, "options": {"video_input": [VID, VID]}}),
            InvalidRequest,
            "options.video_input",
        ),
        bad(
            n("video_url must be a URL string"),
            "video",
            json!({"model": model, "scene": "video-to-video", "options": {"video_url": 5}}),
            InvalidRequest,
            "options.video_url",
        ),
        ok(
            n("duration hint passed"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "duration": "7"}}),
            vec![Has("duration", json!("7"))],
        ),
        bad(
            n("duration hint must be a string or number"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "duration": false}}),
            InvalidRequest,
            "options.duration",
        ),
        bad(
            n("video_url alone infers text-to-video, which is unsupported"),
            "video",
            json!({"model": model, "options": {"video_url": VID}}),
            SceneNotSupported,
            "scene",
        ),
        ok(
            n("unknown option dropped"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "strength": 3}}),
            vec![Dropped("strength")],
        ),
        bad(
            n("provider key image_url refused"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "image_url": IMG}}),
            InvalidRequest,
            "options.image_url",
        ),
    ]
}

fn seedance_1(model: &'static str, lite: bool) -> Vec<Case> {
    let n = |s: &str| format!("{model}: {s}");
    let mut cases = vec![
        ok(
            n("text-to-video"),
            "video",
            json!({"model": model, "prompt": "p"}),
            vec![Scene("text-to-video")],
        ),
        bad(
            n("prompt required"),
            "video",
            json!({"model": model, "options": {"duration": 5}}),
            InvalidRequest,
            "prompt",
        ),
        ok(
            n("image-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG]}}),
            vec![Scene("image-to-video")],
        ),
        ok(
            n("image_input ignored for explicit text-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "text-to-video", "options": {"image_input": [IMG]}}),
            vec![Dropped("image_input"), Absent("image_input")],
        ),
        bad(
            n("image-to-video requires image_input"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "image-to-video"}),
            InvalidRequest,
            "options.image_input",
        ),
        ok(
            n("unlisted resolution passed through"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"resolution": "2160p"}}),
            vec![Has("resolution", json!("2160p"))],
        ),
        bad(
            n("resolution must be a string"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"resolution": 720}}),
            InvalidRequest,
            "options.resolution",
        ),
        ok(
            n("unlisted duration passed through"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": 7}}),
            vec![Has("duration", json!(7))],
        ),
        bad(
            n("duration must be a string or number"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": true}}),
            InvalidRequest,
            "options.duration",
        ),
        ok(
            n("aspect_ratio used for text-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "4:3"}}),
            vec![Has("aspect_ratio", json!("4:3"))],
        ),
        ok(
            n("aspect_ratio ignored for image-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "aspect_ratio": "4:3"}}),
            vec![Dropped("aspect_ratio"), Absent("aspect_ratio")],
        ),
        bad(
            n("aspect_ratio must be non-empty"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": ""}}),
            InvalidRequest,
            "options.aspect_ratio",
        ),
        ok(
            n("camera_fixed"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"camera_fixed": true}}),
            vec![Has("camera_fixed", json!(true))],
        ),
        bad(
            n("camera_fixed must be boolean"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"camera_fixed": "yes"}}),
            InvalidRequest,
            "options.camera_fixed",
        ),
        ok(
            n("seed -1"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"seed": -1}}),
            vec![Has("seed", json!(-1))],
        ),
        ok(
            n("seed at the top of the range"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"seed": 2147483647i64}}),
            vec![Has("seed", json!(2147483647i64))],
        ),
        bad(
            n("seed below range"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"seed": -2}}),
            InvalidRequest,
            "options.seed",
        ),
        bad(
            n("seed above range"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"seed": 2147483648i64}}),
            InvalidRequest,
            "options.seed",
        ),
        bad(
            n("seed must be an integer"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"seed": 1.5}}),
            InvalidRequest,
            "options.seed",
        ),
        ok(
            n("seeds alias becomes seed"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"seeds": 42}}),
            vec![Has("seed", json!(42)), Absent("seeds")],
        ),
        bad(
            n("seeds alias checked like seed"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"seeds": "42"}}),
            InvalidRequest,
            "options.seed",
        ),
        ok(
            n("enable_safety_checker for text-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"enable_safety_checker": true}}),
            vec![Has("enable_safety_checker", json!(true))],
        ),
        bad(
            n("enable_safety_checker must be boolean"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"enable_safety_checker": "no"}}),
            InvalidRequest,
            "options.enable_safety_checker",
        ),
        bad(
            n("video-to-video unsupported"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "video-to-video"}),
            SceneNotSupported,
            "scene",
        ),
        bad(
            n("provider key image_urls refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_urls": [IMG]}}),
            InvalidRequest,
            "options.image_urls",
        ),
    ];
    if lite {
        cases.extend([
            ok(n("second image becomes end_image_url"), "video",
                json!({"model": model, "prompt": "p", "options": {"image_input": [IMG, IMG2]}}),
                vec![Has("end_image_url", json!(IMG2)), Has("image_input", json!([IMG, IMG2]))]),
            ok(n("explicit end_image_url wins over the second image"), "video",
                json!({"model": model, "prompt": "p", "options": {"image_input": [IMG, IMG2], "end_image_url": IMG3}}),
                vec![Has("end_image_url", json!(IMG3))]),
            ok(n("one image leaves end_image_url unset"), "video",
                json!({"model": model, "prompt": "p", "options": {"image_input": [IMG]}}), vec![Absent("end_image_url")]),
            bad(n("end_image_url must be a URL string"), "video",
                json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "end_image_url": 5}}), InvalidRequest, "options.end_image_url"),
            ok(n("end_image_url ignored for text-to-video"), "video",
                json!({"model": model, "prompt": "p", "options": {"end_image_url": IMG}}), vec![Dropped("end_image_url")]),
            ok(n("enable_safety_checker ignored for image-to-video"), "video",
                json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "enable_safety_checker": "no"}}),
                vec![Dropped("enable_safety_checker")]),
        ]);
    } else {
        cases.extend([
            ok(n("enable_safety_checker also for image-to-video"), "video",
                json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "enable_safety_checker": false}}),
                vec![Has("enable_safety_checker", json!(false))]),
            ok(n("end_image_url is unknown here and dropped"), "video",
                json!({"model": model, "prompt": "p", "options": {"image_input": [IMG, IMG2], "end_image_url": IMG2}}),
                vec![Dropped("end_image_url"), Absent("end_image_url")]),
        ]);
    }
    cases
}

fn seedance_1_pro_fast() -> Vec<Case> {
    let model = "seedance-1-pro-fast";
    let n = |s: &str| format!("{model}: {s}");
    vec![
        ok(
            n("image-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG]}}),
            vec![Scene("image-to-video")],
        ),
        bad(
            n("text-to-video inferred but unsupported"),
            "video",
            json!({"model": model, "prompt": "p"}),
            SceneNotSupported,
            "scene",
        ),
        bad(
            n("image-to-video requires image_input"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "image-to-video"}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("image_input must be a list of strings"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [5]}}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("prompt required"),
            "video",
            json!({"model": model, "options": {"image_input": [IMG]}}),
            InvalidRequest,
            "prompt",
        ),
        ok(
            n("unlisted resolution passed through"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "resolution": "1440p"}}),
            vec![Has("resolution", json!("1440p"))],
        ),
        bad(
            n("resolution must be a string"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "resolution": false}}),
            InvalidRequest,
            "options.resolution",
        ),
        ok(
            n("duration 10"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "duration": "10"}}),
            vec![Has("duration", json!("10"))],
        ),
        bad(
            n("duration must be a string or number"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "duration": []}}),
            InvalidRequest,
            "options.duration",
        ),
        ok(
            n("aspect_ratio is unknown here and dropped"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "aspect_ratio": "16:9"}}),
            vec![Dropped("aspect_ratio")],
        ),
        bad(
            n("provider key imageUrls refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "imageUrls": [IMG]}}),
            InvalidRequest,
            "options.imageUrls",
        ),
    ]
}

fn kling_26() -> Vec<Case> {
    let model = "kling-2.6";
    let n = |s: &str| format!("{model}: {s}");
    vec![
        ok(
            n("text-to-video"),
            "video",
            json!({"model": model, "prompt": "p"}),
            vec![Scene("text-to-video")],
        ),
        bad(
            n("prompt required"),
            "video",
            json!({"model": model, "options": {"sound": true}}),
            InvalidRequest,
            "prompt",
        ),
        ok(
            n("image-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG]}}),
            vec![Scene("image-to-video")],
        ),
        ok(
            n("image_input ignored for explicit text-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "text-to-video", "options": {"image_input": [IMG]}}),
            vec![Dropped("image_input"), Absent("image_input")],
        ),
        bad(
            n("image-to-video requires image_input"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "image-to-video"}),
            InvalidRequest,
            "options.image_input",
        ),
        ok(
            n("duration 10"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": "10"}}),
            vec![Has("duration", json!("10"))],
        ),
        bad(
            n("duration 15 refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": 15}}),
            InvalidRequest,
            "options.duration",
        ),
        ok(
            n("sound"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"sound": true}}),
            vec![Has("sound", json!(true))],
        ),
        bad(
            n("sound must be boolean"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"sound": "true"}}),
            InvalidRequest,
            "options.sound",
        ),
        ok(
            n("aspect_ratio 1:1"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "1:1"}}),
            vec![Has("aspect_ratio", json!("1:1"))],
        ),
        bad(
            n("aspect_ratio 4:3 refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "4:3"}}),
            InvalidRequest,
            "options.aspect_ratio",
        ),
        ok(
            n("aspect_ratio ignored for image-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "aspect_ratio": "4:3"}}),
            vec![Dropped("aspect_ratio")],
        ),
        ok(
            n("unknown option dropped"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"mode": "pro"}}),
            vec![Dropped("mode"), Absent("mode")],
        ),
        bad(
            n("video-to-video inferred but unsupported"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID]}}),
            SceneNotSupported,
            "scene",
        ),
        bad(
            n("provider key input_images refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"input_images": [IMG]}}),
            InvalidRequest,
            "options.input_images",
        ),
    ]
}

fn veo(model: &'static str, reference: bool) -> Vec<Case> {
    let n = |s: &str| format!("{model}: {s}");
    let mut cases = vec![
        ok(
            n("no images infers TEXT_2_VIDEO"),
            "video",
            json!({"model": model, "prompt": "p"}),
            vec![
                Scene("text-to-video"),
                Has("generationType", json!("TEXT_2_VIDEO")),
            ],
        ),
        bad(
            n("prompt required"),
            "video",
            json!({"model": model, "options": {"seed": 12345}}),
            InvalidRequest,
            "prompt",
        ),
        ok(
            n("two images infer FIRST_AND_LAST_FRAMES_2_VIDEO"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG, IMG2]}}),
            vec![
                Scene("image-to-video"),
                Has("generationType", json!("FIRST_AND_LAST_FRAMES_2_VIDEO")),
            ],
        ),
        bad(
            n("image-to-video requires image_input"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "image-to-video"}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("unknown generationType refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"generationType": "IMAGE_2_VIDEO"}}),
            InvalidRequest,
            "options.generationType",
        ),
        ok(
            n("TEXT_2_VIDEO with no images"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"generationType": "TEXT_2_VIDEO"}}),
            vec![Has("generationType", json!("TEXT_2_VIDEO"))],
        ),
        bad(
            n("TEXT_2_VIDEO with an image"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"generationType": "TEXT_2_VIDEO", "image_input": [IMG]}}),
            InvalidRequest,
            "options.image_input",
        ),
        ok(
            n("FIRST_AND_LAST_FRAMES_2_VIDEO with one image"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"generationType": "FIRST_AND_LAST_FRAMES_2_VIDEO", "image_input": [IMG]}}),
            vec![Has(
                "generationType",
                json!("FIRST_AND_LAST_FRAMES_2_VIDEO"),
            )],
        ),
        bad(
            n("FIRST_AND_LAST_FRAMES_2_VIDEO with three images"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"generationType": "FIRST_AND_LAST_FRAMES_2_VIDEO", "image_input": images(3)}}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("FIRST_AND_LAST_FRAMES_2_VIDEO with no images"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"generationType": "FIRST_AND_LAST_FRAMES_2_VIDEO"}}),
            InvalidRequest,
            "options.image_input",
        ),
        ok(
            n("landscape becomes 16:9"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "landscape"}}),
            vec![Has("aspect_ratio", json!("16:9"))],
        ),
        ok(
            n("portrait becomes 9:16"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "portrait"}}),
            vec![Has("aspect_ratio", json!("9:16"))],
        ),
        ok(
            n("aspect_ratio Auto"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "Auto"}}),
            vec![Has("aspect_ratio", json!("Auto"))],
        ),
        bad(
            n("aspect_ratio 4:3 refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "4:3"}}),
            InvalidRequest,
            "options.aspect_ratio",
        ),
        ok(
            n("seed at the bottom of the range"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"seed": 10000}}),
            vec![Has("seed", json!(10000))],
        ),
        ok(
            n("seeds alias at the top of the range"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"seeds": 99999}}),
            vec![Has("seed", json!(99999)), Absent("seeds")],
        ),
        bad(
            n("seed below range"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"seed": 9999}}),
            InvalidRequest,
            "options.seed",
        ),
        bad(
            n("seeds alias above range"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"seeds": 100000}}),
            InvalidRequest,
            "options.seed",
        ),
        ok(
            n("enableTranslation"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"enableTranslation": false}}),
            vec![Has("enableTranslation", json!(false))],
        ),
        bad(
            n("enableTranslation must be boolean"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"enableTranslation": "yes"}}),
            InvalidRequest,
            "options.enableTranslation",
        ),
        ok(
            n("watermark text"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"watermark": "Studio"}}),
            vec![Has("watermark", json!("Studio"))],
        ),
        bad(
            n("watermark must be non-empty"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"watermark": ""}}),
            InvalidRequest,
            "options.watermark",
        ),
        ok(
            n("unknown option dropped"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": 8}}),
            vec![Dropped("duration"), Absent("duration")],
        ),
        bad(
            n("provider key image_url refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_url": IMG}}),
            InvalidRequest,
            "options.image_url",
        ),
        bad(
            n("video-to-video unsupported"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "video-to-video", "options": {"video_input": [VID]}}),
            SceneNotSupported,
            "scene",
        ),
    ];
    if reference {
        cases.extend([
            ok(n("three images infer REFERENCE_2_VIDEO"), "video",
                json!({"model": model, "prompt": "p", "options": {"image_input": images(3)}}), vec![Has("generationType", json!("REFERENCE_2_VIDEO"))]),
            ok(n("REFERENCE_2_VIDEO with one image"), "video",
                json!({"model": model, "prompt": "p", "options": {"generationType": "REFERENCE_2_VIDEO", "image_input": [IMG]}}), vec![Has("generationType", json!("REFERENCE_2_VIDEO"))]),
            bad(n("REFERENCE_2_VIDEO with four images"), "video",
                json!({"model": model, "prompt": "p", "options": {"generationType": "REFERENCE_2_VIDEO", "image_input": images(4)}}), InvalidRequest, "options.image_input"),
            bad(n("four images fit no generationType"), "video",
                json!({"model": model, "prompt": "p", "options": {"image_input": images(4)}}), InvalidRequest, "options.image_input"),
            ok(n("REFERENCE_2_VIDEO with landscape (16:9)"), "video",
                json!({"model": model, "prompt": "p", "options": {"generationType": "REFERENCE_2_VIDEO", "image_input": [IMG], "aspect_ratio": "landscape"}}),
                vec![Has("aspect_ratio", json!("16:9"))]),
            bad(n("REFERENCE_2_VIDEO only allows 16:9"), "video",
                json!({"model": model, "prompt": "p", "options": {"generationType": "REFERENCE_2_VIDEO", "image_input": [IMG], "aspect_ratio": "9:16"}}), InvalidRequest, "options.aspect_ratio"),
            bad(n("inferred REFERENCE_2_VIDEO only allows 16:9"), "video",
                json!({"model": model, "prompt": "p", "options": {"image_input": images(3), "aspect_ratio": "portrait"}}), InvalidRequest, "options.aspect_ratio"),
        ]);
    } else {
        cases.extend([
            bad(n("REFERENCE_2_VIDEO not supported"), "video",
                json!({"model": model, "prompt": "p", "options": {"generationType": "REFERENCE_2_VIDEO", "image_input": [IMG]}}), InvalidRequest, "options.generationType"),
            bad(n("three images fit no generationType"), "video",
                json!({"model": model, "prompt": "p", "options": {"image_input": images(3)}}), InvalidRequest, "options.image_input"),
            ok(n("9:16 with first and last frames"), "video",
                json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "aspect_ratio": "9:16"}}), vec![Has("aspect_ratio", json!("9:16"))]),
        ]);
    }
    cases
}

fn kling_o1() -> Vec<Case> {
    let model = "kling-video-o1";
    let n = |s: &str| format!("{model}: {s}");
    vec![
        ok(
            n("video-to-video inferred, extra keys forwarded"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID], "mode": "pro", "keep_audio": true, "camera": {"pan": 1}}}),
            vec![
                Scene("video-to-video"),
                Has("mode", json!("pro")),
                Has("keep_audio", json!(true)),
                Has("camera", json!({"pan": 1})),
            ],
        ),
        ok(
            n("optional reference images forwarded"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID], "image_input": [IMG]}}),
            vec![Has("image_input", json!([IMG]))],
        ),
        bad(
            n("image_input must be a list"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID], "image_input": IMG}}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("video_input must be a list"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "video-to-video", "options": {"video_input": VID}}),
            InvalidRequest,
            "options.video_input",
        ),
        bad(
            n("prompt required"),
            "video",
            json!({"model": model, "options": {"video_input": [VID]}}),
            InvalidRequest,
            "prompt",
        ),
        bad(
            n("text-to-video inferred but unsupported"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"mode": "pro"}}),
            SceneNotSupported,
            "scene",
        ),
        bad(
            n("provider key image_url refused even when passing through"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID], "image_url": IMG}}),
            InvalidRequest,
            "options.image_url",
        ),
    ]
}

/// Every case, model-level ones first.
pub fn all() -> Vec<Case> {
    let mut cases = model_level();
    cases.extend(nano_banana("nano-banana-2", true));
    cases.extend(nano_banana("nano-banana-pro", false));
    cases.extend(sora("sora-2", false));
    cases.extend(sora("sora-2-pro", true));
    cases.extend(seedance_2("seedance-2-preview"));
    cases.extend(seedance_2("seedance-2-fast-preview"));
    cases.extend(watermark_remover());
    cases.extend(seedance_1("seedance-1-pro", false));
    cases.extend(seedance_1("seedance-1-lite", true));
    cases.extend(seedance_1_pro_fast());
    cases.extend(kling_26());
    cases.extend(veo("veo-3.1-fast", true));
    cases.extend(veo("veo-3.1-quality", false));
    cases.extend(kling_o1());
    cases.extend(midjourney());
    cases.extend(seedance_2_ga("seedance-2"));
    cases.extend(seedance_2_ga("seedance-2-fast"));
    cases.extend(kling_3());
    cases.extend(motion_control());
    cases.extend(suno_sound("suno-sound-v5"));
    cases.extend(suno_sound("suno-sound-v5-5"));
    cases.extend(suno_music());
    cases
}

const AUD: &str = "https://cdn.example.com/a.mp3";
const VID2: &str = "https://cdn.example.com/w.mp4";
/// Reference videos whose lengths the cases state (see `Case::lengths`).
const VID_4S: &str = "https://cdn.example.com/four-seconds.mp4";
const VID_8S: &str = "https://cdn.example.com/eight-seconds.mp4";
const VID_12S: &str = "https://cdn.example.com/twelve-seconds.mp4";
const VID_16S: &str = "https://cdn.example.com/sixteen-seconds.mp4";

fn audios(n: usize) -> Value {
    json!((0..n)
        .map(|i| format!("https://cdn.example.com/{i}.mp3"))
        .collect::<Vec<_>>())
}

fn midjourney() -> Vec<Case> {
    let model = "midjourney-v7";
    let n = |s: &str| format!("{model}: {s}");
    vec![
        ok(
            n("text-to-image inferred"),
            "image",
            json!({"model": model, "prompt": "p"}),
            vec![Scene("text-to-image"), Absent("aspect_ratio")],
        ),
        ok(
            n("image prompts infer image-to-image"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "image_weight": 1.5}}),
            vec![
                Scene("image-to-image"),
                Has("image_input", json!([IMG])),
                Has("image_weight", json!(1.5)),
            ],
        ),
        ok(
            n("explicit text-to-image keeps the image prompts"),
            "image",
            json!({"model": model, "prompt": "p", "scene": "text-to-image", "options": {"image_input": [IMG, IMG2]}}),
            vec![
                Scene("text-to-image"),
                Has("image_input", json!([IMG, IMG2])),
            ],
        ),
        ok(
            n("a style reference leaves the scene text-to-image; its first URL is used"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"style_reference_input": [IMG, IMG2], "style_reference_weight": 0}}),
            vec![
                Scene("text-to-image"),
                Has("style_reference_input", json!([IMG])),
                Has("style_reference_weight", json!(0)),
            ],
        ),
        ok(
            n("an omni reference leaves the scene text-to-image; its first URL is used"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"omni_reference_input": [IMG2, IMG3], "omni_reference_weight": 400}}),
            vec![
                Scene("text-to-image"),
                Has("omni_reference_input", json!([IMG2])),
                Has("omni_reference_weight", json!(400)),
            ],
        ),
        ok(
            n("references beside image prompts: image-to-image"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "omni_reference_input": [IMG2]}}),
            vec![Scene("image-to-image")],
        ),
        ok(
            n("aspect_ratio 2:3 kept"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "2:3"}}),
            vec![Has("aspect_ratio", json!("2:3"))],
        ),
        ok(
            n("an invalid aspect_ratio becomes 1:1"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "wide"}}),
            vec![Has("aspect_ratio", json!("1:1"))],
        ),
        ok(
            n("a non-string aspect_ratio becomes 1:1"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": 1.5}}),
            vec![Has("aspect_ratio", json!("1:1"))],
        ),
        ok(
            n("unknown options forwarded"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"stylize": 250, "chaos": 10}}),
            vec![Has("stylize", json!(250)), Has("chaos", json!(10))],
        ),
        bad(
            n("prompt required"),
            "image",
            json!({"model": model, "options": {"aspect_ratio": "1:1"}}),
            InvalidRequest,
            "prompt",
        ),
        bad(
            n("image-to-image requires image_input"),
            "image",
            json!({"model": model, "prompt": "p", "scene": "image-to-image", "options": {"style_reference_input": [IMG]}}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("image_input must be a list"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"image_input": IMG}}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("image_weight below 0"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "image_weight": -1}}),
            InvalidRequest,
            "options.image_weight",
        ),
        bad(
            n("style_reference_input must be a list"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"style_reference_input": IMG}}),
            InvalidRequest,
            "options.style_reference_input",
        ),
        bad(
            n("style_reference_weight below 0"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"style_reference_weight": -0.5}}),
            InvalidRequest,
            "options.style_reference_weight",
        ),
        bad(
            n("omni_reference_input must hold URLs"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"omni_reference_input": [42]}}),
            InvalidRequest,
            "options.omni_reference_input",
        ),
        bad(
            n("omni_reference_weight must be a number"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"omni_reference_weight": "high"}}),
            InvalidRequest,
            "options.omni_reference_weight",
        ),
        bad(
            n("provider key image_url refused even when passing through"),
            "image",
            json!({"model": model, "prompt": "p", "options": {"image_url": IMG}}),
            InvalidRequest,
            "options.image_url",
        ),
        bad(
            n("image model on the video route"),
            "video",
            json!({"model": model, "prompt": "p"}),
            InvalidModelForMediaType,
            "model",
        ),
        bad(
            n("a video scene is refused"),
            "image",
            json!({"model": model, "prompt": "p", "scene": "image-to-video"}),
            SceneNotSupported,
            "scene",
        ),
    ]
}

fn seedance_2_ga(model: &'static str) -> Vec<Case> {
    let n = |s: &str| format!("{model}: {s}");
    vec![
        ok(
            n("text-to-video, mode inferred"),
            "video",
            json!({"model": model, "prompt": "p"}),
            vec![Scene("text-to-video"), Has("mode", json!("text_to_video"))],
        ),
        ok(
            n("one image: first_last_frames"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG]}}),
            vec![
                Scene("image-to-video"),
                Has("mode", json!("first_last_frames")),
            ],
        ),
        ok(
            n("two images: first_last_frames"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG, IMG2]}}),
            vec![Has("mode", json!("first_last_frames"))],
        ),
        ok(
            n("three images: omni_reference"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG, IMG2, IMG3]}}),
            vec![
                Scene("image-to-video"),
                Has("mode", json!("omni_reference")),
            ],
        ),
        ok(
            n("twelve images"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": images(12)}}),
            vec![Has("mode", json!("omni_reference"))],
        ),
        ok(
            n("eleven images and one audio: twelve references together"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": images(11), "audio_input": [AUD]}}),
            vec![
                Has("mode", json!("omni_reference")),
                Has("audio_input", json!([AUD])),
            ],
        ),
        ok(
            n("one image and one audio: omni_reference"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "audio_input": [AUD]}}),
            vec![
                Scene("image-to-video"),
                Has("mode", json!("omni_reference")),
            ],
        ),
        ok(
            n("one video: video-to-video, omni_reference"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID]}}),
            vec![
                Scene("video-to-video"),
                Has("mode", json!("omni_reference")),
                Has("video_input", json!([VID])),
            ],
        ),
        ok(
            n("a video with audio and images"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID], "audio_input": audios(2), "image_input": [IMG]}}),
            vec![Scene("video-to-video"), Has("audio_input", audios(2))],
        ),
        ok(
            n("explicit omni_reference with one image"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "mode": "omni_reference"}}),
            vec![Has("mode", json!("omni_reference"))],
        ),
        ok(
            n("duration 15 is the output length of a video edit"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID], "duration": 15}}),
            vec![Has("duration", json!(15))],
        ),
        ok(
            n("duration 4"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": 4}}),
            vec![Has("duration", json!(4))],
        ),
        ok(
            n("aspect_ratio 21:9"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "21:9"}}),
            vec![Has("aspect_ratio", json!("21:9"))],
        ),
        ok(
            n("a 4 s reference video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID_4S]}}),
            vec![Scene("video-to-video")],
        )
        .lasting(VID_4S, 4.0),
        ok(
            n("image_input ignored for explicit text-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "text-to-video", "options": {"image_input": [IMG]}}),
            vec![Dropped("image_input"), Has("mode", json!("text_to_video"))],
        ),
        ok(
            n("video_input ignored for explicit image-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "image-to-video", "options": {"image_input": [IMG], "video_input": [VID]}}),
            vec![
                Dropped("video_input"),
                Has("mode", json!("first_last_frames")),
            ],
        ),
        ok(
            n("unknown option dropped"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"camera_fixed": true, "parent_task_id": "t"}}),
            vec![Dropped("camera_fixed"), Dropped("parent_task_id")],
        ),
        bad(
            n("prompt required"),
            "video",
            json!({"model": model, "options": {"duration": 5}}),
            InvalidRequest,
            "prompt",
        ),
        bad(
            n("thirteen images"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": images(13)}}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("twelve images and one audio: thirteen references together"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": images(12), "audio_input": [AUD]}}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("audio_input alone"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"audio_input": [AUD]}}),
            InvalidRequest,
            "options.audio_input",
        ),
        bad(
            n("audio_input alone once explicit text-to-video drops the images"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "text-to-video", "options": {"image_input": [IMG], "audio_input": [AUD]}}),
            InvalidRequest,
            "options.audio_input",
        ),
        bad(
            n("audio_input must be a list"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "audio_input": AUD}}),
            InvalidRequest,
            "options.audio_input",
        ),
        bad(
            n("two videos"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID, VID2]}}),
            InvalidRequest,
            "options.video_input",
        ),
        bad(
            n("video-to-video requires video_input"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "video-to-video", "options": {"image_input": [IMG]}}),
            InvalidRequest,
            "options.video_input",
        ),
        bad(
            n("image-to-video requires image_input"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "image-to-video"}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("a 16 s reference video is over 15.4 s"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID_16S]}}),
            InvalidRequest,
            "options.video_input",
        )
        .lasting(VID_16S, 16.0),
        bad(
            n("first_last_frames with three images"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG, IMG2, IMG3], "mode": "first_last_frames"}}),
            InvalidRequest,
            "options.mode",
        ),
        bad(
            n("text_to_video with an image"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG], "mode": "text_to_video"}}),
            InvalidRequest,
            "options.mode",
        ),
        bad(
            n("omni_reference without references"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"mode": "omni_reference"}}),
            InvalidRequest,
            "options.mode",
        ),
        bad(
            n("first_last_frames with a video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID], "image_input": [IMG], "mode": "first_last_frames"}}),
            InvalidRequest,
            "options.mode",
        ),
        bad(
            n("mode outside the list"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"mode": "motion"}}),
            InvalidRequest,
            "options.mode",
        ),
        bad(
            n("duration 3"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": 3}}),
            InvalidRequest,
            "options.duration",
        ),
        bad(
            n("duration 16"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": 16}}),
            InvalidRequest,
            "options.duration",
        ),
        bad(
            n("duration must be a whole number"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": 4.5}}),
            InvalidRequest,
            "options.duration",
        ),
        bad(
            n("aspect_ratio 5:4 refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "5:4"}}),
            InvalidRequest,
            "options.aspect_ratio",
        ),
        bad(
            n("provider key image_urls refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_urls": [IMG]}}),
            InvalidRequest,
            "options.image_urls",
        ),
        bad(
            n("video model on the image route"),
            "image",
            json!({"model": model, "prompt": "p"}),
            InvalidModelForMediaType,
            "model",
        ),
    ]
}

fn kling_3() -> Vec<Case> {
    let model = "kling-3.0";
    let n = |s: &str| format!("{model}: {s}");
    let mut cases = vec![
        ok(
            n("text-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"sound": true, "mode": "pro", "aspect_ratio": "9:16"}}),
            vec![
                Scene("text-to-video"),
                Has("sound", json!(true)),
                Has("mode", json!("pro")),
                Has("aspect_ratio", json!("9:16")),
            ],
        ),
        ok(
            n("image-to-video inferred"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": [IMG]}}),
            vec![Scene("image-to-video"), Has("image_input", json!([IMG]))],
        ),
        ok(
            n("images route to image-to-video even when text-to-video is given"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "text-to-video", "options": {"image_input": [IMG]}}),
            vec![Scene("image-to-video"), Has("image_input", json!([IMG]))],
        ),
        ok(
            n("an empty image list stays text-to-video"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "text-to-video", "options": {"image_input": []}}),
            vec![Scene("text-to-video")],
        ),
        ok(
            n("unknown option dropped"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"camera_fixed": true}}),
            vec![Dropped("camera_fixed")],
        ),
        bad(
            n("prompt required"),
            "video",
            json!({"model": model, "options": {"sound": true}}),
            InvalidRequest,
            "prompt",
        ),
        bad(
            n("image-to-video requires image_input"),
            "video",
            json!({"model": model, "prompt": "p", "scene": "image-to-video"}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("image_input must be a list"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"image_input": IMG}}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("duration must be a number"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": "ten"}}),
            InvalidRequest,
            "options.duration",
        ),
        bad(
            n("sound must be a boolean"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"sound": "yes"}}),
            InvalidRequest,
            "options.sound",
        ),
        bad(
            n("mode master refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"mode": "master"}}),
            InvalidRequest,
            "options.mode",
        ),
        bad(
            n("aspect_ratio 4:3 refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"aspect_ratio": "4:3"}}),
            InvalidRequest,
            "options.aspect_ratio",
        ),
        bad(
            n("video-to-video inferred but unsupported"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID]}}),
            SceneNotSupported,
            "scene",
        ),
        bad(
            n("provider key input_images refused"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"input_images": [IMG]}}),
            InvalidRequest,
            "options.input_images",
        ),
    ];
    for (sent, sent_label, kept) in [
        (json!(7.4), "7.4", 7),
        (json!("12"), "\"12\"", 12),
        (json!(15.4), "15.4", 15),
        (json!(2.6), "2.6", 3),
    ] {
        cases.push(ok(
            n(&format!("duration {sent_label} rounds to {kept}")),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": sent}}),
            vec![Has("duration", json!(kept))],
        ));
    }
    for (sent, label) in [
        (json!(15.6), "15.6"),
        (json!(2.4), "2.4"),
        (json!(20), "20"),
    ] {
        cases.push(bad(
            n(&format!("duration {label} rounds outside 3-15")),
            "video",
            json!({"model": model, "prompt": "p", "options": {"duration": sent}}),
            InvalidRequest,
            "options.duration",
        ));
    }
    cases
}

fn motion_control() -> Vec<Case> {
    let model = "kling-3.0-motion-control";
    let n = |s: &str| format!("{model}: {s}");
    vec![
        ok(
            n("a video and an image, no prompt"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "image_input": [IMG]}}),
            vec![Scene("video-to-video"), Has("video_input", json!([VID])), Has("image_input", json!([IMG]))],
        ),
        ok(
            n("1080p, image orientation, a 9.5 s video declared"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID], "image_input": [IMG, IMG2], "mode": "1080p", "character_orientation": "image", "input_video_duration": 9.5}}),
            vec![Has("mode", json!("1080p")), Has("character_orientation", json!("image")), Has("input_video_duration", json!(9.5))],
        ),
        ok(
            n("only the first video is the motion reference"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID, VID2], "image_input": [IMG]}}),
            vec![Has("video_input", json!([VID]))],
        ),
        ok(
            n("video orientation (the default) takes 30 s"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID], "image_input": [IMG], "input_video_duration": 30}}),
            vec![Has("input_video_duration", json!(30))],
        ),
        ok(
            n("an 8 s video with image orientation"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID_8S], "image_input": [IMG], "character_orientation": "image"}}),
            vec![Scene("video-to-video")],
        )
        .lasting(VID_8S, 8.0),
        ok(
            n("a 12 s video with video orientation"),
            "video",
            json!({"model": model, "prompt": "p", "options": {"video_input": [VID_12S], "image_input": [IMG], "character_orientation": "video"}}),
            vec![Has("character_orientation", json!("video"))],
        )
        .lasting(VID_12S, 12.0),
        ok(
            n("unknown option dropped"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "image_input": [IMG], "duration": 5}}),
            vec![Dropped("duration")],
        ),
        bad(
            n("prompt and options both empty"),
            "video",
            json!({"model": model, "scene": "video-to-video"}),
            InvalidRequest,
            "prompt",
        ),
        bad(
            n("video_input required"),
            "video",
            json!({"model": model, "scene": "video-to-video", "options": {"image_input": [IMG]}}),
            InvalidRequest,
            "options.video_input",
        ),
        bad(
            n("video_input must be a list"),
            "video",
            json!({"model": model, "scene": "video-to-video", "options": {"video_input": VID, "image_input": [IMG]}}),
            InvalidRequest,
            "options.video_input",
        ),
        bad(
            n("image_input required"),
            "video",
            json!({"model": model, "options": {"video_input": [VID]}}),
            InvalidRequest,
            "options.image_input",
        ),
        bad(
            n("an image alone is image-to-video, which it does not do"),
            "video",
            json!({"model": model, "options": {"image_input": [IMG]}}),
            SceneNotSupported,
            "scene",
        ),
        bad(
            n("mode 4k refused"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "image_input": [IMG], "mode": "4k"}}),
            InvalidRequest,
            "options.mode",
        ),
        bad(
            n("character_orientation left refused"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "image_input": [IMG], "character_orientation": "left"}}),
            InvalidRequest,
            "options.character_orientation",
        ),
        bad(
            n("input_video_duration 0"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "image_input": [IMG], "input_video_duration": 0}}),
            InvalidRequest,
            "options.input_video_duration",
        ),
        bad(
            n("input_video_duration as text"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "image_input": [IMG], "input_video_duration": "12"}}),
            InvalidRequest,
            "options.input_video_duration",
        ),
        bad(
            n("a declared 12 s video with image orientation"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "image_input": [IMG], "character_orientation": "image", "input_video_duration": 12}}),
            InvalidRequest,
            "options.input_video_duration",
        ),
        bad(
            n("a declared 31 s video with the default orientation"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "image_input": [IMG], "input_video_duration": 31}}),
            InvalidRequest,
            "options.input_video_duration",
        ),
        bad(
            n("a 12 s video with image orientation"),
            "video",
            json!({"model": model, "options": {"video_input": [VID_12S], "image_input": [IMG], "character_orientation": "image"}}),
            InvalidRequest,
            "options.video_input",
        )
        .lasting(VID_12S, 12.0),
        bad(
            n("provider key image_url refused"),
            "video",
            json!({"model": model, "options": {"video_input": [VID], "image_input": [IMG], "image_url": IMG}}),
            InvalidRequest,
            "options.image_url",
        ),
        bad(
            n("video model on the image route"),
            "image",
            json!({"model": model, "options": {"video_input": [VID], "image_input": [IMG]}}),
            InvalidModelForMediaType,
            "model",
        ),
    ]
}

fn suno_sound(model: &'static str) -> Vec<Case> {
    let n = |s: &str| format!("{model}: {s}");
    vec![
        ok(
            n("text-to-audio inferred"),
            "audio",
            json!({"model": model, "prompt": "rain on a tin roof"}),
            vec![Scene("text-to-audio")],
        ),
        ok(
            n("loop and a length"),
            "audio",
            json!({"model": model, "prompt": "p", "options": {"loop": true, "duration": 12.5}}),
            vec![Has("loop", json!(true)), Has("duration", json!(12.5))],
        ),
        ok(
            n("unknown options forwarded"),
            "audio",
            json!({"model": model, "prompt": "p", "scene": "text-to-audio", "options": {"loop": false, "tags": "rain"}}),
            vec![Has("tags", json!("rain")), Has("loop", json!(false))],
        ),
        bad(
            n("prompt required"),
            "audio",
            json!({"model": model, "options": {"loop": true}}),
            InvalidRequest,
            "prompt",
        ),
        bad(
            n("loop must be a boolean"),
            "audio",
            json!({"model": model, "prompt": "p", "options": {"loop": "no"}}),
            InvalidRequest,
            "options.loop",
        ),
        bad(
            n("duration under 1 s"),
            "audio",
            json!({"model": model, "prompt": "p", "options": {"duration": 0.5}}),
            InvalidRequest,
            "options.duration",
        ),
        bad(
            n("duration over 30 s"),
            "audio",
            json!({"model": model, "prompt": "p", "options": {"duration": 31}}),
            InvalidRequest,
            "options.duration",
        ),
        bad(
            n("provider key image_url refused"),
            "audio",
            json!({"model": model, "prompt": "p", "options": {"image_url": IMG}}),
            InvalidRequest,
            "options.image_url",
        ),
        bad(
            n("audio model on the music route"),
            "music",
            json!({"model": model, "prompt": "p"}),
            InvalidModelForMediaType,
            "model",
        ),
        bad(
            n("a music scene is refused"),
            "audio",
            json!({"model": model, "prompt": "p", "scene": "text-to-music"}),
            SceneNotSupported,
            "scene",
        ),
    ]
}

fn suno_music() -> Vec<Case> {
    let model = "suno-music-v5";
    let n = |s: &str| format!("{model}: {s}");
    vec![
        ok(
            n("text-to-music inferred"),
            "music",
            json!({"model": model, "prompt": "lofi beats to study to"}),
            vec![Scene("text-to-music")],
        ),
        ok(
            n("instrumental and a length"),
            "music",
            json!({"model": model, "prompt": "p", "options": {"instrumental": true, "duration": 120}}),
            vec![
                Has("instrumental", json!(true)),
                Has("duration", json!(120)),
            ],
        ),
        ok(
            n("a full custom payload needs no prompt"),
            "music",
            json!({"model": model, "options": {"custom_mode": true, "title": "Rain", "style": "lo-fi, piano", "lyrics": "drip drop"}}),
            vec![
                Has("title", json!("Rain")),
                Has("style", json!("lo-fi, piano")),
                Has("lyrics", json!("drip drop")),
                Has("custom_mode", json!(true)),
            ],
        ),
        ok(
            n("a custom instrumental needs no lyrics and no prompt"),
            "music",
            json!({"model": model, "options": {"custom_mode": true, "title": "Rain", "style": "ambient", "instrumental": true}}),
            vec![Scene("text-to-music"), Absent("lyrics")],
        ),
        ok(
            n("unknown options forwarded"),
            "music",
            json!({"model": model, "prompt": "p", "options": {"negative_tags": "metal"}}),
            vec![Has("negative_tags", json!("metal"))],
        ),
        bad(
            n("prompt required without custom mode"),
            "music",
            json!({"model": model, "options": {"title": "Rain", "style": "ambient", "lyrics": "la"}}),
            InvalidRequest,
            "prompt",
        ),
        bad(
            n("prompt required when the custom payload has no lyrics"),
            "music",
            json!({"model": model, "options": {"custom_mode": true, "title": "Rain", "style": "ambient"}}),
            InvalidRequest,
            "prompt",
        ),
        bad(
            n("prompt required when the custom payload has no title"),
            "music",
            json!({"model": model, "options": {"custom_mode": true, "style": "ambient", "instrumental": true}}),
            InvalidRequest,
            "prompt",
        ),
        bad(
            n("instrumental must be a boolean"),
            "music",
            json!({"model": model, "prompt": "p", "options": {"instrumental": "true"}}),
            InvalidRequest,
            "options.instrumental",
        ),
        bad(
            n("duration under 10 s"),
            "music",
            json!({"model": model, "prompt": "p", "options": {"duration": 5}}),
            InvalidRequest,
            "options.duration",
        ),
        bad(
            n("duration over 240 s"),
            "music",
            json!({"model": model, "prompt": "p", "options": {"duration": 300}}),
            InvalidRequest,
            "options.duration",
        ),
        bad(
            n("custom_mode must be a boolean"),
            "music",
            json!({"model": model, "prompt": "p", "options": {"custom_mode": "yes"}}),
            InvalidRequest,
            "options.custom_mode",
        ),
        bad(
            n("title must not be empty"),
            "music",
            json!({"model": model, "prompt": "p", "options": {"title": " "}}),
            InvalidRequest,
            "options.title",
        ),
        bad(
            n("style must be text"),
            "music",
            json!({"model": model, "prompt": "p", "options": {"style": 5}}),
            InvalidRequest,
            "options.style",
        ),
        bad(
            n("lyrics must be text"),
            "music",
            json!({"model": model, "prompt": "p", "options": {"lyrics": ["la"]}}),
            InvalidRequest,
            "options.lyrics",
        ),
        bad(
            n("provider key image_url refused"),
            "music",
            json!({"model": model, "prompt": "p", "options": {"image_url": IMG}}),
            InvalidRequest,
            "options.image_url",
        ),
        bad(
            n("music model on the audio route"),
            "audio",
            json!({"model": model, "prompt": "p"}),
            InvalidModelForMediaType,
            "model",
        ),
    ]
}

//! Scene inference and request validation, reproducing the server's rules from the
//! [`Catalogue`].
//!
//! This is the one engine that interprets the catalogue's data. The sandbox answers with
//! the code of the first [`FieldError`], so the order of errors is part of the contract:
//! model-level errors, then scene errors, then prompt, then options.

use crate::catalogue::{Catalogue, PromptRequirement, Rule};
use crate::option_value;
use crate::types::{ErrorCode, GenerationRequest, MediaType, Scene};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

mod options;

/// What is known about the files a request points at, for rules that judge them
/// ([`crate::catalogue::Rule::MaxInputSeconds`]): the length in seconds of a reference
/// video or audio, by URL. A URL it does not know has an unknown length, which no rule
/// refuses; only known lengths (and lengths a request declares) can exceed a limit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputFacts {
    seconds: HashMap<String, f64>,
}

impl InputFacts {
    pub fn new() -> InputFacts {
        InputFacts::default()
    }

    /// Records that the media at `url` lasts `secs` seconds.
    pub fn with_length(mut self, url: impl Into<String>, secs: f64) -> InputFacts {
        self.set_length(url, secs);
        self
    }

    pub fn set_length(&mut self, url: impl Into<String>, secs: f64) {
        self.seconds.insert(url.into(), secs);
    }

    /// The length of the media at `url`, when known.
    pub fn length(&self, url: &str) -> Option<f64> {
        self.seconds.get(url).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.seconds.is_empty()
    }
}

/// One reason a request is refused, naming the field (`model`, `prompt`, `scene`,
/// `options.duration`…) and the API error code the server would answer with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    fn request(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError::new(field, ErrorCode::InvalidRequest, message)
    }
}

/// A request that passed validation: model known (or generic), scene decided,
/// options under canonical keys with normalised values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalizedRequest {
    pub model: String,
    pub media_type: MediaType,
    pub scene: Scene,
    pub prompt: Option<String>,
    /// What is sent (strict models: known keys only; pass-through: everything).
    pub options: Map<String, Value>,
    /// Keys a strict model ignores, so a UI can say so.
    pub dropped: Vec<String>,
}

/// The scene the server infers when none is given, for a request on `route`.
///
/// A route this version does not know gets `text-to-<route>`, the pattern every
/// documented text-only route follows.
pub fn infer_scene(route: &MediaType, options: &Map<String, Value>) -> Scene {
    match route {
        MediaType::Image if !option_value::list(options, "image_input").is_empty() => {
            Scene::ImageToImage
        }
        MediaType::Image => Scene::TextToImage,
        MediaType::Video if !option_value::list(options, "video_input").is_empty() => {
            Scene::VideoToVideo
        }
        MediaType::Video if !option_value::list(options, "image_input").is_empty() => {
            Scene::ImageToVideo
        }
        MediaType::Video => Scene::TextToVideo,
        MediaType::Audio => Scene::TextToAudio,
        MediaType::Music => Scene::TextToMusic,
        MediaType::Other(name) => Scene::Other(format!("text-to-{name}")),
    }
}

fn scene_list(scenes: &[Scene]) -> String {
    scenes
        .iter()
        .map(Scene::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Catalogue {
    /// Validates `request` as the server does for the generation route of `route`, with
    /// nothing known about the referenced files (their lengths count as unknown).
    pub fn validate(
        &self,
        request: &GenerationRequest,
        route: &MediaType,
    ) -> Result<NormalizedRequest, Vec<FieldError>> {
        self.validate_with(request, route, &InputFacts::default())
    }

    /// Like [`Catalogue::validate`], also judging the referenced files by `facts` (a
    /// reference video longer than a model accepts is refused).
    pub fn validate_with(
        &self,
        request: &GenerationRequest,
        route: &MediaType,
        facts: &InputFacts,
    ) -> Result<NormalizedRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = request.model.trim();
        let spec = if name.is_empty() {
            errors.push(FieldError::new(
                "model",
                ErrorCode::InvalidModel,
                "The model is missing; set model to one of the names GET /api/v1/models lists.",
            ));
            None
        } else if let Some(spec) = self.model(name) {
            if &spec.media_type != route {
                errors.push(FieldError::new(
                    "model",
                    ErrorCode::InvalidModelForMediaType,
                    format!(
                        "Model \"{name}\" generates {} but this is the {route} route; send it to /api/v1/{} or pick a model that generates {route}.",
                        spec.media_type,
                        spec.media_type.generation_path()
                    ),
                ));
                None
            } else {
                Some(spec)
            }
        } else {
            errors.push(FieldError::new(
                "model",
                ErrorCode::UnsupportedModel,
                format!(
                    "Model \"{name}\" is not supported; pick one of the models GET /api/v1/models lists."
                ),
            ));
            None
        };

        // A scene string nobody knows is refused even when the model is wrong, so both
        // mistakes are reported together.
        let unknown_scene = request
            .scene
            .as_ref()
            .filter(|s| !s.is_known() && !spec.is_some_and(|m| m.scenes.contains(s)));
        if let Some(scene) = unknown_scene {
            let choices = match spec {
                Some(m) if !m.scenes.is_empty() => scene_list(&m.scenes),
                _ => scene_list(Scene::KNOWN),
            };
            errors.push(FieldError::new(
                "scene",
                ErrorCode::InvalidScene,
                format!("Scene \"{scene}\" is not a known scene; use one of {choices}, or omit scene to have it inferred."),
            ));
        }
        let Some(spec) = spec else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }

        let (mut scene, mut inferred) = match &request.scene {
            Some(scene) => (scene.clone(), false),
            None => (infer_scene(route, &request.options), true),
        };
        // Routing the model does itself (kling-3.0: images make it image-to-video).
        for rule in &spec.rules {
            if let Rule::ListRoutesTo { list, scene: to } = rule {
                if !option_value::list(&request.options, list).is_empty() {
                    scene = to.clone();
                    inferred = true;
                }
            }
        }
        if !spec.supports_scene(&scene) {
            let message = if inferred {
                format!(
                    "Model \"{}\" does not support {scene}, the scene inferred from the inputs because scene was omitted; pass scene explicitly as one of {} and provide the inputs it needs.",
                    spec.model,
                    scene_list(&spec.scenes)
                )
            } else {
                format!(
                    "Model \"{}\" does not support {scene}; use one of {}.",
                    spec.model,
                    scene_list(&spec.scenes)
                )
            };
            return Err(vec![FieldError::new(
                "scene",
                ErrorCode::SceneNotSupported,
                message,
            )]);
        }

        let prompt = request
            .prompt
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .map(str::to_string);
        if prompt.is_none() && request.options.is_empty() {
            errors.push(FieldError::request(
                "prompt",
                "Both prompt and options are empty; write a prompt or set at least one option.",
            ));
        } else if prompt.is_none()
            && spec.prompt == PromptRequirement::Required
            && !options::prompt_waived(spec, &request.options)
        {
            errors.push(FieldError::request(
                "prompt",
                format!(
                    "Model \"{}\" needs a prompt; describe what to generate.",
                    spec.model
                ),
            ));
        }

        let (options, dropped) = if spec.known {
            options::check_options(self, spec, &scene, &request.options, facts, &mut errors)
        } else {
            // Models only the server knows: nothing here can judge their options.
            (request.options.clone(), Vec::new())
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NormalizedRequest {
            model: spec.model.clone(),
            media_type: spec.media_type.clone(),
            scene,
            prompt,
            options,
            dropped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn options(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn request(v: Value) -> GenerationRequest {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn image_route_infers_from_image_input() {
        assert_eq!(
            infer_scene(&MediaType::Image, &options(json!({}))),
            Scene::TextToImage
        );
        assert_eq!(
            infer_scene(&MediaType::Image, &options(json!({"image_input": []}))),
            Scene::TextToImage
        );
        assert_eq!(
            infer_scene(&MediaType::Image, &options(json!({"image_input": ["u"]}))),
            Scene::ImageToImage
        );
        // Video inputs mean nothing on the image route.
        assert_eq!(
            infer_scene(&MediaType::Image, &options(json!({"video_input": ["v"]}))),
            Scene::TextToImage
        );
    }

    #[test]
    fn video_route_prefers_video_then_image_input() {
        let v = MediaType::Video;
        assert_eq!(infer_scene(&v, &options(json!({}))), Scene::TextToVideo);
        assert_eq!(
            infer_scene(&v, &options(json!({"image_input": ["i"]}))),
            Scene::ImageToVideo
        );
        assert_eq!(
            infer_scene(
                &v,
                &options(json!({"image_input": ["i"], "video_input": ["v"]}))
            ),
            Scene::VideoToVideo
        );
        assert_eq!(
            infer_scene(&v, &options(json!({"image_input": [], "video_input": []}))),
            Scene::TextToVideo
        );
    }

    #[test]
    fn audio_and_music_routes_are_text_only() {
        let any = options(json!({"image_input": ["i"]}));
        assert_eq!(infer_scene(&MediaType::Audio, &any), Scene::TextToAudio);
        assert_eq!(infer_scene(&MediaType::Music, &any), Scene::TextToMusic);
    }

    #[test]
    fn normalisation_rewrites_case_insensitively() {
        let cat = Catalogue::builtin();
        let ok = cat
            .validate(
                &request(json!({"model": "nano-banana-2", "prompt": "p",
                    "options": {"resolution": "2k", "output_format": "JPEG"}})),
                &MediaType::Image,
            )
            .unwrap();
        assert_eq!(ok.options["resolution"], "2K");
        assert_eq!(ok.options["output_format"], "jpg");
        // Unlisted strings of a normalising option pass through untouched.
        let ok = cat
            .validate(
                &request(json!({"model": "nano-banana-2", "prompt": "p",
                    "options": {"resolution": "8K", "output_format": "webp"}})),
                &MediaType::Image,
            )
            .unwrap();
        assert_eq!(ok.options["resolution"], "8K");
        assert_eq!(ok.options["output_format"], "webp");
        let ok = cat
            .validate(
                &request(json!({"model": "veo-3.1-fast", "prompt": "p",
                    "options": {"aspect_ratio": "Portrait"}})),
                &MediaType::Video,
            )
            .unwrap();
        assert_eq!(ok.options["aspect_ratio"], "9:16");
        assert_eq!(ok.options["generationType"], "TEXT_2_VIDEO");
    }

    #[test]
    fn duration_message_names_the_option_and_values() {
        let errs = Catalogue::builtin()
            .validate(
                &request(json!({"model": "sora-2", "prompt": "p", "options": {"duration": 12}})),
                &MediaType::Video,
            )
            .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "options.duration");
        assert_eq!(
            errs[0].message,
            "options.duration must be one of 10, 15 (got 12)."
        );
    }

    #[test]
    fn all_option_errors_are_collected_after_model_errors() {
        let errs = Catalogue::builtin()
            .validate(
                &request(json!({"model": "sora-2", "options": {
                    "duration": "12", "aspect_ratio": "square", "image_url": "x"}})),
                &MediaType::Video,
            )
            .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "prompt",
                "options.image_url",
                "options.aspect_ratio",
                "options.duration"
            ]
        );
        assert!(errs.iter().all(|e| e.code == ErrorCode::InvalidRequest));
        let errs = Catalogue::builtin()
            .validate(
                &request(json!({"model": "nope", "scene": "text-to-hologram"})),
                &MediaType::Video,
            )
            .unwrap_err();
        assert_eq!(errs[0].code, ErrorCode::UnsupportedModel);
        assert_eq!(errs[1].code, ErrorCode::InvalidScene);
    }

    #[test]
    fn unknown_lengths_are_not_refusals_and_known_ones_are_judged() {
        let url = "https://cdn.example.com/dance.mp4";
        let motion = request(json!({"model": "kling-3.0-motion-control", "options": {
            "video_input": [url], "image_input": ["https://cdn.example.com/c.png"],
            "character_orientation": "image"}}));
        let cat = Catalogue::builtin();
        assert!(cat.validate(&motion, &MediaType::Video).is_ok());
        let short = InputFacts::new().with_length(url, 9.9);
        assert!(cat
            .validate_with(&motion, &MediaType::Video, &short)
            .is_ok());
        let long = InputFacts::new().with_length(url, 10.5);
        let errs = cat
            .validate_with(&motion, &MediaType::Video, &long)
            .unwrap_err();
        assert_eq!(errs[0].field, "options.video_input");
        assert!(
            errs[0].message.contains("at most 10 s"),
            "{}",
            errs[0].message
        );
        // The same video is fine once the character follows the video (30 s).
        let mut relaxed = motion.clone();
        relaxed
            .options
            .insert("character_orientation".into(), json!("video"));
        assert!(cat
            .validate_with(&relaxed, &MediaType::Video, &long)
            .is_ok());
    }

    #[test]
    fn every_message_is_a_sentence() {
        let errs = Catalogue::builtin()
            .validate(
                &request(json!({"model": "veo-3.1-quality", "options": {
                    "seed": 5, "generationType": "REFERENCE_2_VIDEO", "sound": 1,
                    "image_input": "one", "input_images": []}})),
                &MediaType::Video,
            )
            .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "prompt",
                "options.input_images",
                "options.image_input",
                "options.generationType",
                "options.seed"
            ]
        );
        for e in &errs {
            assert!(e.message.ends_with('.'), "{}", e.message);
            // A person must be able to tell which field to fix from the message alone.
            assert!(e.message.contains(e.field.as_str()), "{}", e.message);
        }
    }
}

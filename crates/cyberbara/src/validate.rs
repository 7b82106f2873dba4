//! Scene inference and request validation, reproducing the server's rules from the
//! [`Catalogue`].
//!
//! This is the one engine that interprets the catalogue's data. The sandbox answers with
//! the code of the first [`FieldError`], so the order of errors is part of the contract:
//! model-level errors, then scene errors, then prompt, then options.

use crate::catalogue::{
    join_values, value_text, Catalogue, ModelSpec, OptionKind, OptionSpec, Rule,
};
use crate::catalogue::{PromptRequirement, ValidationLevel};
use crate::types::{ErrorCode, GenerationRequest, MediaType, Scene};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashSet;

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

fn non_empty_list(options: &Map<String, Value>, key: &str) -> bool {
    options
        .get(key)
        .and_then(Value::as_array)
        .is_some_and(|items| !items.is_empty())
}

/// The scene the server infers when none is given, for a request on `route`.
///
/// A route this version does not know gets `text-to-<route>`, the pattern every
/// documented text-only route follows.
pub fn infer_scene(route: &MediaType, options: &Map<String, Value>) -> Scene {
    match route {
        MediaType::Image if non_empty_list(options, "image_input") => Scene::ImageToImage,
        MediaType::Image => Scene::TextToImage,
        MediaType::Video if non_empty_list(options, "video_input") => Scene::VideoToVideo,
        MediaType::Video if non_empty_list(options, "image_input") => Scene::ImageToVideo,
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
    /// Validates `request` as the server does for the generation route of `route`.
    pub fn validate(
        &self,
        request: &GenerationRequest,
        route: &MediaType,
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

        let (scene, inferred) = match &request.scene {
            Some(scene) => (scene.clone(), false),
            None => (infer_scene(route, &request.options), true),
        };
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
        } else if prompt.is_none() && spec.prompt == PromptRequirement::Required {
            errors.push(FieldError::request(
                "prompt",
                format!(
                    "Model \"{}\" needs a prompt; describe what to generate.",
                    spec.model
                ),
            ));
        }

        let (options, dropped) = if spec.known {
            self.check_options(spec, &scene, &request.options, &mut errors)
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

    fn check_options(
        &self,
        spec: &ModelSpec,
        scene: &Scene,
        input: &Map<String, Value>,
        errors: &mut Vec<FieldError>,
    ) -> (Map<String, Value>, Vec<String>) {
        let pass_through = spec.validation == ValidationLevel::PassThrough;
        let mut out = Map::new();
        let mut dropped = Vec::new();
        // Keys whose value was refused: rules that read them would only add noise.
        let mut failed: HashSet<String> = HashSet::new();

        // Pass 1: sort every sent key into declared option, refused internal key or unknown.
        let mut declared: Vec<(&OptionSpec, &str, &Value)> = Vec::new();
        for (key, value) in input {
            if let Some(option) = spec.option(key) {
                if let Some((_, first, _)) = declared.iter().find(|(o, _, _)| o.key == option.key) {
                    errors.push(FieldError::request(
                        format!("options.{}", option.key),
                        format!(
                            "options.{first} and options.{key} are the same option; send only options.{}.",
                            option.key
                        ),
                    ));
                    failed.insert(option.key.clone());
                    continue;
                }
                declared.push((option, key.as_str(), value));
            } else if let Some(internal) = self.internal_keys.iter().find(|k| &k.key == key) {
                errors.push(FieldError::request(
                    format!("options.{key}"),
                    format!(
                        "options.{key} is a provider-internal key the public API does not accept; put the URL(s) in options.{} instead.",
                        internal.use_instead
                    ),
                ));
            } else if pass_through {
                out.insert(key.clone(), value.clone());
            } else {
                dropped.push(key.clone());
            }
        }

        // Pass 2: check declared options in catalogue order, so errors come out in the
        // same order as the form shows them.
        for option in &spec.options {
            let Some(&(_, sent_as, value)) = declared.iter().find(|(o, _, _)| o.key == option.key)
            else {
                continue;
            };
            if failed.contains(&option.key) {
                continue;
            }
            if !option.scenes.is_empty() && !option.scenes.contains(scene) {
                if pass_through {
                    out.insert(option.key.clone(), value.clone());
                } else {
                    dropped.push(sent_as.to_string());
                }
                continue;
            }
            if value.is_null() {
                continue;
            }
            match check_value(option, value) {
                Ok(v) => {
                    out.insert(option.key.clone(), v);
                }
                Err(message) => {
                    errors.push(FieldError::request(
                        format!("options.{}", option.key),
                        message,
                    ));
                    failed.insert(option.key.clone());
                }
            }
        }

        for option in &spec.options {
            if option.required_for.contains(scene)
                && !failed.contains(&option.key)
                && !is_present(out.get(&option.key))
            {
                let what = match option.kind {
                    OptionKind::UrlList => "add at least one URL (upload the file first)",
                    _ => "set it",
                };
                errors.push(FieldError::request(
                    format!("options.{}", option.key),
                    format!("options.{} is required for {scene}; {what}.", option.key),
                ));
                failed.insert(option.key.clone());
            }
        }

        for rule in &spec.rules {
            apply_rule(rule, scene, &mut out, &failed, errors);
        }
        (out, dropped)
    }
}

fn is_present(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
    }
}

fn list_len(options: &Map<String, Value>, key: &str) -> usize {
    options
        .get(key)
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

fn apply_rule(
    rule: &Rule,
    scene: &Scene,
    out: &mut Map<String, Value>,
    failed: &HashSet<String>,
    errors: &mut Vec<FieldError>,
) {
    match rule {
        Rule::ModeByItemCount { key, list, modes } => {
            if failed.contains(key) || failed.contains(list) {
                return;
            }
            let count = list_len(out, list);
            let chosen = out.get(key).and_then(Value::as_str).map(str::to_string);
            match chosen {
                Some(mode) => {
                    if let Some(bound) = modes.iter().find(|m| m.value == mode) {
                        if count < bound.min_items || count > bound.max_items {
                            let need = if bound.max_items == 0 {
                                "no items".to_string()
                            } else {
                                format!("{}-{} items", bound.min_items, bound.max_items)
                            };
                            errors.push(FieldError::request(
                                format!("options.{list}"),
                                format!(
                                    "options.{list} must contain {need} when options.{key} is {mode} (got {count}); change the {list} or options.{key}."
                                ),
                            ));
                        }
                    }
                }
                None => {
                    if let Some(bound) = modes
                        .iter()
                        .find(|m| (m.min_items..=m.max_items).contains(&count))
                    {
                        out.insert(key.clone(), Value::String(bound.value.clone()));
                    } else {
                        let ways: Vec<String> = modes
                            .iter()
                            .map(|m| format!("{} takes {}-{}", m.value, m.min_items, m.max_items))
                            .collect();
                        errors.push(FieldError::request(
                            format!("options.{list}"),
                            format!(
                                "options.{list} holds {count} items, which no options.{key} accepts ({}); send fewer items.",
                                ways.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        Rule::RestrictWhen {
            when_key,
            when_value,
            key,
            allowed,
        } => {
            if failed.contains(key) || out.get(when_key).and_then(Value::as_str) != Some(when_value)
            {
                return;
            }
            if let Some(value) = out.get(key) {
                if !allowed.iter().any(|a| same_value(a, value)) {
                    errors.push(FieldError::request(
                        format!("options.{key}"),
                        format!(
                            "options.{key} must be {} when options.{when_key} is {when_value} (got {}).",
                            join_values(allowed, " or "),
                            value_text(value)
                        ),
                    ));
                }
            }
        }
        Rule::OneOfRequired { keys } => {
            if keys
                .iter()
                .any(|k| failed.contains(k) || is_present(out.get(k)))
            {
                return;
            }
            let names: Vec<String> = keys.iter().map(|k| format!("options.{k}")).collect();
            errors.push(FieldError::request(
                names.first().cloned().unwrap_or_default(),
                format!(
                    "One of {} is required; provide the URL of the video to process.",
                    names.join(" or ")
                ),
            ));
        }
        Rule::SecondItemBecomes {
            list,
            to,
            scene: when,
        } => {
            if when != scene || is_present(out.get(to)) {
                return;
            }
            let second = out
                .get(list)
                .and_then(Value::as_array)
                .and_then(|items| items.get(1))
                .cloned();
            if let Some(second) = second {
                out.insert(to.clone(), second);
            }
        }
    }
}

/// Equality as a person reads it: `"10"`, `10` and `10.0` are the same duration.
fn same_value(a: &Value, b: &Value) -> bool {
    match (number_of(a), number_of(b)) {
        (Some(x), Some(y)) => x == y,
        _ => value_text(a) == value_text(b),
    }
}

fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// Type-checks, normalises and bounds one value; the error is the full sentence.
fn check_value(option: &OptionSpec, value: &Value) -> Result<Value, String> {
    let field = format!("options.{}", option.key);
    let mut value = match option.kind {
        OptionKind::String | OptionKind::Url => match value {
            Value::String(s) if !s.trim().is_empty() => value.clone(),
            _ => {
                let what = if option.kind == OptionKind::Url {
                    "a URL string"
                } else {
                    "a non-empty string"
                };
                return Err(format!("{field} must be {what} (got {}).", shown(value)));
            }
        },
        OptionKind::Boolean => match value {
            Value::Bool(_) => value.clone(),
            _ => {
                return Err(format!(
                    "{field} must be true or false (got {}).",
                    shown(value)
                ))
            }
        },
        OptionKind::Integer => match value.as_f64() {
            Some(n) if value.is_number() && n.fract() == 0.0 => value.clone(),
            _ => {
                return Err(format!(
                    "{field} must be a whole number (got {}).",
                    shown(value)
                ))
            }
        },
        OptionKind::Number => match value {
            Value::Number(_) => value.clone(),
            _ => return Err(format!("{field} must be a number (got {}).", shown(value))),
        },
        OptionKind::StringOrNumber => match value {
            Value::Number(_) => value.clone(),
            Value::String(s) if !s.trim().is_empty() => value.clone(),
            _ => {
                return Err(format!(
                    "{field} must be a number or a string such as \"10\" (got {}).",
                    shown(value)
                ))
            }
        },
        OptionKind::UrlList => {
            let ok = value.as_array().is_some_and(|items| {
                items
                    .iter()
                    .all(|i| i.as_str().is_some_and(|s| !s.trim().is_empty()))
            });
            if !ok {
                return Err(format!(
                    "{field} must be a list of URL strings such as [\"https://…/a.png\"] (got {}).",
                    shown(value)
                ));
            }
            value.clone()
        }
    };

    if let Value::String(s) = &value {
        if let Some(n) = option
            .normalize
            .iter()
            .find(|n| n.from.eq_ignore_ascii_case(s.trim()))
        {
            value = Value::String(n.to.clone());
        }
    }

    if option.enforce_allowed
        && !option.allowed.is_empty()
        && !option.allowed.iter().any(|a| same_value(a, &value))
    {
        return Err(format!(
            "{field} must be one of {} (got {}).",
            join_values(&option.allowed, ", "),
            value_text(&value)
        ));
    }

    if option.min.is_some() || option.max.is_some() {
        if let Some(n) = number_of(&value) {
            let too_low = option.min.is_some_and(|lo| n < lo);
            let too_high = option.max.is_some_and(|hi| n > hi);
            if too_low || too_high {
                let bounds = match (option.min, option.max) {
                    (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
                    (Some(lo), None) => format!("at least {lo}"),
                    (None, Some(hi)) => format!("at most {hi}"),
                    (None, None) => String::new(),
                };
                return Err(format!(
                    "{field} must be {bounds} (got {}).",
                    value_text(&value)
                ));
            }
        }
    }

    if let Some(items) = value.as_array().filter(|items| !items.is_empty()) {
        let count = items.len();
        match (option.min_items, option.max_items) {
            (Some(lo), Some(hi)) if lo == hi && count != lo => {
                return Err(format!(
                    "{field} must contain exactly {lo} URL{} (got {count}).",
                    if lo == 1 { "" } else { "s" }
                ));
            }
            (Some(lo), _) if count < lo => {
                return Err(format!(
                    "{field} must contain at least {lo} URLs (got {count})."
                ));
            }
            (_, Some(hi)) if count > hi => {
                return Err(format!(
                    "{field} accepts at most {hi} URLs (got {count}); remove some."
                ));
            }
            _ => {}
        }
    }
    Ok(value)
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

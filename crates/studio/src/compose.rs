//! The Create page's draft and how it becomes a request: form values, references in their
//! slots and the "Advanced (JSON)" options merge into one `GenerationRequest`, which the
//! catalogue validates exactly as the server will.

use crate::forms::ReferenceMedia;
use cyberbara::catalogue::{Catalogue, OptionKind};
use cyberbara::types::{ErrorCode, GenerationRequest, MediaType, Scene};
use cyberbara::validate::infer_scene;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// Largest Batch: tasks created by one click.
pub const MAX_BATCH: u32 = 8;

/// Everything on the Create page, saved per profile as it is edited.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Draft {
    /// The model id, or empty before one is picked.
    pub model: String,
    /// The scene the user picked; `None` lets the server infer it.
    pub scene: Option<String>,
    pub prompt: String,
    /// Form values by option key (references are in `references`).
    #[ts(type = "Record<string, unknown>")]
    pub options: Map<String, Value>,
    /// Reference files in slot order.
    pub references: Vec<DraftReference>,
    /// "Advanced (JSON)": a JSON object merged over the form's options.
    pub advanced: String,
    /// How many tasks Generate creates (1–8).
    pub batch: u32,
}

/// One reference in a slot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DraftReference {
    /// Local id of the reference (stable while it is uploaded, moved, removed).
    pub id: String,
    /// The option it feeds: `image_input`, `video_input`, `end_image_url`, `video_url`…
    pub slot: String,
    /// The URL the request uses, once uploaded (or an earlier output's URL).
    pub url: Option<String>,
    pub file_name: String,
    pub media: ReferenceMedia,
    /// The user's file, kept so an interrupted upload can be retried.
    pub local_path: Option<String>,
    pub sha256: Option<String>,
    /// A small preview, as a path under the media server's cache root, when the app
    /// could make one (the page joins it to the server's per-launch address).
    pub preview: Option<String>,
}

/// A refusal, attached to the field it is about (`prompt`, `scene`, `options.duration`,
/// `advanced`…), with the API error code the server would answer with.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl From<cyberbara::validate::FieldError> for FieldProblem {
    fn from(err: cyberbara::validate::FieldError) -> Self {
        FieldProblem {
            field: err.field,
            code: err.code.as_str().to_string(),
            message: err.message,
        }
    }
}

/// What the draft amounts to, checked.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DraftCheck {
    /// The scene the request will run in: the picked one, or the one the server infers.
    pub scene: Option<String>,
    /// Whether `scene` was inferred rather than picked.
    pub inferred: bool,
    pub problems: Vec<FieldProblem>,
    /// Option keys the model ignores (strict models drop unknown keys).
    pub ignored: Vec<String>,
}

/// A request ready to send, with the route it goes to.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadyRequest {
    pub media_type: MediaType,
    pub request: GenerationRequest,
}

impl Draft {
    /// The request the draft describes, before validation. Problems that come from the
    /// draft itself (references still uploading, broken Advanced JSON) are returned.
    pub fn request(&self, catalogue: &Catalogue) -> (GenerationRequest, Vec<FieldProblem>) {
        let mut problems = Vec::new();
        let spec = catalogue.model(self.model.trim());
        let mut options: Map<String, Value> = self
            .options
            .iter()
            .filter(|(_, v)| !is_blank(v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for reference in &self.references {
            let field = format!("options.{}", reference.slot);
            let Some(url) = reference.url.clone() else {
                problems.push(FieldProblem {
                    field,
                    code: "upload_pending".into(),
                    message: format!(
                        "{} has not finished uploading; wait for it or remove it.",
                        reference.file_name
                    ),
                });
                continue;
            };
            let single = spec
                .and_then(|s| s.option(&reference.slot))
                .is_some_and(|o| matches!(o.kind, OptionKind::Url));
            if single {
                options.insert(reference.slot.clone(), Value::String(url));
            } else {
                match options
                    .entry(reference.slot.clone())
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(items) => items.push(Value::String(url)),
                    other => *other = Value::Array(vec![Value::String(url)]),
                }
            }
        }
        if !self.advanced.trim().is_empty() {
            match serde_json::from_str::<Value>(&self.advanced) {
                Ok(Value::Object(extra)) => options.extend(extra),
                Ok(_) => problems.push(FieldProblem {
                    field: "advanced".into(),
                    code: ErrorCode::InvalidRequest.as_str().into(),
                    message: "Advanced options must be a JSON object, like {\"key\": \"value\"}."
                        .into(),
                }),
                Err(err) => problems.push(FieldProblem {
                    field: "advanced".into(),
                    code: ErrorCode::InvalidJson.as_str().into(),
                    message: format!(
                        "Advanced options are not valid JSON ({err}). Fix them or clear the box."
                    ),
                }),
            }
        }
        let prompt = self.prompt.trim();
        let request = GenerationRequest {
            model: self.model.trim().to_string(),
            prompt: (!prompt.is_empty()).then(|| prompt.to_string()),
            scene: self
                .scene
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(Scene::parse),
            options,
        };
        (request, problems)
    }

    /// Checks the draft against `catalogue` as the server would.
    pub fn check(&self, catalogue: &Catalogue) -> (DraftCheck, Option<ReadyRequest>) {
        let (request, mut problems) = self.request(catalogue);
        let Some(spec) = catalogue.model(&request.model) else {
            problems.insert(
                0,
                FieldProblem {
                    field: "model".into(),
                    code: ErrorCode::InvalidModel.as_str().into(),
                    message: if request.model.is_empty() {
                        "Pick a model.".into()
                    } else {
                        format!(
                            "This deployment does not offer {}; pick another model.",
                            request.model
                        )
                    },
                },
            );
            let check = DraftCheck {
                scene: None,
                inferred: false,
                problems,
                ignored: Vec::new(),
            };
            return (check, None);
        };
        let media_type = spec.media_type.clone();
        let inferred = request.scene.is_none();
        let scene = request
            .scene
            .clone()
            .unwrap_or_else(|| infer_scene(&media_type, &request.options));
        let (ignored, ready) = match catalogue.validate(&request, &media_type) {
            Ok(normalized) => (normalized.dropped, true),
            Err(errors) => {
                problems.extend(errors.into_iter().map(|error| {
                    let mut problem = FieldProblem::from(error);
                    if inferred && problem.code == ErrorCode::SceneNotSupported.as_str() {
                        problem.message = inferred_scene_refused(spec, &scene);
                    }
                    problem
                }));
                (Vec::new(), false)
            }
        };
        let ok = ready && problems.is_empty();
        let check = DraftCheck {
            scene: Some(scene.as_str().to_string()),
            inferred,
            problems,
            ignored,
        };
        let ready = ok.then_some(ReadyRequest {
            media_type,
            request,
        });
        (check, ready)
    }

    /// The Batch, within 1–8.
    pub fn batch_size(&self) -> u32 {
        self.batch.clamp(1, MAX_BATCH)
    }
}

/// The draft that reproduces a stored request (for "Open in Create", "Extend", "Run
/// again"): URL options become references in their slots, everything else a form value.
/// Reference slots are the options the built-in catalogue types as URLs, plus the two
/// generic ones (`image_input`, `video_input`) for models it does not know.
pub fn draft_from_request(request: &Value) -> Draft {
    let text = |key: &str| request.get(key).and_then(Value::as_str).map(str::to_string);
    let model = text("model").unwrap_or_default();
    let spec = Catalogue::builtin().model(&model);
    let is_reference = |key: &str| match spec.and_then(|s| s.option(key)) {
        Some(option) => matches!(option.kind, OptionKind::Url | OptionKind::UrlList),
        None => key == "image_input" || key == "video_input",
    };
    let mut draft = Draft {
        prompt: text("prompt").unwrap_or_default(),
        scene: text("scene"),
        batch: 1,
        ..Default::default()
    };
    if let Some(options) = request.get("options").and_then(Value::as_object) {
        for (key, value) in options {
            if !is_reference(key) {
                draft.options.insert(key.clone(), value.clone());
                continue;
            }
            let canonical = spec
                .and_then(|s| s.option(key))
                .map(|o| o.key.clone())
                .unwrap_or_else(|| key.clone());
            let urls: Vec<&str> = match value {
                Value::String(url) => vec![url.as_str()],
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            for url in urls {
                draft.references.push(reference_from_url(url, &canonical));
            }
        }
    }
    draft.model = model;
    draft
}

/// A reference to a file the deployment already has (an earlier output, or a URL the
/// user pasted): no upload needed.
pub fn reference_from_url(url: &str, slot: &str) -> DraftReference {
    let file_name = url
        .split(['?', '#'])
        .next()
        .and_then(|path| path.rsplit('/').next())
        .filter(|name| !name.is_empty())
        .unwrap_or(url)
        .to_string();
    DraftReference {
        id: uuid::Uuid::new_v4().to_string(),
        slot: slot.to_string(),
        url: Some(url.to_string()),
        media: if slot.starts_with("video") {
            ReferenceMedia::Video
        } else {
            ReferenceMedia::Image
        },
        file_name,
        local_path: None,
        sha256: None,
        preview: None,
    }
}

/// What to tell a person whose inputs lead to a scene the model does not do (the API's
/// own sentence is written for API callers: "pass scene explicitly").
fn inferred_scene_refused(spec: &cyberbara::catalogue::ModelSpec, inferred: &Scene) -> String {
    let scenes: Vec<&str> = spec.scenes.iter().map(Scene::as_str).collect();
    // The inputs each of its scenes needs: those the catalogue requires there, else (for a
    // pass-through model that requires nothing on paper) the reference options of the
    // scene's input media.
    let mut inputs: Vec<&str> = Vec::new();
    for scene in &spec.scenes {
        let required: Vec<&str> = spec
            .options
            .iter()
            .filter(|o| o.required_for.contains(scene))
            .map(|o| o.label.as_str())
            .collect();
        let media = match scene {
            Scene::VideoToVideo => Some("video"),
            Scene::ImageToImage | Scene::ImageToVideo => Some("image"),
            _ => None,
        };
        let fallback = spec
            .options
            .iter()
            .filter(|o| matches!(o.kind, OptionKind::Url | OptionKind::UrlList))
            .filter(|o| media.is_some_and(|m| o.key.starts_with(m)))
            .map(|o| o.label.as_str());
        let wanted: Vec<&str> = if required.is_empty() {
            fallback.collect()
        } else {
            required
        };
        for label in wanted {
            if !inputs.contains(&label) {
                inputs.push(label);
            }
        }
    }
    let what = if inputs.is_empty() {
        String::new()
    } else {
        format!(" Add a file to {},", inputs.join(" or "))
    };
    format!(
        "{} does not do {inferred}; it does {}.{what} or pick the scene.",
        spec.model,
        scenes.join(" and ")
    )
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// The requests of one Batch. When the model takes a seed, each task gets its own, so a
/// batch gives different outputs: the user's seed and the ones after it, or random seeds
/// within the model's range when no seed was given. Without a seed option, every task
/// sends the same request.
pub fn batch_requests(
    catalogue: &Catalogue,
    request: &GenerationRequest,
    batch: u32,
    mut random: impl FnMut(i64, i64) -> i64,
) -> Vec<GenerationRequest> {
    let seed_spec = catalogue
        .model(&request.model)
        .and_then(|m| m.option("seed"))
        .filter(|o| matches!(o.kind, OptionKind::Integer));
    let Some(seed_spec) = seed_spec.filter(|_| batch > 1) else {
        return vec![request.clone(); batch.max(1) as usize];
    };
    let low = seed_spec.min.unwrap_or(0.0).max(0.0) as i64;
    let high = seed_spec.max.unwrap_or(2_147_483_647.0) as i64;
    let given = std::iter::once(seed_spec.key.as_str())
        .chain(seed_spec.aliases.iter().map(String::as_str))
        .find_map(|k| request.options.get(k).and_then(Value::as_i64));
    (0..batch)
        .map(|i| {
            let mut one = request.clone();
            for alias in &seed_spec.aliases {
                one.options.remove(alias);
            }
            let seed = match given {
                Some(first) if first >= low => low + (first - low + i as i64) % (high - low + 1),
                _ => random(low, high),
            };
            one.options.insert(seed_spec.key.clone(), Value::from(seed));
            one
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft(model: &str) -> Draft {
        Draft {
            model: model.into(),
            prompt: "A calm drone shot".into(),
            batch: 1,
            ..Default::default()
        }
    }

    #[test]
    fn the_scene_is_inferred_until_one_is_picked() {
        let catalogue = Catalogue::builtin();
        let mut d = draft("seedance-1-lite");
        let (check, ready) = d.check(catalogue);
        assert_eq!(check.scene.as_deref(), Some("text-to-video"));
        assert!(check.inferred);
        assert!(ready.is_some(), "{:?}", check.problems);

        d.references.push(DraftReference {
            id: "r1".into(),
            slot: "image_input".into(),
            url: Some("http://127.0.0.1:1/uploads/a.png".into()),
            file_name: "a.png".into(),
            media: ReferenceMedia::Image,
            ..Default::default()
        });
        let (check, ready) = d.check(catalogue);
        assert_eq!(check.scene.as_deref(), Some("image-to-video"));
        let ready = ready.unwrap();
        assert_eq!(
            ready.request.options["image_input"],
            json!(["http://127.0.0.1:1/uploads/a.png"])
        );
        assert_eq!(ready.media_type, MediaType::Video);

        d.scene = Some("text-to-video".into());
        let (check, _) = d.check(catalogue);
        assert!(!check.inferred);
    }

    #[test]
    fn problems_name_their_field() {
        let catalogue = Catalogue::builtin();
        let mut d = draft("sora-2");
        d.options.insert("duration".into(), json!(12));
        d.prompt.clear();
        let (check, ready) = d.check(catalogue);
        assert!(ready.is_none());
        let fields: Vec<&str> = check.problems.iter().map(|p| p.field.as_str()).collect();
        assert!(fields.contains(&"prompt"), "{fields:?}");
        assert!(fields.contains(&"options.duration"), "{fields:?}");

        let mut d = draft("kling-video-o1");
        d.advanced = "{not json".into();
        d.references.push(DraftReference {
            id: "v".into(),
            slot: "video_input".into(),
            url: None,
            file_name: "clip.mp4".into(),
            media: ReferenceMedia::Video,
            ..Default::default()
        });
        let (check, ready) = d.check(catalogue);
        assert!(ready.is_none());
        let codes: Vec<(&str, &str)> = check
            .problems
            .iter()
            .map(|p| (p.field.as_str(), p.code.as_str()))
            .collect();
        assert!(codes.contains(&("advanced", "invalid_json")), "{codes:?}");
        assert!(
            codes.contains(&("options.video_input", "upload_pending")),
            "{codes:?}"
        );

        let (check, ready) = draft("").check(catalogue);
        assert!(ready.is_none());
        assert_eq!(check.problems[0].field, "model");

        // A single-scene model whose inputs are missing: said for a person, not an API caller.
        let (check, _) = draft("kling-video-o1").check(catalogue);
        let scene = check.problems.iter().find(|p| p.field == "scene").unwrap();
        assert_eq!(scene.code, "scene_not_supported");
        assert_eq!(
            scene.message,
            "kling-video-o1 does not do text-to-video; it does video-to-video. Add a file to Input video, or pick the scene."
        );
    }

    #[test]
    fn advanced_json_reaches_a_pass_through_model() {
        let catalogue = Catalogue::builtin();
        let mut d = draft("kling-video-o1");
        d.references.push(DraftReference {
            id: "v".into(),
            slot: "video_input".into(),
            url: Some("https://cdn.example/v.mp4".into()),
            file_name: "v.mp4".into(),
            media: ReferenceMedia::Video,
            ..Default::default()
        });
        d.advanced = r#"{"cfg_scale": 0.5}"#.into();
        let (check, ready) = d.check(catalogue);
        let ready = ready.unwrap_or_else(|| panic!("{:?}", check.problems));
        assert_eq!(ready.request.options["cfg_scale"], json!(0.5));
    }

    #[test]
    fn a_stored_request_becomes_a_draft_again() {
        let request = json!({
            "model": "seedance-1-lite",
            "prompt": "waves",
            "scene": "image-to-video",
            "options": {
                "image_input": ["https://cdn.example/a.png"],
                "end_image_url": "https://cdn.example/b.png?x=1",
                "duration": 10
            }
        });
        let draft = draft_from_request(&request);
        assert_eq!(draft.model, "seedance-1-lite");
        assert_eq!(draft.scene.as_deref(), Some("image-to-video"));
        assert_eq!(draft.options.get("duration"), Some(&json!(10)));
        assert!(!draft.options.contains_key("image_input"));
        let mut slots: Vec<(&str, &str)> = draft
            .references
            .iter()
            .map(|r| (r.slot.as_str(), r.file_name.as_str()))
            .collect();
        slots.sort();
        assert_eq!(
            slots,
            vec![("end_image_url", "b.png"), ("image_input", "a.png")]
        );
        let (_, ready) = draft.check(Catalogue::builtin());
        let ready = ready.unwrap();
        assert_eq!(
            ready.request.options,
            request["options"].as_object().unwrap().clone()
        );
    }

    #[test]
    fn a_batch_gets_its_own_seed_per_task() {
        let catalogue = Catalogue::builtin();
        let mut request = GenerationRequest {
            model: "veo-3.1-fast".into(),
            prompt: Some("p".into()),
            ..Default::default()
        };
        let mut next = 10_000;
        let seeds = |requests: &[GenerationRequest]| -> Vec<i64> {
            requests
                .iter()
                .map(|r| r.options["seed"].as_i64().unwrap())
                .collect()
        };
        let random = batch_requests(catalogue, &request, 3, |low, high| {
            assert_eq!((low, high), (10_000, 99_999));
            next += 7;
            next
        });
        assert_eq!(seeds(&random), vec![10_007, 10_014, 10_021]);

        request.options.insert("seeds".into(), json!(99_998));
        let given = batch_requests(catalogue, &request, 3, |_, _| unreachable!());
        assert_eq!(seeds(&given), vec![99_998, 99_999, 10_000]);
        assert!(given.iter().all(|r| !r.options.contains_key("seeds")));
        for r in &given {
            assert!(catalogue.validate(r, &MediaType::Video).is_ok());
        }

        let plain = GenerationRequest {
            model: "nano-banana-pro".into(),
            prompt: Some("p".into()),
            ..Default::default()
        };
        let same = batch_requests(catalogue, &plain, 2, |_, _| unreachable!());
        assert_eq!(same, vec![plain.clone(), plain]);
    }
}

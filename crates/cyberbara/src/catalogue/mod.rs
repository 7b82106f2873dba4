//! The model catalogue: the spec's "Model-Specific Options (Complete Matrix)" as data.
//!
//! One table serves the whole workspace: the client validates with it before spending
//! money, the sandbox validates with it to answer like the real server, and the app
//! renders its forms from it (so every type here serialises with serde). Behaviour that
//! differs between models is expressed by the fields of [`ModelSpec`], [`OptionSpec`] and
//! [`Rule`], never by matching on a model's name.
//!
//! Why data rather than `match model { … }` arms:
//!
//! - The live API keeps adding models (see `api-evolution.md`). A model the server lists
//!   but this table does not know gets a generic, pass-through entry
//!   ([`ModelSpec::generic`], [`Catalogue::with_listed`]) and works at once; a `match`
//!   would need a release.
//! - Three consumers must agree exactly: the UI form, the client-side pre-check and the
//!   sandbox's server-side check. Sharing one serialisable table makes disagreement
//!   impossible, and the table can be shipped to the UI as JSON.
//! - The documentation in `docs/CATALOGUE.md` is generated from the same table
//!   ([`Catalogue::markdown`]), and a test fails when the two differ.
//!
//! The one generic engine that interprets this table lives in [`crate::validate`].

use crate::types::{MediaType, ModelInfo, Scene};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::OnceLock;

mod builtin;
mod markdown;

use builtin::{builtin_internal_keys, builtin_models, opt};

/// How strictly the server checks a model's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidationLevel {
    /// Known keys are type- and value-checked; unknown keys are dropped.
    Strict,
    /// Like `Strict`, but some values are normalised (`1k` → `1K`) and unlisted strings
    /// are passed through instead of refused.
    StrictNormalizing,
    /// Every key is forwarded to the provider; only the documented basics are checked.
    PassThrough,
}

impl ValidationLevel {
    /// Wording used by the spec and the generated documentation.
    pub fn describe(&self) -> &'static str {
        match self {
            ValidationLevel::Strict => "strict",
            ValidationLevel::StrictNormalizing => "strict + normalisation",
            ValidationLevel::PassThrough => "pass-through",
        }
    }
}

/// Whether a prompt must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptRequirement {
    Required,
    Optional,
}

/// The JSON type an option accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionKind {
    /// A non-empty string.
    String,
    Boolean,
    /// A whole JSON number (`12345`, not `"12345"`).
    Integer,
    Number,
    /// `"10"` or `10`: durations are documented as `string` or `number`.
    StringOrNumber,
    /// A list of URLs (`image_input`, `video_input`).
    UrlList,
    /// One URL (`video_url`, `end_image_url`).
    Url,
}

impl OptionKind {
    /// Wording used by the spec and the generated documentation.
    pub fn describe(&self) -> &'static str {
        match self {
            OptionKind::String => "string",
            OptionKind::Boolean => "boolean",
            OptionKind::Integer => "integer",
            OptionKind::Number => "number",
            OptionKind::StringOrNumber => "string or number",
            OptionKind::UrlList => "string[] (URLs)",
            OptionKind::Url => "string (URL)",
        }
    }
}

/// A case-insensitive rewrite of an input value (`1k` → `1K`, `landscape` → `16:9`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Normalization {
    pub from: String,
    pub to: String,
}

/// One option under `options.*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionSpec {
    /// The canonical key, e.g. `duration`.
    pub key: String,
    /// Other accepted spellings, e.g. `n_frames`; rewritten to `key`.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Short label for a form field.
    pub label: String,
    /// One sentence of help for a form field.
    #[serde(default)]
    pub help: String,
    pub kind: OptionKind,
    /// Documented values. With `enforce_allowed` a value outside them is refused;
    /// without, they are only recommendations.
    #[serde(default)]
    pub allowed: Vec<Value>,
    #[serde(default)]
    pub enforce_allowed: bool,
    /// The value the server uses when the option is omitted (for display; never sent).
    #[serde(default)]
    pub default: Option<Value>,
    /// Inclusive numeric bounds, enforced.
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// Bounds on the number of items of a non-empty list option, enforced. Whether an
    /// empty list is acceptable is decided by `required_for`.
    #[serde(default)]
    pub min_items: Option<usize>,
    #[serde(default)]
    pub max_items: Option<usize>,
    /// Applied before checking `allowed`.
    #[serde(default)]
    pub normalize: Vec<Normalization>,
    /// Scenes where the option applies; empty means all. Outside them it is ignored.
    #[serde(default)]
    pub scenes: Vec<Scene>,
    /// Scenes where the option must be present (and non-empty).
    #[serde(default)]
    pub required_for: Vec<Scene>,
    /// What each position of a URL option means, for a form's reference slots: `["first
    /// frame", "last frame"]`, or a pattern whose `{n}` counts from 1 (`["@image{n}"]`).
    /// The last entry repeats for the positions after it. Empty: plain numbered slots.
    #[serde(default)]
    pub slots: Vec<String>,
    /// `min` itself is refused (`input_video_duration` must be positive, not just >= 0).
    #[serde(default)]
    pub min_exclusive: bool,
    /// A number is rounded to the nearest whole number before its bounds are checked, and
    /// sent as that whole number (kling-3.0's `duration`: 7.4 → 7).
    #[serde(default)]
    pub round: bool,
    /// Only the first URL of the list is used; the normalised request keeps just that one
    /// (midjourney's style and omni references).
    #[serde(default)]
    pub first_item_only: bool,
    /// A shape every value must have besides its type (`W:H` ratios).
    #[serde(default)]
    pub format: Option<ValueFormat>,
    /// A value of the wrong type, shape or outside `allowed` is replaced by this one instead
    /// of refused (midjourney: an invalid `aspect_ratio` becomes `1:1`).
    #[serde(default)]
    pub invalid_becomes: Option<Value>,
}

/// A shape a string option's value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueFormat {
    /// Two positive whole numbers separated by a colon: `16:9`, `2:3`.
    Ratio,
}

impl ValueFormat {
    /// Whether `text` has this shape.
    pub fn matches(&self, text: &str) -> bool {
        match self {
            ValueFormat::Ratio => text.trim().split_once(':').is_some_and(|(w, h)| {
                let side = |s: &str| s.trim().parse::<u32>().is_ok_and(|n| n > 0);
                side(w) && side(h)
            }),
        }
    }

    /// Wording used by the documentation and error messages.
    pub fn describe(&self) -> &'static str {
        match self {
            ValueFormat::Ratio => "a ratio W:H of whole numbers such as 16:9",
        }
    }
}

/// A test on one option of a request: present (non-empty), or equal to a value. Where a
/// rule says so, an omitted option is judged by its catalogue default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionTest {
    pub key: String,
    /// `None`: the option is present and non-empty.
    #[serde(default)]
    pub equals: Option<Value>,
}

impl OptionTest {
    pub(crate) fn describe(&self) -> String {
        match &self.equals {
            None => format!("`{}`", self.key),
            Some(v) => format!("`{}: {}`", self.key, value_text(v)),
        }
    }
}

/// How many items one list may hold in one mode of a [`Rule::ModeByInputs`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListBound {
    pub list: String,
    pub min_items: usize,
    pub max_items: usize,
}

/// One value of a mode decided by several input lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputMode {
    pub value: String,
    /// Bounds on each list; a list not named here must be empty in this mode.
    pub lists: Vec<ListBound>,
    /// Items needed across all the lists together (omni reference needs one reference).
    #[serde(default)]
    pub min_total: usize,
}

/// One allowed value of a mode option and the item count of a list it requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeBound {
    pub value: String,
    pub min_items: usize,
    pub max_items: usize,
    /// What each item of the list means in this mode (see [`OptionSpec::slots`]).
    #[serde(default)]
    pub slots: Vec<String>,
}

/// Rules that tie several options together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// `key` picks a mode, and each mode bounds how many items `list` holds. When `key`
    /// is omitted, the first mode whose bounds contain the item count is inferred
    /// (veo `generationType` vs `image_input`).
    ModeByItemCount {
        key: String,
        list: String,
        modes: Vec<ModeBound>,
    },
    /// When `when_key` equals `when_value`, `key` may only take `allowed`
    /// (veo `REFERENCE_2_VIDEO` only allows `aspect_ratio` `16:9`).
    RestrictWhen {
        when_key: String,
        when_value: String,
        key: String,
        allowed: Vec<Value>,
    },
    /// At least one of `keys` must be present (watermark remover: `video_input` or `video_url`).
    OneOfRequired { keys: Vec<String> },
    /// In `scene`, the second item of `list` is moved to `to` unless `to` is already set
    /// (seedance-1-lite: second image → `end_image_url`).
    SecondItemBecomes {
        list: String,
        to: String,
        scene: Scene,
    },
    /// `key` picks a mode and each mode bounds several lists at once; when `key` is
    /// omitted, the first mode the lists fit is inferred (seedance-2's `mode` from
    /// `image_input`, `video_input` and `audio_input`).
    ModeByInputs { key: String, modes: Vec<InputMode> },
    /// The lists together hold at most `max_items` URLs (seedance-2: 12 image and audio
    /// references in all).
    SharedMaxItems {
        lists: Vec<String>,
        max_items: usize,
    },
    /// `key` may only be sent together with at least one of `with` (seedance-2's
    /// `audio_input` is never alone).
    NeedsCompanion { key: String, with: Vec<String> },
    /// A non-empty `list` routes the request to `scene`, even when another scene was
    /// given (kling-3.0: images make it image-to-video).
    ListRoutesTo { list: String, scene: Scene },
    /// The media in `lists` may last at most `max_secs` in total. Lengths come from
    /// [`crate::validate::InputFacts`] and, when `declared_by` names an option, from the
    /// length the request declares. With `when`, the limit holds only while that option
    /// (or its default) has that value.
    MaxInputSeconds {
        lists: Vec<String>,
        max_secs: f64,
        #[serde(default)]
        declared_by: Option<String>,
        #[serde(default)]
        when: Option<OptionTest>,
    },
    /// The prompt may be left out when every test of `all` holds and, if `any` is not
    /// empty, at least one of `any` does (suno-music-v5's full custom payload).
    PromptUnless {
        all: Vec<OptionTest>,
        #[serde(default)]
        any: Vec<OptionTest>,
    },
}

impl Rule {
    /// One sentence for documentation and form hints.
    pub fn describe(&self) -> String {
        match self {
            Rule::ModeByItemCount { key, list, modes } => {
                let parts: Vec<String> = modes
                    .iter()
                    .map(|m| format!("`{}`: {}", m.value, count_range(m.min_items, m.max_items)))
                    .collect();
                format!(
                    "`{key}` decides how many `{list}` items are allowed ({}); when omitted it is inferred from the count.",
                    parts.join("; ")
                )
            }
            Rule::RestrictWhen {
                when_key,
                when_value,
                key,
                allowed,
            } => format!(
                "When `{when_key}` is `{when_value}`, `{key}` may only be {}.",
                join_values(allowed, " / ")
            ),
            Rule::OneOfRequired { keys } => format!(
                "One of {} is required.",
                keys.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            Rule::SecondItemBecomes { list, to, scene } => format!(
                "In {scene}, a second `{list}` item is used as `{to}` unless `{to}` is set."
            ),
            Rule::ModeByInputs { key, modes } => {
                let parts: Vec<String> = modes
                    .iter()
                    .map(|m| {
                        let lists: Vec<String> = m
                            .lists
                            .iter()
                            .filter(|b| b.max_items > 0)
                            .map(|b| {
                                format!("{} `{}`", count_range(b.min_items, b.max_items), b.list)
                            })
                            .collect();
                        let lists = if lists.is_empty() {
                            "no references".to_string()
                        } else {
                            lists.join(", ")
                        };
                        if m.min_total > 0 {
                            format!("`{}`: {lists}, at least {} in all", m.value, m.min_total)
                        } else {
                            format!("`{}`: {lists}", m.value)
                        }
                    })
                    .collect();
                format!(
                    "`{key}` decides which references are allowed ({}); when omitted the first that fits is inferred.",
                    parts.join("; ")
                )
            }
            Rule::SharedMaxItems { lists, max_items } => format!(
                "{} hold at most {max_items} URLs together.",
                ticked(lists, " and ")
            ),
            Rule::NeedsCompanion { key, with } => format!(
                "`{key}` is never sent alone: it needs {} as well.",
                ticked(with, " or ")
            ),
            Rule::ListRoutesTo { list, scene } => {
                format!("A non-empty `{list}` makes the request {scene}, whatever scene is given.")
            }
            Rule::MaxInputSeconds {
                lists,
                max_secs,
                declared_by,
                when,
            } => {
                let mut text = format!(
                    "The media in {} may last at most {max_secs} s in total",
                    ticked(lists, " and ")
                );
                if let Some(when) = when {
                    text.push_str(&format!(" when {} (default included)", when.describe()));
                }
                if let Some(declared) = declared_by {
                    text.push_str(&format!("; `{declared}` declares the length"));
                }
                text.push('.');
                text
            }
            Rule::PromptUnless { all, any } => {
                let mut needs: Vec<String> = all.iter().map(OptionTest::describe).collect();
                if !any.is_empty() {
                    let either: Vec<String> = any.iter().map(OptionTest::describe).collect();
                    needs.push(format!("one of {}", either.join(" or ")));
                }
                format!(
                    "The prompt may be left out when the options carry {}.",
                    needs.join(", ")
                )
            }
        }
    }
}

fn ticked(keys: &[String], sep: &str) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(sep)
}

pub(crate) fn count_range(min: usize, max: usize) -> String {
    if min == max {
        format!("{min}")
    } else {
        format!("{min}-{max}")
    }
}

/// A key that belongs to a provider's own API and is refused by the public one, with the
/// public option to use instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternalKey {
    pub key: String,
    pub use_instead: String,
}

/// Everything the workspace knows about one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub model: String,
    /// Display name.
    pub label: String,
    #[serde(default)]
    pub description: String,
    pub media_type: MediaType,
    /// Scenes the model supports. Empty (only for generic entries whose listing named
    /// none) means any scene is accepted.
    pub scenes: Vec<Scene>,
    pub prompt: PromptRequirement,
    pub validation: ValidationLevel,
    pub options: Vec<OptionSpec>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// False for a generic entry made from a `GET /models` listing this catalogue does
    /// not know: prompt optional, every option passed through.
    #[serde(default = "yes")]
    pub known: bool,
}

fn yes() -> bool {
    true
}

/// The whole table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    pub models: Vec<ModelSpec>,
    /// Provider-internal keys refused for every known model (unless the model declares an
    /// option of that name, like the watermark remover's `video_url`).
    #[serde(default)]
    pub internal_keys: Vec<InternalKey>,
}

impl ModelSpec {
    /// A usable entry for a model only the server knows: media type and scenes from the
    /// listing, prompt optional, every option forwarded. It still offers `image_input` /
    /// `video_input` where its scenes consume them, so a form can show upload fields.
    pub fn generic(info: &ModelInfo) -> ModelSpec {
        let uses = |wanted: &[Scene]| info.supported_scenes.iter().any(|s| wanted.contains(s));
        let mut options = Vec::new();
        if uses(&[Scene::ImageToImage, Scene::ImageToVideo]) {
            options.push(
                opt("image_input", OptionKind::UrlList, "Input images")
                    .help("Reference image URLs (upload them first)."),
            );
        }
        if uses(&[Scene::VideoToVideo]) {
            options.push(
                opt("video_input", OptionKind::UrlList, "Input videos")
                    .help("Reference video URLs (upload them first)."),
            );
        }
        ModelSpec {
            model: info.model.clone(),
            label: info
                .extra
                .get("label")
                .and_then(Value::as_str)
                .unwrap_or(&info.model)
                .to_string(),
            description: "Listed by the server but not described by this app's catalogue; options are forwarded unchecked.".into(),
            media_type: info.media_type.clone(),
            scenes: info.supported_scenes.clone(),
            prompt: PromptRequirement::Optional,
            validation: ValidationLevel::PassThrough,
            options,
            rules: Vec::new(),
            known: false,
        }
    }

    /// The option spec for `key` or one of its aliases.
    pub fn option(&self, key: &str) -> Option<&OptionSpec> {
        self.options
            .iter()
            .find(|o| o.key == key || o.aliases.iter().any(|a| a == key))
    }

    /// Whether the model accepts `scene` (an empty scene list accepts any).
    pub fn supports_scene(&self, scene: &Scene) -> bool {
        self.scenes.is_empty() || self.scenes.contains(scene)
    }
}

impl Catalogue {
    /// The spec's complete matrix, built once per process.
    pub fn builtin() -> &'static Catalogue {
        static BUILTIN: OnceLock<Catalogue> = OnceLock::new();
        BUILTIN.get_or_init(|| Catalogue {
            models: builtin_models(),
            internal_keys: builtin_internal_keys(),
        })
    }

    pub fn model(&self, model: &str) -> Option<&ModelSpec> {
        self.models.iter().find(|m| m.model == model)
    }

    /// This catalogue, plus a generic entry for every listed model it does not know.
    /// Known models keep their specs, widened by any scene the listing adds.
    pub fn with_listed(&self, listed: &[ModelInfo]) -> Catalogue {
        let mut models = self.models.clone();
        for info in listed {
            match models.iter_mut().find(|m| m.model == info.model) {
                // The server is the authority on what a deployment accepts: a scene it
                // lists for a model this table knows is accepted too.
                Some(known) if !known.scenes.is_empty() => {
                    for scene in &info.supported_scenes {
                        if !known.scenes.contains(scene) {
                            known.scenes.push(scene.clone());
                        }
                    }
                }
                Some(_) => {}
                None => models.push(ModelSpec::generic(info)),
            }
        }
        Catalogue {
            models,
            internal_keys: self.internal_keys.clone(),
        }
    }
}

/// A value as a person writes it: strings without quotes.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(crate) fn join_values(values: &[Value], sep: &str) -> String {
    values.iter().map(value_text).collect::<Vec<_>>().join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builtin_has_every_documented_model_once() {
        let names: Vec<&str> = Catalogue::builtin()
            .models
            .iter()
            .map(|m| m.model.as_str())
            .collect();
        let expected = [
            "nano-banana-2",
            "nano-banana-pro",
            "midjourney-v7",
            "sora-2",
            "sora-2-pro",
            "seedance-2-preview",
            "seedance-2-fast-preview",
            "seedance-2-watermark-remover",
            "seedance-1-pro",
            "seedance-1-lite",
            "seedance-1-pro-fast",
            "kling-2.6",
            "veo-3.1-fast",
            "veo-3.1-quality",
            "kling-video-o1",
            "seedance-2",
            "seedance-2-fast",
            "kling-3.0",
            "kling-3.0-motion-control",
            "suno-sound-v5",
            "suno-sound-v5-5",
            "suno-music-v5",
        ];
        assert_eq!(names, expected);
        assert!(std::ptr::eq(Catalogue::builtin(), Catalogue::builtin()));
    }

    #[test]
    fn media_types_of_the_live_apis_models() {
        let media = |model: &str| {
            Catalogue::builtin()
                .model(model)
                .unwrap()
                .media_type
                .clone()
        };
        assert_eq!(media("midjourney-v7"), MediaType::Image);
        for video in [
            "seedance-2",
            "seedance-2-fast",
            "kling-3.0",
            "kling-3.0-motion-control",
        ] {
            assert_eq!(media(video), MediaType::Video, "{video}");
        }
        assert_eq!(media("suno-sound-v5"), MediaType::Audio);
        assert_eq!(media("suno-sound-v5-5"), MediaType::Audio);
        assert_eq!(media("suno-music-v5"), MediaType::Music);
    }

    /// api-evolution.md names the seven models that accept video-to-video.
    #[test]
    fn the_video_to_video_models_are_the_seven_the_live_api_names() {
        let mut v2v: Vec<&str> = Catalogue::builtin()
            .models
            .iter()
            .filter(|m| m.scenes.contains(&Scene::VideoToVideo))
            .map(|m| m.model.as_str())
            .collect();
        v2v.sort_unstable();
        assert_eq!(
            v2v,
            [
                "kling-3.0-motion-control",
                "kling-video-o1",
                "seedance-2",
                "seedance-2-fast",
                "seedance-2-fast-preview",
                "seedance-2-preview",
                "seedance-2-watermark-remover",
            ]
        );
    }

    #[test]
    fn ratios_are_two_positive_whole_numbers() {
        for good in ["1:1", "16:9", " 2:3 ", "21:9"] {
            assert!(ValueFormat::Ratio.matches(good), "{good}");
        }
        for bad in [
            "",
            "16/9",
            "0:1",
            "1:0",
            "a:b",
            "1.5:1",
            "16:9:1",
            "landscape",
        ] {
            assert!(!ValueFormat::Ratio.matches(bad), "{bad}");
        }
    }

    #[test]
    fn catalogue_round_trips_through_json() {
        let text = serde_json::to_string(Catalogue::builtin()).unwrap();
        let back: Catalogue = serde_json::from_str(&text).unwrap();
        assert_eq!(&back, Catalogue::builtin());
    }

    #[test]
    fn option_finds_aliases() {
        let sora = Catalogue::builtin().model("sora-2").unwrap();
        assert_eq!(sora.option("n_frames").unwrap().key, "duration");
        assert!(sora.option("resolution").is_none());
    }

    #[test]
    fn generic_entries_offer_inputs_their_scenes_use() {
        let info: ModelInfo = serde_json::from_value(json!({
            "model": "vidu-motion-next",
            "media_type": "video",
            "supported_scenes": ["video-to-video"]
        }))
        .unwrap();
        let spec = ModelSpec::generic(&info);
        assert!(!spec.known);
        assert_eq!(spec.validation, ValidationLevel::PassThrough);
        assert_eq!(spec.prompt, PromptRequirement::Optional);
        assert!(spec.option("video_input").is_some());
        assert!(spec.option("image_input").is_none());
        let listed = Catalogue::builtin().with_listed(std::slice::from_ref(&info));
        assert_eq!(listed.models.len(), Catalogue::builtin().models.len() + 1);
        // A listed model the catalogue already knows keeps its full spec.
        let known: ModelInfo = serde_json::from_value(json!({
            "model": "sora-2", "media_type": "video", "supported_scenes": []
        }))
        .unwrap();
        let again = Catalogue::builtin().with_listed(&[known]);
        assert!(again.model("sora-2").unwrap().known);
    }

    #[test]
    fn a_scene_the_server_lists_for_a_known_model_is_accepted() {
        use crate::types::GenerationRequest;
        let info: ModelInfo = serde_json::from_value(json!({
            "model": "sora-2", "media_type": "video",
            "supported_scenes": ["text-to-video", "video-to-video"]
        }))
        .unwrap();
        let request = GenerationRequest {
            model: "sora-2".into(),
            prompt: Some("waves".into()),
            scene: Some(Scene::VideoToVideo),
            ..Default::default()
        };
        let builtin = Catalogue::builtin();
        let refused = builtin.validate(&request, &MediaType::Video).unwrap_err();
        assert_eq!(refused[0].field, "scene");
        let listed = builtin.with_listed(&[info]);
        let spec = listed.model("sora-2").unwrap();
        assert!(spec.known, "options stay strict");
        assert_eq!(
            spec.scenes,
            vec![Scene::TextToVideo, Scene::ImageToVideo, Scene::VideoToVideo]
        );
        let accepted = listed.validate(&request, &MediaType::Video).unwrap();
        assert_eq!(accepted.scene, Scene::VideoToVideo);
    }
}

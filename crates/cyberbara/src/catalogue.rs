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
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::sync::OnceLock;

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
        }
    }
}

fn count_range(min: usize, max: usize) -> String {
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

    /// The catalogue as Markdown (the generated part of `docs/CATALOGUE.md`).
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail; the results are ignored for that reason.
        let _ = writeln!(
            out,
            "| Model | Media | Scenes | Prompt | Validation |\n| --- | --- | --- | --- | --- |"
        );
        for m in &self.models {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                m.model,
                m.media_type,
                m.scenes
                    .iter()
                    .map(Scene::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                match m.prompt {
                    PromptRequirement::Required => "required",
                    PromptRequirement::Optional => "optional",
                },
                m.validation.describe()
            );
        }
        if !self.internal_keys.is_empty() {
            let _ = writeln!(
                out,
                "\nRefused provider-internal keys (unless a model declares them as its own option): {}.",
                self.internal_keys
                    .iter()
                    .map(|k| format!("`{}` (use `{}`)", k.key, k.use_instead))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for m in &self.models {
            let _ = writeln!(out, "\n### `{}` — {}\n", m.model, m.label);
            if !m.description.is_empty() {
                let _ = writeln!(out, "{}\n", m.description);
            }
            let _ = writeln!(
                out,
                "| Option | Aliases | Type | Allowed | Default | Limits | Applies to | Required for | Help |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
            );
            for o in &m.options {
                let _ = writeln!(out, "| {} |", option_row(o).join(" | "));
            }
            if !m.rules.is_empty() {
                out.push('\n');
            }
            for r in &m.rules {
                let _ = writeln!(out, "- {}", r.describe());
            }
        }
        out
    }
}

fn option_row(o: &OptionSpec) -> Vec<String> {
    let mut allowed = if o.allowed.is_empty() {
        "any".to_string()
    } else if o.enforce_allowed {
        join_values(&o.allowed, " / ")
    } else {
        format!("recommended: {}", join_values(&o.allowed, " / "))
    };
    if !o.normalize.is_empty() {
        let rewrites: Vec<String> = o
            .normalize
            .iter()
            .map(|n| format!("{}→{}", n.from, n.to))
            .collect();
        allowed.push_str(&format!(" (normalised: {})", rewrites.join(", ")));
    }
    let mut limits = Vec::new();
    match (o.min, o.max) {
        (Some(lo), Some(hi)) => limits.push(format!("{lo} to {hi}")),
        (Some(lo), None) => limits.push(format!(">= {lo}")),
        (None, Some(hi)) => limits.push(format!("<= {hi}")),
        (None, None) => {}
    }
    match (o.min_items, o.max_items) {
        (Some(lo), Some(hi)) => limits.push(format!(
            "{} item{}",
            count_range(lo, hi),
            if hi == 1 { "" } else { "s" }
        )),
        (Some(lo), None) => limits.push(format!(">= {lo} items")),
        (None, Some(hi)) => limits.push(format!("<= {hi} items")),
        (None, None) => {}
    }
    let scenes = |list: &[Scene], empty: &str| {
        if list.is_empty() {
            empty.to_string()
        } else {
            list.iter()
                .map(Scene::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    vec![
        format!("`{}`", o.key),
        o.aliases
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", "),
        o.kind.describe().to_string(),
        allowed,
        o.default.as_ref().map(value_text).unwrap_or_default(),
        limits.join(", "),
        scenes(&o.scenes, "all"),
        scenes(&o.required_for, ""),
        o.help.replace('|', "\\|"),
    ]
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

// ---------------------------------------------------------------- the table

/// Starts an option with everything optional; the chained setters below fill it in.
fn opt(key: &str, kind: OptionKind, label: &str) -> OptionSpec {
    OptionSpec {
        key: key.into(),
        aliases: Vec::new(),
        label: label.into(),
        help: String::new(),
        kind,
        allowed: Vec::new(),
        enforce_allowed: false,
        default: None,
        min: None,
        max: None,
        min_items: None,
        max_items: None,
        normalize: Vec::new(),
        scenes: Vec::new(),
        required_for: Vec::new(),
        slots: Vec::new(),
    }
}

impl OptionSpec {
    fn help(mut self, help: &str) -> Self {
        self.help = help.into();
        self
    }
    fn aliases(mut self, aliases: &[&str]) -> Self {
        self.aliases = aliases.iter().map(|a| a.to_string()).collect();
        self
    }
    /// Values outside `values` are refused.
    fn only(mut self, values: &[Value]) -> Self {
        self.allowed = values.to_vec();
        self.enforce_allowed = true;
        self
    }
    /// Values outside `values` are passed through.
    fn recommend(mut self, values: &[Value]) -> Self {
        self.allowed = values.to_vec();
        self.enforce_allowed = false;
        self
    }
    fn default(mut self, value: Value) -> Self {
        self.default = Some(value);
        self
    }
    fn range(mut self, min: f64, max: f64) -> Self {
        self.min = Some(min);
        self.max = Some(max);
        self
    }
    fn items(mut self, min: Option<usize>, max: Option<usize>) -> Self {
        self.min_items = min;
        self.max_items = max;
        self
    }
    fn normalize(mut self, pairs: &[(&str, &str)]) -> Self {
        self.normalize = pairs
            .iter()
            .map(|(from, to)| Normalization {
                from: from.to_string(),
                to: to.to_string(),
            })
            .collect();
        self
    }
    fn scenes(mut self, scenes: &[Scene]) -> Self {
        self.scenes = scenes.to_vec();
        self
    }
    fn required_for(mut self, scenes: &[Scene]) -> Self {
        self.required_for = scenes.to_vec();
        self
    }
    fn slots(mut self, slots: &[&str]) -> Self {
        self.slots = slots.iter().map(|s| s.to_string()).collect();
        self
    }
}

fn strs(values: &[&str]) -> Vec<Value> {
    values.iter().map(|v| json!(v)).collect()
}

fn builtin_internal_keys() -> Vec<InternalKey> {
    [
        ("image_url", "image_input"),
        ("image_urls", "image_input"),
        ("input_images", "image_input"),
        ("imageUrls", "image_input"),
        ("video_url", "video_input"),
    ]
    .iter()
    .map(|(key, instead)| InternalKey {
        key: key.to_string(),
        use_instead: instead.to_string(),
    })
    .collect()
}

struct ModelHead<'a> {
    model: &'a str,
    label: &'a str,
    description: &'a str,
    media_type: MediaType,
    scenes: &'a [Scene],
    prompt: PromptRequirement,
    validation: ValidationLevel,
}

fn model(head: ModelHead<'_>, options: Vec<OptionSpec>, rules: Vec<Rule>) -> ModelSpec {
    ModelSpec {
        model: head.model.into(),
        label: head.label.into(),
        description: head.description.into(),
        media_type: head.media_type,
        scenes: head.scenes.to_vec(),
        prompt: head.prompt,
        validation: head.validation,
        options,
        rules,
        known: true,
    }
}

fn nano_banana_options(google_search: bool) -> Vec<OptionSpec> {
    let mut options = vec![
        opt("image_input", OptionKind::UrlList, "Input images")
            .help("Reference image URLs; a non-empty list makes the request image-to-image.")
            .slots(&["reference {n}"])
            .scenes(&[Scene::ImageToImage])
            .required_for(&[Scene::ImageToImage]),
        opt("aspect_ratio", OptionKind::String, "Aspect ratio")
            .help("Any ratio such as 16:9 or 1:1; passed through as written."),
        opt("resolution", OptionKind::String, "Resolution")
            .help("1K, 2K or 4K; lower-case spellings are normalised, other values passed through.")
            .recommend(&strs(&["1K", "2K", "4K"]))
            .normalize(&[("1k", "1K"), ("2k", "2K"), ("4k", "4K")]),
        opt("output_format", OptionKind::String, "Output format")
            .help("jpg or png; jpeg becomes jpg, other values are passed through.")
            .recommend(&strs(&["jpg", "png"]))
            .normalize(&[("jpeg", "jpg")]),
    ];
    if google_search {
        options.push(
            opt("google_search", OptionKind::Boolean, "Google search")
                .help("Let the model ground the image in web search results."),
        );
    }
    options
}

fn sora_common() -> Vec<OptionSpec> {
    vec![
        opt("image_input", OptionKind::UrlList, "Input images")
            .help("Reference image URLs; required for image-to-video.")
            .slots(&["reference {n}"])
            .scenes(&[Scene::ImageToVideo])
            .required_for(&[Scene::ImageToVideo]),
        opt("aspect_ratio", OptionKind::String, "Orientation")
            .help("landscape or portrait.")
            .only(&strs(&["landscape", "portrait"]))
            .default(json!("landscape")),
        opt("duration", OptionKind::StringOrNumber, "Duration (s)")
            .help("Clip length in seconds: 10 or 15.")
            .aliases(&["n_frames"])
            .only(&[json!(10), json!(15)])
            .default(json!(10)),
    ]
}

fn seedance_2_options() -> Vec<OptionSpec> {
    vec![
        opt("image_input", OptionKind::UrlList, "Input images")
            .help("Up to 9 reference images, usable in the prompt as @image1, @image2, …")
            .slots(&["@image{n}"])
            .items(None, Some(9))
            .scenes(&[Scene::ImageToVideo, Scene::VideoToVideo])
            .required_for(&[Scene::ImageToVideo]),
        opt("video_input", OptionKind::UrlList, "Input video")
            .help("Exactly one video to edit; makes the request video-to-video.")
            .slots(&["video to edit"])
            .items(Some(1), Some(1))
            .scenes(&[Scene::VideoToVideo])
            .required_for(&[Scene::VideoToVideo]),
        opt("duration", OptionKind::StringOrNumber, "Duration (s)")
            .help("5, 10 or 15 seconds; a video edit keeps the input video's length.")
            .only(&[json!(5), json!(10), json!(15)])
            .default(json!(5))
            .scenes(&[Scene::TextToVideo, Scene::ImageToVideo]),
        opt("aspect_ratio", OptionKind::String, "Aspect ratio")
            .help("Best effort; an input image's ratio may override it.")
            .only(&strs(&["16:9", "9:16", "4:3", "3:4"]))
            .default(json!("16:9")),
        opt("parent_task_id", OptionKind::String, "Extend task")
            .help("Id of an earlier Seedance 2.0 task to extend; missing fields are inherited."),
    ]
}

fn seed_option(min: f64, max: f64) -> OptionSpec {
    opt("seed", OptionKind::Integer, "Seed")
        .help("Fixes randomness so a request can be repeated.")
        .aliases(&["seeds"])
        .range(min, max)
}

fn seedance_1_options(lite: bool) -> Vec<OptionSpec> {
    let mut options = vec![
        opt("image_input", OptionKind::UrlList, "Input images")
            .help(if lite {
                "The first image starts the clip; a second one becomes the end frame."
            } else {
                "The first image starts the clip."
            })
            .slots(if lite {
                &["first frame", "last frame"][..]
            } else {
                &["first frame"][..]
            })
            .scenes(&[Scene::ImageToVideo])
            .required_for(&[Scene::ImageToVideo]),
        opt("resolution", OptionKind::String, "Resolution")
            .help("480p, 720p or 1080p recommended; other values are passed through.")
            .recommend(&strs(&["480p", "720p", "1080p"]))
            .default(json!("720p")),
        opt("duration", OptionKind::StringOrNumber, "Duration (s)")
            .help("5 or 10 seconds recommended.")
            .recommend(&[json!(5), json!(10)])
            .default(json!(5)),
        opt("aspect_ratio", OptionKind::String, "Aspect ratio")
            .help("Used for text-to-video only; image-to-video follows the image.")
            .default(json!("16:9"))
            .scenes(&[Scene::TextToVideo]),
        opt("camera_fixed", OptionKind::Boolean, "Fixed camera").help("Keep the camera still."),
        seed_option(-1.0, 2_147_483_647.0)
            .help("-1 for random, or a fixed seed to repeat a result."),
    ];
    let safety = opt(
        "enable_safety_checker",
        OptionKind::Boolean,
        "Safety checker",
    )
    .help("Run the provider's safety checker on the output.");
    if lite {
        options.push(safety.scenes(&[Scene::TextToVideo]));
        options.push(
            opt("end_image_url", OptionKind::Url, "End frame")
                .help("Image the clip ends on (image-to-video).")
                .slots(&["last frame"])
                .scenes(&[Scene::ImageToVideo]),
        );
    } else {
        options.push(safety);
    }
    options
}

fn veo_options(reference: bool) -> Vec<OptionSpec> {
    let mut types = vec!["TEXT_2_VIDEO", "FIRST_AND_LAST_FRAMES_2_VIDEO"];
    if reference {
        types.push("REFERENCE_2_VIDEO");
    }
    vec![
        opt("image_input", OptionKind::UrlList, "Input images")
            .help("0 images for text, 1-2 for first/last frames, 1-3 for references.")
            .slots(&["first frame", "last frame"])
            .required_for(&[Scene::ImageToVideo]),
        opt("generationType", OptionKind::String, "Generation type")
            .help("How images are used; inferred from the number of images when omitted.")
            .only(&strs(&types)),
        opt("aspect_ratio", OptionKind::String, "Aspect ratio")
            .help("16:9, 9:16 or Auto; landscape and portrait are accepted.")
            .only(&strs(&["16:9", "9:16", "Auto"]))
            .normalize(&[("landscape", "16:9"), ("portrait", "9:16")])
            .default(json!("16:9")),
        seed_option(10_000.0, 99_999.0),
        opt("enableTranslation", OptionKind::Boolean, "Translate prompt")
            .help("Translate the prompt to English before generating."),
        opt("watermark", OptionKind::String, "Watermark").help("Text watermark to add."),
    ]
}

fn veo_rules(reference: bool) -> Vec<Rule> {
    let mut modes = vec![
        ModeBound {
            value: "TEXT_2_VIDEO".into(),
            min_items: 0,
            max_items: 0,
            slots: Vec::new(),
        },
        ModeBound {
            value: "FIRST_AND_LAST_FRAMES_2_VIDEO".into(),
            min_items: 1,
            max_items: 2,
            slots: vec!["first frame".into(), "last frame".into()],
        },
    ];
    let mut rules = Vec::new();
    if reference {
        modes.push(ModeBound {
            value: "REFERENCE_2_VIDEO".into(),
            min_items: 1,
            max_items: 3,
            slots: vec!["reference {n}".into()],
        });
    }
    rules.push(Rule::ModeByItemCount {
        key: "generationType".into(),
        list: "image_input".into(),
        modes,
    });
    if reference {
        rules.push(Rule::RestrictWhen {
            when_key: "generationType".into(),
            when_value: "REFERENCE_2_VIDEO".into(),
            key: "aspect_ratio".into(),
            allowed: strs(&["16:9"]),
        });
    }
    rules
}

fn builtin_models() -> Vec<ModelSpec> {
    use MediaType::{Image, Video};
    use PromptRequirement::{Optional, Required};
    use Scene::{ImageToImage, ImageToVideo, TextToImage, TextToVideo, VideoToVideo};
    use ValidationLevel::{PassThrough, Strict, StrictNormalizing};
    const IMAGE: &[Scene] = &[TextToImage, ImageToImage];
    const VIDEO: &[Scene] = &[TextToVideo, ImageToVideo];
    const ALL_VIDEO: &[Scene] = &[TextToVideo, ImageToVideo, VideoToVideo];

    let mut sora_2 = sora_common();
    sora_2.push(
        opt("remove_watermark", OptionKind::Boolean, "Remove watermark")
            .help("Deliver the clip without the provider's watermark.")
            .default(json!(true)),
    );
    sora_2.push(
        opt("upload_method", OptionKind::String, "Upload method")
            .help("Storage the provider uploads the result to: s3 or oss.")
            .only(&strs(&["s3", "oss"]))
            .default(json!("s3")),
    );
    let mut sora_2_pro = sora_common();
    sora_2_pro.push(
        opt("resolution", OptionKind::String, "Quality")
            .help("standard or high.")
            .aliases(&["size"])
            .only(&strs(&["standard", "high"]))
            .default(json!("standard")),
    );

    vec![
        model(
            ModelHead {
                model: "nano-banana-2",
                label: "Nano Banana 2",
                description: "Image generation and editing with optional web grounding.",
                media_type: Image,
                scenes: IMAGE,
                prompt: Required,
                validation: StrictNormalizing,
            },
            nano_banana_options(true),
            vec![],
        ),
        model(
            ModelHead {
                model: "nano-banana-pro",
                label: "Nano Banana Pro",
                description: "High-quality image generation and editing.",
                media_type: Image,
                scenes: IMAGE,
                prompt: Required,
                validation: StrictNormalizing,
            },
            nano_banana_options(false),
            vec![],
        ),
        model(
            ModelHead {
                model: "sora-2",
                label: "Sora 2",
                description: "Video from text or reference images, 10 or 15 seconds.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: Strict,
            },
            sora_2,
            vec![],
        ),
        model(
            ModelHead {
                model: "sora-2-pro",
                label: "Sora 2 Pro",
                description: "Sora 2 with a high-quality tier; the prompt is optional but recommended.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Optional,
                validation: Strict,
            },
            sora_2_pro,
            vec![],
        ),
        model(
            ModelHead {
                model: "seedance-2-preview",
                label: "Seedance 2.0 (preview)",
                description: "Video from text, up to 9 images, or an existing video to edit.",
                media_type: Video,
                scenes: ALL_VIDEO,
                prompt: Required,
                validation: Strict,
            },
            seedance_2_options(),
            vec![],
        ),
        model(
            ModelHead {
                model: "seedance-2-fast-preview",
                label: "Seedance 2.0 Fast (preview)",
                description: "Faster Seedance 2.0 with the same options.",
                media_type: Video,
                scenes: ALL_VIDEO,
                prompt: Required,
                validation: Strict,
            },
            seedance_2_options(),
            vec![],
        ),
        model(
            ModelHead {
                model: "seedance-2-watermark-remover",
                label: "Seedance 2.0 watermark remover",
                description: "Removes the watermark from a video; pass scene video-to-video when sending only video_url.",
                media_type: Video,
                scenes: &[VideoToVideo],
                prompt: Optional,
                validation: Strict,
            },
            vec![
                opt("video_input", OptionKind::UrlList, "Video")
                    .help("The one video to clean up.")
                    .slots(&["video"])
                    .items(Some(1), Some(1)),
                opt("video_url", OptionKind::Url, "Video URL")
                    .help("Alternative to the video list: one video URL.")
                    .slots(&["video"]),
                opt("duration", OptionKind::StringOrNumber, "Duration hint (s)")
                    .help("Optional; detected from the video when omitted."),
            ],
            vec![Rule::OneOfRequired {
                keys: vec!["video_input".into(), "video_url".into()],
            }],
        ),
        model(
            ModelHead {
                model: "seedance-1-pro",
                label: "Seedance 1 Pro",
                description: "Video from text or a starting image.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: StrictNormalizing,
            },
            seedance_1_options(false),
            vec![],
        ),
        model(
            ModelHead {
                model: "seedance-1-lite",
                label: "Seedance 1 Lite",
                description: "Video from text, or from a start image and optional end image.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: StrictNormalizing,
            },
            seedance_1_options(true),
            vec![Rule::SecondItemBecomes {
                list: "image_input".into(),
                to: "end_image_url".into(),
                scene: ImageToVideo,
            }],
        ),
        model(
            ModelHead {
                model: "seedance-1-pro-fast",
                label: "Seedance 1 Pro Fast",
                description: "Fast video from a starting image.",
                media_type: Video,
                scenes: &[ImageToVideo],
                prompt: Required,
                validation: StrictNormalizing,
            },
            vec![
                opt("image_input", OptionKind::UrlList, "Input images")
                    .help("The first image starts the clip.")
                    .slots(&["first frame"])
                    .required_for(&[ImageToVideo]),
                opt("resolution", OptionKind::String, "Resolution")
                    .help("720p or 1080p recommended; other values are passed through.")
                    .recommend(&strs(&["720p", "1080p"]))
                    .default(json!("720p")),
                opt("duration", OptionKind::StringOrNumber, "Duration (s)")
                    .help("5 or 10 seconds recommended.")
                    .recommend(&[json!(5), json!(10)])
                    .default(json!(5)),
            ],
            vec![],
        ),
        model(
            ModelHead {
                model: "kling-2.6",
                label: "Kling 2.6",
                description: "Video from text or an image, 5 or 10 seconds, optional sound.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: Strict,
            },
            vec![
                opt("image_input", OptionKind::UrlList, "Input images")
                    .help("Reference image URLs; required for image-to-video.")
                    .slots(&["first frame"])
                    .scenes(&[ImageToVideo])
                    .required_for(&[ImageToVideo]),
                opt("duration", OptionKind::StringOrNumber, "Duration (s)")
                    .help("5 or 10 seconds.")
                    .only(&[json!(5), json!(10)])
                    .default(json!(5)),
                opt("sound", OptionKind::Boolean, "Sound")
                    .help("Generate a soundtrack with the video.")
                    .default(json!(false)),
                opt("aspect_ratio", OptionKind::String, "Aspect ratio")
                    .help("1:1, 16:9 or 9:16; text-to-video only.")
                    .only(&strs(&["1:1", "16:9", "9:16"]))
                    .default(json!("16:9"))
                    .scenes(&[TextToVideo]),
            ],
            vec![],
        ),
        model(
            ModelHead {
                model: "veo-3.1-fast",
                label: "Veo 3.1 Fast",
                description: "Video from text, first/last frames or up to 3 reference images.",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: Strict,
            },
            veo_options(true),
            veo_rules(true),
        ),
        model(
            ModelHead {
                model: "veo-3.1-quality",
                label: "Veo 3.1 Quality",
                description: "Higher-quality Veo 3.1 from text or first/last frames (no reference mode).",
                media_type: Video,
                scenes: VIDEO,
                prompt: Required,
                validation: Strict,
            },
            veo_options(false),
            veo_rules(false),
        ),
        model(
            ModelHead {
                model: "kling-video-o1",
                label: "Kling Video O1",
                description: "Video editing; every option is forwarded to the provider, which may require more fields.",
                media_type: Video,
                scenes: &[VideoToVideo],
                prompt: Required,
                validation: PassThrough,
            },
            vec![
                opt("video_input", OptionKind::UrlList, "Input video")
                    .help("The video to edit (first URL used); needed in practice.")
                    .slots(&["video to edit"]),
                opt("image_input", OptionKind::UrlList, "Input images")
                    .help("Optional reference images.")
                    .slots(&["reference {n}"]),
            ],
            vec![],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

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
        ];
        assert_eq!(names, expected);
        assert!(std::ptr::eq(Catalogue::builtin(), Catalogue::builtin()));
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
            "model": "kling-3.0-motion-control",
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

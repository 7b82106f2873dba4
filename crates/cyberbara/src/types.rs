//! Wire types: request and reply bodies exactly as `cyberbara-api-v1.md` spells them.
//!
//! Every reply type tolerates unknown fields (the live API grows), and the open-ended
//! enums ([`MediaType`], [`Scene`], [`TaskStatus`], [`ErrorCode`]) keep values they do not
//! know as strings instead of failing, so a newer server never breaks an older client.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// Generates a string-backed enum whose unknown values survive as `Other(String)`.
//
// Kept instead of `strum` + `serde_with` (derive `EnumString`/`AsRefStr`/`Display` and
// `SerializeDisplay`/`DeserializeFromStr`): those cover parsing and printing, but not
// `KNOWN` (strum's `VariantArray` refuses the data-carrying `Other`), `is_known` or an
// infallible `parse`, so each enum would still need its own impl block next to five
// derives and per-enum attributes. The result would be longer than this one macro and
// add two dependencies.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know; kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every value this version knows, in documentation order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s.as_str(),
                }
            }

            /// Parses the wire spelling; unknown text becomes `Other`.
            pub fn parse(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_string()),
                }
            }

            /// Whether this is one of the documented values.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok($name::parse(&s))
            }
        }
    };
}

open_enum!(
    /// What a model produces. `audio` and `music` come from the live API's later growth.
    MediaType {
        Image => "image",
        Video => "video",
        Audio => "audio",
        Music => "music",
    }
);

open_enum!(
    /// How a task uses its inputs.
    Scene {
        TextToImage => "text-to-image",
        ImageToImage => "image-to-image",
        TextToVideo => "text-to-video",
        ImageToVideo => "image-to-video",
        VideoToVideo => "video-to-video",
        TextToAudio => "text-to-audio",
        TextToMusic => "text-to-music",
    }
);

open_enum!(
    /// A task's lifecycle state.
    TaskStatus {
        Pending => "pending",
        Processing => "processing",
        Success => "success",
        Failed => "failed",
        Canceled => "canceled",
    }
);

impl MediaType {
    /// The path under `/api/v1` that creates tasks of this media type:
    /// `images/generations`, `videos/generations`, and the live API's
    /// `audio/generations` and `music/generations`. An unknown type `x` maps to
    /// `x/generations`, the pattern every documented route follows.
    pub fn generation_path(&self) -> String {
        let segment = match self {
            MediaType::Image => "images",
            MediaType::Video => "videos",
            MediaType::Audio => "audio",
            MediaType::Music => "music",
            MediaType::Other(other) => other.as_str(),
        };
        format!("{segment}/generations")
    }
}

impl TaskStatus {
    /// `success`, `failed` and `canceled` never change again.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            TaskStatus::Success | TaskStatus::Failed | TaskStatus::Canceled
        )
    }
}

open_enum!(
    /// Every error code the v1 reference lists. Unknown codes survive as `Other`.
    ErrorCode {
        ApiKeyRequired => "api_key_required",
        InvalidApiKey => "invalid_api_key",
        TooManyRequests => "too_many_requests",
        InvalidJson => "invalid_json",
        InvalidMultipart => "invalid_multipart",
        InvalidDate => "invalid_date",
        InvalidDateRange => "invalid_date_range",
        FilesRequired => "files_required",
        TooManyFiles => "too_many_files",
        InvalidFileType => "invalid_file_type",
        InvalidFileSize => "invalid_file_size",
        FileTooLarge => "file_too_large",
        InvalidModel => "invalid_model",
        UnsupportedModel => "unsupported_model",
        InvalidModelForMediaType => "invalid_model_for_media_type",
        InvalidScene => "invalid_scene",
        SceneNotSupported => "scene_not_supported",
        InvalidMediaType => "invalid_media_type",
        InvalidRequest => "invalid_request",
        ServiceUnavailable => "service_unavailable",
        InsufficientCredits => "insufficient_credits",
        UploadFailed => "upload_failed",
        GenerationFailed => "generation_failed",
        InvalidTaskId => "invalid_task_id",
        TaskNotFound => "task_not_found",
        TaskNotReady => "task_not_ready",
        QueryFailed => "query_failed",
        InternalError => "internal_error",
    }
);

/// Credits are whole numbers in every documented example, but a float from a newer
/// server must not break a reply: it is rounded.
pub type Credits = i64;

fn lenient_credits<'de, D: Deserializer<'de>>(d: D) -> Result<Credits, D::Error> {
    let v = Value::deserialize(d)?;
    match &v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f.round() as i64))
            .ok_or_else(|| serde::de::Error::custom("credits out of range")),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .map(|f| f.round() as i64)
            .map_err(|_| serde::de::Error::custom("credits must be a number")),
        Value::Null => Ok(0),
        _ => Err(serde::de::Error::custom("credits must be a number")),
    }
}

fn lenient_credits_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Credits>, D::Error> {
    lenient_credits(d).map(Some)
}

/// `{"data": …}`: every successful reply.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataEnvelope<T> {
    pub data: T,
}

/// `{"error": {…}}`: every failed reply.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    pub error: ApiErrorBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub code: ErrorCode,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

// ---------------------------------------------------------------- models

/// One entry of `GET /api/v1/models`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub model: String,
    pub media_type: MediaType,
    /// Each scene once, in the server's order (a listing that repeats one would make
    /// every consumer handle duplicates).
    #[serde(default, deserialize_with = "unique_scenes")]
    pub supported_scenes: Vec<Scene>,
    /// Fields a newer server adds (labels, pricing hints…), kept for the UI.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelList {
    /// Each model once: the first entry of a name listed twice is kept.
    #[serde(deserialize_with = "unique_models")]
    pub models: Vec<ModelInfo>,
    #[serde(default)]
    pub total: usize,
}

fn unique_scenes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Scene>, D::Error> {
    let mut scenes: Vec<Scene> = Vec::deserialize(d)?;
    let mut seen = Vec::with_capacity(scenes.len());
    scenes.retain(|s| {
        let fresh = !seen.contains(s);
        if fresh {
            seen.push(s.clone());
        }
        fresh
    });
    Ok(scenes)
}

fn unique_models<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ModelInfo>, D::Error> {
    let mut models: Vec<ModelInfo> = Vec::deserialize(d)?;
    let mut seen = std::collections::HashSet::new();
    models.retain(|m| seen.insert(m.model.clone()));
    Ok(models)
}

// ---------------------------------------------------------------- uploads

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub url: String,
    pub key: String,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    #[serde(default)]
    pub deduped: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadResult {
    pub files: Vec<UploadedFile>,
    #[serde(default)]
    pub urls: Vec<String>,
    #[serde(default)]
    pub count: usize,
}

// ---------------------------------------------------------------- credits

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    pub user_id: String,
    #[serde(deserialize_with = "lenient_credits")]
    pub remaining_credits: Credits,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// Body of `POST /api/v1/credits/quote`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QuoteRequest {
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene: Option<Scene>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub options: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub model: String,
    pub media_type: MediaType,
    #[serde(default)]
    pub scene: Option<Scene>,
    #[serde(deserialize_with = "lenient_credits")]
    pub estimated_credits: Credits,
    #[serde(deserialize_with = "lenient_credits")]
    pub remaining_credits: Credits,
    pub can_afford: bool,
    #[serde(default)]
    pub pricing_rule: Option<String>,
    #[serde(default)]
    pub fallback_pricing: bool,
}

/// Query of `GET /api/v1/credits/usage`. `from`/`to` are ISO datetimes or `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsageQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageSummary {
    pub page: u32,
    pub limit: u32,
    pub total: u64,
    pub total_pages: u64,
    #[serde(deserialize_with = "lenient_credits")]
    pub total_credits_consumed: Credits,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageItem {
    pub id: String,
    pub transaction_no: String,
    #[serde(deserialize_with = "lenient_credits")]
    pub credits_consumed: Credits,
    #[serde(default)]
    pub scene: Option<Scene>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub media_type: Option<MediaType>,
    #[serde(default)]
    pub task_id: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub summary: UsageSummary,
    pub items: Vec<UsageItem>,
}

// ---------------------------------------------------------------- generation

/// Body of `POST /api/v1/{images,videos}/generations` (and the live API's audio/music routes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GenerationRequest {
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene: Option<Scene>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub options: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CreatedCredits {
    #[serde(deserialize_with = "lenient_credits")]
    pub cost: Credits,
    #[serde(deserialize_with = "lenient_credits")]
    pub remaining: Credits,
}

/// Reply to a generation request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskCreated {
    pub task_id: String,
    pub status: TaskStatus,
    pub media_type: MediaType,
    pub model: String,
    #[serde(default)]
    pub scene: Option<Scene>,
    pub credits: CreatedCredits,
    pub created_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaskCredits {
    #[serde(default, deserialize_with = "lenient_credits_opt")]
    pub cost: Option<Credits>,
}

/// Media a task produced. `images` and `videos` are documented; any other list the
/// server adds (the live API's `audios`, `music`, …) is kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskOutput {
    #[serde(default)]
    pub images: Vec<String>,
    #[serde(default)]
    pub videos: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TaskOutput {
    /// Every media URL in the output, documented lists first, then any extra list or
    /// single URL string the server added (e.g. `output.audio`). Each URL once (a
    /// server may list one under `images` and `image`), and at most
    /// [`MAX_OUTPUTS`](crate::egress::MAX_OUTPUTS) of them: what a task produces is
    /// recorded, downloaded and shown, so a reply cannot make that unbounded.
    pub fn all_urls(&self) -> Vec<String> {
        let mut urls: Vec<String> = Vec::new();
        let mut add = |url: &str| {
            if urls.len() < crate::egress::MAX_OUTPUTS && !urls.iter().any(|u| u == url) {
                urls.push(url.to_string());
            }
        };
        for url in self.images.iter().chain(&self.videos) {
            add(url);
        }
        for value in self.extra.values() {
            match value {
                Value::String(s) => add(s),
                Value::Array(items) => items.iter().filter_map(Value::as_str).for_each(&mut add),
                _ => {}
            }
        }
        urls
    }
}

/// A task as `GET /api/v1/tasks/{id}` returns it (the `task` member of `data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub status: TaskStatus,
    pub media_type: MediaType,
    pub model: String,
    #[serde(default)]
    pub scene: Option<Scene>,
    #[serde(default)]
    pub prompt: Option<String>,
    #[serde(default)]
    pub credits: TaskCredits,
    #[serde(default)]
    pub output: TaskOutput,
    pub created_at: String,
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Fields a newer server adds (progress, error text…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of `GET /api/v1/tasks/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskEnvelope {
    pub task: Task,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_survive_a_round_trip() {
        let s: Scene = serde_json::from_str("\"text-to-hologram\"").unwrap();
        assert_eq!(s, Scene::Other("text-to-hologram".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"text-to-hologram\"");
        let c: ErrorCode = serde_json::from_str("\"invalid_api_key\"").unwrap();
        assert_eq!(c, ErrorCode::InvalidApiKey);
    }

    #[test]
    fn task_output_keeps_extra_media_lists() {
        let out: TaskOutput = serde_json::from_str(
            r#"{"images":[],"videos":["v.mp4"],"audios":["a.mp3"],"audio":"b.mp3"}"#,
        )
        .unwrap();
        assert_eq!(out.videos, vec!["v.mp4"]);
        let mut all = out.all_urls();
        all.sort();
        assert_eq!(all, vec!["a.mp3", "b.mp3", "v.mp4"]);
        let back = serde_json::to_value(&out).unwrap();
        assert_eq!(back["audios"][0], "a.mp3");
    }

    #[test]
    fn listed_models_and_their_scenes_are_unique() {
        let list: ModelList = serde_json::from_value(serde_json::json!({
            "models": [
                {"model": "m", "media_type": "image", "supported_scenes": ["text-to-image", "image-to-image", "text-to-image"]},
                {"model": "m", "media_type": "video"},
                {"model": "n", "media_type": "image"}
            ],
            "total": 3
        }))
        .unwrap();
        let names: Vec<&str> = list.models.iter().map(|m| m.model.as_str()).collect();
        assert_eq!(names, ["m", "n"]);
        assert_eq!(list.models[0].media_type, MediaType::Image);
        assert_eq!(
            list.models[0].supported_scenes,
            vec![Scene::TextToImage, Scene::ImageToImage]
        );
    }

    #[test]
    fn task_output_urls_are_unique_and_capped() {
        let many: Vec<String> = (0..40).map(|i| format!("https://x/{i}.png")).collect();
        let out: TaskOutput = serde_json::from_value(serde_json::json!({
            "images": ["https://x/0.png", "https://x/0.png"],
            "image": "https://x/0.png",
            "more": many,
        }))
        .unwrap();
        let all = out.all_urls();
        assert_eq!(all.len(), crate::egress::MAX_OUTPUTS);
        assert_eq!(all[0], "https://x/0.png");
        assert_eq!(all[1], "https://x/1.png", "{all:?}");
    }

    #[test]
    fn spec_task_example_parses() {
        let body = r#"{"data":{"task":{"id":"2fa99a50-fb96-407b-a562-82de8265f48e","status":"success","media_type":"video","model":"sora-2","scene":"text-to-video","prompt":"p","credits":{"cost":20},"output":{"images":[],"videos":["https://x/y.mp4"]},"created_at":"2026-03-03T04:31:55.116Z","updated_at":"2026-03-03T04:34:22.836Z"}}}"#;
        let env: DataEnvelope<TaskEnvelope> = serde_json::from_str(body).unwrap();
        assert!(env.data.task.status.is_final());
        assert_eq!(env.data.task.credits.cost, Some(20));
    }
}

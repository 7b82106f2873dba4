//! Turns a finished task into stored media: builds the renderer's input from the task's
//! normalised options, stores the bytes, and returns the task's output lists (as keys).

use cyberbara::option_value;
use cyberbara::types::MediaType;
use serde_json::{json, Map, Value};

use crate::input_facts::{input_facts, own_upload_key};
use crate::media;
use crate::state::AppState;
use crate::store::{account_prefix, TaskRow};

/// What the renderer is asked to make.
pub(crate) struct MediaRequest<'a> {
    pub media_type: MediaType,
    pub prompt: &'a str,
    pub seed: u64,
    pub options: &'a Map<String, Value>,
    pub reference: Option<Vec<u8>>,
}

/// Rendered bytes with their MIME type and file extension.
pub(crate) struct Rendered {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub ext: &'static str,
}

/// The seed a task renders with. An explicit `seed` (or `seeds`) makes the output a pure
/// function of the request, as a real provider's seed does; `-1` is Seedance's "random" and,
/// like no seed at all, falls back to a seed drawn from the task's id. So each task without a
/// seed gets its own output, as from a real generator: a Batch of N gives N different
/// pictures, sounds or videos, and Run again a new one. The id is stored with the task, so a
/// task resumed after a restart still renders the same file.
fn seed_of(task: &TaskRow, options: &Map<String, Value>) -> u64 {
    options
        .get("seed")
        .or_else(|| options.get("seeds"))
        .and_then(Value::as_i64)
        .filter(|&seed| seed != -1)
        .map(|seed| seed as u64)
        .unwrap_or_else(|| task_seed(&task.id))
}

fn task_seed(task_id: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("sandbox task seed:{task_id}").as_bytes());
    u64::from_le_bytes(digest[..8].try_into().unwrap_or([0; 8]))
}

/// The bytes of the first reference image when it is one of this sandbox's uploads.
fn reference_image(state: &AppState, options: &Map<String, Value>) -> Option<Vec<u8>> {
    let key = own_upload_key(
        &state.base_url,
        option_value::first_url(options, "image_input")?,
    )?;
    state
        .store
        .read_blob(&key)
        .ok()
        .flatten()
        .map(|b| b.to_vec())
}

pub(crate) fn produce(state: &AppState, task: &TaskRow) -> Result<Value, String> {
    let options: Map<String, Value> = serde_json::from_str(&task.options).unwrap_or_default();
    let media_type = MediaType::parse(&task.media_type);
    let request = MediaRequest {
        media_type: media_type.clone(),
        prompt: task.prompt.as_deref().unwrap_or(""),
        seed: seed_of(task, &options),
        options: &options,
        reference: match media_type {
            MediaType::Image | MediaType::Video => reference_image(state, &options),
            _ => None,
        },
    };
    let rendered = match media_type {
        MediaType::Image | MediaType::Video => render_visual(state, &task.model, &request)?,
        _ => Rendered {
            bytes: render_sound(state, &task.model, &request)?,
            content_type: "audio/wav",
            ext: "wav",
        },
    };
    let key = output_key(task, 0, rendered.ext);
    state
        .store
        .put_blob(&key, rendered.content_type, rendered.bytes.into())
        .map_err(|e| format!("could not store the output: {e}"))?;
    Ok(match media_type {
        MediaType::Image => json!({"images": [key], "videos": []}),
        MediaType::Video => json!({"images": [], "videos": [key]}),
        _ => json!({"images": [], "videos": [], "audios": [key]}),
    })
}

/// An option's value, or the catalogue's documented default for the model.
fn option_or_default(
    state: &AppState,
    model: &str,
    options: &Map<String, Value>,
    key: &str,
) -> Option<Value> {
    options.get(key).cloned().or_else(|| {
        state
            .catalogue()
            .model(model)
            .and_then(|m| m.option(key))
            .and_then(|o| o.default.clone())
    })
}

/// An option's value (or default) as text.
fn option_text(
    state: &AppState,
    model: &str,
    options: &Map<String, Value>,
    key: &str,
) -> Option<String> {
    match option_or_default(state, model, options, key)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn render_visual(
    state: &AppState,
    model: &str,
    request: &MediaRequest<'_>,
) -> Result<Rendered, String> {
    let aspect = option_text(state, model, request.options, "aspect_ratio");
    if request.media_type == MediaType::Image {
        let resolution = option_text(state, model, request.options, "resolution");
        let (width, height) = media::image_dimensions(aspect.as_deref(), resolution.as_deref());
        let format = media::ImageFormat::from_option(
            option_text(state, model, request.options, "output_format").as_deref(),
        );
        let rendered = media::render_image_with_outcome(&media::ImageSpec {
            width,
            height,
            format,
            prompt: request.prompt,
            seed: request.seed,
            reference: request.reference.as_deref(),
        })
        .map_err(|e| e.to_string())?;
        tracing::debug!("image reference: {:?}", rendered.reference);
        return Ok(Rendered {
            bytes: rendered.bytes,
            content_type: format.mime(),
            ext: format.extension(),
        });
    }
    let secs = option_or_default(state, model, request.options, "duration")
        .as_ref()
        .and_then(option_value::duration_secs)
        .or_else(|| input_video_secs(state, request.options))
        .unwrap_or(5.0)
        .clamp(media::MIN_VIDEO_SECS, media::MAX_VIDEO_SECS);
    let (width, height) = media::video_dimensions(aspect.as_deref());
    let rendered = media::render_video_with_outcome(&media::VideoSpec {
        width,
        height,
        duration_secs: secs,
        fps: media::VIDEO_FPS,
        prompt: request.prompt,
        seed: request.seed,
        reference: request.reference.as_deref(),
    })
    .map_err(|e| e.to_string())?;
    tracing::debug!("video reference: {:?}", rendered.reference);
    Ok(Rendered {
        bytes: rendered.bytes,
        content_type: "video/mp4",
        ext: "mp4",
    })
}

/// How long the input video of a model without a length of its own is (motion control
/// copies the reference's motion, so its output lasts as long): measured when it is one of
/// this sandbox's files, else as declared by `input_video_duration`.
fn input_video_secs(state: &AppState, options: &Map<String, Value>) -> Option<f64> {
    let url = option_value::first_url(options, "video_input")?;
    input_facts(state, options)
        .length(url)
        .or_else(|| option_value::seconds(options, &["input_video_duration"]))
}

/// A sound effect (`audio`) or a song (`music`) as WAV, as long as `options.duration` or
/// the model's catalogue default says (sound effects 5 s, songs 30 s; docs/CATALOGUE.md),
/// within the renderer's limits.
fn render_sound(
    state: &AppState,
    model: &str,
    request: &MediaRequest<'_>,
) -> Result<Vec<u8>, String> {
    let (kind, fallback) = match request.media_type {
        MediaType::Music => (media::AudioKind::Song, 30.0),
        _ => (media::AudioKind::SoundEffect, 5.0),
    };
    let secs = option_or_default(state, model, request.options, "duration")
        .as_ref()
        .and_then(option_value::duration_secs)
        .unwrap_or(fallback)
        .clamp(media::MIN_AUDIO_SECS, media::MAX_AUDIO_SECS);
    media::render_audio(&media::AudioSpec {
        kind,
        duration_secs: secs,
        prompt: request.prompt,
        seed: request.seed,
    })
    .map_err(|e| e.to_string())
}

/// The key under which a task's output is stored.
pub(crate) fn output_key(task: &TaskRow, index: usize, ext: &str) -> String {
    format!(
        "api/v1/generated/{}/{}-{index}.{ext}",
        account_prefix(&task.account_id),
        task.id
    )
}

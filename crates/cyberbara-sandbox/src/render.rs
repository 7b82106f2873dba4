//! Turns a finished task into stored media: builds the renderer's input from the task's
//! normalised options, stores the bytes, and returns the task's output lists (as keys).

use cyberbara::option_value;
use cyberbara::types::MediaType;
use serde_json::{json, Map, Value};

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

/// The storage key behind one of this sandbox's upload URLs. Besides the current address,
/// any `http://` loopback address counts (`127.0.0.1`, `localhost`, `[::1]`, any port):
/// the app's sandbox gets a new port each launch, and a task created later may still
/// name an upload by the URL it was given before. Only URLs are compared, never stored:
/// the sandbox keeps keys and makes URLs when it answers.
fn own_upload_key(base_url: &str, url: &str) -> Option<String> {
    if let Some(key) = url.strip_prefix(&format!("{base_url}/uploads/")) {
        return Some(key.to_string()).filter(|key| !key.is_empty());
    }
    let parsed = url::Url::parse(url).ok()?;
    if parsed.scheme() != "http" || !cyberbara::base_url::is_loopback(parsed.host_str()?) {
        return None;
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return None;
    }
    parsed
        .path()
        .strip_prefix("/uploads/")
        .filter(|key| !key.is_empty())
        .map(str::to_string)
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
            bytes: tone_wav(&request)?,
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

/// A mono 16-bit 8 kHz WAV tone whose pitch and phase follow prompt and seed; `options.duration`
/// seconds (default 5, at most 30). Both come from a SHA-256 of the two, so two seeds give
/// different bytes (a pitch from the seed alone would repeat every 440 seeds).
fn tone_wav(request: &MediaRequest<'_>) -> Result<Vec<u8>, String> {
    use sha2::{Digest, Sha256};
    const RATE: u32 = 8_000;
    let secs = crate::pricing::whole_seconds(request.options, &["duration"])
        .unwrap_or(5)
        .clamp(1, 30) as u32;
    let mut hasher = Sha256::new();
    hasher.update(request.seed.to_le_bytes());
    hasher.update(request.prompt.as_bytes());
    let digest = hasher.finalize();
    let unit = |bytes: &[u8]| {
        f64::from(u32::from_le_bytes(bytes.try_into().unwrap_or([0; 4]))) / f64::from(u32::MAX)
    };
    // 220–660 Hz, and a starting phase anywhere on the cycle.
    let freq = 220.0 + 440.0 * unit(&digest[..4]);
    let phase = std::f64::consts::TAU * unit(&digest[4..8]);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let failed = |e: hound::Error| format!("could not write the WAV output: {e}");
    let mut out = std::io::Cursor::new(Vec::with_capacity(44 + (RATE * secs * 2) as usize));
    let mut writer = hound::WavWriter::new(&mut out, spec).map_err(failed)?;
    for i in 0..RATE * secs {
        let t = f64::from(i) / f64::from(RATE);
        let v = (t * freq * std::f64::consts::TAU + phase).sin() * 0.3 * f64::from(i16::MAX);
        writer.write_sample(v as i16).map_err(failed)?;
    }
    writer.finalize().map_err(failed)?;
    Ok(out.into_inner())
}

/// The key under which a task's output is stored.
pub(crate) fn output_key(task: &TaskRow, index: usize, ext: &str) -> String {
    format!(
        "api/v1/generated/{}/{}-{index}.{ext}",
        account_prefix(&task.account_id),
        task.id
    )
}

#[cfg(test)]
mod tests {
    use super::own_upload_key;

    #[test]
    fn uploads_are_recognised_at_any_loopback_port() {
        let base = "http://127.0.0.1:4000";
        let key = "api/v1/uploads/ab12cd34/f00d.png";
        for url in [
            format!("{base}/uploads/{key}"),
            format!("http://127.0.0.1:39123/uploads/{key}"),
            format!("http://localhost:8787/uploads/{key}"),
            format!("http://[::1]:5000/uploads/{key}"),
        ] {
            assert_eq!(own_upload_key(base, &url).as_deref(), Some(key), "{url}");
        }
        for url in [
            format!("https://cdn.example.com/uploads/{key}"),
            format!("http://10.0.0.2:4000/uploads/{key}"),
            format!("http://127.0.0.1:4000/other/{key}"),
            "http://127.0.0.1:4000/uploads/".to_string(),
            "not a url".to_string(),
        ] {
            assert_eq!(own_upload_key(base, &url), None, "{url}");
        }
    }
}

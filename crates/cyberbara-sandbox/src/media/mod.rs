//! Real, deterministic media for the sandbox's task outputs.
//!
//! Every output is a genuine file that browsers, WebKitGTK/GStreamer and the `image` crate decode,
//! derived only from the prompt and the seed: the same inputs give identical bytes, different
//! prompts give visibly different pictures (palette, gradient direction, shapes and one "barcode"
//! row per prompt word, all taken from a SHA-256 of prompt and seed).
//!
//! Sizes chosen:
//! - Images: the long side follows `resolution` (`1K` → 1024, `2K` → 2048, `4K` → 4096, anything
//!   else → 1024) and the short side follows `aspect_ratio` (`W:H`, `landscape` → 16:9, `portrait`
//!   → 9:16, `square` → 1:1; `Auto` or unknown → 1:1; ratios are clamped to 4:1 either way). Sides
//!   are even. Pictures are drawn at most [`DESIGN_LONG_SIDE`](crate::media::DESIGN_LONG_SIDE)
//!   pixels long and each drawn pixel is repeated 2, 4 or 8 times (nearest filter), because a
//!   client only needs a real file of the promised size and a 4K output must still take well under
//!   a second in a debug build. For 4K JPEGs the `image` crate's encoder alone takes seconds, so
//!   they go through a small exact encoder that exploits the 4× repetition.
//! - Videos: H.264 constrained-baseline in MP4 (`avc1`, yuv420p, `moov` before `mdat` so playback
//!   starts before the download ends), [`VIDEO_LONG_SIDE`](crate::media::VIDEO_LONG_SIDE) pixels on
//!   the long side and [`VIDEO_FPS`](crate::media::VIDEO_FPS) frames per second. They are
//!   deliberately small: tests and the desktop app fetch many of them over loopback, a 30 s clip
//!   stays a few hundred kilobytes and encodes in well under a second, and the size of a video is
//!   not what a client checks. Durations of 1–30 s are accepted
//!   ([`MIN_VIDEO_SECS`](crate::media::MIN_VIDEO_SECS),
//!   [`MAX_VIDEO_SECS`](crate::media::MAX_VIDEO_SECS)).
//!
//! - Audio (`audio` and `music` tasks): mono 16-bit WAV at
//!   [`AUDIO_SAMPLE_RATE`](crate::media::AUDIO_SAMPLE_RATE) Hz; sound effects are tone-and-noise
//!   bursts, songs a melody, bass and chords (module `audio`). Lengths of
//!   [`MIN_AUDIO_SECS`](crate::media::MIN_AUDIO_SECS)–[`MAX_AUDIO_SECS`](crate::media::MAX_AUDIO_SECS)
//!   seconds are accepted.
//!
//! Image-to-X tasks pass the reference bytes (PNG, JPEG, WebP or GIF): the reference is fitted to
//! the output (cropped to cover it) and tinted with the prompt's colour. A reference that cannot be
//! decoded falls back to the plain picture;
//! [`render_image_with_outcome`](crate::media::render_image_with_outcome) and
//! [`render_video_with_outcome`](crate::media::render_video_with_outcome) say which happened.

mod audio;
mod images;
mod jpeg;
mod probe;
mod scene;
mod video;

pub use probe::video_length_secs;

pub use audio::{
    render_audio, AudioKind, AudioSpec, AUDIO_SAMPLE_RATE, MAX_AUDIO_SECS, MIN_AUDIO_SECS,
};

use scene::{Canvas, Scene};

/// Long side, in pixels, of every generated video.
pub const VIDEO_LONG_SIDE: u32 = 320;
/// Frame rate of every generated video.
pub const VIDEO_FPS: u32 = 12;
/// Shortest video [`render_video`] accepts, in seconds.
pub const MIN_VIDEO_SECS: f64 = 1.0;
/// Longest video [`render_video`] accepts, in seconds.
pub const MAX_VIDEO_SECS: f64 = 30.0;
/// Largest side [`render_image`] accepts, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 8192;
/// Largest side [`render_video`] accepts, in pixels.
pub const MAX_VIDEO_SIDE: u32 = 1920;
/// Pictures are drawn at most this long and enlarged with a nearest filter beyond it.
pub const DESIGN_LONG_SIDE: u32 = 1024;

const DEFAULT_IMAGE_LONG_SIDE: u32 = 1024;
const MAX_ASPECT: f64 = 4.0;
/// Quality (1–100, libjpeg's scale) of every generated JPEG.
pub const JPEG_QUALITY: u8 = 88;

/// File format of a generated image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageFormat {
    #[default]
    Png,
    Jpg,
}

impl ImageFormat {
    /// Reads `options.output_format`: `jpg`/`jpeg` (any case) is JPEG, anything else PNG.
    pub fn from_option(value: Option<&str>) -> ImageFormat {
        match value.map(|v| v.trim().to_ascii_lowercase()) {
            Some(v) if v == "jpg" || v == "jpeg" => ImageFormat::Jpg,
            _ => ImageFormat::Png,
        }
    }

    /// File extension without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpg => "jpg",
        }
    }

    /// MIME type for `Content-Type`.
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpg => "image/jpeg",
        }
    }
}

/// What to draw for an image output.
#[derive(Debug, Clone, Copy)]
pub struct ImageSpec<'a> {
    pub width: u32,
    pub height: u32,
    pub format: ImageFormat,
    pub prompt: &'a str,
    pub seed: u64,
    /// Encoded reference image (PNG, JPEG, WebP or GIF) for image-to-image tasks.
    pub reference: Option<&'a [u8]>,
}

/// What to draw for a video output.
#[derive(Debug, Clone, Copy)]
pub struct VideoSpec<'a> {
    /// Even, at most [`MAX_VIDEO_SIDE`]; see [`video_dimensions`].
    pub width: u32,
    /// Even, at most [`MAX_VIDEO_SIDE`].
    pub height: u32,
    /// Between [`MIN_VIDEO_SECS`] and [`MAX_VIDEO_SECS`].
    pub duration_secs: f64,
    /// Between 1 and 60; normally [`VIDEO_FPS`].
    pub fps: u32,
    pub prompt: &'a str,
    pub seed: u64,
    /// Encoded reference image used as the moving background of image-to-video tasks.
    pub reference: Option<&'a [u8]>,
}

/// What happened to the reference image of a spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceUse {
    /// The spec had no reference.
    NotGiven,
    /// The reference was decoded and is visible in the output.
    Applied,
    /// The reference could not be decoded; the output is the plain picture.
    Unreadable,
}

/// Encoded media plus how the reference was used.
#[derive(Debug, Clone)]
pub struct RenderedMedia {
    pub bytes: Vec<u8>,
    pub reference: ReferenceUse,
}

#[derive(thiserror::Error, Debug)]
pub enum MediaError {
    #[error("An image of {width}x{height} pixels cannot be generated; each side must be between 1 and {MAX_IMAGE_SIDE} pixels.")]
    InvalidImageSize { width: u32, height: u32 },
    #[error("A video of {width}x{height} pixels cannot be generated; both sides must be even and between 2 and {MAX_VIDEO_SIDE} pixels.")]
    InvalidVideoSize { width: u32, height: u32 },
    #[error("A video of {0} seconds cannot be generated; the duration must be between {MIN_VIDEO_SECS} and {MAX_VIDEO_SECS} seconds.")]
    InvalidDuration(f64),
    #[error("A video at {0} frames per second cannot be generated; the frame rate must be between 1 and 60.")]
    InvalidFrameRate(u32),
    #[error("Encoding the generated {format} image failed: {source}. This is a sandbox bug; please report it with the prompt and seed.")]
    ImageEncoding {
        format: &'static str,
        #[source]
        source: image::ImageError,
    },
    #[error("The H.264 encoder failed: {0}. This is a sandbox bug; please report it with the prompt, seed and size.")]
    VideoEncoding(String),
    #[error("Writing the MP4 container failed: {0}. This is a sandbox bug; please report it with the prompt, seed and size.")]
    Mp4(String),
    #[error("A sound of {0} seconds cannot be generated; the length must be between {MIN_AUDIO_SECS} and {MAX_AUDIO_SECS} seconds.")]
    InvalidAudioDuration(f64),
    #[error("Writing the WAV file failed: {0}. This is a sandbox bug; please report it with the prompt and seed.")]
    AudioEncoding(String),
}

/// Output size of an image for `options.aspect_ratio` and `options.resolution`.
pub fn image_dimensions(aspect_ratio: Option<&str>, resolution: Option<&str>) -> (u32, u32) {
    let long = match resolution.map(|r| r.trim().to_ascii_uppercase()).as_deref() {
        Some("2K") => 2048,
        Some("4K") => 4096,
        _ => DEFAULT_IMAGE_LONG_SIDE,
    };
    let ratio = parse_aspect_ratio(aspect_ratio).unwrap_or(1.0);
    sides_for(long, ratio)
}

/// Output size of a video for `options.aspect_ratio`: small and even, default 16:9.
pub fn video_dimensions(aspect_ratio: Option<&str>) -> (u32, u32) {
    let ratio = parse_aspect_ratio(aspect_ratio).unwrap_or(16.0 / 9.0);
    sides_for(VIDEO_LONG_SIDE, ratio)
}

/// Width divided by height, or `None` for `Auto`, empty or unrecognised values.
fn parse_aspect_ratio(value: Option<&str>) -> Option<f64> {
    let value = value?.trim().to_ascii_lowercase();
    let ratio = match value.as_str() {
        "landscape" | "horizontal" | "wide" => 16.0 / 9.0,
        "portrait" | "vertical" | "tall" => 9.0 / 16.0,
        "square" => 1.0,
        other => {
            let (w, h) = other.split_once([':', 'x', '/'])?;
            let w: f64 = w.trim().parse().ok()?;
            let h: f64 = h.trim().parse().ok()?;
            if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
                return None;
            }
            w / h
        }
    };
    Some(ratio.clamp(1.0 / MAX_ASPECT, MAX_ASPECT))
}

fn sides_for(long: u32, ratio: f64) -> (u32, u32) {
    let short = |r: f64| (((long as f64 * r) / 2.0).round() as u32 * 2).clamp(2, long);
    if ratio >= 1.0 {
        (long, short(1.0 / ratio))
    } else {
        (short(ratio), long)
    }
}

/// Encodes the image `spec` describes; an unreadable reference falls back to the plain picture.
pub fn render_image(spec: &ImageSpec) -> Result<Vec<u8>, MediaError> {
    render_image_with_outcome(spec).map(|r| r.bytes)
}

/// Like [`render_image`], also saying whether the reference was used.
pub fn render_image_with_outcome(spec: &ImageSpec) -> Result<RenderedMedia, MediaError> {
    let drawn = draw_image(spec)?;
    // 4K JPEGs go through the hand-written encoder: measured faster than mozjpeg,
    // jpeg-encoder and the `image` crate in the dev profile (media/jpeg.rs, docs/BENCHMARKS.md).
    let fast_jpeg = match spec.format {
        ImageFormat::Jpg => drawn.hand_written_jpeg(),
        ImageFormat::Png => None,
    };
    let bytes = match fast_jpeg {
        Some(bytes) => bytes,
        None => images::encode_image(
            &drawn
                .canvas
                .enlarged(drawn.factor, drawn.width, drawn.height),
            spec.format,
        )?,
    };
    Ok(RenderedMedia {
        bytes,
        reference: drawn.reference,
    })
}

/// A picture as [`render_image`] draws it, before it is enlarged and encoded. Public so that
/// `benches/media.rs` can compare JPEG encoders on exactly what a render encodes.
#[doc(hidden)]
pub struct DrawnImage {
    canvas: Canvas,
    /// How many output pixels each drawn pixel becomes, along each side.
    factor: u32,
    width: u32,
    height: u32,
    reference: ReferenceUse,
}

impl DrawnImage {
    /// Output width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Output height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The output-sized RGB8 pixels: the drawn picture enlarged, as PNGs and small JPEGs get it.
    pub fn enlarged_rgb(&self) -> Vec<u8> {
        Canvas {
            w: self.canvas.w,
            h: self.canvas.h,
            px: self.canvas.px.clone(),
        }
        .enlarged(self.factor, self.width, self.height)
        .px
    }

    /// The hand-written encoder's JPEG (`jpeg.rs`), for pictures enlarged 4 or 8 times; `None`
    /// for the others, which it cannot encode.
    pub fn hand_written_jpeg(&self) -> Option<Vec<u8>> {
        (self.factor >= 4).then(|| {
            jpeg::enlarged_jpeg(
                &self.canvas,
                self.factor,
                self.width,
                self.height,
                JPEG_QUALITY,
            )
        })
    }
}

/// Draws the picture `spec` describes at its design size; see [`DrawnImage`].
#[doc(hidden)]
pub fn draw_image(spec: &ImageSpec) -> Result<DrawnImage, MediaError> {
    let (width, height) = (spec.width, spec.height);
    if width == 0 || height == 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(MediaError::InvalidImageSize { width, height });
    }
    let scene = Scene::new(spec.prompt, spec.seed);
    let factor = images::enlargement_factor(width, height);
    let mut canvas = Canvas::new(width.div_ceil(factor), height.div_ceil(factor));
    let reference = paint_base(&mut canvas, &scene, spec.reference);
    if reference != ReferenceUse::Applied {
        scene.paint_shapes(&mut canvas);
    }
    scene.paint_word_rows(&mut canvas);
    Ok(DrawnImage {
        canvas,
        factor,
        width,
        height,
        reference,
    })
}

/// Paints the reference (tinted) or the gradient background.
fn paint_base(canvas: &mut Canvas, scene: &Scene, reference: Option<&[u8]>) -> ReferenceUse {
    let Some(bytes) = reference else {
        scene.paint_background(canvas);
        return ReferenceUse::NotGiven;
    };
    match image::load_from_memory(bytes) {
        Ok(decoded) if decoded.width() > 0 && decoded.height() > 0 => {
            canvas.cover_with(&decoded.to_rgb8());
            canvas.tint(scene.palette.tint);
            ReferenceUse::Applied
        }
        _ => {
            scene.paint_background(canvas);
            ReferenceUse::Unreadable
        }
    }
}

/// Encodes the video `spec` describes as an MP4; an unreadable reference falls back to the
/// plain picture.
pub fn render_video(spec: &VideoSpec) -> Result<Vec<u8>, MediaError> {
    render_video_with_outcome(spec).map(|r| r.bytes)
}

/// Like [`render_video`], also saying whether the reference was used.
pub fn render_video_with_outcome(spec: &VideoSpec) -> Result<RenderedMedia, MediaError> {
    let (width, height) = (spec.width, spec.height);
    let even_and_in_range = |side: u32| (2..=MAX_VIDEO_SIDE).contains(&side) && side & 1 == 0;
    if !even_and_in_range(width) || !even_and_in_range(height) {
        return Err(MediaError::InvalidVideoSize { width, height });
    }
    let secs = spec.duration_secs;
    if !(MIN_VIDEO_SECS..=MAX_VIDEO_SECS).contains(&secs) {
        return Err(MediaError::InvalidDuration(secs));
    }
    if !(1..=60).contains(&spec.fps) {
        return Err(MediaError::InvalidFrameRate(spec.fps));
    }
    let frame_count = ((secs * spec.fps as f64).round() as u32).max(1);
    let scene = Scene::new(spec.prompt, spec.seed);

    // A base wider than the frame lets each frame be a moving window over it (cheap row copies).
    let pan = (width / 3) & !1;
    let mut base = Canvas::new(width + pan, height);
    let reference = paint_base(&mut base, &scene, spec.reference);
    if reference != ReferenceUse::Applied {
        scene.paint_shapes(&mut base);
    }
    scene.paint_word_rows(&mut base);

    let stream = video::encode_h264(&scene, &base, width, height, spec.fps, frame_count)?;
    let bytes = video::write_mp4(&stream, width, height, spec.fps)?;
    Ok(RenderedMedia { bytes, reference })
}

/// Mean per-pixel distance (0..=441) between two same-sized pictures: how tests (here and in
/// `tests/seeds.rs`) tell "visibly different" from "the same picture".
#[doc(hidden)]
pub fn mean_distance(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let total: f64 = a
        .pixels()
        .zip(b.pixels())
        .map(|(p, q)| {
            (0..3)
                .map(|c| (f64::from(p[c]) - f64::from(q[c])).powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .sum();
    total / f64::from(a.width() * a.height())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Cursor;

    pub(crate) fn reference_png() -> Vec<u8> {
        let picture = image::RgbImage::from_fn(200, 100, |x, y| {
            if (x / 25 + y / 25) % 2 == 0 {
                image::Rgb([250, 250, 250])
            } else {
                image::Rgb([10, 10, 10])
            }
        });
        let mut out = Cursor::new(Vec::new());
        picture.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    pub(crate) fn image_spec(
        prompt: &str,
        width: u32,
        height: u32,
        format: ImageFormat,
    ) -> ImageSpec<'_> {
        ImageSpec {
            width,
            height,
            format,
            prompt,
            seed: 7,
            reference: None,
        }
    }

    pub(crate) fn video_spec(prompt: &str, duration_secs: f64) -> VideoSpec<'_> {
        let (width, height) = video_dimensions(Some("16:9"));
        VideoSpec {
            width,
            height,
            duration_secs,
            fps: VIDEO_FPS,
            prompt,
            seed: 7,
            reference: None,
        }
    }

    pub(crate) fn decode(bytes: &[u8]) -> image::RgbImage {
        image::load_from_memory(bytes).unwrap().to_rgb8()
    }

    pub(crate) use super::mean_distance;

    #[test]
    fn dimensions_follow_aspect_ratio_and_resolution() {
        assert_eq!(image_dimensions(None, None), (1024, 1024));
        assert_eq!(image_dimensions(Some("16:9"), Some("1K")), (1024, 576));
        assert_eq!(image_dimensions(Some("9:16"), Some("2k")), (1152, 2048));
        assert_eq!(image_dimensions(Some("4:3"), Some("4K")), (4096, 3072));
        assert_eq!(image_dimensions(Some("3:4"), None), (768, 1024));
        assert_eq!(image_dimensions(Some("21:9"), None), (1024, 438));
        assert_eq!(image_dimensions(Some("landscape"), None), (1024, 576));
        assert_eq!(image_dimensions(Some("portrait"), None), (576, 1024));
        assert_eq!(image_dimensions(Some("Auto"), Some("8K")), (1024, 1024));
        assert_eq!(image_dimensions(Some("0:5"), None), (1024, 1024));
        assert_eq!(image_dimensions(Some("100:1"), None), (1024, 256));
        assert_eq!(video_dimensions(None), (320, 180));
        assert_eq!(video_dimensions(Some("portrait")), (180, 320));
        assert_eq!(video_dimensions(Some("4:3")), (320, 240));
        assert_eq!(video_dimensions(Some("1:1")), (320, 320));
        let (w, h) = video_dimensions(Some("21:9"));
        assert_eq!((w % 2, h % 2, w), (0, 0, 320));
    }

    #[test]
    fn format_option_parses_jpeg_spellings() {
        assert_eq!(ImageFormat::from_option(Some("JPEG")), ImageFormat::Jpg);
        assert_eq!(ImageFormat::from_option(Some("jpg")), ImageFormat::Jpg);
        assert_eq!(ImageFormat::from_option(Some("webp")), ImageFormat::Png);
        assert_eq!(ImageFormat::from_option(None), ImageFormat::Png);
        assert_eq!(ImageFormat::Jpg.mime(), "image/jpeg");
        assert_eq!(ImageFormat::Png.extension(), "png");
    }

    #[test]
    fn bad_specs_are_refused_with_a_reason() {
        let err = render_image(&image_spec("x", 0, 10, ImageFormat::Png)).unwrap_err();
        assert!(matches!(err, MediaError::InvalidImageSize { .. }));
        let mut spec = video_spec("x", 0.5);
        assert!(matches!(
            render_video(&spec).unwrap_err(),
            MediaError::InvalidDuration(_)
        ));
        spec.duration_secs = f64::NAN;
        assert!(matches!(
            render_video(&spec).unwrap_err(),
            MediaError::InvalidDuration(_)
        ));
        spec.duration_secs = 2.0;
        spec.width = 321;
        let err = render_video(&spec).unwrap_err();
        assert!(err.to_string().contains("even"), "{err}");
    }
}

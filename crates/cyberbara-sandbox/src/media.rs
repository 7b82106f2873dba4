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
//! Image-to-X tasks pass the reference bytes (PNG, JPEG, WebP or GIF): the reference is fitted to
//! the output (cropped to cover it) and tinted with the prompt's colour. A reference that cannot be
//! decoded falls back to the plain picture;
//! [`render_image_with_outcome`](crate::media::render_image_with_outcome) and
//! [`render_video_with_outcome`](crate::media::render_video_with_outcome) say which happened.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use openh264::encoder::{
    Encoder, EncoderConfig, FrameRate, IntraFramePeriod, Profile, QpRange, RateControlMode,
    VuiConfig,
};
use openh264::formats::{RgbSliceU8, YUVBuffer};
use openh264::OpenH264API;
use sha2::{Digest, Sha256};
use std::io::Cursor;

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
const JPEG_QUALITY: u8 = 88;

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
    let (width, height) = (spec.width, spec.height);
    if width == 0 || height == 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(MediaError::InvalidImageSize { width, height });
    }
    let scene = Scene::new(spec.prompt, spec.seed);
    let factor = enlargement_factor(width, height);
    let mut canvas = Canvas::new(width.div_ceil(factor), height.div_ceil(factor));
    let reference = paint_base(&mut canvas, &scene, spec.reference);
    if reference != ReferenceUse::Applied {
        scene.paint_shapes(&mut canvas);
    }
    scene.paint_word_rows(&mut canvas);
    let bytes = if spec.format == ImageFormat::Jpg && factor >= 4 {
        // The `image` crate needs seconds for a 4K JPEG in a debug build; this one is exact
        // for pictures enlarged by a multiple of 4 and takes a fraction of that.
        enlarged_jpeg(&canvas, factor, width, height, JPEG_QUALITY)
    } else {
        encode_image(&canvas.enlarged(factor, width, height), spec.format)?
    };
    Ok(RenderedMedia { bytes, reference })
}

/// How many output pixels each drawn pixel becomes: 1 up to [`DESIGN_LONG_SIDE`], then 2, 4
/// or 8, so enlarging is an exact integer repeat (which the fast JPEG path relies on).
fn enlargement_factor(width: u32, height: u32) -> u32 {
    match width.max(height).div_ceil(DESIGN_LONG_SIDE) {
        0 | 1 => 1,
        2 => 2,
        3 | 4 => 4,
        _ => 8,
    }
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

fn encode_image(canvas: &Canvas, format: ImageFormat) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let result = match format {
        ImageFormat::Png => {
            // Fast compression: a 4K PNG must stay quick to make; the flat areas still shrink well.
            PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
                .write_image(&canvas.px, canvas.w, canvas.h, ExtendedColorType::Rgb8)
        }
        ImageFormat::Jpg => JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).write_image(
            &canvas.px,
            canvas.w,
            canvas.h,
            ExtendedColorType::Rgb8,
        ),
    };
    result.map_err(|source| MediaError::ImageEncoding {
        format: format.extension(),
        source,
    })?;
    Ok(out)
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

    let stream = encode_h264(&scene, &base, width, height, spec.fps, frame_count)?;
    let bytes = write_mp4(&stream, width, height, spec.fps)?;
    Ok(RenderedMedia { bytes, reference })
}

/// One encoded frame in AVCC form (4-byte big-endian lengths, no parameter sets).
struct EncodedFrame {
    avcc: Vec<u8>,
    is_sync: bool,
}

struct H264Stream {
    sps: Vec<u8>,
    pps: Vec<u8>,
    frames: Vec<EncodedFrame>,
}

fn encode_h264(
    scene: &Scene,
    base: &Canvas,
    width: u32,
    height: u32,
    fps: u32,
    frame_count: u32,
) -> Result<H264Stream, MediaError> {
    let config = EncoderConfig::new()
        .profile(Profile::Baseline)
        // Every frame must produce a sample, or the track would be shorter than requested.
        .skip_frames(false)
        .max_frame_rate(FrameRate::from_hz(fps as f32))
        // Rate control needs frame skipping, so a fixed quantiser bounds quality and size instead.
        .rate_control_mode(RateControlMode::Off)
        .qp(QpRange::new(22, 30))
        // A keyframe every two seconds keeps seeking in a player quick.
        .intra_frame_period(IntraFramePeriod::from_num_frames(fps * 2))
        // One thread keeps the output identical from run to run and leaves cores to the server.
        .num_threads(1)
        .vui(VuiConfig::bt601());
    let mut encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
        .map_err(|e| MediaError::VideoEncoding(e.to_string()))?;

    let (w, h) = (width as usize, height as usize);
    let mut frame = Canvas::new(width, height);
    let mut yuv = YUVBuffer::new(w, h);
    let mut stream = H264Stream {
        sps: Vec::new(),
        pps: Vec::new(),
        frames: Vec::with_capacity(frame_count as usize),
    };
    let pan = (base.w - width) as f64;
    for index in 0..frame_count {
        let phase = index as f64 / frame_count as f64;
        // Ping-pong across the base so the first and last frames meet smoothly.
        let offset = (pan * 0.5 * (1.0 - (phase * std::f64::consts::TAU).cos())).round() as usize;
        for row in 0..h {
            let src = (row * base.w as usize + offset) * 3;
            frame.px[row * w * 3..(row + 1) * w * 3].copy_from_slice(&base.px[src..src + w * 3]);
        }
        scene.paint_moving_disc(&mut frame, phase);
        yuv.read_rgb8(RgbSliceU8::new(&frame.px, (w, h)));
        let encoded = encoder
            .encode(&yuv)
            .map_err(|e| MediaError::VideoEncoding(e.to_string()))?;
        let mut avcc = Vec::new();
        let mut is_sync = false;
        for layer_index in 0..encoded.num_layers() {
            let Some(layer) = encoded.layer(layer_index) else {
                continue;
            };
            for nal_index in 0..layer.nal_count() {
                let Some(nal) = layer.nal_unit(nal_index).map(strip_start_code) else {
                    continue;
                };
                let Some(&header) = nal.first() else {
                    continue;
                };
                match header & 0x1f {
                    7 => {
                        if stream.sps.is_empty() {
                            stream.sps = nal.to_vec();
                        }
                    }
                    8 => {
                        if stream.pps.is_empty() {
                            stream.pps = nal.to_vec();
                        }
                    }
                    nal_type => {
                        is_sync |= nal_type == 5;
                        let len = u32::try_from(nal.len()).map_err(|_| {
                            MediaError::VideoEncoding("a NAL unit exceeded 4 GiB".into())
                        })?;
                        avcc.extend_from_slice(&len.to_be_bytes());
                        avcc.extend_from_slice(nal);
                    }
                }
            }
        }
        if avcc.is_empty() {
            return Err(MediaError::VideoEncoding(format!(
                "frame {index} produced no picture data"
            )));
        }
        stream.frames.push(EncodedFrame { avcc, is_sync });
    }
    if stream.sps.is_empty() || stream.pps.is_empty() {
        return Err(MediaError::VideoEncoding(
            "the stream has no sequence or picture parameter set".into(),
        ));
    }
    Ok(stream)
}

/// Removes an Annex B start code (`00 00 01` or `00 00 00 01`) from a NAL unit.
fn strip_start_code(nal: &[u8]) -> &[u8] {
    if nal.starts_with(&[0, 0, 0, 1]) {
        &nal[4..]
    } else if nal.starts_with(&[0, 0, 1]) {
        &nal[3..]
    } else {
        nal
    }
}

fn write_mp4(
    stream: &H264Stream,
    width: u32,
    height: u32,
    fps: u32,
) -> Result<Vec<u8>, MediaError> {
    let mp4_err = |e: mp4::Error| MediaError::Mp4(e.to_string());
    let brand = |s: &[u8; 4]| mp4::FourCC::from(*s);
    let config = mp4::Mp4Config {
        major_brand: brand(b"isom"),
        minor_version: 512,
        compatible_brands: vec![
            brand(b"isom"),
            brand(b"iso2"),
            brand(b"avc1"),
            brand(b"mp41"),
        ],
        timescale: 1000,
    };
    // `fps * 1000` ticks per second makes each frame a whole number of ticks for any rate.
    let timescale = fps * 1000;
    let mut writer =
        mp4::Mp4Writer::write_start(Cursor::new(Vec::new()), &config).map_err(mp4_err)?;
    writer
        .add_track(&mp4::TrackConfig {
            track_type: mp4::TrackType::Video,
            timescale,
            language: "und".into(),
            media_conf: mp4::MediaConfig::AvcConfig(mp4::AvcConfig {
                width: width as u16,
                height: height as u16,
                seq_param_set: stream.sps.clone(),
                pic_param_set: stream.pps.clone(),
            }),
        })
        .map_err(mp4_err)?;
    for (index, frame) in stream.frames.iter().enumerate() {
        let sample = mp4::Mp4Sample {
            start_time: index as u64 * 1000,
            duration: 1000,
            rendering_offset: 0,
            is_sync: frame.is_sync,
            bytes: frame.avcc.clone().into(),
        };
        writer.write_sample(1, &sample).map_err(mp4_err)?;
    }
    writer.write_end().map_err(mp4_err)?;
    move_moov_first(writer.into_writer().into_inner())
}

/// A top-level or nested ISO-BMFF box: its type and byte range (header included).
struct BoxSpan {
    kind: [u8; 4],
    start: usize,
    header: usize,
    end: usize,
}

fn box_spans(data: &[u8]) -> Result<Vec<BoxSpan>, MediaError> {
    let malformed = || MediaError::Mp4("the written file has a malformed box".into());
    let mut spans = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let head = data.get(pos..pos + 8).ok_or_else(malformed)?;
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as u64;
        let kind = [head[4], head[5], head[6], head[7]];
        let (size, header) = match size32 {
            0 => ((data.len() - pos) as u64, 8),
            1 => {
                let large = data.get(pos + 8..pos + 16).ok_or_else(malformed)?;
                let mut raw = [0u8; 8];
                raw.copy_from_slice(large);
                (u64::from_be_bytes(raw), 16)
            }
            n => (n, 8),
        };
        let end = usize::try_from(size)
            .ok()
            .and_then(|s| pos.checked_add(s))
            .filter(|&end| end <= data.len() && end >= pos + header)
            .ok_or_else(malformed)?;
        spans.push(BoxSpan {
            kind,
            start: pos,
            header,
            end,
        });
        pos = end;
    }
    Ok(spans)
}

/// Rewrites the file as ftyp, moov, mdat ("faststart") so players need not fetch the end
/// first; chunk offsets move by the size of `moov`.
fn move_moov_first(file: Vec<u8>) -> Result<Vec<u8>, MediaError> {
    let spans = box_spans(&file)?;
    let moov_at = spans.iter().position(|s| &s.kind == b"moov");
    let mdat_at = spans.iter().position(|s| &s.kind == b"mdat");
    let (Some(moov_at), Some(mdat_at)) = (moov_at, mdat_at) else {
        return Err(MediaError::Mp4(
            "the written file lacks moov or mdat".into(),
        ));
    };
    if moov_at < mdat_at {
        return Ok(file);
    }
    let moov_span = &spans[moov_at];
    let mut moov = file[moov_span.start..moov_span.end].to_vec();
    let shift = moov.len() as u64;
    let header = moov_span.header;
    shift_chunk_offsets(&mut moov[header..], shift)?;

    let mut out = Vec::with_capacity(file.len());
    for (index, span) in spans.iter().enumerate() {
        if index == mdat_at {
            out.extend_from_slice(&moov);
        }
        if index != moov_at {
            out.extend_from_slice(&file[span.start..span.end]);
        }
    }
    Ok(out)
}

fn shift_chunk_offsets(container: &mut [u8], shift: u64) -> Result<(), MediaError> {
    let overflow = || MediaError::Mp4("a chunk offset overflowed while moving moov".into());
    for span in box_spans(container)? {
        let body = &mut container[span.start + span.header..span.end];
        match &span.kind {
            b"trak" | b"mdia" | b"minf" | b"stbl" => shift_chunk_offsets(body, shift)?,
            b"stco" => {
                for entry in body.get_mut(8..).unwrap_or_default().chunks_exact_mut(4) {
                    let old = u32::from_be_bytes([entry[0], entry[1], entry[2], entry[3]]);
                    let new = u32::try_from(old as u64 + shift).map_err(|_| overflow())?;
                    entry.copy_from_slice(&new.to_be_bytes());
                }
            }
            b"co64" => {
                for entry in body.get_mut(8..).unwrap_or_default().chunks_exact_mut(8) {
                    let mut raw = [0u8; 8];
                    raw.copy_from_slice(entry);
                    let new = u64::from_be_bytes(raw)
                        .checked_add(shift)
                        .ok_or_else(overflow)?;
                    entry.copy_from_slice(&new.to_be_bytes());
                }
            }
            _ => {}
        }
    }
    Ok(())
}

type Rgb = [u8; 3];

/// An RGB8 pixel buffer.
struct Canvas {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

impl Canvas {
    fn new(w: u32, h: u32) -> Canvas {
        Canvas {
            w,
            h,
            px: vec![0; w as usize * h as usize * 3],
        }
    }

    /// Blends `colour` with opacity `alpha`/255 over columns `x0..x1` of row `y` (clipped).
    fn blend_span(&mut self, y: i64, x0: i64, x1: i64, colour: Rgb, alpha: u32) {
        if y < 0 || y >= self.h as i64 {
            return;
        }
        let x0 = x0.clamp(0, self.w as i64) as usize;
        let x1 = x1.clamp(0, self.w as i64) as usize;
        if x0 >= x1 {
            return;
        }
        let row = y as usize * self.w as usize * 3;
        let keep = 255 - alpha;
        let add = colour.map(|c| c as u32 * alpha);
        for px in self.px[row + x0 * 3..row + x1 * 3].chunks_exact_mut(3) {
            for c in 0..3 {
                px[c] = ((px[c] as u32 * keep + add[c] + 127) / 255) as u8;
            }
        }
    }

    fn blend_rect(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, colour: Rgb, alpha: u32) {
        for y in y0.max(0)..y1.min(self.h as i64) {
            self.blend_span(y, x0, x1, colour, alpha);
        }
    }

    /// Blends a filled disc, or a ring when `inner` > 0.
    fn blend_disc(&mut self, cx: f64, cy: f64, outer: f64, inner: f64, colour: Rgb, alpha: u32) {
        let y0 = (cy - outer).floor() as i64;
        let y1 = (cy + outer).ceil() as i64;
        for y in y0..=y1 {
            let dy = y as f64 + 0.5 - cy;
            let reach = outer * outer - dy * dy;
            if reach <= 0.0 {
                continue;
            }
            let half = reach.sqrt();
            let inner_reach = inner * inner - dy * dy;
            if inner > 0.0 && inner_reach > 0.0 {
                let hole = inner_reach.sqrt();
                self.blend_span(y, (cx - half) as i64, (cx - hole) as i64, colour, alpha);
                self.blend_span(y, (cx + hole) as i64, (cx + half) as i64, colour, alpha);
            } else {
                self.blend_span(y, (cx - half) as i64, (cx + half) as i64, colour, alpha);
            }
        }
    }

    /// Fills the canvas with `source` scaled to cover it (centre crop, nearest sampling).
    fn cover_with(&mut self, source: &image::RgbImage) {
        let (sw, sh) = (source.width().max(1) as f64, source.height().max(1) as f64);
        let scale = (self.w as f64 / sw).max(self.h as f64 / sh);
        let off_x = (sw - self.w as f64 / scale) / 2.0;
        let off_y = (sh - self.h as f64 / scale) / 2.0;
        let max_x = source.width().saturating_sub(1);
        let max_y = source.height().saturating_sub(1);
        let columns: Vec<u32> = (0..self.w)
            .map(|x| ((off_x + (x as f64 + 0.5) / scale) as u32).min(max_x))
            .collect();
        let raw = source.as_raw();
        let source_stride = source.width() as usize * 3;
        let w = self.w as usize;
        for y in 0..self.h as usize {
            let sy = ((off_y + (y as f64 + 0.5) / scale) as u32).min(max_y) as usize;
            let src_row = &raw[sy * source_stride..(sy + 1) * source_stride];
            let dst_row = &mut self.px[y * w * 3..(y + 1) * w * 3];
            for (dst, &sx) in dst_row.chunks_exact_mut(3).zip(&columns) {
                let s = sx as usize * 3;
                dst.copy_from_slice(&src_row[s..s + 3]);
            }
        }
    }

    /// Halfway between each pixel and the pixel's brightness in `tint`.
    fn tint(&mut self, tint: Rgb) {
        for px in self.px.chunks_exact_mut(3) {
            let luma = (px[0] as u32 * 77 + px[1] as u32 * 150 + px[2] as u32 * 29) >> 8;
            for c in 0..3 {
                let tinted = (tint[c] as u32 * (luma + 64)) / 319;
                px[c] = ((px[c] as u32 + tinted) / 2) as u8;
            }
        }
    }

    /// Repeats every pixel `factor`×`factor` times, cropped to `w`×`h`.
    fn enlarged(self, factor: u32, w: u32, h: u32) -> Canvas {
        if self.w == w && self.h == h {
            return self;
        }
        let mut out = Canvas::new(w, h);
        let factor = factor as usize;
        let columns: Vec<usize> = (0..w as usize)
            .map(|x| (x / factor).min(self.w as usize - 1) * 3)
            .collect();
        let stride = w as usize * 3;
        let src_stride = self.w as usize * 3;
        for y in 0..h as usize {
            let (done, rest) = out.px.split_at_mut(y * stride);
            let dst_row = &mut rest[..stride];
            if y % factor != 0 {
                dst_row.copy_from_slice(&done[(y - 1) * stride..]);
                continue;
            }
            let sy = (y / factor).min(self.h as usize - 1);
            let src_row = &self.px[sy * src_stride..(sy + 1) * src_stride];
            for (dst, &sx) in dst_row.chunks_exact_mut(3).zip(&columns) {
                dst.copy_from_slice(&src_row[sx..sx + 3]);
            }
        }
        out
    }
}

/// A tiny fixed PRNG (SplitMix64) so pictures stay identical across crate upgrades.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
}

struct Palette {
    from: Rgb,
    to: Rgb,
    accents: [Rgb; 3],
    tint: Rgb,
}

#[derive(Clone, Copy)]
enum ShapeKind {
    Disc,
    Ring,
    Rect,
}

/// A shape in units of the canvas: centre as fractions of width/height, size as a fraction
/// of the short side, so the picture keeps its layout at every aspect ratio.
struct Shape {
    kind: ShapeKind,
    cx: f64,
    cy: f64,
    size: f64,
    stretch: f64,
    colour: Rgb,
    alpha: u32,
}

/// Everything a prompt and seed decide about a picture, independent of its size.
struct Scene {
    palette: Palette,
    angle: f64,
    shapes: Vec<Shape>,
    words: Vec<(u16, Rgb)>,
    orbit: (f64, f64, f64),
}

impl Scene {
    fn new(prompt: &str, seed: u64) -> Scene {
        let mut hasher = Sha256::new();
        hasher.update(prompt.as_bytes());
        hasher.update([0]);
        hasher.update(seed.to_le_bytes());
        let digest = hasher.finalize();
        let mut state = [0u8; 8];
        state.copy_from_slice(&digest[..8]);
        let mut rng = SplitMix(u64::from_le_bytes(state));

        let hue = rng.range(0.0, 1.0);
        let spread = rng.range(0.15, 0.5);
        let palette = Palette {
            from: hsv(hue, rng.range(0.55, 0.9), rng.range(0.25, 0.5)),
            to: hsv(hue + spread, rng.range(0.5, 0.9), rng.range(0.75, 1.0)),
            accents: [
                hsv(hue + 0.5, 0.8, 0.95),
                hsv(hue + spread + 0.33, 0.6, 0.9),
                hsv(hue - spread, 0.3, 1.0),
            ],
            tint: hsv(hue, 0.85, 1.0),
        };
        let angle = rng.range(0.0, std::f64::consts::TAU);
        let shape_count = 3 + (rng.next() % 4) as usize;
        let shapes = (0..shape_count)
            .map(|i| Shape {
                kind: match rng.next() % 3 {
                    0 => ShapeKind::Disc,
                    1 => ShapeKind::Ring,
                    _ => ShapeKind::Rect,
                },
                cx: rng.range(0.1, 0.9),
                cy: rng.range(0.1, 0.75),
                size: rng.range(0.08, 0.3),
                stretch: rng.range(0.5, 2.0),
                colour: palette.accents[i % 3],
                alpha: 120 + (rng.next() % 110) as u32,
            })
            .collect();
        let words = prompt
            .split_whitespace()
            .take(6)
            .enumerate()
            .map(|(i, word)| {
                let digest = Sha256::digest(word.to_lowercase().as_bytes());
                (
                    u16::from_le_bytes([digest[0], digest[1]]),
                    palette.accents[i % 3],
                )
            })
            .collect();
        let orbit = (
            rng.range(0.0, 1.0),
            1.0 + (rng.next() % 3) as f64,
            rng.range(0.06, 0.12),
        );
        Scene {
            palette,
            angle,
            shapes,
            words,
            orbit,
        }
    }

    /// Linear gradient from `palette.from` to `palette.to` along `angle`.
    fn paint_background(&self, canvas: &mut Canvas) {
        let lut: Vec<Rgb> = (0..256u32)
            .map(|i| {
                let mix = |a: u8, b: u8| ((a as u32 * (255 - i) + b as u32 * i) / 255) as u8;
                let (f, t) = (self.palette.from, self.palette.to);
                [mix(f[0], t[0]), mix(f[1], t[1]), mix(f[2], t[2])]
            })
            .collect();
        let (w, h) = (canvas.w as f64, canvas.h as f64);
        let (dx, dy) = (self.angle.cos() / w, self.angle.sin() / h);
        // Project the corners to find the gradient's extent so it always spans 0..255.
        let corners = [0.0, dx * w, dy * h, dx * w + dy * h];
        let lo = corners.iter().cloned().fold(f64::MAX, f64::min);
        let hi = corners.iter().cloned().fold(f64::MIN, f64::max);
        let scale = 255.0 / (hi - lo).max(1e-9);
        let stride = canvas.w as usize * 3;
        for (y, row) in canvas.px.chunks_exact_mut(stride).enumerate() {
            let start = (y as f64 * dy - lo) * scale;
            let step = dx * scale;
            for (x, px) in row.chunks_exact_mut(3).enumerate() {
                let index = (start + x as f64 * step).clamp(0.0, 255.0) as usize;
                px.copy_from_slice(&lut[index]);
            }
        }
    }

    fn paint_shapes(&self, canvas: &mut Canvas) {
        let (w, h) = (canvas.w as f64, canvas.h as f64);
        let unit = w.min(h);
        for shape in &self.shapes {
            let (cx, cy, r) = (shape.cx * w, shape.cy * h, shape.size * unit);
            match shape.kind {
                ShapeKind::Disc => canvas.blend_disc(cx, cy, r, 0.0, shape.colour, shape.alpha),
                ShapeKind::Ring => canvas.blend_disc(cx, cy, r, r * 0.7, shape.colour, shape.alpha),
                ShapeKind::Rect => {
                    let (hw, hh) = (r * shape.stretch, r / shape.stretch);
                    canvas.blend_rect(
                        (cx - hw) as i64,
                        (cy - hh) as i64,
                        (cx + hw) as i64,
                        (cy + hh) as i64,
                        shape.colour,
                        shape.alpha,
                    );
                }
            }
        }
    }

    /// One row of 16 cells per prompt word (its hash's bits) along the bottom, so prompts
    /// with different words look different even on the same reference.
    fn paint_word_rows(&self, canvas: &mut Canvas) {
        if self.words.is_empty() {
            return;
        }
        let (w, h) = (canvas.w as f64, canvas.h as f64);
        let cell = (w.min(h) * 0.035).max(2.0);
        let left = (w * 0.04).round();
        let rows = self.words.len() as f64;
        let top = (h - h * 0.04 - rows * cell * 1.25).round();
        let dark = self.palette.from.map(|c| c / 3);
        canvas.blend_rect(
            (left - cell * 0.5) as i64,
            (top - cell * 0.5) as i64,
            (left + cell * 16.5) as i64,
            (top + rows * cell * 1.25 + cell * 0.25) as i64,
            dark,
            170,
        );
        for (row, &(bits, colour)) in self.words.iter().enumerate() {
            let y0 = top + row as f64 * cell * 1.25;
            for bit in 0..16 {
                if bits >> bit & 1 == 1 {
                    let x0 = left + bit as f64 * cell;
                    canvas.blend_rect(
                        x0 as i64,
                        y0 as i64,
                        (x0 + cell * 0.9) as i64,
                        (y0 + cell) as i64,
                        colour,
                        235,
                    );
                }
            }
        }
    }

    /// A disc travelling a Lissajous path; `phase` in `[0, 1)` over the whole clip.
    fn paint_moving_disc(&self, canvas: &mut Canvas, phase: f64) {
        let (w, h) = (canvas.w as f64, canvas.h as f64);
        let (start, laps, radius) = self.orbit;
        let t = (start + phase * laps) * std::f64::consts::TAU;
        let cx = w * (0.5 + 0.35 * t.cos());
        let cy = h * (0.5 + 0.3 * (2.0 * t).sin());
        let r = w.min(h) * radius;
        canvas.blend_disc(cx, cy, r, 0.0, self.palette.accents[0], 230);
        canvas.blend_disc(cx, cy, r * 1.35, r, self.palette.tint, 140);
    }
}

/// HSV (hue wraps, saturation and value in `[0, 1]`) to RGB8.
fn hsv(hue: f64, saturation: f64, value: f64) -> Rgb {
    let h = hue.rem_euclid(1.0) * 6.0;
    let c = value * saturation;
    let x = c * (1.0 - ((h % 2.0) - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = value - c;
    [r, g, b].map(|v| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8)
}

/// Baseline JPEG (4:4:4, standard Huffman tables) of `design` enlarged `factor` times and
/// cropped to `width`×`height`, where `factor` is a multiple of 4.
///
/// With such a factor every 8×8 block is four flat 4×4 quadrants, so its DCT has a closed form:
/// coefficient (u, v) is zero unless u and v are each 0 or odd, and then equals
/// `C(u)C(v)h(u)h(v)/4 · (a ± b ± c ± d)` over the quadrant values, with
/// `h(u) = Σ_{x<4} cos((2x+1)uπ/16)`. No per-pixel transform is needed.
fn enlarged_jpeg(design: &Canvas, factor: u32, width: u32, height: u32, quality: u8) -> Vec<u8> {
    let tables = JpegTables::new(quality);
    let (dw, dh) = (design.w as usize, design.h as usize);
    // Full-range YCbCr planes of the drawn picture, as JFIF defines them.
    let mut planes = [
        vec![0f32; dw * dh],
        vec![0f32; dw * dh],
        vec![0f32; dw * dh],
    ];
    for (i, px) in design.px.chunks_exact(3).enumerate() {
        let (r, g, b) = (px[0] as f32, px[1] as f32, px[2] as f32);
        planes[0][i] = 0.299 * r + 0.587 * g + 0.114 * b;
        planes[1][i] = -0.168_736 * r - 0.331_264 * g + 0.5 * b + 128.0;
        planes[2][i] = 0.5 * r - 0.418_688 * g - 0.081_312 * b + 128.0;
    }

    let mut out = Vec::with_capacity(1 << 16);
    tables.write_headers(&mut out, width, height);
    let mut sink = BitSink::new(out);
    let mut predictions = [0i32; 3];
    let factor = factor as usize;
    let design_x = |x: usize| (x / factor).min(dw - 1);
    let design_y = |y: usize| (y / factor).min(dh - 1);
    for block_y in 0..(height as usize).div_ceil(8) {
        let (top, bottom) = (design_y(block_y * 8) * dw, design_y(block_y * 8 + 4) * dw);
        for block_x in 0..(width as usize).div_ceil(8) {
            let (left, right) = (design_x(block_x * 8), design_x(block_x * 8 + 4));
            for (component, plane) in planes.iter().enumerate() {
                let a = plane[top + left];
                let b = plane[top + right];
                let c = plane[bottom + left];
                let d = plane[bottom + right];
                let sums = [
                    a + b + c + d - 512.0,
                    a - b + c - d,
                    a + b - c - d,
                    a - b - c + d,
                ];
                let kind = usize::from(component > 0);
                tables.encode_block(&mut sink, kind, &sums, &mut predictions[component]);
            }
        }
    }
    let mut out = sink.finish();
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// Natural (row-major) index of each zig-zag position.
const UNZIGZAG: [u8; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

// ITU T.81 Annex K tables K.1, K.2 (natural order) and K.3–K.6.
const LUMA_QUANT: [u8; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
    92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_QUANT: [u8; 64] = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
    47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];
const DC_VALUES: [u8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const LUMA_DC_LENGTHS: [u8; 16] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const CHROMA_DC_LENGTHS: [u8; 16] = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
const LUMA_AC_LENGTHS: [u8; 16] = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D];
const CHROMA_AC_LENGTHS: [u8; 16] = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
const LUMA_AC_VALUES: [u8; 162] = [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
    0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0,
    0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
    0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
    0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5,
    0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
    0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
    0xF9, 0xFA,
];
const CHROMA_AC_VALUES: [u8; 162] = [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
    0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0,
    0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19, 0x1A, 0x26,
    0x27, 0x28, 0x29, 0x2A, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
    0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5,
    0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3,
    0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA,
    0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
    0xF9, 0xFA,
];

/// `(length, code)` for each symbol of a canonical Huffman table.
fn huffman_codes(lengths: &[u8; 16], values: &[u8]) -> [(u8, u16); 256] {
    let mut codes = [(0u8, 0u16); 256];
    let mut code = 0u16;
    let mut next = values.iter();
    for (index, &count) in lengths.iter().enumerate() {
        for _ in 0..count {
            if let Some(&symbol) = next.next() {
                codes[symbol as usize] = (index as u8 + 1, code);
            }
            code = code.wrapping_add(1);
        }
        code = code.wrapping_shl(1);
    }
    codes
}

/// A coefficient that can be non-zero in a block of four flat quadrants.
struct QuadrantTerm {
    zigzag: u8,
    /// Which quadrant sum it scales: 0 = a+b+c+d, 1 = a−b+c−d, 2 = a+b−c−d, 3 = a−b−c+d.
    sum: u8,
    /// DCT factor divided by the quantiser step.
    scale: f32,
}

struct JpegTables {
    /// Luma, chroma quantisers in natural order.
    quant: [[u8; 64]; 2],
    /// Luma, chroma terms sorted by zig-zag position; the first is DC.
    terms: [Vec<QuadrantTerm>; 2],
    dc: [[(u8, u16); 256]; 2],
    ac: [[(u8, u16); 256]; 2],
}

impl JpegTables {
    fn new(quality: u8) -> JpegTables {
        let quality = u32::from(quality.clamp(1, 100));
        let percent = if quality < 50 {
            5000 / quality
        } else {
            200 - quality * 2
        };
        let scaled = |base: &[u8; 64]| {
            base.map(|q| ((u32::from(q) * percent + 50) / 100).clamp(1, 255) as u8)
        };
        let quant = [scaled(&LUMA_QUANT), scaled(&CHROMA_QUANT)];
        let h = |u: usize| -> f32 {
            (0..4)
                .map(|x| ((2 * x + 1) as f32 * u as f32 * std::f32::consts::PI / 16.0).cos())
                .sum()
        };
        let c = |u: usize| {
            if u == 0 {
                std::f32::consts::FRAC_1_SQRT_2
            } else {
                1.0
            }
        };
        let terms = quant.map(|q| {
            let mut terms: Vec<QuadrantTerm> = UNZIGZAG
                .iter()
                .enumerate()
                .filter_map(|(zigzag, &natural)| {
                    let (u, v) = (natural as usize % 8, natural as usize / 8);
                    let live = |n: usize| n == 0 || n % 2 == 1;
                    (live(u) && live(v)).then(|| QuadrantTerm {
                        zigzag: zigzag as u8,
                        sum: u8::from(u % 2 == 1) | (u8::from(v % 2 == 1) << 1),
                        scale: 0.25 * c(u) * c(v) * h(u) * h(v) / f32::from(q[natural as usize]),
                    })
                })
                .collect();
            terms.sort_by_key(|t| t.zigzag);
            terms
        });
        JpegTables {
            quant,
            terms,
            dc: [
                huffman_codes(&LUMA_DC_LENGTHS, &DC_VALUES),
                huffman_codes(&CHROMA_DC_LENGTHS, &DC_VALUES),
            ],
            ac: [
                huffman_codes(&LUMA_AC_LENGTHS, &LUMA_AC_VALUES),
                huffman_codes(&CHROMA_AC_LENGTHS, &CHROMA_AC_VALUES),
            ],
        }
    }

    fn write_headers(&self, out: &mut Vec<u8>, width: u32, height: u32) {
        out.extend_from_slice(&[0xFF, 0xD8]);
        let mut segment = |marker: u8, body: &[u8]| {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(&(body.len() as u16 + 2).to_be_bytes());
            out.extend_from_slice(body);
        };
        segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        let mut dqt = Vec::with_capacity(130);
        for (id, quant) in self.quant.iter().enumerate() {
            dqt.push(id as u8);
            dqt.extend(UNZIGZAG.iter().map(|&n| quant[n as usize]));
        }
        segment(0xDB, &dqt);
        let mut sof = vec![8];
        sof.extend_from_slice(&(height as u16).to_be_bytes());
        sof.extend_from_slice(&(width as u16).to_be_bytes());
        sof.extend_from_slice(&[3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
        segment(0xC0, &sof);
        let mut dht = Vec::new();
        for (class_id, lengths, values) in [
            (0x00, &LUMA_DC_LENGTHS, &DC_VALUES[..]),
            (0x10, &LUMA_AC_LENGTHS, &LUMA_AC_VALUES[..]),
            (0x01, &CHROMA_DC_LENGTHS, &DC_VALUES[..]),
            (0x11, &CHROMA_AC_LENGTHS, &CHROMA_AC_VALUES[..]),
        ] {
            dht.push(class_id);
            dht.extend_from_slice(lengths);
            dht.extend_from_slice(values);
        }
        segment(0xC4, &dht);
        segment(0xDA, &[3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
    }

    /// Entropy-codes one block from its four quadrant sums (DC sum already level-shifted).
    fn encode_block(&self, sink: &mut BitSink, kind: usize, sums: &[f32; 4], prediction: &mut i32) {
        let terms = &self.terms[kind];
        let dc = (terms[0].scale * sums[0]).round() as i32;
        let (size, bits) = magnitude(dc - *prediction);
        *prediction = dc;
        let (length, code) = self.dc[kind][size as usize];
        sink.put(length, u32::from(code));
        sink.put(size as u8, bits);
        let (eob_length, eob) = self.ac[kind][0x00];
        if sums[1] == 0.0 && sums[2] == 0.0 && sums[3] == 0.0 {
            sink.put(eob_length, u32::from(eob));
            return;
        }
        let mut last = 0u8;
        for term in &terms[1..] {
            let value = (term.scale * sums[term.sum as usize]).round() as i32;
            if value == 0 {
                continue;
            }
            let mut run = term.zigzag - last - 1;
            while run > 15 {
                let (length, code) = self.ac[kind][0xF0];
                sink.put(length, u32::from(code));
                run -= 16;
            }
            let (size, bits) = magnitude(value.clamp(-1023, 1023));
            let (length, code) = self.ac[kind][usize::from(run << 4) | size as usize];
            sink.put(length, u32::from(code));
            sink.put(size as u8, bits);
            last = term.zigzag;
        }
        if last != 63 {
            sink.put(eob_length, u32::from(eob));
        }
    }
}

/// Bit count and JPEG bit pattern of a coefficient (negative values are one's complement).
fn magnitude(value: i32) -> (u32, u32) {
    let size = 32 - value.unsigned_abs().leading_zeros();
    let bits = if value < 0 {
        (value - 1) as u32 & ((1u32 << size) - 1)
    } else {
        value as u32
    };
    (size, bits)
}

/// Writes bits MSB-first with JPEG byte stuffing (0xFF is followed by 0x00).
struct BitSink {
    out: Vec<u8>,
    acc: u64,
    count: u32,
}

impl BitSink {
    fn new(out: Vec<u8>) -> BitSink {
        BitSink {
            out,
            acc: 0,
            count: 0,
        }
    }

    fn put(&mut self, length: u8, bits: u32) {
        if length == 0 {
            return;
        }
        let length = u32::from(length);
        // Lengths are at most 16, so the mask cannot overflow.
        self.acc = (self.acc << length) | u64::from(bits & ((1u32 << length) - 1));
        self.count += length;
        while self.count >= 8 {
            self.count -= 8;
            let byte = (self.acc >> self.count) as u8;
            self.out.push(byte);
            if byte == 0xFF {
                self.out.push(0);
            }
        }
        self.acc &= (1u64 << self.count) - 1;
    }

    /// Pads the last byte with 1 bits, as T.81 asks.
    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            let pad = 8 - self.count;
            self.put(pad as u8, (1u32 << pad) - 1);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openh264::decoder::Decoder;
    use openh264::formats::YUVSource;
    use std::time::Duration;

    fn image_spec(prompt: &str, width: u32, height: u32, format: ImageFormat) -> ImageSpec<'_> {
        ImageSpec {
            width,
            height,
            format,
            prompt,
            seed: 7,
            reference: None,
        }
    }

    fn video_spec(prompt: &str, duration_secs: f64) -> VideoSpec<'_> {
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

    fn decode(bytes: &[u8]) -> image::RgbImage {
        image::load_from_memory(bytes).unwrap().to_rgb8()
    }

    /// Mean per-pixel distance (0..=441) between two same-sized pictures.
    fn mean_distance(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
        assert_eq!(a.dimensions(), b.dimensions());
        let total: f64 = a
            .pixels()
            .zip(b.pixels())
            .map(|(p, q)| {
                (0..3)
                    .map(|c| (p[c] as f64 - q[c] as f64).powi(2))
                    .sum::<f64>()
                    .sqrt()
            })
            .sum();
        total / (a.width() * a.height()) as f64
    }

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
    fn images_decode_at_the_requested_size_in_each_format() {
        for (format, expected) in [
            (ImageFormat::Png, image::ImageFormat::Png),
            (ImageFormat::Jpg, image::ImageFormat::Jpeg),
        ] {
            for (w, h) in [
                (1024, 576),
                (576, 1024),
                (300, 300),
                (2048, 878),
                (3000, 1286),
            ] {
                let bytes = render_image(&image_spec("a red fox", w, h, format)).unwrap();
                assert_eq!(image::guess_format(&bytes).unwrap(), expected);
                assert_eq!(decode(&bytes).dimensions(), (w, h));
            }
        }
    }

    #[test]
    fn a_4k_png_has_the_4k_size() {
        // Render time is measured by benches/media.rs, not asserted here.
        let (w, h) = image_dimensions(Some("16:9"), Some("4K"));
        let bytes = render_image(&image_spec("city at night", w, h, ImageFormat::Png)).unwrap();
        assert_eq!(decode(&bytes).dimensions(), (4096, 2304));
    }

    #[test]
    fn same_inputs_give_identical_bytes() {
        for format in [ImageFormat::Png, ImageFormat::Jpg] {
            let spec = image_spec("a lighthouse in fog", 640, 360, format);
            assert_eq!(render_image(&spec).unwrap(), render_image(&spec).unwrap());
        }
    }

    #[test]
    fn different_prompts_or_seeds_give_visibly_different_pictures() {
        let prompts = ["a red fox", "a red fox.", "blue ocean waves", "x", ""];
        let pictures: Vec<_> = prompts
            .iter()
            .map(|p| decode(&render_image(&image_spec(p, 512, 512, ImageFormat::Png)).unwrap()))
            .collect();
        for i in 0..pictures.len() {
            for j in i + 1..pictures.len() {
                let d = mean_distance(&pictures[i], &pictures[j]);
                assert!(
                    d > 25.0,
                    "{:?} vs {:?}: distance {d}",
                    prompts[i],
                    prompts[j]
                );
            }
        }
        let mut other_seed = image_spec("a red fox", 512, 512, ImageFormat::Png);
        other_seed.seed = 8;
        let reseeded = decode(&render_image(&other_seed).unwrap());
        assert!(mean_distance(&pictures[0], &reseeded) > 25.0);
    }

    /// Draws the picture for `prompt` at `design` size, as `render_image` would.
    fn design_canvas(prompt: &str, w: u32, h: u32) -> Canvas {
        let scene = Scene::new(prompt, 3);
        let mut canvas = Canvas::new(w, h);
        scene.paint_background(&mut canvas);
        scene.paint_shapes(&mut canvas);
        scene.paint_word_rows(&mut canvas);
        canvas
    }

    #[test]
    fn the_fast_jpeg_matches_the_enlarged_picture() {
        // Odd sizes exercise partial blocks at the right and bottom edges.
        for (factor, w, h) in [(4u32, 1000u32, 562u32), (4, 397, 251), (8, 797, 477)] {
            let design = design_canvas(
                "harbour lights at dusk",
                w.div_ceil(factor),
                h.div_ceil(factor),
            );
            let jpeg = enlarged_jpeg(&design, factor, w, h, JPEG_QUALITY);
            let decoded = decode(&jpeg);
            assert_eq!(decoded.dimensions(), (w, h));
            let expected = design.enlarged(factor, w, h);
            let expected = image::RgbImage::from_raw(w, h, expected.px).unwrap();
            let d = mean_distance(&decoded, &expected);
            assert!(d < 4.0, "factor {factor} {w}x{h}: mean distance {d}");
        }
    }

    #[test]
    fn a_4k_jpeg_is_a_4k_jpeg() {
        let (w, h) = image_dimensions(Some("1:1"), Some("4K"));
        let bytes = render_image(&image_spec("city at night", w, h, ImageFormat::Jpg)).unwrap();
        assert_eq!(
            image::guess_format(&bytes).unwrap(),
            image::ImageFormat::Jpeg
        );
        assert_eq!(decode(&bytes).dimensions(), (4096, 4096));
    }

    fn reference_png() -> Vec<u8> {
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

    #[test]
    fn a_reference_is_visible_and_tinted() {
        let reference = reference_png();
        let plain_spec = image_spec("a sunny meadow", 400, 400, ImageFormat::Png);
        let with_reference = ImageSpec {
            reference: Some(&reference),
            ..plain_spec
        };
        let plain = render_image_with_outcome(&plain_spec).unwrap();
        let referenced = render_image_with_outcome(&with_reference).unwrap();
        assert_eq!(plain.reference, ReferenceUse::NotGiven);
        assert_eq!(referenced.reference, ReferenceUse::Applied);
        let plain = decode(&plain.bytes);
        let referenced = decode(&referenced.bytes);
        assert!(mean_distance(&plain, &referenced) > 25.0);
        // The checkerboard survives: a light square and a dark square of the reference
        // (cover-cropped from 200x100 to a square: source columns 50..150 fill 400 px, so
        // x = 150 samples source column 87, dark, and x = 250 column 112, light) stay apart.
        let light = referenced.get_pixel(250, 50);
        let dark = referenced.get_pixel(150, 50);
        let luma = |p: &image::Rgb<u8>| p[0] as u32 + p[1] as u32 + p[2] as u32;
        assert!(luma(light) > luma(dark) + 200, "{light:?} vs {dark:?}");
        // Tinted: the light square is no longer neutral grey.
        let spread = light.0.iter().max().unwrap() - light.0.iter().min().unwrap();
        assert!(spread > 30, "light square {light:?} is not tinted");
    }

    #[test]
    fn every_reference_format_decodes_and_bad_bytes_fall_back() {
        let source =
            image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
        for format in [
            image::ImageFormat::Png,
            image::ImageFormat::Jpeg,
            image::ImageFormat::WebP,
            image::ImageFormat::Gif,
        ] {
            let mut encoded = Cursor::new(Vec::new());
            image::DynamicImage::ImageRgb8(source.clone())
                .to_rgba8()
                .write_to(&mut encoded, format)
                .or_else(|_| source.write_to(&mut encoded, format))
                .unwrap();
            let bytes = encoded.into_inner();
            let spec = ImageSpec {
                reference: Some(&bytes),
                ..image_spec("tea", 128, 96, ImageFormat::Jpg)
            };
            let rendered = render_image_with_outcome(&spec).unwrap();
            assert_eq!(rendered.reference, ReferenceUse::Applied, "{format:?}");
        }
        let garbage = b"not an image at all".to_vec();
        let spec = ImageSpec {
            reference: Some(&garbage),
            ..image_spec("tea", 128, 96, ImageFormat::Png)
        };
        let rendered = render_image_with_outcome(&spec).unwrap();
        assert_eq!(rendered.reference, ReferenceUse::Unreadable);
        let plain = render_image(&image_spec("tea", 128, 96, ImageFormat::Png)).unwrap();
        assert_eq!(rendered.bytes, plain);
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

    /// Top-level box types in file order.
    fn top_level_boxes(file: &[u8]) -> Vec<String> {
        box_spans(file)
            .unwrap()
            .iter()
            .map(|s| String::from_utf8_lossy(&s.kind).into_owned())
            .collect()
    }

    struct ParsedVideo {
        width: u16,
        height: u16,
        duration: Duration,
        samples: Vec<mp4::Mp4Sample>,
        sps: Vec<u8>,
        pps: Vec<u8>,
        profile_idc: u8,
    }

    fn parse_video(bytes: &[u8]) -> ParsedVideo {
        let mut reader =
            mp4::Mp4Reader::read_header(Cursor::new(bytes), bytes.len() as u64).unwrap();
        assert_eq!(reader.tracks().len(), 1);
        let (&id, track) = reader.tracks().iter().next().unwrap();
        assert_eq!(track.media_type().unwrap(), mp4::MediaType::H264);
        assert_eq!(track.box_type().unwrap(), mp4::FourCC::from(*b"avc1"));
        let avcc = &track.trak.mdia.minf.stbl.stsd.avc1.as_ref().unwrap().avcc;
        let (width, height, duration) = (track.width(), track.height(), track.duration());
        let sps = track.sequence_parameter_set().unwrap().to_vec();
        let pps = track.picture_parameter_set().unwrap().to_vec();
        let profile_idc = avcc.avc_profile_indication;
        let count = track.sample_count();
        let samples = (1..=count)
            .map(|i| reader.read_sample(id, i).unwrap().unwrap())
            .collect();
        ParsedVideo {
            width,
            height,
            duration,
            samples,
            sps,
            pps,
            profile_idc,
        }
    }

    /// Decodes every sample with OpenH264; returns the RGB frames.
    fn decode_frames(video: &ParsedVideo) -> Vec<Vec<u8>> {
        let mut decoder = Decoder::new().unwrap();
        let mut annex_b = Vec::new();
        for nal in [&video.sps, &video.pps] {
            annex_b.extend_from_slice(&[0, 0, 0, 1]);
            annex_b.extend_from_slice(nal);
        }
        let mut frames = Vec::new();
        for sample in &video.samples {
            let mut rest: &[u8] = &sample.bytes;
            while !rest.is_empty() {
                let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
                annex_b.extend_from_slice(&[0, 0, 0, 1]);
                annex_b.extend_from_slice(&rest[4..4 + len]);
                rest = &rest[4 + len..];
            }
            if let Some(yuv) = decoder.decode(&annex_b).unwrap() {
                let (w, h) = yuv.dimensions();
                assert_eq!((w, h), (video.width as usize, video.height as usize));
                let mut rgb = vec![0; w * h * 3];
                yuv.write_rgb8(&mut rgb);
                frames.push(rgb);
            }
            annex_b.clear();
        }
        frames
    }

    #[test]
    fn a_video_is_one_baseline_avc1_track_of_the_requested_length() {
        for (aspect, secs) in [("16:9", 2.0), ("9:16", 1.0), ("4:3", 3.5)] {
            let (width, height) = video_dimensions(Some(aspect));
            let spec = VideoSpec {
                width,
                height,
                ..video_spec("a paper boat on a river", secs)
            };
            let bytes = render_video(&spec).unwrap();
            let boxes = top_level_boxes(&bytes);
            let moov = boxes.iter().position(|b| b == "moov").unwrap();
            let mdat = boxes.iter().position(|b| b == "mdat").unwrap();
            assert!(moov < mdat, "moov must come first for streaming: {boxes:?}");

            let video = parse_video(&bytes);
            assert_eq!((video.width as u32, video.height as u32), (width, height));
            let expected = (secs * VIDEO_FPS as f64).round() as usize;
            assert_eq!(video.samples.len(), expected);
            let frame = 1.0 / VIDEO_FPS as f64;
            let got = video.duration.as_secs_f64();
            assert!((got - secs).abs() <= frame, "{got} s for {secs} s");
            assert_eq!(video.profile_idc, 66, "baseline profile");
            assert_eq!(video.sps[1], 66);
            // constraint_set1_flag: constrained baseline, which every browser decoder accepts.
            assert_ne!(video.sps[2] & 0x40, 0, "constrained baseline");
            assert!(video.samples[0].is_sync, "the first sample is a keyframe");
            // No parameter sets inside samples: avcC carries them.
            for sample in &video.samples {
                let first_nal_type = sample.bytes[4] & 0x1f;
                assert!(matches!(first_nal_type, 1 | 5), "NAL type {first_nal_type}");
            }
        }
    }

    #[test]
    fn a_video_decodes_and_moves() {
        let bytes = render_video(&video_spec("fireflies over a pond", 2.0)).unwrap();
        let video = parse_video(&bytes);
        let frames = decode_frames(&video);
        assert_eq!(frames.len(), video.samples.len());
        let first = &frames[0];
        let middle = &frames[frames.len() / 2];
        let changed = first
            .iter()
            .zip(middle)
            .filter(|(a, b)| a.abs_diff(**b) > 24)
            .count();
        assert!(changed > first.len() / 20, "only {changed} values moved");
    }

    #[test]
    fn videos_are_deterministic_and_differ_by_prompt() {
        let a = render_video(&video_spec("a paper boat", 1.0)).unwrap();
        assert_eq!(a, render_video(&video_spec("a paper boat", 1.0)).unwrap());
        let b = render_video(&video_spec("a steam train", 1.0)).unwrap();
        let first_a = &decode_frames(&parse_video(&a))[0];
        let first_b = &decode_frames(&parse_video(&b))[0];
        let differing = first_a
            .iter()
            .zip(first_b)
            .filter(|(x, y)| x.abs_diff(**y) > 24)
            .count();
        assert!(differing > first_a.len() / 4);
    }

    #[test]
    fn a_reference_is_the_video_background() {
        let reference = reference_png();
        let spec = video_spec("snow", 1.0);
        let plain = render_video_with_outcome(&spec).unwrap();
        let referenced = render_video_with_outcome(&VideoSpec {
            reference: Some(&reference),
            ..spec
        })
        .unwrap();
        assert_eq!(referenced.reference, ReferenceUse::Applied);
        let plain_frame = &decode_frames(&parse_video(&plain.bytes))[0];
        let ref_frame = &decode_frames(&parse_video(&referenced.bytes))[0];
        let differing = plain_frame
            .iter()
            .zip(ref_frame)
            .filter(|(x, y)| x.abs_diff(**y) > 24)
            .count();
        assert!(differing > plain_frame.len() / 4);
    }

    #[test]
    fn a_ten_second_video_stays_small() {
        let bytes = render_video(&video_spec("a long walk", 10.0)).unwrap();
        assert!(bytes.len() < 1_500_000, "{} bytes", bytes.len());
        assert_eq!(parse_video(&bytes).samples.len(), 120);
    }
}

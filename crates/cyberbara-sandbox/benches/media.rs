//! How long the sandbox takes to render task outputs. A task may not finish before its
//! file exists, so these times bound how fast `--speed` can make tasks. Results are
//! recorded in docs/BENCHMARKS.md (`cargo bench -p cyberbara-sandbox --bench media`).

use cyberbara_sandbox::media::{
    image_dimensions, render_image, render_video, video_dimensions, ImageFormat, ImageSpec,
    VideoSpec,
};

fn main() {
    divan::main();
}

#[divan::bench(args = ["1K", "2K", "4K"], sample_count = 5)]
fn image_png(resolution: &str) -> Vec<u8> {
    let (width, height) = image_dimensions(Some("16:9"), Some(resolution));
    render_image(&ImageSpec {
        width,
        height,
        format: ImageFormat::Png,
        prompt: "a cinematic portrait under neon rain",
        seed: 7,
        reference: None,
    })
    .expect("render")
}

#[divan::bench(args = ["1K", "4K"], sample_count = 5)]
fn image_jpg(resolution: &str) -> Vec<u8> {
    let (width, height) = image_dimensions(Some("1:1"), Some(resolution));
    render_image(&ImageSpec {
        width,
        height,
        format: ImageFormat::Jpg,
        prompt: "a cinematic portrait under neon rain",
        seed: 7,
        reference: None,
    })
    .expect("render")
}

#[divan::bench(args = [5.0, 10.0, 15.0], sample_count = 5)]
fn video_mp4(seconds: f64) -> Vec<u8> {
    let (width, height) = video_dimensions(Some("16:9"));
    render_video(&VideoSpec {
        width,
        height,
        duration_secs: seconds,
        fps: 12,
        prompt: "a calm drone shot over snowy mountains at sunrise",
        seed: 7,
        reference: None,
    })
    .expect("render")
}

/// The alternative to the sandbox's own 4K JPEG path: the `image` crate's encoder on a
/// 4096×4096 picture. Run in a test build (`--profile dev`) to see why the hand-written
/// encoder stays (docs/BENCHMARKS.md).
#[divan::bench(sample_count = 5)]
fn image_crate_jpeg_4k(bencher: divan::Bencher) {
    let side = 4096u32;
    let pixels: Vec<u8> = (0..side * side)
        .flat_map(|i| {
            let (x, y) = (i % side, i / side);
            [
                (x / 16) as u8,
                (y / 16) as u8,
                (((x / 64) ^ (y / 64)) % 6) as u8 * 40,
            ]
        })
        .collect();
    bencher.bench(|| {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
            .encode(&pixels, side, side, image::ExtendedColorType::Rgb8)
            .expect("encode");
        out
    });
}

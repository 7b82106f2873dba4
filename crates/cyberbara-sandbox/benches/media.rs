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

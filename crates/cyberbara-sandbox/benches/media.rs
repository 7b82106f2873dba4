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

/// The 4K JPEG encoders compared on the picture `image_jpg/4K` renders (4096×4096, drawn at
/// 1024×1024 and enlarged 4×), all at quality 88 with 4:4:4 chroma and baseline Huffman tables,
/// like the sandbox's files. Run in the dev profile (`--profile dev`, what tests and the app's
/// debug builds use) and in release; the figures and the decision are in docs/BENCHMARKS.md.
mod jpeg_4k {
    use cyberbara_sandbox::media::{draw_image, DrawnImage, ImageFormat, ImageSpec, JPEG_QUALITY};
    use std::sync::LazyLock;

    static DRAWN: LazyLock<DrawnImage> = LazyLock::new(|| {
        draw_image(&ImageSpec {
            width: 4096,
            height: 4096,
            format: ImageFormat::Jpg,
            prompt: "a cinematic portrait under neon rain",
            seed: 7,
            reference: None,
        })
        .expect("draw")
    });
    /// The output-sized pixels the library encoders take (made once, outside the timings).
    static PIXELS: LazyLock<Vec<u8>> = LazyLock::new(|| DRAWN.enlarged_rgb());

    /// The sandbox's own encoder, straight from the drawn picture (it needs no enlarged copy).
    #[divan::bench(sample_count = 5)]
    fn hand_written() -> Vec<u8> {
        DRAWN.hand_written_jpeg().expect("a 4× picture")
    }

    /// Enlarging the drawn picture to 4096×4096 RGB: what a library encoder fed a whole
    /// picture costs on top of its own time.
    #[divan::bench(sample_count = 5)]
    fn enlarge_for_libraries() -> Vec<u8> {
        DRAWN.enlarged_rgb()
    }

    #[divan::bench(sample_count = 5)]
    fn jpeg_encoder(bencher: divan::Bencher) {
        let pixels = &*PIXELS;
        bencher.bench(|| {
            let mut out = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
            encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_1_1);
            encoder
                .encode(pixels, 4096, 4096, jpeg_encoder::ColorType::Rgb)
                .expect("encode");
            out
        });
    }

    /// libjpeg-turbo's behaviour through the `mozjpeg` crate: `set_fastest_defaults` turns off
    /// mozjpeg's trellis quantisation and scan optimisation (libjpeg v6 settings).
    #[divan::bench(sample_count = 5)]
    fn mozjpeg(bencher: divan::Bencher) {
        let pixels = &*PIXELS;
        bencher.bench(|| {
            let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
            compress.set_fastest_defaults();
            compress.set_size(4096, 4096);
            compress.set_quality(f32::from(JPEG_QUALITY));
            compress.set_chroma_sampling_pixel_sizes((1, 1), (1, 1));
            let mut started = compress.start_compress(Vec::new()).expect("start");
            started.write_scanlines(pixels).expect("write");
            started.finish().expect("finish")
        });
    }

    #[divan::bench(sample_count = 5)]
    fn image_crate(bencher: divan::Bencher) {
        let pixels = &*PIXELS;
        bencher.bench(|| {
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
                .encode(pixels, 4096, 4096, image::ExtendedColorType::Rgb8)
                .expect("encode");
            out
        });
    }
}

//! Still images: how much a drawn picture is enlarged, and PNG/JPEG encoding.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};

use super::scene::Canvas;
use super::{ImageFormat, MediaError, DESIGN_LONG_SIDE, JPEG_QUALITY};

/// How many output pixels each drawn pixel becomes: 1 up to [`DESIGN_LONG_SIDE`], then 2, 4
/// or 8, so enlarging is an exact integer repeat (which the fast JPEG path relies on).
pub(super) fn enlargement_factor(width: u32, height: u32) -> u32 {
    match width.max(height).div_ceil(DESIGN_LONG_SIDE) {
        0 | 1 => 1,
        2 => 2,
        3 | 4 => 4,
        _ => 8,
    }
}

pub(super) fn encode_image(canvas: &Canvas, format: ImageFormat) -> Result<Vec<u8>, MediaError> {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{decode, image_spec, mean_distance, reference_png};
    use super::super::*;
    use std::io::Cursor;

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
}

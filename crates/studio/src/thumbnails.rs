//! Small JPEG previews of images: decoded with `image`, resized with `fast_image_resize`
//! (SIMD; several times faster than `image`'s own resize on large inputs), so the
//! webview never decodes a full-size file to show a tile.

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageReader};
use std::io::{BufWriter, Write};
use std::path::Path;

/// Longest side of a thumbnail, in pixels: sharp on a HiDPI tile of ~160 px, and about
/// 100 KB decoded, so a screen of tiles stays within a few tens of MB.
pub const THUMBNAIL_LONG_SIDE: u32 = 320;
const JPEG_QUALITY: u8 = 82;

/// Longest side of an image decoded for a thumbnail. Generators make at most 8K; a file
/// that declares more is refused from its header, before any pixel is decoded.
pub const MAX_DECODE_SIDE: u32 = 16_384;
/// Most pixels decoded for a thumbnail (8192 × 8192): a small PNG can declare
/// 11,500 × 11,500 and inflate to hundreds of MB per decode.
pub const MAX_DECODE_PIXELS: u64 = 8192 * 8192;
/// Most memory a decoder may allocate (`image`'s `Limits::max_alloc`).
pub const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

fn decode_limits() -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DECODE_SIDE);
    limits.max_image_height = Some(MAX_DECODE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    limits
}

/// Refuses a picture whose declared size is past the decode ceilings.
fn check_size(width: u32, height: u32) -> Result<(), image::ImageError> {
    if width > MAX_DECODE_SIDE
        || height > MAX_DECODE_SIDE
        || u64::from(width) * u64::from(height) > MAX_DECODE_PIXELS
    {
        return Err(image::ImageError::Limits(
            image::error::LimitError::from_kind(image::error::LimitErrorKind::DimensionError),
        ));
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum ThumbnailError {
    #[error("{path} could not be read as an image: {source}")]
    Decode {
        path: String,
        source: image::ImageError,
    },
    #[error("the thumbnail could not be made: {0}")]
    Resize(String),
    #[error("the thumbnail could not be written to {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// The size of a thumbnail for an image of `width` × `height`: the long side becomes
/// `long_side` (never enlarged), the other keeps the ratio, at least 1 px.
pub fn fitted(width: u32, height: u32, long_side: u32) -> (u32, u32) {
    let long = width.max(height).max(1);
    if long <= long_side {
        return (width.max(1), height.max(1));
    }
    let scale = long_side as f64 / long as f64;
    (
        ((width as f64 * scale).round() as u32).max(1),
        ((height as f64 * scale).round() as u32).max(1),
    )
}

/// Writes a JPEG thumbnail of the image at `source` to `target` (through a temporary file
/// renamed into place, so a reader never sees half a file). Returns the source's size.
pub fn make_thumbnail(
    source: &Path,
    target: &Path,
    long_side: u32,
) -> Result<(u32, u32), ThumbnailError> {
    let (image, original) = decode_for_thumbnail(source, long_side)?;
    // Sized from the original, not the scaled decode (whose sides are rounded up).
    thumbnail_of(image, target, fitted(original.0, original.1, long_side))?;
    Ok(original)
}

/// The picture at `source` decoded for a thumbnail of `long_side` — a JPEG at the smallest
/// n/8 scale that still covers it, anything else in full — and the picture's full size.
pub fn decode_for_thumbnail(
    source: &Path,
    long_side: u32,
) -> Result<(DynamicImage, (u32, u32)), ThumbnailError> {
    if let Some(scaled) = scaled_jpeg(source, long_side) {
        return Ok(scaled);
    }
    let decode = |source_err| ThumbnailError::Decode {
        path: source.display().to_string(),
        source: source_err,
    };
    let image = decode_checked(|| ImageReader::open(source)).map_err(decode)?;
    let size = (image.width(), image.height());
    Ok((image, size))
}

/// A JPEG decoded at n/8 of its size in the DCT domain (libjpeg-turbo's scaled decode,
/// through `mozjpeg`), just large enough for a thumbnail, and its full size. Decoding is
/// most of a thumbnail's cost: a 4K JPEG at 1/8 skips the inverse DCT, upsampling and
/// colour conversion of 63 pixels in 64, and libjpeg-turbo's entropy decoder, which
/// scaling cannot skip, is about 1.5× faster than `jpeg-decoder`'s (docs/BENCHMARKS.md).
/// `None` for anything that is not a JPEG this path reads as RGB or grey (CMYK, say) or
/// that libjpeg refuses: the full decode of `image` then reads it or names what is wrong.
fn scaled_jpeg(source: &Path, long_side: u32) -> Option<(DynamicImage, (u32, u32))> {
    let bytes = std::fs::read(source).ok()?;
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return None;
    }
    // libjpeg reports a broken file by calling an error handler that cannot return; the
    // `mozjpeg` crate turns that into a panic, which must be caught here (its README says
    // so) so that a corrupt download ends as a typed error from the full decode instead.
    std::panic::catch_unwind(|| scaled_jpeg_of(&bytes, long_side))
        .ok()
        .flatten()
}

fn scaled_jpeg_of(bytes: &[u8], long_side: u32) -> Option<(DynamicImage, (u32, u32))> {
    let mut decoder = mozjpeg::Decompress::builder().from_mem(bytes).ok()?;
    let original = (
        u32::try_from(decoder.width()).ok()?,
        u32::try_from(decoder.height()).ok()?,
    );
    // Past the ceilings: the full decode refuses it with a typed error.
    check_size(original.0, original.1).ok()?;
    let (w, h) = fitted(original.0, original.1, long_side);
    // The smallest n/8 whose output still covers the thumbnail on both sides.
    let numerator = (1..=8u8)
        .find(|&n| original.0 * u32::from(n) >= w * 8 && original.1 * u32::from(n) >= h * 8)
        .unwrap_or(8);
    decoder.scale(numerator);
    let image = match decoder.image().ok()? {
        mozjpeg::decompress::Format::RGB(mut started) => {
            let (sw, sh) = (started.width() as u32, started.height() as u32);
            let pixels = started.read_scanlines::<u8>().ok()?;
            started.finish().ok()?;
            DynamicImage::ImageRgb8(image::RgbImage::from_raw(sw, sh, pixels)?)
        }
        mozjpeg::decompress::Format::Gray(mut started) => {
            let (sw, sh) = (started.width() as u32, started.height() as u32);
            let pixels = started.read_scanlines::<u8>().ok()?;
            started.finish().ok()?;
            DynamicImage::ImageLuma8(image::GrayImage::from_raw(sw, sh, pixels)?)
        }
        // CMYK JPEGs are rare: the full decode handles them.
        mozjpeg::decompress::Format::CMYK(_) => return None,
    };
    Some((image, original))
}

/// The same from encoded bytes in memory (a poster frame the page drew).
pub fn make_thumbnail_from(
    bytes: &[u8],
    target: &Path,
    long_side: u32,
) -> Result<(u32, u32), ThumbnailError> {
    let decode = |source| ThumbnailError::Decode {
        path: "the picture".into(),
        source,
    };
    let image =
        decode_checked(|| Ok(ImageReader::new(std::io::Cursor::new(bytes)))).map_err(decode)?;
    let original = (image.width(), image.height());
    thumbnail_of(image, target, fitted(original.0, original.1, long_side))?;
    Ok(original)
}

/// Decodes what `open` reads, the header first: a picture past the ceilings is refused
/// before any pixel is decoded. `open` is called twice, since reading the header consumes
/// the reader.
fn decode_checked<R: std::io::BufRead + std::io::Seek>(
    open: impl Fn() -> std::io::Result<ImageReader<R>>,
) -> Result<DynamicImage, image::ImageError> {
    let reader = || -> Result<ImageReader<R>, image::ImageError> {
        let mut reader = open()?.with_guessed_format()?;
        reader.limits(decode_limits());
        Ok(reader)
    };
    let (width, height) = reader()?.into_dimensions()?;
    check_size(width, height)?;
    reader()?.decode()
}

fn thumbnail_of(
    image: DynamicImage,
    target: &Path,
    (w, h): (u32, u32),
) -> Result<(), ThumbnailError> {
    // JPEG has no alpha: flatten to RGB first (transparent areas become black, which the
    // tile's own background hides far less than a wrong colour would).
    let rgb = match image {
        DynamicImage::ImageRgb8(rgb) => rgb,
        other => other.into_rgb8(),
    };
    let resized = resize_rgb(&rgb, w, h)?;
    write_jpeg(target, &resized, w, h)
}

/// `image` resized to `width` × `height` (RGB bytes).
pub fn resize_rgb(
    image: &image::RgbImage,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, ThumbnailError> {
    let mut resized = Image::new(width, height, fast_image_resize::PixelType::U8x3);
    // A triangle (bilinear) kernel scaled to the reduction: area-averaging enough to keep
    // noise and fine detail from aliasing at 12×, at a third of Lanczos3's taps.
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    Resizer::new()
        .resize(image, &mut resized, &options)
        .map_err(|e| ThumbnailError::Resize(e.to_string()))?;
    Ok(resized.into_vec())
}

fn write_jpeg(target: &Path, rgb: &[u8], width: u32, height: u32) -> Result<(), ThumbnailError> {
    let write_err = |source| ThumbnailError::Write {
        path: target.display().to_string(),
        source,
    };
    let dir = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(write_err)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(write_err)?;
    {
        let mut out = BufWriter::new(tmp.as_file_mut());
        JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
            .encode(rgb, width, height, image::ExtendedColorType::Rgb8)
            .map_err(|e| ThumbnailError::Resize(e.to_string()))?;
        out.flush().map_err(write_err)?;
    }
    tmp.persist(target).map_err(|e| write_err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

    #[test]
    fn the_long_side_is_fitted_and_small_images_are_not_enlarged() {
        assert_eq!(fitted(4096, 2304, 320), (320, 180));
        assert_eq!(fitted(1080, 1920, 320), (180, 320));
        assert_eq!(fitted(1000, 1000, 320), (320, 320));
        assert_eq!(fitted(100, 50, 320), (100, 50));
        assert_eq!(fitted(10_000, 1, 320), (320, 1));
    }

    #[test]
    fn thumbnails_come_out_at_the_right_size_from_png_jpeg_and_webp() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("landscape.png", ImageFormat::Png, 1600, 900, (320, 180)),
            ("portrait.jpg", ImageFormat::Jpeg, 900, 1600, (180, 320)),
            ("square.webp", ImageFormat::WebP, 800, 800, (320, 320)),
        ];
        for (name, format, w, h, expected) in cases {
            let source = dir.path().join(name);
            let picture =
                RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
            match format {
                // The WebP encoder of `image` takes RGBA.
                ImageFormat::WebP => DynamicImage::ImageRgba8(RgbaImage::from_fn(w, h, |x, y| {
                    Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255])
                }))
                .save_with_format(&source, format)
                .unwrap(),
                _ => picture.save_with_format(&source, format).unwrap(),
            }
            let target = dir.path().join("thumbs").join(format!("{name}.jpg"));
            let original = make_thumbnail(&source, &target, THUMBNAIL_LONG_SIDE).unwrap();
            assert_eq!(original, (w, h), "{name}");
            let thumb = image::open(&target).unwrap();
            assert_eq!((thumb.width(), thumb.height()), expected, "{name}");
            assert_eq!(
                image::ImageFormat::from_path(&target).unwrap(),
                ImageFormat::Jpeg
            );
        }
    }

    #[test]
    fn large_jpegs_take_the_scaled_decode_and_keep_their_colours() {
        let dir = tempfile::tempdir().unwrap();
        // Left half orange, right half teal: a swapped channel or a wrong stride shows.
        let (w, h) = (2400u32, 1350u32);
        let picture = RgbImage::from_fn(w, h, |x, _| {
            if x < w / 2 {
                Rgb([230, 120, 20])
            } else {
                Rgb([20, 160, 170])
            }
        });
        let source = dir.path().join("big.jpg");
        picture
            .save_with_format(&source, ImageFormat::Jpeg)
            .unwrap();
        let (scaled, original) = scaled_jpeg(&source, THUMBNAIL_LONG_SIDE).expect("scaled");
        assert_eq!(original, (w, h));
        // 2400 → 320 needs 2/8 (600 px); 1/8 (300 px) would be too small.
        assert_eq!((scaled.width(), scaled.height()), (600, 338));

        let target = dir.path().join("big-thumb.jpg");
        assert_eq!(
            make_thumbnail(&source, &target, THUMBNAIL_LONG_SIDE).unwrap(),
            (w, h)
        );
        let thumb = image::open(&target).unwrap().into_rgb8();
        assert_eq!(thumb.dimensions(), (320, 180));
        let close = |a: Rgb<u8>, b: [u8; 3]| a.0.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 12);
        assert!(
            close(*thumb.get_pixel(40, 90), [230, 120, 20]),
            "{:?}",
            thumb.get_pixel(40, 90)
        );
        assert!(
            close(*thumb.get_pixel(280, 90), [20, 160, 170]),
            "{:?}",
            thumb.get_pixel(280, 90)
        );

        let grey = dir.path().join("grey.jpg");
        image::GrayImage::from_fn(1600, 1600, |x, _| image::Luma([(x / 7) as u8]))
            .save_with_format(&grey, ImageFormat::Jpeg)
            .unwrap();
        let (scaled, _) = scaled_jpeg(&grey, THUMBNAIL_LONG_SIDE).expect("scaled grey");
        assert_eq!((scaled.width(), scaled.height()), (400, 400));
    }

    #[test]
    fn a_broken_jpeg_ends_as_a_decode_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = Vec::new();
        RgbImage::from_fn(800, 600, |x, y| Rgb([x as u8, y as u8, 50]))
            .write_to(&mut std::io::Cursor::new(&mut bytes), ImageFormat::Jpeg)
            .unwrap();
        let cases: [(&str, Vec<u8>); 2] = [
            // A JPEG's magic bytes followed by garbage: libjpeg gives up in its header.
            (
                "garbage.jpg",
                [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0x42; 300]].concat(),
            ),
            // Header intact, the start-of-scan marker and data torn out.
            ("headless.jpg", {
                let sos = bytes.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
                bytes[..sos].to_vec()
            }),
        ];
        for (name, broken) in cases {
            let source = dir.path().join(name);
            std::fs::write(&source, broken).unwrap();
            let target = dir.path().join(format!("{name}.thumb.jpg"));
            let err = make_thumbnail(&source, &target, 320).unwrap_err();
            assert!(
                matches!(err, ThumbnailError::Decode { .. }),
                "{name}: {err}"
            );
            assert!(!target.exists(), "{name}");
        }
    }

    #[test]
    fn a_file_that_is_not_an_image_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("fake.png");
        std::fs::write(&source, b"%PDF-1.7 not an image").unwrap();
        let target = dir.path().join("out.jpg");
        let err = make_thumbnail(&source, &target, 320).unwrap_err();
        assert!(matches!(err, ThumbnailError::Decode { .. }), "{err}");
        assert!(!target.exists());
    }
}

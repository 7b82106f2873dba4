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
    let decode = |source_err| ThumbnailError::Decode {
        path: source.display().to_string(),
        source: source_err,
    };
    if let Some((image, original)) = scaled_jpeg(source, long_side) {
        thumbnail_of(image, target, long_side)?;
        return Ok(original);
    }
    let image = ImageReader::open(source)
        .map_err(|e| decode(image::ImageError::IoError(e)))?
        .with_guessed_format()
        .map_err(|e| decode(image::ImageError::IoError(e)))?
        .decode()
        .map_err(decode)?;
    thumbnail_of(image, target, long_side)
}

/// A JPEG decoded at 1/2, 1/4 or 1/8 of its size in the DCT domain (`jpeg-decoder`'s
/// scaled decode), just large enough for a thumbnail, and its full size. Decoding is most
/// of a thumbnail's cost, and a 4K JPEG decoded at 1/8 skips most of the inverse DCT and
/// colour conversion. `None` for anything that is not a plain 8-bit JPEG, which then
/// takes the full decode.
fn scaled_jpeg(source: &Path, long_side: u32) -> Option<(DynamicImage, (u32, u32))> {
    let mut file = std::fs::File::open(source).ok()?;
    let mut magic = [0u8; 3];
    std::io::Read::read_exact(&mut file, &mut magic).ok()?;
    if magic != [0xFF, 0xD8, 0xFF] {
        return None;
    }
    let reader = std::io::BufReader::new(std::fs::File::open(source).ok()?);
    let mut decoder = jpeg_decoder::Decoder::new(reader);
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let original = (u32::from(info.width), u32::from(info.height));
    let (w, h) = fitted(original.0, original.1, long_side);
    let (sw, sh) = decoder
        .scale(u16::try_from(w).ok()?, u16::try_from(h).ok()?)
        .ok()?;
    let pixels = decoder.decode().ok()?;
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    let image = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => {
            DynamicImage::ImageRgb8(image::RgbImage::from_raw(sw, sh, pixels)?)
        }
        jpeg_decoder::PixelFormat::L8 => {
            DynamicImage::ImageLuma8(image::GrayImage::from_raw(sw, sh, pixels)?)
        }
        // CMYK and 16-bit JPEGs are rare: the full decode handles them.
        _ => return None,
    };
    Some((image, original))
}

/// The same from encoded bytes in memory (a poster frame the page drew).
pub fn make_thumbnail_from(
    bytes: &[u8],
    target: &Path,
    long_side: u32,
) -> Result<(u32, u32), ThumbnailError> {
    let image = image::load_from_memory(bytes).map_err(|source| ThumbnailError::Decode {
        path: "the picture".into(),
        source,
    })?;
    thumbnail_of(image, target, long_side)
}

fn thumbnail_of(
    image: DynamicImage,
    target: &Path,
    long_side: u32,
) -> Result<(u32, u32), ThumbnailError> {
    let (width, height) = (image.width(), image.height());
    // JPEG has no alpha: flatten to RGB first (transparent areas become black, which the
    // tile's own background hides far less than a wrong colour would).
    let rgb = match image {
        DynamicImage::ImageRgb8(_) => image,
        other => DynamicImage::ImageRgb8(other.into_rgb8()),
    };
    let (w, h) = fitted(width, height, long_side);
    let DynamicImage::ImageRgb8(rgb) = rgb else {
        return Err(ThumbnailError::Resize("unsupported pixel type".into()));
    };
    let resized = resize_rgb(&rgb, w, h)?;
    write_jpeg(target, &resized, w, h)?;
    Ok((width, height))
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

//! What a downloaded file is: its sniffed media type, an image's dimensions (from its
//! header, without decoding the pixels) or an MP4's duration and frame size (from its
//! `moov` box, with the `mp4` crate), and the SHA-256 of its bytes.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// What was learnt from a file's bytes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaInfo {
    pub mime: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<i64>,
    pub sha256: String,
    pub size: u64,
}

/// The media type the first bytes of a file show, as the API's upload check sees it.
pub fn sniff_file(path: &Path) -> std::io::Result<Option<&'static str>> {
    let mut file = std::fs::File::open(path)?;
    let mut head = vec![0u8; cyberbara::upload::SNIFF_LEN];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(cyberbara::upload::sniff(&head[..filled]))
}

/// The family of a media type: `image`, `video`, `audio`, or `None` for anything else.
pub fn family(mime: &str) -> Option<&'static str> {
    match mime.split('/').next()? {
        "image" => Some("image"),
        "video" => Some("video"),
        "audio" => Some("audio"),
        _ => None,
    }
}

/// Reads what the gallery shows about a file whose type was sniffed as `mime`. Blocking.
pub fn inspect(path: &Path, mime: &str) -> std::io::Result<MediaInfo> {
    let (size, sha256) = hash(path)?;
    let mut info = MediaInfo {
        mime: mime.to_string(),
        size,
        sha256,
        ..MediaInfo::default()
    };
    match family(mime) {
        Some("image") => {
            if let Ok((w, h)) = image::ImageReader::open(path)
                .and_then(|r| r.with_guessed_format())
                .map_err(image::ImageError::IoError)
                .and_then(|r| r.into_dimensions())
            {
                info.width = Some(w);
                info.height = Some(h);
            }
        }
        Some("video") if mime == "video/mp4" || mime == "video/quicktime" => {
            if let Some((duration, w, h)) = mp4_facts(path, size) {
                info.duration_ms = Some(duration);
                info.width = w;
                info.height = h;
            }
        }
        _ => {}
    }
    Ok(info)
}

fn hash(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// Duration (ms) and the first video track's frame size of an MP4/MOV.
fn mp4_facts(path: &Path, size: u64) -> Option<(i64, Option<u32>, Option<u32>)> {
    let file = std::fs::File::open(path).ok()?;
    let reader = mp4::Mp4Reader::read_header(std::io::BufReader::new(file), size).ok()?;
    let duration = i64::try_from(reader.duration().as_millis()).ok()?;
    let video = reader
        .tracks()
        .values()
        .find(|t| matches!(t.track_type(), Ok(mp4::TrackType::Video)));
    let (w, h) = match video {
        Some(track) => (
            Some(u32::from(track.width())),
            Some(u32::from(track.height())),
        ),
        None => (None, None),
    };
    Some((duration, w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_gets_its_size_and_hash_and_a_video_its_duration() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("a.png");
        image::RgbImage::from_pixel(300, 200, image::Rgb([10, 20, 30]))
            .save(&png)
            .unwrap();
        let mime = sniff_file(&png).unwrap().unwrap();
        assert_eq!(mime, "image/png");
        let info = inspect(&png, mime).unwrap();
        assert_eq!((info.width, info.height), (Some(300), Some(200)));
        assert_eq!(info.size, std::fs::metadata(&png).unwrap().len());
        assert_eq!(info.sha256.len(), 64);

        let mp4 = dir.path().join("v.mp4");
        let bytes = cyberbara_sandbox::media::render_video(&cyberbara_sandbox::media::VideoSpec {
            width: 320,
            height: 180,
            duration_secs: 2.0,
            fps: cyberbara_sandbox::media::VIDEO_FPS,
            prompt: "a harbour at night",
            seed: 7,
            reference: None,
        })
        .unwrap();
        std::fs::write(&mp4, bytes).unwrap();
        let mime = sniff_file(&mp4).unwrap().unwrap();
        assert_eq!(mime, "video/mp4");
        let info = inspect(&mp4, mime).unwrap();
        let duration = info.duration_ms.unwrap();
        assert!((1900..=2100).contains(&duration), "{duration}");
        assert!(info.width.unwrap() > 0 && info.height.unwrap() > 0);
    }

    #[test]
    fn families() {
        assert_eq!(family("image/webp"), Some("image"));
        assert_eq!(family("audio/mpeg"), Some("audio"));
        assert_eq!(family("text/html"), None);
    }
}

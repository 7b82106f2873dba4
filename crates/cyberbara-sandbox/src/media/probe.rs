//! Facts about media files the sandbox holds, read from their headers.

use std::io::Cursor;

/// The length in seconds of an MP4 or QuickTime video, from its `moov` header (the `mp4`
/// crate reads the boxes; the samples are not decoded). `None` when the bytes are not a
/// readable MP4 or say nothing about their length.
pub fn video_length_secs(bytes: &[u8]) -> Option<f64> {
    let reader = mp4::Mp4Reader::read_header(Cursor::new(bytes), bytes.len() as u64).ok()?;
    let secs = reader.duration().as_secs_f64();
    (secs.is_finite() && secs > 0.0).then_some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::{render_video, video_dimensions, VideoSpec};

    #[test]
    fn the_length_of_a_generated_video_is_read_back() {
        let (width, height) = video_dimensions(Some("16:9"));
        let bytes = render_video(&VideoSpec {
            width,
            height,
            duration_secs: 3.0,
            fps: 4,
            prompt: "probe",
            seed: 1,
            reference: None,
        })
        .unwrap();
        let secs = video_length_secs(&bytes).unwrap();
        assert!((secs - 3.0).abs() < 0.3, "{secs}");
        assert_eq!(video_length_secs(b"not a video"), None);
        assert_eq!(video_length_secs(&[]), None);
    }
}

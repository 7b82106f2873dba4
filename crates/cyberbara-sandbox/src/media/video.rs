//! Videos: frames encoded as H.264 constrained baseline (OpenH264), then laid out as an
//! MP4 with `moov` before `mdat` so playback can start before the download ends.

use openh264::encoder::{
    Encoder, EncoderConfig, FrameRate, IntraFramePeriod, Profile, QpRange, RateControlMode,
    VuiConfig,
};
use openh264::formats::{RgbSliceU8, YUVBuffer};
use openh264::OpenH264API;
use std::io::Cursor;

use super::scene::{Canvas, Scene};
use super::MediaError;

/// One encoded frame in AVCC form (4-byte big-endian lengths, no parameter sets).
struct EncodedFrame {
    avcc: Vec<u8>,
    is_sync: bool,
}

pub(super) struct H264Stream {
    sps: Vec<u8>,
    pps: Vec<u8>,
    frames: Vec<EncodedFrame>,
}

pub(super) fn encode_h264(
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

pub(super) fn write_mp4(
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

#[cfg(test)]
mod tests {
    use super::super::tests::{reference_png, video_spec};
    use super::super::*;
    use super::*;
    use openh264::decoder::Decoder;
    use openh264::formats::YUVSource;
    use std::time::Duration;

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

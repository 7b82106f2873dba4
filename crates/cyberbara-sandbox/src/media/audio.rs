//! Sound effects and songs as real WAV files (mono, 16-bit PCM, [`AUDIO_SAMPLE_RATE`] Hz),
//! derived only from the prompt and the seed.
//!
//! WAV because every player and decoder reads it (WebKitGTK/GStreamer, `symphonia`, `hound`)
//! and writing it needs no codec: `hound` does the container. The sound itself is
//! synthesised here, because no library makes "a sound for this prompt", and it only has to
//! be audibly different per prompt, identical for the same prompt and seed, and cheap:
//!
//! - A sound effect is a few bursts of a pitched tone mixed with noise, each with a sharp
//!   attack and an exponential decay, its pitch sliding up or down.
//! - A song is a melody over a four-chord progression with a bass line, at a tempo and in a
//!   key taken from the hash, each note shaped by a short attack and a decay.

use sha2::{Digest, Sha256};
use std::f64::consts::TAU;

use super::MediaError;

/// Samples per second of every generated sound.
pub const AUDIO_SAMPLE_RATE: u32 = 22_050;
/// Shortest sound [`render_audio`] makes, in seconds.
pub const MIN_AUDIO_SECS: f64 = 0.5;
/// Longest sound [`render_audio`] makes, in seconds (a four-minute song).
pub const MAX_AUDIO_SECS: f64 = 240.0;

/// What kind of audio to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioKind {
    /// A sound effect (`audio` tasks).
    SoundEffect,
    /// A song (`music` tasks).
    Song,
}

/// What to synthesise.
#[derive(Debug, Clone, Copy)]
pub struct AudioSpec<'a> {
    pub kind: AudioKind,
    /// Between [`MIN_AUDIO_SECS`] and [`MAX_AUDIO_SECS`].
    pub duration_secs: f64,
    pub prompt: &'a str,
    pub seed: u64,
}

/// A small deterministic generator (xorshift64*): the parameters and the noise of a sound
/// come from it, seeded by a SHA-256 of prompt and seed.
struct Stream(u64);

impl Stream {
    fn new(kind: AudioKind, prompt: &str, seed: u64) -> Stream {
        let mut hasher = Sha256::new();
        hasher.update(match kind {
            AudioKind::SoundEffect => b"sound".as_slice(),
            AudioKind::Song => b"song".as_slice(),
        });
        hasher.update(prompt.as_bytes());
        hasher.update(seed.to_le_bytes());
        let digest = hasher.finalize();
        let mut state = [0u8; 8];
        state.copy_from_slice(&digest[..8]);
        // Zero would stay zero forever.
        Stream(u64::from_le_bytes(state) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0.0..1.0`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    fn pick(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Encodes the sound `spec` describes as a WAV file.
pub fn render_audio(spec: &AudioSpec) -> Result<Vec<u8>, MediaError> {
    let secs = spec.duration_secs;
    if !(MIN_AUDIO_SECS..=MAX_AUDIO_SECS).contains(&secs) {
        return Err(MediaError::InvalidAudioDuration(secs));
    }
    let count = (secs * f64::from(AUDIO_SAMPLE_RATE)).round() as usize;
    let mut stream = Stream::new(spec.kind, spec.prompt, spec.seed);
    let samples = match spec.kind {
        AudioKind::SoundEffect => sound_effect(&mut stream, count),
        AudioKind::Song => song(&mut stream, count),
    };
    encode_wav(&samples)
}

fn sound_effect(stream: &mut Stream, count: usize) -> Vec<f64> {
    let rate = f64::from(AUDIO_SAMPLE_RATE);
    let base = stream.range(90.0, 900.0);
    // Pitch change per second, as a factor: below 1 falls, above 1 rises.
    let slide = stream.range(0.5, 2.0);
    let noise = stream.range(0.05, 0.7);
    let bursts = 1 + stream.pick(6);
    let decay = stream.range(2.0, 9.0);
    let burst_len = count.div_ceil(bursts).max(1);
    let mut out = Vec::with_capacity(count);
    let mut phase = 0.0f64;
    for i in 0..count {
        let in_burst = (i % burst_len) as f64 / rate;
        let envelope = (in_burst * 200.0).min(1.0) * (-decay * in_burst).exp();
        let freq = base * slide.powf(in_burst);
        phase = (phase + TAU * freq / rate) % TAU;
        let tone = phase.sin() + 0.3 * (2.0 * phase).sin();
        let hiss = stream.unit() * 2.0 - 1.0;
        out.push(envelope * ((1.0 - noise) * tone + noise * hiss));
    }
    out
}

/// Semitones of the major pentatonic scale over two octaves.
const PENTATONIC: [i32; 10] = [0, 2, 4, 7, 9, 12, 14, 16, 19, 21];
/// I–V–vi–IV, in semitones above the key's root.
const PROGRESSION: [i32; 4] = [0, 7, 9, 5];

fn midi_hz(note: i32) -> f64 {
    440.0 * 2f64.powf(f64::from(note - 69) / 12.0)
}

/// A plucked note: quick attack, exponential decay, two harmonics.
fn pluck(freq: f64, t: f64, decay: f64) -> f64 {
    let envelope = (t * 80.0).min(1.0) * (-decay * t).exp();
    let phase = TAU * freq * t;
    envelope * (phase.sin() + 0.25 * (2.0 * phase).sin())
}

fn song(stream: &mut Stream, count: usize) -> Vec<f64> {
    let rate = f64::from(AUDIO_SAMPLE_RATE);
    let bpm = stream.range(78.0, 140.0);
    let beat = 60.0 / bpm;
    let root = 55 + stream.pick(12) as i32;
    // Eight melody notes per bar cycle, repeated with a variation every other cycle, so
    // the tune is recognisable rather than random.
    let motif: Vec<i32> = (0..8)
        .map(|_| PENTATONIC[stream.pick(PENTATONIC.len())])
        .collect();
    let variation: Vec<i32> = (0..8)
        .map(|_| PENTATONIC[stream.pick(PENTATONIC.len())])
        .collect();
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let t = i as f64 / rate;
        let beats = t / beat;
        let bar = (beats / 4.0) as usize;
        let chord = root - 12 + PROGRESSION[bar % PROGRESSION.len()];
        // Melody: eighth notes.
        let eighth = (beats * 2.0) as usize;
        let tune = if (eighth / 16).is_multiple_of(2) {
            &motif
        } else {
            &variation
        };
        let note = root + tune[eighth % tune.len()];
        let since_eighth = t - eighth as f64 * beat / 2.0;
        let melody = pluck(midi_hz(note), since_eighth, 6.0);
        // Bass: the chord's root on every beat.
        let since_beat = t - beats.floor() * beat;
        let bass = pluck(midi_hz(chord - 12), since_beat, 3.0);
        // Pad: the chord's triad, held through the bar.
        let since_bar = t - (bar as f64) * 4.0 * beat;
        let pad: f64 = [0, 4, 7]
            .iter()
            .map(|step| (TAU * midi_hz(chord + step) * t).sin())
            .sum::<f64>()
            * (since_bar * 4.0).min(1.0)
            / 3.0;
        out.push(0.5 * melody + 0.35 * bass + 0.15 * pad);
    }
    out
}

/// Scales to a peak of about -3 dBFS and writes 16-bit mono PCM.
fn encode_wav(samples: &[f64]) -> Result<Vec<u8>, MediaError> {
    let peak = samples.iter().fold(0.0f64, |m, s| m.max(s.abs()));
    let gain = if peak > 0.0 { 0.7 / peak } else { 0.0 };
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: AUDIO_SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = std::io::Cursor::new(Vec::with_capacity(44 + samples.len() * 2));
    let failed = |e: hound::Error| MediaError::AudioEncoding(e.to_string());
    let mut writer = hound::WavWriter::new(&mut out, spec).map_err(failed)?;
    for s in samples {
        writer
            .write_sample((s * gain * f64::from(i16::MAX)) as i16)
            .map_err(failed)?;
    }
    writer.finalize().map_err(failed)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: AudioKind, prompt: &str, duration_secs: f64) -> AudioSpec<'_> {
        AudioSpec {
            kind,
            duration_secs,
            prompt,
            seed: 7,
        }
    }

    fn decode(bytes: &[u8]) -> (hound::WavSpec, Vec<i16>) {
        let mut reader = hound::WavReader::new(std::io::Cursor::new(bytes)).unwrap();
        let samples = reader.samples::<i16>().map(Result::unwrap).collect();
        (reader.spec(), samples)
    }

    #[test]
    fn sounds_and_songs_decode_with_the_asked_length_and_are_not_silent() {
        for (kind, secs) in [(AudioKind::SoundEffect, 2.5), (AudioKind::Song, 12.0)] {
            let bytes = render_audio(&spec(kind, "rain on a tin roof", secs)).unwrap();
            let (wav, samples) = decode(&bytes);
            assert_eq!((wav.channels, wav.sample_rate), (1, AUDIO_SAMPLE_RATE));
            assert_eq!(
                samples.len(),
                (secs * f64::from(AUDIO_SAMPLE_RATE)) as usize
            );
            let loud = samples.iter().filter(|s| s.unsigned_abs() > 1000).count();
            assert!(loud > samples.len() / 20, "{kind:?} is nearly silent");
            let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap();
            assert!(peak < i16::MAX as u16, "{kind:?} clips");
        }
    }

    #[test]
    fn the_same_prompt_and_seed_give_the_same_bytes_and_others_differ() {
        for kind in [AudioKind::SoundEffect, AudioKind::Song] {
            let a = render_audio(&spec(kind, "thunder", 3.0)).unwrap();
            assert_eq!(a, render_audio(&spec(kind, "thunder", 3.0)).unwrap());
            assert_ne!(a, render_audio(&spec(kind, "birdsong", 3.0)).unwrap());
            let reseeded = AudioSpec {
                seed: 8,
                ..spec(kind, "thunder", 3.0)
            };
            assert_ne!(a, render_audio(&reseeded).unwrap());
        }
    }

    #[test]
    fn lengths_outside_the_limits_are_refused() {
        for secs in [0.1, 241.0, f64::NAN] {
            assert!(matches!(
                render_audio(&spec(AudioKind::Song, "x", secs)),
                Err(MediaError::InvalidAudioDuration(_))
            ));
        }
    }
}

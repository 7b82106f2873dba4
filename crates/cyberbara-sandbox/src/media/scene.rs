//! Drawing: what a prompt and seed decide about a picture (palette, gradient, shapes,
//! one "barcode" row per word) and the RGB canvas it is painted on.

use sha2::{Digest, Sha256};

pub(crate) type Rgb = [u8; 3];

/// An RGB8 pixel buffer.
pub(crate) struct Canvas {
    pub(crate) w: u32,
    pub(crate) h: u32,
    pub(crate) px: Vec<u8>,
}

impl Canvas {
    pub(crate) fn new(w: u32, h: u32) -> Canvas {
        Canvas {
            w,
            h,
            px: vec![0; w as usize * h as usize * 3],
        }
    }

    /// Blends `colour` with opacity `alpha`/255 over columns `x0..x1` of row `y` (clipped).
    pub(crate) fn blend_span(&mut self, y: i64, x0: i64, x1: i64, colour: Rgb, alpha: u32) {
        if y < 0 || y >= self.h as i64 {
            return;
        }
        let x0 = x0.clamp(0, self.w as i64) as usize;
        let x1 = x1.clamp(0, self.w as i64) as usize;
        if x0 >= x1 {
            return;
        }
        let row = y as usize * self.w as usize * 3;
        let keep = 255 - alpha;
        let add = colour.map(|c| c as u32 * alpha);
        for px in self.px[row + x0 * 3..row + x1 * 3].chunks_exact_mut(3) {
            for c in 0..3 {
                px[c] = ((px[c] as u32 * keep + add[c] + 127) / 255) as u8;
            }
        }
    }

    pub(crate) fn blend_rect(
        &mut self,
        x0: i64,
        y0: i64,
        x1: i64,
        y1: i64,
        colour: Rgb,
        alpha: u32,
    ) {
        for y in y0.max(0)..y1.min(self.h as i64) {
            self.blend_span(y, x0, x1, colour, alpha);
        }
    }

    /// Blends a filled disc, or a ring when `inner` > 0.
    pub(crate) fn blend_disc(
        &mut self,
        cx: f64,
        cy: f64,
        outer: f64,
        inner: f64,
        colour: Rgb,
        alpha: u32,
    ) {
        let y0 = (cy - outer).floor() as i64;
        let y1 = (cy + outer).ceil() as i64;
        for y in y0..=y1 {
            let dy = y as f64 + 0.5 - cy;
            let reach = outer * outer - dy * dy;
            if reach <= 0.0 {
                continue;
            }
            let half = reach.sqrt();
            let inner_reach = inner * inner - dy * dy;
            if inner > 0.0 && inner_reach > 0.0 {
                let hole = inner_reach.sqrt();
                self.blend_span(y, (cx - half) as i64, (cx - hole) as i64, colour, alpha);
                self.blend_span(y, (cx + hole) as i64, (cx + half) as i64, colour, alpha);
            } else {
                self.blend_span(y, (cx - half) as i64, (cx + half) as i64, colour, alpha);
            }
        }
    }

    /// Fills the canvas with `source` scaled to cover it (centre crop, nearest sampling).
    pub(crate) fn cover_with(&mut self, source: &image::RgbImage) {
        let (sw, sh) = (source.width().max(1) as f64, source.height().max(1) as f64);
        let scale = (self.w as f64 / sw).max(self.h as f64 / sh);
        let off_x = (sw - self.w as f64 / scale) / 2.0;
        let off_y = (sh - self.h as f64 / scale) / 2.0;
        let max_x = source.width().saturating_sub(1);
        let max_y = source.height().saturating_sub(1);
        let columns: Vec<u32> = (0..self.w)
            .map(|x| ((off_x + (x as f64 + 0.5) / scale) as u32).min(max_x))
            .collect();
        let raw = source.as_raw();
        let source_stride = source.width() as usize * 3;
        let w = self.w as usize;
        for y in 0..self.h as usize {
            let sy = ((off_y + (y as f64 + 0.5) / scale) as u32).min(max_y) as usize;
            let src_row = &raw[sy * source_stride..(sy + 1) * source_stride];
            let dst_row = &mut self.px[y * w * 3..(y + 1) * w * 3];
            for (dst, &sx) in dst_row.chunks_exact_mut(3).zip(&columns) {
                let s = sx as usize * 3;
                dst.copy_from_slice(&src_row[s..s + 3]);
            }
        }
    }

    /// Halfway between each pixel and the pixel's brightness in `tint`.
    pub(crate) fn tint(&mut self, tint: Rgb) {
        for px in self.px.chunks_exact_mut(3) {
            let luma = (px[0] as u32 * 77 + px[1] as u32 * 150 + px[2] as u32 * 29) >> 8;
            for c in 0..3 {
                let tinted = (tint[c] as u32 * (luma + 64)) / 319;
                px[c] = ((px[c] as u32 + tinted) / 2) as u8;
            }
        }
    }

    /// Repeats every pixel `factor`×`factor` times, cropped to `w`×`h`.
    pub(crate) fn enlarged(self, factor: u32, w: u32, h: u32) -> Canvas {
        if self.w == w && self.h == h {
            return self;
        }
        let mut out = Canvas::new(w, h);
        let factor = factor as usize;
        let columns: Vec<usize> = (0..w as usize)
            .map(|x| (x / factor).min(self.w as usize - 1) * 3)
            .collect();
        let stride = w as usize * 3;
        let src_stride = self.w as usize * 3;
        for y in 0..h as usize {
            let (done, rest) = out.px.split_at_mut(y * stride);
            let dst_row = &mut rest[..stride];
            if y % factor != 0 {
                dst_row.copy_from_slice(&done[(y - 1) * stride..]);
                continue;
            }
            let sy = (y / factor).min(self.h as usize - 1);
            let src_row = &self.px[sy * src_stride..(sy + 1) * src_stride];
            for (dst, &sx) in dst_row.chunks_exact_mut(3).zip(&columns) {
                dst.copy_from_slice(&src_row[sx..sx + 3]);
            }
        }
        out
    }
}

/// A tiny fixed PRNG (SplitMix64) so pictures stay identical across crate upgrades.
struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
}

pub(crate) struct Palette {
    from: Rgb,
    to: Rgb,
    accents: [Rgb; 3],
    pub(crate) tint: Rgb,
}

#[derive(Clone, Copy)]
enum ShapeKind {
    Disc,
    Ring,
    Rect,
}

/// A shape in units of the canvas: centre as fractions of width/height, size as a fraction
/// of the short side, so the picture keeps its layout at every aspect ratio.
struct Shape {
    kind: ShapeKind,
    cx: f64,
    cy: f64,
    size: f64,
    stretch: f64,
    colour: Rgb,
    alpha: u32,
}

/// Everything a prompt and seed decide about a picture, independent of its size.
pub(crate) struct Scene {
    pub(crate) palette: Palette,
    angle: f64,
    shapes: Vec<Shape>,
    words: Vec<(u16, Rgb)>,
    orbit: (f64, f64, f64),
}

impl Scene {
    pub(crate) fn new(prompt: &str, seed: u64) -> Scene {
        let mut hasher = Sha256::new();
        hasher.update(prompt.as_bytes());
        hasher.update([0]);
        hasher.update(seed.to_le_bytes());
        let digest = hasher.finalize();
        let mut state = [0u8; 8];
        state.copy_from_slice(&digest[..8]);
        let mut rng = SplitMix(u64::from_le_bytes(state));

        let hue = rng.range(0.0, 1.0);
        let spread = rng.range(0.15, 0.5);
        let palette = Palette {
            from: hsv(hue, rng.range(0.55, 0.9), rng.range(0.25, 0.5)),
            to: hsv(hue + spread, rng.range(0.5, 0.9), rng.range(0.75, 1.0)),
            accents: [
                hsv(hue + 0.5, 0.8, 0.95),
                hsv(hue + spread + 0.33, 0.6, 0.9),
                hsv(hue - spread, 0.3, 1.0),
            ],
            tint: hsv(hue, 0.85, 1.0),
        };
        let angle = rng.range(0.0, std::f64::consts::TAU);
        let shape_count = 3 + (rng.next() % 4) as usize;
        let shapes = (0..shape_count)
            .map(|i| Shape {
                kind: match rng.next() % 3 {
                    0 => ShapeKind::Disc,
                    1 => ShapeKind::Ring,
                    _ => ShapeKind::Rect,
                },
                cx: rng.range(0.1, 0.9),
                cy: rng.range(0.1, 0.75),
                size: rng.range(0.08, 0.3),
                stretch: rng.range(0.5, 2.0),
                colour: palette.accents[i % 3],
                alpha: 120 + (rng.next() % 110) as u32,
            })
            .collect();
        let words = prompt
            .split_whitespace()
            .take(6)
            .enumerate()
            .map(|(i, word)| {
                let digest = Sha256::digest(word.to_lowercase().as_bytes());
                (
                    u16::from_le_bytes([digest[0], digest[1]]),
                    palette.accents[i % 3],
                )
            })
            .collect();
        let orbit = (
            rng.range(0.0, 1.0),
            1.0 + (rng.next() % 3) as f64,
            rng.range(0.06, 0.12),
        );
        Scene {
            palette,
            angle,
            shapes,
            words,
            orbit,
        }
    }

    /// Linear gradient from `palette.from` to `palette.to` along `angle`.
    pub(crate) fn paint_background(&self, canvas: &mut Canvas) {
        let lut: Vec<Rgb> = (0..256u32)
            .map(|i| {
                let mix = |a: u8, b: u8| ((a as u32 * (255 - i) + b as u32 * i) / 255) as u8;
                let (f, t) = (self.palette.from, self.palette.to);
                [mix(f[0], t[0]), mix(f[1], t[1]), mix(f[2], t[2])]
            })
            .collect();
        let (w, h) = (canvas.w as f64, canvas.h as f64);
        let (dx, dy) = (self.angle.cos() / w, self.angle.sin() / h);
        // Project the corners to find the gradient's extent so it always spans 0..255.
        let corners = [0.0, dx * w, dy * h, dx * w + dy * h];
        let lo = corners.iter().cloned().fold(f64::MAX, f64::min);
        let hi = corners.iter().cloned().fold(f64::MIN, f64::max);
        let scale = 255.0 / (hi - lo).max(1e-9);
        let stride = canvas.w as usize * 3;
        for (y, row) in canvas.px.chunks_exact_mut(stride).enumerate() {
            let start = (y as f64 * dy - lo) * scale;
            let step = dx * scale;
            for (x, px) in row.chunks_exact_mut(3).enumerate() {
                let index = (start + x as f64 * step).clamp(0.0, 255.0) as usize;
                px.copy_from_slice(&lut[index]);
            }
        }
    }

    pub(crate) fn paint_shapes(&self, canvas: &mut Canvas) {
        let (w, h) = (canvas.w as f64, canvas.h as f64);
        let unit = w.min(h);
        for shape in &self.shapes {
            let (cx, cy, r) = (shape.cx * w, shape.cy * h, shape.size * unit);
            match shape.kind {
                ShapeKind::Disc => canvas.blend_disc(cx, cy, r, 0.0, shape.colour, shape.alpha),
                ShapeKind::Ring => canvas.blend_disc(cx, cy, r, r * 0.7, shape.colour, shape.alpha),
                ShapeKind::Rect => {
                    let (hw, hh) = (r * shape.stretch, r / shape.stretch);
                    canvas.blend_rect(
                        (cx - hw) as i64,
                        (cy - hh) as i64,
                        (cx + hw) as i64,
                        (cy + hh) as i64,
                        shape.colour,
                        shape.alpha,
                    );
                }
            }
        }
    }

    /// One row of 16 cells per prompt word (its hash's bits) along the bottom, so prompts
    /// with different words look different even on the same reference.
    pub(crate) fn paint_word_rows(&self, canvas: &mut Canvas) {
        if self.words.is_empty() {
            return;
        }
        let (w, h) = (canvas.w as f64, canvas.h as f64);
        let cell = (w.min(h) * 0.035).max(2.0);
        let left = (w * 0.04).round();
        let rows = self.words.len() as f64;
        let top = (h - h * 0.04 - rows * cell * 1.25).round();
        let dark = self.palette.from.map(|c| c / 3);
        canvas.blend_rect(
            (left - cell * 0.5) as i64,
            (top - cell * 0.5) as i64,
            (left + cell * 16.5) as i64,
            (top + rows * cell * 1.25 + cell * 0.25) as i64,
            dark,
            170,
        );
        for (row, &(bits, colour)) in self.words.iter().enumerate() {
            let y0 = top + row as f64 * cell * 1.25;
            for bit in 0..16 {
                if bits >> bit & 1 == 1 {
                    let x0 = left + bit as f64 * cell;
                    canvas.blend_rect(
                        x0 as i64,
                        y0 as i64,
                        (x0 + cell * 0.9) as i64,
                        (y0 + cell) as i64,
                        colour,
                        235,
                    );
                }
            }
        }
    }

    /// A disc travelling a Lissajous path; `phase` in `[0, 1)` over the whole clip.
    pub(crate) fn paint_moving_disc(&self, canvas: &mut Canvas, phase: f64) {
        let (w, h) = (canvas.w as f64, canvas.h as f64);
        let (start, laps, radius) = self.orbit;
        let t = (start + phase * laps) * std::f64::consts::TAU;
        let cx = w * (0.5 + 0.35 * t.cos());
        let cy = h * (0.5 + 0.3 * (2.0 * t).sin());
        let r = w.min(h) * radius;
        canvas.blend_disc(cx, cy, r, 0.0, self.palette.accents[0], 230);
        canvas.blend_disc(cx, cy, r * 1.35, r, self.palette.tint, 140);
    }
}

/// HSV (hue wraps, saturation and value in `[0, 1]`) to RGB8.
pub(crate) fn hsv(hue: f64, saturation: f64, value: f64) -> Rgb {
    let h = hue.rem_euclid(1.0) * 6.0;
    let c = value * saturation;
    let x = c * (1.0 - ((h % 2.0) - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = value - c;
    [r, g, b].map(|v| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8)
}

//! A small exact JPEG encoder for pictures enlarged by a multiple of 4.
//!
//! Kept hand-written because it was measured against the maintained encoders on the picture a
//! 4K render encodes (`benches/media.rs`, group `jpeg_4k`; docs/BENCHMARKS.md, 2026-12-07, dev
//! profile, busy machine, medians of 5): this one 292 ms; libjpeg-turbo through `mozjpeg`
//! 515 ms plus 211 ms to enlarge the picture it needs; `jpeg-encoder` (AVX2) 3.07 s; the
//! `image` crate 4.91 s. It works from the drawn picture, which is 16× smaller, because with
//! such a factor each 8×8 block is four flat quadrants. Sandbox tasks cannot finish before their
//! file exists, so this keeps 4K JPEG tasks fast in tests and in the app's debug builds.
//! Smaller pictures (factor 1 or 2) go through the `image` crate.

use super::scene::Canvas;

/// Baseline JPEG (4:4:4, standard Huffman tables) of `design` enlarged `factor` times and
/// cropped to `width`×`height`, where `factor` is a multiple of 4.
///
/// With such a factor every 8×8 block is four flat 4×4 quadrants, so its DCT has a closed form:
/// coefficient (u, v) is zero unless u and v are each 0 or odd, and then equals
/// `C(u)C(v)h(u)h(v)/4 · (a ± b ± c ± d)` over the quadrant values, with
/// `h(u) = Σ_{x<4} cos((2x+1)uπ/16)`. No per-pixel transform is needed.
pub(super) fn enlarged_jpeg(
    design: &Canvas,
    factor: u32,
    width: u32,
    height: u32,
    quality: u8,
) -> Vec<u8> {
    let tables = JpegTables::new(quality);
    let (dw, dh) = (design.w as usize, design.h as usize);
    // Full-range YCbCr planes of the drawn picture, as JFIF defines them.
    let mut planes = [
        vec![0f32; dw * dh],
        vec![0f32; dw * dh],
        vec![0f32; dw * dh],
    ];
    for (i, px) in design.px.chunks_exact(3).enumerate() {
        let (r, g, b) = (px[0] as f32, px[1] as f32, px[2] as f32);
        planes[0][i] = 0.299 * r + 0.587 * g + 0.114 * b;
        planes[1][i] = -0.168_736 * r - 0.331_264 * g + 0.5 * b + 128.0;
        planes[2][i] = 0.5 * r - 0.418_688 * g - 0.081_312 * b + 128.0;
    }

    let mut out = Vec::with_capacity(1 << 16);
    tables.write_headers(&mut out, width, height);
    let mut sink = BitSink::new(out);
    let mut predictions = [0i32; 3];
    let factor = factor as usize;
    let design_x = |x: usize| (x / factor).min(dw - 1);
    let design_y = |y: usize| (y / factor).min(dh - 1);
    for block_y in 0..(height as usize).div_ceil(8) {
        let (top, bottom) = (design_y(block_y * 8) * dw, design_y(block_y * 8 + 4) * dw);
        for block_x in 0..(width as usize).div_ceil(8) {
            let (left, right) = (design_x(block_x * 8), design_x(block_x * 8 + 4));
            for (component, plane) in planes.iter().enumerate() {
                let a = plane[top + left];
                let b = plane[top + right];
                let c = plane[bottom + left];
                let d = plane[bottom + right];
                let sums = [
                    a + b + c + d - 512.0,
                    a - b + c - d,
                    a + b - c - d,
                    a - b - c + d,
                ];
                let kind = usize::from(component > 0);
                tables.encode_block(&mut sink, kind, &sums, &mut predictions[component]);
            }
        }
    }
    let mut out = sink.finish();
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// Natural (row-major) index of each zig-zag position.
const UNZIGZAG: [u8; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

// ITU T.81 Annex K tables K.1, K.2 (natural order) and K.3–K.6.
const LUMA_QUANT: [u8; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
    92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_QUANT: [u8; 64] = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
    47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];
const DC_VALUES: [u8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const LUMA_DC_LENGTHS: [u8; 16] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const CHROMA_DC_LENGTHS: [u8; 16] = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
const LUMA_AC_LENGTHS: [u8; 16] = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D];
const CHROMA_AC_LENGTHS: [u8; 16] = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
const LUMA_AC_VALUES: [u8; 162] = [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
    0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0,
    0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
    0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
    0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5,
    0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
    0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
    0xF9, 0xFA,
];
const CHROMA_AC_VALUES: [u8; 162] = [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
    0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0,
    0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19, 0x1A, 0x26,
    0x27, 0x28, 0x29, 0x2A, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
    0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5,
    0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3,
    0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA,
    0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
    0xF9, 0xFA,
];

/// `(length, code)` for each symbol of a canonical Huffman table.
fn huffman_codes(lengths: &[u8; 16], values: &[u8]) -> [(u8, u16); 256] {
    let mut codes = [(0u8, 0u16); 256];
    let mut code = 0u16;
    let mut next = values.iter();
    for (index, &count) in lengths.iter().enumerate() {
        for _ in 0..count {
            if let Some(&symbol) = next.next() {
                codes[symbol as usize] = (index as u8 + 1, code);
            }
            code = code.wrapping_add(1);
        }
        code = code.wrapping_shl(1);
    }
    codes
}

/// A coefficient that can be non-zero in a block of four flat quadrants.
struct QuadrantTerm {
    zigzag: u8,
    /// Which quadrant sum it scales: 0 = a+b+c+d, 1 = a−b+c−d, 2 = a+b−c−d, 3 = a−b−c+d.
    sum: u8,
    /// DCT factor divided by the quantiser step.
    scale: f32,
}

struct JpegTables {
    /// Luma, chroma quantisers in natural order.
    quant: [[u8; 64]; 2],
    /// Luma, chroma terms sorted by zig-zag position; the first is DC.
    terms: [Vec<QuadrantTerm>; 2],
    dc: [[(u8, u16); 256]; 2],
    ac: [[(u8, u16); 256]; 2],
}

impl JpegTables {
    fn new(quality: u8) -> JpegTables {
        let quality = u32::from(quality.clamp(1, 100));
        let percent = if quality < 50 {
            5000 / quality
        } else {
            200 - quality * 2
        };
        let scaled = |base: &[u8; 64]| {
            base.map(|q| ((u32::from(q) * percent + 50) / 100).clamp(1, 255) as u8)
        };
        let quant = [scaled(&LUMA_QUANT), scaled(&CHROMA_QUANT)];
        let h = |u: usize| -> f32 {
            (0..4)
                .map(|x| ((2 * x + 1) as f32 * u as f32 * std::f32::consts::PI / 16.0).cos())
                .sum()
        };
        let c = |u: usize| {
            if u == 0 {
                std::f32::consts::FRAC_1_SQRT_2
            } else {
                1.0
            }
        };
        let terms = quant.map(|q| {
            let mut terms: Vec<QuadrantTerm> = UNZIGZAG
                .iter()
                .enumerate()
                .filter_map(|(zigzag, &natural)| {
                    let (u, v) = (natural as usize % 8, natural as usize / 8);
                    let live = |n: usize| n == 0 || n % 2 == 1;
                    (live(u) && live(v)).then(|| QuadrantTerm {
                        zigzag: zigzag as u8,
                        sum: u8::from(u % 2 == 1) | (u8::from(v % 2 == 1) << 1),
                        scale: 0.25 * c(u) * c(v) * h(u) * h(v) / f32::from(q[natural as usize]),
                    })
                })
                .collect();
            terms.sort_by_key(|t| t.zigzag);
            terms
        });
        JpegTables {
            quant,
            terms,
            dc: [
                huffman_codes(&LUMA_DC_LENGTHS, &DC_VALUES),
                huffman_codes(&CHROMA_DC_LENGTHS, &DC_VALUES),
            ],
            ac: [
                huffman_codes(&LUMA_AC_LENGTHS, &LUMA_AC_VALUES),
                huffman_codes(&CHROMA_AC_LENGTHS, &CHROMA_AC_VALUES),
            ],
        }
    }

    fn write_headers(&self, out: &mut Vec<u8>, width: u32, height: u32) {
        out.extend_from_slice(&[0xFF, 0xD8]);
        let mut segment = |marker: u8, body: &[u8]| {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(&(body.len() as u16 + 2).to_be_bytes());
            out.extend_from_slice(body);
        };
        segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        let mut dqt = Vec::with_capacity(130);
        for (id, quant) in self.quant.iter().enumerate() {
            dqt.push(id as u8);
            dqt.extend(UNZIGZAG.iter().map(|&n| quant[n as usize]));
        }
        segment(0xDB, &dqt);
        let mut sof = vec![8];
        sof.extend_from_slice(&(height as u16).to_be_bytes());
        sof.extend_from_slice(&(width as u16).to_be_bytes());
        sof.extend_from_slice(&[3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
        segment(0xC0, &sof);
        let mut dht = Vec::new();
        for (class_id, lengths, values) in [
            (0x00, &LUMA_DC_LENGTHS, &DC_VALUES[..]),
            (0x10, &LUMA_AC_LENGTHS, &LUMA_AC_VALUES[..]),
            (0x01, &CHROMA_DC_LENGTHS, &DC_VALUES[..]),
            (0x11, &CHROMA_AC_LENGTHS, &CHROMA_AC_VALUES[..]),
        ] {
            dht.push(class_id);
            dht.extend_from_slice(lengths);
            dht.extend_from_slice(values);
        }
        segment(0xC4, &dht);
        segment(0xDA, &[3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
    }

    /// Entropy-codes one block from its four quadrant sums (DC sum already level-shifted).
    fn encode_block(&self, sink: &mut BitSink, kind: usize, sums: &[f32; 4], prediction: &mut i32) {
        let terms = &self.terms[kind];
        let dc = (terms[0].scale * sums[0]).round() as i32;
        let (size, bits) = magnitude(dc - *prediction);
        *prediction = dc;
        let (length, code) = self.dc[kind][size as usize];
        sink.put(length, u32::from(code));
        sink.put(size as u8, bits);
        let (eob_length, eob) = self.ac[kind][0x00];
        if sums[1] == 0.0 && sums[2] == 0.0 && sums[3] == 0.0 {
            sink.put(eob_length, u32::from(eob));
            return;
        }
        let mut last = 0u8;
        for term in &terms[1..] {
            let value = (term.scale * sums[term.sum as usize]).round() as i32;
            if value == 0 {
                continue;
            }
            let mut run = term.zigzag - last - 1;
            while run > 15 {
                let (length, code) = self.ac[kind][0xF0];
                sink.put(length, u32::from(code));
                run -= 16;
            }
            let (size, bits) = magnitude(value.clamp(-1023, 1023));
            let (length, code) = self.ac[kind][usize::from(run << 4) | size as usize];
            sink.put(length, u32::from(code));
            sink.put(size as u8, bits);
            last = term.zigzag;
        }
        if last != 63 {
            sink.put(eob_length, u32::from(eob));
        }
    }
}

/// Bit count and JPEG bit pattern of a coefficient (negative values are one's complement).
fn magnitude(value: i32) -> (u32, u32) {
    let size = 32 - value.unsigned_abs().leading_zeros();
    let bits = if value < 0 {
        (value - 1) as u32 & ((1u32 << size) - 1)
    } else {
        value as u32
    };
    (size, bits)
}

/// Writes bits MSB-first with JPEG byte stuffing (0xFF is followed by 0x00).
struct BitSink {
    out: Vec<u8>,
    acc: u64,
    count: u32,
}

impl BitSink {
    fn new(out: Vec<u8>) -> BitSink {
        BitSink {
            out,
            acc: 0,
            count: 0,
        }
    }

    fn put(&mut self, length: u8, bits: u32) {
        if length == 0 {
            return;
        }
        let length = u32::from(length);
        // Lengths are at most 16, so the mask cannot overflow.
        self.acc = (self.acc << length) | u64::from(bits & ((1u32 << length) - 1));
        self.count += length;
        while self.count >= 8 {
            self.count -= 8;
            let byte = (self.acc >> self.count) as u8;
            self.out.push(byte);
            if byte == 0xFF {
                self.out.push(0);
            }
        }
        self.acc &= (1u64 << self.count) - 1;
    }

    /// Pads the last byte with 1 bits, as T.81 asks.
    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            let pad = 8 - self.count;
            self.put(pad as u8, (1u32 << pad) - 1);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::super::scene::{Canvas, Scene};
    use super::super::tests::{decode, mean_distance};
    use super::super::JPEG_QUALITY;
    use super::*;

    fn design_canvas(prompt: &str, w: u32, h: u32) -> Canvas {
        let scene = Scene::new(prompt, 3);
        let mut canvas = Canvas::new(w, h);
        scene.paint_background(&mut canvas);
        scene.paint_shapes(&mut canvas);
        scene.paint_word_rows(&mut canvas);
        canvas
    }

    #[test]
    fn the_fast_jpeg_matches_the_enlarged_picture() {
        // Odd sizes exercise partial blocks at the right and bottom edges.
        for (factor, w, h) in [(4u32, 1000u32, 562u32), (4, 397, 251), (8, 797, 477)] {
            let design = design_canvas(
                "harbour lights at dusk",
                w.div_ceil(factor),
                h.div_ceil(factor),
            );
            let jpeg = enlarged_jpeg(&design, factor, w, h, JPEG_QUALITY);
            let decoded = decode(&jpeg);
            assert_eq!(decoded.dimensions(), (w, h));
            let expected = design.enlarged(factor, w, h);
            let expected = image::RgbImage::from_raw(w, h, expected.px).unwrap();
            let d = mean_distance(&decoded, &expected);
            assert!(d < 4.0, "factor {factor} {w}x{h}: mean distance {d}");
        }
    }
}

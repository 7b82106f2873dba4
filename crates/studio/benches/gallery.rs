//! The gallery's speed: thumbnails per second per core from 4K pictures with photographic
//! detail (smooth gradients under per-pixel noise, which neither PNG nor JPEG compress
//! away), and the list query over a generated library of 10,000 items.
//!
//! Target (issue 8): at least 40 thumbnails per second per core. The list query has no
//! target of its own; it is part of the gallery's first paint (≤ 300 ms).
//!
//! ```sh
//! cargo bench -p cyberbara-studio-core --bench gallery
//! GALLERY_BENCH_ITEMS=2000 cargo bench -p cyberbara-studio-core --bench gallery
//! GALLERY_BENCH_ITEMS=0 cargo bench -p cyberbara-studio-core --bench gallery   # thumbnails only
//! ```
//! `GALLERY_BENCH_JSON=path` also writes the figures as JSON (scripts/bench.sh reads it).
//! Results are recorded in docs/BENCHMARKS.md.

use std::path::Path;
use std::time::{Duration, Instant};
use studio::library::{GalleryFilter, Library};
use studio::seed::{seed_library, SeedOptions};
use studio::thumbnails::{make_thumbnail, THUMBNAIL_LONG_SIDE};

/// A 3840×2160 picture with the detail of a photograph: a sky-to-ground gradient, six
/// octaves of smooth texture (value noise from 256 px down to 8 px features) and ±6 of
/// per-pixel grain, from a fixed-seed generator.
fn photographic_4k() -> image::RgbImage {
    let (w, h) = (3840u32, 2160u32);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // Octaves: (cell size, amplitude), each a lattice of random values per channel.
    let octaves: Vec<(u32, f32, Vec<[f32; 3]>, u32)> = [
        (256, 40.0),
        (128, 24.0),
        (64, 14.0),
        (32, 9.0),
        (16, 6.0),
        (8, 4.0),
    ]
    .into_iter()
    .map(|(cell, amplitude)| {
        let cols = w / cell + 2;
        let rows = h / cell + 2;
        let lattice = (0..cols * rows)
            .map(|_| {
                let mut v = [0f32; 3];
                for c in &mut v {
                    *c = (next() % 2001) as f32 / 1000.0 - 1.0;
                }
                v
            })
            .collect();
        (cell, amplitude, lattice, cols)
    })
    .collect();
    image::RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let mut px = [60.0 + 120.0 * fx, 150.0 - 90.0 * fy, 210.0 - 150.0 * fy];
        for (cell, amplitude, lattice, cols) in &octaves {
            let (cx, cy) = (x / cell, y / cell);
            let (tx, ty) = (
                (x % cell) as f32 / *cell as f32,
                (y % cell) as f32 / *cell as f32,
            );
            let at = |i: u32, j: u32| lattice[(j * cols + i) as usize];
            let (a, b, c, d) = (
                at(cx, cy),
                at(cx + 1, cy),
                at(cx, cy + 1),
                at(cx + 1, cy + 1),
            );
            for k in 0..3 {
                let top = a[k] + (b[k] - a[k]) * tx;
                let bottom = c[k] + (d[k] - c[k]) * tx;
                px[k] += amplitude * (top + (bottom - top) * ty);
            }
        }
        let grain = (next() % 13) as f32 - 6.0;
        image::Rgb(px.map(|v| (v + grain).clamp(0.0, 255.0) as u8))
    })
}

/// Thumbnails of `source` made one after another for about `budget`: (count, elapsed).
/// CPU time of the calling thread: "per core" is what the target counts, and unlike wall
/// time it does not grow when other processes share the machine.
fn thread_cpu() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes a timespec into the pointer it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Thumbnails made in `budget` of wall time, and the thread's CPU time they took.
fn thumbnails_for(source: &Path, out: &Path, budget: Duration) -> (u32, Duration) {
    // One first, outside the timing (page cache, allocator).
    make_thumbnail(source, out, THUMBNAIL_LONG_SIDE).expect("a thumbnail");
    let started = Instant::now();
    let cpu = thread_cpu();
    let mut count = 0;
    while started.elapsed() < budget || count < 5 {
        make_thumbnail(source, out, THUMBNAIL_LONG_SIDE).expect("a thumbnail");
        count += 1;
    }
    (count, thread_cpu() - cpu)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this too, briefly.
    let quick = std::env::args().any(|a| a == "--test" || a == "--list");
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().expect("a scratch folder");
    let picture = photographic_4k();
    let png = dir.path().join("4k.png");
    let jpg = dir.path().join("4k.jpg");
    picture.save(&png).expect("the PNG");
    {
        let file = std::fs::File::create(&jpg).expect("the JPEG");
        image::codecs::jpeg::JpegEncoder::new_with_quality(std::io::BufWriter::new(file), 90)
            .encode_image(&picture)
            .expect("the JPEG");
    }
    let budget = if quick {
        Duration::from_millis(200)
    } else {
        Duration::from_secs(4)
    };
    println!(
        "thumbnails ({THUMBNAIL_LONG_SIDE} px JPEG) from 3840×2160 inputs, one core (CPU time):"
    );
    println!("| input | file size | per thumbnail | thumbnails/s/core |");
    println!("| --- | --- | --- | --- |");
    let mut report = serde_json::Map::new();
    for (name, key, source) in [("PNG", "png", &png), ("JPEG q90", "jpeg", &jpg)] {
        let size = std::fs::metadata(source).map(|m| m.len()).unwrap_or(0);
        let (count, elapsed) = thumbnails_for(source, &dir.path().join("thumb.jpg"), budget);
        let each = elapsed / count;
        let rate = count as f64 / elapsed.as_secs_f64();
        println!(
            "| {name} | {:.1} MB | {:.1} ms | {rate:.1} |",
            size as f64 / 1e6,
            each.as_secs_f64() * 1e3,
        );
        report.insert(format!("thumbnails_per_s_{key}"), rate.into());
        report.insert(
            format!("thumbnail_ms_{key}"),
            (each.as_secs_f64() * 1e3).into(),
        );
    }
    let write_report = |report: &serde_json::Map<String, serde_json::Value>| {
        if let Some(path) = std::env::var_os("GALLERY_BENCH_JSON") {
            std::fs::write(path, serde_json::Value::from(report.clone()).to_string())
                .expect("the JSON report");
        }
    };

    println!("\nwhere the time goes (one core, median of 5):");
    println!("| input | decode (JPEG at n/8 scale) | resize to 320 px | JPEG encode |");
    println!("| --- | --- | --- | --- |");
    for (name, source) in [("PNG", &png), ("JPEG q90", &jpg)] {
        let (mut decode, mut resize, mut encode) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..5 {
            let started = Instant::now();
            let (decoded, _) =
                studio::thumbnails::decode_for_thumbnail(source, THUMBNAIL_LONG_SIDE)
                    .expect("decoded");
            decode.push(started.elapsed());
            let rgb = decoded.into_rgb8();
            let started = Instant::now();
            let (w, h) = studio::thumbnails::fitted(rgb.width(), rgb.height(), THUMBNAIL_LONG_SIDE);
            let small = studio::thumbnails::resize_rgb(&rgb, w, h).expect("resized");
            resize.push(started.elapsed());
            let started = Instant::now();
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82)
                .encode(&small, w, h, image::ExtendedColorType::Rgb8)
                .expect("encoded");
            encode.push(started.elapsed());
        }
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.2} ms |",
            median(decode).as_secs_f64() * 1e3,
            median(resize).as_secs_f64() * 1e3,
            median(encode).as_secs_f64() * 1e3
        );
    }

    let items: usize = std::env::var("GALLERY_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick { 300 } else { 10_000 });
    if items == 0 {
        write_report(&report);
        return;
    }
    let library = Library::open(&dir.path().join("library.db")).expect("the library");
    let started = Instant::now();
    let options = SeedOptions {
        items,
        ..SeedOptions::default()
    };
    seed_library(
        &library,
        &dir.path().join("library"),
        &dir.path().join("cache"),
        &options,
    )
    .expect("the seeded library");
    println!(
        "\nseeded {items} items with files and thumbnails in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!("\nthe gallery's list query over {items} items (median of 20):");
    println!("| filter | tiles | median | JSON size |");
    println!("| --- | --- | --- | --- |");
    let profile = &options.profile_id;
    let cases = [
        ("none", GalleryFilter::default()),
        (
            "videos",
            GalleryFilter {
                media: vec!["video".into()],
                ..GalleryFilter::default()
            },
        ),
        (
            "model nano-banana-pro",
            GalleryFilter {
                models: vec!["nano-banana-pro".into()],
                ..GalleryFilter::default()
            },
        ),
        (
            "favourites",
            GalleryFilter {
                favourites: true,
                ..GalleryFilter::default()
            },
        ),
        (
            "search \"lighth dusk\"",
            GalleryFilter {
                search: "lighth dusk".into(),
                ..GalleryFilter::default()
            },
        ),
    ];
    for (name, filter) in cases {
        let mut samples = Vec::new();
        let mut tiles = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            tiles = library.gallery_tiles(profile, &filter).expect("the list");
            let days = studio::services::day_groups(&tiles);
            std::hint::black_box(&days);
            samples.push(started.elapsed());
        }
        let json = serde_json::to_vec(&tiles).expect("JSON").len();
        let median = median(samples).as_secs_f64() * 1e3;
        println!(
            "| {name} | {} | {median:.1} ms | {:.0} KB |",
            tiles.len(),
            json as f64 / 1e3
        );
        if name == "none" {
            report.insert("list_query_ms".into(), median.into());
            report.insert("list_tiles".into(), tiles.len().into());
        }
    }
    write_report(&report);
}

//! A decompression-bomb PNG (crates/hostile) against the thumbnailer, alone in its test
//! binary so that the process's peak RSS is this test's own.

use cyberbara_hostile::{bomb_png, peak_rss};
use std::time::{Duration, Instant};

#[test]
fn a_decompression_bomb_png_is_refused_from_its_header_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("bomb.png");
    let bomb = bomb_png(11_500, 11_500);
    assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
    std::fs::write(&source, &bomb).unwrap();
    let target = dir.path().join("thumb.jpg");
    let before = peak_rss().unwrap();
    let started = Instant::now();
    let err = studio::thumbnails::make_thumbnail(&source, &target, 320)
        .expect_err("132 MB of pixels is past the ceiling");
    let grown = peak_rss().unwrap().saturating_sub(before);
    assert!(err.to_string().contains("bomb.png"), "{err}");
    assert!(grown < 32 * 1024 * 1024, "peak RSS grew by {grown} bytes");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(!target.exists());
}

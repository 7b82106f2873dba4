//! A generated library for benchmarks and end-to-end tests: thousands of succeeded tasks
//! with downloaded items and real thumbnail files, recorded through the database layer
//! exactly as downloads record them. Files are a handful of rendered pictures and one
//! rendered video, hard-linked under each item's own name (copied where links are not
//! possible), so 10,000 items cost seconds and little disk.
//!
//! `cargo run -p cyberbara-studio-core --bin seed-library -- --help` makes one for the app.

use crate::downloads::naming;
use crate::error::AppError;
use crate::library::{Downloaded, Library, NewTask, TaskKey, TaskOrigin, ThumbState};
use crate::library_folder::{io_error, resolve_in};
use crate::thumbnail_queue::THUMBS_DIR;
use crate::thumbnails::{make_thumbnail, THUMBNAIL_LONG_SIDE};
use cyberbara_sandbox::media::{self, ImageFormat, ImageSpec, VideoSpec};
use serde_json::{json, Map};
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub profile_id: String,
    pub items: usize,
    /// Every n-th item is a video (0: none).
    pub video_every: usize,
    /// Every n-th item is a favourite (0: none).
    pub favourite_every: usize,
    /// Items are spread over this many days, newest now.
    pub days: u32,
    /// Failed tasks shown as tiles among the items.
    pub failed_tasks: usize,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            profile_id: crate::profiles::SANDBOX_ID.to_string(),
            items: 10_000,
            video_every: 10,
            favourite_every: 7,
            days: 120,
            failed_tasks: 3,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedReport {
    pub items: usize,
    pub videos: usize,
    pub failed_tasks: usize,
}

const MODELS: &[&str] = &[
    "nano-banana-pro",
    "seedream-4",
    "gpt-image-1",
    "flux-kontext-pro",
];
const VIDEO_MODEL: &str = "veo-3.1-fast";
const SUBJECTS: &[&str] = &[
    "lighthouse",
    "harbour",
    "fox",
    "mountain",
    "city street",
    "forest",
    "desert",
    "portrait",
    "robot",
    "garden",
    "bridge",
    "waterfall",
];
const MOODS: &[&str] = &[
    "at dusk",
    "in the rain",
    "at dawn",
    "under snow",
    "in neon light",
];

/// Generates `options.items` items (plus failed tasks) into `library`, with files under
/// `library_dir` and thumbnails under `cache_dir/thumbs`. Blocking.
pub fn seed_library(
    library: &Library,
    library_dir: &Path,
    cache_dir: &Path,
    options: &SeedOptions,
) -> Result<SeedReport, AppError> {
    let work = library_dir.join(".seed");
    std::fs::create_dir_all(&work).map_err(|e| io_error("seed the library", library_dir, &e))?;
    let thumbs = cache_dir.join(THUMBS_DIR);
    std::fs::create_dir_all(&thumbs).map_err(|e| io_error("seed the library", cache_dir, &e))?;

    // A few real pictures and one real video, each with its thumbnail or poster.
    let mut pictures = Vec::new();
    for (n, subject) in SUBJECTS.iter().enumerate() {
        let (width, height) = if n % 3 == 0 { (768, 1024) } else { (1024, 576) };
        let bytes = media::render_image(&ImageSpec {
            width,
            height,
            format: ImageFormat::Png,
            prompt: subject,
            seed: n as u64,
            reference: None,
        })
        .map_err(|e| AppError::internal(format!("a seed picture: {e}")))?;
        let file = work.join(format!("picture-{n}.png"));
        let thumb = work.join(format!("picture-{n}.jpg"));
        std::fs::write(&file, &bytes).map_err(|e| io_error("seed the library", library_dir, &e))?;
        make_thumbnail(&file, &thumb, THUMBNAIL_LONG_SIDE)
            .map_err(|e| AppError::internal(e.to_string()))?;
        let info = crate::downloads::media_info::inspect(&file, "image/png")
            .map_err(|e| io_error("seed the library", library_dir, &e))?;
        pictures.push((file, thumb, width, height, info));
    }
    let video = media::render_video(&VideoSpec {
        width: 320,
        height: 180,
        duration_secs: 3.0,
        fps: media::VIDEO_FPS,
        prompt: "waves on rocks",
        seed: 1,
        reference: None,
    })
    .map_err(|e| AppError::internal(format!("a seed video: {e}")))?;
    let video_file = work.join("video.mp4");
    std::fs::write(&video_file, &video)
        .map_err(|e| io_error("seed the library", library_dir, &e))?;
    let video_info = crate::downloads::media_info::inspect(&video_file, "video/mp4")
        .map_err(|e| io_error("seed the library", library_dir, &e))?;
    let poster = work.join("video.jpg");
    make_thumbnail(&pictures[0].0, &poster, THUMBNAIL_LONG_SIDE)
        .map_err(|e| AppError::internal(e.to_string()))?;

    let now = chrono::Utc::now().timestamp_millis();
    let span = i64::from(options.days.max(1)) * 24 * 3600 * 1000;
    let step = (span / options.items.max(1) as i64).max(1);
    let mut videos = 0;
    for n in 0..options.items {
        let is_video =
            options.video_every > 0 && n % options.video_every == options.video_every - 1;
        let created_ms = now - n as i64 * step;
        let created_at = chrono::DateTime::from_timestamp_millis(created_ms)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let subject = SUBJECTS[n % SUBJECTS.len()];
        let prompt = format!("A {subject} {} #{n}", MOODS[n % MOODS.len()]);
        let model = if is_video {
            VIDEO_MODEL
        } else {
            MODELS[n % MODELS.len()]
        };
        let id = format!("seed-{n:05}");
        let ext = if is_video { "mp4" } else { "png" };
        let url = format!("https://seed.invalid/{id}.{ext}");
        let (record, _) = library.insert_task(NewTask {
            key: TaskKey::new(&options.profile_id, &id),
            model: model.into(),
            media_type: if is_video { "video" } else { "image" }.into(),
            scene: Some(
                if is_video {
                    "text-to-video"
                } else {
                    "text-to-image"
                }
                .into(),
            ),
            prompt: Some(prompt.clone()),
            request: json!({"model": model, "prompt": prompt}),
            status: "success".into(),
            cost: Some(if is_video { 40 } else { 8 }),
            outputs: vec![url],
            extra: Map::new(),
            origin: TaskOrigin::Created,
            batch_id: None,
            batch_index: None,
            created_at,
            updated_at: None,
        })?;
        let (item, _) = library
            .record_outputs(&record)?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::internal("a seeded item was not recorded"))?;
        let relative = naming::item_path(&options.profile_id, created_ms, &id, 0, ext);
        let target = resolve_in(library_dir, &relative)
            .ok_or_else(|| AppError::internal("a seeded path climbed out"))?;
        let (source, thumb_source, done) = if is_video {
            videos += 1;
            (
                &video_file,
                &poster,
                Downloaded {
                    file: relative,
                    media_type: "video".into(),
                    content_type: "video/mp4".into(),
                    size: video_info.size,
                    sha256: video_info.sha256.clone(),
                    width: video_info.width,
                    height: video_info.height,
                    duration_ms: video_info.duration_ms,
                },
            )
        } else {
            let (file, thumb, width, height, info) = &pictures[n % pictures.len()];
            (
                file,
                thumb,
                Downloaded {
                    file: relative,
                    media_type: "image".into(),
                    content_type: "image/png".into(),
                    size: info.size,
                    sha256: info.sha256.clone(),
                    width: Some(*width),
                    height: Some(*height),
                    duration_ms: None,
                },
            )
        };
        link_or_copy(source, &target, library_dir)?;
        link_or_copy(
            thumb_source,
            &thumbs.join(format!("{}.jpg", item.id)),
            cache_dir,
        )?;
        library.finish_download(item.id, &done)?;
        library.set_item_thumb(item.id, ThumbState::Made)?;
        if options.favourite_every > 0 && n % options.favourite_every == 0 {
            library.set_favourite(item.id, true)?;
        }
    }
    for n in 0..options.failed_tasks {
        let created_ms = now - (n as i64 * 37 + 5) * step;
        library.insert_task(NewTask {
            key: TaskKey::new(&options.profile_id, format!("seed-failed-{n}")),
            model: MODELS[0].into(),
            media_type: "image".into(),
            scene: Some("text-to-image".into()),
            prompt: Some(format!("A {} that failed", SUBJECTS[n % SUBJECTS.len()])),
            request: json!({"model": MODELS[0], "prompt": "failed"}),
            status: "failed".into(),
            cost: Some(8),
            outputs: vec![],
            extra: Map::new(),
            origin: TaskOrigin::Created,
            batch_id: None,
            batch_index: None,
            created_at: chrono::DateTime::from_timestamp_millis(created_ms)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            updated_at: None,
        })?;
    }
    Ok(SeedReport {
        items: options.items,
        videos,
        failed_tasks: options.failed_tasks,
    })
}

fn link_or_copy(source: &Path, target: &PathBuf, root: &Path) -> Result<(), AppError> {
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error("seed the library", root, &e))?;
    }
    let _ = std::fs::remove_file(target);
    if std::fs::hard_link(source, target).is_err() {
        std::fs::copy(source, target).map_err(|e| io_error("seed the library", root, &e))?;
    }
    Ok(())
}

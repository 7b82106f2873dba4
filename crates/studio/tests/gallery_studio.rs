//! The Gallery page's commands through the app's core, on the built-in Sandbox profile:
//! outputs of generated tasks listed and recorded, served by the loopback media server
//! from the library folder (token, nothing outside it, ranges, content types), posters,
//! Save as…, favourites, delete and Undo, use as reference, and moving the library folder.

mod common;

use common::fast_tracker;

use base64::Engine;
use cyberbara::Backoff;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use studio::compose::Draft;
use studio::downloads::DownloadConfig;
use studio::error::ErrorKind;
use studio::gallery_workers::{GalleryConfig, TrashFn};
use studio::keychain::Keychain;
use studio::library::{GalleryFilter, TileState};
use studio::references::UploadEvent;
use studio::services::{AppPaths, GalleryIndex, Studio};

fn fast_gallery() -> GalleryConfig {
    GalleryConfig {
        downloads: DownloadConfig {
            backoff: Backoff {
                base: Duration::from_millis(50),
                cap: Duration::from_millis(300),
                jitter: false,
            },
            ..DownloadConfig::default()
        },
        thumbnail_workers: Some(2),
        undo_window: Duration::from_millis(300),
        trash_grace: Duration::from_millis(100),
    }
}

async fn open_studio(dir: &Path) -> Studio {
    let keychain = Keychain::new(format!("cyberbara-studio-test-{}", uuid::Uuid::new_v4()));
    let bin = dir.join("trash-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let trash: TrashFn = Arc::new(move |path: &Path| {
        std::fs::rename(path, bin.join(path.file_name().unwrap())).map_err(|e| e.to_string())
    });
    let studio = Studio::open_with(AppPaths::under(dir), keychain, None, fast_tracker())
        .unwrap()
        .with_gallery(fast_gallery(), trash);
    studio.start().await;
    studio
}

async fn index_until(studio: &Studio, done: impl Fn(&GalleryIndex) -> bool) -> GalleryIndex {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let index = studio
            .gallery_index(GalleryFilter::default())
            .await
            .unwrap();
        if done(&index) {
            return index;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the gallery never got there: {:#?}",
            index.tiles
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn draft(model: &str, prompt: &str) -> Draft {
    Draft {
        model: model.into(),
        prompt: prompt.into(),
        batch: 1,
        ..Default::default()
    }
}

fn png_data_url() -> String {
    let picture = image::RgbImage::from_fn(640, 360, |x, y| {
        image::Rgb([(x / 3) as u8, (y / 2) as u8, 90])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes.into_inner())
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_outputs_are_listed_served_saved_and_managed_from_the_local_library() {
    let dir = tempfile::tempdir().unwrap();
    let studio = open_studio(dir.path()).await;
    let empty = studio
        .gallery_index(GalleryFilter::default())
        .await
        .unwrap();
    assert!(empty.tiles.is_empty() && empty.days.is_empty());
    let thumb_base = empty.thumb_base.clone().unwrap();

    let image_report = studio
        .generate(&draft(
            "nano-banana-pro",
            "[sandbox:ms=200] A lighthouse at dusk",
        ))
        .await
        .unwrap();
    assert!(image_report.error.is_none(), "{:?}", image_report.error);
    let video_report = studio
        .generate(&draft("veo-3.1-fast", "[sandbox:ms=200] Waves on rocks"))
        .await
        .unwrap();
    assert!(video_report.error.is_none(), "{:?}", video_report.error);
    let index = index_until(&studio, |index| {
        index.tiles.len() == 2
            && index.tiles.iter().all(|t| t.state == TileState::Ready)
            && index.tiles.iter().any(|t| t.media == "image" && t.thumb)
    })
    .await;
    assert_eq!(index.days.len(), 1);
    let image_tile = index.tiles.iter().find(|t| t.media == "image").unwrap();
    let video_tile = index.tiles.iter().find(|t| t.media == "video").unwrap();
    assert!(video_tile.needs_poster);
    let (image_key, video_key) = (image_tile.key.clone(), video_tile.key.clone());

    // Records of the window: the request, the local copy's URL, sizes.
    let records = studio
        .gallery_records(&[video_key.clone(), image_key.clone(), "999999".into()])
        .await
        .unwrap();
    assert_eq!(records.len(), 2, "an unknown key is left out");
    let (video, image) = (&records[0], &records[1]);
    assert_eq!(image.task.id, image_report.created[0].id);
    assert_eq!(
        image.task.request["prompt"],
        "[sandbox:ms=200] A lighthouse at dusk"
    );
    let item = image.item.as_ref().unwrap();
    let path = PathBuf::from(item.path.clone().unwrap());
    assert!(
        path.starts_with(dir.path().join("data/library")),
        "{}",
        path.display()
    );
    let on_disk = std::fs::read(&path).unwrap();
    assert!(video.item.as_ref().unwrap().duration_ms.unwrap() > 0);

    // "Open in Gallery" (from the Usage page) finds a task's outputs by the task id.
    let image_task = image_report.created[0].id.clone();
    let of_task = studio.task_tiles(&image_task).await.unwrap();
    assert_eq!(
        of_task.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
        vec![image_key.as_str()]
    );
    assert!(studio.task_tiles("no-such-task").await.unwrap().is_empty());

    // The media server serves the library folder: the bytes, ranges, content types.
    let http = reqwest::Client::new();
    let file_url = image.file_url.clone().unwrap();
    let served = http.get(&file_url).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().as_ref(), on_disk.as_slice());
    let part = http
        .get(&file_url)
        .header("Range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.bytes().await.unwrap().len(), 100);
    let video_served = http
        .head(video.file_url.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(video_served.headers()["content-type"], "video/mp4");
    let thumb = http
        .get(image.thumb_url.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    assert_eq!(
        image.thumb_url.clone().unwrap(),
        format!("{thumb_base}/{image_key}.jpg")
    );
    // Nothing without the token, nothing outside the library (library.db is beside it).
    let base = file_url.split("/library/").next().unwrap().to_string();
    let port_base = base.rsplit_once('/').unwrap().0.to_string();
    let relative = file_url.split("/library/").nth(1).unwrap().to_string();
    for bad in [
        format!("{port_base}/not-the-token/library/{relative}"),
        format!("{port_base}/library/{relative}"),
        format!("{base}/library/..%2Flibrary.db"),
        format!("{base}/library/../library.db"),
        format!("{base}/library/%2e%2e/library.db"),
    ] {
        let response = http.get(&bad).send().await.unwrap();
        assert_eq!(response.status(), 404, "{bad}");
    }

    // A poster for the video, from the frame the page drew.
    let refused = studio
        .store_poster(&video_key, "data:text/html;base64,PGh0bWw+")
        .await;
    assert_eq!(refused.unwrap_err().kind, ErrorKind::InvalidInput);
    let not_a_picture = format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(b"<html>not a frame</html>")
    );
    assert!(studio
        .store_poster(&video_key, &not_a_picture)
        .await
        .is_err());
    let tile = studio
        .store_poster(&video_key, &png_data_url())
        .await
        .unwrap();
    assert!(tile.thumb && !tile.needs_poster);
    let poster = dir.path().join(format!("cache/thumbs/{video_key}.jpg"));
    assert_eq!(image::image_dimensions(&poster).unwrap(), (320, 180));
    assert!(
        studio
            .store_poster(&image_key, &png_data_url())
            .await
            .is_err(),
        "images have thumbnails"
    );

    // Save as…: one file byte for byte; a selection with sidecars, never overwriting.
    let out = dir.path().join("saved");
    std::fs::create_dir_all(&out).unwrap();
    let (name, _) = studio.save_suggestion(&image_key).await.unwrap();
    assert!(
        name.starts_with("nano-banana-pro-") && name.ends_with("-0.png"),
        "{name}"
    );
    let report = studio
        .save_item(&image_key, &out.join(&name))
        .await
        .unwrap();
    assert_eq!(std::fs::read(&report.files[0]).unwrap(), on_disk);
    assert_eq!(studio.last_save_folder().as_deref(), Some(out.as_path()));
    let both = studio
        .save_items(&[image_key.clone(), video_key.clone()], &out)
        .await
        .unwrap();
    assert_eq!(both.files.len(), 2);
    assert!(both.files[0].ends_with("-0 (2).png"), "{:?}", both.files);
    for file in &both.files {
        let sidecar: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{file}.json")).unwrap())
                .unwrap();
        assert!(sidecar["request"]["prompt"].is_string(), "{sidecar}");
        assert!(sidecar["task_id"].is_string());
    }

    // Favourites.
    let tiles = studio
        .set_favourite(std::slice::from_ref(&image_key), true)
        .await
        .unwrap();
    assert!(tiles[0].favourite);
    let favourites = studio
        .gallery_index(GalleryFilter {
            favourites: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(favourites.tiles.len(), 1);
    assert_eq!(studio.gallery_facets().await.unwrap().favourites, 1);

    // Use as reference: the output's URL still resolves, so it is used as it is.
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let reference = studio
        .item_as_reference(
            &image_key,
            "image_input",
            "ref-1",
            Arc::new(move |e: UploadEvent| seen.lock().unwrap().push(e)),
        )
        .await
        .unwrap();
    assert_eq!(reference.url.as_deref(), Some(item.url.as_str()));
    assert_eq!(reference.slot, "image_input");
    assert!(matches!(
        events.lock().unwrap().last(),
        Some(UploadEvent::Done { reused: true, .. })
    ));

    // Delete and Undo; then delete for good: the file goes to the trash.
    let deleted = studio
        .delete_items(std::slice::from_ref(&image_key))
        .await
        .unwrap();
    assert_eq!(deleted.keys, vec![image_key.clone()]);
    let after = studio
        .gallery_index(GalleryFilter::default())
        .await
        .unwrap();
    assert_eq!(after.tiles.len(), 1);
    assert!(
        studio.task_tiles(&image_task).await.unwrap().is_empty(),
        "a deleted output is not shown by Open in Gallery"
    );
    let back = studio
        .undo_delete(std::slice::from_ref(&image_key))
        .await
        .unwrap();
    assert_eq!(back[0].key, image_key);
    studio
        .delete_items(std::slice::from_ref(&image_key))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while path.exists() {
        assert!(tokio::time::Instant::now() < deadline, "never trashed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(dir
        .path()
        .join("trash-bin")
        .join(path.file_name().unwrap())
        .exists());
    let too_late = studio
        .undo_delete(std::slice::from_ref(&image_key))
        .await
        .unwrap_err();
    assert!(
        too_late.message.contains("too late"),
        "{}",
        too_late.message
    );

    // The library folder moves, and the media server follows it.
    let view = studio.library_folder().await.unwrap();
    assert!(view.is_default && view.files == 1, "{view:?}");
    let refused = studio
        .move_library(Path::new("/sys/cyberbara-library"))
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Storage);
    assert!(
        refused.message.contains("/sys/cyberbara-library"),
        "{}",
        refused.message
    );
    let elsewhere = dir.path().join("elsewhere");
    let moved = studio.move_library(&elsewhere).await.unwrap();
    assert_eq!(moved.moved, 1);
    let record = &studio
        .gallery_records(std::slice::from_ref(&video_key))
        .await
        .unwrap()[0];
    let new_path = PathBuf::from(record.item.as_ref().unwrap().path.clone().unwrap());
    assert!(new_path.starts_with(&elsewhere) && new_path.is_file());
    let served = http
        .get(record.file_url.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(
        served.bytes().await.unwrap().as_ref(),
        std::fs::read(&new_path).unwrap()
    );
    assert!(common_files(&dir.path().join("data/library")).is_empty());
    let view = studio.library_folder().await.unwrap();
    assert!(!view.is_default);
    assert_eq!(view.path, elsewhere.display().to_string());
}

/// Files under `dir` (hidden working folders aside).
fn common_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(common_files(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

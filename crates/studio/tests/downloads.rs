//! Downloads into the local library against a real sandbox on 127.0.0.1 (and a stand-in
//! CDN for replies the sandbox never sends): outputs of finished tasks land as checked
//! files with thumbnails; a download cut halfway leaves nothing in the library and resumes
//! with `Range` after a restart; names never come from URLs; bytes that are not the
//! claimed media are refused; failures are retried, then offered a Retry; a file deleted
//! outside the app is fetched again or marked missing; deletions go to the trash only
//! after the Undo window.

mod common;

use common::origin::Origin;
use common::{fast_tracker, sandbox_config, TestConnections};
use cyberbara::types::GenerationRequest;
use cyberbara::Backoff;
use cyberbara::{ApiKey, Client};
use cyberbara_sandbox::controls::{FaultKind, FaultSpec, SandboxControls};
use cyberbara_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Map};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use studio::downloads::DownloadConfig;
use studio::gallery_workers::{Gallery, GalleryConfig, TrashFn};
use studio::library::{
    GalleryFilter, Item, ItemChange, ItemState, Library, NewTask, TaskKey, TaskOrigin, TaskRecord,
    TileState,
};
use studio::library_folder::LibraryFolder;
use studio::tracker::{new_task_from, TaskTracker, TrackerEvent};

const KEY: &str = "sk-downloads-test-0123456789abcdef";
const PROFILE: &str = "p";

fn fast_gallery() -> GalleryConfig {
    GalleryConfig {
        downloads: DownloadConfig {
            max_parallel: 3,
            attempts: 4,
            backoff: Backoff {
                base: Duration::from_millis(50),
                cap: Duration::from_millis(400),
                jitter: false,
            },
            stall_timeout: Duration::from_secs(2),
            progress_every: Duration::from_millis(10),
            ..DownloadConfig::default()
        },
        thumbnail_workers: Some(2),
        undo_window: Duration::from_millis(400),
        trash_grace: Duration::from_millis(100),
    }
}

/// A trash that moves files into a folder of the test, and remembers what it took.
fn test_trash(dir: &Path) -> (TrashFn, Arc<Mutex<Vec<PathBuf>>>) {
    let taken = Arc::new(Mutex::new(Vec::new()));
    let bin = dir.join("trash-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let seen = Arc::clone(&taken);
    let trash: TrashFn = Arc::new(move |path: &Path| {
        let target = bin.join(path.file_name().unwrap());
        std::fs::rename(path, &target).map_err(|e| e.to_string())?;
        seen.lock().unwrap().push(path.to_path_buf());
        Ok(())
    });
    (trash, taken)
}

struct Setup {
    dir: tempfile::TempDir,
    /// The stand-in CDN, trusted like the deployment (`DownloadConfig::also_trusted`).
    origin: Origin,
    sandbox: Sandbox,
    client: Client,
    library: Library,
    tracker: TaskTracker,
    folder: Arc<LibraryFolder>,
    gallery: Option<Gallery>,
    trashed: Arc<Mutex<Vec<PathBuf>>>,
}

impl Setup {
    async fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = Sandbox::start(SandboxConfig {
            api_keys: vec![KEY.into()],
            credits: 100_000,
            speed: 20.0,
            ..sandbox_config()
        })
        .await
        .unwrap();
        let client = Client::new(&sandbox.base_url(), ApiKey::new(KEY)).unwrap();
        let library = Library::open(&dir.path().join("data/library.db")).unwrap();
        let tracker = TaskTracker::start(
            library.clone(),
            TestConnections::new(PROFILE, client.clone()),
            fast_tracker(),
        )
        .unwrap();
        let folder = Arc::new(LibraryFolder::open(
            &library,
            dir.path().join("data/library"),
        ));
        let (_, trashed) = test_trash(dir.path());
        let origin = Origin::start().await;
        let mut setup = Setup {
            dir,
            origin,
            sandbox,
            client,
            library,
            tracker,
            folder,
            gallery: None,
            trashed,
        };
        setup.start_gallery();
        setup
    }

    fn start_gallery(&mut self) {
        let (trash, trashed) = test_trash(self.dir.path());
        self.trashed = trashed;
        self.gallery = Some(
            Gallery::start(
                self.library.clone(),
                &self.tracker,
                Arc::clone(&self.folder),
                &self.cache_dir(),
                GalleryConfig {
                    downloads: DownloadConfig {
                        also_trusted: vec![self.origin.base.clone()],
                        ..fast_gallery().downloads
                    },
                    ..fast_gallery()
                },
                trash,
            )
            .unwrap(),
        );
    }

    fn gallery(&self) -> &Gallery {
        self.gallery.as_ref().unwrap()
    }

    fn cache_dir(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    fn root(&self) -> PathBuf {
        self.folder.path()
    }

    /// Records a task that already succeeded with `outputs`, as an import would.
    fn succeeded(&self, id: &str, media_type: &str, outputs: Vec<String>) -> TaskRecord {
        let record = self
            .tracker
            .add_created(NewTask {
                key: TaskKey::new(PROFILE, id),
                model: if media_type == "video" {
                    "veo-3.1-fast".into()
                } else {
                    "nano-banana-pro".into()
                },
                media_type: media_type.into(),
                scene: None,
                prompt: Some(format!("outputs of {id}")),
                request: json!({"model": "nano-banana-pro", "prompt": "x"}),
                status: "success".into(),
                cost: Some(8),
                outputs,
                extra: Map::new(),
                origin: TaskOrigin::Imported,
                batch_id: None,
                batch_index: None,
                created_at: "2026-11-30T10:00:00.000Z".into(),
                updated_at: None,
            })
            .unwrap();
        record
    }

    fn items(&self, task: &str) -> Vec<Item> {
        self.library.task_items(PROFILE, task).unwrap()
    }

    /// Waits until every item of `task` satisfies `done`.
    async fn wait_items(
        &self,
        task: &str,
        count: usize,
        done: impl Fn(&Item) -> bool,
    ) -> Vec<Item> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let items = self.items(task);
            if items.len() == count && items.iter().all(&done) {
                return items;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("items of {task} did not get there: {items:#?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    out.push(path.strip_prefix(root).unwrap().display().to_string());
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outputs_of_finished_tasks_land_in_the_library_checked_with_thumbnails_and_events() {
    let setup = Setup::new().await;
    let mut events = setup.tracker.subscribe_all();
    // The first two requests for stored files lose their connection: retried with backoff.
    let controls = SandboxControls::new(&setup.sandbox.base_url());
    controls
        .add_fault(&FaultSpec {
            next: Some(2),
            path_prefix: Some("/uploads".into()),
            ..FaultSpec::new(FaultKind::Drop)
        })
        .await
        .unwrap();

    let mut ids = Vec::new();
    for (kind, prompt) in [
        ("image", "a lighthouse at dusk"),
        ("video", "waves on rocks"),
    ] {
        let request = GenerationRequest {
            model: if kind == "image" {
                "nano-banana-pro"
            } else {
                "veo-3.1-fast"
            }
            .into(),
            prompt: Some(prompt.into()),
            ..Default::default()
        };
        let created = if kind == "image" {
            setup.client.generate_image(&request).await.unwrap()
        } else {
            setup.client.generate_video(&request).await.unwrap()
        };
        let task = setup.client.task(&created.task_id).await.unwrap();
        setup
            .tracker
            .add_created(new_task_from(PROFILE, &task))
            .unwrap();
        ids.push(created.task_id);
    }

    let image = setup
        .wait_items(&ids[0], 1, |i| {
            i.state == ItemState::Ready && i.thumb == studio::library::ThumbState::Made
        })
        .await
        .remove(0);
    let video = setup
        .wait_items(&ids[1], 1, |i| i.state == ItemState::Ready)
        .await
        .remove(0);

    // Files named from the task id and index, with the sniffed extension.
    let image_file = image.file.clone().unwrap();
    assert!(image_file.starts_with("p/"), "{image_file}");
    assert!(
        image_file.ends_with(&format!("/{}-0.png", ids[0])),
        "{image_file}"
    );
    let on_disk = setup.root().join(&image_file);
    let bytes = std::fs::read(&on_disk).unwrap();
    assert_eq!(image.size, Some(bytes.len() as u64));
    let served = reqwest::get(&image.url)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        bytes,
        served.as_ref(),
        "the library's copy is the output, byte for byte"
    );
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!(image.width, Some(decoded.width()));
    assert_eq!(image.height, Some(decoded.height()));
    assert_eq!(image.content_type.as_deref(), Some("image/png"));
    assert_eq!(image.sha256.as_ref().map(String::len), Some(64));

    // The thumbnail: a JPEG of at most 320 px, in the cache beside the library.
    let thumb = image::open(setup.cache_dir().join(format!("thumbs/{}.jpg", image.id))).unwrap();
    assert_eq!(thumb.width().max(thumb.height()), 320);

    let video_file = video.file.clone().unwrap();
    assert!(
        video_file.ends_with(&format!("/{}-0.mp4", ids[1])),
        "{video_file}"
    );
    let duration = video.duration_ms.unwrap();
    assert!(
        duration >= 1000,
        "a sandbox video lasts seconds: {duration}"
    );
    assert!(video.width.is_some());

    // The drops were retried.
    let fetches = controls.count("GET /uploads/{key}").await.unwrap();
    assert!(fetches >= 4, "2 dropped + 2 downloads, got {fetches}");
    assert!(setup.gallery().downloads().stats().requests >= 4);

    // Events: each item was added, progressed and became ready, on the tracker's channel.
    let mut added = 0;
    let mut progress = 0;
    let mut ready = 0;
    while let Ok(event) = events.try_recv() {
        match event {
            TrackerEvent::Item {
                change,
                tile,
                profile_id,
                ..
            } => {
                assert_eq!(profile_id, PROFILE);
                if change == ItemChange::Added {
                    added += 1;
                }
                if tile.state == TileState::Ready {
                    ready += 1;
                }
            }
            TrackerEvent::Download {
                received, total, ..
            } => {
                assert!(total.is_none_or(|t| received <= t));
                progress += 1;
            }
            _ => {}
        }
    }
    assert_eq!(added, 2);
    assert!(
        progress >= 2 && ready >= 2,
        "progress {progress}, ready {ready}"
    );

    // The gallery lists both, newest first, with the video needing a poster.
    let tiles = setup
        .library
        .gallery_tiles(PROFILE, &GalleryFilter::default())
        .unwrap();
    assert_eq!(tiles.len(), 2);
    let video_tile = tiles.iter().find(|t| t.media == "video").unwrap();
    assert!(video_tile.needs_poster && !video_tile.thumb);
    assert_eq!(video_tile.duration_ms, Some(duration));
    assert!(tiles.iter().any(|t| t.media == "image" && t.thumb));
    setup.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_cut_halfway_leaves_no_file_in_the_library_and_resumes_with_range_after_a_restart(
) {
    let mut setup = Setup::new().await;
    let origin = setup.origin.clone();
    // A real output of the sandbox, reached through the stand-in CDN.
    let created = setup
        .client
        .generate_image(&GenerationRequest {
            model: "nano-banana-pro".into(),
            prompt: Some("[sandbox:ms=100] a big harbour".into()),
            options: serde_json::from_value(json!({"resolution": "4K"})).unwrap(),
            ..Default::default()
        })
        .await
        .unwrap();
    let task = finished(&setup.client, &created.task_id).await;
    let upstream = task.output.all_urls().remove(0);
    let full = reqwest::get(&upstream)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(full.len() > 100_000, "a 4K picture: {} bytes", full.len());
    let half = full.len() / 2;
    origin.cut_next_after(half);
    let url = origin.proxy("/cdn/big.png", &upstream);
    let controls = SandboxControls::new(&setup.sandbox.base_url());
    controls.reset_stats().await.unwrap();

    setup.succeeded("cut", "image", vec![url]);
    let partial = setup.root().join(".partial");
    // Wait until half the bytes are on disk, then stop the app's downloader.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let size: u64 = files_under(&partial)
            .iter()
            .map(|f| std::fs::metadata(partial.join(f)).unwrap().len())
            .sum();
        if size as usize == half {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no half file ({size} bytes)"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Every download stops writing (the wait ends when none is active, not after a pause).
    setup.gallery().downloads().pause_all().await;
    assert_eq!(setup.gallery().downloads().active(), 0);
    setup.gallery = None;

    // Nothing in the library but the hidden partial file; the item waits to be resumed.
    let files = files_under(&setup.root());
    assert!(
        files.iter().all(|f| f.starts_with(".partial/")),
        "only the partial file: {files:?}"
    );
    let item = setup.items("cut").remove(0);
    assert_eq!(item.state, ItemState::Downloading);
    assert!(item.file.is_none());

    // A new start resumes it with a Range request for the second half.
    setup.start_gallery();
    let item = setup
        .wait_items("cut", 1, |i| i.state == ItemState::Ready)
        .await
        .remove(0);
    let on_disk = std::fs::read(setup.root().join(item.file.unwrap())).unwrap();
    assert_eq!(on_disk, full.as_ref(), "resumed to the same bytes");
    let log = origin.log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0].1, None);
    assert_eq!(log[1].1.as_deref(), Some(format!("bytes={half}-").as_str()));
    assert!(setup.gallery().downloads().stats().ranged >= 1);
    assert_eq!(controls.count("GET /uploads/{key}").await.unwrap(), 2);
    assert!(
        files_under(&partial).is_empty(),
        "the partial file was renamed into place"
    );
    setup.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_come_from_the_task_id_and_index_never_from_the_url() {
    let setup = Setup::new().await;
    let origin = &setup.origin;
    let png = png_bytes(64, 48);
    let hostile_urls = [
        origin.put("/files/..%2F..%2Fx", png.clone(), "image/png"),
        origin.put(
            &format!("/files/{}", "n".repeat(300)),
            png.clone(),
            "image/png",
        ),
        origin.put("/files/CON", png.clone(), "image/png"),
        origin.put("/files/a/../../../../etc/passwd", png.clone(), "image/png"),
    ];
    let long_id = "t".repeat(300);
    let tasks = [
        ("../../x", hostile_urls[0].clone()),
        (long_id.as_str(), hostile_urls[1].clone()),
        ("CON", hostile_urls[2].clone()),
        ("plain", hostile_urls[3].clone()),
    ];
    for (id, url) in &tasks {
        setup.succeeded(id, "image", vec![url.clone()]);
    }
    let mut names = Vec::new();
    for (id, _) in &tasks {
        let item = setup
            .wait_items(id, 1, |i| {
                i.state != ItemState::Queued && i.state != ItemState::Downloading
            })
            .await
            .remove(0);
        if id == &"plain" {
            // reqwest resolves the dots before sending: the origin holds nothing there.
            assert_eq!(item.state, ItemState::Failed, "{item:?}");
            continue;
        }
        assert_eq!(item.state, ItemState::Ready, "{item:?}");
        let file = item.file.unwrap();
        let path = setup.root().join(&file);
        assert!(path.is_file());
        assert!(
            std::fs::canonicalize(&path)
                .unwrap()
                .starts_with(std::fs::canonicalize(setup.root()).unwrap()),
            "{file} is inside the library"
        );
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(name.ends_with("-0.png"), "{name}");
        assert!(name.len() < 100, "{name}");
        assert!(!name.to_ascii_lowercase().starts_with("con"), "{name}");
        names.push(name);
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 3, "no clashes: {names:?}");
    // Nothing was written anywhere else under the test's folder.
    let outside: Vec<String> = files_under(setup.dir.path())
        .into_iter()
        .filter(|f| !f.starts_with("data/") && !f.starts_with("cache/"))
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
    setup.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_that_are_not_the_media_they_claim_are_refused_and_nothing_is_kept() {
    let setup = Setup::new().await;
    let origin = &setup.origin;
    let html = origin.put(
        "/out/1.png",
        b"<!doctype html><html><body>Access denied</body></html>".to_vec(),
        "image/png",
    );
    let picture_for_video = origin.put("/out/2.mp4", png_bytes(32, 32), "video/mp4");
    let lying_header = origin.put("/out/3.png", png_bytes(32, 32), "video/mp4");
    setup.succeeded("html", "image", vec![html]);
    setup.succeeded("wrong-kind", "video", vec![picture_for_video]);
    setup.succeeded("lying", "image", vec![lying_header]);
    for (task, words) in [
        ("html", "not an image"),
        ("wrong-kind", "image/png bytes for a video"),
        ("lying", "its bytes are image/png"),
    ] {
        let item = setup
            .wait_items(task, 1, |i| i.state == ItemState::Failed)
            .await
            .remove(0);
        let error = item.error.unwrap();
        assert!(error.contains(words), "{task}: {error}");
        assert!(item.file.is_none());
    }
    assert!(
        files_under(&setup.root()).is_empty(),
        "{:?}",
        files_under(&setup.root())
    );
    // Refusals are not retried: one request each.
    assert_eq!(origin.log().len(), 3);
    setup.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_offer_retry_and_a_file_deleted_outside_the_app_is_fetched_again_or_marked_missing(
) {
    let setup = Setup::new().await;
    let origin = &setup.origin;
    let url = format!("{}/later.png", origin.base);
    setup.succeeded("later", "image", vec![url]);
    let failed = setup
        .wait_items("later", 1, |i| i.state == ItemState::Failed)
        .await
        .remove(0);
    assert!(
        failed.error.as_deref().unwrap().contains("no longer works"),
        "{:?}",
        failed.error
    );
    let tiles = setup
        .library
        .gallery_tiles(PROFILE, &GalleryFilter::default())
        .unwrap();
    assert_eq!(tiles[0].state, TileState::DownloadFailed);

    // The file appears; Retry fetches it.
    origin.put("/later.png", png_bytes(40, 30), "image/png");
    setup.gallery().downloads().retry(&failed).unwrap();
    let ready = setup
        .wait_items("later", 1, |i| i.state == ItemState::Ready)
        .await
        .remove(0);
    let path = setup.root().join(ready.file.as_deref().unwrap());

    // Deleted outside the app while the URL works: downloaded again.
    std::fs::remove_file(&path).unwrap();
    assert_eq!(setup.gallery().downloads().check_files().unwrap(), 1);
    setup
        .wait_items("later", 1, |i| {
            i.state == ItemState::Ready && i.attempts == 1
        })
        .await;
    assert!(path.is_file());

    // Deleted again while the URL no longer works: missing, with a sentence.
    origin.remove("/later.png");
    std::fs::remove_file(&path).unwrap();
    setup.gallery().downloads().check_files().unwrap();
    let missing = setup
        .wait_items("later", 1, |i| i.state == ItemState::Missing)
        .await
        .remove(0);
    assert!(missing.error.unwrap().contains("deleted outside the app"));
    let tiles = setup
        .library
        .gallery_tiles(PROFILE, &GalleryFilter::default())
        .unwrap();
    assert_eq!(tiles[0].state, TileState::Missing);

    // A stalled server is given up after the stall limit and the download retried.
    SandboxControls::new(&setup.sandbox.base_url())
        .add_fault(&FaultSpec {
            next: Some(2),
            retry_after_secs: Some(0),
            path_prefix: Some("/uploads".into()),
            ..FaultSpec::new(FaultKind::Status503)
        })
        .await
        .unwrap();
    let created = setup
        .client
        .generate_image(&GenerationRequest {
            model: "nano-banana-pro".into(),
            prompt: Some("[sandbox:ms=50] a fox".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let task = finished(&setup.client, &created.task_id).await;
    setup.succeeded("busy", "image", task.output.all_urls());
    setup
        .wait_items("busy", 1, |i| {
            i.state == ItemState::Ready && i.attempts == 3
        })
        .await;
    setup.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_item_goes_to_the_trash_after_the_undo_window_and_is_never_downloaded_again() {
    let setup = Setup::new().await;
    let origin = &setup.origin;
    let first = origin.put("/d/1.png", png_bytes(30, 30), "image/png");
    let second = origin.put("/d/2.png", png_bytes(31, 30), "image/png");
    let task = setup.succeeded("del", "image", vec![first, second]);
    let items = setup
        .wait_items("del", 2, |i| i.state == ItemState::Ready)
        .await;
    let paths: Vec<PathBuf> = items
        .iter()
        .map(|i| setup.root().join(i.file.as_deref().unwrap()))
        .collect();

    // Delete, then Undo within the window: nothing is trashed.
    let now = studio::library::now_ms();
    setup.library.mark_deleted(items[0].id, now).unwrap();
    let tiles = setup
        .library
        .gallery_tiles(PROFILE, &GalleryFilter::default())
        .unwrap();
    assert_eq!(tiles.len(), 1, "a deleted item leaves the list at once");
    setup.library.restore_item(items[0].id).unwrap().unwrap();
    let trashed = setup
        .gallery()
        .schedule_trash(Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(trashed, 0, "the trash pass ran and found nothing due");
    assert!(paths[0].is_file());

    // Delete for good: after the window, the file is in the trash; the row stays.
    setup.library.mark_deleted(items[1].id, now).unwrap();
    setup.gallery().schedule_trash(Duration::from_millis(500));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while setup.trashed.lock().unwrap().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "nothing was trashed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(*setup.trashed.lock().unwrap(), vec![paths[1].clone()]);
    assert!(!paths[1].exists());
    let kept = setup.library.item(items[1].id).unwrap().unwrap();
    assert!(kept.trashed && kept.deleted_ms.is_some());
    assert!(
        setup.library.restore_item(items[1].id).unwrap().is_none(),
        "too late to undo"
    );

    // The task's success seen again records nothing new and downloads nothing.
    // Downloads are queued synchronously (`active` counts them before any request), so
    // nothing active right after both calls means nothing was queued: no pause needed.
    let requests = origin.log().len();
    let sent = setup.gallery().downloads().stats().requests;
    setup.gallery().downloads().task_succeeded(&task).unwrap();
    setup.gallery().downloads().resume_unfinished().unwrap();
    assert_eq!(
        setup.gallery().downloads().active(),
        0,
        "nothing was queued"
    );
    assert_eq!(setup.gallery().downloads().stats().requests, sent);
    assert_eq!(origin.log().len(), requests);
    assert_eq!(setup.items("del").len(), 2);
    setup.sandbox.shutdown().await;
}

/// Polls a task on the sandbox until it is final.
async fn finished(client: &Client, id: &str) -> cyberbara::types::Task {
    use futures_util::StreamExt;
    let mut polls = Box::pin(client.wait_for_task(id));
    let mut last = None;
    while let Some(task) = polls.next().await {
        last = Some(task.unwrap());
    }
    last.expect("the task was polled")
}

fn png_bytes(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7) as u8, (y * 5) as u8, 120])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

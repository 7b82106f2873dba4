//! The gallery's queries on the library database: a 10,000-item library generated through
//! the database layer (with real files and thumbnails) listed in one query, filters, FTS5
//! prompt search, running and failed tasks as tiles, and the items table arriving by
//! migration in a library made by the previous version.

use serde_json::{json, Map};
use std::time::Instant;
use studio::library::{
    migrations, GalleryFilter, Library, NewTask, TaskKey, TaskOrigin, TaskUpdate, TileState,
};
use studio::seed::{seed_library, SeedOptions};
use studio::services::day_groups;

fn task(profile: &str, id: &str, prompt: &str, status: &str, created_at: &str) -> NewTask {
    NewTask {
        key: TaskKey::new(profile, id),
        model: "nano-banana-pro".into(),
        media_type: "image".into(),
        scene: None,
        prompt: Some(prompt.into()),
        request: json!({"model": "nano-banana-pro", "prompt": prompt}),
        status: status.into(),
        cost: Some(8),
        outputs: if status == "success" {
            vec![format!("https://cdn.invalid/{id}.png")]
        } else {
            vec![]
        },
        extra: Map::new(),
        origin: TaskOrigin::Created,
        batch_id: None,
        batch_index: None,
        created_at: created_at.into(),
        updated_at: None,
    }
}

#[test]
fn ten_thousand_items_list_in_one_query_with_filters_search_and_days() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(&dir.path().join("library.db")).unwrap();
    let options = SeedOptions::default();
    let report = seed_library(
        &library,
        &dir.path().join("library"),
        &dir.path().join("cache"),
        &options,
    )
    .unwrap();
    assert_eq!(report.items, 10_000);
    let profile = options.profile_id.as_str();

    let started = Instant::now();
    let tiles = library
        .gallery_tiles(profile, &GalleryFilter::default())
        .unwrap();
    let took = started.elapsed();
    // Not a timing assertion (see the gallery benchmark); printed for the curious.
    println!("10,000-item list query: {took:?}");
    assert_eq!(tiles.len(), 10_000 + options.failed_tasks);
    assert!(tiles.windows(2).all(|w| w[0].ms >= w[1].ms), "newest first");
    let ready = tiles.iter().filter(|t| t.state == TileState::Ready).count();
    assert_eq!(ready, 10_000);
    assert!(tiles
        .iter()
        .filter(|t| t.state == TileState::Ready)
        .all(|t| t.thumb));
    assert_eq!(
        tiles
            .iter()
            .filter(|t| t.state == TileState::Failed)
            .count(),
        options.failed_tasks
    );
    // Every tile has a real thumbnail file.
    for tile in tiles.iter().filter(|t| t.thumb).step_by(97) {
        let thumb = dir.path().join(format!("cache/thumbs/{}.jpg", tile.key));
        let size = image::image_dimensions(&thumb).unwrap();
        assert_eq!(size.0.max(size.1), 320, "{}", tile.key);
    }

    let days = day_groups(&tiles);
    assert!(days.len() >= 100, "spread over 120 days: {}", days.len());
    assert_eq!(
        days.iter().map(|d| d.count as usize).sum::<usize>(),
        tiles.len()
    );
    assert!(days
        .windows(2)
        .all(|w| w[0].start + w[0].count == w[1].start));

    let count = |filter: GalleryFilter| library.gallery_tiles(profile, &filter).unwrap();
    let videos = count(GalleryFilter {
        media: vec!["video".into()],
        ..Default::default()
    });
    assert_eq!(videos.len(), 1000);
    assert!(videos
        .iter()
        .all(|t| t.media == "video" && t.duration_ms.is_some()));
    let favourites = count(GalleryFilter {
        favourites: true,
        ..Default::default()
    });
    assert_eq!(favourites.len(), 10_000usize.div_ceil(7));
    assert!(favourites.iter().all(|t| t.favourite));
    let one_model = count(GalleryFilter {
        models: vec!["seedream-4".into()],
        ..Default::default()
    });
    assert!(!one_model.is_empty() && one_model.len() < 3000);
    let facets = library.gallery_facets(profile).unwrap();
    let seedream = facets
        .models
        .iter()
        .find(|m| m.value == "seedream-4")
        .unwrap();
    assert_eq!(seedream.count as usize, one_model.len());
    assert_eq!(facets.favourites as usize, favourites.len());

    // A date range: the newest day only.
    let newest = tiles[0].ms;
    let last_day = count(GalleryFilter {
        from_ms: Some(newest - 24 * 3600 * 1000 + 1),
        ..Default::default()
    });
    assert!(
        !last_day.is_empty() && last_day.len() < 200,
        "{}",
        last_day.len()
    );
    assert!(last_day.iter().all(|t| t.ms > newest - 24 * 3600 * 1000));

    // Search: every word, as a prefix, across prompts; combined with a filter.
    let found = count(GalleryFilter {
        search: "LIGHTH dusk".into(),
        ..Default::default()
    });
    assert!(!found.is_empty());
    for tile in found.iter().take(50) {
        let id: i64 = tile.key.parse().unwrap();
        let item = library.item(id).unwrap().unwrap();
        let task = library
            .task(&TaskKey::new(profile, &item.task_id))
            .unwrap()
            .unwrap();
        let prompt = task.prompt.unwrap().to_lowercase();
        assert!(
            prompt.contains("lighthouse") && prompt.contains("dusk"),
            "{prompt}"
        );
    }
    let found_videos = count(GalleryFilter {
        search: "waterfall".into(),
        media: vec!["video".into()],
        ..Default::default()
    });
    assert!(found_videos.iter().all(|t| t.media == "video"));
    // What people type is never read as FTS5 syntax.
    for odd in ["\"", "AND OR NOT", "-x*", "(a", "NEAR(", "a:b", "^"] {
        library
            .gallery_tiles(
                profile,
                &GalleryFilter {
                    search: odd.into(),
                    ..Default::default()
                },
            )
            .unwrap_or_else(|e| panic!("{odd}: {e}"));
    }
    assert!(count(GalleryFilter {
        search: "zzzyyyxxx".into(),
        ..Default::default()
    })
    .is_empty());
}

#[test]
fn running_and_failed_tasks_are_tiles_until_dismissed_and_search_ignores_accents() {
    let library = Library::open_in_memory().unwrap();
    let at = |minute: u32| format!("2026-11-30T10:{minute:02}:00.000Z");
    library
        .insert_task(task(
            "p",
            "running",
            "A café at night",
            "processing",
            &at(1),
        ))
        .unwrap();
    library
        .insert_task(task("p", "failed", "A storm at sea", "failed", &at(2)))
        .unwrap();
    library
        .insert_task(task("p", "canceled", "Not shown", "canceled", &at(3)))
        .unwrap();
    let (done, _) = library
        .insert_task(task("p", "done", "A cafe by the sea", "success", &at(4)))
        .unwrap();
    library.record_outputs(&done).unwrap();
    library
        .insert_task(task("other", "x", "A cafe elsewhere", "success", &at(5)))
        .unwrap();

    let tiles = library
        .gallery_tiles("p", &GalleryFilter::default())
        .unwrap();
    let keys: Vec<(&str, TileState)> = tiles.iter().map(|t| (t.key.as_str(), t.state)).collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert_eq!(keys[1], ("task:failed", TileState::Failed));
    assert_eq!(keys[2], ("task:running", TileState::Processing));
    assert_eq!(keys[0].1, TileState::Queued);

    // Accents do not matter; the other profile's tasks never show.
    let cafe = library
        .gallery_tiles(
            "p",
            &GalleryFilter {
                search: "cafe".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(cafe.len(), 2, "{cafe:?}");
    // Favourites never include tasks.
    assert!(library
        .gallery_tiles(
            "p",
            &GalleryFilter {
                favourites: true,
                ..Default::default()
            }
        )
        .unwrap()
        .is_empty());

    // A running task stopped by hand leaves; a dismissed failure leaves until undone.
    library
        .set_tracking(&TaskKey::new("p", "running"), false, None)
        .unwrap();
    assert!(library.dismiss_task("p", "failed", 1).unwrap());
    assert_eq!(
        library
            .gallery_tiles("p", &GalleryFilter::default())
            .unwrap()
            .len(),
        1
    );
    assert!(library.undismiss_task("p", "failed").unwrap());
    assert_eq!(
        library
            .gallery_tiles("p", &GalleryFilter::default())
            .unwrap()
            .len(),
        2
    );

    // When the running task succeeds, its tile becomes the outputs' tiles.
    library
        .set_tracking(&TaskKey::new("p", "running"), true, None)
        .unwrap();
    let (succeeded, _) = library
        .apply_task_update(
            &TaskKey::new("p", "running"),
            &TaskUpdate {
                status: "success".into(),
                cost: Some(8),
                outputs: vec![
                    "https://cdn.invalid/a.png".into(),
                    "https://cdn.invalid/b.png".into(),
                ],
                extra: Map::new(),
                updated_at: None,
            },
        )
        .unwrap()
        .unwrap();
    let recorded = library.record_outputs(&succeeded).unwrap();
    assert_eq!(recorded.len(), 2);
    assert!(recorded.iter().all(|(_, new)| *new));
    assert!(library
        .record_outputs(&succeeded)
        .unwrap()
        .iter()
        .all(|(_, new)| !new));
    let tiles = library
        .gallery_tiles("p", &GalleryFilter::default())
        .unwrap();
    assert!(!tiles.iter().any(|t| t.key == "task:running"));
    assert_eq!(tiles.len(), 4);
}

#[test]
fn a_library_of_the_previous_version_gains_items_and_finds_its_old_prompts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.db");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let previous = migrations::ALL.len() - 1;
        rusqlite_migration::Migrations::new(
            migrations::ALL[..previous]
                .iter()
                .map(|sql| rusqlite_migration::M::up(sql))
                .collect(),
        )
        .to_latest(&mut conn)
        .unwrap();
        conn.execute(
            "INSERT INTO tasks (profile_id, id, model, media_type, prompt, request, status, outputs,
                 origin, created_at, recorded_ms, revision)
             VALUES ('p', 'old', 'nano-banana-pro', 'image', 'An old lighthouse', '{}', 'success',
                 '[\"https://cdn.invalid/old.png\"]', 'created', '2026-11-01T00:00:00Z', 1, 1)",
            [],
        )
        .unwrap();
    }
    let library = Library::open(&path).unwrap();
    let found = library
        .gallery_tiles(
            "p",
            &GalleryFilter {
                search: "lighthouse".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        found.is_empty(),
        "no items yet: the old task succeeded before the gallery"
    );
    // The downloader's start records the old success, and search finds it.
    let pending = library.succeeded_tasks_without_items().unwrap();
    assert_eq!(pending.len(), 1);
    library.record_outputs(&pending[0]).unwrap();
    let found = library
        .gallery_tiles(
            "p",
            &GalleryFilter {
                search: "lighth".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].state, TileState::Queued);
}

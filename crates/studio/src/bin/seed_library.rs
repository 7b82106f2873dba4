//! Generates a gallery library for benchmarks and end-to-end tests, through the app's
//! own database layer, with real files and thumbnails (see `studio::seed`).
//!
//! ```sh
//! # For the app run with XDG_DATA_HOME=$D XDG_CACHE_HOME=$C (Linux):
//! cargo run -p cyberbara-studio-core --bin seed-library -- \
//!     --data-dir "$D/app.cyberbara.studio" --cache-dir "$C/app.cyberbara.studio" --items 10000
//! ```

use std::path::PathBuf;
use studio::library::Library;
use studio::library_folder::LibraryFolder;
use studio::seed::{seed_library, SeedOptions};

const USAGE: &str =
    "seed-library --data-dir DIR --cache-dir DIR [--items N] [--profile ID] [--days N]

Writes N items (default 10000) into DIR/library.db, their files into the library folder
(DIR/library unless the database names another) and thumbnails into CACHE/thumbs.
Run it while the app is closed.";

fn main() {
    if let Err(message) = run() {
        eprintln!("{message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let mut data_dir: Option<PathBuf> = None;
    let mut cache_dir: Option<PathBuf> = None;
    let mut options = SeedOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{arg} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--data-dir" => data_dir = Some(PathBuf::from(value()?)),
            "--cache-dir" => cache_dir = Some(PathBuf::from(value()?)),
            "--items" => options.items = value()?.parse().map_err(|e| format!("--items: {e}"))?,
            "--days" => options.days = value()?.parse().map_err(|e| format!("--days: {e}"))?,
            "--profile" => options.profile_id = value()?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}\n\n{USAGE}")),
        }
    }
    let data_dir = data_dir.ok_or(format!("--data-dir is required\n\n{USAGE}"))?;
    let cache_dir = cache_dir.ok_or(format!("--cache-dir is required\n\n{USAGE}"))?;
    let library = Library::open(&data_dir.join("library.db")).map_err(|e| e.to_string())?;
    let folder = LibraryFolder::open(&library, data_dir.join("library"));
    let started = std::time::Instant::now();
    let report =
        seed_library(&library, &folder.path(), &cache_dir, &options).map_err(|e| e.message)?;
    println!(
        "{} items ({} videos) and {} failed tasks for profile {} in {:.1} s: library {}, thumbnails {}",
        report.items,
        report.videos,
        report.failed_tasks,
        options.profile_id,
        started.elapsed().as_secs_f64(),
        folder.path().display(),
        cache_dir.join("thumbs").display()
    );
    Ok(())
}

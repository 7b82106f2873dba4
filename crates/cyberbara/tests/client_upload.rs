//! Uploads: streamed multipart with per-file progress, and pre-checks that refuse
//! before any byte is sent (the sandbox's request counter stays at zero).

mod client_harness;

use client_harness::*;
use cyberbara::types::ErrorCode;
use cyberbara::{Error, ErrorKind, UploadProgress};
use std::sync::{Arc, Mutex};

const IMAGES: &str = "POST /api/v1/uploads/images";
const VIDEOS: &str = "POST /api/v1/uploads/videos";

fn recorder() -> (
    Arc<Mutex<Vec<UploadProgress>>>,
    impl Fn(UploadProgress) + Send + Sync + 'static,
) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    (log, move |p| sink.lock().unwrap().push(p))
}

#[tokio::test]
async fn images_upload_with_progress_per_file() {
    let env = start().await;
    let dir = TempDir::new("upload-images");
    let small = dir.file("small.png", PNG);
    // Big enough for several 64 KB chunks.
    let larger = dir.sized_file("larger.png", PNG, 300 * 1024);
    let (log, progress) = recorder();
    let result = env
        .client
        .upload_images(&[small.clone(), larger.clone()], progress)
        .await
        .unwrap();
    assert_eq!(result.count, 2);
    assert_eq!(result.urls.len(), 2);
    assert_eq!(result.files[0].filename, "small.png");
    assert_eq!(result.files[0].content_type, "image/png");
    assert_eq!(result.files[0].size, PNG.len() as u64);
    assert_eq!(result.files[1].size, 300 * 1024);

    // The uploaded URL serves the same bytes.
    let served = env
        .raw
        .get(&result.urls[0])
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&served[..], PNG);

    let log = log.lock().unwrap();
    for (index, path, total) in [(0, &small, PNG.len() as u64), (1, &larger, 300 * 1024)] {
        let events: Vec<_> = log.iter().filter(|p| p.index == index).collect();
        assert!(!events.is_empty(), "file {index} reported no progress");
        assert!(events
            .iter()
            .all(|p| &*p.path == path.as_path() && p.total == total));
        assert!(
            events.windows(2).all(|w| w[0].sent < w[1].sent),
            "monotonic"
        );
        assert_eq!(events.last().unwrap().sent, total);
    }
    assert!(log.iter().filter(|p| p.index == 1).count() >= 4, "chunked");
}

#[tokio::test]
async fn a_video_uploads_as_mp4() {
    let env = start().await;
    let dir = TempDir::new("upload-video");
    let video = dir.sized_file("clip.mp4", MP4_HEAD, 200 * 1024);
    let (log, progress) = recorder();
    let result = env.client.upload_video(&video, progress).await.unwrap();
    assert_eq!(result.count, 1);
    assert_eq!(result.files[0].content_type, "video/mp4");
    assert_eq!(result.files[0].size, 200 * 1024);
    assert_eq!(log.lock().unwrap().last().unwrap().sent, 200 * 1024);
    assert_eq!(env.count(VIDEOS).await, 1);
}

#[tokio::test]
async fn prechecks_refuse_before_sending_and_name_the_file() {
    let env = start().await;
    let dir = TempDir::new("upload-prechecks");
    let png = dir.file("ok.png", PNG);

    let err = env
        .client
        .upload_images(&vec![png.clone(); 11], |_| {})
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::TooManyFiles {
            count: 11,
            limit: 10
        }
    ));

    let big = dir.sized_file("poster.png", PNG, 10 * 1024 * 1024 + 1);
    let err = env
        .client
        .upload_images(&[png.clone(), big.clone()], |_| {})
        .await
        .unwrap_err();
    match &err {
        Error::FileTooLarge { path, size, limit } => {
            assert_eq!(path, &big);
            assert_eq!(*size, 10 * 1024 * 1024 + 1);
            assert_eq!(*limit, 10 * 1024 * 1024);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("\"poster.png\""), "{err}");

    let huge = dir.sized_file("long.mp4", MP4_HEAD, 50 * 1024 * 1024 + 1);
    let err = env.client.upload_video(&huge, |_| {}).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::FileTooLarge));

    let pdf = dir.file("scan.png", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
    let err = env
        .client
        .upload_images(std::slice::from_ref(&pdf), |_| {})
        .await
        .unwrap_err();
    match &err {
        Error::UnsupportedType { path, detected, .. } => {
            assert_eq!(path, &pdf);
            assert_eq!(detected, "application/pdf");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("\"scan.png\" cannot be uploaded"),
        "{err}"
    );

    // An image is not a video, whatever its name.
    let renamed = dir.file("clip.mp4", PNG);
    let err = env.client.upload_video(&renamed, |_| {}).await.unwrap_err();
    match &err {
        Error::UnsupportedType { detected, .. } => assert_eq!(detected, "image/png"),
        other => panic!("{other:?}"),
    }

    let text = dir.file("notes.png", b"just some text, not an image");
    let err = env.client.upload_images(&[text], |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("an unknown format"), "{err}");

    let empty = dir.file("empty.png", b"");
    let err = env
        .client
        .upload_images(&[empty], |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidFileSize));

    let missing = dir.path().join("missing.png");
    let err = env
        .client
        .upload_images(&[missing], |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(err.to_string().contains("missing.png"), "{err}");

    assert_eq!(env.count(IMAGES).await, 0, "nothing reached the server");
    assert_eq!(env.count(VIDEOS).await, 0, "nothing reached the server");
}

#[tokio::test]
async fn sniffed_type_wins_over_the_extension() {
    let env = start().await;
    let dir = TempDir::new("upload-sniff");
    // A PNG saved as .jpg is still a PNG: accepted, and sent as image/png.
    let misnamed = dir.file("photo.jpg", PNG);
    let svg = dir.file(
        "logo.svg",
        b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>",
    );
    let result = env
        .client
        .upload_images(&[misnamed, svg], |_| {})
        .await
        .unwrap();
    assert_eq!(result.files[0].content_type, "image/png");
    assert_eq!(result.files[1].content_type, "image/svg+xml");
}

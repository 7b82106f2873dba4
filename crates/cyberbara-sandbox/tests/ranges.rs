//! Range and HEAD requests on the public file URLs (RFC 9110 §14), the way video players
//! seek, for blobs held in memory and blobs streamed from a data directory.

mod common;

use common::{mp4_like, start_with, Env};
use cyberbara_sandbox::SandboxConfig;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

const LEN: usize = 300_000;

async fn uploaded_video(env: &Env) -> (String, Vec<u8>) {
    let bytes: Vec<u8> = mp4_like(LEN)
        .iter()
        .enumerate()
        .map(|(i, b)| if i < 24 { *b } else { (i % 251) as u8 })
        .collect();
    let form = Form::new().part(
        "files",
        Part::bytes(bytes.clone())
            .file_name("seek.mp4")
            .mime_str("video/mp4")
            .unwrap(),
    );
    let resp = env
        .http
        .post(env.url("/api/v1/uploads/videos"))
        .bearer_auth("k-range")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, v) = common::body(resp).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    (v["data"]["urls"][0].as_str().unwrap().to_string(), bytes)
}

async fn check_ranges(env: &Env) {
    let (url, bytes) = uploaded_video(env).await;
    let get = |range: Option<&str>| {
        let mut req = env.http.get(&url);
        if let Some(r) = range {
            req = req.header("range", r.to_string());
        }
        async move { req.send().await.unwrap() }
    };

    // A middle range.
    let resp = get(Some("bytes=1000-1999")).await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(resp.headers()["content-type"], "video/mp4");
    assert_eq!(resp.headers()["content-range"], "bytes 1000-1999/300000");
    assert_eq!(resp.headers()["content-length"], "1000");
    assert_eq!(resp.bytes().await.unwrap(), bytes[1000..2000]);

    // Suffix range: the last 500 bytes.
    let resp = get(Some("bytes=-500")).await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        resp.headers()["content-range"],
        "bytes 299500-299999/300000"
    );
    assert_eq!(resp.headers()["content-length"], "500");
    assert_eq!(resp.bytes().await.unwrap(), bytes[LEN - 500..]);

    // A suffix longer than the file: the whole file. axum-range ignores the range (RFC 9110
    // §14.2 lets a server) and answers 200 rather than a 206 covering everything.
    let resp = get(Some("bytes=-999999")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-length"], "300000");
    assert_eq!(resp.bytes().await.unwrap(), bytes[..]);

    // Open range from an offset, and `bytes=0-` (what players send first).
    let resp = get(Some("bytes=299000-")).await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        resp.headers()["content-range"],
        "bytes 299000-299999/300000"
    );
    assert_eq!(resp.bytes().await.unwrap(), bytes[299_000..]);
    let resp = get(Some("bytes=0-")).await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(resp.headers()["content-length"], "300000");
    assert_eq!(resp.bytes().await.unwrap(), bytes[..]);

    // A last-byte past the end is clamped to the end.
    let resp = get(Some("bytes=299990-400000")).await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        resp.headers()["content-range"],
        "bytes 299990-299999/300000"
    );
    assert_eq!(resp.bytes().await.unwrap(), bytes[299_990..]);

    // Unsatisfiable: first byte at or past the end, or an empty suffix.
    for range in ["bytes=300000-", "bytes=400000-500000", "bytes=-0"] {
        let resp = get(Some(range)).await;
        assert_eq!(resp.status(), StatusCode::RANGE_NOT_SATISFIABLE, "{range}");
        assert_eq!(resp.headers()["content-range"], "bytes */300000", "{range}");
    }

    // Several ranges: the first one as a single-part 206 (RFC 9110 lets a server send
    // fewer parts; Content-Range says which bytes came).
    let resp = get(Some("bytes=0-9,100-109")).await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(resp.headers()["content-range"], "bytes 0-9/300000");
    assert_eq!(resp.bytes().await.unwrap(), bytes[..10]);

    // A malformed range is ignored: the whole file.
    let resp = get(Some("bytes=abc")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.bytes().await.unwrap().len(), LEN);

    // Another unit is ignored.
    let resp = get(Some("items=0-9")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.bytes().await.unwrap().len(), LEN);

    // HEAD: the headers of a GET, no body.
    let resp = env.http.head(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "video/mp4");
    assert_eq!(resp.headers()["content-length"], "300000");
    assert_eq!(resp.headers()["accept-ranges"], "bytes");
    assert!(resp.bytes().await.unwrap().is_empty());
    let resp = env
        .http
        .head(&url)
        .header("range", "bytes=-500")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        resp.headers()["content-range"],
        "bytes 299500-299999/300000"
    );
    assert_eq!(resp.headers()["content-length"], "500");
    assert!(resp.bytes().await.unwrap().is_empty());
    let missing = url.replace("/uploads/api/v1/uploads/", "/uploads/api/v1/uploads/x");
    let resp = env.http.head(&missing).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ranges_and_head_on_blobs_in_memory() {
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-range".into()],
        ..Default::default()
    })
    .await;
    check_ranges(&env).await;
}

#[tokio::test]
async fn ranges_and_head_on_blobs_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let env = start_with(SandboxConfig {
        api_keys: vec!["k-range".into()],
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    check_ranges(&env).await;
    env.sandbox.shutdown().await;
}

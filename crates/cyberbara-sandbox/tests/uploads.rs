//! Upload routes: field names, limits, type sniffing, content addressing, and the public
//! file URLs with Range support.

mod common;

use common::{code, mp4_like, png, start, Env};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;

async fn upload(env: &Env, key: &str, route: &str, form: Form) -> (StatusCode, Value) {
    let resp = env
        .http
        .post(env.url(&format!("/api/v1/uploads/{route}")))
        .bearer_auth(key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    common::body(resp).await
}

fn file(field: &'static str, bytes: Vec<u8>, name: &str, mime: &str) -> Form {
    Form::new().part(
        field,
        Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str(mime)
            .unwrap(),
    )
}

#[tokio::test]
async fn image_upload_returns_documented_fields_and_dedupes_same_bytes() {
    let env = start(&["k-up", "k-other"]).await;
    let bytes = png(32, 16, 7);
    let (status, v) = upload(
        &env,
        "k-up",
        "images",
        file("files", bytes.clone(), "reference.png", "image/png"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let d = &v["data"];
    assert_eq!(d["count"], 1);
    let f = &d["files"][0];
    assert_eq!(f["filename"], "reference.png");
    assert_eq!(f["content_type"], "image/png");
    assert_eq!(f["size"], bytes.len());
    assert_eq!(f["deduped"], false);
    let key = f["key"].as_str().unwrap();
    let parts: Vec<&str> = key.split('/').collect();
    assert_eq!(&parts[..3], ["api", "v1", "uploads"]);
    assert_eq!(parts[3].len(), 8);
    assert!(parts[3].chars().all(|c| c.is_ascii_hexdigit()));
    let (hash, ext) = parts[4].split_once('.').unwrap();
    assert_eq!((hash.len(), ext), (32, "png"));
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
    let url = f["url"].as_str().unwrap();
    assert!(url.ends_with(key) && url.starts_with(&env.base));
    assert_eq!(d["urls"][0], url);

    // The single-file field name works too, and the same bytes get the same key and URL.
    let (_, again) = upload(
        &env,
        "k-up",
        "images",
        file("file", bytes.clone(), "copy.png", "image/png"),
    )
    .await;
    let g = &again["data"]["files"][0];
    assert_eq!(g["key"], key);
    assert_eq!(g["url"], url);
    assert_eq!(g["deduped"], true);
    assert_eq!(g["filename"], "copy.png");

    // Another account stores it under its own prefix.
    let (_, other) = upload(
        &env,
        "k-other",
        "images",
        file("files", bytes.clone(), "r.png", "image/png"),
    )
    .await;
    // Accounts do not see each other's uploads: the same bytes are new to another key.
    assert_eq!(other["data"]["files"][0]["deduped"], false);
    let o = other["data"]["files"][0]["key"].as_str().unwrap();
    assert_ne!(o.split('/').nth(3), Some(parts[3]));
    assert!(o.ends_with(parts[4]));

    // Served back without a key, byte for byte.
    let (status, headers, served) = env.fetch(url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["content-length"], bytes.len().to_string().as_str());
    assert_eq!(served, bytes);
}

#[tokio::test]
async fn several_images_in_one_request() {
    let env = start(&["k-many"]).await;
    let mut form = Form::new();
    for i in 0..10u8 {
        form = form.part(
            "files",
            Part::bytes(png(8, 8, i)).file_name(format!("f{i}.png")),
        );
    }
    let (status, v) = upload(&env, "k-many", "images", form).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["count"], 10);
    assert_eq!(v["data"]["urls"].as_array().unwrap().len(), 10);

    let mut form = Form::new();
    for i in 0..11u8 {
        form = form.part(
            "files",
            Part::bytes(png(8, 8, i)).file_name(format!("f{i}.png")),
        );
    }
    let (status, v) = upload(&env, "k-many", "images", form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v), "too_many_files");
}

#[tokio::test]
async fn type_is_decided_by_the_bytes() {
    let env = start(&["k-type"]).await;
    let (status, v) = upload(
        &env,
        "k-type",
        "images",
        file(
            "files",
            b"%PDF-1.7 not an image".to_vec(),
            "sample.pdf",
            "application/pdf",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v), "invalid_file_type");
    assert_eq!(
        v["error"]["message"],
        "Unsupported image type for file \"sample.pdf\"."
    );
    assert_eq!(
        v["error"]["details"],
        serde_json::json!({"index": 0, "filename": "sample.pdf"})
    );

    // A PDF that claims to be a PNG is still a PDF; index points at the offending file.
    let form = Form::new()
        .part("files", Part::bytes(png(4, 4, 1)).file_name("ok.png"))
        .part(
            "files",
            Part::bytes(b"%PDF-1.4".to_vec())
                .file_name("liar.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let (_, v) = upload(&env, "k-type", "images", form).await;
    assert_eq!(code(&v), "invalid_file_type");
    assert_eq!(v["error"]["details"]["index"], 1);
    assert_eq!(v["error"]["details"]["filename"], "liar.png");

    // A real PNG declared as octet-stream is a PNG; SVG is recognised from its text.
    let (_, v) = upload(
        &env,
        "k-type",
        "images",
        file("files", png(4, 4, 2), "blob", "application/octet-stream"),
    )
    .await;
    assert_eq!(v["data"]["files"][0]["content_type"], "image/png");
    let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"/>".to_vec();
    let (_, v) = upload(
        &env,
        "k-type",
        "images",
        file("files", svg, "icon.svg", "image/svg+xml"),
    )
    .await;
    assert_eq!(v["data"]["files"][0]["content_type"], "image/svg+xml");
    assert!(v["data"]["files"][0]["key"]
        .as_str()
        .unwrap()
        .ends_with(".svg"));

    // Images are not videos.
    let (_, v) = upload(
        &env,
        "k-type",
        "videos",
        file("files", png(4, 4, 3), "x.png", "image/png"),
    )
    .await;
    assert_eq!(code(&v), "invalid_file_type");
    assert_eq!(
        v["error"]["message"],
        "Unsupported video type for file \"x.png\"."
    );
}

#[tokio::test]
async fn missing_files_and_broken_multipart_are_refused() {
    let env = start(&["k-mp"]).await;
    let form = Form::new().text("note", "no files here");
    let (status, v) = upload(&env, "k-mp", "images", form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v), "files_required");

    let resp = env
        .http
        .post(env.url("/api/v1/uploads/images"))
        .bearer_auth("k-mp")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    let (status, v) = common::body(resp).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v), "invalid_multipart");

    let resp = env
        .http
        .post(env.url("/api/v1/uploads/images"))
        .bearer_auth("k-mp")
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body("--XYZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.png\"\r\n\r\n\u{89}PNG truncated")
        .send()
        .await
        .unwrap();
    let (status, v) = common::body(resp).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v), "invalid_multipart");

    let (status, v) = upload(
        &env,
        "k-mp",
        "images",
        file("files", Vec::new(), "empty.png", "image/png"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v), "invalid_file_size");

    // Uploads need a key like every /api/v1 route.
    let resp = env
        .http
        .post(env.url("/api/v1/uploads/images"))
        .multipart(file("files", png(2, 2, 0), "a.png", "image/png"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn files_over_the_limit_are_413() {
    let env = start(&["k-big"]).await;
    let mut big = png(4, 4, 9);
    big.resize(10 * 1024 * 1024 + 1, 0);
    let (status, v) = upload(
        &env,
        "k-big",
        "images",
        file("files", big, "huge.png", "image/png"),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code(&v), "file_too_large");
    assert_eq!(v["error"]["details"]["filename"], "huge.png");

    // Exactly 10 MB is allowed.
    let mut max = png(4, 4, 9);
    max.resize(10 * 1024 * 1024, 0);
    let (status, _) = upload(
        &env,
        "k-big",
        "images",
        file("files", max, "max.png", "image/png"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (status, v) = upload(
        &env,
        "k-big",
        "videos",
        file(
            "files",
            mp4_like(50 * 1024 * 1024 + 1),
            "huge.mp4",
            "video/mp4",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code(&v), "file_too_large");
}

#[tokio::test]
async fn video_upload_accepts_one_mp4_or_quicktime_and_serves_ranges() {
    let env = start(&["k-vup"]).await;
    let bytes: Vec<u8> = mp4_like(300_000)
        .iter()
        .enumerate()
        .map(|(i, b)| if i < 24 { *b } else { (i % 251) as u8 })
        .collect();
    let (status, v) = upload(
        &env,
        "k-vup",
        "videos",
        file("files", bytes.clone(), "reference.mp4", "video/mp4"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let f = &v["data"]["files"][0];
    assert_eq!(f["content_type"], "video/mp4");
    assert!(f["key"].as_str().unwrap().ends_with(".mp4"));
    let url = f["url"].as_str().unwrap().to_string();

    let mut mov = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ".to_vec();
    mov.resize(1000, 1);
    let (_, v) = upload(
        &env,
        "k-vup",
        "videos",
        file("file", mov, "clip.mov", "video/quicktime"),
    )
    .await;
    assert_eq!(v["data"]["files"][0]["content_type"], "video/quicktime");

    let form = Form::new()
        .part("files", Part::bytes(mp4_like(100)).file_name("a.mp4"))
        .part("files", Part::bytes(mp4_like(200)).file_name("b.mp4"));
    let (status, v) = upload(&env, "k-vup", "videos", form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v), "too_many_files");

    // Range requests, as a video player seeking would send them.
    let ranged = |range: &'static str| {
        let req = env.http.get(&url).header("range", range);
        async move { req.send().await.unwrap() }
    };
    let resp = ranged("bytes=1000-1999").await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(resp.headers()["accept-ranges"], "bytes");
    assert_eq!(resp.headers()["content-range"], "bytes 1000-1999/300000");
    assert_eq!(resp.headers()["content-length"], "1000");
    assert_eq!(
        resp.bytes().await.unwrap().to_vec(),
        bytes[1000..2000].to_vec()
    );

    let resp = ranged("bytes=299990-").await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        resp.bytes().await.unwrap().to_vec(),
        bytes[299_990..].to_vec()
    );

    let resp = ranged("bytes=-10").await;
    assert_eq!(
        resp.headers()["content-range"],
        "bytes 299990-299999/300000"
    );

    let resp = ranged("bytes=300000-").await;
    assert_eq!(resp.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(resp.headers()["content-range"], "bytes */300000");

    let resp = env.http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["accept-ranges"], "bytes");
    assert_eq!(resp.bytes().await.unwrap().len(), 300_000);

    let resp = env
        .http
        .get(env.url("/uploads/api/v1/uploads/00000000/nothing.mp4"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

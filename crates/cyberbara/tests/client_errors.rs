//! Every documented error code the client can provoke, how it surfaces (server envelope
//! or local refusal with the same code), and the sentence it renders as.

mod client_harness;

use client_harness::*;
use cyberbara::types::{ErrorCode, GenerationRequest, MediaType, QuoteRequest, Scene, UsageQuery};
use cyberbara::{ApiKey, Client, ClientOptions, Error, ErrorKind, RetryPolicy};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

fn host(env: &Env) -> String {
    env.base.trim_start_matches("http://").to_string()
}

fn api_code(result: Result<impl std::fmt::Debug, Error>) -> (ErrorCode, u16, String, Error) {
    let err = result.expect_err("the request should fail");
    match &err {
        Error::Api { code, status, .. } => (code.clone(), *status, err.to_string(), err),
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn request(model: &str, prompt: Option<&str>, scene: Option<Scene>) -> GenerationRequest {
    GenerationRequest {
        model: model.into(),
        prompt: prompt.map(str::to_string),
        scene,
        options: Default::default(),
    }
}

/// A sentence: starts upper-case, ends with a full stop, and has no debug noise.
fn assert_sentence(text: &str) {
    assert!(
        text.chars().next().is_some_and(|c| !c.is_lowercase()),
        "{text}"
    );
    assert!(text.ends_with('.'), "{text}");
    assert!(
        !text.contains("Error {") && !text.contains("reqwest"),
        "{text}"
    );
}

#[tokio::test]
async fn api_key_required_and_invalid_api_key() {
    let env = start().await;
    // The client always sends a header; a raw request shows the server's answer.
    let raw = env
        .raw
        .get(format!("{}/api/v1/credits/balance", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(raw_code(raw).await, (401, "api_key_required".into()));
    // An empty key sends an empty bearer, which the server treats as missing.
    let empty = env.client_with("", fast_options());
    let (code, status, text, _) = api_code(empty.balance().await);
    assert_eq!((code, status), (ErrorCode::ApiKeyRequired, 401));
    assert_eq!(
        text,
        format!(
            "No API key was sent to {}. Add your key in Settings.",
            host(&env)
        )
    );

    let secret = "sk-wrong-key-that-must-never-leak-9f3a";
    let wrong = env.client_with(secret, fast_options());
    let (code, status, text, err) = api_code(wrong.balance().await);
    assert_eq!((code, status), (ErrorCode::InvalidApiKey, 401));
    assert_eq!(
        text,
        format!(
            "The API key was rejected by {}. Check it in Settings.",
            host(&env)
        )
    );
    assert!(!format!("{err:?}").contains(secret));
    assert!(!format!("{wrong:?}").contains(secret));
    let report = err.report();
    assert_eq!(report.kind, ErrorKind::Api);
    assert_eq!(report.code.as_deref(), Some("invalid_api_key"));
    assert!(!serde_json::to_string(&report).unwrap().contains(secret));
}

#[tokio::test]
async fn invalid_media_type() {
    let env = start().await;
    let (code, status, text, _) = api_code(
        env.client
            .list_models(Some(&MediaType::Other("hologram".into())))
            .await,
    );
    assert_eq!((code, status), (ErrorCode::InvalidMediaType, 400));
    assert_sentence(&text);
    assert!(text.contains("image, video, audio or music"), "{text}");
}

#[tokio::test]
async fn invalid_json_from_a_raw_body() {
    let env = start().await;
    let raw = env
        .raw_authed(Method::POST, "credits/quote")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw_code(raw).await, (400, "invalid_json".into()));
}

#[tokio::test]
async fn invalid_date_and_range() {
    let env = start().await;
    let (code, _, text, _) = api_code(
        env.client
            .usage(&UsageQuery {
                from: Some("yesterday".into()),
                ..Default::default()
            })
            .await,
    );
    assert_eq!(code, ErrorCode::InvalidDate);
    assert_eq!(
        text,
        "A date was not understood. Use YYYY-MM-DD or an ISO date-time."
    );

    let (code, _, text, _) = api_code(
        env.client
            .usage(&UsageQuery {
                from: Some("2026-03-05".into()),
                to: Some("2026-03-01".into()),
                ..Default::default()
            })
            .await,
    );
    assert_eq!(code, ErrorCode::InvalidDateRange);
    assert_sentence(&text);
}

#[tokio::test]
async fn upload_codes_from_the_server_and_the_same_codes_locally() {
    let env = start().await;
    let dir = TempDir::new("errors");

    // files_required
    let empty_form = reqwest::multipart::Form::new().text("note", "no files");
    let raw = env
        .raw_authed(Method::POST, "uploads/images")
        .multipart(empty_form)
        .send()
        .await
        .unwrap();
    assert_eq!(raw_code(raw).await, (400, "files_required".into()));
    let local = env.client.upload_images(&[], |_| {}).await.unwrap_err();
    assert_eq!(local.code(), Some(ErrorCode::FilesRequired));
    assert_sentence(&local.to_string());

    // too_many_files
    let png = dir.file("one.png", PNG);
    let mut form = reqwest::multipart::Form::new();
    for i in 0..11 {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(PNG.to_vec())
                .file_name(format!("{i}.png"))
                .mime_str("image/png")
                .unwrap(),
        );
    }
    let raw = env
        .raw_authed(Method::POST, "uploads/images")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(raw_code(raw).await, (400, "too_many_files".into()));
    let eleven = vec![png.clone(); 11];
    let local = env.client.upload_images(&eleven, |_| {}).await.unwrap_err();
    assert!(
        matches!(
            local,
            Error::TooManyFiles {
                count: 11,
                limit: 10
            }
        ),
        "{local:?}"
    );
    assert_eq!(local.code(), Some(ErrorCode::TooManyFiles));
    assert_eq!(
        local.to_string(),
        "11 files were given, but at most 10 can be uploaded at once. Remove 1 of them."
    );

    // invalid_file_type: a PDF named .png
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n".to_vec();
    let form = reqwest::multipart::Form::new().part(
        "files",
        reqwest::multipart::Part::bytes(pdf.clone())
            .file_name("sample.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let raw = env
        .raw_authed(Method::POST, "uploads/images")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(raw_code(raw).await, (400, "invalid_file_type".into()));
    let fake = dir.file("sample.png", &pdf);
    let local = env
        .client
        .upload_images(&[png.clone(), fake], |_| {})
        .await
        .unwrap_err();
    assert_eq!(local.code(), Some(ErrorCode::InvalidFileType));
    assert_eq!(
        local.to_string(),
        "\"sample.png\" cannot be uploaded: its content is application/pdf, but only PNG, JPEG, WebP, GIF, SVG, AVIF and HEIC/HEIF images are accepted. Choose another file."
    );

    // file_too_large
    let mut big = PNG.to_vec();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let form = reqwest::multipart::Form::new().part(
        "files",
        reqwest::multipart::Part::bytes(big)
            .file_name("big.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let raw = env
        .raw_authed(Method::POST, "uploads/images")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, code) = raw_code(raw).await;
    assert_eq!(code, "file_too_large");
    assert!(status == 400 || status == 413, "{status}");
    let big = dir.sized_file("big.png", PNG, 10 * 1024 * 1024 + 1);
    let local = env.client.upload_images(&[big], |_| {}).await.unwrap_err();
    assert_eq!(local.code(), Some(ErrorCode::FileTooLarge));
    assert_eq!(
        local.to_string(),
        "\"big.png\" is 10.0 MB, but the limit is 10 MB. Choose a smaller file."
    );

    // None of the local refusals reached the server: only the 4 raw uploads did.
    assert_eq!(env.count("POST /api/v1/uploads/images").await, 4);
}

#[tokio::test]
async fn model_and_scene_codes_from_server_and_catalogue() {
    let env = start_with(cyberbara_sandbox::SandboxConfig {
        extra_models: vec![server_only_model()],
        ..Default::default()
    })
    .await;

    // unsupported_model: unknown to the catalogue, so the server decides.
    let (code, status, text, _) = api_code(
        env.client
            .generate_image(&request("no-such-model", Some("x"), None))
            .await,
    );
    assert_eq!((code, status), (ErrorCode::UnsupportedModel, 400));
    assert_eq!(
        text,
        format!(
            "{} does not offer this model. Refresh the model list and choose another.",
            host(&env)
        )
    );
    let (code, _, _, _) = api_code(
        env.client
            .quote(&QuoteRequest {
                model: "no-such-model".into(),
                ..Default::default()
            })
            .await,
    );
    assert_eq!(code, ErrorCode::UnsupportedModel);

    // Known models are refused locally with the code the server would use; the raw
    // request shows the server agrees.
    let cases: Vec<(&str, GenerationRequest, ErrorCode)> = vec![
        (
            "videos/generations",
            request("nano-banana-pro", Some("x"), None),
            ErrorCode::InvalidModelForMediaType,
        ),
        (
            "images/generations",
            request("nano-banana-pro", Some("x"), Some(Scene::TextToVideo)),
            ErrorCode::SceneNotSupported,
        ),
        (
            "images/generations",
            request(
                "nano-banana-pro",
                Some("x"),
                Some(Scene::Other("text-to-hologram".into())),
            ),
            ErrorCode::InvalidScene,
        ),
        (
            "images/generations",
            request("nano-banana-pro", None, None),
            ErrorCode::InvalidRequest,
        ),
    ];
    for (path, req, expected) in cases {
        let route = if path.starts_with("videos") {
            MediaType::Video
        } else {
            MediaType::Image
        };
        let err = env.client.generate(&route, &req).await.unwrap_err();
        assert!(matches!(err, Error::Validation(_)), "{err:?}");
        assert_eq!(err.code(), Some(expected.clone()), "{err}");
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert_sentence(&err.to_string());
        assert!(
            err.to_string().ends_with("Nothing was sent or charged."),
            "{err}"
        );
        let raw = env
            .raw_authed(Method::POST, path)
            .json(&req)
            .send()
            .await
            .unwrap();
        assert_eq!(
            raw_code(raw).await.1,
            expected.as_str(),
            "server for {req:?}"
        );
    }
    assert_eq!(
        env.count("POST /api/v1/images/generations").await,
        3 + 1,
        "client sent no refused request"
    );

    // The same codes straight from the server, for a model only it knows.
    let model = "future-image-model";
    let (code, _, text, _) = api_code(
        env.client
            .generate_image(&request(model, Some("x"), Some(Scene::ImageToVideo)))
            .await,
    );
    assert!(
        matches!(code, ErrorCode::SceneNotSupported | ErrorCode::InvalidScene),
        "{code}"
    );
    assert_sentence(&text);
    let (code, _, text, _) = api_code(env.client.generate_image(&request(model, None, None)).await);
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert!(text.starts_with("The request was refused: "), "{text}");
    let (code, _, text, _) = api_code(
        env.client
            .generate_video(&request(model, Some("x"), None))
            .await,
    );
    assert_eq!(code, ErrorCode::InvalidModelForMediaType);
    assert_sentence(&text);
}

#[tokio::test]
async fn insufficient_credits_says_what_the_request_needs() {
    let env = start().await;
    env.set_credits(KEY, 3).await;
    let req = GenerationRequest {
        model: "nano-banana-pro".into(),
        prompt: Some("a fox".into()),
        scene: Some(Scene::TextToImage),
        options: json!({ "resolution": "1k" }).as_object().unwrap().clone(),
    };
    let quote = env
        .client
        .quote(&QuoteRequest {
            model: req.model.clone(),
            media_type: Some(MediaType::Image),
            scene: req.scene.clone(),
            options: req.options.clone(),
        })
        .await
        .unwrap();
    assert!(!quote.can_afford);
    let (code, status, text, err) = api_code(env.client.generate_image(&req).await);
    assert_eq!(code, ErrorCode::InsufficientCredits);
    assert_eq!(status, 402);
    let Error::Api {
        required_credits, ..
    } = &err
    else {
        unreachable!()
    };
    assert_eq!(*required_credits, Some(quote.estimated_credits));
    assert!(
        text.starts_with(&format!(
            "Not enough credits: this request needs {}",
            quote.estimated_credits
        )),
        "{text}"
    );
    assert!(text.contains("you have 3"), "{text}");
    assert_eq!(
        env.client.balance().await.unwrap().remaining_credits,
        3,
        "nothing charged"
    );
}

#[tokio::test]
async fn task_not_found_and_invalid_task_id() {
    let env = start().await;
    let (code, status, text, _) = api_code(
        env.client
            .task("2fa99a50-fb96-407b-a562-82de8265f48e")
            .await,
    );
    assert_eq!((code, status), (ErrorCode::TaskNotFound, 404));
    assert_sentence(&text);
    let (code, status, text, _) = api_code(env.client.task("not a/uuid").await);
    assert_eq!((code, status), (ErrorCode::InvalidTaskId, 400));
    assert_eq!(
        text,
        "The task id is malformed. Check that it was copied completely."
    );
}

#[tokio::test]
async fn too_many_requests_and_service_unavailable_when_retries_run_out() {
    let env = start().await;
    let no_retry = env.client_with(
        KEY,
        ClientOptions {
            retry: RetryPolicy::none(),
            ..fast_options()
        },
    );
    env.fault(json!({ "kind": "status_429", "next": 1, "retry_after_secs": 7 }))
        .await;
    let (code, status, text, err) = api_code(no_retry.balance().await);
    assert_eq!((code, status), (ErrorCode::TooManyRequests, 429));
    assert_eq!(
        text,
        format!(
            "{} is receiving too many requests from this key. Wait 7 seconds and try again.",
            host(&env)
        )
    );
    assert!(err.is_transient());

    env.fault(json!({ "kind": "status_503", "next": 1 })).await;
    let (code, status, text, _) = api_code(no_retry.balance().await);
    assert_eq!((code, status), (ErrorCode::ServiceUnavailable, 503));
    assert_sentence(&text);
}

#[tokio::test]
async fn transport_failures_are_distinct_and_actionable() {
    let env = start().await;
    let opts = ClientOptions {
        retry: RetryPolicy::none(),
        read_timeout: Duration::from_millis(300),
        ..fast_options()
    };

    // Nothing listens on port 1.
    let nowhere =
        Client::with_options("http://127.0.0.1:1", ApiKey::new(KEY), opts.clone()).unwrap();
    let err = nowhere.balance().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err:?}");
    assert_eq!(
        err.to_string(),
        "Could not reach 127.0.0.1:1. Check your network or the base URL."
    );

    // A stalled reply.
    env.fault(json!({ "kind": "stall", "ms": 3000, "next": 1 }))
        .await;
    let slow = env.client_with(KEY, opts.clone());
    let err = slow.balance().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert_sentence(&err.to_string());

    // A path outside the API: the sandbox answers with its envelope, code unknown to v1.
    let elsewhere = Client::with_options(
        &format!("{}/not-the-api", env.base),
        ApiKey::new(KEY),
        opts.clone(),
    )
    .unwrap();
    let err = elsewhere.balance().await.unwrap_err();
    assert_eq!(
        err.code(),
        Some(ErrorCode::Other("not_found".into())),
        "{err:?}"
    );
    assert!(err.to_string().contains("(HTTP 404, not_found)"), "{err}");

    // Something that is not the API at all, like a captive portal or a proxy's error
    // page: one canned HTTP reply from a bare socket (not a stand-in for the API).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let portal = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let body = "<html><body><h1>502 Bad Gateway</h1>\n\n<p>nginx</p></body></html>";
            let reply = format!(
                "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    let proxied = Client::with_options(&portal, ApiKey::new(KEY), opts.clone()).unwrap();
    let err = proxied.balance().await.unwrap_err();
    match &err {
        Error::InvalidResponse {
            status, snippet, ..
        } => {
            assert_eq!(*status, 502);
            assert!(
                snippet.starts_with("<html><body><h1>502 Bad Gateway</h1> <p>nginx"),
                "{snippet}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(err.to_string().ends_with("Check the base URL."), "{err}");

    // https:// to a plain-HTTP server: the TLS handshake fails.
    let tls = Client::with_options(
        &env.base.replace("http://", "https://"),
        ApiKey::new(KEY),
        opts.clone(),
    )
    .unwrap();
    let err = tls.balance().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls, "{err:?}");
    assert!(
        err.to_string()
            .starts_with("The secure connection to 127.0.0.1:"),
        "{err}"
    );

    let err = Client::new("not a url", ApiKey::new(KEY)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert_sentence(&err.to_string());
}

/// An empty model name is not in the catalogue, so it is not refused locally: the
/// server's `invalid_model` must come through the client intact.
#[tokio::test]
async fn invalid_model_from_the_server() {
    let env = start().await;
    let (code, status, text, _) = api_code(
        env.client
            .generate_image(&request("", Some("a lighthouse"), None))
            .await,
    );
    assert_eq!((code, status), (ErrorCode::InvalidModel, 400));
    assert_sentence(&text);
    assert!(text.contains("Choose a model"), "{text}");
    assert_eq!(env.count("POST /api/v1/images/generations").await, 1);
}

/// A server-side storage failure: `internal_error` with its 500 status, rendered as a
/// sentence, and the upload (which may have reached the server) sent exactly once.
#[tokio::test]
async fn internal_error_on_a_storage_failure_is_not_retried() {
    let data = TempDir::new("internal-error");
    let env = start_with(cyberbara_sandbox::SandboxConfig {
        data_dir: Some(data.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    let incoming = data.path().join("incoming");
    assert!(
        incoming.is_dir(),
        "the sandbox stages uploads in {incoming:?}"
    );
    std::fs::remove_dir_all(&incoming).unwrap();
    std::fs::write(&incoming, b"not a directory").unwrap();

    let files = TempDir::new("internal-error-files");
    let png = files.file("ref.png", PNG);
    let (code, status, text, err) = api_code(env.client.upload_images(&[png], |_| {}).await);
    assert_eq!((code, status), (ErrorCode::InternalError, 500));
    assert_sentence(&text);
    assert!(text.contains("internal error"), "{text}");
    assert!(!err.is_transient(), "{err:?}");
    assert_eq!(env.count("POST /api/v1/uploads/images").await, 1);
}

/// A server that echoes the key (a misconfigured proxy, a debugging backend) must not
/// carry it into what the app shows or logs: message and details are both masked.
#[tokio::test]
async fn a_key_echoed_in_message_or_details_is_redacted() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let body = serde_json::json!({"error": {
                "code": "invalid_request",
                "message": format!("Key {KEY} is not allowed here."),
                "details": {"filename": KEY, "headers": [{"authorization": format!("Bearer {KEY}")}]},
            }})
            .to_string();
            let reply = format!(
                "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    let client = Client::with_options(
        &base,
        ApiKey::new(KEY),
        ClientOptions {
            retry: RetryPolicy::none(),
            ..fast_options()
        },
    )
    .unwrap();
    let err = client.balance().await.unwrap_err();
    let Error::Api {
        message, details, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    let details = details.as_ref().expect("details kept").to_string();
    let hint = ApiKey::new(KEY).hint();
    for shown in [
        message.clone(),
        details.clone(),
        format!("{err:?}"),
        err.to_string(),
        err.report().message,
    ] {
        assert!(!shown.contains(KEY), "the key leaked: {shown}");
    }
    assert!(message.contains(&hint), "{message}");
    assert_eq!(details.matches(&hint).count(), 2, "{details}");
}

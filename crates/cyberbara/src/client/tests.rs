//! Unit tests of the client that need no server.

use super::*;
use crate::types::Scene;

#[test]
fn base_urls_normalise_to_the_api_root() {
    for base in [
        "https://api.example.com",
        "https://api.example.com/",
        "https://api.example.com/api/v1",
        "https://api.example.com/api/v1/",
        " https://api.example.com//  ",
    ] {
        let (root, host) = api_root(base).unwrap();
        assert_eq!(root.as_str(), "https://api.example.com/api/v1/", "{base}");
        assert_eq!(host, "api.example.com");
    }
    let (root, host) = api_root("http://127.0.0.1:8787/proxy/api/v1").unwrap();
    assert_eq!(root.as_str(), "http://127.0.0.1:8787/proxy/api/v1/");
    assert_eq!(host, "127.0.0.1:8787");
    // The profiles' rule: no plain http off this computer, nothing after the path.
    for refused in [
        "ftp://x",
        "https://user:pw@x",
        "http://api.example.com",
        "https://api.example.com/?region=eu",
    ] {
        let err = api_root(refused).unwrap_err();
        assert!(
            matches!(err, Error::InvalidBaseUrl(_)),
            "{refused}: {err:?}"
        );
        assert_eq!(err.kind(), crate::ErrorKind::Config);
    }
}

#[test]
fn a_key_that_cannot_be_a_header_is_refused_with_advice() {
    let err = Client::new(
        "https://api.example.com",
        ApiKey::new("sk-abc\ndef-0123456789"),
    )
    .unwrap_err();
    assert!(matches!(err, Error::UnsendableApiKey), "{err:?}");
    assert_eq!(err.kind(), crate::ErrorKind::Config);
    let text = err.to_string();
    assert!(text.ends_with("paste it in Settings."), "{text}");
    assert!(!text.contains("def-0123456789"), "{text}");
}

/// The sandbox always puts the price in the error's details, so the HTTP tests
/// never reach this path; the live API's documented reply has no details at all.
#[test]
fn insufficient_credits_without_details_uses_the_quoted_price() {
    let client = Client::new("https://api.example.com", ApiKey::new("sk-unit-0123456789")).unwrap();
    let request = GenerationRequest {
        model: "sora-2".into(),
        prompt: Some("waves".into()),
        scene: Some(Scene::TextToVideo),
        options: serde_json::json!({"duration": "10"})
            .as_object()
            .unwrap()
            .clone(),
    };
    let refused = || Error::Api {
        status: 402,
        code: crate::types::ErrorCode::InsufficientCredits,
        message: "Insufficient credits.".into(),
        details: None,
        host: Arc::from("api.example.com"),
        required_credits: None,
        retry_after_secs: None,
    };
    let unknown = client.with_quoted_price(refused(), &request);
    assert!(
        matches!(
            unknown,
            Error::Api {
                required_credits: None,
                ..
            }
        ),
        "{unknown:?}"
    );

    // What `quote` records for the same model, scene and options.
    client
        .inner
        .quotes
        .remember(&request.model, request.scene.as_ref(), &request.options, 20);
    let known = client.with_quoted_price(refused(), &request);
    assert!(
        matches!(
            known,
            Error::Api {
                required_credits: Some(20),
                ..
            }
        ),
        "{known:?}"
    );
    assert!(known.to_string().contains("needs 20"), "{known}");

    // A different request (other options) does not borrow that price.
    let other = GenerationRequest {
        options: serde_json::json!({"duration": "15"})
            .as_object()
            .unwrap()
            .clone(),
        ..request.clone()
    };
    let not_borrowed = client.with_quoted_price(refused(), &other);
    assert!(matches!(
        not_borrowed,
        Error::Api {
            required_credits: None,
            ..
        }
    ));
}

#[test]
fn errors_stay_small() {
    // clippy's result_large_err limit: every `Result<_, Error>` carries this size.
    assert!(
        std::mem::size_of::<Error>() <= 128,
        "{}",
        std::mem::size_of::<Error>()
    );
}

#[test]
fn routes_cover_audio_and_music() {
    assert_eq!(MediaType::Image.generation_path(), "images/generations");
    assert_eq!(MediaType::Audio.generation_path(), "audio/generations");
    assert_eq!(MediaType::Music.generation_path(), "music/generations");
    assert_eq!(MediaType::Video.generation_path(), "videos/generations");
    assert_eq!(
        MediaType::Other("3d".into()).generation_path(),
        "3d/generations"
    );
}

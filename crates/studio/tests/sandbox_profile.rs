//! The built-in Sandbox profile: a real sandbox server in-process, its state in a data
//! folder, its key made per launch and kept only in memory, its account, balance and
//! address kept across launches. Runs against the real Secret Service for the user
//! profile it adds (like `profiles_keychain.rs`).

use cyberbara::ApiKey;
use studio::error::ErrorKind;
use studio::keychain::Keychain;
use studio::profiles::{KeyInput, KeySource, NewProfile, SANDBOX_ID};
use studio::services::{test_connection, AppPaths, SandboxStatus, Studio};
mod common;

use common::{all_bytes_under, contains};

fn running_url(state: &studio::services::AppStateView) -> String {
    match &state.sandbox {
        SandboxStatus::Running { base_url } => base_url.clone(),
        other => panic!("sandbox not running: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_starts_with_500_credits_and_keeps_account_and_address_across_launches() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = Keychain::new(format!("cyberbara-studio-test-{}", uuid::Uuid::new_v4()));
    let paths = AppPaths::under(dir.path());

    let services = Studio::open(paths.clone(), keychain.clone(), None).unwrap();
    let state = services.state().await.unwrap();
    assert_eq!(state.active_id, SANDBOX_ID);
    assert!(matches!(state.sandbox, SandboxStatus::Starting));

    let balance = services.active_balance().await.unwrap();
    assert_eq!(balance.profile_id, SANDBOX_ID);
    assert_eq!(balance.remaining_credits, 500);

    let state = services.state().await.unwrap();
    let base_url = running_url(&state);
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    assert!(!base_url.ends_with(":0"));
    assert_eq!(state.profiles[0].key_source, KeySource::Session);
    let key = services.sandbox().await.unwrap().key().clone();
    assert_eq!(
        state.profiles[0].key_hint.as_deref(),
        Some(key.hint().as_str()),
        "the UI sees the hint of the key in use"
    );
    assert!(state.keychain.is_none(), "{:?}", state.keychain);

    // Spend some credits, so the next launch can show the same account.
    let client = cyberbara::Client::new(&base_url, key.clone()).unwrap();
    client
        .generate_image(&cyberbara::types::GenerationRequest {
            model: "nano-banana-pro".into(),
            prompt: Some("a lighthouse".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        services.active_balance().await.unwrap().remaining_credits,
        492
    );

    // A wrong key gets the API's invalid-key sentence, typed.
    let err = test_connection(&base_url, ApiKey::new("sk-wrong-key-000000000000"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Api);
    assert_eq!(err.code.as_deref(), Some("invalid_api_key"));
    assert!(err.message.ends_with('.'), "{}", err.message);
    assert!(!err.message.contains("sk-wrong-key-000000000000"));

    // A second launch over the same data folder: a new key, the same account, the same
    // address; the old key no longer works.
    services.connections().sandbox().await.unwrap();
    drop(services);
    // The first sandbox stops when its handle drops; wait until its port is free.
    let port: u16 = base_url.rsplit(':').next().unwrap().parse().unwrap();
    common::wait_until_free(port).await;
    let services = Studio::open(paths.clone(), keychain.clone(), None).unwrap();
    assert_eq!(
        services.active_balance().await.unwrap().remaining_credits,
        492
    );
    let state = services.state().await.unwrap();
    assert_eq!(
        running_url(&state),
        base_url,
        "the sandbox keeps its address"
    );
    let new_key = services.sandbox().await.unwrap().key().clone();
    assert_ne!(new_key.expose_secret(), key.expose_secret());
    let old = test_connection(&base_url, key.clone()).await.unwrap_err();
    assert_eq!(old.code.as_deref(), Some("invalid_api_key"));

    // A user profile pointing at the running sandbox works through the same services.
    let view = services
        .add_profile(NewProfile {
            name: "Loopback".into(),
            base_url: base_url.clone(),
            api_key: KeyInput::new(new_key.expose_secret()),
        })
        .await
        .unwrap();
    services.switch_profile(view.id.clone()).await.unwrap();
    assert_eq!(services.active_balance().await.unwrap().profile_id, view.id);
    services.delete_profile(view.id).await.unwrap();

    let on_disk = all_bytes_under(dir.path());
    assert!(!on_disk.is_empty());
    for secret in [key.expose_secret(), new_key.expose_secret()] {
        assert!(
            !contains(&on_disk, secret),
            "a sandbox key must not be stored in any file"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_port_moves_the_sandbox_and_its_stored_urls() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = Keychain::new(format!("cyberbara-studio-test-{}", uuid::Uuid::new_v4()));
    let paths = AppPaths::under(dir.path());

    let services = Studio::open(paths.clone(), keychain.clone(), None).unwrap();
    let first = services.sandbox().await.unwrap().base_url();
    let mut draft = services.draft().unwrap();
    draft.model = "nano-banana-pro".into();
    draft.references.push(studio::compose::reference_from_url(
        &format!("{first}/uploads/x/a.png"),
        "image_input",
    ));
    services.save_draft(&draft).unwrap();
    drop(services);

    // Something else takes the port before the next launch.
    let port: u16 = first.rsplit(':').next().unwrap().parse().unwrap();
    common::wait_until_free(port).await;
    let squatter = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();

    let services = Studio::open(paths, keychain, None).unwrap();
    let second = services.sandbox().await.unwrap().base_url();
    assert_ne!(second, first);
    assert_eq!(
        services.active_balance().await.unwrap().remaining_credits,
        500
    );
    let draft = services.draft().unwrap();
    assert_eq!(
        draft.references[0].url.as_deref(),
        Some(format!("{second}/uploads/x/a.png").as_str()),
        "stored URLs follow the sandbox to its new address"
    );
    drop(squatter);
}

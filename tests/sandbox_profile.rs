//! The built-in Sandbox profile: a real sandbox server in-process, its key in the real
//! Secret Service, its state in a data directory. Needs the same keyring as
//! `profiles_keychain.rs`.

use cyberbara::ApiKey;
use cyberbara_studio::app_error::ErrorKind;
use cyberbara_studio::keychain::Keychain;
use cyberbara_studio::profiles::{KeyInput, NewProfile, SANDBOX_ACCOUNT, SANDBOX_ID};
use cyberbara_studio::services::{test_connection, AppPaths, AppServices, SandboxStatus};
mod common;

use common::{all_bytes_under, contains};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_profile_starts_with_500_credits_and_keeps_its_key_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = Keychain::new(format!("cyberbara-studio-test-{}", uuid::Uuid::new_v4()));
    let paths = AppPaths {
        data_dir: dir.path().to_path_buf(),
    };

    let services = AppServices::open(paths.clone(), keychain.clone(), None).unwrap();
    let state = services.state().await.unwrap();
    assert_eq!(state.active_id, SANDBOX_ID);
    assert!(
        state.keychain_problem.is_none(),
        "{:?}",
        state.keychain_problem
    );

    let balance = services.active_balance().await.unwrap();
    assert_eq!(balance.profile_id, SANDBOX_ID);
    assert_eq!(balance.remaining_credits, 500);

    let state = services.state().await.unwrap();
    let SandboxStatus::Running { base_url, warning } = &state.sandbox else {
        panic!("sandbox not running: {:?}", state.sandbox);
    };
    assert!(warning.is_none());
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    assert!(!base_url.ends_with(":0"));

    let key = keychain
        .load(SANDBOX_ACCOUNT)
        .unwrap()
        .expect("sandbox key in the keychain");
    assert_eq!(
        state.profiles[0].key_hint.as_deref(),
        Some(key.hint().as_str()),
        "the UI sees the hint of the stored key"
    );
    let report = test_connection(base_url, key.clone()).await.unwrap();
    assert_eq!(report.remaining_credits, 500);

    // A wrong key gets the API's invalid-key sentence, typed.
    let err = test_connection(base_url, ApiKey::new("sk-wrong-key-000000000000"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Api);
    assert_eq!(err.code.as_deref(), Some("invalid_api_key"));
    assert!(err.message.ends_with('.'), "{}", err.message);
    assert!(!err.message.contains("sk-wrong-key-000000000000"));

    // A second "launch" over the same data directory reuses the key and the account.
    drop(services);
    let services = AppServices::open(paths, keychain.clone(), None).unwrap();
    assert_eq!(
        services.active_balance().await.unwrap().remaining_credits,
        500
    );
    assert_eq!(
        keychain
            .load(SANDBOX_ACCOUNT)
            .unwrap()
            .unwrap()
            .expose_secret(),
        key.expose_secret()
    );
    assert!(
        dir.path().join("sandbox").is_dir(),
        "sandbox state lives under the data dir"
    );

    // A user profile pointing at the running sandbox works through the same services.
    let base_url = services.sandbox().await.unwrap().base_url();
    let view = services
        .add_profile(NewProfile {
            name: "Loopback".into(),
            base_url: base_url.clone(),
            api_key: KeyInput::new(key.expose_secret()),
        })
        .await
        .unwrap();
    services.switch_profile(view.id.clone()).await.unwrap();
    assert_eq!(services.active_balance().await.unwrap().profile_id, view.id);
    services.delete_profile(view.id).await.unwrap();

    let on_disk = all_bytes_under(dir.path());
    assert!(!on_disk.is_empty());
    assert!(
        !contains(&on_disk, key.expose_secret()),
        "the sandbox key must not be stored in any file under the data dir"
    );
    keychain.remove(SANDBOX_ACCOUNT).unwrap();
}

//! Without a reachable keychain service the app must say so plainly and never fall back to
//! storing keys in files. Runs as its own test binary because the keyring store is chosen
//! once per process: the session bus address is pointed at nothing before first use.

use cyberbara_studio::app_error::ErrorKind;
use cyberbara_studio::keychain::{Keychain, KeychainError};
use cyberbara_studio::profiles::{KeyInput, NewProfile};
use cyberbara_studio::services::{AppPaths, AppServices, SandboxStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_keychain_service_is_reported_with_a_fix_and_nothing_is_stored() {
    // SAFETY of the environment change: this binary has a single test, run before any thread
    // reads the variable.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/cyberbara-test-bus",
    );
    let keychain = Keychain::new("cyberbara-studio-test-unavailable");
    let err = keychain.availability().unwrap_err();
    assert!(matches!(err, KeychainError::Unavailable { .. }), "{err:?}");
    let sentence = err.to_string();
    assert!(
        sentence.contains("No keychain service is available"),
        "{sentence}"
    );
    assert!(sentence.contains("gnome-keyring"), "{sentence}");
    assert!(sentence.contains("CYBERBARA_API_KEY"), "{sentence}");

    let dir = tempfile::tempdir().unwrap();
    let services = AppServices::open(
        AppPaths {
            data_dir: dir.path().to_path_buf(),
        },
        keychain,
        None,
    )
    .unwrap();
    let secret = "sk-must-not-land-in-a-file-0000";
    let err = services
        .add_profile(NewProfile {
            name: "Prod".into(),
            base_url: "https://api.example.com".into(),
            api_key: KeyInput::new(secret),
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::KeychainUnavailable);
    assert_eq!(err.message, sentence);

    // The sandbox still works, with a key kept in memory only, and says why.
    assert_eq!(
        services.active_balance().await.unwrap().remaining_credits,
        500
    );
    let state = services.state().await.unwrap();
    assert_eq!(state.keychain_problem.as_deref(), Some(sentence.as_str()));
    let SandboxStatus::Running { warning, .. } = state.sandbox else {
        panic!("sandbox not running: {:?}", state.sandbox);
    };
    assert!(warning.unwrap().contains("temporary key"));
    assert_eq!(state.profiles.len(), 1, "the refused profile was not saved");
    assert!(!dir.path().join("profiles.json").exists());
}

//! Without a reachable keychain service the app must say so plainly and never fall back to
//! storing keys in files. Runs as its own test binary because the keyring store is chosen
//! once per process: the session bus address is pointed at nothing before first use.

use studio::error::ErrorKind;
use studio::keychain::{Keychain, KeychainError};
use studio::profiles::{KeyInput, NewProfile};
use studio::services::{AppPaths, SandboxStatus, Studio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_keychain_service_is_reported_with_a_fix_and_nothing_is_stored() {
    // SAFETY of the environment change: this binary has a single test, run before any thread
    // reads the variable.
    let real_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS");
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
    let services = Studio::open(AppPaths::under(dir.path()), keychain, None).unwrap();
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

    // The sandbox still works (its key never needs the keychain); the shell shows the
    // keychain problem once, with its technical cause behind "Details".
    assert_eq!(
        services.active_balance().await.unwrap().remaining_credits,
        500
    );
    let state = services.state().await.unwrap();
    let problem = state.keychain.expect("the keychain problem is shown");
    assert_eq!(problem.message, sentence);
    assert_eq!(problem.kind, ErrorKind::KeychainUnavailable);
    assert!(problem.detail.is_some_and(|d| !d.is_empty()));
    assert!(matches!(state.sandbox, SandboxStatus::Running { .. }));
    assert_eq!(state.profiles.len(), 1, "the refused profile was not saved");
    assert!(!dir.path().join("data/profiles.json").exists());

    // "Try again" opens a fresh store: once a session bus is back, keys can be saved
    // without restarting (run where the test session provides one, as CI does).
    if let Some(bus) = real_bus {
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", bus);
        let state = services.retry_keychain().await.unwrap();
        assert!(state.keychain.is_none(), "{:?}", state.keychain);
        let view = services
            .add_profile(NewProfile {
                name: "Prod".into(),
                base_url: "https://api.example.com".into(),
                api_key: KeyInput::new(secret),
            })
            .await
            .unwrap();
        services.delete_profile(view.id).await.unwrap();
    }
}

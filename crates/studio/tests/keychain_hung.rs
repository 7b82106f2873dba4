//! A keychain that never answers (an unlock prompt nobody sees, a stuck service) must not
//! hang the app: every call gives up after the keychain's timeout, the sentence says what
//! to do, and the built-in Sandbox starts anyway. Its own test binary, because the session
//! bus address is process-wide.

use std::os::unix::net::UnixListener;
use std::time::{Duration, Instant};
use studio::error::ErrorKind;
use studio::keychain::{Keychain, KeychainError};
use studio::profiles::{KeyInput, NewProfile};
use studio::services::{AppPaths, Studio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keychain_that_never_answers_times_out_and_the_sandbox_still_starts() {
    let dir = tempfile::tempdir().unwrap();
    // A "session bus" that accepts connections and never says a word.
    let socket = dir.path().join("silent-bus");
    let listener = UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    // SAFETY of the environment change: the only test of this binary, set before any
    // thread reads it.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", socket.display()),
    );

    let keychain =
        Keychain::new("cyberbara-studio-test-hung").with_timeout(Duration::from_millis(600));
    let started = Instant::now();
    let err = keychain.availability().unwrap_err();
    assert!(matches!(err, KeychainError::TimedOut { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the call gave up"
    );
    assert!(err.to_string().contains("Try again"), "{err}");

    let services = Studio::open(AppPaths::under(dir.path()), keychain, None).unwrap();
    services.probe_keychain().await;
    let err = services
        .add_profile(NewProfile {
            name: "Prod".into(),
            base_url: "https://api.example.com".into(),
            api_key: KeyInput::new("sk-hung-keychain-000000000000"),
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Keychain);
    assert_eq!(
        services.active_balance().await.unwrap().remaining_credits,
        500
    );
    let state = services.state().await.unwrap();
    let problem = state.keychain.expect("one keychain notice");
    assert!(
        problem.message.contains("did not answer"),
        "{}",
        problem.message
    );
}

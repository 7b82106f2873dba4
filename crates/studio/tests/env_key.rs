//! `CYBERBARA_API_KEY` goes only to the deployment it is meant for: a second deployment
//! never receives a request carrying it (its request count proves it).

mod common;

use common::sandbox_config;
use cyberbara::ApiKey;
use cyberbara_sandbox::controls::SandboxControls;
use cyberbara_sandbox::{Sandbox, SandboxConfig};
use studio::error::ErrorKind;
use studio::keychain::Keychain;
use studio::profiles::{EnvKey, KeyInput, KeySource, NewProfile, ProfileRef};
use studio::services::{AppPaths, Studio};

const KEY_A: &str = "sk-env-deployment-a-0123456789";
const KEY_B: &str = "sk-env-deployment-b-0123456789";

async fn requests(base: &str) -> u64 {
    SandboxControls::new(base).total().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_key_is_not_sent_to_another_profiles_host() {
    let start = |key: &str| {
        Sandbox::start(SandboxConfig {
            api_keys: vec![key.into()],
            credits: 77,
            ..sandbox_config()
        })
    };
    let (a, b) = (start(KEY_A).await.unwrap(), start(KEY_B).await.unwrap());
    let (url_a, url_b) = (a.base_url(), b.base_url());
    let dir = tempfile::tempdir().unwrap();
    let keychain = Keychain::new(format!("cyberbara-studio-test-{}", uuid::Uuid::new_v4()));
    let paths = AppPaths::under(dir.path());

    // Profiles for both deployments, saved with keys the keychain then forgets, as on a
    // headless machine where only the environment holds a key.
    let studio = Studio::open(paths.clone(), keychain.clone(), None).unwrap();
    let mut ids = Vec::new();
    for (name, url) in [("A", &url_a), ("B", &url_b)] {
        let view = studio
            .add_profile(NewProfile {
                name: name.into(),
                base_url: url.clone(),
                api_key: KeyInput::new("sk-placeholder-key-000000"),
            })
            .await
            .unwrap();
        studio.delete_profile_key(view.id.clone()).await.unwrap();
        ids.push(view.id);
    }
    drop(studio);

    let env = EnvKey {
        key: ApiKey::new(KEY_A),
        base_url: Some(url_a.clone()),
    };
    let studio = Studio::open(paths, keychain, Some(env)).unwrap();
    let state = studio.state().await.unwrap();
    let source = |id: &str| {
        state
            .profiles
            .iter()
            .find(|p| p.id == id)
            .unwrap()
            .key_source
    };
    assert_eq!(source(&ids[0]), KeySource::Environment);
    assert_eq!(source(&ids[1]), KeySource::Missing);

    let report = studio.test_profile(&ids[0]).await.unwrap();
    assert_eq!(
        report.remaining_credits, 77,
        "A answers to the environment key"
    );
    SandboxControls::new(&url_b).reset_stats().await.unwrap();
    let err = studio.test_profile(&ids[1]).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::MissingKey);
    studio.switch_profile(ids[1].clone()).await.unwrap();
    assert_eq!(
        studio.active_balance().await.unwrap_err().kind,
        ErrorKind::MissingKey
    );
    assert_eq!(
        requests(&url_b).await,
        0,
        "B never saw a request, with the key or without"
    );

    studio
        .delete_profile(ProfileRef { id: ids[1].clone() }.id)
        .await
        .unwrap();
    a.shutdown().await;
    b.shutdown().await;
}

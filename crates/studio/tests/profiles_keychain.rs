//! Profiles and the keychain layer against the real Secret Service.
//!
//! Needs a session bus with an unlocked keyring; `scripts/test-all.sh` provides one with
//! gnome-keyring under `dbus-run-session`. Each test files its entries under its own
//! keychain service, so tests never see each other's keys.

use cyberbara::ApiKey;
use studio::error::ErrorKind;
use studio::keychain::Keychain;
use studio::profiles::{
    account_for, EnvKey, KeyChange, KeyInput, KeySource, NewProfile, ProfileEdit, ProfileKind,
    Profiles, SANDBOX_ID,
};
mod common;

use common::{all_bytes_under, contains};

fn test_keychain() -> Keychain {
    Keychain::new(format!("cyberbara-studio-test-{}", uuid::Uuid::new_v4()))
}

fn new_profile(name: &str, url: &str, key: &str) -> NewProfile {
    NewProfile {
        name: name.into(),
        base_url: url.into(),
        api_key: KeyInput::new(key),
    }
}

#[test]
fn keychain_stores_replaces_and_deletes_a_key() {
    let keychain = test_keychain();
    keychain
        .availability()
        .expect("a Secret Service must be running for these tests");
    assert!(keychain.load("alpha").unwrap().is_none());

    keychain
        .store("alpha", &ApiKey::new("sk-first-key-000000000001"))
        .unwrap();
    assert_eq!(
        keychain.load("alpha").unwrap().unwrap().expose_secret(),
        "sk-first-key-000000000001"
    );
    // A second keychain handle (as after a restart) reads the same entry.
    let again = Keychain::new(keychain.service());
    assert!(again.load("alpha").unwrap().is_some());

    keychain
        .store("alpha", &ApiKey::new("sk-second-key-00000000002"))
        .unwrap();
    assert_eq!(
        keychain.load("alpha").unwrap().unwrap().expose_secret(),
        "sk-second-key-00000000002"
    );
    assert!(
        keychain.load("beta").unwrap().is_none(),
        "accounts are separate"
    );

    assert!(keychain.remove("alpha").unwrap());
    assert!(keychain.load("alpha").unwrap().is_none());
    assert!(
        !keychain.remove("alpha").unwrap(),
        "deleting twice reports nothing deleted"
    );
}

#[test]
fn first_start_has_only_the_active_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let profiles =
        Profiles::open(&dir.path().join("profiles.json"), test_keychain(), None).unwrap();
    let list = profiles.list(Some("http://127.0.0.1:1234"), Some("sk-…abcd"));
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, SANDBOX_ID);
    assert_eq!(list[0].kind, ProfileKind::Sandbox);
    assert!(list[0].active);
    assert_eq!(profiles.active_id(), SANDBOX_ID);
}

#[test]
fn a_profile_keeps_its_key_in_the_keychain_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.json");
    let keychain = test_keychain();
    let secret = "sk-live-not-on-disk-1234567890a4f2";
    let mut profiles = Profiles::open(&path, keychain.clone(), None).unwrap();
    let view = profiles
        .add(new_profile(
            "Production",
            "https://api.example.com/api/v1/",
            secret,
        ))
        .unwrap();
    assert_eq!(view.base_url.as_deref(), Some("https://api.example.com"));
    assert_eq!(view.key_hint.as_deref(), Some("sk-…a4f2"));
    assert_eq!(view.key_source, KeySource::Keychain);
    assert!(!view.active, "adding a profile does not switch to it");

    let in_keychain = keychain.load(&account_for(&view.id)).unwrap().unwrap();
    assert_eq!(in_keychain.expose_secret(), secret);
    let on_disk = all_bytes_under(dir.path());
    assert!(
        contains(&on_disk, "Production"),
        "the profile itself is saved"
    );
    assert!(
        !contains(&on_disk, secret),
        "the key must never be written to a file"
    );
    let as_json = serde_json::to_string(&profiles.list(None, None)).unwrap();
    assert!(!as_json.contains(secret), "IPC views carry only the hint");

    // The list survives a restart and the key is still found.
    let reopened = Profiles::open(&path, keychain.clone(), None).unwrap();
    let connection = reopened.user_connection(&view.id).unwrap();
    assert_eq!(connection.base_url, "https://api.example.com");
    assert_eq!(connection.key.expose_secret(), secret);
}

#[test]
fn replacing_and_removing_a_key_updates_keychain_and_hint() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = test_keychain();
    let mut profiles =
        Profiles::open(&dir.path().join("profiles.json"), keychain.clone(), None).unwrap();
    let id = profiles
        .add(new_profile(
            "Staging",
            "https://staging.example.com",
            "sk-old-key-0000000000001111",
        ))
        .unwrap()
        .id;
    let view = profiles
        .set_key(KeyChange {
            id: id.clone(),
            api_key: KeyInput::new("sk-new-key-0000000000002222"),
        })
        .unwrap();
    assert_eq!(view.key_hint.as_deref(), Some("sk-…2222"));
    assert_eq!(
        keychain
            .load(&account_for(&id))
            .unwrap()
            .unwrap()
            .expose_secret(),
        "sk-new-key-0000000000002222"
    );

    let view = profiles.delete_key(&id).unwrap();
    assert_eq!(view.key_hint, None);
    assert_eq!(view.key_source, KeySource::Missing);
    assert!(keychain.load(&account_for(&id)).unwrap().is_none());
    let err = profiles.user_connection(&id).unwrap_err();
    assert_eq!(err.kind, ErrorKind::MissingKey);
    assert!(err.message.contains("Staging"), "{}", err.message);
}

#[test]
fn deleting_a_profile_deletes_its_keychain_entry_and_falls_back_to_the_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.json");
    let keychain = test_keychain();
    let mut profiles = Profiles::open(&path, keychain.clone(), None).unwrap();
    let id = profiles
        .add(new_profile(
            "Local",
            "http://127.0.0.1:9999",
            "sk-delete-me-000000000000",
        ))
        .unwrap()
        .id;
    profiles.switch(&id).unwrap();
    assert_eq!(profiles.active_id(), id);
    assert_eq!(
        Profiles::open(&path, keychain.clone(), None)
            .unwrap()
            .active_id(),
        id,
        "the active profile is remembered"
    );

    profiles.delete(&id).unwrap();
    assert!(keychain.load(&account_for(&id)).unwrap().is_none());
    assert_eq!(profiles.active_id(), SANDBOX_ID);
    assert_eq!(profiles.list(None, None).len(), 1);
    assert_eq!(profiles.get(&id).unwrap_err().kind, ErrorKind::NotFound);
}

#[test]
fn invalid_profiles_are_refused_with_a_sentence_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = test_keychain();
    let mut profiles = Profiles::open(&dir.path().join("profiles.json"), keychain, None).unwrap();
    for (name, url, key) in [
        ("Plain", "http://api.example.com", "sk-aaaaaaaaaaaaaaaaaaaa"),
        ("", "https://api.example.com", "sk-aaaaaaaaaaaaaaaaaaaa"),
        (
            "Sandbox",
            "https://api.example.com",
            "sk-aaaaaaaaaaaaaaaaaaaa",
        ),
        ("NoKey", "https://api.example.com", "   "),
    ] {
        let err = profiles.add(new_profile(name, url, key)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{name}: {}", err.message);
        assert!(err.message.ends_with('.'), "{}", err.message);
    }
    assert_eq!(profiles.list(None, None).len(), 1);
    assert!(!dir.path().join("profiles.json").exists());

    let id = profiles
        .add(new_profile(
            "One",
            "https://one.example.com",
            "sk-one-000000000000000",
        ))
        .unwrap()
        .id;
    profiles
        .add(new_profile(
            "Two",
            "https://two.example.com",
            "sk-two-000000000000000",
        ))
        .unwrap();
    let err = profiles
        .update(ProfileEdit {
            id: id.clone(),
            name: "two".into(),
            base_url: "https://one.example.com".into(),
            use_env_key: None,
        })
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    let renamed = profiles
        .update(ProfileEdit {
            id,
            name: "Uno".into(),
            base_url: "http://localhost:8080".into(),
            use_env_key: None,
        })
        .unwrap();
    assert_eq!(renamed.name, "Uno");
    assert_eq!(renamed.base_url.as_deref(), Some("http://localhost:8080"));
    assert_eq!(
        profiles.delete(SANDBOX_ID).unwrap_err().kind,
        ErrorKind::InvalidInput
    );
}

#[test]
fn the_environment_key_is_used_only_by_the_profiles_it_is_meant_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.json");
    let keychain = test_keychain();
    let mut profiles = Profiles::open(&path, keychain.clone(), None).unwrap();
    let add = |profiles: &mut Profiles, name: &str, url: &str| {
        profiles
            .add(new_profile(
                name,
                url,
                &format!("sk-keychain-{name}-00000000"),
            ))
            .unwrap()
            .id
    };
    let ci = add(&mut profiles, "Ci", "https://ci.example.com/prefix");
    let other = add(&mut profiles, "Other", "https://other.example.com");
    let marked = add(&mut profiles, "Marked", "https://marked.example.com");
    profiles
        .update(ProfileEdit {
            id: marked.clone(),
            name: "Marked".into(),
            base_url: "https://marked.example.com".into(),
            use_env_key: Some(true),
        })
        .unwrap();
    let env = EnvKey {
        key: ApiKey::new("sk-from-environment-00000000beef"),
        base_url: Some("https://ci.example.com".into()),
    };
    let profiles = Profiles::open(&path, keychain, Some(env)).unwrap();
    for id in [&ci, &marked] {
        let view = profiles.get(id).unwrap();
        assert_eq!(view.key_source, KeySource::Environment, "{}", view.name);
        assert_eq!(view.key_hint.as_deref(), Some("sk-…beef"));
        assert_eq!(
            profiles.user_connection(id).unwrap().key.expose_secret(),
            "sk-from-environment-00000000beef"
        );
    }
    // Another deployment keeps its own key: the environment's never reaches it.
    let view = profiles.get(&other).unwrap();
    assert_eq!(view.key_source, KeySource::Keychain);
    assert_eq!(
        profiles
            .user_connection(&other)
            .unwrap()
            .key
            .expose_secret(),
        "sk-keychain-Other-00000000"
    );
}

//! Profiles: which CyberBara deployment the app talks to, and with which key.
//!
//! The list lives in `profiles.json` under the app's data directory and holds names, base
//! URLs and masked key hints only; the keys themselves live in the OS keychain under the
//! account `profile:<id>`. The built-in Sandbox profile is not stored in the file: its
//! base URL and its (per-launch, in-memory) key come from the running sandbox.

use crate::error::{AppError, ErrorKind};
use crate::keychain::Keychain;
use cyberbara::ApiKey;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// The id of the built-in Sandbox profile.
pub const SANDBOX_ID: &str = "sandbox";
/// The environment variable whose key replaces the keychain's for headless use, but only
/// for the profiles it is meant for (see [`EnvKey`]).
pub const ENV_API_KEY: &str = "CYBERBARA_API_KEY";
/// The deployment `CYBERBARA_API_KEY` belongs to: a profile whose base URL has this
/// origin uses the environment key.
pub const ENV_BASE_URL: &str = "CYBERBARA_BASE_URL";

/// `CYBERBARA_API_KEY` and the deployment it is for. The key is sent only to profiles
/// explicitly marked to use it, or to the one whose origin `CYBERBARA_BASE_URL` names —
/// never to every profile, so a key meant for one host never reaches another.
#[derive(Debug, Clone)]
pub struct EnvKey {
    pub key: ApiKey,
    /// The normalised `CYBERBARA_BASE_URL`, when set and valid.
    pub base_url: Option<String>,
}

impl EnvKey {
    /// Reads `CYBERBARA_API_KEY` and `CYBERBARA_BASE_URL` from the environment.
    pub fn from_environment() -> Option<EnvKey> {
        let key = std::env::var(ENV_API_KEY)
            .ok()
            .map(ApiKey::new)
            .filter(|k| !k.is_empty())?;
        let base_url = std::env::var(ENV_BASE_URL).ok().and_then(|url| {
            cyberbara::base_url::normalise(&url)
                .inspect_err(|err| tracing::warn!(%err, "{ENV_BASE_URL} is not usable"))
                .ok()
        });
        Some(EnvKey { key, base_url })
    }

    /// Whether this key is meant for `profile`.
    fn is_for(&self, base_url: &str, marked: bool) -> bool {
        marked || self.base_url.as_deref().and_then(origin) == origin(base_url)
    }
}

/// `scheme://host[:port]` of a base URL, for comparing deployments.
fn origin(base_url: &str) -> Option<String> {
    url::Url::parse(base_url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
}

const MAX_NAME_CHARS: usize = 60;

/// An API key arriving from the front end. It can be deserialised from IPC but neither
/// serialised nor printed: `Debug` shows the hint only.
pub struct KeyInput(ApiKey);

impl KeyInput {
    pub fn new(key: impl Into<String>) -> KeyInput {
        KeyInput(ApiKey::new(key))
    }

    pub fn into_key(self) -> ApiKey {
        self.0
    }
}

impl fmt::Debug for KeyInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyInput({})", self.0.hint())
    }
}

impl<'de> Deserialize<'de> for KeyInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyInput, D::Error> {
        String::deserialize(d).map(KeyInput::new)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// The local sandbox the app runs itself.
    Sandbox,
    /// A real deployment the user added.
    User,
}

/// Where a profile's key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    Keychain,
    /// `CYBERBARA_API_KEY`, meant for this profile, replaces the keychain.
    Environment,
    /// Made for this run and kept only in memory (the built-in Sandbox).
    Session,
    /// No key set yet.
    Missing,
}

/// A profile as the front end sees it: never the key, only its hint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ProfileView {
    pub id: String,
    pub name: String,
    pub kind: ProfileKind,
    /// `None` for the Sandbox until it has started.
    pub base_url: Option<String>,
    /// A masked fragment such as `sk-…a4f2`.
    pub key_hint: Option<String>,
    pub key_source: KeySource,
    pub active: bool,
}

/// A new user profile, from the "Add profile" form.
#[derive(Debug, Deserialize, TS)]
pub struct NewProfile {
    pub name: String,
    pub base_url: String,
    #[ts(type = "string")]
    pub api_key: KeyInput,
}

/// Renaming or re-pointing a user profile (the key is changed separately).
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ProfileEdit {
    pub id: String,
    pub name: String,
    pub base_url: String,
    /// Use `CYBERBARA_API_KEY` for this profile instead of its keychain key (headless use);
    /// left as it is when absent.
    #[serde(default)]
    #[ts(optional)]
    pub use_env_key: Option<bool>,
}

/// Setting or replacing a profile's key.
#[derive(Debug, Deserialize, TS)]
pub struct KeyChange {
    pub id: String,
    #[ts(type = "string")]
    pub api_key: KeyInput,
}

/// Names one profile.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ProfileRef {
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredProfile {
    id: String,
    name: String,
    base_url: String,
    #[serde(default)]
    key_hint: Option<String>,
    /// Use `CYBERBARA_API_KEY` instead of the keychain's key (headless use).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    use_env_key: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ProfilesFile {
    version: u32,
    active: String,
    profiles: Vec<StoredProfile>,
}

impl Default for ProfilesFile {
    fn default() -> Self {
        ProfilesFile {
            version: 1,
            active: SANDBOX_ID.to_string(),
            profiles: Vec::new(),
        }
    }
}

/// What a caller needs to talk to a user profile's deployment.
#[derive(Debug, Clone)]
pub struct UserConnection {
    pub base_url: String,
    pub key: ApiKey,
}

/// The profile list, its file and the keychain behind it.
#[derive(Debug)]
pub struct Profiles {
    path: PathBuf,
    keychain: Keychain,
    env_key: Option<EnvKey>,
    file: ProfilesFile,
}

impl Profiles {
    /// Opens `path` (a missing file means first start: only the Sandbox, which is active).
    /// `env_key` is `CYBERBARA_API_KEY` and its deployment, if set.
    pub fn open(
        path: &Path,
        keychain: Keychain,
        env_key: Option<EnvKey>,
    ) -> Result<Profiles, AppError> {
        let file = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice::<ProfilesFile>(&bytes).map_err(|e| {
                AppError::storage(&format!("read the profile list {}", path.display()), e)
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ProfilesFile::default(),
            Err(e) => {
                return Err(AppError::storage(
                    &format!("read the profile list {}", path.display()),
                    e,
                ))
            }
        };
        let mut profiles = Profiles {
            path: path.to_path_buf(),
            keychain,
            env_key: env_key.filter(|e| !e.key.is_empty()),
            file,
        };
        if profiles.find(&profiles.file.active.clone()).is_none() {
            profiles.file.active = SANDBOX_ID.to_string();
        }
        Ok(profiles)
    }

    /// The environment key, when it is meant for the stored profile `p`.
    fn env_key_for(&self, p: &StoredProfile) -> Option<&ApiKey> {
        self.env_key
            .as_ref()
            .filter(|env| env.is_for(&p.base_url, p.use_env_key))
            .map(|env| &env.key)
    }

    pub fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    pub fn active_id(&self) -> &str {
        &self.file.active
    }

    /// The base URL of the active profile when it is a user profile.
    pub fn active_user_base_url(&self) -> Option<&str> {
        self.find(&self.file.active).map(|p| p.base_url.as_str())
    }

    /// Every profile, the Sandbox first. `sandbox_url` and `sandbox_hint` describe the
    /// running sandbox, when it runs.
    pub fn list(&self, sandbox_url: Option<&str>, sandbox_hint: Option<&str>) -> Vec<ProfileView> {
        let mut views = vec![ProfileView {
            id: SANDBOX_ID.to_string(),
            name: "Sandbox".to_string(),
            kind: ProfileKind::Sandbox,
            base_url: sandbox_url.map(str::to_string),
            key_hint: sandbox_hint.map(str::to_string),
            key_source: if sandbox_hint.is_some() {
                KeySource::Session
            } else {
                KeySource::Missing
            },
            active: self.file.active == SANDBOX_ID,
        }];
        views.extend(self.file.profiles.iter().map(|p| self.view(p)));
        views
    }

    /// One user profile's view.
    pub fn get(&self, id: &str) -> Result<ProfileView, AppError> {
        self.find(id)
            .map(|p| self.view(p))
            .ok_or_else(|| missing_profile(id))
    }

    pub fn add(&mut self, input: NewProfile) -> Result<ProfileView, AppError> {
        let name = self.check_name(&input.name, None)?;
        let base_url = normalise_base_url(&input.base_url)?;
        let key = input.api_key.into_key();
        if key.is_empty() {
            return Err(AppError::invalid("Enter the API key for this deployment."));
        }
        let id = uuid::Uuid::new_v4().to_string();
        // The key goes to the keychain first, so a profile never exists pointing at a key
        // that could not be stored.
        self.keychain.store(&account_for(&id), &key)?;
        self.file.profiles.push(StoredProfile {
            id: id.clone(),
            name,
            base_url,
            key_hint: Some(key.hint()),
            use_env_key: false,
        });
        if let Err(err) = self.save() {
            self.file.profiles.retain(|p| p.id != id);
            // Best effort: the profile is gone, so its key must not linger.
            let _ = self.keychain.remove(&account_for(&id));
            return Err(err);
        }
        self.get(&id)
    }

    pub fn update(&mut self, edit: ProfileEdit) -> Result<ProfileView, AppError> {
        reject_sandbox(&edit.id, "renamed or re-pointed")?;
        let name = self.check_name(&edit.name, Some(&edit.id))?;
        let base_url = normalise_base_url(&edit.base_url)?;
        let before = self.file.clone();
        let stored = self.find_mut(&edit.id)?;
        stored.name = name;
        stored.base_url = base_url;
        if let Some(use_env_key) = edit.use_env_key {
            stored.use_env_key = use_env_key;
        }
        self.save_or_restore(before)?;
        self.get(&edit.id)
    }

    pub fn set_key(&mut self, change: KeyChange) -> Result<ProfileView, AppError> {
        reject_sandbox(&change.id, "given another key")?;
        self.find(&change.id)
            .ok_or_else(|| missing_profile(&change.id))?;
        let key = change.api_key.into_key();
        if key.is_empty() {
            return Err(AppError::invalid("Enter the API key for this deployment."));
        }
        self.keychain.store(&account_for(&change.id), &key)?;
        let before = self.file.clone();
        self.find_mut(&change.id)?.key_hint = Some(key.hint());
        self.save_or_restore(before)?;
        self.get(&change.id)
    }

    pub fn delete_key(&mut self, id: &str) -> Result<ProfileView, AppError> {
        reject_sandbox(id, "left without a key")?;
        self.find(id).ok_or_else(|| missing_profile(id))?;
        self.keychain.remove(&account_for(id))?;
        let before = self.file.clone();
        self.find_mut(id)?.key_hint = None;
        self.save_or_restore(before)?;
        self.get(id)
    }

    /// Deletes a user profile and its keychain entry. Deleting the active profile makes
    /// the Sandbox active.
    pub fn delete(&mut self, id: &str) -> Result<(), AppError> {
        reject_sandbox(id, "deleted")?;
        self.find(id).ok_or_else(|| missing_profile(id))?;
        self.keychain.remove(&account_for(id))?;
        let before = self.file.clone();
        self.file.profiles.retain(|p| p.id != id);
        if self.file.active == id {
            self.file.active = SANDBOX_ID.to_string();
        }
        self.save_or_restore(before)
    }

    pub fn switch(&mut self, id: &str) -> Result<(), AppError> {
        if id != SANDBOX_ID {
            self.find(id).ok_or_else(|| missing_profile(id))?;
        }
        let before = self.file.clone();
        self.file.active = id.to_string();
        self.save_or_restore(before)
    }

    /// The base URL and key of a user profile: `CYBERBARA_API_KEY` when it is meant for
    /// this profile, else the keychain.
    pub fn user_connection(&self, id: &str) -> Result<UserConnection, AppError> {
        let stored = self.find(id).ok_or_else(|| missing_profile(id))?;
        let key = match self.env_key_for(stored) {
            Some(key) => key.clone(),
            None => self.keychain.load(&account_for(id))?.ok_or_else(|| {
                AppError::new(
                    ErrorKind::MissingKey,
                    format!(
                        "The profile \u{201c}{}\u{201d} has no API key. Add one in Settings.",
                        stored.name
                    ),
                )
            })?,
        };
        Ok(UserConnection {
            base_url: stored.base_url.clone(),
            key,
        })
    }

    fn view(&self, p: &StoredProfile) -> ProfileView {
        let (key_hint, key_source) = match (self.env_key_for(p), &p.key_hint) {
            (Some(env), _) => (Some(env.hint()), KeySource::Environment),
            (None, Some(hint)) => (Some(hint.clone()), KeySource::Keychain),
            (None, None) => (None, KeySource::Missing),
        };
        ProfileView {
            id: p.id.clone(),
            name: p.name.clone(),
            kind: ProfileKind::User,
            base_url: Some(p.base_url.clone()),
            key_hint,
            key_source,
            active: self.file.active == p.id,
        }
    }

    fn find(&self, id: &str) -> Option<&StoredProfile> {
        self.file.profiles.iter().find(|p| p.id == id)
    }

    fn find_mut(&mut self, id: &str) -> Result<&mut StoredProfile, AppError> {
        self.file
            .profiles
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or_else(|| missing_profile(id))
    }

    fn check_name(&self, name: &str, editing: Option<&str>) -> Result<String, AppError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::invalid("Give the profile a name."));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(AppError::invalid(format!(
                "Keep the profile name under {MAX_NAME_CHARS} characters."
            )));
        }
        let taken = name.eq_ignore_ascii_case("sandbox")
            || self
                .file
                .profiles
                .iter()
                .any(|p| Some(p.id.as_str()) != editing && p.name.eq_ignore_ascii_case(name));
        if taken {
            return Err(AppError::invalid(format!(
                "A profile named \u{201c}{name}\u{201d} already exists. Choose another name."
            )));
        }
        Ok(name.to_string())
    }

    fn save_or_restore(&mut self, before: ProfilesFile) -> Result<(), AppError> {
        self.save().inspect_err(|_| self.file = before)
    }

    /// Writes the file atomically and durably (a temporary file in the same folder,
    /// flushed to disk, renamed over the old one), so a crash or power cut never leaves
    /// half a list.
    fn save(&self) -> Result<(), AppError> {
        use std::io::Write;
        let what = format!("save the profile list {}", self.path.display());
        let storage = |e: &dyn std::fmt::Display| AppError::storage(&what, e);
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| storage(&e))?;
        let json = serde_json::to_vec_pretty(&self.file).map_err(|e| storage(&e))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| storage(&e))?;
        tmp.write_all(&json).map_err(|e| storage(&e))?;
        tmp.as_file().sync_all().map_err(|e| storage(&e))?;
        tmp.persist(&self.path).map_err(|e| storage(&e.error))?;
        Ok(())
    }
}

/// The keychain account of a user profile's key.
pub fn account_for(profile_id: &str) -> String {
    format!("profile:{profile_id}")
}

fn missing_profile(id: &str) -> AppError {
    AppError::not_found(format!(
        "There is no profile with id {id} any more. Reload the profile list."
    ))
}

fn reject_sandbox(id: &str, what: &str) -> Result<(), AppError> {
    if id == SANDBOX_ID {
        Err(AppError::invalid(format!(
            "The built-in Sandbox profile cannot be {what}; add a profile of your own instead."
        )))
    } else {
        Ok(())
    }
}

/// Checks a deployment's base URL and brings it to the form the client expects, with the
/// one rule the client itself applies (`cyberbara::base_url::normalise`): https, or plain
/// http only for loopback addresses, where nothing crosses the network.
pub fn normalise_base_url(input: &str) -> Result<String, AppError> {
    cyberbara::base_url::normalise(input).map_err(|e| AppError::invalid(e.to_string()))
}

/// The origin a page must allow in its CSP to show media from a profile's deployment, or
/// `None` when the static policy already covers it (loopback) or the URL is unusable.
pub fn media_origin(base_url: &str) -> Option<String> {
    let url = url::Url::parse(base_url).ok()?;
    let host = url.host_str()?;
    if cyberbara::base_url::is_loopback(host) || url.scheme() != "https" {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_normalised_and_http_is_loopback_only() {
        assert_eq!(
            normalise_base_url(" https://api.example.com/ ").unwrap(),
            "https://api.example.com"
        );
        assert_eq!(
            normalise_base_url("https://api.example.com/api/v1/").unwrap(),
            "https://api.example.com"
        );
        assert_eq!(
            normalise_base_url("http://127.0.0.1:8787").unwrap(),
            "http://127.0.0.1:8787"
        );
        assert_eq!(
            normalise_base_url("http://localhost:9000/x").unwrap(),
            "http://localhost:9000/x"
        );
        assert_eq!(
            normalise_base_url("http://[::1]:80").unwrap(),
            "http://[::1]"
        );
        for bad in [
            "http://api.example.com",
            "http://10.0.0.2:8000",
            "ftp://x.example",
            "api.example.com",
            "",
            "https://user:pw@api.example.com",
            "https://api.example.com/?a=b",
        ] {
            let err = normalise_base_url(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad}");
            assert!(err.message.ends_with('.'), "{}", err.message);
        }
    }

    #[test]
    fn key_input_debug_is_masked() {
        let input: NewProfile = serde_json::from_str(
            r#"{"name":"n","base_url":"https://x.example","api_key":"sk-supersecret-000011112222"}"#,
        )
        .unwrap();
        let shown = format!("{input:?}");
        assert!(!shown.contains("supersecret"), "{shown}");
        assert!(shown.contains("sk-…2222"), "{shown}");
    }
}

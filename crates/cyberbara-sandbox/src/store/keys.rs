//! How API keys are stored: HMAC-SHA256 under a secret that belongs to the store, not
//! bare SHA-256, so a copied database alone does not let anyone test guesses of keys.
//! Still one keyed hash per request and one indexed lookup, unlike a slow password hash
//! (the keys are long random strings, not passwords).
//!
//! The secret of a store on disk is `key-secret` beside `sandbox.db` (owner-only
//! permissions); an in-memory store uses one random secret per process.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use crate::error::SandboxError;

/// The file beside `sandbox.db` holding the store's secret (64 hex digits).
pub(crate) const SECRET_FILE: &str = "key-secret";

/// `key_scheme` of rows hashed with [`KeyHasher`].
pub(crate) const SCHEME_HMAC: &str = "hmac-sha256";
/// `key_scheme` of rows written before keys were keyed: bare SHA-256.
pub(crate) const SCHEME_LEGACY: &str = "sha256";

/// Hashes API keys for storage and lookup.
#[derive(Clone)]
pub(crate) struct KeyHasher {
    mac: Hmac<Sha256>,
}

impl KeyHasher {
    fn new(secret: &[u8]) -> Result<KeyHasher, SandboxError> {
        let mac = Hmac::<Sha256>::new_from_slice(secret)
            .map_err(|e| SandboxError::Storage(format!("the key secret is unusable: {e}")))?;
        Ok(KeyHasher { mac })
    }

    /// The hasher of a store in `data_dir`, creating its secret on first use.
    pub(crate) fn for_dir(data_dir: &Path) -> Result<KeyHasher, SandboxError> {
        KeyHasher::new(&load_or_create_secret(&data_dir.join(SECRET_FILE))?)
    }

    /// The hasher of in-memory stores: a secret made once per process.
    pub(crate) fn for_memory() -> Result<KeyHasher, SandboxError> {
        static SECRET: OnceLock<[u8; 32]> = OnceLock::new();
        KeyHasher::new(SECRET.get_or_init(random_secret))
    }

    pub(crate) fn hash(&self, api_key: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(api_key.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// How keys were stored before the secret: only to find and upgrade such rows.
pub(crate) fn legacy_hash(api_key: &str) -> String {
    hex::encode(Sha256::digest(api_key.as_bytes()))
}

fn random_secret() -> [u8; 32] {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, SandboxError> {
    let unusable = |source: std::io::Error| SandboxError::DataDir {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => hex::decode(text.trim())
            .ok()
            .filter(|secret| secret.len() >= 32)
            .ok_or_else(|| {
                unusable(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "it does not hold a 64-digit hex secret; restore it or remove it together with sandbox.db",
                ))
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = random_secret();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(path).map_err(unusable)?;
            file.write_all(hex::encode(secret).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(unusable)?;
            Ok(secret.to_vec())
        }
        Err(e) => Err(unusable(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_keyed_per_store_and_stable_per_directory() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let first = KeyHasher::for_dir(a.path()).unwrap().hash("sk-1");
        assert_eq!(KeyHasher::for_dir(a.path()).unwrap().hash("sk-1"), first);
        assert_ne!(KeyHasher::for_dir(b.path()).unwrap().hash("sk-1"), first);
        assert_ne!(first, legacy_hash("sk-1"));
        assert_eq!(first.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(a.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(a.path().join(SECRET_FILE), "not hex").unwrap();
        assert!(KeyHasher::for_dir(a.path()).is_err());
    }
}

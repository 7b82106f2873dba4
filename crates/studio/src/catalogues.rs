//! The models each profile's deployment offers: `GET /models` merged with the built-in
//! catalogue, kept in the library so the Create page opens at once (and offline), and
//! fetched again on demand or when older than an hour.

use crate::error::AppError;
use crate::forms::{forms, ModelForm};
use crate::library::{now_ms, Library};
use cyberbara::catalogue::Catalogue;
use cyberbara::types::ModelInfo;
use cyberbara::Client;
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use ts_rs::TS;

/// A model list younger than this is not fetched again unless asked.
pub const FRESH_FOR: Duration = Duration::from_secs(60 * 60);

/// The Create page's model list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CatalogueView {
    pub models: Vec<ModelForm>,
    /// When the list was fetched from the deployment; `None`: never (the built-in
    /// catalogue is shown).
    #[ts(type = "number | null")]
    pub fetched_ms: Option<i64>,
    /// Why the list could not be fetched this time (an older list or the built-in one is
    /// shown instead).
    pub problem: Option<AppError>,
}

struct Entry {
    catalogue: Arc<Catalogue>,
    view: CatalogueView,
    /// When this entry was made, for the hourly refresh.
    made_ms: i64,
}

/// Model lists per profile.
pub struct Catalogues {
    library: Library,
    entries: Mutex<HashMap<String, Arc<Entry>>>,
}

impl Catalogues {
    pub fn new(library: Library) -> Catalogues {
        Catalogues {
            library,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Forgets a profile's list (its URL changed, or it was deleted).
    pub fn forget(&self, profile_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(profile_id);
        }
    }

    /// The catalogue to validate with and the forms to show for `profile_id`. Never
    /// fails: without a fresh list it falls back to the last one, then to the built-in
    /// catalogue, and says why in `problem`.
    pub async fn get<F, Fut>(
        &self,
        profile_id: &str,
        refresh: bool,
        client: F,
    ) -> (Arc<Catalogue>, CatalogueView)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Client, AppError>>,
    {
        let fresh = |made: i64| now_ms().saturating_sub(made) < FRESH_FOR.as_millis() as i64;
        if !refresh {
            if let Some(entry) = self.cached(profile_id).filter(|e| fresh(e.made_ms)) {
                return (entry.catalogue.clone(), entry.view.clone());
            }
            if let Ok(Some((listed, fetched))) = self.library.cached_models(profile_id) {
                if fresh(fetched) {
                    return self.keep(profile_id, build(&listed, Some(fetched), None));
                }
            }
        }
        let fetched = match client().await {
            Ok(client) => client.list_models(None).await.map_err(AppError::from),
            Err(err) => Err(err),
        };
        let entry = match fetched {
            Ok(list) => {
                let now = now_ms();
                if let Err(err) = self.library.store_models(profile_id, &list.models, now) {
                    tracing::warn!(error = %err, "could not keep the model list");
                }
                build(&list.models, Some(now), None)
            }
            Err(problem) => match self.library.cached_models(profile_id) {
                Ok(Some((listed, fetched))) => build(&listed, Some(fetched), Some(problem)),
                _ => Entry {
                    catalogue: Arc::new(Catalogue::builtin().clone()),
                    view: CatalogueView {
                        models: forms(Catalogue::builtin()),
                        fetched_ms: None,
                        problem: Some(problem),
                    },
                    made_ms: now_ms(),
                },
            },
        };
        self.keep(profile_id, entry)
    }

    fn cached(&self, profile_id: &str) -> Option<Arc<Entry>> {
        self.entries.lock().ok()?.get(profile_id).cloned()
    }

    fn keep(&self, profile_id: &str, entry: Entry) -> (Arc<Catalogue>, CatalogueView) {
        let result = (entry.catalogue.clone(), entry.view.clone());
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(profile_id.to_string(), Arc::new(entry));
        }
        result
    }
}

/// The deployment's models: each listed model with the built-in spec when the catalogue
/// knows it (widened by any scene the server adds), a generic form otherwise. Models the
/// deployment does not list are not offered.
fn build(listed: &[ModelInfo], fetched_ms: Option<i64>, problem: Option<AppError>) -> Entry {
    let merged = Catalogue::builtin().with_listed(listed);
    let catalogue = Catalogue {
        models: listed
            .iter()
            .filter_map(|info| merged.model(&info.model).cloned())
            .collect(),
        internal_keys: merged.internal_keys,
    };
    let view = CatalogueView {
        models: forms(&catalogue),
        fetched_ms,
        problem,
    };
    Entry {
        catalogue: Arc::new(catalogue),
        view,
        made_ms: now_ms(),
    }
}

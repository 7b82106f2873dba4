//! The state every handler and service shares: storage, time, configuration, the
//! catalogue and the test controls' in-memory state.

use cyberbara::catalogue::Catalogue;
use cyberbara::clock::Clock;
use cyberbara::types::ModelInfo;
use serde_json::Map;
use std::sync::{Arc, OnceLock};
use tokio::sync::watch;

use crate::config::SandboxConfig;
use crate::store::Store;
use crate::test_controls::TestControls;

pub(crate) struct AppState {
    pub store: Store,
    pub base_url: String,
    pub speed: f64,
    pub fail_rate: f64,
    /// Balance of accounts the test controls create implicitly.
    pub default_credits: i64,
    pub extra_models: Vec<ModelInfo>,
    catalogue: OnceLock<Catalogue>,
    pub controls: TestControls,
    /// Whether `/_sandbox/*` is routed at all.
    pub test_controls: bool,
    pub clock: Clock,
    pub shutdown: watch::Receiver<bool>,
    /// Bumped each time a task reaches a final status (`Sandbox::finished_tasks`).
    pub finished_tasks: watch::Sender<u64>,
}

impl AppState {
    pub(crate) fn new(
        store: Store,
        base_url: String,
        config: &SandboxConfig,
        shutdown: watch::Receiver<bool>,
    ) -> AppState {
        AppState {
            store,
            base_url,
            speed: config.speed,
            fail_rate: config.fail_rate,
            default_credits: config.credits,
            extra_models: config.extra_models.clone(),
            catalogue: OnceLock::new(),
            controls: TestControls::default(),
            test_controls: config.test_controls,
            clock: config.clock.clone(),
            shutdown,
            finished_tasks: watch::channel(0).0,
        }
    }

    /// The shared catalogue plus the configured extra models (built on first use).
    pub(crate) fn catalogue(&self) -> &Catalogue {
        self.catalogue
            .get_or_init(|| Catalogue::builtin().with_listed(&self.extra_models))
    }

    /// Every listed model: the built-in catalogue's, then extra ones it does not know.
    pub(crate) fn listed_models(&self) -> Vec<ModelInfo> {
        let mut models: Vec<ModelInfo> = Catalogue::builtin()
            .models
            .iter()
            .map(|m| ModelInfo {
                model: m.model.clone(),
                media_type: m.media_type.clone(),
                supported_scenes: m.scenes.clone(),
                extra: Map::new(),
            })
            .collect();
        for extra in &self.extra_models {
            if !models.iter().any(|m| m.model == extra.model) {
                models.push(extra.clone());
            }
        }
        models
    }
}

pub(crate) type Shared = Arc<AppState>;

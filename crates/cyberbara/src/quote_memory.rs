//! The prices of recent quotes, so that a later `insufficient_credits` for the same
//! request can say what it needs even when the server's error does not.

use crate::types::{Credits, Scene};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;

/// More distinct requests than a person quotes in a session; past it the memory starts over.
const LIMIT: usize = 64;

#[derive(Debug, Default)]
pub(crate) struct QuoteMemory(Mutex<HashMap<String, Credits>>);

impl QuoteMemory {
    pub(crate) fn remember(
        &self,
        model: &str,
        scene: Option<&Scene>,
        options: &Map<String, Value>,
        credits: Credits,
    ) {
        if let Ok(mut prices) = self.0.lock() {
            if prices.len() >= LIMIT {
                prices.clear();
            }
            prices.insert(fingerprint(model, scene, options), credits);
        }
    }

    pub(crate) fn recall(
        &self,
        model: &str,
        scene: Option<&Scene>,
        options: &Map<String, Value>,
    ) -> Option<Credits> {
        let prices = self.0.lock().ok()?;
        prices.get(&fingerprint(model, scene, options)).copied()
    }
}

/// What makes two requests cost the same: model, scene and options (not the prompt).
fn fingerprint(model: &str, scene: Option<&Scene>, options: &Map<String, Value>) -> String {
    let scene = scene.map(Scene::as_str).unwrap_or("");
    // serde_json's Map is ordered by key, so equal options give equal text.
    let options = serde_json::to_string(options).unwrap_or_default();
    format!("{model}\n{scene}\n{options}")
}

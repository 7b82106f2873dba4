//! `GET /api/v1/models`.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use cyberbara::types::{ErrorCode, ModelInfo, ModelList};
use std::collections::HashMap;

use crate::auth::authenticate;
use crate::reply::{data, parse_media_type, ApiError, ApiResult};
use crate::state::Shared;

/// v1 documents `"image" or "video"`; the live API also accepts audio and music and then
/// lists all four (api-evolution.md), and so does this server.
pub(super) const INVALID_MEDIA_TYPE: &str =
    "media_type must be \"image\", \"video\", \"audio\" or \"music\".";

pub(super) async fn list_models(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    authenticate(&state, &headers)?;
    let filter = match query.get("media_type") {
        None => None,
        Some(s) => Some(
            parse_media_type(s)
                .ok_or_else(|| ApiError::bad(ErrorCode::InvalidMediaType, INVALID_MEDIA_TYPE))?,
        ),
    };
    let models: Vec<ModelInfo> = state
        .listed_models()
        .into_iter()
        .filter(|m| filter.as_ref().is_none_or(|f| &m.media_type == f))
        .collect();
    let total = models.len();
    Ok(data(ModelList { models, total }))
}

//! Who is calling: the account behind the request's API key.

use axum::http::{header, HeaderMap, StatusCode};
use cyberbara::types::ErrorCode;

use crate::reply::ApiError;
use crate::state::AppState;
use crate::store::Account;

/// The account of the request's API key (`Authorization: Bearer` first, then `x-api-key`).
pub(crate) fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Account, ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let v = v.trim();
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|k| !k.is_empty());
    let key = bearer.or_else(|| {
        headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|k| !k.is_empty())
    });
    let Some(key) = key else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::ApiKeyRequired,
            "An API key is required: send it as \"Authorization: Bearer <API_KEY>\" or \"x-api-key: <API_KEY>\".",
        ));
    };
    match state.store.account_by_key(key)? {
        Some(account) => Ok(account),
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidApiKey,
            "Invalid API key.",
        )),
    }
}

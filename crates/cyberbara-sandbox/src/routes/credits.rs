//! `GET /credits/balance`, `POST /credits/quote` and `GET /credits/usage`.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use cyberbara::types::{
    Balance, ErrorCode, MediaType, Quote, Scene, Usage, UsageItem, UsageSummary,
};
use std::collections::HashMap;

use super::models::INVALID_MEDIA_TYPE;
use crate::auth::authenticate;
use crate::input_facts::input_facts;
use crate::pricing;
use crate::reply::{
    data, generation_request, json_object, optional_string, parse_media_type, ApiError, ApiResult,
    JsonBody,
};
use crate::state::Shared;
use crate::store::iso_ms;

pub(super) async fn balance(State(state): State<Shared>, headers: HeaderMap) -> ApiResult {
    let account = authenticate(&state, &headers)?;
    Ok(data(Balance {
        user_id: account.id,
        remaining_credits: account.credits,
        updated_at: Some(iso_ms(account.updated_ms)),
    }))
}

/// Quote refuses exactly what generation refuses about the model and the scene (same codes,
/// same messages, through `Catalogue::validate`); the prompt and the options are not
/// judged, since a price can be asked for before they are written.
pub(super) async fn quote(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: JsonBody,
) -> ApiResult {
    let account = authenticate(&state, &headers)?;
    let map = json_object(body)?;
    let media_type = match optional_string(&map, "media_type", ErrorCode::InvalidMediaType)? {
        None => None,
        Some(s) => Some(
            parse_media_type(&s)
                .ok_or_else(|| ApiError::bad(ErrorCode::InvalidMediaType, INVALID_MEDIA_TYPE))?,
        ),
    };
    let request = generation_request(&map)?;
    let catalogue = state.catalogue();
    let spec = catalogue.model(request.model.trim());
    // Without a media_type the model's own route is assumed; an unknown model is refused
    // on any route.
    let route = media_type
        .or_else(|| spec.map(|s| s.media_type.clone()))
        .unwrap_or(MediaType::Image);
    if let Err(errors) = catalogue.validate(&request, &route) {
        if errors
            .first()
            .is_some_and(|e| e.field == "model" || e.field == "scene")
        {
            return Err(ApiError::refusal(errors));
        }
    }
    let Some(spec) = spec else {
        return Err(ApiError::refusal(Vec::new()));
    };
    let model = spec.model.clone();
    let scene = request.scene;
    let options = request.options;
    let facts = input_facts(&state, &options);
    let price = pricing::price(&model, &spec.media_type, scene.as_ref(), &options, &facts);
    Ok(data(Quote {
        model,
        media_type: spec.media_type.clone(),
        scene,
        estimated_credits: price.credits,
        remaining_credits: account.credits,
        can_afford: account.credits >= price.credits,
        pricing_rule: Some(price.rule),
        fallback_pricing: price.fallback,
    }))
}

/// `from`/`to`: ISO datetime, or a date (UTC start of day for `from`, end of day for `to`).
fn parse_bound(s: &str, end_of_day: bool) -> Result<i64, ApiError> {
    let invalid = || {
        ApiError::bad(
            ErrorCode::InvalidDate,
            "Invalid date format. Use ISO datetime or YYYY-MM-DD.",
        )
    };
    let s = s.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(dt.timestamp_millis());
    }
    if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(naive.and_utc().timestamp_millis());
    }
    if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
        return Ok(naive.and_utc().timestamp_millis());
    }
    let date = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| invalid())?;
    let time = if end_of_day {
        chrono::NaiveTime::from_hms_milli_opt(23, 59, 59, 999)
    } else {
        chrono::NaiveTime::from_hms_milli_opt(0, 0, 0, 0)
    }
    .ok_or_else(invalid)?;
    Ok(date.and_time(time).and_utc().timestamp_millis())
}

fn parse_positive(
    query: &HashMap<String, String>,
    key: &str,
    default: u32,
) -> Result<u32, ApiError> {
    match query.get(key) {
        None => Ok(default),
        Some(s) => match s.trim().parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(ApiError::bad(
                ErrorCode::InvalidRequest,
                format!("\"{key}\" must be a whole number of at least 1."),
            )),
        },
    }
}

pub(crate) const MAX_USAGE_LIMIT: u32 = 100;

pub(super) async fn usage(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    let account = authenticate(&state, &headers)?;
    let page = parse_positive(&query, "page", 1)?;
    // A limit above the maximum is clamped (not refused), like the live API's paging.
    let limit = parse_positive(&query, "limit", 20)?.min(MAX_USAGE_LIMIT);
    let from = query
        .get("from")
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_bound(s, false))
        .transpose()?;
    let to = query
        .get("to")
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_bound(s, true))
        .transpose()?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(ApiError::bad(
                ErrorCode::InvalidDateRange,
                "The \"from\" date must be earlier than the \"to\" date.",
            ));
        }
    }
    let (rows, total, sum) = state.store.usage(&account.id, from, to, page, limit)?;
    let items: Vec<UsageItem> = rows
        .into_iter()
        .map(|r| UsageItem {
            id: r.id,
            transaction_no: r.transaction_no,
            credits_consumed: r.credits,
            scene: r.scene.map(|s| Scene::parse(&s)),
            description: Some(r.description),
            media_type: r.media_type.map(|m| MediaType::parse(&m)),
            task_id: r.task_id,
            created_at: iso_ms(r.created_ms),
        })
        .collect();
    let total_pages = total.div_ceil(u64::from(limit));
    Ok(data(Usage {
        summary: UsageSummary {
            page,
            limit,
            total,
            total_pages,
            total_credits_consumed: sum,
            from: from.map(iso_ms),
            to: to.map(iso_ms),
        },
        items,
    }))
}

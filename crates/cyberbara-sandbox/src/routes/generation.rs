//! `POST /api/v1/{images,videos,audio,music}/generations`: validate, charge, start.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use cyberbara::types::{CreatedCredits, ErrorCode, MediaType, TaskCreated};
use serde_json::json;

use crate::auth::authenticate;
use crate::input_facts::input_facts;
use crate::reply::{data, generation_request, json_object, ApiError, ApiResult, JsonBody};
use crate::state::Shared;
use crate::store::{iso_ms, ChargeOutcome};
use crate::{pricing, tasks};

pub(super) async fn generate_image(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: JsonBody,
) -> ApiResult {
    generate(s, headers, body, MediaType::Image).await
}

pub(super) async fn generate_video(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: JsonBody,
) -> ApiResult {
    generate(s, headers, body, MediaType::Video).await
}

pub(super) async fn generate_audio(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: JsonBody,
) -> ApiResult {
    generate(s, headers, body, MediaType::Audio).await
}

pub(super) async fn generate_music(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: JsonBody,
) -> ApiResult {
    generate(s, headers, body, MediaType::Music).await
}

async fn generate(
    state: Shared,
    headers: HeaderMap,
    body: JsonBody,
    route: MediaType,
) -> ApiResult {
    let account = authenticate(&state, &headers)?;
    let map = json_object(body)?;
    let request = generation_request(&map)?;
    let facts = input_facts(&state, &request.options);
    let normalized = state
        .catalogue()
        .validate_with(&request, &route, &facts)
        .map_err(ApiError::refusal)?;
    let price = pricing::price(
        &normalized.model,
        &normalized.media_type,
        Some(&normalized.scene),
        &normalized.options,
        &facts,
    );
    let plan = tasks::plan(&state, &account, &normalized);
    let task = tasks::new_row(
        &account,
        &normalized,
        price.credits,
        &plan,
        state.clock.now_ms(),
    );
    let description = format!("generate {}", normalized.media_type);
    let charged = state.store.charge_and_create(&task, &description);
    if !matches!(charged, Ok(ChargeOutcome::Charged { .. })) {
        if let Some(scripted) = plan.scripted {
            state.controls.give_back_next_task(&account.id, scripted);
        }
    }
    match charged? {
        ChargeOutcome::Insufficient { remaining } => Err(ApiError::new(
            StatusCode::PAYMENT_REQUIRED,
            ErrorCode::InsufficientCredits,
            "Insufficient credits.",
        )
        .with_details(json!({ "required": price.credits, "remaining": remaining }))),
        ChargeOutcome::Charged { remaining } => {
            tasks::spawn_worker(state.clone(), task.clone());
            Ok(data(TaskCreated {
                task_id: task.id.clone(),
                status: cyberbara::types::TaskStatus::Pending,
                media_type: normalized.media_type,
                model: normalized.model,
                scene: Some(normalized.scene),
                credits: CreatedCredits {
                    cost: price.credits,
                    remaining,
                },
                created_at: iso_ms(task.created_ms),
            }))
        }
    }
}

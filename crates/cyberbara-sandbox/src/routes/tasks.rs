//! `GET /api/v1/tasks/{id}`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use cyberbara::types::{ErrorCode, TaskEnvelope};

use crate::auth::authenticate;
use crate::reply::{data, ApiError, ApiResult};
use crate::state::Shared;
use crate::tasks;

pub(super) async fn get_task(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(task_id): Path<String>,
) -> ApiResult {
    let account = authenticate(&state, &headers)?;
    let id = uuid::Uuid::parse_str(task_id.trim()).map_err(|_| {
        ApiError::bad(
            ErrorCode::InvalidTaskId,
            format!("\"{task_id}\" is not a task id; task ids are UUIDs."),
        )
    })?;
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::TaskNotFound,
            "Task not found.",
        )
    };
    let row = state
        .store
        .task(&id.hyphenated().to_string())?
        .ok_or_else(not_found)?;
    if row.account_id != account.id {
        return Err(not_found());
    }
    Ok(data(TaskEnvelope {
        task: tasks::view(&row, state.clock.now_ms(), &state.base_url),
    }))
}

//! The HTTP surface: `/api/v1/*`, the public file URLs and, when enabled, the test
//! controls under `/_sandbox/`. Handlers parse and answer; the work is done by the
//! services (`tasks`, `render`, `pricing`) and the store.

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use cyberbara::types::ErrorCode;

use crate::reply::ApiError;
use crate::state::Shared;

mod controls;
mod credits;
mod files;
mod generation;
mod models;
mod tasks;
mod uploads;

pub(crate) fn router(state: Shared) -> Router {
    // Whole-request caps sit above the per-file limits so that the per-file check
    // (which names the file) is what a client normally meets.
    let image_uploads =
        post(uploads::upload_images).layer(DefaultBodyLimit::max(uploads::IMAGE_REQUEST_LIMIT));
    let video_uploads =
        post(uploads::upload_videos).layer(DefaultBodyLimit::max(uploads::VIDEO_REQUEST_LIMIT));
    let api = Router::new()
        .route("/api/v1/models", get(models::list_models))
        .route("/api/v1/uploads/images", image_uploads)
        .route("/api/v1/uploads/videos", video_uploads)
        .route("/api/v1/credits/balance", get(credits::balance))
        .route("/api/v1/credits/quote", post(credits::quote))
        .route("/api/v1/credits/usage", get(credits::usage))
        .route(
            "/api/v1/images/generations",
            post(generation::generate_image),
        )
        .route(
            "/api/v1/videos/generations",
            post(generation::generate_video),
        )
        .route(
            "/api/v1/audio/generations",
            post(generation::generate_audio),
        )
        .route(
            "/api/v1/audios/generations",
            post(generation::generate_audio),
        )
        .route(
            "/api/v1/music/generations",
            post(generation::generate_music),
        )
        .route("/api/v1/tasks/{task_id}", get(tasks::get_task))
        .route(
            "/uploads/{*key}",
            get(files::serve_blob).head(files::serve_blob),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    if !state.test_controls {
        return api.with_state(state);
    }
    // Counting and faults apply to every route but the controls themselves.
    let api = api.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        controls::apply_faults,
    ));
    api.merge(controls::router()).with_state(state)
}

async fn not_found(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::Other("not_found".into()),
        format!(
            "No route {} {}; see the CyberBara API v1 reference for the available routes.",
            req.method(),
            req.uri().path()
        ),
    )
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::Other("method_not_allowed".into()),
        format!("{} is not allowed on {}.", req.method(), req.uri().path()),
    )
}

//! The `/api/v1` routes, the reply envelopes and authentication.

use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use cyberbara::catalogue::Catalogue;
use cyberbara::types::{
    ApiErrorBody, Balance, CreatedCredits, DataEnvelope, ErrorCode, ErrorEnvelope,
    GenerationRequest, MediaType, ModelInfo, ModelList, Quote, Scene, TaskCreated, TaskEnvelope,
    Usage, UsageItem, UsageSummary,
};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tokio::sync::watch;

use crate::controls::{self, Controls};
use crate::store::{iso_ms, now_ms, Account, ChargeOutcome, Store, StoreError};
use crate::{pricing, tasks, uploads, SandboxConfig};

pub(crate) struct AppState {
    pub store: Store,
    pub base_url: String,
    pub speed: f64,
    pub fail_rate: f64,
    /// Balance of accounts the test controls create implicitly.
    pub default_credits: i64,
    pub extra_models: Vec<ModelInfo>,
    catalogue: OnceLock<Catalogue>,
    pub controls: Controls,
    pub shutdown: watch::Receiver<bool>,
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
            controls: Controls::default(),
            shutdown,
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

// ---------------------------------------------------------------- errors

/// An error reply: `{"error": {"code", "message", "details"}}` with an HTTP status.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub details: Option<Value>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    pub(crate) fn bad(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub(crate) fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub(crate) fn internal(what: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {what}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "The sandbox hit an internal error; see its log and try again.",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorEnvelope {
            error: ApiErrorBody {
                code: self.code,
                message: self.message,
                details: self.details,
            },
        };
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

pub(crate) type ApiResult = Result<Response, ApiError>;

pub(crate) fn data<T: serde::Serialize>(value: T) -> Response {
    Json(DataEnvelope { data: value }).into_response()
}

// ---------------------------------------------------------------- auth

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

// ---------------------------------------------------------------- router

pub(crate) fn router(state: Shared) -> Router {
    // Whole-request caps sit above the per-file limits so that the per-file check
    // (which names the file) is what a client normally meets.
    let image_uploads =
        post(uploads::upload_images).layer(DefaultBodyLimit::max(uploads::IMAGE_REQUEST_LIMIT));
    let video_uploads =
        post(uploads::upload_videos).layer(DefaultBodyLimit::max(uploads::VIDEO_REQUEST_LIMIT));
    let api = Router::new()
        .route("/api/v1/models", get(list_models))
        .route("/api/v1/uploads/images", image_uploads)
        .route("/api/v1/uploads/videos", video_uploads)
        .route("/api/v1/credits/balance", get(balance))
        .route("/api/v1/credits/quote", post(quote))
        .route("/api/v1/credits/usage", get(usage))
        .route("/api/v1/images/generations", post(generate_image))
        .route("/api/v1/videos/generations", post(generate_video))
        .route("/api/v1/audio/generations", post(generate_audio))
        .route("/api/v1/audios/generations", post(generate_audio))
        .route("/api/v1/music/generations", post(generate_music))
        .route("/api/v1/tasks/{task_id}", get(get_task))
        .route(
            "/uploads/{*key}",
            get(uploads::serve_blob).head(uploads::serve_blob),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
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

// ---------------------------------------------------------------- helpers

/// The body of a JSON route, or the reason it could not be read (too large: 413).
pub(crate) type JsonBody = Result<Bytes, BytesRejection>;

/// Parses a JSON object body; anything else is `invalid_json`.
fn json_object(body: JsonBody) -> Result<Map<String, Value>, ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::InvalidRequest,
                "The request body is larger than the 2 MB a JSON route accepts.",
            )
        } else {
            ApiError::bad(
                ErrorCode::InvalidJson,
                format!("The request body could not be read: {}.", e.body_text()),
            )
        }
    })?;
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad(
            ErrorCode::InvalidJson,
            format!("The request body is not valid JSON: {e}."),
        )
    })?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::bad(
            ErrorCode::InvalidJson,
            "The request body must be a JSON object.",
        )),
    }
}

fn optional_string(
    map: &Map<String, Value>,
    key: &str,
    code: ErrorCode,
) -> Result<Option<String>, ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad(code, format!("\"{key}\" must be a string."))),
    }
}

fn options_of(map: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    match map.get("options") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(o)) => Ok(o.clone()),
        Some(_) => Err(ApiError::bad(
            ErrorCode::InvalidRequest,
            "\"options\" must be an object.",
        )),
    }
}

fn parse_media_type(s: &str) -> Option<MediaType> {
    let m = MediaType::parse(s);
    m.is_known().then_some(m)
}

// ---------------------------------------------------------------- models

/// v1 documents `"image" or "video"`; the live API also accepts audio and music and then
/// lists all four (api-evolution.md), and so does this server.
const INVALID_MEDIA_TYPE: &str = "media_type must be \"image\", \"video\", \"audio\" or \"music\".";

async fn list_models(
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

// ---------------------------------------------------------------- credits

async fn balance(State(state): State<Shared>, headers: HeaderMap) -> ApiResult {
    let account = authenticate(&state, &headers)?;
    Ok(data(Balance {
        user_id: account.id,
        remaining_credits: account.credits,
        updated_at: Some(iso_ms(account.updated_ms)),
    }))
}

/// The reference's message for `unsupported_model`, on the quote and generation routes alike.
const UNSUPPORTED_MODEL: &str = "Model is not supported.";

async fn quote(State(state): State<Shared>, headers: HeaderMap, body: JsonBody) -> ApiResult {
    let account = authenticate(&state, &headers)?;
    let map = json_object(body)?;
    let model = match map.get("model") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => {
            return Err(ApiError::bad(
                ErrorCode::InvalidModel,
                "\"model\" is required and must be a non-empty string.",
            ))
        }
    };
    let media_type = match optional_string(&map, "media_type", ErrorCode::InvalidMediaType)? {
        None => None,
        Some(s) => Some(
            parse_media_type(&s)
                .ok_or_else(|| ApiError::bad(ErrorCode::InvalidMediaType, INVALID_MEDIA_TYPE))?,
        ),
    };
    let scene = optional_string(&map, "scene", ErrorCode::InvalidScene)?.map(|s| Scene::parse(&s));
    let options = options_of(&map)?;
    let Some(spec) = state.catalogue().model(&model) else {
        return Err(ApiError::bad(
            ErrorCode::UnsupportedModel,
            UNSUPPORTED_MODEL,
        ));
    };
    if let Some(m) = &media_type {
        if m != &spec.media_type {
            return Err(ApiError::bad(
                ErrorCode::InvalidModelForMediaType,
                format!(
                    "Model \"{model}\" makes {} but media_type is \"{m}\".",
                    spec.media_type
                ),
            ));
        }
    }
    if let Some(s) = &scene {
        if !s.is_known() {
            return Err(ApiError::bad(
                ErrorCode::InvalidScene,
                format!("Unknown scene \"{s}\"."),
            ));
        }
        if !spec.scenes.contains(s) {
            return Err(ApiError::bad(
                ErrorCode::SceneNotSupported,
                format!("Model \"{model}\" does not support scene \"{s}\"."),
            ));
        }
    }
    let price = pricing::price(&model, &spec.media_type, scene.as_ref(), &options);
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

async fn usage(
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

// ---------------------------------------------------------------- generation

async fn generate_image(State(s): State<Shared>, headers: HeaderMap, body: JsonBody) -> ApiResult {
    generate(s, headers, body, MediaType::Image).await
}

async fn generate_video(State(s): State<Shared>, headers: HeaderMap, body: JsonBody) -> ApiResult {
    generate(s, headers, body, MediaType::Video).await
}

async fn generate_audio(State(s): State<Shared>, headers: HeaderMap, body: JsonBody) -> ApiResult {
    generate(s, headers, body, MediaType::Audio).await
}

async fn generate_music(State(s): State<Shared>, headers: HeaderMap, body: JsonBody) -> ApiResult {
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
    let request = GenerationRequest {
        model: optional_string(&map, "model", ErrorCode::InvalidModel)?.unwrap_or_default(),
        prompt: optional_string(&map, "prompt", ErrorCode::InvalidRequest)?,
        scene: optional_string(&map, "scene", ErrorCode::InvalidScene)?.map(|s| Scene::parse(&s)),
        options: options_of(&map)?,
    };
    let normalized = state
        .catalogue()
        .validate(&request, &route)
        .map_err(|errors| {
            let first = errors.first().cloned();
            let (code, message) = match first {
                // The reference gives this code's message verbatim; the catalogue's fuller
                // sentence stays in details.errors.
                Some(e) if e.code == ErrorCode::UnsupportedModel => {
                    (e.code, UNSUPPORTED_MODEL.to_string())
                }
                Some(e) => (e.code, e.message),
                None => (
                    ErrorCode::InvalidRequest,
                    "The request was refused.".to_string(),
                ),
            };
            ApiError::bad(code, message).with_details(json!({ "errors": errors }))
        })?;
    let price = pricing::price(
        &normalized.model,
        &normalized.media_type,
        Some(&normalized.scene),
        &normalized.options,
    );
    let plan = tasks::plan(&state, &account, &normalized);
    let task = tasks::new_row(&account, &normalized, price.credits, &plan);
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

// ---------------------------------------------------------------- tasks

async fn get_task(
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
        task: tasks::view(&row, now_ms(), &state.base_url),
    }))
}

//! Replies: the error envelope every route answers with, the data envelope, and reading
//! JSON bodies into the shapes the routes expect.

use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use cyberbara::types::{
    ApiErrorBody, DataEnvelope, ErrorCode, ErrorEnvelope, GenerationRequest, MediaType, Scene,
};
use cyberbara::validate::FieldError;
use serde_json::{Map, Value};

use crate::store::StoreError;

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

/// The body of a JSON route, or the reason it could not be read (too large: 413).
pub(crate) type JsonBody = Result<Bytes, BytesRejection>;

/// Parses a JSON object body; anything else is `invalid_json`.
pub(crate) fn json_object(body: JsonBody) -> Result<Map<String, Value>, ApiError> {
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

pub(crate) fn optional_string(
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

pub(crate) fn options_of(map: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    match map.get("options") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(o)) => Ok(o.clone()),
        Some(_) => Err(ApiError::bad(
            ErrorCode::InvalidRequest,
            "\"options\" must be an object.",
        )),
    }
}

pub(crate) fn parse_media_type(s: &str) -> Option<MediaType> {
    let m = MediaType::parse(s);
    m.is_known().then_some(m)
}

/// The reference's message for `unsupported_model`, on the quote and generation routes alike.
pub(crate) const UNSUPPORTED_MODEL: &str = "Model is not supported.";

impl ApiError {
    /// The reply to a request `Catalogue::validate` refused: the first error's code and
    /// message (for `unsupported_model` the reference's own sentence), every error in
    /// `details.errors`. Quote and generation both answer with it.
    pub(crate) fn refusal(errors: Vec<FieldError>) -> ApiError {
        let (code, message) = match errors.first() {
            Some(e) if e.code == ErrorCode::UnsupportedModel => {
                (e.code.clone(), UNSUPPORTED_MODEL.to_string())
            }
            Some(e) => (e.code.clone(), e.message.clone()),
            None => (
                ErrorCode::InvalidRequest,
                "The request was refused.".to_string(),
            ),
        };
        ApiError::bad(code, message).with_details(serde_json::json!({ "errors": errors }))
    }
}

/// The `model`, `prompt`, `scene` and `options` of a generation or quote body.
pub(crate) fn generation_request(map: &Map<String, Value>) -> Result<GenerationRequest, ApiError> {
    Ok(GenerationRequest {
        model: optional_string(map, "model", ErrorCode::InvalidModel)?.unwrap_or_default(),
        prompt: optional_string(map, "prompt", ErrorCode::InvalidRequest)?,
        scene: optional_string(map, "scene", ErrorCode::InvalidScene)?.map(|s| Scene::parse(&s)),
        options: options_of(map)?,
    })
}

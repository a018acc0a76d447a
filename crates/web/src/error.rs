//! One error type for the HTTP layer, mapped to a response in one place: user-facing refusals
//! keep their Chinese message and field errors; internal failures are logged with their cause
//! and shown as a generic message with no internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use erjian_store::Error;

/// An error from a JSON API handler.
#[derive(Debug)]
pub struct ApiError(pub Error);

/// Every refusal of the JSON API: one Chinese sentence and, for bad input, the fields at fault.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in Chinese.
    pub error: String,
    /// For bad input: each field at fault and what to do.
    pub fields: Vec<FieldMessage>,
}

/// One field at fault.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FieldMessage {
    pub field: String,
    pub message: String,
}

/// The refusals any operation for a signed-in caller may answer, each an [`ErrorBody`]: the
/// statuses [`classify`] gives, and the rate limiter's 429.
pub struct Refusals;

impl utoipa::IntoResponses for Refusals {
    fn responses() -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::response::Response>> {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        [
            ("401", "未登录或登录已过期"),
            ("403", "无权查看或办理"),
            ("404", "不存在"),
            ("409", "当前状态不允许，或重复办理"),
            ("422", "提交的信息有误"),
            ("423", "已锁定"),
            ("429", "请求过于频繁"),
        ]
        .into_iter()
        .map(|(code, why)| {
            let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
            (code.to_owned(), ResponseBuilder::new().description(why).content("application/json", body).build().into())
        })
        .collect()
    }
}

impl From<erjian_domain::FieldError> for FieldMessage {
    fn from(f: erjian_domain::FieldError) -> Self {
        FieldMessage { field: f.field, message: f.message }
    }
}

/// An error from a page handler (rendered as an HTML page).
#[derive(Debug)]
pub struct PageError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl<E: Into<Error>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

/// The status and the message a user may see.
pub fn classify(e: &Error) -> (StatusCode, String) {
    match e {
        Error::NotFound(m) => (StatusCode::NOT_FOUND, (*m).to_owned()),
        Error::Forbidden => (StatusCode::FORBIDDEN, e.to_string()),
        Error::Conflict(m) => (StatusCode::CONFLICT, m.clone()),
        Error::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
        Error::Transition(t) => {
            let forbidden = matches!(t, erjian_domain::workflow::TransitionError::Forbidden { .. });
            (if forbidden { StatusCode::FORBIDDEN } else { StatusCode::CONFLICT }, t.to_string())
        }
        Error::Locked(m) => (StatusCode::LOCKED, m.clone()),
        Error::BadCredentials => (StatusCode::UNAUTHORIZED, e.to_string()),
        Error::Db(_) | Error::Other(_) => {
            tracing::error!(error = %e, request_id = crate::telemetry::request_id().unwrap_or_default(), "internal error");
            (StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙，请稍后再试".to_owned())
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = classify(&self.0);
        let fields = match &self.0 {
            Error::Invalid(f) => f.clone(),
            _ => vec![],
        };
        (status, Json(ErrorBody { error: message, fields: fields.into_iter().map(FieldMessage::from).collect() })).into_response()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, message) = classify(&self.0);
        if status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/login").into_response();
        }
        crate::pages::error_page(status, &message)
    }
}

/// A CSV import refused as a whole: the message, and each line at fault (nothing was imported).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RowsRefused {
    pub error: String,
    pub fields: Vec<FieldMessage>,
    pub rows: Vec<erjian_domain::qualification::RowError>,
}

impl RowsRefused {
    /// The 422 answer for these rows.
    pub fn answer(rows: Vec<erjian_domain::qualification::RowError>) -> Response {
        let body = RowsRefused { error: "文件未导入：以下各行有误".to_owned(), fields: vec![], rows };
        (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
    }
}

//! Extractors that validate the request body and answer bad input in Chinese: malformed JSON or
//! an incomplete form is refused with a clear message, never with the framework's English text.

use crate::error::{ApiError, PageError};
use axum::extract::{FromRequest, Request};
use erjian_store::Error;
use serde::de::DeserializeOwned;

/// A JSON request body; a malformed or incomplete body is a 422 with a Chinese message.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => {
                tracing::debug!(%rejection, "bad JSON body");
                let why = match rejection {
                    axum::extract::rejection::JsonRejection::MissingJsonContentType(_) => "请以 application/json 提交".to_owned(),
                    axum::extract::rejection::JsonRejection::JsonSyntaxError(_) => "请求内容不是有效的 JSON".to_owned(),
                    axum::extract::rejection::JsonRejection::JsonDataError(e) => {
                        format!("请求内容缺少字段或字段类型不正确（{}）", e.body_text().rsplit(": ").next().unwrap_or(""))
                    }
                    _ => "请求内容无法读取".to_owned(),
                };
                Err(ApiError(Error::invalid("body", why)))
            }
        }
    }
}

/// A URL-encoded form body; an incomplete form asks the user to reload the page.
pub struct FormBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormBody<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(FormBody(v)),
            Err(rejection) => {
                tracing::debug!(%rejection, "bad form body");
                Err(PageError(Error::Conflict("提交的表单内容不完整，请刷新页面后重新填写提交".into())))
            }
        }
    }
}

/// Parses a JSON body already read as bytes, with the same Chinese answers as [`JsonBody`].
pub fn json_from_bytes<T: DeserializeOwned>(headers: &axum::http::HeaderMap, body: &[u8]) -> Result<T, ApiError> {
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
    if !is_json {
        return Err(ApiError(Error::invalid("body", "请以 application/json 提交")));
    }
    serde_json::from_slice(body).map_err(|e| {
        let why = match e.classify() {
            serde_json::error::Category::Data => format!("请求内容缺少字段或字段类型不正确（{e}）"),
            _ => "请求内容不是有效的 JSON".to_owned(),
        };
        ApiError(Error::invalid("body", why))
    })
}

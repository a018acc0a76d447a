//! Extractors that validate the request and answer bad input in Chinese: malformed JSON, an
//! incomplete form, a query string or a path segment of the wrong type is refused with a clear
//! message (422, or 404 for a path that names nothing), never with the framework's English 400.

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

/// Query-string parameters; a value of the wrong type is a 422 naming the parameter.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(QueryParams(v)),
            Err(rejection) => {
                tracing::debug!(%rejection, "bad query string");
                Err(ApiError(Error::invalid("query", "查询参数格式不正确")))
            }
        }
    }
}

/// Path parameters; a segment of the wrong type names nothing: 404.
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> axum::extract::FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(PathParams(v)),
            Err(rejection) => {
                tracing::debug!(%rejection, "bad path parameter");
                Err(ApiError(Error::NotFound("地址不存在")))
            }
        }
    }
}

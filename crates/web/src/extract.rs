//! Extractors that validate the request and answer bad input in Chinese: malformed JSON, an
//! incomplete form, a query string or a path segment of the wrong type is refused with a clear
//! message (422, or 404 for a path that names nothing), never with the framework's English 400.

use crate::error::{ApiError, PageError};
use axum::extract::{FromRequest, Request};
use erjian_store::Error;
use serde::de::DeserializeOwned;

/// A JSON request body; a malformed or incomplete body is a 422 with a Chinese message. A number
/// with a zero fraction (`2970.0`) is the integer it equals, as JSON Schema reads it: an integer
/// field takes it.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => typed(v).map(JsonBody),
            Err(rejection) => {
                tracing::debug!(%rejection, "bad JSON body");
                let why = match rejection {
                    axum::extract::rejection::JsonRejection::MissingJsonContentType(_) => "请以 application/json 提交".to_owned(),
                    axum::extract::rejection::JsonRejection::JsonSyntaxError(_) => "请求内容不是有效的 JSON".to_owned(),
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
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|_| ApiError(Error::invalid("body", "请求内容不是有效的 JSON")))?;
    typed(value)
}

/// The body as `T`, integral floats read as integers; a missing field or a wrong type is a 422.
fn typed<T: DeserializeOwned>(mut value: serde_json::Value) -> Result<T, ApiError> {
    integral(&mut value);
    serde_json::from_value(value).map_err(|e| {
        tracing::debug!(error = %e, "JSON body of the wrong shape");
        ApiError(Error::invalid("body", format!("请求内容缺少字段或字段类型不正确（{e}）")))
    })
}

/// Turns every number with a zero fraction within the range of `i64` into that integer.
fn integral(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                *value = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(integral),
        _ => {}
    }
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

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Hours {
        compulsory: u32,
        version: Option<i64>,
        nested: Vec<u8>,
    }

    /// schemathesis sent `"ce_elective": 2970.0`, an integer by JSON Schema, and got a 422.
    #[test]
    fn integral_floats_are_integers_and_fractions_are_refused() {
        let v = serde_json::json!({ "compulsory": 2970.0, "version": -3.0, "nested": [1.0, 2] });
        assert_eq!(super::typed::<Hours>(v).unwrap(), Hours { compulsory: 2970, version: Some(-3), nested: vec![1, 2] });
        let v = serde_json::json!({ "compulsory": 29.5, "nested": [] });
        let e = super::typed::<Hours>(v).unwrap_err();
        assert!(format!("{:?}", e.0).contains("字段类型不正确"), "{:?}", e.0);
        let v = serde_json::json!({ "compulsory": 1e300, "nested": [] });
        assert!(super::typed::<Hours>(v).is_err(), "out of range stays a float");
    }
}

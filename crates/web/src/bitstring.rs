//! `GET /api/public/status-list/bitstring`: the compact status list (after the W3C Bitstring
//! Status List) — two bits per certificate at the fixed index its QR statement carries,
//! gzip-compressed, signed with the status-list key (SM2). Built from the stored chunks only
//! when the list's version moved, kept per version; `ETag` / `If-None-Match` let a verifier
//! keep its copy (304). `erjian verify-qr PAYLOAD --list FILE` checks a statement against a
//! downloaded list offline.

use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use erjian_cert::statement::{bitstring_list_text, sign_status_list};

/// The answer's JSON: the signed text and what a verifier needs beside it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Answer<'a> {
    format: &'static str,
    version: i64,
    length: usize,
    /// The signed text: header lines and `encoded-list:` base64url(gzip(bits)).
    list: &'a str,
    signature: String,
    certificate: String,
}

/// 压缩的位串状态列表
///
/// Two bits per certificate at the index its QR statement carries (00 valid, 01 suspended,
/// 10 no longer valid), gzip + base64url, signed as a whole; `If-None-Match` answers 304.
#[utoipa::path(get, path = "/api/public/status-list/bitstring", tag = "公众核验", security(()),
    params(("If-None-Match" = Option<String>, Header, description = "上次应答的 ETag")),
    responses((status = 200, body = Answer), (status = 304, description = "未变化"), (status = 429, body = crate::error::ErrorBody)))]
pub async fn bitstring(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let version = state.store.status_version().await?;
    let etag = format!("\"bsl-{version}\"");
    let fresh = headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let caching = [(CACHE_CONTROL, "public, max-age=60".to_owned()), (ETAG, etag.clone())];
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, caching).into_response());
    }
    let mut cache = state.bitstring.lock().await;
    let body = match cache.as_ref() {
        Some((v, body)) if *v == version => body.clone(),
        _ => {
            let (version, length, bytes) = state.store.status_bitstring().await?;
            let issued_at = state.clock.now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let text = bitstring_list_text(&state.issuer.authority.name, version, &issued_at, length, &bytes);
            let answer = Answer {
                format: "erjian-bitstring-status-list/1",
                version,
                length,
                signature: sign_status_list(&text, &state.issuer.list_key.key),
                list: &text,
                certificate: state.issuer.list_key.cert_pem(),
            };
            let body = Bytes::from(serde_json::to_vec(&answer).map_err(|e| erjian_store::Error::Other(e.into()))?);
            *cache = Some((version, body.clone()));
            body
        }
    };
    Ok(([(CONTENT_TYPE, "application/json".to_owned()), caching[0].clone(), caching[1].clone()], body).into_response())
}

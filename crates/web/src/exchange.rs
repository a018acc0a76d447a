//! The existing register (存量注册): the authority's import of registrations from the previous
//! system, and the holders' exchanges — a paper certificate for the first electronic one, and
//! (where the profile offers it) the new-version certificate with a handwritten signature.
//! Pages and JSON API side by side; each exchange issues at once, without review.

use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::JsonBody;
use crate::AppState;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use erjian_domain::workflow::Role;
use erjian_store::qualifications::ImportError;
use erjian_store::Error;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/registrations/import", post(import_api))
        .route("/api/certificates/paper-exchange", post(paper_api))
        .route("/api/certificates/new-version", post(new_version_api))
        .route("/certificates/paper-exchange", post(paper_page))
        .route("/certificates/new-version", post(new_version_page))
}

/// The CSV file as the body (存量注册导入); province authority or administrator.
async fn import_api(State(state): State<AppState>, user: ApiUser, body: axum::body::Bytes) -> Result<Response, ApiError> {
    if !matches!(user.actor.role, Role::Admin | Role::ProvinceAuthority) {
        return Err(Error::Forbidden.into());
    }
    match state.store.import_registrations(Some(&user.actor), state.profile().code, &body, state.clock.now()).await {
        Ok(n) => Ok((StatusCode::CREATED, Json(json!({ "imported": n }))).into_response()),
        Err(ImportError::Rows(rows)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "error": "文件未导入：以下各行有误", "rows": rows }))).into_response())
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

fn base64_field(value: Option<&str>, field: &str, what: &str) -> Result<Vec<u8>, Error> {
    let text = value.map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| Error::invalid(field, format!("请上传{what}")))?;
    base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| Error::invalid(field, format!("{what}不是有效的 base64 编码")))
}

#[derive(serde::Deserialize)]
struct PaperBody {
    photo_base64: Option<String>,
    #[serde(default)]
    confirm: bool,
}

async fn paper_api(State(state): State<AppState>, user: ApiUser, JsonBody(b): JsonBody<PaperBody>) -> Result<Response, ApiError> {
    let photo = base64_field(b.photo_base64.as_deref(), "photo", "一寸白底证件照")?;
    let licence = state.store.exchange_paper_certificate(&user.actor, &state.issuer, &photo, b.confirm, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "licence_id": licence }))).into_response())
}

#[derive(serde::Deserialize)]
struct NewVersionBody {
    signature_base64: Option<String>,
}

async fn new_version_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<NewVersionBody>,
) -> Result<Response, ApiError> {
    let signature = base64_field(b.signature_base64.as_deref(), "signature", "手写签名图片")?;
    let licence = state.store.exchange_new_version(&user.actor, &state.issuer, &signature, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "licence_id": licence }))).into_response())
}

/// The fields of an upload form: the CSRF token, text fields and one file.
struct Upload {
    csrf: String,
    confirm: bool,
    file: Vec<u8>,
}

async fn read_upload(mut mp: Multipart, file_field: &str) -> Result<Upload, PageError> {
    let mut u = Upload { csrf: String::new(), confirm: false, file: Vec::new() };
    let bad = |_| PageError(Error::Conflict("上传内容不完整，请重新选择文件".into()));
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => u.csrf = field.text().await.map_err(bad)?,
            Some("confirm") => u.confirm = !field.text().await.map_err(bad)?.is_empty(),
            Some(name) if name == file_field => u.file = field.bytes().await.map_err(bad)?.to_vec(),
            _ => {}
        }
    }
    Ok(u)
}

async fn paper_page(State(state): State<AppState>, user: PageUser, mp: Multipart) -> Result<Response, PageError> {
    let u = read_upload(mp, "photo").await?;
    user.check_csrf(&u.csrf)?;
    if u.file.is_empty() {
        return Err(Error::invalid("photo", "请选择一寸白底证件照").into());
    }
    state.store.exchange_paper_certificate(&user.actor, &state.issuer, &u.file, u.confirm, state.clock.now()).await?;
    Ok(Redirect::to("/portal").into_response())
}

async fn new_version_page(State(state): State<AppState>, user: PageUser, mp: Multipart) -> Result<Response, PageError> {
    let u = read_upload(mp, "signature").await?;
    user.check_csrf(&u.csrf)?;
    state.store.exchange_new_version(&user.actor, &state.issuer, &u.file, state.clock.now()).await?;
    Ok(Redirect::to("/portal").into_response())
}

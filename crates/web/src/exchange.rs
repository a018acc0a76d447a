//! The existing register (存量注册): the authority's import of registrations from the previous
//! system, and the holders' exchanges — a paper certificate for the first electronic one, and
//! (where the profile offers it) the new-version certificate with a handwritten signature.
//! Pages and JSON API side by side; each exchange issues at once, without review.

use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError, RowsRefused};
use crate::extract::JsonBody;
use crate::registrations::NewCertificate;
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

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/registrations/import", post(import_api))
        .route("/api/certificates/paper-exchange", post(paper_api))
        .route("/api/certificates/new-version", post(new_version_api))
        .route("/certificates/paper-exchange", post(paper_page))
        .route("/certificates/new-version", post(new_version_page))
}

/// How many registrations the import took.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RegistrationsImported {
    imported: usize,
}

/// 导入存量注册
///
/// CSV: 注册编号,姓名,身份证号,注册类别,企业统一社会信用代码,专业,有效期起,有效期至 — one row per
/// specialty; all rows or none (省级主管部门或系统管理员).
#[utoipa::path(post, path = "/api/registrations/import", tag = "注册", request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = RegistrationsImported), (status = 422, body = RowsRefused, description = "文件未导入：各行的问题"),
        crate::error::Refusals))]
pub(crate) async fn import_api(State(state): State<AppState>, user: ApiUser, body: axum::body::Bytes) -> Result<Response, ApiError> {
    if !matches!(user.actor.role, Role::Admin | Role::ProvinceAuthority) {
        return Err(Error::Forbidden.into());
    }
    match state.store.import_registrations(Some(&user.actor), state.profile().code, &body, state.clock.now()).await {
        Ok(n) => Ok((StatusCode::CREATED, Json(RegistrationsImported { imported: n })).into_response()),
        Err(ImportError::Rows(rows)) => Ok(RowsRefused::answer(rows)),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// Who before what: only holders exchange their own certificate (an authority or an enterprise is
/// refused before the picture is read).
fn holder(actor: &erjian_store::Actor) -> Result<(), Error> {
    if actor.role == Role::Individual {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

fn base64_field(value: Option<&str>, field: &str, what: &str) -> Result<Vec<u8>, Error> {
    let text = value.map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| Error::invalid(field, format!("请上传{what}")))?;
    base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| Error::invalid(field, format!("{what}不是有效的 base64 编码")))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct PaperBody {
    /// 一寸白底证件照（JPG/PNG，base64）.
    photo_base64: Option<String>,
    /// 本人确认换领（须为 true）.
    #[serde(default)]
    confirm: bool,
}

/// 纸质证书换领电子证书
///
/// Issues the first electronic certificate at once, without review.
#[utoipa::path(post, path = "/api/certificates/paper-exchange", tag = "证书", request_body = PaperBody,
    responses((status = 201, body = NewCertificate), crate::error::Refusals))]
pub(crate) async fn paper_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<PaperBody>,
) -> Result<(StatusCode, Json<NewCertificate>), ApiError> {
    holder(&user.actor)?;
    let photo = base64_field(b.photo_base64.as_deref(), "photo", "一寸白底证件照")?;
    let licence_id = state.store.exchange_paper_certificate(&user.actor, &state.issuer, &photo, b.confirm, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(NewCertificate { licence_id })))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct NewVersionBody {
    /// 手写签名图片（JPG/PNG，base64）.
    signature_base64: Option<String>,
}

/// 换领新版电子证书（上海）
///
/// With a handwritten signature; validity unchanged, the old certificate ends; once a day.
#[utoipa::path(post, path = "/api/certificates/new-version", tag = "证书", request_body = NewVersionBody,
    responses((status = 201, body = NewCertificate), crate::error::Refusals))]
pub(crate) async fn new_version_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<NewVersionBody>,
) -> Result<(StatusCode, Json<NewCertificate>), ApiError> {
    holder(&user.actor)?;
    let signature = base64_field(b.signature_base64.as_deref(), "signature", "手写签名图片")?;
    let licence_id = state.store.exchange_new_version(&user.actor, &state.issuer, &signature, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(NewCertificate { licence_id })))
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

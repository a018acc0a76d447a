//! Usage copies (使用件) over HTTP: the holder makes and downloads them; anyone verifies one by
//! the token in its QR code — the copy's own period and the live status of its certificate.

use crate::auth::{ApiUser, PageUser};
use crate::check::{live, StatusPage};
use crate::error::{ApiError, PageError};
use crate::extract::{FormBody, JsonBody};
use crate::pages::{public_ctx, render};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use erjian_store::usage_copies::UsageCopy;
use erjian_store::Error;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/usage-copies", get(list_api).post(make_api))
        .route("/api/usage-copies/{token}/download", get(download_api))
        .route("/usage-copies", post(make_page))
        .route("/usage-copies/{token}/download", get(download_page))
        .route("/api/verify/copy/{token}", get(verify_api))
        .route("/verify/copy/{token}", get(verify_page))
}

/// A usage copy as a verifier sees it: valid only while both the copy's period runs and the
/// certificate behind it is valid.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CopyCheck {
    pub valid: bool,
    pub label: &'static str,
    pub purpose: String,
    pub valid_until: String,
    pub licence_id: String,
}

fn check(copy: &UsageCopy, certificate_status: &str, today: chrono::NaiveDate) -> CopyCheck {
    let (valid, label) = match (copy.expired_on(today), certificate_status == "valid") {
        (true, _) => (false, "使用件已过期"),
        (false, false) => (false, "使用件无效：所依据的证书已失效"),
        (false, true) => (true, "使用件有效"),
    };
    CopyCheck { valid, label, purpose: copy.purpose.clone(), valid_until: copy.valid_until.clone(), licence_id: copy.licence_id.clone() }
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct MakeBody {
    /// 用途.
    #[serde(default)]
    purpose: String,
    /// 使用期限（天）：不超过省份配置，也不超过证书有效期.
    #[serde(default)]
    days: u32,
}

/// A usage copy made, and where to download it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct CopyMade {
    copy: UsageCopy,
    /// 下载地址.
    download: String,
}

/// 生成使用件（上海）
#[utoipa::path(post, path = "/api/usage-copies", tag = "证书", request_body = MakeBody,
    responses((status = 201, body = CopyMade), crate::error::Refusals))]
pub(crate) async fn make_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<MakeBody>,
) -> Result<(StatusCode, Json<CopyMade>), ApiError> {
    let copy = state.store.make_usage_copy(&user.actor, &state.issuer, &b.purpose, b.days, state.clock.now()).await?;
    let download = format!("/api/usage-copies/{}/download", copy.token);
    Ok((StatusCode::CREATED, Json(CopyMade { copy, download })))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct CopyList {
    copies: Vec<erjian_store::usage_copies::UsageCopy>,
}

/// 本人的使用件
#[utoipa::path(get, path = "/api/usage-copies", tag = "证书", responses((status = 200, body = CopyList), crate::error::Refusals))]
pub(crate) async fn list_api(State(state): State<AppState>, user: ApiUser) -> Result<Json<CopyList>, ApiError> {
    Ok(Json(CopyList { copies: state.store.usage_copies_of(&user.actor).await? }))
}

async fn file(state: &AppState, actor: &erjian_store::Actor, token: &str) -> Result<Response, Error> {
    let (copy, ofd) = state.store.usage_copy_file(actor, token).await?;
    let name = format!("attachment; filename=\"{}-使用件-{}.ofd\"", copy.licence_id, copy.valid_until);
    Ok(([(CONTENT_TYPE, "application/ofd".to_owned()), (CONTENT_DISPOSITION, name), (CACHE_CONTROL, "private, no-store".to_owned())], ofd)
        .into_response())
}

/// 下载使用件（OFD，带电子印章）
#[utoipa::path(get, path = "/api/usage-copies/{token}/download", tag = "证书", params(("token" = String, Path, description = "使用件令牌")),
    responses((status = 200, content_type = "application/ofd", body = crate::openapi::File), crate::error::Refusals))]
pub(crate) async fn download_api(State(state): State<AppState>, user: ApiUser, Path(token): Path<String>) -> Result<Response, ApiError> {
    Ok(file(&state, &user.actor, &token).await?)
}

async fn download_page(State(state): State<AppState>, user: PageUser, Path(token): Path<String>) -> Result<Response, PageError> {
    Ok(file(&state, &user.actor, &token).await?)
}

#[derive(serde::Deserialize)]
struct MakeForm {
    csrf: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    days: String,
}

async fn make_page(State(state): State<AppState>, user: PageUser, FormBody(f): FormBody<MakeForm>) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let days = f.days.trim().parse().map_err(|_| Error::invalid("days", "请填写使用期限（天数）"))?;
    state.store.make_usage_copy(&user.actor, &state.issuer, &f.purpose, days, state.clock.now()).await?;
    Ok(Redirect::to("/portal").into_response())
}

/// The copy behind a token, checked against its certificate's status; None for an unknown token.
pub(crate) async fn copy_check(state: &AppState, token: &str, certificate_status: &str) -> Result<Option<CopyCheck>, Error> {
    let copy = state.store.usage_copy(token).await?;
    Ok(copy.map(|c| check(&c, certificate_status, erjian_store::db::today(state.clock.now()))))
}

async fn lookup(state: &AppState, token: &str) -> Result<(CopyCheck, crate::check::Live), Error> {
    let copy = state.store.usage_copy(token).await?.ok_or(Error::NotFound("未找到该使用件，请核对二维码"))?;
    let live = live(state, &copy.licence_id).await?.ok_or(Error::NotFound("未找到该使用件的证书"))?;
    Ok((check(&copy, live.status, erjian_store::db::today(state.clock.now())), live))
}

/// A usage copy checked: one conclusion, the copy's own period, the certificate behind it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct CopyAnswer {
    verdict: crate::verdict::Conclusion,
    copy: CopyCheck,
    certificate: crate::check::Live,
}

/// 核验使用件
#[utoipa::path(get, path = "/api/verify/copy/{token}", tag = "公众核验", security(()),
    params(("token" = String, Path, description = "使用件二维码中的令牌")),
    responses((status = 200, body = CopyAnswer), (status = 404, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub(crate) async fn verify_api(State(state): State<AppState>, Path(token): Path<String>) -> Result<Json<CopyAnswer>, ApiError> {
    let (copy, certificate) = lookup(&state, &token).await?;
    let verdict = crate::verdict::of_status(&certificate, None, Some(&copy));
    Ok(Json(CopyAnswer { verdict, copy, certificate }))
}

async fn verify_page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let (copy, live) = lookup(&state, &token).await?;
    let ctx = public_ctx(&state, "使用件核验", "", String::new());
    let verdict = crate::verdict::of_status(&live, None, Some(&copy));
    Ok(render(&StatusPage { ctx, live, statement: None, copy: Some(copy), verdict }))
}

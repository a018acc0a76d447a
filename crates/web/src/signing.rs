//! Signing over HTTP: the 签名设置 page (PIN, change, reset, signature or seal image), signing and
//! sealing an application's form with a PIN, and downloading the form.

use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::FormBody;
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::pages::{render_status, Ctx};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use erjian_domain::workflow::Role;
use erjian_store::signing::KeyInfo;
use erjian_store::{Actor, Error};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/signing", get(page).post(page_post))
        .route("/signing/image", post(page_image))
        .route("/applications/{id}/sign", post(sign_page))
        .route("/applications/{id}/form", get(form_page))
        .route("/api/signing", get(info_api))
        .route("/api/signing/pin", post(set_pin_api))
        .route("/api/signing/pin/change", post(change_pin_api))
        .route("/api/signing/reset", post(reset_api))
        .route("/api/signing/image", axum::routing::put(image_api))
        .route("/api/applications/{id}/sign", post(sign_api))
        .route("/api/applications/{id}/form", get(form_api))
}

#[derive(Template)]
#[template(path = "signing.html")]
struct SigningPage {
    ctx: Ctx,
    /// The application that needed a key: back to it once the PIN is set.
    back_to: Option<i64>,
    key: Option<KeyInfo>,
    is_enterprise: bool,
    message: Option<String>,
    error: Option<String>,
}

async fn show(state: &AppState, user: &PageUser, message: Option<String>, error: Option<String>) -> Result<Response, PageError> {
    show_for(state, user, None, message, error).await
}

async fn show_for(
    state: &AppState,
    user: &PageUser,
    back_to: Option<i64>,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let key = state.store.signing_key(&user.actor).await?;
    let ctx = Ctx::new(state, Some(user), "签名设置", "/signing");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = SigningPage { ctx, back_to, key, is_enterprise: user.actor.role == Role::Enterprise, message, error };
    Ok(render_status(status, &page))
}

#[derive(Deserialize)]
struct ForQuery {
    /// An application id (only a number: never a free address to go to).
    #[serde(rename = "for")]
    back_to: Option<i64>,
}

async fn page(
    State(state): State<AppState>,
    user: PageUser,
    axum::extract::Query(q): axum::extract::Query<ForQuery>,
) -> Result<Response, PageError> {
    show_for(&state, &user, q.back_to, None, None).await
}

#[derive(Deserialize)]
struct PinForm {
    csrf: String,
    op: String,
    pin: Option<String>,
    old_pin: Option<String>,
    new_pin: Option<String>,
    password: Option<String>,
    #[serde(rename = "for")]
    back_to: Option<i64>,
}

/// The message a refused signing request shows.
fn user_message(e: &Error) -> Option<String> {
    match e {
        Error::Invalid(f) => Some(f.iter().map(|x| x.message.clone()).collect::<Vec<_>>().join("；")),
        Error::Conflict(m) | Error::Locked(m) => Some(m.clone()),
        _ => None,
    }
}

async fn page_post(
    State(state): State<AppState>,
    user: PageUser,
    from: crate::ratelimit::ClientAddr,
    FormBody(f): FormBody<PinForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let now = state.clock.now();
    let s = &state.store;
    let result = match f.op.as_str() {
        "set" => {
            s.set_pin(&user.actor, f.pin.as_deref().unwrap_or(""), &state.issuer, now).await.map(|_| "已设置签名密码，并为您签发了签名证书")
        }
        "change" => s
            .change_pin(&user.actor, f.old_pin.as_deref().unwrap_or(""), f.new_pin.as_deref().unwrap_or(""), now)
            .await
            .map(|_| "已修改签名密码"),
        "reset" => s
            .reset_signing_key(
                &user.actor,
                f.password.as_deref().unwrap_or(""),
                f.new_pin.as_deref().unwrap_or(""),
                &from.to_string(),
                &state.issuer,
                now,
            )
            .await
            .map(|_| "已重置：原签名证书自此刻起作废（此前的签名仍可验证），已签发新的签名证书"),
        _ => Err(Error::Conflict("未知操作".into())),
    };
    match (result, f.back_to) {
        // Back to the application that needed the key, if the caller may see it.
        (Ok(_), Some(id)) if f.op == "set" && state.store.application(&user.actor, id).await.is_ok() => {
            Ok(Redirect::to(&format!("/applications/{id}?done=pin_set")).into_response())
        }
        (Ok(m), _) => show(&state, &user, Some(m.into()), None).await,
        (Err(e), back_to) => match user_message(&e) {
            Some(m) => show_for(&state, &user, back_to, None, Some(m)).await,
            None => Err(e.into()),
        },
    }
}

async fn page_image(State(state): State<AppState>, user: PageUser, mut mp: Multipart) -> Result<Response, PageError> {
    let (mut csrf, mut file) = (String::new(), Vec::new());
    let bad = |_| PageError(Error::Conflict("上传内容不完整，请重新选择文件".into()));
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("image") => file = field.bytes().await.map_err(bad)?.to_vec(),
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    match state.store.set_signature_image(&user.actor, &file, &state.issuer, state.clock.now()).await {
        Ok(()) => show(&state, &user, Some("已保存图片，之后的签署将显示该图片".into()), None).await,
        Err(e) => match user_message(&e) {
            Some(m) => show(&state, &user, None, Some(m)).await,
            None => Err(e.into()),
        },
    }
}

#[derive(Deserialize)]
struct SignForm {
    csrf: String,
    pin: String,
}

async fn sign_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    FormBody(f): FormBody<SignForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    match state.store.sign_application(&user.actor, id, &f.pin, state.clock.now()).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/applications/{id}?done={}",
            if user.actor.role == Role::Enterprise { "enterprise_confirm" } else { "sign" }
        ))
        .into_response()),
        // Shown on the application page itself, in place: no message travels in the URL.
        Err(e) => match user_message(&e) {
            Some(m) => {
                let mut page = crate::pages::detail::page(&state, &user, id, None, Some(m)).await?;
                *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                Ok(page)
            }
            None => Err(e.into()),
        },
    }
}

async fn form_file(state: &AppState, actor: &Actor, id: i64) -> Result<Response, Error> {
    let (app, bytes) = state.store.application_form(actor, id).await?;
    let name = format!("attachment; filename=\"{}.ofd\"", app.number);
    Ok((
        [(CONTENT_TYPE, "application/ofd".to_owned()), (CONTENT_DISPOSITION, name), (CACHE_CONTROL, "private, no-store".to_owned())],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct FormFormat {
    format: Option<String>,
}

async fn form_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    axum::extract::Query(f): axum::extract::Query<FormFormat>,
) -> Result<Response, PageError> {
    if f.format.as_deref() == Some("pdf") {
        let pdf = state.store.application_form_pdf(&user.actor, id, state.clock.now()).await?;
        return Ok(([(CONTENT_TYPE, "application/pdf".to_owned()), (CACHE_CONTROL, "private, no-store".to_owned())], pdf).into_response());
    }
    Ok(form_file(&state, &user.actor, id).await?)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FormatQuery {
    /// `pdf`: 查看用 PDF；缺省为 OFD.
    format: Option<String>,
}

/// 下载申请表
///
/// The signed form as OFD, or `format=pdf` a PDF to read; whoever may see the application.
#[utoipa::path(get, path = "/api/applications/{id}/form", tag = "签署", params(("id" = i64, Path, description = "申请"), FormatQuery),
    responses((status = 200, content_type = "application/ofd", body = crate::openapi::File, description = "OFD，或 format=pdf 时 application/pdf"),
        crate::error::Refusals))]
pub(crate) async fn form_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
    QueryParams(f): QueryParams<FormatQuery>,
) -> Result<Response, ApiError> {
    if f.format.as_deref() == Some("pdf") {
        let pdf = state.store.application_form_pdf(&user.actor, id, state.clock.now()).await?;
        return Ok(([(CONTENT_TYPE, "application/pdf".to_owned()), (CACHE_CONTROL, "private, no-store".to_owned())], pdf).into_response());
    }
    Ok(form_file(&state, &user.actor, id).await?)
}

/// The caller's signing certificate, if one is in force.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SigningInfo {
    key: Option<erjian_store::signing::KeyInfo>,
}

/// 签名证书状态
///
/// The individual's or the enterprise's own signing key: issued when, locked until, failed PINs.
#[utoipa::path(get, path = "/api/signing", tag = "签署", responses((status = 200, body = SigningInfo), crate::error::Refusals))]
pub(crate) async fn info_api(State(state): State<AppState>, user: ApiUser) -> Result<Json<SigningInfo>, ApiError> {
    Ok(Json(SigningInfo { key: state.store.signing_key(&user.actor).await? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct PinBody {
    /// 签名密码（8–16位）.
    #[schema(min_length = 8, max_length = 16)]
    pin: String,
}

/// 设置签名密码
///
/// Sets the PIN and issues the signing certificate; answers the key now in force.
#[utoipa::path(post, path = "/api/signing/pin", tag = "签署", request_body = PinBody,
    responses((status = 201, body = SigningInfo), crate::error::Refusals))]
pub(crate) async fn set_pin_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<PinBody>,
) -> Result<(StatusCode, Json<SigningInfo>), ApiError> {
    state.store.set_pin(&user.actor, &b.pin, &state.issuer, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(SigningInfo { key: state.store.signing_key(&user.actor).await? })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ChangeBody {
    old_pin: String,
    #[schema(min_length = 8, max_length = 16)]
    new_pin: String,
}

/// 修改签名密码
#[utoipa::path(post, path = "/api/signing/pin/change", tag = "签署", request_body = ChangeBody,
    responses((status = 204, description = "已修改"), crate::error::Refusals))]
pub(crate) async fn change_pin_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<ChangeBody>,
) -> Result<StatusCode, ApiError> {
    state.store.change_pin(&user.actor, &b.old_pin, &b.new_pin, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ResetBody {
    /// 登录密码.
    password: String,
    #[schema(min_length = 8, max_length = 16)]
    new_pin: String,
}

/// 忘记签名密码
///
/// With the login password: a new signing certificate; the old one ends now (earlier signatures stay verifiable).
#[utoipa::path(post, path = "/api/signing/reset", tag = "签署", request_body = ResetBody,
    responses((status = 201, body = SigningInfo), crate::error::Refusals))]
pub(crate) async fn reset_api(
    State(state): State<AppState>,
    user: ApiUser,
    from: crate::ratelimit::ClientAddr,
    JsonBody(b): JsonBody<ResetBody>,
) -> Result<(StatusCode, Json<SigningInfo>), ApiError> {
    state.store.reset_signing_key(&user.actor, &b.password, &b.new_pin, &from.to_string(), &state.issuer, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(SigningInfo { key: state.store.signing_key(&user.actor).await? })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ImageBody {
    /// 手写签名或企业印章图片（JPG/PNG，base64）.
    image_base64: String,
}

/// 上传手写签名或企业印章图片
#[utoipa::path(put, path = "/api/signing/image", tag = "签署", request_body = ImageBody,
    responses((status = 204, description = "已保存"), crate::error::Refusals))]
pub(crate) async fn image_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<ImageBody>,
) -> Result<StatusCode, ApiError> {
    // Who before what: only individuals and enterprises sign.
    erjian_store::signing::Owner::of(&user.actor)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&b.image_base64)
        .map_err(|_| Error::invalid("image", "图片不是有效的 base64 编码"))?;
    state.store.set_signature_image(&user.actor, &bytes, &state.issuer, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 签名或盖章
///
/// The applicant signs, or the enterprise seals, the application's form with the PIN.
#[utoipa::path(post, path = "/api/applications/{id}/sign", tag = "签署", params(("id" = i64, Path, description = "申请")),
    request_body = PinBody, responses((status = 200, body = crate::api::Moved), crate::error::Refusals))]
pub(crate) async fn sign_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
    JsonBody(b): JsonBody<PinBody>,
) -> Result<Json<crate::api::Moved>, ApiError> {
    let next = state.store.sign_application(&user.actor, id, &b.pin, state.clock.now()).await?;
    Ok(Json(crate::api::Moved::new(id, next)))
}

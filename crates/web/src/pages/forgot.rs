//! 找回密码 by a code sent to the account's registered mobile. The answer to a request is the
//! same whether the account exists or has a mobile, so the page tells nobody which accounts
//! exist; the code is limited per number and per address, and the new password follows the rules.

use super::{check_pre_csrf, pre_csrf, public_ctx, render_status, with_cookie, Ctx};
use crate::error::{ApiError, PageError};
use crate::extract::{FormBody, JsonBody};
use crate::ratelimit::ClientAddr;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use erjian_domain::FieldError;
use erjian_store::account::RESET_PURPOSE;
use erjian_store::Error;

/// The one answer to a reset request.
pub const SENT: &str = "如该账号已登记手机，验证码已发送至登记的手机，5分钟内有效";

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    ctx: Ctx,
    csrf: String,
    demo: bool,
    sent: bool,
    username: String,
    message: Option<String>,
    errors: Vec<FieldError>,
}

fn page(state: &AppState, csrf: String, sent: bool, username: String, message: Option<String>, errors: Vec<FieldError>) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let demo = state.sms.is_demo();
    render_status(
        status,
        &ForgotPage { ctx: public_ctx(state, "找回密码", "/login", csrf.clone()), csrf, demo, sent, username, message, errors },
    )
}

/// Sends a code when the account has a mobile; the same `Ok` otherwise. Limits answer in words.
async fn request(state: &AppState, username: &str, from: &ClientAddr) -> Result<(), Error> {
    let Some(mobile) = state.store.reset_mobile(username).await? else {
        // The same work as issuing a code: nothing tells an unknown account apart.
        return Ok(());
    };
    let code = state.store.issue_code(RESET_PURPOSE, &mobile, &from.to_string(), state.clock.now()).await?;
    let message = crate::sms::Message { mobile: &mobile, code: &code, purpose: "找回密码" };
    state.sms.send(&message).await.map_err(|e| {
        tracing::warn!(error = %e, "sending a text message failed");
        Error::Conflict("短信发送失败，请稍后再试".into())
    })
}

pub async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (csrf, set) = pre_csrf(&state, &headers);
    with_cookie(page(&state, csrf, false, String::new(), None, vec![]), set)
}

#[derive(serde::Deserialize)]
pub struct RequestForm {
    csrf: String,
    username: String,
}

pub async fn submit(
    State(state): State<AppState>,
    from: ClientAddr,
    headers: HeaderMap,
    FormBody(f): FormBody<RequestForm>,
) -> Result<Response, PageError> {
    check_pre_csrf(&headers, &f.csrf)?;
    let username = f.username.trim().to_owned();
    Ok(match request(&state, &username, &from).await {
        Ok(()) => page(&state, f.csrf, true, username, Some(SENT.into()), vec![]),
        Err(Error::Conflict(m)) => page(&state, f.csrf, false, username, None, vec![FieldError::new("username", m)]),
        Err(e) => return Err(e.into()),
    })
}

#[derive(serde::Deserialize)]
pub struct ResetForm {
    csrf: String,
    username: String,
    code: String,
    new_password: String,
    new_password2: String,
}

pub async fn reset(State(state): State<AppState>, headers: HeaderMap, FormBody(f): FormBody<ResetForm>) -> Result<Response, PageError> {
    check_pre_csrf(&headers, &f.csrf)?;
    if f.new_password != f.new_password2 {
        return Ok(page(&state, f.csrf, true, f.username, None, vec![FieldError::new("new_password2", "两次输入的新密码不一致")]));
    }
    match state.store.reset_password_with_code(&f.username, &f.code, &f.new_password, state.clock.now()).await {
        Ok(()) => Ok(Redirect::to("/login?reset=1").into_response()),
        Err(Error::Invalid(errors)) => Ok(page(&state, f.csrf, true, f.username, None, errors)),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ForgotBody {
    /// 登录名.
    username: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ForgotAccepted {
    /// The same whether the account exists or not.
    message: &'static str,
}

/// 找回密码
///
/// An account with a mobile on file is texted a 6-digit code (5 minutes, 5 tries); the answer
/// is the same whether the account exists or not.
#[utoipa::path(post, path = "/api/password/forgot", tag = "账号", security(()), request_body = ForgotBody,
    responses((status = 202, body = ForgotAccepted), (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn request_api(
    State(state): State<AppState>,
    from: ClientAddr,
    JsonBody(b): JsonBody<ForgotBody>,
) -> Result<(StatusCode, axum::Json<ForgotAccepted>), ApiError> {
    request(&state, b.username.trim(), &from).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(ForgotAccepted { message: SENT })))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct PasswordResetBody {
    username: String,
    /// 短信验证码.
    code: String,
    new_password: String,
}

/// 用短信验证码重置密码
///
/// Every session of the account ends.
#[utoipa::path(post, path = "/api/password/reset", tag = "账号", security(()), request_body = PasswordResetBody,
    responses((status = 204, description = "已重置"), (status = 401, body = crate::error::ErrorBody, description = "验证码错误或已过期"),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody), (status = 423, body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody)))]
pub async fn reset_api(State(state): State<AppState>, JsonBody(b): JsonBody<PasswordResetBody>) -> Result<StatusCode, ApiError> {
    state.store.reset_password_with_code(&b.username, &b.code, &b.new_password, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

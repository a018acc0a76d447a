//! 动态口令: the second step of signing in for authority and administrator accounts that use a
//! second factor (all of them when the profile requires it). The password opens a pending
//! session; this page enrols an authenticator app (secret shown as text and as a QR code) or
//! asks for its current code, then the session is whole. JSON too: `/api/login` answers
//! `second_factor` with a pending token, `/api/login/second-factor` completes it.

use super::{render_status, Ctx};
use crate::auth::{cookie, set_cookie, SESSION_COOKIE};
use crate::error::{ApiError, PageError};
use crate::extract::{FormBody, JsonBody};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use erjian_store::second_factor::Pending;
use erjian_store::{Actor, Error};

#[derive(Template)]
#[template(path = "second_factor.html")]
struct FactorPage {
    ctx: Ctx,
    name: String,
    /// Set when the account enrols now: the secret and the QR code's SVG path.
    enrol: Option<(String, String, usize)>,
    error: Option<String>,
}

/// An SVG path drawing the dark modules of a QR code, and its size in modules.
fn qr_path(data: &str) -> (String, usize) {
    let modules = erjian_cert::art::qr_modules(data);
    let mut d = String::new();
    for (y, row) in modules.iter().enumerate() {
        for (x, &dark) in row.iter().enumerate() {
            if dark {
                d.push_str(&format!("M{} {}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    (d, modules.len() + 8)
}

/// Where a signed-in password takes a user: a whole session, or the second step.
pub async fn after_password(state: &AppState, actor: &Actor) -> Result<Response, PageError> {
    if !state.store.needs_second_factor(actor).await? {
        return super::start_session(state, actor.user_id).await;
    }
    let token = state.store.create_pending_session(actor.user_id, state.clock.now()).await?;
    let mut resp = Redirect::to("/login/second-factor").into_response();
    if let Ok(v) = set_cookie(state, SESSION_COOKIE, &token, 600).parse() {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    Ok(resp)
}

async fn show(state: &AppState, headers: &HeaderMap, error: Option<String>) -> Result<Response, PageError> {
    let token = cookie(headers, SESSION_COOKIE).unwrap_or_default();
    let Some((actor, csrf, pending)) = state.store.pending_session(&token, state.clock.now()).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    let enrol = match pending {
        Pending::Code => None,
        Pending::Enrol { secret, uri } => {
            let (path, size) = qr_path(&uri);
            Some((secret, path, size))
        }
    };
    let mut ctx = Ctx::new(state, None, "动态口令", "/login");
    ctx.csrf = csrf;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render_status(status, &FactorPage { ctx, name: actor.name, enrol, error }))
}

pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    show(&state, &headers, None).await
}

#[derive(serde::Deserialize)]
pub struct CodeForm {
    csrf: String,
    code: String,
}

pub async fn submit(State(state): State<AppState>, headers: HeaderMap, FormBody(f): FormBody<CodeForm>) -> Result<Response, PageError> {
    let token = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    let Some((_, csrf, _)) = state.store.pending_session(&token, state.clock.now()).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    if !crate::auth::tokens_equal(&csrf, &f.csrf) {
        return Err(PageError(Error::Conflict("页面已过期（CSRF 校验失败），请刷新页面后重试".into())));
    }
    match state.store.complete_second_factor(&token, &f.code, state.clock.now()).await {
        Ok(_) => {
            let mut resp = Redirect::to("/portal").into_response();
            if let Ok(v) = set_cookie(&state, SESSION_COOKIE, &token, erjian_store::accounts::SESSION_HOURS * 3600).parse() {
                resp.headers_mut().append(SET_COOKIE, v);
            }
            Ok(resp)
        }
        Err(Error::Invalid(e)) => show(&state, &headers, e.first().map(|f| f.message.clone())).await,
        Err(Error::Conflict(m)) => {
            let page = super::LoginPage {
                ctx: super::public_ctx(&state, "登录", "/login", String::new()),
                error: Some(m),
                username: String::new(),
            };
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct CodeBody {
    /// The six digits the authenticator shows.
    code: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Completed {
    /// The session's token: the pending token, now good for everything.
    token: String,
    user: Actor,
}

/// The pending token of a log-in waiting for its second factor, as bearer; checked before the
/// body is read, so a call without one is a 401 whatever it sends.
pub struct PendingToken(String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PendingToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        crate::auth::bearer(&parts.headers).map(PendingToken).ok_or(ApiError(Error::BadCredentials))
    }
}

/// 完成第二重验证
///
/// With the `pending_token` from `/api/login` as bearer and the authenticator's code.
#[utoipa::path(post, path = "/api/login/second-factor", tag = "账号", request_body = CodeBody,
    responses((status = 200, body = Completed), (status = 401, body = crate::error::ErrorBody, description = "没有待验证的登录"),
        (status = 409, body = crate::error::ErrorBody, description = "登录已过期，须重新登录"),
        (status = 422, body = crate::error::ErrorBody, description = "动态口令不正确"), (status = 423, body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody)))]
pub async fn submit_api(
    State(state): State<AppState>,
    PendingToken(token): PendingToken,
    JsonBody(b): JsonBody<CodeBody>,
) -> Result<Json<Completed>, ApiError> {
    let user = state.store.complete_second_factor(&token, &b.code, state.clock.now()).await?;
    Ok(Json(Completed { token, user }))
}

/// 待完成的第二重验证
///
/// What the pending session must do: enrol an authenticator with the secret given, or present
/// a code from the one enrolled.
#[utoipa::path(get, path = "/api/login/second-factor", tag = "账号",
    responses((status = 200, body = Pending), (status = 401, body = crate::error::ErrorBody, description = "没有或不是待验证的登录"),
        (status = 429, body = crate::error::ErrorBody)))]
pub async fn pending_api(State(state): State<AppState>, PendingToken(token): PendingToken) -> Result<Json<Pending>, ApiError> {
    let (_, _, pending) = state.store.pending_session(&token, state.clock.now()).await?.ok_or(ApiError(Error::BadCredentials))?;
    Ok(Json(pending))
}

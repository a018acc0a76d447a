//! 账号安全 for every signed-in user: change the password (twice typed, checked by the store's
//! rules) and see and end the sessions open in one's name; the same as JSON.

use super::{render_status, Ctx};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::{FormBody, JsonBody};
use crate::ratelimit::ClientAddr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use erjian_domain::FieldError;
use erjian_store::account::SessionView;
use erjian_store::Error;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: Ctx,
    sessions: Vec<SessionView>,
    /// A person's account (the real-name check is offered).
    is_person: bool,
    /// A staff account: whether it uses a second factor (`Some(false)`: not yet).
    second_factor: Option<bool>,
    errors: Vec<FieldError>,
    message: Option<String>,
}

async fn show(state: &AppState, user: &PageUser, errors: Vec<FieldError>, message: Option<String>) -> Result<Response, PageError> {
    let sessions = state.store.sessions_of(&user.actor, &user.token, state.clock.now()).await?;
    let second_factor =
        if erjian_store::second_factor::is_staff(user.actor.role) { Some(state.store.has_second_factor(&user.actor).await?) } else { None };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let ctx = Ctx::new(state, Some(user), "账号安全", "/account");
    Ok(render_status(status, &AccountPage { ctx, sessions, is_person: user.actor.person_id.is_some(), second_factor, errors, message }))
}

pub async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    show(&state, &user, vec![], None).await
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    csrf: String,
    old_password: String,
    new_password: String,
    new_password2: String,
}

pub async fn password(
    State(state): State<AppState>,
    user: PageUser,
    from: ClientAddr,
    FormBody(f): FormBody<PasswordForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    if f.new_password != f.new_password2 {
        return show(&state, &user, vec![FieldError::new("new_password2", "两次输入的新密码不一致")], None).await;
    }
    match state
        .store
        .change_password(&user.actor, &user.token, &f.old_password, &f.new_password, &from.to_string(), state.clock.now())
        .await
    {
        Ok(()) => show(&state, &user, vec![], Some("已修改登录密码，其他设备上的登录已退出".into())).await,
        Err(Error::Invalid(errors)) => show(&state, &user, errors, None).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct SessionForm {
    csrf: String,
    id: String,
}

pub async fn end_session(State(state): State<AppState>, user: PageUser, FormBody(f): FormBody<SessionForm>) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    state.store.revoke_session(&user.actor, &f.id, state.clock.now()).await?;
    show(&state, &user, vec![], Some(format!("已退出会话 {}", f.id))).await
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct PasswordBody {
    old_password: String,
    new_password: String,
}

/// 修改登录密码
///
/// The new password may not contain the login name nor equal the signing PIN; every other
/// session ends.
#[utoipa::path(post, path = "/api/account/password", tag = "账号", request_body = PasswordBody,
    responses((status = 204, description = "已修改"), crate::error::Refusals))]
pub async fn password_api(
    State(state): State<AppState>,
    user: ApiUser,
    from: ClientAddr,
    JsonBody(b): JsonBody<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    state.store.change_password(&user.actor, &user.token, &b.old_password, &b.new_password, &from.to_string(), state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Sessions {
    sessions: Vec<SessionView>,
}

/// 本人的登录会话
///
/// Never the tokens: each session by the first characters of its token's hash.
#[utoipa::path(get, path = "/api/account/sessions", tag = "账号", responses((status = 200, body = Sessions), crate::error::Refusals))]
pub async fn sessions_api(State(state): State<AppState>, user: ApiUser) -> Result<Json<Sessions>, ApiError> {
    Ok(Json(Sessions { sessions: state.store.sessions_of(&user.actor, &user.token, state.clock.now()).await? }))
}

/// 退出本人的一个登录会话
#[utoipa::path(delete, path = "/api/account/sessions/{id}", tag = "账号", params(("id" = String, Path, description = "会话（列表中的 id）")),
    responses((status = 204, description = "已退出"), crate::error::Refusals))]
pub async fn revoke_api(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    state.store.revoke_session(&user.actor, &id, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A staff account turns on its second factor: the session waits for the enrolment.
pub async fn begin_factor(
    State(state): State<AppState>,
    user: PageUser,
    FormBody(f): FormBody<super::CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    state.store.begin_second_factor(&user.actor, &user.token).await?;
    Ok(axum::response::Redirect::to("/login/second-factor").into_response())
}

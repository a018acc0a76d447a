//! Who is asking: session cookies for the portals (HttpOnly, SameSite=Lax, CSRF token per
//! session on every form POST) and bearer tokens for the JSON API. Both are rows in the
//! database's `sessions` table, so any erjian process can serve any request.

use crate::error::{ApiError, PageError};
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use erjian_store::{Actor, Error};
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "erjian_session";
pub const PRE_CSRF_COOKIE: &str = "erjian_csrf";

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

pub fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The signed-in portal user, if any.
pub struct MaybeUser(pub Option<PageUser>);

/// A signed-in portal user with the session's CSRF token; rejects to the login page.
#[derive(Clone)]
pub struct PageUser {
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
    /// Unread messages (individuals and enterprises; shown in the header).
    pub unread: i64,
}

impl PageUser {
    /// Every form POST carries the session's CSRF token.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        if tokens_equal(&self.csrf, submitted) {
            Ok(())
        } else {
            Err(PageError(Error::Conflict("页面已过期或请求来源不明（CSRF 校验失败），请刷新页面后重试".into())))
        }
    }
}

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Ok(MaybeUser(None));
        };
        let Some((mut actor, csrf)) = state.store.session(&token, state.clock.now()).await? else { return Ok(MaybeUser(None)) };
        actor.registration = concerned_registration(parts);
        let unread = unread(state, &actor).await?;
        Ok(MaybeUser(Some(PageUser { actor, csrf, token, unread })))
    }
}

/// The registration a request concerns, from its `?registration=` (a 注册编号; at most 30
/// characters, else ignored): how a holder of two professions' registrations chooses the
/// certificate an action is for, on every page and API call alike.
fn concerned_registration(parts: &Parts) -> Option<String> {
    let query = parts.uri.query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "registration")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty() && v.chars().count() <= 30)
}

/// The header's count of unread messages: only individuals and enterprises receive any.
pub async fn unread(state: &AppState, actor: &Actor) -> Result<i64, PageError> {
    Ok(match actor.role {
        erjian_domain::workflow::Role::Individual | erjian_domain::workflow::Role::Enterprise => state.store.unread_count(actor).await?,
        _ => 0,
    })
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        MaybeUser::from_request_parts(parts, state).await?.0.ok_or(PageError(Error::BadCredentials))
    }
}

/// A JSON API caller, authenticated by `Authorization: Bearer TOKEN` (no ambient cookies, so no
/// CSRF exposure).
pub struct ApiUser {
    pub actor: Actor,
    pub token: String,
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::to_owned)
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or(ApiError(Error::BadCredentials))?;
        let (mut actor, _) = state.store.session(&token, state.clock.now()).await?.ok_or(ApiError(Error::BadCredentials))?;
        actor.registration = concerned_registration(parts);
        Ok(ApiUser { actor, token })
    }
}

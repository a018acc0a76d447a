//! 企业审核: the city authority (or the province) approves or refuses enterprises that signed up;
//! a pending enterprise sees only that it is waiting. Page and JSON.

use super::{render, render_status, Ctx};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::{FormBody, JsonBody};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use erjian_store::registry::Enterprise;
use erjian_store::Error;

#[derive(Template)]
#[template(path = "enterprise_reviews.html")]
struct ReviewPage {
    ctx: Ctx,
    pending: Vec<(Enterprise, String)>,
    message: Option<String>,
    error: Option<String>,
}

async fn show(state: &AppState, user: &PageUser, message: Option<String>, error: Option<String>) -> Result<Response, PageError> {
    let profile = state.profile();
    let pending = state
        .store
        .enterprise_reviews(&user.actor)
        .await?
        .into_iter()
        .map(|e| {
            let city = profile.city(&e.city_code).map(|c| c.name.to_owned()).unwrap_or_default();
            (e, city)
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let ctx = Ctx::new(state, Some(user), "企业审核", "/enterprise-reviews");
    Ok(render_status(status, &ReviewPage { ctx, pending, message, error }))
}

pub async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    show(&state, &user, None, None).await
}

#[derive(serde::Deserialize)]
pub struct DecisionForm {
    csrf: String,
    id: i64,
    decision: String,
    #[serde(default)]
    reason: Option<String>,
}

pub async fn decide(State(state): State<AppState>, user: PageUser, FormBody(f): FormBody<DecisionForm>) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let approve = f.decision == "approve";
    match state.store.decide_enterprise(&user.actor, f.id, approve, f.reason.as_deref(), state.clock.now()).await {
        Ok(_) => show(&state, &user, Some(if approve { "已审核通过".into() } else { "已不予通过".into() }), None).await,
        Err(Error::Invalid(e)) => show(&state, &user, None, e.first().map(|f| f.message.clone())).await,
        Err(Error::Conflict(m)) => show(&state, &user, None, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "enterprise_pending.html")]
struct PendingPage {
    ctx: Ctx,
    name: String,
    city: String,
}

/// The portal of an enterprise account not (yet) approved.
pub fn pending(state: &AppState, user: &PageUser) -> Response {
    let city = user.actor.city_code.as_deref().and_then(|c| state.profile().city(c)).map(|c| c.name.to_owned()).unwrap_or_default();
    render(&PendingPage { ctx: Ctx::new(state, Some(user), "企业账号待审核", "/portal"), name: user.actor.name.clone(), city })
}

#[derive(serde::Serialize)]
pub struct Reviews {
    enterprises: Vec<Enterprise>,
}

pub async fn list_api(State(state): State<AppState>, user: ApiUser) -> Result<Json<Reviews>, ApiError> {
    Ok(Json(Reviews { enterprises: state.store.enterprise_reviews(&user.actor).await? }))
}

#[derive(serde::Deserialize)]
pub struct DecisionBody {
    approve: bool,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(serde::Serialize)]
pub struct Decided {
    status: String,
}

pub async fn decide_api(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<DecisionBody>,
) -> Result<Json<Decided>, ApiError> {
    let status = state.store.decide_enterprise(&user.actor, id, b.approve, b.reason.as_deref(), state.clock.now()).await?;
    Ok(Json(Decided { status }))
}

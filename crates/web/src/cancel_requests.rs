//! Cancellation requests that wait for the other party (本人申请注销 confirmed by the enterprise;
//! in 湖南 the enterprise's forced cancellation confirmed by the holder): filing, listing and
//! deciding them, as JSON and from the 注销注册 page.

use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::{FormBody, JsonBody};
use crate::registrations::{refusal, show_cancel};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cancel/request", post(request_page))
        .route("/cancel/requests/{id}", post(decide_page))
        .route("/api/cancellation-requests", get(requests_api).post(request_api))
        .route("/api/cancellation-requests/{id}/confirm", post(confirm_api))
        .route("/api/cancellation-requests/{id}/reject", post(reject_api))
}

#[derive(serde::Deserialize)]
struct RequestBody {
    #[serde(default)]
    specialties: Vec<String>,
    reason: String,
    note: Option<String>,
}

async fn request_api(State(state): State<AppState>, user: ApiUser, JsonBody(b): JsonBody<RequestBody>) -> Result<Response, ApiError> {
    let id = state.store.request_cancellation(&user.actor, &b.specialties, &b.reason, b.note.as_deref(), state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id, "state": "pending" }))).into_response())
}

async fn requests_api(State(state): State<AppState>, user: ApiUser) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "requests": state.store.cancel_requests(&user.actor).await? })))
}

async fn confirm_api(
    State(state): State<AppState>,
    user: ApiUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let outcome = state.store.decide_cancel_request(&user.actor, id, true, None, &state.issuer, state.clock.now()).await?;
    Ok(Json(json!({ "state": "confirmed", "outcome": outcome })))
}

#[derive(serde::Deserialize)]
struct RejectBody {
    reason: String,
}

async fn reject_api(
    State(state): State<AppState>,
    user: ApiUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
    JsonBody(b): JsonBody<RejectBody>,
) -> Result<Json<Value>, ApiError> {
    state.store.decide_cancel_request(&user.actor, id, false, Some(&b.reason), &state.issuer, state.clock.now()).await?;
    Ok(Json(json!({ "state": "rejected" })))
}

async fn request_page(
    State(state): State<AppState>,
    user: PageUser,
    FormBody(form): FormBody<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    user.check_csrf(&get("csrf"))?;
    let specialties: Vec<String> =
        if get("scope") == "partial" { form.iter().filter(|(k, _)| k == "specialty").map(|(_, v)| v.clone()).collect() } else { vec![] };
    if get("scope") == "partial" && specialties.is_empty() {
        return show_cancel(&state, &user, None, Some("部分注销请勾选要注销的专业".into())).await;
    }
    match state.store.request_cancellation(&user.actor, &specialties, &get("reason"), Some(&get("note")), state.clock.now()).await {
        Ok(_) => show_cancel(&state, &user, Some("已提交注销申请，待聘用企业确认后生效".into()), None).await,
        Err(e) => match refusal(e) {
            Ok(m) => show_cancel(&state, &user, None, Some(m)).await,
            Err(e) => Err(e.into()),
        },
    }
}

async fn decide_page(
    State(state): State<AppState>,
    user: PageUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
    FormBody(form): FormBody<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    user.check_csrf(&get("csrf"))?;
    let confirm = get("decision") == "confirm";
    let reason = get("return_reason");
    match state.store.decide_cancel_request(&user.actor, id, confirm, Some(&reason), &state.issuer, state.clock.now()).await {
        Ok(_) if confirm => show_cancel(&state, &user, Some("已确认注销申请，注销已生效".into()), None).await,
        Ok(_) => show_cancel(&state, &user, Some("已退回注销申请".into()), None).await,
        Err(e) => match refusal(e) {
            Ok(m) => show_cancel(&state, &user, None, Some(m)).await,
            Err(e) => Err(e.into()),
        },
    }
}

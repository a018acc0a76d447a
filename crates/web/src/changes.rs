//! Change of employer over HTTP: the individual files naming the new employer, the previous
//! employer lists and decides releases. Signing, review and announcement are the common ones.

use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/employer-changes", post(file))
        .route("/api/release-consents", get(list))
        .route("/api/release-consents/{id}", post(decide))
}

#[derive(serde::Deserialize)]
struct FileBody {
    enterprise_name: String,
    #[serde(default)]
    submit: bool,
}

async fn file(State(state): State<AppState>, user: ApiUser, JsonBody(b): JsonBody<FileBody>) -> Result<Response, ApiError> {
    let id = state.store.file_employer_change(&user.actor, &b.enterprise_name, b.submit, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(json!(state.store.application(&user.actor, id).await?))).into_response())
}

async fn list(State(state): State<AppState>, user: ApiUser) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "releases": state.store.release_consents(&user.actor).await? })))
}

#[derive(serde::Deserialize)]
struct DecideBody {
    consent: bool,
    reason: Option<String>,
}

async fn decide(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<DecideBody>,
) -> Result<Json<Value>, ApiError> {
    state.store.decide_release(&user.actor, id, b.consent, b.reason.as_deref(), state.clock.now()).await?;
    Ok(Json(json!({ "state": if b.consent { "given" } else { "refused" } })))
}

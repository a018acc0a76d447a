//! Changes over HTTP: personal data (a new name with ID card scans) and change of employer: the individual files naming the new employer, the previous
//! employer lists and decides releases. Signing, review and announcement are the common ones.

use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
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
        .route("/release-consents/{id}", post(decide_page))
        .route("/api/personal-changes", post(personal))
}

#[derive(serde::Deserialize)]
struct FileBody {
    enterprise_name: String,
    #[serde(default)]
    submit: bool,
}

async fn file(State(state): State<AppState>, user: ApiUser, JsonBody(b): JsonBody<FileBody>) -> Result<Response, ApiError> {
    let id = state.store.file_employer_change(&user.actor, &b.enterprise_name, b.submit, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(json!(crate::mask::application(&state, &user.actor, id).await?))).into_response())
}

async fn list(State(state): State<AppState>, user: ApiUser) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "releases": state.store.release_consents(&user.actor).await? })))
}

#[derive(serde::Deserialize)]
struct PersonalBody {
    #[serde(default)]
    new_name: String,
    #[serde(default)]
    new_id_number: String,
    id_front_base64: String,
    id_back_base64: String,
    #[serde(default)]
    submit: bool,
    /// An enterprise filing for one of its people (where the profile lets enterprises file).
    applicant_id_number: Option<String>,
}

async fn personal(State(state): State<AppState>, user: ApiUser, JsonBody(b): JsonBody<PersonalBody>) -> Result<Response, ApiError> {
    use base64::Engine;
    let decode = |s: &str| base64::engine::general_purpose::STANDARD.decode(s.trim()).unwrap_or_default();
    let change = erjian_store::changes::PersonalChange {
        new_name: b.new_name,
        new_id_number: b.new_id_number,
        id_front: decode(&b.id_front_base64),
        id_back: decode(&b.id_back_base64),
    };
    let actor = match b.applicant_id_number.as_deref() {
        Some(id) => state.store.on_behalf(&user.actor, id).await?,
        None => user.actor.clone(),
    };
    let id = state.store.file_personal_change(&actor, &change, b.submit, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(json!(crate::mask::application(&state, &user.actor, id).await?))).into_response())
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

#[derive(serde::Deserialize)]
struct DecideForm {
    csrf: String,
    /// `consent` or `refuse`.
    decision: String,
    #[serde(default)]
    reason: String,
}

/// The previous employer's page decision (待确认 → 转出申请).
async fn decide_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<DecideForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let consent = f.decision == "consent";
    let reason = Some(f.reason.trim()).filter(|r| !r.is_empty());
    // A refusal without its reason is said in words on the page (not as a field list).
    state.store.decide_release(&user.actor, id, consent, reason, state.clock.now()).await.map_err(|e| match e {
        erjian_store::Error::Invalid(fields) => {
            erjian_store::Error::Conflict(fields.into_iter().map(|f| f.message).collect::<Vec<_>>().join("；"))
        }
        e => e,
    })?;
    let done = if consent { "consent_given" } else { "consent_refused" };
    Ok(axum::response::Redirect::to(&format!("/portal?tab=pending&done={done}")).into_response())
}

//! Changes over HTTP: personal data (a new name with ID card scans) and change of employer: the individual files naming the new employer, the previous
//! employer lists and decides releases. Signing, review and announcement are the common ones.

use crate::api::{filed, Filed};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::{JsonBody, PathParams};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use erjian_store::applications::ApplicationDetail;
use erjian_store::changes::ReleaseConsent;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/employer-changes", post(file))
        .route("/api/release-consents", get(list))
        .route("/api/release-consents/{id}", post(decide))
        .route("/release-consents/{id}", post(decide_page))
        .route("/api/personal-changes", post(personal))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct FileBody {
    /// 新聘用企业全称.
    enterprise_name: String,
    #[serde(default)]
    submit: bool,
}

/// 变更执业企业
///
/// The individual names the new employer; it seals and the previous employer consents before acceptance; once a year at most.
#[utoipa::path(post, path = "/api/employer-changes", tag = "申请", request_body = FileBody,
    responses((status = 201, body = ApplicationDetail), crate::error::Refusals))]
pub(crate) async fn file(State(state): State<AppState>, user: ApiUser, JsonBody(b): JsonBody<FileBody>) -> Result<Filed, ApiError> {
    let id = state.store.file_employer_change(&user.actor, &b.enterprise_name, b.submit, state.clock.now()).await?;
    filed(&state, &user.actor, id).await
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Releases {
    releases: Vec<ReleaseConsent>,
}

/// 待同意的转出申请（原聘用企业）
#[utoipa::path(get, path = "/api/release-consents", tag = "申请", responses((status = 200, body = Releases), crate::error::Refusals))]
pub(crate) async fn list(State(state): State<AppState>, user: ApiUser) -> Result<Json<Releases>, ApiError> {
    Ok(Json(Releases { releases: state.store.release_consents(&user.actor).await? }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct PersonalBody {
    /// 新姓名.
    #[serde(default)]
    new_name: String,
    /// 新身份证号码（升位或更正）.
    #[serde(default)]
    new_id_number: String,
    /// 身份证人像面（JPG/PNG，base64）.
    id_front_base64: String,
    /// 身份证国徽面（JPG/PNG，base64）.
    id_back_base64: String,
    #[serde(default)]
    submit: bool,
    /// An enterprise filing for one of its people (where the profile lets enterprises file).
    applicant_id_number: Option<String>,
}

/// 变更个人信息
///
/// A new name (or ID number) with both sides of the ID card; signed, reviewed, and the certificate reissued on announcement.
#[utoipa::path(post, path = "/api/personal-changes", tag = "申请", request_body = PersonalBody,
    responses((status = 201, body = ApplicationDetail), crate::error::Refusals))]
pub(crate) async fn personal(State(state): State<AppState>, user: ApiUser, JsonBody(b): JsonBody<PersonalBody>) -> Result<Filed, ApiError> {
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
    filed(&state, &user.actor, id).await
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct DecideBody {
    /// true 同意转出；false 不同意（须填 reason）.
    consent: bool,
    reason: Option<String>,
}

/// What the previous employer decided.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ReleaseDecided {
    /// `given` 已同意 or `refused` 不同意.
    state: &'static str,
}

/// 原聘用企业同意或不同意转出
#[utoipa::path(post, path = "/api/release-consents/{id}", tag = "申请", params(("id" = i64, Path, description = "变更申请")),
    request_body = DecideBody, responses((status = 200, body = ReleaseDecided), crate::error::Refusals))]
pub(crate) async fn decide(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
    JsonBody(b): JsonBody<DecideBody>,
) -> Result<Json<ReleaseDecided>, ApiError> {
    state.store.decide_release(&user.actor, id, b.consent, b.reason.as_deref(), state.clock.now()).await?;
    Ok(Json(ReleaseDecided { state: if b.consent { "given" } else { "refused" } }))
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

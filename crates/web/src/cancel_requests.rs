//! Cancellation requests that wait for the other party (本人申请注销 confirmed by the enterprise;
//! in 湖南 the enterprise's forced cancellation confirmed by the holder): filing, listing and
//! deciding them, as JSON and from the 注销注册 page.

use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::{FormBody, JsonBody, PathParams, QueryParams};
use crate::registrations::{refusal, show_cancel};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cancel/request", post(request_page))
        .route("/cancel/requests/{id}", post(decide_page))
        .route("/api/cancellation-requests", get(requests_api).post(request_api))
        .route("/api/cancellation-requests/{id}/confirm", post(confirm_api))
        .route("/api/cancellation-requests/{id}/reject", post(reject_api))
        .route("/cancel/requests/{id}/form", get(form_download))
        .route("/api/cancellation-requests/{id}/form", get(form_download_api))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FormQuery {
    /// `pdf` for the printable view; otherwise the signed OFD.
    format: Option<String>,
}

/// The signed 注销注册申请表 (OFD, or its PDF view) for the holder, the enterprise, an authority.
async fn form_file(state: &AppState, actor: &erjian_store::Actor, id: i64, format: Option<&str>) -> Result<Response, erjian_store::Error> {
    let (number, bytes, kind) = if format == Some("pdf") {
        let (number, pdf) = state.store.cancel_request_form_pdf(actor, id, state.clock.now()).await?;
        (number, pdf, ("pdf", "application/pdf"))
    } else {
        let (number, bytes) = state.store.cancel_request_form(actor, id).await?;
        (number, bytes, ("ofd", "application/ofd"))
    };
    let disposition = format!("attachment; filename=\"{number}.{}\"", kind.0);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, kind.1.to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

async fn form_download(
    State(state): State<AppState>,
    user: PageUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
    axum::extract::Query(q): axum::extract::Query<FormQuery>,
) -> Result<Response, PageError> {
    Ok(form_file(&state, &user.actor, id, q.format.as_deref()).await?)
}

/// 注销注册申请表
///
/// The signed form (OFD, or `format=pdf` to print): the holder, the employer and the authorities.
#[utoipa::path(get, path = "/api/cancellation-requests/{id}/form", tag = "注册", params(("id" = i64, Path, description = "注销申请"), FormQuery),
    responses((status = 200, content_type = "application/ofd", body = crate::openapi::File, description = "OFD，或 format=pdf 时 application/pdf"),
        crate::error::Refusals))]
pub(crate) async fn form_download_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
    QueryParams(q): QueryParams<FormQuery>,
) -> Result<Response, ApiError> {
    Ok(form_file(&state, &user.actor, id, q.format.as_deref()).await?)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct RequestBody {
    /// 注销的专业代码；为空即全部.
    #[serde(default)]
    specialties: Vec<String>,
    /// 注销原因代码（GET /api/reasons）.
    reason: String,
    note: Option<String>,
    /// The signing PIN: the applicant signs the 注销注册申请表.
    #[serde(default)]
    pin: String,
}

/// A request filed, waiting for the other party.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RequestFiled {
    id: i64,
    /// Always `pending`.
    state: &'static str,
}

/// 本人申请注销
///
/// Signed with the PIN on the 注销注册申请表; the employer confirms with its seal.
#[utoipa::path(post, path = "/api/cancellation-requests", tag = "注册", request_body = RequestBody,
    responses((status = 201, body = RequestFiled), crate::error::Refusals))]
pub(crate) async fn request_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<RequestBody>,
) -> Result<(StatusCode, Json<RequestFiled>), ApiError> {
    let id = state.store.request_cancellation(&user.actor, &b.specialties, &b.reason, b.note.as_deref(), &b.pin, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(RequestFiled { id, state: "pending" })))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Requests {
    requests: Vec<erjian_store::cancel_requests::CancelRequestRow>,
}

/// 注销申请列表
///
/// The caller's own, or the enterprise's people's.
#[utoipa::path(get, path = "/api/cancellation-requests", tag = "注册", responses((status = 200, body = Requests), crate::error::Refusals))]
pub(crate) async fn requests_api(State(state): State<AppState>, user: ApiUser) -> Result<Json<Requests>, ApiError> {
    Ok(Json(Requests { requests: state.store.cancel_requests(&user.actor).await? }))
}

#[derive(serde::Deserialize, Default, utoipa::ToSchema)]
pub(crate) struct ConfirmBody {
    /// The enterprise's signing PIN: its seal goes on the holder's signed form.
    #[serde(default)]
    pin: String,
}

/// A request decided.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RequestDecided {
    /// `confirmed` 已确认 or `rejected` 已退回.
    state: &'static str,
    /// What the cancellation did (when confirmed).
    outcome: Option<erjian_store::lifecycle::CancelOutcome>,
}

/// 确认注销申请
///
/// The employer (or, for a forced cancellation, the holder) confirms with its PIN: in force at once.
#[utoipa::path(post, path = "/api/cancellation-requests/{id}/confirm", tag = "注册", params(("id" = i64, Path, description = "注销申请")),
    request_body = ConfirmBody, responses((status = 200, body = RequestDecided), crate::error::Refusals))]
pub(crate) async fn confirm_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
    JsonBody(b): JsonBody<ConfirmBody>,
) -> Result<Json<RequestDecided>, ApiError> {
    let outcome = state.store.decide_cancel_request(&user.actor, id, true, None, Some(&b.pin), &state.issuer, state.clock.now()).await?;
    Ok(Json(RequestDecided { state: "confirmed", outcome }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct RejectBody {
    /// 退回理由.
    reason: String,
}

/// 退回注销申请（须填理由）
#[utoipa::path(post, path = "/api/cancellation-requests/{id}/reject", tag = "注册", params(("id" = i64, Path, description = "注销申请")),
    request_body = RejectBody, responses((status = 200, body = RequestDecided), crate::error::Refusals))]
pub(crate) async fn reject_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
    JsonBody(b): JsonBody<RejectBody>,
) -> Result<Json<RequestDecided>, ApiError> {
    state.store.decide_cancel_request(&user.actor, id, false, Some(&b.reason), None, &state.issuer, state.clock.now()).await?;
    Ok(Json(RequestDecided { state: "rejected", outcome: None }))
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
    let pin = form.iter().find(|(n, _)| n == "pin").map(|(_, v)| v.as_str()).unwrap_or_default();
    match state.store.request_cancellation(&user.actor, &specialties, &get("reason"), Some(&get("note")), pin, state.clock.now()).await {
        Ok(_) => show_cancel(&state, &user, Some("已签署注销注册申请表并提交，待聘用企业盖章确认后生效".into()), None).await,
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
    let pin = form.iter().find(|(n, _)| n == "pin").map(|(_, v)| v.as_str());
    match state.store.decide_cancel_request(&user.actor, id, confirm, Some(&reason), pin, &state.issuer, state.clock.now()).await {
        Ok(_) if confirm => show_cancel(&state, &user, Some("已确认注销申请，注销已生效".into()), None).await,
        Ok(_) => show_cancel(&state, &user, Some("已退回注销申请".into()), None).await,
        Err(e) => match refusal(e) {
            Ok(m) => show_cancel(&state, &user, None, Some(m)).await,
            Err(e) => Err(e.into()),
        },
    }
}

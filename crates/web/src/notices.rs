//! The authority's notices of an application (受理通知书 …): listed, and downloaded as the sealed
//! OFD or its PDF rendition by whoever may see the application (the applicant, the enterprise,
//! the authorities over it). The file name is the document number's serial, never a person.

use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::{PathParams, QueryParams};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use erjian_store::notices::Notice;
use erjian_store::{Actor, Error};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/applications/{id}/notices/{nid}", get(download_page))
        .route("/api/applications/{id}/notices", get(list_api))
        .route("/api/applications/{id}/notices/{nid}", get(download_api))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Format {
    /// `ofd`（主管部门电子印章签章，缺省）或 `pdf`（版式呈现）.
    format: Option<String>,
}

async fn file(state: &AppState, actor: &Actor, id: i64, nid: i64, format: Option<&str>) -> Result<Response, Error> {
    let (notice, data, ofd) = state.store.notice_file(actor, id, nid, &state.issuer, state.clock.now()).await?;
    let (bytes, mime, ext) = match format.unwrap_or("ofd") {
        "pdf" => (erjian_cert::notice::notice_pdf(&data).map_err(|e| Error::Other(anyhow::anyhow!("{e}")))?, "application/pdf", "pdf"),
        _ => (ofd, "application/ofd", "ofd"),
    };
    let name = format!("attachment; filename=\"notice-{}-{}.{ext}\"", notice.kind, notice.id);
    Ok(([(CONTENT_TYPE, mime.to_owned()), (CONTENT_DISPOSITION, name), (CACHE_CONTROL, "private, no-store".to_owned())], bytes)
        .into_response())
}

async fn download_page(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, nid)): Path<(i64, i64)>,
    Query(f): Query<Format>,
) -> Result<Response, PageError> {
    Ok(file(&state, &user.actor, id, nid, f.format.as_deref()).await?)
}

/// 下载一份文书
#[utoipa::path(get, path = "/api/applications/{id}/notices/{nid}", tag = "申请",
    params(("id" = i64, Path, description = "申请"), ("nid" = i64, Path, description = "文书"), Format),
    responses((status = 200, content_type = "application/ofd", body = crate::openapi::File, description = "OFD，或 format=pdf 时 application/pdf"),
        crate::error::Refusals))]
pub(crate) async fn download_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams((id, nid)): PathParams<(i64, i64)>,
    QueryParams(f): QueryParams<Format>,
) -> Result<Response, ApiError> {
    Ok(file(&state, &user.actor, id, nid, f.format.as_deref()).await?)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Notices {
    notices: Vec<Notice>,
}

/// 申请的文书
///
/// 受理通知书、不予受理通知书、补正材料通知书、不予注册决定书、准予注册决定书: number, handler, grounds.
#[utoipa::path(get, path = "/api/applications/{id}/notices", tag = "申请", params(("id" = i64, Path, description = "申请")),
    responses((status = 200, body = Notices), crate::error::Refusals))]
pub(crate) async fn list_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Notices>, ApiError> {
    Ok(Json(Notices { notices: state.store.notices(&user.actor, id).await? }))
}

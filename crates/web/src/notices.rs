//! The authority's notices of an application (受理通知书 …): listed, and downloaded as the sealed
//! OFD or its PDF rendition by whoever may see the application (the applicant, the enterprise,
//! the authorities over it). The file name is the document number's serial, never a person.

use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
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

#[derive(serde::Deserialize)]
pub struct Format {
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

async fn download_api(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, nid)): Path<(i64, i64)>,
    Query(f): Query<Format>,
) -> Result<Response, ApiError> {
    Ok(file(&state, &user.actor, id, nid, f.format.as_deref()).await?)
}

#[derive(serde::Serialize)]
struct Listed {
    notices: Vec<Notice>,
}

async fn list_api(State(state): State<AppState>, user: ApiUser, Path(id): Path<i64>) -> Result<Json<Listed>, ApiError> {
    Ok(Json(Listed { notices: state.store.notices(&user.actor, id).await? }))
}

//! Certificates over HTTP: downloads (OFD, the sealed original; PDF, a rendition) for the holder,
//! the employer and the authorities. The public status pages live in [`crate::check`].

use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::{PathParams, QueryParams};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use erjian_domain::workflow::Role;
use erjian_store::certificates::Certificate;
use erjian_store::{Actor, Error};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/certificates/{id}/download", get(download_page))
        .route("/api/certificates", get(list_api))
        .route("/api/certificates/{id}/download", get(download_api))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Format {
    /// `ofd`（缺省）或 `pdf`.
    format: Option<String>,
}

async fn file(state: &AppState, actor: &Actor, id: i64, format: Option<&str>) -> Result<Response, Error> {
    let (cert, ofd) = state.store.certificate_file(actor, id, state.clock.now()).await?;
    let (bytes, mime, ext) = match format.unwrap_or("ofd") {
        "pdf" => {
            let face = state.store.certificate_face(id).await?;
            let pdf = state.issuer.authority.pdf(&face).map_err(|e| Error::Other(anyhow::anyhow!("{e}")))?;
            (pdf, "application/pdf", "pdf")
        }
        _ => (ofd, "application/ofd", "ofd"),
    };
    let name = format!("attachment; filename=\"{}.{ext}\"", cert.licence_id);
    Ok(([(CONTENT_TYPE, mime.to_owned()), (CONTENT_DISPOSITION, name), (CACHE_CONTROL, "private, no-store".to_owned())], bytes)
        .into_response())
}

async fn download_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(f): Query<Format>,
) -> Result<Response, PageError> {
    Ok(file(&state, &user.actor, id, f.format.as_deref()).await?)
}

/// 下载电子证书
///
/// The sealed OFD, or `format=pdf` its PDF rendition; the holder, the employer and the authorities.
#[utoipa::path(get, path = "/api/certificates/{id}/download", tag = "证书", params(("id" = i64, Path, description = "证书"), Format),
    responses((status = 200, content_type = "application/ofd", body = crate::openapi::File, description = "OFD，或 format=pdf 时 application/pdf"),
        crate::error::Refusals))]
pub(crate) async fn download_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
    QueryParams(f): QueryParams<Format>,
) -> Result<Response, ApiError> {
    Ok(file(&state, &user.actor, id, f.format.as_deref()).await?)
}

/// The caller's certificates: the holder's own, or the enterprise's people's.
pub async fn certificates_for(state: &AppState, actor: &Actor) -> Result<Vec<Certificate>, Error> {
    let regs = match (actor.role, actor.person_id, actor.enterprise_id) {
        (Role::Individual, Some(p), _) => state.store.registrations_of_person(p).await?,
        (Role::Enterprise, _, Some(e)) => state.store.registrations_of_enterprise(e).await?,
        _ => return Err(Error::Forbidden),
    };
    let mut out = Vec::new();
    for r in regs {
        out.extend(state.store.certificates_of_registration(r.id).await?);
    }
    Ok(out)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Certificates {
    /// Every version, newest and superseded.
    certificates: Vec<Certificate>,
}

/// 电子证书列表
///
/// The holder's own, or the enterprise's people's.
#[utoipa::path(get, path = "/api/certificates", tag = "证书", responses((status = 200, body = Certificates), crate::error::Refusals))]
pub(crate) async fn list_api(State(state): State<AppState>, user: ApiUser) -> Result<Json<Certificates>, ApiError> {
    Ok(Json(Certificates { certificates: crate::mask::for_caller(&user.actor, certificates_for(&state, &user.actor).await?) }))
}

//! An application's materials over JSON: the slots the procedure and the province ask for, the
//! files uploaded (listed with size and SM3, fetched one by one) and uploading one. The same
//! access rule as the application's page, in the store.

use super::detail::material_response;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use erjian_store::attachments::{AttachmentInfo, SlotView};
use erjian_store::Error;

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct MaterialBody {
    /// 材料栏目代码（GET …/materials 中的 code）.
    slot: String,
    /// 文件（PDF、JPG、PNG、OFD，base64）：按内容识别并校验.
    file_base64: String,
}

/// The file stored.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Uploaded {
    id: i64,
}

/// 上传或更换一项材料
///
/// While the form may be changed, by the applicant (or the enterprise filing for them); a signed
/// form is made again.
#[utoipa::path(post, path = "/api/applications/{id}/materials", tag = "申请材料", params(("id" = i64, Path, description = "申请")),
    request_body = MaterialBody, responses((status = 201, body = Uploaded), crate::error::Refusals))]
pub(crate) async fn upload_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
    JsonBody(b): JsonBody<MaterialBody>,
) -> Result<(StatusCode, Json<Uploaded>), ApiError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b.file_base64.trim())
        .map_err(|_| Error::invalid("file_base64", "文件应为 base64 编码"))?;
    let aid = state.store.put_attachment(&user.actor, id, &b.slot, &bytes, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(Uploaded { id: aid })))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SlotList {
    slots: Vec<SlotView>,
}

/// 申请材料栏目
///
/// By the procedure and the province: types, size limit, required or not, the files uploaded.
#[utoipa::path(get, path = "/api/applications/{id}/materials", tag = "申请材料", params(("id" = i64, Path, description = "申请")),
    responses((status = 200, body = SlotList), crate::error::Refusals))]
pub(crate) async fn slots_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<SlotList>, ApiError> {
    Ok(Json(SlotList { slots: state.store.material_slots(&user.actor, id).await? }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct AttachmentList {
    attachments: Vec<AttachmentInfo>,
}

/// 申请材料列表
///
/// Kind, size and SM3 of each file; whoever may see the application.
#[utoipa::path(get, path = "/api/applications/{id}/attachments", tag = "申请材料", params(("id" = i64, Path, description = "申请")),
    responses((status = 200, body = AttachmentList), crate::error::Refusals))]
pub(crate) async fn attachments_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<AttachmentList>, ApiError> {
    Ok(Json(AttachmentList { attachments: state.store.attachments(&user.actor, id).await? }))
}

/// 一份申请材料
///
/// The file as stored (pictures re-encoded; PDF and OFD as sent).
#[utoipa::path(get, path = "/api/applications/{id}/attachments/{aid}", tag = "申请材料",
    params(("id" = i64, Path, description = "申请"), ("aid" = i64, Path, description = "材料")),
    responses((status = 200, content_type = "application/octet-stream", body = crate::openapi::File, description = "image/png、image/jpeg、application/pdf 或 application/ofd"),
        crate::error::Refusals))]
pub(crate) async fn attachment_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams((id, aid)): PathParams<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (bytes, mime) = state.store.attachment(&user.actor, id, aid).await?;
    Ok(material_response(bytes, mime, aid))
}

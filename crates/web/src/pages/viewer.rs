//! Looking at an OFD material in the browser: its pages drawn to PNG by `erjian-render`, for
//! whoever may see the application (the applicant, its enterprise, the reviewing authority);
//! anyone else gets what the attachment itself would answer (403/404) and no picture. Drawing
//! runs under the heavy-work limiter, like the public file check.

use super::{render, Ctx};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use erjian_store::Error;

/// Pages drawn for the screen: sharp on a phone, small enough to send quickly.
const SCREEN_DPI: f32 = 110.0;
/// A viewer shows at most this many pages of one material.
pub const MAX_PAGES: usize = 50;

async fn ofd_of(state: &AppState, user: &PageUser, id: i64, aid: i64) -> Result<Vec<u8>, Error> {
    let (bytes, mime) = state.store.attachment(&user.actor, id, aid).await?;
    if mime != "application/ofd" {
        return Err(Error::NotFound("该材料不是 OFD 文件"));
    }
    Ok(bytes)
}

fn refused(r: crate::heavy::Refused) -> Error {
    match r {
        crate::heavy::Refused::Busy => Error::Conflict("系统繁忙，请稍后再试".into()),
        crate::heavy::Refused::TooLong => Error::Conflict("文件过于复杂，无法在时限内显示".into()),
    }
}

/// `GET /applications/{id}/attachments/{aid}/pages/{n}`: page n (from 1) as PNG.
pub async fn page_png(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, aid, n)): Path<(i64, i64, usize)>,
) -> Result<Response, PageError> {
    if n == 0 || n > MAX_PAGES {
        return Err(Error::NotFound("没有这一页").into());
    }
    let bytes = ofd_of(&state, &user, id, aid).await?;
    let png = state.heavy.run(move || erjian_render::page_png(&bytes, n - 1, SCREEN_DPI)).await.map_err(refused)?;
    let png = png.map_err(|e| match e {
        erjian_render::RenderError::NoPage(_) => Error::NotFound("没有这一页"),
        other => Error::Conflict(format!("无法显示：{other}")),
    })?;
    Ok(([(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "private, no-store")], png).into_response())
}

#[derive(Template)]
#[template(path = "material_view.html")]
struct ViewPage {
    ctx: Ctx,
    id: i64,
    aid: i64,
    label: String,
    pages: Vec<usize>,
    total: usize,
}

/// `GET /applications/{id}/attachments/{aid}/view`: every page of an OFD material, one under another.
pub async fn view(State(state): State<AppState>, user: PageUser, Path((id, aid)): Path<(i64, i64)>) -> Result<Response, PageError> {
    let bytes = ofd_of(&state, &user, id, aid).await?;
    let label = state.store.attachments(&user.actor, id).await?.into_iter().find(|a| a.id == aid).map(|a| a.label).unwrap_or("申请材料");
    let total = state
        .heavy
        .run(move || erjian_render::page_count(&bytes))
        .await
        .map_err(refused)?
        .map_err(|e| Error::Conflict(format!("无法显示：{e}")))?;
    let ctx = Ctx::new(&state, Some(&user), format!("{label}（OFD）"), "/portal");
    Ok(render(&ViewPage { ctx, id, aid, label: label.to_owned(), pages: (1..=total.min(MAX_PAGES)).collect(), total }))
}

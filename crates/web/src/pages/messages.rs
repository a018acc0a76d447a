//! 消息中心 for individuals and enterprises: every hand-off and reminder addressed to the
//! account, newest first, with the unread ones marked (opening the page reads them), and the
//! choice to have them texted as well. JSON too: `GET /api/notifications`,
//! `POST /api/notifications/read`, `PUT /api/notifications/sms`.

use super::{render, Ctx};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::JsonBody;
use crate::AppState;
use askama::Template;
use axum::extract::{Form, State};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use erjian_domain::workflow::Role;
use erjian_store::notifications::Notification;
use erjian_store::{Actor, Error};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/messages", get(page))
        .route("/messages/sms", post(set_sms))
        .route("/api/notifications", get(list_api))
        .route("/api/notifications/read", post(read_api))
        .route("/api/notifications/sms", put(sms_api))
}

#[derive(Template)]
#[template(path = "messages.html")]
struct MessagesPage {
    ctx: Ctx,
    items: Vec<Notification>,
    sms: bool,
    to_whom: &'static str,
    /// The gateway only writes to the demo outbox.
    demo_sms: bool,
    saved: Option<&'static str>,
}

fn receives(actor: &Actor) -> Result<(), Error> {
    match actor.role {
        Role::Individual | Role::Enterprise => Ok(()),
        _ => Err(Error::Forbidden),
    }
}

async fn show(state: &AppState, user: &PageUser, saved: Option<&'static str>) -> Result<Response, PageError> {
    receives(&user.actor)?;
    let items = state.store.notifications(&user.actor, 200).await?;
    // Shown with their unread marks, then read.
    state.store.mark_read(&user.actor, None, state.clock.now()).await?;
    let mut ctx = Ctx::new(state, Some(user), "消息中心", "/messages");
    ctx.unread = 0;
    let to_whom = if user.actor.role == Role::Enterprise { "单位联系人手机" } else { "本人登记手机" };
    let page = MessagesPage { ctx, items, sms: state.store.sms_notify(&user.actor).await?, to_whom, demo_sms: state.sms.is_demo(), saved };
    Ok(render(&page))
}

async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    show(&state, &user, None).await
}

#[derive(serde::Deserialize)]
struct SmsForm {
    csrf: String,
    #[serde(default)]
    sms: Option<String>,
}

async fn set_sms(State(state): State<AppState>, user: PageUser, Form(f): Form<SmsForm>) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let on = f.sms.is_some();
    state.store.set_sms_notify(&user.actor, on, state.clock.now()).await?;
    show(&state, &user, Some(if on { "已开启短信通知" } else { "已关闭短信通知" })).await
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Inbox {
    /// 最新200条.
    notifications: Vec<Notification>,
    /// 未读数.
    unread: i64,
    /// 是否同时以短信通知.
    sms: bool,
}

/// 消息中心（个人、企业）
#[utoipa::path(get, path = "/api/notifications", tag = "消息", responses((status = 200, body = Inbox), crate::error::Refusals))]
pub(crate) async fn list_api(State(state): State<AppState>, user: ApiUser) -> Result<Json<Inbox>, ApiError> {
    receives(&user.actor)?;
    Ok(Json(Inbox {
        notifications: state.store.notifications(&user.actor, 200).await?,
        unread: state.store.unread_count(&user.actor).await?,
        sms: state.store.sms_notify(&user.actor).await?,
    }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct ReadBody {
    /// One message; all when absent.
    id: Option<i64>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Read {
    /// 标为已读的条数.
    marked: u64,
}

/// 标为已读
///
/// One message (`id`), or all when absent; only the caller's own.
#[utoipa::path(post, path = "/api/notifications/read", tag = "消息", request_body = ReadBody,
    responses((status = 200, body = Read), crate::error::Refusals))]
pub(crate) async fn read_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<ReadBody>,
) -> Result<Json<Read>, ApiError> {
    receives(&user.actor)?;
    Ok(Json(Read { marked: state.store.mark_read(&user.actor, b.id, state.clock.now()).await? }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct SmsBody {
    /// true 同时以短信通知.
    on: bool,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SmsSet {
    sms: bool,
}

/// 是否同时以短信通知
#[utoipa::path(put, path = "/api/notifications/sms", tag = "消息", request_body = SmsBody,
    responses((status = 200, body = SmsSet), crate::error::Refusals))]
pub(crate) async fn sms_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<SmsBody>,
) -> Result<Json<SmsSet>, ApiError> {
    state.store.set_sms_notify(&user.actor, b.on, state.clock.now()).await?;
    Ok(Json(SmsSet { sms: b.on }))
}

/// Texts the messages of accounts that asked for it, through the configured gateway; returns how
/// many went out. Run by the server every minute.
pub async fn send_pending_texts(state: &AppState) -> Result<usize, Error> {
    let mut sent = 0;
    for t in state.store.pending_texts(100).await? {
        let ok = match state.sms.notice(&t.mobile, &t.body).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "a notice could not be texted");
                false
            }
        };
        state.store.texted(t.id, ok).await?;
        sent += usize::from(ok);
    }
    Ok(sent)
}

//! 通知公告: the public list and each notice; the province publishes and withdraws them from
//! `/notices/manage`. The home page shows the newest ones beside the consultation numbers.

use crate::auth::PageUser;
use crate::error::PageError;
use crate::extract::FormBody;
use crate::pages::{public_ctx, render, render_status, Ctx};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use erjian_domain::workflow::Role;
use erjian_store::site_notices::SiteNotice;
use erjian_store::Error;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notices", get(list))
        .route("/notices/{id}", get(one))
        .route("/notices/manage", get(manage).post(publish))
        .route("/notices/{id}/withdraw", post(withdraw))
}

#[derive(Template)]
#[template(path = "site_notices.html")]
struct ListPage {
    ctx: Ctx,
    notices: Vec<SiteNotice>,
    one: Option<SiteNotice>,
}

async fn list(State(state): State<AppState>) -> Result<Response, PageError> {
    let notices = state.store.site_notices(50, false).await?;
    Ok(render(&ListPage { ctx: public_ctx(&state, "通知公告", "/notices", String::new()), notices, one: None }))
}

async fn one(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, PageError> {
    let notice = state.store.site_notice(id).await?;
    let ctx = public_ctx(&state, &notice.title, "/notices", String::new());
    Ok(render(&ListPage { ctx, notices: vec![], one: Some(notice) }))
}

#[derive(Template)]
#[template(path = "site_notices_manage.html")]
struct ManagePage {
    ctx: Ctx,
    notices: Vec<SiteNotice>,
    title: String,
    body: String,
    error: Option<String>,
}

fn province(user: &PageUser) -> Result<(), PageError> {
    if user.actor.role == Role::ProvinceAuthority {
        Ok(())
    } else {
        Err(Error::Forbidden.into())
    }
}

async fn show(
    state: &AppState,
    user: &PageUser,
    form: (String, String),
    error: Option<String>,
    flash: Option<String>,
) -> Result<Response, PageError> {
    let notices = state.store.site_notices(200, true).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let ctx = Ctx::new(state, Some(user), "通知公告管理", "/notices/manage").with_flash(flash);
    Ok(render_status(status, &ManagePage { ctx, notices, title: form.0, body: form.1, error }))
}

#[derive(serde::Deserialize, Default)]
struct DoneQuery {
    done: Option<String>,
}

async fn manage(
    State(state): State<AppState>,
    user: PageUser,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<Response, PageError> {
    province(&user)?;
    let flash = match q.done.as_deref() {
        Some("published") => Some("已发布通知公告，首页已显示。".to_owned()),
        Some("withdrawn") => Some("已撤下该通知公告。".to_owned()),
        _ => None,
    };
    show(&state, &user, Default::default(), None, flash).await
}

#[derive(serde::Deserialize)]
struct NoticeForm {
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

async fn publish(State(state): State<AppState>, user: PageUser, FormBody(f): FormBody<NoticeForm>) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    province(&user)?;
    match state.store.publish_notice(&user.actor, &f.title, &f.body, state.clock.now()).await {
        Ok(_) => Ok(Redirect::to("/notices/manage?done=published").into_response()),
        Err(Error::Invalid(fields)) => {
            let m = fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("；");
            show(&state, &user, (f.title, f.body), Some(m), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn withdraw(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    FormBody(f): FormBody<CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    province(&user)?;
    state.store.withdraw_notice(&user.actor, id, state.clock.now()).await?;
    Ok(Redirect::to("/notices/manage?done=withdrawn").into_response())
}

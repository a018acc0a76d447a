//! 企业名称变更 for the province authority in the browser: name the enterprise by its credit code and
//! give the new name; every registered person's certificate is reissued with it in the
//! background (one transaction each, resumable), and the page shows each batch's progress,
//! refreshing itself while one runs.

use super::{render, Ctx};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Form, State};
use axum::response::Response;
use erjian_store::rename::RenameJob;
use erjian_store::Error;

#[derive(Template)]
#[template(path = "renames.html")]
struct RenamesPage {
    ctx: Ctx,
    jobs: Vec<RenameJob>,
    running: bool,
    message: Option<String>,
    error: Option<String>,
    credit_code: String,
    name: String,
}

async fn show(
    state: &AppState,
    user: &PageUser,
    message: Option<String>,
    error: Option<String>,
    typed: (String, String),
) -> Result<Response, PageError> {
    let jobs = state.store.rename_jobs(&user.actor, 50).await?;
    let running = jobs.iter().any(|j| j.done < j.total && j.finished_at.is_none());
    let ctx = Ctx::new(state, Some(user), "企业名称变更", "/enterprise-renames");
    Ok(render(&RenamesPage { ctx, jobs, running, message, error, credit_code: typed.0, name: typed.1 }))
}

pub async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    show(&state, &user, None, None, Default::default()).await
}

#[derive(serde::Deserialize)]
pub struct RenameForm {
    csrf: String,
    credit_code: String,
    name: String,
}

pub async fn start(State(state): State<AppState>, user: PageUser, Form(f): Form<RenameForm>) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let typed = (f.credit_code.clone(), f.name.clone());
    let Some(id) = state.store.enterprise_id_by_credit_code(&f.credit_code).await? else {
        return show(&state, &user, None, Some("未找到该统一社会信用代码的企业，请核对".into()), typed).await;
    };
    match state.store.start_enterprise_rename(Some(&user.actor), id, &f.name, state.clock.now()).await {
        Ok(job) => {
            crate::registrations::run_rename(&state, job.id);
            let m = format!("已开始：“{}”更名为“{}”，共 {} 人的证书将逐一换发", job.old_name, job.new_name, job.total);
            show(&state, &user, Some(m), None, Default::default()).await
        }
        Err(Error::Invalid(e)) => show(&state, &user, None, e.first().map(|f| f.message.clone()), typed).await,
        Err(Error::Conflict(m)) => show(&state, &user, None, Some(m), typed).await,
        Err(e) => Err(e.into()),
    }
}

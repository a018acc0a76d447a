//! The two oversight administrators of 等保三级 (separation of duties): the audit administrator
//! verifies, searches and exports the audit log and does nothing else; the security
//! administrator sees paused logins and lifts them. The system administrator sees neither.

use super::{render, Ctx};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::extract::FormBody;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use erjian_domain::workflow::Role;
use erjian_store::audit::AuditRow;
use erjian_store::audit_chain::{AuditFilter, ChainReport};
use erjian_store::throttle::Paused;
use erjian_store::Error;

fn only(user: &PageUser, role: Role) -> Result<(), PageError> {
    if user.actor.role == role {
        Ok(())
    } else {
        Err(Error::Forbidden.into())
    }
}

#[derive(serde::Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl AuditQuery {
    fn filter(&self, limit: i64) -> AuditFilter {
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        AuditFilter { words: self.q.clone(), action: self.action.clone(), from: day(&self.from), to: day(&self.to), limit }
    }

    fn query_string(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &self.q)
            .append_pair("action", &self.action)
            .append_pair("from", &self.from)
            .append_pair("to", &self.to)
            .finish()
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: Ctx,
    report: ChainReport,
    checkpoint: Option<(i64, String)>,
    rows: Vec<AuditRow>,
    query: AuditQuery,
    export: String,
}

pub async fn audit(State(state): State<AppState>, user: PageUser, Query(q): Query<AuditQuery>) -> Result<Response, PageError> {
    only(&user, Role::AuditAdmin)?;
    let report = state.store.verify_audit().await?;
    let checkpoint = state.store.latest_checkpoint().await?.map(|(seq, at)| (seq, erjian_store::db::show_ts(&at)));
    let rows = state.store.audit_search(&q.filter(200)).await?;
    let export = format!("/audit/export.csv?{}", q.query_string());
    let ctx = Ctx::new(&state, Some(&user), "审计日志", "/audit");
    Ok(render(&AuditPage { ctx, report, checkpoint, rows, query: q, export }))
}

pub async fn audit_csv(State(state): State<AppState>, user: PageUser, Query(q): Query<AuditQuery>) -> Result<Response, PageError> {
    only(&user, Role::AuditAdmin)?;
    let rows = state
        .store
        .audit_search(&q.filter(5000))
        .await?
        .into_iter()
        .map(|h| {
            let states = match (&h.from_state, &h.to_state) {
                (None, None) => String::new(),
                (f, t) => format!("{} → {}", h.state_label(f.as_deref().unwrap_or("")), h.state_label(t.as_deref().unwrap_or(""))),
            };
            vec![
                h.at_display(),
                h.actor_name.clone(),
                h.action_label().to_owned(),
                format!("{}{}", h.object_label(), h.object_id.map(|n| format!(" 第{n}号")).unwrap_or_default()),
                states,
                h.reason.clone().unwrap_or_default(),
                h.detail.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Ok(crate::export::csv("audit.csv", &["时间", "操作人", "操作", "对象", "状态变化", "理由", "说明"], rows))
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    ctx: Ctx,
    paused: Vec<Paused>,
    message: Option<String>,
}

async fn show_security(state: &AppState, user: &PageUser, message: Option<String>) -> Result<Response, PageError> {
    let paused = state.store.paused_logins().await?;
    let ctx = Ctx::new(state, Some(user), "安全管理", "/security");
    Ok(render(&SecurityPage { ctx, paused, message }))
}

pub async fn security(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    only(&user, Role::SecurityAdmin)?;
    show_security(&state, &user, None).await
}

#[derive(serde::Deserialize)]
pub struct UnlockForm {
    csrf: String,
    username: String,
}

pub async fn unlock(State(state): State<AppState>, user: PageUser, FormBody(f): FormBody<UnlockForm>) -> Result<Response, PageError> {
    only(&user, Role::SecurityAdmin)?;
    user.check_csrf(&f.csrf)?;
    let n = state.store.unlock_login(&user.actor, &f.username, state.clock.now()).await?;
    show_security(&state, &user, Some(format!("已解除账号 {} 的登录暂停（{n} 个地址）", f.username.trim()))).await
}

pub async fn reset_factor(State(state): State<AppState>, user: PageUser, FormBody(f): FormBody<UnlockForm>) -> Result<Response, PageError> {
    only(&user, Role::SecurityAdmin)?;
    user.check_csrf(&f.csrf)?;
    let done = state.store.reset_second_factor(&user.actor, &f.username, state.clock.now()).await?;
    let message = if done {
        format!("已重置账号 {} 的动态口令，该账号下次登录时重新绑定", f.username.trim())
    } else {
        format!("账号 {} 不是已绑定动态口令的主管部门或管理员账号，未作改动", f.username.trim())
    };
    show_security(&state, &user, Some(message)).await
}

/// Where each administrator starts.
pub fn home(role: Role) -> Response {
    match role {
        Role::AuditAdmin => Redirect::to("/audit").into_response(),
        Role::SecurityAdmin => Redirect::to("/security").into_response(),
        _ => Redirect::to("/admin").into_response(),
    }
}

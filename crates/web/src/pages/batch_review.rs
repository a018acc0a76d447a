//! A reviewer's decision on several applications of a queue at once (批量受理, 批量初审通过,
//! 批量审批通过): each is decided on its own, exactly as from its page (its own checks, its own
//! transaction and audit row, the same opinion), and the answer lists what was done and why the
//! rest was not.

use super::{render, Ctx};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use erjian_domain::workflow::{Action, Role};
use erjian_store::Error;

/// At most this many in one request.
const MAX: usize = 200;

#[derive(Template)]
#[template(path = "batch_review.html")]
struct BatchResult {
    ctx: Ctx,
    label: &'static str,
    /// (application id, number or id, done, what happened)
    rows: Vec<(i64, String, bool, String)>,
    done: usize,
}

pub async fn submit(State(state): State<AppState>, user: PageUser, body: String) -> Result<Response, PageError> {
    let (mut csrf, mut action, mut opinion, mut ids) = (String::new(), String::new(), String::new(), Vec::new());
    for (k, v) in super::portal::form_urlencoded_pairs(&body) {
        match k.as_str() {
            "csrf" => csrf = v,
            "action" => action = v,
            "opinion" => opinion = v,
            "ids" => ids.extend(v.parse::<i64>().ok()),
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    if !matches!(user.actor.role, Role::CityAuthority | Role::ProvinceAuthority) {
        return Err(Error::Forbidden.into());
    }
    let action = Action::parse(&action)
        .filter(|a| matches!(a, Action::Accept | Action::PrelimApprove | Action::Approve))
        .ok_or_else(|| Error::Conflict("批量办理只适用于受理、初审通过和审批通过".into()))?;
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(Error::Conflict("请至少勾选一件申请".into()).into());
    }
    if ids.len() > MAX {
        return Err(Error::Conflict(format!("一次最多批量办理{MAX}件，请分批勾选")).into());
    }
    let opinion = opinion.trim();
    if opinion.chars().count() > 200 {
        return Err(Error::invalid("opinion", "审查意见不超过200字").into());
    }
    let opinion = (!opinion.is_empty()).then_some(opinion);
    let mut rows = Vec::new();
    for id in ids {
        // Only what the reviewer may see is named; anything else is "not found" like on its page.
        let number = match state.store.application(&user.actor, id).await {
            Ok(d) => d.application.number,
            Err(_) => format!("#{id}"),
        };
        let step = erjian_store::workflow::Step { action, reason: opinion, expected_version: None };
        match state.store.act_issuing(&user.actor, id, step, Some(&state.issuer), state.clock.now()).await {
            Ok(next) => rows.push((id, number, true, next.label().to_owned())),
            Err(e) => rows.push((id, number, false, e.to_string())),
        }
    }
    let done = rows.iter().filter(|r| r.2).count();
    let ctx = Ctx::new(&state, Some(&user), "批量办理结果", "");
    Ok(render(&BatchResult { ctx, label: action.label(), rows, done }))
}

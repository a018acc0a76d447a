//! CSV exports of the lists people work from: an enterprise's registered people and any user's
//! applications under the tenant rule, with the same filters as the pages. UTF-8 with a BOM so
//! that Excel opens the Chinese text correctly.

use crate::auth::PageUser;
use crate::error::PageError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use erjian_domain::workflow::{Role, State as AppState_};
use erjian_store::applications::ListFilter;
use erjian_store::Error;

pub fn routes() -> Router<AppState> {
    Router::new().route("/export/people.csv", get(people)).route("/export/applications.csv", get(applications))
}

/// One CSV field, quoted when needed; a leading formula character is neutralised.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub(crate) fn csv(name: &str, header: &[&str], rows: Vec<Vec<String>>) -> Response {
    let mut out = String::from("\u{feff}");
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        out,
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct Filters {
    reg_status: Option<String>,
    state: Option<String>,
    /// The search of an authority's list (as on the portal).
    q: Option<String>,
    /// Kind, city, deadline and order, as on the portal.
    #[serde(flatten)]
    filters: crate::filters::QueueParams,
}

async fn people(State(state): State<AppState>, user: PageUser, Query(f): Query<Filters>) -> Result<Response, PageError> {
    let enterprise = match (user.actor.role, user.actor.enterprise_id) {
        (Role::Enterprise, Some(e)) => e,
        _ => return Err(Error::Forbidden.into()),
    };
    let want = f.reg_status.unwrap_or_default();
    let today = erjian_store::db::today(state.clock.now());
    let rows = state
        .store
        .registrations_of_enterprise(enterprise)
        .await?
        .into_iter()
        .filter(|r| want.is_empty() || r.standing(today).code() == want)
        .filter(|r| r.matches(f.q.as_deref().unwrap_or_default()))
        .map(|r| {
            let specs = r
                .specialties
                .iter()
                .map(|s| format!("{}（{}至{}，{}）", s.name(), s.valid_from, s.valid_until, r.specialty_standing(s, today).label()))
                .collect::<Vec<_>>()
                .join("；");
            vec![
                r.person_name.clone(),
                r.masked_id(),
                r.registration_number.clone(),
                specs,
                r.standing(today).label().to_owned(),
                r.first_registered_on.clone(),
            ]
        })
        .collect();
    Ok(csv("people.csv", &["姓名", "身份证号", "注册编号", "注册专业及有效期", "注册状态", "首次注册"], rows))
}

async fn applications(State(state): State<AppState>, user: PageUser, Query(f): Query<Filters>) -> Result<Response, PageError> {
    let states = f.state.as_deref().and_then(AppState_::parse).into_iter().collect();
    let today = Some(erjian_store::db::today(state.clock.now()));
    let search = f.q.filter(|q| !q.trim().is_empty() && q.chars().count() <= 60);
    let filter = f.filters.apply(ListFilter { states, limit: 5000, today, search, ..Default::default() });
    let rows = state
        .store
        .applications(&user.actor, &filter)
        .await?
        .into_iter()
        .map(|a| {
            vec![
                a.number.clone(),
                a.kind_label().to_owned(),
                a.person_name.clone(),
                a.enterprise_name.clone(),
                a.specialty_names(),
                a.state().label().to_owned(),
                a.deadline.as_ref().map(|d| d.label()).unwrap_or_default(),
                a.updated_display(),
            ]
        })
        .collect();
    Ok(csv("applications.csv", &["申请表编号", "业务类型", "申请人", "聘用企业", "申请专业", "状态", "办理时限", "更新时间"], rows))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(super::field("a,b"), "\"a,b\"");
        assert_eq!(super::field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::field("=1+1"), "'=1+1");
        assert_eq!(super::field("张伟"), "张伟");
    }
}

//! 注册信息查询 for authorities: one person by document number or registration number — their
//! registrations with each certificate version, and their applications — within the tenant rule
//! (`Store::look_up_person`). Page and JSON.

use super::{render_status, Ctx};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use erjian_domain::workflow::Role;
use erjian_store::lookup::PersonFile;
use erjian_store::Error;

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    ctx: Ctx,
    q: String,
    found: Option<PersonFile>,
    error: Option<String>,
    today: chrono::NaiveDate,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// 证件号码或注册编号.
    #[serde(default)]
    #[param(min_length = 1, max_length = 40, pattern = r"\S")]
    q: String,
}

fn checked(q: &str) -> Result<&str, Error> {
    match q.trim() {
        "" => Err(Error::invalid("q", "请输入证件号码或注册编号")),
        t if t.chars().count() > 40 => Err(Error::invalid("q", "证件号码或注册编号过长")),
        t => Ok(t),
    }
}

pub async fn page(State(state): State<AppState>, user: PageUser, Query(q): Query<LookupQuery>) -> Result<Response, PageError> {
    if !matches!(user.actor.role, Role::CityAuthority | Role::ProvinceAuthority) {
        return Err(PageError(Error::Forbidden));
    }
    let (found, error) = if q.q.trim().is_empty() {
        (None, None)
    } else {
        match checked(&q.q) {
            Ok(term) => match state.store.look_up_person(&user.actor, term).await {
                Ok(f) => (Some(f), None),
                Err(Error::NotFound(m)) => (None, Some(m.to_owned())),
                Err(e) => return Err(e.into()),
            },
            Err(Error::Invalid(e)) => (None, e.first().map(|f| f.message.clone())),
            Err(e) => return Err(e.into()),
        }
    };
    let status = if error.is_some() { StatusCode::NOT_FOUND } else { StatusCode::OK };
    let page = LookupPage {
        ctx: Ctx::new(&state, Some(&user), "注册信息查询", "/lookup"),
        q: q.q.trim().to_owned(),
        found,
        error,
        today: erjian_store::db::today(state.clock.now()),
    };
    Ok(render_status(status, &page))
}

/// 注册信息查询（主管部门，辖区内）
///
/// By ID number or registration number: the person, each registration with its certificates, the applications.
#[utoipa::path(get, path = "/api/lookup", tag = "注册", params(LookupQuery), responses((status = 200, body = PersonFile), crate::error::Refusals))]
pub async fn api(
    State(state): State<AppState>,
    user: ApiUser,
    crate::extract::QueryParams(q): crate::extract::QueryParams<LookupQuery>,
) -> Result<Json<PersonFile>, ApiError> {
    let term = checked(&q.q)?;
    Ok(Json(state.store.look_up_person(&user.actor, term).await?))
}

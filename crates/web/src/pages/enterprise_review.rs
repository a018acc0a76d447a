//! 企业审核: the city authority (or the province) approves or refuses enterprises that signed up;
//! a pending enterprise sees only that it is waiting. Page and JSON.

use super::{render, render_status, Ctx};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::{FormBody, JsonBody};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use erjian_domain::workflow::Role;
use erjian_store::enterprise_accounts::EnterpriseSignup;
use erjian_store::registry::Enterprise;
use erjian_store::Error;

#[derive(Template)]
#[template(path = "enterprise_reviews.html")]
struct ReviewPage {
    ctx: Ctx,
    pending: Vec<(Enterprise, String)>,
    /// The cities the authority may create enterprise accounts in.
    cities: Vec<&'static erjian_domain::province::City>,
    /// The create form as typed (kept after a refusal).
    form: EnterpriseSignup,
    errors: Vec<erjian_domain::FieldError>,
    message: Option<String>,
    error: Option<String>,
}

async fn show(state: &AppState, user: &PageUser, message: Option<String>, error: Option<String>) -> Result<Response, PageError> {
    show_form(state, user, Default::default(), vec![], message, error).await
}

async fn show_form(
    state: &AppState,
    user: &PageUser,
    mut form: EnterpriseSignup,
    errors: Vec<erjian_domain::FieldError>,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let profile = state.profile();
    form.password.clear();
    let cities = profile
        .cities
        .iter()
        .filter(|c| user.actor.role != Role::CityAuthority || user.actor.city_code.as_deref() == Some(c.code))
        .collect();
    let pending = state
        .store
        .enterprise_reviews(&user.actor)
        .await?
        .into_iter()
        .map(|e| {
            let city = profile.city(&e.city_code).map(|c| c.name.to_owned()).unwrap_or_default();
            (e, city)
        })
        .collect();
    let status = if error.is_some() || !errors.is_empty() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let ctx = Ctx::new(state, Some(user), "企业审核", "/enterprise-reviews");
    Ok(render_status(status, &ReviewPage { ctx, pending, cities, form, errors, message, error }))
}

pub async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    show(&state, &user, None, None).await
}

#[derive(serde::Deserialize)]
pub struct DecisionForm {
    csrf: String,
    id: i64,
    decision: String,
    #[serde(default)]
    reason: Option<String>,
}

pub async fn decide(State(state): State<AppState>, user: PageUser, FormBody(f): FormBody<DecisionForm>) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let approve = f.decision == "approve";
    match state.store.decide_enterprise(&user.actor, f.id, approve, f.reason.as_deref(), state.clock.now()).await {
        Ok(_) => show(&state, &user, Some(if approve { "已审核通过".into() } else { "已不予通过".into() }), None).await,
        Err(Error::Invalid(e)) => show(&state, &user, None, e.first().map(|f| f.message.clone())).await,
        Err(Error::Conflict(m)) => show(&state, &user, None, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "enterprise_pending.html")]
struct PendingPage {
    ctx: Ctx,
    name: String,
    city: String,
}

/// The portal of an enterprise account not (yet) approved.
pub fn pending(state: &AppState, user: &PageUser) -> Response {
    let city = user.actor.city_code.as_deref().and_then(|c| state.profile().city(c)).map(|c| c.name.to_owned()).unwrap_or_default();
    render(&PendingPage { ctx: Ctx::new(state, Some(user), "企业账号待审核", "/portal"), name: user.actor.name.clone(), city })
}

#[derive(serde::Serialize)]
pub struct Reviews {
    enterprises: Vec<Enterprise>,
}

pub async fn list_api(State(state): State<AppState>, user: ApiUser) -> Result<Json<Reviews>, ApiError> {
    Ok(Json(Reviews { enterprises: state.store.enterprise_reviews(&user.actor).await? }))
}

#[derive(serde::Deserialize)]
pub struct DecisionBody {
    approve: bool,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(serde::Serialize)]
pub struct Decided {
    status: String,
}

pub async fn decide_api(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<DecisionBody>,
) -> Result<Json<Decided>, ApiError> {
    let status = state.store.decide_enterprise(&user.actor, id, b.approve, b.reason.as_deref(), state.clock.now()).await?;
    Ok(Json(Decided { status }))
}

fn picture(bytes: Vec<u8>, mime: String) -> Response {
    use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
    use axum::response::IntoResponse;
    ([(CONTENT_TYPE, mime), (CACHE_CONTROL, "private, no-store".to_owned())], bytes).into_response()
}

/// The 营业执照 scan, for the reviewing authority or the enterprise itself (page session).
pub async fn licence(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (bytes, mime) = state.store.enterprise_licence(&user.actor, id).await?;
    Ok(picture(bytes, mime))
}

/// The same for API callers.
pub async fn licence_api(State(state): State<AppState>, user: ApiUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let (bytes, mime) = state.store.enterprise_licence(&user.actor, id).await?;
    Ok(picture(bytes, mime))
}

#[derive(serde::Deserialize)]
pub struct CreateForm {
    csrf: String,
    #[serde(flatten)]
    form: EnterpriseSignup,
}

/// The authority creates an account for an enterprise it has checked on site (active at once).
pub async fn create(State(state): State<AppState>, user: PageUser, FormBody(f): FormBody<CreateForm>) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    match state.store.create_enterprise(&user.actor, &f.form, state.clock.now()).await {
        Ok(a) => {
            show(&state, &user, Some(format!("已创建企业账号：登录名 {}，请将初始密码告知企业并提醒其登录后修改", a.username)), None).await
        }
        Err(Error::Invalid(errors)) => show_form(&state, &user, f.form, errors, None, None).await,
        Err(Error::Conflict(m)) => show_form(&state, &user, f.form, vec![], None, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}

//! 单位信息: an enterprise's own page. Name, credit code, city and legal representative as
//! registered (the name changes only through the authority's rename); contacts, address, phone
//! and 企业资质 kept up to date by the enterprise, audited. And the authority's side: creating an
//! account for an enterprise it has checked on site. Pages and JSON.

use super::{render_status, Ctx};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::{FormBody, JsonBody};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use erjian_domain::FieldError;
use erjian_store::enterprise_accounts::{EnterpriseContacts, EnterpriseSignup};
use erjian_store::registry::Enterprise;
use erjian_store::{Actor, Error};

#[derive(Template)]
#[template(path = "enterprise_profile.html")]
struct ProfilePage {
    ctx: Ctx,
    e: Enterprise,
    city: String,
    form: EnterpriseContacts,
    errors: Vec<FieldError>,
    message: Option<String>,
}

async fn own(state: &AppState, actor: &Actor) -> Result<Enterprise, Error> {
    let id = actor.enterprise_id.ok_or(Error::Forbidden)?;
    state.store.enterprise(id).await?.ok_or(Error::NotFound("企业不存在"))
}

async fn show(
    state: &AppState,
    user: &PageUser,
    form: Option<EnterpriseContacts>,
    errors: Vec<FieldError>,
    message: Option<String>,
) -> Result<Response, PageError> {
    let e = own(state, &user.actor).await?;
    let city = state.profile().city(&e.city_code).map(|c| c.name.to_owned()).unwrap_or_default();
    let form = form.unwrap_or_else(|| EnterpriseContacts {
        contact_name: e.contact_name.clone(),
        contact_mobile: e.contact_mobile.clone(),
        address: e.address.clone(),
        phone: e.phone.clone(),
        qualification: e.qualification.clone(),
    });
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let ctx = Ctx::new(state, Some(user), "单位信息", "/enterprise/profile");
    Ok(render_status(status, &ProfilePage { ctx, e, city, form, errors, message }))
}

pub async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    show(&state, &user, None, vec![], None).await
}

#[derive(serde::Deserialize)]
pub struct ContactsForm {
    csrf: String,
    #[serde(flatten)]
    contacts: EnterpriseContacts,
}

pub async fn save(State(state): State<AppState>, user: PageUser, FormBody(f): FormBody<ContactsForm>) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    match state.store.update_enterprise_contacts(&user.actor, &f.contacts, state.clock.now()).await {
        Ok(()) => show(&state, &user, None, vec![], Some("单位信息已保存".into())).await,
        Err(Error::Invalid(errors)) => show(&state, &user, Some(f.contacts), errors, None).await,
        Err(e) => Err(e.into()),
    }
}

/// 本单位信息
#[utoipa::path(get, path = "/api/enterprise/profile", tag = "企业", responses((status = 200, body = Enterprise), crate::error::Refusals))]
pub async fn get_api(State(state): State<AppState>, user: ApiUser) -> Result<Json<Enterprise>, ApiError> {
    Ok(Json(own(&state, &user.actor).await?))
}

/// 修改本单位联系信息与资质
///
/// The name changes only by the authority's rename.
#[utoipa::path(put, path = "/api/enterprise/profile", tag = "企业", request_body = EnterpriseContacts,
    responses((status = 200, body = Enterprise), crate::error::Refusals))]
pub async fn put_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(c): JsonBody<EnterpriseContacts>,
) -> Result<Json<Enterprise>, ApiError> {
    state.store.update_enterprise_contacts(&user.actor, &c, state.clock.now()).await?;
    Ok(Json(own(&state, &user.actor).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct EnterpriseCreated {
    id: Option<i64>,
    /// 登录名（统一社会信用代码）.
    username: String,
    /// Always `active`: usable at once.
    status: &'static str,
}

/// 主管部门创建企业账号
///
/// After checking on site; usable at once; a city authority only for its city.
#[utoipa::path(post, path = "/api/enterprises", tag = "企业", request_body = EnterpriseSignup,
    responses((status = 201, body = EnterpriseCreated), crate::error::Refusals))]
pub async fn create_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(s): JsonBody<EnterpriseSignup>,
) -> Result<(StatusCode, Json<EnterpriseCreated>), ApiError> {
    let actor = state.store.create_enterprise(&user.actor, &s, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(EnterpriseCreated { id: actor.enterprise_id, username: actor.username, status: "active" })))
}

//! 企业审核: the city authority (or the province) approves or refuses enterprises that signed up;
//! a pending enterprise sees only that it is waiting. Page and JSON.

use super::{render, render_status, Ctx};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::{FormBody, JsonBody, PathParams};
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
    /// Accounts just imported, with their initial passwords (shown this once).
    imported: Vec<erjian_store::enterprise_import::CreatedAccount>,
    import_errors: Vec<erjian_domain::qualification::RowError>,
    headers: String,
    message: Option<String>,
    error: Option<String>,
}

async fn show(state: &AppState, user: &PageUser, message: Option<String>, error: Option<String>) -> Result<Response, PageError> {
    show_form(state, user, Default::default(), vec![], message, error).await
}

/// What the page shows besides the pending list: the create form as typed, and an import's outcome.
#[derive(Default)]
struct Shown {
    form: EnterpriseSignup,
    errors: Vec<erjian_domain::FieldError>,
    imported: Vec<erjian_store::enterprise_import::CreatedAccount>,
    import_errors: Vec<erjian_domain::qualification::RowError>,
    message: Option<String>,
    error: Option<String>,
}

async fn show_form(
    state: &AppState,
    user: &PageUser,
    form: EnterpriseSignup,
    errors: Vec<erjian_domain::FieldError>,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    render_page(state, user, Shown { form, errors, message, error, ..Default::default() }).await
}

async fn render_page(state: &AppState, user: &PageUser, mut shown: Shown) -> Result<Response, PageError> {
    let profile = state.profile();
    shown.form.password.clear();
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
    let refused = shown.error.is_some() || !shown.errors.is_empty() || !shown.import_errors.is_empty();
    let status = if refused { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ReviewPage {
        ctx: Ctx::new(state, Some(user), "企业审核", "/enterprise-reviews"),
        pending,
        cities,
        form: shown.form,
        errors: shown.errors,
        imported: shown.imported,
        import_errors: shown.import_errors,
        headers: erjian_domain::enterprise_csv::HEADERS.join(","),
        message: shown.message,
        error: shown.error,
    };
    Ok(render_status(status, &page))
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

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Reviews {
    enterprises: Vec<Enterprise>,
}

/// 待审核的企业
///
/// The city authority sees its city's, the province all.
#[utoipa::path(get, path = "/api/enterprise-reviews", tag = "企业", responses((status = 200, body = Reviews), crate::error::Refusals))]
pub async fn list_api(State(state): State<AppState>, user: ApiUser) -> Result<Json<Reviews>, ApiError> {
    Ok(Json(Reviews { enterprises: state.store.enterprise_reviews(&user.actor).await? }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct DecisionBody {
    /// true 通过；false 不予通过（须填 reason）.
    approve: bool,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Decided {
    /// 企业账号的状态.
    status: String,
}

/// 企业审核
#[utoipa::path(post, path = "/api/enterprise-reviews/{id}", tag = "企业", params(("id" = i64, Path, description = "企业")),
    request_body = DecisionBody, responses((status = 200, body = Decided), crate::error::Refusals))]
pub async fn decide_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
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

/// 营业执照扫描件
///
/// For the reviewing authority or the enterprise itself.
#[utoipa::path(get, path = "/api/enterprises/{id}/licence", tag = "企业", params(("id" = i64, Path, description = "企业")),
    responses((status = 200, content_type = "image/png", body = crate::openapi::File, description = "image/png 或 image/jpeg"), crate::error::Refusals))]
pub async fn licence_api(State(state): State<AppState>, user: ApiUser, PathParams(id): PathParams<i64>) -> Result<Response, ApiError> {
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

/// The authority imports enterprise accounts from a CSV file (all rows or none); the initial
/// passwords are shown once.
pub async fn import(State(state): State<AppState>, user: PageUser, mut mp: axum::extract::Multipart) -> Result<Response, PageError> {
    let (mut csrf, mut file) = (String::new(), Vec::new());
    let bad = |_| PageError(Error::Conflict("上传内容不完整，请重新选择文件".into()));
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("file") => file = field.bytes().await.map_err(bad)?.to_vec(),
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    let result = state.store.import_enterprises(&user.actor, state.profile().cities, &file, state.clock.now()).await;
    let (imported, import_errors) = match result {
        Ok(created) => (created, vec![]),
        Err(erjian_store::qualifications::ImportError::Rows(rows)) => (vec![], rows),
        Err(erjian_store::qualifications::ImportError::Store(e)) => return Err(e.into()),
    };
    let message = (!imported.is_empty()).then(|| format!("已导入 {} 个企业账号", imported.len()));
    render_page(&state, &user, Shown { imported, import_errors, message, ..Default::default() }).await
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct EnterprisesImported {
    /// Each account created, with its initial password (shown once).
    created: Vec<erjian_store::enterprise_import::CreatedAccount>,
}

/// 批量导入企业账号
///
/// CSV: 企业名称,统一社会信用代码,注册所在地,法定代表人,企业住所,联系人,联系人手机,办公电话; all rows or none.
#[utoipa::path(post, path = "/api/enterprises/import", tag = "企业", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = EnterprisesImported), (status = 422, body = crate::error::RowsRefused, description = "文件未导入：各行的问题"),
        crate::error::Refusals))]
pub async fn import_api(State(state): State<AppState>, user: ApiUser, body: axum::body::Bytes) -> Result<Response, ApiError> {
    use axum::response::IntoResponse;
    match state.store.import_enterprises(&user.actor, state.profile().cities, &body, state.clock.now()).await {
        Ok(created) => Ok(Json(EnterprisesImported { created }).into_response()),
        Err(erjian_store::qualifications::ImportError::Rows(rows)) => Ok(crate::error::RowsRefused::answer(rows)),
        Err(erjian_store::qualifications::ImportError::Store(e)) => Err(e.into()),
    }
}

//! The portals' pages: shared page context and navigation, rendering, the public pages (home,
//! login, sign-up) and the route table. Role pages live in the submodules.

pub(crate) mod account;
mod admin;
mod admin_profile;
pub(crate) mod apply;
mod batch_review;
pub(crate) mod confirm;
pub(crate) mod detail;
pub(crate) mod enterprise_profile;
pub(crate) mod enterprise_review;
pub(crate) mod failure;
pub(crate) mod forgot;
pub(crate) mod lookup;
pub(crate) mod materials_api;
pub mod messages;
mod oversight;
mod portal;
pub(crate) mod real_name;
mod renames;
pub(crate) mod second_factor;
pub(crate) mod signup;
pub(crate) mod statistics;
mod viewer;

use crate::auth::{self, cookie, set_cookie, tokens_equal, MaybeUser, PageUser, PRE_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::PageError;
use crate::extract::FormBody;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use erjian_domain::workflow::{ReviewStages, Role};
use erjian_store::{Actor, Error};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/login/second-factor", get(second_factor::page).post(second_factor::submit))
        .route("/api/login/second-factor", get(second_factor::pending_api).post(second_factor::submit_api))
        .route("/signup/individual", get(signup::individual_form).post(signup::individual_submit))
        .route("/api/signup/code", post(signup::code_api))
        .route("/demo/outbox", get(signup::demo_outbox))
        .route("/signup/enterprise", get(signup::enterprise_form).post(signup::enterprise_submit))
        .route("/api/signup/enterprise/code", post(signup::enterprise_code_api))
        .route("/portal", get(portal::portal))
        .route("/applications/new", get(apply::new_form))
        .route("/applications", post(apply::create))
        .route("/applications/enterprise", post(apply::create_by_enterprise))
        .route("/applications/{id}", get(detail::show))
        .route("/applications/{id}/edit", get(apply::edit_form).post(apply::update))
        .route("/applications/{id}/action", post(detail::act))
        .route("/applications/{id}/photo", get(detail::photo))
        .route("/applications/{id}/attachments/{aid}", get(detail::attachment))
        .route("/applications/{id}/attachments/{aid}/view", get(viewer::view))
        .route("/applications/{id}/attachments/{aid}/pages/{n}", get(viewer::page_png))
        .route("/api/applications/{id}/attachments", get(materials_api::attachments_api))
        .route("/applications/{id}/materials", post(detail::upload))
        .route("/api/applications/{id}/materials", get(materials_api::slots_api).post(materials_api::upload_api))
        .route("/api/applications/{id}/attachments/{aid}", get(materials_api::attachment_api))
        .route("/batches", post(portal::start_publicity))
        .route("/applications/batch-action", post(batch_review::submit))
        .route("/enterprise-renames", get(renames::page).post(renames::start))
        .route("/batches/{id}/announce", post(portal::announce))
        .route("/admin", get(admin::page))
        .route("/enterprise-reviews", get(enterprise_review::page).post(enterprise_review::decide))
        .route("/api/enterprise-reviews", get(enterprise_review::list_api))
        .route("/api/enterprise-reviews/{id}", post(enterprise_review::decide_api))
        .route("/enterprises/{id}/licence", get(enterprise_review::licence))
        .route("/enterprise-reviews/create", post(enterprise_review::create))
        .route("/lookup", get(lookup::page))
        .route("/api/lookup", get(lookup::api))
        .route("/enterprise-reviews/import", post(enterprise_review::import))
        .route("/api/enterprises/import", post(enterprise_review::import_api))
        .route("/api/enterprises", post(enterprise_profile::create_api))
        .route("/enterprise/profile", get(enterprise_profile::page).post(enterprise_profile::save))
        .route("/api/enterprise/profile", get(enterprise_profile::get_api).put(enterprise_profile::put_api))
        .route("/api/enterprises/{id}/licence", get(enterprise_review::licence_api))
        .route("/forgot", get(forgot::form).post(forgot::submit))
        .route("/forgot/reset", post(forgot::reset))
        .route("/api/password/forgot", post(forgot::request_api))
        .route("/api/password/reset", post(forgot::reset_api))
        .route("/account", get(account::page))
        .route("/account/real-name", get(real_name::page).post(real_name::submit))
        .route("/api/account/real-name", post(real_name::submit_api))
        .route("/account/password", post(account::password))
        .route("/account/second-factor", post(account::begin_factor))
        .route("/account/sessions", post(account::end_session))
        .route("/api/account/password", post(account::password_api))
        .route("/api/account/sessions", get(account::sessions_api))
        .route("/api/account/sessions/{id}", axum::routing::delete(account::revoke_api))
        .route("/audit", get(oversight::audit))
        .route("/audit/export.csv", get(oversight::audit_csv))
        .route("/security", get(oversight::security))
        .route("/security/unlock", post(oversight::unlock))
        .route("/security/reset-factor", post(oversight::reset_factor))
        .route("/admin/import", post(admin::import))
        .route("/admin/accounts", post(admin::create_account))
        .route("/admin/profile", get(admin_profile::page).post(admin_profile::save))
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// What the layout needs on every page.
pub struct Ctx {
    pub title: String,
    pub user: Option<Actor>,
    pub csrf: String,
    pub province: &'static str,
    /// The system's name after the province: 二级注册建造师注册管理系统, or where more professions
    /// register (上海) 二级注册人员执业资格注册管理系统.
    pub system: &'static str,
    /// The province's authority, named in the footer.
    pub authority: &'static str,
    pub nav: Vec<NavItem>,
    pub flash: Option<String>,
    /// Unread messages; the header links to 消息中心 for individuals and enterprises.
    pub unread: i64,
}

/// 统计分析's routes.
pub fn statistics_routes() -> axum::Router<AppState> {
    statistics::routes()
}

fn nav_items(role: Option<Role>, review: ReviewStages, enterprise_files: bool) -> &'static [(&'static str, &'static str)] {
    let one_level = review == ReviewStages::ProvinceOnly;
    match role {
        None => &[
            ("/", "首页"),
            ("/publicity", "公示公告"),
            ("/notices", "通知公告"),
            ("/query", "人员查询"),
            ("/check", "证书核验"),
            ("/login", "登录"),
            ("/signup/individual", "个人注册"),
            ("/signup/enterprise", "企业注册"),
        ],
        // 湖南: the enterprise files initial registrations; the person signs what it filed.
        Some(Role::Individual) if enterprise_files => &[
            ("/portal", "我的业务"),
            ("/renewal", "延续注册"),
            ("/changes", "增项与变更"),
            ("/cancel", "申请注销"),
            ("/signing", "签名设置"),
        ],
        Some(Role::Individual) => &[
            ("/portal", "我的业务"),
            ("/applications/new", "初始注册申请"),
            ("/renewal", "延续注册"),
            ("/changes", "增项与变更"),
            ("/cancel", "申请注销"),
            ("/signing", "签名设置"),
        ],
        Some(Role::Enterprise) => &[
            ("/portal?tab=pending", "待确认"),
            ("/portal?tab=people", "本单位人员"),
            ("/portal?tab=history", "业务记录"),
            ("/cancel", "注销注册"),
            ("/enterprise/profile", "单位信息"),
        ],
        Some(Role::CityAuthority) if one_level => &[
            ("/portal?tab=done", "本市业务"),
            ("/lookup", "注册信息查询"),
            ("/statistics", "统计分析"),
            ("/cancel", "注销注册"),
            ("/enterprise-reviews", "企业审核"),
        ],
        Some(Role::CityAuthority) => &[
            ("/portal?tab=filed", "待受理"),
            ("/portal?tab=accepted", "待初审"),
            ("/portal?tab=done", "已办"),
            ("/lookup", "注册信息查询"),
            ("/statistics", "统计分析"),
            ("/cancel", "注销注册"),
            ("/enterprise-reviews", "企业审核"),
        ],
        Some(Role::ProvinceAuthority) if one_level => &[
            ("/portal?tab=filed", "待受理"),
            ("/portal?tab=accepted", "待审查"),
            ("/portal?tab=approved", "待公示"),
            ("/portal?tab=batches", "公示批次"),
            ("/portal?tab=done", "已办"),
            ("/lookup", "注册信息查询"),
            ("/statistics", "统计分析"),
            ("/cancel", "注销注册"),
            ("/enterprise-reviews", "企业审核"),
            ("/enterprise-renames", "企业更名"),
            ("/notices/manage", "通知公告"),
            ("/admin", "资格库"),
        ],
        Some(Role::ProvinceAuthority) => &[
            ("/portal?tab=prelim", "待复审"),
            ("/portal?tab=approved", "待公示"),
            ("/portal?tab=batches", "公示批次"),
            ("/portal?tab=done", "已办"),
            ("/lookup", "注册信息查询"),
            ("/statistics", "统计分析"),
            ("/cancel", "注销注册"),
            ("/enterprise-reviews", "企业审核"),
            ("/enterprise-renames", "企业更名"),
            ("/notices/manage", "通知公告"),
            ("/admin", "资格库"),
        ],
        Some(Role::Admin) => &[("/admin", "系统管理"), ("/admin/profile", "省份配置")],
        Some(Role::SecurityAdmin) => &[("/security", "安全管理")],
        Some(Role::AuditAdmin) => &[("/audit", "审计日志")],
    }
}

impl Ctx {
    pub fn new(state: &AppState, user: Option<&PageUser>, title: impl Into<String>, active: &str) -> Ctx {
        let profile = state.profile();
        let nav = nav_items(user.map(|u| u.actor.role), profile.review_stages, profile.enterprise_files_initial)
            .iter()
            .map(|&(href, label)| NavItem { href, label, active: href == active })
            .collect();
        Ctx {
            title: title.into(),
            user: user.map(|u| u.actor.clone()),
            csrf: user.map(|u| u.csrf.clone()).unwrap_or_default(),
            province: state.profile().name,
            system: if state.profile().professions.len() > 2 {
                "二级注册人员执业资格注册管理系统"
            } else {
                "二级注册建造师注册管理系统"
            },
            authority: state.profile().authority_name,
            nav,
            flash: None,
            unread: user.map(|u| u.unread).unwrap_or(0),
        }
    }

    pub fn with_flash(mut self, flash: Option<String>) -> Ctx {
        self.flash = flash;
        self
    }
}

/// Renders a template with status 200.
pub fn render<T: Template>(t: &T) -> Response {
    render_status(StatusCode::OK, t)
}

pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, [(CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    failure::page(status, message)
}

async fn js() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/javascript; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")], include_str!("../../static/app.js"))
}

async fn css() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")], include_str!("../../static/app.css"))
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    ctx: Ctx,
    /// The newest publicity batches (公示公告 on the home page).
    batches: Vec<erjian_store::publicity::PublicBatch>,
    today: chrono::NaiveDate,
    /// 通知公告 (newest first) and the province's consultation numbers.
    notices: Vec<erjian_store::site_notices::SiteNotice>,
    contacts: &'static [erjian_domain::province::Contact],
    /// The guide follows the province's procedure: who accepts, who files.
    one_level: bool,
    enterprise_files: bool,
}

async fn index(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Response {
    if user.is_some() {
        return Redirect::to("/portal").into_response();
    }
    let mut batches = state.store.public_batches(None).await.unwrap_or_default();
    batches.truncate(5);
    let today = erjian_store::db::today(state.clock.now());
    let notices = state.store.site_notices(5, false).await.unwrap_or_default();
    let profile = state.profile();
    let (contacts, one_level, enterprise_files) =
        (profile.contacts, profile.review_stages == ReviewStages::ProvinceOnly, profile.enterprise_files_initial);
    render(&IndexPage { ctx: Ctx::new(&state, None, "首页", "/"), batches, today, notices, contacts, one_level, enterprise_files })
}

/// The pre-login CSRF token (double-submit cookie) and the cookie to set when it is new.
pub(crate) fn pre_csrf(state: &AppState, headers: &HeaderMap) -> (String, Option<String>) {
    match cookie(headers, PRE_CSRF_COOKIE).filter(|t| t.len() == 64) {
        Some(t) => (t, None),
        None => {
            let t = hex::encode(rand::random::<[u8; 32]>());
            let c = set_cookie(state, PRE_CSRF_COOKIE, &t, 3600);
            (t, Some(c))
        }
    }
}

pub(crate) fn check_pre_csrf(headers: &HeaderMap, submitted: &str) -> Result<(), PageError> {
    match cookie(headers, PRE_CSRF_COOKIE) {
        Some(c) if tokens_equal(&c, submitted) => Ok(()),
        _ => Err(PageError(Error::Conflict("页面已过期（CSRF 校验失败），请刷新页面后重试".into()))),
    }
}

pub(crate) fn with_cookie(resp: Response, set: Option<String>) -> Response {
    let mut resp = resp;
    if let Some(c) = set.and_then(|c| c.parse().ok()) {
        resp.headers_mut().append(SET_COOKIE, c);
    }
    resp
}

pub(crate) fn public_ctx(state: &AppState, title: &str, active: &str, csrf: String) -> Ctx {
    let mut ctx = Ctx::new(state, None, title, active);
    ctx.csrf = csrf;
    ctx
}

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    pub ctx: Ctx,
    pub error: Option<String>,
    pub username: String,
}

#[derive(serde::Deserialize)]
struct LoginQuery {
    reset: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    let (csrf, set) = pre_csrf(&state, &headers);
    // A code from the address bar, mapped to fixed text.
    let flash = (q.reset.as_deref() == Some("1")).then(|| "密码已重置，请用新密码登录".to_owned());
    let ctx = public_ctx(&state, "登录", "/login", csrf).with_flash(flash);
    with_cookie(render(&LoginPage { ctx, error: None, username: String::new() }), set)
}

#[derive(serde::Deserialize)]
struct LoginForm {
    csrf: String,
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    from: crate::ratelimit::ClientAddr,
    headers: HeaderMap,
    FormBody(f): FormBody<LoginForm>,
) -> Result<Response, PageError> {
    check_pre_csrf(&headers, &f.csrf)?;
    let now = state.clock.now();
    match state.store.login_from(&f.username, &f.password, &from.to_string(), now).await {
        Ok(actor) => second_factor::after_password(&state, &actor).await,
        Err(e @ (Error::BadCredentials | Error::Locked(_))) => {
            let (status, message) = crate::error::classify(&e);
            Ok(render_status(
                status,
                &LoginPage { ctx: public_ctx(&state, "登录", "/login", f.csrf), error: Some(message), username: f.username },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

async fn logout(State(state): State<AppState>, user: PageUser, FormBody(f): FormBody<CsrfForm>) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    state.store.end_session(&user.token).await?;
    let mut resp = Redirect::to("/").into_response();
    if let Ok(v) = auth::set_cookie(&state, SESSION_COOKIE, "", 0).parse() {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    Ok(resp)
}

async fn start_session(state: &AppState, user_id: i64) -> Result<Response, PageError> {
    let (token, _) = state.store.create_session(user_id, state.clock.now()).await?;
    let mut resp = Redirect::to("/portal").into_response();
    if let Ok(v) = set_cookie(state, SESSION_COOKIE, &token, erjian_store::accounts::SESSION_HOURS * 3600).parse() {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    Ok(resp)
}

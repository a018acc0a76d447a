//! The JSON API: the same use cases as the portals, for integrations and tests. Callers log in
//! with `POST /api/login` and send `Authorization: Bearer TOKEN`. Errors are
//! `{"error": "…", "fields": [{"field", "message"}]}` with a meaningful status. Described by
//! `GET /api/openapi.json` ([`crate::openapi`]).

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody, RowsRefused};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::ratelimit::ClientAddr;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use erjian_domain::application::InitialForm;
use erjian_domain::workflow::{Action, Role, State as S};
use erjian_store::accounts::IndividualSignup;
use erjian_store::applications::{ApplicationDetail, ListFilter};
use erjian_store::enterprise_accounts::EnterpriseSignup;
use erjian_store::qualifications::ImportError;
use erjian_store::workflow::Batch;
use erjian_store::{Actor, Error};
use serde::Deserialize;
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(crate::openapi::document().clone()) }))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/admin/profile", get(profile_get).put(profile_put))
        .route("/signup/individual", post(signup_individual))
        .route("/signup/enterprise", post(signup_enterprise))
        .route("/me", get(me))
        .route("/applications", get(list).post(create))
        .route("/applications/{id}", get(show).put(update))
        .route("/applications/{id}/actions", post(act))
        .route("/applications/clear-stale", post(clear_stale))
        .route("/batches", get(batches).post(start_publicity))
        .route("/batches/{id}/announce", post(announce))
        .route("/qualifications/import", post(import))
        .route("/registrations", get(registrations))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct LoginBody {
    /// 身份证号码（个人）、统一社会信用代码（企业）或工作人员的登录名.
    username: String,
    password: String,
}

/// A session: its bearer token, the user, and how long the token lasts.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Session {
    token: String,
    user: Actor,
    /// Seconds.
    expires_in: i64,
}

/// The answer to a log-in: a session, or (with a second factor bound) a pending token for
/// `/api/login/second-factor`.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub(crate) enum LoginAnswer {
    Session(Session),
    SecondFactor {
        /// Always true.
        second_factor: bool,
        /// Good only for `/api/login/second-factor`.
        pending_token: String,
    },
}

async fn new_session(state: &AppState, actor: Actor) -> Result<Session, ApiError> {
    let (token, _) = state.store.create_session(actor.user_id, state.clock.now()).await?;
    Ok(Session { token, user: actor, expires_in: erjian_store::accounts::SESSION_HOURS * 3600 })
}

pub(crate) async fn session_json(state: &AppState, actor: Actor, status: StatusCode) -> Result<Response, ApiError> {
    Ok((status, Json(new_session(state, actor).await?)).into_response())
}

/// 登录
///
/// Returns a bearer token; three wrong passwords in a row pause the account and the address.
#[utoipa::path(post, path = "/api/login", tag = "账号", security(()), request_body = LoginBody,
    responses((status = 200, body = LoginAnswer), (status = 401, body = ErrorBody, description = "用户名或密码错误"),
        (status = 422, body = ErrorBody), (status = 423, body = ErrorBody, description = "暂停登录"), (status = 429, body = ErrorBody)))]
pub(crate) async fn login(State(state): State<AppState>, from: ClientAddr, JsonBody(b): JsonBody<LoginBody>) -> Result<Response, ApiError> {
    let actor = state.store.login_from(&b.username, &b.password, &from.to_string(), state.clock.now()).await?;
    if state.store.needs_second_factor(&actor).await? {
        // A pending token: good only for `/api/login/second-factor`.
        let token = state.store.create_pending_session(actor.user_id, state.clock.now()).await?;
        return Ok(Json(LoginAnswer::SecondFactor { second_factor: true, pending_token: token }).into_response());
    }
    Ok(Json(LoginAnswer::Session(new_session(&state, actor).await?)).into_response())
}

/// 退出登录
///
/// Ends the session of the token used.
#[utoipa::path(post, path = "/api/logout", tag = "账号",
    responses((status = 204, description = "已退出"), (status = 401, body = ErrorBody, description = "未登录")))]
pub(crate) async fn logout(State(state): State<AppState>, user: ApiUser) -> Result<StatusCode, ApiError> {
    state.store.end_session(&user.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 个人注册
///
/// With the SMS code sent by `/api/signup/code`; the person must be in the qualification register.
#[utoipa::path(post, path = "/api/signup/individual", tag = "账号", security(()), request_body = IndividualSignup,
    responses((status = 201, body = Session), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn signup_individual(
    State(state): State<AppState>,
    JsonBody(b): JsonBody<IndividualSignup>,
) -> Result<Response, ApiError> {
    let actor = state.store.signup_individual(&b, state.clock.now()).await?;
    session_json(&state, actor, StatusCode::CREATED).await
}

/// `POST /api/signup/enterprise`: the fields of the form, with the 营业执照 scan as base64.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct EnterpriseSignupBody {
    #[serde(flatten)]
    form: EnterpriseSignup,
    #[serde(default)]
    licence_base64: String,
}

/// 企业注册
///
/// With the contact's SMS code and the 营业执照 scan; the account waits for the authority's review.
#[utoipa::path(post, path = "/api/signup/enterprise", tag = "账号", security(()), request_body = EnterpriseSignupBody,
    responses((status = 201, body = Session), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn signup_enterprise(
    State(state): State<AppState>,
    JsonBody(b): JsonBody<EnterpriseSignupBody>,
) -> Result<Response, ApiError> {
    use base64::Engine;
    let licence = base64::engine::general_purpose::STANDARD
        .decode(b.licence_base64.trim())
        .map_err(|_| Error::invalid("licence", "营业执照扫描件应为 base64 编码的 JPG 或 PNG"))?;
    let profile = state.profile();
    let actor = state.store.signup_enterprise(&b.form, &licence, |c| profile.city(c).is_some(), state.clock.now()).await?;
    session_json(&state, actor, StatusCode::CREATED).await
}

/// 当前用户
#[utoipa::path(get, path = "/api/me", tag = "账号", responses((status = 200, body = Actor), (status = 401, body = ErrorBody, description = "未登录")))]
pub(crate) async fn me(user: ApiUser) -> Json<Actor> {
    Json(user.actor)
}

/// `GET /api/applications`: filters and the page.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// 状态代码，逗号分隔（如 submitted,accepted）.
    state: Option<String>,
    /// One term: application number, ID number, registration number, or a full name (60 characters at most).
    q: Option<String>,
    /// 业务类型代码.
    kind: Option<String>,
    /// 城市代码（省级列表）.
    city: Option<String>,
    /// `overdue` 已超期 or `soon` 两个工作日内到期.
    due: Option<String>,
    /// `deadline`: 按办理期限；缺省按最新.
    sort: Option<String>,
    /// The `next` of the previous page.
    after: Option<String>,
    /// 1–500, 50 when absent.
    limit: Option<i64>,
}

/// A page of applications.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ApplicationList {
    applications: Vec<erjian_store::applications::Application>,
    /// For `after=` on the next page; absent on the last page.
    next: Option<String>,
}

/// 申请列表
///
/// By role and tenant: the applicant's own, the enterprise's people (ID numbers masked), the authority's region.
#[utoipa::path(get, path = "/api/applications", tag = "申请", params(ListQuery),
    responses((status = 200, body = ApplicationList), crate::error::Refusals))]
pub(crate) async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    QueryParams(q): QueryParams<ListQuery>,
) -> Result<Json<ApplicationList>, ApiError> {
    let states = match q.state.as_deref() {
        None | Some("") => vec![],
        Some(s) => {
            s.split(',').map(|c| S::parse(c).ok_or_else(|| Error::invalid("state", format!("未知状态“{c}”")))).collect::<Result<_, _>>()?
        }
    };
    let after = match q.after.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => {
            Some(erjian_store::applications::Cursor::parse(a).ok_or_else(|| Error::invalid("after", "分页位置无效，请从第一页开始"))?)
        }
        None => None,
    };
    if q.q.as_deref().is_some_and(|t| t.chars().count() > 60) {
        return Err(Error::invalid("q", "查询内容过长（不超过60个字）").into());
    }
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let base =
        ListFilter { states, limit, today: Some(erjian_store::db::today(state.clock.now())), search: q.q, after, ..Default::default() };
    let filters = crate::filters::QueueParams { kind: q.kind, city: q.city, due: q.due, sort: q.sort };
    let filter = filters.apply(base);
    let apps = state.store.applications(&user.actor, &filter).await?;
    let by_deadline = filter.by_deadline;
    let next =
        (apps.len() as i64 == limit).then(|| apps.last().map(|a| erjian_store::applications::Cursor::of(a, by_deadline).text())).flatten();
    Ok(Json(ApplicationList { applications: crate::mask::for_caller(&user.actor, apps), next }))
}

/// The initial-registration form as JSON; the photo travels as base64.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ApplicationBody {
    #[serde(flatten)]
    form: InitialForm,
    /// 一寸证件照（JPG/PNG，base64）.
    photo_base64: Option<String>,
    /// true: 直接提交（企业确认或签名）.
    #[serde(default)]
    submit: bool,
    /// When an enterprise files for a person (湖南): the applicant's ID number and name.
    #[serde(default)]
    applicant_id_number: String,
    #[serde(default)]
    applicant_name: String,
}

fn decode_photo(b: &ApplicationBody) -> Result<Option<Vec<u8>>, ApiError> {
    match b.photo_base64.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(Some)
            .map_err(|_| Error::invalid("photo", "照片不是有效的 base64 编码").into()),
    }
}

async fn save(state: &AppState, user: &ApiUser, id: Option<i64>, b: ApplicationBody) -> Result<Filed, ApiError> {
    let photo = decode_photo(&b)?;
    let now = state.clock.now();
    let id = if user.actor.role == Role::Enterprise {
        let applicant = (b.applicant_id_number.as_str(), b.applicant_name.as_str());
        state.store.save_initial_for(&user.actor, applicant, id, &b.form, photo, b.submit, now).await?
    } else {
        state.store.save_initial(&user.actor, id, &b.form, photo, b.submit, now).await?
    };
    filed(state, &user.actor, id).await
}

/// The answer to filing any application: 201 and the application as the caller may see it.
pub(crate) type Filed = (StatusCode, Json<ApplicationDetail>);

/// [`Filed`] for application `id`.
pub(crate) async fn filed(state: &AppState, actor: &Actor, id: i64) -> Result<Filed, ApiError> {
    Ok((StatusCode::CREATED, Json(crate::mask::application(state, actor, id).await?)))
}

/// 新建初始注册申请
///
/// `submit=true` submits it at once; an enterprise filing for its person (湖南) names the applicant.
#[utoipa::path(post, path = "/api/applications", tag = "申请", request_body = ApplicationBody,
    responses((status = 201, body = ApplicationDetail), crate::error::Refusals))]
pub(crate) async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<ApplicationBody>,
) -> Result<Filed, ApiError> {
    save(&state, &user, None, b).await
}

/// 修改草稿或退回的申请
#[utoipa::path(put, path = "/api/applications/{id}", tag = "申请", params(("id" = i64, Path, description = "申请")),
    request_body = ApplicationBody, responses((status = 201, body = ApplicationDetail), crate::error::Refusals))]
pub(crate) async fn update(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
    JsonBody(b): JsonBody<ApplicationBody>,
) -> Result<Filed, ApiError> {
    save(&state, &user, Some(id), b).await
}

/// An application with its status columns, history and the signatures on its form.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ApplicationView {
    #[serde(flatten)]
    detail: ApplicationDetail,
    signatures: Vec<erjian_store::signing::SignatureView>,
}

/// 申请详情
///
/// With the status columns (受理/初审/复审/公示/公告), the history and the form's signatures.
#[utoipa::path(get, path = "/api/applications/{id}", tag = "申请", params(("id" = i64, Path, description = "申请")),
    responses((status = 200, body = ApplicationView), crate::error::Refusals))]
pub(crate) async fn show(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<ApplicationView>, ApiError> {
    let detail = crate::mask::application(&state, &user.actor, id).await?;
    let signatures = state.store.application_signatures(id, state.clock.now()).await?;
    Ok(Json(ApplicationView { detail, signatures }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ActionBody {
    /// 操作代码.
    #[schema(value_type = ActionCode)]
    action: String,
    /// 理由或意见（退回、不予受理、不予注册须填）.
    reason: Option<String>,
    /// The version the caller saw; a newer one is a 409.
    version: Option<i64>,
    /// With 不予受理 or 不予注册: the applicant concealed facts or gave false materials and may
    /// not apply again for a year.
    #[serde(default)]
    false_materials: bool,
}

/// The codes of the workflow's actions, read from the domain's table (submit, accept, return, …).
pub(crate) struct ActionCode;

impl utoipa::PartialSchema for ActionCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let codes = Action::ALL.iter().map(|a| a.code());
        ObjectBuilder::new().schema_type(Type::String).enum_values(Some(codes)).description(Some("操作代码")).into()
    }
}

impl utoipa::ToSchema for ActionCode {}

/// The state an application reached.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Moved {
    id: i64,
    /// 状态代码.
    state: &'static str,
    /// 状态名称.
    state_label: &'static str,
}

impl Moved {
    pub(crate) fn new(id: i64, state: S) -> Moved {
        Moved { id, state: state.code(), state_label: state.label() }
    }
}

/// 办理一步
///
/// 提交、撤回、企业确认/退回、受理、初审、复审、退回补正、不予受理、不予注册; the table in the domain decides who may.
#[utoipa::path(post, path = "/api/applications/{id}/actions", tag = "申请", params(("id" = i64, Path, description = "申请")),
    request_body = ActionBody, responses((status = 200, body = Moved), crate::error::Refusals))]
pub(crate) async fn act(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
    JsonBody(b): JsonBody<ActionBody>,
) -> Result<Json<Moved>, ApiError> {
    let action = Action::parse(&b.action).ok_or_else(|| Error::invalid("action", format!("未知操作“{}”", b.action)))?;
    let (reason, now) = (b.reason.as_deref(), state.clock.now());
    let next = if b.false_materials {
        state.store.refuse_for_false_materials(&user.actor, id, action, reason, b.version, now).await?
    } else {
        let step = erjian_store::workflow::Step { action, reason, expected_version: b.version };
        state.store.act_issuing(&user.actor, id, step, Some(&state.issuer), now).await?
    };
    Ok(Json(Moved::new(id, next)))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Batches {
    batches: Vec<Batch>,
}

/// 公示批次列表（省级）
#[utoipa::path(get, path = "/api/batches", tag = "公示公告", responses((status = 200, body = Batches), crate::error::Refusals))]
pub(crate) async fn batches(State(state): State<AppState>, user: ApiUser) -> Result<Json<Batches>, ApiError> {
    if user.actor.role != Role::ProvinceAuthority {
        return Err(Error::Forbidden.into());
    }
    Ok(Json(Batches { batches: state.store.batches().await? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct BatchBody {
    /// 公示的申请；为空即全部已审核通过的申请.
    #[serde(default)]
    application_ids: Vec<i64>,
}

/// 生成公示批次（省级）
#[utoipa::path(post, path = "/api/batches", tag = "公示公告", request_body = BatchBody,
    responses((status = 201, body = Batch), crate::error::Refusals))]
pub(crate) async fn start_publicity(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<BatchBody>,
) -> Result<(StatusCode, Json<Batch>), ApiError> {
    let batch = state.store.start_publicity(&user.actor, &b.application_ids, &state.profile(), state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(batch)))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Announcement {
    /// Each application announced and the registration number it received.
    announced: Vec<erjian_store::workflow::Announced>,
}

/// 发布公告
///
/// When the publicity period is over: registration numbers are given and certificates issued.
#[utoipa::path(post, path = "/api/batches/{id}/announce", tag = "公示公告", params(("id" = i64, Path, description = "批次")),
    responses((status = 200, body = Announcement), crate::error::Refusals))]
pub(crate) async fn announce(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Announcement>, ApiError> {
    let announced = state.store.announce(&user.actor, id, &state.issuer, state.clock.now()).await?;
    Ok(Json(Announcement { announced }))
}

/// How many rows a CSV import took.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ImportCount {
    imported: usize,
}

/// 导入资格库
///
/// A CSV file (UTF-8 or GBK), all rows or none (省级主管部门或系统管理员).
#[utoipa::path(post, path = "/api/qualifications/import", tag = "资格库", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportCount), (status = 422, body = RowsRefused, description = "文件未导入：各行的问题"), crate::error::Refusals))]
pub(crate) async fn import(State(state): State<AppState>, user: ApiUser, body: axum::body::Bytes) -> Result<Response, ApiError> {
    if !matches!(user.actor.role, Role::Admin | Role::ProvinceAuthority) {
        return Err(Error::Forbidden.into());
    }
    match state.store.import_qualifications(Some(&user.actor), &body, state.clock.now()).await {
        Ok(n) => Ok(Json(ImportCount { imported: n }).into_response()),
        Err(ImportError::Rows(rows)) => Ok(RowsRefused::answer(rows)),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Cleared {
    /// Applications cleared.
    cleared: usize,
}

/// 逾期清理（系统管理员）
///
/// Clears at once the applications created 90 days ago or more and never accepted (the server also does it hourly).
#[utoipa::path(post, path = "/api/applications/clear-stale", tag = "申请", responses((status = 200, body = Cleared), crate::error::Refusals))]
pub(crate) async fn clear_stale(State(state): State<AppState>, user: ApiUser) -> Result<Json<Cleared>, ApiError> {
    if user.actor.role != Role::Admin {
        return Err(Error::Forbidden.into());
    }
    Ok(Json(Cleared { cleared: state.store.clear_stale_applications(state.clock.now()).await? }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Registrations {
    registrations: Vec<erjian_store::registry::Registration>,
}

/// 本人或本单位人员的注册信息
#[utoipa::path(get, path = "/api/registrations", tag = "注册", responses((status = 200, body = Registrations), crate::error::Refusals))]
pub(crate) async fn registrations(State(state): State<AppState>, user: ApiUser) -> Result<Json<Registrations>, ApiError> {
    let regs = match (user.actor.role, user.actor.person_id, user.actor.enterprise_id) {
        (Role::Individual, Some(p), _) => state.store.registrations_of_person(p).await?,
        (Role::Enterprise, _, Some(e)) => state.store.registrations_of_enterprise(e).await?,
        _ => return Err(Error::Forbidden.into()),
    };
    Ok(Json(Registrations { registrations: crate::mask::for_caller(&user.actor, regs) }))
}

/// The province profile running and the one saved.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Profiles {
    /// 当前运行的省份配置（配置文件的 JSON）.
    #[schema(value_type = Object)]
    running: Value,
    /// 已保存的省份配置；从未保存时为空.
    #[schema(value_type = Option<Object>)]
    saved: Option<Value>,
}

/// 省份配置（系统管理员）
#[utoipa::path(get, path = "/api/admin/profile", tag = "系统管理", responses((status = 200, body = Profiles), crate::error::Refusals))]
pub(crate) async fn profile_get(State(state): State<AppState>, user: ApiUser) -> Result<Json<Profiles>, ApiError> {
    if user.actor.role != Role::Admin {
        return Err(Error::Forbidden.into());
    }
    let as_value = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    let saved = state.store.saved_profile().await?;
    Ok(Json(Profiles { running: as_value(&state.profile().to_file_json()), saved: saved.as_deref().map(as_value) }))
}

/// A profile checked, saved and in force.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ProfileSaved {
    /// 保存的省份配置.
    #[schema(value_type = Object)]
    saved: Value,
    /// Always `now`: 立即生效.
    applies: &'static str,
}

/// 检查并保存省份配置（系统管理员）
///
/// The body is the profile file's JSON; only this province's; in force at once.
#[utoipa::path(put, path = "/api/admin/profile", tag = "系统管理", request_body(content = Object, description = "省份配置文件的 JSON"),
    responses((status = 200, body = ProfileSaved), crate::error::Refusals))]
pub(crate) async fn profile_put(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<ProfileSaved>, ApiError> {
    let saved = state.store.save_profile(&user.actor, &body.to_string(), &state.profile(), state.clock.now()).await?;
    state.apply_profile(saved);
    Ok(Json(ProfileSaved { saved: serde_json::from_str::<Value>(&saved.to_file_json()).unwrap_or(Value::Null), applies: "now" }))
}

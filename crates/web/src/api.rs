//! The JSON API: the same use cases as the portals, for integrations and tests. Callers log in
//! with `POST /api/login` and send `Authorization: Bearer TOKEN`. Errors are
//! `{"error": "…", "fields": [{"field", "message"}]}` with a meaningful status. Described by
//! `GET /api/openapi.json` ([`crate::openapi`]).

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;
use crate::ratelimit::ClientAddr;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use erjian_domain::application::InitialForm;
use erjian_domain::workflow::{Action, Role, State as S};
use erjian_store::accounts::IndividualSignup;
use erjian_store::applications::ListFilter;
use erjian_store::enterprise_accounts::EnterpriseSignup;
use erjian_store::qualifications::ImportError;
use erjian_store::{Actor, Error};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(crate::openapi::document()) }))
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

#[derive(Deserialize)]
struct ListQuery {
    state: Option<String>,
    /// One term: application number, ID number, registration number, or a full name.
    q: Option<String>,
    #[serde(flatten)]
    filters: crate::filters::QueueParams,
    /// The `next` of the previous page.
    after: Option<String>,
    limit: Option<i64>,
}

async fn list(State(state): State<AppState>, user: ApiUser, Query(q): Query<ListQuery>) -> Result<Json<Value>, ApiError> {
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
    let filter = q.filters.apply(base);
    let apps = state.store.applications(&user.actor, &filter).await?;
    let by_deadline = filter.by_deadline;
    let next =
        (apps.len() as i64 == limit).then(|| apps.last().map(|a| erjian_store::applications::Cursor::of(a, by_deadline).text())).flatten();
    Ok(Json(json!({ "applications": crate::mask::for_caller(&user.actor, apps), "next": next })))
}

/// The initial-registration form as JSON; the photo travels as base64.
#[derive(Deserialize)]
struct ApplicationBody {
    #[serde(flatten)]
    form: InitialForm,
    photo_base64: Option<String>,
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

async fn save(state: &AppState, user: &ApiUser, id: Option<i64>, b: ApplicationBody) -> Result<Response, ApiError> {
    let photo = decode_photo(&b)?;
    let now = state.clock.now();
    let id = if user.actor.role == Role::Enterprise {
        let applicant = (b.applicant_id_number.as_str(), b.applicant_name.as_str());
        state.store.save_initial_for(&user.actor, applicant, id, &b.form, photo, b.submit, now).await?
    } else {
        state.store.save_initial(&user.actor, id, &b.form, photo, b.submit, now).await?
    };
    let detail = crate::mask::application(state, &user.actor, id).await?;
    Ok((StatusCode::CREATED, Json(json!(detail))).into_response())
}

async fn create(State(state): State<AppState>, user: ApiUser, JsonBody(b): JsonBody<ApplicationBody>) -> Result<Response, ApiError> {
    save(&state, &user, None, b).await
}

async fn update(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<ApplicationBody>,
) -> Result<Response, ApiError> {
    save(&state, &user, Some(id), b).await
}

async fn show(State(state): State<AppState>, user: ApiUser, Path(id): Path<i64>) -> Result<Json<Value>, ApiError> {
    let mut v = json!(crate::mask::application(&state, &user.actor, id).await?);
    v["signatures"] = json!(state.store.application_signatures(id, state.clock.now()).await?);
    Ok(Json(v))
}

#[derive(Deserialize)]
struct ActionBody {
    action: String,
    reason: Option<String>,
    version: Option<i64>,
    /// With 不予受理 or 不予注册: the applicant concealed facts or gave false materials and may
    /// not apply again for a year.
    #[serde(default)]
    false_materials: bool,
}

async fn act(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<ActionBody>,
) -> Result<Json<Value>, ApiError> {
    let action = Action::parse(&b.action).ok_or_else(|| Error::invalid("action", format!("未知操作“{}”", b.action)))?;
    let (reason, now) = (b.reason.as_deref(), state.clock.now());
    let next = if b.false_materials {
        state.store.refuse_for_false_materials(&user.actor, id, action, reason, b.version, now).await?
    } else {
        let step = erjian_store::workflow::Step { action, reason, expected_version: b.version };
        state.store.act_issuing(&user.actor, id, step, Some(&state.issuer), now).await?
    };
    Ok(Json(json!({ "id": id, "state": next.code(), "state_label": next.label() })))
}

async fn batches(State(state): State<AppState>, user: ApiUser) -> Result<Json<Value>, ApiError> {
    if user.actor.role != Role::ProvinceAuthority {
        return Err(Error::Forbidden.into());
    }
    Ok(Json(json!({ "batches": state.store.batches().await? })))
}

#[derive(Deserialize)]
struct BatchBody {
    #[serde(default)]
    application_ids: Vec<i64>,
}

async fn start_publicity(State(state): State<AppState>, user: ApiUser, JsonBody(b): JsonBody<BatchBody>) -> Result<Response, ApiError> {
    let batch = state.store.start_publicity(&user.actor, &b.application_ids, &state.profile(), state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(json!(batch))).into_response())
}

async fn announce(State(state): State<AppState>, user: ApiUser, Path(id): Path<i64>) -> Result<Json<Value>, ApiError> {
    let done = state.store.announce(&user.actor, id, &state.issuer, state.clock.now()).await?;
    Ok(Json(json!({ "announced": done })))
}

async fn import(State(state): State<AppState>, user: ApiUser, body: axum::body::Bytes) -> Result<Response, ApiError> {
    if !matches!(user.actor.role, Role::Admin | Role::ProvinceAuthority) {
        return Err(Error::Forbidden.into());
    }
    match state.store.import_qualifications(Some(&user.actor), &body, state.clock.now()).await {
        Ok(n) => Ok(Json(json!({ "imported": n })).into_response()),
        Err(ImportError::Rows(rows)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "error": "文件未导入：以下各行有误", "rows": rows }))).into_response())
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// Runs the clearing of applications never accepted now (the server also runs it hourly).
async fn clear_stale(State(state): State<AppState>, user: ApiUser) -> Result<Json<Value>, ApiError> {
    if user.actor.role != Role::Admin {
        return Err(Error::Forbidden.into());
    }
    Ok(Json(json!({ "cleared": state.store.clear_stale_applications(state.clock.now()).await? })))
}

async fn registrations(State(state): State<AppState>, user: ApiUser) -> Result<Json<Value>, ApiError> {
    let regs = match (user.actor.role, user.actor.person_id, user.actor.enterprise_id) {
        (Role::Individual, Some(p), _) => state.store.registrations_of_person(p).await?,
        (Role::Enterprise, _, Some(e)) => state.store.registrations_of_enterprise(e).await?,
        _ => return Err(Error::Forbidden.into()),
    };
    Ok(Json(json!({ "registrations": crate::mask::for_caller(&user.actor, regs) })))
}

/// The running province profile and the one saved for the next start (administrators).
async fn profile_get(State(state): State<AppState>, user: ApiUser) -> Result<Json<Value>, ApiError> {
    if user.actor.role != Role::Admin {
        return Err(Error::Forbidden.into());
    }
    let as_value = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    let saved = state.store.saved_profile().await?;
    Ok(Json(json!({ "running": as_value(&state.profile().to_file_json()), "saved": saved.as_deref().map(as_value) })))
}

/// Checks and saves a profile (the file's JSON as the body) and puts it in force at once.
async fn profile_put(State(state): State<AppState>, user: ApiUser, JsonBody(body): JsonBody<Value>) -> Result<Json<Value>, ApiError> {
    let saved = state.store.save_profile(&user.actor, &body.to_string(), &state.profile(), state.clock.now()).await?;
    state.apply_profile(saved);
    Ok(Json(json!({ "saved": serde_json::from_str::<Value>(&saved.to_file_json()).unwrap_or(Value::Null), "applies": "now" })))
}

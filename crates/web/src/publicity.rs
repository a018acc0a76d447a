//! 公示公告 in public: the list of publicity batches, each batch's page (printable, and as JSON),
//! and objections (异议) lodged against one entry behind the image captcha; the province's
//! finding is taken on the application's page ([`decide_page`]) or through the API.

use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, ErrorBody, PageError};
use crate::extract::{FormBody, JsonBody, PathParams, QueryParams};
use crate::pages::{public_ctx, render_status, Ctx};
use crate::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use erjian_domain::workflow::Role;
use erjian_store::publicity::{Finding, NewObjection, PublicBatch, PublicEntry};
use erjian_store::Error;
use std::net::SocketAddr;

/// The public pages and JSON (behind the per-address limit with the other public routes).
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/publicity", get(list_page))
        .route("/publicity/{id}", get(batch_page))
        .route("/publicity/{id}/objection", post(objection_page))
        .route("/api/public/publicity", get(list_api))
        .route("/api/public/publicity/{id}", get(batch_api))
        .route("/api/public/publicity/{id}/objections", post(objection_api))
        .route("/api/public/captcha", get(captcha_api))
}

/// The authorities' side: the batch as CSV, and findings on objections.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/publicity/{id}/entries.csv", get(batch_csv))
        .route("/applications/{app}/objections/{id}", post(decide_page))
        .route("/api/objections/{id}/decision", post(decide_api))
}

#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// The last batch id of the previous page.
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "publicity_list.html")]
struct ListPage {
    ctx: Ctx,
    batches: Vec<PublicBatch>,
    today: chrono::NaiveDate,
    next: Option<i64>,
}

async fn list_page(State(state): State<AppState>, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let batches = state.store.public_batches(q.before).await?;
    let next = (batches.len() as i64 == erjian_store::publicity::BATCH_PAGE).then(|| batches.last().map(|b| b.id)).flatten();
    let ctx = public_ctx(&state, "公示公告", "/publicity", String::new());
    Ok(render_status(StatusCode::OK, &ListPage { ctx, batches, today: today(&state), next }))
}

fn today(state: &AppState) -> chrono::NaiveDate {
    erjian_store::db::today(state.clock.now())
}

/// One batch as JSON: its number, period, stage and entries.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct BatchAnswer {
    batch: PublicBatch,
    starts_on: String,
    stage: &'static str,
    objections_open: bool,
    announced_on: Option<String>,
    entries: Vec<PublicEntry>,
}

async fn answer(state: &AppState, id: i64) -> Result<BatchAnswer, Error> {
    let (batch, entries) = state.store.public_batch(id).await?;
    let day = today(state);
    Ok(BatchAnswer {
        starts_on: batch.starts_on(),
        stage: batch.stage_label(day),
        objections_open: batch.open_on(day),
        announced_on: batch.announced_on(),
        batch,
        entries,
    })
}

/// One batch in the list.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct BatchSummary {
    id: i64,
    number: String,
    starts_on: String,
    ends_on: Option<String>,
    size: i64,
    /// 公示中 / 公示期满，待公告 / 已公告.
    stage: &'static str,
    announced_on: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct BatchList {
    batches: Vec<BatchSummary>,
}

/// 公示公告批次
///
/// Newest first, 20 a page; `before` is the last batch id of the previous page.
#[utoipa::path(get, path = "/api/public/publicity", tag = "公示公告", security(()), params(ListQuery),
    responses((status = 200, body = BatchList), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn list_api(State(state): State<AppState>, QueryParams(q): QueryParams<ListQuery>) -> Result<Json<BatchList>, ApiError> {
    let day = today(&state);
    let batches = state
        .store
        .public_batches(q.before)
        .await?
        .into_iter()
        .map(|b| BatchSummary {
            starts_on: b.starts_on(),
            stage: b.stage_label(day),
            announced_on: b.announced_on(),
            id: b.id,
            number: b.number,
            ends_on: b.ends_on,
            size: b.size,
        })
        .collect();
    Ok(Json(BatchList { batches }))
}

/// 一个公示批次
///
/// The period, stage and entries (ID numbers masked).
#[utoipa::path(get, path = "/api/public/publicity/{id}", tag = "公示公告", security(()), params(("id" = i64, Path, description = "批次")),
    responses((status = 200, body = BatchAnswer), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn batch_api(State(state): State<AppState>, PathParams(id): PathParams<i64>) -> Result<Json<BatchAnswer>, ApiError> {
    Ok(Json(answer(&state, id).await?))
}

#[derive(Template)]
#[template(path = "publicity_batch.html")]
struct BatchPage {
    ctx: Ctx,
    a: BatchAnswer,
    form: ObjectionForm,
    captcha: String,
    error: Option<String>,
    receipt: Option<String>,
}

/// The objection form as typed (kept on an error).
#[derive(Debug, Clone, Default, serde::Deserialize)]
struct ObjectionForm {
    #[serde(default)]
    entry: i64,
    #[serde(default)]
    facts: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    captcha_token: String,
    #[serde(default)]
    captcha: String,
}

async fn show_batch(
    state: &AppState,
    id: i64,
    form: ObjectionForm,
    error: Option<String>,
    receipt: Option<String>,
) -> Result<Response, PageError> {
    let a = answer(state, id).await?;
    let answer_text = crate::captcha::new_answer();
    let captcha = state.store.new_captcha(&answer_text, state.clock.now()).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let title = format!("{} {}", a.batch.number, if a.batch.announced_at.is_some() { "公告" } else { "公示" });
    let ctx = public_ctx(state, &title, "/publicity", String::new());
    let form = ObjectionForm { captcha: String::new(), captcha_token: String::new(), ..form };
    Ok(render_status(status, &BatchPage { ctx, a, form, captcha, error, receipt }))
}

async fn batch_page(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, PageError> {
    show_batch(&state, id, ObjectionForm::default(), None, None).await
}

fn objection_of(f: &ObjectionForm) -> NewObjection {
    NewObjection { entry: f.entry, facts: f.facts.clone(), contact_name: f.contact_name.clone(), contact_phone: f.contact_phone.clone() }
}

async fn objection_page(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
    FormBody(form): FormBody<ObjectionForm>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    if !state.store.take_captcha(&form.captcha_token, &form.captcha, now).await? {
        state.limiter.penalise(addr.ip());
        return show_batch(&state, id, form, Some("验证码错误或已过期，请重新输入".into()), None).await;
    }
    match state.store.lodge_objection(id, &objection_of(&form), now).await {
        Ok(number) => show_batch(&state, id, ObjectionForm::default(), None, Some(number)).await,
        Err(Error::Invalid(fields)) => show_batch(&state, id, form, fields.first().map(|f| f.message.clone()), None).await,
        Err(Error::Conflict(m)) => show_batch(&state, id, form, Some(m), None).await,
        Err(e) => Err(e.into()),
    }
}

/// An objection with its captcha (from `/api/public/captcha`).
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct ObjectionBody {
    #[serde(flatten)]
    objection: NewObjection,
    #[serde(default)]
    captcha_token: String,
    #[serde(default)]
    captcha: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Receipt {
    number: String,
    message: &'static str,
}

/// 对公示对象提出异议
///
/// Within the publicity period: the entry, facts and reasons, a contact, and a captcha.
#[utoipa::path(post, path = "/api/public/publicity/{id}/objections", tag = "公示公告", security(()),
    params(("id" = i64, Path, description = "批次")), request_body = ObjectionBody,
    responses((status = 201, body = Receipt), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "公示期已过"),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn objection_api(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    PathParams(id): PathParams<i64>,
    JsonBody(b): JsonBody<ObjectionBody>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    if !state.store.take_captcha(&b.captcha_token, &b.captcha, now).await? {
        state.limiter.penalise(addr.ip());
        return Err(Error::invalid("captcha", "验证码错误或已过期，请重新获取").into());
    }
    let number = state.store.lodge_objection(id, &b.objection, now).await?;
    Ok((StatusCode::CREATED, Json(Receipt { number, message: "异议已受理，省级主管部门将核查处理" })).into_response())
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct CaptchaAnswer {
    token: String,
    /// The picture to show (PNG, five digits, five minutes, one use).
    image: String,
}

/// 一次性图形验证码
///
/// Five digits, five minutes, one use.
#[utoipa::path(get, path = "/api/public/captcha", tag = "公示公告", security(()),
    responses((status = 200, body = CaptchaAnswer), (status = 429, body = ErrorBody)))]
pub(crate) async fn captcha_api(State(state): State<AppState>) -> Result<Json<CaptchaAnswer>, ApiError> {
    let token = state.store.new_captcha(&crate::captcha::new_answer(), state.clock.now()).await?;
    Ok(Json(CaptchaAnswer { image: format!("/query/captcha/{token}.png"), token }))
}

async fn batch_csv(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    if !matches!(user.actor.role, Role::ProvinceAuthority | Role::CityAuthority) {
        return Err(Error::Forbidden.into());
    }
    let (batch, entries) = state.store.public_batch(id).await?;
    let rows = entries
        .into_iter()
        .map(|e| {
            vec![
                e.name,
                e.id_masked,
                e.enterprise,
                e.procedure.to_owned(),
                e.specialties,
                e.result.to_owned(),
                e.registration_number.unwrap_or_default(),
            ]
        })
        .collect();
    let name = format!("publicity-{}.csv", batch.id);
    Ok(crate::export::csv(&name, &["姓名", "身份证号", "聘用企业", "申请事项", "专业", "结果", "注册编号"], rows))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct FindingBody {
    /// `refuse`, `return` (成立) or `dismiss` (不成立). Required; a page form without it is
    /// answered “请选择核查结论”.
    #[serde(default)]
    #[schema(value_type = FindingCode, required = true)]
    decision: String,
    /// 核查意见（4至500字）.
    #[serde(default)]
    #[schema(required = true, min_length = 4, max_length = 500, pattern = r"^\S[\s\S]{2,}\S$")]
    finding: String,
}

async fn decide(state: &AppState, actor: &erjian_store::Actor, id: i64, b: &FindingBody) -> Result<(), Error> {
    let finding = Finding::parse(&b.decision).ok_or_else(|| Error::invalid("decision", "请选择核查结论"))?;
    state.store.decide_objection(actor, id, finding, &b.finding, &state.issuer, state.clock.now()).await
}

/// 核查结论: `refuse` 成立不予注册, `return` 成立退回补正, `dismiss` 不成立.
pub(crate) struct FindingCode;

impl utoipa::PartialSchema for FindingCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let codes = Finding::ALL.into_iter().map(Finding::code);
        ObjectBuilder::new().schema_type(Type::String).enum_values(Some(codes)).description(Some("核查结论")).into()
    }
}

impl utoipa::ToSchema for FindingCode {}

/// An objection decided.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ObjectionDecided {
    /// Always `decided`.
    state: &'static str,
}

/// 核查公示异议（省级）
///
/// `refuse` 成立不予注册, `return` 成立退回, `dismiss` 不成立; `finding` 核查意见.
#[utoipa::path(post, path = "/api/objections/{id}/decision", tag = "公示公告", params(("id" = i64, Path, description = "异议")),
    request_body = FindingBody, responses((status = 200, body = ObjectionDecided), crate::error::Refusals))]
pub(crate) async fn decide_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
    JsonBody(b): JsonBody<FindingBody>,
) -> Result<Json<ObjectionDecided>, ApiError> {
    decide(&state, &user.actor, id, &b).await?;
    Ok(Json(ObjectionDecided { state: "decided" }))
}

#[derive(serde::Deserialize)]
struct DecideForm {
    csrf: String,
    #[serde(flatten)]
    body: FindingBody,
}

async fn decide_page(
    State(state): State<AppState>,
    user: PageUser,
    Path((app, id)): Path<(i64, i64)>,
    FormBody(f): FormBody<DecideForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    match decide(&state, &user.actor, id, &f.body).await {
        Ok(()) => Ok(Redirect::to(&format!("/applications/{app}?done=objection#objections")).into_response()),
        Err(Error::Invalid(_)) => Ok(Redirect::to(&format!("/applications/{app}?done=objection_invalid#objections")).into_response()),
        Err(e) => Err(e.into()),
    }
}

//! The public query centre (人员信息查询中心): an exact-match query (name + profession + one
//! identifier) behind a one-time image captcha on the page, and the same query as open JSON.
//! Answers never tell an unknown identifier from a wrong name. The detail view (注册轨迹) opens
//! through a short-lived token signed with HMAC-SM3, so registrations cannot be enumerated by
//! number.

use crate::error::{ApiError, ErrorBody, PageError};
use crate::extract::{json_from_bytes, FormBody};
use crate::pages::{public_ctx, render, render_status, Ctx};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use erjian_store::lifecycle::RegistrationEvent;
use erjian_store::public::{PublicQuery, PublicRecord, QueryKey};
use erjian_store::Error;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/query", get(query_page).post(query_submit))
        .route("/query/captcha/{token}", get(captcha_image))
        .route("/query/detail/{token}", get(detail_page))
        .route("/query/photo/{token}", get(photo))
        .route("/api/public/query", post(query_api))
        .route("/api/public/detail/{token}", get(detail_api))
}

/// Professions the public can query.
pub const PROFESSIONS: &[(&str, &str)] = &[
    ("constructor2", "二级注册建造师"),
    ("temp_constructor2", "二级临时建造师"),
    ("architect2", "二级注册建筑师"),
    ("structural2", "二级注册结构工程师"),
];

const NOT_FOUND: &str = "未查询到符合条件的注册信息，请核对姓名、专业和证件号码（或注册编号、证书编号）";

/// The query as submitted (page form and JSON alike): a name, a profession and exactly one
/// identifier.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct QueryInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub profession: String,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub registration_number: Option<String>,
    #[serde(default)]
    pub certificate_number: Option<String>,
}

impl QueryInput {
    /// Parses once: a name, a known profession and exactly one identifier.
    pub fn parse(&self) -> Result<PublicQuery, Error> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 30 {
            return Err(Error::invalid("name", "请输入姓名"));
        }
        if !PROFESSIONS.iter().any(|p| p.0 == self.profession) {
            return Err(Error::invalid("profession", "请选择注册类别"));
        }
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let keys: Vec<QueryKey> = [
            given(&self.id_number).map(QueryKey::IdNumber),
            given(&self.registration_number).map(QueryKey::RegistrationNumber),
            given(&self.certificate_number).map(QueryKey::CertificateNumber),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut keys = keys.into_iter();
        let (Some(mut key), None) = (keys.next(), keys.next()) else {
            return Err(Error::invalid("key", "请输入身份证号、注册编号或证书编号中的一项（仅凭姓名不能查询）"));
        };
        if let QueryKey::IdNumber(id) = &mut key {
            // Any 证件类型, told by its shape; kept as stored (upper case).
            *id = erjian_domain::documents::PersonId::infer(id).map_err(|m| Error::invalid("id_number", m))?.as_str().to_owned();
        }
        Ok(PublicQuery { name: name.to_owned(), profession: self.profession.clone(), key })
    }
}

/// A detail token for a registration, valid for 30 to 35 minutes (expiry rounded to five
/// minutes, so that a cached answer can reuse its token within the same window).
pub fn detail_token(state: &AppState, registration_id: i64) -> String {
    let exp = (state.clock.now().timestamp() / 300 + 7) * 300;
    let msg = format!("{registration_id}.{exp}");
    let mac = erjian_ofd::crypto::hmac_sm3(&state.detail_key[..], msg.as_bytes());
    format!("{msg}.{}", hex::encode(&mac[..16]))
}

fn check_detail_token(state: &AppState, token: &str) -> Option<i64> {
    let mut parts = token.splitn(3, '.');
    let (id, exp, mac) = (parts.next()?, parts.next()?, parts.next()?);
    let want = erjian_ofd::crypto::hmac_sm3(&state.detail_key[..], format!("{id}.{exp}").as_bytes());
    let fresh = exp.parse::<i64>().ok()? >= state.clock.now().timestamp();
    (crate::auth::tokens_equal(&hex::encode(&want[..16]), mac) && fresh).then(|| id.parse().ok())?
}

async fn run_query(state: &AppState, q: &PublicQuery) -> Result<PublicRecord, Error> {
    let mut r = state.store.public_query(q, erjian_store::db::today(state.clock.now())).await?.ok_or(Error::NotFound(NOT_FOUND))?;
    r.city = state.profile().city(&r.city_code).map(|c| c.name.to_owned()).unwrap_or_default();
    Ok(r)
}

/// 查看照片 (where the profile offers it): the holder's photo behind the result's signed token,
/// so photos cannot be fetched by registration number.
async fn photo(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    if !state.profile().query_shows_photo {
        return Err(Error::NotFound("页面不存在").into());
    }
    let id = check_detail_token(&state, &token).ok_or(Error::NotFound("查询结果已过期，请重新查询"))?;
    let (bytes, mime) = state.store.registration_photo(id).await?.ok_or(Error::NotFound("没有照片"))?;
    Ok(([(CONTENT_TYPE, mime), (CACHE_CONTROL, "private, no-store".to_owned())], bytes).into_response())
}

/// The answer to an exact query.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct QueryAnswer {
    record: erjian_store::public::PublicRecord,
    /// Where the registration's history may be read for 30 minutes.
    detail: String,
    /// The holder's photo (where the province shows it).
    photo: Option<String>,
}

/// 人员信息查询
///
/// Exact match on a name, the profession and one of ID number, registration number or
/// certificate number; the ID number in the answer is masked.
#[utoipa::path(post, path = "/api/public/query", tag = "公众查询", security(()), request_body = QueryInput,
    responses((status = 200, body = QueryAnswer), (status = 404, body = ErrorBody, description = "查无此人或信息不符"),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn query_api(State(state): State<AppState>, req: axum::extract::Request) -> Result<Response, ApiError> {
    let json = |b: Bytes| ([(CONTENT_TYPE, "application/json")], b).into_response();
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024).await.map_err(|_| Error::invalid("body", "请求内容过大或不完整"))?;
    let now = state.clock.now();
    let day = erjian_store::db::today(now);
    let epoch = state.store.public_epoch();
    // Successful answers are cached by the exact request body and the five-minute window of
    // their detail token: the same body asked again gets the same answer until anything changes.
    let window = (now.timestamp() / 300).to_le_bytes();
    if let Some(hit) = epoch.and_then(|e| state.public_cache.get_parts(&[&window, &body], e, day)) {
        return Ok(json(hit));
    }
    let key = [&window[..], &body].concat();
    let input: QueryInput = json_from_bytes(&parts.headers, &body)?;
    let r = run_query(&state, &input.parse()?).await?;
    let record = serde_json::to_string(&r).map_err(|e| Error::Other(e.into()))?;
    let token = detail_token(&state, r.registration_id);
    let photo = if state.profile().query_shows_photo { format!(",\"photo\":\"/query/photo/{token}\"") } else { String::new() };
    let answer = Bytes::from(format!("{{\"record\":{record},\"detail\":\"/api/public/detail/{token}\"{photo}}}"));
    if let Some(e) = epoch {
        state.public_cache.put(key, e, day, answer.clone());
    }
    Ok(json(answer))
}

/// A registration's record and history.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct DetailAnswer {
    record: erjian_store::public::PublicRecord,
    history: Vec<erjian_store::lifecycle::RegistrationEvent>,
}

/// 注册轨迹
///
/// With the token from a query's answer (valid 30 minutes).
#[utoipa::path(get, path = "/api/public/detail/{token}", tag = "公众查询", security(()),
    params(("token" = String, Path, description = "查询结果中的令牌")),
    responses((status = 200, body = DetailAnswer), (status = 404, body = ErrorBody, description = "已过期，请重新查询"), (status = 429, body = ErrorBody)))]
pub(crate) async fn detail_api(State(state): State<AppState>, Path(token): Path<String>) -> Result<Json<DetailAnswer>, ApiError> {
    let (record, history) = detail(&state, &token).await?;
    Ok(Json(DetailAnswer { record, history }))
}

async fn detail(state: &AppState, token: &str) -> Result<(PublicRecord, Vec<RegistrationEvent>), Error> {
    let id = check_detail_token(state, token).ok_or(Error::NotFound("查询结果已过期，请重新查询"))?;
    let record = state.store.public_record(id, erjian_store::db::today(state.clock.now())).await?.ok_or(Error::NotFound(NOT_FOUND))?;
    let history = state.store.registration_history(id).await?;
    Ok((record, history))
}

#[derive(Template)]
#[template(path = "query.html")]
struct QueryPage {
    ctx: Ctx,
    input: QueryForm,
    captcha: String,
    error: Option<String>,
    result: Option<(PublicRecord, String)>,
    professions: &'static [(&'static str, &'static str)],
    /// The result offers 查看照片 (安徽).
    shows_photo: bool,
}

/// The page's form: the identifier comes with its kind.
#[derive(Debug, Clone, Default, serde::Deserialize)]
struct QueryForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    profession: String,
    #[serde(default)]
    key_type: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    captcha_token: String,
    #[serde(default)]
    captcha: String,
}

impl QueryForm {
    fn input(&self) -> QueryInput {
        let key = Some(self.key.clone());
        let mut i = QueryInput { name: self.name.clone(), profession: self.profession.clone(), ..Default::default() };
        match self.key_type.as_str() {
            "registration_number" => i.registration_number = key,
            "certificate_number" => i.certificate_number = key,
            _ => i.id_number = key,
        }
        i
    }
}

async fn show(
    state: &AppState,
    input: QueryForm,
    error: Option<String>,
    result: Option<(PublicRecord, String)>,
) -> Result<Response, PageError> {
    let answer = crate::captcha::new_answer();
    let captcha = state.store.new_captcha(&answer, state.clock.now()).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let input = QueryForm { captcha: String::new(), captcha_token: String::new(), ..input };
    let ctx = public_ctx(state, "人员信息查询", "/query", String::new());
    let shows_photo = state.profile().query_shows_photo;
    Ok(render_status(status, &QueryPage { ctx, input, captcha, error, result, professions: PROFESSIONS, shows_photo }))
}

async fn query_page(State(state): State<AppState>) -> Result<Response, PageError> {
    show(&state, QueryForm { profession: "constructor2".into(), key_type: "id_number".into(), ..Default::default() }, None, None).await
}

async fn query_submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    FormBody(form): FormBody<QueryForm>,
) -> Result<Response, PageError> {
    let ip = addr.ip();
    let now = state.clock.now();
    if !state.store.take_captcha(&form.captcha_token, &form.captcha, now).await? {
        state.limiter.penalise(ip);
        return show(&state, form, Some("验证码错误或已过期，请重新输入".into()), None).await;
    }
    let q = match form.input().parse() {
        Ok(q) => q,
        Err(Error::Invalid(f)) => return show(&state, form, f.first().map(|f| f.message.clone()), None).await,
        Err(e) => return Err(e.into()),
    };
    match run_query(&state, &q).await {
        Ok(record) => {
            let token = detail_token(&state, record.registration_id);
            show(&state, form, None, Some((record, token))).await
        }
        Err(Error::NotFound(m)) => show(&state, form, Some(m.to_owned()), None).await,
        Err(e) => Err(e.into()),
    }
}

async fn captcha_image(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let token = token.trim_end_matches(".png");
    let answer = state.store.captcha_answer(token, state.clock.now()).await?.ok_or(Error::NotFound("验证码已过期，请刷新页面"))?;
    Ok(([(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "no-store")], crate::captcha::png(&answer)).into_response())
}

#[derive(Template)]
#[template(path = "query_detail.html")]
struct DetailPage {
    ctx: Ctx,
    record: PublicRecord,
    history: Vec<RegistrationEvent>,
}

async fn detail_page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let (record, history) = detail(&state, &token).await?;
    let ctx = public_ctx(&state, "注册信息详情", "/query", String::new());
    Ok(render(&DetailPage { ctx, record, history }))
}

//! 个人实名注册 and 企业注册. Both prove a mobile with a text code before an account exists.
//!
//! A person chooses a 证件类型, gets a code to the mobile typed, types the password twice and
//! signs up. Asking for a code tells nobody whether the document has an account: when it has, the
//! code goes to the account's registered mobile (with a note that someone tried), so the typed
//! number never receives it and the answer on screen is the same. An enterprise's code goes to its
//! contact person; its 营业执照 scan is decoded before it is kept, and the account waits for the
//! city's review. In the demo (the outbox gateway), `/demo/outbox` shows the codes sent to one
//! number, labelled as such.

use super::{check_pre_csrf, pre_csrf, public_ctx, render_status, start_session, with_cookie, Ctx};
use crate::error::{ApiError, PageError};
use crate::extract::{FormBody, JsonBody};
use crate::ratelimit::ClientAddr;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use erjian_domain::documents::DocumentKind;
use erjian_domain::province::City;
use erjian_domain::FieldError;
use erjian_store::accounts::IndividualSignup;
use erjian_store::enterprise_accounts::{EnterpriseSignup, ENTERPRISE_SIGNUP_PURPOSE};
use erjian_store::Error;

/// The one answer to a sign-up code request.
pub const CODE_SENT: &str =
    "验证码已发送，5分钟内有效。如该证件号码已开户，提醒将发往开户时登记的手机：请直接登录，忘记密码可用“找回密码”。";
/// The answer to an enterprise's code request.
pub const ENTERPRISE_CODE_SENT: &str = "验证码已发送至联系人手机，5分钟内有效。";

async fn text(state: &AppState, mobile: &str, code: &str, purpose: &str) -> Result<(), Error> {
    let message = crate::sms::Message { mobile, code, purpose };
    state.sms.send(&message).await.map_err(|e| {
        tracing::warn!(error = %e, "sending a text message failed");
        Error::Conflict("短信发送失败，请稍后再试".into())
    })
}

/// Texts a sign-up code (see the module's note on who receives it).
async fn send_code(state: &AppState, s: &IndividualSignup, from: &ClientAddr) -> Result<(), Error> {
    let target = state.store.signup_code_target(s).await?;
    let code = state.store.issue_code(&target.purpose, &target.mobile, &from.to_string(), state.clock.now()).await?;
    let purpose = if target.has_account {
        "开户（该证件号码已开户，如非本人操作请忽略；忘记密码请用“找回密码”）"
    } else {
        "开户"
    };
    text(state, &target.mobile, &code, purpose).await
}

async fn send_enterprise_code(state: &AppState, s: &EnterpriseSignup, from: &ClientAddr) -> Result<(), Error> {
    let profile = state.profile();
    let mobile = state.store.enterprise_code_target(s, |c| profile.city(c).is_some())?;
    let code = state.store.issue_code(ENTERPRISE_SIGNUP_PURPOSE, &mobile, &from.to_string(), state.clock.now()).await?;
    text(state, &mobile, &code, "企业账号注册").await
}

#[derive(Template)]
#[template(path = "signup_individual.html")]
struct IndividualPage {
    ctx: Ctx,
    form: IndividualSignup,
    kinds: [DocumentKind; 6],
    demo: bool,
    sent: Option<&'static str>,
    errors: Vec<FieldError>,
    conflict: Option<String>,
}

impl IndividualPage {
    fn kind_selected(&self, k: &DocumentKind) -> bool {
        self.form.id_type == k.code() || self.form.id_type.is_empty() && *k == DocumentKind::Resident
    }
}

fn individual_page(
    state: &AppState,
    csrf: String,
    form: IndividualSignup,
    sent: Option<&'static str>,
    errors: Vec<FieldError>,
    conflict: Option<String>,
) -> Response {
    let status = if errors.is_empty() && conflict.is_none() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = IndividualPage {
        ctx: public_ctx(state, "个人注册", "/signup/individual", csrf),
        form,
        kinds: DocumentKind::ALL,
        demo: state.sms.is_demo(),
        sent,
        errors,
        conflict,
    };
    render_status(status, &page)
}

pub async fn individual_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (csrf, set) = pre_csrf(&state, &headers);
    with_cookie(individual_page(&state, csrf, Default::default(), None, vec![], None), set)
}

#[derive(serde::Deserialize)]
pub struct IndividualForm {
    csrf: String,
    /// `code` when the 获取验证码 button was pressed.
    #[serde(default)]
    action: String,
    #[serde(default)]
    password2: String,
    #[serde(flatten)]
    inner: IndividualSignup,
}

pub async fn individual_submit(
    State(state): State<AppState>,
    from: ClientAddr,
    headers: HeaderMap,
    FormBody(f): FormBody<IndividualForm>,
) -> Result<Response, PageError> {
    check_pre_csrf(&headers, &f.csrf)?;
    let mut form = f.inner;
    let outcome = if f.action == "code" {
        send_code(&state, &form, &from).await.map(|()| None)
    } else if form.password != f.password2 {
        Err(Error::invalid("password2", "两次输入的密码不一致"))
    } else {
        state.store.signup_individual(&form, state.clock.now()).await.map(Some)
    };
    form.password.clear();
    Ok(match outcome {
        Ok(Some(actor)) => start_session(&state, actor.user_id).await?,
        Ok(None) => individual_page(&state, f.csrf, form, Some(CODE_SENT), vec![], None),
        Err(Error::Invalid(errors)) => individual_page(&state, f.csrf, form, None, errors, None),
        Err(Error::Conflict(m)) => individual_page(&state, f.csrf, form, None, vec![], Some(m)),
        Err(e) => return Err(e.into()),
    })
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CodeSent {
    message: &'static str,
}

/// 个人注册短信验证码
///
/// Same fields as sign-up, without the password. When the document already has an account the
/// code goes to its registered mobile; the answer is the same either way.
#[utoipa::path(post, path = "/api/signup/code", tag = "账号", security(()), request_body = IndividualSignup,
    responses((status = 202, body = CodeSent), (status = 409, body = crate::error::ErrorBody, description = "验证码已发送，一分钟内不再发送"),
        (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn code_api(
    State(state): State<AppState>,
    from: ClientAddr,
    JsonBody(b): JsonBody<IndividualSignup>,
) -> Result<(StatusCode, axum::Json<CodeSent>), ApiError> {
    send_code(&state, &b, &from).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(CodeSent { message: CODE_SENT })))
}

/// 企业注册短信验证码
///
/// Sent to the contact person's mobile.
#[utoipa::path(post, path = "/api/signup/enterprise/code", tag = "账号", security(()), request_body = EnterpriseSignup,
    responses((status = 202, body = CodeSent), (status = 409, body = crate::error::ErrorBody, description = "验证码已发送，一分钟内不再发送"),
        (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn enterprise_code_api(
    State(state): State<AppState>,
    from: ClientAddr,
    JsonBody(b): JsonBody<EnterpriseSignup>,
) -> Result<(StatusCode, axum::Json<CodeSent>), ApiError> {
    send_enterprise_code(&state, &b, &from).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(CodeSent { message: ENTERPRISE_CODE_SENT })))
}

#[derive(Template)]
#[template(path = "signup_enterprise.html")]
struct EnterprisePage {
    ctx: Ctx,
    form: EnterpriseSignup,
    /// The credit code failed its check character: offer the pilot-code confirmation.
    pilot_prompt: bool,
    cities: &'static [City],
    demo: bool,
    sent: Option<&'static str>,
    errors: Vec<FieldError>,
    conflict: Option<String>,
}

fn enterprise_page(
    state: &AppState,
    csrf: String,
    form: EnterpriseSignup,
    sent: Option<&'static str>,
    errors: Vec<FieldError>,
    conflict: Option<String>,
) -> Response {
    let status = if errors.is_empty() && conflict.is_none() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let pilot_prompt =
        errors.iter().any(|e| e.message == erjian_store::enterprise_accounts::PILOT_CODE_PROMPT) || form.pilot_code_confirmed;
    let page = EnterprisePage {
        ctx: public_ctx(state, "企业注册", "/signup/enterprise", csrf),
        pilot_prompt,
        form,
        cities: state.profile().cities,
        demo: state.sms.is_demo(),
        sent,
        errors,
        conflict,
    };
    render_status(status, &page)
}

pub async fn enterprise_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (csrf, set) = pre_csrf(&state, &headers);
    with_cookie(enterprise_page(&state, csrf, Default::default(), None, vec![], None), set)
}

/// What the enterprise form carried (multipart, for the scan).
#[derive(Default)]
struct EnterpriseSubmitted {
    csrf: String,
    action: String,
    password2: String,
    form: EnterpriseSignup,
    licence: Vec<u8>,
}

async fn read_enterprise(mut mp: Multipart) -> Result<EnterpriseSubmitted, PageError> {
    let mut s = EnterpriseSubmitted::default();
    let bad = |_| PageError(Error::invalid("licence", "上传内容不完整，请重新选择文件后提交"));
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "licence" {
            s.licence = field.bytes().await.map_err(bad)?.to_vec();
            continue;
        }
        let text = field.text().await.map_err(bad)?;
        let f = &mut s.form;
        match name.as_str() {
            "csrf" => s.csrf = text,
            "action" => s.action = text,
            "password2" => s.password2 = text,
            "name" => f.name = text,
            "credit_code" => f.credit_code = text,
            "city_code" => f.city_code = text,
            "legal_rep" => f.legal_rep = text,
            "password" => f.password = text,
            "contact_name" => f.contact_name = text,
            "contact_mobile" => f.contact_mobile = text,
            "code" => f.code = text,
            "address" => f.address = text,
            "phone" => f.phone = text,
            "pilot_code_confirmed" => f.pilot_code_confirmed = text == "1",
            _ => {}
        }
    }
    Ok(s)
}

pub async fn enterprise_submit(
    State(state): State<AppState>,
    from: ClientAddr,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, PageError> {
    let s = read_enterprise(mp).await?;
    check_pre_csrf(&headers, &s.csrf)?;
    let profile = state.profile();
    let mut form = s.form;
    let outcome = if s.action == "code" {
        send_enterprise_code(&state, &form, &from).await.map(|()| None)
    } else if form.password != s.password2 {
        Err(Error::invalid("password2", "两次输入的密码不一致"))
    } else {
        state.store.signup_enterprise(&form, &s.licence, |c| profile.city(c).is_some(), state.clock.now()).await.map(Some)
    };
    form.password.clear();
    Ok(match outcome {
        Ok(Some(actor)) => start_session(&state, actor.user_id).await?,
        Ok(None) => enterprise_page(&state, s.csrf, form, Some(ENTERPRISE_CODE_SENT), vec![], None),
        Err(Error::Invalid(errors)) => enterprise_page(&state, s.csrf, form, None, errors, None),
        Err(Error::Conflict(m)) => enterprise_page(&state, s.csrf, form, None, vec![], Some(m)),
        Err(e) => return Err(e.into()),
    })
}

#[derive(Template)]
#[template(path = "demo_outbox.html")]
struct OutboxPage {
    ctx: Ctx,
    mobile: String,
    messages: Vec<(String, String)>,
}

#[derive(serde::Deserialize)]
pub struct OutboxQuery {
    #[serde(default)]
    mobile: String,
}

/// The demo outbox for one number (only with the demo gateway; nothing there was really sent).
pub async fn demo_outbox(State(state): State<AppState>, Query(q): Query<OutboxQuery>) -> Result<Response, PageError> {
    let Some(dir) = state.outbox.as_ref().filter(|_| state.demo && state.sms.is_demo()) else {
        return Err(PageError(Error::NotFound("页面不存在")));
    };
    let mobile = erjian_domain::ids::parse_mobile(&q.mobile).unwrap_or_default();
    let messages = if mobile.is_empty() {
        vec![]
    } else {
        crate::sms::LogSms::outbox(dir, 200).into_iter().filter(|(name, _)| name.contains(&format!("-{mobile}."))).take(5).collect()
    };
    let page = OutboxPage { ctx: Ctx::new(&state, None, "演示短信发件箱", "/demo/outbox"), mobile, messages };
    Ok(render_status(StatusCode::OK, &page))
}

//! 实名核验 for a person: a picture of the face (taken by the phone's camera or chosen), checked by
//! the configured provider ([`crate::real_name`]) and recorded; the page says when the province
//! requires it and labels a demo provider's verdicts as comparing no face. JSON too.

use super::{render_status, Ctx};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::JsonBody;
use crate::real_name::FaceCheck;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use erjian_domain::province::RealNameRule;
use erjian_store::real_name::{RealNameCheck, Verdict};
use erjian_store::{Actor, Error};

#[derive(Template)]
#[template(path = "real_name.html")]
struct RealNamePage {
    ctx: Ctx,
    rule: &'static str,
    provider: &'static str,
    demo: bool,
    checks: Vec<(RealNameCheck, String)>,
    message: Option<String>,
    error: Option<String>,
}

fn rule_text(rule: RealNameRule) -> &'static str {
    match rule {
        RealNameRule::Never => "本省目前不要求办理业务前进行人脸识别，您可自愿完成实名核验。",
        RealNameRule::BeforeKey => "按本省规定，申请个人数字证书（签名密钥）前须完成一次人脸识别实名核验。",
        RealNameRule::BeforeEveryFiling => {
            "按本省规定，每次申报业务（签名提交申请）前须进行人脸识别：核验通过后30分钟内有效，每次申报用一次。"
        }
    }
}

async fn show(state: &AppState, user: &PageUser, message: Option<String>, error: Option<String>) -> Result<Response, PageError> {
    let checks = state.store.real_name_checks(&user.actor).await?;
    let checks = checks.into_iter().map(|c| (erjian_store::db::show_ts(&c.checked_at), c)).map(|(t, c)| (c, t)).collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = RealNamePage {
        ctx: Ctx::new(state, Some(user), "实名核验", "/account"),
        rule: rule_text(state.store.real_name_rule()),
        provider: state.real_name.name(),
        demo: state.real_name.is_demo(),
        checks,
        message,
        error,
    };
    Ok(render_status(status, &page))
}

pub async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    if user.actor.person_id.is_none() {
        return Err(PageError(Error::Forbidden));
    }
    show(&state, &user, None, None).await
}

/// Decodes the picture, asks the provider, records the verdict; `Ok(passed)`.
async fn check(state: &AppState, actor: &Actor, face: &[u8]) -> Result<bool, Error> {
    let person = actor.person_id.ok_or(Error::Forbidden)?;
    let face = erjian_domain::photo::check_scan(face, "人脸照片").map_err(|m| Error::invalid("face", m))?;
    let p = state.store.person(person).await?.ok_or(Error::Forbidden)?;
    let asked = FaceCheck { name: &p.name, id_number: &p.id_number, face: &face.bytes };
    let verdict = state.real_name.check(&asked).await.map_err(|e| {
        tracing::warn!(error = %e, "the real-name provider failed");
        Error::Conflict("实名核验服务暂时不可用，请稍后再试".into())
    })?;
    let v = Verdict { provider: state.real_name.name(), demo: state.real_name.is_demo(), passed: verdict.passed, detail: &verdict.detail };
    state.store.record_real_name(actor, &v, state.clock.now()).await?;
    Ok(verdict.passed)
}

pub async fn submit(State(state): State<AppState>, user: PageUser, mut mp: Multipart) -> Result<Response, PageError> {
    let (mut csrf, mut face) = (String::new(), Vec::new());
    let bad = |_| PageError(Error::invalid("face", "上传内容不完整，请重新拍照后提交"));
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("face") => face = field.bytes().await.map_err(bad)?.to_vec(),
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    match check(&state, &user.actor, &face).await {
        Ok(true) => show(&state, &user, Some("实名核验通过".into()), None).await,
        Ok(false) => show(&state, &user, None, Some("实名核验未通过，请在光线充足、背景单一处重新拍照".into())).await,
        Err(Error::Invalid(e)) => show(&state, &user, None, e.first().map(|f| f.message.clone())).await,
        Err(Error::Conflict(m)) => show(&state, &user, None, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct FaceBody {
    /// 人脸照片（JPG/PNG，base64）.
    face_base64: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct FaceChecked {
    passed: bool,
    /// 核验服务的名称.
    provider: &'static str,
    /// The provider compared no face (a demo).
    demo: bool,
}

/// 人脸识别实名核验
///
/// The demonstration provider compares no face and says so (`demo=true`).
#[utoipa::path(post, path = "/api/account/real-name", tag = "账号", request_body = FaceBody,
    responses((status = 200, body = FaceChecked), crate::error::Refusals))]
pub async fn submit_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<FaceBody>,
) -> Result<Json<FaceChecked>, ApiError> {
    use base64::Engine;
    // Who before what: only a person checks their face.
    user.actor.person_id.ok_or(Error::Forbidden)?;
    let face = base64::engine::general_purpose::STANDARD
        .decode(b.face_base64.trim())
        .map_err(|_| Error::invalid("face", "人脸照片应为 base64 编码的 JPG 或 PNG"))?;
    let passed = check(&state, &user.actor, &face).await?;
    Ok(Json(FaceChecked { passed, provider: state.real_name.name(), demo: state.real_name.is_demo() }))
}

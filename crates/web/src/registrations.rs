//! Procedures on an existing registration: renewal (延续注册, filed by the individual, then signed
//! and reviewed like any application) and cancellation (注销注册, by the enterprise for its own
//! people or by the authority, effective at once). Pages and JSON API side by side.

use crate::api::{filed, Filed};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::{FormBody, JsonBody, PathParams};
use crate::pages::{render_status, Ctx};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use erjian_domain::lifecycle::{
    check_renewal_window_in, renewal_hours, renewal_opens_on, SpecialtyHours, CANCELLATION_REASONS, REFUSAL_REASONS,
};
use erjian_domain::workflow::Role;
use erjian_domain::FieldError;
use erjian_store::applications::ApplicationDetail;
use erjian_store::lifecycle::{CancelOutcome, CancelRequest};
use erjian_store::registry::Registration;
use erjian_store::rename::RenameJob;
use erjian_store::Error;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/renewal", get(renewal_page).post(renewal_submit))
        .route("/cancel", get(cancel_page).post(cancel_submit))
        .route("/api/renewals", post(renewal_api))
        .route("/api/additions", post(addition_api))
        .route("/api/lost-reissues", post(lost_reissue_api))
        .route("/lost-reissues", post(lost_reissue_page))
        .route("/api/temporary-transfers", post(temp_transfer_api))
        .route("/temporary-transfers", post(temp_transfer_page))
        .route("/api/cancellations", post(cancel_api))
        .route("/api/reasons", get(reasons))
        .route("/api/certificates/reissue", post(reissue_api))
        .route("/certificates/reissue", post(reissue_page))
        .route("/api/certificates/annotate", post(annotate_api))
        .route("/certificates/annotate", post(annotate_page))
        .route("/api/enterprises/{id}/rename", post(rename_api))
        .route("/api/rename-jobs/{id}", get(rename_job_api))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct RenewalBody {
    /// 各专业的继续教育学时.
    specialties: Vec<SpecialtyHours>,
    #[serde(default)]
    submit: bool,
    /// An enterprise filing for one of its people (where the profile lets enterprises file).
    applicant_id_number: Option<String>,
}

/// Who files: the caller, or — for an enterprise naming one of its people — the enterprise
/// acting for that person.
async fn filer(state: &AppState, user: &ApiUser, applicant_id_number: Option<&str>) -> Result<erjian_store::Actor, ApiError> {
    Ok(match applicant_id_number {
        Some(id) => state.store.on_behalf(&user.actor, id).await?,
        None => user.actor.clone(),
    })
}

/// 延续注册申请
///
/// The individual, with each specialty's CE hours (`submit=true` submits for signing); where the
/// profile lets enterprises file, the enterprise names its person by `applicant_id_number`.
#[utoipa::path(post, path = "/api/renewals", tag = "申请", request_body = RenewalBody,
    responses((status = 201, body = ApplicationDetail), crate::error::Refusals))]
pub(crate) async fn renewal_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<RenewalBody>,
) -> Result<Filed, ApiError> {
    let actor = filer(&state, &user, b.applicant_id_number.as_deref()).await?;
    let id = state.store.file_renewal(&actor, &b.specialties, b.submit, state.clock.now()).await?;
    filed(&state, &user.actor, id).await
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct LostReissueBody {
    /// 遗失声明（不少于10个字）.
    #[serde(default)]
    #[schema(required = true, min_length = 10, max_length = 200, pattern = r"^\S[\s\S]{8,}\S$")]
    statement: String,
    #[serde(default)]
    submit: bool,
    /// The enterprise filing for its holder (湖南).
    applicant_id_number: Option<String>,
}

/// 遗失补办申请
///
/// As a reviewed application where the profile says so (湖南: the employer files for its holder).
#[utoipa::path(post, path = "/api/lost-reissues", tag = "申请", request_body = LostReissueBody,
    responses((status = 201, body = ApplicationDetail), crate::error::Refusals))]
pub(crate) async fn lost_reissue_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<LostReissueBody>,
) -> Result<Filed, ApiError> {
    let actor = filer(&state, &user, b.applicant_id_number.as_deref()).await?;
    let id = state.store.file_lost_reissue(&actor, &b.statement, b.submit, state.clock.now()).await?;
    filed(&state, &user.actor, id).await
}

#[derive(serde::Deserialize)]
struct LostReissueForm {
    csrf: String,
    #[serde(default)]
    registration_number: String,
    #[serde(default)]
    statement: String,
}

/// The enterprise's 代为申报遗失补办 from its people list (湖南): the holder is named by the
/// registration number (the page never carries the ID number); only its own people.
async fn lost_reissue_page(
    State(state): State<AppState>,
    user: crate::auth::PageUser,
    crate::extract::FormBody(f): crate::extract::FormBody<LostReissueForm>,
) -> Result<Response, crate::error::PageError> {
    user.check_csrf(&f.csrf)?;
    let reg = state.store.registration_by_number(f.registration_number.trim()).await?;
    let reg = reg.filter(|r| Some(r.enterprise_id) == user.actor.enterprise_id).ok_or(Error::NotFound("未找到本单位的该注册人员"))?;
    let actor = state.store.on_behalf(&user.actor, &reg.id_number).await?;
    crate::pages::apply::filed(state.store.file_lost_reissue(&actor, &f.statement, true, state.clock.now()).await)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct TempTransferBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_number: String,
    /// The holder's 一寸照 (base64), when none is on file.
    photo_base64: Option<String>,
    #[serde(default)]
    submit: bool,
}

/// 二级临时建造师变更
///
/// Filed by the new enterprise (湖南): the holder named by name and ID number.
#[utoipa::path(post, path = "/api/temporary-transfers", tag = "申请", request_body = TempTransferBody,
    responses((status = 201, body = ApplicationDetail), crate::error::Refusals))]
pub(crate) async fn temp_transfer_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<TempTransferBody>,
) -> Result<Filed, ApiError> {
    let photo = match b.photo_base64.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(text) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| Error::invalid("photo", "一寸白底证件照不是有效的 base64 编码"))?,
        ),
        None => None,
    };
    let id = state.store.file_temporary_transfer(&user.actor, &b.name, &b.id_number, photo.as_deref(), b.submit, state.clock.now()).await?;
    filed(&state, &user.actor, id).await
}

/// The same from the enterprise portal's form (multipart: it may carry the photo); the
/// application page follows, with its form to seal.
async fn temp_transfer_page(
    State(state): State<AppState>,
    user: crate::auth::PageUser,
    mut mp: axum::extract::Multipart,
) -> Result<Response, crate::error::PageError> {
    let bad = |_| crate::error::PageError(Error::invalid("photo", "上传内容不完整，请重新选择文件后提交"));
    let (mut csrf, mut name, mut id_number, mut photo) = (String::new(), String::new(), String::new(), None);
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "photo" => photo = Some(field.bytes().await.map_err(bad)?.to_vec()),
            "csrf" => csrf = field.text().await.map_err(bad)?,
            "name" => name = field.text().await.map_err(bad)?,
            "id_number" => id_number = field.text().await.map_err(bad)?,
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    let now = state.clock.now();
    crate::pages::apply::filed(state.store.file_temporary_transfer(&user.actor, &name, &id_number, photo.as_deref(), true, now).await)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct AdditionBody {
    /// 增项的专业代码（资格库中有资格、尚未注册）.
    specialties: Vec<String>,
    #[serde(default)]
    submit: bool,
    /// Hours (必修, 选修) for a specialty applied for again after its validity lapsed (甘肃).
    #[serde(default)]
    ce_compulsory: i64,
    #[serde(default)]
    ce_elective: i64,
    applicant_id_number: Option<String>,
}

/// 增项注册申请
///
/// Specialties qualified for and not yet registered (`submit=true` submits for signing).
#[utoipa::path(post, path = "/api/additions", tag = "申请", request_body = AdditionBody,
    responses((status = 201, body = ApplicationDetail), crate::error::Refusals))]
pub(crate) async fn addition_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<AdditionBody>,
) -> Result<Filed, ApiError> {
    let actor = filer(&state, &user, b.applicant_id_number.as_deref()).await?;
    let hours = (b.ce_compulsory, b.ce_elective);
    let id = state.store.file_add_specialty_with_hours(&actor, &b.specialties, hours, b.submit, state.clock.now()).await?;
    filed(&state, &user.actor, id).await
}

/// 注销注册
///
/// By the enterprise for its own people or by the authority; `specialties` empty is all; in force at once.
#[utoipa::path(post, path = "/api/cancellations", tag = "注册", request_body = CancelRequest,
    responses((status = 200, body = CancelOutcome), crate::error::Refusals))]
pub(crate) async fn cancel_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<CancelRequest>,
) -> Result<Json<CancelOutcome>, ApiError> {
    Ok(Json(state.store.cancel_registration(&user.actor, &b, &state.issuer, state.clock.now()).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct ReissueBody {
    /// remake (重新制证) or lost_reissue (遗失补办).
    #[schema(pattern = "^(remake|lost_reissue)$")]
    kind: String,
    /// 遗失声明, for lost_reissue.
    statement: Option<String>,
}

/// The new certificate file's e-licence identifier.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct NewCertificate {
    /// 新证书的电子证照标识.
    pub(crate) licence_id: String,
}

/// 重新制证或遗失补办
///
/// Issues a new certificate at once; the old one is no longer valid.
#[utoipa::path(post, path = "/api/certificates/reissue", tag = "证书", request_body = ReissueBody,
    responses((status = 200, body = NewCertificate), crate::error::Refusals))]
pub(crate) async fn reissue_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<ReissueBody>,
) -> Result<Json<NewCertificate>, ApiError> {
    let licence_id =
        state.store.reissue_certificate(&user.actor, &b.kind, b.statement.as_deref(), &state.issuer, state.clock.now()).await?;
    Ok(Json(NewCertificate { licence_id }))
}

/// 证照加注（安徽）
///
/// Within 15 days of the use period's end: 180 more days, capped by the registration's validity
/// and the age limit; once a day.
#[utoipa::path(post, path = "/api/certificates/annotate", tag = "证书", responses((status = 200, body = NewCertificate), crate::error::Refusals))]
pub(crate) async fn annotate_api(State(state): State<AppState>, user: ApiUser) -> Result<Json<NewCertificate>, ApiError> {
    Ok(Json(NewCertificate { licence_id: state.store.annotate_certificate(&user.actor, &state.issuer, state.clock.now()).await? }))
}

#[derive(serde::Deserialize)]
struct CsrfOnly {
    csrf: String,
}

async fn annotate_page(State(state): State<AppState>, user: PageUser, FormBody(f): FormBody<CsrfOnly>) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    state.store.annotate_certificate(&user.actor, &state.issuer, state.clock.now()).await?;
    Ok(Redirect::to("/portal").into_response())
}

#[derive(serde::Deserialize)]
struct ReissueForm {
    csrf: String,
    kind: String,
    #[serde(default)]
    statement: Option<String>,
}

async fn reissue_page(
    State(state): State<AppState>,
    user: PageUser,
    posted: crate::pages::confirm::Confirmable<ReissueForm>,
) -> Result<Response, PageError> {
    use crate::pages::confirm;
    let f = &posted.form;
    user.check_csrf(&f.csrf)?;
    if !posted.confirmed && matches!(f.kind.as_str(), "remake" | "lost_reissue") {
        let own = state.store.registrations_of_person(user.actor.person_id.unwrap_or(-1)).await?;
        if let Some(reg) = own.iter().find(|r| r.status == "active") {
            let (title, effect) = if f.kind == "remake" {
                ("重新制证", "立即签发新的电子证书，原证书作废，核验原证书将显示“已被替代”；每天限办一次")
            } else {
                ("遗失补办", "立即补发新的电子证书，原证书作废，核验原证书将显示“已被替代”；遗失声明记入注册轨迹")
            };
            let ask = confirm::Ask {
                title,
                who: confirm::person(reg),
                effect: effect.to_owned(),
                action: "/certificates/reissue",
                back: "/portal",
            };
            return Ok(confirm::ask(&state, &user, &posted, ask));
        }
    }
    state.store.reissue_certificate(&user.actor, &f.kind, f.statement.as_deref(), &state.issuer, state.clock.now()).await?;
    Ok(Redirect::to("/portal").into_response())
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct RenameBody {
    /// 新名称（全称）.
    name: String,
}

/// 企业名称变更（省级）
///
/// Renames the enterprise and reissues every registered person's certificate in a background
/// batch; the answer is the batch, whose progress `GET /api/rename-jobs/{id}` shows.
#[utoipa::path(post, path = "/api/enterprises/{id}/rename", tag = "企业", params(("id" = i64, Path, description = "企业")),
    request_body = RenameBody, responses((status = 202, body = RenameJob), crate::error::Refusals))]
pub(crate) async fn rename_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
    JsonBody(b): JsonBody<RenameBody>,
) -> Result<(StatusCode, Json<RenameJob>), ApiError> {
    let job = state.store.start_enterprise_rename(Some(&user.actor), id, &b.name, state.clock.now()).await?;
    run_rename(&state, job.id);
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// Runs a started rename batch in the background (one transaction per person; resumable).
pub fn run_rename(state: &AppState, job_id: i64) {
    let run = state.clone();
    tokio::spawn(async move {
        let clock = run.clock.clone();
        if let Err(e) = run.store.run_enterprise_rename(job_id, &run.issuer, || clock.now(), |_, _| {}).await {
            tracing::error!(error = %e, job_id, "enterprise rename batch stopped; run it again to resume");
        }
    });
}

/// 企业更名批次进度
#[utoipa::path(get, path = "/api/rename-jobs/{id}", tag = "企业", params(("id" = i64, Path, description = "批次")),
    responses((status = 200, body = RenameJob), crate::error::Refusals))]
pub(crate) async fn rename_job_api(
    State(state): State<AppState>,
    user: ApiUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<RenameJob>, ApiError> {
    Ok(Json(state.store.rename_job_for(&user.actor, id).await?))
}

/// One reason of a list: its code (what the API takes) and its words.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Reason {
    code: &'static str,
    label: &'static str,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Reasons {
    /// 注销原因: `reason` of a cancellation.
    cancellation: Vec<Reason>,
    /// 不予注册理由.
    refusal: Vec<Reason>,
}

/// 注销原因和不予注册理由
///
/// Reference lists, the same for everyone.
#[utoipa::path(get, path = "/api/reasons", tag = "参考数据", security(()), responses((status = 200, body = Reasons)))]
pub(crate) async fn reasons() -> Json<Reasons> {
    let list = |l: &[(&'static str, &'static str)]| l.iter().map(|(code, label)| Reason { code, label }).collect();
    Json(Reasons { cancellation: list(CANCELLATION_REASONS), refusal: list(REFUSAL_REASONS) })
}

/// One specialty row on the renewal page.
pub struct RenewRow {
    pub code: String,
    pub name: &'static str,
    pub valid_until: String,
    pub window: Result<(), String>,
    pub opens_on: String,
    pub need_compulsory: u32,
    pub need_elective: u32,
    /// What was entered (kept when the form comes back with errors).
    pub compulsory: String,
    pub elective: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "renewal.html")]
struct RenewalPage {
    ctx: Ctx,
    registration: Option<Registration>,
    rows: Vec<RenewRow>,
    errors: Vec<FieldError>,
    /// An enterprise filing for its holder (湖南): it seals first, the holder then signs.
    by_enterprise: bool,
    /// The holder's other registrations in force (上海: another profession's), to switch to.
    others: Vec<Registration>,
}

/// Who the renewal page files for: the signed-in individual, or (an enterprise where the profile
/// lets enterprises file) the holder of `registration`.
async fn renewal_filer(state: &AppState, user: &PageUser, registration: &str) -> Result<erjian_store::Actor, Error> {
    match user.actor.role {
        Role::Individual => Ok(user.actor.clone()),
        Role::Enterprise if !registration.is_empty() => state.store.on_behalf_by_registration(&user.actor, registration).await,
        _ => Err(Error::Forbidden),
    }
}

async fn show_renewal(
    state: &AppState,
    user: &PageUser,
    for_registration: &str,
    errors: Vec<FieldError>,
    entered: &[(String, String)],
) -> Result<Response, PageError> {
    let value = |k: String| entered.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let actor = renewal_filer(state, user, for_registration).await?;
    let person = actor.person_id.ok_or(Error::Forbidden)?;
    let (registration, others) = state.store.shown_registration(&actor, person).await?;
    let today = erjian_store::db::today(state.clock.now());
    let mut rows = Vec::new();
    for s in registration.iter().flat_map(|r| r.specialties.iter()).filter(|s| s.status == "active") {
        let until = chrono::NaiveDate::parse_from_str(&s.valid_until, "%Y-%m-%d").map_err(|e| Error::Other(e.into()))?;
        let need = renewal_hours(rows.len());
        rows.push(RenewRow {
            code: s.specialty_code.clone(),
            name: s.name(),
            valid_until: s.valid_until.clone(),
            window: check_renewal_window_in(today, until, state.profile().expired_specialty_by_addition),
            opens_on: renewal_opens_on(until).to_string(),
            need_compulsory: need.compulsory,
            need_elective: need.elective,
            compulsory: value(format!("compulsory_{}", s.specialty_code)),
            elective: value(format!("elective_{}", s.specialty_code)),
            checked: entered.is_empty() || entered.iter().any(|(k, v)| k == "renew" && *v == s.specialty_code),
        });
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let ctx = Ctx::new(state, Some(user), "延续注册", "/renewal");
    let by_enterprise = user.actor.role == Role::Enterprise;
    Ok(render_status(status, &RenewalPage { ctx, registration, rows, errors, by_enterprise, others }))
}

#[derive(serde::Deserialize)]
struct RenewalQuery {
    #[serde(default)]
    registration: String,
}

async fn renewal_page(State(state): State<AppState>, user: PageUser, Query(q): Query<RenewalQuery>) -> Result<Response, PageError> {
    show_renewal(&state, &user, &q.registration, vec![], &[]).await
}

async fn renewal_submit(
    State(state): State<AppState>,
    user: PageUser,
    FormBody(form): FormBody<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    user.check_csrf(&get("csrf"))?;
    let hours: Vec<SpecialtyHours> = form
        .iter()
        .filter(|(k, _)| k == "renew")
        .map(|(_, code)| SpecialtyHours {
            specialty: code.clone(),
            compulsory: get(&format!("compulsory_{code}")).parse().unwrap_or(0),
            elective: get(&format!("elective_{code}")).parse().unwrap_or(0),
        })
        .collect();
    let for_registration = get("registration");
    let actor = renewal_filer(&state, &user, &for_registration).await?;
    match state.store.file_renewal(&actor, &hours, true, state.clock.now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/applications/{id}?done=submit")).into_response()),
        Err(Error::Invalid(errors)) => show_renewal(&state, &user, &for_registration, errors, &form).await,
        Err(Error::Conflict(m)) => show_renewal(&state, &user, &for_registration, vec![FieldError::new("form", m)], &form).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "cancel.html")]
struct CancelPage {
    ctx: Ctx,
    individual: bool,
    requests: Vec<erjian_store::cancel_requests::CancelRequestRow>,
    held: Vec<(String, &'static str)>,
    people: Vec<Registration>,
    reasons: &'static [(&'static str, &'static str)],
    error: Option<String>,
    /// Authorities also suspend, restore and revoke certificates here.
    authority: bool,
    /// The individual has a signing key (the request is signed with its PIN).
    has_key: bool,
    /// The registration the individual's request concerns (profession, number), and the others.
    shown_reg: Option<Named>,
    other_regs: Vec<Named>,
}

/// A registration as the cancellation page names it: (profession, registration number).
type Named = (&'static str, String);

pub(crate) async fn show_cancel(
    state: &AppState,
    user: &PageUser,
    flash: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let people = match (user.actor.role, user.actor.enterprise_id) {
        (Role::Enterprise, Some(e)) => {
            state.store.registrations_of_enterprise(e).await?.into_iter().filter(|r| r.status == "active").collect()
        }
        (Role::CityAuthority | Role::ProvinceAuthority | Role::Individual, _) => vec![],
        _ => return Err(Error::Forbidden.into()),
    };
    let individual = user.actor.role == Role::Individual;
    let requests = state.store.cancel_requests(&user.actor).await?;
    let mut held = Vec::new();
    let mut shown_reg: Option<Named> = None;
    let mut other_regs: Vec<Named> = Vec::new();
    if let (true, Some(p)) = (individual, user.actor.person_id) {
        let (shown, others) = state.store.shown_registration(&user.actor, p).await?;
        for r in shown.iter() {
            held.extend(r.specialties.iter().filter(|s| s.status == "active").map(|s| (s.specialty_code.clone(), s.name())));
        }
        shown_reg = shown.map(|r| (r.profession_name(), r.registration_number));
        other_regs = others.into_iter().map(|r| (r.profession_name(), r.registration_number)).collect();
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let ctx = Ctx::new(state, Some(user), "注销注册", "/cancel").with_flash(flash);
    let authority = matches!(user.actor.role, Role::CityAuthority | Role::ProvinceAuthority);
    let has_key = individual && state.store.signing_key(&user.actor).await?.is_some();
    Ok(render_status(
        status,
        &CancelPage {
            ctx,
            individual,
            requests,
            held,
            people,
            reasons: CANCELLATION_REASONS,
            error,
            authority,
            has_key,
            shown_reg,
            other_regs,
        },
    ))
}

async fn cancel_page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    show_cancel(&state, &user, None, None).await
}

async fn cancel_submit(
    State(state): State<AppState>,
    user: PageUser,
    posted: crate::pages::confirm::Confirmable<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    use crate::pages::confirm;
    let form = &posted.form;
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    user.check_csrf(&get("csrf"))?;
    let scope = get("scope");
    let specialties: Vec<String> =
        if scope == "partial" { form.iter().filter(|(k, _)| k == "specialty").map(|(_, v)| v.clone()).collect() } else { vec![] };
    if scope == "partial" && specialties.is_empty() {
        return show_cancel(&state, &user, None, Some("部分注销请勾选要注销的专业".into())).await;
    }
    if get("registration_number").is_empty() {
        return show_cancel(&state, &user, None, Some("请选择要注销的注册人员".into())).await;
    }
    if !posted.confirmed {
        if let Some(reg) = confirm::registration_for(&state, &user, &get("registration_number")).await {
            let names: Vec<&str> = specialties.iter().map(|c| erjian_domain::profession::specialty_name(c)).collect();
            let effect = if specialties.is_empty() {
                "注销全部专业：注册终止，原电子证书立即作废，公众核验显示“已注销”".to_owned()
            } else {
                format!("注销 {} 专业：保留的专业换发新证书，原证书立即作废", names.join("、"))
            };
            let ask = confirm::Ask { title: "注销注册", who: confirm::person(&reg), effect, action: "/cancel", back: "/cancel" };
            return Ok(confirm::ask(&state, &user, &posted, ask));
        }
    }
    let req =
        CancelRequest { registration_number: get("registration_number"), specialties, reason: get("reason"), note: Some(get("note")) };
    match state.store.cancel_registration(&user.actor, &req, &state.issuer, state.clock.now()).await {
        Ok(o) => {
            let msg = if o.pending_request.is_some() {
                format!("已提交注册编号 {} 的注销申请，待本人确认后生效", o.registration_number)
            } else if o.whole {
                format!("已注销注册编号 {} 的注册，原电子证书已作废", o.registration_number)
            } else {
                format!("已注销所选专业，注册编号 {} 已换发新证书", o.registration_number)
            };
            show_cancel(&state, &user, Some(msg), None).await
        }
        Err(e @ (Error::Invalid(_) | Error::Conflict(_) | Error::NotFound(_))) => {
            let m = match e {
                Error::Invalid(f) => f.first().map(|f| f.message.clone()).unwrap_or_default(),
                other => other.to_string(),
            };
            show_cancel(&state, &user, None, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The constructor specialties, for the partial-cancellation choice.
pub fn specialty_options() -> Vec<(&'static str, &'static str)> {
    erjian_domain::profession::profession("constructor2")
        .map(|p| p.specialties.iter().map(|s| (s.code, s.name)).collect())
        .unwrap_or_default()
}

/// A refusal the user can act on, as one message; anything else stays an error.
pub(crate) fn refusal(e: Error) -> Result<String, Error> {
    match e {
        Error::Invalid(f) => Ok(f.first().map(|f| f.message.clone()).unwrap_or_default()),
        Error::Conflict(m) => Ok(m),
        Error::NotFound(m) => Ok(m.to_owned()),
        other => Err(other),
    }
}

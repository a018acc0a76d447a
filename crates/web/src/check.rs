//! Verification for anyone: the live status behind a certificate's QR code (with its signed
//! statement checked), the OFD file check (seal, then live status), the signed status list that
//! verifiers cache, and the public keys that check them offline.

use crate::error::{ApiError, ErrorBody, PageError};
use crate::extract::QueryParams;
use crate::pages::{check_pre_csrf, pre_csrf, public_ctx, render, render_status, with_cookie, Ctx};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use erjian_cert::statement::{pem, sign_status_list, status_list_text, QrStatement, StatusListHeader};
use erjian_ofd::seal::{verify, Verdict, VerifyOptions};
use erjian_store::certificates::Certificate;
use erjian_store::public::live_status;
use erjian_store::registry::RegisteredSpecialty;
use erjian_store::Error;
use std::sync::Arc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/verify/{licence}", get(status_page))
        .route("/V/{payload}", get(compact_status_page))
        .route("/check", get(check_page).post(check_submit))
        .route("/api/verify/{licence}", get(status_api))
        .route("/api/public/check", axum::routing::post(check_api))
        .route("/api/public/status-list", get(status_list))
        .route("/api/public/status-list/bitstring", get(crate::bitstring::bitstring))
        .route("/api/public/keys", get(keys))
}

/// The live status of one certificate file, as the public sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Live {
    pub licence_id: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub status_reason: Option<String>,
    pub registration_number: String,
    pub certificate_no: String,
    pub holder: String,
    pub id_number_masked: String,
    pub enterprise: String,
    pub issued_at: String,
    pub current_licence_id: Option<String>,
    pub current_certificate_no: Option<String>,
    /// Each specialty in force: [name, valid from, valid until].
    #[schema(value_type = Vec<Vec<String>>)]
    pub specialties: Vec<(String, String, String)>,
}

pub(crate) async fn live(state: &AppState, licence: &str) -> Result<Option<Live>, Error> {
    let Some((c, specs, current)) = state.store.certificate_live(licence).await? else { return Ok(None) };
    let mut l = to_live(state, &c, &specs, current.as_ref());
    if current.is_some() || l.status != "valid" {
        // A certificate no longer in force shows what it said itself (the current one, if any,
        // is linked): not the registration's present specialties or dates.
        if let Some(printed) = state.store.certificate_printed_if_kept(c.id).await? {
            l.holder = printed.name;
            l.enterprise = printed.employer;
            l.specialties = printed.specialties;
        }
    }
    Ok(Some(l))
}

fn to_live(state: &AppState, c: &Certificate, specs: &[RegisteredSpecialty], current: Option<&Certificate>) -> Live {
    let old = state.profile().old_version;
    let (status, status_label) = live_status(c, specs, old.as_ref(), erjian_store::db::today(state.clock.now()));
    Live {
        licence_id: c.licence_id.clone(),
        status,
        status_label,
        status_reason: c.status_reason.clone(),
        registration_number: c.registration_number.clone(),
        certificate_no: c.certificate_no.clone(),
        holder: c.holder_name.clone(),
        id_number_masked: c.masked_id(),
        enterprise: c.enterprise_name.clone(),
        issued_at: c.issued_display(),
        current_licence_id: current.map(|x| x.licence_id.clone()),
        current_certificate_no: current.map(|x| x.certificate_no.clone()),
        specialties: specs
            .iter()
            .filter(|s| s.status == "active")
            .map(|s| (s.name().to_owned(), s.valid_from.clone(), s.valid_until.clone()))
            .collect(),
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Statement {
    /// The QR code's signed statement (text or compact), checked against this certificate.
    s: Option<String>,
}

/// `GET /api/verify/{licence}`: one conclusion first, then the certificate and what its QR
/// statement (when given) says.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct StatusAnswer {
    pub verdict: crate::verdict::Conclusion,
    pub certificate: Live,
    /// The certificate's own status code (valid, suspended, revoked, cancelled, superseded, expired…).
    pub status: &'static str,
    pub statement: Option<StatementCheck>,
}

/// What the QR code's signed statement says, checked with the deployment's QR key.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StatementCheck {
    pub valid: bool,
    pub message: String,
    /// The statement's fields when its signature verifies.
    #[schema(value_type = Option<Object>)]
    pub statement: Option<QrStatement>,
}

/// What the page says of a QR statement whose signature verifies.
const GENUINE: &str = "二维码签名有效，内容由发证机关签发";

/// Checks a QR statement against the certificate `licence`: a text statement names the
/// licence, a compact one its fixed status-list index.
async fn check_statement(state: &AppState, licence: &str, payload: Option<&str>) -> Result<Option<StatementCheck>, Error> {
    let Some(payload) = payload else { return Ok(None) };
    Ok(Some(match QrStatement::verify(payload, &state.issuer.qr_key.key.public()) {
        Ok(st) => {
            let names_it = match (st.licence_id.as_str(), st.status_index) {
                ("", Some(index)) => state.store.licence_at_status_index(index).await?.as_deref() == Some(licence),
                (named, _) => named == licence,
            };
            match names_it {
                true => StatementCheck { valid: true, message: GENUINE.into(), statement: Some(st) },
                false => StatementCheck { valid: false, message: "二维码签名与本证书不符".into(), statement: None },
            }
        }
        Err(e) => StatementCheck { valid: false, message: e.to_string(), statement: None },
    }))
}

/// 证书实时状态（二维码核验）
///
/// The live status behind a certificate's QR code; `s` is the code's signed statement, checked
/// with it. Answers are cached until any certificate changes.
#[utoipa::path(get, path = "/api/verify/{licence}", tag = "公众核验", security(()),
    params(("licence" = String, Path, description = "证照标识"), Statement),
    responses((status = 200, body = StatusAnswer, description = "verdict 为唯一结论"),
        (status = 404, body = ErrorBody, description = "未找到该证书"), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "请求过于频繁")))]
pub(crate) async fn status_api(
    State(state): State<AppState>,
    Path(licence): Path<String>,
    QueryParams(q): QueryParams<Statement>,
) -> Result<Response, ApiError> {
    let json_reply = |b: Bytes| ([(CONTENT_TYPE, "application/json"), (CACHE_CONTROL, "no-cache")], b).into_response();
    let cacheable = q.s.is_none();
    let day = erjian_store::db::today(state.clock.now());
    let epoch = state.store.public_epoch().filter(|_| cacheable);
    if let Some(hit) = epoch.and_then(|e| state.public_cache.get(licence.as_bytes(), e, day)) {
        return Ok(json_reply(hit));
    }
    let l = live(&state, &licence).await?.ok_or(Error::NotFound("未找到该证书，请核对证照标识"))?;
    let statement = check_statement(&state, &licence, q.s.as_deref()).await?;
    let verdict = crate::verdict::of_status(&l, statement.as_ref(), None);
    let answer = StatusAnswer { verdict, status: l.status, certificate: l, statement };
    let body = Bytes::from(serde_json::to_vec(&answer).map_err(|e| Error::Other(e.into()))?);
    if let Some(e) = epoch {
        state.public_cache.put(licence.into_bytes(), e, day, body.clone());
    }
    Ok(json_reply(body))
}

#[derive(Template)]
#[template(path = "verify.html")]
pub(crate) struct StatusPage {
    pub ctx: Ctx,
    pub live: Live,
    pub statement: Option<StatementCheck>,
    /// Set when the page verifies a usage copy (使用件) of this certificate.
    pub copy: Option<crate::usage::CopyCheck>,
    /// The one conclusion, first.
    pub verdict: crate::verdict::Conclusion,
}

async fn status_page(
    State(state): State<AppState>,
    Path(licence): Path<String>,
    Query(q): Query<Statement>,
) -> Result<Response, PageError> {
    let live = live(&state, &licence).await?.ok_or(Error::NotFound("未找到该证书，请核对证照标识"))?;
    let statement = check_statement(&state, &licence, q.s.as_deref()).await?;
    let verdict = crate::verdict::of_status(&live, statement.as_ref(), None);
    Ok(render(&StatusPage { ctx: public_ctx(&state, "证书核验", "", String::new()), live, statement, copy: None, verdict }))
}

/// The address a certificate's QR code carries (`/V/{compact statement}`): the statement is
/// checked first, and only a genuine one names the certificate (by its status-list index) whose
/// live status the page then shows.
async fn compact_status_page(State(state): State<AppState>, Path(payload): Path<String>) -> Result<Response, PageError> {
    const NOT_OURS: &str = "二维码核验未通过：内容被改动，或不是本系统签发的证书二维码";
    if payload.len() > 512 {
        return Err(Error::NotFound(NOT_OURS).into());
    }
    let st = QrStatement::verify(&payload, &state.issuer.qr_key.key.public()).map_err(|_| Error::NotFound(NOT_OURS))?;
    let index = st.status_index.ok_or(Error::NotFound(NOT_OURS))?;
    let licence = state.store.licence_at_status_index(index).await?.ok_or(Error::NotFound("未找到该证书，请核对证照标识"))?;
    let live = live(&state, &licence).await?.ok_or(Error::NotFound("未找到该证书，请核对证照标识"))?;
    let statement = Some(StatementCheck { valid: true, message: GENUINE.into(), statement: Some(st) });
    let verdict = crate::verdict::of_status(&live, statement.as_ref(), None);
    Ok(render(&StatusPage { ctx: public_ctx(&state, "证书核验", "", String::new()), live, statement, copy: None, verdict }))
}

/// The outcome of checking an uploaded OFD file.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FileCheck {
    /// The one conclusion, first.
    pub verdict: crate::verdict::Conclusion,
    /// The seal verifies and was made by this deployment.
    pub seal_valid: bool,
    pub summary: String,
    /// One line per failed check, naming the file concerned.
    pub failures: Vec<String>,
    /// The certificate's live status (only when the seal verifies).
    pub certificate: Option<Live>,
    /// When the file is a usage copy (使用件): the copy's own period and status.
    pub copy: Option<crate::usage::CopyCheck>,
}

impl FileCheck {
    /// Whether the file may be relied on now: seal intact, certificate valid, copy in its period.
    pub fn all_valid(&self) -> bool {
        self.seal_valid && self.certificate.as_ref().is_some_and(|c| c.status == "valid") && self.copy.as_ref().is_none_or(|c| c.valid)
    }
}

/// What a failed seal check means, in words a verifier understands.
fn check_label(name: &str) -> String {
    match name {
        "reference_digest" => "文件摘要不符：该文件在盖章后被改动".into(),
        "data_hash" => "签章数据摘要不符：签名描述文件被改动".into(),
        "signature" => "电子签名验证失败：签名值与签章数据不符".into(),
        "signed_value" => "签名值文件缺失或格式错误".into(),
        "seal_maker_signature" => "印章制章者签名无效：电子印章被伪造或改动".into(),
        "seal_validity" => "电子印章不在有效期内".into(),
        "signer_certificate_validity" => "签章人证书不在有效期内".into(),
        "signer_certificate_issuer" => "签章人证书不是本系统发证机关签发".into(),
        "structure" => "签章结构不完整或无法解析".into(),
        "signature_list" => "签章列表与签章文件不一致：有签章被重复列出、指向其他签章的文件或被移除".into(),
        "property_info" => "签章被移动：签名记录的签名描述文件位置与实际不符".into(),
        erjian_ofd::seal::MISSING_SIGNATURE_LIST => "签章列表文件缺失：文档声明的签章列表不在文件中".into(),
        other => format!("检查未通过：{other}"),
    }
}

/// What the seal check found, before the database is asked: a refusal, or the verified
/// document's failures (none) and its custom data.
type Inspection = Result<(Vec<String>, Vec<(String, String)>, String), (Refusal, &'static str, Vec<String>)>;

/// Why a file was not verified: it may be forged, or it cannot be checked here at all.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    Forged,
    Unverifiable,
}

/// The CPU part of the file check (unzip within upload limits, XML, digests, signatures), run
/// on the bounded blocking pool.
fn inspect(bytes: &[u8], opts: &VerifyOptions) -> Inspection {
    if bytes.starts_with(b"%PDF") {
        return Err((Refusal::Unverifiable, crate::verdict::PDF_ONLY, vec![]));
    }
    let Ok(pkg) = erjian_ofd::Package::from_bytes_within(bytes, &erjian_ofd::package::Limits::UPLOAD) else {
        return Err((Refusal::Unverifiable, "不是有效的 OFD 文件，或文件解压后过大，无法核验", vec![]));
    };
    let report = match verify(&pkg, opts) {
        Ok(r) => r,
        Err(e) => return Err((Refusal::Unverifiable, "文件结构损坏或过于复杂，无法核验", vec![e.to_string()])),
    };
    if report.list_problems.iter().any(|c| c.name == erjian_ofd::seal::MISSING_SIGNATURE_LIST) {
        let why = "文件声明已加盖电子印章，但其中的签章列表缺失：印章已被删除或文件不完整，验证未通过";
        return Err((Refusal::Forged, why, vec![check_label(erjian_ofd::seal::MISSING_SIGNATURE_LIST)]));
    }
    if report.signatures.is_empty() {
        return Err((Refusal::Forged, "文件中没有电子印章，不是本系统签发的电子证书", vec![]));
    }
    let line = |c: &erjian_ofd::seal::Check| {
        format!("{}{}", check_label(c.name), c.file.as_deref().map(|f| format!("（{f}）")).unwrap_or_default())
    };
    let failures: Vec<String> = report.signatures.iter().flat_map(|s| s.failed()).chain(report.list_problems.iter()).map(line).collect();
    if !report.list_problems.is_empty() {
        return Err((Refusal::Forged, "签章列表被改动：签章与其文件不能一一对应，验证未通过", failures));
    }
    if report.signatures.iter().any(|s| s.verdict != Verdict::Valid) {
        let summary = if report.signatures.iter().all(|s| s.intact()) {
            "文件内容未被改动，但电子印章不在有效期内或不是本系统签发，不能作为有效证书"
        } else {
            "文件已被篡改或电子印章无效：验证未通过"
        };
        return Err((Refusal::Forged, summary, failures));
    }
    match erjian_ofd::reader::read(&pkg) {
        Ok(doc) => Ok((failures, doc.metadata.custom, doc.metadata.doc_id)),
        Err(e) => Err((Refusal::Unverifiable, "文件结构损坏或过于复杂，无法核验", vec![e.to_string()])),
    }
}

pub async fn check_file(state: &AppState, bytes: &[u8]) -> Result<FileCheck, Error> {
    use crate::verdict::Conclusion;
    let fail = |refusal: Refusal, summary: &str, failures: Vec<String>| FileCheck {
        verdict: match refusal {
            Refusal::Forged => Conclusion::forged(summary),
            Refusal::Unverifiable => Conclusion::unverifiable(summary),
        },
        seal_valid: false,
        summary: summary.into(),
        failures,
        certificate: None,
        copy: None,
    };
    let opts = VerifyOptions { now: Some(state.clock.now()), trusted_roots: vec![state.issuer.authority.root()] };
    let upload = bytes.to_vec();
    let (failures, custom, doc_id) = match state.heavy.run(move || inspect(&upload, &opts)).await {
        Ok(Ok(found)) => found,
        Ok(Err((refusal, summary, failures))) => return Ok(fail(refusal, summary, failures)),
        Err(crate::heavy::Refused::Busy) => return Err(Error::Conflict("核验服务繁忙，请稍后再试".into())),
        Err(crate::heavy::Refused::TooLong) => return Ok(fail(Refusal::Unverifiable, "文件过于复杂，超出核验时限，无法核验", vec![])),
    };
    let licence = custom.iter().find(|(k, _)| k == "证照标识").map(|(_, v)| v.clone()).unwrap_or(doc_id);
    let Some(certificate) = live(state, &licence).await? else {
        return Ok(fail(Refusal::Unverifiable, "印章有效，但本系统没有该证书的记录", failures));
    };
    // A usage copy points its QR code at /verify/copy/{token}: its own period counts too.
    let copy_token = custom.iter().find(|(k, _)| k == "核验地址").and_then(|(_, v)| v.split_once("/verify/copy/")).map(|(_, t)| t);
    let copy = match copy_token {
        Some(token) => crate::usage::copy_check(state, token, certificate.status).await?,
        None => None,
    };
    let verdict = crate::verdict::of_sealed_file(&certificate, copy.as_ref());
    Ok(FileCheck { summary: verdict.why.clone(), verdict, seal_valid: true, failures, certificate: Some(certificate), copy })
}

/// 证书文件核验
///
/// Upload an OFD certificate file as the request body: its seal is verified, then the live
/// status of the certificate it is. The file is not kept.
#[utoipa::path(post, path = "/api/public/check", tag = "公众核验", security(()),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "OFD 文件"),
    responses((status = 200, body = FileCheck, description = "verdict 为唯一结论（有效/已失效/可能伪造/无法核验）"),
        (status = 409, body = ErrorBody, description = "核验服务繁忙"), (status = 413, description = "文件过大"),
        (status = 422, body = ErrorBody, description = "没有上传文件"), (status = 429, body = ErrorBody)))]
pub(crate) async fn check_api(State(state): State<AppState>, body: Bytes) -> Result<Json<FileCheck>, ApiError> {
    if body.is_empty() {
        return Err(Error::invalid("file", "请以请求体上传 OFD 文件").into());
    }
    Ok(Json(check_file(&state, &body).await?))
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    ctx: Ctx,
    result: Option<FileCheck>,
    file_name: String,
    /// The uploaded file's first page as a `data:` PNG (the upload is not kept).
    preview: Option<String>,
}

/// Screen resolution of the check page's preview.
const PREVIEW_DPI: f32 = 96.0;

/// The first page of an uploaded OFD, drawn under the heavy-work limiter; nothing when the file
/// is not OFD or cannot be drawn in time (the verdict above it stands either way).
async fn preview(state: &AppState, file: Vec<u8>) -> Option<String> {
    use base64::Engine;
    let png = state.heavy.run(move || erjian_render::page_png(&file, 0, PREVIEW_DPI)).await.ok()?.ok()?;
    Some(format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(png)))
}

async fn check_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (csrf, set) = pre_csrf(&state, &headers);
    with_cookie(
        render(&CheckPage {
            ctx: public_ctx(&state, "证书文件核验", "/check", csrf),
            result: None,
            file_name: String::new(),
            preview: None,
        }),
        set,
    )
}

async fn check_submit(State(state): State<AppState>, headers: HeaderMap, mut mp: Multipart) -> Result<Response, PageError> {
    let (mut csrf, mut file, mut file_name) = (String::new(), Vec::new(), String::new());
    let bad = |_| PageError(Error::Conflict("上传内容不完整，请重新选择文件".into()));
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("file") => {
                file_name = field.file_name().unwrap_or_default().to_owned();
                file = field.bytes().await.map_err(bad)?.to_vec();
            }
            _ => {}
        }
    }
    check_pre_csrf(&headers, &csrf)?;
    let (csrf, _) = pre_csrf(&state, &headers);
    let ctx = public_ctx(&state, "证书文件核验", "/check", csrf);
    if file.is_empty() {
        let result = Some(FileCheck {
            verdict: crate::verdict::Conclusion::unverifiable("请选择要核验的 OFD 文件"),
            seal_valid: false,
            summary: "请选择要核验的 OFD 文件".into(),
            failures: vec![],
            certificate: None,
            copy: None,
        });
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &CheckPage { ctx, result, file_name, preview: None }));
    }
    let result = check_file(&state, &file).await?;
    let preview = preview(&state, file).await;
    Ok(render(&CheckPage { ctx, result: Some(result), file_name, preview }))
}

/// The cached, signed status list and the version it reflects.
pub type StatusListCache = Arc<tokio::sync::Mutex<Option<(i64, Bytes)>>>;

/// `?after=` (a page's `next`) and `?limit=` (at most [`PAGE`]); anything else is the default.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Page {
    /// The `next` of the previous page (0 or absent: the first page).
    after: Option<i64>,
    /// Certificates per page (at most 10000; more is read as 10000).
    limit: Option<i64>,
}

/// One signed page of the text status list.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct StatusListAnswer {
    format: &'static str,
    version: i64,
    after: i64,
    next: Option<i64>,
    /// The signed text.
    list: String,
    /// SM2 signature over `list`, base64.
    signature: String,
    /// The status-list key's certificate (PEM).
    certificate: String,
}

/// Certificates in one page of the text list: a request reads and signs at most this many.
const PAGE: i64 = 10_000;

/// The text status list for auditors, a signed page at a time (the bitstring list is the one for
/// verifiers). The first full page is kept for its version; the others are read when asked.
/// 签名的证书状态列表（审计用，分页）
///
/// Read page by page: `after` is the previous page's `next`; each page is signed on its own
/// (verify `signature` with the status-list certificate).
#[utoipa::path(get, path = "/api/public/status-list", tag = "公众核验", security(()), params(Page),
    responses((status = 200, body = StatusListAnswer), (status = 422, body = ErrorBody, description = "参数不是整数"), (status = 429, body = ErrorBody)))]
pub(crate) async fn status_list(State(state): State<AppState>, QueryParams(p): QueryParams<Page>) -> Result<Response, ApiError> {
    let limit = p.limit.unwrap_or(PAGE).clamp(1, PAGE);
    let after = p.after.unwrap_or(0).max(0);
    let version = state.store.status_version().await?;
    let first = after == 0 && limit == PAGE;
    let mut cache = state.status_list.lock().await;
    let body = match cache.as_ref() {
        Some((v, body)) if first && *v == version => body.clone(),
        _ => {
            let (version, entries, next) = state.store.status_entries(after, limit).await?;
            let header = StatusListHeader {
                issuer: state.issuer.authority.name.clone(),
                version,
                issued_at: state.clock.now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                count: entries.len(),
                after,
                next,
            };
            let text = status_list_text(&header, entries.into_iter());
            let signature = sign_status_list(&text, &state.issuer.list_key.key);
            let answer = StatusListAnswer {
                format: "erjian-status-list/2",
                version,
                after,
                next,
                list: text,
                signature,
                certificate: state.issuer.list_key.cert_pem(),
            };
            let body = Bytes::from(serde_json::to_vec(&answer).map_err(|e| Error::Other(e.into()))?);
            if first {
                *cache = Some((version, body.clone()));
            }
            body
        }
    };
    let etag = format!("\"sl-{version}-{after}-{limit}\"");
    Ok(([(CONTENT_TYPE, "application/json".to_owned()), (CACHE_CONTROL, "public, max-age=60".to_owned()), (ETAG, etag)], body)
        .into_response())
}

/// The certificates that check what erjian signs, PEM.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Keys {
    /// The deployment's SM2 root.
    root: String,
    /// Signs the statements in QR codes.
    qr_statement: String,
    /// Signs the status lists.
    status_list: String,
}

/// 核验用公钥证书
#[utoipa::path(get, path = "/api/public/keys", tag = "公众核验", security(()), responses((status = 200, body = Keys)))]
pub(crate) async fn keys(State(state): State<AppState>) -> Json<Keys> {
    Json(Keys {
        root: pem("CERTIFICATE", &state.issuer.authority.root_cert),
        qr_statement: state.issuer.qr_key.cert_pem(),
        status_list: state.issuer.list_key.cert_pem(),
    })
}

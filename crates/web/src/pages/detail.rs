//! One application's page for every role that may see it: status, status columns, data, photo,
//! history, and the actions the domain allows this role now.

use super::portal::flash;
use super::{render, Ctx};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use erjian_domain::workflow::{transition_with, Action, ReviewStages, Role, SigningOrder, State as S};
use erjian_store::applications::ApplicationDetail;
use erjian_store::Error;

pub struct ActionView {
    pub code: &'static str,
    pub label: &'static str,
    pub needs_reason: bool,
    /// A reviewer's favourable decision: an optional 审查意见 goes with it (standard ones offered).
    pub opinions: &'static [&'static str],
}

/// Standard opinions for the reviewers' favourable decisions (editable before sending).
pub(crate) fn standard_opinions(action: Action) -> &'static [&'static str] {
    match action {
        Action::Accept => &["申请材料齐全，符合法定形式，予以受理", "经核对，申请人与聘用企业信息一致，予以受理"],
        Action::PrelimApprove => &["经初审，符合注册条件，同意上报", "资格、继续教育及聘用关系核查无误，同意"],
        Action::Approve => &["经审查，符合注册条件，准予注册", "同意初审意见，准予注册"],
        _ => &[],
    }
}

/// Grounds for refusal offered as presets (domain brief §5).
pub const REFUSAL_REASONS: &[&str] = &[
    "不具有完全民事行为能力",
    "申请在两个或者两个以上单位注册",
    "未达到注册建造师继续教育要求",
    "受到刑事处罚，刑事处罚尚未执行完毕",
    "因执业活动受到刑事处罚，自刑事处罚执行完毕之日起至申请注册之日止不满5年",
    "被吊销注册证书，自处罚决定之日起至申请注册之日止不满2年",
    "担任项目经理期间，所负责项目发生过重大质量和安全事故",
    "聘用单位不符合注册单位要求",
    "年龄超过65周岁",
    "法律、法规规定不予注册的其他情形",
];

#[derive(Template)]
#[template(path = "application.html")]
struct DetailPage {
    ctx: Ctx,
    detail: ApplicationDetail,
    actions: Vec<ActionView>,
    can_edit: bool,
    steps: Vec<(&'static str, &'static str)>,
    id_shown: String,
    refusal_reasons: &'static [&'static str],
    /// (party, name, done, current)
    parties: Vec<(&'static str, String, bool, bool)>,
    signatures: Vec<erjian_store::signing::SignatureView>,
    can_sign: bool,
    has_form: bool,
    sign_error: Option<String>,
    attachments: Vec<erjian_store::attachments::AttachmentInfo>,
    notices: Vec<erjian_store::notices::Notice>,
    /// The kind's material slots, whether the caller may upload now, and an upload's refusal.
    slots: Vec<erjian_store::attachments::SlotView>,
    can_upload: bool,
    upload_error: Option<String>,
    /// Objections lodged against it during publicity (authorities), and whether the caller may
    /// decide them (the province).
    objections: Vec<erjian_store::publicity::ObjectionView>,
    decides_objections: bool,
}

/// The actions the domain allows this role in this state, except those done in batches.
fn available(order: SigningOrder, review: ReviewStages, state: S, role: Role) -> Vec<ActionView> {
    Action::ALL
        .into_iter()
        .filter(|a| !matches!(a, Action::StartPublicity | Action::Announce | Action::Sign | Action::Revise | Action::EnterpriseConfirm))
        .filter(|a| transition_with(order, review, state, *a, role, Some("-")).is_ok())
        .map(|a| ActionView { code: a.code(), label: a.label(), needs_reason: a.needs_reason(), opinions: standard_opinions(a) })
        .collect()
}

/// The progress bar: each stage done, current, or where it stopped. Under one-level review the
/// province's single review takes the preliminary review's place and there is no second one.
fn steps(state: S, review: ReviewStages) -> Vec<(&'static str, &'static str)> {
    const STAGES: [(&str, S); 8] = [
        ("填写申请", S::Draft),
        ("本人签名", S::AwaitingSignature),
        ("企业盖章", S::AwaitingEnterprise),
        ("受理", S::Filed),
        ("初审", S::Accepted),
        ("复审", S::PrelimPassed),
        ("公示", S::Publicity),
        ("公告", S::Announced),
    ];
    let reached = match state {
        S::Approved => 6,
        S::Announced => 8,
        s => STAGES.iter().position(|(_, x)| *x == s).unwrap_or(0),
    };
    let stopped = matches!(state, S::Returned | S::NotAccepted | S::Refused | S::Withdrawn | S::Cleared);
    STAGES
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            let cls = if stopped {
                if i == 0 {
                    "bad"
                } else {
                    ""
                }
            } else if i < reached {
                "done"
            } else if i == reached {
                "now"
            } else {
                ""
            };
            (*label, cls)
        })
        .enumerate()
        .filter_map(|(i, (label, cls))| match (review, i) {
            (ReviewStages::ProvinceOnly, 4) => Some(("审查", cls)),
            (ReviewStages::ProvinceOnly, 5) => None,
            _ => Some((label, cls)),
        })
        .collect()
}

/// What the address bar may say: which step was just done, as a code mapped to fixed text.
/// Nothing the URL carries is shown as it is.
#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    Ok(page(&state, &user, id, q.done.as_deref(), None).await?)
}

/// The application page, with the message of a failed signing (chosen by the server, never
/// taken from the request) shown in place, inside the portal.
pub async fn page(state: &AppState, user: &PageUser, id: i64, done: Option<&str>, sign_error: Option<String>) -> Result<Response, Error> {
    page_with(state, user, id, done, sign_error, None).await
}

/// As [`page`], with the refusal of an upload shown on the materials card.
pub async fn page_with(
    state: &AppState,
    user: &PageUser,
    id: i64,
    done: Option<&str>,
    sign_error: Option<String>,
    upload_error: Option<String>,
) -> Result<Response, Error> {
    let state = state.clone();
    let detail = crate::mask::application(&state, &user.actor, id).await?;
    let app_state = detail.application.state();
    let role = user.actor.role;
    let order = detail.application.order();
    let actions = available(order, detail.application.review(), app_state, role);
    // An initial form is edited until sealed; a follow-up is corrected in its own form while a
    // draft or returned (its form then saves into the same application).
    let initial = matches!(detail.application.kind.as_str(), "initial" | "re_registration");
    let can_edit = role == Role::Individual && app_state.editable_in(order) && (initial || matches!(app_state, S::Draft | S::Returned));
    // Reviewers and the applicant see the full ID number and mobile; the enterprise masked.
    let id_shown = detail.application.id_number.clone();
    let signatures = state.store.application_signatures(id, state.clock.now()).await?;
    let attachments = state.store.attachments(&user.actor, id).await?;
    let notices = state.store.notices(&user.actor, id).await?;
    let slots = state.store.slots_holding(&detail.application.kind, &attachments);
    let objections = state.store.objections(&user.actor, id).await?;
    let can_upload = erjian_store::Store::may_upload(&detail.application, &user.actor);
    let applicant = ("申请人（个人签名）", detail.application.person_name.clone(), app_state == S::AwaitingSignature);
    let enterprise = ("聘用企业（电子印章）", detail.application.enterprise_name.clone(), app_state == S::AwaitingEnterprise);
    let ordered = match order {
        SigningOrder::ApplicantFirst => [applicant, enterprise],
        SigningOrder::EnterpriseFirst => [enterprise, applicant],
    };
    let parties = ordered.into_iter().enumerate().map(|(i, (p, n, current))| (p, n, signatures.len() > i, current)).collect();
    let can_sign = matches!((role, app_state), (Role::Individual, S::AwaitingSignature) | (Role::Enterprise, S::AwaitingEnterprise));
    let has_form = !matches!(app_state, S::Draft);
    let ctx = Ctx::new(&state, Some(user), format!("申请 {}", detail.application.number), "").with_flash(flash(done));
    let page = DetailPage {
        ctx,
        steps: steps(app_state, detail.application.review()),
        detail,
        actions,
        can_edit,
        id_shown,
        refusal_reasons: REFUSAL_REASONS,
        parties,
        signatures,
        can_sign,
        has_form,
        sign_error,
        attachments,
        notices,
        slots,
        can_upload,
        upload_error,
        objections,
        decides_objections: role == Role::ProvinceAuthority,
    };
    Ok(render(&page))
}

#[derive(serde::Deserialize)]
pub struct ActionForm {
    csrf: String,
    action: String,
    reason: Option<String>,
    version: Option<i64>,
    /// The refusal finds false materials: the applicant may not apply for a year.
    false_materials: Option<String>,
}

pub async fn act(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    posted: super::confirm::Confirmable<ActionForm>,
) -> Result<Response, PageError> {
    let f = &posted.form;
    user.check_csrf(&f.csrf)?;
    let action = Action::parse(&f.action).ok_or(Error::Conflict("未知的操作".into()))?;
    // Withdrawing ends the application for good: confirmed first.
    if action == Action::Withdraw && !posted.confirmed {
        let a = crate::mask::application(&state, &user.actor, id).await?.application;
        let ask = super::confirm::Ask {
            title: "撤回申请",
            who: format!("{}（{}，{}）", a.number, a.kind_label(), a.person_name),
            effect: "申请立即终止，不能恢复；如需办理须重新填写申请".into(),
            action: &format!("/applications/{id}/action"),
            back: &format!("/applications/{id}"),
        };
        return Ok(super::confirm::ask(&state, &user, &posted, ask));
    }
    let reason = f.reason.as_deref().filter(|r| !r.trim().is_empty());
    if f.false_materials.as_deref() == Some("1") {
        state.store.refuse_for_false_materials(&user.actor, id, action, reason, f.version, state.clock.now()).await?;
    } else {
        let step = erjian_store::workflow::Step { action, reason, expected_version: f.version };
        state.store.act_issuing(&user.actor, id, step, Some(&state.issuer), state.clock.now()).await?;
    }
    let back = match user.actor.role {
        Role::Individual => format!("/applications/{id}?done={}", action.code()),
        _ => format!("/portal?done={}", action.code()),
    };
    Ok(Redirect::to(&back).into_response())
}

pub async fn photo(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (bytes, mime) = state.store.application_photo(&user.actor, id).await?;
    Ok(([(CONTENT_TYPE, mime), (CACHE_CONTROL, "private, no-store".to_owned())], bytes).into_response())
}

/// One attachment of an application, for whoever may see the application.
pub async fn attachment(State(state): State<AppState>, user: PageUser, Path((id, aid)): Path<(i64, i64)>) -> Result<Response, PageError> {
    let (bytes, mime) = state.store.attachment(&user.actor, id, aid).await?;
    Ok(material_response(bytes, mime, aid))
}

/// A material as served: its checked type; pictures and PDF shown in the browser, OFD saved;
/// sandboxed (a file from a user never runs as this site's page).
pub(crate) fn material_response(bytes: Vec<u8>, mime: String, aid: i64) -> Response {
    let disposition = match mime.as_str() {
        "application/ofd" => format!("attachment; filename=\"material-{aid}.ofd\""),
        "application/pdf" => format!("inline; filename=\"material-{aid}.pdf\""),
        _ => "inline".to_owned(),
    };
    (
        [
            (CONTENT_TYPE, mime),
            (CACHE_CONTROL, "private, no-store".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::header::CONTENT_SECURITY_POLICY, format!("{}; sandbox", crate::hardening::CSP)),
        ],
        bytes,
    )
        .into_response()
}

/// Uploads (or replaces) one material from the application page.
pub async fn upload(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    mut mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let (mut csrf, mut slot, mut file) = (String::new(), String::new(), Vec::new());
    let bad = |_| PageError(Error::invalid("file", "上传内容不完整，请重新选择文件"));
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("slot") => slot = field.text().await.map_err(bad)?,
            Some("file") => file = field.bytes().await.map_err(bad)?.to_vec(),
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    match state.store.put_attachment(&user.actor, id, &slot, &file, state.clock.now()).await {
        Ok(_) => Ok(axum::response::Redirect::to(&format!("/applications/{id}?done=uploaded")).into_response()),
        Err(Error::Invalid(e)) => {
            let message = e.into_iter().map(|f| f.message).collect::<Vec<_>>().join("；");
            let mut r = page_with(&state, &user, id, None, None, Some(message)).await?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

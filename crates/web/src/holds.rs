//! The authority's sanctions on a certificate (暂扣 / 恢复 / 撤销), as JSON and from the
//! 注销注册 page; the rules are in `erjian_store::holds`.

use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::extract::JsonBody;
use crate::pages::confirm::{self, Ask, Confirmable};
use crate::registrations::{refusal, show_cancel};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use erjian_store::holds::Hold;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/certificate-holds", post(hold_api)).route("/certificate-holds", post(hold_page))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct HoldBody {
    registration_number: String,
    action: erjian_store::holds::Hold,
    #[serde(default)]
    reason: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct HoldDone {
    registration_number: String,
    /// The certificate's status now.
    certificate_status: String,
}

/// 暂扣、恢复或撤销证书
///
/// By the authority: suspend, restore or revoke (revoking also ends the registration), with a reason.
#[utoipa::path(post, path = "/api/certificate-holds", tag = "证书", request_body = HoldBody,
    responses((status = 200, body = HoldDone), crate::error::Refusals))]
pub(crate) async fn hold_api(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(b): JsonBody<HoldBody>,
) -> Result<Json<HoldDone>, ApiError> {
    let status = state.store.hold_certificate(&user.actor, &b.registration_number, b.action, &b.reason, state.clock.now()).await?;
    Ok(Json(HoldDone { registration_number: b.registration_number, certificate_status: status.to_string() }))
}

#[derive(serde::Deserialize)]
struct HoldForm {
    csrf: String,
    registration_number: String,
    action: erjian_store::holds::Hold,
    #[serde(default)]
    reason: String,
}

async fn hold_page(State(state): State<AppState>, user: PageUser, form: Confirmable<HoldForm>) -> Result<Response, PageError> {
    let f = &form.form;
    user.check_csrf(&f.csrf)?;
    // Suspension and revocation are confirmed first, naming the person and the effect.
    let effect = match f.action {
        Hold::Suspend => Some(("暂扣证书", "证书立即暂扣：暂扣期间不能下载、换发或复制，公众核验显示“暂扣”，须由主管部门恢复")),
        Hold::Revoke => Some(("撤销注册", "注册立即撤销，电子证书作废且不能恢复，公众核验显示“已撤销”")),
        Hold::Restore => None,
    };
    if let (Some((title, effect)), false) = (effect, form.confirmed) {
        if let Some(reg) = confirm::registration_for(&state, &user, &f.registration_number).await {
            let ask = Ask {
                title,
                who: confirm::person(&reg),
                effect: format!("{effect}。理由：{}", f.reason.trim()),
                action: "/certificate-holds",
                back: "/cancel",
            };
            return Ok(confirm::ask(&state, &user, &form, ask));
        }
    }
    match state.store.hold_certificate(&user.actor, &f.registration_number, f.action, &f.reason, state.clock.now()).await {
        Ok(status) => {
            let done = match status.as_str() {
                "suspended" => "已暂扣",
                "revoked" => "已撤销注册，证书作废",
                _ => "已恢复，证书重新有效",
            };
            show_cancel(&state, &user, Some(format!("注册编号 {}：{done}", f.registration_number.trim())), None).await
        }
        Err(e) => match refusal(e) {
            Ok(m) => show_cancel(&state, &user, None, Some(m)).await,
            Err(e) => Err(e.into()),
        },
    }
}

//! A confirmation step before anything irreversible (注销, 撤销, 暂扣, 发布公告, 撤回, 补办 and
//! 重新制证): the first post of such a form answers with a page that names the person (or the
//! batch) and the effect, and repeats the form's fields; only the second post, carrying
//! `confirmed=1`, acts. It works without scripts, and the server decides, not the browser.

use super::{render, Ctx};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequest, Request};
use axum::response::Response;
use serde::de::DeserializeOwned;

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    ctx: Ctx,
    title: String,
    who: String,
    effect: String,
    action: String,
    back: String,
    fields: Vec<(String, String)>,
}

/// What the confirmation page says.
pub struct Ask<'a> {
    /// The action, as on the button: “注销注册”, “暂扣证书”…
    pub title: &'a str,
    /// Whom or what it concerns: “张伟（注册编号 皖…）”.
    pub who: String,
    /// What happens, in words the user understands.
    pub effect: String,
    /// Where the confirmed form goes, and where “back” leads.
    pub action: &'a str,
    pub back: &'a str,
}

/// A form that may need confirming: its typed fields, its raw fields (to repeat them), and
/// whether this post is the confirmed one.
pub struct Confirmable<T> {
    pub form: T,
    pub fields: Vec<(String, String)>,
    pub confirmed: bool,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Confirmable<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, 1024 * 1024).await.map_err(|_| incomplete())?;
        let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
        let confirmed = fields.iter().any(|(k, v)| k == "confirmed" && v == "1");
        let again = Request::from_parts(parts, axum::body::Body::from(bytes));
        let crate::extract::FormBody(form) = crate::extract::FormBody::<T>::from_request(again, state).await?;
        let fields = fields.into_iter().filter(|(k, _)| k != "csrf" && k != "confirmed").collect();
        Ok(Confirmable { form, fields, confirmed })
    }
}

fn incomplete() -> PageError {
    PageError(erjian_store::Error::Conflict("提交的表单内容不完整，请刷新页面后重新填写提交".into()))
}

/// The confirmation page for a form that was not yet confirmed.
pub fn ask<T>(state: &AppState, user: &PageUser, form: &Confirmable<T>, ask: Ask<'_>) -> Response {
    render(&ConfirmPage {
        ctx: Ctx::new(state, Some(user), format!("确认{}", ask.title), ""),
        title: ask.title.to_owned(),
        who: ask.who,
        effect: ask.effect,
        action: ask.action.to_owned(),
        back: ask.back.to_owned(),
        fields: form.fields.clone(),
    })
}

/// The registration a form names, when the caller may act on it (the enterprise its own people,
/// an authority its city's or the province's); `None` otherwise, so the confirmation page never
/// names someone the caller may not see (the action itself then answers "not found").
pub async fn registration_for(state: &AppState, user: &PageUser, number: &str) -> Option<erjian_store::registry::Registration> {
    use erjian_domain::workflow::Role;
    let reg = state.store.registration_by_number(number.trim()).await.ok()??;
    let may = match user.actor.role {
        Role::Enterprise => user.actor.enterprise_id == Some(reg.enterprise_id),
        Role::Individual => user.actor.person_id == Some(reg.person_id),
        _ => state.store.authority_covers(&user.actor, reg.enterprise_id).await.unwrap_or(false),
    };
    may.then_some(reg)
}

/// “张伟（注册编号 皖…，安徽建工集团股份有限公司）”.
pub fn person(reg: &erjian_store::registry::Registration) -> String {
    format!("{}（注册编号 {}，{}）", reg.person_name, reg.registration_number, reg.enterprise_name)
}

//! A page request that fails is answered inside the portal: the error page keeps the signed-in
//! user's header and menu, so a refusal never looks like being logged out. Error responses are
//! first rendered without a user (the error has no access to the session); the `in_portal`
//! layer re-renders them with the caller's session when there is one.

use super::{render_status, Ctx};
use crate::auth::{cookie, PageUser, SESSION_COOKIE};
use crate::AppState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: Ctx,
    message: String,
}

/// Marks a response as a failed page, with the message the server chose.
#[derive(Clone)]
struct Failure {
    status: StatusCode,
    message: String,
}

fn bare_ctx() -> Ctx {
    Ctx {
        title: "无法完成操作".into(),
        user: None,
        csrf: String::new(),
        province: "",
        system: "二级注册建造师注册管理系统",
        authority: "",
        nav: vec![],
        flash: None,
        unread: 0,
    }
}

/// The error page as rendered where no session is at hand.
pub fn page(status: StatusCode, message: &str) -> Response {
    let mut r = render_status(status, &ErrorPage { ctx: bare_ctx(), message: message.to_owned() });
    r.extensions_mut().insert(Failure { status, message: message.to_owned() });
    r
}

/// Re-renders a failed page with the caller's session (header, menu, logout).
pub async fn in_portal(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let token = cookie(req.headers(), SESSION_COOKIE);
    let response = next.run(req).await;
    let Some(failure) = response.extensions().get::<Failure>().cloned() else { return response };
    let Some(token) = token else { return response };
    let Ok(Some((actor, csrf))) = state.store.session(&token, state.clock.now()).await else { return response };
    let unread = crate::auth::unread(&state, &actor).await.unwrap_or(0);
    let user = PageUser { actor, csrf, token, unread };
    let ctx = Ctx::new(&state, Some(&user), "无法完成操作", "");
    let mut r = render_status(failure.status, &ErrorPage { ctx, message: failure.message.clone() });
    // Headers set on the original (e.g. cookies) are kept.
    for (k, v) in response.headers() {
        if k != axum::http::header::CONTENT_LENGTH && k != axum::http::header::CONTENT_TYPE {
            r.headers_mut().insert(k.clone(), v.clone());
        }
    }
    r
}

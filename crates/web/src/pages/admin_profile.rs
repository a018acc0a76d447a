//! `/admin/profile`: the administrator reads the province profile in force and edits it. A saved
//! profile is checked like a profile file, stays in the deployment's province and authority, is in
//! force from the next request, and is read again at every start.

use super::{render_status, Ctx};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::extract::FormBody;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use erjian_domain::province::ProvinceProfile;
use erjian_domain::workflow::Role;
use erjian_store::Error;

#[derive(Template)]
#[template(path = "admin_profile.html")]
struct ProfilePage {
    ctx: Ctx,
    running: ProvinceProfile,
    /// The text in the editor: what was typed (after an error), else the profile in force.
    text: String,
    error: Option<String>,
    saved_now: bool,
}

async fn show(
    state: &AppState,
    user: &PageUser,
    typed: Option<String>,
    error: Option<String>,
    saved_now: bool,
) -> Result<Response, PageError> {
    if user.actor.role != Role::Admin {
        return Err(Error::Forbidden.into());
    }
    let running = state.profile();
    let text = typed.unwrap_or_else(|| running.to_file_json());
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let ctx = Ctx::new(state, Some(user), "省份配置", "/admin/profile");
    Ok(render_status(status, &ProfilePage { ctx, running, text, error, saved_now }))
}

pub async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    show(&state, &user, None, None, false).await
}

#[derive(serde::Deserialize)]
pub struct ProfileForm {
    csrf: String,
    profile: String,
}

pub async fn save(State(state): State<AppState>, user: PageUser, FormBody(f): FormBody<ProfileForm>) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    match state.store.save_profile(&user.actor, &f.profile, &state.profile(), state.clock.now()).await {
        Ok(saved) => {
            state.apply_profile(saved);
            show(&state, &user, None, None, true).await
        }
        Err(Error::Invalid(errs)) => {
            let message = errs.into_iter().map(|e| e.message).collect::<Vec<_>>().join("；");
            show(&state, &user, Some(f.profile), Some(message), false).await
        }
        Err(Error::Conflict(m)) => show(&state, &user, Some(f.profile), Some(m), false).await,
        Err(e) => Err(e.into()),
    }
}

//! The individual's page for procedures on a registration besides renewal: add a specialty
//! (增项注册), change employer (变更执业企业) and change of name (变更个人信息, with ID card scans).
//! Each form creates and submits the application, which then waits for the applicant's signature.

use crate::auth::PageUser;
use crate::error::PageError;
use crate::pages::{render_status, Ctx};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use erjian_domain::workflow::Role;
use erjian_store::changes::PersonalChange;
use erjian_store::registry::Registration;
use erjian_store::Error;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/changes", get(page))
        .route("/changes/specialty", post(add_specialty))
        .route("/changes/employer", post(employer))
        .route("/changes/personal", post(personal))
}

#[derive(Template)]
#[template(path = "changes.html")]
struct ChangesPage {
    ctx: Ctx,
    registration: Option<Registration>,
    /// Specialties in the register that are not held: (code, name).
    addable: Vec<(String, &'static str)>,
    enterprises: Vec<String>,
    error: Option<String>,
    /// The province changes employer by cancellation and re-registration (甘肃).
    by_reregistration: bool,
    /// An expired specialty is added again with its hours (甘肃): the form asks for them.
    asks_hours: bool,
}

async fn show(state: &AppState, user: &PageUser, error: Option<String>) -> Result<Response, PageError> {
    let person = match (user.actor.role, user.actor.person_id) {
        (Role::Individual, Some(p)) => p,
        _ => return Err(Error::Forbidden.into()),
    };
    let (registration, _) = state.store.shown_registration(&user.actor, person).await?;
    let mut addable = Vec::new();
    if let Some(r) = &registration {
        let add_again = state.profile().expired_specialty_by_addition;
        let day = erjian_store::db::today(state.clock.now()).to_string();
        for q in state.store.qualifications_of(&r.id_number).await? {
            // Where an expired specialty is added again (甘肃), it is offered with its hours.
            let held = r
                .specialties
                .iter()
                .any(|s| s.status == "active" && s.specialty_code == q.specialty_code && !(add_again && s.valid_until < day));
            if q.profession == r.profession && !held {
                addable.push((q.specialty_code.clone(), erjian_domain::profession::specialty_name(&q.specialty_code)));
            }
        }
    }
    let enterprises = state.store.enterprises().await?.into_iter().filter(|e| e.status == "active").map(|e| e.name).collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let ctx = Ctx::new(state, Some(user), "变更与增项", "/changes");
    Ok(render_status(
        status,
        &ChangesPage {
            ctx,
            registration,
            addable,
            enterprises,
            error,
            by_reregistration: state.profile().employer_change_by_reregistration,
            asks_hours: state.profile().expired_specialty_by_addition,
        },
    ))
}

async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    show(&state, &user, None).await
}

/// Goes to the new application, or back to the page with the refusal.
async fn done(state: &AppState, user: &PageUser, result: Result<i64, Error>) -> Result<Response, PageError> {
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/applications/{id}?done=submit")).into_response()),
        Err(Error::Invalid(f)) => show(state, user, Some(f.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("；"))).await,
        Err(Error::Conflict(m)) => show(state, user, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}

async fn add_specialty(
    State(state): State<AppState>,
    user: PageUser,
    crate::extract::FormBody(form): crate::extract::FormBody<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let csrf = form.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.clone()).unwrap_or_default();
    user.check_csrf(&csrf)?;
    let chosen: Vec<String> = form.iter().filter(|(k, _)| k == "specialty").map(|(_, v)| v.clone()).collect();
    let number = |k: &str| form.iter().find(|(n, _)| n == k).and_then(|(_, v)| v.trim().parse::<i64>().ok()).unwrap_or(0);
    let hours = (number("ce_compulsory"), number("ce_elective"));
    let r = state.store.file_add_specialty_with_hours(&user.actor, &chosen, hours, true, state.clock.now()).await;
    done(&state, &user, r).await
}

#[derive(serde::Deserialize)]
struct EmployerForm {
    csrf: String,
    enterprise_name: String,
}

async fn employer(
    State(state): State<AppState>,
    user: PageUser,
    crate::extract::FormBody(f): crate::extract::FormBody<EmployerForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let r = state.store.file_employer_change(&user.actor, &f.enterprise_name, true, state.clock.now()).await;
    done(&state, &user, r).await
}

async fn personal(State(state): State<AppState>, user: PageUser, mut mp: Multipart) -> Result<Response, PageError> {
    let (mut csrf, mut name, mut id_number, mut front, mut back) = (String::new(), String::new(), String::new(), Vec::new(), Vec::new());
    let bad = |_| PageError(Error::Conflict("上传内容不完整，请重新选择文件".into()));
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("new_name") => name = field.text().await.map_err(bad)?,
            Some("new_id_number") => id_number = field.text().await.map_err(bad)?,
            Some("id_front") => front = field.bytes().await.map_err(bad)?.to_vec(),
            Some("id_back") => back = field.bytes().await.map_err(bad)?.to_vec(),
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    let change = PersonalChange { new_name: name, new_id_number: id_number, id_front: front, id_back: back };
    let r = state.store.file_personal_change(&user.actor, &change, true, state.clock.now()).await;
    done(&state, &user, r).await
}

//! The individual's initial-registration form: new, edit, save as draft or submit. The form is
//! multipart (it carries the 1-inch photo); errors come back next to their fields.

use super::{render_status, Ctx};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use erjian_domain::application::InitialForm;
use erjian_domain::validity::add_years;
use erjian_domain::workflow::Role;
use erjian_domain::FieldError;
use erjian_store::registry::Person;
use erjian_store::Error;

pub struct SpecChoice {
    pub code: String,
    pub name: &'static str,
    pub note: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage {
    ctx: Ctx,
    person: Person,
    form: InitialForm,
    errors: Vec<FieldError>,
    conflict: Option<String>,
    choices: Vec<SpecChoice>,
    enterprises: Vec<String>,
    ce_due: bool,
    edit_id: Option<i64>,
    has_photo: bool,
    /// The professions the applicant may apply for here (code, name): several only where the
    /// province registers more than the constructor and the person is qualified in them (上海).
    professions: Vec<(&'static str, &'static str)>,
}

/// What the multipart form carried.
struct Submitted {
    csrf: String,
    submit: bool,
    form: InitialForm,
    photo: Option<Vec<u8>>,
    /// Filled when an enterprise files for a person (湖南).
    applicant_name: String,
    applicant_id_number: String,
}

async fn read_multipart(mut mp: Multipart) -> Result<Submitted, PageError> {
    let mut s = Submitted {
        csrf: String::new(),
        submit: false,
        form: InitialForm::default(),
        photo: None,
        applicant_name: String::new(),
        applicant_id_number: String::new(),
    };
    let bad = |_| PageError(Error::invalid("photo", "上传内容不完整，请重新选择文件后提交"));
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            let bytes = field.bytes().await.map_err(bad)?;
            s.photo = (!bytes.is_empty()).then(|| bytes.to_vec());
            continue;
        }
        let text = field.text().await.map_err(bad)?;
        match name.as_str() {
            "csrf" => s.csrf = text,
            "intent" => s.submit = text == "submit",
            "enterprise_name" => s.form.enterprise_name = text,
            "profession" => s.form.profession = text,
            "mobile" => s.form.mobile = text,
            "specialties" => s.form.specialties.push(text),
            "ce_compulsory" => s.form.ce_compulsory = text.trim().parse().ok(),
            "ce_elective" => s.form.ce_elective = text.trim().parse().ok(),
            "declaration" => s.form.declaration = !text.is_empty(),
            "applicant_name" => s.applicant_name = text,
            "applicant_id_number" => s.applicant_id_number = text,
            _ => {}
        }
    }
    Ok(s)
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    user: &PageUser,
    form: InitialForm,
    errors: Vec<FieldError>,
    conflict: Option<String>,
    edit_id: Option<i64>,
    has_photo: bool,
    status: StatusCode,
) -> Result<Response, PageError> {
    let store = &state.store;
    let person = store.person(user.actor.person_id.unwrap_or(-1)).await?.ok_or(Error::NotFound("人员不存在"))?;
    let profile = state.profile();
    let all: Vec<_> = store.qualifications_of(&person.id_number).await?;
    let mut professions: Vec<(&'static str, &'static str)> = Vec::new();
    for q in &all {
        let p = erjian_domain::profession::profession(&q.profession).filter(|p| p.initial_registration && profile.registers(p.code));
        if let Some(p) = p.filter(|p| !professions.iter().any(|(c, _)| *c == p.code)) {
            professions.push((p.code, p.name));
        }
    }
    professions.sort_by_key(|(c, _)| erjian_domain::profession::PROFESSIONS.iter().position(|p| p.code == *c));
    let quals: Vec<_> = all.into_iter().filter(|q| q.profession == "constructor2").collect();
    let today = erjian_store::db::today(state.clock.now());
    let ce_due = quals.iter().any(|q| today > add_years(q.issue_date(), 3));
    let choices = quals
        .iter()
        .map(|q| SpecChoice {
            checked: form.specialties.contains(&q.specialty_code),
            name: q.specialty_name(),
            note: format!("资格证书 {}，{}年取得", q.certificate_no, q.pass_year),
            code: q.specialty_code.clone(),
        })
        .collect();
    let enterprises = store.enterprises().await?.into_iter().filter(|e| e.status == "active").map(|e| e.name).collect();
    let ctx = Ctx::new(state, Some(user), "初始注册申请", "/applications/new");
    Ok(render_status(
        status,
        &ApplyPage { ctx, person, form, errors, conflict, choices, enterprises, ce_due, edit_id, has_photo, professions },
    ))
}

fn individual_only(user: &PageUser) -> Result<(), PageError> {
    if user.actor.role == Role::Individual {
        Ok(())
    } else {
        Err(Error::Forbidden.into())
    }
}

pub async fn new_form(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    individual_only(&user)?;
    let person = state.store.person(user.actor.person_id.unwrap_or(-1)).await?.ok_or(Error::NotFound("人员不存在"))?;
    let form = InitialForm { mobile: person.mobile, declaration: false, ..Default::default() };
    page(&state, &user, form, vec![], None, None, false, StatusCode::OK).await
}

pub async fn edit_form(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>) -> Result<Response, PageError> {
    individual_only(&user)?;
    let a = state.store.application(&user.actor, id).await?.application;
    if !a.state().editable_in(a.order()) {
        return Err(Error::Conflict(format!("申请当前为“{}”，不能修改", a.state().label())).into());
    }
    // A renewal, an added specialty or a change is corrected in its own form.
    if !matches!(a.kind.as_str(), "initial" | "re_registration") {
        return Ok(axum::response::Redirect::to(&a.edit_href()).into_response());
    }
    let form = InitialForm {
        profession: a.profession.clone(),
        enterprise_name: a.enterprise_name.clone(),
        mobile: a.mobile.clone(),
        specialties: a.specialties.clone(),
        ce_compulsory: u32::try_from(a.ce_compulsory).ok(),
        ce_elective: u32::try_from(a.ce_elective).ok(),
        declaration: a.declaration == 1,
    };
    page(&state, &user, form, vec![], None, Some(id), a.photo_mime.is_some(), StatusCode::OK).await
}

async fn save(state: AppState, user: PageUser, id: Option<i64>, mp: Multipart) -> Result<Response, PageError> {
    individual_only(&user)?;
    let s = read_multipart(mp).await?;
    user.check_csrf(&s.csrf)?;
    let result = state.store.save_initial(&user.actor, id, &s.form, s.photo, s.submit, state.clock.now()).await;
    let has_photo = match id {
        Some(id) => state.store.application(&user.actor, id).await.map(|d| d.application.photo_mime.is_some()).unwrap_or(false),
        None => false,
    };
    match result {
        Ok(app_id) => {
            Ok(Redirect::to(&format!("/applications/{app_id}?done={}", if s.submit { "submit" } else { "saved" })).into_response())
        }
        Err(Error::Invalid(errors)) => page(&state, &user, s.form, errors, None, id, has_photo, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(Error::Conflict(m)) => page(&state, &user, s.form, vec![], Some(m), id, has_photo, StatusCode::CONFLICT).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn create(State(state): State<AppState>, user: PageUser, mp: Multipart) -> Result<Response, PageError> {
    save(state, user, None, mp).await
}

pub async fn update(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>, mp: Multipart) -> Result<Response, PageError> {
    save(state, user, Some(id), mp).await
}

/// The enterprise files an initial registration for a signed-up person (湖南, from its portal);
/// the application page then offers the seal, and the person signs after it.
pub async fn create_by_enterprise(State(state): State<AppState>, user: PageUser, mp: Multipart) -> Result<Response, PageError> {
    if user.actor.role != Role::Enterprise {
        return Err(Error::Forbidden.into());
    }
    let s = read_multipart(mp).await?;
    user.check_csrf(&s.csrf)?;
    let applicant = (s.applicant_id_number.as_str(), s.applicant_name.as_str());
    filed(state.store.save_initial_for(&user.actor, applicant, None, &s.form, s.photo, s.submit, state.clock.now()).await)
}

/// Where an enterprise's filing from its portal leads: the new application, or a page saying
/// why nothing was made (bad fields, or a conflict such as an open application).
pub(crate) fn filed(r: Result<i64, Error>) -> Result<Response, PageError> {
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/applications/{id}?done=submit")).into_response()),
        Err(Error::Invalid(errors)) => {
            let text: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
            Ok(super::error_page(StatusCode::UNPROCESSABLE_ENTITY, &format!("申请未生成：{}", text.join("；"))))
        }
        Err(Error::Conflict(m)) => Ok(super::error_page(StatusCode::CONFLICT, &m)),
        Err(e) => Err(e.into()),
    }
}

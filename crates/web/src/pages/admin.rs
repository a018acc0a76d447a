//! `/admin`: the imports of the qualification register and of the previous system's
//! registrations (admin and province authority) and, for the admin, authority accounts and the
//! recent audit log.

use super::{render_status, Ctx};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::extract::FormBody;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use erjian_domain::province::City;
use erjian_domain::qualification::{RowError, HEADERS_ZH};
use erjian_domain::workflow::Role;
use erjian_store::accounts::NewStaff;
use erjian_store::qualifications::ImportError;
use erjian_store::Error;

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    ctx: Ctx,
    is_admin: bool,
    headers: String,
    legacy_headers: String,
    /// Which import the outcome below belongs to: `qualifications` or `registrations`.
    target: &'static str,
    imported: Option<usize>,
    import_errors: Vec<RowError>,
    qualification_count: i64,
    account_message: Option<String>,
    cities: &'static [City],
    /// One page of accounts, in words; individuals' logins shown as the masked number.
    users: Vec<AccountRow>,
    /// The account list's search and role as asked, and the id after which the next page starts.
    accounts: AccountsQuery,
    next_accounts: Option<i64>,
    roles: Vec<(&'static str, &'static str)>,
    /// The demo gateway's newest messages (file, text); empty with a real gateway.
    outbox: Vec<(String, String)>,
}

fn may_import(user: &PageUser) -> Result<(), PageError> {
    match user.actor.role {
        Role::Admin | Role::ProvinceAuthority => Ok(()),
        _ => Err(Error::Forbidden.into()),
    }
}

struct AccountRow {
    login: String,
    name: String,
    role: &'static str,
    city: String,
    /// 动态口令 enabled.
    factor: &'static str,
    created: String,
}

/// The account list's search form: a login name, a name or a document number; a role; a page.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AccountsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    after: Option<i64>,
}

impl AccountsQuery {
    fn filter(&self) -> erjian_store::user_list::UserFilter {
        let q = self.q.trim();
        erjian_store::user_list::UserFilter {
            role: Role::parse(&self.role),
            search: (!q.is_empty() && q.chars().count() <= 60).then(|| q.to_owned()),
            after: self.after,
        }
    }
}

#[derive(Default)]
struct Outcome {
    accounts: AccountsQuery,
    target: &'static str,
    imported: Option<usize>,
    import_errors: Vec<RowError>,
    account_message: Option<String>,
}

async fn show(state: &AppState, user: &PageUser, o: Outcome, status: StatusCode) -> Result<Response, PageError> {
    let is_admin = user.actor.role == Role::Admin;
    let users = if is_admin { state.store.list_users(&o.accounts.filter()).await? } else { vec![] };
    let next_accounts = (users.len() as i64 == erjian_store::user_list::PAGE).then(|| users.last().map(|u| u.id)).flatten();
    let profile = state.profile();
    let users = users
        .into_iter()
        .map(|u| {
            let role = Role::parse(&u.role).map(Role::label).unwrap_or("其他");
            let city = u.city_code.as_deref().and_then(|c| profile.city(c)).map(|c| c.name.to_owned()).unwrap_or_default();
            let factor = if u.totp_enabled_at.is_some() { "已启用" } else { "" };
            AccountRow { login: u.login.clone(), name: u.name.clone(), role, city, factor, created: u.created_display() }
        })
        .collect();
    let ctx = Ctx::new(state, Some(user), if is_admin { "系统管理" } else { "资格库" }, "/admin");
    let page = AdminPage {
        ctx,
        is_admin,
        headers: HEADERS_ZH.join(","),
        legacy_headers: erjian_domain::legacy::HEADERS.join(","),
        target: o.target,
        imported: o.imported,
        import_errors: o.import_errors,
        qualification_count: state.store.count_qualifications().await?,
        account_message: o.account_message,
        cities: state.profile().cities,
        users,
        accounts: o.accounts,
        next_accounts,
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        outbox: match (&state.outbox, is_admin) {
            (Some(dir), true) => crate::sms::LogSms::outbox(dir, 20),
            _ => vec![],
        },
    };
    Ok(render_status(status, &page))
}

pub async fn page(
    State(state): State<AppState>,
    user: PageUser,
    axum::extract::Query(accounts): axum::extract::Query<AccountsQuery>,
) -> Result<Response, PageError> {
    may_import(&user)?;
    show(&state, &user, Outcome { accounts, ..Default::default() }, StatusCode::OK).await
}

pub async fn import(State(state): State<AppState>, user: PageUser, mut mp: Multipart) -> Result<Response, PageError> {
    may_import(&user)?;
    let (mut csrf, mut file, mut what) = (String::new(), Vec::new(), String::new());
    let bad = |_| PageError(Error::Conflict("上传内容不完整，请重新选择文件".into()));
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("file") => file = field.bytes().await.map_err(bad)?.to_vec(),
            Some("what") => what = field.text().await.map_err(bad)?,
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    let (target, result) = if what == "registrations" {
        ("registrations", state.store.import_registrations(Some(&user.actor), state.profile().code, &file, state.clock.now()).await)
    } else {
        ("qualifications", state.store.import_qualifications(Some(&user.actor), &file, state.clock.now()).await)
    };
    match result {
        Ok(n) => show(&state, &user, Outcome { target, imported: Some(n), ..Default::default() }, StatusCode::OK).await,
        Err(ImportError::Rows(rows)) => {
            show(&state, &user, Outcome { target, import_errors: rows, ..Default::default() }, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct AccountForm {
    csrf: String,
    username: String,
    display_name: String,
    role: String,
    city_code: Option<String>,
    password: String,
}

pub async fn create_account(
    State(state): State<AppState>,
    user: PageUser,
    FormBody(f): FormBody<AccountForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    if user.actor.role != Role::Admin {
        return Err(Error::Forbidden.into());
    }
    let role = match f.role.as_str() {
        "city" => Role::CityAuthority,
        "province" => Role::ProvinceAuthority,
        "security_admin" => Role::SecurityAdmin,
        "audit_admin" => Role::AuditAdmin,
        _ => return Err(Error::invalid("role", "请选择角色").into()),
    };
    let city = f.city_code.as_deref().filter(|c| state.profile().city(c).is_some());
    let message = match state
        .store
        .create_staff(
            Some(&user.actor),
            &NewStaff { username: &f.username, password: &f.password, role, name: f.display_name.trim(), city_code: city },
            state.clock.now(),
        )
        .await
    {
        Ok(_) => format!("已创建账号 {}", f.username.trim()),
        Err(Error::Invalid(errs)) => errs.into_iter().map(|e| e.message).collect::<Vec<_>>().join("；"),
        Err(Error::Conflict(m)) => m,
        Err(e) => return Err(e.into()),
    };
    show(&state, &user, Outcome { account_message: Some(message), ..Default::default() }, StatusCode::OK).await
}

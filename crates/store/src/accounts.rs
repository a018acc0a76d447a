//! Accounts, passwords (argon2id), login with lock-out, real-name sign-up and sessions.
//!
//! Sessions live in the database (only a SHA-256 of the cookie token is stored), so any erjian
//! process sharing the database can serve any user. Failed logins pause the failing address for
//! that account ([`crate::throttle`]), never the account itself.

use crate::audit::{self, Entry};
use crate::db::{is_unique_violation, ts};
use crate::error::{Error, Result};
use crate::throttle::{Attempt, Purpose};
use crate::{Actor, Store};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use chrono::{Datelike, NaiveDate};
use erjian_domain::documents::{DocumentKind, PersonId};
use erjian_domain::ids::{parse_mobile, Gender};
use erjian_domain::workflow::Role;
use erjian_domain::FieldError;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SESSION_HOURS: i64 = 12;

/// The one answer to a sign-up that cannot open an account, whatever the reason.
pub const SIGNUP_REFUSED: &str =
    "无法开户：请核对姓名与身份证号是否与资格证书一致；资格库中没有记录或该身份证号已开户的，均不能再开户（已开户请直接登录）";

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2id hashing cannot fail with default params").to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// At least 8 characters with both letters and digits.
pub fn check_password_policy(password: &str) -> Result<()> {
    let ok = password.chars().count() >= 8
        && password.chars().count() <= 64
        && password.chars().any(|c| c.is_ascii_alphabetic())
        && password.chars().any(|c| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("password", "密码应为8–64位，且同时包含字母和数字"))
    }
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    password_hash: String,
    role: String,
    display_name: String,
    person_id: Option<i64>,
    enterprise_id: Option<i64>,
    city_code: Option<String>,
}

impl UserRow {
    fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            username: self.username.clone(),
            name: self.display_name.clone(),
            role: Role::parse(&self.role).unwrap_or(Role::Individual),
            person_id: self.person_id,
            enterprise_id: self.enterprise_id,
            city_code: self.city_code.clone(),
            registration: None,
        }
    }
}

/// Individuals log in with their ID number and enterprises with their credit code, both in
/// upper case; anything else is taken as typed.
pub fn normalise_username(u: &str) -> String {
    let t = u.trim();
    if t.len() == 18 && t.chars().all(|c| c.is_ascii_alphanumeric()) {
        t.to_ascii_uppercase()
    } else {
        t.to_owned()
    }
}

/// What sign-up of an individual asks.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct IndividualSignup {
    /// 证件类型 ([`DocumentKind::code`]); empty means 居民身份证.
    #[serde(default)]
    pub id_type: String,
    pub name: String,
    pub id_number: String,
    pub mobile: String,
    #[serde(default)]
    pub password: String,
    /// The code texted to `mobile` ([`SIGNUP_PURPOSE`]).
    #[serde(default)]
    pub code: String,
    /// 男 or 女, for documents that do not carry it (通行证, 护照).
    #[serde(default)]
    pub gender: String,
    /// YYYY-MM-DD, for documents that do not carry it.
    #[serde(default)]
    pub birth_date: String,
}

/// What the codes of individual sign-up are for: each code is bound to one document number
/// (through its blind index: the number itself is not stored).
pub fn signup_purpose(sealer: &crate::sealing::Sealer, id: &PersonId) -> String {
    format!("signup:{}", sealer.id_key(id.as_str()))
}

/// Every failed code check of a sign-up gets this one answer: whether a code went to the typed
/// number (it does not when the document has an account) is nobody's business.
pub const SIGNUP_CODE_REFUSED: &str = "短信验证码不正确或已失效，请核对后重新输入或重新获取";

/// Who a sign-up code goes to: the typed number, or (when the document has an account already)
/// the account's registered number, told that someone tried.
pub struct SignupCode {
    pub mobile: String,
    pub has_account: bool,
    /// The code's purpose ([`signup_purpose`]).
    pub purpose: String,
}

impl IndividualSignup {
    fn kind(&self) -> std::result::Result<DocumentKind, FieldError> {
        match self.id_type.trim() {
            "" => Ok(DocumentKind::Resident),
            code => DocumentKind::parse_code(code).ok_or_else(|| FieldError::new("id_type", "请选择证件类型")),
        }
    }

    /// The document, the mobile and the name, each checked; every field's errors at once.
    fn identity(&self, errors: &mut Vec<FieldError>) -> Option<(PersonId, String)> {
        let id = match self.kind() {
            Ok(kind) => PersonId::parse(kind, &self.id_number).map_err(|m| errors.push(FieldError::new("id_number", m))).ok(),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let mobile = parse_mobile(&self.mobile).map_err(|m| errors.push(FieldError::new("mobile", m))).ok();
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "请输入姓名"));
        } else if let Err(m) = erjian_domain::text::within(&self.name, erjian_domain::text::PERSON_NAME_MAX, "姓名") {
            errors.push(FieldError::new("name", m));
        }
        Some((id?, mobile?))
    }

    /// Birth date and gender: from the number, or as stated for documents without them.
    fn birth_and_gender(&self, id: &PersonId, today: NaiveDate, errors: &mut Vec<FieldError>) -> Option<(NaiveDate, Gender)> {
        if let Some(b) = id.birth_and_gender() {
            return Some(b);
        }
        let gender = match self.gender.trim() {
            "男" => Some(Gender::Male),
            "女" => Some(Gender::Female),
            _ => {
                errors.push(FieldError::new("gender", "请选择性别"));
                None
            }
        };
        let birth = match NaiveDate::parse_from_str(self.birth_date.trim(), "%Y-%m-%d") {
            Ok(d) if d < today && d.year() >= today.year() - 100 => Some(d),
            _ => {
                errors.push(FieldError::new("birth_date", "请输入出生日期，格式如 1985-06-01"));
                None
            }
        };
        Some((birth?, gender?))
    }
}

/// An authority or admin account to create.
pub struct NewStaff<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub name: &'a str,
    pub city_code: Option<&'a str>,
}

impl Store {
    /// Where a sign-up code goes (see [`SignupCode`]); the caller texts it. Field errors when
    /// the document, the mobile or the name are malformed.
    pub async fn signup_code_target(&self, s: &IndividualSignup) -> Result<SignupCode> {
        let mut errors = Vec::new();
        let Some((id, mobile)) = s.identity(&mut errors).filter(|_| errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let registered: Option<(String,)> =
            sqlx::query_as("SELECT p.mobile FROM users u JOIN persons p ON p.id = u.person_id WHERE u.username = $1 AND p.mobile <> ''")
                .bind(self.sealer()?.person_login(id.as_str()))
                .fetch_optional(&self.pool)
                .await?;
        let purpose = signup_purpose(self.sealer()?, &id);
        Ok(match registered {
            Some((registered,)) => SignupCode { mobile: self.sealer()?.open_text(&registered)?, has_account: true, purpose },
            None => SignupCode { mobile, has_account: false, purpose },
        })
    }

    /// Real-name sign-up: the mobile proven by its code, the name and document number matching a
    /// qualification record (or an imported registration).
    pub async fn signup_individual(&self, s: &IndividualSignup, now: DateTime<Utc>) -> Result<Actor> {
        self.open_individual(s, true, now).await
    }

    /// Sign-up, with or without the mobile's code (the demo seed's people have no phone).
    pub(crate) async fn open_individual(&self, s: &IndividualSignup, prove_mobile: bool, now: DateTime<Utc>) -> Result<Actor> {
        let mut errors = Vec::new();
        let identity = s.identity(&mut errors);
        let born = identity.as_ref().and_then(|(id, _)| s.birth_and_gender(id, crate::db::today(now), &mut errors));
        if let Err(Error::Invalid(mut e)) = check_password_policy(&s.password) {
            errors.append(&mut e);
        }
        if prove_mobile && s.code.trim().is_empty() {
            errors.push(FieldError::new("code", "请输入短信验证码"));
        }
        let (Some((id, mobile)), Some((birth, gender)), true) = (identity, born, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        if id.resident().is_some_and(|r| r.as_str() == s.password.trim()) {
            return Err(Error::invalid("password", "密码不能与证件号码相同"));
        }
        if prove_mobile {
            self.check_code(&signup_purpose(self.sealer()?, &id), &mobile, s.code.trim(), now).await.map_err(|e| match e {
                Error::Invalid(_) => Error::invalid("code", SIGNUP_CODE_REFUSED),
                e => e,
            })?;
        }
        let name = s.name.trim();
        // The same work and the same answer whether the person is unknown, the name does not
        // match, or an account exists already: sign-up tells nobody which ID numbers have one.
        let hash = hash_password(&s.password);
        let refused = || Error::invalid("id_number", SIGNUP_REFUSED);
        // In the qualification register, or registered already (imported from the previous system:
        // paper-certificate holders and temporary constructors).
        let matched: Option<(String,)> = sqlx::query_as(
            "SELECT name FROM qualifications WHERE id_key = $1 AND name = $2
             UNION ALL SELECT p.name FROM persons p JOIN registrations r ON r.person_id = p.id WHERE p.id_key = $1 AND p.name = $2 LIMIT 1",
        )
        .bind(self.sealer()?.id_key(id.as_str()))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        if matched.is_none() {
            return Err(refused());
        }
        let sealed = self.sealer()?.seal_id(id.as_str());
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO persons (id_number, id_key, id_masked, id_type, name, gender, birth_date, mobile, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id_key) DO UPDATE SET mobile = EXCLUDED.mobile WHERE persons.mobile = ''")
            .bind(&sealed.sealed)
            .bind(&sealed.key)
            .bind(&sealed.masked)
            .bind(id.kind().code())
            .bind(name)
            .bind(gender.label())
            .bind(birth.to_string())
            .bind(self.sealer()?.seal_text(&mobile))
            .bind(ts(now))
            .execute(tx.conn())
            .await?;
        let (person_id,): (i64,) =
            sqlx::query_as("SELECT id FROM persons WHERE id_key = $1").bind(&sealed.key).fetch_one(tx.conn()).await?;
        let login = self.sealer()?.person_login(id.as_str());
        let user_id = insert_user(&mut tx, &login, &hash, Role::Individual, name, Some(person_id), None, None, now).await.map_err(|e| {
            if is_unique_violation(&e) {
                refused()
            } else {
                e.into()
            }
        })?;
        let actor = Actor {
            user_id,
            username: login,
            name: name.to_owned(),
            role: Role::Individual,
            person_id: Some(person_id),
            enterprise_id: None,
            city_code: None,
            registration: None,
        };
        audit::record(tx.conn(), now, Some(&actor), Entry::new("signup", "user", Some(user_id))).await?;
        tx.commit().await?;
        Ok(actor)
    }

    /// Creates an authority or admin account (by the admin, or by the demo seed).
    pub async fn create_staff(&self, by: Option<&Actor>, new: &NewStaff<'_>, now: DateTime<Utc>) -> Result<i64> {
        check_password_policy(new.password)?;
        if new.username.trim().len() < 3 {
            return Err(Error::invalid("username", "用户名至少3个字符"));
        }
        if new.username.contains(':') {
            return Err(Error::invalid("username", "用户名不能含冒号"));
        }
        if new.role == Role::CityAuthority && new.city_code.is_none() {
            return Err(Error::invalid("city_code", "市级主管部门账号须选择所属城市"));
        }
        let hash = hash_password(new.password);
        let mut tx = self.write().await?;
        let id = insert_user(&mut tx, new.username.trim(), &hash, new.role, new.name, None, None, new.city_code, now)
            .await
            .map_err(|e| unique_to(e, "用户名已存在"))?;
        audit::record(tx.conn(), now, by, Entry { detail: Some(new.role.label()), ..Entry::new("create_account", "user", Some(id)) })
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Checks a password from the command line or a test (address `local`).
    pub async fn login(&self, username: &str, password: &str, now: DateTime<Utc>) -> Result<Actor> {
        self.login_from(username, password, "local", now).await
    }

    /// Checks a password under the lock-out per account and address ([`crate::throttle`]).
    /// Unknown account, wrong password and paused address give the same error after the same work.
    pub async fn login_from(&self, username: &str, password: &str, address: &str, now: DateTime<Utc>) -> Result<Actor> {
        let username = self.account_name(username).await?;
        let row: Option<UserRow> =
            sqlx::query_as("SELECT * FROM users WHERE username = $1").bind(&username).fetch_optional(&self.pool).await?;
        let attempt = Attempt { username: &username, address, purpose: Purpose::Login };
        let actor = row.as_ref().map(UserRow::actor);
        let actor = match actor {
            Some(a) => Some(self.gate_enterprise(a).await?),
            None => None,
        };
        self.check_password(
            &attempt,
            actor.as_ref(),
            row.as_ref().map(|r| r.id),
            row.as_ref().map(|r| r.password_hash.as_str()),
            password,
            now,
        )
        .await?;
        let (Some(row), Some(actor)) = (row, actor) else { return Err(Error::BadCredentials) };
        let mut tx = self.write().await?;
        audit::record(
            tx.conn(),
            now,
            Some(&actor),
            Entry { detail: Some(&format!("来自 {address}")), ..Entry::new("login", "user", Some(row.id)) },
        )
        .await?;
        tx.commit().await?;
        Ok(actor)
    }

    /// The stored login name for what someone typed: a staff or enterprise account's name as it
    /// is, otherwise an individual's ([`crate::sealing::Sealer::person_login`]: the blind index of
    /// the document number, which is never stored). Lock-outs are kept under this name too, so
    /// no typed ID number is stored there either.
    pub async fn account_name(&self, typed: &str) -> Result<String> {
        let name = normalise_username(typed);
        if name.starts_with(crate::sealing::PERSON_LOGIN) {
            return Ok(name);
        }
        let staff: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM users WHERE username = $1").bind(&name).fetch_optional(&self.pool).await?;
        // Document numbers are stored in upper case (the X of an ID card, a passport's letter).
        Ok(if staff.is_some() { name } else { self.sealer()?.person_login(&name.to_ascii_uppercase()) })
    }

    /// Opens a session; returns (cookie token, CSRF token).
    pub async fn create_session(&self, user_id: i64, now: DateTime<Utc>) -> Result<(String, String)> {
        let (token, csrf) = (random_token(), random_token());
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash(&token))
            .bind(user_id)
            .bind(&csrf)
            .bind(ts(now))
            .bind(ts(now + Duration::hours(SESSION_HOURS)))
            .execute(&self.pool)
            .await?;
        Ok((token, csrf))
    }

    /// The session's user and CSRF token, if the session is live.
    pub async fn session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<(Actor, String)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            csrf_token: String,
            #[sqlx(flatten)]
            user: UserRow,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT s.csrf_token, u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.second_factor_pending = 0",
        )
        .bind(token_hash(token))
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some((self.gate_enterprise(r.user.actor()).await?, r.csrf_token))),
            None => Ok(None),
        }
    }

    /// The account `user_id` acts as.
    pub(crate) async fn actor_of(&self, user_id: i64) -> Result<Actor> {
        let row: UserRow = sqlx::query_as("SELECT * FROM users WHERE id = $1").bind(user_id).fetch_one(&self.pool).await?;
        self.gate_enterprise(row.actor()).await
    }

    /// An enterprise account whose enterprise is not approved (pending or refused) acts as no
    /// enterprise: nothing that needs one is possible.
    async fn gate_enterprise(&self, mut actor: Actor) -> Result<Actor> {
        if let (Role::Enterprise, Some(id)) = (actor.role, actor.enterprise_id) {
            let status: Option<(String,)> =
                sqlx::query_as("SELECT status FROM enterprises WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
            if status.is_none_or(|(s,)| s != "active") {
                actor.enterprise_id = None;
            }
        }
        Ok(actor)
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(token)).execute(&self.pool).await?;
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_user(
    tx: &mut crate::db::Tx,
    username: &str,
    hash: &str,
    role: Role,
    name: &str,
    person_id: Option<i64>,
    enterprise_id: Option<i64>,
    city_code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, password_hash, role, display_name, person_id, enterprise_id, city_code, failed_logins, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8) RETURNING id",
    )
    .bind(username)
    .bind(hash)
    .bind(role.code())
    .bind(name)
    .bind(person_id)
    .bind(enterprise_id)
    .bind(city_code)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// Maps a unique violation to a user-facing conflict; other errors pass through.
pub(crate) fn unique_to(e: sqlx::Error, message: &str) -> Error {
    if is_unique_violation(&e) {
        Error::Conflict(message.to_owned())
    } else {
        Error::Db(e)
    }
}

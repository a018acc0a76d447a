//! Password checks under lock-out, per account and address. Five failures from one address
//! pause that address's attempts on that account for 15 minutes; the owner elsewhere is not
//! affected, so nobody can lock another's account (an administrator's included). Every answer
//! that is not a success — unknown account, wrong password, paused — is the same error after the
//! same work (one argon2 verification), so none of them tells the others apart.

use crate::audit::{self, Entry};
use crate::db::{parse_ts, ts, Tx};
use crate::error::{Error, Result};
use crate::{Actor, Store};
use chrono::{DateTime, Duration, Utc};

/// Failures from one address before it is paused for that account.
pub const MAX_FAILURES: i64 = 5;
/// How long a pause lasts.
pub const PAUSE_MINUTES: i64 = 15;

/// What a password check is for (named in the audit log).
#[derive(Clone, Copy)]
pub enum Purpose {
    Login,
    SigningReset,
    ChangePassword,
}

impl Purpose {
    fn failed(self) -> &'static str {
        match self {
            Purpose::Login => "login_failed",
            Purpose::SigningReset => "signing_reset_password_failed",
            Purpose::ChangePassword => "change_password_failed",
        }
    }
}

/// One password check: which account (its login name), from which address.
pub struct Attempt<'a> {
    pub username: &'a str,
    pub address: &'a str,
    pub purpose: Purpose,
}

impl Store {
    /// Whether `password` opens the account `hash` belongs to, counted against the attempt's
    /// account and address. `hash` is `None` for an unknown account: the same work is done and
    /// the same error given. The failure and its audit row are written in their own
    /// transaction, so a failed attempt counts even though the caller's work is abandoned.
    pub(crate) async fn check_password(
        &self,
        attempt: &Attempt<'_>,
        who: Option<&Actor>,
        user_id: Option<i64>,
        hash: Option<&str>,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let row: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT failures, locked_until FROM login_throttle WHERE username = $1 AND address = $2")
                .bind(attempt.username)
                .bind(attempt.address)
                .fetch_optional(&self.pool)
                .await?;
        let paused = row.as_ref().and_then(|r| r.1.as_deref()).and_then(parse_ts).is_some_and(|until| until > now);
        let ok = match hash {
            Some(h) => crate::accounts::verify_password(password, h),
            None => {
                static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
                crate::accounts::verify_password(password, DUMMY.get_or_init(|| crate::accounts::hash_password("timing-equaliser-0")));
                false
            }
        };
        let mut tx = self.write().await?;
        if ok && !paused {
            sqlx::query("DELETE FROM login_throttle WHERE username = $1 AND address = $2")
                .bind(attempt.username)
                .bind(attempt.address)
                .execute(tx.conn())
                .await?;
            tx.commit().await?;
            return Ok(());
        }
        let failures = if paused { row.map(|r| r.0).unwrap_or(MAX_FAILURES) } else { count_failure(&mut tx, attempt, now).await? };
        if let Some(user_id) = user_id {
            let action = if paused || failures >= MAX_FAILURES { "login_paused" } else { attempt.purpose.failed() };
            let detail = format!("来自 {}，连续失败{failures}次", attempt.address);
            audit::record(tx.conn(), now, who, Entry { detail: Some(&detail), ..Entry::new(action, "user", Some(user_id)) }).await?;
        }
        tx.commit().await?;
        Err(Error::BadCredentials)
    }
}

async fn count_failure(tx: &mut Tx, attempt: &Attempt<'_>, now: DateTime<Utc>) -> Result<i64> {
    let (failures,): (i64,) = sqlx::query_as(
        "INSERT INTO login_throttle (username, address, failures, locked_until, updated_at) VALUES ($1, $2, 1, NULL, $3)
         ON CONFLICT (username, address) DO UPDATE SET failures = CASE WHEN login_throttle.locked_until IS NULL THEN login_throttle.failures + 1 ELSE 1 END,
           locked_until = NULL, updated_at = $3
         RETURNING failures",
    )
    .bind(attempt.username)
    .bind(attempt.address)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await?;
    if failures >= MAX_FAILURES {
        sqlx::query("UPDATE login_throttle SET locked_until = $3 WHERE username = $1 AND address = $2")
            .bind(attempt.username)
            .bind(attempt.address)
            .bind(ts(now + Duration::minutes(PAUSE_MINUTES)))
            .execute(tx.conn())
            .await?;
    }
    Ok(failures)
}

/// One paused (account, address) pair, for the security administrator.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct Paused {
    /// As stored (an individual's is the blind index of the number): what unlocking names.
    pub username: String,
    pub address: String,
    pub failures: i64,
    pub locked_until: Option<String>,
    /// An individual's name and masked number, when the account exists.
    pub person_name: Option<String>,
    pub person_masked: Option<String>,
}

impl Paused {
    /// The account as the security administrator reads it (never an individual's number whole).
    pub fn shown(&self) -> String {
        match (&self.person_name, &self.person_masked) {
            (Some(name), Some(masked)) => format!("{name}（{masked}）"),
            _ if self.username.starts_with(crate::sealing::PERSON_LOGIN) => "未开户的证件号码".into(),
            _ => self.username.clone(),
        }
    }

    pub fn until_display(&self) -> String {
        self.locked_until.as_deref().map(crate::db::show_ts).unwrap_or_default()
    }
}

impl Store {
    /// The pairs paused now or counting failures.
    pub async fn paused_logins(&self) -> Result<Vec<Paused>> {
        Ok(sqlx::query_as(
            "SELECT t.username, t.address, t.failures, t.locked_until, p.name AS person_name, p.id_masked AS person_masked
             FROM login_throttle t LEFT JOIN users u ON u.username = t.username LEFT JOIN persons p ON p.id = u.person_id
             ORDER BY t.updated_at DESC LIMIT 500",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Lifts every pause on an account (the security administrator only), audited.
    pub async fn unlock_login(&self, actor: &Actor, username: &str, now: DateTime<Utc>) -> Result<u64> {
        if actor.role != erjian_domain::workflow::Role::SecurityAdmin {
            return Err(Error::Forbidden);
        }
        let username = &self.account_name(username).await?;
        let mut tx = self.write().await?;
        let done = sqlx::query("DELETE FROM login_throttle WHERE username = $1").bind(username).execute(tx.conn()).await?;
        let detail = format!("解除 {} 的登录暂停（{} 个地址）", username.trim(), done.rows_affected());
        audit::record(tx.conn(), now, Some(actor), Entry { detail: Some(&detail), ..Entry::new("unlock_login", "user", None) }).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}

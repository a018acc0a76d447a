//! A signed-in user's own account: changing the password (the current one proven under the
//! lock-out, the new one checked against the rules, every other session ended) and the sessions
//! open in the user's name, each revocable.

use crate::audit::{self, Entry};
use crate::db::{show_ts, ts};
use crate::error::{Error, Result};
use crate::throttle::{Attempt, Purpose};
use crate::{Actor, Store};
use chrono::{DateTime, Utc};

/// One open session, as its owner sees it (never the token).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SessionView {
    /// The first characters of the token's hash: enough to name it, useless to use it.
    pub id: String,
    pub created: String,
    pub expires: String,
    /// The session this request came with.
    pub current: bool,
}

fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

impl Store {
    /// Changes the caller's password: the current one is checked (paused like a login after five
    /// failures from one address), the new one follows the rules and is neither the login name
    /// (an ID number for individuals) nor the signing PIN; every other session ends.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current_token: &str,
        old: &str,
        new: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (hash,): (String,) =
            sqlx::query_as("SELECT password_hash FROM users WHERE id = $1").bind(actor.user_id).fetch_one(&self.pool).await?;
        let attempt = Attempt { username: &actor.username, address, purpose: Purpose::ChangePassword };
        self.check_password(&attempt, Some(actor), Some(actor.user_id), Some(&hash), old, now)
            .await
            .map_err(|_| Error::invalid("old_password", "当前密码不正确（同一地址连续错误5次将暂停15分钟）"))?;
        crate::accounts::check_password_policy(new)
            .map_err(|_| Error::invalid("new_password", "新密码应为8–64位，且同时包含字母和数字"))?;
        let lowered = new.to_lowercase();
        // An individual's login name is the document number (stored only sealed).
        let login = match actor.person_id {
            Some(person) => {
                let (sealed,): (String,) =
                    sqlx::query_as("SELECT id_number FROM persons WHERE id = $1").bind(person).fetch_one(&self.pool).await?;
                self.sealer()?.open_text(&sealed)?
            }
            None => actor.username.clone(),
        };
        if lowered.contains(&login.to_lowercase()) || (login.len() >= 6 && lowered.contains(&login[login.len() - 6..].to_lowercase())) {
            return Err(Error::invalid("new_password", "新密码不能包含登录名或身份证号"));
        }
        if new == old {
            return Err(Error::invalid("new_password", "新密码不能与当前密码相同"));
        }
        if self.is_signing_pin(actor, new).await? {
            return Err(Error::invalid("new_password", "登录密码不能与签名密码相同"));
        }
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(actor.user_id)
            .bind(crate::accounts::hash_password(new))
            .execute(tx.conn())
            .await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(actor.user_id)
            .bind(crate::accounts::token_hash(current_token))
            .execute(tx.conn())
            .await?;
        let detail = format!("其他 {} 个会话已退出", ended.rows_affected());
        audit::record(
            tx.conn(),
            now,
            Some(actor),
            Entry { detail: Some(&detail), ..Entry::new("change_password", "user", Some(actor.user_id)) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller's open sessions, newest first.
    pub async fn sessions_of(&self, actor: &Actor, current_token: &str, now: DateTime<Utc>) -> Result<Vec<SessionView>> {
        let current = crate::accounts::token_hash(current_token);
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT token_hash, created_at, expires_at FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
        )
        .bind(actor.user_id)
        .bind(ts(now))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(h, c, e)| SessionView { id: short(&h), created: show_ts(&c), expires: show_ts(&e), current: h == current })
            .collect())
    }

    /// Ends one of the caller's own sessions (named by its short id); audited.
    pub async fn revoke_session(&self, actor: &Actor, id: &str, now: DateTime<Utc>) -> Result<()> {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::NotFound("会话不存在"));
        }
        let mut tx = self.write().await?;
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash LIKE $2")
            .bind(actor.user_id)
            .bind(format!("{id}%"))
            .execute(tx.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound("会话不存在"));
        }
        audit::record(
            tx.conn(),
            now,
            Some(actor),
            Entry { detail: Some(&format!("会话 {id}")), ..Entry::new("revoke_session", "user", Some(actor.user_id)) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The purpose of a password-reset code.
pub const RESET_PURPOSE: &str = "reset_password";

impl Store {
    /// The mobile registered for `username` (individuals: the person's), to send a reset code
    /// to; `None` for an unknown account or one without a mobile — the caller answers both the
    /// same way, so the request does not tell whether an account exists.
    pub async fn reset_mobile(&self, username: &str) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT p.mobile FROM users u JOIN persons p ON p.id = u.person_id WHERE u.username = $1 AND p.mobile <> ''")
                .bind(self.account_name(username).await?)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| self.sealer()?.open_text(&r.0)).transpose()
    }

    /// Sets a new password with the code sent to the account's mobile; every session ends.
    pub async fn reset_password_with_code(&self, typed: &str, code: &str, new: &str, now: DateTime<Utc>) -> Result<()> {
        let typed = crate::accounts::normalise_username(typed);
        let username = self.account_name(&typed).await?;
        let Some(mobile) = self.reset_mobile(&username).await? else {
            return Err(Error::invalid("code", "验证码不正确或已失效，请重新获取"));
        };
        // The new password first, so a rejected one does not use up the code.
        crate::accounts::check_password_policy(new)
            .map_err(|_| Error::invalid("new_password", "新密码应为8–64位，且同时包含字母和数字"))?;
        if new.to_lowercase().contains(&typed.to_lowercase()) {
            return Err(Error::invalid("new_password", "新密码不能包含登录名或身份证号"));
        }
        self.check_code(RESET_PURPOSE, &mobile, code, now).await?;
        let (user_id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = $1").bind(&username).fetch_one(&self.pool).await?;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user_id)
            .bind(crate::accounts::hash_password(new))
            .execute(tx.conn())
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?;
        sqlx::query("DELETE FROM login_throttle WHERE username = $1").bind(&username).execute(tx.conn()).await?;
        audit::record(
            tx.conn(),
            now,
            None,
            Entry {
                detail: Some("短信验证码重置密码，全部会话已退出"), ..Entry::new("reset_password", "user", Some(user_id))
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

//! A second factor for authority and administrator accounts: time-based one-time passwords
//! (TOTP, RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one step of drift either way), as
//! any authenticator app computes them. Optional for each such account, required for all of
//! them when the province profile says so (`staff_second_factor`).
//!
//! A password alone then opens only a *pending* session ([`Store::session`] ignores it): it may
//! enrol (when no factor is set up yet) and present a code, five tries, nothing else. A code is
//! accepted once (the last used step is kept).

use crate::accounts::token_hash;
use crate::audit::{self, Entry};
use crate::db::ts;
use crate::error::{Error, Result};
use crate::{Actor, Store};
use chrono::{DateTime, Utc};
use erjian_domain::workflow::Role;
use hmac::{Hmac, Mac};
use rand::RngCore;

pub const STEP_SECONDS: i64 = 30;
const MAX_TRIES: i64 = 5;
const ISSUER: &str = "erjian";

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn unbase32(s: &str) -> Option<Vec<u8>> {
    let (mut buffer, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// The 6-digit code of `secret` at time step `step` (RFC 4226 dynamic truncation).
pub fn code_at(secret: &[u8], step: u64) -> String {
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let n = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    format!("{:06}", n % 1_000_000)
}

/// The time step of `now`.
pub fn step_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(STEP_SECONDS)
}

/// The code an authenticator shows at `now` for a base32 secret (for tests and the demo).
pub fn code_now(secret_base32: &str, now: DateTime<Utc>) -> Option<String> {
    Some(code_at(&unbase32(secret_base32)?, step_of(now) as u64))
}

/// Accounts that may (and under the profile's rule must) use a second factor.
pub fn is_staff(role: Role) -> bool {
    matches!(role, Role::CityAuthority | Role::ProvinceAuthority | Role::Admin | Role::SecurityAdmin | Role::AuditAdmin)
}

/// What a pending session must do next.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub enum Pending {
    /// Present a code from the enrolled authenticator.
    Code,
    /// Set up an authenticator with this secret, then present a code from it.
    Enrol { secret: String, uri: String },
}

/// Whether an account has a confirmed factor: (secret, enabled, last step).
type FactorRow = (Option<String>, Option<String>, i64);

impl Store {
    /// Whether logging in as `actor` needs a second factor: a staff account with one enrolled, or
    /// any staff account under the profile's rule.
    pub async fn needs_second_factor(&self, actor: &Actor) -> Result<bool> {
        if !is_staff(actor.role) {
            return Ok(false);
        }
        if self.rules().staff_second_factor {
            return Ok(true);
        }
        // Enrolled, or enrolment asked for by the account itself.
        let (secret, _, _): FactorRow = self.factor_row(actor.user_id).await?;
        Ok(secret.is_some())
    }

    async fn factor_row(&self, user_id: i64) -> Result<FactorRow> {
        Ok(sqlx::query_as("SELECT totp_secret, totp_enabled_at, totp_last_step FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?)
    }

    /// A session that waits for the second factor; returns its token.
    pub async fn create_pending_session(&self, user_id: i64, now: DateTime<Utc>) -> Result<String> {
        let (token, _) = self.create_session(user_id, now).await?;
        sqlx::query("UPDATE sessions SET second_factor_pending = 1, expires_at = $2 WHERE token_hash = $1")
            .bind(token_hash(&token))
            .bind(ts(now + chrono::Duration::minutes(10)))
            .execute(&self.pool)
            .await?;
        Ok(token)
    }

    /// The account behind a pending session, its CSRF token, and what it must do (a new secret is
    /// made for an account without a confirmed one).
    pub async fn pending_session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<(Actor, String, Pending)>> {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT s.user_id, s.csrf_token, u.username FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.second_factor_pending = 1",
        )
        .bind(token_hash(token))
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await?;
        let Some((user_id, csrf, username)) = row else { return Ok(None) };
        let actor = self.actor_of(user_id).await?;
        let (secret, enabled, _) = self.factor_row(user_id).await?;
        let pending = match (secret, enabled) {
            (Some(_), Some(_)) => Pending::Code,
            (secret, _) => {
                let secret = match secret {
                    Some(s) => s,
                    None => self.new_secret(user_id).await?,
                };
                Pending::Enrol { uri: otpauth_uri(&username, &secret), secret }
            }
        };
        Ok(Some((actor, csrf, pending)))
    }

    async fn new_secret(&self, user_id: i64) -> Result<String> {
        let mut raw = [0u8; 20];
        rand::thread_rng().fill_bytes(&mut raw);
        let secret = base32(&raw);
        sqlx::query("UPDATE users SET totp_secret = $2, totp_enabled_at = NULL WHERE id = $1")
            .bind(user_id)
            .bind(&secret)
            .execute(&self.pool)
            .await?;
        Ok(secret)
    }

    /// Checks a code for a pending session: right, it becomes a full session (and an enrolment is
    /// confirmed); wrong, it counts, and the fifth wrong one ends the session. Audited.
    pub async fn complete_second_factor(&self, token: &str, code: &str, now: DateTime<Utc>) -> Result<Actor> {
        let Some((actor, _, _)) = self.pending_session(token, now).await? else {
            return Err(Error::Conflict("登录已过期，请重新输入用户名和密码".into()));
        };
        let mut tx = self.write().await?;
        let (secret, enabled, last): FactorRow =
            sqlx::query_as("SELECT totp_secret, totp_enabled_at, totp_last_step FROM users WHERE id = $1")
                .bind(actor.user_id)
                .fetch_one(tx.conn())
                .await?;
        let key = secret.as_deref().and_then(unbase32).ok_or_else(|| Error::Other(anyhow::anyhow!("no second-factor secret")))?;
        let now_step = step_of(now);
        let matched = (now_step - 1..=now_step + 1).find(|&s| s > last && code_at(&key, s as u64) == code.trim());
        let Some(step) = matched else {
            let (tries,): (i64,) =
                sqlx::query_as("UPDATE sessions SET factor_tries = factor_tries + 1 WHERE token_hash = $1 RETURNING factor_tries")
                    .bind(token_hash(token))
                    .fetch_one(tx.conn())
                    .await?;
            audit::record(
                tx.conn(),
                now,
                Some(&actor),
                Entry { detail: Some("动态口令错误"), ..Entry::new("second_factor_failed", "user", Some(actor.user_id)) },
            )
            .await?;
            if tries >= MAX_TRIES {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(token)).execute(tx.conn()).await?;
                tx.commit().await?;
                return Err(Error::Conflict("动态口令错误次数过多，请重新登录".into()));
            }
            tx.commit().await?;
            return Err(Error::invalid("code", format!("动态口令不正确（还可再试{}次）", MAX_TRIES - tries)));
        };
        sqlx::query("UPDATE users SET totp_last_step = $2, totp_enabled_at = COALESCE(totp_enabled_at, $3) WHERE id = $1")
            .bind(actor.user_id)
            .bind(step)
            .bind(ts(now))
            .execute(tx.conn())
            .await?;
        sqlx::query("UPDATE sessions SET second_factor_pending = 0, expires_at = $2 WHERE token_hash = $1")
            .bind(token_hash(token))
            .bind(ts(now + chrono::Duration::hours(crate::accounts::SESSION_HOURS)))
            .execute(tx.conn())
            .await?;
        let what = if enabled.is_none() { "second_factor_enrolled" } else { "second_factor_passed" };
        audit::record(tx.conn(), now, Some(&actor), Entry::new(what, "user", Some(actor.user_id))).await?;
        tx.commit().await?;
        Ok(actor)
    }

    /// A staff account asks for a second factor: its current session waits for the enrolment
    /// (the caller sends it to the second step).
    pub async fn begin_second_factor(&self, actor: &Actor, token: &str) -> Result<()> {
        if !is_staff(actor.role) {
            return Err(Error::Forbidden);
        }
        if self.factor_row(actor.user_id).await?.1.is_some() {
            return Err(Error::Conflict("本账号已启用动态口令".into()));
        }
        self.new_secret(actor.user_id).await?;
        sqlx::query("UPDATE sessions SET second_factor_pending = 1 WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The security administrator clears a staff account's second factor (a lost phone): it
    /// enrols again at its next login. Audited; `false` when no such staff account has one.
    pub async fn reset_second_factor(&self, by: &Actor, username: &str, now: DateTime<Utc>) -> Result<bool> {
        if by.role != Role::SecurityAdmin {
            return Err(Error::Forbidden);
        }
        let mut tx = self.write().await?;
        let row: Option<(i64, String)> = sqlx::query_as("SELECT id, role FROM users WHERE username = $1 AND totp_secret IS NOT NULL")
            .bind(username.trim())
            .fetch_optional(tx.conn())
            .await?;
        let Some((id, _)) = row.filter(|(_, role)| Role::parse(role).is_some_and(is_staff)) else {
            return Ok(false);
        };
        sqlx::query("UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL WHERE id = $1").bind(id).execute(tx.conn()).await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(tx.conn()).await?;
        audit::record(tx.conn(), now, Some(by), Entry::new("reset_second_factor", "user", Some(id))).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Whether `actor` has a confirmed second factor.
    pub async fn has_second_factor(&self, actor: &Actor) -> Result<bool> {
        Ok(self.factor_row(actor.user_id).await?.1.is_some())
    }
}

/// The address authenticator apps read from a QR code.
pub fn otpauth_uri(username: &str, secret: &str) -> String {
    let enc = |s: &str| {
        s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect::<String>()
    };
    format!("otpauth://totp/{ISSUER}:{}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits=6&period={STEP_SECONDS}", enc(username))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B (SHA-1 key "12345678901234567890"), last six of the eight digits.
    #[test]
    fn rfc6238_vectors() {
        let key = b"12345678901234567890";
        for (t, want) in [(59u64, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924"), (2000000000, "279037")]
        {
            assert_eq!(code_at(key, t / 30), want, "T = {t}");
        }
    }

    #[test]
    fn base32_round_trip() {
        // RFC 4648 §10 test vector (unpadded).
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(unbase32("MZXW6YTBOI").unwrap(), b"foobar");
        assert_eq!(unbase32("mzxw"), None);
    }
}

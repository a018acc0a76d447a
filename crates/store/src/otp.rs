//! SMS one-time codes: six digits, valid five minutes, five tries, used once; at most one a
//! minute and ten a day to a number, twenty an hour from an address. Only SHA-256 of the code
//! (with its purpose and number) is stored. Sending is the web layer's (`web::sms`).

use crate::db::{parse_ts, ts};
use crate::error::{Error, Result};
use crate::Store;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};

pub const CODE_MINUTES: i64 = 5;
pub const MAX_TRIES: i64 = 5;
const PER_NUMBER_DAY: i64 = 10;
const PER_ADDRESS_HOUR: i64 = 20;

fn code_hash(purpose: &str, target: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{purpose}\n{target}\n{code}").as_bytes()))
}

impl Store {
    /// Makes a code for `purpose` to `target` (a mobile number) asked from `address`, within the
    /// limits; returns the code for the caller to send.
    pub async fn issue_code(&self, purpose: &str, target: &str, address: &str, now: DateTime<Utc>) -> Result<String> {
        // The number itself is not kept: its blind index counts and finds the codes.
        let target = &self.sealer()?.index(target);
        let mut tx = self.write().await?;
        let (last_minute, last_day): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN created_at > $3 THEN 1 ELSE 0 END), 0), COUNT(*) FROM one_time_codes WHERE target = $1 AND created_at > $2",
        )
        .bind(target)
        .bind(ts(now - Duration::days(1)))
        .bind(ts(now - Duration::seconds(60)))
        .fetch_one(tx.conn())
        .await?;
        if last_minute > 0 {
            return Err(Error::Conflict("验证码已发送，请1分钟后再获取".into()));
        }
        if last_day >= PER_NUMBER_DAY {
            return Err(Error::Conflict("该手机号今日获取验证码次数已达上限，请明天再试".into()));
        }
        let (from_address,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM one_time_codes WHERE address = $1 AND created_at > $2")
            .bind(address)
            .bind(ts(now - Duration::hours(1)))
            .fetch_one(tx.conn())
            .await?;
        if from_address >= PER_ADDRESS_HOUR {
            return Err(Error::Conflict("获取验证码过于频繁，请1小时后再试".into()));
        }
        let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
        sqlx::query(
            "INSERT INTO one_time_codes (purpose, target, address, code_hash, tries, expires_at, created_at) VALUES ($1, $2, $3, $4, 0, $5, $6)",
        )
        .bind(purpose)
        .bind(target)
        .bind(address)
        .bind(code_hash(purpose, target, &code))
        .bind(ts(now + Duration::minutes(CODE_MINUTES)))
        .bind(ts(now))
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(code)
    }

    /// Checks a code against the newest one for `purpose` and `target`: wrong answers count (five
    /// end it), an expired or used code is refused, a right one is used up. Errors name the field
    /// `code`.
    pub async fn check_code(&self, purpose: &str, target: &str, code: &str, now: DateTime<Utc>) -> Result<()> {
        let target = &self.sealer()?.index(target);
        let bad = |m: &str| Err(Error::invalid("code", m));
        let mut tx = self.write().await?;
        let row: Option<(i64, String, i64, String, Option<String>)> = sqlx::query_as(
            "SELECT id, code_hash, tries, expires_at, used_at FROM one_time_codes WHERE purpose = $1 AND target = $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(purpose)
        .bind(target)
        .fetch_optional(tx.conn())
        .await?;
        let Some((id, hash, tries, expires, used)) = row else { return bad("请先获取短信验证码") };
        if used.is_some() {
            return bad("验证码已使用，请重新获取");
        }
        if tries >= MAX_TRIES {
            return bad("验证码错误次数过多，请重新获取");
        }
        if parse_ts(&expires).is_none_or(|e| e <= now) {
            return bad("验证码已过期（5分钟内有效），请重新获取");
        }
        if code_hash(purpose, target, code.trim()) != hash {
            sqlx::query("UPDATE one_time_codes SET tries = tries + 1 WHERE id = $1").bind(id).execute(tx.conn()).await?;
            tx.commit().await?;
            return bad(&format!("验证码不正确（还可再试{}次）", (MAX_TRIES - tries - 1).max(0)));
        }
        sqlx::query("UPDATE one_time_codes SET used_at = $2 WHERE id = $1").bind(id).bind(ts(now)).execute(tx.conn()).await?;
        tx.commit().await?;
        Ok(())
    }
}

//! Usage copies (使用件, Shanghai): the holder makes a sealed copy of the current certificate for
//! one stated purpose and a chosen number of days (at most the profile's limit, never beyond the
//! certificate's validity). The copy carries its own QR code; verifying it shows the copy's
//! period and the live status of the certificate behind it, so an expired copy or a superseded
//! certificate is never shown as valid.

use crate::audit::{self, Entry};
use crate::certificates::Issuer;
use crate::db::{today, ts};
use crate::error::{Error, Result};
use crate::lifecycle::record_event;
use crate::{Actor, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use erjian_cert::face::UsageCopyMark;
use erjian_domain::workflow::Role;

/// A usage copy as listed and verified.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct UsageCopy {
    pub token: String,
    pub certificate_id: i64,
    pub licence_id: String,
    pub purpose: String,
    pub valid_until: String,
    pub created_at: String,
}

impl UsageCopy {
    /// When it was made, in Beijing time.
    pub fn created_display(&self) -> String {
        crate::db::show_ts(&self.created_at)
    }

    /// Whether the copy's own period has ended on `day`.
    pub fn expired_on(&self, day: NaiveDate) -> bool {
        self.valid_until.as_str() < day.to_string().as_str()
    }
}

const COPY_SELECT: &str = "SELECT u.token, u.certificate_id, c.licence_id, u.purpose, u.valid_until, u.created_at
    FROM usage_copies u JOIN certificates c ON c.id = u.certificate_id";

impl Store {
    /// Makes a usage copy of the holder's valid certificate; returns it.
    pub async fn make_usage_copy(&self, actor: &Actor, issuer: &Issuer, purpose: &str, days: u32, now: DateTime<Utc>) -> Result<UsageCopy> {
        let max = issuer.profile.usage_copy_max_days.ok_or_else(|| Error::Conflict(format!("{}未开展使用件业务", issuer.profile.name)))?;
        let purpose = purpose.trim();
        let mut errors = Vec::new();
        if !(2..=50).contains(&purpose.chars().count()) {
            errors.push(erjian_domain::FieldError::new("purpose", "请填写使用用途（2–50个字），如“某某项目投标”"));
        }
        if !(1..=max).contains(&days) {
            errors.push(erjian_domain::FieldError::new("days", format!("使用期限应为1–{max}天")));
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let (_, reg) = self.own_registration_to_issue(actor, "您没有有效的注册，不能生成使用件").await?;
        let cert = self
            .certificates_of_registration(reg.id)
            .await?
            .into_iter()
            .find(|c| c.status == "valid")
            .ok_or_else(|| Error::Conflict("没有有效的电子证书，不能生成使用件".into()))?;
        let day = today(now);
        let parse = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let reg_until = reg.specialties.iter().filter(|s| s.status == "active").filter_map(|s| parse(&s.valid_until)).max();
        let limits = [Some(day + Duration::days(i64::from(days) - 1)), reg_until, cert.use_until.as_deref().and_then(parse)];
        let until = limits.into_iter().flatten().min().unwrap_or(day);
        if until < day {
            return Err(Error::Conflict("证书已过有效期，不能生成使用件".into()));
        }
        let token = hex::encode(rand::random::<[u8; 16]>());
        let mut face = self.certificate_face(cert.id).await?;
        face.usage_copy = Some(UsageCopyMark { purpose: purpose.to_owned(), valid_until: until });
        face.verify_url = format!("{}/verify/copy/{token}", issuer.public_url.trim_end_matches('/'));
        let ofd = issuer.authority.issue(&face, now).map_err(|e| Error::Other(anyhow::anyhow!("sealing the usage copy failed: {e}")))?;
        let mut tx = self.write().await?;
        crate::holds::ensure_may_issue(tx.conn(), reg.id).await?;
        sqlx::query(
            "INSERT INTO usage_copies (token, certificate_id, purpose, valid_until, ofd, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&token)
        .bind(cert.id)
        .bind(purpose)
        .bind(until.to_string())
        .bind(issuer.sealer.seal(&ofd))
        .bind(ts(now))
        .execute(tx.conn())
        .await?;
        let detail = format!("生成使用件：用途 {purpose}，有效期至 {until}");
        record_event(&mut tx, reg.id, "usage_copy", "", Some(&detail), Some(cert.id), now).await?;
        audit::record(
            tx.conn(),
            now,
            Some(actor),
            Entry { detail: Some(&detail), ..Entry::new("usage_copy", "certificate", Some(cert.id)) },
        )
        .await?;
        tx.commit().await?;
        self.usage_copy(&token).await?.ok_or(Error::NotFound("使用件不存在"))
    }

    /// A usage copy by its token (public: the token is the copy's verification key).
    pub async fn usage_copy(&self, token: &str) -> Result<Option<UsageCopy>> {
        Ok(sqlx::query_as(&format!("{COPY_SELECT} WHERE u.token = $1")).bind(token).fetch_optional(&self.pool).await?)
    }

    /// The signed-in holder's usage copies, newest first.
    pub async fn usage_copies_of(&self, actor: &Actor) -> Result<Vec<UsageCopy>> {
        let Some(person) = actor.person_id.filter(|_| actor.role == Role::Individual) else { return Err(Error::Forbidden) };
        Ok(sqlx::query_as(&format!(
            "{COPY_SELECT} JOIN registrations r ON r.id = c.registration_id WHERE r.person_id = $1 ORDER BY u.id DESC"
        ))
        .bind(person)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The file of one of the holder's usage copies.
    pub async fn usage_copy_file(&self, actor: &Actor, token: &str) -> Result<(UsageCopy, Vec<u8>)> {
        let copy = self.usage_copies_of(actor).await?.into_iter().find(|c| c.token == token).ok_or(Error::NotFound("使用件不存在"))?;
        let (ofd,): (Vec<u8>,) = sqlx::query_as("SELECT ofd FROM usage_copies WHERE token = $1").bind(token).fetch_one(&self.pool).await?;
        Ok((copy, self.sealer()?.open(&ofd)?))
    }
}

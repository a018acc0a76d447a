//! 通知公告: notices the province publishes on the home page (policy changes, system maintenance,
//! deadlines), and withdraws; each step audited. The public sees those not withdrawn.

use crate::audit::{self, Entry};
use crate::db::{show_ts, ts};
use crate::error::{Error, Result};
use crate::{Actor, Store};
use chrono::{DateTime, Utc};
use erjian_domain::workflow::Role;

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct SiteNotice {
    pub id: i64,
    pub title: String,
    pub body: String,
    #[serde(skip)]
    pub published_at: String,
    #[serde(skip)]
    pub withdrawn_at: Option<String>,
}

impl SiteNotice {
    pub fn published_display(&self) -> String {
        show_ts(&self.published_at)
    }

    /// The body's paragraphs (blank lines and line breaks split them).
    pub fn paragraphs(&self) -> Vec<&str> {
        self.body.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
    }
}

impl Store {
    /// The province publishes a notice.
    pub async fn publish_notice(&self, actor: &Actor, title: &str, body: &str, now: DateTime<Utc>) -> Result<i64> {
        if actor.role != Role::ProvinceAuthority {
            return Err(Error::Forbidden);
        }
        let (title, body) = (title.trim(), body.trim());
        let mut bad = Vec::new();
        if !(4..=60).contains(&title.chars().count()) {
            bad.push(erjian_domain::FieldError::new("title", "标题须为4至60字"));
        }
        if !(10..=5000).contains(&body.chars().count()) {
            bad.push(erjian_domain::FieldError::new("body", "正文须为10至5000字"));
        }
        if !bad.is_empty() {
            return Err(Error::Invalid(bad));
        }
        let mut tx = self.write().await?;
        let (id,): (i64,) =
            sqlx::query_as("INSERT INTO site_notices (title, body, author_id, published_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(title)
                .bind(body)
                .bind(actor.user_id)
                .bind(ts(now))
                .fetch_one(tx.conn())
                .await?;
        audit::record(tx.conn(), now, Some(actor), Entry { detail: Some(title), ..Entry::new("publish_notice", "site_notice", Some(id)) })
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The province withdraws a notice (it leaves the home page; the audit keeps it).
    pub async fn withdraw_notice(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<()> {
        if actor.role != Role::ProvinceAuthority {
            return Err(Error::Forbidden);
        }
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE site_notices SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL")
            .bind(id)
            .bind(ts(now))
            .execute(tx.conn())
            .await?;
        if done.rows_affected() != 1 {
            return Err(Error::NotFound("通知不存在或已撤下"));
        }
        audit::record(tx.conn(), now, Some(actor), Entry::new("withdraw_notice", "site_notice", Some(id))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The newest notices first; withdrawn ones only when asked (the province's list).
    pub async fn site_notices(&self, limit: i64, with_withdrawn: bool) -> Result<Vec<SiteNotice>> {
        let filter = if with_withdrawn { "" } else { "WHERE withdrawn_at IS NULL" };
        Ok(sqlx::query_as(&format!(
            "SELECT id, title, body, published_at, withdrawn_at FROM site_notices {filter} ORDER BY id DESC LIMIT {}",
            limit.clamp(1, 200)
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// One published notice.
    pub async fn site_notice(&self, id: i64) -> Result<SiteNotice> {
        sqlx::query_as("SELECT id, title, body, published_at, withdrawn_at FROM site_notices WHERE id = $1 AND withdrawn_at IS NULL")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NotFound("通知不存在或已撤下"))
    }
}

//! E-licence validity annotation (证照加注, Anhui): where the province gives certificates a use
//! period (180 days), the holder extends it within 15 days of its end — no review, a new
//! certificate version with the next period (capped at the registration's validity and the age
//! limit), the old file superseded; once a day.

use crate::audit::{self, Entry};
use crate::certificates::{issue, Cause, Issuer};
use crate::db::today;
use crate::error::{Error, Result};
use crate::lifecycle::record_event;
use crate::{Actor, Store};
use chrono::{DateTime, NaiveDate, Utc};
use erjian_domain::lifecycle::check_annotation;

impl Store {
    /// Annotates the holder's current certificate; returns the new e-licence identifier.
    pub async fn annotate_certificate(&self, actor: &Actor, issuer: &Issuer, now: DateTime<Utc>) -> Result<String> {
        if issuer.profile.licence_use_days.is_none() {
            return Err(Error::Conflict(format!("{}的电子证照未设使用有效期，无需加注", issuer.profile.name)));
        }
        let (_, reg) = self.own_registration_to_issue(actor, "您没有有效的注册，不能办理证照加注").await?;
        let cert = self
            .certificates_of_registration(reg.id)
            .await?
            .into_iter()
            .find(|c| c.status == "valid")
            .ok_or_else(|| Error::Conflict("没有有效的电子证书，不能办理证照加注".into()))?;
        let parse = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| Error::Other(e.into()));
        let use_until = cert.use_until.as_deref().map(parse).transpose()?;
        let reg_until =
            parse(&reg.specialties.iter().filter(|s| s.status == "active").map(|s| s.valid_until.clone()).max().unwrap_or_default())?;
        let day = today(now);
        check_annotation(day, use_until, reg_until).map_err(Error::Conflict)?;
        let mut tx = self.write().await?;
        let (done_today,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM registration_events WHERE registration_id = $1 AND kind = 'annotation' AND on_date = $2")
                .bind(reg.id)
                .bind(day.to_string())
                .fetch_one(tx.conn())
                .await?;
        if done_today > 0 {
            return Err(Error::Conflict("今日已办理过证照加注，请明日再办理".into()));
        }
        let new = issue(&mut tx, issuer, reg.id, Cause { application_id: None, supersede_reason: "证照加注，已换发新证书" }, now).await?;
        let (licence, until): (String, Option<String>) =
            sqlx::query_as("SELECT licence_id, use_until FROM certificates WHERE id = $1").bind(new).fetch_one(tx.conn()).await?;
        let from = use_until.map(|u| u.to_string()).unwrap_or_else(|| "未设".into());
        let detail = format!("使用有效期由 {from} 延至 {}", until.unwrap_or_default());
        record_event(&mut tx, reg.id, "annotation", "", Some(&detail), Some(new), now).await?;
        audit::record(
            tx.conn(),
            now,
            Some(actor),
            Entry { detail: Some(&detail), ..Entry::new("annotation", "registration", Some(reg.id)) },
        )
        .await?;
        tx.commit().await?;
        Ok(licence)
    }
}

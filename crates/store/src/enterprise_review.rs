//! Enterprises are verified before they act: a signed-up enterprise is `pending` until the
//! authority of its registered city (or the province) approves it; refused ones say why. While
//! pending, its sessions carry no enterprise (`Store::session`), so it can neither seal, nor
//! cancel, nor see anyone.

use crate::audit::{self, Entry};
use crate::error::{Error, Result};
use crate::registry::Enterprise;
use crate::registry::ENTERPRISE_COLUMNS;
use crate::{Actor, Store};
use chrono::{DateTime, Utc};
use erjian_domain::workflow::Role;

impl Store {
    /// Enterprises waiting for the caller's review: a city's own, or every one for the province.
    pub async fn enterprise_reviews(&self, actor: &Actor) -> Result<Vec<Enterprise>> {
        let rows: Vec<Enterprise> = match actor.role {
            Role::ProvinceAuthority => Ok::<_, Error>(
                sqlx::query_as(&format!("SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE status = 'pending' ORDER BY id"))
                    .fetch_all(&self.pool)
                    .await?,
            ),
            Role::CityAuthority => Ok(sqlx::query_as(&format!(
                "SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE status = 'pending' AND city_code = $1 ORDER BY id"
            ))
            .bind(actor.city_code.as_deref().unwrap_or(""))
            .fetch_all(&self.pool)
            .await?),
            _ => Err(Error::Forbidden),
        }?;
        rows.into_iter().map(|e| self.opened(e)).collect()
    }

    /// Approves (`active`) or refuses (with a reason) a pending enterprise; audited.
    pub async fn decide_enterprise(
        &self,
        actor: &Actor,
        enterprise_id: i64,
        approve: bool,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String> {
        if !matches!(actor.role, Role::CityAuthority | Role::ProvinceAuthority) || !self.authority_covers(actor, enterprise_id).await? {
            return Err(Error::NotFound("企业不存在"));
        }
        // What is decided before what was sent: an enterprise that does not exist is "not found".
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM enterprises WHERE id = $1").bind(enterprise_id).fetch_optional(&self.pool).await?;
        if exists.is_none() {
            return Err(Error::NotFound("企业不存在"));
        }
        let reason = crate::follow_up::reason_for_refusal(approve, reason, "不予通过须填写理由")?;
        let to = if approve { "active" } else { "refused" };
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE enterprises SET status = $2 WHERE id = $1 AND status = 'pending'")
            .bind(enterprise_id)
            .bind(to)
            .execute(tx.conn())
            .await?;
        if done.rows_affected() != 1 {
            return Err(Error::Conflict("该企业已审核，或不在待审核状态".into()));
        }
        let action = if approve { "approve_enterprise" } else { "refuse_enterprise" };
        audit::record(
            tx.conn(),
            now,
            Some(actor),
            Entry { from_state: Some("pending"), to_state: Some(to), reason, ..Entry::new(action, "enterprise", Some(enterprise_id)) },
        )
        .await?;
        let body = if approve {
            "贵单位的企业账号已通过主管部门审核，可以办理盖章确认等业务。".to_owned()
        } else {
            format!("贵单位的企业账号未通过主管部门审核。原因：{}", reason.unwrap_or_default())
        };
        let users = crate::notifications::enterprise_accounts(&mut tx, enterprise_id).await?;
        let out = crate::notifications::Outgoing {
            kind: if approve { "account_approved" } else { "account_refused" },
            body: &body,
            application_id: None,
            link: Some("/enterprise/profile".into()),
            dedupe: None,
        };
        crate::notifications::send(&mut tx, &users, &out, now).await?;
        tx.commit().await?;
        Ok(to.to_owned())
    }
}

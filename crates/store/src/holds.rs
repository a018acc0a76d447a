//! The authority's sanctions on a certificate: suspension (暂扣) and its lifting (恢复), and
//! revocation (撤销), which also ends the registration. Each is one transaction with its audit
//! row and history event; the public status (QR page, file check, status list) follows at once,
//! and downloads are refused while the certificate is not valid.

use crate::audit::{self, Entry};
use crate::certificates::status_changed;
use crate::error::{Error, Result};
use crate::lifecycle::{held_specialties, names, record_event};
use crate::{Actor, Store};
use chrono::{DateTime, Utc};

/// What the authority does to a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Hold {
    Suspend,
    Restore,
    Revoke,
}

impl Hold {
    /// (status before, status after, history kind, label) of the current certificate.
    fn step(self) -> (&'static [&'static str], &'static str, &'static str, &'static str) {
        match self {
            Hold::Suspend => (&["valid"], "suspended", "suspend", "暂扣证书"),
            Hold::Restore => (&["suspended"], "valid", "restore", "恢复证书"),
            Hold::Revoke => (&["valid", "suspended"], "revoked", "revoke", "撤销注册"),
        }
    }
}

impl Store {
    /// Applies `hold` to the registration's current certificate with a reason (required).
    /// The province authority acts on any registration; a city authority on its city's.
    pub async fn hold_certificate(
        &self,
        actor: &Actor,
        registration_number: &str,
        hold: Hold,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid("reason", "请填写理由（处罚决定文号或事实依据）"));
        }
        erjian_domain::text::within(reason, erjian_domain::text::REASON_MAX, "理由").map_err(|m| Error::invalid("reason", m))?;
        let reg = self.registration_by_number(registration_number.trim()).await?.ok_or(Error::NotFound("未找到该注册编号"))?;
        if !self.authority_covers(actor, reg.enterprise_id).await? {
            return Err(Error::NotFound("未找到该注册编号"));
        }
        let (from, to, kind, label) = hold.step();
        let mut tx = self.write().await?;
        let current: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, status FROM certificates WHERE registration_id = $1 AND status IN ('valid', 'suspended') ORDER BY version DESC LIMIT 1",
        )
        .bind(reg.id)
        .fetch_optional(tx.conn())
        .await?;
        let (cert_id, status) = current.ok_or_else(|| Error::Conflict("该注册没有有效或暂扣中的证书".into()))?;
        if !from.contains(&status.as_str()) {
            let now_label = if status == "valid" { "有效" } else { "暂扣" };
            return Err(Error::Conflict(format!("证书当前为“{now_label}”，不能{label}")));
        }
        let done = sqlx::query("UPDATE certificates SET status = $2, status_reason = $3 WHERE id = $1 AND status = $4")
            .bind(cert_id)
            .bind(to)
            .bind(if hold == Hold::Restore { None } else { Some(reason) })
            .bind(&status)
            .execute(tx.conn())
            .await?;
        if done.rows_affected() != 1 {
            return Err(Error::Conflict("证书状态已被他人修改，请刷新后重试".into()));
        }
        if hold == Hold::Revoke {
            sqlx::query("UPDATE registrations SET status = 'revoked' WHERE id = $1").bind(reg.id).execute(tx.conn()).await?;
        }
        let (index,): (i64,) =
            sqlx::query_as("SELECT status_index FROM certificates WHERE id = $1").bind(cert_id).fetch_one(tx.conn()).await?;
        status_changed(&mut tx, &[(index, to)]).await?;
        let held: Vec<String> = held_specialties(tx.conn(), reg.id).await?.into_iter().map(|h| h.0).collect();
        let detail = format!("{label}：{reason}");
        record_event(&mut tx, reg.id, kind, &names(&held), Some(&detail), Some(cert_id), now).await?;
        audit::record(
            tx.conn(),
            now,
            Some(actor),
            Entry { from_state: Some(&status), to_state: Some(to), reason: Some(reason), ..Entry::new(kind, "certificate", Some(cert_id)) },
        )
        .await?;
        tx.commit().await?;
        Ok(to.to_owned())
    }
}

/// The one rule "no certificate while suspended or revoked": every path that issues a new
/// certificate version or a copy of one asks this first, inside its own transaction
/// (`certificates::issue` for re-make, lost reissue, annotation, exchanges, new version,
/// rename, renewal and every announcement; `usage_copies` for 使用件). Only the authority's
/// 恢复 ends a suspension.
pub(crate) async fn ensure_may_issue(conn: &mut sqlx::AnyConnection, registration_id: i64) -> Result<()> {
    let row: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT r.registration_number, r.status, (SELECT c.status FROM certificates c WHERE c.registration_id = r.id ORDER BY c.version DESC LIMIT 1)
         FROM registrations r WHERE r.id = $1",
    )
    .bind(registration_id)
    .fetch_optional(conn)
    .await?;
    let Some((regno, registration, certificate)) = row else { return Ok(()) };
    match (registration.as_str(), certificate.as_deref()) {
        (_, Some("suspended")) => Err(Error::Conflict(format!(
            "注册编号 {regno} 的证书正在暂扣中，暂扣期间不能换发、补办、加注或复制证书；须待主管部门恢复后办理"
        ))),
        ("revoked", _) => Err(Error::Conflict(format!("注册编号 {regno} 已被撤销，不能再签发证书"))),
        _ => Ok(()),
    }
}

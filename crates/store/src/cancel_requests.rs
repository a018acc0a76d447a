//! Cancellation filed by the individual (本人申请注销): the request waits for the employing
//! enterprise, whose confirmation makes it effective at once (no authority review), or which
//! returns it with a reason. One pending request per registration (a unique column).

use crate::audit::{self, Entry};
use crate::certificates::Issuer;
use crate::db::ts;
use crate::error::{Error, Result};
use crate::lifecycle::{cancel_in, CancelOutcome, CancelRequest};
use crate::{Actor, Store};
use chrono::{DateTime, Utc};
use erjian_domain::lifecycle::cancellation_reason;
use erjian_domain::workflow::Role;

/// A request as listed.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct CancelRequestRow {
    pub id: i64,
    pub registration_id: i64,
    pub registration_number: String,
    pub person_name: String,
    pub specialties: String,
    pub reason: String,
    pub note: Option<String>,
    pub state: String,
    pub decided_reason: Option<String>,
    pub created_at: String,
}

impl CancelRequestRow {
    pub fn reason_label(&self) -> &'static str {
        cancellation_reason(&self.reason).unwrap_or("其他情形")
    }

    pub fn specialty_names(&self) -> String {
        if self.specialties.is_empty() {
            return "全部专业".into();
        }
        self.specialties.split(',').map(erjian_domain::profession::specialty_name).collect::<Vec<_>>().join("、")
    }

    pub fn state_label(&self) -> &'static str {
        match self.state.as_str() {
            "pending" => "待企业确认",
            "confirmed" => "已注销",
            "rejected" => "企业已退回",
            _ => "其他",
        }
    }

    pub fn created_display(&self) -> String {
        crate::db::show_ts(&self.created_at)
    }
}

const SELECT: &str = "SELECT q.id, q.registration_id, r.registration_number, p.name AS person_name, q.specialties, q.reason, q.note, q.state, q.decided_reason, q.created_at
    FROM cancel_requests q JOIN registrations r ON r.id = q.registration_id JOIN persons p ON p.id = q.person_id";

impl Store {
    /// The individual asks to cancel some specialties (none named: all) of their registration.
    pub async fn request_cancellation(
        &self,
        actor: &Actor,
        specialties: &[String],
        reason: &str,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        cancellation_reason(reason).ok_or_else(|| Error::invalid("reason", "请选择注销原因"))?;
        let (person_id, reg) = self.own_active_registration(actor, "您没有有效的注册，无需注销").await?;
        let held: Vec<String> = reg.specialties.iter().filter(|s| s.status == "active").map(|s| s.specialty_code.clone()).collect();
        erjian_domain::lifecycle::check_cancellation(&held, specialties).map_err(|m| Error::invalid("specialties", m))?;
        let mut tx = self.write().await?;
        let inserted: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO cancel_requests (registration_id, person_id, enterprise_id, specialties, reason, note, state, open_registration_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $1, $7) RETURNING id",
        )
        .bind(reg.id)
        .bind(person_id)
        .bind(reg.enterprise_id)
        .bind(specialties.join(","))
        .bind(reason)
        .bind(note.map(str::trim).filter(|n| !n.is_empty()))
        .bind(ts(now))
        .fetch_one(tx.conn())
        .await;
        let (id,) = inserted.map_err(|e| crate::accounts::unique_to(e, "您已有待企业确认的注销申请，请等待企业确认"))?;
        audit::record(
            tx.conn(),
            now,
            Some(actor),
            Entry { to_state: Some("pending"), ..Entry::new("request_cancellation", "cancel_request", Some(id)) },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The individual's own requests, or the enterprise's people's.
    pub async fn cancel_requests(&self, actor: &Actor) -> Result<Vec<CancelRequestRow>> {
        let (filter, id) = match (actor.role, actor.person_id, actor.enterprise_id) {
            (Role::Individual, Some(p), _) => ("q.person_id = $1", p),
            (Role::Enterprise, _, Some(e)) => ("q.enterprise_id = $1", e),
            _ => return Ok(vec![]),
        };
        Ok(sqlx::query_as(&format!("{SELECT} WHERE {filter} ORDER BY q.id DESC")).bind(id).fetch_all(&self.pool).await?)
    }

    /// The enterprise confirms (the cancellation takes effect now) or returns the request with a
    /// reason. Returns the cancellation's outcome when confirmed.
    pub async fn decide_cancel_request(
        &self,
        actor: &Actor,
        id: i64,
        confirm: bool,
        return_reason: Option<&str>,
        issuer: &Issuer,
        now: DateTime<Utc>,
    ) -> Result<Option<CancelOutcome>> {
        let enterprise = match (actor.role, actor.enterprise_id) {
            (Role::Enterprise, Some(e)) => e,
            _ => return Err(Error::Forbidden),
        };
        let row: Option<(i64, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT q.registration_id, r.registration_number, q.specialties, q.reason, q.note FROM cancel_requests q JOIN registrations r ON r.id = q.registration_id
             WHERE q.id = $1 AND q.enterprise_id = $2 AND q.state = 'pending'",
        )
        .bind(id)
        .bind(enterprise)
        .fetch_optional(&self.pool)
        .await?;
        let (reg_id, regno, specs, reason, note) = row.ok_or(Error::NotFound("注销申请不存在或已处理"))?;
        let return_reason = crate::follow_up::reason_for_refusal(confirm, return_reason, "退回须填写理由")?;
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE cancel_requests SET state = $2, open_registration_id = NULL, decided_reason = $3, decided_at = $4 WHERE id = $1 AND state = 'pending'")
            .bind(id)
            .bind(if confirm { "confirmed" } else { "rejected" })
            .bind(return_reason)
            .bind(ts(now))
            .execute(tx.conn())
            .await?;
        if done.rows_affected() != 1 {
            return Err(Error::Conflict("该注销申请已被处理，请刷新后查看".into()));
        }
        let to = if confirm { "confirmed" } else { "rejected" };
        audit::record(
            tx.conn(),
            now,
            Some(actor),
            Entry {
                from_state: Some("pending"),
                to_state: Some(to),
                reason: return_reason,
                ..Entry::new("decide_cancellation", "cancel_request", Some(id))
            },
        )
        .await?;
        let outcome = if confirm {
            let specialties: Vec<String> = specs.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect();
            let req = CancelRequest { registration_number: regno.clone(), specialties, reason, note };
            Some(cancel_in(&mut tx, actor, reg_id, &regno, &req, "本人申请、聘用企业确认注销", issuer, now).await?)
        } else {
            None
        };
        tx.commit().await?;
        Ok(outcome)
    }
}

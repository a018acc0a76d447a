//! Cancellation requests that wait for the other party: filed by the individual (本人申请注销),
//! the employing enterprise confirms or returns it with a reason; or, where the profile requires
//! the holder's consent to a forced cancellation (湖南), filed by the enterprise and confirmed or
//! refused by the holder. Confirmation makes it effective at once (no authority review). One
//! pending request per registration (a unique column).

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
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
    /// `individual` or `enterprise`: who filed it (the other party decides).
    pub initiator: String,
    /// The signed 注销注册申请表's number, when the request carries one (the holder's).
    pub form_number: Option<String>,
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
        match (self.state.as_str(), self.initiator.as_str()) {
            ("pending", "enterprise") => "待本人确认",
            ("pending", _) => "待企业确认",
            ("confirmed", _) => "已注销",
            ("rejected", "enterprise") => "本人不同意",
            ("rejected", _) => "企业已退回",
            _ => "其他",
        }
    }

    /// Whether the request waits for this side (the individual, or the enterprise).
    pub fn awaits(&self, individual: bool) -> bool {
        self.state == "pending" && (self.initiator == "enterprise") == individual
    }

    pub fn created_display(&self) -> String {
        crate::db::show_ts(&self.created_at)
    }
}

const SELECT: &str = "SELECT q.id, q.registration_id, r.registration_number, p.name AS person_name, q.specialties, q.reason, q.note, q.state, q.decided_reason, q.created_at, q.initiator, q.form_number
    FROM cancel_requests q JOIN registrations r ON r.id = q.registration_id JOIN persons p ON p.id = q.person_id";

impl Store {
    /// The individual asks to cancel some specialties (none named: all) of their registration,
    /// signing the 注销注册申请表 with their signing PIN ([`crate::cancel_forms`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn request_cancellation(
        &self,
        actor: &Actor,
        specialties: &[String],
        reason: &str,
        note: Option<&str>,
        pin: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        cancellation_reason(reason).ok_or_else(|| Error::invalid("reason", "请选择注销原因"))?;
        if let Some(note) = note {
            erjian_domain::text::within(note, erjian_domain::text::NOTE_MAX, "补充说明").map_err(|m| Error::invalid("note", m))?;
        }
        let (person_id, reg) = self.own_active_registration(actor, "您没有有效的注册，无需注销").await?;
        let held: Vec<String> = reg.specialties.iter().filter(|s| s.status == "active").map(|s| s.specialty_code.clone()).collect();
        erjian_domain::lifecycle::check_cancellation(&held, specialties).map_err(|m| Error::invalid("specialties", m))?;
        if pin.is_empty() {
            return Err(Error::invalid("pin", "请输入签名密码，在注销注册申请表上签名"));
        }
        let signer = self.signer_of(actor, pin, now).await?;
        let mut tx = self.write().await?;
        crate::real_name::ensure(tx.conn(), self.rules().real_name, person_id, crate::real_name::Point::Filing, now).await?;
        let pending = Pending { registration_id: reg.id, person_id, enterprise_id: reg.enterprise_id, initiator: "individual" };
        let id = insert_request(&mut tx, actor, &pending, specialties, reason, note, now)
            .await
            .map_err(|e| e.or_conflict("您已有待企业确认的注销申请，请等待企业确认"))?;
        let form = crate::cancel_forms::CancelForm { reg: &reg, specialties, reason };
        self.write_signed_form(&mut tx, id, &form, &signer, now).await?;
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

    /// The enterprise confirms (sealing the holder's signed form with its PIN; the cancellation
    /// takes effect now) or returns the request with a reason. Returns the cancellation's outcome
    /// when confirmed.
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_cancel_request(
        &self,
        actor: &Actor,
        id: i64,
        confirm: bool,
        return_reason: Option<&str>,
        pin: Option<&str>,
        issuer: &Issuer,
        now: DateTime<Utc>,
    ) -> Result<Option<CancelOutcome>> {
        type Row = (i64, String, String, String, Option<String>, String, i64, i64);
        let row: Option<Row> = sqlx::query_as(
            "SELECT q.registration_id, r.registration_number, q.specialties, q.reason, q.note, q.initiator, q.person_id, q.enterprise_id
             FROM cancel_requests q JOIN registrations r ON r.id = q.registration_id WHERE q.id = $1 AND q.state = 'pending'",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let (reg_id, regno, specs, reason, note, initiator, person, enterprise) = row.ok_or(Error::NotFound("注销申请不存在或已处理"))?;
        // The party that did not file decides: the enterprise for the individual's request, the
        // holder for the enterprise's.
        let (decider_ok, by) = match (initiator.as_str(), actor.role) {
            ("individual", Role::Enterprise) => (actor.enterprise_id == Some(enterprise), "本人申请、聘用企业确认注销"),
            ("enterprise", Role::Individual) => (actor.person_id == Some(person), "聘用企业申请、本人确认注销"),
            _ => (false, ""),
        };
        if !decider_ok {
            return Err(Error::NotFound("注销申请不存在或已处理"));
        }
        let return_reason = crate::follow_up::reason_for_refusal(confirm, return_reason, "退回须填写理由")?;
        // The holder's request carries a signed form: the enterprise seals it to confirm.
        let (form_number,): (Option<String>,) =
            sqlx::query_as("SELECT form_number FROM cancel_requests WHERE id = $1").bind(id).fetch_one(&self.pool).await?;
        let sealer = match (confirm && form_number.is_some(), pin.filter(|p| !p.is_empty())) {
            (false, _) => None,
            (true, Some(pin)) => Some(self.signer_of(actor, pin, now).await?),
            (true, None) => return Err(Error::invalid("pin", "请输入本单位签名密码，在注销注册申请表上盖章")),
        };
        let mut tx = self.write().await?;
        if let Some(signer) = &sealer {
            let (idn,): (String,) = sqlx::query_as("SELECT id_number FROM persons WHERE id = $1").bind(person).fetch_one(tx.conn()).await?;
            self.seal_request_form(&mut tx, id, &self.sealer()?.open_text(&idn)?, signer, now).await?;
        }
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
            Some(cancel_in(&mut tx, actor, reg_id, &regno, &req, by, issuer, now).await?)
        } else {
            None
        };
        tx.commit().await?;
        Ok(outcome)
    }
}

/// The parties of a request to write.
pub(crate) struct Pending {
    pub registration_id: i64,
    pub person_id: i64,
    pub enterprise_id: i64,
    pub initiator: &'static str,
}

/// Writes a pending request and its audit row; a second pending request for the registration is
/// refused by the unique column (the caller words the conflict).
pub(crate) async fn insert_request(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    p: &Pending,
    specialties: &[String],
    reason: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO cancel_requests (registration_id, person_id, enterprise_id, specialties, reason, note, state, open_registration_id, created_at, initiator)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $1, $7, $8) RETURNING id",
    )
    .bind(p.registration_id)
    .bind(p.person_id)
    .bind(p.enterprise_id)
    .bind(specialties.join(","))
    .bind(reason)
    .bind(note.map(str::trim).filter(|n| !n.is_empty()))
    .bind(ts(now))
    .bind(p.initiator)
    .fetch_one(tx.conn())
    .await?;
    audit::record(
        tx.conn(),
        now,
        Some(actor),
        Entry { to_state: Some("pending"), detail: Some(p.initiator), ..Entry::new("request_cancellation", "cancel_request", Some(id)) },
    )
    .await?;
    Ok(id)
}

//! A registration after it exists: renewal (filed like any application, applied at announcement),
//! cancellation (effective at once, no review), the certificate that follows each change, and the
//! registration history (注册轨迹) that the public detail view shows. Every change is one
//! transaction with its audit rows, its history row and its certificate.

use crate::applications::Application;
use crate::audit::{self, Entry};
use crate::certificates::{issue, void, Cause, Issuer};
use crate::db::{today, ts, Tx};
use crate::error::{Error, Result};
use crate::follow_up::FollowUp;
use crate::{Actor, Store};
use chrono::{DateTime, NaiveDate, Utc};
use erjian_domain::lifecycle::{
    cancellation_reason, check_cancellation, check_renewal_in, renewed_period, CancelEffect, HeldSpecialty, SpecialtyHours,
};
use erjian_domain::profession::{profession, specialty_name};
use erjian_domain::workflow::Role;

/// One row of a registration's history.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RegistrationEvent {
    pub on_date: String,
    pub kind: String,
    pub specialties: String,
    pub enterprise_name: String,
    pub detail: Option<String>,
}

impl RegistrationEvent {
    pub fn kind_label(&self) -> &'static str {
        kind_label(&self.kind)
    }
}

/// Labels of application kinds and history events.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "initial" => "初始注册",
        "renewal" => "延续注册",
        "cancel_partial" => "注销注册（部分专业）",
        "cancel_whole" => "注销注册",
        "reissue" => "证书换发",
        "remake" => "重新制证",
        "re_registration" => "重新注册",
        "change_personal" => "变更注册（个人信息）",
        "change_employer" => "变更注册（执业企业）",
        "annotation" => "证照加注",
        "add_specialty" => "增项注册",
        "enterprise_rename" => "企业名称变更",
        "lost_reissue" => "遗失补办",
        "legacy_import" => "存量注册导入",
        "paper_exchange" => "纸质证书换领电子证书",
        "new_version" => "换领新版电子证书",
        "usage_copy" => "生成使用件",
        "suspend" => "暂扣证书",
        "restore" => "恢复证书",
        "revoke" => "撤销注册",
        _ => "其他",
    }
}

/// A cancellation as requested.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CancelRequest {
    pub registration_number: String,
    /// Specialty codes; empty means all.
    #[serde(default)]
    pub specialties: Vec<String>,
    pub reason: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// What a cancellation did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CancelOutcome {
    pub registration_number: String,
    pub whole: bool,
    /// The new certificate's e-licence identifier after a partial cancellation.
    pub new_licence_id: Option<String>,
    /// Where the holder must confirm a forced cancellation (湖南): the request now waiting for
    /// them; nothing is cancelled yet.
    pub pending_request: Option<i64>,
}

pub(crate) async fn record_event(
    tx: &mut Tx,
    registration_id: i64,
    kind: &str,
    specialties: &str,
    detail: Option<&str>,
    certificate_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO registration_events (registration_id, on_date, kind, specialties, enterprise_name, detail, certificate_id, created_at)
         SELECT r.id, $2, $3, $4, e.name, $5, $6, $7 FROM registrations r JOIN enterprises e ON e.id = r.enterprise_id WHERE r.id = $1",
    )
    .bind(registration_id)
    .bind(today(now).to_string())
    .bind(kind)
    .bind(specialties)
    .bind(detail)
    .bind(certificate_id)
    .bind(ts(now))
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub(crate) fn names(codes: &[String]) -> String {
    codes.iter().map(|c| specialty_name(c)).collect::<Vec<_>>().join("、")
}

pub(crate) async fn held_specialties(conn: &mut sqlx::AnyConnection, registration_id: i64) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT specialty_code, valid_until FROM registration_specialties WHERE registration_id = $1 AND status = 'active' ORDER BY specialty_code",
    )
    .bind(registration_id)
    .fetch_all(conn)
    .await?)
}

/// Applies an announced renewal: each renewed specialty gets its next period, then a new
/// certificate supersedes the old one.
pub(crate) async fn apply_renewal(tx: &mut Tx, issuer: &Issuer, app: &Application, now: DateTime<Utc>) -> Result<String> {
    let reg_id = app.registration_id.ok_or_else(|| Error::Other(anyhow::anyhow!("renewal {} without registration", app.number)))?;
    let prof = profession(&app.profession).ok_or_else(|| Error::Other(anyhow::anyhow!("unknown profession {}", app.profession)))?;
    let birth = crate::db::stored_date(&app.birth_date)?;
    let held = held_specialties(tx.conn(), reg_id).await?;
    for code in &app.specialties {
        let Some((_, until)) = held.iter().find(|h| &h.0 == code) else { continue };
        let until = NaiveDate::parse_from_str(until, "%Y-%m-%d").map_err(|e| Error::Other(e.into()))?;
        let (from, to) = renewed_period(until, birth, prof.max_age);
        sqlx::query(
            "UPDATE registration_specialties SET valid_from = $3, valid_until = $4 WHERE registration_id = $1 AND specialty_code = $2",
        )
        .bind(reg_id)
        .bind(code)
        .bind(from.to_string())
        .bind(to.to_string())
        .execute(tx.conn())
        .await?;
    }
    let cert = issue(tx, issuer, reg_id, Cause { application_id: Some(app.id), supersede_reason: "延续注册，已换发新证书" }, now).await?;
    record_event(tx, reg_id, "renewal", &names(&app.specialties), Some(&format!("申请 {}", app.number)), Some(cert), now).await?;
    let (regno,): (String,) =
        sqlx::query_as("SELECT registration_number FROM registrations WHERE id = $1").bind(reg_id).fetch_one(tx.conn()).await?;
    Ok(regno)
}

impl Store {
    /// Files a renewal for the signed-in individual's registration: the specialties chosen, each
    /// inside its window, with its hours. The photo of the last application carries over. The
    /// application then follows the same signing and review as an initial one.
    pub async fn file_renewal(&self, actor: &Actor, hours: &[SpecialtyHours], submit: bool, now: DateTime<Utc>) -> Result<i64> {
        let (_, reg) = self.own_registration_to_issue(actor, "您没有有效的注册，不能办理延续注册；请办理初始注册或重新注册").await?;
        let (prof, birth) = reg.holder_limits()?;
        let held: Vec<HeldSpecialty> = reg
            .specialties
            .iter()
            .filter(|s| s.status == "active")
            .filter_map(|s| {
                Some(HeldSpecialty {
                    code: s.specialty_code.clone(),
                    valid_until: NaiveDate::parse_from_str(&s.valid_until, "%Y-%m-%d").ok()?,
                })
            })
            .collect();
        let add_again = self.rules().expired_specialty_by_addition;
        let hours = check_renewal_in(today(now), birth, prof.max_age, &held, hours, add_again).map_err(Error::Invalid)?;
        let enterprise = self.enterprise(reg.enterprise_id).await?.ok_or(Error::NotFound("企业不存在"))?;
        if enterprise.status != "active" {
            return Err(Error::Conflict("聘用企业状态异常，不能办理延续注册".into()));
        }
        let compulsory: u32 = hours.iter().map(|h| h.compulsory).sum();
        let elective: u32 = hours.iter().map(|h| h.elective).sum();
        let detail = serde_json::to_string(&hours).map_err(|e| Error::Other(e.into()))?;
        let codes: Vec<String> = hours.iter().map(|h| h.specialty.clone()).collect();
        let mut tx = self.write().await?;
        let follow_up = FollowUp {
            kind: "renewal",
            registration: &reg,
            enterprise_id: enterprise.id,
            city_code: &enterprise.city_code,
            specialties: &codes,
            hours: (i64::from(compulsory), i64::from(elective)),
            detail: Some(&detail),
            note: None,
            province_alone: false,
        };
        let id = self.insert_follow_up(&mut tx, actor, follow_up, now).await?;
        self.finish_follow_up(tx, actor, id, submit, now).await
    }

    /// Cancels specialties of a registration (all of them when none are named), effective at once:
    /// by the authority, or forced by the employing enterprise for its own people. A partial
    /// cancellation issues a new certificate; a whole one voids it and ends the registration.
    pub async fn cancel_registration(
        &self,
        actor: &Actor,
        req: &CancelRequest,
        issuer: &Issuer,
        now: DateTime<Utc>,
    ) -> Result<CancelOutcome> {
        cancellation_reason(&req.reason).ok_or_else(|| Error::invalid("reason", "请选择注销原因"))?;
        if let Some(note) = &req.note {
            erjian_domain::text::within(note, erjian_domain::text::NOTE_MAX, "补充说明").map_err(|m| Error::invalid("note", m))?;
        }
        let reg = self.registration_by_number(req.registration_number.trim()).await?.ok_or(Error::NotFound("未找到该注册编号"))?;
        let allowed = match actor.role {
            Role::ProvinceAuthority => true,
            Role::CityAuthority => self.enterprise(reg.enterprise_id).await?.is_some_and(|e| Some(e.city_code) == actor.city_code),
            Role::Enterprise => actor.enterprise_id == Some(reg.enterprise_id),
            _ => false,
        };
        if !allowed {
            return Err(Error::NotFound("未找到该注册编号"));
        }
        if reg.status != "active" {
            return Err(Error::Conflict(format!("注册编号 {} 已注销，不能重复注销", reg.registration_number)));
        }
        let by = match actor.role {
            Role::Enterprise => "聘用企业申请注销",
            _ => "主管部门注销",
        };
        let mut tx = self.write().await?;
        if actor.role == Role::Enterprise && issuer.profile.forced_cancellation_confirmation {
            // The holder confirms first; checked now so the holder is not asked about a bad request.
            let held: Vec<String> = held_specialties(tx.conn(), reg.id).await?.into_iter().map(|h| h.0).collect();
            check_cancellation(&held, &req.specialties).map_err(|m| Error::invalid("specialties", m))?;
            let pending = crate::cancel_requests::Pending {
                registration_id: reg.id,
                person_id: reg.person_id,
                enterprise_id: reg.enterprise_id,
                initiator: "enterprise",
            };
            let id =
                crate::cancel_requests::insert_request(&mut tx, actor, &pending, &req.specialties, &req.reason, req.note.as_deref(), now)
                    .await
                    .map_err(|e| e.or_conflict("该注册已有待确认的注销申请，请等待处理"))?;
            tx.commit().await?;
            let regno = reg.registration_number;
            return Ok(CancelOutcome {
                registration_number: regno,
                whole: req.specialties.is_empty(),
                new_licence_id: None,
                pending_request: Some(id),
            });
        }
        let outcome = cancel_in(&mut tx, actor, reg.id, &reg.registration_number, req, by, issuer, now).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Re-makes the holder's certificate (重新制证) or reissues a lost one (遗失补办, with a loss
    /// statement): no review, effective at once; the old file is void and points to the new one.
    /// Once a day per registration. Returns the new e-licence identifier.
    pub async fn reissue_certificate(
        &self,
        actor: &Actor,
        kind: &str,
        statement: Option<&str>,
        issuer: &Issuer,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let statement = statement.map(str::trim).filter(|s| !s.is_empty());
        if let Some(s) = statement {
            erjian_domain::text::within(s, erjian_domain::text::STATEMENT_MAX, "遗失声明").map_err(|m| Error::invalid("statement", m))?;
        }
        let reason = match (kind, statement) {
            ("remake", _) => "重新制证，原证书作废",
            ("lost_reissue", Some(s)) if s.chars().count() >= 10 => "遗失补办，原证书作废",
            ("lost_reissue", _) => return Err(Error::invalid("statement", "遗失补办须填写遗失声明（不少于10个字）")),
            _ => return Err(Error::invalid("kind", "请选择 重新制证 或 遗失补办")),
        };
        if kind == "lost_reissue" && self.rules().lost_reissue_reviewed {
            return Err(Error::Conflict("本省遗失补办由聘用企业申报、主管部门审核：请联系聘用企业在企业端为您申报".into()));
        }
        let (_, reg) = self.own_registration_to_issue(actor, "您没有有效的注册，不能办理证书补办或重新制证").await?;
        let mut tx = self.write().await?;
        let (done_today,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM registration_events WHERE registration_id = $1 AND kind IN ('remake', 'lost_reissue') AND on_date = $2",
        )
        .bind(reg.id)
        .bind(today(now).to_string())
        .fetch_one(tx.conn())
        .await?;
        if done_today > 0 {
            return Err(Error::Conflict("今日已办理过重新制证或遗失补办，请明日再办理".into()));
        }
        let cert = issue(&mut tx, issuer, reg.id, Cause { application_id: None, supersede_reason: reason }, now).await?;
        let detail = match statement {
            Some(s) if kind == "lost_reissue" => format!("遗失声明：{s}"),
            _ => "本人申请重新制证".to_owned(),
        };
        let held: Vec<String> = held_specialties(tx.conn(), reg.id).await?.into_iter().map(|h| h.0).collect();
        record_event(&mut tx, reg.id, kind, &names(&held), Some(&detail), Some(cert), now).await?;
        audit::record(tx.conn(), now, Some(actor), Entry { detail: Some(&detail), ..Entry::new(kind, "registration", Some(reg.id)) })
            .await?;
        let (licence,): (String,) =
            sqlx::query_as("SELECT licence_id FROM certificates WHERE id = $1").bind(cert).fetch_one(tx.conn()).await?;
        tx.commit().await?;
        Ok(licence)
    }

    /// The registration history, oldest first.
    pub async fn registration_history(&self, registration_id: i64) -> Result<Vec<RegistrationEvent>> {
        Ok(sqlx::query_as(
            "SELECT on_date, kind, specialties, enterprise_name, detail FROM registration_events WHERE registration_id = $1 ORDER BY id",
        )
        .bind(registration_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Cancels inside the caller's transaction (the permission is the caller's to check).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn cancel_in(
    tx: &mut Tx,
    actor: &Actor,
    reg_id: i64,
    regno: &str,
    req: &CancelRequest,
    by: &str,
    issuer: &Issuer,
    now: DateTime<Utc>,
) -> Result<CancelOutcome> {
    let reason = cancellation_reason(&req.reason).ok_or_else(|| Error::invalid("reason", "请选择注销原因"))?;
    let held: Vec<String> = held_specialties(tx.conn(), reg_id).await?.into_iter().map(|h| h.0).collect();
    let effect = check_cancellation(&held, &req.specialties).map_err(|m| Error::invalid("specialties", m))?;
    let cancelled: Vec<String> = if effect == CancelEffect::Whole { held.clone() } else { req.specialties.clone() };
    let touched = sqlx::query(
        "UPDATE registrations SET status = CASE WHEN $2 = 1 THEN 'cancelled' ELSE status END WHERE id = $1 AND status = 'active'",
    )
    .bind(reg_id)
    .bind(i64::from(effect == CancelEffect::Whole))
    .execute(tx.conn())
    .await?;
    if touched.rows_affected() != 1 {
        return Err(Error::Conflict("该注册已被他人处理，请刷新后查看".into()));
    }
    for code in &cancelled {
        sqlx::query("UPDATE registration_specialties SET status = 'cancelled' WHERE registration_id = $1 AND specialty_code = $2")
            .bind(reg_id)
            .bind(code)
            .execute(tx.conn())
            .await?;
    }
    let detail = match req.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("{by}：{reason}（{n}）"),
        None => format!("{by}：{reason}"),
    };
    let new_licence_id = match effect {
        CancelEffect::Whole => {
            void(tx, reg_id, "cancelled", &detail, now).await?;
            record_event(tx, reg_id, "cancel_whole", &names(&cancelled), Some(&detail), None, now).await?;
            None
        }
        CancelEffect::Partial => {
            let cert =
                issue(tx, issuer, reg_id, Cause { application_id: None, supersede_reason: "部分专业注销，已换发新证书" }, now).await?;
            record_event(tx, reg_id, "cancel_partial", &names(&cancelled), Some(&detail), Some(cert), now).await?;
            let (l,): (String,) =
                sqlx::query_as("SELECT licence_id FROM certificates WHERE id = $1").bind(cert).fetch_one(tx.conn()).await?;
            Some(l)
        }
    };
    audit::record(
        tx.conn(),
        now,
        Some(actor),
        Entry { reason: Some(reason), detail: Some(&detail), ..Entry::new("cancel_registration", "registration", Some(reg_id)) },
    )
    .await?;
    Ok(CancelOutcome { registration_number: regno.to_owned(), whole: effect == CancelEffect::Whole, new_licence_id, pending_request: None })
}

//! Registration procedures that add to what a person holds: add specialty (增项注册), filed like
//! any application and applied at announcement, and re-registration (重新注册) after every
//! specialty was cancelled, which revives the same registration number.

use crate::applications::Application;
use crate::certificates::{issue, Cause, Issuer};
use crate::db::{today, Tx};
use crate::error::{Error, Result};
use crate::follow_up::FollowUp;
use crate::lifecycle::{names, record_event};
use crate::{Actor, Store};
use chrono::{DateTime, NaiveDate, Utc};
use erjian_domain::lifecycle::check_add_specialty;
use erjian_domain::profession::profession;

/// Applies an announced add-specialty application: each new specialty starts today for three
/// years (age-capped), then a new certificate supersedes the old one.
pub(crate) async fn apply_add_specialty(tx: &mut Tx, issuer: &Issuer, app: &Application, now: DateTime<Utc>) -> Result<String> {
    let reg_id = app.registration_id.ok_or_else(|| Error::Other(anyhow::anyhow!("add-specialty {} without registration", app.number)))?;
    let prof = profession(&app.profession).ok_or_else(|| Error::Other(anyhow::anyhow!("unknown profession {}", app.profession)))?;
    let birth = crate::db::stored_date(&app.birth_date)?;
    let day = today(now);
    let until = erjian_domain::validity::validity_end(day, birth, prof.max_age);
    start_specialties(tx, reg_id, &app.specialties, day, until).await?;
    let cert = issue(tx, issuer, reg_id, Cause { application_id: Some(app.id), supersede_reason: "增项注册，已换发新证书" }, now).await?;
    record_event(tx, reg_id, "add_specialty", &names(&app.specialties), Some(&format!("申请 {}", app.number)), Some(cert), now).await?;
    let (regno,): (String,) =
        sqlx::query_as("SELECT registration_number FROM registrations WHERE id = $1").bind(reg_id).fetch_one(tx.conn()).await?;
    Ok(regno)
}

/// Applies an announced re-registration: the cancelled registration comes back with its number,
/// the new employer and the applied specialties for three years; a new certificate version.
pub(crate) async fn apply_re_registration(tx: &mut Tx, issuer: &Issuer, app: &Application, now: DateTime<Utc>) -> Result<String> {
    let prof = profession(&app.profession).ok_or_else(|| Error::Other(anyhow::anyhow!("unknown profession {}", app.profession)))?;
    // Ended: cancelled or revoked, or still marked active with every specialty expired.
    let (reg_id, regno): (i64, String) = sqlx::query_as(
        "SELECT id, registration_number FROM registrations r WHERE person_id = $1 AND profession = $2 AND (status <> 'active'
           OR NOT EXISTS (SELECT 1 FROM registration_specialties s WHERE s.registration_id = r.id AND s.status = 'active' AND s.valid_until >= $3))",
    )
    .bind(app.person_id)
    .bind(&app.profession)
    .bind(today(now).to_string())
    .fetch_optional(tx.conn())
    .await?
    .ok_or_else(|| Error::Conflict(format!("{} 已有有效注册，不能重新注册", app.person_name)))?;
    let birth = crate::db::stored_date(&app.birth_date)?;
    let day = today(now);
    let until = erjian_domain::validity::validity_end(day, birth, prof.max_age);
    sqlx::query("UPDATE registrations SET status = 'active', enterprise_id = $2 WHERE id = $1")
        .bind(reg_id)
        .bind(app.enterprise_id)
        .execute(tx.conn())
        .await?;
    start_specialties(tx, reg_id, &app.specialties, day, until).await?;
    sqlx::query("UPDATE applications SET registration_id = $2 WHERE id = $1").bind(app.id).bind(reg_id).execute(tx.conn()).await?;
    let cert = issue(tx, issuer, reg_id, Cause { application_id: Some(app.id), supersede_reason: "重新注册，已换发新证书" }, now).await?;
    record_event(tx, reg_id, "re_registration", &names(&app.specialties), Some(&format!("申请 {}", app.number)), Some(cert), now).await?;
    Ok(regno)
}

/// Starts each specialty's period (a specialty cancelled earlier comes back active).
async fn start_specialties(tx: &mut Tx, reg_id: i64, codes: &[String], from: NaiveDate, until: NaiveDate) -> Result<()> {
    for code in codes {
        sqlx::query(
            "INSERT INTO registration_specialties (registration_id, specialty_code, valid_from, valid_until, status) VALUES ($1, $2, $3, $4, 'active')
             ON CONFLICT (registration_id, specialty_code) DO UPDATE SET valid_from = $3, valid_until = $4, status = 'active'",
        )
        .bind(reg_id)
        .bind(code)
        .bind(from.to_string())
        .bind(until.to_string())
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

impl Store {
    /// Files an add-specialty application (增项注册) for the signed-in individual's registration;
    /// signed and reviewed like an initial one, applied at announcement.
    pub async fn file_add_specialty(&self, actor: &Actor, specialties: &[String], submit: bool, now: DateTime<Utc>) -> Result<i64> {
        let (_, reg) = self.own_registration_to_issue(actor, "您没有有效的注册，不能办理增项注册；请办理初始注册或重新注册").await?;
        let (prof, birth) = reg.holder_limits()?;
        // Where an expired specialty is applied for again by 增项 (甘肃), it no longer counts as held.
        let day = today(now).to_string();
        let add_again = self.rules().expired_specialty_by_addition;
        let held: Vec<String> = reg
            .specialties
            .iter()
            .filter(|s| s.status == "active" && !(add_again && s.valid_until < day))
            .map(|s| s.specialty_code.clone())
            .collect();
        let qualified: Vec<(String,)> = sqlx::query_as(
            "SELECT specialty_code FROM qualifications WHERE id_key = (SELECT id_key FROM persons WHERE id = $1) AND profession = $2",
        )
        .bind(reg.person_id)
        .bind(&reg.profession)
        .fetch_all(&self.pool)
        .await?;
        let qualified: Vec<String> = qualified.into_iter().map(|q| q.0).collect();
        let chosen = check_add_specialty(today(now), birth, prof.max_age, &held, &qualified, specialties).map_err(Error::Invalid)?;
        let enterprise = self.enterprise(reg.enterprise_id).await?.ok_or(Error::NotFound("企业不存在"))?;
        let mut tx = self.write().await?;
        let follow_up = FollowUp {
            kind: "add_specialty",
            registration: &reg,
            enterprise_id: enterprise.id,
            city_code: &enterprise.city_code,
            specialties: &chosen,
            hours: (0, 0),
            detail: None,
            note: None,
        };
        let id = self.insert_follow_up(&mut tx, actor, follow_up, now).await?;
        self.finish_follow_up(tx, actor, id, submit, now).await
    }
}

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
        self.file_add_specialty_with_hours(actor, specialties, (0, 0), submit, now).await
    }

    /// [`Self::file_add_specialty`] with continuing-education hours (必修, 选修): required where an
    /// expired specialty is applied for again (甘肃: “若专业有效期已过，请通过初始注册或增项注册进行申请”,
    /// with that specialty's hours — as a renewal would need them: 60 + 60 for the first, 30 + 30
    /// for each further one). The hours go on the signed form.
    pub async fn file_add_specialty_with_hours(
        &self,
        actor: &Actor,
        specialties: &[String],
        hours: (i64, i64),
        submit: bool,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (_, reg) = self.own_registration_to_issue(actor, "您没有有效的注册，不能办理增项注册；请办理初始注册或重新注册").await?;
        let (prof, _) = reg.holder_limits()?;
        if !prof.adds_specialties {
            // 上海 notice 二: “初始注册、增项注册(仅限二级建造师)、延续注册”.
            return Err(Error::Conflict(format!("增项注册仅限二级注册建造师；{}不分专业，不能增项", prof.name)));
        }
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
        // Specialties once held whose validity lapsed: their hours are due.
        let lapsed = chosen.iter().filter(|c| reg.specialties.iter().any(|s| s.status == "active" && &s.specialty_code == *c)).count();
        if lapsed > 0 {
            let need =
                (0..lapsed).map(erjian_domain::lifecycle::renewal_hours).fold((0, 0), |(c, e), h| (c + h.compulsory, e + h.elective));
            if hours.0 < i64::from(need.0) || hours.1 < i64::from(need.1) {
                return Err(Error::invalid(
                    "hours",
                    format!("重新申请已过有效期的专业须填报继续教育学时：必修至少 {} 学时、选修至少 {} 学时", need.0, need.1),
                ));
            }
        }
        let enterprise = self.enterprise(reg.enterprise_id).await?.ok_or(Error::NotFound("企业不存在"))?;
        let mut tx = self.write().await?;
        let follow_up = FollowUp {
            kind: "add_specialty",
            registration: &reg,
            enterprise_id: enterprise.id,
            city_code: &enterprise.city_code,
            specialties: &chosen,
            hours: if lapsed > 0 { hours } else { (0, 0) },
            detail: None,
            note: None,
            province_alone: false,
        };
        let id = self.insert_follow_up(&mut tx, actor, follow_up, now).await?;
        self.finish_follow_up(tx, actor, id, submit, now).await
    }
}

//! Changes of a registration (变更注册). Change of personal data: a new name with both sides of the
//! ID card, signed and briefly reviewed, applied at announcement with a new certificate.
//! Change of employer (变更注册（执业企业）): the individual files naming the new employer, who
//! seals the form; the previous employer consents to the release (转出同意) before the authority
//! may accept; the review is the short one (3 working days); at announcement the registration
//! moves to the new employer with its validity kept and a new certificate. Not again within a
//! year of the last change.

use crate::audit::{self, Entry};
use crate::certificates::{issue, Cause, Issuer};
use crate::db::{today, ts, Tx};
use crate::error::{Error, Result};
use crate::follow_up::FollowUp;
use crate::lifecycle::record_event;
use crate::{Actor, Store};
use chrono::{DateTime, Duration, Utc};
use erjian_domain::ids::ResidentId;
use erjian_domain::workflow::Role;

/// A release waiting for (or decided by) the previous employer.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ReleaseConsent {
    pub application_id: i64,
    pub application_number: String,
    pub person_name: String,
    pub registration_number: String,
    pub new_employer: String,
    pub state: String,
    pub reason: Option<String>,
}

/// How a transfer is filed beyond the default (the holder's own, reviewed by the profile's stages).
#[derive(Default)]
pub(crate) struct Transfer {
    /// The province decides it alone (湖南's temporary transfers).
    pub province_alone: bool,
    /// A photo for the form, checked and re-encoded (the new enterprise's 人员寸照).
    pub photo: Option<erjian_domain::photo::PhotoInfo>,
}

impl Store {
    /// Files a change of employer to `new_employer` (its full registered name).
    pub async fn file_employer_change(&self, actor: &Actor, new_employer: &str, submit: bool, now: DateTime<Utc>) -> Result<i64> {
        if self.rules().employer_change_by_reregistration {
            return Err(Error::Conflict(
                "本省变更执业企业不单独办理：请先办理注销注册（本人申请、原聘用企业确认），再通过新聘用企业申请重新注册".into(),
            ));
        }
        let (_, reg) = self.own_registration_to_issue(actor, "您没有有效的注册，不能变更执业企业；请办理初始注册").await?;
        if self.rules().temporary_transfer_by_new_employer && reg.profession == "temp_constructor2" {
            return Err(Error::Conflict(
                "本省二级临时建造师变更由新聘用企业申报：请联系新聘用企业在企业端“二级临时建造师变更申报”中发起，原聘用企业同意转出后由省住房和城乡建设厅审核".into(),
            ));
        }
        let new = self.enterprise_by_name(new_employer).await?.ok_or_else(|| {
            Error::invalid("enterprise_name", format!("未找到名为“{}”的企业，请输入在本系统注册的企业全称", new_employer.trim()))
        })?;
        self.file_transfer(actor, &reg, &new, Transfer::default(), submit, now).await
    }

    /// Writes a change of employer of `reg` to `new` and asks the previous employer to consent.
    /// One transaction; the checks every transfer shares come first (not the same employer, age,
    /// not again within a year).
    pub(crate) async fn file_transfer(
        &self,
        actor: &Actor,
        reg: &crate::registry::Registration,
        new: &crate::registry::Enterprise,
        how: Transfer,
        submit: bool,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        if new.id == reg.enterprise_id {
            return Err(Error::invalid("enterprise_name", "新聘用企业与现聘用企业相同"));
        }
        let (prof, birth) = reg.holder_limits()?;
        erjian_domain::validity::check_age_for_registration(today(now), birth, prof.max_age).map_err(Error::Conflict)?;
        let year_ago = (today(now) - Duration::days(365)).to_string();
        let last: Option<(String,)> = sqlx::query_as(
            "SELECT on_date FROM registration_events WHERE registration_id = $1 AND kind = 'change_employer' AND on_date > $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(reg.id)
        .bind(&year_ago)
        .fetch_optional(&self.pool)
        .await?;
        if let Some((on,)) = last {
            return Err(Error::Conflict(format!("距上次变更执业企业（{on}）不足一年，不能再次变更")));
        }
        let detail = format!("变更执业企业：{} → {}", reg.enterprise_name, new.name);
        let held: Vec<String> = reg.specialties.iter().filter(|s| s.status == "active").map(|s| s.specialty_code.clone()).collect();
        let mut tx = self.write().await?;
        let follow_up = FollowUp {
            kind: "change_employer",
            registration: reg,
            enterprise_id: new.id,
            city_code: &new.city_code,
            specialties: &held,
            hours: (0, 0),
            detail: None,
            note: Some(&detail),
            province_alone: how.province_alone,
        };
        let id = self.insert_follow_up(&mut tx, actor, follow_up, now).await?;
        if let Some(photo) = &how.photo {
            sqlx::query("UPDATE applications SET photo = $2, photo_mime = $3 WHERE id = $1")
                .bind(id)
                .bind(self.sealer()?.seal(&photo.bytes))
                .bind(photo.mime)
                .execute(tx.conn())
                .await?;
        }
        // A corrected change asks the previous employer again.
        sqlx::query("DELETE FROM release_consents WHERE application_id = $1").bind(id).execute(tx.conn()).await?;
        sqlx::query("INSERT INTO release_consents (application_id, enterprise_id, state) VALUES ($1, $2, 'pending')")
            .bind(id)
            .bind(reg.enterprise_id)
            .execute(tx.conn())
            .await?;
        let body = if how.province_alone {
            format!(
                "{} 拟将注册（{}）转至 {}（新聘用企业申报），请在“待确认”中同意或不同意转出。",
                reg.person_name, reg.registration_number, new.name
            )
        } else {
            format!("{} 申请将注册（{}）转至 {}，请在“待确认”中同意或不同意转出。", reg.person_name, reg.registration_number, new.name)
        };
        let users = crate::notifications::enterprise_accounts(&mut tx, reg.enterprise_id).await?;
        let out = crate::notifications::Outgoing {
            kind: "consent_requested",
            body: &body,
            application_id: Some(id),
            link: Some("/portal?tab=pending".into()),
            dedupe: None,
        };
        if submit {
            crate::notifications::send(&mut tx, &users, &out, now).await?;
        }
        self.finish_follow_up(tx, actor, id, submit, now).await
    }

    /// Releases the previous employer is asked to consent to.
    pub async fn release_consents(&self, actor: &Actor) -> Result<Vec<ReleaseConsent>> {
        let Some(enterprise) = actor.enterprise_id.filter(|_| actor.role == Role::Enterprise) else { return Err(Error::Forbidden) };
        Ok(sqlx::query_as(
            "SELECT c.application_id, a.number AS application_number, p.name AS person_name, r.registration_number, e.name AS new_employer, c.state, c.reason
             FROM release_consents c JOIN applications a ON a.id = c.application_id JOIN persons p ON p.id = a.person_id
             JOIN registrations r ON r.id = a.registration_id JOIN enterprises e ON e.id = a.enterprise_id
             WHERE c.enterprise_id = $1 ORDER BY c.application_id DESC",
        )
        .bind(enterprise)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The previous employer consents to the release, or refuses with a reason.
    pub async fn decide_release(
        &self,
        actor: &Actor,
        application_id: i64,
        consent: bool,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Some(enterprise) = actor.enterprise_id.filter(|_| actor.role == Role::Enterprise) else { return Err(Error::Forbidden) };
        // What is decided before what was sent: a release that is not this enterprise's to decide
        // is "not found" whatever the reason says.
        let pending: Option<(i64,)> = sqlx::query_as(
            "SELECT application_id FROM release_consents WHERE application_id = $1 AND enterprise_id = $2 AND state = 'pending'",
        )
        .bind(application_id)
        .bind(enterprise)
        .fetch_optional(&self.pool)
        .await?;
        if pending.is_none() {
            return Err(Error::NotFound("转出申请不存在或已处理"));
        }
        let reason = crate::follow_up::reason_for_refusal(consent, reason, "不同意转出须填写理由")?;
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE release_consents SET state = $3, reason = $4, decided_at = $5 WHERE application_id = $1 AND enterprise_id = $2 AND state = 'pending'")
            .bind(application_id)
            .bind(enterprise)
            .bind(if consent { "given" } else { "refused" })
            .bind(reason)
            .bind(ts(now))
            .execute(tx.conn())
            .await?;
        if done.rows_affected() != 1 {
            return Err(Error::NotFound("转出申请不存在或已处理"));
        }
        let to = if consent { "given" } else { "refused" };
        audit::record(
            tx.conn(),
            now,
            Some(actor),
            Entry {
                from_state: Some("pending"),
                to_state: Some(to),
                reason,
                ..Entry::new("release_consent", "application", Some(application_id))
            },
        )
        .await?;
        let (person_id, number): (i64, String) =
            sqlx::query_as("SELECT person_id, number FROM applications WHERE id = $1").bind(application_id).fetch_one(tx.conn()).await?;
        let body = if consent {
            format!("原聘用企业已同意转出（申请 {number}），等待主管部门受理。")
        } else {
            format!("原聘用企业不同意转出（申请 {number}）。理由：{}", reason.unwrap_or_default())
        };
        let users = crate::notifications::person_accounts(&mut tx, person_id).await?;
        let out = crate::notifications::Outgoing {
            kind: if consent { "consent_given" } else { "consent_refused" },
            body: &body,
            application_id: Some(application_id),
            link: Some(format!("/applications/{application_id}")),
            dedupe: None,
        };
        crate::notifications::send(&mut tx, &users, &out, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Acceptance of a change of employer needs the previous employer's consent.
pub(crate) async fn check_release(tx: &mut Tx, application_id: i64) -> Result<()> {
    let row: Option<(String, Option<String>)> = sqlx::query_as("SELECT state, reason FROM release_consents WHERE application_id = $1")
        .bind(application_id)
        .fetch_optional(tx.conn())
        .await?;
    match row {
        Some((s, _)) if s == "given" => Ok(()),
        Some((s, r)) if s == "refused" => {
            Err(Error::Conflict(format!("原聘用企业不同意转出（{}），不能受理；请退回补正", r.unwrap_or_default())))
        }
        _ => Err(Error::Conflict("原聘用企业尚未同意转出，不能受理".into())),
    }
}

/// Applies an announced change of employer: the registration moves, validity kept, new certificate.
pub(crate) async fn apply_employer_change(
    tx: &mut Tx,
    issuer: &Issuer,
    app: &crate::applications::Application,
    now: DateTime<Utc>,
) -> Result<String> {
    let reg_id = app.registration_id.ok_or_else(|| Error::Other(anyhow::anyhow!("change {} without registration", app.number)))?;
    sqlx::query("UPDATE registrations SET enterprise_id = $2 WHERE id = $1")
        .bind(reg_id)
        .bind(app.enterprise_id)
        .execute(tx.conn())
        .await?;
    let cert =
        issue(tx, issuer, reg_id, Cause { application_id: Some(app.id), supersede_reason: "变更执业企业，已换发新证书" }, now).await?;
    record_event(tx, reg_id, "change_employer", &app.specialty_names(), Some(&format!("申请 {}", app.number)), Some(cert), now).await?;
    let (regno,): (String,) =
        sqlx::query_as("SELECT registration_number FROM registrations WHERE id = $1").bind(reg_id).fetch_one(tx.conn()).await?;
    Ok(regno)
}

/// A change of personal data (变更注册（个人信息）): a new name and/or a corrected ID number
/// (身份证号更正), with both sides of the ID card. An empty field means unchanged.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PersonalChange {
    #[serde(default)]
    pub new_name: String,
    #[serde(default)]
    pub new_id_number: String,
    pub id_front: Vec<u8>,
    pub id_back: Vec<u8>,
}

fn valid_name(name: &str) -> bool {
    let n = name.chars().count();
    (2..=20).contains(&n) && name.chars().all(|c| !c.is_ascii_digit() && !c.is_whitespace() && !c.is_ascii_punctuation() || c == '·')
}

impl Store {
    /// Files a change of name and/or an ID-number correction with ID card scans; signed, short
    /// review, applied at announcement.
    pub async fn file_personal_change(&self, actor: &Actor, change: &PersonalChange, submit: bool, now: DateTime<Utc>) -> Result<i64> {
        use erjian_domain::FieldError;
        let (_, reg) = self.own_registration_to_issue(actor, "您没有有效的注册，无需办理变更注册").await?;
        let mut errors = Vec::new();
        let typed_name = change.new_name.trim();
        let new_name = if typed_name.is_empty() { reg.person_name.as_str() } else { typed_name };
        if !typed_name.is_empty() && !valid_name(typed_name) {
            errors.push(FieldError::new("new_name", "请输入与身份证一致的新姓名（2–20个字）"));
        }
        let sealer = self.sealer()?;
        let (old_id,): (String,) =
            sqlx::query_as("SELECT id_number FROM persons WHERE id = $1").bind(reg.person_id).fetch_one(&self.pool).await?;
        let old_id = sealer.open_text(&old_id)?;
        let new_id = match change.new_id_number.trim() {
            "" => None,
            typed => match ResidentId::parse(typed) {
                Ok(id) if id.as_str() == old_id => {
                    errors.push(FieldError::new("new_id_number", "更正后的身份证号与现登记的相同"));
                    None
                }
                Ok(id) => {
                    // Told at once; at announcement the unique constraint is the guarantee.
                    let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM persons WHERE id_key = $1")
                        .bind(sealer.id_key(id.as_str()))
                        .fetch_optional(&self.pool)
                        .await?;
                    if taken.is_some() {
                        errors.push(FieldError::new("new_id_number", "该身份证号已属于系统中的另一人员，请核实"));
                    }
                    Some(id)
                }
                Err(e) => {
                    errors.push(FieldError::new("new_id_number", e.to_string()));
                    None
                }
            },
        };
        if typed_name.is_empty() && change.new_id_number.trim().is_empty() {
            errors.push(FieldError::new("new_name", "请填写新姓名或更正后的身份证号（至少一项）"));
        }
        let front = erjian_domain::photo::check_scan(&change.id_front, "身份证人像面")
            .map_err(|m| errors.push(FieldError::new("id_front", m)))
            .ok();
        let back =
            erjian_domain::photo::check_scan(&change.id_back, "身份证国徽面").map_err(|m| errors.push(FieldError::new("id_back", m))).ok();
        if !typed_name.is_empty() && reg.person_name == typed_name {
            errors.push(FieldError::new("new_name", "新姓名与现姓名相同"));
        }
        let (Some(front), Some(back), true) = (front, back, errors.is_empty()) else { return Err(Error::Invalid(errors)) };
        // The numbers sealed, as everywhere they are stored.
        let new_id_text = new_id.as_ref().map(|i| sealer.seal_text(i.as_str()));
        let detail = serde_json::json!({ "old_name": reg.person_name, "new_name": new_name, "old_id_number": sealer.seal_text(&old_id), "new_id_number": new_id_text })
            .to_string();
        let mut parts = Vec::new();
        if new_name != reg.person_name {
            parts.push(format!("变更姓名：{} → {new_name}", reg.person_name));
        }
        if let Some(id) = &new_id {
            parts.push(format!("更正身份证号：{} → {}", ResidentId::parse(&old_id).map(|o| o.masked()).unwrap_or_default(), id.masked()));
        }
        let note = parts.join("；");
        let held: Vec<String> = reg.specialties.iter().filter(|s| s.status == "active").map(|s| s.specialty_code.clone()).collect();
        let (enterprise_id, city_code) = match self.enterprise(reg.enterprise_id).await? {
            Some(e) => (e.id, e.city_code),
            None => return Err(Error::NotFound("企业不存在")),
        };
        let mut tx = self.write().await?;
        let follow_up = FollowUp {
            kind: "change_personal",
            registration: &reg,
            enterprise_id,
            city_code: &city_code,
            specialties: &held,
            hours: (0, 0),
            detail: Some(&detail),
            note: Some(&note),
            province_alone: false,
        };
        let id = self.insert_follow_up(&mut tx, actor, follow_up, now).await?;
        // The scans as decoded and re-encoded, never the uploaded bytes; a corrected form
        // replaces the earlier scans.
        sqlx::query("DELETE FROM application_attachments WHERE application_id = $1 AND kind IN ('id_front', 'id_back')")
            .bind(id)
            .execute(tx.conn())
            .await?;
        for (kind, scan) in [("id_front", front), ("id_back", back)] {
            sqlx::query("INSERT INTO application_attachments (application_id, kind, mime, bytes, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(kind)
                .bind(scan.mime)
                .bind(self.sealer()?.seal(&scan.bytes))
                .bind(ts(now))
                .execute(tx.conn())
                .await?;
        }
        self.finish_follow_up(tx, actor, id, submit, now).await
    }
}

/// Applies an announced change of name: the person's name (and account display name) change,
/// and a new certificate carries it.
pub(crate) async fn apply_personal_change(
    tx: &mut Tx,
    issuer: &Issuer,
    app: &crate::applications::Application,
    now: DateTime<Utc>,
) -> Result<String> {
    let reg_id = app.registration_id.ok_or_else(|| Error::Other(anyhow::anyhow!("change {} without registration", app.number)))?;
    let (detail,): (Option<String>,) =
        sqlx::query_as("SELECT detail FROM applications WHERE id = $1").bind(app.id).fetch_one(tx.conn()).await?;
    let v: serde_json::Value = serde_json::from_str(detail.as_deref().unwrap_or("{}")).map_err(|e| Error::Other(e.into()))?;
    let new_name = v["new_name"].as_str().ok_or_else(|| Error::Other(anyhow::anyhow!("change {} without a new name", app.number)))?;
    sqlx::query("UPDATE persons SET name = $2 WHERE id = $1").bind(app.person_id).bind(new_name).execute(tx.conn()).await?;
    // The name search reads the name kept on each application.
    sqlx::query("UPDATE applications SET person_name = $2 WHERE person_id = $1")
        .bind(app.person_id)
        .bind(new_name)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE users SET display_name = $2 WHERE person_id = $1").bind(app.person_id).bind(new_name).execute(tx.conn()).await?;
    let opened = |k: &str| v[k].as_str().map(|t| issuer.sealer.open_text(t)).transpose();
    let new_id = opened("new_id_number")?;
    if let (Some(old), Some(new)) = (opened("old_id_number")?, &new_id) {
        correct_id_number(tx, &issuer.sealer, app.person_id, &old, new).await?;
    }
    // The qualification register names the person as they are now (its records are found by
    // name and number together).
    sqlx::query("UPDATE qualifications SET name = $2 WHERE id_key = (SELECT id_key FROM persons WHERE id = $1)")
        .bind(app.person_id)
        .bind(new_name)
        .execute(tx.conn())
        .await?;
    let cert =
        issue(tx, issuer, reg_id, Cause { application_id: Some(app.id), supersede_reason: "变更个人信息，已换发新证书" }, now).await?;
    let mut note = Vec::new();
    let old_name = v["old_name"].as_str().unwrap_or("");
    if old_name != new_name {
        note.push(format!("姓名由“{old_name}”变更为“{new_name}”"));
    }
    if let Some(new) = new_id.as_deref().and_then(|n| ResidentId::parse(n).ok()) {
        note.push(format!("身份证号更正为 {}", new.masked()));
    }
    let note = format!("{}（申请 {}）", note.join("，"), app.number);
    record_event(tx, reg_id, "change_personal", &app.specialty_names(), Some(&note), Some(cert), now).await?;
    let (regno,): (String,) =
        sqlx::query_as("SELECT registration_number FROM registrations WHERE id = $1").bind(reg_id).fetch_one(tx.conn()).await?;
    Ok(regno)
}

/// Corrects a person's ID number everywhere it identifies them: the person (gender and birth
/// date follow from the number), the login name and the qualification records. Another person
/// holding the number is refused by the unique constraints.
async fn correct_id_number(tx: &mut Tx, sealer: &crate::sealing::Sealer, person_id: i64, old: &str, new: &str) -> Result<()> {
    let id = ResidentId::parse(new).map_err(|e| Error::Other(anyhow::anyhow!("stored ID number: {e}")))?;
    let taken = "更正后的身份证号已属于系统中的另一人员，请核实后重新申请";
    let sealed = sealer.seal_id(id.as_str());
    sqlx::query("UPDATE persons SET id_number = $2, id_key = $5, id_masked = $6, gender = $3, birth_date = $4 WHERE id = $1")
        .bind(person_id)
        .bind(&sealed.sealed)
        .bind(id.gender().label())
        .bind(id.birth_date().to_string())
        .bind(&sealed.key)
        .bind(&sealed.masked)
        .execute(tx.conn())
        .await
        .map_err(|e| crate::accounts::unique_to(e, taken))?;
    sqlx::query("UPDATE users SET username = $2 WHERE person_id = $1 AND username = $3")
        .bind(person_id)
        .bind(sealer.person_login(id.as_str()))
        .bind(sealer.person_login(old))
        .execute(tx.conn())
        .await
        .map_err(|e| crate::accounts::unique_to(e, taken))?;
    sqlx::query("UPDATE qualifications SET id_number = $2, id_key = $3 WHERE id_key = $1")
        .bind(sealer.id_key(old))
        .bind(&sealed.sealed)
        .bind(&sealed.key)
        .execute(tx.conn())
        .await
        .map_err(|e| crate::accounts::unique_to(e, taken))?;
    Ok(())
}

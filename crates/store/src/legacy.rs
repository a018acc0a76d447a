//! The existing register (存量注册) and the first things its people do: the authority's import
//! of registrations from the previous system (people holding paper certificates, and temporary
//! constructors, who have no initial registration), the exchange of a paper certificate for the
//! first electronic one (纸质证书换领电子证书), and the new-version exchange (换领新版电子证书)
//! where the profile offers it. Exchanges need no review: each is one transaction that issues
//! the certificate and records the event.

use crate::audit::{self, Entry};
use crate::certificates::{issue, Cause, Issuer};
use crate::db::{today, ts, Tx};
use crate::error::{Error, Result};
use crate::lifecycle::{held_specialties, names, record_event};
use crate::qualifications::ImportError;
use crate::{Actor, Store};
use chrono::{DateTime, Utc};
use erjian_domain::legacy::{parse_csv, LegacyRegistration};
use erjian_domain::qualification::RowError;

impl Store {
    /// Imports the previous system's registrations in one transaction: every row is checked
    /// (enterprise known, person's name consistent, number and person-profession unique, by the
    /// constraints) and a file with any bad row imports nothing. No certificate is issued: the
    /// holders exchange their paper certificates themselves.
    /// `province` is the deployment's code, used where a number does not carry its own.
    pub async fn import_registrations(
        &self,
        actor: Option<&Actor>,
        province: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<usize, ImportError> {
        let regs = parse_csv(bytes).map_err(ImportError::Rows)?;
        let sealer = self.sealer()?;
        let mut tx = self.write().await?;
        let mut errors = Vec::new();
        for r in &regs {
            if let Err(message) = insert_legacy(&mut tx, sealer, province, r, now).await.map_err(ImportError::Store)? {
                errors.push(RowError { line: r.line, message });
            }
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(errors)); // dropping the transaction rolls it back
        }
        let detail = format!("导入{}条存量注册", regs.len());
        audit::record(tx.conn(), now, actor, Entry { detail: Some(&detail), ..Entry::new("import_registrations", "registration", None) })
            .await?;
        tx.commit().await?;
        Ok(regs.len())
    }

    /// Exchanges the holder's paper certificate for the first electronic one: the holder uploads a
    /// 1-inch photo and confirms the registered data. Returns the e-licence identifier.
    pub async fn exchange_paper_certificate(
        &self,
        actor: &Actor,
        issuer: &Issuer,
        photo: &[u8],
        confirmed: bool,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let (person_id, reg) = self.own_registration_to_issue(actor, "您没有有效的注册，不能换领电子证书").await?;
        if !confirmed {
            return Err(Error::invalid("confirm", "请核对注册信息无误后勾选“本人确认以上注册信息准确无误”"));
        }
        let info = erjian_domain::photo::check_photo(photo).map_err(|m| Error::invalid("photo", m))?;
        let mut tx = self.write().await?;
        let held = lock_and_count(&mut tx, reg.id).await?;
        if held > 0 {
            return Err(Error::Conflict("您的注册已有电子证书，无需换领；证书损坏或信息有误请办理“重新制证”".into()));
        }
        let day = today(now).to_string();
        if !reg.specialties.iter().any(|s| s.status == "active" && s.valid_until >= day) {
            return Err(Error::Conflict("注册已过有效期，不能换领电子证书，请先办理注销后重新注册".into()));
        }
        sqlx::query("UPDATE persons SET photo = $2, photo_mime = $3 WHERE id = $1")
            .bind(person_id)
            .bind(issuer.sealer.seal(&info.bytes))
            .bind(info.mime)
            .execute(tx.conn())
            .await?;
        let licence = finish(&mut tx, actor, issuer, reg.id, "paper_exchange", "纸质证书换领电子证书", "", now).await?;
        tx.commit().await?;
        Ok(licence)
    }

    /// Exchanges the holder's electronic certificate for the new version (上海): the holder
    /// uploads a handwritten-signature image, printed on the new file; validity is unchanged and
    /// the old file is superseded. Once a day.
    pub async fn exchange_new_version(&self, actor: &Actor, issuer: &Issuer, signature: &[u8], now: DateTime<Utc>) -> Result<String> {
        if !issuer.profile.new_version_exchange {
            return Err(Error::Conflict(format!("{}未开展换领新版电子证书业务", issuer.profile.name)));
        }
        let (person_id, reg) = self.own_registration_to_issue(actor, "您没有有效的注册，不能换领新版电子证书").await?;
        let signature = erjian_domain::photo::check_mark(signature, "本人手写签名图片").map_err(|m| Error::invalid("signature", m))?.bytes;
        let mut tx = self.write().await?;
        // 上海 notice 二: “对已注册的,证书在有效期内且尚未办理其他申请事项的二级注册人员自助换领新版注册证书”.
        let open: Option<(String, String)> =
            sqlx::query_as("SELECT number, kind FROM applications WHERE open_person_id = $1 ORDER BY id DESC LIMIT 1")
                .bind(person_id)
                .fetch_optional(tx.conn())
                .await?;
        if let Some((number, kind)) = open {
            return Err(Error::Conflict(format!(
                "您有尚未办结的申请事项（{}，申请编号 {number}），办结或撤回后才能换领新版电子证书",
                crate::lifecycle::kind_label(&kind)
            )));
        }
        if lock_and_count(&mut tx, reg.id).await? == 0 {
            return Err(Error::Conflict("您还没有电子证书，请先办理“纸质证书换领电子证书”".into()));
        }
        let (done_today,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM registration_events WHERE registration_id = $1 AND kind = 'new_version' AND on_date = $2")
                .bind(reg.id)
                .bind(today(now).to_string())
                .fetch_one(tx.conn())
                .await?;
        if done_today > 0 {
            return Err(Error::Conflict("今日已换领过新版电子证书，请明日再办理".into()));
        }
        sqlx::query("UPDATE persons SET signature_image = $2 WHERE id = $1")
            .bind(person_id)
            .bind(issuer.sealer.seal(&signature))
            .execute(tx.conn())
            .await?;
        let licence =
            finish(&mut tx, actor, issuer, reg.id, "new_version", "换领新版电子证书（含本人签名）", "已换领新版电子证书", now).await?;
        tx.commit().await?;
        Ok(licence)
    }
}

/// Locks the registration's row (concurrent exchanges queue here) and counts its certificates.
async fn lock_and_count(tx: &mut Tx, registration_id: i64) -> Result<i64> {
    sqlx::query("UPDATE registrations SET status = status WHERE id = $1").bind(registration_id).execute(tx.conn()).await?;
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM certificates WHERE registration_id = $1").bind(registration_id).fetch_one(tx.conn()).await?;
    Ok(n)
}

/// Issues the certificate, records the event and the audit row; returns the e-licence identifier.
#[allow(clippy::too_many_arguments)]
async fn finish(
    tx: &mut Tx,
    actor: &Actor,
    issuer: &Issuer,
    reg_id: i64,
    kind: &str,
    detail: &str,
    supersede_reason: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let cert = issue(tx, issuer, reg_id, Cause { application_id: None, supersede_reason }, now).await?;
    let held: Vec<String> = held_specialties(tx.conn(), reg_id).await?.into_iter().map(|h| h.0).collect();
    record_event(tx, reg_id, kind, &names(&held), Some(detail), Some(cert), now).await?;
    audit::record(tx.conn(), now, Some(actor), Entry { detail: Some(detail), ..Entry::new(kind, "registration", Some(reg_id)) }).await?;
    let (licence,): (String,) = sqlx::query_as("SELECT licence_id FROM certificates WHERE id = $1").bind(cert).fetch_one(tx.conn()).await?;
    Ok(licence)
}

/// Writes one imported registration; `Ok(Err(message))` is a row the file must not contain.
async fn insert_legacy(
    tx: &mut Tx,
    sealer: &crate::sealing::Sealer,
    province: &str,
    r: &LegacyRegistration,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(), String>> {
    let enterprise: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM enterprises WHERE credit_code = $1").bind(&r.credit_code).fetch_optional(tx.conn()).await?;
    let Some((enterprise_id,)) = enterprise else {
        return Ok(Err(format!("统一社会信用代码为 {} 的企业尚未在系统中登记，请先登记企业", r.credit_code)));
    };
    let id = &r.id_number;
    let sealed = sealer.seal_id(id.as_str());
    sqlx::query(
        "INSERT INTO persons (id_number, id_key, id_masked, name, gender, birth_date, mobile, created_at) VALUES ($1, $6, $7, $2, $3, $4, '', $5) ON CONFLICT (id_key) DO NOTHING",
    )
    .bind(&sealed.sealed)
    .bind(&r.name)
    .bind(id.gender().label())
    .bind(id.birth_date().to_string())
    .bind(ts(now))
    .bind(&sealed.key)
    .bind(&sealed.masked)
    .execute(tx.conn())
    .await?;
    let (person_id, name): (i64, String) =
        sqlx::query_as("SELECT id, name FROM persons WHERE id_key = $1").bind(&sealed.key).fetch_one(tx.conn()).await?;
    if name != r.name {
        return Ok(Err(format!("身份证号 {} 已登记为“{name}”，与本行姓名“{}”不符", id.masked(), r.name)));
    }
    // The province of first registration: digits 2–3 after the level digit (皖2|34|…, 沪2|31|…).
    let digits: Vec<char> = r.registration_number.chars().skip(1).take(3).collect();
    let first_province = match digits.as_slice() {
        ['2', a, b] if a.is_ascii_digit() && b.is_ascii_digit() => format!("{a}{b}"),
        _ => province.to_owned(),
    };
    let inserted: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO registrations (registration_number, person_id, enterprise_id, profession, province_code, status, first_registered_on, created_at)
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $7) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(&r.registration_number)
    .bind(person_id)
    .bind(enterprise_id)
    .bind(r.profession.code)
    .bind(&first_province)
    .bind(r.first_registered_on().to_string())
    .bind(ts(now))
    .fetch_optional(tx.conn())
    .await?;
    let Some((reg_id,)) = inserted else {
        return Ok(Err(format!("注册编号 {} 已存在，或此人已有{}注册", r.registration_number, r.profession.name)));
    };
    for (code, from, until) in &r.specialties {
        sqlx::query("INSERT INTO registration_specialties (registration_id, specialty_code, valid_from, valid_until, status) VALUES ($1, $2, $3, $4, 'active')")
            .bind(reg_id)
            .bind(*code)
            .bind(from.to_string())
            .bind(until.to_string())
            .execute(tx.conn())
            .await?;
    }
    let codes: Vec<String> = r.specialties.iter().map(|s| s.0.to_owned()).collect();
    record_event(tx, reg_id, "legacy_import", &names(&codes), Some("存量注册导入（持纸质证书）"), None, now).await?;
    Ok(Ok(()))
}

//! The holder's cancellation form (注销注册申请表, Gansu manual 5.4.1–5.4.2): written and signed by
//! the applicant when the request is filed (“个人数字签署完成后，通知注册企业完成企业数字签名”), sealed
//! by the employing enterprise when it confirms, the second signer checking the first; then the
//! cancellation takes effect (“完成注销注册（无需窗口受理）”) and the signed form can be downloaded by
//! both parties and the authorities, as OFD or PDF. Kept sealed at rest (it names the ID number).

use crate::db::{today, Tx};
use crate::error::{Error, Result};
use crate::registry::Registration;
use crate::signing::{form_signatures, Owner};
use crate::{next_serial, Actor, Store};
use chrono::{DateTime, Utc};
use erjian_cert::form::{form_document, FormData, APPLICANT_BOX, ENTERPRISE_BOX};
use erjian_domain::workflow::Role;
use erjian_ofd::seal::{sign, SealSigner, Stamp};
use erjian_ofd::Package;

/// What the form says: the request's registration, specialties and reason.
pub(crate) struct CancelForm<'a> {
    pub reg: &'a Registration,
    /// Specialty codes (empty: all held).
    pub specialties: &'a [String],
    pub reason: &'a str,
}

/// The form's data, read from the person, the enterprise and the registration.
async fn form_data(tx: &mut Tx, store: &Store, f: &CancelForm<'_>, number: String, now: DateTime<Utc>) -> Result<FormData> {
    let sealer = store.sealer()?;
    let (gender, birth, mobile): (String, String, String) =
        sqlx::query_as("SELECT gender, birth_date, mobile FROM persons WHERE id = $1").bind(f.reg.person_id).fetch_one(tx.conn()).await?;
    let (credit_code,): (String,) =
        sqlx::query_as("SELECT credit_code FROM enterprises WHERE id = $1").bind(f.reg.enterprise_id).fetch_one(tx.conn()).await?;
    let held = f.reg.specialties.iter().filter(|s| s.status == "active");
    let mut current = vec![("现注册编号".to_owned(), f.reg.registration_number.clone())];
    current.extend(held.clone().map(|s| ("现注册专业".to_owned(), format!("{}（有效期至 {}）", s.name(), s.valid_until))));
    let cancelled: Vec<(String, String)> = held
        .filter(|s| f.specialties.is_empty() || f.specialties.contains(&s.specialty_code))
        .map(|s| (s.name().to_owned(), String::new()))
        .collect();
    let reason = erjian_domain::lifecycle::cancellation_reason(f.reason).unwrap_or("其他情形");
    Ok(FormData {
        profession: erjian_domain::profession::profession(&f.reg.profession).map(|p| p.name).unwrap_or("二级注册建造师").to_owned(),
        number,
        kind: "注销注册".into(),
        name: f.reg.person_name.clone(),
        gender,
        birth_date: birth,
        id_number: f.reg.id_number.clone(),
        mobile: sealer.open_text(&mobile)?,
        enterprise: f.reg.enterprise_name.clone(),
        credit_code,
        specialties: cancelled,
        ce_compulsory: 0,
        ce_elective: 0,
        date: today(now),
        specialty_label: "申请注销专业".into(),
        current,
        changes: vec![],
        attachments: vec![],
        cancellation_reason: Some(reason.to_owned()),
        opinions: None,
    })
}

impl Store {
    /// Opens the actor's signing key (a person's or an enterprise's) with the PIN, failures
    /// counted, before the transaction that signs the form.
    pub(crate) async fn signer_of(&self, actor: &Actor, pin: &str, now: DateTime<Utc>) -> Result<SealSigner> {
        Ok(self.unlock(Owner::of(actor)?, pin, now).await?.1)
    }

    /// Numbers the form, writes it, signs it as the applicant and keeps it with request `id`.
    pub(crate) async fn write_signed_form(
        &self,
        tx: &mut Tx,
        id: i64,
        f: &CancelForm<'_>,
        signer: &SealSigner,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let serial = next_serial(tx.conn(), "cancel-form").await?;
        let number = format!("ZX{}{serial:06}", today(now).format("%Y%m%d"));
        let data = form_data(tx, self, f, number.clone(), now).await?;
        let mut pkg = form_document(&data).to_package();
        let stamp = Stamp { page: 0, boundary: APPLICANT_BOX };
        sign(&mut pkg, signer, &stamp, now).map_err(|e| Error::Other(e.into()))?;
        let kept = serde_json::to_vec(&data).map_err(|e| Error::Other(e.into()))?;
        sqlx::query("UPDATE cancel_requests SET form_number = $2, form_ofd = $3, form_data = $4 WHERE id = $1")
            .bind(id)
            .bind(&number)
            .bind(self.sealer()?.seal(&pkg.to_bytes()))
            .bind(self.sealer()?.seal(&kept))
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    /// The enterprise's seal over the applicant's signed form of request `id`: the applicant's
    /// signature must be there and valid (the holder's document number) first. A request filed
    /// before forms were kept has none: nothing to seal.
    pub(crate) async fn seal_request_form(
        &self,
        tx: &mut Tx,
        id: i64,
        applicant_serial: &str,
        signer: &SealSigner,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (form,): (Option<Vec<u8>>,) =
            sqlx::query_as("SELECT form_ofd FROM cancel_requests WHERE id = $1").bind(id).fetch_one(tx.conn()).await?;
        let Some(form) = self.sealer()?.open_opt(form)? else { return Ok(()) };
        let mut pkg = Package::from_bytes(&form).map_err(|e| Error::Other(e.into()))?;
        let views = form_signatures(tx.conn(), &pkg, now).await?;
        if views.len() != 1 || !views[0].valid || views[0].serial != applicant_serial {
            return Err(Error::Conflict("申请人签名无效或缺失，请退回申请人重新申请".into()));
        }
        sign(&mut pkg, signer, &Stamp { page: 0, boundary: ENTERPRISE_BOX }, now).map_err(|e| Error::Other(e.into()))?;
        sqlx::query("UPDATE cancel_requests SET form_ofd = $2 WHERE id = $1")
            .bind(id)
            .bind(self.sealer()?.seal(&pkg.to_bytes()))
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    /// A request's signed form (number, OFD) for the holder, the enterprise, or an authority (a
    /// city: its own city's enterprises).
    pub async fn cancel_request_form(&self, actor: &Actor, id: i64) -> Result<(String, Vec<u8>)> {
        type Row = (i64, i64, String, Option<String>, Option<Vec<u8>>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT q.person_id, q.enterprise_id, e.city_code, q.form_number, q.form_ofd
             FROM cancel_requests q JOIN enterprises e ON e.id = q.enterprise_id WHERE q.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let missing = Error::NotFound("注销申请表不存在或您无权查看");
        let Some((person, enterprise, city, number, form)) = row else { return Err(missing) };
        let may = match actor.role {
            Role::Individual => actor.person_id == Some(person),
            Role::Enterprise => actor.enterprise_id == Some(enterprise),
            Role::CityAuthority => actor.city_code.as_deref() == Some(city.as_str()),
            Role::ProvinceAuthority => true,
            _ => false,
        };
        match (may, number, self.sealer()?.open_opt(form)?) {
            (true, Some(number), Some(form)) => Ok((number, form)),
            _ => Err(missing),
        }
    }

    /// The PDF view of a request's form, drawn from the data it was made of, with the valid
    /// signatures so far in place.
    pub async fn cancel_request_form_pdf(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<(String, Vec<u8>)> {
        let (number, form) = self.cancel_request_form(actor, id).await?;
        let pkg = Package::from_bytes(&form).map_err(|e| Error::Other(e.into()))?;
        let mut conn = self.pool.acquire().await?;
        let views = form_signatures(&mut conn, &pkg, now).await?;
        let (data, person_id): (Option<Vec<u8>>, i64) =
            sqlx::query_as("SELECT form_data, person_id FROM cancel_requests WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
        let data = self.sealer()?.open_opt(data)?.ok_or(Error::NotFound("注销申请表不存在或您无权查看"))?;
        let data: FormData = serde_json::from_slice(&data).map_err(|e| Error::Other(e.into()))?;
        let (image,): (Option<Vec<u8>>,) =
            sqlx::query_as("SELECT signature_image FROM persons WHERE id = $1").bind(person_id).fetch_one(&mut *conn).await?;
        let image = self.sealer()?.open_opt(image)?;
        let signed = |serial: &str| views.iter().any(|v| v.valid && v.serial == serial);
        let pdf = erjian_cert::form::form_pdf(&data, signed(&data.id_number), signed(&data.credit_code), image.as_deref())
            .map_err(|e| Error::Other(anyhow::anyhow!("{e}")))?;
        Ok((number, pdf))
    }
}

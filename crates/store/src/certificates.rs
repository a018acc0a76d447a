//! Electronic certificates: the deployment authority's keys (created once, private keys sealed),
//! issuing a sealed OFD when a registration is created (inside the same transaction), reading
//! certificate files under the tenant rule, and the live status that verification pages show.

use crate::db::{is_unique_violation, today, ts, Tx};
use crate::error::{Error, Result};
use crate::{next_serial, Actor, Store};
use chrono::{DateTime, Utc};
use erjian_cert::authority::StoredAuthority;
use erjian_cert::statement::{QrStatement, ServiceKey, AUDIT_PURPOSE, QR_PURPOSE, STATUS_LIST_PURPOSE};
use erjian_cert::{Authority, CertificateData};
use erjian_domain::licence::{LicenceId, CONSTRUCTOR2_TYPE};

/// The e-licence type of a profession's certificates (C0215-2019, C0253-2021, C0252-2021).
fn licence_type(profession: &str) -> &'static str {
    erjian_domain::profession::profession(profession).map(|p| p.licence_type).unwrap_or(CONSTRUCTOR2_TYPE)
}
use erjian_domain::province::ProvinceProfile;
use erjian_domain::workflow::Role;
use erjian_ofd::crypto::{derive_key, open_secret, seal_secret, KeyPair};

/// What issuing certificates needs: the authority's keys, its profile, and the public address
/// that verification QR codes point to.
pub struct Issuer {
    pub authority: Authority,
    pub profile: ProvinceProfile,
    pub public_url: String,
    /// Signs the statement in every certificate's QR code.
    pub qr_key: ServiceKey,
    /// Signs the published status list.
    pub list_key: ServiceKey,
    /// Signs the audit log's checkpoints.
    pub audit_key: ServiceKey,
    /// Opens and seals the personal data a certificate is made from.
    pub sealer: crate::sealing::Sealer,
}

/// One issued certificate file (without its bytes).
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Certificate {
    pub id: i64,
    pub registration_id: i64,
    pub application_id: Option<i64>,
    pub licence_id: String,
    pub certificate_no: String,
    pub version: i64,
    pub status: String,
    pub status_reason: Option<String>,
    pub superseded_by: Option<i64>,
    pub issued_at: String,
    pub claimed_at: Option<String>,
    pub registration_number: String,
    pub person_id: i64,
    pub enterprise_id: i64,
    pub holder_name: String,
    /// The holder's document number, masked: certificate rows serve public pages, which never
    /// open the sealed number.
    pub id_masked: String,
    pub enterprise_name: String,
    pub registration_status: String,
    /// The end of the e-licence use period, where the province has one.
    pub use_until: Option<String>,
}

pub(crate) const CERT_SELECT: &str = "SELECT c.id, c.registration_id, c.application_id, c.licence_id, c.certificate_no, c.version, c.status, c.status_reason, c.superseded_by, c.issued_at, c.claimed_at,
    r.registration_number, r.person_id, r.enterprise_id, p.name AS holder_name, p.id_masked, e.name AS enterprise_name, r.status AS registration_status, c.use_until
    FROM certificates c JOIN registrations r ON r.id = c.registration_id JOIN persons p ON p.id = r.person_id JOIN enterprises e ON e.id = r.enterprise_id";

impl Certificate {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "valid" => "有效",
            "superseded" => "已失效（已被新证书替代）",
            "cancelled" => "已注销",
            "revoked" => "已撤销",
            "suspended" => "暂扣",
            "expired" => "已过期",
            _ => "未知",
        }
    }

    pub fn status_code(&self) -> &'static str {
        match self.status.as_str() {
            "valid" => "valid",
            "superseded" => "superseded",
            "cancelled" => "cancelled",
            "revoked" => "revoked",
            "suspended" => "suspended",
            "expired" => "expired",
            _ => "unknown",
        }
    }

    pub fn masked_id(&self) -> String {
        self.id_masked.clone()
    }

    pub fn issued_display(&self) -> String {
        crate::db::show_ts(&self.issued_at)
    }
}

impl Store {
    /// Loads the authority's keys, creating them on first start. Two processes starting at once
    /// race on the primary key; the loser loads the winner's keys.
    pub async fn load_or_create_authority(&self, profile: &ProvinceProfile, master: &[u8], now: DateTime<Utc>) -> Result<Authority> {
        type Row = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);
        let load = |r: Row| StoredAuthority { root_cert: r.0, root_secret_sealed: r.1, seal_cert: r.2, seal_secret_sealed: r.3, seal: r.4 };
        let sql = "SELECT root_cert, root_secret_sealed, seal_cert, seal_secret_sealed, seal FROM deployment_keys WHERE purpose = $1";
        let purpose = format!("authority:{}", profile.code);
        if let Some(r) = sqlx::query_as::<_, Row>(sql).bind(&purpose).fetch_optional(&self.pool).await? {
            return Authority::load(profile.authority_name, profile.authority_code, &load(r), master)
                .map_err(|e| Error::Other(anyhow::anyhow!("cannot unlock the authority's keys (wrong master key?): {e}")));
        }
        let (auth, s) = Authority::create(profile.authority_name, profile.authority_code, master, now);
        let inserted = sqlx::query("INSERT INTO deployment_keys (purpose, root_cert, root_secret_sealed, seal_cert, seal_secret_sealed, seal, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&purpose)
            .bind(s.root_cert)
            .bind(s.root_secret_sealed)
            .bind(s.seal_cert)
            .bind(s.seal_secret_sealed)
            .bind(s.seal)
            .bind(ts(now))
            .execute(&self.pool)
            .await;
        match inserted {
            Ok(_) => Ok(auth),
            Err(e) if is_unique_violation(&e) => Box::pin(self.load_or_create_authority(profile, master, now)).await,
            Err(e) => Err(e.into()),
        }
    }

    /// Everything issuing needs: the authority's keys and the two statement keys, each created
    /// on first start and stored sealed under the master key.
    /// The deployment's keys, all from the master key: the authority's, the service keys, and (if
    /// [`Store::with_master_key`] has not set them yet) the personal-data keys.
    pub async fn issuer(&self, profile: &ProvinceProfile, master: &[u8], public_url: String, now: DateTime<Utc>) -> Result<Issuer> {
        if self.sealer.get().is_none() {
            self.set_master_key(master).await?;
        }
        let authority = self.load_or_create_authority(profile, master, now).await?;
        let qr_key = self.service_key(&authority, profile, QR_PURPOSE, master, now).await?;
        let list_key = self.service_key(&authority, profile, STATUS_LIST_PURPOSE, master, now).await?;
        let audit_key = self.service_key(&authority, profile, AUDIT_PURPOSE, master, now).await?;
        Ok(Issuer { authority, profile: *profile, public_url, qr_key, list_key, audit_key, sealer: self.sealer()?.clone() })
    }

    async fn service_key(
        &self,
        authority: &Authority,
        profile: &ProvinceProfile,
        purpose: &str,
        master: &[u8],
        now: DateTime<Utc>,
    ) -> Result<ServiceKey> {
        let name = format!("{purpose}:{}", profile.code);
        let wrap = derive_key(master, &format!("service-key:{name}"));
        let found: Option<(Vec<u8>, Vec<u8>)> = sqlx::query_as("SELECT cert, secret_sealed FROM service_keys WHERE purpose = $1")
            .bind(&name)
            .fetch_optional(&self.pool)
            .await?;
        if let Some((cert, sealed)) = found {
            let secret = open_secret(&wrap, &sealed).map_err(|e| Error::Other(anyhow::anyhow!("cannot unlock service key {name}: {e}")))?;
            let key = KeyPair::from_secret(&secret).map_err(|e| Error::Other(anyhow::anyhow!("{e}")))?;
            return Ok(ServiceKey { key, cert });
        }
        let serial = u64::from_be_bytes(rand::random::<[u8; 8]>()) >> 1;
        let sk = authority.issue_service_key(purpose, serial, now);
        let inserted = sqlx::query("INSERT INTO service_keys (purpose, cert, secret_sealed, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&name)
            .bind(sk.cert.clone())
            .bind(seal_secret(&wrap, &sk.key.secret()))
            .bind(ts(now))
            .execute(&self.pool)
            .await;
        match inserted {
            Ok(_) => Ok(sk),
            Err(e) if is_unique_violation(&e) => Box::pin(self.service_key(authority, profile, purpose, master, now)).await,
            Err(e) => Err(e.into()),
        }
    }

    pub async fn certificates_of_registration(&self, registration_id: i64) -> Result<Vec<Certificate>> {
        Ok(sqlx::query_as(&format!("{CERT_SELECT} WHERE c.registration_id = $1 ORDER BY c.version DESC"))
            .bind(registration_id)
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn certificate_by_licence(&self, licence_id: &str) -> Result<Option<Certificate>> {
        Ok(sqlx::query_as(&format!("{CERT_SELECT} WHERE c.licence_id = $1")).bind(licence_id).fetch_optional(&self.pool).await?)
    }

    /// The e-licence identifier of the certificate at a status-list index (fixed at issuance,
    /// unique): how a compact QR statement names its certificate.
    pub async fn licence_at_status_index(&self, index: i64) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT licence_id FROM certificates WHERE status_index = $1").bind(index).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.0))
    }

    pub async fn certificate(&self, id: i64) -> Result<Option<Certificate>> {
        Ok(sqlx::query_as(&format!("{CERT_SELECT} WHERE c.id = $1")).bind(id).fetch_optional(&self.pool).await?)
    }

    /// The current (valid) certificate of a registration number, with its file.
    pub async fn current_certificate(&self, registration_number: &str) -> Result<Option<(Certificate, Vec<u8>)>> {
        let c: Option<Certificate> = sqlx::query_as(&format!(
            "{CERT_SELECT} WHERE r.registration_number = $1 AND c.status = 'valid' ORDER BY c.version DESC LIMIT 1"
        ))
        .bind(registration_number)
        .fetch_optional(&self.pool)
        .await?;
        let Some(c) = c else { return Ok(None) };
        let (ofd,): (Vec<u8>,) = sqlx::query_as("SELECT ofd FROM certificates WHERE id = $1").bind(c.id).fetch_one(&self.pool).await?;
        Ok(Some((c, self.sealer()?.open(&ofd)?)))
    }

    /// A certificate file for someone allowed to have it: the holder (which marks it claimed),
    /// the employing enterprise, or an authority. Refused while the certificate is not valid.
    pub async fn certificate_file(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<(Certificate, Vec<u8>)> {
        let c = self.certificate(id).await?.ok_or(Error::NotFound("证书不存在"))?;
        let allowed = match actor.role {
            Role::Individual => actor.person_id == Some(c.person_id),
            Role::Enterprise => actor.enterprise_id == Some(c.enterprise_id),
            Role::CityAuthority | Role::ProvinceAuthority => self.authority_covers(actor, c.enterprise_id).await?,
            Role::Admin | Role::SecurityAdmin | Role::AuditAdmin => false,
        };
        if !allowed {
            return Err(Error::NotFound("证书不存在"));
        }
        if actor.role == Role::Enterprise && !self.rules().enterprise_prints_certificates {
            return Err(Error::Conflict("本省规定企业可查看本单位人员电子证书的领取情况，但不能下载或打印；证书由持证人本人下载".into()));
        }
        if c.status != "valid" {
            return Err(Error::Conflict(format!("该证书{}，不能下载；请下载当前有效的证书", c.status_label())));
        }
        let (ofd,): (Vec<u8>,) = sqlx::query_as("SELECT ofd FROM certificates WHERE id = $1").bind(id).fetch_one(&self.pool).await?;
        let ofd = self.sealer()?.open(&ofd)?;
        if actor.role == Role::Individual && c.claimed_at.is_none() {
            sqlx::query("UPDATE certificates SET claimed_at = $2 WHERE id = $1 AND claimed_at IS NULL")
                .bind(id)
                .bind(ts(now))
                .execute(&self.pool)
                .await?;
        }
        Ok((c, ofd))
    }

    /// What a certificate printed when it was issued (holder, employer, specialties and dates),
    /// without pictures: a superseded certificate's page shows its own data, not the current.
    pub async fn certificate_printed(&self, id: i64) -> Result<CertificateData> {
        self.certificate_printed_if_kept(id).await?.ok_or_else(|| Error::Other(anyhow::anyhow!("certificate {id}: no printed data kept")))
    }

    /// What a certificate printed, when it was kept: records written in bulk (synthetic load
    /// data, `{}`) have none, and their pages show the live record instead.
    pub async fn certificate_printed_if_kept(&self, id: i64) -> Result<Option<CertificateData>> {
        let (json,): (String,) = sqlx::query_as("SELECT face_json FROM certificates WHERE id = $1").bind(id).fetch_one(&self.pool).await?;
        let json = self.sealer()?.open_text(&json)?;
        if json.trim() == "{}" {
            return Ok(None);
        }
        serde_json::from_str(&json).map(Some).map_err(|e| Error::Other(e.into()))
    }

    /// The printed data of a certificate (for the PDF rendition), with the holder's photo.
    pub async fn certificate_face(&self, id: i64) -> Result<CertificateData> {
        let (app,): (Option<i64>,) =
            sqlx::query_as("SELECT COALESCE(photo_application_id, application_id) FROM certificates WHERE id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
        let mut data = self.certificate_printed(id).await?;
        if let Some(app) = app {
            let (photo, sig): (Option<Vec<u8>>, Option<Vec<u8>>) = sqlx::query_as(
                "SELECT a.photo, p.signature_image FROM applications a JOIN persons p ON p.id = a.person_id WHERE a.id = $1",
            )
            .bind(app)
            .fetch_one(&self.pool)
            .await?;
            data.photo = self.sealer()?.open_opt(photo)?;
            data.signature_image = self.sealer()?.open_opt(sig)?;
        } else {
            // Issued without an application (paper exchange, annotation): the person's own photo.
            let (photo, sig): (Option<Vec<u8>>, Option<Vec<u8>>) = sqlx::query_as(
                "SELECT p.photo, p.signature_image FROM certificates c JOIN registrations r ON r.id = c.registration_id
                 JOIN persons p ON p.id = r.person_id WHERE c.id = $1",
            )
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
            data.photo = self.sealer()?.open_opt(photo)?;
            data.signature_image = self.sealer()?.open_opt(sig)?;
        }
        Ok(data)
    }
}

/// Why a new certificate is issued: the application that caused it (if any) and the reason
/// recorded on the certificate it replaces.
pub(crate) struct Cause<'a> {
    pub application_id: Option<i64>,
    pub supersede_reason: &'a str,
}

/// Issues the registration's next certificate inside `tx` from the register as it now stands
/// (active specialties), supersedes the previous one, and bumps the status list.
pub(crate) async fn issue(tx: &mut Tx, issuer: &Issuer, registration_id: i64, cause: Cause<'_>, now: DateTime<Utc>) -> Result<i64> {
    crate::holds::ensure_may_issue(tx.conn(), registration_id).await?;
    let day = today(now);
    let profile = &issuer.profile;
    type RegRow = (String, String, String, i64, String, String, String, String, String);
    let (regno, enterprise, credit, person_id, person_name, id_number, gender, birth, profession_code): RegRow = sqlx::query_as(
        "SELECT r.registration_number, e.name, e.credit_code, p.id, p.name, p.id_number, p.gender, p.birth_date, r.profession FROM registrations r
         JOIN enterprises e ON e.id = r.enterprise_id JOIN persons p ON p.id = r.person_id WHERE r.id = $1",
    )
    .bind(registration_id)
    .fetch_one(tx.conn())
    .await?;
    let id_number = issuer.sealer.open_text(&id_number)?;
    let specs: Vec<(String, String, String)> = sqlx::query_as("SELECT specialty_code, valid_from, valid_until FROM registration_specialties WHERE registration_id = $1 AND status = 'active' ORDER BY specialty_code")
        .bind(registration_id)
        .fetch_all(tx.conn())
        .await?;
    let previous: Option<(i64, i64)> =
        sqlx::query_as("SELECT id, version FROM certificates WHERE registration_id = $1 ORDER BY version DESC LIMIT 1")
            .bind(registration_id)
            .fetch_optional(tx.conn())
            .await?;
    let version = previous.map(|p| p.1 + 1).unwrap_or(1);
    let quals: Vec<(String,)> = sqlx::query_as(
        "SELECT certificate_no FROM qualifications WHERE id_key = $1 AND profession = $2 ORDER BY issue_date, specialty_code",
    )
    .bind(issuer.sealer.id_key(&id_number))
    .bind(&profession_code)
    .fetch_all(tx.conn())
    .await?;
    let serial = next_serial(tx.conn(), &format!("certno:{}:{}", profile.code, chrono::Datelike::year(&day))).await?;
    let certificate_no = format!("{}{}{serial:07}", profile.code, chrono::Datelike::year(&day));
    let licence_serial: String = regno.chars().filter(|c| c.is_ascii_digit()).collect();
    let licence = LicenceId::new(licence_type(&profession_code), profile.authority_code, &licence_serial, version as u32)
        .map_err(|e| Error::Other(e.into()))?;
    let birth_date = crate::db::stored_date(&birth)?;
    // The photo: the causing application's, else the newest one the person uploaded.
    let mut photo_app: Option<(i64, Vec<u8>)> = None;
    if let Some(app) = cause.application_id {
        photo_app = sqlx::query_as("SELECT id, photo FROM applications WHERE id = $1 AND photo IS NOT NULL")
            .bind(app)
            .fetch_optional(tx.conn())
            .await?;
    }
    // Else the person's current photo (kept from the last certificate or a paper exchange), else
    // the newest one the person uploaded with any application.
    let mut photo: Option<Vec<u8>> = None;
    if let Some((_, bytes)) = &photo_app {
        sqlx::query("UPDATE persons SET photo = $2, photo_mime = (SELECT photo_mime FROM applications WHERE id = $3) WHERE id = $1")
            .bind(person_id)
            .bind(bytes.clone())
            .bind(cause.application_id)
            .execute(tx.conn())
            .await?;
    } else {
        let (own,): (Option<Vec<u8>>,) =
            sqlx::query_as("SELECT photo FROM persons WHERE id = $1").bind(person_id).fetch_one(tx.conn()).await?;
        photo = own;
    }
    if photo_app.is_none() && photo.is_none() {
        photo_app =
            sqlx::query_as("SELECT id, photo FROM applications WHERE person_id = $1 AND photo IS NOT NULL ORDER BY id DESC LIMIT 1")
                .bind(person_id)
                .fetch_optional(tx.conn())
                .await?;
    }
    let (signature_image,): (Option<Vec<u8>>,) =
        sqlx::query_as("SELECT signature_image FROM persons WHERE id = $1").bind(person_id).fetch_one(tx.conn()).await?;
    let valid_until = specs.iter().map(|s| s.2.clone()).max().unwrap_or_default();
    let use_until = match (profile.licence_use_days, chrono::NaiveDate::parse_from_str(&valid_until, "%Y-%m-%d")) {
        (Some(days), Ok(reg_until)) => {
            let max_age = erjian_domain::profession::profession(&profession_code).map(|p| p.max_age).unwrap_or(65);
            Some(erjian_domain::lifecycle::use_period_end(day, days, reg_until, birth_date, max_age))
        }
        _ => None,
    };
    // The certificate's fixed place in the bitstring status list, signed into its QR statement.
    let status_index = next_serial(tx.conn(), "status-index").await?;
    let statement = QrStatement {
        registration_number: regno.clone(),
        licence_id: licence.to_string(),
        id_masked: erjian_domain::ids::mask_id_number(&id_number),
        valid_until,
        issued_at: now.timestamp(),
        status_index: Some(status_index),
    };
    let data = CertificateData {
        profession: erjian_domain::profession::profession(&profession_code).map(|p| p.certificate_name()).unwrap_or_default(),
        name: person_name,
        gender,
        birth_date: birth,
        id_number: id_number.clone(),
        registration_number: regno,
        certificate_number: certificate_no.clone(),
        employer: enterprise,
        employer_credit_code: credit,
        specialties: specs.into_iter().map(|(c, f, u)| (erjian_domain::profession::specialty_name(&c).to_owned(), f, u)).collect(),
        qualification_number: quals.first().map(|q| q.0.clone()).unwrap_or_default(),
        issuer: profile.authority_name.into(),
        issue_date: day,
        use_until,
        // Stored sealed: copied between rows as they are, opened here for the certificate.
        photo: issuer.sealer.open_opt(photo.or_else(|| photo_app.as_ref().map(|p| p.1.clone())))?,
        signature_image: issuer.sealer.open_opt(signature_image)?,
        verify_url: statement.url(&issuer.public_url, &issuer.qr_key.key),
        licence_id: licence.to_string(),
        usage_copy: None,
    };
    let ofd = issuer.authority.issue(&data, now).map_err(|e| Error::Other(anyhow::anyhow!("sealing the certificate failed: {e}")))?;
    let face = serde_json::to_string(&data).map_err(|e| Error::Other(e.into()))?;
    let (cert_id,): (i64,) = sqlx::query_as(
        "INSERT INTO certificates (registration_id, application_id, licence_id, certificate_no, version, status, issued_at, face_json, ofd, photo_application_id, use_until, status_index) VALUES ($1, $2, $3, $4, $5, 'valid', $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(registration_id)
    .bind(cause.application_id)
    .bind(licence.to_string())
    .bind(&certificate_no)
    .bind(version)
    .bind(ts(now))
    // The file and its printed data carry the document number: both sealed at rest.
    .bind(issuer.sealer.seal_text(&face))
    .bind(issuer.sealer.seal(&ofd))
    .bind(photo_app.map(|p| p.0))
    .bind(use_until.map(|u| u.to_string()))
    .bind(status_index)
    .fetch_one(tx.conn())
    .await?;
    let mut changes = vec![(status_index, "valid")];
    if let Some((old, _)) = previous {
        sqlx::query(
            "UPDATE certificates SET status = 'superseded', status_reason = $2, superseded_by = $3 WHERE id = $1 AND status = 'valid'",
        )
        .bind(old)
        .bind(cause.supersede_reason)
        .bind(cert_id)
        .execute(tx.conn())
        .await?;
        let (old_index,): (i64,) =
            sqlx::query_as("SELECT status_index FROM certificates WHERE id = $1").bind(old).fetch_one(tx.conn()).await?;
        changes.push((old_index, "superseded"));
    }
    status_changed(tx, &changes).await?;
    let detail = format!("签发电子证书 {certificate_no}（证照标识 {licence}）");
    crate::audit::record(
        tx.conn(),
        now,
        None,
        crate::audit::Entry { detail: Some(&detail), ..crate::audit::Entry::new("issue_certificate", "certificate", Some(cert_id)) },
    )
    .await?;
    metrics::counter!("erjian_certificates_sealed_total").increment(1);
    Ok(cert_id)
}

/// Voids the registration's valid certificate (cancellation, revocation) inside `tx`.
pub(crate) async fn void(tx: &mut Tx, registration_id: i64, status: &str, reason: &str, now: DateTime<Utc>) -> Result<()> {
    let ids: Vec<(i64, i64)> = sqlx::query_as("SELECT id, status_index FROM certificates WHERE registration_id = $1 AND status = 'valid'")
        .bind(registration_id)
        .fetch_all(tx.conn())
        .await?;
    let changes: Vec<(i64, &str)> = ids.iter().map(|(_, index)| (*index, status)).collect();
    for (id, _) in ids {
        sqlx::query("UPDATE certificates SET status = $2, status_reason = $3 WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(reason)
            .execute(tx.conn())
            .await?;
        let detail = format!("证书{}：{reason}", if status == "cancelled" { "注销" } else { status });
        crate::audit::record(
            tx.conn(),
            now,
            None,
            crate::audit::Entry {
                detail: Some(&detail),
                to_state: Some(status),
                ..crate::audit::Entry::new("void_certificate", "certificate", Some(id))
            },
        )
        .await?;
    }
    status_changed(tx, &changes).await
}

/// Every change of any certificate's status moves the status list's version, in the same
/// transaction, so a cached list is never older than the newest change it claims to include.
/// Every transaction that changes certificates' statuses calls this with the changes ((status
/// index, new status)): their bits in the bitstring list, the list's version and the public epoch.
pub(crate) async fn status_changed(tx: &mut Tx, changes: &[(i64, &str)]) -> Result<()> {
    tx.touch_public();
    crate::status_bits::record(tx, changes).await?;
    next_serial(tx.conn(), STATUS_SCOPE).await?;
    Ok(())
}

pub(crate) const STATUS_SCOPE: &str = "status-list";

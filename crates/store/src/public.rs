//! What the public may read: exact-match queries (name + profession + an identifier) that answer
//! the same "not found" whether the identifier is unknown or the name does not match, the live
//! status of a certificate file, one-time captchas, and the entries of the signed status list.

use crate::certificates::{Certificate, STATUS_SCOPE};
use crate::db::{parse_ts, ts};
use crate::error::Result;
use crate::registry::RegisteredSpecialty;
use crate::Store;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use erjian_cert::statement::StatusEntry;
use erjian_domain::standing::{self, Standing};

/// A certificate with its registration's specialties and, when superseded, the newest
/// certificate of the same registration.
pub type LiveCertificate = (Certificate, Vec<RegisteredSpecialty>, Option<Certificate>);

/// The identifier a query gives besides the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryKey {
    IdNumber(String),
    RegistrationNumber(String),
    CertificateNumber(String),
}

/// A public query: every part must match exactly.
#[derive(Debug, Clone)]
pub struct PublicQuery {
    pub name: String,
    pub profession: String,
    pub key: QueryKey,
}

/// One specialty as the public sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicSpecialty {
    pub name: String,
    pub valid_from: String,
    pub valid_until: String,
    pub status: String,
    /// The specialty is in force (shown green).
    pub in_force: bool,
}

/// A registration as the public sees it: the ID number masked.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicRecord {
    #[serde(skip)]
    pub registration_id: i64,
    /// The registration is in force (valid, or valid for its remaining specialties).
    pub in_force: bool,
    pub name: String,
    pub id_number_masked: String,
    pub profession: String,
    pub registration_number: String,
    pub enterprise: String,
    pub status: String,
    pub specialties: Vec<PublicSpecialty>,
    pub certificate_no: Option<String>,
    pub licence_id: Option<String>,
    /// 发证日期: the day the current certificate was issued (Beijing date).
    pub issued_on: Option<String>,
    /// 所在地市: the employing enterprise's city code (the page names it from the profile).
    pub city_code: String,
    /// 所在地市 in words (filled by the web layer from the province profile).
    pub city: String,
    /// 证照已加注: the current certificate came from a 证照加注 (安徽's query result marks it).
    pub annotated: bool,
}

/// A certificate's live status: its own state, or 已过期 when still marked valid but every
/// specialty on it has expired, or 旧版已失效 when the province's old version lapsed (上海).
pub fn live_status(
    cert: &Certificate,
    specialties: &[RegisteredSpecialty],
    old_version: Option<&erjian_domain::province::OldVersion>,
    today: NaiveDate,
) -> (&'static str, &'static str) {
    let issued_on = crate::db::parse_ts(&cert.issued_at).map(crate::db::today);
    if cert.status == "valid" && old_version.zip(issued_on).is_some_and(|(o, on)| o.lapsed(on, today)) {
        return ("old_version", "旧版电子注册证书已失效（请持证人换领新版电子注册证书）");
    }
    if cert.status == "valid" && cert.use_until.as_deref().is_some_and(|u| u < today.to_string().as_str()) {
        return ("use_expired", "已过使用有效期（请持证人办理证照加注）");
    }
    if cert.status == "valid" {
        let until = specialties.iter().filter(|s| s.status == "active").map(|s| s.valid_until.as_str()).max();
        if until.is_none_or(|u| u < today.to_string().as_str()) {
            return ("expired", "已过期");
        }
    }
    (cert.status_code(), cert.status_label())
}

/// The registration's standing as the public query words it.
fn public_label(s: Standing) -> &'static str {
    match s {
        Standing::Valid => "注册有效",
        Standing::PartlyCancelled => "注册有效（部分专业已注销）",
        Standing::Suspended => "证书暂扣",
        Standing::Revoked => "注册已撤销",
        Standing::Cancelled => "已注销",
        Standing::Expired => "注册已过期",
    }
}

fn read_err(e: rusqlite::Error) -> crate::Error {
    crate::Error::Other(anyhow::anyhow!("public read: {e}"))
}

impl Store {
    /// Finds a registration by an exact query; `None` alike for an unknown identifier and for a
    /// known identifier with another name.
    pub async fn public_query(&self, q: &PublicQuery, today: NaiveDate) -> Result<Option<PublicRecord>> {
        let base = "SELECT r.id FROM registrations r JOIN persons p ON p.id = r.person_id";
        let (sql, key) = match &q.key {
            // Through the blind index: the stored number is sealed.
            QueryKey::IdNumber(k) => (
                format!("{base} WHERE p.id_key = $1 AND r.profession = $2 AND p.name = $3"),
                self.sealer()?.id_key(&k.trim().to_uppercase()),
            ),
            QueryKey::RegistrationNumber(k) => {
                (format!("{base} WHERE r.registration_number = $1 AND r.profession = $2 AND p.name = $3"), k.trim().to_uppercase())
            }
            QueryKey::CertificateNumber(k) => (
                format!("{base} JOIN certificates c ON c.registration_id = r.id WHERE c.certificate_no = $1 AND r.profession = $2 AND p.name = $3"),
                k.trim().to_uppercase(),
            ),
        };
        let found: Option<(i64,)> =
            sqlx::query_as(&sql).bind(key).bind(&q.profession).bind(q.name.trim()).fetch_optional(&self.pool).await?;
        match found {
            Some((id,)) => self.public_record(id, today).await,
            None => Ok(None),
        }
    }

    /// The public view of one registration.
    pub async fn public_record(&self, registration_id: i64, today: NaiveDate) -> Result<Option<PublicRecord>> {
        type Row = (
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            Option<String>,
        );
        const SQL: &str = "SELECT p.name, p.id_masked, r.profession, r.registration_number, e.name, r.status,
                    (SELECT c.certificate_no FROM certificates c WHERE c.registration_id = r.id ORDER BY c.version DESC LIMIT 1),
                    (SELECT c.licence_id FROM certificates c WHERE c.registration_id = r.id ORDER BY c.version DESC LIMIT 1),
                    (SELECT c.status FROM certificates c WHERE c.registration_id = r.id ORDER BY c.version DESC LIMIT 1),
                    (SELECT c.issued_at FROM certificates c WHERE c.registration_id = r.id ORDER BY c.version DESC LIMIT 1),
                    e.city_code,
                    (SELECT ev.kind FROM registration_events ev WHERE ev.certificate_id =
                        (SELECT c.id FROM certificates c WHERE c.registration_id = r.id ORDER BY c.version DESC LIMIT 1) ORDER BY ev.id DESC LIMIT 1)
             FROM registrations r JOIN persons p ON p.id = r.person_id JOIN enterprises e ON e.id = r.enterprise_id WHERE r.id = $1";
        let (row, specs): (Option<Row>, Vec<RegisteredSpecialty>) = match &self.reader {
            Some(r) => {
                let row = r
                    .one(SQL, &[&registration_id], |x| {
                        Ok((
                            x.get(0)?,
                            x.get(1)?,
                            x.get(2)?,
                            x.get(3)?,
                            x.get(4)?,
                            x.get(5)?,
                            x.get(6)?,
                            x.get(7)?,
                            x.get(8)?,
                            x.get(9)?,
                            x.get(10)?,
                            x.get(11)?,
                        ))
                    })
                    .map_err(read_err)?;
                (row, r.specialties(registration_id, "status, specialty_code").map_err(read_err)?)
            }
            None => (
                sqlx::query_as(SQL).bind(registration_id).fetch_optional(&self.pool).await?,
                sqlx::query_as("SELECT * FROM registration_specialties WHERE registration_id = $1 ORDER BY status, specialty_code")
                    .bind(registration_id)
                    .fetch_all(&self.pool)
                    .await?,
            ),
        };
        let Some((
            name,
            id_masked,
            profession,
            regno,
            enterprise,
            status,
            certificate_no,
            licence_id,
            certificate_status,
            issued_at,
            city_code,
            made_by,
        )) = row
        else {
            return Ok(None);
        };
        let facts: Vec<_> = specs.iter().map(RegisteredSpecialty::facts).collect();
        let standing =
            standing::registration(standing::Facts { registration: &status, certificate: certificate_status.as_deref() }, &facts, today);
        Ok(Some(PublicRecord {
            registration_id,
            name,
            id_number_masked: id_masked,
            profession: erjian_domain::profession::profession(&profession).map(|p| p.name).unwrap_or_default().to_owned(),
            registration_number: regno,
            enterprise,
            status: public_label(standing).to_owned(),
            in_force: standing.in_force(),
            specialties: specs
                .iter()
                .map(|s| {
                    let st = standing::specialty(standing, s.facts(), today);
                    PublicSpecialty {
                        name: s.name().to_owned(),
                        valid_from: s.valid_from.clone(),
                        valid_until: s.valid_until.clone(),
                        status: st.label().to_owned(),
                        in_force: st.in_force(),
                    }
                })
                .collect(),
            certificate_no,
            licence_id,
            issued_on: issued_at.as_deref().and_then(parse_ts).map(|t| crate::db::today(t).to_string()),
            city_code,
            city: String::new(),
            annotated: made_by.as_deref() == Some("annotation"),
        }))
    }

    /// A certificate by its e-licence identifier with its registration's specialties and, when
    /// superseded, the current certificate.
    pub async fn certificate_live(&self, licence_id: &str) -> Result<Option<LiveCertificate>> {
        if let Some(r) = &self.reader {
            return r.certificate_live(licence_id).map_err(read_err);
        }
        let Some(cert) = self.certificate_by_licence(licence_id).await? else { return Ok(None) };
        let specs = sqlx::query_as("SELECT * FROM registration_specialties WHERE registration_id = $1 ORDER BY specialty_code")
            .bind(cert.registration_id)
            .fetch_all(&self.pool)
            .await?;
        let current = match cert.superseded_by {
            Some(_) => {
                sqlx::query_as(&format!(
                    "{} WHERE c.registration_id = $1 ORDER BY c.version DESC LIMIT 1",
                    crate::certificates::CERT_SELECT
                ))
                .bind(cert.registration_id)
                .fetch_optional(&self.pool)
                .await?
            }
            None => None,
        };
        Ok(Some((cert, specs, current)))
    }

    /// A new one-time captcha; returns its token.
    pub async fn new_captcha(&self, answer: &str, now: DateTime<Utc>) -> Result<String> {
        let token = hex::encode(rand::random::<[u8; 16]>());
        sqlx::query("DELETE FROM captchas WHERE expires_at < $1").bind(ts(now)).execute(&self.pool).await?;
        sqlx::query("INSERT INTO captchas (token, answer, expires_at) VALUES ($1, $2, $3)")
            .bind(&token)
            .bind(answer)
            .bind(ts(now + Duration::minutes(5)))
            .execute(&self.pool)
            .await?;
        Ok(token)
    }

    /// The answer of a live captcha, to draw it.
    pub async fn captcha_answer(&self, token: &str, now: DateTime<Utc>) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT answer FROM captchas WHERE token = $1 AND expires_at >= $2")
            .bind(token)
            .bind(ts(now))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.0))
    }

    /// Uses up a captcha: true only for the right answer (any case) before it expired. A
    /// captcha can be tried once.
    pub async fn take_captcha(&self, token: &str, answer: &str, now: DateTime<Utc>) -> Result<bool> {
        let row: Option<(String, String)> = sqlx::query_as("DELETE FROM captchas WHERE token = $1 RETURNING answer, expires_at")
            .bind(token)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some_and(|(a, exp)| exp >= ts(now) && a.eq_ignore_ascii_case(answer.trim())))
    }

    /// The status list's version: moves with every certificate status change.
    pub async fn status_version(&self) -> Result<i64> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT value FROM serials WHERE scope = $1").bind(STATUS_SCOPE).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.0).unwrap_or(0))
    }

    /// A page of the status list: the certificates with a status index above `after`, at most
    /// `limit`, each with its status and successor, read in one consistent snapshot together with
    /// the version it reflects; and where the next page starts (`None`: this was the last).
    pub async fn status_entries(&self, after: i64, limit: i64) -> Result<(i64, Vec<StatusEntry>, Option<i64>)> {
        let mut tx = self.pool.begin().await?;
        let v: Option<(i64,)> =
            sqlx::query_as("SELECT value FROM serials WHERE scope = $1").bind(STATUS_SCOPE).fetch_optional(&mut *tx).await?;
        let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
            "SELECT c.status_index, c.licence_id, c.status, s.licence_id FROM certificates c LEFT JOIN certificates s ON s.id = c.superseded_by
             WHERE c.status_index > $1 ORDER BY c.status_index LIMIT $2",
        )
        .bind(after)
        .bind(limit + 1)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let more = rows.len() as i64 > limit;
        let rows: Vec<_> = rows.into_iter().take(limit as usize).collect();
        let next = if more { rows.last().map(|r| r.0) } else { None };
        Ok((
            v.map(|r| r.0).unwrap_or(0),
            rows.into_iter().map(|(_, licence_id, status, successor)| StatusEntry { licence_id, status, successor }).collect(),
            next,
        ))
    }
}

impl Store {
    /// The photo on a registration's current certificate (安徽's 查看照片 in the query result):
    /// the photo of the application it was issued from, else the person's own; as stored (the
    /// upload was decoded and re-encoded when it came in).
    pub async fn registration_photo(&self, registration_id: i64) -> Result<Option<(Vec<u8>, String)>> {
        type Row = (Option<Vec<u8>>, Option<String>, Option<Vec<u8>>, Option<String>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT a.photo, a.photo_mime, p.photo, p.photo_mime
             FROM certificates c JOIN registrations r ON r.id = c.registration_id JOIN persons p ON p.id = r.person_id
             LEFT JOIN applications a ON a.id = COALESCE(c.photo_application_id, c.application_id)
             WHERE c.registration_id = $1 ORDER BY c.version DESC LIMIT 1",
        )
        .bind(registration_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((app_photo, app_mime, own, own_mime)) = row else { return Ok(None) };
        let sealer = self.sealer()?;
        Ok(match (sealer.open_opt(app_photo)?, sealer.open_opt(own)?) {
            (Some(p), _) => Some((p, app_mime.unwrap_or_else(|| "image/jpeg".into()))),
            (None, Some(p)) => Some((p, own_mime.unwrap_or_else(|| "image/jpeg".into()))),
            (None, None) => None,
        })
    }
}

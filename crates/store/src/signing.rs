//! Signing identities and the two-party signed application form.
//!
//! Each individual and enterprise holds one active SM2 key with a certificate and a seal issued
//! by the deployment root. The private key is sealed (SM4-GCM) under a key derived from the
//! signing PIN with argon2id; five wrong PINs lock signing for 15 minutes. The applicant signs the
//! generated form, then the enterprise seals the signed package; the city authority accepts only
//! a form whose two signatures verify and belong to the applicant and the enterprise.

use crate::applications::Application;
use crate::audit::{self, Entry};
use crate::certificates::Issuer;
use crate::db::{parse_ts, today, ts, Tx};
use crate::error::{Error, Result};
use crate::{next_serial, Actor, Store};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use erjian_cert::form::{form_document, name_stamp_ofd, FormData, APPLICANT_BOX, ENTERPRISE_BOX};
use erjian_domain::workflow::{Action, Role, SigningOrder, State};
use erjian_ofd::crypto::{open_secret, parse_certificate, seal_secret, KeyPair, Name};
use erjian_ofd::seal::{sign, verify, SealSigner, Stamp, Verdict, VerifyOptions};
use erjian_ofd::Package;

pub const MAX_FAILED_PINS: i64 = 5;
pub const PIN_LOCK_MINUTES: i64 = 15;

/// Whose key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Person(i64),
    Enterprise(i64),
}

impl Owner {
    pub fn of(actor: &Actor) -> Result<Owner> {
        match (actor.role, actor.person_id, actor.enterprise_id) {
            (Role::Individual, Some(p), _) => Ok(Owner::Person(p)),
            (Role::Enterprise, _, Some(e)) => Ok(Owner::Enterprise(e)),
            _ => Err(Error::Forbidden),
        }
    }

    fn parts(self) -> (&'static str, i64) {
        match self {
            Owner::Person(id) => ("person", id),
            Owner::Enterprise(id) => ("enterprise", id),
        }
    }
}

/// PIN rule: 8–16 printable ASCII characters (letters, digits or symbols).
pub fn check_pin(pin: &str) -> Result<()> {
    if (8..=16).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(Error::invalid("pin", "签名密码应为8–16位字母、数字或符号，且不同于登录密码"))
    }
}

fn pin_key(pin: &str, salt: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    Argon2::default().hash_password_into(pin.as_bytes(), salt, &mut out).expect("argon2id with a 16-byte salt");
    out
}

/// What the portal shows about a signing key.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct KeyInfo {
    pub id: i64,
    pub status: String,
    pub created_at: String,
    pub locked_until: Option<String>,
    pub failed_pins: i64,
}

impl KeyInfo {
    /// When the key was issued, in Beijing time.
    pub fn created_display(&self) -> String {
        crate::db::show_ts(&self.created_at)
    }

    /// Until when it is locked, in Beijing time.
    pub fn locked_display(&self) -> Option<String> {
        self.locked_until.as_deref().map(crate::db::show_ts)
    }
}

/// One signature on a form, as reviewers see it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SignatureView {
    pub signer: String,
    pub serial: String,
    pub signed_at: String,
    pub valid: bool,
    pub certificate_valid_at_signing: bool,
    pub detail: String,
}

impl Store {
    pub async fn signing_key(&self, actor: &Actor) -> Result<Option<KeyInfo>> {
        let (t, id) = Owner::of(actor)?.parts();
        Ok(sqlx::query_as("SELECT id, status, created_at, locked_until, failed_pins FROM signing_keys WHERE owner_type = $1 AND owner_id = $2 AND status = 'active'")
            .bind(t)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Creates the actor's first signing key under `pin`.
    pub async fn set_pin(&self, actor: &Actor, pin: &str, issuer: &Issuer, now: DateTime<Utc>) -> Result<()> {
        // Who is asking before what they sent: an authority is refused whatever the PIN.
        let owner = Owner::of(actor)?;
        check_pin(pin)?;
        self.check_pin_differs_from_password(actor, pin).await?;
        let mut tx = self.write().await?;
        create_identity(&mut tx, self.rules().real_name, actor, owner, pin, issuer, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Re-encrypts the key under a new PIN (the old PIN must be right; failures count).
    pub async fn change_pin(&self, actor: &Actor, old: &str, new: &str, now: DateTime<Utc>) -> Result<()> {
        let owner = Owner::of(actor)?;
        check_pin(new)?;
        let (key_id, signer) = self.unlock(owner, old, now).await?;
        let salt: [u8; 16] = rand::random();
        let sealed = seal_secret(&pin_key(new, &salt), &signer.key.secret());
        let mut tx = self.write().await?;
        sqlx::query("UPDATE signing_keys SET secret_sealed = $2, pin_salt = $3 WHERE id = $1")
            .bind(key_id)
            .bind(sealed)
            .bind(salt.to_vec())
            .execute(tx.conn())
            .await?;
        audit::record(tx.conn(), now, Some(actor), Entry::new("change_pin", "signing_key", Some(key_id))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A forgotten PIN: after the login password is confirmed, the old certificate is revoked
    /// from now on (its signatures stay verifiable) and a new key and certificate are issued.
    /// The login password proves the holder: its check counts toward the same lock-out as a
    /// login from `address`, and a failure is audited.
    pub async fn reset_signing_key(
        &self,
        actor: &Actor,
        password: &str,
        new_pin: &str,
        address: &str,
        issuer: &Issuer,
        now: DateTime<Utc>,
    ) -> Result<()> {
        Owner::of(actor)?;
        check_pin(new_pin)?;
        self.check_pin_differs_from_password(actor, new_pin).await?;
        let (hash,): (String,) =
            sqlx::query_as("SELECT password_hash FROM users WHERE id = $1").bind(actor.user_id).fetch_one(&self.pool).await?;
        let attempt = crate::throttle::Attempt { username: &actor.username, address, purpose: crate::throttle::Purpose::SigningReset };
        if let Err(e) = self.check_password(&attempt, Some(actor), Some(actor.user_id), Some(&hash), password, now).await {
            return Err(match e {
                Error::BadCredentials => Error::invalid("password", "登录密码不正确（同一地址连续错误5次将暂停15分钟）"),
                other => other,
            });
        }
        let owner = Owner::of(actor)?;
        let (t, id) = owner.parts();
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE signing_keys SET status = 'revoked', revoked_at = $3 WHERE owner_type = $1 AND owner_id = $2 AND status = 'active'",
        )
        .bind(t)
        .bind(id)
        .bind(ts(now))
        .execute(tx.conn())
        .await?;
        create_identity(&mut tx, self.rules().real_name, actor, owner, new_pin, issuer, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores the handwritten-signature image (individual) or seal image (enterprise) and
    /// re-makes the active seal so that new signatures show it.
    pub async fn set_signature_image(&self, actor: &Actor, bytes: &[u8], issuer: &Issuer, now: DateTime<Utc>) -> Result<()> {
        let owner = Owner::of(actor)?;
        let bytes = &erjian_domain::photo::check_mark(bytes, "签名或印章图片").map_err(|m| Error::invalid("image", m))?.bytes;
        let mut tx = self.write().await?;
        match owner {
            Owner::Person(id) => {
                sqlx::query("UPDATE persons SET signature_image = $2 WHERE id = $1")
                    .bind(id)
                    .bind(self.sealer()?.seal(bytes))
                    .execute(tx.conn())
                    .await?
            }
            Owner::Enterprise(id) => {
                sqlx::query("UPDATE enterprises SET seal_image = $2 WHERE id = $1").bind(id).bind(bytes.to_vec()).execute(tx.conn()).await?
            }
        };
        let (t, oid) = owner.parts();
        let key: Option<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT id, cert FROM signing_keys WHERE owner_type = $1 AND owner_id = $2 AND status = 'active'")
                .bind(t)
                .bind(oid)
                .fetch_optional(tx.conn())
                .await?;
        if let Some((key_id, cert)) = key {
            let cert = issuer.sealer.open(&cert)?;
            let (name, pic, size) = seal_picture(&issuer.sealer, &mut tx, owner).await?;
            let seal = issuer.authority.identity_seal(&cert, &name, (pic.0, &pic.1), size, now).map_err(|e| Error::Other(e.into()))?;
            sqlx::query("UPDATE signing_keys SET seal = $2 WHERE id = $1")
                .bind(key_id)
                .bind(issuer.sealer.seal(&seal))
                .execute(tx.conn())
                .await?;
        }
        audit::record(tx.conn(), now, Some(actor), Entry::new("set_signature_image", t, Some(oid))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A signing PIN must not be the login password (one secret would open both).
    async fn check_pin_differs_from_password(&self, actor: &Actor, pin: &str) -> Result<()> {
        let hash: Option<(String,)> =
            sqlx::query_as("SELECT password_hash FROM users WHERE id = $1").bind(actor.user_id).fetch_optional(&self.pool).await?;
        if hash.is_some_and(|(h,)| crate::accounts::verify_password(pin, &h)) {
            return Err(Error::invalid("pin", "签名密码不能与登录密码相同"));
        }
        Ok(())
    }

    /// Whether `candidate` is the signing PIN of the actor's active key (a login password must
    /// differ from it). No failure is counted: the caller proved the account already.
    pub(crate) async fn is_signing_pin(&self, actor: &Actor, candidate: &str) -> Result<bool> {
        let Ok(owner) = Owner::of(actor) else { return Ok(false) };
        let (t, id) = owner.parts();
        let row: Option<(Vec<u8>, Vec<u8>)> = sqlx::query_as(
            "SELECT secret_sealed, pin_salt FROM signing_keys WHERE owner_type = $1 AND owner_id = $2 AND status = 'active'",
        )
        .bind(t)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some_and(|(sealed, salt)| open_secret(&pin_key(candidate, &salt), &sealed).is_ok()))
    }

    /// Opens the owner's key with a PIN, counting failures in their own transaction.
    pub(crate) async fn unlock(&self, owner: Owner, pin: &str, now: DateTime<Utc>) -> Result<(i64, SealSigner)> {
        let (t, id) = owner.parts();
        type Row = (i64, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>, Option<String>);
        let row: Option<Row> = sqlx::query_as("SELECT id, cert, seal, secret_sealed, pin_salt, locked_until FROM signing_keys WHERE owner_type = $1 AND owner_id = $2 AND status = 'active'")
            .bind(t)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some((key_id, cert, seal, sealed, salt, locked)) = row else {
            return Err(Error::Conflict("尚未设置签名密码：请先在“签名设置”中设置签名密码".into()));
        };
        if let Some(until) = locked.as_deref().and_then(parse_ts).filter(|u| *u > now) {
            return Err(Error::Locked(format!(
                "签名密码连续错误{MAX_FAILED_PINS}次，签名功能已锁定，请{}分钟后再试",
                (until - now).num_minutes() + 1
            )));
        }
        match open_secret(&pin_key(pin, &salt), &sealed).ok().and_then(|s| KeyPair::from_secret(&s).ok()) {
            Some(key) => {
                sqlx::query("UPDATE signing_keys SET failed_pins = 0, locked_until = NULL WHERE id = $1")
                    .bind(key_id)
                    .execute(&self.pool)
                    .await?;
                // The certificate and seal name the owner (a person's document number): sealed at rest.
                let sealer = self.sealer()?;
                Ok((key_id, SealSigner::new(key, sealer.open(&cert)?, sealer.open(&seal)?)))
            }
            None => {
                let mut tx = self.write().await?;
                let (failed,): (i64,) =
                    sqlx::query_as("UPDATE signing_keys SET failed_pins = failed_pins + 1 WHERE id = $1 RETURNING failed_pins")
                        .bind(key_id)
                        .fetch_one(tx.conn())
                        .await?;
                let locked = failed >= MAX_FAILED_PINS;
                if locked {
                    sqlx::query("UPDATE signing_keys SET failed_pins = 0, locked_until = $2 WHERE id = $1")
                        .bind(key_id)
                        .bind(ts(now + Duration::minutes(PIN_LOCK_MINUTES)))
                        .execute(tx.conn())
                        .await?;
                }
                let detail = format!("签名密码错误（连续{failed}次）");
                audit::record(
                    tx.conn(),
                    now,
                    None,
                    Entry { detail: Some(&detail), ..Entry::new("pin_failed", "signing_key", Some(key_id)) },
                )
                .await?;
                tx.commit().await?;
                if locked {
                    Err(Error::Locked(format!("签名密码连续错误{MAX_FAILED_PINS}次，签名功能已锁定{PIN_LOCK_MINUTES}分钟")))
                } else {
                    Err(Error::invalid("pin", format!("签名密码不正确（还可尝试{}次）", MAX_FAILED_PINS - failed)))
                }
            }
        }
    }

    /// The applicant signs (待本人签名 → 待企业确认) or the enterprise seals the signed form
    /// (待企业确认 → 已申报), each with its own key unlocked by its PIN.
    pub async fn sign_application(&self, actor: &Actor, id: i64, pin: &str, now: DateTime<Utc>) -> Result<State> {
        let action = match actor.role {
            Role::Individual => Action::Sign,
            Role::Enterprise => Action::EnterpriseConfirm,
            _ => return Err(Error::Forbidden),
        };
        {
            let mut conn = self.pool.acquire().await?;
            let app = Self::load_application(self.sealer()?, &mut conn, id).await?.ok_or(Error::NotFound("申请不存在或您无权查看"))?;
            crate::applications::decide(&app, actor, action, None)?;
        }
        let (_, signer) = self.unlock(Owner::of(actor)?, pin, now).await?;
        let mut tx = self.write().await?;
        let app = Self::load_application(self.sealer()?, tx.conn(), id).await?.ok_or(Error::NotFound("申请不存在或您无权查看"))?;
        if action == Action::Sign {
            crate::real_name::ensure(tx.conn(), self.rules().real_name, app.person_id, crate::real_name::Point::Filing, now).await?;
        }
        let form = read_form(self.sealer()?, tx.conn(), id).await?;
        let mut pkg = Package::from_bytes(&form.ok_or_else(|| Error::Conflict("申请表尚未生成，请重新提交".into()))?)
            .map_err(|e| Error::Other(e.into()))?;
        // The first signer signs a clean form; the second checks the first signature before adding
        // its own over the signed package.
        let first = match app.order() {
            SigningOrder::ApplicantFirst => Action::Sign,
            SigningOrder::EnterpriseFirst => Action::EnterpriseConfirm,
        };
        let views = form_signatures(tx.conn(), &pkg, now).await?;
        if action == first {
            if !views.is_empty() {
                return Err(Error::Conflict("申请表已有签名，请刷新页面".into()));
            }
        } else {
            let (who, serial) =
                if first == Action::Sign { ("申请人签名", &app.id_number) } else { ("企业印章", &app.credit_code) };
            if views.len() != 1 || !views[0].valid || &views[0].serial != serial {
                return Err(Error::Conflict(format!("{who}无效或缺失，请退回重新签署")));
            }
        }
        let stamp = Stamp { page: 0, boundary: if action == Action::Sign { APPLICANT_BOX } else { ENTERPRISE_BOX } };
        sign(&mut pkg, &signer, &stamp, now).map_err(|e| Error::Other(e.into()))?;
        write_form(self.sealer()?, tx.conn(), id, &pkg.to_bytes()).await?;
        let next = self
            .act_in(&mut tx, actor, id, crate::workflow::Step { action, reason: None, expected_version: Some(app.version) }, now)
            .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// The signed (or unsigned) form of an application the actor may see.
    pub async fn application_form(&self, actor: &Actor, id: i64) -> Result<(Application, Vec<u8>)> {
        let detail = self.application(actor, id).await?;
        let mut conn = self.pool.acquire().await?;
        let form = read_form(self.sealer()?, &mut conn, id).await?;
        Ok((detail.application, form.ok_or(Error::NotFound("申请表尚未生成"))?))
    }

    /// The signatures on an application's form, verified now.
    pub async fn application_signatures(&self, id: i64, now: DateTime<Utc>) -> Result<Vec<SignatureView>> {
        let mut conn = self.pool.acquire().await?;
        let Some(form) = read_form(self.sealer()?, &mut conn, id).await? else { return Ok(vec![]) };
        match Package::from_bytes(&form) {
            Ok(pkg) => form_signatures(&mut conn, &pkg, now).await,
            Err(e) => Ok(vec![SignatureView {
                signer: String::new(),
                serial: String::new(),
                signed_at: String::new(),
                valid: false,
                certificate_valid_at_signing: false,
                detail: e.to_string(),
            }]),
        }
    }
}

pub(crate) fn imagesize_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        Some("jpg")
    } else {
        None
    }
}

/// The seal's name, picture (type, bytes) and size in millimetres for an owner.
async fn seal_picture(sealer: &crate::sealing::Sealer, tx: &mut Tx, owner: Owner) -> Result<(String, (&'static str, Vec<u8>), (i64, i64))> {
    Ok(match owner {
        Owner::Person(id) => {
            let (name, img): (String, Option<Vec<u8>>) =
                sqlx::query_as("SELECT name, signature_image FROM persons WHERE id = $1").bind(id).fetch_one(tx.conn()).await?;
            let img = sealer.open_opt(img)?;
            match img {
                Some(b) => (format!("{name}的签名"), (imagesize_kind(&b).unwrap_or("png"), b), (36, 18)),
                None => (format!("{name}的签名"), ("ofd", name_stamp_ofd(&name)), (16, 16)),
            }
        }
        Owner::Enterprise(id) => {
            let (name, img): (String, Option<Vec<u8>>) =
                sqlx::query_as("SELECT name, seal_image FROM enterprises WHERE id = $1").bind(id).fetch_one(tx.conn()).await?;
            match img {
                Some(b) => (format!("{name}公章"), (imagesize_kind(&b).unwrap_or("png"), b), (40, 40)),
                None => (format!("{name}公章"), ("ofd", erjian_cert::seal_art::seal_picture_ofd(&name, "企业公章")), (40, 40)),
            }
        }
    })
}

#[allow(clippy::too_many_arguments)]
async fn create_identity(
    tx: &mut Tx,
    real_name: erjian_domain::province::RealNameRule,
    actor: &Actor,
    owner: Owner,
    pin: &str,
    issuer: &Issuer,
    now: DateTime<Utc>,
) -> Result<()> {
    let subject = match owner {
        Owner::Person(id) => {
            crate::real_name::ensure(tx.conn(), real_name, id, crate::real_name::Point::Key, now).await?;
            let (name, idn): (String, String) =
                sqlx::query_as("SELECT name, id_number FROM persons WHERE id = $1").bind(id).fetch_one(tx.conn()).await?;
            let idn = issuer.sealer.open_text(&idn)?;
            Name { organisation: "个人".into(), common_name: name, serial_number: Some(idn) }
        }
        Owner::Enterprise(id) => {
            let (name, code): (String, String) =
                sqlx::query_as("SELECT name, credit_code FROM enterprises WHERE id = $1").bind(id).fetch_one(tx.conn()).await?;
            Name { organisation: name.clone(), common_name: name, serial_number: Some(code) }
        }
    };
    let key = KeyPair::generate();
    let serial = 1000 + next_serial(tx.conn(), "signing-cert").await? as u64;
    let (seal_name, picture, size) = seal_picture(&issuer.sealer, tx, owner).await?;
    let (cert, seal) = issuer.authority.issue_identity(serial, &subject, &key.public(), &seal_name, (picture.0, &picture.1), size, now);
    let salt: [u8; 16] = rand::random();
    let sealed = seal_secret(&pin_key(pin, &salt), &key.secret());
    let (t, oid) = owner.parts();
    let inserted: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO signing_keys (owner_type, owner_id, cert, seal, secret_sealed, pin_salt, failed_pins, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, 'active', $7) RETURNING id",
    )
    .bind(t)
    .bind(oid)
    .bind(issuer.sealer.seal(&cert))
    .bind(issuer.sealer.seal(&seal))
    .bind(sealed)
    .bind(salt.to_vec())
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await;
    let (key_id,) =
        inserted.map_err(|e| crate::accounts::unique_to(e, "已设置签名密码；如需更改请使用“修改签名密码”，忘记密码请使用“重置”"))?;
    audit::record(
        tx.conn(),
        now,
        Some(actor),
        Entry { detail: Some(&format!("证书序列号 {serial}")), ..Entry::new("create_signing_key", "signing_key", Some(key_id)) },
    )
    .await?;
    Ok(())
}

/// Verifies a form's signatures against the deployment roots stored in the database.
pub(crate) async fn form_signatures(conn: &mut sqlx::AnyConnection, pkg: &Package, now: DateTime<Utc>) -> Result<Vec<SignatureView>> {
    let roots: Vec<(Vec<u8>,)> = sqlx::query_as("SELECT root_cert FROM deployment_keys").fetch_all(&mut *conn).await?;
    let trusted_roots = roots.iter().filter_map(|r| parse_certificate(&r.0).ok()).collect();
    let report = verify(pkg, &VerifyOptions { now: Some(now), trusted_roots }).map_err(|e| Error::Other(e.into()))?;
    Ok(report
        .signatures
        .iter()
        .map(|s| {
            let failed: Vec<String> = s.failed().map(|c| format!("{}（{}）", c.name, c.file.as_deref().unwrap_or("-"))).collect();
            let serial = signer_serial(pkg, &s.file).unwrap_or_default();
            SignatureView {
                signer: s.signer.clone().unwrap_or_default(),
                serial,
                signed_at: s.signed_at.map(|t| crate::db::show_ts(&ts(t))).unwrap_or_default(),
                valid: s.verdict == Verdict::Valid,
                certificate_valid_at_signing: !s.failed().any(|c| c.name == "signer_certificate_validity"),
                detail: if failed.is_empty() { "签名有效".into() } else { format!("未通过：{}", failed.join("、")) },
            }
        })
        .collect())
}

/// The signer certificate's serialNumber (ID number or credit code) of one signature.
fn signer_serial(pkg: &Package, signature_xml: &str) -> Option<String> {
    let dat = signature_xml.replace("Signature.xml", "SignedValue.dat");
    let ses = erjian_ofd::ses::decode_signature(pkg.get(&dat)?).ok()?;
    parse_certificate(&ses.signer_cert).ok()?.subject_serial
}

impl Store {
    /// The PDF view of an application's form, with the signatures applied so far drawn in place.
    pub async fn application_form_pdf(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<Vec<u8>> {
        let detail = self.application(actor, id).await?;
        let app = detail.application;
        let signatures = self.application_signatures(id, now).await?;
        let signed_by = |serial: &str| signatures.iter().any(|s| s.valid && s.serial == serial);
        let mut conn = self.pool.acquire().await?;
        let data = form_data(&mut conn, self.sealer()?, &app, self.rules().declarations, now).await?;
        let (image,): (Option<Vec<u8>>,) =
            sqlx::query_as("SELECT signature_image FROM persons WHERE id = $1").bind(app.person_id).fetch_one(&mut *conn).await?;
        let image = self.sealer()?.open_opt(image)?;
        erjian_cert::form::form_pdf(&data, signed_by(&app.id_number), signed_by(&app.credit_code), image.as_deref())
            .map_err(|e| Error::Other(anyhow::anyhow!("{e}")))
    }
}

/// The printed data of an application's form.
async fn form_data(
    conn: &mut sqlx::AnyConnection,
    sealer: &crate::sealing::Sealer,
    app: &Application,
    declarations: erjian_domain::province::Declarations,
    now: DateTime<Utc>,
) -> Result<FormData> {
    let mut specialties = Vec::new();
    for code in &app.specialties {
        let q: Option<(String,)> = sqlx::query_as(
            "SELECT certificate_no FROM qualifications WHERE id_key = (SELECT id_key FROM persons WHERE id = $1) AND specialty_code = $2",
        )
        .bind(app.person_id)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
        specialties.push((erjian_domain::profession::specialty_name(code).to_owned(), q.map(|q| q.0).unwrap_or_default()));
    }
    // A change keeps the specialties: the current registration's rows show them.
    if app.kind.starts_with("change") && app.registration_id.is_some() {
        specialties.clear();
    }
    Ok(FormData {
        profession: erjian_domain::profession::profession(&app.profession).map(|p| p.name).unwrap_or("二级注册建造师").to_owned(),
        number: app.number.clone(),
        kind: app.kind_label().to_owned(),
        name: app.person_name.clone(),
        gender: app.gender.clone(),
        birth_date: app.birth_date.clone(),
        id_number: app.id_number.clone(),
        mobile: app.mobile.clone(),
        enterprise: app.enterprise_name.clone(),
        credit_code: app.credit_code.clone(),
        specialties,
        ce_compulsory: app.ce_compulsory,
        ce_elective: app.ce_elective,
        date: today(now),
        specialty_label: specialty_label(&app.kind).to_owned(),
        current: current_registration(conn, app).await?,
        changes: changes_of(conn, sealer, app).await?,
        attachments: attachment_digests(conn, sealer, app.id).await?,
        cancellation_reason: None,
        opinions: declarations.opinions(&app.person_name, &app.enterprise_name, app.kind_label()),
    })
}

/// Each material of an application as (label, SM3 hex of the file as kept), in upload order.
async fn attachment_digests(conn: &mut sqlx::AnyConnection, sealer: &crate::sealing::Sealer, id: i64) -> Result<Vec<(String, String)>> {
    let rows: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT kind, bytes FROM application_attachments WHERE application_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter()
        .map(|(kind, stored)| {
            let plain = sealer.open(&stored)?;
            Ok((crate::attachments::attachment_label(&kind).to_owned(), hex::encode(erjian_ofd::crypto::sm3(&plain))))
        })
        .collect()
}

/// How a procedure names the specialties it is about.
fn specialty_label(kind: &str) -> &'static str {
    match kind {
        "renewal" => "延续注册专业",
        "add_specialty" => "增加注册专业",
        "cancel_partial" | "cancel_whole" => "注销注册专业",
        "change_employer" | "change_personal" => "注册专业",
        _ => "申请注册专业",
    }
}

/// A follow-up's registration as it stands, as form rows: its number, each active specialty
/// with its validity.
async fn current_registration(conn: &mut sqlx::AnyConnection, app: &Application) -> Result<Vec<(String, String)>> {
    let Some(reg) = app.registration_id else { return Ok(vec![]) };
    let row: Option<(String,)> =
        sqlx::query_as("SELECT registration_number FROM registrations WHERE id = $1").bind(reg).fetch_optional(&mut *conn).await?;
    let Some((number,)) = row else { return Ok(vec![]) };
    let specs: Vec<(String, String)> = sqlx::query_as(
        "SELECT specialty_code, valid_until FROM registration_specialties WHERE registration_id = $1 AND status = 'active' ORDER BY specialty_code",
    )
    .bind(reg)
    .fetch_all(&mut *conn)
    .await?;
    let mut rows = vec![("现注册编号".to_owned(), number)];
    rows.extend(
        specs
            .iter()
            .map(|(c, until)| ("现注册专业".to_owned(), format!("{}（有效期至 {until}）", erjian_domain::profession::specialty_name(c)))),
    );
    Ok(rows)
}

/// What a change application changes, (item, from, to): the employer, or the name and the
/// corrected ID number (kept sealed in the application, opened for the form).
async fn changes_of(
    conn: &mut sqlx::AnyConnection,
    sealer: &crate::sealing::Sealer,
    app: &Application,
) -> Result<Vec<(String, String, String)>> {
    match app.kind.as_str() {
        "change_employer" => {
            let Some(reg) = app.registration_id else { return Ok(vec![]) };
            let (old,): (String,) =
                sqlx::query_as("SELECT e.name FROM registrations r JOIN enterprises e ON e.id = r.enterprise_id WHERE r.id = $1")
                    .bind(reg)
                    .fetch_one(&mut *conn)
                    .await?;
            Ok(vec![("聘用企业".into(), old, app.enterprise_name.clone())])
        }
        "change_personal" => {
            let (detail,): (Option<String>,) =
                sqlx::query_as("SELECT detail FROM applications WHERE id = $1").bind(app.id).fetch_one(&mut *conn).await?;
            let v: serde_json::Value = serde_json::from_str(detail.as_deref().unwrap_or("{}")).unwrap_or_default();
            let mut out = Vec::new();
            let (old_name, new_name) = (v["old_name"].as_str().unwrap_or(""), v["new_name"].as_str().unwrap_or(""));
            if old_name != new_name {
                out.push(("姓名".into(), old_name.to_owned(), new_name.to_owned()));
            }
            if let (Some(old), Some(new)) = (v["old_id_number"].as_str(), v["new_id_number"].as_str()) {
                out.push(("身份证号".into(), sealer.open_text(old)?, sealer.open_text(new)?));
            }
            Ok(out)
        }
        _ => Ok(vec![]),
    }
}

/// Generates the unsigned form from the application's current data.
pub(crate) async fn generate_form(
    sealer: &crate::sealing::Sealer,
    tx: &mut Tx,
    id: i64,
    declarations: erjian_domain::province::Declarations,
    now: DateTime<Utc>,
) -> Result<()> {
    let app = Store::load_application(sealer, tx.conn(), id).await?.ok_or(Error::NotFound("申请不存在或您无权查看"))?;
    let data = form_data(tx.conn(), sealer, &app, declarations, now).await?;
    let bytes = form_document(&data).to_package().to_bytes();
    write_form(sealer, tx.conn(), id, &bytes).await
}

/// An application's form as stored: it carries the applicant's document number, so it is sealed
/// at rest ([`crate::sealing`]).
pub(crate) async fn read_form(sealer: &crate::sealing::Sealer, conn: &mut sqlx::AnyConnection, id: i64) -> Result<Option<Vec<u8>>> {
    let (form,): (Option<Vec<u8>>,) = sqlx::query_as("SELECT form_ofd FROM applications WHERE id = $1").bind(id).fetch_one(conn).await?;
    sealer.open_opt(form)
}

pub(crate) async fn write_form(sealer: &crate::sealing::Sealer, conn: &mut sqlx::AnyConnection, id: i64, form: &[u8]) -> Result<()> {
    sqlx::query("UPDATE applications SET form_ofd = $2 WHERE id = $1").bind(id).bind(sealer.seal(form)).execute(conn).await?;
    Ok(())
}

//! Enterprise accounts: sign-up (credit code with its check character, 营业执照 scan, legal
//! representative, contact person whose mobile is proven by a text code) leaves the enterprise
//! `pending` for its city ([`crate::enterprise_review`]); an authority may instead create an
//! account for an enterprise it has checked on site, active at once. The enterprise keeps its own
//! contacts, address and phone up to date; its name changes only through the authority's rename.

use crate::accounts::{check_password_policy, hash_password, insert_user, unique_to};
use crate::audit::{self, Entry};
use crate::db::ts;
use crate::error::{Error, Result};
use crate::{Actor, Store};
use chrono::{DateTime, Utc};
use erjian_domain::ids::{parse_mobile, CreditCode};
use erjian_domain::text::{within, CONTACT_NAME_MAX};
use erjian_domain::workflow::Role;
use erjian_domain::FieldError;

/// What the codes of enterprise sign-up are for (sent to the contact person's mobile).
pub const ENTERPRISE_SIGNUP_PURPOSE: &str = "enterprise_signup";
const ADDRESS_MAX: usize = 100;
const QUALIFICATION_MAX: usize = 200;

/// What sign-up of an enterprise asks.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct EnterpriseSignup {
    pub name: String,
    pub credit_code: String,
    pub city_code: String,
    pub legal_rep: String,
    pub password: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_mobile: String,
    /// The code texted to `contact_mobile`.
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    /// The enterprise confirms that a code failing its check character is an early pilot code
    /// (legal: GB 32100 pilots), after being told so.
    #[serde(default)]
    pub pilot_code_confirmed: bool,
}

/// What self sign-up answers for a credit code whose check character fails, until confirmed.
pub const PILOT_CODE_PROMPT: &str =
    "统一社会信用代码校验位未通过：请核对营业执照；如确为早期试点代码（校验位不符合现行标准但合法），请勾选“确认为早期试点代码”后再提交";

/// The contacts an enterprise keeps up to date itself.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct EnterpriseContacts {
    /// 联系人姓名（不超过30个字）.
    #[schema(max_length = 30, pattern = r"\S")]
    pub contact_name: String,
    /// 联系人手机（11位）.
    #[schema(pattern = r"^1[3-9][0-9]{9}$")]
    pub contact_mobile: String,
    /// 企业住所（与营业执照一致，5–100个字）.
    #[schema(max_length = 100, pattern = r"^\S[\s\S]{3,}\S$")]
    pub address: String,
    /// 办公电话（数字和“-”，可不填）.
    #[schema(pattern = r"^[0-9-]{0,20}$")]
    pub phone: String,
    /// 企业资质 (e.g. 建筑工程施工总承包贰级, D234012345).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub qualification: String,
}

impl EnterpriseContacts {
    fn check(&self, errors: &mut Vec<FieldError>) {
        if self.contact_name.trim().is_empty() {
            errors.push(FieldError::new("contact_name", "请输入联系人姓名"));
        } else if let Err(m) = within(&self.contact_name, CONTACT_NAME_MAX, "联系人姓名") {
            errors.push(FieldError::new("contact_name", m));
        }
        if let Err(m) = parse_mobile(&self.contact_mobile) {
            errors.push(FieldError::new("contact_mobile", m));
        }
        if self.address.trim().chars().count() < 5 {
            errors.push(FieldError::new("address", "请输入企业住所（与营业执照一致）"));
        } else if let Err(m) = within(&self.address, ADDRESS_MAX, "企业住所") {
            errors.push(FieldError::new("address", m));
        }
        let phone = self.phone.trim();
        if !phone.is_empty() && (phone.len() > 20 || !phone.chars().all(|c| c.is_ascii_digit() || c == '-')) {
            errors.push(FieldError::new("phone", "办公电话只能包含数字和“-”，如 0551-62871234"));
        }
        if let Err(m) = within(&self.qualification, QUALIFICATION_MAX, "企业资质") {
            errors.push(FieldError::new("qualification", m));
        }
    }
}

impl EnterpriseSignup {
    fn contacts(&self) -> EnterpriseContacts {
        EnterpriseContacts {
            contact_name: self.contact_name.clone(),
            contact_mobile: self.contact_mobile.clone(),
            address: self.address.clone(),
            phone: self.phone.clone(),
            qualification: String::new(),
        }
    }

    /// Every field's errors at once; the parsed credit code when all are right.
    pub(crate) fn check(&self, city_ok: impl Fn(&str) -> bool, with_password: bool) -> Result<CreditCode> {
        let mut errors = Vec::new();
        let code = CreditCode::parse(&self.credit_code).map_err(|e| errors.push(FieldError::new("credit_code", e.to_string()))).ok();
        let name = self.name.trim();
        if name.chars().count() < 4 || name.chars().count() > 60 {
            errors.push(FieldError::new("name", "请输入企业全称（4–60个字）"));
        }
        if !city_ok(&self.city_code) {
            errors.push(FieldError::new("city_code", "请选择企业注册所在地"));
        }
        if self.legal_rep.trim().is_empty() {
            errors.push(FieldError::new("legal_rep", "请输入法定代表人姓名"));
        } else if let Err(m) = within(&self.legal_rep, CONTACT_NAME_MAX, "法定代表人姓名") {
            errors.push(FieldError::new("legal_rep", m));
        }
        self.contacts().check(&mut errors);
        if with_password {
            if let Err(Error::Invalid(mut e)) = check_password_policy(&self.password) {
                errors.append(&mut e);
            }
        }
        match (code, errors.is_empty()) {
            (Some(code), true) => Ok(code),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// How an enterprise account comes to be.
pub(crate) enum Origin<'a> {
    /// Signed up by the enterprise itself, with its 营业执照 scan: pending its city's review.
    SignUp { licence: &'a erjian_domain::photo::Decoded },
    /// Created by an authority (or the demo seed) that has checked the enterprise: active.
    Created { by: Option<&'a Actor> },
}

impl Store {
    /// Checks the contact mobile and the name fields of a sign-up before a code is texted.
    pub fn enterprise_code_target(&self, s: &EnterpriseSignup, city_ok: impl Fn(&str) -> bool) -> Result<String> {
        s.check(city_ok, false)?;
        Ok(s.contact_mobile.trim().to_owned())
    }

    /// Enterprise sign-up: every field checked, the 营业执照 scan decoded, the contact's mobile
    /// proven by its code; the account waits for its city's review. A failing check character of
    /// an early pilot code is accepted and noted in the audit log.
    pub async fn signup_enterprise(
        &self,
        s: &EnterpriseSignup,
        licence: &[u8],
        city_ok: impl Fn(&str) -> bool,
        now: DateTime<Utc>,
    ) -> Result<Actor> {
        let checked = s.check(city_ok, true);
        let scan = if licence.is_empty() {
            Err(FieldError::new("licence", "请上传营业执照扫描件（JPG 或 PNG）"))
        } else {
            erjian_domain::photo::check_scan(licence, "营业执照扫描件").map_err(|m| FieldError::new("licence", m))
        };
        let no_code = s.code.trim().is_empty();
        // A failing check character is legal (early pilots) but most often a typing error: the
        // enterprise is told and must confirm.
        let checked = match checked {
            Ok(code) if !code.check_ok() && !s.pilot_code_confirmed => Err(Error::invalid("credit_code", PILOT_CODE_PROMPT)),
            other => other,
        };
        let (code, scan) = match (checked, scan) {
            (Ok(code), Ok(scan)) if !no_code => (code, scan),
            (checked, scan) => {
                let mut errors = match checked {
                    Err(Error::Invalid(e)) => e,
                    Err(e) => return Err(e),
                    Ok(_) => vec![],
                };
                errors.extend(scan.err());
                if no_code {
                    errors.push(FieldError::new("code", "请输入发送到联系人手机的短信验证码"));
                }
                return Err(Error::Invalid(errors));
            }
        };
        self.check_code(ENTERPRISE_SIGNUP_PURPOSE, s.contact_mobile.trim(), s.code.trim(), now).await?;
        self.open_enterprise(s, &code, Origin::SignUp { licence: &scan }, now).await
    }

    /// An authority creates an account for an enterprise of its area that it has checked; active
    /// at once. The password is the initial one the authority hands over.
    pub async fn create_enterprise(&self, by: &Actor, s: &EnterpriseSignup, now: DateTime<Utc>) -> Result<Actor> {
        let covers = |city: &str| match by.role {
            Role::ProvinceAuthority => true,
            Role::CityAuthority => by.city_code.as_deref() == Some(city),
            _ => false,
        };
        if !matches!(by.role, Role::CityAuthority | Role::ProvinceAuthority) {
            return Err(Error::Forbidden);
        }
        let code = s.check(|c| !c.is_empty() && covers(c), true)?;
        self.open_enterprise(s, &code, Origin::Created { by: Some(by) }, now).await
    }

    /// One transaction: the enterprise row and its account, audited.
    pub(crate) async fn open_enterprise(
        &self,
        s: &EnterpriseSignup,
        code: &CreditCode,
        origin: Origin<'_>,
        now: DateTime<Utc>,
    ) -> Result<Actor> {
        let mut tx = self.write().await?;
        let actor = self.insert_enterprise(&mut tx, s, code, origin, now).await?;
        tx.commit().await?;
        Ok(actor)
    }

    /// The enterprise row and its account, audited, inside the caller's transaction.
    pub(crate) async fn insert_enterprise(
        &self,
        tx: &mut crate::db::Tx,
        s: &EnterpriseSignup,
        code: &CreditCode,
        origin: Origin<'_>,
        now: DateTime<Utc>,
    ) -> Result<Actor> {
        let name = s.name.trim();
        let (status, scan, mime) = match &origin {
            Origin::SignUp { licence } => ("pending", Some(self.sealer()?.seal(&licence.bytes)), Some(licence.mime)),
            Origin::Created { .. } => ("active", None, None),
        };
        let hash = hash_password(&s.password);
        let (enterprise_id,): (i64,) = sqlx::query_as(
            "INSERT INTO enterprises (name, credit_code, city_code, legal_rep, status, contact_name, contact_mobile, address, phone, licence_scan, licence_scan_mime, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(name)
        .bind(code.as_str())
        .bind(&s.city_code)
        .bind(s.legal_rep.trim())
        .bind(status)
        .bind(s.contact_name.trim())
        .bind(self.sealer()?.seal_text(s.contact_mobile.trim()))
        .bind(s.address.trim())
        .bind(s.phone.trim())
        .bind(scan)
        .bind(mime)
        .bind(ts(now))
        .fetch_one(tx.conn())
        .await
        .map_err(|e| unique_to(e, "该企业名称或统一社会信用代码已注册（或正在审核中），请直接登录；如需找回账号请联系所在地主管部门"))?;
        let user_id = insert_user(tx, code.as_str(), &hash, Role::Enterprise, name, None, Some(enterprise_id), Some(&s.city_code), now)
            .await
            .map_err(|e| unique_to(e, "该统一社会信用代码已注册账号，请直接登录"))?;
        let actor = Actor {
            user_id,
            username: code.to_string(),
            name: name.to_owned(),
            role: Role::Enterprise,
            person_id: None,
            // A pending enterprise acts as no enterprise until approved.
            enterprise_id: (status == "active").then_some(enterprise_id),
            city_code: Some(s.city_code.clone()),
            registration: None,
        };
        let detail = (!code.check_ok()).then_some("统一社会信用代码校验位未通过（早期试点代码），已按规定接受");
        match origin {
            Origin::SignUp { .. } => {
                audit::record(tx.conn(), now, Some(&actor), Entry { detail, ..Entry::new("signup", "user", Some(user_id)) }).await?
            }
            Origin::Created { by } => {
                let entry = Entry {
                    detail: detail.or(Some("主管部门核实后创建")),
                    ..Entry::new("create_enterprise", "enterprise", Some(enterprise_id))
                };
                audit::record(tx.conn(), now, by, entry).await?
            }
        }
        Ok(actor)
    }

    /// The enterprise's own contacts, changed by the enterprise; audited.
    pub async fn update_enterprise_contacts(&self, actor: &Actor, c: &EnterpriseContacts, now: DateTime<Utc>) -> Result<()> {
        let Some(enterprise_id) = actor.enterprise_id.filter(|_| actor.role == Role::Enterprise) else {
            return Err(Error::Forbidden);
        };
        let mut errors = Vec::new();
        c.check(&mut errors);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE enterprises SET contact_name = $2, contact_mobile = $3, address = $4, phone = $5, qualification = $6 WHERE id = $1",
        )
        .bind(enterprise_id)
        .bind(c.contact_name.trim())
        .bind(self.sealer()?.seal_text(c.contact_mobile.trim()))
        .bind(c.address.trim())
        .bind(c.phone.trim())
        .bind(c.qualification.trim())
        .execute(tx.conn())
        .await?;
        audit::record(tx.conn(), now, Some(actor), Entry::new("edit_enterprise", "enterprise", Some(enterprise_id))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The 营业执照 scan of an enterprise, for an authority covering it (the reviewer) or the
    /// enterprise itself: (bytes, type).
    pub async fn enterprise_licence(&self, actor: &Actor, enterprise_id: i64) -> Result<(Vec<u8>, String)> {
        let own = actor.role == Role::Enterprise && actor.enterprise_id == Some(enterprise_id);
        let reviewer =
            matches!(actor.role, Role::CityAuthority | Role::ProvinceAuthority) && self.authority_covers(actor, enterprise_id).await?;
        if !own && !reviewer {
            return Err(Error::NotFound("营业执照扫描件不存在"));
        }
        let row: Option<(Option<Vec<u8>>, Option<String>)> =
            sqlx::query_as("SELECT licence_scan, licence_scan_mime FROM enterprises WHERE id = $1")
                .bind(enterprise_id)
                .fetch_optional(&self.pool)
                .await?;
        match row {
            Some((Some(bytes), Some(mime))) => Ok((self.sealer()?.open(&bytes)?, mime)),
            _ => Err(Error::NotFound("营业执照扫描件不存在")),
        }
    }
}

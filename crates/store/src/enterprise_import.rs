//! An authority imports enterprise accounts by CSV (`erjian_domain::enterprise_csv`): every row
//! checked as a sign-up is (the city from the authority's own area), all created in one
//! transaction or none, each active at once with a random initial password that is shown once,
//! to hand over; each creation audited.

use crate::enterprise_accounts::{EnterpriseSignup, Origin};
use crate::error::{Error, Result};
use crate::qualifications::ImportError;
use crate::{Actor, Store};
use chrono::{DateTime, Utc};
use erjian_domain::province::City;
use erjian_domain::qualification::RowError;
use erjian_domain::workflow::Role;
use rand::Rng;

/// One account created: the login (credit code), the enterprise, and its initial password.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedAccount {
    pub username: String,
    pub name: String,
    pub initial_password: String,
}

/// Twelve characters of letters and digits (never 0/O, 1/l/I), at least one of each.
fn initial_password() -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::thread_rng();
    let mut p: Vec<u8> = (0..10).map(|_| LETTERS[rng.gen_range(0..LETTERS.len())]).collect();
    p.push(DIGITS[rng.gen_range(0..DIGITS.len())]);
    p.insert(rng.gen_range(0..p.len()), DIGITS[rng.gen_range(0..DIGITS.len())]);
    String::from_utf8(p).expect("ASCII")
}

impl Store {
    pub async fn import_enterprises(
        &self,
        by: &Actor,
        cities: &[City],
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Vec<CreatedAccount>, ImportError> {
        if !matches!(by.role, Role::CityAuthority | Role::ProvinceAuthority) {
            return Err(ImportError::Store(Error::Forbidden));
        }
        let rows = erjian_domain::enterprise_csv::parse(bytes).map_err(ImportError::Rows)?;
        let covers = |code: &str| by.role == Role::ProvinceAuthority || by.city_code.as_deref() == Some(code);
        let mut errors = Vec::new();
        let mut checked = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for r in &rows {
            let city = cities.iter().find(|c| c.name == r.city || c.code == r.city).map(|c| c.code);
            let s = EnterpriseSignup {
                name: r.name.clone(),
                credit_code: r.credit_code.clone(),
                city_code: city.unwrap_or_default().to_owned(),
                legal_rep: r.legal_rep.clone(),
                password: initial_password(),
                contact_name: r.contact_name.clone(),
                contact_mobile: r.contact_mobile.clone(),
                address: r.address.clone(),
                phone: r.phone.clone(),
                code: String::new(),
                // Checked on site by the authority: a pilot code needs no confirmation here.
                pilot_code_confirmed: true,
            };
            if city.is_some_and(|c| !covers(c)) {
                errors.push(RowError { line: r.line, message: format!("注册所在地“{}”不在本部门辖区", r.city) });
                continue;
            }
            match s.check(|c| !c.is_empty(), true) {
                Ok(code) if seen.insert(code.as_str().to_owned()) => checked.push((s, code)),
                Ok(_) => errors.push(RowError { line: r.line, message: "统一社会信用代码与文件中前面的行重复".into() }),
                Err(Error::Invalid(fields)) => {
                    let message = fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("；");
                    errors.push(RowError { line: r.line, message });
                }
                Err(e) => return Err(ImportError::Store(e)),
            }
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(errors));
        }
        let mut tx = self.write().await?;
        let mut created = Vec::new();
        for (line, (s, code)) in rows.iter().map(|r| r.line).zip(checked) {
            match self.insert_enterprise(&mut tx, &s, &code, Origin::Created { by: Some(by) }, now).await {
                Ok(a) => created.push(CreatedAccount { username: a.username, name: a.name, initial_password: s.password.clone() }),
                Err(Error::Conflict(m)) => errors.push(RowError { line, message: m }),
                Err(e) => return Err(ImportError::Store(e)),
            }
        }
        if !errors.is_empty() {
            // Nothing is kept when any row is refused (the transaction is dropped).
            return Err(ImportError::Rows(errors));
        }
        tx.commit().await?;
        Ok(created)
    }
}

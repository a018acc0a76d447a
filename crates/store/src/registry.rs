//! Enterprises, persons and registrations: the register that the workflow writes into.

use crate::error::Result;
use crate::Store;
use erjian_domain::standing::{self, Standing};
use erjian_domain::workflow::Role;

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Enterprise {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub city_code: String,
    pub legal_rep: String,
    pub status: String,
    pub contact_name: String,
    pub contact_mobile: String,
    pub address: String,
    pub phone: String,
    /// 企业资质 as the enterprise states it (certificate number, kind and grade).
    pub qualification: String,
    /// The 营业执照 scan's type when one was uploaded (the scan itself is read on its own).
    pub licence_scan_mime: Option<String>,
}

/// The columns of [`Enterprise`] (never the scan itself).
pub(crate) const ENTERPRISE_COLUMNS: &str =
    "id, name, credit_code, city_code, legal_rep, status, contact_name, contact_mobile, address, phone, qualification, licence_scan_mime";

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    pub id_number: String,
    pub name: String,
    pub gender: String,
    pub birth_date: String,
    pub mobile: String,
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RegisteredSpecialty {
    pub registration_id: i64,
    pub specialty_code: String,
    pub valid_from: String,
    pub valid_until: String,
    pub status: String,
}

impl RegisteredSpecialty {
    pub fn name(&self) -> &'static str {
        erjian_domain::profession::specialty_name(&self.specialty_code)
    }

    pub fn facts(&self) -> standing::SpecialtyFacts<'_> {
        standing::SpecialtyFacts { status: &self.status, valid_until: &self.valid_until }
    }
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Registration {
    pub id: i64,
    pub registration_number: String,
    pub person_id: i64,
    pub person_name: String,
    pub id_number: String,
    /// The holder's birth date, YYYY-MM-DD (for age limits and validity caps).
    pub birth_date: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub profession: String,
    pub status: String,
    pub first_registered_on: String,
    /// The status of the newest certificate (valid, suspended, revoked, …), if any.
    pub certificate_status: Option<String>,
    #[sqlx(skip)]
    pub specialties: Vec<RegisteredSpecialty>,
}

impl Registration {
    /// The holder's profession rules and birth date (for age limits and validity caps).
    pub fn holder_limits(&self) -> crate::Result<(&'static erjian_domain::profession::Profession, chrono::NaiveDate)> {
        let prof = erjian_domain::profession::profession(&self.profession).ok_or(crate::Error::NotFound("专业不存在"))?;
        let birth = crate::db::stored_date(&self.birth_date)?;
        Ok((prof, birth))
    }

    /// The profession's name (二级注册建造师 …).
    pub fn profession_name(&self) -> &'static str {
        erjian_domain::profession::profession(&self.profession).map(|p| p.name).unwrap_or("其他")
    }

    pub fn masked_id(&self) -> String {
        erjian_domain::ids::mask_id_number(&self.id_number)
    }

    /// Whether an enterprise's search term finds this registration: part of the name, the
    /// registration number (whole or part) or the whole ID number.
    pub fn matches(&self, term: &str) -> bool {
        let term = term.trim();
        term.is_empty()
            || self.person_name.contains(term)
            || self.registration_number.contains(term)
            || self.id_number.eq_ignore_ascii_case(term)
    }

    /// The registration's legal status today (the one rule every view uses).
    pub fn standing(&self, today: chrono::NaiveDate) -> Standing {
        let specs: Vec<_> = self.specialties.iter().map(RegisteredSpecialty::facts).collect();
        standing::registration(
            standing::Facts { registration: &self.status, certificate: self.certificate_status.as_deref() },
            &specs,
            today,
        )
    }

    /// One specialty's legal status today.
    pub fn specialty_standing(&self, s: &RegisteredSpecialty, today: chrono::NaiveDate) -> Standing {
        standing::specialty(self.standing(today), s.facts(), today)
    }
}

const REG_SELECT: &str = "SELECT r.id, r.registration_number, r.person_id, p.name AS person_name, p.id_number, p.birth_date, r.enterprise_id, e.name AS enterprise_name, r.profession, r.status, r.first_registered_on,
     (SELECT c.status FROM certificates c WHERE c.registration_id = r.id ORDER BY c.version DESC LIMIT 1) AS certificate_status
     FROM registrations r JOIN persons p ON p.id = r.person_id JOIN enterprises e ON e.id = r.enterprise_id";

impl Store {
    pub async fn enterprise_by_name(&self, name: &str) -> Result<Option<Enterprise>> {
        let e: Option<Enterprise> =
            sqlx::query_as(&format!("SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE name = $1 AND status = 'active'"))
                .bind(name.trim())
                .fetch_optional(&self.pool)
                .await?;
        e.map(|e| self.opened(e)).transpose()
    }

    pub async fn enterprise(&self, id: i64) -> Result<Option<Enterprise>> {
        let e: Option<Enterprise> = sqlx::query_as(&format!("SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        e.map(|e| self.opened(e)).transpose()
    }

    /// The tenant rule for authorities: the province covers every enterprise, a city authority
    /// the enterprises registered in its city, nobody else any.
    pub async fn authority_covers(&self, actor: &crate::Actor, enterprise_id: i64) -> Result<bool> {
        Ok(match actor.role {
            Role::ProvinceAuthority => true,
            Role::CityAuthority => self.enterprise(enterprise_id).await?.is_some_and(|e| Some(e.city_code) == actor.city_code),
            _ => false,
        })
    }

    pub async fn enterprises(&self) -> Result<Vec<Enterprise>> {
        let rows: Vec<Enterprise> =
            sqlx::query_as(&format!("SELECT {ENTERPRISE_COLUMNS} FROM enterprises ORDER BY id")).fetch_all(&self.pool).await?;
        rows.into_iter().map(|e| self.opened(e)).collect()
    }

    /// An enterprise as read: its contact mobile opened ([`crate::sealing`]).
    pub(crate) fn opened(&self, mut e: Enterprise) -> Result<Enterprise> {
        e.contact_mobile = self.sealer()?.open_text(&e.contact_mobile)?;
        Ok(e)
    }

    pub async fn person(&self, id: i64) -> Result<Option<Person>> {
        let p: Option<Person> = sqlx::query_as("SELECT id, id_number, name, gender, birth_date, mobile FROM persons WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        p.map(|mut p| {
            p.mobile = self.sealer()?.open_text(&p.mobile)?;
            p.id_number = self.sealer()?.open_text(&p.id_number)?;
            Ok(p)
        })
        .transpose()
    }

    /// Completes registrations as read: the holder's document number opened, the specialties.
    async fn with_specialties(&self, mut regs: Vec<Registration>) -> Result<Vec<Registration>> {
        let sealer = self.sealer()?;
        for r in &mut regs {
            r.id_number = sealer.open_text(&r.id_number)?;
            r.specialties = sqlx::query_as("SELECT * FROM registration_specialties WHERE registration_id = $1 ORDER BY specialty_code")
                .bind(r.id)
                .fetch_all(&self.pool)
                .await?;
        }
        Ok(regs)
    }

    pub async fn registrations_of_person(&self, person_id: i64) -> Result<Vec<Registration>> {
        let regs =
            sqlx::query_as(&format!("{REG_SELECT} WHERE r.person_id = $1 ORDER BY r.id")).bind(person_id).fetch_all(&self.pool).await?;
        self.with_specialties(regs).await
    }

    pub async fn registrations_of_enterprise(&self, enterprise_id: i64) -> Result<Vec<Registration>> {
        let regs = sqlx::query_as(&format!("{REG_SELECT} WHERE r.enterprise_id = $1 ORDER BY r.registration_number"))
            .bind(enterprise_id)
            .fetch_all(&self.pool)
            .await?;
        self.with_specialties(regs).await
    }

    pub async fn registration_by_number(&self, number: &str) -> Result<Option<Registration>> {
        let regs = sqlx::query_as(&format!("{REG_SELECT} WHERE r.registration_number = $1")).bind(number).fetch_all(&self.pool).await?;
        Ok(self.with_specialties(regs).await?.pop())
    }
}

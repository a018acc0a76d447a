//! 人员注册信息查询 for authorities: one person found by document number or registration number,
//! with registrations (and each one's certificates), and applications — within the tenant rule: a
//! city sees a person only through a registration with an enterprise of its city or an
//! application filed in it; otherwise the answer is the same "not found".

use crate::applications::Application;
use crate::certificates::Certificate;
use crate::error::{Error, Result};
use crate::queues::ListFilter;
use crate::registry::{Person, Registration};
use crate::{Actor, Store};
use erjian_domain::workflow::Role;

/// Everything an authority reads about one person.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PersonFile {
    pub person: Person,
    /// Each registration with every version of its certificate, as `[registration, [certificate, …]]`.
    pub registrations: Vec<(Registration, Vec<Certificate>)>,
    pub applications: Vec<Application>,
}

const NOT_FOUND: &str = "未找到该人员，或其注册与申请不在本部门辖区";

impl Store {
    pub async fn look_up_person(&self, actor: &Actor, term: &str) -> Result<PersonFile> {
        if !matches!(actor.role, Role::CityAuthority | Role::ProvinceAuthority) {
            return Err(Error::Forbidden);
        }
        let term = term.trim();
        let person_id = match erjian_domain::documents::PersonId::infer(term) {
            Ok(id) => {
                let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM persons WHERE id_key = $1")
                    .bind(self.sealer()?.id_key(id.as_str()))
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|r| r.0)
            }
            Err(_) => self.registration_by_number(term).await?.map(|r| r.person_id),
        };
        let person_id = person_id.ok_or(Error::NotFound(NOT_FOUND))?;
        let person = self.person(person_id).await?.ok_or(Error::NotFound(NOT_FOUND))?;
        let regs = self.registrations_of_person(person_id).await?;
        let filter = ListFilter { search: Some(person.id_number.clone()), limit: 200, ..Default::default() };
        let applications = self.applications(actor, &filter).await?;
        let mut covered = actor.role == Role::ProvinceAuthority || !applications.is_empty();
        for r in &regs {
            covered = covered || self.authority_covers(actor, r.enterprise_id).await?;
        }
        if !covered {
            return Err(Error::NotFound(NOT_FOUND));
        }
        let mut registrations = Vec::new();
        for r in regs {
            let certs = self.certificates_of_registration(r.id).await?;
            registrations.push((r, certs));
        }
        Ok(PersonFile { person, registrations, applications })
    }
}

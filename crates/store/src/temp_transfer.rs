//! 二级临时建造师变更 as 湖南 runs it (`temporary_transfer_by_new_employer`; manual 3.2.3.8–3.2.3.9):
//! the new enterprise files the transfer, naming the holder by name and ID number (“双击选择需要进行
//! 申报的人员后,企业把其它详细信息及个人身份证材料补充完整后保存上报”); the old enterprise consents in
//! its 待确认 list (“原单位登录系统在该模块找到相应数据点同意转出”); the new enterprise seals and the
//! holder signs the form; the province accepts and decides alone (“最后在由省厅进行审核”). The
//! holder cannot start it.

use crate::error::{Error, Result};
use crate::{Actor, Store};
use chrono::{DateTime, Utc};
use erjian_domain::documents::PersonId;
use erjian_domain::workflow::Role;

impl Store {
    /// The new enterprise (`actor`) files the transfer of the temporary constructor `name`
    /// (`id_number`) to itself, with the holder's photo when none is on file (decoded and
    /// re-encoded, never stored as sent). The name must match the ID number, so a number alone finds
    /// nobody; the answer is the same "not found" whether the person is unknown, not a
    /// temporary constructor in force, or named differently.
    pub async fn file_temporary_transfer(
        &self,
        actor: &Actor,
        name: &str,
        id_number: &str,
        photo: Option<&[u8]>,
        submit: bool,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let Some(enterprise_id) = actor.enterprise_id.filter(|_| actor.role == Role::Enterprise) else { return Err(Error::Forbidden) };
        if !self.rules().temporary_transfer_by_new_employer {
            return Err(Error::Conflict("本省（市）二级临时建造师变更由本人申请：请由本人登录个人端办理变更执业企业".into()));
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("name", "请输入人员姓名"));
        }
        let id = PersonId::infer(id_number.trim()).map_err(|m| Error::invalid("id_number", m))?;
        let photo = match photo.filter(|p| !p.is_empty()) {
            Some(bytes) => Some(erjian_domain::photo::check_photo(bytes).map_err(|m| Error::invalid("photo", m))?),
            None => None,
        };
        let not_found = || Error::NotFound("未找到该二级临时建造师的有效注册：请核对姓名与身份证号");
        let person: Option<(i64, String)> = sqlx::query_as("SELECT id, name FROM persons WHERE id_key = $1")
            .bind(self.sealer()?.id_key(id.as_str()))
            .fetch_optional(&self.pool)
            .await?;
        let (person_id, stored_name) = person.ok_or_else(not_found)?;
        if stored_name != name {
            return Err(not_found());
        }
        let reg = self
            .registrations_of_person(person_id)
            .await?
            .into_iter()
            .find(|r| r.status == "active" && r.profession == "temp_constructor2")
            .ok_or_else(not_found)?;
        if reg.enterprise_id == enterprise_id {
            return Err(Error::invalid("id_number", "该人员已在本单位执业，无需变更"));
        }
        crate::holds::ensure_may_issue(&mut *self.pool.acquire().await?, reg.id).await?;
        let new = self.enterprise(enterprise_id).await?.ok_or(Error::NotFound("企业不存在"))?;
        let acting = Actor { person_id: Some(person_id), ..actor.clone() };
        let how = crate::changes::Transfer { province_alone: true, photo };
        self.file_transfer(&acting, &reg, &new, how, submit, now).await
    }
}

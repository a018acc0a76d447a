//! What every procedure on an existing registration shares: finding the signed-in individual's
//! active registration, and writing a follow-up application (renewal, add specialty, changes) —
//! numbered, with the person's current photo carried over, one open application per person, its
//! specialties and its audit row — inside the caller's transaction.

use crate::audit::{self, Entry};
use crate::db::{today, ts, Tx};
use crate::error::{Error, Result};
use crate::registry::Registration;
use crate::{next_serial, Actor, Store};
use chrono::{DateTime, Utc};
use erjian_domain::workflow::{ReviewStages, Role};

/// The reason given with a decision: required (trimmed, non-empty) when the answer is no.
pub(crate) fn reason_for_refusal<'a>(yes: bool, reason: Option<&'a str>, missing: &str) -> Result<Option<&'a str>> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if !yes && reason.is_none() {
        return Err(Error::invalid("reason", missing));
    }
    if let Some(r) = reason {
        erjian_domain::text::within(r, erjian_domain::text::REASON_MAX, "理由").map_err(|m| Error::invalid("reason", m))?;
    }
    Ok(reason)
}

/// The registration an action concerns among the holder's registrations in force: the one the
/// request names (`?registration=`), else the only one. A holder of two professions (上海) who
/// names none is asked to choose, never given the first by chance.
pub(crate) fn choose_registration(active: Vec<Registration>, chosen: Option<&str>, missing: &str) -> Result<Registration> {
    if let Some(number) = chosen {
        return active.into_iter().find(|r| r.registration_number == number).ok_or(Error::NotFound("未找到您名下的该注册"));
    }
    match active.len() {
        0 => Err(Error::Conflict(missing.to_owned())),
        1 => Ok(active.into_iter().next().expect("one")),
        _ => {
            let names: Vec<&str> =
                active.iter().map(|r| erjian_domain::profession::profession(&r.profession).map(|p| p.name).unwrap_or("其他")).collect();
            Err(Error::Conflict(format!("您持有多个注册（{}），请先选择本次业务办理的注册证书", names.join("、"))))
        }
    }
}

/// A follow-up application to write.
pub(crate) struct FollowUp<'a> {
    pub kind: &'a str,
    pub registration: &'a Registration,
    /// The enterprise that will seal the form (the new one for a change of employer).
    pub enterprise_id: i64,
    pub city_code: &'a str,
    pub specialties: &'a [String],
    /// Continuing-education hours (compulsory, elective), where the procedure asks for them.
    pub hours: (i64, i64),
    /// Procedure-specific data (JSON).
    pub detail: Option<&'a str>,
    /// Shown in the audit row.
    pub note: Option<&'a str>,
    /// The province accepts and decides alone, whatever the profile's stages (湖南's temporary
    /// constructor transfer: “最后在由省厅进行审核”).
    pub province_alone: bool,
}

impl Store {
    /// The signed-in individual's person id and active registration; `missing` is the refusal
    /// when there is none (it says what to do instead).
    pub(crate) async fn own_active_registration(&self, actor: &Actor, missing: &str) -> Result<(i64, Registration)> {
        let person_id = match (actor.role, actor.person_id) {
            (Role::Individual, Some(p)) => p,
            // An enterprise filing for one of its people (see [`Store::on_behalf`]).
            (Role::Enterprise, Some(p)) if self.rules().enterprise_files_initial => p,
            _ => return Err(Error::Forbidden),
        };
        let active: Vec<Registration> =
            self.registrations_of_person(person_id).await?.into_iter().filter(|r| r.status == "active").collect();
        let reg = choose_registration(active, actor.registration.as_deref(), missing)?;
        if actor.role == Role::Enterprise && Some(reg.enterprise_id) != actor.enterprise_id {
            return Err(Error::NotFound("未找到本单位的该注册人员"));
        }
        Ok((person_id, reg))
    }

    /// The registration a page about `person_id`'s procedures shows: the one the request names
    /// (`?registration=`), else the first in force; with the others in force (to switch to).
    /// The page's form then names the one shown, so what is seen is what is acted on.
    pub async fn shown_registration(&self, actor: &Actor, person_id: i64) -> Result<(Option<Registration>, Vec<Registration>)> {
        let mut active: Vec<Registration> =
            self.registrations_of_person(person_id).await?.into_iter().filter(|r| r.status == "active").collect();
        let at = actor.registration.as_deref().and_then(|n| active.iter().position(|r| r.registration_number == n)).unwrap_or(0);
        if active.is_empty() {
            return Ok((None, active));
        }
        let shown = active.remove(at);
        Ok((Some(shown), active))
    }

    /// [`Self::own_active_registration`] for a procedure that ends in a new certificate (or a
    /// copy of one): refused at once while the certificate is suspended, so nothing is filed
    /// that could not be issued (the same guard runs again where the certificate is made).
    pub(crate) async fn own_registration_to_issue(&self, actor: &Actor, missing: &str) -> Result<(i64, Registration)> {
        let (person_id, reg) = self.own_active_registration(actor, missing).await?;
        crate::holds::ensure_may_issue(&mut *self.pool.acquire().await?, reg.id).await?;
        Ok((person_id, reg))
    }

    /// The enterprise acting for one of its registered people, named by ID number, where the
    /// province lets enterprises file (湖南): renewals and added specialties are then filed by the
    /// enterprise, which seals first, and confirmed by the person's signature.
    pub async fn on_behalf(&self, actor: &Actor, id_number: &str) -> Result<Actor> {
        self.check_enterprise_files(actor)?;
        let id = erjian_domain::documents::PersonId::infer(id_number.trim()).map_err(|m| Error::invalid("applicant_id_number", m))?;
        self.acting_for(actor, "p.id_key = $1", &self.sealer()?.id_key(id.as_str())).await
    }

    /// As [`Store::on_behalf`], the person named by registration number (the enterprise's pages
    /// show ID numbers masked).
    pub async fn on_behalf_by_registration(&self, actor: &Actor, registration_number: &str) -> Result<Actor> {
        self.check_enterprise_files(actor)?;
        self.acting_for(actor, "r.registration_number = $1", registration_number.trim()).await
    }

    fn check_enterprise_files(&self, actor: &Actor) -> Result<()> {
        if actor.role != Role::Enterprise {
            return Err(Error::Forbidden);
        }
        if !self.rules().enterprise_files_initial {
            return Err(Error::Conflict("本省（市）由个人申报，企业不能代为申报；请由本人登录个人端办理".into()));
        }
        Ok(())
    }

    /// `condition` is a constant from this module, never user input.
    async fn acting_for(&self, actor: &Actor, condition: &str, value: &str) -> Result<Actor> {
        let sql = format!(
            "SELECT p.id FROM persons p JOIN registrations r ON r.person_id = p.id WHERE {condition} AND r.enterprise_id = $2 AND r.status = 'active'"
        );
        let row: Option<(i64,)> = sqlx::query_as(&sql).bind(value).bind(actor.enterprise_id).fetch_optional(&self.pool).await?;
        let (person_id,) = row.ok_or(Error::NotFound("未找到本单位的该注册人员"))?;
        Ok(Actor { person_id: Some(person_id), ..actor.clone() })
    }

    /// Submits the follow-up when asked (which generates the form to sign) and commits. A
    /// corrected form whose signatures were already asked for is regenerated (`Revise`).
    pub(crate) async fn finish_follow_up(&self, mut tx: Tx, actor: &Actor, id: i64, submit: bool, now: DateTime<Utc>) -> Result<i64> {
        use erjian_domain::workflow::Action;
        let state = Self::load_application(self.sealer()?, tx.conn(), id).await?.map(|a| a.state());
        if state.is_some_and(|s| s.awaiting_signatures()) {
            self.act_in(&mut tx, actor, id, crate::workflow::Step::plain(Action::Revise), now).await?;
        } else if submit {
            self.act_in(&mut tx, actor, id, crate::workflow::Step::plain(Action::Submit), now).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Writes the application (state 草稿) with its specialties and audit row; returns its id.
    /// When the person already has an application of this kind that may still be edited (a
    /// draft, or one returned for correction), that one is corrected in place instead.
    pub(crate) async fn insert_follow_up(&self, tx: &mut Tx, actor: &Actor, f: FollowUp<'_>, now: DateTime<Utc>) -> Result<i64> {
        if let Some(id) = self.correct_follow_up(tx, actor, &f, now).await? {
            return Ok(id);
        }
        crate::applications::check_not_barred(tx.conn(), f.registration.person_id, now).await?;
        let day = today(now).format("%Y%m%d").to_string();
        let serial = next_serial(tx.conn(), &format!("app:{day}")).await?;
        let inserted: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO applications (number, kind, profession, person_id, enterprise_id, city_code, state, version, open_person_id, mobile, ce_compulsory, ce_elective, declaration, signing_order, registration_id, detail, photo, photo_mime, created_at, updated_at, review_stages, filed_by, person_name)
             SELECT $1, $2, $3, $4, $5, $6, 'draft', 0, $4, p.mobile, $7, $8, 1, $9, $10, $11,
                    COALESCE(p.photo, (SELECT photo FROM applications x WHERE x.person_id = $4 AND x.photo IS NOT NULL ORDER BY x.id DESC LIMIT 1)),
                    CASE WHEN p.photo IS NOT NULL THEN p.photo_mime ELSE
                    (SELECT photo_mime FROM applications x WHERE x.person_id = $4 AND x.photo IS NOT NULL ORDER BY x.id DESC LIMIT 1) END,
                    $12, $12, $13, $14, p.name FROM persons p WHERE p.id = $4 RETURNING id",
        )
        .bind(format!("W{day}{serial:08}"))
        .bind(f.kind)
        .bind(&f.registration.profession)
        .bind(f.registration.person_id)
        .bind(f.enterprise_id)
        .bind(f.city_code)
        .bind(f.hours.0)
        .bind(f.hours.1)
        .bind(self.rules().signing_order.code())
        .bind(f.registration.id)
        .bind(f.detail)
        .bind(ts(now))
        .bind(if f.province_alone { ReviewStages::ProvinceOnly } else { self.rules().review_stages }.code())
        .bind(if actor.role == Role::Enterprise { "enterprise" } else { "individual" })
        .fetch_one(tx.conn())
        .await;
        let (id,) = inserted
            .map_err(|e| crate::accounts::unique_to(e, "您已有在办业务（一人同一时间只能有一项在办申请），请办结或撤回后再申请"))?;
        crate::applications::set_specialties(tx, id, f.specialties).await?;
        let action = format!("create_{}", f.kind);
        audit::record(
            tx.conn(),
            now,
            Some(actor),
            Entry { to_state: Some("draft"), detail: f.note, ..Entry::new(&action, "application", Some(id)) },
        )
        .await?;
        Ok(id)
    }
}

impl Store {
    /// Corrects the person's open application of `f.kind` that is a draft or was returned for
    /// correction: new specialties, hours, details and employer, one audit
    /// row. `None` when there is none, so a new one is filed.
    async fn correct_follow_up(&self, tx: &mut Tx, actor: &Actor, f: &FollowUp<'_>, now: DateTime<Utc>) -> Result<Option<i64>> {
        let filed_by = if actor.role == Role::Enterprise { "enterprise" } else { "individual" };
        let open: Option<(i64,)> = sqlx::query_as("SELECT id FROM applications WHERE open_person_id = $1 AND kind = $2 AND filed_by = $3")
            .bind(f.registration.person_id)
            .bind(f.kind)
            .bind(filed_by)
            .fetch_optional(tx.conn())
            .await?;
        let Some((id,)) = open else { return Ok(None) };
        let app = Self::load_application(self.sealer()?, tx.conn(), id).await?.ok_or(Error::NotFound("申请不存在或您无权查看"))?;
        // Corrected in place while a draft or returned for correction; once the form has been
        // generated for signing, or filed, the one open application refuses a second one.
        if !matches!(app.state(), erjian_domain::workflow::State::Draft | erjian_domain::workflow::State::Returned) {
            return Ok(None);
        }
        sqlx::query(
            "UPDATE applications SET enterprise_id = $2, city_code = $3, ce_compulsory = $4, ce_elective = $5, detail = $6, updated_at = $7, version = version + 1 WHERE id = $1",
        )
        .bind(id)
        .bind(f.enterprise_id)
        .bind(f.city_code)
        .bind(f.hours.0)
        .bind(f.hours.1)
        .bind(f.detail)
        .bind(ts(now))
        .execute(tx.conn())
        .await?;
        crate::applications::set_specialties(tx, id, f.specialties).await?;
        audit::edited(tx.conn(), now, actor, id, &app.state).await?;
        Ok(Some(id))
    }
}

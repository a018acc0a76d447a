//! The authority workflow as use cases: one action on one application, publicity batches, and
//! announcement, which creates registrations with their numbers. Each is one transaction with
//! its audit rows; concurrent deciders are resolved by the application's version column.

use crate::applications::{check_submittable, decide, Application};
use crate::audit::{self, Entry};
use crate::db::{today, ts, Tx};
use crate::error::{Error, Result};
use crate::{next_serial, Actor, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use erjian_domain::profession::profession;
use erjian_domain::province::ProvinceProfile;
use erjian_domain::regno::RegistrationNumber;
use erjian_domain::validity::validity_end;
use erjian_domain::workflow::{Action, Role, SigningOrder, State};

/// A publicity batch and what became of it.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Batch {
    pub id: i64,
    pub kind: String,
    pub number: String,
    pub created_at: String,
    pub ends_on: Option<String>,
    pub announced_at: Option<String>,
    pub size: i64,
    /// Objections lodged against its entries and not yet decided.
    pub open_objections: i64,
}

impl Batch {
    pub fn created_display(&self) -> String {
        crate::db::show_ts(&self.created_at)
    }
}

/// One announced application and the registration number it received.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Announced {
    pub application_number: String,
    pub person_name: String,
    pub registration_number: String,
}

const CONFLICT: &str = "该申请已被他人处理或已更新，请刷新页面后查看最新状态";

/// One step on an application: the action, its reason, and the version the caller saw (a
/// stale one is refused).
#[derive(Clone, Copy)]
pub struct Step<'a> {
    pub action: Action,
    pub reason: Option<&'a str>,
    pub expected_version: Option<i64>,
}

impl Step<'_> {
    pub(crate) fn plain(action: Action) -> Step<'static> {
        Step { action, reason: None, expected_version: None }
    }
}

impl Store {
    /// One workflow action by one actor. `expected_version`, when given, must match (a reviewer
    /// acts on what they saw).
    pub async fn act(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
        reason: Option<&str>,
        expected_version: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<State> {
        self.act_issuing(actor, id, Step { action, reason, expected_version }, None, now).await
    }

    /// [`Self::act`] with the issuer at hand: where the profile lets a change take effect without
    /// publicity (重庆), its approval announces it at once — registration, certificate and
    /// 准予注册决定书 in the approval's transaction.
    pub async fn act_issuing(
        &self,
        actor: &Actor,
        id: i64,
        step: Step<'_>,
        issuer: Option<&crate::certificates::Issuer>,
        now: DateTime<Utc>,
    ) -> Result<State> {
        let Step { action, reason, expected_version } = step;
        if matches!(action, Action::StartPublicity | Action::Announce) {
            return Err(Error::Conflict("公示和公告请在“公示批次”中成批办理".into()));
        }
        if matches!(action, Action::Sign | Action::EnterpriseConfirm | Action::Revise) {
            // The tenant rule first, so that a refusal never reveals that the application exists.
            let mut conn = self.pool.acquire().await?;
            Self::load_application(self.sealer()?, &mut conn, id)
                .await?
                .filter(|a| a.visible_to(actor))
                .ok_or(Error::NotFound("申请不存在或您无权查看"))?;
            return Err(Error::Conflict(if action == Action::Revise {
                "请通过“修改申请”保存修改，原签名将作废".into()
            } else {
                "请在申请表上输入签名密码签署（申请人签名、企业盖章）".into()
            }));
        }
        let mut tx = self.write().await?;
        let mut state = self.act_in(&mut tx, actor, id, Step { action, reason, expected_version }, now).await?;
        if state == State::Approved && self.rules().change_without_publicity {
            let (kind,): (String,) = sqlx::query_as("SELECT kind FROM applications WHERE id = $1").bind(id).fetch_one(tx.conn()).await?;
            if kind.starts_with("change") {
                let issuer =
                    issuer.ok_or_else(|| Error::Other(anyhow::anyhow!("approving a change without publicity needs the issuer")))?;
                self.announce_one(&mut tx, actor, id, "变更注册，批准即生效，无需公示", issuer, now).await?;
                state = State::Announced;
            }
        }
        tx.commit().await?;
        Ok(state)
    }

    /// Refuses (不予受理 or 不予注册) finding that the applicant concealed facts or gave false
    /// materials: the reason says so, and the person may not apply again for a year — all in
    /// the refusal's transaction, with its own audit row.
    pub async fn refuse_for_false_materials(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
        reason: Option<&str>,
        expected_version: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<State> {
        use erjian_domain::lifecycle::{bar_ends, FALSE_MATERIALS};
        if !matches!(action, Action::Refuse | Action::RefuseAcceptance) {
            return Err(Error::Conflict("只有“不予受理”或“不予注册”可以认定隐瞒情况或提供虚假材料".into()));
        }
        let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) if r.contains(FALSE_MATERIALS) => r.to_owned(),
            Some(r) => format!("{FALSE_MATERIALS}：{r}"),
            None => FALSE_MATERIALS.to_owned(),
        };
        let mut tx = self.write().await?;
        let state = self.act_in(&mut tx, actor, id, Step { action, reason: Some(&reason), expected_version }, now).await?;
        let until = bar_ends(crate::db::today(now));
        let (person_id,): (i64,) = sqlx::query_as("SELECT person_id FROM applications WHERE id = $1").bind(id).fetch_one(tx.conn()).await?;
        sqlx::query("UPDATE persons SET barred_until = $2 WHERE id = $1")
            .bind(person_id)
            .bind(until.to_string())
            .execute(tx.conn())
            .await?;
        let detail = format!("{FALSE_MATERIALS}（申请 {id}），{until} 前不得再次申请注册");
        audit::record(
            tx.conn(),
            now,
            Some(actor),
            audit::Entry { detail: Some(&detail), ..audit::Entry::new("bar_applications", "person", Some(person_id)) },
        )
        .await?;
        tx.commit().await?;
        Ok(state)
    }

    pub(crate) async fn act_in(&self, tx: &mut Tx, actor: &Actor, id: i64, step: Step<'_>, now: DateTime<Utc>) -> Result<State> {
        let Step { action, reason, expected_version } = step;
        let app = Self::load_application(self.sealer()?, tx.conn(), id).await?.ok_or(Error::NotFound("申请不存在或您无权查看"))?;
        let next = decide(&app, actor, action, reason)?;
        if expected_version.is_some_and(|v| v != app.version) {
            return Err(Error::Conflict(CONFLICT.into()));
        }
        if action == Action::Submit {
            check_submittable(tx, id, self.rules().materials).await?;
        }
        if action == Action::Accept {
            check_signed_form(self.sealer()?, tx, &app, now).await?;
            if app.kind == "change_employer" {
                crate::changes::check_release(tx, id).await?;
            }
        }
        set_state(tx, &app, next, reason.map(str::trim), now).await?;
        // The authority's decision in writing: numbered here, its number in the history row.
        let notice = match crate::notices::kind_for(action, app.state()) {
            Some(kind) => Some(crate::notices::record(tx, self.rules().abbr, actor, &app, kind, reason, None, now).await?),
            None => None,
        };
        audit::transition(tx.conn(), now, actor, id, action, &app.state, next, reason.map(str::trim), notice.as_deref()).await?;
        crate::notifications::on_step(tx, actor, &app, action, next, reason, now).await?;
        self.record_due(tx, &app, next, now).await?;
        if matches!(action, Action::Submit | Action::Revise) {
            // Submitting or revising (re)generates the unsigned form; any earlier signature is void.
            crate::signing::generate_form(self.sealer()?, tx, id, self.rules().declarations, now).await?;
        }
        Ok(next)
    }

    /// Puts approved applications (the given ones, or all when empty) into a new publicity batch.
    pub async fn start_publicity(&self, actor: &Actor, ids: &[i64], profile: &ProvinceProfile, now: DateTime<Utc>) -> Result<Batch> {
        if actor.role != Role::ProvinceAuthority {
            return Err(Error::Forbidden);
        }
        let mut tx = self.write().await?;
        let ids: Vec<i64> = if ids.is_empty() {
            sqlx::query_as::<_, (i64,)>("SELECT id FROM applications WHERE state = 'approved' ORDER BY id")
                .fetch_all(tx.conn())
                .await?
                .into_iter()
                .map(|r| r.0)
                .collect()
        } else {
            ids.to_vec()
        };
        if ids.is_empty() {
            return Err(Error::Conflict("没有待公示的申请".into()));
        }
        let day = today(now);
        let serial = next_serial(tx.conn(), &format!("batch:{}", day.format("%Y"))).await?;
        // The last day of publicity: N days counting today; with N = 0 it is already over.
        let ends_on = day + Duration::days(profile.publicity_days - 1);
        let number = format!("{}建公示〔{}〕{}号", profile.abbr, day.format("%Y"), serial);
        let (batch_id,): (i64,) = sqlx::query_as(
            "INSERT INTO batches (kind, number, created_by, created_at, ends_on) VALUES ('publicity', $1, $2, $3, $4) RETURNING id",
        )
        .bind(&number)
        .bind(actor.user_id)
        .bind(ts(now))
        .bind(ends_on.to_string())
        .fetch_one(tx.conn())
        .await?;
        for &id in &ids {
            let app = Self::load_application(self.sealer()?, tx.conn(), id).await?.ok_or(Error::NotFound("申请不存在或您无权查看"))?;
            let next = decide(&app, actor, Action::StartPublicity, None).map_err(|e| Error::Conflict(format!("{}：{e}", app.number)))?;
            set_state(&mut tx, &app, next, None, now).await?;
            sqlx::query("UPDATE applications SET publicity_batch_id = $2 WHERE id = $1").bind(id).bind(batch_id).execute(tx.conn()).await?;
            let detail = format!("公示批次 {number}，公示期至 {ends_on}");
            audit::transition(tx.conn(), now, actor, id, Action::StartPublicity, &app.state, next, None, Some(&detail)).await?;
            crate::notifications::on_step(&mut tx, actor, &app, Action::StartPublicity, next, None, now).await?;
            self.record_due(&mut tx, &app, next, now).await?;
        }
        audit::record(tx.conn(), now, Some(actor), Entry { detail: Some(&number), ..Entry::new("create_batch", "batch", Some(batch_id)) })
            .await?;
        tx.commit().await?;
        Ok(Batch {
            id: batch_id,
            kind: "publicity".into(),
            number,
            created_at: ts(now),
            ends_on: Some(ends_on.to_string()),
            announced_at: None,
            size: ids.len() as i64,
            open_objections: 0,
        })
    }

    /// Announces one application of publicity batch `number`: its registration (or the change
    /// it asked for), certificate and 准予注册决定书, in the caller's transaction.
    pub(crate) async fn announce_one(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: i64,
        number: &str,
        issuer: &crate::certificates::Issuer,
        now: DateTime<Utc>,
    ) -> Result<Announced> {
        let profile = &issuer.profile;
        let day = today(now);
        let app = Self::load_application(self.sealer()?, tx.conn(), id).await?.ok_or(Error::NotFound("申请不存在或您无权查看"))?;
        let next = decide(&app, actor, Action::Announce, None)?;
        set_state(tx, &app, next, None, now).await?;
        let regno = match app.kind.as_str() {
            "renewal" => crate::lifecycle::apply_renewal(tx, issuer, &app, now).await?,
            "add_specialty" => crate::specialties::apply_add_specialty(tx, issuer, &app, now).await?,
            "change_employer" => crate::changes::apply_employer_change(tx, issuer, &app, now).await?,
            "re_registration" => crate::specialties::apply_re_registration(tx, issuer, &app, now).await?,
            "change_personal" => crate::changes::apply_personal_change(tx, issuer, &app, now).await?,
            "lost_reissue" => crate::lost_reissue::apply_lost_reissue(tx, issuer, &app, now).await?,
            _ => {
                let (reg_id, regno) = create_registration(tx, &app, profile, day, now).await?;
                let cause = crate::certificates::Cause { application_id: Some(app.id), supersede_reason: "已换发新证书" };
                let cert = crate::certificates::issue(tx, issuer, reg_id, cause, now).await?;
                let specs = app.specialty_names();
                crate::lifecycle::record_event(tx, reg_id, "initial", &specs, Some(&format!("公告 {number}")), Some(cert), now).await?;
                regno
            }
        };
        // 准予注册决定书 (a cancellation is announced without one).
        let written = if app.kind.starts_with("cancel") {
            String::new()
        } else {
            let kind = erjian_cert::notice::NoticeKind::Approved;
            format!("；{}", crate::notices::record(tx, profile.abbr, actor, &app, kind, None, Some(&regno), now).await?)
        };
        let detail = format!("公告（{number}），注册编号 {regno}{written}");
        audit::transition(tx.conn(), now, actor, id, Action::Announce, &app.state, next, None, Some(&detail)).await?;
        crate::notifications::on_step(tx, actor, &app, Action::Announce, next, None, now).await?;
        self.record_due(tx, &app, next, now).await?;
        Ok(Announced { application_number: app.number.clone(), person_name: app.person_name.clone(), registration_number: regno })
    }

    pub async fn batches(&self) -> Result<Vec<Batch>> {
        Ok(sqlx::query_as(
            "SELECT b.id, b.kind, b.number, b.created_at, b.ends_on, b.announced_at, (SELECT COUNT(*) FROM applications a WHERE a.publicity_batch_id = b.id) AS size,
                    (SELECT COUNT(*) FROM objections o WHERE o.batch_id = b.id AND o.state = 'open') AS open_objections
             FROM batches b ORDER BY b.id DESC",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Acceptance needs a form carrying exactly the applicant's signature and the enterprise's seal,
/// both verifying now against the deployment root.
async fn check_signed_form(sealer: &crate::sealing::Sealer, tx: &mut Tx, app: &Application, now: DateTime<Utc>) -> Result<()> {
    let form = crate::signing::read_form(sealer, tx.conn(), app.id).await?;
    let pkg = form
        .and_then(|f| erjian_ofd::Package::from_bytes(&f).ok())
        .ok_or_else(|| Error::Conflict("申请表缺失或已损坏，不能受理；请退回补正".into()))?;
    let views = crate::signing::form_signatures(tx.conn(), &pkg, now).await?;
    let serials: Vec<&str> = views.iter().map(|v| v.serial.as_str()).collect();
    if let Some(bad) = views.iter().find(|v| !v.valid) {
        return Err(Error::Conflict(format!("申请表签名验证未通过（{}：{}），不能受理；请退回补正", bad.signer, bad.detail)));
    }
    let expected = match app.order() {
        SigningOrder::ApplicantFirst => [app.id_number.as_str(), app.credit_code.as_str()],
        SigningOrder::EnterpriseFirst => [app.credit_code.as_str(), app.id_number.as_str()],
    };
    if serials != expected {
        return Err(Error::Conflict("申请表须依次有申请人签名和聘用企业盖章，签署方不符，不能受理；请退回补正".into()));
    }
    Ok(())
}

/// Writes the new state, guarded by the version the decision was based on.
pub(crate) async fn set_state(tx: &mut Tx, app: &Application, next: State, reason: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    let open = next.is_open().then_some(app.person_id);
    let done = sqlx::query(
        "UPDATE applications SET state = $2, version = version + 1, open_person_id = $3, last_reason = COALESCE($4, last_reason), updated_at = $5 WHERE id = $1 AND version = $6",
    )
    .bind(app.id)
    .bind(next.code())
    .bind(open)
    .bind(reason)
    .bind(ts(now))
    .bind(app.version)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(Error::Conflict(CONFLICT.into()));
    }
    Ok(())
}

/// Creates the registration of an announced initial application and returns its number.
async fn create_registration(
    tx: &mut Tx,
    app: &Application,
    profile: &ProvinceProfile,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(i64, String)> {
    let prof = profession(&app.profession).ok_or_else(|| Error::Other(anyhow::anyhow!("unknown profession {}", app.profession)))?;
    let quals: Vec<(String, i64)> =
        sqlx::query_as("SELECT specialty_code, pass_year FROM qualifications WHERE id_key = (SELECT id_key FROM persons WHERE id = $1) AND profession = $2")
            .bind(app.person_id)
            .bind(&app.profession)
            .fetch_all(tx.conn())
            .await?;
    let qual_year =
        quals.iter().filter(|q| app.specialties.contains(&q.0)).map(|q| q.1).min().unwrap_or(i64::from(chrono::Datelike::year(&day)));
    let reg_year = chrono::Datelike::year(&day);
    let serial = next_serial(tx.conn(), &format!("regno:{}:{reg_year}", profile.code)).await?;
    let number = RegistrationNumber::new(profile.abbr, profile.code, qual_year as i32, reg_year, u32::try_from(serial).unwrap_or(u32::MAX))
        .map_err(|e| Error::Conflict(e.to_string()))?
        .to_string();
    let (reg_id,): (i64,) = sqlx::query_as(
        "INSERT INTO registrations (registration_number, person_id, enterprise_id, profession, province_code, status, first_registered_on, created_at)
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $7) RETURNING id",
    )
    .bind(&number)
    .bind(app.person_id)
    .bind(app.enterprise_id)
    .bind(&app.profession)
    .bind(profile.code)
    .bind(day.to_string())
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await
    .map_err(|e| crate::accounts::unique_to(e, &format!("{} 已有注册记录，不能重复注册", app.person_name)))?;
    let birth = crate::db::stored_date(&app.birth_date)?;
    let until = validity_end(day, birth, prof.max_age);
    for code in &app.specialties {
        sqlx::query("INSERT INTO registration_specialties (registration_id, specialty_code, valid_from, valid_until, status) VALUES ($1, $2, $3, $4, 'active')")
            .bind(reg_id)
            .bind(code)
            .bind(day.to_string())
            .bind(until.to_string())
            .execute(tx.conn())
            .await?;
    }
    sqlx::query("UPDATE applications SET registration_id = $2 WHERE id = $1").bind(app.id).bind(reg_id).execute(tx.conn()).await?;
    Ok((reg_id, number))
}

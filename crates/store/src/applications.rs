//! Applications (申报): saving and submitting the initial-registration form and reading them back
//! under the tenant rule; lists and search are [`crate::queues`].

use crate::audit::{self, AuditRow, Entry};
use crate::db::{today, today as today_of, ts, Tx};
use crate::error::{Error, Result};
pub use crate::queues::{Cursor, Due, ListFilter};
use crate::{next_serial, Actor, Store};
use chrono::{DateTime, NaiveDate, Utc};
use erjian_domain::application::{check_initial_form, HeldQualification, InitialForm};
use erjian_domain::photo::check_photo;
use erjian_domain::profession::profession;
use erjian_domain::workflow::{
    may_view_in, status_columns, transition_with, Action, ReviewStages, Role, SigningOrder, State, StatusColumns,
};
use erjian_domain::FieldError;

/// An application with the names a reader needs.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Application {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub profession: String,
    pub person_id: i64,
    pub enterprise_id: i64,
    pub city_code: String,
    pub state: String,
    pub version: i64,
    pub mobile: String,
    pub ce_compulsory: i64,
    pub ce_elective: i64,
    pub declaration: i64,
    pub photo_mime: Option<String>,
    pub last_reason: Option<String>,
    pub publicity_batch_id: Option<i64>,
    pub registration_id: Option<i64>,
    pub signing_order: String,
    /// `city_then_province` or `province_only` (see [`ReviewStages`]).
    pub review_stages: String,
    /// `individual`, or `enterprise` when the employer filed it for the person (湖南).
    pub filed_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// When the authority's current step is due (kept at every transition).
    pub due_on: Option<String>,
    pub person_name: String,
    pub id_number: String,
    /// The holder's birth date (YYYY-MM-DD) and gender, as stored with the person.
    pub birth_date: String,
    pub gender: String,
    pub enterprise_name: String,
    pub credit_code: String,
    pub registration_number: Option<String>,
    pub publicity_ends_on: Option<String>,
    #[sqlx(skip)]
    pub specialties: Vec<String>,
    /// What the authority must do by when (in authority lists).
    #[sqlx(skip)]
    pub deadline: Option<erjian_domain::calendar::Deadline>,
}

pub(crate) const APP_SELECT: &str = "SELECT a.id, a.number, a.kind, a.profession, a.person_id, a.enterprise_id, a.city_code, a.state, a.version, a.mobile,
    a.ce_compulsory, a.ce_elective, a.declaration, a.photo_mime, a.last_reason, a.publicity_batch_id, a.registration_id, a.signing_order, a.review_stages, a.filed_by, a.created_at, a.updated_at, a.due_on,
    p.name AS person_name, p.id_number, p.birth_date, p.gender, e.name AS enterprise_name, e.credit_code, r.registration_number, b.ends_on AS publicity_ends_on
    FROM applications a JOIN persons p ON p.id = a.person_id JOIN enterprises e ON e.id = a.enterprise_id
    LEFT JOIN registrations r ON r.id = a.registration_id LEFT JOIN batches b ON b.id = a.publicity_batch_id";

impl Application {
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Draft)
    }

    pub fn order(&self) -> SigningOrder {
        SigningOrder::parse(&self.signing_order)
    }

    pub fn review(&self) -> ReviewStages {
        ReviewStages::parse(&self.review_stages).unwrap_or(ReviewStages::CityThenProvince)
    }

    pub fn kind_label(&self) -> &'static str {
        crate::lifecycle::kind_label(&self.kind)
    }

    /// Where this application is corrected: each procedure in its own form (a returned renewal
    /// on the renewal page, an added specialty or a change on the changes page).
    pub fn edit_href(&self) -> String {
        match self.kind.as_str() {
            "renewal" => "/renewal".to_owned(),
            "add_specialty" | "change_employer" | "change_personal" => "/changes".to_owned(),
            _ => format!("/applications/{}/edit", self.id),
        }
    }

    pub fn updated_display(&self) -> String {
        crate::db::show_ts(&self.updated_at)
    }

    pub fn specialty_names(&self) -> String {
        self.specialties.iter().map(|c| erjian_domain::profession::specialty_name(c)).collect::<Vec<_>>().join("、")
    }

    /// The tenant rule of the domain, applied to this application.
    pub fn visible_to(&self, a: &Actor) -> bool {
        // An enterprise sees the drafts it filed itself.
        let own_filing = a.role == Role::Enterprise && self.filed_by == "enterprise" && a.enterprise_id == Some(self.enterprise_id);
        own_filing
            || may_view_in(
                self.order(),
                a.role,
                a.person_id == Some(self.person_id),
                a.enterprise_id == Some(self.enterprise_id),
                a.city_code.as_deref() == Some(self.city_code.as_str()),
                self.state(),
            )
    }
}

/// An application with its history and status columns.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ApplicationDetail {
    pub application: Application,
    pub columns: StatusColumns,
    pub history: Vec<AuditRow>,
}

impl Store {
    pub(crate) async fn load_application(
        sealer: &crate::sealing::Sealer,
        conn: &mut sqlx::AnyConnection,
        id: i64,
    ) -> Result<Option<Application>> {
        let app: Option<Application> = sqlx::query_as(&format!("{APP_SELECT} WHERE a.id = $1")).bind(id).fetch_optional(&mut *conn).await?;
        let Some(mut app) = app else { return Ok(None) };
        app.mobile = sealer.open_text(&app.mobile)?;
        app.id_number = sealer.open_text(&app.id_number)?;
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT specialty_code FROM application_specialties WHERE application_id = $1 ORDER BY specialty_code")
                .bind(id)
                .fetch_all(conn)
                .await?;
        app.specialties = rows.into_iter().map(|r| r.0).collect();
        Ok(Some(app))
    }

    /// One application if the actor may see it (without its history); otherwise "not found".
    pub(crate) async fn visible_application(&self, actor: &Actor, id: i64) -> Result<Application> {
        let mut conn = self.pool.acquire().await?;
        Self::load_application(self.sealer()?, &mut conn, id)
            .await?
            .filter(|a| a.visible_to(actor))
            .ok_or(Error::NotFound("申请不存在或您无权查看"))
    }

    /// Reads one application if the actor may see it; otherwise "not found" (no existence leak).
    pub async fn application(&self, actor: &Actor, id: i64) -> Result<ApplicationDetail> {
        let app = self.visible_application(actor, id).await?;
        let history = self.audit_for("application", id).await?;
        let columns =
            status_columns(history.iter().filter_map(|h| Some((Action::parse(&h.action)?, State::parse(h.from_state.as_deref()?)?))));
        Ok(ApplicationDetail { application: app, columns, history })
    }

    pub async fn application_photo(&self, actor: &Actor, id: i64) -> Result<(Vec<u8>, String)> {
        self.visible_application(actor, id).await?;
        let row: Option<(Option<Vec<u8>>, Option<String>)> =
            sqlx::query_as("SELECT photo, photo_mime FROM applications WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        match row {
            Some((Some(b), Some(m))) => Ok((self.sealer()?.open(&b)?, m)),
            _ => Err(Error::NotFound("尚未上传照片")),
        }
    }

    /// The application's deadline from its recorded transitions and the working-day calendar.
    pub async fn deadline(&self, a: &Application, today: NaiveDate) -> Result<Option<erjian_domain::calendar::Deadline>> {
        let mut conn = self.pool.acquire().await?;
        self.deadline_in(&mut conn, a.id, &a.kind, a.state(), today).await
    }

    /// As [`Store::deadline`], on a connection (inside a transition's transaction).
    pub(crate) async fn deadline_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: i64,
        kind: &str,
        state: State,
        today: NaiveDate,
    ) -> Result<Option<erjian_domain::calendar::Deadline>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT at, to_state FROM audit_log WHERE object_type = 'application' AND object_id = $1 AND to_state IS NOT NULL ORDER BY id",
        )
        .bind(id)
        .fetch_all(conn)
        .await?;
        let steps: Vec<erjian_domain::calendar::Step> = rows
            .iter()
            .filter_map(|(at, to)| {
                let on = today_of(DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc));
                Some(erjian_domain::calendar::Step { on, to: State::parse(to)? })
            })
            .collect();
        Ok(erjian_domain::calendar::deadline(&self.calendar, self.rules().decision_days, kind, state, &steps, today))
    }

    /// Keeps `applications.due_on` (the day the authority's current step is due) after a
    /// transition, inside its transaction.
    pub(crate) async fn record_due(&self, tx: &mut crate::db::Tx, app: &Application, next: State, now: DateTime<Utc>) -> Result<()> {
        let due = self.deadline_in(tx.conn(), app.id, &app.kind, next, today_of(now)).await?.map(|d| d.due.to_string());
        sqlx::query("UPDATE applications SET due_on = $2 WHERE id = $1").bind(app.id).bind(due).execute(tx.conn()).await?;
        Ok(())
    }

    /// Fills `due_on` for applications pending with an authority that an earlier version
    /// wrote; once (a `settings` row records it).
    pub(crate) async fn backfill_due_dates(&self, now: DateTime<Utc>) -> Result<u64> {
        const KEY: &str = "due_dates_v1";
        let done: Option<(String,)> =
            sqlx::query_as("SELECT value FROM settings WHERE key = $1").bind(KEY).fetch_optional(&self.pool).await?;
        if done.is_some() {
            return Ok(0);
        }
        let mut tx = self.write().await?;
        if !crate::sealing::claim_once(&mut tx, KEY, now).await? {
            return Ok(0);
        }
        let pending: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, kind, state FROM applications WHERE due_on IS NULL AND state IN ('filed', 'accepted', 'prelim_passed')",
        )
        .fetch_all(tx.conn())
        .await?;
        let mut n = 0;
        for (id, kind, state) in pending {
            let Some(state) = State::parse(&state) else { continue };
            if let Some(d) = self.deadline_in(tx.conn(), id, &kind, state, today_of(now)).await? {
                sqlx::query("UPDATE applications SET due_on = $2 WHERE id = $1")
                    .bind(id)
                    .bind(d.due.to_string())
                    .execute(tx.conn())
                    .await?;
                n += 1;
            }
        }
        sqlx::query("UPDATE settings SET value = $2 WHERE key = $1").bind(KEY).bind(n.to_string()).execute(tx.conn()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Saves the individual's initial-registration form (new, or an editable existing one) and,
    /// when `submit`, sends it to the enterprise. One transaction; nothing is half-written.
    pub async fn save_initial(
        &self,
        actor: &Actor,
        existing: Option<i64>,
        form: &InitialForm,
        photo: Option<Vec<u8>>,
        submit: bool,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let person_id = match (actor.role, actor.person_id) {
            (Role::Individual, Some(p)) => p,
            _ => return Err(Error::Forbidden),
        };
        self.save_initial_as(actor, person_id, existing, form, photo, submit, now).await
    }

    /// The enterprise files (企业申报, where the profile allows it) an initial registration for a
    /// person who has signed up: named by ID number and name; the form names the enterprise
    /// itself. After its seal the person confirms by signing.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_initial_for(
        &self,
        actor: &Actor,
        applicant: (&str, &str),
        existing: Option<i64>,
        form: &InitialForm,
        photo: Option<Vec<u8>>,
        submit: bool,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let Some(enterprise_id) = actor.enterprise_id.filter(|_| actor.role == Role::Enterprise) else { return Err(Error::Forbidden) };
        if !self.rules().enterprise_files_initial {
            return Err(Error::Conflict("本省初始注册由个人申报：请申请人本人登录提交，企业在其签名后盖章确认".into()));
        }
        let found: Option<(i64,)> =
            sqlx::query_as("SELECT p.id FROM persons p JOIN users u ON u.person_id = p.id WHERE p.id_key = $1 AND p.name = $2")
                .bind(self.sealer()?.id_key(&applicant.0.trim().to_uppercase()))
                .bind(applicant.1.trim())
                .fetch_optional(&self.pool)
                .await?;
        let Some((person_id,)) = found else {
            return Err(Error::invalid("applicant_id_number", "未找到该人员，或姓名与身份证号不符；申请人须先在本系统实名注册"));
        };
        let own = self.enterprise(enterprise_id).await?.ok_or(Error::NotFound("企业不存在"))?;
        let form = InitialForm { enterprise_name: own.name, ..form.clone() };
        self.save_initial_as(actor, person_id, existing, &form, photo, submit, now).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn save_initial_as(
        &self,
        actor: &Actor,
        person_id: i64,
        existing: Option<i64>,
        form: &InitialForm,
        photo: Option<Vec<u8>>,
        submit: bool,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let filed_by = if actor.role == Role::Enterprise { "enterprise" } else { "individual" };
        if filed_by == "individual" && self.rules().enterprise_files_initial {
            // 湖南: “双击选择需要注册的人员后,企业把其他详细信息及附件材料补充完整后在点上报”.
            return Err(Error::Conflict(
                "本省初始注册和重新注册由聘用企业申报：请联系聘用企业在企业端为您申报，申请表生成后您签名确认".into(),
            ));
        }
        let person = self.person(person_id).await?.ok_or(Error::NotFound("人员不存在"))?;
        if existing.is_none() {
            // Told first, before any field is checked (and checked again where it is inserted).
            check_not_barred(&mut *self.pool.acquire().await?, person_id, now).await?;
        }
        let code = if form.profession.trim().is_empty() { "constructor2" } else { form.profession.trim() };
        let prof = profession(code)
            .filter(|p| p.initial_registration && self.rules().registers(p.code))
            .ok_or_else(|| Error::invalid("profession", "本省（市）不受理该执业资格的初始注册"))?;
        let mut form = form.clone();
        if prof.specialties.len() == 1 {
            // A profession without specialties registers as a whole (二级注册建筑师, 二级注册结构工程师).
            form.specialties = vec![prof.specialties[0].code.to_owned()];
        }
        let form = &form;
        let held: Vec<HeldQualification> = self
            .qualifications_of(&person.id_number)
            .await?
            .into_iter()
            .filter(|q| q.profession == prof.code)
            .map(|q| HeldQualification { issue_date: q.issue_date(), specialty_code: q.specialty_code })
            .collect();
        let birth = NaiveDate::parse_from_str(&person.birth_date, "%Y-%m-%d").unwrap_or_default();
        let mut errors: Vec<FieldError> = Vec::new();
        let checked = check_initial_form(form, prof, &held, birth, today(now)).map_err(|e| errors.extend(e)).ok();
        let enterprise = self.enterprise_by_name(&form.enterprise_name).await?;
        if enterprise.is_none() && !form.enterprise_name.trim().is_empty() {
            errors.push(FieldError::new(
                "enterprise_name",
                format!("未找到名为“{}”的企业，请输入在本系统注册的企业全称", form.enterprise_name.trim()),
            ));
        }
        let photo = match photo.filter(|p| !p.is_empty()) {
            // Stored as decoded and re-encoded, never as uploaded.
            Some(bytes) => match check_photo(&bytes) {
                Ok(info) => Some((info.bytes, info.mime)),
                Err(m) => {
                    errors.push(FieldError::new("photo", m));
                    None
                }
            },
            None => None,
        };
        let mine = self.registrations_of_person(person_id).await?;
        // Someone whose registration ended (cancelled, revoked or expired) registers again
        // (重新注册): same number, revived. A registration in force or suspended bars both.
        let day = today(now);
        let same: Vec<_> = mine.iter().filter(|r| r.profession == prof.code).map(|r| r.standing(day)).collect();
        let kind = if same.iter().any(|s| s.ended()) { "re_registration" } else { "initial" };
        if let Some(s) = same.iter().find(|s| !s.ended()) {
            return Err(Error::Conflict(if *s == erjian_domain::standing::Standing::Suspended {
                "您的注册证书正在暂扣中，暂扣期间不能办理注册业务".into()
            } else {
                "您已是注册人员（一人只能在一家企业注册），不能再次办理初始注册".into()
            }));
        }
        let (Some(checked), Some(enterprise), true) = (checked, enterprise, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let mut tx = self.write().await?;
        let id = match existing {
            Some(id) => {
                let app = Self::load_application(self.sealer()?, tx.conn(), id)
                    .await?
                    .filter(|a| a.person_id == person_id && a.visible_to(actor) && (filed_by == "individual" || a.filed_by == filed_by))
                    .ok_or(Error::NotFound("申请不存在或您无权查看"))?;
                if filed_by == "enterprise" && !matches!(app.state(), State::Draft | State::Returned) {
                    return Err(Error::Conflict("申请表已生成，企业不能再修改；如需修改请在盖章前退回".into()));
                }
                if !app.state().editable_in(app.order()) {
                    return Err(Error::Conflict(format!(
                        "申请当前为“{}”，企业已盖章确认，申请表已锁定，不能修改；如需修改请等待退回或先撤回",
                        app.state().label()
                    )));
                }
                sqlx::query("UPDATE applications SET enterprise_id = $2, city_code = $3, mobile = $4, ce_compulsory = $5, ce_elective = $6, declaration = 1, updated_at = $7, version = version + 1 WHERE id = $1")
                    .bind(id)
                    .bind(enterprise.id)
                    .bind(&enterprise.city_code)
                    .bind(self.sealer()?.seal_text(&checked.mobile))
                    .bind(i64::from(checked.ce_compulsory))
                    .bind(i64::from(checked.ce_elective))
                    .bind(ts(now))
                    .execute(tx.conn())
                    .await?;
                audit::edited(tx.conn(), now, actor, id, &app.state).await?;
                id
            }
            None => {
                check_not_barred(tx.conn(), person_id, now).await?;
                let day = today(now).format("%Y%m%d").to_string();
                let serial = next_serial(tx.conn(), &format!("app:{day}")).await?;
                let number = format!("W{day}{serial:08}");
                let inserted: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
                    "INSERT INTO applications (number, kind, profession, person_id, enterprise_id, city_code, state, version, open_person_id, mobile, ce_compulsory, ce_elective, declaration, signing_order, created_at, updated_at, filed_by, review_stages, person_name)
                     VALUES ($1, $11, $2, $3, $4, $5, 'draft', 0, $3, $6, $7, $8, 1, $10, $9, $9, $12, $13, (SELECT name FROM persons WHERE id = $3)) RETURNING id",
                )
                .bind(&number)
                .bind(prof.code)
                .bind(person_id)
                .bind(enterprise.id)
                .bind(&enterprise.city_code)
                .bind(self.sealer()?.seal_text(&checked.mobile))
                .bind(i64::from(checked.ce_compulsory))
                .bind(i64::from(checked.ce_elective))
                .bind(ts(now))
                .bind(self.rules().signing_order.code())
                .bind(kind)
                .bind(filed_by)
                .bind(self.rules().review_stages.code())
                .fetch_one(tx.conn())
                .await;
                let (id,) = inserted
                    .map_err(|e| crate::accounts::unique_to(e, "您已有在办业务（一人同一时间只能有一项在办申请），请办结或撤回后再申请"))?;
                audit::record(
                    tx.conn(),
                    now,
                    Some(actor),
                    Entry { to_state: Some("draft"), ..Entry::new("create", "application", Some(id)) },
                )
                .await?;
                id
            }
        };
        set_specialties(&mut tx, id, &checked.specialties).await?;
        if let Some((bytes, mime)) = photo {
            sqlx::query("UPDATE applications SET photo = $2, photo_mime = $3 WHERE id = $1")
                .bind(id)
                .bind(self.sealer()?.seal(&bytes))
                .bind(mime)
                .execute(tx.conn())
                .await?;
        }
        let state = Self::load_application(self.sealer()?, tx.conn(), id).await?.map(|a| a.state()).unwrap_or(State::Draft);
        if state.awaiting_signatures() {
            // Any saved change after the form was generated voids the applicant's signature.
            self.act_in(&mut tx, actor, id, crate::workflow::Step::plain(Action::Revise), now).await?;
        } else if submit {
            self.act_in(&mut tx, actor, id, crate::workflow::Step::plain(Action::Submit), now).await?;
        }
        tx.commit().await?;
        Ok(id)
    }
}

/// Replaces an application's specialties with `codes`.
pub(crate) async fn set_specialties(tx: &mut Tx, id: i64, codes: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM application_specialties WHERE application_id = $1").bind(id).execute(tx.conn()).await?;
    for code in codes {
        sqlx::query("INSERT INTO application_specialties (application_id, specialty_code) VALUES ($1, $2)")
            .bind(id)
            .bind(code)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Checks that the application may be filed (its photo is present) before submission.
pub(crate) async fn check_submittable(tx: &mut Tx, id: i64, rules: &[erjian_domain::materials::MaterialRule]) -> Result<()> {
    let (mime, kind): (Option<String>, String) =
        sqlx::query_as("SELECT photo_mime, kind FROM applications WHERE id = $1").bind(id).fetch_one(tx.conn()).await?;
    if mime.is_none() {
        return Err(Error::invalid("photo", "请上传一寸白底证件照后再提交"));
    }
    let present = crate::attachments::present_slots(tx.conn(), id).await?;
    let missing = erjian_domain::materials::missing(&kind, rules, &present);
    if !missing.is_empty() {
        return Err(Error::invalid("materials", format!("请先上传：{}", missing.join("、"))));
    }
    Ok(())
}

/// Refuses a new application from a person barred for a false application (read inside the
/// transaction that would insert it).
pub(crate) async fn check_not_barred(conn: &mut sqlx::AnyConnection, person_id: i64, now: DateTime<Utc>) -> Result<()> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT barred_until FROM persons WHERE id = $1").bind(person_id).fetch_optional(&mut *conn).await?;
    let until = row.and_then(|r| r.0).and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
    erjian_domain::lifecycle::check_not_barred(until, today(now)).map_err(Error::Conflict)
}

/// The tenant rule, then the domain's transition: the one place a new state is decided.
pub(crate) fn decide(app: &Application, actor: &Actor, action: Action, reason: Option<&str>) -> Result<State> {
    if !app.visible_to(actor) {
        return Err(Error::NotFound("申请不存在或您无权查看"));
    }
    if action == Action::Submit && actor.role == Role::Enterprise && app.filed_by != "enterprise" {
        return Err(Error::Conflict("该申请由本人申报，须由本人提交".into()));
    }
    Ok(transition_with(app.order(), app.review(), app.state(), action, actor.role, reason)?)
}

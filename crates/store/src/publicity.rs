//! Publicity (公示) and announcement (公告) in public, and objections (异议). Publicity exists so
//! that the public can object before a registration is granted (甘肃: “公示到期后无异议进行审批公告”;
//! 湖南: “网上公示公告,公告无异议后发电子证书”). Each batch is listed for anyone with what a
//! publicity notice names (masked ID number); during its period anyone may lodge an objection
//! against one entry; the province finds it 成立 (the application is refused or returned with the
//! finding) or 不成立 (recorded; the entry is announced with its batch, or at once when the batch
//! was announced meanwhile). An entry with an open objection is never announced. Every step is
//! in the application's history.

use crate::audit::{self, Entry};
use crate::db::{parse_ts, show_ts, today, ts};
use crate::error::{Error, Result};
use crate::workflow::Step;
use crate::{next_serial, Actor, Store};
use chrono::{DateTime, NaiveDate, Utc};
use erjian_domain::workflow::{Action, Role};

/// Batches a page of the public list.
pub const BATCH_PAGE: i64 = 20;

/// A publicity batch as the public sees it.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PublicBatch {
    pub id: i64,
    pub number: String,
    #[serde(skip)]
    pub created_at: String,
    /// Last day of publicity (YYYY-MM-DD).
    pub ends_on: Option<String>,
    #[serde(skip)]
    pub announced_at: Option<String>,
    pub size: i64,
}

impl PublicBatch {
    /// First day of publicity (Beijing date of the batch).
    pub fn starts_on(&self) -> String {
        parse_ts(&self.created_at).map(|t| today(t).to_string()).unwrap_or_default()
    }

    pub fn ends_on_text(&self) -> String {
        self.ends_on.clone().unwrap_or_default()
    }

    /// The announcement's day, when announced.
    pub fn announced_on(&self) -> Option<String> {
        self.announced_at.as_deref().and_then(parse_ts).map(|t| today(t).to_string())
    }

    /// Objections may be lodged: not announced and the period not over.
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.announced_at.is_none()
            && self.ends_on.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).is_some_and(|end| day <= end)
    }

    pub fn stage_label(&self, day: NaiveDate) -> &'static str {
        if self.announced_at.is_some() {
            "已公告"
        } else if self.open_on(day) {
            "公示中"
        } else {
            "公示期满，待公告"
        }
    }
}

/// One entry of a batch: what a publicity notice names.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicEntry {
    /// The entry's key for an objection (the application's id; reveals nothing else).
    pub entry: i64,
    pub name: String,
    pub id_masked: String,
    pub enterprise: String,
    pub procedure: &'static str,
    pub specialties: String,
    /// After the announcement: the registration number.
    pub registration_number: Option<String>,
    /// 公示中 / 异议核查中 / 已公告 / 不予注册 / 退回补正.
    pub result: &'static str,
}

/// An objection as the authority sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ObjectionView {
    pub id: i64,
    pub number: String,
    pub facts: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub state: String,
    pub outcome: Option<String>,
    pub finding: Option<String>,
    pub created_at: String,
    pub decided_at: Option<String>,
}

impl ObjectionView {
    pub fn state_label(&self) -> &'static str {
        match (self.state.as_str(), self.outcome.as_deref()) {
            ("open", _) => "待核查",
            ("upheld", Some("return")) => "异议成立，退回补正",
            ("upheld", _) => "异议成立，不予注册",
            _ => "异议不成立",
        }
    }
}

/// What the public lodges.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewObjection {
    #[serde(default)]
    pub entry: i64,
    #[serde(default)]
    pub facts: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
}

/// The province's finding on an objection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    /// 成立: the application is refused.
    UpheldRefuse,
    /// 成立: the application is returned for correction.
    UpheldReturn,
    /// 不成立.
    Dismissed,
}

impl Finding {
    pub const ALL: [Finding; 3] = [Finding::UpheldRefuse, Finding::UpheldReturn, Finding::Dismissed];

    /// The code the API and the page form send.
    pub fn code(self) -> &'static str {
        match self {
            Finding::UpheldRefuse => "refuse",
            Finding::UpheldReturn => "return",
            Finding::Dismissed => "dismiss",
        }
    }

    pub fn parse(s: &str) -> Option<Finding> {
        Finding::ALL.into_iter().find(|f| f.code() == s)
    }
}

const BATCH_SELECT: &str = "SELECT b.id, b.number, b.created_at, b.ends_on, b.announced_at,
    (SELECT COUNT(*) FROM applications a WHERE a.publicity_batch_id = b.id) AS size FROM batches b";

fn check_objection(o: &NewObjection) -> Result<()> {
    let mut bad = Vec::new();
    let facts = o.facts.trim().chars().count();
    if !(10..=1000).contains(&facts) {
        bad.push(("facts", "请写明异议的事实和理由（10至1000字）"));
    }
    let name = o.contact_name.trim().chars().count();
    if !(2..=30).contains(&name) {
        bad.push(("contact_name", "请填写联系人姓名"));
    }
    let phone = o.contact_phone.trim();
    if !(7..=20).contains(&phone.len()) || !phone.chars().all(|c| c.is_ascii_digit() || c == '-') {
        bad.push(("contact_phone", "请填写联系电话（手机或固定电话）"));
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(bad.into_iter().map(|(f, m)| erjian_domain::FieldError::new(f, m)).collect()))
    }
}

impl Store {
    /// The newest publicity batches first, a page at a time (ids below `before`).
    pub async fn public_batches(&self, before: Option<i64>) -> Result<Vec<PublicBatch>> {
        Ok(sqlx::query_as(&format!("{BATCH_SELECT} WHERE b.kind = 'publicity' AND b.id < $1 ORDER BY b.id DESC LIMIT {BATCH_PAGE}"))
            .bind(before.unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?)
    }

    /// One batch's header (number, period, size).
    async fn batch_header(&self, id: i64) -> Result<PublicBatch> {
        sqlx::query_as(&format!("{BATCH_SELECT} WHERE b.kind = 'publicity' AND b.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NotFound("公示批次不存在"))
    }

    /// One batch and its entries, as published.
    pub async fn public_batch(&self, id: i64) -> Result<(PublicBatch, Vec<PublicEntry>)> {
        let batch = self.batch_header(id).await?;
        type Row = (i64, String, String, String, String, String, Option<String>, i64);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT a.id, p.name, p.id_masked, e.name, a.kind, a.state, r.registration_number,
                    (SELECT COUNT(*) FROM objections o WHERE o.application_id = a.id AND o.state = 'open')
             FROM applications a JOIN persons p ON p.id = a.person_id JOIN enterprises e ON e.id = a.enterprise_id
             LEFT JOIN registrations r ON r.id = a.registration_id
             WHERE a.publicity_batch_id = $1 ORDER BY a.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
        let mut specs: std::collections::HashMap<i64, Vec<&'static str>> = Default::default();
        if !ids.is_empty() {
            let list: Vec<(i64, String)> = sqlx::query_as(&format!(
                "SELECT application_id, specialty_code FROM application_specialties WHERE application_id IN ({}) ORDER BY specialty_code",
                ids.join(",")
            ))
            .fetch_all(&self.pool)
            .await?;
            for (app, code) in list {
                specs.entry(app).or_default().push(erjian_domain::profession::specialty_name(&code));
            }
        }
        let entries = rows
            .into_iter()
            .map(|(app, name, masked, enterprise, kind, state, regno, open)| {
                let result = match state.as_str() {
                    "publicity" if open > 0 => "异议核查中",
                    "publicity" => "公示中",
                    "announced" => "已公告",
                    "refused" => "不予注册",
                    "returned" => "退回补正",
                    _ => "已撤出公示",
                };
                PublicEntry {
                    entry: app,
                    name,
                    id_masked: masked,
                    enterprise,
                    procedure: crate::lifecycle::kind_label(&kind),
                    specialties: specs.remove(&app).unwrap_or_default().join("、"),
                    registration_number: if state == "announced" { regno } else { None },
                    result,
                }
            })
            .collect();
        Ok((batch, entries))
    }

    /// Lodges an objection against one entry of a batch still in its period. Returns the
    /// objection's number (the receipt the person keeps).
    pub async fn lodge_objection(&self, batch_id: i64, o: &NewObjection, now: DateTime<Utc>) -> Result<String> {
        check_objection(o)?;
        let batch = self.batch_header(batch_id).await?;
        if !batch.open_on(today(now)) {
            return Err(Error::Conflict(format!("公示批次 {} 的公示期已结束，不再受理异议", batch.number)));
        }
        let mut tx = self.write().await?;
        let app: Option<(String,)> = sqlx::query_as("SELECT state FROM applications WHERE id = $1 AND publicity_batch_id = $2")
            .bind(o.entry)
            .bind(batch_id)
            .fetch_optional(tx.conn())
            .await?;
        match app {
            Some((s,)) if s == "publicity" => {}
            Some(_) => return Err(Error::Conflict("该公示对象已不在公示中".into())),
            None => return Err(Error::invalid("entry", "请选择异议针对的公示对象")),
        }
        let serial = next_serial(tx.conn(), &format!("objection:{}", today(now).format("%Y"))).await?;
        let number = format!("YY{}{serial:05}", today(now).format("%Y%m%d"));
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO objections (number, application_id, batch_id, facts, contact_name, contact_phone, state, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
        )
        .bind(&number)
        .bind(o.entry)
        .bind(batch_id)
        .bind(o.facts.trim())
        .bind(o.contact_name.trim())
        .bind(self.sealer()?.seal(o.contact_phone.trim().as_bytes()))
        .bind(ts(now))
        .fetch_one(tx.conn())
        .await?;
        let detail = format!("收到公示异议 {number}，待省级主管部门核查");
        audit::record(
            tx.conn(),
            now,
            None,
            Entry { detail: Some(&detail), ..Entry::new("objection_lodged", "application", Some(o.entry)) },
        )
        .await?;
        audit::record(tx.conn(), now, None, Entry { detail: Some(&number), ..Entry::new("lodge_objection", "objection", Some(id)) })
            .await?;
        tx.commit().await?;
        Ok(number)
    }

    /// The objections against an application, for the authorities that may see it.
    pub async fn objections(&self, actor: &Actor, application_id: i64) -> Result<Vec<ObjectionView>> {
        if !matches!(actor.role, Role::ProvinceAuthority | Role::CityAuthority) {
            return Ok(vec![]);
        }
        self.visible_application(actor, application_id).await?;
        type Row = (i64, String, String, String, Vec<u8>, String, Option<String>, Option<String>, String, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, number, facts, contact_name, contact_phone, state, outcome, finding, created_at, decided_at
             FROM objections WHERE application_id = $1 ORDER BY id",
        )
        .bind(application_id)
        .fetch_all(&self.pool)
        .await?;
        let sealer = self.sealer()?;
        rows.into_iter()
            .map(|(id, number, facts, contact_name, phone, state, outcome, finding, created, decided)| {
                Ok(ObjectionView {
                    id,
                    number,
                    facts,
                    contact_name,
                    contact_phone: String::from_utf8_lossy(&sealer.open(&phone)?).into_owned(),
                    state,
                    outcome,
                    finding,
                    created_at: show_ts(&created),
                    decided_at: decided.as_deref().map(show_ts),
                })
            })
            .collect()
    }

    /// The province's finding on an open objection, in one transaction with its consequence:
    /// upheld, the application is refused (不予注册决定书) or returned with the finding; dismissed,
    /// recorded, and the entry announced at once when its batch was announced meanwhile and no
    /// other objection is open.
    pub async fn decide_objection(
        &self,
        actor: &Actor,
        objection_id: i64,
        finding: Finding,
        text: &str,
        issuer: &crate::certificates::Issuer,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if actor.role != Role::ProvinceAuthority {
            return Err(Error::Forbidden);
        }
        let mut tx = self.write().await?;
        let row: Option<(i64, String, i64)> =
            sqlx::query_as("SELECT application_id, number, batch_id FROM objections WHERE id = $1 AND state = 'open'")
                .bind(objection_id)
                .fetch_optional(tx.conn())
                .await?;
        // What is decided before what was sent: an objection that is not open is "not found".
        let (app_id, number, batch_id) = row.ok_or(Error::NotFound("异议不存在或已处理"))?;
        let text = text.trim();
        if text.chars().count() < 4 || text.chars().count() > 500 {
            return Err(Error::invalid("finding", "请填写核查意见（4至500字）"));
        }
        let state = if finding == Finding::Dismissed { "dismissed" } else { "upheld" };
        let outcome = finding.code();
        let done = sqlx::query(
            "UPDATE objections SET state = $2, outcome = $3, finding = $4, decided_by = $5, decided_at = $6 WHERE id = $1 AND state = 'open'",
        )
        .bind(objection_id)
        .bind(state)
        .bind(outcome)
        .bind(text)
        .bind(actor.user_id)
        .bind(ts(now))
        .execute(tx.conn())
        .await?;
        if done.rows_affected() != 1 {
            return Err(Error::Conflict("该异议已被处理，请刷新页面".into()));
        }
        let label = if state == "upheld" { "异议成立" } else { "异议不成立" };
        let detail = format!("公示异议 {number}：{label}。{text}");
        audit::record(
            tx.conn(),
            now,
            Some(actor),
            Entry { detail: Some(&detail), ..Entry::new(&format!("objection_{state}"), "application", Some(app_id)) },
        )
        .await?;
        match finding {
            Finding::UpheldRefuse | Finding::UpheldReturn => {
                // Other open objections on it are settled by this finding.
                sqlx::query("UPDATE objections SET state = 'upheld', outcome = $2, finding = $3, decided_by = $4, decided_at = $5 WHERE application_id = $1 AND state = 'open'")
                    .bind(app_id)
                    .bind(outcome)
                    .bind(format!("已由异议 {number} 的核查结论处理"))
                    .bind(actor.user_id)
                    .bind(ts(now))
                    .execute(tx.conn())
                    .await?;
                let action = if finding == Finding::UpheldRefuse { Action::Refuse } else { Action::Return };
                let reason = format!("公示异议成立：{text}");
                self.act_in(&mut tx, actor, app_id, Step { action, reason: Some(&reason), expected_version: None }, now).await?;
            }
            Finding::Dismissed => {
                let (announced, open): (Option<String>, i64) = sqlx::query_as(
                    "SELECT b.announced_at, (SELECT COUNT(*) FROM objections o WHERE o.application_id = $2 AND o.state = 'open')
                     FROM batches b WHERE b.id = $1",
                )
                .bind(batch_id)
                .bind(app_id)
                .fetch_one(tx.conn())
                .await?;
                let (app_state,): (String,) =
                    sqlx::query_as("SELECT state FROM applications WHERE id = $1").bind(app_id).fetch_one(tx.conn()).await?;
                if announced.is_some() && open == 0 && app_state == "publicity" {
                    let (batch_number,): (String,) =
                        sqlx::query_as("SELECT number FROM batches WHERE id = $1").bind(batch_id).fetch_one(tx.conn()).await?;
                    self.announce_one(&mut tx, actor, app_id, &batch_number, issuer, now).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

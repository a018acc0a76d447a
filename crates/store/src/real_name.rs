//! Real-name checks (实名核验: ID number and face) and the one guard that asks for them where the
//! province profile says ([`RealNameRule`]): before a person's signing key is issued (甘肃), or
//! before every filing, each filing using one check up (重庆). The check itself is a provider's
//! (`web::real_name`); the store records who checked, whether it was a demo provider that compared
//! no face, and the verdict, audited.

use crate::audit::{self, Entry};
use crate::db::{parse_ts, ts};
use crate::error::{Error, Result};
use crate::{Actor, Store};
use chrono::{DateTime, Duration, Utc};
use erjian_domain::province::RealNameRule;
use erjian_domain::workflow::Role;

/// How long a passed check stands for one filing (重庆).
pub const FRESH_MINUTES: i64 = 30;

/// The answer when a check is required and missing.
pub const REAL_NAME_REQUIRED_KEY: &str =
    "按本省规定，申请个人数字证书（签名密钥）前须完成人脸识别实名核验：请先到“账号安全”中的“实名核验”页完成核验";
pub const REAL_NAME_REQUIRED_FILING: &str =
    "按本省规定，每次申报业务前须进行人脸识别：请先到“账号安全”中的“实名核验”页完成核验（30分钟内有效，每次申报用一次）";

/// Where the rule is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// A person's signing key is about to be created.
    Key,
    /// A person signs (files) an application.
    Filing,
}

/// One recorded check, as the person's page shows it.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct RealNameCheck {
    pub provider: String,
    pub demo: i64,
    pub passed: i64,
    pub detail: String,
    pub used_at: Option<String>,
    pub checked_at: String,
}

/// What a provider answered, to record.
pub struct Verdict<'a> {
    pub provider: &'a str,
    /// A demo provider compared no face: recorded and shown as such.
    pub demo: bool,
    pub passed: bool,
    pub detail: &'a str,
}

/// The guard: under the province's rule, `person_id` may pass `point` only with a passed check
/// (any for [`Point::Key`]; an unused one of the last [`FRESH_MINUTES`] for [`Point::Filing`],
/// which it uses up). Call inside the transaction of the step it guards.
pub(crate) async fn ensure(
    conn: &mut sqlx::AnyConnection,
    rule: RealNameRule,
    person_id: i64,
    point: Point,
    now: DateTime<Utc>,
) -> Result<()> {
    match (rule, point) {
        (RealNameRule::BeforeKey, Point::Key) => {
            let passed: Option<(i64,)> = sqlx::query_as("SELECT id FROM real_name_checks WHERE person_id = $1 AND passed = 1 LIMIT 1")
                .bind(person_id)
                .fetch_optional(&mut *conn)
                .await?;
            passed.map(|_| ()).ok_or_else(|| Error::Conflict(REAL_NAME_REQUIRED_KEY.into()))
        }
        (RealNameRule::BeforeEveryFiling, Point::Filing) => {
            let fresh: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, checked_at FROM real_name_checks WHERE person_id = $1 AND passed = 1 AND used_at IS NULL ORDER BY id DESC LIMIT 1",
            )
            .bind(person_id)
            .fetch_optional(&mut *conn)
            .await?;
            let Some((id, _)) = fresh.filter(|(_, at)| parse_ts(at).is_some_and(|t| now - t <= Duration::minutes(FRESH_MINUTES))) else {
                return Err(Error::Conflict(REAL_NAME_REQUIRED_FILING.into()));
            };
            sqlx::query("UPDATE real_name_checks SET used_at = $2 WHERE id = $1").bind(id).bind(ts(now)).execute(&mut *conn).await?;
            Ok(())
        }
        _ => Ok(()),
    }
}

impl Store {
    /// Records a provider's verdict on the signed-in person; audited.
    pub async fn record_real_name(&self, actor: &Actor, v: &Verdict<'_>, now: DateTime<Utc>) -> Result<()> {
        let person_id = actor.person_id.filter(|_| actor.role == Role::Individual).ok_or(Error::Forbidden)?;
        let mut tx = self.write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO real_name_checks (person_id, provider, demo, passed, detail, checked_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(person_id)
        .bind(v.provider)
        .bind(i64::from(v.demo))
        .bind(i64::from(v.passed))
        .bind(v.detail)
        .bind(ts(now))
        .fetch_one(tx.conn())
        .await?;
        let detail =
            format!("{}：{}{}", v.provider, if v.passed { "通过" } else { "未通过" }, if v.demo { "（演示，未比对人脸）" } else { "" });
        audit::record(tx.conn(), now, Some(actor), Entry { detail: Some(&detail), ..Entry::new("real_name_check", "person", Some(id)) })
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The person's newest checks, newest first.
    pub async fn real_name_checks(&self, actor: &Actor) -> Result<Vec<RealNameCheck>> {
        let person_id = actor.person_id.filter(|_| actor.role == Role::Individual).ok_or(Error::Forbidden)?;
        Ok(sqlx::query_as(
            "SELECT provider, demo, passed, detail, used_at, checked_at FROM real_name_checks WHERE person_id = $1 ORDER BY id DESC LIMIT 10",
        )
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The rule in force (for the pages that explain it).
    pub fn real_name_rule(&self) -> RealNameRule {
        self.rules().real_name
    }
}

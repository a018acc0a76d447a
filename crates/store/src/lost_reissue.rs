//! 遗失补办 as a reviewed application (湖南, `lost_reissue_reviewed`): the employing enterprise files
//! it for its holder with the loss statement (“二级建造师遗失补办申报……企业把其它详细信息及附件材料补充完整后
//! 保存上报”), both sign, the authorities review it like any application, and at the announcement a
//! new certificate replaces the lost one. Elsewhere the holder reissues at once
//! ([`Store::reissue_certificate`]).

use crate::certificates::{issue, Cause, Issuer};
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::follow_up::FollowUp;
use crate::lifecycle::{names, record_event};
use crate::{Actor, Store};
use chrono::{DateTime, Utc};

impl Store {
    /// Files a lost reissue with its loss statement (10 to 200 characters).
    pub async fn file_lost_reissue(&self, actor: &Actor, statement: &str, submit: bool, now: DateTime<Utc>) -> Result<i64> {
        let (_, reg) = self.own_registration_to_issue(actor, "没有有效的注册，不能办理遗失补办").await?;
        let statement = statement.trim();
        if statement.chars().count() < 10 {
            return Err(Error::invalid("statement", "遗失补办须填写遗失声明（不少于10个字）"));
        }
        erjian_domain::text::within(statement, erjian_domain::text::STATEMENT_MAX, "遗失声明")
            .map_err(|m| Error::invalid("statement", m))?;
        let enterprise = self.enterprise(reg.enterprise_id).await?.ok_or(Error::NotFound("企业不存在"))?;
        let held: Vec<String> = reg.specialties.iter().filter(|s| s.status == "active").map(|s| s.specialty_code.clone()).collect();
        let detail = serde_json::json!({ "statement": statement }).to_string();
        let mut tx = self.write().await?;
        let follow_up = FollowUp {
            kind: "lost_reissue",
            registration: &reg,
            enterprise_id: enterprise.id,
            city_code: &enterprise.city_code,
            specialties: &held,
            hours: (0, 0),
            detail: Some(&detail),
            note: Some("遗失补办"),
            province_alone: false,
        };
        let id = self.insert_follow_up(&mut tx, actor, follow_up, now).await?;
        self.finish_follow_up(tx, actor, id, submit, now).await
    }
}

/// Applies an announced lost reissue: a new certificate, the lost one void and pointing to it.
pub(crate) async fn apply_lost_reissue(
    tx: &mut Tx,
    issuer: &Issuer,
    app: &crate::applications::Application,
    now: DateTime<Utc>,
) -> Result<String> {
    let reg_id = app.registration_id.ok_or_else(|| Error::Other(anyhow::anyhow!("lost reissue {} without registration", app.number)))?;
    let (detail,): (Option<String>,) =
        sqlx::query_as("SELECT detail FROM applications WHERE id = $1").bind(app.id).fetch_one(tx.conn()).await?;
    let v: serde_json::Value = serde_json::from_str(detail.as_deref().unwrap_or("{}")).map_err(|e| Error::Other(e.into()))?;
    let cert = issue(tx, issuer, reg_id, Cause { application_id: Some(app.id), supersede_reason: "遗失补办，原证书作废" }, now).await?;
    let note = format!("遗失声明：{}（申请 {}）", v["statement"].as_str().unwrap_or_default(), app.number);
    record_event(tx, reg_id, "lost_reissue", &names(&app.specialties), Some(&note), Some(cert), now).await?;
    let (regno,): (String,) =
        sqlx::query_as("SELECT registration_number FROM registrations WHERE id = $1").bind(reg_id).fetch_one(tx.conn()).await?;
    Ok(regno)
}

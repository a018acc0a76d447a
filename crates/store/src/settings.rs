//! Settings the administrator saves from the admin page: the province profile as edited. A saved
//! profile is checked like a profile file, must stay in the deployment's province with the same
//! abbreviation and authority (its numbers, e-licences and seal belong to them), is put in force
//! by the caller at once, and is read again at every start.

use crate::audit::{self, Entry};
use crate::db::ts;
use crate::error::{Error, Result};
use crate::{Actor, Store};
use chrono::{DateTime, Utc};
use erjian_domain::province::{parse_profile, ProvinceProfile};
use erjian_domain::workflow::Role;

const PROFILE_KEY: &str = "province_profile";

impl Store {
    /// The profile file the administrator saved, if any.
    pub async fn saved_profile(&self) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT value FROM settings WHERE key = $1").bind(PROFILE_KEY).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.0))
    }

    /// Checks and saves a profile file: administrators only, same province and authority as
    /// `running`; one transaction with its audit row. The caller puts it in force.
    pub async fn save_profile(&self, actor: &Actor, json: &str, running: &ProvinceProfile, now: DateTime<Utc>) -> Result<ProvinceProfile> {
        if actor.role != Role::Admin {
            return Err(Error::Forbidden);
        }
        let profile = parse_profile(json).map_err(|e| Error::invalid("profile", e.to_string()))?;
        if profile.code != running.code {
            return Err(Error::Conflict(format!(
                "不能把本部署改为{}：本部署的注册编号、电子证照和电子印章都属于{}，更换省份须新建部署",
                profile.name, running.name
            )));
        }
        if (profile.abbr, profile.authority_name, profile.authority_code) != (running.abbr, running.authority_name, running.authority_code)
        {
            return Err(Error::Conflict("简称（abbr）、主管部门名称和统一社会信用代码关联本部署的注册编号和电子印章，不能在此修改".into()));
        }
        let text = profile.to_file_json();
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(PROFILE_KEY)
        .bind(&text)
        .bind(ts(now))
        .bind(actor.user_id)
        .execute(tx.conn())
        .await?;
        let detail = format!(
            "{}：公示{}天，{}，{}，审查{}/{}个工作日",
            profile.name,
            profile.publicity_days,
            profile.signing_order.code(),
            profile.review_stages.label(),
            profile.decision_days,
            profile.change_decision_days
        );
        audit::record(tx.conn(), now, Some(actor), Entry { detail: Some(&detail), ..Entry::new("save_profile", "settings", None) }).await?;
        // Public answers depend on the profile (the old version's lapse, the photo in a query).
        tx.touch_public();
        tx.commit().await?;
        Ok(profile)
    }
}

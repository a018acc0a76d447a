//! Enterprise rename (企业名称变更) as one audited batch: the authority changes the enterprise's
//! name and every registered person of it gets a new certificate with the new name. The rename
//! and the job are one transaction; each person's new certificate is its own transaction together
//! with its job item, so a crash leaves every person with either the old or the new certificate,
//! never a mixture, and running the job again finishes exactly the people still pending.

use crate::audit::{self, Entry};
use crate::certificates::{issue, Cause, Issuer};
use crate::db::ts;
use crate::error::{Error, Result};
use crate::lifecycle::record_event;
use crate::{Actor, Store};
use chrono::{DateTime, Utc};
use erjian_domain::workflow::Role;

/// A rename batch and how far it got.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RenameJob {
    pub id: i64,
    pub enterprise_id: i64,
    pub old_name: String,
    pub new_name: String,
    pub total: i64,
    pub status: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub done: i64,
}

const JOB_SELECT: &str = "SELECT j.id, j.enterprise_id, j.old_name, j.new_name, j.total, j.status, j.created_at, j.finished_at,
    (SELECT COUNT(*) FROM rename_job_items i WHERE i.job_id = j.id) AS done FROM rename_jobs j";

impl Store {
    /// Renames the enterprise and opens its batch (or returns the unfinished batch for the same
    /// new name, to resume it). Authority only (`actor` `None`: the command line).
    pub async fn start_enterprise_rename(
        &self,
        actor: Option<&Actor>,
        enterprise_id: i64,
        new_name: &str,
        now: DateTime<Utc>,
    ) -> Result<RenameJob> {
        if actor.is_some_and(|a| a.role != Role::ProvinceAuthority) {
            return Err(Error::Forbidden);
        }
        let new_name = new_name.trim();
        if new_name.chars().count() < 4 || new_name.chars().count() > 60 {
            return Err(Error::invalid("name", "请输入企业新名称（4–60个字）"));
        }
        let open: Option<RenameJob> = sqlx::query_as(&format!("{JOB_SELECT} WHERE j.enterprise_id = $1 AND j.status = 'running'"))
            .bind(enterprise_id)
            .fetch_optional(&self.pool)
            .await?;
        if let Some(job) = open {
            return if job.new_name == new_name {
                Ok(job)
            } else {
                Err(Error::Conflict(format!("该企业更名为“{}”的批次尚未完成，请先完成该批次", job.new_name)))
            };
        }
        let mut tx = self.write().await?;
        let (old_name,): (String,) = sqlx::query_as("SELECT name FROM enterprises WHERE id = $1")
            .bind(enterprise_id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(Error::NotFound("企业不存在"))?;
        if old_name == new_name {
            return Err(Error::Conflict("新名称与原名称相同".into()));
        }
        sqlx::query("UPDATE enterprises SET name = $2 WHERE id = $1")
            .bind(enterprise_id)
            .bind(new_name)
            .execute(tx.conn())
            .await
            .map_err(|e| crate::accounts::unique_to(e, &format!("已有名为“{new_name}”的企业")))?;
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM registrations WHERE enterprise_id = $1 AND status = 'active'")
            .bind(enterprise_id)
            .fetch_one(tx.conn())
            .await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO rename_jobs (enterprise_id, old_name, new_name, total, status, created_at) VALUES ($1, $2, $3, $4, 'running', $5) RETURNING id",
        )
        .bind(enterprise_id)
        .bind(&old_name)
        .bind(new_name)
        .bind(total)
        .bind(ts(now))
        .fetch_one(tx.conn())
        .await?;
        let detail = format!("企业名称由“{old_name}”变更为“{new_name}”，{total} 名注册人员换发证书");
        audit::record(
            tx.conn(),
            now,
            actor,
            Entry { detail: Some(&detail), ..Entry::new("enterprise_rename", "enterprise", Some(enterprise_id)) },
        )
        .await?;
        tx.commit().await?;
        self.rename_job(id).await?.ok_or(Error::NotFound("批次不存在"))
    }

    /// A rename batch as an authority may read it: the province any, a city its own city's
    /// enterprises' ("not found" otherwise, so existence does not leak).
    pub async fn rename_job_for(&self, actor: &crate::Actor, id: i64) -> Result<RenameJob> {
        let job = self.rename_job(id).await?.ok_or(Error::NotFound("批次不存在"))?;
        if !self.authority_covers(actor, job.enterprise_id).await? {
            return Err(Error::NotFound("批次不存在"));
        }
        Ok(job)
    }

    /// The newest rename batches (the province authority's page).
    pub async fn rename_jobs(&self, actor: &crate::Actor, limit: i64) -> Result<Vec<RenameJob>> {
        if actor.role != erjian_domain::workflow::Role::ProvinceAuthority {
            return Err(Error::Forbidden);
        }
        Ok(sqlx::query_as(&format!("{JOB_SELECT} ORDER BY j.id DESC LIMIT $1")).bind(limit).fetch_all(&self.pool).await?)
    }

    /// An enterprise's id by its credit code (as typed: case and spaces do not matter).
    pub async fn enterprise_id_by_credit_code(&self, code: &str) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM enterprises WHERE credit_code = $1")
            .bind(code.trim().to_ascii_uppercase())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.0))
    }

    pub async fn rename_job(&self, id: i64) -> Result<Option<RenameJob>> {
        Ok(sqlx::query_as(&format!("{JOB_SELECT} WHERE j.id = $1")).bind(id).fetch_optional(&self.pool).await?)
    }

    /// Runs (or resumes) a batch: one transaction per person still pending; `progress` after each.
    pub async fn run_enterprise_rename(
        &self,
        job_id: i64,
        issuer: &Issuer,
        now: impl Fn() -> DateTime<Utc>,
        progress: impl Fn(i64, i64),
    ) -> Result<RenameJob> {
        let job = self.rename_job(job_id).await?.ok_or(Error::NotFound("批次不存在"))?;
        let pending: Vec<(i64,)> = sqlx::query_as(
            "SELECT r.id FROM registrations r WHERE r.enterprise_id = $1 AND r.status = 'active'
             AND NOT EXISTS (SELECT 1 FROM rename_job_items i WHERE i.job_id = $2 AND i.registration_id = r.id) ORDER BY r.id",
        )
        .bind(job.enterprise_id)
        .bind(job_id)
        .fetch_all(&self.pool)
        .await?;
        let mut done = job.done;
        let reason = format!("企业名称变更为“{}”，已换发新证书", job.new_name);
        for (reg_id,) in pending {
            let at = now();
            let mut tx = self.write().await?;
            // A suspended certificate is not reissued (no certificate while suspended): the item
            // records the suspended one, so the batch completes; the holder asks for 重新制证
            // once the authority has restored it.
            let held: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM certificates WHERE registration_id = $1 AND status = 'suspended' ORDER BY version DESC LIMIT 1",
            )
            .bind(reg_id)
            .fetch_optional(tx.conn())
            .await?;
            let cert = match held {
                Some((suspended,)) => suspended,
                None => issue(&mut tx, issuer, reg_id, Cause { application_id: None, supersede_reason: &reason }, at).await?,
            };
            sqlx::query("INSERT INTO rename_job_items (job_id, registration_id, certificate_id) VALUES ($1, $2, $3)")
                .bind(job_id)
                .bind(reg_id)
                .bind(cert)
                .execute(tx.conn())
                .await?;
            let detail = match held {
                Some(_) => format!("企业名称变更：{} → {}；证书暂扣中，未换发，恢复后可申请重新制证", job.old_name, job.new_name),
                None => format!("企业名称变更：{} → {}", job.old_name, job.new_name),
            };
            record_event(&mut tx, reg_id, "enterprise_rename", "", Some(&detail), Some(cert), at).await?;
            tx.commit().await?;
            done += 1;
            progress(done, job.total);
        }
        let at = now();
        let mut tx = self.write().await?;
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM rename_job_items WHERE job_id = $1").bind(job_id).fetch_one(tx.conn()).await?;
        let finished = sqlx::query("UPDATE rename_jobs SET status = 'done', finished_at = $2 WHERE id = $1 AND status = 'running'")
            .bind(job_id)
            .bind(ts(at))
            .execute(tx.conn())
            .await?;
        if finished.rows_affected() == 1 {
            let detail = format!("企业更名批次完成：换发 {count} 张证书");
            audit::record(
                tx.conn(),
                at,
                None,
                Entry { detail: Some(&detail), ..Entry::new("enterprise_rename_done", "rename_job", Some(job_id)) },
            )
            .await?;
        }
        tx.commit().await?;
        self.rename_job(job_id).await?.ok_or(Error::NotFound("批次不存在"))
    }
}

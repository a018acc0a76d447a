//! 公告: announcing a publicity batch whose period has ended. Each application still in
//! publicity (and without an open objection) is announced in **its own transaction** — its
//! registration or change, number, sealed certificate and 准予注册决定书 commit together — so a
//! process stopped half-way leaves every application either wholly announced or still in
//! publicity, never half-made, and a batch of thousands does not hold one huge transaction.
//!
//! The batch is claimed first (`announced_at`), and the announcer renews a lease
//! (`announce_heartbeat`) with every application. A second announcer is refused while the lease
//! is fresh; once it is [`LEASE`] old (the first process stopped) anyone may take the batch over
//! and announce the rest.

use crate::audit::{self, Entry};
use crate::db::{parse_ts, today, ts};
use crate::error::{Error, Result};
use crate::workflow::Announced;
use crate::{Actor, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use erjian_domain::workflow::Role;

/// How long an announcer's lease lasts without renewal.
pub const LEASE: Duration = Duration::minutes(2);

/// The applications of a batch that announcing still has to do.
const REMAINING: &str = "SELECT a.id FROM applications a WHERE a.publicity_batch_id = $1 AND a.state = 'publicity'
     AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.application_id = a.id AND o.state = 'open') ORDER BY a.id";

impl Store {
    /// Announces every remaining application of the batch; see the module documentation.
    pub async fn announce(
        &self,
        actor: &Actor,
        batch_id: i64,
        issuer: &crate::certificates::Issuer,
        now: DateTime<Utc>,
    ) -> Result<Vec<Announced>> {
        self.announce_up_to(actor, batch_id, issuer, now, usize::MAX).await
    }

    /// As [`Store::announce`], stopping after `limit` applications as if the process had been
    /// stopped there (the lease is left to expire).
    pub async fn announce_up_to(
        &self,
        actor: &Actor,
        batch_id: i64,
        issuer: &crate::certificates::Issuer,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Announced>> {
        if actor.role != Role::ProvinceAuthority {
            return Err(Error::Forbidden);
        }
        let number = self.claim_batch(batch_id, now).await?;
        let ids: Vec<(i64,)> = sqlx::query_as(REMAINING).bind(batch_id).fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(ids.len().min(limit));
        for (id,) in ids.into_iter().take(limit) {
            match self.announce_in_batch(actor, batch_id, id, &number, issuer, now).await {
                Ok(Some(a)) => out.push(a),
                Ok(None) => {}
                Err(e) => {
                    // Let the next attempt start at once; what was announced stays announced.
                    let _ = self.release_batch(batch_id, None, actor, now).await;
                    return Err(e);
                }
            }
        }
        if out.len() == limit {
            return Ok(out);
        }
        self.release_batch(batch_id, Some(out.len()), actor, now).await?;
        Ok(out)
    }

    /// Claims the batch for announcing (or takes over a stopped announcement); returns its number.
    async fn claim_batch(&self, batch_id: i64, now: DateTime<Utc>) -> Result<String> {
        let mut tx = self.write().await?;
        type Row = (Option<String>, Option<String>, String, Option<String>);
        let batch: Option<Row> =
            sqlx::query_as("SELECT ends_on, announced_at, number, announce_heartbeat FROM batches WHERE id = $1 AND kind = 'publicity'")
                .bind(batch_id)
                .fetch_optional(tx.conn())
                .await?;
        let (ends_on, announced_at, number, heartbeat) = batch.ok_or(Error::NotFound("公示批次不存在"))?;
        let claimed = match announced_at {
            None => {
                let ends = ends_on.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).unwrap_or(today(now));
                if today(now) <= ends {
                    return Err(Error::Conflict(format!("公示期至 {ends}，期满无异议后方可公告")));
                }
                sqlx::query("UPDATE batches SET announced_at = $2, announce_heartbeat = $2 WHERE id = $1 AND announced_at IS NULL")
                    .bind(batch_id)
                    .bind(ts(now))
                    .execute(tx.conn())
                    .await?
                    .rows_affected()
            }
            Some(_) => {
                let (left,): (i64,) =
                    sqlx::query_as(&format!("SELECT COUNT(*) FROM ({REMAINING}) AS r")).bind(batch_id).fetch_one(tx.conn()).await?;
                if left == 0 {
                    return Err(Error::Conflict(format!("公示批次 {number} 已经公告")));
                }
                if heartbeat.as_deref().and_then(parse_ts).is_some_and(|h| h > now - LEASE) {
                    return Err(Error::Conflict(format!("公示批次 {number} 正在公告，请稍后刷新查看")));
                }
                // Take over a stopped announcement, unless someone else just did.
                sqlx::query("UPDATE batches SET announce_heartbeat = $2 WHERE id = $1 AND announce_heartbeat IS NOT DISTINCT FROM $3")
                    .bind(batch_id)
                    .bind(ts(now))
                    .bind(&heartbeat)
                    .execute(tx.conn())
                    .await?
                    .rows_affected()
            }
        };
        if claimed != 1 {
            return Err(Error::Conflict(format!("公示批次 {number} 正在公告或已经公告")));
        }
        tx.commit().await?;
        Ok(number)
    }

    /// One application, in its own transaction, renewing the lease; `None` when another
    /// announcer or an objection's finding got to it first.
    async fn announce_in_batch(
        &self,
        actor: &Actor,
        batch_id: i64,
        id: i64,
        number: &str,
        issuer: &crate::certificates::Issuer,
        now: DateTime<Utc>,
    ) -> Result<Option<Announced>> {
        let mut tx = self.write().await?;
        let (state,): (String,) = sqlx::query_as("SELECT state FROM applications WHERE id = $1").bind(id).fetch_one(tx.conn()).await?;
        if state != "publicity" {
            return Ok(None);
        }
        let done = self.announce_one(&mut tx, actor, id, number, issuer, now).await?;
        sqlx::query("UPDATE batches SET announce_heartbeat = $2 WHERE id = $1").bind(batch_id).bind(ts(now)).execute(tx.conn()).await?;
        tx.commit().await?;
        Ok(Some(done))
    }

    /// Ends an announcement run: the lease is given up and, when it finished (`Some(n)`), the
    /// audit trail records how many it announced.
    async fn release_batch(&self, batch_id: i64, finished: Option<usize>, actor: &Actor, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE batches SET announce_heartbeat = NULL WHERE id = $1").bind(batch_id).execute(tx.conn()).await?;
        if let Some(n) = finished {
            let detail = format!("公告 {n} 人");
            audit::record(
                tx.conn(),
                now,
                Some(actor),
                Entry { detail: Some(&detail), ..Entry::new("announce_batch", "batch", Some(batch_id)) },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

//! Clearing of applications never accepted (逾期清理): an application that the authority never
//! accepted is closed 90 days after it was created, so that stale drafts and unsealed forms do
//! not hold the person's one open application for ever. The system performs it (audited as
//! 系统), one transaction per application, so a crash leaves the rest for the next sweep.

use crate::audit::{self, Entry};
use crate::db::ts;
use crate::error::Result;
use crate::Store;
use chrono::{DateTime, Duration, Utc};
use erjian_domain::workflow::{transition_with, Action, Role, CLEAR_AFTER_DAYS};

impl Store {
    /// Clears every application created at least 90 days before today that was never accepted;
    /// returns how many it cleared.
    pub async fn clear_stale_applications(&self, now: DateTime<Utc>) -> Result<usize> {
        let cutoff = crate::db::today(now) - Duration::days(CLEAR_AFTER_DAYS - 1);
        let cutoff = ts(cutoff.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
        let due: Vec<(i64,)> = sqlx::query_as(
            "SELECT a.id FROM applications a WHERE a.state IN ('draft', 'awaiting_signature', 'awaiting_enterprise', 'filed', 'returned')
             AND a.created_at < $1
             AND NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.object_type = 'application' AND l.object_id = a.id AND l.action = 'accept')
             ORDER BY a.id",
        )
        .bind(&cutoff)
        .fetch_all(&self.pool)
        .await?;
        let mut cleared = 0;
        for (id,) in due {
            let mut tx = self.write().await?;
            let Some(app) = Self::load_application(self.sealer()?, tx.conn(), id).await? else { continue };
            let (accepted,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE object_type = 'application' AND object_id = $1 AND action = 'accept'")
                    .bind(id)
                    .fetch_one(tx.conn())
                    .await?;
            if accepted > 0 {
                continue;
            }
            // Re-decided inside the transaction: the application may have moved since the query.
            let Ok(next) = transition_with(app.order(), app.review(), app.state(), Action::Clear, Role::Admin, None) else { continue };
            crate::workflow::set_state(&mut tx, &app, next, Some("超过90天未受理，系统自动清理"), now).await?;
            let e = Entry {
                from_state: Some(&app.state),
                to_state: Some(next.code()),
                reason: Some("超过90天未受理，系统自动清理"),
                ..Entry::new(Action::Clear.code(), "application", Some(id))
            };
            audit::record(tx.conn(), now, None, e).await?;
            tx.commit().await?;
            cleared += 1;
        }
        Ok(cleared)
    }
}

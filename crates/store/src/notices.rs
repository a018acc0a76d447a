//! The authority's written decisions on an application (文书, see `erjian_cert::notice`):
//! recorded and numbered in the transaction of the decision (受理, 不予受理, 退回补正, 不予注册,
//! 公告 = 准予注册), so the number is in the history row; the sealed OFD is made once, by the first
//! who needs it, and kept (sealed at rest). The applicant, the enterprise and the authorities
//! that may see the application may download them.

use crate::applications::Application;
use crate::db::{ts, Tx};
use crate::error::{Error, Result};
use crate::{Actor, Store};
use chrono::{DateTime, Utc};
use erjian_cert::notice::{NoticeData, NoticeKind, NOTICE_SEAL_BOX};
use erjian_domain::workflow::{Action, State};

/// One notice as listed.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Notice {
    pub id: i64,
    pub application_id: i64,
    pub kind: String,
    pub number: String,
    pub grounds: String,
    pub handler: String,
    pub registration_number: Option<String>,
    pub created_at: String,
}

impl Notice {
    pub fn kind(&self) -> Option<NoticeKind> {
        NoticeKind::parse(&self.kind)
    }

    pub fn title(&self) -> &'static str {
        self.kind().map(NoticeKind::title).unwrap_or("文书")
    }

    pub fn created_display(&self) -> String {
        crate::db::show_ts(&self.created_at)
    }
}

/// The notice a step of the authority's produces, if any.
pub fn kind_for(action: Action, from: State) -> Option<NoticeKind> {
    match action {
        Action::Accept => Some(NoticeKind::Accepted),
        Action::RefuseAcceptance => Some(NoticeKind::NotAccepted),
        // Returned by the authority: before acceptance or during review.
        Action::Return if matches!(from, State::Filed | State::Accepted | State::PrelimPassed | State::Approved) => {
            Some(NoticeKind::Correction)
        }
        Action::Refuse => Some(NoticeKind::Refused),
        Action::Announce => Some(NoticeKind::Approved),
        _ => None,
    }
}

/// Records and numbers the notice of a decision inside its transaction; returns the history's
/// note (“受理通知书 皖建注受〔2026〕3号”).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record(
    tx: &mut Tx,
    abbr: &str,
    actor: &Actor,
    app: &Application,
    kind: NoticeKind,
    grounds: Option<&str>,
    registration_number: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String> {
    let year = chrono::Datelike::year(&crate::db::today(now));
    let serial = crate::next_serial(tx.conn(), &format!("notice:{}:{year}", kind.code())).await?;
    let number = format!("{abbr}建注{}〔{year}〕{serial}号", kind.word());
    sqlx::query(
        "INSERT INTO notices (application_id, kind, number, grounds, handler, registration_number, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(app.id)
    .bind(kind.code())
    .bind(&number)
    .bind(grounds.map(str::trim).unwrap_or(""))
    .bind(&actor.name)
    .bind(registration_number)
    .bind(ts(now))
    .execute(tx.conn())
    .await?;
    Ok(format!("{} {number}", kind.title()))
}

impl Store {
    /// The notices of an application the actor may see, oldest first.
    pub async fn notices(&self, actor: &Actor, application_id: i64) -> Result<Vec<Notice>> {
        self.visible_application(actor, application_id).await?;
        Ok(sqlx::query_as(
            "SELECT id, application_id, kind, number, grounds, handler, registration_number, created_at FROM notices WHERE application_id = $1 ORDER BY id",
        )
        .bind(application_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One notice's sealed OFD (made and kept on first need) and its printed data, for someone
    /// who may see the application; otherwise "not found".
    pub async fn notice_file(
        &self,
        actor: &Actor,
        application_id: i64,
        notice_id: i64,
        issuer: &crate::certificates::Issuer,
        now: DateTime<Utc>,
    ) -> Result<(Notice, NoticeData, Vec<u8>)> {
        let app = self.visible_application(actor, application_id).await?;
        let notice: Notice = sqlx::query_as(
            "SELECT id, application_id, kind, number, grounds, handler, registration_number, created_at FROM notices WHERE id = $1 AND application_id = $2",
        )
        .bind(notice_id)
        .bind(application_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound("文书不存在"))?;
        let kind = notice.kind().ok_or(Error::NotFound("文书不存在"))?;
        let date = crate::db::parse_ts(&notice.created_at).map(crate::db::today).unwrap_or_else(|| crate::db::today(now));
        let data = NoticeData {
            kind,
            number: notice.number.clone(),
            authority: issuer.authority.name.clone(),
            applicant: app.person_name.clone(),
            enterprise: app.enterprise_name.clone(),
            application_number: app.number.clone(),
            procedure: app.kind_label().to_owned(),
            specialties: app.specialty_names(),
            grounds: notice.grounds.clone(),
            registration_number: notice.registration_number.clone(),
            date,
        };
        let (stored,): (Option<Vec<u8>>,) =
            sqlx::query_as("SELECT ofd FROM notices WHERE id = $1").bind(notice_id).fetch_one(&self.pool).await?;
        let sealer = self.sealer()?;
        if let Some(stored) = stored {
            return Ok((notice, data, sealer.open(&stored)?));
        }
        let doc = erjian_cert::notice::notice_document(&data);
        let ofd = issuer
            .authority
            .seal_document(doc, NOTICE_SEAL_BOX, now)
            .map_err(|e| Error::Other(anyhow::anyhow!("sealing the notice failed: {e}")))?;
        let mut tx = self.write().await?;
        // The first to seal it keeps it; one made at the same moment elsewhere is dropped.
        sqlx::query("UPDATE notices SET ofd = $2 WHERE id = $1 AND ofd IS NULL")
            .bind(notice_id)
            .bind(sealer.seal(&ofd))
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        let (kept,): (Option<Vec<u8>>,) =
            sqlx::query_as("SELECT ofd FROM notices WHERE id = $1").bind(notice_id).fetch_one(&self.pool).await?;
        let kept = kept.ok_or_else(|| Error::Other(anyhow::anyhow!("notice {notice_id} lost its file")))?;
        Ok((notice, data, sealer.open(&kept)?))
    }
}

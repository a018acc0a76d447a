//! 消息中心: messages to accounts, written in the transaction of the step that sends them (so a
//! step that fails tells nobody), read and marked read by their owner only. Accounts that asked
//! for texts get each message through the SMS gateway too: the web layer takes the pending ones
//! ([`Store::pending_texts`]) and reports back. Daily reminders ([`Store::send_reminders`]) are
//! kept from repeating by a unique key.

use crate::applications::Application;
use crate::db::{ts, Tx};
use crate::error::{Error, Result};
use crate::{Actor, Store};
use chrono::{DateTime, Duration, Utc};
use erjian_domain::notify::{About, Recipient};
use erjian_domain::workflow::{Action, Role, State};

/// One message as its owner reads it.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub application_id: Option<i64>,
    pub kind: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
}

impl Notification {
    pub fn created_display(&self) -> String {
        crate::db::show_ts(&self.created_at)
    }
}

/// A message waiting to be texted.
#[derive(Debug, Clone)]
pub struct PendingText {
    pub id: i64,
    pub mobile: String,
    pub body: String,
}

/// What one message says and where it points.
pub(crate) struct Outgoing<'a> {
    pub kind: &'a str,
    pub body: &'a str,
    pub application_id: Option<i64>,
    pub link: Option<String>,
    /// Set for reminders: a second message with the same key is not written.
    pub dedupe: Option<String>,
}

/// Writes one message to each account, inside the caller's transaction; returns how many were
/// written (a reminder already sent is skipped).
pub(crate) async fn send(tx: &mut Tx, users: &[(i64, i64)], m: &Outgoing<'_>, now: DateTime<Utc>) -> Result<u64> {
    let mut n = 0;
    for &(user_id, sms) in users {
        let dedupe = m.dedupe.as_ref().map(|d| format!("{d}:{user_id}"));
        let done = sqlx::query(
            "INSERT INTO notifications (user_id, application_id, kind, body, link, dedupe, sms_state, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe) DO NOTHING",
        )
        .bind(user_id)
        .bind(m.application_id)
        .bind(m.kind)
        .bind(m.body)
        .bind(&m.link)
        .bind(dedupe)
        .bind((sms != 0).then_some("pending"))
        .bind(ts(now))
        .execute(tx.conn())
        .await?;
        n += done.rows_affected();
    }
    Ok(n)
}

/// The accounts of a person (individual) or an enterprise: (user id, texts wanted).
pub(crate) async fn accounts_of(tx: &mut Tx, to: Recipient, app: &Application) -> Result<Vec<(i64, i64)>> {
    Ok(match to {
        Recipient::Applicant => person_accounts(tx, app.person_id).await?,
        Recipient::Enterprise => enterprise_accounts(tx, app.enterprise_id).await?,
    })
}

pub(crate) async fn person_accounts(tx: &mut Tx, person_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as("SELECT id, sms_notify FROM users WHERE person_id = $1 AND role = 'individual'")
        .bind(person_id)
        .fetch_all(tx.conn())
        .await?)
}

pub(crate) async fn enterprise_accounts(tx: &mut Tx, enterprise_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as("SELECT id, sms_notify FROM users WHERE enterprise_id = $1 AND role = 'enterprise'")
        .bind(enterprise_id)
        .fetch_all(tx.conn())
        .await?)
}

/// The messages of one step of an application (the table in `erjian_domain::notify`); the actor
/// is not told of their own step.
pub(crate) async fn on_step(
    tx: &mut Tx,
    actor: &Actor,
    app: &Application,
    action: Action,
    next: State,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let about = About { number: &app.number, kind_label: app.kind_label(), issues_certificate: !app.kind.starts_with("cancel") };
    for m in erjian_domain::notify::on_step(&about, action, next, reason) {
        let users: Vec<(i64, i64)> = accounts_of(tx, m.to, app).await?.into_iter().filter(|u| u.0 != actor.user_id).collect();
        let out = Outgoing {
            kind: m.kind,
            body: &m.text,
            application_id: Some(app.id),
            link: Some(format!("/applications/{}", app.id)),
            dedupe: None,
        };
        send(tx, &users, &out, now).await?;
    }
    Ok(())
}

impl Store {
    /// The actor's newest messages.
    pub async fn notifications(&self, actor: &Actor, limit: i64) -> Result<Vec<Notification>> {
        Ok(sqlx::query_as(
            "SELECT id, application_id, kind, body, link, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(actor.user_id)
        .bind(limit.clamp(1, 500))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn unread_count(&self, actor: &Actor) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(actor.user_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Marks the actor's messages read: one (`Some(id)`) or all. Another account's message is
    /// not found.
    pub async fn mark_read(&self, actor: &Actor, id: Option<i64>, now: DateTime<Utc>) -> Result<u64> {
        let done = match id {
            Some(id) => {
                sqlx::query("UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL")
                    .bind(id)
                    .bind(actor.user_id)
                    .bind(ts(now))
                    .execute(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
                    .bind(actor.user_id)
                    .bind(ts(now))
                    .execute(&self.pool)
                    .await?
            }
        };
        Ok(done.rows_affected())
    }

    /// Whether the actor also gets messages by text.
    pub async fn sms_notify(&self, actor: &Actor) -> Result<bool> {
        let (on,): (i64,) = sqlx::query_as("SELECT sms_notify FROM users WHERE id = $1").bind(actor.user_id).fetch_one(&self.pool).await?;
        Ok(on != 0)
    }

    /// Individuals and enterprises choose whether messages are also texted (to the person's
    /// mobile, or the enterprise's verified contact mobile). Audited.
    pub async fn set_sms_notify(&self, actor: &Actor, on: bool, now: DateTime<Utc>) -> Result<()> {
        if !matches!(actor.role, Role::Individual | Role::Enterprise) {
            return Err(Error::Forbidden);
        }
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET sms_notify = $2 WHERE id = $1").bind(actor.user_id).bind(i64::from(on)).execute(tx.conn()).await?;
        let detail = if on { "开启短信通知" } else { "关闭短信通知" };
        crate::audit::record(
            tx.conn(),
            now,
            Some(actor),
            crate::audit::Entry { detail: Some(detail), ..crate::audit::Entry::new("sms_notify", "user", Some(actor.user_id)) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Messages waiting to be texted, oldest first, with the number to text (opened). One with
    /// no number to text is marked failed.
    pub async fn pending_texts(&self, limit: i64) -> Result<Vec<PendingText>> {
        let rows: Vec<(i64, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT n.id, n.body, p.mobile, e.contact_mobile FROM notifications n JOIN users u ON u.id = n.user_id
             LEFT JOIN persons p ON p.id = u.person_id LEFT JOIN enterprises e ON e.id = u.enterprise_id
             WHERE n.sms_state = 'pending' ORDER BY n.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let sealer = self.sealer()?;
        let mut out = Vec::new();
        for (id, body, person, enterprise) in rows {
            let mobile = sealer.open_text(person.as_deref().or(enterprise.as_deref()).unwrap_or(""))?;
            if mobile.is_empty() {
                self.texted(id, false).await?;
            } else {
                out.push(PendingText { id, mobile, body });
            }
        }
        Ok(out)
    }

    /// Records the gateway's answer for one message.
    pub async fn texted(&self, id: i64, ok: bool) -> Result<()> {
        sqlx::query("UPDATE notifications SET sms_state = $2 WHERE id = $1")
            .bind(id)
            .bind(if ok { "sent" } else { "failed" })
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The daily reminders, each sent once: the renewal window has opened (90 days before the
    /// end of validity), it closes in 30 days (60 days before the end), and a 证照加注 use period
    /// ends within 15 days. Returns how many messages were written.
    pub async fn send_reminders(&self, now: DateTime<Utc>) -> Result<u64> {
        use erjian_domain::lifecycle::{ANNOTATION_OPENS_DAYS, RENEWAL_CLOSES_DAYS, RENEWAL_OPENS_DAYS};
        let day = crate::db::today(now);
        let window_end = (day + Duration::days(RENEWAL_OPENS_DAYS)).to_string();
        let window_start = (day + Duration::days(RENEWAL_CLOSES_DAYS)).to_string();
        let closing = (day + Duration::days(RENEWAL_CLOSES_DAYS + 30)).to_string();
        // Each active registration's earliest end of an active specialty, inside the window.
        let regs: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT r.id, r.person_id, r.registration_number, MIN(s.valid_until) FROM registrations r
             JOIN registration_specialties s ON s.registration_id = r.id AND s.status = 'active'
             WHERE r.status = 'active' AND s.valid_until > $1 AND s.valid_until <= $2
             GROUP BY r.id, r.person_id, r.registration_number",
        )
        .bind(&window_start)
        .bind(&window_end)
        .fetch_all(&self.pool)
        .await?;
        let certs: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT c.id, r.person_id, c.use_until FROM certificates c JOIN registrations r ON r.id = c.registration_id
             WHERE c.status = 'valid' AND c.use_until IS NOT NULL AND c.use_until >= $1 AND c.use_until <= $2",
        )
        .bind(day.to_string())
        .bind((day + Duration::days(ANNOTATION_OPENS_DAYS)).to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut tx = self.write().await?;
        let mut n = 0;
        for (reg, person, number, until) in regs {
            let users = person_accounts(&mut tx, person).await?;
            let (kind, body, key) = if until.as_str() <= closing.as_str() {
                (
                    "renewal_closing",
                    format!("您的注册（{number}）有效期至 {until}，延续注册申报将于30天内截止，请尽快办理。"),
                    "renewal_closing",
                )
            } else {
                ("renewal_open", format!("您的注册（{number}）有效期至 {until}，已可申请延续注册。"), "renewal_open")
            };
            let out = Outgoing {
                kind,
                body: &body,
                application_id: None,
                link: Some("/renewal".into()),
                dedupe: Some(format!("{key}:{reg}:{until}")),
            };
            n += send(&mut tx, &users, &out, now).await?;
        }
        for (cert, person, until) in certs {
            let users = person_accounts(&mut tx, person).await?;
            let body = format!("您的电子证书使用期至 {until}，请在到期前办理证照加注。");
            let out = Outgoing {
                kind: "annotation_due",
                body: &body,
                application_id: None,
                link: Some("/portal".into()),
                dedupe: Some(format!("annotation:{cert}:{until}")),
            };
            n += send(&mut tx, &users, &out, now).await?;
        }
        tx.commit().await?;
        Ok(n)
    }
}

//! The audit log: who did what, when, from which state to which, and why. Every state change and
//! every login writes one row in the same transaction as the change itself.

use crate::db::{show_ts, ts};
use crate::Actor;
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

/// One audit entry to write.
pub struct Entry<'a> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<i64>,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub detail: Option<&'a str>,
}

impl<'a> Entry<'a> {
    pub fn new(action: &'a str, object_type: &'a str, object_id: Option<i64>) -> Self {
        Entry { action, object_type, object_id, from_state: None, to_state: None, reason: None, detail: None }
    }
}

pub async fn record(conn: &mut AnyConnection, now: DateTime<Utc>, actor: Option<&Actor>, e: Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, actor_role, action, object_type, object_id, from_state, to_state, reason, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(ts(now))
    .bind(actor.map(|a| a.user_id))
    .bind(actor.map(|a| a.name.clone()).unwrap_or_else(|| "系统".into()))
    .bind(actor.map(|a| a.role.code()).unwrap_or("system"))
    .bind(e.action)
    .bind(e.object_type)
    .bind(e.object_id)
    .bind(e.from_state)
    .bind(e.to_state)
    .bind(e.reason)
    .bind(e.detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records one application's transition (who, when, from → to, reason, detail).
#[allow(clippy::too_many_arguments)]
pub async fn transition(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    application_id: i64,
    action: erjian_domain::workflow::Action,
    from: &str,
    to: erjian_domain::workflow::State,
    reason: Option<&str>,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    let e = Entry {
        from_state: Some(from),
        to_state: Some(to.code()),
        reason,
        detail,
        ..Entry::new(action.code(), "application", Some(application_id))
    };
    record(conn, now, Some(actor), e).await
}

/// An audit row as read back.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor_name: String,
    pub actor_role: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<i64>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    pub detail: Option<String>,
}

impl AuditRow {
    pub fn at_display(&self) -> String {
        show_ts(&self.at)
    }

    /// The action in words: a workflow action's label, or the name of another audited event.
    pub fn action_label(&self) -> &str {
        if let Some(a) = erjian_domain::workflow::Action::parse(&self.action) {
            return a.label();
        }
        match self.action.as_str() {
            "create" => "创建申请",
            "edit" => "修改申请",
            "login" => "登录",
            "login_failed" => "登录失败",
            "login_locked" => "登录锁定",
            "signup" => "注册账号",
            "create_account" => "创建账号",
            "import_qualifications" => "导入资格库",
            "create_batch" => "生成公示批次",
            "announce_batch" => "发布公告",
            "seed_registration" => "演示数据",
            other => other,
        }
    }

    pub fn state_label<'a>(&self, code: &'a str) -> &'a str {
        erjian_domain::workflow::State::parse(code).map(|s| s.label()).unwrap_or(code)
    }
}

impl crate::Store {
    pub async fn audit_for(&self, object_type: &str, object_id: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM audit_log WHERE object_type = $1 AND object_id = $2 ORDER BY id")
            .bind(object_type)
            .bind(object_id)
            .fetch_all(&self.pool)
            .await
    }

    pub async fn audit_recent(&self, limit: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM audit_log ORDER BY id DESC LIMIT $1").bind(limit).fetch_all(&self.pool).await
    }
}

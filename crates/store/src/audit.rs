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

/// Writes one audit row, chained to the one before (see [`crate::audit_chain`]); inside the
/// caller's transaction, which keeps the chain's head locked until it commits.
pub async fn record(conn: &mut AnyConnection, now: DateTime<Utc>, actor: Option<&Actor>, e: Entry<'_>) -> Result<(), sqlx::Error> {
    let at = ts(now);
    let actor_name = actor.map(|a| a.name.clone()).unwrap_or_else(|| "系统".into());
    let content = crate::audit_chain::Content {
        at: &at,
        actor_id: actor.map(|a| a.user_id),
        actor_name: &actor_name,
        actor_role: actor.map(|a| a.role.code()).unwrap_or("system"),
        action: e.action,
        object_type: e.object_type,
        object_id: e.object_id,
        from_state: e.from_state,
        to_state: e.to_state,
        reason: e.reason,
        detail: e.detail,
    };
    let (seq, previous) = crate::audit_chain::next(&mut *conn).await?;
    let hash = crate::audit_chain::row_hash(&previous, seq, &content);
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, actor_role, action, object_type, object_id, from_state, to_state, reason, detail, seq, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(content.at)
    .bind(content.actor_id)
    .bind(content.actor_name)
    .bind(content.actor_role)
    .bind(content.action)
    .bind(content.object_type)
    .bind(content.object_id)
    .bind(content.from_state)
    .bind(content.to_state)
    .bind(content.reason)
    .bind(content.detail)
    .bind(seq)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    crate::audit_chain::set_head(conn, &hash).await
}

/// Records that an application's content was edited (its state unchanged).
pub async fn edited(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    application_id: i64,
    state: &str,
) -> Result<(), sqlx::Error> {
    record(
        conn,
        now,
        Some(actor),
        Entry { from_state: Some(state), to_state: Some(state), ..Entry::new("edit", "application", Some(application_id)) },
    )
    .await
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
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
        if let Some(kind) = self.action.strip_prefix("create_").filter(|k| crate::lifecycle::kind_label(k) != "其他") {
            return match kind {
                "renewal" => "申请延续注册",
                "add_specialty" => "申请增项注册",
                "change_employer" => "申请变更执业企业",
                "change_personal" => "申请变更个人信息",
                _ => "创建申请",
            };
        }
        match self.action.as_str() {
            "create" => "创建申请",
            "edit" => "修改申请",
            "login" => "登录",
            "login_failed" => "登录失败",
            "login_locked" | "login_paused" => "登录暂停（连续密码错误）",
            "signing_reset_password_failed" => "重置签名密码：登录密码错误",
            "signup" => "注册账号",
            "create_account" => "创建账号",
            "import_qualifications" => "导入资格库",
            "import_registrations" => "导入存量注册",
            "create_batch" => "生成公示批次",
            "announce_batch" => "发布公告",
            "seed_registration" => "演示数据",
            "cancel_registration" => "注销注册",
            "request_cancellation" => "申请注销",
            "decide_cancellation" => "处理注销申请",
            "release_consent" => "原聘用企业意见",
            "issue_certificate" => "签发电子证书",
            "void_certificate" => "电子证书作废",
            "usage_copy" => "生成使用件",
            "annotation" => "证照加注",
            "bar_applications" => "限制一年内申请",
            "change_pin" => "修改签名密码",
            "pin_failed" => "签名密码错误",
            "create_signing_key" => "签发签名证书",
            "set_signature_image" => "设置签名图片",
            "enterprise_rename" => "企业名称变更",
            "enterprise_rename_done" => "企业更名换证完成",
            "save_profile" => "保存省份配置",
            "unlock_login" => "解除登录暂停",
            "change_password" => "修改登录密码",
            "change_password_failed" => "修改登录密码：当前密码错误",
            "revoke_session" => "退出其他会话",
            "reset_password" => "短信验证码重置密码",
            "approve_enterprise" => "企业审核通过",
            "refuse_enterprise" => "企业审核不予通过",
            "upload_material" => "上传申请材料",
            "sms_notify" => "短信通知设置",
            "objection_lodged" | "lodge_objection" => "收到公示异议",
            "publish_notice" => "发布通知公告",
            "withdraw_notice" => "撤下通知公告",
            "objection_upheld" => "公示异议成立",
            "objection_dismissed" => "公示异议不成立",
            other => match crate::lifecycle::kind_label(other) {
                "其他" => "其他操作",
                label => label,
            },
        }
    }

    /// What the row is about, in words.
    pub fn object_label(&self) -> &'static str {
        match self.object_type.as_str() {
            "application" => "申请",
            "certificate" => "电子证书",
            "registration" => "注册",
            "user" => "账号",
            "batch" => "批次",
            "signing_key" => "签名证书",
            "cancel_request" => "注销申请",
            "enterprise" => "企业",
            "rename_job" => "更名批次",
            "objection" => "公示异议",
            "site_notice" => "通知公告",
            "qualification" => "资格库",
            "settings" => "系统配置",
            "person" => "人员",
            _ => "其他",
        }
    }

    /// A state code in words: an application state or a certificate status.
    pub fn state_label<'a>(&self, code: &'a str) -> &'a str {
        if let Some(s) = erjian_domain::workflow::State::parse(code) {
            return s.label();
        }
        match code {
            "valid" => "有效",
            "suspended" => "暂扣",
            "revoked" => "已撤销",
            "superseded" => "已被替代",
            "cancelled" => "已注销",
            "pending" => "待审核",
            "active" => "已通过",
            "refused" => "不予通过",
            "" => "",
            _ => "—",
        }
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

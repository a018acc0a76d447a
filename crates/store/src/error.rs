//! The store's error type: domain refusals (shown to users, in Chinese) kept apart from
//! infrastructure failures (logged, never shown).

use erjian_domain::workflow::TransitionError;
use erjian_domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(&'static str),
    #[error("您无权查看或办理此事项")]
    Forbidden,
    /// A refusal the user can act on (duplicate, already handled, business rule).
    #[error("{0}")]
    Conflict(String),
    #[error("提交的信息有误，请按提示修改")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("{0}")]
    Locked(String),
    #[error("用户名或密码错误（同一地址连续错误5次将暂停登录15分钟）")]
    BadCredentials,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("internal error: {0}")]
    Other(#[from] anyhow::Error),
}

impl Error {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError::new(field, message)])
    }

    /// A unique-constraint violation becomes this refusal; anything else stays as it was.
    pub fn or_conflict(self, message: &str) -> Self {
        match self {
            Error::Db(e) if crate::db::is_unique_violation(&e) => Error::Conflict(message.to_owned()),
            other => other,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

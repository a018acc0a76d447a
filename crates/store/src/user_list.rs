//! The administrator's account list: one role or all, found by login name, name or document
//! number, in pages of [`PAGE`] by id (keyset), never the whole table (3,000,000 individuals).

use crate::error::Result;
use crate::Store;
use erjian_domain::workflow::Role;

/// Accounts a page.
pub const PAGE: i64 = 50;

/// Which accounts to list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    /// A login name, a name (exact) or a document number.
    pub search: Option<String>,
    /// Only accounts with a greater id (the previous page's last).
    pub after: Option<i64>,
}

/// One account as listed; an individual's login (the index of the document number) is shown as
/// the masked number instead.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub login: String,
    pub role: String,
    pub name: String,
    pub city_code: Option<String>,
    /// When a 动态口令 was enabled (authority and administrator accounts).
    pub totp_enabled_at: Option<String>,
    pub created_at: String,
}

impl UserRow {
    pub fn created_display(&self) -> String {
        crate::db::show_ts(&self.created_at)
    }
}

impl Store {
    /// One page of accounts; each condition is one indexed look-up (role and id, login name,
    /// display name).
    pub async fn list_users(&self, f: &UserFilter) -> Result<Vec<UserRow>> {
        let mut sql = String::from(
            "SELECT u.id, CASE WHEN p.id IS NULL THEN u.username ELSE p.id_masked END AS login, u.role, u.display_name AS name,
                    u.city_code, u.totp_enabled_at, u.created_at
             FROM users u LEFT JOIN persons p ON p.id = u.person_id WHERE u.id > $1",
        );
        let mut binds: Vec<String> = Vec::new();
        if let Some(role) = f.role {
            binds.push(role.code().to_owned());
            sql.push_str(&format!(" AND u.role = ${}", binds.len() + 1));
        }
        if let Some(term) = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let login = self.account_name(term).await?;
            binds.push(login);
            binds.push(term.to_owned());
            sql.push_str(&format!(" AND (u.username = ${} OR u.display_name = ${})", binds.len(), binds.len() + 1));
        }
        sql.push_str(&format!(" ORDER BY u.id LIMIT {PAGE}"));
        let mut q = sqlx::query_as::<_, UserRow>(&sql).bind(f.after.unwrap_or(0));
        for b in &binds {
            q = q.bind(b);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }
}

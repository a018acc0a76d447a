//! erjian's storage and use cases: every state change is one transaction here, with its audit row.
//!
//! [`Store`] wraps a SQLite or PostgreSQL pool behind one SQL dialect ([`db`]). The modules add
//! the use cases on top of the pure rules in `erjian-domain`: accounts and sessions
//! ([`accounts`]), the qualification register ([`qualifications`]), enterprises and registrations
//! ([`registry`]), applications ([`applications`]), the workflow and its batches ([`workflow`]),
//! the audit log ([`audit`]) and the demo data ([`demo`]). Nothing here knows about HTTP.

pub mod account;
pub mod accounts;
pub mod annotation;
pub mod announce;
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod audit_chain;
pub mod backup;
pub mod cancel_forms;
pub mod cancel_requests;
pub mod certificates;
pub mod changes;
pub mod clearing;
pub mod db;
pub mod demo;
pub mod demo_publicity;
pub mod enterprise_accounts;
pub mod enterprise_import;
pub mod enterprise_review;
pub mod error;
pub mod fastread;
pub mod follow_up;
pub mod holds;
pub mod legacy;
pub mod lifecycle;
pub mod lookup;
pub mod lost_reissue;
pub mod national;
pub mod notices;
pub mod notifications;
pub mod otp;
pub mod public;
pub mod publicity;
pub mod qualifications;
pub mod queues;
pub mod real_name;
pub mod registry;
pub mod rename;
pub mod sealing;
pub mod second_factor;
pub mod settings;
pub mod signing;
pub mod site_notices;
pub mod specialties;
pub mod statistics;
pub mod status_bits;
pub mod synthetic;
pub mod synthetic_batch;
pub mod temp_transfer;
pub mod testing;
pub mod throttle;
pub mod usage_copies;
pub mod user_list;
pub mod workflow;

pub use db::{Backend, Store};
pub use error::{Error, Result};

use erjian_domain::workflow::Role;

/// The signed-in user on whose behalf a use case runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Actor {
    pub user_id: i64,
    /// The stored login name: for staff and enterprises as typed; for individuals the blind
    /// index of the document number ([`sealing::Sealer::person_login`]), which no answer shows.
    #[serde(skip_serializing_if = "is_person_login")]
    pub username: String,
    pub name: String,
    /// individual, enterprise, city_authority, province_authority or admin.
    #[schema(value_type = String)]
    pub role: Role,
    pub person_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub city_code: Option<String>,
    /// The registration (注册编号) this request concerns, as the caller chose it: a holder of
    /// registrations in two professions (上海: 二级注册建造师 and 二级注册建筑师) names the
    /// certificate an action is for; set from the request, never stored with the session.
    #[serde(skip)]
    pub registration: Option<String>,
}

fn is_person_login(name: &str) -> bool {
    name.starts_with(sealing::PERSON_LOGIN)
}

/// Allocates the next value of a named counter inside the caller's transaction. On PostgreSQL
/// the upsert takes a row lock, so concurrent transactions (from any process) get distinct,
/// gap-free values; on SQLite writers are serialised anyway.
pub(crate) async fn next_serial(conn: &mut sqlx::AnyConnection, scope: &str) -> Result<i64, sqlx::Error> {
    let (v,): (i64,) = sqlx::query_as(
        "INSERT INTO serials (scope, value) VALUES ($1, 1) ON CONFLICT (scope) DO UPDATE SET value = serials.value + 1 RETURNING value",
    )
    .bind(scope)
    .fetch_one(conn)
    .await?;
    Ok(v)
}

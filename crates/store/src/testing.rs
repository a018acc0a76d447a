//! Fresh databases for tests: a new SQLite file in a temporary directory, or a new PostgreSQL
//! database on the local server (`ERJIAN_TEST_PG`, default `postgres://127.0.0.1:5432/test`).

use rand::Rng;
use sqlx::{Connection, Executor};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestDb {
    Sqlite,
    Postgres,
}

pub fn pg_admin_url() -> String {
    std::env::var("ERJIAN_TEST_PG").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into())
}

/// Creates an empty database and returns its URL. SQLite files live under the system temp dir.
pub async fn fresh_database(kind: TestDb) -> anyhow::Result<String> {
    let tag: u64 = rand::thread_rng().gen();
    match kind {
        TestDb::Sqlite => {
            let dir = std::env::temp_dir().join(format!("erjian-test-{tag:016x}"));
            std::fs::create_dir_all(&dir)?;
            Ok(format!("sqlite://{}", dir.join("erjian.db").display()))
        }
        TestDb::Postgres => {
            let admin = pg_admin_url();
            let mut conn = sqlx::PgConnection::connect(&admin).await?;
            let name = format!("erjian_test_{tag:016x}");
            conn.execute(format!("CREATE DATABASE {name}").as_str()).await?;
            let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin);
            Ok(format!("{base}/{name}"))
        }
    }
}

/// Drops a database made by [`fresh_database`] (best effort; SQLite files are left in temp).
pub async fn drop_database(url: &str) {
    if let Some(name) = url.strip_prefix("postgres").and_then(|_| url.rsplit('/').next()) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&pg_admin_url()).await {
            let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
        }
    }
}

//! A write transaction and a write outside it at the same moment, on SQLite and PostgreSQL:
//! the transaction reads, another connection commits a single statement (a new session, as a
//! login does while the background sweeper runs), then the transaction writes and commits.
//! On SQLite a transaction begun deferred took its snapshot at the first read and could not
//! write after another connection's commit (`SQLITE_BUSY`, answered as 系统繁忙 — a CI run
//! failed this way on an enterprise rename); the writer now takes the lock at `BEGIN`.

use std::time::Duration;

use chrono::Utc;
use erjian_store::testing::{fresh_database, TestDb};
use erjian_store::Store;

async fn a_write_beside_a_transaction(kind: TestDb) {
    let url = fresh_database(kind).await.unwrap();
    let store = Store::connect(&url).await.unwrap();
    let (eid,): (i64,) = sqlx::query_as(
        "INSERT INTO enterprises (name, credit_code, city_code, legal_rep, status, contact_name, contact_mobile, created_at)
         VALUES ('安徽建工集团股份有限公司', '91340100MA2T50123X', '340100', '周建国', 'active', '王芳', '13955100001', '2026-01-01T00:00:00Z') RETURNING id",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let (uid,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, password_hash, role, display_name, failed_logins, created_at)
         VALUES ('admin', 'x', 'admin', '管理员', 0, '2026-01-01T00:00:00Z') RETURNING id",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();

    let mut tx = store.write().await.unwrap();
    let (name,): (String,) = sqlx::query_as("SELECT name FROM enterprises WHERE id = $1").bind(eid).fetch_one(tx.conn()).await.unwrap();
    // Another connection writes meanwhile (not through the gate, as a login does).
    let other = store.clone();
    let login = tokio::spawn(async move { other.create_session(uid, Utc::now()).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    sqlx::query("UPDATE enterprises SET name = $2 WHERE id = $1")
        .bind(eid)
        .bind(format!("{name}（更名）"))
        .execute(tx.conn())
        .await
        .expect("the transaction writes after another connection's commit");
    tx.commit().await.unwrap();
    login.await.unwrap().expect("the login's write goes in too");
    let (after,): (String,) = sqlx::query_as("SELECT name FROM enterprises WHERE id = $1").bind(eid).fetch_one(store.pool()).await.unwrap();
    assert_eq!(after, "安徽建工集团股份有限公司（更名）");
    let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions").fetch_one(store.pool()).await.unwrap();
    assert_eq!(sessions, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_beside_a_transaction_sqlite() {
    a_write_beside_a_transaction(TestDb::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_beside_a_transaction_postgres() {
    a_write_beside_a_transaction(TestDb::Postgres).await;
}

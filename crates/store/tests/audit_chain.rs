//! The audit log as a hash chain, on SQLite and PostgreSQL: whole after ordinary work (also with
//! two processes writing at once), and every edited, inserted or deleted row is named.

use chrono::{DateTime, Utc};
use erjian_domain::province::preset;
use erjian_store::testing::{drop_database, fresh_database, TestDb};
use erjian_store::Store;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T02:00:00Z").unwrap().with_timezone(&Utc)
}

async fn chain(kind: TestDb) {
    let url = fresh_database(kind).await.unwrap();
    let store = Store::connect(&url).await.unwrap();
    let issuer = store.issuer(preset("皖").unwrap(), b"chain master key", "https://erjian.example".into(), t0()).await.unwrap();
    store.seed_demo(&issuer, t0()).await.unwrap();
    // Two "processes" (pools) writing audit rows at once: logins, good and bad.
    let other = Store::connect(&url).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..24 {
        let s = if i % 2 == 0 { store.clone() } else { other.clone() };
        tasks.push(tokio::spawn(async move {
            let pw = if i % 3 == 0 { "wrong-pass-1" } else { "Shenhe2026" };
            let _ = s.login_from(if i % 4 < 2 { "city1" } else { "province" }, pw, &format!("10.0.0.{i}"), t0()).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let report = store.verify_audit().await.unwrap();
    assert!(report.whole(), "{:?}", report.problems);
    assert!(report.rows > 30, "{}", report.rows);

    // Editing one row's content is found and the row is named.
    let (id,): (i64,) =
        sqlx::query_as("SELECT id FROM audit_log WHERE action = 'login' ORDER BY id LIMIT 1").fetch_one(store.pool()).await.unwrap();
    sqlx::query("UPDATE audit_log SET actor_name = '别人' WHERE id = $1").bind(id).execute(store.pool()).await.unwrap();
    let report = store.verify_audit().await.unwrap();
    assert!(!report.whole());
    assert!(report.problems.iter().any(|p| p.contains(&format!("第 {id} 号记录"))), "{:?}", report.problems);
    sqlx::query("UPDATE audit_log SET actor_name = (SELECT display_name FROM users WHERE username = 'city1') WHERE id = $1 AND actor_role = 'city_authority'")
        .bind(id)
        .execute(store.pool())
        .await
        .unwrap();

    // Deleting a row in the middle names the missing sequence number.
    let (mid_id, mid_seq): (i64, i64) =
        sqlx::query_as("SELECT id, seq FROM audit_log WHERE seq = 10").fetch_one(store.pool()).await.unwrap();
    sqlx::query("DELETE FROM audit_log WHERE id = $1").bind(mid_id).execute(store.pool()).await.unwrap();
    let report = store.verify_audit().await.unwrap();
    assert!(report.problems.iter().any(|p| p.contains(&format!("序号 {mid_seq}–{mid_seq}"))), "{:?}", report.problems);

    // A row inserted by hand is not in the chain.
    sqlx::query("INSERT INTO audit_log (at, actor_name, actor_role, action, object_type) VALUES ('2026-11-25T03:00:00Z', '伪造', 'admin', 'login', 'user')")
        .execute(store.pool())
        .await
        .unwrap();
    let report = store.verify_audit().await.unwrap();
    assert!(report.problems.iter().any(|p| p.contains("被直接插入")), "{:?}", report.problems);

    // Removing the newest rows is found from the chain's head.
    let (last,): (i64,) = sqlx::query_as("SELECT MAX(seq) FROM audit_log").fetch_one(store.pool()).await.unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq >= $1").bind(last - 1).execute(store.pool()).await.unwrap();
    let report = store.verify_audit().await.unwrap();
    assert!(report.problems.iter().any(|p| p.contains("链尾")), "{:?}", report.problems);
    other.close().await;
    store.close().await;
    drop_database(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn chain_on_sqlite() {
    chain(TestDb::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn chain_on_postgres() {
    chain(TestDb::Postgres).await
}

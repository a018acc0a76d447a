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

    // A signed checkpoint; then the whole chain rewritten after editing one row (every hash
    // recomputed, the head too) no longer matches it.
    assert!(store.checkpoint_audit(&issuer.audit_key, t0()).await.unwrap().is_some());
    assert!(store.verify_audit().await.unwrap().whole());
    rewrite_with_edit(&store).await;
    let report = store.verify_audit().await.unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(report.problems[0].contains("检查点"), "{:?}", report.problems);
    let (seq,): (i64,) = sqlx::query_as("SELECT MAX(seq) FROM audit_checkpoints").fetch_one(store.pool()).await.unwrap();
    sqlx::query("UPDATE audit_checkpoints SET hash = (SELECT hash FROM audit_log WHERE seq = $1) WHERE seq = $1")
        .bind(seq)
        .execute(store.pool())
        .await
        .unwrap();
    let report = store.verify_audit().await.unwrap();
    assert!(
        report.problems.iter().any(|p| p.contains("签名无效")),
        "a checkpoint cannot be re-made without the key: {:?}",
        report.problems
    );
    sqlx::query("DELETE FROM audit_checkpoints").execute(store.pool()).await.unwrap();

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

/// What an attacker with database access but no keys can do: edit a row and recompute every hash.
async fn rewrite_with_edit(store: &Store) {
    type Row = (
        i64,
        i64,
        String,
        Option<i64>,
        String,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    sqlx::query("UPDATE audit_log SET detail = '被改写' WHERE seq = 3").execute(store.pool()).await.unwrap();
    let rows: Vec<Row> = sqlx::query_as("SELECT id, seq, at, actor_id, actor_name, actor_role, action, object_type, object_id, from_state, to_state, reason, detail FROM audit_log ORDER BY seq")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let mut prev = "0".repeat(64);
    for r in &rows {
        let c = erjian_store::audit_chain::Content {
            at: &r.2,
            actor_id: r.3,
            actor_name: &r.4,
            actor_role: &r.5,
            action: &r.6,
            object_type: &r.7,
            object_id: r.8,
            from_state: r.9.as_deref(),
            to_state: r.10.as_deref(),
            reason: r.11.as_deref(),
            detail: r.12.as_deref(),
        };
        prev = erjian_store::audit_chain::row_hash(&prev, r.1, &c);
        sqlx::query("UPDATE audit_log SET hash = $2 WHERE id = $1").bind(r.0).bind(&prev).execute(store.pool()).await.unwrap();
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(store.pool()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn chain_on_sqlite() {
    chain(TestDb::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn chain_on_postgres() {
    chain(TestDb::Postgres).await
}

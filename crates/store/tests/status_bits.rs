//! The bitstring list's chunks, on SQLite and PostgreSQL: the bits written change by change
//! equal the bits rebuilt from every row; a database from before the list (no chunks) gets them
//! once at start, and only once.

use erjian_store::testing::{fresh_database, TestDb};
use erjian_store::Store;

const MASTER: &[u8] = b"status bits test master key, 32+ bytes";

async fn incremental_equals_rebuilt(kind: TestDb) {
    let url = fresh_database(kind).await.unwrap();
    let store = Store::connect(&url).await.unwrap().with_master_key(MASTER).await.unwrap();
    let profile = *erjian_domain::province::preset("皖").unwrap();
    let issuer = store.issuer(&profile, MASTER, "https://erjian.example".into(), chrono::Utc::now()).await.unwrap();
    let accounts = store.seed_demo(&issuer, chrono::Utc::now()).await.unwrap();
    let zhao = accounts.iter().find(|a| a.note.starts_with("赵磊")).unwrap();
    let zhao = store.login(&zhao.username, zhao.password, chrono::Utc::now()).await.unwrap();
    store.reissue_certificate(&zhao, "remake", None, &issuer, chrono::Utc::now()).await.unwrap();
    let (_, length, incremental) = store.status_bitstring().await.unwrap();
    assert!(length >= 2);
    assert_ne!(incremental.iter().copied().max(), Some(0), "the superseded certificate has its bits");

    // As a database from before the list: no chunks, no marker.
    sqlx::query("DELETE FROM status_chunks").execute(store.pool()).await.unwrap();
    sqlx::query("DELETE FROM serials WHERE scope = 'status-bits-built'").execute(store.pool()).await.unwrap();
    assert!(store.ensure_status_bits().await.unwrap(), "filled once");
    assert!(!store.ensure_status_bits().await.unwrap(), "and not again");
    let (_, length2, rebuilt) = store.status_bitstring().await.unwrap();
    assert_eq!((length2, rebuilt), (length, incremental));
    store.close().await;
}

#[tokio::test]
async fn incremental_equals_rebuilt_sqlite() {
    incremental_equals_rebuilt(TestDb::Sqlite).await;
}

#[tokio::test]
async fn incremental_equals_rebuilt_postgres() {
    incremental_equals_rebuilt(TestDb::Postgres).await;
}

//! Announcing a publicity batch one application per transaction, on SQLite and PostgreSQL: an
//! announcement stopped half-way (as a killed process stops) leaves each application either
//! wholly announced — registration, certificate, 决定书 — or still in publicity with none of them;
//! while its announcer's lease is fresh nobody else starts on the batch, and once it has lapsed
//! the next announcer finishes the rest with numbers that continue without collisions.

use chrono::{Duration, TimeZone, Utc};
use erjian_store::testing::{fresh_database, TestDb};
use erjian_store::{Error, Store};

const MASTER: &[u8] = b"announce batch test master key";

async fn counts(store: &Store, batch: i64) -> (i64, i64, i64, i64) {
    let one = |sql: &'static str| async move {
        let (n,): (i64,) = sqlx::query_as(sql).bind(batch).fetch_one(store.pool()).await.unwrap();
        n
    };
    (
        one("SELECT COUNT(*) FROM applications WHERE publicity_batch_id = $1 AND state = 'announced'").await,
        one("SELECT COUNT(*) FROM applications WHERE publicity_batch_id = $1 AND state = 'publicity'").await,
        one("SELECT COUNT(*) FROM certificates c JOIN applications a ON a.id = c.application_id WHERE a.publicity_batch_id = $1").await,
        one("SELECT COUNT(*) FROM registrations r JOIN persons p ON p.id = r.person_id JOIN applications a ON a.person_id = p.id WHERE a.publicity_batch_id = $1").await,
    )
}

async fn stopped_and_finished(kind: TestDb) {
    let url = fresh_database(kind).await.unwrap();
    let store = Store::connect(&url).await.unwrap().with_master_key(MASTER).await.unwrap();
    let profile = *erjian_domain::province::preset("皖").unwrap();
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
    let issuer = store.issuer(&profile, MASTER, "https://erjian.example".into(), now).await.unwrap();
    store.seed_demo(&issuer, now).await.unwrap();
    let batch = store.seed_publicity_batch(&profile, 7, now).await.unwrap();
    let province = store.login("province", erjian_store::demo::AUTHORITY_PASSWORD, now).await.unwrap();

    // Stopped after three: three wholly announced, four untouched.
    let first = store.announce_up_to(&province, batch, &issuer, now, 3).await.unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(counts(&store, batch).await, (3, 4, 3, 3), "(announced, in publicity, certificates, registrations)");
    let (notices,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notices").fetch_one(store.pool()).await.unwrap();
    assert_eq!(notices, 3, "one 决定书 per announced application");

    // The stopped announcer's lease is fresh: nobody else starts on the batch.
    let busy = store.announce(&province, batch, &issuer, now + Duration::seconds(30)).await;
    assert!(matches!(&busy, Err(Error::Conflict(m)) if m.contains("正在公告")), "{busy:?}");
    assert_eq!(counts(&store, batch).await.0, 3);

    // Once it has lapsed, the next announcer finishes the rest.
    let rest = store.announce(&province, batch, &issuer, now + Duration::minutes(3)).await.unwrap();
    assert_eq!(rest.len(), 4);
    assert_eq!(counts(&store, batch).await, (7, 0, 7, 7));
    let mut numbers: Vec<String> = first.iter().chain(&rest).map(|a| a.registration_number.clone()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 7, "distinct registration numbers: {numbers:?}");

    // Nothing is left: a further click is told so.
    let again = store.announce(&province, batch, &issuer, now + Duration::minutes(10)).await;
    assert!(matches!(&again, Err(Error::Conflict(m)) if m.contains("已经公告")), "{again:?}");
    let (logged,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'announce_batch' AND object_id = $1")
        .bind(batch)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(logged, 1, "the finished run is recorded once");
}

#[tokio::test]
async fn stopped_and_finished_sqlite() {
    stopped_and_finished(TestDb::Sqlite).await;
}

#[tokio::test]
async fn stopped_and_finished_postgres() {
    stopped_and_finished(TestDb::Postgres).await;
}

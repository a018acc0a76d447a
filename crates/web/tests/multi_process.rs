//! Two erjian processes on one PostgreSQL database (issue 17): each caches public answers, and a
//! change made through one is seen by the other at once — the writer's `NOTIFY` at commit moves
//! the other's public epoch. Shown first: the second process does serve from its cache (a change
//! made behind both processes' backs, with no notification, is not seen).

use crate::common;
use common::*;
use erjian_store::testing::{fresh_database, TestDb};
use erjian_web::clock::Clock;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_process_reaches_the_others_cache() {
    let db = fresh_database(TestDb::Postgres).await.unwrap();
    let a = spawn_on(&db, Clock::manual(t0()), true).await;
    let b = spawn_on(&db, Clock::manual(t0()), false).await;
    let zhao = a.login(&a.person_id_number("赵磊"), "Geren2026").await;
    let cert = zhao.get("/api/certificates").await.body["certificates"][0].clone();
    let (licence, regno) = (cert["licence_id"].as_str().unwrap().to_owned(), cert["registration_number"].as_str().unwrap().to_owned());
    let status_at_b = || {
        let (http, url, licence) = (b.http.clone(), b.url.clone(), licence.clone());
        async move {
            let v: Value = http.get(format!("{url}/api/verify/{licence}")).send().await.unwrap().json().await.unwrap();
            v["status"].as_str().unwrap().to_owned()
        }
    };
    // B listens once its notification connection is up.
    for _ in 0..50 {
        if b.server.state.store.public_epoch().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(b.server.state.store.public_epoch().is_some(), "B caches on PostgreSQL while it listens");
    assert_eq!(status_at_b().await, "valid");

    // Behind both processes' backs (no NOTIFY): B still answers from its cache.
    let store = erjian_store::Store::connect(&db).await.unwrap();
    sqlx::query("UPDATE certificates SET status = 'revoked' WHERE licence_id = $1").bind(&licence).execute(store.pool()).await.unwrap();
    assert_eq!(status_at_b().await, "valid", "served from B's cache");
    sqlx::query("UPDATE certificates SET status = 'valid' WHERE licence_id = $1").bind(&licence).execute(store.pool()).await.unwrap();
    store.close().await;

    // Through A: B sees it as soon as the notification arrives.
    let r = a
        .province()
        .await
        .post("/api/certificate-holds", json!({ "registration_number": regno, "action": "suspend", "reason": "皖建罚字〔2026〕12号" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut seen = String::new();
    for _ in 0..40 {
        seen = status_at_b().await;
        if seen == "suspended" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(seen, "suspended", "B dropped its cached answer");
    b.finish().await;
    a.finish().await;
}

//! Announcements racing on two servers that share one PostgreSQL database (how a province
//! outgrows one machine) never hand out the same registration number; on SQLite the same race
//! runs on one server.

use crate::common;

use common::*;
use erjian_store::testing::{fresh_database, TestDb};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashSet;

/// Brings `who` to 复审通过 and returns the application id.
async fn approved(app: &TestApp, who: &str, specialty: &str) -> i64 {
    let person = app.signup(who).await;
    // 刘洋 qualified in 2022, so the form also declares continuing-education hours.
    let form = json!({ "enterprise_name": ENTERPRISE_A, "mobile": "13800138000", "specialties": [specialty], "ce_compulsory": 60, "ce_elective": 60, "declaration": true, "photo_base64": photo_base64(), "submit": true });
    let r = person.post("/api/applications", form).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    person.sign_ok(id).await;
    app.enterprise(ENTERPRISE_A).await.sign_ok(id).await;
    let city = app.city().await;
    city.act_ok(id, "accept", None).await;
    city.act_ok(id, "prelim_approve", None).await;
    app.province().await.act_ok(id, "approve", None).await;
    id
}

async fn race(db: TestDb, second_server: bool) {
    let url = fresh_database(db).await.unwrap();
    let clock = erjian_web::clock::Clock::manual(t0());
    let one = spawn_on(&url, clock.clone(), true).await;
    let two = if second_server { Some(spawn_on(&url, clock.clone(), false).await) } else { None };
    let other = two.as_ref().unwrap_or(&one);

    // Three people, three publicity batches: two announced at once, then a third twice at once.
    let mut batches = Vec::new();
    for (who, spec) in [("张伟", "10401001"), ("刘洋", "10401002"), ("陈静", "10401007")] {
        let id = approved(&one, who, spec).await;
        let b = one.province().await.post("/api/batches", json!({ "application_ids": [id] })).await;
        assert_eq!(b.status, StatusCode::CREATED);
        batches.push(b.body["id"].as_i64().unwrap());
    }
    clock.advance(chrono::Duration::days(6));
    let (p1, p2) = (one.province().await, other.province().await);
    let path = |i: usize| format!("/api/batches/{}/announce", batches[i]);
    let (path0, path1, path2) = (path(0), path(1), path(2));
    let (a, b) = tokio::join!(p1.post(&path0, json!({})), p2.post(&path1, json!({})));
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK), "{:?} {:?}", a.body, b.body);
    let (c, d) = tokio::join!(p1.post(&path2, json!({})), p2.post(&path2, json!({})));
    let oks: Vec<_> = [&c, &d].into_iter().filter(|r| r.status == StatusCode::OK).collect();
    assert_eq!(oks.len(), 1, "the same batch is announced once: {:?} {:?}", c.body, d.body);

    let numbers: Vec<String> =
        [&a, &b, oks[0]].iter().map(|r| r.body["announced"][0]["registration_number"].as_str().unwrap().to_owned()).collect();
    let unique: HashSet<_> = numbers.iter().collect();
    assert_eq!(unique.len(), 3, "distinct numbers: {numbers:?}");
    let mut serials: Vec<u32> = numbers.iter().map(|n| n[n.len() - 5..].parse().unwrap()).collect();
    serials.sort();
    assert_eq!(serials, vec![1, 2, 3], "gap-free serials: {numbers:?}");
    if let Some(two) = two {
        two.server.stop().await;
    }
    one.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn announcements_on_two_servers_sharing_postgres_never_collide() {
    race(TestDb::Postgres, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_announcements_on_sqlite_never_collide() {
    race(TestDb::Sqlite, false).await;
}

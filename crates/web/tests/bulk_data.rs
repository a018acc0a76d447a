//! A register loaded in bulk (`erjian demo --synthetic`, as the load tests use): certificates
//! written without their printed data. Found by the PostgreSQL load test: verifying a superseded
//! one answered 500 (“missing field profession”); its page shows the live record instead. Its
//! bitstring list entries are filled after loading. And a file that lost its signature list on
//! the way (issue 18): one clear verdict from the public file check.

use crate::common;
use common::*;
use erjian_cert::statement::BitStatus;
use erjian_store::testing::{fresh_database, TestDb};
use erjian_web::clock::Clock;
use reqwest::StatusCode;
use serde_json::Value;

async fn bulk_loaded_certificates_verify(kind: TestDb) {
    let db = fresh_database(kind).await.unwrap();
    let store = erjian_store::Store::connect(&db).await.unwrap().with_master_key(MASTER_KEY).await.unwrap();
    let profile = *erjian_domain::province::preset("皖").unwrap();
    store.seed_synthetic(&profile, 300, 60, t0(), |_| {}).await.unwrap();
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT licence_id, status, status_index FROM certificates ORDER BY id").fetch_all(store.pool()).await.unwrap();
    let (bits_version, _, bits) = store.status_bitstring().await.unwrap();
    assert!(bits_version > 0);
    store.close().await;
    for (_, status, index) in &rows {
        let want = BitStatus::of(status);
        assert_eq!(erjian_cert::statement::entry(&bits, *index as usize), Some(want), "{status} at {index}");
    }
    let app = spawn_on(&db, Clock::manual(t0()), false).await;
    for wanted in ["superseded", "cancelled", "valid"] {
        let (licence, _, _) = rows.iter().find(|(_, s, _)| s == wanted).unwrap_or_else(|| panic!("a {wanted} certificate"));
        let r = app.http.get(format!("{}/api/verify/{licence}", app.url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{wanted}");
        let v: Value = r.json().await.unwrap();
        // A stored-valid one may have run past its dates (已过期, read live).
        let live = v["status"].as_str().unwrap();
        assert!(live == wanted || (wanted == "valid" && live == "expired"), "{v}");
        let page = app.http.get(format!("{}/verify/{licence}", app.url)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{wanted}");
    }
    app.finish().await;
}
on_both_databases!(bulk_loaded_certificates_verify);

/// The public file check of a certificate whose signature list was taken out of the package:
/// one verdict, 可能伪造, saying the list is missing (not “no seal”, not an error).
async fn a_file_without_its_signature_list(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let id = zhao.get("/api/certificates").await.body["certificates"][0]["id"].as_i64().unwrap();
    let file = zhao.http.get(format!("{}/api/certificates/{id}/download", app.url)).bearer_auth(&zhao.token).send().await.unwrap();
    let mut pkg = erjian_ofd::Package::from_bytes(&file.bytes().await.unwrap()).unwrap();
    let list = erjian_ofd::seal::signatures_path(&pkg).unwrap().unwrap();
    assert!(pkg.remove(&list));
    let r = app.http.post(format!("{}/api/public/check", app.url)).body(pkg.to_bytes()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["verdict"]["headline"], "可能伪造", "{v}");
    assert!(v["verdict"]["why"].as_str().unwrap().contains("签章列表缺失"), "{v}");
    app.finish().await;
}
on_both_databases!(a_file_without_its_signature_list);

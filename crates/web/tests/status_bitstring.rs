//! The bitstring status list (issue 17): each certificate has a fixed index, signed into its QR
//! statement; `GET /api/public/status-list/bitstring` carries two bits per index, gzip-compressed
//! and SM2-signed; a suspension, a remake and a restore each move exactly the bits concerned and
//! the version; `If-None-Match` with the current version's `ETag` answers 304.

use crate::common;
use common::*;
use erjian_cert::statement::{public_key_of, verify_bitstring_list, BitStatus, BitstringList, QrStatement};
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn list(app: &TestApp, etag: Option<&str>) -> (StatusCode, Option<String>, Option<BitstringList>) {
    let mut req = app.http.get(format!("{}/api/public/status-list/bitstring", app.url));
    if let Some(e) = etag {
        req = req.header("If-None-Match", e);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let tag = r.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
    if status != StatusCode::OK {
        return (status, tag, None);
    }
    let v: Value = r.json().await.unwrap();
    let keys: Value = app.http.get(format!("{}/api/public/keys", app.url)).send().await.unwrap().json().await.unwrap();
    let public = public_key_of(keys["status_list"].as_str().unwrap().as_bytes()).unwrap();
    let decoded = verify_bitstring_list(v["list"].as_str().unwrap(), v["signature"].as_str().unwrap(), &public).expect("signed");
    (status, tag, Some(decoded))
}

/// The index stored with a certificate (its QR statement's is checked at the end).
async fn index_of(app: &TestApp, licence: &str) -> i64 {
    let store = erjian_store::Store::connect(&app.database_url).await.unwrap();
    let (index,): (i64,) =
        sqlx::query_as("SELECT status_index FROM certificates WHERE licence_id = $1").bind(licence).fetch_one(store.pool()).await.unwrap();
    store.close().await;
    index
}

async fn bits_follow_every_status_change(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let first = zhao.get("/api/certificates").await.body["certificates"][0].clone();
    let licence = first["licence_id"].as_str().unwrap().to_owned();
    let index = index_of(&app, &licence).await;
    let (status, etag, l) = list(&app, None).await;
    assert_eq!(status, StatusCode::OK);
    let l = l.unwrap();
    assert_eq!(l.status(index), Some(BitStatus::Valid));
    assert!(l.length as i64 > index);
    let etag = etag.unwrap();
    assert_eq!(list(&app, Some(&etag)).await.0, StatusCode::NOT_MODIFIED, "unchanged: 304");

    // Suspended: its bits say so, the version moved.
    let regno = zhao.get("/api/registrations").await.body["registrations"][0]["registration_number"].as_str().unwrap().to_owned();
    let province = app.province().await;
    let hold = |action: &str, reason: &str| json!({ "registration_number": regno, "action": action, "reason": reason });
    let r = province.post("/api/certificate-holds", hold("suspend", "皖建罚字〔2026〕12号")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let (status, etag2, l) = list(&app, Some(&etag)).await;
    assert_eq!(status, StatusCode::OK, "a new version for the old ETag");
    assert_ne!(etag2.unwrap(), etag);
    let l = l.unwrap();
    assert!(l.version > 0);
    assert_eq!(l.status(index), Some(BitStatus::Suspended));
    let r = province.post("/api/certificate-holds", hold("restore", "处罚期满")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(list(&app, None).await.2.unwrap().status(index), Some(BitStatus::Valid));

    // A remake: the old index ends, the new certificate has the next index, valid.
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let r = zhao.post("/api/certificates/reissue", json!({ "kind": "remake" })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let new = r.body["licence_id"].as_str().unwrap().to_owned();
    let new_index = index_of(&app, &new).await;
    assert!(new_index > index);
    let l = list(&app, None).await.2.unwrap();
    assert_eq!((l.status(index), l.status(new_index)), (Some(BitStatus::Ended), Some(BitStatus::Valid)));
    // The new certificate's QR statement carries its index.
    let keys: Value = app.http.get(format!("{}/api/public/keys", app.url)).send().await.unwrap().json().await.unwrap();
    let qr_public = public_key_of(keys["qr_statement"].as_str().unwrap().as_bytes()).unwrap();
    let file = zhao
        .http
        .get(format!("{}/api/certificates/{}/download", app.url, certificates_id(&zhao, &new).await))
        .bearer_auth(&zhao.token)
        .send()
        .await
        .unwrap();
    let pkg = erjian_ofd::Package::from_bytes(&file.bytes().await.unwrap()).unwrap();
    let info = erjian_ofd::reader::read(&pkg).unwrap();
    let url = info.metadata.custom.iter().find(|(k, _)| k == "核验地址").unwrap().1.clone();
    let st = QrStatement::verify(&url, &qr_public).unwrap();
    assert_eq!(st.status_index, Some(new_index));
    app.finish().await;
}
on_both_databases!(bits_follow_every_status_change);

async fn certificates_id(api: &Api, licence: &str) -> i64 {
    let certs = api.get("/api/certificates").await.body["certificates"].as_array().cloned().unwrap();
    certs.iter().find(|c| c["licence_id"] == licence).unwrap()["id"].as_i64().unwrap()
}

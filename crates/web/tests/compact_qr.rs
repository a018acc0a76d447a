//! The certificate's QR code carries a compact statement (issue 18, the certificate face): the
//! address `HTTP://HOST/V/{base32}` is all in QR's alphanumeric set, the page it opens checks the
//! signature first and then shows the certificate its status-list index names; a changed
//! character is refused, and a genuine statement shown beside another certificate is "不符".

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::Value;

async fn qr_address(api: &Api, app: &TestApp, id: i64) -> String {
    let file = api.http.get(format!("{}/api/certificates/{id}/download", app.url)).bearer_auth(&api.token).send().await.unwrap();
    let pkg = erjian_ofd::Package::from_bytes(&file.bytes().await.unwrap()).unwrap();
    let info = erjian_ofd::reader::read(&pkg).unwrap();
    info.metadata.custom.iter().find(|(k, _)| k == "核验地址").unwrap().1.clone()
}

async fn compact_qr_opens_the_certificate(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let certs = zhao.get("/api/certificates").await.body["certificates"].as_array().cloned().unwrap();
    let cert = certs.iter().find(|c| c["status"] == "valid").expect("a valid certificate");
    let (id, licence) = (cert["id"].as_i64().unwrap(), cert["licence_id"].as_str().unwrap().to_owned());
    let url = qr_address(&zhao, &app, id).await;
    let tail = url.split_once("://").unwrap().1;
    assert!(url.starts_with("HTTP://") && tail.contains("/V/"), "{url}");
    assert!(url.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b" $%*+-./:".contains(&b)), "{url}");
    assert!(url.len() < 220, "{} characters: {url}", url.len());

    // Scanned: the page names the certificate and says the code is genuine.
    let r = app.http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains(&licence) && page.contains("二维码签名有效"), "{page}");

    // One character changed anywhere in the payload: refused, nothing about any certificate.
    let payload = url.rsplit_once("/V/").unwrap().1.to_owned();
    for i in [0, payload.len() / 2, payload.len() - 1] {
        let mut b = payload.clone().into_bytes();
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        let r = app.http.get(format!("{}/V/{}", app.url, String::from_utf8(b).unwrap())).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "changed at {i}");
        let page = r.text().await.unwrap();
        assert!(page.contains("二维码核验未通过") && !page.contains(&licence), "{page}");
    }
    let r = app.http.get(format!("{}/V/{}", app.url, "A".repeat(2000))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The JSON check takes the compact payload as `s` too, and refuses it for another certificate.
    let v: Value = app.http.get(format!("{}/api/verify/{licence}?s={payload}", app.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["statement"]["valid"], true, "{v}");
    assert!(v["statement"]["statement"]["status_index"].as_i64().is_some(), "{v}");
    // A remake: the new certificate's statement is genuine but names the new one, not the old.
    let r = zhao.post("/api/certificates/reissue", serde_json::json!({ "kind": "remake" })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let new = r.body["licence_id"].as_str().unwrap().to_owned();
    let certs = zhao.get("/api/certificates").await.body["certificates"].as_array().cloned().unwrap();
    let new_id = certs.iter().find(|c| c["licence_id"] == new).unwrap()["id"].as_i64().unwrap();
    let new_url = qr_address(&zhao, &app, new_id).await;
    let new_payload = new_url.rsplit_once("/V/").unwrap().1.to_owned();
    let page = app.http.get(&new_url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&new), "the new code opens the new certificate");
    let v: Value = app.http.get(format!("{}/api/verify/{licence}?s={new_payload}", app.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["statement"]["valid"], false, "{v}");
    assert_eq!(v["statement"]["message"], "二维码签名与本证书不符");
    app.finish().await;
}
on_both_databases!(compact_qr_opens_the_certificate);

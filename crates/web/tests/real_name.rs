//! Real-name (face) checks where the province's manual asks for them, on both databases, with the
//! labelled demo provider: 甘肃 before a signing key is issued, 重庆 before every filing (each
//! filing uses one check up), 安徽 never. A demo verdict says it compared no face.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

async fn face(api: &Api) -> Reply {
    api.post("/api/account/real-name", json!({ "face_base64": photo_base64() })).await
}

/// 甘肃 (gansu-registration-system-manual.txt, 3.5 申请证书): “申请证书前用户需人脸识别。”
async fn gansu_checks_the_face_before_a_signing_key(kind: TestDb) {
    let app = spawn_in(kind, "甘").await;
    let zhang = app.signup("张伟").await;
    let r = zhang.post("/api/signing/pin", json!({ "pin": PIN })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.error().contains("人脸识别"), "{}", r.error());
    assert!(zhang.get("/api/signing").await.body["key"].is_null(), "no key issued");
    // Not a picture: refused beside the field, nothing recorded.
    let bad = zhang.post("/api/account/real-name", json!({ "face_base64": "aGVsbG8=" })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["fields"][0]["field"], "face");
    let ok = face(&zhang).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(ok.body["passed"], true);
    assert_eq!(ok.body["demo"], true, "the demo provider says it is one");
    assert_eq!(zhang.post("/api/signing/pin", json!({ "pin": PIN })).await.status, StatusCode::CREATED);
    // Only a person has a face to check.
    assert_eq!(
        app.city().await.post("/api/account/real-name", json!({ "face_base64": photo_base64() })).await.status,
        StatusCode::FORBIDDEN
    );
    app.finish().await;
}
on_both_databases!(gansu_checks_the_face_before_a_signing_key);

/// 重庆 (chongqing-e-certificate-rules-and-process.txt): “个人在“渝快办”注册账号并完成实名认证，
/// 每次申报相关业务前，须进行人脸识别。”
async fn chongqing_checks_the_face_before_every_filing(kind: TestDb) {
    let app = spawn_in(kind, "渝").await;
    let zhang = app.signup("张伟").await;
    zhang.ensure_pin(PIN).await;
    let enterprise = "重庆建工集团股份有限公司";
    let first = zhang.apply(enterprise, &["10401001"], true).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let id = first.body["application"]["id"].as_i64().unwrap();
    let r = zhang.sign(id, PIN).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.error().contains("每次申报"), "{}", r.error());
    // A check of more than 30 minutes ago does not count.
    assert_eq!(face(&zhang).await.status, StatusCode::OK);
    app.advance_minutes(31);
    assert_eq!(zhang.sign(id, PIN).await.status, StatusCode::CONFLICT);
    assert_eq!(face(&zhang).await.status, StatusCode::OK);
    // A wrong PIN files nothing and uses no check up.
    assert_ne!(zhang.sign(id, "Wrong-2026!").await.status, StatusCode::OK);
    let r = zhang.sign(id, PIN).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // The check is shown as used by that filing, and labelled as a demo's.
    let page = app.page_login(&app.person_id_number("张伟"), "Geren2026").await;
    let html = page.get(format!("{}/account/real-name", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("已用于申报") && html.contains("演示") && html.contains("不比对人脸"), "{html}");
    app.finish().await;
}
on_both_databases!(chongqing_checks_the_face_before_every_filing);

/// 安徽 asks for no face check: signing works without one.
async fn anhui_asks_for_none(kind: TestDb) {
    let app = spawn(kind).await;
    let zhang = app.signup("张伟").await;
    assert_eq!(zhang.post("/api/signing/pin", json!({ "pin": PIN })).await.status, StatusCode::CREATED);
    app.finish().await;
}
on_both_databases!(anhui_asks_for_none);

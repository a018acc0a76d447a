//! The holder's cancellation carries a signed 注销注册申请表, as the Gansu manual describes it
//! (5.4.1 个人操作 / 5.4.2 企业操作): “个人数字签署完成后，通知注册企业完成企业数字签名” and “企业数字签名完成
//! 后，完成注销注册（无需窗口受理）…同时系统提供下载已签署完成的注册申请表 pdf 文件”. On both databases:
//! no request without the applicant's signature (a wrong PIN writes nothing), no confirmation
//! without the enterprise's seal, both signatures verify against the deployment root, the form
//! says what is cancelled and why in the manual's words, and only the parties and the
//! authorities download it.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

async fn download(who: &Api, id: i64, format: &str) -> (StatusCode, Vec<u8>) {
    let r = who
        .http
        .get(format!("{}/api/cancellation-requests/{id}/form?format={format}", who.base))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap();
    (r.status(), r.bytes().await.unwrap().to_vec())
}

fn signatures(app: &TestApp, ofd: &[u8]) -> (usize, bool, String) {
    let pkg = erjian_ofd::Package::from_bytes(ofd).unwrap();
    let root = app.server.state.issuer.authority.root();
    let report = erjian_ofd::seal::verify(&pkg, &erjian_ofd::seal::VerifyOptions { now: None, trusted_roots: vec![root] }).unwrap();
    let text = erjian_ofd::reader::read(&pkg).unwrap().pages[0].text();
    (report.signatures.len(), report.all_valid(), text)
}

async fn holder_signs_enterprise_seals(db: TestDb) {
    let app = spawn(db).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let ask = json!({ "specialties": ["10401010"], "reason": "contract_ended", "pin": PIN });
    // Without a signing key, or without the PIN, or with a wrong one: refused, nothing written.
    let r = zhao.post("/api/cancellation-requests", ask.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.error().contains("签名密码"), "{:?}", r.body);
    zhao.ensure_pin(PIN).await;
    let r = zhao.post("/api/cancellation-requests", json!({ "specialties": ["10401010"], "reason": "contract_ended" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = zhao.post("/api/cancellation-requests", json!({ "reason": "contract_ended", "pin": "Wrong-2026" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(zhao.get("/api/cancellation-requests").await.body["requests"].as_array().unwrap().is_empty());

    let r = zhao.post("/api/cancellation-requests", ask).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let listed = zhao.get("/api/cancellation-requests").await.body["requests"][0].clone();
    let number = listed["form_number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("ZX2026"), "{number}");
    let (status, ofd) = download(&zhao, id, "ofd").await;
    assert_eq!(status, StatusCode::OK);
    let (n, valid, text) = signatures(&app, &ofd);
    assert_eq!((n, valid), (1, true), "the applicant's signature");
    assert!(text.contains("注销注册申请表") && text.contains(&number), "{text}");
    assert!(text.contains("注销原因") && text.contains("申请注销专业"), "{text}");
    assert!(text.contains("同意该同志申报注销注册") && text.contains("对申请表内容及申报材料的真实性负责"), "{text}");

    // The enterprise: its PIN is required to confirm; another enterprise sees nothing.
    let other = app.enterprise(ENTERPRISE_B).await;
    assert_eq!(download(&other, id, "ofd").await.0, StatusCode::NOT_FOUND);
    let ent = app.enterprise(ENTERPRISE_A).await;
    ent.ensure_pin(PIN).await;
    let r = ent.post(&format!("/api/cancellation-requests/{id}/confirm"), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = ent.post(&format!("/api/cancellation-requests/{id}/confirm"), json!({ "pin": "Wrong-2026" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(zhao.get("/api/cancellation-requests").await.body["requests"][0]["state"], "pending", "nothing half-done");
    let r = ent.post(&format!("/api/cancellation-requests/{id}/confirm"), json!({ "pin": PIN })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let (status, sealed) = download(&ent, id, "ofd").await;
    assert_eq!(status, StatusCode::OK);
    let (n, valid, _) = signatures(&app, &sealed);
    assert_eq!((n, valid), (2, true), "the signature, then the seal, both verifying");
    // The PDF view, for printing; the province sees the form too; a stranger does not.
    let (status, pdf) = download(&zhao, id, "pdf").await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(download(&app.province().await, id, "ofd").await.0, StatusCode::OK);
    let stranger = app.signup("张伟").await;
    assert_eq!(download(&stranger, id, "ofd").await.0, StatusCode::NOT_FOUND);
    app.finish().await;
}
on_both_databases!(holder_signs_enterprise_seals);

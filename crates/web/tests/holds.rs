//! The authority's sanctions on a certificate, on both databases: suspension makes the QR page,
//! the status list and downloads say so at once; restoring brings it back; revocation ends the
//! registration and cannot be undone by restoring.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn status_of(app: &TestApp, licence: &str) -> String {
    let v: Value = app.http.get(format!("{}/api/verify/{licence}", app.url)).send().await.unwrap().json().await.unwrap();
    v["status"].as_str().unwrap_or_default().to_owned()
}

async fn suspend_restore_and_revoke(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let cert = zhao.get("/api/certificates").await.body["certificates"][0].clone();
    let (licence, id) = (cert["licence_id"].as_str().unwrap().to_owned(), cert["id"].as_i64().unwrap());
    let regno = cert["registration_number"].as_str().unwrap().to_owned();
    let hold = |action: &str, reason: &str| json!({ "registration_number": regno, "action": action, "reason": reason });
    let download = || zhao.http.get(format!("{}/api/certificates/{id}/download", app.url)).bearer_auth(&zhao.token).send();

    let ent = app.enterprise(ENTERPRISE_A).await;
    assert_eq!(ent.post("/api/certificate-holds", hold("suspend", "违规")).await.status, StatusCode::NOT_FOUND, "enterprises cannot");
    let province = app.province().await;
    assert_eq!(province.post("/api/certificate-holds", hold("suspend", " ")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = province.post("/api/certificate-holds", hold("suspend", "皖建罚字〔2026〕12号")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(status_of(&app, &licence).await, "suspended");
    assert_eq!(download().await.unwrap().status(), StatusCode::CONFLICT, "no download while suspended");
    assert_eq!(province.post("/api/certificate-holds", hold("suspend", "再次")).await.status, StatusCode::CONFLICT);

    // Restored from the authority's page (注销注册 → 暂扣 / 恢复 / 撤销证书).
    let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let csrf_of = |html: &str| {
        let i = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
        html[i..i + 64].to_owned()
    };
    let login = c.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let form = [("csrf", csrf_of(&login)), ("username", "province".to_owned()), ("password", "Shenhe2026".to_owned())];
    assert_eq!(c.post(format!("{}/login", app.url)).form(&form).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let page = c.get(format!("{}/cancel", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("暂扣 / 恢复 / 撤销证书"));
    let form =
        [("csrf", csrf_of(&page)), ("registration_number", regno.clone()), ("action", "restore".into()), ("reason", "处罚期满".into())];
    let done = c.post(format!("{}/certificate-holds", app.url)).form(&form).send().await.unwrap().text().await.unwrap();
    assert!(done.contains("已恢复"), "{done}");
    assert_eq!(status_of(&app, &licence).await, "valid");
    assert_eq!(download().await.unwrap().status(), StatusCode::OK);

    assert_eq!(province.post("/api/certificate-holds", hold("revoke", "以欺骗手段取得注册")).await.status, StatusCode::OK);
    assert_eq!(status_of(&app, &licence).await, "revoked");
    let again = province.post("/api/certificate-holds", hold("restore", "误操作")).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a revocation is final: {:?}", again.body);
    let reg = zhao.get("/api/registrations").await.body["registrations"][0].clone();
    assert_eq!(reg["status"], "revoked");
    app.finish().await;
}
on_both_databases!(suspend_restore_and_revoke);

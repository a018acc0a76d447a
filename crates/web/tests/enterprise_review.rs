//! Enterprises are verified before they act, on both databases: a signed-up enterprise waits for
//! the authority of its registered city; until approved it cannot seal, cancel or see anyone;
//! another city neither sees nor decides it; a refusal needs a reason.

use crate::common;
use common::*;
use erjian_domain::ids::CreditCode;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

async fn an_enterprise_waits_for_its_city(kind: TestDb) {
    let app = spawn(kind).await;
    let code = CreditCode::with_check("91340100MA2T9999X").unwrap().as_str().to_owned();
    let body = json!({ "name": "合肥新注册建设有限公司", "credit_code": code, "city_code": "340100", "legal_rep": "王五", "password": "Qiye2027x" });
    let r = app.http.post(format!("{}/api/signup/enterprise", app.url)).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let ent = app.login(&code, "Qiye2027x").await;

    // Pending: nothing that needs an enterprise works.
    assert_eq!(ent.get("/api/registrations").await.status, StatusCode::FORBIDDEN);
    assert_eq!(ent.get("/api/certificates").await.status, StatusCode::FORBIDDEN);
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let regno = zhao.get("/api/certificates").await.body["certificates"][0]["registration_number"].as_str().unwrap().to_owned();
    let cancel = ent.post("/api/cancellations", json!({ "registration_number": regno, "reason": "other" })).await;
    assert!(matches!(cancel.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{:?}", cancel.body);
    let page = app.page_login(&code, "Qiye2027x").await;
    let html = page.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("企业账号待审核") && html.contains("合肥市"), "{html}");

    // The other city neither sees nor decides it; its own city does.
    let city2 = app.login("city2", "Shenhe2026").await;
    assert!(!city2.get("/api/enterprise-reviews").await.body.to_string().contains(&code));
    let city1 = app.city().await;
    let list = city1.get("/api/enterprise-reviews").await.body["enterprises"].as_array().unwrap().clone();
    let id = list.iter().find(|e| e["credit_code"] == code.as_str()).expect("listed for its city")["id"].as_i64().unwrap();
    assert_eq!(city2.post(&format!("/api/enterprise-reviews/{id}"), json!({ "approve": true })).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        city1.post(&format!("/api/enterprise-reviews/{id}"), json!({ "approve": false })).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a refusal needs a reason"
    );
    assert_eq!(
        ent.post("/api/enterprise-reviews/1", json!({ "approve": true })).await.status,
        StatusCode::NOT_FOUND,
        "an enterprise cannot approve itself"
    );
    let r = city1.post(&format!("/api/enterprise-reviews/{id}"), json!({ "approve": true })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "active");

    // Approved: the same session now acts as the enterprise (its own people only: none yet).
    let regs = ent.get("/api/registrations").await;
    assert_eq!(regs.status, StatusCode::OK);
    assert_eq!(regs.body["registrations"].as_array().unwrap().len(), 0);
    assert_eq!(city1.post(&format!("/api/enterprise-reviews/{id}"), json!({ "approve": true })).await.status, StatusCode::CONFLICT);
    app.finish().await;
}
on_both_databases!(an_enterprise_waits_for_its_city);

//! The true legal status in every view, and no certificate while suspended, on both databases.
//!
//! Found by trying erjian as the holder: a suspended holder lifted his own suspension with
//! 重新制证, an enterprise rename did too, and portals showed 有效 after a suspension or a
//! partial cancellation. Each path that makes a certificate is tried here while suspended.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn verify_status(app: &TestApp, licence: &str) -> String {
    let v: Value = app.http.get(format!("{}/api/verify/{licence}", app.url)).send().await.unwrap().json().await.unwrap();
    v["status"].as_str().unwrap_or_default().to_owned()
}

struct Held {
    regno: String,
    licence: String,
}

/// 赵磊's registration, suspended by the province.
async fn suspend_zhao(app: &TestApp, zhao: &Api) -> Held {
    let cert = zhao.get("/api/certificates").await.body["certificates"][0].clone();
    let held =
        Held { regno: cert["registration_number"].as_str().unwrap().to_owned(), licence: cert["licence_id"].as_str().unwrap().to_owned() };
    let hold = json!({ "registration_number": held.regno, "action": "suspend", "reason": "皖建罚字〔2026〕12号" });
    let r = app.province().await.post("/api/certificate-holds", hold).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    held
}

fn refused_while_suspended(what: &str, r: &Reply) {
    assert_eq!(r.status, StatusCode::CONFLICT, "{what}: {:?}", r.body);
    assert!(r.error().contains("暂扣"), "{what}: {:?}", r.body);
}

async fn no_certificate_while_suspended_in_anhui(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    // A renewal filed before the suspension, reviewed and put into publicity.
    let hours = json!({ "specialties": [{ "specialty": "10401001", "compulsory": 60, "elective": 60 }, { "specialty": "10401010", "compulsory": 30, "elective": 30 }], "submit": true });
    let r = zhao.post("/api/renewals", hours).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let renewal = r.body["application"]["id"].as_i64().unwrap();
    zhao.sign_ok(renewal).await;
    app.enterprise(ENTERPRISE_A).await.sign_ok(renewal).await;
    let city = app.city().await;
    city.act_ok(renewal, "accept", None).await;
    city.act_ok(renewal, "prelim_approve", None).await;
    let province = app.province().await;
    province.act_ok(renewal, "approve", None).await;
    let batch = province.post("/api/batches", json!({ "application_ids": [renewal] })).await.body["id"].as_i64().unwrap();

    let held = suspend_zhao(&app, &zhao).await;
    // 重新制证 and 遗失补办 by the holder: refused, the suspension stays.
    refused_while_suspended("remake", &zhao.post("/api/certificates/reissue", json!({ "kind": "remake" })).await);
    let lost = json!({ "kind": "lost_reissue", "statement": "证书文件所在电脑损坏，无法找回" });
    refused_while_suspended("lost reissue", &zhao.post("/api/certificates/reissue", lost).await);
    refused_while_suspended("annotation", &zhao.post("/api/certificates/annotate", json!({})).await);
    // Procedures that end in a new certificate cannot be filed.
    let add = json!({ "specialties": ["10401002"], "submit": false });
    refused_while_suspended("add specialty", &zhao.post("/api/additions", add).await);
    refused_while_suspended(
        "employer change",
        &zhao.post("/api/employer-changes", json!({ "enterprise_name": ENTERPRISE_B, "submit": false })).await,
    );
    let change = json!({ "new_id_number": "340104197906110056", "id_front_base64": photo_base64(), "id_back_base64": photo_base64(), "submit": false });
    refused_while_suspended("personal change", &zhao.post("/api/personal-changes", change).await);
    // The announcement of the renewal filed earlier: refused, nothing announced.
    app.advance(6);
    let province = app.province().await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let r = province.post(&format!("/api/batches/{batch}/announce"), json!({})).await;
    refused_while_suspended("announcement", &r);
    assert_eq!(zhao.get(&format!("/api/applications/{renewal}")).await.body["application"]["state"], "publicity");
    // An enterprise rename reissues the others' certificates but not the suspended one.
    let ent_id = zhao.get("/api/registrations").await.body["registrations"][0]["enterprise_id"].as_i64().unwrap();
    let r = province.post(&format!("/api/enterprises/{ent_id}/rename"), json!({ "name": "安徽新华建设集团有限公司" })).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let job = r.body["id"].as_i64().unwrap();
    for _ in 0..100 {
        if province.get(&format!("/api/rename-jobs/{job}")).await.body["status"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(province.get(&format!("/api/rename-jobs/{job}")).await.body["status"], "done");
    assert_eq!(verify_status(&app, &held.licence).await, "suspended", "still suspended after every attempt");
    let certs = zhao.get("/api/certificates").await.body["certificates"].as_array().unwrap().clone();
    assert!(certs.iter().all(|c| c["status"] != "valid"), "no valid certificate appeared: {certs:?}");

    // Restored by the authority: the announcement goes through and issues the renewed certificate.
    let restore = json!({ "registration_number": held.regno, "action": "restore", "reason": "处罚期满" });
    assert_eq!(province.post("/api/certificate-holds", restore).await.status, StatusCode::OK);
    let r = province.post(&format!("/api/batches/{batch}/announce"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(verify_status(&app, &held.licence).await, "superseded");
    app.finish().await;
}
on_both_databases!(no_certificate_while_suspended_in_anhui);

async fn no_copy_or_new_version_while_suspended_in_shanghai(kind: TestDb) {
    let app = spawn_in(kind, "沪").await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let held = suspend_zhao(&app, &zhao).await;
    let copy = json!({ "purpose": "滨江花园项目投标", "days": 10 });
    refused_while_suspended("usage copy", &zhao.post("/api/usage-copies", copy).await);
    let nv = json!({ "signature_base64": photo_base64() });
    refused_while_suspended("new version", &zhao.post("/api/certificates/new-version", nv).await);
    assert_eq!(verify_status(&app, &held.licence).await, "suspended");
    app.finish().await;
}
on_both_databases!(no_copy_or_new_version_while_suspended_in_shanghai);

async fn page_text(c: &reqwest::Client, url: String) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

async fn public_status(app: &TestApp, regno: &str) -> Value {
    let q = json!({ "name": "赵磊", "profession": "constructor2", "registration_number": regno });
    let v: Value = app.http.post(format!("{}/api/public/query", app.url)).json(&q).send().await.unwrap().json().await.unwrap();
    v["record"].clone()
}

/// Suspension, partial cancellation and whole cancellation, each seen by the holder's portal,
/// the enterprise's people list and CSV export, and the public query.
async fn every_view_shows_the_true_status(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let zhao_page = app.page_login(&app.person_id_number("赵磊"), "Geren2026").await;
    let ent_page = app.page_login(&app.enterprise_login(ENTERPRISE_A), "Qiye2026").await;
    let portal = || page_text(&zhao_page, format!("{}/portal", app.url));
    let people = || page_text(&ent_page, format!("{}/portal?tab=people", app.url));
    let csv = || page_text(&ent_page, format!("{}/export/people.csv", app.url));
    let status_badge = |html: &str| {
        let i = html.find("id=\"registration-status\">").expect("status on the portal") + 25;
        html[i..i + html[i..].find('<').unwrap()].to_owned()
    };
    assert_eq!(status_badge(&portal().await), "有效");

    let held = suspend_zhao(&app, &zhao).await;
    assert_eq!(status_badge(&portal().await), "暂扣");
    assert!(portal().await.contains("正在暂扣中"), "no new application while suspended");
    let row = |html: String| html.lines().find(|l| l.contains(&held.regno)).map(str::to_owned).unwrap_or_default();
    assert!(row(people().await).contains("暂扣"), "{}", row(people().await));
    assert!(row(csv().await).contains("暂扣"), "{}", row(csv().await));
    assert!(!csv().await.contains(&app.person_id_number("赵磊")), "the CSV masks ID numbers as the page does");
    assert_eq!(public_status(&app, &held.regno).await["status"], "证书暂扣");
    let filtered = page_text(&ent_page, format!("{}/portal?tab=people&reg_status=suspended", app.url)).await;
    assert!(filtered.contains(&held.regno));

    let restore = json!({ "registration_number": held.regno, "action": "restore", "reason": "处罚期满" });
    assert_eq!(app.province().await.post("/api/certificate-holds", restore).await.status, StatusCode::OK);
    let ent = app.enterprise(ENTERPRISE_A).await;
    let partial = json!({ "registration_number": held.regno, "specialties": ["10401010"], "reason": "other" });
    assert_eq!(ent.post("/api/cancellations", partial).await.status, StatusCode::OK);
    assert_eq!(status_badge(&portal().await), "部分专业已注销");
    assert!(portal().await.contains("注销</span>"), "the cancelled specialty says so");
    assert!(row(people().await).contains("部分专业已注销"));
    assert!(row(csv().await).contains("部分专业已注销"));
    let record = public_status(&app, &held.regno).await;
    assert_eq!(record["status"], "注册有效（部分专业已注销）");
    assert!(record["specialties"].as_array().unwrap().iter().any(|s| s["status"] == "注销"), "{record}");

    let whole = json!({ "registration_number": held.regno, "reason": "contract_ended" });
    assert_eq!(ent.post("/api/cancellations", whole).await.status, StatusCode::OK);
    let html = portal().await;
    assert_eq!(status_badge(&html), "注销");
    assert!(!html.contains("您已注册"), "an ended registration is not “已注册”");
    assert!(html.contains("申请重新注册"), "the way back is offered");
    assert!(row(people().await).contains("注销"));
    assert_eq!(public_status(&app, &held.regno).await["status"], "已注销");
    app.finish().await;
}
on_both_databases!(every_view_shows_the_true_status);

//! Procedures that had only an API, now in the browser's pages, on both databases: the previous
//! employer's consent to a transfer (同意转出 / 不同意 with a reason) on its 待确认 tab, the applicant
//! told either way; and the province's 企业名称变更 page, which starts the batch and shows its
//! progress.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

async fn consent_and_rename_in_pages(db: TestDb) {
    let app = spawn(db).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let r = zhao.post("/api/employer-changes", json!({ "enterprise_name": ENTERPRISE_B, "submit": true })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    // The form says what it is: the registration as it stands, and the change old → new.
    let form = zhao.http.get(format!("{}/api/applications/{id}/form", app.url)).bearer_auth(&zhao.token).send().await.unwrap();
    let pkg = erjian_ofd::Package::from_bytes(&form.bytes().await.unwrap()).unwrap();
    let text = erjian_ofd::reader::read(&pkg).unwrap().pages[0].text();
    assert!(text.contains("变更注册（执业企业）申请表") && text.contains("现注册编号") && text.contains("皖2342"), "{text}");
    assert!(text.contains("变更聘用企业") && text.contains(&format!("{ENTERPRISE_A} → {ENTERPRISE_B}")), "{text}");

    // The previous employer sees the request on its 待确认 tab, and was told.
    let ent_a = app.enterprise(ENTERPRISE_A).await;
    let told = ent_a.get("/api/notifications").await.body["notifications"].clone();
    assert!(told.as_array().unwrap().iter().any(|n| n["kind"] == "consent_requested"), "{told:?}");
    let page = app.page_login(&app.enterprise_login(ENTERPRISE_A), "Qiye2026").await;
    let html = page.get(format!("{}/portal?tab=pending", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"release-consents\"") && html.contains("赵磊") && html.contains(&format!("id=\"consent-{id}\"")), "{html}");
    // Refusing needs a reason: the page says so and nothing changes.
    let refuse = [("csrf", csrf_of(&html)), ("decision", "refuse".to_owned()), ("reason", String::new())];
    let r = page.post(format!("{}/release-consents/{id}", app.url)).form(&refuse).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("不同意转出须填写理由"));
    let consent = [("csrf", csrf_of(&html)), ("decision", "consent".to_owned()), ("reason", String::new())];
    let r = page.post(format!("{}/release-consents/{id}", app.url)).form(&consent).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page.get(format!("{}{}", app.url, r.headers()["location"].to_str().unwrap())).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("已完成“同意转出”") && html.contains("已同意转出"), "{html}");
    let mine = zhao.get("/api/notifications").await.body["notifications"].clone();
    assert_eq!(mine[0]["kind"], "consent_given", "{mine:?}");

    // 企业名称变更 by the province in its page.
    let province = app.page_login("province", "Shenhe2026").await;
    let html = province.get(format!("{}/enterprise-renames", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"rename-form\""), "{html}");
    let wrong = [("csrf", csrf_of(&html)), ("credit_code", "91340100MA00000000".to_owned()), ("name", "安徽新名称建设有限公司".to_owned())];
    let r = province.post(format!("{}/enterprise-renames", app.url)).form(&wrong).send().await.unwrap().text().await.unwrap();
    assert!(r.contains("未找到该统一社会信用代码的企业") && r.contains("安徽新名称建设有限公司"), "the form keeps what was typed: {r}");
    let code = app.enterprise_login(ENTERPRISE_A);
    let new_name = "安徽建工新名称集团股份有限公司";
    let form = [("csrf", csrf_of(&html)), ("credit_code", code.to_lowercase()), ("name", new_name.to_owned())];
    let r = province.post(format!("{}/enterprise-renames", app.url)).form(&form).send().await.unwrap().text().await.unwrap();
    assert!(r.contains("已开始") && r.contains(new_name), "{r}");
    // The batch finishes in the background; the page shows it done.
    let mut done = false;
    for _ in 0..100 {
        let html = province.get(format!("{}/enterprise-renames", app.url)).send().await.unwrap().text().await.unwrap();
        if html.contains("已完成") {
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(done, "the rename batch finished");
    // Only the province.
    let city = app.page_login("city1", "Shenhe2026").await;
    assert_eq!(city.get(format!("{}/enterprise-renames", app.url)).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    app.finish().await;
}
on_both_databases!(consent_and_rename_in_pages);

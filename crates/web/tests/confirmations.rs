//! A confirmation step before anything irreversible, on both databases: the first post answers
//! with a page naming the person (or batch) and the effect and changes nothing; only the
//! confirmed post acts. The page never names someone the caller may not act on.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;

async fn post(c: &reqwest::Client, url: String, form: &[(&str, &str)]) -> (StatusCode, String) {
    let r = c.post(url).form(form).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn irreversible_steps_are_confirmed_first(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let cert = zhao.get("/api/certificates").await.body["certificates"][0].clone();
    let regno = cert["registration_number"].as_str().unwrap().to_owned();
    let status = || async { zhao.get("/api/certificates").await.body["certificates"][0]["status"].as_str().unwrap().to_owned() };

    // 暂扣 by the province: a confirmation page first, nothing changed yet.
    let province = app.page_login("province", "Shenhe2026").await;
    let page = province.get(format!("{}/cancel", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let form =
        [("csrf", csrf.as_str()), ("registration_number", regno.as_str()), ("action", "suspend"), ("reason", "皖建罚字〔2026〕12号")];
    let (s, html) = post(&province, format!("{}/certificate-holds", app.url), &form).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("请确认") && html.contains("赵磊") && html.contains(&regno) && html.contains("暂扣"), "{html}");
    assert_eq!(status().await, "valid", "nothing happens before the confirmation");
    let mut confirmed = form.to_vec();
    confirmed.push(("confirmed", "1"));
    let (_, html) = post(&province, format!("{}/certificate-holds", app.url), &confirmed).await;
    assert!(html.contains("已暂扣"), "{html}");
    assert_eq!(status().await, "suspended");

    // Another city's authority is not shown whose registration the number is.
    let city2 = app.page_login("city2", "Shenhe2026").await;
    let page = city2.get(format!("{}/cancel", app.url)).send().await.unwrap().text().await.unwrap();
    let form = [("csrf", csrf_of(&page)), ("registration_number", regno.clone()), ("action", "revoke".into()), ("reason", "x".into())];
    let r = city2.post(format!("{}/certificate-holds", app.url)).form(&form).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(!html.contains("赵磊") && !html.contains("请确认"), "{html}");

    // Restore needs no confirmation; then 重新制证 by the holder asks first.
    let restore = [("csrf", csrf.as_str()), ("registration_number", regno.as_str()), ("action", "restore"), ("reason", "期满")];
    post(&province, format!("{}/certificate-holds", app.url), &restore).await;
    assert_eq!(status().await, "valid");
    let holder = app.page_login(&app.person_id_number("赵磊"), "Geren2026").await;
    let page = holder.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let (_, html) = post(&holder, format!("{}/certificates/reissue", app.url), &[("csrf", &csrf), ("kind", "remake")]).await;
    assert!(html.contains("请确认") && html.contains("重新制证") && html.contains("作废"), "{html}");
    let licence = cert["licence_id"].as_str().unwrap();
    assert!(zhao.get("/api/certificates").await.body["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["licence_id"] == licence && c["status"] == "valid"));
    app.finish().await;
}
on_both_databases!(irreversible_steps_are_confirmed_first);

/// A returned renewal is corrected in its own form and saved into the same application (before,
/// 修改申请 opened the initial-registration form and saving failed).
async fn a_returned_renewal_is_corrected_in_its_own_form(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let hours = |e: u32| serde_json::json!({ "specialties": [{ "specialty": "10401001", "compulsory": 60, "elective": 60 }, { "specialty": "10401010", "compulsory": 30, "elective": e }], "submit": true });
    let r = zhao.post("/api/renewals", hours(30)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    zhao.sign_ok(id).await;
    app.enterprise(ENTERPRISE_A).await.sign_ok(id).await;
    app.city().await.act_ok(id, "return", Some("继续教育证明不清晰，请补正")).await;

    // The page's 修改申请 leads to the renewal form; the old edit address redirects there.
    let holder = app.page_login(&app.person_id_number("赵磊"), "Geren2026").await;
    let page = holder.get(format!("{}/applications/{id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/renewal\" id=\"edit-application\""), "{page}");
    // The history says what happened in Chinese (it showed `create_renewal`).
    assert!(page.contains("申请延续注册") && !page.contains("create_renewal"), "{page}");
    let r = holder.get(format!("{}/applications/{id}/edit", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/renewal");

    // 撤回 asks first, naming the application; the confirmed post withdraws it.
    let csrf = csrf_of(&page);
    let (_, html) = post(&holder, format!("{}/applications/{id}/action", app.url), &[("csrf", &csrf), ("action", "withdraw")]).await;
    assert!(html.contains("请确认") && html.contains("撤回申请") && html.contains("不能恢复"), "{html}");
    assert_eq!(zhao.get(&format!("/api/applications/{id}")).await.body["application"]["state"], "returned");

    // Saving the corrected hours updates the same application, ready to sign again.
    let r = zhao.post("/api/renewals", hours(40)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["application"]["id"].as_i64(), Some(id), "corrected in place");
    assert_eq!(r.body["application"]["state"], "awaiting_signature");
    assert_eq!(r.body["application"]["ce_elective"], 100);
    zhao.sign_ok(id).await;
    let r = post(&holder, format!("{}/applications/{id}/action", app.url), &[("csrf", &csrf), ("action", "withdraw"), ("confirmed", "1")])
        .await;
    assert_eq!(r.0, StatusCode::SEE_OTHER);
    assert_eq!(zhao.get(&format!("/api/applications/{id}")).await.body["application"]["state"], "withdrawn");
    app.finish().await;
}
on_both_databases!(a_returned_renewal_is_corrected_in_its_own_form);

/// The administrators' pages speak Chinese (actions, objects, states, roles and cities in words;
/// they showed `cancel_registration`, `city`, `340100`) and the three administrators see only
/// their own pages (等保三级): the system administrator no longer reads the audit log nor lists
/// citizens' ID numbers; the audit administrator verifies, searches and exports it; the
/// security administrator lifts login pauses.
async fn three_administrators_each_see_their_own(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao_id = app.person_id_number("赵磊");
    let zhao = app.login(&zhao_id, "Geren2026").await;
    let regno = zhao.get("/api/certificates").await.body["certificates"][0]["registration_number"].as_str().unwrap().to_owned();
    let r = app.city().await.post("/api/cancellations", serde_json::json!({ "registration_number": regno, "reason": "other" })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let get = |c: reqwest::Client, path: &'static str| {
        let url = format!("{}{path}", app.url);
        async move {
            let r = c.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };

    let admin = app.page_login("admin", "Admin2026").await;
    let (s, html) = get(admin.clone(), "/admin").await;
    assert_eq!(s, StatusCode::OK);
    for raw in ["cancel_registration", "void_certificate", ">city<", ">city_authority<", ">340100", ">individual<"] {
        assert!(!html.contains(raw), "raw code {raw} on the admin page");
    }
    assert!(html.contains("市级主管部门") && html.contains("审计管理员"), "{html}");
    assert!(!html.contains(&zhao_id), "the system administrator does not list citizens' ID numbers");
    assert_eq!(get(admin.clone(), "/audit").await.0, StatusCode::FORBIDDEN);
    assert_eq!(get(admin, "/security").await.0, StatusCode::FORBIDDEN);

    let auditor = app.page_login("auditor", "Shenji2026").await;
    let (s, html) = get(auditor.clone(), "/audit").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("审计日志完整") && html.contains("注销注册"), "{html}");
    assert!(!html.contains("cancel_registration") && !html.contains(">registration "), "{html}");
    assert_eq!(get(auditor.clone(), "/admin").await.0, StatusCode::FORBIDDEN);
    assert_eq!(get(auditor.clone(), "/security").await.0, StatusCode::FORBIDDEN);
    let (s, csv) = get(auditor, "/audit/export.csv?q=%E6%B3%A8%E9%94%80").await;
    assert_eq!(s, StatusCode::OK);
    assert!(csv.contains("时间,操作人,操作") && csv.contains("注销"), "{csv}");

    // Five wrong passwords for city1 from one address: the security administrator sees and lifts it.
    for _ in 0..5 {
        let r = app
            .http
            .post(format!("{}/api/login", app.url))
            .json(&serde_json::json!({ "username": "city1", "password": "Wrong1234" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let security = app.page_login("security", "Anquan2026").await;
    let (_, html) = get(security.clone(), "/security").await;
    assert!(html.contains("city1"), "{html}");
    let r = security
        .post(format!("{}/security/unlock", app.url))
        .form(&[("csrf", csrf_of(&html)), ("username", "city1".into())])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("已解除账号 city1"));
    app.login("city1", "Shenhe2026").await;
    // An individual's pause is listed by name and masked number (the number is stored only as its
    // blind index); typing the number lifts it.
    let zhao = app.person_id_number("赵磊");
    for _ in 0..5 {
        let body = serde_json::json!({ "username": zhao, "password": "Wrong1234" });
        let r = app.http.post(format!("{}/api/login", app.url)).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let (_, html) = get(security.clone(), "/security").await;
    assert!(html.contains(&format!("赵磊（{}）", erjian_domain::ids::mask_id_number(&zhao))), "{html}");
    assert!(!html.contains(&zhao), "{html}");
    let (_, html) = get(security.clone(), "/security").await;
    let r = security
        .post(format!("{}/security/unlock", app.url))
        .form(&[("csrf", csrf_of(&html)), ("username", zhao.to_lowercase())])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("（1 个地址）"));
    app.login(&zhao, "Geren2026").await;
    assert_eq!(get(security, "/audit").await.0, StatusCode::FORBIDDEN);
    app.finish().await;
}
on_both_databases!(three_administrators_each_see_their_own);

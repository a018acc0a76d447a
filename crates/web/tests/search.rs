//! Reviewers find applications, on both databases: one search box takes an application number,
//! an ID number, a registration number or a full name (person or enterprise), across every state,
//! within the tenant rule; lists come in pages with a keyset cursor; typed text never becomes SQL.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;

fn numbers(r: &Reply) -> Vec<String> {
    r.body["applications"].as_array().unwrap().iter().map(|a| a["number"].as_str().unwrap().to_owned()).collect()
}

async fn one_box_finds_any_application(kind: TestDb) {
    let app = spawn(kind).await;
    let mut filed = Vec::new();
    for name in ["张伟", "刘洋"] {
        let who = app.signup(name).await;
        let specialty = if name == "张伟" { "10401001" } else { "10401002" };
        let body = serde_json::json!({ "enterprise_name": ENTERPRISE_A, "mobile": "13800138000", "specialties": [specialty], "declaration": true,
            "photo_base64": photo_base64(), "submit": true, "ce_compulsory": 60, "ce_elective": 60 });
        let r = who.post("/api/applications", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}: {:?}", r.body);
        let id = r.body["application"]["id"].as_i64().unwrap();
        who.sign_ok(id).await;
        app.enterprise(ENTERPRISE_A).await.sign_ok(id).await;
        filed.push(r.body["application"]["number"].as_str().unwrap().to_owned());
    }
    let city1 = app.city().await;
    let search = |q: &str| format!("/api/applications?q={}", urlencode(q));
    // By ID number, by name, by application number.
    let zhang_id = app.person_id_number("张伟");
    assert_eq!(numbers(&city1.get(&search(&zhang_id)).await), vec![filed[0].clone()]);
    assert_eq!(numbers(&city1.get(&search(&zhang_id.to_lowercase())).await), vec![filed[0].clone()], "case does not matter");
    assert_eq!(numbers(&city1.get(&search("张伟")).await), vec![filed[0].clone()]);
    assert_eq!(numbers(&city1.get(&search(&filed[1])).await), vec![filed[1].clone()]);
    // By registration number: 赵磊's applications (the demo's announced one).
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let regno = zhao.get("/api/registrations").await.body["registrations"][0]["registration_number"].as_str().unwrap().to_owned();
    let by_regno = city1.get(&search(&regno)).await;
    assert!(!numbers(&by_regno).is_empty() && by_regno.body["applications"].as_array().unwrap().iter().all(|a| a["person_name"] == "赵磊"));
    // By enterprise: everything of it this city may see, newest first.
    let by_enterprise = numbers(&city1.get(&search(ENTERPRISE_A)).await);
    assert!(by_enterprise.starts_with(&[filed[1].clone(), filed[0].clone()]), "{by_enterprise:?}");
    // Another city finds nothing of Hefei's; typed SQL is a name that matches nobody.
    let city2 = app.login("city2", "Shenhe2026").await;
    assert!(numbers(&city2.get(&search(&zhang_id)).await).is_empty());
    let odd = city1.get(&search("' OR 1=1 --")).await;
    assert_eq!(odd.status, StatusCode::OK);
    assert!(numbers(&odd).is_empty());

    // Pages: one row each, the cursor carries on, nothing twice, the end says so.
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let path = match &next {
            Some(n) => format!("/api/applications?limit=1&after={}", urlencode(n)),
            None => "/api/applications?limit=1".to_owned(),
        };
        let page = city1.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        seen.extend(numbers(&page));
        match page.body["next"].as_str() {
            Some(n) => next = Some(n.to_owned()),
            None => break,
        }
        assert!(seen.len() < 50, "the cursor moves on");
    }
    let all = numbers(&city1.get("/api/applications?limit=500").await);
    assert_eq!(seen.iter().filter(|n| !n.is_empty()).count(), all.len());
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique, seen, "no row twice");
    assert_eq!(city1.get("/api/applications?after=garbage").await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The page: the box, the result across states.
    let c = app.page_login("city1", "Shenhe2026").await;
    let html = c.get(format!("{}/portal?q={}", app.url, urlencode("张伟"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"search-summary\"") && html.contains(&filed[0]) && !html.contains(&filed[1]), "{html}");
    // The found rows as CSV.
    let csv = c.get(format!("{}/export/applications.csv?q={}", app.url, urlencode("张伟"))).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains(&filed[0]) && !csv.contains(&filed[1]), "{csv}");
    app.finish().await;
}
on_both_databases!(one_box_finds_any_application);

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

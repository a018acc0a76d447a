//! 统计分析 on both databases: figures within the tenant rule (a city counts its own), overdue and
//! due-soon counts from the kept deadlines, working days from filing to decision, registrations
//! by specialty and validity year; charts drawn on the server, a CSV, and only for authorities.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::Value;

fn count(v: &Value, list: &str, label: &str) -> i64 {
    v[list].as_array().unwrap().iter().find(|c| c["label"] == label).map(|c| c["n"].as_i64().unwrap()).unwrap_or(0)
}

async fn figures_within_the_tenant_rule(db: TestDb) {
    let app = spawn(db).await;
    let mut ids = Vec::new();
    for (name, spec) in [("张伟", "10401001"), ("刘洋", "10401002")] {
        ids.push(app.file_initial(name, spec).await.0);
    }
    app.advance(5); // both past their 受理 day
    let city = app.city().await;
    let s = city.get("/api/statistics").await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    assert_eq!(count(&s.body, "by_state", "已申报（待受理）"), 2, "{:?}", s.body);
    // The two, and the demo's announced one (赵磊).
    let initial = count(&s.body, "by_kind", "初始注册");
    assert_eq!(initial, 3);
    assert_eq!(s.body["overdue"], 2);
    assert!(s.body["by_city"].as_array().unwrap().is_empty(), "a city has no per-city chart");
    // 赵磊's registration (建筑工程, ends 2027) is counted among the city's enterprises' people.
    assert!(count(&s.body, "registrations_by_specialty", "建筑工程") >= 1, "{:?}", s.body);
    assert!(count(&s.body, "registrations_by_validity_year", "2027年") >= 1, "{:?}", s.body);
    // A decision: accepted today (five working days late), refused the next working day.
    city.act_ok(ids[0], "accept", None).await;
    city.act_ok(ids[0], "refuse", Some("未达到注册建造师继续教育要求")).await;
    let s = city.get("/api/statistics").await;
    assert_eq!((s.body["overdue"].as_i64(), s.body["decided"].as_i64()), (Some(1), Some(1)));
    assert!(s.body["mean_working_days"].as_f64().unwrap() >= 3.0, "{:?}", s.body["mean_working_days"]);
    // Another city counts none of these; the province counts all, by city name.
    let city2 = app.login("city2", "Shenhe2026").await;
    let other = city2.get("/api/statistics").await;
    assert_eq!(count(&other.body, "by_state", "已申报（待受理）"), 0);
    let province = app.province().await.get("/api/statistics").await;
    assert_eq!(count(&province.body, "by_kind", "初始注册"), initial);
    assert!(
        province.body["by_city"].as_array().unwrap().iter().any(|c| c["label"].as_str().unwrap().ends_with('市')),
        "{:?}",
        province.body
    );
    // Only authorities.
    assert_eq!(app.enterprise(ENTERPRISE_A).await.get("/api/statistics").await.status, StatusCode::FORBIDDEN);
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    assert_eq!(zhao.get("/api/statistics").await.status, StatusCode::FORBIDDEN);

    // The page draws the charts itself and writes the numbers; the CSV has every figure.
    let page = app.page_login("city1", "Shenhe2026").await;
    let html = page.get(format!("{}/statistics", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<svg") && html.contains("申请按状态") && html.contains("id=\"stat-overdue\">1 件"), "{html}");
    assert!(!html.contains("<script src=\"http"), "no outside scripts");
    let csv = page.get(format!("{}/statistics.csv", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("统计项,分类,数量") && csv.contains("办理时限,已超期,1") && csv.contains("申请按状态,不予注册,1"), "{csv}");
    app.finish().await;
}
on_both_databases!(figures_within_the_tenant_rule);

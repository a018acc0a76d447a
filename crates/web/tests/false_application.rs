//! A refusal that finds concealed facts or false materials (隐瞒有关情况或者提供虚假材料申请注册)
//! bars the applicant from applying again for one year, on both databases; an ordinary refusal
//! does not.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

async fn a_false_application_bars_new_ones_for_a_year(kind: TestDb) {
    let app = spawn(kind).await;
    // 刘洋 is refused acceptance for an ordinary reason: he may apply again at once.
    let liu = app.signup("刘洋").await;
    let body_for = |specialty: &str, submit: bool| {
        json!({ "enterprise_name": ENTERPRISE_A, "mobile": "13900139000", "specialties": [specialty], "ce_compulsory": 60,
                "ce_elective": 60, "declaration": true, "photo_base64": photo_base64(), "submit": submit })
    };
    let r = liu.post("/api/applications", body_for("10401002", true)).await;
    let id = r.body["application"]["id"].as_i64().unwrap_or_else(|| panic!("{:?}", r.body));
    assert_eq!(liu.sign_ok(id).await, "awaiting_enterprise");
    assert_eq!(app.enterprise(ENTERPRISE_A).await.sign_ok(id).await, "filed");
    assert_eq!(app.city().await.act_ok(id, "refuse_acceptance", Some("材料不齐")).await, "not_accepted");
    assert_eq!(liu.post("/api/applications", body_for("10401002", false)).await.status, StatusCode::CREATED);

    // 张伟's application is refused as false: the reason says so, and he is barred for a year.
    let zhang = app.signup("张伟").await;
    let id = zhang.apply(ENTERPRISE_A, &["10401001"], true).await.body["application"]["id"].as_i64().unwrap();
    assert_eq!(zhang.sign_ok(id).await, "awaiting_enterprise");
    assert_eq!(app.enterprise(ENTERPRISE_A).await.sign_ok(id).await, "filed");
    let city = app.city().await;
    // Only a refusal can carry the finding.
    let r = city.post(&format!("/api/applications/{id}/actions"), json!({ "action": "accept", "false_materials": true })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(zhang.get(&format!("/api/applications/{id}")).await.body["application"]["state"], "filed", "nothing changed");
    let r = city
        .post(
            &format!("/api/applications/{id}/actions"),
            json!({ "action": "refuse_acceptance", "reason": "学历证明系伪造", "false_materials": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let detail = zhang.get(&format!("/api/applications/{id}")).await.body;
    assert_eq!(detail["application"]["last_reason"], "隐瞒有关情况或者提供虚假材料申请注册：学历证明系伪造");
    let barred = zhang.apply(ENTERPRISE_A, &["10401001"], true).await;
    assert_eq!(barred.status, StatusCode::CONFLICT, "{:?}", barred.body);
    let decided = t0().date_naive();
    let until = decided.checked_add_months(chrono::Months::new(12)).unwrap();
    assert_eq!(barred.error(), format!("您因隐瞒有关情况或者提供虚假材料申请注册被不予受理或不予注册，{until} 起方可再次申请注册"));

    // The day before the year is over he is still barred; on that day he may apply.
    app.advance((until - decided).num_days() - 1);
    let zhang = app.login(&app.person_id_number("张伟"), "Geren2026").await;
    assert_eq!(zhang.apply(ENTERPRISE_A, &["10401001"], false).await.status, StatusCode::CONFLICT);
    app.advance(1);
    let zhang = app.login(&app.person_id_number("张伟"), "Geren2026").await;
    // (A year on, his qualification is over three years old: the form now asks for hours.)
    let r = zhang.post("/api/applications", body_for("10401001", false)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app.finish().await;
}
on_both_databases!(a_false_application_bars_new_ones_for_a_year);

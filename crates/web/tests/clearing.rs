//! Applications never accepted are cleared 90 days after they were created (on both
//! databases): a draft on day 90 is cleared and frees the person's one open application; an
//! application that was accepted once and then returned stays.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

async fn never_accepted_applications_are_cleared_after_90_days(kind: TestDb) {
    let app = spawn(kind).await;
    let zhang = app.signup("张伟").await;
    let draft = zhang.apply(ENTERPRISE_A, &["10401001"], false).await;
    assert_eq!(draft.status, StatusCode::CREATED, "{:?}", draft.body);
    let draft_id = draft.body["application"]["id"].as_i64().unwrap();

    let li = app.login(&app.person_id_number("李娜"), "Geren2026").await;
    let r = li.apply(ENTERPRISE_A, &["10401001"], true).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let accepted_id = r.body["application"]["id"].as_i64().unwrap();
    li.sign_ok(accepted_id).await;
    app.enterprise(ENTERPRISE_A).await.sign_ok(accepted_id).await;
    let city = app.city().await;
    city.act_ok(accepted_id, "accept", None).await;
    city.act_ok(accepted_id, "return", Some("请补充劳动合同")).await;

    assert_eq!(zhang.post("/api/applications/clear-stale", json!({})).await.status, StatusCode::FORBIDDEN);
    app.advance(89);
    let admin = app.login("admin", "Admin2026").await;
    let r = admin.post("/api/applications/clear-stale", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["cleared"], 0, "day 89 is too early");
    app.advance(1);
    let admin = app.login("admin", "Admin2026").await;
    assert_eq!(admin.post("/api/applications/clear-stale", json!({})).await.body["cleared"], 1);
    assert_eq!(admin.post("/api/applications/clear-stale", json!({})).await.body["cleared"], 0, "idempotent");

    let zhang = app.login(&app.person_id_number("张伟"), "Geren2026").await;
    let mine = zhang.get(&format!("/api/applications/{draft_id}")).await;
    assert_eq!(mine.body["application"]["state"], "cleared", "{:?}", mine.body);
    let li = app.login(&app.person_id_number("李娜"), "Geren2026").await;
    let kept = li.get(&format!("/api/applications/{accepted_id}")).await;
    assert_eq!(kept.body["application"]["state"], "returned", "accepted once: not cleared");
    // The cleared draft no longer holds the person's one open application.
    let again = zhang.apply(ENTERPRISE_A, &["10401001"], false).await;
    assert_eq!(again.status, StatusCode::CREATED, "{:?}", again.body);
    app.finish().await;
}
on_both_databases!(never_accepted_applications_are_cleared_after_90_days);

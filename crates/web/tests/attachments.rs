//! The materials filed with an application reach its reviewers, on both databases: the ID-card
//! scans of a personal change are listed (kind, size, SM3) and shown to the city reviewing it and
//! to the applicant, as the same pictures; another city, and anyone not signed in, see nothing.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

async fn reviewers_see_the_scans(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let r = zhao
        .post(
            "/api/personal-changes",
            json!({ "new_name": "赵磊磊", "id_front_base64": photo_base64(), "id_back_base64": photo_base64(), "submit": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    assert_eq!(zhao.sign_ok(id).await, "awaiting_enterprise");
    assert_eq!(app.enterprise(ENTERPRISE_A).await.sign_ok(id).await, "filed");

    let city1 = app.city().await;
    let list = city1.get(&format!("/api/applications/{id}/attachments")).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    let items = list.body["attachments"].as_array().unwrap().clone();
    let labels: Vec<&str> = items.iter().map(|a| a["label"].as_str().unwrap()).collect();
    assert_eq!(labels, vec!["身份证人像面", "身份证国徽面"]);
    for a in &items {
        let aid = a["id"].as_i64().unwrap();
        let r =
            city1.http.get(format!("{}/api/applications/{id}/attachments/{aid}", app.url)).bearer_auth(&city1.token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let bytes = r.bytes().await.unwrap();
        assert!(same_picture(&bytes, &photo_png()), "the picture as uploaded (re-encoded)");
        assert_eq!(a["sm3"].as_str().unwrap(), hex::encode(erjian_ofd::crypto::sm3(&bytes)), "the listed digest is the served file's");
    }
    // The page shows them to the reviewer.
    let page = app.page_login("city1", "Shenhe2026").await;
    let html = page.get(format!("{}/applications/{id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"attachments\"") && html.contains("身份证国徽面"), "{html}");
    // The applicant too; another city and strangers not.
    assert_eq!(zhao.get(&format!("/api/applications/{id}/attachments")).await.status, StatusCode::OK);
    let city2 = app.login("city2", "Shenhe2026").await;
    assert_eq!(city2.get(&format!("/api/applications/{id}/attachments")).await.status, StatusCode::NOT_FOUND);
    let aid = items[0]["id"].as_i64().unwrap();
    let r = city2.http.get(format!("{}/api/applications/{id}/attachments/{aid}", app.url)).bearer_auth(&city2.token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app.http.get(format!("{}/api/applications/{id}/attachments/{aid}", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Another application's id with this attachment's id: nothing.
    let other = app.login(&app.person_id_number("李娜"), "Geren2026").await;
    let mine = other.apply(ENTERPRISE_A, &["10401001"], false).await.body["application"]["id"].as_i64().unwrap();
    let r =
        other.http.get(format!("{}/api/applications/{mine}/attachments/{aid}", app.url)).bearer_auth(&other.token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    app.finish().await;
}
on_both_databases!(reviewers_see_the_scans);

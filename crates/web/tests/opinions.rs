//! Reviewers decide with an opinion, on both databases: each favourable step (受理, 初审, 复审)
//! offers standard opinions, prefilled and editable; the opinion and who gave it are in the
//! application's history for the applicant to read.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;

async fn every_step_carries_an_opinion(kind: TestDb) {
    let app = spawn(kind).await;
    let zhang = app.signup("张伟").await;
    let id = zhang.apply(ENTERPRISE_A, &["10401001"], true).await.body["application"]["id"].as_i64().unwrap();
    zhang.sign_ok(id).await;
    app.enterprise(ENTERPRISE_A).await.sign_ok(id).await;

    let c = app.page_login("city1", "Shenhe2026").await;
    let page = c.get(format!("{}/applications/{id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"opinion-accept\"") && page.contains("申请材料齐全，符合法定形式，予以受理"), "standard opinion offered");
    let version = page.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let form = [
        ("csrf", csrf_of(&page)),
        ("version", version),
        ("action", "accept".to_owned()),
        ("reason", "材料齐全，予以受理（经办：张科员）".to_owned()),
    ];
    let r = c.post(format!("{}/applications/{id}/action", app.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The API takes an opinion the same way.
    let city = app.city().await;
    let r = city
        .post(
            &format!("/api/applications/{id}/actions"),
            serde_json::json!({ "action": "prelim_approve", "reason": "经初审，符合注册条件，同意上报" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // The applicant reads both, with who gave them.
    let detail = zhang.get(&format!("/api/applications/{id}")).await.body;
    let history = detail["history"].as_array().unwrap();
    let accept = history.iter().find(|h| h["action"] == "accept").unwrap();
    assert_eq!(accept["reason"], "材料齐全，予以受理（经办：张科员）");
    assert_eq!(accept["actor_name"], "合肥市住房和城乡建设局");
    assert!(history.iter().any(|h| h["action"] == "prelim_approve" && h["reason"] == "经初审，符合注册条件，同意上报"));
    let mine = app.page_login(&app.person_id_number("张伟"), "Geren2026").await;
    let html = mine.get(format!("{}/applications/{id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("审查意见：材料齐全，予以受理（经办：张科员）"), "{html}");
    app.finish().await;
}
on_both_databases!(every_step_carries_an_opinion);

//! The authority's decisions in writing, on both databases: 补正材料通知书, 受理通知书 and 准予注册决定书
//! are numbered at the decision (the number in the history), sealed with the authority's seal
//! (verified against the deployment root), kept once made, and downloadable by the applicant and
//! the enterprise, not by another enterprise.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::Value;

async fn download(who: &Api, id: i64, nid: i64, format: &str) -> (StatusCode, Vec<u8>) {
    let r = who
        .http
        .get(format!("{}/api/applications/{id}/notices/{nid}?format={format}", who.base))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap();
    (r.status(), r.bytes().await.unwrap().to_vec())
}

async fn decisions_in_writing(db: TestDb) {
    let app = spawn(db).await;
    let zhang = app.signup("张伟").await;
    let r = zhang.apply(ENTERPRISE_A, &["10401001"], true).await;
    let id = r.body["application"]["id"].as_i64().unwrap();
    zhang.sign_ok(id).await;
    let ent = app.enterprise(ENTERPRISE_A).await;
    ent.sign_ok(id).await;
    let city = app.city().await;
    city.act_ok(id, "return", Some("劳动合同缺少第2页")).await;

    let listed = zhang.get(&format!("/api/applications/{id}/notices")).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    let first: Value = listed.body["notices"][0].clone();
    assert_eq!(first["kind"], "correction");
    let number = first["number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("皖建注补〔2026〕") && number.ends_with('号'), "{number}");
    assert_eq!(first["grounds"], "劳动合同缺少第2页");
    assert_eq!(first["handler"], "合肥市住房和城乡建设局");
    // The number is in the history of the decision.
    let history = zhang.get(&format!("/api/applications/{id}")).await.body["history"].clone();
    assert!(history.as_array().unwrap().iter().any(|h| h["detail"].as_str().is_some_and(|d| d.contains(&number))), "{history:?}");

    // The sealed OFD: the authority's seal verifies against the deployment root; the text says it.
    let nid = first["id"].as_i64().unwrap();
    let (status, ofd) = download(&zhang, id, nid, "ofd").await;
    assert_eq!(status, StatusCode::OK);
    let pkg = erjian_ofd::Package::from_bytes(&ofd).unwrap();
    let root = app.server.state.issuer.authority.root();
    let report = erjian_ofd::seal::verify(&pkg, &erjian_ofd::seal::VerifyOptions { now: None, trusted_roots: vec![root] }).unwrap();
    assert!(report.all_valid() && report.signatures.len() == 1, "{report:?}");
    let text = erjian_ofd::reader::read(&pkg).unwrap().pages[0].text();
    assert!(
        text.contains("补正材料通知书") && text.contains(&number) && text.contains("劳动合同缺少第2页") && text.contains("张伟"),
        "{text}"
    );
    assert!(!text.contains(&app.person_id_number("张伟")), "no ID number on a notice");
    // Made once and kept: the enterprise downloads the same bytes.
    assert_eq!(download(&ent, id, nid, "ofd").await, (StatusCode::OK, ofd.clone()));
    let (status, pdf) = download(&ent, id, nid, "pdf").await;
    assert!(status == StatusCode::OK && pdf.starts_with(b"%PDF"));
    // Another enterprise: not found, like the application itself.
    let other = app.enterprise(ENTERPRISE_B).await;
    assert_eq!(download(&other, id, nid, "ofd").await.0, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/api/applications/{id}/notices")).await.status, StatusCode::NOT_FOUND);

    // Corrected, accepted, reviewed and announced: 受理通知书 and 准予注册决定书 with the number.
    zhang.act_ok(id, "submit", None).await;
    app.through_review(&zhang, id).await;
    let zhang = app.login(&app.person_id_number("张伟"), "Geren2026").await;
    let kinds: Vec<String> = zhang.get(&format!("/api/applications/{id}/notices")).await.body["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["correction", "accepted", "approved"]);
    let notices = zhang.get(&format!("/api/applications/{id}/notices")).await.body["notices"].clone();
    let approved = notices[2].clone();
    let regno = approved["registration_number"].as_str().unwrap().to_owned();
    let (_, ofd) = download(&zhang, id, approved["id"].as_i64().unwrap(), "ofd").await;
    let text = erjian_ofd::reader::read(&erjian_ofd::Package::from_bytes(&ofd).unwrap()).unwrap().pages[0].text();
    assert!(text.contains("准予注册决定书") && text.contains(&regno), "{text}");
    // Listed on the application's page.
    let page = app.page_login(&app.person_id_number("张伟"), "Geren2026").await;
    let html = page.get(format!("{}/applications/{id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"notices\"") && html.contains("受理通知书") && html.contains(&number), "{html}");
    app.finish().await;
}
on_both_databases!(decisions_in_writing);

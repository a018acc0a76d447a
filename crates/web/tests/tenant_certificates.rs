//! The tenant rule on certificates and what enterprises see, on both databases. Found by an
//! attacker's test: any city authority downloaded every certificate (full ID number and photo)
//! and read every rename batch; the enterprise API gave whole ID numbers and mobiles that its
//! pages mask.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn download(app: &TestApp, who: &Api, id: i64) -> StatusCode {
    who.http.get(format!("{}/api/certificates/{id}/download?format=pdf", app.url)).bearer_auth(&who.token).send().await.unwrap().status()
}

fn texts(v: &Value) -> String {
    v.to_string()
}

async fn cities_and_enterprises_see_only_theirs(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao_id = app.person_id_number("赵磊");
    let zhao = app.login(&zhao_id, "Geren2026").await;
    let cert = zhao.get("/api/certificates").await.body["certificates"][0].clone();
    let cert_id = cert["id"].as_i64().unwrap();

    // 赵磊 works for an enterprise in the first city: its authority downloads, the other city's
    // does not (and is told "not found", as for an id that does not exist).
    let city1 = app.city().await;
    let city2 = app.login("city2", "Shenhe2026").await;
    assert_eq!(download(&app, &city1, cert_id).await, StatusCode::OK);
    assert_eq!(download(&app, &city2, cert_id).await, StatusCode::NOT_FOUND);
    assert_eq!(download(&app, &city2, 999_999).await, StatusCode::NOT_FOUND);
    assert_eq!(download(&app, &app.province().await, cert_id).await, StatusCode::OK);

    // The enterprise's API masks ID numbers and mobiles as its pages do.
    let ent = app.enterprise(ENTERPRISE_A).await;
    for path in ["/api/registrations", "/api/certificates", "/api/applications"] {
        let body = texts(&ent.get(path).await.body);
        assert!(body.contains("赵磊"), "{path}: {body}");
        assert!(!body.contains(&zhao_id), "{path} gives the whole ID number: {body}");
        assert!(body.contains(&format!("{}**********{}", &zhao_id[..6], &zhao_id[16..])), "{path}: {body}");
    }
    let apps = ent.get("/api/applications").await.body["applications"].as_array().unwrap().clone();
    let one = apps.iter().find(|a| a["person_name"] == "赵磊").unwrap();
    let detail = ent.get(&format!("/api/applications/{}", one["id"])).await.body;
    let m = detail["application"]["mobile"].as_str().unwrap().to_owned();
    assert!(m.contains("****"), "the mobile is masked: {m}");
    assert!(!texts(&detail).contains(&zhao_id));
    // The holder still sees his own whole.
    assert!(texts(&zhao.get("/api/registrations").await.body).contains(&zhao_id));

    // A rename batch is read by the province and the enterprise's own city only.
    let ent_id = zhao.get("/api/registrations").await.body["registrations"][0]["enterprise_id"].as_i64().unwrap();
    let province = app.province().await;
    let r = province.post(&format!("/api/enterprises/{ent_id}/rename"), json!({ "name": "安徽新华建设集团有限公司" })).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let job = r.body["id"].as_i64().unwrap();
    assert_eq!(city1.get(&format!("/api/rename-jobs/{job}")).await.status, StatusCode::OK);
    assert_eq!(city2.get(&format!("/api/rename-jobs/{job}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(ent.get(&format!("/api/rename-jobs/{job}")).await.status, StatusCode::NOT_FOUND);
    app.finish().await;
}
on_both_databases!(cities_and_enterprises_see_only_theirs);

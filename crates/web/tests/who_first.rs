//! Who is asking, and whether what they name exists, before what they sent is judged: a caller
//! who may not use an operation is refused (403) and a request for something that is not there is
//! "not found" (404) whatever the body says. Before, the body's faults came first (422), telling a
//! stranger how the operation checks its input and hiding that it was never theirs to call.
//! schemathesis found these by sending valid bodies as each role.

use crate::common;

use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

async fn refusals_come_before_the_body_is_judged(db: TestDb) {
    let app = spawn(db).await;
    let city = app.city().await;
    // An authority has no signing key, no face, no certificate of its own to exchange or reissue.
    for (path, body) in [
        ("/api/signing/pin", json!({ "pin": "" })),
        ("/api/signing/pin/change", json!({ "old_pin": "", "new_pin": "" })),
        ("/api/signing/reset", json!({ "password": "", "new_pin": "" })),
        ("/api/account/real-name", json!({ "face_base64": "not base64" })),
        ("/api/certificates/paper-exchange", json!({ "photo_base64": "not base64", "confirm": false })),
        ("/api/certificates/new-version", json!({ "signature_base64": "not base64" })),
        ("/api/lost-reissues", json!({ "statement": "" })),
    ] {
        let r = city.post(path, body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {:?}", r.body);
    }
    let r = city.put("/api/signing/image", json!({ "image_base64": "not base64" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);

    // Something that is not there is not found, whatever the body lacks.
    let ent = app.enterprise(ENTERPRISE_A).await;
    let r = ent.post("/api/release-consents/987654", json!({ "consent": false, "reason": "" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    let province = app.province().await;
    let r = province.post("/api/objections/987654/decision", json!({ "decision": "refuse", "finding": "" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    let r = province.post("/api/enterprise-reviews/987654", json!({ "approve": false })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);

    // Those who may call still get the body's faults, in Chinese, naming the field.
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let r = zhao.post("/api/signing/pin", json!({ "pin": "" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["fields"][0]["field"], "pin");
    let r = zhao.put("/api/signing/image", json!({ "image_base64": "" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["fields"][0]["field"], "image");
    app.finish().await;
}
on_both_databases!(refusals_come_before_the_body_is_judged);

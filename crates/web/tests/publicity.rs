//! Publicity in public, with objections, on both databases. Gansu's manual: “公示到期后无异议进行
//! 审批公告”; Hunan's: “网上公示公告,公告无异议后发电子证书”. A batch is listed on the home page and
//! at /publicity with masked ID numbers (page and JSON); anyone may object to one entry during the
//! period (captcha; a clear message for what is missing); an entry with an open objection is not
//! announced with its batch; the province's finding 成立 refuses it (with the 不予注册决定书) or
//! returns it, 不成立 announces it at once when its batch was announced meanwhile; each step is in
//! the application's history; the contact's phone is not stored in the clear.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn captcha(app: &TestApp) -> (String, String) {
    let r: Value = app.http.get(format!("{}/api/public/captcha", app.url)).send().await.unwrap().json().await.unwrap();
    let token = r["token"].as_str().unwrap().to_owned();
    let answer = app.server.state.store.captcha_answer(&token, app.server.state.clock.now()).await.unwrap().unwrap();
    (token, answer)
}

async fn object(app: &TestApp, batch: i64, body: Value) -> (StatusCode, Value) {
    let r = app.http.post(format!("{}/api/public/publicity/{batch}/objections", app.url)).json(&body).send().await.unwrap();
    (r.status(), r.json().await.unwrap())
}

async fn public_json(app: &TestApp, path: &str) -> Value {
    app.http.get(format!("{}{path}", app.url)).send().await.unwrap().json().await.unwrap()
}

fn history_has(d: &Reply, label: &str) -> bool {
    d.body["history"].as_array().unwrap().iter().any(|h| h["detail"].as_str().is_some_and(|t| t.contains(label)))
}

async fn objections_decide_what_is_announced(db: TestDb) {
    let app = spawn(db).await;
    let mut ids = Vec::new();
    for (name, spec) in [("张伟", "10401001"), ("刘洋", "10401002"), ("陈静", "10401007")] {
        ids.push(app.file_initial(name, spec).await.0);
    }
    let (zhang, liu, chen) = (ids[0], ids[1], ids[2]);
    let city = app.city().await;
    let province = app.province().await;
    for &id in &ids {
        city.act_ok(id, "accept", None).await;
        city.act_ok(id, "prelim_approve", None).await;
        province.act_ok(id, "approve", None).await;
    }
    let batch = province.post("/api/batches", json!({ "application_ids": ids })).await;
    let batch_id = batch.body["id"].as_i64().unwrap();
    let number = batch.body["number"].as_str().unwrap().to_owned();

    // Public: the home page, the list, the batch page and its JSON; ID numbers masked.
    let home = app.http.get(format!("{}/", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains(&number) && home.contains("公示中，可提出异议"), "{home}");
    let listed = public_json(&app, "/api/public/publicity").await;
    assert_eq!(listed["batches"][0]["number"], number.as_str());
    let one = public_json(&app, &format!("/api/public/publicity/{batch_id}")).await;
    assert_eq!(one["entries"].as_array().unwrap().len(), 3);
    assert_eq!(one["objections_open"], true);
    let page = app.http.get(format!("{}/publicity/{batch_id}", app.url)).send().await.unwrap().text().await.unwrap();
    for name in ["张伟", "刘洋", "陈静"] {
        let full = app.person_id_number(name);
        assert!(page.contains(name) && !page.contains(&full) && !one.to_string().contains(&full), "{name} masked");
        assert!(page.contains(&erjian_domain::ids::mask_id_number(&full)));
    }
    assert!(page.contains("id=\"objection-form\""));

    // Objections: the captcha first, then what is missing, then the receipt.
    let facts = "该人员长期在外省另一企业实际执业，与申报企业无真实劳动关系，可向其项目部核实。";
    let good = |entry: i64, token: &str, answer: &str| json!({ "entry": entry, "facts": facts, "contact_name": "王明", "contact_phone": "13912345678", "captcha_token": token, "captcha": answer });
    let (status, _) = object(&app, batch_id, good(zhang, "nope", "00000")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (token, answer) = captcha(&app).await;
    let (status, body) =
        object(&app, batch_id, json!({ "entry": zhang, "facts": "不同意", "captcha_token": token, "captcha": answer })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["facts", "contact_name", "contact_phone"]);
    let (token, answer) = captcha(&app).await;
    let (status, body) = object(&app, batch_id, good(zhang, &token, &answer)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let receipt = body["number"].as_str().unwrap().to_owned();
    assert!(receipt.starts_with("YY2026"), "{receipt}");
    let (token, answer) = captcha(&app).await;
    assert_eq!(object(&app, batch_id, good(chen, &token, &answer)).await.0, StatusCode::CREATED);
    // The captcha is used once.
    assert_eq!(object(&app, batch_id, good(chen, &token, &answer)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let d = province.get(&format!("/api/applications/{zhang}")).await;
    assert!(history_has(&d, &receipt), "{:?}", d.body["history"]);
    app.assert_not_stored_in_clear("13912345678").await;

    // The period ends: no more objections; the batch is announced without the two objected to.
    app.advance(6);
    let (token, answer) = captcha(&app).await;
    let (status, body) = object(&app, batch_id, good(liu, &token, &answer)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let done = app.province().await.post(&format!("/api/batches/{batch_id}/announce"), json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let province = app.province().await;
    let state = |d: Reply| d.body["application"]["state"].as_str().unwrap().to_owned();
    assert_eq!(state(province.get(&format!("/api/applications/{liu}")).await), "announced");
    assert_eq!(state(province.get(&format!("/api/applications/{zhang}")).await), "publicity");
    assert_eq!(state(province.get(&format!("/api/applications/{chen}")).await), "publicity");
    let one = public_json(&app, &format!("/api/public/publicity/{batch_id}")).await;
    let result = |id: i64| one["entries"].as_array().unwrap().iter().find(|e| e["entry"] == id).unwrap()["result"].clone();
    assert_eq!(result(zhang), "异议核查中");
    assert_eq!(result(liu), "已公告");

    // The findings: the province only, with its reasons.
    let page = app.page_login("province", "Shenhe2026").await;
    let html = page.get(format!("{}/applications/{zhang}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&receipt) && html.contains("13912345678") && html.contains("提交核查结论"), "{html}");
    let oid: i64 = html.split("data-objection=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let city = app.city().await;
    assert_eq!(
        city.post(&format!("/api/objections/{oid}/decision"), json!({ "decision": "refuse", "finding": "经核查属实" })).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        province.post(&format!("/api/objections/{oid}/decision"), json!({ "decision": "refuse", "finding": "" })).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = province
        .post(
            &format!("/api/objections/{oid}/decision"),
            json!({ "decision": "refuse", "finding": "经核查，申请人社保由外省企业缴纳，异议属实" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let d = province.get(&format!("/api/applications/{zhang}")).await;
    assert_eq!(d.body["application"]["state"], "refused");
    assert!(history_has(&d, "异议成立"), "{:?}", d.body["history"]);
    let notices = province.get(&format!("/api/applications/{zhang}/notices")).await;
    assert!(notices.body["notices"].as_array().unwrap().iter().any(|n| n["kind"] == "refused"), "{:?}", notices.body);
    assert_eq!(
        province.post(&format!("/api/objections/{oid}/decision"), json!({ "decision": "dismiss", "finding": "再次处理" })).await.status,
        StatusCode::NOT_FOUND
    );

    // 不成立 after the batch was announced: announced at once, with its registration number.
    let html = page.get(format!("{}/applications/{chen}", app.url)).send().await.unwrap().text().await.unwrap();
    let oid: i64 = html.split("data-objection=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let form =
        [("csrf", csrf_of(&html)), ("decision", "dismiss".into()), ("finding", "经核查，劳动合同和社保均在申报企业，异议不成立".into())];
    let r = page.post(format!("{}/applications/{chen}/objections/{oid}", app.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let d = province.get(&format!("/api/applications/{chen}")).await;
    assert_eq!(d.body["application"]["state"], "announced");
    assert!(history_has(&d, "异议不成立") && d.body["application"]["registration_number"].is_string(), "{:?}", d.body);
    let one = public_json(&app, &format!("/api/public/publicity/{batch_id}")).await;
    assert_eq!(result(zhang), "异议核查中", "the earlier answer is not re-read");
    let result = |id: i64| one["entries"].as_array().unwrap().iter().find(|e| e["entry"] == id).unwrap()["result"].clone();
    assert_eq!((result(zhang), result(chen)), (json!("不予注册"), json!("已公告")));
    app.finish().await;
}
on_both_databases!(objections_decide_what_is_announced);

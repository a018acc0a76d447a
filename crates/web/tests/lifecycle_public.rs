//! A registration's life as the public sees it: renewal supersedes the certificate, the QR page
//! and the file check say so and point to the new one, partial and whole cancellation follow at
//! once in the signed status list; the public query's exact-match rules, captcha and rate limit.

use crate::common;

use common::*;
use erjian_cert::statement::{public_key_of, verify_status_list, QrStatement};
use erjian_store::testing::{fresh_database, TestDb};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ZHAO: &str = "赵磊";

async fn public_get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let r = app.http.get(format!("{}{path}", app.url)).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn check_file(app: &TestApp, bytes: Vec<u8>) -> Value {
    let r = app.http.post(format!("{}/api/public/check", app.url)).body(bytes).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn download(who: &Api, id: i64) -> reqwest::Response {
    who.http.get(format!("{}/api/certificates/{id}/download", who.base)).bearer_auth(&who.token).send().await.unwrap()
}

/// The holder's certificates, newest first.
async fn certificates(who: &Api) -> Vec<Value> {
    who.get("/api/certificates").await.body["certificates"].as_array().unwrap().clone()
}

/// The whole text list, read a page at a time (pages of one, so the paging is exercised), each
/// page's signature checked; all pages of one version.
async fn status_list(app: &TestApp) -> (i64, Vec<erjian_cert::statement::StatusEntry>) {
    let (_, keys) = public_get(app, "/api/public/keys").await;
    let public = public_key_of(keys["status_list"].as_str().unwrap().as_bytes()).unwrap();
    let (_, whole) = public_get(app, "/api/public/status-list").await;
    let (first, all) = verify_status_list(whole["list"].as_str().unwrap(), whole["signature"].as_str().unwrap(), &public).unwrap();
    assert_eq!((first.version, first.next), (whole["version"].as_i64().unwrap(), None), "the demo fits one page");
    let (mut after, mut entries) = (0, Vec::new());
    loop {
        let (_, page) = public_get(app, &format!("/api/public/status-list?after={after}&limit=1")).await;
        let (header, mut got) = verify_status_list(page["list"].as_str().unwrap(), page["signature"].as_str().unwrap(), &public).unwrap();
        assert_eq!((header.version, header.after, header.count), (first.version, after, 1));
        entries.append(&mut got);
        match header.next {
            Some(n) => after = n,
            None => break,
        }
    }
    assert_eq!(entries, all, "the pages make the whole list");
    (first.version, entries)
}

fn status_of<'a>(entries: &'a [erjian_cert::statement::StatusEntry], licence: &str) -> &'a erjian_cert::statement::StatusEntry {
    entries.iter().find(|e| e.licence_id == licence).expect("listed")
}

async fn renewal_then_cancellation(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number(ZHAO), "Geren2026").await;
    let certs = certificates(&zhao).await;
    assert_eq!(certs.len(), 1);
    let old_id = certs[0]["id"].as_i64().unwrap();
    let old_licence = certs[0]["licence_id"].as_str().unwrap().to_owned();
    let old_file = download(&zhao, old_id).await.bytes().await.unwrap().to_vec();
    // The QR code carries a statement signed by the deployment; the status API checks it.
    let pkg = erjian_ofd::Package::from_bytes(&old_file).unwrap();
    let meta = erjian_ofd::reader::read(&pkg).unwrap().metadata;
    let qr_url = meta.custom.iter().find(|(k, _)| k == "核验地址").unwrap().1.clone();
    let payload = qr_url.rsplit_once("/V/").unwrap().1;
    let (s, v) = public_get(&app, &format!("/api/verify/{old_licence}?s={payload}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "valid");
    assert_eq!(v["statement"]["valid"], true, "{v}");
    // The compact statement names the certificate by its status-list index.
    assert!(v["statement"]["statement"]["status_index"].as_i64().is_some(), "{v}");

    // Renewal: the hours are checked per specialty (60+60 for the first, 30+30 for the next).
    let short = json!({ "specialties": [{ "specialty": "10401001", "compulsory": 60, "elective": 60 }, { "specialty": "10401010", "compulsory": 30, "elective": 20 }], "submit": true });
    let r = zhao.post("/api/renewals", short).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["fields"][0]["message"].as_str().unwrap().contains("学时不足"), "{:?}", r.body);
    let ok = json!({ "specialties": [{ "specialty": "10401001", "compulsory": 60, "elective": 60 }, { "specialty": "10401010", "compulsory": 30, "elective": 30 }], "submit": true });
    let r = zhao.post("/api/renewals", ok.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["application"]["kind"], "renewal");
    let id = r.body["application"]["id"].as_i64().unwrap();
    let again = zhao.post("/api/renewals", ok).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "one open application per person");
    assert!(again.error().contains("在办业务"));

    assert_eq!(zhao.sign_ok(id).await, "awaiting_enterprise");
    let ent = app.enterprise(ENTERPRISE_A).await;
    assert_eq!(ent.sign_ok(id).await, "filed");
    let city = app.city().await;
    // The city's queue shows the legal deadline: accept by the next working day.
    let queue = city.get("/api/applications?state=filed").await;
    let mine = queue.body["applications"].as_array().unwrap().iter().find(|a| a["id"] == id).cloned().unwrap();
    assert_eq!(mine["deadline"]["due"], "2026-11-26", "{mine}");
    assert_eq!(mine["deadline"]["left"], 1);
    city.act_ok(id, "accept", None).await;
    let queue = city.get("/api/applications?state=accepted").await;
    let mine = queue.body["applications"].as_array().unwrap().iter().find(|a| a["id"] == id).cloned().unwrap();
    assert_eq!(mine["deadline"]["due"], "2026-12-09", "ten working days from 25 November: {mine}");
    city.act_ok(id, "prelim_approve", None).await;
    let province = app.province().await;
    province.act_ok(id, "approve", None).await;
    let batch = province.post("/api/batches", json!({ "application_ids": [id] })).await;
    let batch_id = batch.body["id"].as_i64().unwrap();
    app.advance(5);
    let province = app.province().await;
    let done = province.post(&format!("/api/batches/{batch_id}/announce"), json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);

    // A new certificate (version 2) supersedes the old file; validity moved on three years.
    let zhao = app.login(&app.person_id_number(ZHAO), "Geren2026").await;
    let certs = certificates(&zhao).await;
    assert_eq!(certs.len(), 2);
    let new = certs.iter().find(|c| c["status"] == "valid").unwrap().clone();
    let new_licence = new["licence_id"].as_str().unwrap().to_owned();
    assert_eq!(new["version"], 2);
    assert!(new_licence.ends_with(&"2".to_string()[..]) || new_licence != old_licence);
    let regs = zhao.get("/api/registrations").await;
    let until = regs.body["registrations"][0]["specialties"][0]["valid_until"].as_str().unwrap().to_owned();
    assert_eq!(until, "2030-01-23", "old end 2027-01-23 + 3 years");
    assert_eq!(download(&zhao, old_id).await.status(), StatusCode::CONFLICT, "superseded files are not handed out");

    // The old file's QR page and the file check both say superseded and point to the new one.
    let (_, v) = public_get(&app, &format!("/api/verify/{old_licence}")).await;
    assert_eq!(v["status"], "superseded");
    assert_eq!(v["certificate"]["current_licence_id"], new_licence.as_str());
    let page = app.http.get(format!("{}/verify/{old_licence}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("已失效（已被新证书替代）") && page.contains(&format!("/verify/{new_licence}")));
    let checked = check_file(&app, old_file.clone()).await;
    assert_eq!(checked["seal_valid"], true, "{checked}");
    assert_eq!(checked["certificate"]["status"], "superseded");
    assert_eq!(checked["certificate"]["current_licence_id"], new_licence.as_str());
    let new_file = download(&zhao, new["id"].as_i64().unwrap()).await.bytes().await.unwrap().to_vec();
    let checked = check_file(&app, new_file.clone()).await;
    assert_eq!(checked["certificate"]["status"], "valid", "{checked}");
    // A tampered file is named as such, with the failing check and file.
    let mut bad = erjian_ofd::Package::from_bytes(&new_file).unwrap();
    assert!(bad.tamper("Doc_0/Pages/Page_0/Content.xml", 300));
    let checked = check_file(&app, bad.to_bytes()).await;
    assert_eq!(checked["seal_valid"], false);
    assert!(checked["summary"].as_str().unwrap().contains("篡改"), "{checked}");
    assert!(checked["failures"].as_array().unwrap().iter().any(|f| f.as_str().unwrap().contains("Content.xml")), "{checked}");
    assert!(checked["certificate"].is_null(), "no status is vouched for a tampered file");
    assert_eq!(checked["verdict"]["headline"], "可能伪造", "{checked}");

    // One conclusion first on every answer (issue 16 item 3): the superseded file is 已失效 and
    // shows its own dates (not the renewed ones); the current file is 有效; a QR statement that
    // does not verify is 可能伪造 whatever the status; a PDF is told how to verify instead.
    let (_, v) = public_get(&app, &format!("/api/verify/{old_licence}")).await;
    assert_eq!((v["verdict"]["code"].as_str(), v["verdict"]["headline"].as_str()), (Some("invalid"), Some("已失效")), "{v}");
    assert_eq!(v["certificate"]["specialties"][0][2], "2027-01-23", "its own validity, not the renewed 2030: {v}");
    let page = app.http.get(format!("{}/verify/{old_licence}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("2027-01-23") && !page.contains("2030-01-23") && page.contains("本证书（已被替代）的内容"), "{page}");
    assert_eq!(check_file(&app, old_file.clone()).await["verdict"]["headline"], "已失效");
    assert_eq!(check_file(&app, new_file.clone()).await["verdict"]["headline"], "有效");
    let (_, v) = public_get(&app, &format!("/api/verify/{new_licence}?s=forged")).await;
    assert_eq!(v["verdict"]["headline"], "可能伪造", "{v}");
    let page = app.http.get(format!("{}/verify/{new_licence}?s=forged", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("可能伪造") && !page.contains("证书当前有效") && !page.contains(">有效<"), "one verdict: {page}");
    let pdf = check_file(&app, b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF".to_vec()).await;
    assert_eq!(pdf["verdict"]["headline"], "无法核验", "{pdf}");
    assert!(pdf["verdict"]["why"].as_str().unwrap().contains("PDF 文件仅供查看和打印"), "{pdf}");

    let (v1, entries) = status_list(&app).await;
    assert_eq!(status_of(&entries, &old_licence).status, "superseded");
    assert_eq!(status_of(&entries, &old_licence).successor.as_deref(), Some(new_licence.as_str()));
    assert_eq!(status_of(&entries, &new_licence).status, "valid");

    // The enterprise cancels one specialty: a new certificate without it, at once.
    let ent = app.enterprise(ENTERPRISE_A).await;
    let regno = new["registration_number"].as_str().unwrap().to_owned();
    let bad_reason =
        ent.post("/api/cancellations", json!({ "registration_number": regno, "specialties": ["10401010"], "reason": "" })).await;
    assert_eq!(bad_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let other = app.enterprise(ENTERPRISE_B).await;
    let foreign = other.post("/api/cancellations", json!({ "registration_number": regno, "reason": "contract_ended" })).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "an enterprise cannot cancel another's people");
    let partial =
        ent.post("/api/cancellations", json!({ "registration_number": regno, "specialties": ["10401010"], "reason": "other" })).await;
    assert_eq!(partial.status, StatusCode::OK, "{:?}", partial.body);
    assert_eq!(partial.body["whole"], false);
    let third = partial.body["new_licence_id"].as_str().unwrap().to_owned();
    let (v2, entries) = status_list(&app).await;
    assert!(v2 > v1);
    assert_eq!(status_of(&entries, &new_licence).successor.as_deref(), Some(third.as_str()));

    // The city cancels the rest: the certificate is void, the list says so at once.
    let city = app.city().await;
    let whole =
        city.post("/api/cancellations", json!({ "registration_number": regno, "reason": "contract_ended", "note": "劳动合同解除" })).await;
    assert_eq!(whole.status, StatusCode::OK, "{:?}", whole.body);
    assert_eq!(whole.body["whole"], true);
    let (v3, entries) = status_list(&app).await;
    assert!(v3 > v2);
    assert_eq!(status_of(&entries, &third).status, "cancelled");
    let (_, v) = public_get(&app, &format!("/api/verify/{third}")).await;
    assert_eq!(v["status"], "cancelled");
    let again = city.post("/api/cancellations", json!({ "registration_number": regno, "reason": "other" })).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // The public query shows 已注销 and the history has every event.
    let q = app
        .http
        .post(format!("{}/api/public/query", app.url))
        .json(&json!({ "name": ZHAO, "profession": "constructor2", "registration_number": regno }))
        .send()
        .await
        .unwrap();
    let q: Value = q.json().await.unwrap();
    assert_eq!(q["record"]["status"], "已注销");
    let (_, detail) = public_get(&app, q["detail"].as_str().unwrap()).await;
    let kinds: Vec<&str> = detail["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["initial", "renewal", "cancel_partial", "cancel_whole"]);
    app.finish().await;
}
on_both_databases!(renewal_then_cancellation);

async fn query(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let r = app.http.post(format!("{}/api/public/query", app.url)).json(&body).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap())
}

/// The captcha answer as stored (what the image shows).
async fn captcha_answer(app: &TestApp, token: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
    let (a,): (String,) = sqlx::query_as("SELECT answer FROM captchas WHERE token = $1").bind(token).fetch_one(&mut c).await.unwrap();
    a
}

fn captcha_token(html: &str) -> String {
    html.split("name=\"captcha_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

async fn public_query_rules(kind: TestDb) {
    let app = spawn(kind).await;
    let id = app.person_id_number(ZHAO);
    let (s, found) = query(&app, json!({ "name": ZHAO, "profession": "constructor2", "id_number": id })).await;
    assert_eq!(s, StatusCode::OK, "{found}");
    assert_eq!(found["record"]["id_number_masked"], format!("{}**********{}", &id[..6], &id[16..]));
    assert_eq!(found["record"]["status"], "注册有效");
    assert!(!found.to_string().contains(&id), "the full ID number never leaves");
    // Right ID + wrong name answers exactly like an unknown ID.
    let (s1, wrong_name) = query(&app, json!({ "name": "赵雷", "profession": "constructor2", "id_number": id })).await;
    let unknown = erjian_domain::ids::ResidentId::with_check("11010119800101123").unwrap().to_string();
    let (s2, unknown_id) = query(&app, json!({ "name": ZHAO, "profession": "constructor2", "id_number": unknown })).await;
    assert_eq!((s1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(wrong_name, unknown_id);
    // A name alone never lists people.
    let (s, v) = query(&app, json!({ "name": ZHAO, "profession": "constructor2" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("仅凭姓名不能查询"));
    // The detail token cannot be forged or walked.
    let detail = found["detail"].as_str().unwrap().to_owned();
    let forged = detail.replacen("/detail/1", "/detail/2", 1);
    assert_eq!(public_get(&app, &forged).await.0, StatusCode::NOT_FOUND);
    assert_eq!(public_get(&app, &detail).await.0, StatusCode::OK);

    // The page: a wrong captcha is refused, the right one answers, and a captcha works once.
    let page = app.http.get(format!("{}/query", app.url)).send().await.unwrap().text().await.unwrap();
    let token = captcha_token(&page);
    let img = app.http.get(format!("{}/query/captcha/{token}", app.url)).send().await.unwrap();
    assert_eq!(img.headers()["content-type"], "image/png");
    let form = |t: &str, answer: &str| {
        vec![
            ("name", ZHAO.to_owned()),
            ("profession", "constructor2".into()),
            ("key_type", "id_number".into()),
            ("key", id.clone()),
            ("captcha_token", t.to_owned()),
            ("captcha", answer.to_owned()),
        ]
    };
    let answer = captcha_answer(&app, &token).await;
    let wrong = if answer == "00000" { "11111" } else { "00000" };
    let r = app.http.post(format!("{}/query", app.url)).form(&form(&token, wrong)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("验证码错误"));
    let r = app.http.post(format!("{}/query", app.url)).form(&form(&token, &answer)).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("验证码错误"), "a captcha is used up by its first try");
    let page = app.http.get(format!("{}/query", app.url)).send().await.unwrap().text().await.unwrap();
    let token = captcha_token(&page);
    let answer = captcha_answer(&app, &token).await;
    let html = app.http.post(format!("{}/query", app.url)).form(&form(&token, &answer)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("{}**********{}", &id[..6], &id[16..])) && html.contains("注册有效"), "{html}");
    let result = html.split("id=\"query-result\"").nth(1).unwrap();
    assert!(!result.contains(&id), "the result shows only the masked number");
    app.finish().await;
}
on_both_databases!(public_query_rules);

#[tokio::test]
async fn public_requests_are_rate_limited_with_retry_after() {
    let db = fresh_database(TestDb::Sqlite).await.unwrap();
    let app = spawn_limited(&db, erjian_web::clock::Clock::manual(t0()), true, None, "皖", RateLimit { per_minute: 30, burst: 3 }).await;
    for _ in 0..3 {
        assert_eq!(public_get(&app, "/api/verify/unknown").await.0, StatusCode::NOT_FOUND);
    }
    let r = app.http.get(format!("{}/api/verify/unknown", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("访问过于频繁"));
    let page = app.http.get(format!("{}/query", app.url)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS, "pages share the address's budget");
    assert_eq!(app.http.get(format!("{}/healthz", app.url)).send().await.unwrap().status(), StatusCode::OK, "portals are not limited");
    app.finish().await;
}

#[test]
fn qr_statement_payload_shape() {
    let key = erjian_ofd::crypto::KeyPair::generate();
    let st = QrStatement {
        registration_number: "皖2342024202600001".into(),
        licence_id: "X".into(),
        id_masked: "340104**********14".into(),
        valid_until: "2029-01-01".into(),
        issued_at: 1,
        status_index: Some(12),
    };
    let payload = st.sign(&key);
    assert!(payload.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "URL-safe: {payload}");
}

async fn remake_and_lost_reissue(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number(ZHAO), "Geren2026").await;
    let old = certificates(&zhao).await[0]["licence_id"].as_str().unwrap().to_owned();
    let r = zhao.post("/api/certificates/reissue", json!({ "kind": "lost_reissue", "statement": "丢了" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a loss statement is required");
    let r = zhao.post("/api/certificates/reissue", json!({ "kind": "remake" })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let new = r.body["licence_id"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let (_, v) = public_get(&app, &format!("/api/verify/{old}")).await;
    assert_eq!(v["status"], "superseded");
    assert_eq!(v["certificate"]["status_reason"], "重新制证，原证书作废");
    assert_eq!(v["certificate"]["current_licence_id"], new.as_str());
    let again =
        zhao.post("/api/certificates/reissue", json!({ "kind": "lost_reissue", "statement": "证书文件所在电脑损坏，无法找回" })).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "once a day");
    app.advance(1);
    let zhao = app.login(&app.person_id_number(ZHAO), "Geren2026").await;
    let lost =
        zhao.post("/api/certificates/reissue", json!({ "kind": "lost_reissue", "statement": "证书文件所在电脑损坏，无法找回" })).await;
    assert_eq!(lost.status, StatusCode::OK, "{:?}", lost.body);
    let versions: Vec<i64> = certificates(&zhao).await.iter().map(|c| c["version"].as_i64().unwrap()).collect();
    assert_eq!(versions.len(), 3);
    assert!(versions.contains(&3));
    app.finish().await;
}
on_both_databases!(remake_and_lost_reissue);

async fn enterprise_rename_through_the_api(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number(ZHAO), "Geren2026").await;
    let ent_id = zhao.get("/api/registrations").await.body["registrations"][0]["enterprise_id"].as_i64().unwrap();
    let old = certificates(&zhao).await[0]["licence_id"].as_str().unwrap().to_owned();
    let ent = app.enterprise(ENTERPRISE_A).await;
    assert_eq!(
        ent.post(&format!("/api/enterprises/{ent_id}/rename"), json!({ "name": "安徽新华建设集团有限公司" })).await.status,
        StatusCode::FORBIDDEN
    );
    let province = app.province().await;
    let taken = province.post(&format!("/api/enterprises/{ent_id}/rename"), json!({ "name": ENTERPRISE_B })).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "another enterprise's name: {:?}", taken.body);
    let r = province.post(&format!("/api/enterprises/{ent_id}/rename"), json!({ "name": "安徽新华建设集团有限公司" })).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let job = r.body["id"].as_i64().unwrap();
    let mut status = Value::Null;
    for _ in 0..100 {
        status = province.get(&format!("/api/rename-jobs/{job}")).await.body;
        if status["status"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status["status"], "done", "{status}");
    assert_eq!(status["done"], status["total"]);
    let (_, v) = public_get(&app, &format!("/api/verify/{old}")).await;
    assert_eq!(v["status"], "superseded");
    let new = v["certificate"]["current_licence_id"].as_str().unwrap().to_owned();
    let (_, v) = public_get(&app, &format!("/api/verify/{new}")).await;
    assert_eq!(v["certificate"]["enterprise"], "安徽新华建设集团有限公司");
    app.finish().await;
}
on_both_databases!(enterprise_rename_through_the_api);

async fn add_specialty(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number(ZHAO), "Geren2026").await;
    // Not in the register yet: refused with what is missing.
    let r = zhao.post("/api/additions", json!({ "specialties": ["10401002"], "submit": true })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["fields"][0]["message"].as_str().unwrap().contains("资格库"), "{:?}", r.body);
    let r = zhao.post("/api/additions", json!({ "specialties": ["10401001"], "submit": true })).await;
    assert!(r.body["fields"][0]["message"].as_str().unwrap().contains("延续注册"), "a held specialty: {:?}", r.body);
    // The province imports the new qualification; then the addition goes through review.
    let csv = format!(
        "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n赵磊,{},二级注册建造师,公路工程,2026340000123,2026,2026-09-01\n",
        app.person_id_number(ZHAO)
    );
    let province = app.province().await;
    let r =
        province.http.post(format!("{}/api/qualifications/import", app.url)).bearer_auth(&province.token).body(csv).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let r = zhao.post("/api/additions", json!({ "specialties": ["10401002"], "submit": true })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["application"]["kind"], "add_specialty");
    let id = r.body["application"]["id"].as_i64().unwrap();
    app.through_review(&zhao, id).await;
    let zhao = app.login(&app.person_id_number(ZHAO), "Geren2026").await;
    let regs = zhao.get("/api/registrations").await;
    let specs = regs.body["registrations"][0]["specialties"].as_array().unwrap().clone();
    let road = specs.iter().find(|s| s["specialty_code"] == "10401002").expect("added");
    assert_eq!(road["valid_from"], "2026-12-01", "from the announcement day");
    assert_eq!(road["valid_until"], "2029-11-30");
    let certs = certificates(&zhao).await;
    let valid: Vec<&Value> = certs.iter().filter(|c| c["status"] == "valid").collect();
    assert_eq!(valid.len(), 1);
    assert_eq!(valid[0]["version"], 2, "a new certificate version");
    let (_, v) = public_get(&app, &format!("/api/verify/{}", valid[0]["licence_id"].as_str().unwrap())).await;
    assert_eq!(v["certificate"]["specialties"].as_array().unwrap().len(), 3);
    app.finish().await;
}
on_both_databases!(add_specialty);

async fn individual_requests_and_enterprise_confirms(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number(ZHAO), "Geren2026").await;
    let old = certificates(&zhao).await[0]["licence_id"].as_str().unwrap().to_owned();
    zhao.ensure_pin(PIN).await;
    let r = zhao.post("/api/cancellation-requests", json!({ "specialties": ["10401010"], "reason": "contract_ended", "pin": PIN })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let again = zhao.post("/api/cancellation-requests", json!({ "reason": "other", "pin": PIN })).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "one pending request per registration");
    let other = app.enterprise(ENTERPRISE_B).await;
    assert_eq!(other.post(&format!("/api/cancellation-requests/{id}/confirm"), json!({})).await.status, StatusCode::NOT_FOUND);
    let ent = app.enterprise(ENTERPRISE_A).await;
    ent.ensure_pin(PIN).await;
    assert_eq!(
        ent.post(&format!("/api/cancellation-requests/{id}/reject"), json!({ "reason": " " })).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        ent.post(&format!("/api/cancellation-requests/{id}/reject"), json!({ "reason": "项目未完工，暂不同意" })).await.status,
        StatusCode::OK
    );
    let mine = zhao.get("/api/cancellation-requests").await;
    assert_eq!(mine.body["requests"][0]["state"], "rejected");
    assert_eq!(mine.body["requests"][0]["decided_reason"], "项目未完工，暂不同意");
    // Nothing changed while the request waited or was returned.
    let (_, v) = public_get(&app, &format!("/api/verify/{old}")).await;
    assert_eq!(v["status"], "valid");
    let id =
        zhao.post("/api/cancellation-requests", json!({ "specialties": ["10401010"], "reason": "contract_ended", "pin": PIN })).await.body
            ["id"]
            .as_i64()
            .unwrap();
    let r = ent.post(&format!("/api/cancellation-requests/{id}/confirm"), json!({ "pin": PIN })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["outcome"]["whole"], false);
    let (_, v) = public_get(&app, &format!("/api/verify/{old}")).await;
    assert_eq!(v["status"], "superseded", "effective on confirmation, without review");
    assert_eq!(
        ent.post(&format!("/api/cancellation-requests/{id}/confirm"), json!({ "pin": PIN })).await.status,
        StatusCode::NOT_FOUND,
        "handled once"
    );
    app.finish().await;
}
on_both_databases!(individual_requests_and_enterprise_confirms);

async fn change_of_employer(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number(ZHAO), "Geren2026").await;
    let before = zhao.get("/api/registrations").await.body["registrations"][0].clone();
    let same = zhao.post("/api/employer-changes", json!({ "enterprise_name": ENTERPRISE_A, "submit": true })).await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", same.body);
    let r = zhao.post("/api/employer-changes", json!({ "enterprise_name": ENTERPRISE_B, "submit": true })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    assert_eq!(zhao.sign_ok(id).await, "awaiting_enterprise");
    let new_employer = app.enterprise(ENTERPRISE_B).await;
    assert_eq!(new_employer.sign_ok(id).await, "filed", "the new employer seals the form");
    // The authority cannot accept before the previous employer consents to the release.
    let city2 = app.login("city2", "Shenhe2026").await;
    let early = city2.post(&format!("/api/applications/{id}/actions"), json!({ "action": "accept" })).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{:?}", early.body);
    assert!(early.error().contains("原聘用企业尚未同意转出"), "{}", early.error());
    let old_employer = app.enterprise(ENTERPRISE_A).await;
    let releases = old_employer.get("/api/release-consents").await;
    assert_eq!(releases.body["releases"][0]["new_employer"], ENTERPRISE_B);
    assert_eq!(
        old_employer.post(&format!("/api/release-consents/{id}"), json!({ "consent": false })).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(old_employer.post(&format!("/api/release-consents/{id}"), json!({ "consent": true })).await.status, StatusCode::OK);
    city2.act_ok(id, "accept", None).await;
    // A change has the short deadline: three working days from acceptance (25 Nov → 30 Nov).
    let queue = city2.get("/api/applications?state=accepted").await;
    let mine = queue.body["applications"].as_array().unwrap().iter().find(|a| a["id"] == id).cloned().unwrap();
    assert_eq!(mine["deadline"]["due"], "2026-11-30", "{mine}");
    city2.act_ok(id, "prelim_approve", None).await;
    let province = app.province().await;
    province.act_ok(id, "approve", None).await;
    let batch = province.post("/api/batches", json!({ "application_ids": [id] })).await.body["id"].as_i64().unwrap();
    app.advance(6);
    let done = app.province().await.post(&format!("/api/batches/{batch}/announce"), json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let zhao = app.login(&app.person_id_number(ZHAO), "Geren2026").await;
    let after = zhao.get("/api/registrations").await.body["registrations"][0].clone();
    assert_eq!(after["enterprise_name"], ENTERPRISE_B);
    assert_eq!(after["registration_number"], before["registration_number"]);
    assert_eq!(after["specialties"], before["specialties"], "validity is kept");
    let valid: Vec<Value> = certificates(&zhao).await.into_iter().filter(|c| c["status"] == "valid").collect();
    assert_eq!(valid[0]["enterprise_name"], ENTERPRISE_B);
    assert_eq!(valid[0]["version"], 2);
    // Not again within a year.
    let again = zhao.post("/api/employer-changes", json!({ "enterprise_name": ENTERPRISE_A, "submit": true })).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.error().contains("不足一年"), "{}", again.error());
    app.finish().await;
}
on_both_databases!(change_of_employer);

async fn re_registration_after_cancellation(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number(ZHAO), "Geren2026").await;
    let regno = zhao.get("/api/registrations").await.body["registrations"][0]["registration_number"].as_str().unwrap().to_owned();
    let city = app.city().await;
    let r = city.post("/api/cancellations", json!({ "registration_number": regno, "reason": "contract_ended" })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Registering again is a re-registration: the same number comes back, with a new employer.
    let body = json!({ "enterprise_name": ENTERPRISE_B, "mobile": "13800138000", "specialties": ["10401001"], "declaration": true,
        "photo_base64": photo_base64(), "submit": true, "ce_compulsory": 60, "ce_elective": 60 });
    let r = zhao.post("/api/applications", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["application"]["kind"], "re_registration");
    let id = r.body["application"]["id"].as_i64().unwrap();
    assert_eq!(zhao.sign_ok(id).await, "awaiting_enterprise");
    assert_eq!(app.enterprise(ENTERPRISE_B).await.sign_ok(id).await, "filed");
    let city2 = app.login("city2", "Shenhe2026").await;
    city2.act_ok(id, "accept", None).await;
    city2.act_ok(id, "prelim_approve", None).await;
    let province = app.province().await;
    province.act_ok(id, "approve", None).await;
    let batch = province.post("/api/batches", json!({ "application_ids": [id] })).await.body["id"].as_i64().unwrap();
    app.advance(6);
    let done = app.province().await.post(&format!("/api/batches/{batch}/announce"), json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(done.body["announced"][0]["registration_number"], regno.as_str(), "the number is kept");
    let zhao = app.login(&app.person_id_number(ZHAO), "Geren2026").await;
    let reg = zhao.get("/api/registrations").await.body["registrations"][0].clone();
    assert_eq!((reg["status"].as_str(), reg["enterprise_name"].as_str()), (Some("active"), Some(ENTERPRISE_B)));
    let valid: Vec<Value> = certificates(&zhao).await.into_iter().filter(|c| c["status"] == "valid").collect();
    assert_eq!(valid.len(), 1);
    assert_eq!(valid[0]["version"], 2);
    app.finish().await;
}
on_both_databases!(re_registration_after_cancellation);

async fn change_of_name(kind: TestDb) {
    let app = spawn(kind).await;
    let zhao_id = app.person_id_number(ZHAO);
    let zhao = app.login(&zhao_id, "Geren2026").await;
    let bad = zhao
        .post("/api/personal-changes", json!({ "new_name": "赵蕾", "id_front_base64": "", "id_back_base64": "", "submit": true }))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = bad.body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["id_front", "id_back"]);
    let r = zhao
        .post(
            "/api/personal-changes",
            json!({ "new_name": "赵蕾", "id_front_base64": photo_base64(), "id_back_base64": photo_base64(), "submit": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    app.through_review(&zhao, id).await;
    let query = |name: &str| {
        app.http
            .post(format!("{}/api/public/query", app.url))
            .json(&json!({ "name": name, "profession": "constructor2", "id_number": zhao_id }))
            .send()
    };
    assert_eq!(query("赵蕾").await.unwrap().status(), StatusCode::OK, "found under the new name");
    assert_eq!(query(ZHAO).await.unwrap().status(), StatusCode::NOT_FOUND, "not under the old one");
    let zhao = app.login(&zhao_id, "Geren2026").await;
    let valid: Vec<Value> = certificates(&zhao).await.into_iter().filter(|c| c["status"] == "valid").collect();
    assert_eq!((valid[0]["holder_name"].as_str(), valid[0]["version"].as_i64()), (Some("赵蕾"), Some(2)));
    // The qualification register follows the change too (issue 16: “A name or ID-number change
    // also updates the qualification register”).
    let quals = app.server.state.store.qualifications_of(&zhao_id).await.unwrap();
    assert!(!quals.is_empty() && quals.iter().all(|q| q.name == "赵蕾"), "{quals:?}");
    // The reviewers' name search follows the change: every application of the person is found
    // under the new name, none under the old.
    let province = app.province().await;
    let found = |r: &Reply| r.body["applications"].as_array().unwrap().iter().any(|a| a["id"].as_i64() == Some(id));
    assert!(found(&province.get(&format!("/api/applications?q={}", urlencode("赵蕾"))).await));
    assert!(!found(&province.get(&format!("/api/applications?q={}", urlencode(ZHAO))).await));
    app.finish().await;
}
on_both_databases!(change_of_name);

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

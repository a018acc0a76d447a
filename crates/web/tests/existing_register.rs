//! The existing register through the API, on both databases: the authority imports registrations
//! from the previous system (a bad file imports nothing), a paper-certificate holder signs up
//! and exchanges for the first electronic certificate, a temporary constructor extends (capped
//! at the 60th birthday), transfers to another employer with the old one's consent, and
//! cancels; the new-version exchange exists only where the profile offers it.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PAPER_ID: &str = "340104198505050018";
const TEMP_ID: &str = "340104196803010031";

async fn import(app: &TestApp, who: &Api, csv: &str) -> Reply {
    let r = app
        .http
        .post(format!("{}/api/registrations/import", app.url))
        .bearer_auth(&who.token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let status = r.status();
    Reply { status, body: r.json().await.unwrap_or(Value::Null) }
}

async fn signup(app: &TestApp, name: &str, id: &str) -> Api {
    app.signup_as(name, id).await;
    app.login(id, "Geren2026").await
}

fn register_csv(app: &TestApp) -> String {
    let a = app.enterprise_login(ENTERPRISE_A);
    format!(
        "注册编号,姓名,身份证号,注册类别,企业统一社会信用代码,专业,有效期起,有效期至\n\
         皖2341420150800123,孙立,{PAPER_ID},二级注册建造师,{a},建筑工程,2025-06-01,2028-05-31\n\
         皖2341420150800123,孙立,{PAPER_ID},二级注册建造师,{a},市政,2025-06-01,2028-05-31\n\
         皖2340820080800456,钱进,{TEMP_ID},二级临时建造师,{a},公路,2024-01-21,2027-01-20\n"
    )
}

/// Logs in through the page form; returns the portal's CSRF token.
async fn login_page(app: &TestApp, c: &reqwest::Client, user: &str, password: &str) -> String {
    let csrf_of = |html: &str| {
        let i = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
        html[i..i + 64].to_owned()
    };
    let page = c.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let form = [("csrf", csrf_of(&page)), ("username", user.to_owned()), ("password", password.to_owned())];
    let r = c.post(format!("{}/login", app.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    csrf_of(&c.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap())
}

async fn certificates(who: &Api) -> Vec<Value> {
    who.get("/api/certificates").await.body["certificates"].as_array().cloned().unwrap_or_default()
}

async fn paper_certificate_exchange(kind: TestDb) {
    let app = spawn(kind).await;
    let province = app.province().await;
    // Only the authority imports, and a file with one bad row imports nothing.
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    assert_eq!(import(&app, &zhao, &register_csv(&app)).await.status, StatusCode::FORBIDDEN);
    let bad = format!(
        "{}皖2340820080800789,周到,340104198505050019,二级注册建造师,{},建筑,2025-01-01,2028-01-01\n",
        register_csv(&app),
        app.enterprise_login(ENTERPRISE_A)
    );
    let r = import(&app, &province, &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["rows"][0]["line"], 5, "{:?}", r.body);
    // The same import on the authority's page: an unknown enterprise is named with its line.
    let unknown = register_csv(&app).replace(&app.enterprise_login(ENTERPRISE_A), "91340100MA2T5YYYY0");
    let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let csrf = login_page(&app, &c, "province", "Shenhe2026").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("what", "registrations")
        .part("file", reqwest::multipart::Part::bytes(unknown.into_bytes()).file_name("register.csv").mime_str("text/csv").unwrap());
    let r = c.post(format!("{}/admin/import", app.url)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("legacy-import-errors") && page.contains("第2行") && page.contains("尚未在系统中登记"), "{page}");
    let r = import(&app, &province, &register_csv(&app)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["imported"], 2);
    let again = import(&app, &province, &register_csv(&app)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "a second import of the same numbers is refused");
    assert!(again.body["rows"][0]["message"].as_str().unwrap().contains("已存在"), "{:?}", again.body);

    // The holder is not in the qualification register, yet may sign up: the name matches a registration.
    let sun = signup(&app, "孙立", PAPER_ID).await;
    let regs = sun.get("/api/registrations").await.body["registrations"].clone();
    assert_eq!(regs[0]["registration_number"], "皖2341420150800123");
    assert!(certificates(&sun).await.is_empty(), "a paper holder has no electronic certificate yet");

    let no_confirm = sun.post("/api/certificates/paper-exchange", json!({ "photo_base64": photo_base64() })).await;
    assert_eq!(no_confirm.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_confirm.body["fields"][0]["message"].as_str().unwrap().contains("确认"), "{:?}", no_confirm.body);
    let tiny = sun.post("/api/certificates/paper-exchange", json!({ "photo_base64": "iVBORw0KGgo=", "confirm": true })).await;
    assert_eq!(tiny.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", tiny.body);
    // The portal offers the exchange to a holder without an electronic certificate; the form issues it.
    let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let csrf = login_page(&app, &c, PAPER_ID, "Geren2026").await;
    let portal = c.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(portal.contains("纸质证书换领电子证书"), "the portal offers the exchange");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("confirm", "1")
        .part("photo", reqwest::multipart::Part::bytes(photo_png()).file_name("photo.png").mime_str("image/png").unwrap());
    let r = c.post(format!("{}/certificates/paper-exchange", app.url)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let portal = c.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(portal.contains("电子注册证书") && !portal.contains("纸质证书换领电子证书"), "the certificate replaces the offer");
    let licence = certificates(&sun).await[0]["licence_id"].as_str().unwrap().to_owned();
    assert!(licence.ends_with(&format!(".001.{}", licence.chars().last().unwrap())), "first version: {licence}");
    let certs = certificates(&sun).await;
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0]["status"], "valid");
    let (status, v) = {
        let r = app.http.get(format!("{}/api/verify/{licence}", app.url)).send().await.unwrap();
        (r.status(), r.json::<Value>().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], "valid", "{v}");
    let twice = sun.post("/api/certificates/paper-exchange", json!({ "photo_base64": photo_base64(), "confirm": true })).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.error().contains("无需换领"), "{}", twice.error());
    // 皖 does not run the new-version exchange.
    let nv = sun.post("/api/certificates/new-version", json!({ "signature_base64": photo_base64() })).await;
    assert_eq!(nv.status, StatusCode::CONFLICT);
    assert!(nv.error().contains("未开展"), "{}", nv.error());
    app.finish().await;
}
on_both_databases!(paper_certificate_exchange);

async fn temporary_constructor_extension_transfer_and_cancellation(kind: TestDb) {
    let app = spawn(kind).await;
    let province = app.province().await;
    assert_eq!(import(&app, &province, &register_csv(&app)).await.status, StatusCode::CREATED);
    let qian = signup(&app, "钱进", TEMP_ID).await;
    // A temporary constructor has no initial registration.
    let initial = qian.apply(ENTERPRISE_A, &["10401002"], false).await;
    assert_ne!(initial.status, StatusCode::CREATED, "{:?}", initial.body);
    let ok = qian.post("/api/certificates/paper-exchange", json!({ "photo_base64": photo_base64(), "confirm": true })).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
    // The face says what the holder is: 二级临时建造师, 公路工程.
    let id = certificates(&qian).await[0]["id"].as_i64().unwrap();
    let file = qian.http.get(format!("{}/api/certificates/{id}/download", app.url)).bearer_auth(&qian.token).send().await.unwrap();
    let pkg = erjian_ofd::Package::from_bytes(&file.bytes().await.unwrap()).unwrap();
    let text: String = erjian_ofd::reader::read(&pkg).unwrap().pages.iter().flat_map(|p| p.texts.iter().map(|t| t.text.clone())).collect();
    assert!(text.contains("二级临时建造师注册证书") && text.contains("公路工程") && text.contains("钱进"), "{text}");

    // Extension (延期) inside the window: three more years, capped at the day before the 60th birthday.
    let r = qian
        .post("/api/renewals", json!({ "specialties": [{ "specialty": "10401002", "compulsory": 60, "elective": 60 }], "submit": true }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app.through_review(&qian, r.body["application"]["id"].as_i64().unwrap()).await;
    let qian = app.login(TEMP_ID, "Geren2026").await;
    let reg = qian.get("/api/registrations").await.body["registrations"][0].clone();
    assert_eq!(reg["specialties"][0]["valid_until"], "2028-02-29", "{reg}");
    let valid: Vec<Value> = certificates(&qian).await.into_iter().filter(|c| c["status"] == "valid").collect();
    assert_eq!(valid[0]["version"], 2);

    // Transfer (变更执业企业): the new employer seals, the old one consents to the transfer-out.
    let r = qian.post("/api/employer-changes", json!({ "enterprise_name": ENTERPRISE_B, "submit": true })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    assert_eq!(qian.sign_ok(id).await, "awaiting_enterprise");
    assert_eq!(app.enterprise(ENTERPRISE_B).await.sign_ok(id).await, "filed");
    let old = app.enterprise(ENTERPRISE_A).await;
    assert_eq!(old.post(&format!("/api/release-consents/{id}"), json!({ "consent": true })).await.status, StatusCode::OK);
    app.review_and_announce(id, "city2").await;
    let qian = app.login(TEMP_ID, "Geren2026").await;
    let reg = qian.get("/api/registrations").await.body["registrations"][0].clone();
    assert_eq!(reg["enterprise_name"], ENTERPRISE_B);
    assert_eq!(reg["specialties"][0]["valid_until"], "2028-02-29", "validity kept");

    // Cancellation by the new employer: the certificate is void.
    let b = app.enterprise(ENTERPRISE_B).await;
    let r = b.post("/api/cancellations", json!({ "registration_number": "皖2340820080800456", "reason": "contract_ended" })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(certificates(&qian).await.iter().all(|c| c["status"] != "valid"));
    app.finish().await;
}
on_both_databases!(temporary_constructor_extension_transfer_and_cancellation);

async fn new_version_exchange_in_shanghai(kind: TestDb) {
    let app = spawn_in(kind, "沪").await;
    let person = app.person_id_number("赵磊");
    let zhao = app.login(&person, "Geren2026").await;
    let before = certificates(&zhao).await;
    let old = before.iter().find(|c| c["status"] == "valid").unwrap()["licence_id"].as_str().unwrap().to_owned();
    let missing = zhao.post("/api/certificates/new-version", json!({})).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sig = erjian_cert::synthetic::signature_png(7);
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &sig);
    // 上海 notice 二: “证书在有效期内且尚未办理其他申请事项的二级注册人员自助换领新版注册证书” — not while
    // another application is open (here a renewal being prepared); once it is withdrawn, yes.
    let renewal = zhao.post("/api/renewals", json!({ "specialties": [{ "specialty": "10401001", "compulsory": 60, "elective": 60 }, { "specialty": "10401010", "compulsory": 60, "elective": 60 }] })).await;
    assert_eq!(renewal.status, StatusCode::CREATED, "{:?}", renewal.body);
    let open_id = renewal.body["application"]["id"].as_i64().unwrap();
    let busy = zhao.post("/api/certificates/new-version", json!({ "signature_base64": b64 })).await;
    assert_eq!(busy.status, StatusCode::CONFLICT, "{:?}", busy.body);
    assert!(busy.body["error"].as_str().unwrap().contains("尚未办结的申请事项（延续注册"), "{:?}", busy.body);
    let w = zhao.post(&format!("/api/applications/{open_id}/actions"), json!({ "action": "withdraw" })).await;
    assert_eq!(w.status, StatusCode::OK, "{:?}", w.body);
    let r = zhao.post("/api/certificates/new-version", json!({ "signature_base64": b64 })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let new = r.body["licence_id"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let v: Value = app.http.get(format!("{}/api/verify/{old}", app.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "superseded");
    assert_eq!(v["certificate"]["status_reason"], "已换领新版电子证书");
    let again = zhao.post("/api/certificates/new-version", json!({ "signature_base64": b64 })).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "once a day");
    app.finish().await;
}
on_both_databases!(new_version_exchange_in_shanghai);

async fn id_number_correction(kind: TestDb) {
    let app = spawn(kind).await;
    let old_id = app.person_id_number("赵磊");
    let zhao = app.login(&old_id, "Geren2026").await;
    let file =
        |id: &str| json!({ "new_id_number": id, "id_front_base64": photo_base64(), "id_back_base64": photo_base64(), "submit": true });
    for (bad, why) in [("340104197906110057", "校验"), (old_id.as_str(), "相同"), (app.person_id_number("李娜").as_str(), "另一人员")]
    {
        let r = zhao.post("/api/personal-changes", file(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {:?}", r.body);
        assert_eq!(r.body["fields"][0]["field"], "new_id_number");
        assert!(r.body["fields"][0]["message"].as_str().unwrap().contains(why), "{bad}: {:?}", r.body);
    }
    let new_id = "340104197906110056";
    let r = zhao.post("/api/personal-changes", file(new_id)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app.through_review(&zhao, r.body["application"]["id"].as_i64().unwrap()).await;

    // The corrected number is the login, the public query key and the certificate's.
    let r =
        app.http.post(format!("{}/api/login", app.url)).json(&json!({ "username": old_id, "password": "Geren2026" })).send().await.unwrap();
    assert_ne!(r.status(), StatusCode::OK, "the old number no longer logs in");
    let zhao = app.login(new_id, "Geren2026").await;
    let valid: Vec<Value> = certificates(&zhao).await.into_iter().filter(|c| c["status"] == "valid").collect();
    let masked = erjian_domain::ids::mask_id_number(new_id);
    assert_ne!(masked, erjian_domain::ids::mask_id_number(&old_id));
    assert_eq!((valid[0]["id_masked"].as_str(), valid[0]["version"].as_i64()), (Some(masked.as_str()), Some(2)));
    let query = |id: &str| {
        app.http
            .post(format!("{}/api/public/query", app.url))
            .json(&json!({ "name": "赵磊", "profession": "constructor2", "id_number": id }))
            .send()
    };
    assert_eq!(query(new_id).await.unwrap().status(), StatusCode::OK);
    assert_eq!(query(&old_id).await.unwrap().status(), StatusCode::NOT_FOUND);
    // Neither number is stored in the clear: not the person, the login, the qualification
    // records, the change's application, the forms nor the certificates.
    app.assert_not_stored_in_clear(new_id).await;
    app.assert_not_stored_in_clear(&old_id).await;
    app.finish().await;
}
on_both_databases!(id_number_correction);

async fn verify_copy(app: &TestApp, token: &str) -> Value {
    app.http.get(format!("{}/api/verify/copy/{token}", app.url)).send().await.unwrap().json().await.unwrap()
}

async fn usage_copies_in_shanghai(kind: TestDb) {
    let app = spawn_in(kind, "沪").await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let bad = zhao.post("/api/usage-copies", json!({ "purpose": "", "days": 0 })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = bad.body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["purpose", "days"]);
    let too_long = zhao.post("/api/usage-copies", json!({ "purpose": "滨江花园项目投标", "days": 91 })).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY, "沪 allows at most 90 days");
    let r = zhao.post("/api/usage-copies", json!({ "purpose": "滨江花园项目投标", "days": 10 })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["copy"]["valid_until"], "2026-12-04", "ten days, today included");
    let token = r.body["copy"]["token"].as_str().unwrap().to_owned();
    // The copy is a sealed OFD that says what it is for and until when.
    let file = zhao.http.get(format!("{}{}", app.url, r.body["download"].as_str().unwrap())).bearer_auth(&zhao.token).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    let copy_file = file.bytes().await.unwrap().to_vec();
    let pkg = erjian_ofd::Package::from_bytes(&copy_file).unwrap();
    let text: String = erjian_ofd::reader::read(&pkg).unwrap().pages.iter().flat_map(|p| p.texts.iter().map(|t| t.text.clone())).collect();
    assert!(text.contains("使用件") && text.contains("滨江花园项目投标") && text.contains("2026年12月04日"), "{text}");
    let report = erjian_ofd::seal::verify(&pkg, &erjian_ofd::seal::VerifyOptions::default()).unwrap();
    assert!(report.all_valid(), "the copy carries the authority's seal");
    // Anyone verifies it by its token: valid within its period, expired after.
    let v = verify_copy(&app, &token).await;
    assert_eq!((v["copy"]["valid"].as_bool(), v["copy"]["label"].as_str()), (Some(true), Some("使用件有效")), "{v}");
    let page = app.http.get(format!("{}/verify/copy/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("使用件有效") && page.contains("滨江花园项目投标"));
    app.advance(10);
    let v = verify_copy(&app, &token).await;
    assert_eq!((v["copy"]["valid"].as_bool(), v["copy"]["label"].as_str()), (Some(false), Some("使用件已过期")), "{v}");
    // The file check says so too: the seal is intact, the certificate valid, the copy expired.
    let checked: Value = app.http.post(format!("{}/api/public/check", app.url)).body(copy_file).send().await.unwrap().json().await.unwrap();
    assert_eq!((checked["seal_valid"].as_bool(), checked["copy"]["valid"].as_bool()), (Some(true), Some(false)), "{checked}");
    assert!(checked["summary"].as_str().unwrap().contains("使用件已过期"), "{checked}");
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    assert_eq!(zhao.get("/api/usage-copies").await.body["copies"].as_array().unwrap().len(), 1);
    app.finish().await;

    // 皖 has no usage copies.
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let r = zhao.post("/api/usage-copies", json!({ "purpose": "滨江花园项目投标", "days": 10 })).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error().contains("未开展使用件业务"), "{}", r.error());
    app.finish().await;
}
on_both_databases!(usage_copies_in_shanghai);

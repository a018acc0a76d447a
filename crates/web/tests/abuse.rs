//! Abuse of the open and login endpoints, on both databases. Found by an attacker's test:
//! five wrong passwords locked any account (the administrator's included) for anyone who kept
//! trying; locked, unknown and wrong answers differed; sign-up answered 409 when an account
//! existed and 422 when not (a name/ID-number oracle); login, sign-up and the PIN reset had no
//! per-address limit; the PIN reset's password check was neither counted nor audited.

use crate::common;
use common::*;
use erjian_store::testing::{fresh_database, TestDb};
use erjian_web::clock::Clock;
use reqwest::StatusCode;
use serde_json::json;
use std::net::IpAddr;

/// A client whose requests come from another loopback address.
fn from(addr: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::from(addr)).build().unwrap()
}

async fn login(app: &TestApp, c: &reqwest::Client, user: &str, pw: &str) -> (StatusCode, String) {
    let r = c.post(format!("{}/api/login", app.url)).json(&json!({ "username": user, "password": pw })).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
    let rows: Vec<(String,)> = sqlx::query_as("SELECT action FROM audit_log ORDER BY id").fetch_all(&mut c).await.unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

async fn a_stranger_cannot_lock_anyone_out(kind: TestDb) {
    let app = spawn(kind).await;
    let stranger = from([127, 0, 0, 1]);
    let owner = from([127, 0, 0, 2]);
    let unknown = login(&app, &stranger, "no-such-user", "Wrong1234").await;
    assert_eq!(unknown.0, StatusCode::UNAUTHORIZED);
    for _ in 0..7 {
        let wrong = login(&app, &stranger, "admin", "Wrong1234").await;
        assert_eq!(wrong, unknown, "a wrong password answers exactly as an unknown account");
    }
    // Paused for the stranger's address: even the right password gets the same answer…
    assert_eq!(login(&app, &stranger, "admin", "Admin2026").await, unknown, "paused answers look the same");
    // …while the administrator at their own address signs in as usual.
    assert_eq!(login(&app, &owner, "admin", "Admin2026").await.0, StatusCode::OK);
    let actions = audit_actions(&app).await;
    assert!(actions.iter().any(|a| a == "login_paused"), "{actions:?}");
    assert!(actions.iter().filter(|a| *a == "login_failed").count() >= 4);
    // After the pause the stranger's address may try again.
    app.advance_minutes(16);
    assert_eq!(login(&app, &stranger, "admin", "Admin2026").await.0, StatusCode::OK);
    app.finish().await;
}
on_both_databases!(a_stranger_cannot_lock_anyone_out);

async fn sign_up_is_no_oracle(kind: TestDb) {
    let app = spawn(kind).await;
    let post = |path: &'static str, body: serde_json::Value| {
        let (http, url) = (app.http.clone(), app.url.clone());
        async move {
            let r = http.post(format!("{url}{path}")).json(&body).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let body = |name: &str, id: &str, mobile: &str| json!({ "name": name, "id_number": id, "mobile": mobile, "password": "Geren2026x" });
    // 赵磊 has an account; 张伟 is qualified without one but the name given is wrong; the third
    // ID number is valid and unknown. Asking for a code answers the same for all three.
    let (zhao, zhang) = (app.person_id_number("赵磊"), app.person_id_number("张伟"));
    let has_account = post("/api/signup/code", body("赵磊", &zhao, "13700000001")).await;
    let wrong_name = post("/api/signup/code", body("张三", &zhang, "13700000002")).await;
    let unknown = post("/api/signup/code", body("李四", "11010519491231002X", "13700000003")).await;
    assert_eq!(has_account.0, StatusCode::ACCEPTED);
    assert_eq!(has_account, wrong_name);
    assert_eq!(has_account, unknown);
    // The code for 赵磊's document went to his registered mobile, telling him; the typed number
    // got nothing.
    let outbox = erjian_web::sms::LogSms::outbox(app.server.state.outbox.as_ref().unwrap(), 50);
    assert!(!outbox.iter().any(|(name, _)| name.contains("-13700000001.")), "{outbox:?}");
    assert!(outbox.iter().any(|(_, text)| text.contains("已开户")), "{outbox:?}");
    // Signing up: no code to the typed number and a wrong code answer alike; a right code for a
    // wrong name and for an unknown document answer alike too.
    let mut zhao_try = body("赵磊", &zhao, "13700000001");
    zhao_try["code"] = json!("123456");
    let mut wrong_code = body("张三", &zhang, "13700000002");
    wrong_code["code"] = json!(if app.newest_code_to("13700000002") == "123456" { "654321" } else { "123456" });
    let a = post("/api/signup/individual", zhao_try).await;
    let b = post("/api/signup/individual", wrong_code).await;
    assert_eq!(a.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a, b);
    let mut wrong_name = body("张三", &zhang, "13700000002");
    wrong_name["code"] = json!(app.newest_code_to("13700000002"));
    let mut unknown = body("李四", "11010519491231002X", "13700000003");
    unknown["code"] = json!(app.newest_code_to("13700000003"));
    let (c, d) = (post("/api/signup/individual", wrong_name).await, post("/api/signup/individual", unknown).await);
    assert_eq!(c.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(c, d);
    assert!(c.1.contains("无法开户"));
    // A code is bound to its document: 张伟's code does not open 赵磊's (or anyone else's).
    let _ = post("/api/signup/code", body("张伟", &zhang, "13700000004")).await;
    let mut swap = body("赵磊", &zhao, "13700000004");
    swap["code"] = json!(app.newest_code_to("13700000004"));
    assert_eq!(post("/api/signup/individual", swap).await, a);
    app.finish().await;
}
on_both_databases!(sign_up_is_no_oracle);

async fn credential_endpoints_are_limited_per_address(kind: TestDb) {
    let db = fresh_database(kind).await.unwrap();
    // Public pages 60 a minute with a burst of 8: credential requests a quarter of the rate.
    let app = spawn_limited(&db, Clock::manual(t0()), true, None, "皖", RateLimit { per_minute: 60, burst: 8 }).await;
    let a = from([127, 0, 0, 1]);
    let mut statuses = vec![];
    for _ in 0..10 {
        statuses.push(login(&app, &a, "city1", "Shenhe2026").await.0);
    }
    assert!(statuses[..8].iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    assert_eq!(statuses[9], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    // Sign-up shares the bucket; another address has its own.
    let r = a.post(format!("{}/api/signup/individual", app.url)).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(login(&app, &from([127, 0, 0, 3]), "city1", "Shenhe2026").await.0, StatusCode::OK);
    app.finish().await;
}
on_both_databases!(credential_endpoints_are_limited_per_address);

async fn the_pin_reset_password_check_counts_and_is_audited(kind: TestDb) {
    let app = spawn(kind).await;
    let id = app.person_id_number("赵磊");
    let zhao = app.login(&id, "Geren2026").await;
    zhao.ensure_pin(PIN).await;
    for _ in 0..5 {
        let r = zhao.post("/api/signing/reset", json!({ "password": "Wrong1234", "new_pin": "Pin-2027!" })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    }
    // The five failures paused this address: a login with the right password is refused too.
    let (s, _) = login(&app, &app.http, &id, "Geren2026").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the reset's failures count toward the lock-out");
    let r = zhao.post("/api/signing/reset", json!({ "password": "Geren2026", "new_pin": "Pin-2027!" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "paused for the reset as well");
    let actions = audit_actions(&app).await;
    assert!(actions.iter().filter(|a| *a == "signing_reset_password_failed").count() >= 4, "{actions:?}");
    app.finish().await;
}
on_both_databases!(the_pin_reset_password_check_counts_and_is_audited);

/// A small upload that inflates into millions of XML elements (a 58 KB one cost 15.9 s of CPU
/// and 1.5 GB before): refused cleanly within the upload limits, while `/healthz` answers.
async fn a_hostile_upload_is_bounded(kind: TestDb) {
    let app = spawn(kind).await;
    let mut bombs = Vec::new();
    for elements in [900_000usize, 3_000_000] {
        let mut p = erjian_ofd::Package::new();
        let body = "<ofd:B/>".repeat(elements);
        let xml = format!("<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"><ofd:DocBody>{body}</ofd:DocBody></ofd:OFD>");
        p.put("OFD.xml", xml.into_bytes());
        let bytes = p.to_bytes();
        assert!(bytes.len() < 200_000, "a small upload: {} bytes", bytes.len());
        bombs.push(bytes);
    }
    let started = std::time::Instant::now();
    let checks: Vec<_> = bombs
        .into_iter()
        .map(|b| {
            let (http, url) = (app.http.clone(), app.url.clone());
            tokio::spawn(async move { http.post(format!("{url}/api/public/check")).body(b).send().await.unwrap() })
        })
        .collect();
    let health = app.http.get(format!("{}/healthz", app.url)).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let mut answers = Vec::new();
    for c in checks {
        let r = c.await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["seal_valid"], false);
        assert!(v["summary"].as_str().unwrap().contains("无法核验"), "{v}");
        answers.push(v);
    }
    // Stopped by the limits, not after building the whole tree: the element count…
    assert!(answers[0]["failures"][0].as_str().unwrap_or_default().contains("elements"), "{}", answers[0]);
    // …and the inflated size of an upload.
    assert!(answers[1]["summary"].as_str().unwrap().contains("过大"), "{}", answers[1]);
    eprintln!("two hostile uploads refused in {:?}", started.elapsed());
    app.finish().await;
}
on_both_databases!(a_hostile_upload_is_bounded);

/// Images are decoded, never trusted by their headers: a 177-byte PNG claiming 100,000 ×
/// 100,000 pixels (which aborted the server when a PDF was drawn) and a junk "JPEG" (which
/// reached a sealed certificate) are refused with a Chinese message, and nothing is stored.
async fn images_are_decoded_not_trusted(kind: TestDb) {
    use base64::Engine;
    let app = spawn(kind).await;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    // A well-formed PNG header (the encoder writes it with its checksum) and no pixels.
    let mut huge = Vec::new();
    {
        let mut e = png::Encoder::new(&mut huge, 100_000, 100_000);
        e.set_color(png::ColorType::Rgb);
        drop(e.write_header().unwrap());
    }
    huge.resize(177, 0);
    let mut junk = vec![0xFF, 0xD8, 0xFF, 0xE0];
    junk.resize(6000, b'A');

    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    zhao.ensure_pin(PIN).await;
    for (what, bytes) in [("huge", &huge), ("junk", &junk)] {
        let r = zhao.put("/api/signing/image", json!({ "image_base64": b64(bytes) })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {:?}", r.body);
        assert!(r.body["fields"][0]["message"].as_str().unwrap().contains("图片"), "{what}: {:?}", r.body);
    }
    let nv = zhao
        .post(
            "/api/personal-changes",
            json!({ "new_id_number": "340104197906110056", "id_front_base64": b64(&junk), "id_back_base64": b64(&huge), "submit": false }),
        )
        .await;
    assert_eq!(nv.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", nv.body);
    let fields: Vec<&str> = nv.body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"id_front") && fields.contains(&"id_back"), "{fields:?}");
    // The holder's certificate still renders to PDF: nothing bad was stored.
    let cert = zhao.get("/api/certificates").await.body["certificates"][0]["id"].as_i64().unwrap();
    let pdf =
        zhao.http.get(format!("{}/api/certificates/{cert}/download?format=pdf", app.url)).bearer_auth(&zhao.token).send().await.unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    app.finish().await;
}
on_both_databases!(images_are_decoded_not_trusted);

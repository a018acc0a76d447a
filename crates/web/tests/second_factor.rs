//! 动态口令 (TOTP) for authority and administrator accounts, on both databases: required for all of
//! them by a profile setting, optional otherwise; a password alone opens a session good for
//! nothing but the second step; a code works once; five wrong codes end the attempt; the security
//! administrator resets a lost factor. People and enterprises are never asked.

use crate::common;
use common::*;
use erjian_store::second_factor::code_now;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn login_raw(app: &TestApp, username: &str, password: &str) -> Value {
    let r =
        app.http.post(format!("{}/api/login", app.url)).json(&json!({ "username": username, "password": password })).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

fn pending(app: &TestApp, token: &str) -> Api {
    Api { base: app.url.clone(), token: token.to_owned(), http: app.http.clone() }
}

async fn required_for_staff_by_the_profile(kind: TestDb) {
    let mut profile: Value = serde_json::from_str(include_str!("../../domain/profiles/34.json")).unwrap();
    profile["staff_second_factor"] = json!(true);
    let file = std::env::temp_dir().join(format!("erjian-2fa-{}-{:?}.json", std::process::id(), kind));
    std::fs::write(&file, profile.to_string()).unwrap();
    let app = spawn_profile_file(kind, &file).await;

    // A person is not asked.
    assert!(login_raw(&app, &app.person_id_number("赵磊"), "Geren2026").await["token"].is_string());
    // The city's password alone: a pending token, refused everywhere but the second step.
    let first = login_raw(&app, "city1", "Shenhe2026").await;
    assert_eq!(first["second_factor"], true);
    let token = first["pending_token"].as_str().unwrap().to_owned();
    let half = pending(&app, &token);
    assert_eq!(half.get("/api/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(half.get("/api/applications").await.status, StatusCode::UNAUTHORIZED);
    let what = half.get("/api/login/second-factor").await;
    let secret = what.body["Enrol"]["secret"].as_str().expect("enrols first").to_owned();
    assert!(what.body["Enrol"]["uri"].as_str().unwrap().starts_with("otpauth://totp/erjian:city1?secret="));
    let right = code_now(&secret, app.clock.now()).unwrap();
    let wrong = if right == "000000" { "111111" } else { "000000" };
    let r = half.post("/api/login/second-factor", json!({ "code": wrong })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["fields"][0]["message"].as_str().unwrap().contains("还可再试4次"), "{:?}", r.body);
    let r = half.post("/api/login/second-factor", json!({ "code": right })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(half.get("/api/me").await.body["username"], "city1", "the same token is now whole");

    // The same code again, in a new login at the same moment: used, refused.
    let again = pending(&app, login_raw(&app, "city1", "Shenhe2026").await["pending_token"].as_str().unwrap());
    assert_eq!(again.get("/api/login/second-factor").await.body, json!("Code"));
    assert_eq!(again.post("/api/login/second-factor", json!({ "code": right })).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.advance_minutes(1);
    let next = code_now(&secret, app.clock.now()).unwrap();
    assert_eq!(again.post("/api/login/second-factor", json!({ "code": next })).await.status, StatusCode::OK);

    // Five wrong codes end the attempt.
    let tries = pending(&app, login_raw(&app, "city1", "Shenhe2026").await["pending_token"].as_str().unwrap());
    let mut last = StatusCode::OK;
    for _ in 0..5 {
        last = tries.post("/api/login/second-factor", json!({ "code": "99999a" })).await.status;
    }
    assert_eq!(last, StatusCode::CONFLICT);
    app.advance_minutes(1);
    let late = code_now(&secret, app.clock.now()).unwrap();
    assert_ne!(tries.post("/api/login/second-factor", json!({ "code": late })).await.status, StatusCode::OK, "the attempt is over");

    // Every staff account, the security administrator's too.
    let sec = login_raw(&app, "security", "Anquan2026").await;
    assert_eq!(sec["second_factor"], true, "the security administrator is staff too");
    app.finish().await;
    let _ = std::fs::remove_file(file);
}
on_both_databases!(required_for_staff_by_the_profile);

/// Without the profile's rule a staff account turns the factor on itself, from 账号安全; after
/// that its logins ask for a code. The security administrator can reset it.
async fn optional_for_staff_otherwise(kind: TestDb) {
    let app = spawn(kind).await;
    assert!(login_raw(&app, "city1", "Shenhe2026").await["token"].is_string(), "not asked by default");
    let c = app.page_login("city1", "Shenhe2026").await;
    let account = c.get(format!("{}/account", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(account.contains("启用动态口令"));
    let r = c.post(format!("{}/account/second-factor", app.url)).form(&[("csrf", csrf_of(&account))]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/login/second-factor");
    let page = c.get(format!("{}/login/second-factor", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<svg class=\"qr\"") && page.contains("id=\"totp-secret\""), "{page}");
    let secret = page.split("id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    // The waiting session is no longer good for the portal.
    assert_ne!(c.get(format!("{}/portal", app.url)).send().await.unwrap().status(), StatusCode::OK);
    let form = [("csrf", csrf_of(&page)), ("code", code_now(&secret, app.clock.now()).unwrap())];
    let done = c.post(format!("{}/login/second-factor", app.url)).form(&form).send().await.unwrap();
    assert_eq!(done.headers()["location"], "/portal");
    assert_eq!(c.get(format!("{}/portal", app.url)).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(login_raw(&app, "city1", "Shenhe2026").await["second_factor"], true);

    // Reset by the security administrator (and nobody else).
    let admin = app.page_login("admin", "Admin2026").await;
    let admin_page = admin.get(format!("{}/account", app.url)).send().await.unwrap().text().await.unwrap();
    let r = admin
        .post(format!("{}/security/reset-factor", app.url))
        .form(&[("csrf", csrf_of(&admin_page)), ("username", "city1".into())])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), StatusCode::OK);
    let security = app.page_login("security", "Anquan2026").await;
    let sec_page = security.get(format!("{}/security", app.url)).send().await.unwrap().text().await.unwrap();
    let r = security
        .post(format!("{}/security/reset-factor", app.url))
        .form(&[("csrf", csrf_of(&sec_page)), ("username", "city1".into())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(r.contains("已重置账号 city1 的动态口令"), "{r}");
    assert!(login_raw(&app, "city1", "Shenhe2026").await["token"].is_string(), "back to the password alone");
    app.finish().await;
}
on_both_databases!(optional_for_staff_otherwise);

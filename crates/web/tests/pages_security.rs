//! The portals' security as a browser meets it: session cookie flags, CSRF on every form, the
//! tenant rule on pages, and redirects for anonymous visitors.

use crate::common;

use common::*;
use erjian_store::testing::TestDb;
use reqwest::{redirect::Policy, StatusCode};

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

/// Extracts `name="csrf" value="…"` from a page.
fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    html[i..i + 64].to_owned()
}

async fn login_page(app: &TestApp, c: &reqwest::Client, user: &str, pw: &str) -> String {
    let page = c.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let r = c
        .post(format!("{}/login", app.url))
        .form(&[("csrf", csrf_of(&page).as_str()), ("username", user), ("password", pw)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("erjian_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let portal = c.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    csrf_of(&portal)
}

async fn forms_need_csrf_and_tenants_stay_apart(db: TestDb) {
    let app = spawn(db).await;
    // Anonymous: the portal sends you to the login page.
    let c = browser();
    let r = c.get(format!("{}/portal", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");

    // A login form without the matching CSRF token is refused.
    let r = c
        .post(format!("{}/login", app.url))
        .form(&[("csrf", "x"), ("username", "city1"), ("password", "Shenhe2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("CSRF"));

    // Wrong password on the page: a Chinese message, no session.
    let page = c.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let r = c
        .post(format!("{}/login", app.url))
        .form(&[("csrf", csrf_of(&page).as_str()), ("username", "city1"), ("password", "nope12345")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("用户名或密码错误"));

    // An application waiting for enterprise A.
    let zhang = app.signup("张伟").await;
    let id = zhang.apply(ENTERPRISE_A, &["10401001"], true).await.body["application"]["id"].as_i64().unwrap();
    zhang.sign_ok(id).await;
    app.enterprise(ENTERPRISE_A).await.ensure_pin(PIN).await;

    // Enterprise A's browser: a forged sealing form (wrong token) changes nothing.
    let a = browser();
    let token = login_page(&app, &a, &app.enterprise_login(ENTERPRISE_A), "Qiye2026").await;
    let r = a
        .post(format!("{}/applications/{id}/sign", app.url))
        .form(&[("csrf", "0".repeat(64).as_str()), ("pin", PIN)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(zhang.get(&format!("/api/applications/{id}")).await.body["application"]["state"], "awaiting_enterprise");
    // With the session's token it works and redirects back with a message.
    let r = a.post(format!("{}/applications/{id}/sign", app.url)).form(&[("csrf", token.as_str()), ("pin", PIN)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(zhang.get(&format!("/api/applications/{id}")).await.body["application"]["state"], "filed");

    // Enterprise B's browser cannot open A's application or its photo.
    let b = browser();
    login_page(&app, &b, &app.enterprise_login(ENTERPRISE_B), "Qiye2026").await;
    for path in [format!("/applications/{id}"), format!("/applications/{id}/photo")] {
        let r = b.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // The applicant's own page shows the photo.
    let z = browser();
    login_page(&app, &z, &app.person_id_number("张伟"), "Geren2026").await;
    let r = z.get(format!("{}/applications/{id}/photo", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(same_picture(&r.bytes().await.unwrap(), &photo_png()), "the photo as uploaded, re-encoded");

    // Logging out ends the session in the database, not just the cookie.
    let portal = z.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    let r = z.post(format!("{}/logout", app.url)).form(&[("csrf", csrf_of(&portal).as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(z.get(format!("{}/portal", app.url)).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    app.finish().await;
}
on_both_databases!(forms_need_csrf_and_tenants_stay_apart);

async fn csv_exports_follow_the_tenant_rule(db: TestDb) {
    let app = spawn(db).await;
    let zhao_id = app.person_id_number("赵磊");
    let a = browser();
    login_page(&app, &a, &app.enterprise_login(ENTERPRISE_A), "Qiye2026").await;
    let r = a.get(format!("{}/export/people.csv", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let body = r.text().await.unwrap();
    assert!(body.starts_with('\u{feff}'), "a BOM for Excel");
    // The ID number masked, as on the enterprise's pages.
    let masked = format!("{}**********{}", &zhao_id[..6], &zhao_id[16..]);
    assert!(body.contains("姓名,身份证号,注册编号") && body.contains("赵磊") && body.contains(&masked), "{body}");
    assert!(!body.contains(&zhao_id), "{body}");
    let cancelled = a.get(format!("{}/export/people.csv?reg_status=cancelled", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!cancelled.contains("赵磊"), "the filter applies");
    let apps = a.get(format!("{}/export/applications.csv?kind=initial", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(apps.contains("申请表编号,业务类型"));
    // Another enterprise's export does not contain 赵磊; an individual cannot export people.
    let b = browser();
    login_page(&app, &b, &app.enterprise_login(ENTERPRISE_B), "Qiye2026").await;
    let other = b.get(format!("{}/export/people.csv", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!other.contains("赵磊"));
    let p = browser();
    login_page(&app, &p, &zhao_id, "Geren2026").await;
    assert_eq!(p.get(format!("{}/export/people.csv", app.url)).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    app.finish().await;
}
on_both_databases!(csv_exports_follow_the_tenant_rule);

async fn changes_page_files_an_employer_change(db: TestDb) {
    let app = spawn(db).await;
    let c = browser();
    let csrf = login_page(&app, &c, &app.person_id_number("赵磊"), "Geren2026").await;
    let page = c.get(format!("{}/changes", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("变更执业企业") && page.contains("增项注册") && page.contains(ENTERPRISE_B), "{page}");
    let r = c
        .post(format!("{}/changes/employer", app.url))
        .form(&[("csrf", csrf.as_str()), ("enterprise_name", ENTERPRISE_B)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/applications/"), "{to}");
    let app_page = c.get(format!("{}{to}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(app_page.contains("变更注册（执业企业）") && app_page.contains("待本人签名"), "{app_page}");
    // A second procedure while this one is open is refused on the page, in words.
    let r = c
        .post(format!("{}/changes/employer", app.url))
        .form(&[("csrf", csrf.as_str()), ("enterprise_name", ENTERPRISE_B)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("在办业务"));
    // Without the CSRF token nothing is filed.
    let r = c.post(format!("{}/changes/employer", app.url)).form(&[("csrf", "x"), ("enterprise_name", ENTERPRISE_B)]).send().await.unwrap();
    assert_ne!(r.status(), StatusCode::SEE_OTHER);
    app.finish().await;
}
on_both_databases!(changes_page_files_an_employer_change);

/// Nothing the address bar carries is shown in an official message: `?sign_error=…` was shown
/// verbatim in the red alert box (a phishing aid). A failed signing is now answered on the
/// application page itself, inside the portal, with a message the server chose.
async fn no_text_from_the_address_bar(db: TestDb) {
    let app = spawn(db).await;
    let zhao_id = app.person_id_number("赵磊");
    let zhao = app.login(&zhao_id, "Geren2026").await;
    zhao.ensure_pin(PIN).await;
    let hours = serde_json::json!({ "specialties": [{ "specialty": "10401001", "compulsory": 60, "elective": 60 }, { "specialty": "10401010", "compulsory": 30, "elective": 30 }], "submit": true });
    let r = zhao.post("/api/renewals", hours).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();

    let c = browser();
    login_page(&app, &c, &zhao_id, "Geren2026").await;
    let phishing = "账户异常，请致电 400-000-0000 核实";
    let url = format!("{}/applications/{id}?sign_error={}&done={}", app.url, urlencode(phishing), urlencode(phishing));
    let page = c.get(url).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("400-000-0000"), "text from the URL reached the page");

    let page = c.get(format!("{}/applications/{id}", app.url)).send().await.unwrap().text().await.unwrap();
    let r = c
        .post(format!("{}/applications/{id}/sign", app.url))
        .form(&[("csrf", csrf_of(&page).as_str()), ("pin", "wrong-pin-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "answered in place, not by a redirect carrying the text");
    let html = r.text().await.unwrap();
    assert!(html.contains("签名密码") && html.contains("alert"), "the server's own message: {html}");
    assert!(html.contains("退出") && html.contains("申请 "), "inside the portal, not a logged-out page");
    // Any refusal of a signed-in user's page keeps the portal's header and menu.
    let r = c.get(format!("{}/applications/99999999", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let html = r.text().await.unwrap();
    assert!(html.contains("退出") && html.contains("我的业务"), "{html}");
    assert!(!html.contains("javascript:"), "no inline script links (CSP)");
    app.finish().await;
}
on_both_databases!(no_text_from_the_address_bar);

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Every answer carries the hardening headers; pages have no inline scripts; cookies are Secure
/// when the public address is https.
async fn hardening_headers_and_no_inline_scripts(db: TestDb) {
    let app = spawn(db).await;
    let c = browser();
    login_page(&app, &c, &app.enterprise_login(ENTERPRISE_A), "Qiye2026").await;
    for path in ["/", "/login", "/query", "/check", "/portal", "/portal?tab=people", "/api/public/keys"] {
        let r = c.get(format!("{}{path}", app.url)).send().await.unwrap();
        let h = r.headers().clone();
        let csp = h.get("content-security-policy").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline'; img") || !csp.contains("script-src 'self' 'unsafe-inline'"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert!(h.get("cache-control").is_some(), "{path}");
        let body = r.text().await.unwrap();
        for bad in ["onclick=", "onchange=", "onsubmit=", "<script>", "javascript:"] {
            assert!(!body.contains(bad), "{path} has an inline script ({bad})");
        }
    }
    for path in ["/portal", "/api/me"] {
        let r = c.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}: personal answers are never cached");
    }
    app.finish().await;
}
on_both_databases!(hardening_headers_and_no_inline_scripts);

/// Behind an https public address, session cookies carry `Secure` without a separate flag.
async fn cookies_are_secure_behind_https(db: TestDb) {
    let database_url = erjian_store::testing::fresh_database(db).await.unwrap();
    let config = erjian_web::Config {
        database_url: database_url.clone(),
        addr: "127.0.0.1:0".parse().unwrap(),
        province: "皖".into(),
        publicity_days: None,
        demo: true,
        clock: erjian_web::clock::Clock::manual(t0()),
        secure_cookies: false,
        master_key: b"erjian test master key, not secret".to_vec(),
        public_url: Some("https://erjian.example.gov.cn".into()),
        rate_limit: RateLimit::default(),
        holidays: None,
        profile_file: None,
        sms: Default::default(),
    };
    let server = erjian_web::start(config).await.unwrap();
    let r = reqwest::get(format!("{}/login", server.url())).await.unwrap();
    let cookie = r.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(r.headers().contains_key("strict-transport-security"));
    server.stop().await;
    erjian_store::testing::drop_database(&database_url).await;
}
on_both_databases!(cookies_are_secure_behind_https);

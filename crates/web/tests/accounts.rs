//! 账号安全, on both databases: a password is changed only with the current one, never to the
//! login name or the signing PIN, and every other session ends; sessions are listed without their
//! tokens and each can be ended; a signing PIN cannot be the login password.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn field(r: &Reply) -> String {
    r.body["fields"][0]["field"].as_str().unwrap_or_default().to_owned()
}

async fn passwords_and_sessions(kind: TestDb) {
    let app = spawn(kind).await;
    let id = app.person_id_number("赵磊");
    let a = app.login(&id, "Geren2026").await;
    let b = app.login(&id, "Geren2026").await;

    // Two sessions, one of them this one; no token in the answer.
    let list = a.get("/api/account/sessions").await;
    let sessions = list.body["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(!list.body.to_string().contains(&a.token) && !list.body.to_string().contains(&b.token));
    let other = sessions.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(a.call(Method::DELETE, &format!("/api/account/sessions/{other}"), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(b.get("/api/me").await.status, StatusCode::UNAUTHORIZED, "the ended session no longer works");
    assert_eq!(a.call(Method::DELETE, "/api/account/sessions/zzzz", None).await.status, StatusCode::NOT_FOUND);

    // A signing PIN equal to the login password is refused; then a real PIN.
    let r = a.post("/api/signing/pin", json!({ "pin": "Geren2026" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.error().contains("登录密码") || r.body.to_string().contains("登录密码"), "{:?}", r.body);
    a.ensure_pin(PIN).await;

    let change = |old: &str, new: &str| json!({ "old_password": old, "new_password": new });
    let r = a.post("/api/account/password", change("Wrong1234", "Xinmima2027")).await;
    assert_eq!((r.status, field(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "old_password".into()), "{:?}", r.body);
    let with_id = format!("a{}", &id[10..]);
    let r = a.post("/api/account/password", change("Geren2026", &with_id)).await;
    assert_eq!((r.status, field(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "new_password".into()), "{:?}", r.body);
    let r = a.post("/api/account/password", change("Geren2026", PIN)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body.to_string().contains("签名密码"), "{:?}", r.body);
    let c = app.login(&id, "Geren2026").await;
    let r = a.post("/api/account/password", change("Geren2026", "Xinmima2027")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(a.get("/api/me").await.status, StatusCode::OK, "this session stays");
    assert_eq!(c.get("/api/me").await.status, StatusCode::UNAUTHORIZED, "every other session ended");
    let old =
        app.http.post(format!("{}/api/login", app.url)).json(&json!({ "username": id, "password": "Geren2026" })).send().await.unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    app.login(&id, "Xinmima2027").await;

    // The page: the new password twice, a mismatch told in place.
    let page = app.page_login(&id, "Xinmima2027").await;
    let html = page.get(format!("{}/account", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("修改登录密码") && html.contains("本设备"), "{html}");
    let form = [
        ("csrf", csrf_of(&html)),
        ("old_password", "Xinmima2027".into()),
        ("new_password", "Abcdefg2028".into()),
        ("new_password2", "Abcdefg2029".into()),
    ];
    let r = page.post(format!("{}/account/password", app.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("两次输入的新密码不一致"));
    app.finish().await;
}
on_both_databases!(passwords_and_sessions);

/// A qualified person holding a passport (or a 通行证) signs up with that document: its own format
/// check, gender and birth date stated since the number carries none; a residence-permit number
/// offered as a resident ID card is pointed to its own type.
async fn sign_up_with_other_documents(kind: TestDb) {
    let app = spawn(kind).await;
    let province = app.province().await;
    let csv = "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n\
               林海,E12345678,二级注册建造师,建筑,2021009001,2021,2021-10-20\n\
               陈港,H12345678,二级注册建造师,市政,2021009002,2021,2021-10-20\n";
    let r =
        province.http.post(format!("{}/api/qualifications/import", app.url)).bearer_auth(&province.token).body(csv).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    let post = |path: &'static str, body: serde_json::Value| {
        let (http, url) = (app.http.clone(), app.url.clone());
        async move {
            let r = http.post(format!("{url}{path}")).json(&body).send().await.unwrap();
            let status = r.status();
            Reply { status, body: r.json().await.unwrap_or_default() }
        }
    };
    let bad =
        post("/api/signup/code", json!({ "id_type": "passport", "id_number": "A1234567", "name": "林海", "mobile": "13700001111" })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body["fields"][0]["message"].as_str().unwrap().contains("护照号码"), "{:?}", bad.body);
    let permit = erjian_domain::ids::ResidentId::with_check("81000019900101002").unwrap();
    let wrong_type =
        post("/api/signup/code", json!({ "id_type": "resident", "id_number": permit.as_str(), "name": "林海", "mobile": "13700001111" }))
            .await;
    assert!(wrong_type.body["fields"][0]["message"].as_str().unwrap().contains("居住证"), "{:?}", wrong_type.body);

    let mut body =
        json!({ "id_type": "passport", "id_number": "e12345678", "name": "林海", "mobile": "13700001111", "password": "Linhai2026" });
    assert_eq!(post("/api/signup/code", body.clone()).await.status, StatusCode::ACCEPTED);
    body["code"] = json!(app.newest_code_to("13700001111"));
    let missing = post("/api/signup/individual", body.clone()).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = missing.body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["gender", "birth_date"]);
    body["gender"] = json!("男");
    body["birth_date"] = json!("1986-04-02");
    let ok = post("/api/signup/individual", body).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
    // The login name is the document number, stored only as its blind index: never answered.
    assert!(ok.body["user"].get("username").is_none(), "{:?}", ok.body);
    assert!(!ok.body.to_string().contains("12345678"), "{:?}", ok.body);
    // Typed in lower case, it is the same login.
    let lin = app.login("e12345678", "Linhai2026").await;
    let me = lin.get("/api/me").await;
    assert_eq!(me.body["name"], "林海");
    app.finish().await;
}
on_both_databases!(sign_up_with_other_documents);

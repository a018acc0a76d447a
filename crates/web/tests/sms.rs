//! Text messages, on both databases: 找回密码 with a code from the demo outbox (six digits, five
//! minutes, five tries, used once, one a minute per number), the same answer for unknown
//! accounts; and the Tencent Cloud SMS provider against a local mock of its API.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use erjian_web::sms::{Message, Sms, TencentConfig, TencentSms};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::{Arc, Mutex};

/// The newest code in the demo outbox.
fn newest_code(app: &TestApp) -> String {
    let dir = app.server.state.outbox.clone().expect("the demo outbox");
    // Names carry the numbers, files the codes: the server user's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        for f in std::fs::read_dir(&dir).unwrap().flatten() {
            assert_eq!(f.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
    let (_, text) = erjian_web::sms::LogSms::outbox(&dir, 1).pop().expect("a message");
    assert!(text.contains("演示短信"), "{text}");
    text.split("验证码为 ").nth(1).unwrap()[..6].to_owned()
}

async fn forgotten_password_by_text_message(kind: TestDb) {
    let app = spawn(kind).await;
    let id = app.person_id_number("赵磊");
    let before = app.login(&id, "Geren2026").await;
    let ask = |username: String| {
        let (http, url) = (app.http.clone(), app.url.clone());
        async move {
            let r = http.post(format!("{url}/api/password/forgot")).json(&json!({ "username": username })).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let reset = |code: String, pw: &str| {
        let (http, url, id, pw) = (app.http.clone(), app.url.clone(), id.clone(), pw.to_owned());
        async move {
            let r = http
                .post(format!("{url}/api/password/reset"))
                .json(&json!({ "username": id, "code": code, "new_password": pw }))
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let known = ask(id.clone()).await;
    assert_eq!(known.0, StatusCode::ACCEPTED);
    assert_eq!(ask("no-such-user".into()).await, known, "an unknown account gets the same answer");
    let again = ask(id.clone()).await;
    assert_eq!(again.0, StatusCode::CONFLICT, "one code a minute per number: {}", again.1);
    let code = newest_code(&app);
    assert_eq!(code.len(), 6);

    // A weak new password is refused without using up the code; wrong codes count.
    assert!(reset(code.clone(), "short").await.1.contains("new_password"));
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (0..5).rev() {
        let r = reset(wrong.into(), "Xinmima2027").await;
        assert_eq!(r.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.1.contains(&format!("还可再试{left}次")), "{}", r.1);
    }
    assert!(reset(code.clone(), "Xinmima2027").await.1.contains("次数过多"), "five wrong tries end the code");

    // A new code after a minute; expired after five.
    app.advance_minutes(2);
    assert_eq!(ask(id.clone()).await.0, StatusCode::ACCEPTED);
    app.advance_minutes(6);
    assert!(reset(newest_code(&app), "Xinmima2027").await.1.contains("已过期"));
    assert_eq!(ask(id.clone()).await.0, StatusCode::ACCEPTED);
    let code = newest_code(&app);
    assert_eq!(reset(code.clone(), "Xinmima2027").await.0, StatusCode::NO_CONTENT);
    assert!(reset(code, "Xinmima2028").await.1.contains("已使用"), "a code works once");
    assert_eq!(before.get("/api/me").await.status, StatusCode::UNAUTHORIZED, "every session ended");
    app.login(&id, "Xinmima2027").await;

    // The administrator sees the demo outbox, labelled as such.
    let admin = app.page_login("admin", "Admin2026").await;
    let html = admin.get(format!("{}/admin", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("演示短信发件箱（未真正发送）"), "{html}");
    app.finish().await;
}
on_both_databases!(forgotten_password_by_text_message);

/// What the mock gateway received: headers and body.
type Seen = Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>;

async fn mock_gateway(answer: serde_json::Value) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let keep = seen.clone();
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let keep = keep.clone();
            let answer = answer.clone();
            async move {
                keep.lock().unwrap().push((headers, body));
                axum::Json(answer)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

/// The TC3 signature the test keys give exactly what was sent (at its timestamp).
fn signature_of(headers: &axum::http::HeaderMap, body: &str) -> String {
    let ts: i64 = headers["x-tc-timestamp"].to_str().unwrap().parse().unwrap();
    erjian_web::sms::Tc3 {
        secret_id: "AKIDtest",
        secret_key: "secret-for-tests",
        service: "sms",
        host: "sms.tencentcloudapi.com",
        action: Some("SendSms"),
        timestamp: ts,
        payload: body.as_bytes(),
    }
    .authorization()
}

fn tencent(endpoint: String) -> TencentSms {
    TencentSms {
        config: TencentConfig {
            secret_id: "AKIDtest".into(),
            secret_key: "secret-for-tests".into(),
            sdk_app_id: "1400000001".into(),
            sign_name: "安徽省住房和城乡建设厅".into(),
            template_id: "100001".into(),
            notice_template_id: Some("100002".into()),
            region: "ap-guangzhou".into(),
            endpoint,
        },
        http: reqwest::Client::new(),
    }
}

#[tokio::test]
async fn tencent_sms_speaks_the_vendor_protocol() {
    let ok = json!({ "Response": { "SendStatusSet": [{ "Code": "Ok", "PhoneNumber": "+8613800138000" }], "RequestId": "r1" } });
    let (url, seen) = mock_gateway(ok).await;
    let gateway = tencent(url);
    let m = Message { mobile: "13800138000", code: "123456", purpose: "找回密码" };
    gateway.send(&m).await.unwrap();
    let (headers, body) = seen.lock().unwrap().pop().unwrap();
    assert_eq!(headers["x-tc-action"], "SendSms");
    assert_eq!(headers["x-tc-version"], "2021-01-11");
    assert_eq!(headers["x-tc-region"], "ap-guangzhou");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["PhoneNumberSet"][0], "+8613800138000");
    assert_eq!(v["TemplateParamSet"], json!(["123456", "5"]));
    assert_eq!(v["SmsSdkAppId"], "1400000001");
    // The signature is the TC3 signature of exactly what was sent (checked against the vendor's
    // own example in the unit test).
    let expected = signature_of(&headers, &body);
    assert_eq!(headers["authorization"], expected.as_str());
    assert!(expected.contains("SignedHeaders=content-type;host;x-tc-action"));

    // A notice goes through its own template, the text its one parameter, signed the same way.
    gateway.notice("13800138000", "初始注册申请 W1 已受理，进入审查。").await.unwrap();
    let (headers, body) = seen.lock().unwrap().pop().unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!((v["TemplateId"].as_str(), v["TemplateParamSet"].clone()), (Some("100002"), json!(["初始注册申请 W1 已受理，进入审查。"])));
    assert_eq!(headers["authorization"], signature_of(&headers, &body).as_str());

    // The vendor's refusal is an error naming its code.
    let refused = json!({ "Response": { "Error": { "Code": "AuthFailure.SignatureFailure", "Message": "x" }, "RequestId": "r2" } });
    let (url, _) = mock_gateway(refused).await;
    let e = tencent(url).send(&m).await.unwrap_err();
    assert!(e.contains("AuthFailure.SignatureFailure"), "{e}");
}

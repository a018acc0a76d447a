//! 消息中心 on SQLite and PostgreSQL: every hand-off tells the party that must act or know, in the
//! transaction of the step; messages are the owner's alone; texts go through the gateway for
//! those who asked; renewal reminders are sent once.

use crate::common;

use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn kinds(who: &Api) -> Vec<String> {
    let r = who.get("/api/notifications").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["notifications"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap().to_owned()).collect()
}

async fn hand_offs_reach_the_right_party(db: TestDb) {
    let app = spawn(db).await;
    let zhang = app.signup("张伟").await;
    let r = zhang.apply(ENTERPRISE_A, &["10401001"], true).await;
    let id = r.body["application"]["id"].as_i64().unwrap();
    let ent = app.enterprise(ENTERPRISE_A).await;
    let other = app.enterprise(ENTERPRISE_B).await;
    assert!(kinds(&ent).await.is_empty());
    assert_eq!(zhang.sign_ok(id).await, "awaiting_enterprise");
    assert_eq!(kinds(&ent).await, ["awaiting_enterprise"]);
    assert!(kinds(&zhang).await.is_empty(), "nobody is told of their own step");
    let unread = ent.get("/api/notifications").await.body["unread"].clone();
    assert_eq!(unread, 1);

    // Texts for the applicant from now on (the demo gateway writes them to the outbox).
    let r = zhang.put("/api/notifications/sms", json!({ "on": true })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(ent.sign_ok(id).await, "filed");
    assert_eq!(kinds(&zhang).await, ["filed"]);
    let city = app.city().await;
    city.act_ok(id, "return", Some("劳动合同缺少第2页")).await;
    let mine = zhang.get("/api/notifications").await.body["notifications"].clone();
    assert_eq!(mine[0]["kind"], "returned");
    assert!(mine[0]["body"].as_str().unwrap().contains("劳动合同缺少第2页"), "{mine:?}");
    assert_eq!(mine[0]["link"], format!("/applications/{id}"));
    assert!(kinds(&ent).await.contains(&"returned".to_owned()));
    assert!(kinds(&other).await.is_empty(), "another enterprise hears nothing");

    let sent = erjian_web::pages::messages::send_pending_texts(&app.server.state).await.unwrap();
    assert_eq!(sent, 2, "the two messages since opting in");
    let mobile = mobile_for(&app.person_id_number("张伟"));
    let outbox = erjian_web::sms::LogSms::outbox(app.server.state.outbox.as_ref().unwrap(), 50);
    let texts: Vec<&String> = outbox.iter().filter(|(name, _)| name.contains(&mobile)).map(|(_, t)| t).collect();
    assert!(texts.iter().any(|t| t.contains("退回补正") && t.contains("演示短信")), "{texts:?}");
    assert_eq!(erjian_web::pages::messages::send_pending_texts(&app.server.state).await.unwrap(), 0, "each once");

    // Marking read is the owner's: another account's message is not found.
    let ent_first = ent.get("/api/notifications").await.body["notifications"][0]["id"].as_i64().unwrap();
    assert_eq!(zhang.post("/api/notifications/read", json!({ "id": ent_first })).await.body["marked"], 0);
    assert_eq!(ent.post("/api/notifications/read", json!({ "id": ent_first })).await.body["marked"], 1);
    // Staff receive none and have no message centre.
    assert_eq!(city.get("/api/notifications").await.status, StatusCode::FORBIDDEN);

    // Resubmitted, reviewed and announced: the certificate is announced to both.
    zhang.act_ok(id, "submit", None).await;
    app.through_review(&zhang, id).await;
    // Publicity took days: a new session.
    let zhang = app.login(&app.person_id_number("张伟"), "Geren2026").await;
    assert_eq!(kinds(&zhang).await.first().map(String::as_str), Some("announced"));
    let all = kinds(&zhang).await;
    for k in ["accepted", "approved", "publicity", "announced"] {
        assert!(all.iter().any(|x| x == k), "{k} in {all:?}");
    }
    app.finish().await;
}
on_both_databases!(hand_offs_reach_the_right_party);

async fn renewal_reminders_are_sent_once_and_shown(db: TestDb) {
    let app = spawn(db).await;
    // 赵磊's registration ends in 59 days: inside the renewal window, less than 60 days left.
    // The server sends reminders at start (and hourly); however often they run, one message.
    let store = &app.server.state.store;
    store.send_reminders(app.clock.now()).await.unwrap();
    assert_eq!(store.send_reminders(app.clock.now()).await.unwrap(), 0, "once only");
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let v: Value = zhao.get("/api/notifications").await.body;
    assert_eq!(kinds(&zhao).await, ["renewal_closing"], "{v:?}");
    assert!(v["notifications"][0]["body"].as_str().unwrap().contains("延续注册"));

    // The page: the header counts it, the centre shows it and reads it.
    let page = app.page_login(&app.person_id_number("赵磊"), "Geren2026").await;
    let home = page.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("id=\"messages\"") && home.contains("1 条未读"), "{home}");
    let html = page.get(format!("{}/messages", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("延续注册申报将于30天内截止") && html.contains("class=\"unread\""), "{html}");
    assert!(html.contains("演示环境：短信只写入演示发件箱"), "{html}");
    let again = page.get(format!("{}/messages", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("class=\"unread\"") && !again.contains("条未读"), "read once shown");
    app.finish().await;
}
on_both_databases!(renewal_reminders_are_sent_once_and_shown);

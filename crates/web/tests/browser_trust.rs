//! The trust pages in a real browser at 1366 px and 390 px: a suspended holder's portal says 暂扣
//! and offers nothing that would issue a certificate, the enterprise's people list says so too,
//! the province's suspension asks for confirmation naming the person, and the audit
//! administrator sees the hash chain whole. Screenshots go to
//! `target/screenshots/` (30-…).

use crate::common;
use crate::ui;

use common::*;
use erjian_store::testing::{fresh_database, TestDb};
use serde_json::json;
use ui::{browser, start_driver, Ui};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn suspension_and_confirmation_on_desktop_and_phone() {
    let url = fresh_database(TestDb::Sqlite).await.unwrap();
    let app = spawn_with(&url, erjian_web::clock::Clock::manual(t0()), true, Some(0)).await;
    let driver = start_driver();
    let (tmp, shots) = ui::dirs("erjian-browser-trust");
    let id = app.person_id_number("赵磊");
    let zhao = app.login(&id, "Geren2026").await;
    let regno = zhao.get("/api/certificates").await.body["certificates"][0]["registration_number"].as_str().unwrap().to_owned();

    for (width, tag) in [(1366, "desktop"), (390, "phone")] {
        let ui = Ui { c: browser(&driver, &tmp.join(tag), width).await, base: app.url.clone(), shots: shots.clone() };
        // The province suspends 赵磊: the form first asks for confirmation.
        ui.login("province", "Shenhe2026").await;
        ui.go("/cancel").await;
        ui.fill("#hold-regno", &regno).await;
        ui.fill("#hold-reason", "皖建罚字〔2026〕12号").await;
        ui.click("#hold-action option[value=suspend]").await;
        ui.click_nav("#hold-submit").await;
        assert!(ui.text("#confirm-who").await.contains("赵磊"));
        assert!(ui.text("#confirm-effect").await.contains("暂扣"));
        ui.shot(&format!("30-confirm-suspend-{tag}")).await;
        if width == 1366 {
            ui.click_nav("#confirm-submit").await;
            assert!(ui.text("#flash").await.contains("已暂扣"));
        } else {
            ui.click_nav("#confirm-cancel").await; // suspended already: back without acting
        }
        ui.logout().await;
        // The holder's portal says 暂扣 and offers no new application.
        ui.login(&id, "Geren2026").await;
        assert_eq!(ui.text("#registration-status").await, "暂扣");
        assert!(ui.body().await.contains("正在暂扣中"));
        ui.shot(&format!("31-suspended-portal-{tag}")).await;
        ui.go("/account").await;
        assert!(ui.text("#sessions").await.contains("本设备"));
        ui.shot(&format!("34-account-{tag}")).await;
        ui.logout().await;
        // 找回密码 says the demo sends nothing, and answers alike for any login name.
        ui.go("/forgot").await;
        assert!(ui.text("#demo-sms").await.contains("不会真正发出"));
        ui.fill("#username", "no-such-user").await;
        ui.click_nav("#forgot-submit").await;
        assert!(ui.text("#forgot-message").await.contains("如该账号已登记手机"));
        ui.shot(&format!("35-forgot-{tag}")).await;
        // The enterprise's people list says the same.
        ui.login(&app.enterprise_login(ENTERPRISE_A), "Qiye2026").await;
        ui.go("/portal?tab=people").await;
        let row = ui.c.find(fantoccini::Locator::XPath(&format!("//tr[td='{regno}']"))).await.unwrap().text().await.unwrap();
        assert!(row.contains("暂扣"), "{row}");
        ui.shot(&format!("32-enterprise-people-{tag}")).await;
        ui.logout().await;
        // The audit administrator sees the chain whole, with the suspension in words.
        ui.login("auditor", "Shenji2026").await;
        assert!(ui.text("#chain-ok").await.contains("审计日志完整"));
        assert!(ui.text("#audit-rows").await.contains("暂扣证书"));
        ui.shot(&format!("33-audit-{tag}")).await;
        ui.logout().await;
        ui.c.clone().close().await.unwrap();
    }
    let restore = json!({ "registration_number": regno, "action": "restore", "reason": "期满" });
    assert_eq!(app.province().await.post("/api/certificate-holds", restore).await.status, reqwest::StatusCode::OK);
    app.finish().await;
}

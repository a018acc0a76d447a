//! The message centre in a real browser at 1366 px and on a 390 px phone (emulated): a reminder
//! counted in the header, read on the page, texts switched on; the page fits the phone; the
//! province's queue filters and statistics; an applicant's materials.
//! Screenshots go to `target/screenshots/` (50-…).

use crate::common;
use crate::ui;

use common::*;
use erjian_store::testing::{fresh_database, TestDb};
use ui::{browser, start_driver, Ui};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn message_centre_on_desktop_and_phone() {
    let url = fresh_database(TestDb::Sqlite).await.unwrap();
    let app = spawn_with(&url, erjian_web::clock::Clock::manual(t0()), true, Some(0)).await;
    let driver = start_driver();
    let (tmp, shots) = ui::dirs("erjian-browser-messages");
    let zhao = app.person_id_number("赵磊");
    app.server.state.store.send_reminders(app.clock.now()).await.unwrap();
    // A draft application of 张伟's, to add materials to in the page.
    let zhang = app.signup("张伟").await;
    let draft = zhang.apply(ENTERPRISE_A, &["10401001"], false).await.body["application"]["id"].as_i64().unwrap();
    let scan = tmp.join("contract.png");
    std::fs::write(&scan, photo_png()).unwrap();
    for (width, tag) in [(1366, "desktop"), (390, "phone")] {
        let ui = Ui { c: browser(&driver, &tmp.join(tag), width).await, base: app.url.clone(), shots: shots.clone() };
        ui.login(&zhao, "Geren2026").await;
        if tag == "desktop" {
            assert_eq!(ui.text("#messages .count").await, "1");
        }
        ui.go("/messages").await;
        let body = ui.body().await;
        assert!(body.contains("延续注册申报将于30天内截止") && body.contains("演示环境"), "{body}");
        assert_eq!(ui.overflow_x().await, 0, "the message centre fits a {width} px screen");
        ui.shot(&format!("50-messages-{tag}")).await;
        ui.click("#sms-notify").await;
        ui.click_nav("#sms-save").await;
        assert!(ui.text("#messages-saved").await.contains("短信通知"));
        // Read once shown: the header no longer counts it.
        assert!(ui.c.find(fantoccini::Locator::Css("#messages .count")).await.is_err());
        ui.shot(&format!("51-messages-saved-{tag}")).await;
        ui.logout().await;
        // The province's queue with its filters: city, kind, deadline, order.
        ui.login("province", "Shenhe2026").await;
        ui.go("/portal?tab=prelim&due=soon&sort=deadline").await;
        assert!(ui.text("#queue-filters").await.contains("办理时限"));
        assert_eq!(ui.overflow_x().await, 0, "the filters fit a {width} px screen");
        ui.shot(&format!("52-queue-filters-{tag}")).await;
        // 统计分析: charts drawn by the server, numbers beside them.
        ui.click_nav("header nav a[href='/statistics']").await;
        assert!(ui.text("#chart-by-state").await.contains("申请按状态"));
        assert_eq!(ui.overflow_x().await, 0, "the statistics fit a {width} px screen");
        ui.shot(&format!("53-statistics-{tag}")).await;
        ui.logout().await;
        // 申请材料: the applicant adds a 劳动合同 scan from the application page.
        ui.login(&app.person_id_number("张伟"), "Geren2026").await;
        ui.go(&format!("/applications/{draft}")).await;
        ui.c.find(fantoccini::Locator::Css("#file-labour_contract")).await.unwrap().send_keys(scan.to_str().unwrap()).await.unwrap();
        ui.click_nav("#upload-labour_contract").await;
        assert!(ui.text("#flash").await.contains("上传材料"));
        assert!(ui.text("#attachments").await.contains("劳动合同"));
        assert_eq!(ui.overflow_x().await, 0, "the materials fit a {width} px screen");
        ui.c.execute("document.getElementById('attachments').scrollIntoView();", vec![]).await.unwrap();
        ui.shot(&format!("54-materials-{tag}")).await;
        ui.c.close().await.unwrap();
    }
    app.finish().await;
}

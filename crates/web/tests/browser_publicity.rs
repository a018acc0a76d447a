//! The newcomer's publicity story in a real browser, at 1366 px and on a 390 px phone: the demo's
//! batch on the home page, its page, an objection lodged with the captcha (what was typed kept
//! after a wrong captcha), the receipt; then the province finds it 成立 on the application's page
//! and the application is refused — the public page says so. Screenshots 55–59.

use crate::common;
use crate::ui;

use common::*;
use erjian_store::testing::{fresh_database, TestDb};
use fantoccini::Locator;
use ui::{browser, start_driver, Ui};

async fn captcha_on_page(app: &TestApp, ui: &Ui) -> String {
    let token = ui.c.find(Locator::Css("input[name=captcha_token]")).await.unwrap().prop("value").await.unwrap().unwrap();
    app.server.state.store.captcha_answer(&token, app.server.state.clock.now()).await.unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn objection_to_the_demo_publicity() {
    let url = fresh_database(TestDb::Sqlite).await.unwrap();
    let app = spawn_with(&url, erjian_web::clock::Clock::manual(t0()), true, Some(0)).await;
    let number = app.server.state.store.seed_demo_publicity(&app.server.state.issuer, app.clock.now()).await.unwrap();
    // A notice on the home page beside the publicity.
    let province = app.page_login("province", "Shenhe2026").await;
    let form = province.get(format!("{}/notices/manage", app.url)).send().await.unwrap().text().await.unwrap();
    let notice = [
        ("csrf", csrf_of(&form)),
        ("title", "关于二级建造师注册公示的通知".to_owned()),
        ("body", "本批次公示期为5天，公示期内可在“公示公告”中对公示对象提出异议。".to_owned()),
    ];
    province.post(format!("{}/notices/manage", app.url)).form(&notice).send().await.unwrap();
    let driver = start_driver();
    let (tmp, shots) = ui::dirs("erjian-browser-publicity");
    for (width, tag) in [(1366, "desktop"), (390, "phone")] {
        let ui = Ui { c: browser(&driver, &tmp.join(tag), width).await, base: app.url.clone(), shots: shots.clone() };
        ui.go("/").await;
        assert!(ui.text("#home-publicity").await.contains(&number));
        assert!(ui.text("#home-notices").await.contains("关于二级建造师注册公示的通知"));
        assert_eq!(ui.overflow_x().await, 0, "the home page fits a {width} px screen");
        ui.c.execute("document.getElementById('home-notices').scrollIntoView();", vec![]).await.unwrap();
        ui.shot(&format!("55a-home-notices-{tag}")).await;
        ui.c.execute("document.getElementById('home-publicity').scrollIntoView();", vec![]).await.unwrap();
        ui.shot(&format!("55-home-publicity-{tag}")).await;
        ui.click_nav("#home-publicity a[href^='/publicity/']").await;
        assert!(ui.text("#entries").await.contains("孙丽"));
        assert!(ui.text("#batch-stage").await.contains("公示中"));
        assert_eq!(ui.overflow_x().await, 0, "the batch page fits a {width} px screen");
        ui.shot(&format!("56-publicity-batch-{tag}")).await;
        if tag == "phone" {
            ui.c.close().await.unwrap();
            continue;
        }
        // An objection against 孙丽: a wrong captcha first keeps what was typed.
        let entry = ui.c.find(Locator::Css("#entry option:nth-child(2)")).await.unwrap();
        assert!(entry.text().await.unwrap().contains("孙丽"));
        entry.click().await.unwrap();
        ui.fill("#facts", "孙丽实际在外地另一家企业任项目经理，与申报企业没有劳动关系，可查其社保缴纳记录。").await;
        ui.fill("#contact_name", "王明").await;
        ui.fill("#contact_phone", "13912345678").await;
        ui.fill("#captcha", "00000").await;
        ui.click_nav("#objection-submit").await;
        assert!(ui.text("#objection-error").await.contains("验证码错误"));
        let kept = ui.c.find(Locator::Css("#facts")).await.unwrap().prop("value").await.unwrap().unwrap_or_default();
        assert!(kept.contains("社保缴纳记录"), "the facts are kept: {kept}");
        let answer = captcha_on_page(&app, &ui).await;
        ui.fill("#captcha", &answer).await;
        ui.c.execute("document.getElementById('objection').scrollIntoView();", vec![]).await.unwrap();
        ui.shot(&format!("57-objection-form-{tag}")).await;
        ui.click_nav("#objection-submit").await;
        let receipt = ui.text("#objection-receipt").await;
        assert!(receipt.contains("异议已受理") && receipt.contains("YY"), "{receipt}");
        assert!(ui.text("#entries").await.contains("异议核查中"));
        ui.c.execute("document.getElementById('objection-receipt').scrollIntoView();", vec![]).await.unwrap();
        ui.shot(&format!("58-objection-receipt-{tag}")).await;

        // The province: the batch shows the objection; the application page decides it.
        ui.login("province", "Shenhe2026").await;
        ui.go("/portal?tab=batches").await;
        assert!(ui.text("table").await.contains("1 件待核查"));
        ui.go(&format!("/portal?q={}", form_urlencoded::byte_serialize("孙丽".as_bytes()).collect::<String>())).await;
        ui.click_nav("#history a, table a[href^='/applications/']").await;
        assert!(ui.text("#objections").await.contains("社保缴纳记录"));
        ui.c.find(Locator::Css("#objections select option[value=refuse]")).await.unwrap().click().await.unwrap();
        ui.fill("#objections textarea", "经核查，孙丽的社会保险由外地企业缴纳，异议属实，不予注册。").await;
        ui.c.execute("document.getElementById('objections').scrollIntoView();", vec![]).await.unwrap();
        ui.shot(&format!("59-objection-decide-{tag}")).await;
        ui.click_nav("#objections button[type=submit]").await;
        assert!(ui.text("#flash").await.contains("公示异议核查"));
        assert_eq!(ui.text("#app-state").await, "不予注册");
        assert!(ui.text("#history").await.contains("公示异议成立"));
        ui.logout().await;
        ui.go("/publicity").await;
        ui.click_nav("#batches a").await;
        assert!(ui.text("#entries").await.contains("不予注册"));
        ui.c.close().await.unwrap();
    }
    app.finish().await;
}

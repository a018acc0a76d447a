//! Identities in a real browser at 1366 px and 390 px: an enterprise signs up with its 营业执照 scan
//! and the code from the demo outbox, waits, is approved by its city (who opens the scan) and
//! keeps its 单位信息; a person signs up with a passport; the real-name page labels the demo; a
//! staff account turns on 动态口令 and enrols by the QR page. Screenshots go to
//! `target/screenshots/` (40-…).

use crate::common;
use crate::ui;

use common::*;
use erjian_domain::ids::CreditCode;
use erjian_store::second_factor::code_now;
use erjian_store::testing::{fresh_database, TestDb};
use fantoccini::Locator;
use ui::{browser, start_driver, Ui};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn identity_pages_on_desktop_and_phone() {
    let url = fresh_database(TestDb::Sqlite).await.unwrap();
    let app = spawn_with(&url, erjian_web::clock::Clock::manual(t0()), true, Some(0)).await;
    let driver = start_driver();
    let (tmp, shots) = ui::dirs("erjian-browser-identity");
    let scan = tmp.join("licence.png");
    std::fs::write(&scan, photo_png()).unwrap();

    for (width, tag, serial, contact) in
        [(1366, "desktop", "91340100MA2T77770", "13955100071"), (390, "phone", "91340100MA2T66660", "13955100072")]
    {
        let ui = Ui { c: browser(&driver, &tmp.join(tag), width).await, base: app.url.clone(), shots: shots.clone() };
        let code = CreditCode::with_check(serial).unwrap().as_str().to_owned();
        let name = format!("合肥{}建设有限公司", if width == 1366 { "宽屏" } else { "手机" });
        // 企业注册: the code first, then the scan and the passwords.
        ui.go("/signup/enterprise").await;
        ui.fill("#name", &name).await;
        ui.fill("#credit_code", &code).await;
        ui.click("#city_code option[value='340100']").await;
        ui.fill("#address", "合肥市蜀山区长江西路1号").await;
        ui.fill("#legal_rep", "王五").await;
        ui.fill("#contact_name", "李联系").await;
        ui.fill("#contact_mobile", contact).await;
        ui.click_nav("#send-code").await;
        assert!(ui.text("#code-sent").await.contains("联系人手机"));
        ui.shot(&format!("40-enterprise-signup-{tag}")).await;
        ui.c.find(Locator::Css("#licence")).await.unwrap().send_keys(scan.to_str().unwrap()).await.unwrap();
        ui.fill("#code", &app.newest_code_to(contact)).await;
        ui.fill("#password", "Qiye2027x").await;
        ui.fill("#password2", "Qiye2027x").await;
        ui.click_nav("#enterprise-signup-submit").await;
        assert!(ui.body().await.contains("企业账号待审核"));
        ui.shot(&format!("41-enterprise-pending-{tag}")).await;
        ui.logout().await;
        // The city sees contacts and the scan, approves.
        ui.login("city1", "Shenhe2026").await;
        ui.go("/enterprise-reviews").await;
        assert!(ui.text("#enterprise-reviews").await.contains("李联系"));
        ui.shot(&format!("42-enterprise-review-{tag}")).await;
        let id = app.server.state.store.enterprises().await.unwrap().into_iter().find(|e| e.credit_code == code).unwrap().id;
        ui.click_nav(&format!("#approve-{id}")).await;
        assert!(ui.text("#review-message").await.contains("已审核通过"));
        ui.logout().await;
        // 单位信息.
        ui.login(&code, "Qiye2027x").await;
        ui.go("/enterprise/profile").await;
        ui.fill("#qualification", "D234012345 建筑工程施工总承包贰级").await;
        ui.click_nav("#enterprise-profile-save").await;
        assert!(ui.text("#profile-message").await.contains("已保存"));
        ui.shot(&format!("43-enterprise-profile-{tag}")).await;
        ui.logout().await;
    }

    // A passport holder's sign-up (gender and birth date asked only for that document).
    let province = app.province().await;
    let csv =
        "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n林海,E12345678,二级注册建造师,建筑,2021009001,2021,2021-10-20\n";
    let r =
        province.http.post(format!("{}/api/qualifications/import", app.url)).bearer_auth(&province.token).body(csv).send().await.unwrap();
    assert!(r.status().is_success());
    let ui = Ui { c: browser(&driver, &tmp.join("passport"), 390).await, base: app.url.clone(), shots: shots.clone() };
    ui.go("/signup/individual").await;
    assert!(!ui.c.find(Locator::Css("#stated-birth")).await.unwrap().is_displayed().await.unwrap(), "hidden for an ID card");
    ui.click("#id_type option[value=passport]").await;
    assert!(ui.c.find(Locator::Css("#stated-birth")).await.unwrap().is_displayed().await.unwrap());
    ui.fill("#id_number", "E12345678").await;
    ui.fill("#name", "林海").await;
    ui.click("#gender option[value='男']").await;
    // A date input takes typed keys in the browser's locale order: set its value as a picker would.
    ui.c.execute("document.getElementById('birth_date').value = '1986-04-02'", vec![]).await.unwrap();
    ui.fill("#mobile", "13700001111").await;
    ui.click_nav("#send-code").await;
    ui.shot("44-passport-signup-phone").await;
    ui.go("/demo/outbox?mobile=13700001111").await;
    assert!(ui.body().await.contains("没有真正发出"));
    ui.shot("45-demo-outbox-phone").await;
    ui.go("/signup/individual").await;
    ui.click("#id_type option[value=passport]").await;
    ui.fill("#id_number", "E12345678").await;
    ui.fill("#name", "林海").await;
    ui.click("#gender option[value='男']").await;
    // A date input takes typed keys in the browser's locale order: set its value as a picker would.
    ui.c.execute("document.getElementById('birth_date').value = '1986-04-02'", vec![]).await.unwrap();
    ui.fill("#mobile", "13700001111").await;
    ui.fill("#code", &app.newest_code_to("13700001111")).await;
    ui.fill("#password", "Linhai2026").await;
    ui.fill("#password2", "Linhai2026").await;
    ui.click_nav("#signup-submit").await;
    assert!(ui.text("#whoami").await.contains("林海"));
    ui.go("/account/real-name").await;
    assert!(ui.text("#demo-real-name").await.contains("不比对人脸"));
    ui.shot("46-real-name-phone").await;
    ui.logout().await;

    // The reviewer sees the ID-card scans a personal change was filed with.
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let r = zhao
        .post(
            "/api/personal-changes",
            serde_json::json!({ "new_name": "赵磊磊", "id_front_base64": photo_base64(), "id_back_base64": photo_base64(), "submit": true }),
        )
        .await;
    let change = r.body["application"]["id"].as_i64().expect("filed");
    zhao.sign_ok(change).await;
    app.enterprise(ENTERPRISE_A).await.sign_ok(change).await;
    for (width, tag) in [(1366, "desktop"), (390, "phone")] {
        let ui = Ui { c: browser(&driver, &tmp.join(format!("scans-{tag}")), width).await, base: app.url.clone(), shots: shots.clone() };
        ui.login("city1", "Shenhe2026").await;
        ui.go(&format!("/applications/{change}")).await;
        assert!(ui.text("#attachments").await.contains("身份证人像面"));
        ui.c.execute("document.getElementById('attachments').scrollIntoView()", vec![]).await.unwrap();
        ui.shot(&format!("48-attachments-{tag}")).await;
        ui.go(&format!("/lookup?q={}", app.person_id_number("赵磊"))).await;
        assert!(ui.text("#lookup-person").await.contains("赵磊"));
        ui.shot(&format!("49-lookup-{tag}")).await;
        ui.logout().await;
    }

    // A city account turns on 动态口令 and enrols.
    for (width, tag) in [(1366, "desktop"), (390, "phone")] {
        let ui = Ui { c: browser(&driver, &tmp.join(format!("factor-{tag}")), width).await, base: app.url.clone(), shots: shots.clone() };
        let user = if width == 1366 { "city1" } else { "city2" };
        ui.login(user, "Shenhe2026").await;
        ui.go("/account").await;
        ui.click_nav("#factor-begin").await;
        let secret = ui.text("#totp-secret").await;
        ui.shot(&format!("47-second-factor-enrol-{tag}")).await;
        ui.fill("#code", &code_now(&secret, app.clock.now()).unwrap()).await;
        ui.click_nav("#factor-submit").await;
        ui.go("/account").await;
        assert!(ui.text("#factor-on").await.contains("已启用动态口令"));
    }
    app.finish().await;
}

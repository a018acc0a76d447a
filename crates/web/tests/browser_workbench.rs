//! The reviewer's and the enterprise's remaining pages in a real browser at 1366 px and on a
//! 390 px phone: the previous employer's 同意转出 card, a batch decision's results, the 文书 card on
//! an application, and the province's 企业更名 page with its progress. Screenshots 60–63.

use crate::common;
use crate::ui;

use common::*;
use erjian_store::testing::{fresh_database, TestDb};
use serde_json::json;
use ui::{browser, start_driver, Ui};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn consent_batch_notices_and_rename() {
    let url = fresh_database(TestDb::Sqlite).await.unwrap();
    let app = spawn_with(&url, erjian_web::clock::Clock::manual(t0()), true, Some(0)).await;
    // 赵磊 moves to enterprise B: both signed; A must consent to the release.
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let r = zhao.post("/api/employer-changes", json!({ "enterprise_name": ENTERPRISE_B, "submit": true })).await;
    let change = r.body["application"]["id"].as_i64().unwrap();
    zhao.sign_ok(change).await;
    app.enterprise(ENTERPRISE_B).await.sign_ok(change).await;
    let (zhang, _) = app.file_initial("张伟", "10401001").await;
    app.file_initial("刘洋", "10401002").await;
    let driver = start_driver();
    let (tmp, shots) = ui::dirs("erjian-browser-workbench");
    for (width, tag) in [(1366, "desktop"), (390, "phone")] {
        let ui = Ui { c: browser(&driver, &tmp.join(tag), width).await, base: app.url.clone(), shots: shots.clone() };
        ui.login(&app.enterprise_login(ENTERPRISE_A), "Qiye2026").await;
        ui.go("/portal?tab=pending").await;
        let card = ui.text("#release-consents").await;
        assert!(card.contains("赵磊") && card.contains("同意转出"), "{card}");
        assert_eq!(ui.overflow_x().await, 0, "the consent card fits a {width} px screen");
        ui.c.execute("document.getElementById('release-consents').scrollIntoView();", vec![]).await.unwrap();
        ui.shot(&format!("60-release-consent-{tag}")).await;
        ui.logout().await;

        ui.login("city1", "Shenhe2026").await;
        if tag == "desktop" {
            ui.go("/portal?tab=filed").await;
            ui.click("input[data-check-all]").await;
            ui.click_nav("#batch-submit").await;
            assert!(ui.text("#batch-summary").await.contains("已办理 2 件"));
            ui.shot(&format!("61-batch-result-{tag}")).await;
        }
        ui.go(&format!("/applications/{zhang}")).await;
        assert!(ui.text("#notices").await.contains("受理通知书"));
        assert_eq!(ui.overflow_x().await, 0, "the application page fits a {width} px screen");
        ui.c.execute("document.getElementById('notices').scrollIntoView();", vec![]).await.unwrap();
        ui.shot(&format!("62-notices-{tag}")).await;
        ui.logout().await;

        ui.login("province", "Shenhe2026").await;
        ui.go("/enterprise-renames").await;
        if tag == "desktop" {
            let code = app.enterprise_login(ENTERPRISE_B);
            ui.fill("#credit_code", &code).await;
            ui.fill("#new-name", "安徽路桥建设集团有限公司").await;
            ui.click_nav("#rename-submit").await;
            // The confirmation names the enterprise; then the progress.
            if ui.c.find(fantoccini::Locator::Css("#confirm-submit")).await.is_ok() {
                ui.click_nav("#confirm-submit").await;
            }
            assert!(ui.body().await.contains("安徽路桥建设集团有限公司"));
        }
        assert_eq!(ui.overflow_x().await, 0, "the rename page fits a {width} px screen");
        ui.shot(&format!("63-renames-{tag}")).await;
        ui.c.close().await.unwrap();
    }
    app.finish().await;
}

/// 湖南's enterprise: 本单位人员 with 代为申报延续注册 and 代为申报遗失补办 in each row (screenshots 64).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hunan_enterprise_files_for_its_people() {
    let app = spawn_in(TestDb::Sqlite, "湘").await;
    let driver = start_driver();
    let (tmp, shots) = ui::dirs("erjian-browser-hunan");
    for (width, tag) in [(1366, "desktop"), (390, "phone")] {
        let ui = Ui { c: browser(&driver, &tmp.join(tag), width).await, base: app.url.clone(), shots: shots.clone() };
        ui.login(&app.enterprise_login("湖南建工集团股份有限公司"), "Qiye2026").await;
        ui.go("/portal?tab=people").await;
        ui.click("details.lost-reissue summary").await;
        assert!(ui.body().await.contains("生成遗失补办申请表"));
        assert_eq!(ui.overflow_x().await, 0, "the people list fits a {width} px screen");
        let table_scroll =
            ui.c.execute("const w = document.querySelector('.table-wrap'); return w.scrollWidth - w.clientWidth;", vec![]).await.unwrap();
        assert_eq!(table_scroll.as_i64(), Some(0), "the opened form does not widen the table at {width} px");
        ui.shot(&format!("64-hunan-people-{tag}")).await;
        ui.c.close().await.unwrap();
    }
    app.finish().await;
}

/// 湖南's new enterprise opens 二级临时建造师变更申报 (screenshots 65), and 上海's applicant qualified
/// as constructor and architect chooses the profession on the initial form (screenshots 66).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn temporary_transfer_form_and_profession_choice() {
    let hunan = spawn_in(TestDb::Sqlite, "湘").await;
    let shanghai = spawn_in(TestDb::Sqlite, "沪").await;
    let lin = erjian_domain::ids::ResidentId::with_check("31010419850315002").unwrap().to_string();
    let province = shanghai.province().await;
    let csv = format!(
        "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n林芳,{lin},二级注册建筑师,,2024310001,2024,2024-10-20\n林芳,{lin},二级注册建造师,建筑,2024310002,2024,2024-11-20\n"
    );
    let r = province
        .http
        .post(format!("{}/api/qualifications/import", shanghai.url))
        .bearer_auth(&province.token)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    shanghai.signup_as("林芳", &lin).await;
    let driver = start_driver();
    let (tmp, shots) = ui::dirs("erjian-browser-transfer");
    for (width, tag) in [(1366, "desktop"), (390, "phone")] {
        let ui = Ui { c: browser(&driver, &tmp.join(tag), width).await, base: hunan.url.clone(), shots: shots.clone() };
        ui.login(&hunan.enterprise_login("湖南路桥工程有限公司"), "Qiye2026").await;
        ui.go("/portal").await;
        ui.click("#temp-transfer summary").await;
        let body = ui.body().await;
        assert!(body.contains("生成变更申请表") && body.contains("省住房和城乡建设厅审核"), "{body}");
        assert_eq!(ui.overflow_x().await, 0, "the form fits a {width} px screen");
        ui.shot(&format!("65-hunan-temporary-transfer-{tag}")).await;
        ui.c.close().await.unwrap();
        let ui = Ui { c: browser(&driver, &tmp.join(format!("{tag}-sh")), width).await, base: shanghai.url.clone(), shots: shots.clone() };
        ui.login(&lin, "Geren2026").await;
        ui.go("/applications/new").await;
        let body = ui.body().await;
        assert!(body.contains("申请注册的执业资格") && body.contains("二级注册建筑师"), "{body}");
        assert_eq!(ui.overflow_x().await, 0, "the form fits a {width} px screen");
        ui.shot(&format!("66-shanghai-profession-choice-{tag}")).await;
        ui.c.close().await.unwrap();
    }
    hunan.finish().await;
    shanghai.finish().await;
}

/// 上海's holder of two registrations (二级注册建筑师 and 二级注册建造师): the portal lists each with
/// its profession and its own links; the renewal page shows one and offers the other
/// (screenshots 67, 68).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_registrations_in_the_portal() {
    let app = spawn_in(TestDb::Sqlite, "沪").await;
    let lin = erjian_domain::ids::ResidentId::with_check("31010419850315002").unwrap().to_string();
    let province = app.province().await;
    let csv = format!(
        "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n林芳,{lin},二级注册建筑师,,2024310001,2024,2024-10-20\n林芳,{lin},二级注册建造师,建筑,2024310002,2024,2024-11-20\n"
    );
    let r =
        province.http.post(format!("{}/api/qualifications/import", app.url)).bearer_auth(&province.token).body(csv).send().await.unwrap();
    assert!(r.status().is_success());
    app.signup_as("林芳", &lin).await;
    for profession in ["architect2", "constructor2"] {
        // Signed in again each time: announcing moved the clock past the session.
        let person = app.login(&lin, "Geren2026").await;
        let body = json!({ "profession": profession, "enterprise_name": "上海建工集团股份有限公司", "mobile": "13800138000",
            "specialties": ["10401001"], "declaration": true, "photo_base64": photo_base64(), "submit": true });
        let r = person.post("/api/applications", body).await;
        assert_eq!(r.status, reqwest::StatusCode::CREATED, "{:?}", r.body);
        let id = r.body["application"]["id"].as_i64().unwrap();
        person.sign_ok(id).await;
        app.enterprise("上海建工集团股份有限公司").await.sign_ok(id).await;
        app.review_and_announce(id, "city1").await;
    }
    let person = app.login(&lin, "Geren2026").await;
    let regs = person.get("/api/registrations").await.body["registrations"].as_array().cloned().unwrap();
    let architect = regs.iter().find(|r| r["profession"] == "architect2").unwrap()["registration_number"].as_str().unwrap().to_owned();
    let driver = start_driver();
    let (tmp, shots) = ui::dirs("erjian-browser-two-registrations");
    for (width, tag) in [(1366, "desktop"), (390, "phone")] {
        let ui = Ui { c: browser(&driver, &tmp.join(tag), width).await, base: app.url.clone(), shots: shots.clone() };
        ui.login(&lin, "Geren2026").await;
        ui.go("/portal").await;
        let body = ui.body().await;
        assert!(body.contains("二级注册建筑师") && body.contains("办理本注册的业务"), "{body}");
        assert_eq!(ui.overflow_x().await, 0, "the portal fits a {width} px screen");
        ui.shot(&format!("67-two-registrations-portal-{tag}")).await;
        ui.go(&format!("/renewal?registration={architect}")).await;
        let body = ui.body().await;
        assert!(body.contains("您还持有") && body.contains("二级注册建筑师"), "{body}");
        assert_eq!(ui.overflow_x().await, 0, "the renewal page fits a {width} px screen");
        ui.shot(&format!("68-two-registrations-renewal-{tag}")).await;
        ui.c.close().await.unwrap();
    }
    app.finish().await;
}

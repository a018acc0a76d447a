//! The whole initial registration in a real browser: Debian's Chromium driven through
//! chromedriver (WebDriver) from Rust. Each role logs in through the login page and clicks
//! through its part, from sign-up to the registration number. Screenshots of each step are
//! written to `target/screenshots/` for people to look at.

use crate::common;
use crate::ui;

use common::*;
use erjian_store::testing::{fresh_database, TestDb};
use fantoccini::Locator;
use ui::{browser, start_driver, Ui};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn initial_registration_clicked_through_by_every_role() {
    let url = fresh_database(TestDb::Sqlite).await.unwrap();
    let app = spawn_with(&url, erjian_web::clock::Clock::manual(t0()), true, Some(0)).await;
    let driver = start_driver();
    let (tmp, shots) = ui::dirs("erjian-browser");
    let ui = Ui { c: browser(&driver, &tmp.join("profile"), 1280).await, base: app.url.clone(), shots };

    // 1. 张伟 signs up by real name; a wrong ID first gets a Chinese message beside the field.
    // The code comes from the demo outbox page, as a newcomer would read it; the passwords
    // typed differently are refused, what was typed kept.
    let id = app.person_id_number("张伟");
    ui.go("/signup/individual").await;
    ui.fill("#name", "张伟").await;
    ui.fill("#id_number", &format!("{}0", &id[..17])).await;
    ui.fill("#mobile", "13800138000").await;
    ui.click_nav("#send-code").await;
    assert!(ui.text("[data-field=id_number]").await.contains("校验位"));
    ui.fill("#id_number", &id).await;
    ui.click_nav("#send-code").await;
    assert!(ui.text("#code-sent").await.contains("验证码已发送"));
    assert!(ui.text("#demo-sms").await.contains("演示环境"));
    ui.go("/demo/outbox?mobile=13800138000").await;
    let sms = ui.text(".sms").await;
    assert!(sms.contains("演示短信") && sms.contains("开户"), "{sms}");
    let code = sms.split("验证码为 ").nth(1).unwrap()[..6].to_owned();
    ui.go("/signup/individual").await;
    ui.fill("#name", "张伟").await;
    ui.fill("#id_number", &id).await;
    ui.fill("#mobile", "13800138000").await;
    ui.fill("#code", &code).await;
    ui.fill("#password", "Geren2026").await;
    ui.fill("#password2", "Geren2027").await;
    ui.click_nav("#signup-submit").await;
    assert!(ui.body().await.contains("两次输入的密码不一致"));
    assert_eq!(ui.c.find(Locator::Css("#name")).await.unwrap().prop("value").await.unwrap().as_deref(), Some("张伟"));
    ui.fill("#code", &code).await;
    ui.fill("#password", "Geren2026").await;
    ui.fill("#password2", "Geren2026").await;
    ui.click_nav("#signup-submit").await;
    assert!(ui.text("#whoami").await.contains("张伟"));
    ui.shot("01-individual-portal").await;

    // 2. The form: enterprise, specialty, photo, declaration; submit to the enterprise.
    ui.click("#new-application").await;
    ui.fill("#enterprise_name", ENTERPRISE_A).await;
    ui.click("input[name=specialties][value='10401001']").await;
    let photo = tmp.join("photo.png");
    std::fs::write(&photo, photo_png()).unwrap();
    ui.c.find(Locator::Css("#photo")).await.unwrap().send_keys(photo.to_str().unwrap()).await.unwrap();
    // Submitting without the declaration is refused beside the field, nothing lost.
    ui.click_nav("#submit-application").await;
    assert!(ui.text("#form-errors").await.contains("请阅读并勾选本人承诺"));
    ui.c.find(Locator::Css("#photo")).await.unwrap().send_keys(photo.to_str().unwrap()).await.unwrap();
    ui.click("#declaration").await;
    ui.shot("02-application-form").await;
    ui.click_nav("#submit-application").await;
    assert_eq!(ui.text("#app-state").await, "待本人签名");
    let number = ui.text("#app-number").await;
    assert!(ui.text("#signing").await.contains("本签署事项共有 2 个签署方"));
    let app_url = ui.c.current_url().await.unwrap().path().to_owned();
    // Set the signing PIN, come back and sign; a wrong PIN first gets a clear message.
    ui.go("/signing").await;
    ui.fill("#pin", PIN).await;
    ui.click_nav("#set-pin").await;
    assert!(ui.text("#signing-message").await.contains("已设置签名密码"));
    ui.go(&app_url).await;
    ui.fill("#pin", "wrong-pin-1").await;
    ui.click_nav("#do-sign").await;
    assert!(ui.text("#sign-error").await.contains("签名密码不正确"));
    ui.fill("#pin", PIN).await;
    ui.click_nav("#do-sign").await;
    assert!(ui.text("#flash").await.contains("本人签名"));
    assert_eq!(ui.text("#app-state").await, "待企业盖章确认");
    assert!(ui.text("#signature-table").await.contains("签名有效"));
    ui.shot("03-application-signed").await;
    ui.logout().await;

    // 3. The enterprise confirms from its pending list.
    ui.login(&app.enterprise_login(ENTERPRISE_A), "Qiye2026").await;
    ui.go("/signing").await;
    ui.fill("#pin", PIN).await;
    ui.click_nav("#set-pin").await;
    assert!(ui.text("#signing-message").await.contains("已设置签名密码"));
    ui.go("/portal?tab=pending").await;
    ui.open(&number).await;
    ui.fill("#pin", PIN).await;
    ui.click_nav("#do-sign").await;
    assert!(ui.text("#flash").await.contains("企业确认"));
    assert_eq!(ui.text("#app-state").await, "已申报（待受理）");
    assert_eq!(ui.c.find_all(Locator::Css("#signature-table tbody tr")).await.unwrap().len(), 2);
    ui.shot("04-enterprise-sealed").await;
    ui.logout().await;

    // 4. The city authority accepts, then passes the preliminary review.
    ui.login("city1", "Shenhe2026").await;
    ui.go("/portal?tab=filed").await;
    ui.open(&number).await;
    ui.click_nav("#do-accept").await;
    assert!(ui.text("#flash").await.contains("受理"));
    ui.go("/portal?tab=accepted").await;
    ui.open(&number).await;
    assert!(ui.text("#actions").await.contains("不予注册"), "the refusal form is offered too");
    assert!(ui.text("#signature-table").await.matches("签名有效").count() == 2, "reviewers see two valid signatures");
    ui.shot("05-city-review").await;
    ui.click_nav("#do-prelim_approve").await;
    assert!(ui.text("#flash").await.contains("初审通过"));
    ui.logout().await;

    // 5. The province approves, publishes a publicity batch and announces it.
    ui.login("province", "Shenhe2026").await;
    ui.go("/portal?tab=prelim").await;
    ui.open(&number).await;
    ui.click_nav("#do-approve").await;
    assert!(ui.text("#flash").await.contains("复审通过"));
    ui.go("/portal?tab=approved").await;
    ui.click_nav("#start-publicity").await;
    assert!(ui.text("#flash").await.contains("生成公示批次"));
    ui.shot("06-publicity-batches").await;
    ui.click_nav("button[id^=announce-]").await;
    // Announcing cannot be undone: a confirmation step names the batch and the effect.
    assert!(ui.text("#confirm-effect").await.contains("不能撤回"));
    ui.shot("06b-confirm-announce").await;
    ui.click_nav("#confirm-submit").await;
    assert!(ui.text("#flash").await.contains("发布公告"));
    ui.logout().await;

    // 6. The applicant sees the registration number and every status column.
    ui.login(&id, "Geren2026").await;
    let regno = ui.text("#registration-number").await;
    assert!(regno.starts_with("皖23420242026"), "{regno}");
    let body = ui.body().await;
    assert!(body.contains("已公告（办结）") && body.contains("公示期满"), "{body}");
    ui.shot("07-registered").await;
    // The sealed certificate is ready to download, and its QR link shows the live status.
    assert!(ui.text("#certificate-no").await.starts_with("342026"));
    let href = ui.c.find(Locator::Css("#download-ofd")).await.unwrap().attr("href").await.unwrap().unwrap();
    assert!(href.ends_with("format=ofd"), "{href}");
    ui.click_nav("#verify-link").await;
    assert!(ui.text("#cert-status").await.contains("证书当前有效"));
    ui.shot("08-verify-page").await;
    ui.c.clone().close().await.unwrap();

    // The same portal on a phone-sized screen.
    let phone = Ui { c: browser(&driver, &tmp.join("phone"), 390).await, base: app.url.clone(), shots: ui.shots.clone() };
    phone.login(&id, "Geren2026").await;
    phone.shot("07-phone-portal").await;
    phone.c.clone().close().await.unwrap();
    app.finish().await;
}

/// The captcha answer behind a query page (what the picture shows a person).
async fn captcha_answer(app: &TestApp, token: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
    let (a,): (String,) = sqlx::query_as("SELECT answer FROM captchas WHERE token = $1").bind(token).fetch_one(&mut c).await.unwrap();
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn public_centre_renewal_and_cancellation_in_the_browser() {
    let url = fresh_database(TestDb::Sqlite).await.unwrap();
    let app = spawn_with(&url, erjian_web::clock::Clock::manual(t0()), true, Some(0)).await;
    let driver = start_driver();
    let (tmp, shots) = ui::dirs("erjian-browser-public");
    let ui = Ui { c: browser(&driver, &tmp.join("profile"), 1280).await, base: app.url.clone(), shots };
    let id = app.person_id_number("赵磊");

    // 1. The query centre: a wrong captcha is refused; the right one shows the masked record.
    ui.go("/query").await;
    ui.fill("#name", "赵磊").await;
    ui.fill("#key", &id).await;
    ui.fill("#captcha", "00000").await;
    let token = ui.c.find(Locator::Css("input[name=captcha_token]")).await.unwrap().attr("value").await.unwrap().unwrap();
    if captcha_answer(&app, &token).await == "00000" {
        ui.fill("#captcha", "11111").await;
    }
    ui.click_nav("#query-submit").await;
    assert!(ui.text("#query-error").await.contains("验证码错误"));
    let token = ui.c.find(Locator::Css("input[name=captcha_token]")).await.unwrap().attr("value").await.unwrap().unwrap();
    ui.fill("#captcha", &captcha_answer(&app, &token).await).await;
    ui.shot("10-query-form").await;
    ui.click_nav("#query-submit").await;
    assert_eq!(ui.text("#result-id").await, format!("{}**********{}", &id[..6], &id[16..]));
    assert_eq!(ui.text("#result-status").await, "注册有效");
    ui.shot("11-query-result").await;
    ui.click_nav("#detail-link").await;
    assert!(ui.text("#history").await.contains("初始注册"));
    ui.shot("12-query-detail").await;

    // 2. The QR code's address: live status and the signed statement.
    let zhao = app.login(&id, "Geren2026").await;
    let certs = zhao.get("/api/certificates").await.body["certificates"].as_array().unwrap().clone();
    let cert_id = certs[0]["id"].as_i64().unwrap();
    let file = zhao.http.get(format!("{}/api/certificates/{cert_id}/download", app.url)).bearer_auth(&zhao.token).send().await.unwrap();
    let file = file.bytes().await.unwrap().to_vec();
    let pkg = erjian_ofd::Package::from_bytes(&file).unwrap();
    let qr = erjian_ofd::reader::read(&pkg).unwrap().metadata.custom.iter().find(|(k, _)| k == "核验地址").unwrap().1.clone();
    ui.c.goto(&qr).await.unwrap();
    assert!(ui.text("#cert-status").await.contains("证书当前有效"));
    assert!(ui.text("#statement").await.contains("二维码签名有效"));
    ui.shot("13-qr-scan").await;

    // 3. The file check: the genuine file is valid, a tampered one is named as such.
    let genuine = tmp.join("genuine.ofd");
    std::fs::write(&genuine, &file).unwrap();
    let mut bad = pkg.clone();
    bad.tamper("Doc_0/Pages/Page_0/Content.xml", 500);
    let tampered = tmp.join("tampered.ofd");
    std::fs::write(&tampered, bad.to_bytes()).unwrap();
    ui.go("/check").await;
    ui.c.find(Locator::Css("#file")).await.unwrap().send_keys(genuine.to_str().unwrap()).await.unwrap();
    ui.click_nav("#check-submit").await;
    assert!(ui.text("#check-summary").await.contains("证书当前有效"));
    ui.c.find(Locator::Css("#file")).await.unwrap().send_keys(tampered.to_str().unwrap()).await.unwrap();
    ui.click_nav("#check-submit").await;
    assert!(ui.text("#check-summary").await.contains("篡改"));
    assert!(ui.text("#check-failures").await.contains("Content.xml") && ui.text("#check-failures").await.contains("盖章后被改动"));
    ui.shot("14-check-tampered").await;

    // 4. Renewal: 赵磊's validity ends in 59 days; hours per specialty, then the form to sign.
    ui.login(&id, "Geren2026").await;
    ui.go("/renewal").await;
    ui.fill("#compulsory-10401001", "60").await;
    ui.fill("#elective-10401001", "60").await;
    ui.fill("#compulsory-10401010", "30").await;
    ui.fill("#elective-10401010", "10").await;
    ui.click_nav("#renewal-submit").await;
    assert!(ui.body().await.contains("学时不足"));
    let kept = ui.c.find(Locator::Css("#compulsory-10401001")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("60"), "entered hours are kept after an error");
    ui.fill("#elective-10401010", "30").await;
    ui.shot("15-renewal-form").await;
    ui.click_nav("#renewal-submit").await;
    assert_eq!(ui.text("#app-state").await, "待本人签名");
    assert!(ui.text("h1").await.contains("延续注册"));
    ui.logout().await;

    // 5. Cancellation by both initiators: 赵磊 asks to cancel one specialty and the enterprise
    //    confirms; then the enterprise cancels the rest on its own.
    app.login(&id, "Geren2026").await.ensure_pin(PIN).await;
    app.enterprise(ENTERPRISE_A).await.ensure_pin(PIN).await;
    ui.login(&id, "Geren2026").await;
    ui.go("/cancel").await;
    ui.click("#scope-partial").await;
    ui.click("#specialty-choices input[value='10401010']").await;
    ui.c.find(Locator::Css("#reason option[value=contract_ended]")).await.unwrap().click().await.unwrap();
    ui.fill("#cancel-pin", PIN).await;
    ui.click_nav("#request-submit").await;
    assert!(ui.text("#flash").await.contains("待聘用企业盖章确认"));
    assert!(ui.text("#cancel-requests").await.contains("待企业确认"));
    ui.shot("16-individual-cancel-request").await;
    ui.logout().await;
    ui.login(&app.enterprise_login(ENTERPRISE_A), "Qiye2026").await;
    ui.go("/cancel").await;
    assert!(ui.text("#cancel-requests").await.contains("赵磊"));
    ui.fill("#cancel-requests input[name=pin]", PIN).await;
    ui.shot("16b-enterprise-seals-cancel-form").await;
    ui.click_nav("button[id^=confirm-]").await;
    assert!(ui.text("#flash").await.contains("注销已生效"));
    let regno = certs[0]["registration_number"].as_str().unwrap().to_owned();
    ui.c.find(Locator::Css(&format!("#registration_number option[value='{regno}']"))).await.unwrap().click().await.unwrap();
    ui.c.find(Locator::Css("#reason option[value=other]")).await.unwrap().click().await.unwrap();
    ui.shot("17-enterprise-cancel").await;
    ui.click_nav("#cancel-submit").await;
    // The confirmation names the person and what happens to the certificate.
    assert!(ui.text("#confirm-who").await.contains("赵磊"));
    assert!(ui.text("#confirm-effect").await.contains("作废"));
    ui.shot("17b-confirm-cancel").await;
    ui.click_nav("#confirm-submit").await;
    assert!(ui.text("#flash").await.contains("原电子证书已作废"));
    ui.logout().await;
    // The old QR address now says, in red, that the file was replaced, and points onwards.
    ui.c.goto(&qr).await.unwrap();
    assert!(ui.text("#cert-status").await.contains("已失效"));
    ui.click_nav("#current-link").await;
    assert!(ui.text("#cert-status").await.contains("已注销"));
    ui.shot("18-qr-cancelled").await;
    ui.c.clone().close().await.unwrap();
    app.finish().await;
}

/// The existing register in the browser (上海 profile): a paper-certificate holder signs up,
/// exchanges for the electronic certificate with a photo upload, makes a usage copy (使用件),
/// and its QR address reports it valid.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paper_exchange_and_usage_copy_in_the_browser() {
    let app = spawn_in(TestDb::Sqlite, "沪").await;
    let driver = start_driver();
    let (tmp, shots) = ui::dirs("erjian-browser-exchange");
    let ui = Ui { c: browser(&driver, &tmp.join("profile"), 1280).await, base: app.url.clone(), shots };
    let id = app.person_id_number("周敏");
    ui.go("/signup/individual").await;
    ui.fill("#name", "周敏").await;
    ui.fill("#id_number", &id).await;
    ui.fill("#mobile", "13800138000").await;
    ui.click_nav("#send-code").await;
    ui.fill("#code", &app.newest_code_to("13800138000")).await;
    ui.fill("#password", "Geren2026").await;
    ui.fill("#password2", "Geren2026").await;
    ui.click_nav("#signup-submit").await;
    ui.go("/portal").await;
    assert!(ui.text("#paper-exchange").await.contains("纸质证书换领电子证书"));
    let photo = tmp.join("photo.png");
    std::fs::write(&photo, photo_png()).unwrap();
    ui.c.find(Locator::Css("#exchange-photo")).await.unwrap().send_keys(photo.to_str().unwrap()).await.unwrap();
    ui.click("#paper-exchange input[name=confirm]").await;
    ui.shot("20-paper-exchange").await;
    ui.click_nav("#paper-exchange-submit").await;
    assert!(ui.text("#certificate").await.contains("有效"));

    ui.click("#usage-copies summary").await;
    ui.fill("#purpose", "浦江花园项目投标").await;
    ui.fill("#days", "15").await;
    ui.click_nav("#usage-submit").await;
    ui.click("#usage-copies summary").await;
    let listed = ui.text("#usage-copies").await;
    assert!(listed.contains("浦江花园项目投标"), "{listed}");
    ui.shot("21-usage-copies").await;
    ui.click_nav("#usage-copies a[href^='/verify/copy/']").await;
    assert!(ui.text("#copy-status").await.contains("使用件有效"));
    assert!(ui.text("#cert-status").await.contains("证书当前有效"));
    ui.shot("22-usage-copy-verified").await;
    ui.c.clone().close().await.unwrap();
    app.finish().await;
}

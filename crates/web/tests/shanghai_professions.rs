//! 上海's three professions. The notice (新版电子注册证书, 二、实施范围): “对符合要求的本市二级注册人员初始注册、
//! 增项注册(仅限二级建造师)、延续注册颁发新版电子注册证书”, the 二级注册人员 being “二级注册建造师、二级注册建筑师、
//! 二级注册结构工程师”; and the standards by which each certificate is made: “《全国一体化在线政务服务平台电子证照
//! 二级建造师注册证书》(C0215-2019)、《……注册建筑师注册证书》(C0253-2021)、《……勘察设计注册工程师注册执业证书》
//! (C0252-2021)”. An architect files an initial registration, gets an architect's form and certificate (its own
//! licence type); holding two professions, he names the certificate each action concerns; 增项 is the
//! constructor's only. Elsewhere (皖) the architect's registration is not offered.

use crate::common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

const SH_A: &str = "上海建工集团股份有限公司";

fn lin_id() -> String {
    erjian_domain::ids::ResidentId::with_check("31010419850315002").unwrap().to_string()
}

async fn ofd_text(api: &Api, path: &str) -> String {
    let r = api.http.get(format!("{}{path}", api.base)).bearer_auth(&api.token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    let pkg = erjian_ofd::Package::from_bytes(&r.bytes().await.unwrap()).unwrap();
    erjian_ofd::reader::read(&pkg).unwrap().pages.iter().map(|p| p.text()).collect::<String>().replace(['\n', ' '], "")
}

async fn architect_and_constructor(kind: TestDb) {
    let app = spawn_in(kind, "沪").await;
    let province = app.province().await;
    let id = lin_id();
    let csv = format!(
        "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n\
         林芳,{id},二级注册建筑师,,2024310001,2024,2024-10-20\n\
         林芳,{id},二级注册建造师,建筑,2024310002,2024,2024-11-20\n"
    );
    let r =
        province.http.post(format!("{}/api/qualifications/import", app.url)).bearer_auth(&province.token).body(csv).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    let lin = app.signup_as("林芳", &id).await;

    // The form offers both professions.
    let page = app.page_login(&id, "Geren2026").await;
    let form = page.get(format!("{}/applications/new", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("申请注册的执业资格") && form.contains("二级注册建筑师") && form.contains("二级注册建造师"), "{form}");

    // 二级注册建筑师: no specialty to choose; the form and the certificate are the architect's.
    let body = json!({ "profession": "architect2", "enterprise_name": SH_A, "mobile": "13800138000", "declaration": true,
        "photo_base64": photo_base64(), "submit": true });
    let r = lin.post("/api/applications", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let arch = r.body["application"]["id"].as_i64().unwrap();
    assert_eq!(r.body["application"]["profession"], "architect2");
    let form_text = ofd_text(&lin, &format!("/api/applications/{arch}/form")).await;
    assert!(form_text.contains("二级注册建筑师初始注册申请表"), "{form_text}");
    assert_eq!(lin.sign_ok(arch).await, "awaiting_enterprise");
    assert_eq!(app.enterprise(SH_A).await.sign_ok(arch).await, "filed");
    app.review_and_announce(arch, "city1").await;
    let lin = app.login(&id, "Geren2026").await;
    let certs = lin.get("/api/certificates").await.body["certificates"].as_array().cloned().unwrap();
    assert_eq!(certs.len(), 1);
    let licence = certs[0]["licence_id"].as_str().unwrap().to_owned();
    assert!(licence.contains(".11100000000013338W053."), "the architect's licence type (C0253-2021): {licence}");
    let cert_text = ofd_text(&lin, &format!("/api/certificates/{}/download", certs[0]["id"])).await;
    assert!(cert_text.contains("二级注册建筑师注册证书") && cert_text.contains("林芳"), "{cert_text}");

    // Then the constructor's registration: a second registration with the constructor's type.
    let r = lin.apply(SH_A, &["10401001"], true).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let cons = r.body["application"]["id"].as_i64().unwrap();
    assert_eq!(r.body["application"]["profession"], "constructor2");
    lin.sign_ok(cons).await;
    app.enterprise(SH_A).await.sign_ok(cons).await;
    app.review_and_announce(cons, "city1").await;
    let lin = app.login(&id, "Geren2026").await;
    let regs = lin.get("/api/registrations").await.body["registrations"].as_array().cloned().unwrap();
    assert_eq!(regs.len(), 2, "{regs:?}");
    let regno = |p: &str| regs.iter().find(|r| r["profession"] == p).unwrap()["registration_number"].as_str().unwrap().to_owned();
    let certs = lin.get("/api/certificates").await.body["certificates"].as_array().cloned().unwrap();
    assert!(certs.iter().any(|c| c["licence_id"].as_str().unwrap().contains(".11100000000013338W001.")), "{certs:?}");

    // The pages show one registration at a time and offer the other.
    let page = app.page_login(&id, "Geren2026").await;
    let portal = page.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(portal.contains("办理本注册的业务") && portal.contains(&regno("architect2")), "{portal}");
    let renewal = page.get(format!("{}/renewal?registration={}", app.url, regno("architect2"))).send().await.unwrap().text().await.unwrap();
    assert!(
        renewal.contains("您还持有")
            && renewal.contains(&format!("action=\"/renewal?registration=%E6%B2%AA{}", &regno("architect2")["沪".len()..])),
        "{renewal}"
    );

    // Holding two, an action names its certificate; 增项 is the constructor's only.
    let add = json!({ "specialties": ["10401010"], "submit": false });
    let unnamed = lin.post("/api/additions", add.clone()).await;
    assert_eq!(unnamed.status, StatusCode::CONFLICT, "{:?}", unnamed.body);
    assert!(unnamed.error().contains("请先选择本次业务办理的注册证书"), "{}", unnamed.error());
    let architect = lin.post(&format!("/api/additions?registration={}", regno("architect2")), add.clone()).await;
    assert_eq!(architect.status, StatusCode::CONFLICT, "{:?}", architect.body);
    assert!(architect.error().contains("增项注册仅限二级注册建造师"), "{}", architect.error());
    let stranger = lin.post("/api/additions?registration=沪2312024202600999", add.clone()).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND, "not someone else's: {:?}", stranger.body);
    app.finish().await;

    // 安徽 registers constructors only.
    let app = spawn(kind).await;
    let zhang = app.signup("张伟").await;
    let body = json!({ "profession": "architect2", "enterprise_name": ENTERPRISE_A, "mobile": "13800138000", "declaration": true,
        "photo_base64": photo_base64(), "submit": true });
    let r = zhang.post("/api/applications", body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    app.finish().await;
}
on_both_databases!(architect_and_constructor);

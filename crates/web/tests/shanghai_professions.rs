//! 上海's rules: the three professions, and the old version's lapse (at the end). The notice (新版电子注册证书, 二、实施范围): “对符合要求的本市二级注册人员初始注册、
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

    // Then the constructor's registration: a second registration with the constructor's type. The
    // portal still offers the initial form (not yet registered as a constructor).
    let portal = page.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!portal.contains("您已注册，不能再次办理初始注册"), "{portal}");
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
    assert!(portal.contains("您已注册，不能再次办理初始注册"), "both professions registered");
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

/// 上海 notice 一: “2022年6月27日起启用新版电子注册证书(证书式样见附件一),同时原电子注册证书于2023年6月1日失效”;
/// 三(三): “2023年6月1日前,旧版电子注册证书与新版电子注册证书具有同等法律效力”. A certificate issued before the
/// new version is valid until the cut-off, then 已失效 with why; the holder exchanges it for the new version. The
/// preset's own dates (2022/2023) leave erjian's certificates (issued since) new; here the administrator sets
/// dates after the demo's issue, as a deployment adopting a new version would.
async fn old_version_lapses_on_the_cutoff(kind: TestDb) {
    let app = spawn_in(kind, "沪").await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let old = zhao.get("/api/certificates").await.body["certificates"][0]["licence_id"].as_str().unwrap().to_owned();
    let verify = |licence: String| {
        let (http, url) = (app.http.clone(), app.url.clone());
        async move { http.get(format!("{url}/api/verify/{licence}")).send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    assert_eq!(verify(old.clone()).await["verdict"]["code"], "valid", "new under the preset's 2022 dates");
    let admin = app.login("admin", "Admin2026").await;
    let mut profile = admin.get("/api/admin/profile").await.body["running"].clone();
    assert_eq!(profile["old_version_valid_until"], "2023-06-01");
    profile["new_version_since"] = json!("2026-12-01");
    profile["old_version_valid_until"] = json!("2027-01-04");
    let mut bad = profile.clone();
    bad["old_version_valid_until"] = json!("2026-11-30");
    assert_eq!(admin.put("/api/admin/profile", bad).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin.put("/api/admin/profile", profile).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Before the cut-off: the same force; the holder is told.
    assert_eq!(verify(old.clone()).await["verdict"]["code"], "valid");
    let page = app.page_login(&app.person_id_number("赵磊"), "Geren2026").await;
    let portal = page.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(portal.contains("本证书为旧版电子注册证书，2027年01月04日起失效"), "{portal}");
    // From the cut-off: 已失效, saying why.
    app.advance(41);
    let v = verify(old.clone()).await;
    assert_eq!((v["verdict"]["code"].as_str(), v["status"].as_str()), (Some("invalid"), Some("old_version")), "{v}");
    assert!(v["verdict"]["why"].as_str().unwrap().contains("旧版电子注册证书已失效"), "{v}");
    // The exchange gives the new version, valid.
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let sig = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, erjian_cert::synthetic::signature_png(7));
    let r = zhao.post("/api/certificates/new-version", json!({ "signature_base64": sig })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let new = r.body["licence_id"].as_str().unwrap().to_owned();
    assert_eq!(verify(new).await["verdict"]["code"], "valid");
    app.finish().await;
}
on_both_databases!(old_version_lapses_on_the_cutoff);

//! Rules that differ by province profile, on both databases: in Hunan a cancellation forced by
//! the enterprise waits for the holder, who confirms it or refuses with a reason; in Gansu a change
//! of employer is cancellation plus re-registration; in Hunan the enterprise may file; and a
//! province may review in one level without the city.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn valid_certificates(who: &Api) -> usize {
    let certs = who.get("/api/certificates").await.body["certificates"].as_array().cloned().unwrap_or_default();
    certs.iter().filter(|c| c["status"] == "valid").count()
}

async fn forced_cancellation_waits_for_the_holder_in_hunan(kind: TestDb) {
    let app = spawn_in(kind, "湘").await;
    let enterprise_name = "湖南建工集团股份有限公司";
    let ent = app.login(&app.enterprise_login(enterprise_name), "Qiye2026").await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let regno = zhao.get("/api/registrations").await.body["registrations"][0]["registration_number"].as_str().unwrap().to_owned();
    let cancel = json!({ "registration_number": regno, "reason": "contract_ended" });

    let r = ent.post("/api/cancellations", cancel.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let request = r.body["pending_request"].as_i64().expect("a request waits for the holder");
    assert_eq!(valid_certificates(&zhao).await, 1, "nothing is cancelled before the holder confirms");
    let twice = ent.post("/api/cancellations", cancel.clone()).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{:?}", twice.body);
    // The enterprise cannot confirm its own request; the holder sees it and decides.
    assert_eq!(ent.post(&format!("/api/cancellation-requests/{request}/confirm"), json!({})).await.status, StatusCode::NOT_FOUND);
    let mine: Vec<Value> = zhao.get("/api/cancellation-requests").await.body["requests"].as_array().cloned().unwrap();
    assert_eq!((mine[0]["initiator"].as_str(), mine[0]["state"].as_str()), (Some("enterprise"), Some("pending")));
    let no_reason = zhao.post(&format!("/api/cancellation-requests/{request}/reject"), json!({ "reason": " " })).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = zhao.post(&format!("/api/cancellation-requests/{request}/reject"), json!({ "reason": "劳动合同仍在履行" })).await;
    assert_eq!(refused.status, StatusCode::OK, "{:?}", refused.body);
    assert_eq!(valid_certificates(&zhao).await, 1);

    let r = ent.post("/api/cancellations", cancel).await;
    let request = r.body["pending_request"].as_i64().unwrap();
    let ok = zhao.post(&format!("/api/cancellation-requests/{request}/confirm"), json!({})).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(ok.body["outcome"]["whole"], true);
    assert_eq!(valid_certificates(&zhao).await, 0, "confirmed: the certificate is void");
    let history = zhao.get("/api/cancellation-requests").await.body["requests"].clone();
    assert_eq!(history[0]["state"], "confirmed");
    app.finish().await;
}
on_both_databases!(forced_cancellation_waits_for_the_holder_in_hunan);

async fn gansu_changes_employer_by_cancellation_and_re_registration(kind: TestDb) {
    let app = spawn_in(kind, "甘").await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let r = zhao.post("/api/employer-changes", json!({ "enterprise_name": "甘肃路桥工程有限公司", "submit": true })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.error().contains("请先办理注销注册") && r.error().contains("重新注册"), "{}", r.error());
    // In Gansu an enterprise's forced cancellation needs no confirmation: it takes effect at once.
    let regno = zhao.get("/api/registrations").await.body["registrations"][0]["registration_number"].as_str().unwrap().to_owned();
    let ent = app.login(&app.enterprise_login("甘肃建工集团股份有限公司"), "Qiye2026").await;
    let r = ent.post("/api/cancellations", json!({ "registration_number": regno, "reason": "contract_ended" })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(r.body["pending_request"].is_null());
    assert_eq!(valid_certificates(&zhao).await, 0);
    app.finish().await;
}
on_both_databases!(gansu_changes_employer_by_cancellation_and_re_registration);

async fn hunan_enterprise_files_the_initial_registration(kind: TestDb) {
    let app = spawn_in(kind, "湘").await;
    let zhang = app.signup("张伟").await;
    let zhang_id = app.person_id_number("张伟");
    let ent = app.login(&app.enterprise_login("湖南建工集团股份有限公司"), "Qiye2026").await;
    let body = |id: &str, name: &str| {
        json!({ "applicant_id_number": id, "applicant_name": name, "mobile": "13800138000", "specialties": ["10401001"],
                "declaration": true, "photo_base64": photo_base64(), "submit": true, "enterprise_name": "别的企业" })
    };
    let unknown = ent.post("/api/applications", body(&zhang_id, "张三")).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", unknown.body);
    assert!(unknown.body["fields"][0]["message"].as_str().unwrap().contains("实名注册"));
    let r = ent.post("/api/applications", body(&zhang_id, "张伟")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    assert_eq!(r.body["application"]["enterprise_name"], "湖南建工集团股份有限公司", "the filing enterprise, whatever was typed");
    assert_eq!(r.body["application"]["filed_by"], "enterprise");
    assert_eq!(r.body["application"]["state"], "awaiting_enterprise");
    // The person sees it; the enterprise seals, then the person confirms by signing.
    assert_eq!(zhang.get(&format!("/api/applications/{id}")).await.status, StatusCode::OK);
    assert_eq!(ent.sign_ok(id).await, "awaiting_signature");
    assert_eq!(zhang.sign_ok(id).await, "filed");
    assert_eq!(app.city().await.act_ok(id, "accept", None).await, "accepted");

    // The same from the enterprise's portal, for 刘洋.
    let liu = app.signup("刘洋").await;
    let c = app.page_login(&app.enterprise_login("湖南建工集团股份有限公司"), "Qiye2026").await;
    let portal = c.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(portal.contains("代为申报初始注册"));
    // The qualification look-up: name and ID number together show the records and preselect them.
    let liu_id = app.person_id_number("刘洋");
    let found = c.get(format!("{}/portal?q_name=刘洋&q_id={liu_id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(found.contains("id=\"lookup-result\"") && found.contains("value=\"10401002\" checked"), "records shown and preselected");
    let wrong = c.get(format!("{}/portal?q_name=刘样&q_id={liu_id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(wrong.contains("id=\"lookup-none\"") && !wrong.contains("lookup-result"), "a wrong name reveals nothing");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&portal))
        .text("applicant_name", "刘洋")
        .text("applicant_id_number", app.person_id_number("刘洋"))
        .text("mobile", "13900139000")
        .text("specialties", "10401002")
        .text("ce_compulsory", "60")
        .text("ce_elective", "60")
        .text("declaration", "1")
        .text("intent", "submit")
        .part("photo", reqwest::multipart::Part::bytes(photo_png()).file_name("p.png").mime_str("image/png").unwrap());
    let r = c.post(format!("{}/applications/enterprise", app.url)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let mine = liu.get("/api/applications").await.body["applications"][0].clone();
    assert_eq!((mine["state"].as_str(), mine["filed_by"].as_str()), (Some("awaiting_enterprise"), Some("enterprise")), "{mine}");
    app.finish().await;

    // Elsewhere the individual files.
    let app = spawn(kind).await;
    app.signup("张伟").await;
    let ent = app.enterprise(ENTERPRISE_A).await;
    let r = ent.post("/api/applications", body(&app.person_id_number("张伟"), "张伟")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.error().contains("由个人申报"), "{}", r.error());
    app.finish().await;
}
on_both_databases!(hunan_enterprise_files_the_initial_registration);

/// A province that reviews in one level (`review_stages: province_only`, e.g. a municipality
/// without city-level departments): the provincial authority accepts and decides, the city has
/// no step, and there is no preliminary review — the certificate is issued all the same.
async fn one_level_review_by_the_province_alone(kind: TestDb) {
    let preset = include_str!("../../domain/profiles/31.json");
    let profile = preset.replace("\"review_stages\": \"city_then_province\"", "\"review_stages\": \"province_only\"");
    assert_ne!(profile, preset, "the preset names its review stages");
    let file = std::env::temp_dir().join(format!("erjian-one-level-{}-{:?}.json", std::process::id(), kind));
    std::fs::write(&file, profile).unwrap();
    let app = spawn_profile_file(kind, &file).await;
    let enterprise = "上海建工集团股份有限公司";
    let zhang = app.signup("张伟").await;
    let r = zhang.apply(enterprise, &["10401001"], true).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    assert_eq!(zhang.sign_ok(id).await, "awaiting_enterprise");
    assert_eq!(app.enterprise(enterprise).await.sign_ok(id).await, "filed");

    let city = app.city().await;
    let r = city.post(&format!("/api/applications/{id}/actions"), json!({ "action": "accept" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert_eq!(r.error(), "市级主管部门不能执行“受理”操作");
    assert_eq!(city.get(&format!("/api/applications/{id}")).await.status, StatusCode::OK, "the city still follows its applications");

    let province = app.province().await;
    assert_eq!(province.act_ok(id, "accept", None).await, "accepted");
    let r = province.post(&format!("/api/applications/{id}/actions"), json!({ "action": "prelim_approve" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.error().contains("没有“初审通过”环节"), "{}", r.error());
    assert_eq!(province.act_ok(id, "approve", None).await, "approved");
    let detail = province.get(&format!("/api/applications/{id}")).await;
    assert!(detail.body.to_string().contains("—（一级审查）"), "progress columns: {}", detail.body);
    let batch = province.post("/api/batches", json!({ "application_ids": [id] })).await;
    let batch_id = batch.body["id"].as_i64().unwrap();
    app.advance(6);
    let province = app.province().await;
    let done = province.post(&format!("/api/batches/{batch_id}/announce"), json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let zhang = app.login(&app.person_id_number("张伟"), "Geren2026").await;
    assert_eq!(valid_certificates(&zhang).await, 1, "announced: the certificate is issued");

    // The portals: the province has the acceptance and review queues, the city only a view.
    let page = |who: &'static str| {
        let app = &app;
        async move {
            let c = app.page_login(who, "Shenhe2026").await;
            c.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap()
        }
    };
    let province_page = page("province").await;
    assert!(province_page.contains("待受理") && province_page.contains("待审查") && !province_page.contains("待复审"));
    let city_page = page("city1").await;
    assert!(city_page.contains("本市业务") && !city_page.contains("待初审"), "the city has no queue of its own");
    app.finish().await;
}
on_both_databases!(one_level_review_by_the_province_alone);

/// In Hunan the enterprise also files renewals and added specialties for its people: it seals
/// first and the holder confirms by signing. Not for someone else's people, and not elsewhere.
async fn hunan_enterprise_files_a_renewal_for_its_holder(kind: TestDb) {
    let app = spawn_in(kind, "湘").await;
    let ent = app.login(&app.enterprise_login("湖南建工集团股份有限公司"), "Qiye2026").await;
    let zhao_id = app.person_id_number("赵磊");
    let hours = json!([{ "specialty": "10401001", "compulsory": 60, "elective": 60 }, { "specialty": "10401010", "compulsory": 30, "elective": 30 }]);
    let stranger = ent
        .post("/api/renewals", json!({ "specialties": hours, "submit": true, "applicant_id_number": app.person_id_number("张伟") }))
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND, "not one of its people: {:?}", stranger.body);
    let r = ent.post("/api/renewals", json!({ "specialties": hours, "submit": true, "applicant_id_number": zhao_id })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    assert_eq!((r.body["application"]["kind"].as_str(), r.body["application"]["filed_by"].as_str()), (Some("renewal"), Some("enterprise")));
    assert_eq!(r.body["application"]["state"], "awaiting_enterprise");
    assert_eq!(ent.sign_ok(id).await, "awaiting_signature");
    let zhao = app.login(&zhao_id, "Geren2026").await;
    assert_eq!(zhao.sign_ok(id).await, "filed");
    assert_eq!(zhao.act_ok(id, "withdraw", None).await, "withdrawn");

    // The same from the enterprise's portal: 本单位人员 → 代为申报延续注册 (by registration number;
    // the enterprise sees ID numbers masked).
    let regno = zhao.get("/api/registrations").await.body["registrations"][0]["registration_number"].as_str().unwrap().to_owned();
    let c = app.page_login(&app.enterprise_login("湖南建工集团股份有限公司"), "Qiye2026").await;
    let people = c.get(format!("{}/portal?tab=people", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(people.contains(&format!("/renewal?registration={regno}")), "a link per holder");
    let page = c.get(format!("{}/renewal?registration={regno}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("企业代为申报") && page.contains("赵磊"), "the form names the holder");
    let form = [
        ("csrf", csrf_of(&page)),
        ("registration", regno.clone()),
        ("renew", "10401001".into()),
        ("compulsory_10401001", "60".into()),
        ("elective_10401001", "60".into()),
        ("renew", "10401010".into()),
        ("compulsory_10401010", "30".into()),
        ("elective_10401010", "30".into()),
    ];
    let r = c.post(format!("{}/renewal", app.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let mine = zhao.get("/api/applications").await.body["applications"][0].clone();
    assert_eq!(
        (mine["kind"].as_str(), mine["state"].as_str(), mine["filed_by"].as_str()),
        (Some("renewal"), Some("awaiting_enterprise"), Some("enterprise")),
        "{mine}"
    );

    // A change of personal data too (a name correction, with the ID card's two sides).
    assert_eq!(zhao.act_ok(mine["id"].as_i64().unwrap(), "withdraw", None).await, "withdrawn");
    let change = json!({ "new_name": "赵磊磊", "id_front_base64": photo_base64(), "id_back_base64": photo_base64(), "submit": true, "applicant_id_number": zhao_id });
    let r = ent.post("/api/personal-changes", change).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(
        (r.body["application"]["kind"].as_str(), r.body["application"]["filed_by"].as_str()),
        (Some("change_personal"), Some("enterprise"))
    );
    app.finish().await;

    // Elsewhere the person files.
    let app = spawn(kind).await;
    let ent = app.enterprise(ENTERPRISE_A).await;
    let r = ent
        .post("/api/renewals", json!({ "specialties": hours, "submit": true, "applicant_id_number": app.person_id_number("赵磊") }))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.error().contains("由个人申报"), "{}", r.error());
    app.finish().await;
}
on_both_databases!(hunan_enterprise_files_a_renewal_for_its_holder);

/// The administrator edits the province profile: checked like a file, only for the deployment's
/// own province and authority, audited, in force at once for new applications (here: one-level
/// review, 7 days of publicity) while filed ones keep their procedure, and kept over a restart.
async fn the_admin_changes_the_profile_in_force(kind: TestDb) {
    let app = spawn(kind).await;
    let admin = app.login("admin", "Admin2026").await;
    let got = admin.get("/api/admin/profile").await;
    assert_eq!(got.status, StatusCode::OK, "{:?}", got.body);
    assert_eq!((got.body["running"]["code"].as_str(), got.body["saved"].is_null()), (Some("34"), true));
    let mut profile = got.body["running"].clone();

    let mut bad = profile.clone();
    bad["publicity_days"] = json!(99);
    let r = admin.put("/api/admin/profile", bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["fields"][0]["message"], "省份配置有误：publicity_days 应在 0–60 之间");
    let hunan: serde_json::Value = serde_json::from_str(include_str!("../../domain/profiles/43.json")).unwrap();
    let r = admin.put("/api/admin/profile", hunan).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.error().contains("更换省份须新建部署"), "{}", r.error());
    assert_eq!(app.province().await.put("/api/admin/profile", profile.clone()).await.status, StatusCode::FORBIDDEN);
    let mut renamed = profile.clone();
    renamed["authority_name"] = json!("安徽省某某厅");
    let r = admin.put("/api/admin/profile", renamed).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "the seal belongs to the authority: {:?}", r.body);

    // An application filed before the change keeps the two-level review.
    let zhang = app.signup("张伟").await;
    let before = zhang.apply(ENTERPRISE_A, &["10401001"], true).await.body["application"]["id"].as_i64().unwrap();
    assert_eq!(zhang.sign_ok(before).await, "awaiting_enterprise");
    assert_eq!(app.enterprise(ENTERPRISE_A).await.sign_ok(before).await, "filed");

    profile["review_stages"] = json!("province_only");
    profile["publicity_days"] = json!(7);
    let r = admin.put("/api/admin/profile", profile).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["applies"], "now");
    let got = admin.get("/api/admin/profile").await.body;
    assert_eq!(
        (got["saved"]["review_stages"].as_str(), got["running"]["review_stages"].as_str()),
        (Some("province_only"), Some("province_only"))
    );
    assert_eq!(app.server.state.profile().publicity_days, 7);
    assert_eq!(app.city().await.act_ok(before, "accept", None).await, "accepted", "filed before: the city still accepts");
    let liu = app.signup("刘洋").await;
    let body = json!({ "enterprise_name": ENTERPRISE_A, "mobile": "13900139000", "specialties": ["10401002"], "ce_compulsory": 60,
                       "ce_elective": 60, "declaration": true, "photo_base64": photo_base64(), "submit": true });
    let after = liu.post("/api/applications", body).await.body["application"]["id"].as_i64().unwrap();
    assert_eq!(liu.sign_ok(after).await, "awaiting_enterprise");
    assert_eq!(app.enterprise(ENTERPRISE_A).await.sign_ok(after).await, "filed");
    let r = app.city().await.post(&format!("/api/applications/{after}/actions"), json!({ "action": "accept" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "filed after: the province accepts: {:?}", r.body);
    assert_eq!(app.province().await.act_ok(after, "accept", None).await, "accepted");

    // The admin page shows the profile in force.
    let c = app.page_login("admin", "Admin2026").await;
    let page = c.get(format!("{}/admin/profile", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("省级受理并审查（一级审查）") && page.contains("立即生效"), "the stages in force");
    let r =
        c.post(format!("{}/admin/profile", app.url)).form(&[("csrf", csrf_of(&page)), ("profile", "{".to_owned())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("省份配置文件格式不正确"));

    // Restarted on the same database: the saved profile runs.
    let url = app.database_url.clone();
    app.server.stop().await;
    let app = spawn_on(&url, erjian_web::clock::Clock::manual(t0()), false).await;
    let running = app.server.state.profile();
    assert_eq!((running.review_stages, running.publicity_days), (erjian_domain::workflow::ReviewStages::ProvinceOnly, 7));
    let admin = app.login("admin", "Admin2026").await;
    assert_eq!(admin.get("/api/admin/profile").await.body["running"]["review_stages"], "province_only");
    app.finish().await;
}
on_both_databases!(the_admin_changes_the_profile_in_force);

//! Province rules as each manual states them (issue 16), one test per rule, under that
//! province's preset, on both databases. Each test quotes the passage it follows.

use crate::common;
use common::*;
use erjian_domain::workflow::ReviewStages;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;

async fn portal(app: &TestApp, who: &str) -> String {
    let c = app.page_login(who, "Shenhe2026").await;
    c.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap()
}

/// 甘肃 (manual, 四、基本注册流程): “企业对本单位注册人员申请上报的注册信息进行确认，数字签章、上报省级管
/// 理部门。省级管理部门对企业上报的申请信息进行审查公示”; 重庆 (二、网上申请和受理): “其聘用企业确认
/// 后，通过新系统上报市住房城乡建委……申请事项于上报后第二个工作日在网上受理”. The province (the
/// municipal commission) accepts and decides alone; the cities (districts) only follow.
async fn gansu_and_chongqing_decide_alone(kind: TestDb) {
    for province in ["甘", "渝"] {
        let app = spawn_in(kind, province).await;
        assert_eq!(app.server.state.profile().review_stages, ReviewStages::ProvinceOnly, "{province}");
        let p = portal(&app, "province").await;
        assert!(p.contains("待受理") && p.contains("待审查") && !p.contains("待复审"), "{province}: {p}");
        let c = portal(&app, "city1").await;
        assert!(c.contains("本市业务") && !c.contains("待受理"), "{province}: the city only follows");
        app.finish().await;
    }
}
on_both_databases!(gansu_and_chongqing_decide_alone);

/// 甘肃 (manual, 四、4): “注册人可通过手机 APP 查看电子证书信息，并可通过电脑版系统进行电子注册证书打印……
/// 企业用户可登陆企业系统查看个人电子证书领取情况但不能打印”. Elsewhere (皖) the enterprise may.
async fn gansu_enterprises_see_certificates_but_cannot_print_them(kind: TestDb) {
    let app = spawn_in(kind, "甘").await;
    let ent = app.login(&app.enterprise_login("甘肃建工集团股份有限公司"), "Qiye2026").await;
    let listed = ent.get("/api/certificates").await;
    let cert = listed.body["certificates"][0].clone();
    assert_eq!(cert["status"], "valid", "the enterprise sees its people's certificates: {:?}", listed.body);
    let id = cert["id"].as_i64().unwrap();
    let r = ent.get(&format!("/api/certificates/{id}/download?format=pdf")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.error().contains("不能下载或打印"), "{}", r.error());
    let page = app.page_login(&app.enterprise_login("甘肃建工集团股份有限公司"), "Qiye2026").await;
    let people = page.get(format!("{}/portal?tab=people", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(people.contains("未领取") && people.contains("企业不能下载打印") && !people.contains("/download?format=pdf"), "{people}");
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let own =
        zhao.http.get(format!("{}/api/certificates/{id}/download?format=pdf", zhao.base)).bearer_auth(&zhao.token).send().await.unwrap();
    assert_eq!(own.status(), StatusCode::OK, "the holder downloads and prints");
    app.finish().await;

    let app = spawn(kind).await;
    let ent = app.enterprise(ENTERPRISE_A).await;
    let id = ent.get("/api/certificates").await.body["certificates"][0]["id"].as_i64().unwrap();
    let r = ent.http.get(format!("{}/api/certificates/{id}/download?format=pdf", ent.base)).bearer_auth(&ent.token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "皖: the enterprise may print");
    app.finish().await;
}
on_both_databases!(gansu_enterprises_see_certificates_but_cannot_print_them);

/// 湖南 (manual, 二级建造师初始申报): “双击选择需要注册的人员后,企业把其他详细信息及附件材料补充完整后在点
/// 上报” — the enterprise files initial registrations; the person does not (no menu entry, and the
/// filing is refused with the way to go), and signs what the enterprise filed.
async fn hunan_people_do_not_file_initial_registrations(kind: TestDb) {
    let app = spawn_in(kind, "湘").await;
    let zhang = app.signup("张伟").await;
    let r = zhang.apply("湖南建工集团股份有限公司", &["10401001"], true).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.error().contains("由聘用企业申报"), "{}", r.error());
    let page = app.page_login(&app.person_id_number("张伟"), "Geren2026").await;
    let html = page.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("href=\"/applications/new\""), "no 初始注册申请 in the menu");
    app.finish().await;
}
on_both_databases!(hunan_people_do_not_file_initial_registrations);

/// 安徽 (人员信息查询中心, the result's columns): “姓名 状态 身份证号 注册号 注册企业 执业资格 注册专业 发证日期
/// 专业有效期 所在地市 操作” with “查看照片” among the operations. The result adds 发证日期 and 所在地市
/// everywhere; the photo only where the profile offers it, behind the result's signed token.
async fn anhui_query_result_offers_the_photo(kind: TestDb) {
    use serde_json::{json, Value};
    for (province, photo) in [("皖", true), ("甘", false)] {
        let app = if province == "皖" { spawn(kind).await } else { spawn_in(kind, province).await };
        let body = json!({ "name": "赵磊", "profession": "constructor2", "id_number": app.person_id_number("赵磊") });
        let r: Value = app.http.post(format!("{}/api/public/query", app.url)).json(&body).send().await.unwrap().json().await.unwrap();
        assert!(r["record"]["issued_on"].as_str().is_some_and(|d| d.starts_with("2026-")), "{r}");
        assert!(r["record"]["city"].as_str().is_some_and(|c| c.ends_with('市')), "{r}");
        assert_eq!(r["photo"].is_string(), photo, "{province}: {r}");
        let token = r["detail"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        let pic = app.http.get(format!("{}/query/photo/{token}", app.url)).send().await.unwrap();
        if photo {
            assert_eq!(pic.status(), StatusCode::OK);
            let bytes = pic.bytes().await.unwrap();
            assert!(bytes.starts_with(&[0xFF, 0xD8]) || bytes.starts_with(b"\x89PNG"), "a picture");
            let forged = app.http.get(format!("{}/query/photo/1.deadbeef", app.url)).send().await.unwrap();
            assert_eq!(forged.status(), StatusCode::NOT_FOUND, "only behind a signed token");
        } else {
            assert_eq!(pic.status(), StatusCode::NOT_FOUND, "{province} offers no photo");
        }
        app.finish().await;
    }
}
on_both_databases!(anhui_query_result_offers_the_photo);

/// The home page (issue 16 item 2): 通知公告 published and withdrawn by the province, and the
/// consultation numbers each province publishes — 重庆 (五、咨询服务电话): “新系统使用技术咨询：
/// 023-63672107……二级建造师注册政策咨询：023-63672007”; 安徽's seed names none, so none is invented.
async fn home_page_notices_and_consultation_numbers(kind: TestDb) {
    let app = spawn_in(kind, "渝").await;
    let home = || async { app.http.get(format!("{}/", app.url)).send().await.unwrap().text().await.unwrap() };
    let page = home().await;
    assert!(page.contains("新系统使用技术咨询") && page.contains("023-63672107") && page.contains("023-63672007"), "{page}");
    assert!(page.contains("主办：重庆市住房和城乡建设委员会"), "the footer names the authority");
    let province = app.page_login("province", "Shenhe2026").await;
    let form = province.get(format!("{}/notices/manage", app.url)).send().await.unwrap().text().await.unwrap();
    let bad = [("csrf", csrf_of(&form)), ("title", "通知".to_owned()), ("body", "系统将于周六维护。".to_owned())];
    let r = province.post(format!("{}/notices/manage", app.url)).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("标题须为4至60字") && html.contains("系统将于周六维护。"), "kept what was typed: {html}");
    let good = [
        ("csrf", csrf_of(&form)),
        ("title", "关于系统升级维护的通知".to_owned()),
        ("body", "2026年12月5日20:00至24:00系统升级维护，暂停网上申报。\n\n给您带来不便，敬请谅解。".to_owned()),
    ];
    assert_eq!(province.post(format!("{}/notices/manage", app.url)).form(&good).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let page = home().await;
    assert!(page.contains("关于系统升级维护的通知"), "{page}");
    let id: i64 = page.split("href=\"/notices/").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let one = app.http.get(format!("{}/notices/{id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(one.contains("<p>给您带来不便，敬请谅解。</p>"), "{one}");
    // Only the province publishes.
    let city = app.page_login("city1", "Shenhe2026").await;
    assert_eq!(city.get(format!("{}/notices/manage", app.url)).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let withdraw = [("csrf", csrf_of(&form))];
    assert_eq!(
        province.post(format!("{}/notices/{id}/withdraw", app.url)).form(&withdraw).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    assert!(!home().await.contains("关于系统升级维护的通知"));
    assert_eq!(app.http.get(format!("{}/notices/{id}", app.url)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    app.finish().await;

    let app = spawn(kind).await;
    let page = app.http.get(format!("{}/", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("请向安徽省住房和城乡建设厅或所在地市住房城乡建设主管部门咨询"), "no invented number: {page}");
    app.finish().await;
}
on_both_databases!(home_page_notices_and_consultation_numbers);

/// 重庆 (三、网上审批): “变更注册自受理之日起3个工作日内办结”, and (四): “二级建造师注册申请批准后，新系统
/// 生成并颁发电子证书” — a change is decided by the municipal commission within 3 working days and
/// takes effect at approval, without publicity; the acceptance issues its receipt (二、“出具受理凭证”:
/// the 受理通知书).
async fn chongqing_changes_take_effect_without_publicity(kind: TestDb) {
    use serde_json::json;
    let app = spawn_in(kind, "渝").await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    zhao.ensure_pin(PIN).await;
    let r = zhao.post("/api/employer-changes", json!({ "enterprise_name": "重庆路桥工程有限公司", "submit": true })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    // 每次申报相关业务前，须进行人脸识别 (the demo provider, labelled as such).
    assert_eq!(zhao.post("/api/account/real-name", json!({ "face_base64": photo_base64() })).await.status, StatusCode::OK);
    assert_eq!(zhao.sign(id, PIN).await.status, StatusCode::OK);
    assert_eq!(app.login(&app.enterprise_login("重庆路桥工程有限公司"), "Qiye2026").await.sign_ok(id).await, "filed");
    let old = app.login(&app.enterprise_login("重庆建工集团股份有限公司"), "Qiye2026").await;
    assert_eq!(old.post(&format!("/api/release-consents/{id}"), json!({ "consent": true })).await.status, StatusCode::OK);
    let commission = app.province().await;
    assert_eq!(commission.act_ok(id, "accept", None).await, "accepted");
    let d = commission.get(&format!("/api/applications/{id}")).await;
    assert_eq!(d.body["application"]["due_on"], "2026-11-30", "3 working days from Wednesday 25 Nov: {:?}", d.body["application"]);
    let notices = commission.get(&format!("/api/applications/{id}/notices")).await;
    assert!(notices.body["notices"].as_array().unwrap().iter().any(|n| n["kind"] == "accepted"), "受理凭证: {:?}", notices.body);
    // Approved: in force at once — no batch, the new employer on a new certificate.
    assert_eq!(commission.act_ok(id, "approve", None).await, "announced");
    let d = commission.get(&format!("/api/applications/{id}")).await;
    assert!(d.body["application"]["publicity_batch_id"].is_null(), "never in publicity");
    assert!(d.body.to_string().contains("无需公示"), "the history says why: {:?}", d.body["history"]);
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let certs = zhao.get("/api/certificates").await.body["certificates"].as_array().cloned().unwrap();
    let valid: Vec<_> = certs.iter().filter(|c| c["status"] == "valid").collect();
    assert_eq!(valid.len(), 1);
    assert_eq!(valid[0]["enterprise_name"], "重庆路桥工程有限公司", "{:?}", valid[0]);
    app.finish().await;

    // Elsewhere (皖) a change still goes through publicity.
    let app = spawn(kind).await;
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let r = zhao.post("/api/employer-changes", json!({ "enterprise_name": ENTERPRISE_B, "submit": true })).await;
    let id = r.body["application"]["id"].as_i64().unwrap();
    zhao.sign_ok(id).await;
    app.enterprise(ENTERPRISE_B).await.sign_ok(id).await;
    app.enterprise(ENTERPRISE_A).await.post(&format!("/api/release-consents/{id}"), json!({ "consent": true })).await;
    let city2 = app.login("city2", "Shenhe2026").await;
    city2.act_ok(id, "accept", None).await;
    city2.act_ok(id, "prelim_approve", None).await;
    assert_eq!(app.province().await.act_ok(id, "approve", None).await, "approved");
    app.finish().await;
}
on_both_databases!(chongqing_changes_take_effect_without_publicity);

/// 甘肃 (manual 5.1, 初始注册申请表): “申请人意见 本人测试N已按照相关法律规定，符合考试报名条件，并合法取得了二级
/// 建造师执业资格，与测试N签订真实有效劳动聘用合同……本人已核对上述内容，对申请表内容及申报材料的真实性负责。”
/// and “聘用企业意见 测试N已按照相关法律规定与测试N签订真实有效劳动聘用合同，并确认其申报材料真实，同意该同志申报
/// 初始注册。” The form carries that wording, wrapped inside the page; 安徽's keeps the standard one.
async fn gansu_forms_carry_gansu_wording(kind: TestDb) {
    for (province, enterprise, want, not) in [
        ("甘", "甘肃建工集团股份有限公司", "同意该同志申报初始注册", "一年内不再申请"),
        ("皖", ENTERPRISE_A, "一年内不再申请", "同意该同志申报"),
    ] {
        let app = if province == "皖" { spawn(kind).await } else { spawn_in(kind, province).await };
        let zhang = app.signup("张伟").await;
        let r = zhang.apply(enterprise, &["10401001"], true).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let id = r.body["application"]["id"].as_i64().unwrap();
        let ofd = zhang.http.get(format!("{}/api/applications/{id}/form", zhang.base)).bearer_auth(&zhang.token).send().await.unwrap();
        assert_eq!(ofd.status(), StatusCode::OK);
        let pkg = erjian_ofd::Package::from_bytes(&ofd.bytes().await.unwrap()).unwrap();
        let page = &erjian_ofd::reader::read(&pkg).unwrap().pages[0];
        let text = page.text().replace(['\n', ' '], "");
        assert!(text.contains(want) && !text.contains(not), "{province}: {text}");
        if province == "甘" {
            assert!(text.contains("本人张伟已按照相关法律规定") && text.contains("本人无其他资格证书注册在其他企业"), "{text}");
        }
        app.finish().await;
    }
}
on_both_databases!(gansu_forms_carry_gansu_wording);

/// 安徽 (电子证书补办/查询 notice): “自2024年3月11日起,安徽省二级建造师电子证书增加180天证照有效期,如果电子
/// 证书没有有效期或者有效期即将到期15天内,请在个人端【证书管理】-【注册列表】中进行【证照加注】” — a certificate
/// issued without a use period is annotated at any time (a new version with one), and the query
/// result marks “证照已加注”.
async fn anhui_annotates_a_certificate_without_a_use_period(kind: TestDb) {
    use serde_json::json;
    let app = spawn(kind).await;
    let zhao_id = app.person_id_number("赵磊");
    let zhao = app.login(&zhao_id, "Geren2026").await;
    let cert = zhao.get("/api/certificates").await.body["certificates"][0].clone();
    // Issued before the use period was introduced: none on it.
    {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
        sqlx::query("UPDATE certificates SET use_until = NULL WHERE id = $1")
            .bind(cert["id"].as_i64().unwrap())
            .execute(&mut c)
            .await
            .unwrap();
    }
    let page = app.page_login(&zhao_id, "Geren2026").await;
    let html = page.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("未设（请办理证照加注）") && html.contains("id=\"annotate\""), "{html}");
    let r = zhao.post("/api/certificates/annotate", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let now: Vec<serde_json::Value> = zhao.get("/api/certificates").await.body["certificates"].as_array().cloned().unwrap();
    let valid = now.iter().find(|c| c["status"] == "valid").unwrap();
    assert!(valid["use_until"].as_str().is_some_and(|u| u.starts_with("2027-")), "180 days from now: {valid}");
    let body = json!({ "name": "赵磊", "profession": "constructor2", "id_number": zhao_id });
    let q: serde_json::Value =
        app.http.post(format!("{}/api/public/query", app.url)).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(q["record"]["annotated"], true, "{q}");
    app.finish().await;
}
on_both_databases!(anhui_annotates_a_certificate_without_a_use_period);

/// 甘肃 (manual 5.3, 延续注册): “延续注册的专业必须在正常的有效期内，若专业有效期已过，请通过初始注册或增项注
/// 册进行申请” — an expired specialty is not renewed and not cancelled first: it is added again (增项),
/// and the renewal says so. 安徽 keeps its own way (the specialty is still held).
async fn gansu_adds_an_expired_specialty_again(kind: TestDb) {
    use serde_json::json;
    for province in ["甘", "皖"] {
        let app = if province == "皖" { spawn(kind).await } else { spawn_in(kind, province).await };
        let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
        {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let mut c = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
            sqlx::query("UPDATE registration_specialties SET valid_until = '2026-11-24' WHERE specialty_code = '10401010'")
                .execute(&mut c)
                .await
                .unwrap();
        }
        let renew = json!({ "specialties": [{ "specialty": "10401010", "compulsory": 60, "elective": 60 }], "submit": true });
        let r = zhao.post("/api/renewals", renew).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        let add = zhao.post("/api/additions", json!({ "specialties": ["10401010"], "submit": true })).await;
        if province == "甘" {
            assert!(r.body.to_string().contains("请通过增项注册"), "{:?}", r.body);
            // With that specialty's hours.
            assert_eq!(add.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", add.body);
            assert!(add.body.to_string().contains("继续教育学时"), "{:?}", add.body);
            let add = zhao
                .post("/api/additions", json!({ "specialties": ["10401010"], "submit": true, "ce_compulsory": 60, "ce_elective": 60 }))
                .await;
            assert_eq!(add.status, StatusCode::CREATED, "{:?}", add.body);
            assert_eq!(add.body["application"]["ce_compulsory"], 60);
            assert_eq!(add.body["application"]["kind"], "add_specialty");
        } else {
            assert!(r.body.to_string().contains("请先办理注销注册"), "{:?}", r.body);
            assert_eq!(add.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", add.body);
        }
        app.finish().await;
    }
}
on_both_databases!(gansu_adds_an_expired_specialty_again);

/// 湖南 (manual 3.2.3.4, 二级建造师遗失补办申报): “双击选择需要进行申报的人员后,企业把其它详细信息及附件材料补充
/// 完整后保存上报” — the enterprise files the lost reissue for its holder, both sign, the authorities
/// review it, and the announcement replaces the lost certificate. The holder cannot reissue alone.
async fn hunan_lost_reissue_is_filed_by_the_enterprise_and_reviewed(kind: TestDb) {
    use serde_json::json;
    let app = spawn_in(kind, "湘").await;
    let zhao_id = app.person_id_number("赵磊");
    let zhao = app.login(&zhao_id, "Geren2026").await;
    let old = zhao.get("/api/certificates").await.body["certificates"][0]["licence_id"].as_str().unwrap().to_owned();
    let statement = "本人电子证书存储设备遗失，特此声明原证书作废。";
    let alone = zhao.post("/api/certificates/reissue", json!({ "kind": "lost_reissue", "statement": statement })).await;
    assert_eq!(alone.status, StatusCode::CONFLICT, "{:?}", alone.body);
    assert!(alone.error().contains("由聘用企业申报"), "{}", alone.error());
    let ent = app.login(&app.enterprise_login("湖南建工集团股份有限公司"), "Qiye2026").await;
    let short = ent.post("/api/lost-reissues", json!({ "applicant_id_number": zhao_id, "statement": "丢了", "submit": true })).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", short.body);
    // From the enterprise's people list: the holder named by the registration number.
    let regno = zhao.get("/api/registrations").await.body["registrations"][0]["registration_number"].as_str().unwrap().to_owned();
    let page = app.page_login(&app.enterprise_login("湖南建工集团股份有限公司"), "Qiye2026").await;
    let people = page.get(format!("{}/portal?tab=people", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(people.contains("代为申报遗失补办") && !people.contains(&zhao_id), "no full ID number in the page");
    let other = app.page_login(&app.enterprise_login("湖南路桥工程有限公司"), "Qiye2026").await;
    let other_page = other.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    let theirs = [("csrf", csrf_of(&other_page)), ("registration_number", regno.clone()), ("statement", statement.to_owned())];
    assert_eq!(other.post(format!("{}/lost-reissues", app.url)).form(&theirs).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let form = [("csrf", csrf_of(&people)), ("registration_number", regno), ("statement", statement.to_owned())];
    let r = page.post(format!("{}/lost-reissues", app.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id: i64 =
        r.headers()["location"].to_str().unwrap().trim_start_matches("/applications/").split('?').next().unwrap().parse().unwrap();
    let d = ent.get(&format!("/api/applications/{id}")).await;
    assert_eq!(d.body["application"]["kind"], "lost_reissue");
    assert_eq!(ent.sign_ok(id).await, "awaiting_signature", "the enterprise seals first in Hunan");
    assert_eq!(zhao.sign_ok(id).await, "filed");
    let city = app.city().await;
    city.act_ok(id, "accept", None).await;
    city.act_ok(id, "prelim_approve", None).await;
    let province = app.province().await;
    province.act_ok(id, "approve", None).await;
    let batch = province.post("/api/batches", json!({ "application_ids": [id] })).await;
    let batch_id = batch.body["id"].as_i64().unwrap();
    app.advance(8);
    let done = app.province().await.post(&format!("/api/batches/{batch_id}/announce"), json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let zhao = app.login(&zhao_id, "Geren2026").await;
    let certs = zhao.get("/api/certificates").await.body["certificates"].as_array().cloned().unwrap();
    assert!(certs.iter().any(|c| c["licence_id"] == old.as_str() && c["status"] == "superseded"), "{certs:?}");
    assert_eq!(certs.iter().filter(|c| c["status"] == "valid").count(), 1);
    app.finish().await;
}
on_both_databases!(hunan_lost_reissue_is_filed_by_the_enterprise_and_reviewed);

/// 湖南 (manual 3.2.3.8 二级临时建造师变更申报: “企业用户 点击导航菜单【二级临时建造师变更申报】,点添加申报……双击
/// 选择需要进行申报的人员后,企业把其它详细信息及个人身份证材料补充完整后保存上报”; 3.2.3.9 二级临时建造师变更确认:
/// “新单位发起二级临时建造师变更数据后,原单位登录系统在该模块找到相应数据点同意转出。最后在由省厅进行审核。”) — the
/// new enterprise starts a temporary constructor's transfer, the old one consents, the province
/// alone decides. The holder cannot start it; a number without the matching name finds nobody.
async fn hunan_temporary_transfer_is_started_by_the_new_enterprise(kind: TestDb) {
    use serde_json::json;
    const WU: &str = "340104196905100054";
    let app = spawn_in(kind, "湘").await;
    let wu = app.signup_as("吴刚", WU).await;
    let alone = wu.post("/api/employer-changes", json!({ "enterprise_name": "湖南路桥工程有限公司", "submit": true })).await;
    assert_eq!(alone.status, StatusCode::CONFLICT, "{:?}", alone.body);
    assert!(alone.error().contains("由新聘用企业申报"), "{}", alone.error());
    let new = app.login(&app.enterprise_login("湖南路桥工程有限公司"), "Qiye2026").await;
    let old = app.login(&app.enterprise_login("湖南建工集团股份有限公司"), "Qiye2026").await;
    let wrong_name = new.post("/api/temporary-transfers", json!({ "name": "吴钢", "id_number": WU, "submit": true })).await;
    assert_eq!(wrong_name.status, StatusCode::NOT_FOUND, "{:?}", wrong_name.body);
    let not_temp =
        new.post("/api/temporary-transfers", json!({ "name": "赵磊", "id_number": app.person_id_number("赵磊"), "submit": true })).await;
    assert_eq!(not_temp.status, StatusCode::NOT_FOUND, "a registered constructor is not a temporary one: {:?}", not_temp.body);
    let own = old.post("/api/temporary-transfers", json!({ "name": "吴刚", "id_number": WU, "submit": true })).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", own.body);
    assert_eq!(wu.post("/api/temporary-transfers", json!({ "name": "吴刚", "id_number": WU })).await.status, StatusCode::FORBIDDEN);

    // From the portal's form.
    let page = app.page_login(&app.enterprise_login("湖南路桥工程有限公司"), "Qiye2026").await;
    let portal = page.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(portal.contains("二级临时建造师变更申报"), "the form is offered");
    let form = |photo: Vec<u8>| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf_of(&portal))
            .text("name", "吴刚")
            .text("id_number", WU)
            .part("photo", reqwest::multipart::Part::bytes(photo).file_name("wu.png").mime_str("image/png").unwrap())
    };
    let r = page.post(format!("{}/temporary-transfers", app.url)).multipart(form(b"not a picture".to_vec())).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a file that is no picture is refused");
    let r = page.post(format!("{}/temporary-transfers", app.url)).multipart(form(photo_png())).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let id: i64 =
        r.headers()["location"].to_str().unwrap().trim_start_matches("/applications/").split('?').next().unwrap().parse().unwrap();
    let d = new.get(&format!("/api/applications/{id}")).await;
    assert_eq!(d.body["application"]["kind"], "change_employer");
    assert_eq!(d.body["application"]["review_stages"], "province_only", "{:?}", d.body["application"]);
    assert_eq!(new.sign_ok(id).await, "awaiting_signature", "the new enterprise seals first");
    assert_eq!(wu.sign_ok(id).await, "filed");
    let province = app.province().await;
    let early = province.post(&format!("/api/applications/{id}/actions"), json!({ "action": "accept" })).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "not before the old enterprise consents: {:?}", early.body);
    let consents = old.get("/api/release-consents").await;
    assert!(consents.body.to_string().contains("湖南路桥工程有限公司"), "{:?}", consents.body);
    assert_eq!(old.post(&format!("/api/release-consents/{id}"), json!({ "consent": true })).await.status, StatusCode::OK);
    let city = app.city().await;
    let by_city = city.post(&format!("/api/applications/{id}/actions"), json!({ "action": "accept" })).await;
    assert!(by_city.status.is_client_error(), "the city does not accept it: {:?}", by_city.body);
    assert_eq!(province.act_ok(id, "accept", None).await, "accepted");
    assert_eq!(province.act_ok(id, "approve", None).await, "approved");
    let batch = province.post("/api/batches", json!({ "application_ids": [id] })).await;
    let batch_id = batch.body["id"].as_i64().unwrap();
    app.advance(8);
    let done = app.province().await.post(&format!("/api/batches/{batch_id}/announce"), json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let wu = app.login(WU, "Geren2026").await;
    let regs = wu.get("/api/registrations").await.body["registrations"].as_array().cloned().unwrap();
    assert_eq!(regs[0]["enterprise_name"], "湖南路桥工程有限公司", "{regs:?}");
    let certs = wu.get("/api/certificates").await.body["certificates"].as_array().cloned().unwrap();
    let valid: Vec<_> = certs.iter().filter(|c| c["status"] == "valid").collect();
    assert_eq!(valid.len(), 1);
    assert_eq!(valid[0]["enterprise_name"], "湖南路桥工程有限公司");
    app.finish().await;

    // Elsewhere (皖) the form is not offered and the holder files his own change.
    let app = spawn(kind).await;
    let ent = app.enterprise(ENTERPRISE_B).await;
    let r = ent.post("/api/temporary-transfers", json!({ "name": "吴刚", "id_number": WU, "submit": true })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    app.finish().await;
}
on_both_databases!(hunan_temporary_transfer_is_started_by_the_new_enterprise);

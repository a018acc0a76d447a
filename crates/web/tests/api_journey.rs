//! The initial-registration journey through the JSON API, on SQLite and PostgreSQL, with the
//! guards a real user would run into.

use crate::common;

use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

async fn full_journey_with_return_and_resubmission(db: TestDb) {
    let app = spawn(db).await;
    let zhang = app.signup("张伟").await;
    let r = zhang.apply(ENTERPRISE_A, &["10401001"], true).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    assert_eq!(r.body["application"]["state"], "awaiting_signature");
    assert!(r.body["application"]["number"].as_str().unwrap().starts_with("W20261125"));
    // Not yet signed: the enterprise does not see it.
    assert_eq!(app.enterprise(ENTERPRISE_A).await.get(&format!("/api/applications/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(zhang.sign_ok(id).await, "awaiting_enterprise");

    // One open application per person.
    let second = zhang.apply(ENTERPRISE_A, &["10401001"], false).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert!(second.error().contains("在办业务"), "{}", second.error());

    // Tenant rule: the other enterprise sees nothing, not even that it exists.
    let other = app.enterprise(ENTERPRISE_B).await;
    assert_eq!(other.get(&format!("/api/applications/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get("/api/applications").await.body["applications"].as_array().unwrap().len(), 0);
    let r = other.post(&format!("/api/applications/{id}/actions"), json!({ "action": "enterprise_confirm" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let ent = app.enterprise(ENTERPRISE_A).await;
    let pending = ent.get("/api/applications?state=awaiting_enterprise").await;
    assert_eq!(pending.body["applications"][0]["id"], id);
    // Confirming without the seal is refused; sealing with the PIN files it.
    let r = ent.post(&format!("/api/applications/{id}/actions"), json!({ "action": "enterprise_confirm" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(ent.sign_ok(id).await, "filed");
    let d = zhang.get(&format!("/api/applications/{id}")).await;
    let valid: Vec<bool> = d.body["signatures"].as_array().unwrap().iter().map(|s| s["valid"].as_bool().unwrap()).collect();
    assert_eq!(valid, vec![true, true]);

    // The city authority of another city does not see it; the right one accepts.
    let wuhu = app.login("city2", "Shenhe2026").await;
    assert_eq!(wuhu.get(&format!("/api/applications/{id}")).await.status, StatusCode::NOT_FOUND);
    let city = app.city().await;
    city.act_ok(id, "accept", None).await;
    city.act_ok(id, "prelim_approve", None).await;

    // A city authority cannot decide at the province stage.
    let r = city.post(&format!("/api/applications/{id}/actions"), json!({ "action": "approve" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.error().contains("市级主管部门不能执行"), "{}", r.error());

    // The province returns it without a reason → refused; with a reason → returned.
    let province = app.province().await;
    let r = province.post(&format!("/api/applications/{id}/actions"), json!({ "action": "return" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error().contains("理由"));
    province.act_ok(id, "return", Some("照片不清晰，请重新上传白底证件照")).await;

    // The applicant sees the reason and the columns, fixes the form and resubmits.
    let d = zhang.get(&format!("/api/applications/{id}")).await;
    assert_eq!(d.body["application"]["last_reason"], "照片不清晰，请重新上传白底证件照");
    assert_eq!(d.body["columns"]["second"], "退回补正");
    let r = zhang
        .put(&format!("/api/applications/{id}"), json!({ "enterprise_name": ENTERPRISE_A, "mobile": "13900001111", "specialties": ["10401001"], "declaration": true, "photo_base64": photo_base64(), "submit": true }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["application"]["state"], "awaiting_signature");
    assert_eq!(r.body["application"]["mobile"], "13900001111");
    assert_eq!(zhang.sign_ok(id).await, "awaiting_enterprise");
    assert_eq!(ent.sign_ok(id).await, "filed");
    // Sealed by the enterprise: the form is locked.
    let r = zhang
        .put(
            &format!("/api/applications/{id}"),
            json!({ "enterprise_name": ENTERPRISE_A, "mobile": "13900002222", "specialties": ["10401001"], "declaration": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error().contains("已锁定"), "{}", r.error());

    city.act_ok(id, "accept", None).await;
    city.act_ok(id, "prelim_approve", None).await;
    province.act_ok(id, "approve", None).await;
    let batch = province.post("/api/batches", json!({ "application_ids": [id] })).await;
    assert_eq!(batch.status, StatusCode::CREATED, "{:?}", batch.body);
    let batch_id = batch.body["id"].as_i64().unwrap();
    assert_eq!(batch.body["ends_on"], "2026-11-29");

    let early = province.post(&format!("/api/batches/{batch_id}/announce"), json!({})).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(early.error().contains("公示期至 2026-11-29"), "{}", early.error());
    app.advance(5);
    // Sessions last 12 hours: after the publicity period everyone logs in again.
    assert_eq!(province.get("/api/batches").await.status, StatusCode::UNAUTHORIZED);
    let province = app.province().await;
    let zhang = app.login(&app.person_id_number("张伟"), "Geren2026").await;
    let ent = app.enterprise(ENTERPRISE_A).await;
    let other = app.enterprise(ENTERPRISE_B).await;
    let done = province.post(&format!("/api/batches/{batch_id}/announce"), json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(done.body["announced"][0]["registration_number"], "皖2342024202600001");
    let again = province.post(&format!("/api/batches/{batch_id}/announce"), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let regs = zhang.get("/api/registrations").await;
    let reg = &regs.body["registrations"][0];
    assert_eq!(reg["registration_number"], "皖2342024202600001");
    assert_eq!(reg["specialties"][0]["valid_from"], "2026-11-30");
    assert_eq!(reg["specialties"][0]["valid_until"], "2029-11-29");
    let d = zhang.get(&format!("/api/applications/{id}")).await;
    assert_eq!(
        d.body["columns"],
        json!({ "acceptance": "已受理", "preliminary": "通过", "second": "通过", "publicity": "公示期满", "announcement": "已公告" })
    );
    let actions: Vec<&str> = d.body["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert!(actions.ends_with(&["start_publicity", "announce"]), "{actions:?}");
    // The enterprise sees its new person.
    let people = ent.get("/api/registrations").await;
    assert!(people.body["registrations"].as_array().unwrap().iter().any(|r| r["person_name"] == "张伟"));
    // The announcement issued a sealed certificate: the holder downloads and verifies it.
    let certs = zhang.get("/api/certificates").await;
    let cert = certs.body["certificates"][0].clone();
    assert_eq!(cert["status"], "valid");
    assert!(cert["claimed_at"].is_null());
    let cert_id = cert["id"].as_i64().unwrap();
    let download = |who: &Api, format: &str| {
        let req = who.http.get(format!("{}/api/certificates/{cert_id}/download?format={format}", who.base)).bearer_auth(&who.token);
        async move { req.send().await.unwrap() }
    };
    let r = download(&zhang, "ofd").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".ofd"));
    let pkg = erjian_ofd::Package::from_bytes(&r.bytes().await.unwrap()).unwrap();
    let root = app.server.state.issuer.authority.root();
    let report = erjian_ofd::seal::verify(&pkg, &erjian_ofd::seal::VerifyOptions { now: None, trusted_roots: vec![root] }).unwrap();
    assert!(report.all_valid(), "{report:?}");
    let text = erjian_ofd::reader::read(&pkg).unwrap().pages[0].text();
    assert!(text.contains("张伟") && text.contains("皖2342024202600001") && text.contains(ENTERPRISE_A));
    let pdf = download(&zhang, "pdf").await.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // The enterprise sees that it was claimed; another enterprise cannot download it.
    let claimed = ent.get("/api/certificates").await;
    let mine = claimed.body["certificates"].as_array().unwrap().iter().find(|c| c["id"] == cert_id).cloned().unwrap();
    assert!(mine["claimed_at"].is_string());
    assert_eq!(download(&other, "ofd").await.status(), StatusCode::NOT_FOUND);
    // The QR code's status endpoint answers without logging in, with the ID number masked.
    let licence = cert["licence_id"].as_str().unwrap();
    let v: serde_json::Value = app.http.get(format!("{}/api/verify/{licence}", app.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "valid");
    assert_eq!(
        v["certificate"]["id_number_masked"],
        format!("{}**********{}", &app.person_id_number("张伟")[..6], &app.person_id_number("张伟")[16..])
    );
    let page = app.http.get(format!("{}/verify/{licence}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("证书当前有效"));

    // Registered now: a new initial application is refused.
    let r = zhang.apply(ENTERPRISE_A, &["10401001"], false).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // After sign-up, signing, review and a certificate: neither the ID number nor the mobile is
    // stored in the clear anywhere (GB/T 39786).
    let id = app.person_id_number("张伟");
    app.assert_not_stored_in_clear(&id).await;
    app.assert_not_stored_in_clear(&mobile_for(&id)).await;
    app.finish().await;
}
on_both_databases!(full_journey_with_return_and_resubmission);

async fn bad_input_gets_chinese_field_errors(db: TestDb) {
    let app = spawn(db).await;
    let http = &app.http;
    let r = http
        .post(format!("{}/api/signup/individual", app.url))
        .json(&json!({ "name": "张伟", "id_number": "340104198803120038", "mobile": "123", "password": "short" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = r.json().await.unwrap();
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["id_number", "mobile", "password", "code"]);
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("校验位"));

    // Real-name check: a valid ID whose name does not match the register (the mobile proven).
    let id = app.person_id_number("张伟");
    let mut body = json!({ "name": "张三", "id_number": id, "mobile": "13800138000", "password": "Geren2026" });
    let r = http.post(format!("{}/api/signup/code", app.url)).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    body["code"] = json!(app.newest_code_to("13800138000"));
    let r = http.post(format!("{}/api/signup/individual", app.url)).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("无法开户"));

    // The form: unknown enterprise, unqualified specialty, bad photo, missing declaration.
    let zhang = app.signup("张伟").await;
    let r = zhang
        .post("/api/applications", json!({ "enterprise_name": "不存在的公司", "mobile": "13800138000", "specialties": ["10401002"], "declaration": false, "photo_base64": "aGVsbG8=", "submit": true }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = r.body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["specialties", "declaration", "enterprise_name", "photo"], "{:?}", r.body);
    assert!(r.body["fields"][0]["message"].as_str().unwrap().contains("公路工程"));
    // Nothing was written.
    assert_eq!(zhang.get("/api/applications").await.body["applications"].as_array().unwrap().len(), 0);

    // Submitting without a photo is refused and leaves the draft a draft.
    let r = zhang.post("/api/applications", json!({ "enterprise_name": ENTERPRISE_A, "mobile": "13800138000", "specialties": ["10401001"], "declaration": true, "submit": true })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["fields"][0]["field"], "photo");
    assert_eq!(
        zhang.get("/api/applications").await.body["applications"].as_array().unwrap().len(),
        0,
        "the failed submission rolled back entirely"
    );

    // Continuing education: 王强 qualified in 2019 must declare hours.
    let wang = app.login(&app.person_id_number("王强"), "Geren2026").await;
    let r = wang.apply(ENTERPRISE_A, &["10401012"], true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["fields"][0]["message"].as_str().unwrap().contains("必修课60学时"));

    // Import: every bad row, by line, and nothing imported.
    let province = app.province().await;
    let csv = "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n孙红,11010519491231002X,二级注册建造师,建筑,1,2021,2021-10-20\n钱七,110105194912310021,二级注册建造师,建筑,2,2021,2021-10-20\n周八,11010519491231002X,二级注册建造师,航天,3,2021,2021-10-20\n";
    let r =
        province.http.post(format!("{}/api/qualifications/import", app.url)).bearer_auth(&province.token).body(csv).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["rows"].as_array().unwrap().iter().map(|r| r["line"].as_u64().unwrap()).collect::<Vec<_>>(), vec![3, 4]);
    let good =
        "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n孙红,11010519491231002X,二级注册建造师,建筑,1,2021,2021-10-20\n";
    let r =
        province.http.post(format!("{}/api/qualifications/import", app.url)).bearer_auth(&province.token).body(good).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // An individual may not import.
    let r = zhang.http.post(format!("{}/api/qualifications/import", app.url)).bearer_auth(&zhang.token).body(good).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Lock-out: five wrong passwords pause this address for this account for 15 minutes; the
    // answer while paused is the same as for a wrong password (crates/web/tests/abuse.rs).
    for _ in 0..5 {
        let r = http
            .post(format!("{}/api/login", app.url))
            .json(&json!({ "username": "city2", "password": "Wrong1234" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r =
        http.post(format!("{}/api/login", app.url)).json(&json!({ "username": "city2", "password": "Shenhe2026" })).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.clock.advance(chrono::Duration::minutes(16));
    app.login("city2", "Shenhe2026").await;
    app.finish().await;
}
on_both_databases!(bad_input_gets_chinese_field_errors);

/// Brings a fresh person's application to the given stage and returns its id.
async fn application_at_prelim(app: &TestApp, who: &str, specialties: &[&str]) -> i64 {
    let person = app.signup(who).await;
    let r = person.apply(ENTERPRISE_A, specialties, true).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    person.sign_ok(id).await;
    app.enterprise(ENTERPRISE_A).await.sign_ok(id).await;
    let city = app.city().await;
    city.act_ok(id, "accept", None).await;
    city.act_ok(id, "prelim_approve", None).await;
    id
}

async fn two_reviewers_at_once_make_exactly_one_decision(db: TestDb) {
    let app = spawn(db).await;
    let id = application_at_prelim(&app, "张伟", &["10401001"]).await;
    let (a, b) = (app.province().await, app.province().await);
    let version = a.get(&format!("/api/applications/{id}")).await.body["application"]["version"].as_i64().unwrap();
    let path = format!("/api/applications/{id}/actions");
    let (ra, rb) = tokio::join!(
        a.post(&path, json!({ "action": "approve", "version": version })),
        b.post(&path, json!({ "action": "refuse", "reason": "继续教育不达标", "version": version }))
    );
    let ok = [ra.status, rb.status].iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(ok, 1, "exactly one decision: {:?} {:?} / {:?} {:?}", ra.status, ra.body, rb.status, rb.body);
    let loser = if ra.status == StatusCode::OK { &rb } else { &ra };
    assert_eq!(loser.status, StatusCode::CONFLICT);
    let d = a.get(&format!("/api/applications/{id}")).await;
    let decisions = d.body["history"].as_array().unwrap().iter().filter(|h| h["action"] == "approve" || h["action"] == "refuse").count();
    assert_eq!(decisions, 1, "one decision in the audit trail");
    app.finish().await;
}
on_both_databases!(two_reviewers_at_once_make_exactly_one_decision);

async fn openapi_documents_every_routed_operation(db: TestDb) {
    let app = spawn(db).await;
    let doc: serde_json::Value = app.http.get(format!("{}/api/openapi.json", app.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for (method, path) in erjian_web::openapi::OPERATIONS {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} documented");
        let url = format!("{}{}", app.url, path.replace("{id}", "1").replace("{licence}", "x").replace("{token}", "x"));
        let r = app
            .http
            .request(method.to_uppercase().parse().unwrap(), url)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        // An unrouted path gets 405 or the fallback's "接口不存在"; a handler's own "not found" differs.
        let status = r.status();
        let body = r.text().await.unwrap();
        let unrouted = status == StatusCode::METHOD_NOT_ALLOWED || (status == StatusCode::NOT_FOUND && body.contains("接口不存在"));
        assert!(!unrouted, "{method} {path} routed: {status} {body}");
    }
    assert_eq!(app.http.get(format!("{}/healthz", app.url)).send().await.unwrap().status(), StatusCode::OK);
    // Unknown addresses and malformed bodies are answered in Chinese, never with framework text.
    let r = app.http.get(format!("{}/api/nope", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("接口不存在"));
    let r = app.http.get(format!("{}/no-such-page", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("页面不存在"));
    let r =
        app.http.post(format!("{}/api/login", app.url)).header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("不是有效的 JSON"));
    let r = app.http.post(format!("{}/api/login", app.url)).json(&json!({ "username": "x" })).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("缺少字段"));
    let r = app.http.post(format!("{}/login", app.url)).form(&[("username", "x")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("表单内容不完整"));
    app.finish().await;
}
on_both_databases!(openapi_documents_every_routed_operation);

/// The operations generated from their types (utoipa): each is routed (in `OPERATIONS`), every
/// answer it names carries a real schema (no bare `{"type": "object"}`; references resolve),
/// open operations ask for no token, every `{parameter}` of the path is declared, and bad path
/// or query values are refused in Chinese, not with the framework's English 400.
#[tokio::test]
async fn generated_operations_describe_every_answer() {
    let doc = erjian_web::openapi::document();
    let typed = erjian_web::openapi::typed_operations();
    let untyped: Vec<_> =
        erjian_web::openapi::OPERATIONS.iter().filter(|(m, p)| !typed.iter().any(|(tm, tp)| tm == m && tp == p)).collect();
    assert!(untyped.is_empty(), "every routed operation is generated from its types: {untyped:?}");
    let schemas = &doc["components"]["schemas"];
    for (method, path) in &typed {
        assert!(erjian_web::openapi::OPERATIONS.iter().any(|(m, p)| m == method && p == path), "{method} {path} is routed and listed");
        let op = &doc["paths"][path][method];
        for (status, answer) in op["responses"].as_object().unwrap() {
            let Some(content) = answer["content"].as_object() else {
                assert!(["204", "304", "413"].contains(&status.as_str()), "{method} {path} {status} has no body schema");
                continue;
            };
            for (media, c) in content {
                let schema = &c["schema"];
                assert_ne!(schema, &json!({ "type": "object" }), "{method} {path} {status} {media}: a real schema");
                if let Some(r) = schema["$ref"].as_str() {
                    let name = r.trim_start_matches("#/components/schemas/");
                    assert!(schemas[name].is_object(), "{method} {path} {status}: {name} is defined");
                }
            }
        }
        let open = path.starts_with("/api/public/")
            || path.starts_with("/api/verify/")
            || path.starts_with("/api/signup/")
            || path.starts_with("/api/password/")
            || path == "/api/login"
            || path == "/api/reasons";
        if open {
            assert_eq!(op["security"], json!([{}]), "{method} {path} is open");
        } else {
            assert!(op["security"].is_null(), "{method} {path} needs the bearer token (the document's default)");
        }
        let declared: Vec<&str> =
            op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().unwrap()).collect();
        for seg in path.split('/').filter(|s| s.starts_with('{')) {
            assert!(declared.contains(&seg.trim_matches(|c| c == '{' || c == '}')), "{method} {path}: {seg} declared");
        }
    }
    assert!(schemas["ErrorBody"]["properties"]["fields"].is_object());
}

async fn bad_parameters_are_refused_in_chinese(db: TestDb) {
    let app = spawn(db).await;
    for (path, status, words) in [
        ("/api/public/publicity/abc", StatusCode::NOT_FOUND, "地址不存在"),
        ("/api/public/publicity?before=x", StatusCode::UNPROCESSABLE_ENTITY, "查询参数格式不正确"),
        ("/api/public/status-list?limit=9223372036854775808", StatusCode::UNPROCESSABLE_ENTITY, "查询参数格式不正确"),
    ] {
        let r = app.http.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(r.status(), status, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains(words) || body["fields"].to_string().contains(words), "{path}: {body}");
    }
    // The second factor asks who is calling before it reads what they sent: no pending token is a
    // 401 whatever the body (it was a 422 about the body).
    let r = app.http.post(format!("{}/api/login/second-factor", app.url)).body("not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app.http.get(format!("{}/api/login/second-factor", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.finish().await;
}
on_both_databases!(bad_parameters_are_refused_in_chinese);

async fn a_new_province_is_a_profile_file(db: TestDb) {
    let code = erjian_domain::ids::CreditCode::with_check("11110000MB011000X").unwrap();
    let profile = serde_json::json!({
        "code": "11", "abbr": "京", "name": "北京市", "authority_name": "北京市住房和城乡建设委员会",
        "authority_code": code.to_string(), "publicity_days": 7, "signing_order": "applicant_first",
        "decision_days": 20, "change_decision_days": 5,
        "cities": [{ "code": "110101", "name": "东城区" }, { "code": "110105", "name": "朝阳区" }]
    });
    let file = std::env::temp_dir().join(format!("erjian-profile-{}-{:?}.json", std::process::id(), db));
    std::fs::write(&file, profile.to_string()).unwrap();
    let app = spawn_profile_file(db, &file).await;
    let home = app.http.get(&app.url).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("北京市二级注册建造师"), "the portal names the new province");
    // Its cities, numbering prefix and authority are the file's.
    let ent = app.server.demo_accounts.iter().find(|a| a.role == "企业").unwrap();
    assert!(ent.username.starts_with("91110101"), "{}", ent.username);
    assert_eq!(app.server.state.issuer.authority.name, "北京市住房和城乡建设委员会");
    let zhao = app.login(&app.person_id_number("赵磊"), "Geren2026").await;
    let regs = zhao.get("/api/registrations").await;
    assert!(regs.body["registrations"][0]["registration_number"].as_str().unwrap().starts_with("京211"), "{:?}", regs.body);
    app.finish().await;
}
on_both_databases!(a_new_province_is_a_profile_file);

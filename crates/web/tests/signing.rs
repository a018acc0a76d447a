//! Two-party signing as users and auditors meet it: an edit voids the applicant's signature, the
//! sealed form is locked, wrong PINs lock signing, a form altered after sealing is refused at
//! acceptance with the reason, and OpenSSL verifies both signatures of a downloaded form.

use crate::common;

use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;
use std::process::Command;

async fn start(app: &TestApp) -> (Api, i64) {
    let zhang = app.signup("张伟").await;
    let r = zhang.apply(ENTERPRISE_A, &["10401001"], true).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (zhang, r.body["application"]["id"].as_i64().unwrap())
}

fn edit_body(mobile: &str) -> serde_json::Value {
    json!({ "enterprise_name": ENTERPRISE_A, "mobile": mobile, "specialties": ["10401001"], "declaration": true })
}

async fn editing_voids_and_sealing_locks(db: TestDb) {
    let app = spawn(db).await;
    let (zhang, id) = start(&app).await;
    let ent = app.enterprise(ENTERPRISE_A).await;
    ent.ensure_pin(PIN).await;
    assert_eq!(zhang.sign_ok(id).await, "awaiting_enterprise");

    // An edit after signing voids the signature: the enterprise cannot seal until re-signed.
    let r = zhang.put(&format!("/api/applications/{id}"), edit_body("13911112222")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["application"]["state"], "awaiting_signature");
    let d = zhang.get(&format!("/api/applications/{id}")).await;
    assert_eq!(d.body["signatures"].as_array().unwrap().len(), 0, "the old signature is gone with the old form");
    assert!(d.body["history"].as_array().unwrap().iter().any(|h| h["action"] == "revise"));
    let r = ent.sign(id, PIN).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "an unsigned form is not even visible to the enterprise");
    assert_eq!(zhang.sign_ok(id).await, "awaiting_enterprise");
    assert_eq!(ent.sign_ok(id).await, "filed");

    // Sealed: edits are refused through the API and the portal, and nothing changes.
    let r = zhang.put(&format!("/api/applications/{id}"), edit_body("13933334444")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error().contains("已锁定"));
    let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = c.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let i = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let form = [("csrf", &page[i..i + 64]), ("username", &app.person_id_number("张伟")), ("password", "Geren2026")];
    c.post(format!("{}/login", app.url)).form(&form).send().await.unwrap();
    let r = c.get(format!("{}/applications/{id}/edit", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("不能修改"));
    let d = zhang.get(&format!("/api/applications/{id}")).await;
    assert_eq!(d.body["application"]["mobile"], "13911112222");
    app.finish().await;
}
on_both_databases!(editing_voids_and_sealing_locks);

async fn wrong_pins_lock_signing(db: TestDb) {
    let app = spawn(db).await;
    let (zhang, id) = start(&app).await;
    zhang.ensure_pin(PIN).await;
    for i in 0..5 {
        let r = zhang.sign(id, "Wrong-pin-9").await;
        let expected = if i < 4 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::LOCKED };
        assert_eq!(r.status, expected, "attempt {i}: {:?}", r.body);
    }
    let r = zhang.sign(id, PIN).await;
    assert_eq!(r.status, StatusCode::LOCKED, "the right PIN is refused while locked");
    assert!(r.error().contains("锁定"));
    app.advance_minutes(16);
    let zhang = app.login(&app.person_id_number("张伟"), "Geren2026").await;
    assert_eq!(zhang.sign_ok(id).await, "awaiting_enterprise");
    // PIN rules and PIN change: the old PIN must be right; the new one works afterwards.
    assert_eq!(
        zhang.post("/api/signing/pin/change", json!({ "old_pin": "nope-nope", "new_pin": "New-pin-2026" })).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        zhang.post("/api/signing/pin/change", json!({ "old_pin": PIN, "new_pin": "short" })).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        zhang.post("/api/signing/pin/change", json!({ "old_pin": PIN, "new_pin": "New-pin-2026" })).await.status,
        StatusCode::NO_CONTENT
    );
    app.finish().await;
}
on_both_databases!(wrong_pins_lock_signing);

async fn an_altered_form_is_refused_at_acceptance(db: TestDb) {
    let app = spawn(db).await;
    let (zhang, id) = start(&app).await;
    zhang.sign_ok(id).await;
    app.enterprise(ENTERPRISE_A).await.sign_ok(id).await;
    // Someone holding the master key changes the stored (sealed) form after sealing.
    let store = erjian_store::Store::connect(&app.database_url).await.unwrap();
    let sealer = erjian_store::sealing::Sealer::new(common::MASTER_KEY);
    let (form,): (Vec<u8>,) =
        sqlx::query_as("SELECT form_ofd FROM applications WHERE id = $1").bind(id).fetch_one(store.pool()).await.unwrap();
    assert!(!form.windows(4).any(|w| w == b"PK\x03\x04"), "the form is stored sealed, not as a readable package");
    let mut pkg = erjian_ofd::Package::from_bytes(&sealer.open(&form).unwrap()).unwrap();
    assert!(pkg.tamper("Doc_0/Pages/Page_0/Content.xml", 500));
    sqlx::query("UPDATE applications SET form_ofd = $2 WHERE id = $1")
        .bind(id)
        .bind(sealer.seal(&pkg.to_bytes()))
        .execute(store.pool())
        .await
        .unwrap();
    let city = app.city().await;
    let d = city.get(&format!("/api/applications/{id}")).await;
    assert!(d.body["signatures"].as_array().unwrap().iter().all(|s| s["valid"] == false), "{:?}", d.body["signatures"]);
    let r = city.post(&format!("/api/applications/{id}/actions"), json!({ "action": "accept" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error().contains("签名验证未通过") && r.error().contains("Content.xml"), "{}", r.error());
    assert_eq!(city.get(&format!("/api/applications/{id}")).await.body["application"]["state"], "filed", "nothing changed");
    // The city returns it for correction instead.
    city.act_ok(id, "return", Some("申请表签名验证未通过，请重新签署")).await;
    store.close().await;
    app.finish().await;
}
on_both_databases!(an_altered_form_is_refused_at_acceptance);

/// Hunan's profile: the enterprise seals first, then the applicant confirms by signing.
async fn hunan_order_enterprise_first(db: TestDb) {
    let app = spawn_in(db, "湘").await;
    let enterprise = "湖南建工集团股份有限公司";
    let zhang = app.signup("张伟").await;
    // Hunan's enterprise files the initial registration (the person cannot); it seals first.
    let mine = zhang.apply(enterprise, &["10401001"], true).await;
    assert_eq!(mine.status, StatusCode::CONFLICT, "{:?}", mine.body);
    let ent = app.enterprise(enterprise).await;
    let r = ent
        .post(
            "/api/applications",
            json!({ "applicant_id_number": app.person_id_number("张伟"), "applicant_name": "张伟", "mobile": "13800138000",
                    "specialties": ["10401001"], "declaration": true, "photo_base64": photo_base64(), "submit": true, "enterprise_name": enterprise }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    assert_eq!(r.body["application"]["state"], "awaiting_enterprise", "the enterprise signs first here");
    zhang.ensure_pin(PIN).await;
    assert_eq!(zhang.sign(id, PIN).await.status, StatusCode::CONFLICT, "the applicant cannot sign before the seal");
    assert_eq!(ent.sign_ok(id).await, "awaiting_signature");
    // Sealed by the enterprise: the applicant can no longer change the data, only confirm.
    let r = zhang
        .put(
            &format!("/api/applications/{id}"),
            json!({ "enterprise_name": enterprise, "mobile": "13955556666", "specialties": ["10401001"], "declaration": true }),
        )
        .await;
    assert!(matches!(r.status, StatusCode::CONFLICT | StatusCode::NOT_FOUND), "{:?}", r.body);
    assert_eq!(zhang.sign_ok(id).await, "filed");
    let d = zhang.get(&format!("/api/applications/{id}")).await;
    let signers: Vec<&str> = d.body["signatures"].as_array().unwrap().iter().map(|s| s["serial"].as_str().unwrap()).collect();
    assert_eq!(signers, vec![app.enterprise_login(enterprise), app.person_id_number("张伟")]);
    app.city().await.act_ok(id, "accept", None).await;
    app.finish().await;
}
on_both_databases!(hunan_order_enterprise_first);

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn openssl_verifies_both_signatures_of_a_downloaded_form_and_a_reset_keeps_them_valid() {
    let app = spawn(TestDb::Sqlite).await;
    let (zhang, id) = start(&app).await;
    // A handwritten-signature image becomes the picture of the applicant's signature.
    let sig_png = photo_png();
    let bad = zhang.call(reqwest::Method::PUT, "/api/signing/image", Some(json!({ "image_base64": "bm90IGFuIGltYWdl" }))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    zhang.ensure_pin(PIN).await;
    let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &sig_png);
    let r = zhang.call(reqwest::Method::PUT, "/api/signing/image", Some(json!({ "image_base64": encoded }))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    zhang.sign_ok(id).await;
    app.enterprise(ENTERPRISE_A).await.sign_ok(id).await;
    let bytes = zhang
        .http
        .get(format!("{}/api/applications/{id}/form", app.url))
        .bearer_auth(&zhang.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let pkg = erjian_ofd::Package::from_bytes(&bytes).unwrap();
    let dir = std::env::temp_dir().join(format!("erjian-form-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("form.ofd"), &bytes).unwrap();
    for n in 0..2 {
        let ses = erjian_ofd::ses::decode_signature(pkg.get(&format!("Doc_0/Signs/Sign_{n}/SignedValue.dat")).unwrap()).unwrap();
        let (tbs, sig, cert, pubkey) =
            (dir.join(format!("tbs{n}")), dir.join(format!("sig{n}")), dir.join(format!("cert{n}.der")), dir.join(format!("pub{n}.pem")));
        std::fs::write(&tbs, &ses.tbs_raw).unwrap();
        std::fs::write(&sig, &ses.signature).unwrap();
        std::fs::write(&cert, &ses.signer_cert).unwrap();
        let (ok, out) = run(Command::new("openssl")
            .args(["x509", "-inform", "DER", "-in"])
            .arg(&cert)
            .args(["-pubkey", "-noout", "-out"])
            .arg(&pubkey));
        assert!(ok, "{out}");
        let (ok, out) = run(Command::new("openssl")
            .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
            .arg(&pubkey)
            .args(["-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-in"])
            .arg(&tbs)
            .arg("-sigfile")
            .arg(&sig));
        assert!(ok && out.contains("Signature Verified Successfully"), "signature {n}: {out}");
    }
    let ses0 = erjian_ofd::ses::decode_signature(pkg.get("Doc_0/Signs/Sign_0/SignedValue.dat").unwrap()).unwrap();
    assert_eq!(ses0.seal.picture_type, "png");
    assert!(same_picture(&ses0.seal.picture, &sig_png), "the signature shows the uploaded image (re-encoded)");
    // The PDF view of the signed form, for people without an OFD reader (portal session).
    let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = c.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let i = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let login = [("csrf", &page[i..i + 64]), ("username", &app.person_id_number("张伟")), ("password", "Geren2026")];
    c.post(format!("{}/login", app.url)).form(&login).send().await.unwrap();
    let pdf = c.get(format!("{}/applications/{id}/form?format=pdf", app.url)).send().await.unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    // The second signature protects the first one's files.
    let sig2 = String::from_utf8(pkg.get("Doc_0/Signs/Sign_1/Signature.xml").unwrap().to_vec()).unwrap();
    assert!(sig2.contains("/Doc_0/Signs/Sign_0/SignedValue.dat"));
    // `erjian ofd verify`'s library call agrees, and the deployment root is the issuer.
    let root = app.server.state.issuer.authority.root();
    let report = erjian_ofd::seal::verify(&pkg, &erjian_ofd::seal::VerifyOptions { now: None, trusted_roots: vec![root] }).unwrap();
    assert!(report.all_valid());
    // Forgotten PIN: a reset needs the login password, issues a new certificate, and the signed
    // form stays valid.
    assert_eq!(
        zhang.post("/api/signing/reset", json!({ "password": "wrong", "new_pin": "Reset-pin-1" })).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        zhang.post("/api/signing/reset", json!({ "password": "Geren2026", "new_pin": "Reset-pin-1" })).await.status,
        StatusCode::CREATED
    );
    let d = zhang.get(&format!("/api/applications/{id}")).await;
    assert!(d.body["signatures"].as_array().unwrap().iter().all(|s| s["valid"] == true));
    app.finish().await;
}

/// Setting a PIN from an application that needed it leads back to that application (never to an
/// address from the request: only an application the person may see, by its number).
async fn after_setting_a_pin_back_to_the_application(kind: TestDb) {
    let app = spawn(kind).await;
    let zhang = app.signup("张伟").await;
    let id = zhang.apply(ENTERPRISE_A, &["10401001"], true).await.body["application"]["id"].as_i64().unwrap();
    let c = app.page_login(&app.person_id_number("张伟"), "Geren2026").await;
    let detail = c.get(format!("{}/applications/{id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(detail.contains(&format!("href=\"/signing?for={id}\"")));
    let page = c.get(format!("{}/signing?for={id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"back-to\""));
    let form = [("csrf", csrf_of(&page)), ("op", "set".into()), ("pin", PIN.into()), ("for", id.to_string())];
    let r = c.post(format!("{}/signing", app.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/applications/{id}?done=pin_set"));
    let back = c.get(format!("{}/applications/{id}?done=pin_set", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(back.contains("设置签名密码"), "the flash says what to do next");
    // Someone else's application: the PIN is set, but no way there.
    app.signup("刘洋").await;
    let liu = app.page_login(&app.person_id_number("刘洋"), "Geren2026").await;
    let page = liu.get(format!("{}/signing?for={id}", app.url)).send().await.unwrap().text().await.unwrap();
    let form = [("csrf", csrf_of(&page)), ("op", "set".into()), ("pin", PIN.into()), ("for", id.to_string())];
    let r = liu.post(format!("{}/signing", app.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    assert!(r.text().await.unwrap().contains("已设置签名密码"));
    app.finish().await;
}
on_both_databases!(after_setting_a_pin_back_to_the_application);

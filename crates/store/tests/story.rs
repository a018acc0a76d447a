//! One database-agnostic story, run on SQLite and on PostgreSQL: demo seed, login lock-out,
//! import all-or-nothing, and the initial registration through to a registration number.

use chrono::{DateTime, Duration, Utc};
use erjian_domain::application::InitialForm;
use erjian_domain::province::preset;
use erjian_domain::workflow::{Action, State};
use erjian_store::testing::{fresh_database, TestDb};
use erjian_store::{Error, Store};

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T02:00:00Z").unwrap().with_timezone(&Utc)
}

/// A 300×400 PNG header padded to pass the size checks.
/// A real 300 × 400 PNG (uploads are decoded, so a header alone is refused).
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(300, 400, |x, y| image::Rgb([200 + (x % 50) as u8, 210 + (y % 40) as u8, 240]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn story(kind: TestDb) {
    let url = fresh_database(kind).await.unwrap();
    let store = Store::connect(&url).await.unwrap();
    let profile = preset("皖").unwrap();
    let issuer = store.issuer(profile, b"story master key", "https://erjian.example".into(), t0()).await.unwrap();
    let accounts = store.seed_demo(&issuer, t0()).await.unwrap();
    assert!(accounts.len() >= 10);
    assert!(store.seed_demo(&issuer, t0()).await.unwrap().is_empty(), "seeding twice must not duplicate");

    // Lock-out per account and address: after five failures the right password is refused from
    // that address (with the same answer as a wrong one), accepted from another, and from the
    // first again after the pause.
    for _ in 0..5 {
        assert!(matches!(store.login("city1", "wrong-pass1", t0()).await, Err(Error::BadCredentials)));
    }
    assert!(matches!(store.login("city1", "Shenhe2026", t0()).await, Err(Error::BadCredentials)));
    assert!(store.login_from("city1", "Shenhe2026", "192.0.2.7", t0()).await.is_ok(), "the owner elsewhere is not locked out");
    assert!(matches!(store.login("nobody-here", "Shenhe2026", t0()).await, Err(Error::BadCredentials)));
    let city = store.login("city1", "Shenhe2026", t0() + Duration::minutes(16)).await.unwrap();

    // Import: one bad row refuses the whole file; duplicates of existing rows are reported.
    let bad = "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n孙红,11010519491231002X,二级注册建造师,建筑,9,2021,2021-10-20\n孙红,110105194912310021,二级注册建造师,建筑,9,2021,2021-10-20\n";
    assert!(store.import_qualifications(None, bad.as_bytes(), t0()).await.is_err());
    let before = store.count_qualifications().await.unwrap();
    let dup = "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n孙红,11010519491231002X,二级注册建造师,建筑,9,2021,2021-10-20\n李娜,34010219900718002X,二级注册建造师,建筑,9,2021,2021-10-20\n";
    let dup = dup.replace("34010219900718002X", &erjian_domain::ids::ResidentId::with_check("34010219900718002").unwrap().to_string());
    match store.import_qualifications(None, dup.as_bytes(), t0()).await {
        Err(erjian_store::qualifications::ImportError::Rows(rows)) => {
            assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3])
        }
        other => panic!("expected row errors, got {other:?}"),
    }
    assert_eq!(store.count_qualifications().await.unwrap(), before, "nothing half-imported");

    // 李娜 applies; a second application is refused while the first is open.
    let id = erjian_domain::ids::ResidentId::with_check("34010219900718002").unwrap();
    let lina = store.login(id.as_str(), "Geren2026", t0()).await.unwrap();
    let enterprise_name = erjian_store::demo::demo_enterprises(profile)[0].0.clone();
    let form = InitialForm {
        enterprise_name,
        mobile: "13912345678".into(),
        specialties: vec!["10401001".into(), "10401010".into()],
        declaration: true,
        ..Default::default()
    };
    let app_id = store.save_initial(&lina, None, &form, Some(photo()), true, t0()).await.unwrap();
    assert!(matches!(store.save_initial(&lina, None, &form, Some(photo()), false, t0()).await, Err(Error::Conflict(_))));

    let ent = store.login(erjian_store::demo::demo_enterprises(profile)[0].1.as_str(), "Qiye2026", t0()).await.unwrap();
    let other_ent = store.login(erjian_store::demo::demo_enterprises(profile)[1].1.as_str(), "Qiye2026", t0()).await.unwrap();
    assert!(matches!(store.application(&other_ent, app_id).await, Err(Error::NotFound(_))));
    // Two-party signing: the applicant signs, then the enterprise seals, each with its own PIN.
    assert!(
        matches!(store.act(&ent, app_id, Action::EnterpriseConfirm, None, None, t0()).await, Err(Error::NotFound(_))),
        "an unsigned form is private to the applicant"
    );
    store.set_pin(&lina, "lina-pin-1", &issuer, t0()).await.unwrap();
    store.set_pin(&ent, "ent-pin-12", &issuer, t0()).await.unwrap();
    assert!(
        store.sign_application(&ent, app_id, "ent-pin-12", t0()).await.is_err(),
        "the enterprise cannot seal before the applicant signs"
    );
    assert_eq!(store.sign_application(&lina, app_id, "lina-pin-1", t0()).await.unwrap(), State::AwaitingEnterprise);
    // Editing after signing voids the signature: back to 待本人签名 with an unsigned form.
    store.save_initial(&lina, Some(app_id), &form, None, false, t0()).await.unwrap();
    assert_eq!(store.application(&lina, app_id).await.unwrap().application.state(), State::AwaitingSignature);
    assert!(store.application_signatures(app_id, t0()).await.unwrap().is_empty());
    assert_eq!(store.sign_application(&lina, app_id, "lina-pin-1", t0()).await.unwrap(), State::AwaitingEnterprise);
    assert_eq!(store.sign_application(&ent, app_id, "ent-pin-12", t0()).await.unwrap(), State::Filed);
    let sigs = store.application_signatures(app_id, t0()).await.unwrap();
    assert_eq!(sigs.iter().map(|s| s.valid).collect::<Vec<_>>(), vec![true, true]);
    // Sealed: the form is locked.
    assert!(matches!(store.save_initial(&lina, Some(app_id), &form, None, false, t0()).await, Err(Error::Conflict(_))));
    store.act(&city, app_id, Action::Accept, None, None, t0()).await.unwrap();
    store.act(&city, app_id, Action::PrelimApprove, None, None, t0()).await.unwrap();
    let province = store.login("province", "Shenhe2026", t0()).await.unwrap();
    assert_eq!(store.act(&province, app_id, Action::Approve, None, None, t0()).await.unwrap(), State::Approved);
    let batch = store.start_publicity(&province, &[], profile, t0()).await.unwrap();
    assert!(matches!(store.announce(&province, batch.id, &issuer, t0()).await, Err(Error::Conflict(_))), "not before publicity ends");
    let done = store.announce(&province, batch.id, &issuer, t0() + Duration::days(6)).await.unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].registration_number, "皖2342024202600001");
    let regs = store.registrations_of_person(lina.person_id.unwrap()).await.unwrap();
    assert_eq!(regs[0].specialties.len(), 2);
    assert_eq!(regs[0].specialties[0].valid_until, "2029-11-30");
    // The announcement issued a sealed certificate in the same transaction.
    let certs = store.certificates_of_registration(regs[0].id).await.unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!((certs[0].version, certs[0].status.as_str()), (1, "valid"));
    assert!(erjian_domain::licence::LicenceId::parse(&certs[0].licence_id).is_ok());
    let (_, ofd) = store.current_certificate("皖2342024202600001").await.unwrap().unwrap();
    let pkg = erjian_ofd::Package::from_bytes(&ofd).unwrap();
    let opts = erjian_ofd::seal::VerifyOptions { now: None, trusted_roots: vec![issuer.authority.root()] };
    assert!(erjian_ofd::seal::verify(&pkg, &opts).unwrap().all_valid());
    // 安徽: the certificate may be used for 180 days; annotation (证照加注) opens 15 days before.
    assert_eq!(certs[0].use_until.as_deref(), Some("2027-05-29"));
    let lina = store
        .login(erjian_domain::ids::ResidentId::with_check("34010219900718002").unwrap().as_str(), "Geren2026", t0() + Duration::days(6))
        .await
        .unwrap();
    let early = store.annotate_certificate(&lina, &issuer, t0() + Duration::days(6)).await;
    assert!(matches!(&early, Err(Error::Conflict(m)) if m.contains("15日内")), "{early:?}");
    let at = DateTime::parse_from_rfc3339("2027-05-20T02:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let lina =
        store.login(erjian_domain::ids::ResidentId::with_check("34010219900718002").unwrap().as_str(), "Geren2026", at).await.unwrap();
    let licence = store.annotate_certificate(&lina, &issuer, at).await.unwrap();
    let certs = store.certificates_of_registration(regs[0].id).await.unwrap();
    let new = certs.iter().find(|c| c.licence_id == licence).unwrap();
    assert_eq!((new.version, new.use_until.as_deref()), (2, Some("2027-11-15")));
    assert!(matches!(store.annotate_certificate(&lina, &issuer, at).await, Err(Error::Conflict(_))), "once a day");
    // Restarting loads the same keys; a wrong master key is refused, not replaced.
    let again = store.load_or_create_authority(profile, b"story master key", t0()).await.unwrap();
    assert_eq!(again.root_cert, issuer.authority.root_cert);
    assert!(store.load_or_create_authority(profile, b"wrong key", t0()).await.is_err());
    let detail = store.application(&lina, app_id).await.unwrap();
    assert_eq!(detail.columns.announcement, "已公告");
    assert!(detail.history.iter().any(|h| h.action == "announce"));
    store.close().await;
}

#[tokio::test]
async fn story_on_sqlite() {
    story(TestDb::Sqlite).await;
}

#[tokio::test]
async fn story_on_postgres() {
    story(TestDb::Postgres).await;
}

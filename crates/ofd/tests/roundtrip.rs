//! Our own documents: write → read keeps every text, and our seals verify, stack, and break on
//! tampering.

use chrono::{Duration, Utc};
use erjian_ofd::crypto::{issue_certificate, parse_certificate, CertRequest, KeyPair, Name};
use erjian_ofd::reader::read;
use erjian_ofd::seal::{protected_files, sign, verify, SealSigner, Stamp, Verdict, VerifyOptions};
use erjian_ofd::ses::{encode_seal, SealSpec};
use erjian_ofd::writer::{Document, Metadata, Page};
use erjian_ofd::Package;
use proptest::prelude::*;

fn doc_with(lines: &[String]) -> Package {
    let mut d = Document::new(Metadata {
        doc_id: "t".into(),
        title: "测试".into(),
        custom: vec![("注册编号".into(), "皖2342024202600001".into())],
        ..Default::default()
    });
    let f = d.add_font("宋体", None);
    let mut p = Page::a4();
    for (i, l) in lines.iter().enumerate() {
        p.text(20.0, 30.0 + 8.0 * i as f64, 5.0, f, l);
    }
    p.rect(10.0, 10.0, 190.0, 277.0, None, Some((erjian_ofd::writer::Color::RED, 0.5)));
    d.pages.push(p);
    Package::from_bytes(&d.to_package().to_bytes()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]
    #[test]
    fn any_text_round_trips(lines in prop::collection::vec("[\\PC&&[^\\u{FFFE}\\u{FFFF}]]{1,40}", 1..8)) {
        let lines: Vec<String> = lines.into_iter().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
        prop_assume!(!lines.is_empty());
        let info = read(&doc_with(&lines)).unwrap();
        let got: Vec<String> = info.pages[0].texts.iter().map(|t| t.text.clone()).collect();
        prop_assert_eq!(got, lines);
    }
}

/// A root, a maker-issued seal for one signer, and the signer.
fn signer(name: &str) -> (SealSigner, erjian_ofd::crypto::Certificate) {
    let now = Utc::now();
    let root_key = KeyPair::generate();
    let root_name = Name { organisation: "erjian".into(), common_name: "erjian test root".into(), serial_number: None };
    let root = issue_certificate(
        &root_key,
        &root_name,
        &CertRequest {
            serial: 1,
            subject: &root_name,
            subject_public: &root_key.public(),
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(3650),
            is_ca: true,
        },
    );
    let key = KeyPair::generate();
    let subject = Name { organisation: name.into(), common_name: format!("{name}电子印章"), serial_number: None };
    let cert = issue_certificate(
        &root_key,
        &root_name,
        &CertRequest {
            serial: 2,
            subject: &subject,
            subject_public: &key.public(),
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(365),
            is_ca: false,
        },
    );
    let seal = encode_seal(
        &SealSpec {
            es_id: "34000000000001",
            name,
            users: std::slice::from_ref(&cert),
            created: now,
            valid_start: now - Duration::days(1),
            valid_end: now + Duration::days(365),
            picture_type: "png",
            picture: b"\x89PNG",
            width_mm: 40,
            height_mm: 40,
        },
        &root_key,
        &root,
    );
    (SealSigner::new(key, cert, seal), parse_certificate(&root).unwrap())
}

/// A package whose `OFD.xml` names a signature list that is not there (signatures stripped, or a
/// damaged file): `read` says so and `verify` gives one failed check, instead of aborting.
#[test]
fn a_missing_signature_list_is_one_clear_verdict() {
    let mut pkg = doc_with(&["中华人民共和国二级建造师注册证书".into()]);
    let (a, root) = signer("安徽省住房和城乡建设厅");
    sign(&mut pkg, &a, &Stamp { page: 0, boundary: [140.0, 230.0, 40.0, 40.0] }, Utc::now()).unwrap();
    let list = erjian_ofd::seal::signatures_path(&pkg).unwrap().unwrap();
    assert!(pkg.remove(&list));
    let reopened = Package::from_bytes(&pkg.to_bytes()).unwrap();
    let info = erjian_ofd::reader::read(&reopened).unwrap();
    assert_eq!(info.missing_signature_list.as_deref(), Some(list.as_str()));
    assert!(info.signatures.is_empty());
    let r = verify(&reopened, &VerifyOptions { now: None, trusted_roots: vec![root] }).unwrap();
    assert!(!r.all_valid());
    assert_eq!(r.list_problems.len(), 1, "{r:?}");
    assert_eq!(
        (r.list_problems[0].name, r.list_problems[0].file.as_deref()),
        (erjian_ofd::seal::MISSING_SIGNATURE_LIST, Some(list.as_str()))
    );
}

#[test]
fn our_seal_verifies_and_a_second_seal_covers_the_first() {
    let mut pkg = doc_with(&["中华人民共和国二级建造师注册证书".into()]);
    let (a, root_a) = signer("安徽省住房和城乡建设厅");
    sign(&mut pkg, &a, &Stamp { page: 0, boundary: [140.0, 230.0, 40.0, 40.0] }, Utc::now()).unwrap();
    let reopened = Package::from_bytes(&pkg.to_bytes()).unwrap();
    let opts = VerifyOptions { now: None, trusted_roots: vec![root_a.clone()] };
    let r = verify(&reopened, &opts).unwrap();
    assert!(r.all_valid(), "{r:?}");
    assert_eq!(r.signatures[0].seal_name.as_deref(), Some("安徽省住房和城乡建设厅"));

    // A second seal on the already-sealed package; both verify, and the second protects the first.
    let (b, root_b) = signer("安徽建工集团股份有限公司");
    let mut twice = reopened.clone();
    sign(&mut twice, &b, &Stamp { page: 0, boundary: [20.0, 230.0, 40.0, 40.0] }, Utc::now()).unwrap();
    let r = verify(&twice, &VerifyOptions { now: None, trusted_roots: vec![root_a.clone(), root_b] }).unwrap();
    assert_eq!(r.signatures.len(), 2);
    assert!(r.all_valid(), "{r:?}");
    let second_refs =
        r.signatures[1].checks.iter().filter(|c| c.name == "reference_digest").filter_map(|c| c.file.clone()).collect::<Vec<_>>();
    assert!(second_refs.iter().any(|f| f.ends_with("Sign_0/SignedValue.dat")), "{second_refs:?}");

    // An untrusted root fails the issuer check.
    let r = verify(&reopened, &VerifyOptions { now: None, trusted_roots: vec![signer("别人").1] }).unwrap();
    assert_eq!(r.signatures[0].verdict, Verdict::Invalid);
    assert!(r.signatures[0].failed().any(|c| c.name == "signer_certificate_issuer"));

    // Any flipped byte in any protected file fails.
    for file in protected_files(&reopened).unwrap() {
        let mut bad = reopened.clone();
        bad.tamper(&file, 7);
        let ok = verify(&bad, &opts).map(|r| r.all_valid()).unwrap_or(false);
        assert!(!ok, "flipping {file} went unnoticed");
    }
}

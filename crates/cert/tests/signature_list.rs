//! A seal verdict cannot be forged by editing `Signatures.xml`, the one file no seal protects
//! (it changes with every seal). Each listed signature must be verified from its own files.
//! Found by an attacker's test: an invalid seal's entry pointed at a valid seal's files made
//! every seal read as valid, and a duplicated entry read as two valid seals.

use chrono::Utc;
use erjian_cert::{Authority, CertificateData};
use erjian_ofd::seal::{sign, verify, Stamp, Verdict, VerifyOptions};
use erjian_ofd::Package;

mod common;

fn sample() -> CertificateData {
    common::sample("1.2.156.3005.2.11100000000013338W001.11340000MB034000X6.2342024202600001.001.X")
}

const LIST: &str = "Doc_0/Signs/Signatures.xml";

/// Our certificate with a second seal by an authority this deployment does not trust: the
/// second seal is genuine SM2 but fails the issuer check, so the document is not valid.
fn certificate_with_a_foreign_second_seal() -> (Authority, Package) {
    let now = Utc::now();
    let (auth, _) = Authority::create("安徽省住房和城乡建设厅", "11340000MB034000X6", b"master key for tests", now);
    let (other, _) = Authority::create("某某伪造机构", "91340100MA2T50123P", b"another master key", now);
    let mut pkg = Package::from_bytes(&auth.issue(&sample(), now).unwrap()).unwrap();
    sign(&mut pkg, &other.signer, &Stamp { page: 0, boundary: [20.0, 20.0, 30.0, 30.0] }, now).unwrap();
    (auth, pkg)
}

fn list_of(pkg: &Package) -> String {
    pkg.text(LIST).unwrap()
}

fn opts(auth: &Authority) -> VerifyOptions {
    VerifyOptions { now: None, trusted_roots: vec![auth.root()] }
}

#[test]
fn the_untouched_two_seal_certificate_is_reported_invalid() {
    let (auth, pkg) = certificate_with_a_foreign_second_seal();
    let r = verify(&pkg, &opts(&auth)).unwrap();
    assert_eq!(r.signatures.len(), 2);
    assert_eq!(r.signatures[0].verdict, Verdict::Valid);
    assert_eq!(r.signatures[1].verdict, Verdict::Invalid);
    assert!(r.list_problems.is_empty(), "{:?}", r.list_problems);
    assert!(!r.all_valid());
}

#[test]
fn an_invalid_seal_redirected_to_a_valid_seals_files_fails_the_document() {
    let (auth, mut pkg) = certificate_with_a_foreign_second_seal();
    let forged = list_of(&pkg).replace("/Doc_0/Signs/Sign_1/Signature.xml", "/Doc_0/Signs/Sign_0/Signature.xml");
    assert_ne!(forged, list_of(&pkg));
    pkg.put(LIST, forged.into_bytes());
    let r = verify(&pkg, &opts(&auth)).unwrap();
    assert!(!r.all_valid(), "a redirected entry must not make the document valid: {r:?}");
    let details: Vec<&str> = r.list_problems.iter().map(|c| c.detail.as_str()).collect();
    assert!(details.iter().any(|d| d.contains("same Signature.xml")), "{details:?}");
    assert!(
        r.list_problems.iter().any(|c| c.file.as_deref() == Some("Doc_0/Signs/Sign_1/Signature.xml")),
        "the dropped seal is named: {details:?}"
    );
}

#[test]
fn a_duplicated_entry_is_not_two_valid_seals() {
    let now = Utc::now();
    let (auth, _) = Authority::create("安徽省住房和城乡建设厅", "11340000MB034000X6", b"master key for tests", now);
    let mut pkg = Package::from_bytes(&auth.issue(&sample(), now).unwrap()).unwrap();
    assert!(verify(&pkg, &opts(&auth)).unwrap().all_valid());
    let list = list_of(&pkg);
    let entry_start = list.find("<ofd:Signature ").unwrap();
    let entry_end = entry_start + list[entry_start..].find("/>").unwrap() + 2;
    let entry = &list[entry_start..entry_end];

    // The same entry twice (same ID), and again with a new ID.
    for extra in [entry.to_owned(), entry.replacen("ID=\"1\"", "ID=\"9\"", 1)] {
        let mut bad = pkg.clone();
        bad.put(LIST, list.replacen(entry, &format!("{entry}{extra}"), 1).into_bytes());
        let r = verify(&bad, &opts(&auth)).unwrap();
        assert_eq!(r.signatures.len(), 2);
        assert!(!r.all_valid(), "a duplicated entry must fail: {r:?}");
        assert!(!r.list_problems.is_empty());
    }

    // The seal's files copied to a new folder and listed as a second seal: the signed property
    // names the original Signature.xml.
    for (from, to) in [("Sign_0/Signature.xml", "Sign_7/Signature.xml"), ("Sign_0/SignedValue.dat", "Sign_7/SignedValue.dat")] {
        let bytes = pkg.get(&format!("Doc_0/Signs/{from}")).unwrap().to_vec();
        let bytes = if from.ends_with(".xml") {
            String::from_utf8(bytes).unwrap().replace("Sign_0/SignedValue.dat", "Sign_7/SignedValue.dat").into_bytes()
        } else {
            bytes
        };
        pkg.put(&format!("Doc_0/Signs/{to}"), bytes);
    }
    let copied = entry.replacen("ID=\"1\"", "ID=\"8\"", 1).replace("Sign_0", "Sign_7");
    pkg.put(LIST, list.replacen(entry, &format!("{entry}{copied}"), 1).into_bytes());
    let r = verify(&pkg, &opts(&auth)).unwrap();
    assert!(!r.all_valid(), "a copied seal must fail: {r:?}");
    assert!(r.signatures[1].failed().any(|c| c.name == "property_info" || c.name == "data_hash"), "{:?}", r.signatures[1].checks);
}

#[test]
fn an_entry_whose_files_are_missing_fails_with_the_reason() {
    let now = Utc::now();
    let (auth, _) = Authority::create("安徽省住房和城乡建设厅", "11340000MB034000X6", b"master key for tests", now);
    let mut pkg = Package::from_bytes(&auth.issue(&sample(), now).unwrap()).unwrap();
    let list = list_of(&pkg);
    let extra = "<ofd:Signature ID=\"5\" Type=\"Seal\" BaseLoc=\"/Doc_0/Signs/Sign_4/Signature.xml\"/></ofd:Signatures>";
    pkg.put(LIST, list.replace("</ofd:Signatures>", extra).into_bytes());
    let r = verify(&pkg, &opts(&auth)).unwrap();
    assert!(!r.all_valid());
    assert!(r.list_problems.iter().any(|c| c.detail.contains("not in the package")), "{:?}", r.list_problems);
}

//! Seals of the earlier format, GM/T 0031-2014 ("SES v1"; issue 18): a document sealed in that
//! form verifies and its verdict says it was v1; a change to the page, to Signature.xml, to the
//! seal's information or to the signer's certificate fails; the maker's signature is checked over
//! what GM/T 0031 has the maker sign (SES_SealInfo, the maker's certificate and the algorithm —
//! a seal signed over SES_SealInfo alone, as v4 does, is refused); and OpenSSL verifies the same
//! two signatures over the bytes erjian checked.
//!
//! No third-party v1 sample exists among ofdrw's files, so the seal is built here from its ASN.1
//! definition (GM/T 0031-2014 §7; field for field as ofdrw's `org.ofdrw.gm.ses.v1` and the
//! independent `gm_0031_38540_verifier` read it).

use chrono::{DateTime, Duration, Utc};
use erjian_ofd::crypto::{issue_certificate, sm3, CertRequest, KeyPair, Name, OID_SM2_WITH_SM3};
use erjian_ofd::der;
use erjian_ofd::seal::{sign, verify, SealSigner, Stamp, Verdict, VerifyOptions, FORMAT_SES_V1};
use erjian_ofd::ses::{encode_seal, SealSpec};
use erjian_ofd::writer::{Document, Metadata, Page};
use erjian_ofd::Package;

struct Parties {
    root_key: KeyPair,
    root_cert: Vec<u8>,
    signer_key: KeyPair,
    signer_cert: Vec<u8>,
}

fn parties() -> Parties {
    let now = Utc::now();
    let root_key = KeyPair::generate();
    let root_name = Name { organisation: "某印章制作单位".into(), common_name: "制章者".into(), serial_number: None };
    let cert = |serial, subject: &Name, key: &KeyPair, ca| {
        issue_certificate(
            &root_key,
            &root_name,
            &CertRequest {
                serial,
                subject,
                subject_public: &key.public(),
                not_before: now - Duration::days(1),
                not_after: now + Duration::days(365),
                is_ca: ca,
            },
        )
    };
    let root_cert = cert(1, &root_name, &root_key, true);
    let signer_key = KeyPair::generate();
    let signer_name = Name { organisation: "某市住房和城乡建设局".into(), common_name: "签章人".into(), serial_number: None };
    let signer_cert = cert(2, &signer_name, &signer_key, false);
    Parties { root_key, root_cert, signer_key, signer_cert }
}

fn utc(t: DateTime<Utc>) -> Vec<u8> {
    der::tlv(der::UTC_TIME, t.format("%y%m%d%H%M%SZ").to_string().as_bytes())
}

/// SES_SealInfo of a GM/T 0031 seal named `name`.
fn seal_info(p: &Parties, name: &str) -> Vec<u8> {
    let now = Utc::now();
    der::seq(&[
        der::seq(&[der::ia5("ES"), der::int(2), der::ia5("test")]),
        der::ia5("11000000000001"),
        der::seq(&[
            der::int(1),
            der::utf8(name),
            der::seq(&[der::octets(&p.signer_cert)]),
            utc(now - Duration::days(1)),
            utc(now - Duration::days(1)),
            utc(now + Duration::days(365)),
        ]),
        der::seq(&[der::ia5("png"), der::octets(b"\x89PNG"), der::int(40), der::int(40)]),
    ])
}

/// The SESeal: `maker_signs` gives the bytes the maker signs (GM/T 0031's SEQUENCE, or a wrong one).
fn eseal(p: &Parties, info: Vec<u8>, maker_signs: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let signed = maker_signs(&info);
    let signature = p.root_key.sign(&signed);
    der::seq(&[info, der::seq(&[der::octets(&p.root_cert), der::oid(OID_SM2_WITH_SM3), der::bits(&signature)])])
}

fn gm0031_maker_message(p: &Parties) -> impl Fn(&[u8]) -> Vec<u8> + '_ {
    move |info| der::seq(&[info.to_vec(), der::octets(&p.root_cert), der::oid(OID_SM2_WITH_SM3)])
}

/// TBS_Sign and the whole SES_Signature over `signature_xml`.
fn ses_signature(p: &Parties, seal: Vec<u8>, signature_xml: &[u8], property: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let time = Utc::now().format("%y%m%d%H%M%SZ").to_string();
    let tbs = der::seq(&[
        der::int(2),
        seal,
        der::bits(time.as_bytes()),
        der::bits(&sm3(signature_xml)),
        der::ia5(property),
        der::octets(&p.signer_cert),
        der::oid(OID_SM2_WITH_SM3),
    ]);
    let signature = p.signer_key.sign(&tbs);
    (der::seq(&[tbs.clone(), der::bits(&signature)]), tbs, signature)
}

/// A one-page document sealed (v4, by erjian), whose seal is then replaced by a GM/T 0031 one.
fn sealed_v1(p: &Parties, build: impl Fn(&[u8], &str) -> Vec<u8>) -> (Package, String) {
    let mut d = Document::new(Metadata { doc_id: "v1".into(), title: "旧版印章".into(), ..Default::default() });
    let f = d.add_font("宋体", None);
    let mut page = Page::a4();
    page.text(20.0, 30.0, 5.0, f, "准予注册决定书 皖2342024202600001");
    d.pages.push(page);
    let mut pkg = Package::from_bytes(&d.to_package().to_bytes()).unwrap();
    let v4_seal = encode_seal(
        &SealSpec {
            es_id: "x",
            name: "x",
            users: std::slice::from_ref(&p.signer_cert),
            created: Utc::now(),
            valid_start: Utc::now() - Duration::days(1),
            valid_end: Utc::now() + Duration::days(1),
            picture_type: "png",
            picture: b"\x89PNG",
            width_mm: 40,
            height_mm: 40,
        },
        &p.root_key,
        &p.root_cert,
    );
    let signer = SealSigner::new(KeyPair::from_secret(&p.signer_key.secret()).unwrap(), p.signer_cert.clone(), v4_seal);
    sign(&mut pkg, &signer, &Stamp { page: 0, boundary: [120.0, 200.0, 40.0, 40.0] }, Utc::now()).unwrap();
    let value = pkg.paths().find(|k| k.ends_with("SignedValue.dat")).unwrap().to_owned();
    let sig_xml_path = value.replace("SignedValue.dat", "Signature.xml");
    let sig_xml = pkg.get(&sig_xml_path).unwrap().to_vec();
    pkg.put(&value, build(&sig_xml, &format!("/{sig_xml_path}")));
    (pkg, value)
}

fn opts(p: &Parties) -> VerifyOptions {
    VerifyOptions { now: None, trusted_roots: vec![erjian_ofd::crypto::parse_certificate(&p.root_cert).unwrap()] }
}

#[test]
fn a_gm0031_seal_verifies_and_says_it_is_v1() {
    let p = parties();
    let (pkg, _) = sealed_v1(&p, |xml, prop| {
        ses_signature(&p, eseal(&p, seal_info(&p, "某市住房和城乡建设局"), gm0031_maker_message(&p)), xml, prop).0
    });
    let report = verify(&pkg, &opts(&p)).unwrap();
    let s = &report.signatures[0];
    assert_eq!(s.format, FORMAT_SES_V1);
    assert_eq!(s.verdict, Verdict::Valid, "{:?}", s.checks);
    assert_eq!(s.seal_name.as_deref(), Some("某市住房和城乡建设局"));
    for check in ["data_hash", "signature", "seal_maker_signature", "seal_validity", "property_info"] {
        assert!(s.checks.iter().any(|c| c.name == check && c.ok), "{check}: {:?}", s.checks);
    }
    assert!(s.signed_at.is_some_and(|t| (Utc::now() - t).num_minutes().abs() < 5));

    // Any change to what is protected fails, naming the file.
    for file in erjian_ofd::seal::protected_files(&pkg).unwrap() {
        let mut bad = pkg.clone();
        let len = bad.get(&file).map(|b| b.len()).unwrap_or(0);
        assert!(bad.tamper(&file, len / 2));
        let r = verify(&bad, &opts(&p)).map(|r| r.all_valid()).unwrap_or(false);
        assert!(!r, "a change in {file} went unnoticed");
    }
}

#[test]
fn the_maker_signs_what_gm0031_says() {
    let p = parties();
    // Signed over SES_SealInfo alone (the v4 rule): not a valid GM/T 0031 seal.
    let (pkg, _) = sealed_v1(&p, |xml, prop| ses_signature(&p, eseal(&p, seal_info(&p, "某局"), |info| info.to_vec()), xml, prop).0);
    let s = &verify(&pkg, &opts(&p)).unwrap().signatures[0];
    assert_eq!(s.format, FORMAT_SES_V1);
    assert!(s.checks.iter().any(|c| c.name == "seal_maker_signature" && !c.ok), "{:?}", s.checks);
    assert_eq!(s.verdict, Verdict::Invalid);
    // The seal's name changed after the maker signed: refused.
    let (pkg, _) = sealed_v1(&p, |xml, prop| {
        let genuine = eseal(&p, seal_info(&p, "某局"), gm0031_maker_message(&p));
        let forged_info = seal_info(&p, "他局");
        let original_info = seal_info(&p, "某局");
        // Same length names (two characters each), so the DER stays well formed.
        let mut forged = genuine.clone();
        let at = forged.windows(original_info.len()).position(|w| w == original_info.as_slice());
        match at {
            Some(i) if forged_info.len() == original_info.len() => forged[i..i + forged_info.len()].copy_from_slice(&forged_info),
            _ => panic!("the two names have the same length"),
        }
        ses_signature(&p, forged, xml, prop).0
    });
    let s = &verify(&pkg, &opts(&p)).unwrap().signatures[0];
    assert!(s.checks.iter().any(|c| c.name == "seal_maker_signature" && !c.ok), "{:?}", s.checks);
}

#[test]
fn openssl_verifies_both_signatures() {
    let p = parties();
    let info = seal_info(&p, "某市住房和城乡建设局");
    let maker_message = gm0031_maker_message(&p)(&info);
    let seal = eseal(&p, info, gm0031_maker_message(&p));
    let (value, tbs, signature) = ses_signature(&p, seal, b"<Signature/>", "/Doc_0/Signs/Sign_0/Signature.xml");
    let decoded = erjian_ofd::ses::decode_signature(&value).unwrap();
    assert_eq!((decoded.version, decoded.seal.version), (2, 2));
    assert_eq!(decoded.tbs_raw, tbs);
    assert_eq!(decoded.seal.maker_message, maker_message);
    let dir = tempfile::tempdir().unwrap();
    let check = |cert: &[u8], message: &[u8], sig: &[u8]| {
        let (c, m, s, pem) = (dir.path().join("c.der"), dir.path().join("m.der"), dir.path().join("s.der"), dir.path().join("p.pem"));
        std::fs::write(&c, cert).unwrap();
        std::fs::write(&m, message).unwrap();
        std::fs::write(&s, sig).unwrap();
        let out = std::process::Command::new("openssl").args(["x509", "-inform", "DER", "-pubkey", "-noout", "-in"]).arg(&c).output();
        std::fs::write(&pem, out.expect("openssl (scripts/setup.sh installs it)").stdout).unwrap();
        let o = std::process::Command::new("openssl")
            .args(["dgst", "-sm3", "-sigopt", "distid:1234567812345678", "-verify"])
            .arg(&pem)
            .arg("-signature")
            .arg(&s)
            .arg(&m)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).contains("Verified OK")
    };
    assert!(check(&decoded.signer_cert, &decoded.tbs_raw, &decoded.signature), "signer's signature over TBS_Sign");
    assert_eq!(decoded.signature, signature);
    assert!(check(&decoded.seal.maker_cert, &decoded.seal.maker_message, &decoded.seal.maker_signature), "maker's signature");
    assert!(!check(&decoded.seal.maker_cert, &decoded.seal.info_raw, &decoded.seal.maker_signature), "not over SES_SealInfo alone");
}

//! Sealed OFD files made by another implementation (ofdrw): every seal verifies, any flipped
//! byte in a protected file makes verification fail and name the file, and a bare signature
//! is reported as not verifiable.

use erjian_ofd::seal::{protected_files, verify, Verdict, VerifyOptions};
use erjian_ofd::Package;
use std::path::PathBuf;

fn samples() -> PathBuf {
    // Kept in the repository (licence and source in its README): a fresh clone has all it needs.
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = p.join("testdata/ofd-thirdparty");
    assert!(dir.is_dir(), "third-party samples not found at {} ", dir.display());
    dir
}

fn open(name: &str) -> Package {
    Package::from_bytes(&std::fs::read(samples().join(name)).unwrap()).unwrap()
}

const SEALED: &[&str] = &[
    "ofdrw-sign--v4signed.ofd",
    "ofdrw-reader--SESV4SignDoc.ofd",
    "ofdrw-sign--signedFile.ofd",
    "ofdrw-sign--allprotected.ofd",
    "ofdrw-converter--V4RideRight.ofd",
    "ofdrw-converter--SignScaleError.ofd",
];

#[test]
fn every_sealed_sample_verifies() {
    for name in SEALED {
        let report = verify(&open(name), &VerifyOptions::default()).unwrap();
        assert!(!report.signatures.is_empty(), "{name}: no signatures found");
        for s in &report.signatures {
            let failed: Vec<_> = s.failed().map(|c| format!("{} {:?}: {}", c.name, c.file, c.detail)).collect();
            assert!(s.intact(), "{name}: {failed:?}");
            // Validity lapses (a certificate that expired before a re-seal) are reported on
            // their own, never as a broken signature.
            if s.verdict != Verdict::Valid {
                assert_eq!(s.verdict, Verdict::OutsideValidity, "{name}: {failed:?}");
                assert!(s.failed().all(|c| c.name.ends_with("validity")), "{name}: {failed:?}");
            }
            assert!(s.checks.iter().any(|c| c.name == "seal_maker_signature" && c.ok));
            assert!(s.checks.iter().filter(|c| c.name == "reference_digest").count() >= 3);
        }
    }
}

#[test]
fn flipping_any_protected_file_fails_and_names_it() {
    for name in SEALED {
        let pkg = open(name);
        let files = protected_files(&pkg).unwrap();
        assert!(files.len() >= 4, "{name}: {files:?}");
        for file in &files {
            let mut bad = pkg.clone();
            let len = bad.get(file).map(|b| b.len()).unwrap_or(0);
            if len == 0 {
                continue;
            }
            assert!(bad.tamper(file, len / 2));
            let report = match verify(&bad, &VerifyOptions::default()) {
                Ok(r) => r,
                // A package whose OFD.xml no longer parses fails as a whole, naming the file.
                Err(e) => {
                    assert!(e.to_string().contains(file.as_str()), "{name}: {e}");
                    continue;
                }
            };
            assert!(report.signatures.iter().any(|s| s.verdict == Verdict::Invalid), "{name}: flipping {file} went unnoticed");
            let named = report
                .signatures
                .iter()
                .flat_map(|s| s.failed())
                .any(|c| c.file.as_deref() == Some(file.as_str()) || file.ends_with("Signatures.xml"));
            assert!(
                named,
                "{name}: flipping {file} was not attributed to it: {:?}",
                report.signatures.iter().flat_map(|s| s.failed()).collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn a_bare_signature_is_not_verifiable_rather_than_valid() {
    let report = verify(&open("ofdrw-sign--DigitalSign.ofd"), &VerifyOptions::default()).unwrap();
    assert_eq!(report.signatures.len(), 1);
    assert_eq!(report.signatures[0].verdict, Verdict::NotVerifiable);
    assert!(!report.all_valid());
    assert!(report.signatures[0].warnings[0].contains("cannot be verified"));
}

#[test]
fn every_sample_opens() {
    for entry in std::fs::read_dir(samples()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ofd") {
            let pkg = Package::from_bytes(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let doc = erjian_ofd::reader::read(&pkg).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!doc.pages.is_empty(), "{}: no pages", path.display());
            let text: String = doc.pages.iter().map(|p| p.text()).collect();
            assert!(
                !text.trim().is_empty() || doc.pages.iter().any(|p| !p.images.is_empty() || p.paths > 0),
                "{}: nothing on the pages",
                path.display()
            );
        }
    }
}

#[test]
fn reader_finds_text_images_and_metadata() {
    let doc = erjian_ofd::reader::read(&open("ofdrw-reader--helloworld.ofd")).unwrap();
    assert!(doc.pages[0].text().contains("OFD Reader&Writer"), "{:?}", doc.pages[0].texts);
    let inv = erjian_ofd::reader::read(&open("ofdrw-sign--v4signed.ofd")).unwrap();
    assert!(inv.metadata.custom.iter().any(|(k, v)| k == "发票号码" && v == "99999951"));
    assert_eq!(inv.signatures.len(), 1);
    let jpeg = erjian_ofd::reader::read(&open("ofdrw-converter--containsJPEG.ofd")).unwrap();
    assert!(jpeg.pages.iter().flat_map(|p| &p.images).any(|i| i.bytes > 0), "images are resolved to their files");
    let keyword = erjian_ofd::reader::read(&open("ofdrw-reader--keyword.ofd")).unwrap();
    assert!(keyword.pages[0].texts.len() > 3, "{:?}", keyword.pages[0].texts);
}

/// A third-party seal (ofdrw's sealed e-invoice) listed twice, or listed beside an entry whose
/// files do not exist, or under a repeated ID: the document fails, naming why. Before this,
/// a duplicated entry read as two valid seals.
#[test]
fn an_edited_signature_list_fails_the_document() {
    let pkg = open("ofdrw-sign--v4signed.ofd");
    let list_path = erjian_ofd::seal::signatures_path(&pkg).unwrap().unwrap();
    let list = pkg.text(&list_path).unwrap();
    let good = verify(&pkg, &VerifyOptions::default()).unwrap();
    assert!(good.list_problems.is_empty(), "{:?}", good.list_problems);
    let start = list.find("<ofd:Signature ").expect("an entry");
    let end = start + list[start..].find("/>").unwrap() + 2;
    let entry = &list[start..end];
    let id = entry.split("ID=\"").nth(1).unwrap().split('"').next().unwrap();
    let cases = [
        ("duplicated", format!("{entry}{entry}"), "same Signature.xml"),
        ("new id", format!("{entry}{}", entry.replacen(&format!("ID=\"{id}\""), "ID=\"99\"", 1)), "same Signature.xml"),
        (
            "missing files",
            format!("{entry}<ofd:Signature ID=\"98\" Type=\"Seal\" BaseLoc=\"/Doc_0/Signs/Sign_9/Signature.xml\"/>"),
            "not in the package",
        ),
    ];
    for (what, replacement, why) in cases {
        let mut bad = pkg.clone();
        bad.put(&list_path, list.replacen(entry, &replacement, 1).into_bytes());
        let r = verify(&bad, &VerifyOptions::default()).unwrap();
        assert!(!r.all_valid(), "{what}: {r:?}");
        assert!(r.list_problems.iter().any(|c| c.detail.contains(why)), "{what}: {:?}", r.list_problems);
    }
    // Removing the only entry leaves a seal in the package that the list does not name.
    let mut bad = pkg.clone();
    bad.put(&list_path, list.replacen(entry, "", 1).into_bytes());
    let r = verify(&bad, &VerifyOptions::default()).unwrap();
    assert!(!r.all_valid());
    assert!(r.list_problems.iter().any(|c| c.detail.contains("missing from the signature list")), "{:?}", r.list_problems);
}

/// Text drawn through composite objects (CompositeObject → CompositeGraphicUnit in the document
/// resources, GB/T 33190 §13) is the page's text: ofdrw's y.ofd keeps all of its 4,803
/// characters there (the reader found none before), placed through each object's CTM.
#[test]
fn composite_objects_yield_their_text() {
    let doc = erjian_ofd::reader::read(&open("ofdrw-converter--y.ofd")).unwrap();
    assert_eq!(doc.pages.len(), 3);
    let text: String = doc.pages.iter().map(|p| p.text()).collect();
    assert!(text.chars().count() >= 4_800, "{} characters", text.chars().count());
    let joined = |i: usize| doc.pages[i].text().replace('\n', "");
    assert!(joined(0).contains("建设新时代海关数字档案室"), "{}", joined(0));
    assert!(joined(2).contains("存量档案数字化建设"), "{}", joined(2));
    // Placed on the page (CTM 0.3528 maps the unit's points to millimetres), not at the unit's
    // scale (up to 1,639 wide); a few objects start left of the page and are clipped there.
    for p in &doc.pages {
        let on = p.texts.iter().filter(|t| (0.0..=p.width).contains(&t.x) && (0.0..=p.height).contains(&t.y)).count();
        assert!(on * 10 >= p.texts.len() * 9, "{on} of {} text objects on the page", p.texts.len());
    }
}

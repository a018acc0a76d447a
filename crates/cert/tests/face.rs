//! The certificate face as a holder prints it and an official reads it (issue 18): set in a
//! serif (宋体-style) font embedded as a subset, the seal drawn as translucent ink over the
//! issuer's name and date, a guilloche background, deflated package entries, and a QR code whose
//! compact statement decodes with `zbarimg` from a 100 dpi rendering.

use chrono::Utc;
use erjian_cert::statement::QrStatement;
use erjian_cert::{Authority, EmbeddedFont};
use erjian_ofd::crypto::KeyPair;
use erjian_ofd::seal::{verify, VerifyOptions};
use erjian_ofd::Package;
use std::process::Command;
use std::sync::Arc;

mod common;
use common::sample;

const LICENCE: &str = "1.2.156.3005.2.11100000000013338W001.11340000MB034000X6.2342024202600001.001.X";

fn serif_authority() -> Authority {
    let (mut auth, _) = Authority::create("安徽省住房和城乡建设厅", "11340000MB034000X6", b"master key for tests", Utc::now());
    auth.embed_fonts = EmbeddedFont::from_env().unwrap().into_iter().map(Arc::new).collect();
    assert!(!auth.embed_fonts.is_empty(), "fonts-arphic-gbsn00lp / fonts-arphic-uming are installed by scripts/setup.sh");
    auth
}

/// The sample with the address a real certificate carries: a signed compact statement.
fn realistic() -> (erjian_cert::CertificateData, KeyPair) {
    let mut data = sample(LICENCE);
    let key = KeyPair::generate();
    let st = QrStatement {
        registration_number: data.registration_number.clone(),
        licence_id: LICENCE.into(),
        id_masked: "340104**********37".into(),
        valid_until: "2029-11-24".into(),
        issued_at: 1_795_000_000,
        status_index: Some(3_456_789),
    };
    data.verify_url = st.url("https://zjt.ah.gov.cn/erjian", &key);
    (data, key)
}

fn tmp(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("erjian-face-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_qr_code_decodes_from_a_100_dpi_rendering_with_zbarimg() {
    let auth = serif_authority();
    let (data, key) = realistic();
    let dir = tmp("qr");
    std::fs::write(dir.join("cert.pdf"), auth.pdf(&data).unwrap()).unwrap();
    let (ok, out) =
        run(Command::new("pdftoppm").args(["-r", "100", "-gray", "-png", "-singlefile"]).arg(dir.join("cert.pdf")).arg(dir.join("page")));
    assert!(ok, "pdftoppm (poppler-utils): {out}");
    if let Ok(keep) = std::env::var("ERJIAN_KEEP_FACE") {
        std::fs::copy(dir.join("page.png"), keep).unwrap();
    }
    let o = Command::new("zbarimg").args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"]).arg(dir.join("page.png")).output();
    let o = o.expect("zbarimg (zbar-tools, installed by scripts/setup.sh)");
    // stdout holds the decoded text alone (stderr may carry D-Bus noise).
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "zbarimg found no code at 100 dpi: {out}{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(out.trim(), data.verify_url);
    let st = QrStatement::verify(out.trim(), &key.public()).unwrap();
    assert_eq!((st.status_index, st.registration_number.as_str()), (Some(3_456_789), "皖2342024202600001"));
}

#[test]
fn the_face_is_serif_the_seal_is_ink_and_the_file_is_deflated() {
    let auth = serif_authority();
    let (data, _) = realistic();
    let bytes = auth.issue(&data, Utc::now()).unwrap();
    let pkg = Package::from_bytes(&bytes).unwrap();
    assert!(verify(&pkg, &VerifyOptions { now: None, trusted_roots: vec![auth.root()] }).unwrap().all_valid());

    // The serif font is embedded (a subset), named in the document's resources.
    let res = String::from_utf8(pkg.get("Doc_0/PublicRes.xml").unwrap().to_vec()).unwrap();
    assert!(res.contains("FontName=\"AR PL SungtiL GB\"") || res.contains("FamilyName=\"AR PL SungtiL GB\""), "{res}");
    let font = pkg.get("Doc_0/Res/font_0.ttf").expect("embedded font");
    assert!(font.len() < 60 * 1024, "{} bytes", font.len());

    // Issuer and date under the seal, the date as GB/T 9704 writes it.
    let info = erjian_ofd::reader::read(&pkg).unwrap();
    let text = info.pages[0].text();
    assert!(text.contains("2026年11月25日") && text.contains("安徽省住房和城乡建设厅"), "{text}");

    // The seal's picture draws with Alpha (ink, not an opaque disc).
    let value = pkg.paths().find(|k| k.ends_with("SignedValue.dat")).unwrap().to_owned();
    let ses_bytes = pkg.get(&value).unwrap();
    let seal = erjian_ofd::ses::decode_signature(ses_bytes).expect("an SES signature").seal;
    let picture = Package::from_bytes(&seal.picture).unwrap();
    let content = pkg_text(&picture, "Content.xml");
    assert!(content.contains("Alpha=\"200\""), "{content}");

    // Template: the guilloche background is there, as paths.
    let template = String::from_utf8(pkg.get("Doc_0/Tpls/Tpl_0/Content.xml").unwrap().to_vec()).unwrap();
    assert!(template.matches("<ofd:PathObject").count() > 50, "guilloche paths");

    // Deflated: XML and the font entries are compressed, the JPEG/PNG photo stored.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut stored_xml = Vec::new();
    for i in 0..archive.len() {
        let f = archive.by_index(i).unwrap();
        if (f.name().ends_with(".xml") || f.name().ends_with(".ttf"))
            && f.size() > 256
            && f.compression() != zip::CompressionMethod::Deflated
        {
            stored_xml.push(f.name().to_owned());
        }
    }
    assert!(stored_xml.is_empty(), "not deflated: {stored_xml:?}");
    // The same document makes the same bytes (deterministic deflate, fixed entry times).
    assert_eq!(Package::from_bytes(&bytes).unwrap().to_bytes(), pkg.to_bytes());
}

fn pkg_text(pkg: &Package, suffix: &str) -> String {
    let path = pkg.paths().find(|k| k.ends_with(suffix)).unwrap().to_owned();
    String::from_utf8(pkg.get(&path).unwrap().to_vec()).unwrap()
}

/// Size of an issued certificate with a typical photo (a 20 KB JPEG): the issue found 77 KB
/// with stored entries and no embedded font. Measured here: 42.5 KB without a font, 70.8 KB
/// with the serif subset embedded (about 110 characters, 40 KB of outlines deflated to 28 KB).
#[test]
fn an_issued_certificate_stays_small() {
    let auth = serif_authority();
    let (mut data, _) = realistic();
    data.photo = Some(erjian_cert::synthetic::photo_jpeg(7));
    let photo = data.photo.as_ref().unwrap().len();
    let bytes = auth.issue(&data, Utc::now()).unwrap();
    let (bare, _) = Authority::create("安徽省住房和城乡建设厅", "11340000MB034000X6", b"k", Utc::now());
    let unembedded = bare.issue(&data, Utc::now()).unwrap();
    eprintln!("photo {photo} bytes; certificate {} bytes with the serif font, {} without", bytes.len(), unembedded.len());
    assert!(unembedded.len() < photo + 24 * 1024, "{} bytes", unembedded.len());
    assert!(bytes.len() < photo + 54 * 1024, "{} bytes", bytes.len());
}

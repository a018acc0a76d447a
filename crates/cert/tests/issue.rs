//! An issued certificate as a user and an outside checker see it: it verifies with our verifier
//! and with the OpenSSL command line, a third-party OFD parser (Python `ofdkit`) finds the
//! holder's name and registration number, and every tampering is caught.

use chrono::Utc;
use erjian_cert::Authority;
use erjian_ofd::seal::{protected_files, verify, VerifyOptions};
use erjian_ofd::{ses, Package};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::sample;

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("erjian-cert-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn issued() -> (Authority, Vec<u8>) {
    let (auth, _) = Authority::create("安徽省住房和城乡建设厅", "11340000MB034000X6", b"master key for tests", Utc::now());
    let bytes = auth.issue(&sample("1.2.156.3005.2.11100000000013338W001.11340000MB034000X6.2342024202600001.001.X"), Utc::now()).unwrap();
    (auth, bytes)
}

#[test]
fn issued_certificate_verifies_reads_back_and_breaks_on_tampering() {
    let (auth, bytes) = issued();
    assert_eq!(&bytes[..2], b"PK", "no bytes before the ZIP header");
    let pkg = Package::from_bytes(&bytes).unwrap();
    let opts = VerifyOptions { now: None, trusted_roots: vec![auth.root()] };
    let report = verify(&pkg, &opts).unwrap();
    assert!(report.all_valid(), "{report:?}");
    let info = erjian_ofd::reader::read(&pkg).unwrap();
    let text = info.pages[0].text();
    for needle in ["张伟", "皖2342024202600001", "建筑工程", "2029-11-24", "安徽省住房和城乡建设厅", "91340100MA2T50123P"]
    {
        assert!(text.contains(needle), "{needle} missing from {text}");
    }
    assert_eq!(info.pages[0].images.len(), 1, "the photo is on the face");
    assert!(info.pages[0].paths > 3, "QR code and frame are vector paths");
    for file in protected_files(&pkg).unwrap() {
        let mut bad = pkg.clone();
        bad.tamper(&file, 11);
        assert!(!verify(&bad, &opts).map(|r| r.all_valid()).unwrap_or(false), "tampering {file} went unnoticed");
    }
    // Private keys are sealed: the stored form never contains the raw secret.
    let (_, stored) = Authority::create("测试厅", "11340000MB034000X6", b"k", Utc::now());
    let loaded = Authority::load("测试厅", "11340000MB034000X6", &stored, b"k").unwrap();
    assert!(!stored.seal_secret_sealed.windows(32).any(|w| w == loaded.signer.key.secret().as_slice()));
    assert!(Authority::load("测试厅", "11340000MB034000X6", &stored, b"wrong").is_err());
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn pem_pubkey(dir: &Path, name: &str, cert_der: &[u8]) -> PathBuf {
    let der = dir.join(format!("{name}.der"));
    std::fs::write(&der, cert_der).unwrap();
    let pem = dir.join(format!("{name}.pub.pem"));
    let (ok, out) =
        run(Command::new("openssl").args(["x509", "-inform", "DER", "-in"]).arg(&der).args(["-pubkey", "-noout", "-out"]).arg(&pem));
    assert!(ok, "openssl could not read our certificate: {out}");
    pem
}

fn openssl_verify(pubkey: &Path, data: &Path, sig: &Path) -> (bool, String) {
    run(Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(pubkey)
        .args(["-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-in"])
        .arg(data)
        .arg("-sigfile")
        .arg(sig))
}

#[test]
fn openssl_verifies_both_signatures_and_the_certificate_chain() {
    let (auth, bytes) = issued();
    let pkg = Package::from_bytes(&bytes).unwrap();
    let value = pkg.get("Doc_0/Signs/Sign_0/SignedValue.dat").unwrap();
    let ses = ses::decode_signature(value).unwrap();
    let dir = tmpdir("openssl");
    let (tbs, sig) = (dir.join("tbs.bin"), dir.join("sig.der"));
    std::fs::write(&tbs, &ses.tbs_raw).unwrap();
    std::fs::write(&sig, &ses.signature).unwrap();
    let signer_pub = pem_pubkey(&dir, "signer", &ses.signer_cert);
    let (ok, out) = openssl_verify(&signer_pub, &tbs, &sig);
    assert!(ok && out.contains("Signature Verified Successfully"), "{out}");
    // The seal maker's signature over SES_SealInfo.
    let (info, msig) = (dir.join("sealinfo.bin"), dir.join("maker-sig.der"));
    std::fs::write(&info, &ses.seal.info_raw).unwrap();
    std::fs::write(&msig, &ses.seal.maker_signature).unwrap();
    let maker_pub = pem_pubkey(&dir, "maker", &ses.seal.maker_cert);
    let (ok, out) = openssl_verify(&maker_pub, &info, &msig);
    assert!(ok, "{out}");
    // A changed byte is refused by OpenSSL too.
    let mut t = ses.tbs_raw.clone();
    t[40] ^= 1;
    std::fs::write(&tbs, &t).unwrap();
    let (ok, _) = openssl_verify(&signer_pub, &tbs, &sig);
    assert!(!ok, "OpenSSL accepted a changed TBS_Sign");
    // The seal certificate chains to the deployment root.
    let root_pem = dir.join("root.pem");
    std::fs::write(dir.join("root.der"), &auth.root_cert).unwrap();
    run(Command::new("openssl").args(["x509", "-inform", "DER", "-in"]).arg(dir.join("root.der")).arg("-out").arg(&root_pem));
    let leaf_pem = dir.join("leaf.pem");
    run(Command::new("openssl").args(["x509", "-inform", "DER", "-in"]).arg(dir.join("signer.der")).arg("-out").arg(&leaf_pem));
    // OpenSSL's default SM2 ID is empty; certificates are signed with the standard default ID.
    let (ok, out) =
        run(Command::new("openssl").args(["verify", "-vfyopt", "distid:1234567812345678", "-CAfile"]).arg(&root_pem).arg(&leaf_pem));
    assert!(ok && out.contains("OK"), "{out}");
}

#[test]
fn a_third_party_parser_reads_name_and_registration_number() {
    let (_, bytes) = issued();
    let dir = tmpdir("ofdkit");
    let file = dir.join("cert.ofd");
    std::fs::write(&file, bytes).unwrap();
    let (ok, out) = run(Command::new("python3").args(["-c", "import sys, ofdkit; print(ofdkit.extract_text(sys.argv[1]))"]).arg(&file));
    assert!(ok, "ofdkit failed (pip install ofdkit): {out}");
    assert!(out.contains("张伟") && out.contains("皖2342024202600001"), "{out}");
}

#[test]
fn the_pdf_rendition_shows_a_readable_qr_code() {
    let (auth, _) = issued();
    let data = sample("1.2.156.3005.2.11100000000013338W001.11340000MB034000X6.2342024202600001.001.X");
    let pdf = auth.pdf(&data).expect("PDF (needs fonts-wqy-microhei)");
    assert!(pdf.starts_with(b"%PDF"));
    let dir = tmpdir("pdf");
    let file = dir.join("cert.pdf");
    std::fs::write(&file, &pdf).unwrap();
    if let Ok(keep) = std::env::var("ERJIAN_KEEP_PDF") {
        std::fs::write(keep, &pdf).unwrap();
    }
    let (ok, out) = run(Command::new("pdftoppm").args(["-r", "150", "-png", "-singlefile"]).arg(&file).arg(dir.join("page")));
    assert!(ok, "pdftoppm failed (apt-get install poppler-utils): {out}");
    let png_bytes = std::fs::read(dir.join("page.png")).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.line_size / info.width as usize;
    let grey = |x: usize, y: usize| {
        let i = y * info.line_size + x * channels;
        ((buf[i] as u32 + buf[i + channels.min(2) / 2] as u32 + buf[i + channels.min(3) - 1] as u32) / 3) as u8
    };
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(info.width as usize, info.height as usize, grey);
    let grids = img.detect_grids();
    assert!(!grids.is_empty(), "no QR code found on the rendered page");
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, data.verify_url);
}

#[test]
fn a_configured_font_is_embedded_as_a_subset_with_its_cmap() {
    use read_fonts::TableProvider;
    let path = erjian_cert::fonts::SANS[0].1;
    let data = std::fs::read(path).expect("fonts-wqy-microhei is installed by scripts/setup.sh");
    let (mut auth, _) = Authority::create("安徽省住房和城乡建设厅", "11340000MB034000X6", b"k", Utc::now());
    auth.embed_fonts =
        vec![std::sync::Arc::new(erjian_cert::EmbeddedFont { family: "WenQuanYi Micro Hei".into(), data: data.clone(), index: 0 })];
    let bytes = auth.issue(&sample("1.2.156.3005.2.11100000000013338W001.11340000MB034000X6.2342024202600001.001.X"), Utc::now()).unwrap();
    let pkg = Package::from_bytes(&bytes).unwrap();
    let font = pkg.get("Doc_0/Res/font_0.ttf").expect("embedded font file");
    assert!(font.len() < 120 * 1024 && font.len() * 20 < data.len(), "a subset, not the whole font: {} bytes", font.len());
    let face = read_fonts::FontRef::new(font).unwrap();
    let cmap = face.cmap().expect("the subset keeps its cmap");
    for c in ['张', '伟', '皖', '2'] {
        assert!(cmap.map_codepoint(c).is_some_and(|g| g.to_u32() != 0), "{c} missing from the subset");
    }
    assert!(cmap.map_codepoint('鑫').is_none(), "unused characters are dropped");
    let public_res = String::from_utf8(pkg.get("Doc_0/PublicRes.xml").unwrap().to_vec()).unwrap();
    assert!(public_res.contains("<ofd:FontFile>font_0.ttf</ofd:FontFile>"));
    let opts = VerifyOptions { now: None, trusted_roots: vec![auth.root()] };
    assert!(verify(&pkg, &opts).unwrap().all_valid());
    let dir = tmpdir("font");
    std::fs::write(dir.join("cert.ofd"), &bytes).unwrap();
    let (ok, out) =
        run(Command::new("python3").args(["-c", "import sys, ofdkit; print(ofdkit.extract_text(sys.argv[1]))"]).arg(dir.join("cert.ofd")));
    assert!(ok && out.contains("张伟"), "{out}");
}

//! erjian's own certificate, drawn from its OFD by erjian's renderer, against its PDF rendition
//! drawn by poppler's pdftoppm: the two agree (small block difference), while a blank page or the
//! same page moved by 2 mm does not; and the QR code drawn by the renderer at 100 dpi decodes with
//! zbarimg to the certificate's address.

#[path = "../../cert/tests/common/mod.rs"]
mod cert_common;
mod common;
use chrono::Utc;
use common::{grey, keep, pdftoppm, tmp, Grey};
use erjian_cert::{Authority, CertificateData, EmbeddedFont};
use erjian_ofd::Package;
use erjian_render::{raster, Document, Limits};
use std::sync::Arc;

/// The certificate tests' sample holder (with a photo), with a compact QR address.
fn sample() -> CertificateData {
    let mut data = cert_common::sample("1.2.156.3005.2.11100000000013338W001.11340000MB034000X6.2342024202600001.001.X");
    data.verify_url = "HTTPS://ZJT.AH.GOV.CN/V/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOP".into();
    data
}

fn authority() -> Authority {
    let (mut auth, _) = Authority::create("安徽省住房和城乡建设厅", "11340000MB034000X6", b"master key for tests", Utc::now());
    auth.embed_fonts = EmbeddedFont::from_env().unwrap().into_iter().map(Arc::new).collect();
    assert!(!auth.embed_fonts.is_empty(), "fonts-arphic-gbsn00lp / fonts-arphic-uming are installed by scripts/setup.sh");
    auth
}

#[test]
fn the_renderer_draws_the_certificate_as_poppler_draws_its_pdf() {
    let auth = authority();
    let data = sample();
    let ofd = auth.issue(&data, Utc::now()).unwrap();
    let pkg = Package::from_bytes(&ofd).unwrap();
    let doc = Document::open(&pkg, Limits::default()).unwrap();
    let scene = doc.scene(0).unwrap();
    assert!(scene.notes.is_empty(), "everything on the certificate is drawable: {:?}", scene.notes);
    let ours_png = raster::png(&scene, 100.0, &Limits::default()).unwrap();
    keep("certificate-erjian.png", &ours_png);
    let theirs_png = pdftoppm(&auth.pdf(&data).unwrap(), 100, "cert");
    keep("certificate-poppler.png", &theirs_png);
    let (ours, theirs) = (grey(&ours_png), grey(&theirs_png));
    let d = ours.difference(&theirs);
    let blank = theirs.difference(&Grey { w: theirs.w, h: theirs.h, px: vec![255; theirs.px.len()] });
    let moved = theirs.difference(&theirs.shifted(8, 8)); // 2 mm at 100 dpi
    eprintln!("erjian vs poppler {d:.2}; blank {blank:.2}; moved 2 mm {moved:.2}");
    assert!(d < 4.0, "the two drawings differ by {d:.2} (blank {blank:.2}, moved {moved:.2})");
    assert!(blank > 2.0 * d && moved > 2.0 * d, "the measure tells a wrong page from a right one");
}

#[test]
fn the_qr_code_drawn_by_the_renderer_decodes_at_100_dpi() {
    let auth = authority();
    let data = sample();
    let ofd = auth.issue(&data, Utc::now()).unwrap();
    let pkg = Package::from_bytes(&ofd).unwrap();
    let doc = Document::open(&pkg, Limits::default()).unwrap();
    let png = raster::png(&doc.scene(0).unwrap(), 100.0, &Limits::default()).unwrap();
    let dir = tmp("qr");
    std::fs::write(dir.join("page.png"), &png).unwrap();
    let o = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(dir.join("page.png"))
        .output()
        .expect("zbarimg (zbar-tools, installed by scripts/setup.sh)");
    assert!(o.status.success(), "zbarimg found no code in the renderer's drawing: {}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), data.verify_url);
}

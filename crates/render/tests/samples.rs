//! Every third-party OFD in `testdata/ofd-thirdparty` (ofdrw's test files, Apache-2.0) draws,
//! every page, with ink on it; the pictures show what the files hold (a seal's red picture where
//! its stamp is, text drawn through composite objects, a clipped border); the renderer's PDF,
//! rasterised by poppler, agrees with its PNG; and hostile files stay within the limits.

mod common;
use common::{grey, keep, pdftoppm};
use erjian_ofd::Package;
use erjian_render::{raster, Document, Limits};

fn samples() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/ofd-thirdparty");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ofd"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

fn open(bytes: &[u8]) -> Package {
    Package::from_bytes(bytes).unwrap()
}

#[test]
fn every_sample_draws_every_page_with_ink() {
    let all = samples();
    assert!(all.len() >= 16, "the sample set is in the repository");
    let limits = Limits::default();
    for (name, bytes) in &all {
        let pkg = open(bytes);
        let doc = Document::open(&pkg, limits.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(doc.page_count() >= 1, "{name}");
        for (i, scene) in doc.scenes().unwrap().iter().enumerate() {
            let png = raster::png(scene, 50.0, &limits).unwrap();
            keep(&format!("{name}-{}.png", i + 1), &png);
            let g = grey(&png);
            // An A4 page at 50 dpi is 414×585 pixels.
            assert!(g.w > 100 && g.h > 100, "{name} page {}: {}×{}", i + 1, g.w, g.h);
            // One short line of 3 mm text (helloworld) is a few hundred dark pixels at 50 dpi.
            let dark = g.ink() * (g.w * g.h) as f64;
            assert!(dark > 40.0, "{name} page {} is blank ({} items, notes {:?})", i + 1, scene.items.len(), scene.notes);
        }
    }
}

/// The red of a seal where its stamp annotation is, and nowhere in the page's own content.
#[test]
fn a_sealed_invoice_shows_the_seal_picture_at_its_stamp() {
    let (_, bytes) = samples().into_iter().find(|(n, _)| n == "ofdrw-sign--v4signed").unwrap();
    let pkg = open(&bytes);
    let doc = Document::open(&pkg, Limits::default()).unwrap();
    let scene = doc.scene(0).unwrap();
    let pm = raster::draw(&scene, 100.0, &Limits::default()).unwrap();
    let red = |x0: f64, y0: f64, x1: f64, y1: f64| {
        let s = 100.0 / 25.4;
        let mut n = 0;
        for y in (y0 * s) as u32..(y1 * s) as u32 {
            for x in (x0 * s) as u32..(x1 * s) as u32 {
                if let Some(p) = pm.pixel(x, y) {
                    if p.red() > 150 && p.green() < 110 && p.blue() < 110 {
                        n += 1;
                    }
                }
            }
        }
        n
    };
    // The stamp annotation's boundary in Signature.xml: 90 8 30 20 (millimetres).
    let sig = String::from_utf8_lossy(pkg.get("Doc_0/Signs/Sign_0/Signature.xml").unwrap()).into_owned();
    assert!(sig.contains("Boundary=\"90.00 8.00 30.00 20.00\""), "{sig}");
    let sealed = red(90.0, 8.0, 120.0, 28.0);
    assert!(sealed > 300, "the seal's picture is drawn in its stamp ({sealed})");
    // Without seals (the same page drawn from a copy whose signature list is gone): no red there.
    let mut bare = pkg.clone();
    bare.remove("Doc_0/Signs/Signatures.xml");
    let doc = Document::open(&bare, Limits::default()).unwrap();
    let pm2 = raster::draw(&doc.scene(0).unwrap(), 100.0, &Limits::default()).unwrap();
    let s = 100.0 / 25.4;
    let mut n = 0;
    for y in (8.0 * s) as u32..(28.0 * s) as u32 {
        for x in (90.0 * s) as u32..(120.0 * s) as u32 {
            let p = pm2.pixel(x, y).unwrap();
            if p.red() > 150 && p.green() < 110 && p.blue() < 110 {
                n += 1;
            }
        }
    }
    assert!(n < sealed / 4, "the red comes from the seal ({n} without it, {sealed} with it)");
}

/// y.ofd draws all its text through composite objects: without them the pages would be nearly
/// empty; with them each page is covered by lines of text.
#[test]
fn text_inside_composite_objects_is_drawn() {
    let (_, bytes) = samples().into_iter().find(|(n, _)| n == "ofdrw-converter--y").unwrap();
    let pkg = open(&bytes);
    let doc = Document::open(&pkg, Limits::default()).unwrap();
    assert_eq!(doc.page_count(), 3);
    for i in 0..3 {
        let g = grey(&raster::png(&doc.scene(i).unwrap(), 50.0, &Limits::default()).unwrap());
        assert!(g.ink() > 0.03, "page {} ink {}", i + 1, g.ink());
    }
}

/// The PDF the renderer writes, rasterised by poppler, matches its own PNG.
#[test]
fn the_pdf_and_the_png_agree() {
    for name in ["ofdrw-sign--v4signed", "ofdrw-converter--testPathClip", "ofdrw-reader--keyword"] {
        let (_, bytes) = samples().into_iter().find(|(n, _)| n == name).unwrap();
        let pkg = open(&bytes);
        let doc = Document::open(&pkg, Limits::default()).unwrap();
        let scene = doc.scene(0).unwrap();
        let pdf = erjian_render::pdf::pdf(std::slice::from_ref(&scene)).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let ours = grey(&raster::png(&scene, 72.0, &Limits::default()).unwrap());
        let poppler = grey(&pdftoppm(&pdf, 72, name));
        let d = ours.difference(&poppler);
        let blank = ours.difference(&common::Grey { w: ours.w, h: ours.h, px: vec![255; ours.px.len()] });
        assert!(d < 5.0, "{name}: PNG and PDF differ by {d:.2} (blank page {blank:.2})");
        assert!(blank > 2.0 * d, "{name}: the comparison can tell ({d:.2} vs blank {blank:.2})");
    }
}

/// A file from a stranger: a page asking for a huge drawing area, a path with more commands
/// than the limit, a million tiny objects, composite objects that use themselves. The renderer
/// answers within the limits and says what it left out.
#[test]
fn hostile_files_stay_within_the_limits() {
    use erjian_ofd::package::Limits as PkgLimits;
    let ns = "http://www.ofdspec.org/2016";
    let mut objects = String::new();
    for i in 0..30_000 {
        objects.push_str(&format!("<ofd:PathObject ID=\"{i}\" Boundary=\"0 0 1 1\" Fill=\"true\"><ofd:AbbreviatedData>M 0 0 L 1 0 L 1 1 C</ofd:AbbreviatedData></ofd:PathObject>"));
    }
    let unit = "<ofd:CompositeGraphicUnit ID=\"9\" Width=\"10\" Height=\"10\"><ofd:Content><ofd:CompositeObject ID=\"8\" Boundary=\"0 0 10 10\" ResourceID=\"9\"/></ofd:Content></ofd:CompositeGraphicUnit>";
    let mut pkg = Package::new();
    pkg.put(
        "OFD.xml",
        format!("<ofd:OFD xmlns:ofd=\"{ns}\"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
            .into_bytes(),
    );
    pkg.put("Doc_0/Document.xml", format!("<ofd:Document xmlns:ofd=\"{ns}\"><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 100000 100000</ofd:PhysicalBox></ofd:PageArea><ofd:DocumentRes>Res.xml</ofd:DocumentRes></ofd:CommonData><ofd:Pages><ofd:Page ID=\"1\" BaseLoc=\"P/Content.xml\"/></ofd:Pages></ofd:Document>").into_bytes());
    pkg.put(
        "Doc_0/Res.xml",
        format!("<ofd:Res xmlns:ofd=\"{ns}\"><ofd:CompositeGraphicUnits>{unit}</ofd:CompositeGraphicUnits></ofd:Res>").into_bytes(),
    );
    pkg.put("Doc_0/P/Content.xml", format!("<ofd:Page xmlns:ofd=\"{ns}\"><ofd:Content><ofd:Layer ID=\"1\"><ofd:CompositeObject ID=\"7\" Boundary=\"0 0 10 10\" ResourceID=\"9\"/>{objects}</ofd:Layer></ofd:Content></ofd:Page>").into_bytes());
    let bytes = pkg.to_bytes();
    let pkg = Package::from_bytes_within(&bytes, &PkgLimits::UPLOAD).unwrap();
    let limits = Limits { objects: 10_000, ..Limits::default() };
    let doc = Document::open(&pkg, limits.clone()).unwrap();
    let scene = doc.scene(0).unwrap();
    assert!(scene.items.len() <= 10_000, "{}", scene.items.len());
    assert!(scene.notes.iter().any(|n| n.contains("对象超过")), "{:?}", scene.notes);
    // 100 m × 100 m at 150 dpi would be 3.5 billion pixels: drawn smaller, within the limit.
    let (_, w, h) = raster::pixel_scale(&scene, 150.0, &limits);
    assert!((w as u64) * (h as u64) <= limits.page_pixels, "{w}×{h}");
    let g = grey(&raster::png(&scene, 150.0, &limits).unwrap());
    assert_eq!((g.w as u32, g.h as u32), (w, h));
    // Not an OFD at all: a clear refusal, no panic.
    assert!(erjian_render::page_png(b"PK\x03\x04 not really", 0, 96.0).is_err());
    assert!(erjian_render::page_png(b"%PDF-1.7", 0, 96.0).is_err());
}

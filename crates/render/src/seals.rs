//! The pictures of the electronic seals stamped on a page: each signature's `StampAnnot` on this
//! page draws its seal's picture (PNG, JPEG, GIF, BMP, or an OFD drawn as a page) into the
//! stamp's boundary. Whether the seal is genuine is not decided here.

use crate::interp::decode_image;
use crate::scene::{ImageItem, Item, Scene};
use crate::Document;
use erjian_ofd::package::resolve;
use erjian_ofd::{ses, ses_v1, xml, Package};
use kurbo::Affine;
use std::sync::Arc;

/// At most this many stamps are drawn on one page.
const MAX_STAMPS: usize = 32;

pub(crate) fn draw(doc: &Document<'_>, page_id: &str, to_page: Affine, scene: &mut Scene) {
    let pkg = doc.pkg;
    let Ok(Some(list_path)) = erjian_ofd::seal::signatures_path(pkg) else { return };
    let Some(list) = pkg.get(&list_path).and_then(|b| xml::parse(&list_path, &String::from_utf8_lossy(b)).ok()) else { return };
    let mut drawn = 0;
    for entry in list.kids("Signature") {
        let Some(sig_path) = entry.attr("BaseLoc").and_then(|l| resolve(&list_path, l).ok()) else { continue };
        let Some(sig) = pkg.get(&sig_path).and_then(|b| xml::parse(&sig_path, &String::from_utf8_lossy(b)).ok()) else { continue };
        let Some(info) = sig.child("SignedInfo") else { continue };
        let stamps: Vec<_> = info.kids("StampAnnot").filter(|s| s.attr("PageRef") == Some(page_id)).collect();
        if stamps.is_empty() {
            continue;
        }
        let Some(value) = sig.child_text("SignedValue").and_then(|l| resolve(&sig_path, l).ok()).and_then(|p| pkg.get(&p)) else {
            continue;
        };
        let Some((kind, picture)) = ses::decode_signature(value)
            .or_else(|_| ses_v1::decode_signature(value))
            .ok()
            .map(|s| (s.seal.picture_type.to_lowercase(), s.seal.picture))
        else {
            continue;
        };
        for stamp in stamps {
            if drawn >= MAX_STAMPS {
                return;
            }
            drawn += 1;
            let b = crate::resources::numbers(stamp.attr("Boundary"));
            let [x, y, w, h] = match b.as_slice() {
                [x, y, w, h] if *w > 0.0 && *h > 0.0 => [*x, *y, *w, *h],
                _ => continue,
            };
            let at = to_page * Affine::translate((x, y));
            if kind == "ofd" {
                ofd_picture(doc, &picture, at, w, h, scene);
                continue;
            }
            match decode_image(&picture, &doc.limits) {
                Some(img) => {
                    let (iw, ih) = (img.width().max(1) as f64, img.height().max(1) as f64);
                    let transform = at * Affine::scale_non_uniform(w / iw, h / ih);
                    scene.items.push(Item::Image(ImageItem { image: Arc::new(img), transform, alpha: 255, clips: Vec::new() }));
                }
                None => scene.note(format!("印章图像（{kind}）无法解码，未绘制")),
            }
        }
    }
}

/// A seal whose picture is itself an OFD document: its first page, scaled into the stamp.
fn ofd_picture(doc: &Document<'_>, bytes: &[u8], at: Affine, w: f64, h: f64, scene: &mut Scene) {
    let Ok(pkg) = Package::from_bytes_within(bytes, &erjian_ofd::package::Limits::UPLOAD) else {
        scene.note("印章图像（OFD）无法打开，未绘制".into());
        return;
    };
    let Ok(mut inner) = Document::open(&pkg, doc.limits.clone()) else { return };
    inner.seals = false;
    let Ok(s) = inner.scene(0) else { return };
    let t = at * Affine::scale_non_uniform(w / s.width_mm, h / s.height_mm);
    for mut item in s.items {
        match &mut item {
            Item::Path(p) => {
                p.path.apply_affine(t);
                if let Some(st) = &mut p.stroke {
                    st.width *= t.determinant().abs().sqrt();
                }
                for c in &mut p.clips {
                    let mut c2 = (**c).clone();
                    c2.path.apply_affine(t);
                    *c = Arc::new(c2);
                }
            }
            Item::Image(i) => {
                i.transform = t * i.transform;
                for c in &mut i.clips {
                    let mut c2 = (**c).clone();
                    c2.path.apply_affine(t);
                    *c = Arc::new(c2);
                }
            }
        }
        scene.items.push(item);
    }
}

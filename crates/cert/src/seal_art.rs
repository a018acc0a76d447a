//! The authority's round official seal, drawn from its name: a red ring, a five-pointed star, the
//! name around the upper arc and the seal's purpose across the bottom. Size 42 mm.

use crate::art::Op;
use erjian_ofd::writer::{Color, Document, Metadata};

pub const SIZE_MM: f64 = 42.0;
/// The seal picture's opacity in OFD (`Alpha`, of 255).
pub const SEAL_ALPHA: u8 = 200;

pub fn seal_ops(name: &str, purpose: &str, ox: f64, oy: f64, size: f64) -> Vec<Op> {
    let red = Color::RED;
    let s = size / SIZE_MM;
    let (cx, cy, r) = (ox + size / 2.0, oy + size / 2.0, size / 2.0 - 1.0 * s);
    let mut ops = vec![Op::Circle { cx, cy, r, stroke: (red, 1.2 * s) }];
    // Star.
    let (ro, ri) = (6.5 * s, 2.6 * s);
    let points = (0..10)
        .map(|i| {
            let a = (i as f64 * 36.0 - 90.0).to_radians();
            let rr = if i % 2 == 0 { ro } else { ri };
            (cx + rr * a.cos(), cy + rr * a.sin())
        })
        .collect();
    ops.push(Op::Polygon { points, fill: red });
    // Name around the upper arc, from about -130° to +130°.
    let chars: Vec<char> = name.chars().collect();
    let n = chars.len().max(1) as f64;
    let span = 250.0_f64.min(20.0 * n);
    let glyph = (4.6 * s).min(2.0 * std::f64::consts::PI * (r - 4.0 * s) * span / 360.0 / n * 0.95);
    let rt = r - 1.2 * s - glyph * 0.65;
    for (i, ch) in chars.iter().enumerate() {
        let angle = if chars.len() == 1 { 0.0 } else { -span / 2.0 + span * i as f64 / (n - 1.0) };
        let a = (angle - 90.0).to_radians();
        ops.push(Op::Glyph { cx: cx + rt * a.cos(), cy: cy + rt * a.sin(), size: glyph, ch: *ch, angle, color: red });
    }
    ops.push(Op::centred(cx, cy + 12.0 * s, 3.2 * s, purpose, true, red));
    ops
}

/// The seal picture as a one-page OFD package (SES picture type `ofd`).
pub fn seal_picture_ofd(name: &str, purpose: &str) -> Vec<u8> {
    let mut doc = Document::new(Metadata { doc_id: "seal".into(), title: name.into(), ..Default::default() });
    let font = doc.add_font("宋体", None);
    let mut page = crate::art::to_ofd_page(&mut doc, font, SIZE_MM, SIZE_MM, seal_ops(name, purpose, 0.0, 0.0, SIZE_MM));
    // Ink, not paint: the issuer's name and the date under the seal show through.
    page.alpha = Some(SEAL_ALPHA);
    doc.pages.push(page);
    doc.to_package().to_bytes()
}

//! The PDF rendition of a certificate (for people without an OFD reader): the same drawing
//! operations as the OFD face, with the seal's picture drawn in place. Text uses a CJK system font
//! (the serif fonts of [`crate::fonts`] first), which krilla subsets and embeds.

use crate::art::Op;
use erjian_ofd::writer::Color;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("no CJK font found (install fonts-arphic-gbsn00lp or fonts-wqy-microhei, or set ERJIAN_CJK_FONT)")]
    NoFont,
    #[error("PDF: {0}")]
    Render(String),
}

/// The font for a page of `text`: `ERJIAN_CJK_FONT` when set, else the first installed serif
/// (then sans-serif) font with every character ([`crate::fonts`]).
pub fn font_for(text: &str) -> Result<Font, PdfError> {
    if let Ok(path) = std::env::var("ERJIAN_CJK_FONT") {
        let data = std::fs::read(&path).map_err(|_| PdfError::NoFont)?;
        return Font::new(data.into(), 0).ok_or(PdfError::NoFont);
    }
    let f = crate::fonts::for_text(text).ok_or(PdfError::NoFont)?;
    Font::new(krilla::Data::from(f.data.clone()), f.index).ok_or(PdfError::NoFont)
}

const MM: f32 = 72.0 / 25.4;

fn paint(c: Color) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

fn fill(c: Color) -> Option<Fill> {
    Some(Fill { paint: paint(c).into(), opacity: NormalizedF32::ONE, rule: Default::default() })
}

fn stroke(c: Color, w: f64) -> Option<Stroke> {
    Some(Stroke { paint: paint(c).into(), width: w as f32, ..Default::default() })
}

fn draw(s: &mut Surface<'_>, font: &Font, op: &Op) {
    match op {
        Op::Text { x, y, size, text, color, .. } => {
            s.set_fill(fill(*color));
            s.set_stroke(None);
            s.draw_text(Point::from_xy(*x as f32, *y as f32), font.clone(), *size as f32, text, false, TextDirection::Auto);
        }
        Op::Glyph { cx, cy, size, ch, angle, color } => {
            s.push_transform(&Transform::from_rotate_at(*angle as f32, *cx as f32, *cy as f32));
            s.set_fill(fill(*color));
            s.set_stroke(None);
            let w = erjian_ofd::writer::advance(*ch, *size);
            s.draw_text(
                Point::from_xy((cx - w / 2.0) as f32, (cy + size * 0.4) as f32),
                font.clone(),
                *size as f32,
                &ch.to_string(),
                false,
                TextDirection::Auto,
            );
            s.pop();
        }
        Op::Rect { x, y, w, h, fill: f, stroke: st } => {
            let mut pb = PathBuilder::new();
            if let Some(r) = Rect::from_xywh(*x as f32, *y as f32, *w as f32, *h as f32) {
                pb.push_rect(r);
            }
            if let Some(p) = pb.finish() {
                s.set_fill(f.and_then(fill));
                s.set_stroke(st.and_then(|(c, w)| stroke(c, w)));
                s.draw_path(&p);
            }
        }
        Op::Circle { cx, cy, r, stroke: (c, w) } => {
            let (cx, cy, r) = (*cx as f32, *cy as f32, *r as f32);
            let k = 0.552_284_7 * r;
            let mut pb = PathBuilder::new();
            pb.move_to(cx + r, cy);
            pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
            pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
            pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
            pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
            pb.close();
            if let Some(p) = pb.finish() {
                s.set_fill(None);
                s.set_stroke(stroke(*c, *w));
                s.draw_path(&p);
            }
        }
        Op::Polygon { points, fill: f } => {
            let mut pb = PathBuilder::new();
            for (i, (x, y)) in points.iter().enumerate() {
                if i == 0 {
                    pb.move_to(*x as f32, *y as f32);
                } else {
                    pb.line_to(*x as f32, *y as f32);
                }
            }
            pb.close();
            if let Some(p) = pb.finish() {
                s.set_fill(fill(*f));
                s.set_stroke(None);
                s.draw_path(&p);
            }
        }
        Op::Curve { start, segments, stroke: (c, w) } => {
            let mut pb = PathBuilder::new();
            pb.move_to(start.0 as f32, start.1 as f32);
            for v in segments {
                pb.cubic_to(v[0] as f32, v[1] as f32, v[2] as f32, v[3] as f32, v[4] as f32, v[5] as f32);
            }
            if let Some(p) = pb.finish() {
                s.set_fill(None);
                s.set_stroke(stroke(*c, *w));
                s.draw_path(&p);
            }
        }
        Op::Image { x, y, w, h, bytes } => {
            let img = if bytes.starts_with(&[0xFF, 0xD8]) {
                Image::from_jpeg(bytes.clone().into(), true)
            } else {
                Image::from_png(bytes.clone().into(), true)
            };
            if let (Ok(img), Some(size)) = (img, Size::from_wh(*w as f32, *h as f32)) {
                s.push_transform(&Transform::from_translate(*x as f32, *y as f32));
                s.draw_image(img, size);
                s.pop();
            }
        }
        Op::Qr { x, y, size, modules } => {
            let m = (*size / modules.len().max(1) as f64) as f32;
            let mut pb = PathBuilder::new();
            for (c0, r, w, h) in crate::art::dark_rects(modules) {
                if let Some(rect) = Rect::from_xywh(*x as f32 + c0 as f32 * m, *y as f32 + r as f32 * m, w as f32 * m, h as f32 * m) {
                    pb.push_rect(rect);
                }
            }
            if let Some(p) = pb.finish() {
                s.set_fill(fill(Color::BLACK));
                s.set_stroke(None);
                s.draw_path(&p);
            }
        }
    }
}

/// Renders one page of `width` × `height` millimetres.
pub fn render(width: f64, height: f64, ops: &[Op], font: &Font) -> Result<Vec<u8>, PdfError> {
    render_sealed(width, height, ops, &[], font)
}

/// How strongly a seal's ink covers what is under it.
pub const SEAL_OPACITY: f32 = 0.85;

/// Renders a page and then its seals as ink: multiplied over the page (red over black stays
/// black) at [`SEAL_OPACITY`], so the issuer's name and the date under the seal stay legible.
pub fn render_sealed(width: f64, height: f64, ops: &[Op], seals: &[Op], font: &Font) -> Result<Vec<u8>, PdfError> {
    let mut doc = Document::new();
    {
        let settings = PageSettings::from_wh(width as f32 * MM, height as f32 * MM).ok_or_else(|| PdfError::Render("page size".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        s.push_transform(&Transform::from_scale(MM, MM));
        for op in ops {
            draw(&mut s, font, op);
        }
        if !seals.is_empty() {
            s.push_blend_mode(krilla::blend::BlendMode::Multiply);
            s.push_opacity(NormalizedF32::new(SEAL_OPACITY).unwrap_or(NormalizedF32::ONE));
            for op in seals {
                draw(&mut s, font, op);
            }
            s.pop();
            s.pop();
        }
        s.pop();
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| PdfError::Render(format!("{e:?}")))
}

/// The PDF rendition of a certificate issued by `authority` (no private key needed: the PDF is a
/// view; the sealed original is the OFD).
pub fn certificate_pdf(authority: &str, data: &crate::face::CertificateData) -> Result<Vec<u8>, PdfError> {
    use crate::face::{all_ops, HEIGHT, SEAL_BOX, WIDTH};
    let ops = all_ops(data);
    let seal = crate::seal_art::seal_ops(authority, "注册专用章", SEAL_BOX[0], SEAL_BOX[1], SEAL_BOX[2]);
    let font = font_for(&(crate::art::chars_of(&ops) + &crate::art::chars_of(&seal)))?;
    render_sealed(WIDTH, HEIGHT, &ops, &seal, &font)
}

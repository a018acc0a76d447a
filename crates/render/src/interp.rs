//! Reads a page's objects into a [`Scene`]: layers and page blocks in document order, paths,
//! text, images and composite objects (GB/T 33190 §8–§13), each through its boundary and CTM,
//! under its clipping areas and drawing parameters, with the `Alpha` it inherits.

use crate::path;
use crate::resources::{numbers, Draw, FontRes, Resources};
use crate::scene::{Clip, Clips, FillRule, ImageItem, Item, PathItem, Scene, StrokeStyle};
use crate::text::{self, Chooser, Style};
use crate::Limits;
use erjian_ofd::xml::El;
use erjian_ofd::Package;
use kurbo::{Affine, BezPath, Point};
use std::collections::HashMap;
use std::sync::Arc;

/// How deep composite objects and page blocks may nest (a loop must not hang the renderer).
const MAX_NESTING: usize = 8;

/// Decoded images of one document, by file.
pub type ImageCache = HashMap<String, Option<Arc<image::RgbaImage>>>;

pub struct Interp<'a> {
    pub pkg: &'a Package,
    pub res: &'a Resources,
    pub limits: &'a Limits,
    pub images: &'a mut ImageCache,
    pub scene: &'a mut Scene,
    pub objects: usize,
    pub glyphs: usize,
}

/// What an object inherits from the objects around it.
#[derive(Clone)]
pub struct State {
    pub to_page: Affine,
    pub clips: Clips,
    pub draw: Draw,
    pub alpha: u8,
    pub depth: usize,
}

impl State {
    pub fn page(to_page: Affine) -> State {
        State { to_page, clips: Vec::new(), draw: Draw::default(), alpha: 255, depth: 0 }
    }
}

fn flag(el: &El, name: &str, default: bool) -> bool {
    match el.attr(name) {
        Some(v) => v.eq_ignore_ascii_case("true") || v == "1",
        None => default,
    }
}

fn affine(v: &[f64]) -> Option<Affine> {
    match v {
        [a, b, c, d, e, f] => Some(Affine::new([*a, *b, *c, *d, *e, *f])),
        _ => None,
    }
}

fn mul_alpha(a: u8, b: u8) -> u8 {
    ((a as u16 * b as u16 + 127) / 255) as u8
}

impl Interp<'_> {
    /// Draws the children of a content element (`Content`, `Layer`, `PageBlock`, a unit's
    /// `Content`, an annotation's `Appearance`).
    pub fn content(&mut self, el: &El, st: &State) {
        for child in &el.children {
            if self.objects >= self.limits.objects {
                self.scene.note(format!("对象超过 {} 个，其余未绘制", self.limits.objects));
                return;
            }
            match child.name.as_str() {
                "Layer" | "PageBlock" => {
                    if st.depth >= MAX_NESTING {
                        continue;
                    }
                    let mut inner = st.clone();
                    inner.depth += 1;
                    inner.draw = st.draw.param(self.res, child.attr("DrawParam"));
                    self.content(child, &inner);
                }
                "PathObject" | "TextObject" | "ImageObject" | "CompositeObject" => {
                    self.objects += 1;
                    self.object(child, st);
                }
                _ => {}
            }
        }
    }

    fn object(&mut self, el: &El, st: &State) {
        if !flag(el, "Visible", true) {
            return;
        }
        let b = numbers(el.attr("Boundary"));
        let origin = Affine::translate((b.first().copied().unwrap_or(0.0), b.get(1).copied().unwrap_or(0.0)));
        let ctm = affine(&numbers(el.attr("CTM")));
        let at_boundary = st.to_page * origin;
        let obj = at_boundary * ctm.unwrap_or(Affine::IDENTITY);
        let mut inner = st.clone();
        inner.clips = self.clips(el, at_boundary, ctm, &st.clips);
        inner.draw = st.draw.param(self.res, el.attr("DrawParam")).with(self.res, el);
        // Producers write Alpha="0" on composite objects that are meant to show (ofdrw among
        // them); a composite object's own alpha is therefore not applied.
        if el.name != "CompositeObject" {
            let a = el.attr("Alpha").and_then(|a| a.parse::<f64>().ok()).map(|a| a.clamp(0.0, 255.0) as u8).unwrap_or(255);
            inner.alpha = mul_alpha(st.alpha, a);
        }
        match el.name.as_str() {
            "PathObject" => {
                let Some(data) = el.child_text("AbbreviatedData") else { return };
                let mut p = path::parse(data);
                p.apply_affine(obj);
                self.path(p, el, &inner, obj, false);
            }
            "TextObject" => self.text(el, &inner, obj),
            "ImageObject" => {
                let ctm = ctm.unwrap_or(Affine::scale_non_uniform(b.get(2).copied().unwrap_or(0.0), b.get(3).copied().unwrap_or(0.0)));
                self.image(el.attr("ResourceID").unwrap_or(""), at_boundary * ctm, &inner);
            }
            _ => {
                if st.depth >= MAX_NESTING {
                    return;
                }
                let Some(content) = el.attr("ResourceID").and_then(|id| self.res.units.get(id)).and_then(|u| u.child("Content")) else {
                    self.scene.note("复合对象引用的资源不存在".into());
                    return;
                };
                inner.to_page = obj;
                inner.depth += 1;
                self.content(content, &inner);
            }
        }
    }

    /// An object's clipping areas added to those it inherits. Each `Clip` is one area (the union
    /// of its `Area`s); several clips intersect. The area's path is in the object's boundary
    /// space, through the area's CTM, and through the object's CTM only with `TransFlag`.
    fn clips(&mut self, el: &El, at_boundary: Affine, ctm: Option<Affine>, inherited: &Clips) -> Clips {
        let Some(cs) = el.child("Clips") else { return inherited.clone() };
        let mut out = inherited.clone();
        let base = if flag(cs, "TransFlag", false) { at_boundary * ctm.unwrap_or(Affine::IDENTITY) } else { at_boundary };
        for clip in cs.kids("Clip") {
            let mut area_path = BezPath::new();
            for area in clip.kids("Area") {
                let area_t = base * affine(&numbers(area.attr("CTM"))).unwrap_or(Affine::IDENTITY);
                if let Some(p) = area.child("Path") {
                    let pb = numbers(p.attr("Boundary"));
                    let t = area_t
                        * Affine::translate((pb.first().copied().unwrap_or(0.0), pb.get(1).copied().unwrap_or(0.0)))
                        * affine(&numbers(p.attr("CTM"))).unwrap_or(Affine::IDENTITY);
                    let mut sub = path::parse(p.child_text("AbbreviatedData").unwrap_or(""));
                    sub.apply_affine(t);
                    area_path.extend(sub);
                }
            }
            if !area_path.is_empty() {
                out.push(Arc::new(Clip { path: area_path, rule: FillRule::NonZero }));
            }
        }
        out
    }

    fn path(&mut self, p: BezPath, el: &El, st: &State, obj: Affine, text: bool) {
        let fill = flag(el, "Fill", text);
        let stroke = flag(el, "Stroke", !text);
        let rule = if el.attr("Rule").is_some_and(|r| r.eq_ignore_ascii_case("Even-Odd")) { FillRule::EvenOdd } else { FillRule::NonZero };
        let scale = obj.determinant().abs().sqrt();
        let d = &st.draw;
        let stroke = stroke.then(|| StrokeStyle {
            color: d.stroke.fade(st.alpha),
            width: (d.line_width * scale).max(0.0),
            cap: d.cap,
            join: d.join,
            miter_limit: d.miter_limit,
            dash: d.dash.iter().map(|v| v * scale).collect(),
            dash_offset: d.dash_offset * scale,
        });
        let fill = fill.then(|| (d.fill.fade(st.alpha), rule));
        if fill.is_none() && stroke.is_none() || p.is_empty() {
            return;
        }
        self.scene.items.push(Item::Path(PathItem { path: p, fill, stroke, clips: st.clips.clone() }));
    }

    fn text(&mut self, el: &El, st: &State, obj: Affine) {
        let size = el.attr("Size").and_then(|s| s.parse::<f64>().ok()).filter(|s| s.is_finite() && *s > 0.0).unwrap_or(0.0);
        if size == 0.0 {
            return;
        }
        let font: Option<Arc<FontRes>> = el.attr("Font").and_then(|id| self.res.fonts.get(id)).cloned();
        let style = Style::for_name(font.as_ref().map(|f| f.name.as_str()).unwrap_or(""));
        let mut chooser = Chooser::new(font.as_ref().and_then(|f| f.data.as_ref()), style);
        if !chooser.has_any() {
            self.scene.note("没有可用的字体，文字未绘制".into());
            return;
        }
        // CGTransform: runs of characters drawn as given glyphs of the embedded font.
        // Several characters to as many glyphs map one to one; otherwise the run's first glyph
        // stands for its first character.
        let mut glyph_map: HashMap<usize, u32> = HashMap::new();
        for t in el.kids("CGTransform").take(10_000) {
            let pos = t.attr("CodePosition").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
            let count = t.attr("CodeCount").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).min(10_000);
            let glyphs: Vec<u32> = t.child_text("Glyphs").unwrap_or("").split_whitespace().filter_map(|g| g.parse().ok()).collect();
            if glyphs.len() == count {
                glyph_map.extend(glyphs.iter().enumerate().map(|(k, g)| (pos + k, *g)));
            } else if let Some(first) = glyphs.first() {
                glyph_map.insert(pos, *first);
            }
        }
        let mut out = BezPath::new();
        let mut index = 0usize;
        let (mut x, mut y) = (0.0f64, 0.0f64);
        for code in el.kids("TextCode") {
            if let Some(v) = code.attr("X").and_then(|v| v.parse::<f64>().ok()) {
                x = v;
            }
            if let Some(v) = code.attr("Y").and_then(|v| v.parse::<f64>().ok()) {
                y = v;
            }
            let dx = deltas(code.attr("DeltaX"));
            let dy = deltas(code.attr("DeltaY"));
            for (i, ch) in code.text.chars().enumerate() {
                self.glyphs += 1;
                if self.glyphs > self.limits.glyphs {
                    self.scene.note(format!("文字超过 {} 个，其余未绘制", self.limits.glyphs));
                    break;
                }
                let mut advance = None;
                let cg = glyph_map.get(&index).and_then(|g| Some((chooser.embedded()?.clone(), *g)));
                let found = match cg {
                    Some((f, g)) => Some((f, skrifa::GlyphId::new(g))),
                    None => chooser.find(ch).map(|f| (f.font, f.glyph)),
                };
                if let Some((f, g)) = found {
                    if !ch.is_whitespace() {
                        text::outline(&f, g, size, Point::new(x, y), obj, &mut out);
                    }
                    advance = Some(text::advance_em(&f, g) * size);
                }
                x += dx.get(i).copied().unwrap_or_else(|| advance.unwrap_or(size * 0.5));
                y += dy.get(i).copied().unwrap_or(0.0);
                index += 1;
            }
        }
        self.path(out, el, st, obj, true);
    }

    fn image(&mut self, id: &str, unit_to_page: Affine, st: &State) {
        let Some((format, file)) = self.res.media.get(id).cloned() else {
            self.scene.note("图像资源不存在".into());
            return;
        };
        let limits = self.limits;
        let decoded = self
            .images
            .entry(file.clone())
            .or_insert_with(|| self.pkg.get(&file).and_then(|b| decode_image(b, limits)).map(Arc::new))
            .clone();
        let Some(img) = decoded else {
            self.scene.note(format!("图像（{format}）无法解码，未绘制"));
            return;
        };
        let (w, h) = (img.width().max(1) as f64, img.height().max(1) as f64);
        let transform = unit_to_page * Affine::scale_non_uniform(1.0 / w, 1.0 / h);
        self.scene.items.push(Item::Image(ImageItem { image: img, transform, alpha: st.alpha, clips: st.clips.clone() }));
    }
}

/// Decodes an image from its bytes (never its name or declared format), within the limits.
pub fn decode_image(bytes: &[u8], limits: &Limits) -> Option<image::RgbaImage> {
    let mut r = image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().ok()?;
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.image_side);
    l.max_image_height = Some(limits.image_side);
    l.max_alloc = Some(limits.image_bytes);
    r.limits(l);
    Some(r.decode().ok()?.to_rgba8())
}

/// `DeltaX`/`DeltaY`: numbers, with `g N v` standing for N times v.
pub fn deltas(s: Option<&str>) -> Vec<f64> {
    let mut out = Vec::new();
    let mut t = s.unwrap_or("").split_whitespace();
    while let Some(tok) = t.next() {
        if out.len() > 100_000 {
            break;
        }
        if tok == "g" {
            let n = t.next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0).min(100_000);
            let v = t.next().and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
            out.extend(std::iter::repeat_n(v, n));
        } else if let Ok(v) = tok.parse::<f64>() {
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn deltas_repeat() {
        assert_eq!(super::deltas(Some("g 3 1.5 2")), vec![1.5, 1.5, 1.5, 2.0]);
        assert_eq!(super::deltas(Some("g 999999999 1")).len(), 100_000);
        assert!(super::deltas(None).is_empty());
    }
}

//! What pages refer to by ID (GB/T 33190 §7.9): fonts, images, drawing parameters, colour spaces
//! and composite graphic units, from the document's `PublicRes` and `DocumentRes` files and a
//! page's own `PageRes`; and the drawing state (colours, line style) they describe.

use crate::scene::{Cap, Join, Rgba};
use crate::text::FontData;
use erjian_ofd::package::resolve;
use erjian_ofd::xml::{self, El};
use erjian_ofd::Package;
use std::collections::HashMap;
use std::sync::Arc;

pub struct FontRes {
    pub name: String,
    pub data: Option<FontData>,
}

#[derive(Default)]
pub struct Resources {
    pub fonts: HashMap<String, Arc<FontRes>>,
    /// Image ID → (format, file in the package).
    pub media: HashMap<String, (String, String)>,
    pub units: HashMap<String, El>,
    pub params: HashMap<String, El>,
    /// Colour space ID → its type (RGB, GRAY, CMYK).
    pub spaces: HashMap<String, String>,
}

pub fn numbers(s: Option<&str>) -> Vec<f64> {
    s.unwrap_or("").split_whitespace().filter_map(|t| t.parse::<f64>().ok()).filter(|v| v.is_finite()).collect()
}

impl Resources {
    /// Adds the resources of one resource file; a missing or unreadable file adds nothing.
    pub fn add_file(&mut self, pkg: &Package, path: &str) {
        let Some(bytes) = pkg.get(path) else { return };
        let Ok(el) = xml::parse(path, &String::from_utf8_lossy(bytes)) else { return };
        let base = el.attr("BaseLoc").and_then(|b| resolve(path, &format!("{b}/x")).ok()).unwrap_or_else(|| path.to_owned());
        let locate = |file: &str| if file.starts_with('/') { resolve(path, file).ok() } else { resolve(&base, file).ok() };
        for group in &el.children {
            for r in &group.children {
                let Some(id) = r.attr("ID") else { continue };
                match r.name.as_str() {
                    "Font" => {
                        let data = r
                            .child_text("FontFile")
                            .and_then(locate)
                            .and_then(|p| pkg.get(&p))
                            .map(|b| FontData { bytes: Arc::new(b.to_vec()), index: 0 });
                        let data = data.filter(|d| d.font().is_some());
                        let name = r.attr("FontName").or(r.attr("FamilyName")).unwrap_or("").to_owned();
                        self.fonts.insert(id.to_owned(), Arc::new(FontRes { name, data }));
                    }
                    "MultiMedia" => {
                        if let Some(p) = r.child_text("MediaFile").and_then(locate) {
                            self.media.insert(id.to_owned(), (r.attr("Format").unwrap_or("").to_owned(), p));
                        }
                    }
                    "CompositeGraphicUnit" => {
                        self.units.insert(id.to_owned(), r.clone());
                    }
                    "DrawParam" => {
                        self.params.insert(id.to_owned(), r.clone());
                    }
                    "ColorSpace" => {
                        self.spaces.insert(id.to_owned(), r.attr("Type").unwrap_or("RGB").to_uppercase());
                    }
                    _ => {}
                }
            }
        }
    }

    /// A colour element (`FillColor`, `StrokeColor`): RGB, grey or CMYK components (decimal or
    /// `#hex`), its `Alpha`; a shading is drawn as its first colour.
    pub fn color(&self, el: &El) -> Option<Rgba> {
        let comps: Vec<f64> = match el.attr("Value") {
            Some(v) => v
                .split_whitespace()
                .filter_map(|t| match t.strip_prefix('#') {
                    Some(h) => u8::from_str_radix(h, 16).ok().map(f64::from),
                    None => t.parse::<f64>().ok(),
                })
                .collect(),
            None => {
                // Axial / radial shadings: the first segment's colour.
                let seg = el.children.iter().find_map(|s| s.child("Segment"));
                return seg.and_then(|s| s.child("Color")).and_then(|c| self.color(c));
            }
        };
        let space = el.attr("ColorSpace").and_then(|id| self.spaces.get(id)).map(String::as_str).unwrap_or("");
        let c = |v: f64| v.clamp(0.0, 255.0) as u8;
        let rgb = match (space, comps.as_slice()) {
            ("CMYK", [cy, m, y, k]) | ("", [cy, m, y, k]) => {
                let f = |x: f64| c(255.0 - (x + k).min(255.0));
                [f(*cy), f(*m), f(*y)]
            }
            ("GRAY", [g, ..]) | (_, [g]) => [c(*g); 3],
            (_, [r, g, b, ..]) => [c(*r), c(*g), c(*b)],
            _ => return None,
        };
        let a = el.attr("Alpha").and_then(|a| a.parse::<f64>().ok()).map(c).unwrap_or(255);
        Some(Rgba([rgb[0], rgb[1], rgb[2], a]))
    }
}

/// The drawing state an object inherits and may override (GB/T 33190 §8.2).
#[derive(Debug, Clone, PartialEq)]
pub struct Draw {
    pub line_width: f64,
    pub cap: Cap,
    pub join: Join,
    pub miter_limit: f64,
    pub dash: Vec<f64>,
    pub dash_offset: f64,
    pub fill: Rgba,
    pub stroke: Rgba,
}

impl Default for Draw {
    fn default() -> Draw {
        Draw {
            line_width: 0.353,
            cap: Cap::Butt,
            join: Join::Miter,
            miter_limit: 4.234,
            dash: Vec::new(),
            dash_offset: 0.0,
            fill: Rgba::BLACK,
            stroke: Rgba::BLACK,
        }
    }
}

impl Draw {
    /// This state with an element's own line and colour settings applied: a `DrawParam`
    /// resource, a graphic unit, or a `DrawParam` chain through `Relative`.
    pub fn with(&self, res: &Resources, el: &El) -> Draw {
        let mut d = self.clone();
        if let Some(w) = el.attr("LineWidth").and_then(|v| v.parse::<f64>().ok()).filter(|w| w.is_finite() && *w >= 0.0) {
            d.line_width = w;
        }
        match el.attr("Cap") {
            Some("Round") => d.cap = Cap::Round,
            Some("Square") => d.cap = Cap::Square,
            Some("Butt") => d.cap = Cap::Butt,
            _ => {}
        }
        match el.attr("Join") {
            Some("Round") => d.join = Join::Round,
            Some("Bevel") => d.join = Join::Bevel,
            Some("Miter") => d.join = Join::Miter,
            _ => {}
        }
        if let Some(m) = el.attr("MiterLimit").and_then(|v| v.parse::<f64>().ok()).filter(|m| m.is_finite() && *m > 0.0) {
            d.miter_limit = m;
        }
        if let Some(p) = el.attr("DashPattern") {
            d.dash = numbers(Some(p)).into_iter().filter(|v| *v >= 0.0).take(16).collect();
        }
        if let Some(o) = el.attr("DashOffset").and_then(|v| v.parse::<f64>().ok()).filter(|o| o.is_finite()) {
            d.dash_offset = o;
        }
        if let Some(c) = el.child("FillColor").and_then(|c| res.color(c)) {
            d.fill = c;
        }
        if let Some(c) = el.child("StrokeColor").and_then(|c| res.color(c)) {
            d.stroke = c;
        }
        d
    }

    /// The state under a `DrawParam` reference (following `Relative` at most 8 deep).
    pub fn param(&self, res: &Resources, id: Option<&str>) -> Draw {
        let mut chain = Vec::new();
        let mut next = id;
        while let Some(p) = next.and_then(|id| res.params.get(id)) {
            if chain.len() >= 8 {
                break;
            }
            chain.push(p);
            next = p.attr("Relative");
        }
        chain.iter().rev().fold(self.clone(), |d, p| d.with(res, p))
    }
}

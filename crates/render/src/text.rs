//! Text as glyph outlines: the document's embedded font when it has one (by character through its
//! `cmap`, or by glyph index through a `CGTransform`), else an installed CJK font chosen by the
//! font's name (宋/仿宋 → serif, 黑 → sans-serif, 楷 → kai). Outlines become filled paths, so the
//! PNG and the PDF draw text the same way.

use kurbo::{Affine, BezPath, Point};
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, GlyphId, MetadataProvider};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Font bytes and the face index inside them (a `.ttc` holds several faces).
#[derive(Clone)]
pub struct FontData {
    pub bytes: Arc<Vec<u8>>,
    pub index: u32,
}

impl FontData {
    pub fn font(&self) -> Option<FontRef<'_>> {
        FontRef::from_index(&self.bytes, self.index).ok()
    }
}

/// Installed fonts erjian knows how to find, in order of preference per style.
const SERIF: &[(&str, u32)] = &[
    ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
];
const SANS: &[(&str, u32)] = &[
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
];
const KAI: &[(&str, u32)] = &[
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf", 0),
    ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
];

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Style {
    Serif,
    Sans,
    Kai,
}

impl Style {
    /// The style a font's name asks for.
    pub fn for_name(name: &str) -> Style {
        let n = name.to_lowercase();
        if n.contains('楷') || n.contains("kai") {
            Style::Kai
        } else if n.contains('黑') || n.contains("hei") || n.contains("sans") || n.contains("arial") || n.contains("helvetica") {
            Style::Sans
        } else {
            Style::Serif
        }
    }
}

fn load(list: &[(&str, u32)]) -> Vec<FontData> {
    let mut out = Vec::new();
    if let Ok(p) = std::env::var("ERJIAN_CJK_FONT") {
        if let Ok(b) = std::fs::read(p) {
            out.push(FontData { bytes: Arc::new(b), index: 0 });
        }
    }
    for (path, index) in list {
        if let Ok(b) = std::fs::read(path) {
            let fd = FontData { bytes: Arc::new(b), index: *index };
            if fd.font().is_some() {
                out.push(fd);
            }
        }
    }
    out
}

/// The installed fonts for a style, read once per process.
pub fn system(style: Style) -> &'static [FontData] {
    static FONTS: OnceLock<HashMap<Style, Vec<FontData>>> = OnceLock::new();
    FONTS
        .get_or_init(|| [(Style::Serif, load(SERIF)), (Style::Sans, load(SANS)), (Style::Kai, load(KAI))].into_iter().collect())
        .get(&style)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Collects outline commands into a path on the page through a transform.
struct Pen<'a> {
    path: &'a mut BezPath,
    t: Affine,
}

impl Pen<'_> {
    fn p(&self, x: f32, y: f32) -> Point {
        self.t * Point::new(x as f64, y as f64)
    }
}

impl OutlinePen for Pen<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let p = self.p(x, y);
        self.path.move_to(p);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.p(x, y);
        self.path.line_to(p);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        let (c, p) = (self.p(cx0, cy0), self.p(x, y));
        self.path.quad_to(c, p);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        let (c0, c1, p) = (self.p(cx0, cy0), self.p(cx1, cy1), self.p(x, y));
        self.path.curve_to(c0, c1, p);
    }
    fn close(&mut self) {
        self.path.close_path();
    }
}

/// A glyph found for a character: in which font, which glyph.
pub struct Found<'f> {
    pub font: FontRef<'f>,
    pub glyph: GlyphId,
}

/// Finds a character's glyph: the embedded font first, then the installed fonts of the style.
/// Remembers which installed font had a character the embedded one lacks.
pub struct Chooser<'f> {
    embedded: Option<FontRef<'f>>,
    system: Vec<FontRef<'f>>,
    remembered: HashMap<char, Option<usize>>,
}

impl<'f> Chooser<'f> {
    pub fn new(embedded: Option<&'f FontData>, style: Style) -> Chooser<'f> {
        Chooser {
            embedded: embedded.and_then(FontData::font),
            system: system(style).iter().filter_map(FontData::font).collect(),
            remembered: HashMap::new(),
        }
    }

    pub fn embedded(&self) -> Option<&FontRef<'f>> {
        self.embedded.as_ref()
    }

    pub fn find(&mut self, ch: char) -> Option<Found<'f>> {
        if let Some(f) = &self.embedded {
            if let Some(g) = f.charmap().map(ch) {
                return Some(Found { font: f.clone(), glyph: g });
            }
        }
        let system = &self.system;
        let at = *self.remembered.entry(ch).or_insert_with(|| system.iter().position(|f| f.charmap().map(ch).is_some()));
        let f = self.system.get(at?)?;
        Some(Found { font: f.clone(), glyph: f.charmap().map(ch)? })
    }

    /// Whether any font at all is available for drawing.
    pub fn has_any(&self) -> bool {
        self.embedded.is_some() || !self.system.is_empty()
    }
}

/// Units per em of a font (1000 where the font does not say).
pub fn upem(font: &FontRef<'_>) -> f64 {
    match font.head().map(|h| h.units_per_em()) {
        Ok(u) if u > 0 => u as f64,
        _ => 1000.0,
    }
}

/// The advance of a glyph in em.
pub fn advance_em(font: &FontRef<'_>, glyph: GlyphId) -> f64 {
    let adv = font.glyph_metrics(Size::unscaled(), LocationRef::default()).advance_width(glyph).unwrap_or(0.0) as f64;
    adv / upem(font)
}

/// Appends a glyph's outline, `size` millimetres tall, with its origin (baseline) at `at` in the
/// object's space, through `to_page`. Returns false when the glyph has no outline.
pub fn outline(font: &FontRef<'_>, glyph: GlyphId, size: f64, at: Point, to_page: Affine, into: &mut BezPath) -> bool {
    let Some(g) = font.outline_glyphs().get(glyph) else { return false };
    let s = size / upem(font);
    // Font units are y-up; OFD's page is y-down.
    let t = to_page * Affine::translate(at.to_vec2()) * Affine::new([s, 0.0, 0.0, -s, 0.0, 0.0]);
    let mut pen = Pen { path: into, t };
    g.draw(DrawSettings::unhinted(Size::unscaled(), LocationRef::default()), &mut pen).is_ok()
}

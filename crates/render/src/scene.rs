//! What a page draws, in page millimetres (origin top left, y down, as OFD's coordinates): a list
//! of filled or stroked paths and images, each under its clipping areas. Both back ends
//! ([`crate::raster`], [`crate::pdf`]) draw the same list, so the PNG and the PDF cannot disagree
//! about what is on the page.

use kurbo::{Affine, BezPath, PathEl};
use std::sync::Arc;

/// Straight (not premultiplied) RGBA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgba(pub [u8; 4]);

impl Rgba {
    pub const BLACK: Rgba = Rgba([0, 0, 0, 255]);

    /// The same colour with its alpha multiplied by `alpha` (0–255).
    pub fn fade(self, alpha: u8) -> Rgba {
        let [r, g, b, a] = self.0;
        Rgba([r, g, b, ((a as u16 * alpha as u16 + 127) / 255) as u8])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillRule {
    NonZero,
    EvenOdd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    Butt,
    Round,
    Square,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    Miter,
    Round,
    Bevel,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StrokeStyle {
    pub color: Rgba,
    /// Millimetres on the page (the object's transform already applied).
    pub width: f64,
    pub cap: Cap,
    pub join: Join,
    pub miter_limit: f64,
    /// Dash lengths and offset in page millimetres; empty for a solid line.
    pub dash: Vec<f64>,
    pub dash_offset: f64,
}

/// A clipping area on the page: what is drawn under it shows only inside.
#[derive(Debug, Clone)]
pub struct Clip {
    pub path: BezPath,
    pub rule: FillRule,
}

/// The clipping areas in force: a drawing shows only where all of them overlap.
pub type Clips = Vec<Arc<Clip>>;

#[derive(Debug, Clone)]
pub struct PathItem {
    pub path: BezPath,
    pub fill: Option<(Rgba, FillRule)>,
    pub stroke: Option<StrokeStyle>,
    pub clips: Clips,
}

#[derive(Debug, Clone)]
pub struct ImageItem {
    pub image: Arc<image::RgbaImage>,
    /// From the image's pixel space (0..w, 0..h) to page millimetres.
    pub transform: Affine,
    /// 0–255 over the image's own alpha.
    pub alpha: u8,
    pub clips: Clips,
}

#[derive(Debug, Clone)]
pub enum Item {
    Path(PathItem),
    Image(ImageItem),
}

/// One page ready to draw.
#[derive(Debug, Clone, Default)]
pub struct Scene {
    pub width_mm: f64,
    pub height_mm: f64,
    pub items: Vec<Item>,
    /// Things the page asked for that could not be drawn (a missing font or image, an object
    /// over the limits), said once each, so a viewer can tell the picture is incomplete.
    pub notes: Vec<String>,
}

impl Scene {
    pub fn note(&mut self, what: String) {
        if !self.notes.contains(&what) && self.notes.len() < 32 {
            self.notes.push(what);
        }
    }
}

/// A path builder of a back end (tiny-skia's, krilla's): both take the same f32 commands.
pub trait PathSink {
    fn move_to(&mut self, x: f32, y: f32);
    fn line_to(&mut self, x: f32, y: f32);
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32);
    fn cubic_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32);
    fn close(&mut self);
}

/// Feeds a scene path to a back end's builder.
pub fn feed(p: &BezPath, b: &mut impl PathSink) {
    for el in p.elements() {
        match *el {
            PathEl::MoveTo(a) => b.move_to(a.x as f32, a.y as f32),
            PathEl::LineTo(a) => b.line_to(a.x as f32, a.y as f32),
            PathEl::QuadTo(c, a) => b.quad_to(c.x as f32, c.y as f32, a.x as f32, a.y as f32),
            PathEl::CurveTo(c1, c2, a) => b.cubic_to(c1.x as f32, c1.y as f32, c2.x as f32, c2.y as f32, a.x as f32, a.y as f32),
            PathEl::ClosePath => b.close(),
        }
    }
}

/// Implements [`PathSink`] for a builder whose methods have these names.
#[macro_export]
#[doc(hidden)]
macro_rules! path_sink {
    ($t:ty) => {
        impl $crate::scene::PathSink for $t {
            fn move_to(&mut self, x: f32, y: f32) {
                <$t>::move_to(self, x, y)
            }
            fn line_to(&mut self, x: f32, y: f32) {
                <$t>::line_to(self, x, y)
            }
            fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
                <$t>::quad_to(self, x1, y1, x, y)
            }
            fn cubic_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
                <$t>::cubic_to(self, x1, y1, x2, y2, x, y)
            }
            fn close(&mut self) {
                <$t>::close(self)
            }
        }
    };
}

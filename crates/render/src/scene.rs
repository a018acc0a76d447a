//! What a page draws, in page millimetres (origin top left, y down, as OFD's coordinates): a list
//! of filled or stroked paths and images, each under its clipping areas. Both back ends
//! ([`crate::raster`], [`crate::pdf`]) draw the same list, so the PNG and the PDF cannot disagree
//! about what is on the page.

use kurbo::{Affine, BezPath};
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

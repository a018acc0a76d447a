//! Draws OFD documents (GB/T 33190): each page's template pages, layers, paths, text (embedded or
//! installed fonts), images, composite objects, clipping areas, page annotations (watermarks)
//! and the pictures of the electronic seals stamped on it, first into a [`Scene`], then to PNG
//! ([`raster`], tiny-skia) or PDF ([`pdf`], krilla).
//!
//! Files come from strangers (the public file check, uploaded materials): every count is bounded
//! ([`Limits`]) and nothing in a file can make the renderer loop, allocate without bound or read
//! outside the package. A picture is a picture: what a seal *proves* is the verifier's verdict
//! (`erjian_ofd::seal::verify`), never this drawing.

pub mod interp;
pub mod path;
pub mod pdf;
pub mod raster;
pub mod resources;
pub mod scene;
mod seals;
pub mod text;

use erjian_ofd::package::resolve;
use erjian_ofd::xml::{self, El};
use erjian_ofd::Package;
use interp::{ImageCache, Interp, State};
use kurbo::Affine;
use resources::{numbers, Resources};
pub use scene::Scene;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("不是可读的 OFD 文件：{0}")]
    Ofd(#[from] erjian_ofd::OfdError),
    #[error("文档没有第 {0} 页")]
    NoPage(usize),
    #[error("页面过大，无法绘制")]
    TooLarge,
    #[error("绘制失败：{0}")]
    Draw(String),
}

/// Bounds on what one document may make the renderer do.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Pages drawn (a viewer shows at most this many).
    pub pages: usize,
    /// Graphic objects on one page, composite contents included.
    pub objects: usize,
    /// Characters drawn on one page.
    pub glyphs: usize,
    /// Width or height of an embedded image, in pixels.
    pub image_side: u32,
    /// Memory one decoded image may take.
    pub image_bytes: u64,
    /// Pixels of one rendered page.
    pub page_pixels: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { pages: 50, objects: 100_000, glyphs: 200_000, image_side: 10_000, image_bytes: 128 * 1024 * 1024, page_pixels: 40_000_000 }
    }
}

struct PageRef {
    id: String,
    path: String,
}

/// An opened document: its pages, resources and templates, ready to draw page by page.
pub struct Document<'p> {
    pkg: &'p Package,
    res: Resources,
    default_box: Vec<f64>,
    templates: HashMap<String, String>,
    pages: Vec<PageRef>,
    annotations: HashMap<String, Vec<String>>,
    limits: Limits,
    /// Whether seals' pictures are drawn (not inside a seal's own picture).
    seals: bool,
}

fn parse(pkg: &Package, path: &str) -> Result<El, RenderError> {
    Ok(xml::parse(path, &pkg.text(path)?)?)
}

impl<'p> Document<'p> {
    pub fn open(pkg: &'p Package, limits: Limits) -> Result<Document<'p>, RenderError> {
        let ofd = parse(pkg, "OFD.xml")?;
        let no_root = || erjian_ofd::OfdError::Xml { file: "OFD.xml".into(), message: "no DocRoot".into() };
        let body = ofd.child("DocBody").ok_or_else(no_root)?;
        let root = resolve("OFD.xml", body.child_text("DocRoot").ok_or_else(no_root)?)?;
        let doc = parse(pkg, &root)?;
        let common = doc.child("CommonData");
        let mut res = Resources::default();
        let mut templates = HashMap::new();
        let mut default_box = vec![0.0, 0.0, 210.0, 297.0];
        if let Some(c) = common {
            for kind in ["PublicRes", "DocumentRes"] {
                for r in c.kids(kind) {
                    res.add_file(pkg, &resolve(&root, r.text.trim())?);
                }
            }
            for t in c.kids("TemplatePage") {
                if let (Some(id), Some(loc)) = (t.attr("ID"), t.attr("BaseLoc")) {
                    templates.insert(id.to_owned(), resolve(&root, loc)?);
                }
            }
            let b = numbers(c.child("PageArea").and_then(|a| a.child_text("PhysicalBox")));
            if b.len() == 4 {
                default_box = b;
            }
        }
        let mut pages = Vec::new();
        for p in doc.child("Pages").map(|p| p.kids("Page").collect::<Vec<_>>()).unwrap_or_default() {
            pages.push(PageRef { id: p.attr("ID").unwrap_or("").to_owned(), path: resolve(&root, p.attr("BaseLoc").unwrap_or(""))? });
        }
        let mut annotations: HashMap<String, Vec<String>> = HashMap::new();
        if let Some(loc) = doc.child_text("Annotations") {
            let list_path = resolve(&root, loc)?;
            if let Ok(list) = parse(pkg, &list_path) {
                for p in list.kids("Page") {
                    if let (Some(id), Some(file)) = (p.attr("PageID"), p.child_text("FileLoc")) {
                        if let Ok(f) = resolve(&list_path, file) {
                            annotations.entry(id.to_owned()).or_default().push(f);
                        }
                    }
                }
            }
        }
        Ok(Document { pkg, res, default_box, templates, pages, annotations, limits, seals: true })
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Page `index` (from 0) as a scene.
    pub fn scene(&self, index: usize) -> Result<Scene, RenderError> {
        let page = self.pages.get(index).ok_or(RenderError::NoPage(index + 1))?;
        let content = parse(self.pkg, &page.path)?;
        let b = numbers(content.child("Area").and_then(|a| a.child_text("PhysicalBox")));
        let b = if b.len() == 4 { b } else { self.default_box.clone() };
        let mut scene = Scene { width_mm: b[2].clamp(1.0, 5000.0), height_mm: b[3].clamp(1.0, 5000.0), ..Scene::default() };
        // The physical box may start elsewhere than 0 0: its origin is the picture's corner.
        let to_page = Affine::translate((-b[0], -b[1]));
        let mut res = Resources::default();
        for r in content.kids("PageRes") {
            if let Ok(p) = resolve(&page.path, r.text.trim()) {
                res.add_file(self.pkg, &p);
            }
        }
        let merged;
        let res = if res.fonts.is_empty() && res.media.is_empty() && res.units.is_empty() && res.params.is_empty() {
            &self.res
        } else {
            merged = self.res.merged_with(res);
            &merged
        };
        let mut images = ImageCache::new();
        let mut it = Interp { pkg: self.pkg, res, limits: &self.limits, images: &mut images, scene: &mut scene, objects: 0, glyphs: 0 };
        let st = State::page(to_page);
        let tpls: Vec<(&str, El)> = content
            .kids("Template")
            .filter_map(|t| {
                let path = self.templates.get(t.attr("TemplateID")?)?;
                Some((t.attr("ZOrder").unwrap_or("Background"), parse(self.pkg, path).ok()?))
            })
            .collect();
        for (_, t) in tpls.iter().filter(|(z, _)| *z != "Foreground") {
            if let Some(c) = t.child("Content") {
                it.content(c, &st);
            }
        }
        if let Some(c) = content.child("Content") {
            it.content(c, &st);
        }
        for (_, t) in tpls.iter().filter(|(z, _)| *z == "Foreground") {
            if let Some(c) = t.child("Content") {
                it.content(c, &st);
            }
        }
        for file in self.annotations.get(&page.id).into_iter().flatten() {
            let Ok(annots) = parse(self.pkg, file) else { continue };
            for a in annots.kids("Annot").filter(|a| a.attr("Visible") != Some("false")) {
                if let Some(app) = a.child("Appearance") {
                    let ab = numbers(app.attr("Boundary"));
                    let mut s = st.clone();
                    s.to_page = to_page * Affine::translate((ab.first().copied().unwrap_or(0.0), ab.get(1).copied().unwrap_or(0.0)));
                    it.content(app, &s);
                }
            }
        }
        if self.seals {
            seals::draw(self, &page.id, to_page, &mut scene);
        }
        Ok(scene)
    }

    /// Every page's scene, at most [`Limits::pages`].
    pub fn scenes(&self) -> Result<Vec<Scene>, RenderError> {
        (0..self.pages.len().min(self.limits.pages)).map(|i| self.scene(i)).collect()
    }
}

impl Resources {
    fn merged_with(&self, page: Resources) -> Resources {
        let mut r = Resources {
            fonts: self.fonts.clone(),
            media: self.media.clone(),
            units: self.units.clone(),
            params: self.params.clone(),
            spaces: self.spaces.clone(),
        };
        r.fonts.extend(page.fonts);
        r.media.extend(page.media);
        r.units.extend(page.units);
        r.params.extend(page.params);
        r.spaces.extend(page.spaces);
        r
    }
}

/// Opens OFD bytes from a stranger (upload limits) and draws page `index` to PNG at `dpi`.
pub fn page_png(bytes: &[u8], index: usize, dpi: f32) -> Result<Vec<u8>, RenderError> {
    let pkg = Package::from_bytes_within(bytes, &erjian_ofd::package::Limits::UPLOAD)?;
    let doc = Document::open(&pkg, Limits::default())?;
    raster::png(&doc.scene(index)?, dpi, &doc.limits)
}

/// The number of pages of OFD bytes from a stranger.
pub fn page_count(bytes: &[u8]) -> Result<usize, RenderError> {
    let pkg = Package::from_bytes_within(bytes, &erjian_ofd::package::Limits::UPLOAD)?;
    Ok(Document::open(&pkg, Limits::default())?.page_count())
}

/// A resolution within what a viewer or the command line may ask for.
pub fn clamp_dpi(dpi: f32) -> f32 {
    if dpi.is_finite() {
        dpi.clamp(24.0, 600.0)
    } else {
        96.0
    }
}

//! Reading OFD documents: metadata, pages (including template pages) with their text objects
//! and positions, images and their resources, and the signature list.

use crate::package::{resolve, Package};
use crate::xml::{self, El};
use crate::OfdError;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Metadata {
    pub doc_id: String,
    pub title: String,
    pub author: String,
    pub creation_date: String,
    pub custom: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextItem {
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageItem {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub resource: String,
    pub format: String,
    pub file: Option<String>,
    pub bytes: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PageInfo {
    pub id: String,
    pub width: f64,
    pub height: f64,
    pub texts: Vec<TextItem>,
    pub images: Vec<ImageItem>,
    pub paths: usize,
}

impl PageInfo {
    /// The page's text objects joined in document order.
    pub fn text(&self) -> String {
        self.texts.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join("\n")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatureEntry {
    pub id: String,
    pub kind: String,
    pub location: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DocumentInfo {
    pub metadata: Metadata,
    pub pages: Vec<PageInfo>,
    pub signatures: Vec<SignatureEntry>,
    /// The signature list `OFD.xml` names when the package does not contain it (signatures
    /// removed, or a damaged file): the document claims to be signed and cannot show it.
    pub missing_signature_list: Option<String>,
}

fn nums(s: Option<&str>) -> Vec<f64> {
    s.unwrap_or("").split_whitespace().filter_map(|t| t.parse().ok()).collect()
}

fn parse_file(pkg: &Package, path: &str) -> Result<El, OfdError> {
    xml::parse(path, &pkg.text(path)?)
}

/// What a page's objects refer to: media files and composite graphic units (复合对象's
/// definitions, GB/T 33190 §13), from the document's resource files.
#[derive(Default)]
struct Resources {
    media: HashMap<String, (String, String)>,
    units: HashMap<String, El>,
}

/// How deep composite objects may nest (a unit may use another; a loop must not hang the reader).
const MAX_NESTING: usize = 8;

/// Media resources (ID → (format, file path)) and composite graphic units from a resource file.
fn resources(pkg: &Package, res_path: &str, res: &mut Resources) -> Result<(), OfdError> {
    let Some(bytes) = pkg.get(res_path) else { return Ok(()) };
    let el = xml::parse(res_path, &String::from_utf8_lossy(bytes))?;
    let mut units = Vec::new();
    el.all("CompositeGraphicUnit", &mut units);
    for u in units {
        if let Some(id) = u.attr("ID") {
            res.units.insert(id.to_owned(), u.clone());
        }
    }
    let out = &mut res.media;
    let base = el.attr("BaseLoc").map(|b| resolve(res_path, &format!("{b}/x"))).transpose()?.unwrap_or_else(|| res_path.to_owned());
    let mut media = Vec::new();
    el.all("MultiMedia", &mut media);
    for m in media {
        if let (Some(id), Some(file)) = (m.attr("ID"), m.child_text("MediaFile")) {
            let path = if file.starts_with('/') { resolve(res_path, file)? } else { resolve(&base, file)? };
            out.insert(id.to_owned(), (m.attr("Format").unwrap_or("").to_owned(), path));
        }
    }
    Ok(())
}

/// A point through an object's CTM (`a b c d e f`), then placed at its boundary's origin.
fn place(ctm: &[f64], origin: (f64, f64), x: f64, y: f64) -> (f64, f64) {
    match ctm {
        [a, b, c, d, e, f] => (origin.0 + a * x + c * y + e, origin.1 + b * x + d * y + f),
        _ => (origin.0 + x, origin.1 + y),
    }
}

fn collect(pkg: &Package, content: &El, res: &Resources, page: &mut PageInfo, depth: usize) {
    let media = &res.media;
    // Composite objects draw a unit from the resources: its text, images and paths are the
    // page's too, placed through the object's CTM at its boundary.
    let mut composites = Vec::new();
    content.all("CompositeObject", &mut composites);
    for c in composites {
        let Some(unit) = c.attr("ResourceID").and_then(|id| res.units.get(id)) else { continue };
        let Some(inner) = unit.child("Content") else { continue };
        if depth >= MAX_NESTING {
            continue;
        }
        let b = nums(c.attr("Boundary"));
        let origin = (b.first().copied().unwrap_or(0.0), b.get(1).copied().unwrap_or(0.0));
        let ctm = nums(c.attr("CTM"));
        let (t0, i0) = (page.texts.len(), page.images.len());
        collect(pkg, inner, res, page, depth + 1);
        for t in &mut page.texts[t0..] {
            (t.x, t.y) = place(&ctm, origin, t.x, t.y);
            if let [a, b, ..] = ctm.as_slice() {
                t.size *= a.hypot(*b);
            }
        }
        for i in &mut page.images[i0..] {
            (i.x, i.y) = place(&ctm, origin, i.x, i.y);
        }
    }
    let mut texts = Vec::new();
    content.all("TextObject", &mut texts);
    for t in texts {
        let b = nums(t.attr("Boundary"));
        let (bx, by) = (b.first().copied().unwrap_or(0.0), b.get(1).copied().unwrap_or(0.0));
        let size = t.attr("Size").and_then(|s| s.parse().ok()).unwrap_or(0.0);
        let codes: Vec<&El> = t.kids("TextCode").collect();
        let text: String = codes.iter().map(|c| c.text.as_str()).collect();
        let first = codes.first();
        let x = first.and_then(|c| c.attr("X")).and_then(|v| v.parse().ok()).unwrap_or(0.0);
        let y = first.and_then(|c| c.attr("Y")).and_then(|v| v.parse().ok()).unwrap_or(0.0);
        // The object's own CTM scales its glyph coordinates (and the size) into its boundary.
        let ctm = nums(t.attr("CTM"));
        let (x, y) = place(&ctm, (bx, by), x, y);
        let size = if let [a, b, ..] = ctm.as_slice() { size * a.hypot(*b) } else { size };
        page.texts.push(TextItem { x, y, size, text });
    }
    let mut images = Vec::new();
    content.all("ImageObject", &mut images);
    for i in images {
        let b = nums(i.attr("Boundary"));
        let res = i.attr("ResourceID").unwrap_or("").to_owned();
        let (format, file) = media.get(&res).cloned().map(|(f, p)| (f, Some(p))).unwrap_or_default();
        let bytes = file.as_deref().and_then(|f| pkg.get(f)).map(<[u8]>::len).unwrap_or(0);
        page.images.push(ImageItem {
            x: b.first().copied().unwrap_or(0.0),
            y: b.get(1).copied().unwrap_or(0.0),
            w: b.get(2).copied().unwrap_or(0.0),
            h: b.get(3).copied().unwrap_or(0.0),
            resource: res,
            format,
            file,
            bytes,
        });
    }
    let mut paths = Vec::new();
    content.all("PathObject", &mut paths);
    page.paths += paths.len();
}

pub fn read(pkg: &Package) -> Result<DocumentInfo, OfdError> {
    let ofd = parse_file(pkg, "OFD.xml")?;
    let body = ofd.child("DocBody").ok_or_else(|| OfdError::Xml { file: "OFD.xml".into(), message: "no DocBody".into() })?;
    let mut info = DocumentInfo::default();
    if let Some(di) = body.child("DocInfo") {
        info.metadata = Metadata {
            doc_id: di.child_text("DocID").unwrap_or("").to_owned(),
            title: di.child_text("Title").unwrap_or("").to_owned(),
            author: di.child_text("Author").unwrap_or("").to_owned(),
            creation_date: di.child_text("CreationDate").unwrap_or("").to_owned(),
            custom: di
                .child("CustomDatas")
                .map(|c| c.kids("CustomData").map(|d| (d.attr("Name").unwrap_or("").to_owned(), d.text.clone())).collect())
                .unwrap_or_default(),
        };
    }
    let root = resolve(
        "OFD.xml",
        body.child_text("DocRoot").ok_or_else(|| OfdError::Xml { file: "OFD.xml".into(), message: "no DocRoot".into() })?,
    )?;
    let doc = parse_file(pkg, &root)?;
    let common = doc.child("CommonData");
    let default_box = nums(common.and_then(|c| c.child("PageArea")).and_then(|a| a.child_text("PhysicalBox")));
    let mut res = Resources::default();
    if let Some(c) = common {
        for kind in ["PublicRes", "DocumentRes"] {
            for r in c.kids(kind) {
                resources(pkg, &resolve(&root, r.text.trim())?, &mut res)?;
            }
        }
    }
    let templates: HashMap<String, String> = common
        .map(|c| {
            c.kids("TemplatePage").filter_map(|t| Some((t.attr("ID")?.to_owned(), resolve(&root, t.attr("BaseLoc")?).ok()?))).collect()
        })
        .unwrap_or_default();
    for p in doc.child("Pages").map(|p| p.kids("Page").collect::<Vec<_>>()).unwrap_or_default() {
        let path = resolve(&root, p.attr("BaseLoc").unwrap_or(""))?;
        let content = parse_file(pkg, &path)?;
        let bx = nums(content.child("Area").and_then(|a| a.child_text("PhysicalBox")));
        let bx = if bx.len() == 4 { bx } else { default_box.clone() };
        let mut page = PageInfo {
            id: p.attr("ID").unwrap_or("").to_owned(),
            width: bx.get(2).copied().unwrap_or(210.0),
            height: bx.get(3).copied().unwrap_or(297.0),
            ..Default::default()
        };
        for t in content.kids("Template") {
            if let Some(tpath) = t.attr("TemplateID").and_then(|id| templates.get(id)) {
                collect(pkg, &parse_file(pkg, tpath)?, &res, &mut page, 0);
            }
        }
        collect(pkg, &content, &res, &mut page, 0);
        info.pages.push(page);
    }
    if let Some(sp) = crate::seal::signatures_path(pkg)? {
        if pkg.get(&sp).is_none() {
            info.missing_signature_list = Some(sp.clone());
        }
        if let Some(bytes) = pkg.get(&sp) {
            let el = xml::parse(&sp, &String::from_utf8_lossy(bytes))?;
            for s in el.kids("Signature") {
                info.signatures.push(SignatureEntry {
                    id: s.attr("ID").unwrap_or("").into(),
                    kind: s.attr("Type").unwrap_or("Seal").into(),
                    location: s.attr("BaseLoc").unwrap_or("").into(),
                });
            }
        }
    }
    Ok(info)
}

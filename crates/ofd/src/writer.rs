//! Writing OFD documents: pages (millimetres, origin top-left), text with fonts named by family
//! (optionally embedded), JPEG/PNG images, vector paths, and document metadata.

use crate::package::Package;
use crate::xml::{esc, esc_into};
use chrono::NaiveDate;

const NS: &str = "http://www.ofdspec.org/2016";

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub const BLACK: Color = Color(0, 0, 0);
    pub const RED: Color = Color(200, 16, 46);
    fn push(self, out: &mut String) {
        for (i, v) in [self.0, self.1, self.2].into_iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            push_uint(out, u64::from(v));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FontId(usize);

impl FontId {
    /// A document's first font.
    pub const FIRST: FontId = FontId(0);
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageId(usize);

#[derive(Debug, Clone)]
pub struct Text {
    /// Left end of the baseline, in millimetres.
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub font: FontId,
    pub text: String,
    pub color: Color,
    pub bold: bool,
    /// Rotation in degrees (clockwise) about the text's centre.
    pub rotate: f64,
}

#[derive(Debug, Clone)]
pub enum Object {
    Text(Text),
    Image {
        image: ImageId,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
    },
    /// A path in page millimetres, in OFD abbreviated syntax (`M x y L x y … C`).
    Path {
        data: String,
        fill: Option<Color>,
        stroke: Option<(Color, f64)>,
    },
    /// A filled path in integer grid units inside the square (x, y, size), `cells` units wide:
    /// a CTM scales it, so a QR code needs no fractional coordinates.
    Grid {
        x: f64,
        y: f64,
        size: f64,
        cells: usize,
        data: String,
        fill: Color,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Page {
    pub width: f64,
    pub height: f64,
    pub objects: Vec<Object>,
    /// The template page (index into [`Document::templates`]) drawn beneath this page.
    pub template: Option<usize>,
    /// Every object of the page drawn with this opacity (GB/T 33190 `Alpha`, 0–255): a seal's
    /// picture lets the text beneath it show through, as ink does.
    pub alpha: Option<u8>,
    /// A template's Content.xml as last written, with the identifiers it was written with
    /// (kept by the writer; leave it `Default`).
    pub rendered: Rendered,
}

/// A template page shared (`Arc`) by many documents is written once: its Content.xml is kept
/// with the template's own identifier and the font identifiers it was written with, and reused
/// only when a document gives it the same ones. A clone starts empty, so a changed copy of a page
/// never carries the XML of the original.
#[derive(Debug, Default)]
pub struct Rendered(std::sync::OnceLock<(usize, Vec<usize>, String, usize)>);

impl Clone for Rendered {
    fn clone(&self) -> Self {
        Rendered::default()
    }
}

impl Page {
    pub fn a4() -> Page {
        Page { width: 210.0, height: 297.0, ..Default::default() }
    }

    pub fn text(&mut self, x: f64, y: f64, size: f64, font: FontId, text: &str) -> &mut Text {
        self.objects.push(Object::Text(Text { x, y, size, font, text: text.to_owned(), color: Color::BLACK, bold: false, rotate: 0.0 }));
        match self.objects.last_mut() {
            Some(Object::Text(t)) => t,
            _ => unreachable!("just pushed"),
        }
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: Option<Color>, stroke: Option<(Color, f64)>) {
        let mut data = String::with_capacity(64);
        for (i, (px, py)) in [(x, y), (x + w, y), (x + w, y + h), (x, y + h)].into_iter().enumerate() {
            data.push_str(if i == 0 { "M " } else { " L " });
            push_num(&mut data, px);
            data.push(' ');
            push_num(&mut data, py);
        }
        data.push_str(" C");
        self.objects.push(Object::Path { data, fill, stroke });
    }
}

#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub doc_id: String,
    pub title: String,
    pub author: String,
    pub creation_date: Option<NaiveDate>,
    pub custom: Vec<(String, String)>,
}

#[derive(Clone)]
struct FontRes {
    family: String,
    file: Option<Vec<u8>>,
}

#[derive(Clone)]
struct ImageRes {
    format: &'static str,
    bytes: Vec<u8>,
}

/// A document being written.
#[derive(Default, Clone)]
pub struct Document {
    pub meta: Metadata,
    pub pages: Vec<Page>,
    /// Template pages (GB/T 33190 §7.5): what many pages or documents share. Their objects get
    /// identifiers right after the fonts, so a template's file is the same bytes in every
    /// document with the same fonts, and a signer can keep its digest.
    pub templates: Vec<std::sync::Arc<Page>>,
    fonts: Vec<FontRes>,
    images: Vec<ImageRes>,
}

/// Advance of one character: CJK full width, ASCII half width.
pub fn advance(c: char, size: f64) -> f64 {
    if c.is_ascii() {
        size * 0.5
    } else {
        size
    }
}

pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(|c| advance(c, size)).sum()
}

/// A number in millimetres with up to three decimals, trailing zeros dropped. Integer
/// arithmetic: float formatting dominated issuance time.
pub fn n(v: f64) -> String {
    let mut s = String::with_capacity(10);
    push_num(&mut s, v);
    s
}

/// Appends [`n`]'s text to `out` without allocating or going through `fmt`.
pub fn push_num(out: &mut String, v: f64) {
    let milli = (v * 1000.0).round() as i64;
    if milli < 0 {
        out.push('-');
    }
    let m = milli.unsigned_abs();
    push_uint(out, m / 1000);
    let mut frac = m % 1000;
    if frac != 0 {
        out.push('.');
        let mut digits = 3;
        while frac.is_multiple_of(10) {
            frac /= 10;
            digits -= 1;
        }
        let mut div = 10u64.pow(digits as u32 - 1);
        for _ in 0..digits {
            out.push(char::from(b'0' + (frac / div % 10) as u8));
            div /= 10;
        }
    }
}

/// Appends an unsigned integer's decimal digits.
pub fn push_uint(out: &mut String, mut v: u64) {
    if v < 10 {
        out.push(char::from(b'0' + v as u8));
        return;
    }
    if v < 100 {
        out.push(char::from(b'0' + (v / 10) as u8));
        out.push(char::from(b'0' + (v % 10) as u8));
        return;
    }
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
}

impl Document {
    pub fn new(meta: Metadata) -> Document {
        Document { meta, ..Default::default() }
    }

    /// A font named by family (e.g. `宋体`), with the font file embedded when given.
    pub fn add_font(&mut self, family: &str, file: Option<Vec<u8>>) -> FontId {
        self.fonts.push(FontRes { family: family.to_owned(), file });
        FontId(self.fonts.len() - 1)
    }

    /// A JPEG or PNG image (detected from its bytes).
    pub fn add_image(&mut self, bytes: Vec<u8>) -> ImageId {
        let format = if bytes.starts_with(&[0xFF, 0xD8]) { "JPEG" } else { "PNG" };
        self.images.push(ImageRes { format, bytes });
        ImageId(self.images.len() - 1)
    }

    /// The package, leaving the document as it is.
    pub fn to_package(&self) -> Package {
        self.clone().into_package()
    }

    /// The package, moving the images and fonts into it instead of copying them.
    pub fn into_package(mut self) -> Package {
        let mut pkg = Package::new();
        let mut next_id = 1usize;
        let mut id = || {
            next_id += 1;
            next_id - 1
        };
        let font_ids: Vec<usize> = self.fonts.iter().map(|_| id()).collect();
        let mut template_pages = String::new();
        let mut template_ids = Vec::with_capacity(self.templates.len());
        for (ti, tpl) in self.templates.iter().enumerate() {
            let tid = id();
            template_ids.push(tid);
            let content = match tpl.rendered.0.get() {
                Some((t, f, xml, used)) if *t == tid && *f == font_ids => {
                    for _ in 0..*used {
                        id();
                    }
                    xml.clone()
                }
                _ => {
                    let mut used = 0;
                    let xml = self.page_xml(
                        tpl,
                        &mut || {
                            used += 1;
                            id()
                        },
                        &font_ids,
                        &[],
                        None,
                    );
                    let _ = tpl.rendered.0.set((tid, font_ids.clone(), xml.clone(), used));
                    xml
                }
            };
            pkg.put(&format!("Doc_0/Tpls/Tpl_{ti}/Content.xml"), content.into_bytes());
            template_pages.push_str(&format!("<ofd:TemplatePage ID=\"{tid}\" BaseLoc=\"Tpls/Tpl_{ti}/Content.xml\"/>"));
        }
        let image_ids: Vec<usize> = self.images.iter().map(|_| id()).collect();
        let page_ids: Vec<usize> = self.pages.iter().map(|_| id()).collect();
        let mut fonts = String::new();
        for (i, f) in self.fonts.iter_mut().enumerate() {
            let file = match f.file.take() {
                Some(bytes) => {
                    pkg.put(&format!("Doc_0/Res/font_{i}.ttf"), bytes);
                    format!("<ofd:FontFile>font_{i}.ttf</ofd:FontFile>")
                }
                None => String::new(),
            };
            fonts.push_str(&format!(
                "<ofd:Font ID=\"{}\" FontName=\"{}\" FamilyName=\"{}\">{file}</ofd:Font>",
                font_ids[i],
                esc(&f.family),
                esc(&f.family)
            ));
        }
        pkg.put("Doc_0/PublicRes.xml", format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Res xmlns:ofd=\"{NS}\" BaseLoc=\"Res\"><ofd:Fonts>{fonts}</ofd:Fonts></ofd:Res>").into_bytes());
        let mut media = String::new();
        for (i, im) in self.images.iter_mut().enumerate() {
            let ext = if im.format == "JPEG" { "jpg" } else { "png" };
            pkg.put(&format!("Doc_0/Res/image_{i}.{ext}"), std::mem::take(&mut im.bytes));
            media.push_str(&format!(
                "<ofd:MultiMedia ID=\"{}\" Type=\"Image\" Format=\"{}\"><ofd:MediaFile>image_{i}.{ext}</ofd:MediaFile></ofd:MultiMedia>",
                image_ids[i], im.format
            ));
        }
        pkg.put(
            "Doc_0/DocumentRes.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Res xmlns:ofd=\"{NS}\" BaseLoc=\"Res\"><ofd:MultiMedias>{media}</ofd:MultiMedias></ofd:Res>").into_bytes(),
        );
        let mut pages = String::new();
        for (pi, page) in self.pages.iter().enumerate() {
            let template = page.template.and_then(|t| template_ids.get(t).copied());
            let content = self.page_xml(page, &mut id, &font_ids, &image_ids, template);
            pkg.put(&format!("Doc_0/Pages/Page_{pi}/Content.xml"), content.into_bytes());
            pages.push_str(&format!("<ofd:Page ID=\"{}\" BaseLoc=\"Pages/Page_{pi}/Content.xml\"/>", page_ids[pi]));
        }
        let (w, h) = self.pages.first().map(|p| (p.width, p.height)).unwrap_or((210.0, 297.0));
        let max_id = id();
        pkg.put(
            "Doc_0/Document.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Document xmlns:ofd=\"{NS}\"><ofd:CommonData><ofd:MaxUnitID>{max_id}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {} {}</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>{template_pages}</ofd:CommonData><ofd:Pages>{pages}</ofd:Pages></ofd:Document>",
                n(w),
                n(h)
            )
            .into_bytes(),
        );
        let m = &self.meta;
        let custom: String =
            m.custom.iter().map(|(k, v)| format!("<ofd:CustomData Name=\"{}\">{}</ofd:CustomData>", esc(k), esc(v))).collect();
        let date = m.creation_date.map(|d| format!("<ofd:CreationDate>{d}</ofd:CreationDate>")).unwrap_or_default();
        pkg.put(
            "OFD.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:OFD xmlns:ofd=\"{NS}\" Version=\"1.1\" DocType=\"OFD\"><ofd:DocBody><ofd:DocInfo><ofd:DocID>{}</ofd:DocID><ofd:Title>{}</ofd:Title><ofd:Author>{}</ofd:Author>{date}<ofd:Creator>erjian</ofd:Creator><ofd:CreatorVersion>{}</ofd:CreatorVersion><ofd:CustomDatas>{custom}</ofd:CustomDatas></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
                esc(&m.doc_id),
                esc(&m.title),
                esc(&m.author),
                env!("CARGO_PKG_VERSION")
            )
            .into_bytes(),
        );
        pkg
    }

    /// A page's (or template's) Content.xml; object identifiers come from `id`.
    fn page_xml(
        &self,
        page: &Page,
        id: &mut impl FnMut() -> usize,
        font_ids: &[usize],
        image_ids: &[usize],
        template: Option<usize>,
    ) -> String {
        let mut out = String::with_capacity(page.objects.len() * 160 + 512);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Page xmlns:ofd=\"");
        out.push_str(NS);
        out.push_str("\">");
        if let Some(t) = template {
            out.push_str("<ofd:Template TemplateID=\"");
            push_uint(&mut out, t as u64);
            out.push_str("\" ZOrder=\"Background\"/>");
        }
        out.push_str("<ofd:Area><ofd:PhysicalBox>0 0 ");
        push_num(&mut out, page.width);
        out.push(' ');
        push_num(&mut out, page.height);
        out.push_str("</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer ID=\"");
        // Objects take consecutive identifiers and the layer the one after them.
        let ids: Vec<usize> = page.objects.iter().map(|_| id()).collect();
        push_uint(&mut out, id() as u64);
        out.push_str("\" Type=\"Body\">");
        for (o, oid) in page.objects.iter().zip(ids) {
            self.object_xml(&mut out, o, oid, font_ids, image_ids, page);
        }
        out.push_str("</ofd:Layer></ofd:Content></ofd:Page>");
        out
    }

    /// Appends one object's XML to `out`, writing numbers directly (formatting dominated
    /// issuance time).
    fn object_xml(&self, out: &mut String, o: &Object, oid: usize, font_ids: &[usize], image_ids: &[usize], page: &Page) {
        let (page_size, alpha) = ((page.width, page.height), page.alpha);
        let nums = |out: &mut String, vs: &[f64]| {
            for (i, v) in vs.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                push_num(out, *v);
            }
        };
        match o {
            Object::Text(t) => {
                let w = text_width(&t.text, t.size).max(t.size * 0.5);
                open_object(out, "TextObject", alpha);
                push_uint(out, oid as u64);
                out.push_str("\" Boundary=\"");
                nums(out, &[t.x, t.y - t.size, w, t.size * 1.25]);
                out.push_str("\" Font=\"");
                push_uint(out, font_ids[t.font.0] as u64);
                out.push_str("\" Size=\"");
                push_num(out, t.size);
                out.push('"');
                if t.bold {
                    out.push_str(" Weight=\"700\"");
                }
                if t.rotate != 0.0 {
                    let r = t.rotate.to_radians();
                    let (a, b, c, d) = (r.cos(), r.sin(), -r.sin(), r.cos());
                    let (cx, cy) = (w / 2.0, t.size * 0.6);
                    out.push_str(" CTM=\"");
                    nums(out, &[a, b, c, d, cx - a * cx - c * cy, cy - b * cx - d * cy]);
                    out.push('"');
                }
                out.push_str("><ofd:FillColor Value=\"");
                t.color.push(out);
                out.push_str("\"/><ofd:TextCode X=\"0\" Y=\"");
                push_num(out, t.size);
                out.push('"');
                push_deltas(out, &t.text, t.size);
                out.push('>');
                esc_into(out, &t.text);
                out.push_str("</ofd:TextCode></ofd:TextObject>");
            }
            Object::Image { image, x, y, w, h } => {
                open_object(out, "ImageObject", alpha);
                push_uint(out, oid as u64);
                out.push_str("\" Boundary=\"");
                nums(out, &[*x, *y, *w, *h]);
                out.push_str("\" CTM=\"");
                nums(out, &[*w, 0.0, 0.0, *h, 0.0, 0.0]);
                out.push_str("\" ResourceID=\"");
                push_uint(out, image_ids[image.0] as u64);
                out.push_str("\"/>");
            }
            Object::Grid { x, y, size, cells, data, fill } => {
                let k = size / (*cells).max(1) as f64;
                open_object(out, "PathObject", alpha);
                push_uint(out, oid as u64);
                out.push_str("\" Boundary=\"");
                nums(out, &[*x, *y, *size, *size]);
                out.push_str("\" CTM=\"");
                nums(out, &[k, 0.0, 0.0, k, 0.0, 0.0]);
                out.push_str("\" Fill=\"true\" Stroke=\"false\"><ofd:FillColor Value=\"");
                fill.push(out);
                out.push_str("\"/><ofd:AbbreviatedData>");
                esc_into(out, data);
                out.push_str("</ofd:AbbreviatedData></ofd:PathObject>");
            }
            Object::Path { data, fill, stroke } => {
                // Paths are in page coordinates: their boundary is the page.
                let (w, h) = page_size;
                open_object(out, "PathObject", alpha);
                push_uint(out, oid as u64);
                out.push_str("\" Boundary=\"0 0 ");
                nums(out, &[w, h]);
                out.push_str(if fill.is_some() { "\" Fill=\"true" } else { "\" Fill=\"false" });
                out.push_str(if stroke.is_some() { "\" Stroke=\"true\"" } else { "\" Stroke=\"false\"" });
                if let Some((_, lw)) = stroke {
                    out.push_str(" LineWidth=\"");
                    push_num(out, *lw);
                    out.push('"');
                }
                out.push('>');
                if let Some((c, _)) = stroke {
                    out.push_str("<ofd:StrokeColor Value=\"");
                    c.push(out);
                    out.push_str("\"/>");
                }
                if let Some(c) = fill {
                    out.push_str("<ofd:FillColor Value=\"");
                    c.push(out);
                    out.push_str("\"/>");
                }
                out.push_str("<ofd:AbbreviatedData>");
                esc_into(out, data);
                out.push_str("</ofd:AbbreviatedData></ofd:PathObject>");
            }
        }
    }
}

/// Opens an object's element up to its `ID` attribute's value, with `Alpha` when set.
fn open_object(out: &mut String, element: &str, alpha: Option<u8>) {
    out.push_str("<ofd:");
    out.push_str(element);
    if let Some(a) = alpha {
        out.push_str(" Alpha=\"");
        push_uint(out, a as u64);
        out.push('"');
    }
    out.push_str(" ID=\"");
}

/// A text's `DeltaX`: the advance after each character but the last, runs of equal advances
/// written as `g N advance` (GB/T 33190 §11.3), as other writers do.
fn push_deltas(out: &mut String, text: &str, size: f64) {
    let advances: Vec<f64> = text.chars().map(|c| advance(c, size)).collect();
    let Some(steps) = advances.len().checked_sub(1).filter(|n| *n > 0) else { return };
    out.push_str(" DeltaX=\"");
    let mut i = 0;
    let mut first = true;
    while i < steps {
        let v = advances[i];
        let run = advances[i..steps].iter().take_while(|a| **a == v).count();
        if !first {
            out.push(' ');
        }
        first = false;
        if run >= 3 {
            out.push_str("g ");
            push_uint(out, run as u64);
            out.push(' ');
            push_num(out, v);
        } else {
            for k in 0..run {
                if k > 0 {
                    out.push(' ');
                }
                push_num(out, v);
            }
        }
        i += run;
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page with `n` fonts and the shared template beneath it; returns the package.
    fn with_template(template: &std::sync::Arc<Page>, fonts: usize, text: &str) -> Package {
        let mut doc = Document::new(Metadata { doc_id: "t".into(), ..Default::default() });
        let ids: Vec<FontId> = (0..fonts).map(|i| doc.add_font(&format!("F{i}"), None)).collect();
        let font = ids[0];
        doc.templates.push(template.clone());
        let mut page = Page::a4();
        page.text(20.0, 40.0, 5.0, font, text);
        page.template = Some(0);
        doc.pages.push(page);
        doc.into_package()
    }

    #[test]
    fn a_shared_template_is_written_once_and_only_reused_with_the_same_identifiers() {
        let mut tpl = Page::a4();
        tpl.text(20.0, 20.0, 5.0, FontId::FIRST, "注册证书");
        let tpl = std::sync::Arc::new(tpl);
        let path = "Doc_0/Tpls/Tpl_0/Content.xml";
        let a = with_template(&tpl, 1, "张三");
        assert!(tpl.rendered.0.get().is_some(), "kept after the first document");
        let b = with_template(&tpl, 1, "李四");
        assert_eq!(a.get(path), b.get(path), "the same bytes");
        // Two fonts move every identifier: the template is written anew, and each document's
        // identifiers stay unique and its text readable.
        let c = with_template(&tpl, 2, "王五");
        assert_ne!(a.get(path), c.get(path));
        for pkg in [&a, &b, &c] {
            let all: String = pkg.paths().filter(|p| p.ends_with("Content.xml")).map(|p| pkg.text(p).unwrap()).collect();
            let ids: Vec<&str> = all.split(" ID=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
            let unique: std::collections::HashSet<&&str> = ids.iter().collect();
            assert_eq!(unique.len(), ids.len(), "{ids:?}");
            assert!(crate::reader::read(pkg).unwrap().pages[0].texts.iter().any(|t| t.text == "注册证书"));
        }
        // A clone of the page (which may then be changed) does not carry the kept XML.
        assert!(Page::clone(&tpl).rendered.0.get().is_none());
    }

    #[test]
    fn numbers_are_short_and_exact() {
        for (v, s) in [
            (0.0, "0"),
            (1.5, "1.5"),
            (2.25, "2.25"),
            (-0.0004, "0"),
            (-3.1, "-3.1"),
            (210.0, "210"),
            (0.125, "0.125"),
            (24.8333, "24.833"),
        ] {
            assert_eq!(super::n(v), s);
        }
    }
}

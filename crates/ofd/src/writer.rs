//! Writing OFD documents: pages (millimetres, origin top-left), text with fonts named by family
//! (optionally embedded), JPEG/PNG images, vector paths, and document metadata.

use crate::package::Package;
use crate::xml::esc;
use chrono::NaiveDate;

const NS: &str = "http://www.ofdspec.org/2016";

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub const BLACK: Color = Color(0, 0, 0);
    pub const RED: Color = Color(200, 16, 46);
    fn attr(self) -> String {
        format!("{} {} {}", self.0, self.1, self.2)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FontId(usize);
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
}

impl Page {
    pub fn a4() -> Page {
        Page { width: 210.0, height: 297.0, objects: vec![] }
    }

    pub fn text(&mut self, x: f64, y: f64, size: f64, font: FontId, text: &str) -> &mut Text {
        self.objects.push(Object::Text(Text { x, y, size, font, text: text.to_owned(), color: Color::BLACK, bold: false, rotate: 0.0 }));
        match self.objects.last_mut() {
            Some(Object::Text(t)) => t,
            _ => unreachable!("just pushed"),
        }
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: Option<Color>, stroke: Option<(Color, f64)>) {
        self.objects.push(Object::Path {
            data: format!("M {x:.3} {y:.3} L {:.3} {y:.3} L {:.3} {:.3} L {x:.3} {:.3} C", x + w, x + w, y + h, y + h),
            fill,
            stroke,
        });
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

struct FontRes {
    family: String,
    file: Option<Vec<u8>>,
}

struct ImageRes {
    format: &'static str,
    bytes: Vec<u8>,
}

/// A document being written.
#[derive(Default)]
pub struct Document {
    pub meta: Metadata,
    pub pages: Vec<Page>,
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
pub fn push_uint(out: &mut String, v: u64) {
    if v >= 10 {
        push_uint(out, v / 10);
    }
    out.push(char::from(b'0' + (v % 10) as u8));
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

    pub fn to_package(&self) -> Package {
        let mut pkg = Package::new();
        let mut next_id = 1usize;
        let mut id = || {
            next_id += 1;
            next_id - 1
        };
        let font_ids: Vec<usize> = self.fonts.iter().map(|_| id()).collect();
        let image_ids: Vec<usize> = self.images.iter().map(|_| id()).collect();
        let page_ids: Vec<usize> = self.pages.iter().map(|_| id()).collect();
        let mut fonts = String::new();
        for (i, f) in self.fonts.iter().enumerate() {
            let file = match &f.file {
                Some(bytes) => {
                    pkg.put(&format!("Doc_0/Res/font_{i}.ttf"), bytes.clone());
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
        for (i, im) in self.images.iter().enumerate() {
            let ext = if im.format == "JPEG" { "jpg" } else { "png" };
            pkg.put(&format!("Doc_0/Res/image_{i}.{ext}"), im.bytes.clone());
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
            let mut body = String::new();
            for o in &page.objects {
                body.push_str(&self.object_xml(o, id(), &font_ids, &image_ids, (page.width, page.height)));
            }
            let layer = id();
            let content = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Page xmlns:ofd=\"{NS}\"><ofd:Area><ofd:PhysicalBox>0 0 {} {}</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer ID=\"{layer}\" Type=\"Body\">{body}</ofd:Layer></ofd:Content></ofd:Page>",
                n(page.width),
                n(page.height)
            );
            pkg.put(&format!("Doc_0/Pages/Page_{pi}/Content.xml"), content.into_bytes());
            pages.push_str(&format!("<ofd:Page ID=\"{}\" BaseLoc=\"Pages/Page_{pi}/Content.xml\"/>", page_ids[pi]));
        }
        let (w, h) = self.pages.first().map(|p| (p.width, p.height)).unwrap_or((210.0, 297.0));
        let max_id = id();
        pkg.put(
            "Doc_0/Document.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Document xmlns:ofd=\"{NS}\"><ofd:CommonData><ofd:MaxUnitID>{max_id}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {} {}</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData><ofd:Pages>{pages}</ofd:Pages></ofd:Document>",
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

    fn object_xml(&self, o: &Object, oid: usize, font_ids: &[usize], image_ids: &[usize], page_size: (f64, f64)) -> String {
        match o {
            Object::Text(t) => {
                let w = text_width(&t.text, t.size).max(t.size * 0.5);
                let (bx, by, bw, bh) = (t.x, t.y - t.size, w, t.size * 1.25);
                let deltas: Vec<String> = t.text.chars().collect::<Vec<_>>().windows(2).map(|p| n(advance(p[0], t.size))).collect();
                let delta = if deltas.is_empty() { String::new() } else { format!(" DeltaX=\"{}\"", deltas.join(" ")) };
                let ctm = if t.rotate != 0.0 {
                    let r = t.rotate.to_radians();
                    let (a, b, c, d) = (r.cos(), r.sin(), -r.sin(), r.cos());
                    let (cx, cy) = (bw / 2.0, t.size * 0.6);
                    format!(" CTM=\"{} {} {} {} {} {}\"", n(a), n(b), n(c), n(d), n(cx - a * cx - c * cy), n(cy - b * cx - d * cy))
                } else {
                    String::new()
                };
                let weight = if t.bold { " Weight=\"700\"" } else { "" };
                format!(
                    "<ofd:TextObject ID=\"{oid}\" Boundary=\"{} {} {} {}\" Font=\"{}\" Size=\"{}\"{weight}{ctm}><ofd:FillColor Value=\"{}\"/><ofd:TextCode X=\"0\" Y=\"{}\"{delta}>{}</ofd:TextCode></ofd:TextObject>",
                    n(bx),
                    n(by),
                    n(bw),
                    n(bh),
                    font_ids[t.font.0],
                    n(t.size),
                    t.color.attr(),
                    n(t.size),
                    esc(&t.text)
                )
            }
            Object::Image { image, x, y, w, h } => format!(
                "<ofd:ImageObject ID=\"{oid}\" Boundary=\"{} {} {} {}\" CTM=\"{} 0 0 {} 0 0\" ResourceID=\"{}\"/>",
                n(*x),
                n(*y),
                n(*w),
                n(*h),
                n(*w),
                n(*h),
                image_ids[image.0]
            ),
            Object::Grid { x, y, size, cells, data, fill } => {
                let k = size / (*cells).max(1) as f64;
                format!(
                    "<ofd:PathObject ID=\"{oid}\" Boundary=\"{} {} {} {}\" CTM=\"{} 0 0 {} 0 0\" Fill=\"true\" Stroke=\"false\"><ofd:FillColor Value=\"{}\"/><ofd:AbbreviatedData>{}</ofd:AbbreviatedData></ofd:PathObject>",
                    n(*x), n(*y), n(*size), n(*size), n(k), n(k), fill.attr(), esc(data)
                )
            }
            Object::Path { data, fill, stroke } => {
                // Paths are in page coordinates: their boundary is the page.
                let (w, h) = page_size;
                let mut attrs = format!(" Fill=\"{}\" Stroke=\"{}\"", fill.is_some(), stroke.is_some());
                if let Some((_, lw)) = stroke {
                    attrs.push_str(&format!(" LineWidth=\"{}\"", n(*lw)));
                }
                let fill_xml = fill.map(|c| format!("<ofd:FillColor Value=\"{}\"/>", c.attr())).unwrap_or_default();
                let stroke_xml = stroke.map(|(c, _)| format!("<ofd:StrokeColor Value=\"{}\"/>", c.attr())).unwrap_or_default();
                format!("<ofd:PathObject ID=\"{oid}\" Boundary=\"0 0 {} {}\"{attrs}>{stroke_xml}{fill_xml}<ofd:AbbreviatedData>{}</ofd:AbbreviatedData></ofd:PathObject>", n(w), n(h), esc(data))
            }
        }
    }
}

#[cfg(test)]
mod tests {
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

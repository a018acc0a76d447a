//! Drawing operations in millimetres (origin top-left), rendered to an OFD page. The certificate
//! face and the seal are described once as operations.

use erjian_ofd::writer::{text_width, Color, Document, FontId, Object, Page, Text};

#[derive(Debug, Clone)]
pub enum Op {
    /// Text with its baseline starting at (x, y).
    Text {
        x: f64,
        y: f64,
        size: f64,
        text: String,
        bold: bool,
        color: Color,
    },
    /// One character centred on (cx, cy), rotated clockwise by `angle` degrees.
    Glyph {
        cx: f64,
        cy: f64,
        size: f64,
        ch: char,
        angle: f64,
        color: Color,
    },
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: Option<Color>,
        stroke: Option<(Color, f64)>,
    },
    Circle {
        cx: f64,
        cy: f64,
        r: f64,
        stroke: (Color, f64),
    },
    Polygon {
        points: Vec<(f64, f64)>,
        fill: Color,
    },
    Image {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        bytes: Vec<u8>,
    },
    /// A QR code: dark modules, drawn as vector squares.
    Qr {
        x: f64,
        y: f64,
        size: f64,
        modules: Vec<Vec<bool>>,
    },
}

impl Op {
    pub fn centred(cx: f64, y: f64, size: f64, text: &str, bold: bool, color: Color) -> Op {
        Op::Text { x: cx - text_width(text, size) / 2.0, y, size, text: text.to_owned(), bold, color }
    }
}

fn f(v: f64) -> String {
    format!("{v:.3}")
}

/// The OFD path of a circle (four cubic Béziers).
pub fn circle_path(cx: f64, cy: f64, r: f64) -> String {
    let k = 0.552_284_75 * r;
    format!(
        "M {} {} B {} {} {} {} {} {} B {} {} {} {} {} {} B {} {} {} {} {} {} B {} {} {} {} {} {} C",
        f(cx + r),
        f(cy),
        f(cx + r),
        f(cy + k),
        f(cx + k),
        f(cy + r),
        f(cx),
        f(cy + r),
        f(cx - k),
        f(cy + r),
        f(cx - r),
        f(cy + k),
        f(cx - r),
        f(cy),
        f(cx - r),
        f(cy - k),
        f(cx - k),
        f(cy - r),
        f(cx),
        f(cy - r),
        f(cx + k),
        f(cy - r),
        f(cx + r),
        f(cy - k),
        f(cx + r),
        f(cy)
    )
}

/// Renders operations onto a new page of `doc`.
pub fn to_ofd_page(doc: &mut Document, font: FontId, width: f64, height: f64, ops: &[Op]) -> Page {
    let mut page = Page { width, height, objects: vec![] };
    for op in ops {
        match op {
            Op::Text { x, y, size, text, bold, color } => page.objects.push(Object::Text(Text {
                x: *x,
                y: *y,
                size: *size,
                font,
                text: text.clone(),
                color: *color,
                bold: *bold,
                rotate: 0.0,
            })),
            Op::Glyph { cx, cy, size, ch, angle, color } => {
                let w = erjian_ofd::writer::advance(*ch, *size);
                page.objects.push(Object::Text(Text {
                    x: cx - w / 2.0,
                    y: cy + size * 0.4,
                    size: *size,
                    font,
                    text: ch.to_string(),
                    color: *color,
                    bold: true,
                    rotate: *angle,
                }))
            }
            Op::Rect { x, y, w, h, fill, stroke } => page.rect(*x, *y, *w, *h, *fill, *stroke),
            Op::Circle { cx, cy, r, stroke } => {
                page.objects.push(Object::Path { data: circle_path(*cx, *cy, *r), fill: None, stroke: Some(*stroke) })
            }
            Op::Polygon { points, fill } => {
                let mut d = String::new();
                for (i, (x, y)) in points.iter().enumerate() {
                    d.push_str(&format!("{} {} {} ", if i == 0 { "M" } else { "L" }, f(*x), f(*y)));
                }
                d.push('C');
                page.objects.push(Object::Path { data: d, fill: Some(*fill), stroke: None });
            }
            Op::Image { x, y, w, h, bytes } => {
                let image = doc.add_image(bytes.clone());
                page.objects.push(Object::Image { image, x: *x, y: *y, w: *w, h: *h });
            }
            Op::Qr { x, y, size, modules } => {
                let n = modules.len().max(1) as f64;
                let m = size / n;
                let mut d = String::new();
                for (r, row) in modules.iter().enumerate() {
                    for (c, dark) in row.iter().enumerate() {
                        if *dark {
                            let (px, py) = (x + c as f64 * m, y + r as f64 * m);
                            d.push_str(&format!(
                                "M {} {} L {} {} L {} {} L {} {} C ",
                                f(px),
                                f(py),
                                f(px + m),
                                f(py),
                                f(px + m),
                                f(py + m),
                                f(px),
                                f(py + m)
                            ));
                        }
                    }
                }
                page.objects.push(Object::Path { data: d.trim_end().to_owned(), fill: Some(Color::BLACK), stroke: None });
            }
        }
    }
    page
}

/// The modules of a QR code for `data` (error correction M).
pub fn qr_modules(data: &str) -> Vec<Vec<bool>> {
    let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M).expect("QR payload fits");
    let w = code.width();
    let colors = code.to_colors();
    (0..w).map(|r| (0..w).map(|c| colors[r * w + c] == qrcode::Color::Dark).collect()).collect()
}

//! Drawing operations in millimetres (origin top-left), rendered to an OFD page. The certificate
//! face and the seal are described once as operations.

use erjian_ofd::writer::{push_uint, text_width, Color, Document, FontId, Object, Page, Text};

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
    erjian_ofd::writer::n(v)
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
                let mut d = String::with_capacity(modules.len() * modules.len() * 3);
                for (c0, r, w, h) in dark_rects(modules) {
                    for (k, (a, b)) in [(c0, r), (c0 + w, r), (c0 + w, r + h), (c0, r + h)].into_iter().enumerate() {
                        d.push_str(if k == 0 { "M " } else { "L " });
                        push_uint(&mut d, a as u64);
                        d.push(' ');
                        push_uint(&mut d, b as u64);
                        d.push(' ');
                    }
                    d.push_str("C ");
                }
                d.pop();
                page.objects.push(Object::Grid { x: *x, y: *y, size: *size, cells: modules.len(), data: d, fill: Color::BLACK });
            }
        }
    }
    page
}

/// The dark modules as rectangles (column, row, width, height): horizontal runs, each merged
/// with the identical run in the rows below it. Fewer rectangles make the page smaller, which
/// the seal's digest and every reader pay for.
pub fn dark_rects(modules: &[Vec<bool>]) -> Vec<(usize, usize, usize, usize)> {
    let mut rects: Vec<(usize, usize, usize, usize)> = Vec::new();
    // The previous row's runs as (first column, length, index into rects), in column order.
    let mut above: Vec<(usize, usize, usize)> = Vec::new();
    let mut here: Vec<(usize, usize, usize)> = Vec::new();
    for (r, row) in modules.iter().enumerate() {
        here.clear();
        let mut k = 0; // cursor into `above`
        let mut c = 0;
        while c < row.len() {
            if !row[c] {
                c += 1;
                continue;
            }
            let start = c;
            while c < row.len() && row[c] {
                c += 1;
            }
            let len = c - start;
            while k < above.len() && above[k].0 < start {
                k += 1;
            }
            let idx = match above.get(k) {
                Some(&(a, l, i)) if a == start && l == len => {
                    rects[i].3 += 1;
                    i
                }
                _ => {
                    rects.push((start, r, len, 1));
                    rects.len() - 1
                }
            };
            here.push((start, len, idx));
        }
        std::mem::swap(&mut above, &mut here);
    }
    rects
}

/// The modules of a QR code for `data` (error correction M, smallest version that fits). The
/// mask is fixed (pattern 0, the checkerboard): scoring all eight masks took longer than
/// everything else on the page together, and any mask decodes (the PDF test reads the code
/// back with a decoder).
pub fn qr_modules(data: &str) -> Vec<Vec<bool>> {
    use qrcodegen::{Mask, QrCode, QrCodeEcc, QrSegment, Version};
    let segments = QrSegment::make_segments(data);
    let code = QrCode::encode_segments_advanced(&segments, QrCodeEcc::Medium, Version::MIN, Version::MAX, Some(Mask::new(0)), false)
        .expect("QR payload fits");
    let w = code.size();
    (0..w).map(|r| (0..w).map(|c| code.get_module(c, r)).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_cover_exactly_the_dark_modules() {
        for payload in ["https://erjian.example/verify/1.2.156?s=abc", "x", &"长".repeat(60)] {
            let modules = qr_modules(payload);
            let n = modules.len();
            let mut painted = vec![vec![0u8; n]; n];
            let rects = dark_rects(&modules);
            for &(c, r, w, h) in &rects {
                for row in painted.iter_mut().skip(r).take(h) {
                    for cell in row.iter_mut().skip(c).take(w) {
                        *cell += 1;
                    }
                }
            }
            for r in 0..n {
                for c in 0..n {
                    assert_eq!(painted[r][c], u8::from(modules[r][c]), "module ({r}, {c}) of {payload:?}");
                }
            }
            let runs: usize = modules.iter().map(|row| row.windows(2).filter(|w| w[1] && !w[0]).count() + usize::from(row[0])).sum();
            assert!(rects.len() < runs, "merging saves rectangles: {} of {runs}", rects.len());
        }
    }
}

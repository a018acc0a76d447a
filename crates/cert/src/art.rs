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
    /// A stroked path of cubic Bézier segments from `start`, each `[c1x, c1y, c2x, c2y, x, y]`.
    Curve {
        start: (f64, f64),
        segments: Vec<[f64; 6]>,
        stroke: (Color, f64),
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

/// Every character the operations write (for font subsetting).
pub fn chars_of(ops: &[Op]) -> String {
    let mut out = String::new();
    for op in ops {
        match op {
            Op::Text { text, .. } => out.push_str(text),
            Op::Glyph { ch, .. } => out.push(*ch),
            _ => {}
        }
    }
    out
}

/// Renders operations onto a new page of `doc`.
pub fn to_ofd_page(doc: &mut Document, font: FontId, width: f64, height: f64, mut ops: Vec<Op>) -> Page {
    let mut page = Page { width, height, ..Default::default() };
    for op in &mut ops {
        match op {
            Op::Text { x, y, size, text, bold, color } => page.objects.push(Object::Text(Text {
                x: *x,
                y: *y,
                size: *size,
                font,
                text: std::mem::take(text),
                color: *color,
                bold: *bold,
                rotate: 0.0,
            })),
            Op::Glyph { cx, cy, size, ch, angle, color } => {
                let w = erjian_ofd::writer::advance(*ch, *size);
                page.objects.push(Object::Text(Text {
                    x: *cx - w / 2.0,
                    y: *cy + *size * 0.4,
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
            Op::Curve { start, segments, stroke } => {
                let mut d = String::with_capacity(16 + segments.len() * 40);
                d.push_str("M ");
                d.push_str(&f(start.0));
                d.push(' ');
                d.push_str(&f(start.1));
                for s in segments.iter() {
                    d.push_str(" B");
                    for v in s {
                        d.push(' ');
                        d.push_str(&f(*v));
                    }
                }
                page.objects.push(Object::Path { data: d, fill: None, stroke: Some(*stroke) });
            }
            Op::Image { x, y, w, h, bytes } => {
                let image = doc.add_image(std::mem::take(bytes));
                page.objects.push(Object::Image { image, x: *x, y: *y, w: *w, h: *h });
            }
            Op::Qr { x, y, size, modules } => {
                let d = outline_path(modules);
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

/// The outlines of the dark areas as one OFD path in module units (`M x y L x y … C` per
/// loop, corners only). Each area's outline runs clockwise on screen and each hole's the other
/// way, so the default non-zero fill paints exactly the dark modules; shared corners make this
/// a fifth smaller than merged rectangles.
pub fn outline_path(modules: &[Vec<bool>]) -> String {
    // NEXT[dir][unused edges] = the direction to leave a vertex arriving in `dir`: right turn
    // first, then straight on, then left (a table: this choice runs once per unit of outline).
    const NEXT: [[u8; 16]; 4] = {
        let mut t = [[0u8; 16]; 4];
        let mut dir = 0;
        while dir < 4 {
            let mut bits = 0;
            while bits < 16 {
                let order = [(dir + 1) % 4, dir, (dir + 3) % 4];
                let mut i = 0;
                while i < 3 {
                    if bits & (1 << order[i]) != 0 {
                        t[dir][bits] = order[i] as u8;
                        break;
                    }
                    i += 1;
                }
                bits += 1;
            }
            dir += 1;
        }
        t
    };
    let n = modules.len();
    // Modules with a light border, so every neighbour exists.
    let w = n + 2;
    let mut dark = vec![false; w * w];
    for (r, row) in modules.iter().enumerate() {
        dark[(r + 1) * w + 1..(r + 1) * w + 1 + n].copy_from_slice(row);
    }
    // Vertices (x, y) for 0 ≤ x, y ≤ n; bit `d` of `edges[vertex]` is an unused edge leaving it
    // in direction d: 0 right, 1 down, 2 left, 3 up.
    let v = n + 1;
    let mut edges = vec![0u8; v * v];
    for r in 0..n {
        for c in 0..n {
            let m = (r + 1) * w + c + 1;
            if !dark[m] {
                continue;
            }
            let at = r * v + c;
            if !dark[m - w] {
                edges[at] |= 1;
            }
            if !dark[m + 1] {
                edges[at + 1] |= 2;
            }
            if !dark[m + w] {
                edges[at + v + 1] |= 4;
            }
            if !dark[m - 1] {
                edges[at + v] |= 8;
            }
        }
    }
    let step = [1isize, v as isize, -1, -(v as isize)];
    // Bytes, not a String: the path is ASCII. Each point is formatted in a fixed 10-byte stack
    // buffer copied whole into a zeroed output (then the cursor moves by its real length): the
    // calls pushing a few bytes at a time were most of this function's time. Constant divisors
    // only; a QR code has at most 177 modules a side, so three digits suffice.
    let mut out = vec![0u8; n * n * 10 + 16];
    let mut pos = 0usize;
    let put = |out: &mut Vec<u8>, pos: &mut usize, buf: [u8; 10], len: usize| {
        if *pos + 10 > out.len() {
            out.resize(out.len() * 2, 0);
        }
        out[*pos..*pos + 10].copy_from_slice(&buf);
        *pos += len;
    };
    let point = |out: &mut Vec<u8>, pos: &mut usize, cmd: u8, vertex: usize| {
        let mut buf = [b' '; 10];
        buf[0] = cmd;
        let mut len = 2;
        for x in [vertex % v, vertex / v] {
            if x >= 100 {
                buf[len] = b'0' + (x / 100 % 10) as u8;
                len += 1;
            }
            if x >= 10 {
                buf[len] = b'0' + (x / 10 % 10) as u8;
                len += 1;
            }
            buf[len] = b'0' + (x % 10) as u8;
            len += 2; // the digit and a space
        }
        put(out, pos, buf, len);
    };
    for start in 0..v * v {
        while edges[start] != 0 {
            let first = edges[start].trailing_zeros() as usize;
            point(&mut out, &mut pos, b'M', start);
            let (mut at, mut dir) = (start, first);
            loop {
                edges[at] &= !(1 << dir);
                at = (at as isize + step[dir]) as usize;
                if at == start {
                    break;
                }
                // Where two areas touch at a corner, turn rather than cross.
                let next = usize::from(NEXT[dir][usize::from(edges[at])]);
                assert!(edges[at] & (1 << next) != 0, "outlines are closed");
                if next != dir {
                    point(&mut out, &mut pos, b'L', at);
                }
                dir = next;
            }
            put(&mut out, &mut pos, *b"C         ", 2);
        }
    }
    out.truncate(pos.saturating_sub(1));
    String::from_utf8(out).expect("ASCII")
}

/// The modules of a QR code for `data` (error correction M, smallest version that fits). A
/// tail of characters QR's alphanumeric mode can carry (an e-licence identifier: digits,
/// capitals and dots) is coded in that mode, 5.5 bits a character instead of 8, which often
/// makes the code one version smaller. The mask is fixed (pattern 0, the checkerboard):
/// scoring all eight masks took longer than everything else on the page together, and any mask
/// decodes (the PDF test reads the code back with a decoder).
pub fn qr_modules(data: &str) -> Vec<Vec<bool>> {
    use qrcodegen::{Mask, QrCode, QrCodeEcc, QrSegment, Version};
    let tail = data.bytes().rev().take_while(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b" $%*+-./:".contains(b)).count();
    let segments = if tail >= 16 && tail < data.len() {
        let (head, tail) = data.split_at(data.len() - tail);
        vec![QrSegment::make_bytes(head.as_bytes()), QrSegment::make_alphanumeric(tail)]
    } else {
        QrSegment::make_segments(data)
    };
    let code = QrCode::encode_segments_advanced(&segments, QrCodeEcc::Medium, Version::MIN, Version::MAX, Some(Mask::new(0)), false)
        .expect("QR payload fits");
    let w = code.size();
    (0..w).map(|r| (0..w).map(|c| code.get_module(c, r)).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Non-zero winding of the outline path around each module's centre.
    fn painted_by_outline(path: &str, n: usize) -> Vec<Vec<bool>> {
        let mut loops: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut it = path.split(' ');
        while let Some(cmd) = it.next() {
            match cmd {
                "M" => loops.push(vec![]),
                "C" => continue,
                _ => assert_eq!(cmd, "L"),
            }
            let x: f64 = it.next().unwrap().parse().unwrap();
            let y: f64 = it.next().unwrap().parse().unwrap();
            loops.last_mut().unwrap().push((x, y));
        }
        (0..n)
            .map(|r| {
                (0..n)
                    .map(|c| {
                        let (px, py) = (c as f64 + 0.5, r as f64 + 0.5);
                        let mut winding = 0i32;
                        for l in &loops {
                            for i in 0..l.len() {
                                let (a, b) = (l[i], l[(i + 1) % l.len()]);
                                if a.0 == b.0 && a.0 > px && (a.1.min(b.1)..a.1.max(b.1)).contains(&py) {
                                    winding += if b.1 > a.1 { 1 } else { -1 };
                                }
                            }
                        }
                        winding != 0
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn outlines_paint_exactly_the_dark_modules_and_are_smaller_than_rectangles() {
        let url = "https://erjian.example/verify/1.2.156.3005.2.11100000000013338W001.11340000MB034000X6.2342024202600000.001.3";
        for payload in [url, "x", &"长".repeat(60)] {
            let modules = qr_modules(payload);
            let path = outline_path(&modules);
            assert_eq!(painted_by_outline(&path, modules.len()), modules, "{payload:?}");
            let rect_chars: usize = dark_rects(&modules)
                .iter()
                .map(|(c, r, w, h)| format!("M {c} {r} L {} {r} L {} {} L {c} {} C ", c + w, c + w, r + h, r + h).len())
                .sum();
            assert!(path.len() * 10 < rect_chars * 9, "outline {} vs rectangles {rect_chars}", path.len());
        }
        // The identifier's tail in alphanumeric mode: one version smaller than all bytes (45 modules).
        assert_eq!(qr_modules(url).len(), 41);
    }

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

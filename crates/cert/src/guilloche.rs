//! The certificate's security background (防伪底纹): fine interlaced lines in a pale ink, drawn
//! as vector paths in the shared template so every certificate of a profession carries the same
//! bytes. A rosette of circles whose centres turn around the middle of the page, and two bands of
//! sine waves in opposite phase (a "rope") under the title and above the footer. A photocopy or a
//! screenshot pasted over it breaks the lines; the paths cost about 6 KB of the deflated file.

use crate::art::Op;
use erjian_ofd::writer::Color;

/// Pale enough that text, the photo and the QR code over it keep their contrast.
const INK: Color = Color(222, 206, 178);
const LINE: f64 = 0.12;

/// Coordinates at 0.1 mm: shorter numbers, the same picture.
fn r(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A circle as four cubic Béziers.
fn circle(cx: f64, cy: f64, radius: f64) -> Op {
    let k = 0.552_284_75 * radius;
    let seg = |c1: (f64, f64), c2: (f64, f64), p: (f64, f64)| [r(c1.0), r(c1.1), r(c2.0), r(c2.1), r(p.0), r(p.1)];
    Op::Curve {
        start: (r(cx + radius), r(cy)),
        segments: vec![
            seg((cx + radius, cy + k), (cx + k, cy + radius), (cx, cy + radius)),
            seg((cx - k, cy + radius), (cx - radius, cy + k), (cx - radius, cy)),
            seg((cx - radius, cy - k), (cx - k, cy - radius), (cx, cy - radius)),
            seg((cx + k, cy - radius), (cx + radius, cy - k), (cx + radius, cy)),
        ],
        stroke: (INK, LINE),
    }
}

/// A sine wave from `x0` to `x1` about `y`: quarter periods as Béziers (the standard fit, within
/// 0.1 % of the amplitude).
fn wave(x0: f64, x1: f64, y: f64, amplitude: f64, period: f64, phase_flip: bool) -> Op {
    const P1: f64 = 0.512_286_623;
    const P2: f64 = 1.002_313_686;
    let q = period / 4.0;
    let sx = q / std::f64::consts::FRAC_PI_2;
    let a = if phase_flip { -amplitude } else { amplitude };
    let mut segments = Vec::new();
    let mut x = x0;
    let mut quarter = 0usize;
    while x + q <= x1 + 1e-9 {
        // Quarter 0 rises 0→1, 1 falls 1→0, 2 falls 0→-1, 3 rises -1→0.
        let (to, ctrl) = match quarter % 4 {
            0 => (1.0, [(P1 * sx, P1), (P2 * sx, 1.0)]),
            1 => (0.0, [(q - P2 * sx, 1.0), (q - P1 * sx, P1)]),
            2 => (-1.0, [(P1 * sx, -P1), (P2 * sx, -1.0)]),
            _ => (0.0, [(q - P2 * sx, -1.0), (q - P1 * sx, -P1)]),
        };
        segments.push([r(x + ctrl[0].0), r(y - a * ctrl[0].1), r(x + ctrl[1].0), r(y - a * ctrl[1].1), r(x + q), r(y - a * to)]);
        x += q;
        quarter += 1;
    }
    Op::Curve { start: (r(x0), r(y)), segments, stroke: (INK, LINE) }
}

/// The background of a page of `width` × `height` millimetres, drawn inside a frame `margin`
/// millimetres in.
pub fn background(width: f64, height: f64, margin: f64) -> Vec<Op> {
    let mut ops = Vec::new();
    // Rosette: 48 circles of radius 34 whose centres sit on a circle of radius 16.
    let (cx, cy) = (width / 2.0, height * 0.52);
    for i in 0..48 {
        let t = i as f64 / 48.0 * std::f64::consts::TAU;
        ops.push(circle(cx + 16.0 * t.cos(), cy + 16.0 * t.sin(), 34.0));
    }
    // Two ropes of six waves each: pairs in opposite phase, a little apart.
    let (x0, x1) = (margin + 2.0, width - margin - 2.0);
    let period = (x1 - x0) / 12.0;
    for band in [62.0, height - 28.0] {
        for k in 0..3 {
            let y = band + k as f64 * 1.2;
            ops.push(wave(x0, x1, y, 1.8, period, false));
            ops.push(wave(x0, x1, y, 1.8, period, true));
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wave_passes_through_its_peaks_and_ends_where_asked() {
        let Op::Curve { start, segments, .. } = wave(10.0, 50.0, 100.0, 2.0, 8.0, false) else { panic!() };
        assert_eq!(start, (10.0, 100.0));
        assert_eq!(segments.len(), 20);
        // After the first quarter the crest (y grows downwards), after the third the trough.
        assert_eq!((segments[0][4], segments[0][5]), (12.0, 98.0));
        assert_eq!((segments[2][4], segments[2][5]), (16.0, 102.0));
        assert_eq!((segments[19][4], segments[19][5]), (50.0, 100.0));
    }
}

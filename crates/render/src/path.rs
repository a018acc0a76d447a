//! OFD path data (`AbbreviatedData`, GB/T 33190 §9.3.2): `S`/`M` move, `L` line, `Q` quadratic,
//! `B` cubic, `A` elliptical arc (as SVG's), `C` close; read into a path in the object's space.

use kurbo::{Arc, BezPath, Point, SvgArc, Vec2};

/// At most this many commands in one path (a stranger's file cannot ask for millions).
pub const MAX_COMMANDS: usize = 200_000;

pub fn parse(data: &str) -> BezPath {
    let mut path = BezPath::new();
    let mut toks = data.split_whitespace();
    let mut cur = Point::ZERO;
    let mut start = Point::ZERO;
    let mut open = false;
    let mut count = 0usize;
    while let Some(cmd) = toks.next() {
        count += 1;
        if count > MAX_COMMANDS {
            break;
        }
        let mut take = |n: usize| -> Option<Vec<f64>> {
            let v: Vec<f64> = (0..n).filter_map(|_| toks.next()?.parse::<f64>().ok().filter(|x| x.is_finite())).collect();
            (v.len() == n).then_some(v)
        };
        if cmd == "S" || cmd == "M" {
            let Some(v) = take(2) else { break };
            cur = Point::new(v[0], v[1]);
            start = cur;
            path.move_to(cur);
            open = true;
            continue;
        }
        if !open && cmd != "C" {
            // Drawing without a start point starts where the pen is, as readers do.
            path.move_to(cur);
            start = cur;
        }
        match step(cmd, &mut take, &mut cur, start, &mut path) {
            Some(closed) => open = !closed,
            None => break,
        }
    }
    path
}

/// One drawing command; `Some(true)` when it closed the subpath, `None` on bad data.
fn step(cmd: &str, take: &mut impl FnMut(usize) -> Option<Vec<f64>>, cur: &mut Point, start: Point, path: &mut BezPath) -> Option<bool> {
    match cmd {
        "L" => {
            let v = take(2)?;
            *cur = Point::new(v[0], v[1]);
            path.line_to(*cur);
        }
        "Q" => {
            let v = take(4)?;
            *cur = Point::new(v[2], v[3]);
            path.quad_to(Point::new(v[0], v[1]), *cur);
        }
        "B" => {
            let v = take(6)?;
            *cur = Point::new(v[4], v[5]);
            path.curve_to(Point::new(v[0], v[1]), Point::new(v[2], v[3]), *cur);
        }
        "A" => {
            let v = take(7)?;
            let to = Point::new(v[5], v[6]);
            let arc = SvgArc {
                from: *cur,
                to,
                radii: Vec2::new(v[0].abs(), v[1].abs()),
                x_rotation: v[2].to_radians(),
                large_arc: v[3] != 0.0,
                sweep: v[4] != 0.0,
            };
            match Arc::from_svg_arc(&arc) {
                Some(a) => a.to_cubic_beziers(0.01, |p1, p2, p| path.curve_to(p1, p2, p)),
                None => path.line_to(to),
            }
            *cur = to;
        }
        "C" => {
            path.close_path();
            *cur = start;
            return Some(true);
        }
        _ => return None,
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kurbo::Shape;

    #[test]
    fn commands_and_bad_data() {
        let p = parse("S 0 0 L 10 0 L 10 10 C");
        let b = p.bounding_box();
        assert_eq!((b.x0, b.y0, b.x1, b.y1), (0.0, 0.0, 10.0, 10.0));
        // A half circle of radius 5 from (0,5) to (10,5) bulges to y = 0 or 10.
        let arc = parse("M 0 5 A 5 5 0 0 1 10 5").bounding_box();
        assert!((arc.height() - 5.0).abs() < 0.05, "{arc:?}");
        // Garbage stops the path where it turns bad, keeping what came before.
        let bad = parse("M 0 0 L 5 5 L x y L 9 9");
        assert_eq!(bad.bounding_box().x1, 5.0);
        // A line without a start point starts at the origin.
        assert_eq!(parse("L 3 4").bounding_box().x1, 3.0);
        assert!(parse("").is_empty());
    }
}

//! The query page's image captcha, drawn by erjian itself: five digits from a 5×7 bitmap font,
//! each scaled, sheared and shifted at random, over noise dots and crossing lines, encoded as a
//! grey PNG. The answer lives in the database (one-time, five minutes), never in the page.

use rand::Rng;

const W: usize = 150;
const H: usize = 50;

/// 5×7 glyphs for 0–9, one row a byte (low five bits, leftmost pixel = bit 4).
const DIGITS: [[u8; 7]; 10] = [
    [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
    [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
    [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
    [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
    [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
    [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
    [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
    [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
];

/// A fresh random answer.
pub fn new_answer() -> String {
    let mut rng = rand::thread_rng();
    (0..5).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
}

/// Draws `answer` (digits) as a PNG.
pub fn png(answer: &str) -> Vec<u8> {
    let mut rng = rand::thread_rng();
    let mut img = vec![245u8; W * H];
    for _ in 0..260 {
        let (x, y) = (rng.gen_range(0..W), rng.gen_range(0..H));
        img[y * W + x] = rng.gen_range(120..200);
    }
    for (i, ch) in answer.chars().enumerate() {
        let Some(d) = ch.to_digit(10) else { continue };
        let glyph = DIGITS[d as usize];
        let scale = rng.gen_range(4.0..5.2f64);
        let shear = rng.gen_range(-0.35..0.35f64);
        let ox = 10.0 + i as f64 * 27.0 + rng.gen_range(-3.0..3.0);
        let oy = rng.gen_range(4.0..(H as f64 - 7.0 * scale - 2.0).max(5.0));
        let ink = rng.gen_range(20..90u8);
        for (gy, row) in glyph.iter().enumerate() {
            for gx in 0..5 {
                if row & (0x10 >> gx) == 0 {
                    continue;
                }
                for sy in 0..scale.ceil() as usize {
                    for sx in 0..scale.ceil() as usize {
                        let y = oy + gy as f64 * scale + sy as f64;
                        let x = ox + gx as f64 * scale + sx as f64 + shear * (y - H as f64 / 2.0);
                        if (0.0..W as f64).contains(&x) && (0.0..H as f64).contains(&y) {
                            img[y as usize * W + x as usize] = ink;
                        }
                    }
                }
            }
        }
    }
    for _ in 0..3 {
        let (y0, y1) = (rng.gen_range(0..H) as f64, rng.gen_range(0..H) as f64);
        let shade = rng.gen_range(60..140u8);
        for x in 0..W {
            let y = y0 + (y1 - y0) * x as f64 / W as f64;
            img[(y as usize).min(H - 1) * W + x] = shade;
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, W as u32, H as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("in-memory PNG");
        w.write_image_data(&img).expect("in-memory PNG");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn answers_are_five_digits_and_images_decode() {
        let a = super::new_answer();
        assert_eq!(a.len(), 5);
        assert!(a.chars().all(|c| c.is_ascii_digit()));
        let png = super::png(&a);
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (150, 50));
    }
}

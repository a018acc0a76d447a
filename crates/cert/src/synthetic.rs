//! Synthetic holders for benchmarks and load tests: a 1-inch JPEG photo (over 20 KB) and a
//! handwritten-signature PNG per person, and plausible certificate data.

use crate::face::CertificateData;
use chrono::NaiveDate;

/// Pixel noise that keeps the photo from compressing below 20 KB (it comes out at 20.3–20.7 KB, the
/// size of a real 1-inch ID photo at this resolution).
const NOISE: u64 = 16;

/// A 295×413 JPEG with noise so that it does not compress below 20 KB.
pub fn photo_jpeg(seed: u64) -> Vec<u8> {
    let (w, h) = (295u16, 413u16);
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut pixels = Vec::with_capacity(w as usize * h as usize * 3);
    for i in 0..(w as usize * h as usize) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let (r, c) = (i / w as usize, i % w as usize);
        let face = ((r as i64 - 170).pow(2) / 3 + (c as i64 - 147).pow(2)) < 4200;
        let base: [u8; 3] = if face {
            [231, 196, 170]
        } else if r > 300 {
            [40, 52, 90]
        } else {
            [246, 247, 250]
        };
        let n = (x % NOISE) as u8;
        pixels.extend(base.iter().map(|b| b.saturating_sub(n)));
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85).encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb).expect("in-memory JPEG");
    out
}

/// A 280×100 PNG with a dark scribble on white.
pub fn signature_png(seed: u64) -> Vec<u8> {
    let (w, h) = (280u32, 100u32);
    let mut img = vec![255u8; (w * h) as usize];
    let k = (seed % 7) as f64 + 3.0;
    for t in 0..2400 {
        let t = t as f64 / 2400.0;
        let x = (20.0 + t * 240.0) as i64;
        let y = (50.0 + 28.0 * (t * k * std::f64::consts::TAU).sin() * (1.0 - t * 0.5)) as i64;
        for dy in -1..=1 {
            for dx in -1..=1 {
                let (px, py) = (x + dx, y + dy);
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    img[(py as u32 * w + px as u32) as usize] = 20;
                }
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, w, h);
        e.set_color(png::ColorType::Grayscale);
        e.write_header().expect("png").write_image_data(&img).expect("png");
    }
    out
}

/// Certificate data for the `n`-th synthetic person.
pub fn person(n: u64, authority: &str, authority_code: &str, public_url: &str) -> CertificateData {
    const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"];
    const GIVEN: [&str; 8] = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋"];
    let regno = format!("皖23420242026{:05}", n % 100_000);
    let digits: String = regno.chars().filter(|c| c.is_ascii_digit()).collect();
    let licence =
        erjian_domain::licence::LicenceId::new(erjian_domain::licence::CONSTRUCTOR2_TYPE, authority_code, &digits, 1).expect("valid");
    let id =
        erjian_domain::ids::ResidentId::with_check(&format!("340104{}{:03}", 19_700_101 + (n % 28) as u32, n % 1000)).expect("valid id");
    CertificateData {
        profession: "二级建造师".into(),
        name: format!("{}{}", SURNAMES[(n % 8) as usize], GIVEN[(n / 8 % 8) as usize]),
        gender: id.gender().label().into(),
        birth_date: id.birth_date().to_string(),
        id_number: id.to_string(),
        registration_number: regno,
        certificate_number: format!("342026{:08}", n),
        employer: "安徽建工集团股份有限公司".into(),
        employer_credit_code: "91340100MA2T50123P".into(),
        specialties: vec![("建筑工程".into(), "2026-11-25".into(), "2029-11-24".into())],
        qualification_number: format!("2024{:06}", n % 1_000_000),
        issuer: authority.into(),
        issue_date: NaiveDate::from_ymd_opt(2026, 11, 25).expect("date"),
        use_until: None,
        photo: Some(photo_jpeg(n)),
        signature_image: Some(signature_png(n)),
        verify_url: format!("{public_url}/verify/{licence}"),
        licence_id: licence.to_string(),
        usage_copy: None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn photos_are_at_least_20_kb() {
        let sizes: Vec<usize> = (0..200).map(|n| super::photo_jpeg(n).len()).collect();
        let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        eprintln!("photo sizes {min}..{max}");
        assert!(*min >= 20 * 1024, "smallest photo {min} bytes");
    }
}

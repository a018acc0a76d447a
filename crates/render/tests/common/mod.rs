//! Pictures for the renderer's tests: a grey image from PNG, block means, their difference.
#![allow(dead_code)]

pub struct Grey {
    pub w: usize,
    pub h: usize,
    pub px: Vec<u8>,
}

pub fn grey(png: &[u8]) -> Grey {
    let img = image::load_from_memory(png).expect("a PNG").to_luma8();
    Grey { w: img.width() as usize, h: img.height() as usize, px: img.into_raw() }
}

impl Grey {
    /// Share of pixels darker than paper.
    pub fn ink(&self) -> f64 {
        self.px.iter().filter(|p| **p < 200).count() as f64 / self.px.len().max(1) as f64
    }

    /// Mean grey of 4×4-pixel blocks (small anti-aliasing differences average out).
    fn blocks(&self) -> Vec<f64> {
        let (bw, bh) = (self.w / 4, self.h / 4);
        let mut out = Vec::with_capacity(bw * bh);
        for by in 0..bh {
            for bx in 0..bw {
                let mut s = 0u32;
                for y in 0..4 {
                    for x in 0..4 {
                        s += self.px[(by * 4 + y) * self.w + bx * 4 + x] as u32;
                    }
                }
                out.push(s as f64 / 16.0);
            }
        }
        out
    }

    /// Mean absolute difference of the block means of two pictures of (nearly) the same size.
    pub fn difference(&self, other: &Grey) -> f64 {
        assert!(self.w.abs_diff(other.w) <= 4 && self.h.abs_diff(other.h) <= 4, "sizes {}×{} and {}×{}", self.w, self.h, other.w, other.h);
        let (a, b) = (self.blocks(), other.blocks());
        let bw = self.w.min(other.w) / 4;
        let bh = self.h.min(other.h) / 4;
        let (aw, ow) = (self.w / 4, other.w / 4);
        let mut sum = 0.0;
        for y in 0..bh {
            for x in 0..bw {
                sum += (a[y * aw + x] - b[y * ow + x]).abs();
            }
        }
        sum / (bw * bh).max(1) as f64
    }

    /// The same picture moved right and down by `dx`, `dy` pixels (paper fills the gap).
    pub fn shifted(&self, dx: usize, dy: usize) -> Grey {
        let mut px = vec![255u8; self.px.len()];
        for y in dy..self.h {
            for x in dx..self.w {
                px[y * self.w + x] = self.px[(y - dy) * self.w + x - dx];
            }
        }
        Grey { w: self.w, h: self.h, px }
    }
}

pub fn tmp(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("erjian-render-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Keeps a drawing for a person to look at when ERJIAN_KEEP_RENDER names a folder.
pub fn keep(name: &str, png: &[u8]) {
    if let Ok(dir) = std::env::var("ERJIAN_KEEP_RENDER") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), png).unwrap();
    }
}

/// pdftoppm (poppler-utils, installed by scripts/setup.sh) at `dpi`, grey, first page.
pub fn pdftoppm(pdf: &[u8], dpi: u32, tag: &str) -> Vec<u8> {
    let dir = tmp(tag);
    std::fs::write(dir.join("in.pdf"), pdf).unwrap();
    let out = std::process::Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(dir.join("in.pdf"))
        .arg(dir.join("page"))
        .output()
        .expect("pdftoppm (poppler-utils, installed by scripts/setup.sh)");
    assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read(dir.join("page.png")).unwrap()
}

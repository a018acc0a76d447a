//! Uploaded images (1-inch photos, ID-card scans, signature and seal images) are decoded, never
//! trusted by their headers: the `image` crate decodes them under dimension and allocation
//! limits, and what is stored is the image re-encoded from its pixels, so a file that only
//! claims to be a picture (or claims to be 100,000 pixels wide) never reaches a certificate.
//! Pure computation on bytes in memory; no IO.

use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// An accepted image, re-encoded from its decoded pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub mime: &'static str,
    /// `jpg` or `png`, as OFD and PDF name picture types.
    pub kind: &'static str,
    pub width: u32,
    pub height: u32,
    /// The bytes to store: the same format, re-encoded.
    pub bytes: Vec<u8>,
}

/// What an accepted photo is (kept for callers that only need the facts).
pub type PhotoInfo = Decoded;

/// The largest image any upload may decode to.
pub const MAX_SIDE: u32 = 4_000;
/// Memory the decoder may use for one image.
const MAX_ALLOC: u64 = 96 * 1024 * 1024;

pub const MAX_BYTES: usize = 1024 * 1024;
pub const MIN_BYTES: usize = 2 * 1024;

/// Decodes a JPEG or PNG within [`MAX_SIDE`] and re-encodes it; `what` names it in messages.
pub fn decode_image(bytes: &[u8], what: &str) -> Result<Decoded, String> {
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => ImageFormat::Jpeg,
        Ok(ImageFormat::Png) => ImageFormat::Png,
        _ => return Err(format!("{what}只能是 JPG 或 PNG 格式")),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits.clone());
    let too_large = || format!("{what}尺寸过大，宽和高均不能超过{MAX_SIDE}像素");
    let (w, h) = reader.into_dimensions().map_err(|e| match e {
        image::ImageError::Limits(_) => too_large(),
        _ => format!("{what}文件已损坏，无法读取"),
    })?;
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(format!("{what}尺寸过大（{w}×{h}），宽和高均不能超过{MAX_SIDE}像素"));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => too_large(),
        _ => format!("{what}文件已损坏或不是有效的图片，请重新拍摄或扫描后上传"),
    })?;
    let mut out = Cursor::new(Vec::with_capacity(bytes.len()));
    let (mime, kind) = match format {
        ImageFormat::Jpeg => {
            let rgb = img.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
                .encode_image(&rgb)
                .map_err(|_| format!("{what}无法处理，请换一张图片"))?;
            ("image/jpeg", "jpg")
        }
        _ => {
            img.write_to(&mut out, ImageFormat::Png).map_err(|_| format!("{what}无法处理，请换一张图片"))?;
            ("image/png", "png")
        }
    };
    Ok(Decoded { mime, kind, width: img.width(), height: img.height(), bytes: out.into_inner() })
}

/// A 1-inch portrait photo: JPEG or PNG, 2 KB – 1 MB, 200–1000 px wide, taller than wide.
pub fn check_photo(bytes: &[u8]) -> Result<PhotoInfo, String> {
    if bytes.len() > MAX_BYTES {
        return Err(format!("照片不能超过1MB（当前{}KB），请压缩后重新上传", bytes.len() / 1024));
    }
    if bytes.len() < MIN_BYTES {
        return Err("照片文件过小（不足2KB），请上传清晰的一寸白底证件照".into());
    }
    let decoded = decode_image(bytes, "照片")?;
    let (w, h) = (decoded.width, decoded.height);
    if !(200..=1000).contains(&w) || h <= w || h > 1400 {
        return Err(format!("照片尺寸应为竖版一寸照（宽200–1000像素、高大于宽且不超过1400像素），当前为{w}×{h}"));
    }
    Ok(decoded)
}

/// A scanned document (ID card side, proof): JPEG or PNG, 2 KB to 2 MB, decodable.
pub fn check_scan(bytes: &[u8], what: &str) -> Result<Decoded, String> {
    if bytes.len() < MIN_BYTES || bytes.len() > 2 * 1024 * 1024 {
        return Err(format!("{what}须为 2KB–2MB 的 JPG 或 PNG 图片"));
    }
    decode_image(bytes, what)
}

/// A handwritten signature or seal image: JPEG or PNG up to 512 KB and 2000 px a side.
pub fn check_mark(bytes: &[u8], what: &str) -> Result<Decoded, String> {
    if bytes.len() < 100 || bytes.len() > 512 * 1024 {
        return Err(format!("{what}应为不超过512KB的 PNG 或 JPG 文件"));
    }
    let d = decode_image(bytes, what)?;
    if d.width > 2000 || d.height > 2000 {
        return Err(format!("{what}尺寸过大（{}×{}），宽和高均不能超过2000像素", d.width, d.height));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real PNG of the given size with some texture (so it is not tiny after compression).
    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7 % 251) as u8, (y * 13 % 241) as u8, ((x ^ y) % 239) as u8]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for b in bytes {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }

    /// A well-formed PNG header (IHDR with its CRC) that claims the given dimensions, padded to
    /// `len` bytes: no real pixels.
    fn claimed_png(w: u32, h: u32, len: usize) -> Vec<u8> {
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&w.to_be_bytes());
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        v.extend_from_slice(&ihdr);
        v.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        v.resize(len, 0);
        v
    }

    #[test]
    fn accepts_a_portrait_png_and_stores_it_re_encoded() {
        let p = check_photo(&png(295, 413)).unwrap();
        assert_eq!((p.mime, p.width, p.height), ("image/png", 295, 413));
        assert!(image::load_from_memory(&p.bytes).is_ok());
    }

    #[test]
    fn refuses_bad_photos_with_reasons() {
        assert!(check_photo(&png(413, 295)).unwrap_err().contains("竖版"));
        assert!(check_photo(&claimed_png(295, 413, 2 * 1024 * 1024)).unwrap_err().contains("1MB"));
        assert!(check_photo(&claimed_png(295, 413, 100)).unwrap_err().contains("过小"));
        assert!(check_photo(&[b'G'; 5000]).unwrap_err().contains("JPG"));
    }

    #[test]
    fn headers_are_not_trusted() {
        // A PNG header that claims a portrait photo but has no pixels.
        assert!(check_photo(&claimed_png(295, 413, 10_000)).unwrap_err().contains("损坏"));
        // 177 bytes claiming 100,000 × 100,000 pixels: refused before any allocation.
        let huge = claimed_png(100_000, 100_000, 177);
        assert!(decode_image(&huge, "图片").unwrap_err().contains("过大"), "{:?}", decode_image(&huge, "图片"));
        // A JPEG start marker followed by junk.
        let mut junk = vec![0xFF, 0xD8, 0xFF, 0xE0];
        junk.resize(5000, 0x41);
        assert!(check_scan(&junk, "身份证人像面").is_err());
    }
}

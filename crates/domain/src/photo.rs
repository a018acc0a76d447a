//! Checks on uploaded 1-inch photos (JPEG or PNG, size and dimensions), without decoding pixels.

/// What an accepted photo is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoInfo {
    pub mime: &'static str,
    pub width: usize,
    pub height: usize,
}

pub const MAX_BYTES: usize = 1024 * 1024;
pub const MIN_BYTES: usize = 2 * 1024;

/// A 1-inch portrait photo: JPEG or PNG, 2 KB – 1 MB, 200–1000 px wide, taller than wide.
pub fn check_photo(bytes: &[u8]) -> Result<PhotoInfo, String> {
    if bytes.len() > MAX_BYTES {
        return Err(format!("照片不能超过1MB（当前{}KB），请压缩后重新上传", bytes.len() / 1024));
    }
    if bytes.len() < MIN_BYTES {
        return Err("照片文件过小（不足2KB），请上传清晰的一寸白底证件照".into());
    }
    let mime = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Jpeg) => "image/jpeg",
        Ok(imagesize::ImageType::Png) => "image/png",
        _ => return Err("照片只能是 JPG 或 PNG 格式".into()),
    };
    let size = imagesize::blob_size(bytes).map_err(|_| "照片文件已损坏，无法读取尺寸".to_string())?;
    if !(200..=1000).contains(&size.width) || size.height <= size.width || size.height > 1400 {
        return Err(format!("照片尺寸应为竖版一寸照（宽200–1000像素、高大于宽且不超过1400像素），当前为{}×{}", size.width, size.height));
    }
    Ok(PhotoInfo { mime, width: size.width, height: size.height })
}

/// Checks a scanned document (ID card side, proof): JPEG or PNG, 2 KB to 2 MB, readable.
pub fn check_scan(bytes: &[u8], what: &str) -> Result<&'static str, String> {
    if bytes.len() < MIN_BYTES || bytes.len() > 2 * 1024 * 1024 {
        return Err(format!("{what}须为 2KB–2MB 的 JPG 或 PNG 图片"));
    }
    let mime = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Jpeg) => "image/jpeg",
        Ok(imagesize::ImageType::Png) => "image/png",
        _ => return Err(format!("{what}只能是 JPG 或 PNG 格式")),
    };
    imagesize::blob_size(bytes).map_err(|_| format!("{what}文件已损坏，无法读取"))?;
    Ok(mime)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG header with the given dimensions, padded to `len` bytes (enough for the checks).
    fn png(w: u32, h: u32, len: usize) -> Vec<u8> {
        let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R'];
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&[8, 2, 0, 0, 0]);
        v.resize(len, 0);
        v
    }

    #[test]
    fn accepts_a_portrait_png() {
        assert_eq!(check_photo(&png(295, 413, 10_000)).unwrap().mime, "image/png");
    }

    #[test]
    fn refuses_bad_photos_with_reasons() {
        assert!(check_photo(&png(413, 295, 10_000)).unwrap_err().contains("竖版"));
        assert!(check_photo(&png(295, 413, 2 * 1024 * 1024)).unwrap_err().contains("1MB"));
        assert!(check_photo(&png(295, 413, 100)).unwrap_err().contains("过小"));
        assert!(check_photo(&[b'G'; 5000]).unwrap_err().contains("JPG"));
    }
}

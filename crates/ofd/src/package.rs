//! The ZIP container: bounded reading (entry count, per-file and total size, measured while
//! inflating, so a zip bomb stops early), path normalisation that refuses escapes, and
//! deterministic writing with no bytes before the ZIP header.

use crate::OfdError;
use std::collections::BTreeMap;
use std::io::{Read, Write};

pub const MAX_ENTRIES: usize = 10_000;
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
pub const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

/// How much a package may hold once inflated.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub entries: usize,
    pub file_bytes: u64,
    pub total_bytes: u64,
}

impl Limits {
    /// Files erjian or an operator opens.
    pub const DEFAULT: Limits = Limits { entries: MAX_ENTRIES, file_bytes: MAX_FILE_BYTES, total_bytes: MAX_TOTAL_BYTES };
    /// An upload from the public: a certificate is ~60 KB; real OFD documents a few MB.
    pub const UPLOAD: Limits = Limits { entries: 2_000, file_bytes: 8 * 1024 * 1024, total_bytes: 32 * 1024 * 1024 };
}

/// An OFD package in memory: normalised paths (no leading `/`) → bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Package {
    files: BTreeMap<String, Vec<u8>>,
}

/// Normalises a path inside the package; refuses `..` escapes, drive letters and NULs.
pub fn normalise(path: &str) -> Result<String, OfdError> {
    let p = path.replace('\\', "/");
    if p.contains('\0') || p.contains(':') {
        return Err(OfdError::UnsafePath(path.to_owned()));
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(OfdError::UnsafePath(path.to_owned()));
                }
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Err(OfdError::UnsafePath(path.to_owned()));
    }
    Ok(parts.join("/"))
}

/// Resolves an OFD location (`ST_Loc`) written in file `from`: absolute (`/Doc_0/…`) or relative
/// to `from`'s directory.
pub fn resolve(from: &str, loc: &str) -> Result<String, OfdError> {
    let loc = loc.trim();
    if loc.starts_with('/') {
        return normalise(loc);
    }
    let dir = from.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    normalise(&format!("{dir}/{loc}"))
}

impl Package {
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens a ZIP within the limits above.
    pub fn from_bytes(bytes: &[u8]) -> Result<Package, OfdError> {
        Self::from_bytes_within(bytes, &Limits::DEFAULT)
    }

    /// Opens a ZIP within the given limits (uploads from strangers get tighter ones).
    pub fn from_bytes_within(bytes: &[u8], limits: &Limits) -> Result<Package, OfdError> {
        let (max_entries, max_file, max_total) = (limits.entries, limits.file_bytes, limits.total_bytes);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| OfdError::NotZip(e.to_string()))?;
        if zip.len() > max_entries {
            return Err(OfdError::TooLarge(format!("{} entries", zip.len())));
        }
        let mut files = BTreeMap::new();
        let mut total: u64 = 0;
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).map_err(|e| OfdError::NotZip(e.to_string()))?;
            if f.is_dir() {
                continue;
            }
            let name = normalise(f.name())?;
            let mut buf = Vec::new();
            let limit = max_file.min(max_total - total) + 1;
            (&mut f).take(limit).read_to_end(&mut buf).map_err(|e| OfdError::NotZip(format!("{name}: {e}")))?;
            if buf.len() as u64 >= limit {
                return Err(OfdError::TooLarge(format!("{name} inflates beyond the limit")));
            }
            total += buf.len() as u64;
            files.insert(name, buf);
        }
        if !files.contains_key("OFD.xml") {
            return Err(OfdError::NoEntry);
        }
        Ok(Package { files })
    }

    /// Writes a ZIP: `OFD.xml` first, then the rest in path order, every entry with the same
    /// (zero) time so that the same files always make the same bytes. XML, fonts and other
    /// compressible entries are deflated; JPEG/PNG images and signature values (already dense)
    /// are stored as they are. Template pages (`Tpls/`), which every document of an issuer
    /// shares, are deflated once per process and copied compressed after that ([`shared`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.write(true)
    }

    fn write(&self, reuse_shared: bool) -> Vec<u8> {
        let total: usize = self.files.values().map(Vec::len).sum();
        let mut out = std::io::Cursor::new(Vec::with_capacity(total / 2 + 1024));
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            let order = self.files.keys().filter(|k| *k == "OFD.xml").chain(self.files.keys().filter(|k| *k != "OFD.xml"));
            for name in order {
                let bytes = &self.files[name];
                if reuse_shared && compressible(name, bytes) && shared::is_shared(name) {
                    let one = shared::deflated(bytes);
                    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(one.as_slice())).expect("a one-entry zip written here");
                    let entry = archive.by_index_raw(0).expect("its entry");
                    zip.raw_copy_file_rename(entry, name.as_str()).expect("in-memory zip");
                    continue;
                }
                zip.start_file(name.as_str(), options(name, bytes)).expect("in-memory zip");
                zip.write_all(bytes).expect("in-memory zip");
            }
            zip.finish().expect("in-memory zip");
        }
        out.into_inner()
    }

    /// A file by path; when no exact match exists, a unique case-insensitive match (packages made
    /// on Windows sometimes reference `TPLS/` for `Tpls/`).
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        let p = normalise(path).ok()?;
        if let Some(f) = self.files.get(&p) {
            return Some(f);
        }
        let mut matches = self.files.iter().filter(|(k, _)| k.eq_ignore_ascii_case(&p));
        match (matches.next(), matches.next()) {
            (Some((_, f)), None) => Some(f),
            _ => None,
        }
    }

    pub fn require(&self, path: &str) -> Result<&[u8], OfdError> {
        self.get(path).ok_or_else(|| OfdError::Missing(path.to_owned()))
    }

    pub fn text(&self, path: &str) -> Result<String, OfdError> {
        let b = self.require(path)?;
        let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
        String::from_utf8(b.to_vec()).map_err(|_| OfdError::Xml { file: path.to_owned(), message: "not UTF-8".into() })
    }

    pub fn put(&mut self, path: &str, bytes: Vec<u8>) {
        let p = normalise(path).expect("writer paths are safe");
        self.files.insert(p, bytes);
    }

    /// Takes a file out of the package (a damaged package in tests); true when it was there.
    pub fn remove(&mut self, path: &str) -> bool {
        normalise(path).ok().is_some_and(|p| self.files.remove(&p).is_some())
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Flips one byte (for tamper tests and demonstrations).
    pub fn tamper(&mut self, path: &str, index: usize) -> bool {
        match normalise(path).ok().and_then(|p| self.files.get_mut(&p)) {
            Some(f) if !f.is_empty() => {
                let i = index % f.len();
                f[i] ^= 0x01;
                true
            }
            _ => false,
        }
    }
}

/// Whether deflating an entry is worth it: not for JPEG and PNG data (already compressed), nor
/// for signature values and tiny files.
/// How an entry is written: deflated at level 6 when it compresses, stored when it is dense; the
/// same zero time for every entry.
fn options(name: &str, bytes: &[u8]) -> zip::write::SimpleFileOptions {
    let base = zip::write::SimpleFileOptions::default().last_modified_time(zip::DateTime::default());
    if compressible(name, bytes) {
        base.compression_method(zip::CompressionMethod::Deflated).compression_level(Some(6))
    } else {
        base.compression_method(zip::CompressionMethod::Stored)
    }
}

/// Entries every document of an issuer shares, deflated once. Keyed by the SM3 of the content
/// (never by name: two issuers' templates differ), at most [`shared::KEEP`] of them; a one-entry
/// ZIP holds each, so copying it yields exactly the bytes a fresh deflate would.
mod shared {
    use sm3::Digest;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};

    /// Distinct shared entries kept (an issuer has one template; a test process a handful).
    pub(super) const KEEP: usize = 32;

    pub(super) fn is_shared(name: &str) -> bool {
        name.split('/').any(|part| part == "Tpls")
    }

    /// SM3 of the content → a one-entry ZIP holding it deflated.
    type Cache = Mutex<HashMap<[u8; 32], Arc<Vec<u8>>>>;

    /// A one-entry ZIP (entry name `x`) holding `bytes` deflated as [`super::options`] says.
    pub(super) fn deflated(bytes: &[u8]) -> Arc<Vec<u8>> {
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let key: [u8; 32] = sm3::Sm3::digest(bytes).into();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return hit.clone();
        }
        let mut out = std::io::Cursor::new(Vec::new());
        {
            use std::io::Write;
            let mut zip = zip::ZipWriter::new(&mut out);
            zip.start_file("x", super::options("x.xml", bytes)).expect("in-memory zip");
            zip.write_all(bytes).expect("in-memory zip");
            zip.finish().expect("in-memory zip");
        }
        let one = Arc::new(out.into_inner());
        let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() < KEEP {
            map.insert(key, one.clone());
        }
        one
    }
}

fn compressible(name: &str, bytes: &[u8]) -> bool {
    let dense = bytes.starts_with(&[0xFF, 0xD8]) || bytes.starts_with(b"\x89PNG") || name.ends_with(".dat");
    bytes.len() > 256 && !dense
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A template copied from the once-deflated cache gives exactly the bytes a fresh deflate
    /// gives, and reads back the same.
    #[test]
    fn shared_entries_copied_compressed_are_the_same_bytes() {
        let mut p = Package::default();
        p.put("OFD.xml", b"<ofd:OFD/>".repeat(40));
        let template: Vec<u8> =
            (0..20_000u32).flat_map(|i| format!("<ofd:Path ID=\"{i}\" Boundary=\"0 0 {} 5\"/>", i % 97).into_bytes()).collect();
        p.put("Doc_0/Tpls/Tpl_0/Content.xml", template.clone());
        p.put("Doc_0/Pages/Page_0/Content.xml", b"<ofd:Page/>".repeat(50));
        let fresh = p.write(false);
        assert_eq!(p.to_bytes(), fresh, "first write (fills the cache)");
        assert_eq!(p.to_bytes(), fresh, "second write (copies from the cache)");
        let back = Package::from_bytes(&p.to_bytes()).unwrap();
        assert_eq!(back.get("Doc_0/Tpls/Tpl_0/Content.xml"), Some(template.as_slice()));
        assert!(p.to_bytes().len() < template.len() / 4, "deflated");
    }

    #[test]
    fn paths_are_normalised_and_escapes_refused() {
        assert_eq!(normalise("/Doc_0/./Pages/../Res/a.png").unwrap(), "Doc_0/Res/a.png");
        assert!(normalise("../etc/passwd").is_err());
        assert!(normalise("Doc_0/../../x").is_err());
        assert!(normalise("C:/x").is_err());
        assert_eq!(resolve("Doc_0/Document.xml", "Pages/Page_0/Content.xml").unwrap(), "Doc_0/Pages/Page_0/Content.xml");
        assert_eq!(resolve("Doc_0/Document.xml", "/OFD.xml").unwrap(), "OFD.xml");
    }

    #[test]
    fn not_a_zip_and_missing_entry_are_typed_errors() {
        assert!(matches!(Package::from_bytes(b"hello"), Err(OfdError::NotZip(_))));
        let mut p = Package::new();
        p.put("a.txt", b"x".to_vec());
        assert!(matches!(Package::from_bytes(&p.to_bytes()), Err(OfdError::NoEntry)));
    }

    #[test]
    fn a_zip_bomb_stops_at_the_limit() {
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("OFD.xml", opts).unwrap();
            zip.write_all(b"<x/>").unwrap();
            zip.start_file("bomb.bin", opts).unwrap();
            let chunk = vec![0u8; 1 << 20];
            for _ in 0..(MAX_FILE_BYTES >> 20) + 2 {
                zip.write_all(&chunk).unwrap();
            }
            zip.finish().unwrap();
        }
        let bytes = out.into_inner();
        assert!(bytes.len() < 1 << 20, "the bomb itself is small: {}", bytes.len());
        assert!(matches!(Package::from_bytes(&bytes), Err(OfdError::TooLarge(_))));
    }

    #[test]
    fn escaping_entry_names_are_refused() {
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            let opts = zip::write::SimpleFileOptions::default();
            zip.start_file("OFD.xml", opts).unwrap();
            zip.start_file("../../evil.txt", opts).unwrap();
            zip.finish().unwrap();
        }
        assert!(matches!(Package::from_bytes(&out.into_inner()), Err(OfdError::UnsafePath(_))));
    }
}

//! The deployment's certificate authority and the province authority's electronic seal: created
//! once (an SM2 root, a seal certificate, and a seal made by the root over a picture drawn from
//! the authority's name), stored with private keys sealed under the master key, and used to issue
//! sealed certificate files.

use crate::face::{face_ops, template_ops, CertificateData, HEIGHT, SEAL_BOX, WIDTH};
use chrono::{DateTime, Duration, Utc};
use erjian_ofd::crypto::{
    derive_key, issue_certificate, open_secret, parse_certificate, seal_secret, CertRequest, Certificate, KeyPair, Name,
};
use erjian_ofd::seal::{sign, SealSigner, Stamp};
use erjian_ofd::ses::{encode_seal, SealSpec};
use erjian_ofd::writer::{Document, FontId, Metadata, Page};
use erjian_ofd::OfdError;

/// What is stored: certificates in the clear, private keys sealed (SM4-GCM) under the master key.
#[derive(Debug, Clone)]
pub struct StoredAuthority {
    pub root_cert: Vec<u8>,
    pub root_secret_sealed: Vec<u8>,
    pub seal_cert: Vec<u8>,
    pub seal_secret_sealed: Vec<u8>,
    pub seal: Vec<u8>,
}

/// A font file to embed (subset per document) in issued certificates.
#[derive(Debug, Clone)]
pub struct EmbeddedFont {
    pub family: String,
    pub data: Vec<u8>,
    /// The face within a collection (TTC); 0 for a single font.
    pub index: u32,
}

impl EmbeddedFont {
    /// The fonts certificates are set in, in order of preference: the one named by
    /// `ERJIAN_OFD_FONT` (path; `ERJIAN_OFD_FONT_INDEX` picks a face of a collection) if set,
    /// then the serif (宋体-style) system fonts of [`crate::fonts::SERIF`] that are installed.
    pub fn from_env() -> Result<Vec<EmbeddedFont>, String> {
        let mut fonts = Vec::new();
        if let Ok(path) = std::env::var("ERJIAN_OFD_FONT") {
            let data = std::fs::read(&path).map_err(|e| format!("ERJIAN_OFD_FONT {path}: {e}"))?;
            let index = std::env::var("ERJIAN_OFD_FONT_INDEX").ok().and_then(|i| i.parse().ok()).unwrap_or(0);
            let family =
                std::path::Path::new(&path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "embedded".into());
            fonts.push(EmbeddedFont { family, data, index });
        }
        fonts.extend(crate::fonts::serif_installed().iter().map(|f| EmbeddedFont {
            family: f.family.into(),
            data: f.data.to_vec(),
            index: f.index,
        }));
        Ok(fonts)
    }

    /// Whether this font has every character of `text`.
    pub fn covers(&self, text: &str) -> bool {
        erjian_ofd::font::covers(&self.data, self.index, text)
    }
}

/// A loaded authority, ready to issue sealed certificates.
/// Where a certificate's template page (frame, titles, labels) sits in its package.
const TEMPLATE_PATH: &str = "Doc_0/Tpls/Tpl_0/Content.xml";

pub struct Authority {
    pub name: String,
    pub credit_code: String,
    pub root_key: KeyPair,
    pub root_cert: Vec<u8>,
    pub signer: SealSigner,
    /// Fonts certificates embed, subset to the characters they use: the first that has every
    /// character of the document (a rare character in a name falls through to a larger font).
    pub embed_fonts: Vec<std::sync::Arc<EmbeddedFont>>,
    /// Each profession's template page (drawn on the first font) and the characters it uses,
    /// built once and shared by every certificate (the writer then writes its XML once too).
    templates: std::sync::RwLock<Vec<(String, std::sync::Arc<Page>, String)>>,
}

impl Authority {
    pub fn create(name: &str, credit_code: &str, master: &[u8], now: DateTime<Utc>) -> (Authority, StoredAuthority) {
        let root_key = KeyPair::generate();
        let root_name = Name { organisation: name.into(), common_name: format!("{name} erjian 根证书"), serial_number: None };
        let start = now - Duration::days(1);
        let root_cert = issue_certificate(
            &root_key,
            &root_name,
            &CertRequest {
                serial: 1,
                subject: &root_name,
                subject_public: &root_key.public(),
                not_before: start,
                not_after: now + Duration::days(365 * 20),
                is_ca: true,
            },
        );
        let seal_key = KeyPair::generate();
        let seal_name =
            Name { organisation: name.into(), common_name: format!("{name}电子印章"), serial_number: Some(credit_code.into()) };
        let seal_cert = issue_certificate(
            &root_key,
            &root_name,
            &CertRequest {
                serial: 2,
                subject: &seal_name,
                subject_public: &seal_key.public(),
                not_before: start,
                not_after: now + Duration::days(365 * 10),
                is_ca: false,
            },
        );
        let picture = crate::seal_art::seal_picture_ofd(name, "注册专用章");
        let es_id = format!("{}{}", &credit_code[2..8], now.format("%Y%m%d"));
        let seal = encode_seal(
            &SealSpec {
                es_id: &es_id,
                name: &format!("{name}注册专用章"),
                users: std::slice::from_ref(&seal_cert),
                created: now,
                valid_start: start,
                valid_end: now + Duration::days(365 * 10),
                picture_type: "ofd",
                picture: &picture,
                width_mm: SEAL_BOX[2] as i64,
                height_mm: SEAL_BOX[3] as i64,
            },
            &root_key,
            &root_cert,
        );
        let stored = StoredAuthority {
            root_cert: root_cert.clone(),
            root_secret_sealed: seal_secret(&derive_key(master, "root"), &root_key.secret()),
            seal_cert: seal_cert.clone(),
            seal_secret_sealed: seal_secret(&derive_key(master, "seal"), &seal_key.secret()),
            seal: seal.clone(),
        };
        let auth = Authority {
            name: name.into(),
            credit_code: credit_code.into(),
            root_key,
            root_cert,
            signer: SealSigner::new(seal_key, seal_cert, seal),
            embed_fonts: Vec::new(),
            templates: Default::default(),
        };
        (auth, stored)
    }

    pub fn load(name: &str, credit_code: &str, stored: &StoredAuthority, master: &[u8]) -> Result<Authority, OfdError> {
        let root_key = KeyPair::from_secret(&open_secret(&derive_key(master, "root"), &stored.root_secret_sealed)?)?;
        let seal_key = KeyPair::from_secret(&open_secret(&derive_key(master, "seal"), &stored.seal_secret_sealed)?)?;
        Ok(Authority {
            name: name.into(),
            credit_code: credit_code.into(),
            root_key,
            root_cert: stored.root_cert.clone(),
            signer: SealSigner::new(seal_key, stored.seal_cert.clone(), stored.seal.clone()),
            embed_fonts: Vec::new(),
            templates: Default::default(),
        })
    }

    pub fn root(&self) -> Certificate {
        parse_certificate(&self.root_cert).expect("our own root parses")
    }

    /// A signing identity for a person or an enterprise: a certificate for `public` issued by the
    /// deployment root, and a seal (made by the root) whose picture is the person's handwritten
    /// signature or the enterprise's seal image.
    #[allow(clippy::too_many_arguments)]
    pub fn issue_identity(
        &self,
        serial: u64,
        subject: &Name,
        public: &[u8],
        seal_name: &str,
        picture: (&str, &[u8]),
        size_mm: (i64, i64),
        now: DateTime<Utc>,
    ) -> (Vec<u8>, Vec<u8>) {
        let issuer = Name { organisation: self.name.clone(), common_name: format!("{} erjian 根证书", self.name), serial_number: None };
        let start = now - Duration::minutes(5);
        let end = now + Duration::days(365 * 5);
        let cert = issue_certificate(
            &self.root_key,
            &issuer,
            &CertRequest { serial, subject, subject_public: public, not_before: start, not_after: end, is_ca: false },
        );
        let seal = self.identity_seal(&cert, seal_name, picture, size_mm, now).expect("our own certificate parses");
        (cert, seal)
    }

    /// A key for one kind of published statement (QR statements, status lists), certified by
    /// the root.
    pub fn issue_service_key(&self, purpose: &str, serial: u64, now: DateTime<Utc>) -> crate::statement::ServiceKey {
        let issuer = Name { organisation: self.name.clone(), common_name: format!("{} erjian 根证书", self.name), serial_number: None };
        crate::statement::ServiceKey::issue(&self.root_key, &issuer, &self.name, purpose, serial, now)
    }

    /// The seal (made by the root) for an identity certificate issued by this authority: its
    /// serial and validity come from the certificate, its picture from the holder.
    pub fn identity_seal(
        &self,
        cert: &[u8],
        seal_name: &str,
        picture: (&str, &[u8]),
        size_mm: (i64, i64),
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>, OfdError> {
        let c = parse_certificate(cert)?;
        let serial = c.serial.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b));
        Ok(encode_seal(
            &SealSpec {
                es_id: &format!("{}{serial:010}", &self.credit_code[2..8]),
                name: seal_name,
                users: std::slice::from_ref(&cert.to_vec()),
                created: now,
                valid_start: c.not_before,
                valid_end: c.not_after,
                picture_type: picture.0,
                picture: picture.1,
                width_mm: size_mm.0,
                height_mm: size_mm.1,
            },
            &self.root_key,
            &self.root_cert,
        ))
    }

    /// The unsealed certificate document (for the PDF rendition and tests).
    pub fn document(&self, data: &CertificateData) -> Document {
        let mut doc = Document::new(Metadata {
            doc_id: data.licence_id.clone(),
            title: format!("{}注册证书 {}", data.profession, data.name),
            author: self.name.clone(),
            creation_date: Some(data.issue_date),
            custom: vec![
                ("证照标识".into(), data.licence_id.clone()),
                ("注册编号".into(), data.registration_number.clone()),
                ("证书编号".into(), data.certificate_number.clone()),
                ("持证人".into(), data.name.clone()),
                ("核验地址".into(), data.verify_url.clone()),
            ],
        });
        let ops = face_ops(data);
        let (template, template_chars) = self.template(&data.profession);
        let used: String = crate::art::chars_of(&ops) + &template_chars;
        let chosen = self.embed_fonts.iter().find(|f| f.covers(&used)).or(self.embed_fonts.last());
        let font = match chosen {
            Some(f) => match erjian_ofd::font::subset(&f.data, f.index, &used) {
                Ok(bytes) => doc.add_font(&f.family, Some(bytes)),
                Err(_) => doc.add_font("宋体", None),
            },
            None => doc.add_font("宋体", None),
        };
        // The shared template is drawn on the first font, which this document's font is.
        debug_assert_eq!(font, FontId::FIRST);
        doc.templates.push(template);
        let mut page = crate::art::to_ofd_page(&mut doc, font, WIDTH, HEIGHT, ops);
        page.template = Some(0);
        doc.pages.push(page);
        doc
    }

    /// The template page of a profession and the characters it uses, built on first use.
    fn template(&self, profession: &str) -> (std::sync::Arc<Page>, String) {
        let known = self.templates.read().unwrap_or_else(|e| e.into_inner());
        if let Some((_, page, chars)) = known.iter().find(|(p, _, _)| p == profession) {
            return (page.clone(), chars.clone());
        }
        drop(known);
        let ops = template_ops(profession);
        let chars = crate::art::chars_of(&ops);
        // Template operations draw no images, so a scratch document with one font stands in.
        let mut scratch = Document::default();
        let font = scratch.add_font("宋体", None);
        debug_assert_eq!(font, FontId::FIRST);
        let page = std::sync::Arc::new(crate::art::to_ofd_page(&mut scratch, font, WIDTH, HEIGHT, ops));
        let mut known = self.templates.write().unwrap_or_else(|e| e.into_inner());
        if !known.iter().any(|(p, _, _)| p == profession) {
            known.push((profession.to_owned(), page.clone(), chars.clone()));
        }
        (page, chars)
    }

    /// The PDF rendition: the same face with the seal's picture drawn in place.
    pub fn pdf(&self, data: &CertificateData) -> Result<Vec<u8>, crate::pdf::PdfError> {
        crate::pdf::certificate_pdf(&self.name, data)
    }

    /// Seals a document of the authority's (a notice, a decision) with its seal in `boundary`.
    pub fn seal_document(&self, doc: Document, boundary: [f64; 4], now: DateTime<Utc>) -> Result<Vec<u8>, OfdError> {
        let mut pkg = doc.into_package();
        sign(&mut pkg, &self.signer, &Stamp { page: 0, boundary }, now)?;
        Ok(pkg.to_bytes())
    }

    /// Issues a sealed OFD certificate file.
    pub fn issue(&self, data: &CertificateData, now: DateTime<Utc>) -> Result<Vec<u8>, OfdError> {
        let mut pkg = self.document(data).into_package();
        if let Some(template) = pkg.get(TEMPLATE_PATH) {
            self.signer.remember_recurring_file(template);
        }
        sign(&mut pkg, &self.signer, &Stamp { page: 0, boundary: SEAL_BOX }, now)?;
        Ok(pkg.to_bytes())
    }
}

//! Sealing an OFD package with an SES v4 electronic seal, and verifying every signature in a
//! package: each reference digest, the data hash, the signer's SM2 signature, the seal maker's
//! signature, certificate and seal validity at signing time, and (when trust anchors are given)
//! the signer certificate's issuer. Each failed check names what failed and the file it concerns.

use crate::crypto::{self, parse_certificate, Certificate, KeyPair};
use crate::package::{normalise, resolve, Package};
use crate::xml::{self, esc, El};
use crate::{ses, OfdError};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::{OnceLock, RwLock};

const NS: &str = "http://www.ofdspec.org/2016";

/// Who seals: the signer's key and certificate, and the seal the maker issued to them.
pub struct SealSigner {
    pub key: KeyPair,
    pub cert_der: Vec<u8>,
    pub seal_der: Vec<u8>,
    memo: Memo,
}

/// What a signer that seals many documents computes once: the SM3 state after the constant
/// start of its TBS_Sign (version and seal), and the digests of files it was told recur byte
/// for byte (a page template). Digests are reused only for identical bytes.
#[derive(Default)]
struct Memo {
    tbs: OnceLock<crypto::SignPrefix>,
    files: RwLock<Vec<([u8; 32], Vec<u8>)>>,
}

/// At most this many recurring files are remembered.
const MAX_REMEMBERED: usize = 16;

impl SealSigner {
    pub fn new(key: KeyPair, cert_der: Vec<u8>, seal_der: Vec<u8>) -> SealSigner {
        SealSigner { key, cert_der, seal_der, memo: Memo::default() }
    }

    /// Declares that `bytes` will appear again in packages this signer seals, so its digest is
    /// kept (up to a small number of files).
    pub fn remember_recurring_file(&self, bytes: &[u8]) {
        let known = self.memo.files.read().unwrap_or_else(|e| e.into_inner());
        if known.iter().any(|(_, b)| b == bytes) || known.len() >= MAX_REMEMBERED {
            return;
        }
        drop(known);
        let mut known = self.memo.files.write().unwrap_or_else(|e| e.into_inner());
        if !known.iter().any(|(_, b)| b == bytes) && known.len() < MAX_REMEMBERED {
            known.push((crypto::sm3(bytes), bytes.to_vec()));
        }
    }

    fn digest(&self, bytes: &[u8]) -> [u8; 32] {
        let known = self.memo.files.read().unwrap_or_else(|e| e.into_inner());
        known.iter().find(|(_, b)| b == bytes).map(|(d, _)| *d).unwrap_or_else(|| crypto::sm3(bytes))
    }

    /// Signs a TBS_Sign whose first `shared` bytes are the same for every seal this signer makes.
    fn sign_tbs(&self, tbs: &[u8], shared: usize) -> Vec<u8> {
        let prefix = self.memo.tbs.get_or_init(|| self.key.sign_prefix(&tbs[..shared]));
        self.key.sign_with(prefix, tbs)
    }
}

/// Where the stamp appears: page index (0-based) and its boundary `x y w h` in millimetres.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    pub page: usize,
    pub boundary: [f64; 4],
}

fn doc_root(pkg: &Package) -> Result<(El, String), OfdError> {
    let ofd = xml::parse("OFD.xml", &pkg.text("OFD.xml")?)?;
    let body = ofd.child("DocBody").ok_or_else(|| OfdError::Xml { file: "OFD.xml".into(), message: "no DocBody".into() })?;
    let root = body.child_text("DocRoot").ok_or_else(|| OfdError::Xml { file: "OFD.xml".into(), message: "no DocRoot".into() })?;
    let root = resolve("OFD.xml", root)?;
    Ok((ofd, root))
}

/// The Signatures.xml location named in OFD.xml, if any.
/// The check name when `OFD.xml` names a signature list the package does not have.
pub const MISSING_SIGNATURE_LIST: &str = "signature_list_missing";

pub fn signatures_path(pkg: &Package) -> Result<Option<String>, OfdError> {
    signatures_in(&doc_root(pkg)?.0)
}

fn signatures_in(ofd: &El) -> Result<Option<String>, OfdError> {
    match ofd.child("DocBody").and_then(|b| b.child_text("Signatures")) {
        Some(p) if !p.is_empty() => Ok(Some(resolve("OFD.xml", p)?)),
        _ => Ok(None),
    }
}

/// Applies a seal. A package that already carries signatures gets one more, and the new one
/// protects the earlier signatures' files too.
pub fn sign(pkg: &mut Package, signer: &SealSigner, stamp: &Stamp, now: DateTime<Utc>) -> Result<(), OfdError> {
    let (ofd_el, root) = doc_root(pkg)?;
    let doc_dir = root.rsplit_once('/').map(|(d, _)| d.to_owned()).unwrap_or_default();
    let document = xml::parse(&root, &pkg.text(&root)?)?;
    let page_ids: Vec<String> =
        document.child("Pages").map(|p| p.kids("Page").filter_map(|pg| pg.attr("ID").map(str::to_owned)).collect()).unwrap_or_default();
    let page_ref = page_ids.get(stamp.page).ok_or_else(|| OfdError::Missing(format!("page {}", stamp.page + 1)))?.clone();

    let sigs_path = match signatures_in(&ofd_el)? {
        Some(p) => p,
        None => {
            let p = format!("{doc_dir}/Signs/Signatures.xml");
            let ofd = pkg.text("OFD.xml")?;
            let tag = if ofd.contains("</ofd:DocBody>") { "ofd:" } else { "" };
            let close = format!("</{tag}DocBody>");
            let ofd = ofd.replacen(&close, &format!("<{tag}Signatures>{p}</{tag}Signatures>{close}"), 1);
            pkg.put("OFD.xml", ofd.into_bytes());
            p
        }
    };
    let mut entries: Vec<(String, String, String)> = Vec::new(); // (id, type, baseloc)
    if let Some(existing) = pkg.get(&sigs_path) {
        let el = xml::parse(&sigs_path, &String::from_utf8_lossy(existing))?;
        for s in el.kids("Signature") {
            entries.push((
                s.attr("ID").unwrap_or("").to_owned(),
                s.attr("Type").unwrap_or("Seal").to_owned(),
                s.attr("BaseLoc").unwrap_or("").to_owned(),
            ));
        }
    }
    let n = entries.len();
    let sign_dir = format!("{doc_dir}/Signs/Sign_{n}");
    let sig_xml_path = format!("{sign_dir}/Signature.xml");
    let value_path = format!("{sign_dir}/SignedValue.dat");
    let id = (n + 1).to_string();
    entries.push((id.clone(), "Seal".into(), format!("/{sig_xml_path}")));

    // References: every file but Signatures.xml (it changes with each seal) and this seal's own.
    let own = format!("{sign_dir}/");
    let mut refs = String::with_capacity(1024);
    for path in pkg.paths().filter(|p| *p != sigs_path && !p.starts_with(&own)) {
        refs.push_str("<ofd:Reference FileRef=\"/");
        xml::esc_into(&mut refs, path);
        refs.push_str("\"><ofd:CheckValue>");
        B64.encode_string(signer.digest(pkg.get(path).expect("listed")), &mut refs);
        refs.push_str("</ofd:CheckValue></ofd:Reference>");
    }
    let [x, y, w, h] = stamp.boundary;
    let signature_xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Signature xmlns:ofd=\"{NS}\"><ofd:SignedInfo>\
<ofd:Provider ProviderName=\"erjian\" Version=\"{}\" Company=\"erjian\"/><ofd:SignatureMethod>{}</ofd:SignatureMethod>\
<ofd:SignatureDateTime>{}</ofd:SignatureDateTime><ofd:References CheckMethod=\"{}\">{refs}</ofd:References>\
<ofd:StampAnnot ID=\"{id}\" PageRef=\"{page_ref}\" Boundary=\"{x:.2} {y:.2} {w:.2} {h:.2}\"/></ofd:SignedInfo>\
<ofd:SignedValue>/{value_path}</ofd:SignedValue></ofd:Signature>",
        env!("CARGO_PKG_VERSION"),
        crypto::OID_SM2_WITH_SM3,
        now.format("%Y%m%d%H%M%S"),
        crypto::OID_SM3,
    );
    let tbs = ses::encode_tbs(&signer.seal_der, now, &crypto::sm3(signature_xml.as_bytes()), &format!("/{sig_xml_path}"));
    let value = ses::encode_signature(&tbs, &signer.cert_der, &signer.sign_tbs(&tbs, ses::tbs_shared_len(&tbs, &signer.seal_der)));
    let list: String =
        entries.iter().map(|(i, t, b)| format!("<ofd:Signature ID=\"{}\" Type=\"{}\" BaseLoc=\"{}\"/>", esc(i), esc(t), esc(b))).collect();
    let signatures = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:Signatures xmlns:ofd=\"{NS}\"><ofd:MaxSignId>{id}</ofd:MaxSignId>{list}</ofd:Signatures>");
    pkg.put(&sig_xml_path, signature_xml.into_bytes());
    pkg.put(&value_path, value);
    pkg.put(&sigs_path, signatures.into_bytes());
    Ok(())
}

/// One check's outcome. Integrity checks (digests, signatures, issuer) decide whether the
/// document is intact; validity checks (certificate and seal periods) are reported beside them.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub file: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// Intact, and the certificate and seal were within their validity when it was applied.
    Valid,
    /// Intact (nothing changed, signatures verify), but the signer certificate or the seal was
    /// outside its validity period at signing time.
    OutsideValidity,
    /// Something was changed or does not verify.
    Invalid,
    /// A bare signature without certificate or seal: cannot be checked without the signer's key.
    NotVerifiable,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    pub id: String,
    pub kind: String,
    pub file: String,
    pub verdict: Verdict,
    pub seal_name: Option<String>,
    pub signer: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    pub checks: Vec<Check>,
    /// Not failures: e.g. a signer certificate that has expired since signing.
    pub warnings: Vec<String>,
    /// The signed application data a verifier may want (seal picture type, stamp page).
    pub stamp_page: Option<String>,
    /// The signed value file this entry was verified from.
    pub signed_value: Option<String>,
    /// Which kind of signature value it was: [`FORMAT_SES_V4`], [`FORMAT_PKCS7`], [`FORMAT_BARE`]
    /// or [`FORMAT_UNKNOWN`].
    pub format: &'static str,
}

/// An electronic seal (GB/T 38540 SES_Signature, version 4).
pub const FORMAT_SES_V4: &str = "SES v4 (GB/T 38540)";
/// The earlier electronic seal format, GM/T 0031-2014.
pub const FORMAT_SES_V1: &str = "SES v1 (GM/T 0031-2014)";
/// A digital signature as PKCS#7 / GM/T 0010 SignedData with the signer's certificate inside.
pub const FORMAT_PKCS7: &str = "PKCS#7 SignedData (GM/T 0010)";
/// A bare SM2 signature value: no certificate, no seal.
pub const FORMAT_BARE: &str = "bare SM2 signature";
/// A signed value that could not be read.
pub const FORMAT_UNKNOWN: &str = "unrecognised";

const VALIDITY_CHECKS: [&str; 2] = ["signer_certificate_validity", "seal_validity"];

impl SignatureReport {
    pub fn failed(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.ok)
    }

    /// Nothing was changed and every signature verifies (validity periods aside).
    pub fn intact(&self) -> bool {
        self.verdict != Verdict::NotVerifiable && self.checks.iter().filter(|c| !VALIDITY_CHECKS.contains(&c.name)).all(|c| c.ok)
    }
}

fn verdict_of(checks: &[Check]) -> Verdict {
    if checks.iter().any(|c| !c.ok && !VALIDITY_CHECKS.contains(&c.name)) {
        Verdict::Invalid
    } else if checks.iter().any(|c| !c.ok) {
        Verdict::OutsideValidity
    } else {
        Verdict::Valid
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub signatures: Vec<SignatureReport>,
    /// Faults of the signature list itself (`Signatures.xml`): two entries sharing files or an
    /// ID, or a signature in the package that the list does not name. Any of them fails the
    /// whole document, however its entries verify.
    pub list_problems: Vec<Check>,
}

impl Report {
    /// True when there is at least one signature, every one is valid, and the list of
    /// signatures is sound (each entry verified from its own files).
    pub fn all_valid(&self) -> bool {
        !self.signatures.is_empty() && self.list_problems.is_empty() && self.signatures.iter().all(|s| s.verdict == Verdict::Valid)
    }
}

/// How to verify: the time "now" and, optionally, the trusted roots for signer certificates.
#[derive(Default)]
pub struct VerifyOptions {
    pub now: Option<DateTime<Utc>>,
    pub trusted_roots: Vec<Certificate>,
}

pub fn verify(pkg: &Package, opts: &VerifyOptions) -> Result<Report, OfdError> {
    let Some(sigs_path) = signatures_path(pkg)? else { return Ok(Report { signatures: vec![], list_problems: vec![] }) };
    if pkg.get(&sigs_path).is_none() {
        // Declared signed, but the list is gone: one clear verdict, not an abort.
        let problem = Check {
            name: MISSING_SIGNATURE_LIST,
            ok: false,
            file: Some(sigs_path),
            detail: "the document declares a signature list that the package does not contain".into(),
        };
        return Ok(Report { signatures: vec![], list_problems: vec![problem] });
    }
    let list = xml::parse(&sigs_path, &pkg.text(&sigs_path)?)?;
    let mut out = Vec::new();
    for entry in list.kids("Signature") {
        let loc = entry.attr("BaseLoc").unwrap_or("");
        let path = resolve(&sigs_path, loc);
        let report = match &path {
            Ok(path) => verify_one(pkg, entry, path, opts),
            Err(e) => Err(OfdError::UnsafePath(e.to_string())),
        };
        let loc = path.unwrap_or_else(|_| loc.to_owned());
        let loc = loc.as_str();
        out.push(report.unwrap_or_else(|e| SignatureReport {
            id: entry.attr("ID").unwrap_or("").to_owned(),
            kind: entry.attr("Type").unwrap_or("Seal").to_owned(),
            file: loc.to_owned(),
            verdict: Verdict::Invalid,
            seal_name: None,
            signer: None,
            signed_at: None,
            checks: vec![Check { name: "structure", ok: false, file: Some(loc.to_owned()), detail: e.to_string() }],
            warnings: vec![],
            stamp_page: None,
            signed_value: None,
            format: FORMAT_UNKNOWN,
        }));
    }
    let list_problems = list_problems(pkg, &sigs_path, &out);
    Ok(Report { signatures: out, list_problems })
}

/// The signature list's own soundness: every entry must stand for a signature of its own. An
/// entry redirected to another seal's files, a duplicated entry, a repeated ID, or a signature
/// left in the package but dropped from the list would otherwise make a broken or removed seal
/// read as valid.
fn list_problems(pkg: &Package, sigs_path: &str, reports: &[SignatureReport]) -> Vec<Check> {
    let mut problems = Vec::new();
    let mut problem = |file: &str, detail: String| {
        problems.push(Check { name: "signature_list", ok: false, file: Some(file.to_owned()), detail });
    };
    for (i, r) in reports.iter().enumerate() {
        let earlier = &reports[..i];
        if earlier.iter().any(|e| e.id == r.id) {
            problem(sigs_path, format!("two signatures share the ID \"{}\"", r.id));
        }
        if earlier.iter().any(|e| e.file == r.file) {
            problem(&r.file, format!("signature \"{}\" points at the same Signature.xml as another entry", r.id));
        }
        if let Some(v) = &r.signed_value {
            if earlier.iter().any(|e| e.signed_value.as_ref() == Some(v)) {
                problem(v, format!("signature \"{}\" shares its signed value with another entry", r.id));
            }
        }
        if pkg.get(&r.file).is_none() {
            problem(&r.file, format!("signature \"{}\" names a file that is not in the package", r.id));
        }
    }
    for path in pkg.paths() {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name.eq_ignore_ascii_case("Signature.xml") && !reports.iter().any(|r| r.file == path) {
            problem(path, "a signature in the package is missing from the signature list (removed or replaced)".to_owned());
        }
    }
    problems
}

fn verify_one(pkg: &Package, entry: &El, path: &str, opts: &VerifyOptions) -> Result<SignatureReport, OfdError> {
    let now = opts.now.unwrap_or_else(Utc::now);
    let sig_xml = pkg.require(path)?;
    let el = xml::parse(path, &String::from_utf8_lossy(sig_xml))?;
    let info = el.child("SignedInfo").ok_or_else(|| OfdError::Xml { file: path.into(), message: "no SignedInfo".into() })?;
    let mut checks = Vec::new();
    let mut warnings = Vec::new();

    // 1. Every referenced file's digest.
    if let Some(refs) = info.child("References") {
        let method = refs.attr("CheckMethod").unwrap_or(crypto::OID_SM3);
        let sm3 = matches!(method.to_ascii_uppercase().as_str(), "SM3" | "1.2.156.10197.1.401");
        for r in refs.kids("Reference") {
            let file_ref = r.attr("FileRef").unwrap_or("");
            let target = resolve(path, file_ref).ok();
            let expected = r.child_text("CheckValue").unwrap_or("");
            let (ok, detail) = match (sm3, target.as_deref().and_then(|t| pkg.get(t))) {
                (false, _) => (false, format!("unsupported digest method {method}")),
                (true, None) => (false, "referenced file is missing".to_owned()),
                (true, Some(bytes)) => {
                    let got = B64.encode(crypto::sm3(bytes));
                    (
                        got == expected,
                        if got == expected {
                            "SM3 digest matches".into()
                        } else {
                            "SM3 digest differs: the file was changed after signing".into()
                        },
                    )
                }
            };
            checks.push(Check { name: "reference_digest", ok, file: Some(target.unwrap_or_else(|| file_ref.to_owned())), detail });
        }
    }
    let value_loc = el.child_text("SignedValue").unwrap_or("");
    let value_path = resolve(path, value_loc)?;
    let value = pkg.require(&value_path)?;
    let kind = entry.attr("Type").unwrap_or("Seal").to_owned();
    let stamp_page = info.child("StampAnnot").and_then(|s| s.attr("PageRef")).map(str::to_owned);
    let base = |verdict, checks, warnings| SignatureReport {
        id: entry.attr("ID").unwrap_or("").to_owned(),
        kind: kind.clone(),
        file: path.to_owned(),
        verdict,
        seal_name: None,
        signer: None,
        signed_at: None,
        checks,
        warnings,
        stamp_page: stamp_page.clone(),
        signed_value: Some(value_path.clone()),
        format: FORMAT_SES_V4,
    };
    if crate::pkcs7::looks_like(value) {
        let mut r = base(Verdict::Invalid, checks, warnings);
        r.format = FORMAT_PKCS7;
        return Ok(verify_pkcs7(r, value, sig_xml, sig_time(&el), opts, now));
    }
    let ses = match ses::decode_signature(value) {
        Ok(s) => s,
        Err(e) if kind == "Sign" => {
            warnings.push(format!(
                "bare digital signature without a certificate or seal ({e}); it cannot be verified without the signer's public key"
            ));
            let any_failed = checks.iter().any(|c: &Check| !c.ok);
            let mut r = base(if any_failed { Verdict::Invalid } else { Verdict::NotVerifiable }, checks, warnings);
            r.format = FORMAT_BARE;
            return Ok(r);
        }
        Err(e) => {
            checks.push(Check { name: "signed_value", ok: false, file: Some(value_path.clone()), detail: e.to_string() });
            let mut r = base(Verdict::Invalid, checks, warnings);
            r.format = FORMAT_UNKNOWN;
            return Ok(r);
        }
    };
    // 2. The signed property names this Signature.xml: files copied or redirected to another
    //    entry do not pass as a signature of their own. (Only when it is a path, as OFD writers do.)
    if ses.property_info.to_ascii_lowercase().ends_with(".xml") {
        let named = resolve("", &ses.property_info).unwrap_or_default();
        let ok = named == path;
        checks.push(Check {
            name: "property_info",
            ok,
            file: Some(value_path.clone()),
            detail: if ok {
                "the signed property names this Signature.xml".into()
            } else {
                format!("the signature was made for {} and has been moved to {path}", ses.property_info)
            },
        });
    }
    // 3. The data hash covers Signature.xml.
    let hash_ok = ses.data_hash == crypto::sm3(sig_xml);
    checks.push(Check {
        name: "data_hash",
        ok: hash_ok,
        file: Some(path.to_owned()),
        detail: if hash_ok { "SM3 of Signature.xml matches dataHash".into() } else { "Signature.xml was changed after signing".into() },
    });
    // 4. The signer's SM2 signature over TBS_Sign.
    let signer_cert = parse_certificate(&ses.signer_cert);
    let sig_ok = signer_cert.as_ref().is_ok_and(|c| crypto::verify(&c.public_key, &ses.tbs_raw, &ses.signature));
    checks.push(Check {
        name: "signature",
        ok: sig_ok,
        file: Some(value_path.clone()),
        detail: if sig_ok { "SM2 signature over TBS_Sign verifies".into() } else { "SM2 signature does not verify".into() },
    });
    // 5. The seal maker's signature over SES_SealInfo.
    let maker = parse_certificate(&ses.seal.maker_cert);
    let maker_ok = maker.as_ref().is_ok_and(|c| crypto::verify(&c.public_key, &ses.seal.maker_message, &ses.seal.maker_signature));
    checks.push(Check {
        name: "seal_maker_signature",
        ok: maker_ok,
        file: Some(value_path.clone()),
        detail: if maker_ok {
            "seal maker's SM2 signature over SES_SealInfo verifies".into()
        } else {
            "the seal was not made by its maker certificate".into()
        },
    });
    // 6. Validity at signing time; expiry since then is a warning.
    if let Ok(c) = &signer_cert {
        certificate_checks(c, ses.time, &value_path, opts, now, &mut checks, &mut warnings);
    }
    let seal_ok = ses.seal.valid_start <= ses.time && ses.time <= ses.seal.valid_end;
    checks.push(Check {
        name: "seal_validity",
        ok: seal_ok,
        file: Some(value_path.clone()),
        detail: format!("seal valid {} – {}", ses.seal.valid_start.format("%Y-%m-%d"), ses.seal.valid_end.format("%Y-%m-%d")),
    });
    let mut r = base(verdict_of(&checks), checks, warnings);
    r.format = if ses.version < 4 { FORMAT_SES_V1 } else { FORMAT_SES_V4 };
    r.seal_name = Some(ses.seal.name.clone());
    r.signer = signer_cert.ok().map(|c| c.subject);
    r.signed_at = Some(ses.time);
    Ok(r)
}

/// The signer certificate's validity when it signed (expiry since is a warning) and, with trust
/// anchors given, its issuer.
fn certificate_checks(
    c: &Certificate,
    signed: DateTime<Utc>,
    value_path: &str,
    opts: &VerifyOptions,
    now: DateTime<Utc>,
    checks: &mut Vec<Check>,
    warnings: &mut Vec<String>,
) {
    let ok = c.valid_at(signed);
    checks.push(Check {
        name: "signer_certificate_validity",
        ok,
        file: Some(value_path.to_owned()),
        detail: format!(
            "certificate valid {} – {}, signed {}",
            c.not_before.format("%Y-%m-%d"),
            c.not_after.format("%Y-%m-%d"),
            signed.format("%Y-%m-%d %H:%M:%S")
        ),
    });
    if ok && !c.valid_at(now) {
        warnings.push(format!("the signer certificate has expired since signing (valid until {})", c.not_after.format("%Y-%m-%d")));
    }
    if !opts.trusted_roots.is_empty() {
        let trusted = opts.trusted_roots.iter().any(|r| c.issued_by(r));
        checks.push(Check {
            name: "signer_certificate_issuer",
            ok: trusted,
            file: Some(value_path.to_owned()),
            detail: format!("issuer: {}", c.issuer),
        });
    }
}

/// `SignatureDateTime` of a Signature.xml (`20221116112058Z`, or ISO 8601).
fn sig_time(el: &El) -> Option<DateTime<Utc>> {
    let t = el.child("SignedInfo")?.child_text("SignatureDateTime")?.trim();
    let digits = t.trim_end_matches('Z');
    chrono::NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S")
        .ok()
        .map(|n| n.and_utc())
        .or_else(|| DateTime::parse_from_rfc3339(t).ok().map(|d| d.with_timezone(&Utc)))
}

/// A `Type="Sign"` signature whose value is PKCS#7 / GM/T 0010 SignedData over this
/// Signature.xml (detached), the signer's certificate inside.
fn verify_pkcs7(
    mut r: SignatureReport,
    value: &[u8],
    sig_xml: &[u8],
    declared: Option<DateTime<Utc>>,
    opts: &VerifyOptions,
    now: DateTime<Utc>,
) -> SignatureReport {
    let value_path = r.signed_value.clone().unwrap_or_default();
    let sd = match crate::pkcs7::decode(value) {
        Ok(sd) => sd,
        Err(e) => {
            r.checks.push(Check { name: "signed_value", ok: false, file: Some(value_path), detail: e.to_string() });
            r.verdict = Verdict::Invalid;
            return r;
        }
    };
    let hash_ok = sd.digest_matches(sig_xml);
    r.checks.push(Check {
        name: "data_hash",
        ok: hash_ok,
        file: Some(r.file.clone()),
        detail: if hash_ok {
            "SM3 of Signature.xml matches the signed messageDigest".into()
        } else {
            "Signature.xml was changed after signing".into()
        },
    });
    let sig_ok = sd.signature_verifies(sig_xml);
    r.checks.push(Check {
        name: "signature",
        ok: sig_ok,
        file: Some(value_path.clone()),
        detail: if sig_ok {
            "SM2 signature of the PKCS#7 SignedData verifies with the certificate inside".into()
        } else {
            "SM2 signature does not verify".into()
        },
    });
    let signed = sd.signing_time.or(declared).unwrap_or(now);
    certificate_checks(&sd.signer_cert, signed, &value_path, opts, now, &mut r.checks, &mut r.warnings);
    r.verdict = verdict_of(&r.checks);
    r.signer = Some(sd.signer_cert.subject.clone());
    r.signed_at = Some(signed);
    r
}

/// Files a signature protects (for tamper tests): Signature.xml, SignedValue.dat and references.
pub fn protected_files(pkg: &Package) -> Result<Vec<String>, OfdError> {
    let mut out = Vec::new();
    let Some(sigs_path) = signatures_path(pkg)? else { return Ok(out) };
    let list = xml::parse(&sigs_path, &pkg.text(&sigs_path)?)?;
    for entry in list.kids("Signature") {
        let path = resolve(&sigs_path, entry.attr("BaseLoc").unwrap_or(""))?;
        let el = xml::parse(&path, &pkg.text(&path)?)?;
        let mut refs = Vec::new();
        if let Some(info) = el.child("SignedInfo") {
            let mut v = Vec::new();
            info.all("Reference", &mut v);
            refs.extend(v.iter().filter_map(|r| resolve(&path, r.attr("FileRef")?).ok()));
        }
        if let Some(v) = el.child_text("SignedValue") {
            out.push(resolve(&path, v)?);
        }
        out.push(path);
        out.extend(refs);
    }
    out.sort();
    out.dedup();
    out.retain(|p| normalise(p).is_ok());
    Ok(out)
}

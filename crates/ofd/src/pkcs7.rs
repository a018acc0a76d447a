//! PKCS#7 / CMS SignedData as GM/T 0010 profiles it for SM2 (`1.2.156.10197.6.1.4.2.2`, or the
//! RSA-era `1.2.840.113549.1.7.2` carrying SM2): what commercial OFD signing tools put in the
//! SignedValue of a `Type="Sign"` signature. The content is detached — it is the signature's
//! `Signature.xml` — and the signer's certificate travels inside. Verification follows RFC 5652
//! §5.4: with authenticated attributes, their `messageDigest` must equal SM3 of the content and
//! the SM2 signature covers the attributes' DER with the SET tag; without them it covers the
//! content itself.

use crate::crypto::{self, parse_certificate, Certificate};
use crate::der::{self, Tlv};
use crate::OfdError;
use chrono::{DateTime, Utc};

pub const OID_SIGNED_DATA_GM: &str = "1.2.156.10197.6.1.4.2.2";
pub const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_SM3: &str = "1.2.156.10197.1.401";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const OID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
/// SM2 signature algorithms a signer info may name.
const SM2_SIGNATURES: [&str; 3] = ["1.2.156.10197.1.301.1", "1.2.156.10197.1.501", "1.2.156.10197.1.301"];

/// The parts of one SignedData a verifier needs.
#[derive(Debug, Clone)]
pub struct SignedData {
    /// The signer's certificate (the one whose serial the signer info names, else the first).
    pub signer_cert: Certificate,
    /// `messageDigest` of the authenticated attributes, when there are any.
    pub message_digest: Option<Vec<u8>>,
    /// What the SM2 signature covers: the attributes as a SET, or `None` for the content itself.
    pub signed_attrs: Option<Vec<u8>>,
    pub signature: Vec<u8>,
    pub signing_time: Option<DateTime<Utc>>,
}

fn bad(what: &str) -> OfdError {
    OfdError::Asn1(format!("PKCS#7 SignedData: {what}"))
}

fn kids<'a>(t: &Tlv<'a>) -> Result<Vec<Tlv<'a>>, OfdError> {
    der::children(t.content)
}

/// Whether the bytes begin like a PKCS#7 ContentInfo of SignedData (cheap test, no full parse).
pub fn looks_like(raw: &[u8]) -> bool {
    der::expect(raw, der::SEQUENCE)
        .ok()
        .and_then(|(t, _)| kids(&t).ok())
        .and_then(|k| k.first().map(der::oid_string))
        .is_some_and(|oid| oid == OID_SIGNED_DATA_GM || oid == OID_SIGNED_DATA)
}

/// Decodes a ContentInfo holding SignedData with one SM2/SM3 signer.
pub fn decode(raw: &[u8]) -> Result<SignedData, OfdError> {
    let (info, _) = der::expect(raw, der::SEQUENCE)?;
    let parts = kids(&info)?;
    let oid = parts.first().map(der::oid_string).ok_or_else(|| bad("no content type"))?;
    if oid != OID_SIGNED_DATA_GM && oid != OID_SIGNED_DATA {
        return Err(bad(&format!("content type {oid} is not SignedData")));
    }
    let explicit = parts.get(1).filter(|t| t.tag == 0xA0).ok_or_else(|| bad("no content"))?;
    let (sd, _) = der::expect(explicit.content, der::SEQUENCE)?;
    let fields = kids(&sd)?;
    // version, digestAlgorithms, contentInfo, [0] certificates?, [1] crls?, signerInfos
    let certs: Vec<Certificate> = match fields.iter().find(|t| t.tag == 0xA0) {
        Some(set) => der::children(set.content)?.iter().filter_map(|c| parse_certificate(c.raw).ok()).collect(),
        None => Vec::new(),
    };
    let signers = fields.last().filter(|t| t.tag == der::SET).ok_or_else(|| bad("no signer infos"))?;
    let signers = kids(signers)?;
    let signer = match signers.as_slice() {
        [one] => one,
        [] => return Err(bad("no signer")),
        _ => return Err(bad("more than one signer")),
    };
    let s = kids(signer)?;
    // version, issuerAndSerialNumber, digestAlgorithm, [0] authenticatedAttributes?,
    // digestEncryptionAlgorithm, encryptedDigest, [1] unauthenticatedAttributes?
    let ias = s.get(1).ok_or_else(|| bad("no issuer and serial"))?;
    let serial = kids(ias)?.get(1).map(|t| t.content.to_vec()).ok_or_else(|| bad("no serial"))?;
    let digest_alg = s.get(2).and_then(|t| kids(t).ok()).and_then(|k| k.first().map(der::oid_string)).unwrap_or_default();
    if digest_alg != OID_SM3 {
        return Err(bad(&format!("digest algorithm {digest_alg} is not SM3")));
    }
    let attrs = s.get(3).filter(|t| t.tag == 0xA0);
    let rest = &s[if attrs.is_some() { 4 } else { 3 }..];
    let sig_alg = rest.first().and_then(|t| kids(t).ok()).and_then(|k| k.first().map(der::oid_string)).unwrap_or_default();
    if !SM2_SIGNATURES.contains(&sig_alg.as_str()) {
        return Err(bad(&format!("signature algorithm {sig_alg} is not SM2")));
    }
    let signature = rest.get(1).filter(|t| t.tag == der::OCTET_STRING).map(|t| t.content.to_vec()).ok_or_else(|| bad("no signature"))?;
    let strip = |v: &[u8]| v.iter().skip_while(|b| **b == 0).copied().collect::<Vec<u8>>();
    let signer_cert = certs
        .iter()
        .find(|c| strip(&c.serial) == strip(&serial))
        .or(certs.first())
        .cloned()
        .ok_or_else(|| bad("the signer's certificate is not inside"))?;
    let (mut message_digest, mut signing_time, mut signed_attrs) = (None, None, None);
    if let Some(a) = attrs {
        for attr in kids(a)? {
            let p = kids(&attr)?;
            let (Some(oid), Some(values)) = (p.first(), p.get(1)) else { continue };
            let first = kids(values)?.into_iter().next();
            match der::oid_string(oid).as_str() {
                OID_MESSAGE_DIGEST => message_digest = first.map(|v| v.content.to_vec()),
                OID_SIGNING_TIME => signing_time = first.and_then(|v| der::time(&v).ok()),
                _ => {}
            }
        }
        // The signature covers the attributes encoded as a SET OF (RFC 5652 §5.4).
        let mut set = a.raw.to_vec();
        set[0] = der::SET;
        signed_attrs = Some(set);
        if message_digest.is_none() {
            return Err(bad("authenticated attributes without messageDigest"));
        }
    }
    Ok(SignedData { signer_cert, message_digest, signed_attrs, signature, signing_time })
}

impl SignedData {
    /// Whether `content`'s SM3 matches the signed message digest (true when the signature
    /// covers the content directly).
    pub fn digest_matches(&self, content: &[u8]) -> bool {
        self.message_digest.as_deref().is_none_or(|d| d == crypto::sm3(content))
    }

    /// Whether the SM2 signature verifies with the certificate inside.
    pub fn signature_verifies(&self, content: &[u8]) -> bool {
        let message = self.signed_attrs.as_deref().unwrap_or(content);
        crypto::verify(&self.signer_cert.public_key, message, &self.signature)
    }
}

//! Seals of the earlier format, GM/T 0031-2014 (安全电子签章密码应用技术规范; ofdrw calls it v1,
//! its header carries version 1 or 2): decoded into the same [`SesSignature`] as v4, keeping the
//! exact bytes each party signed.
//!
//! ```text
//! SES_Signature ::= SEQ { toSign TBS_Sign, signature BIT STRING }
//! TBS_Sign      ::= SEQ { version INTEGER, eseal SESeal, timeInfo BIT STRING, dataHash BIT STRING,
//!                         propertyInfo IA5String, cert OCTET STRING, signatureAlgorithm OID }
//! SESeal        ::= SEQ { esealInfo SES_SealInfo, signInfo SEQ { cert OCTET STRING, signatureAlgorithm OID, signData BIT STRING } }
//! SES_SealInfo  ::= SEQ { header SEQ { "ES", version, Vid }, esID IA5String,
//!                         property SEQ { type, name, certList SEQ OF OCTET STRING, createDate, validStart, validEnd },
//!                         picture SEQ { type, data, width, height }, extDatas OPTIONAL }
//! ```
//!
//! Differences from v4 that matter to a verifier: the signer's certificate and algorithm are
//! inside TBS_Sign (so the signer signs them too); the maker signs `SEQ { esealInfo, cert,
//! signatureAlgorithm }`, not esealInfo alone; times are UTCTime, and `timeInfo` is a BIT STRING
//! holding a time (some writers use an OCTET STRING, accepted as well).

use crate::der::{self, Tlv};
use crate::ses::{Seal, SesSignature};
use crate::OfdError;
use chrono::{DateTime, NaiveDateTime, Utc};

fn need<'a>(v: &'a [Tlv<'a>], i: usize, what: &str) -> Result<&'a Tlv<'a>, OfdError> {
    v.get(i).ok_or_else(|| OfdError::Asn1(format!("GM/T 0031 {what}: missing element {i}")))
}

/// The bytes of a BIT STRING (or, from lenient writers, an OCTET STRING).
fn bytes_of(t: &Tlv<'_>) -> Result<Vec<u8>, OfdError> {
    match t.tag {
        der::BIT_STRING => der::bit_string(t),
        der::OCTET_STRING => Ok(t.content.to_vec()),
        other => Err(OfdError::Asn1(format!("GM/T 0031: expected a BIT STRING, found tag {other:#x}"))),
    }
}

/// `timeInfo`: a DER time inside the bit string, or the time's characters themselves
/// (`YYMMDDHHMMSSZ`, `YYYYMMDDHHMMSSZ`, `YYYY-MM-DD HH:MM:SS`).
fn time_info(t: &Tlv<'_>) -> Result<DateTime<Utc>, OfdError> {
    if matches!(t.tag, der::UTC_TIME | der::GENERALIZED_TIME) {
        return der::time(t);
    }
    let bytes = bytes_of(t)?;
    if let Ok((inner, rest)) = der::read(&bytes) {
        if rest.is_empty() && matches!(inner.tag, der::UTC_TIME | der::GENERALIZED_TIME) {
            return der::time(&inner);
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim().trim_end_matches('Z');
    for format in ["%y%m%d%H%M%S", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(t.and_utc());
        }
    }
    Err(OfdError::Asn1(format!("GM/T 0031: unreadable timeInfo {text:?}")))
}

/// Decodes a GM/T 0031-2014 SESeal.
pub fn decode_seal(raw: &[u8]) -> Result<Seal, OfdError> {
    let (seal, _) = der::expect(raw, der::SEQUENCE)?;
    let s = der::children(seal.content)?;
    let info = need(&s, 0, "SESeal")?;
    let sign_info = need(&s, 1, "SESeal signInfo")?;
    if sign_info.tag != der::SEQUENCE {
        return Err(OfdError::Asn1("GM/T 0031: SESeal has no signInfo".into()));
    }
    let si = der::children(sign_info.content)?;
    let i = der::children(info.content)?;
    let header = der::children(need(&i, 0, "SES_SealInfo")?.content)?;
    let prop = der::children(need(&i, 2, "SES_SealInfo")?.content)?;
    let pic = der::children(need(&i, 3, "SES_SealInfo")?.content)?;
    let cert_list = match prop.get(2) {
        Some(t) if t.tag == der::SEQUENCE => {
            der::children(t.content)?.iter().filter(|c| c.tag == der::OCTET_STRING).map(|c| c.content.to_vec()).collect()
        }
        _ => vec![],
    };
    let (cert, alg) = (need(&si, 0, "signInfo")?, need(&si, 1, "signInfo")?);
    Ok(Seal {
        raw: seal.raw.to_vec(),
        info_raw: info.raw.to_vec(),
        // The maker signed esealInfo, its certificate and the algorithm, as one SEQUENCE.
        maker_message: der::seq(&[info.raw.to_vec(), cert.raw.to_vec(), alg.raw.to_vec()]),
        version: der::small_int(need(&header, 1, "header")?).unwrap_or(0),
        es_id: der::string(need(&i, 1, "esID")?),
        seal_type: der::small_int(need(&prop, 0, "property")?)?,
        name: der::string(need(&prop, 1, "property")?),
        cert_list,
        created: der::time(need(&prop, 3, "createDate")?)?,
        valid_start: der::time(need(&prop, 4, "validStart")?)?,
        valid_end: der::time(need(&prop, 5, "validEnd")?)?,
        picture_type: der::string(need(&pic, 0, "picture")?),
        picture: need(&pic, 1, "picture")?.content.to_vec(),
        width: der::small_int(need(&pic, 2, "picture")?).unwrap_or(0),
        height: der::small_int(need(&pic, 3, "picture")?).unwrap_or(0),
        maker_cert: cert.content.to_vec(),
        maker_alg: der::oid_string(alg),
        maker_signature: bytes_of(need(&si, 2, "signInfo signData")?)?,
    })
}

/// Decodes a SignedValue.dat holding a GM/T 0031-2014 SES_Signature.
pub fn decode_signature(raw: &[u8]) -> Result<SesSignature, OfdError> {
    let (top, _) = der::expect(raw, der::SEQUENCE)?;
    let parts = der::children(top.content)?;
    let tbs = need(&parts, 0, "SES_Signature")?;
    if tbs.tag != der::SEQUENCE || parts.len() != 2 {
        return Err(OfdError::Asn1("not a GM/T 0031 SES_Signature".into()));
    }
    let t = der::children(tbs.content)?;
    Ok(SesSignature {
        tbs_raw: tbs.raw.to_vec(),
        version: der::small_int(need(&t, 0, "TBS_Sign")?)?,
        seal: decode_seal(need(&t, 1, "TBS_Sign eseal")?.raw)?,
        time: time_info(need(&t, 2, "timeInfo")?)?,
        data_hash: bytes_of(need(&t, 3, "dataHash")?)?,
        property_info: der::string(need(&t, 4, "propertyInfo")?),
        signer_cert: need(&t, 5, "TBS_Sign cert")?.content.to_vec(),
        alg: der::oid_string(need(&t, 6, "TBS_Sign signatureAlgorithm")?),
        signature: bytes_of(need(&parts, 1, "signature")?)?,
    })
}

//! GB/T 38540-2020 (SES v4) electronic seal structures: decode (keeping the exact raw bytes that
//! were signed) and encode.
//!
//! ```text
//! SES_Signature ::= SEQ { toSign TBS_Sign, cert OCTET STRING, signatureAlgID OID, signature BIT STRING, timeStamp [0] OPTIONAL }
//! TBS_Sign      ::= SEQ { version INTEGER (4), eseal SESeal, timeInfo GeneralizedTime, dataHash BIT STRING, propertyInfo IA5String, extDatas OPTIONAL }
//! SESeal        ::= SEQ { esealInfo SES_SealInfo, cert OCTET STRING, signAlgID OID, signedValue BIT STRING }
//! SES_SealInfo  ::= SEQ { header SEQ { "ES", 4, Vid }, esID IA5String, property SEQ { type, name, certListType, certList, createDate, validStart, validEnd },
//!                         picture SEQ { type IA5String, data OCTET STRING, width INTEGER, height INTEGER }, extDatas OPTIONAL }
//! ```

use crate::der::{self, Tlv};
use crate::OfdError;
use chrono::{DateTime, Utc};

/// An electronic seal (印章) as made by its maker.
#[derive(Debug, Clone)]
pub struct Seal {
    pub raw: Vec<u8>,
    /// The exact bytes of SES_SealInfo.
    pub info_raw: Vec<u8>,
    /// The bytes the maker signed: SES_SealInfo in v4; in GM/T 0031-2014 the SEQUENCE of it, the
    /// maker's certificate and the algorithm.
    pub maker_message: Vec<u8>,
    /// The seal header's version (4; 1 or 2 for GM/T 0031-2014).
    pub version: i64,
    pub es_id: String,
    pub seal_type: i64,
    pub name: String,
    pub cert_list: Vec<Vec<u8>>,
    pub created: DateTime<Utc>,
    pub valid_start: DateTime<Utc>,
    pub valid_end: DateTime<Utc>,
    pub picture_type: String,
    pub picture: Vec<u8>,
    /// Picture size in millimetres.
    pub width: i64,
    pub height: i64,
    pub maker_cert: Vec<u8>,
    pub maker_alg: String,
    pub maker_signature: Vec<u8>,
}

/// A seal applied to a document.
#[derive(Debug, Clone)]
pub struct SesSignature {
    /// The exact bytes of TBS_Sign that the signer signed.
    pub tbs_raw: Vec<u8>,
    pub version: i64,
    pub seal: Seal,
    pub time: DateTime<Utc>,
    pub data_hash: Vec<u8>,
    pub property_info: String,
    pub signer_cert: Vec<u8>,
    pub alg: String,
    pub signature: Vec<u8>,
}

fn need<'a>(v: &'a [Tlv<'a>], i: usize, what: &str) -> Result<&'a Tlv<'a>, OfdError> {
    v.get(i).ok_or_else(|| OfdError::Asn1(format!("{what}: missing element {i}")))
}

pub fn decode_seal(raw: &[u8]) -> Result<Seal, OfdError> {
    let (seal, _) = der::expect(raw, der::SEQUENCE)?;
    let s = der::children(seal.content)?;
    let info = need(&s, 0, "SESeal")?;
    let i = der::children(info.content)?;
    let prop = der::children(need(&i, 2, "SES_SealInfo")?.content)?;
    let pic = der::children(need(&i, 3, "SES_SealInfo")?.content)?;
    let cert_list = match prop.get(3) {
        Some(t) if t.tag == der::SEQUENCE => {
            der::children(t.content)?.iter().filter(|c| c.tag == der::OCTET_STRING).map(|c| c.content.to_vec()).collect()
        }
        _ => vec![],
    };
    let header = der::children(need(&i, 0, "SES_SealInfo")?.content)?;
    Ok(Seal {
        raw: seal.raw.to_vec(),
        info_raw: info.raw.to_vec(),
        maker_message: info.raw.to_vec(),
        version: der::small_int(need(&header, 1, "header")?).unwrap_or(0),
        es_id: der::string(need(&i, 1, "esID")?),
        seal_type: der::small_int(need(&prop, 0, "property")?)?,
        name: der::string(need(&prop, 1, "property")?),
        cert_list,
        created: der::time(need(&prop, 4, "createDate")?)?,
        valid_start: der::time(need(&prop, 5, "validStart")?)?,
        valid_end: der::time(need(&prop, 6, "validEnd")?)?,
        picture_type: der::string(need(&pic, 0, "picture")?),
        picture: need(&pic, 1, "picture")?.content.to_vec(),
        width: der::small_int(need(&pic, 2, "picture")?).unwrap_or(0),
        height: der::small_int(need(&pic, 3, "picture")?).unwrap_or(0),
        maker_cert: need(&s, 1, "SESeal cert")?.content.to_vec(),
        maker_alg: der::oid_string(need(&s, 2, "SESeal alg")?),
        maker_signature: der::bit_string(need(&s, 3, "SESeal signedValue")?)?,
    })
}

/// Decodes a SignedValue.dat holding an SES_Signature: v4 (GB/T 38540), or the earlier GM/T
/// 0031-2014 form ([`crate::ses_v1`]; `version` below 4).
pub fn decode_signature(raw: &[u8]) -> Result<SesSignature, OfdError> {
    let (top, _) = der::expect(raw, der::SEQUENCE)?;
    let parts = der::children(top.content)?;
    let tbs = need(&parts, 0, "SES_Signature")?;
    if tbs.tag != der::SEQUENCE {
        return Err(OfdError::Asn1("not an SES_Signature".into()));
    }
    let t = der::children(tbs.content)?;
    let version = der::small_int(need(&t, 0, "TBS_Sign")?)?;
    if version != 4 {
        return crate::ses_v1::decode_signature(raw)
            .map_err(|e| OfdError::Asn1(format!("SES version {version} is neither v4 nor a GM/T 0031-2014 seal: {e}")));
    }
    Ok(SesSignature {
        tbs_raw: tbs.raw.to_vec(),
        version,
        seal: decode_seal(need(&t, 1, "TBS_Sign eseal")?.raw)?,
        time: der::time(need(&t, 2, "timeInfo")?)?,
        data_hash: der::bit_string(need(&t, 3, "dataHash")?)?,
        property_info: der::string(need(&t, 4, "propertyInfo")?),
        signer_cert: need(&parts, 1, "cert")?.content.to_vec(),
        alg: der::oid_string(need(&parts, 2, "signatureAlgID")?),
        signature: der::bit_string(need(&parts, 3, "signature")?)?,
    })
}

/// What a new seal says; the maker signs it.
pub struct SealSpec<'a> {
    pub es_id: &'a str,
    pub name: &'a str,
    /// Certificates of those allowed to use the seal.
    pub users: &'a [Vec<u8>],
    pub created: DateTime<Utc>,
    pub valid_start: DateTime<Utc>,
    pub valid_end: DateTime<Utc>,
    pub picture_type: &'a str,
    pub picture: &'a [u8],
    pub width_mm: i64,
    pub height_mm: i64,
}

pub fn encode_seal(spec: &SealSpec<'_>, maker: &crate::crypto::KeyPair, maker_cert: &[u8]) -> Vec<u8> {
    let info = der::seq(&[
        der::seq(&[der::ia5("ES"), der::int(4), der::ia5("erjian")]),
        der::ia5(spec.es_id),
        der::seq(&[
            der::int(1),
            der::utf8(spec.name),
            der::int(1),
            der::seq(&spec.users.iter().map(|c| der::octets(c)).collect::<Vec<_>>()),
            der::gentime(spec.created),
            der::gentime(spec.valid_start),
            der::gentime(spec.valid_end),
        ]),
        der::seq(&[der::ia5(spec.picture_type), der::octets(spec.picture), der::int(spec.width_mm), der::int(spec.height_mm)]),
    ]);
    let sig = maker.sign(&info);
    der::seq(&[info, der::octets(maker_cert), der::oid(crate::crypto::OID_SM2_WITH_SM3), der::bits(&sig)])
}

/// TBS_Sign for a seal applied at `time` over the SM3 digest of Signature.xml.
pub fn encode_tbs(seal_der: &[u8], time: DateTime<Utc>, data_hash: &[u8], property_info: &str) -> Vec<u8> {
    der::seq(&[der::int(4), seal_der.to_vec(), der::gentime(time), der::bits(data_hash), der::ia5(property_info)])
}

/// How many leading bytes of an [`encode_tbs`] output depend only on the seal: the SEQUENCE
/// header, the version and the seal (the header's length bytes are the same while the rest of
/// the TBS has the same length; a signer that keeps them checks the whole prefix anyway).
pub fn tbs_shared_len(tbs: &[u8], seal_der: &[u8]) -> usize {
    let header = der::read(tbs).map(|(t, _)| t.raw.len() - t.content.len()).unwrap_or(0);
    (header + der::int(4).len() + seal_der.len()).min(tbs.len())
}

pub fn encode_signature(tbs: &[u8], signer_cert: &[u8], signature: &[u8]) -> Vec<u8> {
    der::seq(&[tbs.to_vec(), der::octets(signer_cert), der::oid(crate::crypto::OID_SM2_WITH_SM3), der::bits(signature)])
}

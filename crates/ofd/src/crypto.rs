//! The cryptography, in one small module: SM3 digests, SM2 signatures with the default user ID
//! `1234567812345678` (DER `SEQUENCE { r, s }` on the wire), and minimal X.509 certificates
//! (issue and parse) signed with SM2-with-SM3.

use crate::der::{self, Tlv};
use crate::OfdError;
use chrono::{DateTime, Datelike, Utc};
use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm3::{Digest, Sm3};

pub const DEFAULT_ID: &str = "1234567812345678";
pub const OID_SM2_WITH_SM3: &str = "1.2.156.10197.1.501";
pub const OID_SM3: &str = "1.2.156.10197.1.401";
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_SM2_CURVE: &str = "1.2.156.10197.1.301";

pub fn sm3(data: &[u8]) -> [u8; 32] {
    Sm3::digest(data).into()
}

/// SM3 over data that arrives in pieces (a file written as it is produced).
#[derive(Clone, Default)]
pub struct Sm3Stream(Sm3);

impl Sm3Stream {
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

/// HMAC (RFC 2104) with SM3, for tokens the deployment hands out and checks itself.
pub fn hmac_sm3(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&sm3(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sm3::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sm3::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// An SM2 key pair.
#[derive(Clone)]
pub struct KeyPair {
    sk: SigningKey,
}

impl KeyPair {
    pub fn generate() -> KeyPair {
        loop {
            let bytes: [u8; 32] = rand::random();
            if let Ok(k) = KeyPair::from_secret(&bytes) {
                return k;
            }
        }
    }

    pub fn from_secret(bytes: &[u8]) -> Result<KeyPair, OfdError> {
        SigningKey::from_slice(DEFAULT_ID, bytes).map(|sk| KeyPair { sk }).map_err(|_| OfdError::Crypto("invalid SM2 secret key".into()))
    }

    /// The 32-byte secret scalar (store it encrypted).
    pub fn secret(&self) -> Vec<u8> {
        self.sk.to_bytes().to_vec()
    }

    /// The uncompressed SEC1 public point `04 || x || y`.
    pub fn public(&self) -> Vec<u8> {
        self.sk.verifying_key().to_sec1_bytes().to_vec()
    }

    /// Signs with the default user ID; returns DER `SEQUENCE { r, s }`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let sig: Signature = self.sk.sign(message);
        sig.to_der().to_bytes().to_vec()
    }

    /// Signs `message` with the default user ID; the signature as raw r‖s (64 bytes), the form
    /// compact encodings carry.
    pub fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
        let sig: Signature = self.sk.sign(message);
        let mut out = [0u8; 64];
        out.copy_from_slice(&sig.to_bytes());
        out
    }
}

/// The SM3 state after `Z_A || prefix` for one key: signing many messages that begin with the
/// same bytes (a TBS_Sign always starts with the same seal) hashes those bytes once. The
/// signature is the same as [`KeyPair::sign`]'s; a message without the prefix is hashed whole.
/// It also keeps `(1 + d)⁻¹`, the one modular inversion of SM2 signing that depends only on the
/// key.
#[derive(Clone)]
pub struct SignPrefix {
    public: Vec<u8>,
    prefix: Vec<u8>,
    state: Sm3,
    d_plus_1_inv: Option<sm2::Scalar>,
}

/// GB/T 32918.2 §6.1 steps A2–A7 for a digest `e` already computed, with the nonce `k` drawn as
/// the sm2 crate draws it (RFC 6979 HMAC-DRBG over SM3, no extra data) and `(1 + d)⁻¹` given:
/// the result equals the crate's `sign_prehash` byte for byte (a test holds them together).
fn sign_digest(d: &sm2::NonZeroScalar, d_plus_1_inv: &sm2::Scalar, e_bytes: &[u8; 32]) -> Option<Signature> {
    use sm2::elliptic_curve::ops::Reduce;
    use sm2::elliptic_curve::point::AffineCoordinates;
    use sm2::elliptic_curve::subtle::ConstantTimeEq;
    use sm2::elliptic_curve::{Curve, Group, PrimeField};
    use sm2::{FieldBytes, ProjectivePoint, Scalar, Sm2, U256};
    let e = <Scalar as Reduce<U256>>::reduce(&U256::from_be_slice(e_bytes));
    let secret: &Scalar = d.as_ref();
    let mut kgen = rfc6979::KGenerator::<Sm3, U256>::new(&secret.to_repr(), &e.to_bytes(), &[], &Sm2::ORDER);
    let mut k_bytes = FieldBytes::default();
    kgen.fill_next_k(&mut k_bytes);
    let k = Option::<Scalar>::from(Scalar::from_repr(k_bytes))?;
    let point = ProjectivePoint::mul_by_generator(&k).to_affine();
    let r = e + <Scalar as Reduce<FieldBytes>>::reduce(&point.x());
    if bool::from(r.is_zero() | (r + k).ct_eq(&Scalar::ZERO)) {
        return None;
    }
    let s = *d_plus_1_inv * (k - r * secret);
    Signature::from_scalars(r, s).ok()
}

/// `Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA)` (GB/T 32918.2 §5.5) with the
/// default user ID, for an uncompressed SEC1 public key.
fn identity_hash(public_sec1: &[u8]) -> Sm3 {
    const CURVE: &str = concat!(
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC",
        "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93",
        "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7",
        "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
    );
    let curve: Vec<u8> = (0..CURVE.len()).step_by(2).map(|i| u8::from_str_radix(&CURVE[i..i + 2], 16).expect("hex")).collect();
    let mut z = Sm3::new();
    z.update(((DEFAULT_ID.len() * 8) as u16).to_be_bytes());
    z.update(DEFAULT_ID.as_bytes());
    z.update(&curve);
    z.update(&public_sec1[1..]);
    let mut h = Sm3::new();
    h.update(z.finalize());
    h
}

impl KeyPair {
    pub fn sign_prefix(&self, prefix: &[u8]) -> SignPrefix {
        let public = self.public();
        let mut state = identity_hash(&public);
        state.update(prefix);
        let d: &sm2::Scalar = self.sk.as_nonzero_scalar().as_ref();
        let d_plus_1_inv = Option::<sm2::Scalar>::from((*d + sm2::Scalar::ONE).invert());
        SignPrefix { public, prefix: prefix.to_vec(), state, d_plus_1_inv }
    }

    /// Signs like [`KeyPair::sign`], resuming the digest after `p`'s prefix when `message`
    /// starts with it and `p` was made for this key.
    pub fn sign_with(&self, p: &SignPrefix, message: &[u8]) -> Vec<u8> {
        use sm2::dsa::signature::hazmat::PrehashSigner;
        let Some(rest) = message.strip_prefix(p.prefix.as_slice()).filter(|_| p.public == self.public()) else {
            return self.sign(message);
        };
        let mut h = p.state.clone();
        h.update(rest);
        let e: [u8; 32] = h.finalize().into();
        if let Some(sig) = p.d_plus_1_inv.as_ref().and_then(|inv| sign_digest(self.sk.as_nonzero_scalar(), inv, &e)) {
            return sig.to_der().to_bytes().to_vec();
        }
        match self.sk.sign_prehash(&e) {
            Ok(sig) => sig.to_der().to_bytes().to_vec(),
            Err(_) => self.sign(message),
        }
    }
}

/// Verifies an SM2 signature (DER, or raw 64-byte `r || s`) with the default user ID.
pub fn verify(public_sec1: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Ok(vk) = VerifyingKey::from_sec1_bytes(DEFAULT_ID, public_sec1) else { return false };
    let sig = Signature::from_der(signature).or_else(|_| Signature::from_slice(signature));
    sig.is_ok_and(|s| vk.verify(message, &s).is_ok())
}

type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// Encrypts a secret with SM4-GCM (RFC 8998) under a 16-byte key; output is `nonce || ciphertext`.
pub fn seal_secret(key: &[u8; 16], plaintext: &[u8]) -> Vec<u8> {
    use aes_gcm::aead::{Aead, KeyInit};
    let cipher = Sm4Gcm::new_from_slice(key).expect("16-byte key");
    let nonce: [u8; 12] = rand::random();
    let mut out = nonce.to_vec();
    out.extend(cipher.encrypt((&nonce).into(), plaintext).expect("SM4-GCM encryption"));
    out
}

/// Decrypts [`seal_secret`]'s output; a wrong key or any changed byte is an error.
pub fn open_secret(key: &[u8; 16], sealed: &[u8]) -> Result<Vec<u8>, OfdError> {
    use aes_gcm::aead::{Aead, KeyInit};
    if sealed.len() < 12 + 16 {
        return Err(OfdError::Crypto("sealed secret too short".into()));
    }
    let cipher = Sm4Gcm::new_from_slice(key).expect("16-byte key");
    let nonce: [u8; 12] = sealed[..12].try_into().expect("12 bytes");
    cipher.decrypt((&nonce).into(), &sealed[12..]).map_err(|_| OfdError::Crypto("cannot decrypt: wrong key or damaged data".into()))
}

/// Files above this size are worth sealing on both cores ([`seal_chunked`]): certificates,
/// 决定书 and scans are split into two halves (larger files into halves of at most
/// [`SEAL_CHUNK_MAX`]), each sealed on its own core.
pub const SEAL_CHUNK: usize = 16 * 1024;
/// The largest chunk [`seal_chunked`] makes.
pub const SEAL_CHUNK_MAX: usize = 1 << 20;

fn chunk_nonce(prefix: &[u8; 8], index: u32) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..8].copy_from_slice(prefix);
    n[8..].copy_from_slice(&index.to_be_bytes());
    n
}

/// The associated data binding a chunk to its place: index, chunk count and chunk size, so that
/// chunks cannot be reordered, dropped or spliced from another file.
fn chunk_aad(index: u32, count: u32, size: u32) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[..4].copy_from_slice(b"ejc2");
    a[4..8].copy_from_slice(&index.to_be_bytes());
    a[8..12].copy_from_slice(&count.to_be_bytes());
    a[12..].copy_from_slice(&size.to_be_bytes());
    a
}

/// Runs `f` over `items` on two threads when there is more than one (the machine's two cores),
/// keeping the order.
fn on_two_cores<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    if items.len() < 2 {
        return items.iter().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    let mid = items.len().div_ceil(2);
    std::thread::scope(|s| {
        let f = &f;
        let first = s.spawn(move || items[..mid].iter().enumerate().map(|(i, t)| f(i, t)).collect::<Vec<R>>());
        let second: Vec<R> = items[mid..].iter().enumerate().map(|(i, t)| f(mid + i, t)).collect();
        let mut out = first.join().expect("sealing thread");
        out.extend(second);
        out
    })
}

/// Encrypts like [`seal_secret`] (SM4-GCM, RFC 8998) in equal chunks sealed on both cores, each
/// chunk authenticated with its index, the chunk count and the chunk size. Output: `nonce prefix
/// (8) || count (4) || chunk size (4, both big-endian) || each chunk's ciphertext and tag`.
pub fn seal_chunked(key: &[u8; 16], plaintext: &[u8]) -> Vec<u8> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let cipher = Sm4Gcm::new_from_slice(key).expect("16-byte key");
    let prefix: [u8; 8] = rand::random();
    let size = plaintext.len().div_ceil(2).clamp(SEAL_CHUNK, SEAL_CHUNK_MAX);
    let chunks: Vec<&[u8]> = if plaintext.is_empty() { vec![plaintext] } else { plaintext.chunks(size).collect() };
    let (count, size) = (chunks.len() as u32, size as u32);
    let sealed = on_two_cores(&chunks, |i, c| {
        let aad = chunk_aad(i as u32, count, size);
        cipher.encrypt((&chunk_nonce(&prefix, i as u32)).into(), Payload { msg: c, aad: &aad }).expect("SM4-GCM encryption")
    });
    let mut out = Vec::with_capacity(16 + plaintext.len() + 16 * chunks.len());
    out.extend_from_slice(&prefix);
    out.extend_from_slice(&count.to_be_bytes());
    out.extend_from_slice(&size.to_be_bytes());
    for c in sealed {
        out.extend(c);
    }
    out
}

/// Decrypts [`seal_chunked`]'s output on both cores; a wrong key, a changed, moved, missing or
/// extra chunk, or a changed header is an error.
pub fn open_chunked(key: &[u8; 16], sealed: &[u8]) -> Result<Vec<u8>, OfdError> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let bad = || OfdError::Crypto("cannot decrypt: wrong key or damaged data".into());
    if sealed.len() < 16 {
        return Err(bad());
    }
    let prefix: [u8; 8] = sealed[..8].try_into().expect("8 bytes");
    let count = u32::from_be_bytes(sealed[8..12].try_into().expect("4 bytes"));
    let size = u32::from_be_bytes(sealed[12..16].try_into().expect("4 bytes"));
    if count == 0 || !(SEAL_CHUNK..=SEAL_CHUNK_MAX).contains(&(size as usize)) {
        return Err(bad());
    }
    let body = &sealed[16..];
    let pieces: Vec<&[u8]> = body.chunks(size as usize + 16).collect();
    if pieces.len() != count as usize {
        return Err(bad());
    }
    let cipher = Sm4Gcm::new_from_slice(key).expect("16-byte key");
    let opened = on_two_cores(&pieces, |i, c| {
        let aad = chunk_aad(i as u32, count, size);
        cipher.decrypt((&chunk_nonce(&prefix, i as u32)).into(), Payload { msg: c, aad: &aad })
    });
    let mut out = Vec::with_capacity(body.len());
    for o in opened {
        out.extend(o.map_err(|_| bad())?);
    }
    Ok(out)
}

/// Derives a 16-byte key for one purpose from a master secret.
pub fn derive_key(master: &[u8], purpose: &str) -> [u8; 16] {
    let mut h = Sm3::new();
    h.update(master);
    h.update(b"\x00erjian\x00");
    h.update(purpose.as_bytes());
    h.finalize()[..16].try_into().expect("16 bytes")
}

/// A distinguished name: country, organisation, common name, optional serial number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub organisation: String,
    pub common_name: String,
    pub serial_number: Option<String>,
}

impl Name {
    pub fn encode(&self) -> Vec<u8> {
        let rdn = |oid: &str, value: Vec<u8>| der::tlv(der::SET, &der::seq(&[der::oid(oid), value]));
        let mut parts = vec![rdn("2.5.4.6", der::tlv(der::PRINTABLE_STRING, b"CN")), rdn("2.5.4.10", der::utf8(&self.organisation))];
        if let Some(sn) = &self.serial_number {
            parts.push(rdn("2.5.4.5", der::tlv(der::PRINTABLE_STRING, sn.as_bytes())));
        }
        parts.push(rdn("2.5.4.3", der::utf8(&self.common_name)));
        der::seq(&parts)
    }
}

fn time(t: DateTime<Utc>) -> Vec<u8> {
    if t.year() < 2050 {
        der::tlv(der::UTC_TIME, t.format("%y%m%d%H%M%SZ").to_string().as_bytes())
    } else {
        der::gentime(t)
    }
}

fn sm2_spki(public: &[u8]) -> Vec<u8> {
    der::seq(&[der::seq(&[der::oid(OID_EC_PUBLIC_KEY), der::oid(OID_SM2_CURVE)]), der::bits(public)])
}

/// What a new certificate says.
pub struct CertRequest<'a> {
    pub serial: u64,
    pub subject: &'a Name,
    pub subject_public: &'a [u8],
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub is_ca: bool,
}

/// Issues a certificate signed by `issuer` (self-signed when the subject is the issuer).
pub fn issue_certificate(issuer_key: &KeyPair, issuer: &Name, req: &CertRequest<'_>) -> Vec<u8> {
    let alg = der::seq(&[der::oid(OID_SM2_WITH_SM3)]);
    let ski = &sm3(req.subject_public)[..20];
    let aki = &sm3(&issuer_key.public())[..20];
    let ext = |oid: &str, critical: bool, value: Vec<u8>| {
        let mut p = vec![der::oid(oid)];
        if critical {
            p.push(der::tlv(der::BOOLEAN, &[0xFF]));
        }
        p.push(der::octets(&value));
        der::seq(&p)
    };
    // keyUsage: CA = keyCertSign | cRLSign; leaf = digitalSignature | nonRepudiation.
    let key_usage = if req.is_ca { vec![0x03, 0x02, 0x01, 0x06] } else { vec![0x03, 0x02, 0x06, 0xC0] };
    let basic = if req.is_ca { der::seq(&[der::tlv(der::BOOLEAN, &[0xFF])]) } else { der::seq(&[]) };
    let extensions = der::seq(&[
        ext("2.5.29.19", true, basic),
        ext("2.5.29.15", true, key_usage),
        ext("2.5.29.14", false, der::octets(ski)),
        ext("2.5.29.35", false, der::seq(&[der::context(0, false, aki)])),
    ]);
    let tbs = der::seq(&[
        der::context(0, true, &der::int(2)),
        der::uint(&req.serial.to_be_bytes()),
        alg.clone(),
        issuer.encode(),
        der::seq(&[time(req.not_before), time(req.not_after)]),
        req.subject.encode(),
        sm2_spki(req.subject_public),
        der::context(3, true, &extensions),
    ]);
    let sig = issuer_key.sign(&tbs);
    der::seq(&[tbs, alg, der::bits(&sig)])
}

/// The parts of an X.509 certificate a verifier needs.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub der: Vec<u8>,
    pub tbs: Vec<u8>,
    pub serial: Vec<u8>,
    pub issuer_der: Vec<u8>,
    pub subject_der: Vec<u8>,
    pub issuer: String,
    pub subject: String,
    /// The subject's serialNumber attribute (an ID number or credit code), if any.
    pub subject_serial: Option<String>,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub public_key: Vec<u8>,
    pub signature: Vec<u8>,
}

/// One attribute of an encoded Name, by OID.
fn name_attr(name: &Tlv<'_>, oid: &str) -> Option<String> {
    der::children(name.content).ok()?.iter().flat_map(|rdn| der::children(rdn.content).unwrap_or_default()).find_map(|atv| {
        let parts = der::children(atv.content).ok()?;
        (parts.len() == 2 && der::oid_string(&parts[0]) == oid).then(|| der::string(&parts[1]))
    })
}

/// Common name (or the whole name's values) of an encoded Name, for display.
fn name_text(name: &Tlv<'_>) -> String {
    let mut cn = None;
    let mut all = Vec::new();
    for rdn in der::children(name.content).unwrap_or_default() {
        for atv in der::children(rdn.content).unwrap_or_default() {
            if let Ok(parts) = der::children(atv.content) {
                if parts.len() == 2 {
                    let v = der::string(&parts[1]);
                    if der::oid_string(&parts[0]) == "2.5.4.3" {
                        cn = Some(v.clone());
                    }
                    all.push(v);
                }
            }
        }
    }
    cn.unwrap_or_else(|| all.join(", "))
}

pub fn parse_certificate(bytes: &[u8]) -> Result<Certificate, OfdError> {
    let (cert, _) = der::expect(bytes, der::SEQUENCE)?;
    let parts = der::children(cert.content)?;
    if parts.len() < 3 {
        return Err(OfdError::Asn1("certificate".into()));
    }
    let tbs = der::children(parts[0].content)?;
    let off = usize::from(tbs.first().is_some_and(|t| t.tag == 0xA0));
    let get = |i: usize| tbs.get(off + i).ok_or_else(|| OfdError::Asn1("tbsCertificate".into()));
    let validity = der::children(get(3)?.content)?;
    if validity.len() != 2 {
        return Err(OfdError::Asn1("validity".into()));
    }
    let spki = der::children(get(5)?.content)?;
    let public_key = der::bit_string(spki.get(1).ok_or_else(|| OfdError::Asn1("spki".into()))?)?;
    Ok(Certificate {
        der: cert.raw.to_vec(),
        tbs: parts[0].raw.to_vec(),
        serial: get(0)?.content.to_vec(),
        issuer_der: get(2)?.raw.to_vec(),
        subject_der: get(4)?.raw.to_vec(),
        issuer: name_text(get(2)?),
        subject: name_text(get(4)?),
        subject_serial: name_attr(get(4)?, "2.5.4.5"),
        not_before: der::time(&validity[0])?,
        not_after: der::time(&validity[1])?,
        public_key,
        signature: der::bit_string(&parts[2])?,
    })
}

impl Certificate {
    /// Whether `issuer` signed this certificate (names match and the SM2 signature verifies).
    pub fn issued_by(&self, issuer: &Certificate) -> bool {
        self.issuer_der == issuer.subject_der && verify(&issuer.public_key, &self.tbs, &self.signature)
    }

    pub fn valid_at(&self, t: DateTime<Utc>) -> bool {
        self.not_before <= t && t <= self.not_after
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sm3_in_pieces_is_sm3_of_the_whole() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut s = super::Sm3Stream::default();
        for piece in data.chunks(333) {
            s.update(piece);
        }
        assert_eq!(s.finish(), super::sm3(&data));
    }

    #[test]
    fn signing_with_a_kept_prefix_gives_signatures_that_verify() {
        let key = super::KeyPair::generate();
        let p = key.sign_prefix(b"SEQUENCE { seal ");
        for m in [&b"SEQUENCE { seal , time, hash }"[..], b"other message", b"SEQUENCE { seal "] {
            assert!(super::verify(&key.public(), m, &key.sign_with(&p, m)), "{m:?}");
            assert!(!super::verify(&key.public(), b"tampered", &key.sign_with(&p, m)));
            // Our A2–A7 with the kept (1 + d)⁻¹ is the crate's deterministic signature exactly.
            assert_eq!(key.sign_with(&p, m), key.sign(m), "{m:?}");
        }
        for n in 0..200u32 {
            let m = [&b"SEQUENCE { seal "[..], &n.to_be_bytes()].concat();
            assert_eq!(key.sign_with(&p, &m), key.sign(&m));
        }
        // A prefix kept for another key is not used.
        let other = super::KeyPair::generate();
        assert!(super::verify(&other.public(), b"SEQUENCE { seal x", &other.sign_with(&p, b"SEQUENCE { seal x")));
    }

    #[test]
    fn hmac_sm3_matches_openssl() {
        // printf 'what do ya want for nothing?' | openssl dgst -sm3 -hmac Jefe
        let mac = hmac_sm3(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex_string(&mac), "2e87f1d16862e6d964b50a5200bf2b10b764faa9680a296a2405f24bec39f882");
    }

    fn hex_string(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    use super::*;

    #[test]
    fn sign_verify_and_tamper() {
        let k = KeyPair::generate();
        let sig = k.sign(b"hello");
        assert!(verify(&k.public(), b"hello", &sig));
        assert!(!verify(&k.public(), b"hellp", &sig));
        assert!(!verify(&KeyPair::generate().public(), b"hello", &sig));
        let again = KeyPair::from_secret(&k.secret()).unwrap();
        assert_eq!(again.public(), k.public());
    }

    #[test]
    fn secrets_are_sealed_and_tamper_evident() {
        let key = derive_key(b"master", "ca");
        let sealed = seal_secret(&key, b"secret scalar");
        assert!(!sealed.windows(13).any(|w| w == b"secret scalar"));
        assert_eq!(open_secret(&key, &sealed).unwrap(), b"secret scalar");
        assert!(open_secret(&derive_key(b"master", "other"), &sealed).is_err());
        let mut bad = sealed.clone();
        bad[20] ^= 1;
        assert!(open_secret(&key, &bad).is_err());
    }

    #[test]
    fn sm3_of_abc_matches_the_standard() {
        assert_eq!(sm3(b"abc")[..4], [0x66, 0xc7, 0xf0, 0xf4]);
    }

    #[test]
    fn certificates_chain() {
        let root_key = KeyPair::generate();
        let root_name = Name { organisation: "erjian".into(), common_name: "erjian 根证书".into(), serial_number: None };
        let now = Utc::now();
        let root = issue_certificate(
            &root_key,
            &root_name,
            &CertRequest {
                serial: 1,
                subject: &root_name,
                subject_public: &root_key.public(),
                not_before: now,
                not_after: now + chrono::Duration::days(3650),
                is_ca: true,
            },
        );
        let leaf_key = KeyPair::generate();
        let leaf_name = Name {
            organisation: "安徽省住房和城乡建设厅".into(),
            common_name: "电子印章".into(),
            serial_number: Some("11340000003175829N".into()),
        };
        let leaf = issue_certificate(
            &root_key,
            &root_name,
            &CertRequest {
                serial: 2,
                subject: &leaf_name,
                subject_public: &leaf_key.public(),
                not_before: now,
                not_after: now + chrono::Duration::days(365),
                is_ca: false,
            },
        );
        let (root, leaf) = (parse_certificate(&root).unwrap(), parse_certificate(&leaf).unwrap());
        assert!(root.issued_by(&root));
        assert!(leaf.issued_by(&root));
        assert!(!root.issued_by(&leaf));
        assert_eq!(leaf.subject, "电子印章");
        assert_eq!(leaf.public_key, leaf_key.public());
        assert!(leaf.valid_at(now) && !leaf.valid_at(now + chrono::Duration::days(400)));
    }
}

//! Signed statements the deployment publishes for checking without its server: the compact
//! statement carried in every certificate's QR code, and the status list of every certificate.
//! Each kind is signed by its own SM2 key ([`ServiceKey`], certified by the deployment root), so a
//! key that signs status lists can never produce a QR statement and the other way round.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use erjian_ofd::crypto::{issue_certificate, parse_certificate, verify, CertRequest, KeyPair, Name};

/// The key purposes, as stored.
pub const QR_PURPOSE: &str = "qr-statement";
pub const STATUS_LIST_PURPOSE: &str = "status-list";
/// Signs the audit log's checkpoints.
pub const AUDIT_PURPOSE: &str = "audit-checkpoint";

/// A statement without a status-list index (certificates issued before the bitstring list).
const QR_TAG: &str = "EJ1";
/// A statement carrying the certificate's fixed index in the bitstring status list.
const QR_TAG_INDEXED: &str = "EJ2";
const BITSTRING_TAG: &str = "erjian-bitstring-status-list/1";
/// The text list, a page at a time: the header says where the page starts and where the next does.
const LIST_TAG: &str = "erjian-status-list/2";

/// A signing key for one kind of statement, with its certificate (issued by the root).
#[derive(Clone)]
pub struct ServiceKey {
    pub key: KeyPair,
    pub cert: Vec<u8>,
}

impl ServiceKey {
    /// A new key for `purpose`, certified for ten years by the deployment root.
    pub fn issue(root_key: &KeyPair, root_name: &Name, authority: &str, purpose: &str, serial: u64, now: DateTime<Utc>) -> ServiceKey {
        let key = KeyPair::generate();
        let label = match purpose {
            QR_PURPOSE => "证书二维码核验声明签名",
            STATUS_LIST_PURPOSE => "证书状态列表签名",
            AUDIT_PURPOSE => "审计日志检查点签名",
            other => other,
        };
        let subject = Name { organisation: authority.to_owned(), common_name: format!("{authority} {label}"), serial_number: None };
        let cert = issue_certificate(
            root_key,
            root_name,
            &CertRequest {
                serial,
                subject: &subject,
                subject_public: &key.public(),
                not_before: now - Duration::minutes(5),
                not_after: now + Duration::days(3653),
                is_ca: false,
            },
        );
        ServiceKey { key, cert }
    }

    /// The certificate as PEM, for verifiers to download.
    pub fn cert_pem(&self) -> String {
        pem("CERTIFICATE", &self.cert)
    }
}

/// PEM armour for DER bytes.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let body: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", body.join("\n"))
}

/// The SM2 public key of a certificate given as PEM or DER.
pub fn public_key_of(cert: &[u8]) -> Result<Vec<u8>, StatementError> {
    let der = match std::str::from_utf8(cert) {
        Ok(text) if text.contains("-----BEGIN") => {
            let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
            base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|_| StatementError::Key)?
        }
        _ => cert.to_vec(),
    };
    parse_certificate(&der).map(|c| c.public_key).map_err(|_| StatementError::Key)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StatementError {
    #[error("不是 erjian 证书二维码内容（格式不符）")]
    Malformed,
    #[error("签名验证未通过：内容被改动，或不是本系统签发")]
    BadSignature,
    #[error("核验公钥证书无法读取")]
    Key,
}

/// What a certificate's QR code vouches for, signed by the deployment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QrStatement {
    pub registration_number: String,
    pub licence_id: String,
    pub id_masked: String,
    /// The last day any of its specialties is valid.
    pub valid_until: String,
    /// Unix seconds.
    pub issued_at: i64,
    /// The certificate's fixed index in the bitstring status list (none in older statements).
    pub status_index: Option<i64>,
}

impl QrStatement {
    fn body(&self) -> String {
        let common = format!("{}|{}|{}|{}|{}", self.registration_number, self.licence_id, self.id_masked, self.valid_until, self.issued_at);
        match self.status_index {
            Some(i) => format!("{QR_TAG_INDEXED}|{common}|{i}"),
            None => format!("{QR_TAG}|{common}"),
        }
    }

    /// The payload: base64url(statement) "." base64url(SM2 signature), safe in a URL query.
    pub fn sign(&self, key: &KeyPair) -> String {
        let body = self.body();
        format!("{}.{}", B64.encode(body.as_bytes()), B64.encode(key.sign(body.as_bytes())))
    }

    /// The compact payload ([`crate::compact`]) for a statement with a status index; the text
    /// payload for one without.
    pub fn sign_compact(&self, key: &KeyPair) -> String {
        match crate::compact::sign(self, |m| key.sign_raw(m)) {
            Ok(p) => p,
            Err(_) => self.sign(key),
        }
    }

    /// The verification address a certificate's QR code carries: `{public}/V/{compact}`.
    pub fn url(&self, public_url: &str, key: &KeyPair) -> String {
        crate::compact::url(public_url, &self.sign_compact(key))
    }

    /// Checks a payload (or a whole verification URL carrying it as `s=` or after `/V/`) with
    /// the QR key's public point and returns what it states. A compact statement names its
    /// certificate by the status index only (`licence_id` empty).
    pub fn verify(payload: &str, public: &[u8]) -> Result<QrStatement, StatementError> {
        let compact = crate::compact::payload_of(payload);
        if crate::compact::is_compact(compact) {
            return crate::compact::verify(compact, |m, s| verify(public, m, s));
        }
        let payload = payload.trim();
        let payload = match payload.split_once("s=") {
            Some((_, rest)) if payload.contains("://") || payload.contains('?') => rest.split('&').next().unwrap_or_default(),
            _ => payload,
        };
        let (body_b64, sig_b64) = payload.split_once('.').ok_or(StatementError::Malformed)?;
        let body = B64.decode(body_b64).map_err(|_| StatementError::Malformed)?;
        let sig = B64.decode(sig_b64).map_err(|_| StatementError::Malformed)?;
        if !verify(public, &body, &sig) {
            return Err(StatementError::BadSignature);
        }
        let text = String::from_utf8(body).map_err(|_| StatementError::Malformed)?;
        let parts: Vec<&str> = text.split('|').collect();
        match parts.as_slice() {
            [QR_TAG, regno, licence, masked, until, at] => Ok(QrStatement {
                registration_number: (*regno).into(),
                licence_id: (*licence).into(),
                id_masked: (*masked).into(),
                valid_until: (*until).into(),
                issued_at: at.parse().map_err(|_| StatementError::Malformed)?,
                status_index: None,
            }),
            [QR_TAG_INDEXED, regno, licence, masked, until, at, index] => Ok(QrStatement {
                registration_number: (*regno).into(),
                licence_id: (*licence).into(),
                id_masked: (*masked).into(),
                valid_until: (*until).into(),
                issued_at: at.parse().map_err(|_| StatementError::Malformed)?,
                status_index: Some(index.parse().map_err(|_| StatementError::Malformed)?),
            }),
            _ => Err(StatementError::Malformed),
        }
    }
}

/// A certificate's entry in the bitstring list: two bits, the high one “no longer in force”
/// (superseded, cancelled, revoked), the low one “suspended”; 00 is valid. Dates are not in the
/// list: the statement carries `valid_until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum BitStatus {
    Valid,
    Suspended,
    Ended,
}

impl BitStatus {
    pub fn of(status: &str) -> BitStatus {
        match status {
            "valid" => BitStatus::Valid,
            "suspended" => BitStatus::Suspended,
            _ => BitStatus::Ended,
        }
    }

    pub fn bits(self) -> u8 {
        match self {
            BitStatus::Valid => 0b00,
            BitStatus::Suspended => 0b01,
            BitStatus::Ended => 0b10,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BitStatus::Valid => "有效",
            BitStatus::Suspended => "暂扣",
            BitStatus::Ended => "已失效（已换发、注销或撤销）",
        }
    }
}

/// Sets entry `index` (two bits, most significant first, as the W3C Bitstring Status List
/// orders them) in `bytes`.
pub fn set_entry(bytes: &mut [u8], index: usize, status: BitStatus) {
    let shift = 6 - 2 * (index % 4);
    let b = &mut bytes[index / 4];
    *b = (*b & !(0b11 << shift)) | (status.bits() << shift);
}

/// Entry `index` of `bytes`; `None` past the end.
pub fn entry(bytes: &[u8], index: usize) -> Option<BitStatus> {
    let b = *bytes.get(index / 4)?;
    Some(match (b >> (6 - 2 * (index % 4))) & 0b11 {
        0b00 => BitStatus::Valid,
        0b01 => BitStatus::Suspended,
        _ => BitStatus::Ended,
    })
}

/// A bitstring status list's header and its entries, decompressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitstringList {
    pub issuer: String,
    pub version: i64,
    pub issued_at: String,
    /// Entries in the list (indexes 0 .. length).
    pub length: usize,
    pub bytes: Vec<u8>,
}

impl BitstringList {
    pub fn status(&self, index: i64) -> Option<BitStatus> {
        usize::try_from(index).ok().filter(|i| *i < self.length).and_then(|i| entry(&self.bytes, i))
    }
}

/// The signed text of a bitstring list: a header and `encoded-list:` base64url(gzip(bits)).
pub fn bitstring_list_text(issuer: &str, version: i64, issued_at: &str, length: usize, bytes: &[u8]) -> String {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 8 + 64), flate2::Compression::default());
    gz.write_all(bytes).expect("writing to memory");
    let packed = gz.finish().expect("writing to memory");
    format!(
        "{BITSTRING_TAG}\nissuer: {issuer}\nversion: {version}\nissued-at: {issued_at}\nlength: {length}\nbits-per-entry: 2\nencoded-list: {}\n",
        B64.encode(packed)
    )
}

/// A signed list's text, its signature verified and its tag checked, read line by line.
struct Header<'a> {
    lines: std::str::Lines<'a>,
}

impl<'a> Header<'a> {
    fn open(text: &'a str, signature: &str, public: &[u8], tag: &str) -> Result<Header<'a>, StatementError> {
        let sig = B64.decode(signature.trim()).map_err(|_| StatementError::Malformed)?;
        if !verify(public, text.as_bytes(), &sig) {
            return Err(StatementError::BadSignature);
        }
        let mut lines = text.lines();
        if lines.next() != Some(tag) {
            return Err(StatementError::Malformed);
        }
        Ok(Header { lines })
    }

    /// The next line, which must be `name: value`.
    fn field(&mut self, name: &str) -> Result<String, StatementError> {
        self.lines
            .next()
            .and_then(|l| l.strip_prefix(name))
            .and_then(|l| l.strip_prefix(": "))
            .map(str::to_owned)
            .ok_or(StatementError::Malformed)
    }
}

/// Verifies a bitstring list's signature and decodes it (at most 64 MiB of bits).
pub fn verify_bitstring_list(text: &str, signature: &str, public: &[u8]) -> Result<BitstringList, StatementError> {
    use std::io::Read;
    let mut header = Header::open(text, signature, public, BITSTRING_TAG)?;
    let mut field = |name: &str| header.field(name);
    let issuer = field("issuer")?;
    let version = field("version")?.parse().map_err(|_| StatementError::Malformed)?;
    let issued_at = field("issued-at")?;
    let length: usize = field("length")?.parse().map_err(|_| StatementError::Malformed)?;
    if field("bits-per-entry")? != "2" {
        return Err(StatementError::Malformed);
    }
    let packed = B64.decode(field("encoded-list")?).map_err(|_| StatementError::Malformed)?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(&packed[..]).take(64 << 20).read_to_end(&mut bytes).map_err(|_| StatementError::Malformed)?;
    if bytes.len() < length.div_ceil(4) {
        return Err(StatementError::Malformed);
    }
    Ok(BitstringList { issuer, version, issued_at, length, bytes })
}

/// One line of the status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    pub licence_id: String,
    pub status: String,
    pub successor: Option<String>,
}

/// A status list's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListHeader {
    pub issuer: String,
    pub version: i64,
    pub issued_at: String,
    pub count: usize,
    /// The page holds the certificates after this position (0: from the first).
    pub after: i64,
    /// Where the next page starts (`?after=`), `None` on the last page.
    pub next: Option<i64>,
}

/// The list's text: a header, then one `licence<TAB>status<TAB>successor-or-dash` line each.
pub fn status_list_text(h: &StatusListHeader, entries: impl Iterator<Item = StatusEntry>) -> String {
    let next = h.next.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
    let mut out = format!(
        "{LIST_TAG}\nissuer: {}\nversion: {}\nissued-at: {}\ncount: {}\nafter: {}\nnext: {next}\n",
        h.issuer, h.version, h.issued_at, h.count, h.after
    );
    for e in entries {
        out.push_str(&e.licence_id);
        out.push('\t');
        out.push_str(&e.status);
        out.push('\t');
        out.push_str(e.successor.as_deref().unwrap_or("-"));
        out.push('\n');
    }
    out
}

/// Signs a status list text; the signature is base64url of the DER SM2 signature.
pub fn sign_status_list(text: &str, key: &KeyPair) -> String {
    B64.encode(key.sign(text.as_bytes()))
}

/// Verifies and parses a signed status list.
pub fn verify_status_list(text: &str, signature: &str, public: &[u8]) -> Result<(StatusListHeader, Vec<StatusEntry>), StatementError> {
    let mut header = Header::open(text, signature, public, LIST_TAG)?;
    let mut field = |name: &str| header.field(name);
    let issuer = field("issuer")?;
    let version = field("version")?.parse().map_err(|_| StatementError::Malformed)?;
    let issued_at = field("issued-at")?;
    let count = field("count")?.parse().map_err(|_| StatementError::Malformed)?;
    let after = field("after")?.parse().map_err(|_| StatementError::Malformed)?;
    let next = match field("next")?.as_str() {
        "-" => None,
        n => Some(n.parse().map_err(|_| StatementError::Malformed)?),
    };
    let entries: Vec<StatusEntry> = header
        .lines
        .map(|l| {
            let mut f = l.split('\t');
            let (Some(licence), Some(status), Some(succ)) = (f.next(), f.next(), f.next()) else { return Err(StatementError::Malformed) };
            Ok(StatusEntry { licence_id: licence.into(), status: status.into(), successor: (succ != "-").then(|| succ.to_owned()) })
        })
        .collect::<Result<_, _>>()?;
    if entries.len() != count {
        return Err(StatementError::Malformed);
    }
    Ok((StatusListHeader { issuer, version, issued_at, count, after, next }, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement() -> QrStatement {
        QrStatement {
            registration_number: "皖2342024202400001".into(),
            licence_id: "1100000000000000000000000000000000000".into(),
            id_masked: "340104**********14".into(),
            valid_until: "2029-11-24".into(),
            issued_at: 1_790_000_000,
            status_index: None,
        }
    }

    #[test]
    fn an_indexed_statement_carries_its_index() {
        let key = KeyPair::generate();
        let st = QrStatement { status_index: Some(4_000_123), ..statement() };
        let payload = st.sign(&key);
        assert_eq!(QrStatement::verify(&payload, &key.public()).unwrap(), st);
    }

    #[test]
    fn compact_statement_round_trips_is_short_and_any_changed_character_fails() {
        let key = KeyPair::generate();
        let st = QrStatement { status_index: Some(4_000_123), ..statement() };
        let url = st.url("https://erjian.example.gov.cn", &key);
        let text = format!("https://erjian.example.gov.cn/verify/{}?s={}", st.licence_id, st.sign(&key));
        // 191 characters coded at 5.5 bits against 320 at 8: QR version 8 (49 modules) instead of 13 (69).
        let (short, long) = (crate::art::qr_modules(&url).len(), crate::art::qr_modules(&text).len());
        assert!(short <= 49 && long >= 69, "{short} against {long} modules");
        let back = QrStatement::verify(&url, &key.public()).unwrap();
        assert_eq!(back, QrStatement { licence_id: String::new(), ..st.clone() });
        // The whole address is in QR's alphanumeric set.
        assert!(url.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b" $%*+-./:".contains(&b)), "{url}");
        let payload = crate::compact::payload_of(&url).to_owned();
        for i in 0..payload.len() {
            let mut b = payload.clone().into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(b).unwrap();
            assert!(QrStatement::verify(&changed, &key.public()).is_err(), "changed at {i} still verified");
        }
        assert_eq!(QrStatement::verify(&url, &KeyPair::generate().public()), Err(StatementError::BadSignature));
        // Without an index the text form is used.
        assert!(statement().sign_compact(&key).contains('.'));
        // No end day.
        let open = QrStatement { valid_until: String::new(), ..st };
        assert_eq!(QrStatement::verify(&open.sign_compact(&key), &key.public()).unwrap().valid_until, "");
    }

    #[test]
    fn bitstring_list_round_trips_is_small_and_detects_edits() {
        let key = KeyPair::generate();
        let n = 4_000_000;
        let mut bytes = vec![0u8; n / 4];
        // One in five superseded (renewals), a few suspended, in a pseudo-random spread.
        let mut x: u64 = 7;
        for i in 0..n {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            match x >> 58 {
                0..=12 => set_entry(&mut bytes, i, BitStatus::Ended),
                13 if i % 97 == 0 => set_entry(&mut bytes, i, BitStatus::Suspended),
                _ => {}
            }
        }
        set_entry(&mut bytes, 42, BitStatus::Suspended);
        set_entry(&mut bytes, 43, BitStatus::Valid);
        let text = bitstring_list_text("某厅", 9, "2026-12-04T00:00:00Z", n, &bytes);
        // 600 KB measured: under the 1 MB the issue asks for 3,000,000 certificates, at 4,000,000.
        assert!(text.len() < 1_000_000, "{} bytes for {n} entries", text.len());
        let sig = sign_status_list(&text, &key);
        let list = verify_bitstring_list(&text, &sig, &key.public()).unwrap();
        assert_eq!((list.version, list.length, list.bytes.len()), (9, n, n / 4));
        assert_eq!(list.status(42), Some(BitStatus::Suspended));
        assert_eq!(list.status(43), Some(BitStatus::Valid));
        assert_eq!(list.status(n as i64), None, "past the end");
        assert_eq!(list.status(-1), None);
        let edited = text.replace("version: 9", "version: 8");
        assert_eq!(verify_bitstring_list(&edited, &sig, &key.public()), Err(StatementError::BadSignature));
    }

    #[test]
    fn qr_statement_round_trips_and_any_changed_character_fails() {
        let key = KeyPair::generate();
        let payload = statement().sign(&key);
        assert_eq!(QrStatement::verify(&payload, &key.public()).unwrap(), statement());
        let url = format!("https://erjian.example/verify/X?s={payload}");
        assert_eq!(QrStatement::verify(&url, &key.public()).unwrap(), statement());
        for i in 0..payload.len() {
            let mut b = payload.clone().into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(b).unwrap();
            if changed != payload {
                assert!(QrStatement::verify(&changed, &key.public()).is_err(), "changed at {i} still verified");
            }
        }
        assert_eq!(QrStatement::verify(&payload, &KeyPair::generate().public()), Err(StatementError::BadSignature));
    }

    #[test]
    fn status_list_verifies_and_detects_edits() {
        let key = KeyPair::generate();
        let entries = vec![
            StatusEntry { licence_id: "A".into(), status: "superseded".into(), successor: Some("B".into()) },
            StatusEntry { licence_id: "B".into(), status: "valid".into(), successor: None },
        ];
        let h = StatusListHeader {
            issuer: "某厅".into(),
            version: 3,
            issued_at: "2026-11-25T00:00:00Z".into(),
            count: 2,
            after: 0,
            next: Some(17),
        };
        let text = status_list_text(&h, entries.clone().into_iter());
        let sig = sign_status_list(&text, &key);
        assert_eq!(verify_status_list(&text, &sig, &key.public()).unwrap(), (h, entries));
        let edited = text.replace("superseded", "valid");
        assert_eq!(verify_status_list(&edited, &sig, &key.public()), Err(StatementError::BadSignature));
    }
}

//! The compact QR statement (`EJ3`): the same facts as the text statement, packed into bytes and
//! written in RFC 4648 base32 (capitals and digits) so that the whole verification address is
//! coded in QR's alphanumeric mode at 5.5 bits a character instead of 8. With the 64-byte SM2
//! signature a whole address is about 190 characters instead of about 320, so the code drops from
//! version 13 (69 modules) to version 8 (49 modules) and reads from a 100 dpi print.
//!
//! Layout: version byte 3 · status index (u32) · issued at (u32, Unix seconds) · last valid day
//! (u16, days since 1970-01-01; 0xFFFF for none) · registration number · masked ID number ·
//! signature r‖s (64 bytes). Each text is packed as its leading part in UTF-8 (length byte, then
//! bytes) followed by the rest in nibbles (count byte, then two a byte) when the rest holds only
//! digits, `X` and `*` — `皖2342024202400001` takes 13 bytes, `340104**********14` 11.
//!
//! The certificate is named by its status index, which is fixed at issuance and unique: the
//! e-licence identifier (70 characters) is not repeated in the code; the status page looks the
//! certificate up by the index and shows the identifier.

use crate::statement::{QrStatement, StatementError};
use chrono::NaiveDate;
use data_encoding::BASE32_NOPAD;

const VERSION: u8 = 3;
const SIGNATURE_LEN: usize = 64;
const NO_DAY: u16 = u16::MAX;
/// The path segment before the payload in a compact verification address.
pub const PATH: &str = "/V/";

fn nibble(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        'X' => Some(10),
        '*' => Some(11),
        _ => None,
    }
}

fn from_nibble(n: u8) -> Option<char> {
    match n {
        0..=9 => Some((b'0' + n) as char),
        10 => Some('X'),
        11 => Some('*'),
        _ => None,
    }
}

fn pack_text(out: &mut Vec<u8>, text: &str) -> Result<(), StatementError> {
    // The tail that nibbles can carry: after the last character they cannot.
    let split = text.char_indices().rfind(|(_, c)| nibble(*c).is_none()).map(|(i, c)| i + c.len_utf8()).unwrap_or(0);
    let (head, tail) = text.split_at(split);
    let tail_len = tail.chars().count();
    if head.len() > u8::MAX as usize || tail_len > u8::MAX as usize {
        return Err(StatementError::Malformed);
    }
    out.push(head.len() as u8);
    out.extend_from_slice(head.as_bytes());
    out.push(tail_len as u8);
    let nibbles: Vec<u8> = tail.chars().filter_map(nibble).collect();
    for pair in nibbles.chunks(2) {
        out.push(pair[0] << 4 | pair.get(1).copied().unwrap_or(0));
    }
    Ok(())
}

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], StatementError> {
        if self.0.len() < n {
            return Err(StatementError::Malformed);
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, StatementError> {
        Ok(self.take(1)?[0])
    }

    fn text(&mut self) -> Result<String, StatementError> {
        let head_len = self.u8()? as usize;
        let head = std::str::from_utf8(self.take(head_len)?).map_err(|_| StatementError::Malformed)?;
        let mut text = head.to_owned();
        let count = self.u8()? as usize;
        let bytes = self.take(count.div_ceil(2))?;
        for i in 0..count {
            let n = if i % 2 == 0 { bytes[i / 2] >> 4 } else { bytes[i / 2] & 0x0F };
            text.push(from_nibble(n).ok_or(StatementError::Malformed)?);
        }
        // The padding nibble of an odd count is zero: any other value is a different payload.
        if count % 2 == 1 && bytes[count / 2] & 0x0F != 0 {
            return Err(StatementError::Malformed);
        }
        Ok(text)
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date")
}

/// The signed bytes of a statement (everything but the signature).
fn body(st: &QrStatement) -> Result<Vec<u8>, StatementError> {
    let index = st.status_index.and_then(|i| u32::try_from(i).ok()).ok_or(StatementError::Malformed)?;
    let at = u32::try_from(st.issued_at).map_err(|_| StatementError::Malformed)?;
    let day = match st.valid_until.as_str() {
        "" => NO_DAY,
        d => {
            let d = NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| StatementError::Malformed)?;
            u16::try_from((d - epoch()).num_days()).ok().filter(|d| *d != NO_DAY).ok_or(StatementError::Malformed)?
        }
    };
    let mut out = Vec::with_capacity(48);
    out.push(VERSION);
    out.extend_from_slice(&index.to_be_bytes());
    out.extend_from_slice(&at.to_be_bytes());
    out.extend_from_slice(&day.to_be_bytes());
    pack_text(&mut out, &st.registration_number)?;
    pack_text(&mut out, &st.id_masked)?;
    Ok(out)
}

/// Signs `st` (which must carry a status index) as a compact payload; `sign` returns the raw
/// 64-byte r‖s signature of the bytes it is given.
pub fn sign(st: &QrStatement, sign: impl FnOnce(&[u8]) -> [u8; 64]) -> Result<String, StatementError> {
    let mut bytes = body(st)?;
    let signature = sign(&bytes);
    bytes.extend_from_slice(&signature);
    Ok(BASE32_NOPAD.encode(&bytes))
}

/// Whether `payload` looks like a compact statement (base32 only), not the text form.
pub fn is_compact(payload: &str) -> bool {
    !payload.is_empty() && payload.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

/// Decodes and checks a compact payload; `verify(message, signature)` checks the SM2 signature.
/// The licence identifier of the answer is empty: the status index names the certificate.
pub fn verify(payload: &str, verify: impl FnOnce(&[u8], &[u8]) -> bool) -> Result<QrStatement, StatementError> {
    let bytes = BASE32_NOPAD.decode(payload.as_bytes()).map_err(|_| StatementError::Malformed)?;
    if bytes.len() < 1 + 4 + 4 + 2 + SIGNATURE_LEN || bytes[0] != VERSION {
        return Err(StatementError::Malformed);
    }
    let (signed, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
    if !verify(signed, signature) {
        return Err(StatementError::BadSignature);
    }
    let mut c = Cursor(&signed[1..]);
    let index = u32::from_be_bytes(c.take(4)?.try_into().map_err(|_| StatementError::Malformed)?);
    let at = u32::from_be_bytes(c.take(4)?.try_into().map_err(|_| StatementError::Malformed)?);
    let day = u16::from_be_bytes(c.take(2)?.try_into().map_err(|_| StatementError::Malformed)?);
    let registration_number = c.text()?;
    let id_masked = c.text()?;
    if !c.0.is_empty() {
        return Err(StatementError::Malformed);
    }
    let valid_until = match day {
        NO_DAY => String::new(),
        d => (epoch() + chrono::Duration::days(d as i64)).format("%Y-%m-%d").to_string(),
    };
    Ok(QrStatement {
        registration_number,
        licence_id: String::new(),
        id_masked,
        valid_until,
        issued_at: at as i64,
        status_index: Some(index as i64),
    })
}

/// The verification address for a compact payload: the public address with its scheme and host
/// in capitals (both are case-insensitive), so that a QR code carries it in alphanumeric mode
/// whenever the rest of the address allows.
pub fn url(public_url: &str, payload: &str) -> String {
    let base = public_url.trim_end_matches('/');
    let upper = match base.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            format!("{}://{}{}", scheme.to_ascii_uppercase(), host.to_ascii_uppercase(), path)
        }
        None => base.to_owned(),
    };
    format!("{upper}{PATH}{payload}")
}

/// The payload of a compact verification address (or the payload itself).
pub fn payload_of(text: &str) -> &str {
    let text = text.trim();
    match text.rfind(PATH) {
        Some(i) => &text[i + PATH.len()..],
        None => text,
    }
    .split(['?', '#'])
    .next()
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_pack_and_unpack() {
        for t in ["皖2342024202400001", "340104**********14", "", "沪A12X", "12345", "ABC", "3401041990010112X"] {
            let mut out = Vec::new();
            pack_text(&mut out, t).unwrap();
            assert_eq!(Cursor(&out).text().unwrap(), t);
        }
        let mut out = Vec::new();
        pack_text(&mut out, "皖2342024202400001").unwrap();
        assert_eq!(out.len(), 1 + 3 + 1 + 8);
    }

    #[test]
    fn the_address_is_alphanumeric_after_the_public_path() {
        let u = url("https://erjian.example.gov.cn/", "ABC234");
        assert_eq!(u, "HTTPS://ERJIAN.EXAMPLE.GOV.CN/V/ABC234");
        assert_eq!(url("http://127.0.0.1:8080/erjian", "AB"), "HTTP://127.0.0.1:8080/erjian/V/AB");
        assert_eq!(payload_of(&u), "ABC234");
        assert_eq!(payload_of(" ABC234 "), "ABC234");
    }
}

//! A small DER reader and writer: enough for SES v4 seals and X.509 certificates, and exact
//! about raw bytes (a verifier must hash the bytes it was given, never a re-encoding).

use crate::OfdError;

pub const BOOLEAN: u8 = 0x01;
pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const NULL: u8 = 0x05;
pub const OID: u8 = 0x06;
pub const UTF8_STRING: u8 = 0x0C;
pub const PRINTABLE_STRING: u8 = 0x13;
pub const IA5_STRING: u8 = 0x16;
pub const UTC_TIME: u8 = 0x17;
pub const GENERALIZED_TIME: u8 = 0x18;
pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;

/// One TLV: its tag, its content, and the whole encoding (tag + length + content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

fn bad(what: &str) -> OfdError {
    OfdError::Asn1(what.to_owned())
}

/// Reads one TLV from the front of `input`; returns it and the rest.
pub fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), OfdError> {
    if input.len() < 2 {
        return Err(bad("truncated"));
    }
    let tag = input[0];
    if tag & 0x1F == 0x1F {
        return Err(bad("multi-byte tags are not supported"));
    }
    let (len, hl) = match input[1] {
        l if l < 0x80 => (l as usize, 2),
        0x80 => return Err(bad("indefinite length")),
        l => {
            let n = (l & 0x7F) as usize;
            if n > 4 || input.len() < 2 + n {
                return Err(bad("length"));
            }
            (input[2..2 + n].iter().fold(0usize, |a, b| (a << 8) | *b as usize), 2 + n)
        }
    };
    let end = hl.checked_add(len).filter(|e| *e <= input.len()).ok_or_else(|| bad("length beyond input"))?;
    Ok((Tlv { tag, content: &input[hl..end], raw: &input[..end] }, &input[end..]))
}

/// Reads exactly one TLV with the expected tag.
pub fn expect(input: &[u8], tag: u8) -> Result<(Tlv<'_>, &[u8]), OfdError> {
    let (t, rest) = read(input)?;
    if t.tag != tag {
        return Err(OfdError::Asn1(format!("expected tag {tag:#04x}, found {:#04x}", t.tag)));
    }
    Ok((t, rest))
}

/// The elements of a constructed value.
pub fn children(content: &[u8]) -> Result<Vec<Tlv<'_>>, OfdError> {
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        let (t, r) = read(rest)?;
        out.push(t);
        rest = r;
    }
    Ok(out)
}

/// A BIT STRING's bits (the unused-bits count must be 0).
pub fn bit_string(t: &Tlv<'_>) -> Result<Vec<u8>, OfdError> {
    match t.content.split_first() {
        Some((0, bits)) if t.tag == BIT_STRING => Ok(bits.to_vec()),
        _ => Err(bad("bit string")),
    }
}

pub fn small_int(t: &Tlv<'_>) -> Result<i64, OfdError> {
    if t.tag != INTEGER || t.content.is_empty() || t.content.len() > 8 {
        return Err(bad("integer"));
    }
    let neg = t.content[0] & 0x80 != 0;
    Ok(t.content.iter().fold(if neg { -1i64 } else { 0 }, |a, b| (a << 8) | *b as i64))
}

pub fn string(t: &Tlv<'_>) -> String {
    String::from_utf8_lossy(t.content).into_owned()
}

pub fn oid_string(t: &Tlv<'_>) -> String {
    let c = t.content;
    if c.is_empty() {
        return String::new();
    }
    let mut parts = vec![(c[0] / 40) as u64, (c[0] % 40) as u64];
    let mut v: u64 = 0;
    for b in &c[1..] {
        v = (v << 7) | (b & 0x7F) as u64;
        if b & 0x80 == 0 {
            parts.push(v);
            v = 0;
        }
    }
    parts.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

/// GeneralizedTime or UTCTime as a UTC timestamp.
pub fn time(t: &Tlv<'_>) -> Result<chrono::DateTime<chrono::Utc>, OfdError> {
    let s = std::str::from_utf8(t.content).map_err(|_| bad("time"))?;
    let full = match t.tag {
        GENERALIZED_TIME => s.to_owned(),
        UTC_TIME => format!("{}{s}", if s.get(..2).and_then(|y| y.parse::<u32>().ok()).unwrap_or(0) >= 50 { "19" } else { "20" }),
        _ => return Err(bad("time tag")),
    };
    let digits = full.trim_end_matches('Z');
    let digits = digits.split('.').next().unwrap_or(digits);
    chrono::NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S").map(|n| n.and_utc()).map_err(|_| bad("time format"))
}

// ---- writing ----

pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(SEQUENCE, &parts.concat())
}

pub fn int(v: i64) -> Vec<u8> {
    let mut bytes: Vec<u8> = v.to_be_bytes().to_vec();
    while bytes.len() > 1 && ((bytes[0] == 0 && bytes[1] & 0x80 == 0) || (bytes[0] == 0xFF && bytes[1] & 0x80 != 0)) {
        bytes.remove(0);
    }
    tlv(INTEGER, &bytes)
}

/// A non-negative big integer from big-endian bytes.
pub fn uint(bytes: &[u8]) -> Vec<u8> {
    let mut b: Vec<u8> = bytes.iter().copied().skip_while(|x| *x == 0).collect();
    if b.is_empty() || b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    tlv(INTEGER, &b)
}

pub fn bits(data: &[u8]) -> Vec<u8> {
    let mut c = vec![0u8];
    c.extend_from_slice(data);
    tlv(BIT_STRING, &c)
}

pub fn octets(data: &[u8]) -> Vec<u8> {
    tlv(OCTET_STRING, data)
}

pub fn ia5(s: &str) -> Vec<u8> {
    tlv(IA5_STRING, s.as_bytes())
}

pub fn utf8(s: &str) -> Vec<u8> {
    tlv(UTF8_STRING, s.as_bytes())
}

pub fn gentime(t: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    tlv(GENERALIZED_TIME, t.format("%Y%m%d%H%M%SZ").to_string().as_bytes())
}

pub fn oid(dotted: &str) -> Vec<u8> {
    let n: Vec<u64> = dotted.split('.').map(|p| p.parse().expect("numeric oid")).collect();
    let mut c = vec![(n[0] * 40 + n[1]) as u8];
    for &v in &n[2..] {
        let mut stack = vec![(v & 0x7F) as u8];
        let mut v = v >> 7;
        while v > 0 {
            stack.push(0x80 | (v & 0x7F) as u8);
            v >>= 7;
        }
        c.extend(stack.into_iter().rev());
    }
    tlv(OID, &c)
}

/// A context-specific tag: `[n]` constructed (explicit) or primitive (implicit).
pub fn context(n: u8, constructed: bool, content: &[u8]) -> Vec<u8> {
    tlv(0x80 | if constructed { 0x20 } else { 0 } | n, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_lengths_oids_and_ints() {
        for n in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let v = octets(&vec![7u8; n]);
            let (t, rest) = read(&v).unwrap();
            assert_eq!((t.content.len(), rest.len(), t.raw.len()), (n, 0, v.len()));
        }
        for o in ["1.2.156.10197.1.501", "1.2.840.10045.2.1", "2.5.4.3"] {
            assert_eq!(oid_string(&read(&oid(o)).unwrap().0), o);
        }
        for i in [0i64, 1, 127, 128, 255, 256, -1, -129, 1 << 40] {
            assert_eq!(small_int(&read(&int(i)).unwrap().0).unwrap(), i);
        }
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        for bad in [&[][..], &[0x30], &[0x30, 0x85, 1, 1, 1, 1, 1], &[0x30, 0x05, 1], &[0x1F, 0x01, 0x00], &[0x30, 0x80]] {
            assert!(read(bad).is_err());
        }
    }
}

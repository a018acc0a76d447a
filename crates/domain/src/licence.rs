//! E-licence identifiers (证照标识), domain brief §3:
//! `1.2.156.3005.2.{licence type, 21}.{issuer credit code, 18}.{serial}.{version, 3 digits}.{check}`
//! with an ISO/IEC 7064 MOD 37,36 check character over everything after the root, dots removed.

use std::fmt;

pub const ROOT: &str = "1.2.156.3005.2";
/// MOHURD's licence type code for the second-level constructor certificate.
pub const CONSTRUCTOR2_TYPE: &str = "11100000000013338W001";
const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The MOD 37,36 check character of a string over 0-9A-Z (other characters are an error).
pub fn check_char(s: &str) -> Option<char> {
    let mut p: u32 = 36;
    for c in s.chars() {
        let v = ALPHABET.iter().position(|a| *a as char == c.to_ascii_uppercase())? as u32;
        p = (p + v) % 36;
        if p == 0 {
            p = 36;
        }
        p = (2 * p) % 37;
    }
    let r = (37 - p) % 37;
    let r = if r == 36 { 0 } else { r };
    Some(ALPHABET[r as usize] as char)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceId {
    pub licence_type: String,
    pub issuer: String,
    pub serial: String,
    pub version: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LicenceIdError {
    #[error("证照标识格式不正确")]
    Format,
    #[error("证照标识校验位不正确")]
    Check,
}

impl LicenceId {
    pub fn new(licence_type: &str, issuer: &str, serial: &str, version: u32) -> Result<Self, LicenceIdError> {
        let ok = licence_type.len() == 21
            && issuer.len() == 18
            && !serial.is_empty()
            && version <= 999
            && [licence_type, issuer, serial].iter().all(|s| s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
        if !ok {
            return Err(LicenceIdError::Format);
        }
        Ok(LicenceId { licence_type: licence_type.into(), issuer: issuer.into(), serial: serial.into(), version })
    }

    fn body(&self) -> String {
        format!("{}{}{}{:03}", self.licence_type, self.issuer, self.serial, self.version)
    }

    pub fn check(&self) -> char {
        check_char(&self.body()).expect("validated alphabet")
    }

    pub fn parse(s: &str) -> Result<Self, LicenceIdError> {
        let rest = s.trim().strip_prefix(ROOT).and_then(|r| r.strip_prefix('.')).ok_or(LicenceIdError::Format)?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [t, i, serial, v, c] = parts[..] else { return Err(LicenceIdError::Format) };
        if v.len() != 3 {
            return Err(LicenceIdError::Format);
        }
        let id = LicenceId::new(t, i, serial, v.parse().map_err(|_| LicenceIdError::Format)?)?;
        if c.len() != 1 || !c.starts_with(id.check()) {
            return Err(LicenceIdError::Check);
        }
        Ok(id)
    }

    /// The same licence, next file version.
    pub fn next_version(&self) -> LicenceId {
        LicenceId { version: self.version + 1, ..self.clone() }
    }
}

impl fmt::Display for LicenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{ROOT}.{}.{}.{}.{:03}.{}", self.licence_type, self.issuer, self.serial, self.version, self.check())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_identifiers_check() {
        for s in [
            "1.2.156.3005.2.11100000000013338W011.11110000000021135M.20230329701.003.Y",
            "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
        ] {
            let id = LicenceId::parse(s).unwrap();
            assert_eq!(id.to_string(), s);
        }
    }

    #[test]
    fn a_changed_character_fails_the_check() {
        let bad = "1.2.156.3005.2.11100000000013338W011.11110000000021135M.20230329702.003.Y";
        assert_eq!(LicenceId::parse(bad), Err(LicenceIdError::Check));
        assert_eq!(LicenceId::parse("1.2.156.3005.2.x"), Err(LicenceIdError::Format));
    }

    #[test]
    fn versions_rise() {
        let id = LicenceId::new(CONSTRUCTOR2_TYPE, "11340000003175829N", "3420260000001", 1).unwrap();
        let next = id.next_version();
        assert_eq!(next.version, 2);
        assert!(next.to_string().contains(".002."));
        assert_eq!(LicenceId::parse(&next.to_string()).unwrap(), next);
    }
}

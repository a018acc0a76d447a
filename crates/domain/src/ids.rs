//! Resident ID numbers (GB 11643) and unified social credit codes (GB 32100), parsed once.
//!
//! A [`ResidentId`] always holds a valid, upper-case number; gender and birth date are derived
//! from it and never typed twice. A [`CreditCode`] always has the legal alphabet and length; an
//! early pilot code whose check character fails is still accepted but flagged, as the brief says.

use chrono::NaiveDate;
use std::fmt;

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("身份证号码应为18位")]
    Length,
    #[error("身份证号码前17位应为数字，最后一位为数字或X")]
    Characters,
    #[error("身份证号码中的出生日期无效")]
    BirthDate,
    #[error("身份证号码校验位不正确，请核对后重新输入")]
    Checksum,
}

/// A checked 18-character resident ID number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ResidentId(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn label(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }
}

impl ResidentId {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let s = input.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(IdError::Length);
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(IdError::Characters);
        }
        let sum: u32 = b[..17].iter().zip(ID_WEIGHTS).map(|(c, w)| u32::from(c - b'0') * w).sum();
        if ID_CHECK[(sum % 11) as usize] != b[17] {
            return Err(IdError::Checksum);
        }
        let id = ResidentId(s);
        if id.birth_date_opt().is_none() {
            return Err(IdError::BirthDate);
        }
        Ok(id)
    }

    /// Completes 17 digits with their check character (for generated and demo data).
    pub fn with_check(first17: &str) -> Result<Self, IdError> {
        if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::Characters);
        }
        let sum: u32 = first17.bytes().zip(ID_WEIGHTS).map(|(c, w)| u32::from(c - b'0') * w).sum();
        Self::parse(&format!("{first17}{}", ID_CHECK[(sum % 11) as usize] as char))
    }

    fn birth_date_opt(&self) -> Option<NaiveDate> {
        let d = &self.0[6..14];
        NaiveDate::from_ymd_opt(d[0..4].parse().ok()?, d[4..6].parse().ok()?, d[6..8].parse().ok()?)
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date_opt().expect("checked in parse")
    }

    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// First 6 and last 2 characters with 10 asterisks between, as public pages show it.
    pub fn masked(&self) -> String {
        format!("{}**********{}", &self.0[..6], &self.0[16..])
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码应为18位")]
    Length,
    #[error("统一社会信用代码含有无效字符（不使用 I、O、S、V、Z）")]
    Characters,
}

/// A unified social credit code of legal form. `check_ok` is false for early pilot codes whose
/// check character fails: they are legal and accepted, but callers should warn.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct CreditCode {
    code: String,
    check_ok: bool,
}

impl CreditCode {
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let s = input.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(CreditCodeError::Length);
        }
        let values: Vec<u32> =
            s.chars().map(|c| USCC_ALPHABET.find(c).map(|i| i as u32)).collect::<Option<_>>().ok_or(CreditCodeError::Characters)?;
        let sum: u32 = values[..17].iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
        let check = (31 - sum % 31) % 31;
        Ok(CreditCode { check_ok: check == values[17], code: s })
    }

    /// Completes 17 characters with their check character (for generated and demo data).
    pub fn with_check(first17: &str) -> Result<Self, CreditCodeError> {
        let values: Vec<u32> =
            first17.chars().map(|c| USCC_ALPHABET.find(c).map(|i| i as u32)).collect::<Option<_>>().ok_or(CreditCodeError::Characters)?;
        if values.len() != 17 {
            return Err(CreditCodeError::Length);
        }
        let sum: u32 = values.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
        let check = USCC_ALPHABET.as_bytes()[((31 - sum % 31) % 31) as usize] as char;
        Self::parse(&format!("{first17}{check}"))
    }

    pub fn check_ok(&self) -> bool {
        self.check_ok
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

/// A mainland mobile number: 11 digits starting with 1[3-9].
pub fn parse_mobile(input: &str) -> Result<String, &'static str> {
    let s = input.trim();
    let b = s.as_bytes();
    if b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        Ok(s.to_owned())
    } else {
        Err("请输入11位手机号码，如 13800138000")
    }
}

/// An ID number as shown to those who may not see it whole (enterprises, the public): a
/// resident ID keeps its first six and last two characters; anything else its first and last.
pub fn mask_id_number(s: &str) -> String {
    if let Ok(id) = ResidentId::parse(s) {
        return id.masked();
    }
    let chars: Vec<char> = s.chars().collect();
    match chars.len() {
        0 => String::new(),
        1..=2 => "*".repeat(chars.len()),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// A mobile number as shown to those who may not see it whole: 138****5678.
pub fn mask_mobile(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() >= 7 {
        format!("{}****{}", chars[..3].iter().collect::<String>(), chars[chars.len() - 4..].iter().collect::<String>())
    } else {
        "*".repeat(chars.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_id_from_the_brief_derives_birth_and_gender() {
        let id = ResidentId::parse("11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.masked(), "110105**********2X");
    }

    #[test]
    fn invalid_ids_are_refused_with_their_reason() {
        assert_eq!(ResidentId::parse("110105194912310021"), Err(IdError::Checksum));
        assert_eq!(ResidentId::parse("11010519491231002"), Err(IdError::Length));
        assert_eq!(ResidentId::parse("1101051949123100AX"), Err(IdError::Characters));
        // 1949-02-30 does not exist; choose the check digit so only the date is wrong.
        let body = "11010519490230002";
        let sum: u32 = body.bytes().zip(ID_WEIGHTS).map(|(c, w)| u32::from(c - b'0') * w).sum();
        let full = format!("{body}{}", ID_CHECK[(sum % 11) as usize] as char);
        assert_eq!(ResidentId::parse(&full), Err(IdError::BirthDate));
    }

    #[test]
    fn male_when_sequence_is_odd() {
        let body = "34010119800101001";
        let sum: u32 = body.bytes().zip(ID_WEIGHTS).map(|(c, w)| u32::from(c - b'0') * w).sum();
        let id = ResidentId::parse(&format!("{body}{}", ID_CHECK[(sum % 11) as usize] as char)).unwrap();
        assert_eq!(id.gender(), Gender::Male);
    }

    #[test]
    fn credit_codes_from_the_brief_check() {
        for c in ["12110000400777687U", "11100000000013338W", "11430000006122244L", "11370800MB28559184"] {
            let code = CreditCode::parse(c).unwrap();
            assert!(code.check_ok(), "{c}");
        }
    }

    #[test]
    fn credit_code_with_wrong_check_is_legal_but_flagged() {
        let code = CreditCode::parse("12110000400777687A").unwrap();
        assert!(!code.check_ok());
        assert_eq!(CreditCode::parse("12110000400777687I"), Err(CreditCodeError::Characters));
        assert_eq!(CreditCode::parse("1211000040077768"), Err(CreditCodeError::Length));
    }

    #[test]
    fn with_check_completes_valid_numbers() {
        assert_eq!(ResidentId::with_check("11010519491231002").unwrap().as_str(), "11010519491231002X");
        assert_eq!(CreditCode::with_check("12110000400777687").unwrap().as_str(), "12110000400777687U");
    }

    #[test]
    fn mobile_numbers() {
        assert!(parse_mobile("13800138000").is_ok());
        assert!(parse_mobile("12800138000").is_err());
        assert!(parse_mobile("1380013800").is_err());
    }

    #[test]
    fn masking_hides_the_middle() {
        assert_eq!(super::mask_mobile("13812345678"), "138****5678");
        assert_eq!(super::mask_id_number("H12345678"), "H*******8");
        assert!(!super::mask_id_number("340104197906110056").contains("19790611"));
    }
}

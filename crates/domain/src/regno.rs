//! Registration numbers (注册编号), domain brief §3.
//!
//! New style: province abbreviation + level `2` + 2-digit province code of first registration +
//! 4-digit qualification year + 4-digit first-registration year + 5-digit serial, e.g.
//! `皖2342020202100001`. A serial past 99999 is an error, never a wrap.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegNoError {
    #[error("本年度注册编号流水号已用尽（超过99999）")]
    SerialOverflow,
    #[error("注册编号格式不正确")]
    Format,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegistrationNumber {
    pub province_abbr: String,
    pub origin_code: String,
    pub qualification_year: i32,
    pub registration_year: i32,
    pub serial: u32,
}

impl RegistrationNumber {
    pub fn new(
        province_abbr: &str,
        origin_code: &str,
        qualification_year: i32,
        registration_year: i32,
        serial: u32,
    ) -> Result<Self, RegNoError> {
        if serial == 0 || serial > 99_999 {
            return Err(RegNoError::SerialOverflow);
        }
        if origin_code.len() != 2 || !origin_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegNoError::Format);
        }
        if !(1000..=9999).contains(&qualification_year) || !(1000..=9999).contains(&registration_year) {
            return Err(RegNoError::Format);
        }
        Ok(Self {
            province_abbr: province_abbr.to_owned(),
            origin_code: origin_code.to_owned(),
            qualification_year,
            registration_year,
            serial,
        })
    }

    /// Parses a new-style number: one CJK abbreviation then 16 digits.
    pub fn parse(s: &str) -> Result<Self, RegNoError> {
        let mut chars = s.trim().chars();
        let abbr = chars.next().ok_or(RegNoError::Format)?;
        let rest: String = chars.collect();
        if abbr.is_ascii() || rest.len() != 16 || !rest.bytes().all(|b| b.is_ascii_digit()) || &rest[0..1] != "2" {
            return Err(RegNoError::Format);
        }
        let n = |r: std::ops::Range<usize>| rest[r].parse::<i32>().map_err(|_| RegNoError::Format);
        Self::new(&abbr.to_string(), &rest[1..3], n(3..7)?, n(7..11)?, n(11..16)? as u32)
    }
}

impl fmt::Display for RegistrationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}2{}{:04}{:04}{:05}",
            self.province_abbr, self.origin_code, self.qualification_year, self.registration_year, self.serial
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_brief_example() {
        let n = RegistrationNumber::new("皖", "34", 2020, 2021, 1).unwrap();
        assert_eq!(n.to_string(), "皖2342020202100001");
        assert_eq!(RegistrationNumber::parse("皖2342020202100001").unwrap(), n);
    }

    #[test]
    fn serial_overflow_is_an_error() {
        assert!(RegistrationNumber::new("皖", "34", 2020, 2021, 99_999).is_ok());
        assert_eq!(RegistrationNumber::new("皖", "34", 2020, 2021, 100_000), Err(RegNoError::SerialOverflow));
    }

    #[test]
    fn malformed_numbers_are_refused() {
        assert_eq!(RegistrationNumber::parse("沪231161800057"), Err(RegNoError::Format));
        assert_eq!(RegistrationNumber::parse("22342020202100001"), Err(RegNoError::Format));
        assert_eq!(RegistrationNumber::parse("皖3342020202100001"), Err(RegNoError::Format));
    }
}

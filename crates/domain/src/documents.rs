//! 证件类型: the identity documents a person may sign up and register with, each with its own
//! format check, parsed once into a [`PersonId`].
//!
//! Three kinds share the resident-ID format of GB 11643 (18 characters, birth date inside, check
//! character): 居民身份证, and the residence permits for Hong Kong, Macao (行政区划 810000 /
//! 820000) and Taiwan residents (830000), whose birth date and gender are read from the number.
//! The other three carry neither, so the person states them: 港澳居民来往内地通行证 (H or M and 8
//! digits, or 10 digits on older cards), 台湾居民来往大陆通行证 (8 digits) and a passport of the
//! People's Republic of China (E, G, D, S or P, then 8 characters of which the last 7 are digits).

use crate::ids::{Gender, IdError, ResidentId};
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    #[default]
    Resident,
    HkMacaoResidence,
    TaiwanResidence,
    HkMacaoPass,
    TaiwanPass,
    Passport,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::Resident,
        DocumentKind::HkMacaoResidence,
        DocumentKind::TaiwanResidence,
        DocumentKind::HkMacaoPass,
        DocumentKind::TaiwanPass,
        DocumentKind::Passport,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Resident => "居民身份证",
            DocumentKind::HkMacaoResidence => "港澳居民居住证",
            DocumentKind::TaiwanResidence => "台湾居民居住证",
            DocumentKind::HkMacaoPass => "港澳居民来往内地通行证",
            DocumentKind::TaiwanPass => "台湾居民来往大陆通行证",
            DocumentKind::Passport => "护照",
        }
    }

    /// The stored and submitted code.
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Resident => "resident",
            DocumentKind::HkMacaoResidence => "hk_macao_residence",
            DocumentKind::TaiwanResidence => "taiwan_residence",
            DocumentKind::HkMacaoPass => "hk_macao_pass",
            DocumentKind::TaiwanPass => "taiwan_pass",
            DocumentKind::Passport => "passport",
        }
    }

    pub fn parse_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether the number itself gives birth date and gender (else the person states them).
    pub fn carries_birth(self) -> bool {
        matches!(self, DocumentKind::Resident | DocumentKind::HkMacaoResidence | DocumentKind::TaiwanResidence)
    }

    /// An example of a well-formed number, for the form's hint.
    pub fn example(self) -> &'static str {
        match self {
            DocumentKind::Resident => "18位，最后一位可为X",
            DocumentKind::HkMacaoResidence => "18位，以810000或820000开头",
            DocumentKind::TaiwanResidence => "18位，以830000开头",
            DocumentKind::HkMacaoPass => "H或M加8位数字，如 H12345678",
            DocumentKind::TaiwanPass => "8位数字，如 12345678",
            DocumentKind::Passport => "如 E12345678",
        }
    }
}

/// A checked identity document number of a known kind, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonId {
    kind: DocumentKind,
    number: String,
    resident: Option<ResidentId>,
}

fn region_of(id: &ResidentId) -> &str {
    &id.as_str()[..6]
}

impl PersonId {
    /// Checks `input` as a number of `kind`; the error says what is wrong, in Chinese.
    pub fn parse(kind: DocumentKind, input: &str) -> Result<Self, String> {
        let s: String = input.trim().to_ascii_uppercase();
        let resident = |want: &[&str], wrong: &str| -> Result<Option<ResidentId>, String> {
            let id = ResidentId::parse(&s).map_err(|e| resident_message(kind, e))?;
            let region = region_of(&id);
            let is_permit = ["810000", "820000", "830000"].contains(&region);
            if want.is_empty() && is_permit || !want.is_empty() && !want.contains(&region) {
                return Err(wrong.to_owned());
            }
            Ok(Some(id))
        };
        let b = s.as_bytes();
        let resident = match kind {
            DocumentKind::Resident => resident(&[], "该号码是港澳台居民居住证号码，请选择对应的证件类型")?,
            DocumentKind::HkMacaoResidence => resident(&["810000", "820000"], "港澳居民居住证号码应以810000或820000开头")?,
            DocumentKind::TaiwanResidence => resident(&["830000"], "台湾居民居住证号码应以830000开头")?,
            DocumentKind::HkMacaoPass => {
                let ok = matches!(b.first(), Some(b'H' | b'M')) && (b.len() == 9 || b.len() == 11) && b[1..].iter().all(u8::is_ascii_digit);
                if !ok {
                    return Err("港澳居民来往内地通行证号码应为H或M加8位（旧证10位）数字，如 H12345678".into());
                }
                None
            }
            DocumentKind::TaiwanPass => {
                if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
                    return Err("台湾居民来往大陆通行证号码应为8位数字".into());
                }
                None
            }
            DocumentKind::Passport => {
                let ok = b.len() == 9
                    && matches!(b[0], b'E' | b'G' | b'D' | b'S' | b'P')
                    && b[1].is_ascii_alphanumeric()
                    && b[1] != b'I'
                    && b[1] != b'O'
                    && b[2..].iter().all(u8::is_ascii_digit);
                if !ok {
                    return Err("护照号码格式不正确：应为9位，以E、G、D、S或P开头，如 E12345678".into());
                }
                None
            }
        };
        Ok(PersonId { kind, number: s, resident })
    }

    /// Reads a number of any kind from its shape alone (registers imported as CSV have no
    /// 证件类型 column): 18 characters are a resident ID or a residence permit by their region.
    pub fn infer(input: &str) -> Result<Self, String> {
        let s = input.trim().to_ascii_uppercase();
        let kind = match s.len() {
            18 => match s.get(..6) {
                Some("810000" | "820000") => DocumentKind::HkMacaoResidence,
                Some("830000") => DocumentKind::TaiwanResidence,
                _ => DocumentKind::Resident,
            },
            8 => DocumentKind::TaiwanPass,
            _ if s.starts_with('H') || s.starts_with('M') => DocumentKind::HkMacaoPass,
            9 => DocumentKind::Passport,
            _ => return Err(IdError::Length.to_string()),
        };
        Self::parse(kind, &s)
    }

    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The resident-ID form of the number, for the kinds that have it.
    pub fn resident(&self) -> Option<&ResidentId> {
        self.resident.as_ref()
    }

    /// Birth date and gender when the number carries them.
    pub fn birth_and_gender(&self) -> Option<(NaiveDate, Gender)> {
        self.resident.as_ref().map(|r| (r.birth_date(), r.gender()))
    }

    pub fn masked(&self) -> String {
        crate::ids::mask_id_number(&self.number)
    }
}

fn resident_message(kind: DocumentKind, e: IdError) -> String {
    match kind {
        DocumentKind::Resident => e.to_string(),
        _ => e.to_string().replace("身份证号码", &format!("{}号码", kind.label())),
    }
}

#[cfg(test)]
mod tests {
    use super::{DocumentKind as K, PersonId};

    #[test]
    fn each_kind_has_its_own_format() {
        assert!(PersonId::parse(K::Resident, "340104197906110056").is_ok());
        // A residence permit number is refused as a resident ID card and taken as what it is.
        let hk = crate::ids::ResidentId::with_check("81000019900101002").unwrap();
        assert!(PersonId::parse(K::Resident, hk.as_str()).unwrap_err().contains("居住证"));
        let p = PersonId::parse(K::HkMacaoResidence, hk.as_str()).unwrap();
        assert_eq!(p.birth_and_gender().unwrap().0.to_string(), "1990-01-01");
        assert!(PersonId::parse(K::TaiwanResidence, hk.as_str()).unwrap_err().contains("830000"));
        let tw = crate::ids::ResidentId::with_check("83000019850505001").unwrap();
        assert!(PersonId::parse(K::TaiwanResidence, tw.as_str()).is_ok());
        // The check character still counts for permits.
        let mut bad = tw.as_str().to_owned();
        let last = if bad.ends_with('1') { '2' } else { '1' };
        bad.pop();
        bad.push(last);
        assert!(PersonId::parse(K::TaiwanResidence, &bad).unwrap_err().contains("台湾居民居住证号码校验位"));

        assert!(PersonId::parse(K::HkMacaoPass, "h12345678").is_ok());
        assert!(PersonId::parse(K::HkMacaoPass, "M1234567890").is_ok());
        assert!(PersonId::parse(K::HkMacaoPass, "X12345678").is_err());
        assert!(PersonId::parse(K::HkMacaoPass, "H1234567").is_err());
        assert!(PersonId::parse(K::TaiwanPass, "12345678").is_ok());
        assert!(PersonId::parse(K::TaiwanPass, "1234567A").is_err());
        assert!(PersonId::parse(K::Passport, "E12345678").is_ok());
        assert!(PersonId::parse(K::Passport, "EA1234567").is_ok());
        assert!(PersonId::parse(K::Passport, "EO1234567").is_err());
        assert!(PersonId::parse(K::Passport, "A12345678").is_err());
        assert!(PersonId::parse(K::Passport, "E1234567").is_err());
        assert!(PersonId::parse(K::Passport, "E12345678").unwrap().birth_and_gender().is_none());
    }

    #[test]
    fn the_shape_tells_the_kind_in_a_register() {
        assert_eq!(PersonId::infer("340104197906110056").unwrap().kind(), K::Resident);
        assert_eq!(PersonId::infer("H12345678").unwrap().kind(), K::HkMacaoPass);
        assert_eq!(PersonId::infer("12345678").unwrap().kind(), K::TaiwanPass);
        assert_eq!(PersonId::infer("E12345678").unwrap().kind(), K::Passport);
        assert!(PersonId::infer("12345").is_err());
        for k in K::ALL {
            assert_eq!(K::parse_code(k.code()), Some(k));
        }
    }
}

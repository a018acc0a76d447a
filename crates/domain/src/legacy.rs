//! The existing register (存量注册) as the authority exports it from its previous system: people
//! registered before erjian, holding paper certificates (纸质证书), and temporary constructors
//! (who have no initial registration and so can only arrive this way).
//!
//! Columns, with a header row: 注册编号, 姓名, 身份证号, 注册类别, 企业统一社会信用代码, 专业,
//! 有效期起, 有效期至 — one row per specialty; the rows of one registration share its number.
//! UTF-8 (with or without BOM) or GB18030. A file with any bad row imports nothing.

use crate::ids::{CreditCode, ResidentId};
use crate::profession::{profession_by_name, Profession};
use crate::qualification::RowError;
use chrono::NaiveDate;
use std::collections::BTreeMap;

pub const HEADERS: [&str; 8] = ["注册编号", "姓名", "身份证号", "注册类别", "企业统一社会信用代码", "专业", "有效期起", "有效期至"];

/// One registration of the previous system, with its specialties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyRegistration {
    /// The first line of the file it came from.
    pub line: u64,
    pub registration_number: String,
    pub name: String,
    pub id_number: ResidentId,
    pub profession: &'static Profession,
    pub credit_code: String,
    /// (specialty code, valid from, valid until)
    pub specialties: Vec<(&'static str, NaiveDate, NaiveDate)>,
}

impl LegacyRegistration {
    pub fn first_registered_on(&self) -> NaiveDate {
        self.specialties.iter().map(|s| s.1).min().expect("at least one specialty")
    }
}

/// Parses and checks a whole file; rows of one registration must agree on the person, the
/// profession and the employer.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<LegacyRegistration>, Vec<RowError>> {
    let text = crate::qualification::decode(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    match reader.headers() {
        Ok(h) if h.iter().eq(HEADERS) => {}
        _ => return Err(vec![RowError { line: 1, message: format!("表头应为：{}", HEADERS.join(",")) }]),
    }
    let mut regs: BTreeMap<String, LegacyRegistration> = BTreeMap::new();
    let mut errors = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = row.as_ref().ok().and_then(|r| r.position()).map(|p| p.line()).unwrap_or(i as u64 + 2);
        let parsed = row.map_err(|e| format!("无法读取：{e}")).and_then(|r| parse_row(&r, line));
        let row = match parsed {
            Ok(r) => r,
            Err(message) => {
                errors.push(RowError { line, message });
                continue;
            }
        };
        let spec = row.specialties[0];
        match regs.get_mut(&row.registration_number) {
            None => {
                regs.insert(row.registration_number.clone(), row);
            }
            Some(reg) => {
                if reg.id_number != row.id_number
                    || reg.name != row.name
                    || reg.profession != row.profession
                    || reg.credit_code != row.credit_code
                {
                    errors.push(RowError {
                        line, message: format!("与第{}行同一注册编号，但人员、注册类别或企业不一致", reg.line)
                    });
                } else if reg.specialties.iter().any(|s| s.0 == spec.0) {
                    errors.push(RowError { line, message: "与文件中前面的行重复（同一注册同一专业）".into() });
                } else {
                    reg.specialties.push(spec);
                }
            }
        }
    }
    let mut seen: BTreeMap<(String, &str), u64> = BTreeMap::new();
    for reg in regs.values() {
        if let Some(first) = seen.insert((reg.id_number.as_str().to_owned(), reg.profession.code), reg.line) {
            errors.push(RowError { line: reg.line, message: format!("此人此类别已在第{first}行以另一注册编号出现") });
        }
    }
    if regs.is_empty() && errors.is_empty() {
        errors.push(RowError { line: 2, message: "文件中没有数据行".into() });
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(errors);
    }
    let mut out: Vec<LegacyRegistration> = regs.into_values().collect();
    out.sort_by_key(|r| r.line);
    Ok(out)
}

fn parse_row(r: &csv::StringRecord, line: u64) -> Result<LegacyRegistration, String> {
    if r.len() != HEADERS.len() {
        return Err(format!("应有{}列，实际{}列", HEADERS.len(), r.len()));
    }
    let registration_number = r[0].to_owned();
    if registration_number.chars().count() < 6 || registration_number.chars().count() > 30 || registration_number.is_ascii() {
        return Err(format!("注册编号“{registration_number}”格式不正确（应以省份简称开头，如 皖2342020202100001 或 沪231161800057）"));
    }
    let name = r[1].to_owned();
    if name.is_empty() || name.chars().count() > 30 {
        return Err("姓名不能为空且不超过30个字".into());
    }
    let id_number = ResidentId::parse(&r[2]).map_err(|e| e.to_string())?;
    let profession = profession_by_name(&r[3]).ok_or_else(|| format!("注册类别“{}”不存在", &r[3]))?;
    let credit_code = CreditCode::parse(&r[4]).map_err(|e| e.to_string())?.as_str().to_owned();
    let specialty = profession.specialty_by_any(&r[5]).ok_or_else(|| format!("专业“{}”不属于{}", &r[5], profession.name))?;
    let date = |s: &str, what: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{what}“{s}”应为 YYYY-MM-DD 格式"));
    let from = date(&r[6], "有效期起")?;
    let until = date(&r[7], "有效期至")?;
    if until < from {
        return Err("有效期至不能早于有效期起".into());
    }
    Ok(LegacyRegistration {
        line,
        registration_number,
        name,
        id_number,
        profession,
        credit_code,
        specialties: vec![(specialty.code, from, until)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "注册编号,姓名,身份证号,注册类别,企业统一社会信用代码,专业,有效期起,有效期至\n";

    #[test]
    fn rows_of_one_registration_are_grouped() {
        let csv = format!(
            "{HEAD}皖2341420100800001,王芳,11010519491231002X,二级注册建造师,12110000400777687U,建筑,2024-03-01,2027-02-28\n\
             皖2341420100800001,王芳,11010519491231002X,二级注册建造师,12110000400777687U,市政,2024-03-01,2027-02-28\n\
             皖2340820080800009,李强,340104198001010012,二级临时建造师,12110000400777687U,公路,2025-01-01,2027-12-31\n"
        );
        let regs = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(regs.len(), 2);
        assert_eq!(regs[0].specialties.len(), 2);
        assert_eq!(regs[1].profession.code, "temp_constructor2");
        assert_eq!(regs[0].first_registered_on(), NaiveDate::from_ymd_opt(2024, 3, 1).unwrap());
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = format!(
            "{HEAD}皖2341420100800001,王芳,11010519491231002X,二级注册建造师,12110000400777687U,建筑,2024-03-01,2027-02-28\n\
             皖2341420100800001,王五,11010519491231002X,二级注册建造师,12110000400777687U,市政,2024-03-01,2027-02-28\n\
             12345,李强,340104198001010012,二级注册建造师,12110000400777687U,公路,2025-01-01,2027-12-31\n\
             皖2340820080800009,李强,340104198001010012,二级注册建造师,12110000400777687U,航空,2025-01-01,2027-12-31\n\
             皖2340820080800010,赵六,340104198001010012,二级注册建造师,12110000400777687U,公路,2025-01-01,2024-12-31\n\
             皖2341420100800002,王芳,11010519491231002X,二级注册建造师,12110000400777687U,公路,2025-01-01,2027-12-31\n"
        );
        let errs = parse_csv(csv.as_bytes()).unwrap_err();
        let lines: Vec<u64> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7], "{errs:?}");
        assert!(errs[0].message.contains("不一致"));
        assert!(errs[1].message.contains("注册编号"));
        assert!(errs[2].message.contains("航空"));
        assert!(errs[3].message.contains("不能早于"));
        assert!(errs[4].message.contains("另一注册编号"));
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let errs = parse_csv("姓名,身份证号\n王芳,11010519491231002X\n".as_bytes()).unwrap_err();
        assert_eq!(errs[0].line, 1);
        assert!(errs[0].message.contains("注册编号"));
    }
}

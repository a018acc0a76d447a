//! The qualification register (资格库) and its CSV import format.
//!
//! Columns, in this order, with a header row: 姓名, 身份证号, 专业类别, 专业, 资格证书管理号,
//! 取得年份, 发证日期 (English headers name, id_number, profession, specialty, certificate_no,
//! pass_year, issue_date are accepted too). UTF-8 (with or without BOM) or GB18030 as saved by
//! Excel. A file with any bad row imports nothing: [`parse_csv`] returns every bad row with its
//! line number and reason.

use crate::documents::PersonId;
use crate::profession::{profession_by_name, Profession};
use chrono::{Datelike, NaiveDate};
use std::collections::HashSet;

pub const HEADERS_ZH: [&str; 7] = ["姓名", "身份证号", "专业类别", "专业", "资格证书管理号", "取得年份", "发证日期"];
pub const HEADERS_EN: [&str; 7] = ["name", "id_number", "profession", "specialty", "certificate_no", "pass_year", "issue_date"];

/// One person qualified in one specialty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualificationRecord {
    /// The 1-based line of the file it came from.
    pub line: u64,
    pub name: String,
    /// Any 证件类型, read from the number's shape ([`PersonId::infer`]).
    pub id_number: PersonId,
    pub profession: &'static Profession,
    pub specialty_code: &'static str,
    pub certificate_no: String,
    pub pass_year: i32,
    pub issue_date: NaiveDate,
}

/// A rejected row: its 1-based line number in the file and the reason, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

pub(crate) fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// Parses and checks a whole file; `today` bounds the years.
pub fn parse_csv(bytes: &[u8], today: NaiveDate) -> Result<Vec<QualificationRecord>, Vec<RowError>> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => return Err(vec![RowError { line: 1, message: format!("无法读取表头：{e}") }]),
    };
    if headers != HEADERS_ZH && headers != HEADERS_EN {
        return Err(vec![RowError { line: 1, message: format!("表头应为：{}", HEADERS_ZH.join(",")) }]);
    }
    let mut records = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (i, row) in reader.records().enumerate() {
        let line = row.as_ref().ok().and_then(|r| r.position()).map(|p| p.line()).unwrap_or(i as u64 + 2);
        let result = row.map_err(|e| format!("无法读取：{e}")).and_then(|r| parse_row(&r, line, today));
        match result {
            Ok(rec) => {
                if seen.insert((rec.id_number.clone(), rec.profession.code, rec.specialty_code)) {
                    records.push(rec);
                } else {
                    errors.push(RowError { line, message: "与文件中前面的行重复（同一人同一专业）".into() });
                }
            }
            Err(message) => errors.push(RowError { line, message }),
        }
    }
    if records.is_empty() && errors.is_empty() {
        errors.push(RowError { line: 2, message: "文件中没有数据行".into() });
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
    }
}

fn parse_row(r: &csv::StringRecord, line: u64, today: NaiveDate) -> Result<QualificationRecord, String> {
    if r.len() != 7 {
        return Err(format!("应有7列，实际{}列", r.len()));
    }
    let name = r[0].to_owned();
    if name.is_empty() || name.chars().count() > 30 {
        return Err("姓名不能为空且不超过30个字".into());
    }
    let id_number = PersonId::infer(&r[1])?;
    let profession = profession_by_name(&r[2]).ok_or_else(|| format!("专业类别“{}”不存在", &r[2]))?;
    // A profession without specialties (二级注册建筑师, 二级注册结构工程师) may leave the column empty.
    let whole = (profession.specialties.len() == 1 && r[3].trim().is_empty()).then(|| &profession.specialties[0]);
    let specialty =
        whole.or_else(|| profession.specialty_by_any(&r[3])).ok_or_else(|| format!("专业“{}”不属于{}", &r[3], profession.name))?;
    let certificate_no = r[4].to_owned();
    if certificate_no.is_empty() || certificate_no.len() > 40 {
        return Err("资格证书管理号不能为空且不超过40个字符".into());
    }
    let pass_year: i32 = r[5].parse().map_err(|_| format!("取得年份“{}”不是四位年份", &r[5]))?;
    if !(1990..=today.year()).contains(&pass_year) {
        return Err(format!("取得年份应在1990至{}之间", today.year()));
    }
    let issue_date = NaiveDate::parse_from_str(&r[6], "%Y-%m-%d").map_err(|_| format!("发证日期“{}”应为 YYYY-MM-DD 格式", &r[6]))?;
    if issue_date.year() < pass_year || issue_date > today {
        return Err("发证日期不能早于取得年份，也不能晚于今天".into());
    }
    Ok(QualificationRecord { line, name, id_number, profession, specialty_code: specialty.code, certificate_no, pass_year, issue_date })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn a_good_file_imports_every_row() {
        let csv = "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n王芳,11010519491231002X,二级注册建造师,建筑,00123456,2021,2021-10-20\n王芳,11010519491231002X,二级注册建造师,市政公用工程,00123457,2021,2021-10-20\n";
        let rows = parse_csv(csv.as_bytes(), today()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].specialty_code, "10401010");
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n\
王芳,11010519491231002X,二级注册建造师,建筑,1,2021,2021-10-20\n\
李四,110105194912310021,二级注册建造师,建筑,2,2021,2021-10-20\n\
张三,11010519491231002X,二级注册建造师,航空,3,2021,2021-10-20\n\
王芳,11010519491231002X,二级注册建造师,建筑,4,2021,2021-10-20\n\
赵六,11010519491231002X,二级注册建造师,公路,5,2021,2021/10/20\n";
        let errs = parse_csv(csv.as_bytes(), today()).unwrap_err();
        let lines: Vec<u64> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert!(errs[0].message.contains("校验位"));
        assert!(errs[1].message.contains("航空"));
        assert!(errs[2].message.contains("重复"));
        assert!(errs[3].message.contains("YYYY-MM-DD"));
    }

    #[test]
    fn gb18030_files_from_excel_are_read() {
        let csv =
            "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n王芳,11010519491231002X,二级注册建造师,建筑,1,2021,2021-10-20\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(csv);
        assert_eq!(parse_csv(&gbk, today()).unwrap()[0].name, "王芳");
    }

    #[test]
    fn wrong_header_is_refused() {
        let errs = parse_csv("a,b\n1,2\n".as_bytes(), today()).unwrap_err();
        assert_eq!(errs[0].line, 1);
    }
}

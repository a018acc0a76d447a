//! The enterprise-account CSV an authority imports (enterprises it has checked on site).
//!
//! Columns, in this order, with a header row: 企业名称, 统一社会信用代码, 注册所在地 (a city's name or
//! code), 法定代表人, 企业住所, 联系人, 联系人手机, 办公电话 (may be empty). UTF-8 or GB18030 as Excel
//! saves it. This reads the rows and their shape; the store checks each field as sign-up does
//! and imports all rows or none.

use crate::qualification::{decode, RowError};

pub const HEADERS: [&str; 8] = ["企业名称", "统一社会信用代码", "注册所在地", "法定代表人", "企业住所", "联系人", "联系人手机", "办公电话"];
/// At most this many rows a file.
pub const MAX_ROWS: usize = 2000;

/// One row as written (trimmed), with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseRow {
    pub line: u64,
    pub name: String,
    pub credit_code: String,
    pub city: String,
    pub legal_rep: String,
    pub address: String,
    pub contact_name: String,
    pub contact_mobile: String,
    pub phone: String,
}

pub fn parse(bytes: &[u8]) -> Result<Vec<EnterpriseRow>, Vec<RowError>> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    match reader.headers() {
        Ok(h) if h.iter().eq(HEADERS.iter().copied()) => {}
        _ => return Err(vec![RowError { line: 1, message: format!("表头应为：{}", HEADERS.join(",")) }]),
    }
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        if rows.len() + errors.len() >= MAX_ROWS {
            errors.push(RowError { line, message: format!("一个文件最多{MAX_ROWS}行，请分批导入") });
            break;
        }
        match record {
            Ok(r) if r.len() == HEADERS.len() => rows.push(EnterpriseRow {
                line,
                name: r[0].to_owned(),
                credit_code: r[1].to_owned(),
                city: r[2].to_owned(),
                legal_rep: r[3].to_owned(),
                address: r[4].to_owned(),
                contact_name: r[5].to_owned(),
                contact_mobile: r[6].to_owned(),
                phone: r[7].to_owned(),
            }),
            Ok(r) => errors.push(RowError { line, message: format!("应有{}列，实际{}列", HEADERS.len(), r.len()) }),
            Err(e) => errors.push(RowError { line, message: format!("无法读取：{e}") }),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError { line: 2, message: "文件中没有数据行".into() });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_and_their_lines() {
        let csv = "企业名称,统一社会信用代码,注册所在地,法定代表人,企业住所,联系人,联系人手机,办公电话\n\
                   甲建设有限公司,91340100MA2T50123X,合肥市,张三,合肥市某路1号,李四,13955100001,\n\
                   乙建设有限公司,91340100MA2T50124X,合肥市,张三\n";
        let errors = super::parse(csv.as_bytes()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert!(super::parse("名称\n甲".as_bytes()).unwrap_err()[0].message.contains("表头应为"));
    }
}

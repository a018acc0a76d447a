//! The initial-registration form (初始注册申请) and its validation against the person's
//! qualification records. Messages are per field and in Chinese; the enterprise name is resolved
//! by the caller (it needs the database).

use crate::ids::parse_mobile;
use crate::profession::Profession;
use crate::validity::{check_age_for_registration, initial_ce_requirement, CeRequirement};
use crate::FieldError;
use chrono::NaiveDate;

/// The form as typed by the applicant.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct InitialForm {
    /// The profession applied for (`constructor2` when not given; 上海 also `architect2`,
    /// `structural2`).
    #[serde(default)]
    pub profession: String,
    pub enterprise_name: String,
    pub mobile: String,
    /// Specialty codes applied for.
    #[serde(default)]
    pub specialties: Vec<String>,
    pub ce_compulsory: Option<u32>,
    pub ce_elective: Option<u32>,
    /// The applicant's declaration (本人承诺所填信息真实有效).
    #[serde(default)]
    pub declaration: bool,
}

/// What the person holds in the register, one entry per specialty.
#[derive(Debug, Clone)]
pub struct HeldQualification {
    pub specialty_code: String,
    pub issue_date: NaiveDate,
}

/// A form that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedForm {
    pub mobile: String,
    pub specialties: Vec<String>,
    pub ce_required: Option<CeRequirement>,
    pub ce_compulsory: u32,
    pub ce_elective: u32,
}

/// Checks everything but the enterprise; returns every field's message at once.
pub fn check_initial_form(
    form: &InitialForm,
    profession: &Profession,
    held: &[HeldQualification],
    birth: NaiveDate,
    today: NaiveDate,
) -> Result<CheckedForm, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mobile = parse_mobile(&form.mobile).map_err(|m| errors.push(FieldError::new("mobile", m))).unwrap_or_default();
    if form.enterprise_name.trim().is_empty() {
        errors.push(FieldError::new("enterprise_name", "请输入聘用企业的全称"));
    }
    let mut specialties: Vec<String> = Vec::new();
    for code in &form.specialties {
        if specialties.contains(code) {
            continue;
        }
        if profession.specialty(code).is_none() {
            errors.push(FieldError::new("specialties", format!("专业代码“{code}”不存在")));
        } else if !held.iter().any(|h| &h.specialty_code == code) {
            errors.push(FieldError::new(
                "specialties",
                format!("资格库中没有您“{}”专业的资格记录，不能申请该专业", crate::profession::specialty_name(code)),
            ));
        } else {
            specialties.push(code.clone());
        }
    }
    if form.specialties.is_empty() {
        errors.push(FieldError::new("specialties", "请至少选择一个申请注册的专业"));
    }
    if let Err(m) = check_age_for_registration(today, birth, profession.max_age) {
        errors.push(FieldError::new("specialties", m));
    }
    // The oldest qualification among those applied for decides whether hours are due.
    let oldest = held.iter().filter(|h| specialties.contains(&h.specialty_code)).map(|h| h.issue_date).min();
    let ce_required = oldest.and_then(|q| initial_ce_requirement(q, today, specialties.len().max(1)));
    let (ce_compulsory, ce_elective) = (form.ce_compulsory.unwrap_or(0), form.ce_elective.unwrap_or(0));
    if let Some(req) = ce_required {
        if ce_compulsory < req.compulsory {
            errors.push(FieldError::new(
                "ce_compulsory",
                format!("取得资格已超过3年，须完成继续教育必修课{}学时（已填{}学时）", req.compulsory, ce_compulsory),
            ));
        }
        if ce_elective < req.elective {
            errors.push(FieldError::new(
                "ce_elective",
                format!("取得资格已超过3年，须完成继续教育选修课{}学时（已填{}学时）", req.elective, ce_elective),
            ));
        }
    }
    if !form.declaration {
        errors.push(FieldError::new("declaration", "请阅读并勾选本人承诺"));
    }
    if errors.is_empty() {
        Ok(CheckedForm { mobile, specialties, ce_required, ce_compulsory, ce_elective })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profession::profession;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn held(code: &str, issued: NaiveDate) -> HeldQualification {
        HeldQualification { specialty_code: code.into(), issue_date: issued }
    }

    fn form(specialties: &[&str]) -> InitialForm {
        InitialForm {
            enterprise_name: "安徽建工集团有限公司".into(),
            mobile: "13800138000".into(),
            specialties: specialties.iter().map(|s| s.to_string()).collect(),
            ce_compulsory: None,
            ce_elective: None,
            declaration: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_recent_qualification_needs_no_hours() {
        let p = profession("constructor2").unwrap();
        let ok = check_initial_form(&form(&["10401001"]), p, &[held("10401001", d(2025, 1, 1))], d(1985, 1, 1), d(2026, 11, 25)).unwrap();
        assert_eq!(ok.ce_required, None);
    }

    #[test]
    fn unqualified_specialty_and_missing_hours_are_reported_per_field() {
        let p = profession("constructor2").unwrap();
        let errs =
            check_initial_form(&form(&["10401001", "10401002"]), p, &[held("10401001", d(2019, 1, 1))], d(1985, 1, 1), d(2026, 11, 25))
                .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["specialties", "ce_compulsory", "ce_elective"]);
        assert!(errs[0].message.contains("公路工程"));
    }

    #[test]
    fn hours_grow_with_each_specialty() {
        let p = profession("constructor2").unwrap();
        let mut f = form(&["10401001", "10401010"]);
        f.ce_compulsory = Some(90);
        f.ce_elective = Some(89);
        let h = [held("10401001", d(2019, 1, 1)), held("10401010", d(2019, 1, 1))];
        let errs = check_initial_form(&f, p, &h, d(1985, 1, 1), d(2026, 11, 25)).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("选修课90学时"));
    }

    #[test]
    fn empty_form_reports_each_missing_field() {
        let p = profession("constructor2").unwrap();
        let errs = check_initial_form(&InitialForm::default(), p, &[], d(1985, 1, 1), d(2026, 11, 25)).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["mobile", "enterprise_name", "specialties", "declaration"]);
    }
}

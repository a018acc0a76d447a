//! Rules for a registration after it exists (domain brief §4–§5): the renewal window and its
//! hours, cancellation and its reasons, and what becomes of the certificate. Pure; "today" is
//! always a parameter.

use crate::validity::{add_years, check_age_for_registration, validity_end, CeRequirement};
use crate::FieldError;
use chrono::{Duration, NaiveDate};

/// Renewal opens this many days before the last valid day...
pub const RENEWAL_OPENS_DAYS: i64 = 90;
/// ...and closes when this many days or fewer are left (then only cancellation).
pub const RENEWAL_CLOSES_DAYS: i64 = 30;

/// Whether a specialty valid until `valid_until` may be renewed on `today`; the refusal says what
/// to do instead.
pub fn check_renewal_window(today: NaiveDate, valid_until: NaiveDate) -> Result<(), String> {
    check_renewal_window_in(today, valid_until, false)
}

/// [`check_renewal_window`] where the province has an expired specialty applied for again through
/// 增项 or 初始 instead (`add_again`, 甘肃: “延续注册的专业必须在正常的有效期内，若专业有效期已过，请通过初始
/// 注册或增项注册进行申请”): the refusal says which way.
pub fn check_renewal_window_in(today: NaiveDate, valid_until: NaiveDate, add_again: bool) -> Result<(), String> {
    let left = (valid_until - today).num_days();
    if left < 0 && add_again {
        Err(format!("该专业有效期已于 {valid_until} 届满，不能延续；请通过增项注册（或初始注册）重新申请该专业"))
    } else if left < 0 {
        Err(format!("注册有效期已于 {valid_until} 届满，不能延续；请先办理注销注册，再申请重新注册"))
    } else if left <= RENEWAL_CLOSES_DAYS {
        Err(format!("证书过期前30天内只能办理注销（有效期至 {valid_until}）；延续注册须在届满前90日至31日内申请"))
    } else if left > RENEWAL_OPENS_DAYS {
        let opens = valid_until - Duration::days(RENEWAL_OPENS_DAYS);
        Err(format!("延续注册须在有效期届满前90日内申请（有效期至 {valid_until}），请于 {opens} 起申请"))
    } else {
        Ok(())
    }
}

/// Hours one specialty of a renewal needs: 60 + 60 for the first, 30 + 30 for each further one.
pub fn renewal_hours(position: usize) -> CeRequirement {
    if position == 0 {
        CeRequirement { compulsory: 60, elective: 60 }
    } else {
        CeRequirement { compulsory: 30, elective: 30 }
    }
}

/// Hours declared for one specialty.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SpecialtyHours {
    pub specialty: String,
    pub compulsory: u32,
    pub elective: u32,
}

/// A specialty as registered: code and last valid day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldSpecialty {
    pub code: String,
    pub valid_until: NaiveDate,
}

/// Checks a renewal: at least one specialty, each registered and inside its window, the hours of
/// each, and the age limit. Returns the specialties to renew in order.
pub fn check_renewal(
    today: NaiveDate,
    birth: NaiveDate,
    max_age: u32,
    held: &[HeldSpecialty],
    hours: &[SpecialtyHours],
) -> Result<Vec<SpecialtyHours>, Vec<FieldError>> {
    check_renewal_in(today, birth, max_age, held, hours, false)
}

/// [`check_renewal`] with the province's way for an expired specialty ([`check_renewal_window_in`]).
pub fn check_renewal_in(
    today: NaiveDate,
    birth: NaiveDate,
    max_age: u32,
    held: &[HeldSpecialty],
    hours: &[SpecialtyHours],
    add_again: bool,
) -> Result<Vec<SpecialtyHours>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if hours.is_empty() {
        errors.push(FieldError::new("specialties", "请选择要延续的注册专业"));
    }
    if let Err(m) = check_age_for_registration(today, birth, max_age) {
        errors.push(FieldError::new("specialties", m));
    }
    for (i, h) in hours.iter().enumerate() {
        let name = crate::profession::specialty_name(&h.specialty);
        let Some(spec) = held.iter().find(|s| s.code == h.specialty) else {
            errors.push(FieldError::new("specialties", format!("{name}不是您的有效注册专业，不能延续")));
            continue;
        };
        if let Err(m) = check_renewal_window_in(today, spec.valid_until, add_again) {
            errors.push(FieldError::new("specialties", format!("{name}：{m}")));
        }
        let need = renewal_hours(i);
        if h.compulsory < need.compulsory || h.elective < need.elective {
            errors.push(FieldError::new(
                &format!("hours_{}", h.specialty),
                format!(
                    "{name}继续教育学时不足：须必修 {} 学时、选修 {} 学时，填报为必修 {}、选修 {}",
                    need.compulsory, need.elective, h.compulsory, h.elective
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(hours.to_vec())
    } else {
        Err(errors)
    }
}

/// The new period after a renewal: from the day after the old end, three years less a day,
/// capped by the age limit.
pub fn renewed_period(old_until: NaiveDate, birth: NaiveDate, max_age: u32) -> (NaiveDate, NaiveDate) {
    let start = old_until + Duration::days(1);
    (start, validity_end(start, birth, max_age))
}

/// Whether a date is in the renewal season of a specialty (for reminders).
pub fn renewal_opens_on(valid_until: NaiveDate) -> NaiveDate {
    valid_until - Duration::days(RENEWAL_OPENS_DAYS)
}

/// Checks an add-specialty application (增项注册): at least one specialty, none already held,
/// each in the qualification register, and the age limit.
pub fn check_add_specialty(
    today: NaiveDate,
    birth: NaiveDate,
    max_age: u32,
    held: &[String],
    qualified: &[String],
    requested: &[String],
) -> Result<Vec<String>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if requested.is_empty() {
        errors.push(FieldError::new("specialties", "请选择要增加的注册专业"));
    }
    if let Err(m) = check_age_for_registration(today, birth, max_age) {
        errors.push(FieldError::new("specialties", m));
    }
    for code in requested {
        let name = crate::profession::specialty_name(code);
        if held.contains(code) {
            errors.push(FieldError::new("specialties", format!("{name}已是您的注册专业，如需延长有效期请办理延续注册")));
        } else if !qualified.contains(code) {
            errors.push(FieldError::new("specialties", format!("资格库中没有您{name}专业的资格记录，不能增项注册")));
        }
    }
    let mut out = requested.to_vec();
    out.sort();
    out.dedup();
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The end of an e-licence use period starting `today`: `days` long, but never past the last
/// valid day of the registration nor the day before the age-limit birthday.
pub fn use_period_end(today: NaiveDate, days: u32, registration_until: NaiveDate, birth: NaiveDate, max_age: u32) -> NaiveDate {
    let cap = crate::validity::birthday(birth, max_age) - Duration::days(1);
    (today + Duration::days(i64::from(days) - 1)).min(registration_until).min(cap)
}

/// Annotation (证照加注) opens this many days before the use period ends.
pub const ANNOTATION_OPENS_DAYS: i64 = 15;

/// Whether the certificate's use period may be extended today. A certificate issued without one
/// (before the period was introduced) is annotated at any time (安徽: “如果电子证书没有有效期或者有效期即将
/// 到期15天内，请……进行【证照加注】”).
pub fn check_annotation(today: NaiveDate, use_until: Option<NaiveDate>, registration_until: NaiveDate) -> Result<(), String> {
    let Some(use_until) = use_until else {
        return if today > registration_until {
            Err(format!("注册有效期已于 {registration_until} 届满，不能加注；请先办理延续注册"))
        } else {
            Ok(())
        };
    };
    if use_until >= registration_until {
        return Err(format!("电子证照使用有效期已到注册有效期（{registration_until}），不能再加注；请先办理延续注册"));
    }
    if (use_until - today).num_days() > ANNOTATION_OPENS_DAYS {
        let opens = use_until - Duration::days(ANNOTATION_OPENS_DAYS);
        return Err(format!("证照加注须在使用有效期届满前15日内办理（使用有效期至 {use_until}，{opens} 起可办理）"));
    }
    Ok(())
}

/// Cancellation reasons (domain brief §5), code and label.
pub const CANCELLATION_REASONS: &[(&str, &str)] = &[
    ("bankrupt", "聘用企业破产"),
    ("licence_revoked", "聘用企业营业执照被吊销"),
    ("qualification_revoked", "聘用企业资质被撤回或吊销"),
    ("contract_ended", "与聘用企业解除劳动关系"),
    ("expired", "注册有效期满且未延续注册"),
    ("over_age", "年龄超过65周岁"),
    ("death", "死亡或者丧失民事行为能力"),
    ("registration_revoked", "注册被撤销"),
    ("certificate_revoked", "注册证书被吊销"),
    ("penalty", "受到刑事处罚"),
    ("under_30_days", "注册有效期不足30日"),
    ("other", "其他情形"),
];

/// Refusal grounds (不予注册), code and label.
pub const REFUSAL_REASONS: &[(&str, &str)] = &[
    ("capacity", "不具有完全民事行为能力"),
    ("two_employers", "申请在两个或两个以上单位注册"),
    ("ce_unmet", "未达到继续教育要求"),
    ("criminal", "受到刑事处罚，刑事处罚尚未执行完毕"),
    ("professional_penalty", "因执业活动受到刑事处罚，自处罚执行完毕之日起至申请注册之日止不满5年"),
    ("other_penalty", "因前项规定以外原因受到刑事处罚，自处罚执行完毕之日起至申请注册之日止不满3年"),
    ("revoked_recently", "被吊销注册证书，自处罚决定之日起至申请注册之日止不满2年"),
    ("accident", "在申请注册之日前3年内担任项目经理期间，所负责项目发生过重大质量和安全事故"),
    ("employer", "聘用单位不符合注册条件"),
    ("over_age", "年龄超过65周岁"),
    ("other", "法律、法规规定不予注册的其他情形"),
];

/// The finding that bars a person from applying for a year (注册建造师管理规定 §33): refused or
/// not accepted for concealing facts or giving false materials.
pub const FALSE_MATERIALS: &str = "隐瞒有关情况或者提供虚假材料申请注册";

/// The first day a person barred on `decided` may apply again: one year later (29 February
/// falls back to 28 February).
pub fn bar_ends(decided: NaiveDate) -> NaiveDate {
    decided.checked_add_months(chrono::Months::new(12)).unwrap_or(decided)
}

/// Why a barred person cannot apply today, or nothing.
pub fn check_not_barred(barred_until: Option<NaiveDate>, today: NaiveDate) -> Result<(), String> {
    match barred_until {
        Some(until) if today < until => Err(format!("您因{FALSE_MATERIALS}被不予受理或不予注册，{until} 起方可再次申请注册")),
        _ => Ok(()),
    }
}

/// The label of a cancellation reason code.
pub fn cancellation_reason(code: &str) -> Option<&'static str> {
    CANCELLATION_REASONS.iter().find(|r| r.0 == code).map(|r| r.1)
}

/// What a cancellation does to the registration and its certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelEffect {
    /// Some specialties remain: a new certificate without the cancelled ones.
    Partial,
    /// Nothing remains: the registration is cancelled and the certificate void.
    Whole,
}

/// Checks the specialties to cancel against those held; an empty list means all.
pub fn check_cancellation(held: &[String], cancel: &[String]) -> Result<CancelEffect, String> {
    if let Some(bad) = cancel.iter().find(|c| !held.contains(c)) {
        return Err(format!("{}不是有效的注册专业，不能注销", crate::profession::specialty_name(bad)));
    }
    if cancel.is_empty() || held.iter().all(|h| cancel.contains(h)) {
        Ok(CancelEffect::Whole)
    } else {
        Ok(CancelEffect::Partial)
    }
}

/// The first day a new three-year period would end if registered today (for display).
pub fn three_years_from(today: NaiveDate) -> NaiveDate {
    add_years(today, 3) - Duration::days(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_false_application_bars_new_ones_for_one_year() {
        assert_eq!(bar_ends(d("2026-12-03")), d("2027-12-03"));
        assert_eq!(bar_ends(d("2028-02-29")), d("2029-02-28"));
        let until = Some(bar_ends(d("2026-12-03")));
        let refused = check_not_barred(until, d("2027-12-02")).unwrap_err();
        assert_eq!(refused, "您因隐瞒有关情况或者提供虚假材料申请注册被不予受理或不予注册，2027-12-03 起方可再次申请注册");
        assert_eq!(check_not_barred(until, d("2027-12-03")), Ok(()));
        assert_eq!(check_not_barred(None, d("2026-12-03")), Ok(()));
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn renewal_window_is_90_to_31_days_before_expiry() {
        let until = d("2027-03-31");
        let on = |days: i64| check_renewal_window(until - Duration::days(days), until);
        assert!(on(91).unwrap_err().contains("90日内"));
        assert!(on(90).is_ok());
        assert!(on(31).is_ok());
        assert_eq!(on(30).unwrap_err(), "证书过期前30天内只能办理注销（有效期至 2027-03-31）；延续注册须在届满前90日至31日内申请");
        assert!(on(-1).unwrap_err().contains("先办理注销"));
    }

    #[test]
    fn renewal_hours_per_specialty() {
        let held = vec![HeldSpecialty { code: "jz".into(), valid_until: d("2027-03-31") }];
        let today = d("2027-02-01");
        let birth = d("1980-01-01");
        let ok = [SpecialtyHours { specialty: "jz".into(), compulsory: 60, elective: 60 }];
        assert!(check_renewal(today, birth, 65, &held, &ok).is_ok());
        let short = [SpecialtyHours { specialty: "jz".into(), compulsory: 60, elective: 59 }];
        let e = check_renewal(today, birth, 65, &held, &short).unwrap_err();
        assert!(e[0].message.contains("学时不足"), "{e:?}");
        assert_eq!(renewal_hours(1), CeRequirement { compulsory: 30, elective: 30 });
    }

    #[test]
    fn renewal_age_limit_the_day_before_and_on_the_day() {
        let held = vec![HeldSpecialty { code: "jz".into(), valid_until: d("2027-03-31") }];
        let hours = [SpecialtyHours { specialty: "jz".into(), compulsory: 60, elective: 60 }];
        let birth = d("1962-05-01"); // 65 on 2027-05-01; limit 90 days before = 2027-01-31
        assert!(check_renewal(d("2027-01-30"), birth, 65, &held, &hours).is_ok());
        let e = check_renewal(d("2027-01-31"), birth, 65, &held, &hours).unwrap_err();
        assert!(e[0].message.contains("不足90天"), "{e:?}");
    }

    #[test]
    fn renewed_period_follows_the_old_one() {
        assert_eq!(renewed_period(d("2027-03-31"), d("1980-01-01"), 65), (d("2027-04-01"), d("2030-03-31")));
        assert_eq!(renewed_period(d("2027-03-31"), d("1963-06-01"), 65).1, d("2028-05-31"));
    }

    #[test]
    fn add_specialty_needs_a_qualification_and_a_new_specialty() {
        let (today, birth) = (d("2026-11-25"), d("1980-01-01"));
        let held = vec!["jz".to_owned()];
        let qualified = vec!["jz".to_owned(), "sz".to_owned()];
        assert_eq!(check_add_specialty(today, birth, 65, &held, &qualified, &["sz".into()]).unwrap(), vec!["sz".to_owned()]);
        let e = check_add_specialty(today, birth, 65, &held, &qualified, &["jz".into()]).unwrap_err();
        assert!(e[0].message.contains("延续注册"));
        let e = check_add_specialty(today, birth, 65, &held, &qualified, &["gl".into()]).unwrap_err();
        assert!(e[0].message.contains("资格库"));
        assert!(check_add_specialty(today, birth, 65, &held, &qualified, &[]).is_err());
    }

    #[test]
    fn use_period_and_annotation_window() {
        let birth = d("1980-01-01");
        assert_eq!(use_period_end(d("2026-12-01"), 180, d("2029-11-30"), birth, 65), d("2027-05-29"));
        assert_eq!(use_period_end(d("2026-12-01"), 180, d("2027-01-23"), birth, 65), d("2027-01-23"), "capped at the registration");
        assert_eq!(use_period_end(d("2026-12-01"), 180, d("2029-11-30"), d("1962-02-01"), 65), d("2027-01-31"), "and the 65th birthday");
        let until = d("2027-05-29");
        assert!(check_annotation(d("2027-05-13"), Some(until), d("2029-11-30")).unwrap_err().contains("15日内"));
        assert!(check_annotation(d("2027-05-14"), Some(until), d("2029-11-30")).is_ok());
        assert!(check_annotation(d("2027-06-10"), Some(until), d("2029-11-30")).is_ok(), "also after it lapsed");
        assert!(check_annotation(d("2027-01-10"), Some(d("2027-01-23")), d("2027-01-23")).unwrap_err().contains("延续注册"));
        assert!(check_annotation(d("2027-01-10"), None, d("2029-11-30")).is_ok(), "no use period: at any time");
        assert!(check_annotation(d("2029-12-01"), None, d("2029-11-30")).unwrap_err().contains("延续注册"));
    }

    #[test]
    fn cancellation_whole_or_partial() {
        let held = vec!["jz".to_owned(), "sz".to_owned()];
        assert_eq!(check_cancellation(&held, &[]), Ok(CancelEffect::Whole));
        assert_eq!(check_cancellation(&held, &["sz".into()]), Ok(CancelEffect::Partial));
        assert_eq!(check_cancellation(&held, &["jz".into(), "sz".into()]), Ok(CancelEffect::Whole));
        assert!(check_cancellation(&held, &["gl".into()]).is_err());
    }
}

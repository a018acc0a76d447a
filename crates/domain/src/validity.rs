//! Validity periods, age limits and continuing-education requirements (domain brief §4, §6).
//!
//! All functions take "today" as a parameter so that deadlines and expiry are testable.

use chrono::{Datelike, Duration, NaiveDate};

/// The same calendar day `years` later; 29 February becomes 28 February in common years.
pub fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    let y = d.year() + years;
    NaiveDate::from_ymd_opt(y, d.month(), d.day()).unwrap_or_else(|| NaiveDate::from_ymd_opt(y, 2, 28).expect("valid"))
}

/// The day a person reaches `age`.
pub fn birthday(birth: NaiveDate, age: u32) -> NaiveDate {
    add_years(birth, age as i32)
}

/// Last valid day of a specialty registered on `start`: three years less a day, but never on or
/// after the holder's `max_age` birthday (the last day is the day before it).
pub fn validity_end(start: NaiveDate, birth: NaiveDate, max_age: u32) -> NaiveDate {
    let three_years = add_years(start, 3) - Duration::days(1);
    let age_cap = birthday(birth, max_age) - Duration::days(1);
    three_years.min(age_cap)
}

/// Initial, re-registration, renewal, add-specialty and employer change are refused from 90 days
/// before the `max_age` birthday.
pub fn check_age_for_registration(today: NaiveDate, birth: NaiveDate, max_age: u32) -> Result<(), String> {
    let limit = birthday(birth, max_age) - Duration::days(90);
    if today >= limit {
        Err(format!("距年满{max_age}周岁不足90天（{limit}起），不能办理注册；如需退出请办理注销"))
    } else {
        Ok(())
    }
}

/// Continuing-education hours an application must show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CeRequirement {
    /// 必修 hours.
    pub compulsory: u32,
    /// 选修 hours.
    pub elective: u32,
}

/// Hours for one three-year period: 60 + 60 for the first specialty, 30 + 30 for each further one.
pub fn ce_requirement(specialty_count: usize) -> CeRequirement {
    let extra = specialty_count.saturating_sub(1) as u32;
    CeRequirement { compulsory: 60 + 30 * extra, elective: 60 + 30 * extra }
}

/// Initial registration more than three years after the qualification was issued (逾期注册)
/// needs continuing-education hours; otherwise none.
pub fn initial_ce_requirement(qualified_on: NaiveDate, today: NaiveDate, specialty_count: usize) -> Option<CeRequirement> {
    (today > add_years(qualified_on, 3)).then(|| ce_requirement(specialty_count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn three_years_less_a_day() {
        assert_eq!(validity_end(d(2026, 3, 1), d(1980, 1, 1), 65), d(2029, 2, 28));
        assert_eq!(validity_end(d(2024, 2, 29), d(1980, 1, 1), 65), d(2027, 2, 27));
    }

    #[test]
    fn capped_at_the_65th_birthday() {
        assert_eq!(validity_end(d(2026, 1, 1), d(1962, 6, 15), 65), d(2027, 6, 14));
        assert_eq!(validity_end(d(2026, 1, 1), d(1970, 6, 15), 60), d(2028, 12, 31));
        assert_eq!(validity_end(d(2026, 1, 1), d(1967, 6, 15), 60), d(2027, 6, 14));
    }

    #[test]
    fn age_limit_starts_90_days_before_the_birthday() {
        let birth = d(1961, 6, 1); // 65 on 2026-06-01; limit 2026-03-03
        assert!(check_age_for_registration(d(2026, 3, 2), birth, 65).is_ok());
        assert!(check_age_for_registration(d(2026, 3, 3), birth, 65).is_err());
    }

    #[test]
    fn continuing_education_after_three_years() {
        let q = d(2020, 5, 10);
        assert_eq!(initial_ce_requirement(q, d(2023, 5, 10), 1), None);
        assert_eq!(initial_ce_requirement(q, d(2023, 5, 11), 1), Some(CeRequirement { compulsory: 60, elective: 60 }));
        assert_eq!(initial_ce_requirement(q, d(2026, 1, 1), 3), Some(CeRequirement { compulsory: 120, elective: 120 }));
    }
}

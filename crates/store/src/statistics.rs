//! Statistics for authorities (统计分析), within the tenant rule: a city counts its city's
//! applications and the registrations of its city's enterprises; the province counts all.
//! Applications by state, kind, city and month of filing; how many are overdue or due within two
//! working days; working days from filing to decision over the last twelve months; registrations
//! by specialty and by the year their validity ends.

use crate::error::{Error, Result};
use crate::{Actor, Store};
use chrono::{DateTime, NaiveDate, Utc};
use erjian_domain::workflow::{Role, State};

/// One count with its label.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Count {
    pub label: String,
    pub n: i64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Statistics {
    /// The day the figures are for (Beijing time).
    pub today: NaiveDate,
    pub by_state: Vec<Count>,
    pub by_kind: Vec<Count>,
    /// The province only: applications per city (labelled by city code; the caller names them).
    pub by_city: Vec<Count>,
    /// Applications created per month, the last twelve months.
    pub by_month: Vec<Count>,
    pub overdue: i64,
    pub due_soon: i64,
    /// Decisions (approved, refused, not accepted) in the last twelve months, and their mean
    /// working days from filing.
    pub decided: i64,
    pub mean_working_days: Option<f64>,
    pub registrations_by_specialty: Vec<Count>,
    pub registrations_by_validity_year: Vec<Count>,
}

fn counts(rows: Vec<(String, i64)>, label: impl Fn(&str) -> String) -> Vec<Count> {
    rows.into_iter().map(|(k, n)| Count { label: label(&k), n }).collect()
}

impl Store {
    pub async fn statistics(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Statistics> {
        // Only digit strings are interpolated (a city code checked here).
        let (apps, regs) = match (actor.role, actor.city_code.as_deref()) {
            (Role::ProvinceAuthority, _) => ("1 = 1".to_owned(), "1 = 1".to_owned()),
            (Role::CityAuthority, Some(c)) if c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()) => {
                (format!("a.city_code = '{c}'"), format!("e.city_code = '{c}'"))
            }
            _ => return Err(Error::Forbidden),
        };
        let today = crate::db::today(now);
        let group = |expr: &str| format!("SELECT {expr}, COUNT(*) FROM applications a WHERE {apps} GROUP BY 1 ORDER BY 2 DESC");
        let by_state: Vec<(String, i64)> = sqlx::query_as(&group("a.state")).fetch_all(&self.pool).await?;
        let by_kind: Vec<(String, i64)> = sqlx::query_as(&group("a.kind")).fetch_all(&self.pool).await?;
        let by_city: Vec<(String, i64)> =
            if actor.role == Role::ProvinceAuthority { sqlx::query_as(&group("a.city_code")).fetch_all(&self.pool).await? } else { vec![] };
        let year_ago = today - chrono::Duration::days(365);
        let months: Vec<(String, i64)> = sqlx::query_as(&format!(
            "SELECT SUBSTR(a.created_at, 1, 7), COUNT(*) FROM applications a WHERE {apps} AND a.created_at >= $1 GROUP BY 1 ORDER BY 1"
        ))
        .bind(year_ago.to_string())
        .fetch_all(&self.pool)
        .await?;
        let soon = self.calendar.add_working_days(today, 2).to_string();
        let (overdue, due_soon): (i64, i64) = sqlx::query_as(&format!(
            "SELECT COALESCE(SUM(CASE WHEN a.due_on < $1 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN a.due_on >= $1 AND a.due_on <= $2 THEN 1 ELSE 0 END), 0)
             FROM applications a WHERE {apps} AND a.due_on IS NOT NULL"
        ))
        .bind(today.to_string())
        .bind(&soon)
        .fetch_one(&self.pool)
        .await?;
        // Filing (the last) and decision (the first) of each application decided this year.
        let spans: Vec<(Option<String>, Option<String>)> = sqlx::query_as(&format!(
            "SELECT MAX(CASE WHEN l.to_state = 'filed' THEN l.at END), MIN(CASE WHEN l.to_state IN ('approved', 'refused', 'not_accepted') THEN l.at END)
             FROM audit_log l JOIN applications a ON a.id = l.object_id
             WHERE l.object_type = 'application' AND l.to_state IN ('filed', 'approved', 'refused', 'not_accepted') AND {apps}
               AND a.updated_at >= $1
             GROUP BY l.object_id"
        ))
        .bind(year_ago.to_string())
        .fetch_all(&self.pool)
        .await?;
        let day_of = |t: &str| crate::db::parse_ts(t).map(crate::db::today);
        let days: Vec<u32> = spans
            .iter()
            .filter_map(|(filed, decided)| {
                let (f, d) = (day_of(filed.as_deref()?)?, day_of(decided.as_deref()?)?);
                (d >= f && d >= year_ago).then(|| self.calendar.working_days_between(f, d))
            })
            .collect();
        let mean_working_days = (!days.is_empty()).then(|| f64::from(days.iter().sum::<u32>()) / days.len() as f64);
        let reg_group = |expr: &str| {
            format!(
                "SELECT {expr}, COUNT(*) FROM registration_specialties s JOIN registrations r ON r.id = s.registration_id
                 JOIN enterprises e ON e.id = r.enterprise_id WHERE s.status = 'active' AND r.status = 'active' AND {regs} GROUP BY 1 ORDER BY 1"
            )
        };
        let by_specialty: Vec<(String, i64)> = sqlx::query_as(&reg_group("s.specialty_code")).fetch_all(&self.pool).await?;
        let by_year: Vec<(String, i64)> = sqlx::query_as(&reg_group("SUBSTR(s.valid_until, 1, 4)")).fetch_all(&self.pool).await?;
        Ok(Statistics {
            today,
            by_state: counts(by_state, |s| State::parse(s).map(State::label).unwrap_or("其他").to_owned()),
            by_kind: counts(by_kind, |k| crate::lifecycle::kind_label(k).to_owned()),
            by_city: counts(by_city, str::to_owned),
            by_month: counts(months, |m| m.replacen('-', "年", 1) + "月"),
            overdue,
            due_soon,
            decided: days.len() as i64,
            mean_working_days,
            registrations_by_specialty: counts(by_specialty, |c| erjian_domain::profession::specialty_name(c).to_owned()),
            registrations_by_validity_year: counts(by_year, |y| format!("{y}年")),
        })
    }
}

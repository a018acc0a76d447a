//! `erjian bench lookups`: the reviewers' look-ups on a national-scale register (`demo
//! --synthetic 3000000`), through the same store calls the pages use. People are drawn at random
//! from the whole register (never a small cached sample); each operation runs once per person and
//! its p50 / p99 are printed beside a bare primary-key read through the same pool, measured in the
//! same run. With `--applications N` it first files N synthetic applications (renewals waiting
//! at 受理, 初审 and 复审, with deadlines) so that the queues have pages to show.

use chrono::{Duration, Utc};
use erjian_domain::workflow::{Role, State};
use erjian_store::applications::{Due, ListFilter};
use erjian_store::{Actor, Store};
use rand::Rng;
use std::time::Instant;

/// p50 and p99 of a set of timings, in milliseconds.
fn percentiles(mut t: Vec<f64>) -> (f64, f64) {
    t.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| t[((t.len() as f64 - 1.0) * q).round() as usize];
    (at(0.50), at(0.99))
}

/// Files `n` synthetic renewals (numbers `B…`, states spread over 待受理 / 待初审 / 待复审, deadlines
/// spread over a fortnight) for registrations drawn across the register; once.
async fn seed_applications(store: &Store, n: i64) -> anyhow::Result<i64> {
    let (have,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM applications WHERE number LIKE 'B%'").fetch_one(store.pool()).await?;
    if have >= n {
        return Ok(have);
    }
    let (regs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM registrations").fetch_one(store.pool()).await?;
    let step = (regs / n.max(1)).max(1);
    let now = Utc::now();
    let day = |d: i64| (now + Duration::days(d)).format("%Y-%m-%d").to_string();
    let stamp = |m: i64| (now - Duration::minutes(m)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    sqlx::query(
        "INSERT INTO applications (number, kind, profession, person_id, enterprise_id, city_code, state, mobile, created_at, updated_at, due_on, registration_id, person_name)
         SELECT 'B' || r.id, 'renewal', 'constructor2', r.person_id, r.enterprise_id, e.city_code,
                CASE r.id % 3 WHEN 0 THEN 'filed' WHEN 1 THEN 'accepted' ELSE 'prelim_passed' END, '',
                CASE r.id % 4 WHEN 0 THEN $2 WHEN 1 THEN $3 WHEN 2 THEN $4 ELSE $5 END,
                CASE r.id % 4 WHEN 0 THEN $2 WHEN 1 THEN $3 WHEN 2 THEN $4 ELSE $5 END,
                CASE r.id % 5 WHEN 0 THEN $6 WHEN 1 THEN $7 WHEN 2 THEN $8 WHEN 3 THEN $9 ELSE $10 END, r.id, p.name
         FROM registrations r JOIN enterprises e ON e.id = r.enterprise_id JOIN persons p ON p.id = r.person_id
         WHERE r.id % $1 = 0 AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.number = 'B' || r.id)",
    )
    .bind(step)
    .bind(stamp(5))
    .bind(stamp(600))
    .bind(stamp(3000))
    .bind(stamp(9000))
    .bind(day(-3))
    .bind(day(0))
    .bind(day(2))
    .bind(day(6))
    .bind(day(12))
    .execute(store.pool())
    .await?;
    // Fresh statistics, as a maintained database has them (PostgreSQL plans by them; with the
    // figures of an empty table it sorts a whole city's queue).
    sqlx::query("ANALYZE").execute(store.pool()).await?;
    let (have,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM applications WHERE number LIKE 'B%'").fetch_one(store.pool()).await?;
    Ok(have)
}

pub async fn lookups(url: &str, master: &[u8], count: usize, applications: i64) -> anyhow::Result<()> {
    let store = Store::connect(url).await?.with_master_key(master).await?;
    let filed = if applications > 0 { seed_applications(&store, applications).await? } else { 0 };
    let (max,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM persons").fetch_one(store.pool()).await?;
    let max = max.ok_or_else(|| anyhow::anyhow!("the database has no people: run `erjian demo --synthetic N` first"))?;
    let mut rng = rand::thread_rng();
    let mut people = Vec::with_capacity(count);
    while people.len() < count {
        let id: i64 = rng.gen_range(1..=max);
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT name, id_number FROM persons WHERE id = $1").bind(id).fetch_optional(store.pool()).await?;
        if let Some((name, sealed)) = row {
            people.push((id, name, store.open_id_number(&sealed)?));
        }
    }
    let (city,): (String,) = sqlx::query_as("SELECT city_code FROM enterprises ORDER BY id LIMIT 1").fetch_one(store.pool()).await?;
    let staff = |role, city_code| Actor {
        user_id: 0,
        username: "bench".into(),
        name: "基准测试".into(),
        role,
        person_id: None,
        enterprise_id: None,
        city_code,
        registration: None,
    };
    let province = staff(Role::ProvinceAuthority, None);
    let city = staff(Role::CityAuthority, Some(city));
    let today = Some(erjian_store::db::today(Utc::now()));
    let page = |states: Vec<State>| ListFilter { states, limit: 50, today, ..Default::default() };
    say!(
        "{} people drawn at random from {max} (the whole register); {filed} synthetic applications; {}",
        people.len(),
        if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" }
    );
    say!("{:<44} {:>9} {:>9} {:>14}", "operation", "p50 ms", "p99 ms", "p99 / baseline");
    let mut baseline_p99 = 0.0;
    for op in 0..7 {
        let mut times = Vec::with_capacity(people.len());
        let label = [
            "baseline: one person by primary key",
            "search by ID number (province)",
            "search by full name (province)",
            "注册信息查询 by ID number (province)",
            "queue page 待复审 (province, newest first)",
            "queue page 待受理 (city, soonest deadline)",
            "queue page 已超期 (province, soonest)",
        ][op];
        for (pid, name, id) in &people {
            let t = Instant::now();
            match op {
                0 => {
                    let _: Option<(String,)> =
                        sqlx::query_as("SELECT name FROM persons WHERE id = $1").bind(pid).fetch_optional(store.pool()).await?;
                }
                1 => drop(Box::pin(store.applications(&province, &ListFilter { search: Some(id.clone()), ..page(vec![]) })).await?),
                2 => drop(Box::pin(store.applications(&province, &ListFilter { search: Some(name.clone()), ..page(vec![]) })).await?),
                3 => drop(Box::pin(store.look_up_person(&province, id)).await),
                4 => drop(Box::pin(store.applications(&province, &page(vec![State::PrelimPassed]))).await?),
                5 => drop(Box::pin(store.applications(&city, &ListFilter { by_deadline: true, ..page(vec![State::Filed]) })).await?),
                _ => {
                    let overdue = ListFilter { by_deadline: true, due: Some(Due::Overdue), ..page(vec![State::Filed, State::Accepted]) };
                    drop(Box::pin(store.applications(&province, &overdue)).await?)
                }
            }
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let (p50, p99) = percentiles(times);
        if op == 0 {
            baseline_p99 = p99;
        }
        say!("{label:<44} {p50:>9.2} {p99:>9.2} {:>13.1}×", p99 / baseline_p99.max(1e-6));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentiles_of_a_known_set() {
        let t: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(super::percentiles(t), (51.0, 99.0));
    }
}

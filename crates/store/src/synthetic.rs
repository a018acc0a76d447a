//! National-scale synthetic data (`erjian demo --synthetic N`): N registered people with valid ID
//! numbers, enterprises with valid credit codes, specialties and their validity, certificate
//! records (files are not generated; their records carry the real e-licence identifiers), and a
//! registration history with renewals and cancellations. Rows go in as multi-row INSERTs built
//! from our own generated values, a few thousand people per transaction; counters are moved
//! past the numbers used so that real applications never collide with synthetic ones.

use crate::db::{today, ts, Backend};
use crate::error::{Error, Result};
use crate::Store;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use erjian_domain::ids::{CreditCode, ResidentId};
use erjian_domain::licence::{LicenceId, CONSTRUCTOR2_TYPE};
use erjian_domain::province::ProvinceProfile;
use erjian_domain::regno::RegistrationNumber;
use erjian_domain::validity::add_years;
use std::fmt::Write;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁",
    "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程",
    "苏", "魏", "吕", "丁", "任", "沈",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "华", "建",
    "国", "志", "文", "斌", "辉", "鹏", "宇", "浩", "凯", "俊", "峰", "亮", "海", "波", "晨", "欣", "婷", "雪",
];
const WORDS: &[&str] = &[
    "华", "建", "城", "宏", "鑫", "恒", "泰", "诚", "信", "达", "安", "顺", "振", "兴", "盛", "远", "通", "隆", "丰", "源", "中", "汇",
    "铭", "瑞", "嘉", "德", "正", "和", "润", "新", "启", "卓", "博", "弘", "宇", "川", "江", "山", "广", "联",
];
const KINDS: &[&str] =
    &["建设工程", "建筑工程", "建工集团", "市政工程", "路桥工程", "安装工程", "水利水电工程", "机电工程", "建设集团", "土木工程"];
const CHUNK: u64 = 4000;
/// (qualification year offset, registration year) combinations, so that serials stay below 99999.
const REG_YEARS: std::ops::RangeInclusive<i32> = 2018..=2026;

fn enterprise_name(k: u64, city: &str) -> String {
    let (w1, w2, kind) = (k % 40, (k / 40) % 40, (k / 1600) % 10);
    let mut name = format!("{city}{}{}{}有限公司", WORDS[w1 as usize], WORDS[w2 as usize], KINDS[kind as usize]);
    if k >= 16_000 {
        let _ = write!(name, "第{}分公司", k / 16_000);
    }
    name
}

fn esc(s: &str) -> String {
    s.replace('\'', "''")
}

impl Store {
    /// Adds `n` synthetic registered people; `progress` is called after each transaction.
    pub async fn seed_synthetic(
        &self,
        profile: &ProvinceProfile,
        n: u64,
        per_enterprise: u64,
        now: DateTime<Utc>,
        progress: impl Fn(u64),
    ) -> Result<u64> {
        let day = today(now);
        let max = |t: &'static str| async move {
            let (m,): (Option<i64>,) = sqlx::query_as(&format!("SELECT MAX(id) FROM {t}")).fetch_one(&self.pool).await?;
            Ok::<i64, Error>(m.unwrap_or(0))
        };
        let (p0, e0, r0, c0) = (max("persons").await?, max("enterprises").await?, max("registrations").await?, max("certificates").await?);
        let (done_before,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM settings WHERE key = 'synthetic_people'").fetch_one(&self.pool).await?;
        if done_before > 0 {
            return Err(Error::Conflict("数据库中已有合成数据；请使用新的数据库（--data 指向新目录）".into()));
        }
        let offset = 0u64;
        let sealer = self.sealer()?.clone();
        let cities: Vec<_> = profile.cities.iter().collect();
        let n_ent = (n / per_enterprise.max(1)).max(1);
        let specs: Vec<&str> = erjian_domain::profession::profession("constructor2")
            .map(|p| p.specialties.iter().map(|s| s.code).collect())
            .unwrap_or_default();
        let combos: Vec<(i32, i32)> = REG_YEARS.flat_map(|ry| (0..6).map(move |q| (ry - q, ry))).collect();
        // Synthetic certificates have no file and no printed data; stored as everything is, sealed.
        let empty = hex::encode(sealer.seal(b""));
        let blob = if self.backend() == Backend::Postgres { format!("'\\x{empty}'::bytea") } else { format!("X'{empty}'") };
        let face = sealer.seal_text("{}");
        let stamp = ts(now);
        // Enterprises first, in chunks.
        let first_ent = offset / per_enterprise.max(1);
        let mut k = first_ent;
        while k < first_ent + n_ent {
            let end = (k + CHUNK).min(first_ent + n_ent);
            let mut sql = String::from("INSERT INTO enterprises (id, name, credit_code, city_code, legal_rep, status, created_at) VALUES ");
            for (j, k) in (k..end).enumerate() {
                let city = cities[(k % cities.len() as u64) as usize];
                let credit = CreditCode::with_check(&format!("91{}{:09}", city.code, 300_000_000 + k))
                    .map_err(|e| Error::Other(anyhow::anyhow!("{e}")))?;
                let rep = format!("{}{}", SURNAMES[(k % 50) as usize], GIVEN[((k / 50) % 40) as usize]);
                let _ = write!(
                    sql,
                    "{}({}, '{}', '{}', '{}', '{}', 'active', '{stamp}')",
                    if j > 0 { "," } else { "" },
                    e0 + 1 + (k - first_ent) as i64,
                    esc(&enterprise_name(k, city.name)),
                    credit.as_str(),
                    city.code,
                    rep
                );
            }
            let mut tx = self.write().await?;
            sqlx::query(&sql).execute(tx.conn()).await?;
            tx.commit().await?;
            k = end;
        }
        let mut made = 0u64;
        let mut max_serial: std::collections::HashMap<i32, u32> = Default::default();
        let mut cert_serial: u64 = 0;
        let (mut next_cert, mut next_reg) = (c0 + 1, r0 + 1);
        while made < n {
            let end = (made + CHUNK).min(n);
            let mut persons = String::from(
                "INSERT INTO persons (id, id_number, id_key, id_masked, name, gender, birth_date, mobile, created_at) VALUES ",
            );
            let mut regs = String::from(
                "INSERT INTO registrations (id, registration_number, person_id, enterprise_id, profession, province_code, status, first_registered_on, created_at) VALUES ",
            );
            let mut rspecs = String::from(
                "INSERT INTO registration_specialties (registration_id, specialty_code, valid_from, valid_until, status) VALUES ",
            );
            let mut certs = String::from(
                "INSERT INTO certificates (id, status_index, registration_id, licence_id, certificate_no, version, status, status_reason, superseded_by, issued_at, face_json, ofd) VALUES ",
            );
            let mut events =
                String::from("INSERT INTO registration_events (registration_id, on_date, kind, specialties, enterprise_name, detail, certificate_id, created_at) VALUES ");
            for i in made..end {
                let g = offset + i;
                let sep = if i > made { "," } else { "" };
                // A unique, valid ID number: area, birth date over 35 years, sequence 500–999.
                let city = cities[(g % cities.len() as u64) as usize];
                let j = g / cities.len() as u64;
                let birth = NaiveDate::from_ymd_opt(1965, 1, 1).expect("date") + Duration::days((((j / 500) * 37) % 12775) as i64);
                let id = ResidentId::with_check(&format!("{}{}{:03}", city.code, birth.format("%Y%m%d"), 500 + j % 500))
                    .map_err(|e| Error::Other(anyhow::anyhow!("{e}")))?;
                let name = format!(
                    "{}{}{}",
                    SURNAMES[(g % 50) as usize],
                    GIVEN[((g / 50) % 40) as usize],
                    if g.is_multiple_of(3) { GIVEN[((g / 7) % 40) as usize] } else { "" }
                );
                let person_id = p0 + 1 + i as i64;
                let sealed = sealer.seal_id(id.as_str());
                let _ = write!(
                    persons,
                    "{sep}({person_id}, '{}', '{}', '{}', '{name}', '{}', '{birth}', '{}', '{stamp}')",
                    sealed.sealed,
                    sealed.key,
                    sealed.masked,
                    id.gender().label(),
                    sealer.seal_text(&format!("199{:08}", g % 100_000_000))
                );
                let ent = g % n_ent;
                let ent_id = e0 + 1 + (ent - first_ent) as i64;
                let ent_city = cities[(ent % cities.len() as u64) as usize];
                let ent_name = enterprise_name(ent, ent_city.name);
                let (qual_year, reg_year) = combos[(g % combos.len() as u64) as usize];
                let serial = (g / combos.len() as u64 + 1) as u32 + 10_000;
                let e = max_serial.entry(reg_year).or_default();
                *e = (*e).max(serial);
                let regno = RegistrationNumber::new(profile.abbr, profile.code, qual_year, reg_year, serial)
                    .map_err(|e| Error::Other(anyhow::anyhow!("{e}")))?
                    .to_string();
                let reg_id = next_reg;
                next_reg += 1;
                let first = NaiveDate::from_ymd_opt(reg_year, 1, 1).expect("date") + Duration::days((g % 300) as i64);
                let cancelled = g % 20 == 7;
                let renewed = g % 3 == 1 && add_years(first, 3) <= day;
                let _ = write!(
                    regs,
                    "{sep}({reg_id}, '{regno}', {person_id}, {ent_id}, 'constructor2', '{}', '{}', '{first}', '{stamp}')",
                    profile.code,
                    if cancelled { "cancelled" } else { "active" }
                );
                let count = match g % 20 {
                    0 => 3,
                    1..=7 => 2,
                    _ => 1,
                };
                let mine: Vec<&str> = (0..count).map(|s| specs[((g + s * 2) % specs.len() as u64) as usize]).collect();
                let from = if renewed { add_years(first, 3) } else { first };
                let until = add_years(from, 3) - Duration::days(1);
                for (s, code) in mine.iter().enumerate() {
                    let _ = write!(
                        rspecs,
                        "{}({reg_id}, '{code}', '{from}', '{until}', '{}')",
                        if i > made || s > 0 { "," } else { "" },
                        if cancelled { "cancelled" } else { "active" }
                    );
                }
                let spec_names: Vec<&str> = mine.iter().map(|c| erjian_domain::profession::specialty_name(c)).collect();
                let spec_names = spec_names.join("、");
                let digits: String = regno.chars().filter(|c| c.is_ascii_digit()).collect();
                let versions = if renewed { 2 } else { 1 };
                // The newest version is inserted first, so a superseded row's successor
                // already exists when it is written (no pending foreign-key checks).
                for v in (1..=versions).rev() {
                    let cert_id = next_cert + i64::from(versions - v);
                    let licence =
                        LicenceId::new(CONSTRUCTOR2_TYPE, profile.authority_code, &digits, v).map_err(|e| Error::Other(e.into()))?;
                    let issued = if v == 1 { first } else { from };
                    let cert_no = format!("{}{}{:07}", profile.code, issued.year(), 5_000_000 + cert_serial + u64::from(v));
                    let last = v == versions;
                    let (status, reason, successor) = match (last, cancelled) {
                        (false, _) => ("superseded", "'延续注册，已换发新证书'".to_owned(), (cert_id - 1).to_string()),
                        (true, true) => ("cancelled", "'主管部门注销：与聘用企业解除劳动关系'".to_owned(), "NULL".to_owned()),
                        (true, false) => ("valid", "NULL".to_owned(), "NULL".to_owned()),
                    };
                    let _ = write!(
                        certs,
                        "{}({cert_id}, {cert_id}, {reg_id}, '{licence}', '{cert_no}', {v}, '{status}', {reason}, {successor}, '{issued}T09:00:00Z', '{face}', {blob})",
                        if i > made || v < versions { "," } else { "" }
                    );
                }
                for v in 1..=versions {
                    let cert_id = next_cert + i64::from(versions - v);
                    let issued = if v == 1 { first } else { from };
                    let kind = if v == 1 { "initial" } else { "renewal" };
                    let _ = write!(
                        events,
                        "{}({reg_id}, '{issued}', '{kind}', '{spec_names}', '{}', '批量导入', {cert_id}, '{stamp}')",
                        if i > made || v > 1 { "," } else { "" },
                        esc(&ent_name)
                    );
                }
                next_cert += i64::from(versions);
                cert_serial += u64::from(versions);
                if cancelled {
                    let _ = write!(
                        events,
                        ",({reg_id}, '{}', 'cancel_whole', '{spec_names}', '{}', '批量导入', NULL, '{stamp}')",
                        until.min(day),
                        esc(&ent_name)
                    );
                }
            }
            let mut tx = self.write().await?;
            for sql in [&persons, &regs, &rspecs, &certs, &events] {
                sqlx::raw_sql(sql).execute(tx.conn()).await?;
            }
            tx.commit().await?;
            made = end;
            progress(made);
        }
        // Real numbering continues after the synthetic numbers; PostgreSQL sequences follow the ids.
        let mut tx = self.write().await?;
        for (year, serial) in max_serial {
            crate::db::raise_serial(tx.conn(), &format!("regno:{}:{year}", profile.code), i64::from(serial)).await?;
        }
        for y in REG_YEARS {
            crate::db::raise_serial(tx.conn(), &format!("certno:{}:{y}", profile.code), 5_000_000 + cert_serial as i64).await?;
        }
        // Status indexes continue after the synthetic ones (each took its row id).
        let (top,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM certificates").fetch_one(tx.conn()).await?;
        crate::db::raise_serial(tx.conn(), "status-index", top.unwrap_or(0)).await?;
        crate::certificates::status_changed(&mut tx, &[]).await?;
        if self.backend() == Backend::Postgres {
            for t in ["persons", "enterprises", "registrations", "certificates"] {
                sqlx::query(&format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"))
                    .execute(tx.conn())
                    .await?;
            }
        }
        sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ('synthetic_people', $1, $2)")
            .bind(made.to_string())
            .bind(ts(now))
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        // The bitstring list from the rows just written, once.
        self.rebuild_status_bits().await?;
        Ok(made)
    }
}

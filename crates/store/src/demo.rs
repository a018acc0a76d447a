//! Demo data for a newcomer: a province, authority accounts, two enterprises, a qualification
//! register of six people (one qualified long enough ago that continuing-education hours apply)
//! and one person already registered. Seeded only into an empty database.

use crate::accounts::{IndividualSignup, NewStaff};
use crate::audit::{self, Entry};
use crate::db::{today, ts};
use crate::enterprise_accounts::EnterpriseSignup;
use crate::error::Result;
use crate::{next_serial, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use erjian_domain::ids::{CreditCode, ResidentId};
use erjian_domain::profession::profession;
use erjian_domain::province::ProvinceProfile;
use erjian_domain::qualification::QualificationRecord;
use erjian_domain::regno::RegistrationNumber;
use erjian_domain::validity::validity_end;
use erjian_domain::workflow::Role;

/// One demo login, printed at start.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoAccount {
    pub role: &'static str,
    pub username: String,
    pub password: &'static str,
    pub note: String,
}

pub const ADMIN_PASSWORD: &str = "Admin2026";
pub const SECURITY_PASSWORD: &str = "Anquan2026";
pub const AUDITOR_PASSWORD: &str = "Shenji2026";
pub const AUTHORITY_PASSWORD: &str = "Shenhe2026";
pub const ENTERPRISE_PASSWORD: &str = "Qiye2026";
pub const PERSON_PASSWORD: &str = "Geren2026";

/// (name, ID body of 17 digits, specialties, pass year, has an account already)
const PEOPLE: &[(&str, &str, &[&str], i32, bool)] = &[
    ("张伟", "34010419880312003", &["10401001"], 2024, false),
    ("李娜", "34010219900718002", &["10401001", "10401010"], 2024, true),
    ("王强", "34020219820105001", &["10401012"], 2019, true),
    ("刘洋", "34030219930921005", &["10401002", "10401005"], 2022, false),
    ("陈静", "34010319950403006", &["10401007"], 2025, false),
    ("赵磊", "34010419790611003", &["10401001", "10401010"], 2020, true),
];

pub fn demo_enterprises(profile: &ProvinceProfile) -> Vec<(String, CreditCode, &'static str, &'static str)> {
    let c0 = profile.cities[0].code;
    let c1 = profile.cities.get(1).map(|c| c.code).unwrap_or(c0);
    vec![
        (
            format!("{}建工集团股份有限公司", &profile.name[..profile.name.len() - 3]),
            CreditCode::with_check(&format!("91{c0}MA2T50123")).expect("valid"),
            c0,
            "周建国",
        ),
        (
            format!("{}路桥工程有限公司", &profile.name[..profile.name.len() - 3]),
            CreditCode::with_check(&format!("91{c1}MA2N71845")).expect("valid"),
            c1,
            "吴志远",
        ),
    ]
}

impl Store {
    /// Seeds the demo when the database has no accounts; returns the accounts to print (empty
    /// when the database was not empty).
    pub async fn seed_demo(&self, issuer: &crate::certificates::Issuer, now: DateTime<Utc>) -> Result<Vec<DemoAccount>> {
        let profile = &issuer.profile;
        let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?;
        if users > 0 {
            return Ok(vec![]);
        }
        let mut accounts = Vec::new();
        self.create_staff(
            None,
            &NewStaff { username: "admin", password: ADMIN_PASSWORD, role: Role::Admin, name: "系统管理员", city_code: None },
            now,
        )
        .await?;
        accounts.push(DemoAccount {
            role: "系统管理员",
            username: "admin".into(),
            password: ADMIN_PASSWORD,
            note: "账号管理、资格库导入、省份配置".into(),
        });
        // 等保三级: three administrators, each with only their own duties.
        for (username, password, role, name, note) in [
            ("security", SECURITY_PASSWORD, Role::SecurityAdmin, "安全管理员", "登录暂停的解除、安全事件"),
            ("auditor", AUDITOR_PASSWORD, Role::AuditAdmin, "审计管理员", "审计日志的核验、查询与导出"),
        ] {
            self.create_staff(None, &NewStaff { username, password, role, name, city_code: None }, now).await?;
            accounts.push(DemoAccount { role: role.label(), username: username.into(), password, note: note.into() });
        }
        for (i, city) in profile.cities.iter().take(2).enumerate() {
            let username = format!("city{}", i + 1);
            let name = format!("{}住房和城乡建设局", city.name);
            self.create_staff(
                None,
                &NewStaff {
                    username: &username,
                    password: AUTHORITY_PASSWORD,
                    role: Role::CityAuthority,
                    name: &name,
                    city_code: Some(city.code),
                },
                now,
            )
            .await?;
            accounts.push(DemoAccount {
                role: "市级主管部门",
                username,
                password: AUTHORITY_PASSWORD,
                note: format!("{}：受理、初审", city.name),
            });
        }
        self.create_staff(
            None,
            &NewStaff {
                username: "province",
                password: AUTHORITY_PASSWORD,
                role: Role::ProvinceAuthority,
                name: profile.authority_name,
                city_code: None,
            },
            now,
        )
        .await?;
        accounts.push(DemoAccount {
            role: "省级主管部门",
            username: "province".into(),
            password: AUTHORITY_PASSWORD,
            note: "复审、公示、公告".into(),
        });
        let enterprises = demo_enterprises(profile);
        for (name, code, city, rep) in &enterprises {
            let s = EnterpriseSignup {
                name: name.clone(),
                credit_code: code.to_string(),
                city_code: city.to_string(),
                legal_rep: rep.to_string(),
                password: ENTERPRISE_PASSWORD.into(),
                contact_name: "王芳".into(),
                contact_mobile: "13955100001".into(),
                address: format!("{}建设路{}号", profile.city(city).map(|c| c.name).unwrap_or(""), 100 + accounts.len()),
                phone: "0551-62871234".into(),
                ..Default::default()
            };
            // The demo's enterprises arrive reviewed and approved.
            self.open_enterprise(&s, code, crate::enterprise_accounts::Origin::Created { by: None }, now).await?;
            accounts.push(DemoAccount { role: "企业", username: code.to_string(), password: ENTERPRISE_PASSWORD, note: name.clone() });
        }
        let prof = profession("constructor2").expect("catalogue");
        let mut records = Vec::new();
        for (name, body, specs, year, _) in PEOPLE {
            let id = ResidentId::with_check(body).expect("valid demo id");
            for (k, code) in specs.iter().enumerate() {
                records.push(QualificationRecord {
                    line: records.len() as u64 + 2,
                    name: name.to_string(),
                    id_number: erjian_domain::documents::PersonId::parse(Default::default(), id.as_str()).expect("valid demo id"),
                    profession: prof,
                    specialty_code: prof.specialty(code).expect("code").code,
                    certificate_no: format!("{}{:06}", year, body[12..].parse::<u32>().unwrap_or(0) * 10 + k as u32),
                    pass_year: *year,
                    issue_date: NaiveDate::from_ymd_opt(*year, 11, 20).expect("date"),
                });
            }
        }
        self.insert_qualifications(None, &records, now).await.map_err(|e| match e {
            crate::qualifications::ImportError::Store(e) => e,
            crate::qualifications::ImportError::Rows(r) => crate::Error::Other(anyhow::anyhow!("demo rows refused: {r:?}")),
        })?;
        for (name, body, _, _, has_account) in PEOPLE {
            let id = ResidentId::with_check(body).expect("valid demo id");
            if *has_account {
                let s = IndividualSignup {
                    name: name.to_string(),
                    id_number: id.to_string(),
                    mobile: format!("139{}", &body[9..17]),
                    password: PERSON_PASSWORD.into(),
                    ..Default::default()
                };
                self.open_individual(&s, false, now).await?;
                accounts.push(DemoAccount {
                    role: "个人",
                    username: id.to_string(),
                    password: PERSON_PASSWORD,
                    note: if *name == "赵磊" {
                        format!("{name}（已有账号；已注册，持有电子证书，有效期59天后届满，可办延续注册）")
                    } else {
                        format!("{name}（已有账号，尚未注册：可办初始注册）")
                    },
                });
            } else {
                accounts.push(DemoAccount {
                    role: "个人（待注册账号）",
                    username: id.to_string(),
                    password: "—",
                    note: format!("{name}：在“个人注册”页用姓名+身份证号实名注册"),
                });
            }
        }
        // 赵磊 is already registered with the first enterprise, holds a certificate, and his
        // validity ends in 59 days: inside the renewal window (90 to 31 days before expiry).
        let (name, body, specs, year, _) = PEOPLE[5];
        let id = ResidentId::with_check(body).expect("valid");
        let from = erjian_domain::validity::add_years(today(now) + Duration::days(60), -3);
        self.seed_registration(&id, name, &enterprises[0].1, specs, year, issuer, from, now).await?;
        // Two people from the previous system's register: 周敏 holds a paper certificate (to
        // exchange), 吴刚 is a temporary constructor whose validity ends in 70 days (to extend).
        let day = today(now);
        let (p, e) = (profile, enterprises[0].1.as_str());
        let paper_from = day - Duration::days(400);
        let paper_until = validity_end(paper_from, NaiveDate::from_ymd_opt(1987, 2, 2).expect("date"), 65);
        let temp_until = day + Duration::days(70);
        let temp_from = erjian_domain::validity::add_years(temp_until + Duration::days(1), -3);
        let csv = format!(
            "{}\n{a}2{c}1520150800001,周敏,340104198702020045,二级注册建造师,{e},建筑工程,{paper_from},{paper_until}\n\
             {a}2{c}1520150800001,周敏,340104198702020045,二级注册建造师,{e},机电工程,{paper_from},{paper_until}\n\
             {a}2{c}0820080800002,吴刚,340104196905100054,二级临时建造师,{e},公路工程,{temp_from},{temp_until}\n",
            erjian_domain::legacy::HEADERS.join(","),
            a = p.abbr,
            c = p.code,
        );
        self.import_registrations(None, p.code, csv.as_bytes(), now).await.map_err(|e| match e {
            crate::qualifications::ImportError::Store(e) => e,
            crate::qualifications::ImportError::Rows(rows) => crate::Error::Other(anyhow::anyhow!("demo register: {rows:?}")),
        })?;
        for (name, id, what) in [
            ("周敏", "340104198702020045", "持纸质证书，可换领电子证书"),
            ("吴刚", "340104196905100054", "二级临时建造师，可办理延期、变更、注销"),
        ] {
            accounts.push(DemoAccount {
                role: "个人（存量注册，待注册账号）",
                username: id.to_owned(),
                password: "—",
                note: format!("{name}：{what}；在“个人注册”页用姓名+身份证号实名注册"),
            });
        }
        Ok(accounts)
    }

    #[allow(clippy::too_many_arguments)]
    async fn seed_registration(
        &self,
        id: &ResidentId,
        name: &str,
        employer: &CreditCode,
        specs: &[&str],
        qual_year: i32,
        issuer: &crate::certificates::Issuer,
        from: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let profile = &issuer.profile;
        let mut tx = self.write().await?;
        let (person_id,): (i64,) =
            sqlx::query_as("SELECT id FROM persons WHERE id_key = $1").bind(issuer.sealer.id_key(id.as_str())).fetch_one(tx.conn()).await?;
        let (enterprise_id,): (i64,) =
            sqlx::query_as("SELECT id FROM enterprises WHERE credit_code = $1").bind(employer.as_str()).fetch_one(tx.conn()).await?;
        let year = chrono::Datelike::year(&from);
        let serial = next_serial(tx.conn(), &format!("regno:{}:{year}", profile.code)).await?;
        let number = RegistrationNumber::new(profile.abbr, profile.code, qual_year, year, serial as u32)
            .map_err(|e| crate::Error::Other(e.into()))?
            .to_string();
        let (reg_id,): (i64,) = sqlx::query_as(
            "INSERT INTO registrations (registration_number, person_id, enterprise_id, profession, province_code, status, first_registered_on, created_at) VALUES ($1, $2, $3, 'constructor2', $4, 'active', $5, $6) RETURNING id",
        )
        .bind(&number)
        .bind(person_id)
        .bind(enterprise_id)
        .bind(profile.code)
        .bind(from.to_string())
        .bind(ts(now))
        .fetch_one(tx.conn())
        .await?;
        for code in specs {
            sqlx::query("INSERT INTO registration_specialties (registration_id, specialty_code, valid_from, valid_until, status) VALUES ($1, $2, $3, $4, 'active')")
                .bind(reg_id)
                .bind(*code)
                .bind(from.to_string())
                .bind(validity_end(from, id.birth_date(), 65).to_string())
                .execute(tx.conn())
                .await?;
        }
        // The finished initial application that the registration came from, with its photo.
        let (app_id,): (i64,) = sqlx::query_as(
            "INSERT INTO applications (number, kind, profession, person_id, enterprise_id, city_code, state, version, mobile, declaration, photo, photo_mime, registration_id, created_at, updated_at, person_name)
             SELECT $1, 'initial', 'constructor2', $2, e.id, e.city_code, 'announced', 0, p.mobile, 1, $3, 'image/jpeg', $4, $5, $5, p.name
             FROM persons p, enterprises e WHERE p.id = $2 AND e.id = $6 RETURNING id",
        )
        .bind(format!("W{}{:08}", from.format("%Y%m%d"), reg_id))
        .bind(person_id)
        .bind(self.sealer()?.seal(&erjian_cert::synthetic::photo_jpeg(reg_id as u64)))
        .bind(reg_id)
        .bind(ts(now))
        .bind(enterprise_id)
        .fetch_one(tx.conn())
        .await?;
        let cause = crate::certificates::Cause { application_id: Some(app_id), supersede_reason: "已换发新证书" };
        let cert = crate::certificates::issue(&mut tx, issuer, reg_id, cause, now).await?;
        let names: Vec<&str> = specs.iter().map(|c| erjian_domain::profession::specialty_name(c)).collect();
        crate::lifecycle::record_event(&mut tx, reg_id, "initial", &names.join("、"), Some("演示数据"), Some(cert), now).await?;
        let detail = format!("演示数据：{name} 已注册，注册编号 {number}");
        audit::record(
            tx.conn(),
            now,
            None,
            Entry { detail: Some(&detail), ..Entry::new("seed_registration", "registration", Some(reg_id)) },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

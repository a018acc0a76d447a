//! The demo's publicity batch: two more applicants (孙丽, 马俊, with accounts) whose initial
//! registrations passed review and are in publicity now, for five days from today whatever the
//! demo's own publicity period — so a newcomer sees 公示 on the home page, lodges an objection and
//! watches the province decide it. Seeded by `erjian serve --demo` into a fresh database only.

use crate::accounts::IndividualSignup;
use crate::audit::{self, Entry};
use crate::db::{today, ts};
use crate::error::Result;
use crate::{next_serial, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use erjian_domain::ids::ResidentId;
use erjian_domain::qualification::QualificationRecord;

/// (name, ID body of 17 digits, specialty, index of the demo enterprise)
const APPLICANTS: &[(&str, &str, &str, usize)] =
    &[("孙丽", "34010219910205004", "10401001", 0), ("马俊", "34020319870915013", "10401002", 1)];

/// One seeded applicant in a publicity batch.
pub(crate) struct SeededEntry<'a> {
    pub person_id: i64,
    /// The employing enterprise's credit code.
    pub credit_code: &'a str,
    pub specialty: &'a str,
    pub photo_sealed: Vec<u8>,
}

/// Days of the demo batch's publicity, counting today.
const DAYS: i64 = 5;

impl Store {
    /// Seeds the batch; returns its number.
    pub async fn seed_demo_publicity(&self, issuer: &crate::certificates::Issuer, now: DateTime<Utc>) -> Result<String> {
        let profile = &issuer.profile;
        let prof = erjian_domain::profession::profession("constructor2").expect("catalogue");
        let enterprises = crate::demo::demo_enterprises(profile);
        let mut people = Vec::new();
        for (k, (name, body, spec, firm)) in APPLICANTS.iter().enumerate() {
            let id = ResidentId::with_check(body).expect("valid demo id");
            let record = QualificationRecord {
                line: 2 + k as u64,
                name: name.to_string(),
                id_number: erjian_domain::documents::PersonId::parse(Default::default(), id.as_str()).expect("valid demo id"),
                profession: prof,
                specialty_code: prof.specialty(spec).expect("code").code,
                certificate_no: format!("2023{:06}", 900 + k),
                pass_year: 2023,
                issue_date: NaiveDate::from_ymd_opt(2023, 11, 20).expect("date"),
            };
            self.insert_qualifications(None, &[record], now).await.map_err(|e| match e {
                crate::qualifications::ImportError::Store(e) => e,
                crate::qualifications::ImportError::Rows(r) => crate::Error::Other(anyhow::anyhow!("demo rows refused: {r:?}")),
            })?;
            let s = IndividualSignup {
                name: name.to_string(),
                id_number: id.to_string(),
                mobile: format!("139{}", &body[9..17]),
                password: crate::demo::PERSON_PASSWORD.into(),
                ..Default::default()
            };
            let actor = self.open_individual(&s, false, now).await?;
            people.push((actor.person_id.expect("person"), *spec, enterprises[*firm].1.to_string(), *name));
        }
        let mut tx = self.write().await?;
        let (province,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'province'").fetch_one(tx.conn()).await?;
        let day = today(now);
        let serial = next_serial(tx.conn(), &format!("batch:{}", day.format("%Y"))).await?;
        let number = format!("{}建公示〔{}〕{}号", profile.abbr, day.format("%Y"), serial);
        let ends_on = day + Duration::days(DAYS - 1);
        let (batch_id,): (i64,) = sqlx::query_as(
            "INSERT INTO batches (kind, number, created_by, created_at, ends_on) VALUES ('publicity', $1, $2, $3, $4) RETURNING id",
        )
        .bind(&number)
        .bind(province)
        .bind(ts(now))
        .bind(ends_on.to_string())
        .fetch_one(tx.conn())
        .await?;
        for (k, (person_id, spec, credit_code, name)) in people.iter().enumerate() {
            let photo = self.sealer()?.seal(&erjian_cert::synthetic::photo_jpeg(900 + k as u64));
            let entry = SeededEntry { person_id: *person_id, credit_code, specialty: spec, photo_sealed: photo };
            let app_id = self.insert_in_publicity(&mut tx, entry, batch_id, now).await?;
            let detail = format!("演示数据：{name} 的初始注册已复审通过，列入公示批次 {number}，公示期至 {ends_on}");
            audit::record(
                tx.conn(),
                now,
                None,
                Entry {
                    to_state: Some("publicity"),
                    detail: Some(&detail),
                    ..Entry::new("seed_registration", "application", Some(app_id))
                },
            )
            .await?;
        }
        audit::record(tx.conn(), now, None, Entry { detail: Some(&number), ..Entry::new("create_batch", "batch", Some(batch_id)) }).await?;
        tx.commit().await?;
        Ok(number)
    }

    /// An initial application that passed review and sits in publicity batch `batch_id`, with its
    /// photo (sealed) and one specialty; returns its id. For seeded data only.
    pub(crate) async fn insert_in_publicity(
        &self,
        tx: &mut crate::db::Tx,
        entry: SeededEntry<'_>,
        batch_id: i64,
        filed: DateTime<Utc>,
    ) -> Result<i64> {
        let SeededEntry { person_id, credit_code, specialty, photo_sealed } = entry;
        let day = today(filed);
        let serial = next_serial(tx.conn(), &format!("app:{}", day.format("%Y%m%d"))).await?;
        let (app_id,): (i64,) = sqlx::query_as(
            "INSERT INTO applications (number, kind, profession, person_id, enterprise_id, city_code, state, version, open_person_id, mobile, declaration,
                 photo, photo_mime, publicity_batch_id, created_at, updated_at, review_stages, person_name)
             SELECT $1, 'initial', 'constructor2', p.id, e.id, e.city_code, 'publicity', 0, p.id, p.mobile, 1, $2, 'image/jpeg', $3, $4, $4, $5, p.name
             FROM persons p, enterprises e WHERE p.id = $6 AND e.credit_code = $7 RETURNING id",
        )
        .bind(format!("W{}{serial:08}", day.format("%Y%m%d")))
        .bind(photo_sealed)
        .bind(batch_id)
        .bind(ts(filed))
        .bind(self.rules().review_stages.code())
        .bind(person_id)
        .bind(credit_code)
        .fetch_one(tx.conn())
        .await?;
        sqlx::query("INSERT INTO application_specialties (application_id, specialty_code) VALUES ($1, $2)")
            .bind(app_id)
            .bind(specialty)
            .execute(tx.conn())
            .await?;
        Ok(app_id)
    }
}

//! A publicity batch of N synthetic applicants whose period has ended, ready to be announced
//! (`erjian bench announce`): each applicant has a qualification in the register, a person
//! record, an initial application with a 20 KB photo that passed review and sits in 公示, all in
//! one batch that ended yesterday. Rows are written as the demo's publicity batch writes them,
//! a few hundred per transaction, so that announcing them runs the real path.

use crate::db::{today, ts};
use crate::error::{Error, Result};
use crate::{next_serial, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use erjian_domain::ids::ResidentId;
use erjian_domain::qualification::QualificationRecord;

const CHUNK: u64 = 250;
const SURNAMES: &[&str] = &["赵", "钱", "孙", "李", "周", "吴", "郑", "王", "冯", "陈", "褚", "卫", "蒋", "沈", "韩", "杨"];
const GIVEN: &[&str] = &["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "安", "宁", "华", "明", "亮", "静"];

impl Store {
    /// Adds `n` applicants in a publicity batch that ended yesterday and returns the batch id.
    /// Needs the demo's staff (the province account) and enterprises.
    pub async fn seed_publicity_batch(
        &self,
        profile: &erjian_domain::province::ProvinceProfile,
        n: u64,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let prof = erjian_domain::profession::profession("constructor2").expect("catalogue");
        let specs: Vec<&str> = prof.specialties.iter().map(|s| s.code).collect();
        let enterprises = crate::demo::demo_enterprises(profile);
        let day = today(now);
        let sealer = self.sealer()?.clone();
        let mut tx = self.write().await?;
        let (province,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'province'")
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| Error::Conflict("需要演示数据中的省级账号".into()))?;
        let serial = next_serial(tx.conn(), &format!("batch:{}", day.format("%Y"))).await?;
        let number = format!("{}建公示〔{}〕{}号", profile.abbr, day.format("%Y"), serial);
        let (batch_id,): (i64,) = sqlx::query_as(
            "INSERT INTO batches (kind, number, created_by, created_at, ends_on) VALUES ('publicity', $1, $2, $3, $4) RETURNING id",
        )
        .bind(&number)
        .bind(province)
        .bind(ts(now - Duration::days(10)))
        .bind((day - Duration::days(1)).to_string())
        .fetch_one(tx.conn())
        .await?;
        tx.commit().await?;
        let mut k = 0u64;
        while k < n {
            let end = (k + CHUNK).min(n);
            let mut records = Vec::new();
            let mut people = Vec::new();
            for g in k..end {
                let birth = NaiveDate::from_ymd_opt(1970, 1, 1).expect("date") + Duration::days((g % 9000) as i64);
                let id = ResidentId::with_check(&format!("340104{}{:03}", birth.format("%Y%m%d"), 700 + g / 9000))
                    .map_err(|e| Error::Other(anyhow::anyhow!("{e}")))?;
                let name =
                    format!("{}{}{}", SURNAMES[(g % 16) as usize], GIVEN[((g / 16) % 16) as usize], GIVEN[((g / 256) % 16) as usize]);
                let spec = specs[(g % specs.len() as u64) as usize];
                records.push(QualificationRecord {
                    line: g + 2,
                    name: name.clone(),
                    id_number: erjian_domain::documents::PersonId::parse(Default::default(), id.as_str())
                        .map_err(|e| Error::Other(anyhow::anyhow!("{e}")))?,
                    profession: prof,
                    specialty_code: prof.specialty(spec).expect("code").code,
                    certificate_no: format!("2022{:07}", 500_000 + g),
                    pass_year: 2022,
                    issue_date: NaiveDate::from_ymd_opt(2022, 11, 20).expect("date"),
                });
                people.push((id, name, spec, enterprises[(g % enterprises.len() as u64) as usize].1.to_string(), g));
            }
            self.insert_qualifications(None, &records, now).await.map_err(|e| match e {
                crate::qualifications::ImportError::Store(e) => e,
                crate::qualifications::ImportError::Rows(r) => Error::Other(anyhow::anyhow!("rows refused: {r:?}")),
            })?;
            let mut tx = self.write().await?;
            for (id, name, spec, credit_code, g) in people {
                let sealed = sealer.seal_id(id.as_str());
                let (person_id,): (i64,) = sqlx::query_as(
                    "INSERT INTO persons (id_number, id_key, id_masked, name, gender, birth_date, mobile, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(&sealed.sealed)
                .bind(&sealed.key)
                .bind(&sealed.masked)
                .bind(&name)
                .bind(id.gender().label())
                .bind(id.birth_date().to_string())
                .bind(sealer.seal_text(&format!("137{:08}", g)))
                .bind(ts(now))
                .fetch_one(tx.conn())
                .await?;
                let photo = sealer.seal(&erjian_cert::synthetic::photo_jpeg(10_000 + g));
                let entry =
                    crate::demo_publicity::SeededEntry { person_id, credit_code: &credit_code, specialty: spec, photo_sealed: photo };
                self.insert_in_publicity(&mut tx, entry, batch_id, now - Duration::days(12)).await?;
            }
            tx.commit().await?;
            k = end;
        }
        Ok(batch_id)
    }
}

//! The qualification register (资格库): all-or-nothing import and look-ups.

use crate::audit::{self, Entry};
use crate::db::ts;
use crate::error::Result;
use crate::{Actor, Store};
use chrono::{DateTime, NaiveDate, Utc};
use erjian_domain::qualification::{parse_csv, QualificationRecord, RowError};

/// A person's qualification in one specialty, as stored.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct Qualification {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub profession: String,
    pub specialty_code: String,
    pub certificate_no: String,
    pub pass_year: i64,
    pub issue_date: String,
}

impl Qualification {
    pub fn issue_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.issue_date, "%Y-%m-%d").unwrap_or_default()
    }
    pub fn specialty_name(&self) -> &'static str {
        erjian_domain::profession::specialty_name(&self.specialty_code)
    }

    /// What the holder is qualified in, as a list shows it: the specialty, or for a profession
    /// without specialties the profession (二级注册建筑师, not “（不分专业）”).
    pub fn qualified_in(&self) -> String {
        match erjian_domain::profession::profession(&self.profession) {
            Some(p) if p.specialties.len() == 1 => p.name.to_owned(),
            Some(p) if p.code != "constructor2" => format!("{}：{}", p.name, self.specialty_name()),
            _ => self.specialty_name().to_owned(),
        }
    }
}

/// Why an import was refused: every bad row, or nothing was imported.
#[derive(Debug)]
pub enum ImportError {
    Rows(Vec<RowError>),
    Store(crate::Error),
}

impl From<crate::Error> for ImportError {
    fn from(e: crate::Error) -> Self {
        ImportError::Store(e)
    }
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Store(e.into())
    }
}

impl Store {
    /// Parses and imports a CSV file in one transaction. Rows already in the register are
    /// refused (by the unique constraint, not a prior look-up) and reported with their lines.
    pub async fn import_qualifications(&self, actor: Option<&Actor>, bytes: &[u8], now: DateTime<Utc>) -> Result<usize, ImportError> {
        let records = parse_csv(bytes, crate::db::today(now)).map_err(ImportError::Rows)?;
        self.insert_qualifications(actor, &records, now).await
    }

    pub async fn insert_qualifications(
        &self,
        actor: Option<&Actor>,
        records: &[QualificationRecord],
        now: DateTime<Utc>,
    ) -> Result<usize, ImportError> {
        let sealer = self.sealer()?;
        let mut tx = self.write().await?;
        let mut errors = Vec::new();
        for r in records {
            let sealed = sealer.seal_id(r.id_number.as_str());
            let inserted: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO qualifications (name, id_number, id_key, profession, specialty_code, certificate_no, pass_year, issue_date, imported_at)
                 VALUES ($1, $2, $9, $3, $4, $5, $6, $7, $8) ON CONFLICT (id_key, profession, specialty_code) DO NOTHING RETURNING id",
            )
            .bind(&r.name)
            .bind(&sealed.sealed)
            .bind(r.profession.code)
            .bind(r.specialty_code)
            .bind(&r.certificate_no)
            .bind(i64::from(r.pass_year))
            .bind(r.issue_date.to_string())
            .bind(ts(now))
            .bind(&sealed.key)
            .fetch_optional(tx.conn())
            .await?;
            if inserted.is_none() {
                errors.push(RowError { line: r.line, message: "资格库中已有此人此专业的记录".into() });
            }
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(errors)); // dropping the transaction rolls it back
        }
        let detail = format!("导入{}条资格记录", records.len());
        audit::record(tx.conn(), now, actor, Entry { detail: Some(&detail), ..Entry::new("import_qualifications", "qualification", None) })
            .await?;
        tx.commit().await?;
        Ok(records.len())
    }

    /// The qualification records of one document number (found through its blind index; the
    /// number in each record is the one asked for, the stored one stays sealed).
    pub async fn qualifications_of(&self, id_number: &str) -> Result<Vec<Qualification>> {
        let mut found: Vec<Qualification> = sqlx::query_as("SELECT id, name, id_number, profession, specialty_code, certificate_no, pass_year, issue_date FROM qualifications WHERE id_key = $1 ORDER BY profession, specialty_code")
            .bind(self.sealer()?.id_key(id_number))
            .fetch_all(&self.pool)
            .await?;
        for q in &mut found {
            q.id_number = id_number.to_owned();
        }
        Ok(found)
    }

    pub async fn count_qualifications(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM qualifications").fetch_one(&self.pool).await?;
        Ok(n)
    }
}

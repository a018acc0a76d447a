//! Backups and restores. SQLite: `VACUUM INTO` writes a consistent copy of the whole database
//! while the service goes on (readers and the writer are not stopped); the copy is checked
//! (`PRAGMA integrity_check`, read-only) before it is called good, and a restore checks the file
//! the same way before it takes the place of the database. PostgreSQL is backed up with the
//! documented `pg_dump --format=custom` and restored with `pg_restore` (run by the CLI).
//! The master key is not in a backup: it is kept apart, and a restore needs the same one.

use crate::error::{Error, Result};
use crate::{Backend, Store};
use std::path::Path;

/// What a check of a SQLite database file found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileCheck {
    /// `ok`, or SQLite's first complaint.
    pub integrity: String,
    pub certificates: i64,
    pub registrations: i64,
    pub applications: i64,
}

impl FileCheck {
    pub fn ok(&self) -> bool {
        self.integrity == "ok"
    }
}

/// Opens `path` read-only and checks it is a whole erjian database.
pub fn check_sqlite_file(path: &Path) -> Result<FileCheck> {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let bad = |e: rusqlite::Error| Error::Conflict(format!("{} 不是可用的 erjian 数据库备份（{e}）", path.display()));
    let conn = rusqlite::Connection::open_with_flags(path, flags).map_err(bad)?;
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(bad)?;
    let count = |table: &str| -> Result<i64> { conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).map_err(bad) };
    Ok(FileCheck {
        integrity,
        certificates: count("certificates")?,
        registrations: count("registrations")?,
        applications: count("applications")?,
    })
}

/// A stored certificate file with the record it belongs to.
pub struct StoredFile {
    pub id: i64,
    pub certificate_no: String,
    pub licence_id: String,
    pub file: Vec<u8>,
}

impl Store {
    /// SQLite: writes a consistent copy of the database to `path`, which must not exist yet.
    pub async fn backup_sqlite(&self, path: &Path) -> Result<FileCheck> {
        if self.backend() != Backend::Sqlite {
            return Err(Error::Conflict("PostgreSQL 请用 pg_dump 备份（见 README“备份与恢复”）".into()));
        }
        if path.exists() {
            return Err(Error::Conflict(format!("{} 已存在：备份不覆盖已有文件", path.display())));
        }
        let target = path.to_str().ok_or_else(|| Error::Conflict("备份文件路径须为 UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.pool).await?;
        check_sqlite_file(path)
    }

    /// Certificates with an id above `after`, at most `limit`, with their files opened. For
    /// checking every certificate after a restore.
    pub async fn certificate_files_after(&self, after: i64, limit: i64) -> Result<Vec<StoredFile>> {
        let rows: Vec<(i64, String, String, Vec<u8>)> =
            sqlx::query_as("SELECT id, certificate_no, licence_id, ofd FROM certificates WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        let sealer = self.sealer()?;
        rows.into_iter()
            .map(|(id, certificate_no, licence_id, ofd)| Ok(StoredFile { id, certificate_no, licence_id, file: sealer.open(&ofd)? }))
            .collect()
    }
}

//! Personal data at rest (GB/T 39786): mobiles, photos, handwritten signatures and document scans
//! are stored under SM4-GCM with a key derived from the deployment's master key; a changed byte or
//! another deployment's key is an error, never wrong data. Stored values say they are sealed
//! (`EJS1` before a blob, `ejs1:` before text), so [`Store::with_master_key`] converts an
//! existing database in place, once (a `settings` row records it), and reading refuses anything
//! unsealed afterwards.
//!
//! Exact look-ups of a mobile (the one-time codes' limits) go through a keyed SM3 blind index
//! ([`Sealer::index`]), never the number itself.

use crate::error::{Error, Result};
use crate::Store;
use erjian_ofd::crypto::{derive_key, open_secret, seal_secret};

const MAGIC: &[u8] = b"EJS1";
const TEXT_PREFIX: &str = "ejs1:";
const DONE_KEY: &str = "personal_data_sealed_v1";

/// The keys for personal data: SM4-GCM for the values, HMAC-SM3 (checked against OpenSSL in
/// `erjian_ofd::crypto`) for the blind index.
#[derive(Clone)]
pub struct Sealer {
    key: [u8; 16],
    index_key: [u8; 16],
}

impl Sealer {
    pub fn new(master: &[u8]) -> Sealer {
        Sealer { key: derive_key(master, "personal-data-at-rest"), index_key: derive_key(master, "personal-data-blind-index") }
    }

    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend(seal_secret(&self.key, plain));
        out
    }

    pub fn open(&self, stored: &[u8]) -> Result<Vec<u8>> {
        let body = stored.strip_prefix(MAGIC).ok_or_else(|| Error::Other(anyhow::anyhow!("personal data stored unsealed")))?;
        open_secret(&self.key, body).map_err(|e| Error::Other(anyhow::anyhow!("personal data cannot be opened: {e}")))
    }

    pub fn open_opt(&self, stored: Option<Vec<u8>>) -> Result<Option<Vec<u8>>> {
        stored.map(|b| self.open(&b)).transpose()
    }

    /// Text sealed as `ejs1:` and base64; the empty text stays empty (nothing to hide).
    pub fn seal_text(&self, plain: &str) -> String {
        use base64::Engine;
        if plain.is_empty() {
            return String::new();
        }
        format!("{TEXT_PREFIX}{}", base64::engine::general_purpose::STANDARD.encode(seal_secret(&self.key, plain.as_bytes())))
    }

    pub fn open_text(&self, stored: &str) -> Result<String> {
        use base64::Engine;
        if stored.is_empty() {
            return Ok(String::new());
        }
        let bad = |what: &str| Error::Other(anyhow::anyhow!("personal text {what}"));
        let body = stored.strip_prefix(TEXT_PREFIX).ok_or_else(|| bad("stored unsealed"))?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| bad("damaged"))?;
        let plain = open_secret(&self.key, &bytes).map_err(|_| bad("cannot be opened"))?;
        String::from_utf8(plain).map_err(|_| bad("not UTF-8"))
    }

    /// The blind index of a value: HMAC-SM3 under its own key, hex.
    pub fn index(&self, value: &str) -> String {
        hex::encode(erjian_ofd::crypto::hmac_sm3(&self.index_key, value.as_bytes()))
    }
}

/// Text columns holding mobiles: (table, column).
const TEXT_COLUMNS: &[(&str, &str)] = &[("persons", "mobile"), ("applications", "mobile"), ("enterprises", "contact_mobile")];
/// Blob columns holding photos, signatures and scans: (table, key column, column).
const BLOB_COLUMNS: &[(&str, &str, &str)] = &[
    ("persons", "id", "photo"),
    ("persons", "id", "signature_image"),
    ("applications", "id", "photo"),
    ("enterprises", "id", "licence_scan"),
    ("application_attachments", "id", "bytes"),
];

impl Store {
    /// Sets the key for personal data (derived from `master`) and, once per database, seals what
    /// an earlier version stored in the clear. Returns the store.
    pub async fn with_master_key(self, master: &[u8]) -> Result<Store> {
        self.set_master_key(master).await?;
        Ok(self)
    }

    pub(crate) async fn set_master_key(&self, master: &[u8]) -> Result<()> {
        let _ = self.sealer.set(Sealer::new(master));
        self.seal_backlog().await?;
        Ok(())
    }

    /// The personal-data keys; an error if [`Store::with_master_key`] was not called.
    pub(crate) fn sealer(&self) -> Result<&Sealer> {
        self.sealer.get().ok_or_else(|| Error::Other(anyhow::anyhow!("the personal-data key is not set (Store::with_master_key)")))
    }

    /// Converts unsealed values in place, in one transaction, and records that it is done.
    async fn seal_backlog(&self) -> Result<u64> {
        let done: Option<(String,)> =
            sqlx::query_as("SELECT value FROM settings WHERE key = $1").bind(DONE_KEY).fetch_optional(&self.pool).await?;
        if done.is_some() {
            return Ok(0);
        }
        let sealer = self.sealer()?.clone();
        let mut tx = self.write().await?;
        // Write first: on SQLite the transaction then holds the write lock from its first
        // statement (a read first could not be upgraded if another process wrote meanwhile), and
        // a second process converting at the same moment fails on the key instead of doubling.
        let claimed = sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, '0', $2)")
            .bind(DONE_KEY)
            .bind(crate::db::ts(chrono::Utc::now()))
            .execute(tx.conn())
            .await;
        match claimed {
            Ok(_) => {}
            // Another process converted it meanwhile.
            Err(e) if crate::db::is_unique_violation(&e) => return Ok(0),
            Err(e) => return Err(e.into()),
        }
        let mut n = 0u64;
        for (table, column) in TEXT_COLUMNS {
            let rows: Vec<(i64, String)> =
                sqlx::query_as(&format!("SELECT id, {column} FROM {table} WHERE {column} <> '' AND {column} NOT LIKE '{TEXT_PREFIX}%'"))
                    .fetch_all(tx.conn())
                    .await?;
            for (id, plain) in rows {
                sqlx::query(&format!("UPDATE {table} SET {column} = $2 WHERE id = $1"))
                    .bind(id)
                    .bind(sealer.seal_text(&plain))
                    .execute(tx.conn())
                    .await?;
                n += 1;
            }
        }
        for (table, key, column) in BLOB_COLUMNS {
            let rows: Vec<(i64, Vec<u8>)> =
                sqlx::query_as(&format!("SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL")).fetch_all(tx.conn()).await?;
            for (id, stored) in rows.into_iter().filter(|(_, b)| !b.starts_with(MAGIC)) {
                sqlx::query(&format!("UPDATE {table} SET {column} = $2 WHERE {key} = $1"))
                    .bind(id)
                    .bind(sealer.seal(&stored))
                    .execute(tx.conn())
                    .await?;
                n += 1;
            }
        }
        sqlx::query("UPDATE settings SET value = $2 WHERE key = $1").bind(DONE_KEY).bind(n.to_string()).execute(tx.conn()).await?;
        tx.commit().await?;
        if n > 0 {
            // SQLite keeps the old pages (and the journal) until they are rewritten: rewrite now,
            // so that no clear copy stays in the file. PostgreSQL reuses dead rows' space.
            if self.backend() == crate::db::Backend::Sqlite {
                sqlx::query("VACUUM").execute(&self.pool).await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await?;
            }
            tracing::info!(values = n, "personal data sealed in place");
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::Sealer;

    #[test]
    fn sealed_values_open_only_with_their_key() {
        let s = Sealer::new(b"one deployment's master key, 32+ chars");
        let other = Sealer::new(b"another deployment's master key, 32+");
        let t = s.seal_text("13800138000");
        assert!(t.starts_with("ejs1:") && !t.contains("13800138000"));
        assert_eq!(s.open_text(&t).unwrap(), "13800138000");
        assert!(other.open_text(&t).is_err());
        assert!(s.open_text("13800138000").is_err(), "unsealed text is refused");
        assert_eq!(s.open_text("").unwrap(), "");
        let b = s.seal(b"\x89PNG photo bytes");
        assert_eq!(s.open(&b).unwrap(), b"\x89PNG photo bytes");
        let mut tampered = b.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(s.open(&tampered).is_err());
        assert_eq!(s.index("13800138000"), s.index("13800138000"));
        assert_ne!(s.index("13800138000"), other.index("13800138000"));
    }
}

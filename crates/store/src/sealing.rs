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
use erjian_ofd::crypto::{derive_key, open_chunked, open_secret, seal_chunked, seal_secret};

const MAGIC: &[u8] = b"EJS1";
/// Files larger than one chunk are sealed in chunks on both cores ([`seal_chunked`]).
const MAGIC_CHUNKED: &[u8] = b"EJS2";
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
        if plain.len() > 2 * erjian_ofd::crypto::SEAL_CHUNK {
            let mut out = MAGIC_CHUNKED.to_vec();
            out.extend(seal_chunked(&self.key, plain));
            return out;
        }
        let mut out = MAGIC.to_vec();
        out.extend(seal_secret(&self.key, plain));
        out
    }

    /// Whether stored bytes are sealed (either format).
    pub fn is_sealed(stored: &[u8]) -> bool {
        stored.starts_with(MAGIC) || stored.starts_with(MAGIC_CHUNKED)
    }

    pub fn open(&self, stored: &[u8]) -> Result<Vec<u8>> {
        let opened = match (stored.strip_prefix(MAGIC), stored.strip_prefix(MAGIC_CHUNKED)) {
            (Some(body), _) => open_secret(&self.key, body),
            (None, Some(body)) => open_chunked(&self.key, body),
            (None, None) => return Err(Error::Other(anyhow::anyhow!("personal data stored unsealed"))),
        };
        opened.map_err(|e| Error::Other(anyhow::anyhow!("personal data cannot be opened: {e}")))
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

    /// The blind index of an identity document number (`persons.id_key`, `qualifications.id_key`):
    /// separated from the mobiles' by its own prefix, so equal strings of both kinds never match.
    pub fn id_key(&self, id_number: &str) -> String {
        self.index(&format!("id\u{0}{id_number}"))
    }

    /// What is stored for a document number: sealed, its blind index, and the masked form the
    /// public and enterprise pages show.
    pub fn seal_id(&self, id_number: &str) -> SealedId {
        SealedId { sealed: self.seal_text(id_number), key: self.id_key(id_number), masked: erjian_domain::ids::mask_id_number(id_number) }
    }

    /// An individual's login name as stored in `users.username`: the blind index of the document
    /// number (`id:`…), never the number.
    pub fn person_login(&self, id_number: &str) -> String {
        format!("{PERSON_LOGIN}{}", self.id_key(id_number))
    }
}

/// A document number ready to store ([`Sealer::seal_id`]).
pub struct SealedId {
    pub sealed: String,
    pub key: String,
    pub masked: String,
}

/// How an individual's stored login name begins (staff names cannot contain a colon).
pub const PERSON_LOGIN: &str = "id:";

/// What one conversion seals in place: text columns and blob columns, each (table, column);
/// every table named has an integer `id`.
struct Backlog {
    done_key: &'static str,
    texts: &'static [(&'static str, &'static str)],
    blobs: &'static [(&'static str, &'static str)],
}

/// The conversions, in order: each runs once per database, recorded under its key.
const BACKLOGS: &[Backlog] = &[
    // Mobiles, photos, signatures and scans.
    Backlog {
        done_key: DONE_KEY,
        texts: &[("persons", "mobile"), ("applications", "mobile"), ("enterprises", "contact_mobile")],
        blobs: &[
            ("persons", "photo"),
            ("persons", "signature_image"),
            ("applications", "photo"),
            ("enterprises", "licence_scan"),
            ("application_attachments", "bytes"),
        ],
    },
    // Identity document numbers (with their blind index, see `seal_ids`) and the files and
    // printed data that carry them: certificates, usage copies, application forms, and signing
    // certificates and seals (their subject names the person by number).
    Backlog {
        done_key: IDS_DONE_KEY,
        texts: &[("certificates", "face_json")],
        blobs: &[
            ("certificates", "ofd"),
            ("usage_copies", "ofd"),
            ("applications", "form_ofd"),
            ("signing_keys", "cert"),
            ("signing_keys", "seal"),
        ],
    },
];

const IDS_DONE_KEY: &str = "personal_ids_sealed_v1";
/// Rows converted per read (files can be large).
const BATCH: i64 = 200;

impl Store {
    /// Sets the key for personal data (derived from `master`) and, once per database, seals what
    /// an earlier version stored in the clear. Returns the store.
    pub async fn with_master_key(self, master: &[u8]) -> Result<Store> {
        self.set_master_key(master).await?;
        Ok(self)
    }

    pub(crate) async fn set_master_key(&self, master: &[u8]) -> Result<()> {
        let _ = self.sealer.set(Sealer::new(master));
        let mut n = 0;
        for backlog in BACKLOGS {
            n += self.seal_backlog(backlog).await?;
        }
        // Not personal data, but also a once-per-database step of every real start.
        self.backfill_due_dates(chrono::Utc::now()).await?;
        if n > 0 {
            // SQLite keeps the old pages (and the journal) until they are rewritten: rewrite now,
            // so that no clear copy stays in the file. PostgreSQL reuses dead rows' space.
            if self.backend() == crate::db::Backend::Sqlite {
                sqlx::query("VACUUM").execute(&self.pool).await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await?;
            }
            tracing::info!(values = n, "personal data sealed in place");
        }
        Ok(())
    }

    /// A document number as stored, opened (for tools that read rows directly, e.g. the load
    /// test's sample of queries).
    pub fn open_id_number(&self, stored: &str) -> Result<String> {
        self.sealer()?.open_text(stored)
    }

    /// The personal-data keys; an error if [`Store::with_master_key`] was not called.
    pub(crate) fn sealer(&self) -> Result<&Sealer> {
        self.sealer.get().ok_or_else(|| Error::Other(anyhow::anyhow!("the personal-data key is not set (Store::with_master_key)")))
    }

    /// Converts unsealed values in place, in one transaction, and records that it is done.
    async fn seal_backlog(&self, backlog: &Backlog) -> Result<u64> {
        let done: Option<(String,)> =
            sqlx::query_as("SELECT value FROM settings WHERE key = $1").bind(backlog.done_key).fetch_optional(&self.pool).await?;
        if done.is_some() {
            return Ok(0);
        }
        let sealer = self.sealer()?.clone();
        let mut tx = self.write().await?;
        if !claim_once(&mut tx, backlog.done_key, chrono::Utc::now()).await? {
            return Ok(0);
        }
        let mut n = 0u64;
        for (table, column) in backlog.texts {
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
        for (table, column) in backlog.blobs {
            let mut after = 0i64;
            loop {
                let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(&format!(
                    "SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL AND id > $1 ORDER BY id LIMIT {BATCH}"
                ))
                .bind(after)
                .fetch_all(tx.conn())
                .await?;
                let Some(last) = rows.last().map(|r| r.0) else { break };
                after = last;
                for (id, stored) in rows.into_iter().filter(|(_, b)| !Sealer::is_sealed(b)) {
                    sqlx::query(&format!("UPDATE {table} SET {column} = $2 WHERE id = $1"))
                        .bind(id)
                        .bind(sealer.seal(&stored))
                        .execute(tx.conn())
                        .await?;
                    n += 1;
                }
            }
        }
        if backlog.done_key == IDS_DONE_KEY {
            n += seal_ids(&sealer, &mut tx).await?;
        }
        sqlx::query("UPDATE settings SET value = $2 WHERE key = $1").bind(backlog.done_key).bind(n.to_string()).execute(tx.conn()).await?;
        tx.commit().await?;
        Ok(n)
    }
}

/// Claims a once-per-database step by writing its `settings` row first: on SQLite the
/// transaction then holds the write lock from its first statement (a read first could not be
/// upgraded if another process wrote meanwhile), and a second process doing the same step at the
/// same moment fails on the key instead of doing it twice. `false`: done or being done elsewhere.
pub(crate) async fn claim_once(tx: &mut crate::db::Tx, key: &str, now: chrono::DateTime<chrono::Utc>) -> Result<bool> {
    let claimed = sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, '0', $2)")
        .bind(key)
        .bind(crate::db::ts(now))
        .execute(tx.conn())
        .await;
    match claimed {
        Ok(_) => Ok(true),
        Err(e) if crate::db::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Seals the document numbers an earlier version stored in the clear: persons and
/// qualification records get their blind index (and persons the masked form), individuals'
/// login names become the index, a name change's numbers in its application are sealed, and
/// lock-out rows under a typed number are dropped (they name nobody after the change).
async fn seal_ids(sealer: &Sealer, tx: &mut crate::db::Tx) -> Result<u64> {
    let mut n = 0u64;
    for table in ["persons", "qualifications"] {
        let rows: Vec<(i64, String)> =
            sqlx::query_as(&format!("SELECT id, id_number FROM {table} WHERE id_key IS NULL")).fetch_all(tx.conn()).await?;
        for (id, plain) in rows {
            let sealed = sealer.seal_id(&plain);
            let extra = if table == "persons" { ", id_masked = $4" } else { "" };
            let sql = format!("UPDATE {table} SET id_number = $2, id_key = $3{extra} WHERE id = $1");
            let mut q = sqlx::query(&sql).bind(id).bind(&sealed.sealed).bind(&sealed.key);
            if table == "persons" {
                q = q.bind(&sealed.masked);
            }
            q.execute(tx.conn()).await?;
            n += 1;
        }
    }
    let users: Vec<(i64, String)> =
        sqlx::query_as(&format!("SELECT id, username FROM users WHERE role = 'individual' AND username NOT LIKE '{PERSON_LOGIN}%'"))
            .fetch_all(tx.conn())
            .await?;
    for (id, name) in users {
        sqlx::query("UPDATE users SET username = $2 WHERE id = $1").bind(id).bind(sealer.person_login(&name)).execute(tx.conn()).await?;
        n += 1;
    }
    // Sign-up codes bound to a typed number (five minutes' worth): asked for again.
    sqlx::query("DELETE FROM one_time_codes WHERE purpose LIKE 'signup:%'").execute(tx.conn()).await?;
    sqlx::query(&format!(
        "DELETE FROM login_throttle WHERE username NOT LIKE '{PERSON_LOGIN}%' AND username NOT IN (SELECT username FROM users)"
    ))
    .execute(tx.conn())
    .await?;
    let changes: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, detail FROM applications WHERE kind = 'change_personal' AND detail IS NOT NULL")
            .fetch_all(tx.conn())
            .await?;
    for (id, detail) in changes {
        let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&detail) else { continue };
        let mut changed = false;
        for key in ["old_id_number", "new_id_number"] {
            if let Some(plain) = v[key].as_str().filter(|t| !t.starts_with(TEXT_PREFIX)) {
                v[key] = serde_json::Value::String(sealer.seal_text(plain));
                changed = true;
            }
        }
        if changed {
            sqlx::query("UPDATE applications SET detail = $2 WHERE id = $1").bind(id).bind(v.to_string()).execute(tx.conn()).await?;
            n += 1;
        }
    }
    Ok(n)
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

//! Tamper evidence for the audit log: every row is chained to the one before by an SM3 hash over
//! the previous hash, its sequence number and its content, in one order across processes (the
//! `audit_head` row is locked by each writer). `Store::verify_audit` walks the chain and names
//! each row that was edited, inserted or deleted; `erjian audit verify` exits 0 only when it is
//! whole.

use crate::error::Result;
use crate::Store;
use sqlx::AnyConnection;

/// The content a row's hash covers, in a fixed order.
#[derive(serde::Serialize)]
pub struct Content<'a> {
    pub at: &'a str,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub actor_role: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<i64>,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// SM3(previous hash ‖ seq ‖ content as JSON), hex.
pub fn row_hash(previous: &str, seq: i64, content: &Content<'_>) -> String {
    let mut bytes = Vec::with_capacity(256);
    bytes.extend_from_slice(&hex::decode(previous).unwrap_or_default());
    bytes.extend_from_slice(&seq.to_be_bytes());
    bytes.extend_from_slice(serde_json::to_string(content).unwrap_or_default().as_bytes());
    hex::encode(erjian_ofd::crypto::sm3(&bytes))
}

/// Takes the next place in the chain inside the caller's transaction: the head row stays locked
/// until it commits. Returns (seq, previous hash).
pub(crate) async fn next(conn: &mut AnyConnection) -> std::result::Result<(i64, String), sqlx::Error> {
    sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").fetch_one(conn).await
}

pub(crate) async fn set_head(conn: &mut AnyConnection, hash: &str) -> std::result::Result<(), sqlx::Error> {
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(hash).execute(conn).await?;
    Ok(())
}

type Row = (
    i64,
    Option<i64>,
    Option<String>,
    String,
    Option<i64>,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const ROWS: &str = "SELECT id, seq, hash, at, actor_id, actor_name, actor_role, action, object_type, object_id, from_state, to_state, reason, detail FROM audit_log";

fn content(r: &Row) -> Content<'_> {
    Content {
        at: &r.3,
        actor_id: r.4,
        actor_name: &r.5,
        actor_role: &r.6,
        action: &r.7,
        object_type: &r.8,
        object_id: r.9,
        from_state: r.10.as_deref(),
        to_state: r.11.as_deref(),
        reason: r.12.as_deref(),
        detail: r.13.as_deref(),
    }
}

/// The chain's state as verified.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChainReport {
    pub rows: i64,
    /// Each break, in words, naming the row (id and sequence number).
    pub problems: Vec<String>,
}

impl ChainReport {
    pub fn whole(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What a checkpoint's signature covers.
fn checkpoint_text(seq: i64, hash: &str, at: &str) -> String {
    format!("erjian audit checkpoint\n{seq}\n{hash}\n{at}")
}

impl Store {
    /// Signs the chain's head as a checkpoint (at start and hourly in the server); nothing when
    /// the head is already checkpointed or the log is empty. Returns the sequence number signed.
    pub async fn checkpoint_audit(
        &self,
        key: &erjian_cert::statement::ServiceKey,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<i64>> {
        let (seq, hash): (i64, String) = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?;
        if seq == 0 {
            return Ok(None);
        }
        let at = crate::db::ts(now);
        let signature = hex::encode(key.key.sign(checkpoint_text(seq, &hash, &at).as_bytes()));
        let mut tx = self.write().await?;
        let done =
            sqlx::query("INSERT INTO audit_checkpoints (seq, hash, at, signature) VALUES ($1, $2, $3, $4) ON CONFLICT (seq) DO NOTHING")
                .bind(seq)
                .bind(&hash)
                .bind(&at)
                .bind(&signature)
                .execute(tx.conn())
                .await?;
        tx.commit().await?;
        Ok((done.rows_affected() == 1).then_some(seq))
    }

    /// Every checkpoint's signature verifies with the deployment's audit key, and the row at its
    /// sequence number still carries the signed hash.
    async fn check_checkpoints(&self, rows: &[Row], problems: &mut Vec<String>) -> Result<()> {
        let points: Vec<(i64, String, String, String)> =
            sqlx::query_as("SELECT seq, hash, at, signature FROM audit_checkpoints ORDER BY seq").fetch_all(&self.pool).await?;
        if points.is_empty() {
            return Ok(());
        }
        let certs: Vec<(Vec<u8>,)> =
            sqlx::query_as("SELECT cert FROM service_keys WHERE purpose LIKE 'audit-checkpoint:%'").fetch_all(&self.pool).await?;
        let keys: Vec<Vec<u8>> = certs.iter().filter_map(|(c,)| erjian_cert::statement::public_key_of(c).ok()).collect();
        for (seq, hash, at, signature) in points {
            let signed = hex::decode(&signature).unwrap_or_default();
            let genuine = keys.iter().any(|k| erjian_ofd::crypto::verify(k, checkpoint_text(seq, &hash, &at).as_bytes(), &signed));
            if !genuine {
                problems.push(format!("检查点（序号 {seq}）的签名无效：检查点被伪造或改动"));
            } else if !rows.iter().any(|r| r.1 == Some(seq) && r.2.as_deref() == Some(hash.as_str())) {
                problems.push(format!("序号 {seq} 的记录与已签名的检查点不符：此前的记录被改写"));
            }
        }
        Ok(())
    }

    /// Chains rows written before the chain existed (in id order), once, at start.
    pub(crate) async fn chain_audit_backlog(&self) -> Result<()> {
        let mut tx = self.write().await?;
        let (mut seq, mut hash): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash").fetch_one(tx.conn()).await?;
        let rows: Vec<Row> = sqlx::query_as(&format!("{ROWS} WHERE seq IS NULL ORDER BY id")).fetch_all(tx.conn()).await?;
        if rows.is_empty() {
            return Ok(());
        }
        for r in &rows {
            seq += 1;
            hash = row_hash(&hash, seq, &content(r));
            sqlx::query("UPDATE audit_log SET seq = $2, hash = $3 WHERE id = $1")
                .bind(r.0)
                .bind(seq)
                .bind(&hash)
                .execute(tx.conn())
                .await?;
        }
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1").bind(seq).bind(&hash).execute(tx.conn()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Walks the whole chain and names every edited, inserted or deleted row.
    pub async fn verify_audit(&self) -> Result<ChainReport> {
        let rows: Vec<Row> = sqlx::query_as(&format!("{ROWS} ORDER BY seq, id")).fetch_all(&self.pool).await?;
        let (head_seq, head_hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?;
        let mut problems = Vec::new();
        let mut prev = "0".repeat(64);
        let mut expected = 1i64;
        for r in &rows {
            let (id, seq, stored) = (r.0, r.1, r.2.as_deref().unwrap_or(""));
            let Some(seq) = seq else {
                problems.push(format!("第 {id} 号记录不在链中：被直接插入"));
                continue;
            };
            if seq > expected {
                problems.push(format!("序号 {expected}–{} 的记录被删除（在第 {id} 号记录之前）", seq - 1));
            } else if seq < expected {
                problems.push(format!("第 {id} 号记录的序号 {seq} 重复：被插入"));
            }
            if row_hash(&prev, seq, &content(r)) != stored {
                problems.push(format!("第 {id} 号记录（序号 {seq}）与摘要链不符：本条被修改，或前一条的摘要被改动"));
            }
            prev = stored.to_owned();
            expected = seq + 1;
        }
        self.check_checkpoints(&rows, &mut problems).await?;
        if head_seq >= expected {
            problems.push(format!("链尾序号 {expected}–{head_seq} 的记录被删除"));
        } else if head_seq + 1 < expected || (head_seq + 1 == expected && head_hash != prev && !rows.is_empty()) {
            problems.push("链头与最后一条记录不符：记录被追加或改动".to_owned());
        }
        Ok(ChainReport { rows: rows.len() as i64, problems })
    }
}

/// Which audit rows to show: words anywhere in the row, an action code, a day range (Beijing
/// dates, inclusive), at most `limit` rows, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub words: String,
    pub action: String,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub limit: i64,
}

impl Store {
    /// The audit rows matching `f` (for the audit administrator's page and its CSV export).
    pub async fn audit_search(&self, f: &AuditFilter) -> Result<Vec<crate::audit::AuditRow>> {
        let like = format!("%{}%", f.words.trim().replace(['%', '_'], ""));
        // Beijing days to UTC timestamps: a day starts at 16:00 UTC the day before.
        let start = f.from.map(|d| crate::db::ts((d - chrono::Duration::days(1)).and_hms_opt(16, 0, 0).unwrap_or_default().and_utc()));
        let end = f.to.map(|d| crate::db::ts(d.and_hms_opt(16, 0, 0).unwrap_or_default().and_utc()));
        Ok(sqlx::query_as(
            "SELECT id, at, actor_name, actor_role, action, object_type, object_id, from_state, to_state, reason, detail FROM audit_log
             WHERE ($1 = '%%' OR actor_name LIKE $1 OR COALESCE(detail, '') LIKE $1 OR COALESCE(reason, '') LIKE $1 OR CAST(object_id AS TEXT) = $2)
               AND ($3 = '' OR action = $3) AND ($4 = '' OR at >= $4) AND ($5 = '' OR at < $5)
             ORDER BY id DESC LIMIT $6",
        )
        .bind(&like)
        .bind(f.words.trim())
        .bind(f.action.trim())
        .bind(start.unwrap_or_default())
        .bind(end.unwrap_or_default())
        .bind(f.limit.clamp(1, 5000))
        .fetch_all(&self.pool)
        .await?)
    }

    /// The newest signed checkpoint: (sequence number, when).
    pub async fn latest_checkpoint(&self) -> Result<Option<(i64, String)>> {
        Ok(sqlx::query_as("SELECT seq, at FROM audit_checkpoints ORDER BY seq DESC LIMIT 1").fetch_optional(&self.pool).await?)
    }
}

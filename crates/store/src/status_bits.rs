//! The bitstring status list's storage: two bits per certificate at its fixed `status_index`
//! (see `erjian_cert::statement::BitStatus`), in chunks of [`CHUNK`] certificates. Every status
//! change writes its bits in its own transaction ([`record`], called by
//! `certificates::status_changed`); the list is read as the chunks in order
//! ([`Store::status_bitstring`]). The chunks are filled from all rows once, when a database
//! from before the list first starts ([`Store::ensure_status_bits`]).

use crate::db::Tx;
use crate::error::Result;
use crate::Store;
use erjian_cert::statement::{set_entry, BitStatus};

/// Certificates per chunk (2 KB of bits).
pub const CHUNK: i64 = 8192;
const CHUNK_BYTES: usize = (CHUNK / 4) as usize;
const BUILT: &str = "status-bits-built";

/// Writes the bits of `changes` ((status index, new status)) inside `tx`.
pub(crate) async fn record(tx: &mut Tx, changes: &[(i64, &str)]) -> Result<()> {
    for (index, status) in changes {
        let chunk = index.div_euclid(CHUNK);
        sqlx::query("INSERT INTO status_chunks (chunk, bits) VALUES ($1, $2) ON CONFLICT (chunk) DO NOTHING")
            .bind(chunk)
            .bind(vec![0u8; CHUNK_BYTES])
            .execute(tx.conn())
            .await?;
        // The no-op update takes the row's lock first (PostgreSQL), so two writers queue.
        sqlx::query("UPDATE status_chunks SET bits = bits WHERE chunk = $1").bind(chunk).execute(tx.conn()).await?;
        let (mut bits,): (Vec<u8>,) =
            sqlx::query_as("SELECT bits FROM status_chunks WHERE chunk = $1").bind(chunk).fetch_one(tx.conn()).await?;
        bits.resize(CHUNK_BYTES, 0);
        set_entry(&mut bits, index.rem_euclid(CHUNK) as usize, BitStatus::of(status));
        sqlx::query("UPDATE status_chunks SET bits = $2 WHERE chunk = $1").bind(chunk).bind(bits).execute(tx.conn()).await?;
    }
    Ok(())
}

impl Store {
    /// Fills the chunks from every certificate's status, once (a database from before the list,
    /// or synthetic data written in bulk); later changes are recorded as they happen.
    pub async fn ensure_status_bits(&self) -> Result<bool> {
        let built: Option<(i64,)> =
            sqlx::query_as("SELECT value FROM serials WHERE scope = $1").bind(BUILT).fetch_optional(&self.pool).await?;
        if built.is_some() {
            return Ok(false);
        }
        self.rebuild_status_bits().await?;
        Ok(true)
    }

    /// Rewrites every chunk from the certificates' statuses, in one transaction.
    pub async fn rebuild_status_bits(&self) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM status_chunks").execute(tx.conn()).await?;
        let mut after = -1i64;
        let mut current: Option<(i64, Vec<u8>)> = None;
        loop {
            let rows: Vec<(i64, String)> =
                sqlx::query_as("SELECT status_index, status FROM certificates WHERE status_index > $1 ORDER BY status_index LIMIT 50000")
                    .bind(after)
                    .fetch_all(tx.conn())
                    .await?;
            let Some(last) = rows.last() else { break };
            after = last.0;
            for (index, status) in rows {
                let chunk = index.div_euclid(CHUNK);
                if current.as_ref().is_some_and(|(c, _)| *c != chunk) {
                    let (c, bits) = current.take().expect("checked");
                    write_chunk(&mut tx, c, bits).await?;
                }
                let (_, bits) = current.get_or_insert_with(|| (chunk, vec![0u8; CHUNK_BYTES]));
                set_entry(bits, index.rem_euclid(CHUNK) as usize, BitStatus::of(&status));
            }
        }
        if let Some((c, bits)) = current {
            write_chunk(&mut tx, c, bits).await?;
        }
        sqlx::query("INSERT INTO serials (scope, value) VALUES ($1, 1) ON CONFLICT (scope) DO NOTHING")
            .bind(BUILT)
            .execute(tx.conn())
            .await?;
        tx.touch_public();
        crate::next_serial(tx.conn(), crate::certificates::STATUS_SCOPE).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The list as one read: (status-list version, entries, bits). Entries run to the highest
    /// index given; chunks never written are all valid (00).
    pub async fn status_bitstring(&self) -> Result<(i64, usize, Vec<u8>)> {
        let mut tx = self.pool.begin().await?;
        let v: Option<(i64,)> = sqlx::query_as("SELECT value FROM serials WHERE scope = $1")
            .bind(crate::certificates::STATUS_SCOPE)
            .fetch_optional(&mut *tx)
            .await?;
        let (top,): (Option<i64>,) = sqlx::query_as("SELECT MAX(status_index) FROM certificates").fetch_one(&mut *tx).await?;
        let length = top.map(|t| t + 1).unwrap_or(0).max(0) as usize;
        let mut bytes = vec![0u8; length.div_ceil(4)];
        let chunks: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT chunk, bits FROM status_chunks ORDER BY chunk").fetch_all(&mut *tx).await?;
        tx.commit().await?;
        for (chunk, bits) in chunks {
            let start = (chunk as usize) * CHUNK_BYTES;
            if start >= bytes.len() {
                break;
            }
            let end = (start + bits.len()).min(bytes.len());
            bytes[start..end].copy_from_slice(&bits[..end - start]);
        }
        Ok((v.map(|r| r.0).unwrap_or(0), length, bytes))
    }
}

async fn write_chunk(tx: &mut Tx, chunk: i64, bits: Vec<u8>) -> Result<()> {
    // An upsert: two processes starting at once may both fill the list.
    sqlx::query("INSERT INTO status_chunks (chunk, bits) VALUES ($1, $2) ON CONFLICT (chunk) DO UPDATE SET bits = excluded.bits")
        .bind(chunk)
        .bind(bits)
        .execute(tx.conn())
        .await?;
    Ok(())
}

//! A cache of public answers (QR status, exact-match queries) as ready JSON bytes. An entry is
//! good while the store's public epoch and the calendar day are unchanged: every committed
//! certificate change moves the epoch, so a cached answer is never older than the last change.
//! Only where the store offers an epoch (SQLite, one process owns the database); bounded per shard.

use axum::body::Bytes;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Mutex;

const SHARDS: usize = 16;
const PER_SHARD: usize = 32_768;

#[derive(Default)]
struct Shard {
    epoch: u64,
    day: Option<NaiveDate>,
    map: HashMap<String, Bytes>,
}

pub struct PublicCache {
    shards: Vec<Mutex<Shard>>,
}

impl Default for PublicCache {
    fn default() -> Self {
        PublicCache { shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect() }
    }
}

impl PublicCache {
    fn shard(&self, key: &str) -> std::sync::MutexGuard<'_, Shard> {
        let h = key.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3));
        self.shards[(h % SHARDS as u64) as usize].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached answer for `key` at this epoch and day.
    pub fn get(&self, key: &str, epoch: u64, day: NaiveDate) -> Option<Bytes> {
        let mut s = self.shard(key);
        if s.epoch != epoch || s.day != Some(day) {
            s.map.clear();
            s.epoch = epoch;
            s.day = Some(day);
            return None;
        }
        s.map.get(key).cloned()
    }

    /// Keeps an answer computed from data read at `epoch` (dropped if the epoch has moved since).
    pub fn put(&self, key: String, epoch: u64, day: NaiveDate, value: Bytes) {
        let mut s = self.shard(&key);
        if s.epoch != epoch || s.day != Some(day) {
            return;
        }
        if s.map.len() >= PER_SHARD {
            s.map.clear();
        }
        s.map.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_with_the_epoch_and_the_day() {
        let c = PublicCache::default();
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert!(c.get("k", 1, d).is_none());
        c.put("k".into(), 1, d, Bytes::from_static(b"v"));
        assert_eq!(c.get("k", 1, d).unwrap(), Bytes::from_static(b"v"));
        assert!(c.get("k", 2, d).is_none(), "a new epoch drops old answers");
        c.put("k".into(), 1, d, Bytes::from_static(b"stale"));
        assert!(c.get("k", 2, d).is_none(), "an answer read before the change is not kept");
        c.put("k".into(), 2, d, Bytes::from_static(b"v2"));
        assert!(c.get("k", 2, d.succ_opt().unwrap()).is_none(), "a new day drops answers (expiry)");
    }
}

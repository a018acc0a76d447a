//! A cache of public answers (QR status, exact-match queries) as ready JSON bytes. An entry is
//! good while the store's public epoch and the calendar day are unchanged: every committed
//! certificate change moves the epoch, so a cached answer is never older than the last change.
//! Only where the store offers an epoch (SQLite, one process owns the database); bounded per shard.

use axum::body::Bytes;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast non-cryptographic hash of the concatenated key parts (64-bit FNV-1a with a final mix;
/// part boundaries do not matter). Keys are compared in full on a hit, so a collision costs a
/// miss, never a wrong answer.
fn hash_parts(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in parts.iter().flat_map(|p| p.iter()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// Whether the stored key equals the concatenated parts, without building it.
fn same_key(stored: &[u8], parts: &[&[u8]]) -> bool {
    let mut rest = stored;
    for part in parts {
        match rest.split_at_checked(part.len()) {
            Some((head, tail)) if head == *part => rest = tail,
            _ => return false,
        }
    }
    rest.is_empty()
}
use std::sync::Mutex;

/// The map is keyed by the key's hash, computed once per lookup; this hasher passes it through.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

const SHARDS: usize = 16;
const PER_SHARD: usize = 32_768;

#[derive(Default)]
struct Shard {
    epoch: u64,
    day: Option<NaiveDate>,
    /// hash → (key, answer); the key is compared on a hit.
    map: HashMap<u64, (Box<[u8]>, Bytes), BuildHasherDefault<PassThrough>>,
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
    fn shard(&self, parts: &[&[u8]]) -> (u64, std::sync::MutexGuard<'_, Shard>) {
        let h = hash_parts(parts);
        (h, self.shards[(h % SHARDS as u64) as usize].lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The cached answer for `key` at this epoch and day.
    pub fn get(&self, key: &[u8], epoch: u64, day: NaiveDate) -> Option<Bytes> {
        self.get_parts(&[key], epoch, day)
    }

    /// As [`PublicCache::get`], for a key given as parts (read as one concatenated key).
    pub fn get_parts(&self, parts: &[&[u8]], epoch: u64, day: NaiveDate) -> Option<Bytes> {
        let (h, mut s) = self.shard(parts);
        if s.epoch != epoch || s.day != Some(day) {
            s.map.clear();
            s.epoch = epoch;
            s.day = Some(day);
            return None;
        }
        s.map.get(&h).filter(|(k, _)| same_key(k, parts)).map(|(_, v)| v.clone())
    }

    /// Keeps an answer computed from data read at `epoch` (dropped if the epoch has moved since).
    pub fn put(&self, key: Vec<u8>, epoch: u64, day: NaiveDate, value: Bytes) {
        let (h, mut s) = self.shard(&[&key]);
        if s.epoch != epoch || s.day != Some(day) {
            return;
        }
        if s.map.len() >= PER_SHARD {
            s.map.clear();
        }
        s.map.insert(h, (key.into_boxed_slice(), value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_with_the_epoch_and_the_day() {
        let c = PublicCache::default();
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert!(c.get(b"k", 1, d).is_none());
        c.put(b"k".to_vec(), 1, d, Bytes::from_static(b"v"));
        assert_eq!(c.get(b"k", 1, d).unwrap(), Bytes::from_static(b"v"));
        assert!(c.get(b"other", 1, d).is_none());
        assert_eq!(c.get_parts(&[b"", b"k"], 1, d).unwrap(), Bytes::from_static(b"v"), "parts read as one key");
        assert!(c.get_parts(&[b"k", b"x"], 1, d).is_none());
        assert!(c.get(b"k", 2, d).is_none(), "a new epoch drops old answers");
        c.put(b"k".to_vec(), 1, d, Bytes::from_static(b"stale"));
        assert!(c.get(b"k", 2, d).is_none(), "an answer read before the change is not kept");
        c.put(b"k".to_vec(), 2, d, Bytes::from_static(b"v2"));
        assert!(c.get(b"k", 2, d.succ_opt().unwrap()).is_none(), "a new day drops answers (expiry)");
    }
}

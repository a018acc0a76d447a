//! `erjian bench announce`: announces a publicity batch of N synthetic applicants through the
//! same store call the province's 公告 button uses, and reports the wall time, the process's CPU
//! time (so how many cores the announcement kept busy) and its peak resident memory while
//! announcing. Run it on a fresh `--data` directory (SQLite) or `ERJIAN_DATABASE_URL`
//! (PostgreSQL): it seeds the demo's staff, then the batch.

use chrono::Utc;
use erjian_store::Store;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// What [`announce`] measured.
#[derive(Debug, serde::Serialize)]
pub struct Figures {
    pub backend: String,
    pub count: u64,
    pub seed_secs: f64,
    pub announce_secs: f64,
    pub announced_per_sec: f64,
    /// Process CPU time (user + system) spent while announcing.
    pub cpu_secs: f64,
    /// `cpu_secs / announce_secs`: 2.0 keeps both cores of this machine busy.
    pub cores_used: f64,
    /// Resident memory before announcing and its peak while announcing (MB).
    pub rss_before_mb: f64,
    pub rss_peak_mb: f64,
    /// Certificates issued to the batch, counted in the database afterwards.
    pub certificates: i64,
}

/// The process's resident set size in KB (`/proc/self/status`).
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// The process's CPU time in seconds (`/proc/self/stat` utime + stime, in USER_HZ = 100 ticks).
fn cpu_secs() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name in parentheses; utime and stime are fields 14 and 15.
    let rest = s.rsplit_once(')').map(|r| r.1).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

pub async fn announce(url: &str, master: &[u8], count: u64) -> anyhow::Result<Figures> {
    let profile = *erjian_domain::province::preset("皖").ok_or_else(|| anyhow::anyhow!("profile"))?;
    let store = Store::connect(url).await?.with_master_key(master).await?;
    let now = Utc::now();
    let issuer = store.issuer(&profile, master, "https://erjian.example".into(), now).await?;
    let t = Instant::now();
    store.seed_demo(&issuer, now).await?;
    let batch = store.seed_publicity_batch(&profile, count, now).await?;
    let seed_secs = t.elapsed().as_secs_f64();
    let province = store.login("province", erjian_store::demo::AUTHORITY_PASSWORD, now).await?;

    let before = rss_kb();
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kb(), Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        })
    };
    let cpu0 = cpu_secs();
    let t = Instant::now();
    let announced = store.announce(&province, batch, &issuer, Utc::now()).await?;
    let announce_secs = t.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu0;
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    anyhow::ensure!(announced.len() as u64 == count, "announced {} of {count}", announced.len());
    let (certificates,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM certificates c JOIN applications a ON a.id = c.application_id WHERE a.publicity_batch_id = $1",
    )
    .bind(batch)
    .fetch_one(store.pool())
    .await?;
    anyhow::ensure!(certificates as u64 == count, "{certificates} certificates for {count} applicants");
    Ok(Figures {
        backend: if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" }.into(),
        count,
        seed_secs,
        announce_secs,
        announced_per_sec: count as f64 / announce_secs.max(1e-9),
        cpu_secs: cpu,
        cores_used: cpu / announce_secs.max(1e-9),
        rss_before_mb: before as f64 / 1024.0,
        rss_peak_mb: peak.load(Ordering::Relaxed) as f64 / 1024.0,
        certificates,
    })
}

pub fn print(f: &Figures) {
    println!("公告批次（{}）：{} 人", f.backend, f.count);
    println!("  准备数据            {:>8.1} 秒", f.seed_secs);
    println!("  公告（含制证、决定书）{:>8.1} 秒，{:.0} 人/秒", f.announce_secs, f.announced_per_sec);
    println!("  处理器时间          {:>8.1} 秒（平均占用 {:.2} 个核）", f.cpu_secs, f.cores_used);
    println!("  内存                公告前 {:.0} MB，公告中峰值 {:.0} MB", f.rss_before_mb, f.rss_peak_mb);
    println!("  核对：该批次共签发 {} 张证书", f.certificates);
}

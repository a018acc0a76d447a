//! `erjian bench issuance`: issues N sealed certificates for synthetic people on one core and
//! compares the rate with the cryptography it cannot avoid (one SM2 signature and SM3 over the
//! package bytes per certificate), then does the same for verification.

use chrono::Utc;
use erjian_cert::{synthetic, Authority};
use erjian_ofd::crypto::{self, KeyPair};
use erjian_ofd::seal::{verify, VerifyOptions};
use erjian_ofd::Package;
use std::path::Path;
use std::time::Instant;

/// Rates measured by [`issuance`].
#[derive(Debug, serde::Serialize)]
pub struct Figures {
    pub count: usize,
    /// Sealed certificate files made, one after another on one core (each dropped when made).
    pub issue_per_sec: f64,
    /// The same, each file also written to DIR (the filesystem's cost is included).
    pub issue_and_write_per_sec: f64,
    pub issue_crypto_per_sec: f64,
    pub verify_per_sec: f64,
    pub verify_crypto_per_sec: f64,
    pub sm2_sign_per_sec: f64,
    pub sm2_verify_per_sec: f64,
    /// `openssl speed -seconds 3 sm2` run just before and just after issuing (the higher), when
    /// an `openssl` command is installed.
    pub openssl_sm2_sign_per_sec: Option<f64>,
    pub mean_file_bytes: usize,
}

/// OpenSSL's bare SM2 signing rate on this machine now, from `openssl speed`.
fn openssl_sign_rate() -> Option<f64> {
    let out = std::process::Command::new("openssl").args(["speed", "-seconds", "3", "sm2"]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.contains("SM2") && l.contains("bits"))?;
    let fields: Vec<&str> = line.split_whitespace().collect();
    fields.get(fields.len().checked_sub(2)?)?.parse().ok()
}

pub fn issuance(count: usize, out: &Path) -> anyhow::Result<Figures> {
    std::fs::create_dir_all(out)?;
    let (auth, _) = Authority::create("安徽省住房和城乡建设厅", "11340000MB034000X6", b"bench master key", Utc::now());
    let people: Vec<_> = (0..count as u64).map(|n| synthetic::person(n, &auth.name, &auth.credit_code, "https://erjian.example")).collect();
    let small = people.iter().filter(|p| p.photo.as_ref().is_some_and(|b| b.len() < 20 * 1024)).count();
    anyhow::ensure!(small == 0, "{small} synthetic photos are under 20 KB");
    let openssl_before = openssl_sign_rate();

    // Issuing: each sealed file is made and dropped, as a server hands it to storage.
    let t = Instant::now();
    let mut made = 0usize;
    for p in &people {
        made += std::hint::black_box(auth.issue(p, Utc::now())?).len();
    }
    let issue_secs = t.elapsed().as_secs_f64();
    anyhow::ensure!(made > 0, "nothing was issued");

    // Issuing again, each file written to DIR; the checks below read them back.
    let t = Instant::now();
    let mut paths = Vec::with_capacity(count);
    for p in &people {
        let bytes = auth.issue(p, Utc::now())?;
        let path = out.join(format!("{}.ofd", p.licence_id));
        std::fs::write(&path, &bytes)?;
        paths.push(path);
    }
    let write_secs = t.elapsed().as_secs_f64();
    let openssl_after = openssl_sign_rate();
    drop(people);
    let files: Vec<Vec<u8>> = paths.iter().map(std::fs::read).collect::<Result<_, _>>()?;
    let total_bytes: usize = files.iter().map(Vec::len).sum();

    // The unavoidable cryptography: one SM2 signature and SM3 over every packaged file's bytes.
    let unpacked: Vec<Package> = files.iter().map(|f| Package::from_bytes(f)).collect::<Result<_, _>>()?;
    let key = KeyPair::generate();
    let t = Instant::now();
    for pkg in &unpacked {
        for path in pkg.paths() {
            std::hint::black_box(crypto::sm3(pkg.get(path).unwrap_or_default()));
        }
        std::hint::black_box(key.sign(b"TBS_Sign of about one kilobyte stands in here"));
    }
    let crypto_secs = t.elapsed().as_secs_f64();

    let opts = VerifyOptions { now: None, trusted_roots: vec![auth.root()] };
    let t = Instant::now();
    for f in &files {
        let report = verify(&Package::from_bytes(f)?, &opts)?;
        anyhow::ensure!(report.all_valid(), "a benchmark certificate did not verify");
    }
    let verify_secs = t.elapsed().as_secs_f64();
    // Verification's unavoidable cryptography: SM3 over the files and two SM2 verifications.
    let sig = key.sign(b"m");
    let public = key.public();
    let t = Instant::now();
    for pkg in &unpacked {
        for path in pkg.paths() {
            std::hint::black_box(crypto::sm3(pkg.get(path).unwrap_or_default()));
        }
        std::hint::black_box(crypto::verify(&public, b"m", &sig));
        std::hint::black_box(crypto::verify(&public, b"m", &sig));
    }
    let verify_crypto_secs = t.elapsed().as_secs_f64();

    let n = 2000;
    let t = Instant::now();
    for i in 0..n {
        std::hint::black_box(key.sign(&(i as u64).to_le_bytes()));
    }
    let sign_rate = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(crypto::verify(&public, b"m", &sig));
    }
    let verify_rate = n as f64 / t.elapsed().as_secs_f64();
    Ok(Figures {
        count,
        issue_per_sec: count as f64 / issue_secs,
        issue_and_write_per_sec: count as f64 / write_secs,
        issue_crypto_per_sec: count as f64 / crypto_secs,
        verify_per_sec: count as f64 / verify_secs,
        verify_crypto_per_sec: count as f64 / verify_crypto_secs,
        sm2_sign_per_sec: sign_rate,
        sm2_verify_per_sec: verify_rate,
        openssl_sm2_sign_per_sec: match (openssl_before, openssl_after) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        },
        mean_file_bytes: total_bytes / count.max(1),
    })
}

pub fn print(f: &Figures) {
    say!("签发 {} 张带电子印章的证书（单核）：", f.count);
    say!("  签发速率            {:>9.0} 张/秒（平均文件 {} 字节）", f.issue_per_sec, f.mean_file_bytes);
    say!("  签发并写入目录      {:>9.0} 张/秒（含文件系统开销）", f.issue_and_write_per_sec);
    say!(
        "  其中必需的密码运算  {:>9.0} 张/秒（1 次 SM2 签名 + 全包 SM3）→ 签发耗时为其 {:.2} 倍",
        f.issue_crypto_per_sec,
        f.issue_crypto_per_sec / f.issue_per_sec
    );
    say!("  验证速率            {:>9.0} 张/秒", f.verify_per_sec);
    say!(
        "  其中必需的密码运算  {:>9.0} 张/秒（2 次 SM2 验签 + 全包 SM3）→ 验证耗时为其 {:.2} 倍",
        f.verify_crypto_per_sec,
        f.verify_crypto_per_sec / f.verify_per_sec
    );
    say!("  裸 SM2 签名         {:>9.0} 次/秒", f.sm2_sign_per_sec);
    say!("  裸 SM2 验签         {:>9.0} 次/秒", f.sm2_verify_per_sec);
    match f.openssl_sm2_sign_per_sec {
        Some(o) => {
            say!("  OpenSSL 裸 SM2 签名 {o:>9.0} 次/秒（openssl speed -seconds 3 sm2，签发前后两次取高）");
            let verdict = if f.issue_per_sec > o { "达标" } else { "未达标" };
            say!("  单核签发速率为 OpenSSL 裸签名速率的 {:.2} 倍（目标 > 1）：{verdict}", f.issue_per_sec / o);
        }
        None => say!("未找到 openssl 命令：请自行运行 openssl speed -seconds 3 sm2 对比"),
    }
}

/// A bare hyper HTTP/1 server answering "hello" on every path: no routing, no database.
pub async fn hello(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    use http_body_util::Full;
    use hyper::body::Bytes;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    say!("hello server on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(|_req| async {
                Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from_static(b"hello"))))
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(hyper_util::rt::TokioIo::new(stream), svc).await;
        });
    }
}

/// Load-test inputs: `licences.txt` (one e-licence identifier a line, spread over the table) and
/// `queries.txt` (one JSON query body a line: name + profession + ID number).
pub async fn sample(url: &str, master: &[u8], count: u64, out: &Path) -> anyhow::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(out)?;
    let store = erjian_store::Store::connect(url).await?.with_master_key(master).await?;
    let (max,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM certificates").fetch_one(store.pool()).await?;
    let max = max.unwrap_or(0).max(1);
    let step = (max / count as i64).max(1);
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.licence_id, p.name, p.id_number FROM certificates c JOIN registrations r ON r.id = c.registration_id JOIN persons p ON p.id = r.person_id WHERE c.id % $1 = 0 LIMIT $2",
    )
    .bind(step)
    .bind(count as i64)
    .fetch_all(store.pool())
    .await?;
    let mut lic = std::io::BufWriter::new(std::fs::File::create(out.join("licences.txt"))?);
    let mut qs = std::io::BufWriter::new(std::fs::File::create(out.join("queries.txt"))?);
    for (l, name, sealed) in &rows {
        let id = store.open_id_number(sealed)?;
        writeln!(lic, "{l}")?;
        writeln!(qs, "{}", serde_json::json!({ "name": name, "profession": "constructor2", "id_number": id }))?;
    }
    say!("wrote {} samples to {}", rows.len(), out.display());
    Ok(())
}

//! `erjian`: one binary for the server and its command-line tools. Thin: it parses arguments,
//! builds the configuration and calls into `erjian-web` and `erjian-store`.

#[macro_use]
mod out;
mod backup;
mod bench;
mod bench_announce;
mod bench_lookups;
mod national;
mod ofd_cmd;

/// mimalloc instead of the system allocator: issuing a certificate makes a few hundred small
/// allocations, and glibc's malloc and free were a tenth of its time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod verify_qr;

use args::*;

use anyhow::Context;
use clap::Parser;
use erjian_store::qualifications::ImportError;
use erjian_store::Store;
use erjian_web::clock::Clock;
use std::path::{Path, PathBuf};

fn database_url(data: &Path, database_url: Option<&str>) -> anyhow::Result<String> {
    if let Some(u) = database_url {
        return Ok(u.to_owned());
    }
    std::fs::create_dir_all(data).with_context(|| format!("cannot create data directory {}", data.display()))?;
    let db = data.join("erjian.db");
    private_files(data, &db)?;
    Ok(format!("sqlite://{}", db.display()))
}

/// The data directory is its owner's alone (0700) and the database file is created 0600 before
/// SQLite opens it (its journal files take the same mode); an existing file is narrowed to 0600.
fn private_files(data: &Path, db: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::set_permissions(data, std::fs::Permissions::from_mode(0o700))?;
        if !db.exists() {
            std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(db)?;
        }
        for suffix in ["", "-wal", "-shm"] {
            let f = PathBuf::from(format!("{}{suffix}", db.display()));
            if f.exists() {
                std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    let _ = (data, db);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = || tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    match cli.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter()).init(),
        // One JSON object a line, with the request's span (request_id, method, route).
        LogFormat::Json => tracing_subscriber::fmt().json().with_current_span(true).with_span_list(false).with_env_filter(filter()).init(),
    }
    // Only commands that use the database create the data directory (`ofd info` does not).
    let (data, database) = (cli.data.clone(), cli.database_url.clone());
    let url = || database_url(&data, database.as_deref());
    match cli.command {
        Command::Serve {
            addr,
            demo,
            province,
            publicity_days,
            secure_cookies,
            public_url,
            rate_limit,
            rate_burst,
            holidays,
            profile_file,
            sms,
        } => {
            if matches!(cli.log_format, LogFormat::Json) {
                out::TO_STDERR.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            let sms = sms_config(&sms, &cli.data)?;
            let publicity_days = publicity_days.or(demo.then_some(0));
            let master_key = master_key(&cli.data)?;
            let config = erjian_web::Config {
                database_url: url()?,
                addr,
                province,
                publicity_days,
                demo,
                clock: Clock::System,
                secure_cookies,
                master_key,
                public_url,
                rate_limit: erjian_web::ratelimit::RateLimit { per_minute: rate_limit, burst: rate_burst },
                holidays,
                profile_file,
                sms,
            };
            let server = erjian_web::start(config).await?;
            print_demo(&server);
            if !server.demo_accounts.is_empty() {
                // A batch in publicity now, to object to (its own five days).
                let number = server.state.store.seed_demo_publicity(&server.state.issuer, chrono::Utc::now()).await?;
                say!(
                    "  公示中的演示批次 {number}（孙丽、马俊，账号为各自身份证号，密码 {}）：首页“公示公告”可查看并提出异议",
                    erjian_store::demo::PERSON_PASSWORD
                );
            }
            say!("erjian 已启动：{}", server.url());
            tracing::info!(url = %server.url(), "erjian started");
            tokio::signal::ctrl_c().await?;
            server.stop().await;
        }
        Command::Audit(AuditCommand::Verify { json }) => {
            let report = Store::connect(&url()?).await?.verify_audit().await?;
            if json {
                say!("{}", serde_json::to_string_pretty(&report)?);
            } else if report.whole() {
                say!("审计日志完整：{} 条记录，摘要链无断点", report.rows);
            } else {
                say!("审计日志被改动：{} 条记录中发现 {} 处问题", report.rows, report.problems.len());
                for p in &report.problems {
                    say!("  ✗ {p}");
                }
            }
            if !report.whole() {
                std::process::exit(1);
            }
        }
        Command::ImportQualifications { file } => import(&url()?, &master_key(&cli.data)?, &file).await?,
        Command::Ofd(OfdCommand::Info { file, json }) => ofd_cmd::info(&file, json)?,
        Command::Ofd(OfdCommand::Render { file, out, dpi }) => ofd_cmd::render(&file, &out, dpi)?,
        Command::Ofd(OfdCommand::Verify { file, json, deployment }) => {
            let trust = if deployment { Some(url()?) } else { None };
            if !ofd_cmd::verify_file(&file, json, trust.as_deref()).await? {
                std::process::exit(1);
            }
        }
        Command::Certificate(CertificateCommand::Export { registration_number, out, format }) => {
            ofd_cmd::export(&url()?, &master_key(&cli.data)?, &registration_number, &out, &format).await?
        }
        Command::Backup { out, json } => backup::report_backup(&backup::backup(&url()?, &out).await?, json)?,
        Command::Restore { from, force } => {
            let done = backup::restore(&url()?, &from, force).await?;
            say!("已从 {} 恢复（{} 字节）；请运行 erjian certificate verify-all 核验全部证书", from.display(), done.bytes);
        }
        Command::Certificate(CertificateCommand::VerifyAll { province, json }) => {
            let profile =
                *erjian_domain::province::preset(&province).ok_or_else(|| anyhow::anyhow!("unknown province profile: {province}"))?;
            let master = master_key(&cli.data)?;
            let store = Store::connect(&url()?).await?.with_master_key(&master).await?.with_profile(&profile);
            let issuer = store.issuer(&profile, &master, String::new(), chrono::Utc::now()).await?;
            if !backup::report_verified(&backup::verify_all(&store, &issuer).await?, json)? {
                std::process::exit(1);
            }
        }
        Command::VerifyQr { payload, key, list, list_key, json } => {
            let keys = verify_qr::Keys { qr: key.as_deref(), list: list_key.as_deref() };
            if !verify_qr::run(&url()?, &payload, keys, list.as_deref(), json).await? {
                std::process::exit(1);
            }
        }
        Command::Export(ExportCommand::National { since, out, province, public_url }) => {
            let profile =
                *erjian_domain::province::preset(&province).ok_or_else(|| anyhow::anyhow!("unknown province profile: {province}"))?;
            let master = master_key(&cli.data)?;
            let store = Store::connect(&url()?).await?.with_master_key(&master).await?.with_profile(&profile);
            let issuer = store.issuer(&profile, &master, public_url, chrono::Utc::now()).await?;
            let m = national::export(&store, &issuer, since, &out).await?;
            say!(
                "已导出 {} 条注册事项（版本 {} 之后至 {}）到 {}；下次请用 --since {}",
                m.files[0].rows,
                m.since,
                m.until,
                out.display(),
                m.until
            );
        }
        Command::Enterprise(EnterpriseCommand::Rename { credit_code, name, province, public_url }) => {
            let profile =
                *erjian_domain::province::preset(&province).ok_or_else(|| anyhow::anyhow!("unknown province profile: {province}"))?;
            let master = master_key(&cli.data)?;
            let store = Store::connect(&url()?).await?.with_master_key(&master).await?.with_profile(&profile);
            let (id,): (i64,) = sqlx::query_as("SELECT id FROM enterprises WHERE credit_code = $1")
                .bind(credit_code.trim().to_uppercase())
                .fetch_optional(store.pool())
                .await?
                .ok_or_else(|| anyhow::anyhow!("未找到统一社会信用代码为 {credit_code} 的企业"))?;
            let issuer = store.issuer(&profile, &master, public_url, chrono::Utc::now()).await?;
            let job = store.start_enterprise_rename(None, id, &name, chrono::Utc::now()).await?;
            say!("批次 {}：“{}” → “{}”，共 {} 人，已完成 {}", job.id, job.old_name, job.new_name, job.total, job.done);
            let job = store
                .run_enterprise_rename(job.id, &issuer, chrono::Utc::now, |done, total| {
                    if done % 100 == 0 || done == total {
                        say!("  {done} / {total}");
                    }
                })
                .await?;
            say!("批次 {} 完成：换发 {} / {} 张证书", job.id, job.done, job.total);
        }
        Command::Demo { synthetic, per_enterprise, province } => {
            let profile =
                *erjian_domain::province::preset(&province).ok_or_else(|| anyhow::anyhow!("unknown province profile: {province}"))?;
            let master = master_key(&cli.data)?;
            let store = Store::connect(&url()?).await?.with_master_key(&master).await?;
            let started = std::time::Instant::now();
            let made = store
                .seed_synthetic(&profile, synthetic, per_enterprise, chrono::Utc::now(), |done| eprintln!("  {done} / {synthetic}"))
                .await?;
            let secs = started.elapsed().as_secs_f64();
            say!("已生成 {made} 名注册人员（{secs:.1} 秒，{:.0} 人/秒）", made as f64 / secs.max(0.001));
        }
        Command::Bench(BenchCommand::Hello { addr }) => bench::hello(addr).await?,
        Command::Bench(BenchCommand::Lookups { count, applications }) => {
            bench_lookups::lookups(&url()?, &master_key(&cli.data)?, count, applications).await?
        }
        Command::Bench(BenchCommand::Announce { count, json }) => {
            let f = bench_announce::announce(&url()?, &master_key(&cli.data)?, count).await?;
            if json {
                say!("{}", serde_json::to_string_pretty(&f)?);
            } else {
                bench_announce::print(&f);
            }
        }
        Command::Bench(BenchCommand::Sample { count, out }) => bench::sample(&url()?, &master_key(&cli.data)?, count, &out).await?,
        Command::Bench(BenchCommand::Issuance { count, out, json }) => {
            let f = bench::issuance(count, &out)?;
            if json {
                say!("{}", serde_json::to_string_pretty(&f)?);
            } else {
                bench::print(&f);
            }
        }
    }
    Ok(())
}

/// The text-message gateway from `--sms` and the environment.
fn sms_config(kind: &str, data: &Path) -> anyhow::Result<erjian_web::sms::SmsConfig> {
    use erjian_web::sms::{SmsConfig, TencentConfig};
    let var = |k: &str| {
        std::env::var(format!("ERJIAN_SMS_TENCENT_{k}")).map_err(|_| anyhow::anyhow!("--sms tencent needs ERJIAN_SMS_TENCENT_{k}"))
    };
    match kind {
        "log" => Ok(SmsConfig::Log(data.join("outbox"))),
        "tencent" => Ok(SmsConfig::Tencent(TencentConfig {
            secret_id: var("SECRET_ID")?,
            secret_key: var("SECRET_KEY")?,
            sdk_app_id: var("APP_ID")?,
            sign_name: var("SIGN_NAME")?,
            template_id: var("TEMPLATE_ID")?,
            notice_template_id: var("NOTICE_TEMPLATE_ID").ok(),
            region: var("REGION").unwrap_or_else(|_| "ap-guangzhou".into()),
            endpoint: var("ENDPOINT").unwrap_or_else(|_| "https://sms.tencentcloudapi.com".into()),
        })),
        other => anyhow::bail!("unknown --sms {other}: use log or tencent"),
    }
}

/// The master key that unlocks the deployment's private keys: `ERJIAN_MASTER_KEY`, or a random
/// key kept in `DATA/master.key` (mode 0600), created on first start. Processes sharing one
/// PostgreSQL database must share the key.
fn master_key(data: &Path) -> anyhow::Result<Vec<u8>> {
    // Outside the data directory (another volume, a secrets mount): readable by its owner only.
    if let Ok(file) = std::env::var("ERJIAN_MASTER_KEY_FILE") {
        let path = PathBuf::from(&file);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).with_context(|| format!("无法读取主密钥文件 {file}"))?.permissions().mode();
            anyhow::ensure!(mode & 0o077 == 0, "主密钥文件 {file} 的权限过宽（{:o}），请执行 chmod 600 {file}", mode & 0o777);
        }
        let text = std::fs::read_to_string(&path).with_context(|| format!("无法读取主密钥文件 {file}"))?;
        let key = text.trim().as_bytes().to_vec();
        anyhow::ensure!(key.len() >= 32, "主密钥文件 {file} 的内容至少应为32个字符");
        return Ok(key);
    }
    if let Ok(k) = std::env::var("ERJIAN_MASTER_KEY") {
        anyhow::ensure!(k.len() >= 32, "ERJIAN_MASTER_KEY must be at least 32 characters");
        return Ok(k.into_bytes());
    }
    std::fs::create_dir_all(data)?;
    let path = data.join("master.key");
    if let Ok(k) = std::fs::read(&path) {
        return Ok(k);
    }
    let key: [u8; 32] = rand::random();
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    std::io::Write::write_all(&mut opts.open(&path).with_context(|| format!("cannot create {}", path.display()))?, hex.as_bytes())?;
    Ok(hex.into_bytes())
}

fn print_demo(server: &erjian_web::Server) {
    if server.demo_accounts.is_empty() {
        return;
    }
    say!("演示账号（公示期 {} 天）：", server.state.profile().publicity_days);
    for a in &server.demo_accounts {
        say!("  {:<14} 账号 {:<20} 密码 {:<12} {}", a.role, a.username, a.password, a.note);
    }
}

async fn import(url: &str, master: &[u8], file: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("无法读取文件 {}", file.display()))?;
    let store = Store::connect(url).await?.with_master_key(master).await?;
    match store.import_qualifications(None, &bytes, chrono::Utc::now()).await {
        Ok(n) => say!("已导入 {n} 条资格记录"),
        Err(ImportError::Rows(rows)) => {
            eprintln!("文件未导入，以下各行有误：");
            for r in rows {
                eprintln!("  第{}行：{}", r.line, r.message);
            }
            std::process::exit(2);
        }
        Err(ImportError::Store(e)) => return Err(e.into()),
    }
    Ok(())
}

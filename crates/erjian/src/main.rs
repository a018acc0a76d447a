//! `erjian`: one binary for the server and its command-line tools. Thin: it parses arguments,
//! builds the configuration and calls into `erjian-web` and `erjian-store`.

#[macro_use]
mod out;
mod backup;
mod bench;
mod bench_lookups;
mod national;
mod ofd_cmd;

/// mimalloc instead of the system allocator: issuing a certificate makes a few hundred small
/// allocations, and glibc's malloc and free were a tenth of its time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod verify_qr;

use anyhow::Context;
use clap::{Parser, Subcommand};
use erjian_store::qualifications::ImportError;
use erjian_store::Store;
use erjian_web::clock::Clock;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(name = "erjian", version, about = "二级注册建造师注册管理与电子证照系统")]
struct Cli {
    /// Where the default SQLite database and other data live.
    #[arg(long, global = true, default_value = "./erjian-data", env = "ERJIAN_DATA")]
    data: PathBuf,
    /// A `postgres://` or `sqlite://` URL; defaults to SQLite inside --data.
    #[arg(long, global = true, env = "ERJIAN_DATABASE_URL")]
    database_url: Option<String>,
    /// Log lines as text, or as JSON objects (one a line, with each request's id) for a log
    /// collector.
    #[arg(long, global = true, value_enum, default_value = "text", env = "ERJIAN_LOG_FORMAT")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portals and the API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080", env = "ERJIAN_ADDR")]
        addr: SocketAddr,
        /// Seed an empty database with demo accounts and data, and print them.
        #[arg(long)]
        demo: bool,
        /// Province profile: 皖, 甘, 湘, 渝 or 沪.
        #[arg(long, default_value = "皖", env = "ERJIAN_PROVINCE")]
        province: String,
        /// Publicity period in days (default: the profile's; 0 with --demo).
        #[arg(long)]
        publicity_days: Option<i64>,
        /// Mark cookies Secure (behind HTTPS).
        #[arg(long, env = "ERJIAN_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Public address printed in certificates' QR codes (default: http://ADDR).
        #[arg(long, env = "ERJIAN_PUBLIC_URL")]
        public_url: Option<String>,
        /// Public query/verification requests per minute per client address (0 = no limit).
        #[arg(long, default_value_t = 120, env = "ERJIAN_RATE_LIMIT")]
        rate_limit: u32,
        /// Requests an address may make at once before the per-minute rate applies.
        #[arg(long, default_value_t = 40, env = "ERJIAN_RATE_BURST")]
        rate_burst: u32,
        /// Working-day calendar CSV (date,kind,name with 休/班); default: the bundled 2025–2026.
        #[arg(long, env = "ERJIAN_HOLIDAYS")]
        holidays: Option<PathBuf>,
        /// A province profile file (JSON, as in crates/domain/profiles/) instead of --province.
        #[arg(long, env = "ERJIAN_PROFILE_FILE")]
        profile_file: Option<PathBuf>,
        /// Text messages: `log` (the demo outbox in DATA/outbox, nothing is sent) or `tencent`
        /// (Tencent Cloud SMS; ERJIAN_SMS_TENCENT_SECRET_ID, _SECRET_KEY, _APP_ID, _SIGN_NAME,
        /// _TEMPLATE_ID, optional _REGION and _ENDPOINT).
        #[arg(long, default_value = "log", env = "ERJIAN_SMS")]
        sms: String,
    },
    /// Import the qualification register from a CSV file (all rows or none).
    ImportQualifications { file: PathBuf },
    /// Read and verify OFD files.
    #[command(subcommand)]
    Ofd(OfdCommand),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Electronic certificates in the configured database.
    #[command(subcommand)]
    Certificate(CertificateCommand),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Check a certificate QR code's signed statement offline (the whole scanned URL or its
    /// `s=` part); exit 0 only when the signature verifies.
    VerifyQr {
        payload: String,
        /// The QR-statement key's certificate (PEM or DER, from /api/public/keys); default: the
        /// configured database's.
        #[arg(long)]
        key: Option<PathBuf>,
        /// A saved bitstring status list (/api/public/status-list/bitstring): also check the
        /// certificate's status offline; exit 0 only when it is in force.
        #[arg(long)]
        list: Option<PathBuf>,
        /// The status-list key's certificate; default: the configured database's.
        #[arg(long)]
        list_key: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Enterprise operations of the authority.
    #[command(subcommand)]
    Enterprise(EnterpriseCommand),
    /// A consistent backup of the database (SQLite online; PostgreSQL with pg_dump). The master
    /// key is not in it: keep the key apart.
    Backup {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Restores a backup into the configured database (checked first; an occupied database
    /// only with --force, the service stopped). Then run `erjian certificate verify-all`.
    Restore {
        #[arg(long)]
        from: PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// Reports to other systems.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Demo and load-test data.
    Demo {
        /// Fill the database with N synthetic registered people (with enterprises, specialties,
        /// histories and certificate records).
        #[arg(long)]
        synthetic: u64,
        /// People per enterprise.
        #[arg(long, default_value_t = 60)]
        per_enterprise: u64,
        /// Province profile whose numbering and authority the data use.
        #[arg(long, default_value = "皖", env = "ERJIAN_PROVINCE")]
        province: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walks the audit log's hash chain; exit 0 only when it is whole, else each break is named.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum OfdCommand {
    /// Pages, text, images and signatures of an OFD file.
    Info {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Verify every seal; exit 0 only when all verify.
    Verify {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Also require the signer certificate to chain to this deployment's root (from the database).
        #[arg(long)]
        deployment: bool,
    },
}

#[derive(Subcommand)]
enum EnterpriseCommand {
    /// Rename an enterprise and reissue every registered person's certificate in one batch
    /// (run again with the same name to resume an interrupted batch).
    Rename {
        #[arg(long)]
        credit_code: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "皖", env = "ERJIAN_PROVINCE")]
        province: String,
        /// Public address printed in the new certificates' QR codes.
        #[arg(long, default_value = "http://127.0.0.1:8080", env = "ERJIAN_PUBLIC_URL")]
        public_url: String,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Registration events after version V for the national construction-market platform
    /// (JSON Lines, CSV, and a manifest signed with the status-list key).
    National {
        /// The last version of the previous report (0 for everything).
        #[arg(long, default_value_t = 0)]
        since: i64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "皖", env = "ERJIAN_PROVINCE")]
        province: String,
        #[arg(long, default_value = "http://127.0.0.1:8080", env = "ERJIAN_PUBLIC_URL")]
        public_url: String,
    },
}

#[derive(Subcommand)]
enum CertificateCommand {
    /// Export the current certificate of a registration.
    Export {
        registration_number: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "ofd")]
        format: String,
    },
    /// Open every stored certificate and verify its seal against the deployment's root (after
    /// a restore); exit 0 only when all verify.
    VerifyAll {
        /// Province profile of the deployment.
        #[arg(long, default_value = "皖", env = "ERJIAN_PROVINCE")]
        province: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Issue N sealed certificates for synthetic people into DIR and report rates.
    Issuance {
        #[arg(long, default_value_t = 200)]
        count: usize,
        #[arg(long, default_value = "./erjian-bench")]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// A bare hyper "hello" server: the yardstick the public endpoints are measured against.
    Hello {
        #[arg(long, default_value = "127.0.0.1:18081")]
        addr: SocketAddr,
    },
    /// Time the reviewers' look-ups (search by ID number and name, 注册信息查询, queue pages) for
    /// people drawn at random from the whole register, beside a bare primary-key read.
    Lookups {
        #[arg(long, default_value_t = 2000)]
        count: usize,
        /// File this many synthetic applications first (once), so that queues have pages.
        #[arg(long, default_value_t = 0)]
        applications: i64,
    },
    /// Write load-test inputs from the database: licence identifiers and query bodies.
    Sample {
        #[arg(long, default_value_t = 20000)]
        count: u64,
        #[arg(long)]
        out: PathBuf,
    },
}

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
        Command::Ofd(OfdCommand::Verify { file, json, deployment }) => {
            let trust = if deployment { Some(url()?) } else { None };
            if !ofd_cmd::verify_file(&file, json, trust.as_deref()).await? {
                std::process::exit(1);
            }
        }
        Command::Certificate(CertificateCommand::Export { registration_number, out, format }) => {
            ofd_cmd::export(&url()?, &master_key(&cli.data)?, &registration_number, &out, &format).await?
        }
        Command::Backup { out, json } => {
            let done = backup::backup(&url()?, &out).await?;
            if json {
                say!("{}", serde_json::to_string_pretty(&done)?);
            } else {
                say!(
                    "已备份到 {}（{} 字节）{}",
                    done.file.display(),
                    done.bytes,
                    match &done.check {
                        Some(c) =>
                            format!("；校验通过：证书 {} 份、注册 {} 条、申请 {} 件", c.certificates, c.registrations, c.applications),
                        None => String::new(),
                    }
                );
                say!("主密钥不在备份中：请另行妥善保管，恢复时须使用同一主密钥");
            }
        }
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
            let v = backup::verify_all(&store, &issuer).await?;
            if json {
                say!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                say!("已核验 {} 份证书：{} 份电子印章有效，{} 份未通过", v.checked, v.valid, v.failed.len());
                for (no, why) in &v.failed {
                    say!("  {no}：{why}");
                }
            }
            if !v.failed.is_empty() {
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

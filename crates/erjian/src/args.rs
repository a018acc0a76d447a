//! The command line's shape: `erjian [--data DIR] [--database-url URL] [--log-format text|json]
//! COMMAND`, every subcommand with its options and their environment names (clap derives).

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "erjian", version, about = "二级注册建造师注册管理与电子证照系统")]
pub(crate) struct Cli {
    /// Where the default SQLite database and other data live.
    #[arg(long, global = true, default_value = "./erjian-data", env = "ERJIAN_DATA")]
    pub(crate) data: PathBuf,
    /// A `postgres://` or `sqlite://` URL; defaults to SQLite inside --data.
    #[arg(long, global = true, env = "ERJIAN_DATABASE_URL")]
    pub(crate) database_url: Option<String>,
    /// Log lines as text, or as JSON objects (one a line, with each request's id) for a log
    /// collector.
    #[arg(long, global = true, value_enum, default_value = "text", env = "ERJIAN_LOG_FORMAT")]
    pub(crate) log_format: LogFormat,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) enum AuditCommand {
    /// Walks the audit log's hash chain; exit 0 only when it is whole, else each break is named.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum OfdCommand {
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
    /// Draw every page to PNG (page-1.png, …) and the same drawing to document.pdf.
    Render {
        file: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Resolution of the PNG pages (24–600).
        #[arg(long, default_value_t = 150.0)]
        dpi: f32,
    },
}

#[derive(Subcommand)]
pub(crate) enum EnterpriseCommand {
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
pub(crate) enum ExportCommand {
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
pub(crate) enum CertificateCommand {
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
pub(crate) enum BenchCommand {
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
    /// Announce a publicity batch of N synthetic applicants (registrations, numbers, sealed
    /// certificates and 决定书) into a fresh database (`--data` / `ERJIAN_DATABASE_URL`) and report
    /// the time, the peak memory and the cores used.
    Announce {
        #[arg(long, default_value_t = 5000)]
        count: u64,
        #[arg(long)]
        json: bool,
    },
    /// Write load-test inputs from the database: licence identifiers and query bodies.
    Sample {
        #[arg(long, default_value_t = 20000)]
        count: u64,
        #[arg(long)]
        out: PathBuf,
    },
}

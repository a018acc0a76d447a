//! erjian's HTTP layer: the portals (server-rendered HTML in Chinese), the JSON API with its
//! OpenAPI document, and the server's start-up. Handlers are short: they extract and check the
//! caller ([`auth`]), call one use case of `erjian-store`, and render or serialise the result.
//! Errors map to responses in one place ([`error`]).

pub mod api;
pub mod auth;
pub mod bitstring;
pub mod cancel_requests;
pub mod captcha;
pub mod certs;
pub mod change_pages;
pub mod changes;
pub mod check;
pub mod clock;
pub mod error;
pub mod exchange;
pub mod export;
pub mod extract;
pub mod filters;
pub mod hardening;
pub mod heavy;
pub mod holds;
pub mod mask;
pub mod notices;
pub mod openapi;
pub mod pages;
pub mod pubcache;
pub mod public;
pub mod publicity;
pub mod ratelimit;
pub mod real_name;
pub mod registrations;
pub mod signing;
pub mod site_notices;
pub mod sms;
pub mod telemetry;
pub mod usage;
pub mod verdict;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use clock::Clock;
use erjian_domain::province::ProvinceProfile;
use erjian_store::demo::DemoAccount;
use erjian_store::Store;
use std::net::SocketAddr;

/// What every handler can reach: one shared allocation, so that the per-request clones axum
/// makes cost one reference count, not one per field.
#[derive(Clone)]
pub struct AppState(std::sync::Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The state behind [`AppState`].
pub struct Shared {
    pub store: Store,
    /// The province profile in force: read with [`Shared::profile`], changed by the
    /// administrator with [`Shared::apply_profile`].
    profile: std::sync::RwLock<ProvinceProfile>,
    /// `--publicity-days` (the demo's 0), kept over profile changes.
    publicity_override: Option<i64>,
    pub issuer: std::sync::Arc<erjian_store::certificates::Issuer>,
    pub clock: Clock,
    pub secure_cookies: bool,
    /// Per-address limits on the public pages and the open API.
    pub limiter: std::sync::Arc<ratelimit::Limiter>,
    /// The stricter per-address bucket for login, sign-up and PIN reset.
    pub credential_limiter: std::sync::Arc<ratelimit::Limiter>,
    /// The bounded blocking pool for the public file check.
    pub heavy: heavy::Heavy,
    /// The text-message gateway, and the demo outbox folder when that is the gateway.
    pub sms: std::sync::Arc<dyn sms::Sms>,
    pub outbox: Option<std::path::PathBuf>,
    /// The real-name (face) verification provider (the labelled demo unless one is plugged in).
    pub real_name: std::sync::Arc<dyn real_name::RealName>,
    /// Started with `--demo`: the demo outbox may be shown to anyone (`/demo/outbox`).
    pub demo: bool,
    /// Keys the public detail tokens (HMAC-SM3), derived from the master key.
    pub detail_key: std::sync::Arc<[u8; 16]>,
    pub status_list: check::StatusListCache,
    /// The bitstring status list's answer for its version.
    pub bitstring: check::StatusListCache,
    pub public_cache: std::sync::Arc<pubcache::PublicCache>,
}

impl Shared {
    /// The province profile in force now.
    pub fn profile(&self) -> ProvinceProfile {
        *self.profile.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Puts a profile of the same province in force for every request from now on (the store's
    /// rules with it). Applications already filed keep their signing order and review stages.
    pub fn apply_profile(&self, mut profile: ProvinceProfile) {
        if let Some(days) = self.publicity_override {
            profile.publicity_days = days;
        }
        self.store.apply_profile(&profile);
        *self.profile.write().unwrap_or_else(|e| e.into_inner()) = profile;
    }
}

/// How to start a server.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub addr: SocketAddr,
    pub province: String,
    /// Overrides the profile's publicity period (the demo uses 0 so a newcomer can finish).
    pub publicity_days: Option<i64>,
    pub demo: bool,
    pub clock: Clock,
    pub secure_cookies: bool,
    /// Unlocks the deployment's private keys (stored sealed in the database).
    pub master_key: Vec<u8>,
    /// The public address printed in certificates' QR codes (default: the bound address).
    pub public_url: Option<String>,
    pub rate_limit: ratelimit::RateLimit,
    /// The working-day calendar (CSV `date,kind,name`); default: the bundled 2025–2026 one.
    pub holidays: Option<std::path::PathBuf>,
    /// A province profile file (JSON) instead of a preset.
    pub profile_file: Option<std::path::PathBuf>,
    /// The text-message gateway (the demo outbox by default).
    pub sms: sms::SmsConfig,
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    pub demo_accounts: Vec<DemoAccount>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
        self.state.store.close().await;
    }
}

pub fn router(state: AppState) -> Router {
    // The metrics recorder is in place before the first request is counted.
    telemetry::handle();
    let https = state.secure_cookies;
    hardening::harden(routes(state), https)
}

fn routes(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(telemetry::scrape))
        .merge(pages::routes())
        .merge(pages::messages::routes())
        .merge(pages::statistics_routes())
        .merge(certs::routes())
        .merge(notices::routes())
        .merge(public_routes(&state))
        .merge(signing::routes())
        .merge(registrations::routes())
        .merge(cancel_requests::routes())
        .merge(publicity::routes())
        .merge(site_notices::routes())
        .merge(holds::routes())
        .merge(export::routes())
        .merge(changes::routes())
        .merge(change_pages::routes())
        .merge(exchange::routes())
        .merge(usage::routes())
        .nest("/api", api::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), pages::failure::in_portal))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ratelimit::limit_credentials))
        .layer(DefaultBodyLimit::max(8 * 1024 * 1024))
        .layer(axum::middleware::from_fn(telemetry::track))
        .with_state(state)
}

/// The public pages and open API, behind the per-address limit when one is configured.
fn public_routes(state: &AppState) -> Router<AppState> {
    let routes = public::routes().merge(check::routes()).merge(publicity::public_routes());
    if state.limiter.enabled() {
        routes.layer(axum::middleware::from_fn_with_state(state.clone(), ratelimit::limit))
    } else {
        routes
    }
}

/// Unknown addresses: JSON under /api, a Chinese page elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        error::ApiError(erjian_store::Error::NotFound("接口不存在，请查看 /api/openapi.json")).into_response()
    } else {
        pages::error_page(axum::http::StatusCode::NOT_FOUND, "页面不存在，请检查网址或从首页进入")
    }
}

/// Connects (and migrates) the database, seeds the demo if asked, binds and serves in the
/// background. Binding port 0 picks a free port (tests).
pub async fn start(config: Config) -> anyhow::Result<Server> {
    // The metrics recorder is in place before anything is counted (the demo's sealing too).
    telemetry::handle();
    let mut profile = match &config.profile_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            erjian_domain::province::parse_profile(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => *erjian_domain::province::preset(&config.province).ok_or_else(|| {
            anyhow::anyhow!("unknown province profile: {} (use 皖, 甘, 湘, 渝 or 沪, or --profile-file)", config.province)
        })?,
    };
    // Personal data is sealed under a key derived from the master key (converted in place once).
    let store = Store::connect(&config.database_url).await?.with_master_key(&config.master_key).await?;
    // PostgreSQL: hear the other processes' public changes, so answers can be cached here too.
    store.listen_public(&config.database_url);
    // A database from before the bitstring status list gets its bits once.
    if store.ensure_status_bits().await? {
        tracing::info!("bitstring status list built from every certificate");
    }
    // The administrator's saved profile (admin page) replaces the preset of the same province;
    // an explicit --profile-file wins over it.
    if let (None, Some(saved)) = (&config.profile_file, store.saved_profile().await?) {
        match erjian_domain::province::parse_profile(&saved) {
            Ok(p) if p.code == profile.code => {
                tracing::info!(province = p.name, "using the province profile saved by the administrator");
                profile = p;
            }
            Ok(p) => tracing::warn!(saved = p.name, running = profile.name, "the saved province profile is for another province; ignored"),
            Err(e) => tracing::warn!(error = %e, "the saved province profile does not parse; ignored"),
        }
    }
    if let Some(days) = config.publicity_days {
        profile.publicity_days = days;
    }
    let mut store = store.with_profile(&profile);
    if let Some(path) = &config.holidays {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let cal = erjian_domain::calendar::Calendar::parse(&text).map_err(|errs| {
            let lines: Vec<String> = errs.iter().map(|(n, m)| format!("第{n}行：{m}")).collect();
            anyhow::anyhow!("节假日文件 {} 有误：{}", path.display(), lines.join("；"))
        })?;
        store = store.with_calendar(cal);
    }
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let mut issuer = store.issuer(&profile, &config.master_key, public_url, config.clock.now()).await?;
    issuer.authority.embed_fonts =
        erjian_cert::EmbeddedFont::from_env().map_err(|e| anyhow::anyhow!(e))?.into_iter().map(std::sync::Arc::new).collect();
    let demo_accounts = if config.demo { store.seed_demo(&issuer, config.clock.now()).await? } else { vec![] };
    let issuer = std::sync::Arc::new(issuer);
    let state = AppState(std::sync::Arc::new(Shared {
        store,
        profile: std::sync::RwLock::new(profile),
        publicity_override: config.publicity_days,
        issuer,
        clock: config.clock,
        // Cookies are Secure when asked for, and always when the public address is https.
        secure_cookies: config.secure_cookies || config.public_url.as_deref().is_some_and(|u| u.starts_with("https://")),
        limiter: std::sync::Arc::new(ratelimit::Limiter::new(config.rate_limit)),
        credential_limiter: std::sync::Arc::new(ratelimit::Limiter::new(ratelimit::credential_limit(config.rate_limit))),
        heavy: heavy::Heavy::for_this_machine(),
        outbox: match &config.sms {
            sms::SmsConfig::Log(dir) => Some(dir.clone()),
            sms::SmsConfig::Tencent(_) => None,
        },
        sms: config.sms.gateway(),
        demo: config.demo,
        real_name: std::sync::Arc::new(real_name::DemoRealName),
        detail_key: std::sync::Arc::new(erjian_ofd::crypto::derive_key(&config.master_key, "public-detail-token")),
        status_list: Default::default(),
        bitstring: Default::default(),
        public_cache: Default::default(),
    }));
    // Applications never accepted are cleared after 90 days, and the audit log's head is signed:
    // at start and hourly.
    let sweeper = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            match sweeper.store.clear_stale_applications(sweeper.clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(cleared = n, "cleared applications never accepted within 90 days"),
                Err(e) => tracing::warn!(error = %e, "clearing stale applications failed"),
            }
            // Renewal and 证照加注 reminders: checked hourly, each sent once.
            match sweeper.store.send_reminders(sweeper.clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(reminders = n, "reminders sent"),
                Err(e) => tracing::warn!(error = %e, "sending reminders failed"),
            }
            // The audit log's head is signed hourly (and at start): a checkpoint.
            if let Err(e) = sweeper.store.checkpoint_audit(&sweeper.issuer.audit_key, sweeper.clock.now()).await {
                tracing::warn!(error = %e, "signing an audit checkpoint failed");
            }
        }
    });
    // Messages of accounts that asked for texts go out through the gateway every minute.
    let texter = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Err(e) = pages::messages::send_pending_texts(&texter).await {
                tracing::warn!(error = %e, "texting notices failed");
            }
        }
    });
    let app = router(state.clone());
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await {
            tracing::error!(error = %e, "server stopped");
        }
    });
    Ok(Server { addr, state, demo_accounts, task })
}

//! `/metrics` in Prometheus text format (the `metrics` facade, rendered by
//! `metrics-exporter-prometheus`): requests by route template, method and status with their
//! latencies, rate-limited answers, certificates issued, the applications waiting in each state
//! and the database pool, read when scraped.
//!
//! Who may scrape: with `ERJIAN_METRICS_TOKEN` set, a caller presenting it as a bearer token;
//! without it, only a direct loopback caller (no `X-Forwarded-For` / `Forwarded`: behind a
//! reverse proxy every caller looks local, so set the token there). Anyone else gets the same
//! 404 as an unknown address. Labels are route templates, never raw paths, so an attacker
//! cannot grow the series.

use crate::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

const LATENCY_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The process's recorder (installed once; every server in the process reports to it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("erjian_http_request_duration_seconds".into()), LATENCY_BUCKETS)
            .expect("buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics shows only erjian's own");
        }
        handle
    })
}

tokio::task_local! {
    /// The id of the request being answered (for log lines written while it runs).
    static REQUEST_ID: u64;
}

/// The id of the request this task is answering, as it appears in `X-Request-Id`.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(|id| format!("{id:016x}")).ok()
}

/// Middleware: gives every request an id of its own (`X-Request-Id` on the answer, and
/// `request_id` on the error lines written while it runs — see [`request_id`]; an id sent by
/// the caller is ignored, so nobody writes into the log), logs one line at `debug` when it is
/// answered, and counts and times it under its route template. Cheap on the hot path: no span,
/// labels interned once per distinct route (measured: a span and per-request label strings
/// cost 16 % of the cached QR answer's throughput).
pub async fn track(req: Request, next: Next) -> Response {
    let route = intern(req.extensions().get::<MatchedPath>().map(|p| p.as_str()).unwrap_or("unmatched"));
    let method = intern(req.method().as_str());
    let id: u64 = rand::random();
    let started = Instant::now();
    let mut response = REQUEST_ID.scope(id, next.run(req)).await;
    let elapsed = started.elapsed();
    let status = response.status();
    tracing::debug!(request_id = %format_args!("{id:016x}"), method, route, status = status.as_u16(), latency_ms = elapsed.as_secs_f64() * 1000.0, "answered");
    if let Ok(v) = header::HeaderValue::from_str(&format!("{id:016x}")) {
        response.headers_mut().insert("x-request-id", v);
    }
    let status = intern(status.as_str());
    metrics::counter!("erjian_http_requests_total", "route" => route, "method" => method, "status" => status).increment(1);
    metrics::histogram!("erjian_http_request_duration_seconds", "route" => route).record(elapsed.as_secs_f64());
    response
}

/// A label value kept for the life of the process: route templates, methods and status codes
/// are few (bounded by the router); past 1,000 distinct values, `other`.
fn intern(s: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::RwLock;
    static SEEN: OnceLock<RwLock<HashSet<&'static str>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if let Some(v) = seen.read().unwrap_or_else(|e| e.into_inner()).get(s) {
        return v;
    }
    let mut w = seen.write().unwrap_or_else(|e| e.into_inner());
    if let Some(v) = w.get(s) {
        return v;
    }
    if w.len() >= 1000 {
        return "other";
    }
    let kept: &'static str = Box::leak(s.to_owned().into_boxed_str());
    w.insert(kept);
    kept
}

/// A request the per-address limit answered with 429.
pub fn rate_limited(scope: &'static str) {
    metrics::counter!("erjian_rate_limited_total", "scope" => scope).increment(1);
}

fn token() -> Option<&'static str> {
    static TOKEN: OnceLock<Option<String>> = OnceLock::new();
    TOKEN.get_or_init(|| std::env::var("ERJIAN_METRICS_TOKEN").ok().filter(|t| t.len() >= 16)).as_deref()
}

fn may_scrape(peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
    if let Some(expected) = token() {
        let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        return given.is_some_and(|g| subtle::ConstantTimeEq::ct_eq(g.as_bytes(), expected.as_bytes()).into());
    }
    let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key(header::FORWARDED);
    peer.is_some_and(|p| p.ip().is_loopback()) && !forwarded
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<AppState>, req: Request) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    if !may_scrape(peer, req.headers()) {
        return crate::pages::error_page(StatusCode::NOT_FOUND, "页面不存在，请检查网址或从首页进入");
    }
    // Read at scrape time: what waits, and the pool.
    match state.store.application_state_counts().await {
        Ok(counts) => {
            for (s, n) in counts {
                metrics::gauge!("erjian_applications", "state" => s).set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: counting applications failed"),
    }
    let pool = state.store.pool();
    metrics::gauge!("erjian_db_pool_connections", "state" => "open").set(f64::from(pool.size()));
    metrics::gauge!("erjian_db_pool_connections", "state" => "idle").set(pool.num_idle() as f64);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle().render()).into_response()
}

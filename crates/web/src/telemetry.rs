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

/// Middleware: gives every request an id of its own (`X-Request-Id` on the answer, `request_id`
/// on every log line written while it runs; an id sent by the caller is ignored, so nobody
/// writes into the log), logs one line when it is answered (at `debug`: `RUST_LOG=erjian_web=debug`), and counts and times it under its
/// route template.
pub async fn track(req: Request, next: Next) -> Response {
    use tracing::Instrument;
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let id = format!("{:016x}", rand::random::<u64>());
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let started = Instant::now();
    let mut response = next.run(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    span.in_scope(|| tracing::debug!(status, latency_ms = elapsed.as_secs_f64() * 1000.0, "answered"));
    if let Ok(v) = header::HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    let status = status.to_string();
    metrics::counter!("erjian_http_requests_total", "route" => route.clone(), "method" => method, "status" => status).increment(1);
    metrics::histogram!("erjian_http_request_duration_seconds", "route" => route).record(elapsed.as_secs_f64());
    response
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

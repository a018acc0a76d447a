//! Per-address rate limits for the public pages and the open API: a token bucket per client
//! address (sharded locks, idle buckets dropped), a clear 429 with `Retry-After` when empty, and
//! extra cost for each failed captcha. Limits are per process; several processes behind one
//! address each keep their own.

use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header::RETRY_AFTER, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

/// How many requests an address may make: `per_minute` on average, `burst` at once. A
/// `per_minute` of 0 turns the limit off.
#[derive(Clone, Copy, Debug)]
pub struct RateLimit {
    pub per_minute: u32,
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit { per_minute: 120, burst: 40 }
    }
}

const SHARDS: usize = 16;

/// The buckets.
pub struct Limiter {
    limit: RateLimit,
    shards: Vec<Mutex<HashMap<IpAddr, (f64, Instant)>>>,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Limiter {
        Limiter { limit, shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect() }
    }

    pub fn enabled(&self) -> bool {
        self.limit.per_minute > 0
    }

    fn shard(&self, ip: &IpAddr) -> &Mutex<HashMap<IpAddr, (f64, Instant)>> {
        let h = match ip {
            IpAddr::V4(a) => u32::from(*a) as usize,
            IpAddr::V6(a) => u128::from(*a) as usize,
        };
        &self.shards[h % SHARDS]
    }

    /// Takes `cost` tokens; `Err(seconds)` says when enough will be back. With `force`, the
    /// tokens are taken even into debt (down to minus one burst).
    fn bucket(&self, ip: IpAddr, cost: f64, force: bool) -> Result<(), u64> {
        if self.limit.per_minute == 0 {
            return Ok(());
        }
        let rate = f64::from(self.limit.per_minute) / 60.0;
        let burst = f64::from(self.limit.burst.max(1));
        let now = Instant::now();
        let mut map = self.shard(&ip).lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 50_000 {
            map.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (tokens, at) = map.entry(ip).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if *tokens >= cost {
            *tokens -= cost;
            Ok(())
        } else {
            if force {
                *tokens = (*tokens - cost).max(-burst);
            }
            Err(((cost - *tokens) / rate).ceil().max(1.0) as u64)
        }
    }

    pub fn take(&self, ip: IpAddr, cost: f64) -> Result<(), u64> {
        self.bucket(ip, cost, false)
    }

    /// A failed captcha costs five more requests.
    pub fn penalise(&self, ip: IpAddr) {
        let _ = self.bucket(ip, 5.0, true);
    }
}

/// The caller's address, for handlers that count attempts per address (login, PIN reset).
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]))))
    }
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Requests that guess or create credentials: login, sign-up and the signing-PIN reset, as
/// pages and API. They share a stricter bucket per address than the public pages.
pub fn guards_credentials(method: &axum::http::Method, path: &str) -> bool {
    let credential = matches!(
        path,
        "/login"
            | "/api/login"
            | "/signing"
            | "/api/signing/reset"
            | "/api/signing/pin/change"
            | "/account/password"
            | "/api/account/password"
            | "/forgot"
            | "/forgot/reset"
            | "/api/password/forgot"
            | "/api/password/reset"
    ) || path.starts_with("/signup")
        || path.starts_with("/api/signup");
    method == axum::http::Method::POST && credential
}

/// The stricter limit for credential requests: a quarter of the public rate, the same burst.
pub fn credential_limit(public: RateLimit) -> RateLimit {
    RateLimit { per_minute: if public.per_minute == 0 { 0 } else { (public.per_minute / 4).max(1) }, burst: public.burst }
}

/// Middleware for the whole router: credential requests take from their own bucket.
pub async fn limit_credentials(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if guards_credentials(req.method(), req.uri().path()) {
        if let Err(wait) = state.credential_limiter.take(client_ip(&req), 1.0) {
            return too_many(req.uri().path().starts_with("/api/"), wait);
        }
    }
    next.run(req).await
}

/// The client's address.
pub fn client_ip(req: &Request) -> IpAddr {
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

/// Middleware for the public routes.
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match state.limiter.take(client_ip(&req), 1.0) {
        Ok(()) => next.run(req).await,
        Err(wait) => too_many(req.uri().path().starts_with("/api/"), wait),
    }
}

/// The 429 answer: JSON under /api, a page elsewhere, both with `Retry-After`.
pub fn too_many(api: bool, wait: u64) -> Response {
    crate::telemetry::rate_limited(if api { "api" } else { "page" });
    let msg = format!("访问过于频繁，请 {wait} 秒后再试");
    let mut r = if api {
        (StatusCode::TOO_MANY_REQUESTS, axum::Json(crate::error::ErrorBody { error: msg, fields: vec![] })).into_response()
    } else {
        crate::pages::error_page(StatusCode::TOO_MANY_REQUESTS, &msg)
    };
    r.headers_mut().insert(RETRY_AFTER, wait.into());
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_empties_then_refuses_with_a_wait() {
        let l = Limiter::new(RateLimit { per_minute: 60, burst: 3 });
        let ip = IpAddr::from([10, 0, 0, 1]);
        for _ in 0..3 {
            assert!(l.take(ip, 1.0).is_ok());
        }
        let wait = l.take(ip, 1.0).unwrap_err();
        assert!(wait >= 1, "{wait}");
        assert!(l.take(IpAddr::from([10, 0, 0, 2]), 1.0).is_ok(), "other addresses are not affected");
        assert!(Limiter::new(RateLimit { per_minute: 0, burst: 0 }).take(ip, 1.0).is_ok());
    }
}

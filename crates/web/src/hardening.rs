//! The HTTP hardening every answer gets, as one `tower-http` layer stack: a Content-Security-
//! Policy with no inline scripts (the pages' few behaviours live in `/static/app.js`) and no
//! framing, `nosniff`, no referrer (detail tokens travel in URLs), `Cache-Control: no-store`
//! unless a handler chose otherwise (personal pages and JSON are never cached), and a request
//! time-out.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::Router;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// Scripts and everything else from this origin only; inline style attributes are allowed
/// (layout only), inline scripts and event handlers are not.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A request that takes longer than this is answered 408 (announcing a large batch included).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

pub fn harden(router: Router, https: bool) -> Router {
    let router = router
        // A response may only add to the policy (user files add `sandbox`, see `pages::detail`).
        .layer(SetResponseHeaderLayer::if_not_present(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT));
    if https {
        router.layer(SetResponseHeaderLayer::overriding(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000")))
    } else {
        router
    }
}

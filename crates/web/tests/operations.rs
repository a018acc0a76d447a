//! `/metrics` as an operator and as an attacker sees it: Prometheus text with requests by route
//! template (a raw path never becomes a label), latencies, rate-limited answers, sealed
//! certificates, the applications in each state and the database pool; refused (404, as any
//! unknown address) to a caller that is not local or comes through a proxy.

use crate::common;
use common::*;
use erjian_store::testing::{fresh_database, TestDb};
use erjian_web::clock::Clock;
use reqwest::StatusCode;

async fn metrics_for_operators_only(kind: TestDb) {
    let db = fresh_database(kind).await.unwrap();
    let app = spawn_limited(&db, Clock::manual(t0()), true, None, "皖", RateLimit { per_minute: 30, burst: 3 }).await;
    let get = |path: &str| app.http.get(format!("{}{path}", app.url)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
    let attacker_path = "/api/verify/1.2.156.3005.2.NOT-A-LICENCE-abcdef";
    for _ in 0..6 {
        get(attacker_path).await.unwrap();
    }
    let r = get("/metrics").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(text.contains(r#"erjian_http_requests_total{route="/healthz",method="GET",status="200"}"#), "{text}");
    assert!(text.contains(r#"route="/api/verify/{licence}""#), "the route template: {text}");
    assert!(!text.contains("NOT-A-LICENCE"), "a raw path is never a label");
    assert!(text.contains("erjian_http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains("erjian_rate_limited_total"), "six calls with a burst of 3 were limited: {text}");
    assert!(text.contains("erjian_certificates_sealed_total"), "the demo sealed 赵磊's certificate: {text}");
    assert!(text.contains(r#"erjian_applications{state="#), "{text}");
    assert!(text.contains(r#"erjian_db_pool_connections{state="open"}"#), "{text}");
    // Through a proxy (or from elsewhere) it is an unknown address.
    let proxied = app.http.get(format!("{}/metrics", app.url)).header("X-Forwarded-For", "203.0.113.9").send().await.unwrap();
    assert_eq!(proxied.status(), StatusCode::NOT_FOUND);
    assert!(!proxied.text().await.unwrap().contains("erjian_"), "nothing leaks");
    app.finish().await;
}
on_both_databases!(metrics_for_operators_only);

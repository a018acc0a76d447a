//! Times issuance in a loop, with and without the embedded serif font (`ERJIAN_OFD_FONT` or the
//! installed serif fonts): `cargo run --release -p erjian-cert --example issue_time 2000`.

use chrono::Utc;
use erjian_cert::{synthetic, Authority, EmbeddedFont};
use std::sync::Arc;

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let (mut auth, _) = Authority::create("安徽省住房和城乡建设厅", "11340000MB034000X6", b"profile", Utc::now());
    let people: Vec<_> = (0..n).map(|i| synthetic::person(i, &auth.name, &auth.credit_code, "https://erjian.example")).collect();
    let now = Utc::now();
    for fonts in [false, true] {
        auth.embed_fonts = if fonts { EmbeddedFont::from_env().expect("fonts").into_iter().map(Arc::new).collect() } else { Vec::new() };
        auth.issue(&people[0], now).expect("issued");
        let t = std::time::Instant::now();
        let bytes: usize = people.iter().map(|p| auth.issue(p, now).expect("issued").len()).sum();
        let per = t.elapsed().as_secs_f64() / n as f64;
        println!(
            "{} font: {n} certificates, {:.0} µs each ({:.0}/s), {} bytes on average",
            if fonts { "serif" } else { "no" },
            per * 1e6,
            1.0 / per,
            bytes as u64 / n.max(1)
        );
    }
}

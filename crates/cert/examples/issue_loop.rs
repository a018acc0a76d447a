//! Issues N sealed certificates for synthetic people in a loop, for profilers that count
//! instructions (`valgrind --tool=callgrind target/release/examples/issue_loop 200`), where
//! wall-clock benchmarks on a shared machine are too noisy to compare small changes.

use chrono::Utc;
use erjian_cert::{synthetic, Authority};

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let (auth, _) = Authority::create("安徽省住房和城乡建设厅", "11340000MB034000X6", b"profile", Utc::now());
    let people: Vec<_> = (0..n).map(|i| synthetic::person(i, &auth.name, &auth.credit_code, "https://erjian.example")).collect();
    let now = Utc::now();
    let bytes: usize = people.iter().map(|p| auth.issue(p, now).expect("issued").len()).sum();
    println!("{n} certificates, {} bytes on average", bytes as u64 / n.max(1));
}

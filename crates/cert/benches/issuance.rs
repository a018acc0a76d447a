//! `cargo bench -p erjian-cert`: one sealed certificate issued, one verified, against the
//! cryptography neither can avoid (one SM2 signature, or two SM2 verifications, plus SM3 over the
//! package's files). Targets: issuance and verification each under twice their cryptography.

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion};
use erjian_cert::{synthetic, Authority};
use erjian_ofd::crypto::{self, KeyPair};
use erjian_ofd::seal::{verify, VerifyOptions};
use erjian_ofd::Package;
use std::hint::black_box;

fn benches(c: &mut Criterion) {
    let (auth, _) = Authority::create("安徽省住房和城乡建设厅", "11340000MB034000X6", b"bench", Utc::now());
    let person = synthetic::person(7, &auth.name, &auth.credit_code, "https://erjian.example");
    let file = auth.issue(&person, Utc::now()).unwrap();
    let pkg = Package::from_bytes(&file).unwrap();
    let files: Vec<Vec<u8>> = pkg.paths().map(|p| pkg.get(p).unwrap().to_vec()).collect();
    let key = KeyPair::generate();
    let sig = key.sign(b"m");
    let opts = VerifyOptions { now: None, trusted_roots: vec![auth.root()] };

    let mut g = c.benchmark_group("certificate");
    g.bench_function("issue_sealed_ofd", |b| b.iter(|| black_box(auth.issue(&person, Utc::now()).unwrap())));
    g.bench_function("issue_crypto_floor", |b| {
        b.iter(|| {
            for f in &files {
                black_box(crypto::sm3(f));
            }
            black_box(key.sign(b"TBS_Sign"))
        })
    });
    g.bench_function("verify_sealed_ofd", |b| {
        b.iter(|| black_box(verify(&Package::from_bytes(&file).unwrap(), &opts).unwrap().all_valid()))
    });
    g.bench_function("verify_crypto_floor", |b| {
        b.iter(|| {
            for f in &files {
                black_box(crypto::sm3(f));
            }
            black_box(crypto::verify(&key.public(), b"m", &sig) && crypto::verify(&key.public(), b"m", &sig))
        })
    });
    g.bench_function("sm2_sign", |b| b.iter(|| black_box(key.sign(b"message"))));
    g.finish();
}

criterion_group!(certificate, benches);
criterion_main!(certificate);

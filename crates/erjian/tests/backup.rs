//! The restore drill, on SQLite and PostgreSQL: a database with the demo's certificates is backed
//! up while open (`erjian backup`), restored into an empty database (`erjian restore`), and every
//! certificate there is opened and its seal verified (`erjian certificate verify-all`); the
//! audit chain is whole. A backup never overwrites a file; a restore refuses a file that is not
//! a database and an occupied database without --force; a tampered certificate is named.

use erjian_store::testing::{drop_database, fresh_database, TestDb};
use std::path::PathBuf;
use std::process::{Command, Output};

const MASTER: &str = "backup drill test master key, 32+ bytes long";

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn run(data: &PathBuf, url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_erjian"))
        .arg("--data")
        .arg(data)
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env("ERJIAN_MASTER_KEY", MASTER)
        .env("RUST_LOG", "error")
        .output()
        .expect("run erjian")
}

async fn drill(kind: TestDb) {
    let dir = std::env::temp_dir().join(format!("erjian-drill-{}-{:?}", std::process::id(), kind));
    std::fs::create_dir_all(&dir).unwrap();
    let source = fresh_database(kind).await.unwrap();
    let store = erjian_store::Store::connect(&source).await.unwrap().with_master_key(MASTER.as_bytes()).await.unwrap();
    let profile = *erjian_domain::province::preset("皖").unwrap();
    let issuer = store.issuer(&profile, MASTER.as_bytes(), "https://erjian.example".into(), chrono::Utc::now()).await.unwrap();
    let accounts = store.seed_demo(&issuer, chrono::Utc::now()).await.unwrap();
    // A second certificate (重新制证): the old one superseded, both kept.
    let zhao = accounts.iter().find(|a| a.note.starts_with("赵磊")).unwrap();
    let zhao = store.login(&zhao.username, zhao.password, chrono::Utc::now()).await.unwrap();
    store.reissue_certificate(&zhao, "remake", None, &issuer, chrono::Utc::now()).await.unwrap();
    let (certs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM certificates").fetch_one(store.pool()).await.unwrap();
    assert!(certs > 0);

    // Backed up with the store still open (the service running).
    let file = dir.join("erjian.backup");
    let o = run(&dir, &source, &["backup", "--out", file.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let again = run(&dir, &source, &["backup", "--out", file.to_str().unwrap()]);
    assert!(!again.status.success() && text(&again).contains("已存在"), "{}", text(&again));
    if kind == TestDb::Sqlite {
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!((report["check"]["integrity"].as_str(), report["check"]["certificates"].as_i64()), (Some("ok"), Some(certs)));
    }
    store.close().await;

    // Restored into an empty database, then every certificate verified.
    let target = fresh_database(kind).await.unwrap();
    let not_a_backup = dir.join("notes.txt");
    std::fs::write(&not_a_backup, "这不是备份文件".repeat(200)).unwrap();
    let refused = run(&dir, &target, &["restore", "--from", not_a_backup.to_str().unwrap()]);
    assert!(!refused.status.success(), "{}", text(&refused));
    let o = run(&dir, &target, &["restore", "--from", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&dir, &target, &["certificate", "verify-all", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["checked"].as_i64(), v["valid"].as_i64()), (Some(certs), Some(certs)), "{v}");
    let o = run(&dir, &target, &["audit", "verify"]);
    assert!(o.status.success(), "the audit chain came back whole: {}", text(&o));
    if kind == TestDb::Sqlite {
        let occupied = run(&dir, &target, &["restore", "--from", file.to_str().unwrap()]);
        assert!(!occupied.status.success() && text(&occupied).contains("--force"), "{}", text(&occupied));
    }

    // A valid file of another certificate put in one's place is named.
    let restored = erjian_store::Store::connect(&target).await.unwrap();
    let ids: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, certificate_no FROM certificates ORDER BY id LIMIT 2").fetch_all(restored.pool()).await.unwrap();
    assert_eq!(ids.len(), 2, "the demo has at least two certificates");
    sqlx::query("UPDATE certificates SET ofd = (SELECT ofd FROM certificates WHERE id = $2) WHERE id = $1")
        .bind(ids[0].0)
        .bind(ids[1].0)
        .execute(restored.pool())
        .await
        .unwrap();
    restored.close().await;
    let o = run(&dir, &target, &["certificate", "verify-all"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(&format!("{}：文件中的证照标识", ids[0].1)), "{}", text(&o));
    drop_database(&source).await;
    drop_database(&target).await;
}

#[tokio::test]
async fn restore_drill_sqlite() {
    drill(TestDb::Sqlite).await;
}

#[tokio::test]
async fn restore_drill_postgres() {
    drill(TestDb::Postgres).await;
}
